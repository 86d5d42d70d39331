//! R10 No group attribute disclosure of sensitive flags: shares of OPP, "kwetsbaar" and care
//! flags are shown as "< 5 %" / "> 95 %", never as 0 % or 100 %, including groups in which all
//! pupils, or none, have the flag.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use schoolscan_disclosure::{AggregateView, Audience, Cell, Policy, Share, Threshold, report, share};

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// A released share must never read as 0 % or 100 %.
fn never_extreme(c: &Cell<Share>) -> Result<(), TestCaseError> {
    if let Some(s) = c.value() {
        let text = s.to_string();
        prop_assert!(text != "0 %" && text != "100 %", "{text}");
        if let Share::Percent(p) = s {
            prop_assert!((5..=95).contains(p), "{text}");
        }
    }
    Ok(())
}

/// How many of `n` are flagged: nobody, everybody, or any number.
fn flagged_of(n: u64) -> impl Strategy<Value = u64> {
    prop_oneof![Just(0), Just(n), 0..=n]
}

proptest! {
    #![proptest_config(Config { cases: 10_000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn r10_all_or_none_flagged_is_clamped(
        (n, flagged) in (0u64..=400).prop_flat_map(|n| (Just(n), flagged_of(n))),
        k in 6u32..=20,
    ) {
        for audience in Audience::AGGREGATE {
            let policy = Policy::new(audience, Threshold::new(k).map_err(fail)?).map_err(fail)?;
            let c = share(flagged, n, &policy);
            never_extreme(&c)?;
            prop_assert_eq!(c.is_shown(), n >= u64::from(policy.threshold()));
            let text = c.value().map(ToString::to_string);
            if c.is_shown() && flagged == 0 {
                prop_assert_eq!(text.as_deref(), Some("< 5 %"));
            }
            if c.is_shown() && flagged == n {
                prop_assert_eq!(text.as_deref(), Some("> 95 %"));
            }
        }
    }

}

proptest! {
    // Each case renders every report and view for five audiences: 2,000 schools keep it fast.
    #![proptest_config(Config { cases: 2_000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn r10_reports_and_views_never_show_zero_or_hundred_percent(school in common::school(), k in 6u32..=20) {
        let facts = school.facts();
        let findings = school.findings();
        for audience in Audience::AGGREGATE {
            let policy = Policy::new(audience, Threshold::new(k).map_err(fail)?).map_err(fail)?;
            let r = report::render(&facts, &policy).map_err(fail)?;
            for row in &r.shares {
                never_extreme(&row.share)?;
            }
            let view = AggregateView::build(&findings, &policy);
            for s in &view.seo {
                never_extreme(&s.signal_before)?;
                never_extreme(&s.signal_since)?;
            }
            // A school where everybody or nobody has OPP shows the clamp, not the exact share.
            let opp = r.shares[0].share.value().map(ToString::to_string);
            if policy.allows(facts.len() as u64) {
                match school.opp {
                    common::FlagMode::Nobody => prop_assert_eq!(opp.as_deref(), Some("< 5 %")),
                    common::FlagMode::Everybody => prop_assert_eq!(opp.as_deref(), Some("> 95 %")),
                    common::FlagMode::Random(_) => prop_assert!(opp.is_some()),
                }
            } else {
                prop_assert!(opp.is_none());
            }
        }
    }
}

#[test]
fn r10_the_subgroup_of_a_flag_nobody_has_hides_its_dimension()
-> Result<(), schoolscan_disclosure::DisclosureError> {
    // Nobody has OPP: "opp ja" has n = 0 and "opp nee" n = the subject's n. Showing "nee" would
    // reveal that nobody has the flag, so both levels are hidden.
    let school = common::School {
        grades: (3..=8).map(|g| (g, 25, u64::from(g))).collect(),
        opp: common::FlagMode::Nobody,
        kwetsbaar: common::FlagMode::Nobody,
        care: common::FlagMode::Nobody,
        unknown_sex: 0,
    };
    let policy = Policy::new(Audience::Mr, Threshold::default())?;
    let view = AggregateView::build(&school.findings(), &policy);
    let opp: Vec<_> = view.subgroups.iter().filter(|s| s.dimension == "opp").collect();
    assert_eq!(opp.len(), 4);
    assert!(opp.iter().all(|s| !s.delay.is_shown()));
    assert!(view.subgroups.iter().any(|s| s.dimension == "geslacht" && s.delay.is_shown()));
    Ok(())
}
