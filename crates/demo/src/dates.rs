//! Date helpers: school days, ISO weeks, the start and end of a school year.

use time::{Date, Duration, Month, Weekday};

/// Monday of ISO week `week` of `year` (week clamped to 1..=52).
pub(crate) fn monday_of_week(year: i32, week: u8) -> Date {
    Date::from_iso_week_date(year, week.clamp(1, 52), Weekday::Monday)
        .unwrap_or_else(|_| ymd(year, Month::January, 1))
}

/// A calendar date; invalid input falls back to the first of the month (callers pass constants).
pub(crate) fn ymd(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day)
        .or_else(|_| Date::from_calendar_date(year, month, 1))
        .unwrap_or(Date::MIN)
}

/// The first school day of school year `y` (starting in August/September of `y`): Monday of ISO
/// week 35 or 36 (`late` = regions that start a week later).
pub(crate) fn first_school_day(y: i32, late: bool) -> Date {
    monday_of_week(y, if late { 36 } else { 35 })
}

/// The last school day of school year `y`: Friday of ISO week 28 of `y + 1` (mid-July).
pub(crate) fn last_school_day(y: i32) -> Date {
    monday_of_week(y + 1, 28) + Duration::days(4)
}

/// The date itself on a weekday, else the next Monday.
pub(crate) fn weekday_on_or_after(d: Date) -> Date {
    match d.weekday() {
        Weekday::Saturday => d + Duration::days(2),
        Weekday::Sunday => d + Duration::days(1),
        _ => d,
    }
}

/// The date itself on a weekday, else the Friday before.
pub(crate) fn weekday_on_or_before(d: Date) -> Date {
    match d.weekday() {
        Weekday::Saturday => d - Duration::days(1),
        Weekday::Sunday => d - Duration::days(2),
        _ => d,
    }
}

/// `n` school days (Monday–Friday) after `d`; `d` is first moved to a weekday.
pub(crate) fn add_school_days(d: Date, n: i64) -> Date {
    let mut x = weekday_on_or_after(d);
    for _ in 0..n {
        x = weekday_on_or_after(x + Duration::days(1));
    }
    x
}

/// The date `years` years after `d` (29 February becomes 1 March).
pub(crate) fn add_years(d: Date, years: i32) -> Date {
    d.replace_year(d.year() + years).unwrap_or_else(|_| ymd(d.year() + years, Month::March, 1))
}

/// The day `days` days after `d`.
pub(crate) fn plus_days(d: Date, days: i64) -> Date {
    d + Duration::days(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn school_days_skip_weekends() {
        // Friday 5 March 2021 + 1 school day = Monday 8 March.
        assert_eq!(add_school_days(date!(2021 - 03 - 05), 1), date!(2021 - 03 - 08));
        assert_eq!(add_school_days(date!(2021 - 03 - 06), 0), date!(2021 - 03 - 08));
        assert_eq!(monday_of_week(2021, 9), date!(2021 - 03 - 01));
        assert_eq!(last_school_day(2020).weekday(), Weekday::Friday);
        assert_eq!(add_years(date!(2016 - 02 - 29), 4), date!(2020 - 02 - 29));
        assert_eq!(add_years(date!(2016 - 02 - 29), 1), date!(2017 - 03 - 01));
    }
}
