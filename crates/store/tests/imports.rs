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
    let before = store.data_version().unwrap();
    let w = store.import(&[(&pupils(3), record(&school, Some(toml)))], UpsertOptions::default()).unwrap()[0];
    assert_eq!(w.pupils.imported, 3);
    assert_ne!(store.data_version().unwrap(), before, "an import makes cached analyses stale");
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
    let before = store.data_version().unwrap();
    let w = store.import(&[(&pupils(2), record(&school, Some("x = 1")))], dry).unwrap()[0];
    assert_eq!(w.pupils.imported, 2);
    assert_eq!(store.data_version().unwrap(), before, "a dry run changes nothing");
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

/// Scores for pupils 0..n of 11AA on one test, and the pupils and the test.
fn scored(n: usize) -> (Dataset, Dataset) {
    use schoolscan_domain::{Scale, ScaleKind, Score, Subject, Test};
    let test = Test {
        key: Test::make_key("cito", "Spelling", Some("3.0")),
        vendor: "cito".into(),
        name: "Spelling".into(),
        version: Some("3.0".into()),
        subject: Subject::parse("spelling").unwrap(),
        scale: Scale { code: "cito_sp_3".into(), kind: ScaleKind::Vertical, min: 0.0, max: 400.0 },
    };
    let mut records = Dataset::default();
    records.tests.push(test.clone());
    let mut rest = pupils(n);
    for p in &mut rest.pupils {
        p.first_name = Some("Zoë".into());
    }
    for i in 0..n {
        records.scores.push(Score {
            school: brin("11AA"),
            pupil: PupilNumber::parse(&format!("{i}")).unwrap(),
            test_key: test.key.clone(),
            component: None,
            date: time::macros::date!(2021 - 01 - 27),
            moment: None,
            ability: Some(150.0 + i as f64),
            csem: None,
            raw: None,
            level: None,
            percentile: None,
            dle: None,
            reference_level: None,
        });
    }
    (records, rest)
}

fn log_entry(school: &Brin) -> schoolscan_store::ImportLog {
    schoolscan_store::ImportLog {
        school: school.clone(),
        kind: ImportKind::Scores,
        file_name: "t.csv".into(),
        actor: "cli".into(),
        at: "2026-01-05T10:00:00Z".into(),
        read: 6,
        duplicates: 0,
        skipped: 0,
        rejected: 0,
        report_json: "{}".into(),
        remember_mapping: None,
    }
}

#[test]
fn a_streamed_import_counts_and_lands_as_one_batch() {
    use schoolscan_store::ImportPiece;
    let school = brin("11AA");
    let (records, rest) = scored(6);
    // Batch: everything at once.
    let (_d1, batch_store) = setup();
    let mut all = rest.clone();
    all.tests = records.tests.clone();
    all.scores = records.scores.clone();
    let batch = batch_store.upsert(&all, UpsertOptions::default()).unwrap();
    // Streamed: scores in two pieces first (their pupils created bare), pupils at the end.
    let (_d2, store) = setup();
    let mut first = records.clone();
    let second_scores = first.scores.split_off(4);
    let second = Dataset { scores: second_scores, ..Dataset::default() };
    let mut pieces = vec![
        ImportPiece::Records(first),
        ImportPiece::Records(second),
        ImportPiece::End(Box::new(rest.clone()), Box::new(log_entry(&school))),
    ]
    .into_iter();
    let w = store.import_stream(&mut pieces, UpsertOptions::default()).unwrap().unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].scores, w[0].pupils, w[0].tests), (batch.scores, batch.pupils, batch.tests));
    assert_eq!(w[0].pupils.imported, 6);
    assert_eq!(store.counts(&Scope::System).unwrap(), batch_store.counts(&Scope::System).unwrap());
    let a = store.load_dataset(&Scope::System, &Default::default()).unwrap();
    let b = batch_store.load_dataset(&Scope::System, &Default::default()).unwrap();
    assert_eq!((a.pupils, a.scores), (b.pupils, b.scores));
    assert_eq!(store.imports(&Scope::System, &school).unwrap()[0].imported, 6);
    // Again: nothing new.
    let mut pieces = vec![
        ImportPiece::Records(records.clone()),
        ImportPiece::End(Box::new(rest.clone()), Box::new(log_entry(&school))),
    ]
    .into_iter();
    let w = store.import_stream(&mut pieces, UpsertOptions::default()).unwrap().unwrap();
    assert_eq!((w[0].scores.imported, w[0].pupils.imported, w[0].pupils.unchanged), (0, 0, 6));
}

