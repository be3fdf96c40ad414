//! Reporting periods (triwulan) of a road map, opened and managed by the secretariat.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::{AdminWithBody, Caller};
use crate::db::idempotency::StoredResponse;
use crate::db::organisations;
use crate::db::periods::{self, PeriodFields, PeriodRow};
use crate::domain::key::Key;
use crate::domain::lang::Lang;
use crate::domain::period::{LatePolicy, PeriodCode, PeriodState, period_code_hint};
use crate::error::{ApiError, FieldError, Problem, Resource};
use crate::http::extractors::{ApiJson, ApiQuery};
use crate::http::idempotency::{Idempotency, IdempotencyKey, IfMatch, etag, fingerprint, response};
use crate::routes::AppState;
use crate::routes::params::NoParams;
use crate::routes::roadmaps::{RoadmapPath, find_roadmap};
use crate::services::audit;
use crate::views::OrganisationRef;

/// Maximum length of an exception's reason, in characters.
const MAX_REASON_CHARS: usize = 2000;

/// A reporting period with its state today (Asia/Jakarta).
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    pub id: i64,
    /// Such as `2023-Q1`.
    #[schema(value_type = String, example = "2023-Q1")]
    pub period: PeriodCode,
    pub year: i32,
    pub quarter: i16,
    /// First day of reporting (WIB).
    pub opens_on: NaiveDate,
    /// Last day of reporting; it ends at 23:59:59 WIB.
    pub deadline: NaiveDate,
    pub late_policy: LatePolicy,
    pub state: PeriodState,
    pub locked_at: Option<DateTime<Utc>>,
    /// Organisations allowed to report after a closed deadline.
    pub exceptions: Vec<ExceptionView>,
    pub version: i32,
}

/// A closed period reopened for one organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: i64,
    pub organisation: Option<OrganisationRef>,
    /// Last day (WIB) on which the organisation may still submit.
    pub until: NaiveDate,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// A new reporting period.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePeriod {
    /// Year and quarter, such as `2023-Q1`.
    #[schema(example = "2023-Q1", pattern = "^(20[0-9]{2}|2100)-[Qq][1-4]$")]
    pub period: String,
    /// First day of reporting, `YYYY-MM-DD` (WIB).
    pub opens_on: NaiveDate,
    /// Last day of reporting, `YYYY-MM-DD` (WIB); submissions until 23:59:59 WIB are on time.
    pub deadline: NaiveDate,
    /// The treatment of first submissions after the deadline; `refuse` by default.
    pub late_policy: Option<LatePolicy>,
}

/// New settings of a period; fields left out keep their value.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePeriod {
    pub opens_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub late_policy: Option<LatePolicy>,
    /// `true` locks the period: nothing in it changes any more; `false` unlocks it.
    pub locked: Option<bool>,
}

/// An exception: a closed period reopened for one organisation.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateException {
    /// Id or code of the organisation.
    pub organisation: String,
    /// Last day (WIB) on which it may submit.
    pub until: NaiveDate,
    /// Why, for the record: 1 to 2000 characters.
    pub reason: String,
}

/// Path of a period.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PeriodPath {
    /// Road map id or code.
    pub roadmap: String,
    /// Year and quarter, such as `2023-Q1`.
    pub period: String,
}

/// Lists a road map's reporting periods.
#[utoipa::path(
    tag = "periods",
    security(("bearer" = [])),
    params(RoadmapPath),
    responses(
        (status = 200, description = "The periods, oldest first.", body = Vec<PeriodView>),
        (status = 400, description = "Unknown parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/periods")]
pub async fn list_periods(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<RoadmapPath>,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<Vec<PeriodView>>, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let rows = periods::list(&mut connection, roadmap.id).await?;
    Ok(web::Json(views(&mut connection, rows, state.clock.today()).await?))
}

/// Shows one period with its exceptions; `ETag` carries its version.
#[utoipa::path(
    tag = "periods",
    security(("bearer" = [])),
    params(PeriodPath),
    responses(
        (status = 200, description = "The period.", body = PeriodView),
        (status = 400, description = "Unknown parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or period.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/roadmaps/{roadmap}/periods/{period}")]
pub async fn get_period(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<PeriodPath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let row = find_period(&mut connection, &path).await?;
    let view = view(&mut connection, row, state.clock.today()).await?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::ETAG, etag(view.version))).json(view))
}

