//! Serde for dates as `YYYY-MM-DD` strings in the JSON contract.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;
use time::macros::format_description;

const FMT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn format(d: Date) -> String {
    d.format(FMT).unwrap_or_else(|_| d.to_string())
}

pub fn parse(s: &str) -> Result<Date, time::error::Parse> {
    Date::parse(s, FMT)
}

pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    format(*d).serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let s = String::deserialize(d)?;
    parse(&s).map_err(serde::de::Error::custom)
}

/// Pairs of dates as `[["2020-03-16", "2020-05-11"], ...]`.
pub mod pairs {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[(Date, Date)], s: S) -> Result<S::Ok, S::Error> {
        let out: Vec<[String; 2]> = v.iter().map(|(a, b)| [format(*a), format(*b)]).collect();
        out.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Date, Date)>, D::Error> {
        let v: Vec<[String; 2]> = Vec::deserialize(d)?;
        v.iter()
            .map(|[a, b]| {
                Ok((parse(a).map_err(serde::de::Error::custom)?, parse(b).map_err(serde::de::Error::custom)?))
            })
            .collect()
    }
}
