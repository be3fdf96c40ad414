//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::pool::ping;
use crate::error::ApiError;
use crate::routes::AppState;

/// Result of a health probe.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` in a 200 response.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Tells that the process is up; it does not touch the database.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is up.", body = Health))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Tells whether the service can reach its database.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database responds.", body = Health),
        (status = 503, description = "The database does not respond.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    ping(&state.pool).await.map_err(ApiError::ServiceUnavailable)?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