/// Opens a reporting period for a road map (admin).
#[utoipa::path(
    tag = "periods",
    security(("bearer" = [])),
    params(RoadmapPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreatePeriod,
    responses(
        (status = 201, description = "The new period.", body = PeriodView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin opens periods.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The road map already has this period.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/periods")]
pub async fn create_period(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreatePeriod>>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let code = body.period.parse::<PeriodCode>().ok();
    if code.is_none() {
        errors.push(FieldError::new("period", period_code_hint(Lang::Id), period_code_hint(Lang::En)));
    }
    check_dates(body.opens_on, body.deadline, &mut errors);
    let (Some(code), true) = (code, errors.is_empty()) else {
        return Err(ApiError::InvalidBody(errors));
    };
    let fields = PeriodFields {
        opens_on: body.opens_on,
        deadline: body.deadline,
        late_policy: body.late_policy.unwrap_or(LatePolicy::Refuse),
        locked_at: None,
    };
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let today = state.clock.today();

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    if !(roadmap.start_year..=roadmap.end_year).contains(&code.year) {
        return Err(ApiError::InvalidBody(vec![FieldError::new(
            "period",
            format!("tahun {} di luar masa peta jalan ({} sampai {})", code.year, roadmap.start_year, roadmap.end_year),
            format!(
                "year {} is outside the road map's years ({} to {})",
                code.year, roadmap.start_year, roadmap.end_year
            ),
        )]));
    }
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let row = periods::insert(connection, roadmap.id, code, &fields)
                .await?
                .ok_or_else(|| ApiError::Conflict { field: "period", what: code.to_string() })?;
            audit(connection, &caller, "period.create", &row, serde_json::json!({ "after": summary(&row) })).await?;
            let location = format!("/api/v1/roadmaps/{}/periods/{code}", roadmap.code);
            let view = view(connection, row, today).await?;
            let stored = response(StatusCode::CREATED, &view, Some(view.version), Some(location));
            idempotency.record(connection, stored).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Changes a period's dates or late policy, or locks or unlocks it (admin).
#[utoipa::path(
    tag = "periods",
    security(("bearer" = [])),
    params(PeriodPath, ("If-Match" = String, Header, description = "The ETag of the version the change is based on.")),
    request_body = UpdatePeriod,
    responses(
        (status = 200, description = "The changed period.", body = PeriodView),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin manages periods.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or period.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The period is locked; only unlocking is allowed.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match the current version.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/roadmaps/{roadmap}/periods/{period}")]
pub async fn update_period(
    state: web::Data<AppState>,
    path: web::Path<PeriodPath>,
    if_match: IfMatch,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<UpdatePeriod>>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let mut connection = state.pool.get().await?;
    let current = find_period(&mut connection, &path).await?;
    let view = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if_match.check(current.version)?;
            let changes_settings = body.opens_on.is_some() || body.deadline.is_some() || body.late_policy.is_some();
            let stays_locked = body.locked != Some(false);
            if current.locked_at.is_some() && stays_locked && (changes_settings || body.locked == Some(true)) {
                return Err(locked(&current));
            }
            let fields = PeriodFields {
                opens_on: body.opens_on.unwrap_or(current.opens_on),
                deadline: body.deadline.unwrap_or(current.deadline),
                late_policy: body.late_policy.unwrap_or_else(|| current.rules().late_policy),
                locked_at: match body.locked {
                    Some(true) => current.locked_at.or(Some(now)),
                    Some(false) => None,
                    None => current.locked_at,
                },
            };
            let mut errors = Vec::new();
            check_dates(fields.opens_on, fields.deadline, &mut errors);
            if !errors.is_empty() {
                return Err(ApiError::InvalidBody(errors));
            }
            let row = periods::update(connection, current.id, current.version, &fields)
                .await?
                .ok_or(ApiError::PreconditionFailed)?;
            let details = serde_json::json!({ "before": summary(&current), "after": summary(&row) });
            audit(connection, &caller, "period.update", &row, details).await?;
            view(connection, row, crate::clock::jakarta_date(now)).await
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header((actix_web::http::header::ETAG, etag(view.version))).json(view))
}

/// Reopens a closed period for one organisation until a day, on record (admin).
#[utoipa::path(
    tag = "periods",
    security(("bearer" = [])),
    params(PeriodPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body = CreateException,
    responses(
        (status = 201, description = "The period with the new exception.", body = PeriodView),
        (status = 400, description = "Malformed JSON or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin grants exceptions.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map or period.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The period is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/periods/{period}/exceptions")]
pub async fn create_exception(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<PeriodPath>,
    key: IdempotencyKey,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateException>>,
) -> Result<HttpResponse, ApiError> {
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &body))?;
    let today = state.clock.today();
    let mut connection = state.pool.get().await?;
    let period = find_period(&mut connection, &path).await?;
    let organisation = organisations::find(&mut connection, Key::parse(&body.organisation)).await?;

    let mut errors = Vec::new();
    if organisation.is_none() {
        errors.push(FieldError::new(
            "organisation",
            format!("tidak ada organisasi dengan id atau kode {:?}", body.organisation),
            format!("there is no organisation with id or code {:?}", body.organisation),
        ));
    }
    if body.until <= period.deadline || body.until < today {
        let earliest = (period.deadline + chrono::Days::new(1)).max(today);
        errors.push(FieldError::new(
            "until",
            format!(
                "harus sesudah batas waktu periode ({}) dan tidak sebelum hari ini: paling awal {earliest}",
                period.deadline
            ),
            format!(
                "must be after the period's deadline ({}) and not before today: {earliest} at the earliest",
                period.deadline
            ),
        ));
    }
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        errors.push(FieldError::new(
            "reason",
            format!("wajib, 1 sampai {MAX_REASON_CHARS} karakter"),
            format!("is required, 1 to {MAX_REASON_CHARS} characters"),
        ));
    }
    let (Some(organisation), true, Some(admin_id)) = (organisation, errors.is_empty(), caller.user_id()) else {
        return Err(ApiError::InvalidBody(errors));
    };
    if period.locked_at.is_some() {
        return Err(locked(&period));
    }
    let location = format!("/api/v1/roadmaps/{}/periods/{}", path.roadmap, period.code());

    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let exception =
                periods::insert_exception(connection, period.id, organisation.id, body.until, reason, admin_id).await?;
            let period = periods::bump_version(connection, period.id).await?;
            let details = serde_json::json!({
                "organisation": organisation.code, "until": exception.until, "reason": exception.reason,
            });
            audit(connection, &caller, "period.exception", &period, details).await?;
            let view = view(connection, period, today).await?;
            let stored: StoredResponse = response(StatusCode::CREATED, &view, Some(view.version), Some(location));
            idempotency.record(connection, stored).await
        })
        .await?;
    Ok(outcome.into_response())
}

