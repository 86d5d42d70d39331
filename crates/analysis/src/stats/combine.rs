//! Combining evidence: Stouffer's Z with correlated components, and small descriptive helpers.

/// Stouffer with correlation: Z = Σ z_s / sqrt(1ᵀ P 1), P the correlation matrix of the z's
/// (row-major k × k). Returns NaN when 1ᵀP1 ≤ 0 or the sizes disagree.
pub fn stouffer(z: &[f64], corr: &[f64]) -> f64 {
    let k = z.len();
    if corr.len() != k * k || k == 0 {
        return f64::NAN;
    }
    let denom: f64 = corr.iter().sum();
    if denom <= 0.0 {
        return f64::NAN;
    }
    z.iter().sum::<f64>() / denom.sqrt()
}

/// The most powerful linear combination of correlated z's against a common shift δ·μ (Z-test of
/// generalised least squares): w = P⁻¹μ, Z = wᵀz / sqrt(wᵀPw), N(0, 1) under the null for any μ.
/// With μ = 1 and equal correlations it is [`stouffer`]. For a common delay in school months, μ_s = 1/SD_s of subject
/// s in months, so precise subjects weigh more; negative weights are set to 0. NaN when P is not
/// positive definite or the sizes disagree.
pub fn weighted_stouffer(z: &[f64], corr: &[f64], mu: &[f64]) -> f64 {
    let k = z.len();
    if corr.len() != k * k || mu.len() != k || k == 0 {
        return f64::NAN;
    }
    let Some(ch) = crate::stats::linalg::Cholesky::new(corr, k) else { return f64::NAN };
    // A negative weight would make more delay in that subject count against the pupil: such
    // weights are set to 0. Any fixed w keeps Z standard normal under the null.
    let w: Vec<f64> = ch.solve(mu).into_iter().map(|v| v.max(0.0)).collect();
    let mut denom = 0.0;
    for i in 0..k {
        for j in 0..k {
            denom += w[i] * corr[i * k + j] * w[j];
        }
    }
    if denom.is_nan() || denom <= 0.0 {
        return f64::NAN;
    }
    w.iter().zip(z).map(|(a, b)| a * b).sum::<f64>() / denom.sqrt()
}

/// Mean of a slice (NaN when empty).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() { f64::NAN } else { x.iter().sum::<f64>() / x.len() as f64 }
}

/// Sample variance with n − 1 (NaN below 2 values).
pub fn var(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

/// Sample standard deviation with n − 1.
pub fn sd(x: &[f64]) -> f64 {
    var(x).sqrt()
}

/// Pearson correlation of paired values (NaN below 3 pairs or zero variance).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    if x.len() != y.len() || x.len() < 3 {
        return f64::NAN;
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx <= 0.0 || syy <= 0.0 { f64::NAN } else { sxy / (sxx * syy).sqrt() }
}

/// Type-7 sample quantile (R's default) of already sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Mid-rank percentile of y in a sorted reference sample: 100 (#{B < y} + #{B ≤ y}) / (2 n).
pub fn mid_rank_percentile(sorted: &[f64], y: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let lt = sorted.partition_point(|&b| b < y);
    let le = sorted.partition_point(|&b| b <= y);
    100.0 * (lt + le) as f64 / (2.0 * sorted.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_stouffer_cases() {
        let z = [1.0, 2.0, 3.0];
        let p = [1.0, 0.3, 0.2, 0.3, 1.0, 0.4, 0.2, 0.4, 1.0];
        // Equal weights and equal correlations: plain Stouffer.
        let eq = [1.0, 0.4, 0.4, 0.4, 1.0, 0.4, 0.4, 0.4, 1.0];
        assert!((weighted_stouffer(&z, &eq, &[1.0; 3]) - stouffer(&z, &eq)).abs() < 1e-12);
        // Independent: w = μ, Z = Σ μ z / |μ|.
        let eye = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        let mu = [1.0, 2.0, 0.5];
        let want = (1.0 + 4.0 + 1.5) / (1.0f64 + 4.0 + 0.25).sqrt();
        assert!((weighted_stouffer(&z, &eye, &mu) - want).abs() < 1e-12);
        // Scale-free in μ, and unit variance under the null: Var(wᵀz)/(wᵀPw) = 1 for any P.
        assert!((weighted_stouffer(&z, &p, &mu) - weighted_stouffer(&z, &p, &[2.0, 4.0, 1.0])).abs() < 1e-12);
        // One subject only: the z itself.
        assert!((weighted_stouffer(&[2.5], &[1.0], &[0.7]) - 2.5).abs() < 1e-12);
        // Strongly correlated subjects with unequal μ: no negative weight (more delay never lowers Z).
        let high = [1.0, 0.95, 0.95, 1.0];
        let zw = weighted_stouffer(&[3.0, 0.0], &high, &[1.0, 3.0]);
        let zv = weighted_stouffer(&[3.0, 1.0], &high, &[1.0, 3.0]);
        assert!(zv >= zw, "{zv} < {zw}");
        // Not positive definite or mismatched sizes: NaN.
        assert!(weighted_stouffer(&z, &[1.0; 9], &mu).is_nan());
        assert!(weighted_stouffer(&z, &eye, &[1.0]).is_nan());
    }

    #[test]
    fn stouffer_cases() {
        // Independent: sum / sqrt(k).
        let z = [1.0, 2.0, 3.0];
        let eye = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        assert!((stouffer(&z, &eye) - 6.0 / 3f64.sqrt()).abs() < 1e-12);
        // Perfectly correlated: the mean.
        let ones = [1.0; 9];
        assert!((stouffer(&z, &ones) - 2.0).abs() < 1e-12);
        // ρ = 0.5 for two: 1ᵀP1 = 3.
        assert!((stouffer(&[2.0, 2.0], &[1.0, 0.5, 0.5, 1.0]) - 4.0 / 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn descriptives() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((mean(&x) - 2.5).abs() < 1e-12);
        assert!((var(&x) - 5.0 / 3.0).abs() < 1e-12);
        assert!((pearson(&x, &[2.0, 4.0, 6.0, 8.0]) - 1.0).abs() < 1e-12);
        assert!((quantile_sorted(&x, 0.2) - 1.6).abs() < 1e-12);
        assert!((mid_rank_percentile(&x, 2.0) - 100.0 * 3.0 / 8.0).abs() < 1e-12);
        assert!((mid_rank_percentile(&x, 10.0) - 100.0).abs() < 1e-12);
    }
}
