//! Audiences, thresholds and released cells.

use serde::Serialize;

use crate::DisclosureError;

/// Nothing based on fewer pupils than this is ever shown to any aggregate audience (the CBS/NCO
/// floor: groups of 5 or fewer are never reported, privacy-security.md §8.3, R8).
pub const ABSOLUTE_FLOOR: u32 = 6;

/// The minimum group size for the MR, the board, the municipality and the general part for care
/// partners (R8). A deployment may raise it, never lower it.
pub const EXTERNAL_FLOOR: u32 = 10;

/// The one Dutch label of every suppressed cell of a table. Primary and complementary suppressions
/// share it on purpose: a reader who could tell them apart would know that a cell is below the
/// threshold, which narrows its range (R9).
pub const TABLE_LABEL: &str = "te weinig leerlingen om te tonen";

/// Who looks at an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// School staff authorised for the pupils. They may see pupil level anyway; their aggregate
    /// views still never show a figure based on 1–5 pupils.
    Team,
    /// Medezeggenschapsraad.
    Mr,
    /// A parent: their own child only, never aggregates.
    Parent,
    /// A care partner's general (non-pupil) part: as the MR.
    CarePartner,
    /// The school board across schools.
    Board,
    /// The municipality.
    Municipality,
}

impl Audience {
    pub const ALL: [Audience; 6] = [
        Audience::Team,
        Audience::Mr,
        Audience::Parent,
        Audience::CarePartner,
        Audience::Board,
        Audience::Municipality,
    ];

    /// The audiences that receive aggregates.
    pub const AGGREGATE: [Audience; 5] =
        [Audience::Team, Audience::Mr, Audience::CarePartner, Audience::Board, Audience::Municipality];

    /// Outside the school team: fixed templates, the differencing guard, no class breakdowns and
    /// the external floor.
    pub fn is_external(self) -> bool {
        matches!(self, Audience::Mr | Audience::CarePartner | Audience::Board | Audience::Municipality)
    }

    /// The lowest threshold this audience can ever get, whatever the configuration; `None` for an
    /// audience that gets no aggregates at all.
    pub fn floor(self) -> Option<u32> {
        match self {
            Audience::Parent => None,
            Audience::Team => Some(ABSOLUTE_FLOOR),
            Audience::Mr | Audience::CarePartner | Audience::Board | Audience::Municipality => {
                Some(EXTERNAL_FLOOR)
            }
        }
    }
}

/// The configured minimum group size of a deployment: 10 by default; it can be set to any value
/// of at least [`ABSOLUTE_FLOOR`], but an external audience never gets less than
/// [`EXTERNAL_FLOOR`] (see [`Policy::new`]), so configuring works upwards only for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Threshold(u32);

impl Threshold {
    pub fn new(k: u32) -> Result<Self, DisclosureError> {
        if k < ABSOLUTE_FLOOR {
            return Err(DisclosureError::ThresholdTooLow { requested: k, floor: ABSOLUTE_FLOOR });
        }
        Ok(Self(k))
    }
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Self(EXTERNAL_FLOOR)
    }
}

/// The rules for one audience: the effective minimum group size, which is also the protection
/// width of suppressed cells (R9: a suppressed cell's feasible range is at least this wide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Policy {
    audience: Audience,
    threshold: u32,
}

impl Policy {
    /// The effective threshold is the larger of the configured one and the audience's floor.
    pub fn new(audience: Audience, configured: Threshold) -> Result<Self, DisclosureError> {
        let floor = audience.floor().ok_or(DisclosureError::NotAnAggregateAudience(audience))?;
        Ok(Self { audience, threshold: configured.get().max(floor) })
    }
    /// The rules of the MR with the default threshold: the fallback when an audience is unknown.
    pub fn strictest() -> Self {
        Self { audience: Audience::Mr, threshold: EXTERNAL_FLOOR }
    }
    pub fn audience(&self) -> Audience {
        self.audience
    }
    /// The minimum number of pupils behind a shown cell.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }
    /// The minimum width of the range a reader can derive for a suppressed count.
    pub fn protection(&self) -> u64 {
        u64::from(self.threshold)
    }
    /// Whether a figure based on `n` pupils passes the primary rule.
    pub fn allows(&self, n: u64) -> bool {
        n >= u64::from(self.threshold)
    }
    /// "minder dan 10": the Dutch text for a standalone count below the threshold.
    pub fn below_label(&self) -> String {
        format!("minder dan {}", self.threshold)
    }
    /// A standalone figure (not part of a table with margins) based on `n` pupils.
    pub fn standalone<T>(&self, value: T, n: u64) -> Cell<T> {
        if self.allows(n) {
            Cell::Shown { value, n }
        } else {
            Cell::Suppressed { reason: Reason::Primary, label: format!("{} leerlingen", self.below_label()) }
        }
    }
    /// A standalone count of pupils.
    pub fn count(&self, n: u64) -> Cell<u64> {
        self.standalone(n, n)
    }
}

