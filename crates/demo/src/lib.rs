//! A realistic, deterministic demo board for Schoolscan, with the corona effects it injected.
//!
//! [`generate`] turns a [`DemoConfig`] into a [`Demo`]: a [`Dataset`] (board, schools, pupils,
//! enrolments, tests, scores, social-emotional observations, notes) and the [`Truth`] behind it
//! (per score the true delay in school months, group means, the deviating jaargroepen, the pupils
//! who fell far behind or moved ahead). The same configuration always gives the same demo; with
//! `corona: false` the same board appears without any injected effect (the null twin).
//!
//! The model (formulas and parameter values) is documented in `README.md` of this crate; the
//! analysis engine is validated against it.
//!
//! Module map:
//! - [`config`]: the configuration and the default board.
//! - `flow`: pupils entering, moving up, repeating, arriving and leaving; their latent traits.
//! - `model`: scales, growth curves, norms, CSEM.
//! - `corona`: the injected loss and recovery.
//! - `scores`: test dates and scores.
//! - `seo`: observations and notes.
//! - [`truth`]: the truth types and aggregates.

pub mod config;
mod corona;
mod dates;
mod flow;
mod model;
mod names;
mod rng;
mod scores;
mod seo;
pub mod truth;

use std::collections::BTreeMap;

use schoolscan_domain::{
    Board, Dataset, Enrolment, GroupName, MomentKind, Pupil, School, SchoolYear, Sex, Weight,
};

pub use config::{DemoConfig, DeviatingSpec, Layout, SchoolSpec};
pub use corona::{Injected, LossParams};
pub use model::Curve;
pub use seo::SIGNAL_BELOW;
pub use truth::{
    Deviation, FAR_BEHIND_MONTHS, GroupDelay, MOVED_AHEAD_MONTHS, PupilInjection, PupilRef, PupilSummary,
    ScoreDelay, ScoreKey, SeoDip, TRUTH_VERSION, Target, Truth,
};

use crate::corona::PupilCorona;
use crate::flow::SchoolSim;
use crate::model::Subj;
use crate::rng::{Purpose, Stream, tag};

/// A generated demo: the records and the truth behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub dataset: Dataset,
    pub truth: Truth,
}

/// The primary target moment: the M tests of 2020-2021.
pub fn primary_target() -> Target {
    Target::new(2020, MomentKind::M)
}

/// Choose the pupils who fall far behind and who move ahead (weighted sampling without
/// replacement over all schools; exact counts).
fn select_injected(cfg: &DemoConfig, sims: &[SchoolSim]) -> Vec<Vec<Injected>> {
    let mut out: Vec<Vec<Injected>> = sims.iter().map(|s| vec![Injected::None; s.pupils.len()]).collect();
    if cfg.applied_scale() <= 0.0 {
        return out;
    }
    let mut far = Vec::new();
    let mut ahead = Vec::new();
    for (si, sim) in sims.iter().enumerate() {
        let stag = tag(cfg.schools[si].brin.as_str());
        for (pi, p) in sim.pupils.iter().enumerate() {
            if !corona::eligible(p) {
                continue;
            }
            let mut s = Stream::new(cfg.seed, Purpose::Select, &[stag, p.serial]);
            let (u1, u2) = (s.uniform().max(1e-300), s.uniform().max(1e-300));
            let has = |f: &str| p.flags.iter().any(|x| x == f);
            let w_far = match p.weight {
                Weight::W12 => 2.0,
                Weight::W03 => 1.4,
                Weight::W0 => 1.0,
            } * if p.latent.general < -0.5 { 1.5 } else { 1.0 }
                * if has("kwetsbaar") || has("thuissituatie") { 2.0 } else { 1.0 }
                * if has("noodopvang") { 0.3 } else { 1.0 };
            let w_ahead = if p.education == schoolscan_domain::ParentsEducation::High { 2.0 } else { 1.0 }
                * if p.latent.general > 0.5 { 1.5 } else { 1.0 };
            far.push((u1.powf(1.0 / w_far), si, pi));
            ahead.push((u2.powf(1.0 / w_ahead), si, pi));
        }
    }
    let n = far.len() as f64;
    let k_far = (cfg.far_behind_share.max(0.0) * n).round() as usize;
    let k_ahead = (cfg.moved_ahead_share.max(0.0) * n).round() as usize;
    let by_key = |a: &(f64, usize, usize), b: &(f64, usize, usize)| {
        b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2)))
    };
    far.sort_by(by_key);
    ahead.sort_by(by_key);
    for &(_, si, pi) in far.iter().take(k_far) {
        out[si][pi] = Injected::FarBehind;
    }
    let mut taken = 0;
    for &(_, si, pi) in &ahead {
        if taken >= k_ahead {
            break;
        }
        if out[si][pi] == Injected::None {
            out[si][pi] = Injected::MovedAhead;
            taken += 1;
        }
    }
    out
}

