//! Locating the project's shared reference data (`shared/data/…`) for tests, examples
//! and benchmarks. The data files are not part of the repository (they are GPL-licensed
//! fixtures from the R packages), so they are found at run time.

use std::path::{Path, PathBuf};

/// Environment variable naming the directory that holds the reference data files.
pub const SHARED_DATA_ENV: &str = "SCHOOLSCAN_SHARED_DATA";

/// Finds the reference data file `name` (e.g. `sgpData.csv`): first in the directory named
/// by `$SCHOOLSCAN_SHARED_DATA`, else in `shared/data/` of `start` or any of its
/// ancestors. Returns a message saying where it looked when the file is absent.
///
/// # Errors
/// A human-readable description of every place that was searched.
pub fn locate(name: &str, start: &Path) -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    if let Some(dir) = std::env::var_os(SHARED_DATA_ENV) {
        let p = PathBuf::from(dir).join(name);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    for dir in start.ancestors() {
        let p = dir.join("shared").join("data").join(name);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    Err(format!(
        "reference data file {name} not found; set {SHARED_DATA_ENV} to the directory that \
         holds it. Looked in: {}",
        tried.join(", ")
    ))
}
