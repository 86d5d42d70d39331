//! The package's `studentGrowthPercentiles` over a list of grade progressions, for one
//! analysis year, on data in the wide layout.
//!
//! For each progression (g₋ₖ … g₋₁, g₀) over the consecutive years ending in the analysis
//! year, and each order k = 1 … K (K = min(priors available, `max_order`)):
//! the order-k cohort is every pupil whose last k + 1 panels all have a score and whose
//! grades equal the progression exactly; a coefficient matrix is fitted on that cohort
//! and its pupils get an order-k SGP. The reported SGP is the highest order's.
//!
//! Knots and boundaries are computed per progression from all its prior panels, grouped
//! by grade, and the first set computed for a grade is kept for the later progressions
//! (`tmp.knots[!duplicated(names(tmp.knots))]`), so the order of the progressions matters
//! exactly as it does in the package.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{Result, SgpError};
use crate::knots::{KNOT_CUT_PERCENTILES, KnotsBoundaries, create_knots_boundaries};
use crate::model::{CoefficientMatrix, Predictor, PriorSpec};
use crate::wide::WideData;

/// Growth levels: `findInterval(SGP, cuts)` mapped to labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrowthLevels {
    /// Ascending cut scores; an SGP ≥ `cuts[i]` is at least level i + 2.
    pub cuts: Vec<u8>,
    /// One label per level (cuts.len() + 1).
    pub labels: Vec<String>,
}

impl GrowthLevels {
    /// The package's DEMO settings (`SGPstateData[["DEMO"]][["Growth"]]`): cuts 20, 40,
    /// 61, 81, i.e. 1–19, 20–39, 40–60, 61–80, 81–99.
    #[must_use]
    pub fn demo() -> Self {
        Self {
            cuts: vec![20, 40, 61, 81],
            labels: ["Very Low", "Low", "Typical", "High", "Very High"].map(String::from).to_vec(),
        }
    }

    /// The 1-based level of `sgp` (`findInterval(sgp, cuts) + 1`).
    #[must_use]
    pub fn level(&self, sgp: u8) -> usize {
        1 + self.cuts.iter().filter(|&&c| sgp >= c).count()
    }

    /// The label of a 1-based level.
    #[must_use]
    pub fn label(&self, level: usize) -> &str {
        self.labels.get(level.wrapping_sub(1)).map_or("", String::as_str)
    }
}

impl Default for GrowthLevels {
    fn default() -> Self {
        Self::demo()
    }
}

/// What to compute.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SgpConfig {
    /// Analysis year (default: the latest year in the file).
    pub year: Option<i32>,
    /// `max.order.for.percentile` (default: every prior the progression has).
    pub max_order: Option<usize>,
    /// Grade progressions in run order (`grade.progression`), each oldest grade first and
    /// ending in the analysis year's grade. Default: every progression the file allows
    /// (see [`auto_progressions`]).
    pub progressions: Option<Vec<Vec<i32>>>,
    /// Growth level cuts and labels (default DEMO).
    pub growth_levels: GrowthLevels,
    /// `sgp.cohort.size`: cohorts below this size get no coefficient matrix (default none).
    pub min_cohort_size: Option<usize>,
    /// Worker threads for fitting (default: available parallelism). Results do not
    /// depend on it.
    pub threads: Option<usize>,
}

impl SgpConfig {
    /// The call of the package's test 0 (validation case V1): year 2025, progressions
    /// 3:4, 3:5, 3:6, 3:7, 4:8 in that order, `max.order.for.percentile = 3`, DEMO levels.
    #[must_use]
    pub fn v1() -> Self {
        Self {
            year: Some(2025),
            max_order: Some(3),
            progressions: Some(vec![
                (3..=4).collect(),
                (3..=5).collect(),
                (3..=6).collect(),
                (3..=7).collect(),
                (4..=8).collect(),
            ]),
            ..Self::default()
        }
    }
}

/// One pupil's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilSgp {
    /// Pupil ID.
    pub id: String,
    /// Grade in the analysis year.
    pub grade: i32,
    /// Scale score in the analysis year.
    pub scale_score: f64,
    /// The growth percentile of the highest order (1–99).
    pub sgp: u8,
    /// The order of [`Self::sgp`] (number of priors used).
    pub sgp_order: usize,
    /// `SGP_ORDER_k` for k = 1, 2, …: the SGP of each order the pupil has.
    pub sgp_by_order: Vec<Option<u8>>,
    /// The most recent prior score (`SCALE_SCORE_PRIOR`).
    pub scale_score_prior: f64,
    /// 1-based growth level (`SGP_LEVEL`).
    pub sgp_level: usize,
    /// Label of the growth level.
    pub sgp_level_label: String,
}

