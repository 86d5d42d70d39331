//! The core measurement at one moment (growth-method.md §2–§3): for every unit, the baseline
//! models per transition fitted on pre-corona cohorts of all schools (school random intercept,
//! empirical-Bayes school effects), and every current pupil's residual, delay, effect size and
//! own-growth z.

use std::collections::{BTreeMap, BTreeSet};

use schoolscan_domain::{Date, Grade, Moment, MomentKind};

use crate::prep::{Obs, Prepared, Unit};
use crate::stats::combine::{mean, quantile_sorted, sd};
use crate::stats::linalg::quad_form;
use crate::stats::mixed::{self, EbEffect, Method};

/// A transition: target moment and the prior moments with their distance in school years.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub target: Moment,
    /// (moment, target year − prior year), most recent prior first.
    pub priors: Vec<(Moment, i32)>,
}

impl Key {
    pub fn label(&self) -> String {
        let pri: Vec<String> = self.priors.iter().rev().map(|(m, _)| m.to_string()).collect();
        format!("{}→{}", pri.join(","), self.target)
    }
}

/// Settings the measurement needs.
#[derive(Debug, Clone)]
pub struct MeasureSettings {
    pub closure: Date,
    pub baseline_years: Option<BTreeSet<i32>>,
    pub min_baseline_n: usize,
    pub months_min_ratio: f64,
    pub max_order: usize,
}

/// A baseline pupil's residual under the fitted model.
#[derive(Debug, Clone)]
pub struct BaseRes {
    pub pupil: usize,
    pub school: usize,
    pub year: i32,
    pub d: Option<f64>,
    pub es: f64,
    pub z: f64,
    pub bottom20: bool,
    pub gain: f64,
    pub dm: f64,
    /// The most recent prior score and the date-adjusted target score y − slope·(dm − mean dm)
    /// (the response of the mean model; used by the growth percentiles).
    pub prior: f64,
    pub y_adj: f64,
}

/// The fitted baseline model of one transition.
#[derive(Debug, Clone)]
pub struct KeyModel {
    pub key: Key,
    pub n: usize,
    pub n_schools: usize,
    pub years: Vec<i32>,
    pub gamma: f64,
    pub gamma_se: f64,
    pub months: bool,
    pub slope: f64,
    pub mean_dm: f64,
    pub centres: Vec<f64>,
    pub beta: Vec<f64>,
    pub cov_beta: Vec<f64>,
    pub sigma2: f64,
    pub tau2: f64,
    pub s1: f64,
    pub q20: f64,
    /// EB effect per school index (None: no baseline pupils there).
    pub eb: Vec<Option<EbEffect>>,
    pub baseline: Vec<BaseRes>,
    pub n_current: usize,
    /// Mean measurement variance of the baseline residuals (CSEM² of the target plus β_k²·CSEM²
    /// of the priors), over the baseline rows with all CSEMs known; `None` below 30 such rows.
    pub mean_meas_var: Option<f64>,
}

impl KeyModel {
    /// Variance of the school's baseline effect: posterior variance, or τ² when the school has no
    /// baseline pupils (its effect is then unknown and the database average is used).
    pub fn school_var(&self, school: usize) -> f64 {
        self.eb.get(school).copied().flatten().map_or(self.tau2, |e| e.post_var)
    }
    pub fn school_u(&self, school: usize) -> f64 {
        self.eb.get(school).copied().flatten().map_or(0.0, |e| e.u)
    }
}

/// One current pupil's result in one unit.
#[derive(Debug, Clone)]
pub struct PupilRes {
    pub pupil: usize,
    pub school: usize,
    pub grade: Grade,
    pub class: Option<usize>,
    pub model: usize,
    pub x: Vec<f64>,
    pub d: Option<f64>,
    pub es: f64,
    /// Own-growth z with the sign of a delay (> 0 = behind).
    pub z_behind: f64,
    pub sd_pred: f64,
    /// Measurement SE of the residual in scale points, when CSEMs are known.
    pub se_meas: Option<f64>,
    pub bottom20: bool,
    pub gain: f64,
    pub dm: f64,
    /// The most recent pre-corona score and the target score (raw scale values).
    pub prior: f64,
    pub y: f64,
    /// Baseline-referenced growth percentile (1–99) and whether it came from the pooled model.
    pub sgp: Option<u8>,
    pub sgp_pooled: bool,
    /// The target score, its moment and date, and the model's expected score (scale points).
    pub score: f64,
    pub target: Moment,
    pub date: Date,
    pub expected: f64,
}

