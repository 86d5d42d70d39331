//! Baseline-referenced growth percentiles (issue 5; growth-method §9.3): per subject × scale ×
//! transition, the SGP quantile models of `schoolscan-sgp` (cubic B-splines of the prior, 100
//! quantile regressions solved to a vertex, the R package's counting rule) fitted on the
//! pre-corona cohorts and applied to the current pupils.
//!
//! What goes in, per pupil, is what the mean model (measure.rs) uses: the last pre-corona score
//! as the prior, and the target score adjusted for the real test dates (y − γ·(Δm − mean Δm),
//! the response of the mean model) and for the school's own usual growth (its empirical-Bayes
//! baseline effect u). So a percentile compares a pupil with comparable pupils before corona in
//! the same transition, with the same spacing of test dates, at a school growing as theirs did.
//!
//! A transition gets a model of its own when it has at least `Config::min_sgp_n` baseline
//! pupils. Below it, the transition falls back to one model per subject and scale pooled over
//! all its transitions in the database (the board): prior and adjusted target are first
//! standardised within each transition (baseline mean and SD), so the pooled model is the
//! percentile of the standardised score given the standardised prior. When even the pool is
//! below the minimum, no growth percentile is given.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use schoolscan_sgp::knots::KNOT_CUT_PERCENTILES;
use schoolscan_sgp::model::{Predictor, count_percentile};
use schoolscan_sgp::{CoefficientMatrix, KnotsBoundaries, PriorSpec};

use crate::agg::{Cluster, cluster_of};
use crate::engine::{Ctx, UnitResult, fin};
use crate::findings::{GroupRow, GrowthPercentileRow, Interval, Note, PupilRow, SgpModelRow, SubjectRow};
use crate::measure::{Key, KeyModel, PupilRes};

pub(crate) const BASIS_TRANSITION: &str = "transition";

/// Largest norm group of the pooled model. A pool above it is thinned to a systematic sample
/// of this size in the order of (standardised prior, standardised target), which keeps the
/// joint distribution (every quantile of the prior and, within a prior, of the target) and does
/// not depend on pupil numbers or input order. The pooled model is an approximation already
/// (standardised scores); the cap bounds its cost on large boards (a vertex LP per τ is roughly
/// linear in n).
pub(crate) const POOLED_MAX_N: usize = 5000;
pub(crate) const BASIS_POOLED: &str = "pooled";

/// A norm group to fit: one prior and the (adjusted or standardised) target score.
struct Job {
    priors: Vec<f64>,
    current: Vec<f64>,
}

/// Standardisation of one transition for the pooled model.
#[derive(Clone, Copy)]
struct Std {
    mean_prior: f64,
    sd_prior: f64,
    mean_cur: f64,
    sd_cur: f64,
}

