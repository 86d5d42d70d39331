//! School-level aggregates for the MR, the municipality and the board: counts only, never a cell
//! below the disclosure threshold.

use axum::extract::State;
use axum::response::Html;
use schoolscan_store::Scope;
use serde_json::json;

use crate::guard::SchoolAccess;
use crate::{AppState, WebError};

/// No count below this is shown to an aggregate audience (privacy-security.md §8.3, R8).
pub const MIN_CELL: u64 = 10;

/// A count as an aggregate audience may see it.
pub fn shown(n: u64) -> String {
    if n < MIN_CELL {
        format!("minder dan {MIN_CELL}")
    } else {
        crate::render::nl_int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

pub async fn school(State(app): State<AppState>, sa: SchoolAccess) -> Result<Html<String>, WebError> {
    let one = Scope::Aggregates { schools: vec![sa.school.clone()] };
    let c = app.blocking(move |s| s.counts(&one)).await?;
    let html = app.templates.render(
        "aggregate.html",
        json!({
            "csrf": sa.ctx.csrf(),
            "name": sa.name,
            "brin": sa.school.as_str(),
            "pupils": shown(c.pupils),
            "groups": shown(c.groups),
            "scores": shown(c.scores),
            "min": MIN_CELL,
        }),
    )?;
    Ok(Html(html))
}

#[cfg(test)]
mod tests {
    #[test]
    fn small_counts_are_hidden() {
        assert_eq!(super::shown(9), "minder dan 10");
        assert_eq!(super::shown(0), "minder dan 10");
        assert_eq!(super::shown(12000), "12.000");
    }
}