/// A cohort that got no coefficient matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedCohort {
    /// Grades, oldest first.
    pub grade_progression: Vec<i32>,
    /// Pupils in the cohort.
    pub n: usize,
    /// Why (Dutch, for users).
    pub reason: String,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgpRun {
    /// Analysis year.
    pub year: i32,
    /// Progressions run, after limiting to `max_order` priors, oldest grade first.
    pub progressions: Vec<Vec<i32>>,
    /// Knots and boundaries per grade.
    pub knots: BTreeMap<i32, KnotsBoundaries>,
    /// Every coefficient matrix fitted, in run order (progression, then order).
    pub matrices: Vec<CoefficientMatrix>,
    /// Cohorts without a matrix (below `min_cohort_size`, or not solvable).
    pub skipped: Vec<SkippedCohort>,
    /// One entry per pupil with an SGP, in file order.
    pub pupils: Vec<PupilSgp>,
}

impl SgpRun {
    /// Highest order of any pupil (number of `SGP_ORDER_k` columns).
    #[must_use]
    pub fn max_order(&self) -> usize {
        self.pupils.iter().map(|p| p.sgp_by_order.len()).max().unwrap_or(0)
    }
}

/// Every grade progression the file allows for `year`: for each grade g present (with a
/// score) in `year`, ascending, the chain g − K … g where K is the largest number ≤
/// `max_order` such that each year year − j (j = 1…K) is in the file and has pupils in
/// grade g − j with a score. Grades without any such prior are left out.
///
/// # Errors
/// [`SgpError::UnknownYear`] when `year` is not in the file.
pub fn auto_progressions(data: &WideData, year: i32, max_order: Option<usize>) -> Result<Vec<Vec<i32>>> {
    let yi = data.year_index(year).ok_or(SgpError::UnknownYear(year))?;
    let present = |y: i32, g: i32| -> bool {
        data.year_index(y).is_some_and(|yi| {
            data.grades[yi].iter().zip(&data.scores[yi]).any(|(gr, s)| *gr == Some(g) && s.is_some())
        })
    };
    let mut grades: Vec<i32> =
        data.grades[yi].iter().zip(&data.scores[yi]).filter_map(|(g, s)| s.and(*g)).collect();
    grades.sort_unstable();
    grades.dedup();
    let limit = max_order.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for g in grades {
        let mut k = 0usize;
        while k < limit {
            let j = i32::try_from(k + 1).unwrap_or(i32::MAX);
            if present(year - j, g - j) {
                k += 1;
            } else {
                break;
            }
        }
        if k > 0 {
            let first = g - i32::try_from(k).unwrap_or(0);
            out.push((first..=g).collect());
        }
    }
    Ok(out)
}

struct Job {
    prog: usize,
    order: usize,
    rows: Vec<usize>,
    priors: Vec<Vec<f64>>,
    current: Vec<f64>,
    specs: Vec<PriorSpec>,
    grades: Vec<i32>,
    years: Vec<i32>,
}

