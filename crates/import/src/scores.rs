//! Scores files: long (one row per score) and wide (a column per test and moment).

use std::collections::HashMap;

use csv::StringRecord;
use schoolscan_domain::{Brin, Date, Grade, Moment, MomentKind, Pupil, PupilNumber, SchoolYear, Score, Test};
use time::Month;

use crate::catalogue::{self, avi_level, parse_moment};
use crate::fields::{Field, FileKind};
use crate::layout::{Col, Layout};
use crate::mapping::Mapping;
use crate::prepare::{Prepared, prepare};
use crate::rows::{EnrolmentRegistry, GroupInfo, Merge, PupilRegistry, Row, group_of, pupil_of};
use crate::source::is_blank;
use crate::text::{clip, is_no_result, key};
use crate::values::Decimal;
use crate::{ImportError, ImportOptions, Problem, ScoreBatch};

/// Parses a scores file (CSV/TSV, xlsx, xls, ods; long or wide layout).
pub fn parse_scores(
    bytes: &[u8],
    file_name: &str,
    school: &Brin,
    opts: &ImportOptions,
) -> Result<ScoreBatch, ImportError> {
    parse_scores_with_progress(bytes, file_name, school, opts, &mut |_, _| {})
}

/// [`parse_scores`] with a progress callback `(done, total)` (bytes for CSV, rows for spreadsheets),
/// called every few thousand rows.
pub fn parse_scores_with_progress(
    bytes: &[u8],
    file_name: &str,
    school: &Brin,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ScoreBatch, ImportError> {
    parse(bytes, file_name, school, opts, progress, None)
}

/// Scores handed on while the file is still being read: the tests first seen in this chunk, and
/// the chunk's scores in file order.
pub type ScoreSink<'s> = dyn FnMut(Vec<Test>, Vec<Score>) + 's;

/// [`parse_scores_with_progress`] that hands every landed score to `sink` in chunks of about
/// `chunk` scores while it reads, so that a writer on another thread can store them meanwhile.
/// A score is final once landed (a later row that contradicts it is rejected, it does not change
/// it). Each test is handed on once, with the first chunk that uses it. The returned batch has
/// every other part (pupils, enrolments, counts, problems, `tests`) and an empty `scores`.
pub fn parse_scores_streaming(
    bytes: &[u8],
    file_name: &str,
    school: &Brin,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
    chunk: usize,
    sink: &mut ScoreSink<'_>,
) -> Result<ScoreBatch, ImportError> {
    parse(bytes, file_name, school, opts, progress, Some((chunk.max(1), sink)))
}

/// What has been handed on to a sink.
#[derive(Default)]
struct Handed {
    scores: usize,
    tests: std::collections::HashSet<String>,
}

impl Handed {
    fn hand_on(&mut self, st: &State<'_>, sink: &mut ScoreSink<'_>) {
        let scores: Vec<Score> = st.scores[self.scores..].to_vec();
        self.scores = st.scores.len();
        let mut tests = Vec::new();
        let mut last: Option<&str> = None;
        for s in &scores {
            if last == Some(s.test_key.as_str()) {
                continue;
            }
            last = Some(&s.test_key);
            if !self.tests.contains(&s.test_key) {
                if let Some(t) = st.tests.iter().find(|t| t.key == s.test_key) {
                    tests.push(t.clone());
                }
                self.tests.insert(s.test_key.clone());
            }
        }
        if !scores.is_empty() || !tests.is_empty() {
            sink(tests, scores);
        }
    }
}

fn parse(
    bytes: &[u8],
    file_name: &str,
    school: &Brin,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
    mut stream: Option<(usize, &mut ScoreSink<'_>)>,
) -> Result<ScoreBatch, ImportError> {
    let Prepared { info, cols, mut rows, pending } = prepare(bytes, file_name, FileKind::Scores, opts)?;
    let mut st = State::new(school.clone(), opts);
    let layout = cols.layout.unwrap_or(Layout::Long);
    // Room for the scores up front: growing a vector of a million scores by doubling copies it
    // again and again. A CSV line of a long file is rarely under 48 bytes; a spreadsheet knows
    // its rows. (A hint only: wide files land several scores per row and simply grow.)
    let (_, total) = rows.progress();
    let estimate = if info.delimiter.is_some() { total / 48 } else { total };
    let estimate = usize::try_from(estimate.min(4_000_000)).unwrap_or(0);
    st.scores.reserve(estimate);
    st.score_index.reserve(estimate);
    let handle = |line: u64, rec: &StringRecord, st: &mut State| {
        if is_blank(rec) {
            return;
        }
        st.read += 1;
        let row = Row { line, rec, cols: &cols };
        let res = match layout {
            Layout::Long => st.long_row(&row),
            Layout::Wide => st.wide_row(&row),
        };
        if let Err(p) = res {
            st.rejected.push(p);
        }
    };
    let mut handed = Handed::default();
    for (line, rec) in &pending {
        handle(*line, rec, &mut st);
    }
    let mut rec = StringRecord::new();
    let mut n = 0u64;
    while let Some(line) = rows.read(&mut rec)? {
        handle(line, &rec, &mut st);
        n += 1;
        if n % 8192 == 0 {
            let (done, total) = rows.progress();
            progress(done, total);
        }
        if let Some((chunk, sink)) = stream.as_mut()
            && st.scores.len() - handed.scores >= *chunk
        {
            handed.hand_on(&st, &mut **sink);
        }
    }
    if let Some((_, sink)) = stream.as_mut() {
        handed.hand_on(&st, &mut **sink);
    }
    let (done, total) = rows.progress();
    progress(done.max(total), total);
    let mut info = info;
    info.decimal = st.decimal;
    // Only the tests that scores refer to (a skipped or rejected row may name another).
    let used: std::collections::HashSet<&str> = st.scores.iter().map(|s| s.test_key.as_str()).collect();
    let tests: Vec<Test> = st.tests.iter().filter(|t| used.contains(t.key.as_str())).cloned().collect();
    let scores = if stream.is_some() { Vec::new() } else { st.scores };
    Ok(ScoreBatch {
        info,
        read: st.read,
        pupils: st.pupils.pupils,
        enrolments: st.enrolments.enrolments,
        tests,
        scores,
        duplicates: st.duplicates,
        skipped: st.skipped,
        rejected: st.rejected,
    })
}

/// The nominal date of a moment in a school year: B on 1 October, M on 1 February, E on 15 June.
pub fn nominal_date(year: SchoolYear, kind: MomentKind) -> Date {
    let (y, m, d) = match kind {
        MomentKind::B => (year.start_year(), Month::October, 1),
        MomentKind::M => (year.end_year(), Month::February, 1),
        MomentKind::E => (year.end_year(), Month::June, 15),
    };
    Date::from_calendar_date(y, m, d).unwrap_or(year.first_day())
}

/// The moment of a Cito test from its date, when the pupil's grade is known: December to March is
/// M, May to July is E (Cito's fixed test periods, lvs-data.md §3).
fn cito_moment(date: Date, grade: Grade) -> Option<Moment> {
    match u8::from(date.month()) {
        12 | 1..=3 => Some(Moment::new(MomentKind::M, grade)),
        5..=7 => Some(Moment::new(MomentKind::E, grade)),
        _ => None,
    }
}

/// The natural key of a score within a file: pupil index, test index, component id, date.
type ScoreKey = (u32, u32, u32, Date);

/// A fast hasher for [`ScoreKey`]s (multiply-rotate, as FxHash). The keys are small indexes the
/// parser assigns itself and a date, not text from the file, so SipHash's protection against
/// crafted collisions buys nothing here and costs a tenth of the parse.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u64(n as u32 as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The pupil and group cells of the last row that landed, with what they resolved to: consecutive
/// rows of one pupil skip re-parsing and re-merging the pupil.
struct PupilCache {
    cells: Vec<String>,
    number: PupilNumber,
    index: u32,
    group: GroupInfo,
}

/// The pupil of a row: parsed, or taken from the cache.
enum RowPupil {
    Parsed(Box<Pupil>, GroupInfo),
    Cached(PupilNumber, u32, GroupInfo),
}

impl RowPupil {
    fn number(&self) -> &PupilNumber {
        match self {
            RowPupil::Parsed(p, _) => &p.number,
            RowPupil::Cached(n, _, _) => n,
        }
    }
    fn group(&self) -> &GroupInfo {
        match self {
            RowPupil::Parsed(_, g) | RowPupil::Cached(_, _, g) => g,
        }
    }
}

struct State<'o> {
    school: Brin,
    mapping: Option<&'o Mapping>,
    vendor: Option<String>,
    default_year: Option<SchoolYear>,
    read: u64,
    decimal: Decimal,
    pupils: PupilRegistry,
    enrolments: EnrolmentRegistry,
    tests: Vec<Test>,
    /// (name, vendor, version) as in the file → index in `tests`, or the Dutch reason it is unknown.
    /// A list, not a map: files name few tests, and a scan needs no allocation per row.
    test_cache: Vec<(String, String, String, Result<usize, String>)>,
    /// Columns that describe the pupil and group (for the pupil cache).
    pupil_cols: Vec<usize>,
    pupil_cache: Option<PupilCache>,
    components: HashMap<String, u32>,
    scores: Vec<Score>,
    /// Natural key → (index in `scores`, line).
    score_index: HashMap<ScoreKey, (usize, u64), std::hash::BuildHasherDefault<KeyHasher>>,
    duplicates: u64,
    skipped: Vec<Problem>,
    rejected: Vec<Problem>,
}

/// The score fields of one result before validation.
#[derive(Default)]
struct Cells<'r> {
    ability: Option<(&'r str, &'r str)>,
    raw: Option<(&'r str, &'r str)>,
    level: Option<(&'r str, &'r str)>,
    percentile: Option<(&'r str, &'r str)>,
    dle: Option<(&'r str, &'r str)>,
    reference: Option<(&'r str, &'r str)>,
    csem: Option<(&'r str, &'r str)>,
}

