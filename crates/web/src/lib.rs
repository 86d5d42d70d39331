//! Schoolscan's web app: an axum router over the store.
//!
//! Pages are rendered on the server with minijinja templates (Dutch, in `templates/nl`); they work
//! without JavaScript. Handlers are thin: they resolve a scope, call the store and render.

mod error;
mod pages;
mod render;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use schoolscan_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::WebError;
pub use render::Templates;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub templates: Arc<Templates>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Result<Self, WebError> {
        Ok(Self { store, templates: Arc::new(Templates::load()?) })
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home::show))
        .route("/static/app.css", get(pages::assets::css))
        .fallback(pages::not_found)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
}

/// Bind `addr` and serve until Ctrl-C. `on_ready` is called with the bound address (useful when
/// the port is 0).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), WebError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(WebError::Bind)?;
    let local = listener.local_addr().map_err(WebError::Bind)?;
    on_ready(local);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(WebError::Bind)
}
