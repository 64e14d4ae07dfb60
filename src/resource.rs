//! What every resource does the same way: read, create, change (JSON merge patch), delete and
//! list, over HTTP and for imports. A resource module says only what is its own (its fields,
//! rules, queries and links) by implementing [`Resource`] and [`Listed`]; its handlers are
//! one-line calls of the functions here, annotated for the OpenAPI document.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::db::{self, DbConnection};
use crate::error::{ApiError, Result};
use crate::http::{AppState, created};
use crate::import::{Reference, Target};
use crate::input::{Checker, Mode, parse_new, parse_patch, record_fields, require_object};
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

/// Validates a create body and inserts the record; the caller holds the transaction.
pub fn create<R: Resource>(conn: &mut DbConnection, body: Value) -> Result<R::Record> {
    let values =
        parse_new(body, |input: R::Input, mode, checker| R::validate(input, mode, checker, conn, None))?;
    R::insert(conn, values)
}

/// Applies a merge patch and stores the result; the caller holds the transaction.
pub fn patch<R: Resource>(conn: &mut DbConnection, id: i64, patch: Map<String, Value>) -> Result<R::Record> {
    let current = R::input_fields(&find::<R>(conn, id)?)?;
    let values = parse_patch(&current, patch, |input: R::Input, mode, checker| {
        R::validate(input, mode, checker, conn, Some(id))
    })?;
    R::update(conn, id, values)
}

/// Deletes a record that nothing refers to (`409` naming what does); the caller holds the
/// transaction.
pub fn remove<R: Resource>(conn: &mut DbConnection, id: i64) -> Result<()> {
    find::<R>(conn, id)?;
    ApiError::ensure_unreferenced(R::NAME, &R::referrers(conn, id)?)?;
    R::delete(conn, id)
}

/// The values a stored record validates to, for comparing with new ones.
pub fn current_values<R: Resource>(conn: &mut DbConnection, id: i64) -> Result<Option<R::Values>> {
    let fields = R::input_fields(&find::<R>(conn, id)?)?;
    let mut checker = Checker::default();
    let input: R::Input = crate::input::read_body(fields, &mut checker)?;
    R::validate(input, Mode::Update, &mut checker, conn, Some(id))
}

/// `GET /things/{id}`.
pub async fn read<R: Resource>(state: &AppState, id: i64) -> Result<web::Json<R::Record>> {
    Ok(web::Json(db::run(&state.pool, move |conn| find::<R>(conn, id)).await?))
}

/// `POST /things`: `201` with `Location`.
pub async fn create_one<R: Resource>(state: &AppState, body: Value) -> Result<HttpResponse> {
    let record =
        db::run(&state.pool, move |conn| db::write_transaction(conn, |conn| create::<R>(conn, body))).await?;
    Ok(created(format!("{}/{}", R::PATH, R::id(&record)), &record))
}

/// `PATCH /things/{id}`.
pub async fn update_one<R: Resource>(state: &AppState, id: i64, body: Value) -> Result<web::Json<R::Record>> {
    let changes = require_object(body)?;
    let record =
        db::run(&state.pool, move |conn| db::write_transaction(conn, |conn| patch::<R>(conn, id, changes)))
            .await?;
    Ok(web::Json(record))
}

/// `DELETE /things/{id}`: `204`.
pub async fn delete_one<R: Resource>(state: &AppState, id: i64) -> Result<HttpResponse> {
    db::run(&state.pool, move |conn| db::write_transaction(conn, |conn| remove::<R>(conn, id))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /things`, or with `agreement` the nested `GET /agreements/{id}/things` (`404` when
/// that agreement does not exist).
pub async fn list<R: Listed>(
    state: &AppState,
    request: &HttpRequest,
    agreement: Option<i64>,
) -> Result<web::Json<Page<R::Record>>> {
    let mut params = QueryParams::parse(request.query_string())?;
    let list = ListParams::take(&mut params, R::SORTABLE);
    let mut filter = R::take_filter(&mut params);
    params.finish()?;
    let page = db::run(&state.pool, move |conn| {
        if let Some(agreement) = agreement {
            crate::agreements::ensure_exists(conn, agreement)?;
            if !R::within_agreement(&mut filter, agreement) {
                return Ok(Page::new(&list, 0, Vec::new()));
            }
        }
        let (total, items) = R::page(conn, &list, &filter)?;
        Ok(Page::new(&list, total, items))
    })
    .await?;
    Ok(web::Json(page))
}
