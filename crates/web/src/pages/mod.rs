//! Page handlers (Dutch HTML).

pub mod admin;
pub mod aggregate;
pub mod assets;
pub mod home;
pub mod import;
pub mod login;
pub mod pupil;
pub mod scan;
pub mod scan_analysis;
pub mod school;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};

pub const NOT_FOUND_HTML: &str = "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Niet gevonden – Schoolscan</title></head><body><main><h1>Pagina niet gevonden</h1><p>Deze pagina bestaat niet of u heeft er geen toegang toe. <a href=\"/\">Naar de startpagina</a></p></main></body></html>";
pub const ERROR_HTML: &str = "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Er ging iets mis – Schoolscan</title></head><body><main><h1>Er ging iets mis</h1><p>Probeer het later opnieuw. Blijft het misgaan, neem dan contact op met de beheerder van uw bestuur.</p></main></body></html>";

pub async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, Html(NOT_FOUND_HTML))
}
