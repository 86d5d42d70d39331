//! Properties of the generated demo board and its truth.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use schoolscan_demo::{Demo, DemoConfig, Injected, Target, generate, primary_target};
use schoolscan_domain::{MomentKind, SchoolYear, Subject};
use time::{Month, macros::date};

fn default_demo() -> &'static Demo {
    static D: OnceLock<Demo> = OnceLock::new();
    D.get_or_init(|| generate(&DemoConfig::default()))
}

fn null_demo() -> &'static Demo {
    static D: OnceLock<Demo> = OnceLock::new();
    D.get_or_init(|| generate(&DemoConfig { corona: false, ..DemoConfig::default() }))
}

#[test]
fn same_config_gives_the_same_demo() {
    let again = generate(&DemoConfig::default());
    assert!(again == *default_demo(), "two runs with the same config differ");
    let other = generate(&DemoConfig::with_seed(7));
    assert_ne!(other.dataset.scores, default_demo().dataset.scores);
}

#[test]
fn counts_meet_the_issue_thresholds() {
    let c = default_demo().dataset.counts();
    assert_eq!(c.boards, 1);
    assert!(c.schools >= 3, "{c:?}");
    assert!(c.pupils >= 500, "{c:?}");
    assert!(c.scores >= 20_000, "{c:?}");
    assert!(c.observations > 0 && c.notes > 0, "{c:?}");
    let board = &default_demo().dataset.boards[0];
    assert_eq!(board.key, "demo");
}

#[test]
fn schools_differ_in_size_and_layout() {
    let ds = &default_demo().dataset;
    let year = SchoolYear::new(2020);
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for e in ds.enrolments.iter().filter(|e| e.year == year) {
        groups.entry(e.school.to_string()).or_default().insert(e.group.to_string());
        *sizes.entry(e.school.to_string()).or_default() += 1;
    }
    let large = &groups["21VA"];
    assert!(large.contains("3A") && large.contains("3B") && large.contains("8B"), "{large:?}");
    let small = &groups["21VC"];
    assert_eq!(small.iter().map(String::as_str).collect::<Vec<_>>(), ["1/2", "3/4", "5/6", "7/8"]);
    assert!(sizes["21VA"] > sizes["21VB"] && sizes["21VB"] > sizes["21VC"], "{sizes:?}");
}

#[test]
fn combination_groups_hold_two_grades() {
    let ds = &default_demo().dataset;
    let mut grades: BTreeMap<(String, i32, String), BTreeSet<u8>> = BTreeMap::new();
    for e in &ds.enrolments {
        assert!(e.group.grades().contains(&e.grade), "{} in {}", e.grade, e.group);
        grades
            .entry((e.school.to_string(), e.year.start_year(), e.group.to_string()))
            .or_default()
            .insert(e.grade.get());
    }
    let combos: Vec<_> = grades.iter().filter(|((_, _, g), _)| g.contains('/')).collect();
    assert!(!combos.is_empty());
    for (key, set) in combos {
        assert_eq!(set.len(), 2, "{key:?}: {set:?}");
    }
}

#[test]
fn pupils_flow_repeat_arrive_and_leave() {
    let ds = &default_demo().dataset;
    let mut by_pupil: BTreeMap<(String, String), Vec<(i32, u8)>> = BTreeMap::new();
    for e in &ds.enrolments {
        by_pupil
            .entry((e.school.to_string(), e.pupil.to_string()))
            .or_default()
            .push((e.year.start_year(), e.grade.get()));
    }
    let repeaters = by_pupil.values().filter(|v| v.windows(2).any(|w| w[0].1 == w[1].1)).count();
    assert!(repeaters >= 5, "{repeaters}");
    let late = ds
        .pupils
        .iter()
        .filter(|p| {
            p.arrived.is_some_and(|a| {
                a.month() != Month::August && a.month() != Month::September && a.year() > 2017
            })
        })
        .count();
    assert!(late >= 10, "{late}");
    let left_early = ds.pupils.iter().filter(|p| p.left.is_some_and(|l| l.month() != Month::July)).count();
    assert!(left_early >= 10, "{left_early}");
    // Birth dates fit the grade: on 1 October a pupil in groep g is g+2 to g+5 years old.
    for e in &ds.enrolments {
        let p = ds.pupils.iter().find(|p| p.school == e.school && p.number == e.pupil).expect("pupil exists");
        let birth = p.birth_date.expect("birth date");
        let age = (date!(2000 - 10 - 01).replace_year(e.year.start_year()).expect("date") - birth)
            .whole_days() as f64
            / 365.25;
        let g = f64::from(e.grade.get());
        assert!(age > g + 2.5 && age < g + 5.5, "age {age} in groep {g}");
    }
    // Pupil numbers are zero-padded text.
    assert!(ds.pupils.iter().all(|p| p.number.as_str().starts_with('0')));
}

