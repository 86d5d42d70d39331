//! Import benchmark: generates a realistic Windows-1252 scores export of about 1,000,000 rows,
//! parses it, and writes it into a fresh SQLite file through `Store::upsert` (one transaction).
//! Prints rows per second for the parse and for parse + store, and peak memory (VmHWM). Then the
//! same import pipelined as `schoolscan import` runs it: the parser on one thread handing scores
//! in chunks to the writer on another (`parse_scores_streaming` + `ImportStore::import_stream`),
//! one transaction, into a second fresh database.
//!
//! Run: `cargo run --release -p schoolscan-import --example bench_import [ROWS]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use schoolscan_domain::{Board, School};
use schoolscan_import::{ImportOptions, parse_scores, parse_scores_streaming};
use schoolscan_store::{
    ImportKind, ImportLog, ImportPiece, ImportStore, PupilMerge, SqliteStore, Store, UpsertOptions,
};

/// A field of /proc/self/status in kB (Linux), e.g. `VmHWM` (peak RSS) or `VmRSS`.
fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time of the calling thread so far, from /proc/thread-self/schedstat (ns on CPU). The
/// machine may be shared: wall-clock rows/s then understate the import's own speed.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// The pieces, with the time the writer spends waiting for the next one.
struct Timed<I> {
    rx: I,
    waited: std::time::Duration,
}

impl<I: Iterator> Iterator for Timed<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        let t = Instant::now();
        let n = self.rx.next();
        self.waited += t.elapsed();
        n
    }
}

