//! The computation behind `schoolscan sgp --input FILE [--year YEAR] [--max-order N]
//! [--format csv|json]`, so that the command-line shell only parses arguments.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::output::{write_csv, write_json};
use crate::pipeline::{SgpConfig, SgpRun, SkippedCohort, run_sgp};
use crate::wide::WideData;

/// Output format of the `sgp` command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutputFormat {
    /// One CSV row per pupil (see [`crate::output::write_csv`]).
    #[default]
    Csv,
    /// A JSON array of pupils (see [`crate::output::write_json`]).
    Json,
}

/// Checksums of a run, for a one-line summary (and for comparing with the package).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Analysis year.
    pub year: i32,
    /// Pupils with an SGP.
    pub n: usize,
    /// ΣSGP.
    pub sum_sgp: u64,
    /// ΣSGP_ORDER_1.
    pub sum_sgp_order_1: u64,
    /// ΣSCALE_SCORE_PRIOR.
    pub sum_scale_score_prior: f64,
    /// Pupils per `SGP_ORDER` (index 0 = order 1).
    pub orders: Vec<usize>,
    /// Pupils per `SGP_LEVEL` (index 0 = level 1).
    pub levels: Vec<usize>,
    /// Grade progressions run, oldest grade first.
    pub progressions: Vec<Vec<i32>>,
    /// Cohorts that got no coefficient matrix, with the reason.
    pub skipped: Vec<SkippedCohort>,
}

impl Summary {
    /// Computes the checksums of `run`.
    #[must_use]
    pub fn of(run: &SgpRun, n_levels: usize) -> Self {
        let mut orders = vec![0; run.max_order()];
        let mut levels = vec![0; n_levels];
        for p in &run.pupils {
            if let Some(o) = orders.get_mut(p.sgp_order.wrapping_sub(1)) {
                *o += 1;
            }
            if let Some(l) = levels.get_mut(p.sgp_level.wrapping_sub(1)) {
                *l += 1;
            }
        }
        Self {
            year: run.year,
            n: run.pupils.len(),
            sum_sgp: run.pupils.iter().map(|p| u64::from(p.sgp)).sum(),
            sum_sgp_order_1: run
                .pupils
                .iter()
                .filter_map(|p| p.sgp_by_order.first().copied().flatten())
                .map(u64::from)
                .sum(),
            sum_scale_score_prior: run.pupils.iter().map(|p| p.scale_score_prior).sum(),
            orders,
            levels,
            progressions: run.progressions.clone(),
            skipped: run.skipped.clone(),
        }
    }
}

impl std::fmt::Display for Summary {
    /// A Dutch one-line summary for the terminal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "groeipercentielen {}: {} leerlingen, som SGP {}, som SGP_ORDER_1 {}, som SCALE_SCORE_PRIOR {}, per orde {:?}, per niveau {:?}",
            self.year,
            self.n,
            self.sum_sgp,
            self.sum_sgp_order_1,
            self.sum_scale_score_prior,
            self.orders,
            self.levels
        )?;
        for s in &self.skipped {
            write!(
                f,
                "\novergeslagen: leerjaren {:?} ({} leerlingen): {}",
                s.grade_progression, s.n, s.reason
            )?;
        }
        Ok(())
    }
}

/// Reads `input` (wide layout), computes SGPs for `year` (default: latest) with every grade
/// progression the file allows and at most `max_order` priors (default: all), and writes
/// the table to `out` in `format`. Returns the checksums.
///
/// # Errors
/// Reading, computing or writing errors ([`crate::SgpError`]).
pub fn run_sgp_command(
    input: &Path,
    year: Option<i32>,
    max_order: Option<usize>,
    format: OutputFormat,
    out: impl Write,
) -> Result<Summary> {
    let data = WideData::from_path(input)?;
    let config = SgpConfig { year, max_order, ..SgpConfig::default() };
    let run = run_sgp(&data, &config)?;
    match format {
        OutputFormat::Csv => write_csv(&run, out)?,
        OutputFormat::Json => write_json(&run, out)?,
    }
    Ok(Summary::of(&run, config.growth_levels.labels.len()))
}
