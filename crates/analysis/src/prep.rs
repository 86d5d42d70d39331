//! Turning a `Dataset` into indexed, canonically ordered plain data: pupils, classes, units
//! (subject × scale × component) and per-pupil score series. Everything downstream iterates over
//! these sorted vectors, so the output never depends on the order of the input rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use schoolscan_domain::calendar::school_month_index;
use schoolscan_domain::{
    Brin, Dataset, Date, Grade, GroupName, Moment, MomentKind, ParentsEducation, PupilNumber, ScaleKind,
    SchoolYear, Sex, Subject, Weight,
};

/// A pupil of one school.
#[derive(Debug, Clone)]
pub struct PupilInfo {
    pub school: usize,
    pub number: PupilNumber,
    pub sex: Option<Sex>,
    pub weight: Option<Weight>,
    pub parents_education: Option<ParentsEducation>,
    pub opp: bool,
}

/// What a unit's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueKind {
    /// Vaardigheidsscore on the test's scale.
    Ability,
    /// Raw score (counts correct) of a component: effect sizes only.
    Raw,
}

/// A subject × scale × component: the level at which scores are comparable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnitKey {
    pub subject: Subject,
    pub scale: String,
    pub component: Option<String>,
    pub value: ValueKind,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub key: UnitKey,
    pub kind: ScaleKind,
    /// Per pupil (ascending pupil index), the observations sorted by date, one per (year, moment).
    pub series: Vec<(usize, Vec<Obs>)>,
}

impl Unit {
    pub fn vertical(&self) -> bool {
        self.kind == ScaleKind::Vertical && self.key.value == ValueKind::Ability
    }
    pub fn is_main(&self) -> bool {
        self.key.component.is_none()
    }
}

/// One score.
#[derive(Debug, Clone, Copy)]
pub struct Obs {
    pub date: Date,
    pub year: i32,
    /// School-month index m(d).
    pub m: f64,
    pub moment: Moment,
    pub value: f64,
    pub csem: Option<f64>,
}

/// The indexed dataset.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub schools: Vec<Brin>,
    pub pupils: Vec<PupilInfo>,
    /// Class names; a class is (school, year, name).
    pub classes: Vec<(usize, i32, GroupName)>,
    /// Per pupil: (year → (class index, grade)).
    pub enrol: Vec<BTreeMap<i32, (usize, Grade)>>,
    pub units: Vec<Unit>,
    /// Scores that could not be used, by reason (Dutch).
    pub skipped: BTreeMap<String, usize>,
}

impl Prepared {
    /// The pupil's class and grade in school year `year`.
    pub fn enrolment(&self, pupil: usize, year: i32) -> Option<(usize, Grade)> {
        self.enrol[pupil].get(&year).copied()
    }
}

/// The moment kind of a test date when the export does not name it: August–November B,
/// December–March M, April–July E.
pub fn moment_kind_of(date: Date) -> MomentKind {
    match u8::from(date.month()) {
        8..=11 => MomentKind::B,
        12 | 1..=3 => MomentKind::M,
        _ => MomentKind::E,
    }
}

/// A map for the look-ups done once per score row with a few short strings as key, with
/// foldhash (already in the dependency tree through hashbrown) instead of SipHash, whose
/// resistance to crafted collisions is not needed for the handful of test and unit keys of an
/// export. Fixed seed; no output depends on the order of these maps.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// A unit key as it appears in a score row: (test, component, value kind).
type RawKey<'a> = (&'a str, Option<&'a str>, ValueKind);

/// The indexes a score row is resolved with.
struct Lookups<'a, 'd> {
    tests: &'a FastMap<&'d str, &'d schoolscan_domain::Test>,
    school_ix: &'a HashMap<&'d Brin, usize>,
    pupil_ix: &'a HashMap<(usize, &'d PupilNumber), usize>,
    enrol: &'a [BTreeMap<i32, (usize, Grade)>],
}

/// The usable score rows of one stretch of the export, as (local unit-key id, pupil, obs), with
/// the unit keys in order of first appearance and the skipped rows by reason.
struct ScoreRows<'d> {
    rows: Vec<(usize, usize, Obs)>,
    keys: Vec<(RawKey<'d>, (UnitKey, ScaleKind))>,
    skipped: BTreeMap<&'static str, usize>,
}

