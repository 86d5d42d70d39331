//! Runs validation case V1 (the SGP package's test 0 on `sgpData`) and prints the wall
//! time and the checksums.
//!
//! `cargo run --release -p schoolscan-sgp --example bench_v1 [-- --threads N]`

use std::time::Instant;

use schoolscan_sgp::{SgpConfig, WideData, run_sgp, shared_data};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse::<usize>())
        .transpose()?;
    let path = shared_data::locate("sgpData.csv", env!("CARGO_MANIFEST_DIR").as_ref())?;
    let t0 = Instant::now();
    let data = WideData::from_path(&path)?;
    let t_read = t0.elapsed();
    let mut config = SgpConfig::v1();
    config.threads = threads;
    let t1 = Instant::now();
    let run = run_sgp(&data, &config)?;
    let t_run = t1.elapsed();

    for (g, kb) in &run.knots {
        println!(
            "grade {g}: n {} knots {:?} boundaries {:?} loss.hoss {:?}",
            kb.n, kb.knots, kb.boundaries, kb.loss_hoss
        );
    }
    for m in &run.matrices {
        println!(
            "{:?} order {} n {} objective τ.005 {:.4} τ.505 {:.4} τ.995 {:.4} possibly non-unique τ: {}",
            m.grade_progression,
            m.order(),
            m.n,
            m.objectives[0],
            m.objectives[50],
            m.objectives[99],
            m.possibly_non_unique
        );
    }
    let n = run.pupils.len();
    let sum_sgp: u64 = run.pupils.iter().map(|p| u64::from(p.sgp)).sum();
    let sum_o1: u64 =
        run.pupils.iter().filter_map(|p| p.sgp_by_order.first().copied().flatten()).map(u64::from).sum();
    let sum_prior: f64 = run.pupils.iter().map(|p| p.scale_score_prior).sum();
    let mut orders = [0usize; 3];
    let mut levels = [0usize; 5];
    for p in &run.pupils {
        orders[p.sgp_order - 1] += 1;
        levels[p.sgp_level - 1] += 1;
    }
    println!("N {n}  ΣSGP {sum_sgp}  ΣSGP_ORDER_1 {sum_o1}  ΣSCALE_SCORE_PRIOR {sum_prior}");
    println!("orders {orders:?}  levels {levels:?}");
    println!(
        "read {:.3} s, compute {:.3} s (wall), threads {}",
        t_read.as_secs_f64(),
        t_run.as_secs_f64(),
        threads.map_or_else(|| "auto".to_string(), |t| t.to_string())
    );
    Ok(())
}
