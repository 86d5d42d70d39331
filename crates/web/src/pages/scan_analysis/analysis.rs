//! Step 4: the analysis pages (school, jaargroep, group, pupil) and the helper-question answers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::pages::scan::{Saved, save_step_of};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use schoolscan_analysis::{
    ComponentRow, Direction, Findings, GroupRow, PupilBasis, PupilRow, SubgroupRow, SubjectRow,
};
use schoolscan_auth::{Action, DataCategory};
use schoolscan_domain::{Brin, Grade, SchoolYear, StepStatus};
use schoolscan_report::chart::{self, Frame, HeatCell, IntervalGroup, IntervalRow, Mark};
use schoolscan_report::num::{nl, nl_interval, nl_signed};
use schoolscan_scan::StepContent;
use schoolscan_scan::steps::{AnalyseStep, HELPER_QUESTIONS};
use serde_json::{Value, json};

use super::{SchoolAnalysis, Visibility, base_path, may_write, school_analysis, visibility, year_param};
use crate::guard::{Ctx, GroupAccess, PupilAccess, SchoolAccess};
use crate::{AppState, WebError};

const MONTHS: &str = "schoolmaanden";
const BEHIND: &str = "achter op de verwachting";

fn months_frame(title: &str) -> Frame {
    Frame { title: title.to_owned(), unit: MONTHS.to_owned(), positive_means: BEHIND.to_owned() }
}

fn mark_of(d: Option<Direction>) -> Mark {
    match d {
        Some(Direction::Negative) => Mark::Negative,
        Some(Direction::Positive) => Mark::Positive,
        None => Mark::None,
    }
}

fn deviates_text(d: Option<Direction>) -> &'static str {
    match d {
        Some(Direction::Negative) => "▼ meer vertraging dan de rest",
        Some(Direction::Positive) => "▲ minder vertraging dan de rest",
        None => "",
    }
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |x| nl_signed(x, decimals))
}

fn opt_ci(v: Option<[f64; 2]>, decimals: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |c| nl_interval(c[0], c[1], decimals))
}

fn pvalue(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0,001".to_owned(),
        Some(p) => nl(p, 3),
        None => "–".to_owned(),
    }
}

/// Subject labels, with the scale added where one subject has more than one scale.
pub(super) fn subject_labels(f: &Findings) -> HashMap<(String, String), String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for s in &f.subjects {
        *count.entry(s.subject.as_str()).or_default() += 1;
    }
    f.subjects
        .iter()
        .map(|s| {
            let label = if count.get(s.subject.as_str()).copied().unwrap_or(0) > 1 {
                format!("{} ({})", s.label, s.scale)
            } else {
                s.label.clone()
            };
            ((s.subject.as_str().to_owned(), s.scale.clone()), label)
        })
        .collect()
}

fn label_of(labels: &HashMap<(String, String), String>, subject: &str, scale: &str) -> String {
    labels.get(&(subject.to_owned(), scale.to_owned())).cloned().unwrap_or_else(|| subject.replace('_', " "))
}

fn interval_row(label: String, v: Option<f64>, ci: Option<[f64; 2]>, n: usize, mark: Mark) -> IntervalRow {
    let (lo, hi) = ci.map_or((f64::NAN, f64::NAN), |c| (c[0], c[1]));
    IntervalRow { label, value: v.unwrap_or(f64::NAN), lo, hi, n: n as u64, mark }
}

fn subjects_view(f: &Findings) -> Value {
    let labels = subject_labels(f);
    let rows: Vec<IntervalRow> = f
        .subjects
        .iter()
        .filter(|s| s.delay_months.is_some())
        .map(|s| {
            interval_row(
                label_of(&labels, s.subject.as_str(), &s.scale),
                s.delay_months,
                s.ci95,
                s.n,
                Mark::None,
            )
        })
        .collect();
    let svg = chart::interval_chart(
        "vakken",
        &months_frame("Vertraging per vak, schoolbreed (95%-interval)"),
        &rows,
    );
    let table: Vec<Value> = f
        .subjects
        .iter()
        .map(|s: &SubjectRow| {
            json!({
                "vak": label_of(&labels, s.subject.as_str(), &s.scale),
                "schaal": s.scale,
                "vertraging": opt(s.delay_months, 1),
                "interval": opt_ci(s.ci95, 1),
                "effect": opt(s.effect_size, 2),
                "percentiel": opt(s.percentile_shift, 0),
                "n": s.n,
                "niet_meegeteld": s.n_excluded,
                "opmerking": s.warning.clone().or_else(|| s.no_months_reason.clone()).unwrap_or_default(),
            })
        })
        .collect();
    let most = f.subjects.iter().find(|s| s.delay_months.is_some()).map(|s| {
        format!(
            "{}: {} {MONTHS} ({})",
            label_of(&labels, s.subject.as_str(), &s.scale),
            opt(s.delay_months, 1),
            opt_ci(s.ci95, 1)
        )
    });
    json!({ "svg": svg, "rows": table, "most": most })
}

