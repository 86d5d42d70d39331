//! Recovery (growth-method.md §2.6): the same delay, from the same last pre-corona score, at every
//! moment since the closure, so a school sees whether gaps close.

use std::collections::{BTreeMap, BTreeSet};

use schoolscan_domain::{MomentKind, SchoolYear};

use crate::agg::{self, Metric};
use crate::engine::{Ctx, UnitResult, fin, fin2, measure_all, scope_members, too_small, unit_names};
use crate::findings::RecoveryRow;
use crate::prep::UnitKey;

fn order(k: MomentKind) -> u8 {
    match k {
        MomentKind::B => 0,
        MomentKind::M => 1,
        MomentKind::E => 2,
    }
}

/// One moment since the closure: its recovery rows, still without `recovered_months` (that
/// needs the previous moment's delay), or `None` for the target, whose rows come from the
/// caller's measurements.
pub struct LaterMoment {
    year: i32,
    kind: MomentKind,
    rows: Option<Vec<(UnitKey, RecoveryRow)>>,
}

/// Every moment since the closure with data in the scope, in time order, with the main units
/// measured at each except the target (which the caller has measured already), one moment at a
/// time, keeping only its rows. Independent of the growth percentiles, so it can run while they
/// are fitted.
pub fn measure_later_moments(ctx: &Ctx) -> Vec<LaterMoment> {
    moments(ctx)
        .into_iter()
        .map(|(year, kind)| LaterMoment {
            year,
            kind,
            rows: (!(year == ctx.year && kind == ctx.kind))
                .then(|| moment_rows(ctx, year, kind, &measure_all(ctx, year, kind, true))),
        })
        .collect()
}

/// The recovery rows of the main units measured at one moment, keyed by unit, without
/// `recovered_months`.
fn moment_rows(
    ctx: &Ctx,
    year: i32,
    kind: MomentKind,
    units: &BTreeMap<usize, UnitResult>,
) -> Vec<(UnitKey, RecoveryRow)> {
    let is_target = year == ctx.year && kind == ctx.kind;
    let mut rows = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        let members = scope_members(ctx, ur);
        let targets: usize =
            ur.um.targets_per_school.iter().filter(|(s, _)| ctx.in_scope(**s)).map(|(_, c)| c).sum();
        if targets == 0 {
            continue;
        }
        let n = members.len();
        let m = ur.metric();
        let a = (n >= ctx.cfg.min_n)
            .then(|| ur.vc(m).and_then(|vc| agg::aggregate(&members, m, vc, &ur.um.models)))
            .flatten();
        let es = if m == Metric::Es {
            a
        } else {
            (n >= ctx.cfg.min_n)
                .then(|| ur.vc_es.and_then(|vc| agg::aggregate(&members, Metric::Es, &vc, &ur.um.models)))
                .flatten()
        };
        let delay = if m == Metric::Months { a.and_then(|a| fin(a.mean)) } else { None };
        let key = ctx.prep.units[u].key.clone();
        let note = if n < ctx.cfg.min_n {
            Some(if targets >= ctx.cfg.min_n {
                "geen cohort van vóór corona met dezelfde tussenperiode vanaf de laatste score vóór de sluiting \
                 (of te weinig leerlingen met zo'n score): geen vertraging te berekenen"
                    .to_owned()
            } else {
                too_small(n)
            })
        } else {
            ur.no_months_reason.clone()
        };
        rows.push((
            key,
            RecoveryRow {
                subject,
                scale,
                year: SchoolYear::new(year),
                moment: kind,
                label: format!("{} {}", SchoolYear::new(year), kind.letter()),
                is_target,
                basis: "baseline_referenced".to_owned(),
                n,
                delay_months: delay,
                ci95: if m == Metric::Months { a.and_then(|a| fin2(a.ci())) } else { None },
                effect_size: es.and_then(|a| fin(a.mean)),
                recovered_months: None,
                note,
            },
        ));
    }
    rows
}

/// Moments since the closure with data in the scope, in time order.
fn moments(ctx: &Ctx) -> Vec<(i32, MomentKind)> {
    let mut moments: BTreeSet<(i32, u8, MomentKind)> = BTreeSet::new();
    for unit in ctx.prep.units.iter().filter(|u| u.is_main()) {
        for (p, obs) in &unit.series {
            if !ctx.in_scope(ctx.prep.pupils[*p].school) {
                continue;
            }
            for o in obs.iter().filter(|o| o.date >= ctx.cfg.closure_start) {
                moments.insert((o.year, order(o.moment.kind), o.moment.kind));
            }
        }
    }
    moments.into_iter().map(|(y, _, k)| (y, k)).collect()
}

/// The recovery rows of the moments of [`measure_later_moments`] (the target's from its
/// measurements), with the months recovered since the previous moment.
pub fn recovery_rows(
    ctx: &Ctx,
    target_units: &BTreeMap<usize, UnitResult>,
    later: &[LaterMoment],
) -> Vec<RecoveryRow> {
    let mut rows: Vec<RecoveryRow> = Vec::new();
    let mut last: BTreeMap<UnitKey, f64> = BTreeMap::new();
    for m in later {
        let owned;
        let moment = match &m.rows {
            Some(rows) => rows,
            None => {
                owned = moment_rows(ctx, m.year, m.kind, target_units);
                &owned
            }
        };
        for (key, row) in moment {
            let mut row = row.clone();
            row.recovered_months = match (last.get(key), row.delay_months) {
                (Some(prev), Some(d)) => fin(prev - d),
                _ => None,
            };
            if let Some(d) = row.delay_months {
                last.insert(key.clone(), d);
            }
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| {
        a.subject
            .cmp(&b.subject)
            .then(a.scale.cmp(&b.scale))
            .then(a.year.cmp(&b.year))
            .then(order(a.moment).cmp(&order(b.moment)))
    });
    rows
}