impl<'o> State<'o> {
    fn new(school: Brin, opts: &'o ImportOptions) -> Self {
        let mapping = opts.mapping.as_ref();
        Self {
            school,
            mapping,
            vendor: mapping.and_then(|m| m.file.vendor.clone()).or_else(|| opts.vendor.clone()),
            default_year: opts.school_year.or(mapping.and_then(|m| m.file.school_year)),
            read: 0,
            decimal: Decimal::Unknown,
            pupils: PupilRegistry::new(),
            enrolments: EnrolmentRegistry::new(),
            tests: Vec::new(),
            test_cache: Vec::new(),
            pupil_cols: Vec::new(),
            pupil_cache: None,
            components: HashMap::new(),
            scores: Vec::new(),
            score_index: HashMap::default(),
            duplicates: 0,
            skipped: Vec::new(),
            rejected: Vec::new(),
        }
    }

    fn test_index(&mut self, name: &str, vendor: &str, version: &str) -> Result<usize, String> {
        if let Some((.., r)) =
            self.test_cache.iter().find(|(n, v, ver, _)| n == name && v == vendor && ver == version)
        {
            return r.clone();
        }
        let vendor_opt = if vendor.is_empty() { self.vendor.as_deref() } else { Some(vendor) };
        let version_opt = if version.is_empty() { None } else { Some(version) };
        let resolved = match self.mapping.and_then(|m| catalogue::from_mapping(m, name)) {
            Some(r) => r,
            None => catalogue::lookup(name, vendor_opt, version_opt).ok_or_else(|| {
                format!(
                    "onbekende toets '{}': deze staat niet in de toetscatalogus; beschrijf de toets (vak en schaal) in een koppelbestand onder [[toetsen]]",
                    clip(name)
                )
            }),
        };
        let r = resolved.map(|t| self.add_test(t));
        self.test_cache.push((name.to_owned(), vendor.to_owned(), version.to_owned(), r.clone()));
        r
    }

