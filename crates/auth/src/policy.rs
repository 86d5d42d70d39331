//! The route policy table: the one machine-readable statement of who may call which route.
//!
//! Every HTTP route of the web app has exactly one [`RoutePolicy`] in [`ROUTES`]. The web crate
//! builds its router from this table and refuses to start when a route has no policy or a policy
//! has no route (R1). The authorization-matrix test walks the same table: for every route, role and
//! [`Position`] of the requested object it derives the expected answer from [`RoutePolicy::allows`]
//! and compares it with what the real router answers (R2).
//!
//! To add a page: add its row here, then register its handler in the web crate's route table.

use serde::Serialize;

use crate::audit::{Action, DataCategory};
use crate::role::Role;

/// HTTP methods used by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
    /// Does the method change state (and so need a CSRF token, R22)?
    pub fn is_state_changing(self) -> bool {
        matches!(self, Method::Post)
    }
}

/// Who may call a route at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Access {
    /// Anyone, without a session (login pages, static assets, the OpenAPI document).
    Public,
    /// Someone who passed the password step and still owes the second factor.
    MfaPending,
    /// Any fully logged-in user.
    AnyUser,
    /// Fully logged-in users with one of these roles.
    Roles(&'static [Role]),
}

/// The kind of object a route's path names; its reach decides which positions a role may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Object {
    /// The route names no object.
    None,
    /// `{brin}`: a school.
    School,
    /// `{brin}/{year}/{group}`: a class group in a school year.
    Group,
    /// `{brin}/{number}`: a pupil.
    Pupil,
    /// `{id}`: a user account.
    Account,
}

/// Where the requested object stands relative to the user (the matrix axis of R2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Position {
    /// The user's own object: their group, their school, their child, their granted pupil.
    Own,
    /// Another group of the same school.
    OtherGroup,
    /// Another school of the same board.
    OtherSchool,
    /// A school of another board.
    OtherBoard,
    /// An object that does not exist (or was deleted).
    Missing,
}

impl Position {
    pub const ALL: [Position; 5] =
        [Position::Own, Position::OtherGroup, Position::OtherSchool, Position::OtherBoard, Position::Missing];

    /// The positions that mean something for an object kind.
    pub fn applicable(object: Object) -> &'static [Position] {
        match object {
            Object::None => &[Position::Own],
            Object::School => {
                &[Position::Own, Position::OtherSchool, Position::OtherBoard, Position::Missing]
            }
            Object::Group | Object::Pupil => &Position::ALL,
            Object::Account => &[Position::Own, Position::OtherBoard, Position::Missing],
        }
    }
}

/// How far a role reaches for one object kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Reach {
    /// Every object of the user's board.
    Board,
    /// Every object of the user's school(s) (for a municipality: the schools sharing with it).
    School,
    /// The user's own groups of the current school year (a teacher).
    OwnGroups,
    /// Named pupils: a parent's child with gezag, a care partner's granted pupils.
    NamedPupils,
    /// Nothing.
    Nothing,
}

impl Reach {
    /// Of a role, for an object kind.
    pub fn of(role: Role, object: Object) -> Reach {
        use Role::*;
        match object {
            Object::None => Reach::Board,
            Object::Pupil => match role {
                QualityOfficer => Reach::Board,
                Director | InternBegeleider => Reach::School,
                Teacher => Reach::OwnGroups,
                Parent | CarePartner => Reach::NamedPupils,
                BoardAdmin | MrMember | Municipality => Reach::Nothing,
            },
            Object::Group => match role {
                QualityOfficer => Reach::Board,
                Director | InternBegeleider => Reach::School,
                Teacher => Reach::OwnGroups,
                _ => Reach::Nothing,
            },
            Object::School => match role {
                QualityOfficer | BoardAdmin => Reach::Board,
                Director | InternBegeleider | Teacher | MrMember | Municipality => Reach::School,
                Parent | CarePartner => Reach::Nothing,
            },
            Object::Account => match role {
                BoardAdmin => Reach::Board,
                _ => Reach::Nothing,
            },
        }
    }

    /// May this reach open an object at `pos`?
    pub fn covers(self, pos: Position) -> bool {
        match pos {
            Position::Missing | Position::OtherBoard => false,
            Position::Own => self != Reach::Nothing,
            Position::OtherGroup => matches!(self, Reach::Board | Reach::School),
            Position::OtherSchool => self == Reach::Board,
        }
    }
}

/// The policy of one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoutePolicy {
    pub method: Method,
    /// The path in axum syntax (`/leerlingen/{brin}/{number}`).
    pub path: &'static str,
    pub access: Access,
    pub object: Object,
    /// For routes that read or write pupil-level data: the category and action of the one audit
    /// record each call writes (R24).
    pub audit: Option<(DataCategory, Action)>,
}

