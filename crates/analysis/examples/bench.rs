//! Benchmark: one school (~300 pupils) and a synthetic 50-school board (about a million score
//! rows), generated with the demo generator. Prints wall times and peak memory; no asserts.
//!
//! `cargo run --release -p schoolscan-analysis --example bench`

use std::time::Instant;

use schoolscan_analysis::{Config, analyse};
use schoolscan_demo::{DemoConfig, SchoolSpec, generate, primary_target};
use schoolscan_domain::Brin;

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // One school.
    let base = DemoConfig::with_seed(42);
    let one = DemoConfig { schools: vec![base.schools[0].clone()], deviating: Vec::new(), ..base.clone() };
    let demo = generate(&one);
    let pupils = demo.dataset.pupils.len();
    let t0 = primary_target();
    let cfg = Config { year: Some(t0.year), moment: Some(t0.kind), ..Config::default() };
    let _ = analyse(&demo.dataset, &cfg).expect("analysis");
    let runs = 5;
    let t = Instant::now();
    for _ in 0..runs {
        let _ = analyse(&demo.dataset, &cfg).expect("analysis");
    }
    let one_ms = t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!(
        "one school: {pupils} pupils in all years, {} score rows: {one_ms:.1} ms per analysis (target < 50 ms)",
        demo.dataset.scores.len()
    );
    let no_sgp = Config { min_sgp_n: usize::MAX, ..cfg.clone() };
    let t = Instant::now();
    for _ in 0..runs {
        let _ = analyse(&demo.dataset, &no_sgp).expect("analysis");
    }
    println!(
        "one school without growth percentiles (min_sgp_n = ∞): {:.1} ms per analysis",
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
    );
    drop(demo);

    // A 50-school board: the demo's schools repeated with new BRIN codes.
    let mut schools: Vec<SchoolSpec> = Vec::new();
    for i in 0..50usize {
        let mut s = base.schools[i % base.schools.len()].clone();
        let l1 = (b'A' + (i / 26) as u8) as char;
        let l2 = (b'A' + (i % 26) as u8) as char;
        s.brin = Brin::parse(&format!("{:02}{l1}{l2}", 30 + i % 60)).expect("brin");
        s.name = format!("School {i}");
        s.first_pupil_number = 10_000 + 1_000 * u32::try_from(i).unwrap_or(0);
        schools.push(s);
    }
    let board_cfg = DemoConfig { schools, deviating: Vec::new(), ..base };
    let t = Instant::now();
    let board = generate(&board_cfg);
    let gen_s = t.elapsed().as_secs_f64();
    println!(
        "board: {} schools, {} pupils, {} score rows (generated in {gen_s:.1} s)",
        board.dataset.schools.len(),
        board.dataset.pupils.len(),
        board.dataset.scores.len()
    );
    let before = peak_rss_mib();
    let t = Instant::now();
    let f = analyse(&board.dataset, &cfg).expect("analysis");
    let board_s = t.elapsed().as_secs_f64();
    println!(
        "board analysis (all schools together, target M 2020-2021, with recovery at every later moment): {board_s:.2} s (target < 2 s)"
    );
    let t = Instant::now();
    let _ = analyse(&board.dataset, &Config { recovery: false, ..cfg.clone() }).expect("analysis");
    println!("board analysis without the recovery section: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let _ = analyse(&board.dataset, &Config { min_sgp_n: usize::MAX, ..cfg.clone() }).expect("analysis");
    println!("board analysis without growth percentiles (min_sgp_n = ∞): {:.2} s", t.elapsed().as_secs_f64());
    println!(
        "growth-percentile models: {} ({} own, {} pooled), fitted on {} baseline pupils in total",
        f.sgp_models.len(),
        f.sgp_models.iter().filter(|m| m.basis.as_deref() == Some("transition")).count(),
        f.sgp_models.iter().filter(|m| m.basis.as_deref() == Some("pooled")).count(),
        f.sgp_models
            .iter()
            .filter(|m| m.basis.as_deref() == Some("transition"))
            .map(|m| m.n_model)
            .sum::<usize>()
    );
    let t = Instant::now();
    let g = analyse(&board.dataset, &Config { school: Some(board.dataset.schools[0].brin.clone()), ..cfg })
        .expect("analysis");
    println!("one school inside the board (pooled baseline): {:.2} s", t.elapsed().as_secs_f64());
    println!(
        "peak memory (VmHWM): {:.0} MiB after generation, {:.0} MiB after the analyses; findings: {} grades, {} pupils flagged, {} pupils flagged in one school",
        before.unwrap_or(f64::NAN),
        peak_rss_mib().unwrap_or(f64::NAN),
        f.grades.len(),
        f.pupils.len(),
        g.pupils.len()
    );
}
