//! The embedded SQLite backend: one file, WAL, `synchronous=FULL`, foreign keys on.

mod imports;
mod migrate;
mod read;
mod scans;
pub(crate) mod write;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;
use schoolscan_domain::{Brin, Counts, Dataset, SchoolYear};

use crate::{
    DatasetFilter, ScanSummary, SchoolSummary, Scope, StepSave, Store, StoreError, StoredScan, UpsertOptions,
    WriteReport,
};

pub use migrate::SCHEMA_VERSION;

/// The SQLite store. Cheap to share behind an `Arc`; keeps a few open connections for reuse.
pub struct SqliteStore {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

const MAX_IDLE: usize = 8;

impl SqliteStore {
    /// Open (or create) the database at `path`, check its durability settings and run the
    /// migrations. Refuses with a clear message when WAL, `synchronous=FULL` or foreign keys
    /// cannot be set (for example an in-memory database).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = connect(&path)?;
        migrate::run(&mut conn)?;
        Ok(Self { path, idle: Mutex::new(vec![conn]) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound database, else the problems found.
    /// Reads the whole file; for checks and tests, not for every start.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        self.with_conn(|c| {
            let mut st = c.prepare("PRAGMA integrity_check")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Run `f` with a connection from the pool (or a new one).
    pub(crate) fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let taken = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        let mut conn = match taken {
            Some(c) => c,
            None => connect(&self.path)?,
        };
        let out = f(&mut conn);
        if let Ok(mut v) = self.idle.lock()
            && v.len() < MAX_IDLE
            && conn.is_autocommit()
        {
            v.push(conn);
        }
        out
    }
}

/// Open a connection and enforce the required settings (privacy-security.md R29).
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let shown = path.display().to_string();
    let conn = Connection::open(path).map_err(|source| StoreError::Open { path: shown.clone(), source })?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Pragma {
            path: shown,
            setting: "journal_mode",
            actual: mode,
            required: "wal",
        });
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    if sync != 2 {
        return Err(StoreError::Pragma {
            path: shown,
            setting: "synchronous",
            actual: sync.to_string(),
            required: "2 (FULL)",
        });
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    if fk != 1 {
        return Err(StoreError::Pragma {
            path: shown,
            setting: "foreign_keys",
            actual: fk.to_string(),
            required: "1",
        });
    }
    Ok(conn)
}

impl Store for SqliteStore {
    fn counts(&self, scope: &Scope) -> Result<Counts, StoreError> {
        self.with_conn(|c| read::counts(c, scope))
    }
    fn directory(&self) -> Result<Vec<(Brin, String)>, StoreError> {
        self.with_conn(|c| read::directory(c))
    }
    fn schools(&self, scope: &Scope) -> Result<Vec<SchoolSummary>, StoreError> {
        self.with_conn(|c| read::schools(c, scope))
    }
    fn load_dataset(&self, scope: &Scope, filter: &DatasetFilter) -> Result<Dataset, StoreError> {
        self.with_conn(|c| read::load_dataset(c, scope, filter))
    }
    fn upsert(&self, data: &Dataset, opts: UpsertOptions) -> Result<WriteReport, StoreError> {
        self.with_conn(|c| write::upsert(c, data, opts))
    }
    fn replace_board(&self, data: &Dataset) -> Result<WriteReport, StoreError> {
        self.with_conn(|c| write::replace_board(c, data))
    }
    fn data_version(&self) -> Result<String, StoreError> {
        self.with_conn(|c| write::data_version(c))
    }
    fn scan(&self, scope: &Scope, school: &Brin, year: SchoolYear) -> Result<StoredScan, StoreError> {
        self.with_conn(|c| scans::get(c, scope, school, year))
    }
    fn scans(&self, scope: &Scope) -> Result<Vec<ScanSummary>, StoreError> {
        self.with_conn(|c| scans::list(c, scope))
    }
    fn save_scan_step(&self, scope: &Scope, save: &StepSave<'_>, now: &str) -> Result<i64, StoreError> {
        self.with_conn(|c| scans::save_step(c, scope, save, now))
    }
    fn copy_scan(
        &self,
        scope: &Scope,
        school: &Brin,
        from: SchoolYear,
        to: SchoolYear,
        user: &str,
        now: &str,
    ) -> Result<u32, StoreError> {
        self.with_conn(|c| scans::copy_from(c, scope, school, from, to, user, now))
    }
}
