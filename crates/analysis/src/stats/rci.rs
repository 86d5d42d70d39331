//! Reliable Change Index (growth-method.md §6; Jacobson & Truax 1991, Maassen 2004).

/// RC with per-score conditional standard errors: (x2 − x1) / sqrt(CSEM1² + CSEM2²).
pub fn rc_csem(x1: f64, x2: f64, csem1: f64, csem2: f64) -> f64 {
    (x2 - x1) / s_diff_csem(csem1, csem2)
}

/// S_diff from two per-score CSEMs (independent errors).
pub fn s_diff_csem(csem1: f64, csem2: f64) -> f64 {
    (csem1 * csem1 + csem2 * csem2).sqrt()
}

/// Jacobson–Truax S_diff = sqrt(2) · s1 · sqrt(1 − r_xx).
pub fn s_diff_jacobson_truax(s1: f64, rxx: f64) -> f64 {
    std::f64::consts::SQRT_2 * s1 * (1.0 - rxx).max(0.0).sqrt()
}

/// Maassen S_diff = sqrt((s1² + s2²)(1 − r_xx)).
pub fn s_diff_maassen(s1: f64, s2: f64, rxx: f64) -> f64 {
    ((s1 * s1 + s2 * s2) * (1.0 - rxx).max(0.0)).sqrt()
}

/// RC against an expected gain from the baseline cohorts: (x2 − x1 − E[gain]) / S_diff.
pub fn rc_expected(x1: f64, x2: f64, expected_gain: f64, s_diff: f64) -> f64 {
    (x2 - x1 - expected_gain) / s_diff
}

/// Reliable direction at the 95% level: +1 reliably up, −1 reliably down, 0 otherwise.
pub fn reliable_direction(rc: f64) -> i8 {
    if rc > 1.96 {
        1
    } else if rc < -1.96 {
        -1
    } else {
        0
    }
}

/// Measurement variance of the change in growth rate d = (y_c − y_b)/m2 − (y_b − y_a)/m1 for
/// three scores with CSEMs a, b, c over m1 and m2 school months (§6): the shared y_b counts twice.
pub fn growth_rate_change_var(csem_a: f64, csem_b: f64, csem_c: f64, m1: f64, m2: f64) -> f64 {
    csem_c.powi(2) / (m2 * m2) + csem_b.powi(2) * (1.0 / m1 + 1.0 / m2).powi(2) + csem_a.powi(2) / (m1 * m1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rci_formulas() {
        assert!((rc_csem(100.0, 130.0, 20.0, 15.0) - 30.0 / 25.0).abs() < 1e-12);
        assert_eq!(reliable_direction(rc_csem(100.0, 160.0, 20.0, 15.0)), 1);
        assert_eq!(reliable_direction(-2.0), -1);
        assert_eq!(reliable_direction(1.9), 0);
        // SE = 10 sqrt(1 - 0.84) = 4; S_diff = 4 sqrt 2
        assert!((s_diff_jacobson_truax(10.0, 0.84) - 4.0 * 2f64.sqrt()).abs() < 1e-12);
        // Equal variances: Maassen equals Jacobson–Truax.
        assert!((s_diff_maassen(10.0, 10.0, 0.84) - s_diff_jacobson_truax(10.0, 0.84)).abs() < 1e-12);
        assert!((rc_expected(100.0, 130.0, 20.0, 5.0) - 2.0).abs() < 1e-12);
        // m1 = m2 = 1, all CSEM 1: 1 + 4 + 1 = 6
        assert!((growth_rate_change_var(1.0, 1.0, 1.0, 1.0, 1.0) - 6.0).abs() < 1e-12);
    }
}
