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
