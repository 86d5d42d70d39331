//! Step 3: collecting what is missing. A plan per witte vlek (method, who, when, partner); quick
//! structured entry of conversations and observations for a whole class (or one pupil of it),
//! with a rating per domain by informant; and the register of pupils in a risk group.
//!
//! The risk register and the entries are pupil-level data: every call of these routes writes one
//! audit record, and a teacher sees (and enters for) the pupils of their own groups only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use schoolscan_domain::{Informant, Note, NoteKind, Pupil, PupilNumber, Rating};
use schoolscan_scan::StepContent;
use schoolscan_scan::steps::{CollectStep, CollectionPlan, DomainsStep, RiskEntry, RiskGroup};
use serde_json::{Value, json};
use time::Date;
use time::macros::format_description;

use super::inventory::{compute, domain_name};
use super::{
    Fields, NO_VERSION, Notice, Saved, ScanAccess, load_data, load_scan, page_context, read_step, render,
    save_step, saved_redirect, visible_groups, visible_pupils,
};
use crate::guard::{GroupAccess, audit};
use crate::{AppState, WebError};

const STEP: u8 = 3;

/// The kinds of note the quick entry offers.
const ENTRY_KINDS: [NoteKind; 3] = [NoteKind::GesprekLeerling, NoteKind::GesprekOuder, NoteKind::Observatie];

const RATINGS: [Rating; 3] = [Rating::Zorg, Rating::Neutraal, Rating::Kracht];

fn rating_key(r: Rating) -> &'static str {
    match r {
        Rating::Zorg => "zorg",
        Rating::Neutraal => "neutraal",
        Rating::Kracht => "kracht",
    }
}

fn rating_label(r: Rating) -> &'static str {
    match r {
        Rating::Zorg => "zorg",
        Rating::Neutraal => "neutraal",
        Rating::Kracht => "sterk punt",
    }
}

fn parse_rating(s: &str) -> Option<Rating> {
    RATINGS.into_iter().find(|r| rating_key(*r) == s)
}

fn informant_label(i: Informant) -> &'static str {
    match i {
        Informant::Leerkracht => "leerkracht",
        Informant::Leerling => "leerling",
        Informant::Ouder => "ouder",
        Informant::Professional => "zorgprofessional",
    }
}

/// Risk groups suggested by the pupil record (OPP and free risk flags).
fn suggested_groups(p: &Pupil) -> Vec<RiskGroup> {
    let mut v = Vec::new();
    if p.opp {
        v.push(RiskGroup::Opp);
    }
    for f in &p.risk_flags {
        let f = f.to_lowercase();
        let g = if f.contains("kwetsba") {
            Some(RiskGroup::KwetsbarePositie)
        } else if f.contains("afwezig") || f.contains("thuiszit") {
            Some(RiskGroup::LangdurigAfwezig)
        } else if f.contains("noodopvang") {
            Some(RiskGroup::Noodopvang)
        } else if f.contains("motivatie") || f.contains("werkhouding") {
            Some(RiskGroup::SterkVerminderdeMotivatie)
        } else {
            None
        };
        if let Some(g) = g
            && !v.contains(&g)
        {
            v.push(g);
        }
    }
    v
}

pub async fn show(
    State(app): State<AppState>,
    sa: ScanAccess,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    page(&app, &sa, true, Notice::from_query(&q)).await
}

