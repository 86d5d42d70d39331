//! The standard normal distribution: CDF, survival function, two-sided p-value and quantile.
//!
//! The CDF uses the double-precision algorithm of Hart (1968) as given by West (2005), "Better
//! approximations to cumulative normal functions", accurate to about 1e-15 absolute and with a
//! relative accuracy in the tails that keeps tiny p-values meaningful. The quantile uses
//! Acklam's rational approximation refined by one Halley step against that CDF.

/// Φ(x), the standard normal cumulative distribution function.
pub fn cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 0.0 { 1.0 - upper_tail(x) } else { upper_tail(-x) }
}

/// 1 − Φ(x), computed without cancellation for large x.
pub fn sf(x: f64) -> f64 {
    cdf(-x)
}

/// Two-sided p-value of a z statistic: 2·(1 − Φ(|z|)).
pub fn two_sided_p(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    (2.0 * upper_tail(z.abs())).min(1.0)
}

/// Q(x) = 1 − Φ(x) for x ≥ 0 (Hart 1968 / West 2005).
fn upper_tail(x: f64) -> f64 {
    let x = x.abs();
    if x > 37.0 {
        return 0.0;
    }
    let e = (-x * x / 2.0).exp();
    if x < 7.071_067_811_865_47 {
        let mut n = 3.526_249_659_989_11e-2 * x + 0.700_383_064_443_688;
        n = n * x + 6.373_962_203_531_65;
        n = n * x + 33.912_866_078_383;
        n = n * x + 112.079_291_497_871;
        n = n * x + 221.213_596_169_931;
        n = n * x + 220.206_867_912_376;
        let mut d = 8.838_834_764_831_84e-2 * x + 1.755_667_163_182_64;
        d = d * x + 16.064_177_579_207;
        d = d * x + 86.780_732_202_946_1;
        d = d * x + 296.564_248_779_674;
        d = d * x + 637.333_633_378_831;
        d = d * x + 793.826_512_519_948;
        d = d * x + 440.413_735_824_752;
        e * n / d
    } else {
        let mut b = x + 0.65;
        b = x + 4.0 / b;
        b = x + 3.0 / b;
        b = x + 2.0 / b;
        b = x + 1.0 / b;
        e / b / 2.506_628_274_631
    }
}

/// The standard normal density φ(x).
pub fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Φ⁻¹(p) for 0 < p < 1; −∞ at 0, +∞ at 1, NaN outside [0, 1].
pub fn quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    const P_LOW: f64 = 0.024_25;
    let x = if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step against the accurate CDF; e = Φ(x) − p, written through the upper tail for
    // x ≥ 0 to keep precision.
    let e = if x < 0.0 { cdf(x) - p } else { (1.0 - p) - sf(x) };
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Reference values (R: pnorm, qnorm).
        assert!((cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((cdf(1.96) - 0.975_002_104_851_780_1).abs() < 1e-14);
        assert!((cdf(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-14);
        assert!((cdf(-5.0) / 2.866_515_718_791_933e-7 - 1.0).abs() < 1e-9);
        // Far tail (continued fraction): relative accuracy about 1e-8.
        assert!((sf(8.0) / 6.220_960_574_271_74e-16 - 1.0).abs() < 1e-7);
        assert!((quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-13);
        assert!((quantile(0.05) + 1.644_853_626_951_472_2).abs() < 1e-13);
        assert!((quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-9);
        assert!((two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-14);
        assert!(quantile(0.0).is_infinite() && quantile(1.5).is_nan());
    }

    #[test]
    fn quantile_inverts_cdf() {
        for i in 1..2000 {
            let p = f64::from(i) / 2000.0;
            let x = quantile(p);
            assert!((cdf(x) - p).abs() < 1e-14, "p={p} x={x}");
        }
        for k in 2..300 {
            let p = 10f64.powi(-k / 10 - 1) * 1.7;
            let x = quantile(p);
            assert!((cdf(x) / p - 1.0).abs() < 1e-9, "p={p}");
        }
    }
}
