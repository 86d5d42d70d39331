//! One error type for handlers: logs the internals (never request data), shows a Dutch page.

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
    #[error("de route {method} {path} heeft geen beleid in de beleidstabel; de app start niet")]
    MissingPolicy { method: &'static str, path: &'static str },
    #[error("het beleid voor {method} {path} hoort bij geen enkele route; de app start niet")]
    PolicyWithoutRoute { method: &'static str, path: &'static str },
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            // Not found and not allowed look the same: 404 with an empty body (R2).
            WebError::NotFound => StatusCode::NOT_FOUND.into_response(),
            other => {
                // Only the error kind goes to the log: store errors can carry values.
                let kind = match &other {
                    WebError::Store(StoreError::Sql(_)) => "database",
                    WebError::Store(_) => "store",
                    WebError::Template(_) => "template",
                    _ => "internal",
                };
                tracing::error!(kind, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, Html(crate::pages::ERROR_HTML)).into_response()
            }
        }
    }
}
