//! Linear quantile regression solved to a **vertex** (basic optimal solution), as
//! quantreg's Barrodale–Roberts `br` method returns one.
//!
//! # The linear programme
//!
//! For design `X` (n × p, rows `x_j`), response `y` and `0 < τ < 1`,
//! `β(τ) = argmin_β Σ_j ρ_τ(y_j − x_jᵀβ)` with `ρ_τ(u) = u(τ − 1{u < 0})`. As an LP:
//! minimise `τ·1ᵀu + (1 − τ)·1ᵀv` s.t. `Xβ + u − v = y`, `u, v ≥ 0`, β free.
//! Its dual is the bounded-variable LP
//!
//! ```text
//!     maximise yᵀa   s.t.   Xᵀa = (1 − τ)·Xᵀ1,   0 ≤ a ≤ 1.
//! ```
//!
//! A basis is a set H of p observations with `X_H` nonsingular. Its primal solution is the
//! fit through those observations, `β = X_H⁻¹ y_H`, with residuals `r = y − Xβ`, and its
//! reduced costs are exactly these residuals. Every nonbasic observation sits at a bound:
//! `a_j = 1` ("upper", above the fit, `r_j ≥ 0`) or `a_j = 0` ("lower", `r_j ≤ 0`).
//! The basic values follow from the equality constraints:
//! `a_H = X_H⁻ᵀ((1 − τ)Xᵀ1 − Σ_{j upper} x_j)`.
//! Labelling each nonbasic observation by the sign of its residual keeps the basis
//! **dual feasible for every τ**; it is optimal when in addition `0 ≤ a_H ≤ 1`.
//!
//! # The algorithm: dual simplex with a bound-flipping ratio test
//!
//! While some basic `a_q` lies outside [0, 1], observation `q` leaves the basis to the
//! bound it violates, and β moves along the edge that keeps the other basic observations
//! on the fit: `β(t) = β ∓ t·z`, `z = X_H⁻¹e_q`. Along that edge the check loss is convex
//! piecewise linear in `t`, with initial slope `−(violation)` and a kink of size
//! `|x_jᵀz|` where a residual changes sign. We walk the kinks in order of step length (ties
//! by observation index), flipping the labels of the observations we pass, and stop at the
//! kink where the slope becomes non-negative: that observation enters the basis. This is an
//! exact line search, so each iteration decreases the check loss or keeps it equal
//! (degenerate step).
//!
//! # Making an iteration cheap
//!
//! An iteration must not cost a pass over all n observations, or the 100 τ of an SGP model
//! (thousands of pivots) become the bottleneck. SGP designs are B-splines of integer
//! scores, so observations share design rows: with G distinct rows (often G ≪ n),
//! `x_gᵀβ` and `x_gᵀz` are computed once per distinct row. All observations of one
//! distinct row move with the same slope along the edge, so their kinks come in the order
//! of y: each distinct row keeps its nonbasic observations per label in (y, index) order,
//! and the line search merges these lists lazily, taking from each row only the run of
//! kinks it reaches (first runs are selected and sorted in chunks, later runs come from a
//! small heap). Step lengths are computed exactly as a full scan would, and the merged
//! order is the same total order, so the pivots — and the vertex — are those of the full
//! scan; only the work changes (about O(G·p) plus the kinks actually crossed). Residuals of
//! all observations are computed only for the optimality check and the result.
//!
//! * **Leaving rule**: dual steepest edge, i.e. the largest `violation² / ‖z_q‖²`
//!   (`z_q` is row q of the basis inverse of the dual LP, so the weight is exact).
//! * **Ties** (residuals that are equal at the step length, very common with integer
//!   scores): the candidate with the largest pivot `|x_jᵀz|` enters, for stability.
//! * **Anti-cycling**: after a run of degenerate (zero-length) steps the solver switches to
//!   Bland's rule (smallest observation index) until it makes progress again. With bound
//!   flipping Bland's rule can still cycle (the property test found such a case); after a
//!   much longer run the solver takes the optimal basis of a slightly perturbed y, which is
//!   optimal for the real y too (`adopt_perturbed_optimum`).
//! * **Numerics**: the p × p basis inverse is recomputed from scratch by Gauss–Jordan
//!   with partial pivoting after every pivot (p ≤ ~30), and β and every residual the line
//!   search or the optimality check uses are computed from it afresh, so no error
//!   accumulates across pivots. The sum of the upper-bound rows is updated incrementally
//!   and recomputed exactly every few pivots and before optimality is declared.
//! * **Parametric in τ (warm start)**: the optimal basis for τ stays dual feasible for
//!   τ + 0.01 and only its `a_H` changes, so a few dual simplex pivots reach the next
//!   optimum. [`rq_path`] solves the τ grid in ascending order that way.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::error::{Result, SgpError};
use crate::linalg::{dot, invert, mat_vec};

