//! Validation case V1 (`shared/domain/growth-method.md` §11): the SGP package's own test 0
//! on `sgpData`, reproduced exactly.
//!
//! The data file is not in the repository. It is found through `$SCHOOLSCAN_SHARED_DATA`
//! (a directory) or `shared/data/sgpData.csv` in an ancestor of this crate; when it is
//! absent the tests FAIL with a message saying where they looked.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use schoolscan_sgp::bspline::BsBasis;
use schoolscan_sgp::rmath::round_r;
use schoolscan_sgp::rq::{RqSolver, rq_path};
use schoolscan_sgp::{SgpConfig, SgpRun, WideData, run_sgp, shared_data};

fn data() -> &'static WideData {
    static DATA: OnceLock<WideData> = OnceLock::new();
    DATA.get_or_init(|| {
        let path = shared_data::locate("sgpData.csv", env!("CARGO_MANIFEST_DIR").as_ref())
            .unwrap_or_else(|msg| panic!("V1 cannot run: {msg}"));
        WideData::from_path(&path).expect("sgpData.csv is readable")
    })
}

fn run() -> &'static SgpRun {
    static RUN: OnceLock<SgpRun> = OnceLock::new();
    RUN.get_or_init(|| run_sgp(data(), &SgpConfig::v1()).expect("V1 runs"))
}

#[test]
fn v1_checksums() {
    let run = run();
    let p = &run.pupils;
    assert_eq!(p.len(), 34_225, "N");
    let sum_sgp: u64 = p.iter().map(|x| u64::from(x.sgp)).sum();
    assert_eq!(sum_sgp, 1_707_319, "ΣSGP");
    let o1: Vec<u64> =
        p.iter().filter_map(|x| x.sgp_by_order.first().copied().flatten()).map(u64::from).collect();
    assert_eq!(o1.iter().sum::<u64>(), 1_708_589, "ΣSGP_ORDER_1");
    let prior: f64 = p.iter().map(|x| x.scale_score_prior).sum();
    assert_eq!(prior, 20_707_938.0, "ΣSCALE_SCORE_PRIOR");
    let mut orders = [0usize; 3];
    let mut levels = [0usize; 5];
    for x in p {
        orders[x.sgp_order - 1] += 1;
        levels[x.sgp_level - 1] += 1;
    }
    assert_eq!(orders, [8_666, 7_639, 17_920], "table(SGP_ORDER)");
    assert_eq!(levels, [6_740, 6_824, 7_176, 6_835, 6_650], "table(SGP_LEVEL)");
}

#[test]
fn v1_intermediate_sums() {
    let run = run();
    let p = &run.pupils;
    // Per final grade: n and ΣSGP.
    let mut per_grade: BTreeMap<i32, (usize, u64)> = BTreeMap::new();
    for x in p {
        let e = per_grade.entry(x.grade).or_default();
        e.0 += 1;
        e.1 += u64::from(x.sgp);
    }
    let want: BTreeMap<i32, (usize, u64)> = [
        (4, (6_977, 348_276)),
        (5, (7_026, 351_570)),
        (6, (6_856, 340_821)),
        (7, (6_659, 333_081)),
        (8, (6_707, 333_571)),
    ]
    .into_iter()
    .collect();
    assert_eq!(per_grade, want);
    // Orders per grade.
    let count = |g: i32, o: usize| p.iter().filter(|x| x.grade == g && x.sgp_order == o).count();
    assert_eq!((count(5, 1), count(5, 2)), (558, 6_468));
    assert_eq!([count(6, 1), count(7, 1), count(8, 1)], [365, 380, 386]);
    assert_eq!([count(6, 2), count(7, 2), count(8, 2)], [528, 334, 309]);
    assert_eq!([count(6, 3), count(7, 3), count(8, 3)], [5_963, 5_945, 6_012]);
    // Other orders.
    for (k, n, sum) in [(1usize, 34_225usize, 1_708_589u64), (2, 25_559, 1_275_039), (3, 17_920, 892_776)] {
        let v: Vec<u64> =
            p.iter().filter_map(|x| x.sgp_by_order.get(k - 1).copied().flatten()).map(u64::from).collect();
        assert_eq!((v.len(), v.iter().sum::<u64>()), (n, sum), "SGP_ORDER_{k}");
    }
    assert_eq!(p.iter().filter(|x| x.sgp == 1).count(), 587);
    assert_eq!(p.iter().filter(|x| x.sgp == 99).count(), 482);
}

