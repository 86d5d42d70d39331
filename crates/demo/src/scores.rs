//! Test dates and scores, with the true (noise-free) scores with and without corona.

use std::collections::BTreeMap;

use schoolscan_domain::calendar::closures;
use schoolscan_domain::{Grade, Moment, MomentKind, SchoolYear, Score};
use time::Date;

use crate::config::{DemoConfig, SchoolSpec};
use crate::corona::PupilCorona;
use crate::dates::{add_school_days, monday_of_week};
use crate::flow::SimPupil;
use crate::model::{COMPONENT_CSEM_FACTOR, COMPONENTS, Subj, SubjectParams, level, nominal_tau, percentile};
use crate::rng::{Purpose, Stream, tag};
use crate::truth::ScoreDelay;

/// Day offset (school days) of each subject within a test round.
fn subject_offset(s: Subj) -> i64 {
    match s {
        Subj::Rw => 0,
        Subj::Tl => 1,
        Subj::Sp => 2,
        Subj::Bl => 4,
    }
}

/// The first day of a school's test round (M or E) in school year `y`, or `None` when the school
/// skipped it.
pub(crate) fn round_start(spec: &SchoolSpec, y: i32, kind: MomentKind) -> Option<Date> {
    match kind {
        MomentKind::M if y == 2020 => Some(spec.m_2021_start),
        MomentKind::M => Some(monday_of_week(y + 1, spec.m_week)),
        MomentKind::E if y == 2019 => (!spec.skip_e_2020).then(|| monday_of_week(2020, spec.e_week.max(24))),
        MomentKind::E => Some(monday_of_week(y + 1, spec.e_week)),
        MomentKind::B => None,
    }
}

/// The date a group sits a subject's test (before individual absence).
pub(crate) fn group_test_date(
    cfg: &DemoConfig,
    spec: &SchoolSpec,
    y: i32,
    kind: MomentKind,
    group: &str,
    s: Subj,
) -> Option<Date> {
    let start = round_start(spec, y, kind)?;
    let mut ds =
        Stream::new(cfg.seed, Purpose::Dates, &[tag(spec.brin.as_str()), y as u64, kind as u64, tag(group)]);
    let group_offset = ds.int(0, 3);
    Some(add_school_days(start, group_offset + subject_offset(s)))
}

/// One generated score with its truth.
pub(crate) struct Generated {
    pub(crate) score: Score,
    pub(crate) truth: Option<ScoreDelay>,
}

fn raw_score(p: &SubjectParams, m: Moment, y: f64) -> f64 {
    if p.items == 0 {
        // DMT: words read correctly in the three cards.
        (1.1 * y - 3.0).round().max(0.0)
    } else {
        let (mu, sd) = p.norm(m);
        let x = 1.4 * (y - mu) / sd + 0.7;
        (f64::from(p.items) / (1.0 + (-x).exp())).round()
    }
}

