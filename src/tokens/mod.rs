//! API tokens: created by an admin (or `jalin token create`), shown once, listed without
//! secrets, revoked at once.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit;
use crate::auth::{self, Admin};
use crate::db::schema::api_tokens;
use crate::db::{self, Backend, DbConnection};
use crate::domain::{AuditAction, Role, Timestamp};
use crate::error::{ApiError, Result};
use crate::http::AppState;
use crate::input::{Checker, Field, NAME_MAX, read_body};
use crate::listing::ListSource;
use crate::listing::{ListParams, Page};
use crate::sortable;

/// A token, without its secret.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    /// Who or what uses the token: the actor named in the audit trail.
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    /// When it was revoked; `null` while it works.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

/// A new token with its secret, shown only in the answer that creates it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
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

/// Names the system writes the audit trail under: no token may take them.
pub const RESERVED_NAMES: &[&str] = &["cli", "demo", "import", "system"];
/// The name of the token registered from `JALIN_ADMIN_TOKEN`.
pub const ENVIRONMENT_TOKEN_NAME: &str = "admin";
/// The audit trail's name for tokens.
pub const RESOURCE_TYPE: &str = "token";

/// A token name as given, trimmed, or every reason it cannot be one.
fn checked_name(checker: &mut Checker, name: Field<String>) -> Option<String> {
    let name = checker.required_text("name", name, NAME_MAX)?;
    if RESERVED_NAMES.contains(&name.as_str()) {
        checker.error(
            "name",
            format!("is reserved for what the system itself writes ({})", RESERVED_NAMES.join(", ")),
        );
        return None;
    }
    Some(name)
}

/// The columns of a token that may be shown: all but its hash.
type Shown =
    (api_tokens::id, api_tokens::name, api_tokens::role, api_tokens::created_at, api_tokens::revoked_at);
const SHOWN: Shown =
    (api_tokens::id, api_tokens::name, api_tokens::role, api_tokens::created_at, api_tokens::revoked_at);

/// The token `id`, without its hash.
pub fn info(conn: &mut DbConnection, id: i64) -> QueryResult<TokenInfo> {
    api_tokens::table.find(id).select(SHOWN).first(conn)
}

/// Every token, revoked ones included, in the order they were created; without their hashes.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<TokenInfo>> {
    api_tokens::table.order(api_tokens::id).select(SHOWN).load(conn)
}

/// Stores a token of `role` named `name` (already checked) and its `created` event; the
/// caller holds the transaction.
fn insert(conn: &mut DbConnection, name: &str, role: Role, token: &str, actor: &str) -> Result<TokenInfo> {
    let id = auth::register(conn, name, role, token)?;
    let changes = serde_json::json!({"name": [null, name], "role": [null, role.as_str()]});
    let changes = changes.as_object().cloned().unwrap_or_default();
    audit::append(conn, actor, AuditAction::Created, RESOURCE_TYPE, id, changes)?;
    Ok(info(conn, id)?)
}

/// Creates a token and returns it with its secret: the name is trimmed, 1 to 300 characters,
/// not reserved and not the name of another live token (`409`). Audited as `actor`.
pub fn create(conn: &mut DbConnection, name: &str, role: Role, actor: &str) -> Result<NewToken> {
    let mut checker = Checker::default();
    let name = checked_name(&mut checker, Field::Value(name.to_owned()));
    checker.finish()?;
    let name = name.ok_or_else(|| ApiError::Internal("validation passed without a name".into()))?;
    let token = auth::generate_token()?;
    let info = db::write_transaction(conn, |conn| insert(conn, &name, role, &token, actor))?;
    Ok(NewToken { id: info.id, name: info.name, role: info.role, created_at: info.created_at, token })
}

/// Revokes a live token and records it; `404` when no token has this id. Revoking a revoked
/// token changes nothing. The caller holds the transaction.
pub fn revoke(conn: &mut DbConnection, id: i64, actor: &str) -> Result<()> {
    let current = info(conn, id).optional()?.ok_or_else(|| ApiError::not_found("token", id))?;
    if current.revoked_at.is_some() {
        return Ok(());
    }
    let now = crate::domain::now();
    diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
    let at = serde_json::to_value(info(conn, id)?)
        .map_err(|e| ApiError::Internal(format!("cannot serialize a token: {e}")))?;
    let changes = serde_json::json!({"revoked_at": [null, at["revoked_at"]]});
    audit::append(
        conn,
        actor,
        AuditAction::Updated,
        RESOURCE_TYPE,
        id,
        changes.as_object().cloned().unwrap_or_default(),
    )
}

