//! The route table: every handler with its method and path, matched against the policy table.
//!
//! To add a page: add a row to `schoolscan_auth::policy::ROUTES`, then one line to [`table`]. The
//! app refuses to start when the two disagree (R1), so neither can be forgotten.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use schoolscan_auth::policy::{self, Method, ROUTES};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::guard::{Guard, RequestId, enforce};
use crate::{AppState, WebError, api, oidc, pages};

/// One handler registration.
pub struct Entry {
    pub method: Method,
    pub path: &'static str,
    pub handler: MethodRouter<AppState>,
}

fn g(path: &'static str, handler: MethodRouter<AppState>) -> Entry {
    Entry { method: Method::Get, path, handler }
}
fn p(path: &'static str, handler: MethodRouter<AppState>) -> Entry {
    Entry { method: Method::Post, path, handler }
}

/// Every route of the app.
pub fn table() -> Vec<Entry> {
    use pages::{admin, aggregate, assets, home, import, login, pupil, scan, scan_analysis, school};
    vec![
        g("/static/app.css", get(assets::css)),
        g("/static/app.js", get(assets::js)),
        g("/inloggen", get(login::form)),
        p("/inloggen", post(login::submit)),
        g("/inloggen/code", get(login::code_form)),
        p("/inloggen/code", post(login::code_submit)),
        g("/inloggen/koppelen", get(login::enrol_form)),
        p("/inloggen/koppelen", post(login::enrol_submit)),
        p("/uitloggen", post(login::logout)),
        g("/oidc/{board}/start", get(oidc::start)),
        g("/oidc/{board}/terug", get(oidc::callback)),
        g("/", get(home::show)),
        g("/scholen/{brin}", get(school::show)),
        g("/scholen/{brin}/groepen/{year}/{group}", get(school::group)),
        g("/scholen/{brin}/importeren", get(import::form)),
        p("/scholen/{brin}/importeren", post(import::upload)),
        p("/scholen/{brin}/importeren/bevestigen", post(import::confirm)),
        g("/leerlingen/{brin}/{number}", get(pupil::show)),
        p("/leerlingen/{brin}/{number}/notities", post(pupil::add_note)),
        p("/leerlingen/{brin}/{number}/notities/{note}/correctie", post(pupil::correct_note)),
        p("/leerlingen/{brin}/{number}/zienswijze", post(pupil::add_zienswijze)),
        g("/leerlingen/{brin}/{number}/dossier", get(pupil::dossier)),
        g("/overzicht/scholen/{brin}", get(aggregate::school)),
        // The schoolscan (pages::scan).
        g("/scholen/{brin}/scan/{year}", get(scan::overview::show)),
        p("/scholen/{brin}/scan/{year}/kopie", post(scan::overview::copy)),
        g("/scholen/{brin}/scan/{year}/stap/1", get(scan::domains::show)),
        p("/scholen/{brin}/scan/{year}/stap/1", post(scan::domains::save)),
        g("/scholen/{brin}/scan/{year}/stap/2", get(scan::inventory::show)),
        p("/scholen/{brin}/scan/{year}/stap/2", post(scan::inventory::save)),
        g("/scholen/{brin}/scan/{year}/stap/3", get(scan::collect::show)),
        p("/scholen/{brin}/scan/{year}/stap/3", post(scan::collect::save_plans)),
        p("/scholen/{brin}/scan/{year}/stap/3/risico", post(scan::collect::save_register)),
        g("/scholen/{brin}/scan/{year}/stap/3/groep/{group}", get(scan::collect::group_form)),
        p("/scholen/{brin}/scan/{year}/stap/3/groep/{group}", post(scan::collect::group_save)),
        g("/scholen/{brin}/scan/{year}/stap/7", get(scan::capacity::show)),
        p("/scholen/{brin}/scan/{year}/stap/7", post(scan::capacity::save)),
        // --- Schoolscan step 4 (analysis) and step 5 (conclusions) [branch step4] ---
        g("/scholen/{brin}/scan/{year}/stap/4", get(scan_analysis::analysis::step4)),
        p("/scholen/{brin}/scan/{year}/stap/4", post(scan_analysis::analysis::save_step4)),
        g("/scholen/{brin}/scan/{year}/stap/4/jaargroep/{grade}", get(scan_analysis::analysis::grade)),
        g("/scholen/{brin}/scan/{year}/stap/4/groep/{group}", get(scan_analysis::analysis::group)),
        g("/scholen/{brin}/scan/{year}/stap/4/leerling/{number}", get(scan_analysis::analysis::pupil)),
        g("/scholen/{brin}/scan/{year}/stap/5", get(scan_analysis::conclusions::step5)),
        p("/scholen/{brin}/scan/{year}/stap/5", post(scan_analysis::conclusions::save)),
        g("/scholen/{brin}/scan/{year}/stap/5/samenvatting", get(scan_analysis::conclusions::summary)),
        // --- end of steps 4 and 5 ---
        g("/beheer/gebruikers", get(admin::users)),
        p("/beheer/gebruikers", post(admin::add_user)),
        p("/beheer/gebruikers/{id}/blokkeren", post(admin::disable)),
        p("/beheer/gebruikers/{id}/mfa-herstellen", post(admin::reset_mfa)),
        g("/beheer/audit", get(admin::audit)),
        g("/beheer/audit.csv", get(admin::audit_csv)),
        g("/api/v1/openapi.json", get(api::openapi)),
        g("/api/v1/schools", get(api::schools)),
        g("/api/v1/schools/{brin}/groups", get(api::groups)),
        g("/api/v1/schools/{brin}/findings", get(api::findings)),
        g("/api/v1/schools/{brin}/imports", get(api::imports)),
        g("/api/v1/schools/{brin}/groups/{year}/{group}/pupils", get(api::group_pupils)),
        g("/api/v1/pupils/{brin}/{number}", get(api::pupil)),
        g("/api/v1/pupils/{brin}/{number}/scores", get(api::scores)),
    ]
}

