//! Count tables with margins, and primary plus complementary suppression (R8, R9).
//!
//! A table has `rows × cols` interior counts, a row margin per row, a column margin per column and
//! a grand total. It is stored as the full `(rows + 1) × (cols + 1)` grid: row `rows` holds the
//! column margins, column `cols` the row margins, and `(rows, cols)` the grand total. Every cell of
//! the grid, margins included, can be shown or suppressed.

use crate::check::{self, Range};
use crate::{DisclosureError, Policy, Reason};

/// The largest count a table cell may hold. With at most [`MAX_CELLS`] cells every finite flow
/// in the checker stays far below its stand-in for "unlimited" (2^50), so "unbounded" is never
/// reported for a bounded cell.
pub const MAX_COUNT: u64 = 1 << 32;
/// The largest number of grid cells of a table.
pub const MAX_CELLS: usize = 1 << 16;

/// A count table with consistent margins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    rows: usize,
    cols: usize,
    /// Row-major full grid.
    grid: Vec<u64>,
}

impl CountTable {
    /// A table from its interior counts; the margins are computed.
    pub fn from_interior(interior: &[Vec<u64>]) -> Result<Self, DisclosureError> {
        let rows = interior.len();
        let cols = interior.first().map_or(0, Vec::len);
        if rows == 0 || cols == 0 || interior.iter().any(|r| r.len() != cols) {
            return Err(DisclosureError::Ragged);
        }
        if (rows + 1).saturating_mul(cols + 1) > MAX_CELLS {
            return Err(DisclosureError::TooLarge("too many cells"));
        }
        if interior.iter().flatten().any(|&x| x > MAX_COUNT) {
            return Err(DisclosureError::TooLarge("count above MAX_COUNT"));
        }
        let w = cols + 1;
        let mut grid = vec![0u64; (rows + 1) * w];
        for (i, row) in interior.iter().enumerate() {
            for (j, &x) in row.iter().enumerate() {
                grid[i * w + j] = x;
                grid[i * w + cols] += x;
                grid[rows * w + j] += x;
                grid[rows * w + cols] += x;
            }
        }
        Ok(Self { rows, cols, grid })
    }

    /// A one-way table: `cells` that add up to at most `total`. When they add up to less, the
    /// remainder (pupils in none of the categories, e.g. sex not recorded) becomes an extra last
    /// cell that is never shown: a reader cannot see it, and it may itself be small.
    pub fn one_way(cells: &[u64], total: u64) -> Result<Self, DisclosureError> {
        let sum = cells.iter().fold(0u64, |a, &x| a.saturating_add(x));
        if sum > total || cells.is_empty() {
            return Err(DisclosureError::Inconsistent {
                what: "one-way total",
                index: 0,
                expected: total,
                actual: sum,
            });
        }
        let mut row = cells.to_vec();
        if sum < total {
            row.push(total - sum);
        }
        Self::from_interior(&[row])
    }

    /// Interior rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Interior columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// Number of cells in the full grid.
    pub fn len(&self) -> usize {
        self.grid.len()
    }
    /// Never true: a table has at least one interior cell.
    pub fn is_empty(&self) -> bool {
        self.grid.is_empty()
    }
    /// The index of `(r, c)` in the full grid (`r == rows` / `c == cols` are the margins).
    pub fn index(&self, r: usize, c: usize) -> usize {
        r * (self.cols + 1) + c
    }
    /// `(r, c)` of a grid index.
    pub fn position(&self, idx: usize) -> (usize, usize) {
        (idx / (self.cols + 1), idx % (self.cols + 1))
    }
    /// The count at `(r, c)` of the full grid.
    pub fn get(&self, r: usize, c: usize) -> u64 {
        self.grid[self.index(r, c)]
    }
    /// The full grid, row-major.
    pub fn grid(&self) -> &[u64] {
        &self.grid
    }
    /// Whether `(r, c)` is a margin or the total.
    pub fn is_margin(&self, r: usize, c: usize) -> bool {
        r == self.rows || c == self.cols
    }
    /// The cell that always holds the same number as `idx`: in a one-row table a column margin
    /// equals its interior cell, in a one-column table a row margin equals its interior cell.
    fn twin(&self, idx: usize) -> Option<usize> {
        let (r, c) = self.position(idx);
        if self.rows == 1 {
            return Some(self.index(1 - r, c));
        }
        if self.cols == 1 {
            return Some(self.index(r, 1 - c));
        }
        None
    }
}

/// The released pattern of a table: per grid cell `None` (shown) or why it is hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub hidden: Vec<Option<Reason>>,
}

impl Suppression {
    pub fn is_hidden(&self, idx: usize) -> bool {
        self.hidden.get(idx).is_some_and(Option::is_some)
    }
    pub fn mask(&self) -> Vec<bool> {
        self.hidden.iter().map(Option::is_some).collect()
    }
}

/// How a caller constrains a cell before suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fixed {
    /// Decided here.
    #[default]
    Free,
    /// Hidden whatever its count (a remainder, a refusal by the differencing guard, a margin that
    /// is suppressed where it is published).
    Hidden(Reason),
    /// Published elsewhere, so known to the reader: never used for complementary suppression.
    Known,
}

