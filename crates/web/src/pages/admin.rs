//! Administration for the board administrator: users and the audit log.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use schoolscan_auth::Role;
use schoolscan_auth::audit::verify_chain;
use schoolscan_auth::password;
use schoolscan_domain::Brin;
use schoolscan_store::access::NewUser;
use serde::Deserialize;
use serde_json::json;

use crate::guard::{AccountAccess, Ctx};
use crate::{AppState, WebError};

async fn render_users(
    app: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    message: Option<String>,
) -> Result<Response, WebError> {
    let board = ctx.full_user()?.board.clone();
    let users = app.blocking(move |s| s.users(Some(&board))).await?;
    let rows: Vec<_> = users
        .iter()
        .map(|u| {
            json!({
                "id": u.id, "username": u.username, "name": u.display_name, "role": u.role.label(),
                "school": u.school.as_ref().map(Brin::as_str), "mfa": u.totp_confirmed, "disabled": u.disabled,
            })
        })
        .collect();
    let roles: Vec<_> = Role::ALL.iter().map(|r| json!({ "key": r.key(), "label": r.label() })).collect();
    let html = app.templates.render(
        "users.html",
        json!({ "csrf": ctx.csrf(), "users": rows, "roles": roles, "message": message }),
    )?;
    Ok((status, Html(html)).into_response())
}

pub async fn users(State(app): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    render_users(&app, &ctx, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    gebruikersnaam: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    rol: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    wachtwoord: String,
}

pub async fn add_user(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NewUserForm>,
) -> Result<Response, WebError> {
    let board = ctx.full_user()?.board.clone();
    let username = f.gebruikersnaam.trim().to_owned();
    let Ok(role) = f.rol.parse::<Role>() else {
        return render_users(&app, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some("Kies een rol.".into()))
            .await;
    };
    if username.is_empty() || username.chars().count() > 100 {
        return render_users(
            &app,
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Vul een gebruikersnaam in.".into()),
        )
        .await;
    }
    let school = match f.school.trim() {
        "" => None,
        s => match Brin::parse(s) {
            Ok(b) => Some(b),
            Err(_) => {
                return render_users(
                    &app,
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some("De BRIN-code klopt niet.".into()),
                )
                .await;
            }
        },
    };
    // The school must belong to the administrator's own board.
    if let Some(b) = &school {
        let (b2, scope) = (b.clone(), ctx.scope.clone());
        if app.blocking(move |s| s.school_in_scope(&scope, &b2)).await?.is_none() {
            return render_users(
                &app,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("Die school hoort niet bij uw bestuur.".into()),
            )
            .await;
        }
    }
    if let Err(e) = password::check_policy(&f.wachtwoord, &username) {
        return render_users(&app, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(format!("Wachtwoord: {e}.")))
            .await;
    }
    let pw = f.wachtwoord;
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let nu = NewUser {
        username: username.clone(),
        display_name: if f.naam.trim().is_empty() { username.clone() } else { f.naam.trim().to_owned() },
        role,
        board,
        school,
        municipality: None,
        password_hash: Some(hash),
        created_at: app.clock.now(),
    };
    match app.blocking(move |s| s.create_user(&nu)).await {
        Ok(_) => Ok(Redirect::to("/beheer/gebruikers").into_response()),
        Err(WebError::Store(schoolscan_store::StoreError::Rejected(m))) => {
            render_users(&app, &ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(format!("{m}."))).await
        }
        Err(e) => Err(e),
    }
}

pub async fn disable(State(app): State<AppState>, aa: AccountAccess) -> Result<Response, WebError> {
    let id = aa.account.id;
    app.blocking(move |s| s.set_disabled(id, true)).await?;
    tracing::info!(user = id, "account disabled");
    Ok(Redirect::to("/beheer/gebruikers").into_response())
}

pub async fn reset_mfa(State(app): State<AppState>, aa: AccountAccess) -> Result<Response, WebError> {
    let id = aa.account.id;
    app.blocking(move |s| s.reset_mfa(id)).await?;
    tracing::info!(user = id, "second factor reset");
    Ok(Redirect::to("/beheer/gebruikers").into_response())
}

pub async fn audit(State(app): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let board = ctx.full_user()?.board.clone();
    let (all, mine) = app.blocking(move |s| Ok((s.audit_log(None)?, s.audit_log(Some(&board))?))).await?;
    let chain = match verify_chain(&all) {
        Ok(n) => format!("De hashketen van {n} regels is intact."),
        Err(b) => {
            format!("Let op: de hashketen is verbroken bij regel {}. Het auditlog is gewijzigd.", b.seq)
        }
    };
    let rows: Vec<_> = mine.iter().rev().take(500).map(|r| &r.record).collect();
    let html = app.templates.render(
        "audit.html",
        json!({ "csrf": ctx.csrf(), "rows": rows, "total": mine.len(), "chain": chain }),
    )?;
    Ok(Html(html))
}

fn csv_field(s: &str) -> String {
    // Quote always; neutralise spreadsheet formulas (CSV injection).
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn audit_csv(State(app): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let board = ctx.full_user()?.board.clone();
    let rows = app.blocking(move |s| s.audit_log(Some(&board))).await?;
    let mut out = String::from(
        "volgnummer;tijd_utc;gebruiker;rol;namens;school;groep;leerling;categorie;handeling;route;verzoek;uitkomst;hash\n",
    );
    for r in &rows {
        let c = &r.record;
        let fields = [
            r.seq.to_string(),
            c.time_utc.clone(),
            c.actor.clone(),
            c.actor_role.clone(),
            c.acting_for.clone(),
            c.school.clone().unwrap_or_default(),
            c.group.clone().unwrap_or_default(),
            c.pupil.clone().unwrap_or_default(),
            c.category.clone(),
            c.action.clone(),
            c.route.clone(),
            c.request_id.clone(),
            c.outcome.clone(),
            r.hash.clone(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(";"));
        out.push('\n');
    }
    let mut resp = out.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    resp.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"auditlog.csv\""),
    );
    Ok(resp)
}
