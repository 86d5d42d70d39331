//! Transactional writes: upsert by natural key, replace a board.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Statement, Transaction, params};
use schoolscan_domain::{Dataset, Enrolment, Note, Observation, Pupil, Score, Test};

use crate::codec::{IsoDate, date_to_sql, edu_to_sql, kind_to_sql, sex_to_sql, weight_to_sql};
use crate::{PupilMerge, StoreError, UpsertOptions, WriteCounts, WriteReport};

pub fn upsert(conn: &mut Connection, data: &Dataset, opts: UpsertOptions) -> Result<WriteReport, StoreError> {
    let tx = conn.transaction()?;
    let report = upsert_in(&tx, data, opts)?;
    bump_data_version(&tx)?;
    if opts.dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(report)
}

pub fn replace_board(conn: &mut Connection, data: &Dataset) -> Result<WriteReport, StoreError> {
    let tx = conn.transaction()?;
    for b in &data.boards {
        tx.execute("DELETE FROM boards WHERE key = ?1", [&b.key])?;
    }
    // Schools of this dataset that hang under another board are moved, not duplicated.
    for s in &data.schools {
        tx.execute("DELETE FROM schools WHERE brin = ?1", [s.brin.as_str()])?;
    }
    let report = upsert_in(&tx, data, UpsertOptions::default())?;
    bump_data_version(&tx)?;
    tx.execute(
        "UPDATE boards SET is_demo = 1 WHERE key IN (SELECT value FROM json_each(?1))",
        [serde_json::to_string(&data.boards.iter().map(|b| &b.key).collect::<Vec<_>>())?],
    )?;
    tx.commit()?;
    Ok(report)
}

/// Count one more write of analysis data (see migration 0003), inside the writing transaction.
pub(crate) fn bump_data_version(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("UPDATE data_version SET version = version + 1 WHERE id = 1", [])?;
    Ok(())
}

