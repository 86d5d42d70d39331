//! The truth the generator injected, in plain vectors that the analysis tests can check against.
//!
//! Definitions (README.md §"Truth"):
//! - `counterfactual` = the pupil's true score on the test date without corona (same pupil, same
//!   date, same class and repeat history, no measurement error); `true_score` = the same with the
//!   injected corona effect; `shortfall = counterfactual − true_score` (scale points).
//! - `delay_months = shortfall / gamma_ref`, with `gamma_ref` the population's mean growth per
//!   school month over the 10 nominal school months before the moment (what a baseline one-year
//!   transition estimates). Positive = behind.
//! - `lost_months` = the school months of growth the pupil lost on their own clock (the model
//!   parameter; `shortfall = m·(C(τ) − C(τ − lost_months))`).

use std::collections::BTreeMap;

use schoolscan_domain::{Brin, Informant, Moment, MomentKind, PupilNumber, SchoolYear};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::corona::{Injected, LossParams};
use crate::model::Curve;

/// Version of the truth format.
pub const TRUTH_VERSION: u32 = 1;

/// Far behind: mean delay over the pupil's subjects (with a pre-corona score) at the target of at
/// least this many school months × min(effect scale, 1).
pub const FAR_BEHIND_MONTHS: f64 = 5.0;
/// Moved ahead: mean delay at most this (negative) many school months × min(effect scale, 1).
pub const MOVED_AHEAD_MONTHS: f64 = -2.5;

/// A target moment: the M or E test round of a school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    pub year: SchoolYear,
    pub kind: MomentKind,
}

impl Target {
    pub fn new(start_year: i32, kind: MomentKind) -> Self {
        Self { year: SchoolYear::new(start_year), kind }
    }
    /// `M 2020-2021`.
    pub fn label(&self) -> String {
        format!("{} {}", self.kind.letter(), self.year)
    }
    /// Does a score with this date's school year and moment belong to the target?
    pub fn contains(&self, year: SchoolYear, moment: Moment) -> bool {
        self.year == year && self.kind == moment.kind
    }
}

/// A pupil key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PupilRef {
    pub school: Brin,
    pub pupil: PupilNumber,
}

/// The truth of one score taken on or after the first closure (16-03-2020).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreDelay {
    pub school: Brin,
    pub pupil: PupilNumber,
    pub subject: String,
    /// Rekenen-wiskunde component; `None` = the whole test.
    pub component: Option<String>,
    pub test_key: String,
    pub scale_code: String,
    pub date: Date,
    pub year: SchoolYear,
    pub moment: Moment,
    pub group: String,
    /// The pupil has a score in the same series (test and component) before 16-03-2020 at this
    /// school.
    pub has_pre_corona_prior: bool,
    /// The moment of the last such score (the prior of growth-method §2.1).
    pub prior_moment: Option<Moment>,
    pub counterfactual: f64,
    pub true_score: f64,
    pub shortfall: f64,
    pub lost_months: f64,
    pub gamma_ref: f64,
    pub delay_months: f64,
    /// The population's mean growth per school month from the nominal position of
    /// `prior_moment` to this moment (the γ_T of this pupil's transition, growth-method §2.2);
    /// equals `gamma_ref` without a prior.
    pub gamma_prior: f64,
    /// shortfall / gamma_prior: the delay as a transition-based engine measures it (differs from
    /// `delay_months` only for spans longer than a year, e.g. recovery moments).
    pub delay_months_prior: f64,
}

/// The mean true delay of a group of pupils at a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDelay {
    pub target: Target,
    pub school: Option<Brin>,
    /// Jaargroep at the target.
    pub grade: Option<u8>,
    /// Class group (`5A`, `5/6`).
    pub class: Option<String>,
    pub subject: String,
    pub component: Option<String>,
    /// `gewicht_0`, `gewicht_0.3`, `gewicht_1.2`, `opp`, `geen_opp`.
    pub subgroup: Option<String>,
    /// Pupils with a pre-corona score in the series and a score at the target (the population of
    /// the growth figures), and their mean delay and shortfall.
    pub n: usize,
    pub mean_delay_months: f64,
    /// Mean of `delay_months_prior` over the same pupils.
    pub mean_delay_months_prior: f64,
    pub mean_shortfall: f64,
    /// All pupils with a score at the target.
    pub n_all: usize,
    pub mean_delay_months_all: f64,
}

