#![allow(clippy::unwrap_used)]
//! Scans: get-or-create, optimistic locking, copy from last year, scope.

use schoolscan_domain::{Board, Brin, Dataset, School, SchoolYear, StepStatus};
use schoolscan_store::{Scope, SqliteStore, StepSave, Store, StoreError, UpsertOptions};

fn setup() -> (tempfile::TempDir, SqliteStore, Brin) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("s.db")).unwrap();
    let mut ds = Dataset::default();
    ds.boards.push(Board { key: "b".into(), name: "B".into() });
    ds.boards.push(Board { key: "c".into(), name: "C".into() });
    let brin = Brin::parse("12AB").unwrap();
    ds.schools.push(School { brin: brin.clone(), name: "De Ster".into(), board: "b".into() });
    ds.schools.push(School { brin: Brin::parse("34CD").unwrap(), name: "Ander".into(), board: "c".into() });
    store.upsert(&ds, UpsertOptions::default()).unwrap();
    (dir, store, brin)
}

#[test]
fn optimistic_locking_refuses_a_stale_save() {
    let (_d, store, brin) = setup();
    let scope = Scope::Schools { schools: vec![brin.clone()] };
    let year = SchoolYear::new(2020);
    let scan = store.scan(&scope, &brin, year).unwrap();
    assert_eq!(scan.steps.len(), 8);
    assert!(scan.steps.iter().all(|s| s.version == 0 && s.status == StepStatus::NotStarted));
    let content = serde_json::json!({"chosen": []});
    let save = |v: i64, who: &str| {
        store.save_scan_step(
            &scope,
            &StepSave {
                school: &brin,
                year,
                step: 1,
                status: StepStatus::InProgress,
                content: &content,
                expected_version: v,
                user: who,
            },
            "2021-04-01T10:00:00Z",
        )
    };
    assert_eq!(save(0, "ib").unwrap(), 1);
    // A second user who also started from version 0 is refused, not silently overwritten.
    let err = save(0, "directeur").unwrap_err();
    assert!(matches!(err, StoreError::Conflict { step: 1, expected: 0, found: 1 }));
    assert!(err.to_string().contains("opnieuw"));
    assert_eq!(save(1, "directeur").unwrap(), 2);
    let scan = store.scan(&scope, &brin, year).unwrap();
    assert_eq!(scan.steps[0].updated_by.as_deref(), Some("directeur"));
    assert_eq!(scan.steps[0].status, StepStatus::InProgress);
}

#[test]
fn copy_from_last_year_and_scope() {
    let (_d, store, brin) = setup();
    let scope = Scope::Board { board: "b".into() };
    for step in [1u8, 5, 7] {
        store
            .save_scan_step(
                &scope,
                &StepSave {
                    school: &brin,
                    year: SchoolYear::new(2020),
                    step,
                    status: StepStatus::Done,
                    content: &serde_json::json!({"step": step}),
                    expected_version: 0,
                    user: "ib",
                },
                "t",
            )
            .unwrap();
    }
    let n = store.copy_scan(&scope, &brin, SchoolYear::new(2020), SchoolYear::new(2021), "ib", "t2").unwrap();
    assert_eq!(n, 2); // steps 1 and 7; step 5 (conclusions) is about one year
    let s = store.scan(&scope, &brin, SchoolYear::new(2021)).unwrap();
    assert_eq!(s.steps[0].content, serde_json::json!({"step": 1}));
    assert_eq!(s.steps[4].version, 0);
    assert_eq!(s.steps[6].status, StepStatus::InProgress);
    assert_eq!(store.scans(&scope).unwrap().len(), 2);
    // Another board cannot see or touch it.
    let other = Scope::Board { board: "c".into() };
    assert!(matches!(store.scan(&other, &brin, SchoolYear::new(2020)), Err(StoreError::UnknownSchool(_))));
    assert!(store.scans(&other).unwrap().is_empty());
}
