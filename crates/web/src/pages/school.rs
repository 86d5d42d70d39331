//! A school's groups, and a group's pupils.

use axum::extract::State;
use axum::response::Html;
use serde_json::json;

use crate::guard::{GroupAccess, SchoolAccess};
use crate::{AppState, WebError};

pub async fn show(State(app): State<AppState>, sa: SchoolAccess) -> Result<Html<String>, WebError> {
    let scope = sa.ctx.scope.clone();
    let brin = sa.school.clone();
    let groups = app.blocking(move |s| s.school_groups(&scope, &brin)).await?.ok_or(WebError::NotFound)?;
    let rows: Vec<_> = groups
        .iter()
        .map(|g| json!({ "year": g.year.to_string(), "name": g.name.as_str(), "pupils": g.pupils }))
        .collect();
    // The schoolscan of each school year with groups, newest first (for the roles that may open it).
    let mut scan_years: Vec<String> = groups.iter().map(|g| g.year.to_string()).collect();
    scan_years.dedup();
    let scan_role = sa.ctx.user.as_ref().is_some_and(|u| {
        schoolscan_auth::policy::find(schoolscan_auth::policy::Method::Get, "/scholen/{brin}/scan/{year}")
            .is_some_and(|p| p.admits(u.role))
    });
    let html = app.templates.render(
        "school.html",
        json!({ "csrf": sa.ctx.csrf(), "brin": sa.school.as_str(), "name": sa.name, "groups": rows,
                "scan_years": if scan_role { scan_years } else { Vec::new() } }),
    )?;
    Ok(Html(html))
}

pub async fn group(State(app): State<AppState>, ga: GroupAccess) -> Result<Html<String>, WebError> {
    let rows: Vec<_> =
        ga.pupils.iter().map(|p| json!({ "number": p.number.as_str(), "name": p.sort_name() })).collect();
    let html = app.templates.render(
        "group.html",
        json!({
            "csrf": ga.ctx.csrf(),
            "brin": ga.school.as_str(),
            "year": ga.year.to_string(),
            "group": ga.group.as_str(),
            "pupils": rows,
        }),
    )?;
    Ok(Html(html))
}