fn locked(period: &PeriodRow) -> ApiError {
    ApiError::Refused {
        code: "period-locked",
        indonesian: format!(
            "periode {} terkunci; buka kuncinya dulu dengan {{\"locked\": false}} sebelum mengubahnya",
            period.code()
        ),
        english: format!("period {} is locked; unlock it with {{\"locked\": false}} before changing it", period.code()),
    }
}

fn check_dates(opens_on: NaiveDate, deadline: NaiveDate, errors: &mut Vec<FieldError>) {
    if deadline < opens_on {
        errors.push(FieldError::new("deadline", "tidak boleh sebelum opens_on", "must not be before opens_on"));
    }
}

async fn find_period(connection: &mut AsyncPgConnection, path: &PeriodPath) -> Result<PeriodRow, ApiError> {
    let roadmap = crate::db::roadmaps::find(connection, Key::parse(&path.roadmap))
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Roadmap, key: path.roadmap.clone() })?;
    let not_found = || ApiError::NotFound { resource: Resource::Period, key: path.period.clone() };
    let code = path.period.parse::<PeriodCode>().map_err(|()| not_found())?;
    periods::find(connection, roadmap.id, code).await?.ok_or_else(not_found)
}

async fn view(connection: &mut AsyncPgConnection, row: PeriodRow, today: NaiveDate) -> Result<PeriodView, ApiError> {
    let mut views = views(connection, vec![row], today).await?;
    Ok(views.remove(0))
}

/// Builds the views of periods with two queries, whatever their number.
async fn views(
    connection: &mut AsyncPgConnection,
    rows: Vec<PeriodRow>,
    today: NaiveDate,
) -> Result<Vec<PeriodView>, ApiError> {
    let period_ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut exceptions = periods::exceptions(connection, &period_ids).await?;
    let ids: Vec<i64> = exceptions.iter().map(|exception| exception.organisation_id).collect();
    let organisations = organisations::refs_by_id(connection, &ids).await?;
    Ok(rows.into_iter().map(|row| period_view(row, &mut exceptions, &organisations, today)).collect())
}

fn period_view(
    row: PeriodRow,
    exceptions: &mut Vec<periods::ExceptionRow>,
    organisations: &std::collections::HashMap<i64, OrganisationRef>,
    today: NaiveDate,
) -> PeriodView {
    let (own, others): (Vec<_>, Vec<_>) = exceptions.drain(..).partition(|exception| exception.period_id == row.id);
    *exceptions = others;
    let exceptions = own;
    PeriodView {
        id: row.id,
        period: row.code(),
        year: row.year,
        quarter: row.quarter,
        opens_on: row.opens_on,
        deadline: row.deadline,
        late_policy: row.rules().late_policy,
        state: row.rules().state(today),
        locked_at: row.locked_at,
        exceptions: exceptions
            .into_iter()
            .map(|exception| ExceptionView {
                id: exception.id,
                organisation: organisations.get(&exception.organisation_id).cloned(),
                until: exception.until,
                reason: exception.reason,
                created_at: exception.created_at,
            })
            .collect(),
        version: row.version,
    }
}

fn summary(row: &PeriodRow) -> serde_json::Value {
    serde_json::json!({
        "opens_on": row.opens_on, "deadline": row.deadline, "late_policy": row.late_policy,
        "locked_at": row.locked_at, "version": row.version,
    })
}

async fn audit(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    period: &PeriodRow,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let subject = format!("period:{}", period.code());
    audit::record(connection, caller, action, &subject, details).await?;
    Ok(())
}
