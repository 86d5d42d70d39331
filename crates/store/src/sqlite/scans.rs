//! The scan tables: get-or-create, optimistic saves, copy from last year.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use schoolscan_domain::{Brin, SchoolYear, StepStatus};

use crate::scans::{ScanSummary, StepSave, StoredScan, StoredStep};
use crate::{Scope, StoreError};

fn status_key(s: StepStatus) -> &'static str {
    match s {
        StepStatus::NotStarted => "not_started",
        StepStatus::InProgress => "in_progress",
        StepStatus::Done => "done",
    }
}

fn status_from(s: &str) -> StepStatus {
    match s {
        "in_progress" => StepStatus::InProgress,
        "done" => StepStatus::Done,
        _ => StepStatus::NotStarted,
    }
}

/// The id and name of a school within the scope, or `UnknownSchool` (which the web turns into 404).
fn school_in_scope(conn: &Connection, scope: &Scope, school: &Brin) -> Result<(i64, String), StoreError> {
    let f = scope.school_filter();
    let mut params = f.params.clone();
    params.push(rusqlite::types::Value::Text(school.as_str().to_owned()));
    conn.query_row(
        &format!("SELECT s.id, s.name FROM schools s WHERE ({}) AND s.brin = ?", f.sql),
        params_from_iter(params.iter()),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| StoreError::UnknownSchool(school.to_string()))
}

fn scan_id(conn: &Connection, school_id: i64, year: SchoolYear) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO scans (school_id, year) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![school_id, year.start_year()],
    )?;
    Ok(conn.query_row(
        "SELECT id FROM scans WHERE school_id = ?1 AND year = ?2",
        params![school_id, year.start_year()],
        |r| r.get(0),
    )?)
}

fn statuses(conn: &Connection, scan: i64) -> Result<Vec<StepStatus>, StoreError> {
    let s: String = conn.query_row("SELECT status FROM scans WHERE id = ?1", [scan], |r| r.get(0))?;
    let v: Vec<String> = serde_json::from_str(&s)?;
    let mut out: Vec<StepStatus> = v.iter().map(|x| status_from(x)).collect();
    out.resize(8, StepStatus::NotStarted);
    Ok(out)
}

