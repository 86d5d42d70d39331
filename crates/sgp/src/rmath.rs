//! Small numerical helpers that behave like the R functions the SGP package calls:
//! `round(x, digits)`, `quantile(x, probs, type = 7)` and `extendrange(x, f)`.

/// R's `round(x, digits)` for the magnitudes that occur here (|x| < 1e9, digits ≤ 9).
///
/// R rounds half to even on the decimal representation ("IEC 60559"). We scale by
/// `10^digits`, and when the scaled value is within a few ulps of a .5 tie we round the
/// tie to even; otherwise to nearest. For the values in scale-score growth analyses
/// (integers, tenths, quantile predictions) this is exactly R's result.
#[must_use]
pub fn round_r(x: f64, digits: i32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits);
    let y = x * scale;
    if y.abs() >= 1e15 {
        return x;
    }
    let floor = y.floor();
    let frac = y - floor;
    let eps = 4.0 * f64::EPSILON * y.abs().max(1.0);
    let r = if (frac - 0.5).abs() <= eps {
        // A (decimal) tie: round half to even.
        if floor.rem_euclid(2.0) == 0.0 { floor } else { floor + 1.0 }
    } else {
        y.round()
    };
    r / scale
}

/// `quantile(x, probs, type = 7)` on data that is already sorted ascending.
///
/// With 1-based index h = 1 + (n − 1)p: Q = (1 − γ)·x_(⌊h⌋) + γ·x_(⌈h⌉), γ = h − ⌊h⌋.
///
/// # Panics
/// Never for non-empty input; returns NaN for empty input.
#[must_use]
pub fn quantile_type7_sorted(sorted: &[f64], prob: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let index = (n - 1) as f64 * prob; // 0-based
    let lo = index.floor();
    let hi = index.ceil();
    let lo_i = (lo as usize).min(n - 1);
    let hi_i = (hi as usize).min(n - 1);
    let q_lo = sorted[lo_i];
    let h = index - lo;
    if h > 0.0 && sorted[hi_i] != q_lo { (1.0 - h) * q_lo + h * sorted[hi_i] } else { q_lo }
}

/// `extendrange(x, f)`: the range of `x` widened by `f` times its width on each side.
/// Returns `None` for empty input.
#[must_use]
pub fn extendrange(x: &[f64], f: f64) -> Option<[f64; 2]> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in x {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if x.is_empty() {
        return None;
    }
    let d = f * (hi - lo);
    Some([lo - d, hi + d])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_like_r() {
        assert_eq!(round_r(0.5, 0), 0.0);
        assert_eq!(round_r(1.5, 0), 2.0);
        assert_eq!(round_r(2.5, 0), 2.0);
        assert_eq!(round_r(85.5, 3), 85.5);
        assert_eq!(round_r(557.810_875_1, 5), 557.810_88);
        assert_eq!(round_r(-1.234_567, 3), -1.235);
        assert_eq!(round_r(600.000_000_000_2, 5), 600.0);
    }

    #[test]
    fn quantile7_matches_r() {
        // quantile(1:10, c(.2,.4,.6,.8)) = 2.8 4.6 6.4 8.2
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let q: Vec<f64> =
            [0.2, 0.4, 0.6, 0.8].iter().map(|&p| round_r(quantile_type7_sorted(&x, p), 3)).collect();
        assert_eq!(q, vec![2.8, 4.6, 6.4, 8.2]);
        assert_eq!(quantile_type7_sorted(&[3.0], 0.5), 3.0);
    }

    #[test]
    fn extendrange_like_r() {
        assert_eq!(extendrange(&[150.0, 795.0], 0.1), Some([85.5, 859.5]));
        assert_eq!(extendrange(&[], 0.1), None);
    }
}