    fn add_test(&mut self, t: Test) -> usize {
        match self.tests.iter().position(|x| x.key == t.key) {
            Some(i) => i,
            None => {
                self.tests.push(t);
                self.tests.len() - 1
            }
        }
    }

    /// The pupil and group of a row, from the cache when the pupil cells equal the last landed row's.
    fn row_pupil(&mut self, row: &Row<'_>) -> Result<RowPupil, Problem> {
        if self.pupil_cols.is_empty() {
            self.pupil_cols = pupil_columns(row.cols);
        }
        if let Some(c) = &self.pupil_cache {
            let same = self
                .pupil_cols
                .iter()
                .zip(&c.cells)
                .all(|(&i, cached)| row.rec.get(i).unwrap_or("") == cached.as_str());
            if same {
                return Ok(RowPupil::Cached(c.number.clone(), c.index, c.group.clone()));
            }
        }
        let p = pupil_of(row, &self.school)?;
        let g = group_of(row, self.default_year)?;
        Ok(RowPupil::Parsed(Box::new(p), g))
    }

    /// Merges the row's pupil and enrolment; a pupil number with another name rejects the row.
    /// Returns the pupil's index.
    fn pupil(&mut self, row: &Row<'_>, rp: RowPupil, date: Option<Date>) -> Result<u32, Problem> {
        let (number, index, g) = match rp {
            RowPupil::Cached(n, i, g) => (n, i, g),
            RowPupil::Parsed(p, g) => {
                let number = p.number.clone();
                let index = match self.pupils.merge(*p, row.line, false) {
                    Ok((Merge::New | Merge::Same | Merge::Identical, i)) => {
                        u32::try_from(i).unwrap_or(u32::MAX)
                    }
                    Err(reason) => {
                        let f =
                            if row.cols.has(Field::LastName) { Field::LastName } else { Field::FirstName };
                        return Err(row.problem(f, row.get(f), reason));
                    }
                };
                let cells =
                    self.pupil_cols.iter().map(|&i| row.rec.get(i).unwrap_or("").to_owned()).collect();
                self.pupil_cache =
                    Some(PupilCache { cells, number: number.clone(), index, group: g.clone() });
                (number, index, g)
            }
        };
        if let Some(d) = date {
            self.enrolments.add(&self.school, &number, SchoolYear::of(d), &g);
        } else if let Some(y) = g.year {
            self.enrolments.add(&self.school, &number, y, &g);
        }
        Ok(index)
    }

