//! Versioned migrations, embedded in the binary and run on open.
//!
//! A migration's version is the number its name starts with (`0004_import` is version 4), and every
//! migration not yet recorded in `schema_migrations` is applied, in list order: branches that add
//! migrations with different numbers merge without renumbering, and a database that already has a
//! later one still gets an earlier one it lacks.

use rusqlite::Connection;

use crate::StoreError;

/// The migrations in order of their numbers.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    ("0002_access", include_str!("../../migrations/0002_access.sql")),
    ("0003_data_version", include_str!("../../migrations/0003_data_version.sql")),
    ("0004_import", include_str!("../../migrations/0004_import.sql")),
];

/// The number a migration name starts with.
const fn version_of(name: &str) -> i64 {
    let b = name.as_bytes();
    let mut i = 0;
    let mut v = 0i64;
    while i < b.len() && b[i].is_ascii_digit() {
        v = v * 10 + (b[i] - b'0') as i64;
        i += 1;
    }
    v
}

const fn max_version(list: &[(&str, &str)]) -> i64 {
    let mut i = 0;
    let mut max = 0;
    while i < list.len() {
        let v = version_of(list[i].0);
        if v > max {
            max = v;
        }
        i += 1;
    }
    max
}

/// The schema version this build knows (the highest migration number).
pub const SCHEMA_VERSION: i64 = max_version(MIGRATIONS);

/// Apply every migration the database has not seen, each in its own transaction.
pub fn run(conn: &mut Connection) -> Result<(), StoreError> {
    run_list(conn, MIGRATIONS)
}

fn run_list(conn: &mut Connection, list: &[(&str, &str)]) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now'))
        ) STRICT;",
    )?;
    let applied: Vec<i64> = {
        let mut st = conn.prepare("SELECT version FROM schema_migrations")?;
        st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    let known = max_version(list);
    if let Some(&found) = applied.iter().max()
        && found > known
    {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (name, sql) in list {
        let version = version_of(name);
        if applied.contains(&version) {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)", (version, name))?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn names(conn: &Connection) -> Vec<(i64, String)> {
        let mut st = conn.prepare("SELECT version, name FROM schema_migrations ORDER BY version").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn versions_come_from_the_names() {
        assert_eq!(version_of("0004_import"), 4);
        assert_eq!(SCHEMA_VERSION, 4);
    }

    #[test]
    fn a_merged_earlier_migration_is_still_applied() {
        let mut conn = Connection::open_in_memory().unwrap();
        let a = ("0001_a", "CREATE TABLE a (x INTEGER) STRICT;");
        let c = ("0004_c", "CREATE TABLE c (x INTEGER) STRICT;");
        run_list(&mut conn, &[a, c]).unwrap();
        // A branch merged later brings 0003: applied, the others not again.
        let b = ("0003_b", "CREATE TABLE b (x INTEGER) STRICT;");
        run_list(&mut conn, &[a, b, c]).unwrap();
        assert_eq!(names(&conn), [(1, "0001_a".into()), (3, "0003_b".into()), (4, "0004_c".into())]);
        run_list(&mut conn, &[a, b, c]).unwrap();
        // An older build refuses a database migrated further than it knows.
        let err = run_list(&mut conn, &[a, b]).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found: 4, known: 3 }), "{err}");
    }
}
