//! Where the error of a pupil's delay comes from, on demo boards at the primary target
//! (M 2020-2021): the engine's per-subject delay minus the injected truth, split into the target
//! score's own measurement error ((true score − recorded score) / γ_ref, known from the truth)
//! and the rest (the error of predicting the pupil's score without corona from their own
//! pre-corona scores); and the same for the across-subjects mean, with the truth's spread of
//! far-behind and other pupils. It shows the information limit of overview 4 (docs/methode.md).
//!
//! `cargo run --release -p schoolscan-analysis --example pupil_error_budget -- [seeds]`

use std::collections::BTreeMap;

use schoolscan_analysis::{Config, PupilBasis, analyse};
use schoolscan_demo::{DemoConfig, generate, primary_target};

fn summary(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt();
    format!("n {:5}  mean {m:+.2}  SD {sd:.2}", v.len())
}

#[derive(Default)]
struct Budget {
    total: Vec<f64>,
    measurement: Vec<f64>,
    rest: Vec<f64>,
}

fn main() {
    let n_seeds: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(4);
    let t = primary_target();
    // q just below 1: every pupil's tests are reported, flagged or not.
    let cfg = Config { year: Some(t.year), moment: Some(t.kind), bh_q: 0.999_999, ..Config::default() };
    let (mut across, mut far, mut bulk) = (Vec::new(), Vec::new(), Vec::new());
    let mut by_subject: BTreeMap<String, Budget> = BTreeMap::new();
    for i in 0..n_seeds {
        let demo = generate(&DemoConfig::with_seed(7919 * i + 1009));
        let f = analyse(&demo.dataset, &cfg).expect("analysis");
        let truth: BTreeMap<(String, String), (f64, bool)> = demo
            .truth
            .pupils_at(t)
            .map(|p| ((p.school.to_string(), p.pupil.to_string()), (p.mean_delay_months, p.far_behind)))
            .collect();
        // (school, pupil, subject) → (true delay, target measurement error in months).
        let index = demo.truth.score_index();
        let mut per_score: BTreeMap<(String, String, String), (f64, f64)> = BTreeMap::new();
        for s in demo.dataset.scores.iter().filter(|s| s.component.is_none()) {
            let key = (s.school.clone(), s.pupil.clone(), s.test_key.clone(), None, s.date);
            let (Some(sd), Some(y)) = (index.get(&key), s.ability) else { continue };
            if sd.year == t.year && sd.moment.kind == t.kind {
                per_score.insert(
                    (s.school.to_string(), s.pupil.to_string(), sd.subject.clone()),
                    (sd.delay_months, (sd.true_score - y) / sd.gamma_ref),
                );
            }
        }
        for p in &f.pupils {
            let (school, pupil) = (p.school.to_string(), p.pupil.to_string());
            let Some(d) = p.delay_months else { continue };
            match p.basis {
                PupilBasis::AcrossSubjects => {
                    if let Some(&(td, is_far)) = truth.get(&(school, pupil)) {
                        across.push(d - td);
                        if is_far { far.push(td) } else { bulk.push(td) }
                    }
                }
                PupilBasis::OwnGrowth => {
                    let subject = p.subject.as_ref().map(ToString::to_string).unwrap_or_default();
                    if let Some(&(td, me)) = per_score.get(&(school, pupil, subject.clone())) {
                        let b = by_subject.entry(subject).or_default();
                        b.total.push(d - td);
                        b.measurement.push(me);
                        b.rest.push(d - td - me);
                    }
                }
                PupilBasis::Classmates => {}
            }
        }
    }
    println!("error of the delay in school months (estimate − truth), {n_seeds} demo boards:");
    for (s, b) in &mut by_subject {
        println!("{s:<17} total        {}", summary(&mut b.total));
        println!("{:<17} measurement  {}", "", summary(&mut b.measurement));
        println!("{:<17} rest         {}", "", summary(&mut b.rest));
    }
    println!("across subjects   total        {}", summary(&mut across));
    println!("true mean delay   far behind   {}", summary(&mut far));
    println!("true mean delay   other pupils {}", summary(&mut bulk));
}
