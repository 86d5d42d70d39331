//! Engine tests on small hand-made boards (tests/common/synth.rs) with a known truth: recovery of
//! injected delays, calibration without an effect, invariance, determinism and missing data.

mod common;

use std::collections::BTreeSet;

use common::synth::{Rng, SynthConfig, brin, generate};
use schoolscan_analysis::{Config, Direction, Findings, PupilBasis, analyse, summary_nl};
use schoolscan_domain::{Dataset, MomentKind, PupilNumber, SchoolYear};

fn cfg_m2021() -> Config {
    Config { year: Some(SchoolYear::new(2020)), moment: Some(MomentKind::M), ..Config::default() }
}

fn run(data: &Dataset, cfg: &Config) -> Findings {
    analyse(data, cfg).expect("analysis")
}

#[allow(dead_code)]
fn negative_pupils(f: &Findings) -> BTreeSet<(String, String)> {
    f.pupils
        .iter()
        .filter(|p| p.direction == Direction::Negative && p.basis != PupilBasis::Classmates)
        .map(|p| (p.school.to_string(), p.pupil.to_string()))
        .collect()
}

#[test]
fn subject_delays_recover_the_truth_with_covering_intervals() {
    let mut cover = 0;
    let mut total = 0;
    for seed in [101, 202, 303, 404] {
        let s = generate(&SynthConfig { seed, delay: 3.0, ..SynthConfig::default() });
        let f = run(&s.data, &cfg_m2021());
        assert_eq!(f.target.label, "2020-2021 M");
        assert_eq!(f.subjects.len(), 3);
        for r in &f.subjects {
            // Truth: mean injected delay of the pupils analysed.
            let analysed: BTreeSet<(String, String)> =
                f.cohort_only.iter().map(|c| (c.school.to_string(), c.pupil.to_string())).collect();
            let _ = analysed;
            let d = r.delay_months.expect("months on a vertical scale");
            assert!((d - 3.0).abs() < 1.5, "seed {seed} {}: {d}", r.subject);
            let ci = r.ci95.expect("interval");
            assert!(ci[0] < d && d < ci[1]);
            total += 1;
            if ci[0] <= 3.0 && 3.0 <= ci[1] {
                cover += 1;
            }
            assert!(r.effect_size.expect("es") > 0.0, "same sign as the delay");
        }
    }
    assert!(cover >= total - 2, "coverage {cover}/{total}");
}

