//! `Findings` as an aggregate audience may see them.
//!
//! The view has no field that can hold a pupil identifier: no pupil list, no pupil numbers, only
//! labels (subject, scale, jaargroep, class name for the team, subgroup, SEO instrument) and
//! released cells. Every figure passes the primary rule; the jaargroepen of a subject, the
//! classes of a jaargroep and the levels of a subgroup dimension form one-way tables whose margin
//! is the subject's (or jaargroep's) `n`, and get complementary suppression. Classes are never
//! shown to external audiences.

use std::collections::BTreeMap;

use schoolscan_analysis::findings::{Findings, GroupRow, SeoRow, SubgroupRow, SubjectRow};
use serde::Serialize;

use crate::table::{CountTable, Fixed, suppress};
use crate::{Audience, Cell, Policy, Reason, Share, share};

/// A delay as released: school months (+ = behind) with its 95 % interval, and the effect size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delay {
    pub months: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    pub effect_size: Option<f64>,
}

/// A subject school-wide.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectCell {
    pub subject: String,
    pub scale: String,
    pub delay: Cell<Delay>,
}

/// A jaargroep (or, for the team, a class) in one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCell {
    pub subject: String,
    pub scale: String,
    pub grade: u8,
    /// Class name (`5A`), classes only.
    pub class: Option<String>,
    pub delay: Cell<Delay>,
}

/// A subgroup level in one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupCell {
    pub dimension: String,
    pub label: String,
    pub subject: String,
    pub scale: String,
    pub delay: Cell<Delay>,
}

/// Change of one SEO dimension.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeoChange {
    pub change: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    pub effect_size: Option<f64>,
}

/// One SEO instrument × dimension × informant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeoCell {
    pub instrument: String,
    pub dimension: String,
    pub informant: String,
    pub mean_before: Cell<Option<f64>>,
    pub mean_since: Cell<Option<f64>>,
    pub change: Cell<SeoChange>,
    /// Share in the signalling zone, clamped like a sensitive flag.
    pub signal_before: Cell<Share>,
    pub signal_since: Cell<Share>,
}

/// The findings of one analysis for one aggregate audience.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateView {
    pub audience: Audience,
    /// The minimum number of pupils behind every shown figure.
    pub threshold: u32,
    /// `"2020-2021 M"`.
    pub target: String,
    pub subjects: Vec<SubjectCell>,
    pub grades: Vec<GroupCell>,
    /// Empty for external audiences.
    pub classes: Vec<GroupCell>,
    pub subgroups: Vec<SubgroupCell>,
    pub seo: Vec<SeoCell>,
}

fn n64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn delay_of_subject(r: &SubjectRow) -> Delay {
    Delay { months: r.delay_months, ci95: r.ci95, effect_size: r.effect_size }
}
fn delay_of_group(r: &GroupRow) -> Delay {
    Delay { months: r.delay_months, ci95: r.ci95, effect_size: r.effect_size }
}
fn delay_of_subgroup(r: &SubgroupRow) -> Delay {
    Delay { months: r.delay_months, ci95: r.ci95, effect_size: r.effect_size }
}

/// Decide a one-way table of `ns` under a margin `total` whose status is `margin_shown`. Returns
/// per entry whether it is hidden and why. Any inconsistency withholds the whole table.
fn one_way(ns: &[u64], total: u64, margin_shown: bool, policy: &Policy) -> Vec<Option<Reason>> {
    let withhold = || vec![Some(Reason::Complementary); ns.len()];
    let Ok(table) = CountTable::one_way(ns, total) else { return withhold() };
    let mut fixed = vec![Fixed::Free; table.len()];
    let margin_state = if margin_shown { Fixed::Known } else { Fixed::Hidden(Reason::Primary) };
    let cols = table.cols();
    for r in 0..=1 {
        fixed[table.index(r, cols)] = margin_state;
    }
    if cols > ns.len() {
        // The remainder is never released.
        for r in 0..=1 {
            fixed[table.index(r, ns.len())] = Fixed::Hidden(Reason::NotForAudience);
        }
    }
    match suppress(&table, policy, &fixed) {
        Ok(p) => (0..ns.len()).map(|j| p.hidden[table.index(0, j)]).collect(),
        Err(_) => withhold(),
    }
}

