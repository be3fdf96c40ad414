//! Realisations: quarterly figures that implementers submit and coordinators verify.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::{Caller, CallerWithBody};
use crate::db::accounts;
use crate::db::indicators;
use crate::db::organisations;
use crate::db::periods;
use crate::db::realisations::{self, RealisationFilter};
use crate::domain::key::Key;
use crate::domain::pagination::Page;
use crate::domain::period::PeriodCode;
use crate::domain::realisation::{RealisationState, ValueInput, read_note, read_value};
use crate::error::{ApiError, FieldError, Problem};
use crate::export::{self, ReportFormat};
use crate::http::extractors::{ApiJson, ApiQuery, OptionalApiJson};
use crate::http::idempotency::{Idempotency, IdempotencyKey, IfMatch, etag, fingerprint};
use crate::routes::AppState;
use crate::routes::download::{FORMAT_NAMES, attachment, json_response, negotiate, render};
use crate::routes::params::{Checks, NoParams};
use crate::routes::roadmaps::{RoadmapPath, find_roadmap};
use crate::services::realisations::{
    self as workflow, ActorRef, Change, NewRealisationRequest, RealisationView, Report,
};

/// A value written as a JSON number or as a string in Indonesian notation (`"74,5"`,
/// `"1.077"`). For category and text indicators it is the category or the text.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum NumberOrText {
    Number(f64),
    Text(String),
}

/// A new realisation, submitted at once unless `submit` is false.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRealisation {
    /// Id or code of the indicator, such as `IND-38`.
    #[schema(example = "IND-38")]
    pub indicator: String,
    /// The reporting period, such as `2023-Q1`; a figure for the fourth quarter sent in January
    /// still names `2023-Q4`.
    #[schema(example = "2023-Q1")]
    pub period: String,
    /// The value, for indicators that are not computed from counts.
    #[schema(value_type = Option<NumberOrText>)]
    pub value: Option<serde_json::Value>,
    /// For rate indicators (`combine_rule` `ratio`): the count of cases, such as stunted children.
    #[schema(value_type = Option<NumberOrText>)]
    pub numerator: Option<serde_json::Value>,
    /// For rate indicators: the count measured, such as children weighed; greater than zero.
    #[schema(value_type = Option<NumberOrText>)]
    pub denominator: Option<serde_json::Value>,
    /// A grade or predicate beside the number, such as `BB`.
    pub grade: Option<String>,
    /// For indicators with a descriptive target: whether it is met.
    pub met: Option<bool>,
    /// Up to 2000 characters.
    pub note: Option<String>,
    /// `true` (the default) submits at once; `false` keeps a draft.
    #[serde(default = "submit_by_default")]
    pub submit: bool,
}

fn submit_by_default() -> bool {
    true
}

/// New values for a draft or returned realisation. The value fields (`value`, `numerator`,
/// `denominator`, `grade`, `met`) replace the value as a whole when any of them is given, and
/// leave it unchanged when none is. A `note` left out is kept; `null` or `""` clears it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRealisation {
    #[schema(value_type = Option<NumberOrText>)]
    pub value: Option<serde_json::Value>,
    #[schema(value_type = Option<NumberOrText>)]
    pub numerator: Option<serde_json::Value>,
    #[schema(value_type = Option<NumberOrText>)]
    pub denominator: Option<serde_json::Value>,
    pub grade: Option<String>,
    pub met: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::extractors::present")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

/// The verifier's note; required when returning.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewNote {
    /// Up to 2000 characters; when returning, what the reporter must correct.
    pub note: Option<String>,
}

/// Path of a realisation.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RealisationPath {
    /// Realisation id.
    pub id: i64,
}

/// Filters of the realisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RealisationParams {
    /// Only this period, such as `2023-Q1`.
    pub period: Option<String>,
    /// Only this indicator (id or code).
    pub indicator: Option<String>,
    /// Only this organisation's realisations (id or code).
    pub organisation: Option<String>,
    /// Only realisations in this state.
    #[param(value_type = Option<RealisationState>)]
    pub state: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Items per page, from 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub page_size: Option<String>,
    /// `json` (one page), or `csv` or `xlsx` (every realisation that passes the filters, at most
    /// 50 000, in the format of the bulk import). It overrides the `Accept` header.
    #[param(value_type = Option<ReportFormat>)]
    pub format: Option<String>,
}

