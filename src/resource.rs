//! What every resource does the same way: read, create, change (JSON merge patch), delete and
//! list, over HTTP and for imports; versions and their ETags; the audit trail of each write. A resource module says only what is its own (its fields,
//! rules, queries and links) by implementing [`Resource`] and [`Listed`]; its handlers are
//! one-line calls of the functions here, annotated for the OpenAPI document.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::audit;
use crate::auth::Caller;
use crate::csv;
use crate::db::{self, DbConnection};
use crate::domain::AuditAction;
use crate::error::{ApiError, Result};
use crate::http::{AppState, Precondition};
use crate::import::{Reference, Target};
use crate::input::{Checker, Mode, field_names, parse_new, parse_patch, record_fields, require_object};
use crate::listing::{ListParams, Page, QueryParams};

pub trait Resource: 'static {
    /// The singular name in messages (`action plan`).
    const NAME: &'static str;
    /// The collection's path (`/api/v1/action-plans`).
    const PATH: &'static str;
    /// The list's name in documents (`action_plans`).
    const LIST: &'static str;
    /// Which kind of record a document's `key` names.
    const TARGET: Target;
    /// Fields that refer to other records: by key in documents, by id in the API.
    const REFERENCES: &'static [Reference] = &[];

    /// The record as the API shows it.
    type Record: Serialize + Send + 'static;
    /// The writable fields as a client sends them.
    type Input: DeserializeOwned;
    /// Validated values, ready to store; equal values mean an unchanged record.
    type Values: PartialEq;

    fn id(record: &Self::Record) -> i64;
    /// 1 when created, one more on every change: the record's ETag.
    fn version(record: &Self::Record) -> i32;
    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Self::Record>>;
    /// Checks every field and rule (those that query the database too); `id` is the record's
    /// own on update.
    fn validate(
        input: Self::Input,
        mode: Mode,
        checker: &mut Checker,
        conn: &mut DbConnection,
        id: Option<i64>,
    ) -> Result<Option<Self::Values>>;
    /// The record's writable fields as the input names them: what a merge patch applies to.
    fn input_fields(record: &Self::Record) -> Result<Value> {
        record_fields(record)
    }
    fn insert(conn: &mut DbConnection, values: Self::Values) -> Result<Self::Record>;
    fn update(conn: &mut DbConnection, id: i64, values: Self::Values) -> Result<Self::Record>;
    /// What still refers to the record, and how many of each: it is not deleted while any do.
    fn referrers(_conn: &mut DbConnection, _id: i64) -> Result<Vec<(&'static str, i64)>> {
        Ok(Vec::new())
    }
    /// Deletes the record (its owned link rows go with it).
    fn delete(conn: &mut DbConnection, id: i64) -> Result<()>;
}

/// A resource with a list: its filters and the query for one page.
pub trait Listed: Resource {
    type Filter: Send + 'static;
    /// The fields `sort` may name.
    const SORTABLE: &'static [&'static str];
    /// The columns of the CSV form, in order: fields of the record as JSON.
    const COLUMNS: &'static [&'static str];

    fn take_filter(params: &mut QueryParams) -> Self::Filter;
    /// The number of all matches and the records of the page, links embedded.
    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &Self::Filter,
    ) -> Result<(i64, Vec<Self::Record>)>;
    /// Restricts the filter to one agreement's records; `false` when it already asks for
    /// another agreement's (an empty page).
    fn within_agreement(_filter: &mut Self::Filter, _agreement: i64) -> bool {
        false
    }
}

/// The record, or a `404`.
pub fn find<R: Resource>(conn: &mut DbConnection, id: i64) -> Result<R::Record> {
    R::find(conn, id)?.ok_or_else(|| ApiError::NotFound(format!("no {} has id {id}", R::NAME)))
}

