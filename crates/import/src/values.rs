//! Parsers for cell values: decimal numbers with a comma or a point, day-first dates, Excel serial
//! dates. Pure functions; the error types carry the Dutch reason shown in the report.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, macros::date};

/// The decimal separator seen in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decimal {
    /// `102,5` (Dutch Excel).
    Comma,
    /// `102.5`.
    Point,
    /// No number with a fractional part was seen.
    Unknown,
}

impl Decimal {
    pub fn label(self) -> &'static str {
        match self {
            Decimal::Comma => "komma",
            Decimal::Point => "punt",
            Decimal::Unknown => "niet vastgesteld (geen decimalen gezien)",
        }
    }
}

/// Why a value is not a number. `Display` is the Dutch reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    NotANumber,
    Thousands,
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberError::NotANumber => f.write_str("is geen getal"),
            NumberError::Thousands => f.write_str(
                "bevat een scheidingsteken voor duizendtallen; schrijf het getal zonder, bijv. 1234,5",
            ),
        }
    }
}

/// Parses `102`, `102,5`, `102.5`, `-3`, `+4`, `,5`. Thousands separators (`1.234,5`, `1 234`) and
/// exponents are refused. Returns the value and the decimal separator used, if any.
pub fn parse_number(s: &str) -> Result<(f64, Option<Decimal>), NumberError> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    if body.is_empty() || body.len() > 40 {
        return Err(NumberError::NotANumber);
    }
    let mut seps = 0usize;
    let mut sep = None;
    let mut digits = 0usize;
    let mut mixed = false;
    for c in body.chars() {
        match c {
            '0'..='9' => digits += 1,
            ',' | '.' => {
                seps += 1;
                let d = if c == ',' { Decimal::Comma } else { Decimal::Point };
                if sep.is_some_and(|p| p != d) {
                    mixed = true;
                }
                sep = Some(d);
            }
            ' ' | '\'' | '\u{a0}' => return Err(NumberError::Thousands),
            _ => return Err(NumberError::NotANumber),
        }
    }
    if digits == 0 {
        return Err(NumberError::NotANumber);
    }
    if mixed || seps > 1 {
        return Err(NumberError::Thousands);
    }
    let v =
        if sep == Some(Decimal::Comma) { t.replacen(',', ".", 1).parse::<f64>() } else { t.parse::<f64>() }
            .map_err(|_| NumberError::NotANumber)?;
    if !v.is_finite() {
        return Err(NumberError::NotANumber);
    }
    Ok((v, sep))
}

/// Formats a number the Dutch way (`102,5`), as the round-trip counterpart of [`parse_number`].
pub fn format_number_nl(v: f64) -> String {
    format!("{v}").replacen('.', ",", 1)
}

/// Why a value is not a date. `Display` is the Dutch reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not in a date format at all.
    Format,
    /// A date format, but the day does not exist (31-02-2021).
    Impossible,
    /// A two-digit year.
    ShortYear,
    /// Outside 1950..=2100.
    OutOfRange,
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DateError::Format => "is geen datum; verwacht dd-mm-jjjj (bijv. 27-01-2021) of jjjj-mm-dd",
            DateError::Impossible => "is een onmogelijke datum (die dag bestaat niet)",
            DateError::ShortYear => {
                "heeft een jaartal van twee cijfers; gebruik vier cijfers (bijv. 27-01-2021)"
            }
            DateError::OutOfRange => "ligt buiten de mogelijke periode (1950 tot en met 2100)",
        })
    }
}

const MIN_YEAR: i32 = 1950;
const MAX_YEAR: i32 = 2100;

fn checked(y: i32, m: u8, d: u8) -> Result<Date, DateError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(DateError::OutOfRange);
    }
    let month = Month::try_from(m).map_err(|_| DateError::Impossible)?;
    Date::from_calendar_date(y, month, d).map_err(|_| DateError::Impossible)
}

