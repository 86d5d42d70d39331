//! The roles of Schoolscan users.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::AuthError;

/// A user's role. Every account has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and reads the audit log of the board. Sees no pupil pages.
    BoardAdmin,
    /// Reads pupil test data across the board's schools (quality assurance).
    QualityOfficer,
    /// School leader: the whole school.
    Director,
    /// Pupil-care coordinator (IB'er): the whole school, including care notes.
    InternBegeleider,
    /// Their own groups of the current school year.
    Teacher,
    /// Member of the medezeggenschapsraad: aggregates of their school only.
    MrMember,
    /// A parent or carer: their own child, the full dossier only with gezag.
    Parent,
    /// An external care partner: named pupils under a recorded consent, until the grant expires.
    CarePartner,
    /// A municipality official: aggregates of the schools that share with the municipality.
    Municipality,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::BoardAdmin,
        Role::QualityOfficer,
        Role::Director,
        Role::InternBegeleider,
        Role::Teacher,
        Role::MrMember,
        Role::Parent,
        Role::CarePartner,
        Role::Municipality,
    ];

    /// The stable key stored in the database and used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Role::BoardAdmin => "board_admin",
            Role::QualityOfficer => "quality_officer",
            Role::Director => "director",
            Role::InternBegeleider => "intern_begeleider",
            Role::Teacher => "teacher",
            Role::MrMember => "mr_member",
            Role::Parent => "parent",
            Role::CarePartner => "care_partner",
            Role::Municipality => "municipality",
        }
    }

    /// The Dutch name shown on screens.
    pub fn label(self) -> &'static str {
        match self {
            Role::BoardAdmin => "bestuursbeheerder",
            Role::QualityOfficer => "kwaliteitsmedewerker bestuur",
            Role::Director => "directeur",
            Role::InternBegeleider => "intern begeleider",
            Role::Teacher => "leerkracht",
            Role::MrMember => "MR-lid",
            Role::Parent => "ouder/verzorger",
            Role::CarePartner => "zorgpartner",
            Role::Municipality => "gemeente",
        }
    }

    /// School staff (employed by the board).
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::BoardAdmin | Role::QualityOfficer | Role::Director | Role::InternBegeleider | Role::Teacher
        )
    }

    /// Does a login need a second factor (R19)? Staff and care partners must; so do MR members and
    /// municipality officials, who see school data. Parents log in with a password (see
    /// docs/security.md for this choice).
    pub fn requires_mfa(self) -> bool {
        !matches!(self, Role::Parent)
    }

    /// Idle timeout (R20): 15 minutes for staff and every other role, 30 minutes for parents.
    pub fn idle_timeout(self) -> Duration {
        if self == Role::Parent { Duration::minutes(30) } else { Duration::minutes(15) }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Role {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == s.trim())
            .ok_or_else(|| AuthError::UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.key().parse::<Role>().unwrap(), r);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn mfa_for_staff_and_care_partners() {
        for r in Role::ALL {
            if r.is_staff() || r == Role::CarePartner {
                assert!(r.requires_mfa(), "{r}");
            }
        }
        assert!(!Role::Parent.requires_mfa());
    }

    #[test]
    fn idle_timeouts_per_r20() {
        assert_eq!(Role::Teacher.idle_timeout(), Duration::minutes(15));
        assert_eq!(Role::Parent.idle_timeout(), Duration::minutes(30));
    }
}
