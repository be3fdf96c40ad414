//! Yearly targets of an indicator as in force at a moment, their revisions, and retiring an
//! indicator.

use actix_web::http::header::ETAG;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::{Caller, CallerWithBody};
use crate::db::indicators::{self, IndicatorSubject};
use crate::db::pool::Connection;
use crate::db::roadmaps::RoadmapNodes;
use crate::db::targets;
use crate::domain::key::Key;
use crate::error::{ApiError, FieldError, Problem, Resource};
use crate::http::extractors::{ApiJson, ApiQuery};
use crate::http::idempotency::{IfMatch, etag};
use crate::routes::AppState;
use crate::routes::params::Checks;
use crate::routes::roadmaps::{RoadmapItemPath, find_roadmap};
use crate::services::targets::{self as workflow, Revision, RevisionView, TargetView};
use crate::views::{IndicatorView, RoadmapView};

/// A new or revised yearly or quarterly target.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviseTarget {
    /// The target as it would be printed, in Indonesian notation: `"1.077 orang"`, `"2,5 ± 1%"`,
    /// `">74/BB"`, `"WTP"`, or `"NA"` for not set.
    #[schema(example = "950 orang")]
    pub value: String,
    /// The reason the target is set or changed; 1 to 2000 characters.
    #[schema(example = "Angka P3KE 2024 telah ditetapkan")]
    pub reason: String,
    /// The document the value comes from; 1 to 500 characters.
    #[schema(example = "Data P3KE Kemenko PMK, Maret 2024")]
    pub reference: String,
}

/// The reason an indicator is retired.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireIndicator {
    /// 1 to 2000 characters.
    pub reason: String,
}

/// Path of one year's target.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TargetPath {
    /// Road map id or code.
    pub roadmap: String,
    /// Indicator id or code.
    pub item: String,
    /// The year.
    pub year: i32,
}

/// The quarter of a quarterly target.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuarterParams {
    /// From 1 to 4, for the target of one quarter of the year; absent for the year's own target.
    #[param(value_type = Option<i16>, minimum = 1, maximum = 4)]
    pub quarter: Option<String>,
}

impl QuarterParams {
    /// Reads the quarter, naming the parameter when it is not 1 to 4.
    fn read(&self) -> Result<Option<i16>, ApiError> {
        let mut checks = Checks::default();
        let quarter = checks.quarter(self.quarter.as_deref());
        checks.finish()?;
        Ok(quarter.map(i16::from))
    }
}

/// The moment at which to read targets.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TargetParams {
    /// An RFC 3339 time such as `2024-03-01T00:00:00+07:00`; now by default.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub at: Option<String>,
}

/// Lists an indicator's yearly and quarterly targets as in force at a moment (now by default).
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(RoadmapItemPath, TargetParams),
    responses(
        (status = 200, description = "The targets in force, by year, each year's own target before its quarters'.", body = Vec<TargetView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/indicators/{item}/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapItemPath>,
    query: ApiQuery<TargetParams>,
) -> Result<web::Json<Vec<TargetView>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let at = match params.at.as_deref() {
        Some(text) => DateTime::parse_from_rfc3339(text.trim()).map(|at| at.with_timezone(&Utc)).ok().or_else(|| {
            checks.add(FieldError::new(
                "at",
                "harus waktu RFC 3339, misalnya 2024-03-01T00:00:00+07:00",
                "must be an RFC 3339 time, for example 2024-03-01T00:00:00+07:00",
            ));
            None
        }),
        None => Some(state.clock.now()),
    };
    checks.finish()?;

    let mut connection = state.pool.get().await?;
    let (_, subject) = find(&mut connection, &path.roadmap, &path.item).await?;
    let revisions = targets::revisions(&mut connection, subject.row.id, None).await?;
    Ok(web::Json(workflow::targets_at(&subject, &revisions, at.unwrap_or_else(Utc::now))))
}

