//! The test harness: a fresh temporary database with two boards, one account per role, an
//! injected clock, and a client that logs in through the real login flow and the real router.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use schoolscan_auth::{Clock, ManualClock, Role, password, totp};
use schoolscan_domain::{
    Board, Brin, Dataset, Enrolment, Grade, GroupName, Informant, Note, NoteKind, Pupil, PupilNumber, Scale,
    ScaleKind, School, SchoolYear, Score, Subject, Test,
};
use schoolscan_store::access::{CareGrant, NewUser};
use schoolscan_store::{AccessStore, Scope, SqliteStore, Store, UpsertOptions};
use schoolscan_web::AppState;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

pub const PASSWORD: &str = "proef-wachtwoord-met-lengte";
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// Planted in every note, and used as the password of `canary` accounts (R25).
pub const CANARY_NOTE: &str = "KANARIE-NOTITIE-7f3a9c";
pub const CANARY_PASSWORD: &str = "KANARIE-WACHTWOORD-51be2d";
/// A pupil name planted in another child's note (R3).
pub const CANARY_OTHER_NAME: &str = "Zwaantje";

pub const YEAR: i32 = 2022;

pub fn brin(s: &str) -> Brin {
    Brin::parse(s).unwrap()
}
pub fn num(s: &str) -> PupilNumber {
    PupilNumber::parse(s).unwrap()
}

/// The fixture: board `b1` with schools 10AA (groups 5A, 6A) and 20BB (group 5); board `b2` with
/// school 30CC (group 5). Pupil 1001 is in 10AA/5A ("own"), 1002 in 10AA/6A, 1003 in 10AA/6A
/// (named Zwaantje, mentioned in 1001's note), 2001 in 20BB/5, 3001 in 30CC/5.
pub fn dataset() -> Dataset {
    let mut ds = Dataset::default();
    ds.boards.push(Board { key: "b1".into(), name: "Stichting Eén".into() });
    ds.boards.push(Board { key: "b2".into(), name: "Stichting Twee".into() });
    ds.schools.push(School { brin: brin("10AA"), name: "De Linde".into(), board: "b1".into() });
    ds.schools.push(School { brin: brin("20BB"), name: "Het Anker".into(), board: "b1".into() });
    ds.schools.push(School { brin: brin("30CC"), name: "Elders".into(), board: "b2".into() });
    let test = Test {
        key: Test::make_key("cito", "Rekenen-Wiskunde", Some("3.0")),
        vendor: "cito".into(),
        name: "Rekenen-Wiskunde".into(),
        version: Some("3.0".into()),
        subject: Subject::parse("rekenen_wiskunde").unwrap(),
        scale: Scale { code: "cito_rw_3".into(), kind: ScaleKind::Vertical, min: 0.0, max: 250.0 },
    };
    ds.tests.push(test.clone());
    for (school, group, number, first, last) in [
        ("10AA", "5A", "1001", "Noor", "Jansen"),
        ("10AA", "6A", "1002", "Sem", "de Boer"),
        ("10AA", "6A", "1003", CANARY_OTHER_NAME, "Visser"),
        ("20BB", "5", "2001", "Lotte", "Bakker"),
        ("30CC", "5", "3001", "Finn", "Smit"),
    ] {
        let mut p = Pupil::new(brin(school), num(number));
        p.first_name = Some(first.into());
        p.last_name = Some(last.into());
        p.opp = number == "1001";
        ds.pupils.push(p);
        ds.enrolments.push(Enrolment {
            school: brin(school),
            pupil: num(number),
            year: SchoolYear::new(YEAR),
            group: GroupName::parse(group).unwrap(),
            grade: Grade::new(5).unwrap(),
        });
        for (i, d) in [date!(2022 - 10 - 01), date!(2023 - 02 - 01)].into_iter().enumerate() {
            ds.scores.push(Score {
                school: brin(school),
                pupil: num(number),
                test_key: test.key.clone(),
                component: None,
                date: d,
                moment: Some(if i == 0 { "B5" } else { "M5" }.parse().unwrap()),
                ability: Some(80.0 + i as f64 * 5.0),
                csem: Some(4.0),
                raw: None,
                level: None,
                percentile: None,
                dle: None,
                reference_level: None,
            });
        }
        let text = if number == "1001" {
            format!("{CANARY_NOTE}: gesprek over ruzie met {CANARY_OTHER_NAME} Visser op het plein.")
        } else {
            format!("{CANARY_NOTE}: observatie in de klas.")
        };
        ds.notes.push(Note {
            school: brin(school),
            pupil: num(number),
            kind: NoteKind::Leerlingbespreking,
            informant: Informant::Leerkracht,
            date: date!(2023 - 01 - 10),
            author: "ib.linde".into(),
            domains: vec![],
            ratings: vec![],
            text: Some(text),
        });
    }
    ds
}

