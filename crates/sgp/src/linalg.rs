//! Tiny dense linear algebra for the p × p basis matrices of the simplex (p ≤ ~30).

/// Inverts the row-major `p × p` matrix `a` by Gauss–Jordan elimination with partial
/// pivoting. Returns `None` when a pivot is below `tol` times the largest entry of its
/// column (numerically singular).
#[must_use]
pub fn invert(a: &[f64], p: usize, tol: f64) -> Option<Vec<f64>> {
    debug_assert_eq!(a.len(), p * p);
    let mut m = a.to_vec();
    let mut inv = vec![0.0; p * p];
    for i in 0..p {
        inv[i * p + i] = 1.0;
    }
    let scale = a.iter().fold(0.0_f64, |s, v| s.max(v.abs())).max(f64::MIN_POSITIVE);
    for col in 0..p {
        // Partial pivoting.
        let mut piv = col;
        let mut best = m[col * p + col].abs();
        for r in (col + 1)..p {
            let v = m[r * p + col].abs();
            if v > best {
                best = v;
                piv = r;
            }
        }
        if best <= tol * scale {
            return None;
        }
        if piv != col {
            for c in 0..p {
                m.swap(piv * p + c, col * p + c);
                inv.swap(piv * p + c, col * p + c);
            }
        }
        let d = 1.0 / m[col * p + col];
        for c in 0..p {
            m[col * p + c] *= d;
            inv[col * p + c] *= d;
        }
        for r in 0..p {
            if r == col {
                continue;
            }
            let f = m[r * p + col];
            if f == 0.0 {
                continue;
            }
            for c in 0..p {
                m[r * p + c] -= f * m[col * p + c];
                inv[r * p + c] -= f * inv[col * p + c];
            }
        }
    }
    Some(inv)
}

/// `out = a · v` for row-major `a` (p × p).
pub fn mat_vec(a: &[f64], v: &[f64], out: &mut [f64]) {
    let p = v.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = dot(&a[i * p..(i + 1) * p], v);
    }
}

/// Dot product.
#[inline]
#[must_use]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    // Four independent partial sums so the compiler can keep several multiplies in
    // flight (this is the inner loop of the simplex).
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[2]) + (acc[1] + acc[3]);
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += x * y;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_small_matrix() {
        let a = [4.0, 7.0, 2.0, 6.0];
        let inv = invert(&a, 2, 1e-14).unwrap();
        let want = [0.6, -0.7, -0.2, 0.4];
        for (g, w) in inv.iter().zip(want) {
            assert!((g - w).abs() < 1e-12);
        }
        assert!(invert(&[1.0, 2.0, 2.0, 4.0], 2, 1e-12).is_none());
    }
}