/// Registers `JALIN_ADMIN_TOKEN` as the admin token named `admin`, and says what it did.
///
/// - Already registered and live: nothing to do.
/// - Registered and revoked: an error. Someone revoked it on purpose; starting again with it
///   must not quietly bring it back. The operator sets a new secret.
/// - Not registered: a new secret replaces the previous `admin` token (which is revoked), so
///   that changing the variable rotates the token.
///
/// Several processes starting at once with the same secret all succeed: a process that loses
/// the race to insert it runs again and finds it registered.
pub fn register_admin_token(conn: &mut DbConnection, token: &str) -> Result<&'static str> {
    if token.chars().count() < 16 {
        return Err(ApiError::InvalidBody(vec![crate::error::FieldError::new(
            "JALIN_ADMIN_TOKEN",
            "must be at least 16 characters",
        )]));
    }
    db::write_transaction(conn, |conn| {
        let known: Option<(i64, Role, Option<Timestamp>)> = api_tokens::table
            .filter(api_tokens::token_hash.eq(auth::hash_token(token)))
            .select((api_tokens::id, api_tokens::role, api_tokens::revoked_at))
            .first(conn)
            .optional()?;
        match known {
            Some((id, _, Some(revoked_at))) => Err(ApiError::Conflict {
                detail: format!(
                    "this token (id {id}) was revoked at {}; it is not registered again. Set \
                     JALIN_ADMIN_TOKEN to a new secret, or unset it",
                    revoked_at
                ),
                errors: Vec::new(),
            }),
            Some((_, Role::Admin, None)) => Ok("registered as the admin token"),
            Some((id, role, None)) => Err(ApiError::Conflict {
                detail: format!("this secret is already token {id}, with the {role} role, not admin"),
                errors: Vec::new(),
            }),
            None => {
                let previous: Vec<i64> = api_tokens::table
                    .filter(api_tokens::name.eq(ENVIRONMENT_TOKEN_NAME).and(api_tokens::revoked_at.is_null()))
                    .select(api_tokens::id)
                    .load(conn)?;
                for id in &previous {
                    revoke(conn, *id, "system")?;
                }
                insert(conn, ENVIRONMENT_TOKEN_NAME, Role::Admin, token, "system")?;
                Ok(if previous.is_empty() {
                    "registered as the admin token"
                } else {
                    "registered as the admin token, replacing the previous one (revoked)"
                })
            }
        }
    })
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
    admin: Admin,
    state: web::Data<AppState>,
    body: crate::http::JsonBody,
) -> Result<HttpResponse> {
    let mut checker = Checker::default();
    let input: TokenInput = read_body(body.read().await?, &mut checker)?;
    let name = checked_name(&mut checker, input.name);
    let role = checker.required("role", input.role);
    checker.finish()?;
    let (Some(name), Some(role)) = (name, role) else {
        return Err(ApiError::Internal("validation passed without values".into()));
    };
    let actor = admin.0.name;
    let token = db::run_once(&state.pool, move |conn| create(conn, &name, role, &actor)).await?;
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
    params(crate::listing::PagingDoc, crate::listing::SortDoc<Tokens>),
    responses((status = 200, description = "A page of tokens", body = Page<TokenInfo>)),
    security(("bearer" = []))
)]
#[get("/tokens")]
pub async fn list_tokens(
    _admin: Admin,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    let (params, list, wanted) = crate::pages::paging_query(&request, SORTABLE)?;
    params.finish()?;
    crate::pages::respond::<Tokens>(&state, &request, list, (), wanted, true).await
}

/// Tokens as a CSV source (no secrets, no hashes).
pub struct Tokens;

impl crate::listing::SortableList for Tokens {
    const SORTABLE: &'static [&'static str] = SORTABLE;
}

impl ListSource for Tokens {
    type Record = TokenInfo;
    type Filter = ();
    const FILE: &'static str = "tokens";
    const COLUMNS: &'static [&'static str] = &["id", "name", "role", "created_at", "revoked_at"];
    const KEYSET: bool = false;

    fn page(conn: &mut DbConnection, list: &ListParams, _: &()) -> Result<(i64, Vec<TokenInfo>)> {
        let total = api_tokens::table.count().get_result(conn)?;
        let items = sort_tokens(api_tokens::table.into_boxed(), &list.sort)
            .select(SHOWN)
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
    admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = id.into_inner();
    let actor = admin.0.name;
    state.writer.run(move |conn| revoke(conn, id, &actor)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(config: &mut utoipa_actix_web::service_config::ServiceConfig) {
    config.service(create_token).service(list_tokens).service(revoke_token);
}
