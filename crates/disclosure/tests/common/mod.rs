//! Random schools for the disclosure property tests: cheap to generate (a size and a seed per
//! jaargroep, expanded with a small deterministic generator) and from tiny to normal.

#![allow(dead_code)]

use proptest::prelude::*;
use schoolscan_analysis::Config;
use schoolscan_analysis::findings::{
    Findings, GroupRow, Scope, Seo, SeoRow, SubgroupRow, SubjectRow, Target,
};
use schoolscan_disclosure::guard::{PupilFacts, Sex, Weight};
use schoolscan_domain::{Brin, Grade, GroupName, MomentKind, SchoolYear, Subject};

/// How a sensitive flag is spread over a school.
#[derive(Debug, Clone, Copy)]
pub enum FlagMode {
    Nobody,
    Everybody,
    /// Each pupil with this probability in percent.
    Random(u8),
}

/// A random school: per jaargroep present, its size and a seed.
#[derive(Debug, Clone)]
pub struct School {
    pub grades: Vec<(u8, usize, u64)>,
    pub opp: FlagMode,
    pub kwetsbaar: FlagMode,
    pub care: FlagMode,
    /// Share of pupils with an unrecorded sex, in percent.
    pub unknown_sex: u8,
}

fn flag_mode() -> impl Strategy<Value = FlagMode> {
    prop_oneof![Just(FlagMode::Nobody), Just(FlagMode::Everybody), (0u8..=100).prop_map(FlagMode::Random)]
}

/// Jaargroep sizes from 0 to 40, with tiny groups (0–6) as likely as normal ones.
fn grade_size() -> impl Strategy<Value = usize> {
    prop_oneof![0usize..=6, 0usize..=15, 10usize..=40]
}

pub fn school() -> impl Strategy<Value = School> {
    (
        proptest::collection::btree_map(1u8..=8, (grade_size(), any::<u64>()), 1..=8),
        flag_mode(),
        flag_mode(),
        flag_mode(),
        prop_oneof![Just(0u8), 0u8..=20],
    )
        .prop_map(|(grades, opp, kwetsbaar, care, unknown_sex)| School {
            grades: grades.into_iter().map(|(g, (n, seed))| (g, n, seed)).collect(),
            opp,
            kwetsbaar,
            care,
            unknown_sex,
        })
}

