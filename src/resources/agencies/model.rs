//! An agency's fields, their rules, and the queries of the agency list.


use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{agencies, regions};
use crate::db::{Backend, DbConnection};
use crate::domain::{CountryCode, Key, Timestamp};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX};
use crate::listing::ListParams;
use crate::resource::{Validate, Validated};

/// A government body responsible for carrying out action plans.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "key": "disdik", "name": "Dinas Pendidikan", "english_name": "Education Office",
    "acronym": "Disdik", "country_code": "ID", "region_id": 1, "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Agency {
    pub id: i64,
    /// Stable identifier other systems use for this agency.
    pub key: String,
    /// The official name.
    pub name: String,
    pub english_name: Option<String>,
    pub acronym: Option<String>,
    #[schema(value_type = CountryCode)]
    pub country_code: String,
    /// The regional government the agency belongs to; `null` for a national body.
    pub region_id: Option<i64>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The writable fields of an agency. On `PATCH` every field is optional (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Dinas Kesehatan", "english_name": "Health Office", "country_code": "ID", "region_id": 1
}))]
pub struct AgencyInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    /// The official name.
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    english_name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    acronym: Field<String>,
    #[schema(value_type = CountryCode)]
    country_code: Field<CountryCode>,
    /// An existing region of the same country; leave out for a national body.
    #[schema(value_type = Option<i64>, minimum = 1)]
    region_id: Field<i64>,
}

/// A validated agency, as stored.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = agencies, treat_none_as_null = true)]
pub struct AgencyValues {
    key: String,
    name: String,
    english_name: Option<String>,
    acronym: Option<String>,
    country_code: String,
    region_id: Option<i64>,
}

impl Validate for AgencyInput {
    type Values = AgencyValues;

    /// Checks the fields, and that the region exists and is in the agency's country.
    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let name = checker.required_text("name", self.name, NAME_MAX);
        let english_name = checker.optional_text("english_name", self.english_name, NAME_MAX);
        let acronym = checker.optional_text("acronym", self.acronym, NAME_MAX);
        let country_code = checker.required("country_code", self.country_code);
        let region_id = checker.optional("region_id", self.region_id);
        if let Some(region_id) = region_id {
            let region_country: Option<String> =
                regions::table.find(region_id).select(regions::country_code).first(conn).optional()?;
            match (region_country, &country_code) {
                (None, _) => checker.error("region_id", format!("no region has id {region_id}")),
                (Some(region_country), Some(country)) if region_country != country.as_str() => checker.error(
                    "region_id",
                    format!("the region is in {region_country}, not in the agency's country {country}"),
                ),
                _ => {}
            }
        }
        Ok((|| {
            Some(AgencyValues {
                key: key?,
                name: name?,
                english_name,
                acronym,
                country_code: country_code?.into_inner(),
                region_id,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the agency list.
    pub struct AgencyFilter {
        /// Agencies of this region.
        region_id: Option<i64>,
        /// Agencies of this country.
        country_code: Option<CountryCode>,
    }
}

crate::sortable!(SORTABLE, sort_agencies, agencies::BoxedQuery<'static, Backend>, agencies::id, {
    "id" => agencies::id,
    "key" => agencies::key,
    "name" => agencies::name,
    "english_name" => agencies::english_name,
    "acronym" => agencies::acronym,
    "country_code" => agencies::country_code,
    "region_id" => agencies::region_id,
    "created_at" => agencies::created_at,
    "updated_at" => agencies::updated_at,
});

crate::listed!(agencies, search: name, english_name, acronym);

fn filtered(list: &ListParams, filter: &AgencyFilter) -> agencies::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(region_id) = filter.region_id {
        query = query.filter(agencies::region_id.eq(region_id));
    }
    if let Some(country) = &filter.country_code {
        query = query.filter(agencies::country_code.eq(country.as_str().to_owned()));
    }
    query
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &AgencyFilter) -> Result<(i64, Vec<Agency>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}
