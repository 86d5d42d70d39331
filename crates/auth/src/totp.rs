//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second steps) for the second
//! factor (R19), with replay protection: a code is accepted once.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use time::OffsetDateTime;

use crate::AuthError;
use crate::encoding::{base32, base32_decode};

/// Seconds per step.
pub const STEP: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;

/// A new random 160-bit secret, base32-encoded (as authenticator apps expect).
pub fn new_secret() -> Result<String, AuthError> {
    let mut key = [0u8; 20];
    getrandom::fill(&mut key).map_err(|_| AuthError::Random)?;
    Ok(base32(&key))
}

/// The HOTP value (RFC 4226) of `key` at `counter`, with `digits` digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> Result<u32, AuthError> {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).map_err(|_| AuthError::TotpSecret)?;
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let off = usize::from(d[d.len() - 1] & 0x0f);
    let bin = (u32::from(d[off] & 0x7f) << 24)
        | (u32::from(d[off + 1]) << 16)
        | (u32::from(d[off + 2]) << 8)
        | u32::from(d[off + 3]);
    Ok(bin % 10u32.pow(digits))
}

/// The step number of a time.
pub fn step_of(t: OffsetDateTime) -> i64 {
    t.unix_timestamp().div_euclid(STEP)
}

/// The 6-digit code for a base32 secret at time `t`, zero-padded.
pub fn code_at(secret_b32: &str, t: OffsetDateTime) -> Result<String, AuthError> {
    let key = base32_decode(secret_b32).ok_or(AuthError::TotpSecret)?;
    let step = u64::try_from(step_of(t)).map_err(|_| AuthError::TotpSecret)?;
    Ok(format!("{:06}", hotp(&key, step, DIGITS)?))
}

/// Check a code typed at `now`. Accepts the current step and one step either side (clock drift),
/// but never a step at or before `last_used` (replay). Returns the step to store as `last_used`.
pub fn verify(secret_b32: &str, code: &str, now: OffsetDateTime, last_used: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let key = base32_decode(secret_b32)?;
    let now_step = step_of(now);
    let mut found = None;
    for step in [now_step - 1, now_step, now_step + 1] {
        let Ok(counter) = u64::try_from(step) else { continue };
        let Ok(v) = hotp(&key, counter, DIGITS) else { continue };
        // Compare all candidates without an early exit.
        if constant_eq(format!("{v:06}").as_bytes(), code.as_bytes()) && last_used.is_none_or(|l| step > l) {
            found = Some(step);
        }
    }
    found
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` URI an authenticator app reads (usually as a QR code).
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        secret_b32,
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, 8 digits.
    #[test]
    fn rfc6238_vectors() {
        let key = b"12345678901234567890";
        for (t, want) in [
            (59i64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let counter = u64::try_from(t / 30).unwrap();
            assert_eq!(hotp(key, counter, 8).unwrap(), want, "t={t}");
        }
    }

    #[test]
    fn accepts_once_within_window() {
        let secret = new_secret().unwrap();
        assert_eq!(secret.len(), 32);
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let code = code_at(&secret, t).unwrap();
        let step = verify(&secret, &code, t, None).unwrap();
        // Replay of the same code is refused.
        assert_eq!(verify(&secret, &code, t, Some(step)), None);
        // 30 s of drift is fine, 90 s is not.
        assert!(verify(&secret, &code, t + time::Duration::seconds(30), None).is_some());
        assert!(verify(&secret, &code, t + time::Duration::seconds(90), None).is_none());
        assert!(verify(&secret, "12345", t, None).is_none());
        assert!(verify(&secret, "abcdef", t, None).is_none());
    }

    #[test]
    fn uri_names_issuer_and_secret() {
        let u = otpauth_uri("Schoolscan", "juf anna", "ABC");
        assert_eq!(
            u,
            "otpauth://totp/Schoolscan:juf%20anna?secret=ABC&issuer=Schoolscan&algorithm=SHA1&digits=6&period=30"
        );
    }
}
