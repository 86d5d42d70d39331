use thiserror::Error;

use crate::Audience;

/// Errors of the disclosure layer. Messages are for developers and logs; screens show their own
/// Dutch text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DisclosureError {
    /// A threshold below the absolute floor was configured.
    #[error("disclosure threshold {requested} is below the absolute floor {floor}")]
    ThresholdTooLow { requested: u32, floor: u32 },
    /// The audience never receives aggregates (parents see their own child only).
    #[error("{0:?} is not an aggregate audience")]
    NotAnAggregateAudience(Audience),
    /// A table's rows have different lengths or the table is empty.
    #[error("table is not rectangular or has no cells")]
    Ragged,
    /// A count or a table beyond what the checker handles exactly (see `table::MAX_COUNT`).
    #[error("table too large for the checker: {0}")]
    TooLarge(&'static str),
    /// A table's margins do not add up.
    #[error("table margins do not add up at {what} {index}: {expected} != {actual}")]
    Inconsistent { what: &'static str, index: usize, expected: u64, actual: u64 },
    /// The runtime assertion after suppression failed (a bug: the table must not be released).
    #[error("suppressed cell ({row}, {col}) can be narrowed to a range {width} wide (< {protection})")]
    Unprotected { row: usize, col: usize, width: u64, protection: u64 },
}
