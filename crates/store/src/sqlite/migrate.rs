//! Versioned migrations, embedded in the binary and run on open.

use rusqlite::Connection;

use crate::StoreError;

/// The migrations in order; the version of each is its position + 1.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    ("0002_access", include_str!("../../migrations/0002_access.sql")),
    ("0003_data_version", include_str!("../../migrations/0003_data_version.sql")),
];

/// The schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Apply every migration the database has not seen, each in its own transaction.
pub fn run(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now'))
        ) STRICT;",
    )?;
    let current: i64 =
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew { found: current, known: SCHEMA_VERSION });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)", (version, name))?;
        tx.commit()?;
    }
    Ok(())
}
