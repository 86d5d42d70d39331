//! The fixed count reports for aggregate audiences, rendered from pupil facts: pupils per
//! jaargroep × geslacht with margins, pupils per leerlinggewicht school-wide, and the school-wide shares of the sensitive flags. Every table goes through
//! primary and complementary suppression, all released cells of all tables together through the
//! differencing guard, and the result is checked exactly before it is returned.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::guard::{Population, PupilFacts, Sex, Template, Weight};
use crate::table::{CountTable, Fixed, Suppression, suppress};
use crate::{Cell, DisclosureError, Policy, Reason, Share, check, share};

/// One rendered table: labels and the full grid of released cells (margins in the last row and
/// column).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenderedTable {
    /// Dutch title.
    pub title: &'static str,
    pub row_labels: Vec<String>,
    pub col_labels: Vec<String>,
    /// `(rows + 1) × (cols + 1)` cells, row-major by row.
    pub cells: Vec<Vec<Cell<u64>>>,
    /// The underlying counts and pattern, for the checker; never serialised.
    #[serde(skip)]
    pub table: CountTable,
    #[serde(skip)]
    pub pattern: Suppression,
    /// The template of every grid cell; never serialised.
    #[serde(skip)]
    pub templates: Vec<Template>,
}

/// A school-wide share of a sensitive flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareRow {
    /// Dutch label.
    pub flag: &'static str,
    pub share: Cell<Share>,
}

/// Everything an audience sees of the fixed count reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub tables: Vec<RenderedTable>,
    pub shares: Vec<ShareRow>,
}

struct Spec {
    title: &'static str,
    row_labels: Vec<String>,
    col_labels: Vec<String>,
    table: CountTable,
    templates: Vec<Template>,
}

fn specs(pupils: &[PupilFacts]) -> Result<Vec<Spec>, DisclosureError> {
    let grades: Vec<u8> = pupils.iter().map(|p| p.grade).collect::<BTreeSet<_>>().into_iter().collect();
    if grades.is_empty() {
        return Ok(Vec::new());
    }
    let sexes = [Sex::M, Sex::V, Sex::Unknown];
    let count = |t: Template| pupils.iter().filter(|p| t.contains(p)).count() as u64;

    let row_labels: Vec<String> = grades.iter().map(|g| format!("groep {g}")).collect();

    // Categories nobody at the school falls in (usually "onbekend") are left out of the table.
    let sexes: Vec<Sex> = sexes.into_iter().filter(|&sex| count(Template::Sex { sex }) > 0).collect();
    let weights: Vec<Weight> =
        Weight::ALL.into_iter().filter(|&weight| count(Template::Weight { weight }) > 0).collect();
    let label = |s: &Sex| match s {
        Sex::M => "jongen",
        Sex::V => "meisje",
        Sex::Unknown => "onbekend",
    };
    let mut col1: Vec<String> = sexes.iter().map(|s| label(s).to_owned()).collect();
    col1.push("totaal".to_owned());
    let mut col2: Vec<String> = weights.iter().map(|w| w.label().replace('.', ",")).collect();
    col2.push("totaal".to_owned());

    let interior: Vec<Vec<u64>> = grades
        .iter()
        .map(|&grade| sexes.iter().map(|&sex| count(Template::GradeSex { grade, sex })).collect())
        .collect();
    let mut t1 = Vec::new();
    for &grade in &grades {
        t1.extend(sexes.iter().map(|&sex| Template::GradeSex { grade, sex }));
        t1.push(Template::Grade { grade });
    }
    t1.extend(sexes.iter().map(|&sex| Template::Sex { sex }));
    t1.push(Template::School);

    // Leerlinggewicht school-wide only: one row, its margin the school total. The two tables share
    // nothing but the school total, which both publish or both hide, so each can be checked alone.
    let interior2 =
        vec![weights.iter().map(|&weight| count(Template::Weight { weight })).collect::<Vec<u64>>()];
    let mut t2 = Vec::new();
    for _ in 0..2 {
        t2.extend(weights.iter().map(|&weight| Template::Weight { weight }));
        t2.push(Template::School);
    }

    Ok(vec![
        Spec {
            title: "Leerlingen per jaargroep en geslacht",
            row_labels,
            col_labels: col1,
            table: CountTable::from_interior(&interior)?,
            templates: t1,
        },
        Spec {
            title: "Leerlingen naar leerlinggewicht (hele school)",
            row_labels: vec!["school".to_owned()],
            col_labels: col2,
            table: CountTable::from_interior(&interior2)?,
            templates: t2,
        },
    ])
}

/// Guard order: school-wide figures first, then jaargroepen, then the finer cells.
fn priority(t: &Template) -> u8 {
    match t {
        Template::School => 0,
        Template::Sex { .. } | Template::Weight { .. } => 1,
        Template::Grade { .. } => 2,
        _ => 3,
    }
}

