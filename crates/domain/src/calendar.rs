//! The one school calendar: school years, school months and didactic age.
//!
//! A school year runs from 1 August to 31 July and is named after both calendar years
//! (`2020-2021`). There are 10 school months per year, September to June; July and August add
//! none. Holidays inside the school year are not subtracted: they cancel between the baseline and
//! the current years, which are treated alike. The closure periods count as school months: they are
//! the exposure being measured. See `growth-method.md` §1.
//!
//! Position within a school year, for a date with month M and day D (days(M) = days in that month):
//!
//! ```text
//! w(d) = (M - 9) + (D - 1)/days(M)   if M in 9..=12
//!        (M + 3) + (D - 1)/days(M)   if M in 1..=6
//!        10                          if M = 7      (end of the school year)
//!        0                           if M = 8      (start of the next school year)
//! m(d) = 10 * s(d) + w(d)            s(d) = the calendar year in which the school year starts
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::{DomainError, Grade};

/// A school year, named by the calendar year in which it starts: `SchoolYear::new(2020)` is
/// `2020-2021`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SchoolYear(i32);

impl SchoolYear {
    pub fn new(start: i32) -> Self {
        Self(start)
    }
    /// The school year that contains `date` (1 August starts a new one).
    pub fn of(date: Date) -> Self {
        let y = date.year();
        if u8::from(date.month()) >= 8 { Self(y) } else { Self(y - 1) }
    }
    pub fn start_year(self) -> i32 {
        self.0
    }
    pub fn end_year(self) -> i32 {
        self.0 + 1
    }
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
    pub fn prev(self) -> Self {
        Self(self.0 - 1)
    }
    /// 1 August of the start year.
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.0, Month::August, 1).unwrap_or(Date::MIN)
    }
    /// 31 July of the end year.
    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.0 + 1, Month::July, 31).unwrap_or(Date::MAX)
    }
    pub fn contains(self, date: Date) -> bool {
        Self::of(date) == self
    }
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let err = || DomainError::SchoolYear(s.to_owned());
        let (a, b) = t.split_once(['-', '/', '_']).ok_or_else(err)?;
        let a: i32 = a.trim().parse().map_err(|_| err())?;
        let b: i32 = b.trim().parse().map_err(|_| err())?;
        // Accept `2020-2021` and the short `2020-21`.
        let b_full = if b < 100 { a - a % 100 + b } else { b };
        if !(1950..=2200).contains(&a) || b_full != a + 1 {
            return Err(err());
        }
        Ok(Self(a))
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.0 + 1)
    }
}
impl FromStr for SchoolYear {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
impl From<SchoolYear> for String {
    fn from(y: SchoolYear) -> String {
        y.to_string()
    }
}
impl TryFrom<String> for SchoolYear {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// School months elapsed in the school year of `date` at that date, 0.0 ..= 10.0 (`w(d)`).
pub fn month_in_school_year(date: Date) -> f64 {
    let m = u8::from(date.month());
    let days = f64::from(date.month().length(date.year()));
    let frac = f64::from(date.day() - 1) / days;
    match m {
        9..=12 => f64::from(m - 9) + frac,
        1..=6 => f64::from(m + 3) + frac,
        7 => 10.0,
        _ => 0.0, // August
    }
}

/// School months since an arbitrary origin (`m(d)`): differences between two dates are the school
/// months elapsed between them.
pub fn school_month_index(date: Date) -> f64 {
    10.0 * f64::from(SchoolYear::of(date).start_year()) + month_in_school_year(date)
}

/// School months elapsed from `from` to `to` (negative when `to` is earlier).
pub fn school_months_between(from: Date, to: Date) -> f64 {
    school_month_index(to) - school_month_index(from)
}

/// Didactic age (DL): months of education since the start of groep 3, 10 per school year,
/// 0 ..= 60. `None` before groep 3 (kleuters have no DL).
pub fn didactic_age(grade: Grade, date: Date) -> Option<f64> {
    let g = grade.get();
    if g < 3 {
        return None;
    }
    Some((10.0 * f64::from(g - 3) + month_in_school_year(date)).clamp(0.0, 60.0))
}

/// The dates of the Dutch primary-school closures during corona.
pub mod closures {
    use time::{Date, macros::date};

    /// First closure: 16 March 2020 to 11 May 2020 (schools reopened part-time on 11 May).
    pub const FIRST: (Date, Date) = (date!(2020 - 03 - 16), date!(2020 - 05 - 11));
    /// Second closure: 16 December 2020 to 8 February 2021.
    pub const SECOND: (Date, Date) = (date!(2020 - 12 - 16), date!(2021 - 02 - 08));
    /// Both closures, in order.
    pub const ALL: [(Date, Date); 2] = [FIRST, SECOND];

    /// Days of closure that fall between `from` (inclusive) and `to` (exclusive).
    pub fn closed_days_between(from: Date, to: Date) -> i64 {
        ALL.iter()
            .map(|&(a, b)| {
                let s = if from > a { from } else { a };
                let e = if to < b { to } else { b };
                (e - s).whole_days().max(0)
            })
            .sum()
    }

