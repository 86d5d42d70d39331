//! The score model: subjects, their Cito-like vertical scales, the population growth curves, the
//! norms (percentile, level I–V), the CSEM and the corona parameters per subject.
//!
//! All numbers are invented to look like Cito LOVS 3.0 / DMT data; they are not Cito's norms.
//! `README.md` documents every formula and value.

use schoolscan_domain::{Moment, MomentKind, Scale, ScaleKind, Subject, Test};
use serde::{Deserialize, Serialize};

/// The four subjects of the demo board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Subj {
    Rw,
    Sp,
    Bl,
    Tl,
}

impl Subj {
    pub(crate) const ALL: [Subj; 4] = [Subj::Rw, Subj::Sp, Subj::Bl, Subj::Tl];

    pub(crate) fn index(self) -> usize {
        match self {
            Subj::Rw => 0,
            Subj::Sp => 1,
            Subj::Bl => 2,
            Subj::Tl => 3,
        }
    }

    pub(crate) fn params(self) -> &'static SubjectParams {
        &SUBJECTS[self.index()]
    }
}

/// Everything the generator needs to know about one subject.
#[derive(Debug)]
pub(crate) struct SubjectParams {
    /// Subject id as in `schoolscan_domain::Subject`.
    pub(crate) id: &'static str,
    pub(crate) vendor: &'static str,
    pub(crate) test_name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) scale_code: &'static str,
    pub(crate) scale_min: f64,
    pub(crate) scale_max: f64,
    /// First grade with tests (begrijpend lezen starts at M4).
    pub(crate) first_grade: u8,
    /// Growth curve: μ(τ) = a + b·(1 − e^{−kτ})/k, τ = school months since the start of groep 3.
    pub(crate) a: f64,
    pub(crate) b: f64,
    pub(crate) k: f64,
    /// SD of the pupil's level (the θ term), scale points.
    pub(crate) sigma: f64,
    /// Loading of the subject on the general ability factor.
    pub(crate) loading: f64,
    /// CSEM at the norm mean; it rises towards the tails.
    pub(crate) csem_base: f64,
    /// Items in the test (for the raw score); 0 = raw is words read (DMT).
    pub(crate) items: u32,
    /// Corona: share of normal growth lost during closure school months (before multipliers).
    pub(crate) closure_loss: f64,
    /// Corona: share of the accumulated delay that returns in 2021-2022 and 2022-2023.
    pub(crate) recovery: f64,
}

pub(crate) static SUBJECTS: [SubjectParams; 4] = [
    SubjectParams {
        id: Subject::REKENEN_WISKUNDE,
        vendor: "Cito",
        test_name: "Rekenen-Wiskunde",
        version: "3.0",
        scale_code: "cito_rw_3",
        scale_min: 0.0,
        scale_max: 400.0,
        first_grade: 3,
        a: 115.0,
        b: 4.0,
        k: 0.016,
        sigma: 14.0,
        loading: 0.75,
        csem_base: 4.8,
        items: 48,
        closure_loss: 0.55,
        recovery: 0.35,
    },
    SubjectParams {
        id: Subject::SPELLING,
        vendor: "Cito",
        test_name: "Spelling",
        version: "3.0",
        scale_code: "cito_sp_3",
        scale_min: 0.0,
        scale_max: 400.0,
        first_grade: 3,
        a: 110.0,
        b: 4.5,
        k: 0.021,
        sigma: 13.0,
        loading: 0.78,
        csem_base: 5.0,
        items: 40,
        closure_loss: 0.40,
        recovery: 0.15,
    },
    SubjectParams {
        id: Subject::BEGRIJPEND_LEZEN,
        vendor: "Cito",
        test_name: "Begrijpend lezen",
        version: "3.0",
        scale_code: "cito_bl_3",
        scale_min: 0.0,
        scale_max: 400.0,
        first_grade: 4,
        a: 105.0,
        b: 3.4,
        k: 0.013,
        sigma: 14.0,
        loading: 0.78,
        csem_base: 5.5,
        items: 45,
        closure_loss: 0.60,
        recovery: 0.70,
    },
    SubjectParams {
        id: Subject::TECHNISCH_LEZEN,
        vendor: "Cito",
        test_name: "DMT",
        version: "2009",
        scale_code: "cito_dmt",
        scale_min: 0.0,
        scale_max: 280.0,
        first_grade: 3,
        a: 45.0,
        b: 4.0,
        k: 0.024,
        sigma: 10.0,
        loading: 0.70,
        csem_base: 4.0,
        items: 0,
        closure_loss: 0.45,
        recovery: 0.50,
    },
];

