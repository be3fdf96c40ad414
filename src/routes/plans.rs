//! Action plans (rencana aksi), their milestones and the progress reported on them.

use actix_web::http::StatusCode;
use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::{Caller, CallerWithBody};
use crate::db::pool::Connection;
use crate::db::roadmaps;
use crate::db::{organisations, plans as queries};
use crate::domain::key::Key;
use crate::domain::pagination::Page;
use crate::domain::plan::PlanStatus;
use crate::error::{ApiError, Problem, Resource};
use crate::http::extractors::{ApiJson, ApiQuery};
use crate::http::idempotency::{Idempotency, IdempotencyKey, IfMatch, etag, fingerprint, response};
use crate::routes::AppState;
use crate::routes::params::{Checks, NoParams};
use crate::routes::roadmaps::{RoadmapPath, find_roadmap};
use crate::services::plans::{
    self as service, CreatePlan, MilestoneInput, MilestoneView, PlanView, ProgressInput, ProgressView, UpdatePlan,
};
use crate::views::RoadmapView;

/// Path of a plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanPath {
    /// Plan id.
    pub id: i64,
}

/// Path of a milestone.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MilestonePath {
    /// Milestone id.
    pub id: i64,
}

/// Filters of the plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanParams {
    /// Plans of this objective and of its activities (id or code).
    pub objective: Option<String>,
    /// Plans of the objectives of this theme and of their activities (id or code).
    pub theme: Option<String>,
    /// Plans of this main activity (id or code).
    pub activity: Option<String>,
    /// Plans this organisation is responsible for or supports (id or code).
    pub organisation: Option<String>,
    #[param(value_type = Option<PlanStatus>)]
    pub status: Option<String>,
    /// `true`: plans with a milestone overdue today (Asia/Jakarta); `false`: plans without.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Plans with a milestone due on or after this day.
    #[param(value_type = Option<String>, format = Date)]
    pub due_from: Option<String>,
    /// Plans with a milestone due on or before this day.
    #[param(value_type = Option<String>, format = Date)]
    pub due_to: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
}

/// The reason for cancelling a plan.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelPlan {
    /// 1 to 2000 characters.
    pub reason: String,
}

/// A stored progress report, with the plan as it is after the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressReported {
    pub report: ProgressView,
    pub plan: PlanView,
}

/// Lists a road map's action plans. An organisation's user or client sees the plans its
/// organisation is responsible for or supports, and those of the nodes it coordinates.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(RoadmapPath, PlanParams),
    responses(
        (status = 200, description = "One page of plans, oldest first.", body = Page<PlanView>),
        (status = 400, description = "Invalid parameters; the problem names each.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<PlanParams>,
) -> Result<web::Json<Page<PlanView>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let today = state.clock.today();
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    let status = checks.choice::<PlanStatus>(
        "status",
        params.status.as_deref(),
        &["planned", "in_progress", "done", "cancelled"],
    );
    let overdue = checks.flag("overdue", params.overdue.as_deref());
    let due_from = checks.date("due_from", params.due_from.as_deref());
    let due_to = checks.date("due_to", params.due_to.as_deref());

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let nodes = roadmaps::RoadmapNodes::load(&mut connection, roadmap.id).await?;
    let organisation = match params.organisation.as_deref() {
        Some(key) => organisations::find(&mut connection, Key::parse(key)).await?.map(|found| found.id),
        None => None,
    };
    let (objective_id, theme_id, activity_id) =
        checks.nodes(&nodes, params.objective.as_deref(), params.theme.as_deref(), params.activity.as_deref());
    let filter = queries::PlanFilter {
        objective_id,
        theme_id,
        activity_id,
        organisation_id: checks.reference(
            "organisation",
            params.organisation.as_deref(),
            |_| organisation,
            "organisasi",
            "organisation",
        ),
        status: status.map(|status| status.as_ref().to_string()),
        overdue: overdue.map(|overdue| (overdue, today)),
        due_from,
        due_to,
    };
    checks.finish()?;

    let visibility = match caller.scope_organisation() {
        Some(organisation_id) => {
            let (activity_ids, objective_ids) = queries::coordinated_nodes(&mut connection, organisation_id).await?;
            Some(queries::Visibility { organisation_id, activity_ids, objective_ids })
        }
        None => None,
    };
    let (rows, total) = queries::list(&mut connection, roadmap.id, &filter, visibility.as_ref(), page).await?;
    let views = service::views(&mut connection, &roadmap, rows, today).await?;
    Ok(web::Json(Page::new(views, page, total)))
}

