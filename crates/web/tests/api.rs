#![allow(clippy::unwrap_used)]
//! The JSON API: every path in the OpenAPI document answers 401 without a session (except the
//! document itself), the document lists exactly the API routes of the policy table, and a
//! logged-in user gets scoped JSON.

mod common;

use axum::http::StatusCode;
use common::*;
use schoolscan_auth::Role;
use schoolscan_auth::policy::ROUTES;

fn concrete(path: &str) -> String {
    path.replace("{brin}", "10AA")
        .replace("{number}", "1001")
        .replace("{year}", "2022-2023")
        .replace("{group}", "5A")
}

#[tokio::test]
async fn every_api_path_needs_a_session() {
    let app = TestApp::new().await;
    let r = app.get(&Client::default(), "/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let mut in_table: Vec<String> =
        ROUTES.iter().filter(|r| r.path.starts_with("/api/v1/")).map(|r| r.path.to_owned()).collect();
    in_table.sort();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(sorted, in_table, "the OpenAPI document and the policy table disagree");
    let mut n = 0;
    for p in &paths {
        if p == "/api/v1/openapi.json" {
            continue;
        }
        for cookie in [None, Some("__Host-schoolscan=vervalst-of-verlopen".to_owned())] {
            let c = Client { cookie, csrf: String::new() };
            let r = app.get(&c, &concrete(p)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{p}");
            assert!(r.body.is_empty());
            n += 1;
        }
    }
    println!("unauthenticated API requests: {n}, all 401");
    assert!(n >= 10);
}

#[tokio::test]
async fn api_is_scoped() {
    let app = TestApp::new().await;
    let juf = app.login(Role::Teacher).await;
    let schools: serde_json::Value =
        serde_json::from_str(&app.get(&juf, "/api/v1/schools").await.body).unwrap();
    assert_eq!(schools.as_array().unwrap().len(), 1);
    assert_eq!(schools[0]["pupils"], 1, "a teacher counts only their own pupils");
    let groups: serde_json::Value =
        serde_json::from_str(&app.get(&juf, "/api/v1/schools/10AA/groups").await.body).unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 1);
    let pupils: serde_json::Value =
        serde_json::from_str(&app.get(&juf, "/api/v1/schools/10AA/groups/2022-2023/5A/pupils").await.body)
            .unwrap();
    assert_eq!(pupils[0]["number"], "1001");
    let scores: serde_json::Value =
        serde_json::from_str(&app.get(&juf, "/api/v1/pupils/10AA/1001/scores").await.body).unwrap();
    assert_eq!(scores.as_array().unwrap().len(), 2);
    let r = app.get(&juf, "/api/v1/pupils/10AA/1002/scores").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::NOT_FOUND, ""));
    let qo = app.login(Role::QualityOfficer).await;
    let schools: serde_json::Value =
        serde_json::from_str(&app.get(&qo, "/api/v1/schools").await.body).unwrap();
    assert_eq!(schools.as_array().unwrap().len(), 2, "the quality officer sees the board's two schools");
}
