//! The exact checker of R9: what a reader can derive about each suppressed cell of a count table
//! from the released cells and margins.
//!
//! The reader knows every shown cell, that counts are non-negative integers, and that every row
//! and column adds up to its margin. Writing row `i`'s margin as a flow from the margin column's
//! node to row node `i`, column `j`'s margin as a flow from column node `j` to the margin row's
//! node, the total as a flow from the margin row's node to the margin column's node and each
//! interior count as a flow from its row node to its column node, the constraints say exactly
//! that these non-negative flows form a circulation on a bipartite graph. The true table is one
//! feasible circulation `f`; every other is `f + g` with `g` a circulation on the residual graph
//! (unlimited capacity forwards along a hidden cell, `f(e)` backwards, nothing along a shown
//! cell). So the largest value of hidden cell `e = (a → b)` is `f(e)` plus the maximum flow from
//! `b` to `a` in that residual graph without `e` (unbounded when that flow is), and the smallest
//! is `f(e)` minus the maximum flow from `a` to `b`, capped at `f(e)`. Max-flow/min-cut makes
//! both exact; the constraint matrix is a network matrix, so the bounds of the linear relaxation
//! are integers and coincide with the integer bounds. No approximation is involved.

use crate::DisclosureError;
use crate::table::CountTable;

/// Capacity standing in for "unlimited"; far above any school's count.
const INF: u64 = 1 << 50;

/// The values a hidden cell can take given what is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: u64,
    /// `None`: no upper bound can be derived.
    pub max: Option<u64>,
}

impl Range {
    /// `max − min`; `None` when unbounded.
    pub fn width(&self) -> Option<u64> {
        self.max.map(|m| m - self.min)
    }
    /// Whether the range is at least `protection` wide.
    pub fn protects(&self, protection: u64) -> bool {
        self.width().is_none_or(|w| w >= protection)
    }
}

/// The residual graph of the true table, with every hidden cell as an edge.
struct Residual {
    n: usize,
    cap: Vec<u64>,
    /// Scratch space for one max-flow run.
    work: Vec<u64>,
}

impl Residual {
    fn new(table: &CountTable, hidden: &[bool]) -> Result<Self, DisclosureError> {
        if hidden.len() != table.len() {
            return Err(DisclosureError::Ragged);
        }
        consistent(table)?;
        let n = table.rows() + table.cols() + 2;
        let mut g = Self { n, cap: vec![0; n * n], work: vec![0; n * n] };
        for (idx, &h) in hidden.iter().enumerate() {
            if h {
                g.add(table, idx, 1);
            }
        }
        Ok(g)
    }

    /// Add (`sign` = 1) or remove (`sign` = 0) the residual edges of cell `idx`.
    fn add(&mut self, table: &CountTable, idx: usize, sign: u8) {
        let (a, b) = edge(table, idx);
        let f = table.grid()[idx];
        let n = self.n;
        if sign == 1 {
            self.cap[a * n + b] += INF;
            self.cap[b * n + a] += f;
        } else {
            self.cap[a * n + b] -= INF;
            self.cap[b * n + a] -= f;
        }
    }

    /// Maximum flow from `s` to `t`, stopping once it reaches `limit` (Edmonds–Karp on a copy).
    fn max_flow(&mut self, s: usize, t: usize, limit: u64) -> u64 {
        let n = self.n;
        self.work.copy_from_slice(&self.cap);
        let cap = &mut self.work;
        let mut total = 0u64;
        let mut prev = vec![usize::MAX; n];
        let mut queue = Vec::with_capacity(n);
        while total < limit {
            prev.iter_mut().for_each(|p| *p = usize::MAX);
            prev[s] = s;
            queue.clear();
            queue.push(s);
            let mut head = 0;
            while head < queue.len() && prev[t] == usize::MAX {
                let u = queue[head];
                head += 1;
                for v in 0..n {
                    if prev[v] == usize::MAX && cap[u * n + v] > 0 {
                        prev[v] = u;
                        queue.push(v);
                    }
                }
            }
            if prev[t] == usize::MAX {
                break;
            }
            let mut push = limit - total;
            let mut v = t;
            while v != s {
                let u = prev[v];
                push = push.min(cap[u * n + v]);
                v = u;
            }
            let mut v = t;
            while v != s {
                let u = prev[v];
                cap[u * n + v] -= push;
                cap[v * n + u] += push;
                v = u;
            }
            total += push;
        }
        total
    }

