//! Validation on generated boards with a known truth (the demo generator, crates/demo). Seeds are
//! fixed arbitrary numbers, not tuned. The full figures (including the pupil recall/precision and
//! the deviating jaargroepen) are printed by `examples/validate_demo.rs`.

use std::collections::BTreeSet;

use schoolscan_analysis::{Config, analyse};
use schoolscan_demo::{DemoConfig, generate, primary_target};

fn target_cfg() -> Config {
    let t = primary_target();
    Config { year: Some(t.year), moment: Some(t.kind), ..Config::default() }
}

#[test]
fn subject_delays_track_the_injected_truth() {
    let t = primary_target();
    let mut errors = Vec::new();
    let mut covered = 0;
    for seed in [1009u64, 8928, 16847] {
        let demo = generate(&DemoConfig::with_seed(seed));
        let f = analyse(&demo.dataset, &target_cfg()).expect("analysis");
        assert!(f.subjects.len() >= 3);
        for s in &f.subjects {
            let truth = demo.truth.subject_delay(t, s.subject.as_str()).expect("truth for subject");
            let est = s.delay_months.expect("months on a vertical scale");
            let ci = s.ci95.expect("interval");
            covered += usize::from(ci[0] <= truth && truth <= ci[1]);
            errors.push(est - truth);
            // Same sign convention: effect size positive with a positive delay.
            assert_eq!(est > 0.0, s.effect_size.expect("es") > 0.0);
        }
    }
    let mae = errors.iter().map(|e| e.abs()).sum::<f64>() / errors.len() as f64;
    println!("errors {errors:?}; mean |error| {mae:.3}; covered {covered}/{}", errors.len());
    assert!(mae <= 0.5, "mean absolute error {mae} school months");
    assert!(errors.iter().all(|e| e.abs() <= 1.0), "an error above 1 school month: {errors:?}");
    assert!(
        covered as f64 >= 0.75 * errors.len() as f64,
        "intervals cover the truth {covered}/{}",
        errors.len()
    );
}

/// Null calibration over 20 null boards (seeds 104,729·i + 17, the same formula as
/// `examples/validate_demo.rs`): at most 1% of the pupils flagged, and jaargroepen marked in no
/// more (board, school) families than Holm's 5% familywise guarantee allows (its binomial mean
/// plus three SDs).
#[test]
fn null_boards_flag_at_most_one_percent_of_pupils() {
    let t = primary_target();
    let (mut flagged, mut pupils) = (0usize, 0usize);
    let (mut families, mut marked) = (0usize, 0usize);
    for i in 0..20u64 {
        let demo = generate(&DemoConfig { corona: false, ..DemoConfig::with_seed(104_729 * i + 17) });
        let f = analyse(&demo.dataset, &target_cfg()).expect("analysis");
        families += f.scope.schools.len();
        marked += f
            .grades
            .iter()
            .filter(|g| g.deviates.is_some())
            .map(|g| g.school.to_string())
            .collect::<BTreeSet<_>>()
            .len();
        flagged += f
            .pupils
            .iter()
            .map(|p| (p.school.to_string(), p.pupil.to_string()))
            .collect::<BTreeSet<_>>()
            .len();
        pupils += demo.truth.pupils.iter().filter(|p| p.target == t && p.n_subjects > 0).count();
        // Without corona the school-wide delays are near zero.
        for s in &f.subjects {
            let d = s.delay_months.expect("months");
            assert!(d.abs() < 1.5, "null board subject {} delay {d}", s.subject);
        }
    }
    println!(
        "null: {flagged} of {pupils} pupils flagged; {marked} of {families} schools with a marked jaargroep"
    );
    let (mean, sd) = (0.05 * families as f64, (0.05 * 0.95 * families as f64).sqrt());
    assert!(marked as f64 <= mean + 3.0 * sd, "{marked} of {families} schools with a marked jaargroep");
    assert!(pupils > 1000);
    assert!(flagged as f64 <= 0.01 * pupils as f64, "{flagged} of {pupils} pupils flagged on null boards");
}