#[test]
fn null_board_marks_no_jaargroep_and_flags_few_pupils() {
    let mut flagged = 0usize;
    let mut pupils = 0usize;
    let mut deviating = 0usize;
    let seeds = 12;
    for seed in 0..seeds {
        let s = generate(&SynthConfig { seed: 5000 + seed, delay: 0.0, ..SynthConfig::default() });
        let f = run(&s.data, &cfg_m2021());
        deviating += f.grades.iter().filter(|g| g.deviates.is_some()).count();
        let all: BTreeSet<(String, String)> = f
            .grades
            .iter()
            .map(|g| (g.school.to_string(), g.grade.to_string()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let _ = all;
        let analysed: usize = f.subjects.iter().map(|r| r.n).max().unwrap_or(0);
        pupils += analysed;
        flagged += f
            .pupils
            .iter()
            .map(|p| (p.school.to_string(), p.pupil.to_string()))
            .collect::<BTreeSet<_>>()
            .len();
    }
    println!("null: {deviating} deviating cells, {flagged}/{pupils} pupils flagged");
    // Holm at 5% per school: expect at most a few false cells over 12 boards × 3 schools.
    assert!(deviating <= 3, "{deviating} deviating jaargroep cells on null boards");
    assert!((flagged as f64) <= 0.01 * pupils as f64, "{flagged} of {pupils} pupils flagged");
}

#[test]
fn output_is_deterministic_and_independent_of_row_order() {
    let s = generate(&SynthConfig { seed: 9, far_share: 0.05, ..SynthConfig::default() });
    let a = serde_json::to_string(&run(&s.data, &cfg_m2021())).expect("json");
    let b = serde_json::to_string(&run(&s.data, &cfg_m2021())).expect("json");
    assert_eq!(a, b);
    let mut d = s.data.clone();
    let mut rng = Rng::new(4);
    shuffle(&mut d.scores, &mut rng);
    shuffle(&mut d.pupils, &mut rng);
    shuffle(&mut d.enrolments, &mut rng);
    shuffle(&mut d.tests, &mut rng);
    shuffle(&mut d.schools, &mut rng);
    let c = serde_json::to_string(&run(&d, &cfg_m2021())).expect("json");
    assert_eq!(a, c, "reordering input rows changed the output");
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = (rng.u() * (i + 1) as f64) as usize;
        v.swap(i, j.min(i));
    }
}

#[test]
fn renaming_pupils_changes_nothing() {
    let s = generate(&SynthConfig { seed: 21, far_share: 0.05, ..SynthConfig::default() });
    let f = run(&s.data, &cfg_m2021());
    let rename = |p: &PupilNumber| {
        PupilNumber::parse(&format!("N{}", p.as_str().chars().rev().collect::<String>())).expect("n")
    };
    let mut d = s.data.clone();
    d.pupils.iter_mut().for_each(|p| p.number = rename(&p.number));
    d.scores.iter_mut().for_each(|p| p.pupil = rename(&p.pupil));
    d.enrolments.iter_mut().for_each(|p| p.pupil = rename(&p.pupil));
    let g = run(&d, &cfg_m2021());
    for (a, b) in f.subjects.iter().zip(&g.subjects) {
        assert_eq!(a.subject, b.subject);
        // Floating-point summation order and the Brent search path may differ in the last digits.
        assert!((a.delay_months.unwrap() - b.delay_months.unwrap()).abs() < 1e-4);
        assert_eq!(a.n, b.n);
    }
    for (a, b) in f.grades.iter().zip(&g.grades) {
        assert_eq!(a.deviates, b.deviates);
        // The REML search (Brent, tolerance 1e-10 in log θ) may stop at a slightly different point.
        assert!((a.delay_months.unwrap_or(0.0) - b.delay_months.unwrap_or(0.0)).abs() < 1e-4);
    }
    let fa: BTreeSet<(String, String, PupilBasis)> =
        f.pupils.iter().map(|p| (p.school.to_string(), rename(&p.pupil).to_string(), p.basis)).collect();
    let fb: BTreeSet<(String, String, PupilBasis)> =
        g.pupils.iter().map(|p| (p.school.to_string(), p.pupil.to_string(), p.basis)).collect();
    assert_eq!(fa, fb);
}

#[test]
fn other_schools_corona_results_do_not_change_a_schools_flags() {
    // Shift every post-closure score of school 2 by +30 points: its pupils look far ahead. School 0
    // shares only the pooled baseline (unchanged) and the class variance components (school fixed
    // effects absorb a constant shift), so nothing of school 0 may change.
    let s = generate(&SynthConfig { seed: 31, far_share: 0.05, ..SynthConfig::default() });
    let cfg = Config { school: Some(brin(0)), ..cfg_m2021() };
    let f = run(&s.data, &cfg);
    let mut d = s.data.clone();
    let closure = cfg.closure_start;
    for sc in d.scores.iter_mut().filter(|x| x.school == brin(2) && x.date >= closure) {
        sc.ability = sc.ability.map(|a| a + 30.0);
    }
    let g = run(&d, &cfg);
    assert_eq!(f.pupils.len(), g.pupils.len());
    for (a, b) in f.pupils.iter().zip(&g.pupils) {
        assert_eq!((&a.pupil, a.basis, &a.subject), (&b.pupil, b.basis, &b.subject));
        assert!((a.q_value - b.q_value).abs() < 1e-9);
    }
    for (a, b) in f.grades.iter().zip(&g.grades) {
        assert_eq!(a.deviates, b.deviates);
    }
    // And the school's own figures are the same.
    for (a, b) in f.subjects.iter().zip(&g.subjects) {
        assert!((a.delay_months.unwrap() - b.delay_months.unwrap()).abs() < 1e-9);
    }
}

#[test]
fn pupils_without_a_pre_corona_score_are_compared_with_the_cohort_only() {
    let s = generate(&SynthConfig { seed: 41, ..SynthConfig::default() });
    let mut d = s.data.clone();
    // Pupils of school 1 whose number ends in 7 lose every pre-corona score (new pupils).
    let closure = Config::default().closure_start;
    let is_new = |b: &schoolscan_domain::Brin, p: &PupilNumber| *b == brin(1) && p.as_str().ends_with('7');
    d.scores.retain(|x| !(is_new(&x.school, &x.pupil) && x.date < closure));
    let f = run(&d, &cfg_m2021());
    let new_current: BTreeSet<String> = d
        .scores
        .iter()
        .filter(|x| {
            is_new(&x.school, &x.pupil)
                && x.date >= closure
                && SchoolYear::of(x.date) == SchoolYear::new(2020)
        })
        .map(|x| x.pupil.to_string())
        .collect();
    assert!(!new_current.is_empty());
    let co: BTreeSet<String> =
        f.cohort_only.iter().filter(|c| c.school == brin(1)).map(|c| c.pupil.to_string()).collect();
    assert!(new_current.iter().all(|p| co.contains(p)), "every new pupil is in cohort_only");
    for c in f.cohort_only.iter().filter(|c| c.school == brin(1) && c.pupil.as_str().ends_with('7')) {
        assert!(c.reason.contains("vóór de schoolsluiting"));
        let p = c.percentile.expect("percentile");
        assert!((0.0..=100.0).contains(&p));
    }
    assert!(f.pupils.iter().all(|p| !(p.school == brin(1) && new_current.contains(p.pupil.as_str()))));
    assert!(f.notes.iter().any(|n| n.code == "cohort_only"));
    let text = summary_nl(&f);
    assert!(text.contains("alleen met eerdere jaargangen vergeleken"), "{text}");
}

#[test]
fn summary_and_json_contract() {
    let s =
        generate(&SynthConfig { seed: 51, far_share: 0.05, deviating_extra: 6.0, ..SynthConfig::default() });
    let f = run(&s.data, &Config::default());
    let text = summary_nl(&f);
    for needle in
        ["1. Vakgebieden", "2. Jaargroepen", "3. Onderdelen", "4. Leerlingen", "schoolmaanden", "NCO-weken"]
    {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    let v: serde_json::Value = serde_json::to_value(&f).expect("json");
    assert_eq!(v["version"], schoolscan_analysis::FINDINGS_VERSION);
    assert!(v["version"].as_str().is_some_and(|x| x.starts_with("1.")));
    for key in [
        "growth_percentiles",
        "sgp_models",
        "subjects",
        "grades",
        "classes",
        "components",
        "pupils",
        "cohorts",
        "subgroups",
        "seo",
        "recovery",
        "config",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let back: Findings = serde_json::from_value(v).expect("round trip");
    assert_eq!(back, f);
    // Subjects most delayed first.
    let d: Vec<f64> = f.subjects.iter().filter_map(|r| r.delay_months).collect();
    assert!(d.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn errors_are_dutch_and_specific() {
    let s = generate(&SynthConfig { seed: 3, schools: 1, ..SynthConfig::default() });
    let e = analyse(
        &s.data,
        &Config { school: Some(schoolscan_domain::Brin::parse("99ZZ").unwrap()), ..Config::default() },
    )
    .unwrap_err();
    assert!(e.to_string().contains("komt niet voor"));
    let e = analyse(
        &s.data,
        &Config { year: Some(SchoolYear::new(2018)), moment: Some(MomentKind::M), ..Config::default() },
    )
    .unwrap_err();
    assert!(e.to_string().contains("vóór de schoolsluiting"), "{e}");
    assert!(analyse(&Dataset::default(), &Config::default()).is_err());
}

#[test]
fn expected_scores_agree_with_the_delays() {
    let s = generate(&SynthConfig { seed: 77, delay: 3.0, ..SynthConfig::default() });
    let f = run(&s.data, &cfg_m2021());
    assert!(!f.expected.is_empty());
    for r in &f.subjects {
        let rows: Vec<_> =
            f.expected.iter().filter(|e| e.subject == r.subject && e.scale == r.scale).collect();
        // One row per pupil with a delay in this subject.
        assert_eq!(rows.len(), r.n, "{}", r.subject);
        for e in &rows {
            assert!(e.band95[0] < e.expected && e.expected < e.band95[1]);
        }
        // Behind by about 3 months: the mean score lies below the mean expectation.
        let gap: f64 = rows.iter().map(|e| e.expected - e.score).sum::<f64>() / rows.len() as f64;
        assert!(gap > 0.0, "{}: {gap}", r.subject);
    }
    let none = generate(&SynthConfig { seed: 77, delay: 0.0, ..SynthConfig::default() });
    let f0 = run(&none.data, &cfg_m2021());
    let inside = f0.expected.iter().filter(|e| e.band95[0] <= e.score && e.score <= e.band95[1]).count();
    let share = inside as f64 / f0.expected.len() as f64;
    assert!(share > 0.85, "without a delay most scores fall inside the band: {share}");
}