    fn component_id(&mut self, c: &Option<String>) -> u32 {
        let Some(c) = c else { return u32::MAX };
        if let Some(&i) = self.components.get(c.as_str()) {
            return i;
        }
        let i = u32::try_from(self.components.len()).unwrap_or(u32::MAX - 1);
        self.components.insert(c.clone(), i);
        i
    }

    fn long_row(&mut self, row: &Row<'_>) -> Result<(), Problem> {
        row.check_shape()?;
        // Identity first: a row without a pupil number cannot be right, with or without a result.
        let rp = self.row_pupil(row)?;
        let g = rp.group();
        let name = row.get(Field::Test);
        if name.is_empty() {
            return Err(row.problem(Field::Test, name, "geen toetsnaam"));
        }
        let ti = self
            .test_index(name, row.get(Field::Vendor), row.get(Field::TestVersion))
            .map_err(|reason| row.problem(Field::Test, name, reason))?;
        let grade = g.grade;
        let moment = match row.value(Field::Moment) {
            Some(v) => Some(parse_moment(v, grade).ok_or_else(|| {
                row.problem(
                    Field::Moment,
                    v,
                    format!(
                        "onbekend toetsmoment '{}': verwacht B, M of E met de groep, bijv. M5 of E4",
                        clip(v)
                    ),
                )
            })?),
            None => None,
        };
        let date = match row.date(Field::Date, "afnamedatum")? {
            Some(d) => {
                if let Some(y) = g.year.filter(|_| row.cols.has(Field::SchoolYear)) {
                    if !y.contains(d) {
                        return Err(row.problem(
                            Field::Date,
                            row.get(Field::Date),
                            format!("de afnamedatum valt niet in schooljaar {y}"),
                        ));
                    }
                }
                d
            }
            None => match (moment, g.year) {
                (Some(m), Some(y)) => nominal_date(y, m.kind),
                _ => {
                    return Err(row.problem(
                        Field::Date,
                        row.get(Field::Date),
                        "geen afnamedatum, en geen toetsmoment met schooljaar om die af te leiden",
                    ));
                }
            },
        };
        let moment = moment.or_else(|| {
            let t = &self.tests[ti];
            if t.vendor == "cito" && t.scale.code != "avi_rang" {
                grade.and_then(|gr| cito_moment(date, gr))
            } else {
                None
            }
        });
        let component = row.value(Field::Component).map(str::to_owned);
        let cell = |f: Field| row.value(f).map(|v| (v, row.cols.header_ref(f)));
        let cells = Cells {
            ability: cell(Field::Ability),
            raw: cell(Field::Raw),
            level: cell(Field::Level),
            percentile: cell(Field::Percentile),
            dle: cell(Field::Dle),
            reference: cell(Field::ReferenceLevel),
            csem: cell(Field::Csem),
        };
        let score_col =
            [Field::Ability, Field::Raw, Field::Level, Field::Dle, Field::Percentile, Field::ReferenceLevel]
                .into_iter()
                .find(|f| row.cols.has(*f))
                .unwrap_or(Field::Ability);
        let Some(score) = self.build_score(row, rp.number().clone(), ti, cells, date, moment, component)?
        else {
            let v = row.get(score_col);
            self.skipped.push(row.problem(score_col, v, no_result_reason(v)));
            return Ok(());
        };
        let pi = self.pupil(row, rp, Some(date))?;
        self.land(row, score, pi, ti)
    }

