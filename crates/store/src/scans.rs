//! Types of the scan store: one schoolscan per school per school year, step content as JSON with
//! a version per step for optimistic locking.

use schoolscan_domain::{Brin, SchoolYear, StepStatus};
use serde::{Deserialize, Serialize};

/// One step of a stored scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredStep {
    /// 1..=8.
    pub step: u8,
    pub status: StepStatus,
    pub content: serde_json::Value,
    /// Incremented at every save; a save must name the version it started from.
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

/// A stored scan with all 8 steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredScan {
    pub school: Brin,
    pub school_name: String,
    pub year: SchoolYear,
    pub steps: Vec<StoredStep>,
}

/// A scan in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub school: Brin,
    pub school_name: String,
    pub year: SchoolYear,
    pub status: Vec<StepStatus>,
}

/// A save of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSave<'a> {
    pub school: &'a Brin,
    pub year: SchoolYear,
    pub step: u8,
    pub status: StepStatus,
    pub content: &'a serde_json::Value,
    /// The version the user started editing from.
    pub expected_version: i64,
    pub user: &'a str,
}
