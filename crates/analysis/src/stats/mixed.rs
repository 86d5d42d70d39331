//! The random-intercept linear model y_ij = x_ijᵀβ + u_j + e_ij, u_j ~ N(0, τ²), e_ij ~ N(0, σ²),
//! fitted by profiled ML or REML with a one-dimensional Brent search over log θ, θ = τ²/σ²
//! (growth-method.md §3.2), and the empirical-Bayes (BLUP) cluster effects of §3.3.
//!
//! Everything is computed from per-cluster sufficient statistics, so one likelihood evaluation
//! costs O(J p²) for J clusters and p fixed effects, after one O(N p²) pass over the data.

use serde::{Deserialize, Serialize};

use super::brent;
use super::linalg::{Cholesky, quad_form};

/// Maximum likelihood or restricted maximum likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Ml,
    Reml,
}

/// Sufficient statistics of one cluster.
#[derive(Debug, Clone)]
struct ClusterStats {
    n: f64,
    sx: Vec<f64>,
    sy: f64,
}

/// A fitted random-intercept model.
#[derive(Debug, Clone)]
pub struct RiFit {
    pub method: Method,
    /// Fixed effects β̂.
    pub beta: Vec<f64>,
    /// Cov(β̂) = σ̂² A(θ̂)⁻¹, row-major p × p.
    pub cov_beta: Vec<f64>,
    /// Residual (within-cluster) variance σ̂².
    pub sigma2: f64,
    /// Cluster (random-intercept) variance τ̂².
    pub tau2: f64,
    /// −2 log-likelihood at the optimum, including constants.
    pub neg2ll: f64,
    pub n: usize,
    pub p: usize,
    /// Per cluster (in the order of the cluster indices given): size, mean residual ȳ_j − x̄_jᵀβ̂.
    clusters: Vec<(f64, f64)>,
}

/// An empirical-Bayes (BLUP) cluster effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EbEffect {
    pub n: f64,
    /// r̄_j = ȳ_j − x̄_jᵀβ̂.
    pub mean_residual: f64,
    /// λ_j = τ² / (τ² + σ²/n_j).
    pub lambda: f64,
    /// û_j = λ_j r̄_j.
    pub u: f64,
    /// Var(u_j | data) ≈ λ_j σ²/n_j (ignores the uncertainty of β̂).
    pub post_var: f64,
}

impl RiFit {
    /// Intraclass correlation τ² / (τ² + σ²).
    pub fn icc(&self) -> f64 {
        let t = self.tau2 + self.sigma2;
        if t > 0.0 { self.tau2 / t } else { 0.0 }
    }
    /// Standard errors of β̂.
    pub fn se_beta(&self) -> Vec<f64> {
        (0..self.p).map(|i| self.cov_beta[i * self.p + i].max(0.0).sqrt()).collect()
    }
    /// Number of clusters (including empty ones if indices were skipped).
    pub fn n_clusters(&self) -> usize {
        self.clusters.len()
    }
    /// The empirical-Bayes effect of cluster `j`; `None` for an index without data.
    pub fn eb(&self, j: usize) -> Option<EbEffect> {
        let &(n, r) = self.clusters.get(j)?;
        if n <= 0.0 {
            return None;
        }
        let lambda = if self.tau2 > 0.0 { self.tau2 / (self.tau2 + self.sigma2 / n) } else { 0.0 };
        Some(EbEffect { n, mean_residual: r, lambda, u: lambda * r, post_var: lambda * self.sigma2 / n })
    }
}

