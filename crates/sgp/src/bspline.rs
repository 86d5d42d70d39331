//! The cubic B-spline basis of R's `splines::bs(x, knots, Boundary.knots)` with
//! `intercept = FALSE`, written from the Cox–de Boor recursion.
//!
//! On the augmented knot vector (b_lo ×4, k_1…k_m, b_hi ×4) there are m + 4 cubic
//! B-splines; `bs` drops the first, leaving m + 3 columns (7 for the SGP default of four
//! interior knots). Outside the boundary knots `bs` extrapolates every basis function by its
//! cubic Taylor polynomial around a pivot a quarter of the way from the boundary knot to the
//! nearest interior knot (R ≥ 3.3.0; R warns in that case). We do the same.

/// Spline order (degree 3 + 1).
const ORD: usize = 4;

/// A cubic B-spline basis with given interior and boundary knots, as `bs()` builds it.
#[derive(Debug, Clone, PartialEq)]
pub struct BsBasis {
    /// Augmented knot vector: boundary ×4, interior knots, boundary ×4.
    aknots: Vec<f64>,
    lo: f64,
    hi: f64,
}

impl BsBasis {
    /// Basis for interior `knots` (ascending) and `boundary` = [lo, hi] with lo < hi.
    #[must_use]
    pub fn new(knots: &[f64], boundary: [f64; 2]) -> Self {
        let (lo, hi) =
            if boundary[0] <= boundary[1] { (boundary[0], boundary[1]) } else { (boundary[1], boundary[0]) };
        let mut aknots = Vec::with_capacity(knots.len() + 2 * ORD);
        aknots.extend(std::iter::repeat_n(lo, ORD));
        aknots.extend_from_slice(knots);
        aknots.extend(std::iter::repeat_n(hi, ORD));
        // `bs` sorts the combined vector.
        aknots.sort_by(f64::total_cmp);
        Self { aknots, lo, hi }
    }

    /// Number of columns `bs(..., intercept = FALSE)` returns.
    #[must_use]
    pub fn ncols(&self) -> usize {
        self.aknots.len() - ORD - 1
    }

    /// Writes the `ncols()` basis values at `x` into `out`.
    ///
    /// # Panics
    /// If `out.len() != self.ncols()`.
    pub fn eval_into(&self, x: f64, out: &mut [f64]) {
        assert_eq!(out.len(), self.ncols(), "output slice has the wrong length");
        let nb = self.aknots.len() - ORD; // all B-splines, including the dropped first one
        let mut full = vec![0.0; nb];
        if x < self.lo || x > self.hi {
            let e = 0.25;
            let pivot = if x < self.lo {
                (1.0 - e) * self.lo + e * self.aknots[ORD]
            } else {
                (1.0 - e) * self.hi + e * self.aknots[self.aknots.len() - ORD - 1]
            };
            let dx = x - pivot;
            let mut fact = 1.0;
            let mut pow = 1.0;
            for d in 0..ORD {
                if d > 0 {
                    fact *= d as f64;
                    pow *= dx;
                }
                let der = self.derivs_at(pivot, d);
                for (f, v) in full.iter_mut().zip(der) {
                    *f += pow / fact * v;
                }
            }
        } else {
            full = self.derivs_at(x, 0);
        }
        out.copy_from_slice(&full[1..]);
    }

    /// Basis values at `x` (convenience wrapper around [`Self::eval_into`]).
    #[must_use]
    pub fn eval(&self, x: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.ncols()];
        self.eval_into(x, &mut out);
        out
    }

    /// The `d`-th derivative of all B-splines (order 4) at `x`, with `lo <= x <= hi`.
    fn derivs_at(&self, x: f64, d: usize) -> Vec<f64> {
        let t = &self.aknots;
        let nt = t.len();
        // Interval index mu with t[mu] <= x < t[mu+1]; at the right boundary use the last
        // non-empty interval (splineDesign treats the right end as closed).
        let last = nt - ORD - 1; // index of the last non-empty interval's left knot
        let mut mu = ORD - 1;
        while mu < last && x >= t[mu + 1] {
            mu += 1;
        }
        // Order-1 basis: indicator of interval mu.
        let mut vals = vec![0.0; nt - 1];
        vals[mu] = 1.0;
        let base_order = ORD - d;
        for m in 2..=base_order {
            let mut next = vec![0.0; nt - m];
            for (i, nx) in next.iter_mut().enumerate() {
                let mut v = 0.0;
                let d1 = t[i + m - 1] - t[i];
                if d1 > 0.0 {
                    v += (x - t[i]) / d1 * vals[i];
                }
                let d2 = t[i + m] - t[i + 1];
                if d2 > 0.0 {
                    v += (t[i + m] - x) / d2 * vals[i + 1];
                }
                *nx = v;
            }
            vals = next;
        }
        // Apply the derivative recurrence d times, raising the order back to ORD.
        for m in (base_order + 1)..=ORD {
            let mut next = vec![0.0; nt - m];
            let k = (m - 1) as f64;
            for (i, nx) in next.iter_mut().enumerate() {
                let mut v = 0.0;
                let d1 = t[i + m - 1] - t[i];
                if d1 > 0.0 {
                    v += vals[i] / d1;
                }
                let d2 = t[i + m] - t[i + 1];
                if d2 > 0.0 {
                    v -= vals[i + 1] / d2;
                }
                *nx = k * v;
            }
            vals = next;
        }
        vals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade3() -> BsBasis {
        BsBasis::new(&[510.0, 548.0, 580.0, 617.0], [85.5, 859.5])
    }

    #[test]
    fn v1_row_for_548() {
        let b = grade3().eval(548.0);
        let want = [0.0, 0.029583, 0.777627, 0.19279, 0.0, 0.0, 0.0];
        assert_eq!(b.len(), 7);
        for (g, w) in b.iter().zip(want) {
            assert!((g - w).abs() < 5e-7, "{b:?}");
        }
    }

    #[test]
    fn partition_of_unity_inside() {
        let basis = grade3();
        for x in [85.5, 100.0, 509.9, 510.0, 600.0, 859.5] {
            let b = basis.eval(x);
            // The dropped first B-spline completes the partition of unity.
            let s: f64 = b.iter().sum();
            assert!((-1e-12..=1.0 + 1e-12).contains(&s), "{x}: {s}");
        }
        let b = basis.eval(859.5);
        assert!((b[6] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn extrapolation_is_continuous_at_boundaries() {
        let basis = grade3();
        for (inside, outside) in [(85.5, 85.5 - 1e-9), (859.5, 859.5 + 1e-9)] {
            let a = basis.eval(inside);
            let b = basis.eval(outside);
            for (u, v) in a.iter().zip(&b) {
                assert!((u - v).abs() < 1e-6, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn extrapolation_is_the_cubic_through_the_pivot() {
        // Inside the first interval the basis is a single cubic, so the Taylor polynomial
        // around the pivot reproduces it exactly on both sides of the boundary.
        let basis = grade3();
        let x = 60.0;
        let pivot = 0.75 * 85.5 + 0.25 * 510.0;
        let ext = basis.eval(x);
        let dx = x - pivot;
        for (c, e) in ext.iter().enumerate() {
            let mut v = 0.0;
            let mut fact = 1.0;
            for d in 0..4_i32 {
                if d > 0 {
                    fact *= f64::from(d);
                }
                v += dx.powi(d) / fact * basis.derivs_at(pivot, d as usize)[c + 1];
            }
            assert!((v - e).abs() < 1e-12);
        }
    }
}