    fn land(&mut self, row: &Row<'_>, score: Score, pupil: u32, ti: usize) -> Result<(), Problem> {
        let k =
            (pupil, u32::try_from(ti).unwrap_or(u32::MAX), self.component_id(&score.component), score.date);
        if let Some(&(i, first)) = self.score_index.get(&k) {
            if self.scores[i] == score {
                self.duplicates += 1;
                return Ok(());
            }
            return Err(row.problem_at(
                "",
                "",
                format!(
                    "tegenstrijdig met regel {first}: dezelfde leerling, toets, onderdeel en datum met een andere uitslag"
                ),
            ));
        }
        self.score_index.insert(k, (self.scores.len(), row.line));
        self.scores.push(score);
        Ok(())
    }

    /// Validates the score cells of one result. `Ok(None)`: no result at all.
    #[allow(clippy::too_many_arguments)]
    fn build_score(
        &mut self,
        row: &Row<'_>,
        pupil: PupilNumber,
        ti: usize,
        c: Cells<'_>,
        date: Date,
        moment: Option<Moment>,
        component: Option<String>,
    ) -> Result<Option<Score>, Problem> {
        let test = &self.tests[ti];
        let (is_avi, scale_min, scale_max) = (test.scale.code == "avi_rang", test.scale.min, test.scale.max);
        let test_key = test.key.clone();
        let mut score = Score {
            school: self.school.clone(),
            pupil,
            test_key,
            component,
            date,
            moment,
            ability: None,
            csem: None,
            raw: None,
            level: None,
            percentile: None,
            dle: None,
            reference_level: None,
        };
        let mut dec = self.decimal;
        if is_avi {
            if let Some((v, col)) = c.level.as_ref().or(c.ability.as_ref()) {
                let (lvl, rank) = avi_level(v).ok_or_else(|| {
                    row.problem_at(
                        col,
                        v,
                        format!(
                            "'{}' is geen AVI-niveau: verwacht AVI-Start, M3, E3, … E7 of AVI-Plus",
                            clip(v)
                        ),
                    )
                })?;
                score.level = Some(lvl);
                score.ability = Some(rank);
            }
        } else {
            if let Some((v, col)) = &c.ability {
                let x = row.number_of(v, col, "vaardigheidsscore", &mut dec)?.unwrap_or_default();
                if x < scale_min || x > scale_max {
                    return Err(row.problem_at(
                        col,
                        v,
                        format!(
                            "vaardigheidsscore {} valt buiten de schaal van {} ({} tot en met {})",
                            clip(v),
                            self.tests[ti].name,
                            scale_min,
                            scale_max
                        ),
                    ));
                }
                score.ability = Some(x);
            }
            if let Some((v, col)) = &c.level {
                score.level = Some(level(v).ok_or_else(|| {
                    row.problem_at(
                        col,
                        v,
                        format!("niveau '{}' is geen bekend niveau (A–E, I–V of een niveauwaarde)", clip(v)),
                    )
                })?);
            }
        }
        if let Some((v, col)) = &c.raw {
            let x = row.number_of(v, col, "ruwe score", &mut dec)?.unwrap_or_default();
            if x < 0.0 {
                return Err(row.problem_at(col, v, "een ruwe score (aantal goed) kan niet negatief zijn"));
            }
            score.raw = Some(x);
        }
        if let Some((v, col)) = &c.percentile {
            let x = row.number_of(v, col, "percentiel", &mut dec)?.unwrap_or_default();
            if !(0.0..=100.0).contains(&x) {
                return Err(row.problem_at(col, v, "een percentiel ligt tussen 0 en 100"));
            }
            score.percentile = Some(x);
        }
        if let Some((v, col)) = &c.dle {
            let x = row.number_of(v, col, "DLE", &mut dec)?.unwrap_or_default();
            if !(0.0..=100.0).contains(&x) {
                return Err(row.problem_at(col, v, "een DLE ligt tussen 0 en 100 maanden"));
            }
            score.dle = Some(x);
        }
        if let Some((v, col)) = &c.reference {
            score.reference_level = Some(reference_level(v).ok_or_else(|| {
                row.problem_at(col, v, format!("referentieniveau '{}': verwacht <1F, 1F, 1S of 2F", clip(v)))
            })?);
        }
        if let Some((v, col)) = &c.csem {
            let x = row.number_of(v, col, "CSEM", &mut dec)?.unwrap_or_default();
            if x < 0.0 {
                return Err(row.problem_at(col, v, "een meetfout (CSEM) kan niet negatief zijn"));
            }
            score.csem = Some(x);
        }
        self.decimal = dec;
        let any = score.ability.is_some()
            || score.raw.is_some()
            || score.level.is_some()
            || score.percentile.is_some()
            || score.dle.is_some()
            || score.reference_level.is_some();
        Ok(if any { Some(score) } else { None })
    }