fn score_rows<'d>(scores: &'d [schoolscan_domain::Score], look: &Lookups<'_, 'd>) -> ScoreRows<'d> {
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    // Unit keys are interned once per (test, component, value kind), so rows sort on integers.
    let mut raw_ids: FastMap<RawKey, usize> = FastMap::default();
    let mut keys: Vec<(RawKey, (UnitKey, ScaleKind))> = Vec::new();
    let mut rows: Vec<(usize, usize, Obs)> = Vec::with_capacity(scores.len());
    // Exports list a pupil's scores together: remember the last pupil look-up instead of
    // hashing the same strings again for every row.
    let mut last_pupil: Option<(&Brin, &PupilNumber, usize)> = None;
    for s in scores {
        let Some(test) = look.tests.get(s.test_key.as_str()).copied() else {
            *skipped.entry("onbekende toets").or_default() += 1;
            continue;
        };
        let p = match last_pupil {
            Some((b, n, p)) if b == &s.school && n == &s.pupil => p,
            _ => {
                let p = look.pupil_ix[&(look.school_ix[&s.school], &s.pupil)];
                last_pupil = Some((&s.school, &s.pupil, p));
                p
            }
        };
        let (value, vk) = match (s.ability, s.raw, &s.component) {
            (Some(a), _, _) if a.is_finite() => (a, ValueKind::Ability),
            (_, Some(r), Some(_)) if r.is_finite() => (r, ValueKind::Raw),
            _ => {
                *skipped.entry("geen vaardigheidsscore").or_default() += 1;
                continue;
            }
        };
        let year = SchoolYear::of(s.date).start_year();
        let moment = match s.moment {
            Some(m) => m,
            None => match look.enrol[p].get(&year) {
                Some(&(_, g)) => Moment::new(moment_kind_of(s.date), g),
                None => {
                    *skipped.entry("geen toetsmoment of jaargroep").or_default() += 1;
                    continue;
                }
            },
        };
        let rk: RawKey = (s.test_key.as_str(), s.component.as_deref(), vk);
        let id = *raw_ids.entry(rk).or_insert_with(|| {
            let key = UnitKey {
                subject: test.subject.clone(),
                scale: test.scale.code.clone(),
                component: s.component.clone(),
                value: vk,
            };
            keys.push((rk, (key, test.scale.kind)));
            keys.len() - 1
        });
        let csem = s.csem.filter(|c| c.is_finite() && *c > 0.0);
        rows.push((id, p, Obs { date: s.date, year, m: school_month_index(s.date), moment, value, csem }));
    }
    ScoreRows { rows, keys, skipped }
}

/// The canonical order of score rows: unit, pupil, date, moment, value, CSEM. Rows equal under
/// it are identical, so an unstable sort is enough and any merge of sorted parts is the same.
fn row_order(a: &(usize, usize, Obs), b: &(usize, usize, Obs)) -> std::cmp::Ordering {
    a.0.cmp(&b.0)
        .then(a.1.cmp(&b.1))
        .then(a.2.date.cmp(&b.2.date))
        .then(a.2.moment.cmp(&b.2.moment))
        .then(a.2.value.total_cmp(&b.2.value))
        .then(a.2.csem.unwrap_or(-1.0).total_cmp(&b.2.csem.unwrap_or(-1.0)))
}

/// The rows of two vectors sorted by [`row_order`], merged in that order.
fn merge_sorted(
    a: Vec<(usize, usize, Obs)>,
    b: Vec<(usize, usize, Obs)>,
) -> impl Iterator<Item = (usize, usize, Obs)> {
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    std::iter::from_fn(move || {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => row_order(x, y) != std::cmp::Ordering::Greater,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if take_a { a.next() } else { b.next() }
    })
}

