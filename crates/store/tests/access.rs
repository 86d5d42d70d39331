#![allow(clippy::unwrap_used)]
//! Accounts, scopes, grants, audit chain and retention through the public store API.

use schoolscan_auth::audit::{AuditRecord, verify_chain};
use schoolscan_auth::session::Stage;
use schoolscan_auth::{Action, DataCategory, Role};
use schoolscan_domain::{
    Board, Brin, Dataset, Enrolment, Grade, GroupName, Pupil, PupilNumber, School, SchoolYear,
};
use schoolscan_store::access::{CareGrant, NewUser, SessionRow};
use schoolscan_store::{AccessStore, Scope, SqliteStore, Store, UpsertOptions};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

fn brin(s: &str) -> Brin {
    Brin::parse(s).unwrap()
}
fn num(s: &str) -> PupilNumber {
    PupilNumber::parse(s).unwrap()
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("a.db")).unwrap();
    let mut ds = Dataset::default();
    ds.boards.push(Board { key: "b1".into(), name: "Eén".into() });
    ds.boards.push(Board { key: "b2".into(), name: "Twee".into() });
    ds.schools.push(School { brin: brin("11AA"), name: "De Eik".into(), board: "b1".into() });
    ds.schools.push(School { brin: brin("22BB"), name: "Elders".into(), board: "b2".into() });
    for (school, group, n, left) in [
        ("11AA", "5A", "001", None),
        ("11AA", "6A", "002", Some(date!(2020 - 07 - 01))),
        ("22BB", "5", "003", None),
    ] {
        let mut p = Pupil::new(brin(school), num(n));
        p.first_name = Some(format!("Kind{n}"));
        p.left = left;
        ds.pupils.push(p);
        ds.enrolments.push(Enrolment {
            school: brin(school),
            pupil: num(n),
            year: SchoolYear::new(2022),
            group: GroupName::parse(group).unwrap(),
            grade: Grade::new(5).unwrap(),
        });
    }
    store.upsert(&ds, UpsertOptions::default()).unwrap();
    (dir, store)
}

fn user(store: &SqliteStore, name: &str, role: Role) -> i64 {
    store
        .create_user(&NewUser {
            username: name.into(),
            display_name: name.into(),
            role,
            board: "b1".into(),
            school: Some(brin("11AA")),
            municipality: None,
            password_hash: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        })
        .unwrap()
}

fn rec(pupil: &str) -> AuditRecord {
    AuditRecord {
        time_utc: "2026-01-01T10:00:00Z".into(),
        actor_id: Some(1),
        actor: "ib".into(),
        actor_role: "intern_begeleider".into(),
        acting_for: "b1/11AA".into(),
        school: Some("11AA".into()),
        group: None,
        pupil: Some(pupil.into()),
        category: DataCategory::Toets.as_str().into(),
        action: Action::Read.as_str().into(),
        route: "/leerlingen/{brin}/{number}".into(),
        request_id: "r1".into(),
        outcome: "allowed".into(),
    }
}

/// R24: the audit table is append-only for the app, and an altered row breaks the chain.
#[test]
fn audit_is_append_only_and_tamper_evident() {
    let (dir, store) = store();
    for p in ["001", "002", "001"] {
        store.append_audit("b1", &rec(p)).unwrap();
    }
    let chain = store.audit_log(None).unwrap();
    assert_eq!(verify_chain(&chain), Ok(3));

    let conn = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    let upd = conn.execute("UPDATE audit_log SET pupil = '999' WHERE seq = 2", []);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = conn.execute("DELETE FROM audit_log WHERE seq = 1", []);
    assert!(del.unwrap_err().to_string().contains("append-only"));

    // An attacker with file access who drops the trigger is still caught by the chain.
    conn.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET pupil = '999' WHERE seq = 2;")
        .unwrap();
    let chain = store.audit_log(None).unwrap();
    assert_eq!(verify_chain(&chain).unwrap_err().seq, 2);
}

