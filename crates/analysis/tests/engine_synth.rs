//! Engine tests on small hand-made boards (tests/common/synth.rs) with a known truth.

mod common;

use common::synth::{SynthConfig, generate};
use schoolscan_analysis::{Config, analyse};
use schoolscan_domain::{MomentKind, SchoolYear};

#[test]
fn smoke() {
    for (delay, moment) in [(0.0, MomentKind::E), (0.0, MomentKind::M), (2.0, MomentKind::M)] {
        let mut est = Vec::new();
        let mut cover = 0;
        let mut tot = 0;
        for seed in 1..=12 {
            let s = generate(&SynthConfig { delay, seed, ..SynthConfig::default() });
            let cfg = Config { year: Some(SchoolYear::new(2020)), moment: Some(moment), ..Config::default() };
            let f = analyse(&s.data, &cfg).expect("analysis");
            for r in &f.subjects {
                est.push(r.delay_months.unwrap());
                let ci = r.ci95.unwrap();
                tot += 1;
                if ci[0] <= delay && delay <= ci[1] {
                    cover += 1;
                }
            }
        }
        let m = est.iter().sum::<f64>() / est.len() as f64;
        println!("delay {delay} {moment:?}: mean est {m:.3} coverage {cover}/{tot}");
    }
}
