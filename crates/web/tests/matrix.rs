#![allow(clippy::unwrap_used)]
//! R2: the authorization matrix, generated from the policy table. For every role-restricted
//! route × every role × every object position, the real router must answer exactly as the table
//! says: where access is not allowed, 404 with an empty body.

mod common;

use axum::http::StatusCode;
use common::{TestApp, YEAR};
use schoolscan_auth::Role;
use schoolscan_auth::policy::{Access, Method, Object, Position, ROUTES};

/// The concrete object of each kind at each position (see the fixture in `common`).
fn path_for(app: &TestApp, pattern: &str, object: Object, pos: Position) -> String {
    let year = format!("{YEAR}-{}", YEAR + 1);
    let (school, number, group) = match pos {
        Position::Own => ("10AA", "1001", "5A"),
        Position::OtherGroup => ("10AA", "1002", "6A"),
        Position::OtherSchool => ("20BB", "2001", "5"),
        Position::OtherBoard => ("30CC", "3001", "5"),
        Position::Missing => ("99ZZ", "9999", "8Z"),
    };
    let school = if object == Object::Pupil && pos == Position::Missing { "10AA" } else { school };
    let account = match pos {
        Position::Own => app.ids["extra"].to_string(),
        Position::OtherBoard => app.ids["vreemd"].to_string(),
        _ => "999999".to_owned(),
    };
    let note =
        if object == Object::Pupil && pos != Position::Missing { app.note_id(school, number) } else { 1 };
    pattern
        .replace("{brin}", school)
        .replace("{number}", number)
        .replace("{year}", &year)
        .replace("{group}", group)
        .replace("{grade}", "5")
        .replace("{id}", &account)
        .replace("{note}", &note.to_string())
}

#[tokio::test]
async fn authorization_matrix_has_no_leaks() {
    let app = TestApp::new().await;
    let mut cases = 0usize;
    let mut leaks = Vec::new();
    let mut over_denied = Vec::new();
    let routes: Vec<_> = ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Roles(_) | Access::AnyUser))
        .filter(|r| !(r.method == Method::Post && r.path == "/uitloggen"))
        .collect();
    for role in Role::ALL {
        let client = app.login(role).await;
        for r in &routes {
            for &pos in Position::applicable(r.object) {
                let path = path_for(&app, r.path, r.object, pos);
                let form: &[(&str, &str)] =
                    &[("tekst", "matrixtest"), ("reden", "matrixtest"), ("soort", "observatie")];
                let resp = match r.method {
                    Method::Get => app.get(&client, &path).await,
                    Method::Post => app.post(&client, &path, form).await,
                };
                cases += 1;
                let denied = resp.status == StatusCode::NOT_FOUND && resp.body.is_empty();
                if r.allows(role, pos) {
                    // Reached the handler: success, a redirect back, or a validation answer (422).
                    let ok = resp.status.is_success()
                        || resp.status == StatusCode::SEE_OTHER
                        || resp.status == StatusCode::UNPROCESSABLE_ENTITY;
                    if !ok || resp.body.contains("/inloggen\"") {
                        over_denied.push(format!("{role} {} {path} → {}", r.method.as_str(), resp.status));
                    }
                } else if !denied {
                    leaks.push(format!(
                        "{role} {} {path} → {} ({} bytes)",
                        r.method.as_str(),
                        resp.status,
                        resp.body.len()
                    ));
                }
            }
        }
        // Keep every session within its idle timeout.
        app.clock.advance(time::Duration::seconds(1));
    }
    println!("authorization matrix: {} routes, {cases} cases, {} leaks", routes.len(), leaks.len());
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
    assert!(over_denied.is_empty(), "allowed cases refused:\n{}", over_denied.join("\n"));
    assert!(cases > 500, "{cases}");
}
