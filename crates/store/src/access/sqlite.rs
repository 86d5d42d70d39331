//! [`AccessStore`] for the SQLite backend.

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};
use schoolscan_auth::Role;
use schoolscan_auth::audit::{AuditRecord, ChainedRecord, GENESIS, chain_hash};
use schoolscan_auth::session::Stage;
use schoolscan_domain::{Brin, GroupName, Note, Pupil, PupilNumber, SchoolYear};

use super::{
    AccessFacts, AccessStore, CareGrant, DEFAULT_RETENTION_MONTHS, Dossier, GroupSummary, NewUser,
    NoteVersion, OidcProvider, PurgeReport, SessionRow, StoredNote, User, Zienswijze, months_before,
    parse_ts, ts,
};
use crate::codec::{date_from_sql, date_to_sql, informant_from_sql, note_kind_from_sql};
use crate::{DatasetFilter, Scope, SqliteStore, StoreError};
use time::OffsetDateTime;

fn corrupt(what: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt { what, value: value.into() }
}

const USER_COLS: &str = "id, username, display_name, role, board, school, municipality, password_hash, totp_secret, \
                         totp_confirmed, totp_last_step, oidc_subject, disabled, created_at";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<(User, String, Option<String>)> {
    let role: String = r.get(3)?;
    let school: Option<String> = r.get(5)?;
    Ok((
        User {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: r.get(2)?,
            role: Role::BoardAdmin,
            board: r.get(4)?,
            school: None,
            municipality: r.get(6)?,
            password_hash: r.get(7)?,
            totp_secret: r.get(8)?,
            totp_confirmed: r.get(9)?,
            totp_last_step: r.get(10)?,
            oidc_subject: r.get(11)?,
            disabled: r.get(12)?,
            created_at: r.get(13)?,
        },
        role,
        school,
    ))
}

fn finish_user((mut u, role, school): (User, String, Option<String>)) -> Result<User, StoreError> {
    u.role = role.parse().map_err(|_| corrupt("rol", role.clone()))?;
    u.school = school.map(|s| Brin::parse(&s).map_err(|_| corrupt("BRIN", s.clone()))).transpose()?;
    Ok(u)
}

fn query_users(
    conn: &Connection,
    where_sql: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<User>, StoreError> {
    let mut st =
        conn.prepare(&format!("SELECT {USER_COLS} FROM users WHERE {where_sql} ORDER BY board, username"))?;
    let rows = st.query_map(p, user_from_row)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(finish_user(r?)?);
    }
    Ok(out)
}

