//! Social-emotional development (issue 4, "Social-emotional data"): per instrument × dimension ×
//! informant the change before vs since the closure, the share of pupils in the signalling zone,
//! and the agreement between informants. Dimensions are never merged across instruments.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use schoolscan_domain::{Dataset, Informant, PupilNumber};

use crate::engine::{Ctx, fin, fin2, too_small};
use crate::findings::{Seo, SeoAgreementRow, SeoRow};
use crate::stats::combine::{mean, pearson, sd};

/// Is an instrument's own signal a signal? Empty and "no signal" words are not.
pub fn is_signal(s: Option<&str>) -> bool {
    match s {
        None => false,
        Some(t) => {
            let t = t.trim().to_lowercase();
            !matches!(
                t.as_str(),
                "" | "geen"
                    | "nee"
                    | "no"
                    | "ok"
                    | "normaal"
                    | "geen signaal"
                    | "0"
                    | "false"
                    | "onvoldoende gegevens"
            )
        }
    }
}

/// Borrowed from the dataset, so the per-observation look-ups allocate nothing. A pupil is keyed
/// by the BRIN text and pupil number (the order of the owned strings).
type Key<'a> = (&'a str, &'a str, Informant);
type PupilKey<'a> = (&'a str, &'a PupilNumber);
type Latest = (schoolscan_domain::Date, f64, bool);
/// The latest observation per pupil, sorted by the pupil's rank in [`PupilKey`] order.
type Pupils = Vec<(u32, Latest)>;

/// The pupil of rank `r` in `m`.
fn get(m: &Pupils, r: u32) -> Option<&Latest> {
    m.binary_search_by_key(&r, |e| e.0).ok().map(|i| &m[i].1)
}