/// Feasibility tolerance for the basic dual values `a_H` (which lie in [0, 1]).
const FEAS_TOL: f64 = 1e-9;
/// Relative tolerance for "a residual is zero" (scaled by max |y|).
const RES_TOL_REL: f64 = 1e-9;
/// Smallest |x_jᵀz| that is accepted as a kink (smaller ones are numerically flat).
const PIVOT_TOL: f64 = 1e-9;
/// Tolerance on the slope of the line search.
const SLOPE_TOL: f64 = 1e-11;
/// Degenerate steps in a row after which Bland's rule is used.
const DEGENERATE_RUN_FOR_BLAND: usize = 50;
/// Degenerate steps in a row after which Bland's rule is taken to be cycling and the solver
/// takes the optimum of a perturbed problem (`adopt_perturbed_optimum`).
const DEGENERATE_RUN_FOR_PERTURBATION: usize = 1_000;
/// Size of that perturbation relative to the largest |y|.
const PERTURB_REL: f64 = 1e-6;
/// Pivots between exact recomputations of the sum of the upper-bound rows.
const REFRESH_EVERY: usize = 32;

/// One fitted quantile: a vertex solution of the LP above.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RqFit {
    /// The quantile τ.
    pub tau: f64,
    /// β(τ), length p.
    pub coefficients: Vec<f64>,
    /// The minimal check loss Σ ρ_τ(r_j) (unique even when the vertex is not).
    pub objective: f64,
    /// The p observations (row indices) the fit passes through (the basis).
    pub basis: Vec<usize>,
    /// Number of observations whose residual is zero (≥ p; > p when degenerate).
    pub zero_residuals: usize,
    /// Dual simplex iterations spent on this τ.
    pub iterations: usize,
    /// True when a basic dual value sits on a bound, i.e. β(τ) may not be the unique
    /// minimiser (another vertex could give the same check loss).
    pub possibly_non_unique: bool,
}

#[derive(Debug, Clone, Copy)]
struct Kink {
    t: f64,
    g: f64,
    j: usize,
}

/// The order in which the line search meets the kinks: by step length, ties by observation
/// index (a total order, since indices are unique).
fn kink_order(a: &Kink, b: &Kink) -> Ordering {
    a.t.total_cmp(&b.t).then_with(|| a.j.cmp(&b.j))
}

/// The kinks of one line search, handed out in [`kink_order`] but sorted lazily: the line
/// search usually stops after a few kinks out of thousands, so instead of ordering them all
/// (a heap) the smallest `chunk` are selected (`select_nth_unstable`, linear time) and only
/// those are sorted; when they run out, the next, larger chunk of the rest. Because the order
/// is total, the sequence is exactly the fully sorted one.
#[derive(Debug, Default)]
struct KinkQueue {
    kinks: Vec<Kink>,
    /// Next kink to hand out.
    pos: usize,
    /// `kinks[pos..sorted]` is sorted and no larger than anything after it.
    sorted: usize,
    chunk: usize,
}

impl KinkQueue {
    /// First chunk size; the line search rarely crosses more kinks.
    const FIRST_CHUNK: usize = 32;

    fn clear(&mut self) {
        self.kinks.clear();
        self.pos = 0;
        self.sorted = 0;
        self.chunk = Self::FIRST_CHUNK;
    }

    fn push(&mut self, k: Kink) {
        self.kinks.push(k);
    }

    /// Makes sure `kinks[pos]` is the next kink in order, if there is one.
    fn ready(&mut self) -> bool {
        if self.pos < self.sorted {
            return true;
        }
        let rest = &mut self.kinks[self.pos..];
        if rest.is_empty() {
            return false;
        }
        let k = self.chunk.min(rest.len());
        if k < rest.len() {
            rest.select_nth_unstable_by(k - 1, kink_order);
        }
        rest[..k].sort_unstable_by(kink_order);
        self.sorted = self.pos + k;
        self.chunk = self.chunk.saturating_mul(4);
        true
    }

    fn peek(&mut self) -> Option<&Kink> {
        if self.ready() { self.kinks.get(self.pos) } else { None }
    }

    fn pop(&mut self) -> Option<Kink> {
        let k = *self.peek()?;
        self.pos += 1;
        Some(k)
    }
}

