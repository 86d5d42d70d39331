//! Step 7: the team (by role, no names: FTE, expertise, workload, available hours) and the
//! partners with what they offer, against what the conclusions of step 5 ask.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use schoolscan_report::chart::{Bar, Frame, Mark, bar_chart};
use schoolscan_report::num::nl;
use schoolscan_scan::StepContent;
use schoolscan_scan::capacity::overview;
use schoolscan_scan::steps::{CapacityStep, ConcludeStep, Partner, PartnerKind, TeamEntry};
use serde_json::{Value, json};

use super::{
    Fields, NO_VERSION, Notice, Saved, ScanAccess, load_scan, page_context, parse_number, read_step, render,
    save_step, saved_redirect, show_number,
};
use crate::{AppState, WebError};

const STEP: u8 = 7;

fn keywords(s: &str) -> Vec<String> {
    s.split([',', ';'])
        .map(|k| k.trim().chars().take(80).collect::<String>())
        .filter(|k| !k.is_empty())
        .collect()
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
    let step: CapacityStep = read_step(&scan, STEP)?;
    // Step 5 may still be empty, or be in a shape this version cannot read: then there is nothing
    // to compare with yet, which the page says.
    let (conclusions, conclusions_readable) = match read_step::<ConcludeStep>(&scan, 5) {
        Ok(c) => (c, true),
        Err(_) => (ConcludeStep::default(), false),
    };
    let o = overview(&conclusions, &step);
    let team: Vec<Value> = step
        .team
        .iter()
        .map(|t| {
            json!({ "role": t.role, "fte": show_number(t.fte), "expertise": t.expertise.join(", "),
                    "workload": t.workload, "hours": show_number(t.hours_available) })
        })
        .collect();
    let partners: Vec<Value> = step
        .partners
        .iter()
        .map(|p| {
            json!({ "kind": p.kind.key(), "kind_label": p.kind.label(), "name": p.name, "offer": p.offer,
                    "expertise": p.expertise.join(", "), "hours": show_number(p.hours_available) })
        })
        .collect();
    let rows: Vec<Value> = o
        .rows
        .iter()
        .map(|r| {
            json!({
                "priority": r.priority, "finding": r.finding, "expertise": r.expertise.join(", "),
                "internal": r.internal.label(), "partners": r.partners.join(", "),
                "hours": nl(r.hours_needed, 1), "gap": r.gap.join(", "),
            })
        })
        .collect();
    let chart = bar_chart(
        "uren",
        &Frame {
            title: "Uren per week: wat de conclusies vragen en wat beschikbaar is".into(),
            unit: "uur per week".into(),
            positive_means: "meer uren".into(),
        },
        &[
            Bar { label: "Nodig volgens de conclusies".into(), value: o.hours_needed, mark: Mark::None },
            Bar { label: "Beschikbaar in het team".into(), value: o.team_hours, mark: Mark::None },
            Bar { label: "Beschikbaar bij partners".into(), value: o.partner_hours, mark: Mark::None },
            Bar {
                label: if o.hours_short > 0.0 { "Tekort".into() } else { "Over".into() },
                value: o.hours_short.abs(),
                mark: if o.hours_short > 0.0 { Mark::Negative } else { Mark::None },
            },
        ],
        1,
    );
    let mut ctx = page_context(sa, &scan, STEP, &notice);
    ctx["team"] = json!(team);
    ctx["partners"] = json!(partners);
    ctx["team_blank"] = json!(step.team.len());
    ctx["partner_blank"] = json!(step.partners.len());
    ctx["partner_kinds"] = json!(
        PartnerKind::ALL.iter().map(|k| json!({ "key": k.key(), "label": k.label() })).collect::<Vec<_>>()
    );
    ctx["rows"] = json!(rows);
    ctx["totals"] = json!({
        "needed": nl(o.hours_needed, 1), "team": nl(o.team_hours, 1), "partners": nl(o.partner_hours, 1),
        "short": nl(o.hours_short.max(0.0), 1), "spare": nl((-o.hours_short).max(0.0), 1),
        "fte": nl(o.team_fte, 1), "workload": o.mean_workload.map(|w| nl(w, 1)),
    });
    ctx["warnings"] = json!(o.warnings);
    ctx["chart"] = json!(chart);
    ctx["conclusions"] = json!(conclusions.conclusions.len());
    ctx["conclusions_readable"] = json!(conclusions_readable);
    ctx["step5_url"] = json!(sa.step_url(5));
    ctx["has_step5"] = json!(super::has_page(5));
    render(app, "scan_step7.html", ctx, &notice)
}

