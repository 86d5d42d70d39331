//! Social-emotional observations (instrument scores) and notes (conversations, observations).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{Brin, DomainError, PupilNumber};

/// Who gave the judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Informant {
    Leerkracht,
    Leerling,
    Ouder,
    Professional,
}

impl Informant {
    pub const ALL: [Informant; 4] = [Self::Leerkracht, Self::Leerling, Self::Ouder, Self::Professional];

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim().to_lowercase().as_str() {
            "leerkracht" | "leraar" | "docent" | "lk" | "teacher" => Ok(Self::Leerkracht),
            "leerling" | "ll" | "kind" | "pupil" | "zelf" => Ok(Self::Leerling),
            "ouder" | "ouders" | "parent" | "verzorger" => Ok(Self::Ouder),
            "professional" | "zorgprofessional" | "deskundige" => Ok(Self::Professional),
            _ => Err(DomainError::Informant(s.to_owned())),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leerkracht => "leerkracht",
            Self::Leerling => "leerling",
            Self::Ouder => "ouder",
            Self::Professional => "professional",
        }
    }
}

/// One score of one pupil on one dimension of a social-emotional instrument (ZIEN!, SCOL, ...).
/// Dimensions are never merged across instruments by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub school: Brin,
    pub pupil: PupilNumber,
    /// Instrument id: `zien`, `kindbegrip`, `scol`, `kanvas`, ...
    pub instrument: String,
    pub dimension: String,
    pub informant: Informant,
    pub date: Date,
    pub value: f64,
    /// The instrument's own signal (e.g. `signaal`, `aandacht`), if exported.
    pub signal: Option<String>,
}

/// The kind of a qualitative record (stappenplan steps 2–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    GesprekLeerling,
    GesprekOuder,
    Observatie,
    Leerlingbespreking,
    OppEvaluatie,
    Diagnostiek,
}

impl NoteKind {
    pub const ALL: [NoteKind; 6] = [
        Self::GesprekLeerling,
        Self::GesprekOuder,
        Self::Observatie,
        Self::Leerlingbespreking,
        Self::OppEvaluatie,
        Self::Diagnostiek,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GesprekLeerling => "gesprek_leerling",
            Self::GesprekOuder => "gesprek_ouder",
            Self::Observatie => "observatie",
            Self::Leerlingbespreking => "leerlingbespreking",
            Self::OppEvaluatie => "opp_evaluatie",
            Self::Diagnostiek => "diagnostiek",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::GesprekLeerling => "gesprek met leerling",
            Self::GesprekOuder => "gesprek met ouders",
            Self::Observatie => "observatie",
            Self::Leerlingbespreking => "leerlingbespreking",
            Self::OppEvaluatie => "OPP-evaluatie",
            Self::Diagnostiek => "diagnostiek",
        }
    }
    /// Care-team, OPP and diagnostic records are special-category data (AVG art. 9).
    pub fn is_special_category(self) -> bool {
        matches!(self, Self::Leerlingbespreking | Self::OppEvaluatie | Self::Diagnostiek)
    }
}

/// A rating of one domain in a note, on the default three-point scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Zorg,
    Neutraal,
    Kracht,
}

/// A conversation or observation about a pupil, tagged with the domains it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub school: Brin,
    pub pupil: PupilNumber,
    pub kind: NoteKind,
    pub informant: Informant,
    pub date: Date,
    /// Who wrote it (a user name or staff id).
    pub author: String,
    /// Domain ids from the step-1 catalogue (`welbevinden`, `begrijpend_lezen`, ...).
    pub domains: Vec<String>,
    /// A rating per domain, in the order of `domains` where given.
    pub ratings: Vec<(String, Rating)>,
    /// Free text: sensitive, never logged.
    pub text: Option<String>,
}
