//! The JSON API under `/api/v1`: the same sessions, scopes and audit as the pages (the guard and
//! the access extractors are shared). The OpenAPI 3 document is written by hand and checked by a
//! test against the policy table.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use schoolscan_auth::policy::{Method, ROUTES};
use serde_json::{Value, json};

use crate::guard::{Ctx, GroupAccess, PupilAccess, SchoolAccess};
use crate::{AppState, WebError};

pub async fn schools(State(app): State<AppState>, ctx: Ctx) -> Result<Json<Value>, WebError> {
    let scope = ctx.scope.clone();
    let s = app.blocking(move |s| s.schools(&scope)).await?;
    Ok(Json(json!(s
        .iter()
        .map(|s| json!({ "brin": s.brin.as_str(), "name": s.name, "board": s.board, "pupils": s.pupils, "scores": s.scores }))
        .collect::<Vec<_>>())))
}

pub async fn groups(State(app): State<AppState>, sa: SchoolAccess) -> Result<Json<Value>, WebError> {
    let scope = sa.ctx.scope.clone();
    let b = sa.school.clone();
    let g = app.blocking(move |s| s.school_groups(&scope, &b)).await?.ok_or(WebError::NotFound)?;
    Ok(Json(json!(
        g.iter()
            .map(|g| json!({ "year": g.year.to_string(), "name": g.name.as_str(), "pupils": g.pupils }))
            .collect::<Vec<_>>()
    )))
}

/// The analysis Findings of one school (`schoolscan_analysis::analyse`), over the records in the
/// user's scope. Audited: the findings name pupils who stand out.
pub async fn findings(State(app): State<AppState>, sa: SchoolAccess) -> Result<Response, WebError> {
    let Some(kind) = sa.ctx.policy.audit else { return Err(WebError::NotFound) };
    crate::guard::audit(&app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    let scope = sa.ctx.scope.clone();
    let brin = sa.school.clone();
    let filter = schoolscan_store::DatasetFilter { schools: vec![], until: None, with_notes: false };
    let data = app.blocking(move |s| s.load_dataset(&scope, &filter)).await?;
    let cfg = schoolscan_analysis::Config { school: Some(brin), ..schoolscan_analysis::Config::default() };
    let result = tokio::task::spawn_blocking(move || schoolscan_analysis::analyse(&data, &cfg))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(match result {
        Ok(f) => Json(json!(f)).into_response(),
        Err(e) => (axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "fout": e.to_string() })))
            .into_response(),
    })
}

