//! The guard in front of every handler, and the typed extractors handlers use.
//!
//! [`enforce`] runs per route with the route's [`RoutePolicy`]:
//! 1. it loads the server-side session named by the `__Host-schoolscan` cookie and ends it when it
//!    idled or aged out (R20) or its account was disabled (R4);
//! 2. it applies the policy's access rule: unauthenticated API calls get 401, pages a redirect to
//!    the login page; a role the route does not admit gets 404 with an empty body (R2);
//! 3. on state-changing requests it checks `Sec-Fetch-Site` and the synchronizer token (R22);
//! 4. it resolves the user's scope once and hands handlers a [`Ctx`].
//!
//! Object access goes through [`PupilAccess`], [`GroupAccess`], [`SchoolAccess`] and
//! [`AccountAccess`]: each looks the object up *through the scope* and answers 404 with an empty
//! body when it is outside (the same as when it does not exist). [`PupilAccess`] and
//! [`GroupAccess`] write exactly one audit record per call (R24).

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http_body_util::BodyExt;
use schoolscan_auth::audit::AuditRecord;
use schoolscan_auth::policy::{Access, RoutePolicy};
use schoolscan_auth::session::{self, Liveness, Stage};
use schoolscan_auth::{Action, DataCategory, Role};
use schoolscan_domain::{Brin, GroupName, Pupil, PupilNumber, SchoolYear};
use schoolscan_store::Scope;
use schoolscan_store::access::{SessionRow, User, ts};

use crate::{AppState, WebError};

/// The session cookie. `__Host-`: Secure, host-only, path `/` (R21).
pub const COOKIE: &str = "__Host-schoolscan";
/// Form field and header carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body accepted.
pub const MAX_FORM: usize = 64 * 1024;
/// Routes that accept a file upload (`multipart/form-data`, up to [`AppState::upload_limit`]).
/// A larger upload reaches the handler with an empty body and an [`UploadTooLarge`] extension,
/// after the same checks as any other request (role, CSRF); the handler checks the object and
/// answers with the Dutch "file too large" page (413). Every handler of these routes must look
/// for the extension.
pub const UPLOAD_ROUTES: &[&str] = &["/scholen/{brin}/importeren"];
/// After a too-large upload, the rest of the body is read and dropped up to this many times the
/// limit, so that the browser, which is still sending, gets to read the answer.
const DRAIN_FACTOR: u64 = 4;

/// Set on an upload request whose body was larger than the limit (bytes): nothing of it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadTooLarge {
    pub limit: usize,
}

/// A request's id, for logs and audit records.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The state the guard runs with: the app and the route's policy.
#[derive(Clone)]
pub struct Guard {
    pub app: AppState,
    pub policy: &'static RoutePolicy,
}

/// What the guard established for this request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub policy: &'static RoutePolicy,
    pub request_id: String,
    /// The session (any stage), if the request carried a live one.
    pub session: Option<SessionRow>,
    /// The account of a full or pending session.
    pub user: Option<User>,
    /// The scope of a fully logged-in user; `Nothing` otherwise.
    pub scope: Scope,
    /// A parent's children with gezag.
    pub gezag: Vec<(Brin, PupilNumber)>,
}

impl Ctx {
    pub fn csrf(&self) -> String {
        self.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default()
    }
    pub fn full_user(&self) -> Result<&User, WebError> {
        match (&self.session, &self.user) {
            (Some(s), Some(u)) if s.stage == Stage::Full => Ok(u),
            _ => Err(WebError::NotFound),
        }
    }
    pub fn has_gezag(&self, school: &Brin, number: &PupilNumber) -> bool {
        self.gezag.iter().any(|(s, n)| s == school && n == number)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// The session token from the cookie header.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';')
            .map(str::trim)
            .find_map(|kv| kv.strip_prefix(COOKIE).and_then(|r| r.strip_prefix('=')).map(str::to_owned))
    })
}