/// Render every fixed report for the policy's audience.
pub fn render(pupils: &[PupilFacts], policy: &Policy) -> Result<Report, DisclosureError> {
    let specs = specs(pupils)?;
    let populations: HashMap<Template, Population> =
        specs.iter().flat_map(|s| s.templates.iter().copied()).map(|t| (t, t.population(pupils))).collect();
    let k = usize::try_from(policy.threshold()).unwrap_or(usize::MAX);
    let mut refused: BTreeSet<Template> = BTreeSet::new();
    let patterns = loop {
        let mut patterns = Vec::with_capacity(specs.len());
        for s in &specs {
            let fixed: Vec<Fixed> = s
                .templates
                .iter()
                .map(|t| match t {
                    _ if refused.contains(t) => Fixed::Hidden(Reason::Differencing),
                    // Published in every table: never a complementary suppression, so that its
                    // status is the same everywhere.
                    Template::School => Fixed::Known,
                    _ => Fixed::Free,
                })
                .collect();
            let pattern = match suppress(&s.table, policy, &fixed) {
                Ok(p) => p,
                // Only possible when the school total is the sole protection left; withhold the
                // whole table then.
                Err(DisclosureError::Unprotected { .. }) => {
                    Suppression { hidden: vec![Some(Reason::Complementary); s.table.len()] }
                }
                Err(e) => return Err(e),
            };
            patterns.push(pattern);
        }
        if !policy.audience().is_external() {
            break patterns;
        }
        // The differencing guard over every released cell of every table.
        let mut shown: Vec<Template> = specs
            .iter()
            .zip(&patterns)
            .flat_map(|(s, p)| {
                s.templates.iter().enumerate().filter(|(i, _)| !p.is_hidden(*i)).map(|(_, t)| *t)
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        shown.sort_by_key(|t| (priority(t), *t));
        let mut permitted: Vec<&Population> = Vec::new();
        let mut new_refusal = false;
        for t in &shown {
            let Some(pop) = populations.get(t) else { continue };
            if permitted.iter().any(|q| (1..k).contains(&q.symmetric_difference(pop))) {
                refused.insert(*t);
                new_refusal = true;
            } else {
                permitted.push(pop);
            }
        }
        if !new_refusal {
            break patterns;
        }
    };
    let mut tables = Vec::with_capacity(specs.len());
    for (s, pattern) in specs.into_iter().zip(patterns) {
        check::assert_protected(&s.table, &pattern.mask(), policy.protection())?;
        let w = s.table.cols() + 1;
        let cells: Vec<Vec<Cell<u64>>> = (0..=s.table.rows())
            .map(|r| {
                (0..w)
                    .map(|c| {
                        let i = s.table.index(r, c);
                        match pattern.hidden[i] {
                            Some(reason) => Cell::hidden(reason),
                            None => Cell::Shown { value: s.table.grid()[i], n: s.table.grid()[i] },
                        }
                    })
                    .collect()
            })
            .collect();
        tables.push(RenderedTable {
            title: s.title,
            row_labels: s.row_labels,
            col_labels: s.col_labels,
            cells,
            table: s.table,
            pattern,
            templates: s.templates,
        });
    }
    let n = pupils.len() as u64;
    let flagged = |f: fn(&PupilFacts) -> bool| pupils.iter().filter(|p| f(p)).count() as u64;
    let shares = vec![
        ShareRow { flag: "ontwikkelingsperspectief (OPP)", share: share(flagged(|p| p.opp), n, policy) },
        ShareRow { flag: "kwetsbaar", share: share(flagged(|p| p.kwetsbaar), n, policy) },
        ShareRow { flag: "zorgsignaal", share: share(flagged(|p| p.care), n, policy) },
    ];
    Ok(Report { tables, shares })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Audience, Threshold};

    fn school(grades: &[(u8, usize)]) -> Vec<PupilFacts> {
        let mut out = Vec::new();
        for &(grade, n) in grades {
            for i in 0..n {
                out.push(PupilFacts {
                    grade,
                    sex: if i % 2 == 0 { Sex::M } else { Sex::V },
                    weight: if i % 7 == 0 { Weight::W12 } else { Weight::W0 },
                    opp: i == 0,
                    kwetsbaar: false,
                    care: true,
                });
            }
        }
        out
    }

    #[test]
    fn small_jaargroep_is_hidden_with_a_partner() -> Result<(), DisclosureError> {
        let pupils = school(&[(3, 4), (4, 28), (5, 30)]);
        let r = render(&pupils, &Policy::new(Audience::Mr, Threshold::default())?)?;
        let t = &r.tables[0];
        // Row "groep 3" margin (4 pupils) is hidden, and so is at least one other jaargroep total.
        let margin = |row: usize| &t.cells[row][t.table.cols()];
        assert!(!margin(0).is_shown());
        assert!(!margin(1).is_shown() || !margin(2).is_shown());
        for row in &t.cells {
            for c in row {
                assert!(c.n().is_none_or(|n| n >= 10));
            }
        }
        assert_eq!(r.shares[2].share.value().map(ToString::to_string).as_deref(), Some("> 95 %"));
        Ok(())
    }

    #[test]
    fn an_empty_school_renders_nothing() -> Result<(), DisclosureError> {
        let r = render(&[], &Policy::new(Audience::Board, Threshold::default())?)?;
        assert!(r.tables.is_empty());
        assert!(r.shares.iter().all(|s| !s.share.is_shown()));
        Ok(())
    }
}