#[test]
fn v1_sample_pupils() {
    let run = run();
    let by_id: BTreeMap<&str, (u8, usize)> =
        run.pupils.iter().map(|x| (x.id.as_str(), (x.sgp, x.sgp_order))).collect();
    for (id, sgp, order) in [
        ("1000486", 96, 3),
        ("1000715", 82, 2),
        ("1001025", 8, 2),
        ("1002024", 88, 1),
        ("1002304", 35, 1),
        ("1002734", 54, 3),
        ("1003335", 29, 3),
        ("1004457", 70, 1),
    ] {
        assert_eq!(by_id.get(id), Some(&(sgp, order)), "pupil {id}");
    }
}

#[test]
fn v1_knots_boundaries_and_cohorts() {
    let run = run();
    let want = [
        (3, 7_432, [510.0, 548.0, 580.0, 617.0], [85.5, 859.5], [150.0, 795.0]),
        (4, 7_484, [538.0, 579.0, 609.0, 639.0], [120.7, 832.3], [180.0, 773.0]),
        (5, 7_286, [564.0, 603.0, 635.0, 666.0], [156.7, 916.3], [220.0, 853.0]),
        (6, 7_125, [582.0, 623.0, 652.0, 681.0], [204.9, 866.1], [260.0, 811.0]),
        (7, 7_151, [596.0, 634.0, 662.0, 692.0], [245.5, 899.5], [300.0, 845.0]),
        (8, 7_073, [603.0, 639.0, 666.0, 696.0], [279.8, 882.2], [330.0, 832.0]),
    ];
    assert_eq!(run.knots.len(), want.len());
    for (g, n, knots, bnd, lh) in want {
        let kb = &run.knots[&g];
        assert_eq!(kb.n, n, "grade {g}");
        assert_eq!(kb.knots, knots.to_vec(), "grade {g}");
        assert_eq!(kb.boundaries, bnd, "grade {g}");
        assert_eq!(kb.loss_hoss, lh, "grade {g}");
    }
    let sizes: Vec<(Vec<i32>, usize)> =
        run.matrices.iter().map(|m| (m.grade_progression.clone(), m.n)).collect();
    let want: Vec<(Vec<i32>, usize)> = vec![
        (vec![3, 4], 6_977),
        (vec![4, 5], 7_026),
        (vec![3, 4, 5], 6_468),
        (vec![5, 6], 6_856),
        (vec![4, 5, 6], 6_491),
        (vec![3, 4, 5, 6], 5_963),
        (vec![6, 7], 6_659),
        (vec![5, 6, 7], 6_279),
        (vec![4, 5, 6, 7], 5_945),
        (vec![7, 8], 6_707),
        (vec![6, 7, 8], 6_321),
        (vec![5, 6, 7, 8], 6_012),
    ];
    assert_eq!(sizes, want);
    assert_eq!(
        run.progressions,
        vec![vec![3, 4], vec![3, 4, 5], vec![3, 4, 5, 6], vec![4, 5, 6, 7], vec![5, 6, 7, 8]]
    );
    // Every prior used lies inside its boundaries (V1 never extrapolates).
    let d = data();
    let row_of: BTreeMap<&str, usize> = d.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut checked = 0usize;
    for x in &run.pupils {
        let i = row_of[x.id.as_str()];
        for j in 1..=x.sgp_order {
            let yj = d.year_index(2025 - j as i32).unwrap();
            let (g, s) = (d.grades[yj][i].unwrap(), d.scores[yj][i].unwrap());
            assert_eq!(g, x.grade - j as i32);
            let kb = &run.knots[&g];
            assert!(s >= kb.boundaries[0] && s <= kb.boundaries[1], "pupil {} prior {s}", x.id);
            checked += 1;
        }
    }
    assert_eq!(checked, 8_666 + 2 * 7_639 + 3 * 17_920);
}

/// The norm group 3 → 4 (order 1): design matrix and response.
fn norm_group_3_4() -> (Vec<f64>, Vec<f64>) {
    let d = data();
    let (y24, y25) = (d.year_index(2024).expect("2024 in file"), d.year_index(2025).expect("2025 in file"));
    let basis = BsBasis::new(&[510.0, 548.0, 580.0, 617.0], [85.5, 859.5]);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for i in 0..d.len() {
        if d.grades[y24][i] == Some(3)
            && d.grades[y25][i] == Some(4)
            && let (Some(prior), Some(now)) = (d.scores[y24][i], d.scores[y25][i])
        {
            x.push(1.0);
            x.extend(basis.eval(prior));
            y.push(now);
        }
    }
    (x, y)
}

