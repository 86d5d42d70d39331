//! `analyse`: from a dataset and a config to `Findings` (growth-method.md §2–§5).

use std::collections::{BTreeMap, BTreeSet};

use schoolscan_domain::{Dataset, Grade, MomentKind, SchoolYear};

use crate::agg::{self, Agg, Metric, VarComp};
use crate::config::MAX_PRIOR_ORDER;
use crate::findings::*;
use crate::measure::{self, MeasureSettings, PupilRes, UnitMeasure};
use crate::prep::{self, Prepared};
use crate::stats::normal;
use crate::{AnalysisError, Config};

/// A unit measured at the target, with its variance components and headline metric.
pub(crate) struct UnitResult {
    pub um: UnitMeasure,
    pub vc_months: Option<VarComp>,
    pub vc_es: Option<VarComp>,
    /// Months are reported for this unit (vertical scale, baseline growth clearly positive for
    /// at least 90% of its pupils).
    pub months: bool,
    pub no_months_reason: Option<String>,
}

impl UnitResult {
    pub fn metric(&self) -> Metric {
        if self.months { Metric::Months } else { Metric::Es }
    }
    pub fn vc(&self, m: Metric) -> Option<&VarComp> {
        match m {
            Metric::Months => self.vc_months.as_ref(),
            Metric::Es => self.vc_es.as_ref(),
        }
    }
}

pub(crate) struct Ctx<'a> {
    pub prep: &'a Prepared,
    pub cfg: &'a Config,
    pub scope: BTreeSet<usize>,
    pub year: i32,
    pub kind: MomentKind,
    pub settings: MeasureSettings,
}

impl Ctx<'_> {
    pub fn in_scope(&self, school: usize) -> bool {
        self.scope.contains(&school)
    }
}

pub(crate) fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

pub(crate) fn fin2(x: [f64; 2]) -> Option<[f64; 2]> {
    (x[0].is_finite() && x[1].is_finite()).then_some(x)
}

pub(crate) fn too_small(n: usize) -> String {
    format!("te weinig leerlingen (n = {n}) voor een betrouwbaar getal")
}

const NO_MONTHS_NORM: &str = "normgerefereerde schaal: die groeit niet door de jaargroepen heen, dus schoolmaanden \
     zeggen hier niets; zie de effectgrootte en de percentielverschuiving";
const NO_MONTHS_GAMMA: &str = "de groei op deze schaal vóór corona was niet duidelijk genoeg (γ/SE onder de grens) om \
     in schoolmaanden uit te drukken; zie de effectgrootte";

pub(crate) fn measure_all(
    ctx: &Ctx,
    year: i32,
    kind: MomentKind,
    main_only: bool,
) -> BTreeMap<usize, UnitResult> {
    // Units are measured independently, in parallel.
    let wanted: Vec<usize> =
        (0..ctx.prep.units.len()).filter(|&u| !main_only || ctx.prep.units[u].is_main()).collect();
    let measured =
        crate::par::map(&wanted, |&u| measure::measure_unit(ctx.prep, u, year, kind, &ctx.settings));
    let mut out = BTreeMap::new();
    for (u, um) in wanted.into_iter().zip(measured) {
        let unit = &ctx.prep.units[u];
        let Some(um) = um else { continue };
        let with_d = um.current.iter().filter(|p| p.d.is_some()).count();
        let months =
            unit.vertical() && !um.current.is_empty() && with_d as f64 >= 0.9 * um.current.len() as f64;
        let no_months_reason = if months {
            None
        } else if unit.vertical() {
            Some(NO_MONTHS_GAMMA.to_owned())
        } else {
            Some(NO_MONTHS_NORM.to_owned())
        };
        let vc_months = if months { agg::var_comp(&um.current, Metric::Months) } else { None };
        let vc_es = agg::var_comp(&um.current, Metric::Es);
        out.insert(u, UnitResult { um, vc_months, vc_es, months, no_months_reason });
    }
    out
}

