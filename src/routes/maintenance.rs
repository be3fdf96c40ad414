//! Road map maintenance by the secretariat: creating indicators, and changing an indicator's
//! description, assignments and reporting rules.

use actix_web::http::StatusCode;
use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::{AdminWithBody, CallerWithBody};
use crate::db::indicators;
use crate::db::pool::Connection;
use crate::db::roadmaps::RoadmapNodes;
use crate::domain::indicator::{CombineRule, Direction, LowerRule, ValueKind, YearlyRule};
use crate::domain::key::Key;
use crate::error::{ApiError, FieldError, Problem, Resource};
use crate::http::extractors::{ApiJson, present};
use crate::http::idempotency::{Idempotency, IdempotencyKey, IfMatch, etag, fingerprint, response};
use crate::routes::AppState;
use crate::routes::roadmaps::{RoadmapItemPath, RoadmapPath, find_roadmap};
use crate::routes::targets::find;
use crate::services::maintenance::{
    IndicatorDraft, IndicatorUpdate, PlacementRequest, create_indicator as create, update_indicator,
};
use crate::services::references::OrganisationKeys;
use crate::views::IndicatorView;

/// Changes to an indicator; fields left out keep their value, and `null` clears an optional one.
/// Organisations are given by id or code.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIndicator {
    /// 1 to 1000 characters.
    pub name: Option<String>,
    /// 1 to 100 characters.
    pub unit: Option<String>,
    pub yearly_rule: Option<YearlyRule>,
    /// The coordinating organisation; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub coordinator: Option<Option<String>>,
    /// The implementing organisations, replacing the current list.
    pub implementers: Option<Vec<String>>,
    pub combine_rule: Option<CombineRule>,
    /// The reporting unit of the `designated` rule: the coordinator or an implementer.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub reporting_unit: Option<Option<String>>,
    pub lower_rule: Option<LowerRule>,
    /// Up to 2000 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

/// Changes an indicator's description, coordinator, implementers and reporting rules (admin).
/// Its value kind and direction stay as imported, and its code never changes.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(RoadmapItemPath, ("If-Match" = String, Header, description = "The indicator's version, as its `version` field gives it, in quotes.")),
    request_body = UpdateIndicator,
    responses(
        (status = 200, description = "The changed indicator; `ETag` carries its new version.", body = IndicatorView),
        (status = 400, description = "Malformed JSON or If-Match.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The indicator is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the indicator's version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; the problem names it.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/roadmaps/{roadmap}/indicators/{item}")]
pub async fn patch_indicator(
    state: web::Data<AppState>,
    path: web::Path<RoadmapItemPath>,
    if_match: IfMatch,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<UpdateIndicator>>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let mut connection = state.pool.get().await?;
    let (roadmap, subject) = find(&mut connection, &path.roadmap, &path.item).await?;
    let update = resolve(&mut connection, body).await?;
    connection
        .transaction::<_, ApiError, _>(async |connection| {
            update_indicator(connection, &caller, &subject, update, |version| if_match.check(version)).await
        })
        .await?;

    let nodes = RoadmapNodes::load(&mut connection, roadmap.id).await?;
    let view = indicators::find(&mut connection, roadmap.id, Key::Id(subject.row.id), &nodes)
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Indicator, key: path.item.clone() })?;
    Ok(HttpResponse::Ok().insert_header((ETAG, etag(view.version))).json(view))
}

/// A new indicator. Organisations and places are given by id or code. Its targets are set
/// afterwards with `PUT .../indicators/{item}/targets/{year}`, each with its reason and
/// reference.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIndicator {
    /// Letters, digits, dots and hyphens, starting with a letter; at most 32 characters. It never
    /// changes.
    #[schema(example = "IND-50")]
    pub code: String,
    /// 1 to 1000 characters.
    pub name: String,
    /// 1 to 100 characters.
    #[schema(example = "persen")]
    pub unit: String,
    pub value_kind: ValueKind,
    pub direction: Direction,
    pub yearly_rule: YearlyRule,
    /// Chosen from the value kind and the number of implementers when left out, as in the data
    /// file: `sum` for counts and amounts, `ratio` for percentages, else `designated`.
    pub combine_rule: Option<CombineRule>,
    /// `difference` when left out.
    pub lower_rule: Option<LowerRule>,
    /// The coordinating organisation.
    pub coordinator: Option<String>,
    /// The implementing organisations.
    #[serde(default)]
    pub implementers: Vec<String>,
    /// The reporting unit of the `designated` rule; the first implementer when left out.
    pub reporting_unit: Option<String>,
    /// Up to 2000 characters.
    pub note: Option<String>,
    /// The places in the tree where the indicator is shown, at least one, such as
    /// `[{"activity": "K1.04"}]`.
    pub placements: Vec<PlacementRequest>,
    /// The baseline as printed, in Indonesian notation, for the road map's baseline year.
    #[schema(example = "74,00")]
    pub baseline: Option<String>,
}

