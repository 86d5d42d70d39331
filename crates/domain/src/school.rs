//! Board, school, group and the yearly enrolment of a pupil in a group.

use serde::{Deserialize, Serialize};

use crate::{Brin, Grade, GroupName, PupilNumber, SchoolYear};

/// A schoolbestuur (school board): the tenant. Every school belongs to exactly one board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// Short stable key, e.g. `demo` or the board's bestuursnummer.
    pub key: String,
    pub name: String,
}

/// A school, identified by its BRIN code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub brin: Brin,
    pub name: String,
    pub board: String,
}

/// A class group in one school year (`5A`, `5/6`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Group {
    pub school: Brin,
    pub year: SchoolYear,
    pub name: GroupName,
}

/// A pupil's place in a school year: which group and which jaargroep. A pupil who repeats a year
/// has the same grade in two consecutive years; a combination group holds pupils of two grades.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub school: Brin,
    pub pupil: PupilNumber,
    pub year: SchoolYear,
    pub group: GroupName,
    pub grade: Grade,
}
