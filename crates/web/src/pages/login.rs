//! Login: password, second factor (TOTP), enrolment of the authenticator app, logout.

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use schoolscan_auth::limiter::{self, Decision};
use schoolscan_auth::password::{self, Verified};
use schoolscan_auth::session::Stage;
use schoolscan_auth::totp;
use schoolscan_store::access::User;
use serde::Deserialize;
use serde_json::json;

use crate::guard::{Ctx, clear_cookie, new_session, session_cookie};
use crate::{AppState, WebError};

/// The one answer for every failed login (R18: the same for unknown accounts, wrong passwords
/// and refused attempts).
const FAILED: &str = "De gebruikersnaam, het wachtwoord of de code klopt niet, of er is te vaak een verkeerde \
                      poging gedaan. Wacht even en probeer het opnieuw.";

fn with_cookie(mut resp: Response, token: Option<&str>) -> Response {
    if let Some(t) = token {
        resp.headers_mut().insert(header::SET_COOKIE, session_cookie(t));
    }
    resp
}

async fn render_login(
    app: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, WebError> {
    // The form needs an (anonymous) session for its CSRF token.
    let (token, csrf) = match &ctx.session {
        Some(s) if s.stage == Stage::Anonymous => (None, s.csrf_token.clone()),
        _ => {
            let (t, row) = new_session(app, None, Stage::Anonymous).await?;
            (Some(t), row.csrf_token)
        }
    };
    let store = app.store.clone();
    let schools: Vec<serde_json::Value> = tokio::task::spawn_blocking(move || store.directory())
        .await
        .map_err(|e| WebError::Internal(e.to_string()))??
        .into_iter()
        .map(|(brin, name)| json!({ "brin": brin.as_str(), "name": name }))
        .collect();
    let html =
        app.templates.render("login.html", json!({ "csrf": csrf, "error": error, "schools": schools }))?;
    Ok(with_cookie((status, Html(html)).into_response(), token.as_deref()))
}

pub async fn form(State(app): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if ctx.session.as_ref().is_some_and(|s| s.stage == Stage::Full) {
        return Ok(Redirect::to("/").into_response());
    }
    render_login(&app, &ctx, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    gebruikersnaam: String,
    #[serde(default)]
    wachtwoord: String,
}

/// After a correct password (or an OIDC login): rotate the session id and ask for the second
/// factor when the role needs one (R19: no full session before it).
pub async fn after_password(app: &AppState, user: &User, mfa_done: bool) -> Result<Response, WebError> {
    let id = user.id;
    if !user.role.requires_mfa() || mfa_done {
        let (token, _) = new_session(app, Some(id), Stage::Full).await?;
        tracing::info!(user = id, "login");
        return Ok(with_cookie(Redirect::to("/").into_response(), Some(&token)));
    }
    let (token, _) = new_session(app, Some(id), Stage::MfaPending).await?;
    let next = if user.totp_confirmed { "/inloggen/code" } else { "/inloggen/koppelen" };
    Ok(with_cookie(Redirect::to(next).into_response(), Some(&token)))
}

pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    let name = limiter::normalise(&f.gebruikersnaam);
    let now = app.clock.now();
    let n2 = name.clone();
    let (failures, user) = app
        .blocking(move |s| Ok((s.login_failures(&n2, now - limiter::WINDOW)?, s.user_by_name(&n2)?)))
        .await?;
    let decision = limiter::decide(&failures, now);
    let pw = f.wachtwoord;
    let phc = user.as_ref().filter(|u| !u.disabled).and_then(|u| u.password_hash.clone());
    // Always spend one Argon2 verification, whatever the case (R18: same time, same answer).
    let verified = tokio::task::spawn_blocking(move || match (decision, phc) {
        (Decision::Allow, Some(phc)) => (password::verify(&pw, &phc), Some(pw)),
        _ => {
            password::verify_dummy(&pw);
            (Verified::Invalid, None)
        }
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    match (verified, user) {
        ((Verified::Valid { upgrade }, Some(pw)), Some(user)) => {
            let (id, n2) = (user.id, name.clone());
            // Upgrade a weak hash now that we know the password (R16).
            let new_hash = if upgrade {
                tokio::task::spawn_blocking(move || password::hash(&pw).ok())
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?
            } else {
                None
            };
            let old = ctx.session.as_ref().map(|s| s.token_hash.clone());
            app.blocking(move |s| {
                s.clear_login_failures(&n2)?;
                if let Some(h) = new_hash {
                    s.set_password_hash(id, &h)?;
                }
                if let Some(old) = old {
                    s.delete_session(&old)?;
                }
                Ok(())
            })
            .await?;
            after_password(&app, &user, false).await
        }
        _ => {
            if decision == Decision::Allow {
                app.blocking(move |s| s.record_login_failure(&name, now)).await?;
            }
            tracing::info!("login failed");
            render_login(&app, &ctx, StatusCode::UNAUTHORIZED, Some(FAILED)).await
        }
    }
}

fn pending_user(ctx: &Ctx) -> Result<&User, WebError> {
    match (&ctx.session, &ctx.user) {
        (Some(s), Some(u)) if s.stage == Stage::MfaPending => Ok(u),
        _ => Err(WebError::NotFound),
    }
}

pub async fn code_form(State(app): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = pending_user(&ctx)?;
    if !user.totp_confirmed {
        return Ok(Redirect::to("/inloggen/koppelen").into_response());
    }
    Ok(Html(app.templates.render("code.html", json!({ "csrf": ctx.csrf(), "error": null }))?).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Check a TOTP code for the pending user under the brute-force limit; on success replace the
/// pending session by a full one (a new id again).
async fn finish_with_code(
    app: &AppState,
    ctx: &Ctx,
    code: &str,
    confirm_enrolment: bool,
) -> Result<Option<Response>, WebError> {
    let user = pending_user(ctx)?.clone();
    let now = app.clock.now();
    let name = limiter::normalise(&user.username);
    let n2 = name.clone();
    let failures = app.blocking(move |s| s.login_failures(&n2, now - limiter::WINDOW)).await?;
    let step = match (limiter::decide(&failures, now), &user.totp_secret) {
        (Decision::Allow, Some(secret)) => totp::verify(secret, code, now, user.totp_last_step),
        _ => None,
    };
    let Some(step) = step else {
        app.blocking(move |s| s.record_login_failure(&name, now)).await?;
        return Ok(None);
    };
    let id = user.id;
    let old = ctx.session.as_ref().map(|s| s.token_hash.clone());
    let secret = user.totp_secret.clone();
    app.blocking(move |s| {
        if confirm_enrolment {
            s.set_totp(id, secret.as_deref(), true)?;
        }
        s.set_totp_last_step(id, step)?;
        s.clear_login_failures(&name)?;
        if let Some(old) = old {
            s.delete_session(&old)?;
        }
        Ok(())
    })
    .await?;
    let (token, _) = new_session(app, Some(id), Stage::Full).await?;
    tracing::info!(user = id, "login with second factor");
    Ok(Some(with_cookie(Redirect::to("/").into_response(), Some(&token))))
}

pub async fn code_submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    if let Some(r) = finish_with_code(&app, &ctx, &f.code, false).await? {
        return Ok(r);
    }
    let html = app.templates.render("code.html", json!({ "csrf": ctx.csrf(), "error": FAILED }))?;
    Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response())
}

async fn render_enrol(
    app: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let user = pending_user(ctx)?.clone();
    let secret = match (&user.totp_secret, user.totp_confirmed) {
        (_, true) => return Ok(Redirect::to("/inloggen/code").into_response()),
        (Some(s), false) => s.clone(),
        (None, false) => {
            let s = totp::new_secret().map_err(|e| WebError::Internal(e.to_string()))?;
            let (id, s2) = (user.id, s.clone());
            app.blocking(move |st| st.set_totp(id, Some(&s2), false)).await?;
            s
        }
    };
    let uri = totp::otpauth_uri("Schoolscan", &user.username, &secret);
    let html = app
        .templates
        .render("enrol.html", json!({ "csrf": ctx.csrf(), "secret": secret, "uri": uri, "error": error }))?;
    Ok((status, Html(html)).into_response())
}

pub async fn enrol_form(State(app): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    render_enrol(&app, &ctx, StatusCode::OK, None).await
}

pub async fn enrol_submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CodeForm>,
) -> Result<Response, WebError> {
    if pending_user(&ctx)?.totp_confirmed {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    if let Some(r) = finish_with_code(&app, &ctx, &f.code, true).await? {
        return Ok(r);
    }
    render_enrol(&app, &ctx, StatusCode::UNAUTHORIZED, Some(FAILED)).await
}

pub async fn logout(State(app): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if let Some(s) = &ctx.session {
        let h = s.token_hash.clone();
        app.blocking(move |st| st.delete_session(&h)).await?;
    }
    let mut resp = Redirect::to("/inloggen").into_response();
    resp.headers_mut().insert(header::SET_COOKIE, clear_cookie());
    Ok(resp)
}
