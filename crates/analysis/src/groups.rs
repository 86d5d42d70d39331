//! Overviews 2 and 3: jaargroepen and classes that deviate from the rest of the school, and
//! subject components that stand out per jaargroep (growth-method.md §5.4, shrinkage §3.4).

use std::collections::{BTreeMap, BTreeSet};

use schoolscan_domain::Grade;

use crate::agg::{self, Metric};
use crate::engine::{Ctx, UnitResult, fin, fin2, too_small, unit_names};
use crate::findings::{ComponentRow, Direction, GroupRow};
use crate::measure::PupilRes;
use crate::stats::{multiple::holm, normal};

/// A cell before multiple-testing control.
struct Cell {
    row: GroupRow,
    family: (usize, Option<Grade>),
    z: Option<f64>,
    raw_delta: Option<f64>,
}

fn mean_of(ps: &[&PupilRes], m: Metric) -> Option<f64> {
    let v: Vec<f64> = ps.iter().filter_map(|p| m.value(p)).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Shrinkage (§3.4): λ_G = τ_G²/(τ_G² + V_G), τ_G² = max(0, var(D̄_G − D̄_parent) − mean V_G)
/// across all such groups in the database.
fn shrink_tau2(devs: &[(f64, f64)]) -> f64 {
    if devs.len() < 3 {
        return 0.0;
    }
    let d: Vec<f64> = devs.iter().map(|x| x.0).collect();
    let v = crate::stats::combine::var(&d);
    let mv = devs.iter().map(|x| x.1).sum::<f64>() / devs.len() as f64;
    (v - mv).max(0.0)
}

fn apply_holm(ctx: &Ctx, cells: &mut [Cell], metric_months: &dyn Fn(&Cell) -> bool) {
    let mut fams: BTreeMap<(usize, Option<Grade>), Vec<usize>> = BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        if c.z.is_some() {
            fams.entry(c.family).or_default().push(i);
        }
    }
    for idx in fams.values() {
        let p: Vec<f64> = idx.iter().map(|&i| cells[i].row.p_value.unwrap_or(1.0)).collect();
        let h = holm(&p, ctx.cfg.holm_alpha);
        for (k, &i) in idx.iter().enumerate() {
            let c = &mut cells[i];
            c.row.p_holm = Some(h.adjusted[k]);
            let big_enough = match (ctx.cfg.min_deviation_months, metric_months(c)) {
                (Some(min), true) => c.raw_delta.is_some_and(|d| d.abs() >= min),
                _ => true,
            };
            if h.rejected[k] && big_enough {
                let d = c.raw_delta.unwrap_or(0.0);
                c.row.deviates = Some(if d > 0.0 { Direction::Negative } else { Direction::Positive });
            }
        }
    }
}

