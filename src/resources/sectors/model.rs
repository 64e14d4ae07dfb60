//! A sector's fields, their rules, and the queries of the sector list.


use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::sectors;
use crate::db::{Backend, DbConnection};
use crate::domain::{Key, Slug, Timestamp};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, TEXT_MAX};
use crate::listing::ListParams;
use crate::resource::{Validate, Validated};

/// A field of cooperation.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "trade-investment", "code": "trade-investment", "name": "Trade and Investment",
    "local_name": "Perdagangan dan Investasi", "description": null, "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Sector {
    pub id: i64,
    /// Stable identifier other systems use for this sector.
    pub key: String,
    /// Unique lower-case slug.
    pub code: String,
    /// Name in English.
    pub name: String,
    /// Name in the local language.
    pub local_name: Option<String>,
    pub description: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The writable fields of a sector. On `PATCH` every field is optional (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "health", "name": "Health", "local_name": "Kesehatan"
}))]
pub struct SectorInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// Unique lower-case slug.
    #[schema(value_type = String, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 100)]
    code: Field<Slug>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    local_name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    description: Field<String>,
}

/// A validated sector, as stored.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = sectors, treat_none_as_null = true)]
pub struct SectorValues {
    key: String,
    code: String,
    name: String,
    local_name: Option<String>,
    description: Option<String>,
}

impl Validate for SectorInput {
    type Values = SectorValues;

    fn validate(self, checker: &mut Checker, _: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let code = checker.required("code", self.code);
        let name = checker.required_text("name", self.name, NAME_MAX);
        let local_name = checker.optional_text("local_name", self.local_name, NAME_MAX);
        let description = checker.optional_text("description", self.description, TEXT_MAX);
        Ok((|| {
            Some(SectorValues { key: key?, code: code?.into_inner(), name: name?, local_name, description })
        })())
    }
}

crate::filters! {
    /// Filters of the sector list.
    pub struct SectorFilter {
        /// The sector with this code.
        code: Option<String>,
    }
}

crate::sortable!(SORTABLE, sort_sectors, sectors::BoxedQuery<'static, Backend>, sectors::id, {
    "id" => sectors::id,
    "key" => sectors::key,
    "code" => sectors::code,
    "name" => sectors::name,
    "created_at" => sectors::created_at,
    "updated_at" => sectors::updated_at,
});

crate::listed!(sectors, search: name, code, local_name, description);

fn filtered(list: &ListParams, filter: &SectorFilter) -> sectors::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(code) = &filter.code {
        query = query.filter(sectors::code.eq(code.clone()));
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &SectorFilter) -> Result<(i64, Vec<Sector>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