#[test]
fn scores_are_within_their_scale_and_complete() {
    let ds = &default_demo().dataset;
    let tests: BTreeMap<&str, _> = ds.tests.iter().map(|t| (t.key.as_str(), t)).collect();
    let subjects: BTreeSet<&str> = ds.tests.iter().map(|t| t.subject.as_str()).collect();
    for s in
        [Subject::BEGRIJPEND_LEZEN, Subject::SPELLING, Subject::REKENEN_WISKUNDE, Subject::TECHNISCH_LEZEN]
    {
        assert!(subjects.contains(s), "{s}");
    }
    for s in &ds.scores {
        let t = tests[s.test_key.as_str()];
        let a = s.ability.expect("ability");
        assert!(a >= t.scale.min && a <= t.scale.max, "{a} outside {:?}", t.scale);
        let csem = s.csem.expect("csem");
        if s.component.is_none() {
            assert!((4.0..=9.0).contains(&csem), "{csem}");
            let pct = s.percentile.expect("percentile");
            assert!((1.0..=99.0).contains(&pct));
            assert!(["I", "II", "III", "IV", "V"].contains(&s.level.as_deref().expect("level")));
        }
        let m = s.moment.expect("moment");
        assert!(m.grade.get() >= 3);
        // E tests in June (M tests in January–March).
        match m.kind {
            MomentKind::E => assert_eq!(s.date.month(), Month::June, "{}", s.date),
            _ => assert!(
                matches!(s.date.month(), Month::January | Month::February | Month::March),
                "{}",
                s.date
            ),
        }
    }
    let components: BTreeSet<&str> = ds.scores.iter().filter_map(|s| s.component.as_deref()).collect();
    assert_eq!(components.len(), 4, "{components:?}");
}

