//! Conversions between domain values and their database text form.

use schoolscan_domain::{Informant, NoteKind, ParentsEducation, ScaleKind, Sex, Weight};
use time::{Date, format_description::BorrowedFormatItem, macros::format_description};

use crate::StoreError;

const ISO: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub fn date_to_sql(d: Date) -> String {
    d.format(ISO).unwrap_or_default()
}

/// A date as ISO text without allocating (the import's hot path); the same text as
/// [`date_to_sql`].
pub struct IsoDate {
    buf: [u8; 10],
    fallback: Option<String>,
}

impl IsoDate {
    pub fn new(d: Date) -> Self {
        let y = d.year();
        if !(0..=9999).contains(&y) {
            return Self { buf: [0; 10], fallback: Some(date_to_sql(d)) };
        }
        let (y, m, day) = (y as u32, u8::from(d.month()) as u32, u32::from(d.day()));
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let buf = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ];
        Self { buf, fallback: None }
    }

    pub fn as_str(&self) -> &str {
        match &self.fallback {
            Some(s) => s,
            // Only ASCII digits and '-' are written above.
            None => std::str::from_utf8(&self.buf).unwrap_or_default(),
        }
    }
}

pub fn date_from_sql(s: &str) -> Result<Date, StoreError> {
    Date::parse(s, ISO).map_err(|_| StoreError::Corrupt { what: "datum", value: s.to_owned() })
}

pub fn opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.as_deref().map(date_from_sql).transpose()
}

pub fn sex_to_sql(s: Sex) -> &'static str {
    s.code()
}

pub fn weight_to_sql(w: Weight) -> &'static str {
    match w {
        Weight::W0 => "0",
        Weight::W03 => "0.3",
        Weight::W12 => "1.2",
    }
}

pub fn edu_to_sql(e: ParentsEducation) -> &'static str {
    match e {
        ParentsEducation::Low => "low",
        ParentsEducation::Middle => "middle",
        ParentsEducation::High => "high",
    }
}

pub fn edu_from_sql(s: &str) -> Option<ParentsEducation> {
    match s {
        "low" => Some(ParentsEducation::Low),
        "middle" => Some(ParentsEducation::Middle),
        "high" => Some(ParentsEducation::High),
        _ => None,
    }
}

pub fn kind_to_sql(k: ScaleKind) -> &'static str {
    match k {
        ScaleKind::Vertical => "vertical",
        ScaleKind::NormReferenced => "norm_referenced",
    }
}

pub fn kind_from_sql(s: &str) -> Result<ScaleKind, StoreError> {
    match s {
        "vertical" => Ok(ScaleKind::Vertical),
        "norm_referenced" => Ok(ScaleKind::NormReferenced),
        _ => Err(StoreError::Corrupt { what: "schaalsoort", value: s.to_owned() }),
    }
}

pub fn informant_from_sql(s: &str) -> Result<Informant, StoreError> {
    Informant::parse(s).map_err(|_| StoreError::Corrupt { what: "informant", value: s.to_owned() })
}

pub fn note_kind_from_sql(s: &str) -> Result<NoteKind, StoreError> {
    NoteKind::parse(s).ok_or_else(|| StoreError::Corrupt { what: "soort notitie", value: s.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_date_matches_the_formatter() {
        for (y, m, d) in [(2021, 1, 27), (1999, 12, 31), (5, 3, 9), (9999, 12, 31), (-1, 1, 1), (2020, 2, 29)]
        {
            let date = Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
            assert_eq!(IsoDate::new(date).as_str(), date_to_sql(date), "{date}");
        }
    }
}