/// Writes an action plan for a main activity or a thematic objective: the node's coordinator,
/// or the admin. Send an `Idempotency-Key` header to make a retry safe.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same body returns the first response.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreatePlan,
    responses(
        (status = 201, description = "The new plan; `ETag` carries its version.", body = PlanView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not coordinate the activity or objective; the problem names who does.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The activity or objective is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request; the problem names each field.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<CreatePlan>>,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let today = state.clock.today();

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let row = service::create(connection, &caller, &roadmap, &body).await?;
            let version = row.version;
            let view = service::views(connection, &roadmap, vec![row], today).await?.remove(0);
            let location = format!("/api/v1/plans/{}", view.id);
            idempotency.record(connection, response(StatusCode::CREATED, &view, Some(version), Some(location))).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Shows a plan with its milestones, weighted progress and overdue flags; `ETag` carries its
/// version.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath),
    responses(
        (status = 200, description = "The plan.", body = PlanView),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/plans/{id}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<PlanPath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = state.pool.get().await?;
    let row = service::visible(&mut connection, &caller, path.id).await?;
    let roadmap = roadmap_of(&mut connection, row.roadmap_id).await?;
    let view = service::views(&mut connection, &roadmap, vec![row], state.clock.today()).await?.remove(0);
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version))).json(view))
}

/// Changes a plan: its coordinator, or the admin. Marking it `done` needs every milestone at
/// 100%.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath, ("If-Match" = String, Header, description = "The plan's version, as its `ETag` gives it.")),
    request_body = UpdatePlan,
    responses(
        (status = 200, description = "The changed plan; `ETag` carries its new version.", body = PlanView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not coordinate the plan's activity or objective.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is cancelled.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the plan's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; the problem names it.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/plans/{id}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    path: web::Path<PlanPath>,
    if_match: IfMatch,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<UpdatePlan>>,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let mut connection = state.pool.get().await?;
    let view = connection
        .transaction::<_, ApiError, _>(async |connection| {
            let plan = service::visible(connection, &caller, path.id).await?;
            let roadmap = roadmap_of(connection, plan.roadmap_id).await?;
            let row =
                service::update(connection, &caller, &roadmap, &plan, &body, |version| if_match.check(version)).await?;
            Ok(service::views(connection, &roadmap, vec![row], state.clock.today()).await?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version))).json(view))
}

/// Cancels a plan with a reason: its coordinator, or the admin. A cancelled plan stays
/// readable and takes no further changes.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath, ("If-Match" = String, Header, description = "The plan's version, as its `ETag` gives it.")),
    request_body = CancelPlan,
    responses(
        (status = 200, description = "The cancelled plan.", body = PlanView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not coordinate the plan's activity or objective.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is cancelled already.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the plan's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/plans/{id}/cancel")]
pub async fn cancel_plan(
    state: web::Data<AppState>,
    path: web::Path<PlanPath>,
    if_match: IfMatch,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<CancelPlan>>,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let mut connection = state.pool.get().await?;
    let view = connection
        .transaction::<_, ApiError, _>(async |connection| {
            let plan = service::visible(connection, &caller, path.id).await?;
            let roadmap = roadmap_of(connection, plan.roadmap_id).await?;
            let row =
                service::cancel(connection, &caller, &plan, &body.reason, |version| if_match.check(version)).await?;
            Ok(service::views(connection, &roadmap, vec![row], state.clock.today()).await?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version))).json(view))
}

/// Adds a milestone to a plan: the plan's coordinator, or the admin. Send an
/// `Idempotency-Key` header to make a retry safe.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(PlanPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = MilestoneInput,
    responses(
        (status = 201, description = "The new milestone; `ETag` carries its version.", body = MilestoneView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not coordinate the plan's activity or objective.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is cancelled or done.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid (such as a weight that takes the plan's total over 100), or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/plans/{id}/milestones")]
pub async fn add_milestone(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<PlanPath>,
    key: IdempotencyKey,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<MilestoneInput>>,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let mut connection = state.pool.get().await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let plan = service::visible(connection, &caller, path.id).await?;
            let row = service::add_milestone(connection, &caller, &plan, &body).await?;
            let view = milestone_view(connection, &plan, row.id, state.clock.today()).await?;
            let location = format!("/api/v1/milestones/{}", view.id);
            let stored = response(StatusCode::CREATED, &view, Some(view.version), Some(location));
            idempotency.record(connection, stored).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Shows a milestone with its evidence; `ETag` carries its version, which a progress report
/// raises too.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(MilestonePath),
    responses(
        (status = 200, description = "The milestone.", body = MilestoneView),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/milestones/{id}")]
pub async fn get_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<MilestonePath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = state.pool.get().await?;
    let (plan, milestone) = service::visible_milestone(&mut connection, &caller, path.id).await?;
    let view = milestone_view(&mut connection, &plan, milestone.id, state.clock.today()).await?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version))).json(view))
}

