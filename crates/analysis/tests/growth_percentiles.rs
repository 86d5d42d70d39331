//! Issue 5: baseline-referenced growth percentiles in `Findings`, on generated boards with a
//! known truth (crates/demo). Seeds are fixed arbitrary numbers, not tuned.

use schoolscan_analysis::{Config, Findings, analyse};
use schoolscan_demo::{DemoConfig, generate, primary_target};

fn target_cfg() -> Config {
    let t = primary_target();
    Config { year: Some(t.year), moment: Some(t.kind), ..Config::default() }
}

fn print_subjects(label: &str, f: &Findings) {
    for s in &f.subjects {
        println!(
            "{label} {}: median SGP {:?} {:?} n {} basis {:?}; delay {:?}",
            s.subject,
            s.median_growth_percentile,
            s.median_growth_percentile_ci95,
            s.n_growth_percentile,
            s.sgp_basis,
            s.delay_months
        );
    }
    for m in &f.sgp_models {
        println!(
            "  {} {} {:?} n_baseline {} n_model {} n_current {} baseline median {:?}",
            m.subject, m.transition, m.basis, m.n_baseline, m.n_model, m.n_current, m.baseline_median
        );
    }
}

#[test]
fn corona_cohort_grows_below_the_fiftieth_percentile() {
    let demo = generate(&DemoConfig::default());
    // The demo board has about 300 baseline pupils per transition: below the default minimum,
    // so every transition falls back to the board-pooled model.
    let f = analyse(&demo.dataset, &target_cfg()).expect("analysis");
    print_subjects("corona pooled", &f);
    assert!(f.subjects.len() >= 3);
    for s in &f.subjects {
        let med = s.median_growth_percentile.expect("median SGP");
        let ci = s.median_growth_percentile_ci95.expect("interval");
        assert!(ci[0] <= med && med <= ci[1]);
        assert!(ci[1] < 50.0, "{}: median SGP {med} {ci:?} not clearly below 50", s.subject);
        assert!(s.n_growth_percentile >= s.n / 2, "{}: {} of {}", s.subject, s.n_growth_percentile, s.n);
        assert_eq!(s.sgp_basis.as_deref(), Some("pooled"));
    }
    assert!(
        f.sgp_models
            .iter()
            .all(|m| m.n_baseline < f.config.min_sgp_n && m.basis.as_deref() == Some("pooled"))
    );
    assert!(f.notes.iter().any(|n| n.code == "sgp_pooled"));
    // Per pupil: every pupil row of a subject carries its percentile; the full list covers the n.
    assert!(f.pupils.iter().filter(|p| p.subject.is_some()).all(|p| p.growth_percentile.is_some()));
    assert!(f.pupils.iter().filter(|p| p.subject.is_none()).all(|p| p.growth_percentile.is_none()));
    let total: usize = f.subjects.iter().map(|s| s.n_growth_percentile).sum();
    assert_eq!(f.growth_percentiles.len(), total);
    assert!(f.growth_percentiles.iter().all(|g| (1..=99).contains(&g.growth_percentile)));
    // Grades carry a median too (where large enough), with the interval around it.
    let with: Vec<_> = f.grades.iter().filter(|g| g.median_growth_percentile.is_some()).collect();
    assert!(!with.is_empty());
    for g in with
        .iter()
        .chain(f.classes.iter().filter(|c| c.median_growth_percentile.is_some()).collect::<Vec<_>>().iter())
    {
        let (m, ci) =
            (g.median_growth_percentile.unwrap_or(f64::NAN), g.median_growth_percentile_ci95.expect("ci"));
        assert!(ci[0] <= m && m <= ci[1] && g.n_growth_percentile >= f.config.min_n);
    }

    // With a lower minimum every transition gets its own model; the answer is the same.
    let own = analyse(&demo.dataset, &Config { min_sgp_n: 200, ..target_cfg() }).expect("analysis");
    print_subjects("corona own", &own);
    for s in &own.subjects {
        let ci = s.median_growth_percentile_ci95.expect("interval");
        assert!(ci[1] < 50.0, "{}: {ci:?}", s.subject);
        assert_ne!(s.sgp_basis.as_deref(), Some("pooled"));
    }
    // Each transition's own model gives its baseline pupils a median of about 50.
    for m in own.sgp_models.iter().filter(|m| m.basis.as_deref() == Some("transition")) {
        let b = m.baseline_median.expect("baseline median");
        assert!((45.0..=55.0).contains(&b), "{} {}: baseline median {b}", m.subject, m.transition);
    }
}

#[test]
fn null_boards_have_a_median_growth_percentile_near_fifty() {
    let (mut covered, mut total) = (0usize, 0usize);
    for seed in [20_210_408u64, 7_777, 424_242] {
        let demo = generate(&DemoConfig { corona: false, ..DemoConfig::with_seed(seed) });
        let f = analyse(&demo.dataset, &target_cfg()).expect("analysis");
        print_subjects(&format!("null {seed}"), &f);
        for s in &f.subjects {
            let med = s.median_growth_percentile.expect("median SGP");
            let ci = s.median_growth_percentile_ci95.expect("interval");
            total += 1;
            covered += usize::from(ci[0] <= 50.0 && 50.0 <= ci[1]);
            assert!((40.0..=60.0).contains(&med), "null board {seed} {}: median SGP {med}", s.subject);
        }
        for m in &f.sgp_models {
            let b = m.baseline_median.expect("baseline median");
            assert!(
                (42.0..=58.0).contains(&b),
                "{} {}: pooled model's baseline median {b}",
                m.subject,
                m.transition
            );
        }
    }
    println!("null: 50 inside the interval for {covered} of {total} subjects");
    // 95% intervals: with 12 of them, two or more misses has probability ≈ 0.12 if they are
    // calibrated; three or more ≈ 0.02.
    assert!(total >= 9);
    assert!(covered + 2 >= total, "50 inside the interval for only {covered} of {total}");
}
