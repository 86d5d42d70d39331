//! R9 Complementary suppression: for every rendered table, the exact checker (max-flow over the
//! table's circulation, cross-checked against brute force in the unit tests) shows that every
//! suppressed cell's feasible range, given the released cells and margins, is at least the
//! protection width (the audience's threshold, at least 10 for external audiences) wide.

mod common;

use std::cell::Cell as StdCell;
use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schoolscan_disclosure::check::feasible_ranges;
use schoolscan_disclosure::guard::Template;
use schoolscan_disclosure::table::{CountTable, suppress};
use schoolscan_disclosure::{AggregateView, Audience, Policy, Reason, Threshold, report};

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

struct Stats {
    tables: StdCell<u64>,
    suppressed: StdCell<u64>,
    narrow: StdCell<u64>,
}

impl Stats {
    fn new() -> Self {
        Self { tables: StdCell::new(0), suppressed: StdCell::new(0), narrow: StdCell::new(0) }
    }
    /// Check one released table from the reader's side: `hidden` per grid cell.
    fn check(&self, table: &CountTable, hidden: &[bool], protection: u64) -> Result<(), TestCaseError> {
        self.tables.set(self.tables.get() + 1);
        for (idx, range) in feasible_ranges(table, hidden).map_err(fail)? {
            self.suppressed.set(self.suppressed.get() + 1);
            if !range.protects(protection) {
                self.narrow.set(self.narrow.get() + 1);
                return Err(TestCaseError::fail(format!(
                    "cell {:?} of {table:?} narrowed to {range:?} (protection {protection})",
                    table.position(idx)
                )));
            }
        }
        Ok(())
    }
}

fn small_count() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..=5, 0u64..=12, 8u64..=40]
}

