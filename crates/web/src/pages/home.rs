//! The home page: the schools in scope with their pupil and score counts.

use axum::extract::State;
use axum::response::Html;
use schoolscan_store::Scope;
use serde::Serialize;

use crate::{AppState, WebError};

#[derive(Serialize)]
struct Row {
    brin: String,
    name: String,
    pupils: u64,
    scores: u64,
}

#[derive(Serialize)]
struct HomePage {
    schools: Vec<Row>,
    total_pupils: u64,
    total_scores: u64,
}

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let store = state.store.clone();
    // Until accounts exist (issue 6) the home page shows every school in the local database.
    let schools = tokio::task::spawn_blocking(move || store.schools(&Scope::System))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??;
    let rows: Vec<Row> = schools
        .into_iter()
        .map(|s| Row { brin: s.brin.to_string(), name: s.name, pupils: s.pupils, scores: s.scores })
        .collect();
    let total_pupils: u64 = rows.iter().map(|r| r.pupils).sum();
    let total_scores: u64 = rows.iter().map(|r| r.scores).sum();
    let html = state.templates.render("home.html", HomePage { schools: rows, total_pupils, total_scores })?;
    Ok(Html(html))
}
