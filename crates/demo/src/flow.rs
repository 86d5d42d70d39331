//! The pupil flow of one school: cohorts enter groep 1, move up a grade each year, groep 8 leaves;
//! some pupils arrive late, leave early or repeat a year. Also the pupils' background and their
//! latent abilities and growth rates.

use std::collections::BTreeMap;

use schoolscan_domain::{ParentsEducation, PupilNumber, Weight};
use time::{Date, Month};

use crate::config::{DemoConfig, Layout, SchoolSpec};
use crate::dates::{
    add_years, first_school_day, last_school_day, plus_days, weekday_on_or_after, weekday_on_or_before, ymd,
};
use crate::model::{COMPONENT_SIGMA, GROWTH_SD, GROWTH_THETA, Subj};
use crate::names;
use crate::rng::{Purpose, Stream, tag};

/// Where a pupil sits in one school year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    pub(crate) grade: u8,
    pub(crate) group: String,
}

/// A pupil's latent traits (never exported; the truth is derived from them).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Latent {
    /// General ability (standard normal plus background shift).
    pub(crate) general: f64,
    /// Level per subject, in SD units of the national population (index = `Subj::index`).
    pub(crate) theta: [f64; 4],
    /// Individual growth multiplier per subject (1 = average).
    pub(crate) growth: [f64; 4],
    /// Own deviation per rekenen-wiskunde component, scale points.
    pub(crate) component: [f64; 4],
    /// Social-emotional disposition (general factor of the ZIEN! dimensions).
    pub(crate) seo: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct SimPupil {
    pub(crate) serial: u64,
    pub(crate) number: PupilNumber,
    pub(crate) girl: bool,
    pub(crate) first_name: String,
    pub(crate) prefix: Option<String>,
    pub(crate) last_name: String,
    pub(crate) birth: Date,
    pub(crate) weight: Weight,
    pub(crate) education: ParentsEducation,
    pub(crate) opp: bool,
    pub(crate) flags: Vec<String>,
    pub(crate) arrived: Date,
    pub(crate) left: Option<Date>,
    pub(crate) years: BTreeMap<i32, Placement>,
    pub(crate) latent: Latent,
    /// Start year of the pupil's (first) groep 3.
    pub(crate) y3: i32,
    /// School-month clock rate per school year at this school (repeats, class and school effects).
    pub(crate) rates: BTreeMap<i32, f64>,
    // simulation state
    grade: u8,
    active: bool,
    letter: Option<u8>,
    repeated: bool,
}

impl SimPupil {
    /// Present at the school on `d`.
    pub(crate) fn present_on(&self, d: Date) -> bool {
        self.arrived <= d && self.left.is_none_or(|l| d <= l)
    }

    /// The pupil's own school-month clock at `d`: school months of education since the start of
    /// groep 3, each school year weighted by its rate (a repeated year counts half, a class or
    /// school effect a few percent).
    pub(crate) fn clock(&self, d: Date) -> f64 {
        let sy = schoolscan_domain::SchoolYear::of(d).start_year();
        let mut tau = 0.0;
        let mut y = self.y3;
        while y <= sy {
            let months = if y < sy { 10.0 } else { schoolscan_domain::calendar::month_in_school_year(d) };
            tau += self.rates.get(&y).copied().unwrap_or(1.0) * months;
            y += 1;
        }
        if sy < self.y3 {
            // Before groep 3: negative clock (kleuters have no scores).
            tau = schoolscan_domain::calendar::school_month_index(d) - 10.0 * f64::from(self.y3);
        }
        tau
    }

    pub(crate) fn grade_in(&self, year: i32) -> Option<u8> {
        self.years.get(&year).map(|p| p.grade)
    }
}

/// A simulated school: its pupils.
pub(crate) struct SchoolSim {
    pub(crate) pupils: Vec<SimPupil>,
}

/// Probability of repeating a grade (before the ability adjustment).
fn repeat_probability(grade: u8) -> f64 {
    match grade {
        2 => 0.04,
        3..=6 => 0.012,
        7 => 0.004,
        _ => 0.0,
    }
}

/// Birth window of grade `g` in school year `y`: 1 October of y−g−4, 365 days.
fn birth_in_window(s: &mut Stream, g: u8, y: i32) -> Date {
    let start = ymd(y - i32::from(g) - 4, Month::October, 1);
    plus_days(start, s.int(0, 364))
}

struct Builder<'a> {
    cfg: &'a DemoConfig,
    spec: &'a SchoolSpec,
    stag: u64,
    pupils: Vec<SimPupil>,
}

