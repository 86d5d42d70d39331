//! R11 Differencing guard: external audiences only get queries from the fixed template space, and
//! any two permitted queries have populations that are equal or differ by at least the threshold
//! (|A Δ B| = 0 or ≥ 10). Checked for the guard over the whole template space and for the
//! released cells of the rendered reports, with populations recomputed here from the pupils.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use schoolscan_disclosure::guard::{PupilFacts, Template, decide, template_space};
use schoolscan_disclosure::{Audience, Policy, Reason, Threshold, report};

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// The population of a template as this test's own bit set.
fn bits(t: &Template, pupils: &[PupilFacts]) -> Vec<u64> {
    let mut out = vec![0u64; pupils.len().div_ceil(64)];
    for (i, p) in pupils.iter().enumerate() {
        if t.contains(p) {
            out[i / 64] |= 1 << (i % 64);
        }
    }
    out
}

fn delta(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Every pair of `permitted` is equal or at least `k` apart.
fn pairs_ok(permitted: &[(Template, Vec<u64>)], k: u32) -> Result<usize, TestCaseError> {
    let mut pairs = 0;
    for (i, (ta, a)) in permitted.iter().enumerate() {
        for (tb, b) in &permitted[i + 1..] {
            let d = delta(a, b);
            prop_assert!(d == 0 || d >= k, "{ta:?} and {tb:?} differ by {d} (< {k})");
            pairs += 1;
        }
    }
    Ok(pairs)
}

const EXTERNAL: [Audience; 4] =
    [Audience::Mr, Audience::CarePartner, Audience::Board, Audience::Municipality];

proptest! {
    #![proptest_config(Config { cases: 10_000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn r11_permitted_template_pairs_differ_by_zero_or_at_least_ten(school in common::school(), k in 6u32..=20) {
        let pupils = school.facts();
        let space = template_space(&pupils);
        for audience in EXTERNAL {
            let policy = Policy::new(audience, Threshold::new(k).map_err(fail)?).map_err(fail)?;
            let t = policy.threshold();
            prop_assert!(t >= 10);
            let decisions = decide(&space, &pupils, &policy);
            prop_assert_eq!(decisions.len(), space.len());
            let permitted: Vec<(Template, Vec<u64>)> = decisions
                .iter()
                .filter(|d| d.cell.is_shown())
                .map(|d| (d.template, bits(&d.template, &pupils)))
                .collect();
            for (tpl, b) in &permitted {
                prop_assert!(tpl.offered_to(&policy));
                prop_assert!(b.iter().map(|w| w.count_ones()).sum::<u32>() >= t);
            }
            pairs_ok(&permitted, t)?;
            // The school as a whole is always the first query: permitted exactly when large enough.
            prop_assert_eq!(decisions[0].cell.is_shown(), pupils.len() >= t as usize);
            // Templates with free "without" filters are never offered to external audiences.
            for d in &decisions {
                if matches!(d.template, Template::SchoolWithoutOpp | Template::GradeWithoutOpp { .. }) {
                    prop_assert_eq!(d.cell.reason(), Some(Reason::NotForAudience));
                }
            }

            // The released cells of the rendered reports, across tables.
            let r = report::render(&pupils, &policy).map_err(fail)?;
            let mut shown: Vec<(Template, Vec<u64>)> = Vec::new();
            for table in &r.tables {
                for (cell, tpl) in table.cells.iter().flatten().zip(&table.templates) {
                    if cell.is_shown() {
                        shown.push((*tpl, bits(tpl, &pupils)));
                    }
                }
            }
            pairs_ok(&shown, t)?;
        }
    }
}

#[test]
fn r11_jaargroep_against_the_school_is_refused_when_close()
-> Result<(), schoolscan_disclosure::DisclosureError> {
    // 24 pupils in groep 8 and 3 in groep 7: "groep 8" and "school" differ by 3.
    let school = common::School {
        grades: vec![(7, 3, 1), (8, 24, 2)],
        opp: common::FlagMode::Random(10),
        kwetsbaar: common::FlagMode::Nobody,
        care: common::FlagMode::Nobody,
        unknown_sex: 0,
    };
    let pupils = school.facts();
    let policy = Policy::new(Audience::Municipality, Threshold::default())?;
    let d = decide(&[Template::School, Template::Grade { grade: 8 }], &pupils, &policy);
    assert!(d[0].cell.is_shown());
    assert_eq!(d[1].cell.reason(), Some(Reason::Differencing));
    let team = decide(
        &[Template::School, Template::Grade { grade: 8 }],
        &pupils,
        &Policy::new(Audience::Team, Threshold::default())?,
    );
    assert!(team.iter().all(|x| x.cell.is_shown()));
    Ok(())
}