/// Why a cell is not shown. Kept for audits and tests; never serialised, so that a reader cannot
/// tell primary from complementary suppressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Based on fewer pupils than the threshold.
    Primary,
    /// Hidden so that a primary suppression cannot be derived from the margins (R9).
    Complementary,
    /// Refused by the differencing guard: its population differs from another released one by
    /// 1 to threshold − 1 pupils (R11).
    Differencing,
    /// The audience never sees this kind of figure (classes for external audiences).
    NotForAudience,
}

/// A figure as released to an aggregate audience.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Cell<T> {
    Shown {
        value: T,
        /// The number of pupils the figure is based on (at least the policy's threshold).
        n: u64,
    },
    Suppressed {
        #[serde(skip)]
        reason: Reason,
        /// Dutch text shown instead of the figure.
        label: String,
    },
}

impl<T> Cell<T> {
    /// A suppressed table cell.
    pub fn hidden(reason: Reason) -> Self {
        Cell::Suppressed { reason, label: TABLE_LABEL.to_owned() }
    }
    pub fn is_shown(&self) -> bool {
        matches!(self, Cell::Shown { .. })
    }
    /// The `n` of a shown cell.
    pub fn n(&self) -> Option<u64> {
        match self {
            Cell::Shown { n, .. } => Some(*n),
            Cell::Suppressed { .. } => None,
        }
    }
    pub fn value(&self) -> Option<&T> {
        match self {
            Cell::Shown { value, .. } => Some(value),
            Cell::Suppressed { .. } => None,
        }
    }
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Cell::Shown { .. } => None,
            Cell::Suppressed { reason, .. } => Some(*reason),
        }
    }
    /// The Dutch text of a suppressed cell.
    pub fn label(&self) -> Option<&str> {
        match self {
            Cell::Shown { .. } => None,
            Cell::Suppressed { label, .. } => Some(label),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_has_an_absolute_floor() {
        assert!(Threshold::new(5).is_err());
        assert!(Threshold::new(0).is_err());
        assert_eq!(Threshold::new(6).map(Threshold::get), Ok(6));
        assert_eq!(Threshold::default().get(), 10);
    }

    #[test]
    fn external_audiences_never_get_less_than_ten() -> Result<(), DisclosureError> {
        let low = Threshold::new(6)?;
        for a in Audience::AGGREGATE {
            let p = Policy::new(a, low)?;
            let want = if a.is_external() { 10 } else { 6 };
            assert_eq!(p.threshold(), want, "{a:?}");
            assert_eq!(Policy::new(a, Threshold::new(14)?)?.threshold(), 14, "{a:?} can be raised");
        }
        assert_eq!(
            Policy::new(Audience::Parent, low),
            Err(DisclosureError::NotAnAggregateAudience(Audience::Parent))
        );
        Ok(())
    }

    #[test]
    fn standalone_counts_below_the_threshold_are_labelled() -> Result<(), DisclosureError> {
        let p = Policy::new(Audience::Mr, Threshold::default())?;
        assert_eq!(p.count(9).label(), Some("minder dan 10 leerlingen"));
        assert_eq!(p.count(0).reason(), Some(Reason::Primary));
        assert_eq!(p.count(10), Cell::Shown { value: 10, n: 10 });
        assert_eq!(p.below_label(), "minder dan 10");
        Ok(())
    }

    #[test]
    fn the_reason_is_not_serialised() -> Result<(), serde_json::Error> {
        let c: Cell<u64> = Cell::hidden(Reason::Primary);
        let d: Cell<u64> = Cell::hidden(Reason::Complementary);
        assert_eq!(serde_json::to_string(&c)?, serde_json::to_string(&d)?);
        assert_eq!(
            serde_json::to_string(&c)?,
            r#"{"status":"suppressed","label":"te weinig leerlingen om te tonen"}"#
        );
        Ok(())
    }
}