/// Key of a score: (school, pupil, test key, component, date).
pub type ScoreKey = (Brin, PupilNumber, String, Option<String>, Date);

/// An injected deviating jaargroep, with its true contrast to the rest of the school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    pub target: Target,
    pub school: Brin,
    /// Jaargroep at the target.
    pub grade: u8,
    pub subject: String,
    /// `negative` (more delay than the rest of the school) or `positive`.
    pub direction: String,
    pub n: usize,
    pub mean_delay_months: f64,
    pub rest_of_school_months: f64,
    /// mean_delay_months − rest_of_school_months (pupils with a pre-corona score).
    pub contrast_months: f64,
}

/// A pupil's mean delay over subjects at a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilSummary {
    pub target: Target,
    pub school: Brin,
    pub pupil: PupilNumber,
    pub grade: u8,
    /// Whole-test subjects with a pre-corona score and a score at the target.
    pub n_subjects: usize,
    pub mean_delay_months: f64,
    /// Mean of the subjects' `delay_months_prior`.
    pub mean_delay_months_prior: f64,
    pub injected: Injected,
    pub far_behind: bool,
    pub moved_ahead: bool,
}

/// The injected corona parameters of one pupil.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilInjection {
    pub school: Brin,
    pub pupil: PupilNumber,
    pub injected: Injected,
    /// Per subject id.
    pub params: BTreeMap<String, LossParams>,
    /// Subjects in which the pupil belongs to a deviating jaargroep.
    pub deviating_subjects: Vec<String>,
}

/// The mean injected dip of a social-emotional dimension at one observation round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeoDip {
    pub year: SchoolYear,
    /// `najaar` (October/November) or `voorjaar` (April/May).
    pub season: String,
    pub informant: Informant,
    pub dimension: String,
    pub n: usize,
    /// Mean amount subtracted from the observed values (instrument points; 0 without corona).
    pub mean_dip: f64,
}

/// Everything the generator injected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub version: u32,
    pub seed: u64,
    pub corona: bool,
    pub effect_scale: f64,
    /// The main target: M 2020-2021.
    pub primary_target: Target,
    /// All target moments after the first closure, in order.
    pub targets: Vec<Target>,
    pub far_behind_threshold_months: f64,
    pub moved_ahead_threshold_months: f64,
    /// The population growth curves per subject.
    pub curves: Vec<Curve>,
    /// Per score on or after 16-03-2020 (whole tests and components).
    pub scores: Vec<ScoreDelay>,
    /// Board-wide per target × subject (whole tests).
    pub subjects: Vec<GroupDelay>,
    /// Per target × school × subject.
    pub schools: Vec<GroupDelay>,
    /// Per target × school × grade × subject.
    pub grades: Vec<GroupDelay>,
    /// Per target × school × class × subject.
    pub classes: Vec<GroupDelay>,
    /// Per target × component (board) and target × school × grade × component.
    pub components: Vec<GroupDelay>,
    /// Per target × subgroup × subject (board).
    pub subgroups: Vec<GroupDelay>,
    pub deviating: Vec<Deviation>,
    /// Per target × pupil with at least one whole-test score at the target.
    pub pupils: Vec<PupilSummary>,
    /// Pupils who fell far behind / moved ahead at the primary target.
    pub far_behind: Vec<PupilRef>,
    pub moved_ahead: Vec<PupilRef>,
    pub injections: Vec<PupilInjection>,
    pub seo: Vec<SeoDip>,
}

