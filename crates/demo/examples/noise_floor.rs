//! The noise floor of the board-wide delay at M 2020-2021 on null boards: mean and SD over seeds
//! of a plain conditional-growth estimate (examples/support/simple.rs).
//!
//! `cargo run --release -p schoolscan-demo --example noise_floor [copies] [seeds]`

#[path = "support/simple.rs"]
mod simple;

use std::collections::BTreeMap;

use schoolscan_demo::{DemoConfig, generate};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let copies: u8 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1);
    let seeds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let mut all: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for seed in 1000..1000 + seeds {
        let demo = generate(&DemoConfig { corona: false, ..DemoConfig::with_seed(seed) }.with_copies(copies));
        for (k, (d, _, _)) in simple::estimate(&demo) {
            all.entry(k).or_default().push(d);
        }
    }
    println!(
        "null boards, {copies} cop(y/ies) of the demo schools, {seeds} seeds: estimated delay at M 2020-2021"
    );
    for (k, v) in all {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        println!("  {k}: mean {m:+.3} sd {sd:.3}");
    }
}