/// The jaargroep × subject heat map of `rows` (grade rows), with its table.
fn heat_view(f: &Findings, rows: &[&GroupRow], id: &str, title: &str, by_group: bool) -> Value {
    let labels = subject_labels(f);
    let cols: Vec<(String, String)> =
        f.subjects.iter().map(|s| (s.subject.as_str().to_owned(), s.scale.clone())).collect();
    let mut keys: Vec<(u8, String)> = rows
        .iter()
        .map(|r| (r.grade.get(), r.group.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_default()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    keys.sort();
    let row_label =
        |k: &(u8, String)| if by_group { format!("groep {}", k.1) } else { format!("jaargroep {}", k.0) };
    let mut cells = Vec::new();
    let mut table = Vec::new();
    for k in &keys {
        let mut line = Vec::new();
        let mut trow = Vec::new();
        for (subj, scale) in &cols {
            let r = rows.iter().find(|r| {
                r.grade.get() == k.0
                    && r.group.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_default() == k.1
                    && r.subject.as_str() == subj
                    && &r.scale == scale
            });
            match r.and_then(|r| r.delay_months.map(|d| (r, d))) {
                Some((r, d)) => {
                    line.push(Some(HeatCell { value: d, n: r.n as u64, mark: mark_of(r.deviates) }));
                    let sym = match r.deviates {
                        Some(Direction::Negative) => " ▼",
                        Some(Direction::Positive) => " ▲",
                        None => "",
                    };
                    trow.push(format!("{}{sym} (n = {})", nl_signed(d, 1), r.n));
                }
                None => {
                    line.push(None);
                    trow.push(r.and_then(|r| r.warning.clone()).unwrap_or_else(|| "–".to_owned()));
                }
            }
        }
        cells.push(line);
        table.push(json!({ "label": row_label(k), "grade": k.0, "group": k.1, "cells": trow }));
    }
    let row_labels: Vec<String> = keys.iter().map(row_label).collect();
    let col_labels: Vec<String> = cols.iter().map(|(s, c)| label_of(&labels, s, c)).collect();
    let svg = chart::heat_map(id, &months_frame(title), &row_labels, &col_labels, &cells);
    json!({ "svg": svg, "cols": col_labels, "rows": table, "empty": keys.is_empty() })
}

fn deviations_view(f: &Findings, rows: &[&GroupRow]) -> Vec<Value> {
    let labels = subject_labels(f);
    rows.iter()
        .filter(|r| r.deviates.is_some())
        .map(|r| {
            json!({
                "grade": r.grade.get(),
                "group": r.group.as_ref().map(|g| g.as_str().to_owned()),
                "vak": label_of(&labels, r.subject.as_str(), &r.scale),
                "vertraging": opt(r.delay_months, 1),
                "interval": opt_ci(r.ci95, 1),
                "verschil": opt(r.contrast, 1),
                "verschil_interval": opt_ci(r.contrast_ci95, 1),
                "eenheid": if r.contrast_unit.as_deref() == Some("effect_size") { "effectgrootte" } else { MONTHS },
                "p_holm": pvalue(r.p_holm),
                "afwijking": deviates_text(r.deviates),
                "n": r.n,
            })
        })
        .collect()
}

fn components_view(f: &Findings, grade: Option<u8>, id: &str) -> Value {
    let labels = subject_labels(f);
    let mut groups: BTreeMap<(u8, String), Vec<&ComponentRow>> = BTreeMap::new();
    for c in f.components.iter().filter(|c| grade.is_none_or(|g| c.grade.get() == g)) {
        groups.entry((c.grade.get(), label_of(&labels, c.subject.as_str(), &c.scale))).or_default().push(c);
    }
    let chart_groups: Vec<IntervalGroup> = groups
        .iter()
        .map(|((g, subj), rows)| IntervalGroup {
            heading: format!("Jaargroep {g} – {subj}"),
            rows: rows
                .iter()
                .map(|c| {
                    interval_row(
                        c.component.replace('_', " "),
                        c.effect_size,
                        c.effect_size_ci95,
                        c.n,
                        mark_of(c.deviates),
                    )
                })
                .collect(),
        })
        .collect();
    let frame = Frame {
        title: "Onderdelen per jaargroep: effectgrootte (95%-interval)".to_owned(),
        unit: "effectgrootte (standaarddeviaties)".to_owned(),
        positive_means: BEHIND.to_owned(),
    };
    let svg = chart::grouped_interval_chart(id, &frame, &chart_groups);
    let table: Vec<Value> = groups
        .iter()
        .flat_map(|((g, subj), rows)| {
            rows.iter().map(move |c| {
                json!({
                    "grade": g, "vak": subj, "onderdeel": c.component.replace('_', " "),
                    "effect": opt(c.effect_size, 2), "interval": opt_ci(c.effect_size_ci95, 2),
                    "verschil": opt(c.contrast, 2), "p_holm": pvalue(c.p_holm),
                    "afwijking": match c.deviates {
                        Some(Direction::Negative) => "▼ valt negatief op",
                        Some(Direction::Positive) => "▲ valt positief op",
                        None => "",
                    },
                    "n": c.n, "opmerking": c.warning.clone().unwrap_or_default(),
                })
            })
        })
        .collect();
    json!({ "svg": svg, "rows": table, "empty": groups.is_empty() })
}

fn basis_label(b: PupilBasis) -> &'static str {
    match b {
        PupilBasis::OwnGrowth => "eigen groei",
        PupilBasis::Classmates => "groepsgenoten",
        PupilBasis::AcrossSubjects => "alle vakken samen",
    }
}

/// The pupils who stand out, filtered by visibility (and optionally by grade or group), split
/// into own development and compared with classmates.
pub(super) fn pupils_view(
    a: &SchoolAnalysis,
    f: &Findings,
    vis: &Visibility,
    base: &str,
    keep: impl Fn(&PupilRow) -> bool,
) -> Value {
    let labels = subject_labels(f);
    let row = |p: &PupilRow| {
        json!({
            "nummer": p.pupil.as_str(),
            "naam": a.name(p.pupil.as_str()),
            "href": format!("{base}/stap/4/leerling/{}", crate::render::seg(p.pupil.as_str().to_owned())),
            "groep": p.group.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_default(),
            "jaargroep": p.grade.get(),
            "vak": match (&p.subject, &p.scale) {
                (Some(s), Some(c)) => label_of(&labels, s.as_str(), c),
                _ => "alle vakken samen".to_owned(),
            },
            "basis": basis_label(p.basis),
            "richting": if p.direction == Direction::Negative { "▼ achter" } else { "▲ vooruit" },
            "vertraging": opt(p.delay_months, 1),
            "interval": opt_ci(p.ci95, 1),
            "zeker": p.certainty,
        })
    };
    let visible: Vec<&PupilRow> =
        f.pupils.iter().filter(|p| vis.pupil(p.pupil.as_str()) && keep(p)).collect();
    let own: Vec<Value> =
        visible.iter().filter(|p| p.basis != PupilBasis::Classmates).map(|p| row(p)).collect();
    let mates: Vec<Value> =
        visible.iter().filter(|p| p.basis == PupilBasis::Classmates).map(|p| row(p)).collect();
    json!({ "own": own, "classmates": mates, "limited": !vis.is_all() })
}

fn seo_view(f: &Findings) -> Value {
    let rows: Vec<chart::BeforeSince> = f
        .seo
        .dimensions
        .iter()
        .map(|d| chart::BeforeSince {
            label: format!("{} – {} ({})", d.instrument, d.dimension.replace('_', " "), d.informant),
            before: d.mean_before,
            since: d.mean_since,
            n_before: d.n_before as u64,
            n_since: d.n_since as u64,
            mark: Mark::None,
        })
        .collect();
    let frame = Frame {
        title: "Sociaal-emotioneel: gemiddelde score vóór en sinds corona".to_owned(),
        unit: "Score op de schaal van het instrument".to_owned(),
        positive_means: "of een hogere score gunstig is, hangt af van het instrument".to_owned(),
    };
    let svg = chart::before_since_chart("seo", &frame, &rows);
    let pct = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |x| format!("{}%", nl(100.0 * x, 0)));
    let table: Vec<Value> = f.seo.dimensions.iter().map(|d| json!({
        "instrument": d.instrument, "dimensie": d.dimension.replace('_', " "), "invuller": d.informant,
        "voor": d.mean_before.map_or_else(|| "–".to_owned(), |x| nl(x, 2)),
        "sinds": d.mean_since.map_or_else(|| "–".to_owned(), |x| nl(x, 2)),
        "verandering": opt(d.change, 2), "interval": opt_ci(d.change_ci95, 2),
        "n_paar": d.n_paired, "signaal_voor": pct(d.share_signal_before), "signaal_sinds": pct(d.share_signal_since),
        "opmerking": d.warning.clone().unwrap_or_default(),
    })).collect();
    json!({ "svg": svg, "rows": table, "empty": f.seo.dimensions.is_empty(), "note": f.seo.note })
}