/// Creates an indicator at the end of the road map's indicators (admin), with its assignments,
/// placements and baseline. A retired goal, objective or activity takes no new indicator.
/// Targets are set afterwards through `PUT .../indicators/{item}/targets/{year}`, so that each
/// is on record with its reason.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateIndicator,
    responses(
        (status = 201, description = "The new indicator; `Location` names it and `ETag` carries its version.", body = IndicatorView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin changes the road map.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The road map has an indicator with this code (the problem names `code`), or a place is retired.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, a place or organisation does not exist, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/indicators")]
pub async fn create_indicator(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateIndicator>>,
) -> Result<HttpResponse, ApiError> {
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let draft = resolve_draft(&mut connection, &body).await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let id = create(connection, &caller, &roadmap, draft).await?;
            let nodes = RoadmapNodes::load(connection, roadmap.id).await?;
            let view = indicators::find(connection, roadmap.id, Key::Id(id), &nodes)
                .await?
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("indicator {id} is missing after its insert")))?;
            let location = format!("/api/v1/roadmaps/{}/indicators/{}", roadmap.code, view.code);
            idempotency
                .record(connection, response(StatusCode::CREATED, &view, Some(view.version), Some(location)))
                .await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Resolves the organisations a new indicator names, with an error per key that names nothing.
async fn resolve_draft(connection: &mut Connection, body: &CreateIndicator) -> Result<IndicatorDraft, ApiError> {
    let single = [&body.coordinator, &body.reporting_unit].into_iter().flatten().map(String::as_str);
    let mut keys =
        OrganisationKeys::load(connection, single.chain(body.implementers.iter().map(String::as_str))).await?;
    let coordinator = body.coordinator.as_deref().and_then(|key| keys.id("coordinator", key));
    let reporting_unit = body.reporting_unit.as_deref().and_then(|key| keys.id("reporting_unit", key));
    let implementers = keys.list("implementers", &body.implementers);
    let errors = keys.take_errors();
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    Ok(IndicatorDraft {
        code: body.code.clone(),
        name: body.name.clone(),
        unit: body.unit.clone(),
        value_kind: body.value_kind,
        direction: body.direction,
        yearly_rule: body.yearly_rule,
        combine_rule: body.combine_rule,
        lower_rule: body.lower_rule.unwrap_or(LowerRule::Difference),
        coordinator,
        implementers,
        reporting_unit,
        note: body.note.clone(),
        placements: body.placements.clone(),
        baseline: body.baseline.clone(),
    })
}

/// Resolves the organisations a request names, with an error per key that names nothing.
async fn resolve(connection: &mut Connection, body: UpdateIndicator) -> Result<IndicatorUpdate, ApiError> {
    let empty = body.name.is_none()
        && body.unit.is_none()
        && body.yearly_rule.is_none()
        && body.coordinator.is_none()
        && body.implementers.is_none()
        && body.combine_rule.is_none()
        && body.reporting_unit.is_none()
        && body.lower_rule.is_none()
        && body.note.is_none();
    if empty {
        return Err(ApiError::InvalidBody(vec![FieldError::new(
            "body",
            "tidak ada yang diubah: kirim paling sedikit satu kolom",
            "nothing to change: send at least one field",
        )]));
    }
    let single = [&body.coordinator, &body.reporting_unit].into_iter().flatten().flatten().map(String::as_str);
    let listed = body.implementers.iter().flatten().map(String::as_str);
    let mut keys = OrganisationKeys::load(connection, single.chain(listed)).await?;
    let coordinator = keys.change("coordinator", body.coordinator.as_ref().map(Option::as_deref));
    let reporting_unit = keys.change("reporting_unit", body.reporting_unit.as_ref().map(Option::as_deref));
    let implementers = body.implementers.as_ref().map(|list| keys.list("implementers", list));
    let errors = keys.take_errors();
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }

    Ok(IndicatorUpdate {
        name: body.name,
        unit: body.unit,
        yearly_rule: body.yearly_rule,
        coordinator,
        implementers,
        combine_rule: body.combine_rule,
        reporting_unit,
        lower_rule: body.lower_rule,
        note: body.note,
    })
}
