//! Prints the demo board's counts, the generation time and the main truth figures.
//!
//! `cargo run --release -p schoolscan-demo --example demo_stats [seed] [effect_scale] [--no-corona]`

use std::time::Instant;

use schoolscan_demo::{DemoConfig, generate};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut cfg = DemoConfig::default();
    let mut pos = args.iter().filter(|a| !a.starts_with("--"));
    if let Some(seed) = pos.next().and_then(|s| s.parse().ok()) {
        cfg.seed = seed;
    }
    if let Some(scale) = pos.next().and_then(|s| s.parse().ok()) {
        cfg.effect_scale = scale;
    }
    if args.iter().any(|a| a == "--no-corona") {
        cfg.corona = false;
    }
    let runs = 5;
    let mut best = f64::INFINITY;
    let mut demo = None;
    for _ in 0..runs {
        let t = Instant::now();
        let d = generate(&cfg);
        best = best.min(t.elapsed().as_secs_f64());
        demo = Some(d);
    }
    let Some(demo) = demo else { return };
    let c = demo.dataset.counts();
    println!("seed {} corona {} scale {}", cfg.seed, cfg.corona, cfg.effect_scale);
    println!("generation: best of {runs} runs {:.1} ms", best * 1000.0);
    println!(
        "counts: boards {} schools {} groups {} pupils {} enrolments {} scores {} observations {} notes {}",
        c.boards,
        c.schools,
        c.groups,
        c.pupils,
        demo.dataset.enrolments.len(),
        c.scores,
        c.observations,
        c.notes
    );
    let components = demo.dataset.scores.iter().filter(|s| s.component.is_some()).count();
    println!("scores: {} whole tests, {components} component rows", c.scores as usize - components);
    let signals = demo.dataset.observations.iter().filter(|o| o.signal.is_some()).count();
    println!(
        "observations in the signalling zone: {:.1} %",
        100.0 * signals as f64 / c.observations.max(1) as f64
    );
    let t = &demo.truth;
    println!("truth: {} score rows, {} pupil summaries", t.scores.len(), t.pupils.len());
    for target in &t.targets {
        let line: Vec<String> = t
            .subjects
            .iter()
            .filter(|g| g.target == *target)
            .map(|g| {
                format!(
                    "{} {:.2} (vs prior {:.2}, n {}, all {:.2})",
                    g.subject, g.mean_delay_months, g.mean_delay_months_prior, g.n, g.mean_delay_months_all
                )
            })
            .collect();
        println!("  {}: {}", target.label(), line.join("; "));
    }
    for d in &t.deviating {
        println!(
            "deviating {} {} groep {} {} {}: {:.2} vs rest {:.2} (contrast {:.2}, n {})",
            d.target.label(),
            d.school,
            d.grade,
            d.subject,
            d.direction,
            d.mean_delay_months,
            d.rest_of_school_months,
            d.contrast_months,
            d.n
        );
    }
    let prim = t.primary_target;
    let mut means: Vec<(f64, String)> = t
        .pupils_at(prim)
        .filter(|p| p.n_subjects >= 2)
        .map(|p| (p.mean_delay_months, format!("{:?}", p.injected)))
        .collect();
    means.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "far behind (>= {:.1}): {}; moved ahead (<= {:.1}): {}",
        t.far_behind_threshold_months,
        t.far_behind.len(),
        t.moved_ahead_threshold_months,
        t.moved_ahead.len()
    );
    let top: Vec<String> =
        means.iter().take(30).map(|(m, i)| format!("{m:.1}{}", if i == "None" { "" } else { "*" })).collect();
    println!("top pupil means at {} (* = injected): {}", prim.label(), top.join(" "));
    let bottom: Vec<String> = means
        .iter()
        .rev()
        .take(12)
        .map(|(m, i)| format!("{m:.1}{}", if i == "None" { "" } else { "*" }))
        .collect();
    println!("bottom: {}", bottom.join(" "));
    for g in t.components.iter().filter(|g| g.target == prim && g.school.is_none()) {
        println!(
            "  component {} {:.2} (n {})",
            g.component.as_deref().unwrap_or(""),
            g.mean_delay_months,
            g.n
        );
    }
    for g in t.subgroups.iter().filter(|g| g.target == prim) {
        println!(
            "  subgroup {} {} {:.2} (n {})",
            g.subgroup.as_deref().unwrap_or(""),
            g.subject,
            g.mean_delay_months,
            g.n
        );
    }
}