/// Overview 2: every jaargroep × subject of every school in scope, contrasted with the rest of
/// the school; Holm per school.
pub fn grade_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<GroupRow> {
    let mut cells: Vec<Cell> = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        let m = ur.metric();
        let Some(vc) = ur.vc(m).copied() else { continue };

        // Shrinkage towards the pool-wide figure of the same jaargroep (all schools).
        let mut by_sg: BTreeMap<(usize, Grade), Vec<&PupilRes>> = BTreeMap::new();
        for p in &ur.um.current {
            by_sg.entry((p.school, p.grade)).or_default().push(p);
        }
        let mut by_g: BTreeMap<Grade, Vec<&PupilRes>> = BTreeMap::new();
        for p in &ur.um.current {
            by_g.entry(p.grade).or_default().push(p);
        }
        let parent: BTreeMap<Grade, f64> =
            by_g.iter().filter_map(|(g, ps)| mean_of(ps, m).map(|x| (*g, x))).collect();
        let devs: Vec<(f64, f64)> = by_sg
            .iter()
            .filter(|(_, ps)| ps.len() >= ctx.cfg.min_n)
            .filter_map(|((_, g), ps)| {
                Some((mean_of(ps, m)? - parent.get(g)?, agg::clustering_var(ps, m, &vc)))
            })
            .collect();
        let tau2 = shrink_tau2(&devs);
        for (&(s, g), members) in &by_sg {
            if !ctx.in_scope(s) {
                continue;
            }
            let rest: Vec<&PupilRes> =
                ur.um.current.iter().filter(|p| p.school == s && p.grade != g).collect();
            let n = members.len();
            let small = n < ctx.cfg.min_n;
            let a = (!small).then(|| agg::aggregate(members, m, &vc, &ur.um.models)).flatten();
            let es = (!small)
                .then(|| ur.vc_es.and_then(|v| agg::aggregate(members, Metric::Es, &v, &ur.um.models)))
                .flatten();
            let con = (!small && rest.len() >= ctx.cfg.min_n)
                .then(|| agg::contrast(members, &rest, m, &vc))
                .flatten();
            let (z, p) = match con {
                Some((d, v)) => {
                    let z = d / v.sqrt();
                    (Some(z), Some(normal::two_sided_p(z)))
                }
                None => (None, None),
            };
            let shrunk = a.and_then(|a| {
                let par = *parent.get(&g)?;
                let vg = agg::clustering_var(members, m, &vc);
                let lambda = if tau2 + vg > 0.0 { tau2 / (tau2 + vg) } else { 0.0 };
                fin(par + lambda * (a.mean - par))
            });
            let months = m == Metric::Months;
            cells.push(Cell {
                family: (s, None),
                z,
                raw_delta: con.map(|c| c.0),
                row: GroupRow {
                    school: ctx.prep.schools[s].clone(),
                    grade: g,
                    group: None,
                    subject: subject.clone(),
                    scale: scale.clone(),
                    delay_months: if months { a.and_then(|a| fin(a.mean)) } else { None },
                    ci95: if months { a.and_then(|a| fin2(a.ci())) } else { None },
                    effect_size: es.and_then(|a| fin(a.mean)),
                    n,
                    delay_months_shrunken: if months { shrunk } else { None },
                    contrast: con.and_then(|c| fin(c.0)),
                    contrast_unit: con.map(|_| m.name().to_owned()),
                    contrast_ci95: con.and_then(|(d, v)| fin2([d - 1.96 * v.sqrt(), d + 1.96 * v.sqrt()])),
                    p_value: p,
                    p_holm: None,
                    deviates: None,
                    median_growth_percentile: None,
                    median_growth_percentile_ci95: None,
                    n_growth_percentile: 0,
                    sgp_basis: None,
                    warning: if small {
                        Some(too_small(n))
                    } else if con.is_none() {
                        Some(
                            "geen vergelijking: te weinig andere leerlingen in de school in dit vak"
                                .to_owned(),
                        )
                    } else {
                        None
                    },
                },
            });
        }
    }
    let months_of = |c: &Cell| c.row.contrast_unit.as_deref() == Some("months");
    apply_holm(ctx, &mut cells, &months_of);
    let mut rows: Vec<GroupRow> = cells.into_iter().map(|c| c.row).collect();
    rows.sort_by(|a, b| {
        a.school
            .cmp(&b.school)
            .then(a.grade.cmp(&b.grade))
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
    });
    rows
}

