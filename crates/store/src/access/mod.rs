//! Accounts, sessions, access grants, the audit log, corrections and retention: the store side of
//! issue 6. A second trait, [`AccessStore`], next to [`crate::Store`], so that the domain-record API
//! stays as it was and callers that need both hold a type implementing both (the web's
//! `Arc<dyn AppStore>`).
//!
//! Pupil-level reads here take a [`Scope`] like every read of [`crate::Store`], and return `None`
//! for anything outside it: the caller cannot tell "not there" from "not yours".

pub(crate) mod sqlite;
mod time_text;

use schoolscan_auth::Role;
use schoolscan_auth::audit::{AuditRecord, ChainedRecord};
use schoolscan_auth::session::Stage;
use schoolscan_domain::{
    Brin, Enrolment, GroupName, Note, Observation, Pupil, PupilNumber, SchoolYear, Score,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

pub use time_text::{parse_ts, ts};

use crate::{Scope, StoreError};

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub board: String,
    pub school: Option<Brin>,
    pub municipality: Option<String>,
    #[serde(skip)]
    pub password_hash: Option<String>,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_confirmed: bool,
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    pub oidc_subject: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub board: String,
    pub school: Option<Brin>,
    pub municipality: Option<String>,
    /// An Argon2id PHC string (hash the password before calling).
    pub password_hash: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A care partner's grant to one pupil (R6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CareGrant {
    pub user_id: i64,
    pub school: Brin,
    pub pupil: PupilNumber,
    /// The recorded consent or legal basis; required.
    pub consent_ref: String,
    pub granted_by: String,
    pub granted_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What a user's scope is built from, read fresh on every request (R4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFacts {
    /// A teacher's groups in their current (latest assigned) school year.
    pub teacher_groups: Option<(Brin, SchoolYear, Vec<GroupName>)>,
    /// A parent's children: (school, pupil, gezag).
    pub children: Vec<(Brin, PupilNumber, bool)>,
    /// A care partner's unexpired grants.
    pub grants: Vec<(Brin, PupilNumber)>,
    /// The schools sharing with a municipality.
    pub municipality_schools: Vec<Brin>,
}

/// A server-side session row. `token_hash` is the SHA-256 of the cookie value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: Option<i64>,
    pub stage: Stage,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    pub oidc_state: Option<String>,
}

/// A group of a school as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSummary {
    pub year: SchoolYear,
    pub name: GroupName,
    pub pupils: u64,
}

/// A note with its id and correction history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredNote {
    pub id: i64,
    pub note: Note,
    pub versions: Vec<NoteVersion>,
}

/// One correction of a note's text (R13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteVersion {
    pub old_text: Option<String>,
    pub new_text: Option<String>,
    pub reason: String,
    pub actor: String,
    pub at: String,
}

/// A parent's view attached to the dossier (R13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Zienswijze {
    pub note_id: Option<i64>,
    pub text: String,
    pub author: String,
    pub at: String,
}

/// Everything stored about one pupil (the dossier of R12).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dossier {
    pub pupil: Pupil,
    pub enrolments: Vec<Enrolment>,
    pub scores: Vec<Score>,
    pub observations: Vec<Observation>,
    pub notes: Vec<StoredNote>,
    pub zienswijzen: Vec<Zienswijze>,
}

/// A board's OpenID Connect provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    pub board: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: String,
    pub token_url: String,
    /// The provider's JWKS document (JSON), fetched when the board configured the provider.
    pub jwks: String,
    pub redirect_url: String,
}

/// What the retention job removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub pupils: Vec<(Brin, PupilNumber)>,
    pub audit_events: usize,
}

/// Default retention of the pupil dossier after the pupil left: 2 years (privacy-security.md §4).
pub const DEFAULT_RETENTION_MONTHS: u32 = 24;

/// The store API for accounts, sessions, access, audit and retention.
pub trait AccessStore: Send + Sync {
    // --- accounts
    fn create_user(&self, user: &NewUser) -> Result<i64, StoreError>;
    fn user(&self, id: i64) -> Result<Option<User>, StoreError>;
    fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError>;
    fn user_by_oidc(&self, subject: &str) -> Result<Option<User>, StoreError>;
    /// All users, or those of one board.
    fn users(&self, board: Option<&str>) -> Result<Vec<User>, StoreError>;
    fn set_password_hash(&self, id: i64, phc: &str) -> Result<(), StoreError>;
    fn set_totp(&self, id: i64, secret: Option<&str>, confirmed: bool) -> Result<(), StoreError>;
    fn set_totp_last_step(&self, id: i64, step: i64) -> Result<(), StoreError>;
    /// Block or unblock an account; blocking ends all its sessions in the same transaction.
    fn set_disabled(&self, id: i64, disabled: bool) -> Result<(), StoreError>;
    /// Remove the second factor (the user enrols again at next login) and end all sessions.
    fn reset_mfa(&self, id: i64) -> Result<(), StoreError>;
    fn link_oidc(&self, id: i64, subject: &str) -> Result<(), StoreError>;
    /// Set a teacher's groups for one school year (replacing that year's assignment).
    fn assign_groups(
        &self,
        user: i64,
        school: &Brin,
        year: SchoolYear,
        groups: &[GroupName],
    ) -> Result<(), StoreError>;
    fn link_parent(
        &self,
        user: i64,
        school: &Brin,
        pupil: &PupilNumber,
        gezag: bool,
    ) -> Result<(), StoreError>;
    /// Record a care grant. Refused without a consent reference or with an expiry not after the
    /// grant time.
    fn add_care_grant(&self, grant: &CareGrant) -> Result<i64, StoreError>;
    fn share_with_municipality(&self, municipality: &str, school: &Brin) -> Result<(), StoreError>;
    /// The facts a user's scope is resolved from, at `now` (expired grants are left out).
    fn access_facts(&self, user: &User, now: OffsetDateTime) -> Result<AccessFacts, StoreError>;
    /// Every stored password hash (for the parameter histogram of docs/security.md).
    fn password_hashes(&self) -> Result<Vec<String>, StoreError>;