/// Build the router from `entries`, each wrapped in the guard with its policy. Fails when an
/// entry has no policy or a policy has no entry.
pub fn build(state: AppState, entries: Vec<Entry>) -> Result<Router, WebError> {
    for pol in ROUTES {
        if !entries.iter().any(|e| e.method == pol.method && e.path == pol.path) {
            return Err(WebError::PolicyWithoutRoute { method: pol.method.as_str(), path: pol.path });
        }
    }
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for e in entries {
        let Some(pol) = policy::find(e.method, e.path) else {
            return Err(WebError::MissingPolicy { method: e.method.as_str(), path: e.path });
        };
        let guard = Guard { app: state.clone(), policy: pol };
        let wrapped = e.handler.layer(middleware::from_fn_with_state(guard, enforce));
        let merged = match by_path.remove(e.path) {
            Some(existing) => existing.merge(wrapped),
            None => wrapped,
        };
        by_path.insert(e.path, merged);
    }
    let mut router = Router::new();
    for (path, mr) in by_path {
        router = router.route(path, mr);
    }
    Ok(with_headers(router.fallback(pages::not_found).with_state(state)))
}

/// A random request id, set before the guard runs and echoed in `x-request-id`.
async fn request_id(mut req: Request, next: Next) -> Response {
    let id = schoolscan_auth::session::random_token(9).unwrap_or_else(|_| "onbekend".into());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    resp
}

/// Security headers on every response, error pages included (R23). `no-store` everywhere except
/// static assets: nearly every page carries pupil or account data.
fn with_headers(router: Router) -> Router {
    router
        .layer(middleware::from_fn(request_id))
        .layer(middleware::from_fn(cache_control))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                 object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
        .layer(SetResponseHeaderLayer::overriding(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
}

async fn cache_control(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let v = if is_static { "public, max-age=3600" } else { "no-store" };
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(v));
    resp
}