/// Run the analysis.
pub fn analyse(data: &Dataset, cfg: &Config) -> Result<Findings, AnalysisError> {
    validate(cfg)?;
    let prep = prep::prepare(data);
    if prep.units.iter().all(|u| u.series.is_empty()) {
        return Err(AnalysisError::NoScores);
    }
    let scope: BTreeSet<usize> = match &cfg.school {
        Some(b) => {
            let i = prep
                .schools
                .iter()
                .position(|s| s == b)
                .ok_or_else(|| AnalysisError::SchoolNotFound(b.to_string()))?;
            BTreeSet::from([i])
        }
        None => (0..prep.schools.len()).collect(),
    };
    let candidates = target_candidates(&prep, cfg, &scope)?;
    let baseline_years: Option<BTreeSet<i32>> =
        cfg.baseline_years.as_ref().map(|v| v.iter().map(|y| y.start_year()).collect());
    let settings = MeasureSettings {
        closure: cfg.closure_start,
        baseline_years,
        min_baseline_n: cfg.min_baseline_n,
        months_min_ratio: cfg.months_min_ratio,
        max_order: cfg.max_prior_order.clamp(1, MAX_PRIOR_ORDER),
    };
    let (year, kind) = candidates[0];
    let mut ctx = Ctx { prep: &prep, cfg, scope, year, kind, settings };
    let mut notes: Vec<Note> = Vec::new();
    // Without an explicit year and moment: the latest moment since the closure at which pupils
    // can be compared with their own growth before corona (at least `min_n` pupils in one
    // subject); when there is none, the latest moment with data.
    if candidates.len() > 1 {
        let analysable = candidates.iter().copied().find(|&(y, k)| {
            measure_all(&ctx, y, k, true)
                .values()
                .any(|ur| ur.um.current.iter().filter(|p| ctx.in_scope(p.school)).count() >= cfg.min_n)
        });
        if let Some((y, k)) = analysable
            && (y, k) != candidates[0]
        {
            let (ly, lk) = candidates[0];
            notes.push(Note {
                code: "target_choice".to_owned(),
                text: format!(
                    "Toetsmoment {} {} gekozen: het laatste moment waarop leerlingen met hun eigen groei vóór corona \
                     vergeleken kunnen worden. Op het laatste moment met gegevens ({} {}) kan dat (nog) niet.",
                    SchoolYear::new(y),
                    k.letter(),
                    SchoolYear::new(ly),
                    lk.letter()
                ),
            });
            ctx.year = y;
            ctx.kind = k;
        }
    }
    let (year, kind) = (ctx.year, ctx.kind);
    let mut units = measure_all(&ctx, year, kind, false);
    // The social-emotional section and the recovery measurements at the other moments only
    // read the data: they are built on threads of their own while the growth percentiles are
    // fitted (one large norm group is a single sequential LP path).
    let (sgp_models, seo, later) = std::thread::scope(|s| {
        let ctx = &ctx;
        let seo = s.spawn(move || crate::seo::seo(data, ctx));
        let later =
            s.spawn(
                move || if cfg.recovery { crate::recovery::measure_later_moments(ctx) } else { Vec::new() },
            );
        let sgp_models = crate::growth_pct::compute(ctx, &mut units);
        (sgp_models, join(seo), join(later))
    });
    let recovery =
        if cfg.recovery { crate::recovery::recovery_rows(&ctx, &units, &later) } else { Vec::new() };
    drop(later);
    // The row sections only read the measurements: two groups, on two threads.
    let (subjects, schools, grades, classes, components, (pupils, subject_correlations), rest) =
        std::thread::scope(|s| {
            let ctx = &ctx;
            let units = &units;
            let rest = s.spawn(move || {
                (
                    cohort_only_rows(ctx, units),
                    expected_rows(ctx, units),
                    crate::cohort::cohort_rows(ctx, units),
                    crate::subgroups::subgroup_rows(ctx, units),
                    model_rows(ctx, units),
                    variance_rows(ctx, units),
                    data_quality_rows(ctx, units),
                )
            });
            let subjects = subject_rows(ctx, units);
            let schools = school_rows(ctx, units, &mut notes);
            let grades = crate::groups::grade_rows(ctx, units);
            let classes = crate::groups::class_rows(ctx, units);
            let components = crate::groups::component_rows(ctx, units);
            let pupils = crate::pupils::pupil_rows(ctx, units);
            (subjects, schools, grades, classes, components, pupils, join(rest))
        });
    let (cohort_only, expected, cohorts, subgroups, models, variance, data_quality) = rest;
    let mut subjects = subjects;
    let mut grades = grades;
    let mut classes = classes;
    let mut pupils = pupils;
    let growth_percentiles = crate::growth_pct::annotate(
        &ctx,
        &units,
        &mut subjects,
        &mut grades,
        &mut classes,
        &mut pupils,
        &sgp_models,
        &mut notes,
    );

    // Target dates and baseline years actually used.
    let mut first = None;
    let mut last = None;
    for ur in units.values() {
        for (s, d) in &ur.um.dates {
            if ctx.in_scope(*s) {
                first = Some(first.map_or(*d, |f: schoolscan_domain::Date| f.min(*d)));
                last = Some(last.map_or(*d, |l: schoolscan_domain::Date| l.max(*d)));
            }
        }
    }
    let used_years: BTreeSet<i32> =
        units.values().flat_map(|u| u.um.models.iter().flat_map(|m| m.years.clone())).collect();
    general_notes(&ctx, &units, &mut notes);

    Ok(Findings {
        version: FINDINGS_VERSION.to_owned(),
        config: cfg.clone(),
        scope: Scope {
            school: cfg.school.clone(),
            schools: ctx.scope.iter().map(|&s| prep.schools[s].clone()).collect(),
            pool: "database".to_owned(),
            pool_schools: prep.schools.len(),
        },
        target: Target {
            year: SchoolYear::new(year),
            moment: kind,
            label: format!("{} {}", SchoolYear::new(year), kind.letter()),
            first_date: first.map(crate::dates::format),
            last_date: last.map(crate::dates::format),
            baseline_years: used_years.into_iter().map(SchoolYear::new).collect(),
        },
        subjects,
        grades,
        classes,
        components,
        pupils,
        expected,
        cohort_only,
        cohorts,
        subgroups,
        seo,
        recovery,
        schools,
        models,
        variance,
        subject_correlations,
        data_quality,
        notes,
        growth_percentiles,
        sgp_models,
    })
}