/// Runs `studentGrowthPercentiles` as configured.
///
/// # Errors
/// [`SgpError::UnknownYear`], [`SgpError::NoProgression`], [`SgpError::InvalidProgression`],
/// [`SgpError::InvalidMaxOrder`], [`SgpError::MissingKnots`] or a solver error.
pub fn run_sgp(data: &WideData, config: &SgpConfig) -> Result<SgpRun> {
    let year = match config.year {
        Some(y) => y,
        None => data.latest_year().ok_or(SgpError::NoProgression(0))?,
    };
    let yi_now = data.year_index(year).ok_or(SgpError::UnknownYear(year))?;
    if config.max_order == Some(0) {
        return Err(SgpError::InvalidMaxOrder);
    }
    let requested = match &config.progressions {
        Some(p) => p.clone(),
        None => auto_progressions(data, year, config.max_order)?,
    };
    if requested.is_empty() {
        return Err(SgpError::NoProgression(year));
    }
    // Consecutive years available before `year`.
    let mut years_back = 0usize;
    while data.year_index(year - i32::try_from(years_back + 1).unwrap_or(i32::MAX)).is_some() {
        years_back += 1;
    }
    let mut finals = std::collections::HashSet::new();
    let mut knots: BTreeMap<i32, KnotsBoundaries> = BTreeMap::new();
    let mut progressions = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    let mut skipped = Vec::new();
    let year_idx =
        |j: usize| -> Option<usize> { data.year_index(year - i32::try_from(j).unwrap_or(i32::MAX)) };
    for gp in &requested {
        if gp.len() < 2 || !finals.insert(*gp.last().unwrap_or(&0)) {
            return Err(SgpError::InvalidProgression(gp.clone()));
        }
        let num_prior = (gp.len() - 1).min(years_back);
        if num_prior == 0 {
            return Err(SgpError::NonConsecutiveYears(year));
        }
        // Knots from every prior panel of this progression, grouped by grade; the first
        // set per grade wins.
        let mut pairs = Vec::new();
        for j in 1..=num_prior {
            let Some(yj) = year_idx(j) else { break };
            for (g, s) in data.grades[yj].iter().zip(&data.scores[yj]) {
                if let (Some(g), Some(s)) = (g, s) {
                    pairs.push((*g, *s));
                }
            }
        }
        for (g, kb) in create_knots_boundaries(pairs, &KNOT_CUT_PERCENTILES) {
            knots.entry(g).or_insert(kb);
        }
        let k_max = num_prior.min(config.max_order.unwrap_or(usize::MAX));
        let eff: Vec<i32> = gp[gp.len() - 1 - k_max..].to_vec();
        let prog_idx = progressions.len();
        progressions.push(eff.clone());
        for k in 1..=k_max {
            // Panel j (0 = now) must have grade eff[last - j] and a score.
            let mut rows = Vec::new();
            let panels: Vec<usize> = (0..=k).filter_map(year_idx).collect();
            if panels.len() != k + 1 {
                break;
            }
            'pupil: for i in 0..data.len() {
                for (j, &yj) in panels.iter().enumerate() {
                    let want = eff[eff.len() - 1 - j];
                    if data.grades[yj][i] != Some(want) || data.scores[yj][i].is_none() {
                        continue 'pupil;
                    }
                }
                rows.push(i);
            }
            let grades: Vec<i32> = eff[eff.len() - 1 - k..].to_vec();
            if rows.is_empty() {
                continue;
            }
            if let Some(min) = config.min_cohort_size
                && rows.len() < min
            {
                skipped.push(SkippedCohort {
                    grade_progression: grades,
                    n: rows.len(),
                    reason: format!("te weinig leerlingen ({} < {min})", rows.len()),
                });
                continue;
            }
            let specs = (1..=k)
                .map(|j| {
                    let g = eff[eff.len() - 1 - j];
                    knots.get(&g).map(|kb| PriorSpec::from_knots(g, kb)).ok_or(SgpError::MissingKnots(g))
                })
                .collect::<Result<Vec<_>>>()?;
            let priors: Vec<Vec<f64>> = panels[1..]
                .iter()
                .map(|&yj| rows.iter().map(|&i| data.scores[yj][i].unwrap_or(f64::NAN)).collect())
                .collect();
            let current = rows.iter().map(|&i| data.scores[yi_now][i].unwrap_or(f64::NAN)).collect();
            let years = (0..=k).rev().map(|j| year - i32::try_from(j).unwrap_or(0)).collect();
            jobs.push(Job { prog: prog_idx, order: k, rows, priors, current, specs, grades, years });
        }
    }

    // A cohort whose quantile regression cannot be solved (too few pupils for the number
    // of coefficients, or too few distinct prior scores: a singular design) gets no
    // matrix; it is reported in `skipped` instead of failing the whole run.
    let mut fitted = Vec::with_capacity(jobs.len());
    let mut kept_jobs = Vec::with_capacity(jobs.len());
    for (job, r) in jobs.iter().zip(fit_all(&jobs, config.threads)?) {
        match r {
            Ok(m) => {
                fitted.push(m);
                kept_jobs.push(job);
            }
            Err(SgpError::Solver(why)) => skipped.push(SkippedCohort {
                grade_progression: job.grades.clone(),
                n: job.rows.len(),
                reason: format!("kwantielregressie niet op te lossen: {why}"),
            }),
            Err(e) => return Err(e),
        }
    }

    // Predict and collect per pupil.
    let levels = &config.growth_levels;
    let mut by_row: HashMap<usize, PupilSgp> = HashMap::new();
    let prior_year = year_idx(1);
    for (job, matrix) in kept_jobs.iter().zip(&fitted) {
        let mut pred = Predictor::new(matrix);
        let mut pri = vec![0.0; job.order];
        for (c, &i) in job.rows.iter().enumerate() {
            for (k, v) in pri.iter_mut().enumerate() {
                *v = job.priors[k][c];
            }
            let sgp = pred.percentile(&pri, job.current[c], false)?;
            let entry = by_row.entry(i).or_insert_with(|| PupilSgp {
                id: data.ids[i].clone(),
                grade: *job.grades.last().unwrap_or(&0),
                scale_score: job.current[c],
                sgp,
                sgp_order: 0,
                sgp_by_order: Vec::new(),
                scale_score_prior: prior_year.and_then(|y| data.scores[y][i]).unwrap_or(f64::NAN),
                sgp_level: 0,
                sgp_level_label: String::new(),
            });
            if entry.sgp_by_order.len() < job.order {
                entry.sgp_by_order.resize(job.order, None);
            }
            entry.sgp_by_order[job.order - 1] = Some(sgp);
            if job.order >= entry.sgp_order {
                entry.sgp_order = job.order;
                entry.sgp = sgp;
            }
            let _ = job.prog;
        }
    }
    let mut pupils: Vec<(usize, PupilSgp)> = by_row.into_iter().collect();
    pupils.sort_by_key(|(i, _)| *i);
    let pupils = pupils
        .into_iter()
        .map(|(_, mut p)| {
            p.sgp_level = levels.level(p.sgp);
            p.sgp_level_label = levels.label(p.sgp_level).to_string();
            p
        })
        .collect();
    Ok(SgpRun { year, progressions, knots, matrices: fitted, skipped, pupils })
}

