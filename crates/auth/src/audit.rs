//! Audit records and the hash chain that makes the audit log tamper-evident (R24).
//!
//! Each record's hash is SHA-256 over the previous record's hash and the record's canonical form.
//! Changing, inserting or removing a stored record breaks the chain from that record on.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encoding::hex;

/// Data categories (privacy-security.md §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataCategory {
    Identiteit,
    Toets,
    SociaalEmotioneel,
    Gespreksverslag,
    Bijzonder,
    Planning,
}

impl DataCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            DataCategory::Identiteit => "identiteit",
            DataCategory::Toets => "toets",
            DataCategory::SociaalEmotioneel => "sociaal-emotioneel",
            DataCategory::Gespreksverslag => "gespreksverslag",
            DataCategory::Bijzonder => "bijzonder",
            DataCategory::Planning => "planning",
        }
    }
}

/// What was done with the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    List,
    Export,
    Create,
    Update,
    Delete,
    /// Deleted by the retention job.
    Purge,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::List => "list",
            Action::Export => "export",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Purge => "purge",
        }
    }
}

/// One audit record as it is chained and stored. Text fields, so that the chain can be verified
/// from the stored row alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// UTC time, RFC 3339.
    pub time_utc: String,
    /// The acting user's account id; `None` for the system (retention job).
    pub actor_id: Option<i64>,
    pub actor: String,
    pub actor_role: String,
    /// On whose behalf: the board (and school) the access was for.
    pub acting_for: String,
    pub school: Option<String>,
    pub group: Option<String>,
    pub pupil: Option<String>,
    pub category: String,
    pub action: String,
    pub route: String,
    pub request_id: String,
    /// `allowed` or `denied`.
    pub outcome: String,
}

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn field(h: &mut Sha256, s: &str) {
    h.update(u64::try_from(s.len()).unwrap_or(u64::MAX).to_be_bytes());
    h.update(s.as_bytes());
}

fn opt(h: &mut Sha256, s: Option<&str>) {
    match s {
        None => h.update([0u8]),
        Some(s) => {
            h.update([1u8]);
            field(h, s);
        }
    }
}

/// The chained hash of `rec` after `prev` (lowercase hex). Fields are length-prefixed, so no two
/// different records hash the same way.
pub fn chain_hash(prev: &str, seq: i64, rec: &AuditRecord) -> String {
    let mut h = Sha256::new();
    field(&mut h, prev);
    h.update(seq.to_be_bytes());
    field(&mut h, &rec.time_utc);
    opt(&mut h, rec.actor_id.map(|i| i.to_string()).as_deref());
    field(&mut h, &rec.actor);
    field(&mut h, &rec.actor_role);
    field(&mut h, &rec.acting_for);
    opt(&mut h, rec.school.as_deref());
    opt(&mut h, rec.group.as_deref());
    opt(&mut h, rec.pupil.as_deref());
    field(&mut h, &rec.category);
    field(&mut h, &rec.action);
    field(&mut h, &rec.route);
    field(&mut h, &rec.request_id);
    field(&mut h, &rec.outcome);
    hex(&h.finalize())
}

/// A stored record with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedRecord {
    pub seq: i64,
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the chain breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first record whose hash or link does not match.
    pub seq: i64,
}

/// Check a whole chain in sequence order, from the genesis hash.
pub fn verify_chain(rows: &[ChainedRecord]) -> Result<usize, ChainBreak> {
    let mut prev = GENESIS.to_owned();
    let mut last_seq = 0;
    for r in rows {
        if r.seq != last_seq + 1 || r.prev_hash != prev || chain_hash(&prev, r.seq, &r.record) != r.hash {
            return Err(ChainBreak { seq: r.seq });
        }
        prev.clone_from(&r.hash);
        last_seq = r.seq;
    }
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rec(i: usize) -> AuditRecord {
        AuditRecord {
            time_utc: format!("2026-01-01T10:00:{:02}Z", i % 60),
            actor_id: Some(7),
            actor: "juf.anna".into(),
            actor_role: "teacher".into(),
            acting_for: "demo/10AA".into(),
            school: Some("10AA".into()),
            group: None,
            pupil: Some(format!("{i:04}")),
            category: "toets".into(),
            action: "read".into(),
            route: "/leerlingen/{brin}/{number}".into(),
            request_id: format!("req-{i}"),
            outcome: "allowed".into(),
        }
    }

    fn chain(n: usize) -> Vec<ChainedRecord> {
        let mut out = Vec::new();
        let mut prev = GENESIS.to_owned();
        for i in 0..n {
            let seq = i64::try_from(i).unwrap() + 1;
            let record = rec(i);
            let hash = chain_hash(&prev, seq, &record);
            out.push(ChainedRecord { seq, record, prev_hash: prev.clone(), hash: hash.clone() });
            prev = hash;
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(20)), Ok(20));
    }

    proptest! {
        #[test]
        fn any_altered_field_breaks_the_chain(n in 1usize..30, at in 0usize..30, which in 0usize..4) {
            let mut c = chain(n);
            let at = at % n;
            match which {
                0 => c[at].record.pupil = Some("9999".into()),
                1 => c[at].record.outcome = "denied".into(),
                2 => c[at].record.actor.push('x'),
                _ => c[at].record.time_utc = "2030-01-01T00:00:00Z".into(),
            }
            prop_assert_eq!(verify_chain(&c), Err(ChainBreak { seq: i64::try_from(at).unwrap() + 1 }));
        }

        #[test]
        fn removing_a_record_breaks_the_chain(n in 2usize..30, at in 0usize..29) {
            let mut c = chain(n);
            let at = at % (n - 1);
            c.remove(at);
            prop_assert!(verify_chain(&c).is_err());
        }
    }
}
