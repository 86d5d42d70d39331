//! Cohort comparison: difference in differences against earlier cohorts (growth-method.md §4;
//! Engzell, Frey & Verhagen 2021). Raw gains from the last pre-corona score to the target, current
//! cohort against the baseline cohorts of the same transition, adjusted for the school months
//! between the two tests (and optionally a linear year trend).

use std::collections::{BTreeMap, BTreeSet};

use schoolscan_domain::{Grade, SchoolYear};

use crate::engine::{Ctx, UnitResult, fin, fin2, too_small, unit_names};
use crate::findings::CohortRow;
use crate::measure::{Key, KeyModel};
use crate::stats::cluster::kish_deff;
use crate::stats::linalg::Cholesky;

/// Schools needed for a cluster-robust (by school) standard error.
const MIN_CLUSTERS: usize = 10;

pub struct DidRow {
    pub g: f64,
    pub dm: f64,
    pub year: f64,
    pub treated: bool,
    pub school: usize,
}

/// OLS of g on [1, dm − mean, T (, year − mean)]: (δ̂, SE(δ̂)). CR1 cluster-robust by school with
/// at least `MIN_CLUSTERS` schools, else the OLS variance times `deff`.
pub fn did(rows: &[DidRow], trend: bool, deff: f64) -> Option<(f64, f64, &'static str)> {
    let n = rows.len();
    let p = if trend { 4 } else { 3 };
    if n <= p + 1 {
        return None;
    }
    let mdm = rows.iter().map(|r| r.dm).sum::<f64>() / n as f64;
    let my = rows.iter().map(|r| r.year).sum::<f64>() / n as f64;
    let xrow = |r: &DidRow| -> Vec<f64> {
        let mut x = vec![1.0, r.dm - mdm, if r.treated { 1.0 } else { 0.0 }];
        if trend {
            x.push(r.year - my);
        }
        x
    };
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    for r in rows {
        let x = xrow(r);
        for a in 0..p {
            xty[a] += x[a] * r.g;
            for b in 0..p {
                xtx[a * p + b] += x[a] * x[b];
            }
        }
    }
    let ch = Cholesky::new(&xtx, p)?;
    let beta = ch.solve(&xty);
    let inv = ch.inverse();
    let resid: Vec<f64> =
        rows.iter().map(|r| r.g - xrow(r).iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>()).collect();
    let schools: BTreeSet<usize> = rows.iter().map(|r| r.school).collect();
    let t = 2; // index of δ
    if schools.len() >= MIN_CLUSTERS {
        // CR1: (X'X)⁻¹ Σ_g (X_g' e_g)(X_g' e_g)' (X'X)⁻¹ · G/(G−1) · (N−1)/(N−p)
        let mut score: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        for (r, e) in rows.iter().zip(&resid) {
            let s = score.entry(r.school).or_insert_with(|| vec![0.0; p]);
            for (a, xa) in xrow(r).iter().enumerate() {
                s[a] += xa * e;
            }
        }
        let mut meat = vec![0.0; p * p];
        for s in score.values() {
            for a in 0..p {
                for b in 0..p {
                    meat[a * p + b] += s[a] * s[b];
                }
            }
        }
        let g = schools.len() as f64;
        let adj = g / (g - 1.0) * (n as f64 - 1.0) / (n as f64 - p as f64);
        // Row t of inv · meat · inv.
        let mut v = 0.0;
        for a in 0..p {
            for b in 0..p {
                v += inv[t * p + a] * meat[a * p + b] * inv[b * p + t];
            }
        }
        Some((beta[t], (v * adj).max(0.0).sqrt(), "cluster_robust_school"))
    } else {
        let s2 = resid.iter().map(|e| e * e).sum::<f64>() / (n - p) as f64;
        Some((beta[t], (s2 * inv[t * p + t] * deff).max(0.0).sqrt(), "model_design_effect"))
    }
}

