//! Step 1: which development domains the school maps. The catalogue holds every leergebied (with
//! the SLO focus goals marked), the social-emotional domains and motoriek; the school adds its own.
//! The chosen set, with a priority, the LVS status and a short reason per domain, is the output.

use std::collections::{BTreeSet, HashMap};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use schoolscan_domain::{Dataset, StepStatus};
use schoolscan_scan::catalogue::{custom_id, full_catalogue};
use schoolscan_scan::steps::{ChosenDomain, DomainsStep, LvsStatus, Priority};
use schoolscan_scan::{Domain, DomainKind, StepContent};
use serde_json::{Value, json};

use super::{
    Fields, NO_VERSION, Notice, Saved, ScanAccess, load_data, load_scan, page_context, read_step, render,
    save_step, saved_redirect,
};
use crate::{AppState, WebError};

const STEP: u8 = 1;

/// The catalogue followed by the school's own domains.
pub fn all_domains(step: &DomainsStep) -> Vec<Domain> {
    let mut v = full_catalogue();
    v.extend(step.custom.iter().cloned());
    v
}

/// Does the school's data already measure this domain (an LVS subject or an instrument dimension)?
fn measured(d: &Domain, subjects: &BTreeSet<String>, dims: &BTreeSet<String>) -> bool {
    d.subjects.iter().any(|s| subjects.contains(s)) || d.dimensions.iter().any(|x| dims.contains(x))
}

fn data_keys(data: &Dataset) -> (BTreeSet<String>, BTreeSet<String>) {
    let used: BTreeSet<&str> = data.scores.iter().map(|s| s.test_key.as_str()).collect();
    let subjects = data
        .tests
        .iter()
        .filter(|t| used.contains(t.key.as_str()))
        .map(|t| t.subject.as_str().to_owned())
        .collect();
    let dims = data.observations.iter().map(|o| format!("{}:{}", o.instrument, o.dimension)).collect();
    (subjects, dims)
}

fn kind_key(k: DomainKind) -> &'static str {
    match k {
        DomainKind::Cognitive => "cognitief",
        DomainKind::SocialEmotional => "sociaal_emotioneel",
        DomainKind::Physical => "lichamelijk",
    }
}

fn kind_of(key: &str) -> Option<DomainKind> {
    [DomainKind::Cognitive, DomainKind::SocialEmotional, DomainKind::Physical]
        .into_iter()
        .find(|k| kind_key(*k) == key)
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
    let step: DomainsStep = read_step(&scan, STEP)?;
    let data = load_data(app, sa, false).await?;
    let (subjects, dims) = data_keys(&data);
    let groups: Vec<Value> = [DomainKind::Cognitive, DomainKind::SocialEmotional, DomainKind::Physical]
        .into_iter()
        .map(|kind| {
            let rows: Vec<Value> = all_domains(&step)
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| {
                    let chosen = step.chosen.iter().find(|c| c.id == d.id);
                    let in_data = measured(d, &subjects, &dims);
                    let lvs = chosen.map(|c| c.lvs_status).unwrap_or(if in_data {
                        LvsStatus::InLvsGebruikt
                    } else {
                        LvsStatus::NietInLvs
                    });
                    json!({
                        "id": d.id, "name": d.name, "area": d.area, "focus": d.focus_goal, "custom": d.custom,
                        "in_data": in_data, "chosen": chosen.is_some(),
                        "priority": chosen.map(|c| c.priority).unwrap_or_default().label(),
                        "lvs": lvs.key(), "lvs_label": lvs.label(),
                        "rationale": chosen.map(|c| c.rationale.clone()).unwrap_or_default(),
                    })
                })
                .collect();
            json!({ "key": kind_key(kind), "label": kind.label(), "rows": rows })
        })
        .collect();
    let mut ctx = page_context(sa, &scan, STEP, &notice);
    ctx["groups"] = json!(groups);
    ctx["chosen_count"] = json!(step.chosen.len());
    ctx["priorities"] = json!(Priority::ALL.iter().map(|p| p.label()).collect::<Vec<_>>());
    ctx["lvs_options"] = json!(
        LvsStatus::ALL.iter().map(|s| json!({ "key": s.key(), "label": s.label() })).collect::<Vec<_>>()
    );
    render(app, "scan_step1.html", ctx, &notice)
}

