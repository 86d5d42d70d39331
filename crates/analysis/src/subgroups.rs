//! Subgroups (growth-method.md §2.5): leerlinggewicht, parents' education, OPP, the bottom 20%
//! before corona, sex. Each subgroup's current delay minus the same subgroup's delay in the
//! baseline cohorts, so that a gap that existed before corona is not read as corona delay.

use std::collections::{BTreeMap, BTreeSet};

use schoolscan_domain::{ParentsEducation, Sex, Weight};

use crate::agg::Metric;
use crate::engine::{Ctx, UnitResult, fin, fin2, too_small, unit_names};
use crate::findings::SubgroupRow;
use crate::prep::PupilInfo;
use crate::stats::cluster::kish_deff;
use crate::stats::combine::{mean, var};

type Pred = Box<dyn Fn(&PupilInfo, bool) -> bool>;

fn definitions() -> Vec<(&'static str, &'static str, String, Pred)> {
    let mut v: Vec<(&'static str, &'static str, String, Pred)> = Vec::new();
    for (code, w) in [("0", Weight::W0), ("0.3", Weight::W03), ("1.2", Weight::W12)] {
        v.push(("leerlinggewicht", code, w.label().to_owned(), Box::new(move |p, _| p.weight == Some(w))));
    }
    for (code, e) in [
        ("laag", ParentsEducation::Low),
        ("midden", ParentsEducation::Middle),
        ("hoog", ParentsEducation::High),
    ] {
        v.push((
            "opleiding_ouders",
            code,
            e.label().to_owned(),
            Box::new(move |p, _| p.parents_education == Some(e)),
        ));
    }
    v.push(("opp", "ja", "leerlingen met een OPP".to_owned(), Box::new(|p, _| p.opp)));
    v.push(("opp", "nee", "leerlingen zonder OPP".to_owned(), Box::new(|p, _| !p.opp)));
    v.push((
        "onderste_20_procent",
        "ja",
        "onderste 20% vóór corona".to_owned(),
        Box::new(|_, bottom| bottom),
    ));
    v.push((
        "onderste_20_procent",
        "nee",
        "overige 80% vóór corona".to_owned(),
        Box::new(|_, bottom| !bottom),
    ));
    for (code, s, label) in
        [("M", Sex::Male, "jongens"), ("V", Sex::Female, "meisjes"), ("X", Sex::Other, "geslacht X")]
    {
        v.push(("geslacht", code, label.to_owned(), Box::new(move |p, _| p.sex == Some(s))));
    }
    v
}

pub fn subgroup_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<SubgroupRow> {
    let defs = definitions();
    let mut rows = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        let metric = ur.metric();
        let cur: Vec<&crate::measure::PupilRes> =
            ur.um.current.iter().filter(|p| ctx.in_scope(p.school)).collect();
        if cur.is_empty() {
            continue;
        }
        // Baseline residuals of the models used here, in the scope, one per pupil-year (highest order).
        let used: BTreeSet<usize> = cur.iter().map(|p| p.model).collect();
        let mut base: BTreeMap<(usize, i32), (usize, &crate::measure::BaseRes)> = BTreeMap::new();
        for &mi in &used {
            let m = &ur.um.models[mi];
            for b in m.baseline.iter().filter(|b| ctx.in_scope(b.school)) {
                let order = m.key.priors.len();
                let e = base.entry((b.pupil, b.year)).or_insert((order, b));
                if order > e.0 {
                    *e = (order, b);
                }
            }
        }
        let icc = ur.vc(metric).map_or(0.0, |v| v.icc());
        let classes: BTreeSet<Option<usize>> = cur.iter().map(|p| p.class).collect();
        let mbar = cur.len() as f64 / classes.len().max(1) as f64;
        let deff = kish_deff(mbar, icc);
        let bval = |b: &crate::measure::BaseRes| match metric {
            Metric::Months => b.d,
            Metric::Es => Some(b.es),
        };
        let any_info = |dim: &str| match dim {
            "leerlinggewicht" => cur.iter().any(|p| ctx.prep.pupils[p.pupil].weight.is_some()),
            "opleiding_ouders" => cur.iter().any(|p| ctx.prep.pupils[p.pupil].parents_education.is_some()),
            "geslacht" => cur.iter().any(|p| ctx.prep.pupils[p.pupil].sex.is_some()),
            _ => true,
        };
        for (dim, code, label, pred) in &defs {
            if !any_info(dim) {
                continue;
            }
            let c: Vec<f64> = cur
                .iter()
                .filter(|p| pred(&ctx.prep.pupils[p.pupil], p.bottom20))
                .filter_map(|p| metric.value(p))
                .collect();
            let ces: Vec<f64> =
                cur.iter().filter(|p| pred(&ctx.prep.pupils[p.pupil], p.bottom20)).map(|p| p.es).collect();
            let b: Vec<f64> = base
                .values()
                .filter(|(_, b)| pred(&ctx.prep.pupils[b.pupil], b.bottom20))
                .filter_map(|(_, b)| bval(b))
                .collect();
            let bes: Vec<f64> = base
                .values()
                .filter(|(_, b)| pred(&ctx.prep.pupils[b.pupil], b.bottom20))
                .map(|(_, b)| b.es)
                .collect();
            if c.is_empty() {
                continue;
            }
            let (n, nb) = (c.len(), b.len());
            let mut row = SubgroupRow {
                dimension: (*dim).to_owned(),
                group: (*code).to_owned(),
                label: label.clone(),
                subject: subject.clone(),
                scale: scale.clone(),
                n,
                n_baseline: nb,
                delay_months: None,
                ci95: None,
                effect_size: None,
                current_delay_months: None,
                baseline_delay_months: None,
                warning: None,
            };
            if n < ctx.cfg.min_n {
                row.warning = Some(too_small(n));
            } else if nb < ctx.cfg.min_n {
                row.warning = Some(format!(
                    "te weinig leerlingen in deze groep vóór corona (n = {nb}) om het verschil van vóór corona eraf te halen"
                ));
            } else {
                let d = mean(&c) - mean(&b);
                let v = deff * (var(&c) / n as f64 + var(&b) / nb as f64);
                let se = v.max(0.0).sqrt();
                row.effect_size = fin(mean(&ces) - mean(&bes));
                if metric == Metric::Months {
                    row.delay_months = fin(d);
                    row.ci95 = fin2([d - 1.96 * se, d + 1.96 * se]);
                    row.current_delay_months = fin(mean(&c));
                    row.baseline_delay_months = fin(mean(&b));
                }
            }
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| {
        a.subject
            .cmp(&b.subject)
            .then(a.scale.cmp(&b.scale))
            .then(a.dimension.cmp(&b.dimension))
            .then(a.group.cmp(&b.group))
    });
    rows
}
