//! The audit log, for the secretariat and read-only leadership and inspectorate.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::{Caller, Principal, Role};
use crate::db::accounts::{self, AuditFilter};
use crate::domain::pagination::Page;
use crate::error::{ApiError, Problem};
use crate::http::extractors::ApiQuery;
use crate::routes::AppState;
use crate::routes::params::Checks;

/// Maximum length of a text filter, in characters.
const MAX_FILTER_CHARS: usize = 200;

/// One audit record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// Such as `realisation.verify`, `period.create` or `user.create`.
    pub action: String,
    pub actor_user_id: Option<i64>,
    pub actor_client_id: Option<i64>,
    /// Username or client id of the actor.
    pub actor_name: Option<String>,
    pub client_ip: Option<String>,
    /// The object acted on, such as `realisation:12`.
    pub subject: Option<String>,
    /// The change: for state changes, `before` and `after`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// An action such as `realisation.verify`, or a prefix ending in a dot such as `realisation.`.
    #[param(min_length = 1, max_length = 200, pattern = r"\S")]
    pub action: Option<String>,
    /// A subject such as `realisation:12`.
    #[param(min_length = 1, max_length = 200, pattern = r"\S")]
    pub subject: Option<String>,
    /// Username or client id of the actor.
    #[param(min_length = 1, max_length = 200, pattern = r"\S")]
    pub actor: Option<String>,
    /// Records at or after this moment (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub since: Option<String>,
    /// Records before this moment (RFC 3339).
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub until: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
}

/// Lists audit records, newest first (admin and viewer).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "One page of audit records.", body = Page<AuditEventView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins and viewers read the audit log.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<AuditParams>,
) -> Result<web::Json<Page<AuditEventView>>, ApiError> {
    if !matches!(caller.principal, Principal::User { role: Role::Admin | Role::Viewer, .. }) {
        return Err(ApiError::Forbidden);
    }
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    let filter = AuditFilter {
        action: checks.text("action", params.action.as_deref(), MAX_FILTER_CHARS).map(str::to_string),
        subject: checks.text("subject", params.subject.as_deref(), MAX_FILTER_CHARS).map(str::to_string),
        actor: checks.text("actor", params.actor.as_deref(), MAX_FILTER_CHARS).map(str::to_string),
        since: checks.moment("since", params.since.as_deref()),
        until: checks.moment("until", params.until.as_deref()),
    };
    checks.finish()?;

    let mut connection = state.pool.get().await?;
    let (rows, total) = accounts::list_audit(&mut connection, &filter, page).await?;
    let views = rows
        .into_iter()
        .map(|row| AuditEventView {
            id: row.id,
            occurred_at: row.occurred_at,
            action: row.action,
            actor_user_id: row.actor_user_id,
            actor_client_id: row.actor_client_id,
            actor_name: row.actor_name,
            client_ip: row.client_ip,
            subject: row.subject,
            details: row.details,
        })
        .collect();
    Ok(web::Json(Page::new(views, page, total)))
}
