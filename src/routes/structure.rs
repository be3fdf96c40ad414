//! Road map structure by the secretariat (admin): new road maps, and creating, changing and
//! retiring goals, themes, objectives and activities. The handlers of the four node kinds share
//! `create`, `update` and `retire` below; the rules live in `services::structure`.

use actix_web::http::StatusCode;
use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::{AdminWithBody, Caller};
use crate::db::pool::Connection;
use crate::db::structure::NewRoadmap;
use crate::domain::indicator::ObjectiveKind;
use crate::domain::structure::NodeKind;
use crate::error::{ApiError, Problem};
use crate::http::extractors::{ApiJson, present};
use crate::http::idempotency::{Idempotency, IdempotencyKey, IfMatch, etag, fingerprint, response};
use crate::routes::AppState;
use crate::routes::roadmaps::{RoadmapItemPath, RoadmapPath, find_roadmap};
use crate::services::references::OrganisationKeys;
use crate::services::structure::{self as workflow, NodeAddress, NodeChange, NodeRequest};
use crate::views::{ActivityView, GoalView, ObjectiveView, RoadmapView, ThemeView};

/// A new road map, such as the next period's.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRoadmap {
    /// Lower-case letters, digits and hyphens, starting with a letter; at most 64 characters.
    #[schema(example = "semarang-2025-2026")]
    pub code: String,
    /// 1 to 500 characters.
    pub title: String,
    /// The regulation that sets the road map.
    pub legal_basis: String,
    /// 2000 to 2100.
    pub start_year: i32,
    /// Not before `start_year`.
    pub end_year: i32,
    /// The year of the baselines; before `start_year`.
    pub baseline_year: i32,
}

/// A new goal or theme.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNode {
    /// Letters, digits, dots and hyphens, starting with a letter; at most 32 characters. It never
    /// changes.
    #[schema(example = "T2")]
    pub code: String,
    /// 1 to 1000 characters.
    pub name: String,
}

/// A new objective (sasaran).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateObjective {
    /// Letters, digits, dots and hyphens, starting with a letter; at most 32 characters.
    #[schema(example = "ST7")]
    pub code: String,
    /// 1 to 1000 characters.
    pub name: String,
    /// `general` objectives name a goal and no theme; `thematic` ones name a theme.
    pub kind: ObjectiveKind,
    /// Id or code of the goal; required for a general objective.
    pub goal: Option<String>,
    /// Id or code of the theme; required for a thematic objective.
    pub theme: Option<String>,
    /// Id or code of the organisation that coordinates the objective's action plans.
    pub coordinator: Option<String>,
}

/// A new main activity (kegiatan utama).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivity {
    /// Letters, digits, dots and hyphens, starting with a letter; at most 32 characters.
    #[schema(example = "K1.16")]
    pub code: String,
    /// Id or code of the objective.
    pub objective: String,
    /// 1 to 1000 characters.
    pub name: String,
    /// Id or code of the organisation that coordinates the activity's action plans.
    pub coordinator: Option<String>,
}

/// A new name for a goal or theme.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameNode {
    /// 1 to 1000 characters.
    pub name: Option<String>,
}

/// Changes to an objective or activity; fields left out keep their value.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNode {
    /// 1 to 1000 characters.
    pub name: Option<String>,
    /// Id or code of the organisation that coordinates the node's action plans; `null` leaves
    /// them to the coordinators of the indicators placed at the node.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub coordinator: Option<Option<String>>,
}

/// The reason a node is retired.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireNode {
    /// 1 to 2000 characters.
    pub reason: String,
}

