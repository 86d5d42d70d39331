#![allow(clippy::unwrap_used)]
//! Steps 4 and 5 of the schoolscan through the real router, on the demo board: what the pages
//! show (checked against the engine's own findings), what they store, the optimistic-lock
//! conflict, the audit records, and that a teacher sees only the pupils and groups of their own
//! group.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{Client, PASSWORD, TOTP_SECRET, TestApp, brin, start_time};
use schoolscan_analysis::{Config, Findings, analyse};
use schoolscan_auth::{Role, password};
use schoolscan_domain::{Dataset, GroupName, MomentKind, SchoolYear, StepStatus};
use schoolscan_report::num::nl_signed;
use schoolscan_scan::steps::{ActionLevel, AnalyseStep, ConcludeStep, Explanation};
use schoolscan_store::access::NewUser;
use schoolscan_store::{AccessStore, DatasetFilter, Scope, StepSave, Store};

const SCHOOL: &str = "21VA";
const YEAR: i32 = 2020;
const BASE: &str = "/scholen/21VA/scan/2020-2021";

struct Demo {
    app: TestApp,
    data: Dataset,
    findings: Findings,
    /// The teacher's group in 2020-2021 and another group of the same jaargroep.
    own: String,
    other: String,
}

/// HTML-escaped as the templates write it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// A pupil's display name, HTML-escaped.
fn name_of(data: &Dataset, number: &str) -> String {
    esc(&data
        .pupils
        .iter()
        .find(|p| p.number.as_str() == number && p.school.as_str() == SCHOOL)
        .unwrap()
        .display_name())
}

fn group_of(data: &Dataset, number: &str) -> String {
    data.enrolments
        .iter()
        .find(|e| e.pupil.as_str() == number && e.year.start_year() == YEAR && e.school.as_str() == SCHOOL)
        .unwrap()
        .group
        .as_str()
        .to_owned()
}

async fn demo() -> Demo {
    let app = TestApp::new().await;
    let demo = schoolscan_demo::generate(&schoolscan_demo::DemoConfig::default());
    app.store.upsert(&demo.dataset, schoolscan_store::UpsertOptions::default()).unwrap();
    let board = demo.dataset.boards[0].key.clone();
    // The team analyses the M moment of 2020-2021 (stored in step 4).
    let content = serde_json::json!({ "step": "analyse", "answers": [], "moment": "M 2020-2021" });
    app.store
        .save_scan_step(
            &Scope::System,
            &StepSave {
                school: &brin(SCHOOL),
                year: SchoolYear::new(YEAR),
                step: 4,
                status: StepStatus::InProgress,
                content: &content,
                expected_version: 0,
                user: "test",
            },
            "2026-01-05T09:00:00Z",
        )
        .unwrap();
    // The board's records up to the scan year as the pages load them (the baseline is pooled
    // over the board), and
    // the engine's findings for the school on them.
    let data = app
        .store
        .load_dataset(
            &Scope::Board { board: board.clone() },
            &DatasetFilter { schools: vec![], until: Some(SchoolYear::new(YEAR)), with_notes: false },
        )
        .unwrap();
    let cfg = Config {
        school: Some(brin(SCHOOL)),
        year: Some(SchoolYear::new(YEAR)),
        moment: Some(MomentKind::M),
        ..Config::default()
    };
    let findings = analyse(&data, &cfg).unwrap();
    // The teacher teaches the group of the first pupil who stands out; another group of the
    // same jaargroep must have a pupil who stands out too.
    let first = &findings.pupils[0];
    let own = group_of(&data, first.pupil.as_str());
    let other = findings
        .pupils
        .iter()
        .map(|p| group_of(&data, p.pupil.as_str()))
        .find(|g| *g != own)
        .expect("pupils who stand out in more than one group");
    let hash = password::hash_with(PASSWORD, password::HashParams { m: 1024, t: 1, p: 1 }).unwrap();
    for (name, role) in
        [("ib.demo", Role::InternBegeleider), ("juf.demo", Role::Teacher), ("dir.demo", Role::Director)]
    {
        let id = app
            .store
            .create_user(&NewUser {
                username: name.into(),
                display_name: name.into(),
                role,
                board: board.clone(),
                school: Some(brin(SCHOOL)),
                municipality: None,
                password_hash: Some(hash.clone()),
                created_at: start_time(),
            })
            .unwrap();
        app.store.set_totp(id, Some(TOTP_SECRET), true).unwrap();
        if role == Role::Teacher {
            app.store
                .assign_groups(id, &brin(SCHOOL), SchoolYear::new(YEAR), &[GroupName::parse(&own).unwrap()])
                .unwrap();
        }
    }
    Demo { app, data, findings, own, other }
}

