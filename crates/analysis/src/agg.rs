//! Group delays with their uncertainty (growth-method.md §2.5, §5.2–5.4): the class-clustering
//! variance components, the 95% interval of a group mean including the baseline-model terms, and
//! contrasts of a group with the rest.

use std::collections::BTreeMap;

use crate::measure::{KeyModel, PupilRes};
use crate::stats::cluster::clustered_mean_var;
use crate::stats::combine::quantile_sorted;
use crate::stats::linalg::quad_form;
use crate::stats::mixed;

/// Which per-pupil value is aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Delay in school months.
    Months,
    /// Effect size in baseline SDs.
    Es,
}

impl Metric {
    pub fn value(self, p: &PupilRes) -> Option<f64> {
        match self {
            Metric::Months => p.d,
            Metric::Es => Some(p.es),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Metric::Months => "months",
            Metric::Es => "effect_size",
        }
    }
}

/// Pupils-in-classes variance components: D_i = μ_school + v_class + w_i.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarComp {
    pub tau2: f64,
    pub sigma2: f64,
    pub n: usize,
    pub n_classes: usize,
}

impl VarComp {
    pub fn icc(&self) -> f64 {
        let t = self.tau2 + self.sigma2;
        if t > 0.0 { self.tau2 / t } else { 0.0 }
    }
}

/// A cluster: a class, or a pupil without a known class on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cluster {
    Class(usize),
    Single(usize),
}

pub fn cluster_of(p: &PupilRes) -> Cluster {
    p.class.map_or(Cluster::Single(p.pupil), Cluster::Class)
}

/// Fit the variance components on all current pupils of the pool (class random intercept,
/// school fixed effect). Falls back to τ² = 0 and the sample variance when the fit is impossible.
pub fn var_comp(current: &[PupilRes], metric: Metric) -> Option<VarComp> {
    let vals: Vec<(&PupilRes, f64)> =
        current.iter().filter_map(|p| metric.value(p).map(|v| (p, v))).collect();
    if vals.len() < 3 {
        return None;
    }
    let mut cl_ix: BTreeMap<Cluster, usize> = BTreeMap::new();
    let mut stratum_of = Vec::new();
    let mut school_ix: BTreeMap<usize, usize> = BTreeMap::new();
    for (p, _) in &vals {
        let ns = school_ix.len();
        let s = *school_ix.entry(p.school).or_insert(ns);
        let nc = cl_ix.len();
        cl_ix.entry(cluster_of(p)).or_insert_with(|| {
            stratum_of.push(s);
            nc
        });
    }
    let y: Vec<f64> = vals.iter().map(|(_, v)| *v).collect();
    let cl: Vec<usize> = vals.iter().map(|(p, _)| cl_ix[&cluster_of(p)]).collect();
    let n_classes = cl_ix.keys().filter(|c| matches!(c, Cluster::Class(_))).count();
    match mixed::fit_nested_fixed_strata(&y, &cl, &stratum_of) {
        Some((tau2, sigma2)) if sigma2.is_finite() && tau2.is_finite() => {
            Some(VarComp { tau2, sigma2, n: y.len(), n_classes })
        }
        _ => {
            let v = crate::stats::combine::var(&y);
            v.is_finite().then_some(VarComp { tau2: 0.0, sigma2: v, n: y.len(), n_classes })
        }
    }
}

/// A group mean with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agg {
    pub n: usize,
    pub mean: f64,
    pub se: f64,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
}

impl Agg {
    pub fn ci(&self) -> [f64; 2] {
        [self.mean - 1.96 * self.se, self.mean + 1.96 * self.se]
    }
}

/// Sizes of the clusters among the members that have a value.
pub fn cluster_sizes(members: &[&PupilRes], metric: Metric) -> BTreeMap<Cluster, usize> {
    let mut m = BTreeMap::new();
    for p in members {
        if metric.value(p).is_some() {
            *m.entry(cluster_of(p)).or_insert(0) += 1;
        }
    }
    m
}

/// Var(D̄) from pupils and classes only (§5.2).
pub fn clustering_var(members: &[&PupilRes], metric: Metric, vc: &VarComp) -> f64 {
    let sizes: Vec<usize> = cluster_sizes(members, metric).into_values().collect();
    clustered_mean_var(&sizes, vc.tau2, vc.sigma2)
}

