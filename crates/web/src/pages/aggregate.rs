//! School-level aggregates for the MR, the municipality and the board: counts and the school's
//! delay per subject, never a figure below the disclosure threshold. The rules come from
//! `schoolscan-disclosure` (privacy-security §8, R8).

use axum::extract::State;
use axum::response::Html;
use schoolscan_auth::Role;
use schoolscan_disclosure::view::Delay;
use schoolscan_disclosure::{AggregateView, Audience, Cell, Policy, Threshold};
use schoolscan_domain::Brin;
use schoolscan_store::{DatasetFilter, Scope};
use serde_json::{Value, json};

use crate::guard::SchoolAccess;
use crate::{AppState, WebError};

/// The disclosure audience of a role. Roles without an aggregate audience of their own (parents,
/// who never reach this page) get the strictest external rules.
pub fn audience(role: Role) -> Audience {
    match role {
        Role::Director | Role::InternBegeleider | Role::Teacher => Audience::Team,
        Role::QualityOfficer | Role::BoardAdmin => Audience::Board,
        Role::Municipality => Audience::Municipality,
        Role::CarePartner => Audience::CarePartner,
        Role::MrMember | Role::Parent => Audience::Mr,
    }
}

/// The policy of a role, with the default threshold (10; no deployment setting yet).
pub fn policy(role: Option<Role>) -> Policy {
    role.and_then(|r| Policy::new(audience(r), Threshold::default()).ok()).unwrap_or_else(Policy::strictest)
}

/// A count as an aggregate audience may see it, under the strictest (external) policy.
#[cfg(test)]
pub fn shown(n: u64) -> String {
    shown_for(&policy(None), n)
}

/// A count as the policy's audience may see it.
pub fn shown_for(policy: &Policy, n: u64) -> String {
    match policy.count(n) {
        Cell::Shown { value, .. } => crate::render::nl_int(i64::try_from(value).unwrap_or(i64::MAX)),
        Cell::Suppressed { .. } => policy.below_label(),
    }
}

/// A number with one decimal and a decimal comma: `-1,5`.
fn nl_dec(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// The Dutch text of a subject's delay as released.
fn delay_text(cell: &Cell<Delay>) -> String {
    match cell {
        Cell::Shown { value, n } => {
            let n = crate::render::nl_int(i64::try_from(*n).unwrap_or(i64::MAX));
            match (value.months, value.ci95) {
                (Some(m), Some([lo, hi])) => format!(
                    "{} schoolmaanden (95%-interval {} tot {}; {n} leerlingen)",
                    nl_dec(m),
                    nl_dec(lo),
                    nl_dec(hi)
                ),
                (Some(m), None) => format!("{} schoolmaanden ({n} leerlingen)", nl_dec(m)),
                (None, _) => format!("niet in schoolmaanden uit te drukken ({n} leerlingen)"),
            }
        }
        Cell::Suppressed { label, .. } => label.clone(),
    }
}

/// The school's delay per subject through the disclosure layer: the analysis runs on the server
/// and only the `AggregateView` leaves it. `None` when there is nothing to analyse.
async fn subject_delays(
    app: &AppState,
    school: &Brin,
    policy: &Policy,
) -> Result<Option<Vec<Value>>, WebError> {
    let scope = Scope::Aggregates { schools: vec![school.clone()] };
    let filter = DatasetFilter { schools: vec![], until: None, with_notes: false };
    let data = app.blocking(move |s| s.load_dataset(&scope, &filter)).await?;
    let cfg = schoolscan_analysis::Config {
        school: Some(school.clone()),
        ..schoolscan_analysis::Config::default()
    };
    let result = tokio::task::spawn_blocking(move || schoolscan_analysis::analyse(&data, &cfg))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let Ok(findings) = result else { return Ok(None) };
    let view = AggregateView::build(&findings, policy);
    let rows: Vec<Value> = view
        .subjects
        .iter()
        .map(|s| json!({ "subject": s.subject, "scale": s.scale, "delay": delay_text(&s.delay) }))
        .collect();
    Ok((!rows.is_empty()).then_some(rows))
}

pub async fn school(State(app): State<AppState>, sa: SchoolAccess) -> Result<Html<String>, WebError> {
    let one = Scope::Aggregates { schools: vec![sa.school.clone()] };
    let c = app.blocking(move |s| s.counts(&one)).await?;
    let policy = policy(sa.ctx.user.as_ref().map(|u| u.role));
    let subjects = subject_delays(&app, &sa.school, &policy).await?;
    let html = app.templates.render(
        "aggregate.html",
        json!({
            "csrf": sa.ctx.csrf(),
            "name": sa.name,
            "brin": sa.school.as_str(),
            "pupils": shown_for(&policy, c.pupils),
            "groups": shown_for(&policy, c.groups),
            "scores": shown_for(&policy, c.scores),
            "min": policy.threshold(),
            "subjects": subjects,
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

    #[test]
    fn every_role_gets_a_policy_of_at_least_ten() {
        use schoolscan_auth::Role;
        for role in Role::ALL {
            let p = super::policy(Some(role));
            assert!(p.threshold() >= 10, "{role:?}");
            assert_eq!(super::shown_for(&p, 9), "minder dan 10", "{role:?}");
        }
        assert!(super::policy(Some(Role::Municipality)).audience().is_external());
        assert!(super::policy(Some(Role::MrMember)).audience().is_external());
        assert!(super::policy(None).audience().is_external());
    }
}
