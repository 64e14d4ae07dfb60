//! Regions: the subnational governments (provinces, states, cities...) that are parties to
//! agreements and to which agencies belong.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::auth::{Editor, Reader};
use crate::db::schema::{agencies, regions};
use crate::db::{Backend, DbConnection};
use crate::domain::{CountryCode, Key, RegionKind, SubdivisionCode, rfc3339};
use crate::error::Result;
use crate::http::AppState;
use crate::import::Target;
use crate::input::{Checker, Field, Mode, NAME_MAX};
use crate::listing::{ListParams, Page, QueryParams, lower, lower_nullable};
use crate::resource::{self, Listed, Resource};
use crate::sortable;

/// A subnational government.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "MA-09", "name": "Souss-Massa", "local_name": null, "kind": "region",
    "country_code": "MA", "subdivision_code": "MA-09", "capital": "Agadir", "area_km2": 51642.0,
    "population": 2676847, "population_year": 2014, "version": 1,
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
    #[schema(value_type = RegionKind)]
    pub kind: String,
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
    /// 1 when created, one more on every change.
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// The writable fields of a region. On `PATCH` every field is optional (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "ID-JB", "name": "West Java", "local_name": "Jawa Barat", "kind": "province",
    "country_code": "ID", "subdivision_code": "ID-JB", "capital": "Bandung"
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
    /// ISO 3166-2 code; unique; starts with `country_code` and a hyphen.
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
}

/// A validated region, as stored.
#[derive(Debug, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = regions, treat_none_as_null = true)]
pub struct RegionValues {
    key: String,
    name: String,
    local_name: Option<String>,
    kind: String,
    country_code: String,
    subdivision_code: Option<String>,
    capital: Option<String>,
    area_km2: Option<f64>,
    population: Option<i64>,
    population_year: Option<i32>,
}

impl RegionInput {
    fn validate(self, mode: Mode, checker: &mut Checker) -> Option<RegionValues> {
        let key = checker.key(self.key, mode);
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
        if let (Some(code), Some(country)) = (&subdivision_code, &country_code)
            && code.country_prefix() != country.as_str()
        {
            checker.error(
                "subdivision_code",
                format!("must start with the country code {country} and a hyphen"),
            );
        }
        Some(RegionValues {
            key: key?,
            name: name?,
            local_name,
            kind: kind?.as_str().to_owned(),
            country_code: country_code?.into_inner(),
            subdivision_code: subdivision_code.map(SubdivisionCode::into_inner),
            capital,
            area_km2,
            population,
            population_year,
        })
    }
}

/// Filters of the region list.
#[derive(Debug, Default)]
pub struct RegionFilter {
    country_code: Option<CountryCode>,
    kind: Option<RegionKind>,
    subdivision_code: Option<String>,
}

/// Documentation of the region list's own filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct RegionFilterDoc {
    /// Regions of this country.
    #[param(value_type = Option<CountryCode>)]
    country_code: Option<String>,
    /// Regions of this kind.
    kind: Option<RegionKind>,
    /// The region with this ISO 3166-2 code.
    subdivision_code: Option<String>,
}

