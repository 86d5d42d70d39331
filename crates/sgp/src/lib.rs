//! Student Growth Percentiles (*groeipercentielen*) computed exactly as the R package SGP
//! computes them (`studentGrowthPercentiles`, quantreg `rq(method = "br")`).
//!
//! See `shared/domain/growth-method.md` §9 for the algorithm and §11 V1 for the validation
//! case this crate reproduces.
//!
//! Layers, bottom up:
//! * `rmath`: R's `round`, `quantile(type = 7)` and `extendrange`;
//! * `knots`: `createKnotsBoundaries`;
//! * `bspline`: `splines::bs` (cubic, no intercept, with R's extrapolation);
//! * `rq`: linear quantile regression solved to a vertex by a dual simplex;
//! * `model`: coefficient matrices (fit on a norm group, apply to pupils);
//! * `wide`: the package's wide file layout;
//! * `pipeline`: the whole `studentGrowthPercentiles` run over grade progressions;
//! * `output`: CSV and JSON writers.

//!
//! # Use
//!
//! * The package's computation on a wide file: [`WideData::from_path`] then [`run_sgp`] with
//!   an [`SgpConfig`] ([`SgpConfig::v1`] is the package's test 0), or in one call
//!   [`run_sgp_command`] (what `schoolscan sgp` runs).
//! * Baseline-referenced percentiles (growth-method §9.3): fit a [`CoefficientMatrix`] on a
//!   pre-corona norm group with [`CoefficientMatrix::fit_norm_group`] (refused below
//!   [`MIN_NORM_GROUP_SIZE`] pupils), store it (it is serde-serialisable plain data), and
//!   apply it to current pupils with [`CoefficientMatrix::percentile_clipped`], which clips
//!   priors to the boundary knots instead of extrapolating.

pub mod bspline;
pub mod command;
pub mod error;
pub mod knots;
mod linalg;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod rmath;
pub mod rq;
pub mod shared_data;
pub mod wide;

pub use command::{OutputFormat, Summary, run_sgp_command};
pub use error::{Result, SgpError};
pub use knots::KnotsBoundaries;
pub use model::{CoefficientMatrix, MIN_NORM_GROUP_SIZE, PriorSpec};
pub use pipeline::{GrowthLevels, PupilSgp, SgpConfig, SgpRun, run_sgp};
pub use wide::WideData;

/// The 100 quantiles the package fits: τ_i = (i − 0.5)/100, i = 1…100.
#[must_use]
pub fn taus() -> Vec<f64> {
    (1..=100).map(|i| (f64::from(i) - 0.5) / 100.0).collect()
}