impl Truth {
    /// Board-wide mean true delay (pupils with a pre-corona score) of a subject at a target.
    pub fn subject_delay(&self, target: Target, subject: &str) -> Option<f64> {
        self.subjects.iter().find(|g| g.target == target && g.subject == subject).map(|g| g.mean_delay_months)
    }
    /// The truth of one score (a linear search; use [`Truth::score_index`] for many look-ups).
    pub fn score(
        &self,
        school: &Brin,
        pupil: &PupilNumber,
        test_key: &str,
        component: Option<&str>,
        date: Date,
    ) -> Option<&ScoreDelay> {
        self.scores.iter().find(|s| {
            &s.school == school
                && &s.pupil == pupil
                && s.test_key == test_key
                && s.component.as_deref() == component
                && s.date == date
        })
    }
    /// The score truths keyed by (school, pupil, test key, component, date).
    pub fn score_index(&self) -> BTreeMap<ScoreKey, &ScoreDelay> {
        self.scores
            .iter()
            .map(|s| {
                ((s.school.clone(), s.pupil.clone(), s.test_key.clone(), s.component.clone(), s.date), s)
            })
            .collect()
    }
    /// The pupil summaries at a target.
    pub fn pupils_at(&self, target: Target) -> impl Iterator<Item = &PupilSummary> {
        self.pupils.iter().filter(move |p| p.target == target)
    }
}

/// Background of a pupil needed for subgroups.
#[derive(Debug, Clone)]
pub(crate) struct PupilInfo {
    pub(crate) weight_key: &'static str,
    pub(crate) opp: bool,
    pub(crate) injected: Injected,
}

#[derive(Default, Clone, Copy)]
struct Acc {
    n: usize,
    sum_d: f64,
    sum_dp: f64,
    sum_s: f64,
    n_all: usize,
    sum_all: f64,
}

impl Acc {
    fn add(&mut self, r: &ScoreDelay) {
        self.n_all += 1;
        self.sum_all += r.delay_months;
        if r.has_pre_corona_prior {
            self.n += 1;
            self.sum_d += r.delay_months;
            self.sum_dp += r.delay_months_prior;
            self.sum_s += r.shortfall;
        }
    }
    fn mean(sum: f64, n: usize) -> f64 {
        if n == 0 { 0.0 } else { sum / n as f64 }
    }
}

type Key = (Target, Option<Brin>, Option<u8>, Option<String>, String, Option<String>, Option<String>);

fn finish(map: BTreeMap<Key, Acc>) -> Vec<GroupDelay> {
    map.into_iter()
        .map(|((target, school, grade, class, subject, component, subgroup), a)| GroupDelay {
            target,
            school,
            grade,
            class,
            subject,
            component,
            subgroup,
            n: a.n,
            mean_delay_months: Acc::mean(a.sum_d, a.n),
            mean_delay_months_prior: Acc::mean(a.sum_dp, a.n),
            mean_shortfall: Acc::mean(a.sum_s, a.n),
            n_all: a.n_all,
            mean_delay_months_all: Acc::mean(a.sum_all, a.n_all),
        })
        .collect()
}

/// Aggregates of the score truths.
pub(crate) struct Aggregates {
    pub(crate) subjects: Vec<GroupDelay>,
    pub(crate) schools: Vec<GroupDelay>,
    pub(crate) grades: Vec<GroupDelay>,
    pub(crate) classes: Vec<GroupDelay>,
    pub(crate) components: Vec<GroupDelay>,
    pub(crate) subgroups: Vec<GroupDelay>,
    pub(crate) pupils: Vec<PupilSummary>,
}

