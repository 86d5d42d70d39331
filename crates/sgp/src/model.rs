//! Coefficient matrices: fit the conditional quantile model on one group of pupils (a
//! norm group) and apply it to any pupil, as the package's `splineMatrix` objects do.
//!
//! The model for order k (k prior scores, most recent first):
//! `Q_τ(y | priors) = β₀(τ) + Σ_k B_k(prior_k)ᵀ β_k(τ)` with `B_k` the 7-column cubic
//! B-spline basis of the prior's grade (see [`crate::bspline`]), at the 100 quantiles
//! τ = 0.005, 0.015, …, 0.995.

use serde::{Deserialize, Serialize};

use crate::bspline::BsBasis;
use crate::error::{Result, SgpError};
use crate::knots::KnotsBoundaries;
use crate::rmath::round_r;
use crate::rq::RqSolver;

/// Minimum norm-group size for [`CoefficientMatrix::fit_norm_group`] (baseline use).
///
/// The extreme quantiles τ = 0.005 and 0.995 rest on about n/200 pupils each; with 1,000
/// pupils that is 5, below which the tails (and so SGPs under 5 or above 95) become
/// erratic. The package's own cohort fits (`run_sgp`) use no minimum unless
/// [`crate::SgpConfig::min_cohort_size`] is set, to stay identical to the package.
pub const MIN_NORM_GROUP_SIZE: usize = 1000;

/// The spline specification of one prior score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorSpec {
    /// Grade of the prior score.
    pub grade: i32,
    /// Interior knots.
    pub knots: Vec<f64>,
    /// Boundary knots [lo, hi].
    pub boundaries: [f64; 2],
}

impl PriorSpec {
    /// The spec for `grade` from its knots and boundaries.
    #[must_use]
    pub fn from_knots(grade: i32, kb: &KnotsBoundaries) -> Self {
        Self { grade, knots: kb.knots.clone(), boundaries: kb.boundaries }
    }
}

/// A fitted coefficient matrix (p × 100 in the package; stored per τ here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefficientMatrix {
    /// Grades of the priors and the current grade, oldest first (k + 1 entries).
    pub grade_progression: Vec<i32>,
    /// Years of those panels, oldest first (empty when not applicable).
    pub years: Vec<i32>,
    /// Spline specs of the priors, most recent first (k entries).
    pub priors: Vec<PriorSpec>,
    /// The quantiles fitted.
    pub taus: Vec<f64>,
    /// β(τ) for every τ, each of length 1 + Σ columns of the priors.
    pub coefficients: Vec<Vec<f64>>,
    /// Minimal check loss per τ (a solver check: unique whatever the vertex).
    pub objectives: Vec<f64>,
    /// Number of pupils fitted on.
    pub n: usize,
    /// Number of τ whose vertex might not be the unique optimum (diagnostic).
    pub possibly_non_unique: usize,
}

impl CoefficientMatrix {
    /// Order k: the number of prior scores.
    #[must_use]
    pub fn order(&self) -> usize {
        self.priors.len()
    }

    /// Fits the model on a group of pupils. `priors[k][i]` is prior k (0 = most recent)
    /// of pupil i, `current[i]` the current score. No minimum size is enforced here.
    ///
    /// # Errors
    /// [`SgpError::Dimension`] for inconsistent input, [`SgpError::Solver`] when the
    /// quantile regression cannot be solved.
    pub fn fit(
        priors: &[&[f64]],
        current: &[f64],
        specs: Vec<PriorSpec>,
        grade_progression: Vec<i32>,
        years: Vec<i32>,
        taus: &[f64],
    ) -> Result<Self> {
        if priors.len() != specs.len() || priors.iter().any(|p| p.len() != current.len()) {
            return Err(SgpError::Dimension(format!(
                "{} eerdere scores voor {} specificaties",
                priors.len(),
                specs.len()
            )));
        }
        let bases: Vec<BsBasis> = specs.iter().map(|s| BsBasis::new(&s.knots, s.boundaries)).collect();
        let p = 1 + bases.iter().map(BsBasis::ncols).sum::<usize>();
        let n = current.len();
        let mut x = vec![0.0; n * p];
        let mut vals: Vec<f64> = Vec::with_capacity(priors.len());
        for (i, row) in x.chunks_exact_mut(p).enumerate() {
            vals.clear();
            vals.extend(priors.iter().map(|pr| pr[i]));
            design_row(&bases, &vals, row);
        }
        let mut solver = RqSolver::new(&x, p, current)?;
        let mut coefficients = Vec::with_capacity(taus.len());
        let mut objectives = Vec::with_capacity(taus.len());
        let mut possibly_non_unique = 0;
        for &tau in taus {
            let fit = solver.solve(tau)?;
            possibly_non_unique += usize::from(fit.possibly_non_unique);
            coefficients.push(fit.coefficients);
            objectives.push(fit.objective);
        }
        Ok(Self {
            grade_progression,
            years,
            priors: specs,
            taus: taus.to_vec(),
            coefficients,
            objectives,
            n,
            possibly_non_unique,
        })
    }