    // --- sessions
    fn create_session(&self, s: &SessionRow) -> Result<(), StoreError>;
    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    fn touch_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<(), StoreError>;
    fn set_session_oidc_state(&self, token_hash: &str, state: Option<&str>) -> Result<(), StoreError>;
    fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    fn delete_sessions_of(&self, user: i64) -> Result<usize, StoreError>;
    fn count_sessions(&self, user: i64, stage: Stage) -> Result<usize, StoreError>;

    // --- failed logins
    fn record_login_failure(&self, username: &str, at: OffsetDateTime) -> Result<(), StoreError>;
    fn login_failures(
        &self,
        username: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, StoreError>;
    fn clear_login_failures(&self, username: &str) -> Result<(), StoreError>;

    // --- audit
    /// Append one record to the chain (in one transaction with reading the previous hash).
    fn append_audit(&self, board: &str, rec: &AuditRecord) -> Result<i64, StoreError>;
    /// The whole chain in order (for verification), or one board's records.
    fn audit_log(&self, board: Option<&str>) -> Result<Vec<ChainedRecord>, StoreError>;
    /// The records about one pupil (for the parent's dossier export).
    fn audit_for_pupil(&self, school: &Brin, pupil: &PupilNumber) -> Result<Vec<ChainedRecord>, StoreError>;

    // --- scoped pupil-level reads
    /// The school, if it is in scope: its name and board.
    fn school_in_scope(&self, scope: &Scope, school: &Brin) -> Result<Option<(String, String)>, StoreError>;
    /// The groups of a school the scope may open, newest year first; `None` when the school is
    /// outside the scope.
    fn school_groups(&self, scope: &Scope, school: &Brin) -> Result<Option<Vec<GroupSummary>>, StoreError>;
    /// The pupils of a group, if the scope may open the group.
    fn group_pupils(
        &self,
        scope: &Scope,
        school: &Brin,
        year: SchoolYear,
        group: &GroupName,
    ) -> Result<Option<Vec<Pupil>>, StoreError>;
    fn pupil(&self, scope: &Scope, school: &Brin, number: &PupilNumber) -> Result<Option<Pupil>, StoreError>;
    fn dossier(
        &self,
        scope: &Scope,
        school: &Brin,
        number: &PupilNumber,
    ) -> Result<Option<Dossier>, StoreError>;

    /// The names of all pupils of a school (first name, last name and full name), used only to
    /// redact other pupils' names from the notes a parent sees (R3). Never shown.
    fn pupil_names_for_redaction(&self, school: &Brin)
    -> Result<Vec<(PupilNumber, Vec<String>)>, StoreError>;

    // --- scoped writes
    /// Add a note to a pupil in scope; `None` when the pupil is outside it.
    fn add_note(&self, scope: &Scope, note: &Note) -> Result<Option<i64>, StoreError>;
    /// Correct a note's text, keeping the old text in its history; false when out of scope.
    #[allow(clippy::too_many_arguments)]
    fn correct_note(
        &self,
        scope: &Scope,
        school: &Brin,
        number: &PupilNumber,
        note_id: i64,
        new_text: &str,
        reason: &str,
        actor: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Attach a parent's zienswijze; false when out of scope.
    fn add_zienswijze(
        &self,
        scope: &Scope,
        school: &Brin,
        number: &PupilNumber,
        text: &str,
        author: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    // --- retention (R14)
    fn retention_months(&self, board: &str) -> Result<u32, StoreError>;
    fn set_retention_months(&self, board: &str, months: u32) -> Result<(), StoreError>;
    /// Remove every pupil of `board` who left more than the retention period before `today`,
    /// with all their records, and write one audit event per pupil (actor: the retention job).
    fn purge_expired(
        &self,
        board: &str,
        now: OffsetDateTime,
        request_id: &str,
    ) -> Result<PurgeReport, StoreError>;

    // --- OpenID Connect
    fn oidc_provider(&self, board: &str) -> Result<Option<OidcProvider>, StoreError>;
    fn set_oidc_provider(&self, p: &OidcProvider) -> Result<(), StoreError>;
}

/// The date `months` months before `d` (clamped to the month's last day).
pub fn months_before(d: Date, months: u32) -> Date {
    let total =
        d.year() * 12 + i32::from(u8::from(d.month())) - 1 - i32::try_from(months).unwrap_or(i32::MAX / 2);
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(u8::try_from(m0 + 1).unwrap_or(1)).unwrap_or(time::Month::January);
    let last = time::util::days_in_month(month, y);
    Date::from_calendar_date(y, month, d.day().min(last)).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_before_clamps() {
        assert_eq!(months_before(date!(2026 - 03 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(months_before(date!(2026 - 01 - 15), 24), date!(2024 - 01 - 15));
        assert_eq!(months_before(date!(2026 - 01 - 15), 13), date!(2024 - 12 - 15));
    }
}