/// The writable fields of a record, links as id lists: what the audit trail follows and what
/// an export writes.
pub fn writable_fields<R: Resource>(record: &R::Record) -> Result<Map<String, Value>> {
    let known = field_names::<R::Input>();
    let mut fields = match R::input_fields(record)? {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    fields.retain(|name, _| known.contains(&name.as_str()));
    Ok(fields)
}

/// Inserts a validated record and its `created` event; the caller holds the transaction.
pub fn insert<R: Resource>(conn: &mut DbConnection, values: R::Values, actor: &str) -> Result<R::Record> {
    let record = R::insert(conn, values)?;
    let changes = audit::diff(None, Some(&writable_fields::<R>(&record)?));
    audit::append(conn, actor, AuditAction::Created, R::TARGET.resource_type(), R::id(&record), changes)?;
    Ok(record)
}

/// Stores new values of `current` and an `updated` event, unless nothing changes (then no
/// write, no new version, no event); says whether it changed. The caller holds the
/// transaction.
pub fn update<R: Resource>(
    conn: &mut DbConnection,
    current: R::Record,
    values: R::Values,
    actor: &str,
) -> Result<(R::Record, bool)> {
    let id = R::id(&current);
    if current_values::<R>(conn, &current)?.as_ref() == Some(&values) {
        return Ok((current, false));
    }
    let record = R::update(conn, id, values)?;
    let changes = audit::diff(Some(&writable_fields::<R>(&current)?), Some(&writable_fields::<R>(&record)?));
    audit::append(conn, actor, AuditAction::Updated, R::TARGET.resource_type(), id, changes)?;
    Ok((record, true))
}

/// Validates a create body and inserts the record; the caller holds the transaction.
pub fn create<R: Resource>(conn: &mut DbConnection, body: Value, actor: &str) -> Result<R::Record> {
    let values =
        parse_new(body, |input: R::Input, mode, checker| R::validate(input, mode, checker, conn, None))?;
    insert::<R>(conn, values, actor)
}

/// Applies a merge patch to the record if `expected` allows, and stores the result; the
/// caller holds the transaction.
pub fn patch<R: Resource>(
    conn: &mut DbConnection,
    id: i64,
    patch: Map<String, Value>,
    expected: Option<&Precondition>,
    actor: &str,
) -> Result<R::Record> {
    let current = locked::<R>(conn, id)?;
    let values = parse_patch(&R::input_fields(&current)?, patch, |input: R::Input, mode, checker| {
        R::validate(input, mode, checker, conn, Some(id))
    })?;
    // After validation, so that a bad body is a 422 whatever If-Match says; either way
    // nothing is written.
    check_precondition::<R>(&current, expected)?;
    Ok(update::<R>(conn, current, values, actor)?.0)
}

/// Deletes a record that nothing refers to (`409` naming what does) if `expected` allows; the
/// caller holds the transaction.
pub fn remove<R: Resource>(
    conn: &mut DbConnection,
    id: i64,
    expected: Option<&Precondition>,
    actor: &str,
) -> Result<()> {
    let current = locked::<R>(conn, id)?;
    check_precondition::<R>(&current, expected)?;
    ApiError::ensure_unreferenced(R::NAME, &R::referrers(conn, id)?)?;
    R::delete(conn, id)?;
    let changes = audit::diff(Some(&writable_fields::<R>(&current)?), None);
    audit::append(conn, actor, AuditAction::Deleted, R::TARGET.resource_type(), id, changes)
}

/// The record, locked against concurrent writers until the transaction ends: checking its
/// version and writing are then one atomic step.
fn locked<R: Resource>(conn: &mut DbConnection, id: i64) -> Result<R::Record> {
    db::lock_row(conn, R::LIST, id)?;
    find::<R>(conn, id)
}

/// `412` unless `expected` (If-Match) names the record's current version.
fn check_precondition<R: Resource>(current: &R::Record, expected: Option<&Precondition>) -> Result<()> {
    match expected {
        Some(expected) if !expected.matches(R::version(current)) => Err(ApiError::PreconditionFailed(
            format!("the {} has changed: its ETag is now \"{}\"", R::NAME, R::version(current)),
        )),
        _ => Ok(()),
    }
}

/// The values a stored record validates to, for comparing with new ones.
pub fn current_values<R: Resource>(conn: &mut DbConnection, record: &R::Record) -> Result<Option<R::Values>> {
    let fields = R::input_fields(record)?;
    let mut checker = Checker::default();
    let input: R::Input = crate::input::read_body(fields, &mut checker)?;
    R::validate(input, Mode::Update, &mut checker, conn, Some(R::id(record)))
}

/// `ETag` of a version.
fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// `GET /things/{id}`, with `ETag`; `304` when `If-None-Match` names the current version.
pub async fn read<R: Resource>(state: &AppState, request: &HttpRequest, id: i64) -> Result<HttpResponse> {
    // A malformed If-None-Match only costs the client its cache hit: ignore it.
    let unchanged_if = Precondition::from_header(request, header::IF_NONE_MATCH).ok().flatten();
    let record = db::run(&state.pool, move |conn| find::<R>(conn, id)).await?;
    let version = R::version(&record);
    if unchanged_if.is_some_and(|tags| tags.matches_weakly(version)) {
        return Ok(HttpResponse::NotModified().insert_header(etag(version)).finish());
    }
    Ok(HttpResponse::Ok().insert_header(etag(version)).json(record))
}

/// `POST /things`: `201` with `Location` and `ETag`.
pub async fn create_one<R: Resource>(state: &AppState, caller: Caller, body: Value) -> Result<HttpResponse> {
    let record = db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| create::<R>(conn, body.clone(), &caller.name))
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("{}/{}", R::PATH, R::id(&record))))
        .insert_header(etag(R::version(&record)))
        .json(record))
}