/// The rekenen-wiskunde components (`onderdelen`): id, level offset (scale points) and the
/// multiplier of the subject's corona delay (mean 1, so the whole test carries the mean delay).
pub(crate) const COMPONENTS: [(&str, f64, f64); 4] = [
    ("getallen", 4.0, 0.8),
    ("verhoudingen", -6.0, 1.5),
    ("meten_en_meetkunde", 0.0, 1.1),
    ("verbanden", 2.0, 0.6),
];
/// SD of a pupil's own component deviation (constant over time), scale points.
pub(crate) const COMPONENT_SIGMA: f64 = 7.0;
/// Component CSEM = this factor × the whole test's CSEM (fewer items).
pub(crate) const COMPONENT_CSEM_FACTOR: f64 = 1.9;

/// Individual growth rate: m = 1 + GROWTH_THETA·θ + GROWTH_SD·z (clamped to 0.6..1.4).
pub(crate) const GROWTH_THETA: f64 = 0.04;
pub(crate) const GROWTH_SD: f64 = 0.08;

/// Nominal position of a test moment within the school year (school months), used for norms and
/// for the reference growth rate: M in late January, E in mid-June.
pub(crate) fn nominal_month(kind: MomentKind) -> f64 {
    match kind {
        MomentKind::B => 0.8,
        MomentKind::M => 4.8,
        MomentKind::E => 9.4,
    }
}

/// Nominal τ (school months since the start of groep 3) of a moment.
pub(crate) fn nominal_tau(m: Moment) -> f64 {
    10.0 * (f64::from(m.grade.get()) - 3.0) + nominal_month(m.kind)
}

impl SubjectParams {
    /// Cumulative mean growth since the start of groep 3: C(τ) = b·(1 − e^{−kτ})/k.
    pub(crate) fn cum_growth(&self, tau: f64) -> f64 {
        self.b * (1.0 - (-self.k * tau).exp()) / self.k
    }

    /// Population mean score at τ: μ(τ) = a + C(τ).
    pub(crate) fn mean_at(&self, tau: f64) -> f64 {
        self.a + self.cum_growth(tau)
    }

    /// Population SD of the true score at τ: Var = σ² + 2σλC + (λ² + ν²)C².
    pub(crate) fn true_sd_at(&self, tau: f64) -> f64 {
        let c = self.cum_growth(tau);
        (self.sigma.powi(2)
            + 2.0 * self.sigma * GROWTH_THETA * c
            + (GROWTH_THETA.powi(2) + GROWTH_SD.powi(2)) * c * c)
            .sqrt()
    }

    /// Norm (mean, SD of observed scores) at a nominal moment.
    pub(crate) fn norm(&self, m: Moment) -> (f64, f64) {
        let tau = nominal_tau(m);
        let sd = (self.true_sd_at(tau).powi(2) + self.csem_base.powi(2)).sqrt();
        (self.mean_at(tau), sd)
    }

    /// Reference growth per school month for a moment: the population's mean growth over the
    /// 10 nominal school months before it, γ_ref = (μ(τ_n) − μ(τ_n − 10)) / 10 (from τ = 0 when
    /// τ_n < 10). This is what a baseline one-year transition estimates (growth-method §2.2).
    pub(crate) fn gamma_ref(&self, m: Moment) -> f64 {
        let tn = nominal_tau(m);
        let t0 = (tn - 10.0).max(0.0);
        (self.mean_at(tn) - self.mean_at(t0)) / (tn - t0)
    }

    /// DLE: the τ at which the mean pupil has score `y` (inverse of μ), clamped to 0..=60.
    pub(crate) fn dle(&self, y: f64) -> f64 {
        let arg = 1.0 - self.k * (y - self.a) / self.b;
        if arg <= 0.0 { 60.0 } else { (-arg.ln() / self.k).clamp(0.0, 60.0) }
    }

    pub(crate) fn scale(&self) -> Scale {
        Scale {
            code: self.scale_code.to_owned(),
            kind: ScaleKind::Vertical,
            min: self.scale_min,
            max: self.scale_max,
        }
    }

    pub(crate) fn test_key(&self) -> String {
        Test::make_key(self.vendor, self.test_name, Some(self.version))
    }

    pub(crate) fn test(&self) -> Option<Test> {
        Some(Test {
            key: self.test_key(),
            vendor: self.vendor.to_owned(),
            name: self.test_name.to_owned(),
            version: Some(self.version.to_owned()),
            subject: Subject::parse(self.id).ok()?,
            scale: self.scale(),
        })
    }

