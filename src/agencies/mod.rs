//! Agencies: the government bodies (a province's offices, a ministry) that carry out action
//! plans. A regional office belongs to a region of its own country; a national body to none.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::auth::{Editor, Reader};
use crate::db::schema::{agencies, regions};
use crate::db::{Backend, DbConnection};
use crate::domain::{CountryCode, Key, rfc3339};
use crate::error::Result;
use crate::http::AppState;
use crate::import::{Reference, Target};
use crate::input::{Checker, Field, Mode, NAME_MAX};
use crate::listing::{ListParams, Page, QueryParams, lower, lower_nullable};
use crate::resource::{self, Listed, Resource};
use crate::sortable;

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
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// The writable fields of an agency. On `PATCH` every field is optional (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "disdik", "name": "Dinas Pendidikan", "english_name": "Education Office",
    "acronym": "Disdik", "country_code": "ID", "region_id": 1
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
#[derive(Debug, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = agencies, treat_none_as_null = true)]
pub struct AgencyValues {
    key: String,
    name: String,
    english_name: Option<String>,
    acronym: Option<String>,
    country_code: String,
    region_id: Option<i64>,
}

impl AgencyInput {
    /// Checks the fields, and that the region exists and is in the agency's country.
    fn validate(
        self,
        mode: Mode,
        checker: &mut Checker,
        conn: &mut DbConnection,
    ) -> Result<Option<AgencyValues>> {
        let key = checker.key(self.key, mode);
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

/// Filters of the agency list.
#[derive(Debug, Default)]
pub struct AgencyFilter {
    region_id: Option<i64>,
    country_code: Option<CountryCode>,
}

/// Documentation of the agency list's own filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct AgencyFilterDoc {
    /// Agencies of this region.
    region_id: Option<i64>,
    /// Agencies of this country.
    #[param(value_type = Option<CountryCode>)]
    country_code: Option<String>,
}

sortable!(SORTABLE, sort_agencies, agencies::BoxedQuery<'static, Backend>, agencies::id, {
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

fn filtered(list: &ListParams, filter: &AgencyFilter) -> agencies::BoxedQuery<'static, Backend> {
    let mut query = agencies::table.into_boxed();
    if let Some(after) = list.after_id {
        query = query.filter(agencies::id.gt(after));
    }
    if let Some(ids) = &list.ids {
        query = query.filter(agencies::id.eq_any(ids.clone()));
    }
    if let Some(key) = &list.key {
        query = query.filter(agencies::key.eq(key.clone()));
    }
    if let Some(region_id) = filter.region_id {
        query = query.filter(agencies::region_id.eq(region_id));
    }
    if let Some(country) = &filter.country_code {
        query = query.filter(agencies::country_code.eq(country.as_str().to_owned()));
    }
    if let Some(pattern) = &list.search_pattern {
        query = query.filter(
            lower(agencies::name)
                .like(pattern.clone())
                .escape('\\')
                .nullable()
                .or(lower_nullable(agencies::english_name).like(pattern.clone()).escape('\\'))
                .or(lower_nullable(agencies::acronym).like(pattern.clone()).escape('\\')),
        );
    }
    query
}

/// Agencies as a resource: `agencies` in documents, where `region` names the region's key.
pub struct Agencies;

impl Resource for Agencies {
    const NAME: &'static str = "agency";
    const PATH: &'static str = "/api/v1/agencies";
    const LIST: &'static str = "agencies";
    const TARGET: Target = Target::Agency;
    const REFERENCES: &'static [Reference] = &[Reference::one("region", "region_id", Target::Region)];
    type Record = Agency;
    type Input = AgencyInput;
    type Values = AgencyValues;

    fn id(record: &Agency) -> i64 {
        record.id
    }

