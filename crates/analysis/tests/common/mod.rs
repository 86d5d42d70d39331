//! Shared helpers for the integration tests: locating the public reference data.
#![allow(dead_code)]

pub mod synth;

use std::path::{Path, PathBuf};

/// Path of a reference data file in `shared/data/`: from the env var `SCHOOLSCAN_SHARED_DATA` (a
/// directory) or by searching the ancestors of this crate's manifest directory. Panics with a
/// clear message when the file cannot be found: these validation tests must not pass silently.
pub fn shared_data_file(name: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("SCHOOLSCAN_SHARED_DATA") {
        let p = Path::new(&dir).join(name);
        assert!(p.is_file(), "SCHOOLSCAN_SHARED_DATA={dir} is set but {} does not exist", p.display());
        return p;
    }
    let start = Path::new(env!("CARGO_MANIFEST_DIR"));
    for anc in start.ancestors() {
        let p = anc.join("shared").join("data").join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "reference data file shared/data/{name} not found: set SCHOOLSCAN_SHARED_DATA to the directory \
         that holds it, or place shared/data/ in an ancestor of {}",
        start.display()
    );
}

/// Read a simple CSV (no quoting) into a header and rows of fields.
pub fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = shared_data_file(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("empty CSV").split(',').map(str::to_owned).collect();
    let rows = lines.filter(|l| !l.is_empty()).map(|l| l.split(',').map(str::to_owned).collect()).collect();
    (header, rows)
}

/// Column index by name.
pub fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} missing"))
}

/// |actual − expected| within 1e-3 relative, or within half a unit of the last printed decimal of
/// the expected value (reference values are printed rounded).
pub fn assert_close(what: &str, actual: f64, expected: f64, printed_decimals: i32) {
    let tol = (1e-3 * expected.abs()).max(0.5 * 10f64.powi(-printed_decimals));
    assert!((actual - expected).abs() <= tol, "{what}: got {actual}, expected {expected} (tolerance {tol})");
}