#[test]
fn growth_decelerates_through_the_grades() {
    // Mean score gain per year of the pre-corona M tests, per subject: larger from M3 to M4 than
    // from M7 to M8.
    let ds = &default_demo().dataset;
    for key in ["cito:rekenen-wiskunde:3.0", "cito:spelling:3.0", "cito:dmt:2009"] {
        let mean = |g: u8| {
            let v: Vec<f64> = ds
                .scores
                .iter()
                .filter(|s| {
                    s.test_key == key
                        && s.component.is_none()
                        && s.date.year() < 2020
                        && s.moment.is_some_and(|m| m.kind == MomentKind::M && m.grade.get() == g)
                })
                .filter_map(|s| s.ability)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let early = mean(4) - mean(3);
        let late = mean(8) - mean(7);
        assert!(early > 1.4 * late && late > 0.0, "{key}: {early} vs {late}");
    }
}

#[test]
fn m_tests_of_2021_were_in_march_for_most_schools() {
    let ds = &default_demo().dataset;
    let mut per_school: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in ds.scores.iter().filter(|s| {
        s.moment.is_some_and(|m| m.kind == MomentKind::M) && SchoolYear::of(s.date) == SchoolYear::new(2020)
    }) {
        let e = per_school.entry(s.school.to_string()).or_default();
        e.1 += 1;
        if s.date.month() == Month::March {
            e.0 += 1;
        }
    }
    let march = per_school.values().filter(|(m, n)| *m * 10 >= *n * 9).count();
    assert!(march * 2 > per_school.len(), "{per_school:?}");
    // In other years the M tests are in January/February.
    assert!(
        ds.scores
            .iter()
            .filter(|s| s.moment.is_some_and(|m| m.kind == MomentKind::M)
                && SchoolYear::of(s.date) != SchoolYear::new(2020))
            .all(|s| matches!(s.date.month(), Month::January | Month::February))
    );
}

#[test]
fn null_board_has_no_injected_effect() {
    let null = null_demo();
    let t = &null.truth;
    assert!(!t.scores.is_empty());
    assert!(t.scores.iter().all(|s| s.shortfall == 0.0 && s.delay_months == 0.0 && s.lost_months == 0.0));
    assert!(t.subjects.iter().all(|g| g.mean_delay_months == 0.0));
    assert!(t.deviating.is_empty() && t.far_behind.is_empty() && t.moved_ahead.is_empty());
    assert!(t.seo.iter().all(|d| d.mean_dip == 0.0));
    // The null twin is the same board: same pupils, enrolments and test dates, and identical
    // scores before the first closure.
    let d = default_demo();
    assert_eq!(null.dataset.pupils, d.dataset.pupils);
    assert_eq!(null.dataset.enrolments, d.dataset.enrolments);
    assert_eq!(null.dataset.scores.len(), d.dataset.scores.len());
    for (a, b) in null.dataset.scores.iter().zip(&d.dataset.scores) {
        assert_eq!((a.date, &a.pupil, &a.test_key), (b.date, &b.pupil, &b.test_key));
        if a.date < date!(2020 - 03 - 16) {
            assert_eq!(a, b);
        }
    }
}

#[test]
fn counterfactual_of_the_truth_is_the_null_board() {
    // The truth's counterfactual is the same pupil's true score without corona: with the same
    // measurement error it would give the null board's score (up to rounding and the CSEM, which
    // depends on the level).
    let d = default_demo();
    let null = null_demo();
    let null_scores: BTreeMap<_, _> = null
        .dataset
        .scores
        .iter()
        .map(|s| ((s.school.clone(), s.pupil.clone(), s.test_key.clone(), s.component.clone(), s.date), s))
        .collect();
    let mut checked = 0;
    for r in d.truth.scores.iter().filter(|r| r.shortfall.abs() < 1e-9) {
        let key = (r.school.clone(), r.pupil.clone(), r.test_key.clone(), r.component.clone(), r.date);
        let n = null_scores[&key];
        let s = d.truth.score(&r.school, &r.pupil, &r.test_key, r.component.as_deref(), r.date).expect("row");
        assert_eq!(s.counterfactual, s.true_score);
        assert!(n.ability.is_some());
        checked += 1;
    }
    // Pupils who started groep 3 after the closures have no loss.
    assert!(checked > 100, "{checked}");
    // With corona, scores after the first closure are lower on average than in the null twin.
    let diff: Vec<f64> = d
        .dataset
        .scores
        .iter()
        .zip(&null.dataset.scores)
        .filter(|(a, _)| a.date >= date!(2020 - 03 - 16) && a.component.is_none())
        .map(|(a, b)| b.ability.unwrap_or(0.0) - a.ability.unwrap_or(0.0))
        .collect();
    assert!(diff.iter().sum::<f64>() / diff.len() as f64 > 1.0);
}

#[test]
fn default_delays_are_plausible() {
    let t = &default_demo().truth;
    let m2021 = primary_target();
    for s in
        [Subject::BEGRIJPEND_LEZEN, Subject::SPELLING, Subject::REKENEN_WISKUNDE, Subject::TECHNISCH_LEZEN]
    {
        let d = t.subject_delay(m2021, s).expect("subject at M 2020-2021");
        assert!((1.0..=4.0).contains(&d), "{s}: {d}");
    }
    // Reading comprehension recovers: less delay at M 2022-2023 than at M 2020-2021.
    let bl21 = t.subject_delay(m2021, Subject::BEGRIJPEND_LEZEN).expect("bl");
    let bl23 = t.subject_delay(Target::new(2022, MomentKind::M), Subject::BEGRIJPEND_LEZEN).expect("bl 2023");
    assert!(bl23 < bl21 * 0.8, "{bl21} -> {bl23}");
    // Larger delays for pupils with a leerlinggewicht.
    let sub = |k: &str| {
        t.subgroups
            .iter()
            .find(|g| {
                g.target == m2021
                    && g.subject == Subject::REKENEN_WISKUNDE
                    && g.subgroup.as_deref() == Some(k)
            })
            .map(|g| g.mean_delay_months)
            .expect("subgroup")
    };
    assert!(sub("gewicht_1.2") > sub("gewicht_0"));
}

#[test]
fn deviating_jaargroepen_and_pupils_are_in_the_truth() {
    let t = &default_demo().truth;
    let m2021 = primary_target();
    let devs: Vec<_> = t.deviating.iter().filter(|d| d.target == m2021).collect();
    assert!(devs.iter().any(|d| d.direction == "negative" && d.contrast_months > 1.5), "{devs:?}");
    assert!(devs.iter().any(|d| d.direction == "positive" && d.contrast_months < -1.0), "{devs:?}");
    assert!(t.far_behind.len() >= 8, "{}", t.far_behind.len());
    assert!(!t.moved_ahead.is_empty());
    for r in &t.far_behind {
        let s = t
            .pupils_at(m2021)
            .find(|p| p.school == r.school && p.pupil == r.pupil)
            .expect("far-behind pupil has a summary");
        assert!(s.mean_delay_months >= t.far_behind_threshold_months);
        assert_eq!(s.injected, Injected::FarBehind);
    }
    // The far-behind pupils are separated from the rest: no uninjected pupil comes close.
    let bulk_max = t
        .pupils_at(m2021)
        .filter(|p| p.injected == Injected::None && p.n_subjects >= 2)
        .map(|p| p.mean_delay_months)
        .fold(f64::MIN, f64::max);
    assert!(bulk_max < t.far_behind_threshold_months - 0.5, "{bulk_max}");
}

#[test]
fn effect_scale_scales_the_delays() {
    let half = generate(&DemoConfig { effect_scale: 0.5, ..DemoConfig::default() });
    let m2021 = primary_target();
    let full = default_demo().truth.subject_delay(m2021, Subject::BEGRIJPEND_LEZEN).expect("bl");
    let h = half.truth.subject_delay(m2021, Subject::BEGRIJPEND_LEZEN).expect("bl");
    assert!((h / full - 0.5).abs() < 0.1, "{h} vs {full}");
    assert!((half.truth.far_behind_threshold_months - 2.5).abs() < 1e-12);
}

#[test]
fn names_have_particles_and_diacritics() {
    let ds = &default_demo().dataset;
    let prefixes: BTreeSet<&str> = ds.pupils.iter().filter_map(|p| p.prefix.as_deref()).collect();
    for p in ["van der", "de", "van 't", "'t"] {
        assert!(prefixes.contains(p), "{p}");
    }
    let names: String = ds.pupils.iter().map(|p| p.display_name()).collect::<Vec<_>>().join(" ");
    for c in ['ë', 'ï', 'ö', 'é'] {
        assert!(names.contains(c), "{c}");
    }
    let weights: BTreeSet<_> = ds.pupils.iter().filter_map(|p| p.weight).collect();
    assert_eq!(weights.len(), 3);
    let opp = ds.pupils.iter().filter(|p| p.opp).count() as f64 / ds.pupils.len() as f64;
    assert!((0.01..=0.06).contains(&opp), "{opp}");
}

#[test]
fn observations_and_notes() {
    let d = default_demo();
    let ds = &d.dataset;
    let informants: BTreeSet<_> = ds.observations.iter().map(|o| o.informant).collect();
    assert_eq!(informants.len(), 2);
    assert!(ds.observations.iter().all(|o| (1.0..=4.0).contains(&o.value)));
    let signals =
        ds.observations.iter().filter(|o| o.signal.is_some()).count() as f64 / ds.observations.len() as f64;
    assert!((0.01..0.2).contains(&signals), "{signals}");
    // The corona dip in welbevinden: spring 2021 lower than spring 2019 (leerkracht).
    let mean = |y: i32| {
        let v: Vec<f64> = ds
            .observations
            .iter()
            .filter(|o| {
                o.dimension == "welbevinden"
                    && o.informant == schoolscan_domain::Informant::Leerkracht
                    && o.date.year() == y
                    && o.date.month() == Month::April
            })
            .map(|o| o.value)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(mean(2021) < mean(2019) - 0.1, "{} vs {}", mean(2021), mean(2019));
    let kinds: BTreeSet<&str> = ds.notes.iter().map(|n| n.kind.as_str()).collect();
    for k in ["gesprek_leerling", "gesprek_ouder", "observatie", "leerlingbespreking"] {
        assert!(kinds.contains(k), "{k}");
    }
    assert!(
        ds.notes.iter().all(|n| !n.domains.is_empty() && n.text.as_deref().is_some_and(|t| !t.is_empty()))
    );
}

#[test]
fn truth_serialises() {
    let t = &default_demo().truth;
    let json = serde_json::to_string(&t.deviating).expect("serialise");
    assert!(json.contains("\"2020-2021\""), "{json}");
    let back: Vec<schoolscan_demo::Deviation> = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, t.deviating);
    let full = serde_json::to_string(t).expect("the whole truth serialises");
    let back: schoolscan_demo::Truth = serde_json::from_str(&full).expect("and deserialises");
    assert!(back == *t, "the truth survives a JSON round trip (serde_json float_roundtrip)");
}
