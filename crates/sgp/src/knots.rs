//! Knots and boundaries per grade, as the package's `createKnotsBoundaries` sets them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rmath::{extendrange, quantile_type7_sorted, round_r};

/// The package default `knot.cut.percentiles`.
pub const KNOT_CUT_PERCENTILES: [f64; 4] = [0.2, 0.4, 0.6, 0.8];

/// Knots, boundaries and lowest/highest observed score for one grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnotsBoundaries {
    /// `round(quantile(x, knot.cut.percentiles, type = 7), 3)`.
    pub knots: Vec<f64>,
    /// `round(extendrange(x, f = 0.1), 3)`: the B-spline boundary knots.
    pub boundaries: [f64; 2],
    /// `round(range(x), 3)` ("loss.hoss").
    pub loss_hoss: [f64; 2],
    /// Number of scores they were computed from.
    pub n: usize,
}

impl KnotsBoundaries {
    /// Computes knots and boundaries from the scores of one grade (any order). Returns
    /// `None` when there is no score.
    #[must_use]
    pub fn from_scores(scores: &[f64], cut_percentiles: &[f64]) -> Option<Self> {
        let mut x: Vec<f64> = scores.iter().copied().filter(|v| v.is_finite()).collect();
        if x.is_empty() {
            return None;
        }
        x.sort_by(f64::total_cmp);
        let knots = cut_percentiles.iter().map(|&p| round_r(quantile_type7_sorted(&x, p), 3)).collect();
        let b = extendrange(&x, 0.1)?;
        let r = extendrange(&x, 0.0)?;
        Some(Self {
            knots,
            boundaries: [round_r(b[0], 3), round_r(b[1], 3)],
            loss_hoss: [round_r(r[0], 3), round_r(r[1], 3)],
            n: x.len(),
        })
    }
}

/// Knots and boundaries for every grade in `(grade, score)` pairs (missing scores
/// already removed), like `createKnotsBoundaries` on a stacked panel.
#[must_use]
pub fn create_knots_boundaries(
    pairs: impl IntoIterator<Item = (i32, f64)>,
    cut_percentiles: &[f64],
) -> BTreeMap<i32, KnotsBoundaries> {
    let mut by_grade: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    for (g, s) in pairs {
        by_grade.entry(g).or_default().push(s);
    }
    by_grade
        .into_iter()
        .filter_map(|(g, s)| KnotsBoundaries::from_scores(&s, cut_percentiles).map(|kb| (g, kb)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_grade() {
        let kb = KnotsBoundaries::from_scores(&[150.0, 795.0, 500.0, 600.0, 550.0], &KNOT_CUT_PERCENTILES)
            .unwrap();
        // sorted 150 500 550 600 795; h = 0.8, 1.6, 2.4, 3.2
        assert_eq!(kb.knots, vec![430.0, 530.0, 570.0, 639.0]);
        assert_eq!(kb.boundaries, [85.5, 859.5]);
        assert_eq!(kb.loss_hoss, [150.0, 795.0]);
        assert_eq!(kb.n, 5);
    }

    #[test]
    fn groups_by_grade() {
        let m = create_knots_boundaries([(3, 1.0), (4, 2.0), (3, 3.0)], &KNOT_CUT_PERCENTILES);
        assert_eq!(m.len(), 2);
        assert_eq!(m[&3].n, 2);
        assert_eq!(m[&4].boundaries, [2.0, 2.0]);
    }
}
