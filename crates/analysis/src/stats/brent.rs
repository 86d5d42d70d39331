//! Brent's bounded scalar minimisation (golden section with parabolic interpolation), as in
//! Brent (1973) "Algorithms for Minimization without Derivatives", ch. 5, and SciPy's `fminbound`.

/// Minimise `f` on [a, b]. Returns (x, f(x)). `xtol` is the absolute tolerance in x.
pub fn minimize<F: FnMut(f64) -> f64>(mut f: F, a: f64, b: f64, xtol: f64, max_iter: usize) -> (f64, f64) {
    let golden = 0.5 * (3.0 - 5f64.sqrt());
    let (mut a, mut b) = if a < b { (a, b) } else { (b, a) };
    let mut x = a + golden * (b - a);
    let mut w = x;
    let mut v = x;
    let mut fx = f(x);
    let mut fw = fx;
    let mut fv = fx;
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    let sqrt_eps = f64::EPSILON.sqrt();
    for _ in 0..max_iter {
        let xm = 0.5 * (a + b);
        let tol1 = sqrt_eps * x.abs() + xtol / 3.0;
        let tol2 = 2.0 * tol1;
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden_step = true;
        if e.abs() > tol1 {
            // Parabolic fit through x, v, w.
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            let etemp = e;
            e = d;
            if p.abs() < (0.5 * q * etemp).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if (u - a) < tol2 || (b - u) < tol2 {
                    d = if xm >= x { tol1 } else { -tol1 };
                }
                golden_step = false;
            }
        }
        if golden_step {
            e = if x >= xm { a - x } else { b - x };
            d = golden * e;
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else if d > 0.0 {
            x + tol1
        } else {
            x - tol1
        };
        let fu = f(u);
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    (x, fx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_minima() {
        let (x, fx) = minimize(|x| (x - 1.234).powi(2) + 3.0, -10.0, 10.0, 1e-10, 200);
        assert!((x - 1.234).abs() < 1e-7 && (fx - 3.0).abs() < 1e-12);
        let (x, _) = minimize(|x| x.cosh() + 0.3 * x, -5.0, 5.0, 1e-10, 200);
        // d/dx: sinh x + 0.3 = 0 → x = −asinh(0.3)
        assert!((x + 0.3f64.asinh()).abs() < 1e-7);
        // Minimum at the boundary.
        let (x, _) = minimize(|x| x, 2.0, 5.0, 1e-9, 200);
        assert!((x - 2.0).abs() < 1e-6);
    }
}