/// The date of an Excel serial number in the 1900 date system (1 = 1 January 1900; Excel's
/// non-existent 29 February 1900 is serial 60). The fractional part (time of day) is ignored.
pub fn excel_serial_date(serial: f64) -> Result<Date, DateError> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(DateError::OutOfRange);
    }
    let days = serial.floor() as i64;
    let d = match days {
        60 => return Err(DateError::Impossible),
        1..=59 => date!(1899 - 12 - 31) + Duration::days(days),
        _ => date!(1899 - 12 - 30) + Duration::days(days),
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
        return Err(DateError::OutOfRange);
    }
    Ok(d)
}

/// The Excel serial number (1900 system) of a date; the inverse of [`excel_serial_date`].
pub fn excel_serial(d: Date) -> i64 {
    (d - date!(1899 - 12 - 30)).whole_days()
}

fn small(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses the dates Dutch school files hold, always day-first: `27-01-2021`, `7-1-2021`,
/// `27/01/2021`, `27.01.2021`, `2021-01-27`, `20210127`, an Excel serial (`44223`), each optionally
/// followed by a time (`27-01-2021 00:00`, `2021-01-27T00:00:00`).
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let t = s.trim();
    // Fast path for the two common exact forms: dd-mm-yyyy and yyyy-mm-dd.
    let b = t.as_bytes();
    if b.len() == 10 {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
        };
        let parts = if matches!(b[2], b'-' | b'/' | b'.') && b[5] == b[2] {
            num(6..10).zip(num(3..5)).zip(num(0..2)).map(|((y, m), d)| (y, m, d))
        } else if b[4] == b'-' && b[7] == b'-' {
            num(0..4).zip(num(5..7)).zip(num(8..10)).map(|((y, m), d)| (y, m, d))
        } else {
            None
        };
        if let Some((y, m, d)) = parts {
            if m == 0 || m > 12 || d == 0 || d > 31 {
                return Err(DateError::Impossible);
            }
            return checked(i32::try_from(y).unwrap_or(0), m as u8, d as u8);
        }
    }
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    if t.is_empty() {
        return Err(DateError::Format);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        if t.len() == 8 {
            let y = small(&t[0..4]).ok_or(DateError::Format)?;
            let m = small(&t[4..6]).ok_or(DateError::Format)?;
            let d = small(&t[6..8]).ok_or(DateError::Format)?;
            return checked(i32::try_from(y).unwrap_or(0), m as u8, d as u8);
        }
        let n: f64 = t.parse().map_err(|_| DateError::Format)?;
        return excel_serial_date(n);
    }
    if let Ok((n, Some(_))) = parse_number(t) {
        // An Excel serial with a time fraction: 44223,5.
        if t.bytes().filter(|b| *b == b'.' || *b == b',').count() == 1 && (1.0..2_958_466.0).contains(&n) {
            let parts: Vec<&str> = t.split(['.', ',']).collect();
            if parts.len() == 2 && parts[0].len() >= 3 {
                return excel_serial_date(n);
            }
        }
    }
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    if parts.len() != 3 {
        return Err(DateError::Format);
    }
    let nums: Option<Vec<u32>> = parts.iter().map(|p| small(p)).collect();
    let nums = nums.ok_or(DateError::Format)?;
    let (y, m, d) = if parts[0].len() == 4 {
        if parts[1].len() > 2 || parts[2].len() > 2 {
            return Err(DateError::Format);
        }
        (nums[0], nums[1], nums[2])
    } else {
        if parts[0].len() > 2 || parts[1].len() > 2 {
            return Err(DateError::Format);
        }
        match parts[2].len() {
            4 => {}
            1 | 2 => return Err(DateError::ShortYear),
            _ => return Err(DateError::Format),
        }
        (nums[2], nums[1], nums[0])
    };
    if m > 12 || d > 31 || m == 0 || d == 0 {
        return Err(DateError::Impossible);
    }
    checked(i32::try_from(y).unwrap_or(0), m as u8, d as u8)
}