/// Time the calling thread spent runnable but waiting for a CPU (second field of
/// /proc/thread-self/schedstat): on a shared machine, the time other processes had the cores.
fn runqueue_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let pupils = rows.div_ceil(12);
    let t0 = Instant::now();
    let fx = common::scores_export(pupils);
    let bytes = common::cp1252(&fx.text);
    let expected_rows = fx.data_rows;
    let expected_scores = fx.valid_scores;
    drop(fx);
    println!(
        "generated {} rows, {:.1} MB Windows-1252 in {:.1} s",
        expected_rows,
        bytes.len() as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );

    let dir = std::env::temp_dir().join(format!("schoolscan-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    let store = SqliteStore::open(&db)?;
    let school = common::school();
    let mut setup = schoolscan_domain::Dataset::default();
    setup.boards.push(Board { key: "bench".into(), name: "Benchmarkbestuur".into() });
    setup.schools.push(School { brin: school.clone(), name: "De Benchmark".into(), board: "bench".into() });
    store.upsert(&setup, UpsertOptions::default())?;

    // Reset the peak-RSS counter so that VmHWM measures the import (plus the input bytes held).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = status_kb("VmRSS").unwrap_or(0);

    let c0 = cpu_secs();
    let t = Instant::now();
    let batch = parse_scores(&bytes, "bench.csv", &school, &ImportOptions::default())?;
    let parse_secs = t.elapsed().as_secs_f64();
    let c1 = cpu_secs();
    let peak_parse = status_kb("VmHWM").unwrap_or(0);
    assert_eq!(batch.read, expected_rows);
    assert_eq!(batch.scores.len() as u64, expected_scores);

    let t_store = Instant::now();
    let report = batch.report();
    let data = batch.into_dataset();
    let written =
        store.upsert(&data, UpsertOptions { pupil_merge: PupilMerge::FillMissing, dry_run: false })?;
    let store_secs = t_store.elapsed().as_secs_f64();
    let total_secs = t.elapsed().as_secs_f64();
    let c2 = cpu_secs();
    let peak = status_kb("VmHWM").unwrap_or(0);
    assert_eq!(written.scores.imported, expected_scores);

    println!(
        "parse: {} rows ({} scores, {} pupils, {} skipped, {} rejected) in {:.2} s: {:.0} rows/s (CPU {:.2} s: {:.0} rows/s)",
        report.read,
        data.scores.len(),
        data.pupils.len(),
        report.skipped.len(),
        report.rejected.len(),
        parse_secs,
        report.read as f64 / parse_secs,
        c1 - c0,
        report.read as f64 / (c1 - c0)
    );
    println!(
        "store: {} new scores, {} pupils, {} enrolments in {:.2} s: {:.0} scores/s (CPU {:.2} s: {:.0} scores/s)",
        written.scores.imported,
        written.pupils.imported,
        written.enrolments.imported,
        store_secs,
        written.scores.imported as f64 / store_secs,
        c2 - c1,
        written.scores.imported as f64 / (c2 - c1)
    );
    println!(
        "parse + store into SQLite: {:.2} s: {:.0} rows/s (CPU {:.2} s: {:.0} rows/s)",
        total_secs,
        report.read as f64 / total_secs,
        c2 - c0,
        report.read as f64 / (c2 - c0)
    );

    // Re-import of the same file: every record is found unchanged.
    let c3 = cpu_secs();
    let t = Instant::now();
    let again = store.upsert(&data, UpsertOptions::default())?;
    let again_secs = t.elapsed().as_secs_f64();
    let again_cpu = cpu_secs() - c3;
    assert_eq!(again.scores.imported, 0);
    println!(
        "re-import (store only): {} new, {} unchanged in {:.2} s: {:.0} rows/s (CPU {:.2} s: {:.0} rows/s)",
        again.scores.imported,
        again.scores.unchanged,
        again_secs,
        report.read as f64 / again_secs,
        again_cpu,
        report.read as f64 / again_cpu
    );
    println!(
        "peak RSS: parse {:.0} MB, parse + store {:.0} MB (RSS before {:.0} MB, of which input {:.0} MB){}",
        peak_parse as f64 / 1024.0,
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        bytes.len() as f64 / 1048576.0,
        if reset { "" } else { " [peak counter could not be reset: includes generation]" }
    );
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!("database file: {:.0} MB", size as f64 / 1e6);
    drop(store);
    drop(data);

    // Pipelined: parse on a second thread, write while it reads.
    let db2 = dir.join("pipelined.db");
    let store = SqliteStore::open(&db2)?;
    store.upsert(&setup, UpsertOptions::default())?;
    let t = Instant::now();
    let c_store0 = cpu_secs();
    let q_store0 = runqueue_secs();
    let (tx, rx) = std::sync::mpsc::sync_channel::<ImportPiece>(4);
    let (written, (parse_cpu, parse_queue)) = std::thread::scope(|scope| {
        let parser = scope.spawn(|| {
            let c0 = cpu_secs();
            let q0 = runqueue_secs();
            let mut send = |tests, scores| {
                let _ = tx.send(ImportPiece::Records(schoolscan_domain::Dataset {
                    tests,
                    scores,
                    ..Default::default()
                }));
            };
            let batch = parse_scores_streaming(
                &bytes,
                "bench.csv",
                &school,
                &ImportOptions::default(),
                &mut |_, _| {},
                50_000,
                &mut send,
            );
            let piece = match batch {
                Ok(b) => {
                    let log = ImportLog {
                        school: school.clone(),
                        kind: ImportKind::Scores,
                        file_name: "bench.csv".into(),
                        actor: "bench".into(),
                        at: "2026-01-01T00:00:00Z".into(),
                        read: b.read,
                        duplicates: b.duplicates,
                        skipped: b.skipped.len() as u64,
                        rejected: b.rejected.len() as u64,
                        report_json: "{}".into(),
                        remember_mapping: None,
                    };
                    let rest = schoolscan_domain::Dataset {
                        pupils: b.pupils,
                        enrolments: b.enrolments,
                        ..Default::default()
                    };
                    ImportPiece::End(Box::new(rest), Box::new(log))
                }
                Err(_) => ImportPiece::Abort,
            };
            let _ = tx.send(piece);
            drop(tx);
            (cpu_secs() - c0, runqueue_secs() - q0)
        });
        let mut timed = Timed { rx: rx.into_iter(), waited: std::time::Duration::ZERO };
        let written = store.import_stream(&mut timed, UpsertOptions::default());
        eprintln!("writer waited {:.2} s for the parser", timed.waited.as_secs_f64());
        (written, parser.join().unwrap_or((0.0, 0.0)))
    });
    let secs = t.elapsed().as_secs_f64();
    let store_cpu = cpu_secs() - c_store0;
    let store_queue = runqueue_secs() - q_store0;
    let written = written?.ok_or("the pipelined import was rolled back")?;
    assert_eq!(written[0].scores.imported, expected_scores);
    let critical = parse_cpu.max(store_cpu);
    println!(
        "pipelined parse + store into SQLite (2 threads): {} new scores in {:.2} s wall: {:.0} rows/s; \
         CPU parser thread {:.2} s, writer thread {:.2} s: {:.0} rows/s on two free cores",
        written[0].scores.imported,
        secs,
        expected_rows as f64 / secs,
        parse_cpu,
        store_cpu,
        expected_rows as f64 / critical
    );
    println!(
        "waiting for a CPU (other processes on the cores): parser thread {parse_queue:.2} s, writer thread {store_queue:.2} s"
    );
    println!("peak RSS overall: {:.0} MB", status_kb("VmHWM").unwrap_or(0) as f64 / 1024.0);
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