/// Shows every setting and revision of one year's target, or of one quarter's with `quarter`,
/// oldest first.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(TargetPath, QuarterParams),
    responses(
        (status = 200, description = "The revisions.", body = Vec<RevisionView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/indicators/{item}/targets/{year}/history")]
pub async fn target_history(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<TargetPath>,
    query: ApiQuery<QuarterParams>,
) -> Result<web::Json<Vec<RevisionView>>, ApiError> {
    caller.require_read()?;
    let quarter = query.0.read()?;
    let mut connection = state.pool.get().await?;
    let (_, subject) = find(&mut connection, &path.roadmap, &path.item).await?;
    let rows = targets::revisions(&mut connection, subject.row.id, Some((path.year, quarter))).await?;
    Ok(web::Json(workflow::revision_views(&mut connection, rows).await?))
}

/// Sets or revises one year's target, or one quarter's with `quarter`, with a reason and the
/// reference document: the indicator's coordinator or the secretariat. Revising an existing target needs `If-Match`
/// with its version; setting a year without one needs no `If-Match`.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(TargetPath, QuarterParams, ("If-Match" = Option<String>, Header, description = "The ETag of the target being revised.")),
    request_body = ReviseTarget,
    responses(
        (status = 200, description = "The target now in force; `ETag` carries its version.", body = TargetView),
        (status = 400, description = "Malformed JSON, path or quarter.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the coordinator or the secretariat sets targets.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The indicator is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current target, or the year has none.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing for a year that has a target.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/roadmaps/{roadmap}/indicators/{item}/targets/{year}")]
pub async fn revise_target(
    state: web::Data<AppState>,
    path: web::Path<TargetPath>,
    query: ApiQuery<QuarterParams>,
    if_match: IfMatch,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<ReviseTarget>>,
) -> Result<HttpResponse, ApiError> {
    let quarter = query.0.read()?;
    let now = state.clock.now();
    let mut connection = state.pool.get().await?;
    let (roadmap, subject) = find(&mut connection, &path.roadmap, &path.item).await?;
    let view = connection
        .transaction::<_, ApiError, _>(async |connection| {
            let revision = Revision {
                year: path.year,
                quarter,
                value: &body.value,
                reason: &body.reason,
                reference: &body.reference,
            };
            let check = |current: Option<i32>| match current {
                Some(version) => if_match.check(version),
                None if if_match.is_present() => Err(ApiError::PreconditionFailed),
                None => Ok(()),
            };
            workflow::revise(connection, &caller, &subject, roadmap.start_year..=roadmap.end_year, revision, check, now)
                .await
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version))).json(view))
}

/// Retires an indicator (admin): it stays readable with its history and accepts no new
/// realisations or targets.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The indicator's version, as its `version` field gives it, in quotes.")),
    request_body = RetireIndicator,
    responses(
        (status = 200, description = "The retired indicator.", body = IndicatorView),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin retires indicators.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The indicator is retired already.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the indicator's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/indicators/{item}/retire")]
pub async fn retire_indicator(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<RetireIndicator>>,
) -> Result<web::Json<IndicatorView>, ApiError> {
    caller.require_admin()?;
    let now = state.clock.now();
    let mut connection = state.pool.get().await?;
    let (roadmap, subject) = find(&mut connection, &path.roadmap, &path.item).await?;
    connection
        .transaction::<_, ApiError, _>(async |connection| {
            workflow::retire(connection, &caller, &subject, &body.reason, |version| if_match.check(version), now).await
        })
        .await?;

    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;
    let view = indicators::find(&mut connection, roadmap.id, Key::Id(subject.row.id), &nodes)
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Indicator, key: path.item.clone() })?;
    Ok(web::Json(view))
}

pub async fn find(
    connection: &mut Connection,
    roadmap: &str,
    item: &str,
) -> Result<(RoadmapView, IndicatorSubject), ApiError> {
    let roadmap = find_roadmap(connection, roadmap).await?;
    let subject = indicators::subject(connection, Some(roadmap.id), Key::parse(item))
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Indicator, key: item.to_string() })?;
    Ok((roadmap, subject))
}
