//! A plain baseline-referenced conditional-growth estimate (growth-method §2.2–2.4, one prior,
//! no pooling, no shrinkage) of the mean delay per test at M 2020-2021, for checking the
//! generator against its truth. Shared by `tests/recoverable.rs` and `examples/noise_floor.rs`.

use std::collections::BTreeMap;

use schoolscan_demo::Demo;
use schoolscan_domain::calendar::school_months_between;
use schoolscan_domain::{MomentKind, SchoolYear};
use time::Date;

/// (school, pupil, test) → (start year, grade) → (score, date) of the M tests.
type MScores = BTreeMap<(String, String, String), BTreeMap<(i32, u8), (f64, Date)>>;

fn m_scores(demo: &Demo) -> MScores {
    let mut out: MScores = BTreeMap::new();
    for s in &demo.dataset.scores {
        let (Some(m), Some(a)) = (s.moment, s.ability) else { continue };
        if s.component.is_some() || m.kind != MomentKind::M {
            continue;
        }
        out.entry((s.school.to_string(), s.pupil.to_string(), s.test_key.clone()))
            .or_default()
            .insert((SchoolYear::of(s.date).start_year(), m.grade.get()), (a, s.date));
    }
    out
}

struct Pair {
    y0: f64,
    y1: f64,
    dm: f64,
    key: (String, String, String),
    date1: Date,
}

/// Per test: (estimated mean delay, true mean delay of the same pupils, n) at M 2020-2021, over
/// the pupils with M 2019-2020 and M 2020-2021 in consecutive grades. Baseline: the same
/// transitions of earlier years (targets before the closures).
pub fn estimate(demo: &Demo) -> BTreeMap<String, (f64, f64, usize)> {
    let scores = m_scores(demo);
    let index = demo.truth.score_index();
    // (test, grade at target) → (baseline pairs, current pairs)
    let mut pairs: BTreeMap<(String, u8), (Vec<Pair>, Vec<Pair>)> = BTreeMap::new();
    for (key, by) in &scores {
        for (&(y, g), &(a0, d0)) in by {
            let Some(&(a1, d1)) = by.get(&(y + 1, g + 1)) else { continue };
            let pair =
                Pair { y0: a0, y1: a1, dm: school_months_between(d0, d1), key: key.clone(), date1: d1 };
            let e = pairs.entry((key.2.clone(), g + 1)).or_default();
            if y < 2019 {
                e.0.push(pair);
            } else if y == 2019 {
                e.1.push(pair);
            }
        }
    }
    let mut out: BTreeMap<String, (f64, f64, usize)> = BTreeMap::new();
    for ((test, _), (base, cur)) in &pairs {
        if base.len() < 30 || cur.is_empty() {
            continue;
        }
        let n = base.len() as f64;
        let mean = |f: &dyn Fn(&Pair) -> f64| base.iter().map(f).sum::<f64>() / n;
        let (m0, m1, mdm) = (mean(&|p| p.y0), mean(&|p| p.y1), mean(&|p| p.dm));
        let gamma = (m1 - m0) / mdm;
        let adj = |p: &Pair| p.y1 - gamma * (p.dm - mdm);
        let my = mean(&adj);
        let sxy: f64 = base.iter().map(|p| (p.y0 - m0) * (adj(p) - my)).sum();
        let sxx: f64 = base.iter().map(|p| (p.y0 - m0).powi(2)).sum();
        let beta = sxy / sxx;
        let e = out.entry(test.clone()).or_insert((0.0, 0.0, 0));
        for p in cur {
            let pred = my + beta * (p.y0 - m0) + gamma * (p.dm - mdm);
            let d = -(p.y1 - pred) / gamma;
            let (Ok(school), Ok(pupil)) = (p.key.0.parse(), p.key.1.parse()) else { continue };
            let Some(t) = index.get(&(school, pupil, p.key.2.clone(), None, p.date1)) else { continue };
            e.0 += d;
            e.1 += t.delay_months;
            e.2 += 1;
        }
    }
    out.into_iter().map(|(k, (d, t, n))| (k, (d / n as f64, t / n as f64, n))).collect()
}
