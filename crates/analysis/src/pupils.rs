//! Overview 4: pupils who stand out (growth-method.md §5.5). Per subject against the pupil's own
//! expectation and against classmates, and combined over subjects (Stouffer weighted by each
//! subject's precision in school months, with the correlation of baseline residuals); two-stage
//! false discovery control per school (Benjamini–Bogomolov): Benjamini–Hochberg over one test per
//! pupil, then within each flagged pupil.

use std::collections::{BTreeMap, HashMap};

use crate::engine::{Ctx, UnitResult, fin, fin2};
use crate::findings::{CorrelationRow, Direction, PupilBasis, PupilRow};
use crate::measure::PupilRes;
use crate::stats::combine::{pearson, stouffer, weighted_stouffer};
use crate::stats::multiple::benjamini_hochberg;
use crate::stats::normal::two_sided_p;

/// Fewer matched baseline pairs than this: assume a correlation of 0.5 (conservative for a sum).
const MIN_PAIRS: usize = 30;
const ASSUMED_RHO: f64 = 0.5;

struct Test {
    pupil: usize,
    school: usize,
    unit: Option<usize>,
    basis: PupilBasis,
    z: f64,
    delay: Option<f64>,
    ci: Option<[f64; 2]>,
    ci_basis: Option<&'static str>,
    es: Option<f64>,
    grade: schoolscan_domain::Grade,
    class: Option<usize>,
}

/// Correlation matrix of baseline own-growth z's between main units (pairs: same pupil, same
/// baseline year).
fn correlations(
    ctx: &Ctx,
    units: &BTreeMap<usize, UnitResult>,
    mains: &[usize],
) -> (Vec<f64>, Vec<CorrelationRow>) {
    let k = mains.len();
    let mut maps: Vec<HashMap<(usize, i32), f64>> = Vec::with_capacity(k);
    for u in mains {
        let mut m = HashMap::new();
        let ur = &units[u];
        // Highest-order model wins for a pupil-year present in several models.
        let mut models: Vec<&crate::measure::KeyModel> = ur.um.models.iter().collect();
        models.sort_by_key(|m| m.key.priors.len());
        for md in models {
            for b in &md.baseline {
                m.insert((b.pupil, b.year), b.z);
            }
        }
        maps.push(m);
    }
    let mut corr = vec![0.0; k * k];
    let mut rows = Vec::new();
    for i in 0..k {
        corr[i * k + i] = 1.0;
        for j in i + 1..k {
            let mut keys: Vec<&(usize, i32)> =
                maps[i].keys().filter(|key| maps[j].contains_key(key)).collect();
            keys.sort();
            let a: Vec<f64> = keys.iter().map(|key| maps[i][key]).collect();
            let b: Vec<f64> = keys.iter().map(|key| maps[j][key]).collect();
            let r = pearson(&a, &b);
            let assumed = keys.len() < MIN_PAIRS || !r.is_finite();
            // Negative correlations are clamped to 0 and near-1 to 0.99: conservative and well defined.
            let rho = if assumed { ASSUMED_RHO } else { r.clamp(0.0, 0.99) };
            corr[i * k + j] = rho;
            corr[j * k + i] = rho;
            let name = |u: usize| {
                let key = &ctx.prep.units[u].key;
                format!("{}:{}", key.subject, key.scale)
            };
            rows.push(CorrelationRow {
                a: name(mains[i]),
                b: name(mains[j]),
                correlation: if assumed { ASSUMED_RHO } else { r },
                n_pairs: keys.len(),
                assumed,
            });
        }
    }
    (corr, rows)
}

fn certainty(q: f64) -> String {
    let pct = 100.0 * q;
    let s = if pct < 0.1 { "minder dan 0,1".to_owned() } else { format!("{pct:.1}").replace('.', ",") };
    format!("naar verwachting is hoogstens {s}% van de leerlingen die zo sterk opvallen vals alarm")
}

