#![allow(clippy::unwrap_used)]
//! R2: the authorization matrix, generated from the policy table. For every role-restricted
//! route × every role × every object position, the real router must answer exactly as the table
//! says: where access is not allowed, 404 with an empty body.

mod common;

use axum::http::StatusCode;
use common::{TestApp, YEAR};
use schoolscan_auth::Role;
use schoolscan_auth::policy::{Access, Method, Object, Position, ROUTES};

/// The concrete object of each kind at each position (see the fixture in `common`).
fn path_for(app: &TestApp, pattern: &str, object: Object, pos: Position) -> String {
    let year = format!("{YEAR}-{}", YEAR + 1);
    let (school, number, group) = match pos {
        Position::Own => ("10AA", "1001", "5A"),
        Position::OtherGroup => ("10AA", "1002", "6A"),
        Position::OtherSchool => ("20BB", "2001", "5"),
        Position::OtherBoard => ("30CC", "3001", "5"),
        Position::Missing => ("99ZZ", "9999", "8Z"),
    };
    let school = if object == Object::Pupil && pos == Position::Missing { "10AA" } else { school };
    let account = match pos {
        Position::Own => app.ids["extra"].to_string(),
        Position::OtherBoard => app.ids["vreemd"].to_string(),
        _ => "999999".to_owned(),
    };
    let note =
        if object == Object::Pupil && pos != Position::Missing { app.note_id(school, number) } else { 1 };
    pattern
        .replace("{brin}", school)
        .replace("{number}", number)
        .replace("{year}", &year)
        .replace("{group}", group)
        .replace("{grade}", "5")
        .replace("{id}", &account)
        .replace("{note}", &note.to_string())
}

#[tokio::test]
async fn authorization_matrix_has_no_leaks() {
    let app = TestApp::new().await;
    let mut cases = 0usize;
    let mut leaks = Vec::new();
    let mut over_denied = Vec::new();
    let routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Roles(_) | Access::AnyUser))
        .filter(|r| !(r.method == Method::Post && r.path == "/uitloggen"))
        .collect();
    for role in Role::ALL {
        let client = app.login(role).await;
        for r in &routes {
            for &pos in Position::applicable(r.object) {
                let path = path_for(&app, r.path, r.object, pos);
                let form: &[(&str, &str)] =
                    &[("tekst", "matrixtest"), ("reden", "matrixtest"), ("soort", "observatie")];
                let resp = match r.method {
                    Method::Get => app.get(&client, &path).await,
                    Method::Post => app.post(&client, &path, form).await,
                };
                cases += 1;
                let denied = resp.status == StatusCode::NOT_FOUND && resp.body.is_empty();
                if r.allows(role, pos) {
                    // Reached the handler: success, a redirect back, or a validation answer (422).
                    let ok = resp.status.is_success()
                        || resp.status == StatusCode::SEE_OTHER
                        || resp.status == StatusCode::UNPROCESSABLE_ENTITY;
                    if !ok || resp.body.contains("/inloggen\"") {
                        over_denied.push(format!("{role} {} {path} → {}", r.method.as_str(), resp.status));
                    }
                } else if !denied {
                    leaks.push(format!(
                        "{role} {} {path} → {} ({} bytes)",
                        r.method.as_str(),
                        resp.status,
                        resp.body.len()
                    ));
                }
            }
        }
        // Keep every session within its idle timeout.
        app.clock.advance(time::Duration::seconds(1));
    }
    println!("authorization matrix: {} routes, {cases} cases, {} leaks", routes.len(), leaks.len());
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
    assert!(over_denied.is_empty(), "allowed cases refused:\n{}", over_denied.join("\n"));
    assert!(cases > 500, "{cases}");
}

