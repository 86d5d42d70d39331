//! `Findings`: the result of an analysis and the JSON contract (`docs/analysis-json.md`).
//!
//! Conventions: a delay > 0 means behind expectation, < 0 ahead; an effect size has the same sign
//! as the delay. Every aggregate carries `n` and a 95% interval. Numbers that cannot be computed
//! are `null`, with a reason in `note`/`warning`. Texts meant for school staff are Dutch.

use serde::{Deserialize, Serialize};

use schoolscan_domain::{Brin, Grade, GroupName, MomentKind, PupilNumber, SchoolYear, Subject};

use crate::Config;

/// The version of the JSON contract. Bump the major part on any breaking change.
pub const FINDINGS_VERSION: &str = "1.1";

/// Direction of a deviation or of a pupil's signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// More delay than expected (behind).
    Negative,
    /// Less delay than expected (ahead).
    Positive,
}

/// The complete analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    pub version: String,
    pub config: Config,
    pub scope: Scope,
    pub target: Target,
    /// Overview 1: school-wide delay per subject (and scale), most delayed first.
    pub subjects: Vec<SubjectRow>,
    /// Overview 2: jaargroepen and their contrast with the rest of the school.
    pub grades: Vec<GroupRow>,
    /// The same per class group (`5A`, `5/6`), contrasted with the rest of its jaargroep(en).
    pub classes: Vec<GroupRow>,
    /// Overview 3: subject components per jaargroep.
    pub components: Vec<ComponentRow>,
    /// Overview 4: pupils who stand out (false discovery rate controlled per school).
    pub pupils: Vec<PupilRow>,
    /// Every scored pupil's target score against the model's expectation (for the pupil's
    /// trajectory chart); added in 1.1.
    #[serde(default)]
    pub expected: Vec<ExpectedRow>,
    /// Pupils without a pre-corona score on the scale: compared with earlier cohorts only (§2.7).
    pub cohort_only: Vec<CohortOnlyRow>,
    /// Difference in differences against earlier cohorts (§4).
    pub cohorts: Vec<CohortRow>,
    /// Subgroups, each minus the same subgroup's delay before corona.
    pub subgroups: Vec<SubgroupRow>,
    /// Social-emotional development before vs since.
    pub seo: Seo,
    /// The same delay at every moment since the closure (§2.6).
    pub recovery: Vec<RecoveryRow>,
    /// Per school (useful in a board analysis): delay per subject and the school's baseline weight.
    pub schools: Vec<SchoolRow>,
    /// The baseline models fitted per transition (pooled over all schools in the dataset).
    pub models: Vec<ModelRow>,
    /// Variance components of the current delays (pupils within classes), per subject and scale.
    pub variance: Vec<VarianceRow>,
    /// Correlations between subjects of baseline residuals, used for the across-subjects test.
    pub subject_correlations: Vec<CorrelationRow>,
    /// How many target scores were analysed, and why the others were not.
    pub data_quality: Vec<DataQualityRow>,
    /// Method notes and warnings (Dutch).
    pub notes: Vec<Note>,
    /// Baseline-referenced growth percentiles of every pupil in scope who has one.
    #[serde(default)]
    pub growth_percentiles: Vec<GrowthPercentileRow>,
    /// The growth-percentile models per transition and what they rest on.
    #[serde(default)]
    pub sgp_models: Vec<SgpModelRow>,
}

/// What was analysed and what the baseline was pooled over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    /// The school reported on; `null` = all schools together as one board.
    pub school: Option<Brin>,
    /// Schools whose pupils are reported.
    pub schools: Vec<Brin>,
    /// The pool of the baseline models: `"database"` (all schools in the dataset) — with one school
    /// in the dataset that is the school itself.
    pub pool: String,
    /// Number of schools in the pool.
    pub pool_schools: usize,
}