/// The import reports of one school, newest first (`schoolscan import … --format json` reports,
/// with who imported and when). Audited: rejected rows carry the cell values found.
pub async fn imports(State(app): State<AppState>, sa: SchoolAccess) -> Result<Json<Value>, WebError> {
    let Some(kind) = sa.ctx.policy.audit else { return Err(WebError::NotFound) };
    crate::guard::audit(&app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    let scope = sa.ctx.scope.clone();
    let brin = sa.school.clone();
    let log = app.blocking(move |s| s.imports(&scope, &brin)).await?;
    Ok(Json(json!(log)))
}

pub async fn group_pupils(ga: GroupAccess) -> Json<Value> {
    Json(json!(ga
        .pupils
        .iter()
        .map(|p| json!({ "school": p.school.as_str(), "number": p.number.as_str(), "name": p.display_name() }))
        .collect::<Vec<_>>()))
}

pub async fn pupil(State(app): State<AppState>, pa: PupilAccess) -> Result<Json<Value>, WebError> {
    let scope = pa.ctx.scope.clone();
    let (b, n) = (pa.pupil.school.clone(), pa.pupil.number.clone());
    let d = app.blocking(move |s| s.dossier(&scope, &b, &n)).await?.ok_or(WebError::NotFound)?;
    Ok(Json(json!({
        "school": d.pupil.school.as_str(),
        "number": d.pupil.number.as_str(),
        "name": d.pupil.display_name(),
        "enrolments": d.enrolments.iter().map(|e| json!({
            "year": e.year.to_string(), "group": e.group.as_str(), "grade": e.grade.get(),
        })).collect::<Vec<_>>(),
    })))
}

pub async fn scores(State(app): State<AppState>, pa: PupilAccess) -> Result<Json<Value>, WebError> {
    let scope = pa.ctx.scope.clone();
    let (b, n) = (pa.pupil.school.clone(), pa.pupil.number.clone());
    let d = app.blocking(move |s| s.dossier(&scope, &b, &n)).await?.ok_or(WebError::NotFound)?;
    Ok(Json(json!(d
        .scores
        .iter()
        .map(|s| json!({
            "test": s.test_key, "component": s.component, "date": s.date.to_string(),
            "moment": s.moment.map(|m| m.to_string()), "ability": s.ability, "csem": s.csem, "level": s.level,
        }))
        .collect::<Vec<_>>())))
}

/// Per API path: summary, parameters and the response schema.
fn describe(path: &str) -> Option<(&'static str, Value)> {
    let arr = |items: Value| json!({ "type": "array", "items": items });
    let school = json!({ "type": "object", "required": ["brin", "name", "board", "pupils", "scores"], "properties": {
        "brin": { "type": "string" }, "name": { "type": "string" }, "board": { "type": "string" },
        "pupils": { "type": "integer" }, "scores": { "type": "integer" } } });
    let group = json!({ "type": "object", "required": ["year", "name", "pupils"], "properties": {
        "year": { "type": "string", "example": "2022-2023" }, "name": { "type": "string" }, "pupils": { "type": "integer" } } });
    let pupil_ref = json!({ "type": "object", "required": ["school", "number", "name"], "properties": {
        "school": { "type": "string" }, "number": { "type": "string" }, "name": { "type": "string" } } });
    let score = json!({ "type": "object", "required": ["test", "date"], "properties": {
        "test": { "type": "string" }, "component": { "type": ["string", "null"] }, "date": { "type": "string", "format": "date" },
        "moment": { "type": ["string", "null"] }, "ability": { "type": ["number", "null"] }, "csem": { "type": ["number", "null"] },
        "level": { "type": ["string", "null"] } } });
    Some(match path {
        "/api/v1/openapi.json" => ("Dit document", json!({ "type": "object" })),
        "/api/v1/schools" => ("Scholen binnen uw bereik", arr(school)),
        "/api/v1/schools/{brin}/groups" => ("Groepen van een school", arr(group)),
        "/api/v1/schools/{brin}/findings" => (
            "Analyse van de groei (Findings) van een school (gelogd); 422 met een Nederlandse foutmelding als er te weinig gegevens zijn",
            json!({ "type": "object", "description": "schoolscan_analysis::Findings" }),
        ),
        "/api/v1/schools/{brin}/imports" => (
            "Importverslagen van een school, nieuwste eerst (gelogd)",
            arr(json!({ "type": "object",
                "required": ["id", "school", "kind", "file_name", "actor", "at", "read", "imported", "updated", "duplicates", "skipped", "rejected", "report"],
                "properties": {
                "id": { "type": "integer" }, "school": { "type": "string" },
                "kind": { "type": "string", "enum": ["scores", "pupils", "seo"] },
                "file_name": { "type": "string" }, "actor": { "type": "string" }, "at": { "type": "string", "format": "date-time" },
                "read": { "type": "integer" }, "imported": { "type": "integer" }, "updated": { "type": "integer" },
                "duplicates": { "type": "integer" }, "skipped": { "type": "integer" }, "rejected": { "type": "integer" },
                "report": { "type": "object", "description": "Het verslag zoals schoolscan import --format json het geeft: read, imported, updated, duplicates, skipped en rejected (lijsten van {line, column, value, reason}), info" } } })),
        ),
        "/api/v1/schools/{brin}/groups/{year}/{group}/pupils" => {
            ("Leerlingen van een groep (gelogd)", arr(pupil_ref))
        }
        "/api/v1/pupils/{brin}/{number}" => (
            "Een leerling met inschrijvingen (gelogd)",
            json!({ "type": "object", "properties": {
            "school": { "type": "string" }, "number": { "type": "string" }, "name": { "type": "string" },
            "enrolments": arr(json!({ "type": "object" })) } }),
        ),
        "/api/v1/pupils/{brin}/{number}/scores" => ("Toetsscores van een leerling (gelogd)", arr(score)),
        _ => return None,
    })
}

/// The OpenAPI 3.1 document: every `/api/v1` route of the policy table.
pub fn openapi_document() -> Value {
    let mut paths = serde_json::Map::new();
    for r in ROUTES.iter().filter(|r| r.path.starts_with("/api/v1/") && r.method == Method::Get) {
        let (summary, schema) = describe(r.path).unwrap_or(("", json!({})));
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let public = r.path == "/api/v1/openapi.json";
        let mut responses = json!({ "200": { "description": "OK", "content": { "application/json": { "schema": schema } } } });
        if !public {
            responses["401"] = json!({ "description": "Niet aangemeld" });
            responses["404"] = json!({ "description": "Bestaat niet of valt buiten uw bereik (lege body)" });
        }
        let mut op = json!({ "summary": summary, "parameters": params, "responses": responses });
        if public {
            op["security"] = json!([]);
        }
        paths.insert(r.path.to_owned(), json!({ "get": op }));
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Schoolscan API", "version": "1", "description": "Dezelfde aanmelding, hetzelfde bereik en dezelfde auditlog als de webpagina's." },
        "components": { "securitySchemes": { "sessie": { "type": "apiKey", "in": "cookie", "name": crate::guard::COOKIE } } },
        "security": [ { "sessie": [] } ],
        "paths": paths,
    })
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_document().to_string()).into_response()
}
