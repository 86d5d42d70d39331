//! Schoolscan's store: one API over the database, so that callers never see SQL.
//!
//! - Every read takes a [`Scope`]: there is no unscoped read outside migrations and admin tools
//!   (which use [`Scope::System`] explicitly).
//! - Every write of a batch is one transaction: it lands whole or not at all.
//! - The embedded backend is SQLite in one file, with WAL, `synchronous=FULL` and foreign keys,
//!   checked at start-up; versioned migrations run on open.
//! - [`Store`] is a trait so that a PostgreSQL backend can be added without touching callers
//!   (the web and CLI hold an `Arc<dyn Store>`).

pub mod access;
mod codec;
pub mod error;
pub mod imports;
pub mod scans;
pub mod scope;
pub mod sqlite;

use schoolscan_domain::{Brin, Counts, Dataset, SchoolYear};
use serde::{Deserialize, Serialize};

pub use access::AccessStore;
pub use error::StoreError;
pub use imports::{
    ImportAudit, ImportKind, ImportLog, ImportLogEntry, ImportPiece, ImportRecord, ImportStore,
};
pub use scans::{ScanSummary, StepSave, StoredScan, StoredStep};
pub use scope::Scope;
pub use sqlite::SqliteStore;

/// A school with its record counts, for overview pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolSummary {
    pub brin: Brin,
    pub name: String,
    pub board: String,
    pub pupils: u64,
    pub scores: u64,
}

/// What a write did, per record kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteCounts {
    /// New records.
    pub imported: u64,
    /// Existing records whose values changed.
    pub updated: u64,
    /// Existing records that were already exactly so.
    pub unchanged: u64,
}

impl WriteCounts {
    pub fn add(&mut self, o: WriteCounts) {
        self.imported += o.imported;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

/// What [`Store::upsert`] did, per record kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteReport {
    pub pupils: WriteCounts,
    pub enrolments: WriteCounts,
    pub tests: WriteCounts,
    pub scores: WriteCounts,
    pub observations: WriteCounts,
    pub notes: WriteCounts,
}

/// How pupil records in an upsert treat fields that the batch leaves empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PupilMerge {
    /// Fill only what the stored pupil lacks (a scores file that names pupils).
    #[default]
    FillMissing,
    /// Overwrite every field the batch sets (a pupils file: it is the source for these fields).
    Overwrite,
}

/// Options for [`Store::upsert`].
#[derive(Debug, Clone, Copy, Default)]
pub struct UpsertOptions {
    pub pupil_merge: PupilMerge,
    /// Run everything, report the counts, then roll back.
    pub dry_run: bool,
}

/// Filter for loading a dataset for analysis.
#[derive(Debug, Clone, Default)]
pub struct DatasetFilter {
    /// Only these schools (within the scope); empty = every school in scope.
    pub schools: Vec<Brin>,
    /// Only records up to and including this school year.
    pub until: Option<SchoolYear>,
    /// Include notes (sensitive text). Analysis does not need them.
    pub with_notes: bool,
}

/// The storage API. Implemented by [`SqliteStore`]; a PostgreSQL backend implements the same.
pub trait Store: Send + Sync {
    /// Record counts within the scope.
    fn counts(&self, scope: &Scope) -> Result<Counts, StoreError>;
    /// The names and BRIN codes of every school in this installation, by name. Public
    /// organisation data (as in DUO's open school register): no counts, no pupil data.
    fn directory(&self) -> Result<Vec<(Brin, String)>, StoreError>;
    /// The schools within the scope with their pupil and score counts, by name.
    fn schools(&self, scope: &Scope) -> Result<Vec<SchoolSummary>, StoreError>;
    /// Load the records within the scope (and filter) as plain values.
    fn load_dataset(&self, scope: &Scope, filter: &DatasetFilter) -> Result<Dataset, StoreError>;
    /// Insert or update the records of `data` by natural key, in one transaction. Boards and
    /// schools in `data` are created when missing. Records already stored exactly so are counted
    /// as unchanged: importing the same data twice changes nothing.
    fn upsert(&self, data: &Dataset, opts: UpsertOptions) -> Result<WriteReport, StoreError>;
    /// Replace the board `data.boards[0]` and everything under it, in one transaction: used by
    /// `schoolscan demo`, so that running it twice gives the same database.
    fn replace_board(&self, data: &Dataset) -> Result<WriteReport, StoreError>;
    /// `{database id}:{counter}`: the counter grows with every write of pupils, enrolments,
    /// tests, scores or observations (imports, the demo, the retention purge), the id is random
    /// per database. A cache of results derived from those data is fresh while it is unchanged.
    fn data_version(&self) -> Result<String, StoreError>;

    /// The scan of `school` in `year` (created empty when missing). `UnknownSchool` when the school
    /// is not in scope.
    fn scan(&self, scope: &Scope, school: &Brin, year: SchoolYear) -> Result<StoredScan, StoreError>;
    /// The scans within the scope.
    fn scans(&self, scope: &Scope) -> Result<Vec<ScanSummary>, StoreError>;
    /// Save one step if nobody saved it since `expected_version` (else `Conflict`); returns the new
    /// version. `now` is the UTC time stamp to record.
    fn save_scan_step(&self, scope: &Scope, save: &StepSave<'_>, now: &str) -> Result<i64, StoreError>;
    /// Start `to`'s scan from `from`'s: copies the steps that carry over and are still empty.
    /// Returns the number of steps copied.
    fn copy_scan(
        &self,
        scope: &Scope,
        school: &Brin,
        from: SchoolYear,
        to: SchoolYear,
        user: &str,
        now: &str,
    ) -> Result<u32, StoreError>;
}