/// The pupil rows and the subject correlations used.
pub fn pupil_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> (Vec<PupilRow>, Vec<CorrelationRow>) {
    let mains: Vec<usize> = units.keys().copied().filter(|&u| ctx.prep.units[u].is_main()).collect();
    let (corr, corr_rows) = correlations(ctx, units, &mains);
    let k = mains.len();
    let mut tests: Vec<Test> = Vec::new();
    // Per pupil: (unit position, result) for the across-subjects test.
    let mut per_pupil: BTreeMap<usize, Vec<(usize, &PupilRes)>> = BTreeMap::new();
    let mut own_z: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (pos, &u) in mains.iter().enumerate() {
        let ur = &units[&u];
        let es_w = ur.vc_es.map(|v| v.sigma2.sqrt());
        let mut by_class: BTreeMap<usize, Vec<&PupilRes>> = BTreeMap::new();
        for p in &ur.um.current {
            if let Some(c) = p.class {
                by_class.entry(c).or_default().push(p);
            }
        }
        // The school's common delay in this unit (sum and count of own-growth z's per school): a
        // pupil stands out when they fell further behind their own expectation than the school's
        // pupils in general (leave-one-out), not merely because the whole school is behind.
        let mut school_z: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
        for p in ur.um.current.iter().filter(|p| ctx.in_scope(p.school)) {
            let e = school_z.entry(p.school).or_insert((0.0, 0));
            e.0 += p.z_behind;
            e.1 += 1;
        }
        for p in ur.um.current.iter().filter(|p| ctx.in_scope(p.school)) {
            let (sum, n) = school_z[&p.school];
            let z_own = if n >= 3 {
                let others = (n - 1) as f64;
                (p.z_behind - (sum - p.z_behind) / others) / (1.0 + 1.0 / others).sqrt()
            } else {
                p.z_behind
            };
            own_z.insert((pos, p.pupil), z_own);
            per_pupil.entry(p.pupil).or_default().push((pos, p));
            let m = &ur.um.models[p.model];
            let (ci, basis) = match (p.d, p.se_meas) {
                (Some(d), Some(se)) => {
                    (fin2([d - 1.96 * se / m.gamma, d + 1.96 * se / m.gamma]), Some("measurement"))
                }
                (Some(d), None) => (
                    fin2([d - 1.96 * p.sd_pred / m.gamma, d + 1.96 * p.sd_pred / m.gamma]),
                    Some("prediction"),
                ),
                _ => (None, None),
            };
            tests.push(Test {
                pupil: p.pupil,
                school: p.school,
                unit: Some(u),
                basis: PupilBasis::OwnGrowth,
                z: z_own,
                delay: p.d,
                ci,
                ci_basis: basis,
                es: fin(p.es),
                grade: p.grade,
                class: p.class,
            });
            // Against classmates (effect-size scale, so pupils of a combination class compare).
            if let (Some(c), Some(sw)) = (p.class, es_w) {
                let others: Vec<f64> =
                    by_class[&c].iter().filter(|q| q.pupil != p.pupil).map(|q| q.es).collect();
                if others.len() >= 2 && sw > 0.0 {
                    let mo = others.iter().sum::<f64>() / others.len() as f64;
                    let z = (p.es - mo) / (sw * (1.0 + 1.0 / others.len() as f64).sqrt());
                    tests.push(Test {
                        pupil: p.pupil,
                        school: p.school,
                        unit: Some(u),
                        basis: PupilBasis::Classmates,
                        z,
                        delay: p.d,
                        ci,
                        ci_basis: basis,
                        es: fin(p.es),
                        grade: p.grade,
                        class: p.class,
                    });
                }
            }
        }
    }
    // Across subjects.
    for (pupil, rs) in &per_pupil {
        if rs.len() < 2 {
            continue;
        }
        let idx: Vec<usize> = rs.iter().map(|(pos, _)| *pos).collect();
        let sub: Vec<f64> = idx
            .iter()
            .flat_map(|&a| idx.iter().map(move |&b| (a, b)))
            .map(|(a, b)| corr[a * k + b])
            .collect();
        let z: Vec<f64> = rs.iter().map(|(pos, p)| own_z[&(*pos, p.pupil)]).collect();
        // Weights for a common delay in school months: μ_s = γ_s / SD_s (1 / the pupil's SD in
        // months); equal weights when a subject has no school months.
        let mu: Option<Vec<f64>> = rs
            .iter()
            .map(|(pos, p)| {
                let m = &units[&mains[*pos]].um.models[p.model];
                (m.months && p.sd_pred > 0.0).then(|| m.gamma / p.sd_pred)
            })
            .collect();
        let zc = match &mu {
            Some(mu) => weighted_stouffer(&z, &sub, mu),
            None => stouffer(&z, &sub),
        };
        if !zc.is_finite() {
            continue;
        }
        let all_d: Option<Vec<f64>> = rs.iter().map(|(_, p)| p.d).collect();
        let (delay, ci, basis) = match all_d {
            Some(ds) => {
                let n = ds.len() as f64;
                let mean = ds.iter().sum::<f64>() / n;
                let mut ses = Vec::new();
                let mut meas = true;
                for (pos, p) in rs {
                    let m = &units[&mains[*pos]].um.models[p.model];
                    let se = match p.se_meas {
                        Some(s) => s,
                        None => {
                            meas = false;
                            p.sd_pred
                        }
                    };
                    ses.push(se / m.gamma);
                }
                // With prediction SEs for some subjects, use them for all (consistent interval).
                if !meas {
                    ses = rs
                        .iter()
                        .map(|(pos, p)| p.sd_pred / units[&mains[*pos]].um.models[p.model].gamma)
                        .collect();
                }
                let mut v = 0.0;
                for (i, a) in idx.iter().enumerate() {
                    for (j, b) in idx.iter().enumerate() {
                        v += corr[a * k + b] * ses[i] * ses[j];
                    }
                }
                let se = v.max(0.0).sqrt() / n;
                (
                    fin(mean),
                    fin2([mean - 1.96 * se, mean + 1.96 * se]),
                    Some(if meas { "measurement" } else { "prediction" }),
                )
            }
            None => (None, None, None),
        };
        let es_mean = rs.iter().map(|(_, p)| p.es).sum::<f64>() / rs.len() as f64;
        let first = rs[0].1;
        tests.push(Test {
            pupil: *pupil,
            school: first.school,
            unit: None,
            basis: PupilBasis::AcrossSubjects,
            z: zc,
            delay,
            ci,
            ci_basis: basis,
            es: fin(es_mean),
            grade: first.grade,
            class: first.class,
        });
    }
    // Two-stage false discovery control per school (Benjamini & Bogomolov 2014). Stage 1, the
    // flag: one test per pupil (across subjects; the own-growth test for a pupil with one
    // subject), Benjamini–Hochberg at q over the school's pupils. Stage 2, only for the R flagged
    // pupils of m: the pupil's other tests (per subject, against classmates), Benjamini–Hochberg
    // at q·R/m within the pupil.
    let multi: std::collections::BTreeSet<usize> =
        tests.iter().filter(|t| t.basis == PupilBasis::AcrossSubjects).map(|t| t.pupil).collect();
    let is_primary = |t: &Test| {
        t.basis == PupilBasis::AcrossSubjects
            || (t.basis == PupilBasis::OwnGrowth && !multi.contains(&t.pupil))
    };
    let mut by_school: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut secondary: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, t) in tests.iter().enumerate() {
        if is_primary(t) {
            by_school.entry(t.school).or_default().push(i);
        } else {
            secondary.entry(t.pupil).or_default().push(i);
        }
    }
    let q = ctx.cfg.bh_q;
    let mut flagged: Vec<(usize, f64, f64)> = Vec::new();
    for idx in by_school.values() {
        let p: Vec<f64> = idx.iter().map(|&i| two_sided_p(tests[i].z)).collect();
        let bh = benjamini_hochberg(&p, q);
        let m = idx.len() as f64;
        let r = bh.rejected.iter().filter(|&&x| x).count() as f64;
        for (j, &i) in idx.iter().enumerate() {
            if !bh.rejected[j] {
                continue;
            }
            flagged.push((i, p[j], bh.adjusted[j]));
            let Some(sec) = secondary.get(&tests[i].pupil) else { continue };
            let ps: Vec<f64> = sec.iter().map(|&k| two_sided_p(tests[k].z)).collect();
            let level = q * r / m;
            let inner = benjamini_hochberg(&ps, level);
            for (l, &k) in sec.iter().enumerate() {
                if inner.rejected[l] {
                    // On the scale of q: the within-pupil q-value divided by the selection share.
                    let qv = (inner.adjusted[l] * m / r).min(1.0).max(bh.adjusted[j]);
                    flagged.push((k, ps[l], qv));
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (i, p_value, q_value) in flagged {
        let t = &tests[i];
        let key = t.unit.map(|u| &ctx.prep.units[u].key);
        rows.push(PupilRow {
            pupil: ctx.prep.pupils[t.pupil].number.clone(),
            school: ctx.prep.schools[t.school].clone(),
            grade: t.grade,
            group: t.class.map(|c| ctx.prep.classes[c].2.clone()),
            subject: key.map(|k| k.subject.clone()),
            scale: key.map(|k| k.scale.clone()),
            basis: t.basis,
            direction: if t.z > 0.0 { Direction::Negative } else { Direction::Positive },
            delay_months: t.delay.and_then(fin),
            ci95: t.ci,
            ci_basis: t.ci_basis.map(str::to_owned),
            effect_size: t.es,
            z: t.z,
            p_value,
            q_value,
            certainty: certainty(q_value),
            growth_percentile: None,
            sgp_basis: None,
        });
    }
    rows.sort_by(|a, b| {
        a.school
            .cmp(&b.school)
            .then(a.q_value.total_cmp(&b.q_value))
            .then(a.pupil.cmp(&b.pupil))
            .then(a.basis.cmp(&b.basis))
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
    });
    (rows, corr_rows)
}