fn weight_key(w: Weight) -> &'static str {
    match w {
        Weight::W0 => "gewicht_0",
        Weight::W03 => "gewicht_0.3",
        Weight::W12 => "gewicht_1.2",
    }
}

/// The target moments after the first closure within the configured years.
fn targets(cfg: &DemoConfig) -> Vec<Target> {
    let mut out = Vec::new();
    for y in cfg.first_year.max(2019)..=cfg.last_year {
        if y >= 2020 {
            out.push(Target::new(y, MomentKind::M));
        }
        out.push(Target::new(y, MomentKind::E));
    }
    out
}

/// Generate the demo board described by `cfg`.
pub fn generate(cfg: &DemoConfig) -> Demo {
    let sims: Vec<SchoolSim> = (0..cfg.schools.len()).map(|i| flow::simulate_school(cfg, i)).collect();
    let injected = select_injected(cfg, &sims);
    let coronas: Vec<Vec<PupilCorona>> = sims
        .iter()
        .enumerate()
        .map(|(si, sim)| {
            let brin = cfg.schools[si].brin.as_str();
            sim.pupils
                .iter()
                .enumerate()
                .map(|(pi, p)| corona::pupil_corona(cfg, brin, p, injected[si][pi]))
                .collect()
        })
        .collect();

    let mut ds = Dataset::default();
    ds.boards.push(Board { key: cfg.board_key.clone(), name: cfg.board_name.clone() });
    ds.tests = Subj::ALL.iter().filter_map(|s| s.params().test()).collect();
    let mut score_truth = Vec::new();
    let mut info = BTreeMap::new();
    let mut injections = Vec::new();
    let mut seo_out = seo::SeoOut { observations: Vec::new(), dips: BTreeMap::new() };
    for (si, (spec, sim)) in cfg.schools.iter().zip(&sims).enumerate() {
        ds.schools.push(School {
            brin: spec.brin.clone(),
            name: spec.name.clone(),
            board: cfg.board_key.clone(),
        });
        for (pi, p) in sim.pupils.iter().enumerate() {
            ds.pupils.push(Pupil {
                school: spec.brin.clone(),
                number: p.number.clone(),
                eck_id: None,
                first_name: Some(p.first_name.clone()),
                prefix: p.prefix.clone(),
                last_name: Some(p.last_name.clone()),
                birth_date: Some(p.birth),
                sex: Some(if p.girl { Sex::Female } else { Sex::Male }),
                weight: Some(p.weight),
                parents_education: Some(p.education),
                opp: p.opp,
                risk_flags: p.flags.clone(),
                arrived: Some(p.arrived),
                left: p.left,
            });
            for (&y, pl) in &p.years {
                let (Ok(group), Ok(grade)) =
                    (GroupName::parse(&pl.group), schoolscan_domain::Grade::new(pl.grade))
                else {
                    continue;
                };
                ds.enrolments.push(Enrolment {
                    school: spec.brin.clone(),
                    pupil: p.number.clone(),
                    year: SchoolYear::new(y),
                    group,
                    grade,
                });
            }
            let corona = &coronas[si][pi];
            for g in scores::pupil_scores(cfg, spec, p, corona) {
                ds.scores.push(g.score);
                if let Some(t) = g.truth {
                    score_truth.push(t);
                }
            }
            let pref = PupilRef { school: spec.brin.clone(), pupil: p.number.clone() };
            info.insert(
                pref.clone(),
                truth::PupilInfo { weight_key: weight_key(p.weight), opp: p.opp, injected: corona.injected },
            );
            if cfg.applied_scale() > 0.0 {
                injections.push(PupilInjection {
                    school: pref.school,
                    pupil: pref.pupil,
                    injected: corona.injected,
                    params: Subj::ALL
                        .iter()
                        .map(|s| (s.params().id.to_owned(), corona.params[s.index()]))
                        .collect(),
                    deviating_subjects: Subj::ALL
                        .iter()
                        .filter(|s| corona.deviating[s.index()])
                        .map(|s| s.params().id.to_owned())
                        .collect(),
                });
            }
        }
        if cfg.observations {
            seo::school_observations(cfg, spec, &sim.pupils, &injected[si], &mut seo_out);
            let dev_grade = (cfg.applied_scale() > 0.0)
                .then(|| cfg.deviating.iter().find(|d| d.school == spec.brin).map(|d| d.grade))
                .flatten();
            ds.notes.extend(seo::school_notes(cfg, spec, &sim.pupils, &injected[si], dev_grade));
        }
    }
    let seo_dips = seo::dips(&seo_out);
    ds.observations = seo_out.observations;
    let school_order: BTreeMap<String, usize> =
        cfg.schools.iter().enumerate().map(|(i, s)| (s.brin.as_str().to_owned(), i)).collect();
    let order = |b: &schoolscan_domain::Brin| school_order.get(b.as_str()).copied().unwrap_or(usize::MAX);
    ds.scores.sort_by(|a, b| {
        (order(&a.school), &a.pupil, a.date, &a.test_key, &a.component).cmp(&(
            order(&b.school),
            &b.pupil,
            b.date,
            &b.test_key,
            &b.component,
        ))
    });
    score_truth.sort_by(|a, b| {
        (order(&a.school), &a.pupil, a.date, &a.test_key, &a.component).cmp(&(
            order(&b.school),
            &b.pupil,
            b.date,
            &b.test_key,
            &b.component,
        ))
    });
    ds.observations.sort_by(|a, b| {
        (order(&a.school), &a.pupil, a.date, a.informant, &a.dimension).cmp(&(
            order(&b.school),
            &b.pupil,
            b.date,
            b.informant,
            &b.dimension,
        ))
    });
    ds.notes.sort_by(|a, b| (order(&a.school), a.date, &a.pupil).cmp(&(order(&b.school), b.date, &b.pupil)));

    let truth = build_truth(cfg, score_truth, &info, injections, seo_dips);
    Demo { dataset: ds, truth }
}