/// One version of a realisation, as it stood after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub state: RealisationState,
    /// `create`, `edit`, `submit`, `verify` or `return`.
    pub action: String,
    pub actor: Option<ActorRef>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// The realisation as the API showed it after the change.
    #[schema(value_type = Object)]
    pub realisation: serde_json::Value,
}

impl From<&CreateRealisation> for ValueInput {
    fn from(body: &CreateRealisation) -> ValueInput {
        ValueInput {
            value: body.value.clone(),
            numerator: body.numerator.clone(),
            denominator: body.denominator.clone(),
            grade: body.grade.clone(),
            met: body.met,
        }
    }
}

impl From<&UpdateRealisation> for ValueInput {
    fn from(body: &UpdateRealisation) -> ValueInput {
        ValueInput {
            value: body.value.clone(),
            numerator: body.numerator.clone(),
            denominator: body.denominator.clone(),
            grade: body.grade.clone(),
            met: body.met,
        }
    }
}

/// Lists a road map's realisations; drafts only to their own organisation.
///
/// The `format` parameter, else the `Accept` header, picks JSON (the default, one page), CSV or
/// an Excel workbook. CSV and workbook hold every realisation that passes the filters, at most
/// 50 000, in the format of the bulk import (`POST .../realisations/bulk`): its Indonesian
/// column headers, figures in Indonesian notation, `kirim` `tidak` for a draft. `page` and
/// `page_size` apply to JSON only.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(RoadmapPath, RealisationParams),
    responses(
        (status = 200, description = "One page of realisations as JSON, or every matching realisation as CSV or an Excel workbook, as an attachment named like `realisasi-semarang-2023-2024-2023-Q1.csv`.",
            content(
                (Page<RealisationView> = "application/json"),
                (String = "text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the file name, for CSV and XLSX."),
                ("Vary" = String, description = "`Accept`, because the header picks the format."),
            ),
        ),
        (status = 400, description = "Invalid parameters, or more than 50 000 realisations for a CSV or XLSX file.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 406, description = "Without `format`, an `Accept` header that names none of `application/json`, `text/csv` and the XLSX media type.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/realisations")]
pub async fn list_realisations(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    query: ApiQuery<RealisationParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    let wanted_state = checks.choice::<RealisationState>(
        "state",
        params.state.as_deref(),
        &["draft", "submitted", "returned", "verified"],
    );
    let format = checks.choice::<ReportFormat>("format", params.format.as_deref(), &FORMAT_NAMES);
    let format = negotiate(&request, format);

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let mut filter = RealisationFilter {
        roadmap_id: roadmap.id,
        state: wanted_state.map(|state| state.as_ref().to_string()),
        visible_drafts_of: caller.reporting_organisation(),
        scope: caller.scope_organisation(),
        ..RealisationFilter::default()
    };
    // The filters as the file name shows them, by code.
    let mut named = Vec::new();
    if let Some(text) = params.period.as_deref() {
        let code = text.parse::<PeriodCode>();
        let period = match code {
            Ok(code) => periods::find(&mut connection, roadmap.id, code).await?.map(|period| period.id),
            Err(()) => None,
        };
        filter.period_id = checks.reference("period", Some(text), |_| period, "periode", "period");
        named.extend(code.ok().map(|code| code.to_string()));
    }
    if let Some(key) = params.indicator.as_deref() {
        let found = indicators::subject(&mut connection, Some(roadmap.id), Key::parse(key)).await?;
        named.extend(found.as_ref().map(|subject| subject.row.code.clone()));
        filter.indicator_id =
            checks.reference("indicator", Some(key), |_| found.map(|subject| subject.row.id), "indikator", "indicator");
    }
    if let Some(key) = params.organisation.as_deref() {
        let found = organisations::find(&mut connection, Key::parse(key)).await?;
        named.extend(found.as_ref().map(|organisation| organisation.code.clone()));
        filter.organisation_id = checks.reference(
            "organisation",
            Some(key),
            |_| found.map(|organisation| organisation.id),
            "organisasi",
            "organisation",
        );
    }
    named.extend(wanted_state.map(|state| state.as_ref().to_string()));
    checks.finish()?;
    let format = format?;

    if format == ReportFormat::Json {
        let (rows, total) = realisations::list(&mut connection, &filter, page).await?;
        let views = workflow::views(&mut connection, rows).await?;
        return Ok(json_response(&Page::new(views, page, total)));
    }
    let items = realisations::list_coded(&mut connection, &filter, export::realisations::MAX_ROWS as i64 + 1).await?;
    drop(connection);
    if items.len() > export::realisations::MAX_ROWS {
        return Err(too_many_to_export());
    }
    let file_name = export::realisations::file_name(&roadmap.code, &named, format);
    let body = match format {
        ReportFormat::Xlsx => render(move || export::xlsx::realisations_workbook(&items)).await?,
        _ => render(move || export::csv::realisations_csv(&items)).await?,
    };
    Ok(attachment(format, &file_name, body))
}

/// Refuses an export of more realisations than one file holds.
fn too_many_to_export() -> ApiError {
    let limit = export::realisations::MAX_ROWS;
    ApiError::InvalidParameters(vec![FieldError::new(
        "format",
        format!(
            "lebih dari {limit} realisasi cocok dengan filter; persempit dengan period, indicator, organisation atau state"
        ),
        format!(
            "more than {limit} realisations match the filters; narrow them with period, indicator, organisation or state"
        ),
    )])
}

/// Creates a realisation for the caller's organisation, submitted at once or as a draft. Send
/// an `Idempotency-Key` header to make a retry safe.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same body returns the first response.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateRealisation,
    responses(
        (status = 201, description = "The new realisation; `ETag` carries its version.", body = RealisationView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for an implementer of the indicator.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The period is closed, locked or not yet open, or the realisation exists.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/realisations")]
pub async fn create_realisation(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<CreateRealisation>>,
) -> Result<HttpResponse, ApiError> {
    if caller.reporting_organisation().is_none() {
        return Err(ApiError::Forbidden);
    }
    let note = read_note(body.note.as_deref(), "note", false).map_err(|error| ApiError::InvalidBody(vec![error]))?;
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let now = state.clock.now();

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let new = NewRealisationRequest {
                roadmap_id: roadmap.id,
                indicator: &body.indicator,
                period: &body.period,
                value: ValueInput::from(&body),
                note,
                submit: body.submit,
            };
            let (subject, period) = workflow::resolve_new(connection, &new).await?;
            workflow::require_reporter(&caller, &subject)?;
            let value = read_value(&new.value, workflow::value_rules(&subject)).map_err(ApiError::InvalidBody)?;
            let report = Report { value, note: new.note, submit: new.submit };
            let stored = workflow::create(connection, &caller, &subject, &period, report, now).await?;
            idempotency.record(connection, stored).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Shows a realisation with its evidence and achievement; `ETag` carries its version.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(RealisationPath),
    responses(
        (status = 200, description = "The realisation.", body = RealisationView),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation, or another organisation's draft.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/realisations/{id}")]
pub async fn get_realisation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RealisationPath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let row = workflow::visible(&mut connection, &caller, path.id).await?;
    let version = row.version;
    let view = workflow::views(&mut connection, vec![row]).await?.remove(0);
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::ETAG, etag(version))).json(view))
}

/// Shows every version of a realisation, oldest first.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(RealisationPath),
    responses(
        (status = 200, description = "The versions.", body = Vec<VersionView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation, or another organisation's draft.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/realisations/{id}/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RealisationPath>,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<Vec<VersionView>>, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let row = workflow::visible(&mut connection, &caller, path.id).await?;
    let versions = realisations::versions(&mut connection, row.id).await?;

    let user_ids: Vec<i64> = versions.iter().filter_map(|version| version.actor_user_id).collect();
    let client_ids: Vec<i64> = versions.iter().filter_map(|version| version.actor_client_id).collect();
    let (users, clients) = accounts::actor_names(&mut connection, &user_ids, &client_ids).await?;
    let views = versions
        .into_iter()
        .map(|version| VersionView {
            version: version.version,
            state: version.state.parse().unwrap_or(RealisationState::Draft),
            actor: match (version.actor_user_id, version.actor_client_id) {
                (Some(id), _) => {
                    users.get(&id).map(|name| ActorRef { user_id: Some(id), client_id: None, name: name.clone() })
                }
                (None, Some(id)) => {
                    clients.get(&id).map(|name| ActorRef { user_id: None, client_id: Some(id), name: name.clone() })
                }
                (None, None) => None,
            },
            action: version.action,
            recorded_at: version.recorded_at,
            realisation: version.snapshot,
        })
        .collect();
    Ok(web::Json(views))
}

/// Changes the value and note of a draft or returned realisation of the caller's organisation.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(RealisationPath, ("If-Match" = String, Header, description = "The ETag of the version the change is based on.")),
    request_body = UpdateRealisation,
    responses(
        (status = 200, description = "The changed realisation; `ETag` carries its new version.", body = RealisationView),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for the realisation's organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation, or another organisation's draft.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The realisation is submitted or verified, or its period is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/realisations/{id}")]
pub async fn update_realisation(
    state: web::Data<AppState>,
    path: web::Path<RealisationPath>,
    if_match: IfMatch,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<UpdateRealisation>>,
) -> Result<HttpResponse, ApiError> {
    let note = match &body.note {
        Some(note) => {
            Some(read_note(note.as_deref(), "note", false).map_err(|error| ApiError::InvalidBody(vec![error]))?)
        }
        None => None,
    };
    let value_given = body.value.is_some()
        || body.numerator.is_some()
        || body.denominator.is_some()
        || body.grade.is_some()
        || body.met.is_some();
    if !value_given && note.is_none() {
        return Err(ApiError::InvalidBody(vec![FieldError::new(
            "body",
            "tidak ada yang diubah: kirim value (atau numerator dan denominator) dan/atau note",
            "nothing to change: send value (or numerator and denominator) and/or note",
        )]));
    }
    let change = Change::Edit { value: value_given.then(|| Box::new(ValueInput::from(&body))), note };
    apply(&state, &caller, path.id, if_match, None, change).await
}

/// Submits a draft, or resubmits a returned realisation, for verification.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(
        RealisationPath,
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on."),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
    ),
    responses(
        (status = 200, description = "The submitted realisation.", body = RealisationView),
        (status = 400, description = "Unknown parameters or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for the realisation's organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation, or another organisation's draft.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The state does not allow it, or the period is closed or locked.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current version.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/realisations/{id}/submit")]
pub async fn submit_realisation(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<RealisationPath>,
    if_match: IfMatch,
    key: IdempotencyKey,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &()))?;
    apply(&state, &caller, path.id, if_match, Some(idempotency), Change::Submit).await
}

/// Verifies a submitted realisation: the indicator's coordinator, or the secretariat where the
/// coordinator reported the figure itself.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(
        RealisationPath,
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on."),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
    ),
    request_body(content = Option<ReviewNote>, description = "Optional; a request without a body verifies without a note."),
    responses(
        (status = 200, description = "The verified realisation.", body = RealisationView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not verify this realisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The realisation is not submitted, or the period is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The note is too long, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/realisations/{id}/verify")]
pub async fn verify_realisation(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RealisationPath>,
    if_match: IfMatch,
    key: IdempotencyKey,
    CallerWithBody(caller, OptionalApiJson(body)): CallerWithBody<OptionalApiJson<ReviewNote>>,
) -> Result<HttpResponse, ApiError> {
    let note = read_note(body.note.as_deref(), "note", false).map_err(|error| ApiError::InvalidBody(vec![error]))?;
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    apply(&state, &caller, path.id, if_match, Some(idempotency), Change::Verify { note }).await
}

/// Returns a submitted realisation to its organisation with the reason, for correction.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(
        RealisationPath,
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on."),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
    ),
    request_body = ReviewNote,
    responses(
        (status = 200, description = "The returned realisation.", body = RealisationView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not verify this realisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The realisation is not submitted, or the period is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The note is missing or too long, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/realisations/{id}/return")]
pub async fn return_realisation(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RealisationPath>,
    if_match: IfMatch,
    key: IdempotencyKey,
    CallerWithBody(caller, ApiJson(body)): CallerWithBody<ApiJson<ReviewNote>>,
) -> Result<HttpResponse, ApiError> {
    let note = read_note(body.note.as_deref(), "note", true)
        .map_err(|error| ApiError::InvalidBody(vec![error]))?
        .unwrap_or_default();
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    apply(&state, &caller, path.id, if_match, Some(idempotency), Change::Return { note }).await
}

/// Runs one change in a transaction, replaying an earlier response under the same key.
async fn apply(
    state: &AppState,
    caller: &Caller,
    id: i64,
    if_match: IfMatch,
    idempotency: Option<Idempotency>,
    change: Change,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let mut connection = state.pool.get().await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(idempotency) = &idempotency
                && let Some(replay) = idempotency.replay(connection).await?
            {
                return Ok(replay);
            }
            let stored =
                workflow::change(connection, caller, id, |version| if_match.check(version), change, now).await?;
            match &idempotency {
                Some(idempotency) => idempotency.record(connection, stored).await,
                None => Ok(crate::http::idempotency::Outcome { stored, replayed: false }),
            }
        })
        .await?;
    Ok(outcome.into_response())
}
