//! Identifiers and small validated values.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A school's BRIN code (four characters: two digits, two letters, e.g. `12AB`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Brin(String);

impl Brin {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        let ok = b.len() == 4
            && b[0].is_ascii_digit()
            && b[1].is_ascii_digit()
            && b[2].is_ascii_alphabetic()
            && b[3].is_ascii_alphabetic();
        if ok { Ok(Self(t)) } else { Err(DomainError::Brin(s.to_owned())) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The school's own pupil number (LAS key). Kept as text: leading zeros matter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PupilNumber(String);

impl PupilNumber {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() || t.chars().count() > 64 || t.chars().any(char::is_control) {
            return Err(DomainError::PupilNumber(s.to_owned()));
        }
        Ok(Self(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A jaargroep (grade), 1 to 8. Groep 1–2 are the kleuters, groep 3 starts formal reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Grade(u8);

impl Grade {
    pub const ALL: [Grade; 8] =
        [Grade(1), Grade(2), Grade(3), Grade(4), Grade(5), Grade(6), Grade(7), Grade(8)];

    pub fn new(g: u8) -> Result<Self, DomainError> {
        if (1..=8).contains(&g) { Ok(Self(g)) } else { Err(DomainError::Grade(g.to_string())) }
    }
    pub fn get(self) -> u8 {
        self.0
    }
    /// The next grade, or `None` after groep 8.
    pub fn next(self) -> Option<Grade> {
        Grade::new(self.0 + 1).ok()
    }
}

impl FromStr for Grade {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t.strip_prefix("groep").or_else(|| t.strip_prefix("Groep")).unwrap_or(t).trim();
        t.parse::<u8>().ok().and_then(|g| Grade::new(g).ok()).ok_or_else(|| DomainError::Grade(s.to_owned()))
    }
}

/// A class group as the school names it: `5A`, `5`, `5/6`, `5-6B`.
///
/// The grades it contains are the digits 1–8 it names (a combination group holds two or more).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let t = t.strip_prefix("groep ").or_else(|| t.strip_prefix("Groep ")).unwrap_or(t).trim();
        if t.is_empty() || t.chars().count() > 16 || !t.chars().any(|c| c.is_ascii_digit()) {
            return Err(DomainError::GroupName(s.to_owned()));
        }
        let g = Self(t.to_owned());
        if g.grades().is_empty() {
            return Err(DomainError::GroupName(s.to_owned()));
        }
        Ok(g)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The jaargroepen in this group, ascending: `5/6` gives 5 and 6, `1-2` gives 1 and 2.
    pub fn grades(&self) -> Vec<Grade> {
        let mut out: Vec<Grade> = self
            .0
            .chars()
            .filter_map(|c| c.to_digit(10))
            .filter_map(|d| u8::try_from(d).ok())
            .filter_map(|d| Grade::new(d).ok())
            .collect();
        out.sort();
        out.dedup();
        out
    }
    /// True for a combination group such as `5/6`.
    pub fn is_combination(&self) -> bool {
        self.grades().len() > 1
    }
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl TryFrom<String> for $t {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$t>::parse(&s)
            }
        }
        impl FromStr for $t {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::parse(s)
            }
        }
    };
}
string_newtype_impls!(Brin);
string_newtype_impls!(PupilNumber);
string_newtype_impls!(GroupName);

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl From<Grade> for u8 {
    fn from(g: Grade) -> u8 {
        g.0
    }
}
impl TryFrom<u8> for Grade {
    type Error = DomainError;
    fn try_from(g: u8) -> Result<Self, Self::Error> {
        Grade::new(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brin_rules() {
        assert_eq!(Brin::parse(" 12ab ").unwrap().as_str(), "12AB");
        assert!(Brin::parse("1234").is_err());
        assert!(Brin::parse("12ABC").is_err());
    }

    #[test]
    fn group_grades() {
        let g = GroupName::parse("5/6").unwrap();
        assert!(g.is_combination());
        assert_eq!(g.grades(), vec![Grade::new(5).unwrap(), Grade::new(6).unwrap()]);
        assert_eq!(GroupName::parse("groep 7B").unwrap().as_str(), "7B");
        assert!(GroupName::parse("B").is_err());
        assert!(GroupName::parse("9A").is_err());
    }

    #[test]
    fn pupil_number_keeps_leading_zeros() {
        assert_eq!(PupilNumber::parse("004512").unwrap().as_str(), "004512");
        assert!(PupilNumber::parse("  ").is_err());
    }

    #[test]
    fn grade_parse() {
        assert_eq!("groep 5".parse::<Grade>().unwrap().get(), 5);
        assert!("0".parse::<Grade>().is_err());
    }
}
