//! The scan overview: the 8 steps with where each stands, and starting from last year's scan.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use schoolscan_domain::StepStatus;
use serde_json::json;

use super::{Notice, ScanAccess, load_scan, render, steps_nav};
use crate::{AppState, WebError};

pub async fn show(
    State(app): State<AppState>,
    sa: ScanAccess,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let message = q.get("gekopieerd").and_then(|v| v.parse::<u32>().ok()).map(copy_message);
    page(&app, &sa, message).await
}

fn copy_message(n: u32) -> String {
    match n {
        0 => "Er is niets overgenomen: de stappen die meegaan (1, 2 en 7) waren dit jaar al ingevuld, of vorig jaar leeg.".into(),
        1 => "1 stap is overgenomen uit de schoolscan van vorig jaar.".into(),
        n => format!("{n} stappen zijn overgenomen uit de schoolscan van vorig jaar."),
    }
}

async fn page(app: &AppState, sa: &ScanAccess, message: Option<String>) -> Result<Response, WebError> {
    let scan = load_scan(app, sa).await?;
    let scope = sa.ctx.scope.clone();
    let scans = app.blocking(move |s| s.scans(&scope)).await?;
    let prev = sa.year.prev();
    let prev_started = scans.iter().any(|s| {
        s.school == sa.school && s.year == prev && s.status.iter().any(|st| *st != StepStatus::NotStarted)
    });
    let done = scan.steps.iter().filter(|s| s.status == StepStatus::Done).count();
    let ctx = json!({
        "csrf": sa.ctx.csrf(),
        "brin": sa.school.as_str(),
        "school_name": sa.name,
        "year": sa.year.to_string(),
        "prev_year": prev.to_string(),
        "base": sa.base(),
        "steps": steps_nav(sa, &scan),
        "done": done,
        "may_copy": sa.may_write() && prev_started,
        "message": message,
    });
    render(app, "scan_overview.html", ctx, &Notice::None)
}

/// Start this year's scan from last year's: the steps that carry over and are still empty here.
pub async fn copy(State(app): State<AppState>, sa: ScanAccess) -> Result<Response, WebError> {
    if !sa.may_write() {
        return Err(WebError::NotFound);
    }
    let scope = sa.ctx.scope.clone();
    let (b, y) = (sa.school.clone(), sa.year);
    let user = sa.user_name();
    let now = schoolscan_store::access::ts(app.clock.now());
    let copied = app
        .blocking(move |s| match s.copy_scan(&scope, &b, y.prev(), y, &user, &now) {
            Ok(n) => Ok(n),
            Err(schoolscan_store::StoreError::NoScan { .. }) => Ok(0),
            Err(e) => Err(e),
        })
        .await?;
    Ok(Redirect::to(&format!("{}?gekopieerd={copied}", sa.base())).into_response())
}
