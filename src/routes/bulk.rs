//! Bulk imports from a CSV file or an XLSX workbook: realisations, and targets for the
//! secretariat. Both read the file the same way and store all rows in one transaction, or none.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::auth::caller::Caller;
use crate::db::idempotency::StoredResponse;
use crate::domain::bulk::realisations::{RealisationFile, read_realisations};
use crate::domain::bulk::targets::{TargetFile, read_targets};
use crate::domain::bulk::{FileFormat, Sheet, read_sheet};
use crate::error::{ApiError, FieldError, Problem};
use crate::export::format::XLSX_MEDIA_TYPE;
use crate::http::extractors::ApiQuery;
use crate::http::idempotency::{Idempotency, IdempotencyKey, Outcome, fingerprint, response};
use crate::routes::AppState;
use crate::routes::evidence::read_limited;
use crate::routes::params::Checks;
use crate::routes::roadmaps::{RoadmapPath, find_roadmap};
use crate::services::bulk::realisations::{self as realisation_import, BulkSummary};
use crate::services::bulk::targets::{self as target_import, TargetBulkSummary};

/// The media types a bulk import reads, for the 415 message.
const ACCEPTED_MEDIA_TYPES: &str = "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

/// Creates the realisations of a CSV file or an XLSX workbook, one per data row, under the
/// rules and permissions of a single submission. Every row is checked first: if any is wrong,
/// nothing is stored and the 422 response lists each wrong row by `line` and column (`field`).
/// Otherwise all rows are stored in one transaction.
///
/// The header row names the columns, in Indonesian or English: `indikator`/`indicator` (id or
/// code), `periode`/`period` (`2023-Q1`), `nilai`/`value` (Indonesian notation such as `74,5`
/// or `1.077`, or a whole number), `pembilang`/`numerator` and `penyebut`/`denominator` (rate
/// indicators), `predikat`/`grade`, `tercapai`/`met` (`true`/`false` or `ya`/`tidak`),
/// `catatan`/`note`, and `kirim`/`submit` (`true` by default; `false` keeps a draft). CSV cells
/// are separated by commas, or by semicolons when the header row has no comma. A workbook is
/// read from its first sheet, whose first filled row is the header row. Lines are its row
/// numbers, and number cells are numbers (`74.5` is seventy-four and a half). TRUE and FALSE
/// cells are flags, and date cells are rejected. The body may have at most `PETAJALAN_BULK_MAX_BYTES`
/// bytes (2 MiB by default) and 5000 data rows. A dry run ignores `Idempotency-Key`. The CSV
/// export of `GET .../realisations?format=csv` is a file this route reads back.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(
        RoadmapPath,
        BulkParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same file returns the first response.", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
    ),
    request_body(
        description = "The header row, then one row per realisation, as CSV or as the first sheet of a workbook.",
        content(
            (String = "text/csv", example = "indikator,periode,nilai,predikat\nIND-05,2023-Q1,\"76,5\",BB\n"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ),
    responses(
        (status = 200, description = "Dry run: every row is valid; nothing was stored.", body = BulkSummary),
        (status = 201, description = "Every row was stored.", body = BulkSummary),
        (status = 400, description = "Invalid parameters or Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller reports for no organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A period closed or a realisation appeared between the check and the storing; nothing was stored.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_BULK_MAX_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither text/csv nor an XLSX workbook's media type.", body = Problem, content_type = "application/problem+json"),
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
    let dry_run = read_params(&params)?;
    let (upload, digest) =
        receive(&state, &request, payload, |sheet| read_realisations(sheet).map(Upload::Realisations)).await?;
    store(&state, &caller, &request, &path.roadmap, (key, digest), dry_run, upload).await
}

/// Sets or revises many yearly and quarterly targets from a CSV file or an XLSX workbook, one
/// per data row, with the rules of a single revision (`PUT .../indicators/{item}/targets/{year}`):
/// the secretariat only. Every row is checked first: if any is wrong, nothing is stored and the
/// 422 response lists each wrong row by `line` and column (`field`). Otherwise all targets are
/// stored in one transaction, each with a revision in the target's history and an audit record.
///
/// The header row names the columns, in Indonesian or English: `indikator`/`indicator` (id or
/// code), `tahun`/`year`, `triwulan`/`quarter` (1 to 4; blank for the year's own target),
/// `target` (as it would be printed, in Indonesian notation: `950 orang`, `74,5`, `>74/BB`,
/// `WTP`, `NA`), `alasan`/`reason` and `rujukan`/`reference`. A row replaces the current
/// target whatever its version, so no `If-Match` is needed; a file may name each target once.
/// Files are read as by the bulk import of realisations, with the same limits.
#[utoipa::path(
    tag = "indicators",
    security(("bearer" = [])),
    params(
        RoadmapPath,
        BulkParams,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the same file returns the first response.", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
    ),
    request_body(
        description = "The header row, then one row per target, as CSV or as the first sheet of a workbook.",
        content(
            (String = "text/csv", example = "indikator,tahun,triwulan,target,alasan,rujukan\nIND-40,2024,,950 orang,Angka P3KE 2024 telah ditetapkan,\"Data P3KE Kemenko PMK, Maret 2024\"\n"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ),
    responses(
        (status = 200, description = "Dry run: every row is valid; nothing was stored.", body = TargetBulkSummary),
        (status = 201, description = "Every target was set or revised.", body = TargetBulkSummary),
        (status = 400, description = "Invalid parameters or Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the secretariat (admin) imports targets.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such road map.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_BULK_MAX_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither text/csv nor an XLSX workbook's media type.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file or some of its rows are invalid, or the Idempotency-Key was used for another request. `errors` lists every problem with its `line` and column; a retired indicator and a target named twice are among them.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/roadmaps/{roadmap}/targets/bulk")]
pub async fn import_targets(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<RoadmapPath>,
    ApiQuery(params): ApiQuery<BulkParams>,
    key: IdempotencyKey,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let dry_run = read_params(&params)?;
    let (upload, digest) = receive(&state, &request, payload, |sheet| read_targets(sheet).map(Upload::Targets)).await?;
    store(&state, &caller, &request, &path.roadmap, (key, digest), dry_run, upload).await
}

/// A file read and interpreted for its import.
enum Upload {
    Realisations(RealisationFile),
    Targets(TargetFile),
}

fn read_params(params: &BulkParams) -> Result<bool, ApiError> {
    let mut checks = Checks::default();
    let dry_run = checks.flag("dry_run", params.dry_run.as_deref()).unwrap_or(false);
    checks.finish()?;
    Ok(dry_run)
}

/// Reads the body in the format its `Content-Type` names, and interprets it with `interpret`.
/// Returns it with the SHA-256 of the body, which represents the body in the idempotency
/// fingerprint.
async fn receive(
    state: &AppState,
    request: &HttpRequest,
    payload: web::Payload,
    interpret: fn(Sheet) -> Result<Upload, Vec<FieldError>>,
) -> Result<(Upload, String), ApiError> {
    let format = file_format(request)?;
    let bytes = read_file(request, payload, state.bulk_max_bytes).await?;

    // Parsing and hashing a file of up to the size limit is CPU work, so it runs on the
    // blocking pool.
    web::block(move || {
        let digest: String = Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect();
        read_sheet(&bytes, format).and_then(interpret).map(|upload| (upload, digest))
    })
    .await
    .map_err(|error| ApiError::Internal(anyhow::anyhow!("reading a bulk file failed: {error}")))?
    .map_err(ApiError::InvalidBody)
}

/// Runs the import in one transaction. A dry run returns 200 and ignores the idempotency key.
/// An import returns 201 and stores its response under the key.
async fn store(
    state: &AppState,
    caller: &Caller,
    request: &HttpRequest,
    roadmap: &str,
    (key, digest): (IdempotencyKey, String),
    dry_run: bool,
    upload: Upload,
) -> Result<HttpResponse, ApiError> {
    let idempotency = Idempotency::new(caller, key, fingerprint(request, &serde_json::json!({ "sha256": digest })))?;
    let now = state.clock.now();
    let status = if dry_run { StatusCode::OK } else { StatusCode::CREATED };

    let mut connection = state.pool.get().await?;
    let roadmap = find_roadmap(&mut connection, roadmap).await?;
    let outcome = connection
        .transaction::<_, ApiError, _>(async |connection| {
            if !dry_run && let Some(replay) = idempotency.replay(connection).await? {
                return Ok(replay);
            }
            let stored: StoredResponse = match upload {
                Upload::Realisations(file) => {
                    let summary =
                        realisation_import::import(connection, caller, roadmap.id, file, dry_run, now).await?;
                    response(status, &summary, None, None)
                }
                Upload::Targets(file) => {
                    let summary = target_import::import(connection, caller, &roadmap, file, dry_run, now).await?;
                    response(status, &summary, None, None)
                }
            };
            if dry_run {
                return Ok(Outcome { stored, replayed: false });
            }
            idempotency.record(connection, stored).await
        })
        .await?;
    Ok(outcome.into_response())
}

/// Reads the file's format from `Content-Type`: CSV or an XLSX workbook, else 415.
fn file_format(request: &HttpRequest) -> Result<FileFormat, ApiError> {
    let media = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok());
    match media.as_ref().map(mime::Mime::essence_str) {
        Some("text/csv") => Ok(FileFormat::Csv),
        Some(XLSX_MEDIA_TYPE) => Ok(FileFormat::Xlsx),
        _ => Err(ApiError::UnsupportedMediaType { accepted: ACCEPTED_MEDIA_TYPES }),
    }
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
