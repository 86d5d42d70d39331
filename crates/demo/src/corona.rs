//! The injected corona effect: lost school months of growth per pupil and subject.
//!
//! A pupil's delay D(t) (school months of growth lost by date t) accrues at a rate per school
//! month in five segments, then partly returns (recovery):
//!
//! ```text
//! A  16-03-2020 .. 11-05-2020   first closure            rate = closure
//! B  11-05-2020 .. 01-08-2020   reopened, disrupted      rate = disruption + extra
//! C  01-08-2020 .. 16-12-2020   disrupted (2020-2021)    rate = disruption + extra + cohort
//! D  16-12-2020 .. 08-02-2021   second closure           rate = closure
//! E  08-02-2021 .. 01-07-2021   disrupted (2020-2021)    rate = disruption + cohort
//! D_acc(t) = Σ_seg clamp(rate, −1, 1) · |seg ∩ [start of groep 3, t)|   (school-month clock)
//! D(t)     = D_acc(t) · (1 − ρ · (1 − exp(−max(0, m(t) − m(01-09-2021)) / 10)))   if D_acc > 0
//! ```
//!
//! Rates are already multiplied by the effect scale. See README.md for the parameter values.

use schoolscan_domain::Weight;
use schoolscan_domain::calendar::{closures, school_month_index};
use serde::{Deserialize, Serialize};
use time::{Date, macros::date};

use crate::config::DemoConfig;
use crate::flow::SimPupil;
use crate::model::Subj;
use crate::rng::{Purpose, Stream, tag};

/// The time constant of recovery, school months.
pub(crate) const RECOVERY_TIME: f64 = 10.0;
/// Disruption outside the closures (May 2020 – June 2021), as a share of the closure loss.
pub(crate) const DISRUPTION_SHARE: f64 = 0.12;
/// Upper bound of a bulk pupil's closure loss fraction.
pub(crate) const MAX_CLOSURE_LOSS: f64 = 0.95;

const REOPEN_1: Date = date!(2020 - 05 - 11);
const SUMMER_2020: Date = date!(2020 - 08 - 01);
const REOPEN_2: Date = date!(2021 - 02 - 08);
const SUMMER_2021: Date = date!(2021 - 07 - 01);
const RECOVERY_START: Date = date!(2021 - 09 - 01);

/// What was injected for a pupil beyond the bulk effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Injected {
    #[default]
    None,
    FarBehind,
    MovedAhead,
}

/// The loss parameters of one pupil in one subject (already scaled).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LossParams {
    /// Share of normal growth lost per closure school month.
    pub closure: f64,
    /// Share lost per open school month from 11-05-2020 to 01-07-2021.
    pub disruption: f64,
    /// Extra share lost (far behind) or gained (moved ahead, negative) from 11-05-2020 to
    /// 16-12-2020.
    pub extra: f64,
    /// Extra share lost in the open months of 2020-2021 by a deviating jaargroep.
    pub cohort: f64,
    /// Share of the accumulated delay that returns (time constant 10 school months from
    /// 01-09-2021).
    pub recovery: f64,
}

impl LossParams {
    /// School months of growth lost by date `d`, for a pupil whose groep 3 started in school year
    /// `y3` (no loss accrues before groep 3).
    pub fn lost_months(&self, y3: i32, d: Date) -> f64 {
        let t = school_month_index(d);
        let start = 10.0 * f64::from(y3);
        let (c1a, c1b) = closures::FIRST;
        let (c2a, c2b) = closures::SECOND;
        let segs = [
            (c1a, c1b, self.closure),
            (REOPEN_1, SUMMER_2020, self.disruption + self.extra),
            (SUMMER_2020, c2a, self.disruption + self.extra + self.cohort),
            (c2a, c2b, self.closure),
            (REOPEN_2, SUMMER_2021, self.disruption + self.cohort),
        ];
        let mut acc = 0.0;
        for (a, b, rate) in segs {
            let lo = school_month_index(a).max(start);
            let hi = school_month_index(b).min(t);
            if hi > lo {
                acc += rate.clamp(-1.0, 1.0) * (hi - lo);
            }
        }
        if acc > 0.0 {
            let since = (t - school_month_index(RECOVERY_START)).max(0.0);
            acc * (1.0 - self.recovery * (1.0 - (-since / RECOVERY_TIME).exp()))
        } else {
            acc
        }
    }
}

/// The injected corona effect of one pupil.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct PupilCorona {
    pub(crate) injected: Injected,
    pub(crate) params: [LossParams; 4],
    /// Member of a deviating jaargroep in this subject.
    pub(crate) deviating: [bool; 4],
}

/// Weight multiplier of the closure loss (leerlinggewicht 0 / 0.3 / 1.2).
pub(crate) fn weight_multiplier(w: Weight) -> f64 {
    match w {
        Weight::W0 => 1.0,
        Weight::W03 => 1.25,
        Weight::W12 => 1.6,
    }
}

/// Prior-achievement multiplier: lower achievers lose more.
pub(crate) fn prior_multiplier(theta: f64) -> f64 {
    (1.0 - 0.12 * theta).clamp(0.6, 1.5)
}