impl RoutePolicy {
    /// Is this an API route (answers 401 instead of redirecting to the login page)?
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    /// Does the route carry pupil-level data?
    pub fn is_pupil_data(&self) -> bool {
        self.audit.is_some()
    }

    /// Is `role` admitted to this route at all (before looking at the object)?
    pub fn admits(&self, role: Role) -> bool {
        match self.access {
            Access::Public | Access::AnyUser => true,
            Access::MfaPending => false,
            Access::Roles(roles) => roles.contains(&role),
        }
    }

    /// The expected outcome of the authorization matrix: may a fully logged-in `role` open the
    /// object at `pos` through this route?
    pub fn allows(&self, role: Role, pos: Position) -> bool {
        self.admits(role) && Reach::of(role, self.object).covers(pos)
    }
}

use Role::*;

const STAFF_READ: &[Role] = &[QualityOfficer, Director, InternBegeleider, Teacher];
const PUPIL_READ: &[Role] = &[QualityOfficer, Director, InternBegeleider, Teacher, Parent, CarePartner];
const NOTE_WRITE: &[Role] = &[Director, InternBegeleider, Teacher];
const DOSSIER: &[Role] = &[Director, InternBegeleider, Parent];
const AGGREGATES: &[Role] = &[QualityOfficer, Director, MrMember, Municipality];
const ADMIN: &[Role] = &[BoardAdmin];
const SCHOOL_ANALYSIS: &[Role] = &[QualityOfficer, Director, InternBegeleider];
/// The schoolscan: the director and the IB'er fill it in; the board's quality officer and the
/// school's teachers read it (a teacher's pupil-level parts are their own groups only, by scope).
const SCAN_READ: &[Role] = &[QualityOfficer, Director, InternBegeleider, Teacher];
const SCAN_WRITE: &[Role] = &[Director, InternBegeleider];
/// Conversations and observations per class (step 3): the staff who work with the pupils.
const SCAN_ENTRY: &[Role] = &[Director, InternBegeleider, Teacher];
/// Importing LVS exports for a school: its leaders and IB (issue 3).
const IMPORT: &[Role] = &[Director, InternBegeleider];
// Schoolscan steps 4 and 5: teachers view step 4 (pupil rows filtered to their own groups),
// director and IB write (SCAN_WRITE), the board's quality officer reads.
const SCAN_STEP4_READ: &[Role] = &[QualityOfficer, Director, InternBegeleider, Teacher];
const SCAN_STEP5_READ: &[Role] = &[QualityOfficer, Director, InternBegeleider];

const fn route(
    method: Method,
    path: &'static str,
    access: Access,
    object: Object,
    audit: Option<(DataCategory, Action)>,
) -> RoutePolicy {
    RoutePolicy { method, path, access, object, audit }
}

use Method::{Get, Post};