/// `PATCH /things/{id}`, honouring `If-Match`.
pub async fn update_one<R: Resource>(
    state: &AppState,
    caller: Caller,
    request: &HttpRequest,
    id: i64,
    body: Value,
) -> Result<HttpResponse> {
    let expected = Precondition::from_header(request, header::IF_MATCH)?;
    let changes = require_object(body)?;
    let record = db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            patch::<R>(conn, id, changes.clone(), expected.as_ref(), &caller.name)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(R::version(&record))).json(record))
}

/// `DELETE /things/{id}`: `204`, honouring `If-Match`.
pub async fn delete_one<R: Resource>(
    state: &AppState,
    caller: Caller,
    request: &HttpRequest,
    id: i64,
) -> Result<HttpResponse> {
    let expected = Precondition::from_header(request, header::IF_MATCH)?;
    db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| remove::<R>(conn, id, expected.as_ref(), &caller.name))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /things/{id}/history`: the record's audit events, newest first.
pub async fn history<R: Resource>(state: &AppState, request: &HttpRequest, id: i64) -> Result<HttpResponse> {
    audit::history(state, request, R::TARGET.resource_type(), id, |conn, id| Ok(R::find(conn, id)?.is_some()))
        .await
}
/// `GET /things`, or with `agreement` the nested `GET /agreements/{id}/things` (`404` when
/// that agreement does not exist). JSON pages, or CSV (`format=csv` or `Accept: text/csv`).
pub async fn list<R: Listed>(
    state: &AppState,
    request: &HttpRequest,
    agreement: Option<i64>,
) -> Result<HttpResponse> {
    let mut params = QueryParams::parse(request.query_string())?;
    let list = ListParams::take(&mut params, R::SORTABLE);
    let mut filter = R::take_filter(&mut params);
    let wanted = csv::Wanted::take(&mut params, request);
    params.finish()?;
    let matches_any = match agreement {
        Some(agreement) => {
            let (matches_any, scoped) = db::run(&state.pool, move |conn| {
                crate::agreements::ensure_exists(conn, agreement)?;
                Ok((R::within_agreement(&mut filter, agreement), filter))
            })
            .await?;
            filter = scoped;
            matches_any
        }
        None => true,
    };
    if wanted.csv {
        return csv::stream::<R>(state, request, list, filter, matches_any, wanted.bom).await;
    }
    let page = db::run(&state.pool, move |conn| {
        if !matches_any {
            return Ok(Page::new(&list, 0, Vec::new()));
        }
        let (total, items) = R::page(conn, &list, &filter)?;
        Ok(Page::new(&list, total, items))
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