/// The group mean with SE² = clustering + baseline model + school baseline + growth rate (§5.3).
pub fn aggregate(members: &[&PupilRes], metric: Metric, vc: &VarComp, models: &[KeyModel]) -> Option<Agg> {
    let mut vals: Vec<f64> = members.iter().filter_map(|p| metric.value(p)).collect();
    let n = vals.len();
    if n == 0 {
        return None;
    }
    let mean = vals.iter().sum::<f64>() / n as f64;
    let mut var = clustering_var(members, metric, vc);
    var += model_var(members, metric, models);
    vals.sort_by(f64::total_cmp);
    Some(Agg {
        n,
        mean,
        se: var.max(0.0).sqrt(),
        median: quantile_sorted(&vals, 0.5),
        q1: quantile_sorted(&vals, 0.25),
        q3: quantile_sorted(&vals, 0.75),
    })
}

/// The baseline-model part of Var(D̄) (§5.3): the uncertainty of each transition model's
/// coefficients, of the school's own baseline effect and, in school months, of the growth rate,
/// weighted by the members' share in the model.
pub fn model_var(members: &[&PupilRes], metric: Metric, models: &[KeyModel]) -> f64 {
    let n = members.iter().filter(|p| metric.value(p).is_some()).count();
    if n == 0 {
        return 0.0;
    }
    let mut var = 0.0;
    // Baseline-model terms per transition.
    let mut by_model: BTreeMap<usize, Vec<&PupilRes>> = BTreeMap::new();
    for p in members {
        if metric.value(p).is_some() {
            by_model.entry(p.model).or_default().push(p);
        }
    }
    let nf = n as f64;
    for (mi, ps) in &by_model {
        let m = &models[*mi];
        let nk = ps.len() as f64;
        let w = nk / nf;
        let dim = m.beta.len();
        let mut xbar = vec![0.0; dim];
        let mut per_school: BTreeMap<usize, f64> = BTreeMap::new();
        for p in ps {
            for (a, b) in xbar.iter_mut().zip(&p.x) {
                *a += b / nk;
            }
            *per_school.entry(p.school).or_default() += 1.0;
        }
        let school_term: f64 = per_school.iter().map(|(s, c)| (c / nk).powi(2) * m.school_var(*s)).sum();
        let scale = match metric {
            Metric::Months => m.gamma,
            Metric::Es => m.s1,
        };
        var += w * w * (quad_form(&m.cov_beta, &xbar) + school_term) / (scale * scale);
        if metric == Metric::Months {
            let dk = ps.iter().filter_map(|p| p.d).sum::<f64>() / nk;
            var += w * w * dk * dk * (m.gamma_se / m.gamma).powi(2);
        }
    }
    var
}

/// Contrast of a group with the rest (§5.4): Δ = mean(g) − mean(rest) and its variance from the
/// clustering terms only, with the covariance of shared (combination) classes. No baseline-model
/// terms: each jaargroep is predicted by its own transition model, so a model's error is a
/// common offset of that jaargroep's classes, and the class variance fitted on the target
/// moment's residuals already contains it (adding [`model_var`] counts it twice; measured on
/// null demo boards: no gain in calibration, less power).
pub fn contrast(g: &[&PupilRes], rest: &[&PupilRes], metric: Metric, vc: &VarComp) -> Option<(f64, f64)> {
    let vg: Vec<f64> = g.iter().filter_map(|p| metric.value(p)).collect();
    let vr: Vec<f64> = rest.iter().filter_map(|p| metric.value(p)).collect();
    if vg.is_empty() || vr.is_empty() {
        return None;
    }
    let mg = vg.iter().sum::<f64>() / vg.len() as f64;
    let mr = vr.iter().sum::<f64>() / vr.len() as f64;
    let sg = cluster_sizes(g, metric);
    let sr = cluster_sizes(rest, metric);
    let shared: Vec<(usize, usize)> = sg.iter().filter_map(|(c, a)| sr.get(c).map(|b| (*a, *b))).collect();
    let cov = crate::stats::cluster::shared_cluster_cov(&shared, vg.len(), vr.len(), vc.tau2);
    let var = clustering_var(g, metric, vc) + clustering_var(rest, metric, vc) - 2.0 * cov;
    Some((mg - mr, var.max(1e-300)))
}
