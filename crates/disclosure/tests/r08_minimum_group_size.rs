//! R8 Minimum group size: over 10,000 random schools (tiny groups included) every report template
//! is rendered for every aggregate audience, with a configured threshold from 6 to 20, and every
//! visible cell must rest on at least the audience's threshold — at least 10 for the MR, care
//! partners, the board and the municipality — and never on 1–5 pupils.

mod common;

use std::cell::Cell as StdCell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use schoolscan_disclosure::{AggregateView, Audience, EXTERNAL_FLOOR, Policy, Threshold, report};

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Object keys anywhere in a JSON value.
fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                keys(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

#[test]
fn r08_every_visible_cell_has_at_least_the_threshold() {
    let cases = 10_000;
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let renders = StdCell::new(0u64);
    let shown = StdCell::new(0u64);
    let hidden = StdCell::new(0u64);
    let min_external = StdCell::new(u64::MAX);
    let min_team = StdCell::new(u64::MAX);
    let result = runner.run(&(common::school(), 6u32..=20), |(school, k)| {
        let facts = school.facts();
        let findings = school.findings();
        for audience in Audience::AGGREGATE {
            let policy = Policy::new(audience, Threshold::new(k).map_err(fail)?).map_err(fail)?;
            let t = u64::from(policy.threshold());
            prop_assert!(policy.threshold() >= k);
            if audience.is_external() {
                prop_assert!(policy.threshold() >= EXTERNAL_FLOOR);
            }
            let mut visible = Vec::new();
            let rendered = report::render(&facts, &policy).map_err(fail)?;
            for table in &rendered.tables {
                for cell in table.cells.iter().flatten() {
                    match cell.n() {
                        Some(n) => visible.push(n),
                        None => hidden.set(hidden.get() + 1),
                    }
                }
                // Every count below the threshold is hidden (the primary rule itself).
                for (i, &count) in table.table.grid().iter().enumerate() {
                    if count < t {
                        prop_assert!(table.pattern.is_hidden(i), "{audience:?}: count {count} shown");
                    }
                }
            }
            visible.extend(rendered.shares.iter().filter_map(|s| s.share.n()));
            let view = AggregateView::build(&findings, &policy);
            visible.extend(view.shown_ns());
            if audience.is_external() {
                prop_assert!(view.classes.is_empty(), "classes shown to {audience:?}");
            }
            // No field of the released view can hold a pupil identifier.
            let json = serde_json::to_value(&view).map_err(fail)?;
            let mut ks = Vec::new();
            keys(&json, &mut ks);
            prop_assert!(!ks.iter().any(|k| k.contains("pupil")), "{ks:?}");
            for &n in &visible {
                prop_assert!(n >= t, "{audience:?}: visible n {n} < {t}");
                prop_assert!(!(1..=5).contains(&n), "{audience:?}: visible n {n}");
                let min = if audience.is_external() { &min_external } else { &min_team };
                min.set(min.get().min(n));
            }
            shown.set(shown.get() + visible.len() as u64);
            renders.set(renders.get() + 2);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!(
        "R8: {cases} random schools, {} renders (report and view per audience), {} visible cells, minimum visible n {} for external audiences and {} for the team (threshold 6-20 configured), {} suppressed table cells",
        renders.get(),
        shown.get(),
        min_external.get(),
        min_team.get(),
        hidden.get()
    );
    // The property is not vacuous: the generator produces schools with visible and hidden cells.
    assert!(shown.get() > 0 && hidden.get() > 0);
    assert!(min_external.get() >= u64::from(EXTERNAL_FLOOR));
}

#[test]
fn r08_a_normal_school_shows_its_figures() -> Result<(), schoolscan_disclosure::DisclosureError> {
    let school = common::School {
        grades: (1..=8).map(|g| (g, 28, u64::from(g))).collect(),
        opp: common::FlagMode::Random(5),
        kwetsbaar: common::FlagMode::Random(10),
        care: common::FlagMode::Random(20),
        unknown_sex: 0,
    };
    let policy = Policy::new(Audience::Mr, Threshold::default())?;
    let view = AggregateView::build(&school.findings(), &policy);
    assert!(view.subjects.iter().all(|s| s.delay.is_shown()));
    assert!(view.grades.iter().all(|g| g.delay.is_shown()));
    let r = report::render(&school.facts(), &policy)?;
    assert!(r.tables[0].cells.iter().all(|row| row.last().is_some_and(|c| c.is_shown())), "jaargroep totals");
    Ok(())
}
