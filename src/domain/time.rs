//! Timestamps are stored as UTC without a zone (the one timestamp type both backends share)
//! and shown as RFC 3339 with `Z`.

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::sql_types;

/// A moment in UTC: stored without a zone, shown as RFC 3339 (`2026-11-28T01:02:03.456789Z`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = sql_types::Timestamp)]
pub struct Timestamp(pub NaiveDateTime);

/// The current time, truncated to microseconds: what PostgreSQL keeps, so that a value reads
/// back exactly as it was written on either backend.
pub fn now() -> Timestamp {
    Timestamp(Utc::now().naive_utc().trunc_subsecs(6))
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A moment in UTC, RFC 3339: `2026-11-28T01:02:03.456789Z`"))
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

impl<DB> diesel::serialize::ToSql<sql_types::Timestamp, DB> for Timestamp
where
    DB: diesel::backend::Backend,
    NaiveDateTime: diesel::serialize::ToSql<sql_types::Timestamp, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
        self.0.to_sql(out)
    }
}

impl diesel::deserialize::FromSql<sql_types::Timestamp, crate::db::Backend> for Timestamp {
    fn from_sql(
        bytes: <crate::db::Backend as diesel::backend::Backend>::RawValue<'_>,
    ) -> diesel::deserialize::Result<Self> {
        bytes.from_sql::<Self, sql_types::Timestamp>()
    }
}

impl diesel::deserialize::FromSql<sql_types::Timestamp, diesel::pg::Pg> for Timestamp {
    fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        <NaiveDateTime as diesel::deserialize::FromSql<sql_types::Timestamp, diesel::pg::Pg>>::from_sql(bytes)
            .map(Self)
    }
}

impl diesel::deserialize::FromSql<sql_types::Timestamp, diesel::sqlite::Sqlite> for Timestamp {
    /// SQLite keeps timestamps as text. Diesel reads them by trying format strings in turn,
    /// interpreted anew for each value, which showed in profiles of every list; the text as
    /// stored is read directly, anything else as diesel would.
    fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> diesel::deserialize::Result<Self> {
        if let Some(at) = parse_stored(value.read_text()) {
            return Ok(Self(at));
        }
        <NaiveDateTime as diesel::deserialize::FromSql<sql_types::Timestamp, diesel::sqlite::Sqlite>>::from_sql(value)
            .map(Self)
    }
}

/// A timestamp as SQLite keeps what diesel writes: `2026-11-28 01:02:03` and up to nine digits
/// of fraction.
fn parse_stored(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes
            .get(range)?
            .iter()
            .try_fold(0u32, |n, &digit| digit.is_ascii_digit().then(|| n * 10 + u32::from(digit - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if bytes.len() < 19 || separators.iter().any(|&(at, separator)| bytes[at] != separator) {
        return None;
    }
    let nanoseconds = match bytes.len() {
        19 => 0,
        21..=29 if bytes[19] == b'.' => number(20..bytes.len())? * 10u32.pow(29 - bytes.len() as u32),
        _ => return None,
    };
    chrono::NaiveDate::from_ymd_opt(i32::try_from(number(0..4)?).ok()?, number(5..7)?, number(8..10)?)?
        .and_hms_nano_opt(number(11..13)?, number(14..16)?, number(17..19)?, nanoseconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_read_as_chrono_reads_them() {
        for text in [
            "2026-11-28 01:02:03",
            "2026-11-28 01:02:03.4",
            "2026-11-28 01:02:03.456789",
            "1999-12-31 23:59:59.123456789",
        ] {
            let expected = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap();
            assert_eq!(parse_stored(text), Some(expected), "{text}");
        }
        for other in [
            "2026-11-28T01:02:03",
            "2026-11-28 01:02:03.",
            "2026-02-30 01:02:03",
            "2026-11-28 24:00:00",
            "2026-11-28",
            "2026-11-28 01:02:03.1234567890",
            "20x6-11-28 01:02:03",
        ] {
            assert_eq!(parse_stored(other), None, "{other}");
        }
    }
}
