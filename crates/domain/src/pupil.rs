//! Pupils and their background.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{Brin, DomainError, PupilNumber};

/// Sex as recorded by the school (`M`, `V`, `X`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    Other,
}

impl Sex {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim().to_lowercase().as_str() {
            "m" | "man" | "jongen" | "mannelijk" | "male" => Ok(Sex::Male),
            "v" | "vrouw" | "meisje" | "vrouwelijk" | "f" | "female" => Ok(Sex::Female),
            "x" | "o" | "anders" | "onbekend" | "other" => Ok(Sex::Other),
            _ => Err(DomainError::Sex(s.to_owned())),
        }
    }
    /// The Dutch code: M, V or X.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "V",
            Sex::Other => "X",
        }
    }
}

/// The (former) leerlinggewicht of the funding rules: 0, 0.3 or 1.2. Higher means parents with
/// less formal education.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Weight {
    #[serde(rename = "0")]
    W0,
    #[serde(rename = "0.3")]
    W03,
    #[serde(rename = "1.2")]
    W12,
}

impl Weight {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim().replace(',', ".").as_str() {
            "0" | "0.0" | "0.00" => Ok(Weight::W0),
            "0.3" | "0.30" | ".3" => Ok(Weight::W03),
            "1.2" | "1.20" => Ok(Weight::W12),
            _ => Err(DomainError::Weight(s.to_owned())),
        }
    }
    pub fn as_f64(self) -> f64 {
        match self {
            Weight::W0 => 0.0,
            Weight::W03 => 0.3,
            Weight::W12 => 1.2,
        }
    }
    /// Dutch label for screens and reports.
    pub fn label(self) -> &'static str {
        match self {
            Weight::W0 => "gewicht 0",
            Weight::W03 => "gewicht 0,3",
            Weight::W12 => "gewicht 1,2",
        }
    }
}

/// Highest education of the parents, in three bands (as CBS and NCO use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParentsEducation {
    Low,
    Middle,
    High,
}

impl ParentsEducation {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "laag" | "low" | "l" | "1" => Some(Self::Low),
            "midden" | "middel" | "middle" | "m" | "2" => Some(Self::Middle),
            "hoog" | "high" | "h" | "3" => Some(Self::High),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "laag opgeleide ouders",
            Self::Middle => "middelbaar opgeleide ouders",
            Self::High => "hoog opgeleide ouders",
        }
    }
}

/// A pupil of one school. The key is the school's pupil number; names are optional (analysis
/// never needs them, and a school may choose not to import them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pupil {
    pub school: Brin,
    pub number: PupilNumber,
    pub eck_id: Option<String>,
    pub first_name: Option<String>,
    /// Tussenvoegsel: `van der`, `'t`, `de`.
    pub prefix: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    pub weight: Option<Weight>,
    pub parents_education: Option<ParentsEducation>,
    /// Has an ontwikkelingsperspectiefplan (special category data).
    pub opp: bool,
    /// Free risk flags (`kwetsbaar`, `langdurig afwezig`, `noodopvang`, ...).
    pub risk_flags: Vec<String>,
    pub arrived: Option<Date>,
    pub left: Option<Date>,
}

impl Pupil {
    /// A pupil with only a number; everything else unknown.
    pub fn new(school: Brin, number: PupilNumber) -> Self {
        Self {
            school,
            number,
            eck_id: None,
            first_name: None,
            prefix: None,
            last_name: None,
            birth_date: None,
            sex: None,
            weight: None,
            parents_education: None,
            opp: false,
            risk_flags: Vec::new(),
            arrived: None,
            left: None,
        }
    }

    /// The name as it is written in Dutch: roepnaam, tussenvoegsel, achternaam
    /// (`Daniëlle van 't Hof`). Falls back to the pupil number.
    pub fn display_name(&self) -> String {
        let parts: Vec<&str> = [&self.first_name, &self.prefix, &self.last_name]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() { format!("leerling {}", self.number) } else { parts.join(" ") }
    }

    /// The name for sorted lists: achternaam, roepnaam tussenvoegsel (`Hof, Daniëlle van 't`).
    pub fn sort_name(&self) -> String {
        match (&self.last_name, &self.first_name) {
            (Some(l), first) => {
                let mut s = l.trim().to_owned();
                let rest: Vec<&str> =
                    [first.as_deref(), self.prefix.as_deref()].into_iter().flatten().collect();
                if !rest.is_empty() {
                    s.push_str(", ");
                    s.push_str(&rest.join(" "));
                }
                s
            }
            _ => self.display_name(),
        }
    }

    /// Was the pupil at the school on `date`?
    pub fn present_on(&self, date: Date) -> bool {
        self.arrived.is_none_or(|a| a <= date) && self.left.is_none_or(|l| date <= l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_names() {
        let mut p = Pupil::new(Brin::parse("12AB").unwrap(), PupilNumber::parse("7").unwrap());
        assert_eq!(p.display_name(), "leerling 7");
        p.first_name = Some("Daniëlle".into());
        p.prefix = Some("van 't".into());
        p.last_name = Some("Hof".into());
        assert_eq!(p.display_name(), "Daniëlle van 't Hof");
        assert_eq!(p.sort_name(), "Hof, Daniëlle van 't");
    }

    #[test]
    fn weights_and_sex() {
        assert_eq!(Weight::parse("0,3").unwrap(), Weight::W03);
        assert_eq!(Weight::parse("1.2").unwrap(), Weight::W12);
        assert!(Weight::parse("2").is_err());
        assert_eq!(Sex::parse("v").unwrap(), Sex::Female);
        assert_eq!(Sex::Female.code(), "V");
    }
}
