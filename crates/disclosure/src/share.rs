//! Shares of sensitive flags (OPP, "kwetsbaar", care flags): R10.

use std::fmt;

use serde::Serialize;

use crate::{Cell, Policy};

/// A released share of a sensitive flag. It can never express 0 % or 100 %: a group in which all
/// pupils, or none, have the flag shows "> 95 %" or "< 5 %" (group attribute disclosure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "percent", rename_all = "snake_case")]
pub enum Share {
    /// Below 5 % (including nobody).
    Below5,
    /// A whole percentage from 5 to 95.
    Percent(u8),
    /// Above 95 % (including everybody).
    Above95,
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Share::Below5 => f.write_str("< 5 %"),
            Share::Percent(p) => write!(f, "{p} %"),
            Share::Above95 => f.write_str("> 95 %"),
        }
    }
}

/// The share of `flagged` pupils among `n`, as released to the policy's audience. Suppressed when
/// `n` is below the threshold. A `flagged` above `n` is treated as `n` (all flagged).
pub fn share(flagged: u64, n: u64, policy: &Policy) -> Cell<Share> {
    let value = clamp(flagged.min(n), n);
    policy.standalone(value, n)
}

fn clamp(flagged: u64, n: u64) -> Share {
    // Integer comparisons: flagged / n < 5 % <=> 20 * flagged < n; > 95 % <=> 20 * flagged > 19 n.
    let f = u128::from(flagged);
    let n128 = u128::from(n);
    if n == 0 || 20 * f < n128 {
        return Share::Below5;
    }
    if 20 * f > 19 * n128 {
        return Share::Above95;
    }
    // Round half up to a whole percent; 5 <= p <= 95 holds here, so the cast cannot truncate.
    let p = (200 * f + n128) / (2 * n128);
    Share::Percent(u8::try_from(p.clamp(5, 95)).unwrap_or(95))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Audience, DisclosureError, Threshold};

    #[test]
    fn clamps_and_rounds() -> Result<(), DisclosureError> {
        let p = Policy::new(Audience::Mr, Threshold::default())?;
        let text = |f, n| share(f, n, &p).value().map(ToString::to_string);
        assert_eq!(text(0, 40).as_deref(), Some("< 5 %"));
        assert_eq!(text(1, 40).as_deref(), Some("< 5 %"));
        assert_eq!(text(2, 40).as_deref(), Some("5 %"));
        assert_eq!(text(3, 40).as_deref(), Some("8 %"));
        assert_eq!(text(38, 40).as_deref(), Some("95 %"));
        assert_eq!(text(39, 40).as_deref(), Some("> 95 %"));
        assert_eq!(text(40, 40).as_deref(), Some("> 95 %"));
        assert_eq!(text(50, 40).as_deref(), Some("> 95 %"));
        assert_eq!(share(9, 9, &p).value(), None);
        Ok(())
    }
}
