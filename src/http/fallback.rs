//! The answers for what no handler takes: a path segment that is no id, an unknown path
//! (`404`), a known path with another method (`405` with `Allow`), and actix's own plain-text
//! errors, turned into problems like every other error.

use actix_web::dev::ServiceResponse;
use actix_web::error::PathError;
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ApiError, Result};

/// A path segment that is not a valid id names no record: `404`, as for an unknown id.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_error: PathError, request: &HttpRequest| {
        ApiError::NotFound(format!("nothing is at {}", request.path())).into()
    })
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
                super::middleware::CORS_REQUEST_HEADERS.join(", ")
            ),
            errors: vec![],
        },
        (404, _) => ApiError::NotFound(format!("nothing is at {}", response.request().path())),
        (413, _) => ApiError::PayloadTooLarge { limit: super::body::BODY_LIMIT },
        (415, _) => ApiError::not_json(),
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
