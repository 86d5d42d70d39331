//! The generator's configuration: the board, its schools and the corona effects to inject.

use schoolscan_domain::{Brin, Subject};
use serde::{Deserialize, Serialize};
use time::{Date, macros::date};

/// How a school forms its class groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `n` parallel groups per grade: `3A`, `3B`, …
    Parallel(u8),
    /// One group per grade: `3`, `4`, …
    Single,
    /// Combination groups `1/2`, `3/4`, `5/6`, `7/8`.
    Combination,
}

/// One school of the demo board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolSpec {
    pub brin: Brin,
    pub name: String,
    pub layout: Layout,
    /// Target number of pupils per grade (cohort sizes vary ±10 % around it).
    pub pupils_per_grade: u32,
    /// Share of pupils with leerlinggewicht 0.3 and 1.2.
    pub weight_03: f64,
    pub weight_12: f64,
    /// Share of weight-0 pupils whose parents are highly educated.
    pub high_education: f64,
    /// The school's growth multiplier (its value added; 1.0 = national average).
    pub growth: f64,
    /// ISO week in which the M tests start in a normal year (January/February).
    pub m_week: u8,
    /// ISO week in which the E tests start (June).
    pub e_week: u8,
    /// First day of the M tests in 2021 (postponed after the second closure).
    pub m_2021_start: Date,
    /// The school skipped the E tests of June 2020.
    pub skip_e_2020: bool,
    /// The school year starts a week later (ISO week 36 instead of 35).
    pub late_start: bool,
    /// Pupil numbers: the first number and the width (zero-padded text).
    pub first_pupil_number: u32,
    pub number_width: usize,
}

/// A jaargroep with a deviating corona effect (in one subject).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviatingSpec {
    pub school: Brin,
    /// The jaargroep in 2020-2021 (= the grade at the M 2021 target moment).
    pub grade: u8,
    /// Subject id (`rekenen_wiskunde`, …).
    pub subject: String,
    /// Multiplies the pupils' closure and disruption loss fractions in this subject.
    pub loss_multiplier: f64,
    /// Extra share of growth lost in the open school months of 2020-2021 (e.g. a long-term
    /// vacancy); negative = extra growth.
    pub extra_rate: f64,
}

/// The generator's configuration. `DemoConfig::default()` is the demo board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoConfig {
    pub seed: u64,
    /// Inject corona effects. `false` gives the null twin of the same board.
    pub corona: bool,
    /// Multiplies every injected effect (1.0 = the documented default sizes).
    pub effect_scale: f64,
    pub board_key: String,
    pub board_name: String,
    pub schools: Vec<SchoolSpec>,
    /// First and last school year (by start year): 2016 = 2016-2017, 2022 = 2022-2023.
    pub first_year: i32,
    pub last_year: i32,
    pub deviating: Vec<DeviatingSpec>,
    /// Share of eligible pupils (grade 4–8 in 2020-2021, present from before the first closure to
    /// March 2021) who fall far behind, and who move ahead.
    pub far_behind_share: f64,
    pub moved_ahead_share: f64,
    /// Generate social-emotional observations and notes.
    pub observations: bool,
}

fn brin(s: &str) -> Brin {
    Brin::parse(s).expect("the demo BRIN codes are valid constants")
}

impl SchoolSpec {
    /// The large school: two groups per grade.
    pub fn regenboog() -> Self {
        Self {
            brin: brin("21VA"),
            name: "Basisschool De Regenboog".to_owned(),
            layout: Layout::Parallel(2),
            pupils_per_grade: 50,
            weight_03: 0.10,
            weight_12: 0.05,
            high_education: 0.50,
            growth: 1.0,
            m_week: 4,
            e_week: 23,
            m_2021_start: date!(2021 - 03 - 01),
            skip_e_2020: false,
            late_start: false,
            first_pupil_number: 1001,
            number_width: 6,
        }
    }
    /// The medium school: one group per grade, more pupils with a leerlinggewicht.
    pub fn kompas() -> Self {
        Self {
            brin: brin("21VB"),
            name: "Het Kompas".to_owned(),
            layout: Layout::Single,
            pupils_per_grade: 26,
            weight_03: 0.18,
            weight_12: 0.12,
            high_education: 0.30,
            growth: 0.97,
            m_week: 5,
            e_week: 23,
            m_2021_start: date!(2021 - 03 - 08),
            skip_e_2020: false,
            late_start: true,
            first_pupil_number: 201,
            number_width: 5,
        }
    }
    /// The small school: combination groups.
    pub fn klimrek() -> Self {
        Self {
            brin: brin("21VC"),
            name: "'t Klimrek".to_owned(),
            layout: Layout::Combination,
            pupils_per_grade: 11,
            weight_03: 0.08,
            weight_12: 0.02,
            high_education: 0.40,
            growth: 1.03,
            m_week: 3,
            e_week: 24,
            m_2021_start: date!(2021 - 02 - 08),
            skip_e_2020: true,
            late_start: false,
            first_pupil_number: 51,
            number_width: 4,
        }
    }
}

impl DeviatingSpec {
    /// The default deviating jaargroepen: groep 5 (2020-2021) of De Regenboog lost much more in
    /// rekenen-wiskunde; groep 4 of Het Kompas lost hardly anything in spelling.
    pub fn defaults() -> Vec<DeviatingSpec> {
        vec![
            DeviatingSpec {
                school: brin("21VA"),
                grade: 5,
                subject: Subject::REKENEN_WISKUNDE.to_owned(),
                loss_multiplier: 1.8,
                extra_rate: 0.20,
            },
            DeviatingSpec {
                school: brin("21VB"),
                grade: 4,
                subject: Subject::SPELLING.to_owned(),
                loss_multiplier: 0.05,
                extra_rate: -0.10,
            },
        ]
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            seed: 20_210_408,
            corona: true,
            effect_scale: 1.0,
            board_key: "demo".to_owned(),
            board_name: "Stichting Voorbeeldscholen".to_owned(),
            schools: vec![SchoolSpec::regenboog(), SchoolSpec::kompas(), SchoolSpec::klimrek()],
            first_year: 2016,
            last_year: 2022,
            deviating: DeviatingSpec::defaults(),
            far_behind_share: 0.04,
            moved_ahead_share: 0.015,
            observations: true,
        }
    }
}

impl DemoConfig {
    /// The default board with another seed.
    pub fn with_seed(seed: u64) -> Self {
        Self { seed, ..Self::default() }
    }
    /// A larger board for validation: the configured schools `copies` times over, each copy with
    /// its own BRIN code (21VA, 22VA, …), name and pupils. The deviating jaargroepen stay in the
    /// first copy. More pupils make the board-wide figures less noisy (README: "Noise floor").
    pub fn with_copies(mut self, copies: u8) -> Self {
        let base = self.schools.clone();
        for c in 1..copies.clamp(1, 9) {
            for s in &base {
                let code = s.brin.as_str();
                let digits: u8 = code[..2].parse().unwrap_or(21);
                let new = format!("{:02}{}", (digits + c) % 100, &code[2..]);
                if let Ok(brin) = Brin::parse(&new) {
                    self.schools.push(SchoolSpec {
                        brin,
                        name: format!("{} (locatie {})", s.name, c + 1),
                        ..s.clone()
                    });
                }
            }
        }
        self
    }
    /// The effect scale actually applied: 0 without corona, never negative or NaN.
    pub fn applied_scale(&self) -> f64 {
        if !self.corona || !self.effect_scale.is_finite() { 0.0 } else { self.effect_scale.max(0.0) }
    }
}
