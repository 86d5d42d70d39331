//! Errors of the analysis. The messages are Dutch: they reach school staff.

use thiserror::Error;

/// Why an analysis could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnalysisError {
    #[error("er zijn geen toetsscores om te analyseren")]
    NoScores,
    #[error("school {0} komt niet voor in de gegevens")]
    SchoolNotFound(String),
    #[error("er is geen toetsmoment na de schoolsluiting van {closure} met gegevens{detail}")]
    NoTargetMoment { closure: String, detail: String },
    #[error("het gekozen toetsmoment {0} ligt vóór de schoolsluiting: kies een moment daarna")]
    TargetBeforeClosure(String),
    #[error("ongeldige instelling: {0}")]
    InvalidConfig(String),
}
