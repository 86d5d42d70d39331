//! The validation criteria of issue 4 that the other test files do not cover, each a real
//! check: delays against the injected truth on other seeds and effect sizes, the injected
//! deviating jaargroep, and recall and precision for pupils who truly fell far behind. (Null
//! calibration on demo boards: `demo_validation.rs`; on synthetic boards: `engine_synth.rs`.)
//! Seeds are fixed arbitrary numbers, not tuned.

mod common;

use std::collections::BTreeSet;

use common::synth::{SynthConfig, brin, generate as synth};
use schoolscan_analysis::{Config, Direction, PupilBasis, analyse};
use schoolscan_demo::{DemoConfig, generate, primary_target};
use schoolscan_domain::{MomentKind, SchoolYear};

fn target_cfg() -> Config {
    let t = primary_target();
    Config { year: Some(t.year), moment: Some(t.kind), ..Config::default() }
}

/// Pupils flagged as behind (on their own growth or across subjects, not only against
/// classmates) that are in `far` (true positives) and that are not (false positives).
fn hits(f: &schoolscan_analysis::Findings, far: &BTreeSet<(String, String)>) -> (usize, usize) {
    let flagged: BTreeSet<(String, String)> = f
        .pupils
        .iter()
        .filter(|p| p.direction == Direction::Negative && p.basis != PupilBasis::Classmates)
        .map(|p| (p.school.to_string(), p.pupil.to_string()))
        .collect();
    (flagged.intersection(far).count(), flagged.difference(far).count())
}

/// Other seeds and effect sizes than the default board: the estimated subject delay minus the
/// estimate on the null twin (same pupils, dates and measurement errors, no corona) is within
/// ±0.5 school months of the injected truth for every subject; the plain estimate is within
/// ±0.5 on average (it carries the null board's noise, growth-method §2.3 and the demo README's
/// noise floor).
#[test]
fn subject_delays_within_half_a_month_on_other_seeds_and_effect_sizes() {
    let t = primary_target();
    let mut raw_errors = Vec::new();
    for (seed, scale) in [(271_828u64, 0.5), (314_159, 1.5)] {
        let cfg = DemoConfig { effect_scale: scale, ..DemoConfig::with_seed(seed) };
        let demo = generate(&cfg);
        let null = generate(&DemoConfig { corona: false, ..cfg.clone() });
        let f = analyse(&demo.dataset, &target_cfg()).expect("analysis");
        let g = analyse(&null.dataset, &target_cfg()).expect("analysis");
        assert!(f.subjects.len() >= 4);
        for s in &f.subjects {
            let truth = demo.truth.subject_delay(t, s.subject.as_str()).expect("truth");
            let est = s.delay_months.expect("months");
            let base = g.subjects.iter().find(|x| x.subject == s.subject).and_then(|x| x.delay_months);
            let diff = est - base.expect("null twin estimate");
            println!(
                "seed {seed} scale {scale} {}: estimate {est:.2}, minus null twin {diff:.2}, truth {truth:.2}",
                s.subject
            );
            assert!(
                (diff - truth).abs() <= 0.5,
                "seed {seed} scale {scale} {}: {diff} vs {truth}",
                s.subject
            );
            raw_errors.push(est - truth);
        }
    }
    let mae = raw_errors.iter().map(|e| e.abs()).sum::<f64>() / raw_errors.len() as f64;
    assert!(mae <= 0.5, "mean absolute error {mae}");
}

/// A jaargroep (two classes) with 6 extra months of delay in one subject is marked negative on
/// every board; otherwise at most one cell in all boards is marked (Holm at 5% per school).
///
/// Known limit (not asserted): with one class per jaargroep (`classes_per_grade: 1`) the same
/// 6-month jaargroep is not marked (seed 61: contrast 6.5 months, Holm p 0.25): the jaargroep is
/// then the class, and the class variance the contrast is tested against is estimated including
/// that very class.
#[test]
fn injected_deviating_jaargroep_is_found() {
    let mut other = 0;
    for seed in [61u64, 62, 63] {
        let s = synth(&SynthConfig {
            seed,
            deviating_extra: 6.0,
            classes_per_grade: 2,
            ..SynthConfig::default()
        });
        let cfg =
            Config { year: Some(SchoolYear::new(2020)), moment: Some(MomentKind::M), ..Config::default() };
        let f = analyse(&s.data, &cfg).expect("analysis");
        // The synthetic board's deviating jaargroep: groep 5 in 2020-2021 at school 0, rekenen.
        let hit = f
            .grades
            .iter()
            .find(|g| g.school == brin(0) && g.grade.get() == 5 && g.subject.as_str() == "rekenen_wiskunde");
        let hit = hit.expect("the jaargroep is reported");
        println!(
            "seed {seed}: contrast {:?} p_holm {:?} deviates {:?}",
            hit.contrast, hit.p_holm, hit.deviates
        );
        assert_eq!(hit.deviates, Some(Direction::Negative), "seed {seed}: not found");
        other += f.grades.iter().filter(|g| g.deviates.is_some()).count() - 1;
    }
    assert!(other <= 1, "{other} other cells marked");
}

