//! The aggregate page shows the school's delay per subject only through `schoolscan-disclosure`
//! (R8): figures based on at least 10 pupils, suppressed subjects with the table label, and
//! nothing about single pupils.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use schoolscan_auth::Role;
use schoolscan_demo::{DemoConfig, SchoolSpec};

/// The fixture plus a generated school history for 10AA (one group per jaargroep, 2016–2020) instead of its
/// own few scores, so that the analysis has a baseline and current delays.
fn with_history() -> schoolscan_domain::Dataset {
    let mut ds = common::dataset();
    let cfg = DemoConfig {
        board_key: "b1".into(),
        schools: vec![SchoolSpec {
            brin: common::brin("10AA"),
            name: "De Linde".into(),
            ..SchoolSpec::kompas()
        }],
        first_year: 2016,
        last_year: 2020,
        observations: false,
        ..DemoConfig::default()
    };
    let demo = schoolscan_demo::generate(&cfg).dataset;
    for t in demo.tests {
        if !ds.tests.iter().any(|x| x.key == t.key) {
            ds.tests.push(t);
        }
    }
    ds.pupils.extend(demo.pupils);
    ds.enrolments.extend(demo.enrolments);
    // Up to the M moment of 2020-2021 (the demo's primary target): the page analyses the latest.
    ds.scores = demo.scores.into_iter().filter(|s| s.date < time::macros::date!(2021 - 05 - 01)).collect();
    ds
}

#[tokio::test]
async fn small_school_subjects_are_suppressed() {
    let app = TestApp::new().await;
    for role in [Role::MrMember, Role::Municipality] {
        let c = app.login(role).await;
        let r = app.get(&c, "/overzicht/scholen/10AA").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Vertraging per vak"), "{role}");
        assert!(r.body.contains("te weinig leerlingen om te tonen"), "{role}");
        assert!(!r.body.contains("leerlingen)"), "{role}: a delay of a tiny school is shown");
    }
}

#[tokio::test]
async fn school_with_history_shows_delays_of_ten_or_more_pupils() {
    let ds = with_history();
    let cfg = schoolscan_analysis::Config { school: Some(common::brin("10AA")), ..Default::default() };
    let findings = schoolscan_analysis::analyse(&ds, &cfg).unwrap();
    let app = TestApp::with_dataset(ds).await;
    let c = app.login(Role::MrMember).await;
    let r = app.get(&c, "/overzicht/scholen/10AA").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!findings.subjects.is_empty());
    for s in &findings.subjects {
        let n = format!("; {} leerlingen)", s.n);
        assert_eq!(
            r.body.contains(&n),
            s.n >= 10 && s.ci95.is_some(),
            "{} ({} pupils):\n{}",
            s.label,
            s.n,
            r.body
        );
    }
    // Every n printed behind a delay is at least 10.
    for part in r.body.split(" leerlingen)").filter(|p| p.ends_with(char::is_numeric)) {
        let digits: String = part.chars().rev().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let n: u64 = digits
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .chars()
            .rev()
            .collect::<String>()
            .parse()
            .unwrap();
        assert!(n >= 10, "delay shown for {n} pupils");
    }
    for name in ["Noor", "Jansen", "1001"] {
        assert!(!r.body.contains(name), "{name}");
    }
}