#[test]
fn v1_lp_objectives_and_vertices_for_3_to_4() {
    let (x, y) = norm_group_3_4();
    assert_eq!(y.len(), 6_977);
    // Warm-started path over the three τ ...
    let path = rq_path(&x, 8, &y, &[0.005, 0.505, 0.995]).unwrap();
    // ... and each τ from a cold start: the same unique optimum.
    for (fit, (want, on_fit)) in path.iter().zip([(4_867.112_9, 18), (79_069.946_5, 9), (2_779.839_8, 8)]) {
        assert_eq!(round_r(fit.objective, 4), want, "τ = {}", fit.tau);
        assert_eq!(fit.zero_residuals, on_fit, "observations on the fit, τ = {}", fit.tau);
        assert!(!fit.possibly_non_unique);
        let cold = RqSolver::new(&x, 8, &y).unwrap().solve(fit.tau).unwrap();
        assert_eq!(round_r(cold.objective, 4), want);
        for (a, b) in cold.coefficients.iter().zip(&fit.coefficients) {
            assert!((a - b).abs() < 1e-8, "cold and warm vertex differ at τ = {}", fit.tau);
        }
    }
}

#[test]
fn v1_b_spline_row_and_predictions_at_median() {
    let basis = BsBasis::new(&[510.0, 548.0, 580.0, 617.0], [85.5, 859.5]);
    let row: Vec<f64> = basis.eval(548.0).into_iter().map(|v| round_r(v, 6)).collect();
    assert_eq!(row, vec![0.0, 0.029_583, 0.777_627, 0.19279, 0.0, 0.0, 0.0]);

    let run = run();
    let m = run.matrices.iter().find(|m| m.grade_progression == [3, 4]).unwrap();
    assert!((m.taus[50] - 0.505).abs() < 1e-12);
    let beta = &m.coefficients[50];
    for (prior, want) in [
        (400.0, 481.980_63),
        (510.0, 557.810_88),
        (548.0, 585.536_49),
        (580.0, 605.696_42),
        (617.0, 627.669_06),
        (700.0, 659.8141),
    ] {
        let mut r = vec![1.0];
        r.extend(basis.eval(prior));
        let q: f64 = r.iter().zip(beta).map(|(a, b)| a * b).sum();
        assert_eq!(round_r(q, 5), want, "prior {prior}");
    }
}

/// The acceptance call of the `schoolscan sgp` command: every progression the file allows
/// for 2025 with at most 3 priors gives the same pupils and sums as the package's test 0.
#[test]
fn v1_through_the_command_entry_point() {
    let path = shared_data::locate("sgpData.csv", env!("CARGO_MANIFEST_DIR").as_ref())
        .unwrap_or_else(|msg| panic!("V1 cannot run: {msg}"));
    let mut csv_out = Vec::new();
    let summary = schoolscan_sgp::run_sgp_command(
        &path,
        Some(2025),
        Some(3),
        schoolscan_sgp::OutputFormat::Csv,
        &mut csv_out,
    )
    .unwrap();
    assert_eq!(
        summary.progressions,
        vec![vec![3, 4], vec![3, 4, 5], vec![3, 4, 5, 6], vec![4, 5, 6, 7], vec![5, 6, 7, 8]]
    );
    assert_eq!(summary.n, 34_225);
    assert_eq!(summary.sum_sgp, 1_707_319);
    assert_eq!(summary.sum_sgp_order_1, 1_708_589);
    assert_eq!(summary.sum_scale_score_prior, 20_707_938.0);
    assert_eq!(summary.orders, vec![8_666, 7_639, 17_920]);
    assert_eq!(summary.levels, vec![6_740, 6_824, 7_176, 6_835, 6_650]);

    // The CSV itself carries the same figures.
    let mut rdr = csv::Reader::from_reader(csv_out.as_slice());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "ID",
            "GRADE",
            "SCALE_SCORE",
            "SGP",
            "SGP_ORDER",
            "SGP_ORDER_1",
            "SGP_ORDER_2",
            "SGP_ORDER_3",
            "SCALE_SCORE_PRIOR",
            "SGP_LEVEL"
        ]
    );
    let (mut n, mut sgp, mut o1, mut prior) = (0usize, 0u64, 0u64, 0u64);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        n += 1;
        sgp += rec[3].parse::<u64>().unwrap();
        o1 += rec[5].parse::<u64>().unwrap();
        prior += rec[8].parse::<u64>().unwrap();
    }
    assert_eq!((n, sgp, o1, prior), (34_225, 1_707_319, 1_708_589, 20_707_938));

    // Pupils equal the explicit V1 run.
    let by_id: std::collections::HashMap<&str, u8> =
        run().pupils.iter().map(|p| (p.id.as_str(), p.sgp)).collect();
    let mut rdr = csv::Reader::from_reader(csv_out.as_slice());
    for rec in rdr.records() {
        let rec = rec.unwrap();
        assert_eq!(by_id[&rec[0]], rec[3].parse::<u8>().unwrap());
    }
}
