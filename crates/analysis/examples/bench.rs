//! Benchmark: one school (~300 pupils) and a synthetic 50-school board (about a million score
//! rows), generated with the demo generator. Prints wall times and peak memory; no asserts.
//!
//! `cargo run --release -p schoolscan-analysis --example bench -- [schools, default 50]`

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

/// CPU time (user + system) of this process so far, in seconds (/proc/self/stat, 100 Hz ticks).
/// On a shared machine it is steadier than wall time; with the growth-percentile fits on two
/// threads it exceeds the wall time of an idle machine.
fn cpu_secs() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    // Fields after the command name (which is in parentheses and may contain spaces).
    let Some(rest) = s.rsplit_once(')').map(|(_, r)| r) else { return f64::NAN };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (tick(11) + tick(12)) / 100.0
}

/// Wall and CPU time of `f`, averaged over `runs`.
fn timed(runs: u32, mut f: impl FnMut()) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_secs());
    for _ in 0..runs {
        f();
    }
    (t.elapsed().as_secs_f64() / f64::from(runs), (cpu_secs() - c) / f64::from(runs))
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
    let runs = 20;
    let (w, c) = timed(runs, || {
        let _ = analyse(&demo.dataset, &cfg).expect("analysis");
    });
    println!(
        "one school: {pupils} pupils in all years, {} score rows: {:.1} ms wall, {:.1} ms CPU per analysis (target < 50 ms)",
        demo.dataset.scores.len(),
        w * 1000.0,
        c * 1000.0
    );
    let no_sgp = Config { min_sgp_n: usize::MAX, ..cfg.clone() };
    let (w, c) = timed(runs, || {
        let _ = analyse(&demo.dataset, &no_sgp).expect("analysis");
    });
    println!(
        "one school without growth percentiles (min_sgp_n = ∞): {:.1} ms wall, {:.1} ms CPU per analysis",
        w * 1000.0,
        c * 1000.0
    );
    drop(demo);

    // A 50-school board (or as many as the first argument says): the demo's schools repeated with
    // new BRIN codes.
    let n_schools: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50).clamp(1, 600);
    let mut schools: Vec<SchoolSpec> = Vec::new();
    for i in 0..n_schools {
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
    let mut f = None;
    let (w, c) = timed(1, || f = Some(analyse(&board.dataset, &cfg).expect("analysis")));
    let Some(f) = f else { return };
    println!(
        "board analysis (all schools together, target M 2020-2021, with recovery at every later moment): {w:.2} s wall, {c:.2} s CPU (target < 2 s)"
    );
    let (w, c) = timed(1, || {
        let _ = analyse(&board.dataset, &Config { recovery: false, ..cfg.clone() }).expect("analysis");
    });
    println!("board analysis without the recovery section: {w:.2} s wall, {c:.2} s CPU");
    let (w, c) = timed(1, || {
        let _ = analyse(&board.dataset, &Config { min_sgp_n: usize::MAX, ..cfg.clone() }).expect("analysis");
    });
    println!("board analysis without growth percentiles (min_sgp_n = ∞): {w:.2} s wall, {c:.2} s CPU");
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
    let mut g = None;
    let (w, c) = timed(1, || {
        g = Some(
            analyse(
                &board.dataset,
                &Config { school: Some(board.dataset.schools[0].brin.clone()), ..cfg.clone() },
            )
            .expect("analysis"),
        );
    });
    let Some(g) = g else { return };
    println!("one school inside the board (pooled baseline): {w:.2} s wall, {c:.2} s CPU");
    println!(
        "peak memory (VmHWM): {:.0} MiB after generation, {:.0} MiB after the analyses; findings: {} grades, {} pupils flagged, {} pupils flagged in one school",
        before.unwrap_or(f64::NAN),
        peak_rss_mib().unwrap_or(f64::NAN),
        f.grades.len(),
        f.pupils.len(),
        g.pupils.len()
    );
}
