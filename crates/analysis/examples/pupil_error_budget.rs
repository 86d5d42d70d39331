//! Where the error of a pupil's delay comes from, on demo boards at the primary target
//! (M 2020-2021): the engine's per-subject delay minus the injected truth, split into the target
//! score's own measurement error ((true score − recorded score) / γ_ref, known from the truth)
//! and the rest (the error of predicting the pupil's score without corona from their own
//! pre-corona scores); and the same for the across-subjects mean, with the truth's spread of
//! far-behind and other pupils. It shows the information limit of overview 4 (docs/methode.md).
//!
//! `cargo run --release -p schoolscan-analysis --example pupil_error_budget -- [seeds] [prior order]`

use std::collections::BTreeMap;

use schoolscan_analysis::{PupilBasis, analyse};
use schoolscan_demo::generate;

#[path = "support/unfiltered.rs"]
mod support;

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
    /// Rest per class (seed, school, group), for its between-class variance.
    by_class: BTreeMap<(u64, String, String), Vec<f64>>,
}

/// Between-class variance of the values (one-way ANOVA estimator, classes of at least 5).
fn between_class_var(groups: &BTreeMap<(u64, String, String), Vec<f64>>) -> (f64, usize) {
    let gs: Vec<&Vec<f64>> = groups.values().filter(|v| v.len() >= 5).collect();
    let n: usize = gs.iter().map(|v| v.len()).sum();
    let k = gs.len();
    if k < 2 {
        return (f64::NAN, k);
    }
    let grand = gs.iter().flat_map(|v| v.iter()).sum::<f64>() / n as f64;
    let (mut ssb, mut ssw) = (0.0, 0.0);
    for v in &gs {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        ssb += v.len() as f64 * (m - grand).powi(2);
        ssw += v.iter().map(|x| (x - m).powi(2)).sum::<f64>();
    }
    let msb = ssb / (k - 1) as f64;
    let msw = ssw / (n - k) as f64;
    let n0 = n as f64 / k as f64;
    (((msb - msw) / n0).max(0.0), k)
}

fn main() {
    let n_seeds: u64 = support::arg(1, 4);
    let (t, cfg) = support::unfiltered(support::arg(2, 2));
    let (mut across, mut far, mut bulk) = (Vec::new(), Vec::new(), Vec::new());
    let mut across_by_class: BTreeMap<(u64, String, String), Vec<f64>> = BTreeMap::new();
    let mut by_subject: BTreeMap<String, Budget> = BTreeMap::new();
    for i in 0..n_seeds {
        let demo = generate(&support::board(i));
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
                        let group = p.group.as_ref().map(ToString::to_string).unwrap_or_default();
                        across_by_class.entry((i, p.school.to_string(), group)).or_default().push(d - td);
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
                        let group = p.group.as_ref().map(ToString::to_string).unwrap_or_default();
                        b.by_class.entry((i, p.school.to_string(), group)).or_default().push(d - td - me);
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
        let (bv, k) = between_class_var(&b.by_class);
        println!(
            "{:<17} rest         {}  (between classes: SD {:.2} over {k} classes)",
            "",
            summary(&mut b.rest),
            bv.sqrt()
        );
    }
    let (bv, k) = between_class_var(&across_by_class);
    println!(
        "across subjects   total        {}  (between classes: SD {:.2} over {k} classes)",
        summary(&mut across),
        bv.sqrt()
    );
    println!("true mean delay   far behind   {}", summary(&mut far));
    println!("true mean delay   other pupils {}", summary(&mut bulk));
}