/// A current pupil without a growth figure.
#[derive(Debug, Clone)]
pub struct CohortOnly {
    pub pupil: usize,
    pub school: usize,
    pub grade: Grade,
    pub percentile: Option<f64>,
    pub es: Option<f64>,
    pub n_baseline: usize,
    pub reason: &'static str,
}

/// Everything measured for one unit at one moment.
#[derive(Debug, Clone)]
pub struct UnitMeasure {
    pub unit: usize,
    pub models: Vec<KeyModel>,
    pub current: Vec<PupilRes>,
    pub cohort_only: Vec<CohortOnly>,
    /// Current target scores per school (pool).
    pub targets_per_school: BTreeMap<usize, usize>,
    pub no_prior: BTreeMap<usize, usize>,
    pub no_model: BTreeMap<usize, usize>,
    pub dates: Vec<(usize, Date)>,
}

pub const REASON_NO_PRIOR: &str = "geen score op deze schaal van vóór de schoolsluiting";
pub const REASON_NO_MODEL: &str = "te weinig vergelijkbare leerlingen vóór corona voor deze overgang";

struct BaseRow {
    pupil: usize,
    school: usize,
    year: i32,
    y1: f64,
    priors: Vec<f64>,
    dm: f64,
    /// CSEMs of the target and the priors (same order), when all are known.
    csem: Option<Vec<f64>>,
}

fn find(obs: &[Obs], moment: Moment, year: i32, before: Date) -> Option<&Obs> {
    obs.iter().rev().find(|o| o.moment == moment && o.year == year && o.date < before)
}

