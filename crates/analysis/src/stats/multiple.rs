//! Multiple-comparison control: Holm (familywise error) and Benjamini–Hochberg (false discovery
//! rate) with q-values. Ties are broken by input position, so results never depend on anything but
//! the input. A NaN p-value is treated as 1.

fn order(p: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| clean(p[a]).total_cmp(&clean(p[b])).then(a.cmp(&b)));
    idx
}

fn clean(p: f64) -> f64 {
    if p.is_nan() { 1.0 } else { p.clamp(0.0, 1.0) }
}

/// The outcome of a multiple-testing procedure, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjusted {
    /// Adjusted p-values (Holm) or q-values (BH), in input order.
    pub adjusted: Vec<f64>,
    /// Whether each hypothesis is rejected at the given level.
    pub rejected: Vec<bool>,
}

/// Holm's step-down procedure (Holm 1979): sort p ascending, find the first k with
/// p_(k) > α/(m − k + 1); the hypotheses before it are rejected. Adjusted p-values are
/// max_{j≤k} min(1, (m − j + 1) p_(j)).
pub fn holm(p: &[f64], alpha: f64) -> Adjusted {
    let m = p.len();
    let idx = order(p);
    let mut adjusted = vec![1.0; m];
    let mut rejected = vec![false; m];
    let mut running = 0.0_f64;
    let mut still = true;
    for (k, &i) in idx.iter().enumerate() {
        let pk = clean(p[i]);
        let factor = (m - k) as f64;
        running = running.max((factor * pk).min(1.0));
        adjusted[i] = running;
        if still && pk <= alpha / factor {
            rejected[i] = true;
        } else {
            still = false;
        }
    }
    Adjusted { adjusted, rejected }
}

/// Benjamini–Hochberg (1995): k* = max{k : p_(k) ≤ k q / m}, reject the k* smallest. The q-value
/// of the k-th smallest is min_{j≥k} min(1, m p_(j) / j); a hypothesis is rejected exactly when
/// its q-value is ≤ q.
pub fn benjamini_hochberg(p: &[f64], q: f64) -> Adjusted {
    let m = p.len();
    let idx = order(p);
    let mut adjusted = vec![1.0; m];
    let mut running = 1.0_f64;
    for k in (0..m).rev() {
        let i = idx[k];
        let v = (m as f64 * clean(p[i]) / (k + 1) as f64).min(1.0);
        running = running.min(v);
        adjusted[i] = running;
    }
    let rejected = adjusted.iter().map(|&a| a <= q).collect();
    Adjusted { adjusted, rejected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_example() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
        let p = [0.01, 0.04, 0.03, 0.005];
        let h = holm(&p, 0.05);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, b) in h.adjusted.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
        assert_eq!(h.rejected, vec![true, false, false, true]);
        // Step-down stops at the first failure even if a later p would pass its own threshold.
        let h = holm(&[0.02, 0.02], 0.05);
        assert_eq!(h.rejected, vec![true, true]);
        let h = holm(&[0.03, 0.001], 0.05);
        assert_eq!(h.rejected, vec![true, true]);
        let h = holm(&[0.026, 0.001, 0.2], 0.05);
        assert_eq!(h.rejected, vec![false, true, false]);
    }

    #[test]
    fn bh_example() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH") = 0.025 0.05 0.05 0.025 0.5
        let p = [0.01, 0.04, 0.03, 0.005, 0.5];
        let b = benjamini_hochberg(&p, 0.05);
        let want = [0.025, 0.05, 0.05, 0.025, 0.5];
        for (a, w) in b.adjusted.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{a} {w}");
        }
        assert_eq!(b.rejected, vec![true, true, true, true, false]);
        // Direct definition of k*.
        let p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];
        let b = benjamini_hochberg(&p, 0.05);
        let m = p.len() as f64;
        let kstar = (1..=p.len()).filter(|&k| p[k - 1] <= k as f64 * 0.05 / m).max().unwrap_or(0);
        assert_eq!(b.rejected.iter().filter(|&&r| r).count(), kstar);
        assert!(b.adjusted.iter().all(|q| (0.0..=1.0).contains(q)));
    }

    #[test]
    fn empty_and_nan() {
        assert!(holm(&[], 0.05).rejected.is_empty());
        let b = benjamini_hochberg(&[f64::NAN, 0.0001], 0.05);
        assert_eq!(b.rejected, vec![false, true]);
    }
}
