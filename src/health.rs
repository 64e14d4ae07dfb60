//! The health check that load balancers and orchestrators poll.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::{ApiError, Result};
use crate::http::{AppState, HEALTH_CHECK_TIMEOUT as TIMEOUT};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Says whether the service and its database answer; it does not wait behind other requests.
//
// The check has a connection pool and a thread of its own: a service whose request pool and
// blocking threads are all busy is slow, not down, and a database that hangs is a 503 after
// TIMEOUT rather than a check that never answers.
#[utoipa::path(
    tag = "operations",
    operation_id = "healthz",
    // No token: orchestrators poll it as they are.
    security(()),
    responses(
        (status = 200, description = "The service and its database answer", body = Health),
        (status = 400, description = "A query parameter was given: the check takes none",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database does not answer within 2 seconds",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>, request: actix_web::HttpRequest) -> Result<HttpResponse> {
    // Like every operation, it names what it does not take rather than ignore it.
    crate::listing::QueryParams::parse(request.query_string())?.finish()?;
    let pool = state.health_pool.clone();
    let (answer, answered) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("jalin-health".to_owned())
        .spawn(move || {
            let result = pool
                .get()
                .map_err(|e| e.to_string())
                .and_then(|mut conn| db::ping(&mut conn).map_err(|e| e.to_string()));
            let _ = answer.send(result);
        })
        .map_err(|e| ApiError::Internal(format!("cannot start the health check: {e}")))?;
    match actix_web::rt::time::timeout(TIMEOUT, answered).await {
        Ok(Ok(Ok(()))) => Ok(HttpResponse::Ok().json(Health { status: "ok" })),
        Ok(Ok(Err(cause))) => Err(ApiError::Unavailable(format!("health query failed: {cause}"))),
        Ok(Err(_)) => Err(ApiError::Unavailable("the health check ended without an answer".into())),
        Err(_) => Err(ApiError::Unavailable(format!("the database did not answer within {TIMEOUT:?}"))),
    }
}
