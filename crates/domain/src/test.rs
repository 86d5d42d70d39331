//! Subjects, scales, tests, test moments and scores.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{Brin, DomainError, Grade, PupilNumber};

/// A subject id such as `rekenen_wiskunde`: lower case ASCII, digits and underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

impl Subject {
    pub const REKENEN_WISKUNDE: &'static str = "rekenen_wiskunde";
    pub const BEGRIJPEND_LEZEN: &'static str = "begrijpend_lezen";
    pub const SPELLING: &'static str = "spelling";
    pub const TECHNISCH_LEZEN: &'static str = "technisch_lezen";
    pub const WOORDENSCHAT: &'static str = "woordenschat";

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= 48
            && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok { Ok(Self(t.to_owned())) } else { Err(DomainError::Subject(s.to_owned())) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The Dutch name for screens: `rekenen-wiskunde`, `begrijpend lezen`.
    pub fn label(&self) -> String {
        match self.0.as_str() {
            "rekenen_wiskunde" => "rekenen-wiskunde".to_owned(),
            other => other.replace('_', " "),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl From<Subject> for String {
    fn from(s: Subject) -> String {
        s.0
    }
}
impl TryFrom<String> for Subject {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// How a scale behaves through the grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// Grows through the grades (Cito vaardigheidsscore): growth can be expressed in school months.
    Vertical,
    /// Normed per grade or moment (DIA domain scores, standard scores, percentiles): school months
    /// mean nothing; report effect sizes and percentile shifts.
    NormReferenced,
}

/// One vendor scale. Scores are compared only within one scale code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Stable code, e.g. `cito_rw_3` or `dia_60`.
    pub code: String,
    pub kind: ScaleKind,
    /// The lowest and highest value a score on this scale can have; import rejects the rest.
    pub min: f64,
    pub max: f64,
}

/// A test as the school's LVS names it, resolved to subject, vendor and scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Test {
    /// Stable key: vendor, name and version, e.g. `cito:rekenen-wiskunde:3.0`.
    pub key: String,
    pub vendor: String,
    pub name: String,
    pub version: Option<String>,
    pub subject: Subject,
    pub scale: Scale,
}

impl Test {
    /// The key for a vendor, test name and version: lower case, spaces as `-`.
    pub fn make_key(vendor: &str, name: &str, version: Option<&str>) -> String {
        let norm = |s: &str| s.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
        match version {
            Some(v) if !v.trim().is_empty() => format!("{}:{}:{}", norm(vendor), norm(name), norm(v)),
            _ => format!("{}:{}", norm(vendor), norm(name)),
        }
    }
}

/// Begin, midden or eind (of the school year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MomentKind {
    B,
    M,
    E,
}

impl MomentKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "B" | "BEGIN" => Some(Self::B),
            "M" | "MIDDEN" => Some(Self::M),
            "E" | "EIND" => Some(Self::E),
            _ => None,
        }
    }
    pub fn letter(self) -> char {
        match self {
            Self::B => 'B',
            Self::M => 'M',
            Self::E => 'E',
        }
    }
    /// Nominal position within the school year in school months (B: September, M: 1 February,
    /// E: end of June).
    pub fn nominal_month(self) -> f64 {
        match self {
            Self::B => 0.5,
            Self::M => 5.0,
            Self::E => 10.0,
        }
    }
}

/// A test moment: `M5` is the middle of groep 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Moment {
    pub kind: MomentKind,
    pub grade: Grade,
}

impl Moment {
    pub fn new(kind: MomentKind, grade: Grade) -> Self {
        Self { kind, grade }
    }
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let err = || DomainError::Moment(s.to_owned());
        let mut chars = t.chars();
        let k = chars.next().ok_or_else(err)?;
        let kind = MomentKind::parse(&k.to_string()).ok_or_else(err)?;
        let rest: String = chars.collect();
        let g: u8 = rest.parse().map_err(|_| err())?;
        Ok(Self { kind, grade: Grade::new(g).map_err(|_| err())? })
    }
    /// Nominal didactic position in school months since the start of groep 1, used to order
    /// moments: M3 < E3 < M4 < ... < E7 < B8 < M8.
    pub fn ordinal(self) -> f64 {
        10.0 * f64::from(self.grade.get() - 1) + self.kind.nominal_month()
    }
}

impl PartialOrd for Moment {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Moment {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.grade, self.kind).cmp(&(other.grade, other.kind))
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.kind.letter(), self.grade)
    }
}
impl FromStr for Moment {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
impl From<Moment> for String {
    fn from(m: Moment) -> String {
        m.to_string()
    }
}
impl TryFrom<String> for Moment {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// One test result of one pupil. At least one of the score fields is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub school: Brin,
    pub pupil: PupilNumber,
    /// Key of the test: vendor, name and version as resolved by the test catalogue.
    pub test_key: String,
    /// Subject component (`onderdeel`, e.g. `getallen`); `None` = the whole test.
    pub component: Option<String>,
    pub date: Date,
    pub moment: Option<Moment>,
    /// Vaardigheidsscore (or the scale's score).
    pub ability: Option<f64>,
    /// Conditional standard error of measurement, when the export has it.
    pub csem: Option<f64>,
    pub raw: Option<f64>,
    pub level: Option<String>,
    pub percentile: Option<f64>,
    pub dle: Option<f64>,
    pub reference_level: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments() {
        let m = Moment::parse("M5").unwrap();
        assert_eq!(m.to_string(), "M5");
        assert!(Moment::parse("E4").unwrap() < m);
        assert!(Moment::parse("E7").unwrap() < Moment::parse("B8").unwrap());
        assert!(Moment::parse("B8").unwrap() < Moment::parse("M8").unwrap());
        assert!(Moment::parse("X5").is_err());
        assert!(Moment::parse("M9").is_err());
        assert_eq!(Moment::parse(" e 6 ").unwrap().to_string(), "E6");
    }

    #[test]
    fn subjects() {
        assert_eq!(Subject::parse("rekenen_wiskunde").unwrap().label(), "rekenen-wiskunde");
        assert!(Subject::parse("Rekenen").is_err());
    }
}
