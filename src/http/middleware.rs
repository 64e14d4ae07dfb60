//! Middleware of every response: the access log, merged slashes, request ids (and the log line
//! of each server error), `HEAD`, security headers, CORS, and which bodies are worth
//! compressing.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::uri::{PathAndQuery, Uri};
use actix_web::http::{Method, Version};
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use crate::error::ApiError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's extensions, for log lines written
/// away from the middleware (a stream that fails after its first bytes).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The target of access lines. actix's own `Logger` wrote them under this name before this
/// middleware did; keeping it keeps the text lines as they were, and operators' `RUST_LOG`
/// filters (`actix_web=warn` silences them) working.
pub const ACCESS_LOG_TARGET: &str = "actix_web::middleware::logger";

/// Writes one access line per request, once its response has been sent (or dropped when the
/// client goes away), in the format actix's `Logger` gave it:
/// `%{x-request-id}o %a "%r" %s %b %Dms`, that is the request id, the client's address, the
/// request line, the status, the bytes of the body sent and the milliseconds taken. The line
/// also carries `request_id`, `method`, `path`, `status` and `duration_ms` as fields, which
/// `JALIN_LOG_FORMAT=json` writes as members of the line's object (`logging::json_line`).
///
/// Outermost: the method is the client's (`HEAD`, before [`request_id`] serves it as `GET`),
/// the path is as the client sent it (before [`merge_slashes`]), the time includes every
/// middleware.
pub async fn access_log(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // With access lines filtered out (`RUST_LOG=warn`), nothing to gather.
    if !log::log_enabled!(target: ACCESS_LOG_TARGET, log::Level::Info) {
        return Ok(next.call(request).await?.map_into_right_body());
    }
    let started = Instant::now();
    let peer = request.peer_addr().map(|address| address.ip().to_string());
    let method = request.method().clone();
    let path = request.path().to_owned();
    let query = redacted(request.query_string()).into_owned();
    let version = request.version();
    let response = next.call(request).await?;
    if let Some(error) = response.response().error() {
        log::debug!(target: ACCESS_LOG_TARGET, "Error in response: {error:?}");
    }
    let line = AccessLine {
        started,
        request_id: response
            .headers()
            .get(&REQUEST_ID)
            .map_or_else(|| "-".to_owned(), |id| String::from_utf8_lossy(id.as_bytes()).into_owned()),
        peer,
        method,
        path,
        query,
        version,
        status: response.status().as_u16(),
    };
    Ok(response.map_body(move |_, body| Logged { body, line, sent: 0 }).map_into_left_body())
}

/// The query as the access line writes it: the value of a parameter whose name says it holds
/// a secret (`access_token`, `token`, `api_key`, `client_secret`, `password`...), and any value
/// that holds a Jalin token whatever its name, replaced by `[redacted]`. A token belongs in
/// the `Authorization` header, which is never logged; a careless client's query would put it
/// in every log that keeps access lines. (`key`, a record's key, is no secret.)
fn redacted(query: &str) -> std::borrow::Cow<'_, str> {
    fn secret_name(name: &str) -> bool {
        let name = percent_encoding::percent_decode_str(name)
            .decode_utf8_lossy()
            .to_ascii_lowercase()
            .replace('-', "_");
        matches!(
            name.as_str(),
            "token"
                | "apikey"
                | "secret"
                | "password"
                | "passwd"
                | "pwd"
                | "auth"
                | "authorization"
                | "signature"
                | "sig"
        ) || ["token", "api_key", "apikey", "secret", "password", "private_key", "secret_key"]
            .iter()
            .any(|ending| name.ends_with(&format!("_{ending}")) || name == *ending)
    }
    fn holds_token(value: &str) -> bool {
        let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
        value.match_indices("jalin_").any(|(at, _)| {
            let rest = &value[at + "jalin_".len()..];
            rest.len() >= 64 && rest.bytes().take(64).all(|byte| byte.is_ascii_hexdigit())
        })
    }
    let hides = |part: &str| {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        !value.is_empty() && (secret_name(name) || holds_token(value))
    };
    if !query.split('&').any(hides) {
        return query.into();
    }
    query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((name, _)) if hides(part) => format!("{name}=[redacted]"),
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
        .into()
}

/// What the access line of a request says, but for what its body sends.
struct AccessLine {
    started: Instant,
    request_id: String,
    peer: Option<String>,
    method: Method,
    path: String,
    query: String,
    version: Version,
    status: u16,
}

impl AccessLine {
    fn write(&self, sent: usize) {
        let elapsed = self.started.elapsed();
        let query_mark = if self.query.is_empty() { "" } else { "?" };
        log::info!(
            target: ACCESS_LOG_TARGET,
            request_id = self.request_id.as_str(),
            method = self.method.as_str(),
            path = self.path.as_str(),
            status = self.status,
            duration_ms = elapsed.as_micros() as f64 / 1_000.0;
            "{} {} \"{} {}{query_mark}{} {:?}\" {} {sent} {:.6}ms",
            self.request_id,
            self.peer.as_deref().unwrap_or("-"),
            self.method,
            self.path,
            self.query,
            self.version,
            self.status,
            elapsed.as_nanos() as f64 / 1_000_000.0,
        );
    }
}

pin_project_lite::pin_project! {
    /// A response body that counts the bytes it sends and writes the access line when it is
    /// dropped: sent whole, or abandoned by a client that went away.
    struct Logged<B> {
        #[pin]
        body: B,
        line: AccessLine,
        sent: usize,
    }

    impl<B> PinnedDrop for Logged<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.line.write(*this.sent);
        }
    }
}