/// Measure one unit at target (year, kind). `None` when no current pupil has a target score.
pub fn measure_unit(
    prep: &Prepared,
    u: usize,
    year: i32,
    kind: MomentKind,
    st: &MeasureSettings,
) -> Option<UnitMeasure> {
    let unit: &Unit = &prep.units[u];
    let closure = st.closure;
    let year_ok = |y: i32| y < year && st.baseline_years.as_ref().is_none_or(|s| s.contains(&y));

    // 1. Current pupils and the transitions they need.
    struct Cur<'a> {
        pupil: usize,
        t: &'a Obs,
        priors: Vec<&'a Obs>,
    }
    let mut cur: Vec<Cur> = Vec::new();
    for (p, obs) in &unit.series {
        let Some(t) = obs.iter().rev().find(|o| o.year == year && o.moment.kind == kind && o.date >= closure)
        else {
            continue;
        };
        let priors: Vec<&Obs> =
            obs.iter().filter(|o| o.date < closure).rev().take(st.max_order.max(1)).collect();
        cur.push(Cur { pupil: *p, t, priors });
    }
    if cur.is_empty() {
        return None;
    }
    let key_of = |c: &Cur, order: usize| -> Option<Key> {
        if c.priors.len() < order {
            return None;
        }
        Some(Key {
            target: c.t.moment,
            priors: c.priors[..order].iter().map(|o| (o.moment, year - o.year)).collect(),
        })
    };
    let mut needed: BTreeSet<Key> = BTreeSet::new();
    let mut targets: BTreeSet<Moment> = BTreeSet::new();
    for c in &cur {
        targets.insert(c.t.moment);
        for order in 1..=st.max_order {
            if let Some(k) = key_of(c, order) {
                needed.insert(k);
            }
        }
    }

    // 2. Baseline rows per transition, and the baseline distribution per target moment.
    let mut base: BTreeMap<Key, Vec<BaseRow>> = needed.iter().map(|k| (k.clone(), Vec::new())).collect();
    let mut dist: BTreeMap<Moment, Vec<f64>> = targets.iter().map(|m| (*m, Vec::new())).collect();
    for (p, obs) in &unit.series {
        let school = prep.pupils[*p].school;
        for o in obs {
            if o.date >= closure || !year_ok(o.year) || !targets.contains(&o.moment) {
                continue;
            }
            if let Some(d) = dist.get_mut(&o.moment) {
                d.push(o.value);
            }
            for (k, rows) in base.range_mut(Key { target: o.moment, priors: Vec::new() }..) {
                if k.target != o.moment {
                    break;
                }
                let found: Option<Vec<&Obs>> =
                    k.priors.iter().map(|(m, off)| find(obs, *m, o.year - off, o.date)).collect();
                if let Some(pr) = found {
                    rows.push(BaseRow {
                        pupil: *p,
                        school,
                        year: o.year,
                        y1: o.value,
                        priors: pr.iter().map(|x| x.value).collect(),
                        dm: o.m - pr[0].m,
                        csem: std::iter::once(o.csem).chain(pr.iter().map(|x| x.csem)).collect(),
                    });
                }
            }
        }
    }
    for d in dist.values_mut() {
        d.sort_by(f64::total_cmp);
    }
    // Mean and SD of each baseline distribution, once (not per cohort-only pupil).
    let dist_mean_sd: BTreeMap<Moment, (f64, f64)> =
        dist.iter().map(|(m, d)| (*m, (mean(d), sd(d)))).collect();

    // 3. Fit the models.
    let mut models: Vec<KeyModel> = Vec::new();
    let mut model_ix: BTreeMap<Key, usize> = BTreeMap::new();
    for (k, rows) in &base {
        if rows.len() < st.min_baseline_n.max(k.priors.len() + 3) {
            continue;
        }
        if let Some(m) = fit_key(prep, unit, k, rows, st) {
            model_ix.insert(k.clone(), models.len());
            models.push(m);
        }
    }

    // 4. Score the current pupils with the highest-order model available.
    let mut current = Vec::new();
    let mut cohort_only = Vec::new();
    let mut targets_per_school: BTreeMap<usize, usize> = BTreeMap::new();
    let mut no_prior: BTreeMap<usize, usize> = BTreeMap::new();
    let mut no_model: BTreeMap<usize, usize> = BTreeMap::new();
    let mut dates = Vec::new();
    for c in &cur {
        let school = prep.pupils[c.pupil].school;
        *targets_per_school.entry(school).or_default() += 1;
        dates.push((school, c.t.date));
        let (class, grade) = match prep.enrolment(c.pupil, year) {
            Some((cl, g)) => (Some(cl), g),
            None => (None, c.t.moment.grade),
        };
        let chosen = (1..=st.max_order)
            .rev()
            .find_map(|order| key_of(c, order).and_then(|k| model_ix.get(&k).copied()));
        let Some(mi) = chosen else {
            let reason = if c.priors.is_empty() { REASON_NO_PRIOR } else { REASON_NO_MODEL };
            if c.priors.is_empty() {
                *no_prior.entry(school).or_default() += 1;
            } else {
                *no_model.entry(school).or_default() += 1;
            }
            let d = dist.get(&c.t.moment).map(Vec::as_slice).unwrap_or(&[]);
            let (pct, es) = if d.len() >= 2 {
                let (mu, s) = dist_mean_sd.get(&c.t.moment).copied().unwrap_or((f64::NAN, f64::NAN));
                (
                    Some(crate::stats::combine::mid_rank_percentile(d, c.t.value)),
                    if s > 0.0 { Some((mu - c.t.value) / s) } else { None },
                )
            } else {
                (None, None)
            };
            cohort_only.push(CohortOnly {
                pupil: c.pupil,
                school,
                grade,
                percentile: pct,
                es,
                n_baseline: d.len(),
                reason,
            });
            continue;
        };
        let m = &mut models[mi];
        m.n_current += 1;
        let order = m.key.priors.len();
        let mut x = Vec::with_capacity(order + 1);
        x.push(1.0);
        for k in 0..order {
            x.push(c.priors[k].value - m.centres[k]);
        }
        let dm = c.t.m - c.priors[0].m;
        let pred: f64 = x.iter().zip(&m.beta).map(|(a, b)| a * b).sum::<f64>()
            + m.school_u(school)
            + m.slope * (dm - m.mean_dm);
        let r = c.t.value - pred;
        let se_meas = {
            let mut ok = c.t.csem.is_some();
            let mut v = c.t.csem.map_or(0.0, |s| s * s);
            for k in 0..order {
                match c.priors[k].csem {
                    Some(s) => v += (m.beta[k + 1] * s).powi(2),
                    None => ok = false,
                }
            }
            ok.then(|| v.sqrt())
        };
        // The pupil's own measurement variance replaces the baseline average (CSEMs are larger
        // at the ends of the scale), so extreme scorers are not flagged on noise alone.
        let resid_var = match (m.mean_meas_var, se_meas) {
            (Some(mv), Some(se)) => (m.sigma2 - mv + se * se).max(0.25 * m.sigma2),
            _ => m.sigma2,
        };
        let var_pred = resid_var + quad_form(&m.cov_beta, &x) + m.school_var(school);
        let sd_pred = var_pred.max(1e-300).sqrt();
        current.push(PupilRes {
            pupil: c.pupil,
            school,
            grade,
            class,
            model: mi,
            d: m.months.then(|| -r / m.gamma),
            es: -r / m.s1,
            z_behind: -r / sd_pred,
            sd_pred,
            se_meas,
            bottom20: c.priors[0].value < m.q20,
            gain: c.t.value - c.priors[0].value,
            dm,
            x,
            prior: c.priors[0].value,
            y: c.t.value,
            sgp: None,
            sgp_pooled: false,
            score: c.t.value,
            target: c.t.moment,
            date: c.t.date,
            expected: pred,
        });
    }
    Some(UnitMeasure { unit: u, models, current, cohort_only, targets_per_school, no_prior, no_model, dates })
}

