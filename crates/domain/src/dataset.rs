//! A dataset: the records of a school or board for one job (analysis, export, demo), as plain
//! values. The store loads one through a scope; the demo generator and the importer produce them.

use serde::{Deserialize, Serialize};

use crate::{Board, Enrolment, Note, Observation, Pupil, School, Score, Test};

/// Everything one analysis or export needs, already restricted to what the caller may see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub boards: Vec<Board>,
    pub schools: Vec<School>,
    pub pupils: Vec<Pupil>,
    pub enrolments: Vec<Enrolment>,
    pub tests: Vec<Test>,
    pub scores: Vec<Score>,
    pub observations: Vec<Observation>,
    pub notes: Vec<Note>,
}

/// Record counts, as `schoolscan status` prints them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub boards: u64,
    pub schools: u64,
    pub groups: u64,
    pub pupils: u64,
    pub scores: u64,
    pub observations: u64,
    pub notes: u64,
}

impl Dataset {
    /// Counts of the records in this dataset (groups = distinct school × year × group name).
    pub fn counts(&self) -> Counts {
        let groups: std::collections::HashSet<_> =
            self.enrolments.iter().map(|e| (&e.school, e.year, &e.group)).collect();
        let n = |x: usize| u64::try_from(x).unwrap_or(u64::MAX);
        Counts {
            boards: n(self.boards.len()),
            schools: n(self.schools.len()),
            groups: n(groups.len()),
            pupils: n(self.pupils.len()),
            scores: n(self.scores.len()),
            observations: n(self.observations.len()),
            notes: n(self.notes.len()),
        }
    }
}