/// All scores of one pupil, in chronological order.
pub(crate) fn pupil_scores(
    cfg: &DemoConfig,
    spec: &SchoolSpec,
    p: &SimPupil,
    corona: &PupilCorona,
) -> Vec<Generated> {
    let stag = tag(spec.brin.as_str());
    let first_closure = closures::FIRST.0;
    let mut out = Vec::new();
    // Series (subject index, component index; 0 = whole test) with a score before the first
    // closure.
    let mut pre: BTreeMap<(usize, usize), Moment> = BTreeMap::new();
    for (&y, pl) in &p.years {
        if pl.grade < 3 {
            continue;
        }
        let Ok(grade) = Grade::new(pl.grade) else { continue };
        for kind in [MomentKind::M, MomentKind::E] {
            let moment = Moment::new(kind, grade);
            for subj in Subj::ALL {
                let sp = subj.params();
                if !sp.has_moment(moment) {
                    continue;
                }
                let Some(group_date) = group_test_date(cfg, spec, y, kind, &pl.group, subj) else { continue };
                let mut a = Stream::new(
                    cfg.seed,
                    Purpose::Dates,
                    &[stag, p.serial, y as u64, kind as u64, subj as u64],
                );
                let missing = a.chance(0.02);
                let catch_up = a.chance(0.04);
                let shift = a.int(3, 6);
                let individual = if subj == Subj::Tl { a.int(0, 4) } else { 0 };
                if missing {
                    continue;
                }
                let mut date = add_school_days(group_date, individual);
                if catch_up {
                    date = add_school_days(date, shift);
                }
                // A sitting that would fall after June (E) or after March (M) is missed.
                let late = match kind {
                    MomentKind::E => u8::from(date.month()) > 6,
                    _ => u8::from(date.month()) > 3,
                };
                if late || !p.present_on(date) {
                    continue;
                }
                let i = subj.index();
                let tau = p.clock(date);
                let lost = corona.params[i].lost_months(p.y3, date).min(tau.max(0.0));
                let theta = p.latent.theta[i];
                let m = p.latent.growth[i];
                let level_part = sp.a + sp.sigma * theta;
                let s0 = level_part + m * sp.cum_growth(tau);
                let s1 = level_part + m * sp.cum_growth(tau - lost);
                let mut es = Stream::new(
                    cfg.seed,
                    Purpose::Error,
                    &[stag, p.serial, y as u64, kind as u64, subj as u64],
                );
                let csem = sp.csem(moment, s1);
                let obs = (s1 + csem * es.normal()).round().clamp(sp.scale_min, sp.scale_max);
                let pct = percentile(sp, moment, obs);
                let gamma = sp.gamma_ref(moment);
                let after = date >= first_closure;
                let year = SchoolYear::new(y);
                let mk_truth =
                    |component: Option<&str>, s0: f64, s1: f64, lost: f64, prior: Option<Moment>| {
                        let gamma_prior = prior
                            .map(|pm| (nominal_tau(pm), nominal_tau(moment)))
                            .filter(|(t0, t1)| t1 > t0)
                            .map_or(gamma, |(t0, t1)| (sp.mean_at(t1) - sp.mean_at(t0)) / (t1 - t0));
                        ScoreDelay {
                            school: spec.brin.clone(),
                            pupil: p.number.clone(),
                            subject: sp.id.to_owned(),
                            component: component.map(str::to_owned),
                            test_key: sp.test_key(),
                            scale_code: sp.scale_code.to_owned(),
                            date,
                            year,
                            moment,
                            group: pl.group.clone(),
                            has_pre_corona_prior: prior.is_some(),
                            prior_moment: prior,
                            counterfactual: s0,
                            true_score: s1,
                            shortfall: s0 - s1,
                            lost_months: lost,
                            gamma_ref: gamma,
                            delay_months: (s0 - s1) / gamma,
                            gamma_prior,
                            delay_months_prior: (s0 - s1) / gamma_prior,
                        }
                    };
                if !after {
                    pre.insert((i, 0), moment);
                }
                out.push(Generated {
                    score: Score {
                        school: spec.brin.clone(),
                        pupil: p.number.clone(),
                        test_key: sp.test_key(),
                        component: None,
                        date,
                        moment: Some(moment),
                        ability: Some(obs),
                        csem: Some((csem * 10.0).round() / 10.0),
                        raw: Some(raw_score(sp, moment, obs)),
                        level: Some(level(pct).to_owned()),
                        percentile: Some(pct),
                        dle: (subj == Subj::Tl).then(|| sp.dle(obs).round()),
                        reference_level: None,
                    },
                    truth: after.then(|| mk_truth(None, s0, s1, lost, pre.get(&(i, 0)).copied())),
                });
                if subj != Subj::Rw {
                    continue;
                }
                for (ci, (name, offset, kappa)) in COMPONENTS.iter().enumerate() {
                    let lost_c = (lost * kappa).min(tau.max(0.0));
                    let own = offset + p.latent.component[ci];
                    let c0 = s0 + own;
                    let c1 = level_part + m * sp.cum_growth(tau - lost_c) + own;
                    let csem_c = COMPONENT_CSEM_FACTOR * sp.csem(moment, s1);
                    let mut ces = Stream::new(
                        cfg.seed,
                        Purpose::Error,
                        &[stag, p.serial, y as u64, kind as u64, subj as u64, ci as u64 + 1],
                    );
                    let obs_c = (c1 + csem_c * ces.normal()).round().clamp(sp.scale_min, sp.scale_max);
                    if !after {
                        pre.insert((i, ci + 1), moment);
                    }
                    out.push(Generated {
                        score: Score {
                            school: spec.brin.clone(),
                            pupil: p.number.clone(),
                            test_key: sp.test_key(),
                            component: Some((*name).to_owned()),
                            date,
                            moment: Some(moment),
                            ability: Some(obs_c),
                            csem: Some((csem_c * 10.0).round() / 10.0),
                            raw: None,
                            level: None,
                            percentile: None,
                            dle: None,
                            reference_level: None,
                        },
                        truth: after
                            .then(|| mk_truth(Some(name), c0, c1, lost_c, pre.get(&(i, ci + 1)).copied())),
                    });
                }
            }
        }
    }
    out
}