pub fn get(
    conn: &mut Connection,
    scope: &Scope,
    school: &Brin,
    year: SchoolYear,
) -> Result<StoredScan, StoreError> {
    let (sid, name) = school_in_scope(conn, scope, school)?;
    let tx = conn.transaction()?;
    let id = scan_id(&tx, sid, year)?;
    let status = statuses(&tx, id)?;
    let mut steps = Vec::with_capacity(8);
    for n in 1u8..=8 {
        let row: Option<(String, i64, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT content, version, updated_by, updated_at FROM scan_steps WHERE scan_id = ?1 AND step = ?2",
                params![id, n],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (content, version, updated_by, updated_at) = row.unwrap_or_else(|| ("{}".into(), 0, None, None));
        steps.push(StoredStep {
            step: n,
            status: status[usize::from(n - 1)],
            content: serde_json::from_str(&content)?,
            version,
            updated_by,
            updated_at,
        });
    }
    tx.commit()?;
    Ok(StoredScan { school: school.clone(), school_name: name, year, steps })
}

pub fn list(conn: &Connection, scope: &Scope) -> Result<Vec<ScanSummary>, StoreError> {
    let f = scope.school_filter();
    let mut st = conn.prepare(&format!(
        "SELECT s.brin, s.name, c.year, c.status FROM scans c JOIN schools s ON s.id = c.school_id
         WHERE {} ORDER BY s.name, c.year DESC",
        f.sql
    ))?;
    let mut rows = st.query(params_from_iter(f.params.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let brin: String = r.get(0)?;
        let status: String = r.get(3)?;
        let v: Vec<String> = serde_json::from_str(&status)?;
        out.push(ScanSummary {
            school: Brin::parse(&brin)
                .map_err(|_| StoreError::Corrupt { what: "BRIN", value: brin.clone() })?,
            school_name: r.get(1)?,
            year: SchoolYear::new(r.get(2)?),
            status: v.iter().map(|x| status_from(x)).collect(),
        });
    }
    Ok(out)
}

pub fn save_step(
    conn: &mut Connection,
    scope: &Scope,
    save: &StepSave<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    if !(1..=8).contains(&save.step) {
        return Err(StoreError::Corrupt { what: "stap", value: save.step.to_string() });
    }
    let (sid, _) = school_in_scope(conn, scope, save.school)?;
    let tx = conn.transaction()?;
    let id = scan_id(&tx, sid, save.year)?;
    let current: i64 = tx
        .query_row(
            "SELECT version FROM scan_steps WHERE scan_id = ?1 AND step = ?2",
            params![id, save.step],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if current != save.expected_version {
        return Err(StoreError::Conflict {
            step: save.step,
            expected: save.expected_version,
            found: current,
        });
    }
    let next = current + 1;
    tx.execute(
        "INSERT INTO scan_steps (scan_id, step, content, version, updated_by, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(scan_id, step) DO UPDATE SET content = excluded.content, version = excluded.version,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![id, save.step, serde_json::to_string(save.content)?, next, save.user, now],
    )?;
    let mut status = statuses(&tx, id)?;
    status[usize::from(save.step - 1)] = save.status;
    let keys: Vec<&str> = status.iter().map(|s| status_key(*s)).collect();
    tx.execute(
        "UPDATE scans SET status = ?2, version = version + 1 WHERE id = ?1",
        params![id, serde_json::to_string(&keys)?],
    )?;
    tx.commit()?;
    Ok(next)
}

/// Steps whose content carries over to next year's scan: the domains, the inventory's manual
/// sources, the collection plans and the capacity (team and partners). Conclusions and the risk
/// register are about one year and are not copied.
const CARRY_OVER: [u8; 3] = [1, 2, 7];

pub fn copy_from(
    conn: &mut Connection,
    scope: &Scope,
    school: &Brin,
    from: SchoolYear,
    to: SchoolYear,
    user: &str,
    now: &str,
) -> Result<u32, StoreError> {
    let (sid, _) = school_in_scope(conn, scope, school)?;
    let tx = conn.transaction()?;
    let src: Option<i64> = tx
        .query_row(
            "SELECT id FROM scans WHERE school_id = ?1 AND year = ?2",
            params![sid, from.start_year()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(src) = src else {
        return Err(StoreError::NoScan { school: school.to_string(), year: from.to_string() });
    };
    let dst = scan_id(&tx, sid, to)?;
    let mut copied = 0;
    let mut copied_steps = Vec::new();
    for step in CARRY_OVER {
        let content: Option<String> = tx
            .query_row(
                "SELECT content FROM scan_steps WHERE scan_id = ?1 AND step = ?2",
                params![src, step],
                |r| r.get(0),
            )
            .optional()?;
        let Some(content) = content else { continue };
        let exists: Option<i64> = tx
            .query_row(
                "SELECT version FROM scan_steps WHERE scan_id = ?1 AND step = ?2",
                params![dst, step],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            continue; // never overwrite work already done this year
        }
        tx.execute(
            "INSERT INTO scan_steps (scan_id, step, content, version, updated_by, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?5)",
            params![dst, step, content, user, now],
        )?;
        copied += 1;
        copied_steps.push(step);
    }
    let mut status = statuses(&tx, dst)?;
    // Only the steps that were copied start as "in progress".
    for step in copied_steps {
        let i = usize::from(step - 1);
        if status[i] == StepStatus::NotStarted {
            status[i] = StepStatus::InProgress;
        }
    }
    let keys: Vec<&str> = status.iter().map(|s| status_key(*s)).collect();
    tx.execute("UPDATE scans SET status = ?2 WHERE id = ?1", params![dst, serde_json::to_string(&keys)?])?;
    tx.commit()?;
    Ok(copied)
}
