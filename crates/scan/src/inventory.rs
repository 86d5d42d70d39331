//! Step 2: the inventory matrix of domains × data sources, filled from the imported data, and the
//! witte vlekken (areas the school wants to see but has no or too little data for).
//!
//! Coverage of a source for a jaargroep = the share of the pupils in that jaargroep in the scan year
//! who have at least one value before the first closure and at least one since. A domain is a
//! witte vlek when it has no source at all, or when no source reaches the threshold in the
//! jaargroepen where that source was used before corona.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use schoolscan_domain::{Brin, Dataset, Date, NoteKind, PupilNumber, SchoolYear};
use serde::{Deserialize, Serialize};

use crate::catalogue::Domain;
use crate::steps::{DomainsStep, InventoryStep, Priority, SourceKind};

/// Coverage of one source in one jaargroep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeCoverage {
    pub grade: u8,
    pub pupils: u32,
    pub with_pre: u32,
    pub with_since: u32,
    pub with_both: u32,
    /// Share with both, 0–100.
    pub pct_both: f64,
}

/// The pupils with a value at one moment (`M 2019-2020`, `zien 2020-2021`), per jaargroep of the
/// scan year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MomentCount {
    pub moment: String,
    pub first_date: Date,
    pub last_date: Date,
    /// Pupils of the scan year's jaargroepen with a value at this moment.
    pub pupils: u32,
    /// (jaargroep in the scan year, pupils with a value).
    pub by_grade: Vec<(u8, u32)>,
}

/// One cell of the matrix: a domain × a source kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub domain: String,
    pub kind: SourceKind,
    /// Instruments or descriptions (test names, `zien`, hand-recorded descriptions).
    pub instruments: Vec<String>,
    /// Moments with data, e.g. `M 2019-2020`, with the first and last date.
    pub moments: Vec<String>,
    pub first_date: Option<Date>,
    pub last_date: Option<Date>,
    /// Per jaargroep in the scan year (only for automatically filled sources).
    pub by_grade: Vec<GradeCoverage>,
    /// Per moment, in date order, the pupils of the scan year with a value (per jaargroep).
    #[serde(default)]
    pub by_moment: Vec<MomentCount>,
    /// Recorded by hand (no coverage figures).
    pub manual: bool,
}

impl Cell {
    /// The lowest coverage over the jaargroepen where this source has data from before corona.
    /// A jaargroep whose pupils had no measurement at all before corona (they were too young for
    /// the test) cannot have "before and since" data and does not count: otherwise the youngest
    /// tested jaargroep would make every domain a witte vlek. `None` when no jaargroep has any.
    pub fn min_coverage(&self) -> Option<f64> {
        self.by_grade.iter().filter(|g| g.with_pre > 0).map(|g| g.pct_both).reduce(f64::min)
    }
}

/// A witte vlek with the reason in Dutch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WitteVlek {
    pub domain: String,
    pub priority: Priority,
    pub reason: String,
}

/// The whole inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub year: SchoolYear,
    pub cells: Vec<Cell>,
    pub witte_vlekken: Vec<WitteVlek>,
}

fn moment_label(kind: &str, date: Date) -> String {
    format!("{kind} {}", SchoolYear::of(date))
}

/// Collects, per (domain, source), the pupils with data before and since the boundary.
#[derive(Default)]
struct Acc {
    instruments: BTreeSet<String>,
    moments: BTreeSet<(Date, String)>,
    pre: BTreeSet<PupilNumber>,
    since: BTreeSet<PupilNumber>,
    /// Per moment label: first and last date and the pupils.
    per_moment: BTreeMap<String, (Date, Date, BTreeSet<PupilNumber>)>,
}

impl Acc {
    fn add(&mut self, pupil: &PupilNumber, date: Date, instrument: &str, moment: String, boundary: Date) {
        self.instruments.insert(instrument.to_owned());
        let e = self.per_moment.entry(moment.clone()).or_insert_with(|| (date, date, BTreeSet::new()));
        e.0 = e.0.min(date);
        e.1 = e.1.max(date);
        e.2.insert(pupil.clone());
        self.moments.insert((date, moment));
        if date < boundary {
            self.pre.insert(pupil.clone());
        } else {
            self.since.insert(pupil.clone());
        }
    }
}