/// Dual simplex state for one design matrix and response; reusable across τ.
#[derive(Debug)]
pub struct RqSolver<'a> {
    x: &'a [f64],
    y: &'a [f64],
    n: usize,
    p: usize,
    basis: Vec<usize>,
    is_basic: Vec<bool>,
    upper: Vec<bool>,
    binv: Vec<f64>,
    beta: Vec<f64>,
    resid: Vec<f64>,
    colsum: Vec<f64>,
    s_upper: Vec<f64>,
    res_tol: f64,
    /// The distinct rows of X (row-major, `urows.len() / p` of them) and, per observation, the
    /// index of its row among them. SGP designs are B-splines of integer scores, so many
    /// observations share a row; `x_jᵀβ` and `x_jᵀz` are computed once per distinct row.
    urows: Vec<f64>,
    group: Vec<usize>,
    /// `x_gᵀβ` and `x_gᵀz` per distinct row g (scratch).
    ub: Vec<f64>,
    uz: Vec<f64>,
    /// Per distinct row, its nonbasic observations labelled lower and upper, each sorted by
    /// (y, index). Within one distinct row every observation moves with the same `x_gᵀz`, so
    /// its kinks come in the order of y: the line search merges these runs instead of
    /// scanning every observation.
    lower: Vec<Vec<usize>>,
    higher: Vec<Vec<usize>>,
    /// Line-search state: the first run of every distinct row (lazily sorted), the later
    /// runs (a heap), and per distinct row where its walk stands.
    first_runs: KinkQueue,
    later_runs: BinaryHeap<Reverse<OrdKink>>,
    cursors: Vec<Cursor>,
}

/// Where the line search stands in one distinct row's list of candidate observations.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    /// |x_gᵀz| along the edge (the kink size of every candidate of this row).
    g: f64,
    /// Candidates are the upper observations (ascending y) rather than the lower ones
    /// (descending y).
    up: bool,
    /// Candidates handed to the queues so far.
    next: usize,
    /// Of those, how many are still in a queue.
    pending: usize,
}

/// A kink ordered by [`kink_order`] (for the heap of later runs).
#[derive(Debug, Clone, Copy)]
struct OrdKink(Kink);

impl PartialEq for OrdKink {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for OrdKink {}
impl PartialOrd for OrdKink {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdKink {
    fn cmp(&self, other: &Self) -> Ordering {
        kink_order(&self.0, &other.0)
    }
}

impl<'a> RqSolver<'a> {
    /// Sets up the solver for the row-major design `x` (n × p) and response `y`.
    ///
    /// # Errors
    /// [`SgpError::Dimension`] for inconsistent sizes, [`SgpError::NonFinite`] for NaN or
    /// infinite input, [`SgpError::Solver`] when X does not have full column rank.
    pub fn new(x: &'a [f64], p: usize, y: &'a [f64]) -> Result<Self> {
        let n = y.len();
        if p == 0 || x.len() != n * p {
            return Err(SgpError::Dimension(format!("X heeft {} waarden, verwacht {n} × {p}", x.len())));
        }
        if n < p {
            return Err(SgpError::Solver(format!("{n} waarnemingen voor {p} coëfficiënten")));
        }
        if x.iter().chain(y).any(|v| !v.is_finite()) {
            return Err(SgpError::NonFinite("ontwerpmatrix of respons".into()));
        }
        let basis = initial_basis(x, n, p)?;
        let mut is_basic = vec![false; n];
        for &h in &basis {
            is_basic[h] = true;
        }
        let mut colsum = vec![0.0; p];
        for row in x.chunks_exact(p) {
            for (c, v) in colsum.iter_mut().zip(row) {
                *c += v;
            }
        }
        let ymax = y.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
        let (urows, group) = distinct_rows(x, n, p);
        let nu = urows.len() / p;
        let mut s = Self {
            x,
            y,
            n,
            p,
            basis,
            is_basic,
            upper: vec![false; n],
            binv: Vec::new(),
            beta: vec![0.0; p],
            resid: vec![0.0; n],
            colsum,
            s_upper: vec![0.0; p],
            res_tol: RES_TOL_REL * ymax,
            urows,
            group,
            ub: vec![0.0; nu],
            uz: vec![0.0; nu],
            lower: vec![Vec::new(); nu],
            higher: vec![Vec::new(); nu],
            first_runs: KinkQueue::default(),
            later_runs: BinaryHeap::new(),
            cursors: vec![Cursor::default(); nu],
        };
        s.refactor()?;
        s.compute_resid();
        // Label every nonbasic observation by the sign of its residual: dual feasible.
        for j in 0..n {
            s.upper[j] = !s.is_basic[j] && s.resid[j] > 0.0;
        }
        s.rebuild_lists();
        s.recompute_upper_sum();
        Ok(s)
    }

