//! Variance of a group mean under clustering of pupils in classes (growth-method.md §5.2–5.3):
//! D_i = μ + v_c + w_i with Var(v_c) = τ_c², Var(w_i) = σ_w².

/// Var(D̄) = (1/N²) Σ_c (n_c² τ_c² + n_c σ_w²) for class sizes n_c.
pub fn clustered_mean_var(class_sizes: &[usize], tau2: f64, sigma2: f64) -> f64 {
    let n: usize = class_sizes.iter().sum();
    if n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    class_sizes
        .iter()
        .map(|&c| {
            let c = c as f64;
            c * c * tau2 + c * sigma2
        })
        .sum::<f64>()
        / (nf * nf)
}

/// Kish design effect for equal cluster size m and intraclass correlation ρ: 1 + (m − 1)ρ.
pub fn kish_deff(m: f64, rho: f64) -> f64 {
    1.0 + (m - 1.0).max(0.0) * rho
}

/// Covariance of the means of two groups that share clusters (combination classes):
/// Σ_{c shared} n_{c,a} n_{c,b} τ_c² / (N_a N_b).
pub fn shared_cluster_cov(shared: &[(usize, usize)], n_a: usize, n_b: usize, tau2: f64) -> f64 {
    if n_a == 0 || n_b == 0 {
        return 0.0;
    }
    shared.iter().map(|&(a, b)| (a * b) as f64).sum::<f64>() * tau2 / (n_a as f64 * n_b as f64)
}

/// Effective sample size N / deff of a group with these class sizes (for display).
pub fn effective_n(class_sizes: &[usize], tau2: f64, sigma2: f64) -> f64 {
    let n: usize = class_sizes.iter().sum();
    let v = clustered_mean_var(class_sizes, tau2, sigma2);
    if v > 0.0 { (tau2 + sigma2) / v } else { n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_classes_give_kish() {
        // 4 classes of 25, τ² = 1, σ² = 9: ρ = 0.1, σ_D² = 10, N = 100
        let v = clustered_mean_var(&[25, 25, 25, 25], 1.0, 9.0);
        let kish = 10.0 / 100.0 * kish_deff(25.0, 0.1);
        assert!((v - kish).abs() < 1e-12, "{v} {kish}");
        assert!((effective_n(&[25, 25, 25, 25], 1.0, 9.0) - 100.0 / 3.4).abs() < 1e-9);
        assert!((shared_cluster_cov(&[(10, 12)], 30, 60, 2.0) - 240.0 / 1800.0).abs() < 1e-12);
        // No clustering: σ²/N.
        assert!((clustered_mean_var(&[1, 1, 1, 1], 0.0, 4.0) - 1.0).abs() < 1e-12);
    }
}
