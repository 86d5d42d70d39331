//! The ceiling for finding far-behind pupils on demo boards with the engine's across-subjects
//! statistic: all pupils ranked by their across-subjects z (no false discovery control, as if any
//! threshold could be chosen with hindsight), with recall and precision against the truth's
//! `far_behind` pupils for the top 10, 20, … Shows which recall/precision pairs any threshold on
//! this statistic can reach.
//!
//! `cargo run --release -p schoolscan-analysis --example far_behind_ceiling -- [seeds] [prior order]`

use std::collections::BTreeSet;

use schoolscan_analysis::{PupilBasis, analyse};
use schoolscan_demo::generate;

#[path = "support/unfiltered.rs"]
mod support;

fn main() {
    let n_seeds: u64 = support::arg(1, 8);
    let (t, cfg) = support::unfiltered(support::arg(2, 2));
    let mut all: Vec<(f64, bool)> = Vec::new();
    let mut n_far = 0;
    for i in 0..n_seeds {
        let demo = generate(&support::board(i));
        let f = analyse(&demo.dataset, &cfg).expect("analysis");
        let far: BTreeSet<(String, String)> = demo
            .truth
            .pupils
            .iter()
            .filter(|p| p.target == t && p.far_behind)
            .map(|p| (p.school.to_string(), p.pupil.to_string()))
            .collect();
        n_far += far.len();
        for p in f.pupils.iter().filter(|p| p.basis == PupilBasis::AcrossSubjects) {
            all.push((p.z, far.contains(&(p.school.to_string(), p.pupil.to_string()))));
        }
    }
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("{n_far} far-behind pupils; {} across-subjects tests", all.len());
    let mut tp = 0;
    for (k, (z, hit)) in all.iter().enumerate() {
        tp += usize::from(*hit);
        let n = k + 1;
        if n % 10 == 0 && n <= 300 {
            println!(
                "top {n:3}: z >= {z:.2}, recall {:.2}, precision {:.2}",
                tp as f64 / n_far.max(1) as f64,
                tp as f64 / n as f64
            );
        }
    }
}
