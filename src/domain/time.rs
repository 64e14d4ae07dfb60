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
        let mut buffer = [0; RFC3339_MAX];
        match rfc3339(self.0, &mut buffer) {
            Some(text) => f.write_str(text),
            None => f.write_str(&self.0.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = [0; RFC3339_MAX];
        match rfc3339(self.0, &mut buffer) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

/// The length of the longest timestamp [`rfc3339`] writes: nine digits of fraction.
const RFC3339_MAX: usize = 30;

/// `at` as chrono writes it with `SecondsFormat::AutoSi` and `Z` (a fraction of 0, 3, 6 or 9
/// digits, the fewest that keep it whole), for the years 0 to 9999; `None` for the others.
/// Written digit by digit: chrono's formatter took a twentieth of a list's instructions, two
/// timestamps per record.
fn rfc3339(at: NaiveDateTime, buffer: &mut [u8; RFC3339_MAX]) -> Option<&str> {
    use chrono::{Datelike, Timelike};
    let year = u32::try_from(at.year()).ok().filter(|year| *year <= 9999)?;
    let mut put = |start: usize, value: u32, digits: usize| {
        let mut value = value;
        for place in (start..start + digits).rev() {
            buffer[place] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, year, 4);
    put(5, at.month(), 2);
    put(8, at.day(), 2);
    put(11, at.hour(), 2);
    put(14, at.minute(), 2);
    // A leap second is kept by chrono as a nanosecond count past a whole second.
    let (second, nanoseconds) = match at.nanosecond() {
        nanoseconds @ 1_000_000_000.. => (60, nanoseconds - 1_000_000_000),
        nanoseconds => (at.second(), nanoseconds),
    };
    put(17, second, 2);
    let fraction = match nanoseconds {
        0 => 0,
        n if n % 1_000_000 == 0 => {
            put(20, n / 1_000_000, 3);
            3
        }
        n if n % 1_000 == 0 => {
            put(20, n / 1_000, 6);
            6
        }
        n => {
            put(20, n, 9);
            9
        }
    };
    for (at, separator) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.')] {
        buffer[at] = separator;
    }
    let end = if fraction == 0 { 19 } else { 20 + fraction };
    buffer[end] = b'Z';
    std::str::from_utf8(&buffer[..=end]).ok()
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
    fn timestamps_are_written_as_chrono_writes_them() {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for at in [
            date(2026, 11, 28).and_hms_opt(1, 2, 3).unwrap(),
            date(2026, 11, 28).and_hms_milli_opt(1, 2, 3, 450).unwrap(),
            date(2026, 11, 28).and_hms_micro_opt(23, 59, 59, 456_789).unwrap(),
            date(2026, 11, 28).and_hms_micro_opt(0, 0, 0, 1).unwrap(),
            date(1999, 12, 31).and_hms_nano_opt(23, 59, 59, 123_456_789).unwrap(),
            date(1998, 12, 31).and_hms_milli_opt(23, 59, 59, 1_500).unwrap(),
            date(0, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
            date(9999, 12, 31).and_hms_nano_opt(23, 59, 59, 999_999_999).unwrap(),
            date(10000, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
            date(-1, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
        ] {
            let chrono = at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            assert_eq!(Timestamp(at).to_string(), chrono);
            assert_eq!(serde_json::to_value(Timestamp(at)).unwrap(), serde_json::Value::String(chrono));
        }
    }

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