    fn range(&mut self, table: &CountTable, idx: usize) -> Range {
        let (a, b) = edge(table, idx);
        let f = table.grid()[idx];
        self.add(table, idx, 0);
        let up = self.max_flow(b, a, INF);
        let down = self.max_flow(a, b, f);
        self.add(table, idx, 1);
        Range { min: f - down, max: (up < INF).then_some(f + up) }
    }
}

/// The edge `(from, to)` of a grid cell: row nodes are `0..=rows`, column nodes follow.
fn edge(table: &CountTable, idx: usize) -> (usize, usize) {
    let (r, c) = table.position(idx);
    let (rows, cols) = (table.rows(), table.cols());
    let row_node = r;
    let col_node = rows + 1 + c;
    let interior = r < rows && c < cols;
    let total = r == rows && c == cols;
    if interior || total { (row_node, col_node) } else { (col_node, row_node) }
}

/// Every row and column of the grid adds up to its margin.
fn consistent(table: &CountTable) -> Result<(), DisclosureError> {
    let (rows, cols) = (table.rows(), table.cols());
    for r in 0..=rows {
        let sum: u64 = (0..cols).map(|c| table.get(r, c)).sum();
        if sum != table.get(r, cols) {
            return Err(DisclosureError::Inconsistent {
                what: "row",
                index: r,
                expected: table.get(r, cols),
                actual: sum,
            });
        }
    }
    for c in 0..=cols {
        let sum: u64 = (0..rows).map(|r| table.get(r, c)).sum();
        if sum != table.get(rows, c) {
            return Err(DisclosureError::Inconsistent {
                what: "column",
                index: c,
                expected: table.get(rows, c),
                actual: sum,
            });
        }
    }
    Ok(())
}

/// The exact feasible range of every hidden cell (grid index, range), in grid order.
pub fn feasible_ranges(table: &CountTable, hidden: &[bool]) -> Result<Vec<(usize, Range)>, DisclosureError> {
    let mut g = Residual::new(table, hidden)?;
    Ok((0..table.len()).filter(|&i| hidden[i]).map(|i| (i, g.range(table, i))).collect())
}

/// The exact feasible range of one cell (hidden or not).
pub fn range_of(table: &CountTable, hidden: &[bool], idx: usize) -> Result<Range, DisclosureError> {
    let mut mask = hidden.to_vec();
    if let Some(m) = mask.get_mut(idx) {
        *m = true;
    }
    let mut g = Residual::new(table, &mask)?;
    Ok(g.range(table, idx))
}

/// The first hidden cell whose feasible range is narrower than `protection`, if any.
pub fn first_unprotected(
    table: &CountTable,
    hidden: &[bool],
    protection: u64,
) -> Result<Option<(usize, Range)>, DisclosureError> {
    first_unprotected_from(table, hidden, protection, 0)
}

/// As [`first_unprotected`], looking only at grid indices from `start` on. Hiding more cells only
/// removes constraints, so ranges only widen: cells that passed before another cell was hidden
/// still pass, and suppression can resume where it failed.
pub fn first_unprotected_from(
    table: &CountTable,
    hidden: &[bool],
    protection: u64,
    start: usize,
) -> Result<Option<(usize, Range)>, DisclosureError> {
    if !hidden.iter().skip(start).any(|&h| h) {
        return Ok(None);
    }
    let mut g = Residual::new(table, hidden)?;
    for i in (start..table.len()).filter(|&i| hidden[i]) {
        let r = g.range(table, i);
        if !r.protects(protection) {
            return Ok(Some((i, r)));
        }
    }
    Ok(None)
}

