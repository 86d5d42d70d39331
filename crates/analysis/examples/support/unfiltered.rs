//! Shared by the diagnostic examples: the demo boards they use and the engine settings that
//! report every pupil's tests, flagged or not.

use schoolscan_analysis::Config;
use schoolscan_demo::{DemoConfig, Target, primary_target};

/// The seeds of the diagnostic demo boards (never the default board's).
pub fn seed(i: u64) -> u64 {
    7919 * i + 1009
}

/// The board of seed `i`.
pub fn board(i: u64) -> DemoConfig {
    DemoConfig::with_seed(seed(i))
}

/// Command-line argument `n` as a number, or `default`.
pub fn arg<T: std::str::FromStr>(n: usize, default: T) -> T {
    std::env::args().nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

/// The primary target with q just below 1, so (almost) every pupil's tests are reported with
/// their z, and the given prior order.
pub fn unfiltered(prior_order: usize) -> (Target, Config) {
    let t = primary_target();
    let cfg = Config {
        year: Some(t.year),
        moment: Some(t.kind),
        bh_q: 0.999_999,
        max_prior_order: prior_order,
        ..Config::default()
    };
    (t, cfg)
}
