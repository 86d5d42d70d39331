//! Schoolscan's web app: an axum router over the store, born scoped.
//!
//! - Every route is registered through the route table in [`routes`], which pairs it with its row
//!   in the policy table `schoolscan_auth::policy::ROUTES`; the app refuses to start when a route
//!   has no policy or a policy no route (R1).
//! - The guard ([`guard`]) runs before every handler: it loads the server-side session, enforces
//!   the policy's access rule, checks CSRF on state-changing requests, and resolves the user's
//!   [`schoolscan_store::Scope`] once per request.
//! - Handlers are thin: typed extractors ([`guard::Ctx`], [`guard::PupilAccess`], ...) hand them
//!   an authorised, audited object; they call the store and render a Dutch template or JSON.

mod api;
mod error;
pub mod guard;
mod multipart;
mod oidc;
mod pages;
mod redact;
mod render;
pub mod routes;
mod scope;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use schoolscan_auth::{Clock, SystemClock};
use schoolscan_store::{AccessStore, ImportStore, Store};

pub use error::WebError;
pub use oidc::{OidcHttp, UnconfiguredHttp};
pub use render::Templates;
pub use scope::scope_for;

/// Everything the web app needs from the store.
pub trait AppStore: Store + AccessStore + ImportStore {}
impl<T: Store + AccessStore + ImportStore> AppStore for T {}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn AppStore>,
    pub templates: Arc<Templates>,
    pub clock: Arc<dyn Clock>,
    /// The back channel to OpenID Connect providers (token endpoint).
    pub oidc_http: Arc<dyn OidcHttp>,
    /// The largest request body the upload routes accept, in bytes (default
    /// [`DEFAULT_UPLOAD_LIMIT`]); a larger upload gets the Dutch "file too large" page (413).
    pub upload_limit: usize,
}

/// The default upload limit: 64 MB.
pub const DEFAULT_UPLOAD_LIMIT: usize = multipart::MAX_UPLOAD;

impl AppState {
    pub fn new(store: Arc<dyn AppStore>) -> Result<Self, WebError> {
        Ok(Self {
            store,
            templates: Arc::new(Templates::load()?),
            clock: Arc::new(SystemClock),
            oidc_http: Arc::new(UnconfiguredHttp),
            upload_limit: DEFAULT_UPLOAD_LIMIT,
        })
    }

    /// Replace the clock (tests inject a `ManualClock`).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replace the OIDC back channel (tests use an in-process fake provider).
    pub fn with_oidc_http(mut self, http: Arc<dyn OidcHttp>) -> Self {
        self.oidc_http = http;
        self
    }

    /// Replace the upload limit (bytes; tests use a small one).
    pub fn with_upload_limit(mut self, bytes: usize) -> Self {
        self.upload_limit = bytes;
        self
    }

    /// Run a blocking store call off the async runtime.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn AppStore) -> Result<T, schoolscan_store::StoreError> + Send + 'static,
    ) -> Result<T, WebError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?
            .map_err(WebError::from)
    }
}

/// The whole application. Fails when the route table and the policy table disagree (R1).
pub fn router(state: AppState) -> Result<Router, WebError> {
    routes::build(state, routes::table())
}

/// Bind `addr` and serve until Ctrl-C. `on_ready` is called with the bound address.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), WebError> {
    let app = router(state)?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(WebError::Bind)?;
    let local = listener.local_addr().map_err(WebError::Bind)?;
    on_ready(local);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(WebError::Bind)
}
