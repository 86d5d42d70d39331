//! Schoolscan's access rules as pure logic (no I/O, no database, no HTTP).
//!
//! - [`role`]: the nine roles, which need two-factor login and how long they may stay idle.
//! - [`policy`]: the one machine-readable route policy table (who may call what, on which object,
//!   and what it audits), and the reach of each role (own group, school, board...).
//! - [`password`]: the password policy (ASVS 6.2) and Argon2id hashing with upgrade at login.
//! - [`totp`]: RFC 6238 one-time codes with replay protection, and the `otpauth://` URI.
//! - [`session`]: session tokens (128-bit CSPRNG), idle and absolute timeouts, CSRF tokens.
//! - [`limiter`]: the brute-force limit on failed logins.
//! - [`audit`]: audit records, data categories and the tamper-evident hash chain.
//! - [`oidc`]: OpenID Connect authorization-code flow with PKCE and ID-token validation.
//! - [`clock`]: an injectable clock, so every time rule is testable.

pub mod audit;
pub mod clock;
pub mod error;
pub mod limiter;
pub mod oidc;
pub mod password;
pub mod policy;
pub mod role;
pub mod session;
pub mod totp;

mod encoding;

pub use audit::{Action, AuditRecord, DataCategory};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AuthError;
pub use policy::{Access, Object, Position, Reach, RoutePolicy};
pub use role::Role;