fn session_from_row(r: &Row<'_>) -> rusqlite::Result<(SessionRow, String, String, String)> {
    Ok((
        SessionRow {
            token_hash: r.get(0)?,
            user_id: r.get(1)?,
            stage: Stage::Anonymous,
            csrf_token: r.get(3)?,
            created_at: OffsetDateTime::UNIX_EPOCH,
            last_seen: OffsetDateTime::UNIX_EPOCH,
            oidc_state: r.get(6)?,
        },
        r.get(2)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

const AUDIT_COLS: &str = "seq, time_utc, actor_id, actor, actor_role, acting_for, school, group_name, pupil, category, \
                          action, route, request_id, outcome, prev_hash, hash";

fn audit_from_row(r: &Row<'_>) -> rusqlite::Result<ChainedRecord> {
    Ok(ChainedRecord {
        seq: r.get(0)?,
        record: AuditRecord {
            time_utc: r.get(1)?,
            actor_id: r.get(2)?,
            actor: r.get(3)?,
            actor_role: r.get(4)?,
            acting_for: r.get(5)?,
            school: r.get(6)?,
            group: r.get(7)?,
            pupil: r.get(8)?,
            category: r.get(9)?,
            action: r.get(10)?,
            route: r.get(11)?,
            request_id: r.get(12)?,
            outcome: r.get(13)?,
        },
        prev_hash: r.get(14)?,
        hash: r.get(15)?,
    })
}

/// Append `rec` to the audit chain inside the caller's transaction.
pub(crate) fn append_audit_in(conn: &Connection, board: &str, rec: &AuditRecord) -> Result<i64, StoreError> {
    let last: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let hash = chain_hash(&prev, seq, rec);
    conn.execute(
        "INSERT INTO audit_log (seq, time_utc, board, actor_id, actor, actor_role, acting_for, school, group_name, pupil,
            category, action, route, request_id, outcome, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            seq,
            rec.time_utc,
            board,
            rec.actor_id,
            rec.actor,
            rec.actor_role,
            rec.acting_for,
            rec.school,
            rec.group,
            rec.pupil,
            rec.category,
            rec.action,
            rec.route,
            rec.request_id,
            rec.outcome,
            prev,
            hash
        ],
    )?;
    Ok(seq)
}

/// The id of a pupil in scope, or `None`.
fn pupil_id_in_scope(
    conn: &Connection,
    scope: &Scope,
    school: &Brin,
    number: &PupilNumber,
) -> Result<Option<i64>, StoreError> {
    if !scope.allows_pupil_rows() {
        return Ok(None);
    }
    let pf = scope.pupil_filter();
    let mut params = pf.params.clone();
    params.push(rusqlite::types::Value::Text(school.as_str().to_owned()));
    params.push(rusqlite::types::Value::Text(number.as_str().to_owned()));
    Ok(conn
        .query_row(
            &format!(
                "SELECT p.id FROM pupils p JOIN schools s ON s.id = p.school_id WHERE ({}) AND s.brin = ? AND p.number = ?",
                pf.sql
            ),
            params_from_iter(params.iter()),
            |r| r.get(0),
        )
        .optional()?)
}

/// Is the group openable through the scope?
fn group_in_scope(
    conn: &Connection,
    scope: &Scope,
    school: &Brin,
    year: SchoolYear,
    group: &GroupName,
) -> Result<bool, StoreError> {
    let allowed = match scope {
        Scope::System | Scope::Board { .. } | Scope::Schools { .. } => true,
        Scope::Groups { school: s, year: y, groups } => s == school && *y == year && groups.contains(group),
        Scope::Pupils { .. } | Scope::NamedPupils { .. } | Scope::Aggregates { .. } | Scope::Nothing => false,
    };
    if !allowed {
        return Ok(false);
    }
    let sf = scope.school_filter();
    let mut params = sf.params.clone();
    params.push(rusqlite::types::Value::Text(school.as_str().to_owned()));
    params.push(rusqlite::types::Value::Integer(i64::from(year.start_year())));
    params.push(rusqlite::types::Value::Text(group.as_str().to_owned()));
    let n: i64 = conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM groups g JOIN schools s ON s.id = g.school_id
             WHERE ({}) AND s.brin = ? AND g.year = ? AND g.name = ?",
            sf.sql
        ),
        params_from_iter(params.iter()),
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

fn load_notes(
    conn: &Connection,
    pupil_id: i64,
    school: &Brin,
    number: &PupilNumber,
) -> Result<Vec<StoredNote>, StoreError> {
    let mut st = conn.prepare(
        "SELECT id, kind, informant, date, author, domains, ratings, body FROM notes WHERE pupil_id = ?1 ORDER BY date, id",
    )?;
    let mut rows = st.query([pupil_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let kind: String = r.get(1)?;
        let informant: String = r.get(2)?;
        let date: String = r.get(3)?;
        let domains: String = r.get(5)?;
        let ratings: String = r.get(6)?;
        out.push(StoredNote {
            id,
            note: Note {
                school: school.clone(),
                pupil: number.clone(),
                kind: note_kind_from_sql(&kind)?,
                informant: informant_from_sql(&informant)?,
                date: date_from_sql(&date)?,
                author: r.get(4)?,
                domains: serde_json::from_str(&domains)?,
                ratings: serde_json::from_str(&ratings)?,
                text: r.get(7)?,
            },
            versions: Vec::new(),
        });
    }
    let mut vst = conn.prepare(
        "SELECT old_text, new_text, reason, actor, at FROM note_versions WHERE note_id = ?1 ORDER BY id",
    )?;
    for n in &mut out {
        let rows = vst.query_map([n.id], |r| {
            Ok(NoteVersion {
                old_text: r.get(0)?,
                new_text: r.get(1)?,
                reason: r.get(2)?,
                actor: r.get(3)?,
                at: r.get(4)?,
            })
        })?;
        for v in rows {
            n.versions.push(v?);
        }
    }
    Ok(out)
}

impl AccessStore for SqliteStore {
    fn create_user(&self, u: &NewUser) -> Result<i64, StoreError> {
        self.with_conn(|c| {
            let exists: i64 = c.query_row("SELECT COUNT(*) FROM users WHERE username = ?1", [&u.username], |r| r.get(0))?;
            if exists > 0 {
                return Err(StoreError::Rejected(format!("de gebruikersnaam '{}' bestaat al", u.username)));
            }
            c.execute(
                "INSERT INTO users (username, display_name, role, board, school, municipality, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    u.username.trim(),
                    u.display_name,
                    u.role.key(),
                    u.board,
                    u.school.as_ref().map(|b| b.as_str().to_owned()),
                    u.municipality,
                    u.password_hash,
                    ts(u.created_at)
                ],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        self.with_conn(|c| Ok(query_users(c, "id = ?1", &[&id])?.into_iter().next()))
    }

    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let name = username.trim().to_owned();
        self.with_conn(|c| Ok(query_users(c, "username = ?1", &[&name])?.into_iter().next()))
    }

    fn user_by_oidc(&self, subject: &str) -> Result<Option<User>, StoreError> {
        let s = subject.to_owned();
        self.with_conn(|c| Ok(query_users(c, "oidc_subject = ?1", &[&s])?.into_iter().next()))
    }

    fn users(&self, board: Option<&str>) -> Result<Vec<User>, StoreError> {
        self.with_conn(|c| match board {
            Some(b) => query_users(c, "board = ?1", &[&b]),
            None => query_users(c, "1=1", &[]),
        })
    }

    fn set_password_hash(&self, id: i64, phc: &str) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute("UPDATE users SET password_hash = ?1 WHERE id = ?2", params![phc, id])?;
            Ok(())
        })
    }

    fn set_totp(&self, id: i64, secret: Option<&str>, confirmed: bool) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "UPDATE users SET totp_secret = ?1, totp_confirmed = ?2, totp_last_step = NULL WHERE id = ?3",
                params![secret, confirmed, id],
            )?;
            Ok(())
        })
    }

    fn set_totp_last_step(&self, id: i64, step: i64) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute("UPDATE users SET totp_last_step = ?1 WHERE id = ?2", params![step, id])?;
            Ok(())
        })
    }

    fn set_disabled(&self, id: i64, disabled: bool) -> Result<(), StoreError> {
        self.with_conn(|c| {
            let tx = c.transaction()?;
            let n = tx.execute("UPDATE users SET disabled = ?1 WHERE id = ?2", params![disabled, id])?;
            if n == 0 {
                return Err(StoreError::UnknownUser(id.to_string()));
            }
            if disabled {
                tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn reset_mfa(&self, id: i64) -> Result<(), StoreError> {
        self.with_conn(|c| {
            let tx = c.transaction()?;
            let n = tx.execute(
                "UPDATE users SET totp_secret = NULL, totp_confirmed = 0, totp_last_step = NULL WHERE id = ?1",
                [id],
            )?;
            if n == 0 {
                return Err(StoreError::UnknownUser(id.to_string()));
            }
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            tx.commit()?;
            Ok(())
        })
    }

    fn link_oidc(&self, id: i64, subject: &str) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute("UPDATE users SET oidc_subject = ?1 WHERE id = ?2", params![subject, id])?;
            Ok(())
        })
    }

    fn assign_groups(
        &self,
        user: i64,
        school: &Brin,
        year: SchoolYear,
        groups: &[GroupName],
    ) -> Result<(), StoreError> {
        self.with_conn(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "DELETE FROM teacher_groups WHERE user_id = ?1 AND year = ?2",
                params![user, year.start_year()],
            )?;
            for g in groups {
                tx.execute(
                    "INSERT INTO teacher_groups (user_id, school, year, group_name) VALUES (?1, ?2, ?3, ?4)",
                    params![user, school.as_str(), year.start_year(), g.as_str()],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn link_parent(
        &self,
        user: i64,
        school: &Brin,
        pupil: &PupilNumber,
        gezag: bool,
    ) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO parent_links (user_id, school, pupil, gezag) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id, school, pupil) DO UPDATE SET gezag = excluded.gezag",
                params![user, school.as_str(), pupil.as_str(), gezag],
            )?;
            Ok(())
        })
    }

    fn add_care_grant(&self, g: &CareGrant) -> Result<i64, StoreError> {
        if g.consent_ref.trim().is_empty() {
            return Err(StoreError::Rejected(
                "een zorgtoegang vraagt een vastgelegde toestemming of wettelijke grondslag (consent_ref)"
                    .into(),
            ));
        }
        if g.expires_at <= g.granted_at {
            return Err(StoreError::Rejected(
                "de einddatum van een zorgtoegang moet na de begindatum liggen".into(),
            ));
        }
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO care_grants (user_id, school, pupil, consent_ref, granted_by, granted_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    g.user_id,
                    g.school.as_str(),
                    g.pupil.as_str(),
                    g.consent_ref.trim(),
                    g.granted_by,
                    ts(g.granted_at),
                    ts(g.expires_at)
                ],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    fn share_with_municipality(&self, municipality: &str, school: &Brin) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT OR IGNORE INTO municipality_shares (municipality, school) VALUES (?1, ?2)",
                params![municipality, school.as_str()],
            )?;
            Ok(())
        })
    }

    fn access_facts(&self, user: &User, now: OffsetDateTime) -> Result<AccessFacts, StoreError> {
        let id = user.id;
        let municipality = user.municipality.clone();
        self.with_conn(|c| {
            let mut f = AccessFacts::default();
            // A teacher's current year is the latest year they were assigned groups in.
            let latest: Option<(String, i32)> = c
                .query_row(
                    "SELECT school, year FROM teacher_groups WHERE user_id = ?1 ORDER BY year DESC LIMIT 1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((school, year)) = latest {
                let mut st = c.prepare(
                    "SELECT group_name FROM teacher_groups WHERE user_id = ?1 AND school = ?2 AND year = ?3 ORDER BY group_name",
                )?;
                let names = st.query_map(params![id, school, year], |r| r.get::<_, String>(0))?;
                let mut groups = Vec::new();
                for n in names {
                    let n = n?;
                    groups.push(GroupName::parse(&n).map_err(|_| corrupt("groep", n.clone()))?);
                }
                let brin = Brin::parse(&school).map_err(|_| corrupt("BRIN", school.clone()))?;
                f.teacher_groups = Some((brin, SchoolYear::new(year), groups));
            }
            let mut st = c.prepare("SELECT school, pupil, gezag FROM parent_links WHERE user_id = ?1 ORDER BY school, pupil")?;
            let rows = st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)))?;
            for row in rows {
                let (s, p, g) = row?;
                f.children.push((
                    Brin::parse(&s).map_err(|_| corrupt("BRIN", s.clone()))?,
                    PupilNumber::parse(&p).map_err(|_| corrupt("leerlingnummer", p.clone()))?,
                    g,
                ));
            }
            let mut st = c.prepare(
                "SELECT school, pupil FROM care_grants WHERE user_id = ?1 AND granted_at <= ?2 AND expires_at > ?2
                 ORDER BY school, pupil",
            )?;
            let rows = st.query_map(params![id, ts(now)], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (s, p) = row?;
                f.grants.push((
                    Brin::parse(&s).map_err(|_| corrupt("BRIN", s.clone()))?,
                    PupilNumber::parse(&p).map_err(|_| corrupt("leerlingnummer", p.clone()))?,
                ));
            }
            if let Some(m) = &municipality {
                let mut st = c.prepare("SELECT school FROM municipality_shares WHERE municipality = ?1 ORDER BY school")?;
                let rows = st.query_map([m], |r| r.get::<_, String>(0))?;
                for s in rows {
                    let s = s?;
                    f.municipality_schools.push(Brin::parse(&s).map_err(|_| corrupt("BRIN", s.clone()))?);
                }
            }
            Ok(f)
        })
    }

    fn password_hashes(&self) -> Result<Vec<String>, StoreError> {
        self.with_conn(|c| {
            let mut st =
                c.prepare("SELECT password_hash FROM users WHERE password_hash IS NOT NULL ORDER BY id")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn create_session(&self, s: &SessionRow) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO sessions (token_hash, user_id, stage, csrf_token, created_at, last_seen, oidc_state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    s.token_hash,
                    s.user_id,
                    s.stage.as_str(),
                    s.csrf_token,
                    ts(s.created_at),
                    ts(s.last_seen),
                    s.oidc_state
                ],
            )?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        self.with_conn(|c| {
            let row = c
                .query_row(
                    "SELECT token_hash, user_id, stage, csrf_token, created_at, last_seen, oidc_state FROM sessions
                     WHERE token_hash = ?1",
                    [token_hash],
                    session_from_row,
                )
                .optional()?;
            row.map(|(mut s, stage, created, seen)| {
                s.stage = Stage::parse(&stage).ok_or_else(|| corrupt("sessiestatus", stage.clone()))?;
                s.created_at = parse_ts(&created)?;
                s.last_seen = parse_ts(&seen)?;
                Ok(s)
            })
            .transpose()
        })
    }

    fn touch_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "UPDATE sessions SET last_seen = ?1 WHERE token_hash = ?2",
                params![ts(now), token_hash],
            )?;
            Ok(())
        })
    }

    fn set_session_oidc_state(&self, token_hash: &str, state: Option<&str>) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "UPDATE sessions SET oidc_state = ?1 WHERE token_hash = ?2",
                params![state, token_hash],
            )?;
            Ok(())
        })
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
    }

    fn delete_sessions_of(&self, user: i64) -> Result<usize, StoreError> {
        self.with_conn(|c| Ok(c.execute("DELETE FROM sessions WHERE user_id = ?1", [user])?))
    }

    fn count_sessions(&self, user: i64, stage: Stage) -> Result<usize, StoreError> {
        self.with_conn(|c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM sessions WHERE user_id = ?1 AND stage = ?2",
                params![user, stage.as_str()],
                |r| r.get(0),
            )?;
            Ok(usize::try_from(n).unwrap_or(0))
        })
    }

    fn record_login_failure(&self, username: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO login_failures (username, at) VALUES (?1, ?2)",
                params![username, ts(at)],
            )?;
            // Failures older than a day are never needed again.
            c.execute("DELETE FROM login_failures WHERE at < ?1", [ts(at - time::Duration::days(1))])?;
            Ok(())
        })
    }

    fn login_failures(
        &self,
        username: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, StoreError> {
        self.with_conn(|c| {
            let mut st =
                c.prepare("SELECT at FROM login_failures WHERE username = ?1 AND at >= ?2 ORDER BY at")?;
            let rows = st.query_map(params![username, ts(since)], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for r in rows {
                out.push(parse_ts(&r?)?);
            }
            Ok(out)
        })
    }

    fn clear_login_failures(&self, username: &str) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute("DELETE FROM login_failures WHERE username = ?1", [username])?;
            Ok(())
        })
    }

    fn append_audit(&self, board: &str, rec: &AuditRecord) -> Result<i64, StoreError> {
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let seq = append_audit_in(&tx, board, rec)?;
            tx.commit()?;
            Ok(seq)
        })
    }

    fn audit_log(&self, board: Option<&str>) -> Result<Vec<ChainedRecord>, StoreError> {
        self.with_conn(|c| {
            let (sql, p): (String, Vec<String>) = match board {
                Some(b) => (
                    format!("SELECT {AUDIT_COLS} FROM audit_log WHERE board = ?1 ORDER BY seq"),
                    vec![b.to_owned()],
                ),
                None => (format!("SELECT {AUDIT_COLS} FROM audit_log ORDER BY seq"), vec![]),
            };
            let mut st = c.prepare(&sql)?;
            let rows = st.query_map(params_from_iter(p.iter()), audit_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn audit_for_pupil(&self, school: &Brin, pupil: &PupilNumber) -> Result<Vec<ChainedRecord>, StoreError> {
        self.with_conn(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {AUDIT_COLS} FROM audit_log WHERE school = ?1 AND pupil = ?2 ORDER BY seq"
            ))?;
            let rows = st.query_map(params![school.as_str(), pupil.as_str()], audit_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn school_in_scope(&self, scope: &Scope, school: &Brin) -> Result<Option<(String, String)>, StoreError> {
        self.with_conn(|c| {
            let sf = scope.school_filter();
            let mut params = sf.params.clone();
            params.push(rusqlite::types::Value::Text(school.as_str().to_owned()));
            Ok(c.query_row(
                &format!(
                    "SELECT s.name, b.key FROM schools s JOIN boards b ON b.id = s.board_id WHERE ({}) AND s.brin = ?",
                    sf.sql
                ),
                params_from_iter(params.iter()),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })
    }

    fn school_groups(&self, scope: &Scope, school: &Brin) -> Result<Option<Vec<GroupSummary>>, StoreError> {
        if self.school_in_scope(scope, school)?.is_none() {
            return Ok(None);
        }
        self.with_conn(|c| {
            let mut st = c.prepare(
                "SELECT g.year, g.name, (SELECT COUNT(*) FROM enrolments e WHERE e.group_id = g.id)
                 FROM groups g JOIN schools s ON s.id = g.school_id WHERE s.brin = ?1 ORDER BY g.year DESC, g.name",
            )?;
            let rows = st.query_map([school.as_str()], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (year, name, n) = row?;
                let name = GroupName::parse(&name).map_err(|_| corrupt("groep", name.clone()))?;
                let year = SchoolYear::new(year);
                if group_in_scope(c, scope, school, year, &name)? {
                    out.push(GroupSummary { year, name, pupils: u64::try_from(n).unwrap_or(0) });
                }
            }
            Ok(Some(out))
        })
    }

    fn group_pupils(
        &self,
        scope: &Scope,
        school: &Brin,
        year: SchoolYear,
        group: &GroupName,
    ) -> Result<Option<Vec<Pupil>>, StoreError> {
        let numbers = self.with_conn(|c| {
            if !group_in_scope(c, scope, school, year, group)? {
                return Ok(None);
            }
            let mut st = c.prepare(
                "SELECT p.number FROM enrolments e JOIN groups g ON g.id = e.group_id JOIN pupils p ON p.id = e.pupil_id
                 JOIN schools s ON s.id = g.school_id WHERE s.brin = ?1 AND g.year = ?2 AND g.name = ?3 ORDER BY p.number",
            )?;
            let rows = st.query_map(params![school.as_str(), year.start_year(), group.as_str()], |r| r.get::<_, String>(0))?;
            Ok(Some(rows.collect::<Result<Vec<_>, _>>()?))
        })?;
        let Some(numbers) = numbers else { return Ok(None) };
        let mut pupils = Vec::new();
        for n in numbers {
            let number = PupilNumber::parse(&n).map_err(|_| corrupt("leerlingnummer", n.clone()))?;
            if let Some(p) = self.pupil(scope, school, &number)? {
                pupils.push(p);
            }
        }
        pupils.sort_by_key(Pupil::sort_name);
        Ok(Some(pupils))
    }

    fn pupil(&self, scope: &Scope, school: &Brin, number: &PupilNumber) -> Result<Option<Pupil>, StoreError> {
        let found = self.with_conn(|c| pupil_id_in_scope(c, scope, school, number))?;
        if found.is_none() {
            return Ok(None);
        }
        let one = Scope::NamedPupils { pupils: vec![(school.clone(), number.clone())] };
        let ds = crate::Store::load_dataset(self, &one, &DatasetFilter::default())?;
        Ok(ds.pupils.into_iter().next())
    }

    fn dossier(
        &self,
        scope: &Scope,
        school: &Brin,
        number: &PupilNumber,
    ) -> Result<Option<Dossier>, StoreError> {
        let Some(pid) = self.with_conn(|c| pupil_id_in_scope(c, scope, school, number))? else {
            return Ok(None);
        };
        let one = Scope::NamedPupils { pupils: vec![(school.clone(), number.clone())] };
        let ds = crate::Store::load_dataset(self, &one, &DatasetFilter::default())?;
        let Some(pupil) = ds.pupils.into_iter().next() else { return Ok(None) };
        let (notes, zienswijzen) = self.with_conn(|c| {
            let notes = load_notes(c, pid, school, number)?;
            let mut st = c.prepare(
                "SELECT note_id, text, author, at FROM zienswijzen WHERE pupil_id = ?1 ORDER BY id",
            )?;
            let rows = st.query_map([pid], |r| {
                Ok(Zienswijze { note_id: r.get(0)?, text: r.get(1)?, author: r.get(2)?, at: r.get(3)? })
            })?;
            Ok((notes, rows.collect::<Result<Vec<_>, _>>()?))
        })?;
        Ok(Some(Dossier {
            pupil,
            enrolments: ds.enrolments,
            scores: ds.scores,
            observations: ds.observations,
            notes,
            zienswijzen,
        }))
    }

    fn pupil_names_for_redaction(
        &self,
        school: &Brin,
    ) -> Result<Vec<(PupilNumber, Vec<String>)>, StoreError> {
        let ds = crate::Store::load_dataset(
            self,
            &Scope::Schools { schools: vec![school.clone()] },
            &DatasetFilter {
                schools: vec![school.clone()],
                until: Some(SchoolYear::new(-9999)),
                with_notes: false,
            },
        )?;
        Ok(ds
            .pupils
            .iter()
            .map(|p| {
                let mut names: Vec<String> = [p.first_name.clone(), p.last_name.clone()]
                    .into_iter()
                    .flatten()
                    .filter(|n| n.trim().len() > 1)
                    .collect();
                if p.first_name.is_some() || p.last_name.is_some() {
                    names.push(p.display_name());
                }
                (p.number.clone(), names)
            })
            .collect())
    }

    fn add_note(&self, scope: &Scope, note: &Note) -> Result<Option<i64>, StoreError> {
        self.with_conn(|c| {
            let Some(pid) = pupil_id_in_scope(c, scope, &note.school, &note.pupil)? else { return Ok(None) };
            c.execute(
                "INSERT INTO notes (pupil_id, kind, informant, date, author, domains, ratings, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    pid,
                    note.kind.as_str(),
                    note.informant.as_str(),
                    date_to_sql(note.date),
                    note.author,
                    serde_json::to_string(&note.domains)?,
                    serde_json::to_string(&note.ratings)?,
                    note.text
                ],
            )?;
            Ok(Some(c.last_insert_rowid()))
        })
    }

    fn correct_note(
        &self,
        scope: &Scope,
        school: &Brin,
        number: &PupilNumber,
        note_id: i64,
        new_text: &str,
        reason: &str,
        actor: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.with_conn(|c| {
            let Some(pid) = pupil_id_in_scope(c, scope, school, number)? else { return Ok(false) };
            let tx = c.transaction()?;
            let old: Option<Option<String>> = tx
                .query_row("SELECT body FROM notes WHERE id = ?1 AND pupil_id = ?2", params![note_id, pid], |r| r.get(0))
                .optional()?;
            let Some(old) = old else { return Ok(false) };
            tx.execute(
                "INSERT INTO note_versions (note_id, old_text, new_text, reason, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![note_id, old, new_text, reason, actor, ts(at)],
            )?;
            tx.execute("UPDATE notes SET body = ?1 WHERE id = ?2", params![new_text, note_id])?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn add_zienswijze(
        &self,
        scope: &Scope,
        school: &Brin,
        number: &PupilNumber,
        text: &str,
        author: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.with_conn(|c| {
            let Some(pid) = pupil_id_in_scope(c, scope, school, number)? else { return Ok(false) };
            c.execute(
                "INSERT INTO zienswijzen (pupil_id, note_id, text, author, at) VALUES (?1, NULL, ?2, ?3, ?4)",
                params![pid, text, author, ts(at)],
            )?;
            Ok(true)
        })
    }

    fn retention_months(&self, board: &str) -> Result<u32, StoreError> {
        self.with_conn(|c| {
            let m: Option<i64> = c
                .query_row(
                    "SELECT months FROM retention_settings WHERE board = ?1 AND category = 'dossier'",
                    [board],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(m.and_then(|m| u32::try_from(m).ok()).unwrap_or(DEFAULT_RETENTION_MONTHS))
        })
    }

    fn set_retention_months(&self, board: &str, months: u32) -> Result<(), StoreError> {
        if months == 0 {
            return Err(StoreError::Rejected("een bewaartermijn is minstens één maand".into()));
        }
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO retention_settings (board, category, months) VALUES (?1, 'dossier', ?2)
                 ON CONFLICT (board, category) DO UPDATE SET months = excluded.months",
                params![board, months],
            )?;
            Ok(())
        })
    }

    fn purge_expired(
        &self,
        board: &str,
        now: OffsetDateTime,
        request_id: &str,
    ) -> Result<PurgeReport, StoreError> {
        let months = self.retention_months(board)?;
        let cutoff = months_before(now.date(), months);
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let victims: Vec<(i64, String, String)> = {
                let mut st = tx.prepare(
                    "SELECT p.id, s.brin, p.number FROM pupils p JOIN schools s ON s.id = p.school_id
                     JOIN boards b ON b.id = s.board_id
                     WHERE b.key = ?1 AND p.left_on IS NOT NULL AND p.left_on < ?2 ORDER BY s.brin, p.number",
                )?;
                let rows = st.query_map(params![board, date_to_sql(cutoff)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let mut report = PurgeReport { pupils: Vec::new(), audit_events: 0 };
            if !victims.is_empty() {
                crate::sqlite::write::bump_data_version(&tx)?;
            }
            for (id, brin, number) in victims {
                tx.execute("DELETE FROM pupils WHERE id = ?1", [id])?;
                tx.execute(
                    "DELETE FROM parent_links WHERE school = ?1 AND pupil = ?2",
                    params![brin, number],
                )?;
                tx.execute(
                    "DELETE FROM care_grants WHERE school = ?1 AND pupil = ?2",
                    params![brin, number],
                )?;
                let rec = AuditRecord {
                    time_utc: ts(now),
                    actor_id: None,
                    actor: "bewaartermijn".into(),
                    actor_role: "system".into(),
                    acting_for: board.to_owned(),
                    school: Some(brin.clone()),
                    group: None,
                    pupil: Some(number.clone()),
                    category: "dossier".into(),
                    action: "purge".into(),
                    route: format!("retentie {months} maanden"),
                    request_id: request_id.to_owned(),
                    outcome: "allowed".into(),
                };
                append_audit_in(&tx, board, &rec)?;
                report.audit_events += 1;
                report.pupils.push((
                    Brin::parse(&brin).map_err(|_| corrupt("BRIN", brin.clone()))?,
                    PupilNumber::parse(&number).map_err(|_| corrupt("leerlingnummer", number.clone()))?,
                ));
            }
            tx.commit()?;
            Ok(report)
        })
    }

    fn oidc_provider(&self, board: &str) -> Result<Option<OidcProvider>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT board, issuer, client_id, client_secret, auth_url, token_url, jwks, redirect_url
                 FROM oidc_providers WHERE board = ?1",
                [board],
                |r| {
                    Ok(OidcProvider {
                        board: r.get(0)?,
                        issuer: r.get(1)?,
                        client_id: r.get(2)?,
                        client_secret: r.get(3)?,
                        auth_url: r.get(4)?,
                        token_url: r.get(5)?,
                        jwks: r.get(6)?,
                        redirect_url: r.get(7)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn set_oidc_provider(&self, p: &OidcProvider) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO oidc_providers (board, issuer, client_id, client_secret, auth_url, token_url, jwks, redirect_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (board) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id,
                   client_secret = excluded.client_secret, auth_url = excluded.auth_url, token_url = excluded.token_url,
                   jwks = excluded.jwks, redirect_url = excluded.redirect_url",
                params![p.board, p.issuer, p.client_id, p.client_secret, p.auth_url, p.token_url, p.jwks, p.redirect_url],
            )?;
            Ok(())
        })
    }
}
