#![allow(clippy::unwrap_used)]
//! The schoolscan pages in-process: optimistic locking with a Dutch conflict message, form
//! validation, copy from last year, and the class entry of step 3.

mod common;

use axum::http::StatusCode;
use common::{TestApp, brin};
use schoolscan_auth::Role;
use schoolscan_domain::{SchoolYear, StepStatus};
use schoolscan_store::{AccessStore, Scope, Store};

const STEP1: &str = "/scholen/10AA/scan/2022-2023/stap/1";

fn step_content(app: &TestApp, year: i32, step: u8) -> (serde_json::Value, StepStatus, i64) {
    let scan = app.store.scan(&Scope::System, &brin("10AA"), SchoolYear::new(year)).unwrap();
    let s = &scan.steps[usize::from(step - 1)];
    (s.content.clone(), s.status, s.version)
}

#[tokio::test]
async fn two_users_in_one_step_do_not_overwrite_each_other() {
    let app = TestApp::new().await;
    let a = app.login(Role::InternBegeleider).await;
    let b = app.login(Role::Director).await;
    for c in [&a, &b] {
        let page = app.get(c, STEP1).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("name=\"versie\" value=\"0\""));
    }
    let r = app.post(&a, STEP1, &[("versie", "0"), ("kies", "welbevinden"), ("status", "bezig")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/scholen/10AA/scan/2022-2023/stap/1?opgeslagen=1"));
    // The director started from version 0 too: refused, with the newest version on the page.
    let r = app.post(&b, STEP1, &[("versie", "0"), ("kies", "motoriek"), ("status", "bezig")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Iemand anders heeft deze stap opgeslagen"), "{}", r.body);
    assert!(r.body.contains("name=\"versie\" value=\"1\""));
    assert!(r.body.contains("id=\"kies-welbevinden\" checked"));
    let (content, status, version) = step_content(&app, 2022, 1);
    assert_eq!((status, version), (StepStatus::InProgress, 1));
    let chosen: Vec<&str> =
        content["chosen"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(chosen, vec!["welbevinden"]);
    // Starting again from version 1 works.
    let r = app.post(&b, STEP1, &[("versie", "1"), ("kies", "motoriek"), ("kies", "welbevinden")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(step_content(&app, 2022, 1).2, 2);
}

#[tokio::test]
async fn invalid_forms_are_refused_in_dutch() {
    let app = TestApp::new().await;
    let ib = app.login(Role::InternBegeleider).await;
    let r = app.post(&ib, STEP1, &[("kies", "welbevinden")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("de versie ontbreekt"));
    let r = app.post(&ib, STEP1, &[("versie", "0"), ("status", "afgerond")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Kies minstens één domein"));
    let r = app
        .post(
            &ib,
            "/scholen/10AA/scan/2022-2023/stap/7",
            &[("versie", "0"), ("t_n", "1"), ("t_rol_0", "leerkracht"), ("t_fte_0", "heel veel")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Regel 1: de FTE is geen getal"), "{}", r.body);
    let r =
        app.post(&ib, "/scholen/10AA/scan/2022-2023/stap/2", &[("versie", "0"), ("drempel", "150")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing was stored.
    assert_eq!(step_content(&app, 2022, 1).2, 0);
    assert_eq!(step_content(&app, 2022, 7).2, 0);
}

#[tokio::test]
async fn last_years_scan_starts_this_years() {
    let app = TestApp::new().await;
    let ib = app.login(Role::InternBegeleider).await;
    let last = "/scholen/10AA/scan/2021-2022";
    let r = app
        .post(
            &ib,
            &format!("{last}/stap/1"),
            &[("versie", "0"), ("kies", "motoriek"), ("prio_motoriek", "later")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let overview = app.get(&ib, "/scholen/10AA/scan/2022-2023").await;
    assert!(overview.body.contains("Overnemen uit 2021-2022"));
    let r = app.post(&ib, "/scholen/10AA/scan/2022-2023/kopie", &[]).await;
    assert_eq!(r.location(), Some("/scholen/10AA/scan/2022-2023?gekopieerd=1"));
    let overview = app.get(&ib, r.location().unwrap()).await;
    assert!(overview.body.contains("1 stap is overgenomen"));
    let (content, status, _) = step_content(&app, 2022, 1);
    assert_eq!(content["chosen"][0]["id"], "motoriek");
    assert_eq!(content["chosen"][0]["priority"], "later");
    assert_eq!(status, StepStatus::InProgress);
    // Steps that were empty last year stay "not started".
    assert_eq!(step_content(&app, 2022, 2).1, StepStatus::NotStarted);
    assert_eq!(step_content(&app, 2022, 7).1, StepStatus::NotStarted);
    // Copying again changes nothing: this year's step 1 is kept.
    let r = app.post(&ib, "/scholen/10AA/scan/2022-2023/kopie", &[]).await;
    assert_eq!(r.location(), Some("/scholen/10AA/scan/2022-2023?gekopieerd=0"));
    // The teacher reads the overview but has no copy button.
    let teacher = app.login(Role::Teacher).await;
    let page = app.get(&teacher, "/scholen/10AA/scan/2022-2023").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Overnemen uit"));
    assert!(!app.get(&teacher, STEP1).await.body.contains("name=\"versie\""), "no form for a teacher");
}

#[tokio::test]
async fn a_teacher_records_ratings_for_their_class() {
    let app = TestApp::new().await;
    let ib = app.login(Role::InternBegeleider).await;
    app.post(&ib, STEP1, &[("versie", "0"), ("kies", "welbevinden"), ("kies", "motivatie")]).await;
    let teacher = app.login(Role::Teacher).await;
    let class = "/scholen/10AA/scan/2022-2023/stap/3/groep/5A";
    let page = app.get(&teacher, class).await;
    assert!(page.body.contains("name=\"w_1001_welbevinden\""));
    let before = app.audit_count();
    let r = app
        .post(
            &teacher,
            class,
            &[
                ("soort", "gesprek_leerling"),
                ("informant", "leerling"),
                ("datum", "2023-01-20"),
                ("w_1001_welbevinden", "zorg"),
                ("w_1001_motivatie", "kracht"),
                ("t_1001", "vertelt dat hij slecht slaapt"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.audit_count(), before + 1, "one audit record for the class entry");
    let d = app.store.dossier(&Scope::System, &brin("10AA"), &common::num("1001")).unwrap().unwrap();
    let note = d.notes.iter().map(|n| &n.note).find(|n| n.author == "juf").unwrap();
    assert_eq!(note.domains, vec!["welbevinden".to_string(), "motivatie".to_string()]);
    assert_eq!(note.text.as_deref(), Some("vertelt dat hij slecht slaapt"));
    let page = app.get(&teacher, r.location().unwrap()).await;
    assert!(page.body.contains("1 verslag is opgeslagen"));
    assert!(page.body.contains("leerling: <strong>zorg</strong>"));
    assert!(page.body.contains("leerling: <strong>sterk punt</strong>"));
    // A date in the future is refused.
    let r = app
        .post(
            &teacher,
            class,
            &[
                ("soort", "observatie"),
                ("informant", "leerkracht"),
                ("datum", "2027-01-01"),
                ("w_1001_welbevinden", "zorg"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("toekomst"));
    let r = app
        .post(
            &teacher,
            class,
            &[
                ("soort", "observatie"),
                ("informant", "leerkracht"),
                ("datum", "2021-01-01"),
                ("w_1001_welbevinden", "zorg"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("valt niet in schooljaar 2022-2023"));
}

/// Step 7 compares the team and partners with what the conclusions of step 5 ask.
#[tokio::test]
async fn capacity_is_set_against_the_conclusions() {
    use schoolscan_scan::StepContent;
    use schoolscan_scan::steps::{ActionLevel, ConcludeStep, Conclusion};
    use schoolscan_store::StepSave;

    let app = TestApp::new().await;
    let conclusion = |id: u32, finding: &str, expertise: &str, hours: f64| Conclusion {
        id,
        finding: finding.into(),
        evidence: String::new(),
        explanations: vec![],
        explanation_other: String::new(),
        consequences: String::new(),
        level: ActionLevel::School,
        priority: u8::try_from(id).unwrap(),
        expertise: expertise.into(),
        hours_needed: hours,
    };
    let content = serde_json::to_value(StepContent::Conclude(ConcludeStep {
        conclusions: vec![
            conclusion(1, "Begrijpend lezen groep 6 blijft achter", "begrijpend lezen", 4.0),
            conclusion(2, "Welbevinden groep 7 daalde", "sociaal-emotioneel, dyscalculie", 3.0),
        ],
    }))
    .unwrap();
    app.store
        .save_scan_step(
            &Scope::System,
            &StepSave {
                school: &brin("10AA"),
                year: SchoolYear::new(2022),
                step: 5,
                status: StepStatus::InProgress,
                content: &content,
                expected_version: 0,
                user: "ib",
            },
            "2026-01-05T09:00:00Z",
        )
        .unwrap();
    let ib = app.login(Role::InternBegeleider).await;
    let step7 = "/scholen/10AA/scan/2022-2023/stap/7";
    let r = app
        .post(
            &ib,
            step7,
            &[
                ("versie", "0"),
                ("t_n", "1"),
                ("t_rol_0", "leerkracht groep 6"),
                ("t_fte_0", "1"),
                ("t_exp_0", "begrijpend lezen"),
                ("t_last_0", "3"),
                ("t_uren_0", "2"),
                ("p_n", "1"),
                ("p_soort_0", "jgz"),
                ("p_naam_0", "GGD"),
                ("p_exp_0", "sociaal-emotioneel"),
                ("p_uren_0", "1,5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&ib, step7).await;
    let body = &page.body;
    assert!(body.contains("Begrijpend lezen groep 6 blijft achter"));
    assert!(body.contains("<td>ja</td>"), "begrijpend lezen is in the team");
    assert!(body.contains("GGD (Jeugdgezondheidszorg (JGZ))"), "the partner brings sociaal-emotioneel");
    assert!(body.contains("<td>dyscalculie</td>"), "dyscalculie remains a request for help");
    // 7 hours asked, 2 + 1,5 available.
    assert!(body.contains("De conclusies vragen 3,5 uur per week meer"), "{body}");
    assert!(body.contains("role=\"img\""), "the chart has a text alternative");
}