    /// Like [`Self::fit`], but refuses norm groups smaller than `minimum` (use
    /// [`MIN_NORM_GROUP_SIZE`] unless there is a reason not to). Intended for
    /// baseline-referenced percentiles: fit on a pre-corona norm group, then apply with
    /// [`Self::percentile_clipped`] to current pupils.
    ///
    /// # Errors
    /// [`SgpError::NormGroupTooSmall`] below the minimum; otherwise as [`Self::fit`].
    pub fn fit_norm_group(
        priors: &[&[f64]],
        current: &[f64],
        specs: Vec<PriorSpec>,
        grade_progression: Vec<i32>,
        years: Vec<i32>,
        minimum: usize,
    ) -> Result<Self> {
        if current.len() < minimum {
            return Err(SgpError::NormGroupTooSmall { found: current.len(), minimum });
        }
        Self::fit(priors, current, specs, grade_progression, years, &crate::taus())
    }

    fn bases(&self) -> Vec<BsBasis> {
        self.priors.iter().map(|s| BsBasis::new(&s.knots, s.boundaries)).collect()
    }

    /// Predicted quantiles for one pupil's priors (most recent first), as the package
    /// returns them: sorted ascending (isotonized) and rounded to 5 decimals. With `clip`,
    /// priors outside the boundary knots are first clipped to them (no extrapolation).
    ///
    /// # Errors
    /// [`SgpError::Dimension`] when the number of priors differs from the order.
    pub fn predict(&self, priors: &[f64], clip: bool) -> Result<Vec<f64>> {
        let mut pred = Predictor::new(self);
        pred.predict(priors, clip).map(<[f64]>::to_vec)
    }

    /// The growth percentile (1–99) of `current` given `priors` (most recent first),
    /// extrapolating the splines outside the boundaries like the package does.
    ///
    /// # Errors
    /// As [`Self::predict`].
    pub fn percentile(&self, priors: &[f64], current: f64) -> Result<u8> {
        let mut pred = Predictor::new(self);
        pred.percentile(priors, current, false)
    }

    /// The growth percentile with priors clipped to the boundary knots (baseline use).
    ///
    /// # Errors
    /// As [`Self::predict`].
    pub fn percentile_clipped(&self, priors: &[f64], current: f64) -> Result<u8> {
        let mut pred = Predictor::new(self);
        pred.percentile(priors, current, true)
    }
}

/// Reusable prediction buffers for one coefficient matrix (avoids per-pupil allocation).
#[derive(Debug)]
pub struct Predictor<'a> {
    matrix: &'a CoefficientMatrix,
    bases: Vec<BsBasis>,
    row: Vec<f64>,
    vals: Vec<f64>,
    out: Vec<f64>,
}

impl<'a> Predictor<'a> {
    /// Buffers for `matrix`.
    #[must_use]
    pub fn new(matrix: &'a CoefficientMatrix) -> Self {
        let bases = matrix.bases();
        let p = 1 + bases.iter().map(BsBasis::ncols).sum::<usize>();
        Self {
            matrix,
            bases,
            row: vec![0.0; p],
            vals: Vec::new(),
            out: Vec::with_capacity(matrix.taus.len()),
        }
    }

