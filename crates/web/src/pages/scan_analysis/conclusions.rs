//! Step 5: an interpretation record per finding of step 4, and the one-page summary.

use std::collections::{BTreeMap, HashMap};

use crate::pages::scan::{Saved, save_step_of};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use schoolscan_analysis::{Direction, Findings, PupilBasis};
use schoolscan_auth::{Action, DataCategory};
use schoolscan_domain::{SchoolYear, StepStatus};
use schoolscan_report::num::{nl_interval, nl_signed};
use schoolscan_scan::StepContent;
use schoolscan_scan::steps::{ActionLevel, ConcludeStep, Conclusion, Explanation};
use serde_json::{Value, json};

use super::analysis::{subject_labels, unprocessable};
use super::{SchoolAnalysis, Visibility, base_path, may_write, school_analysis, visibility, year_param};
use crate::guard::SchoolAccess;
use crate::render::seg;
use crate::{AppState, WebError};

/// Highest priority number offered (1 = most urgent).
const MAX_PRIORITY: u8 = 5;

/// A finding of step 4 that step 5 can interpret.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Stable reference to the evidence (`subject:spelling:cito_sp_3`, `grade:5:…`, `pupil:1234`).
    pub evidence: String,
    /// The finding in words.
    pub finding: String,
    /// Where the evidence is shown.
    pub href: String,
    /// The level the finding is about (the default level of action).
    pub level: ActionLevel,
    /// The overview it belongs to (heading on the page).
    pub section: &'static str,
}

fn months(v: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (v, ci) {
        (Some(d), Some(c)) => format!(
            "{} schoolmaanden {} ({})",
            nl_signed(d.abs(), 1).trim_start_matches('+'),
            if d >= 0.0 { "achter" } else { "voor" },
            nl_interval(c[0], c[1], 1)
        ),
        (Some(d), None) => format!("{} schoolmaanden", nl_signed(d, 1)),
        _ => "geen schoolmaanden".to_owned(),
    }
}