/// The target moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub year: SchoolYear,
    pub moment: MomentKind,
    /// `"2020-2021 M"`.
    pub label: String,
    /// Earliest and latest test date at this moment in the scope (`YYYY-MM-DD`).
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Baseline school years used (target years of the baseline cohorts).
    pub baseline_years: Vec<SchoolYear>,
}

/// A 95% interval.
pub type Interval = [f64; 2];

/// One subject (and scale) school-wide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectRow {
    pub subject: Subject,
    /// Dutch display name (`rekenen-wiskunde`).
    pub label: String,
    /// The vendor scale code; results of different scales are never mixed.
    pub scale: String,
    /// `"vertical"` or `"norm_referenced"`.
    pub scale_kind: String,
    /// Mean delay in school months (+ = behind); `null` on a norm-referenced scale or when the
    /// baseline growth is not clearly positive (`no_months_reason`).
    pub delay_months: Option<f64>,
    pub ci95: Option<Interval>,
    /// Mean effect size in baseline SDs of the target score, same sign as the delay.
    pub effect_size: Option<f64>,
    pub effect_size_ci95: Option<Interval>,
    /// Shift of the average pupil's percentile relative to expectation, 100·(Φ(−ES) − 0.5)
    /// (negative = lower than expected).
    pub percentile_shift: Option<f64>,
    /// Pupils with a delay (both a pre-corona and a target score on this scale).
    pub n: usize,
    pub median_months: Option<f64>,
    pub iqr_months: Option<Interval>,
    /// Target scores on this scale not in `n`, by reason (see `data_quality`).
    pub n_excluded: usize,
    pub no_months_reason: Option<String>,
    pub warning: Option<String>,
    /// Median baseline-referenced growth percentile of the pupils (50 = grew like comparable
    /// pupils before corona; lower = slower), with a 95% order-statistic interval and its n.
    /// `null` below `min_n` pupils with a growth percentile.
    #[serde(default)]
    pub median_growth_percentile: Option<f64>,
    #[serde(default)]
    pub median_growth_percentile_ci95: Option<Interval>,
    #[serde(default)]
    pub n_growth_percentile: usize,
    /// Which growth-percentile model the pupils got: `"transition"` (the subject × transition's
    /// own model), `"pooled"` (fell back to the model pooled over all transitions of the board,
    /// because the transition had fewer than `config.min_sgp_n` baseline pupils), `"mixed"`, or
    /// `null` (none).
    #[serde(default)]
    pub sgp_basis: Option<String>,
}

/// A jaargroep or class in one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    pub school: Brin,
    /// Jaargroep at the target moment (for a class: the lowest jaargroep it holds).
    pub grade: Grade,
    /// The class group name (classes only).
    pub group: Option<GroupName>,
    pub subject: Subject,
    pub scale: String,
    pub delay_months: Option<f64>,
    pub ci95: Option<Interval>,
    pub effect_size: Option<f64>,
    pub n: usize,
    /// Shrunken delay (§3.4): pulled towards the school's figure by λ; labelled as such.
    pub delay_months_shrunken: Option<f64>,
    /// Contrast with the rest of the school (grades) or of the jaargroep (classes), in school
    /// months (or effect size on a norm-referenced scale): Δ = this − rest.
    pub contrast: Option<f64>,
    pub contrast_unit: Option<String>,
    pub contrast_ci95: Option<Interval>,
    pub p_value: Option<f64>,
    /// Holm-adjusted p-value within the school's family.
    pub p_holm: Option<f64>,
    /// `"negative"` (more delay than the rest), `"positive"` or `null`.
    pub deviates: Option<Direction>,
    pub warning: Option<String>,
    /// Median baseline-referenced growth percentile of the pupils (50 = grew like comparable
    /// pupils before corona; lower = slower), with a 95% order-statistic interval and its n.
    /// `null` below `min_n` pupils with a growth percentile.
    #[serde(default)]
    pub median_growth_percentile: Option<f64>,
    #[serde(default)]
    pub median_growth_percentile_ci95: Option<Interval>,
    #[serde(default)]
    pub n_growth_percentile: usize,
    /// Which growth-percentile model the pupils got: `"transition"` (the subject × transition's
    /// own model), `"pooled"` (fell back to the model pooled over all transitions of the board,
    /// because the transition had fewer than `config.min_sgp_n` baseline pupils), `"mixed"`, or
    /// `null` (none).
    #[serde(default)]
    pub sgp_basis: Option<String>,
}

