//! Middleware of every response: merged slashes, request ids (and the log line of each server
//! error), `HEAD`, security headers, CORS, and which bodies are worth compressing.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::HttpMessage;
use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::uri::{PathAndQuery, Uri};
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use crate::error::ApiError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's extensions, for log lines written
/// away from the middleware (a stream that fails after its first bytes).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A path with `//` is served as the path with each run of slashes made one
/// (`/api/v1//regions` is `/api/v1/regions`). Only such paths pay for the rewriting (actix's
/// `NormalizePath` runs a regular expression over every path).
pub async fn merge_slashes(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if request.path().contains("//")
        && let Some(uri) = merged_slashes(request.uri())
    {
        request.match_info_mut().get_mut().update(&uri);
        request.head_mut().uri = uri;
    }
    next.call(request).await
}

/// `uri` with each run of slashes in its path made one, its query as it was.
fn merged_slashes(uri: &Uri) -> Option<Uri> {
    let mut merged = String::with_capacity(uri.path().len() + uri.query().map_or(0, |q| q.len() + 1));
    for part in uri.path().split('/').filter(|part| !part.is_empty()) {
        merged.push('/');
        merged.push_str(part);
    }
    if merged.is_empty() || uri.path().ends_with('/') {
        merged.push('/');
    }
    if let Some(query) = uri.query() {
        merged.push('?');
        merged.push_str(query);
    }
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::from_maybe_shared(Bytes::from(merged)).ok()?);
    Uri::from_parts(parts).ok()
}

/// The request's id: the client's `X-Request-Id` when it is a sensible token (so that a
/// client can follow its request through our logs), else a new UUID. The response carries
/// it, and the access log line and the log line of a server error name it.
///
/// `HEAD` is answered as the `GET` of the same path without its body (uptime checks use it):
/// the length stays what the `GET` would send.
pub async fn request_id(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let given = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| (1..=200).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned);
    let id = given.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    let is_head = request.method() == Method::HEAD;
    if is_head {
        request.head_mut().method = Method::GET;
    }
    let described =
        format!("{} {}", if is_head { "HEAD" } else { request.method().as_str() }, request.path());
    let mut response = next.call(request).await?;
    if response.status().is_server_error() {
        log_server_error(&response, &described, &id);
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response.map_body(|_, body| {
        if is_head { EitherBody::right(NoBody(body.size())) } else { EitherBody::left(body) }
    }))
}

/// A server error's cause, with the request's id, method and path.
fn log_server_error<B>(response: &ServiceResponse<B>, described: &str, id: &str) {
    let cause = response.response().error();
    match cause.and_then(|error| error.as_error::<ApiError>()) {
        Some(ApiError::Unavailable(cause)) => {
            log::warn!("{described} answered 503 (request {id}): {cause}")
        }
        Some(error) => log::error!("{described} failed (request {id}): {error:?}"),
        None => match cause {
            Some(error) => log::error!("{described} failed (request {id}): {error:?}"),
            None => log::error!("{described} answered {} (request {id})", response.status()),
        },
    }
}

/// The body of a `HEAD` answer: nothing, declared as long as the `GET` body would be.
struct NoBody(BodySize);

impl MessageBody for NoBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

/// Request headers the API reads, and those browsers and their libraries commonly add, which
/// a preflight may ask for.
pub const CORS_REQUEST_HEADERS: &[&str] = &[
    "accept",
    "accept-language",
    "authorization",
    "cache-control",
    "content-type",
    "if-match",
    "if-none-match",
    "traceparent",
    "tracestate",
    "x-request-id",
    "x-requested-with",
];

/// CORS for the configured origins (read by `config::parse_origins`); with none, browsers on
/// other origins are refused. A refused preflight is a problem (see
/// `fallback::problem_for_framework_errors`).
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let cors = origins.iter().fold(actix_cors::Cors::default(), |cors, origin| cors.allowed_origin(origin));
    cors.allowed_methods(["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers(CORS_REQUEST_HEADERS.iter().copied())
        .expose_headers([header::ETAG, header::LOCATION, header::CONTENT_DISPOSITION, REQUEST_ID])
        .max_age(3600)
}

/// Smallest body worth compressing: below it, the encoding costs more than the bytes it saves.
pub const COMPRESS_FROM: u64 = 1024;

/// actix's `Compress` encodes every body a client accepts encoded; it leaves alone one that
/// already names its encoding. Inside it, this marks a body smaller than [`COMPRESS_FROM`] as
/// `identity`; outside it, [`unmark_small_bodies`] takes the mark off again.
pub async fn mark_small_bodies(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(request).await?;
    if let BodySize::Sized(size) = response.response().body().size()
        && size < COMPRESS_FROM
        && !response.headers().contains_key(header::CONTENT_ENCODING)
    {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(SMALL_BODY_MARK));
    }
    Ok(response)
}

/// Takes off the mark [`mark_small_bodies`] put on small bodies: they go out as they are.
pub async fn unmark_small_bodies(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(request).await?;
    if response.headers().get(header::CONTENT_ENCODING).is_some_and(|value| value == SMALL_BODY_MARK) {
        response.headers_mut().remove(header::CONTENT_ENCODING);
    }
    Ok(response)
}

/// The mark of a small body: `identity`, which `Compress` takes as already encoded.
const SMALL_BODY_MARK: &str = "identity";

#[cfg(test)]
mod tests {
    use std::sync::{Mutex, OnceLock};

    use actix_web::{App, HttpResponse, web};

    use super::*;

    #[test]
    fn runs_of_slashes_become_one_and_the_query_stays() {
        let merged = |uri: &str| merged_slashes(&uri.parse().unwrap()).unwrap().to_string();
        assert_eq!(merged("//api///v1//regions"), "/api/v1/regions");
        assert_eq!(merged("/api//v1/regions//?q=a//b&limit=2"), "/api/v1/regions/?q=a//b&limit=2");
        assert_eq!(merged("//"), "/");
    }

    /// Every log line of the test process.
    static LINES: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, record: &log::Record) {
            if let Some(lines) = LINES.get() {
                lines.lock().unwrap().push(format!("{} {}", record.level(), record.args()));
            }
        }
        fn flush(&self) {}
    }

    #[actix_web::test]
    async fn the_log_line_of_a_server_error_names_the_request() {
        LINES.get_or_init(|| Mutex::new(Vec::new()));
        log::set_logger(&Capture).expect("the only logger of the unit tests");
        log::set_max_level(log::LevelFilter::Info);
        let app =
            actix_web::test::init_service(App::new().wrap(actix_web::middleware::from_fn(request_id)).route(
                "/broken",
                web::get().to(|| async {
                    Err::<HttpResponse, _>(ApiError::Internal("the cause, for operators only".into()))
                }),
            ))
            .await;
        let request = actix_web::test::TestRequest::get()
            .uri("/broken")
            .insert_header((REQUEST_ID, "req-42"))
            .to_request();
        let response = actix_web::test::call_service(&app, request).await;
        assert_eq!(response.status(), 500);
        assert_eq!(response.headers().get(REQUEST_ID).unwrap(), "req-42");
        let lines = LINES.get().unwrap().lock().unwrap();
        let line = lines.iter().find(|line| line.contains("GET /broken")).expect("a log line");
        assert!(line.starts_with("ERROR") && line.contains("req-42") && line.contains("the cause"), "{line}");
    }
}
