//! Bulk import of realisations from a CSV file.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::auth::caller::Caller;
use crate::domain::bulk;
use crate::error::{ApiError, Problem};
use crate::http::extractors::ApiQuery;
use crate::http::idempotency::{Idempotency, IdempotencyKey, Outcome, fingerprint, response};
use crate::routes::AppState;
use crate::routes::evidence::read_limited;
use crate::routes::params::Checks;
use crate::routes::roadmaps::{RoadmapPath, find_roadmap};
use crate::services::bulk::{self as import, BulkSummary};

/// The media type of the file.
const CSV: &str = "text/csv";

/// Options of a bulk import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BulkParams {
    /// `true` checks the file and reports as an import would, but stores nothing (default
    /// `false`).
    #[param(value_type = Option<bool>)]
    pub dry_run: Option<String>,
}

/// Creates the realisations of a CSV file, one per data row, under the rules and permissions
/// of a single submission. Every row is checked first: if any is wrong, nothing is stored and
/// the 422 response lists each wrong row by `line` and column (`field`). Otherwise all rows are
/// stored in one transaction.
///
/// The header row names the columns, in Indonesian or English: `indikator`/`indicator` (id or
/// code), `periode`/`period` (`2023-Q1`), `nilai`/`value` (Indonesian notation such as `74,5`
/// or `1.077`, or a whole number), `pembilang`/`numerator` and `penyebut`/`denominator` (rate
/// indicators), `predikat`/`grade`, `tercapai`/`met` (`true`/`false` or `ya`/`tidak`),
/// `catatan`/`note`, and `kirim`/`submit` (`true` by default; `false` keeps a draft). Cells are
/// separated by commas, or by semicolons when the header row has no comma. The body may have
/// at most `PETAJALAN_BULK_MAX_BYTES` bytes (2 MiB by default) and 5000 data rows. A dry run
/// ignores `Idempotency-Key`.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(
        RoadmapPath,
        BulkParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same file returns the first response."),
    ),
    request_body(content = String, content_type = "text/csv", description = "The header row, then one row per realisation.", example = "indikator,periode,nilai,predikat\nIND-05,2023-Q1,\"76,5\",BB\n"),
    responses(
        (status = 200, description = "Dry run: every row is valid; nothing was stored.", body = BulkSummary),
        (status = 201, description = "Every row was stored.", body = BulkSummary),
        (status = 400, description = "Invalid parameters or Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller reports for no organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A period closed or a realisation appeared between the check and the storing; nothing was stored.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_BULK_MAX_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not text/csv.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file or some of its rows are invalid, or the Idempotency-Key was used for another request. `errors` lists every problem with its `line` and column; a row for an indicator the caller's organisation does not report is one of them.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/realisations/bulk")]
pub async fn import_realisations(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    ApiQuery(params): ApiQuery<BulkParams>,
    key: IdempotencyKey,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if caller.reporting_organisation().is_none() {
        return Err(ApiError::Forbidden);
    }
    let mut checks = Checks::default();
    let dry_run = checks.flag("dry_run", params.dry_run.as_deref()).unwrap_or(false);
    checks.finish()?;
    require_csv(&request)?;
    let bytes = read_file(&request, payload, state.bulk_max_bytes).await?;

    // Parsing and hashing a file of up to the size limit is CPU work, so it runs on the
    // blocking pool.
    let (file, digest) = web::block(move || {
        let digest: String = Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect();
        bulk::read_csv(&bytes).map(|file| (file, digest))
    })
    .await
    .map_err(|error| ApiError::Internal(anyhow::anyhow!("reading a bulk file failed: {error}")))?
    .map_err(ApiError::InvalidBody)?;
    let idempotency = Idempotency::new(&caller, key, fingerprint(&request, &serde_json::json!({ "sha256": digest })));
    let now = state.clock.now();

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, &path.roadmap).await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if dry_run {
                let summary = import::import(connection, &caller, roadmap.id, file, true, now).await?;
                return Ok(Outcome { stored: response(StatusCode::OK, &summary, None, None), replayed: false });
            }
            if let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let summary = import::import(connection, &caller, roadmap.id, file, false, now).await?;
            idempotency.record(connection, response(StatusCode::CREATED, &summary, None, None)).await
        })
        .await?;
    Ok(outcome.into_response())
}

fn require_csv(request: &HttpRequest) -> Result<(), ApiError> {
    let is_csv = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok())
        .is_some_and(|media| media.essence_str() == CSV);
    if is_csv { Ok(()) } else { Err(ApiError::UnsupportedMediaType { accepted: CSV }) }
}

/// Reads the file: 413 before reading when `Content-Length` is over the limit, and as soon as
/// the streamed body passes it otherwise.
async fn read_file(request: &HttpRequest, payload: web::Payload, max_bytes: usize) -> Result<web::BytesMut, ApiError> {
    let announced = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if announced.is_some_and(|length| length > max_bytes) {
        return Err(ApiError::PayloadTooLarge { limit: max_bytes });
    }
    read_limited(payload, max_bytes).await
}
