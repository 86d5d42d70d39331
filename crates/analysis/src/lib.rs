//! Schoolscan's growth analysis engine (stappenplan step 4): the four overviews — subjects that
//! lag school-wide, jaargroepen that deviate, components that stand out, pupils who stand out —
//! as delays in school months with honest uncertainty. See `docs/methode.md` (Dutch, for users),
//! `docs/analysis-json.md` (the JSON contract) and `growth-method.md` (formulas).
//!
//! Pure: `analyse` reads a `Dataset` and returns `Findings`; the same input gives bit-for-bit the
//! same output (everything is sorted; no hash-map order reaches the output).

mod agg;
mod cohort;
mod config;
mod dates;
mod engine;
mod error;
pub mod findings;
mod groups;
mod growth_pct;
mod measure;
mod par;
mod prep;
mod pupils;
mod recovery;
mod seo;
pub mod stats;
mod subgroups;
mod summary;

pub use config::{Config, MAX_PRIOR_ORDER};
pub use engine::analyse;
pub use error::AnalysisError;
pub use findings::*;
pub use summary::summary_nl;