fn dimension_label(d: &str) -> String {
    match d {
        "leerlinggewicht" => "Leerlinggewicht".to_owned(),
        "opleiding_ouders" => "Opleiding ouders".to_owned(),
        "opp" => "Ontwikkelingsperspectief (OPP)".to_owned(),
        "onderste_20_procent" => "Onderste 20% vóór corona".to_owned(),
        "geslacht" => "Geslacht".to_owned(),
        other => other.replace('_', " "),
    }
}

fn subgroups_view(f: &Findings) -> Value {
    let labels = subject_labels(f);
    let mut groups: BTreeMap<String, Vec<&SubgroupRow>> = BTreeMap::new();
    for s in &f.subgroups {
        groups.entry(s.dimension.clone()).or_default().push(s);
    }
    let chart_groups: Vec<IntervalGroup> = groups
        .iter()
        .map(|(d, rows)| IntervalGroup {
            heading: dimension_label(d),
            rows: rows
                .iter()
                .map(|s| {
                    let mark = match s.ci95 {
                        Some([lo, _]) if lo > 0.0 => Mark::Negative,
                        Some([_, hi]) if hi < 0.0 => Mark::Positive,
                        _ => Mark::None,
                    };
                    interval_row(
                        format!("{} – {}", s.label, label_of(&labels, s.subject.as_str(), &s.scale)),
                        s.delay_months,
                        s.ci95,
                        s.n,
                        mark,
                    )
                })
                .collect(),
        })
        .collect();
    let frame =
        months_frame("Groepen leerlingen: extra vertraging ten opzichte van vóór corona (95%-interval)");
    let svg = chart::grouped_interval_chart("subgroepen", &frame, &chart_groups);
    let table: Vec<Value> = f
        .subgroups
        .iter()
        .map(|s| {
            json!({
                "dimensie": dimension_label(&s.dimension), "groep": s.label,
                "vak": label_of(&labels, s.subject.as_str(), &s.scale),
                "vertraging": opt(s.delay_months, 1), "interval": opt_ci(s.ci95, 1),
                "nu": opt(s.current_delay_months, 1), "voor": opt(s.baseline_delay_months, 1),
                "n": s.n, "opmerking": s.warning.clone().unwrap_or_default(),
            })
        })
        .collect();
    json!({ "svg": svg, "rows": table, "empty": f.subgroups.is_empty() })
}

