//! Scoped reads.

use rusqlite::{Connection, params_from_iter};
use schoolscan_domain::{
    Board, Brin, Counts, Dataset, Enrolment, Grade, GroupName, Moment, Note, Observation, Pupil, PupilNumber,
    Scale, School, SchoolYear, Score, Sex, Subject, Test, Weight,
};

use crate::codec::{
    date_from_sql, edu_from_sql, informant_from_sql, kind_from_sql, note_kind_from_sql, opt_date,
};
use crate::scope::SqlFilter;
use crate::{DatasetFilter, SchoolSummary, Scope, StoreError};

fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt { what, value: value.into() }
}

fn count(conn: &Connection, sql: &str, f: &SqlFilter) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(sql, params_from_iter(f.params.iter()), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub fn counts(conn: &Connection, scope: &Scope) -> Result<Counts, StoreError> {
    let sf = scope.school_filter();
    let pf = scope.pupil_filter();
    let schools = count(conn, &format!("SELECT COUNT(*) FROM schools s WHERE {}", sf.sql), &sf)?;
    let boards =
        count(conn, &format!("SELECT COUNT(DISTINCT s.board_id) FROM schools s WHERE {}", sf.sql), &sf)?;
    let pupils = count(
        conn,
        &format!("SELECT COUNT(*) FROM pupils p JOIN schools s ON s.id = p.school_id WHERE {}", pf.sql),
        &pf,
    )?;
    let groups = count(
        conn,
        &format!(
            "SELECT COUNT(DISTINCT e.group_id) FROM enrolments e JOIN pupils p ON p.id = e.pupil_id
             JOIN schools s ON s.id = p.school_id WHERE {}",
            pf.sql
        ),
        &pf,
    )?;
    let per_pupil = |table: &str| -> Result<u64, StoreError> {
        count(
            conn,
            &format!(
                "SELECT COUNT(*) FROM {table} x JOIN pupils p ON p.id = x.pupil_id
                 JOIN schools s ON s.id = p.school_id WHERE {}",
                pf.sql
            ),
            &pf,
        )
    };
    Ok(Counts {
        boards,
        schools,
        groups,
        pupils,
        scores: per_pupil("scores")?,
        observations: per_pupil("observations")?,
        notes: per_pupil("notes")?,
    })
}

pub fn directory(conn: &Connection) -> Result<Vec<(Brin, String)>, StoreError> {
    let mut st = conn.prepare("SELECT brin, name FROM schools ORDER BY name, brin")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (brin, name) = row?;
        out.push((Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin))?, name));
    }
    Ok(out)
}

pub fn schools(conn: &Connection, scope: &Scope) -> Result<Vec<SchoolSummary>, StoreError> {
    let pf = scope.pupil_filter();
    let sf = scope.school_filter();
    // Counts are restricted to the pupils in scope; schools without pupils still show.
    let sql = format!(
        "SELECT s.brin, s.name, b.key,
            (SELECT COUNT(*) FROM pupils p WHERE p.school_id = s.id AND {pf}),
            (SELECT COUNT(*) FROM scores x JOIN pupils p ON p.id = x.pupil_id WHERE p.school_id = s.id AND {pf})
         FROM schools s JOIN boards b ON b.id = s.board_id WHERE {sf} ORDER BY s.name, s.brin",
        pf = pf.sql,
        sf = sf.sql
    );
    let mut params = pf.params.clone();
    params.extend(pf.params.iter().cloned());
    params.extend(sf.params.iter().cloned());
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(params.iter()), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (brin, name, board, pupils, scores) = row?;
        out.push(SchoolSummary {
            brin: Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin))?,
            name,
            board,
            pupils: u64::try_from(pupils).unwrap_or(0),
            scores: u64::try_from(scores).unwrap_or(0),
        });
    }
    Ok(out)
}

/// Append the dataset filter's school restriction to a pupil filter.
fn restrict(mut f: SqlFilter, filter: &DatasetFilter) -> SqlFilter {
    if !filter.schools.is_empty() {
        f.sql = format!("({}) AND s.brin IN ({})", f.sql, vec!["?"; filter.schools.len()].join(","));
        f.params.extend(filter.schools.iter().map(|b| rusqlite::types::Value::Text(b.as_str().to_owned())));
    }
    f
}

