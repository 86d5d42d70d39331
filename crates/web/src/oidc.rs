//! OpenID Connect login for boards that configured a provider (Microsoft Entra ID, Google
//! Workspace): authorization-code flow with PKCE; the ID token is validated by
//! `schoolscan_auth::oidc`.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use schoolscan_auth::oidc::{self, Expected, LoginAttempt};
use schoolscan_auth::session::Stage;
use serde::Deserialize;

use crate::guard::{Ctx, clear_cookie, new_session, session_cookie};
use crate::pages::login::after_password;
use crate::{AppState, WebError};

/// The back channel to a provider's token endpoint: POST a form, return the response body.
pub trait OidcHttp: Send + Sync {
    fn post_form(&self, url: &str, form: &[(String, String)]) -> Result<String, String>;
}

/// The default: no HTTPS client is built in (see docs/security.md); boards that want OpenID
/// Connect need a deployment that supplies one.
#[derive(Debug, Default)]
pub struct UnconfiguredHttp;

impl OidcHttp for UnconfiguredHttp {
    fn post_form(&self, _: &str, _: &[(String, String)]) -> Result<String, String> {
        Err("geen HTTPS-client geconfigureerd".into())
    }
}

fn failed(app: &AppState) -> Response {
    let html = app
        .templates
        .render(
            "message.html",
            serde_json::json!({"title": "Aanmelden mislukt", "text": "Aanmelden via uw organisatie is niet gelukt. Probeer het opnieuw of meld u aan met uw gebruikersnaam en wachtwoord.", "link": "/inloggen"}),
        )
        .unwrap_or_default();
    (StatusCode::UNAUTHORIZED, Html(html)).into_response()
}

pub async fn start(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(board): Path<String>,
) -> Result<Response, WebError> {
    let b = board.clone();
    let Some(provider) = app.blocking(move |s| s.oidc_provider(&b)).await? else {
        return Err(WebError::NotFound);
    };
    let attempt = LoginAttempt::new().map_err(|e| WebError::Internal(e.to_string()))?;
    let (token, hash) = match &ctx.session {
        Some(s) if s.stage == Stage::Anonymous => (None, s.token_hash.clone()),
        _ => {
            let (t, row) = new_session(&app, None, Stage::Anonymous).await?;
            (Some(t), row.token_hash)
        }
    };
    let state_json = serde_json::to_string(&attempt).map_err(|e| WebError::Internal(e.to_string()))?;
    app.blocking(move |s| s.set_session_oidc_state(&hash, Some(&state_json))).await?;
    let url =
        oidc::authorization_url(&provider.auth_url, &provider.client_id, &provider.redirect_url, &attempt);
    let mut resp = Redirect::to(&url).into_response();
    if let Some(t) = token {
        resp.headers_mut().insert(header::SET_COOKIE, session_cookie(&t));
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: String,
}

pub async fn callback(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(board): Path<String>,
    Query(q): Query<Callback>,
) -> Result<Response, WebError> {
    let Some(session) = ctx.session.clone().filter(|s| s.stage == Stage::Anonymous) else {
        return Ok(failed(&app));
    };
    let Some(attempt) =
        session.oidc_state.as_deref().and_then(|j| serde_json::from_str::<LoginAttempt>(j).ok())
    else {
        return Ok(failed(&app));
    };
    // The attempt is used once, whatever happens next.
    let h = session.token_hash.clone();
    app.blocking(move |s| s.set_session_oidc_state(&h, None)).await?;
    let (Some(code), Some(state)) = (q.code, q.state) else { return Ok(failed(&app)) };
    if !schoolscan_auth::session::csrf_matches(&attempt.state, &state) {
        return Ok(failed(&app));
    }
    let b = board.clone();
    let Some(provider) = app.blocking(move |s| s.oidc_provider(&b)).await? else {
        return Err(WebError::NotFound);
    };
    let form = oidc::token_request(
        &code,
        &provider.redirect_url,
        &provider.client_id,
        &provider.client_secret,
        &attempt.verifier,
    );
    let http = app.oidc_http.clone();
    let url = provider.token_url.clone();
    let body = tokio::task::spawn_blocking(move || http.post_form(&url, &form))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let Ok(body) = body else {
        tracing::warn!("oidc token request failed");
        return Ok(failed(&app));
    };
    let Ok(tokens) = serde_json::from_str::<TokenResponse>(&body) else { return Ok(failed(&app)) };
    let expected = Expected {
        issuer: &provider.issuer,
        client_id: &provider.client_id,
        nonce: &attempt.nonce,
        now: app.clock.now(),
    };
    let claims = match oidc::validate_id_token(&tokens.id_token, &provider.jwks, &expected) {
        Ok(c) => c,
        Err(_) => {
            tracing::warn!("oidc id token rejected");
            return Ok(failed(&app));
        }
    };
    // Find the account: linked before, or a not-yet-linked account of this board whose user name
    // is the e-mail address the provider vouches for.
    let key = claims.key();
    let email = claims.email.clone();
    let b = board.clone();
    let user = app
        .blocking(move |s| {
            if let Some(u) = s.user_by_oidc(&key)? {
                return Ok(Some(u));
            }
            let Some(email) = email else { return Ok(None) };
            match s.user_by_name(&email)? {
                Some(u) if u.board == b && u.oidc_subject.is_none() => {
                    s.link_oidc(u.id, &key)?;
                    s.user(u.id)
                }
                _ => Ok(None),
            }
        })
        .await?;
    let Some(user) = user.filter(|u| !u.disabled && u.board == board) else { return Ok(failed(&app)) };
    let h = session.token_hash.clone();
    app.blocking(move |s| s.delete_session(&h)).await?;
    let mfa_done = claims.did_mfa();
    let mut resp = after_password(&app, &user, mfa_done).await?;
    if !resp.headers().contains_key(header::SET_COOKIE) {
        resp.headers_mut().insert(header::SET_COOKIE, clear_cookie());
    }
    Ok(resp)
}
