//! Validation case V6 (growth-method.md §11): random-intercept reference values on `bdf.csv`
//! (Snijders & Bosker), fitted with the profiled (RE)ML of §3.2 and the empirical Bayes of §3.3.

mod common;

use std::collections::BTreeMap;

use common::{assert_close, col, read_csv};
use schoolscan_analysis::stats::combine;
use schoolscan_analysis::stats::mixed::{Method, fit};

struct Bdf {
    school: Vec<usize>,
    school_labels: Vec<String>,
    lang_post: Vec<f64>,
    lang_pret: Vec<f64>,
    iq_verb: Vec<f64>,
    ses: Vec<f64>,
}

fn load() -> Bdf {
    let (h, rows) = read_csv("bdf.csv");
    let (cs, cpost, cpre, ciq, cses) =
        (col(&h, "schoolNR"), col(&h, "langPOST"), col(&h, "langPRET"), col(&h, "IQ.verb"), col(&h, "ses"));
    // Cluster indices in order of first appearance of the label sorted as numbers.
    let mut labels: BTreeMap<u64, String> = BTreeMap::new();
    for r in &rows {
        labels.insert(r[cs].parse().expect("schoolNR"), r[cs].clone());
    }
    let index: BTreeMap<String, usize> = labels.values().enumerate().map(|(i, l)| (l.clone(), i)).collect();
    let f = |s: &str| s.parse::<f64>().expect("number");
    Bdf {
        school: rows.iter().map(|r| index[&r[cs]]).collect(),
        school_labels: labels.into_values().collect(),
        lang_post: rows.iter().map(|r| f(&r[cpost])).collect(),
        lang_pret: rows.iter().map(|r| f(&r[cpre])).collect(),
        iq_verb: rows.iter().map(|r| f(&r[ciq])).collect(),
        ses: rows.iter().map(|r| f(&r[cses])).collect(),
    }
}

#[test]
fn data_shape() {
    let d = load();
    assert_eq!(d.lang_post.len(), 2287);
    assert_eq!(d.school_labels.len(), 131);
}

#[test]
fn m0_empty_model_ml_and_reml() {
    let d = load();
    let x = vec![1.0; d.lang_post.len()];
    let ml = fit(&x, &d.lang_post, &d.school, 1, Method::Ml).expect("fit");
    assert_close("M0 ML intercept", ml.beta[0], 40.364, 3);
    assert_close("M0 ML tau2", ml.tau2, 19.429, 3);
    assert_close("M0 ML sigma2", ml.sigma2, 64.568, 3);
    assert_close("M0 ICC", ml.icc(), 0.231, 3);
    let reml = fit(&x, &d.lang_post, &d.school, 1, Method::Reml).expect("fit");
    assert_close("M0 REML intercept", reml.beta[0], 40.362, 3);
    assert_close("M0 REML tau2", reml.tau2, 19.633, 3);
    assert_close("M0 REML sigma2", reml.sigma2, 64.564, 3);
}

#[test]
fn m1_centred_verbal_iq() {
    let d = load();
    let mean_iq = combine::mean(&d.iq_verb);
    assert_close("mean IQ.verb", mean_iq, 11.834, 3);
    let x: Vec<f64> = d.iq_verb.iter().flat_map(|&iq| [1.0, iq - mean_iq]).collect();
    let ml = fit(&x, &d.lang_post, &d.school, 2, Method::Ml).expect("fit");
    assert_close("M1 ML intercept", ml.beta[0], 40.609, 3);
    assert_close("M1 ML slope", ml.beta[1], 2.488, 3);
    assert_close("M1 ML tau2", ml.tau2, 9.497, 3);
    assert_close("M1 ML sigma2", ml.sigma2, 42.227, 3);
    let reml = fit(&x, &d.lang_post, &d.school, 2, Method::Reml).expect("fit");
    assert_close("M1 REML intercept", reml.beta[0], 40.608, 3);
    assert_close("M1 REML slope", reml.beta[1], 2.488, 3);
    assert_close("M1 REML tau2", reml.tau2, 9.603, 3);
    assert_close("M1 REML sigma2", reml.sigma2, 42.244, 3);
}

#[test]
fn m2_value_added_with_empirical_bayes() {
    let d = load();
    let x: Vec<f64> = d.lang_pret.iter().zip(&d.ses).flat_map(|(&pre, &ses)| [1.0, pre, ses]).collect();
    let m = fit(&x, &d.lang_post, &d.school, 3, Method::Reml).expect("fit");
    assert_close("M2 intercept", m.beta[0], 7.202, 3);
    assert_close("M2 langPRET", m.beta[1], 0.880, 3);
    assert_close("M2 ses", m.beta[2], 0.124, 3);
    let se = m.se_beta();
    assert_close("M2 SE intercept", se[0], 0.701, 3);
    assert_close("M2 SE langPRET", se[1], 0.0195, 4);
    assert_close("M2 SE ses", se[2], 0.0129, 4);
    assert_close("M2 tau2", m.tau2, 7.332, 3);
    assert_close("M2 sigma2", m.sigma2, 30.330, 3);

    let idx = |label: &str| d.school_labels.iter().position(|l| l == label).expect("school label");
    let s123 = m.eb(idx("123")).expect("school 123");
    assert_eq!(s123.n, 4.0);
    assert_close("school 123 mean residual", s123.mean_residual, -4.024, 3);
    assert_close("school 123 lambda", s123.lambda, 0.4916, 4);
    assert_close("school 123 u", s123.u, -1.978, 3);
    assert_close("school 123 posterior variance", s123.post_var, 3.728, 3);
    let s1 = m.eb(idx("1")).expect("school 1");
    assert_eq!(s1.n, 25.0);
    assert_close("school 1 mean residual", s1.mean_residual, 1.577, 3);
    assert_close("school 1 lambda", s1.lambda, 0.858, 3);
    assert_close("school 1 u", s1.u, 1.353, 3);

    let effects: Vec<f64> = (0..m.n_clusters()).filter_map(|j| m.eb(j)).map(|e| e.u).collect();
    assert_eq!(effects.len(), 131);
    assert_close("SD of EB effects", combine::sd(&effects), 2.394, 3);
    let min = effects.iter().copied().fold(f64::INFINITY, f64::min);
    let max = effects.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert_close("min EB effect", min, -6.592, 3);
    assert_close("max EB effect", max, 7.091, 3);
    // The school of 35 pupils has λ = 0.894 (growth-method.md §3.3).
    let big = (0..m.n_clusters()).filter_map(|j| m.eb(j)).find(|e| e.n == 35.0).expect("a school of 35");
    assert_close("lambda at n = 35", big.lambda, 0.894, 3);
}
