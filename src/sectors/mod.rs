//! Sectors: the fields of cooperation (trade and investment, tourism, education...) that
//! agreements and action plans are classified by.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::auth::{Editor, Reader};
use crate::db::schema::sectors;
use crate::db::{Backend, DbConnection};
use crate::domain::{Key, Slug, rfc3339};
use crate::error::Result;
use crate::http::AppState;
use crate::import::Target;
use crate::input::{Checker, Field, Mode, NAME_MAX, TEXT_MAX};
use crate::listing::{ListParams, Page, QueryParams, lower, lower_nullable};
use crate::resource::{self, Listed, Resource};
use crate::sortable;

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
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// The writable fields of a sector. On `PATCH` every field is optional (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "trade-investment", "name": "Trade and Investment", "local_name": "Perdagangan dan Investasi"
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
#[derive(Debug, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = sectors, treat_none_as_null = true)]
pub struct SectorValues {
    key: String,
    code: String,
    name: String,
    local_name: Option<String>,
    description: Option<String>,
}

impl SectorInput {
    fn validate(self, mode: Mode, checker: &mut Checker) -> Option<SectorValues> {
        let key = checker.key(self.key, mode);
        let code = checker.required("code", self.code);
        let name = checker.required_text("name", self.name, NAME_MAX);
        let local_name = checker.optional_text("local_name", self.local_name, NAME_MAX);
        let description = checker.optional_text("description", self.description, TEXT_MAX);
        Some(SectorValues { key: key?, code: code?.into_inner(), name: name?, local_name, description })
    }
}

/// Documentation of the sector list's own filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct SectorFilterDoc {
    /// The sector with this code.
    code: Option<String>,
}

sortable!(SORTABLE, sort_sectors, sectors::BoxedQuery<'static, Backend>, sectors::id, {
    "id" => sectors::id,
    "key" => sectors::key,
    "code" => sectors::code,
    "name" => sectors::name,
    "created_at" => sectors::created_at,
    "updated_at" => sectors::updated_at,
});

fn filtered(list: &ListParams, code: &Option<String>) -> sectors::BoxedQuery<'static, Backend> {
    let mut query = sectors::table.into_boxed();
    if let Some(after) = list.after_id {
        query = query.filter(sectors::id.gt(after));
    }
    if let Some(ids) = &list.ids {
        query = query.filter(sectors::id.eq_any(ids.clone()));
    }
    if let Some(key) = &list.key {
        query = query.filter(sectors::key.eq(key.clone()));
    }
    if let Some(code) = code {
        query = query.filter(sectors::code.eq(code.clone()));
    }
    if let Some(pattern) = &list.search_pattern {
        query = query.filter(
            lower(sectors::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(sectors::code).like(pattern.clone()).escape('\\'))
                .nullable()
                .or(lower_nullable(sectors::local_name).like(pattern.clone()).escape('\\'))
                .or(lower_nullable(sectors::description).like(pattern.clone()).escape('\\')),
        );
    }
    query
}

/// Sectors as a resource: `sectors` in documents.
pub struct Sectors;

impl Resource for Sectors {
    const NAME: &'static str = "sector";
    const PATH: &'static str = "/api/v1/sectors";
    const LIST: &'static str = "sectors";
    const TARGET: Target = Target::Sector;
    type Record = Sector;
    type Input = SectorInput;
    type Values = SectorValues;

    fn id(record: &Sector) -> i64 {
        record.id
    }

    fn version(record: &Sector) -> i32 {
        record.version
    }

    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Sector>> {
        Ok(sectors::table.find(id).first(conn).optional()?)
    }

    fn validate(
        input: SectorInput,
        mode: Mode,
        checker: &mut Checker,
        _: &mut DbConnection,
        _: Option<i64>,
    ) -> Result<Option<SectorValues>> {
        Ok(input.validate(mode, checker))
    }

    fn insert(conn: &mut DbConnection, values: SectorValues) -> Result<Sector> {
        let now = crate::domain::now();
        Ok(diesel::insert_into(sectors::table)
            .values((&values, sectors::created_at.eq(now), sectors::updated_at.eq(now)))
            .returning(sectors::all_columns)
            .get_result(conn)?)
    }

    fn update(conn: &mut DbConnection, id: i64, values: SectorValues) -> Result<Sector> {
        Ok(diesel::update(sectors::table.find(id))
            .set((
                &values,
                sectors::updated_at.eq(crate::domain::now()),
                sectors::version.eq(sectors::version + 1),
            ))
            .returning(sectors::all_columns)
            .get_result(conn)?)
    }

