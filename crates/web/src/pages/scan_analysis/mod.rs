//! Steps 4 (analysis) and 5 (conclusions) of the schoolscan.
//!
//! - [`analysis`]: the four overviews of the engine with charts, the social-emotional and subgroup
//!   panels, and the drill-down school → jaargroep → group → pupil, with the stappenplan's helper
//!   questions beside the evidence that answers them.
//! - [`conclusions`]: one interpretation record per finding (explanations, consequences, level,
//!   priority), saved with optimistic locking, and a one-page printable summary.
//!
//! Every page analyses the **whole school** (the figures of a jaargroep or of the school must not
//! depend on who looks), with the baseline models pooled over the school's board, after the route's guard and [`crate::guard::SchoolAccess`] established
//! that the school is in the user's scope. Pupil-level rows (pupils who stand out, groups, the
//! expected scores) are then filtered by the request's own scope through [`Visibility`]: a
//! teacher sees the school and jaargroep figures, but only the groups and pupils of their own
//! groups. Findings are cached per (school, year, moment) and the store's data version.

pub mod analysis;
pub mod conclusions;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use schoolscan_analysis::{Config, Findings};
use schoolscan_domain::{Brin, Dataset, MomentKind, SchoolYear};
use schoolscan_store::{DatasetFilter, Scope};

use crate::guard::Ctx;
use crate::{AppState, WebError};

/// The analysis of one school in one school year, with what the pages need beside it.
#[derive(Debug)]
pub struct SchoolAnalysis {
    /// The findings, or the engine's Dutch reason why there are none.
    pub findings: Result<Findings, String>,
    /// Pupil number → display name (shown only for visible pupils).
    pub names: HashMap<String, String>,
    /// Test key → (subject key, subject label, scale code).
    pub tests: HashMap<String, (String, String, String)>,
    /// The test moment chosen in step 4 (`None` = the latest with data).
    pub moment: Option<MomentKind>,
}

impl SchoolAnalysis {
    pub fn name(&self, number: &str) -> String {
        self.names.get(number).cloned().unwrap_or_else(|| format!("leerling {number}"))
    }
}

type CacheKey = (Brin, SchoolYear, Option<MomentKind>);
type CacheVal = (String, Arc<SchoolAnalysis>);

/// One cached analysis per (school, year, moment) with the store's data version (database id and
/// write counter) it was computed at: a write of analysis data makes it stale, and it is replaced, so memory stays
/// bounded by the number of schools.
fn cache() -> &'static Mutex<BTreeMap<CacheKey, CacheVal>> {
    static CACHE: OnceLock<Mutex<BTreeMap<CacheKey, CacheVal>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(BTreeMap::new()))
}

fn run(data: &Dataset, school: &Brin, year: SchoolYear, moment: Option<MomentKind>) -> SchoolAnalysis {
    let cfg = Config { school: Some(school.clone()), year: Some(year), moment, ..Config::default() };
    let findings = schoolscan_analysis::analyse(data, &cfg).map_err(|e| e.to_string());
    let names = data
        .pupils
        .iter()
        .filter(|p| &p.school == school)
        .map(|p| (p.number.as_str().to_owned(), p.display_name()))
        .collect();
    let tests = data
        .tests
        .iter()
        .map(|t| (t.key.clone(), (t.subject.as_str().to_owned(), t.subject.label(), t.scale.code.clone())))
        .collect();
    SchoolAnalysis { findings, names, tests, moment }
}

/// The test moment the team chose in step 4 (`M 2020-2021`), or `None` = the latest moment.
pub fn chosen_moment(stored: &str) -> Option<MomentKind> {
    let letter = stored.split_whitespace().next()?;
    MomentKind::parse(letter)
}