fn recovery_view(f: &Findings) -> Vec<Value> {
    let labels = subject_labels(f);
    f.recovery
        .iter()
        .map(|r| {
            json!({
                "vak": label_of(&labels, r.subject.as_str(), &r.scale), "moment": r.label,
                "vertraging": opt(r.delay_months, 1), "interval": opt_ci(r.ci95, 1),
                "hersteld": opt(r.recovered_months, 1), "n": r.n, "doel": r.is_target,
                "opmerking": r.note.clone().unwrap_or_default(),
            })
        })
        .collect()
}

fn quality_view(f: &Findings) -> Vec<Value> {
    f.data_quality
        .iter()
        .filter(|d| d.component.is_none())
        .map(|d| {
            json!({
                "vak": d.subject.label(), "schaal": d.scale, "scores": d.target_scores, "geanalyseerd": d.analysed,
                "geen_eerdere": d.no_prior_score, "geen_model": d.no_baseline_model, "geen_maanden": d.months_unavailable,
            })
        })
        .collect()
}

/// The helper questions of a level, with the stored answers.
fn questions(level: &str, answers: &[(String, String)]) -> Vec<Value> {
    HELPER_QUESTIONS
        .iter()
        .filter(|(_, l, _)| *l == level)
        .map(|(id, _, q)| {
            let a = answers.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone()).unwrap_or_default();
            json!({ "id": id, "vraag": q, "antwoord": a })
        })
        .collect()
}

async fn step4_content(
    app: &AppState,
    ctx: &Ctx,
    school: &Brin,
    year: SchoolYear,
) -> Result<(AnalyseStep, i64, StepStatus), WebError> {
    let scope = ctx.scope.clone();
    let b = school.clone();
    let scan = app.blocking(move |s| s.scan(&scope, &b, year)).await?;
    let Some(step) = scan.steps.iter().find(|s| s.step == 4) else { return Err(WebError::NotFound) };
    let content: AnalyseStep = serde_json::from_value(step.content.clone()).unwrap_or_default();
    Ok((content, step.version, step.status))
}