impl Builder<'_> {
    fn new_pupil(&mut self, grade: u8, birth: Date, arrived: Date) -> usize {
        let serial = self.pupils.len() as u64;
        let seed = self.cfg.seed;
        let spec = self.spec;
        let mut ps = Stream::new(seed, Purpose::Pupil, &[self.stag, serial]);
        let girl = ps.chance(0.5);
        let first_name = names::first_name(&mut ps, girl);
        let (prefix, last_name) = names::surname(&mut ps);
        let u = ps.uniform();
        let weight = if u < spec.weight_12 {
            Weight::W12
        } else if u < spec.weight_12 + spec.weight_03 {
            Weight::W03
        } else {
            Weight::W0
        };
        let education = match weight {
            Weight::W12 | Weight::W03 => ParentsEducation::Low,
            Weight::W0 => {
                let v = ps.uniform();
                if v < 0.05 {
                    ParentsEducation::Low
                } else if v < 0.05 + spec.high_education {
                    ParentsEducation::High
                } else {
                    ParentsEducation::Middle
                }
            }
        };
        let opp = ps.chance(0.03);
        let mut flags = Vec::new();
        if ps.chance(0.04) {
            flags.push(
                (*ps.pick(&["kwetsbaar", "thuissituatie", "langdurig afwezig", "nieuwkomer"])).to_owned(),
            );
        }
        if ps.chance(0.05) {
            flags.push("noodopvang".to_owned());
        }
        if opp && ps.chance(0.5) {
            flags.push("extra ondersteuning".to_owned());
        }

        // Latent traits.
        let mut ls = Stream::new(seed, Purpose::Latent, &[self.stag, serial]);
        let shift = match education {
            ParentsEducation::Low => -0.35,
            ParentsEducation::Middle => 0.0,
            ParentsEducation::High => 0.30,
        } + if weight == Weight::W12 { -0.2 } else { 0.0 }
            + if opp { -1.4 } else { 0.0 };
        let g = ls.normal();
        let general = shift + g;
        let h = ls.normal();
        let mut theta = [0.0; 4];
        let mut growth = [1.0; 4];
        for s in Subj::ALL {
            let p = s.params();
            let l = p.loading;
            let t = shift + l * g + (1.0 - l * l).sqrt() * ls.normal();
            let z = 0.6 * h + 0.8 * ls.normal();
            let mut m = 1.0 + GROWTH_THETA * t + GROWTH_SD * z;
            if opp {
                m *= 0.8;
            }
            theta[s.index()] = t;
            growth[s.index()] = m.clamp(0.6, 1.4);
        }
        let mut component = [0.0; 4];
        for c in &mut component {
            *c = COMPONENT_SIGMA * ls.normal();
        }
        let seo = 0.15 * general + ls.normal() - if opp { 0.4 } else { 0.0 };

        let width = spec.number_width;
        let number_text = format!("{:0width$}", u64::from(spec.first_pupil_number) + serial);
        let number = PupilNumber::parse(&number_text).expect("a zero-padded number is a valid pupil number");
        self.pupils.push(SimPupil {
            serial,
            number,
            girl,
            first_name,
            prefix,
            last_name,
            birth,
            weight,
            education,
            opp,
            flags,
            arrived,
            left: None,
            years: BTreeMap::new(),
            latent: Latent { general, theta, growth, component, seo },
            y3: 0,
            rates: BTreeMap::new(),
            grade,
            active: true,
            letter: None,
            repeated: false,
        });
        self.pupils.len() - 1
    }

    /// A new groep-1 pupil in school year `y`; most are four at the start of the year, some
    /// (`instromers`) arrive on their fourth birthday during the autumn.
    fn intake_one(&mut self, s: &mut Stream, y: i32) {
        let first_day = first_school_day(y, self.spec.late_start);
        if s.chance(0.15) {
            let birth = plus_days(ymd(y - 4, Month::October, 1), s.int(0, 91));
            let arrived = weekday_on_or_after(add_years(birth, 4));
            self.new_pupil(1, birth, arrived);
        } else {
            let birth = birth_in_window(s, 1, y);
            let four = add_years(birth, 4);
            let arrived = weekday_on_or_after(if four > first_day { four } else { first_day });
            self.new_pupil(1, birth, arrived);
        }
    }

    fn cohort_size(&self, s: &mut Stream) -> usize {
        let n = f64::from(self.spec.pupils_per_grade) * s.between(0.9, 1.1);
        n.round().max(1.0) as usize
    }

    fn expected_count(&self, s: &mut Stream, per_pupil: f64) -> usize {
        let total = 8.0 * f64::from(self.spec.pupils_per_grade);
        (total * per_pupil * s.between(0.5, 1.5)).round().max(0.0) as usize
    }

    /// The starting population of the first school year: grades 1–8.
    fn initial(&mut self, s: &mut Stream, y0: i32) {
        for g in (1..=8u8).rev() {
            let n = self.cohort_size(s);
            for _ in 0..n {
                if g == 1 {
                    self.intake_one(s, y0);
                    continue;
                }
                let birth = birth_in_window(s, g, y0);
                let y1 = y0 - i32::from(g) + 1; // year of groep 1
                let arrived = if s.chance(0.85) {
                    let fd = first_school_day(y1, self.spec.late_start);
                    let four = add_years(birth, 4);
                    weekday_on_or_after(if four > fd { four } else { fd })
                } else {
                    let ya = y0 - s.int(0, i64::from(g) - 2) as i32;
                    if ya == y0 || s.chance(0.5) {
                        first_school_day(ya, self.spec.late_start)
                    } else {
                        weekday_on_or_after(plus_days(ymd(ya, Month::October, 1), s.int(0, 200)))
                    }
                };
                self.new_pupil(g, birth, arrived);
            }
        }
    }

    /// A pupil who arrives from another school in grade `g` on `arrived`.
    fn arrival(&mut self, s: &mut Stream, y: i32, g: u8, arrived: Date) {
        let birth = birth_in_window(s, g, y);
        self.new_pupil(g, birth, arrived);
    }

    fn group_name(&self, grade: u8, letter: Option<u8>) -> String {
        match self.spec.layout {
            Layout::Single => grade.to_string(),
            Layout::Combination => {
                let lo = if grade % 2 == 1 { grade } else { grade - 1 };
                format!("{}/{}", lo, lo + 1)
            }
            Layout::Parallel(_) => format!("{}{}", grade, char::from(b'A' + letter.unwrap_or(0))),
        }
    }

    /// Assign letters in a school with parallel groups: keep last year's letter, put newcomers
    /// and repeaters in the smallest group, and keep the groups within 2 pupils of each other.
    fn assign_letters(&mut self, active: &[usize], n_groups: u8) {
        let n_groups = n_groups.max(1);
        for g in 1..=8u8 {
            let members: Vec<usize> = active.iter().copied().filter(|&i| self.pupils[i].grade == g).collect();
            let mut counts = vec![0usize; usize::from(n_groups)];
            for &i in &members {
                if let Some(l) = self.pupils[i].letter {
                    if l < n_groups {
                        counts[usize::from(l)] += 1;
                    } else {
                        self.pupils[i].letter = None;
                    }
                }
            }
            for &i in &members {
                if self.pupils[i].letter.is_none() {
                    let (best, _) = counts.iter().enumerate().min_by_key(|(_, c)| **c).unwrap_or((0, &0));
                    counts[best] += 1;
                    self.pupils[i].letter = u8::try_from(best).ok();
                }
            }
            loop {
                let (hi, &max) =
                    counts.iter().enumerate().max_by_key(|(i, c)| (**c, usize::MAX - i)).unwrap_or((0, &0));
                let (lo, &min) = counts.iter().enumerate().min_by_key(|(_, c)| **c).unwrap_or((0, &0));
                if max <= min + 2 {
                    break;
                }
                let hi_u8 = u8::try_from(hi).ok();
                let mover = members.iter().copied().filter(|&i| self.pupils[i].letter == hi_u8).max();
                match mover {
                    Some(i) => {
                        self.pupils[i].letter = u8::try_from(lo).ok();
                        counts[hi] -= 1;
                        counts[lo] += 1;
                    }
                    None => break,
                }
            }
        }
    }
}

