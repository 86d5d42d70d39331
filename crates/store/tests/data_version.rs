#![allow(clippy::unwrap_used)]
//! The data version changes with every write of analysis data, not with a dry run, and differs
//! between databases.

use schoolscan_domain::{Board, Brin, Dataset, Pupil, PupilNumber, School};
use schoolscan_store::{SqliteStore, Store, UpsertOptions};

fn data(first_name: &str) -> Dataset {
    let brin = Brin::parse("10AA").unwrap();
    let mut p = Pupil::new(brin.clone(), PupilNumber::parse("1").unwrap());
    p.first_name = Some(first_name.into());
    Dataset {
        boards: vec![Board { key: "b".into(), name: "B".into() }],
        schools: vec![School { brin, name: "S".into(), board: "b".into() }],
        pupils: vec![p],
        ..Dataset::default()
    }
}

#[test]
fn data_version_follows_writes() {
    let dir = tempfile::tempdir().unwrap();
    let a = SqliteStore::open(dir.path().join("a.db")).unwrap();
    let b = SqliteStore::open(dir.path().join("b.db")).unwrap();
    let v0 = a.data_version().unwrap();
    assert_ne!(v0, b.data_version().unwrap(), "another database, another id");
    a.upsert(&data("Noor"), UpsertOptions { dry_run: true, ..UpsertOptions::default() }).unwrap();
    assert_eq!(a.data_version().unwrap(), v0, "a dry run writes nothing");
    a.upsert(&data("Noor"), UpsertOptions::default()).unwrap();
    let v1 = a.data_version().unwrap();
    assert_ne!(v1, v0);
    a.upsert(&data("Sem"), UpsertOptions::default()).unwrap();
    let v2 = a.data_version().unwrap();
    assert_ne!(v2, v1, "an in-place update counts");
    a.replace_board(&data("Sem")).unwrap();
    assert_ne!(a.data_version().unwrap(), v2);
}
