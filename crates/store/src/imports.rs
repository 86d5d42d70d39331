//! Imports: writing a parsed file with its log entry in one transaction, the import log, and the
//! column mapping a school used last (remembered per school and kind of file). A third trait next
//! to [`crate::Store`] and [`crate::AccessStore`], so that those stay as they were.
//!
//! The store does not know the import crate's report type: the report arrives as JSON text with its
//! counts, and is given back as JSON.

use schoolscan_auth::audit::AuditRecord;
use schoolscan_domain::{Brin, Dataset};
use serde::{Deserialize, Serialize};

use crate::{Scope, StoreError, UpsertOptions, WriteReport};

/// The kind of file imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Scores,
    Pupils,
    Seo,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Scores => "scores",
            ImportKind::Pupils => "pupils",
            ImportKind::Seo => "seo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "scores" => Some(ImportKind::Scores),
            "pupils" => Some(ImportKind::Pupils),
            "seo" => Some(ImportKind::Seo),
            _ => None,
        }
    }
}

/// What to log about one import, written in the same transaction as its records.
#[derive(Debug, Clone)]
pub struct ImportRecord<'a> {
    pub school: &'a Brin,
    pub kind: ImportKind,
    pub file_name: &'a str,
    /// The user name, or `cli` for the command line.
    pub actor: &'a str,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: &'a str,
    pub read: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// The full report as a JSON object; its `imported` and `updated` are replaced by the write's
    /// counts before it is stored.
    pub report_json: &'a str,
    /// A mapping (TOML) to remember for this school and kind once the import is written.
    pub remember_mapping: Option<&'a str>,
}

/// [`ImportRecord`] with owned values, for a streamed import whose records come from another
/// thread.
#[derive(Debug, Clone)]
pub struct ImportLog {
    pub school: Brin,
    pub kind: ImportKind,
    pub file_name: String,
    pub actor: String,
    pub at: String,
    pub read: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub rejected: u64,
    pub report_json: String,
    pub remember_mapping: Option<String>,
}

impl ImportLog {
    pub fn as_record(&self) -> ImportRecord<'_> {
        ImportRecord {
            school: &self.school,
            kind: self.kind,
            file_name: &self.file_name,
            actor: &self.actor,
            at: &self.at,
            read: self.read,
            duplicates: self.duplicates,
            skipped: self.skipped,
            rejected: self.rejected,
            report_json: &self.report_json,
            remember_mapping: self.remember_mapping.as_deref(),
        }
    }
}

/// One piece of a streamed import ([`ImportStore::import_stream`]).
#[derive(Debug)]
pub enum ImportPiece {
    /// Records to write now, typically the tests and scores a parser has landed so far.
    Records(Dataset),
    /// The end of one file: its remaining records (pupils, enrolments, ...) and its log entry.
    End(Box<Dataset>, Box<ImportLog>),
    /// The audit record of the import (privacy-security.md §10.3), appended to the audit chain in
    /// the import's own transaction when it commits (not on a dry run or a rollback): a crash
    /// can never leave an import without its record.
    Audit(Box<ImportAudit>),
    /// Roll everything back (a file could not be read, or `--strict` refused the import).
    Abort,
}

/// An audit record and the board whose chain it joins.
#[derive(Debug, Clone)]
pub struct ImportAudit {
    pub board: String,
    pub record: AuditRecord,
}

/// One logged import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportLogEntry {
    pub id: i64,
    pub school: Brin,
    pub kind: ImportKind,
    pub file_name: String,
    pub actor: String,
    pub at: String,
    pub read: u64,
    pub imported: u64,
    pub updated: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// The report as the CLI's `--format json` prints it.
    pub report: serde_json::Value,
}

/// Imports into the store.
pub trait ImportStore: Send + Sync {
    /// Upsert each file's records (as [`crate::Store::upsert`], in order) and, unless
    /// `opts.dry_run`, log each import and remember its mapping, all in **one** transaction: the
    /// records, the log rows and the mapping land together or not at all. Returns one
    /// [`WriteReport`] per item. The `imported`/`updated` of a log row are the scores (score files),
    /// pupils (pupil files) or observations (SEO files) its write added and changed.
    fn import(
        &self,
        items: &[(&Dataset, ImportRecord<'_>)],
        opts: UpsertOptions,
    ) -> Result<Vec<WriteReport>, StoreError>;
    /// [`ImportStore::import`] with the records arriving in pieces while they are still being
    /// parsed (so that parsing and writing use two cores). One transaction for all pieces: it is
    /// committed only when the pieces end with an [`ImportPiece::End`] and `opts.dry_run` is off,
    /// and rolled back on [`ImportPiece::Abort`], on an error, or when the pieces stop after
    /// records that no `End` closed. An [`ImportPiece::Audit`] is appended just before the commit,
    /// in the same transaction. Returns one [`WriteReport`] per file (the sum of its pieces),
    /// or `None` when rolled back by an `Abort` or an unclosed stream.
    fn import_stream(
        &self,
        pieces: &mut dyn Iterator<Item = ImportPiece>,
        opts: UpsertOptions,
    ) -> Result<Option<Vec<WriteReport>>, StoreError>;
    /// The mapping (TOML) last used for this school and kind, if any.
    fn import_mapping(&self, school: &Brin, kind: ImportKind) -> Result<Option<String>, StoreError>;
    /// The imports of `school`, newest first, when the scope sees the whole school with pupil rows
    /// (school leaders, IB, the board); empty otherwise.
    fn imports(&self, scope: &Scope, school: &Brin) -> Result<Vec<ImportLogEntry>, StoreError>;
}

/// The counts of the records a file of `kind` is about.
pub fn primary_counts(kind: ImportKind, w: &WriteReport) -> crate::WriteCounts {
    match kind {
        ImportKind::Scores => w.scores,
        ImportKind::Pupils => w.pupils,
        ImportKind::Seo => w.observations,
    }
}