    fn referrers(conn: &mut DbConnection, id: i64) -> Result<Vec<(&'static str, i64)>> {
        let agreements = crate::links::agreement_sectors::count_owners(conn, id)?;
        let action_plans = crate::links::action_plan_sectors::count_owners(conn, id)?;
        Ok(vec![("agreements", agreements), ("action plans", action_plans)])
    }

    fn delete(conn: &mut DbConnection, id: i64) -> Result<()> {
        diesel::delete(sectors::table.find(id)).execute(conn)?;
        Ok(())
    }
}

impl Listed for Sectors {
    /// The `code` filter.
    type Filter = Option<String>;
    const SORTABLE: &'static [&'static str] = SORTABLE;
    const COLUMNS: &'static [&'static str] =
        &["id", "key", "code", "name", "local_name", "description", "version", "created_at", "updated_at"];

    fn take_filter(params: &mut QueryParams) -> Option<String> {
        params.take("code")
    }

    fn page(conn: &mut DbConnection, list: &ListParams, code: &Option<String>) -> Result<(i64, Vec<Sector>)> {
        let total = filtered(list, code).count().get_result(conn)?;
        let items = sort_sectors(filtered(list, code), &list.sort)
            .limit(list.limit)
            .offset(list.offset)
            .load(conn)?;
        Ok((total, items))
    }
}

/// Lists sectors.
///
/// Sortable fields: `id`, `key`, `code`, `name`, `created_at`, `updated_at`. `q` searches
/// `code`, `name`, `local_name` and `description`.
#[utoipa::path(
    tag = "sectors",
    operation_id = "list_sectors",
    params(crate::listing::ListQueryDoc, SectorFilterDoc),
    responses((status = 200, description = "A page of sectors", body = Page<Sector>))
)]
#[get("/sectors")]
pub async fn list_sectors(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    resource::list::<Sectors>(&state, &request, None).await
}

/// Reads one sector.
#[utoipa::path(
    tag = "sectors",
    operation_id = "get_sector",
    params(("id" = i64, Path, description = "The sector's id")),
    responses((status = 200, description = "The sector", body = Sector))
)]
#[get("/sectors/{id}")]
pub async fn get_sector(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::read::<Sectors>(&state, &request, id.into_inner()).await
}

/// Creates a sector.
#[utoipa::path(
    tag = "sectors",
    operation_id = "create_sector",
    request_body = SectorInput,
    responses((status = 201, description = "The new sector", body = Sector,
        headers(("Location" = String, description = "The new sector's path"))))
)]
#[post("/sectors")]
pub async fn create_sector(
    editor: Editor,
    state: web::Data<AppState>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::create_one::<Sectors>(&state, editor.0, body.into_inner()).await
}

/// Changes a sector (JSON merge patch: absent fields stay, `null` clears an optional field).
#[utoipa::path(
    tag = "sectors",
    operation_id = "update_sector",
    params(("id" = i64, Path, description = "The sector's id")),
    request_body = SectorInput,
    responses((status = 200, description = "The updated sector", body = Sector))
)]
#[patch("/sectors/{id}")]
pub async fn update_sector(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: crate::body::JsonBody,
) -> Result<HttpResponse> {
    resource::update_one::<Sectors>(&state, editor.0, &request, id.into_inner(), body.into_inner()).await
}

/// Deletes a sector that nothing refers to.
#[utoipa::path(
    tag = "sectors",
    operation_id = "delete_sector",
    params(("id" = i64, Path, description = "The sector's id")),
    responses((status = 204, description = "The sector is deleted"))
)]
#[delete("/sectors/{id}")]
pub async fn delete_sector(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::delete_one::<Sectors>(&state, editor.0, &request, id.into_inner()).await
}

/// The sector's history: every write to it, newest first (deleted ones included).
#[utoipa::path(
    tag = "sectors",
    operation_id = "sector_history",
    params(("id" = i64, Path, description = "The sector's id"), crate::listing::PagingDoc),
    responses((status = 200, description = "A page of the sector's audit events", body = Page<AuditEvent>))
)]
#[get("/sectors/{id}/history")]
pub async fn sector_history(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    resource::history::<Sectors>(&state, &request, id.into_inner()).await
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config
        .service(list_sectors)
        .service(create_sector)
        .service(get_sector)
        .service(update_sector)
        .service(delete_sector)
        .service(sector_history);
}
