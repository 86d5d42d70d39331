//! Conversions between domain values and their database text form.

use schoolscan_domain::{Informant, NoteKind, ParentsEducation, ScaleKind, Sex, Weight};
use time::{Date, format_description::BorrowedFormatItem, macros::format_description};

use crate::StoreError;

const ISO: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub fn date_to_sql(d: Date) -> String {
    d.format(ISO).unwrap_or_default()
}

pub fn date_from_sql(s: &str) -> Result<Date, StoreError> {
    Date::parse(s, ISO).map_err(|_| StoreError::Corrupt { what: "datum", value: s.to_owned() })
}

pub fn opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.as_deref().map(date_from_sql).transpose()
}

pub fn sex_to_sql(s: Sex) -> &'static str {
    s.code()
}

pub fn weight_to_sql(w: Weight) -> &'static str {
    match w {
        Weight::W0 => "0",
        Weight::W03 => "0.3",
        Weight::W12 => "1.2",
    }
}

pub fn edu_to_sql(e: ParentsEducation) -> &'static str {
    match e {
        ParentsEducation::Low => "low",
        ParentsEducation::Middle => "middle",
        ParentsEducation::High => "high",
    }
}

pub fn edu_from_sql(s: &str) -> Option<ParentsEducation> {
    match s {
        "low" => Some(ParentsEducation::Low),
        "middle" => Some(ParentsEducation::Middle),
        "high" => Some(ParentsEducation::High),
        _ => None,
    }
}

pub fn kind_to_sql(k: ScaleKind) -> &'static str {
    match k {
        ScaleKind::Vertical => "vertical",
        ScaleKind::NormReferenced => "norm_referenced",
    }
}

pub fn kind_from_sql(s: &str) -> Result<ScaleKind, StoreError> {
    match s {
        "vertical" => Ok(ScaleKind::Vertical),
        "norm_referenced" => Ok(ScaleKind::NormReferenced),
        _ => Err(StoreError::Corrupt { what: "schaalsoort", value: s.to_owned() }),
    }
}

pub fn informant_from_sql(s: &str) -> Result<Informant, StoreError> {
    Informant::parse(s).map_err(|_| StoreError::Corrupt { what: "informant", value: s.to_owned() })
}

pub fn note_kind_from_sql(s: &str) -> Result<NoteKind, StoreError> {
    NoteKind::parse(s).ok_or_else(|| StoreError::Corrupt { what: "soort notitie", value: s.to_owned() })
}