/// Formats a date as `dd-mm-jjjj`.
pub fn format_date_nl(d: Date) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), u8::from(d.month()), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("102,5"), Ok((102.5, Some(Decimal::Comma))));
        assert_eq!(parse_number(" 102.5 "), Ok((102.5, Some(Decimal::Point))));
        assert_eq!(parse_number("-3"), Ok((-3.0, None)));
        assert_eq!(parse_number("+4"), Ok((4.0, None)));
        assert_eq!(parse_number(",5"), Ok((0.5, Some(Decimal::Comma))));
        assert_eq!(parse_number("1.234,5"), Err(NumberError::Thousands));
        assert_eq!(parse_number("1 234"), Err(NumberError::Thousands));
        assert_eq!(parse_number("1.234.567"), Err(NumberError::Thousands));
        for bad in ["", "abc", "1e5", "inf", "NaN", "12a", "-", ",", "--1", "1-"] {
            assert_eq!(parse_number(bad), Err(NumberError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn dates() {
        let jan27 = date!(2021 - 01 - 27);
        for s in [
            "27-01-2021",
            "27/01/2021",
            "27.01.2021",
            "2021-01-27",
            "20210127",
            "27-01-2021 00:00",
            "2021-01-27T00:00:00",
            "44223",
        ] {
            assert_eq!(parse_date(s), Ok(jan27), "{s}");
        }
        assert_eq!(parse_date("7-1-2021"), Ok(date!(2021 - 01 - 07)));
        assert_eq!(parse_date("31-02-2021"), Err(DateError::Impossible));
        assert_eq!(parse_date("32-01-2021"), Err(DateError::Impossible));
        assert_eq!(parse_date("01-13-2021"), Err(DateError::Impossible));
        assert_eq!(parse_date("27-01-21"), Err(DateError::ShortYear));
        assert_eq!(parse_date("gisteren"), Err(DateError::Format));
        assert_eq!(parse_date("27-01-1850"), Err(DateError::OutOfRange));
        assert_eq!(parse_date("44223,75"), Ok(jan27));
    }

    #[test]
    fn excel_1900_system() {
        assert_eq!(excel_serial(date!(2021 - 01 - 27)), 44223);
        assert_eq!(excel_serial_date(60.0), Err(DateError::Impossible));
        assert_eq!(excel_serial_date(0.0), Err(DateError::OutOfRange));
        // Serial 61 is 1 March 1900, but that is before the plausible period.
        assert_eq!(excel_serial_date(61.0), Err(DateError::OutOfRange));
        assert_eq!(excel_serial_date(18264.0), Ok(date!(1950 - 01 - 01)));
    }

    proptest! {
        #[test]
        fn number_round_trip(x in -1.0e6f64..1.0e6) {
            let s = format_number_nl(x);
            prop_assert_eq!(parse_number(&s).map(|p| p.0), Ok(x));
            let p = format!("{x}");
            prop_assert_eq!(parse_number(&p).map(|p| p.0), Ok(x));
        }

        #[test]
        fn numbers_never_panic(s in "\\PC{0,30}") {
            let _ = parse_number(&s);
        }

        #[test]
        fn date_round_trip(days in 0i64..(150 * 365)) {
            let d = date!(1950 - 01 - 01) + Duration::days(days);
            prop_assert_eq!(parse_date(&format_date_nl(d)), Ok(d));
            let short = format!("{}-{}-{}", d.day(), u8::from(d.month()), d.year());
            prop_assert_eq!(parse_date(&short), Ok(d));
            prop_assert_eq!(parse_date(&d.to_string()), Ok(d));
            prop_assert_eq!(parse_date(&excel_serial(d).to_string()), Ok(d));
            prop_assert_eq!(excel_serial_date(excel_serial(d) as f64), Ok(d));
        }

        #[test]
        fn dates_never_panic(s in "\\PC{0,30}") {
            let _ = parse_date(&s);
        }
    }
}