    /// Rebuilds the per-row lists of nonbasic observations from the labels, each sorted by
    /// (y, index).
    fn rebuild_lists(&mut self) {
        for list in self.lower.iter_mut().chain(self.higher.iter_mut()) {
            list.clear();
        }
        for j in 0..self.n {
            if !self.is_basic[j] {
                let g = self.group[j];
                if self.upper[j] { &mut self.higher[g] } else { &mut self.lower[g] }.push(j);
            }
        }
        let y = self.y;
        for list in self.lower.iter_mut().chain(self.higher.iter_mut()) {
            list.sort_by(|&a, &b| y[a].total_cmp(&y[b]).then(a.cmp(&b)));
        }
    }

    /// The way out of a degenerate cycle that Bland's rule does not break (with bound flipping
    /// its guarantee does not hold; found by the brute-force property test): solve the same τ
    /// with y perturbed by distinct amounts far above the residual tolerance and far below the
    /// data's gaps, so no residual ties remain and every step makes progress, then take that
    /// optimal basis and its labels back to the real y. Nonbasic residuals that are 0 for the
    /// real y may carry either label, so the basis stays dual feasible, and its basic values do
    /// not depend on y: it is optimal for the real problem too. Only reached after a long
    /// degenerate run, so problems that converge without it get exactly the same vertex.
    fn adopt_perturbed_optimum(&mut self, tau: f64) -> Result<()> {
        let scale = self.y.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
        let y2: Vec<f64> = self
            .y
            .iter()
            .enumerate()
            .map(|(j, v)| {
                // A fixed low-discrepancy sequence in (0, 1): distinct for every observation.
                let u = ((j as f64 + 1.0) * 0.618_033_988_749_895).fract();
                v + PERTURB_REL * scale * (0.5 + u)
            })
            .collect();
        let mut other = RqSolver::new(self.x, self.p, &y2)?;
        other.solve_with(tau, false)?;
        self.basis.clone_from(&other.basis);
        self.is_basic.clone_from(&other.is_basic);
        self.upper.clone_from(&other.upper);
        drop(other);
        self.refactor()?;
        self.compute_resid();
        self.rebuild_lists();
        self.recompute_upper_sum();
        Ok(())
    }

    #[inline]
    fn row(&self, j: usize) -> &[f64] {
        &self.x[j * self.p..(j + 1) * self.p]
    }

    /// Recomputes the basis inverse, β and all residuals from the current basis.
    fn refactor(&mut self) -> Result<()> {
        let p = self.p;
        let mut xh = vec![0.0; p * p];
        for (k, &h) in self.basis.iter().enumerate() {
            xh[k * p..(k + 1) * p].copy_from_slice(self.row(h));
        }
        self.binv =
            invert(&xh, p, 1e-13).ok_or_else(|| SgpError::Solver("singuliere basis in de simplex".into()))?;
        let yh: Vec<f64> = self.basis.iter().map(|&h| self.y[h]).collect();
        let mut beta = vec![0.0; p];
        mat_vec(&self.binv, &yh, &mut beta);
        self.beta = beta;
        // x_jᵀβ per distinct row: bit for bit what `dot(self.row(j), &self.beta)` gives.
        for (b, row) in self.ub.iter_mut().zip(self.urows.chunks_exact(p)) {
            *b = dot(row, &self.beta);
        }
        Ok(())
    }

    /// All residuals r_j = y_j − x_jᵀβ (zero for the basic observations). The line search
    /// computes the ones it needs itself; this is for the optimality check and the result.
    fn compute_resid(&mut self) {
        for (j, r) in self.resid.iter_mut().enumerate() {
            *r = if self.is_basic[j] { 0.0 } else { self.y[j] - self.ub[self.group[j]] };
        }
    }

    /// The sorted list that holds nonbasic observation `j` under its current label.
    fn list_of(&mut self, j: usize) -> &mut Vec<usize> {
        let g = self.group[j];
        if self.upper[j] { &mut self.higher[g] } else { &mut self.lower[g] }
    }

    /// Adds nonbasic observation `j` to the list of its current label.
    fn enlist(&mut self, j: usize) {
        let y = self.y;
        let list = self.list_of(j);
        if let Err(pos) = list.binary_search_by(|&m| y[m].total_cmp(&y[j]).then(m.cmp(&j))) {
            list.insert(pos, j);
        }
    }

    /// Removes observation `j` from the list of its current label.
    fn unlist(&mut self, j: usize) {
        let y = self.y;
        let list = self.list_of(j);
        if let Ok(pos) = list.binary_search_by(|&m| y[m].total_cmp(&y[j]).then(m.cmp(&j))) {
            list.remove(pos);
        }
    }

    /// Flips the label of nonbasic observation `j`.
    fn flip(&mut self, j: usize) {
        self.unlist(j);
        self.upper[j] = !self.upper[j];
        self.enlist(j);
    }