/// The result of a scoped thread; a panic on it is re-raised here.
fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn validate(cfg: &Config) -> Result<(), AnalysisError> {
    let bad = |s: &str| Err(AnalysisError::InvalidConfig(s.to_owned()));
    if !(cfg.holm_alpha > 0.0 && cfg.holm_alpha < 1.0) {
        return bad("holm_alpha moet tussen 0 en 1 liggen");
    }
    if !(cfg.bh_q > 0.0 && cfg.bh_q < 1.0) {
        return bad("bh_q moet tussen 0 en 1 liggen");
    }
    if cfg.min_n < 2 {
        return bad("min_n moet minstens 2 zijn");
    }
    if cfg.min_baseline_n < 5 {
        return bad("min_baseline_n moet minstens 5 zijn");
    }
    if cfg.min_sgp_n < 100 {
        return bad("min_sgp_n moet minstens 100 zijn");
    }
    if cfg.months_min_ratio.is_nan() || cfg.months_min_ratio < 0.0 {
        return bad("months_min_ratio mag niet negatief zijn");
    }
    Ok(())
}

/// The candidate targets (school year, moment kind) matching the config, latest first: the
/// moments after the closure with data in the scope. Never empty.
fn target_candidates(
    prep: &Prepared,
    cfg: &Config,
    scope: &BTreeSet<usize>,
) -> Result<Vec<(i32, MomentKind)>, AnalysisError> {
    let order = |k: MomentKind| match k {
        MomentKind::B => 0,
        MomentKind::M => 1,
        MomentKind::E => 2,
    };
    let mut after: BTreeMap<(i32, u8), (MomentKind, usize)> = BTreeMap::new();
    let mut any: BTreeSet<(i32, u8)> = BTreeSet::new();
    for unit in prep.units.iter().filter(|u| u.is_main()) {
        for (p, obs) in &unit.series {
            if !scope.contains(&prep.pupils[*p].school) {
                continue;
            }
            for o in obs {
                let key = (o.year, order(o.moment.kind));
                any.insert(key);
                if o.date >= cfg.closure_start {
                    after.entry(key).or_insert((o.moment.kind, 0)).1 += 1;
                }
            }
        }
    }
    let matches = |y: i32, k: MomentKind| {
        cfg.year.is_none_or(|cy| cy.start_year() == y) && cfg.moment.is_none_or(|cm| cm == k)
    };
    let found: Vec<(i32, MomentKind)> = after
        .iter()
        .rev()
        .filter(|((y, _), (k, _))| matches(*y, *k))
        .map(|(&(y, _), &(k, _))| (y, k))
        .collect();
    if !found.is_empty() {
        return Ok(found);
    }
    if let (Some(y), Some(k)) = (cfg.year, cfg.moment)
        && any.contains(&(y.start_year(), order(k)))
    {
        return Err(AnalysisError::TargetBeforeClosure(format!("{y} {}", k.letter())));
    }
    let detail = match (cfg.year, cfg.moment) {
        (Some(y), Some(k)) => format!(" voor {y} {}", k.letter()),
        (Some(y), None) => format!(" in {y}"),
        (None, Some(k)) => format!(" voor moment {}", k.letter()),
        (None, None) => String::new(),
    };
    Err(AnalysisError::NoTargetMoment { closure: crate::dates::format(cfg.closure_start), detail })
}