pub fn load_dataset(conn: &Connection, scope: &Scope, filter: &DatasetFilter) -> Result<Dataset, StoreError> {
    let sf = restrict(scope.school_filter(), filter);
    let pf = restrict(scope.pupil_filter(), filter);
    let until = filter.until.map(|y| y.start_year());
    let mut ds = Dataset::default();

    // Boards and schools.
    {
        let mut st = conn.prepare(&format!(
            "SELECT s.brin, s.name, b.key, b.name FROM schools s JOIN boards b ON b.id = s.board_id
             WHERE {} ORDER BY s.brin",
            sf.sql
        ))?;
        let rows = st.query_map(params_from_iter(sf.params.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (brin, name, bkey, bname) = row?;
            if !ds.boards.iter().any(|b| b.key == bkey) {
                ds.boards.push(Board { key: bkey.clone(), name: bname });
            }
            ds.schools.push(School {
                brin: Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin))?,
                name,
                board: bkey,
            });
        }
        ds.boards.sort_by(|a, b| a.key.cmp(&b.key));
    }

    // Pupils.
    {
        let mut st = conn.prepare(&format!(
            "SELECT s.brin, p.number, p.eck_id, p.first_name, p.prefix, p.last_name, p.birth_date, p.sex, p.weight,
                    p.parents_education, p.opp, p.risk_flags, p.arrived, p.left_on
             FROM pupils p JOIN schools s ON s.id = p.school_id WHERE {} ORDER BY s.brin, p.number",
            pf.sql
        ))?;
        let mut rows = st.query(params_from_iter(pf.params.iter()))?;
        while let Some(r) = rows.next()? {
            let brin: String = r.get(0)?;
            let number: String = r.get(1)?;
            let sex: Option<String> = r.get(7)?;
            let weight: Option<String> = r.get(8)?;
            let edu: Option<String> = r.get(9)?;
            let flags: String = r.get(11)?;
            ds.pupils.push(Pupil {
                school: Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin.clone()))?,
                number: PupilNumber::parse(&number).map_err(|_| corrupt("leerlingnummer", number.clone()))?,
                eck_id: r.get(2)?,
                first_name: r.get(3)?,
                prefix: r.get(4)?,
                last_name: r.get(5)?,
                birth_date: opt_date(r.get(6)?)?,
                sex: sex
                    .as_deref()
                    .map(Sex::parse)
                    .transpose()
                    .map_err(|e| corrupt("geslacht", e.to_string()))?,
                weight: weight
                    .as_deref()
                    .map(Weight::parse)
                    .transpose()
                    .map_err(|e| corrupt("leerlinggewicht", e.to_string()))?,
                parents_education: edu.as_deref().and_then(edu_from_sql),
                opp: r.get(10)?,
                risk_flags: serde_json::from_str(&flags)?,
                arrived: opt_date(r.get(12)?)?,
                left: opt_date(r.get(13)?)?,
            });
        }
    }

    // Enrolments.
    {
        let mut params = pf.params.clone();
        let mut sql = format!(
            "SELECT s.brin, p.number, e.year, g.name, e.grade FROM enrolments e
             JOIN pupils p ON p.id = e.pupil_id JOIN schools s ON s.id = p.school_id JOIN groups g ON g.id = e.group_id
             WHERE {}",
            pf.sql
        );
        if let Some(y) = until {
            sql.push_str(" AND e.year <= ?");
            params.push(rusqlite::types::Value::Integer(i64::from(y)));
        }
        sql.push_str(" ORDER BY s.brin, p.number, e.year");
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            let brin: String = r.get(0)?;
            let number: String = r.get(1)?;
            let year: i32 = r.get(2)?;
            let group: String = r.get(3)?;
            let grade: u8 = r.get(4)?;
            ds.enrolments.push(Enrolment {
                school: Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin.clone()))?,
                pupil: PupilNumber::parse(&number).map_err(|_| corrupt("leerlingnummer", number.clone()))?,
                year: SchoolYear::new(year),
                group: GroupName::parse(&group).map_err(|_| corrupt("groep", group.clone()))?,
                grade: Grade::new(grade).map_err(|_| corrupt("jaargroep", grade.to_string()))?,
            });
        }
    }

    // Tests: all tests that scores in scope use.
    {
        let mut st = conn.prepare(&format!(
            "SELECT t.key, t.vendor, t.name, t.version, t.subject, t.scale_code, t.scale_kind, t.scale_min, t.scale_max
             FROM tests t WHERE t.id IN (SELECT x.test_id FROM scores x JOIN pupils p ON p.id = x.pupil_id
                 JOIN schools s ON s.id = p.school_id WHERE {}) ORDER BY t.key",
            pf.sql
        ))?;
        let mut rows = st.query(params_from_iter(pf.params.iter()))?;
        while let Some(r) = rows.next()? {
            let subject: String = r.get(4)?;
            let kind: String = r.get(6)?;
            ds.tests.push(Test {
                key: r.get(0)?,
                vendor: r.get(1)?,
                name: r.get(2)?,
                version: r.get(3)?,
                subject: Subject::parse(&subject).map_err(|_| corrupt("vak", subject.clone()))?,
                scale: Scale { code: r.get(5)?, kind: kind_from_sql(&kind)?, min: r.get(7)?, max: r.get(8)? },
            });
        }
    }

    let date_limit = until.map(|y| format!("{}-07-31", y + 1));

    // Scores.
    {
        let mut params = pf.params.clone();
        let mut sql = format!(
            "SELECT s.brin, p.number, t.key, x.component, x.date, x.moment, x.ability, x.csem, x.raw, x.level,
                    x.percentile, x.dle, x.reference_level
             FROM scores x JOIN pupils p ON p.id = x.pupil_id JOIN schools s ON s.id = p.school_id
             JOIN tests t ON t.id = x.test_id WHERE {}",
            pf.sql
        );
        if let Some(d) = &date_limit {
            sql.push_str(" AND x.date <= ?");
            params.push(rusqlite::types::Value::Text(d.clone()));
        }
        sql.push_str(" ORDER BY s.brin, p.number, t.key, x.component, x.date");
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(params.iter()))?;
        // Pupil numbers and BRINs repeat row after row: parse each once.
        let mut last_brin: Option<(String, Brin)> = None;
        let mut last_pupil: Option<(String, PupilNumber)> = None;
        while let Some(r) = rows.next()? {
            let brin_s: String = r.get(0)?;
            let num_s: String = r.get(1)?;
            let brin = match &last_brin {
                Some((s, b)) if *s == brin_s => b.clone(),
                _ => {
                    let b = Brin::parse(&brin_s).map_err(|_| corrupt("BRIN", brin_s.clone()))?;
                    last_brin = Some((brin_s, b.clone()));
                    b
                }
            };
            let pupil = match &last_pupil {
                Some((s, p)) if *s == num_s => p.clone(),
                _ => {
                    let p =
                        PupilNumber::parse(&num_s).map_err(|_| corrupt("leerlingnummer", num_s.clone()))?;
                    last_pupil = Some((num_s, p.clone()));
                    p
                }
            };
            let component: String = r.get(3)?;
            let date: String = r.get(4)?;
            let moment: Option<String> = r.get(5)?;
            ds.scores.push(Score {
                school: brin,
                pupil,
                test_key: r.get(2)?,
                component: if component.is_empty() { None } else { Some(component) },
                date: date_from_sql(&date)?,
                moment: moment
                    .as_deref()
                    .map(Moment::parse)
                    .transpose()
                    .map_err(|e| corrupt("toetsmoment", e.to_string()))?,
                ability: r.get(6)?,
                csem: r.get(7)?,
                raw: r.get(8)?,
                level: r.get(9)?,
                percentile: r.get(10)?,
                dle: r.get(11)?,
                reference_level: r.get(12)?,
            });
        }
    }

    // Observations.
    {
        let mut params = pf.params.clone();
        let mut sql = format!(
            "SELECT s.brin, p.number, o.instrument, o.dimension, o.informant, o.date, o.value, o.signal
             FROM observations o JOIN pupils p ON p.id = o.pupil_id JOIN schools s ON s.id = p.school_id WHERE {}",
            pf.sql
        );
        if let Some(d) = &date_limit {
            sql.push_str(" AND o.date <= ?");
            params.push(rusqlite::types::Value::Text(d.clone()));
        }
        sql.push_str(" ORDER BY s.brin, p.number, o.instrument, o.dimension, o.informant, o.date");
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            let brin: String = r.get(0)?;
            let number: String = r.get(1)?;
            let informant: String = r.get(4)?;
            let date: String = r.get(5)?;
            ds.observations.push(Observation {
                school: Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin.clone()))?,
                pupil: PupilNumber::parse(&number).map_err(|_| corrupt("leerlingnummer", number.clone()))?,
                instrument: r.get(2)?,
                dimension: r.get(3)?,
                informant: informant_from_sql(&informant)?,
                date: date_from_sql(&date)?,
                value: r.get(6)?,
                signal: r.get(7)?,
            });
        }
    }

    if filter.with_notes {
        let mut st = conn.prepare(&format!(
            "SELECT s.brin, p.number, n.kind, n.informant, n.date, n.author, n.domains, n.ratings, n.body
             FROM notes n JOIN pupils p ON p.id = n.pupil_id JOIN schools s ON s.id = p.school_id WHERE {}
             ORDER BY s.brin, p.number, n.date, n.id",
            pf.sql
        ))?;
        let mut rows = st.query(params_from_iter(pf.params.iter()))?;
        while let Some(r) = rows.next()? {
            let brin: String = r.get(0)?;
            let number: String = r.get(1)?;
            let kind: String = r.get(2)?;
            let informant: String = r.get(3)?;
            let date: String = r.get(4)?;
            let domains: String = r.get(6)?;
            let ratings: String = r.get(7)?;
            ds.notes.push(Note {
                school: Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin.clone()))?,
                pupil: PupilNumber::parse(&number).map_err(|_| corrupt("leerlingnummer", number.clone()))?,
                kind: note_kind_from_sql(&kind)?,
                informant: informant_from_sql(&informant)?,
                date: date_from_sql(&date)?,
                author: r.get(5)?,
                domains: serde_json::from_str(&domains)?,
                ratings: serde_json::from_str(&ratings)?,
                text: r.get(8)?,
            });
        }
    }
    Ok(ds)
}
