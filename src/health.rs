//! The health check that load balancers and orchestrators poll.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::Result;
use crate::http::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Says whether the service and its database answer.
#[utoipa::path(
    tag = "operations",
    operation_id = "healthz",
    responses(
        (status = 200, description = "The service and its database answer", body = Health),
        (status = 503, description = "The database does not answer",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse> {
    db::run(&state.pool, |conn| {
        db::ping(conn).map_err(|e| crate::error::ApiError::Unavailable(format!("health query failed: {e}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