sortable!(SORTABLE, sort_regions, regions::BoxedQuery<'static, Backend>, regions::id, {
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

fn filtered(list: &ListParams, filter: &RegionFilter) -> regions::BoxedQuery<'static, Backend> {
    let mut query = regions::table.into_boxed();
    if let Some(after) = list.after_id {
        query = query.filter(regions::id.gt(after));
    }
    if let Some(ids) = &list.ids {
        query = query.filter(regions::id.eq_any(ids.clone()));
    }
    if let Some(key) = &list.key {
        query = query.filter(regions::key.eq(key.clone()));
    }
    if let Some(country) = &filter.country_code {
        query = query.filter(regions::country_code.eq(country.as_str().to_owned()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(regions::kind.eq(kind.as_str()));
    }
    if let Some(code) = &filter.subdivision_code {
        query = query.filter(regions::subdivision_code.eq(code.clone()));
    }
    if let Some(pattern) = &list.search_pattern {
        query = query.filter(
            lower(regions::name)
                .like(pattern.clone())
                .escape('\\')
                .nullable()
                .or(lower_nullable(regions::local_name).like(pattern.clone()).escape('\\'))
                .or(lower_nullable(regions::capital).like(pattern.clone()).escape('\\')),
        );
    }
    query
}

/// Regions as a resource: `regions` in documents.
pub struct Regions;

impl Resource for Regions {
    const NAME: &'static str = "region";
    const PATH: &'static str = "/api/v1/regions";
    const LIST: &'static str = "regions";
    const TARGET: Target = Target::Region;
    type Record = Region;
    type Input = RegionInput;
    type Values = RegionValues;

    fn id(record: &Region) -> i64 {
        record.id
    }

    fn version(record: &Region) -> i32 {
        record.version
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Region>> {
        Ok(regions::table.find(id).first(conn).optional()?)
    }

    fn validate(
        input: RegionInput,
        mode: Mode,
        checker: &mut Checker,
        _: &mut DbConnection,
        _: Option<i64>,
    ) -> Result<Option<RegionValues>> {
        Ok(input.validate(mode, checker))
    }

    fn insert(conn: &mut DbConnection, values: RegionValues) -> Result<Region> {
        let now = crate::domain::now();
        Ok(diesel::insert_into(regions::table)
            .values((&values, regions::created_at.eq(now), regions::updated_at.eq(now)))
            .returning(regions::all_columns)
            .get_result(conn)?)
    }

    fn update(conn: &mut DbConnection, id: i64, values: RegionValues) -> Result<Region> {
        Ok(diesel::update(regions::table.find(id))
            .set((
                &values,
                regions::updated_at.eq(crate::domain::now()),
                regions::version.eq(regions::version + 1),
            ))
            .returning(regions::all_columns)
            .get_result(conn)?)
    }

    fn referrers(conn: &mut DbConnection, id: i64) -> Result<Vec<(&'static str, i64)>> {
        let agencies = agencies::table.filter(agencies::region_id.eq(id)).count().get_result(conn)?;
        let agreements = crate::links::agreement_parties::count_owners(conn, id)?;
        Ok(vec![("agencies", agencies), ("agreements", agreements)])
    }

    fn delete(conn: &mut DbConnection, id: i64) -> Result<()> {
        diesel::delete(regions::table.find(id)).execute(conn)?;
        Ok(())
    }
}

impl Listed for Regions {
    type Filter = RegionFilter;
    const SORTABLE: &'static [&'static str] = SORTABLE;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "name",
        "local_name",
        "kind",
        "country_code",
        "subdivision_code",
        "capital",
        "area_km2",
        "population",
        "population_year",
        "version",
        "created_at",
        "updated_at",
    ];

    fn take_filter(params: &mut QueryParams) -> RegionFilter {
        RegionFilter {
            country_code: params.take("country_code"),
            kind: params.take("kind"),
            subdivision_code: params.take("subdivision_code"),
        }
    }

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &RegionFilter) -> Result<(i64, Vec<Region>)> {
        let total = filtered(list, filter).count().get_result(conn)?;
        let items = sort_regions(filtered(list, filter), &list.sort)
            .limit(list.limit)
            .offset(list.offset)
            .load(conn)?;
        Ok((total, items))
    }
}

/// Lists regions.
///
/// Sortable fields: `id`, `key`, `name`, `kind`, `country_code`, `subdivision_code`,
/// `area_km2`, `population`, `created_at`, `updated_at`. `q` searches `name`, `local_name` and
/// `capital`.
#[utoipa::path(
    tag = "regions",
    operation_id = "list_regions",
    params(crate::listing::ListQueryDoc, RegionFilterDoc),
    responses((status = 200, description = "A page of regions", body = Page<Region>))
)]
#[get("/regions")]
pub async fn list_regions(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    resource::list::<Regions>(&state, &request, None).await
}

/// Reads one region.
#[utoipa::path(
    tag = "regions",
    operation_id = "get_region",
    params(("id" = i64, Path, description = "The region's id")),
    responses((status = 200, description = "The region", body = Region))
)]
#[get("/regions/{id}")]
pub async fn get_region(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::read::<Regions>(&state, &request, id.into_inner()).await
}

/// Creates a region.
#[utoipa::path(
    tag = "regions",
    operation_id = "create_region",
    request_body = RegionInput,
    responses((status = 201, description = "The new region", body = Region,
        headers(("Location" = String, description = "The new region's path"))))
)]
#[post("/regions")]
pub async fn create_region(
    editor: Editor,
    state: web::Data<AppState>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::create_one::<Regions>(&state, editor.0, body.into_inner()).await
}

/// Changes a region (JSON merge patch: absent fields stay, `null` clears an optional field).
#[utoipa::path(
    tag = "regions",
    operation_id = "update_region",
    params(("id" = i64, Path, description = "The region's id")),
    request_body = RegionInput,
    responses((status = 200, description = "The updated region", body = Region))
)]
#[patch("/regions/{id}")]
pub async fn update_region(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::update_one::<Regions>(&state, editor.0, &request, id.into_inner(), body.into_inner()).await
}

/// Deletes a region that nothing refers to.
#[utoipa::path(
    tag = "regions",
    operation_id = "delete_region",
    params(("id" = i64, Path, description = "The region's id")),
    responses((status = 204, description = "The region is deleted"))
)]
#[delete("/regions/{id}")]
pub async fn delete_region(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::delete_one::<Regions>(&state, editor.0, &request, id.into_inner()).await
}

/// The region's history: every write to it, newest first (deleted ones included).
#[utoipa::path(
    tag = "regions",
    operation_id = "region_history",
    params(("id" = i64, Path, description = "The region's id"), crate::listing::PagingDoc),
    responses((status = 200, description = "A page of the region's audit events", body = Page<AuditEvent>))
)]
#[get("/regions/{id}/history")]
pub async fn region_history(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::history::<Regions>(&state, &request, id.into_inner()).await
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(list_regions)
        .service(create_region)
        .service(get_region)
        .service(update_region)
        .service(delete_region)
        .service(region_history);
}
