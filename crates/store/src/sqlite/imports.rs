//! [`ImportStore`] on SQLite.

use rusqlite::{OptionalExtension, params};
use schoolscan_domain::{Brin, Dataset};

use crate::imports::{ImportKind, ImportLogEntry, ImportPiece, ImportRecord, ImportStore, primary_counts};
use crate::{Scope, SqliteStore, StoreError, UpsertOptions, WriteReport};

use super::write::{Ids, bump_data_version, upsert_in, upsert_with};

fn school_id(tx: &rusqlite::Connection, brin: &Brin) -> Result<i64, StoreError> {
    tx.query_row("SELECT id FROM schools WHERE brin = ?1", [brin.as_str()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::UnknownSchool(brin.as_str().to_owned()))
}

fn add(to: &mut WriteReport, w: &WriteReport) {
    to.pupils.add(w.pupils);
    to.enrolments.add(w.enrolments);
    to.tests.add(w.tests);
    to.scores.add(w.scores);
    to.observations.add(w.observations);
    to.notes.add(w.notes);
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The log row of one import, and its mapping to remember.
fn log(
    tx: &rusqlite::Transaction<'_>,
    record: &ImportRecord<'_>,
    report: &WriteReport,
) -> Result<(), StoreError> {
    let sid = school_id(tx, record.school)?;
    let c = primary_counts(record.kind, report);
    // The caller's report cannot know the write's counts: fill them in.
    let mut json: serde_json::Value = serde_json::from_str(record.report_json)?;
    if let Some(obj) = json.as_object_mut() {
        obj.insert("imported".into(), c.imported.into());
        obj.insert("updated".into(), c.updated.into());
    }
    tx.execute(
        "INSERT INTO import_log (school_id, kind, file_name, actor, at, read, imported, updated,
             duplicates, skipped, rejected, report)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            sid,
            record.kind.as_str(),
            record.file_name,
            record.actor,
            record.at,
            to_i64(record.read),
            to_i64(c.imported),
            to_i64(c.updated),
            to_i64(record.duplicates),
            to_i64(record.skipped),
            to_i64(record.rejected),
            json.to_string()
        ],
    )?;
    if let Some(mapping) = record.remember_mapping {
        tx.execute(
            "INSERT INTO import_mappings (school_id, kind, mapping, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(school_id, kind) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
            params![sid, record.kind.as_str(), mapping, record.at],
        )?;
    }
    Ok(())
}

impl ImportStore for SqliteStore {
    fn import(
        &self,
        items: &[(&Dataset, ImportRecord<'_>)],
        opts: UpsertOptions,
    ) -> Result<Vec<WriteReport>, StoreError> {
        self.with_conn(|conn| {
            let tx = conn.transaction()?;
            let mut reports = Vec::with_capacity(items.len());
            for (data, record) in items {
                let report = upsert_in(&tx, data, opts)?;
                if !opts.dry_run {
                    log(&tx, record, &report)?;
                }
                reports.push(report);
            }
            if opts.dry_run {
                tx.rollback()?;
            } else {
                // Cached analyses of the old data are stale now (see migration 0003).
                bump_data_version(&tx)?;
                tx.commit()?;
            }
            Ok(reports)
        })
    }

    fn import_stream(
        &self,
        pieces: &mut dyn Iterator<Item = ImportPiece>,
        opts: UpsertOptions,
    ) -> Result<Option<Vec<WriteReport>>, StoreError> {
        self.with_conn(|conn| {
            let tx = conn.transaction()?;
            let mut ids = Ids::default();
            let mut reports = Vec::new();
            let mut current = WriteReport::default();
            let mut open = false;
            let mut audit = None;
            for piece in pieces {
                match piece {
                    ImportPiece::Records(data) => {
                        add(&mut current, &upsert_with(&tx, &mut ids, &data, opts)?);
                        open = true;
                    }
                    ImportPiece::End(data, log_entry) => {
                        add(&mut current, &upsert_with(&tx, &mut ids, &data, opts)?);
                        if !opts.dry_run {
                            log(&tx, &log_entry.as_record(), &current)?;
                        }
                        reports.push(std::mem::take(&mut current));
                        open = false;
                    }
                    ImportPiece::Audit(a) => audit = Some(a),
                    ImportPiece::Abort => {
                        tx.rollback()?;
                        return Ok(None);
                    }
                }
            }
            if open || opts.dry_run {
                tx.rollback()?;
                return Ok(if open { None } else { Some(reports) });
            }
            if let Some(a) = audit {
                crate::access::sqlite::append_audit_in(&tx, &a.board, &a.record)?;
            }
            bump_data_version(&tx)?;
            tx.commit()?;
            Ok(Some(reports))
        })
    }

    fn import_mapping(&self, school: &Brin, kind: ImportKind) -> Result<Option<String>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT m.mapping FROM import_mappings m JOIN schools s ON s.id = m.school_id
                 WHERE s.brin = ?1 AND m.kind = ?2",
                params![school.as_str(), kind.as_str()],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    fn imports(&self, scope: &Scope, school: &Brin) -> Result<Vec<ImportLogEntry>, StoreError> {
        if scope.is_partial_school() || !scope.allows_pupil_rows() {
            return Ok(Vec::new());
        }
        let filter = scope.school_filter();
        self.with_conn(|c| {
            let sql = format!(
                "SELECT l.id, l.kind, l.file_name, l.actor, l.at, l.read, l.imported, l.updated, l.duplicates,
                        l.skipped, l.rejected, l.report
                 FROM import_log l JOIN schools s ON s.id = l.school_id
                 WHERE s.brin = ? AND {} ORDER BY l.id DESC",
                filter.sql
            );
            let mut params: Vec<rusqlite::types::Value> =
                vec![rusqlite::types::Value::Text(school.as_str().to_owned())];
            params.extend(filter.params);
            let mut st = c.prepare(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(params), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    [r.get::<_, i64>(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?],
                    r.get::<_, String>(11)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, kind, file_name, actor, at, n, report) = row?;
                let kind = ImportKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt { what: "soort import", value: kind.clone() })?;
                let n = n.map(|v| u64::try_from(v).unwrap_or(0));
                out.push(ImportLogEntry {
                    id,
                    school: school.clone(),
                    kind,
                    file_name,
                    actor,
                    at,
                    read: n[0],
                    imported: n[1],
                    updated: n[2],
                    duplicates: n[3],
                    skipped: n[4],
                    rejected: n[5],
                    report: serde_json::from_str(&report)?,
                });
            }
            Ok(out)
        })
    }
}
