//! The schoolscan: one per school per school year, with a place for each of the 8 steps of the
//! stappenplan. The content of each step is owned by the `scan` crate; here is the skeleton every
//! layer shares.

use serde::{Deserialize, Serialize};

use crate::{Brin, SchoolYear};

/// The 8 steps in 3 phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Domains,
    Inventory,
    Collect,
    Analyse,
    Conclude,
    Share,
    Capacity,
    Programme,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Self::Domains,
        Self::Inventory,
        Self::Collect,
        Self::Analyse,
        Self::Conclude,
        Self::Share,
        Self::Capacity,
        Self::Programme,
    ];
    /// 1-based step number.
    pub fn number(self) -> u8 {
        match self {
            Self::Domains => 1,
            Self::Inventory => 2,
            Self::Collect => 3,
            Self::Analyse => 4,
            Self::Conclude => 5,
            Self::Share => 6,
            Self::Capacity => 7,
            Self::Programme => 8,
        }
    }
    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.number() == n)
    }
    /// The phase (1–3) the step belongs to.
    pub fn phase(self) -> u8 {
        match self.number() {
            1..=5 => 1,
            6 | 7 => 2,
            _ => 3,
        }
    }
    /// Dutch title as in the stappenplan.
    pub fn title(self) -> &'static str {
        match self {
            Self::Domains => "Ontwikkelingsdomeinen concretiseren",
            Self::Inventory => "Beschikbare gegevens inventariseren",
            Self::Collect => "Ontbrekende gegevens verzamelen",
            Self::Analyse => "Analyseren",
            Self::Conclude => "Verklaren, consequenties inschatten en conclusies trekken",
            Self::Share => "Conclusies bespreken en delen",
            Self::Capacity => "Behoeften en mogelijkheden in kaart brengen",
            Self::Programme => "Keuzes maken uit de menukaart en het schoolprogramma opstellen",
        }
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

impl StepStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "nog niet begonnen",
            Self::InProgress => "bezig",
            Self::Done => "afgerond",
        }
    }
}

/// A schoolscan of one school in one school year. Each step keeps its own content as a JSON
/// document owned by the `scan` crate; `version` supports optimistic locking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scan {
    pub school: Brin,
    pub year: SchoolYear,
    pub status: [StepStatus; 8],
    pub version: i64,
}

impl Scan {
    pub fn new(school: Brin, year: SchoolYear) -> Self {
        Self { school, year, status: [StepStatus::NotStarted; 8], version: 0 }
    }
    pub fn status_of(&self, step: Step) -> StepStatus {
        self.status[usize::from(step.number() - 1)]
    }
}