pub fn seo<'a>(data: &'a Dataset, ctx: &Ctx) -> Seo {
    let closure = ctx.cfg.closure_start;
    let scope: BTreeSet<&schoolscan_domain::Brin> = ctx.scope.iter().map(|&s| &ctx.prep.schools[s]).collect();
    let in_scope = |b: &schoolscan_domain::Brin| scope.contains(b);
    // Latest observation per pupil in each period: before the closure / in the target school year.
    // Pupils are interned as they come and later numbered in the order of their key, so each
    // period's pupils can be kept as a vector sorted by that rank (the order of a map by key)
    // without comparing strings for every observation.
    let mut pupil_ids: HashMap<PupilKey, u32> = HashMap::new();
    let mut pupil_keys: Vec<PupilKey> = Vec::new();
    let mut before: BTreeMap<Key, HashMap<u32, Latest>> = BTreeMap::new();
    let mut since: BTreeMap<Key, HashMap<u32, Latest>> = BTreeMap::new();
    for o in &data.observations {
        if !in_scope(&o.school) || !o.value.is_finite() {
            continue;
        }
        let period = if o.date < closure {
            &mut before
        } else if schoolscan_domain::SchoolYear::of(o.date).start_year() == ctx.year {
            &mut since
        } else {
            continue;
        };
        let k = (o.instrument.as_str(), o.dimension.as_str(), o.informant);
        let pk = (o.school.as_str(), &o.pupil);
        let next = u32::try_from(pupil_keys.len()).unwrap_or(u32::MAX);
        let id = *pupil_ids.entry(pk).or_insert_with(|| {
            pupil_keys.push(pk);
            next
        });
        let v = (o.date, o.value, is_signal(o.signal.as_deref()));
        let e = period.entry(k).or_default().entry(id).or_insert(v);
        // Latest date wins; same date: the larger value (deterministic).
        if (v.0, v.1) > (e.0, e.1) {
            *e = v;
        }
    }
    let mut by_key: Vec<u32> = (0..u32::try_from(pupil_keys.len()).unwrap_or(u32::MAX)).collect();
    by_key.sort_unstable_by(|&a, &b| pupil_keys[a as usize].cmp(&pupil_keys[b as usize]));
    let mut rank = vec![0u32; by_key.len()];
    for (r, &id) in by_key.iter().enumerate() {
        rank[id as usize] = u32::try_from(r).unwrap_or(u32::MAX);
    }
    let sorted = |m: BTreeMap<Key<'a>, HashMap<u32, Latest>>| -> BTreeMap<Key<'a>, Pupils> {
        m.into_iter()
            .map(|(k, v)| {
                let mut v: Pupils = v.into_iter().map(|(id, x)| (rank[id as usize], x)).collect();
                v.sort_unstable_by_key(|e| e.0);
                (k, v)
            })
            .collect()
    };
    let (before, since) = (sorted(before), sorted(since));
    let min_n = ctx.cfg.min_n;
    let mut dims = Vec::new();
    let keys: BTreeSet<&Key> = before.keys().chain(since.keys()).collect();
    let empty = Pupils::new();
    for k in keys {
        let b = before.get(k).unwrap_or(&empty);
        let s = since.get(k).unwrap_or(&empty);
        let bv: Vec<f64> = b.iter().map(|(_, x)| x.1).collect();
        let sv: Vec<f64> = s.iter().map(|(_, x)| x.1).collect();
        let paired: Vec<f64> = s.iter().filter_map(|(r, x)| get(b, *r).map(|y| x.1 - y.1)).collect();
        let share = |m: &Pupils| {
            (m.len() >= min_n).then(|| m.iter().filter(|(_, x)| x.2).count() as f64 / m.len() as f64)
        };
        let (sb, ss) = (share(b), share(s));
        let mut row = SeoRow {
            instrument: k.0.to_owned(),
            dimension: k.1.to_owned(),
            informant: k.2.as_str().to_owned(),
            n_before: bv.len(),
            n_since: sv.len(),
            mean_before: (bv.len() >= min_n).then(|| mean(&bv)).and_then(fin),
            mean_since: (sv.len() >= min_n).then(|| mean(&sv)).and_then(fin),
            n_paired: paired.len(),
            change: None,
            change_ci95: None,
            effect_size: None,
            share_signal_before: sb,
            share_signal_since: ss,
            share_signal_change_ci95: match (sb, ss) {
                (Some(a), Some(c)) => {
                    let se = (a * (1.0 - a) / b.len() as f64 + c * (1.0 - c) / s.len() as f64).sqrt();
                    fin2([c - a - 1.96 * se, c - a + 1.96 * se])
                }
                _ => None,
            },
            warning: None,
        };
        if paired.len() >= min_n {
            let m = mean(&paired);
            let se = sd(&paired) / (paired.len() as f64).sqrt();
            row.change = fin(m);
            row.change_ci95 = fin2([m - 1.96 * se, m + 1.96 * se]);
            let sdb = sd(&bv);
            row.effect_size = if sdb > 0.0 { fin(m / sdb) } else { None };
        } else {
            row.warning =
                Some(format!("{} met een meting vóór én sinds de sluiting", too_small(paired.len())));
        }
        dims.push(row);
    }
    // Agreement between informants, since the closure.
    let mut agreement = Vec::new();
    let mut by_dim: BTreeMap<(&str, &str), Vec<Informant>> = BTreeMap::new();
    for k in since.keys() {
        by_dim.entry((k.0, k.1)).or_default().push(k.2);
    }
    for ((inst, dim), infs) in &by_dim {
        for i in 0..infs.len() {
            for j in i + 1..infs.len() {
                let a = &since[&(*inst, *dim, infs[i])];
                let b = &since[&(*inst, *dim, infs[j])];
                let pairs: Vec<(&Latest, &Latest)> =
                    a.iter().filter_map(|(r, x)| get(b, *r).map(|y| (x, y))).collect();
                let n = pairs.len();
                let mut row = SeoAgreementRow {
                    instrument: (*inst).to_owned(),
                    dimension: (*dim).to_owned(),
                    informants: [infs[i].as_str().to_owned(), infs[j].as_str().to_owned()],
                    n,
                    correlation: None,
                    signal_agreement: None,
                    kappa: None,
                    warning: None,
                };
                if n < min_n {
                    row.warning = Some(too_small(n));
                } else {
                    let xa: Vec<f64> = pairs.iter().map(|p| p.0.1).collect();
                    let xb: Vec<f64> = pairs.iter().map(|p| p.1.1).collect();
                    row.correlation = fin(pearson(&xa, &xb));
                    let nf = n as f64;
                    let agree = pairs.iter().filter(|p| p.0.2 == p.1.2).count() as f64 / nf;
                    let pa = pairs.iter().filter(|p| p.0.2).count() as f64 / nf;
                    let pb = pairs.iter().filter(|p| p.1.2).count() as f64 / nf;
                    let pe = pa * pb + (1.0 - pa) * (1.0 - pb);
                    row.signal_agreement = fin(agree);
                    row.kappa = if pe < 1.0 { fin((agree - pe) / (1.0 - pe)) } else { None };
                }
                agreement.push(row);
            }
        }
    }
    let note = (!dims.is_empty()).then(|| {
        "Verandering = gemiddelde van (sinds − vóór) bij dezelfde leerlingen, per instrument, dimensie en informant. \
         Of een hogere score gunstig is, hangt af van het instrument. Signaalzone = het eigen signaal van het \
         instrument."
            .to_owned()
    });
    Seo { dimensions: dims, agreement, note }
}
