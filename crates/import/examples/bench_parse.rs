//! Parse benchmark: generates a realistic Windows-1252 scores export of about 1,000,000 rows and
//! prints rows per second and peak memory for parsing alone (no database).
//!
//! Run: `cargo run --release -p schoolscan-import --example bench_parse [ROWS]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use schoolscan_import::{ImportOptions, parse_scores};

/// A field of /proc/self/status in kB (Linux), e.g. `VmHWM` (peak RSS) or `VmRSS`.
fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let rows: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let pupils = rows.div_ceil(12);
    let t0 = Instant::now();
    let fx = common::scores_export(pupils);
    let bytes = common::cp1252(&fx.text);
    let expected_rows = fx.data_rows;
    drop(fx);
    println!(
        "generated {} rows, {:.1} MB Windows-1252 in {:.1} s",
        expected_rows,
        bytes.len() as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );

    // Reset the peak-RSS counter so that VmHWM measures the parse (plus the input bytes held).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = status_kb("VmRSS").unwrap_or(0);

    let t = Instant::now();
    let batch = parse_scores(&bytes, "bench.csv", &common::school(), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("parse failed: {e}"));
    let secs = t.elapsed().as_secs_f64();
    let peak = status_kb("VmHWM").unwrap_or(0);

    assert_eq!(batch.read, expected_rows);
    println!(
        "parsed {} rows ({} scores, {} pupils, {} skipped, {} rejected) in {:.2} s",
        batch.read,
        batch.scores.len(),
        batch.pupils.len(),
        batch.skipped.len(),
        batch.rejected.len(),
        secs
    );
    println!("throughput: {:.0} rows/s", batch.read as f64 / secs);
    println!(
        "peak RSS during parse: {:.0} MB (RSS before parse {:.0} MB, of which input {:.0} MB){}",
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        bytes.len() as f64 / 1048576.0,
        if reset { "" } else { " [peak counter could not be reset: includes generation]" }
    );
}