/// Turn the posted form into the step's content, from the stored step it was loaded with.
fn from_form(f: &Fields, stored: &DomainsStep) -> Result<DomainsStep, String> {
    let remove: BTreeSet<&str> = f.all("verwijder").into_iter().collect();
    let mut custom: Vec<Domain> =
        stored.custom.iter().filter(|d| !remove.contains(d.id.as_str())).cloned().collect();
    let mut chosen_ids: Vec<String> = f.all("kies").into_iter().map(str::to_owned).collect();
    let new_name = f.text("eigen_naam", 80);
    if !new_name.is_empty() {
        let id = custom_id(&new_name);
        if id == "eigen" {
            return Err("Geef het eigen domein een naam met letters of cijfers.".into());
        }
        let kind = kind_of(f.get("eigen_soort").unwrap_or("")).unwrap_or(DomainKind::SocialEmotional);
        if !custom.iter().any(|d| d.id == id) {
            custom.push(Domain {
                id: id.clone(),
                name: new_name,
                kind,
                area: "Eigen domein".into(),
                focus_goal: false,
                subjects: vec![],
                dimensions: vec![],
                custom: true,
            });
        }
        chosen_ids.push(id);
    }
    let next = DomainsStep { chosen: Vec::new(), custom };
    let chosen = all_domains(&next)
        .into_iter()
        .filter(|d| chosen_ids.contains(&d.id) && !remove.contains(d.id.as_str()))
        .map(|d| ChosenDomain {
            priority: f.get(&format!("prio_{}", d.id)).and_then(Priority::parse).unwrap_or_default(),
            lvs_status: f.get(&format!("lvs_{}", d.id)).and_then(LvsStatus::parse).unwrap_or_default(),
            rationale: f.text(&format!("reden_{}", d.id), 500),
            id: d.id,
        })
        .collect();
    Ok(DomainsStep { chosen, ..next })
}

pub async fn save(State(app): State<AppState>, sa: ScanAccess, body: Bytes) -> Result<Response, WebError> {
    if !sa.may_write() {
        return Err(WebError::NotFound);
    }
    let f = Fields::parse(&body);
    let Some(version) = f.version() else { return page(&app, &sa, Notice::Invalid(NO_VERSION.into())).await };
    let scan = load_scan(&app, &sa).await?;
    let stored: DomainsStep = read_step(&scan, STEP)?;
    let next = match from_form(&f, &stored) {
        Ok(n) => n,
        Err(msg) => return page(&app, &sa, Notice::Invalid(msg)).await,
    };
    let status = f.status();
    if status == StepStatus::Done && next.chosen.is_empty() {
        return page(
            &app,
            &sa,
            Notice::Invalid("Kies minstens één domein voordat u de stap afrondt.".into()),
        )
        .await;
    }
    match save_step(&app, &sa, STEP, status, StepContent::Domains(next), version).await? {
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
            "kies=begrijpend_lezen&prio_begrijpend_lezen=moet&lvs_begrijpend_lezen=in_lvs_gebruikt&reden_begrijpend_lezen=focusdoel\
             &kies=welbevinden&prio_welbevinden=wenselijk&kies=onbekend&eigen_naam=Begrip+van+tijd&eigen_soort=cognitief"
                .as_bytes(),
        );
        let s = from_form(&f, &DomainsStep::default()).unwrap_or_default();
        let ids: Vec<&str> = s.chosen.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, vec!["begrijpend_lezen", "welbevinden", "eigen_begrip_van_tijd"]);
        assert_eq!(s.chosen[0].rationale, "focusdoel");
        assert_eq!(s.chosen[1].priority, Priority::Wenselijk);
        assert_eq!(s.custom.len(), 1);
        assert_eq!(s.custom[0].kind, DomainKind::Cognitive);
        // Removing the custom domain drops it from the chosen set too.
        let f2 = Fields::parse(b"kies=eigen_begrip_van_tijd&verwijder=eigen_begrip_van_tijd");
        let s2 = from_form(&f2, &s).unwrap_or_default();
        assert!(s2.custom.is_empty() && s2.chosen.is_empty());
        assert!(from_form(&Fields::parse("eigen_naam=%E2%80%93".as_bytes()), &s).is_err());
    }
}
