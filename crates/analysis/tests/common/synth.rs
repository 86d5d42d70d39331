//! A small hand-made board generator for engine tests: linear growth on a vertical scale,
//! pupil ability, class and school effects, CSEM measurement error, and an optional corona delay
//! in school months per pupil (so the truth is known exactly).
#![allow(dead_code, clippy::needless_range_loop)]

use schoolscan_domain::calendar::school_month_index;
use schoolscan_domain::{
    Brin, Dataset, Date, Enrolment, Grade, GroupName, Moment, MomentKind, Pupil, PupilNumber, Scale,
    ScaleKind, School, SchoolYear, Score, Sex, Subject, Test, Weight,
};
use time::Month;

pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn u(&mut self) -> f64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        ((x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn n(&mut self) -> f64 {
        let (a, b) = (self.u(), self.u());
        (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
    }
}

pub struct SynthConfig {
    pub seed: u64,
    pub schools: usize,
    pub classes_per_grade: usize,
    pub pupils_per_class: usize,
    /// Mean corona delay (school months) at the 2021 M test; 0 = none.
    pub delay: f64,
    /// Extra delay of groep 5 (2020-2021) at school 0 in rekenen-wiskunde.
    pub deviating_extra: f64,
    /// Share of pupils that fall far behind (extra 8 months in every subject).
    pub far_share: f64,
    pub csem: bool,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            schools: 3,
            classes_per_grade: 1,
            pupils_per_class: 24,
            delay: 2.0,
            deviating_extra: 0.0,
            far_share: 0.0,
            csem: true,
        }
    }
}

pub struct Synth {
    pub data: Dataset,
    /// (school, pupil, subject) → true delay in school months at the 2021 M test.
    pub delays: Vec<(Brin, PupilNumber, String, f64)>,
    /// Far-behind pupils in groep 4–8 in 2020-2021 (with a pre-corona score; the demo's
    /// definition of the truth).
    pub far: Vec<(Brin, PupilNumber)>,
}

pub const SUBJECTS: [&str; 3] = ["rekenen_wiskunde", "spelling", "begrijpend_lezen"];
pub const GROWTH: f64 = 1.5; // points per school month
pub const NOISE: f64 = 4.0;

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date")
}

pub fn brin(i: usize) -> Brin {
    let l = (b'A' + (i / 26) as u8) as char;
    let k = (b'A' + (i % 26) as u8) as char;
    Brin::parse(&format!("{:02}{l}{k}", 10 + i % 80)).expect("brin")
}

