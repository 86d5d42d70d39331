//! Step 2: the inventory matrix of the chosen domains × data sources. What was imported fills the
//! matrix by itself (coverage per jaargroep, moments and dates); the school adds by hand what the
//! import cannot know. The witte vlekken (domains without enough data) stand out.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use schoolscan_domain::calendar::closures;
use schoolscan_report::chart::{Bar, Frame, Mark, bar_chart};
use schoolscan_scan::StepContent;
use schoolscan_scan::inventory::{Inventory, build};
use schoolscan_scan::steps::{DomainsStep, InventoryStep, ManualSource, SourceKind};
use serde_json::{Value, json};

use super::domains::all_domains;
use super::{
    Fields, NO_VERSION, Notice, Saved, ScanAccess, load_data, load_scan, page_context, read_step, render,
    save_step, saved_redirect,
};
use crate::{AppState, WebError};

const STEP: u8 = 2;

/// The inventory of the scan (used by step 3 as well).
pub async fn compute(
    app: &AppState,
    sa: &ScanAccess,
    scan: &schoolscan_store::StoredScan,
) -> Result<(DomainsStep, InventoryStep, Inventory), WebError> {
    let domains: DomainsStep = read_step(scan, 1)?;
    let step = stored_step(scan)?;
    let data = load_data(app, sa, true).await?;
    let inv = build(&data, &sa.school, sa.year, &all_domains(&domains), &domains, &step, closures::FIRST.0);
    Ok((domains, step, inv))
}

/// The stored step 2; before its first save, no manual sources and the default threshold.
fn stored_step(scan: &schoolscan_store::StoredScan) -> Result<InventoryStep, WebError> {
    if scan.steps.iter().any(|s| s.step == STEP && s.version > 0) {
        read_step(scan, STEP)
    } else {
        Ok(serde_json::from_value(json!({ "manual": [] })).unwrap_or_default())
    }
}

/// The name of a domain id.
pub fn domain_name(domains: &DomainsStep, id: &str) -> String {
    all_domains(domains).into_iter().find(|d| d.id == id).map(|d| d.name).unwrap_or_else(|| id.to_owned())
}

fn pct(v: f64) -> String {
    format!("{} %", v.round() as i64)
}

pub async fn show(
    State(app): State<AppState>,
    sa: ScanAccess,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    page(&app, &sa, Notice::from_query(&q)).await
}

async fn page(app: &AppState, sa: &ScanAccess, notice: Notice) -> Result<Response, WebError> {
    let scan = load_scan(app, sa).await?;
    let (domains, step, inv) = compute(app, sa, &scan).await?;
    let rows: Vec<Value> = domains
        .chosen
        .iter()
        .map(|c| {
            let vlek = inv.witte_vlekken.iter().find(|w| w.domain == c.id);
            let cells: Vec<Value> = SourceKind::ALL
                .iter()
                .map(|k| match inv.cells.iter().find(|x| x.domain == c.id && x.kind == *k) {
                    None => json!({ "kind": k.label(), "empty": true }),
                    Some(cell) => json!({
                        "kind": k.label(),
                        "empty": false,
                        "instruments": cell.instruments,
                        "moments": cell.moments,
                        "by_moment": cell.by_moment.iter().map(|m| json!({
                            "moment": m.moment, "first": m.first_date.to_string(), "last": m.last_date.to_string(),
                            "pupils": m.pupils,
                            "grades": m.by_grade.iter().map(|(g, n)| format!("jaargroep {g}: {n}")).collect::<Vec<_>>(),
                        })).collect::<Vec<_>>(),
                        "first": cell.first_date.map(|d| d.to_string()),
                        "last": cell.last_date.map(|d| d.to_string()),
                        "manual": cell.manual,
                        "min": cell.min_coverage().map(pct),
                        "grades": cell.by_grade.iter().filter(|g| g.pupils > 0).map(|g| json!({
                            "grade": g.grade, "pupils": g.pupils, "pre": g.with_pre, "since": g.with_since,
                            "both": g.with_both, "pct": pct(g.pct_both),
                        })).collect::<Vec<_>>(),
                    }),
                })
                .collect();
            json!({
                "id": c.id,
                "name": domain_name(&domains, &c.id),
                "priority": c.priority.label(),
                "vlek": vlek.map(|w| w.reason.clone()),
                "cells": cells,
            })
        })
        .collect();
    let bars: Vec<Bar> = domains
        .chosen
        .iter()
        .map(|c| {
            let best = inv
                .cells
                .iter()
                .filter(|x| x.domain == c.id)
                .filter_map(|x| x.min_coverage())
                .fold(0.0f64, f64::max);
            let vlek = inv.witte_vlekken.iter().any(|w| w.domain == c.id);
            Bar {
                label: format!("{}{}", domain_name(&domains, &c.id), if vlek { " (witte vlek)" } else { "" }),
                value: best,
                mark: if vlek { Mark::Negative } else { Mark::None },
            }
        })
        .collect();
    let chart = if bars.is_empty() {
        String::new()
    } else {
        bar_chart(
            "dekking",
            &Frame {
                title:
                    "Dekking per domein: laagste aandeel per jaargroep met gegevens van vóór én sinds corona"
                        .into(),
                unit: "procent van de leerlingen".into(),
                positive_means: "meer leerlingen met gegevens".into(),
            },
            &bars,
            0,
        )
    };
    let mut ctx = page_context(sa, &scan, STEP, &notice);
    ctx["rows"] = json!(rows);
    ctx["kinds"] = json!(
        SourceKind::ALL.iter().map(|k| json!({ "key": k.key(), "label": k.label() })).collect::<Vec<_>>()
    );
    ctx["vlekken"] = json!(inv
        .witte_vlekken
        .iter()
        .map(|w| json!({ "name": domain_name(&domains, &w.domain), "priority": w.priority.label(), "reason": w.reason }))
        .collect::<Vec<_>>());
    ctx["manual"] = json!(step
        .manual
        .iter()
        .enumerate()
        .map(|(i, m)| json!({ "i": i, "domain": domain_name(&domains, &m.domain), "kind": m.kind.label(), "description": m.description }))
        .collect::<Vec<_>>());
    ctx["chosen"] = json!(
        domains
            .chosen
            .iter()
            .map(|c| json!({ "id": c.id, "name": domain_name(&domains, &c.id) }))
            .collect::<Vec<_>>()
    );
    ctx["threshold"] = json!(step.coverage_threshold);
    ctx["chart"] = json!(chart);
    ctx["partial"] = json!(sa.ctx.scope.is_partial_school());
    render(app, "scan_step2.html", ctx, &notice)
}