    /// School months of closure between two dates (by the school-month clock).
    pub fn closed_school_months_between(from: Date, to: Date) -> f64 {
        ALL.iter()
            .map(|&(a, b)| {
                let s = if from > a { from } else { a };
                let e = if to < b { to } else { b };
                if e > s { super::school_months_between(s, e) } else { 0.0 }
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn school_year_of_dates() {
        assert_eq!(SchoolYear::of(date!(2020 - 07 - 31)).to_string(), "2019-2020");
        assert_eq!(SchoolYear::of(date!(2020 - 08 - 01)).to_string(), "2020-2021");
        assert_eq!(SchoolYear::of(date!(2021 - 03 - 15)).to_string(), "2020-2021");
        assert_eq!("2020-21".parse::<SchoolYear>().unwrap(), SchoolYear::new(2020));
        assert!("2020-2022".parse::<SchoolYear>().is_err());
    }

    #[test]
    fn worked_example_from_growth_method() {
        // 27 January 2020 -> w = 4 + 26/31; 15 March 2021 -> w = 6 + 14/31; 11.61 months.
        assert!(close(month_in_school_year(date!(2020 - 01 - 27)), 4.0 + 26.0 / 31.0, 1e-12));
        assert!(close(month_in_school_year(date!(2021 - 03 - 15)), 6.0 + 14.0 / 31.0, 1e-12));
        let dm = school_months_between(date!(2020 - 01 - 27), date!(2021 - 03 - 15));
        assert!(close(dm, 11.613, 0.001), "{dm}");
    }

    #[test]
    fn a_calendar_year_is_ten_school_months() {
        assert!(close(school_months_between(date!(2020 - 02 - 01), date!(2021 - 02 - 01)), 10.0, 1e-12));
        // Over the summer nothing accrues.
        assert!(close(school_months_between(date!(2020 - 07 - 01), date!(2020 - 08 - 31)), 0.0, 1e-12));
        // The 2021 M-test taken in March instead of January: 1.6 extra school months after a
        // regular January test in 2020 (hand computed: 27-01-2020 w=4.839, 15-03-2021 w=6.452).
        let regular = school_months_between(date!(2020 - 01 - 27), date!(2021 - 01 - 27));
        let late = school_months_between(date!(2020 - 01 - 27), date!(2021 - 03 - 15));
        assert!(close(regular, 10.0, 1e-12));
        assert!(close(late - regular, 1.613, 0.001));
        // June to next January: June 15 -> w = 9 + 14/30 = 9.467; January 15 -> 4 + 14/31 = 4.452.
        let dm = school_months_between(date!(2019 - 06 - 15), date!(2020 - 01 - 15));
        assert!(close(dm, 10.0 - 9.4667 + 4.4516, 0.001), "{dm}");
    }

    #[test]
    fn didactic_age_examples() {
        // DL in February of groep 7 is 45 (source example), end of groep 3 is 10.
        let g7 = Grade::new(7).unwrap();
        assert!(close(didactic_age(g7, date!(2021 - 02 - 01)).unwrap(), 45.0, 1e-12));
        assert!(close(didactic_age(Grade::new(3).unwrap(), date!(2021 - 07 - 01)).unwrap(), 10.0, 1e-12));
        assert_eq!(didactic_age(Grade::new(2).unwrap(), date!(2021 - 02 - 01)), None);
    }

    #[test]
    fn closure_exposure() {
        let d = closures::closed_days_between(date!(2020 - 01 - 27), date!(2021 - 03 - 15));
        assert_eq!(d, 56 + 54);
        let m = closures::closed_school_months_between(date!(2020 - 01 - 27), date!(2021 - 03 - 15));
        // 16-03 -> 11-05-2020: (8 + 10/31) - (6 + 15/31) = 1.8387; 16-12-2020 -> 08-02-2021:
        // (5 + 7/28) - (3 + 15/31) = 1.7661
        assert!(close(m, 1.8387 + 1.7661, 0.001), "{m}");
    }

    proptest::proptest! {
        #[test]
        fn months_are_monotone_and_additive(a in 0i32..5000, b in 0i32..5000, c in 0i32..5000) {
            let base = date!(2015 - 01 - 01);
            let mut v = [a, b, c];
            v.sort();
            let d = v.map(|x| base + time::Duration::days(i64::from(x)));
            let ab = school_months_between(d[0], d[1]);
            let bc = school_months_between(d[1], d[2]);
            let ac = school_months_between(d[0], d[2]);
            proptest::prop_assert!(ab >= -1e-12 && bc >= -1e-12);
            proptest::prop_assert!((ab + bc - ac).abs() < 1e-9);
            // Never more than 10 school months per 365 days, plus one month of slack at the ends.
            proptest::prop_assert!(ac <= 10.0 * (f64::from(v[2] - v[0]) / 365.0) + 10.0 / 12.0 * 3.0);
        }
    }
}