/// Group `rows` into one-way tables by `key`, each under the margin `margin(key)` (its count and
/// whether it is shown; unknown margins count as hidden), and decide every row, in input order.
fn decide_groups<R, K: Ord>(
    rows: &[R],
    key: impl Fn(&R) -> K,
    n: impl Fn(&R) -> u64,
    margin: impl Fn(&K) -> Option<(u64, bool)>,
    policy: &Policy,
) -> Vec<Option<Reason>> {
    let mut groups: BTreeMap<K, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        groups.entry(key(r)).or_default().push(i);
    }
    let mut out = vec![Some(Reason::Complementary); rows.len()];
    for (k, idx) in groups {
        let ns: Vec<u64> = idx.iter().map(|&i| n(&rows[i])).collect();
        let (total, shown) = margin(&k).unwrap_or((ns.iter().fold(0u64, |a, &x| a.saturating_add(x)), false));
        for (&i, h) in idx.iter().zip(one_way(&ns, total, shown, policy)) {
            out[i] = h;
        }
    }
    out
}

fn group_cell(r: &GroupRow, class: Option<String>, hidden: Option<Reason>) -> GroupCell {
    GroupCell {
        subject: r.subject.label(),
        scale: r.scale.clone(),
        grade: r.grade.get(),
        class,
        delay: released(delay_of_group(r), n64(r.n), hidden),
    }
}

fn released<T>(value: T, n: u64, hidden: Option<Reason>) -> Cell<T> {
    match hidden {
        None => Cell::Shown { value, n },
        Some(reason) => Cell::hidden(reason),
    }
}

type Key = (String, String);

impl AggregateView {
    /// Build the view of `findings` for `policy`'s audience.
    pub fn build(findings: &Findings, policy: &Policy) -> Self {
        let key = |s: &schoolscan_domain::Subject, scale: &str| (s.as_str().to_owned(), scale.to_owned());

        // Subjects: standalone figures, and the margins of the tables below.
        let mut subject_n: BTreeMap<Key, (u64, bool)> = BTreeMap::new();
        let subjects = findings
            .subjects
            .iter()
            .map(|r| {
                let n = n64(r.n);
                let shown = policy.allows(n);
                subject_n.insert(key(&r.subject, &r.scale), (n, shown));
                SubjectCell {
                    subject: r.label.clone(),
                    scale: r.scale.clone(),
                    delay: released(delay_of_subject(r), n, (!shown).then_some(Reason::Primary)),
                }
            })
            .collect();

        // Jaargroepen per subject: a one-way table under the subject's n.
        let grade_hidden = decide_groups(
            &findings.grades,
            |r| key(&r.subject, &r.scale),
            |r| n64(r.n),
            |k| subject_n.get(k).copied(),
            policy,
        );
        let mut grade_n: BTreeMap<(Key, u8), (u64, bool)> = BTreeMap::new();
        let mut grades = Vec::with_capacity(findings.grades.len());
        for (r, h) in findings.grades.iter().zip(grade_hidden) {
            grade_n.insert((key(&r.subject, &r.scale), r.grade.get()), (n64(r.n), h.is_none()));
            grades.push(group_cell(r, None, h));
        }

        // Classes: the team only, as one-way tables under their jaargroep.
        let mut classes = Vec::new();
        if !policy.audience().is_external() {
            let class_hidden = decide_groups(
                &findings.classes,
                |r| (key(&r.subject, &r.scale), r.grade.get()),
                |r| n64(r.n),
                |k| grade_n.get(k).copied(),
                policy,
            );
            for (r, h) in findings.classes.iter().zip(class_hidden) {
                classes.push(group_cell(r, r.group.as_ref().map(|g| g.as_str().to_owned()), h));
            }
        }

        // Subgroups: the levels of one dimension form a one-way table under the subject's n.
        let subgroup_hidden = decide_groups(
            &findings.subgroups,
            |r| (r.dimension.clone(), key(&r.subject, &r.scale)),
            |r| n64(r.n),
            |k| subject_n.get(&k.1).copied(),
            policy,
        );
        let subgroups = findings
            .subgroups
            .iter()
            .zip(subgroup_hidden)
            .map(|(r, h)| SubgroupCell {
                dimension: r.dimension.clone(),
                label: r.label.clone(),
                subject: r.subject.label(),
                scale: r.scale.clone(),
                delay: released(delay_of_subgroup(r), n64(r.n), h),
            })
            .collect();

        let seo = findings.seo.dimensions.iter().map(|r| seo_cell(r, policy)).collect();

        Self {
            audience: policy.audience(),
            threshold: policy.threshold(),
            target: findings.target.label.clone(),
            subjects,
            grades,
            classes,
            subgroups,
            seo,
        }
    }