/// Fits every job's coefficient matrix, in parallel; the result order is the job order.
fn fit_all(jobs: &[Job], threads: Option<usize>) -> Result<Vec<Result<CoefficientMatrix>>> {
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, jobs.len().max(1));
    // Largest problems first for load balance.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&j| std::cmp::Reverse(jobs[j].rows.len() * (1 + 7 * jobs[j].order)));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<CoefficientMatrix>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let taus = crate::taus();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let idx = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&j) = order.get(idx) else { break };
                    let job = &jobs[j];
                    let priors: Vec<&[f64]> = job.priors.iter().map(Vec::as_slice).collect();
                    let r = CoefficientMatrix::fit(
                        &priors,
                        &job.current,
                        job.specs.clone(),
                        job.grades.clone(),
                        job.years.clone(),
                        &taus,
                    );
                    if let Ok(mut guard) = results.lock() {
                        guard[j] = Some(r);
                    }
                }
            });
        }
    });
    let results =
        results.into_inner().map_err(|_| SgpError::Solver("een rekenthread is vastgelopen".into()))?;
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(SgpError::Solver("taak niet uitgevoerd".into()))))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_levels() {
        let l = GrowthLevels::demo();
        assert_eq!(l.level(1), 1);
        assert_eq!(l.level(19), 1);
        assert_eq!(l.level(20), 2);
        assert_eq!(l.level(60), 3);
        assert_eq!(l.level(61), 4);
        assert_eq!(l.level(81), 5);
        assert_eq!(l.level(99), 5);
        assert_eq!(l.label(3), "Typical");
    }

    #[test]
    fn unsolvable_cohort_is_skipped_not_fatal() {
        // Grade 3 → 4: 40 pupils with varied scores; grade 4 → 5: only 3 pupils (p = 8).
        let mut text = String::from("ID,GRADE_2024,GRADE_2025,SS_2024,SS_2025\n");
        for i in 0..40 {
            let prior = 400 + (i * 37) % 300;
            let now = prior + 10 + (i * 13) % 50;
            text.push_str(&format!("{i},3,4,{prior},{now}\n"));
        }
        for i in 0..3 {
            text.push_str(&format!("b{i},4,5,{},{}\n", 500 + i, 520 + i));
        }
        let d = WideData::from_reader(text.as_bytes()).unwrap();
        let run = run_sgp(&d, &SgpConfig::default()).unwrap();
        assert_eq!(run.progressions, vec![vec![3, 4], vec![4, 5]]);
        assert_eq!(run.matrices.len(), 1);
        assert_eq!(run.pupils.len(), 40);
        assert!(run.pupils.iter().all(|p| (1..=99).contains(&p.sgp) && p.sgp_order == 1));
        assert_eq!(run.skipped.len(), 1);
        assert_eq!(run.skipped[0].grade_progression, vec![4, 5]);
        assert_eq!(run.skipped[0].n, 3);
        // With a minimum cohort size the small cohort is skipped before fitting.
        let config = SgpConfig { min_cohort_size: Some(10), ..SgpConfig::default() };
        let run = run_sgp(&d, &config).unwrap();
        assert!(run.skipped[0].reason.contains("te weinig"));
        assert!(matches!(
            run_sgp(&d, &SgpConfig { year: Some(2030), ..SgpConfig::default() }),
            Err(SgpError::UnknownYear(2030))
        ));
    }

    #[test]
    fn auto_progressions_follow_the_file() {
        let text = "ID,GRADE_2023,GRADE_2024,GRADE_2025,SS_2023,SS_2024,SS_2025\n\
                    1,3,4,5,1,2,3\n2,,3,4,,2,3\n3,,,3,,,3\n";
        let d = WideData::from_reader(text.as_bytes()).unwrap();
        let p = auto_progressions(&d, 2025, None).unwrap();
        assert_eq!(p, vec![vec![3, 4], vec![3, 4, 5]]);
        let p = auto_progressions(&d, 2025, Some(1)).unwrap();
        assert_eq!(p, vec![vec![3, 4], vec![4, 5]]);
        assert!(auto_progressions(&d, 2030, None).is_err());
    }
}