/// Every finding of the analysis, in the order of the four overviews, then the panels.
pub fn candidates(a: &SchoolAnalysis, f: &Findings, vis: &Visibility, base: &str) -> Vec<Candidate> {
    let labels = subject_labels(f);
    let label =
        |s: &str, c: &str| labels.get(&(s.to_owned(), c.to_owned())).cloned().unwrap_or_else(|| s.to_owned());
    let mut out = Vec::new();
    for s in &f.subjects {
        let what = match s.delay_months {
            Some(_) => months(s.delay_months, s.ci95),
            None => match s.effect_size {
                Some(es) => format!("effectgrootte {}", nl_signed(es, 2)),
                None => "te weinig gegevens".to_owned(),
            },
        };
        out.push(Candidate {
            evidence: format!("subject:{}:{}", s.subject.as_str(), s.scale),
            finding: format!("{}, schoolbreed: {what}", label(s.subject.as_str(), &s.scale)),
            href: format!("{base}/stap/4#vakken"),
            level: ActionLevel::School,
            section: "Vakken schoolbreed",
        });
    }
    for g in f.grades.iter().filter(|g| g.deviates.is_some()) {
        out.push(Candidate {
            evidence: format!("grade:{}:{}:{}", g.grade.get(), g.subject.as_str(), g.scale),
            finding: format!(
                "Jaargroep {}, {}: {}; {} dan de rest van de school",
                g.grade.get(),
                label(g.subject.as_str(), &g.scale),
                months(g.delay_months, g.ci95),
                if g.deviates == Some(Direction::Negative) { "meer vertraging" } else { "minder vertraging" }
            ),
            href: format!("{base}/stap/4/jaargroep/{}", g.grade.get()),
            level: ActionLevel::Jaargroep,
            section: "Jaargroepen die afwijken",
        });
    }
    for g in f.classes.iter().filter(|g| g.deviates.is_some()) {
        let Some(name) = g.group.as_ref().map(|n| n.as_str().to_owned()) else { continue };
        if !vis.group(&name) {
            continue;
        }
        out.push(Candidate {
            evidence: format!("group:{name}:{}:{}", g.subject.as_str(), g.scale),
            finding: format!(
                "Groep {name}, {}: {}; {} dan de andere groepen van de jaargroep",
                label(g.subject.as_str(), &g.scale),
                months(g.delay_months, g.ci95),
                if g.deviates == Some(Direction::Negative) { "meer vertraging" } else { "minder vertraging" }
            ),
            href: format!("{base}/stap/4/groep/{}", seg(name.clone())),
            level: ActionLevel::Groep,
            section: "Groepen die afwijken",
        });
    }
    for c in f.components.iter().filter(|c| c.deviates.is_some()) {
        out.push(Candidate {
            evidence: format!("component:{}:{}:{}", c.grade.get(), c.subject.as_str(), c.component),
            finding: format!(
                "Jaargroep {}, {} – {}: valt {} op",
                c.grade.get(),
                label(c.subject.as_str(), &c.scale),
                c.component,
                if c.deviates == Some(Direction::Negative) { "negatief" } else { "positief" }
            ),
            href: format!("{base}/stap/4/jaargroep/{}#onderdelen", c.grade.get()),
            level: ActionLevel::Jaargroep,
            section: "Onderdelen die opvallen",
        });
    }
    // One finding per pupil, naming every signal.
    let mut per_pupil: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut group_of: HashMap<String, String> = HashMap::new();
    for p in f.pupils.iter().filter(|p| vis.pupil(p.pupil.as_str())) {
        let subject = match (&p.subject, &p.scale) {
            (Some(s), Some(c)) => label(s.as_str(), c),
            _ => "alle vakken samen".to_owned(),
        };
        let basis = match p.basis {
            PupilBasis::OwnGrowth => "eigen groei",
            PupilBasis::Classmates => "groepsgenoten",
            PupilBasis::AcrossSubjects => "over de vakken",
        };
        let dir = if p.direction == Direction::Negative { "achter" } else { "vooruit" };
        per_pupil.entry(p.pupil.as_str().to_owned()).or_default().push(format!("{subject} {dir} ({basis})"));
        if let Some(g) = &p.group {
            group_of.insert(p.pupil.as_str().to_owned(), g.as_str().to_owned());
        }
    }
    for (number, signals) in per_pupil {
        let group = group_of.get(&number).map(|g| format!(" (groep {g})")).unwrap_or_default();
        out.push(Candidate {
            evidence: format!("pupil:{number}"),
            finding: format!("{}{group}: {}", a.name(&number), signals.join("; ")),
            href: format!("{base}/stap/4/leerling/{}", seg(number.clone())),
            level: ActionLevel::Leerling,
            section: "Leerlingen die opvallen",
        });
    }
    for d in &f.seo.dimensions {
        let Some(ci) = d.change_ci95 else { continue };
        if ci[0] <= 0.0 && ci[1] >= 0.0 {
            continue;
        }
        out.push(Candidate {
            evidence: format!("seo:{}:{}:{}", d.instrument, d.dimension, d.informant),
            finding: format!(
                "Sociaal-emotioneel, {} – {} ({}): verandering {} ({})",
                d.instrument,
                d.dimension,
                d.informant,
                d.change.map_or_else(|| "–".to_owned(), |c| nl_signed(c, 2)),
                nl_interval(ci[0], ci[1], 2)
            ),
            href: format!("{base}/stap/4#seo"),
            level: ActionLevel::School,
            section: "Sociaal-emotionele ontwikkeling",
        });
    }
    for s in &f.subgroups {
        let Some(ci) = s.ci95 else { continue };
        if ci[0] <= 0.0 && ci[1] >= 0.0 {
            continue;
        }
        out.push(Candidate {
            evidence: format!("subgroup:{}:{}:{}:{}", s.dimension, s.group, s.subject.as_str(), s.scale),
            finding: format!(
                "Leerlingen met {}, {}: {} extra ten opzichte van vóór corona",
                s.label,
                label(s.subject.as_str(), &s.scale),
                months(s.delay_months, s.ci95)
            ),
            href: format!("{base}/stap/4#subgroepen"),
            level: ActionLevel::School,
            section: "Groepen leerlingen",
        });
    }
    out
}

