//! The schoolscan pages: the overview of the 8 steps and one page per step, under
//! `/scholen/{brin}/scan/{year}`.
//!
//! Every step page follows one pattern:
//! - GET shows a short Dutch help text, what the data already says, and (for the roles that may
//!   write) a form that carries the step's version in a hidden field `versie`;
//! - POST saves through [`save_step`]; the store refuses a save that did not start from the stored
//!   version (optimistic locking), and the page then shows the newest version with a Dutch conflict
//!   message (409). Success redirects back to the page (`?opgeslagen=1`).
//!
//! Step content is written as a tagged [`StepContent`] document and read back as the plain step
//! type ([`read_step`]), which accepts both the tagged and the untagged form.
//!
//! Roles: the director and the IB'er write; the board's quality officer and the school's teachers
//! read. Pupil-level parts (the risk register, conversations and observations) are shown only to
//! staff of the school, and to a teacher only for the pupils of their own groups ([`visible_pupils`]).

pub mod capacity;
pub mod collect;
pub mod domains;
pub mod inventory;
pub mod overview;

use std::collections::{BTreeMap, HashMap};

use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use schoolscan_auth::Role;
use schoolscan_auth::policy::{self, Method};
use schoolscan_domain::{Brin, Dataset, Pupil, PupilNumber, SchoolYear, Step, StepStatus};
use schoolscan_scan::StepContent;
use schoolscan_store::{DatasetFilter, StepSave, StoreError, StoredScan};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::guard::{Ctx, SchoolAccess};
use crate::{AppState, WebError};

/// A school's scan of one school year that the user may open (the school is in their scope).
pub struct ScanAccess {
    pub ctx: Ctx,
    pub school: Brin,
    pub name: String,
    pub year: SchoolYear,
}

impl FromRequestParts<AppState> for ScanAccess {
    type Rejection = Response;
    /// The school as [`SchoolAccess`] finds it (in the user's scope), plus a valid school year.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SchoolAccess { ctx, school, name, .. } = SchoolAccess::from_request_parts(parts, state).await?;
        let p = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| StatusCode::NOT_FOUND.into_response())?
            .0;
        let Some(Ok(year)) = p.get("year").map(|y| SchoolYear::parse(y)) else {
            return Err(StatusCode::NOT_FOUND.into_response());
        };
        Ok(ScanAccess { ctx, school, name, year })
    }
}

impl ScanAccess {
    pub fn role(&self) -> Option<Role> {
        self.ctx.user.as_ref().map(|u| u.role)
    }
    /// Director and IB'er fill in the scan; others read.
    pub fn may_write(&self) -> bool {
        matches!(self.role(), Some(Role::Director | Role::InternBegeleider))
    }
    /// Pupil-level parts of the scan: the school's own staff, a teacher only for their own groups
    /// (the scope sees to that). Not the board's quality officer.
    pub fn may_see_pupils(&self) -> bool {
        matches!(self.role(), Some(Role::Director | Role::InternBegeleider | Role::Teacher))
    }
    /// `/scholen/{brin}/scan/{year}`.
    pub fn base(&self) -> String {
        format!("/scholen/{}/scan/{}", self.school, self.year)
    }
    pub fn step_url(&self, n: u8) -> String {
        format!("{}/stap/{n}", self.base())
    }
    pub fn user_name(&self) -> String {
        self.ctx.user.as_ref().map(|u| u.username.clone()).unwrap_or_default()
    }
}

/// Does the app have a page for step `n`? (Read from the policy table, so the overview links the
/// step pages that exist, including ones added later.)
pub fn has_page(n: u8) -> bool {
    policy::find(Method::Get, &format!("/scholen/{{brin}}/scan/{{year}}/stap/{n}")).is_some()
}

/// The stored scan (created empty when missing).
pub async fn load_scan(app: &AppState, sa: &ScanAccess) -> Result<StoredScan, WebError> {
    let scope = sa.ctx.scope.clone();
    let (b, y) = (sa.school.clone(), sa.year);
    app.blocking(move |s| s.scan(&scope, &b, y)).await
}

/// The content of step `n` as `T`; an empty step gives `T::default()`.
pub fn read_step<T: DeserializeOwned + Default>(scan: &StoredScan, n: u8) -> Result<T, WebError> {
    let Some(step) = scan.steps.iter().find(|s| s.step == n) else { return Ok(T::default()) };
    match &step.content {
        Value::Object(m) if m.is_empty() || m.keys().all(|k| k == "step") => Ok(T::default()),
        Value::Null => Ok(T::default()),
        v => serde_json::from_value(v.clone())
            .map_err(|e| WebError::Internal(format!("stap {n} heeft een onleesbare inhoud: {e}"))),
    }
}