/// R6: a grant needs a consent reference, and it ends at its expiry.
#[test]
fn care_grants_need_consent_and_expire() {
    let (_dir, store) = store();
    let cp = user(&store, "zorg", Role::CarePartner);
    let t = datetime!(2026-01-01 09:00 UTC);
    let mut g = CareGrant {
        user_id: cp,
        school: brin("11AA"),
        pupil: num("001"),
        consent_ref: "  ".into(),
        granted_by: "ib".into(),
        granted_at: t,
        expires_at: t + Duration::days(365),
    };
    assert!(store.add_care_grant(&g).is_err());
    g.consent_ref = "toestemming ouders 2026-01-01".into();
    store.add_care_grant(&g).unwrap();
    let u = store.user(cp).unwrap().unwrap();
    let before = store.access_facts(&u, g.expires_at - Duration::seconds(1)).unwrap();
    assert_eq!(before.grants, vec![(brin("11AA"), num("001"))]);
    let after = store.access_facts(&u, g.expires_at + Duration::seconds(1)).unwrap();
    assert!(after.grants.is_empty());
}

#[test]
fn scoped_pupil_reads() {
    let (_dir, store) = store();
    let named = Scope::NamedPupils { pupils: vec![(brin("11AA"), num("001"))] };
    assert!(store.pupil(&named, &brin("11AA"), &num("001")).unwrap().is_some());
    assert!(store.pupil(&named, &brin("11AA"), &num("002")).unwrap().is_none());
    assert!(store.pupil(&named, &brin("22BB"), &num("003")).unwrap().is_none());
    let teacher = Scope::Groups {
        school: brin("11AA"),
        year: SchoolYear::new(2022),
        groups: vec![GroupName::parse("5A").unwrap()],
    };
    assert!(store.pupil(&teacher, &brin("11AA"), &num("001")).unwrap().is_some());
    assert!(store.pupil(&teacher, &brin("11AA"), &num("002")).unwrap().is_none());
    let g6 = GroupName::parse("6A").unwrap();
    assert!(store.group_pupils(&teacher, &brin("11AA"), SchoolYear::new(2022), &g6).unwrap().is_none());
    let groups = store.school_groups(&teacher, &brin("11AA")).unwrap().unwrap();
    assert_eq!(groups.len(), 1);
    let mr = Scope::Aggregates { schools: vec![brin("11AA")] };
    assert!(store.pupil(&mr, &brin("11AA"), &num("001")).unwrap().is_none());
    assert!(store.school_in_scope(&mr, &brin("11AA")).unwrap().is_some());
    assert_eq!(store.counts(&mr).unwrap().pupils, 2);
    let board = Scope::Board { board: "b1".into() };
    assert!(store.pupil(&board, &brin("22BB"), &num("003")).unwrap().is_none());
}

/// R4 / ASVS 7.4.2: disabling an account ends all its sessions.
#[test]
fn disabling_ends_sessions() {
    let (_dir, store) = store();
    let id = user(&store, "juf", Role::Teacher);
    for i in 0..3 {
        store
            .create_session(&SessionRow {
                token_hash: format!("h{i}"),
                user_id: Some(id),
                stage: Stage::Full,
                csrf_token: "c".into(),
                created_at: OffsetDateTime::UNIX_EPOCH,
                last_seen: OffsetDateTime::UNIX_EPOCH,
                oidc_state: None,
            })
            .unwrap();
    }
    assert_eq!(store.count_sessions(id, Stage::Full).unwrap(), 3);
    store.set_disabled(id, true).unwrap();
    assert_eq!(store.count_sessions(id, Stage::Full).unwrap(), 0);
    assert!(store.user(id).unwrap().unwrap().disabled);
}

/// R14: with an injected clock, pupils who left more than the retention period ago are removed
/// with their records, and each removal is audited.
#[test]
fn retention_purge_with_injected_clock() {
    let (_dir, store) = store();
    // Pupil 002 left on 2020-07-01. Two years later minus a day: nothing happens.
    let r = store.purge_expired("b1", datetime!(2022-06-30 12:00 UTC), "job-1").unwrap();
    assert!(r.pupils.is_empty());
    let r = store.purge_expired("b1", datetime!(2022-07-02 12:00 UTC), "job-2").unwrap();
    assert_eq!(r.pupils, vec![(brin("11AA"), num("002"))]);
    assert_eq!(r.audit_events, 1);
    assert!(store.pupil(&Scope::System, &brin("11AA"), &num("002")).unwrap().is_none());
    assert!(store.pupil(&Scope::System, &brin("11AA"), &num("001")).unwrap().is_some());
    let log = store.audit_log(Some("b1")).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].record.action, "purge");
    assert_eq!(log[0].record.pupil.as_deref(), Some("002"));
    // A board can set a shorter period.
    store.set_retention_months("b1", 1).unwrap();
    assert_eq!(store.retention_months("b1").unwrap(), 1);
    assert_eq!(store.retention_months("b2").unwrap(), 24);
}