pub(crate) fn scope_members<'a>(ctx: &Ctx, ur: &'a UnitResult) -> Vec<&'a PupilRes> {
    ur.um.current.iter().filter(|p| ctx.in_scope(p.school)).collect()
}

pub(crate) fn unit_names(ctx: &Ctx, u: usize) -> (schoolscan_domain::Subject, String) {
    let k = &ctx.prep.units[u].key;
    (k.subject.clone(), k.scale.clone())
}

fn percentile_shift(es: f64) -> f64 {
    100.0 * (normal::cdf(-es) - 0.5)
}

fn subject_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<SubjectRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        let unit = &ctx.prep.units[u];
        if !unit.is_main() {
            continue;
        }
        let members = scope_members(ctx, ur);
        let targets: usize =
            ur.um.targets_per_school.iter().filter(|(s, _)| ctx.in_scope(**s)).map(|(_, c)| c).sum();
        if targets == 0 {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        let n = members.len();
        let small = n < ctx.cfg.min_n;
        let months = (ur.months && !small)
            .then(|| ur.vc_months.and_then(|vc| agg::aggregate(&members, Metric::Months, &vc, &ur.um.models)))
            .flatten();
        let es = (!small)
            .then(|| ur.vc_es.and_then(|vc| agg::aggregate(&members, Metric::Es, &vc, &ur.um.models)))
            .flatten();
        rows.push(SubjectRow {
            label: subject.label(),
            subject,
            scale,
            scale_kind: if unit.vertical() { "vertical" } else { "norm_referenced" }.to_owned(),
            delay_months: months.and_then(|a| fin(a.mean)),
            ci95: months.and_then(|a| fin2(a.ci())),
            effect_size: es.and_then(|a| fin(a.mean)),
            effect_size_ci95: es.and_then(|a| fin2(a.ci())),
            percentile_shift: es.and_then(|a| fin(percentile_shift(a.mean))),
            n,
            median_months: months.and_then(|a| fin(a.median)),
            iqr_months: months.and_then(|a| fin2([a.q1, a.q3])),
            n_excluded: targets - n,
            no_months_reason: ur.no_months_reason.clone(),
            warning: small.then(|| too_small(n)),
            median_growth_percentile: None,
            median_growth_percentile_ci95: None,
            n_growth_percentile: 0,
            sgp_basis: None,
        });
    }
    rows.sort_by(|a, b| {
        let ka = a.delay_months.or(a.effect_size.map(|_| f64::NEG_INFINITY));
        let kb = b.delay_months.or(b.effect_size.map(|_| f64::NEG_INFINITY));
        // Months first (most delayed first), then the rows without months by effect size.
        kb.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&ka.unwrap_or(f64::NEG_INFINITY))
            .then(b.delay_months.is_some().cmp(&a.delay_months.is_some()))
            .then(
                b.effect_size
                    .unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&a.effect_size.unwrap_or(f64::NEG_INFINITY)),
            )
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
    });
    rows
}