/// Primary suppression (every cell with a count below the policy's threshold, margins included)
/// followed by complementary suppression until every hidden cell's feasible range, as computed by
/// the exact checker, is at least the policy's protection width.
///
/// `fixed` has one entry per grid cell, or is empty for "all free". The result has been checked:
/// an `Ok` pattern passes [`check::first_unprotected`]
/// (the loop resumes at the failing cell, which is sound because ranges only widen as cells are hidden). `Err(Unprotected)` means that no pattern
/// exists without hiding a `Known` cell; the caller must then withhold the whole table.
pub fn suppress(
    table: &CountTable,
    policy: &Policy,
    fixed: &[Fixed],
) -> Result<Suppression, DisclosureError> {
    let len = table.len();
    let fixed_at = |i: usize| fixed.get(i).copied().unwrap_or_default();
    let mut hidden: Vec<Option<Reason>> = (0..len)
        .map(|i| match fixed_at(i) {
            Fixed::Hidden(reason) => Some(reason),
            _ if !policy.allows(table.grid()[i]) => Some(Reason::Primary),
            _ => None,
        })
        .collect();
    tie(table, &mut hidden);
    let protection = policy.protection();
    let mut start = 0;
    loop {
        let mask: Vec<bool> = hidden.iter().map(Option::is_some).collect();
        let Some((idx, _)) = check::first_unprotected_from(table, &mask, protection, start)? else {
            return Ok(Suppression { hidden });
        };
        let candidate = pick(table, &hidden, fixed, idx);
        let Some(c) = candidate else {
            let (row, col) = table.position(idx);
            let width = check::range_of(table, &mask, idx)?.width().unwrap_or(u64::MAX);
            return Err(DisclosureError::Unprotected { row, col, width, protection });
        };
        hidden[c] = Some(Reason::Complementary);
        tie(table, &mut hidden);
        // Resume at the failing cell or at the first newly hidden one, whichever comes first.
        let first_new = (0..len).find(|&i| hidden[i].is_some() && !mask[i]).unwrap_or(c);
        start = idx.min(first_new);
    }
}

/// Give twins the same status (the stronger reason wins: primary over complementary).
fn tie(table: &CountTable, hidden: &mut [Option<Reason>]) {
    for i in 0..hidden.len() {
        if let Some(t) = table.twin(i) {
            match (hidden[i], hidden[t]) {
                (Some(Reason::Primary), _) => hidden[t] = Some(Reason::Primary),
                (Some(r), None) => hidden[t] = Some(r),
                _ => {}
            }
        }
    }
}

/// The cell to hide next to protect `failing`: a shown, free cell in the same row or column
/// (interior before margins, smallest count first), otherwise any shown free cell.
fn pick(table: &CountTable, hidden: &[Option<Reason>], fixed: &[Fixed], failing: usize) -> Option<usize> {
    let (fr, fc) = table.position(failing);
    let free = |i: usize| hidden[i].is_none() && !matches!(fixed.get(i), Some(Fixed::Known));
    let key = |i: usize| {
        let (r, c) = table.position(i);
        let aligned = r == fr || c == fc;
        (!aligned, table.is_margin(r, c), table.grid()[i], i)
    };
    (0..table.len()).filter(|&i| free(i)).min_by_key(|&i| key(i))
}

/// The feasible range of every hidden cell, for reports and tests.
pub fn ranges(table: &CountTable, pattern: &Suppression) -> Result<Vec<(usize, Range)>, DisclosureError> {
    check::feasible_ranges(table, &pattern.mask())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Audience, Threshold};

    fn mr() -> Result<Policy, DisclosureError> {
        Policy::new(Audience::Mr, Threshold::default())
    }

    #[test]
    fn margins_are_computed() -> Result<(), DisclosureError> {
        let t = CountTable::from_interior(&[vec![1, 2], vec![3, 4]])?;
        assert_eq!(t.grid(), &[1, 2, 3, 3, 4, 7, 4, 6, 10]);
        assert!(CountTable::from_interior(&[vec![1], vec![]]).is_err());
        assert!(CountTable::one_way(&[5, 6], 10).is_err());
        assert_eq!(CountTable::one_way(&[5, 6], 12)?.cols(), 3);
        assert_eq!(
            CountTable::from_interior(&[vec![MAX_COUNT + 1]]),
            Err(DisclosureError::TooLarge("count above MAX_COUNT"))
        );
        Ok(())
    }

    #[test]
    fn a_lone_small_cell_gets_a_partner() -> Result<(), DisclosureError> {
        let t = CountTable::one_way(&[3, 30, 40], 73)?;
        let known = vec![Fixed::Known; 0];
        let s = suppress(&t, &mr()?, &known)?;
        // The 3 and the 30 are hidden in the interior row and in the column margins (twins).
        assert_eq!(s.hidden[0], Some(Reason::Primary));
        assert_eq!(s.hidden[1], Some(Reason::Complementary));
        assert_eq!(s.hidden[2], None);
        for (_, r) in ranges(&t, &s)? {
            assert_eq!((r.min, r.max), (0, Some(33)));
        }
        Ok(())
    }

    #[test]
    fn two_way_table_is_protected() -> Result<(), DisclosureError> {
        let t = CountTable::from_interior(&[vec![20, 2, 30], vec![25, 30, 40], vec![12, 15, 11]])?;
        let s = suppress(&t, &mr()?, &[])?;
        assert!(s.is_hidden(t.index(0, 1)));
        assert!(s.hidden.iter().filter(|h| h.is_some()).count() >= 4);
        for (_, r) in ranges(&t, &s)? {
            assert!(r.width().is_none_or(|w| w >= 10), "{r:?}");
        }
        Ok(())
    }

    #[test]
    fn known_cells_are_never_used() -> Result<(), DisclosureError> {
        // Total 12 known, cells 3 and 9: only both hidden protects, width 12.
        let t = CountTable::one_way(&[3, 9], 12)?;
        let mut fixed = vec![Fixed::Free; t.len()];
        let total = t.index(0, t.cols());
        fixed[total] = Fixed::Known;
        fixed[t.index(1, t.cols())] = Fixed::Known;
        let s = suppress(&t, &mr()?, &fixed)?;
        assert!(!s.is_hidden(total));
        assert!(s.is_hidden(0) && s.is_hidden(1));
        Ok(())
    }
}