/// A subject component (`onderdeel`) in one jaargroep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentRow {
    pub school: Brin,
    pub grade: Grade,
    pub subject: Subject,
    pub component: String,
    pub scale: String,
    /// `"ability"` (own scale) or `"raw"` (counts correct: effect sizes only).
    pub basis: String,
    pub delay_months: Option<f64>,
    pub ci95: Option<Interval>,
    pub effect_size: Option<f64>,
    pub effect_size_ci95: Option<Interval>,
    pub n: usize,
    /// Effect size of this component minus that of the whole subject in the same jaargroep.
    pub contrast: Option<f64>,
    pub p_value: Option<f64>,
    pub p_holm: Option<f64>,
    pub deviates: Option<Direction>,
    pub warning: Option<String>,
}

/// Which comparison made a pupil stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PupilBasis {
    /// Against the pupil's own expectation from their pre-corona score(s).
    OwnGrowth,
    /// Against the other pupils of the class.
    Classmates,
    /// Own-growth evidence combined over subjects (Stouffer with correlation).
    AcrossSubjects,
}

/// A pupil who stands out on one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilRow {
    pub pupil: PupilNumber,
    pub school: Brin,
    pub grade: Grade,
    pub group: Option<GroupName>,
    /// `null` when the signal is across subjects.
    pub subject: Option<Subject>,
    pub scale: Option<String>,
    pub basis: PupilBasis,
    pub direction: Direction,
    /// The pupil's delay in school months (across subjects: the mean over subjects).
    pub delay_months: Option<f64>,
    /// Interval of the delay: measurement error only when CSEMs are known (`ci_basis =
    /// "measurement"`), otherwise the model's prediction error (`"prediction"`).
    pub ci95: Option<Interval>,
    pub ci_basis: Option<String>,
    pub effect_size: Option<f64>,
    pub z: f64,
    pub p_value: f64,
    /// Benjamini–Hochberg q-value over all pupil tests of the school: "how sure".
    pub q_value: f64,
    /// Dutch wording of the q-value.
    pub certainty: String,
    /// The pupil's baseline-referenced growth percentile in this subject (1–99); `null` across
    /// subjects or when no growth-percentile model was available.
    #[serde(default)]
    pub growth_percentile: Option<u8>,
    /// `"transition"` or `"pooled"` (see `SubjectRow::sgp_basis`).
    #[serde(default)]
    pub sgp_basis: Option<String>,
}

/// One pupil's baseline-referenced growth percentile in one subject (every pupil in scope who
/// has one, not only those who stand out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrowthPercentileRow {
    pub pupil: PupilNumber,
    pub school: Brin,
    pub grade: Grade,
    pub group: Option<GroupName>,
    pub subject: Subject,
    pub scale: String,
    /// 1–99: the percentage of comparable pupils before corona (same subject, transition and
    /// prior score, same test-date spacing, same school effect) whose score was lower.
    pub growth_percentile: u8,
    /// `"transition"` or `"pooled"`.
    pub sgp_basis: String,
    /// The transition (`M4→M5`) of the pupil's prior and target score.
    pub transition: String,
}

/// A growth-percentile model: one per subject × scale × transition used at the target moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgpModelRow {
    pub subject: Subject,
    pub scale: String,
    /// `"M4→M5"` (one prior: the last pre-corona score).
    pub transition: String,
    /// `"transition"` (own model), `"pooled"` (fell back to the board-pooled model) or `null`
    /// (no model: too few baseline pupils even when pooled).
    pub basis: Option<String>,
    /// Baseline pupils of this transition, and of the model actually used.
    pub n_baseline: usize,
    pub n_model: usize,
    /// Current pupils (in scope) given a growth percentile with it.
    pub n_current: usize,
    /// Median growth percentile of the baseline pupils under the model used (≈ 50 by
    /// construction for a transition model; a check of the pooled model's fit).
    pub baseline_median: Option<f64>,
    pub note: Option<String>,
}