/// Every route of the app and its policy.
pub const ROUTES: &[RoutePolicy] = &[
    // Public: login, assets, the API description.
    route(Get, "/static/app.css", Access::Public, Object::None, None),
    route(Get, "/static/app.js", Access::Public, Object::None, None),
    route(Get, "/inloggen", Access::Public, Object::None, None),
    route(Post, "/inloggen", Access::Public, Object::None, None),
    route(Get, "/oidc/{board}/start", Access::Public, Object::None, None),
    route(Get, "/oidc/{board}/terug", Access::Public, Object::None, None),
    route(Get, "/api/v1/openapi.json", Access::Public, Object::None, None),
    // Second factor.
    route(Get, "/inloggen/code", Access::MfaPending, Object::None, None),
    route(Post, "/inloggen/code", Access::MfaPending, Object::None, None),
    route(Get, "/inloggen/koppelen", Access::MfaPending, Object::None, None),
    route(Post, "/inloggen/koppelen", Access::MfaPending, Object::None, None),
    // Every logged-in user.
    route(Get, "/", Access::AnyUser, Object::None, None),
    route(Post, "/uitloggen", Access::AnyUser, Object::None, None),
    // Schools, groups, pupils.
    route(Get, "/scholen/{brin}", Access::Roles(STAFF_READ), Object::School, None),
    route(
        Get,
        "/scholen/{brin}/groepen/{year}/{group}",
        Access::Roles(STAFF_READ),
        Object::Group,
        Some((DataCategory::Identiteit, Action::List)),
    ),
    route(
        Get,
        "/leerlingen/{brin}/{number}",
        Access::Roles(PUPIL_READ),
        Object::Pupil,
        Some((DataCategory::Bijzonder, Action::Read)),
    ),
    route(
        Post,
        "/leerlingen/{brin}/{number}/notities",
        Access::Roles(NOTE_WRITE),
        Object::Pupil,
        Some((DataCategory::Gespreksverslag, Action::Create)),
    ),
    route(
        Post,
        "/leerlingen/{brin}/{number}/notities/{note}/correctie",
        Access::Roles(NOTE_WRITE),
        Object::Pupil,
        Some((DataCategory::Gespreksverslag, Action::Update)),
    ),
    route(
        Post,
        "/leerlingen/{brin}/{number}/zienswijze",
        Access::Roles(&[Parent]),
        Object::Pupil,
        Some((DataCategory::Gespreksverslag, Action::Create)),
    ),
    route(
        Get,
        "/leerlingen/{brin}/{number}/dossier",
        Access::Roles(DOSSIER),
        Object::Pupil,
        Some((DataCategory::Bijzonder, Action::Export)),
    ),
    // The schoolscan (issue 7): overview, steps 1, 2, 3 and 7. Not for MR, parents, care partners
    // or the municipality. The risk register and the per-pupil entries are audited.
    route(Get, "/scholen/{brin}/scan/{year}", Access::Roles(SCAN_READ), Object::School, None),
    route(Post, "/scholen/{brin}/scan/{year}/kopie", Access::Roles(SCAN_WRITE), Object::School, None),
    route(Get, "/scholen/{brin}/scan/{year}/stap/1", Access::Roles(SCAN_READ), Object::School, None),
    route(Post, "/scholen/{brin}/scan/{year}/stap/1", Access::Roles(SCAN_WRITE), Object::School, None),
    route(Get, "/scholen/{brin}/scan/{year}/stap/2", Access::Roles(SCAN_READ), Object::School, None),
    route(Post, "/scholen/{brin}/scan/{year}/stap/2", Access::Roles(SCAN_WRITE), Object::School, None),
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/3",
        Access::Roles(SCAN_READ),
        Object::School,
        Some((DataCategory::Bijzonder, Action::Read)),
    ),
    route(
        Post,
        "/scholen/{brin}/scan/{year}/stap/3",
        Access::Roles(SCAN_WRITE),
        Object::School,
        Some((DataCategory::Planning, Action::Update)),
    ),
    route(
        Post,
        "/scholen/{brin}/scan/{year}/stap/3/risico",
        Access::Roles(SCAN_WRITE),
        Object::School,
        Some((DataCategory::Bijzonder, Action::Update)),
    ),
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/3/groep/{group}",
        Access::Roles(SCAN_ENTRY),
        Object::Group,
        Some((DataCategory::Gespreksverslag, Action::Read)),
    ),
    route(
        Post,
        "/scholen/{brin}/scan/{year}/stap/3/groep/{group}",
        Access::Roles(SCAN_ENTRY),
        Object::Group,
        Some((DataCategory::Gespreksverslag, Action::Create)),
    ),
    route(Get, "/scholen/{brin}/scan/{year}/stap/7", Access::Roles(SCAN_READ), Object::School, None),
    route(Post, "/scholen/{brin}/scan/{year}/stap/7", Access::Roles(SCAN_WRITE), Object::School, None),
    // Importing LVS exports (issue 3): the form and the school's import log; the upload shows a
    // preview of the uploaded file and writes nothing; the confirmation writes (one audit record
    // per call, with the data category of the file: toets, identiteit or sociaal-emotioneel).
    route(Get, "/scholen/{brin}/importeren", Access::Roles(IMPORT), Object::School, None),
    route(Post, "/scholen/{brin}/importeren", Access::Roles(IMPORT), Object::School, None),
    route(
        Post,
        "/scholen/{brin}/importeren/bevestigen",
        Access::Roles(IMPORT),
        Object::School,
        Some((DataCategory::Toets, Action::Create)),
    ),
    // Aggregates (MR, municipality, board): no pupil-level data.
    route(Get, "/overzicht/scholen/{brin}", Access::Roles(AGGREGATES), Object::School, None),
    // Administration.
    route(Get, "/beheer/gebruikers", Access::Roles(ADMIN), Object::None, None),
    route(Post, "/beheer/gebruikers", Access::Roles(ADMIN), Object::None, None),
    route(Post, "/beheer/gebruikers/{id}/blokkeren", Access::Roles(ADMIN), Object::Account, None),
    route(Post, "/beheer/gebruikers/{id}/mfa-herstellen", Access::Roles(ADMIN), Object::Account, None),
    route(Get, "/beheer/audit", Access::Roles(ADMIN), Object::None, None),
    route(Get, "/beheer/audit.csv", Access::Roles(ADMIN), Object::None, None),
    // --- Schoolscan step 4 (analysis) and step 5 (conclusions) [branch step4] ---
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/4",
        Access::Roles(SCAN_STEP4_READ),
        Object::School,
        Some((DataCategory::Toets, Action::List)),
    ),
    route(Post, "/scholen/{brin}/scan/{year}/stap/4", Access::Roles(SCAN_WRITE), Object::School, None),
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/4/jaargroep/{grade}",
        Access::Roles(SCAN_STEP4_READ),
        Object::School,
        Some((DataCategory::Toets, Action::List)),
    ),
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/4/groep/{group}",
        Access::Roles(SCAN_STEP4_READ),
        Object::Group,
        Some((DataCategory::Toets, Action::List)),
    ),
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/4/leerling/{number}",
        Access::Roles(SCAN_STEP4_READ),
        Object::Pupil,
        Some((DataCategory::Toets, Action::Read)),
    ),
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/5",
        Access::Roles(SCAN_STEP5_READ),
        Object::School,
        Some((DataCategory::Toets, Action::Read)),
    ),
    route(Post, "/scholen/{brin}/scan/{year}/stap/5", Access::Roles(SCAN_WRITE), Object::School, None),
    route(
        Get,
        "/scholen/{brin}/scan/{year}/stap/5/samenvatting",
        Access::Roles(SCAN_STEP5_READ),
        Object::School,
        Some((DataCategory::Toets, Action::Read)),
    ),
    // --- end of steps 4 and 5 ---
    // JSON API (same sessions, scopes and audit as the pages).
    route(Get, "/api/v1/schools", Access::Roles(STAFF_READ), Object::None, None),
    route(Get, "/api/v1/schools/{brin}/groups", Access::Roles(STAFF_READ), Object::School, None),
    // The analysis of a whole school (it names pupils who stand out): school leaders and IB, and
    // the board's quality officer; not a teacher, whose scope is their own groups.
    route(
        Get,
        "/api/v1/schools/{brin}/findings",
        Access::Roles(SCHOOL_ANALYSIS),
        Object::School,
        Some((DataCategory::Toets, Action::Read)),
    ),
    // The school's import reports (rejected rows carry cell values): school leaders and IB.
    route(
        Get,
        "/api/v1/schools/{brin}/imports",
        Access::Roles(IMPORT),
        Object::School,
        Some((DataCategory::Toets, Action::Read)),
    ),
    route(
        Get,
        "/api/v1/schools/{brin}/groups/{year}/{group}/pupils",
        Access::Roles(STAFF_READ),
        Object::Group,
        Some((DataCategory::Identiteit, Action::List)),
    ),
    route(
        Get,
        "/api/v1/pupils/{brin}/{number}",
        Access::Roles(PUPIL_READ),
        Object::Pupil,
        Some((DataCategory::Identiteit, Action::Read)),
    ),
    route(
        Get,
        "/api/v1/pupils/{brin}/{number}/scores",
        Access::Roles(PUPIL_READ),
        Object::Pupil,
        Some((DataCategory::Toets, Action::Read)),
    ),
];