fn field(body: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = body.find(&key).unwrap_or_else(|| panic!("no field {name}"));
    let rest = &body[i + key.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn stored_step(d: &Demo, step: u8) -> (serde_json::Value, i64) {
    let scan = d.app.store.scan(&Scope::System, &brin(SCHOOL), SchoolYear::new(YEAR)).unwrap();
    let s = scan.steps.iter().find(|s| s.step == step).unwrap();
    (s.content.clone(), s.version)
}

#[tokio::test]
async fn steps_4_and_5_on_the_demo_board() {
    let d = demo().await;
    let app = &d.app;
    let ib = app.login_as("ib.demo").await;

    // Step 4: the four overviews, the panels and the charts with text alternatives.
    let before = app.audit_count();
    let r = app.get(&ib, &format!("{BASE}/stap/4")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.audit_count(), before + 1, "one audit record per page");
    let b = &r.body;
    for text in [
        "Vakken waarin de ontwikkeling het meest vertraagd is",
        "Jaargroepen die afwijken van het schoolbeeld",
        "Onderdelen die per jaargroep opvallen",
        "Leerlingen die opvallen",
        "Sociaal-emotionele ontwikkeling",
        "Groepen leerlingen vergeleken",
        "Vertraging per vak, schoolbreed (95%-interval)",
        "Vertraging per jaargroep en vak (schoolmaanden)",
        // Helper questions beside the evidence.
        "Welke leerlingen vallen op in vergelijking met hun groepsgenoten?",
        "Laten alle jaargroepen ongeveer hetzelfde beeld zien, of wijken sommige af?",
    ] {
        assert!(b.contains(text), "step 4 shows {text:?}");
    }
    assert!(b.matches("<svg").count() >= 3, "subject, heat map and panel charts");
    assert!(
        b.matches("<desc id=").count() == b.matches("<svg").count(),
        "every chart has a text alternative"
    );
    assert!(b.contains("<details class=\"datatable\">"), "data tables beside the charts");
    // The figures are the engine's: the most delayed subject with its months.
    let top = d.findings.subjects.iter().find(|s| s.delay_months.is_some()).unwrap();
    let months = nl_signed(top.delay_months.unwrap(), 1);
    assert!(
        b.contains(&format!("Grootste vertraging: <strong>{}: {months} schoolmaanden", top.label)),
        "{months}"
    );
    // Every pupil who stands out is listed, by name, with a link to the step-4 pupil view.
    for p in &d.findings.pupils {
        assert!(b.contains(&name_of(&d.data, p.pupil.as_str())), "pupil {} listed", p.pupil);
        assert!(b.replace("&#x2f;", "/").contains(&format!("{BASE}/stap/4/leerling/{}", p.pupil)));
    }
    // Deviating jaargroepen are marked with a shape and text, not colour alone.
    if d.findings.grades.iter().any(|g| g.deviates.is_some()) {
        assert!(b.contains("(wijkt negatief af)") || b.contains("(wijkt positief af)"));
    }

    // Drill-down: a jaargroep, a group, a pupil.
    let grade = d.findings.pupils[0].grade.get();
    let r = app.get(&ib, &format!("{BASE}/stap/4/jaargroep/{grade}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("Jaargroep {grade}: vertraging per vak (95%-interval)")));
    assert!(r.body.replace("&#x2f;", "/").contains(&format!("{BASE}/stap/4/groep/{}\"", d.own)));
    let r = app.get(&ib, &format!("{BASE}/stap/4/groep/{}", d.own)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("Groep {}: vertraging per vak", d.own)));
    assert!(r.body.contains("de band"), "group members against their expected band");
    let p = &d.findings.pupils[0];
    let before = app.audit_count();
    let r = app.get(&ib, &format!("{BASE}/stap/4/leerling/{}", p.pupil)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.audit_count(), before + 1);
    let log = app.store.audit_log(None).unwrap();
    assert_eq!(log.last().unwrap().record.pupil.as_deref(), Some(p.pupil.as_str()));
    let name = name_of(&d.data, p.pupil.as_str());
    assert!(r.body.contains(&format!("scores van {name} tegen de verwachting")));
    let e = d.findings.expected.iter().find(|e| e.pupil == p.pupil).unwrap();
    assert!(
        r.body.contains(&format!("verwacht {}", schoolscan_report::num::nl(e.expected, 0))),
        "the expected score of the engine is in the chart's text alternative"
    );
    assert!(r.body.contains("width=\"18\""), "the expected band is drawn at the target moment");

    // Step 4 stores the answers to the helper questions.
    let r = app.get(&ib, &format!("{BASE}/stap/4")).await;
    let v = field(&r.body, "versie");
    let r = app
        .post(
            &ib,
            &format!("{BASE}/stap/4"),
            &[
                ("versie", &v),
                ("moment", "M"),
                ("antwoord_school_verschil", "Rekenen blijft het meest achter."),
                ("afgerond", "ja"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (content, version) = stored_step(&d, 4);
    let step4: AnalyseStep = serde_json::from_value(content).unwrap();
    assert_eq!(
        step4.answers,
        vec![("school_verschil".to_owned(), "Rekenen blijft het meest achter.".to_owned())]
    );
    assert_eq!(step4.moment, "M 2020-2021");
    assert_eq!(version, v.parse::<i64>().unwrap() + 1);
    assert!(app.get(&ib, &format!("{BASE}/stap/4")).await.body.contains("Rekenen blijft het meest achter."));
    // A stale version is refused with the Dutch conflict message; the answer is kept on screen.
    let r = app
        .post(
            &ib,
            &format!("{BASE}/stap/4"),
            &[("versie", &v), ("antwoord_school_beeld", "Spelling wijkt af.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("intussen door iemand anders opgeslagen"));
    assert!(r.body.contains("Spelling wijkt af."));
    assert!(r.body.contains("<option value=\"M\" selected>"), "the chosen moment stays selected");

    // Step 5: one form per finding; save a record for the most delayed subject.
    let r = app.get(&ib, &format!("{BASE}/stap/5")).await;
    assert_eq!(r.status, StatusCode::OK);
    let evidence = format!("subject:{}:{}", top.subject.as_str(), top.scale);
    assert!(r.body.contains(&format!("value=\"{evidence}\"")));
    let pupil_evidence = format!("pupil:{}", p.pupil);
    assert!(r.body.contains(&format!("value=\"{pupil_evidence}\"")), "pupils who stand out are findings");
    let v = field(&r.body, "versie");
    let r = app
        .post(
            &ib,
            &format!("{BASE}/stap/5"),
            &[
                ("versie", &v),
                ("bewijs", &evidence),
                ("verklaring", "nog_niet_aangeboden"),
                ("verklaring", "weggezakt"),
                ("gevolgen", "Breuken in groep 6 blijven achter."),
                ("niveau", "jaargroep"),
                ("prioriteit", "1"),
                ("uren", "2,5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (content, version) = stored_step(&d, 5);
    let step5: ConcludeStep = serde_json::from_value(content).unwrap();
    assert_eq!(step5.conclusions.len(), 1);
    let c = &step5.conclusions[0];
    assert_eq!(c.evidence, evidence);
    assert_eq!(c.explanations, vec![Explanation::NogNietAangeboden, Explanation::Weggezakt]);
    assert_eq!(c.level, ActionLevel::Jaargroep);
    assert_eq!((c.priority, c.hours_needed), (1, 2.5));
    assert!(c.finding.starts_with(&top.label), "{}", c.finding);
    // Reloaded, the form shows what was stored.
    let r = app.get(&ib, &format!("{BASE}/stap/5")).await;
    assert!(r.body.contains("Breuken in groep 6 blijven achter."));
    assert!(r.body.contains("value=\"weggezakt\" checked"));
    assert!(r.body.contains("1 bevinding(en) geduid"));
    // A second user saving from the old version gets the conflict, with their input kept.
    let r = app
        .post(
            &ib,
            &format!("{BASE}/stap/5"),
            &[
                ("versie", &v),
                ("bewijs", &evidence),
                ("gevolgen", "Andere tekst van een collega."),
                ("niveau", "school"),
                ("prioriteit", "2"),
                ("verklaring", "anders"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Iemand anders heeft stap 5 opgeslagen"));
    assert!(r.body.contains("Andere tekst van een collega."));
    assert_eq!(stored_step(&d, 5).1, version, "nothing saved on a conflict");
    // Invalid input is refused with a Dutch message.
    let v = version.to_string();
    let r = app
        .post(
            &ib,
            &format!("{BASE}/stap/5"),
            &[
                ("versie", &v),
                ("bewijs", &evidence),
                ("gevolgen", "x"),
                ("niveau", "school"),
                ("prioriteit", "9"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("prioriteit"));
    let r = app
        .post(
            &ib,
            &format!("{BASE}/stap/5"),
            &[
                ("versie", &v),
                ("bewijs", "subject:verzonnen:x"),
                ("gevolgen", "x"),
                ("niveau", "school"),
                ("prioriteit", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "only findings of the analysis");
    // A pupil-level record.
    let r = app
        .post(
            &ib,
            &format!("{BASE}/stap/5"),
            &[
                ("versie", &v),
                ("bewijs", &pupil_evidence),
                ("verklaring", "eerst_motivatie_welbevinden"),
                ("gevolgen", "Gesprek met ouders."),
                ("niveau", "leerling"),
                ("prioriteit", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The one-page summary: internal with the pupil, general without.
    let r = app.get(&ib, &format!("{BASE}/stap/5/samenvatting")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Intern – bevat gegevens op leerlingniveau"));
    assert!(r.body.contains("Breuken in groep 6 blijven achter."));
    assert!(r.body.contains(&name));
    let prio1 = r.body.find("Breuken in groep 6").unwrap();
    let prio2 = r.body.find("Gesprek met ouders.").unwrap();
    assert!(prio1 < prio2, "sorted by priority");
    let r = app.get(&ib, &format!("{BASE}/stap/5/samenvatting?versie=algemeen")).await;
    assert!(r.body.contains("Breuken in groep 6 blijven achter."));
    assert!(
        !r.body.contains(&name) && !r.body.contains("Gesprek met ouders."),
        "no pupil level in the general version"
    );
    assert!(r.body.contains("1 duiding(en) op leerlingniveau weggelaten"));

    // Clearing a form removes its record; the status can be set to done.
    let v = stored_step(&d, 5).1.to_string();
    let r = app.post(&ib, &format!("{BASE}/stap/5"), &[("versie", &v), ("bewijs", &pupil_evidence)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let step5: ConcludeStep = serde_json::from_value(stored_step(&d, 5).0).unwrap();
    assert_eq!(step5.conclusions.len(), 1);
    let v = stored_step(&d, 5).1.to_string();
    let r = app.post(&ib, &format!("{BASE}/stap/5"), &[("versie", &v), ("status", "afgerond")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let scan = app.store.scan(&Scope::System, &brin(SCHOOL), SchoolYear::new(YEAR)).unwrap();
    assert_eq!(scan.steps[4].status, schoolscan_domain::StepStatus::Done);
    assert_eq!(scan.steps[3].status, schoolscan_domain::StepStatus::Done);
}

#[tokio::test]
async fn a_teacher_sees_only_their_own_groups_pupils() {
    let d = demo().await;
    let app = &d.app;
    let juf: Client = app.login_as("juf.demo").await;
    let own: BTreeSet<String> = d
        .data
        .enrolments
        .iter()
        .filter(|e| e.school.as_str() == SCHOOL && e.year.start_year() == YEAR && e.group.as_str() == d.own)
        .map(|e| e.pupil.as_str().to_owned())
        .collect();
    let own_names: BTreeSet<String> = own.iter().map(|n| name_of(&d.data, n)).collect();
    let others: Vec<&schoolscan_analysis::PupilRow> =
        d.findings.pupils.iter().filter(|p| !own.contains(p.pupil.as_str())).collect();
    assert!(!others.is_empty() && others.len() < d.findings.pupils.len(), "both kinds exist");
    let grade = d.findings.pupils[0].grade.get();
    let pages = [
        format!("{BASE}/stap/4"),
        format!("{BASE}/stap/4/jaargroep/{grade}"),
        format!("{BASE}/stap/4/groep/{}", d.own),
        format!("{BASE}/stap/4/leerling/{}", d.findings.pupils[0].pupil),
    ];
    for page in &pages {
        let r = app.get(&juf, page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        for p in &others {
            let name = name_of(&d.data, p.pupil.as_str());
            if !own_names.contains(&name) {
                assert!(!r.body.contains(&name), "{page} leaks the name of {}", p.pupil);
            }
            assert!(
                !r.body.replace("&#x2f;", "/").contains(&format!("/stap/4/leerling/{}", p.pupil)),
                "{page} links {}",
                p.pupil
            );
        }
    }
    // The school page lists the teacher's own pupils who stand out, and says the list is limited.
    let r = app.get(&juf, &format!("{BASE}/stap/4")).await;
    assert!(r.body.contains(&name_of(&d.data, d.findings.pupils[0].pupil.as_str())));
    assert!(r.body.contains("U ziet alleen leerlingen uit uw eigen groepen."));
    // The school-wide figures are the same as the IB's.
    let top = d.findings.subjects.iter().find(|s| s.delay_months.is_some()).unwrap();
    assert!(r.body.contains(&format!(
        "{}: {} schoolmaanden",
        top.label,
        nl_signed(top.delay_months.unwrap(), 1)
    )));
    // The jaargroep page links only the own group.
    let r = app.get(&juf, &format!("{BASE}/stap/4/jaargroep/{grade}")).await;
    assert!(!r.body.replace("&#x2f;", "/").contains(&format!("/stap/4/groep/{}\"", d.other)));
    // Another group and another group's pupil: 404 with an empty body; step 5 is not for teachers.
    for page in [
        format!("{BASE}/stap/4/groep/{}", d.other),
        format!("{BASE}/stap/4/leerling/{}", others[0].pupil),
        format!("{BASE}/stap/5"),
        format!("{BASE}/stap/5/samenvatting"),
    ] {
        let r = app.get(&juf, &page).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::NOT_FOUND, ""), "{page}");
    }
    // A teacher cannot write step 4 either.
    let r =
        app.post(&juf, &format!("{BASE}/stap/4"), &[("versie", "0"), ("antwoord_school_beeld", "x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The IB of the school sees the other group's pupil.
    let ib = app.login_as("ib.demo").await;
    let r = app.get(&ib, &format!("{BASE}/stap/4/leerling/{}", others[0].pupil)).await;
    assert_eq!(r.status, StatusCode::OK);
}
