#![allow(clippy::unwrap_used)]
//! R25: canary strings planted in notes and passwords never appear in logs or error responses.
//! All tracing output of this test binary is captured (at TRACE level) and searched.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::StatusCode;
use common::*;
use schoolscan_auth::Role;
use schoolscan_auth::policy::{self, ROUTES};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> Capture {
    static CAP: OnceLock<Capture> = OnceLock::new();
    CAP.get_or_init(|| {
        let cap = Capture::default();
        let writer = cap.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        cap
    })
    .clone()
}

#[tokio::test]
async fn canaries_never_reach_logs_or_errors() {
    let cap = capture();
    let app = TestApp::new().await;
    let mut error_bodies = Vec::new();
    // A canary password: used at login (wrong and as a new user's password).
    let (r, _) = app.password_step("ouder", CANARY_PASSWORD).await;
    error_bodies.push(r.body);
    let (r, _) = app.password_step(CANARY_PASSWORD, CANARY_PASSWORD).await;
    error_bodies.push(r.body);
    let admin = app.login(Role::BoardAdmin).await;
    let short = &CANARY_PASSWORD[..7];
    let r = app
        .post(
            &admin,
            "/beheer/gebruikers",
            &[("gebruikersnaam", "k"), ("rol", "teacher"), ("wachtwoord", short)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_bodies.push(r.body);
    let r = app
        .post(
            &admin,
            "/beheer/gebruikers",
            &[("gebruikersnaam", "kanarie"), ("rol", "parent"), ("wachtwoord", CANARY_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Every GET route for every role, and every denied attempt on other pupils.
    let mut unauthorised = Vec::new();
    for role in Role::ALL {
        let c = app.login(role).await;
        for r in ROUTES.iter().filter(|r| r.method == policy::Method::Get) {
            for (b, n) in [("10AA", "1001"), ("10AA", "1003"), ("30CC", "3001")] {
                let p = r
                    .path
                    .replace("{brin}", b)
                    .replace("{number}", n)
                    .replace("{year}", "2022-2023")
                    .replace("{group}", "5A")
                    .replace("{grade}", "5")
                    .replace("{board}", "b1");
                let resp = app.get(&c, &p).await;
                if !resp.status.is_success() {
                    error_bodies.push(resp.body.clone());
                }
                if resp.status == StatusCode::NOT_FOUND || resp.status == StatusCode::UNAUTHORIZED {
                    unauthorised.push(resp.body);
                }
            }
        }
        app.clock.advance(time::Duration::seconds(1));
    }
    // Notes written with canary text, and a correction.
    let ib = app.login(Role::InternBegeleider).await;
    app.post(&ib, "/leerlingen/10AA/1001/notities", &[("soort", "observatie"), ("tekst", CANARY_NOTE)]).await;
    let r = app
        .post(&ib, "/leerlingen/10AA/9999/notities", &[("soort", "observatie"), ("tekst", CANARY_NOTE)])
        .await;
    error_bodies.push(r.body);
    let logs = String::from_utf8_lossy(&cap.0.lock().unwrap()).into_owned();
    assert!(logs.contains("login"), "the capture works: login events are logged");
    let canaries = [CANARY_NOTE, CANARY_PASSWORD, &CANARY_PASSWORD[..7], CANARY_OTHER_NAME];
    let hits_logs = canaries.iter().filter(|c| logs.contains(*c)).count();
    let hits_errors: usize =
        canaries.iter().map(|c| error_bodies.iter().filter(|b| b.contains(*c)).count()).sum();
    let hits_unauth: usize =
        canaries.iter().map(|c| unauthorised.iter().filter(|b| b.contains(*c)).count()).sum();
    println!(
        "canaries: {} seeded; hits in logs {hits_logs}, error bodies {hits_errors} (of {}), unauthorised responses {hits_unauth} (of {}); log bytes {}",
        canaries.len(),
        error_bodies.len(),
        unauthorised.len(),
        logs.len()
    );
    assert_eq!((hits_logs, hits_errors, hits_unauth), (0, 0, 0));
}