/// The page link of a stored evidence reference (also for findings that no longer appear).
fn href_of(evidence: &str, base: &str) -> String {
    let parts: Vec<&str> = evidence.split(':').collect();
    match parts.as_slice() {
        ["grade", g, ..] => format!("{base}/stap/4/jaargroep/{g}"),
        ["component", g, ..] => format!("{base}/stap/4/jaargroep/{g}#onderdelen"),
        ["group", g, ..] => format!("{base}/stap/4/groep/{}", seg((*g).to_owned())),
        ["pupil", n] => format!("{base}/stap/4/leerling/{}", seg((*n).to_owned())),
        ["seo", ..] => format!("{base}/stap/4#seo"),
        ["subgroup", ..] => format!("{base}/stap/4#subgroepen"),
        _ => format!("{base}/stap/4#vakken"),
    }
}

/// An HTML id for a finding.
fn anchor(evidence: &str) -> String {
    let mut s = String::from("b-");
    for c in evidence.chars() {
        s.push(if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' });
    }
    s
}

async fn load(
    app: &AppState,
    sa: &SchoolAccess,
    year: SchoolYear,
) -> Result<(ConcludeStep, i64, StepStatus), WebError> {
    let scope = sa.ctx.scope.clone();
    let b = sa.school.clone();
    let scan = app.blocking(move |s| s.scan(&scope, &b, year)).await?;
    let Some(step) = scan.steps.iter().find(|s| s.step == 5) else { return Err(WebError::NotFound) };
    let content: ConcludeStep = serde_json::from_value(step.content.clone()).unwrap_or_default();
    Ok((content, step.version, step.status))
}

fn conclusion_json(c: &Conclusion, base: &str) -> Value {
    json!({
        "id": c.id,
        "bevinding": c.finding,
        "bewijs": c.evidence,
        "href": href_of(&c.evidence, base),
        "verklaringen": c.explanations.iter().map(|e| e.key()).collect::<Vec<_>>(),
        "verklaring_labels": c.explanations.iter().map(|e| if *e == Explanation::Anders && !c.explanation_other.is_empty() {
            format!("Anders: {}", c.explanation_other)
        } else {
            e.label().to_owned()
        }).collect::<Vec<_>>(),
        "anders": c.explanation_other,
        "gevolgen": c.consequences,
        "niveau": c.level.key(),
        "niveau_label": c.level.label(),
        "prioriteit": c.priority,
        "expertise": c.expertise,
        "uren": if c.hours_needed > 0.0 { schoolscan_report::num::nl(c.hours_needed, 1) } else { String::new() },
        "leerlingniveau": c.level == ActionLevel::Leerling || c.evidence.starts_with("pupil:"),
    })
}

/// What the user typed in one finding's form.
#[derive(Debug, Clone, Default)]
struct Input {
    evidence: String,
    explanations: Vec<Explanation>,
    other: String,
    consequences: String,
    level: Option<ActionLevel>,
    priority: Option<u8>,
    expertise: String,
    hours: f64,
}

fn parse_input(form: &[(String, String)]) -> Input {
    let get =
        |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let clip = |s: String, n: usize| s.chars().take(n).collect::<String>();
    let mut explanations: Vec<Explanation> =
        form.iter().filter(|(k, _)| k == "verklaring").filter_map(|(_, v)| Explanation::parse(v)).collect();
    explanations.sort();
    explanations.dedup();
    Input {
        evidence: clip(get("bewijs"), 300),
        explanations,
        other: clip(get("verklaring_anders"), 2_000),
        consequences: clip(get("gevolgen"), 10_000),
        level: ActionLevel::parse(&get("niveau")),
        priority: get("prioriteit").parse::<u8>().ok().filter(|p| (1..=MAX_PRIORITY).contains(p)),
        expertise: clip(get("expertise"), 500),
        hours: get("uren")
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|h| h.is_finite() && *h >= 0.0 && *h < 1000.0)
            .unwrap_or(0.0),
    }
}