/// Classes: contrasted with the other classes of the same jaargroep(en) in the school; Holm per
/// school over all class cells.
pub fn class_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<GroupRow> {
    let mut cells: Vec<Cell> = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        let m = ur.metric();
        let Some(vc) = ur.vc(m).copied() else { continue };

        let mut by_class: BTreeMap<usize, Vec<&PupilRes>> = BTreeMap::new();
        for p in &ur.um.current {
            if let Some(c) = p.class {
                by_class.entry(c).or_default().push(p);
            }
        }
        // Parent of a class: its school's pupils in the same jaargroepen (for shrinkage).
        let grades_of = |ps: &[&PupilRes]| ps.iter().map(|p| p.grade).collect::<BTreeSet<Grade>>();
        let parent_members = |s: usize, gs: &BTreeSet<Grade>| -> Vec<&PupilRes> {
            ur.um.current.iter().filter(|p| p.school == s && gs.contains(&p.grade)).collect()
        };
        let devs: Vec<(f64, f64)> = by_class
            .iter()
            .filter(|(_, ps)| ps.len() >= ctx.cfg.min_n)
            .filter_map(|(_, ps)| {
                let par = parent_members(ps[0].school, &grades_of(ps));
                Some((mean_of(ps, m)? - mean_of(&par, m)?, agg::clustering_var(ps, m, &vc)))
            })
            .collect();
        let tau2 = shrink_tau2(&devs);
        for (&c, members) in &by_class {
            let s = members[0].school;
            if !ctx.in_scope(s) {
                continue;
            }
            let gs = grades_of(members);
            let par = parent_members(s, &gs);
            let rest: Vec<&PupilRes> = par.iter().copied().filter(|p| p.class != Some(c)).collect();
            let n = members.len();
            let small = n < ctx.cfg.min_n;
            let a = (!small).then(|| agg::aggregate(members, m, &vc, &ur.um.models)).flatten();
            let es = (!small)
                .then(|| ur.vc_es.and_then(|v| agg::aggregate(members, Metric::Es, &v, &ur.um.models)))
                .flatten();
            let con = (!small && !rest.is_empty()).then(|| agg::contrast(members, &rest, m, &vc)).flatten();
            let (z, p) = match con {
                Some((d, v)) => {
                    let z = d / v.sqrt();
                    (Some(z), Some(normal::two_sided_p(z)))
                }
                None => (None, None),
            };
            let shrunk = a.and_then(|a| {
                let pm = mean_of(&par, m)?;
                let vg = agg::clustering_var(members, m, &vc);
                let lambda = if tau2 + vg > 0.0 { tau2 / (tau2 + vg) } else { 0.0 };
                fin(pm + lambda * (a.mean - pm))
            });
            let months = m == Metric::Months;
            let grade = gs.iter().next().copied().unwrap_or(members[0].grade);
            cells.push(Cell {
                family: (s, None),
                z,
                raw_delta: con.map(|c| c.0),
                row: GroupRow {
                    school: ctx.prep.schools[s].clone(),
                    grade,
                    group: Some(ctx.prep.classes[c].2.clone()),
                    subject: subject.clone(),
                    scale: scale.clone(),
                    delay_months: if months { a.and_then(|a| fin(a.mean)) } else { None },
                    ci95: if months { a.and_then(|a| fin2(a.ci())) } else { None },
                    effect_size: es.and_then(|a| fin(a.mean)),
                    n,
                    delay_months_shrunken: if months { shrunk } else { None },
                    contrast: con.and_then(|c| fin(c.0)),
                    contrast_unit: con.map(|_| m.name().to_owned()),
                    contrast_ci95: con.and_then(|(d, v)| fin2([d - 1.96 * v.sqrt(), d + 1.96 * v.sqrt()])),
                    p_value: p,
                    p_holm: None,
                    deviates: None,
                    median_growth_percentile: None,
                    median_growth_percentile_ci95: None,
                    n_growth_percentile: 0,
                    sgp_basis: None,
                    warning: if small {
                        Some(too_small(n))
                    } else if con.is_none() {
                        Some("enige groep in deze jaargroep: zie het jaargroepoverzicht".to_owned())
                    } else {
                        None
                    },
                },
            });
        }
    }
    let months_of = |c: &Cell| c.row.contrast_unit.as_deref() == Some("months");
    apply_holm(ctx, &mut cells, &months_of);
    let mut rows: Vec<GroupRow> = cells.into_iter().map(|c| c.row).collect();
    rows.sort_by(|a, b| {
        a.school
            .cmp(&b.school)
            .then(a.grade.cmp(&b.grade))
            .then(a.group.cmp(&b.group))
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
    });
    rows
}