/// The corona parameters of one pupil. Draws come from the pupil's own corona stream, always in
/// the same order, so the selection of far-behind pupils changes nothing else.
pub(crate) fn pupil_corona(cfg: &DemoConfig, brin: &str, p: &SimPupil, injected: Injected) -> PupilCorona {
    let scale = cfg.applied_scale();
    let mut s = Stream::new(cfg.seed, Purpose::Corona, &[tag(brin), p.serial]);
    let common = s.normal();
    let extra_base = s.between(0.55, 0.80);
    let noodopvang = p.flags.iter().any(|f| f == "noodopvang");
    let grade_2020 = p.grade_in(2020);
    let mut out = PupilCorona { injected, ..PupilCorona::default() };
    for subj in Subj::ALL {
        let sp = subj.params();
        let own = s.normal();
        let u = s.between(0.8, 1.2);
        let rz = s.normal();
        let i = subj.index();
        let mult = (0.2 * common + 0.15 * own - 0.03).exp();
        let mut closure = (sp.closure_loss
            * weight_multiplier(p.weight)
            * prior_multiplier(p.latent.theta[i])
            * mult
            * if noodopvang { 0.5 } else { 1.0 })
        .clamp(0.0, MAX_CLOSURE_LOSS);
        let mut disruption = DISRUPTION_SHARE * closure;
        let mut extra = 0.0;
        match injected {
            Injected::None => {}
            Injected::FarBehind => {
                closure = 1.0;
                extra = extra_base * u;
            }
            Injected::MovedAhead => {
                closure = -0.5;
                disruption = -0.06;
                extra = -0.35 * u;
            }
        }
        let mut cohort = 0.0;
        for d in &cfg.deviating {
            if d.school.as_str() == brin && grade_2020 == Some(d.grade) && d.subject == sp.id {
                closure *= d.loss_multiplier;
                disruption *= d.loss_multiplier;
                cohort += d.extra_rate;
                out.deviating[i] = true;
            }
        }
        out.params[i] = LossParams {
            closure: closure * scale,
            disruption: disruption * scale,
            extra: extra * scale,
            cohort: cohort * scale,
            recovery: if scale > 0.0 { (sp.recovery + 0.12 * rz).clamp(0.0, 0.95) } else { 0.0 },
        };
    }
    out
}

/// Whether a pupil can be chosen to fall far behind or move ahead: at the school from before the
/// first closure until March 2021, in groep 4–8 in 2020-2021 (so with a pre-corona score).
pub(crate) fn eligible(p: &SimPupil) -> bool {
    p.present_on(date!(2020 - 01 - 06))
        && p.present_on(date!(2021 - 03 - 31))
        && p.grade_in(2020).is_some_and(|g| (4..=8).contains(&g))
        && p.grade_in(2019).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closure_loss_accrues_only_in_closures_and_partly_recovers() {
        let p = LossParams { closure: 0.5, disruption: 0.0, extra: 0.0, cohort: 0.0, recovery: 0.5 };
        let y3 = 2017;
        assert_eq!(p.lost_months(y3, date!(2020 - 01 - 27)), 0.0);
        // After the first closure: 0.5 × 1.8387.
        let a = p.lost_months(y3, date!(2020 - 06 - 15));
        assert!((a - 0.5 * 1.8387).abs() < 1e-3, "{a}");
        // After both closures: 0.5 × (1.8387 + 1.7661).
        let b = p.lost_months(y3, date!(2021 - 03 - 15));
        assert!((b - 0.5 * 3.6048).abs() < 1e-3, "{b}");
        // Recovery from September 2021: after 10 school months 1 − e^{−1} of half the delay returns.
        let c = p.lost_months(y3, date!(2022 - 07 - 01));
        assert!((c - b * (1.0 - 0.5 * (1.0 - (-1.0f64).exp()))).abs() < 1e-9, "{c}");
        // A pupil who started groep 3 in 2020 lost nothing in the first closure.
        let d = p.lost_months(2020, date!(2021 - 03 - 15));
        assert!((d - 0.5 * 1.7661).abs() < 1e-3, "{d}");
    }

    #[test]
    fn zero_parameters_lose_nothing() {
        let p = LossParams::default();
        assert_eq!(p.lost_months(2015, date!(2022 - 01 - 20)), 0.0);
    }

    proptest::proptest! {
        #[test]
        fn loss_is_bounded_by_the_elapsed_school_months(
            closure in 0.0f64..1.0,
            disruption in 0.0f64..0.3,
            extra in 0.0f64..0.8,
            cohort in -0.2f64..0.3,
            recovery in 0.0f64..0.95,
            days in 0i64..1500,
            y3 in 2012i32..2021,
        ) {
            let p = LossParams { closure, disruption, extra, cohort, recovery };
            let d = date!(2019 - 09 - 01) + time::Duration::days(days);
            let lost = p.lost_months(y3, d);
            let start = closures::FIRST.0;
            let elapsed = if d > start { schoolscan_domain::calendar::school_months_between(start, d) } else { 0.0 };
            proptest::prop_assert!(lost <= elapsed + 1e-9, "{lost} > {elapsed}");
            proptest::prop_assert!(lost >= -0.3 * elapsed - 1e-9);
            if d <= start {
                proptest::prop_assert_eq!(lost, 0.0);
            }
            // Until recovery starts the delay never shrinks.
            let week_later = d + time::Duration::days(7);
            if week_later < RECOVERY_START {
                let later = p.lost_months(y3, week_later);
                proptest::prop_assert!(later + 1e-9 >= lost || cohort < 0.0);
            }
        }
    }
}
