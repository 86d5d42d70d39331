//! Validation case V5 (growth-method.md §11): Reliable Change Index with per-score CSEM on
//! `sgptData_LONG.csv`, window 1 paired with window 3 of the same pupil, content area and year.

mod common;

use std::collections::BTreeMap;

use common::{assert_close, col, read_csv};
use schoolscan_analysis::stats::{combine, rci};

struct Pair {
    year: String,
    area: String,
    gain: f64,
    s_diff: f64,
    rc: f64,
    rc_rasch: f64,
}

fn pairs() -> Vec<Pair> {
    let (h, rows) = read_csv("sgptData_LONG.csv");
    assert_eq!(rows.len(), 44_007, "row count of sgptData_LONG.csv");
    let (cy, cid, ca, cs, ccs, cr, ccr) = (
        col(&h, "YEAR"),
        col(&h, "ID"),
        col(&h, "CONTENT_AREA"),
        col(&h, "SCALE_SCORE"),
        col(&h, "SCALE_SCORE_CSEM"),
        col(&h, "SCALE_SCORE_RASCH"),
        col(&h, "SCALE_SCORE_RASCH_CSEM"),
    );
    // (school year, id, area) -> window -> (score, csem, rasch, rasch csem)
    type Key = (String, String, String);
    type Windows = BTreeMap<u8, (f64, f64, f64, f64)>;
    let mut by: BTreeMap<Key, Windows> = BTreeMap::new();
    let f = |s: &str| s.parse::<f64>().expect("number");
    for r in &rows {
        let (sy, w) = r[cy].split_once('.').expect("YEAR has a window");
        let w: u8 = w.parse().expect("window");
        let prev = by
            .entry((sy.to_owned(), r[cid].clone(), r[ca].clone()))
            .or_default()
            .insert(w, (f(&r[cs]), f(&r[ccs]), f(&r[cr]), f(&r[ccr])));
        assert!(prev.is_none(), "duplicate key");
    }
    by.into_iter()
        .filter_map(|((year, _, area), w)| {
            let (a, b) = (w.get(&1)?, w.get(&3)?);
            let s_diff = rci::s_diff_csem(a.1, b.1);
            Some(Pair {
                year,
                area,
                gain: b.0 - a.0,
                s_diff,
                rc: rci::rc_csem(a.0, b.0, a.1, b.1),
                rc_rasch: rci::rc_csem(a.2, b.2, a.3, b.3),
            })
        })
        .collect()
}

fn pct(k: usize, n: usize) -> f64 {
    100.0 * k as f64 / n as f64
}

#[test]
fn reliable_change_totals() {
    let p = pairs();
    assert_eq!(p.len(), 11_904);
    let per_year = |y: &str| p.iter().filter(|x| x.year == y).count();
    assert_eq!(per_year("2022_2023"), 2_153);
    assert_eq!(per_year("2023_2024"), 3_413);
    assert_eq!(per_year("2024_2025"), 6_338);
    let gains: Vec<f64> = p.iter().map(|x| x.gain).collect();
    assert_close("mean gain", combine::mean(&gains), 47.36, 2);
    assert_close("SD gain", combine::sd(&gains), 65.54, 2);
    let sd: Vec<f64> = p.iter().map(|x| x.s_diff).collect();
    assert_close("mean S_diff", combine::mean(&sd), 39.21, 2);
    assert!(p.iter().all(|x| (x.rc.abs() - 1.96).abs() > 1e-12), "a pair lies exactly on the cut");
    let up = p.iter().filter(|x| rci::reliable_direction(x.rc) == 1).count();
    let down = p.iter().filter(|x| rci::reliable_direction(x.rc) == -1).count();
    assert_eq!(up, 3_312);
    assert_eq!(down, 248);
    assert_close("% up", pct(up, p.len()), 27.82, 2);
    assert_close("% down", pct(down, p.len()), 2.08, 2);
    // The same recipe on the Rasch scale.
    let up_r = p.iter().filter(|x| rci::reliable_direction(x.rc_rasch) == 1).count();
    let down_r = p.iter().filter(|x| rci::reliable_direction(x.rc_rasch) == -1).count();
    assert_close("% up (Rasch)", pct(up_r, p.len()), 27.85, 2);
    assert_close("% down (Rasch)", pct(down_r, p.len()), 2.09, 2);
}

#[test]
fn reliable_change_by_content_area() {
    let p = pairs();
    // (area, n, mean gain, % up, % down) from growth-method.md §11 V5.
    let want = [
        ("MATHEMATICS_RASCH", 3_222, 42.96, 24.02, 1.58),
        ("READING_RASCH", 2_789, 30.00, 16.49, 2.33),
        ("MATHEMATICS_SPANISH_RASCH", 1_715, 48.21, 28.80, 2.16),
        ("READING_SPANISH_RASCH", 1_866, 27.94, 17.20, 3.22),
        ("EARLY_LITERACY_RASCH", 854, 91.37, 55.39, 0.82),
        ("EARLY_LITERACY_SPANISH_RASCH", 719, 95.25, 57.44, 0.83),
        ("READING_UNIFIED_RASCH", 739, 81.73, 51.01, 2.98),
    ];
    let mut total = 0;
    for (area, n, gain, up, down) in want {
        let sel: Vec<&Pair> = p.iter().filter(|x| x.area == area).collect();
        assert_eq!(sel.len(), n, "{area} n");
        total += n;
        let g: Vec<f64> = sel.iter().map(|x| x.gain).collect();
        assert_close(&format!("{area} mean gain"), combine::mean(&g), gain, 2);
        let u = sel.iter().filter(|x| rci::reliable_direction(x.rc) == 1).count();
        let d = sel.iter().filter(|x| rci::reliable_direction(x.rc) == -1).count();
        assert_close(&format!("{area} % up"), pct(u, n), up, 2);
        assert_close(&format!("{area} % down"), pct(d, n), down, 2);
    }
    assert_eq!(total, p.len());
}