/// The current data version: `{database id}:{counter}`.
pub fn data_version(conn: &Connection) -> Result<String, StoreError> {
    let (instance, version): (String, i64) =
        conn.query_row("SELECT instance, version FROM data_version WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(format!("{instance}:{version}"))
}

/// Ids resolved during one write (one transaction).
#[derive(Default)]
pub(crate) struct Ids {
    /// Pupils created bare (number only) because a record named them before their pupil record
    /// came: when that record comes in the same transaction, the pupil counts as new.
    created_bare: std::collections::HashSet<i64>,
    schools: HashMap<String, i64>,
    /// Per school id: pupil number → pupil id.
    pupils: HashMap<i64, HashMap<String, i64>>,
    tests: HashMap<String, i64>,
    groups: HashMap<(i64, i32, String), i64>,
}

impl Ids {
    fn school(&mut self, tx: &Transaction<'_>, brin: &str) -> Result<i64, StoreError> {
        if let Some(id) = self.schools.get(brin) {
            return Ok(*id);
        }
        let id: i64 = tx
            .query_row("SELECT id FROM schools WHERE brin = ?1", [brin], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::UnknownSchool(brin.to_owned()))?;
        self.schools.insert(brin.to_owned(), id);
        // Load the school's pupils once: scores resolve their pupil by number in memory.
        let mut st = tx.prepare_cached("SELECT number, id FROM pupils WHERE school_id = ?1")?;
        let rows = st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let map = self.pupils.entry(id).or_default();
        for row in rows {
            let (n, pid) = row?;
            map.insert(n, pid);
        }
        Ok(id)
    }

    fn pupil(&mut self, tx: &Transaction<'_>, brin: &str, number: &str) -> Result<i64, StoreError> {
        let sid = self.school(tx, brin)?;
        if let Some(id) = self.pupils.get(&sid).and_then(|m| m.get(number)) {
            return Ok(*id);
        }
        // A record for a pupil the batch does not describe: create a bare pupil.
        tx.execute("INSERT INTO pupils (school_id, number) VALUES (?1, ?2)", params![sid, number])?;
        let id = tx.last_insert_rowid();
        self.created_bare.insert(id);
        self.pupils.entry(sid).or_default().insert(number.to_owned(), id);
        Ok(id)
    }

    fn test(&mut self, tx: &Transaction<'_>, key: &str) -> Result<i64, StoreError> {
        if let Some(id) = self.tests.get(key) {
            return Ok(*id);
        }
        let id: i64 = tx
            .query_row("SELECT id FROM tests WHERE key = ?1", [key], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::UnknownTest(key.to_owned()))?;
        self.tests.insert(key.to_owned(), id);
        Ok(id)
    }

    fn group(
        &mut self,
        tx: &Transaction<'_>,
        school_id: i64,
        year: i32,
        name: &str,
    ) -> Result<i64, StoreError> {
        let k = (school_id, year, name.to_owned());
        if let Some(id) = self.groups.get(&k) {
            return Ok(*id);
        }
        tx.execute(
            "INSERT INTO groups (school_id, year, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![school_id, year, name],
        )?;
        let id: i64 = tx.query_row(
            "SELECT id FROM groups WHERE school_id = ?1 AND year = ?2 AND name = ?3",
            params![school_id, year, name],
            |r| r.get(0),
        )?;
        self.groups.insert(k, id);
        Ok(id)
    }
}

pub(crate) fn upsert_in(
    tx: &Transaction<'_>,
    data: &Dataset,
    opts: UpsertOptions,
) -> Result<WriteReport, StoreError> {
    upsert_with(tx, &mut Ids::default(), data, opts)
}

/// [`upsert_in`] with the ids of earlier writes in the same transaction (a streamed import).
pub(crate) fn upsert_with(
    tx: &Transaction<'_>,
    ids: &mut Ids,
    data: &Dataset,
    opts: UpsertOptions,
) -> Result<WriteReport, StoreError> {
    let mut report = WriteReport::default();
    for b in &data.boards {
        tx.execute(
            "INSERT INTO boards (key, name) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET name = excluded.name",
            params![b.key, b.name],
        )?;
    }
    for s in &data.schools {
        let board_id: i64 = tx
            .query_row("SELECT id FROM boards WHERE key = ?1", [&s.board], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::UnknownBoard(s.board.clone()))?;
        tx.execute(
            "INSERT INTO schools (board_id, brin, name) VALUES (?1, ?2, ?3)
             ON CONFLICT(brin) DO UPDATE SET name = excluded.name, board_id = excluded.board_id",
            params![board_id, s.brin.as_str(), s.name],
        )?;
    }
    for p in &data.pupils {
        report.pupils.add(upsert_pupil(tx, ids, p, opts.pupil_merge)?);
    }
    for e in &data.enrolments {
        report.enrolments.add(upsert_enrolment(tx, ids, e)?);
    }
    for t in &data.tests {
        report.tests.add(upsert_test(tx, ids, t)?);
    }
    if !data.scores.is_empty() {
        // Prepared once for the whole batch: the per-row work is binding and stepping.
        let mut st = ScoreStatements {
            insert: tx.prepare(INSERT_SCORE)?,
            update: tx.prepare(UPDATE_SCORE)?,
            last_pupil: None,
            last_test: None,
        };
        for s in &data.scores {
            report.scores.add(upsert_score(tx, ids, &mut st, s)?);
        }
    }
    for o in &data.observations {
        report.observations.add(upsert_observation(tx, ids, o)?);
    }
    for n in &data.notes {
        report.notes.add(upsert_note(tx, ids, n)?);
    }
    Ok(report)
}

const NEW: WriteCounts = WriteCounts { imported: 1, updated: 0, unchanged: 0 };
const CHANGED: WriteCounts = WriteCounts { imported: 0, updated: 1, unchanged: 0 };
const SAME: WriteCounts = WriteCounts { imported: 0, updated: 0, unchanged: 1 };

/// The stored columns of a pupil, in a comparable form.
#[derive(Debug, Clone, PartialEq, Default)]
struct PupilRow {
    eck_id: Option<String>,
    first_name: Option<String>,
    prefix: Option<String>,
    last_name: Option<String>,
    birth_date: Option<String>,
    sex: Option<String>,
    weight: Option<String>,
    parents_education: Option<String>,
    opp: bool,
    risk_flags: String,
    arrived: Option<String>,
    left_on: Option<String>,
}

impl PupilRow {
    fn from_pupil(p: &Pupil) -> Result<Self, StoreError> {
        let mut flags = p.risk_flags.clone();
        flags.sort();
        flags.dedup();
        Ok(Self {
            eck_id: p.eck_id.clone(),
            first_name: p.first_name.clone(),
            prefix: p.prefix.clone(),
            last_name: p.last_name.clone(),
            birth_date: p.birth_date.map(date_to_sql),
            sex: p.sex.map(|s| sex_to_sql(s).to_owned()),
            weight: p.weight.map(|w| weight_to_sql(w).to_owned()),
            parents_education: p.parents_education.map(|e| edu_to_sql(e).to_owned()),
            opp: p.opp,
            risk_flags: serde_json::to_string(&flags)?,
            arrived: p.arrived.map(date_to_sql),
            left_on: p.left.map(date_to_sql),
        })
    }

    /// Merge `new` into `self` per the rule.
    fn merged(&self, new: &PupilRow, rule: PupilMerge) -> PupilRow {
        fn pick(old: &Option<String>, new: &Option<String>, rule: PupilMerge) -> Option<String> {
            match rule {
                PupilMerge::Overwrite => new.clone().or_else(|| old.clone()),
                PupilMerge::FillMissing => old.clone().or_else(|| new.clone()),
            }
        }
        PupilRow {
            eck_id: pick(&self.eck_id, &new.eck_id, rule),
            first_name: pick(&self.first_name, &new.first_name, rule),
            prefix: pick(&self.prefix, &new.prefix, rule),
            last_name: pick(&self.last_name, &new.last_name, rule),
            birth_date: pick(&self.birth_date, &new.birth_date, rule),
            sex: pick(&self.sex, &new.sex, rule),
            weight: pick(&self.weight, &new.weight, rule),
            parents_education: pick(&self.parents_education, &new.parents_education, rule),
            opp: match rule {
                PupilMerge::Overwrite => new.opp,
                PupilMerge::FillMissing => self.opp || new.opp,
            },
            risk_flags: match rule {
                PupilMerge::Overwrite => new.risk_flags.clone(),
                PupilMerge::FillMissing if self.risk_flags == "[]" => new.risk_flags.clone(),
                PupilMerge::FillMissing => self.risk_flags.clone(),
            },
            arrived: pick(&self.arrived, &new.arrived, rule),
            left_on: pick(&self.left_on, &new.left_on, rule),
        }
    }
}

fn upsert_pupil(
    tx: &Transaction<'_>,
    ids: &mut Ids,
    p: &Pupil,
    rule: PupilMerge,
) -> Result<WriteCounts, StoreError> {
    let sid = ids.school(tx, p.school.as_str())?;
    let new = PupilRow::from_pupil(p)?;
    let existing = ids.pupils.get(&sid).and_then(|m| m.get(p.number.as_str())).copied();
    let Some(pid) = existing else {
        tx.prepare_cached(
            "INSERT INTO pupils (school_id, number, eck_id, first_name, prefix, last_name, birth_date, sex,
                 weight, parents_education, opp, risk_flags, arrived, left_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            sid,
            p.number.as_str(),
            new.eck_id,
            new.first_name,
            new.prefix,
            new.last_name,
            new.birth_date,
            new.sex,
            new.weight,
            new.parents_education,
            new.opp,
            new.risk_flags,
            new.arrived,
            new.left_on
        ])?;
        ids.pupils.entry(sid).or_default().insert(p.number.as_str().to_owned(), tx.last_insert_rowid());
        return Ok(NEW);
    };
    let old: PupilRow = tx
        .prepare_cached(
            "SELECT eck_id, first_name, prefix, last_name, birth_date, sex, weight, parents_education, opp,
                risk_flags, arrived, left_on FROM pupils WHERE id = ?1",
        )?
        .query_row([pid], |r| {
            Ok(PupilRow {
                eck_id: r.get(0)?,
                first_name: r.get(1)?,
                prefix: r.get(2)?,
                last_name: r.get(3)?,
                birth_date: r.get(4)?,
                sex: r.get(5)?,
                weight: r.get(6)?,
                parents_education: r.get(7)?,
                opp: r.get(8)?,
                risk_flags: r.get(9)?,
                arrived: r.get(10)?,
                left_on: r.get(11)?,
            })
        })?;
    let merged = old.merged(&new, rule);
    // Created bare earlier in this transaction: this is its first real record.
    let first = ids.created_bare.remove(&pid);
    if merged == old {
        return Ok(if first { NEW } else { SAME });
    }
    tx.prepare_cached(
        "UPDATE pupils SET eck_id = ?2, first_name = ?3, prefix = ?4, last_name = ?5, birth_date = ?6, sex = ?7,
             weight = ?8, parents_education = ?9, opp = ?10, risk_flags = ?11, arrived = ?12, left_on = ?13
         WHERE id = ?1",
    )?
    .execute(params![
        pid,
        merged.eck_id,
        merged.first_name,
        merged.prefix,
        merged.last_name,
        merged.birth_date,
        merged.sex,
        merged.weight,
        merged.parents_education,
        merged.opp,
        merged.risk_flags,
        merged.arrived,
        merged.left_on
    ])?;
    Ok(if first { NEW } else { CHANGED })
}