/// Overview 3: components per jaargroep and subject; the contrast is the component's effect size
/// minus that of the whole subject for the same jaargroep; Holm per school × jaargroep.
pub fn component_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<ComponentRow> {
    struct CCell {
        row: ComponentRow,
        family: (usize, Grade, String),
        delta: Option<f64>,
    }
    let mut cells: Vec<CCell> = Vec::new();
    for (&u, ur) in units {
        let unit = &ctx.prep.units[u];
        let Some(component) = unit.key.component.clone() else { continue };
        // The whole-subject unit: same subject, same scale if present, else any main unit.
        let main = units
            .iter()
            .filter(|(mu, _)| {
                let k = &ctx.prep.units[**mu].key;
                k.component.is_none() && k.subject == unit.key.subject
            })
            .min_by_key(|(mu, _)| (ctx.prep.units[**mu].key.scale != unit.key.scale, **mu))
            .map(|(_, r)| r);
        let Some(vc_es) = ur.vc_es else { continue };
        let mut by_sg: BTreeMap<(usize, Grade), Vec<&PupilRes>> = BTreeMap::new();
        for p in ur.um.current.iter().filter(|p| ctx.in_scope(p.school)) {
            by_sg.entry((p.school, p.grade)).or_default().push(p);
        }
        for (&(s, g), members) in &by_sg {
            let n = members.len();
            let small = n < ctx.cfg.min_n;
            let es = (!small).then(|| agg::aggregate(members, Metric::Es, &vc_es, &ur.um.models)).flatten();
            let months = (ur.months && !small)
                .then(|| {
                    ur.vc_months.and_then(|vc| agg::aggregate(members, Metric::Months, &vc, &ur.um.models))
                })
                .flatten();
            let con = (|| {
                let es = es?;
                let mr = main?;
                let mv = mr.vc_es?;
                let mm: Vec<&PupilRes> =
                    mr.um.current.iter().filter(|p| p.school == s && p.grade == g).collect();
                if mm.len() < ctx.cfg.min_n {
                    return None;
                }
                let ma = agg::aggregate(&mm, Metric::Es, &mv, &mr.um.models)?;
                let d = es.mean - ma.mean;
                let v = agg::clustering_var(members, Metric::Es, &vc_es)
                    + agg::clustering_var(&mm, Metric::Es, &mv);
                Some((d, v))
            })();
            let p = con.map(|(d, v)| normal::two_sided_p(d / v.max(1e-300).sqrt()));
            cells.push(CCell {
                family: (s, g, unit.key.subject.to_string()),
                delta: con.map(|c| c.0),
                row: ComponentRow {
                    school: ctx.prep.schools[s].clone(),
                    grade: g,
                    subject: unit.key.subject.clone(),
                    component: component.clone(),
                    scale: unit.key.scale.clone(),
                    basis: match unit.key.value {
                        crate::prep::ValueKind::Ability => "ability",
                        crate::prep::ValueKind::Raw => "raw",
                    }
                    .to_owned(),
                    delay_months: months.and_then(|a| fin(a.mean)),
                    ci95: months.and_then(|a| fin2(a.ci())),
                    effect_size: es.and_then(|a| fin(a.mean)),
                    effect_size_ci95: es.and_then(|a| fin2(a.ci())),
                    n,
                    contrast: con.and_then(|c| fin(c.0)),
                    p_value: p,
                    p_holm: None,
                    deviates: None,
                    warning: if small { Some(too_small(n)) } else { None },
                },
            });
        }
        let _ = unit_names(ctx, u);
    }
    let mut fams: BTreeMap<(usize, Grade, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        if c.row.p_value.is_some() {
            fams.entry(c.family.clone()).or_default().push(i);
        }
    }
    for idx in fams.values() {
        let p: Vec<f64> = idx.iter().map(|&i| cells[i].row.p_value.unwrap_or(1.0)).collect();
        let h = holm(&p, ctx.cfg.holm_alpha);
        for (k, &i) in idx.iter().enumerate() {
            cells[i].row.p_holm = Some(h.adjusted[k]);
            if h.rejected[k] {
                let d = cells[i].delta.unwrap_or(0.0);
                cells[i].row.deviates = Some(if d > 0.0 { Direction::Negative } else { Direction::Positive });
            }
        }
    }
    let mut rows: Vec<ComponentRow> = cells.into_iter().map(|c| c.row).collect();
    rows.sort_by(|a, b| {
        a.school
            .cmp(&b.school)
            .then(a.grade.cmp(&b.grade))
            .then(a.subject.cmp(&b.subject))
            .then(a.component.cmp(&b.component))
            .then(a.scale.cmp(&b.scale))
    });
    rows
}