impl<B: MessageBody> MessageBody for Logged<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.project();
        let polled = this.body.poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            *this.sent += chunk.len();
        }
        polled
    }
}

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
        Some(ApiError::Busy(cause)) => log::warn!("{described} answered 503 (request {id}): {cause}"),
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
    fn access_lines_leave_out_the_values_of_secrets_in_queries() {
        let token = format!("jalin_{}", "ab12".repeat(16));
        for (query, written) in [
            ("limit=2&access_token=s3cret", "limit=2&access_token=[redacted]".to_owned()),
            ("token=abc&q=jawa", "token=[redacted]&q=jawa".to_owned()),
            (
                "API_KEY=1&Client-Secret=2&password=3&id_token=4",
                "API_KEY=[redacted]&Client-Secret=[redacted]&password=[redacted]&id_token=[redacted]"
                    .to_owned(),
            ),
            (&format!("q={token}&sort=key"), "q=[redacted]&sort=key".to_owned()),
            (&format!("x=Bearer%20{token}"), "x=[redacted]".to_owned()),
            ("key=ID-JB&keys=a,b&monkey=1&q=token", "key=ID-JB&keys=a,b&monkey=1&q=token".to_owned()),
            ("token=", "token=".to_owned()),
            ("", String::new()),
        ] {
            assert_eq!(redacted(query), written, "{query}");
        }
    }

    #[actix_web::test]
    async fn a_token_in_a_query_never_reaches_the_access_log() {
        capture_log();
        let app = actix_web::test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(request_id))
                .wrap(actix_web::middleware::from_fn(access_log))
                .route("/listed", web::get().to(|| async { HttpResponse::Ok().finish() })),
        )
        .await;
        let secret = format!("jalin_{}", "0f".repeat(32));
        let request = actix_web::test::TestRequest::get()
            .uri(&format!("/listed?access_token={secret}&limit=1"))
            .insert_header((REQUEST_ID, "req-secret-9"))
            .to_request();
        drop(actix_web::test::call_service(&app, request).await);
        let lines = LINES.lock().unwrap();
        let (text, json) =
            lines.iter().find(|(line, _)| line.contains("req-secret-9")).expect("an access line");
        assert!(text.contains("/listed?access_token=[redacted]&limit=1"), "{text}");
        assert!(!text.contains(&secret) && !json.contains(&secret), "{text}\n{json}");
    }

    #[test]
    fn runs_of_slashes_become_one_and_the_query_stays() {
        let merged = |uri: &str| merged_slashes(&uri.parse().unwrap()).unwrap().to_string();
        assert_eq!(merged("//api///v1//regions"), "/api/v1/regions");
        assert_eq!(merged("/api//v1/regions//?q=a//b&limit=2"), "/api/v1/regions/?q=a//b&limit=2");
        assert_eq!(merged("//"), "/");
    }

    /// Every log line of the test process, as text (`LEVEL message`) and as its JSON line.
    static LINES: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, record: &log::Record) {
            let text = format!("{} {}", record.level(), record.args());
            let json = crate::logging::json_line(chrono::Utc::now(), record);
            LINES.lock().unwrap().push((text, json));
        }
        fn flush(&self) {}
    }

    /// Captures the log of the test process; every test that reads it calls this first.
    fn capture_log() {
        static INSTALLED: OnceLock<()> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            log::set_logger(&Capture).expect("the only logger of the unit tests");
            log::set_max_level(log::LevelFilter::Info);
        });
    }

    #[actix_web::test]
    async fn the_log_line_of_a_server_error_names_the_request() {
        capture_log();
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
        let lines = LINES.lock().unwrap();
        let (line, _) = lines.iter().find(|(line, _)| line.contains("GET /broken")).expect("a log line");
        assert!(line.starts_with("ERROR") && line.contains("req-42") && line.contains("the cause"), "{line}");
    }

    #[actix_web::test]
    async fn the_access_line_keeps_its_text_and_carries_the_request_as_fields() {
        capture_log();
        let app = actix_web::test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(request_id))
                .wrap(actix_web::middleware::from_fn(access_log))
                .route("/answered", web::get().to(|| async { HttpResponse::Created().body("twelve bytes") })),
        )
        .await;
        let request = actix_web::test::TestRequest::default()
            .method(Method::HEAD)
            .uri("/answered?q=a%22b")
            .insert_header((REQUEST_ID, "req-access-7"))
            .to_request();
        let response = actix_web::test::call_service(&app, request).await;
        assert_eq!(response.status(), 201);
        // The line is written once the body has been sent, or dropped.
        drop(response);
        let lines = LINES.lock().unwrap();
        let (text, json) =
            lines.iter().find(|(line, _)| line.contains("req-access-7")).expect("an access line");
        let expected = r#"INFO req-access-7 - "HEAD /answered?q=a%22b HTTP/1.1" 201 0 "#;
        assert!(text.starts_with(expected) && text.ends_with("ms"), "{text}");
        let json: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(json["target"], ACCESS_LOG_TARGET);
        assert_eq!(json["request_id"], "req-access-7");
        assert_eq!(json["method"], "HEAD");
        assert_eq!(json["path"], "/answered");
        assert_eq!(json["status"], 201);
        assert!(json["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{json}");
    }
}
