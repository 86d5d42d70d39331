//! The upload page: a school leader or IB'er uploads an LVS export, sees what Schoolscan detected
//! (encoding, delimiter, columns), a preview of the first rows, every problem and the exact counts
//! (a dry run of the write), and then confirms. The uploaded bytes wait server-side under a random
//! token (for this user and school, at most [`PENDING_MINUTES`] minutes); the confirmation parses
//! them again and writes them with their import-log row in one transaction, audited.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use axum::Form;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use schoolscan_auth::audit::{Action, DataCategory};
use schoolscan_domain::Brin;
use schoolscan_import::{FileKind, ImportError, ImportOptions, Mapping, Report};
use schoolscan_store::access::ts;
use schoolscan_store::{ImportKind, ImportRecord, PupilMerge, UpsertOptions, WriteReport};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::guard::{SchoolAccess, UploadTooLarge};
use crate::multipart;
use crate::{AppState, WebError};

/// How long an upload waits for its confirmation.
pub const PENDING_MINUTES: i64 = 30;
/// At most this many uploads wait at once (the oldest goes first): with the default upload limit
/// (64 MB) at most 512 MB of memory.
const MAX_PENDING: usize = 8;
/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 10;

/// An upload waiting for its confirmation.
struct Pending {
    user_id: i64,
    school: Brin,
    kind: ImportKind,
    file_name: String,
    bytes: Vec<u8>,
    /// A mapping file uploaded with it (TOML), remembered for the school once the import is written.
    mapping: Option<String>,
    created: OffsetDateTime,
}

static PENDING: LazyLock<Mutex<HashMap<String, Pending>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn kind_label(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Scores => "toetsresultaten",
        ImportKind::Pupils => "leerlinggegevens",
        ImportKind::Seo => "sociaal-emotionele gegevens",
    }
}

fn file_kind(kind: ImportKind) -> FileKind {
    match kind {
        ImportKind::Scores => FileKind::Scores,
        ImportKind::Pupils => FileKind::Pupils,
        ImportKind::Seo => FileKind::Seo,
    }
}

fn category(kind: ImportKind) -> DataCategory {
    match kind {
        ImportKind::Scores => DataCategory::Toets,
        ImportKind::Pupils => DataCategory::Identiteit,
        ImportKind::Seo => DataCategory::SociaalEmotioneel,
    }
}

fn upsert_options(kind: ImportKind, dry_run: bool) -> UpsertOptions {
    let pupil_merge =
        if kind == ImportKind::Pupils { PupilMerge::Overwrite } else { PupilMerge::FillMissing };
    UpsertOptions { pupil_merge, dry_run }
}

