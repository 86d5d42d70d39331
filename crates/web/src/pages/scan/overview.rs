//! The scan overview: the 8 steps with where each stands, and starting from last year's scan.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use schoolscan_domain::StepStatus;
use serde_json::json;

use schoolscan_report::num::nl;
use schoolscan_scan::steps::{
    AnalyseStep, CapacityStep, CollectStep, ConcludeStep, DomainsStep, InventoryStep,
};
use schoolscan_store::StoredScan;

use super::{Notice, ScanAccess, load_scan, read_step, render, steps_nav};
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
    let mut steps = steps_nav(sa, &scan);
    for (i, summary) in summaries(&scan).into_iter().enumerate() {
        if let Some(s) = steps.get_mut(i) {
            s["summary"] = json!(summary);
        }
    }
    let ctx = json!({
        "csrf": sa.ctx.csrf(),
        "brin": sa.school.as_str(),
        "school_name": sa.name,
        "year": sa.year.to_string(),
        "prev_year": prev.to_string(),
        "base": sa.base(),
        "steps": steps,
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

/// One line per step on what it holds, from the stored content only (no pupil-level facts).
fn summaries(scan: &StoredScan) -> Vec<Option<String>> {
    let saved = |n: u8| scan.steps.iter().any(|s| s.step == n && s.version > 0);
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut out = vec![None; 8];
    if saved(1)
        && let Ok(d) = read_step::<DomainsStep>(scan, 1)
    {
        out[0] = Some(format!("{} gekozen", plural(d.chosen.len(), "domein", "domeinen")));
    }
    if saved(2)
        && let Ok(i) = read_step::<InventoryStep>(scan, 2)
    {
        out[1] = Some(format!(
            "{} met de hand, drempel {} %",
            plural(i.manual.len(), "bron", "bronnen"),
            i.coverage_threshold
        ));
    }
    if saved(3)
        && let Ok(c) = read_step::<CollectStep>(scan, 3)
    {
        out[2] = Some(plural(c.plans.len(), "plan voor een witte vlek", "plannen voor witte vlekken"));
    }
    if saved(4)
        && let Ok(a) = read_step::<AnalyseStep>(scan, 4)
    {
        let moment = a
            .moment
            .split_whitespace()
            .next()
            .map_or_else(|| "laatste toetsmoment".to_owned(), |m| format!("toetsmoment {m}"));
        out[3] = Some(format!("{moment}, {} beantwoord", plural(a.answers.len(), "hulpvraag", "hulpvragen")));
    }
    if saved(5)
        && let Ok(c) = read_step::<ConcludeStep>(scan, 5)
    {
        out[4] = Some(format!("{} geduid", plural(c.conclusions.len(), "bevinding", "bevindingen")));
    }
    if saved(7)
        && let Ok(c) = read_step::<CapacityStep>(scan, 7)
    {
        let fte: f64 = c.team.iter().map(|t| t.fte.max(0.0)).sum();
        out[6] = Some(format!(
            "team {} FTE in {}, {}",
            nl(fte, 1),
            plural(c.team.len(), "regel", "regels"),
            plural(c.partners.len(), "partner", "partners")
        ));
    }
    out
}