    fn wide_row(&mut self, row: &Row<'_>) -> Result<(), Problem> {
        row.check_shape()?;
        let p = pupil_of(row, &self.school)?;
        let g = group_of(row, self.default_year)?;
        let number = p.number.clone();
        let Some(year) = g.year else {
            return Err(row.problem(Field::SchoolYear, row.get(Field::SchoolYear), "geen schooljaar"));
        };
        // Group the wide columns of this row by (test, moment).
        let mut groups: Vec<(Box<Test>, Moment, Cells<'_>)> = Vec::new();
        for (i, col) in row.cols.cols.iter().enumerate() {
            let Col::Wide { test, moment, metric } = col else { continue };
            let v = row.rec.get(i).map_or("", str::trim);
            let header = row.cols.headers[i].as_str();
            let slot = match groups.iter().position(|(t, m, _)| t.key == test.key && m == moment) {
                Some(j) => j,
                None => {
                    groups.push((test.clone(), *moment, Cells::default()));
                    groups.len() - 1
                }
            };
            if is_no_result(v) {
                if !v.is_empty() {
                    self.skipped.push(row.problem_at(header, v, no_result_reason(v)));
                }
                continue;
            }
            let cells = &mut groups[slot].2;
            let cell = Some((v, header));
            match metric {
                Field::Level => cells.level = cell,
                Field::Percentile => cells.percentile = cell,
                Field::Dle => cells.dle = cell,
                Field::Raw => cells.raw = cell,
                Field::Csem => cells.csem = cell,
                Field::ReferenceLevel => cells.reference = cell,
                _ => cells.ability = cell,
            }
        }
        let mut landed = Vec::new();
        for (test, moment, cells) in groups {
            // The school year of the moment: this row's year minus the grades since.
            let y = match g.grade {
                Some(gr) => {
                    SchoolYear::new(year.start_year() - i32::from(gr.get()) + i32::from(moment.grade.get()))
                }
                None => year,
            };
            let date = nominal_date(y, moment.kind);
            let ti = self.add_test(*test);
            if let Some(s) = self.build_score(row, number.clone(), ti, cells, date, Some(moment), None)? {
                landed.push((s, ti, y, moment));
            }
        }
        if landed.is_empty() {
            return Ok(());
        }
        self.pupil_cache = None;
        let pi = self.pupil(row, RowPupil::Parsed(Box::new(p), g), None)?;
        for (s, ti, y, moment) in landed {
            let enrol = GroupInfo { group: None, grade: Some(moment.grade), year: Some(y) };
            if y != year {
                self.enrolments.add(&self.school, &number, y, &enrol);
            }
            self.land(row, s, pi, ti)?;
        }
        Ok(())
    }
}

/// The columns that describe a pupil and its group.
fn pupil_columns(cols: &crate::layout::Columns) -> Vec<usize> {
    cols.cols
        .iter()
        .enumerate()
        .filter(|(_, c)| match c {
            Col::Flag(_) => true,
            Col::Field(f) => matches!(
                f,
                Field::PupilNumber
                    | Field::EckId
                    | Field::FirstName
                    | Field::Prefix
                    | Field::LastName
                    | Field::BirthDate
                    | Field::Sex
                    | Field::Weight
                    | Field::ParentsEducation
                    | Field::Opp
                    | Field::Flags
                    | Field::Arrived
                    | Field::Left
                    | Field::Group
                    | Field::Grade
                    | Field::SchoolYear
            ),
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}

fn no_result_reason(v: &str) -> String {
    if v.trim().is_empty() {
        "geen uitslag (lege score); de regel is overgeslagen".to_owned()
    } else {
        format!("geen uitslag ('{}'); de regel is overgeslagen", clip(v))
    }
}

/// Normalises a level: `a`–`e` and `i`–`v` upper case (also with `+`/`-`), a niveauwaarde 0–5,
/// or a short code as given.
fn level(v: &str) -> Option<String> {
    let t = v.trim();
    let core = t.trim_end_matches(['+', '-']);
    let up = core.to_ascii_uppercase();
    if matches!(up.as_str(), "A" | "B" | "C" | "D" | "E" | "I" | "II" | "III" | "IV" | "V") {
        return Some(format!("{up}{}", &t[core.len()..]));
    }
    if let Ok((x, _)) = crate::values::parse_number(t) {
        return if (0.0..=5.0).contains(&x) { Some(format!("{x}")) } else { None };
    }
    if t.chars().count() <= 12 && !t.contains('\n') { Some(t.to_owned()) } else { None }
}

/// Normalises a referentieniveau to `<1F`, `1F`, `1S` or `2F`.
fn reference_level(v: &str) -> Option<String> {
    let k = key(v);
    let lower = v.trim().starts_with('<') || k.starts_with("onder") || k.starts_with("niet");
    let code = ["1f", "1s", "2f"].into_iter().find(|c| k.ends_with(c))?;
    if lower {
        return (code == "1f").then(|| "<1F".to_owned());
    }
    Some(code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level("iii").as_deref(), Some("III"));
        assert_eq!(level("A+").as_deref(), Some("A+"));
        assert_eq!(level("3,2").as_deref(), Some("3.2"));
        assert_eq!(level("7,5"), None);
        assert_eq!(reference_level("<1F").as_deref(), Some("<1F"));
        assert_eq!(reference_level("onder 1F").as_deref(), Some("<1F"));
        assert_eq!(reference_level("2f").as_deref(), Some("2F"));
        assert_eq!(reference_level("1S").as_deref(), Some("1S"));
        assert_eq!(reference_level("3F"), None);
    }

    #[test]
    fn nominal_dates() {
        let y = SchoolYear::new(2020);
        assert_eq!(nominal_date(y, MomentKind::M).to_string(), "2021-02-01");
        assert_eq!(nominal_date(y, MomentKind::E).to_string(), "2021-06-15");
        assert_eq!(nominal_date(y, MomentKind::B).to_string(), "2020-10-01");
    }
}
