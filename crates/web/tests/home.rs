#![allow(clippy::unwrap_used)]
//! The home page through the real router.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use schoolscan_domain::{Board, Brin, Dataset, Pupil, PupilNumber, School};
use schoolscan_store::{SqliteStore, Store, UpsertOptions};
use tower::ServiceExt;

async fn get(app: axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn home_lists_schools_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("w.db")).unwrap();
    let mut ds = Dataset::default();
    ds.boards.push(Board { key: "b".into(), name: "Bestuur".into() });
    ds.schools.push(School {
        brin: Brin::parse("12AB").unwrap(),
        name: "Basisschool De Ëik".into(),
        board: "b".into(),
    });
    ds.pupils.push(Pupil::new(Brin::parse("12AB").unwrap(), PupilNumber::parse("001").unwrap()));
    store.upsert(&ds, UpsertOptions::default()).unwrap();
    let app = schoolscan_web::router(schoolscan_web::AppState::new(Arc::new(store)).unwrap());

    let (status, headers, body) = get(app.clone(), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"nl\">"));
    assert!(body.contains("Basisschool De Ëik"));
    assert!(body.contains("12AB"));
    assert!(body.contains("leerlingen"));
    assert!(
        headers.get("content-security-policy").unwrap().to_str().unwrap().contains("frame-ancestors 'none'")
    );
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");

    let (status, _, body) = get(app, "/bestaat-niet").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("niet gevonden"));
}