/// Fit y = Xβ + u_cluster + e. `x` is row-major N × p, `cluster[i]` in 0..J. Returns `None` when the
/// design is singular or there are too few rows (N ≤ p).
pub fn fit(x: &[f64], y: &[f64], cluster: &[usize], p: usize, method: Method) -> Option<RiFit> {
    let n = y.len();
    if p == 0 || x.len() != n * p || cluster.len() != n || n <= p {
        return None;
    }
    let j_count = cluster.iter().copied().max().map_or(0, |m| m + 1);
    let mut cs: Vec<ClusterStats> = vec![ClusterStats { n: 0.0, sx: vec![0.0; p], sy: 0.0 }; j_count];
    let mut a0 = vec![0.0; p * p];
    let mut b0 = vec![0.0; p];
    let mut syy = 0.0;
    for i in 0..n {
        let xi = &x[i * p..(i + 1) * p];
        let yi = y[i];
        let c = &mut cs[cluster[i]];
        c.n += 1.0;
        c.sy += yi;
        for a in 0..p {
            c.sx[a] += xi[a];
            b0[a] += xi[a] * yi;
            for b in 0..=a {
                a0[a * p + b] += xi[a] * xi[b];
            }
        }
        syy += yi * yi;
    }
    for a in 0..p {
        for b in 0..a {
            a0[b * p + a] = a0[a * p + b];
        }
    }
    let cs: Vec<ClusterStats> = cs;
    let nf = n as f64;
    let pf = p as f64;

    // Profiled deviance at θ; returns (deviance without constants, β̂, Q, A).
    let eval = |theta: f64| -> Option<(f64, Vec<f64>, f64, Cholesky, f64)> {
        let mut a = a0.clone();
        let mut b = b0.clone();
        let mut logdet_v = 0.0;
        for c in &cs {
            if c.n == 0.0 {
                continue;
            }
            let cj = theta / (1.0 + c.n * theta);
            logdet_v += (c.n * theta).ln_1p();
            if cj == 0.0 {
                continue;
            }
            for r in 0..p {
                b[r] -= cj * c.sx[r] * c.sy;
                for s in 0..p {
                    a[r * p + s] -= cj * c.sx[r] * c.sx[s];
                }
            }
        }
        let chol = Cholesky::new(&a, p)?;
        let beta = chol.solve(&b);
        // Σ r'r = Syy − 2βᵀb0 + βᵀA0β
        let mut q = syy - 2.0 * beta.iter().zip(&b0).map(|(u, v)| u * v).sum::<f64>() + quad_form(&a0, &beta);
        for c in &cs {
            if c.n == 0.0 {
                continue;
            }
            let cj = theta / (1.0 + c.n * theta);
            let sr = c.sy - c.sx.iter().zip(&beta).map(|(u, v)| u * v).sum::<f64>();
            q -= cj * sr * sr;
        }
        let q = q.max(1e-300);
        let dev = match method {
            Method::Ml => nf * (q / nf).ln() + logdet_v,
            Method::Reml => (nf - pf) * (q / (nf - pf)).ln() + logdet_v + chol.log_det(),
        };
        Some((dev, beta, q, chol, logdet_v))
    };
    let objective = |lt: f64| eval(lt.exp()).map_or(f64::INFINITY, |r| r.0);
    let (lo, hi) = (-18.0_f64, 9.0_f64);
    let (lt, f_lt) = brent::minimize(objective, lo, hi, 1e-10, 500);
    // Compare with the boundary θ = 0 (no cluster variance).
    let f0 = eval(0.0).map_or(f64::INFINITY, |r| r.0);
    let theta = if f0 <= f_lt || lt <= lo + 1e-6 { 0.0 } else { lt.exp() };
    let (dev, beta, q, chol, _) = eval(theta)?;
    let dof = match method {
        Method::Ml => nf,
        Method::Reml => nf - pf,
    };
    let sigma2 = q / dof;
    let tau2 = theta * sigma2;
    let cov_beta: Vec<f64> = chol.inverse().into_iter().map(|v| v * sigma2).collect();
    let neg2ll = dev + dof * (1.0 + (2.0 * std::f64::consts::PI).ln());
    let clusters = cs
        .iter()
        .map(|c| {
            if c.n == 0.0 {
                (0.0, 0.0)
            } else {
                let pred: f64 = c.sx.iter().zip(&beta).map(|(u, v)| u * v).sum();
                (c.n, (c.sy - pred) / c.n)
            }
        })
        .collect();
    Some(RiFit { method, beta, cov_beta, sigma2, tau2, neg2ll, n, p, clusters })
}