/// The data of the school up to the scan year, through the user's scope (a teacher's dataset
/// holds only the pupils of their own groups).
pub async fn load_data(app: &AppState, sa: &ScanAccess, with_notes: bool) -> Result<Dataset, WebError> {
    let scope = sa.ctx.scope.clone();
    let filter = DatasetFilter { schools: vec![sa.school.clone()], until: Some(sa.year), with_notes };
    app.blocking(move |s| s.load_dataset(&scope, &filter)).await
}

/// The pupils of the scan year that the user may see, by number, with their group: every pupil of
/// the school for the director and IB'er, the pupils of their own groups for a teacher, nobody
/// for other roles.
pub async fn visible_pupils(
    app: &AppState,
    sa: &ScanAccess,
) -> Result<BTreeMap<PupilNumber, (Pupil, String)>, WebError> {
    if !sa.may_see_pupils() {
        return Ok(BTreeMap::new());
    }
    let scope = sa.ctx.scope.clone();
    let (b, year) = (sa.school.clone(), sa.year);
    app.blocking(move |s| {
        let mut out = BTreeMap::new();
        for g in s.school_groups(&scope, &b)?.unwrap_or_default().into_iter().filter(|g| g.year == year) {
            for p in s.group_pupils(&scope, &b, year, &g.name)?.unwrap_or_default() {
                out.insert(p.number.clone(), (p, g.name.to_string()));
            }
        }
        Ok(out)
    })
    .await
}

/// The groups of the scan year within the user's scope.
pub async fn visible_groups(app: &AppState, sa: &ScanAccess) -> Result<Vec<(String, u64)>, WebError> {
    let scope = sa.ctx.scope.clone();
    let (b, year) = (sa.school.clone(), sa.year);
    let groups = app.blocking(move |s| s.school_groups(&scope, &b)).await?.unwrap_or_default();
    let mut v: Vec<(String, u64)> =
        groups.into_iter().filter(|g| g.year == year).map(|g| (g.name.to_string(), g.pupils)).collect();
    v.sort();
    Ok(v)
}

/// The fields of a posted form, in order (repeated names allowed).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Self {
        Self(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
    }
    /// The trimmed value, empty when absent.
    pub fn text(&self, k: &str, max: usize) -> String {
        self.get(k).unwrap_or("").trim().chars().take(max).collect()
    }
    pub fn all(&self, k: &str) -> Vec<&str> {
        self.0.iter().filter(|(key, _)| key == k).map(|(_, v)| v.as_str()).collect()
    }
    /// The version the form was loaded with.
    pub fn version(&self) -> Option<i64> {
        self.get("versie").and_then(|v| v.trim().parse().ok()).filter(|v| *v >= 0)
    }
    /// The status the user chose (`bezig` or `afgerond`).
    pub fn status(&self) -> StepStatus {
        match self.get("status") {
            Some("afgerond") => StepStatus::Done,
            _ => StepStatus::InProgress,
        }
    }
}

