//! Fixed report templates and the differencing guard (R11).
//!
//! External audiences get no free filters: every population they can see is produced by one of
//! the fixed [`Template`]s from the pupils of the school. The guard then refuses any template
//! whose population differs from an already permitted one by 1 to threshold − 1 pupils, so two
//! permitted queries can never be subtracted to isolate a small group ("jaargroep 5" against
//! "jaargroep 5 without OPP pupils").

use std::collections::BTreeSet;

use serde::Serialize;

use crate::{Cell, Policy, Reason};

/// Sex as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Sex {
    M,
    V,
    Unknown,
}

/// Leerlinggewicht (the former pupil weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Weight {
    W0,
    W03,
    W12,
}

impl Weight {
    pub const ALL: [Weight; 3] = [Weight::W0, Weight::W03, Weight::W12];
    pub fn label(self) -> &'static str {
        match self {
            Weight::W0 => "0",
            Weight::W03 => "0.3",
            Weight::W12 => "1.2",
        }
    }
}

/// What the templates need to know about a pupil: no identifier, no name, no score. A pupil is
/// the index of its entry in the slice given to [`Template::population`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PupilFacts {
    /// Jaargroep 1–8.
    pub grade: u8,
    pub sex: Sex,
    pub weight: Weight,
    /// Sensitive flags.
    pub opp: bool,
    pub kwetsbaar: bool,
    pub care: bool,
}

/// A fixed report population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Template {
    /// The whole school.
    School,
    /// One jaargroep.
    Grade { grade: u8 },
    /// One sex, school-wide.
    Sex { sex: Sex },
    /// One leerlinggewicht level, school-wide.
    Weight { weight: Weight },
    /// One jaargroep and one sex (the cells of the jaargroep × geslacht table).
    GradeSex { grade: u8, sex: Sex },
    /// One jaargroep and one leerlinggewicht level.
    GradeWeight { grade: u8, weight: Weight },
    /// The school without pupils with a sensitive flag: a template the team may use; never
    /// offered to external audiences.
    SchoolWithoutOpp,
    /// A jaargroep without OPP pupils: team only.
    GradeWithoutOpp { grade: u8 },
}

/// A population: the set of pupil indices a query covers, as a bit set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Population {
    bits: Vec<u64>,
}

impl Population {
    /// The population of the given pupil indices.
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Self {
        let mut p = Self::default();
        for i in indices {
            let w = i / 64;
            if p.bits.len() <= w {
                p.bits.resize(w + 1, 0);
            }
            p.bits[w] |= 1 << (i % 64);
        }
        p
    }
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }
    pub fn contains(&self, i: usize) -> bool {
        self.bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    /// |A Δ B|.
    pub fn symmetric_difference(&self, other: &Population) -> usize {
        let n = self.bits.len().max(other.bits.len());
        (0..n)
            .map(|i| {
                let a = self.bits.get(i).copied().unwrap_or(0);
                let b = other.bits.get(i).copied().unwrap_or(0);
                (a ^ b).count_ones() as usize
            })
            .sum()
    }
}

impl Template {
    /// Whether a pupil belongs to the template's population.
    pub fn contains(&self, p: &PupilFacts) -> bool {
        match *self {
            Template::School => true,
            Template::Grade { grade } => p.grade == grade,
            Template::Sex { sex } => p.sex == sex,
            Template::Weight { weight } => p.weight == weight,
            Template::GradeSex { grade, sex } => p.grade == grade && p.sex == sex,
            Template::GradeWeight { grade, weight } => p.grade == grade && p.weight == weight,
            Template::SchoolWithoutOpp => !p.opp,
            Template::GradeWithoutOpp { grade } => p.grade == grade && !p.opp,
        }
    }
    /// The population of the template over `pupils`.
    pub fn population(&self, pupils: &[PupilFacts]) -> Population {
        Population::from_indices(pupils.iter().enumerate().filter(|(_, p)| self.contains(p)).map(|(i, _)| i))
    }
    /// Whether the audience may ask for this template at all.
    pub fn offered_to(&self, policy: &Policy) -> bool {
        let team_only = matches!(self, Template::SchoolWithoutOpp | Template::GradeWithoutOpp { .. });
        !(team_only && policy.audience().is_external())
    }
}