    /// The moments at which this subject is tested: M and E in groep first_grade..=7, M8.
    pub(crate) fn has_moment(&self, m: Moment) -> bool {
        let g = m.grade.get();
        match m.kind {
            MomentKind::M => g >= self.first_grade,
            MomentKind::E => g >= self.first_grade && g <= 7,
            MomentKind::B => false,
        }
    }

    /// CSEM of a score: larger in the tails (IRT information drops there).
    pub(crate) fn csem(&self, m: Moment, y: f64) -> f64 {
        let (mu, sd) = self.norm(m);
        let z = (y - mu) / sd;
        (self.csem_base * (1.0 + 0.12 * z * z)).min(1.6 * self.csem_base)
    }
}

/// Standard normal CDF (erfc approximation of Numerical Recipes, relative error < 1.2e-7).
pub(crate) fn phi(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Percentile (1..=99) of an observed score against the norm of its moment.
pub(crate) fn percentile(p: &SubjectParams, m: Moment, y: f64) -> f64 {
    let (mu, sd) = p.norm(m);
    (100.0 * phi((y - mu) / sd)).round().clamp(1.0, 99.0)
}

/// Cito level I–V by percentile bands of 20 % (I = highest 20 %).
pub(crate) fn level(percentile: f64) -> &'static str {
    if percentile >= 80.0 {
        "I"
    } else if percentile >= 60.0 {
        "II"
    } else if percentile >= 40.0 {
        "III"
    } else if percentile >= 20.0 {
        "IV"
    } else {
        "V"
    }
}

/// All test moments of the primary school (M3 … M8) in order.
#[cfg(test)]
pub(crate) fn moments() -> Vec<Moment> {
    use schoolscan_domain::Grade;
    let mut out = Vec::new();
    for g in 3..=8u8 {
        if let Ok(grade) = Grade::new(g) {
            out.push(Moment::new(MomentKind::M, grade));
            if g <= 7 {
                out.push(Moment::new(MomentKind::E, grade));
            }
        }
    }
    out
}

/// A population growth curve, as written into the truth so that a consumer can compute any
/// other reference growth (for example over a two-year span).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    pub subject: String,
    pub test_key: String,
    pub scale_code: String,
    /// μ(τ) = a + b·(1 − e^{−kτ})/k with τ = school months since the start of groep 3.
    pub a: f64,
    pub b: f64,
    pub k: f64,
    /// SD of the pupils' level term.
    pub sigma: f64,
}

impl Curve {
    pub(crate) fn of(p: &SubjectParams) -> Self {
        Self {
            subject: p.id.to_owned(),
            test_key: p.test_key(),
            scale_code: p.scale_code.to_owned(),
            a: p.a,
            b: p.b,
            k: p.k,
            sigma: p.sigma,
        }
    }
    /// Population mean score at τ school months since the start of groep 3.
    pub fn mean_at(&self, tau: f64) -> f64 {
        self.a + self.b * (1.0 - (-self.k * tau).exp()) / self.k
    }
    /// Population mean growth per school month between τ0 and τ1.
    pub fn growth_per_month(&self, tau0: f64, tau1: f64) -> f64 {
        (self.mean_at(tau1) - self.mean_at(tau0)) / (tau1 - tau0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Moment {
        Moment::parse(s).unwrap()
    }

    #[test]
    fn growth_decelerates_through_the_grades() {
        for s in Subj::ALL {
            let p = s.params();
            let g4 = p.gamma_ref(m("M4"));
            let g8 = p.gamma_ref(m("M8"));
            assert!(g4 > 1.5 * g8, "{}: {g4} vs {g8}", p.id);
            assert!(g8 > 0.5, "{}", p.id);
        }
    }

    #[test]
    fn norms_stay_inside_the_scale() {
        for s in Subj::ALL {
            let p = s.params();
            for mo in moments() {
                let (mu, sd) = p.norm(mo);
                assert!(mu - 5.0 * sd > p.scale_min && mu + 5.0 * sd < p.scale_max, "{} {mo}", p.id);
            }
        }
    }

    #[test]
    fn phi_and_levels() {
        assert!((phi(0.0) - 0.5).abs() < 1e-7);
        assert!((phi(1.959_964) - 0.975).abs() < 1e-6);
        assert!((phi(-1.0) - 0.158_655_25).abs() < 1e-6);
        assert_eq!(level(85.0), "I");
        assert_eq!(level(50.0), "III");
        assert_eq!(level(5.0), "V");
    }

    #[test]
    fn dle_inverts_the_mean_curve() {
        let p = Subj::Tl.params();
        for tau in [0.0, 5.0, 24.8, 55.0] {
            assert!((p.dle(p.mean_at(tau)) - tau).abs() < 1e-9);
        }
    }
}
