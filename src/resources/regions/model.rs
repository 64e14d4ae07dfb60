//! A region's fields, their rules, and the queries of the region list.


use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::regions;
use crate::db::{Backend, DbConnection};
use crate::domain::{CountryCode, Key, RegionKind, SubdivisionCode, Timestamp};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Validate, Validated};

/// A subnational government.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "MA-09", "name": "Souss-Massa", "local_name": null, "kind": "region",
    "country_code": "MA", "subdivision_code": "MA-09", "capital": "Agadir", "area_km2": 51642.0,
    "population": 2676847, "population_year": 2014, "parent_region_id": null, "version": 1,
    "created_at": "2026-11-28T01:00:00Z", "updated_at": "2026-11-28T01:00:00Z"
}))]
pub struct Region {
    pub id: i64,
    /// Stable identifier other systems use for this region.
    pub key: String,
    /// Name in English.
    pub name: String,
    /// Name in the region's own language.
    pub local_name: Option<String>,
    pub kind: RegionKind,
    #[schema(value_type = CountryCode)]
    pub country_code: String,
    /// ISO 3166-2 code.
    #[schema(example = "ID-JB")]
    pub subdivision_code: Option<String>,
    pub capital: Option<String>,
    /// Area in square kilometres.
    pub area_km2: Option<f64>,
    pub population: Option<i64>,
    /// The year `population` was counted.
    pub population_year: Option<i32>,
    /// The region this one lies within (Bandung within West Java); `null` for a top level.
    pub parent_region_id: Option<i64>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The writable fields of a region. On `PATCH` every field is optional (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Central Java", "local_name": "Jawa Tengah", "kind": "province",
    "country_code": "ID", "subdivision_code": "ID-JT", "capital": "Semarang"
}))]
pub struct RegionInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    name: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    local_name: Field<String>,
    #[schema(value_type = RegionKind)]
    kind: Field<RegionKind>,
    #[schema(value_type = CountryCode)]
    country_code: Field<CountryCode>,
    /// A real ISO 3166-2 code of the region's country (such as `ID-JB`); unique.
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{2}-[A-Z0-9]{1,3}$")]
    subdivision_code: Field<SubdivisionCode>,
    #[schema(value_type = Option<String>, max_length = 300)]
    capital: Field<String>,
    /// Square kilometres, more than 0.
    #[schema(value_type = Option<f64>, exclusive_minimum = 0)]
    area_km2: Field<f64>,
    #[schema(value_type = Option<i64>, minimum = 0)]
    population: Field<i64>,
    #[schema(value_type = Option<i32>, minimum = 1000, maximum = 9999)]
    population_year: Field<i32>,
    /// An existing region of the same country that this one lies within (a city within its
    /// province); not the region itself nor one within it.
    #[schema(value_type = Option<i64>, minimum = 1)]
    parent_region_id: Field<i64>,
}

/// A validated region, as stored.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = regions, treat_none_as_null = true)]
pub struct RegionValues {
    key: String,
    name: String,
    local_name: Option<String>,
    kind: RegionKind,
    country_code: String,
    subdivision_code: Option<String>,
    capital: Option<String>,
    area_km2: Option<f64>,
    population: Option<i64>,
    population_year: Option<i32>,
    parent_region_id: Option<i64>,
}

impl Validate for RegionInput {
    type Values = RegionValues;

    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let name = checker.required_text("name", self.name, NAME_MAX);
        let local_name = checker.optional_text("local_name", self.local_name, NAME_MAX);
        let kind = checker.required("kind", self.kind);
        let country_code = checker.required("country_code", self.country_code);
        let subdivision_code = checker.optional("subdivision_code", self.subdivision_code);
        let capital = checker.optional_text("capital", self.capital, NAME_MAX);
        let area_km2 = checker.optional("area_km2", self.area_km2);
        if area_km2.is_some_and(|area| !(area.is_finite() && area > 0.0)) {
            checker.error("area_km2", "must be more than 0");
        }
        let population = checker.optional("population", self.population);
        if population.is_some_and(|p| p < 0) {
            checker.error("population", "must not be negative");
        }
        let population_year = checker.optional("population_year", self.population_year);
        if population_year.is_some_and(|year| !(1000..=9999).contains(&year)) {
            checker.error("population_year", "must be a year between 1000 and 9999");
        }
        let parent_region_id = checker.optional("parent_region_id", self.parent_region_id);
        check_hierarchy(conn, checker, id, country_code.as_ref().map(CountryCode::as_str), parent_region_id)?;
        if let (Some(code), Some(country)) = (&subdivision_code, &country_code) {
            if code.country_prefix() != country.as_str() {
                checker.error("subdivision_code", format!("must start with the country code {country} and a hyphen"));
            } else if rust_iso3166::iso3166_2::from_code(code.as_str()).is_none()
                && stored_subdivision(conn, id)?.as_deref() != Some(code.as_str())
            {
                // Checked when given or changed: a region stored before the check keeps its
                // code through edits of its other fields.
                checker.error(
                    "subdivision_code",
                    format!("{} is not an ISO 3166-2 subdivision of {country}", code.as_str()),
                );
            }
        }
        Ok((|| {
            Some(RegionValues {
                key: key?,
                name: name?,
                local_name,
                kind: kind?,
                country_code: country_code?.into_inner(),
                subdivision_code: subdivision_code.map(SubdivisionCode::into_inner),
                capital,
                area_km2,
                population,
                population_year,
                parent_region_id,
            })
        })())
    }
}