/// Pupils who truly fell far behind (8 extra school months in every subject) are found with
/// recall ≥ 0.6 and precision ≥ 0.7 (negative signals on the pupil's own growth or across
/// subjects). The truth is the far-behind pupils in groep 4–8 in 2020-2021, who have a
/// pre-corona score (the demo generator's definition; the synthetic generator also injects the
/// extra delay into cohorts that left before 2020-2021 or have no pre-corona score).
///
/// Measured: recall 0.71 (40/56), precision 0.89 (40/45). Not the same as the criterion
/// on the demo generator, which is NOT met there (recall ≈ 0.3): see
/// `far_behind_on_demo_boards_flags_are_mostly_right` and docs/decisions.md.
#[test]
fn far_behind_pupils_found_with_recall_and_precision() {
    let (mut tp, mut fp, mut truth_n) = (0usize, 0usize, 0usize);
    for seed in [71u64, 72, 73] {
        let s = synth(&SynthConfig { seed, far_share: 0.05, ..SynthConfig::default() });
        let cfg =
            Config { year: Some(SchoolYear::new(2020)), moment: Some(MomentKind::M), ..Config::default() };
        let f = analyse(&s.data, &cfg).expect("analysis");
        let far: BTreeSet<(String, String)> =
            s.far.iter().map(|(b, p)| (b.to_string(), p.to_string())).collect();
        let (t_p, f_p) = hits(&f, &far);
        truth_n += far.len();
        tp += t_p;
        fp += f_p;
    }
    let recall = tp as f64 / truth_n as f64;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    println!("far behind: recall {recall:.2} ({tp}/{truth_n}), precision {precision:.2} ({tp}/{})", tp + fp);
    assert!(truth_n >= 20, "only {truth_n} far-behind pupils");
    assert!(recall >= 0.6, "recall {recall}");
    assert!(precision >= 0.7, "precision {precision}");
}

/// The far-behind criterion on demo boards (other seeds than the default board): the
/// precision half (≥ 0.7) holds and is asserted; the recall half (≥ 0.6) does NOT hold (≈ 0.3) and
/// is only printed. The far-behind pupils lag their school by ≈ 4–5 school months against an
/// across-subjects error of ≈ 2 months (examples/pupil_error_budget); no threshold on the
/// statistic reaches both (examples/far_behind_ceiling). docs/decisions.md has the figures.
#[test]
fn far_behind_on_demo_boards_flags_are_mostly_right() {
    let t = primary_target();
    let (mut tp, mut fp, mut truth_n) = (0usize, 0usize, 0usize);
    for seed in [5_003u64, 5_009, 5_011] {
        let demo = generate(&DemoConfig::with_seed(seed));
        let f = analyse(&demo.dataset, &target_cfg()).expect("analysis");
        let far: BTreeSet<(String, String)> = demo
            .truth
            .pupils_at(t)
            .filter(|p| p.far_behind)
            .map(|p| (p.school.to_string(), p.pupil.to_string()))
            .collect();
        let (t_p, f_p) = hits(&f, &far);
        truth_n += far.len();
        tp += t_p;
        fp += f_p;
    }
    let recall = tp as f64 / truth_n.max(1) as f64;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    println!(
        "demo boards, far behind: recall {recall:.2} ({tp}/{truth_n}), precision {precision:.2} ({tp}/{})",
        tp + fp
    );
    assert!(truth_n >= 30, "only {truth_n} far-behind pupils");
    assert!(tp >= 5, "only {tp} far-behind pupils found");
    assert!(precision >= 0.7, "precision {precision}");
}
