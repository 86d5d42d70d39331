//! The start page: what the user may open, by role.

use axum::extract::State;
use axum::response::Html;
use schoolscan_auth::Role;
use schoolscan_store::Scope;
use serde_json::json;

use crate::guard::Ctx;
use crate::{AppState, WebError};

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let user = ctx.full_user()?.clone();
    let scope = ctx.scope.clone();
    let schools = app.blocking(move |s| s.schools(&scope)).await?;
    let aggregate_only = matches!(user.role, Role::MrMember | Role::Municipality);
    let rows: Vec<_> = schools
        .iter()
        .map(|s| json!({ "brin": s.brin.as_str(), "name": s.name, "pupils": s.pupils, "scores": s.scores }))
        .collect();
    // Parents and care partners see links to their pupils, by number (names appear only on the
    // audited pupil page).
    let pupils: Vec<_> = match &ctx.scope {
        Scope::NamedPupils { pupils } => {
            pupils.iter().map(|(b, n)| json!({ "brin": b.as_str(), "number": n.as_str() })).collect()
        }
        _ => Vec::new(),
    };
    let html = app.templates.render(
        "home.html",
        json!({
            "user": { "name": user.display_name, "role": user.role.label() },
            "csrf": ctx.csrf(),
            "schools": if pupils.is_empty() { rows } else { Vec::new() },
            "pupils": pupils,
            "aggregate_only": aggregate_only,
            "admin": user.role == Role::BoardAdmin,
        }),
    )?;
    Ok(Html(html))
}