/// Build the inventory of `school` in `year`. `boundary` is the first closure (16 March 2020).
pub fn build(
    data: &Dataset,
    school: &Brin,
    year: SchoolYear,
    domains: &[Domain],
    chosen: &DomainsStep,
    step: &InventoryStep,
    boundary: Date,
) -> Inventory {
    let by_id: HashMap<&str, &Domain> = domains.iter().map(|d| (d.id.as_str(), d)).collect();
    // Pupils per jaargroep in the scan year.
    let mut grade_of: HashMap<&PupilNumber, u8> = HashMap::new();
    for e in data.enrolments.iter().filter(|e| &e.school == school && e.year == year) {
        grade_of.insert(&e.pupil, e.grade.get());
    }
    let mut grade_sizes: BTreeMap<u8, u32> = BTreeMap::new();
    for g in grade_of.values() {
        *grade_sizes.entry(*g).or_default() += 1;
    }
    let subject_of: HashMap<&str, &str> =
        data.tests.iter().map(|t| (t.key.as_str(), t.subject.as_str())).collect();
    let name_of: HashMap<&str, &str> = data.tests.iter().map(|t| (t.key.as_str(), t.name.as_str())).collect();

    let mut acc: BTreeMap<(String, SourceKind), Acc> = BTreeMap::new();
    let chosen_ids: Vec<&str> = chosen.chosen.iter().map(|c| c.id.as_str()).collect();
    let last_day = year.last_day();

    for s in data.scores.iter().filter(|s| &s.school == school && s.date <= last_day && s.component.is_none())
    {
        let Some(subject) = subject_of.get(s.test_key.as_str()) else { continue };
        for id in &chosen_ids {
            if by_id.get(id).is_some_and(|d| d.subjects.iter().any(|x| x == subject)) {
                let kind = s.moment.map(|m| m.kind.letter().to_string()).unwrap_or_else(|| "toets".into());
                acc.entry(((*id).to_owned(), SourceKind::LvsToets)).or_default().add(
                    &s.pupil,
                    s.date,
                    name_of.get(s.test_key.as_str()).copied().unwrap_or(s.test_key.as_str()),
                    moment_label(&kind, s.date),
                    boundary,
                );
            }
        }
    }
    for o in data.observations.iter().filter(|o| &o.school == school && o.date <= last_day) {
        let key = format!("{}:{}", o.instrument, o.dimension);
        for id in &chosen_ids {
            if by_id.get(id).is_some_and(|d| d.dimensions.contains(&key)) {
                acc.entry(((*id).to_owned(), SourceKind::SeoInstrument)).or_default().add(
                    &o.pupil,
                    o.date,
                    &format!("{} ({})", o.instrument, o.informant.as_str()),
                    moment_label(&o.instrument, o.date),
                    boundary,
                );
            }
        }
    }
    for n in data.notes.iter().filter(|n| &n.school == school && n.date <= last_day) {
        let kind = match n.kind {
            NoteKind::GesprekLeerling => SourceKind::GesprekLeerling,
            NoteKind::GesprekOuder => SourceKind::GesprekOuder,
            NoteKind::Observatie | NoteKind::Diagnostiek => SourceKind::Observatie,
            NoteKind::Leerlingbespreking => SourceKind::Zorgteam,
            NoteKind::OppEvaluatie => SourceKind::OppEvaluatie,
        };
        for id in n.domains.iter().filter(|d| chosen_ids.contains(&d.as_str())) {
            acc.entry((id.clone(), kind)).or_default().add(
                &n.pupil,
                n.date,
                n.kind.label(),
                moment_label(n.kind.label(), n.date),
                boundary,
            );
        }
    }

    let mut cells: Vec<Cell> = acc
        .into_iter()
        .map(|((domain, kind), a)| {
            let mut per_grade: BTreeMap<u8, (u32, u32, u32)> = BTreeMap::new();
            for (pupil, g) in &grade_of {
                let pre = a.pre.contains(*pupil);
                let since = a.since.contains(*pupil);
                let e = per_grade.entry(*g).or_default();
                e.0 += u32::from(pre);
                e.1 += u32::from(since);
                e.2 += u32::from(pre && since);
            }
            let by_grade = grade_sizes
                .iter()
                .map(|(g, n)| {
                    let (p, s, b) = per_grade.get(g).copied().unwrap_or_default();
                    GradeCoverage {
                        grade: *g,
                        pupils: *n,
                        with_pre: p,
                        with_since: s,
                        with_both: b,
                        pct_both: if *n == 0 { 0.0 } else { 100.0 * f64::from(b) / f64::from(*n) },
                    }
                })
                .collect();
            let mut moments: Vec<String> = Vec::new();
            for (_, m) in &a.moments {
                if !moments.contains(m) {
                    moments.push(m.clone());
                }
            }
            let mut by_moment: Vec<MomentCount> = a
                .per_moment
                .iter()
                .map(|(m, (first, last, pupils))| {
                    let mut per: BTreeMap<u8, u32> = BTreeMap::new();
                    for p in pupils {
                        if let Some(g) = grade_of.get(p) {
                            *per.entry(*g).or_default() += 1;
                        }
                    }
                    MomentCount {
                        moment: m.clone(),
                        first_date: *first,
                        last_date: *last,
                        pupils: per.values().sum(),
                        by_grade: per.into_iter().collect(),
                    }
                })
                .collect();
            by_moment.sort_by(|x, y| (x.first_date, &x.moment).cmp(&(y.first_date, &y.moment)));
            Cell {
                domain,
                kind,
                by_moment,
                instruments: a.instruments.into_iter().collect(),
                moments,
                first_date: a.moments.first().map(|(d, _)| *d),
                last_date: a.moments.last().map(|(d, _)| *d),
                by_grade,
                manual: false,
            }
        })
        .collect();

    for m in step.manual.iter().filter(|m| chosen_ids.contains(&m.domain.as_str())) {
        if let Some(c) = cells.iter_mut().find(|c| c.domain == m.domain && c.kind == m.kind) {
            c.instruments.push(m.description.clone());
            c.manual = true;
        } else {
            cells.push(Cell {
                domain: m.domain.clone(),
                kind: m.kind,
                instruments: vec![m.description.clone()],
                moments: vec![],
                first_date: None,
                last_date: None,
                by_grade: vec![],
                by_moment: vec![],
                manual: true,
            });
        }
    }
    cells.sort_by(|a, b| (a.domain.as_str(), a.kind).cmp(&(b.domain.as_str(), b.kind)));

    let threshold = f64::from(step.coverage_threshold);
    let mut witte_vlekken = Vec::new();
    for c in &chosen.chosen {
        let mine: Vec<&Cell> = cells.iter().filter(|x| x.domain == c.id).collect();
        if mine.is_empty() {
            witte_vlekken.push(WitteVlek {
                domain: c.id.clone(),
                priority: c.priority,
                reason: "Er is geen enkele bron voor dit domein.".into(),
            });
            continue;
        }
        if mine.iter().any(|x| x.manual) {
            continue;
        }
        let best = mine.iter().filter_map(|x| x.min_coverage()).fold(f64::NAN, f64::max);
        if best.is_nan() || best < threshold {
            witte_vlekken.push(WitteVlek {
                domain: c.id.clone(),
                priority: c.priority,
                reason: format!(
                    "Van te weinig leerlingen zijn gegevens van vóór én sinds corona (laagste dekking per jaargroep {} %, drempel {} %).",
                    if best.is_nan() { 0 } else { best.round() as i64 },
                    step.coverage_threshold
                ),
            });
        }
    }
    Inventory { year, cells, witte_vlekken }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::full_catalogue;
    use crate::steps::{ChosenDomain, LvsStatus, ManualSource};
    use schoolscan_domain::{
        Enrolment, Grade, GroupName, Informant, Note, Observation, Scale, ScaleKind, Score, Subject, Test,
    };
    use time::macros::date;

    fn ds() -> Dataset {
        let school = Brin::parse("12AB").unwrap();
        let mut d = Dataset::default();
        d.tests.push(Test {
            key: "cito:bl".into(),
            vendor: "cito".into(),
            name: "Begrijpend lezen".into(),
            version: None,
            subject: Subject::parse("begrijpend_lezen").unwrap(),
            scale: Scale { code: "c".into(), kind: ScaleKind::Vertical, min: 0.0, max: 200.0 },
        });
        for i in 0..10 {
            let p = PupilNumber::parse(&format!("{i}")).unwrap();
            d.enrolments.push(Enrolment {
                school: school.clone(),
                pupil: p.clone(),
                year: SchoolYear::new(2020),
                group: GroupName::parse("5A").unwrap(),
                grade: Grade::new(5).unwrap(),
            });
            // 9 of 10 have a pre-corona and a since-corona score.
            let dates: &[Date] = if i < 9 {
                &[date!(2020 - 01 - 27), date!(2021 - 03 - 10)]
            } else {
                &[date!(2021 - 03 - 10)]
            };
            for &dt in dates {
                d.scores.push(Score {
                    school: school.clone(),
                    pupil: p.clone(),
                    test_key: "cito:bl".into(),
                    component: None,
                    date: dt,
                    moment: None,
                    ability: Some(50.0),
                    csem: None,
                    raw: None,
                    level: None,
                    percentile: None,
                    dle: None,
                    reference_level: None,
                });
            }
            if i < 3 {
                d.observations.push(Observation {
                    school: school.clone(),
                    pupil: p.clone(),
                    instrument: "zien".into(),
                    dimension: "welbevinden".into(),
                    informant: Informant::Leerkracht,
                    date: date!(2020 - 11 - 01),
                    value: 3.0,
                    signal: None,
                });
            }
        }
        d.notes.push(Note {
            school: school.clone(),
            pupil: PupilNumber::parse("1").unwrap(),
            kind: NoteKind::GesprekLeerling,
            informant: Informant::Leerling,
            date: date!(2021 - 02 - 20),
            author: "ib".into(),
            domains: vec!["motivatie".into()],
            ratings: vec![],
            text: None,
        });
        d
    }

    fn chosen(ids: &[&str]) -> DomainsStep {
        DomainsStep {
            chosen: ids
                .iter()
                .map(|id| ChosenDomain {
                    id: (*id).into(),
                    priority: Priority::Moet,
                    lvs_status: LvsStatus::InLvsGebruikt,
                    rationale: String::new(),
                })
                .collect(),
            custom: vec![],
        }
    }

    #[test]
    fn coverage_and_witte_vlekken() {
        let inv = build(
            &ds(),
            &Brin::parse("12AB").unwrap(),
            SchoolYear::new(2020),
            &full_catalogue(),
            &chosen(&["begrijpend_lezen", "welbevinden", "motivatie", "motoriek"]),
            &InventoryStep { manual: vec![], coverage_threshold: 80 },
            date!(2020 - 03 - 16),
        );
        let bl = inv.cells.iter().find(|c| c.domain == "begrijpend_lezen").unwrap();
        assert_eq!(bl.kind, SourceKind::LvsToets);
        assert_eq!(bl.by_grade[0].with_both, 9);
        assert!((bl.by_grade[0].pct_both - 90.0).abs() < 1e-9);
        assert_eq!(bl.moments, vec!["toets 2019-2020".to_string(), "toets 2020-2021".to_string()]);
        assert_eq!(bl.by_moment.len(), 2);
        assert_eq!((bl.by_moment[0].moment.as_str(), bl.by_moment[0].pupils), ("toets 2019-2020", 9));
        assert_eq!(bl.by_moment[1].by_grade, vec![(5, 10)]);
        assert_eq!(bl.by_moment[1].first_date, date!(2021 - 03 - 10));
        let vlek: Vec<&str> = inv.witte_vlekken.iter().map(|w| w.domain.as_str()).collect();
        // welbevinden: only since-corona observations of 3 pupils; motivatie: one conversation since;
        // motoriek: nothing at all.
        assert_eq!(vlek, vec!["welbevinden", "motivatie", "motoriek"]);
        assert!(inv.witte_vlekken[2].reason.contains("geen enkele bron"));
    }

    #[test]
    fn a_jaargroep_too_young_for_the_test_before_corona_does_not_count() {
        let mut d = ds();
        let school = Brin::parse("12AB").unwrap();
        // Ten pupils in jaargroep 3 with a score since corona only (they were in groep 1 before).
        for i in 100..110 {
            let p = PupilNumber::parse(&format!("{i}")).unwrap();
            d.enrolments.push(Enrolment {
                school: school.clone(),
                pupil: p.clone(),
                year: SchoolYear::new(2020),
                group: GroupName::parse("3A").unwrap(),
                grade: Grade::new(3).unwrap(),
            });
            let mut s = d.scores[0].clone();
            s.pupil = p;
            s.date = date!(2021 - 03 - 10);
            d.scores.push(s);
        }
        let inv = build(
            &d,
            &school,
            SchoolYear::new(2020),
            &full_catalogue(),
            &chosen(&["begrijpend_lezen"]),
            &InventoryStep { manual: vec![], coverage_threshold: 80 },
            date!(2020 - 03 - 16),
        );
        let bl = &inv.cells[0];
        assert_eq!(bl.by_grade.len(), 2);
        assert_eq!(bl.by_grade[0].with_both, 0, "jaargroep 3: no data before corona");
        assert_eq!(bl.min_coverage(), Some(90.0));
        assert!(inv.witte_vlekken.is_empty());
    }

    #[test]
    fn a_manual_source_fills_the_vlek() {
        let inv = build(
            &ds(),
            &Brin::parse("12AB").unwrap(),
            SchoolYear::new(2020),
            &full_catalogue(),
            &chosen(&["motoriek"]),
            &InventoryStep {
                manual: vec![ManualSource {
                    domain: "motoriek".into(),
                    kind: SourceKind::Observatie,
                    description: "observatie gymdocent".into(),
                }],
                coverage_threshold: 80,
            },
            date!(2020 - 03 - 16),
        );
        assert!(inv.witte_vlekken.is_empty());
        assert!(inv.cells[0].manual);
    }
}
