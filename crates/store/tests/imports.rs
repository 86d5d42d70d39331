#![allow(clippy::unwrap_used)]
//! The import log and remembered mappings: written with the records in one transaction.

use schoolscan_domain::{Board, Brin, Dataset, GroupName, Pupil, PupilNumber, School, SchoolYear};
use schoolscan_store::{ImportKind, ImportRecord, ImportStore, Scope, SqliteStore, Store, UpsertOptions};

fn brin(s: &str) -> Brin {
    Brin::parse(s).unwrap()
}

fn setup() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    let mut ds = Dataset::default();
    ds.boards.push(Board { key: "b1".into(), name: "Bestuur".into() });
    ds.schools.push(School { brin: brin("11AA"), name: "De Eik".into(), board: "b1".into() });
    ds.schools.push(School { brin: brin("22BB"), name: "De Linde".into(), board: "b1".into() });
    store.upsert(&ds, UpsertOptions::default()).unwrap();
    (dir, store)
}

fn pupils(n: usize) -> Dataset {
    let mut ds = Dataset::default();
    for i in 0..n {
        ds.pupils.push(Pupil::new(brin("11AA"), PupilNumber::parse(&format!("{i}")).unwrap()));
    }
    ds
}

fn record<'a>(school: &'a Brin, mapping: Option<&'a str>) -> ImportRecord<'a> {
    ImportRecord {
        school,
        kind: ImportKind::Pupils,
        file_name: "leerlingen.csv",
        actor: "cli",
        at: "2026-01-05T10:00:00Z",
        read: 4,
        duplicates: 1,
        skipped: 0,
        rejected: 0,
        report_json: r#"{"file":"leerlingen.csv","read":4,"imported":0,"updated":0}"#,
        remember_mapping: mapping,
    }
}

#[test]
fn import_logs_and_remembers_the_mapping_in_the_same_transaction() {
    let (_d, store) = setup();
    let school = brin("11AA");
    let toml = "[kolommen]\n\"Nr\" = \"leerlingnummer\"\n";
    let w = store.import(&[(&pupils(3), record(&school, Some(toml)))], UpsertOptions::default()).unwrap()[0];
    assert_eq!(w.pupils.imported, 3);
    assert_eq!(store.import_mapping(&school, ImportKind::Pupils).unwrap().as_deref(), Some(toml));
    assert_eq!(store.import_mapping(&school, ImportKind::Scores).unwrap(), None);
    let log = store.imports(&Scope::System, &school).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].read, log[0].imported, log[0].duplicates), (4, 3, 1));
    // The stored report carries the write's counts.
    assert_eq!(log[0].report["imported"], 3);

    // Again: nothing new, a second log row, newest first.
    store.import(&[(&pupils(3), record(&school, None))], UpsertOptions::default()).unwrap();
    let log = store.imports(&Scope::System, &school).unwrap();
    assert_eq!(log.iter().map(|e| e.imported).collect::<Vec<_>>(), vec![0, 3]);
    assert_eq!(store.import_mapping(&school, ImportKind::Pupils).unwrap().as_deref(), Some(toml));
}

#[test]
fn dry_run_and_failed_imports_log_nothing() {
    let (_d, store) = setup();
    let school = brin("11AA");
    let dry = UpsertOptions { dry_run: true, ..Default::default() };
    let w = store.import(&[(&pupils(2), record(&school, Some("x = 1")))], dry).unwrap()[0];
    assert_eq!(w.pupils.imported, 2);
    assert!(store.imports(&Scope::System, &school).unwrap().is_empty());
    assert_eq!(store.import_mapping(&school, ImportKind::Pupils).unwrap(), None);
    assert_eq!(store.counts(&Scope::System).unwrap().pupils, 0);

    // A pupil of an unknown school fails the whole import: no records, no log, no mapping.
    let mut bad = pupils(2);
    bad.pupils.push(Pupil::new(brin("99ZZ"), PupilNumber::parse("1").unwrap()));
    // Two files in one command: the second fails, so the first does not land either.
    let good = pupils(2);
    let items = [(&good, record(&school, None)), (&bad, record(&school, Some("x = 1")))];
    assert!(store.import(&items, UpsertOptions::default()).is_err());
    assert!(store.imports(&Scope::System, &school).unwrap().is_empty());
    assert_eq!(store.import_mapping(&school, ImportKind::Pupils).unwrap(), None);
    assert_eq!(store.counts(&Scope::System).unwrap().pupils, 0);
}

#[test]
fn the_log_is_seen_only_by_whole_school_scopes() {
    let (_d, store) = setup();
    let school = brin("11AA");
    store.import(&[(&pupils(1), record(&school, None))], UpsertOptions::default()).unwrap();
    let sees = |scope: Scope| !store.imports(&scope, &school).unwrap().is_empty();
    assert!(sees(Scope::Board { board: "b1".into() }));
    assert!(sees(Scope::Schools { schools: vec![school.clone()] }));
    assert!(!sees(Scope::Schools { schools: vec![brin("22BB")] }));
    assert!(!sees(Scope::Board { board: "other".into() }));
    assert!(!sees(Scope::Aggregates { schools: vec![school.clone()] }));
    assert!(!sees(Scope::Nothing));
    assert!(!sees(Scope::Groups {
        school: school.clone(),
        year: SchoolYear::new(2020),
        groups: vec![GroupName::parse("5A").unwrap()],
    }));
}
