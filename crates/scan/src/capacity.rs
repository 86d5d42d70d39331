//! Step 7: what the conclusions ask of the team against what the team and its partners offer.

use serde::{Deserialize, Serialize};

use crate::steps::{CapacityStep, ConcludeStep};

/// Whether the team has an expertise in house.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Ja,
    Deels,
    Nee,
    /// The conclusion names no expertise.
    NietNodig,
}

impl Availability {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::Deels => "deels",
            Self::Nee => "nee",
            Self::NietNodig => "–",
        }
    }
}

/// One row of the capacity matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityRow {
    pub conclusion: u32,
    pub finding: String,
    pub priority: u8,
    pub expertise: Vec<String>,
    pub internal: Availability,
    /// Partners that bring a needed expertise.
    pub partners: Vec<String>,
    pub hours_needed: f64,
    /// Expertise found neither in the team nor with a partner.
    pub gap: Vec<String>,
}

/// The overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityOverview {
    pub rows: Vec<CapacityRow>,
    pub hours_needed: f64,
    pub team_hours: f64,
    pub partner_hours: f64,
    /// Hours short (positive) or spare (negative).
    pub hours_short: f64,
    pub team_fte: f64,
    /// FTE-weighted mean workload 1–5, when the team is recorded.
    pub mean_workload: Option<f64>,
    /// Dutch warnings for the page.
    pub warnings: Vec<String>,
}

fn keywords(s: &str) -> Vec<String> {
    s.split([',', ';', '\n']).map(|k| k.trim().to_lowercase()).filter(|k| !k.is_empty()).collect()
}

fn matches(need: &str, have: &[String]) -> bool {
    have.iter().any(|h| {
        let h = h.trim().to_lowercase();
        !h.is_empty() && (h.contains(need) || need.contains(h.as_str()))
    })
}

/// Compare the conclusions (step 5) with the team and partners (step 7).
pub fn overview(conclusions: &ConcludeStep, capacity: &CapacityStep) -> CapacityOverview {
    let team_expertise: Vec<String> =
        capacity.team.iter().flat_map(|t| t.expertise.iter().cloned()).collect();
    let mut rows: Vec<CapacityRow> = conclusions
        .conclusions
        .iter()
        .map(|c| {
            let need = keywords(&c.expertise);
            let have: Vec<bool> = need.iter().map(|n| matches(n, &team_expertise)).collect();
            let internal = if need.is_empty() {
                Availability::NietNodig
            } else if have.iter().all(|h| *h) {
                Availability::Ja
            } else if have.iter().any(|h| *h) {
                Availability::Deels
            } else {
                Availability::Nee
            };
            let partners: Vec<String> = capacity
                .partners
                .iter()
                .filter(|p| need.iter().any(|n| matches(n, &p.expertise)))
                .map(|p| format!("{} ({})", p.name, p.kind.label()))
                .collect();
            let gap: Vec<String> = need
                .iter()
                .zip(&have)
                .filter(|(n, h)| !**h && !capacity.partners.iter().any(|p| matches(n, &p.expertise)))
                .map(|(n, _)| n.clone())
                .collect();
            CapacityRow {
                conclusion: c.id,
                finding: c.finding.clone(),
                priority: c.priority,
                expertise: need,
                internal,
                partners,
                hours_needed: c.hours_needed.max(0.0),
                gap,
            }
        })
        .collect();
    rows.sort_by_key(|r| (r.priority, r.conclusion));
    let hours_needed: f64 = rows.iter().map(|r| r.hours_needed).sum();
    let team_hours: f64 = capacity.team.iter().map(|t| t.hours_available.max(0.0)).sum();
    let partner_hours: f64 = capacity.partners.iter().map(|p| p.hours_available.max(0.0)).sum();
    let team_fte: f64 = capacity.team.iter().map(|t| t.fte.max(0.0)).sum();
    let mean_workload = if team_fte > 0.0 {
        Some(
            capacity.team.iter().map(|t| t.fte.max(0.0) * f64::from(t.workload.clamp(1, 5))).sum::<f64>()
                / team_fte,
        )
    } else {
        None
    };
    let hours_short = hours_needed - team_hours - partner_hours;
    let mut warnings = Vec::new();
    if hours_short > 0.0 {
        warnings.push(
            format!(
                "De conclusies vragen {:.1} uur per week meer dan team en partners beschikbaar hebben.",
                hours_short
            )
            .replace('.', ","),
        );
    }
    if mean_workload.is_some_and(|w| w >= 4.0) {
        warnings.push(
            "De werkdruk in het team is hoog (gemiddeld 4 of meer op een schaal van 5): kies minder of zoek hulp buiten de school."
                .to_owned(),
        );
    }
    let gaps: usize = rows.iter().filter(|r| !r.gap.is_empty()).count();
    if gaps > 0 {
        warnings.push(format!(
            "Voor {gaps} {} is expertise nodig die niet in het team en niet bij een partner te vinden is: dat wordt een hulpvraag.",
            if gaps == 1 { "conclusie" } else { "conclusies" }
        ));
    }
    CapacityOverview {
        rows,
        hours_needed,
        team_hours,
        partner_hours,
        hours_short,
        team_fte,
        mean_workload,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::{ActionLevel, Conclusion, Partner, PartnerKind, TeamEntry};

    fn conclusion(id: u32, expertise: &str, hours: f64, priority: u8) -> Conclusion {
        Conclusion {
            id,
            finding: format!("bevinding {id}"),
            evidence: String::new(),
            explanations: vec![],
            explanation_other: String::new(),
            consequences: String::new(),
            level: ActionLevel::School,
            priority,
            expertise: expertise.into(),
            hours_needed: hours,
        }
    }

    #[test]
    fn matrix_and_totals() {
        let c = ConcludeStep {
            conclusions: vec![
                conclusion(1, "begrijpend lezen, differentiëren", 6.0, 1),
                conclusion(2, "sociaal-emotioneel", 4.0, 2),
                conclusion(3, "dyscalculie", 2.0, 3),
            ],
        };
        let cap = CapacityStep {
            team: vec![
                TeamEntry {
                    role: "leerkracht".into(),
                    fte: 1.0,
                    expertise: vec!["Begrijpend lezen".into()],
                    workload: 4,
                    hours_available: 3.0,
                },
                TeamEntry {
                    role: "IB".into(),
                    fte: 0.5,
                    expertise: vec!["differentiëren".into()],
                    workload: 5,
                    hours_available: 2.0,
                },
            ],
            partners: vec![Partner {
                kind: PartnerKind::Jgz,
                name: "GGD".into(),
                offer: "weerbaarheidstraining".into(),
                expertise: vec!["sociaal-emotioneel".into()],
                hours_available: 2.0,
            }],
        };
        let o = overview(&c, &cap);
        assert_eq!(o.rows[0].internal, Availability::Ja);
        assert_eq!(o.rows[1].internal, Availability::Nee);
        assert_eq!(o.rows[1].partners, vec!["GGD (Jeugdgezondheidszorg (JGZ))".to_string()]);
        assert_eq!(o.rows[2].gap, vec!["dyscalculie".to_string()]);
        assert!((o.hours_short - (12.0 - 5.0 - 2.0)).abs() < 1e-9);
        assert!((o.mean_workload.unwrap() - (4.0 + 2.5) / 1.5).abs() < 1e-9);
        assert_eq!(o.warnings.len(), 3);
        assert!(o.warnings[0].contains("5,0 uur"));
    }
}