    /// Every released cell's `n` (for tests and audits).
    pub fn shown_ns(&self) -> Vec<u64> {
        let mut out = Vec::new();
        out.extend(self.subjects.iter().filter_map(|c| c.delay.n()));
        out.extend(self.grades.iter().chain(&self.classes).filter_map(|c| c.delay.n()));
        out.extend(self.subgroups.iter().filter_map(|c| c.delay.n()));
        for s in &self.seo {
            out.extend(s.mean_before.n());
            out.extend(s.mean_since.n());
            out.extend(s.change.n());
            out.extend(s.signal_before.n());
            out.extend(s.signal_since.n());
        }
        out
    }
}

fn seo_cell(r: &SeoRow, policy: &Policy) -> SeoCell {
    let flagged = |s: Option<f64>, n: usize| {
        // The count in the signalling zone, recovered from the share; a missing share is treated as
        // "none", which the clamp shows as "< 5 %".
        let f = s.unwrap_or(0.0).clamp(0.0, 1.0) * n as f64;
        f.round() as u64
    };
    let hide = |n: usize| policy.standalone((), n64(n)).reason();
    SeoCell {
        instrument: r.instrument.clone(),
        dimension: r.dimension.clone(),
        informant: r.informant.clone(),
        mean_before: released(r.mean_before, n64(r.n_before), hide(r.n_before)),
        mean_since: released(r.mean_since, n64(r.n_since), hide(r.n_since)),
        change: released(
            SeoChange { change: r.change, ci95: r.change_ci95, effect_size: r.effect_size },
            n64(r.n_paired),
            hide(r.n_paired),
        ),
        signal_before: table_label(share(
            flagged(r.share_signal_before, r.n_before),
            n64(r.n_before),
            policy,
        )),
        signal_since: table_label(share(flagged(r.share_signal_since, r.n_since), n64(r.n_since), policy)),
    }
}

/// Use the uniform label for a suppressed cell.
fn table_label<T>(c: Cell<T>) -> Cell<T> {
    match c {
        Cell::Suppressed { reason, .. } => Cell::hidden(reason),
        shown => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DisclosureError, Threshold};

    #[test]
    fn one_way_tables_under_a_margin() -> Result<(), DisclosureError> {
        let p = Policy::new(Audience::Mr, Threshold::default())?;
        // A lone small jaargroep gets the smallest other one as its partner.
        assert_eq!(
            one_way(&[3, 40, 30], 73, true, &p),
            vec![Some(Reason::Primary), None, Some(Reason::Complementary)]
        );
        // A remainder of 2 pupils (in no level) is protected as well: 2 + 12 is hidden together.
        assert_eq!(one_way(&[12, 30], 44, true, &p), vec![Some(Reason::Complementary), None]);
        // Levels adding up to more than the margin: the whole table is withheld.
        assert!(one_way(&[30, 30], 50, true, &p).iter().all(Option::is_some));
        // Nothing to protect.
        assert_eq!(one_way(&[20, 30], 50, true, &p), vec![None, None]);
        Ok(())
    }
}
