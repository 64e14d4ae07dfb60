//! Timestamps are stored as UTC without a zone (the one timestamp type both backends share)
//! and shown as RFC 3339 with `Z`.

use chrono::{NaiveDateTime, SubsecRound, Utc};
use serde::Serializer;

/// The current time, truncated to microseconds: what PostgreSQL keeps, so that a value reads
/// back exactly as it was written on either backend.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Serializes a stored UTC timestamp as RFC 3339 (`2026-11-28T01:02:03.456789Z`).
pub fn rfc3339<S: Serializer>(value: &NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&value.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// Like [`rfc3339`], for an optional timestamp (`null` when absent).
pub fn rfc3339_option<S: Serializer>(
    value: &Option<NaiveDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => rfc3339(value, serializer),
        None => serializer.serialize_none(),
    }
}