/// Variance components of y_i = μ_s + v_c + w_i: a random intercept per cluster c nested in a
/// fixed effect per stratum s (classes within schools, §5.2), by REML. Because every cluster lies
/// in one stratum, A(θ) is diagonal and one evaluation costs O(number of clusters).
/// `cluster[i]` in 0..J, `stratum_of[c]` in 0..S. Returns (τ², σ²) or `None` when there are no
/// within-stratum degrees of freedom.
pub fn fit_nested_fixed_strata(y: &[f64], cluster: &[usize], stratum_of: &[usize]) -> Option<(f64, f64)> {
    let n = y.len();
    if cluster.len() != n || n == 0 {
        return None;
    }
    let j_count = stratum_of.len();
    let s_count = stratum_of.iter().copied().max().map_or(0, |m| m + 1);
    let mut cn = vec![0.0; j_count];
    let mut sy = vec![0.0; j_count];
    let mut syy = vec![0.0; j_count];
    for (&c, &v) in cluster.iter().zip(y) {
        cn[c] += 1.0;
        sy[c] += v;
        syy[c] += v * v;
    }
    let strata_used: Vec<bool> = {
        let mut u = vec![false; s_count];
        for c in 0..j_count {
            if cn[c] > 0.0 {
                u[stratum_of[c]] = true;
            }
        }
        u
    };
    let p = strata_used.iter().filter(|&&u| u).count();
    let nf = n as f64;
    if nf <= p as f64 {
        return None;
    }
    let dof = nf - p as f64;
    let eval = |theta: f64| -> (f64, f64) {
        let mut a = vec![0.0; s_count];
        let mut b = vec![0.0; s_count];
        let mut logdet_v = 0.0;
        for c in 0..j_count {
            if cn[c] == 0.0 {
                continue;
            }
            let w = 1.0 / (1.0 + cn[c] * theta);
            a[stratum_of[c]] += cn[c] * w;
            b[stratum_of[c]] += sy[c] * w;
            logdet_v += (cn[c] * theta).ln_1p();
        }
        let beta: Vec<f64> = a.iter().zip(&b).map(|(a, b)| if *a > 0.0 { b / a } else { 0.0 }).collect();
        let mut q = 0.0;
        for c in 0..j_count {
            if cn[c] == 0.0 {
                continue;
            }
            let mu = beta[stratum_of[c]];
            // Σ (y − μ)² = Syy − 2μ Sy + n μ²; Σ r = Sy − n μ
            let rr = syy[c] - 2.0 * mu * sy[c] + cn[c] * mu * mu;
            let sr = sy[c] - cn[c] * mu;
            q += rr - theta / (1.0 + cn[c] * theta) * sr * sr;
        }
        let q = q.max(1e-300);
        let logdet_a: f64 = a.iter().filter(|&&v| v > 0.0).map(|v| v.ln()).sum();
        (dof * (q / dof).ln() + logdet_v + logdet_a, q)
    };
    let (lo, hi) = (-18.0_f64, 9.0_f64);
    let (lt, f_lt) = brent::minimize(|lt| eval(lt.exp()).0, lo, hi, 1e-10, 500);
    let f0 = eval(0.0).0;
    let theta = if f0 <= f_lt || lt <= lo + 1e-6 { 0.0 } else { lt.exp() };
    let (_, q) = eval(theta);
    let sigma2 = q / dof;
    Some((theta * sigma2, sigma2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Balanced one-way layout: the REML estimates have a closed form (ANOVA estimators when they
    /// are positive): σ² = MSW, τ² = (MSB − MSW)/m.
    #[test]
    fn balanced_anova_matches_reml() {
        let data = [
            [10.0, 12.0, 11.0, 13.0],
            [15.0, 14.0, 16.0, 17.0],
            [9.0, 8.0, 10.0, 9.5],
            [12.0, 13.5, 12.5, 11.0],
            [14.0, 16.0, 15.0, 15.5],
        ];
        let (k, m) = (data.len(), data[0].len());
        let mut x = Vec::new();
        let mut y = Vec::new();
        let mut g = Vec::new();
        for (j, row) in data.iter().enumerate() {
            for &v in row {
                x.push(1.0);
                y.push(v);
                g.push(j);
            }
        }
        let grand: f64 = y.iter().sum::<f64>() / y.len() as f64;
        let means: Vec<f64> = data.iter().map(|r| r.iter().sum::<f64>() / m as f64).collect();
        let ssw: f64 =
            data.iter().zip(&means).map(|(r, mu)| r.iter().map(|v| (v - mu).powi(2)).sum::<f64>()).sum();
        let ssb: f64 = means.iter().map(|mu| m as f64 * (mu - grand).powi(2)).sum();
        let msw = ssw / (k * (m - 1)) as f64;
        let msb = ssb / (k - 1) as f64;
        let fit = fit(&x, &y, &g, 1, Method::Reml).unwrap();
        assert!((fit.sigma2 - msw).abs() < 1e-6 * msw, "{} {}", fit.sigma2, msw);
        assert!((fit.tau2 - (msb - msw) / m as f64).abs() < 1e-6, "{}", fit.tau2);
        assert!((fit.beta[0] - grand).abs() < 1e-9);
        // Var(grand mean) = (τ² + σ²/m)/k = MSB/(k m) in the balanced case.
        assert!((fit.cov_beta[0] - msb / (k * m) as f64).abs() < 1e-6);
        let e = fit.eb(0).unwrap();
        assert!((e.lambda - fit.tau2 / (fit.tau2 + fit.sigma2 / m as f64)).abs() < 1e-12);
        assert!((e.u - e.lambda * (means[0] - grand)).abs() < 1e-9);
    }

    /// No between-cluster variation: τ² at the boundary 0 and the fit equals OLS.
    #[test]
    fn boundary_zero() {
        let y = [1.0, 2.0, 3.0, 2.0, 1.0, 3.0, 2.0, 3.0, 1.0];
        let g = [0, 0, 0, 1, 1, 1, 2, 2, 2];
        let x = [1.0; 9];
        let f = fit(&x, &y, &g, 1, Method::Ml).unwrap();
        assert_eq!(f.tau2, 0.0);
        assert!((f.beta[0] - 2.0).abs() < 1e-12);
        assert!((f.sigma2 - 6.0 / 9.0).abs() < 1e-12);
        assert_eq!(f.eb(1).unwrap().u, 0.0);
    }

    /// The nested shortcut equals the general fit with one dummy column per stratum.
    #[test]
    fn nested_matches_general() {
        // 3 strata (schools), 7 clusters (classes), uneven sizes; deterministic pseudo-data.
        let stratum_of = [0, 0, 1, 1, 1, 2, 2];
        let sizes = [5, 8, 3, 6, 4, 9, 2];
        let mut y = Vec::new();
        let mut cl = Vec::new();
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
        };
        let class_eff: Vec<f64> = (0..7).map(|_| 3.0 * next()).collect();
        for c in 0..7 {
            for _ in 0..sizes[c] {
                y.push(10.0 * stratum_of[c] as f64 + class_eff[c] + 4.0 * next());
                cl.push(c);
            }
        }
        let (tau2, sigma2) = fit_nested_fixed_strata(&y, &cl, &stratum_of).unwrap();
        let x: Vec<f64> = cl
            .iter()
            .flat_map(|&c| (0..3).map(move |s| if stratum_of[c] == s { 1.0 } else { 0.0 }))
            .collect();
        let g = fit(&x, &y, &cl, 3, Method::Reml).unwrap();
        assert!((tau2 - g.tau2).abs() < 1e-6 * (1.0 + g.tau2), "{tau2} {}", g.tau2);
        assert!((sigma2 - g.sigma2).abs() < 1e-6 * g.sigma2, "{sigma2} {}", g.sigma2);
    }
}