fn input_json(i: &Input) -> Value {
    json!({
        "verklaringen": i.explanations.iter().map(|e| e.key()).collect::<Vec<_>>(),
        "anders": i.other, "gevolgen": i.consequences,
        "niveau": i.level.map(|l| l.key()).unwrap_or("school"),
        "prioriteit": i.priority.unwrap_or(MAX_PRIORITY),
        "expertise": i.expertise, "uren": if i.hours > 0.0 { schoolscan_report::num::nl(i.hours, 1) } else { String::new() },
    })
}

/// `GET /scholen/{brin}/scan/{year}/stap/5`.
pub async fn step5(
    State(app): State<AppState>,
    sa: SchoolAccess,
    Path(p): Path<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let year = year_param(&p)?;
    render(&app, &sa, year, None, StatusCode::OK).await
}

async fn render(
    app: &AppState,
    sa: &SchoolAccess,
    year: SchoolYear,
    kept: Option<(String, Input)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    // The page names pupils who stand out: one audit record (a POST that re-renders after a
    // conflict uses the GET's category).
    let kind = sa.ctx.policy.audit.unwrap_or((DataCategory::Toets, Action::Read));
    crate::guard::audit(app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    let a = school_analysis(app, &sa.ctx, &sa.school, year).await?;
    let vis = visibility(app, &sa.ctx, &sa.school, year).await?;
    let (content, version, step_status) = load(app, sa, year).await?;
    let base = base_path(&sa.school, year);
    let cands = match &a.findings {
        Ok(f) => candidates(&a, f, &vis, &base),
        Err(_) => Vec::new(),
    };
    let by_evidence: HashMap<&str, &Conclusion> =
        content.conclusions.iter().map(|c| (c.evidence.as_str(), c)).collect();
    let mut sections: Vec<(String, Vec<Value>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let row = |evidence: &str, finding: &str, href: &str, level: ActionLevel| {
        let stored = by_evidence.get(evidence);
        let value = match (&kept, stored) {
            (Some((ev, input)), _) if ev == evidence => input_json(input),
            (_, Some(c)) => conclusion_json(c, &base),
            _ => json!({
                "verklaringen": [], "anders": "", "gevolgen": "", "niveau": level.key(),
                "prioriteit": MAX_PRIORITY, "expertise": "", "uren": "",
            }),
        };
        json!({
            "bewijs": evidence, "bevinding": finding, "href": href, "anchor": anchor(evidence),
            "v": value, "vastgelegd": stored.is_some(),
        })
    };
    for c in &cands {
        seen.insert(c.evidence.clone());
        let r = row(&c.evidence, &c.finding, &c.href, c.level);
        match sections.iter_mut().find(|(s, _)| s == c.section) {
            Some((_, v)) => v.push(r),
            None => sections.push((c.section.to_owned(), vec![r])),
        }
    }
    // Conclusions whose finding no longer appears (the data changed) stay visible and editable.
    let orphans: Vec<Value> = content
        .conclusions
        .iter()
        .filter(|c| !seen.contains(&c.evidence))
        .filter(|c| !c.evidence.starts_with("pupil:") || vis.pupil(c.evidence.trim_start_matches("pupil:")))
        .map(|c| row(&c.evidence, &c.finding, &href_of(&c.evidence, &base), c.level))
        .collect();
    if !orphans.is_empty() {
        sections.push(("Eerder vastgelegd, niet meer in de huidige analyse".to_owned(), orphans));
    }
    let ctx = json!({
        "csrf": sa.ctx.csrf(), "brin": sa.school.as_str(), "school": sa.name, "year": year.to_string(), "base": base,
        "target": a.findings.as_ref().ok().map(|f| f.target.label.clone()),
        "error": a.findings.as_ref().err(),
        "sections": sections.iter().map(|(s, rows)| json!({ "titel": s, "rows": rows })).collect::<Vec<_>>(),
        "explanations": Explanation::ALL.iter().map(|e| json!({ "key": e.key(), "label": e.label() })).collect::<Vec<_>>(),
        "levels": ActionLevel::ALL.iter().map(|l| json!({ "key": l.key(), "label": l.label() })).collect::<Vec<_>>(),
        "priorities": (1..=MAX_PRIORITY).collect::<Vec<_>>(),
        "version": version,
        "count": content.conclusions.len(),
        "done": step_status == StepStatus::Done,
        "may_write": may_write(&sa.ctx),
        "message": Value::Null,
        "message_anchor": Value::Null,
    });
    let mut ctx = ctx;
    if let Some((ev, _)) = &kept {
        ctx["message"] = json!(conflict_message());
        ctx["message_anchor"] = json!(anchor(ev));
    }
    Ok((status, Html(app.templates.render("scan_step5.html", ctx)?)).into_response())
}

fn conflict_message() -> String {
    "Iemand anders heeft stap 5 opgeslagen nadat u deze pagina opende. Uw invoer is niet opgeslagen, \
     maar staat hieronder nog bij de bevinding. Controleer de andere bevindingen en sla daarna opnieuw op."
        .to_owned()
}

/// `POST /scholen/{brin}/scan/{year}/stap/5`: save (or clear) the record of one finding, or set
/// the step's status.
pub async fn save(
    State(app): State<AppState>,
    sa: SchoolAccess,
    Path(p): Path<HashMap<String, String>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let year = year_param(&p)?;
    if !may_write(&sa.ctx) {
        return Err(WebError::NotFound);
    }
    let get = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.trim().to_owned());
    let Some(version) = get("versie").and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(unprocessable("Het formulier mist de versie van stap 5. Laad de pagina opnieuw."));
    };
    let (mut content, _, mut status) = load(&app, &sa, year).await?;
    let base = base_path(&sa.school, year);
    let input = parse_input(&form);
    let mut target = format!("{base}/stap/5");
    match get("status").as_deref() {
        Some("afgerond") => status = StepStatus::Done,
        Some("bezig") => status = StepStatus::InProgress,
        Some(_) => return Ok(unprocessable("Onbekende status.")),
        None => {
            if input.evidence.is_empty() {
                return Ok(unprocessable("Het formulier noemt geen bevinding."));
            }
            let a = school_analysis(&app, &sa.ctx, &sa.school, year).await?;
            let vis = visibility(&app, &sa.ctx, &sa.school, year).await?;
            let cand = match &a.findings {
                Ok(f) => candidates(&a, f, &vis, &base).into_iter().find(|c| c.evidence == input.evidence),
                Err(_) => None,
            };
            let existing = content.conclusions.iter().position(|c| c.evidence == input.evidence);
            let finding = match (&cand, existing) {
                (Some(c), _) => c.finding.clone(),
                (None, Some(i)) => content.conclusions[i].finding.clone(),
                (None, None) => {
                    return Ok(unprocessable("Deze bevinding bestaat niet (meer) in de analyse."));
                }
            };
            let empty =
                input.explanations.is_empty() && input.consequences.is_empty() && input.other.is_empty();
            if empty {
                // Clearing the form removes the record.
                if let Some(i) = existing {
                    content.conclusions.remove(i);
                }
            } else {
                let Some(level) = input.level else {
                    return Ok(unprocessable("Kies het niveau waarop actie nodig is."));
                };
                let Some(priority) = input.priority else {
                    return Ok(unprocessable("Kies een prioriteit van 1 (hoogst) tot 5."));
                };
                let id = match existing {
                    Some(i) => content.conclusions[i].id,
                    None => content.conclusions.iter().map(|c| c.id).max().unwrap_or(0) + 1,
                };
                let c = Conclusion {
                    id,
                    finding,
                    evidence: input.evidence.clone(),
                    explanations: input.explanations.clone(),
                    explanation_other: input.other.clone(),
                    consequences: input.consequences.clone(),
                    level,
                    priority,
                    expertise: input.expertise.clone(),
                    hours_needed: input.hours,
                };
                match existing {
                    Some(i) => content.conclusions[i] = c,
                    None => content.conclusions.push(c),
                }
            }
            content.conclusions.sort_by_key(|c| c.id);
            if status == StepStatus::NotStarted && !content.conclusions.is_empty() {
                status = StepStatus::InProgress;
            }
            target = format!("{base}/stap/5#{}", anchor(&input.evidence));
        }
    }
    match save_step_of(&app, &sa.ctx, &sa.school, year, 5, status, StepContent::Conclude(content), version)
        .await?
    {
        Saved::Ok => Ok(Redirect::to(&target).into_response()),
        Saved::Conflict(_) => {
            render(&app, &sa, year, Some((input.evidence.clone(), input)), StatusCode::CONFLICT).await
        }
    }
}