#[test]
fn r09_random_tables_leave_every_suppressed_cell_ten_wide() {
    let cases = 10_000;
    let stats = Stats::new();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let tables = (1usize..=8, 1usize..=4)
        .prop_flat_map(|(r, c)| proptest::collection::vec(proptest::collection::vec(small_count(), c), r));
    let result = runner.run(&(tables, 10u32..=20), |(interior, k)| {
        let table = CountTable::from_interior(&interior).map_err(fail)?;
        let policy = Policy::new(Audience::Municipality, Threshold::new(k).map_err(fail)?).map_err(fail)?;
        let pattern = suppress(&table, &policy, &[]).map_err(fail)?;
        for (i, &count) in table.grid().iter().enumerate() {
            if count < policy.protection() {
                prop_assert!(pattern.is_hidden(i), "primary cell {i} shown");
            }
        }
        stats.check(&table, &pattern.mask(), policy.protection())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!(
        "R9 random tables: {cases} cases, {} tables, {} suppressed cells, {} narrower than the protection width",
        stats.tables.get(),
        stats.suppressed.get(),
        stats.narrow.get()
    );
    assert!(stats.suppressed.get() > 0);
}

/// Rebuild the one-way tables of a released view from the reader's side: the counts come from
/// the findings, what is hidden from the view alone.
fn view_tables(
    findings: &schoolscan_analysis::Findings,
    view: &AggregateView,
) -> Result<Vec<(CountTable, Vec<bool>)>, TestCaseError> {
    let mut out = Vec::new();
    let margin: BTreeMap<&str, (u64, bool)> = findings
        .subjects
        .iter()
        .zip(&view.subjects)
        .map(|(f, v)| (f.subject.as_str(), (f.n as u64, v.delay.is_shown())))
        .collect();
    let mut push =
        |cells: Vec<(u64, bool)>, (total, total_shown): (u64, bool)| -> Result<(), TestCaseError> {
            let ns: Vec<u64> = cells.iter().map(|c| c.0).collect();
            let table = CountTable::one_way(&ns, total).map_err(fail)?;
            let cols = table.cols();
            let mut hidden = vec![false; table.len()];
            for (j, &(_, shown)) in cells.iter().enumerate() {
                hidden[table.index(0, j)] = !shown;
                hidden[table.index(1, j)] = !shown;
            }
            if cols > cells.len() {
                hidden[table.index(0, cells.len())] = true;
                hidden[table.index(1, cells.len())] = true;
            }
            hidden[table.index(0, cols)] = !total_shown;
            hidden[table.index(1, cols)] = !total_shown;
            out.push((table, hidden));
            Ok(())
        };
    let mut grades: BTreeMap<&str, Vec<(u64, bool)>> = BTreeMap::new();
    for (f, v) in findings.grades.iter().zip(&view.grades) {
        grades.entry(f.subject.as_str()).or_default().push((f.n as u64, v.delay.is_shown()));
    }
    for (s, cells) in grades {
        push(cells, margin[s])?;
    }
    let mut subgroups: BTreeMap<(&str, &str), Vec<(u64, bool)>> = BTreeMap::new();
    for (f, v) in findings.subgroups.iter().zip(&view.subgroups) {
        subgroups
            .entry((f.dimension.as_str(), f.subject.as_str()))
            .or_default()
            .push((f.n as u64, v.delay.is_shown()));
    }
    for ((_, s), cells) in subgroups {
        push(cells, margin[s])?;
    }
    // Classes (the team only) under their jaargroep, whose status the view gives.
    let grade_margin: BTreeMap<(&str, u8), (u64, bool)> = findings
        .grades
        .iter()
        .zip(&view.grades)
        .map(|(f, v)| ((f.subject.as_str(), f.grade.get()), (f.n as u64, v.delay.is_shown())))
        .collect();
    let mut classes: BTreeMap<(&str, u8), Vec<(u64, bool)>> = BTreeMap::new();
    for (f, v) in findings.classes.iter().zip(&view.classes) {
        classes
            .entry((f.subject.as_str(), f.grade.get()))
            .or_default()
            .push((f.n as u64, v.delay.is_shown()));
    }
    for (k, cells) in classes {
        push(cells, grade_margin[&k])?;
    }
    Ok(out)
}

#[test]
fn r09_every_rendered_table_leaves_every_suppressed_cell_ten_wide() {
    let cases = 2_000;
    let stats = Stats::new();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&(common::school(), 6u32..=20), |(school, k)| {
        let facts = school.facts();
        let findings = school.findings();
        for audience in Audience::AGGREGATE {
            let policy = Policy::new(audience, Threshold::new(k).map_err(fail)?).map_err(fail)?;
            let rendered = report::render(&facts, &policy).map_err(fail)?;
            // A figure published in several tables has one status: tables are checked one by one,
            // which is exact only because what they share is shown everywhere or hidden everywhere.
            let mut status: BTreeMap<Template, bool> = BTreeMap::new();
            for t in &rendered.tables {
                for (c, tpl) in t.cells.iter().flatten().zip(&t.templates) {
                    let before = *status.entry(*tpl).or_insert(c.is_shown());
                    prop_assert_eq!(before, c.is_shown(), "{:?} differs between tables", tpl);
                }
            }
            for t in &rendered.tables {
                // The reader's mask is what the released cells show, not the crate's pattern.
                let hidden: Vec<bool> = t.cells.iter().flatten().map(|c| !c.is_shown()).collect();
                stats.check(&t.table, &hidden, policy.protection())?;
            }
            let view = AggregateView::build(&findings, &policy);
            prop_assert!(view.grades.len() == findings.grades.len());
            prop_assert!(view.subgroups.len() == findings.subgroups.len());
            prop_assert!(audience.is_external() || view.classes.len() == findings.classes.len());
            for (table, hidden) in view_tables(&findings, &view)? {
                stats.check(&table, &hidden, policy.protection())?;
            }
            // The reason is never visible: all suppressed table cells carry the same label.
            for c in view.grades.iter().map(|g| &g.delay) {
                prop_assert!(c.label().is_none_or(|l| l == schoolscan_disclosure::TABLE_LABEL));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!(
        "R9 rendered: {cases} schools, {} tables, {} suppressed cells, {} narrower than the protection width",
        stats.tables.get(),
        stats.suppressed.get(),
        stats.narrow.get()
    );
    assert!(stats.suppressed.get() > 0);
}

#[test]
fn r09_a_lone_small_jaargroep_is_not_derivable() -> Result<(), schoolscan_disclosure::DisclosureError> {
    // 3 pupils in one jaargroep, 25 and 30 in the others, school total published.
    let table = CountTable::one_way(&[3, 25, 30], 58)?;
    let policy = Policy::new(Audience::Mr, Threshold::default())?;
    let p = suppress(&table, &policy, &[])?;
    assert_eq!(p.hidden[0], Some(Reason::Primary));
    assert_eq!(p.hidden[1], Some(Reason::Complementary));
    let ranges = feasible_ranges(&table, &p.mask())?;
    assert!(ranges.iter().all(|(_, r)| r.width() == Some(28)), "{ranges:?}");
    Ok(())
}
