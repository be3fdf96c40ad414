//! Road maps and their tree: themes, objectives and activities.

use actix_web::http::header::ETAG;
use actix_web::{HttpResponse, get, web};
use utoipa::IntoParams;

use crate::auth::caller::Caller;
use crate::db::pool::Connection;
use crate::db::roadmaps::{self, RoadmapNodes, filter_objectives};
use crate::domain::indicator::ObjectiveKind;
use crate::domain::key::Key;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::structure::NodeKind;
use crate::error::{ApiError, Problem, Resource};
use crate::http::extractors::ApiQuery;
use crate::http::idempotency::etag;
use crate::routes::AppState;
use crate::routes::params::{ActivityParams, Checks, NoParams, ObjectiveParams, PageParams};
use crate::services::structure::resource;
use crate::views::{ActivityView, GoalView, ObjectiveView, RoadmapTree, RoadmapView, ThemeView};

/// Path of a road map.
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RoadmapPath {
    /// Road map id or code, such as `semarang-2023-2024`.
    pub roadmap: String,
}

/// Path of an object inside a road map.
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RoadmapItemPath {
    /// Road map id or code, such as `semarang-2023-2024`.
    pub roadmap: String,
    /// Id or code of the object, such as `S1` or `K1.01`.
    pub item: String,
}

/// Finds a road map by the key in the path, or returns 404.
pub async fn find_roadmap(connection: &mut Connection, key: &str) -> Result<RoadmapView, ApiError> {
    roadmaps::find(connection, Key::parse(key))
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Roadmap, key: key.to_string() })
}

/// Lists road maps, newest first.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of road maps.", body = Page<RoadmapView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps")]
pub async fn list_roadmaps(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<PageParams>,
) -> Result<web::Json<Page<RoadmapView>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    checks.finish()?;

    let mut connection = state.pool.get().await?;
    let (items, total) = roadmaps::list(&mut connection, page).await?;

    Ok(web::Json(Page::new(items, page, total)))
}

/// Returns one road map.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapPath),
    responses(
        (status = 200, description = "The road map.", body = RoadmapView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}")]
pub async fn get_roadmap(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<RoadmapView>, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    Ok(web::Json(roadmap))
}

/// Returns the whole road map as a tree: goals with their general objectives and activities,
/// themes with their thematic objectives, and at each place the indicators shown there with
/// baselines, targets and assignments. An indicator shown at two places appears at both with
/// the same id and code.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapPath),
    responses(
        (status = 200, description = "The road map tree.", body = RoadmapTree),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/tree")]
pub async fn get_tree(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<RoadmapTree>, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let tree = roadmaps::tree(&mut connection, roadmap).await?;
    Ok(web::Json(tree))
}

/// Lists the themes of thematic reform in a road map.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapPath, PageParams),
    responses(
        (status = 200, description = "One page of themes.", body = Page<ThemeView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/themes")]
pub async fn list_themes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<PageParams>,
) -> Result<web::Json<Page<ThemeView>>, ApiError> {
    list_nodes(&state, &caller, &path, query, RoadmapNodes::theme_views).await
}

/// Lists the objectives (sasaran) of a road map, general and thematic.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapPath, ObjectiveParams),
    responses(
        (status = 200, description = "One page of objectives.", body = Page<ObjectiveView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/objectives")]
pub async fn list_objectives(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<ObjectiveParams>,
) -> Result<web::Json<Page<ObjectiveView>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    let kind = checks.choice::<ObjectiveKind>("kind", params.kind.as_deref(), &["general", "thematic"]);

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;

    let theme_id = checks.reference(
        "theme",
        params.theme.as_deref(),
        |key| nodes.find_theme(key).map(|row| row.id),
        "tema",
        "theme",
    );
    checks.finish()?;

    let views = filter_objectives(&nodes, kind, theme_id).map(|row| nodes.objective_view(row)).collect();
    Ok(web::Json(page_of(views, page)))
}

/// Returns one objective; `ETag` carries its version.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapItemPath),
    responses(
        (status = 200, description = "The objective.", body = ObjectiveView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or objective.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/objectives/{item}")]
pub async fn get_objective(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapItemPath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    get_node(&state, &caller, &path, NodeKind::Objective).await
}

/// Lists the main activities (kegiatan utama) of a road map.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapPath, ActivityParams),
    responses(
        (status = 200, description = "One page of activities.", body = Page<ActivityView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<ActivityParams>,
) -> Result<web::Json<Page<ActivityView>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;

    let objective_id = checks.reference(
        "objective",
        params.objective.as_deref(),
        |key| nodes.find_objective(key).map(|row| row.id),
        "sasaran",
        "objective",
    );
    checks.finish()?;

    let views = nodes
        .activities
        .iter()
        .filter(|row| objective_id.is_none_or(|id| row.objective_id == id))
        .filter_map(|row| nodes.activity_view(row))
        .collect();
    Ok(web::Json(page_of(views, page)))
}

/// Returns one main activity; `ETag` carries its version.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapItemPath),
    responses(
        (status = 200, description = "The activity.", body = ActivityView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or activity.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/activities/{item}")]
pub async fn get_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapItemPath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    get_node(&state, &caller, &path, NodeKind::Activity).await
}

/// Lists the goals (tujuan) of a road map, retired ones included.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapPath, PageParams),
    responses(
        (status = 200, description = "One page of goals.", body = Page<GoalView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/goals")]
pub async fn list_goals(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<PageParams>,
) -> Result<web::Json<Page<GoalView>>, ApiError> {
    list_nodes(&state, &caller, &path, query, RoadmapNodes::goal_views).await
}

/// Returns one page of a road map's goals or themes, which `views` picks from the nodes.
async fn list_nodes<T: utoipa::ToSchema>(
    state: &AppState,
    caller: &Caller,
    path: &RoadmapPath,
    query: ApiQuery<PageParams>,
    views: fn(&RoadmapNodes) -> Vec<T>,
) -> Result<web::Json<Page<T>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    checks.finish()?;

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;

    Ok(web::Json(page_of(views(&nodes), page)))
}

/// Returns one goal; `ETag` carries its version.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapItemPath),
    responses(
        (status = 200, description = "The goal.", body = GoalView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or goal.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/goals/{item}")]
pub async fn get_goal(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapItemPath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    get_node(&state, &caller, &path, NodeKind::Goal).await
}

/// Returns one theme; `ETag` carries its version.
#[utoipa::path(
    tag = "roadmaps",
    security(("bearer" = [])),
    params(RoadmapItemPath),
    responses(
        (status = 200, description = "The theme.", body = ThemeView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or theme.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/themes/{item}")]
pub async fn get_theme(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapItemPath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    get_node(&state, &caller, &path, NodeKind::Theme).await
}

/// Returns one goal, theme, objective or activity with its version in `ETag`.
async fn get_node(
    state: &AppState,
    caller: &Caller,
    path: &RoadmapItemPath,
    kind: NodeKind,
) -> Result<HttpResponse, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;

    let view = nodes
        .node_view(kind, Key::parse(&path.item))
        .ok_or_else(|| ApiError::NotFound { resource: resource(kind), key: path.item.clone() })?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version()))).json(view))
}

/// Cuts one page out of a list that is already in memory. A road map has tens of themes,
/// objectives and activities, so reading them whole is cheap.
fn page_of<T: utoipa::ToSchema>(items: Vec<T>, page: PageRequest) -> Page<T> {
    let total = items.len();
    let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
    let items = items.into_iter().skip(offset).take(limit).collect();
    Page::new(items, page, i64::try_from(total).unwrap_or(i64::MAX))
}