/// The analysis of `school` in the scan year `year`, at the test moment chosen in step 4 (the
/// caller's extractor checked the school is in scope).
///
/// The data are those up to and including the scan year (a scan of 2020-2021 does not look at
/// later years). The baseline models are fitted on every school of the school's board (the method pools "all
/// schools in the database" so that a single school's jaargroepen are not too small,
/// `docs/methode.md`); only `school` is reported, and pupil-level rows are filtered afterwards
/// (see [`Visibility`]).
pub async fn school_analysis(
    app: &AppState,
    ctx: &Ctx,
    school: &Brin,
    year: SchoolYear,
) -> Result<Arc<SchoolAnalysis>, WebError> {
    let scope = ctx.scope.clone();
    let b = school.clone();
    let (board, step4, version) = app
        .blocking(move |s| {
            let Some((_, board)) = s.school_in_scope(&scope, &b)? else { return Ok(None) };
            let version = s.data_version()?;
            let scan = s.scan(&scope, &b, year)?;
            let moment = scan
                .steps
                .iter()
                .find(|st| st.step == 4)
                .and_then(|st| st.content.get("moment").and_then(|m| m.as_str()).map(str::to_owned))
                .unwrap_or_default();
            Ok(Some((board, moment, version)))
        })
        .await?
        .ok_or(WebError::NotFound)?;
    let moment = chosen_moment(&step4);
    let key = (school.clone(), year, moment);
    if let Ok(c) = cache().lock()
        && let Some((v, a)) = c.get(&key)
        && *v == version
    {
        return Ok(a.clone());
    }
    let pool = Scope::Board { board };
    let filter = DatasetFilter { schools: vec![], until: Some(year), with_notes: false };
    let data = app.blocking(move |s| s.load_dataset(&pool, &filter)).await?;
    let school = school.clone();
    let a = tokio::task::spawn_blocking(move || Arc::new(run(&data, &school, year, moment)))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if let Ok(mut c) = cache().lock() {
        c.insert(key, (version, a.clone()));
    }
    Ok(a)
}

/// Which pupil-level rows the request may see.
#[derive(Debug, Clone)]
pub enum Visibility {
    /// The whole school (director, IB, the board's quality officer).
    All,
    /// Only these pupils, and these groups of the scan year (a teacher).
    Limited { pupils: BTreeSet<String>, groups: BTreeSet<String> },
}

impl Visibility {
    pub fn pupil(&self, number: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Limited { pupils, .. } => pupils.contains(number),
        }
    }
    pub fn group(&self, name: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Limited { groups, .. } => groups.contains(name),
        }
    }
    pub fn is_all(&self) -> bool {
        matches!(self, Visibility::All)
    }
}

/// The request's visibility within `school` in the scan year `year`.
pub async fn visibility(
    app: &AppState,
    ctx: &Ctx,
    school: &Brin,
    year: SchoolYear,
) -> Result<Visibility, WebError> {
    match &ctx.scope {
        Scope::System | Scope::Board { .. } => Ok(Visibility::All),
        Scope::Schools { schools } if schools.contains(school) => Ok(Visibility::All),
        scope => {
            let groups: BTreeSet<String> = match scope {
                Scope::Groups { school: s, year: y, groups } if s == school && *y == year => {
                    groups.iter().map(|g| g.as_str().to_owned()).collect()
                }
                _ => BTreeSet::new(),
            };
            let scope = scope.clone();
            let filter = DatasetFilter { schools: vec![school.clone()], until: None, with_notes: false };
            let data = app.blocking(move |s| s.load_dataset(&scope, &filter)).await?;
            let pupils = data
                .pupils
                .iter()
                .filter(|p| &p.school == school)
                .map(|p| p.number.as_str().to_owned())
                .collect();
            Ok(Visibility::Limited { pupils, groups })
        }
    }
}

/// The school year of the path, or 404.
pub fn year_param(p: &HashMap<String, String>) -> Result<SchoolYear, WebError> {
    p.get("year").and_then(|y| SchoolYear::parse(y).ok()).ok_or(WebError::NotFound)
}

/// May the user write steps 4 and 5 (director, IB)?
pub fn may_write(ctx: &Ctx) -> bool {
    use schoolscan_auth::Role;
    matches!(ctx.user.as_ref().map(|u| u.role), Some(Role::Director | Role::InternBegeleider))
}

/// `/scholen/{brin}/scan/{year}`.
pub fn base_path(school: &Brin, year: SchoolYear) -> String {
    format!("/scholen/{}/scan/{}", school, year)
}