fn upsert_enrolment(tx: &Transaction<'_>, ids: &mut Ids, e: &Enrolment) -> Result<WriteCounts, StoreError> {
    let pid = ids.pupil(tx, e.school.as_str(), e.pupil.as_str())?;
    let sid = ids.school(tx, e.school.as_str())?;
    let year = e.year.start_year();
    let gid = ids.group(tx, sid, year, e.group.as_str())?;
    let grade = i64::from(e.grade.get());
    let old: Option<(i64, i64)> = tx
        .prepare_cached("SELECT group_id, grade FROM enrolments WHERE pupil_id = ?1 AND year = ?2")?
        .query_row(params![pid, year], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match old {
        None => {
            tx.prepare_cached(
                "INSERT INTO enrolments (pupil_id, year, group_id, grade) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![pid, year, gid, grade])?;
            Ok(NEW)
        }
        Some(o) if o == (gid, grade) => Ok(SAME),
        Some(_) => {
            tx.prepare_cached(
                "UPDATE enrolments SET group_id = ?3, grade = ?4 WHERE pupil_id = ?1 AND year = ?2",
            )?
            .execute(params![pid, year, gid, grade])?;
            Ok(CHANGED)
        }
    }
}

fn upsert_test(tx: &Transaction<'_>, ids: &mut Ids, t: &Test) -> Result<WriteCounts, StoreError> {
    let values = params![
        t.key,
        t.vendor,
        t.name,
        t.version,
        t.subject.as_str(),
        t.scale.code,
        kind_to_sql(t.scale.kind),
        t.scale.min,
        t.scale.max
    ];
    let existing: Option<i64> =
        tx.query_row("SELECT id FROM tests WHERE key = ?1", [&t.key], |r| r.get(0)).optional()?;
    let counts = match existing {
        None => {
            tx.prepare_cached(
                "INSERT INTO tests (key, vendor, name, version, subject, scale_code, scale_kind, scale_min, scale_max)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(values)?;
            NEW
        }
        Some(_) => {
            let n = tx
                .prepare_cached(
                    "UPDATE tests SET vendor = ?2, name = ?3, version = ?4, subject = ?5, scale_code = ?6,
                         scale_kind = ?7, scale_min = ?8, scale_max = ?9
                     WHERE key = ?1 AND NOT (vendor IS ?2 AND name IS ?3 AND version IS ?4 AND subject IS ?5
                         AND scale_code IS ?6 AND scale_kind IS ?7 AND scale_min IS ?8 AND scale_max IS ?9)",
                )?
                .execute(values)?;
            if n == 1 { CHANGED } else { SAME }
        }
    };
    ids.test(tx, &t.key)?;
    Ok(counts)
}

const INSERT_SCORE: &str =
    "INSERT INTO scores (pupil_id, test_id, component, date, moment, ability, csem, raw, level,
         percentile, dle, reference_level)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING";

const UPDATE_SCORE: &str = "UPDATE scores SET moment = ?5, ability = ?6, csem = ?7, raw = ?8, level = ?9,
         percentile = ?10, dle = ?11, reference_level = ?12
     WHERE pupil_id = ?1 AND test_id = ?2 AND component = ?3 AND date = ?4
       AND NOT (moment IS ?5 AND ability IS ?6 AND csem IS ?7 AND raw IS ?8 AND level IS ?9
                AND percentile IS ?10 AND dle IS ?11 AND reference_level IS ?12)";

/// The score statements of one batch, and the last pupil and test resolved: rows come grouped by
/// pupil, so most rows skip the id lookups.
struct ScoreStatements<'tx> {
    insert: Statement<'tx>,
    update: Statement<'tx>,
    last_pupil: Option<(String, String, i64)>,
    last_test: Option<(String, i64)>,
}

fn upsert_score(
    tx: &Transaction<'_>,
    ids: &mut Ids,
    st: &mut ScoreStatements<'_>,
    s: &Score,
) -> Result<WriteCounts, StoreError> {
    let pid = match &st.last_pupil {
        Some((school, number, id)) if school == s.school.as_str() && number == s.pupil.as_str() => *id,
        _ => {
            let id = ids.pupil(tx, s.school.as_str(), s.pupil.as_str())?;
            st.last_pupil = Some((s.school.as_str().to_owned(), s.pupil.as_str().to_owned(), id));
            id
        }
    };
    let tid = match &st.last_test {
        Some((key, id)) if key == &s.test_key => *id,
        _ => {
            let id = ids.test(tx, &s.test_key)?;
            st.last_test = Some((s.test_key.clone(), id));
            id
        }
    };
    let component = s.component.as_deref().unwrap_or("");
    let date = IsoDate::new(s.date);
    // A moment is a letter and a grade (`M5`): formatted on the stack.
    let mut moment_buf = [0u8; 16];
    let moment_owned: String;
    let moment = match s.moment {
        Some(m) => {
            use std::io::Write;
            let mut cur = std::io::Cursor::new(&mut moment_buf[..]);
            if write!(cur, "{m}").is_ok() {
                let n = cur.position() as usize;
                std::str::from_utf8(&moment_buf[..n]).ok()
            } else {
                moment_owned = m.to_string();
                Some(moment_owned.as_str())
            }
        }
        None => None,
    };
    let values = params![
        pid,
        tid,
        component,
        date.as_str(),
        moment,
        s.ability,
        s.csem,
        s.raw,
        s.level,
        s.percentile,
        s.dle,
        s.reference_level
    ];
    if st.insert.execute(values)? == 1 {
        return Ok(NEW);
    }
    let updated = st.update.execute(values)?;
    Ok(if updated == 1 { CHANGED } else { SAME })
}

fn upsert_observation(
    tx: &Transaction<'_>,
    ids: &mut Ids,
    o: &Observation,
) -> Result<WriteCounts, StoreError> {
    let pid = ids.pupil(tx, o.school.as_str(), o.pupil.as_str())?;
    let date = date_to_sql(o.date);
    let inserted = tx
        .prepare_cached(
            "INSERT INTO observations (pupil_id, instrument, dimension, informant, date, value, signal)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        )?
        .execute(params![pid, o.instrument, o.dimension, o.informant.as_str(), date, o.value, o.signal])?;
    if inserted == 1 {
        return Ok(NEW);
    }
    let updated = tx
        .prepare_cached(
            "UPDATE observations SET value = ?6, signal = ?7
             WHERE pupil_id = ?1 AND instrument = ?2 AND dimension = ?3 AND informant = ?4 AND date = ?5
               AND NOT (value IS ?6 AND signal IS ?7)",
        )?
        .execute(params![pid, o.instrument, o.dimension, o.informant.as_str(), date, o.value, o.signal])?;
    Ok(if updated == 1 { CHANGED } else { SAME })
}

fn upsert_note(tx: &Transaction<'_>, ids: &mut Ids, n: &Note) -> Result<WriteCounts, StoreError> {
    let pid = ids.pupil(tx, n.school.as_str(), n.pupil.as_str())?;
    let date = date_to_sql(n.date);
    let domains = serde_json::to_string(&n.domains)?;
    let ratings = serde_json::to_string(&n.ratings)?;
    // Notes have no natural key: an identical note is the same note.
    let exists: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM notes WHERE pupil_id = ?1 AND kind = ?2 AND informant = ?3 AND date = ?4
               AND author = ?5 AND domains = ?6 AND ratings = ?7 AND body IS ?8",
        )?
        .query_row(
            params![pid, n.kind.as_str(), n.informant.as_str(), date, n.author, domains, ratings, n.text],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Ok(SAME);
    }
    tx.prepare_cached(
        "INSERT INTO notes (pupil_id, kind, informant, date, author, domains, ratings, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        pid,
        n.kind.as_str(),
        n.informant.as_str(),
        date,
        n.author,
        domains,
        ratings,
        n.text
    ])?;
    Ok(NEW)
}