pub fn generate(cfg: &SynthConfig) -> Synth {
    let mut rng = Rng::new(cfg.seed);
    let mut data = Dataset::default();
    for (si, subj) in SUBJECTS.iter().enumerate() {
        data.tests.push(Test {
            key: format!("cito:{subj}:3.0"),
            vendor: "cito".into(),
            name: subj.to_string(),
            version: Some("3.0".into()),
            subject: Subject::parse(subj).expect("subject"),
            scale: Scale { code: format!("cito_{si}"), kind: ScaleKind::Vertical, min: -100.0, max: 400.0 },
        });
    }
    let mut delays = Vec::new();
    let mut far = Vec::new();
    let closure = d(2020, 3, 16);
    for s in 0..cfg.schools {
        let b = brin(s);
        data.schools.push(School { brin: b.clone(), name: format!("School {s}"), board: "b".into() });
        let school_eff = 3.0 * rng.n();
        let mut serial = 0;
        // Cohorts entering groep 3 in 2011..=2022; years 2016..=2021.
        for y3 in 2011..=2021 {
            let mut class_eff = vec![vec![0.0; 6]; cfg.classes_per_grade];
            for ce in class_eff.iter_mut() {
                for v in ce.iter_mut() {
                    *v = 1.5 * rng.n();
                }
            }
            for c in 0..cfg.classes_per_grade {
                for _ in 0..cfg.pupils_per_class {
                    serial += 1;
                    let num = PupilNumber::parse(&format!("{:05}", 1000 * s + serial)).expect("number");
                    let mut p = Pupil::new(b.clone(), num.clone());
                    p.sex = Some(if rng.u() < 0.5 { Sex::Male } else { Sex::Female });
                    p.weight = Some(if rng.u() < 0.15 { Weight::W12 } else { Weight::W0 });
                    data.pupils.push(p);
                    let common = rng.n();
                    let far_behind = rng.u() < cfg.far_share;
                    // The truth, as in the demo generator: pupils in groep 4–8 in 2020-2021 (so
                    // with a pre-corona score in every subject). Pupils of other cohorts are at
                    // the school before or after the target year, or have no pre-corona score.
                    if far_behind && (2015..=2019).contains(&y3) {
                        far.push((b.clone(), num.clone()));
                    }
                    let own_delay =
                        cfg.delay * (1.0 + 0.3 * rng.n()).max(0.0) + if far_behind { 8.0 } else { 0.0 };
                    for year in 2016..=2021 {
                        let g = year - y3 + 3;
                        if !(3..=8).contains(&g) {
                            continue;
                        }
                        let letter = if cfg.classes_per_grade > 1 {
                            ((b'A' + c as u8) as char).to_string()
                        } else {
                            String::new()
                        };
                        data.enrolments.push(Enrolment {
                            school: b.clone(),
                            pupil: num.clone(),
                            year: SchoolYear::new(year),
                            group: GroupName::parse(&format!("{g}{letter}")).expect("group"),
                            grade: Grade::new(g as u8).expect("grade"),
                        });
                    }
                    for (si, subj) in SUBJECTS.iter().enumerate() {
                        let theta = 0.7 * common + 0.7 * rng.n();
                        let growth = GROWTH * (1.0 + 0.1 * rng.n());
                        let dev = if s == 0 && si == 0 && y3 == 2018 { cfg.deviating_extra } else { 0.0 };
                        let delay = own_delay + dev;
                        delays.push((b.clone(), num.clone(), subj.to_string(), delay));
                        for year in 2016..=2021 {
                            let g = year - y3 + 3;
                            if !(3..=8).contains(&g) {
                                continue;
                            }
                            for kind in [MomentKind::M, MomentKind::E] {
                                if g == 8 && kind == MomentKind::E {
                                    continue;
                                }
                                let date = match (kind, year) {
                                    (MomentKind::M, 2020) => d(2021, 3, 15 + (rng.u() * 10.0) as u8),
                                    (MomentKind::M, _) => d(year + 1, 1, 20 + (rng.u() * 10.0) as u8),
                                    (_, _) => d(year + 1, 6, 5 + (rng.u() * 10.0) as u8),
                                };
                                if year >= 2021 {
                                    continue;
                                }
                                let t = school_month_index(date) - school_month_index(d(y3, 9, 1));
                                let lost = if date >= closure {
                                    // Delay accrues linearly from the closure to the 2021 M test.
                                    let frac = ((school_month_index(date) - school_month_index(closure))
                                        / (school_month_index(d(2021, 3, 15)) - school_month_index(closure)))
                                    .min(1.0);
                                    delay * frac
                                } else {
                                    0.0
                                };
                                let true_score = 100.0
                                    + 10.0 * si as f64
                                    + growth * (t - lost)
                                    + 8.0 * theta
                                    + school_eff
                                    + class_eff[c][(g - 3) as usize];
                                let obs = true_score + NOISE * rng.n();
                                data.scores.push(Score {
                                    school: b.clone(),
                                    pupil: num.clone(),
                                    test_key: format!("cito:{subj}:3.0"),
                                    component: None,
                                    date,
                                    moment: Some(Moment::new(kind, Grade::new(g as u8).expect("grade"))),
                                    ability: Some(obs),
                                    csem: cfg.csem.then_some(NOISE),
                                    raw: None,
                                    level: None,
                                    percentile: None,
                                    dle: None,
                                    reference_level: None,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    Synth { data, delays, far }
}
