//! HTTP plumbing shared by every resource: application state, body and path extractor
//! settings, success responses, and the answers for unknown paths and methods.

use actix_web::dev::ServiceResponse;
use actix_web::error::PathError;
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::db::Pool;
use crate::error::{ApiError, Result};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// A pool of its own for `/healthz`, so that the health check never waits behind requests.
    pub health_pool: Pool,
    pub settings: Settings,
    /// Responses that may stream at once, each holding a connection (half the pool).
    pub streams: crate::streaming::StreamSlots,
}

/// How the service behaves, beyond where its data is.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether reads need no token (`JALIN_PUBLIC_READ`).
    pub public_read: bool,
    /// Origins browsers may call the API from (`JALIN_CORS_ORIGINS`), checked and normalised.
    pub cors_origins: Vec<String>,
    /// How long a client may take to send a request body (`408` after that).
    pub body_timeout: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self { public_read: true, cors_origins: Vec::new(), body_timeout: crate::body::BODY_TIMEOUT }
    }
}

impl AppState {
    /// The state of a service on `pool`, which connects to `target`.
    pub fn new(pool: Pool, target: &crate::db::DatabaseTarget, settings: Settings) -> Self {
        let health_pool = crate::db::lazy_pool(target, 1, crate::health::TIMEOUT);
        let streams = crate::streaming::StreamSlots::new(pool.max_size() as usize / 2);
        Self { pool, health_pool, settings, streams }
    }
}

/// A path segment that is not a valid id names no record: `404`, as for an unknown id.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_error: PathError, request: &HttpRequest| {
        ApiError::NotFound(format!("nothing is at {}", request.path())).into()
    })
}

/// The entity tags of an `If-Match` or `If-None-Match` header. ETags are the record's version
/// in quotes (`"3"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `*`: any current version.
    Any,
    /// The listed tags, each with whether it is weak (`W/"3"`).
    Tags(Vec<(String, bool)>),
}

impl Precondition {
    /// The header's tags, `None` without the header; a malformed header is a `400`.
    pub fn from_header(request: &HttpRequest, name: header::HeaderName) -> Result<Option<Self>> {
        let values: Vec<&header::HeaderValue> = request.headers().get_all(&name).collect();
        if values.is_empty() {
            return Ok(None);
        }
        let malformed = || ApiError::BadRequest {
            detail: format!("{name} must be * or a list of entity tags such as \"3\""),
            errors: vec![crate::error::FieldError::new(name.as_str(), "is not a list of entity tags")],
        };
        let mut tags = Vec::new();
        for value in values {
            let text = value.to_str().map_err(|_| malformed())?;
            for item in text.split(',').map(str::trim) {
                if item == "*" {
                    return Ok(Some(Self::Any));
                }
                let (weak, quoted) = match item.strip_prefix("W/") {
                    Some(rest) => (true, rest),
                    None => (false, item),
                };
                let tag = quoted
                    .strip_prefix('"')
                    .and_then(|rest| rest.strip_suffix('"'))
                    .filter(|tag| !tag.contains('"'))
                    .ok_or_else(malformed)?;
                tags.push((tag.to_owned(), weak));
            }
        }
        Ok(Some(Self::Tags(tags)))
    }

    /// Strong comparison, as `If-Match` requires: a weak tag never matches.
    pub fn matches(&self, version: i32) -> bool {
        let current = version.to_string();
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|(tag, weak)| !weak && *tag == current),
        }
    }

    /// Weak comparison, as `If-None-Match` allows.
    pub fn matches_weakly(&self, version: i32) -> bool {
        let current = version.to_string();
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|(tag, _)| *tag == current),
        }
    }
}

/// The paths of the API and the methods each answers, read from the OpenAPI document, so that
/// a known path with another method gets `405` and an `Allow` header instead of `404`.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(document: &utoipa::openapi::OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_owned).collect();
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::HEAD, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(method, _)| method.to_string())
                .collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods a path answers, if it is a path of the API.
    fn methods_for(&self, path: &str) -> Option<&[String]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.routes.iter().find_map(|(pattern, methods)| {
            let matches = pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()));
            matches.then_some(methods.as_slice())
        })
    }
}

