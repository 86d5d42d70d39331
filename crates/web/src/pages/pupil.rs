//! The pupil page, notes and corrections, the parent's zienswijze, and the dossier export.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use schoolscan_auth::Role;
use schoolscan_domain::{Informant, Note, NoteKind, Pupil};
use schoolscan_store::access::Dossier;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::guard::{Ctx, PupilAccess};
use crate::redact::redact;
use crate::{AppState, WebError};

/// How much of the dossier a role sees on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// Staff who work with the pupil, and granted care partners: everything.
    Full,
    /// A parent with gezag: everything, other pupils' names redacted from notes.
    ParentRedacted,
    /// Test results only (the board's quality officer; a parent without gezag gets the
    /// "important information": school results).
    ResultsOnly,
}

fn view_of(ctx: &Ctx, p: &Pupil) -> View {
    match ctx.user.as_ref().map(|u| u.role) {
        Some(Role::Director | Role::InternBegeleider | Role::Teacher | Role::CarePartner) => View::Full,
        Some(Role::Parent) if ctx.has_gezag(&p.school, &p.number) => View::ParentRedacted,
        _ => View::ResultsOnly,
    }
}

async fn other_names(app: &AppState, p: &Pupil) -> Result<Vec<String>, WebError> {
    let school = p.school.clone();
    let own = p.number.clone();
    let all = app.blocking(move |s| s.pupil_names_for_redaction(&school)).await?;
    Ok(all.into_iter().filter(|(n, _)| *n != own).flat_map(|(_, names)| names).collect())
}