/// A number as the Dutch write it (`0,8` or `0.8`); `None` when empty or not a finite number.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', ".");
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A number for a form field, Dutch style (`0,8`), without trailing zeros.
pub fn show_number(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// What a page tells the user above its form.
#[derive(Debug, Clone)]
pub enum Notice {
    None,
    Saved,
    /// Someone else saved first: the page shows their version.
    Conflict(String),
    /// The form could not be used.
    Invalid(String),
}

impl Notice {
    pub fn from_query(q: &HashMap<String, String>) -> Self {
        if q.contains_key("opgeslagen") { Notice::Saved } else { Notice::None }
    }
    pub fn status(&self) -> StatusCode {
        match self {
            Notice::Conflict(_) => StatusCode::CONFLICT,
            Notice::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::OK,
        }
    }
    fn json(&self) -> Value {
        match self {
            Notice::None => Value::Null,
            Notice::Saved => json!({ "kind": "saved", "text": "De stap is opgeslagen." }),
            Notice::Conflict(t) => json!({ "kind": "conflict", "text": t }),
            Notice::Invalid(t) => json!({ "kind": "invalid", "text": t }),
        }
    }
}

/// The part of every step page's context that the shared template `scan_base.html` uses.
pub fn page_context(sa: &ScanAccess, scan: &StoredScan, n: u8, notice: &Notice) -> Value {
    let step = scan.steps.iter().find(|s| s.step == n);
    json!({
        "csrf": sa.ctx.csrf(),
        "brin": sa.school.as_str(),
        "school_name": sa.name,
        "year": sa.year.to_string(),
        "base": sa.base(),
        "step": n,
        "step_title": Step::from_number(n).map(Step::title).unwrap_or(""),
        "status": step.map(|s| s.status.label()).unwrap_or(""),
        "done": step.is_some_and(|s| s.status == StepStatus::Done),
        "version": step.map(|s| s.version).unwrap_or(0),
        "updated_by": step.and_then(|s| s.updated_by.clone()),
        "updated_at": step.and_then(|s| s.updated_at.clone()),
        "may_write": sa.may_write(),
        "notice": notice.json(),
        "steps": steps_nav(sa, scan),
    })
}

/// The 8 steps with status and, where a page exists, its link.
pub fn steps_nav(sa: &ScanAccess, scan: &StoredScan) -> Vec<Value> {
    Step::ALL
        .iter()
        .map(|s| {
            let n = s.number();
            let stored = scan.steps.iter().find(|x| x.step == n);
            json!({
                "n": n,
                "title": s.title(),
                "phase": s.phase(),
                "status": stored.map(|x| x.status.label()).unwrap_or(StepStatus::NotStarted.label()),
                "status_key": match stored.map(|x| x.status).unwrap_or_default() {
                    StepStatus::NotStarted => "niet",
                    StepStatus::InProgress => "bezig",
                    StepStatus::Done => "klaar",
                },
                "updated_by": stored.and_then(|x| x.updated_by.clone()),
                "updated_at": stored.and_then(|x| x.updated_at.clone()),
                "url": if has_page(n) { Some(sa.step_url(n)) } else { None },
            })
        })
        .collect()
}

/// Render `template` with `ctx` and the notice's status code.
pub fn render(app: &AppState, template: &str, ctx: Value, notice: &Notice) -> Result<Response, WebError> {
    let html = app.templates.render(template, ctx)?;
    Ok((notice.status(), Html(html)).into_response())
}

/// The outcome of a save.
pub enum Saved {
    Ok,
    /// Someone else saved since the form was loaded: the Dutch message to show.
    Conflict(String),
}

/// Save step `n` from the version the form was loaded with.
pub async fn save_step(
    app: &AppState,
    sa: &ScanAccess,
    n: u8,
    status: StepStatus,
    content: StepContent,
    expected_version: i64,
) -> Result<Saved, WebError> {
    save_step_of(app, &sa.ctx, &sa.school, sa.year, n, status, content, expected_version).await
}

/// Save step `n` of `school`'s scan of `year` for the request's user, within the request's scope,
/// from the version the form was loaded with (optimistic locking).
#[allow(clippy::too_many_arguments)]
pub async fn save_step_of(
    app: &AppState,
    ctx: &Ctx,
    school: &Brin,
    year: SchoolYear,
    n: u8,
    status: StepStatus,
    content: StepContent,
    expected_version: i64,
) -> Result<Saved, WebError> {
    let scope = ctx.scope.clone();
    let (b, y) = (school.clone(), year);
    let user = ctx.full_user()?.username.clone();
    let now = schoolscan_store::access::ts(app.clock.now());
    let value = serde_json::to_value(&content).map_err(|e| WebError::Internal(e.to_string()))?;
    let r = app
        .blocking(move |s| {
            let save = StepSave {
                school: &b,
                year: y,
                step: n,
                status,
                content: &value,
                expected_version,
                user: &user,
            };
            match s.save_scan_step(&scope, &save, &now) {
                Ok(_) => Ok(None),
                Err(StoreError::Conflict { found, .. }) => Ok(Some(found)),
                Err(e) => Err(e),
            }
        })
        .await?;
    Ok(match r {
        None => Saved::Ok,
        Some(found) => Saved::Conflict(format!(
            "Iemand anders heeft deze stap opgeslagen nadat u de pagina opende (u begon bij versie {expected_version}, \
             nu is het versie {found}). Uw wijzigingen zijn niet opgeslagen. Hieronder staat de nieuwste versie: \
             controleer die en voer uw wijzigingen opnieuw in."
        )),
    })
}

/// Back to the step page after a successful save.
pub fn saved_redirect(sa: &ScanAccess, n: u8) -> Response {
    Redirect::to(&format!("{}?opgeslagen=1", sa.step_url(n))).into_response()
}

/// The message for a form without (a valid) version.
pub const NO_VERSION: &str =
    "Het formulier is onvolledig (de versie ontbreekt). Laad de pagina opnieuw en probeer het nog eens.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_numbers() {
        assert_eq!(parse_number("0,8"), Some(0.8));
        assert_eq!(parse_number(" 12 "), Some(12.0));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("veel"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(show_number(0.8), "0,8");
        assert_eq!(show_number(12.0), "12");
        assert_eq!(show_number(2.25), "2,25");
    }

    #[test]
    fn form_fields() {
        let f = Fields::parse(b"kies=a&kies=b&versie=3&status=afgerond&x=+hoi+");
        assert_eq!(f.all("kies"), vec!["a", "b"]);
        assert_eq!(f.version(), Some(3));
        assert_eq!(f.status(), StepStatus::Done);
        assert_eq!(f.text("x", 10), "hoi");
        assert_eq!(Fields::parse(b"versie=-1").version(), None);
        assert_eq!(Fields::parse(b"").status(), StepStatus::InProgress);
    }
}
