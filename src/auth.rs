//! Who is calling: bearer tokens, their roles, and the extractors that handlers declare to
//! say who may call them.
//!
//! A token is 32 random bytes from the operating system, shown once. Only its SHA-256 is
//! stored, and a presented token is found by its hash: no comparison ever runs over stored
//! secret material, and a revoked token stops working with the next request.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::api_tokens;
use crate::db::{self, DbConnection};
use crate::domain::Role;
use crate::error::{ApiError, Result};
use crate::http::AppState;

/// The caller behind a valid token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: i64,
    /// The token's name: the actor of the audit trail.
    pub name: String,
    pub role: Role,
}

/// A new token: `jalin_` and 64 hex digits.
pub fn generate_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(format!("jalin_{}", hex(&bytes)))
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The caller a token names, if it is valid and not revoked.
pub fn caller_for(conn: &mut DbConnection, token: &str) -> Result<Option<Caller>> {
    let row: Option<(i64, String, Role)> = db::first_on_backend(
        conn,
        api_tokens::table
            .filter(api_tokens::token_hash.eq(hash_token(token)).and(api_tokens::revoked_at.is_null()))
            .select((api_tokens::id, api_tokens::name, api_tokens::role))
            .limit(1),
    )?;
    Ok(row.map(|(token_id, name, role)| Caller { token_id, name, role }))
}

/// Whether the token `token_id` is still valid (not revoked): asked again while a long
/// response streams, so that a token revoked meanwhile ends it.
pub fn is_live(conn: &mut DbConnection, token_id: i64) -> Result<bool> {
    let live: i64 = api_tokens::table
        .filter(api_tokens::id.eq(token_id).and(api_tokens::revoked_at.is_null()))
        .count()
        .get_result(conn)?;
    Ok(live > 0)
}

/// Stores a new token and returns its id; the caller shows `token` once and audits it.
pub fn register(conn: &mut DbConnection, name: &str, role: Role, token: &str) -> Result<i64> {
    Ok(diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(name),
            api_tokens::role.eq(role),
            api_tokens::token_hash.eq(hash_token(token)),
            api_tokens::created_at.eq(crate::domain::now()),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?)
}

/// The bearer token of a request: `None` without an `Authorization` header, an error when
/// the header is not `Bearer <token>`.
fn bearer(request: &HttpRequest) -> Result<Option<String>> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty() && token.len() <= 200);
    match token {
        Some(token) => Ok(Some(token.to_owned())),
        None => Err(ApiError::Unauthorized {
            detail: "the Authorization header must be `Bearer <token>`".into(),
            token_given: true,
        }),
    }
}

/// Checks a request's token against `minimum` (`None`: no token needed, but one that is given
/// must be valid).
async fn authorize(request: HttpRequest, minimum: Option<Role>) -> Result<Option<Caller>> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state is missing".into()))?
        .clone();
    let caller = match bearer(&request)? {
        Some(token) => {
            let caller = db::run(&state.pool, move |conn| caller_for(conn, &token)).await?;
            let caller = caller.ok_or_else(|| ApiError::Unauthorized {
                detail: "the token is unknown or revoked".into(),
                token_given: true,
            })?;
            // A streamed response asks again between its parts: a token revoked meanwhile ends it.
            let token_id = caller.token_id;
            request.extensions_mut().insert(crate::http::streaming::StillAllowed(std::sync::Arc::new(
                move |conn: &mut DbConnection| match is_live(conn, token_id)? {
                    true => Ok(()),
                    false => Err(ApiError::Unauthorized {
                        detail: "the token was revoked while the response was sent".to_owned(),
                        token_given: true,
                    }),
                },
            )));
            Some(caller)
        }
        None => None,
    };
    match (minimum, caller) {
        (None, caller) => Ok(caller),
        (Some(minimum), None) => Err(ApiError::Unauthorized {
            detail: format!("this operation needs a token with the {minimum} role or higher"),
            token_given: false,
        }),
        (Some(minimum), Some(caller)) if caller.role < minimum => Err(ApiError::Forbidden(format!(
            "this operation needs the {minimum} role or higher; the token has the {} role",
            caller.role
        ))),
        (Some(_), caller) => Ok(caller),
    }
}

type Extracted<T> = Pin<Box<dyn Future<Output = Result<T>>>>;

/// A caller who may read: anyone while reads are public, else a viewer or higher.
#[derive(Debug)]
pub struct Reader(pub Option<Caller>);

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let public = request.app_data::<web::Data<AppState>>().is_none_or(|s| s.settings.public_read);
            Ok(Reader(authorize(request, (!public).then_some(Role::Viewer)).await?))
        })
    }
}

/// A caller who may write data: an editor or an admin.
#[derive(Debug)]
pub struct Editor(pub Caller);

impl FromRequest for Editor {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { required(request, Role::Editor).await.map(Editor) })
    }
}

/// A caller who may manage tokens and read the audit trail.
#[derive(Debug)]
pub struct Admin(pub Caller);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Extracted<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { required(request, Role::Admin).await.map(Admin) })
    }
}

async fn required(request: HttpRequest, role: Role) -> Result<Caller> {
    authorize(request, Some(role))
        .await?
        .ok_or_else(|| ApiError::Internal("authorization passed without a caller".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 6 + 64);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
