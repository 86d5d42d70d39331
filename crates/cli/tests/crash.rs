#![allow(clippy::unwrap_used)]
//! R26 (privacy-security.md): an import is all-or-nothing, even across crashes.
//!
//! What this proves: `schoolscan import scores` killed with SIGKILL (the process gets no chance
//! to roll back or clean up, as with the OOM killer or `kill -9`) at kill points spread over its
//! whole run leaves the database with either none of the file or all of it: its scores, pupils,
//! import-log row and audit record together, never a part. The kill points: while the process
//! starts and parses; inside the open write transaction, once SQLite has spilled uncommitted pages
//! into the write-ahead log (three depths); and after the commit, while the checkpoint copies the
//! log into the database file. After every kill the database opens cleanly (`schoolscan status`)
//! and passes `PRAGMA integrity_check`, and at the end a re-run imports the whole file.
//!
//! The kill points are events the test observes (the log file has grown by N bytes, the database
//! file has grown), not guesses at how long an import takes, so the test means the same on a fast
//! and a slow machine, and no assertion depends on time.
//!
//! What it does not prove: survival of a power cut (after SIGKILL the operating system still
//! writes out what the process wrote; against power loss only the fsyncs that `synchronous=FULL`
//! asks of SQLite protect), or R26's loop of 1,000 random kill points, which is too slow for the
//! test suite.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{cp1252, export, json, run, schoolscan, status, stderr, write_file};
use schoolscan_domain::Brin;
use schoolscan_store::{AccessStore, ImportStore, Scope, SqliteStore};

/// Pupils in the large file (6 scores each): an import of a few seconds in a debug build.
const PUPILS: u64 = 20_000;

/// When a run is killed.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// This long after the start: starting, reading and parsing the file.
    After(Duration),
    /// As soon as the write-ahead log has grown by this many bytes: the write transaction is open
    /// and SQLite has written uncommitted pages to the log.
    LogGrew(u64),
    /// As soon as the database file grows: in WAL mode only a checkpoint writes it, and a
    /// checkpoint copies committed pages only, so the commit is done.
    DatabaseGrew,
}

/// What the database holds, as far as this test is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    scores: u64,
    pupils: u64,
    import_log: u64,
    audit: u64,
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn wal(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", db.display()))
}

/// Open the database as the app does (it must open cleanly), check its integrity and count.
fn state(db: &Path) -> State {
    let s = status(db);
    let store = SqliteStore::open(db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"], "integrity_check");
    State {
        scores: s["scores"].as_u64().unwrap(),
        pupils: s["pupils"].as_u64().unwrap(),
        import_log: store.imports(&Scope::System, &Brin::parse("12AB").unwrap()).unwrap().len() as u64,
        audit: store.audit_log(None).unwrap().len() as u64,
    }
}

fn import_args(file: &Path) -> Vec<String> {
    ["import", "scores", file.to_str().unwrap(), "--school", "12AB", "--format", "json"]
        .map(str::to_owned)
        .to_vec()
}

/// Start the import and kill it at `point`. Returns whether the kill landed while it ran (false
/// when it finished first).
fn run_and_kill(db: &Path, file: &Path, point: KillPoint) -> bool {
    let (log0, db0) = (size(&wal(db)), size(db));
    let mut child =
        schoolscan(db).args(import_args(file)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let due = match point {
            KillPoint::After(d) => start.elapsed() >= d,
            KillPoint::LogGrew(n) => size(&wal(db)) >= log0 + n,
            KillPoint::DatabaseGrew => size(db) > db0,
        };
        if due {
            // SIGKILL on Unix. A process that exited just now is a zombie until waited for, so
            // this cannot hit another process.
            child.kill().unwrap();
            let st = child.wait().unwrap();
            return st.signal() == Some(9);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn an_import_killed_at_any_point_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    // What was there before: a small earlier import, so that "nothing" is not just an empty file.
    let small = write_file(dir.path(), "eerder.csv", &cp1252(&export(50, 0, 0.0).text));
    let out = run(
        &db,
        &[
            &import_args(&small).iter().map(String::as_str).collect::<Vec<_>>()[..],
            &["--create-school", "De Regenboog", "--board", "stichting-oost"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let before = state(&db);
    assert_eq!((before.scores, before.import_log, before.audit), (300, 1, 1));

    // The large file: other pupils, every row new.
    let big = export(PUPILS, 100, 0.0);
    let file = write_file(dir.path(), "groot.csv", &cp1252(&big.text));
    let all = State {
        scores: before.scores + big.valid,
        pupils: before.pupils + PUPILS,
        import_log: before.import_log + 1,
        audit: before.audit + 1,
    };

    let points = [
        KillPoint::After(Duration::ZERO),
        KillPoint::After(Duration::from_millis(50)),
        KillPoint::LogGrew(1),
        KillPoint::LogGrew(1 << 20),
        KillPoint::LogGrew(4 << 20),
        KillPoint::DatabaseGrew,
    ];
    let mut rolled_back_mid_write = 0;
    let mut partial = Vec::new();
    for point in points {
        let killed = run_and_kill(&db, &file, point);
        let now = state(&db);
        println!("{point:?}: killed while running: {killed}; {now:?}");
        if now != before && now != all {
            partial.push(format!("{point:?}: {now:?}"));
        }
        match point {
            KillPoint::LogGrew(_) if killed && now == before => rolled_back_mid_write += 1,
            KillPoint::DatabaseGrew if killed => assert_eq!(now, all, "killed after the commit"),
            _ => {}
        }
    }
    println!(
        "crash-import loop: {} kill points, {} partial imports, {rolled_back_mid_write} kills inside the write \
         transaction rolled back",
        points.len(),
        partial.len()
    );
    assert!(partial.is_empty(), "partial imports:\n{}", partial.join("\n"));
    assert!(rolled_back_mid_write > 0, "no kill landed inside the open write transaction");

    // A re-run imports everything (or, after a kill past the commit, finds it all there).
    let was = state(&db);
    let out = run(&db, &import_args(&file).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    let expected_new = if was == before { big.valid } else { 0 };
    assert_eq!(r["imported"].as_u64(), Some(expected_new), "{}", r["read"]);
    assert_eq!(r["updated"], 0);
    let after = state(&db);
    assert_eq!(after.scores, all.scores);
    assert_eq!(after.pupils, all.pupils);
}
