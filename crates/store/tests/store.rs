#![allow(clippy::unwrap_used)]
//! Store behaviour through the public API on a real SQLite file.

use schoolscan_domain::{
    Board, Brin, Dataset, Enrolment, Grade, GroupName, Pupil, PupilNumber, Scale, ScaleKind, School,
    SchoolYear, Score, Subject, Test,
};
use schoolscan_store::{DatasetFilter, Scope, SqliteStore, Store, StoreError, UpsertOptions};
use time::macros::date;

fn brin(s: &str) -> Brin {
    Brin::parse(s).unwrap()
}

fn small_dataset() -> Dataset {
    let mut ds = Dataset::default();
    ds.boards.push(Board { key: "b1".into(), name: "Bestuur Eén".into() });
    ds.boards.push(Board { key: "b2".into(), name: "Bestuur Twee".into() });
    ds.schools.push(School { brin: brin("11AA"), name: "De Eik".into(), board: "b1".into() });
    ds.schools.push(School { brin: brin("22BB"), name: "'t Klaverblad".into(), board: "b1".into() });
    ds.schools.push(School { brin: brin("33CC"), name: "Elders".into(), board: "b2".into() });
    let test = Test {
        key: Test::make_key("cito", "Rekenen-Wiskunde", Some("3.0")),
        vendor: "cito".into(),
        name: "Rekenen-Wiskunde".into(),
        version: Some("3.0".into()),
        subject: Subject::parse("rekenen_wiskunde").unwrap(),
        scale: Scale { code: "cito_rw_3".into(), kind: ScaleKind::Vertical, min: 0.0, max: 250.0 },
    };
    ds.tests.push(test.clone());
    for (school, group, n) in [("11AA", "5A", 3), ("11AA", "5B", 2), ("22BB", "5/6", 2), ("33CC", "5", 1)] {
        for i in 0..n {
            let number = PupilNumber::parse(&format!("{group}-{i:03}")).unwrap();
            let mut p = Pupil::new(brin(school), number.clone());
            p.first_name = Some("Zoë".into());
            p.prefix = Some("van 't".into());
            p.last_name = Some("Hof".into());
            ds.pupils.push(p);
            ds.enrolments.push(Enrolment {
                school: brin(school),
                pupil: number.clone(),
                year: SchoolYear::new(2020),
                group: GroupName::parse(group).unwrap(),
                grade: Grade::new(5).unwrap(),
            });
            ds.scores.push(Score {
                school: brin(school),
                pupil: number,
                test_key: test.key.clone(),
                component: None,
                date: date!(2021 - 03 - 15),
                moment: Some("M5".parse().unwrap()),
                ability: Some(80.0 + f64::from(i)),
                csem: Some(5.5),
                raw: None,
                level: Some("III".into()),
                percentile: None,
                dle: None,
                reference_level: None,
            });
        }
    }
    ds
}

fn open_temp() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    (dir, store)
}

#[test]
fn upsert_is_idempotent_and_counts_changes() {
    let (_d, store) = open_temp();
    let ds = small_dataset();
    let r1 = store.upsert(&ds, UpsertOptions::default()).unwrap();
    assert_eq!(r1.scores.imported, 8);
    assert_eq!(r1.pupils.imported, 8);
    let r2 = store.upsert(&ds, UpsertOptions::default()).unwrap();
    assert_eq!(r2.scores.imported, 0);
    assert_eq!(r2.scores.updated, 0);
    assert_eq!(r2.scores.unchanged, 8);
    assert_eq!(r2.pupils.unchanged, 8);
    // One corrected score: only that row changes.
    let mut ds2 = ds.clone();
    ds2.scores[0].ability = Some(99.0);
    let r3 = store.upsert(&ds2, UpsertOptions::default()).unwrap();
    assert_eq!((r3.scores.imported, r3.scores.updated, r3.scores.unchanged), (0, 1, 7));
    let back = store.load_dataset(&Scope::System, &DatasetFilter::default()).unwrap();
    assert_eq!(back.scores.len(), 8);
    assert!(back.scores.iter().any(|s| s.ability == Some(99.0)));
    assert!(back.pupils.iter().all(|p| p.display_name() == "Zoë van 't Hof"));
}

