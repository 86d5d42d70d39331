#![allow(clippy::unwrap_used)]
//! `schoolscan analyse` end to end: the real binary on a demo database.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn schoolscan(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schoolscan")).arg("--db").arg(db).args(args).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn num_or_null(v: &Value, what: &str) {
    assert!(v.is_null() || v.is_f64() || v.is_u64() || v.is_i64(), "{what}: {v}");
}

fn interval_or_null(v: &Value, what: &str) {
    if v.is_null() {
        return;
    }
    let a = v.as_array().unwrap_or_else(|| panic!("{what}: {v}"));
    assert_eq!(a.len(), 2, "{what}: {v}");
    let (lo, hi) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
    assert!(lo <= hi, "{what}: {v}");
}

fn list<'a>(f: &'a Value, key: &str) -> &'a Vec<Value> {
    f.get(key).and_then(Value::as_array).unwrap_or_else(|| panic!("list {key} missing"))
}

#[test]
fn analyse_a_demo_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(&schoolscan(&db, &["demo"]));

    // Without a year and moment: the latest moment since the closure with pupils to compare.
    let latest: Value =
        serde_json::from_str(&ok(&schoolscan(&db, &["analyse", "--format", "json"]))).unwrap();
    let start: i32 = latest["target"]["year"].as_str().unwrap()[..4].parse().unwrap();
    assert!(start >= 2020, "{}", latest["target"]);
    assert!(list(&latest, "subjects").iter().any(|s| s["n"].as_u64().unwrap() >= 10));

    // The whole board at the first moment after the reopening, as JSON.
    let f: Value = serde_json::from_str(&ok(&schoolscan(
        &db,
        &["analyse", "--year", "2020-2021", "--moment", "M", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(f["target"]["label"], "2020-2021 M");
    assert!(f["version"].as_str().unwrap().starts_with("1."));
    assert!(f["scope"]["school"].is_null());
    assert!(f["scope"]["schools"].as_array().unwrap().len() >= 3);
    for key in ["config", "seo", "target"] {
        assert!(f[key].is_object(), "{key} missing");
    }
    assert!(f["config"]["school"].is_null());
    for key in ["cohorts", "subgroups", "recovery", "components", "classes"] {
        assert!(!list(&f, key).is_empty(), "{key} is empty");
    }

    // Subjects: most delayed first, with months, interval, effect size and n.
    let subjects = list(&f, "subjects");
    assert!(subjects.len() >= 3);
    let delays: Vec<f64> = subjects.iter().map(|s| s["delay_months"].as_f64().unwrap()).collect();
    assert!(delays.windows(2).all(|w| w[0] >= w[1]), "not most delayed first: {delays:?}");
    for s in subjects {
        assert!(s["subject"].is_string());
        interval_or_null(&s["ci95"], "subjects.ci95");
        let ci = s["ci95"].as_array().unwrap();
        let d = s["delay_months"].as_f64().unwrap();
        assert!(ci[0].as_f64().unwrap() <= d && d <= ci[1].as_f64().unwrap());
        num_or_null(&s["effect_size"], "subjects.effect_size");
        assert!(s["n"].as_u64().unwrap() >= 10);
    }

    // Growth percentiles (issue 5): on the subjects and per pupil.
    for s in subjects {
        let m = s["median_growth_percentile"].as_f64().unwrap();
        interval_or_null(&s["median_growth_percentile_ci95"], "median_growth_percentile_ci95");
        assert!((1.0..=99.0).contains(&m));
        assert!(s["n_growth_percentile"].as_u64().unwrap() >= 10);
        assert!(s["sgp_basis"].is_string());
    }
    assert!(!list(&f, "growth_percentiles").is_empty());
    assert!(!list(&f, "sgp_models").is_empty());

    // Grades and classes.
    let grades = list(&f, "grades");
    assert!(!grades.is_empty());
    for g in grades.iter().chain(list(&f, "classes")) {
        assert!(g["school"].is_string() && g["subject"].is_string());
        assert!((1..=8).contains(&g["grade"].as_u64().unwrap()));
        num_or_null(&g["delay_months"], "grades.delay_months");
        interval_or_null(&g["ci95"], "grades.ci95");
        assert!(g["n"].is_u64());
        let dev = &g["deviates"];
        assert!(dev.is_null() || dev == "negative" || dev == "positive", "deviates {dev}");
    }
    assert!(list(&f, "classes").iter().all(|c| c["group"].is_string()));
    // The demo board injects a deviating jaargroep: at least one is marked.
    assert!(grades.iter().any(|g| !g["deviates"].is_null()), "no deviating jaargroep found");

    // Pupils who stand out.
    let pupils = list(&f, "pupils");
    assert!(!pupils.is_empty());
    for p in pupils {
        assert!(p["pupil"].is_string() && p["school"].is_string());
        assert!(p["grade"].is_u64());
        assert!(p["subject"].is_null() || p["subject"].is_string());
        assert!(p["direction"] == "negative" || p["direction"] == "positive");
        num_or_null(&p["delay_months"], "pupils.delay_months");
        interval_or_null(&p["ci95"], "pupils.ci95");
        let g = &p["growth_percentile"];
        assert!(g.is_null() || (1..=99).contains(&g.as_u64().unwrap()), "growth_percentile {g}");
    }
    assert!(pupils.iter().any(|p| p["subject"].is_null()), "no across-subjects signal");

    // One school, an explicit moment, and the Dutch text.
    let brin = f["scope"]["schools"][0].as_str().unwrap().to_owned();
    let label = f["target"]["label"].as_str().unwrap().to_owned();
    let (year, moment) = label.split_once(' ').unwrap();
    let one: Value = serde_json::from_str(&ok(&schoolscan(
        &db,
        &["analyse", "--school", &brin, "--year", year, "--moment", moment, "--format", "json"],
    )))
    .unwrap();
    assert_eq!(one["scope"]["school"], brin.as_str());
    assert_eq!(one["target"]["label"], label.as_str());
    assert!(list(&one, "grades").iter().all(|g| g["school"] == brin.as_str()));
    let text = ok(&schoolscan(&db, &["analyse", "--school", &brin, "--year", year, "--moment", moment]));
    assert!(text.contains("Analyse leergroei"), "{text}");
    assert!(text.contains("mediaan groeipercentiel"), "{text}");
    assert!(text.contains(&format!("school {brin}")), "{text}");
}

#[test]
fn analyse_errors_are_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leeg.db");
    let out = schoolscan(&db, &["analyse"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("geen toetsscores"), "{err}");

    ok(&schoolscan(&db, &["demo"]));
    let out = schoolscan(&db, &["analyse", "--school", "99ZZ"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("school 99ZZ komt niet voor"), "{err}");

    let out = schoolscan(&db, &["analyse", "--moment", "X"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ongeldig toetsmoment"));

    // A moment without data after the closure.
    let out = schoolscan(&db, &["analyse", "--year", "2030-2031"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("geen toetsmoment na de schoolsluiting"), "{err}");
}