fn school_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>, notes: &mut Vec<Note>) -> Vec<SchoolRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        for &s in &ctx.scope {
            let members: Vec<&PupilRes> = ur.um.current.iter().filter(|p| p.school == s).collect();
            if members.is_empty() {
                continue;
            }
            let n = members.len();
            let small = n < ctx.cfg.min_n;
            let m = ur.metric();
            let a: Option<Agg> = (!small)
                .then(|| ur.vc(m).and_then(|vc| agg::aggregate(&members, m, vc, &ur.um.models)))
                .flatten();
            let es: Option<Agg> = if m == Metric::Es {
                a
            } else {
                (!small)
                    .then(|| ur.vc_es.and_then(|vc| agg::aggregate(&members, Metric::Es, &vc, &ur.um.models)))
                    .flatten()
            };
            let used: BTreeSet<usize> = members.iter().map(|p| p.model).collect();
            let n_baseline: usize = used
                .iter()
                .filter_map(|&mi| ur.um.models[mi].eb.get(s).copied().flatten())
                .map(|e| e.n as usize)
                .sum();
            let lambdas: Vec<f64> = members
                .iter()
                .map(|p| ur.um.models[p.model].eb.get(s).copied().flatten().map_or(0.0, |e| e.lambda))
                .collect();
            let lambda = crate::stats::combine::mean(&lambdas);
            let note = (n_baseline == 0).then(|| {
                "deze school heeft geen eigen leerlingen vóór corona in deze overgangen: de verwachting is het \
                 gemiddelde van alle scholen in de database"
                    .to_owned()
            });
            if n_baseline == 0 {
                notes.push(Note {
                    code: "no_school_baseline".to_owned(),
                    text: format!(
                        "{} ({}): geen eigen gegevens van vóór corona; verwachting = gemiddelde van alle scholen.",
                        ctx.prep.schools[s],
                        subject.label()
                    ),
                });
            }
            rows.push(SchoolRow {
                school: ctx.prep.schools[s].clone(),
                subject: subject.clone(),
                scale: scale.clone(),
                n,
                delay_months: if m == Metric::Months { a.and_then(|a| fin(a.mean)) } else { None },
                ci95: if m == Metric::Months { a.and_then(|a| fin2(a.ci())) } else { None },
                effect_size: es.and_then(|a| fin(a.mean)),
                n_baseline,
                baseline_lambda: fin(lambda),
                note: note.or_else(|| small.then(|| too_small(n))),
            });
        }
    }
    rows.sort_by(|a, b| a.school.cmp(&b.school).then(a.subject.cmp(&b.subject)).then(a.scale.cmp(&b.scale)));
    rows
}

fn expected_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<ExpectedRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        for p in scope_members(ctx, ur) {
            let (Some(expected), Some(band)) =
                (fin(p.expected), fin2([p.expected - 1.96 * p.sd_pred, p.expected + 1.96 * p.sd_pred]))
            else {
                continue;
            };
            rows.push(ExpectedRow {
                pupil: ctx.prep.pupils[p.pupil].number.clone(),
                school: ctx.prep.schools[p.school].clone(),
                subject: subject.clone(),
                scale: scale.clone(),
                moment: p.target.to_string(),
                date: crate::dates::format(p.date),
                score: p.score,
                expected,
                band95: band,
            });
        }
    }
    rows.sort_by(|a, b| {
        a.school
            .cmp(&b.school)
            .then(a.pupil.cmp(&b.pupil))
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
    });
    rows
}

fn cohort_only_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<CohortOnlyRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        for c in ur.um.cohort_only.iter().filter(|c| ctx.in_scope(c.school)) {
            rows.push(CohortOnlyRow {
                pupil: ctx.prep.pupils[c.pupil].number.clone(),
                school: ctx.prep.schools[c.school].clone(),
                grade: c.grade,
                subject: subject.clone(),
                scale: scale.clone(),
                percentile: c.percentile.and_then(fin),
                effect_size: c.es.and_then(fin),
                n_baseline: c.n_baseline,
                reason: c.reason.to_owned(),
            });
        }
    }
    rows.sort_by(|a, b| {
        a.school
            .cmp(&b.school)
            .then(a.grade.cmp(&b.grade))
            .then(a.pupil.cmp(&b.pupil))
            .then(a.subject.cmp(&b.subject))
            .then(a.scale.cmp(&b.scale))
    });
    rows
}