fn mean_sd(v: &[f64]) -> Option<(f64, f64)> {
    if v.len() < 2 {
        return None;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let s = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    (s.is_finite() && s > 0.0).then_some((m, s))
}

/// The adjusted target score of a baseline pupil (date-adjusted, minus the school effect).
fn base_current(m: &KeyModel, i: usize) -> f64 {
    let b = &m.baseline[i];
    b.y_adj - m.school_u(b.school)
}

/// The same for a current pupil, under the order-1 model `m`.
fn pupil_current(m: &KeyModel, p: &PupilRes) -> f64 {
    p.y - m.slope * (p.dm - m.mean_dm) - m.school_u(p.school)
}

/// Thins a norm group to `cap` rows: the rows at ranks ⌊(j + ½)·n/cap⌋, j = 0…cap − 1, in the
/// order of (prior, target).
fn thin(job: &mut Job, cap: usize) {
    let n = job.current.len();
    if n <= cap {
        return;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| {
        job.priors[a].total_cmp(&job.priors[b]).then(job.current[a].total_cmp(&job.current[b]))
    });
    let pick: Vec<usize> = (0..cap).map(|j| idx[((2 * j + 1) * n) / (2 * cap)]).collect();
    job.priors = pick.iter().map(|&i| job.priors[i]).collect();
    job.current = pick.iter().map(|&i| job.current[i]).collect();
}

fn fit(job: &Job, minimum: usize) -> Option<CoefficientMatrix> {
    let kb = KnotsBoundaries::from_scores(&job.priors, &KNOT_CUT_PERCENTILES)?;
    let spec = PriorSpec::from_knots(0, &kb);
    CoefficientMatrix::fit_norm_group(
        &[&job.priors],
        &job.current,
        vec![spec],
        Vec::new(),
        Vec::new(),
        minimum,
    )
    .ok()
}

/// Fits every job, on as many threads as the machine offers (results do not depend on it).
fn fit_all(jobs: &[Job], minimum: usize) -> Vec<Option<CoefficientMatrix>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(jobs.len()).max(1);
    if threads == 1 {
        return jobs.iter().map(|j| fit(j, minimum)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Option<CoefficientMatrix>> = (0..jobs.len()).map(|_| None).collect();
    let results: Vec<Vec<(usize, Option<CoefficientMatrix>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= jobs.len() {
                            break;
                        }
                        mine.push((i, fit(&jobs[i], minimum)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    for (i, m) in results.into_iter().flatten() {
        out[i] = m;
    }
    out
}

/// A [`Predictor`] that remembers the predicted quantiles per prior score: scores are integers,
/// so the many pupils sharing a prior (baseline and current) are predicted once. The
/// percentile is then counted from the same quantiles, so results are identical.
struct MemoPredictor<'a> {
    pred: Predictor<'a>,
    /// Sorted, rounded quantiles per (clipped or not, prior bits).
    memo: HashMap<(bool, u64), Vec<f64>>,
}

impl<'a> MemoPredictor<'a> {
    fn new(m: &'a CoefficientMatrix) -> Self {
        Self { pred: Predictor::new(m), memo: HashMap::new() }
    }

    /// The growth percentile of `current` given one prior (see [`Predictor::percentile`]).
    fn percentile(&mut self, priors: &[f64; 1], current: f64, clip: bool) -> schoolscan_sgp::Result<u8> {
        let key = (clip, priors[0].to_bits());
        if let Some(q) = self.memo.get(&key) {
            return Ok(count_percentile(q, current));
        }
        let q = self.pred.predict(priors, clip)?.to_vec();
        let pct = count_percentile(&q, current);
        self.memo.insert(key, q);
        Ok(pct)
    }
}

/// What was planned for one transition (order-1 model) of one unit.
struct TransitionPlan {
    unit: usize,
    model: usize,
    job: Option<usize>,
    std: Option<Std>,
    n_current: usize,
}

/// Computes the growth percentiles of the current pupils in scope (written into
/// `PupilRes::sgp`) and returns one row per transition used.
pub(crate) fn compute(ctx: &Ctx, units: &mut BTreeMap<usize, UnitResult>) -> Vec<SgpModelRow> {
    let min = ctx.cfg.min_sgp_n;
    let mut jobs: Vec<Job> = Vec::new();
    let mut plans: Vec<TransitionPlan> = Vec::new();
    // Per unit: the pooled job, and per current pupil the plan index.
    let mut pooled_job: BTreeMap<usize, usize> = BTreeMap::new();
    let mut pupil_plan: BTreeMap<usize, Vec<Option<usize>>> = BTreeMap::new();
    for (&u, ur) in units.iter() {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let models = &ur.um.models;
        let order1: BTreeMap<&Key, usize> = models
            .iter()
            .enumerate()
            .filter(|(_, m)| m.key.priors.len() == 1)
            .map(|(i, m)| (&m.key, i))
            .collect();
        let mut plan_of_model: BTreeMap<usize, usize> = BTreeMap::new();
        let mut assign: Vec<Option<usize>> = Vec::with_capacity(ur.um.current.len());
        for p in &ur.um.current {
            let key = &models[p.model].key;
            let k1 = Key { target: key.target, priors: key.priors[..1].to_vec() };
            let mi = order1.get(&k1).copied().filter(|_| ctx.in_scope(p.school));
            let plan = mi.map(|mi| {
                *plan_of_model.entry(mi).or_insert_with(|| {
                    plans.push(TransitionPlan { unit: u, model: mi, job: None, std: None, n_current: 0 });
                    plans.len() - 1
                })
            });
            assign.push(plan);
        }
        // Own models for the large transitions.
        let mut any_small = false;
        for &pi in plan_of_model.values() {
            let m = &models[plans[pi].model];
            if m.baseline.len() >= min {
                let priors: Vec<f64> = m.baseline.iter().map(|b| b.prior).collect();
                let current: Vec<f64> = (0..m.baseline.len()).map(|i| base_current(m, i)).collect();
                plans[pi].job = Some(jobs.len());
                jobs.push(Job { priors, current });
            } else {
                any_small = true;
            }
        }
        // The pooled model over all transitions of the unit, standardised per transition.
        if any_small {
            let mut pooled = Job { priors: Vec::new(), current: Vec::new() };
            let mut stds: BTreeMap<usize, Std> = BTreeMap::new();
            for (&_, &mi) in &order1 {
                let m = &models[mi];
                let pr: Vec<f64> = m.baseline.iter().map(|b| b.prior).collect();
                let cu: Vec<f64> = (0..m.baseline.len()).map(|i| base_current(m, i)).collect();
                let (Some((mp, sp)), Some((mc, sc))) = (mean_sd(&pr), mean_sd(&cu)) else { continue };
                stds.insert(mi, Std { mean_prior: mp, sd_prior: sp, mean_cur: mc, sd_cur: sc });
                pooled.priors.extend(pr.iter().map(|x| (x - mp) / sp));
                pooled.current.extend(cu.iter().map(|x| (x - mc) / sc));
            }
            for &pi in plan_of_model.values() {
                plans[pi].std = stds.get(&plans[pi].model).copied();
            }
            if pooled.current.len() >= min {
                thin(&mut pooled, POOLED_MAX_N);
                pooled_job.insert(u, jobs.len());
                jobs.push(pooled);
            }
        }
        pupil_plan.insert(u, assign);
    }
    let fitted = fit_all(&jobs, min);

    // Apply, with one set of prediction buffers per fitted model.
    let mut predictors: Vec<Option<MemoPredictor>> =
        fitted.iter().map(|m| m.as_ref().map(MemoPredictor::new)).collect();
    for (&u, assign) in &pupil_plan {
        let Some(ur) = units.get_mut(&u) else { continue };
        let pooled = pooled_job.get(&u).copied().filter(|&j| fitted[j].is_some());
        let UnitResult { um, .. } = ur;
        for (p, plan) in um.current.iter_mut().zip(assign) {
            let Some(pi) = *plan else { continue };
            let plan = &mut plans[pi];
            let m = &um.models[plan.model];
            let cur = pupil_current(m, p);
            let own = plan.job.filter(|&j| fitted[j].is_some());
            let (sgp, was_pooled) = match (own, pooled, plan.std) {
                (Some(j), _, _) => {
                    (predictors[j].as_mut().and_then(|pr| pr.percentile(&[p.prior], cur, true).ok()), false)
                }
                (None, Some(j), Some(st)) => (
                    predictors[j].as_mut().and_then(|pr| {
                        pr.percentile(
                            &[(p.prior - st.mean_prior) / st.sd_prior],
                            (cur - st.mean_cur) / st.sd_cur,
                            true,
                        )
                        .ok()
                    }),
                    true,
                ),
                _ => (None, false),
            };
            p.sgp = sgp;
            p.sgp_pooled = was_pooled && sgp.is_some();
            plan.n_current += usize::from(sgp.is_some());
        }
    }

    // One row per transition, with the baseline median under the model used as a check.
    let mut rows = Vec::new();
    for plan in &plans {
        let ur = &units[&plan.unit];
        let m = &ur.um.models[plan.model];
        let key = &ctx.prep.units[plan.unit].key;
        let own = plan.job.filter(|&j| fitted[j].is_some());
        let pooled = pooled_job.get(&plan.unit).copied().filter(|&j| fitted[j].is_some());
        let n_of = |j: usize| fitted[j].as_ref().map_or(0, |mat| mat.n);
        let (basis, n_model, mut base_sgp): (Option<&str>, usize, Vec<u8>) = match (own, pooled, plan.std) {
            (Some(j), _, _) => (
                Some(BASIS_TRANSITION),
                n_of(j),
                predictors[j].as_mut().map_or_else(Vec::new, |pr| {
                    (0..m.baseline.len())
                        .filter_map(|i| pr.percentile(&[m.baseline[i].prior], base_current(m, i), true).ok())
                        .collect()
                }),
            ),
            (None, Some(j), Some(st)) => (
                Some(BASIS_POOLED),
                n_of(j),
                predictors[j].as_mut().map_or_else(Vec::new, |pr| {
                    (0..m.baseline.len())
                        .filter_map(|i| {
                            pr.percentile(
                                &[(m.baseline[i].prior - st.mean_prior) / st.sd_prior],
                                (base_current(m, i) - st.mean_cur) / st.sd_cur,
                                true,
                            )
                            .ok()
                        })
                        .collect()
                }),
            ),
            _ => (None, 0, Vec::new()),
        };
        base_sgp.sort_unstable();
        let note = match basis {
            Some(BASIS_POOLED) => Some(format!(
                "minder dan {} leerlingen vóór corona in deze overgang ({}): groeipercentielen uit het model over \
                 alle overgangen van dit vak samen (bestuur)",
                ctx.cfg.min_sgp_n,
                m.baseline.len()
            )),
            None => Some(format!(
                "te weinig leerlingen vóór corona (minder dan {}, ook over alle overgangen samen) voor \
                 groeipercentielen",
                ctx.cfg.min_sgp_n
            )),
            _ => None,
        };
        rows.push(SgpModelRow {
            subject: key.subject.clone(),
            scale: key.scale.clone(),
            transition: m.key.label(),
            basis: basis.map(str::to_owned),
            n_baseline: m.baseline.len(),
            n_model,
            n_current: plan.n_current,
            baseline_median: median_u8(&base_sgp),
            note,
        });
    }
    rows.sort_by(|a, b| {
        a.subject.cmp(&b.subject).then(a.scale.cmp(&b.scale)).then(a.transition.cmp(&b.transition))
    });
    rows
}

fn median_u8(sorted: &[u8]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    Some(if n % 2 == 1 {
        f64::from(sorted[n / 2])
    } else {
        (f64::from(sorted[n / 2 - 1]) + f64::from(sorted[n / 2])) / 2.0
    })
}

/// The 1-based rank r of the lower end of a 95% order-statistic interval for the median of
/// `m` values: the largest r with P(Bin(m, ½) < r) ≤ 0.025 (at least 1).
fn lower_rank(m: usize) -> usize {
    let ln2 = std::f64::consts::LN_2;
    let mut ln_c = 0.0; // ln C(m, k)
    let mut cdf = 0.0;
    for k in 0..=m {
        if k > 0 {
            ln_c += ((m - k + 1) as f64).ln() - (k as f64).ln();
        }
        cdf += (ln_c - m as f64 * ln2).exp();
        if cdf > 0.025 {
            return k.max(1);
        }
    }
    1
}

/// Median and 95% interval of growth percentiles. The interval is the binomial order-statistic
/// interval for a median, computed for the effective sample size n / deff (the design effect
/// of pupils clustered in classes) and mapped back to ranks among the n values.
pub(crate) fn median_with_ci(values: &[u8], deff: f64) -> Option<(f64, Interval)> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    let med = median_u8(&v)?;
    let deff = if deff.is_finite() { deff.max(1.0) } else { 1.0 };
    let m = ((n as f64 / deff).round() as usize).max(1);
    let r_m = lower_rank(m);
    let lo = ((r_m as f64 * n as f64 / m as f64).floor() as usize).clamp(1, n.div_ceil(2));
    let hi = n + 1 - lo;
    Some((med, [f64::from(v[lo - 1]), f64::from(v[hi - 1])]))
}

/// Design effect 1 + (m̄ − 1)·ICC of a set of pupils, with m̄ the mean cluster (class) size and
/// the ICC of the unit's current effect sizes.
fn design_effect(ps: &[&PupilRes], icc: f64) -> f64 {
    let mut sizes: BTreeMap<Cluster, usize> = BTreeMap::new();
    for p in ps {
        *sizes.entry(cluster_of(p)).or_default() += 1;
    }
    if sizes.is_empty() {
        return 1.0;
    }
    // Kish's mean cluster size Σ m² / Σ m.
    let s1: f64 = sizes.values().map(|&m| m as f64).sum();
    let s2: f64 = sizes.values().map(|&m| (m as f64).powi(2)).sum();
    1.0 + (s2 / s1 - 1.0).max(0.0) * icc.clamp(0.0, 1.0)
}

struct AggSgp {
    median: Option<f64>,
    ci: Option<Interval>,
    n: usize,
    basis: Option<String>,
}

fn aggregate(ps: &[&PupilRes], icc: f64, min_n: usize, clustered: bool) -> AggSgp {
    let with: Vec<&PupilRes> = ps.iter().copied().filter(|p| p.sgp.is_some()).collect();
    let vals: Vec<u8> = with.iter().filter_map(|p| p.sgp).collect();
    let n = vals.len();
    let pooled = with.iter().filter(|p| p.sgp_pooled).count();
    let basis = match (n, pooled) {
        (0, _) => None,
        (_, 0) => Some(BASIS_TRANSITION),
        (n, k) if k == n => Some(BASIS_POOLED),
        _ => Some("mixed"),
    };
    let deff = if clustered { design_effect(&with, icc) } else { 1.0 };
    let mc = (n >= min_n).then(|| median_with_ci(&vals, deff)).flatten();
    AggSgp {
        median: mc.and_then(|(m, _)| fin(m)),
        ci: mc.map(|(_, ci)| ci),
        n,
        basis: basis.map(str::to_owned),
    }
}

/// Fills the growth-percentile fields of the overviews, the per-pupil list and the notes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn annotate(
    ctx: &Ctx,
    units: &BTreeMap<usize, UnitResult>,
    subjects: &mut [SubjectRow],
    grades: &mut [GroupRow],
    classes: &mut [GroupRow],
    pupils: &mut [PupilRow],
    models: &[SgpModelRow],
    notes: &mut Vec<Note>,
) -> Vec<GrowthPercentileRow> {
    let prep = ctx.prep;
    let by_names: BTreeMap<(&str, &str), usize> = units
        .keys()
        .filter(|&&u| prep.units[u].is_main())
        .map(|&u| ((prep.units[u].key.subject.as_str(), prep.units[u].key.scale.as_str()), u))
        .collect();
    let icc = |ur: &UnitResult| ur.vc_es.map_or(0.0, |v| v.icc());
    let min_n = ctx.cfg.min_n;
    for row in subjects.iter_mut() {
        let Some(ur) = by_names.get(&(row.subject.as_str(), row.scale.as_str())).map(|u| &units[u]) else {
            continue;
        };
        let ps: Vec<&PupilRes> = ur.um.current.iter().filter(|p| ctx.in_scope(p.school)).collect();
        let a = aggregate(&ps, icc(ur), min_n, true);
        row.median_growth_percentile = a.median;
        row.median_growth_percentile_ci95 = a.ci;
        row.n_growth_percentile = a.n;
        row.sgp_basis = a.basis;
    }
    let school_ix: BTreeMap<&schoolscan_domain::Brin, usize> =
        prep.schools.iter().enumerate().map(|(i, b)| (b, i)).collect();
    // Per main unit, its current pupils by (school, grade) and by (school, class of the target
    // year), in their order: one pass instead of a scan of all pupils per row.
    type GradeKey = (usize, usize, schoolscan_domain::Grade);
    type ClassKey<'p> = (usize, usize, &'p schoolscan_domain::GroupName);
    let mut by_grade: BTreeMap<GradeKey, Vec<&PupilRes>> = BTreeMap::new();
    let mut by_class: BTreeMap<ClassKey, Vec<&PupilRes>> = BTreeMap::new();
    for &u in by_names.values() {
        for p in &units[&u].um.current {
            by_grade.entry((u, p.school, p.grade)).or_default().push(p);
            if let Some((_, year, name)) = p.class.map(|c| &prep.classes[c])
                && *year == ctx.year
            {
                by_class.entry((u, p.school, name)).or_default().push(p);
            }
        }
    }
    for row in grades.iter_mut() {
        let (Some(&u), Some(&s)) =
            (by_names.get(&(row.subject.as_str(), row.scale.as_str())), school_ix.get(&row.school))
        else {
            continue;
        };
        let ur = &units[&u];
        let ps: Vec<&PupilRes> = by_grade.get(&(u, s, row.grade)).cloned().unwrap_or_default();
        let a = aggregate(&ps, icc(ur), min_n, true);
        row.median_growth_percentile = a.median;
        row.median_growth_percentile_ci95 = a.ci;
        row.n_growth_percentile = a.n;
        row.sgp_basis = a.basis;
    }
    for row in classes.iter_mut() {
        let (Some(&u), Some(&s), Some(name)) = (
            by_names.get(&(row.subject.as_str(), row.scale.as_str())),
            school_ix.get(&row.school),
            row.group.as_ref(),
        ) else {
            continue;
        };
        let ps: Vec<&PupilRes> = by_class.get(&(u, s, name)).cloned().unwrap_or_default();
        // One class: its pupils are the sample; no clustering correction within it.
        let a = aggregate(&ps, 0.0, min_n, false);
        row.median_growth_percentile = a.median;
        row.median_growth_percentile_ci95 = a.ci;
        row.n_growth_percentile = a.n;
        row.sgp_basis = a.basis;
    }

    // Every pupil in scope with a growth percentile.
    let mut list = Vec::new();
    for (&u, ur) in units {
        if !prep.units[u].is_main() {
            continue;
        }
        let key = &prep.units[u].key;
        for p in ur.um.current.iter().filter(|p| ctx.in_scope(p.school)) {
            let Some(sgp) = p.sgp else { continue };
            let m = &ur.um.models[p.model];
            list.push(GrowthPercentileRow {
                pupil: prep.pupils[p.pupil].number.clone(),
                school: prep.schools[p.school].clone(),
                grade: p.grade,
                group: p.class.map(|c| prep.classes[c].2.clone()),
                subject: key.subject.clone(),
                scale: key.scale.clone(),
                growth_percentile: sgp,
                sgp_basis: if p.sgp_pooled { BASIS_POOLED } else { BASIS_TRANSITION }.to_owned(),
                transition: Key { target: m.key.target, priors: m.key.priors[..1].to_vec() }.label(),
            });
        }
    }
    list.sort_by(|a, b| {
        a.school
            .cmp(&b.school)
            .then(a.grade.cmp(&b.grade))
            .then(a.pupil.cmp(&b.pupil))
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
    });
    let lookup: BTreeMap<
        (&schoolscan_domain::Brin, &schoolscan_domain::PupilNumber, &str, &str),
        (u8, &str),
    > = list
        .iter()
        .map(|r| {
            (
                (&r.school, &r.pupil, r.subject.as_str(), r.scale.as_str()),
                (r.growth_percentile, r.sgp_basis.as_str()),
            )
        })
        .collect();
    for row in pupils.iter_mut() {
        let (Some(subject), Some(scale)) = (&row.subject, &row.scale) else { continue };
        if let Some(&(g, b)) = lookup.get(&(&row.school, &row.pupil, subject.as_str(), scale.as_str())) {
            row.growth_percentile = Some(g);
            row.sgp_basis = Some(b.to_owned());
        }
    }

    // Notes: the fall-back to the pooled model, and transitions without any model.
    let pooled: BTreeSet<String> = models
        .iter()
        .filter(|m| m.basis.as_deref() == Some(BASIS_POOLED))
        .map(|m| format!("{} {}", m.subject.label(), m.transition))
        .collect();
    if !pooled.is_empty() {
        notes.push(Note {
            code: "sgp_pooled".to_owned(),
            text: format!(
                "Groeipercentielen: {} overgang(en) hadden minder dan {} leerlingen vóór corona; daar komen de \
                 groeipercentielen uit één model per vak over alle overgangen van het bestuur samen (op gestandaardiseerde \
                 scores): {}.",
                pooled.len(),
                ctx.cfg.min_sgp_n,
                pooled.into_iter().collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let none = models.iter().filter(|m| m.basis.is_none()).count();
    if none > 0 {
        notes.push(Note {
            code: "sgp_unavailable".to_owned(),
            text: format!(
                "Groeipercentielen: voor {none} overgang(en) waren er ook over alle overgangen samen minder dan {} \
                 leerlingen vóór corona; daar staat geen groeipercentiel.",
                ctx.cfg.min_sgp_n
            ),
        });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistic_interval_of_the_median() {
        // n = 10: P(X ≤ 1) = 0.0107 ≤ 0.025 < P(X ≤ 2) = 0.0547, so ranks 2 and 9.
        assert_eq!(lower_rank(10), 2);
        // n = 100: the textbook ranks 40 and 61.
        assert_eq!(lower_rank(100), 40);
        let v: Vec<u8> = (1..=99).chain(std::iter::once(50)).collect();
        let (med, ci) = median_with_ci(&v, 1.0).expect("median");
        assert_eq!(med, 50.0);
        assert_eq!(ci, [40.0, 60.0]);
        // A design effect widens the interval.
        let (_, wide) = median_with_ci(&v, 2.0).expect("median");
        assert!(wide[0] < ci[0] && wide[1] > ci[1], "{wide:?}");
        assert!(median_with_ci(&[], 1.0).is_none());
        assert_eq!(median_with_ci(&[7], 1.0), Some((7.0, [7.0, 7.0])));
    }
}