    /// Hands the next run of distinct row `gi`'s candidates to the queues: every candidate
    /// with the same step length as the next one (steps are nondecreasing along the list,
    /// so runs come in order; within a run the queues order by index). Initial runs go to
    /// `first_runs`, later ones to `later_runs`.
    fn push_run(&mut self, gi: usize, initial: bool) {
        let c = self.cursors[gi];
        let list = if c.up { &self.higher[gi] } else { &self.lower[gi] };
        let len = list.len();
        let (y, ub) = (self.y, self.ub[gi]);
        // Exactly the step the full scan computes for observation j.
        let step = |j: usize| {
            let r = y[j] - ub;
            if c.up { r.max(0.0) / c.g } else { (-r).max(0.0) / c.g }
        };
        let at = |k: usize| if c.up { list[k] } else { list[len - 1 - k] };
        let mut k = c.next;
        let Some(first_t) = (k < len).then(|| step(at(k))) else { return };
        while k < len {
            let j = at(k);
            let t = step(j);
            // Numerical equality (so ±0 form one run; the queues order them exactly).
            if t != first_t {
                break;
            }
            let kink = Kink { t, g: c.g, j };
            if initial {
                self.first_runs.push(kink);
            } else {
                self.later_runs.push(Reverse(OrdKink(kink)));
            }
            k += 1;
        }
        let cur = &mut self.cursors[gi];
        cur.pending = k - cur.next;
        cur.next = k;
    }

    /// Sets up the line search along edge direction `z` with sign `sigma`: the kinks of every
    /// nonbasic observation whose residual changes sign along it, in [`kink_order`].
    fn start_line_search(&mut self, z: &[f64], sigma: f64) {
        for (v, row) in self.uz.iter_mut().zip(self.urows.chunks_exact(self.p)) {
            *v = dot(row, z);
        }
        self.first_runs.clear();
        self.later_runs.clear();
        for gi in 0..self.uz.len() {
            // The candidates: upper observations when their residual falls (g < 0), lower
            // ones when it rises (as in the full scan: r_j + t·g with g = σ·x_jᵀz).
            let g = sigma * self.uz[gi];
            let cur = if g < -PIVOT_TOL {
                Cursor { g: -g, up: true, next: 0, pending: 0 }
            } else if g > PIVOT_TOL {
                Cursor { g, up: false, next: 0, pending: 0 }
            } else {
                Cursor { g: 0.0, up: true, next: usize::MAX, pending: 0 }
            };
            self.cursors[gi] = cur;
            if cur.next == 0 {
                self.push_run(gi, true);
            }
        }
    }