/// Replaces a milestone's title, expected output, due day and weight: the plan's
/// coordinator, or the admin.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(MilestonePath, ("If-Match" = String, Header, description = "The milestone's version, as its `version` field gives it, in quotes.")),
    request_body = MilestoneInput,
    responses(
        (status = 200, description = "The changed milestone; `ETag` carries its new version.", body = MilestoneView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not coordinate the plan's activity or objective.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is cancelled or done.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the milestone's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; the problem names it.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/milestones/{id}")]
pub async fn update_milestone(
    state: web::Data<AppState>,
    path: web::Path<MilestonePath>,
    if_match: IfMatch,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<MilestoneInput>>,
) -> Result<HttpResponse, ApiError> {
    require_writer(&caller)?;
    let mut connection = state.pool.get().await?;
    let view = connection
        .transaction::<_, ApiError, _>(async |connection| {
            let (plan, milestone) = service::visible_milestone(connection, &caller, path.id).await?;
            let check = |version| if_match.check(version);
            let row = service::update_milestone(connection, &caller, &plan, &milestone, &body, check).await?;
            milestone_view(connection, &plan, row.id, state.clock.today()).await
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version))).json(view))
}

/// Lists the progress reports on a milestone, oldest first.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(MilestonePath),
    responses(
        (status = 200, description = "Every progress report.", body = Vec<ProgressView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/milestones/{id}/progress")]
pub async fn list_progress(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<MilestonePath>,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<Vec<ProgressView>>, ApiError> {
    let mut connection = state.pool.get().await?;
    let (_, milestone) = service::visible_milestone(&mut connection, &caller, path.id).await?;
    Ok(web::Json(service::progress_views(&mut connection, milestone.id).await?))
}

/// Reports progress on a milestone: the plan's responsible organisation. Every report is
/// kept; the latest is the milestone's progress. Send an `Idempotency-Key` header to make a
/// retry safe.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(MilestonePath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = ProgressInput,
    responses(
        (status = 201, description = "The report, and the plan as it is after the report.", body = ProgressReported),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for the plan's responsible organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is cancelled or done.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/milestones/{id}/progress")]
pub async fn report_progress(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<MilestonePath>,
    key: IdempotencyKey,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<ProgressInput>>,
) -> Result<HttpResponse, ApiError> {
    if caller.reporting_organisation().is_none() {
        return Err(ApiError::Denied {
            indonesian: "kemajuan tonggak dilaporkan oleh pengguna organisasi penanggung jawab rencana aksinya".into(),
            english: "progress on a milestone is reported by a user of the plan's responsible organisation".into(),
        });
    }
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let now = state.clock.now();
    let mut connection = state.pool.get().await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let (plan, milestone) = service::visible_milestone(connection, &caller, path.id).await?;
            service::report_progress(connection, &caller, &plan, &milestone, &body, now).await?;
            let report = service::progress_views(connection, milestone.id).await?.pop();
            let plan = queries::find_plan(connection, plan.id).await?.unwrap_or(plan);
            let roadmap = roadmap_of(connection, plan.roadmap_id).await?;
            let plan =
                service::views(connection, &roadmap, vec![plan], crate::clock::jakarta_date(now)).await?.remove(0);
            let Some(report) = report else {
                return Err(ApiError::Internal(anyhow::anyhow!("a stored progress report is missing")));
            };
            let location = format!("/api/v1/milestones/{}/progress", milestone.id);
            let stored = response(StatusCode::CREATED, &ProgressReported { report, plan }, None, Some(location));
            idempotency.record(connection, stored).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Refuses read-only callers before the body is looked at.
fn require_writer(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_admin() || caller.reporting_organisation().is_some() {
        return Ok(());
    }
    Err(ApiError::Denied {
        indonesian: "peran atau cakupan Anda hanya untuk membaca; rencana aksi ditulis oleh koordinator dan admin"
            .into(),
        english: "your role or scope is read-only; plans are written by coordinators and the admin".into(),
    })
}

async fn roadmap_of(connection: &mut Connection, id: i64) -> Result<RoadmapView, ApiError> {
    roadmaps::find(connection, Key::Id(id))
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Roadmap, key: id.to_string() })
}

/// Shows one milestone of a plan as the plan view shows it.
async fn milestone_view(
    connection: &mut Connection,
    plan: &queries::PlanRow,
    milestone_id: i64,
    today: chrono::NaiveDate,
) -> Result<MilestoneView, ApiError> {
    let plan = queries::find_plan(connection, plan.id).await?.unwrap_or_else(|| plan.clone());
    let roadmap = roadmap_of(connection, plan.roadmap_id).await?;
    let view = service::views(connection, &roadmap, vec![plan], today).await?.remove(0);
    view.milestones
        .into_iter()
        .find(|milestone| milestone.id == milestone_id)
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Milestone, key: milestone_id.to_string() })
}
