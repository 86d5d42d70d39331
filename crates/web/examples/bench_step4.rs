//! Server time of the step 4 page of the largest demo school (De Regenboog, 21VA) through the
//! real router: a fresh database with the demo board, the demo IB'er logged in through the real
//! password and TOTP pages, then `GET /scholen/21VA/scan/2020-2021/stap/4` repeatedly. Prints the
//! first (cold: load the board and analyse) and the median/p95 of the following requests
//! (warm: findings cached per school, year, moment and the store's data version), plus the drill-down pages.
//!
//! `cargo run --release -p schoolscan-web --example bench_step4 [-- RUNS]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use schoolscan_auth::{Role, password, totp};
use schoolscan_domain::Brin;
use schoolscan_store::access::NewUser;
use schoolscan_store::{AccessStore, SqliteStore, Store};
use tower::ServiceExt;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const PASSWORD: &str = "bench-wachtwoord-met-lengte";

struct Resp {
    status: StatusCode,
    cookie: Option<String>,
    body: String,
}

async fn send(
    router: &Router,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> Resp {
    let mut b = Request::builder().method(method.clone()).uri(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let req = if method == Method::POST {
        b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
            .unwrap()
    } else {
        b.body(Body::empty()).unwrap()
    };
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let cookie = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().map(str::to_owned))
        .filter(|c| !c.ends_with('='));
    let body = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Resp { status, cookie, body }
}

fn csrf(body: &str) -> String {
    let i = body.find("name=\"csrf\" value=\"").expect("csrf field");
    let rest = &body[i + 19..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let median = ms[ms.len() / 2];
    let p95 = ms[((ms.len() as f64 * 0.95).ceil() as usize).saturating_sub(1).min(ms.len() - 1)];
    (median, p95)
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("bench.db")).unwrap());
    let demo = schoolscan_demo::generate(&schoolscan_demo::DemoConfig::default());
    store.replace_board(&demo.dataset).unwrap();
    let school = Brin::parse("21VA").unwrap();
    let pupils = demo.dataset.pupils.iter().filter(|p| p.school == school).count();
    let scores = demo.dataset.scores.iter().filter(|s| s.school == school).count();
    let hash = password::hash(PASSWORD).unwrap();
    let id = store
        .create_user(&NewUser {
            username: "ib.bench".into(),
            display_name: "IB".into(),
            role: Role::InternBegeleider,
            board: demo.dataset.boards[0].key.clone(),
            school: Some(school.clone()),
            municipality: None,
            password_hash: Some(hash),
            created_at: time::OffsetDateTime::now_utc(),
        })
        .unwrap();
    store.set_totp(id, Some(SECRET), true).unwrap();
    let state = schoolscan_web::AppState::new(store.clone()).unwrap();
    let router = schoolscan_web::router(state).unwrap();

    // Log in through the real pages.
    let r = send(&router, Method::GET, "/inloggen", None, &[]).await;
    let (c0, t0) = (r.cookie.unwrap(), csrf(&r.body));
    let r = send(
        &router,
        Method::POST,
        "/inloggen",
        Some(&c0),
        &[("csrf", &t0), ("gebruikersnaam", "ib.bench"), ("wachtwoord", PASSWORD)],
    )
    .await;
    let c1 = r.cookie.unwrap_or(c0);
    let r = send(&router, Method::GET, "/inloggen/code", Some(&c1), &[]).await;
    let code = totp::code_at(SECRET, time::OffsetDateTime::now_utc()).unwrap();
    let r = send(
        &router,
        Method::POST,
        "/inloggen/code",
        Some(&c1),
        &[("csrf", &csrf(&r.body)), ("code", &code)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "second factor");
    let cookie = r.cookie.expect("session cookie");

    let path = "/scholen/21VA/scan/2020-2021/stap/4";
    let t = Instant::now();
    let r = send(&router, Method::GET, path, Some(&cookie), &[]).await;
    let cold = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<svg"), "the page has its charts");
    let size = r.body.len();
    let mut warm = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let r = send(&router, Method::GET, path, Some(&cookie), &[]).await;
        warm.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, StatusCode::OK);
    }
    let (median, p95) = stats(warm);
    println!(
        "step 4 of 21VA ({pupils} pupils in all years, {scores} score rows; board of {} schools): page {} kB",
        demo.dataset.schools.len(),
        size / 1024
    );
    println!("  first request (load the board, analyse): {cold:.0} ms");
    println!("  next {runs} requests: median {median:.0} ms, p95 {p95:.0} ms (target < 300 ms)");
    for (label, p) in [
        ("jaargroep 5", "/scholen/21VA/scan/2020-2021/stap/4/jaargroep/5"),
        ("stap 5", "/scholen/21VA/scan/2020-2021/stap/5"),
        ("samenvatting", "/scholen/21VA/scan/2020-2021/stap/5/samenvatting"),
    ] {
        let mut ms = Vec::new();
        for _ in 0..runs.clamp(1, 10) {
            let t = Instant::now();
            let r = send(&router, Method::GET, p, Some(&cookie), &[]).await;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(r.status, StatusCode::OK, "{p}");
        }
        let (m, p95) = stats(ms);
        println!("  {label}: median {m:.0} ms, p95 {p95:.0} ms");
    }
}