    /// See [`CoefficientMatrix::predict`].
    ///
    /// # Errors
    /// [`SgpError::Dimension`] when the number of priors differs from the order.
    pub fn predict(&mut self, priors: &[f64], clip: bool) -> Result<&[f64]> {
        if priors.len() != self.bases.len() {
            return Err(SgpError::Dimension(format!(
                "{} eerdere scores voor een model van orde {}",
                priors.len(),
                self.bases.len()
            )));
        }
        self.vals.clear();
        for (v, spec) in priors.iter().zip(&self.matrix.priors) {
            let v = if clip { v.clamp(spec.boundaries[0], spec.boundaries[1]) } else { *v };
            self.vals.push(v);
        }
        design_row(&self.bases, &self.vals, &mut self.row);
        self.out.clear();
        for beta in &self.matrix.coefficients {
            self.out.push(crate::linalg::dot(&self.row, beta));
        }
        isotonize_and_round(&mut self.out);
        Ok(&self.out)
    }

    /// See [`CoefficientMatrix::percentile`].
    ///
    /// # Errors
    /// As [`Self::predict`].
    pub fn percentile(&mut self, priors: &[f64], current: f64, clip: bool) -> Result<u8> {
        let q = self.predict(priors, clip)?;
        Ok(count_percentile(q, current))
    }
}

/// Writes the design row [1, B_1(prior_1), …, B_k(prior_k)] into `row`.
fn design_row(bases: &[BsBasis], priors: &[f64], row: &mut [f64]) {
    row[0] = 1.0;
    let mut off = 1;
    for (b, &v) in bases.iter().zip(priors) {
        let c = b.ncols();
        b.eval_into(v, &mut row[off..off + c]);
        off += c;
    }
}

/// The package's `.smooth.isotonize.row` + `round(…, 5)`: missing values (NaN) are
/// filled by linear interpolation between their neighbours (constant beyond the ends),
/// then the values are sorted ascending and rounded to 5 decimals.
pub fn isotonize_and_round(q: &mut [f64]) {
    if q.iter().any(|v| v.is_nan()) {
        let known: Vec<usize> = (0..q.len()).filter(|&i| !q[i].is_nan()).collect();
        if !known.is_empty() {
            for i in 0..q.len() {
                if !q[i].is_nan() {
                    continue;
                }
                let after = known.iter().position(|&k| k > i);
                q[i] = match after {
                    Some(0) | None => f64::NAN, // R's approx gives NA outside the data
                    Some(a) => {
                        let (l, r) = (known[a - 1], known[a]);
                        let f = (i - l) as f64 / (r - l) as f64;
                        q[l] + f * (q[r] - q[l])
                    }
                };
            }
        }
    }
    q.sort_by(f64::total_cmp);
    for v in q.iter_mut() {
        *v = round_r(*v, 5);
    }
}