fn number_field(f: &Fields, key: &str, what: &str, row: usize, max: f64) -> Result<f64, String> {
    match f.get(key).map(str::trim) {
        None | Some("") => Ok(0.0),
        Some(t) => parse_number(t).filter(|v| (0.0..=max).contains(v)).ok_or_else(|| {
            format!("Regel {}: {what} is geen getal van 0 tot en met {}.", row + 1, show_number(max))
        }),
    }
}

fn from_form(f: &Fields) -> Result<CapacityStep, String> {
    let count = |k: &str| f.get(k).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0).min(200);
    let mut team = Vec::new();
    for i in 0..count("t_n") {
        let role = f.text(&format!("t_rol_{i}"), 120);
        if role.is_empty() {
            continue;
        }
        let workload =
            f.get(&format!("t_last_{i}")).and_then(|v| v.parse::<u8>().ok()).unwrap_or(3).clamp(1, 5);
        team.push(TeamEntry {
            role,
            fte: number_field(f, &format!("t_fte_{i}"), "de FTE", i, 10.0)?,
            expertise: keywords(&f.text(&format!("t_exp_{i}"), 500)),
            workload,
            hours_available: number_field(f, &format!("t_uren_{i}"), "het aantal uren", i, 200.0)?,
        });
    }
    let mut partners = Vec::new();
    for i in 0..count("p_n") {
        let name = f.text(&format!("p_naam_{i}"), 120);
        if name.is_empty() {
            continue;
        }
        partners.push(Partner {
            kind: f.get(&format!("p_soort_{i}")).and_then(PartnerKind::parse).unwrap_or(PartnerKind::Anders),
            name,
            offer: f.text(&format!("p_aanbod_{i}"), 500),
            expertise: keywords(&f.text(&format!("p_exp_{i}"), 500)),
            hours_available: number_field(f, &format!("p_uren_{i}"), "het aantal uren", i, 200.0)?,
        });
    }
    Ok(CapacityStep { team, partners })
}

pub async fn save(State(app): State<AppState>, sa: ScanAccess, body: Bytes) -> Result<Response, WebError> {
    if !sa.may_write() {
        return Err(WebError::NotFound);
    }
    let f = Fields::parse(&body);
    let Some(version) = f.version() else { return page(&app, &sa, Notice::Invalid(NO_VERSION.into())).await };
    let next = match from_form(&f) {
        Ok(n) => n,
        Err(msg) => return page(&app, &sa, Notice::Invalid(msg)).await,
    };
    match save_step(&app, &sa, STEP, f.status(), StepContent::Capacity(next), version).await? {
        Saved::Ok => Ok(saved_redirect(&sa, STEP)),
        Saved::Conflict(msg) => page(&app, &sa, Notice::Conflict(msg)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_to_step() {
        let f = Fields::parse(
            "t_n=2&t_rol_0=leerkracht+groep+5&t_fte_0=0,8&t_exp_0=differenti%C3%ABren,+begrijpend+lezen&t_last_0=4&t_uren_0=2\
             &t_rol_1=&p_n=1&p_soort_0=jgz&p_naam_0=GGD&p_aanbod_0=training&p_exp_0=sociaal-emotioneel&p_uren_0=3"
                .as_bytes(),
        );
        let s = from_form(&f).unwrap_or_default();
        assert_eq!(s.team.len(), 1);
        assert!((s.team[0].fte - 0.8).abs() < 1e-9);
        assert_eq!(s.team[0].expertise, vec!["differentiëren".to_string(), "begrijpend lezen".to_string()]);
        assert_eq!(s.team[0].workload, 4);
        assert_eq!(s.partners[0].kind, PartnerKind::Jgz);
        assert!(from_form(&Fields::parse(b"t_n=1&t_rol_0=ib&t_fte_0=veel")).is_err());
        assert!(from_form(&Fields::parse(b"t_n=1&t_rol_0=ib&t_uren_0=-2")).is_err());
    }
}