fn model_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<ModelRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        let k = &ctx.prep.units[u].key;
        for m in &ur.um.models {
            let se: Vec<f64> =
                (0..m.beta.len()).map(|i| m.cov_beta[i * m.beta.len() + i].max(0.0).sqrt()).collect();
            rows.push(ModelRow {
                subject: k.subject.clone(),
                scale: k.scale.clone(),
                component: k.component.clone(),
                transition: m.key.label(),
                order: m.key.priors.len(),
                n_baseline: m.n,
                n_schools: m.n_schools,
                baseline_years: m.years.iter().map(|&y| SchoolYear::new(y)).collect(),
                gamma: m.gamma,
                gamma_se: m.gamma_se,
                months: m.months,
                mean_months_elapsed: m.mean_dm,
                coefficients: m.beta.clone(),
                coefficient_se: se,
                sigma2: m.sigma2,
                tau2: m.tau2,
                sd_target: m.s1,
                n_current: m.n_current,
            });
        }
    }
    rows
}

fn variance_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<VarianceRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        if !ctx.prep.units[u].is_main() {
            continue;
        }
        let (subject, scale) = unit_names(ctx, u);
        for (metric, vc) in [(Metric::Months, ur.vc_months), (Metric::Es, ur.vc_es)] {
            if let Some(vc) = vc {
                rows.push(VarianceRow {
                    subject: subject.clone(),
                    scale: scale.clone(),
                    metric: metric.name().to_owned(),
                    tau2_class: vc.tau2,
                    sigma2_pupil: vc.sigma2,
                    icc: vc.icc(),
                    n: vc.n,
                    n_classes: vc.n_classes,
                });
            }
        }
    }
    rows
}

fn data_quality_rows(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>) -> Vec<DataQualityRow> {
    let mut rows = Vec::new();
    for (&u, ur) in units {
        let k = &ctx.prep.units[u].key;
        let sum = |m: &BTreeMap<usize, usize>| {
            m.iter().filter(|(s, _)| ctx.in_scope(**s)).map(|(_, c)| c).sum::<usize>()
        };
        let members = scope_members(ctx, ur);
        let target_scores = sum(&ur.um.targets_per_school);
        if target_scores == 0 {
            continue;
        }
        rows.push(DataQualityRow {
            subject: k.subject.clone(),
            scale: k.scale.clone(),
            component: k.component.clone(),
            target_scores,
            analysed: members.len(),
            no_prior_score: sum(&ur.um.no_prior),
            no_baseline_model: sum(&ur.um.no_model),
            months_unavailable: if ctx.prep.units[u].vertical() {
                members.iter().filter(|p| p.d.is_none()).count()
            } else {
                members.len()
            },
        });
    }
    rows
}

fn general_notes(ctx: &Ctx, units: &BTreeMap<usize, UnitResult>, notes: &mut Vec<Note>) {
    let n_pool = ctx.prep.schools.len();
    notes.push(Note {
        code: "pool".to_owned(),
        text: if n_pool == 1 {
            "Het verwachtingsmodel is geschat op de eigen leerlingen van vóór corona (er is één school in de database)."
                .to_owned()
        } else {
            format!(
                "Het verwachtingsmodel is geschat op de leerlingen van vóór corona van alle {n_pool} scholen in de \
                 database, met een eigen (gekrompen) schooleffect per school."
            )
        },
    });
    notes.push(Note {
        code: "exceptional_year".to_owned(),
        text: "Dit was een uitzonderlijke periode. Vergelijk leerlingen vooral met hun eigen ontwikkeling vóór corona; \
               landelijke normen zijn gebaseerd op 'normale' jaren."
            .to_owned(),
    });
    let cohort_only: usize = units
        .values()
        .filter(|u| ctx.prep.units[u.um.unit].is_main())
        .map(|u| u.um.cohort_only.iter().filter(|c| ctx.in_scope(c.school)).count())
        .sum();
    if cohort_only > 0 {
        notes.push(Note {
            code: "cohort_only".to_owned(),
            text: format!(
                "{cohort_only} toetsscores van leerlingen zonder bruikbare score van vóór corona zijn alleen vergeleken \
                 met eerdere jaargangen op hetzelfde moment (zie 'cohort_only'), niet met hun eigen groei."
            ),
        });
    }
    for (reason, n) in &ctx.prep.skipped {
        notes.push(Note {
            code: "skipped_scores".to_owned(),
            text: format!("{n} scores niet gebruikt: {reason}."),
        });
    }
    let _ = Grade::ALL;
}