fn fit_key(
    prep: &Prepared,
    unit: &Unit,
    k: &Key,
    rows: &[BaseRow],
    st: &MeasureSettings,
) -> Option<KeyModel> {
    let n = rows.len();
    let order = k.priors.len();
    let y1: Vec<f64> = rows.iter().map(|r| r.y1).collect();
    let y0: Vec<f64> = rows.iter().map(|r| r.priors[0]).collect();
    let dms: Vec<f64> = rows.iter().map(|r| r.dm).collect();
    let gains: Vec<f64> = rows.iter().map(|r| r.y1 - r.priors[0]).collect();
    let mean_dm = mean(&dms);
    if mean_dm.is_nan() {
        return None;
    }
    let (gamma, gamma_se) = if mean_dm > 0.0 {
        ((mean(&y1) - mean(&y0)) / mean_dm, sd(&gains) / ((n as f64).sqrt() * mean_dm))
    } else {
        (f64::NAN, f64::NAN)
    };
    let vertical = unit.vertical();
    let months = vertical
        && gamma > 0.0
        && gamma_se.is_finite()
        && gamma / gamma_se.max(1e-300) >= st.months_min_ratio;
    let slope = if vertical && gamma > 0.0 { gamma } else { 0.0 };
    let centres: Vec<f64> =
        (0..order).map(|j| mean(&rows.iter().map(|r| r.priors[j]).collect::<Vec<_>>())).collect();
    let p = order + 1;
    let mut x = Vec::with_capacity(n * p);
    let mut y = Vec::with_capacity(n);
    let mut cl = Vec::with_capacity(n);
    for r in rows {
        x.push(1.0);
        for (v, c) in r.priors.iter().zip(&centres) {
            x.push(v - c);
        }
        y.push(r.y1 - slope * (r.dm - mean_dm));
        cl.push(r.school);
    }
    let fit = mixed::fit(&x, &y, &cl, p, Method::Reml)?;
    let s1 = sd(&y1);
    if s1.is_nan() || s1 <= 0.0 || fit.sigma2.is_nan() || fit.sigma2 <= 0.0 {
        return None;
    }
    let eb: Vec<Option<EbEffect>> = (0..prep.schools.len()).map(|j| fit.eb(j)).collect();
    let mut sorted_y0 = y0.clone();
    sorted_y0.sort_by(f64::total_cmp);
    let q20 = quantile_sorted(&sorted_y0, 0.2);
    let sigma = fit.sigma2.sqrt();
    let baseline = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let xi = &x[i * p..(i + 1) * p];
            let pred: f64 =
                xi.iter().zip(&fit.beta).map(|(a, b)| a * b).sum::<f64>() + eb[r.school].map_or(0.0, |e| e.u);
            let res = y[i] - pred;
            BaseRes {
                pupil: r.pupil,
                school: r.school,
                year: r.year,
                d: months.then(|| -res / gamma),
                es: -res / s1,
                z: res / sigma,
                bottom20: r.priors[0] < q20,
                gain: r.y1 - r.priors[0],
                dm: r.dm,
                prior: r.priors[0],
                y_adj: y[i],
            }
        })
        .collect();
    let years: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
    let n_schools = rows.iter().map(|r| r.school).collect::<BTreeSet<_>>().len();
    let meas: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            let c = r.csem.as_ref()?;
            Some(c[0] * c[0] + c[1..].iter().zip(&fit.beta[1..]).map(|(s, b)| (b * s).powi(2)).sum::<f64>())
        })
        .collect();
    let mean_meas_var = (meas.len() >= 30).then(|| mean(&meas));
    Some(KeyModel {
        key: k.clone(),
        n,
        n_schools,
        years: years.into_iter().collect(),
        gamma,
        gamma_se,
        months,
        slope,
        mean_dm,
        centres,
        beta: fit.beta.clone(),
        cov_beta: fit.cov_beta.clone(),
        sigma2: fit.sigma2,
        tau2: fit.tau2,
        s1,
        q20,
        eb,
        baseline,
        n_current: 0,
        mean_meas_var,
    })
}