/// `Set-Cookie` for a new session (R21): no `Max-Age`, so it ends with the browser session too.
pub fn session_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Lax"))
        .unwrap_or_else(|_| {
            HeaderValue::from_static("__Host-schoolscan=; Path=/; Secure; HttpOnly; SameSite=Lax")
        })
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-schoolscan=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Create a new session in `stage` and return its cookie value. A new id every time: the id
/// rotates at every step of the login (R20, ASVS 7.2.4).
pub async fn new_session(
    app: &AppState,
    user: Option<i64>,
    stage: Stage,
) -> Result<(String, SessionRow), WebError> {
    let token = session::new_session_id().map_err(|e| WebError::Internal(e.to_string()))?;
    let csrf = session::new_csrf_token().map_err(|e| WebError::Internal(e.to_string()))?;
    let now = app.clock.now();
    let row = SessionRow {
        token_hash: session::token_hash(&token),
        user_id: user,
        stage,
        csrf_token: csrf,
        created_at: now,
        last_seen: now,
        oidc_state: None,
    };
    let r = row.clone();
    app.blocking(move |s| s.create_session(&r)).await?;
    Ok((token, row))
}

/// Load the live session and its user, ending dead ones.
async fn load_session(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<(Option<SessionRow>, Option<User>), WebError> {
    let Some(token) = session_token(headers) else { return Ok((None, None)) };
    let hash = session::token_hash(&token);
    let now = app.clock.now();
    app.blocking(move |s| {
        let Some(row) = s.session(&hash)? else { return Ok((None, None)) };
        let user = match row.user_id {
            Some(id) => s.user(id)?,
            None => None,
        };
        if row.user_id.is_some() && user.as_ref().is_none_or(|u| u.disabled) {
            s.delete_session(&hash)?;
            return Ok((None, None));
        }
        let role = user.as_ref().map(|u| u.role);
        if session::liveness(row.stage, role, row.created_at, row.last_seen, now) != Liveness::Alive {
            s.delete_session(&hash)?;
            return Ok((None, None));
        }
        if row.stage == Stage::Full {
            s.touch_session(&hash, now)?;
        }
        Ok((Some(row), user))
    })
    .await
}

fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// The guard middleware (see the module documentation).
pub async fn enforce(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    match enforce_inner(guard, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn enforce_inner(guard: Guard, req: Request, next: Next) -> Result<Response, WebError> {
    let Guard { app, policy } = guard;
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let (session, user) = load_session(&app, req.headers()).await?;
    let full = session.as_ref().is_some_and(|s| s.stage == Stage::Full) && user.is_some();

    match policy.access {
        Access::Public => {}
        Access::MfaPending => {
            if !session.as_ref().is_some_and(|s| s.stage == Stage::MfaPending) || user.is_none() {
                return Ok(Redirect::to("/inloggen").into_response());
            }
        }
        Access::AnyUser | Access::Roles(_) => {
            if !full {
                return Ok(if policy.is_api() {
                    empty(StatusCode::UNAUTHORIZED)
                } else {
                    Redirect::to("/inloggen").into_response()
                });
            }
            if let Some(u) = &user
                && !policy.admits(u.role)
            {
                return Ok(empty(StatusCode::NOT_FOUND));
            }
        }
    }

    // CSRF (R22): state-changing requests need same-origin fetch metadata and the session's token.
    let mut req = req;
    if policy.method.is_state_changing() {
        let site = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if !session::fetch_site_allowed(site) {
            return Ok(empty(StatusCode::FORBIDDEN));
        }
        let Some(expected) = session.as_ref().map(|s| s.csrf_token.clone()) else {
            return Ok(empty(StatusCode::FORBIDDEN));
        };
        let header_token = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (parts, body) = req.into_parts();
        let upload = UPLOAD_ROUTES.contains(&policy.path);
        // Upload routes take a file (multipart, with the token as a field) up to the upload limit.
        let limit = if upload { app.upload_limit } else { MAX_FORM };
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let (bytes, too_large) = match read_limited(body, limit, declared).await {
            BodyRead::Complete(b) => (b, false),
            // Too large: the token is read from the fields at the start of the body.
            BodyRead::TooLarge(prefix) if upload => (prefix, true),
            BodyRead::TooLarge(_) | BodyRead::Failed => return Err(WebError::NotFound),
        };
        let form_token = if too_large {
            crate::multipart::text_field_in_prefix(&parts.headers, &bytes, CSRF_FIELD)
        } else {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|kv| kv.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v))
                .or_else(|| crate::multipart::text_field(&parts.headers, &bytes, CSRF_FIELD))
        };
        let given = header_token.or(form_token).unwrap_or_default();
        if !session::csrf_matches(&expected, &given) {
            return Ok(empty(StatusCode::FORBIDDEN));
        }
        if too_large {
            // Nothing of the upload goes further.
            req = Request::from_parts(parts, Body::empty());
            req.extensions_mut().insert(UploadTooLarge { limit });
        } else {
            req = Request::from_parts(parts, Body::from(bytes));
        }
    }

    // Resolve the scope once (R4: from the database, on every request).
    let (scope, gezag) = match (&user, full) {
        (Some(u), true) => {
            let u2 = u.clone();
            let now = app.clock.now();
            let facts = app.blocking(move |s| s.access_facts(&u2, now)).await?;
            let gezag = if u.role == Role::Parent {
                facts.children.iter().filter(|c| c.2).map(|(s, p, _)| (s.clone(), p.clone())).collect()
            } else {
                Vec::new()
            };
            (crate::scope_for(u, &facts), gezag)
        }
        _ => (Scope::Nothing, Vec::new()),
    };
    req.extensions_mut().insert(Ctx { policy, request_id, session, user, scope, gezag });
    Ok(next.run(req).await)
}

/// A request body read up to a limit.
enum BodyRead {
    Complete(Bytes),
    /// Larger than the limit: the first bytes (up to the limit, or up to [`MAX_FORM`] when the
    /// declared length already says it is too large); the rest was read and dropped.
    TooLarge(Bytes),
    /// The client broke off, or the body could not be read.
    Failed,
}

/// Read `body` when it is at most `limit` bytes. A body that is too large, by its declared
/// `Content-Length` or by what arrives, is kept only in its first bytes; the rest is read and
/// dropped (up to [`DRAIN_FACTOR`] times the limit), never buffered.
async fn read_limited(mut body: Body, limit: usize, declared: Option<u64>) -> BodyRead {
    let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let declared_too_large = declared.is_some_and(|n| n > limit64);
    let keep = if declared_too_large { MAX_FORM.min(limit) } else { limit };
    let mut buf: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return BodyRead::Failed };
        let Ok(data) = frame.into_data() else { continue };
        total = total.saturating_add(data.len() as u64);
        let over = total > limit64 || (declared_too_large && buf.len() + data.len() >= keep);
        if over {
            let room = keep.saturating_sub(buf.len()).min(data.len());
            buf.extend_from_slice(data.get(..room).unwrap_or_default());
            let cap = limit64.saturating_mul(DRAIN_FACTOR);
            while total <= cap {
                match body.frame().await {
                    Some(Ok(f)) => total = total.saturating_add(f.data_ref().map_or(0, |d| d.len() as u64)),
                    _ => break,
                }
            }
            return BodyRead::TooLarge(Bytes::from(buf));
        }
        buf.extend_from_slice(&data);
    }
    BodyRead::Complete(Bytes::from(buf))
}