/// A logged-in (or anonymous) browser.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub cookie: Option<String>,
    pub csrf: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }
}

pub struct TestApp {
    pub _dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub clock: Arc<ManualClock>,
    pub router: Router,
    /// Account ids by user name.
    pub ids: HashMap<String, i64>,
    pub state: AppState,
}

/// The user name of the fixture account for a role.
pub fn username(role: Role) -> &'static str {
    match role {
        Role::BoardAdmin => "beheer",
        Role::QualityOfficer => "kwaliteit",
        Role::Director => "directeur",
        Role::InternBegeleider => "ib",
        Role::Teacher => "juf",
        Role::MrMember => "mr",
        Role::Parent => "ouder",
        Role::CarePartner => "zorg",
        Role::Municipality => "gemeente",
    }
}

pub fn start_time() -> OffsetDateTime {
    datetime!(2026-01-05 09:00 UTC)
}

pub async fn send(router: &Router, req: Request<Body>) -> Resp {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Resp { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

fn extract_csrf(body: &str) -> Option<String> {
    let i = body.find("name=\"csrf\" value=\"")?;
    let rest = &body[i + 19..];
    Some(rest[..rest.find('"')?].to_owned())
}

fn cookie_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().map(str::to_owned))
        .filter(|c| !c.ends_with('='))
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_dataset(dataset()).await
    }

    pub async fn with_dataset(ds: Dataset) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
        store.upsert(&ds, UpsertOptions::default()).unwrap();
        let clock = Arc::new(ManualClock::new(start_time()));
        // A fast hash for fixtures; logins upgrade it (R16), which the R16 test checks.
        let hash = password::hash_with(PASSWORD, password::HashParams { m: 1024, t: 1, p: 1 }).unwrap();
        let mut ids = HashMap::new();
        let mut add =
            |name: &str, role: Role, board: &str, school: Option<&str>, municipality: Option<&str>| {
                let id = store
                    .create_user(&NewUser {
                        username: name.into(),
                        display_name: format!("Test {name}"),
                        role,
                        board: board.into(),
                        school: school.map(brin),
                        municipality: municipality.map(str::to_owned),
                        password_hash: Some(hash.clone()),
                        created_at: start_time(),
                    })
                    .unwrap();
                if role.requires_mfa() {
                    store.set_totp(id, Some(TOTP_SECRET), true).unwrap();
                }
                ids.insert(name.to_owned(), id);
                id
            };
        for role in Role::ALL {
            let school = match role {
                Role::BoardAdmin
                | Role::QualityOfficer
                | Role::Municipality
                | Role::Parent
                | Role::CarePartner => None,
                _ => Some("10AA"),
            };
            add(username(role), role, "b1", school, (role == Role::Municipality).then_some("gem"));
        }
        add("ouder2", Role::Parent, "b1", None, None);
        add("extra", Role::Teacher, "b1", Some("10AA"), None);
        add("vreemd", Role::Director, "b2", Some("30CC"), None);
        store
            .assign_groups(
                ids["juf"],
                &brin("10AA"),
                SchoolYear::new(YEAR),
                &[GroupName::parse("5A").unwrap()],
            )
            .unwrap();
        store.link_parent(ids["ouder"], &brin("10AA"), &num("1001"), true).unwrap();
        store.link_parent(ids["ouder2"], &brin("10AA"), &num("1001"), false).unwrap();
        store
            .add_care_grant(&CareGrant {
                user_id: ids["zorg"],
                school: brin("10AA"),
                pupil: num("1001"),
                consent_ref: "toestemming ouders, dossier 2026-001".into(),
                granted_by: "ib".into(),
                granted_at: start_time() - Duration::days(1),
                expires_at: start_time() + Duration::days(365),
            })
            .unwrap();
        store.share_with_municipality("gem", &brin("10AA")).unwrap();
        let state = AppState::new(store.clone()).unwrap().with_clock(clock.clone());
        let router = schoolscan_web::router(state.clone()).unwrap();
        Self { _dir: dir, store, clock, router, ids, state }
    }

    pub fn request(&self, c: &Client, method: Method, path: &str, form: &[(&str, &str)]) -> Request<Body> {
        let mut b = Request::builder().method(method.clone()).uri(path);
        if let Some(ck) = &c.cookie {
            b = b.header(header::COOKIE, ck);
        }
        if method == Method::POST {
            let mut fields: Vec<(&str, &str)> = vec![("csrf", c.csrf.as_str())];
            fields.extend_from_slice(form);
            let body = serde_urlencoded::to_string(&fields).unwrap();
            b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .unwrap()
        } else {
            b.body(Body::empty()).unwrap()
        }
    }

    pub async fn get(&self, c: &Client, path: &str) -> Resp {
        send(&self.router, self.request(c, Method::GET, path, &[])).await
    }

    pub async fn post(&self, c: &Client, path: &str, form: &[(&str, &str)]) -> Resp {
        send(&self.router, self.request(c, Method::POST, path, form)).await
    }

    /// Fetch the login form: an anonymous session with a CSRF token.
    pub async fn anonymous(&self) -> Client {
        let r = self.get(&Client::default(), "/inloggen").await;
        Client { cookie: cookie_from(&r.headers), csrf: extract_csrf(&r.body).unwrap() }
    }

    /// Submit user name and password; returns the response and the client after it.
    pub async fn password_step(&self, name: &str, pw: &str) -> (Resp, Client) {
        let c = self.anonymous().await;
        let r = self.post(&c, "/inloggen", &[("gebruikersnaam", name), ("wachtwoord", pw)]).await;
        let next = Client { cookie: cookie_from(&r.headers).or(c.cookie.clone()), csrf: c.csrf.clone() };
        (r, next)
    }

    /// Log in fully through the real flow (password, then TOTP where the role needs it).
    pub async fn login_as(&self, name: &str) -> Client {
        let (r, mut c) = self.password_step(name, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login of {name}: {}", r.body);
        if r.location() == Some("/inloggen/code") {
            let page = self.get(&c, "/inloggen/code").await;
            c.csrf = extract_csrf(&page.body).unwrap();
            let code = totp::code_at(TOTP_SECRET, self.clock.now()).unwrap();
            let r = self.post(&c, "/inloggen/code", &[("code", &code)]).await;
            assert_eq!(r.location(), Some("/"), "second factor of {name}: {}", r.body);
            c.cookie = cookie_from(&r.headers);
            // A code is accepted once: the next login needs the next step.
            self.clock.advance(Duration::seconds(30));
        }
        let home = self.get(&c, "/").await;
        assert_eq!(home.status, StatusCode::OK, "home of {name}");
        c.csrf = extract_csrf(&home.body).unwrap();
        c
    }

    pub async fn login(&self, role: Role) -> Client {
        self.login_as(username(role)).await
    }

    /// The id of the first note of a pupil.
    pub fn note_id(&self, school: &str, number: &str) -> i64 {
        self.store.dossier(&Scope::System, &brin(school), &num(number)).unwrap().unwrap().notes[0].id
    }

    pub fn audit_count(&self) -> usize {
        self.store.audit_log(None).unwrap().len()
    }
}