/// The policy of `method path` (path in axum syntax), if the table has one.
pub fn find(method: Method, path: &str) -> Option<&'static RoutePolicy> {
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_once() {
        let mut seen = std::collections::HashSet::new();
        for r in ROUTES {
            assert!(seen.insert((r.method, r.path)), "duplicate policy {} {}", r.method.as_str(), r.path);
        }
    }

    #[test]
    fn pupil_routes_are_audited_and_scoped() {
        for r in ROUTES {
            if r.object == Object::Pupil {
                assert!(r.audit.is_some(), "{} has no audit category", r.path);
                assert!(matches!(r.access, Access::Roles(_)), "{} is not role-restricted", r.path);
            }
        }
    }

    #[test]
    fn aggregate_roles_never_reach_pupils() {
        for role in [Role::MrMember, Role::Municipality, Role::BoardAdmin] {
            for r in ROUTES.iter().filter(|r| matches!(r.object, Object::Pupil | Object::Group)) {
                for pos in Position::ALL {
                    assert!(!r.allows(role, pos), "{role} may open {} at {pos:?}", r.path);
                }
            }
        }
    }

    #[test]
    fn nobody_crosses_boards() {
        for r in ROUTES {
            for role in Role::ALL {
                assert!(!r.allows(role, Position::OtherBoard) || r.object == Object::None);
                assert!(!r.allows(role, Position::Missing) || r.object == Object::None);
            }
        }
    }

    #[test]
    fn teacher_reaches_own_group_only() {
        let p = find(Method::Get, "/leerlingen/{brin}/{number}").unwrap();
        assert!(p.allows(Role::Teacher, Position::Own));
        assert!(!p.allows(Role::Teacher, Position::OtherGroup));
        assert!(p.allows(Role::InternBegeleider, Position::OtherGroup));
        assert!(!p.allows(Role::InternBegeleider, Position::OtherSchool));
        assert!(p.allows(Role::QualityOfficer, Position::OtherSchool));
    }
}
