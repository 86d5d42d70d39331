//! Resolve a user's scope from their role and access facts: once per request (R4: changes to
//! assignments, links or grants apply on the very next request).

use schoolscan_auth::Role;
use schoolscan_store::Scope;
use schoolscan_store::access::{AccessFacts, User};

/// The scope of `user` given the facts read for this request.
pub fn scope_for(user: &User, facts: &AccessFacts) -> Scope {
    let own_school = || user.school.clone().map_or(Scope::Nothing, |s| Scope::Schools { schools: vec![s] });
    let scope = match user.role {
        Role::BoardAdmin | Role::QualityOfficer => Scope::Board { board: user.board.clone() },
        Role::Director | Role::InternBegeleider => own_school(),
        Role::Teacher => match (&facts.teacher_groups, &user.school) {
            (Some((school, year, groups)), Some(own)) if school == own => {
                Scope::Groups { school: school.clone(), year: *year, groups: groups.clone() }
            }
            _ => Scope::Nothing,
        },
        Role::MrMember => {
            user.school.clone().map_or(Scope::Nothing, |s| Scope::Aggregates { schools: vec![s] })
        }
        Role::Municipality => Scope::Aggregates { schools: facts.municipality_schools.clone() },
        Role::Parent => Scope::NamedPupils {
            pupils: facts.children.iter().map(|(s, p, _)| (s.clone(), p.clone())).collect(),
        },
        Role::CarePartner => Scope::NamedPupils { pupils: facts.grants.clone() },
    };
    match &scope {
        Scope::NamedPupils { pupils } if pupils.is_empty() => Scope::Nothing,
        Scope::Aggregates { schools } if schools.is_empty() => Scope::Nothing,
        _ => scope,
    }
}