/// Write one audit record for this request.
pub async fn audit(
    app: &AppState,
    ctx: &Ctx,
    school: &Brin,
    group: Option<String>,
    pupil: Option<&PupilNumber>,
    (category, action): (DataCategory, Action),
    allowed: bool,
) -> Result<(), WebError> {
    let Some(user) = &ctx.user else { return Err(WebError::NotFound) };
    let board = user.board.clone();
    let rec = AuditRecord {
        time_utc: ts(app.clock.now()),
        actor_id: Some(user.id),
        actor: user.username.clone(),
        actor_role: user.role.key().to_owned(),
        acting_for: match &user.school {
            Some(s) => format!("{}/{}", user.board, s),
            None => user.board.clone(),
        },
        school: Some(school.as_str().to_owned()),
        group,
        pupil: pupil.map(|p| p.as_str().to_owned()),
        category: category.as_str().to_owned(),
        action: action.as_str().to_owned(),
        route: ctx.policy.path.to_owned(),
        request_id: ctx.request_id.clone(),
        outcome: if allowed { "allowed" } else { "denied" }.to_owned(),
    };
    app.blocking(move |s| s.append_audit(&board, &rec)).await?;
    Ok(())
}

async fn path_params(parts: &mut Parts, state: &AppState) -> Result<HashMap<String, String>, Response> {
    Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map(|p| p.0)
        .map_err(|_| empty(StatusCode::NOT_FOUND))
}

#[allow(clippy::result_large_err)] // axum rejections are responses
fn param<'a>(p: &'a HashMap<String, String>, k: &str) -> Result<&'a str, Response> {
    p.get(k).map(String::as_str).ok_or_else(|| empty(StatusCode::NOT_FOUND))
}

