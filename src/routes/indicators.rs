//! Indicators of a road map.

use actix_web::{get, web};

use crate::auth::caller::Caller;
use crate::db::indicators::{self, IndicatorFilter, OrganisationRole};
use crate::db::organisations;
use crate::db::roadmaps::RoadmapNodes;
use crate::domain::key::Key;
use crate::domain::pagination::Page;
use crate::error::{ApiError, FieldError, Problem, Resource};
use crate::http::extractors::ApiQuery;
use crate::routes::AppState;
use crate::routes::params::{Checks, IndicatorParams, NoParams, RoleParam};
use crate::routes::roadmaps::{RoadmapItemPath, RoadmapPath, find_roadmap};
use crate::services::achievement::{self, Basis, IndicatorAchievement};
use crate::views::IndicatorView;

/// Lists the indicators of a road map with their baselines, targets and assignments, in road
/// map order. Filters combine: all given must hold.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(RoadmapPath, IndicatorParams),
    responses(
        (status = 200, description = "One page of indicators.", body = Page<IndicatorView>),
        (status = 400, description = "Invalid parameters, or a filter that names nothing in this road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/indicators")]
pub async fn list_indicators(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<IndicatorParams>,
) -> Result<web::Json<Page<IndicatorView>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    let role = checks.choice::<RoleParam>("role", params.role.as_deref(), &["coordinator", "implementer", "any"]);
    if params.role.is_some() && params.organisation.is_none() {
        checks.add(FieldError::new(
            "role",
            "role hanya berlaku bersama parameter organisation",
            "role applies only together with the organisation parameter",
        ));
    }

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;

    let organisation = match params.organisation.as_deref() {
        Some(key) => organisations::find(&mut connection, Key::parse(key)).await?,
        None => None,
    };

    let filter = resolve_filter(&params, &nodes, organisation.map(|found| found.id), role, &mut checks);
    checks.finish()?;

    let (items, total) = indicators::list(&mut connection, roadmap.id, &filter, page, &nodes).await?;
    Ok(web::Json(Page::new(items, page, total)))
}

/// Returns one indicator with its baseline, targets, coordinator, implementers and the places
/// in the tree where it is shown.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(RoadmapItemPath),
    responses(
        (status = 200, description = "The indicator.", body = IndicatorView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/indicators/{item}")]
pub async fn get_indicator(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapItemPath>,
    _query: ApiQuery<NoParams>,
) -> Result<actix_web::HttpResponse, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;

    let indicator = indicators::find(&mut connection, roadmap.id, Key::parse(&path.item), &nodes)
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Indicator, key: path.item.clone() })?;
    let tag = crate::http::idempotency::etag(indicator.version);
    Ok(actix_web::HttpResponse::Ok().insert_header((actix_web::http::header::ETAG, tag)).json(indicator))
}

/// Turns the filter parameters into ids, recording an error for each that names nothing.
fn resolve_filter(
    params: &IndicatorParams,
    nodes: &RoadmapNodes,
    organisation_id: Option<i64>,
    role: Option<RoleParam>,
    checks: &mut Checks,
) -> IndicatorFilter {
    let (objective_id, theme_id, activity_id) =
        checks.nodes(nodes, params.objective.as_deref(), params.theme.as_deref(), params.activity.as_deref());
    IndicatorFilter {
        objective_id,
        theme_id,
        activity_id,
        organisation: checks
            .reference(
                "organisation",
                params.organisation.as_deref(),
                |_| organisation_id,
                "organisasi",
                "organisation",
            )
            .map(|id| (id, role.map_or(OrganisationRole::Any, OrganisationRole::from))),
    }
}

/// The year and basis of an achievement.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AchievementParams {
    /// The year, within the road map's years; required.
    #[param(value_type = i32, required = true, example = 2023)]
    pub year: Option<String>,
    /// `verified` (default): verified realisations only; `provisional`: submitted ones count too.
    #[param(value_type = Option<Basis>)]
    pub basis: Option<String>,
}

/// Shows an indicator's figures and achievement (capaian) for a year: each quarter's figure
/// combined from its implementers' realisations, the year's figure, and both against targets.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(RoadmapItemPath, AchievementParams),
    responses(
        (status = 200, description = "The achievement.", body = IndicatorAchievement),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/indicators/{item}/achievement")]
pub async fn get_achievement(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapItemPath>,
    query: ApiQuery<AchievementParams>,
) -> Result<web::Json<IndicatorAchievement>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;

    let mut checks = Checks::default();
    let year = params
        .year
        .as_deref()
        .and_then(|year| year.trim().parse::<i32>().ok())
        .filter(|year| (roadmap.start_year..=roadmap.end_year).contains(year));
    if year.is_none() {
        checks.add(FieldError::new(
            "year",
            format!("wajib, tahun dari {} sampai {}", roadmap.start_year, roadmap.end_year),
            format!("is required, a year from {} to {}", roadmap.start_year, roadmap.end_year),
        ));
    }
    let basis = checks.choice::<Basis>("basis", params.basis.as_deref(), &["verified", "provisional"]);
    checks.finish()?;

    let subject = indicators::subject(&mut connection, Some(roadmap.id), Key::parse(&path.item))
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Indicator, key: path.item.clone() })?;
    let result =
        achievement::for_year(&mut connection, &subject, year.unwrap_or_default(), basis.unwrap_or(Basis::Verified))
            .await?;
    Ok(web::Json(result))
}
