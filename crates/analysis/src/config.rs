//! What to analyse and with which thresholds. Every default is a documented design choice
//! (growth-method.md, markers [Design]); the `Config` used is echoed in the output.

use serde::{Deserialize, Serialize};

use schoolscan_domain::calendar::closures;
use schoolscan_domain::{Brin, Date, MomentKind, SchoolYear};

/// The highest prior order the engine fits.
pub const MAX_PRIOR_ORDER: usize = 6;

/// The analysis settings. `Config::default()` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The school to report on. `None`: all schools in the dataset together, as one board. The
    /// baseline models are always pooled over all schools in the dataset (see `docs/methode.md`).
    pub school: Option<Brin>,
    /// The school year of the target moment. `None`: the latest with data.
    pub year: Option<SchoolYear>,
    /// The target moment kind (B, M or E). `None`: the latest with data.
    pub moment: Option<MomentKind>,
    /// First day of the first closure (16 March 2020): scores dated before it are pre-corona.
    #[serde(with = "crate::dates")]
    pub closure_start: Date,
    /// The closure periods, for the report only (the exposure being measured).
    #[serde(with = "crate::dates::pairs")]
    pub closures: Vec<(Date, Date)>,
    /// The school years whose pre-corona results form the baseline cohorts (by the school year of
    /// the target score). `None`: every school year with results before `closure_start`.
    pub baseline_years: Option<Vec<SchoolYear>>,
    /// Familywise error rate for deviating jaargroepen, classes and components (Holm, per school).
    pub holm_alpha: f64,
    /// False discovery rate for pupils who stand out (Benjamini–Hochberg, per school).
    pub bh_q: f64,
    /// Minimum number of pupils behind a reported group figure; below it a warning replaces it.
    pub min_n: usize,
    /// Minimum number of baseline pupils to fit the model of a transition.
    pub min_baseline_n: usize,
    /// Optional minimum size |Δ| in school months before a jaargroep, class or component is marked
    /// as deviating (in addition to Holm). `None`: statistical significance alone.
    pub min_deviation_months: Option<f64>,
    /// School months are reported only when γ_T / SE(γ_T) is at least this (growth-method §2.2).
    pub months_min_ratio: f64,
    /// Highest number of prior scores in the prediction model (1 to [`MAX_PRIOR_ORDER`]; more is
    /// treated as the maximum). The default 2: more priors did not make pupils' delays more
    /// precise on the demo boards (`examples/far_behind_ceiling`).
    pub max_prior_order: usize,
    /// Also report the recovery at every moment since the closure (§2.6).
    pub recovery: bool,
    /// Minimum number of baseline pupils for a growth-percentile model of its own per subject ×
    /// transition (growth-method §9.3). Below it the transition falls back to the model pooled
    /// over all transitions of the subject (`sgp_basis = "pooled"`); when the pool is below it
    /// too, no growth percentile is given.
    pub min_sgp_n: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            school: None,
            year: None,
            moment: None,
            closure_start: closures::FIRST.0,
            closures: closures::ALL.to_vec(),
            baseline_years: None,
            holm_alpha: 0.05,
            bh_q: 0.05,
            min_n: 10,
            min_baseline_n: 30,
            min_deviation_months: None,
            months_min_ratio: 10.0,
            max_prior_order: 2,
            recovery: true,
            min_sgp_n: schoolscan_sgp::MIN_NORM_GROUP_SIZE,
        }
    }
}
