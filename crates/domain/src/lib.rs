//! Schoolscan's domain model: the plain types every other crate speaks, and the one school calendar.
//!
//! Nothing in this crate does I/O. Values that have rules (a BRIN code, a school year, a jaargroep,
//! a test moment) are newtypes that cannot hold an invalid value: parse, don't validate.
//!
//! Module map:
//! - [`calendar`]: school years, school months between dates, didactic age (DL).
//! - [`ids`]: identifiers and small validated values (BRIN, pupil number, group name, jaargroep).
//! - [`school`]: board, school, group, enrolment.
//! - [`pupil`]: pupils and their background.
//! - [`test`]: subjects, scales, tests, test moments and scores.
//! - [`seo`]: social-emotional observations and notes (conversations, observations).
//! - [`dataset`]: a school's or board's records as plain values.
//! - [`scan`]: the schoolscan with a place for each of the 8 steps.

pub mod calendar;
pub mod dataset;
pub mod error;
pub mod ids;
pub mod pupil;
pub mod scan;
pub mod school;
pub mod seo;
pub mod test;

pub use calendar::SchoolYear;
pub use dataset::{Counts, Dataset};
pub use error::DomainError;
pub use ids::{Brin, Grade, GroupName, PupilNumber};
pub use pupil::{ParentsEducation, Pupil, Sex, Weight};
pub use scan::{Scan, Step, StepStatus};
pub use school::{Board, Enrolment, Group, School};
pub use seo::{Informant, Note, NoteKind, Observation, Rating};
pub use test::{Moment, MomentKind, Scale, ScaleKind, Score, Subject, Test};

/// Re-exported so that callers use the same date type as the domain.
pub use time::Date;