    fn version(record: &Agency) -> i32 {
        record.version
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Agency>> {
        Ok(agencies::table.find(id).first(conn).optional()?)
    }

    fn validate(
        input: AgencyInput,
        mode: Mode,
        checker: &mut Checker,
        conn: &mut DbConnection,
        _: Option<i64>,
    ) -> Result<Option<AgencyValues>> {
        input.validate(mode, checker, conn)
    }

    fn insert(conn: &mut DbConnection, values: AgencyValues) -> Result<Agency> {
        let now = crate::domain::now();
        Ok(diesel::insert_into(agencies::table)
            .values((&values, agencies::created_at.eq(now), agencies::updated_at.eq(now)))
            .returning(agencies::all_columns)
            .get_result(conn)?)
    }

    fn update(conn: &mut DbConnection, id: i64, values: AgencyValues) -> Result<Agency> {
        Ok(diesel::update(agencies::table.find(id))
            .set((
                &values,
                agencies::updated_at.eq(crate::domain::now()),
                agencies::version.eq(agencies::version + 1),
            ))
            .returning(agencies::all_columns)
            .get_result(conn)?)
    }

    fn referrers(conn: &mut DbConnection, id: i64) -> Result<Vec<(&'static str, i64)>> {
        Ok(vec![("action plans", crate::links::action_plan_agencies::count_owners(conn, id)?)])
    }

    fn delete(conn: &mut DbConnection, id: i64) -> Result<()> {
        diesel::delete(agencies::table.find(id)).execute(conn)?;
        Ok(())
    }
}

impl Listed for Agencies {
    type Filter = AgencyFilter;
    const SORTABLE: &'static [&'static str] = SORTABLE;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "name",
        "english_name",
        "acronym",
        "country_code",
        "region_id",
        "version",
        "created_at",
        "updated_at",
    ];

    fn take_filter(params: &mut QueryParams) -> AgencyFilter {
        AgencyFilter { region_id: params.take("region_id"), country_code: params.take("country_code") }
    }

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &AgencyFilter) -> Result<(i64, Vec<Agency>)> {
        let total = filtered(list, filter).count().get_result(conn)?;
        let items = sort_agencies(filtered(list, filter), &list.sort)
            .limit(list.limit)
            .offset(list.offset)
            .load(conn)?;
        Ok((total, items))
    }
}

/// Lists agencies.
///
/// Sortable fields: `id`, `key`, `name`, `english_name`, `acronym`, `country_code`,
/// `region_id`, `created_at`, `updated_at`. `q` searches `name`, `english_name` and `acronym`.
#[utoipa::path(
    tag = "agencies",
    operation_id = "list_agencies",
    params(crate::listing::ListQueryDoc, AgencyFilterDoc),
    responses((status = 200, description = "A page of agencies", body = Page<Agency>))
)]
#[get("/agencies")]
pub async fn list_agencies(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    resource::list::<Agencies>(&state, &request, None).await
}

/// Reads one agency.
#[utoipa::path(
    tag = "agencies",
    operation_id = "get_agency",
    params(("id" = i64, Path, description = "The agency's id")),
    responses((status = 200, description = "The agency", body = Agency))
)]
#[get("/agencies/{id}")]
pub async fn get_agency(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::read::<Agencies>(&state, &request, id.into_inner()).await
}

/// Creates an agency.
#[utoipa::path(
    tag = "agencies",
    operation_id = "create_agency",
    request_body = AgencyInput,
    responses((status = 201, description = "The new agency", body = Agency,
        headers(("Location" = String, description = "The new agency's path"))))
)]
#[post("/agencies")]
pub async fn create_agency(
    editor: Editor,
    state: web::Data<AppState>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::create_one::<Agencies>(&state, editor.0, body.into_inner()).await
}

/// Changes an agency (JSON merge patch: absent fields stay, `null` clears an optional field).
#[utoipa::path(
    tag = "agencies",
    operation_id = "update_agency",
    params(("id" = i64, Path, description = "The agency's id")),
    request_body = AgencyInput,
    responses((status = 200, description = "The updated agency", body = Agency))
)]
#[patch("/agencies/{id}")]
pub async fn update_agency(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::update_one::<Agencies>(&state, editor.0, &request, id.into_inner(), body.into_inner()).await
}

/// Deletes an agency that nothing refers to.
#[utoipa::path(
    tag = "agencies",
    operation_id = "delete_agency",
    params(("id" = i64, Path, description = "The agency's id")),
    responses((status = 204, description = "The agency is deleted"))
)]
#[delete("/agencies/{id}")]
pub async fn delete_agency(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::delete_one::<Agencies>(&state, editor.0, &request, id.into_inner()).await
}

/// The agency's history: every write to it, newest first (deleted ones included).
#[utoipa::path(
    tag = "agencies",
    operation_id = "agency_history",
    params(("id" = i64, Path, description = "The agency's id"), crate::listing::PagingDoc),
    responses((status = 200, description = "A page of the agency's audit events", body = Page<AuditEvent>))
)]
#[get("/agencies/{id}/history")]
pub async fn agency_history(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::history::<Agencies>(&state, &request, id.into_inner()).await
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(list_agencies)
        .service(create_agency)
        .service(get_agency)
        .service(update_agency)
        .service(delete_agency)
        .service(agency_history);
}
