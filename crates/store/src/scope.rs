//! Scopes: which records a read may see. Resolved once per request from the user's role.

use schoolscan_domain::{Brin, GroupName, PupilNumber, SchoolYear};
use serde::{Deserialize, Serialize};

/// The part of the data a read may see. Board > school > group > pupil.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Everything: only for migrations, administrative commands on a local file, and tests.
    System,
    /// Every school of one board.
    Board { board: String },
    /// Some schools (of any board the caller is entitled to).
    Schools { schools: Vec<Brin> },
    /// Pupils enrolled in these groups of one school in one school year (a teacher).
    Groups { school: Brin, year: SchoolYear, groups: Vec<GroupName> },
    /// Named pupils of one school (a parent, a care partner).
    Pupils { school: Brin, pupils: Vec<PupilNumber> },
    /// Named pupils of any schools (a parent with children at two schools; a care partner's
    /// grants). Resolved per request from parent links with gezag or unexpired care grants.
    NamedPupils { pupils: Vec<(Brin, PupilNumber)> },
    /// School-level aggregates of these schools only (an MR member, a municipality): counts may be
    /// computed, but no pupil-level read ([`Scope::allows_pupil_rows`]) returns a row.
    Aggregates { schools: Vec<Brin> },
    /// Nothing at all (the default for an unknown role).
    Nothing,
}

/// A piece of SQL and its parameters.
pub(crate) struct SqlFilter {
    pub sql: String,
    pub params: Vec<rusqlite::types::Value>,
}

fn placeholders(n: usize) -> String {
    if n == 0 { "NULL".to_owned() } else { vec!["?"; n].join(",") }
}

impl Scope {
    /// A condition on a schools row aliased `s`.
    pub(crate) fn school_filter(&self) -> SqlFilter {
        use rusqlite::types::Value::Text;
        match self {
            Scope::System => SqlFilter { sql: "1=1".into(), params: vec![] },
            Scope::Board { board } => SqlFilter {
                sql: "s.board_id = (SELECT id FROM boards WHERE key = ?)".into(),
                params: vec![Text(board.clone())],
            },
            Scope::Schools { schools } => SqlFilter {
                sql: format!("s.brin IN ({})", placeholders(schools.len())),
                params: schools.iter().map(|b| Text(b.as_str().to_owned())).collect(),
            },
            Scope::Groups { school, .. } | Scope::Pupils { school, .. } => {
                SqlFilter { sql: "s.brin = ?".into(), params: vec![Text(school.as_str().to_owned())] }
            }
            Scope::NamedPupils { pupils } => {
                let mut schools: Vec<&str> = pupils.iter().map(|(b, _)| b.as_str()).collect();
                schools.sort_unstable();
                schools.dedup();
                SqlFilter {
                    sql: format!("s.brin IN ({})", placeholders(schools.len())),
                    params: schools.into_iter().map(|b| Text(b.to_owned())).collect(),
                }
            }
            Scope::Aggregates { schools } => SqlFilter {
                sql: format!("s.brin IN ({})", placeholders(schools.len())),
                params: schools.iter().map(|b| Text(b.as_str().to_owned())).collect(),
            },
            Scope::Nothing => SqlFilter { sql: "0=1".into(), params: vec![] },
        }
    }

    /// A condition on a pupils row aliased `p` joined to its school `s`.
    pub(crate) fn pupil_filter(&self) -> SqlFilter {
        use rusqlite::types::Value::{Integer, Text};
        let school = self.school_filter();
        match self {
            Scope::Groups { year, groups, .. } => {
                let mut params = school.params;
                params.push(Integer(i64::from(year.start_year())));
                params.extend(groups.iter().map(|g| Text(g.as_str().to_owned())));
                SqlFilter {
                    sql: format!(
                        "{} AND p.id IN (SELECT e.pupil_id FROM enrolments e JOIN groups g ON g.id = e.group_id \
                         WHERE g.school_id = s.id AND e.year = ? AND g.name IN ({}))",
                        school.sql,
                        placeholders(groups.len())
                    ),
                    params,
                }
            }
            Scope::Pupils { pupils, .. } => {
                let mut params = school.params;
                params.extend(pupils.iter().map(|n| Text(n.as_str().to_owned())));
                SqlFilter {
                    sql: format!("{} AND p.number IN ({})", school.sql, placeholders(pupils.len())),
                    params,
                }
            }
            Scope::NamedPupils { pupils } => {
                let mut params = school.params;
                params.extend(pupils.iter().map(|(b, n)| Text(format!("{}/{}", b.as_str(), n.as_str()))));
                SqlFilter {
                    sql: format!(
                        "{} AND (s.brin || '/' || p.number) IN ({})",
                        school.sql,
                        placeholders(pupils.len())
                    ),
                    params,
                }
            }
            _ => school,
        }
    }

    /// May reads through this scope return pupil-level rows? False for aggregate-only audiences
    /// and for [`Scope::Nothing`].
    pub fn allows_pupil_rows(&self) -> bool {
        !matches!(self, Scope::Aggregates { .. } | Scope::Nothing)
    }

    /// Does this scope reach into single groups or pupils (so school-wide totals are not its own)?
    pub fn is_partial_school(&self) -> bool {
        matches!(self, Scope::Groups { .. } | Scope::Pupils { .. } | Scope::NamedPupils { .. })
    }
}