#[test]
fn an_aborted_or_unclosed_stream_writes_nothing() {
    use schoolscan_store::ImportPiece;
    let school = brin("11AA");
    let (_d, store) = setup();
    let (records, rest) = scored(3);
    for tail in [Some(ImportPiece::Abort), None] {
        let mut pieces: Vec<ImportPiece> = vec![
            ImportPiece::Records(records.clone()),
            ImportPiece::End(Box::new(rest.clone()), Box::new(log_entry(&school))),
            ImportPiece::Records(records.clone()),
        ];
        pieces.extend(tail);
        let r = store.import_stream(&mut pieces.into_iter(), UpsertOptions::default()).unwrap();
        assert!(r.is_none());
        assert_eq!(store.counts(&Scope::System).unwrap().scores, 0);
        assert!(store.imports(&Scope::System, &school).unwrap().is_empty());
    }
    // A dry run reports and rolls back.
    let mut pieces =
        vec![ImportPiece::Records(records), ImportPiece::End(Box::new(rest), Box::new(log_entry(&school)))]
            .into_iter();
    let dry = UpsertOptions { dry_run: true, ..Default::default() };
    let w = store.import_stream(&mut pieces, dry).unwrap().unwrap();
    assert_eq!(w[0].scores.imported, 3);
    assert_eq!(store.counts(&Scope::System).unwrap().scores, 0);
}

#[test]
fn a_streamed_import_appends_its_audit_record_in_its_own_transaction() {
    use schoolscan_auth::audit::AuditRecord;
    use schoolscan_store::{AccessStore, ImportAudit, ImportPiece};
    let school = brin("11AA");
    let (_d, store) = setup();
    let (records, rest) = scored(3);
    let audit = || {
        ImportPiece::Audit(Box::new(ImportAudit {
            board: "b1".into(),
            record: AuditRecord {
                time_utc: "2026-01-05T10:00:00Z".into(),
                actor_id: None,
                actor: "cli".into(),
                actor_role: "system".into(),
                acting_for: "b1/11AA".into(),
                school: Some("11AA".into()),
                group: None,
                pupil: None,
                category: "toets".into(),
                action: "create".into(),
                route: "schoolscan import scores".into(),
                request_id: "import-1".into(),
                outcome: "allowed".into(),
            },
        }))
    };
    let pieces = || {
        vec![
            ImportPiece::Records(records.clone()),
            ImportPiece::End(Box::new(rest.clone()), Box::new(log_entry(&school))),
            audit(),
        ]
    };
    // Rolled back (aborted, or a dry run): no record either.
    let mut aborted = pieces();
    aborted.push(ImportPiece::Abort);
    assert!(store.import_stream(&mut aborted.into_iter(), UpsertOptions::default()).unwrap().is_none());
    let dry = UpsertOptions { dry_run: true, ..Default::default() };
    store.import_stream(&mut pieces().into_iter(), dry).unwrap().unwrap();
    assert!(store.audit_log(None).unwrap().is_empty());
    // Committed: the rows, the log row and the audit record, which joins the chain.
    store.import_stream(&mut pieces().into_iter(), UpsertOptions::default()).unwrap().unwrap();
    assert_eq!(store.counts(&Scope::System).unwrap().scores, 3);
    assert_eq!(store.imports(&Scope::System, &school).unwrap().len(), 1);
    let log = store.audit_log(Some("b1")).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].record.route.as_str(), log[0].seq), ("schoolscan import scores", 1));
}
