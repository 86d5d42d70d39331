//! The brute-force limit on failed logins (R18, ASVS 4.0.3 2.2.1 / 5.0 6.3.1).
//!
//! Failures are counted per account name (known or not, so unknown accounts answer the same):
//! - the first [`FREE_FAILURES`] failures within the hour cost nothing;
//! - after that each attempt must wait a back-off that doubles per failure, capped at
//!   [`MAX_BACKOFF`];
//! - with [`MAX_FAILURES`] failures within the last hour, attempts are refused until the oldest
//!   of them is an hour old. The window slides, so an attacker cannot lock a user out for longer
//!   than an hour after they stop.
//!
//! A refused attempt answers exactly like a wrong password and is not counted.

use time::{Duration, OffsetDateTime};

pub const WINDOW: Duration = Duration::hours(1);
pub const MAX_FAILURES: usize = 100;
pub const FREE_FAILURES: usize = 5;
pub const MAX_BACKOFF: Duration = Duration::seconds(30);

/// What to do with a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the password.
    Allow,
    /// Do not check; answer as a failed login. The caller may retry after `until`.
    Refuse { until: OffsetDateTime },
}

/// The back-off after `n` failures.
pub fn backoff(n: usize) -> Duration {
    if n < FREE_FAILURES {
        return Duration::ZERO;
    }
    let exp = u32::try_from(n - FREE_FAILURES).unwrap_or(u32::MAX).min(16);
    Duration::seconds(1i64 << exp).min(MAX_BACKOFF)
}

/// Decide on an attempt at `now`, given the times of earlier failures of this account name.
pub fn decide(failures: &[OffsetDateTime], now: OffsetDateTime) -> Decision {
    let mut recent: Vec<OffsetDateTime> = failures.iter().copied().filter(|t| now - *t < WINDOW).collect();
    recent.sort();
    if recent.len() >= MAX_FAILURES {
        let k = recent.len() - MAX_FAILURES;
        return Decision::Refuse { until: recent[k] + WINDOW };
    }
    if let Some(last) = recent.last() {
        let until = *last + backoff(recent.len());
        if now < until {
            return Decision::Refuse { until };
        }
    }
    Decision::Allow
}

/// The account name failures are counted under: trimmed, lowercase.
pub fn normalise(username: &str) -> String {
    username.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn hundred_failures_in_an_hour_then_refused() {
        let mut fails = Vec::new();
        let mut now = t0();
        for i in 0..MAX_FAILURES {
            assert_eq!(decide(&fails, now), Decision::Allow, "attempt {}", i + 1);
            fails.push(now);
            now += MAX_BACKOFF;
        }
        // 100 failures within 50 minutes: attempt 101 is refused.
        assert!(now - t0() < WINDOW);
        assert!(matches!(decide(&fails, now), Decision::Refuse { .. }));
        // The window slides: an hour after the first failure, attempts are allowed again.
        assert_eq!(decide(&fails, t0() + WINDOW + Duration::seconds(1)), Decision::Allow);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0), Duration::ZERO);
        assert_eq!(backoff(4), Duration::ZERO);
        assert_eq!(backoff(5), Duration::seconds(1));
        assert_eq!(backoff(6), Duration::seconds(2));
        assert_eq!(backoff(50), MAX_BACKOFF);
    }

    proptest! {
        /// Never locked out for longer than the window after the last failure.
        #[test]
        fn no_permanent_lockout(gaps in proptest::collection::vec(0i64..120, 0..200)) {
            let mut now = t0();
            let mut fails = Vec::new();
            for g in gaps {
                now += Duration::seconds(g);
                if decide(&fails, now) == Decision::Allow { fails.push(now); }
            }
            let later = now + WINDOW + MAX_BACKOFF;
            prop_assert_eq!(decide(&fails, later), Decision::Allow);
        }
    }
}