/// The answer for a request no route took: `405` for a known path, `404` otherwise.
pub async fn unmatched(request: HttpRequest, routes: web::Data<RouteTable>) -> Result<HttpResponse> {
    match routes.methods_for(request.path()) {
        Some(methods) => Err(ApiError::MethodNotAllowed { allow: methods.to_vec() }),
        None => Err(ApiError::NotFound(format!("nothing is at {}", request.path()))),
    }
}

/// Turns actix's own plain-text error responses (a bad header, say) into problems, so that
/// every error the API sends has the same shape.
pub fn problem_for_framework_errors<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == crate::error::PROBLEM_JSON.as_bytes());
    if is_problem || !response.status().is_client_error() && !response.status().is_server_error() {
        return Ok(actix_web::middleware::ErrorHandlerResponse::Response(response.map_into_left_body()));
    }
    let status = response.status();
    let cors_refusal =
        response.response().error().and_then(|error| error.as_error::<actix_cors::CorsError>());
    let error = match (status.as_u16(), cors_refusal) {
        (_, Some(refusal)) => ApiError::BadRequest {
            detail: format!(
                "CORS refused the request: {refusal}. Origins are set by JALIN_CORS_ORIGINS; \
                 a preflight may ask for the methods GET, HEAD, POST, PATCH, PUT and DELETE and \
                 the headers {}",
                crate::middleware::CORS_REQUEST_HEADERS.join(", ")
            ),
            errors: vec![],
        },
        (404, _) => ApiError::NotFound(format!("nothing is at {}", response.request().path())),
        (413, _) => ApiError::PayloadTooLarge { limit: crate::body::BODY_LIMIT },
        (415, _) => ApiError::UnsupportedMediaType,
        (500..=599, _) => ApiError::Internal(format!("framework error {status}")),
        _ => {
            ApiError::BadRequest { detail: "the request could not be understood".to_owned(), errors: vec![] }
        }
    };
    let (request, original) = response.into_parts();
    let mut problem = actix_web::ResponseError::error_response(&error);
    // Headers set on the way out (CORS, caching) still apply to the problem.
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(actix_web::middleware::ErrorHandlerResponse::Response(
        ServiceResponse::new(request, problem).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_table_matches_templates_segment_by_segment() {
        let table = RouteTable {
            routes: vec![
                (vec!["".into(), "api".into(), "regions".into(), "{id}".into()], vec!["GET".into()]),
                (vec!["".into(), "api".into(), "regions".into()], vec!["GET".into(), "POST".into()]),
            ],
        };
        assert_eq!(table.methods_for("/api/regions/7"), Some(&["GET".to_owned()][..]));
        assert_eq!(table.methods_for("/api/regions").map(<[String]>::len), Some(2));
        assert_eq!(table.methods_for("/api/regions/7/x"), None);
        assert_eq!(table.methods_for("/api/regions/"), None);
    }
}

#[cfg(test)]
mod precondition_tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn parse(value: &str) -> Result<Option<Precondition>> {
        Precondition::from_header(
            &TestRequest::default().insert_header((header::IF_MATCH, value)).to_http_request(),
            header::IF_MATCH,
        )
    }

    #[test]
    fn if_match_compares_strongly_and_reads_lists() {
        assert!(parse("\"3\"").unwrap().unwrap().matches(3));
        assert!(!parse("\"3\"").unwrap().unwrap().matches(4));
        assert!(!parse("W/\"3\"").unwrap().unwrap().matches(3), "a weak tag never matches strongly");
        assert!(parse("W/\"3\"").unwrap().unwrap().matches_weakly(3));
        assert!(parse("\"1\", \"3\"").unwrap().unwrap().matches(3));
        assert!(parse("*").unwrap().unwrap().matches(9));
        assert!(parse("3").is_err());
        assert!(parse("\"3").is_err());
        assert!(parse("").is_err());
    }
}