/// A size in bytes as the page states it: "64 MB" (MB = 1024 × 1024 bytes), "1,5 MB", "512 kB".
pub fn size_label(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB {
        if bytes.is_multiple_of(MB) {
            format!("{} MB", bytes / MB)
        } else {
            // One decimal, rounded down, with a decimal comma.
            let tenths = bytes / (MB / 10);
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

/// Render the page in one of its modes (`form`, `preview`, `done`, `too_large`).
fn render(app: &AppState, sa: &SchoolAccess, status: StatusCode, extra: Value) -> Result<Response, WebError> {
    let mut ctx = json!({
        "csrf": sa.ctx.csrf(),
        "brin": sa.school.as_str(),
        "name": sa.name,
        "minutes": PENDING_MINUTES,
        "error": Value::Null,
        "imports": [],
    });
    if let (Some(obj), Value::Object(more)) = (ctx.as_object_mut(), extra) {
        obj.extend(more);
    }
    let html = app.templates.render("import.html", ctx)?;
    Ok((status, Html(html)).into_response())
}

/// The import log of the school, for the form.
async fn log(app: &AppState, sa: &SchoolAccess) -> Result<Value, WebError> {
    let scope = sa.ctx.scope.clone();
    let brin = sa.school.clone();
    let entries = app.blocking(move |s| s.imports(&scope, &brin)).await?;
    Ok(json!(entries
        .iter()
        .take(20)
        .map(|e| json!({
            "at": e.at, "kind": kind_label(e.kind), "file": e.file_name, "actor": e.actor, "read": e.read,
            "imported": e.imported, "updated": e.updated, "duplicates": e.duplicates, "skipped": e.skipped,
            "rejected": e.rejected,
        }))
        .collect::<Vec<_>>()))
}

async fn form_with_error(
    app: &AppState,
    sa: &SchoolAccess,
    status: StatusCode,
    error: String,
) -> Result<Response, WebError> {
    let imports = log(app, sa).await?;
    render(app, sa, status, json!({ "mode": "form", "error": error, "imports": imports }))
}

/// `GET /scholen/{brin}/importeren`: the upload form and the school's recent imports.
pub async fn form(State(app): State<AppState>, sa: SchoolAccess) -> Result<Response, WebError> {
    let imports = log(&app, &sa).await?;
    render(&app, &sa, StatusCode::OK, json!({ "mode": "form", "imports": imports }))
}

/// The report as the template shows it.
fn report_json(r: &Report) -> Value {
    let i = &r.info;
    json!({
        "file": r.file, "read": r.read, "imported": r.imported, "updated": r.updated,
        "duplicates": r.duplicates, "skipped": r.skipped, "rejected": r.rejected,
        "format": i.format.label(), "encoding": i.encoding.label(), "delimiter": i.delimiter,
        "decimal": i.decimal.label(), "layout": i.layout.map(|l| l.label()), "sheet": i.sheet,
        "header_line": i.header_line,
        "recognised": i.recognised.iter().map(|(h, f)| json!({ "header": h, "field": f })).collect::<Vec<_>>(),
        "unrecognised": i.unrecognised, "notes": i.notes,
    })
}

/// Parse `bytes` with the mapping given or remembered; returns the options used and whether the
/// remembered mapping was applied.
async fn options(
    app: &AppState,
    school: &Brin,
    kind: ImportKind,
    mapping: Option<&str>,
) -> Result<Result<(ImportOptions, bool), String>, WebError> {
    let (text, remembered) = match mapping {
        Some(t) => (Some(t.to_owned()), false),
        None => {
            let b = school.clone();
            let t = app.blocking(move |s| s.import_mapping(&b, kind)).await?;
            let remembered = t.is_some();
            (t, remembered)
        }
    };
    let mapping = match text.as_deref().map(Mapping::from_toml) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => return Ok(Err(e)),
        None => None,
    };
    Ok(Ok((ImportOptions { mapping, ..ImportOptions::default() }, remembered)))
}

/// Parse a file off the async runtime.
async fn parse(
    kind: ImportKind,
    bytes: Vec<u8>,
    file_name: String,
    school: Brin,
    opts: ImportOptions,
    with_preview: bool,
) -> Result<
    Result<(Report, schoolscan_domain::Dataset, Option<schoolscan_import::Preview>), ImportError>,
    WebError,
> {
    tokio::task::spawn_blocking(move || {
        let fk = file_kind(kind);
        let (report, data) = schoolscan_import::parse_kind(fk, &bytes, &file_name, &school, &opts)?;
        let preview = if with_preview {
            Some(schoolscan_import::preview(&bytes, &file_name, fk, &opts, PREVIEW_ROWS)?)
        } else {
            None
        };
        Ok((report, data, preview))
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))
}

/// `POST /scholen/{brin}/importeren` (multipart: `soort`, `bestand`, optional `koppeling`): the
/// preview with every problem and the exact counts of a dry run; nothing is written yet.
pub async fn upload(
    State(app): State<AppState>,
    sa: SchoolAccess,
    req: Request,
) -> Result<Response, WebError> {
    if let Some(too_large) = req.extensions().get::<UploadTooLarge>() {
        // The guard kept nothing of the body: say so, and what to do instead (413).
        return render(
            &app,
            &sa,
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({ "mode": "too_large", "limit": size_label(too_large.limit) }),
        );
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, app.upload_limit).await.map_err(|_| WebError::NotFound)?;
    let Some(fields) = multipart::boundary(&parts.headers).and_then(|b| multipart::parts(&bytes, &b)) else {
        return form_with_error(
            &app,
            &sa,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Kies een bestand om te importeren.".into(),
        )
        .await;
    };
    let text = |name: &str| {
        fields
            .iter()
            .find(|p| p.name == name && p.file_name.is_none())
            .map(|p| String::from_utf8_lossy(p.data))
    };
    let Some(kind) = text("soort").and_then(|k| ImportKind::parse(k.trim())) else {
        return form_with_error(
            &app,
            &sa,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Kies wat voor bestand het is: toetsresultaten, leerlinggegevens of sociaal-emotionele gegevens."
                .into(),
        )
        .await;
    };
    let Some(file) =
        fields.iter().find(|p| p.name == "bestand" && p.file_name.is_some() && !p.data.is_empty())
    else {
        return form_with_error(
            &app,
            &sa,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Kies een bestand om te importeren.".into(),
        )
        .await;
    };
    let file_name = file.file_name.clone().unwrap_or_default();
    let file_name = file_name.rsplit(['/', '\\']).next().unwrap_or_default().to_owned();
    let mapping = match fields.iter().find(|p| p.name == "koppeling" && !p.data.is_empty()) {
        Some(p) => match std::str::from_utf8(p.data) {
            Ok(t) => Some(t.to_owned()),
            Err(_) => {
                return form_with_error(
                    &app,
                    &sa,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Het koppelbestand is geen tekstbestand (UTF-8). Sla het op als platte tekst.".into(),
                )
                .await;
            }
        },
        None => None,
    };
    let file_bytes = file.data.to_vec();
    drop(fields);

    let (opts, remembered) = match options(&app, &sa.school, kind, mapping.as_deref()).await? {
        Ok(o) => o,
        Err(e) => return form_with_error(&app, &sa, StatusCode::UNPROCESSABLE_ENTITY, e).await,
    };
    let parsed = parse(kind, file_bytes.clone(), file_name.clone(), sa.school.clone(), opts, true).await?;
    let (mut report, data, preview) = match parsed {
        Ok(p) => p,
        Err(e) => return form_with_error(&app, &sa, StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).await,
    };
    // A dry run of the write: the exact counts of what would be new and what would change.
    let w = dry_run(&app, &sa, kind, data, &report).await?;
    let c = schoolscan_store::imports::primary_counts(kind, &w);
    report.imported = c.imported;
    report.updated = c.updated;
    if remembered {
        report.info.notes.push("het koppelbestand dat deze school eerder gebruikte is toegepast".into());
    }

    let token = schoolscan_auth::session::random_token(24).map_err(|e| WebError::Internal(e.to_string()))?;
    let user_id = sa.ctx.full_user()?.id;
    let now = app.clock.now();
    {
        let mut pending = PENDING.lock().map_err(|_| WebError::Internal("pending uploads".into()))?;
        pending.retain(|_, p| now - p.created < time::Duration::minutes(PENDING_MINUTES));
        while pending.len() >= MAX_PENDING {
            let Some(oldest) = pending.iter().min_by_key(|(_, p)| p.created).map(|(k, _)| k.clone()) else {
                break;
            };
            pending.remove(&oldest);
        }
        pending.insert(
            token.clone(),
            Pending {
                user_id,
                school: sa.school.clone(),
                kind,
                file_name,
                bytes: file_bytes,
                mapping,
                created: now,
            },
        );
    }
    let preview = preview.map(|p| json!({ "headers": p.headers, "rows": p.rows }));
    render(
        &app,
        &sa,
        StatusCode::OK,
        json!({ "mode": "preview", "kind": kind_label(kind), "report": report_json(&report), "preview": preview, "token": token }),
    )
}

async fn dry_run(
    app: &AppState,
    sa: &SchoolAccess,
    kind: ImportKind,
    data: schoolscan_domain::Dataset,
    report: &Report,
) -> Result<WriteReport, WebError> {
    let school = sa.school.clone();
    let (read, duplicates, skipped, rejected) =
        (report.read, report.duplicates, report.skipped.len() as u64, report.rejected.len() as u64);
    let file = report.file.clone();
    app.blocking(move |s| {
        let rec = ImportRecord {
            school: &school,
            kind,
            file_name: &file,
            actor: "",
            at: "",
            read,
            duplicates,
            skipped,
            rejected,
            report_json: "{}",
            remember_mapping: None,
        };
        let mut w = s.import(&[(&data, rec)], upsert_options(kind, true))?;
        Ok(w.pop().unwrap_or_default())
    })
    .await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
}

/// `POST /scholen/{brin}/importeren/bevestigen`: write the upload with `token`. Exactly one audit
/// record per call (with the data category of the file when there is one).
pub async fn confirm(
    State(app): State<AppState>,
    sa: SchoolAccess,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let Some((policy_category, action)) = sa.ctx.policy.audit else { return Err(WebError::NotFound) };
    let user = sa.ctx.full_user()?.clone();
    let now = app.clock.now();
    let taken = {
        let mut pending = PENDING.lock().map_err(|_| WebError::Internal("pending uploads".into()))?;
        match pending.remove(&f.token) {
            Some(p) if p.user_id == user.id && p.school == sa.school => {
                (now - p.created < time::Duration::minutes(PENDING_MINUTES)).then_some(p)
            }
            // Someone else's token: leave it for its owner.
            Some(p) => {
                pending.insert(f.token.clone(), p);
                None
            }
            None => None,
        }
    };
    let Some(p) = taken else {
        crate::guard::audit(&app, &sa.ctx, &sa.school, None, None, (policy_category, action), true).await?;
        return form_with_error(
            &app,
            &sa,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Deze upload is verlopen of onbekend (een upload wacht {PENDING_MINUTES} minuten op bevestiging). Upload het bestand opnieuw."
            ),
        )
        .await;
    };
    crate::guard::audit(&app, &sa.ctx, &sa.school, None, None, (category(p.kind), Action::Create), true)
        .await?;
    let kind = p.kind;
    let (opts, _) = match options(&app, &sa.school, kind, p.mapping.as_deref()).await? {
        Ok(o) => o,
        Err(e) => return form_with_error(&app, &sa, StatusCode::UNPROCESSABLE_ENTITY, e).await,
    };
    let parsed = parse(kind, p.bytes, p.file_name, sa.school.clone(), opts, false).await?;
    let (mut report, data, _) = match parsed {
        Ok(r) => r,
        Err(e) => return form_with_error(&app, &sa, StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).await,
    };
    let report_text = serde_json::to_string(&report).map_err(|e| WebError::Internal(e.to_string()))?;
    let school = sa.school.clone();
    let at = ts(now);
    let actor = user.username.clone();
    let mapping = p.mapping;
    let file = report.file.clone();
    let (read, duplicates, skipped, rejected) =
        (report.read, report.duplicates, report.skipped.len() as u64, report.rejected.len() as u64);
    let w = app
        .blocking(move |s| {
            let rec = ImportRecord {
                school: &school,
                kind,
                file_name: &file,
                actor: &actor,
                at: &at,
                read,
                duplicates,
                skipped,
                rejected,
                report_json: &report_text,
                remember_mapping: mapping.as_deref(),
            };
            let mut w = s.import(&[(&data, rec)], upsert_options(kind, false))?;
            Ok(w.pop().unwrap_or_default())
        })
        .await?;
    let c = schoolscan_store::imports::primary_counts(kind, &w);
    report.imported = c.imported;
    report.updated = c.updated;
    render(
        &app,
        &sa,
        StatusCode::OK,
        json!({ "mode": "done", "kind": kind_label(kind), "report": report_json(&report) }),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_in_dutch() {
        assert_eq!(super::size_label(64 * 1024 * 1024), "64 MB");
        assert_eq!(super::size_label(1024 * 1024 + 600 * 1024), "1,5 MB");
        assert_eq!(super::size_label(512 * 1024), "512 kB");
    }
}