/// One pupil's target score and the score the baseline model expected (main units only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedRow {
    pub pupil: PupilNumber,
    pub school: Brin,
    pub subject: Subject,
    pub scale: String,
    /// The target moment of this score (`M5`) and its date (`YYYY-MM-DD`).
    pub moment: String,
    pub date: String,
    pub score: f64,
    /// The expected score (date-adjusted, with the school's baseline effect).
    pub expected: f64,
    /// 95% prediction band of the expected score: expected ± 1.96 · SD of the prediction.
    pub band95: Interval,
}

/// A pupil compared with earlier cohorts only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortOnlyRow {
    pub pupil: PupilNumber,
    pub school: Brin,
    pub grade: Grade,
    pub subject: Subject,
    pub scale: String,
    /// Mid-rank percentile among baseline pupils at the same moment.
    pub percentile: Option<f64>,
    /// (baseline mean − score) / baseline SD: > 0 = below earlier cohorts.
    pub effect_size: Option<f64>,
    pub n_baseline: usize,
    /// Why there is no growth figure (Dutch).
    pub reason: String,
}

/// Difference in differences for one transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    /// `null` = all schools in the scope together.
    pub school: Option<Brin>,
    pub grade: Grade,
    pub subject: Subject,
    pub scale: String,
    /// `"M4→M5"`.
    pub transition: String,
    pub n_current: usize,
    pub n_baseline: usize,
    pub baseline_years: Vec<SchoolYear>,
    pub mean_gain_current: f64,
    pub mean_gain_baseline: f64,
    /// δ̂: growth difference of the corona cohort in scale points (date-adjusted).
    pub growth_difference: f64,
    pub delay_months: Option<f64>,
    pub ci95: Option<Interval>,
    pub effect_size: Option<f64>,
    /// The same with a linear year trend (only with at least three baseline years).
    pub delay_months_with_trend: Option<f64>,
    pub ci95_with_trend: Option<Interval>,
    /// `"cluster_robust_school"` or `"model_design_effect"`.
    pub se_method: String,
    pub warning: Option<String>,
}

/// A subgroup in one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubgroupRow {
    /// `leerlinggewicht`, `opleiding_ouders`, `opp`, `onderste_20_procent`, `geslacht`.
    pub dimension: String,
    /// Level code (`1.2`, `laag`, `ja`, `V`).
    pub group: String,
    /// Dutch label.
    pub label: String,
    pub subject: Subject,
    pub scale: String,
    pub n: usize,
    pub n_baseline: usize,
    /// Current delay minus the same subgroup's delay before corona; `null` with a warning when a
    /// group is too small.
    pub delay_months: Option<f64>,
    pub ci95: Option<Interval>,
    pub effect_size: Option<f64>,
    pub current_delay_months: Option<f64>,
    pub baseline_delay_months: Option<f64>,
    pub warning: Option<String>,
}

/// Social-emotional development.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Seo {
    pub dimensions: Vec<SeoRow>,
    pub agreement: Vec<SeoAgreementRow>,
    pub note: Option<String>,
}

/// One instrument × dimension × informant, before vs since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeoRow {
    pub instrument: String,
    pub dimension: String,
    pub informant: String,
    pub n_before: usize,
    pub n_since: usize,
    pub mean_before: Option<f64>,
    pub mean_since: Option<f64>,
    /// Pupils with both: mean of (since − before), with its interval.
    pub n_paired: usize,
    pub change: Option<f64>,
    pub change_ci95: Option<Interval>,
    /// Change in SDs of the before-scores.
    pub effect_size: Option<f64>,
    /// Share of observations in the signalling zone (instrument's own signal).
    pub share_signal_before: Option<f64>,
    pub share_signal_since: Option<f64>,
    pub share_signal_change_ci95: Option<Interval>,
    pub warning: Option<String>,
}