/// A pupil the user may access through this route, already audited.
pub struct PupilAccess {
    pub ctx: Ctx,
    pub pupil: Pupil,
}

impl FromRequestParts<AppState> for PupilAccess {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let p = path_params(parts, state).await?;
        let (Ok(school), Ok(number)) =
            (Brin::parse(param(&p, "brin")?), PupilNumber::parse(param(&p, "number")?))
        else {
            return Err(empty(StatusCode::NOT_FOUND));
        };
        let Some(audit_kind) = ctx.policy.audit else { return Err(empty(StatusCode::INTERNAL_SERVER_ERROR)) };
        let scope = ctx.scope.clone();
        let (s2, n2) = (school.clone(), number.clone());
        let pupil =
            state.blocking(move |s| s.pupil(&scope, &s2, &n2)).await.map_err(IntoResponse::into_response)?;
        audit(state, &ctx, &school, None, Some(&number), audit_kind, pupil.is_some())
            .await
            .map_err(IntoResponse::into_response)?;
        match pupil {
            Some(pupil) => Ok(PupilAccess { ctx, pupil }),
            None => Err(empty(StatusCode::NOT_FOUND)),
        }
    }
}

/// A group the user may open, with its pupils; audited (a list of pupil identities).
pub struct GroupAccess {
    pub ctx: Ctx,
    pub school: Brin,
    pub year: SchoolYear,
    pub group: GroupName,
    pub pupils: Vec<Pupil>,
}

impl FromRequestParts<AppState> for GroupAccess {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let p = path_params(parts, state).await?;
        let (Ok(school), Ok(year), Ok(group)) = (
            Brin::parse(param(&p, "brin")?),
            SchoolYear::parse(param(&p, "year")?),
            GroupName::parse(param(&p, "group")?),
        ) else {
            return Err(empty(StatusCode::NOT_FOUND));
        };
        let Some(audit_kind) = ctx.policy.audit else { return Err(empty(StatusCode::INTERNAL_SERVER_ERROR)) };
        let scope = ctx.scope.clone();
        let (s2, g2) = (school.clone(), group.clone());
        let pupils = state
            .blocking(move |s| s.group_pupils(&scope, &s2, year, &g2))
            .await
            .map_err(IntoResponse::into_response)?;
        let label = format!("{} {}", year, group);
        audit(state, &ctx, &school, Some(label), None, audit_kind, pupils.is_some())
            .await
            .map_err(IntoResponse::into_response)?;
        match pupils {
            Some(pupils) => Ok(GroupAccess { ctx, school, year, group, pupils }),
            None => Err(empty(StatusCode::NOT_FOUND)),
        }
    }
}

/// A school in the user's scope.
pub struct SchoolAccess {
    pub ctx: Ctx,
    pub school: Brin,
    pub name: String,
    pub board: String,
}

impl FromRequestParts<AppState> for SchoolAccess {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let p = path_params(parts, state).await?;
        let Ok(school) = Brin::parse(param(&p, "brin")?) else { return Err(empty(StatusCode::NOT_FOUND)) };
        let scope = ctx.scope.clone();
        let s2 = school.clone();
        let found = state
            .blocking(move |s| s.school_in_scope(&scope, &s2))
            .await
            .map_err(IntoResponse::into_response)?;
        match found {
            Some((name, board)) => Ok(SchoolAccess { ctx, school, name, board }),
            None => Err(empty(StatusCode::NOT_FOUND)),
        }
    }
}

/// An account of the administrator's own board.
pub struct AccountAccess {
    pub ctx: Ctx,
    pub account: User,
}

impl FromRequestParts<AppState> for AccountAccess {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let p = path_params(parts, state).await?;
        let Ok(id) = param(&p, "id")?.parse::<i64>() else { return Err(empty(StatusCode::NOT_FOUND)) };
        let admin_board = ctx.full_user().map_err(IntoResponse::into_response)?.board.clone();
        let account = state.blocking(move |s| s.user(id)).await.map_err(IntoResponse::into_response)?;
        match account {
            Some(account) if account.board == admin_board => Ok(AccountAccess { ctx, account }),
            _ => Err(empty(StatusCode::NOT_FOUND)),
        }
    }
}