crate::filters! {
    /// Filters of the region list.
    pub struct RegionFilter {
        /// Regions of this country.
        country_code: Option<CountryCode>,
        /// Regions of this kind.
        kind: Option<AnyOf<RegionKind>>,
        /// The region with this ISO 3166-2 code.
        subdivision_code: Option<String>,
        /// The regions directly within this one.
        parent_region_id: Option<i64>,
        /// This region and every region within it, at any depth.
        within_region_id: Option<i64>,
    }
}

crate::sortable!(SORTABLE, sort_regions, regions::BoxedQuery<'static, Backend>, regions::id, {
    "id" => regions::id,
    "key" => regions::key,
    "name" => regions::name,
    "kind" => regions::kind,
    "country_code" => regions::country_code,
    "subdivision_code" => regions::subdivision_code,
    "area_km2" => regions::area_km2,
    "population" => regions::population,
    "created_at" => regions::created_at,
    "updated_at" => regions::updated_at,
});

crate::listed!(regions, search: name, local_name, capital);

fn filtered(list: &ListParams, filter: &RegionFilter) -> regions::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(country) = &filter.country_code {
        query = query.filter(regions::country_code.eq(country.as_str().to_owned()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(kind.condition(regions::kind));
    }
    if let Some(code) = &filter.subdivision_code {
        query = query.filter(regions::subdivision_code.eq(code.clone()));
    }
    if let Some(parent) = filter.parent_region_id {
        query = query.filter(regions::parent_region_id.eq(parent));
    }
    if let Some(region) = filter.within_region_id {
        query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "regions.id IN ({})",
            within_region(region)
        )));
    }
    query
}

/// A subquery of the ids of region `region` and of every region within it, at any depth.
/// (`UNION` keeps distinct ids, so the walk ends even on data that loops.)
pub fn within_region(region: i64) -> String {
    format!(
        "WITH RECURSIVE within_region(id) AS (SELECT CAST({region} AS BIGINT) \
         UNION SELECT r.id FROM regions r JOIN within_region w ON r.parent_region_id = w.id) \
         SELECT id FROM within_region"
    )
}

/// A region's place in the hierarchy: its parent exists, is in the same country, and is
/// neither the region itself nor one within it; a region whose country changes has no
/// sub-region left in the old one. `country` is `None` when it is itself invalid.
fn check_hierarchy(
    conn: &mut DbConnection,
    checker: &mut Checker,
    id: Option<i64>,
    country: Option<&str>,
    parent: Option<i64>,
) -> QueryResult<()> {
    if let Some(parent) = parent {
        let parent_country: Option<String> =
            regions::table.find(parent).select(regions::country_code).first(conn).optional()?;
        match parent_country {
            None => checker.error("parent_region_id", format!("no region has id {parent}")),
            Some(parent_country) if country.is_some_and(|country| parent_country != country) => checker.error(
                "parent_region_id",
                format!(
                    "the parent region is in {parent_country}, not in the region's country {}",
                    country.unwrap_or_default()
                ),
            ),
            Some(_) if Some(parent) == id => checker.error("parent_region_id", "a region does not lie within itself"),
            Some(_) => {
                if let Some(id) = id
                    && crate::db::count_sql(
                        conn,
                        &format!("SELECT COUNT(*) AS count FROM ({}) w WHERE w.id = {parent}", within_region(id)),
                    )? > 0
                {
                    checker.error(
                        "parent_region_id",
                        format!("region {parent} lies within this region: the hierarchy would loop"),
                    );
                }
            }
        }
    }
    if let (Some(id), Some(country)) = (id, country) {
        let elsewhere: i64 = regions::table
            .filter(regions::parent_region_id.eq(id).and(regions::country_code.ne(country)))
            .count()
            .get_result(conn)?;
        if elsewhere > 0 {
            checker.error(
                "country_code",
                format!("{elsewhere} region(s) within this one are in another country: move them first"),
            );
        }
    }
    Ok(())
}

pub(super) fn page(conn: &mut DbConnection, list: &ListParams, filter: &RegionFilter) -> Result<(i64, Vec<Region>)> {
    Ok(crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?)
}

/// The subdivision code region `id` has now, if any.
fn stored_subdivision(conn: &mut DbConnection, id: Option<i64>) -> QueryResult<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    Ok(regions::table.find(id).select(regions::subdivision_code).first::<Option<String>>(conn).optional()?.flatten())
}