/// SplitMix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// True with probability `pct` %.
    pub fn chance(&mut self, pct: u8) -> bool {
        self.next() % 100 < u64::from(pct)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

fn flag(rng: &mut Rng, mode: FlagMode) -> bool {
    match mode {
        FlagMode::Nobody => false,
        FlagMode::Everybody => true,
        FlagMode::Random(p) => rng.chance(p),
    }
}

/// A pupil of the school with its class (0 or 1 within the jaargroep) and which of the two
/// subjects it has a delay in.
#[derive(Debug, Clone, Copy)]
pub struct Pupil {
    pub facts: PupilFacts,
    pub class: u8,
    pub scored: [bool; 2],
}

impl School {
    pub fn pupils(&self) -> Vec<Pupil> {
        let mut out = Vec::new();
        for &(grade, n, seed) in &self.grades {
            let mut rng = Rng::new(seed);
            let split = rng.below(3) as usize; // 0: one class, else two.
            for i in 0..n {
                let sex = if rng.chance(self.unknown_sex) {
                    Sex::Unknown
                } else if rng.chance(50) {
                    Sex::M
                } else {
                    Sex::V
                };
                let weight = match rng.below(10) {
                    0 => Weight::W12,
                    1 | 2 => Weight::W03,
                    _ => Weight::W0,
                };
                let facts = PupilFacts {
                    grade,
                    sex,
                    weight,
                    opp: flag(&mut rng, self.opp),
                    kwetsbaar: flag(&mut rng, self.kwetsbaar),
                    care: flag(&mut rng, self.care),
                };
                let class = u8::from(split > 0 && i % 2 == 1);
                out.push(Pupil { facts, class, scored: [!rng.chance(8), !rng.chance(15)] });
            }
        }
        out
    }

    pub fn facts(&self) -> Vec<PupilFacts> {
        self.pupils().into_iter().map(|p| p.facts).collect()
    }

    /// Findings consistent with the school: per subject the pupils with a delay, split by
    /// jaargroep, class and subgroup, and SEO rows over the whole school.
    pub fn findings(&self) -> Findings {
        let pupils = self.pupils();
        let mut rng = Rng::new(self.grades.iter().map(|g| g.2).fold(7, u64::wrapping_add));
        let subjects = [Subject::REKENEN_WISKUNDE, Subject::SPELLING];
        let mut f = empty_findings();
        for (s, code) in subjects.iter().enumerate() {
            let subject = Subject::parse(code).unwrap_or_else(|_| panic!("subject {code}"));
            let scored: Vec<&Pupil> = pupils.iter().filter(|p| p.scored[s]).collect();
            let mut delay = || (rng.below(200) as f64 - 100.0) / 20.0;
            f.subjects.push(subject_row(&subject, scored.len(), delay()));
            for &(grade, _, _) in &self.grades {
                let in_grade: Vec<&&Pupil> = scored.iter().filter(|p| p.facts.grade == grade).collect();
                f.grades.push(group_row(&subject, grade, None, in_grade.len(), delay()));
                for class in 0..=1u8 {
                    let n = in_grade.iter().filter(|p| p.class == class).count();
                    if n > 0 || class == 0 {
                        let name = format!("{grade}{}", if class == 0 { 'A' } else { 'B' });
                        f.classes.push(group_row(&subject, grade, Some(&name), n, delay()));
                    }
                }
            }
            let count = |pred: &dyn Fn(&PupilFacts) -> bool| scored.iter().filter(|p| pred(&p.facts)).count();
            for (level, sex) in [("M", Sex::M), ("V", Sex::V)] {
                let n = count(&|p| p.sex == sex);
                f.subgroups.push(subgroup_row("geslacht", level, &subject, n, delay()));
            }
            for w in Weight::ALL {
                let n = count(&|p| p.weight == w);
                f.subgroups.push(subgroup_row("leerlinggewicht", w.label(), &subject, n, delay()));
            }
            for (level, v) in [("ja", true), ("nee", false)] {
                let n = count(&|p| p.opp == v);
                f.subgroups.push(subgroup_row("opp", level, &subject, n, delay()));
            }
        }
        let total = pupils.len();
        for (dimension, informant) in [("welbevinden", "leerkracht"), ("sociale vaardigheid", "leerling")] {
            let n_before = rng.below(total as u64 + 1) as usize;
            let n_since = rng.below(total as u64 + 1) as usize;
            let n_paired = n_before.min(n_since);
            let share = match rng.below(3) {
                0 => 0.0,
                1 => 1.0,
                _ => rng.below(101) as f64 / 100.0,
            };
            f.seo.dimensions.push(SeoRow {
                instrument: "KanVas".to_owned(),
                dimension: dimension.to_owned(),
                informant: informant.to_owned(),
                n_before,
                n_since,
                mean_before: Some(3.1),
                mean_since: Some(2.9),
                n_paired,
                change: Some(-0.2),
                change_ci95: Some([-0.4, 0.0]),
                effect_size: Some(-0.3),
                share_signal_before: Some(share),
                share_signal_since: Some(1.0 - share),
                share_signal_change_ci95: None,
                warning: None,
            });
        }
        f
    }
}

fn brin() -> Brin {
    Brin::parse("12AB").unwrap_or_else(|e| panic!("{e}"))
}

fn grade(g: u8) -> Grade {
    Grade::new(g).unwrap_or_else(|e| panic!("{e}"))
}

pub fn empty_findings() -> Findings {
    Findings {
        version: schoolscan_analysis::findings::FINDINGS_VERSION.to_owned(),
        config: Config::default(),
        scope: Scope {
            school: Some(brin()),
            schools: vec![brin()],
            pool: "database".to_owned(),
            pool_schools: 1,
        },
        target: Target {
            year: SchoolYear::new(2020),
            moment: MomentKind::M,
            label: "2020-2021 M".to_owned(),
            first_date: None,
            last_date: None,
            baseline_years: vec![SchoolYear::new(2018), SchoolYear::new(2019)],
        },
        subjects: Vec::new(),
        grades: Vec::new(),
        classes: Vec::new(),
        components: Vec::new(),
        pupils: Vec::new(),
        cohort_only: Vec::new(),
        cohorts: Vec::new(),
        subgroups: Vec::new(),
        seo: Seo::default(),
        recovery: Vec::new(),
        schools: Vec::new(),
        models: Vec::new(),
        variance: Vec::new(),
        subject_correlations: Vec::new(),
        data_quality: Vec::new(),
        notes: Vec::new(),
        growth_percentiles: Vec::new(),
        sgp_models: Vec::new(),
        expected: Vec::new(),
    }
}

pub fn subject_row(subject: &Subject, n: usize, delay: f64) -> SubjectRow {
    SubjectRow {
        subject: subject.clone(),
        label: subject.label(),
        scale: "cito_vs".to_owned(),
        scale_kind: "vertical".to_owned(),
        delay_months: Some(delay),
        ci95: Some([delay - 1.0, delay + 1.0]),
        effect_size: Some(delay / 10.0),
        effect_size_ci95: None,
        percentile_shift: None,
        n,
        median_months: None,
        iqr_months: None,
        n_excluded: 0,
        no_months_reason: None,
        warning: None,
        median_growth_percentile: None,
        median_growth_percentile_ci95: None,
        n_growth_percentile: 0,
        sgp_basis: None,
    }
}

pub fn group_row(subject: &Subject, g: u8, class: Option<&str>, n: usize, delay: f64) -> GroupRow {
    GroupRow {
        school: brin(),
        grade: grade(g),
        group: class.map(|c| GroupName::parse(c).unwrap_or_else(|e| panic!("{e}"))),
        subject: subject.clone(),
        scale: "cito_vs".to_owned(),
        delay_months: Some(delay),
        ci95: Some([delay - 2.0, delay + 2.0]),
        effect_size: Some(delay / 10.0),
        n,
        delay_months_shrunken: None,
        contrast: None,
        contrast_unit: None,
        contrast_ci95: None,
        p_value: None,
        p_holm: None,
        deviates: None,
        warning: None,
        median_growth_percentile: None,
        median_growth_percentile_ci95: None,
        n_growth_percentile: 0,
        sgp_basis: None,
    }
}

pub fn subgroup_row(dimension: &str, group: &str, subject: &Subject, n: usize, delay: f64) -> SubgroupRow {
    SubgroupRow {
        dimension: dimension.to_owned(),
        group: group.to_owned(),
        label: format!("{dimension} {group}"),
        subject: subject.clone(),
        scale: "cito_vs".to_owned(),
        n,
        n_baseline: n,
        delay_months: Some(delay),
        ci95: Some([delay - 2.0, delay + 2.0]),
        effect_size: None,
        current_delay_months: None,
        baseline_delay_months: None,
        warning: None,
    }
}