/// The package's `.get.quantiles` with `convert.0and100 = TRUE`: the number of predicted
/// quantiles strictly below the current score, with 0 → 1 and 100 → 99.
#[must_use]
pub fn count_percentile(sorted_quantiles: &[f64], current: f64) -> u8 {
    // Leading run of `quantile < current` in the sorted row (== the count when sorted).
    let c = sorted_quantiles.iter().take_while(|&&v| v < current).count();
    let c = u8::try_from(c.min(100)).unwrap_or(100);
    c.clamp(1, 99)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knots::KnotsBoundaries;

    #[test]
    fn count_clamps() {
        let q: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(count_percentile(&q, 0.5), 1);
        assert_eq!(count_percentile(&q, 1.0), 1);
        assert_eq!(count_percentile(&q, 1.5), 1);
        assert_eq!(count_percentile(&q, 2.5), 2);
        assert_eq!(count_percentile(&q, 50.0), 49);
        assert_eq!(count_percentile(&q, 100.0), 99);
        assert_eq!(count_percentile(&q, 1000.0), 99);
    }

    #[test]
    fn isotonize_sorts_and_rounds() {
        let mut q = vec![3.000_000_000_01, 1.0, 2.123_456_789];
        isotonize_and_round(&mut q);
        assert_eq!(q, vec![1.0, 2.12346, 3.0]);
        let mut q = vec![1.0, f64::NAN, 3.0];
        isotonize_and_round(&mut q);
        assert_eq!(q, vec![1.0, 2.0, 3.0]);
    }

    /// A synthetic norm group: current = prior + 20 + noise, with a deterministic LCG.
    fn synthetic(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let mut prior = Vec::with_capacity(n);
        let mut current = Vec::with_capacity(n);
        for _ in 0..n {
            let p = (400.0 + 300.0 * next()).round();
            let noise = 60.0 * (next() + next() + next() - 1.5);
            prior.push(p);
            current.push((p + 20.0 + noise).round());
        }
        (prior, current)
    }

    fn spec_for(prior: &[f64]) -> PriorSpec {
        let kb = KnotsBoundaries::from_scores(prior, &crate::knots::KNOT_CUT_PERCENTILES).unwrap();
        PriorSpec::from_knots(3, &kb)
    }

    #[test]
    fn norm_group_minimum_is_enforced() {
        let (prior, current) = synthetic(MIN_NORM_GROUP_SIZE - 1, 7);
        let err = CoefficientMatrix::fit_norm_group(
            &[&prior],
            &current,
            vec![spec_for(&prior)],
            vec![3, 4],
            vec![],
            MIN_NORM_GROUP_SIZE,
        )
        .unwrap_err();
        assert!(matches!(err, SgpError::NormGroupTooSmall { found: 999, minimum: 1000 }));
        assert!(err.to_string().contains("normgroep te klein"));
    }

    #[test]
    fn baseline_fit_and_apply() {
        let (prior, current) = synthetic(1_500, 42);
        let m = CoefficientMatrix::fit_norm_group(
            &[&prior],
            &current,
            vec![spec_for(&prior)],
            vec![3, 4],
            vec![2018, 2019],
            MIN_NORM_GROUP_SIZE,
        )
        .unwrap();
        assert_eq!(m.order(), 1);
        assert_eq!(m.coefficients.len(), 100);
        assert_eq!(m.coefficients[0].len(), 8);
        // Applied to its own norm group, growth percentiles are uniform: median ≈ 50.
        let mut sgps: Vec<u8> =
            prior.iter().zip(&current).map(|(p, c)| m.percentile(&[*p], *c).unwrap()).collect();
        sgps.sort_unstable();
        let median = sgps[sgps.len() / 2];
        assert!((45..=55).contains(&median), "median {median}");
        // A new cohort that grows 30 points less has a clearly lower median.
        let (p2, c2) = synthetic(800, 9);
        let mut slow: Vec<u8> =
            p2.iter().zip(&c2).map(|(p, c)| m.percentile_clipped(&[*p], *c - 30.0).unwrap()).collect();
        slow.sort_unstable();
        assert!(slow[slow.len() / 2] < 40, "median {}", slow[slow.len() / 2]);
        // Clipping: a prior beyond the boundary is treated as the boundary.
        let hi = m.priors[0].boundaries[1];
        assert_eq!(m.predict(&[hi + 500.0], true).unwrap(), m.predict(&[hi], false).unwrap());
        assert_ne!(m.predict(&[hi + 500.0], false).unwrap(), m.predict(&[hi], false).unwrap());
        assert!(m.predict(&[500.0, 1.0], false).is_err());
        // Plain data in and out: the matrix survives a JSON round trip.
        let json = serde_json::to_string(&m).unwrap();
        let back: CoefficientMatrix = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Sorting, rounding and counting: always 1..=99, monotone in the current
            /// score, and independent of the order the quantiles come in.
            #[test]
            fn percentile_invariants(
                mut q in proptest::collection::vec(-1e4f64..1e4, 100),
                y1 in -2e4f64..2e4,
                dy in 0f64..1e3,
            ) {
                let mut rev = q.clone();
                rev.reverse();
                isotonize_and_round(&mut q);
                isotonize_and_round(&mut rev);
                prop_assert_eq!(&q, &rev);
                prop_assert!(q.windows(2).all(|w| w[0] <= w[1]));
                let a = count_percentile(&q, y1);
                let b = count_percentile(&q, y1 + dy);
                prop_assert!((1..=99).contains(&a));
                prop_assert!((1..=99).contains(&b));
                prop_assert!(a <= b);
            }
        }
    }
}