/// One row per main unit × transition (target moment and last pre-corona moment) in the scope.
pub fn cohort_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<CohortRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        // Order-1 models by key.
        let order1: BTreeMap<&Key, &KeyModel> =
            ur.um.models.iter().filter(|m| m.key.priors.len() == 1).map(|m| (&m.key, m)).collect();
        let mut groups: BTreeMap<Key, Vec<&crate::measure::PupilRes>> = BTreeMap::new();
        for p in ur.um.current.iter().filter(|p| ctx.in_scope(p.school)) {
            let k = &ur.um.models[p.model].key;
            groups.entry(Key { target: k.target, priors: vec![k.priors[0]] }).or_default().push(p);
        }
        let icc = ur.vc_es.map_or(0.0, |v| v.icc());
        for (key, cur) in groups {
            let Some(m) = order1.get(&key) else { continue };
            let base: Vec<&crate::measure::BaseRes> =
                m.baseline.iter().filter(|b| ctx.in_scope(b.school)).collect();
            let years: BTreeSet<i32> = base.iter().map(|b| b.year).collect();
            let n_c = cur.len();
            let n_b = base.len();
            let grade: Grade = key.target.grade;
            let mean_gain_c = cur.iter().map(|p| p.gain).sum::<f64>() / n_c.max(1) as f64;
            let mean_gain_b = base.iter().map(|b| b.gain).sum::<f64>() / n_b.max(1) as f64;
            let mut row = CohortRow {
                school: ctx.cfg.school.clone(),
                grade,
                subject: subject.clone(),
                scale: scale.clone(),
                transition: key.label(),
                n_current: n_c,
                n_baseline: n_b,
                baseline_years: years.iter().map(|&y| SchoolYear::new(y)).collect(),
                mean_gain_current: mean_gain_c,
                mean_gain_baseline: mean_gain_b,
                growth_difference: f64::NAN,
                delay_months: None,
                ci95: None,
                effect_size: None,
                delay_months_with_trend: None,
                ci95_with_trend: None,
                se_method: String::new(),
                warning: None,
            };
            if n_c < ctx.cfg.min_n || n_b < ctx.cfg.min_n {
                row.warning = Some(too_small(n_c.min(n_b)));
                row.growth_difference = mean_gain_c - mean_gain_b;
                if !row.growth_difference.is_finite() {
                    row.growth_difference = 0.0;
                }
                rows.push(row);
                continue;
            }
            let mut class_sizes: BTreeMap<Option<usize>, usize> = BTreeMap::new();
            for p in &cur {
                *class_sizes.entry(p.class).or_default() += 1;
            }
            let mbar = n_c as f64 / class_sizes.len().max(1) as f64;
            let deff = kish_deff(mbar, icc);
            let mut data: Vec<DidRow> = cur
                .iter()
                .map(|p| DidRow {
                    g: p.gain,
                    dm: p.dm,
                    year: f64::from(ctx.year),
                    treated: true,
                    school: p.school,
                })
                .collect();
            data.extend(base.iter().map(|b| DidRow {
                g: b.gain,
                dm: b.dm,
                year: f64::from(b.year),
                treated: false,
                school: b.school,
            }));
            let months_ok = m.months;
            if let Some((delta, se, method)) = did(&data, false, deff) {
                row.growth_difference = delta;
                row.se_method = method.to_owned();
                row.effect_size = fin(-delta / m.s1);
                if months_ok {
                    row.delay_months = fin(-delta / m.gamma);
                    row.ci95 = fin2([(-delta - 1.96 * se) / m.gamma, (-delta + 1.96 * se) / m.gamma]);
                }
            } else {
                row.growth_difference = mean_gain_c - mean_gain_b;
                row.warning = Some("het verschil-in-verschillenmodel kon niet worden geschat".to_owned());
            }
            if years.len() >= 3
                && months_ok
                && let Some((delta, se, _)) = did(&data, true, deff)
            {
                row.delay_months_with_trend = fin(-delta / m.gamma);
                row.ci95_with_trend = fin2([(-delta - 1.96 * se) / m.gamma, (-delta + 1.96 * se) / m.gamma]);
            }
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| {
        a.grade
            .cmp(&b.grade)
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
            .then(a.transition.cmp(&b.transition))
    });
    rows
}
