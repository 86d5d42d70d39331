//! Times as stored text: UTC, second precision, `YYYY-MM-DDTHH:MM:SSZ` (sorts as it reads).

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::StoreError;

const FMT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

pub fn ts(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(FMT).unwrap_or_default()
}

pub fn parse_ts(s: &str) -> Result<OffsetDateTime, StoreError> {
    PrimitiveDateTime::parse(s, FMT)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|_| StoreError::Corrupt { what: "tijdstip", value: s.to_owned() })
}
