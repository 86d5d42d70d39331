//! The truth is recoverable: a plain baseline-referenced conditional-growth estimate
//! (growth-method §2.2–2.4) on the generated scores measures exactly the injected delay (paired
//! with the null twin, which has the same pupils and measurement errors), and stays near zero on
//! the null twin itself.

#[path = "../examples/support/simple.rs"]
mod simple;

use schoolscan_demo::{DemoConfig, generate};

#[test]
fn the_estimate_moves_by_the_true_delay() {
    for seed in [20_210_408, 11] {
        let with = generate(&DemoConfig::with_seed(seed));
        let without = generate(&DemoConfig { corona: false, ..DemoConfig::with_seed(seed) });
        let a = simple::estimate(&with);
        let b = simple::estimate(&without);
        assert_eq!(a.len(), 4, "{a:?}");
        for (test, &(d, t, n)) in &a {
            let &(d0, t0, n0) = b.get(test).expect("same tests on the null twin");
            assert_eq!(n, n0, "{test}: the same pupils");
            assert_eq!(t0, 0.0);
            assert!(n > 200 && t > 1.0, "{test}: n {n}, true delay {t}");
            // Same pupils, same errors: the estimate moves by the injected shortfall / γ_T.
            assert!(
                (d - d0 - t).abs() < 0.15,
                "seed {seed} {test}: estimate moved {:.3}, truth {t:.3}",
                d - d0
            );
        }
    }
}

#[test]
fn the_null_twin_shows_little_delay() {
    // The fixed-slope date adjustment credits the March 2021 tests with slightly too much growth
    // on the concave curves (README "Noise floor": about +0.1 to +0.25 school months), and the
    // board-wide mean has a sampling SD of about 0.2–0.3 school months.
    let demo = generate(&DemoConfig { corona: false, ..DemoConfig::default() });
    for (test, (d, t, n)) in simple::estimate(&demo) {
        assert_eq!(t, 0.0);
        assert!(d.abs() < 0.8, "{test}: estimate {d:.2} on the null board (n {n})");
    }
}
