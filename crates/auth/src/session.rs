//! Sessions (R20) and CSRF tokens (R22): random tokens, their at-rest hash, and timeouts.

use sha2::{Digest, Sha256};
use subtle_free::constant_eq;
use time::{Duration, OffsetDateTime};

use crate::AuthError;
use crate::encoding::{b64url, hex};
use crate::role::Role;

/// Absolute session lifetime (R20): 8 hours, however active the user is.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(8);
/// How long a half-finished login (password given, second factor owed) or an anonymous
/// pre-login session may wait.
pub const PENDING_TIMEOUT: Duration = Duration::minutes(10);

/// A new random token of `bytes` bytes from the operating system's CSPRNG, base64url.
pub fn random_token(bytes: usize) -> Result<String, AuthError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|_| AuthError::Random)?;
    Ok(b64url(&b))
}

/// A new session id: 128 random bits, 22 base64url characters.
pub fn new_session_id() -> Result<String, AuthError> {
    random_token(16)
}

/// A new CSRF synchronizer token: 256 random bits.
pub fn new_csrf_token() -> Result<String, AuthError> {
    random_token(32)
}

/// How a session id is stored: SHA-256, hex. A stolen database does not yield usable cookies.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The stage a session is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before login: carries only a CSRF token for the login form.
    Anonymous,
    /// Password given; the second factor is still owed. Grants nothing else.
    MfaPending,
    /// Fully logged in.
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Anonymous => "anon",
            Stage::MfaPending => "mfa",
            Stage::Full => "full",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        match s {
            "anon" => Some(Stage::Anonymous),
            "mfa" => Some(Stage::MfaPending),
            "full" => Some(Stage::Full),
            _ => None,
        }
    }
}

/// Is a session still alive?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Alive,
    IdleExpired,
    AbsoluteExpired,
}

/// Check a session at `now`. Full sessions use the role's idle timeout and the absolute timeout;
/// anonymous and pending ones live [`PENDING_TIMEOUT`] from creation.
pub fn liveness(
    stage: Stage,
    role: Option<Role>,
    created: OffsetDateTime,
    last_seen: OffsetDateTime,
    now: OffsetDateTime,
) -> Liveness {
    match stage {
        Stage::Anonymous | Stage::MfaPending => {
            if now - created > PENDING_TIMEOUT {
                Liveness::AbsoluteExpired
            } else {
                Liveness::Alive
            }
        }
        Stage::Full => {
            let idle = role.map_or(Duration::minutes(15), Role::idle_timeout);
            if now - created >= ABSOLUTE_TIMEOUT {
                Liveness::AbsoluteExpired
            } else if now - last_seen >= idle {
                Liveness::IdleExpired
            } else {
                Liveness::Alive
            }
        }
    }
}

/// Does a submitted CSRF token match the session's? Constant time.
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && constant_eq(expected.as_bytes(), given.as_bytes())
}

/// Is a state-changing request's `Sec-Fetch-Site` acceptable? Same-origin, or absent (clients
/// that do not send fetch metadata; the synchronizer token still protects them). Cross-site and
/// same-site (another subdomain) are refused.
pub fn fetch_site_allowed(header: Option<&str>) -> bool {
    match header.map(str::trim) {
        None => true,
        Some(v) => v.eq_ignore_ascii_case("same-origin") || v.eq_ignore_ascii_case("none"),
    }
}

mod subtle_free {
    pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::b64url_decode;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn session_ids_carry_128_bits() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let id = new_session_id().unwrap();
            assert_eq!(id.len(), 22);
            assert_eq!(b64url_decode(&id).unwrap().len(), 16);
            assert!(seen.insert(id));
        }
        assert_eq!(token_hash("abc").len(), 64);
    }

    #[test]
    fn idle_timeouts_per_role() {
        let (c, n) = (t0(), t0() + Duration::minutes(14));
        assert_eq!(liveness(Stage::Full, Some(Role::Teacher), c, c, n), Liveness::Alive);
        let n = t0() + Duration::minutes(15);
        assert_eq!(liveness(Stage::Full, Some(Role::Teacher), c, c, n), Liveness::IdleExpired);
        assert_eq!(liveness(Stage::Full, Some(Role::Parent), c, c, n), Liveness::Alive);
        let n = t0() + Duration::minutes(30);
        assert_eq!(liveness(Stage::Full, Some(Role::Parent), c, c, n), Liveness::IdleExpired);
    }

    #[test]
    fn absolute_timeout_beats_activity() {
        let c = t0();
        let n = c + Duration::hours(8);
        assert_eq!(
            liveness(Stage::Full, Some(Role::Parent), c, n - Duration::minutes(1), n),
            Liveness::AbsoluteExpired
        );
        let n = c + Duration::hours(8) - Duration::seconds(1);
        assert_eq!(
            liveness(Stage::Full, Some(Role::Parent), c, n - Duration::minutes(1), n),
            Liveness::Alive
        );
    }

    #[test]
    fn pending_logins_expire() {
        let c = t0();
        assert_eq!(
            liveness(Stage::MfaPending, None, c, c, c + Duration::minutes(11)),
            Liveness::AbsoluteExpired
        );
    }

    #[test]
    fn csrf_and_fetch_site() {
        let t = new_csrf_token().unwrap();
        assert!(csrf_matches(&t, &t));
        assert!(!csrf_matches(&t, "x"));
        assert!(!csrf_matches("", ""));
        assert!(fetch_site_allowed(None));
        assert!(fetch_site_allowed(Some("same-origin")));
        assert!(!fetch_site_allowed(Some("cross-site")));
        assert!(!fetch_site_allowed(Some("same-site")));
    }
}
