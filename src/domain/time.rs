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

impl<DB> diesel::deserialize::FromSql<sql_types::Timestamp, DB> for Timestamp
where
    DB: diesel::backend::Backend,
    NaiveDateTime: diesel::deserialize::FromSql<sql_types::Timestamp, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        NaiveDateTime::from_sql(bytes).map(Self)
    }
}