#[test]
fn dry_run_writes_nothing() {
    let (_d, store) = open_temp();
    let r = store.upsert(&small_dataset(), UpsertOptions { dry_run: true, ..Default::default() }).unwrap();
    assert_eq!(r.scores.imported, 8);
    assert_eq!(store.counts(&Scope::System).unwrap().scores, 0);
}

#[test]
fn failed_batch_leaves_database_as_it_was() {
    let (_d, store) = open_temp();
    store.upsert(&small_dataset(), UpsertOptions::default()).unwrap();
    let before = store.counts(&Scope::System).unwrap();
    let mut bad = small_dataset();
    for s in &mut bad.scores {
        s.date = date!(2021 - 06 - 15);
    }
    bad.scores.last_mut().unwrap().test_key = "onbekend".into();
    let err = store.upsert(&bad, UpsertOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::UnknownTest(_)));
    assert_eq!(store.counts(&Scope::System).unwrap(), before);
}

#[test]
fn reads_respect_scope() {
    let (_d, store) = open_temp();
    store.upsert(&small_dataset(), UpsertOptions::default()).unwrap();
    let all = store.counts(&Scope::System).unwrap();
    assert_eq!((all.boards, all.schools, all.pupils, all.groups), (2, 3, 8, 4));
    let b1 = store.counts(&Scope::Board { board: "b1".into() }).unwrap();
    assert_eq!((b1.schools, b1.pupils, b1.scores), (2, 7, 7));
    let teacher = Scope::Groups {
        school: brin("11AA"),
        year: SchoolYear::new(2020),
        groups: vec![GroupName::parse("5B").unwrap()],
    };
    let t = store.load_dataset(&teacher, &DatasetFilter::default()).unwrap();
    assert_eq!(t.pupils.len(), 2);
    assert!(t.pupils.iter().all(|p| p.number.as_str().starts_with("5B")));
    assert_eq!(t.scores.len(), 2);
    let parent = Scope::Pupils { school: brin("22BB"), pupils: vec![PupilNumber::parse("5/6-001").unwrap()] };
    let p = store.load_dataset(&parent, &DatasetFilter::default()).unwrap();
    assert_eq!(p.pupils.len(), 1);
    assert_eq!(p.scores.len(), 1);
    // A parent scope naming a pupil of another school sees nothing.
    let wrong = Scope::Pupils { school: brin("11AA"), pupils: vec![PupilNumber::parse("5/6-001").unwrap()] };
    assert_eq!(store.counts(&wrong).unwrap().pupils, 0);
    assert_eq!(store.counts(&Scope::Nothing).unwrap().pupils, 0);
    assert!(store.schools(&Scope::Nothing).unwrap().is_empty());
    let summaries = store.schools(&Scope::Board { board: "b1".into() }).unwrap();
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries.iter().map(|s| s.scores).sum::<u64>(), 7);
}

#[test]
fn replace_board_twice_gives_same_database() {
    let (_d, store) = open_temp();
    let ds = small_dataset();
    store.replace_board(&ds).unwrap();
    let c1 = store.counts(&Scope::System).unwrap();
    store.replace_board(&ds).unwrap();
    assert_eq!(store.counts(&Scope::System).unwrap(), c1);
}

#[test]
fn refuses_a_database_without_wal() {
    let err = SqliteStore::open(":memory:").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Pragma { setting: "journal_mode", .. }), "{msg}");
    assert!(msg.contains("journal_mode"));
}

#[test]
fn reopening_keeps_settings_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        s.upsert(&small_dataset(), UpsertOptions::default()).unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.counts(&Scope::System).unwrap().scores, 8);
    let conn = rusqlite_free_check(&path);
    assert_eq!(conn, "wal");
}

/// Read the journal mode of the file with a plain SQLite connection opened by the store's API.
fn rusqlite_free_check(path: &std::path::Path) -> String {
    // The WAL mode is persistent in the file header: a new store opened on it reports WAL.
    let s = SqliteStore::open(path).unwrap();
    drop(s);
    let bytes = std::fs::read(path).unwrap();
    // Bytes 18 and 19 of the header are 2 when the database is in WAL mode.
    if bytes.len() > 19 && bytes[18] == 2 && bytes[19] == 2 { "wal".into() } else { "other".into() }
}

#[test]
fn a_new_database_passes_the_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = schoolscan_store::SqliteStore::open(dir.path().join("t.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
}
