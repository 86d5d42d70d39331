//! Small dense linear algebra for p × p symmetric positive-definite systems (p is the number of
//! fixed effects: a handful, at most a few dozen). Matrices are row-major `Vec<f64>`.

#![allow(clippy::needless_range_loop)] // index arithmetic on row-major matrices reads clearer as loops

/// A Cholesky factor L (lower triangular, row-major) of a symmetric positive-definite matrix.
#[derive(Debug, Clone)]
pub struct Cholesky {
    p: usize,
    l: Vec<f64>,
}

impl Cholesky {
    /// Factor `a` (p × p, symmetric). `None` when it is not numerically positive definite.
    pub fn new(a: &[f64], p: usize) -> Option<Self> {
        if a.len() != p * p {
            return None;
        }
        let mut l = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..=i {
                let mut s = a[i * p + j];
                for k in 0..j {
                    s -= l[i * p + k] * l[j * p + k];
                }
                if i == j {
                    if s.is_nan() || s <= 1e-300 {
                        return None;
                    }
                    l[i * p + i] = s.sqrt();
                } else {
                    l[i * p + j] = s / l[j * p + j];
                }
            }
        }
        Some(Self { p, l })
    }

    /// Solve A x = b.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let p = self.p;
        let mut y = b.to_vec();
        for i in 0..p {
            let mut s = y[i];
            for k in 0..i {
                s -= self.l[i * p + k] * y[k];
            }
            y[i] = s / self.l[i * p + i];
        }
        for i in (0..p).rev() {
            let mut s = y[i];
            for k in i + 1..p {
                s -= self.l[k * p + i] * y[k];
            }
            y[i] = s / self.l[i * p + i];
        }
        y
    }

    /// log det A.
    pub fn log_det(&self) -> f64 {
        (0..self.p).map(|i| self.l[i * self.p + i].ln()).sum::<f64>() * 2.0
    }

    /// A⁻¹ (row-major).
    pub fn inverse(&self) -> Vec<f64> {
        let p = self.p;
        let mut inv = vec![0.0; p * p];
        let mut e = vec![0.0; p];
        for j in 0..p {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            let col = self.solve(&e);
            for i in 0..p {
                inv[i * p + j] = col[i];
            }
        }
        inv
    }
}

/// xᵀ A x for a row-major p × p matrix.
pub fn quad_form(a: &[f64], x: &[f64]) -> f64 {
    let p = x.len();
    let mut s = 0.0;
    for i in 0..p {
        let mut r = 0.0;
        for j in 0..p {
            r += a[i * p + j] * x[j];
        }
        s += x[i] * r;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_and_inverse() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let c = Cholesky::new(&a, 3).unwrap();
        let x = c.solve(&[1.0, 2.0, 3.0]);
        for i in 0..3 {
            let r: f64 = (0..3).map(|j| a[i * 3 + j] * x[j]).sum();
            assert!((r - [1.0, 2.0, 3.0][i]).abs() < 1e-12);
        }
        let inv = c.inverse();
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((r - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        // det = 4(15-1) - 2(6-0.6) + 0.6(2-3) = 56 - 10.8 - 0.6 = 44.6
        assert!((c.log_det() - 44.6f64.ln()).abs() < 1e-12);
        assert!((quad_form(&a, &[1.0, 0.0, 1.0]) - (4.0 + 0.6 + 0.6 + 3.0)).abs() < 1e-12);
        assert!(Cholesky::new(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }
}
