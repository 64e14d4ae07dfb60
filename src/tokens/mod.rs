//! API tokens: created by an admin (or `jalin token create`), shown once, listed without
//! secrets, revoked at once.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::{self, Admin};
use crate::csv::{CsvSource, Wanted};
use crate::db::schema::api_tokens;
use crate::db::{self, Backend, DbConnection};
use crate::domain::{Role, rfc3339};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::input::{Checker, Field, NAME_MAX, read_body};
use crate::listing::{ListParams, Page, QueryParams};
use crate::sortable;

/// A token, without its secret.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    /// Who or what uses the token: the actor named in the audit trail.
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    /// When it was revoked; `null` while it works.
    #[serde(serialize_with = "crate::domain::rfc3339_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<NaiveDateTime>,
}

/// A new token with its secret, shown only in the answer that creates it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    /// The secret: send it as `Authorization: Bearer <token>`. It cannot be shown again.
    #[schema(example = "jalin_3f1c…")]
    pub token: String,
}

/// What a new token is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "bureau-editor", "role": "editor"}))]
pub struct TokenInput {
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    name: Field<String>,
    #[schema(value_type = Role)]
    role: Field<Role>,
}

/// Creates a token and returns it with its secret; the caller holds no transaction.
pub fn create(conn: &mut DbConnection, name: &str, role: Role) -> Result<NewToken> {
    let token = auth::generate_token()?;
    let id = auth::register(conn, name, role, &token)?;
    let info: TokenInfo = api_tokens::table
        .find(id)
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::role,
            api_tokens::created_at,
            api_tokens::revoked_at,
        ))
        .first(conn)?;
    Ok(NewToken { id, name: info.name, role: info.role, created_at: info.created_at, token })
}

/// Creates a token (admin only). The answer is the only time its secret is shown.
#[utoipa::path(
    tag = "access",
    operation_id = "create_token",
    request_body = TokenInput,
    responses((status = 201, description = "The new token, with its secret", body = NewToken)),
    security(("bearer" = []))
)]
#[post("/tokens")]
pub async fn create_token(
    _admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse> {
    let mut checker = Checker::default();
    let input: TokenInput = read_body(body.into_inner(), &mut checker)?;
    let name = checker.required_text("name", input.name, NAME_MAX);
    let role = checker.required("role", input.role);
    checker.finish()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(ApiError::Internal("validation passed without values".into()));
    };
    let token = db::run(&state.pool, move |conn| create(conn, &name, role)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/tokens/{}", token.id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(token))
}

sortable!(SORTABLE, sort_tokens, api_tokens::BoxedQuery<'static, Backend>, api_tokens::id, {
    "id" => api_tokens::id,
    "name" => api_tokens::name,
    "role" => api_tokens::role,
    "created_at" => api_tokens::created_at,
});

/// Lists tokens, without their secrets (admin only).
#[utoipa::path(
    tag = "access",
    operation_id = "list_tokens",
    params(crate::listing::PagingDoc),
    responses((status = 200, description = "A page of tokens", body = Page<TokenInfo>)),
    security(("bearer" = []))
)]
#[get("/tokens")]
pub async fn list_tokens(
    _admin: Admin,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    let mut params = QueryParams::parse(request.query_string())?;
    let list = ListParams::take_paging(&mut params, SORTABLE);
    let wanted = Wanted::take(&mut params, &request);
    params.finish()?;
    if wanted.csv {
        return Ok(crate::csv::stream::<Tokens>(&state, list, (), true, wanted.bom));
    }
    let page = db::run(&state.pool, move |conn| {
        let (total, items) = Tokens::page(conn, &list, &())?;
        Ok(Page::new(&list, total, items))
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Tokens as a CSV source (no secrets, no hashes).
pub struct Tokens;

impl CsvSource for Tokens {
    type Record = TokenInfo;
    type Filter = ();
    const FILE: &'static str = "tokens";
    const COLUMNS: &'static [&'static str] = &["id", "name", "role", "created_at", "revoked_at"];
    const KEYSET: bool = false;

    fn page(conn: &mut DbConnection, list: &ListParams, _: &()) -> Result<(i64, Vec<TokenInfo>)> {
        let total = api_tokens::table.count().get_result(conn)?;
        let items = sort_tokens(api_tokens::table.into_boxed(), &list.sort)
            .select((
                api_tokens::id,
                api_tokens::name,
                api_tokens::role,
                api_tokens::created_at,
                api_tokens::revoked_at,
            ))
            .limit(list.limit)
            .offset(list.offset)
            .load(conn)?;
        Ok((total, items))
    }

    fn id(record: &TokenInfo) -> i64 {
        record.id
    }
}

/// Revokes a token (admin only): it stops working with the next request.
#[utoipa::path(
    tag = "access",
    operation_id = "revoke_token",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "The token is revoked")),
    security(("bearer" = []))
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        let revoked = diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
            .set(api_tokens::revoked_at.eq(crate::domain::now()))
            .execute(conn)?;
        let exists: i64 = api_tokens::table.find(id).count().get_result(conn)?;
        if revoked == 0 && exists == 0 { Err(ApiError::not_found("token", id)) } else { Ok(()) }
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(create_token).service(list_tokens).service(revoke_token);
}