/// Agreement between two informants on one dimension (since the closure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeoAgreementRow {
    pub instrument: String,
    pub dimension: String,
    pub informants: [String; 2],
    pub n: usize,
    /// Pearson correlation of the scores.
    pub correlation: Option<f64>,
    /// Agreement on the signal (both or neither), and Cohen's κ.
    pub signal_agreement: Option<f64>,
    pub kappa: Option<f64>,
    pub warning: Option<String>,
}

/// The delay of one subject at one moment since the closure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryRow {
    pub subject: Subject,
    pub scale: String,
    pub year: SchoolYear,
    pub moment: MomentKind,
    pub label: String,
    pub is_target: bool,
    /// `"baseline_referenced"` (from the last pre-corona score, §2) or `"cohort_interval"` (growth
    /// since the previous score compared with the same interval before corona, §4).
    pub basis: String,
    pub n: usize,
    pub delay_months: Option<f64>,
    pub ci95: Option<Interval>,
    pub effect_size: Option<f64>,
    /// Recovery since the previous row of this subject: previous delay − this delay.
    pub recovered_months: Option<f64>,
    pub note: Option<String>,
}

/// One school's delay in one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolRow {
    pub school: Brin,
    pub subject: Subject,
    pub scale: String,
    pub n: usize,
    pub delay_months: Option<f64>,
    pub ci95: Option<Interval>,
    pub effect_size: Option<f64>,
    /// Number of the school's own baseline pupils in the transitions used, and the mean
    /// shrinkage weight λ of its empirical-Bayes baseline effect (0 = database average only).
    pub n_baseline: usize,
    pub baseline_lambda: Option<f64>,
    pub note: Option<String>,
}

/// A baseline model of one transition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    pub subject: Subject,
    pub scale: String,
    pub component: Option<String>,
    /// `"M4→M5"`, or `"E3,M4→M5"` for two priors.
    pub transition: String,
    pub order: usize,
    pub n_baseline: usize,
    pub n_schools: usize,
    pub baseline_years: Vec<SchoolYear>,
    /// γ_T: scale points per school month, and its SE.
    pub gamma: f64,
    pub gamma_se: f64,
    pub months: bool,
    pub mean_months_elapsed: f64,
    /// α, β_1, (β_2) of the date-adjusted model; SE's alongside.
    pub coefficients: Vec<f64>,
    pub coefficient_se: Vec<f64>,
    pub sigma2: f64,
    pub tau2: f64,
    pub sd_target: f64,
    /// Current pupils scored with this model.
    pub n_current: usize,
}

/// Pupils-in-classes variance components of the current delays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarianceRow {
    pub subject: Subject,
    pub scale: String,
    /// `"months"` or `"effect_size"`.
    pub metric: String,
    pub tau2_class: f64,
    pub sigma2_pupil: f64,
    pub icc: f64,
    pub n: usize,
    pub n_classes: usize,
}

/// Correlation of baseline residuals between two subjects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelationRow {
    pub a: String,
    pub b: String,
    pub correlation: f64,
    pub n_pairs: usize,
    /// `true` when too few pairs and the conservative default 0.5 was used.
    pub assumed: bool,
}

/// Counts per subject and scale in the scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataQualityRow {
    pub subject: Subject,
    pub scale: String,
    pub component: Option<String>,
    pub target_scores: usize,
    pub analysed: usize,
    pub no_prior_score: usize,
    pub no_baseline_model: usize,
    pub months_unavailable: usize,
}

/// A note for the reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Stable machine code (`pool`, `no_school_baseline`, ...).
    pub code: String,
    /// Dutch text.
    pub text: String,
}