/// Simulate the flow of one school over the configured school years.
pub(crate) fn simulate_school(cfg: &DemoConfig, school: usize) -> SchoolSim {
    let spec = &cfg.schools[school];
    let stag = tag(spec.brin.as_str());
    let mut b = Builder { cfg, spec, stag, pupils: Vec::new() };
    let y0 = cfg.first_year;
    for y in cfg.first_year..=cfg.last_year {
        let mut ys = Stream::new(cfg.seed, Purpose::Flow, &[stag, y as u64]);
        let first_day = first_school_day(y, spec.late_start);
        if y == y0 {
            b.initial(&mut ys, y0);
        } else {
            // Move up a grade (or repeat); leavers of last year are gone.
            for i in 0..b.pupils.len() {
                if !b.pupils[i].active {
                    continue;
                }
                if b.pupils[i].left.is_some() {
                    b.pupils[i].active = false;
                    continue;
                }
                let p = &b.pupils[i];
                let mut ts = Stream::new(cfg.seed, Purpose::Flow, &[stag, p.serial, y as u64, 77]);
                let base = repeat_probability(p.grade) * if p.opp { 2.0 } else { 1.0 };
                let prob = (base * (-0.8 * p.latent.general).exp()).min(0.3);
                let repeat = ts.chance(prob) && !p.repeated;
                let p = &mut b.pupils[i];
                if repeat {
                    p.letter = None;
                    p.repeated = true;
                } else {
                    p.grade += 1;
                }
            }
            // Intake groep 1 and arrivals at the start of the year.
            let n = b.cohort_size(&mut ys);
            for _ in 0..n {
                b.intake_one(&mut ys, y);
            }
            let n = b.expected_count(&mut ys, 0.015);
            for _ in 0..n {
                let g = ys.int(2, 8) as u8;
                b.arrival(&mut ys, y, g, first_day);
            }
        }
        // Arrivals during the year (October to May).
        let n = b.expected_count(&mut ys, 0.012);
        for _ in 0..n {
            let g = ys.int(1, 8) as u8;
            let d = weekday_on_or_after(plus_days(ymd(y, Month::October, 1), ys.int(0, 225)));
            b.arrival(&mut ys, y, g, d);
        }
        // Groups.
        let active: Vec<usize> = (0..b.pupils.len()).filter(|&i| b.pupils[i].active).collect();
        if let Layout::Parallel(n) = spec.layout {
            b.assign_letters(&active, n);
        }
        for &i in &active {
            let (grade, letter) = (b.pupils[i].grade, b.pupils[i].letter);
            let group = b.group_name(grade, letter);
            b.pupils[i].years.insert(y, Placement { grade, group });
        }
        // Leaving during the year, over the summer, and after groep 8.
        let last_day = last_school_day(y);
        for &i in &active {
            let p = &b.pupils[i];
            let mut ls = Stream::new(cfg.seed, Purpose::Flow, &[stag, p.serial, y as u64, 91]);
            let mid = ls.chance(0.012);
            let summer = ls.chance(0.02);
            let offset = ls.int(0, 270);
            let arrived = p.arrived;
            let grade = p.grade;
            let p = &mut b.pupils[i];
            if mid {
                let d = weekday_on_or_before(plus_days(ymd(y, Month::September, 15), offset));
                if d > plus_days(arrived, 30) {
                    p.left = Some(d);
                    continue;
                }
            }
            if y < cfg.last_year && (grade == 8 || summer) {
                p.left = Some(last_day);
            }
        }
    }
    // Derived: groep-3 start year and clock rates.
    let mut class_effects = BTreeMap::new();
    for p in &mut b.pupils {
        p.y3 = p
            .years
            .iter()
            .filter(|(_, pl)| pl.grade >= 3)
            .map(|(y, pl)| y - (i32::from(pl.grade) - 3))
            .min()
            .unwrap_or_else(|| {
                p.years.iter().next().map(|(y, pl)| y + (3 - i32::from(pl.grade))).unwrap_or(cfg.first_year)
            });
        let mut prev: Option<u8> = None;
        for (&y, pl) in &p.years {
            let c = *class_effects.entry((y, pl.group.clone())).or_insert_with(|| {
                let mut cs = Stream::new(cfg.seed, Purpose::Class, &[stag, y as u64, tag(&pl.group)]);
                0.06 * cs.normal()
            });
            let repeat = prev == Some(pl.grade) && pl.grade >= 3;
            let rate = if repeat { 0.5 } else { 1.0 } * spec.growth * (1.0 + c);
            p.rates.insert(y, rate);
            prev = Some(pl.grade);
        }
    }
    SchoolSim { pupils: b.pupils }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_moves_pupils_up_and_out() {
        let cfg = DemoConfig::default();
        let sim = simulate_school(&cfg, 0);
        assert!(sim.pupils.len() > 500, "{}", sim.pupils.len());
        for p in &sim.pupils {
            let mut prev: Option<(i32, u8)> = None;
            for (&y, pl) in &p.years {
                if let Some((py, pg)) = prev {
                    assert_eq!(y, py + 1, "continuous enrolment");
                    assert!(pl.grade == pg || pl.grade == pg + 1);
                }
                prev = Some((y, pl.grade));
            }
        }
        let repeaters = sim
            .pupils
            .iter()
            .filter(|p| p.years.values().zip(p.years.values().skip(1)).any(|(a, b)| a.grade == b.grade))
            .count();
        assert!(repeaters > 3, "{repeaters}");
    }
}