/// The schoolscan pages show pupil-level data (the risk register, conversations per class): on
/// every one of them a teacher sees the pupils of their own groups only, the board's quality
/// officer sees none, and the IB'er sees the whole school. No page shows the text of a note.
#[tokio::test]
async fn scan_pages_show_a_teacher_only_their_own_groups() {
    use schoolscan_domain::{Informant, Note, NoteKind, Rating, SchoolYear, StepStatus};
    use schoolscan_scan::StepContent;
    use schoolscan_scan::steps::{
        ChosenDomain, CollectStep, DomainsStep, LvsStatus, Priority, RiskEntry, RiskGroup,
    };
    use schoolscan_store::{AccessStore, Scope, StepSave, Store};

    let app = TestApp::new().await;
    let school = common::brin("10AA");
    let year = SchoolYear::new(YEAR);
    let save = |step: u8, content: StepContent| {
        let v = serde_json::to_value(content).unwrap();
        app.store
            .save_scan_step(
                &Scope::System,
                &StepSave {
                    school: &school,
                    year,
                    step,
                    status: StepStatus::InProgress,
                    content: &v,
                    expected_version: 0,
                    user: "ib",
                },
                "2026-01-05T09:00:00Z",
            )
            .unwrap();
    };
    save(
        1,
        StepContent::Domains(DomainsStep {
            chosen: vec![ChosenDomain {
                id: "welbevinden".into(),
                priority: Priority::Moet,
                lvs_status: LvsStatus::NietInLvs,
                rationale: String::new(),
            }],
            custom: vec![],
        }),
    );
    let entry = |p: &str| RiskEntry {
        pupil: p.into(),
        groups: vec![RiskGroup::Noodopvang],
        note: format!("notitie-{p}"),
    };
    save(
        3,
        StepContent::Collect(CollectStep {
            plans: vec![],
            risk_register: vec![entry("1001"), entry("1002"), entry("1003")],
        }),
    );
    for number in ["1001", "1002"] {
        app.store
            .add_note(
                &Scope::System,
                &Note {
                    school: school.clone(),
                    pupil: common::num(number),
                    kind: NoteKind::GesprekOuder,
                    informant: Informant::Ouder,
                    date: time::macros::date!(2023 - 01 - 20),
                    author: "ib".into(),
                    domains: vec!["welbevinden".into()],
                    ratings: vec![("welbevinden".into(), Rating::Zorg)],
                    text: Some(format!("{} geheim", common::CANARY_NOTE)),
                },
            )
            .unwrap();
    }
    // Every scan page a teacher may open (step 5 is for the school's leaders and IB).
    let scan_gets: Vec<_> = ROUTES
        .iter()
        .filter(|r| r.method == Method::Get && r.path.starts_with("/scholen/{brin}/scan/"))
        .filter(|r| r.admits(Role::Teacher))
        .collect();
    assert!(scan_gets.len() >= 6, "{}", scan_gets.len());
    let own = |p: &str| {
        p.replace("{brin}", "10AA")
            .replace("{year}", "2022-2023")
            .replace("{group}", "5A")
            .replace("{grade}", "5")
            .replace("{number}", "1001")
    };
    let other_pupils = ["1002", "1003", "de Boer", "Visser", common::CANARY_OTHER_NAME, "notitie-1002"];

    let teacher = app.login(Role::Teacher).await;
    let mut seen_own = false;
    for r in &scan_gets {
        let resp = app.get(&teacher, &own(r.path)).await;
        assert_eq!(resp.status, StatusCode::OK, "{}", r.path);
        for other in other_pupils {
            assert!(!resp.body.contains(other), "teacher sees {other} on {}", r.path);
        }
        assert!(!resp.body.contains(common::CANARY_NOTE), "note text on {}", r.path);
        seen_own |= resp.body.contains("notitie-1001");
    }
    assert!(seen_own, "the teacher sees their own pupil in the risk register");
    // The class entry of another group is not the teacher's.
    let other_group = app.get(&teacher, "/scholen/10AA/scan/2022-2023/stap/3/groep/6A").await;
    assert!(other_group.status == StatusCode::NOT_FOUND && other_group.body.is_empty());
    // The teacher's class page shows the parent's rating of their own pupil.
    let class = app.get(&teacher, "/scholen/10AA/scan/2022-2023/stap/3/groep/5A").await;
    assert!(class.body.contains("ouder: <strong>zorg</strong>"), "{}", class.body);

    let ib = app.login(Role::InternBegeleider).await;
    let step3 = app.get(&ib, "/scholen/10AA/scan/2022-2023/stap/3").await;
    for n in ["notitie-1001", "notitie-1002", "notitie-1003"] {
        assert!(step3.body.contains(n), "IB misses {n}");
    }
    let class6 = app.get(&ib, "/scholen/10AA/scan/2022-2023/stap/3/groep/6A").await;
    assert!(class6.body.contains("ouder: <strong>zorg</strong>"));

    let quality = app.login(Role::QualityOfficer).await;
    let step3 = app.get(&quality, "/scholen/10AA/scan/2022-2023/stap/3").await;
    assert_eq!(step3.status, StatusCode::OK);
    for n in ["notitie-1001", "notitie-1002", "Jansen", "de Boer"] {
        assert!(!step3.body.contains(n), "quality officer sees {n}");
    }
}