/// Creates a road map (admin), for example for the next period. Its tree and indicators are
/// added afterwards, through the API or by importing a data file with the same code.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateRoadmap,
    responses(
        (status = 201, description = "The new road map; `Location` names it.", body = RoadmapView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin creates road maps.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A road map with this code exists; the problem names `code`.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps")]
pub async fn create_roadmap(
    state: web::Data<AppState>,
    request: HttpRequest,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateRoadmap>>,
) -> Result<HttpResponse, ApiError> {
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let roadmap = NewRoadmap {
        code: &body.code,
        title: &body.title,
        legal_basis: &body.legal_basis,
        start_year: body.start_year,
        end_year: body.end_year,
        baseline_year: body.baseline_year,
    };
    let mut connection = state.pool.get().await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let view = workflow::create_roadmap(connection, &caller, &roadmap).await?;
            // NOTE: road maps have no version column, so the response carries no ETag.
            let location = format!("/api/v1/roadmaps/{}", view.code);
            idempotency.record(connection, response(StatusCode::CREATED, &view, None, Some(location))).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Creates a goal (tujuan) at the end of the road map's goals (admin).
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateNode,
    responses(
        (status = 201, description = "The new goal; `Location` names it and `ETag` carries its version.", body = GoalView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The road map has a goal with this code; the problem names `code`.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/goals")]
pub async fn create_goal(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateNode>>,
) -> Result<HttpResponse, ApiError> {
    let node = NodeRequest::named(NodeKind::Goal, &body.code, &body.name);
    let mut connection = state.pool.get().await?;
    create(&mut connection, &request, &path.roadmap, key, &caller, &body, &node).await
}

/// Creates a theme (tema) of thematic reform at the end of the road map's themes (admin).
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateNode,
    responses(
        (status = 201, description = "The new theme; `Location` names it and `ETag` carries its version.", body = ThemeView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The road map has a theme with this code; the problem names `code`.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/themes")]
pub async fn create_theme(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateNode>>,
) -> Result<HttpResponse, ApiError> {
    let node = NodeRequest::named(NodeKind::Theme, &body.code, &body.name);
    let mut connection = state.pool.get().await?;
    create(&mut connection, &request, &path.roadmap, key, &caller, &body, &node).await
}

/// Creates an objective (sasaran) at the end of the road map's objectives (admin): a general
/// one under a goal, or a thematic one under a theme. A retired goal or theme takes no new
/// objectives.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateObjective,
    responses(
        (status = 201, description = "The new objective; `Location` names it and `ETag` carries its version.", body = ObjectiveView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The road map has an objective with this code (the problem names `code`), or the goal or theme is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, the goal, theme or coordinator does not exist, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/objectives")]
pub async fn create_objective(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateObjective>>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = state.pool.get().await?;
    let coordinator_id = coordinator(&mut connection, body.coordinator.as_deref()).await?;
    let node = NodeRequest {
        objective_kind: Some(body.kind),
        goal: body.goal.as_deref(),
        theme: body.theme.as_deref(),
        coordinator_id,
        ..NodeRequest::named(NodeKind::Objective, &body.code, &body.name)
    };
    create(&mut connection, &request, &path.roadmap, key, &caller, &body, &node).await
}

/// Creates a main activity (kegiatan utama) of an objective, at the end of the road map's
/// activities (admin). A retired objective takes no new activities.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateActivity,
    responses(
        (status = 201, description = "The new activity; `Location` names it and `ETag` carries its version.", body = ActivityView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The road map has an activity with this code (the problem names `code`), or the objective is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, the objective or coordinator does not exist, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/activities")]
pub async fn create_activity(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateActivity>>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = state.pool.get().await?;
    let coordinator_id = coordinator(&mut connection, body.coordinator.as_deref()).await?;
    let node = NodeRequest {
        objective: Some(&body.objective),
        coordinator_id,
        ..NodeRequest::named(NodeKind::Activity, &body.code, &body.name)
    };
    create(&mut connection, &request, &path.roadmap, key, &caller, &body, &node).await
}

/// Renames a goal (admin); its code never changes.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The goal's version, as its `version` field gives it, in quotes.")),
    request_body = RenameNode,
    responses(
        (status = 200, description = "The changed goal; `ETag` carries its new version.", body = GoalView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or goal.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The goal is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the goal's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid or the body changes nothing.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/roadmaps/{roadmap}/goals/{item}")]
pub async fn update_goal(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<RenameNode>>,
) -> Result<HttpResponse, ApiError> {
    let change = NodeChange { name: body.name, coordinator: None };
    update(&state, &path, NodeKind::Goal, if_match, &caller, change).await
}

/// Renames a theme (admin); its code never changes.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The theme's version, as its `version` field gives it, in quotes.")),
    request_body = RenameNode,
    responses(
        (status = 200, description = "The changed theme; `ETag` carries its new version.", body = ThemeView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or theme.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The theme is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the theme's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid or the body changes nothing.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/roadmaps/{roadmap}/themes/{item}")]
pub async fn update_theme(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<RenameNode>>,
) -> Result<HttpResponse, ApiError> {
    let change = NodeChange { name: body.name, coordinator: None };
    update(&state, &path, NodeKind::Theme, if_match, &caller, change).await
}

/// Renames an objective or changes the coordinator of its action plans (admin); its code,
/// kind, goal and theme never change.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The objective's version, as its `version` field gives it, in quotes.")),
    request_body = UpdateNode,
    responses(
        (status = 200, description = "The changed objective; `ETag` carries its new version.", body = ObjectiveView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or objective.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The objective is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the objective's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, the coordinator does not exist, or the body changes nothing.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/roadmaps/{roadmap}/objectives/{item}")]
pub async fn update_objective(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<UpdateNode>>,
) -> Result<HttpResponse, ApiError> {
    let change = node_change(&state, body).await?;
    update(&state, &path, NodeKind::Objective, if_match, &caller, change).await
}

/// Renames a main activity or changes the coordinator of its action plans (admin); its code and
/// objective never change.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The activity's version, as its `version` field gives it, in quotes.")),
    request_body = UpdateNode,
    responses(
        (status = 200, description = "The changed activity; `ETag` carries its new version.", body = ActivityView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or activity.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The activity is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the activity's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, the coordinator does not exist, or the body changes nothing.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/roadmaps/{roadmap}/activities/{item}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<UpdateNode>>,
) -> Result<HttpResponse, ApiError> {
    let change = node_change(&state, body).await?;
    update(&state, &path, NodeKind::Activity, if_match, &caller, change).await
}

/// Retires a goal (admin): it stays readable and takes no changes, new objectives or new
/// indicators. Its objectives and indicators stay as they are.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The goal's version, as its `version` field gives it, in quotes.")),
    request_body = RetireNode,
    responses(
        (status = 200, description = "The retired goal; `ETag` carries its new version.", body = GoalView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or goal.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The goal is retired already.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the goal's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/goals/{item}/retire")]
pub async fn retire_goal(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<RetireNode>>,
) -> Result<HttpResponse, ApiError> {
    retire(&state, &path, NodeKind::Goal, if_match, &caller, &body.reason).await
}

/// Retires a theme (admin): it stays readable and takes no changes, new objectives or new
/// indicators. Its objectives stay as they are.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The theme's version, as its `version` field gives it, in quotes.")),
    request_body = RetireNode,
    responses(
        (status = 200, description = "The retired theme; `ETag` carries its new version.", body = ThemeView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or theme.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The theme is retired already.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the theme's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/themes/{item}/retire")]
pub async fn retire_theme(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<RetireNode>>,
) -> Result<HttpResponse, ApiError> {
    retire(&state, &path, NodeKind::Theme, if_match, &caller, &body.reason).await
}

/// Retires an objective (admin): it stays readable and takes no changes, new activities or new
/// indicators. Its activities and indicators stay as they are.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The objective's version, as its `version` field gives it, in quotes.")),
    request_body = RetireNode,
    responses(
        (status = 200, description = "The retired objective; `ETag` carries its new version.", body = ObjectiveView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or objective.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The objective is retired already.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the objective's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/objectives/{item}/retire")]
pub async fn retire_objective(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<RetireNode>>,
) -> Result<HttpResponse, ApiError> {
    retire(&state, &path, NodeKind::Objective, if_match, &caller, &body.reason).await
}

/// Retires a main activity (admin): it stays readable and takes no changes or new indicators.
/// The indicators placed there stay as they are.
#[utoipa::path(
    tag = "structure",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The activity's version, as its `version` field gives it, in quotes.")),
    request_body = RetireNode,
    responses(
        (status = 200, description = "The retired activity; `ETag` carries its new version.", body = ActivityView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or activity.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The activity is retired already.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the activity's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/activities/{item}/retire")]
pub async fn retire_activity(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<RetireNode>>,
) -> Result<HttpResponse, ApiError> {
    retire(&state, &path, NodeKind::Activity, if_match, &caller, &body.reason).await
}

/// Creates a node in one transaction with its audit record, replaying the stored response of
/// an earlier request with the same `Idempotency-Key`.
async fn create(
    connection: &mut Connection,
    request: &HttpRequest,
    roadmap_key: &str,
    key: IdempotencyKey,
    caller: &Caller,
    body: &impl Serialize,
    node: &NodeRequest<'_>,
) -> Result<HttpResponse, ApiError> {
    let idempotency = Idempotency::new(caller, key, fingerprint(request, body))?;
    let roadmap = find_roadmap(connection, roadmap_key).await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let view = workflow::create_node(connection, caller, roadmap.id, node).await?;
            let location = format!("/api/v1/roadmaps/{}/{}/{}", roadmap.code, node.kind.collection(), node.code);
            let stored = response(StatusCode::CREATED, &view, Some(view.version()), Some(location));
            idempotency.record(connection, stored).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Changes a node in one transaction with its audit record.
async fn update(
    state: &AppState,
    path: &RoadmapItemPath,
    kind: NodeKind,
    if_match: IfMatch,
    caller: &Caller,
    change: NodeChange,
) -> Result<HttpResponse, ApiError> {
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let address = NodeAddress { roadmap_id: roadmap.id, kind, key: &path.item };
    let view = connection
        .transaction::<_, ApiError, _>(async |connection| {
            workflow::update_node(connection, caller, address, change, |version| if_match.check(version)).await
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version()))).json(view))
}

/// Retires a node in one transaction with its audit record.
async fn retire(
    state: &AppState,
    path: &RoadmapItemPath,
    kind: NodeKind,
    if_match: IfMatch,
    caller: &Caller,
    reason: &str,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let address = NodeAddress { roadmap_id: roadmap.id, kind, key: &path.item };
    let view = connection
        .transaction::<_, ApiError, _>(async |connection| {
            workflow::retire_node(connection, caller, address, reason, |version| if_match.check(version), now).await
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version()))).json(view))
}

/// Resolves the coordinator a new objective or activity names, if any.
async fn coordinator(connection: &mut Connection, key: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(key) = key else {
        return Ok(None);
    };
    let mut keys = OrganisationKeys::load(connection, [key]).await?;
    let id = keys.id("coordinator", key);
    let errors = keys.take_errors();
    if errors.is_empty() { Ok(id) } else { Err(ApiError::InvalidBody(errors)) }
}

/// Resolves the coordinator that a change of an objective or activity names.
async fn node_change(state: &AppState, body: UpdateNode) -> Result<NodeChange, ApiError> {
    let coordinator = match body.coordinator {
        Some(key) => {
            let mut connection = state.pool.get().await?;
            Some(coordinator(&mut connection, key.as_deref()).await?)
        }
        None => None,
    };
    Ok(NodeChange { name: body.name, coordinator })
}
