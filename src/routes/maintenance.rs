//! Road map maintenance by the secretariat: changing an indicator's description, assignments and
//! reporting rules.

use actix_web::http::header::ETAG;
use actix_web::{HttpResponse, patch, web};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::CallerWithBody;
use crate::db::indicators;
use crate::db::organisations;
use crate::db::pool::Connection;
use crate::db::roadmaps::RoadmapNodes;
use crate::domain::indicator::{CombineRule, LowerRule, YearlyRule};
use crate::domain::key::Key;
use crate::error::{ApiError, FieldError, Problem, Resource};
use crate::http::extractors::{ApiJson, present};
use crate::http::idempotency::{IfMatch, etag};
use crate::routes::AppState;
use crate::routes::roadmaps::RoadmapItemPath;
use crate::routes::targets::find;
use crate::services::maintenance::{IndicatorUpdate, update_indicator};
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

/// Finds an organisation by the key a request gives, recording an error that names the field
/// when it names nothing.
async fn organisation_id(
    connection: &mut Connection,
    field: String,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<i64>, ApiError> {
    let found = organisations::find(connection, Key::parse(key)).await?.map(|organisation| organisation.id);
    if found.is_none() {
        errors.push(FieldError::new(
            field,
            format!("tidak ada organisasi dengan id atau kode {key:?}"),
            format!("there is no organisation with id or code {key:?}"),
        ));
    }
    Ok(found)
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
    let mut errors = Vec::new();
    let coordinator = match &body.coordinator {
        Some(Some(key)) => Some(organisation_id(connection, "coordinator".into(), key, &mut errors).await?),
        Some(None) => Some(None),
        None => None,
    };
    let reporting_unit = match &body.reporting_unit {
        Some(Some(key)) => Some(organisation_id(connection, "reporting_unit".into(), key, &mut errors).await?),
        Some(None) => Some(None),
        None => None,
    };
    let implementers = match &body.implementers {
        Some(keys) => {
            let mut ids = Vec::with_capacity(keys.len());
            for (index, key) in keys.iter().enumerate() {
                let field = format!("implementers[{index}]");
                if let Some(id) = organisation_id(connection, field.clone(), key, &mut errors).await? {
                    if ids.contains(&id) {
                        errors.push(FieldError::new(
                            field,
                            "organisasi ini sudah disebut",
                            "this organisation is listed already",
                        ));
                    }
                    ids.push(id);
                }
            }
            Some(ids)
        }
        None => None,
    };
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