/// The step page. `write_audit`: false inside an audited POST, whose own record covers it.
async fn page(
    app: &AppState,
    sa: &ScanAccess,
    write_audit: bool,
    notice: Notice,
) -> Result<Response, WebError> {
    // One audit record per call: the page shows the risk register (pupil-level, special category).
    if write_audit && let Some(kind) = sa.ctx.policy.audit {
        audit(app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    }
    let scan = load_scan(app, sa).await?;
    let (domains, _, inv) = compute(app, sa, &scan).await?;
    let step: CollectStep = read_step(&scan, STEP)?;
    let vlek_ids: BTreeSet<&str> = inv.witte_vlekken.iter().map(|w| w.domain.as_str()).collect();
    // A plan row for every witte vlek, and for every earlier plan (its vlek may be closed now).
    let mut plan_ids: Vec<String> = inv.witte_vlekken.iter().map(|w| w.domain.clone()).collect();
    for p in &step.plans {
        if !plan_ids.contains(&p.domain) {
            plan_ids.push(p.domain.clone());
        }
    }
    let plans: Vec<Value> = plan_ids
        .iter()
        .map(|id| {
            let plan = step.plans.iter().find(|p| &p.domain == id);
            let reason = inv.witte_vlekken.iter().find(|w| &w.domain == id).map(|w| w.reason.clone());
            json!({
                "id": id,
                "name": domain_name(&domains, id),
                "open": vlek_ids.contains(id.as_str()),
                "reason": reason,
                "method": plan.map(|p| p.method.clone()).unwrap_or_default(),
                "who": plan.map(|p| p.who.clone()).unwrap_or_default(),
                "when": plan.map(|p| p.when.clone()).unwrap_or_default(),
                "partner": plan.map(|p| p.partner.clone()).unwrap_or_default(),
                "has_plan": plan.is_some(),
            })
        })
        .collect();
    let visible = visible_pupils(app, sa).await?;
    let risk: Vec<Value> = step
        .risk_register
        .iter()
        .filter_map(|e| {
            let number = PupilNumber::parse(&e.pupil).ok()?;
            let (p, group) = visible.get(&number)?;
            Some(json!({
                "number": e.pupil,
                "name": p.sort_name(),
                "group": group,
                "groups": RiskGroup::ALL.iter().map(|g| json!({
                    "key": g.key(), "label": g.label(), "on": e.groups.contains(g),
                })).collect::<Vec<_>>(),
                "labels": e.groups.iter().map(|g| g.label()).collect::<Vec<_>>(),
                "note": e.note,
            }))
        })
        .collect();
    let in_register: BTreeSet<&str> = step.risk_register.iter().map(|e| e.pupil.as_str()).collect();
    let suggestions: Vec<Value> = visible
        .values()
        .filter(|(p, _)| !in_register.contains(p.number.as_str()))
        .filter_map(|(p, group)| {
            let g = suggested_groups(p);
            (!g.is_empty()).then(|| {
                json!({ "number": p.number.as_str(), "name": p.sort_name(), "group": group,
                        "labels": g.iter().map(|g| g.label()).collect::<Vec<_>>() })
            })
        })
        .collect();
    let mut pupils: Vec<(&Pupil, &String)> = visible.values().map(|(p, g)| (p, g)).collect();
    pupils.sort_by_key(|(p, g)| ((*g).clone(), p.sort_name()));
    let mut ctx = page_context(sa, &scan, STEP, &notice);
    ctx["plans"] = json!(plans);
    ctx["open_count"] = json!(inv.witte_vlekken.len());
    ctx["may_see_pupils"] = json!(sa.may_see_pupils());
    ctx["risk"] = json!(risk);
    ctx["suggestions"] = json!(suggestions);
    ctx["risk_groups"] = json!(
        RiskGroup::ALL.iter().map(|g| json!({ "key": g.key(), "label": g.label() })).collect::<Vec<_>>()
    );
    ctx["pupils"] = json!(
        pupils
            .iter()
            .map(|(p, g)| json!({ "number": p.number.as_str(), "name": p.sort_name(), "group": g }))
            .collect::<Vec<_>>()
    );
    ctx["groups"] = json!(
        visible_groups(app, sa)
            .await?
            .into_iter()
            .map(|(name, n)| json!({ "name": name, "pupils": n }))
            .collect::<Vec<_>>()
    );
    ctx["may_enter"] = json!(sa.may_see_pupils());
    ctx["has_domains"] = json!(!domains.chosen.is_empty());
    render(app, "scan_step3.html", ctx, &notice)
}

fn plans_from_form(f: &Fields) -> Vec<CollectionPlan> {
    let mut out: Vec<CollectionPlan> = Vec::new();
    for id in f.all("p_domein") {
        if out.iter().any(|p| p.domain == id) {
            continue;
        }
        let plan = CollectionPlan {
            domain: id.chars().take(100).collect(),
            method: f.text(&format!("p_methode_{id}"), 300),
            who: f.text(&format!("p_wie_{id}"), 200),
            when: f.text(&format!("p_wanneer_{id}"), 100),
            partner: f.text(&format!("p_partner_{id}"), 200),
        };
        if !(plan.method.is_empty() && plan.who.is_empty() && plan.when.is_empty() && plan.partner.is_empty())
        {
            out.push(plan);
        }
    }
    out
}

/// Save the plans per witte vlek (the risk register stays as stored).
pub async fn save_plans(
    State(app): State<AppState>,
    sa: ScanAccess,
    body: Bytes,
) -> Result<Response, WebError> {
    if !sa.may_write() {
        return Err(WebError::NotFound);
    }
    // Audited: on a conflict the page comes back with the risk register.
    let Some(kind) = sa.ctx.policy.audit else { return Err(WebError::Internal("geen auditsoort".into())) };
    audit(&app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    let f = Fields::parse(&body);
    let Some(version) = f.version() else {
        return page(&app, &sa, false, Notice::Invalid(NO_VERSION.into())).await;
    };
    let scan = load_scan(&app, &sa).await?;
    let stored: CollectStep = read_step(&scan, STEP)?;
    let next = CollectStep { plans: plans_from_form(&f), risk_register: stored.risk_register };
    match save_step(&app, &sa, STEP, f.status(), StepContent::Collect(next), version).await? {
        Saved::Ok => Ok(saved_redirect(&sa, STEP)),
        Saved::Conflict(msg) => page(&app, &sa, false, Notice::Conflict(msg)).await,
    }
}

/// Merge the posted register into the stored one. Entries of pupils the writer cannot see are
/// kept as they are; `visible` is what the writer may see.
/// `suggested`: the risk groups the pupil records suggest, for the suggestions the user adopts
/// (`overnemen`).
fn register_from_form(
    f: &Fields,
    stored: &[RiskEntry],
    visible: &BTreeSet<String>,
    suggested: &BTreeMap<String, Vec<RiskGroup>>,
) -> Result<Vec<RiskEntry>, String> {
    let shown: BTreeSet<&str> = f.all("r_leerling").into_iter().collect();
    let removed: BTreeSet<&str> = f.all("r_verwijder").into_iter().collect();
    let mut out: Vec<RiskEntry> = Vec::new();
    for e in stored {
        if !visible.contains(&e.pupil) || !shown.contains(e.pupil.as_str()) {
            out.push(e.clone());
            continue;
        }
        if removed.contains(e.pupil.as_str()) {
            continue;
        }
        let groups: Vec<RiskGroup> = RiskGroup::ALL
            .into_iter()
            .filter(|g| f.all(&format!("r_{}", e.pupil)).contains(&g.key()))
            .collect();
        if groups.is_empty() {
            continue;
        }
        out.push(RiskEntry { pupil: e.pupil.clone(), groups, note: f.text(&format!("rn_{}", e.pupil), 500) });
    }
    for number in f.all("overnemen") {
        if !visible.contains(number) || out.iter().any(|e| e.pupil == number) {
            continue;
        }
        if let Some(groups) = suggested.get(number).filter(|g| !g.is_empty()) {
            out.push(RiskEntry { pupil: number.to_owned(), groups: groups.clone(), note: String::new() });
        }
    }
    let new = f.text("nieuw_leerling", 40);
    if !new.is_empty() {
        if !visible.contains(&new) {
            return Err("Kies een leerling uit de lijst.".into());
        }
        let groups: Vec<RiskGroup> =
            RiskGroup::ALL.into_iter().filter(|g| f.all("nieuw_groep").contains(&g.key())).collect();
        if groups.is_empty() {
            return Err("Kies minstens één reden waarom de leerling op de lijst komt.".into());
        }
        let note = f.text("nieuw_notitie", 500);
        match out.iter_mut().find(|e| e.pupil == new) {
            Some(e) => {
                for g in groups {
                    if !e.groups.contains(&g) {
                        e.groups.push(g);
                    }
                }
                if !note.is_empty() {
                    e.note = note;
                }
            }
            None => out.push(RiskEntry { pupil: new, groups, note }),
        }
    }
    Ok(out)
}

/// Save the risk register (the plans stay as stored). Audited: one record per call.
pub async fn save_register(
    State(app): State<AppState>,
    sa: ScanAccess,
    body: Bytes,
) -> Result<Response, WebError> {
    if !sa.may_write() {
        return Err(WebError::NotFound);
    }
    let Some(kind) = sa.ctx.policy.audit else { return Err(WebError::Internal("geen auditsoort".into())) };
    audit(&app, &sa.ctx, &sa.school, None, None, kind, true).await?;
    let f = Fields::parse(&body);
    let Some(version) = f.version() else {
        return page(&app, &sa, false, Notice::Invalid(NO_VERSION.into())).await;
    };
    let scan = load_scan(&app, &sa).await?;
    let stored: CollectStep = read_step(&scan, STEP)?;
    let pupils = visible_pupils(&app, &sa).await?;
    let visible: BTreeSet<String> = pupils.keys().map(|n| n.as_str().to_owned()).collect();
    let suggested: BTreeMap<String, Vec<RiskGroup>> =
        pupils.values().map(|(p, _)| (p.number.as_str().to_owned(), suggested_groups(p))).collect();
    let register = match register_from_form(&f, &stored.risk_register, &visible, &suggested) {
        Ok(r) => r,
        Err(msg) => return page(&app, &sa, false, Notice::Invalid(msg)).await,
    };
    let status = scan.steps.iter().find(|s| s.step == STEP).map(|s| s.status).unwrap_or_default();
    let status = if status == schoolscan_domain::StepStatus::NotStarted {
        schoolscan_domain::StepStatus::InProgress
    } else {
        status
    };
    let next = CollectStep { plans: stored.plans, risk_register: register };
    match save_step(&app, &sa, STEP, status, StepContent::Collect(next), version).await? {
        Saved::Ok => Ok(Redirect::to(&format!("{}?opgeslagen=1#risico", sa.step_url(STEP))).into_response()),
        Saved::Conflict(msg) => page(&app, &sa, false, Notice::Conflict(msg)).await,
    }
}

/// The chosen domains with their names, for the entry form.
fn entry_domains(domains: &DomainsStep) -> Vec<(String, String)> {
    domains.chosen.iter().map(|c| (c.id.clone(), domain_name(domains, &c.id))).collect()
}

/// The quick entry for a class: one row per pupil, a rating per chosen domain; and the ratings
/// so far, per informant side by side.
pub async fn group_form(
    State(app): State<AppState>,
    ga: GroupAccess,
    sa: ScanAccess,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let notice = match q.get("opgeslagen").and_then(|v| v.parse::<usize>().ok()) {
        Some(n) => Notice::Invalid(format!(
            "{n} {} opgeslagen.",
            if n == 1 { "verslag is" } else { "verslagen zijn" }
        )),
        None => Notice::None,
    };
    group_page(&app, &ga, &sa, notice, q.contains_key("opgeslagen")).await
}

async fn group_page(
    app: &AppState,
    ga: &GroupAccess,
    sa: &ScanAccess,
    notice: Notice,
    saved: bool,
) -> Result<Response, WebError> {
    let scan = load_scan(app, sa).await?;
    let domains: DomainsStep = read_step(&scan, 1)?;
    let doms = entry_domains(&domains);
    let data = load_data(app, sa, true).await?;
    let numbers: BTreeSet<&PupilNumber> = ga.pupils.iter().map(|p| &p.number).collect();
    // Latest rating per (pupil, domain, informant) in the scan year.
    let mut latest: BTreeMap<(String, String, Informant), (Date, Rating)> = BTreeMap::new();
    for n in data.notes.iter().filter(|n| numbers.contains(&n.pupil) && sa.year.contains(n.date)) {
        for (d, r) in &n.ratings {
            let k = (n.pupil.as_str().to_owned(), d.clone(), n.informant);
            if latest.get(&k).is_none_or(|(dt, _)| *dt <= n.date) {
                latest.insert(k, (n.date, *r));
            }
        }
    }
    let mut pupils: Vec<&Pupil> = ga.pupils.iter().collect();
    pupils.sort_by_key(|p| p.sort_name());
    let rows: Vec<Value> = pupils
        .iter()
        .map(|p| {
            let cells: Vec<Value> = doms
                .iter()
                .map(|(id, name)| {
                    let views: Vec<Value> = Informant::ALL
                        .iter()
                        .filter_map(|i| {
                            latest
                                .get(&(p.number.as_str().to_owned(), id.clone(), *i))
                                .map(|(dt, r)| json!({ "who": informant_label(*i), "rating": rating_label(*r), "key": rating_key(*r), "date": dt.to_string() }))
                        })
                        .collect();
                    json!({ "id": id, "name": name, "views": views })
                })
                .collect();
            json!({ "number": p.number.as_str(), "name": p.sort_name(), "cells": cells })
        })
        .collect();
    let today = app.clock.now().date();
    let ctx = json!({
        "csrf": sa.ctx.csrf(),
        "brin": sa.school.as_str(),
        "school_name": sa.name,
        "year": sa.year.to_string(),
        "base": sa.base(),
        "group": ga.group.as_str(),
        "domains": doms.iter().map(|(id, name)| json!({ "id": id, "name": name })).collect::<Vec<_>>(),
        "rows": rows,
        "kinds": ENTRY_KINDS.iter().map(|k| json!({ "key": k.as_str(), "label": k.label() })).collect::<Vec<_>>(),
        "informants": Informant::ALL.iter().map(|i| json!({ "key": i.as_str(), "label": informant_label(*i) })).collect::<Vec<_>>(),
        "ratings": RATINGS.iter().map(|r| json!({ "key": rating_key(*r), "label": rating_label(*r) })).collect::<Vec<_>>(),
        "today": if sa.year.contains(today) { today.to_string() } else { sa.year.last_day().min(today).to_string() },
        "message": match &notice { Notice::Invalid(t) | Notice::Conflict(t) => Some(t.clone()), _ => None },
        "saved": saved,
    });
    let status = if saved { axum::http::StatusCode::OK } else { notice.status() };
    let html = app.templates.render("scan_group.html", ctx)?;
    Ok((status, axum::response::Html(html)).into_response())
}

/// The notes of a posted class entry, one per pupil with at least one rating or a text.
fn notes_from_form(
    f: &Fields,
    ga: &GroupAccess,
    domains: &[(String, String)],
    author: &str,
    today: Date,
    year: schoolscan_domain::SchoolYear,
) -> Result<Vec<Note>, String> {
    let kind = f.get("soort").and_then(NoteKind::parse).filter(|k| ENTRY_KINDS.contains(k));
    let informant = f.get("informant").and_then(|i| Informant::parse(i).ok());
    let date = f.get("datum").map(str::trim).filter(|d| !d.is_empty());
    let mut notes = Vec::new();
    for p in &ga.pupils {
        let ratings: Vec<(String, Rating)> = domains
            .iter()
            .filter_map(|(id, _)| {
                f.get(&format!("w_{}_{id}", p.number.as_str()))
                    .and_then(parse_rating)
                    .map(|r| (id.clone(), r))
            })
            .collect();
        let text = f.text(&format!("t_{}", p.number.as_str()), 2000);
        if ratings.is_empty() && text.is_empty() {
            continue;
        }
        let (Some(kind), Some(informant)) = (kind, informant) else {
            return Err("Kies de soort verslag en wie de informatie gaf.".into());
        };
        let date = match date {
            None => today,
            Some(d) => Date::parse(d, format_description!("[year]-[month]-[day]"))
                .map_err(|_| "De datum is niet geldig (jjjj-mm-dd).".to_owned())?,
        };
        if date > today {
            return Err("De datum ligt in de toekomst.".into());
        }
        if !year.contains(date) {
            return Err(format!("De datum valt niet in schooljaar {year}, het jaar van deze schoolscan."));
        }
        notes.push(Note {
            school: p.school.clone(),
            pupil: p.number.clone(),
            kind,
            informant,
            date,
            author: author.to_owned(),
            domains: ratings.iter().map(|(d, _)| d.clone()).collect(),
            ratings,
            text: (!text.is_empty()).then_some(text),
        });
    }
    Ok(notes)
}

/// Store the entries of a class. One audit record (the group extractor's).
pub async fn group_save(
    State(app): State<AppState>,
    ga: GroupAccess,
    sa: ScanAccess,
    body: Bytes,
) -> Result<Response, WebError> {
    if !sa.may_see_pupils() {
        return Err(WebError::NotFound);
    }
    let f = Fields::parse(&body);
    let scan = load_scan(&app, &sa).await?;
    let domains: DomainsStep = read_step(&scan, 1)?;
    let author = sa.user_name();
    let notes =
        match notes_from_form(&f, &ga, &entry_domains(&domains), &author, app.clock.now().date(), sa.year) {
            Ok(n) => n,
            Err(msg) => return group_page(&app, &ga, &sa, Notice::Invalid(msg), false).await,
        };
    let scope = sa.ctx.scope.clone();
    let count = notes.len();
    app.blocking(move |s| {
        for n in &notes {
            s.add_note(&scope, n)?;
        }
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!(
        "{}/stap/3/groep/{}?opgeslagen={count}",
        sa.base(),
        crate::render::seg(ga.group.to_string())
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_merge_keeps_what_the_writer_cannot_see() {
        let stored = vec![
            RiskEntry { pupil: "1".into(), groups: vec![RiskGroup::Opp], note: String::new() },
            RiskEntry { pupil: "2".into(), groups: vec![RiskGroup::Noodopvang], note: "x".into() },
        ];
        let visible: BTreeSet<String> = ["1".to_owned(), "3".to_owned()].into();
        let f = Fields::parse(
            b"r_leerling=1&r_1=opp&r_1=kwetsbare_positie&rn_1=gesprek+gepland&nieuw_leerling=3&nieuw_groep=langdurig_afwezig",
        );
        let none = BTreeMap::new();
        let out = register_from_form(&f, &stored, &visible, &none).unwrap_or_default();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].groups, vec![RiskGroup::Opp, RiskGroup::KwetsbarePositie]);
        assert_eq!(out[0].note, "gesprek gepland");
        assert_eq!(out[1], stored[1], "an entry outside the writer's view is kept as it was");
        assert_eq!(out[2].pupil, "3");
        // Unticking every group (or removing) takes the pupil off the list.
        let f = Fields::parse(b"r_leerling=1&r_leerling=3&r_verwijder=3&r_3=opp");
        let out2 = register_from_form(&f, &out, &visible, &none).unwrap_or_default();
        assert_eq!(out2.iter().map(|e| e.pupil.as_str()).collect::<Vec<_>>(), vec!["2"]);
        let bad = |form: &[u8]| register_from_form(&Fields::parse(form), &out, &visible, &none).is_err();
        assert!(bad(b"nieuw_leerling=2&nieuw_groep=opp"), "pupil 2 is not visible to the writer");
        assert!(bad(b"nieuw_leerling=3"), "a reason is needed");
        // Adopting suggestions: only visible pupils, with the suggested groups.
        let suggested: BTreeMap<String, Vec<RiskGroup>> =
            [("3".to_owned(), vec![RiskGroup::Opp]), ("2".to_owned(), vec![RiskGroup::Opp])].into();
        let f = Fields::parse(b"overnemen=3&overnemen=2");
        let out3 = register_from_form(&f, &out2, &visible, &suggested).unwrap_or_default();
        assert_eq!(out3.len(), 2);
        assert_eq!(
            out3[1],
            RiskEntry { pupil: "3".into(), groups: vec![RiskGroup::Opp], note: String::new() }
        );
    }

    #[test]
    fn plans_need_some_content() {
        let f = Fields::parse(b"p_domein=motoriek&p_methode_motoriek=observatie&p_domein=plannen");
        let p = plans_from_form(&f);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].method, "observatie");
    }
}
