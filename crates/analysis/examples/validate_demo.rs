//! Prints the validation figures of the engine on generated demo boards (crates/demo), without
//! asserting: subject delay errors against the truth, the injected deviating jaargroepen, recall
//! and precision for pupils who truly fell far behind, and null-calibration rates.
//!
//! `cargo run --release -p schoolscan-analysis --example validate_demo -- [seeds] [null seeds] [effect scale]`

use std::collections::BTreeSet;

use schoolscan_analysis::{Config, Direction, PupilBasis, analyse};
use schoolscan_demo::{DemoConfig, generate, primary_target};

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n_seeds = args.first().copied().unwrap_or(5);
    let n_null = args.get(1).copied().unwrap_or(20);
    let scale: f64 = std::env::args().nth(3).and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let t = primary_target();
    let cfg = Config { year: Some(t.year), moment: Some(t.kind), ..Config::default() };
    let seeds: Vec<u64> = (0..n_seeds as u64).map(|i| 7919 * i + 1009).collect();
    let (mut tp, mut fp, mut truth_n) = (0usize, 0usize, 0usize);
    let mut errors = Vec::new();
    let (mut dev_found, mut dev_total, mut dev_false) = (0, 0, 0);
    for &seed in &seeds {
        let demo = generate(&DemoConfig { effect_scale: scale, ..DemoConfig::with_seed(seed) });
        let f = analyse(&demo.dataset, &cfg).expect("analysis");
        for s in &f.subjects {
            if let (Some(est), Some(truth)) =
                (s.delay_months, demo.truth.subject_delay(t, s.subject.as_str()))
            {
                let covered = s.ci95.is_some_and(|c| c[0] <= truth && truth <= c[1]);
                println!(
                    "seed {seed} {:<17} estimate {est:6.2} truth {truth:6.2} error {:+.2} covered {covered}",
                    s.subject.as_str(),
                    est - truth
                );
                errors.push((s.subject.to_string(), est - truth, covered));
            }
        }
        let injected: Vec<_> = demo.truth.deviating.iter().filter(|d| d.target == t).collect();
        for d in &injected {
            dev_total += 1;
            let want = if d.direction == "negative" { Direction::Negative } else { Direction::Positive };
            let g = f.grades.iter().find(|g| {
                g.school == d.school && g.grade.get() == d.grade && g.subject.as_str() == d.subject
            });
            let found = g.is_some_and(|g| g.deviates == Some(want));
            dev_found += usize::from(found);
            println!(
                "seed {seed} deviating {} groep {} {} ({}, true contrast {:+.2}): estimated contrast {:?}, p {:?}, Holm {:?}, found {found}",
                d.school,
                d.grade,
                d.subject,
                d.direction,
                d.contrast_months,
                g.and_then(|g| g.contrast),
                g.and_then(|g| g.p_value),
                g.and_then(|g| g.p_holm)
            );
        }
        dev_false += f
            .grades
            .iter()
            .filter(|g| g.deviates.is_some())
            .filter(|g| {
                !injected.iter().any(|d| {
                    d.school == g.school && d.grade == g.grade.get() && d.subject == g.subject.as_str()
                })
            })
            .count();
        let far: BTreeSet<(String, String)> = demo
            .truth
            .pupils
            .iter()
            .filter(|p| p.target == t && p.far_behind)
            .map(|p| (p.school.to_string(), p.pupil.to_string()))
            .collect();
        let flagged: BTreeSet<(String, String)> = f
            .pupils
            .iter()
            .filter(|p| p.direction == Direction::Negative && p.basis != PupilBasis::Classmates)
            .map(|p| (p.school.to_string(), p.pupil.to_string()))
            .collect();
        truth_n += far.len();
        tp += flagged.intersection(&far).count();
        fp += flagged.difference(&far).count();
    }
    let within = errors.iter().filter(|e| e.1.abs() <= 0.5).count();
    let covered = errors.iter().filter(|e| e.2).count();
    let mae = errors.iter().map(|e| e.1.abs()).sum::<f64>() / errors.len().max(1) as f64;
    println!(
        "\nsubject delays: {within}/{} within ±0.5 months, mean |error| {mae:.2}, 95% intervals covering the truth {covered}/{}",
        errors.len(),
        errors.len()
    );
    println!("deviating jaargroepen found: {dev_found}/{dev_total}; other cells marked: {dev_false}");
    println!(
        "far behind: recall {:.2} ({tp}/{truth_n}), precision {:.2} ({tp}/{})",
        tp as f64 / truth_n.max(1) as f64,
        tp as f64 / (tp + fp).max(1) as f64,
        tp + fp
    );
    // Null calibration.
    let (mut marked, mut flagged, mut pupils, mut boards_with_flag) = (0, 0, 0, 0);
    for i in 0..n_null as u64 {
        let demo = generate(&DemoConfig { corona: false, ..DemoConfig::with_seed(104_729 * i + 17) });
        let f = analyse(&demo.dataset, &cfg).expect("analysis");
        marked += f.grades.iter().filter(|g| g.deviates.is_some()).count();
        let fl: BTreeSet<(String, String)> =
            f.pupils.iter().map(|p| (p.school.to_string(), p.pupil.to_string())).collect();
        let n: BTreeSet<(String, String)> = demo
            .truth
            .pupils
            .iter()
            .filter(|p| p.target == t && p.n_subjects > 0)
            .map(|p| (p.school.to_string(), p.pupil.to_string()))
            .collect();
        flagged += fl.len();
        pupils += n.len();
        boards_with_flag += usize::from(!fl.is_empty());
    }
    println!(
        "null ({n_null} boards): jaargroep cells marked {marked}; pupils flagged {flagged}/{pupils} = {:.2}%; boards with any flag {boards_with_flag}",
        100.0 * flagged as f64 / pupils.max(1) as f64
    );
}