/// The template space: every template the school's pupils can produce, in priority order
/// (school-wide before breakdowns, so that the guard keeps the broadest figures).
pub fn template_space(pupils: &[PupilFacts]) -> Vec<Template> {
    let grades: BTreeSet<u8> = pupils.iter().map(|p| p.grade).collect();
    let sexes = [Sex::M, Sex::V, Sex::Unknown];
    let mut out = vec![Template::School];
    out.extend(sexes.iter().map(|&sex| Template::Sex { sex }));
    out.extend(Weight::ALL.iter().map(|&weight| Template::Weight { weight }));
    out.push(Template::SchoolWithoutOpp);
    for &grade in &grades {
        out.push(Template::Grade { grade });
        out.push(Template::GradeWithoutOpp { grade });
    }
    for &grade in &grades {
        out.extend(sexes.iter().map(|&sex| Template::GradeSex { grade, sex }));
        out.extend(Weight::ALL.iter().map(|&weight| Template::GradeWeight { grade, weight }));
    }
    out
}

/// The guard's decision per query: a count cell, shown only when permitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub template: Template,
    pub cell: Cell<u64>,
}

/// Decide every query in order. A query is permitted when the audience is offered the template,
/// its population has at least the threshold, and — for external audiences — it differs from
/// every query permitted before it by 0 or at least the threshold pupils. Otherwise it is refused
/// (suppressed). The result is conflict-free by construction; `permitted_pairs_ok` checks it.
pub fn decide(queries: &[Template], pupils: &[PupilFacts], policy: &Policy) -> Vec<Decision> {
    let k = usize::try_from(policy.threshold()).unwrap_or(usize::MAX);
    let mut permitted: Vec<Population> = Vec::new();
    queries
        .iter()
        .map(|&template| {
            let pop = template.population(pupils);
            let n = u64::try_from(pop.len()).unwrap_or(u64::MAX);
            let cell = if !template.offered_to(policy) {
                Cell::hidden(Reason::NotForAudience)
            } else if !policy.allows(n) {
                Cell::hidden(Reason::Primary)
            } else if policy.audience().is_external()
                && permitted.iter().any(|q| (1..k).contains(&q.symmetric_difference(&pop)))
            {
                Cell::hidden(Reason::Differencing)
            } else {
                permitted.push(pop);
                Cell::Shown { value: n, n }
            };
            Decision { template, cell }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Audience, DisclosureError, Threshold};

    fn pupil(grade: u8, opp: bool) -> PupilFacts {
        PupilFacts { grade, sex: Sex::V, weight: Weight::W0, opp, kwetsbaar: false, care: false }
    }

    #[test]
    fn symmetric_difference_of_bit_sets() {
        let a = Population::from_indices([1, 2, 3, 7, 130]);
        let b = Population::from_indices([2, 3, 8]);
        assert_eq!(a.len(), 5);
        assert!(a.contains(130) && !a.contains(129) && !b.contains(130));
        assert_eq!(a.symmetric_difference(&b), 4);
        assert_eq!(b.symmetric_difference(&a), 4);
        assert_eq!(a.symmetric_difference(&a), 0);
        assert_eq!(a.symmetric_difference(&Population::default()), 5);
    }

    #[test]
    fn jaargroep_without_opp_is_refused() -> Result<(), DisclosureError> {
        // Jaargroep 5: 20 pupils, 2 with OPP; jaargroep 6: 20 pupils.
        let mut pupils: Vec<PupilFacts> = (0..20).map(|i| pupil(5, i < 2)).collect();
        pupils.extend((0..20).map(|_| pupil(6, false)));
        let qs = [Template::Grade { grade: 5 }, Template::GradeWithoutOpp { grade: 5 }];
        let team = decide(&qs, &pupils, &Policy::new(Audience::Team, Threshold::default())?);
        assert!(team.iter().all(|d| d.cell.is_shown()), "the team may differ");
        let mr = decide(&qs, &pupils, &Policy::new(Audience::Mr, Threshold::default())?);
        assert!(mr[0].cell.is_shown());
        assert_eq!(mr[1].cell.reason(), Some(Reason::NotForAudience));
        // Jaargroep 5 against the school when the school has 3 other pupils.
        let mut small: Vec<PupilFacts> = (0..20).map(|_| pupil(5, false)).collect();
        small.extend((0..3).map(|_| pupil(6, false)));
        let d = decide(
            &[Template::School, Template::Grade { grade: 5 }],
            &small,
            &Policy::new(Audience::Mr, Threshold::default())?,
        );
        assert!(d[0].cell.is_shown());
        assert_eq!(d[1].cell.reason(), Some(Reason::Differencing));
        Ok(())
    }
}