/// The dossier as JSON for a view. Parents get other pupils' names redacted.
fn dossier_json(d: &Dossier, view: View, others: &[String]) -> Value {
    let clean = |t: &Option<String>| match view {
        View::ParentRedacted => t.as_deref().map(|s| redact(s, others)),
        _ => t.clone(),
    };
    let notes: Vec<Value> = match view {
        View::ResultsOnly => Vec::new(),
        _ => d
            .notes
            .iter()
            .map(|n| {
                json!({
                    "id": n.id,
                    "soort": n.note.kind.as_str(),
                    "datum": n.note.date.to_string(),
                    "auteur": n.note.author,
                    "tekst": clean(&n.note.text),
                    "correcties": n.versions.iter().map(|v| json!({
                        "oud": clean(&v.old_text), "nieuw": clean(&v.new_text), "reden": v.reason,
                        "door": v.actor, "tijd": v.at,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    };
    json!({
        "leerling": {
            "school": d.pupil.school.as_str(),
            "nummer": d.pupil.number.as_str(),
            "naam": d.pupil.display_name(),
            "opp": if view == View::ResultsOnly { Value::Null } else { json!(d.pupil.opp) },
            "signalen": if view == View::ResultsOnly { json!([]) } else { json!(d.pupil.risk_flags) },
        },
        "inschrijvingen": d.enrolments.iter().map(|e| json!({
            "schooljaar": e.year.to_string(), "groep": e.group.as_str(), "jaargroep": e.grade.get(),
        })).collect::<Vec<_>>(),
        "toetsen": d.scores.iter().map(|s| json!({
            "toets": s.test_key, "onderdeel": s.component, "datum": s.date.to_string(),
            "moment": s.moment.map(|m| m.to_string()), "vaardigheid": s.ability, "niveau": s.level,
        })).collect::<Vec<_>>(),
        "observaties": if view == View::ResultsOnly { json!([]) } else { json!(d.observations.iter().map(|o| json!({
            "instrument": o.instrument, "dimensie": o.dimension, "datum": o.date.to_string(), "waarde": o.value,
        })).collect::<Vec<_>>()) },
        "notities": notes,
        "zienswijzen": if view == View::ResultsOnly { json!([]) } else { json!(d.zienswijzen.iter().map(|z| json!({
            "tekst": z.text, "door": z.author, "tijd": z.at,
        })).collect::<Vec<_>>()) },
    })
}

async fn load(app: &AppState, pa: &PupilAccess) -> Result<Dossier, WebError> {
    let scope = pa.ctx.scope.clone();
    let (b, n) = (pa.pupil.school.clone(), pa.pupil.number.clone());
    app.blocking(move |s| s.dossier(&scope, &b, &n)).await?.ok_or(WebError::NotFound)
}

pub async fn show(State(app): State<AppState>, pa: PupilAccess) -> Result<Html<String>, WebError> {
    let d = load(&app, &pa).await?;
    let view = view_of(&pa.ctx, &pa.pupil);
    let others = if view == View::ParentRedacted { other_names(&app, &pa.pupil).await? } else { Vec::new() };
    let role = pa.ctx.user.as_ref().map(|u| u.role);
    let html = app.templates.render(
        "pupil.html",
        json!({
            "csrf": pa.ctx.csrf(),
            "d": dossier_json(&d, view, &others),
            "brin": pa.pupil.school.as_str(),
            "number": pa.pupil.number.as_str(),
            "may_write": matches!(role, Some(Role::Director | Role::InternBegeleider | Role::Teacher)),
            "may_zienswijze": view == View::ParentRedacted,
            "may_export": matches!(role, Some(Role::Director | Role::InternBegeleider)) || view == View::ParentRedacted,
            "kinds": NoteKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        }),
    )?;
    Ok(Html(html))
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    soort: String,
    #[serde(default)]
    tekst: String,
}

fn back(pa: &PupilAccess) -> Response {
    Redirect::to(&format!(
        "/leerlingen/{}/{}",
        pa.pupil.school,
        crate::render::seg(pa.pupil.number.to_string())
    ))
    .into_response()
}

pub async fn add_note(
    State(app): State<AppState>,
    pa: PupilAccess,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    let user = pa.ctx.full_user()?;
    let kind = NoteKind::parse(&f.soort).unwrap_or(NoteKind::Observatie);
    let text = f.tekst.trim().chars().take(20_000).collect::<String>();
    if text.is_empty() {
        return Ok(back(&pa));
    }
    let note = Note {
        school: pa.pupil.school.clone(),
        pupil: pa.pupil.number.clone(),
        kind,
        informant: Informant::Leerkracht,
        date: app.clock.now().date(),
        author: user.username.clone(),
        domains: Vec::new(),
        ratings: Vec::new(),
        text: Some(text),
    };
    let scope = pa.ctx.scope.clone();
    app.blocking(move |s| s.add_note(&scope, &note)).await?.ok_or(WebError::NotFound)?;
    Ok(back(&pa))
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    tekst: String,
    #[serde(default)]
    reden: String,
}

pub async fn correct_note(
    State(app): State<AppState>,
    pa: PupilAccess,
    Path((_, _, note)): Path<(String, String, i64)>,
    Form(f): Form<CorrectionForm>,
) -> Result<Response, WebError> {
    let actor = pa.ctx.full_user()?.username.clone();
    let scope = pa.ctx.scope.clone();
    let (b, n) = (pa.pupil.school.clone(), pa.pupil.number.clone());
    let now = app.clock.now();
    let reason = if f.reden.trim().is_empty() { "correctie".to_owned() } else { f.reden.trim().to_owned() };
    let ok = app
        .blocking(move |s| s.correct_note(&scope, &b, &n, note, f.tekst.trim(), &reason, &actor, now))
        .await?;
    if !ok {
        return Err(WebError::NotFound);
    }
    Ok(back(&pa))
}

#[derive(Deserialize)]
pub struct ZienswijzeForm {
    #[serde(default)]
    tekst: String,
}

pub async fn add_zienswijze(
    State(app): State<AppState>,
    pa: PupilAccess,
    Form(f): Form<ZienswijzeForm>,
) -> Result<Response, WebError> {
    if view_of(&pa.ctx, &pa.pupil) != View::ParentRedacted {
        return Err(WebError::NotFound);
    }
    let author = pa.ctx.full_user()?.username.clone();
    let text = f.tekst.trim().chars().take(20_000).collect::<String>();
    if !text.is_empty() {
        let scope = pa.ctx.scope.clone();
        let (b, n) = (pa.pupil.school.clone(), pa.pupil.number.clone());
        let now = app.clock.now();
        app.blocking(move |s| s.add_zienswijze(&scope, &b, &n, &text, &author, now)).await?;
    }
    Ok(back(&pa))
}

/// The complete dossier as a JSON download (R12): every record of the pupil, the access log,
/// and for parents other pupils' names redacted. Parents need gezag (R7).
pub async fn dossier(State(app): State<AppState>, pa: PupilAccess) -> Result<Response, WebError> {
    let view = view_of(&pa.ctx, &pa.pupil);
    let role = pa.ctx.user.as_ref().map(|u| u.role);
    if role == Some(Role::Parent) && view != View::ParentRedacted {
        return Err(WebError::NotFound);
    }
    let d = load(&app, &pa).await?;
    let others = if view == View::ParentRedacted { other_names(&app, &pa.pupil).await? } else { Vec::new() };
    let (b, n) = (pa.pupil.school.clone(), pa.pupil.number.clone());
    let log = app.blocking(move |s| s.audit_for_pupil(&b, &n)).await?;
    let mut doc = dossier_json(&d, if view == View::ResultsOnly { View::Full } else { view }, &others);
    doc["inzagelog"] =
        json!(log
        .iter()
        .map(|r| json!({
            "tijd": r.record.time_utc, "wie": r.record.actor, "rol": r.record.actor_role,
            "categorie": r.record.category, "handeling": r.record.action, "uitkomst": r.record.outcome,
        }))
        .collect::<Vec<_>>());
    doc["aangemaakt"] = json!(schoolscan_store::access::ts(app.clock.now()));
    let body = serde_json::to_string_pretty(&doc).map_err(|e| WebError::Internal(e.to_string()))?;
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"dossier-{}-{}.json\"",
        d.pupil.school,
        d.pupil.number.as_str().replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
