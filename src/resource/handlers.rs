//! The HTTP side of every resource: one record with its `ETag` (and `304`), creation with
//! `Location`, merge patches and deletion honouring `If-Match`, histories, and lists as JSON
//! pages or streamed CSV. Each is an ordinary generic handler (`create::<ActionPlans>` handles
//! `POST /api/v1/action-plans`), mounted with its OpenAPI operation by [`routes`](super::routes).

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Listed, Nested, Resource, store};
use crate::audit;
use crate::auth::{Editor, Reader};
use crate::db::{self, DbConnection};
use crate::error::Result;
use crate::http::{AppState, JsonBody};
use crate::input::require_object;
use crate::listing::ListSource;
use crate::listing::{FromQuery, ListParams, QueryParams};
use crate::pages;

/// `ETag` of a version.
fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// `GET /things/{id}`, with `ETag`; `304` when `If-None-Match` names the current version.
pub async fn read<R: Resource>(
    reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    super::may_read::<R>(&reader)?;
    let id = id.into_inner();
    // A malformed If-None-Match only costs the client its cache hit: ignore it.
    let unchanged_if = crate::http::precondition(&request, header::IF_NONE_MATCH).ok().flatten();
    let shown = super::reads::find::<R>(&state.reads, &state.pool, id).await?;
    if unchanged_if.is_some_and(|tags| tags.matches_weakly(shown.version)) {
        return Ok(HttpResponse::NotModified().insert_header(etag(shown.version)).finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header(etag(shown.version))
        .content_type(ContentType::json())
        .body(shown.body))
}

/// `POST /things`: `201` with `Location` and `ETag`.
pub async fn create<R: Resource>(
    editor: Editor,
    state: web::Data<AppState>,
    body: JsonBody,
) -> Result<HttpResponse> {
    // Read after the role is checked: a viewer's body is never decoded.
    let (caller, body) = (editor.0, body.read().await?);
    let record = state.writer.run(move |conn| store::create::<R>(conn, body.clone(), &caller.name)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("{}/{}", R::KIND.path, R::id(&record))))
        .insert_header(etag(R::version(&record)))
        .json(record))
}

/// `PATCH /things/{id}`, honouring `If-Match`.
pub async fn update<R: Resource>(
    editor: Editor,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: JsonBody,
) -> Result<HttpResponse> {
    let (caller, id, body) = (editor.0, id.into_inner(), body.read().await?);
    let expected = crate::http::precondition(&request, header::IF_MATCH)?;
    let changes = require_object(body)?;
    let record = state
        .writer
        .run(move |conn| store::patch::<R>(conn, id, changes.clone(), expected.as_ref(), &caller.name))
        .await?;
    Ok(HttpResponse::Ok().insert_header(etag(R::version(&record))).json(record))
}

/// `DELETE /things/{id}`: `204`, honouring `If-Match`.
pub async fn delete<R: Resource>(
    editor: Editor,
    state: web::Data<AppState>,
    // The registry's references, given by whoever mounted the routes (`app::build`).
    references: web::Data<super::AllReferences>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    let (caller, id) = (editor.0, id.into_inner());
    let expected = crate::http::precondition(&request, header::IF_MATCH)?;
    state
        .writer
        .run(move |conn| store::remove::<R>(conn, id, expected.as_ref(), &references, &caller.name))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /things/{id}/history`: the record's audit events, newest first.
pub async fn history<R: Resource>(
    reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    super::may_read::<R>(&reader)?;
    audit::history(&state, &request, R::KIND.resource_type, id.into_inner(), |conn, id| {
        Ok(R::find(conn, id)?.is_some())
    })
    .await
}

/// `GET /things`: a JSON page, or CSV (`format=csv` or `Accept: text/csv`).
pub async fn list<R: Listed>(
    reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    whole_list::<R>(&reader, &state, &request, Form::Negotiated).await
}

/// `GET /things.csv`: the list as CSV.
pub async fn list_csv<R: Listed>(
    reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    whole_list::<R>(&reader, &state, &request, Form::Csv).await
}

/// The whole list of `R` in `form`, for a caller who may read it.
async fn whole_list<R: Listed>(
    reader: &Reader,
    state: &AppState,
    request: &HttpRequest,
    form: Form,
) -> Result<HttpResponse> {
    super::may_read::<R>(reader)?;
    let (list, filter, wanted) = read_list_query::<R>(request, form)?;
    pages::respond::<R>(state, request, list, filter, wanted, true).await
}

/// `GET /parents/{id}/things`: the list of one parent's records (`404` when that parent does
/// not exist), with the same parameters as the whole list.
pub async fn list_within<R: Nested<P>, P: Resource>(
    reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    parent: web::Path<i64>,
) -> Result<HttpResponse> {
    within::<R, P>(&reader, &state, &request, parent.into_inner(), Form::Negotiated).await
}

/// `GET /parents/{id}/things.csv`: the list of one parent's records as CSV.
pub async fn list_within_csv<R: Nested<P>, P: Resource>(
    reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
    parent: web::Path<i64>,
) -> Result<HttpResponse> {
    within::<R, P>(&reader, &state, &request, parent.into_inner(), Form::Csv).await
}

async fn within<R: Nested<P>, P: Resource>(
    reader: &Reader,
    state: &AppState,
    request: &HttpRequest,
    parent: i64,
    form: Form,
) -> Result<HttpResponse> {
    super::may_read::<R>(reader)?;
    let (list, mut filter, wanted) = read_list_query::<R>(request, form)?;
    db::run(&state.pool, move |conn| {
        if !P::KIND.exists(conn, parent)? {
            return Err(P::KIND.not_found(parent));
        }
        Ok(())
    })
    .await?;
    let matches_any = R::within(&mut filter, parent);
    pages::respond::<R>(state, request, list, filter, wanted, matches_any).await
}

/// Which form a list answers in.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// JSON, or CSV when `format` or `Accept` asks for it.
    Negotiated,
    /// CSV (a `.csv` path): `format` is not a parameter there.
    Csv,
}

/// Paging, the resource's filters and the wanted form, or a `400` naming every bad parameter.
fn read_list_query<R: Listed>(
    request: &HttpRequest,
    form: Form,
) -> Result<(ListParams, R::Filter, pages::Wanted)> {
    let mut params = QueryParams::parse(request.query_string())?;
    let mut list = ListParams::take(&mut params, R::SORTABLE);
    if list.sort.is_empty() {
        list.sort = R::DEFAULT_SORT.to_vec();
    }
    let filter = R::Filter::from_query(&mut params);
    let wanted = match form {
        Form::Negotiated => pages::Wanted::take(&mut params, request),
        Form::Csv => pages::Wanted::csv(&mut params),
    };
    params.finish()?;
    Ok((list, filter, wanted))
}

/// Every list of a resource is a CSV source, batched along its ids.
impl<R: Listed> ListSource for R {
    type Record = R::Record;
    type Filter = R::Filter;
    const FILE: &'static str = R::KIND.table;
    const COLUMNS: &'static [&'static str] = <R as Listed>::COLUMNS;
    const KEYSET: bool = true;

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &R::Filter) -> Result<(i64, Vec<R::Record>)> {
        <R as Listed>::page(conn, list, filter)
    }

    fn id(record: &R::Record) -> i64 {
        <R as Resource>::id(record)
    }
}