pub(crate) fn aggregate(
    scores: &[ScoreDelay],
    targets: &[Target],
    info: &BTreeMap<PupilRef, PupilInfo>,
    far_threshold: f64,
    ahead_threshold: f64,
) -> Aggregates {
    let mut subjects = BTreeMap::new();
    let mut schools = BTreeMap::new();
    let mut grades = BTreeMap::new();
    let mut classes = BTreeMap::new();
    let mut components = BTreeMap::new();
    let mut subgroups = BTreeMap::new();
    // (target, pupil) → (grade, sum of delays, sum of prior-based delays, n)
    let mut per_pupil: BTreeMap<(Target, PupilRef), (u8, f64, f64, usize)> = BTreeMap::new();
    for r in scores {
        let Some(&target) = targets.iter().find(|t| t.contains(r.year, r.moment)) else { continue };
        let g = Some(r.moment.grade.get());
        let s = Some(r.school.clone());
        let subj = r.subject.clone();
        let key = |school: Option<Brin>,
                   grade: Option<u8>,
                   class: Option<String>,
                   comp: Option<String>,
                   sub: Option<String>|
         -> Key { (target, school, grade, class, subj.clone(), comp, sub) };
        if let Some(c) = &r.component {
            components
                .entry(key(None, None, None, Some(c.clone()), None))
                .or_insert_with(Acc::default)
                .add(r);
            components
                .entry(key(s.clone(), g, None, Some(c.clone()), None))
                .or_insert_with(Acc::default)
                .add(r);
            continue;
        }
        subjects.entry(key(None, None, None, None, None)).or_insert_with(Acc::default).add(r);
        schools.entry(key(s.clone(), None, None, None, None)).or_insert_with(Acc::default).add(r);
        grades.entry(key(s.clone(), g, None, None, None)).or_insert_with(Acc::default).add(r);
        classes
            .entry(key(s.clone(), None, Some(r.group.clone()), None, None))
            .or_insert_with(Acc::default)
            .add(r);
        let pref = PupilRef { school: r.school.clone(), pupil: r.pupil.clone() };
        if let Some(pi) = info.get(&pref) {
            subgroups
                .entry(key(None, None, None, None, Some(pi.weight_key.to_owned())))
                .or_insert_with(Acc::default)
                .add(r);
            let opp = if pi.opp { "opp" } else { "geen_opp" };
            subgroups
                .entry(key(None, None, None, None, Some(opp.to_owned())))
                .or_insert_with(Acc::default)
                .add(r);
        }
        let e = per_pupil.entry((target, pref)).or_insert((r.moment.grade.get(), 0.0, 0.0, 0));
        if r.has_pre_corona_prior {
            e.1 += r.delay_months;
            e.2 += r.delay_months_prior;
            e.3 += 1;
        }
    }
    let pupils = per_pupil
        .into_iter()
        .map(|((target, pref), (grade, sum, sum_prior, n))| {
            let mean = if n == 0 { 0.0 } else { sum / n as f64 };
            let mean_prior = if n == 0 { 0.0 } else { sum_prior / n as f64 };
            let injected = info.get(&pref).map(|i| i.injected).unwrap_or_default();
            PupilSummary {
                target,
                school: pref.school,
                pupil: pref.pupil,
                grade,
                n_subjects: n,
                mean_delay_months: mean,
                mean_delay_months_prior: mean_prior,
                injected,
                far_behind: far_threshold > 0.0 && n >= 2 && mean >= far_threshold,
                moved_ahead: ahead_threshold < 0.0 && n >= 2 && mean <= ahead_threshold,
            }
        })
        .collect();
    Aggregates {
        subjects: finish(subjects),
        schools: finish(schools),
        grades: finish(grades),
        classes: finish(classes),
        components: finish(components),
        subgroups: finish(subgroups),
        pupils,
    }
}

/// The contrast of a jaargroep with the rest of its school (same subject and target), over the
/// pupils with a pre-corona score.
pub(crate) fn contrast(
    scores: &[ScoreDelay],
    target: Target,
    school: &Brin,
    grade: u8,
    subject: &str,
) -> (usize, f64, f64) {
    let (mut n_in, mut s_in, mut n_out, mut s_out) = (0usize, 0.0, 0usize, 0.0);
    for r in scores {
        if !r.has_pre_corona_prior
            || r.component.is_some()
            || &r.school != school
            || r.subject != subject
            || !target.contains(r.year, r.moment)
        {
            continue;
        }
        if r.moment.grade.get() == grade {
            n_in += 1;
            s_in += r.delay_months;
        } else {
            n_out += 1;
            s_out += r.delay_months;
        }
    }
    let m_in = if n_in == 0 { 0.0 } else { s_in / n_in as f64 };
    let m_out = if n_out == 0 { 0.0 } else { s_out / n_out as f64 };
    (n_in, m_in, m_out)
}