    /// The next kink of the line search without taking it.
    fn peek_kink(&mut self) -> Option<Kink> {
        let a = self.first_runs.peek().copied();
        let b = self.later_runs.peek().map(|k| k.0.0);
        match (a, b) {
            (Some(a), Some(b)) => Some(if kink_order(&a, &b) == Ordering::Less { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    /// Takes the next kink of the line search.
    fn pop_kink(&mut self) -> Option<Kink> {
        let k = self.peek_kink()?;
        let from_first = self.first_runs.peek().is_some_and(|a| a.j == k.j);
        if from_first {
            self.first_runs.pop();
        } else {
            self.later_runs.pop();
        }
        let gi = self.group[k.j];
        let cur = &mut self.cursors[gi];
        cur.pending = cur.pending.saturating_sub(1);
        if cur.pending == 0 {
            self.push_run(gi, false);
        }
        Some(k)
    }

    fn add_to_upper_sum(&mut self, j: usize, sign: f64) {
        let p = self.p;
        for (a, v) in self.s_upper.iter_mut().zip(&self.x[j * p..(j + 1) * p]) {
            *a += sign * v;
        }
    }

    fn recompute_upper_sum(&mut self) {
        let p = self.p;
        let mut s = vec![0.0; p];
        for j in 0..self.n {
            if self.upper[j] && !self.is_basic[j] {
                for (a, v) in s.iter_mut().zip(&self.x[j * p..(j + 1) * p]) {
                    *a += v;
                }
            }
        }
        self.s_upper = s;
    }

    /// Basic dual values a_H = X_H⁻ᵀ((1 − τ)Xᵀ1 − Σ_upper x_j).
    fn basic_values(&self, tau: f64) -> Vec<f64> {
        let p = self.p;
        let rhs: Vec<f64> = self.colsum.iter().zip(&self.s_upper).map(|(c, s)| (1.0 - tau) * c - s).collect();
        (0..p).map(|q| (0..p).map(|k| self.binv[k * p + q] * rhs[k]).sum()).collect()
    }

    /// Fixes labels whose residual sign clearly disagrees (only possible after rounding
    /// noise); returns whether anything changed.
    fn repair_labels(&mut self) -> bool {
        let mut changed = false;
        for j in 0..self.n {
            if self.is_basic[j] {
                continue;
            }
            let r = self.resid[j];
            if (self.upper[j] && r < -self.res_tol) || (!self.upper[j] && r > self.res_tol) {
                self.flip(j);
                changed = true;
            }
        }
        if changed {
            self.recompute_upper_sum();
        }
        changed
    }

    /// Solves the problem for `tau` starting from the current basis.
    ///
    /// # Errors
    /// [`SgpError::Solver`] on numerical breakdown or when the iteration limit is hit.
    pub fn solve(&mut self, tau: f64) -> Result<RqFit> {
        self.solve_with(tau, true)
    }

    fn solve_with(&mut self, tau: f64, may_perturb: bool) -> Result<RqFit> {
        if !(tau > 0.0 && tau < 1.0) {
            return Err(SgpError::Solver(format!("τ = {tau} ligt niet tussen 0 en 1")));
        }
        let (n, p) = (self.n, self.p);
        let max_iter = 100 * (n + p) + 10_000;
        let mut iterations = 0usize;
        let mut degenerate_run = 0usize;
        let mut verified = false;
        let mut crossed: Vec<Kink> = Vec::new();
        let mut perturbed = false;
        loop {
            if may_perturb && !perturbed && degenerate_run >= DEGENERATE_RUN_FOR_PERTURBATION {
                perturbed = true;
                degenerate_run = 0;
                verified = false;
                self.adopt_perturbed_optimum(tau)?;
            }
            let a = self.basic_values(tau);
            let bland = degenerate_run >= DEGENERATE_RUN_FOR_BLAND;
            // Leaving observation: dual steepest edge (or Bland's rule).
            let mut leave: Option<(usize, f64, f64)> = None; // (q, viol, score)
            for (q, &aq) in a.iter().enumerate() {
                let viol = if aq > 1.0 + FEAS_TOL {
                    aq - 1.0
                } else if aq < -FEAS_TOL {
                    -aq
                } else {
                    continue;
                };
                let score = if bland {
                    -(self.basis[q] as f64)
                } else {
                    let zz: f64 = (0..p).map(|k| self.binv[k * p + q].powi(2)).sum();
                    viol * viol / zz
                };
                if leave.is_none_or(|(_, _, s)| score > s) {
                    leave = Some((q, viol, score));
                }
            }
            let Some((q, viol, _)) = leave else {
                if !verified {
                    // Guard against drift: recompute the label sums and recheck.
                    verified = true;
                    self.compute_resid();
                    self.recompute_upper_sum();
                    if self.repair_labels() {
                        verified = false;
                    }
                    continue;
                }
                return Ok(self.result(tau, &a, iterations));
            };
            verified = false;
            iterations += 1;
            if iterations > max_iter {
                return Err(SgpError::Solver(format!(
                    "geen convergentie na {max_iter} iteraties (τ = {tau})"
                )));
            }
            let sigma = if a[q] > 1.0 { 1.0 } else { -1.0 };
            // Edge direction: z = X_H⁻¹ e_q, residuals move as r_j + t·σ·x_jᵀz.
            let z: Vec<f64> = (0..p).map(|k| self.binv[k * p + q]).collect();
            self.start_line_search(&z, sigma);
            crossed.clear();
            let mut slope = -viol;
            let mut enter: Option<Kink> = None;
            while let Some(k) = self.pop_kink() {
                slope += k.g;
                if slope >= -SLOPE_TOL {
                    enter = Some(k);
                    break;
                }
                crossed.push(k);
            }
            let Some(first) = enter else {
                return Err(SgpError::Solver(format!("onbegrensde stap in de duale simplex (τ = {tau})")));
            };
            // Among kinks tied with `first` (zero residual at the same step), prefer the
            // largest pivot (or the smallest index under Bland's rule).
            let t_star = first.t;
            let tol = self.res_tol;
            let is_tie = |k: &Kink| (k.t - t_star).abs() * k.g <= tol;
            let better = |a: &Kink, b: &Kink| {
                if bland { a.j < b.j } else { a.g > b.g }
            };
            let mut best = first;
            let mut best_crossed: Option<usize> = None;
            for (idx, k) in crossed.iter().enumerate().rev() {
                if !is_tie(k) {
                    break;
                }
                if better(k, &best) {
                    best = *k;
                    best_crossed = Some(idx);
                }
            }
            while let Some(k) = self.peek_kink() {
                if !is_tie(&k) {
                    break;
                }
                self.pop_kink();
                if better(&k, &best) {
                    best = k;
                    best_crossed = None;
                }
            }
            if best.j != first.j {
                if let Some(idx) = best_crossed {
                    crossed.swap_remove(idx);
                }
                crossed.push(first);
            }
            let entering = best.j;
            if t_star * best.g <= tol {
                degenerate_run += 1;
            } else {
                degenerate_run = 0;
            }
            // Pivot: flip crossed labels, move the leaving observation to its bound.
            // The label sum is updated incrementally and recomputed exactly every
            // REFRESH_EVERY pivots and before optimality is declared.
            for k in &crossed {
                self.flip(k.j);
                let up = self.upper[k.j];
                self.add_to_upper_sum(k.j, if up { 1.0 } else { -1.0 });
            }
            let leaving = self.basis[q];
            self.is_basic[leaving] = false;
            self.upper[leaving] = sigma > 0.0;
            self.enlist(leaving);
            if sigma > 0.0 {
                self.add_to_upper_sum(leaving, 1.0);
            }
            if self.upper[entering] {
                self.add_to_upper_sum(entering, -1.0);
            }
            self.unlist(entering);
            self.is_basic[entering] = true;
            self.upper[entering] = false;
            self.basis[q] = entering;
            self.refactor()?;
            if iterations % REFRESH_EVERY == 0 {
                self.recompute_upper_sum();
            }
        }
    }

    fn result(&self, tau: f64, a: &[f64], iterations: usize) -> RqFit {
        let objective = self.resid.iter().map(|&r| if r < 0.0 { (tau - 1.0) * r } else { tau * r }).sum();
        let zero_residuals = self.resid.iter().filter(|r| r.abs() <= self.res_tol).count();
        let possibly_non_unique = a.iter().any(|&v| v.abs() <= 1e-7 || (v - 1.0).abs() <= 1e-7);
        RqFit {
            tau,
            coefficients: self.beta.clone(),
            objective,
            basis: self.basis.clone(),
            zero_residuals,
            iterations,
            possibly_non_unique,
        }
    }
}

/// The distinct rows of the row-major `x` (n × p), in order of first occurrence, and for
/// every row the index of its distinct row. Rows are equal when their values are equal bit
/// for bit, so anything computed from a distinct row is exactly what the row itself gives.
fn distinct_rows(x: &[f64], n: usize, p: usize) -> (Vec<f64>, Vec<usize>) {
    let bits = |j: usize| -> Vec<u64> { x[j * p..(j + 1) * p].iter().map(|v| v.to_bits()).collect() };
    let mut ids: std::collections::HashMap<Vec<u64>, usize> = std::collections::HashMap::new();
    let mut urows = Vec::new();
    let mut group = Vec::with_capacity(n);
    for j in 0..n {
        let next = ids.len();
        let g = *ids.entry(bits(j)).or_insert(next);
        if g == next {
            urows.extend_from_slice(&x[j * p..(j + 1) * p]);
        }
        group.push(g);
    }
    (urows, group)
}

/// Chooses p linearly independent rows by Gaussian elimination with row pivoting.
fn initial_basis(x: &[f64], n: usize, p: usize) -> Result<Vec<usize>> {
    let mut a = x.to_vec();
    let mut used = vec![false; n];
    let mut basis = Vec::with_capacity(p);
    let scale = x.iter().fold(0.0_f64, |m, v| m.max(v.abs())).max(1e-300);
    for c in 0..p {
        let mut best = 0.0;
        let mut piv = usize::MAX;
        for r in 0..n {
            if !used[r] {
                let v = a[r * p + c].abs();
                if v > best {
                    best = v;
                    piv = r;
                }
            }
        }
        if piv == usize::MAX || best <= 1e-10 * scale {
            return Err(SgpError::Solver(
                "de ontwerpmatrix heeft niet volle rang (te weinig verschillende scores)".into(),
            ));
        }
        used[piv] = true;
        basis.push(piv);
        let pivot_row: Vec<f64> = a[piv * p..(piv + 1) * p].to_vec();
        for r in 0..n {
            if used[r] {
                continue;
            }
            let f = a[r * p + c] / pivot_row[c];
            if f != 0.0 {
                for k in c..p {
                    a[r * p + k] -= f * pivot_row[k];
                }
            }
        }
    }
    Ok(basis)
}

/// Solves the quantile regression of `y` on the row-major design `x` (n × p) for every
/// τ in `taus`, each to a vertex. Warm-starts each τ from the previous optimal basis, so
/// pass the τ grid in ascending order for speed (any order gives the same optima).
///
/// # Errors
/// See [`RqSolver::new`] and [`RqSolver::solve`].
pub fn rq_path(x: &[f64], p: usize, y: &[f64], taus: &[f64]) -> Result<Vec<RqFit>> {
    let mut solver = RqSolver::new(x, p, y)?;
    taus.iter().map(|&tau| solver.solve(tau)).collect()
}

/// The check loss Σ ρ_τ(y_j − x_jᵀβ).
#[must_use]
pub fn check_loss(x: &[f64], p: usize, y: &[f64], beta: &[f64], tau: f64) -> f64 {
    y.iter()
        .zip(x.chunks_exact(p))
        .map(|(yj, row)| {
            let r = yj - dot(row, beta);
            if r < 0.0 { (tau - 1.0) * r } else { tau * r }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minimal check loss by enumerating every p-subset of observations (vertices).
    fn brute_force(x: &[f64], p: usize, y: &[f64], tau: f64) -> f64 {
        let n = y.len();
        let mut best = f64::INFINITY;
        let mut idx: Vec<usize> = (0..p).collect();
        loop {
            let mut xh = vec![0.0; p * p];
            for (k, &h) in idx.iter().enumerate() {
                xh[k * p..(k + 1) * p].copy_from_slice(&x[h * p..(h + 1) * p]);
            }
            if let Some(inv) = invert(&xh, p, 1e-12) {
                let yh: Vec<f64> = idx.iter().map(|&h| y[h]).collect();
                let mut beta = vec![0.0; p];
                mat_vec(&inv, &yh, &mut beta);
                best = best.min(check_loss(x, p, y, &beta, tau));
            }
            // next combination
            let mut i = p;
            loop {
                if i == 0 {
                    return best;
                }
                i -= 1;
                if idx[i] < n - p + i {
                    idx[i] += 1;
                    for k in i + 1..p {
                        idx[k] = idx[k - 1] + 1;
                    }
                    break;
                }
            }
        }
    }

    #[test]
    fn sample_quantile_for_intercept_only() {
        // p = 1: the fit is an order statistic.
        let y = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let x = vec![1.0; y.len()];
        let fits = rq_path(&x, 1, &y, &[0.1, 0.3, 0.5, 0.7, 0.95]).unwrap();
        let got: Vec<f64> = fits.iter().map(|f| f.coefficients[0]).collect();
        // sorted: 1 1 2 3 4 5 6 9; τ·n = 0.8, 2.4, 4, 5.6, 7.6
        assert_eq!(got[0], 1.0);
        assert_eq!(got[1], 2.0);
        assert!(got[2] == 3.0 || got[2] == 4.0);
        assert_eq!(got[3], 5.0);
        assert_eq!(got[4], 9.0);
    }

    #[test]
    fn matches_brute_force_on_a_line() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let y = [2.0, 2.5, 3.0, 7.0, 5.0, 6.5, 6.0, 9.0, 8.5];
        let x: Vec<f64> = xs.iter().flat_map(|&v| [1.0, v]).collect();
        for tau in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let fit = rq_path(&x, 2, &y, &[tau]).unwrap().remove(0);
            let bf = brute_force(&x, 2, &y, tau);
            assert!((fit.objective - bf).abs() < 1e-9, "{tau}: {} vs {bf}", fit.objective);
        }
    }

    #[test]
    fn rank_deficient_design_is_an_error() {
        let x = vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        let y = [1.0, 2.0, 3.0];
        assert!(matches!(RqSolver::new(&x, 2, &y), Err(SgpError::Solver(_))));
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// On tiny problems with many ties (integer data), the simplex reaches the
            /// same minimal check loss as enumerating every vertex, for a whole τ path.
            #[test]
            fn simplex_objective_equals_brute_force(
                pts in proptest::collection::vec((0i32..6, 0i32..6, 0i32..8), 6..11),
                taus in proptest::collection::vec(0.01f64..0.99, 1..5),
            ) {
                let n = pts.len();
                let x: Vec<f64> = pts.iter().flat_map(|&(a, b, _)| [1.0, f64::from(a), f64::from(b)]).collect();
                let y: Vec<f64> = pts.iter().map(|&(_, _, c)| f64::from(c)).collect();
                let mut taus = taus;
                taus.sort_by(f64::total_cmp);
                // Skip rank-deficient designs.
                let Ok(mut solver) = RqSolver::new(&x, 3, &y) else { return Ok(()); };
                for &tau in &taus {
                    let fit = solver.solve(tau).unwrap();
                    let bf = brute_force(&x, 3, &y, tau);
                    prop_assert!((fit.objective - bf).abs() < 1e-8, "n={n} tau={tau}: {} vs {bf}", fit.objective);
                    // A vertex: the fit passes through at least p observations.
                    prop_assert!(fit.zero_residuals >= 3);
                }
            }
        }
    }
}
