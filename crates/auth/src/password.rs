//! Passwords: the policy (ASVS 5.0 6.2, R17) and Argon2id hashing with upgrade at login (R16).
//!
//! The common-password list (`data/common-passwords.txt`) holds every entry of 8 or more characters
//! among the first ~3,800 of SecLists' `Passwords/Common-Credentials/10k-most-common.txt`
//! (danielmiessler/SecLists, commit 4f84b3c; shorter entries are refused by the length rule
//! anyway), plus Dutch passwords that such lists miss (`wachtwoord`, `welkom01`, ...). Matching is
//! case-insensitive.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use serde::Serialize;

use crate::AuthError;

/// Minimum length in characters (ASVS 6.2.1).
pub const MIN_LEN: usize = 8;
/// Maximum length in characters: well above the 64 ASVS 6.2.9 asks to allow.
pub const MAX_LEN: usize = 128;

const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Is `pw` on the common-password list?
pub fn is_common(pw: &str) -> bool {
    let lower = pw.trim().to_lowercase();
    COMMON.lines().any(|l| l.trim() == lower)
}

/// The number of entries in the embedded common-password list.
pub fn common_list_len() -> usize {
    COMMON.lines().filter(|l| !l.trim().is_empty()).count()
}

/// Check a new password against the policy: length 8–128, not common, not the user name. No
/// composition rules (ASVS 6.2.5); any Unicode character is allowed.
pub fn check_policy(pw: &str, username: &str) -> Result<(), AuthError> {
    let n = pw.chars().count();
    if n < MIN_LEN {
        return Err(AuthError::PasswordTooShort { min: MIN_LEN });
    }
    if n > MAX_LEN {
        return Err(AuthError::PasswordTooLong { max: MAX_LEN });
    }
    if is_common(pw) {
        return Err(AuthError::PasswordCommon);
    }
    let user = username.trim().to_lowercase();
    if !user.is_empty() && pw.to_lowercase().contains(&user) && user.chars().count() * 2 >= n {
        return Err(AuthError::PasswordIsUsername);
    }
    Ok(())
}

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct HashParams {
    /// Memory in KiB.
    pub m: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
}

/// The parameters new hashes get: the OWASP minimum (m = 19 MiB, t = 2, p = 1).
pub const CURRENT: HashParams = HashParams { m: 19 * 1024, t: 2, p: 1 };

impl HashParams {
    /// At least as strong as [`CURRENT`] (R16).
    pub fn meets_minimum(self) -> bool {
        self.m >= CURRENT.m && self.t >= CURRENT.t && self.p >= CURRENT.p
    }
}

fn hasher(p: HashParams) -> Result<Argon2<'static>, AuthError> {
    let params = Params::new(p.m, p.t, p.p, None).map_err(|_| AuthError::Hashing)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash a password with the current parameters (PHC string). Slow on purpose: call it off the
/// async runtime (`spawn_blocking`).
pub fn hash(pw: &str) -> Result<String, AuthError> {
    hash_with(pw, CURRENT)
}

/// Hash with explicit parameters (for tests and migration of old hashes).
pub fn hash_with(pw: &str, params: HashParams) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| AuthError::Random)?;
    let h = hasher(params)?.hash_password_with_salt(pw.as_bytes(), &salt).map_err(|_| AuthError::Hashing)?;
    Ok(h.to_string())
}

/// The Argon2 parameters of a stored PHC string, if it is an Argon2id hash.
pub fn params_of(phc: &str) -> Option<HashParams> {
    let h = PasswordHash::new(phc).ok()?;
    if h.algorithm.as_str() != "argon2id" {
        return None;
    }
    let p = Params::try_from(&h).ok()?;
    Some(HashParams { m: p.m_cost(), t: p.t_cost(), p: p.p_cost() })
}

/// The result of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Correct. `upgrade`: the hash is weaker than [`CURRENT`]; store a new one now.
    Valid {
        upgrade: bool,
    },
    Invalid,
}

/// Check `pw` against the stored PHC string.
pub fn verify(pw: &str, phc: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(phc) else { return Verified::Invalid };
    let Some(params) = params_of(phc) else { return Verified::Invalid };
    let Ok(h) = hasher(params) else { return Verified::Invalid };
    match h.verify_password(pw.as_bytes(), &parsed) {
        Ok(()) => Verified::Valid { upgrade: !params.meets_minimum() },
        Err(_) => Verified::Invalid,
    }
}

/// Spend the same work as [`verify`] for an unknown account, so that the answer for unknown and
/// known accounts takes the same time (R18).
pub fn verify_dummy(pw: &str) {
    let _ = verify(pw, DUMMY);
}

/// A fixed hash with the current parameters, of no password anyone uses.
const DUMMY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2Nob29sc2Nhbi1kdW1teQ$2p3C8dHgfyjJQ0vXJ3G4Yq8yJ2hS5hWm7T6u0H3r6aE";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_boundaries() {
        assert_eq!(check_policy("Zq7#kLm", "x"), Err(AuthError::PasswordTooShort { min: 8 }));
        assert_eq!(check_policy("Zq7#kLmw", "x"), Ok(()));
        let long64: String = "correct horse battery staple ".repeat(3).chars().take(64).collect();
        assert_eq!(check_policy(&long64, "x"), Ok(()));
        let max: String = "ab cd ef gh ".repeat(20).chars().take(MAX_LEN).collect();
        assert_eq!(check_policy(&max, "x"), Ok(()));
        let over: String = "ab cd ef gh ".repeat(20).chars().take(MAX_LEN + 1).collect();
        assert_eq!(check_policy(&over, "x"), Err(AuthError::PasswordTooLong { max: MAX_LEN }));
    }

    #[test]
    fn no_composition_rules() {
        // All lowercase letters, no digits or symbols: fine when long and uncommon.
        assert_eq!(check_policy("paardenbloemveld", "x"), Ok(()));
        // Unicode counts characters, not bytes.
        assert_eq!(check_policy("ëëëëëëëë", "x"), Ok(()));
    }

    #[test]
    fn common_passwords_refused() {
        assert!(common_list_len() > 500);
        for pw in ["password", "PASSWORD1", "12345678", "iloveyou", "wachtwoord", "Welkom01", "qwertyuiop"] {
            assert_eq!(check_policy(pw, "x"), Err(AuthError::PasswordCommon), "{pw}");
        }
    }

    #[test]
    fn username_refused() {
        assert_eq!(check_policy("meester.jan", "meester.jan"), Err(AuthError::PasswordIsUsername));
        assert_eq!(check_policy("meester.jan1", "Meester.Jan"), Err(AuthError::PasswordIsUsername));
    }

    #[test]
    fn hash_has_current_parameters_and_verifies() {
        let h = hash("een lang wachtwoord").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(params_of(&h), Some(CURRENT));
        assert_eq!(verify("een lang wachtwoord", &h), Verified::Valid { upgrade: false });
        assert_eq!(verify("een ander wachtwoord", &h), Verified::Invalid);
        assert_eq!(verify("x", "not a hash"), Verified::Invalid);
    }

    #[test]
    fn weak_hash_asks_for_upgrade() {
        let old = hash_with("een lang wachtwoord", HashParams { m: 4096, t: 1, p: 1 }).unwrap();
        assert_eq!(verify("een lang wachtwoord", &old), Verified::Valid { upgrade: true });
        assert!(!params_of(&old).unwrap().meets_minimum());
    }

    #[test]
    fn dummy_hash_does_full_work() {
        assert_eq!(params_of(DUMMY), Some(CURRENT));
        verify_dummy("whatever");
    }
}