fn build_truth(
    cfg: &DemoConfig,
    scores: Vec<ScoreDelay>,
    info: &BTreeMap<PupilRef, truth::PupilInfo>,
    injections: Vec<PupilInjection>,
    seo: Vec<SeoDip>,
) -> Truth {
    let scale = cfg.applied_scale();
    let far_threshold = FAR_BEHIND_MONTHS * scale.min(1.0);
    let ahead_threshold = MOVED_AHEAD_MONTHS * scale.min(1.0);
    let targets = targets(cfg);
    let agg = truth::aggregate(&scores, &targets, info, far_threshold, ahead_threshold);
    let primary = primary_target();
    let mut deviating = Vec::new();
    if scale > 0.0 {
        for d in &cfg.deviating {
            let negative = d.loss_multiplier > 1.0 || d.extra_rate > 0.0;
            for (t, dg) in
                [(primary, 0u8), (Target::new(2020, MomentKind::E), 0), (Target::new(2021, MomentKind::M), 1)]
            {
                let grade = d.grade + dg;
                if grade > 8 || !targets.contains(&t) {
                    continue;
                }
                let (n, m_in, m_out) = truth::contrast(&scores, t, &d.school, grade, &d.subject);
                deviating.push(Deviation {
                    target: t,
                    school: d.school.clone(),
                    grade,
                    subject: d.subject.clone(),
                    direction: if negative { "negative" } else { "positive" }.to_owned(),
                    n,
                    mean_delay_months: m_in,
                    rest_of_school_months: m_out,
                    contrast_months: m_in - m_out,
                });
            }
        }
    }
    let pick = |f: fn(&PupilSummary) -> bool| -> Vec<PupilRef> {
        agg.pupils
            .iter()
            .filter(|p| p.target == primary && f(p))
            .map(|p| PupilRef { school: p.school.clone(), pupil: p.pupil.clone() })
            .collect()
    };
    let far_behind = pick(|p| p.far_behind);
    let moved_ahead = pick(|p| p.moved_ahead);
    Truth {
        version: TRUTH_VERSION,
        seed: cfg.seed,
        corona: cfg.corona,
        effect_scale: cfg.effect_scale,
        primary_target: primary,
        targets,
        far_behind_threshold_months: far_threshold,
        moved_ahead_threshold_months: ahead_threshold,
        curves: Subj::ALL.iter().map(|s| Curve::of(s.params())).collect(),
        scores,
        subjects: agg.subjects,
        schools: agg.schools,
        grades: agg.grades,
        classes: agg.classes,
        components: agg.components,
        subgroups: agg.subgroups,
        deviating,
        pupils: agg.pupils,
        far_behind,
        moved_ahead,
        injections,
        seo,
    }
}