/// `GET /scholen/{brin}/scan/{year}/stap/5/samenvatting[?versie=algemeen]`: the conclusions on
/// one printable page. The general version leaves out everything at pupil level.
pub async fn summary(
    State(app): State<AppState>,
    sa: SchoolAccess,
    Path(p): Path<HashMap<String, String>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let year = year_param(&p)?;
    let Some(kind) = sa.ctx.policy.audit else { return Err(WebError::NotFound) };
    crate::guard::audit(&app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    let general = q.get("versie").is_some_and(|v| v == "algemeen");
    let a = school_analysis(&app, &sa.ctx, &sa.school, year).await?;
    let vis = visibility(&app, &sa.ctx, &sa.school, year).await?;
    let (content, version, status) = load(&app, &sa, year).await?;
    let base = base_path(&sa.school, year);
    let mut rows: Vec<&Conclusion> = content
        .conclusions
        .iter()
        .filter(|c| !(general && (c.level == ActionLevel::Leerling || c.evidence.starts_with("pupil:"))))
        .filter(|c| !c.evidence.starts_with("pupil:") || vis.pupil(c.evidence.trim_start_matches("pupil:")))
        .collect();
    rows.sort_by_key(|c| (c.priority, c.level, c.id));
    let left_out = content.conclusions.len() - rows.len();
    let key_figures: Vec<String> = match &a.findings {
        Ok(f) => {
            let labels = subject_labels(f);
            f.subjects
                .iter()
                .filter(|s| s.delay_months.is_some())
                .take(4)
                .map(|s| {
                    let l = labels
                        .get(&(s.subject.as_str().to_owned(), s.scale.clone()))
                        .cloned()
                        .unwrap_or_default();
                    format!("{l}: {}", months(s.delay_months, s.ci95))
                })
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let by_level: Vec<Value> = ActionLevel::ALL
        .iter()
        .map(|l| json!({ "label": l.label(), "n": rows.iter().filter(|c| c.level == *l).count() }))
        .collect();
    let ctx = json!({
        "csrf": sa.ctx.csrf(), "brin": sa.school.as_str(), "school": sa.name, "year": year.to_string(), "base": base,
        "target": a.findings.as_ref().ok().map(|f| f.target.label.clone()),
        "rows": rows.iter().map(|c| conclusion_json(c, &base)).collect::<Vec<_>>(),
        "general": general, "left_out": left_out, "key_figures": key_figures, "by_level": by_level,
        "version": version, "done": status == StepStatus::Done,
        "made": schoolscan_store::access::ts(app.clock.now()),
    });
    Ok(Html(app.templates.render("scan_step5_summary.html", ctx)?).into_response())
}