/// The runtime assertion: `Ok` only when every hidden cell is protected.
pub fn assert_protected(table: &CountTable, hidden: &[bool], protection: u64) -> Result<(), DisclosureError> {
    match first_unprotected(table, hidden, protection)? {
        None => Ok(()),
        Some((idx, r)) => {
            let (row, col) = table.position(idx);
            Err(DisclosureError::Unprotected { row, col, width: r.width().unwrap_or(u64::MAX), protection })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hide(t: &CountTable, cells: &[(usize, usize)]) -> Vec<bool> {
        let mut m = vec![false; t.len()];
        for &(r, c) in cells {
            m[t.index(r, c)] = true;
        }
        m
    }

    #[test]
    fn a_single_hidden_cell_is_derived_exactly() -> Result<(), DisclosureError> {
        let t = CountTable::from_interior(&[vec![3, 30], vec![20, 20]])?;
        let r = range_of(&t, &hide(&t, &[]), t.index(0, 0))?;
        assert_eq!(r, Range { min: 3, max: Some(3) });
        Ok(())
    }

    #[test]
    fn a_rectangle_of_four_hidden_cells() -> Result<(), DisclosureError> {
        // x00 = 3 and its rectangle partners 30, 20, 25: x00 + t for t in [-3, min(30, 20)].
        let t = CountTable::from_interior(&[vec![3, 30, 7], vec![20, 25, 9]])?;
        let m = hide(&t, &[(0, 0), (0, 1), (1, 0), (1, 1)]);
        let rs = feasible_ranges(&t, &m)?;
        assert_eq!(rs[0], (t.index(0, 0), Range { min: 0, max: Some(23) }));
        assert_eq!(rs[1].1, Range { min: 10, max: Some(33) });
        assert!(assert_protected(&t, &m, 10).is_ok());
        assert!(assert_protected(&t, &m, 24).is_err());
        Ok(())
    }

    #[test]
    fn hidden_margins_make_a_cell_unbounded() -> Result<(), DisclosureError> {
        let t = CountTable::from_interior(&[vec![3, 30], vec![20, 20]])?;
        let m = hide(&t, &[(0, 0), (0, 2), (2, 0), (2, 2)]);
        let r = range_of(&t, &m, t.index(0, 0))?;
        assert_eq!(r, Range { min: 0, max: None });
        Ok(())
    }

    #[test]
    fn matches_brute_force_on_small_tables() -> Result<(), DisclosureError> {
        // Every hiding pattern of a 2x2 table with margins (2^9 patterns), each hidden cell's range
        // against the enumeration of all 2x2 tables with entries 0..=7 that agree with the shown
        // cells (true entries are at most 3).
        let t = CountTable::from_interior(&[vec![1, 2], vec![3, 0]])?;
        let mut all = Vec::new();
        for a in 0..=7u64 {
            for b in 0..=7 {
                for c in 0..=7 {
                    for d in 0..=7 {
                        all.push(CountTable::from_interior(&[vec![a, b], vec![c, d]])?);
                    }
                }
            }
        }
        for pattern in 0u32..(1 << 9) {
            let m: Vec<bool> = (0..9).map(|i| pattern & (1 << i) != 0).collect();
            let agreeing: Vec<&CountTable> =
                all.iter().filter(|u| (0..9).all(|i| m[i] || u.grid()[i] == t.grid()[i])).collect();
            for (idx, r) in feasible_ranges(&t, &m)? {
                let lo = agreeing.iter().map(|u| u.grid()[idx]).min();
                let hi = agreeing.iter().map(|u| u.grid()[idx]).max();
                assert_eq!(Some(r.min), lo, "pattern {pattern:#b} cell {idx}");
                match r.max {
                    Some(mx) => assert_eq!(Some(mx), hi, "pattern {pattern:#b} cell {idx}"),
                    // Unbounded: a cycle of hidden cells can be raised by 4 and stay within 0..=7.
                    None => assert!(hi >= Some(t.grid()[idx] + 4), "pattern {pattern:#b} cell {idx}"),
                }
            }
        }
        Ok(())
    }
}
