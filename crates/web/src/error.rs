//! One error type for handlers: logs the internals, shows the user a Dutch page without them.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use schoolscan_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum WebError {
    #[error("het adres kan niet worden gebruikt: {0}")]
    Bind(std::io::Error),
    #[error("sjabloonfout: {0}")]
    Template(#[from] minijinja::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("interne fout: {0}")]
    Internal(String),
    #[error("niet gevonden")]
    NotFound,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::NotFound => (StatusCode::NOT_FOUND, Html(crate::pages::NOT_FOUND_HTML)).into_response(),
            other => {
                // The details go to the log only; the page says nothing about them.
                tracing::error!(error = %other, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, Html(crate::pages::ERROR_HTML)).into_response()
            }
        }
    }
}