fn common(sa: &SchoolAccess, year: SchoolYear) -> Value {
    json!({
        "csrf": sa.ctx.csrf(),
        "brin": sa.school.as_str(),
        "school": sa.name,
        "year": year.to_string(),
        "base": base_path(&sa.school, year),
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// `GET /scholen/{brin}/scan/{year}/stap/4`.
pub async fn step4(
    State(app): State<AppState>,
    sa: SchoolAccess,
    Path(p): Path<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let year = year_param(&p)?;
    render_step4(&app, &sa, year, None, StatusCode::OK).await
}

async fn render_step4(
    app: &AppState,
    sa: &SchoolAccess,
    year: SchoolYear,
    conflict: Option<(String, Vec<(String, String)>)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    // The page lists pupils who stand out: one audit record, also when a POST re-renders it
    // after a conflict (its own route carries no audit category, so the GET's is used).
    let kind = sa.ctx.policy.audit.unwrap_or((DataCategory::Toets, Action::Read));
    crate::guard::audit(app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    let a = school_analysis(app, &sa.ctx, &sa.school, year).await?;
    let vis = visibility(app, &sa.ctx, &sa.school, year).await?;
    let (content, version, step_status) = step4_content(app, &sa.ctx, &sa.school, year).await?;
    let (message, answers) = match conflict {
        Some((m, given)) => (Some(m), given),
        None => (None, content.answers.clone()),
    };
    let base = base_path(&sa.school, year);
    let analysis = match &a.findings {
        Ok(f) => {
            let grades: Vec<&GroupRow> = f.grades.iter().collect();
            let grade_list: BTreeSet<u8> = f.grades.iter().map(|g| g.grade.get()).collect();
            json!({
                "error": null,
                "target": f.target.label,
                "first_date": f.target.first_date, "last_date": f.target.last_date,
                "baseline_years": f.target.baseline_years.iter().map(|y| y.to_string()).collect::<Vec<_>>(),
                "subjects": subjects_view(f),
                "heat": heat_view(f, &grades, "jaargroepen", "Vertraging per jaargroep en vak (schoolmaanden)", false),
                "deviations": deviations_view(f, &grades),
                "grades": grade_list.into_iter().collect::<Vec<_>>(),
                "components": components_view(f, None, "onderdelen"),
                "pupils": pupils_view(&a, f, &vis, &base, |_| true),
                "seo": seo_view(f),
                "subgroups": subgroups_view(f),
                "recovery": recovery_view(f),
                "quality": quality_view(f),
                "notes": f.notes.iter().map(|n| n.text.clone()).collect::<Vec<_>>(),
            })
        }
        Err(e) => json!({ "error": e }),
    };
    let ctx = merge(
        common(sa, year),
        json!({
            "a": analysis,
            "q_school": questions("school", &answers),
            "q_jaargroep": questions("jaargroep", &answers),
            "q_beeld": questions("jaargroep", &answers).into_iter().filter(|q| q["id"] == "groep_beeld").collect::<Vec<_>>(),
            "q_onderdelen": questions("jaargroep", &answers).into_iter().filter(|q| q["id"] == "groep_onderdelen").collect::<Vec<_>>(),
            "q_leerling": questions("leerling", &answers),
            "may_write": may_write(&sa.ctx),
            "version": version,
            "done": step_status == StepStatus::Done,
            "message": message,
            "moment": a.moment.map(|k| k.letter().to_string()).unwrap_or_default(),
        }),
    );
    let html = app.templates.render("scan_step4.html", ctx)?;
    Ok((status, Html(html)).into_response())
}

/// `POST /scholen/{brin}/scan/{year}/stap/4`: the answers to the helper questions.
pub async fn save_step4(
    State(app): State<AppState>,
    sa: SchoolAccess,
    Path(p): Path<HashMap<String, String>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let year = year_param(&p)?;
    if !may_write(&sa.ctx) {
        return Err(WebError::NotFound);
    }
    let field = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.trim().to_owned());
    let Some(version) = field("versie").and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(unprocessable("Het formulier mist de versie van stap 4. Laad de pagina opnieuw."));
    };
    let answers: Vec<(String, String)> = HELPER_QUESTIONS
        .iter()
        .filter_map(|(id, _, _)| {
            field(&format!("antwoord_{id}"))
                .filter(|a| !a.is_empty())
                .map(|a| ((*id).to_owned(), a.chars().take(10_000).collect()))
        })
        .collect();
    let done = field("afgerond").is_some();
    // The test moment to analyse: B, M or E of the scan year; empty = the latest with data.
    let moment = match field("moment").as_deref().and_then(schoolscan_domain::MomentKind::parse) {
        Some(k) => format!("{} {year}", k.letter()),
        None => String::new(),
    };
    let content = StepContent::Analyse(AnalyseStep { answers: answers.clone(), moment });
    let status = if done {
        StepStatus::Done
    } else if answers.is_empty() {
        StepStatus::NotStarted
    } else {
        StepStatus::InProgress
    };
    match save_step_of(&app, &sa.ctx, &sa.school, year, 4, status, content, version).await? {
        Saved::Ok => {
            Ok(Redirect::to(&format!("{}/stap/4#hulpvragen", base_path(&sa.school, year))).into_response())
        }
        Saved::Conflict(_) => {
            // The form keeps the user's answers on screen, so the message says that (the generic
            // one points at the newest version below).
            let msg = "Stap 4 is intussen door iemand anders opgeslagen. Uw antwoorden zijn niet opgeslagen, \
                       maar staan hieronder nog ingevuld. Laad de pagina opnieuw om de nieuwste versie te zien \
                       en voer uw antwoorden daarna nogmaals in."
                .to_owned();
            render_step4(&app, &sa, year, Some((msg, answers)), StatusCode::CONFLICT).await
        }
    }
}

pub(super) fn unprocessable(msg: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(format!(
            "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Niet opgeslagen – Schoolscan</title></head><body><main><h1>Niet opgeslagen</h1><p>{}</p></main></body></html>",
            chart::esc(msg)
        )),
    )
        .into_response()
}

/// `GET /scholen/{brin}/scan/{year}/stap/4/jaargroep/{grade}`.
pub async fn grade(
    State(app): State<AppState>,
    sa: SchoolAccess,
    Path(p): Path<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let year = year_param(&p)?;
    let g = p
        .get("grade")
        .and_then(|g| g.parse::<u8>().ok())
        .and_then(|g| Grade::new(g).ok())
        .ok_or(WebError::NotFound)?;
    let Some(kind) = sa.ctx.policy.audit else { return Err(WebError::NotFound) };
    crate::guard::audit(&app, &sa.ctx, &sa.school, Some(format!("jaargroep {}", g.get())), None, kind, true)
        .await?;
    let a = school_analysis(&app, &sa.ctx, &sa.school, year).await?;
    let vis = visibility(&app, &sa.ctx, &sa.school, year).await?;
    let (content, _, _) = step4_content(&app, &sa.ctx, &sa.school, year).await?;
    let base = base_path(&sa.school, year);
    let analysis = match &a.findings {
        Ok(f) => {
            let labels = subject_labels(f);
            let rows: Vec<IntervalRow> = f
                .grades
                .iter()
                .filter(|r| r.grade == g)
                .map(|r| {
                    interval_row(
                        label_of(&labels, r.subject.as_str(), &r.scale),
                        r.delay_months,
                        r.ci95,
                        r.n,
                        mark_of(r.deviates),
                    )
                })
                .collect();
            let grade_rows: Vec<&GroupRow> = f.grades.iter().filter(|r| r.grade == g).collect();
            let classes: Vec<&GroupRow> = f
                .classes
                .iter()
                .filter(|r| r.grade == g && r.group.as_ref().is_some_and(|n| vis.group(n.as_str())))
                .collect();
            let group_names: BTreeSet<String> =
                classes.iter().filter_map(|r| r.group.as_ref().map(|n| n.as_str().to_owned())).collect();
            let school_rows: Vec<Value> = f.subjects.iter().map(|s| json!({
                "vak": label_of(&labels, s.subject.as_str(), &s.scale), "vertraging": opt(s.delay_months, 1),
            })).collect();
            json!({
                "error": null,
                "target": f.target.label,
                "chart": chart::interval_chart(
                    "jaargroep",
                    &months_frame(&format!("Jaargroep {}: vertraging per vak (95%-interval)", g.get())),
                    &rows,
                ),
                "rows": grade_rows.iter().map(|r| json!({
                    "vak": label_of(&labels, r.subject.as_str(), &r.scale), "vertraging": opt(r.delay_months, 1),
                    "interval": opt_ci(r.ci95, 1), "verschil": opt(r.contrast, 1),
                    "verschil_interval": opt_ci(r.contrast_ci95, 1), "p_holm": pvalue(r.p_holm),
                    "afwijking": deviates_text(r.deviates), "n": r.n, "opmerking": r.warning.clone().unwrap_or_default(),
                })).collect::<Vec<_>>(),
                "school_rows": school_rows,
                "classes": heat_view(f, &classes, "groepen", &format!("Groepen van jaargroep {}: vertraging per vak", g.get()), true),
                "class_deviations": deviations_view(f, &classes),
                "groups": group_names.into_iter().collect::<Vec<_>>(),
                "components": components_view(f, Some(g.get()), "onderdelen-jaargroep"),
                "pupils": pupils_view(&a, f, &vis, &base, |p| p.grade == g),
            })
        }
        Err(e) => json!({ "error": e }),
    };
    let ctx = merge(
        common(&sa, year),
        json!({ "grade": g.get(), "a": analysis, "q_jaargroep": questions("jaargroep", &content.answers) }),
    );
    Ok(Html(app.templates.render("scan_step4_grade.html", ctx)?).into_response())
}

/// `GET /scholen/{brin}/scan/{year}/stap/4/groep/{group}`: one class group (audited by
/// [`GroupAccess`], which also checks the group is in scope).
pub async fn group(State(app): State<AppState>, ga: GroupAccess) -> Result<Response, WebError> {
    let year = ga.year;
    let a = school_analysis(&app, &ga.ctx, &ga.school, year).await?;
    let vis = visibility(&app, &ga.ctx, &ga.school, year).await?;
    let base = base_path(&ga.school, year);
    let name = ga.group.as_str().to_owned();
    let members: BTreeSet<String> = ga.pupils.iter().map(|p| p.number.as_str().to_owned()).collect();
    let analysis = match &a.findings {
        Ok(f) => {
            let labels = subject_labels(f);
            let rows: Vec<&GroupRow> =
                f.classes.iter().filter(|r| r.group.as_ref().is_some_and(|g| g.as_str() == name)).collect();
            let chart_rows: Vec<IntervalRow> = rows
                .iter()
                .map(|r| {
                    interval_row(
                        label_of(&labels, r.subject.as_str(), &r.scale),
                        r.delay_months,
                        r.ci95,
                        r.n,
                        mark_of(r.deviates),
                    )
                })
                .collect();
            let grade = rows.first().map(|r| r.grade.get());
            // Every pupil of the group (already scoped) with their score against the expectation.
            let mut pupils: Vec<Value> = Vec::new();
            let mut sorted: Vec<_> = ga.pupils.iter().filter(|p| vis.pupil(p.number.as_str())).collect();
            sorted.sort_by_key(|p| p.sort_name());
            for p in sorted {
                let cells: Vec<Value> = f
                    .subjects
                    .iter()
                    .map(|s| {
                        let e = f
                            .expected
                            .iter()
                            .find(|e| e.pupil == p.number && e.subject == s.subject && e.scale == s.scale);
                        match e {
                            Some(e) => {
                                let pos = if e.score < e.band95[0] {
                                    "▼ onder de band"
                                } else if e.score > e.band95[1] {
                                    "▲ boven de band"
                                } else {
                                    "binnen de band"
                                };
                                json!(format!("{} (verwacht {}) {pos}", nl(e.score, 0), nl(e.expected, 0)))
                            }
                            None => json!("–"),
                        }
                    })
                    .collect();
                pupils.push(json!({
                    "naam": p.display_name(),
                    "href": format!("{base}/stap/4/leerling/{}", crate::render::seg(p.number.as_str().to_owned())),
                    "cells": cells,
                }));
            }
            json!({
                "error": null,
                "target": f.target.label,
                "grade": grade,
                "chart": chart::interval_chart(
                    "groep",
                    &months_frame(&format!("Groep {name}: vertraging per vak (95%-interval)")),
                    &chart_rows,
                ),
                "rows": rows.iter().map(|r| json!({
                    "vak": label_of(&labels, r.subject.as_str(), &r.scale), "vertraging": opt(r.delay_months, 1),
                    "interval": opt_ci(r.ci95, 1), "verschil": opt(r.contrast, 1),
                    "verschil_interval": opt_ci(r.contrast_ci95, 1), "p_holm": pvalue(r.p_holm),
                    "afwijking": deviates_text(r.deviates), "n": r.n, "opmerking": r.warning.clone().unwrap_or_default(),
                })).collect::<Vec<_>>(),
                "cols": f.subjects.iter().map(|s| label_of(&labels, s.subject.as_str(), &s.scale)).collect::<Vec<_>>(),
                "members": pupils,
                "pupils": pupils_view(&a, f, &vis, &base, |p| members.contains(p.pupil.as_str())),
            })
        }
        Err(e) => json!({ "error": e }),
    };
    let ctx = json!({
        "csrf": ga.ctx.csrf(), "brin": ga.school.as_str(), "year": year.to_string(), "base": base,
        "group": name, "a": analysis,
    });
    Ok(Html(app.templates.render("scan_step4_group.html", ctx)?).into_response())
}

/// `GET /scholen/{brin}/scan/{year}/stap/4/leerling/{number}`: the pupil's scores per subject
/// against the expected band (audited by [`PupilAccess`]).
pub async fn pupil(
    State(app): State<AppState>,
    pa: PupilAccess,
    Path(p): Path<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let year = year_param(&p)?;
    let school = pa.pupil.school.clone();
    let scope = pa.ctx.scope.clone();
    let (b, n) = (school.clone(), pa.pupil.number.clone());
    let d = app.blocking(move |s| s.dossier(&scope, &b, &n)).await?.ok_or(WebError::NotFound)?;
    let a = school_analysis(&app, &pa.ctx, &school, year).await?;
    let vis = visibility(&app, &pa.ctx, &school, year).await?;
    let base = base_path(&school, year);
    let number = pa.pupil.number.as_str().to_owned();
    let name = pa.pupil.display_name();
    // Scores per (subject, scale), main scores only.
    let mut series: BTreeMap<(String, String), (String, Vec<&schoolscan_domain::Score>)> = BTreeMap::new();
    // Scores up to and including the scan year (the analysis looks no further).
    for s in d
        .scores
        .iter()
        .filter(|s| s.component.is_none() && s.ability.is_some() && SchoolYear::of(s.date) <= year)
    {
        if let Some((subj, label, scale)) = a.tests.get(&s.test_key) {
            series
                .entry((subj.clone(), scale.clone()))
                .or_insert_with(|| (label.clone(), Vec::new()))
                .1
                .push(s);
        }
    }
    let findings = a.findings.as_ref().ok();
    let mut charts = Vec::new();
    for (i, ((subj, scale), (label, mut scores))) in series.into_iter().enumerate() {
        scores.sort_by_key(|s| s.date);
        let exp = findings.and_then(|f| {
            f.expected
                .iter()
                .find(|e| e.pupil.as_str() == number && e.subject.as_str() == subj && e.scale == scale)
        });
        let points: Vec<chart::TrajectoryPoint> = scores
            .iter()
            .map(|s| {
                let moment = s.moment.map(|m| m.to_string()).unwrap_or_else(|| "toets".to_owned());
                let expected = exp
                    .filter(|e| e.date == s.date.to_string())
                    .map(|e| (e.expected, e.band95[0], e.band95[1]));
                chart::TrajectoryPoint {
                    label: format!("{moment} {}", s.date.year()),
                    score: s.ability,
                    expected,
                }
            })
            .collect();
        let title = format!("{label}: scores van {name} tegen de verwachting");
        let svg = chart::trajectory(
            &format!("traject-{i}"),
            &title,
            &format!("vaardigheidsscore, {scale}"),
            &points,
        );
        let table: Vec<Value> = scores
            .iter()
            .map(|s| {
                let e = exp.filter(|e| e.date == s.date.to_string());
                json!({
                    "datum": s.date.to_string(),
                    "moment": s.moment.map(|m| m.to_string()).unwrap_or_default(),
                    "score": s.ability.map_or_else(|| "–".to_owned(), |v| nl(v, 0)),
                    "verwacht": e.map_or_else(String::new, |e| nl(e.expected, 0)),
                    "band": e.map_or_else(String::new, |e| nl_interval(e.band95[0], e.band95[1], 0)),
                })
            })
            .collect();
        let verdict = exp.map(|e| {
            if e.score < e.band95[0] {
                "onder de verwachte band"
            } else if e.score > e.band95[1] {
                "boven de verwachte band"
            } else {
                "binnen de verwachte band"
            }
        });
        charts.push(json!({ "title": title, "svg": svg, "rows": table, "verdict": verdict, "label": label }));
    }
    let stands_out = match findings {
        Some(f) => pupils_view(&a, f, &vis, &base, |r| r.pupil.as_str() == number),
        None => json!({ "own": [], "classmates": [] }),
    };
    let groups: Vec<Value> = d
        .enrolments
        .iter()
        .map(|e| json!({ "jaar": e.year.to_string(), "groep": e.group.as_str(), "jaargroep": e.grade.get() }))
        .collect();
    let current = d.enrolments.iter().find(|e| e.year == year);
    let observations: Vec<Value> = d
        .observations
        .iter()
        .map(|o| json!({ "instrument": o.instrument, "dimensie": o.dimension, "datum": o.date.to_string(), "waarde": nl(o.value, 1) }))
        .collect();
    let ctx = json!({
        "csrf": pa.ctx.csrf(), "brin": school.as_str(), "year": year.to_string(), "base": base,
        "name": name, "number": number,
        "grade": current.map(|e| e.grade.get()),
        "group": current.map(|e| e.group.as_str().to_owned()),
        "group_visible": current.is_some_and(|e| vis.group(e.group.as_str())),
        "charts": charts, "stands_out": stands_out, "groups": groups, "observations": observations,
        "target": findings.map(|f| f.target.label.clone()),
        "error": a.findings.as_ref().err(),
        "dossier": format!("/leerlingen/{}/{}", school, crate::render::seg(number.clone())),
    });
    Ok(Html(app.templates.render("scan_step4_pupil.html", ctx)?).into_response())
}