pub fn prepare(data: &Dataset) -> Prepared {
    // Schools and pupils, sorted. Borrowed, so the school of every score row is compared but
    // not cloned.
    let mut school_set: BTreeSet<&Brin> = BTreeSet::new();
    school_set.extend(data.schools.iter().map(|s| &s.brin));
    school_set.extend(data.pupils.iter().map(|p| &p.school));
    school_set.extend(data.enrolments.iter().map(|e| &e.school));
    // Score and observation rows come grouped by school: only a change of school is looked up.
    let mut last: Option<&Brin> = None;
    for b in data.scores.iter().map(|s| &s.school).chain(data.observations.iter().map(|s| &s.school)) {
        if last != Some(b) {
            school_set.insert(b);
            last = Some(b);
        }
    }
    let schools: Vec<Brin> = school_set.into_iter().cloned().collect();
    let school_ix: HashMap<&Brin, usize> = schools.iter().enumerate().map(|(i, b)| (b, i)).collect();

    let mut pupil_set: BTreeMap<(usize, PupilNumber), Option<&schoolscan_domain::Pupil>> = BTreeMap::new();
    for p in &data.pupils {
        pupil_set.insert((school_ix[&p.school], p.number.clone()), Some(p));
    }
    let mut prev: Option<(&Brin, &PupilNumber)> = None;
    for e in &data.enrolments {
        if prev.is_some_and(|(b, n)| b == &e.school && n == &e.pupil) {
            continue;
        }
        prev = Some((&e.school, &e.pupil));
        pupil_set.entry((school_ix[&e.school], e.pupil.clone())).or_insert(None);
    }
    // Exports list a pupil's scores together: skip the look-up (and the key's allocation) while
    // the pupil stays the same.
    let mut prev: Option<(&Brin, &PupilNumber)> = None;
    for s in &data.scores {
        if prev.is_some_and(|(b, n)| b == &s.school && n == &s.pupil) {
            continue;
        }
        prev = Some((&s.school, &s.pupil));
        pupil_set.entry((school_ix[&s.school], s.pupil.clone())).or_insert(None);
    }
    let pupils: Vec<PupilInfo> = pupil_set
        .iter()
        .map(|((school, number), p)| PupilInfo {
            school: *school,
            number: number.clone(),
            sex: p.and_then(|p| p.sex),
            weight: p.and_then(|p| p.weight),
            parents_education: p.and_then(|p| p.parents_education),
            opp: p.is_some_and(|p| p.opp),
        })
        .collect();
    let pupil_ix: HashMap<(usize, &PupilNumber), usize> =
        pupils.iter().enumerate().map(|(i, p)| ((p.school, &p.number), i)).collect();

    // Classes and enrolments (sorted, so indices are canonical).
    let mut class_set: BTreeSet<(usize, i32, GroupName)> = BTreeSet::new();
    for e in &data.enrolments {
        class_set.insert((school_ix[&e.school], e.year.start_year(), e.group.clone()));
    }
    let classes: Vec<(usize, i32, GroupName)> = class_set.into_iter().collect();
    let class_ix: HashMap<(usize, i32, &GroupName), usize> =
        classes.iter().enumerate().map(|(i, (s, y, g))| ((*s, *y, g), i)).collect();
    let mut enrol: Vec<BTreeMap<i32, (usize, Grade)>> = vec![BTreeMap::new(); pupils.len()];
    // Deterministic when a pupil has two enrolments in one year: keep the smallest (class, grade).
    for e in &data.enrolments {
        let s = school_ix[&e.school];
        let p = pupil_ix[&(s, &e.pupil)];
        let y = e.year.start_year();
        let c = class_ix[&(s, y, &e.group)];
        let v = (c, e.grade);
        enrol[p].entry(y).and_modify(|old| *old = (*old).min(v)).or_insert(v);
    }

    // Units and observations: the score rows are read in two halves in parallel, each with its
    // own interned unit keys, which are then merged (their numbering does not matter: units are
    // ordered by key below).
    let tests: FastMap<&str, &schoolscan_domain::Test> =
        data.tests.iter().map(|t| (t.key.as_str(), t)).collect();
    let look = Lookups { tests: &tests, school_ix: &school_ix, pupil_ix: &pupil_ix, enrol: &enrol };
    let (first, second) = data.scores.split_at(data.scores.len() / 2);
    let (part_a, part_b) = crate::par::join(|| score_rows(first, &look), || score_rows(second, &look));
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut raw_ids: FastMap<RawKey, usize> = FastMap::default();
    let mut raw_keys: Vec<(UnitKey, ScaleKind)> = Vec::new();
    // Per part, chunk-local key id → merged id.
    let mut merged_ids: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (part, ids) in [&part_a, &part_b].into_iter().zip(merged_ids.iter_mut()) {
        for (reason, n) in &part.skipped {
            *skipped.entry((*reason).to_owned()).or_default() += n;
        }
        for (rk, key) in &part.keys {
            ids.push(*raw_ids.entry(*rk).or_insert_with(|| {
                raw_keys.push(key.clone());
                raw_keys.len() - 1
            }));
        }
    }
    // Canonical unit order: by key (several tests can share a scale; the first kind seen in key
    // order wins, deterministically).
    let mut sorted: BTreeMap<UnitKey, (ScaleKind, Vec<usize>)> = BTreeMap::new();
    let mut order_of_raw: Vec<(usize, usize)> = raw_keys.iter().enumerate().map(|(i, _)| (i, 0)).collect();
    {
        let mut by_key: Vec<usize> = (0..raw_keys.len()).collect();
        by_key.sort_by(|a, b| {
            raw_keys[*a]
                .0
                .cmp(&raw_keys[*b].0)
                .then(format!("{:?}", raw_keys[*a].1).cmp(&format!("{:?}", raw_keys[*b].1)))
        });
        for i in by_key {
            sorted.entry(raw_keys[i].0.clone()).or_insert((raw_keys[i].1, Vec::new())).1.push(i);
        }
        for (rank, (_, (_, ids))) in sorted.iter().enumerate() {
            for &i in ids {
                order_of_raw[i].1 = rank;
            }
        }
    }
    // Each half gets its unit ranks and is sorted on its own thread; the two are then merged.
    // Exports list each pupil's scores together in date order, so after a (stable) split by unit
    // the rows are mostly in order already, which the stable sort's run detection exploits.
    let n_units = sorted.len();
    let canonical = |mut rows: Vec<(usize, usize, Obs)>, ids: &[usize]| {
        // A counting sort by unit rank (stable), then the sort proper.
        let mut start = vec![0usize; n_units + 1];
        for r in rows.iter_mut() {
            r.0 = order_of_raw[ids[r.0]].1;
            start[r.0 + 1] += 1;
        }
        for u in 0..n_units {
            start[u + 1] += start[u];
        }
        let Some(&fill) = rows.first() else { return rows };
        let mut by_unit = vec![fill; rows.len()];
        for r in rows {
            by_unit[start[r.0]] = r;
            start[r.0] += 1;
        }
        by_unit.sort_by(row_order);
        by_unit
    };
    let (rows_a, rows_b) = (part_a.rows, part_b.rows);
    let [ids_a, ids_b] = &merged_ids;
    let (rows_a, rows_b) = crate::par::join(|| canonical(rows_a, ids_a), || canonical(rows_b, ids_b));
    let mut rows = merge_sorted(rows_a, rows_b).peekable();
    let unit_list: Vec<(UnitKey, ScaleKind)> = sorted.into_iter().map(|(k, (kind, _))| (k, kind)).collect();
    let mut units: Vec<Unit> = Vec::new();
    while let Some(&(uid, _, _)) = rows.peek() {
        let mut series: Vec<(usize, Vec<Obs>)> = Vec::new();
        while let Some(&(_, p, _)) = rows.peek().filter(|r| r.0 == uid) {
            let mut obs: Vec<Obs> = Vec::new();
            while let Some((_, _, o)) = rows.next_if(|r| r.0 == uid && r.1 == p) {
                // One score per (school year, moment): a later sitting replaces an earlier one.
                if let Some(pos) = obs.iter().position(|x| x.year == o.year && x.moment == o.moment) {
                    obs.remove(pos);
                    *skipped
                        .entry("dubbele score op hetzelfde moment (laatste gebruikt)".to_owned())
                        .or_default() += 1;
                }
                obs.push(o);
            }
            series.push((p, obs));
        }
        let (key, kind) = unit_list[uid].clone();
        units.push(Unit { key, kind, series });
    }
    Prepared { schools, pupils, classes, enrol, units, skipped }
}
