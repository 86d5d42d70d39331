//! Recovery (growth-method.md §2.6): the same delay, from the same last pre-corona score, at every
//! moment since the closure, so a school sees whether gaps close.

use std::collections::{BTreeMap, BTreeSet};

use schoolscan_domain::{MomentKind, SchoolYear};

use crate::agg::{self, Metric};
use crate::engine::{Ctx, UnitResult, fin, fin2, measure_all, scope_members, too_small, unit_names};
use crate::findings::RecoveryRow;
use crate::prep::UnitKey;

pub fn recovery_rows(ctx: &Ctx, target_units: &BTreeMap<usize, UnitResult>) -> Vec<RecoveryRow> {
    let order = |k: MomentKind| match k {
        MomentKind::B => 0u8,
        MomentKind::M => 1,
        MomentKind::E => 2,
    };
    // Moments since the closure with data in the scope.
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
    let mut rows: Vec<RecoveryRow> = Vec::new();
    let mut last: BTreeMap<UnitKey, f64> = BTreeMap::new();
    for (year, _, kind) in moments {
        let is_target = year == ctx.year && kind == ctx.kind;
        let owned;
        let units = if is_target {
            target_units
        } else {
            owned = measure_all(ctx, year, kind, true);
            &owned
        };
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
            let recovered = match (last.get(&key), delay) {
                (Some(prev), Some(d)) => fin(prev - d),
                _ => None,
            };
            if let Some(d) = delay {
                last.insert(key, d);
            }
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
            rows.push(RecoveryRow {
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
                recovered_months: recovered,
                note,
            });
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