fn from_form(f: &Fields, stored: &InventoryStep, domains: &DomainsStep) -> Result<InventoryStep, String> {
    let threshold = match f.get("drempel").map(str::trim) {
        None | Some("") => stored.coverage_threshold,
        Some(t) => match t.parse::<u8>() {
            Ok(v) if v <= 100 => v,
            _ => return Err("De drempel is een heel getal van 0 tot en met 100.".into()),
        },
    };
    let remove: Vec<usize> = f.all("verwijder").iter().filter_map(|v| v.parse().ok()).collect();
    let mut manual: Vec<ManualSource> = stored
        .manual
        .iter()
        .enumerate()
        .filter(|(i, _)| !remove.contains(i))
        .map(|(_, m)| m.clone())
        .collect();
    let description = f.text("nieuw_omschrijving", 200);
    if !description.is_empty() {
        let domain = f.text("nieuw_domein", 100);
        if !domains.chosen.iter().any(|c| c.id == domain) {
            return Err("Kies het domein van de nieuwe bron.".into());
        }
        let Some(kind) = f.get("nieuw_soort").and_then(SourceKind::parse) else {
            return Err("Kies de soort van de nieuwe bron.".into());
        };
        manual.push(ManualSource { domain, kind, description });
    }
    Ok(InventoryStep { manual, coverage_threshold: threshold })
}

pub async fn save(State(app): State<AppState>, sa: ScanAccess, body: Bytes) -> Result<Response, WebError> {
    if !sa.may_write() {
        return Err(WebError::NotFound);
    }
    let f = Fields::parse(&body);
    let Some(version) = f.version() else { return page(&app, &sa, Notice::Invalid(NO_VERSION.into())).await };
    let scan = load_scan(&app, &sa).await?;
    let domains: DomainsStep = read_step(&scan, 1)?;
    let stored = stored_step(&scan)?;
    let next = match from_form(&f, &stored, &domains) {
        Ok(n) => n,
        Err(msg) => return page(&app, &sa, Notice::Invalid(msg)).await,
    };
    match save_step(&app, &sa, STEP, f.status(), StepContent::Inventory(next), version).await? {
        Saved::Ok => Ok(saved_redirect(&sa, STEP)),
        Saved::Conflict(msg) => page(&app, &sa, Notice::Conflict(msg)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolscan_scan::steps::{ChosenDomain, LvsStatus, Priority};

    #[test]
    fn form_to_step() {
        let domains = DomainsStep {
            chosen: vec![ChosenDomain {
                id: "motoriek".into(),
                priority: Priority::Moet,
                lvs_status: LvsStatus::NietInLvs,
                rationale: String::new(),
            }],
            custom: vec![],
        };
        let f = Fields::parse(
            b"drempel=70&nieuw_domein=motoriek&nieuw_soort=observatie&nieuw_omschrijving=gymdocent",
        );
        let s = from_form(&f, &InventoryStep::default(), &domains).unwrap_or_default();
        assert_eq!(s.coverage_threshold, 70);
        assert_eq!(s.manual.len(), 1);
        let s2 = from_form(&Fields::parse(b"verwijder=0"), &s, &domains).unwrap_or_default();
        assert!(s2.manual.is_empty());
        assert_eq!(s2.coverage_threshold, 70);
        assert!(from_form(&Fields::parse(b"drempel=120"), &s, &domains).is_err());
        assert!(
            from_form(
                &Fields::parse(b"nieuw_domein=spelling&nieuw_soort=observatie&nieuw_omschrijving=x"),
                &s,
                &domains
            )
            .is_err()
        );
    }
}
