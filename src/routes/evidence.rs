//! Evidence (bukti dukung) of a realisation or of a milestone: file uploads, links, downloads
//! and removal.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use bytes::BytesMut;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::Caller;
use crate::db::evidence::{self, EvidenceRow, NewEvidence, Owner};
use crate::domain::evidence::{MAX_DESCRIPTION_CHARS, MAX_ITEMS_PER_OWNER, check_url, clean_file_name, detect_type};
use crate::error::{ApiError, FieldError, Problem, Resource};
use crate::http::extractors::{ApiQuery, parse_json};
use crate::http::idempotency::{Idempotency, IdempotencyKey, response};
use crate::routes::AppState;
use crate::routes::params::NoParams;
use crate::routes::plans::MilestonePath;
use crate::routes::realisations::RealisationPath;
use crate::services::audit;
use crate::services::plans;
use crate::services::realisations::{self as workflow, ActorRef, Actors, EvidenceView};

/// Room for the multipart framing and the description around the file, in bytes.
const MULTIPART_OVERHEAD: usize = 16_384;

/// A link given as evidence. The service never fetches it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceLink {
    /// An `http://` or `https://` address, up to 2000 characters.
    #[schema(example = "https://semarangkota.go.id/laporan/tw1-2023.pdf")]
    pub url: String,
    /// Up to 500 characters.
    pub description: Option<String>,
}

/// A file upload, sent as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file: PDF, JPEG, PNG or an office document, judged by its content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Up to 500 characters.
    description: Option<String>,
}

/// Path of an evidence item.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EvidencePath {
    /// Realisation id.
    pub id: i64,
    /// Evidence id.
    pub evidence: i64,
}

/// A file read from the request, checked.
struct UploadedFile {
    content: bytes::Bytes,
    name: String,
    media_type: &'static str,
    sha256: Vec<u8>,
    description: Option<String>,
}

/// Adds evidence to a draft or returned realisation of the caller's organisation: a file as
/// `multipart/form-data` (field `file`, optional `description`), or a link as JSON.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(RealisationPath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body(content(
        (EvidenceUpload = "multipart/form-data"),
        (EvidenceLink = "application/json"),
    )),
    responses(
        (status = 200, description = "The same file was uploaded before, and the earlier item is kept.", body = EvidenceView),
        (status = 201, description = "The new evidence item.", body = EvidenceView),
        (status = 400, description = "Malformed JSON or multipart body, or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for the realisation's organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation, or another organisation's draft.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The realisation is submitted or verified, or its period is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than PETAJALAN_EVIDENCE_MAX_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither multipart/form-data nor JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is empty, of a type not accepted, named as another type or with a path; the link is invalid; the realisation has 20 items already; or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or evidence store unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/realisations/{id}/evidence")]
pub async fn add_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<RealisationPath>,
    key: IdempotencyKey,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    add(state, caller, request, Owner::Realisation(path.id), key, payload).await
}

/// Downloads an evidence file, as an attachment with its stored type.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(EvidencePath),
    responses(
        (status = 200, description = "The file, byte for byte as uploaded.", content_type = "application/octet-stream"),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation or evidence, or the evidence is a link.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or evidence store unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/realisations/{id}/evidence/{evidence}/content")]
pub async fn download_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<EvidencePath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    download(state, caller, Owner::Realisation(path.id), path.evidence).await
}

/// Streams an evidence file of an owner the caller may see.
async fn download(state: web::Data<AppState>, caller: Caller, owner: Owner, id: i64) -> Result<HttpResponse, ApiError> {
    caller.require_read()?;
    let item = {
        let mut connection = state.pool.get().await?;
        require_reader(&mut connection, &caller, owner).await?;
        find(&mut connection, owner, id).await?
    };
    let (Some(key), Some(media_type), Some(name)) = (&item.storage_key, &item.media_type, &item.file_name) else {
        return Err(ApiError::NotFound { resource: Resource::Evidence, key: id.to_string() });
    };

    let stream = state.evidence.get(key).await.map_err(ApiError::ServiceUnavailable)?;
    let disposition = actix_web::http::header::ContentDisposition {
        disposition: actix_web::http::header::DispositionType::Attachment,
        parameters: vec![
            actix_web::http::header::DispositionParam::Filename(ascii_name(name)),
            actix_web::http::header::DispositionParam::FilenameExt(actix_web::http::header::ExtendedValue {
                charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.clone().into_bytes(),
            }),
        ],
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header((CONTENT_TYPE, media_type.as_str()))
        .insert_header(disposition)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .insert_header(("Cache-Control", "private, no-store"));
    if let Some(digest) = &item.sha256 {
        response.insert_header((actix_web::http::header::ETAG, format!("\"{}\"", hex(digest))));
    }
    if let Some(size) = item.size_bytes {
        response.no_chunking(size as u64);
    }
    Ok(response.streaming(stream))
}

/// Removes an evidence item from a draft or returned realisation; its record stays in the
/// history.
#[utoipa::path(
    tag = "realisations",
    security(("bearer" = [])),
    params(EvidencePath),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for the realisation's organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such realisation or evidence.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The realisation is submitted or verified, or its period is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/realisations/{id}/evidence/{evidence}")]
pub async fn remove_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<EvidencePath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    remove(state, caller, Owner::Realisation(path.id), path.evidence).await
}

/// Marks an evidence item of an owner the caller may change removed.
async fn remove(state: web::Data<AppState>, caller: Caller, owner: Owner, id: i64) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let mut connection = state.pool.get().await?;
    connection
        .transaction::<_, ApiError, _>(async |connection| {
            require_writer(connection, &caller, owner, now).await?;
            let item = find(connection, owner, id).await?;
            evidence::mark_removed(connection, item.id).await?;
            audit(connection, &caller, "evidence.remove", &item).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Checks that the caller may see the owner's evidence.
async fn require_reader(connection: &mut AsyncPgConnection, caller: &Caller, owner: Owner) -> Result<(), ApiError> {
    match owner {
        Owner::Realisation(id) => workflow::visible(connection, caller, id).await.map(drop),
        Owner::Milestone(id) => plans::visible_milestone(connection, caller, id).await.map(drop),
    }
}

/// Checks that the caller may add or remove the owner's evidence now, locking the owner's row
/// when inside a transaction.
async fn require_writer(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    owner: Owner,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    match owner {
        Owner::Realisation(id) => {
            let row = workflow::visible(connection, caller, id).await?;
            let row = crate::db::realisations::find_for_update(connection, row.id).await?.unwrap_or(row);
            workflow::require_editable(connection, caller, &row, now).await
        }
        Owner::Milestone(id) => plans::require_evidence_writer(connection, caller, id).await,
    }
}

async fn find(connection: &mut AsyncPgConnection, owner: Owner, id: i64) -> Result<EvidenceRow, ApiError> {
    evidence::find(connection, owner, id)
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Evidence, key: id.to_string() })
}

/// Path of a milestone's evidence item.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MilestoneEvidencePath {
    /// Milestone id.
    pub id: i64,
    /// Evidence id.
    pub evidence: i64,
}

/// Adds evidence to a milestone of a running plan: the plan's responsible organisation. A
/// file goes as `multipart/form-data` (field `file`, optional `description`), a link as JSON.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(MilestonePath, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.", min_length = 1, max_length = 255, pattern = "^[!-~]+$")),
    request_body(content(
        (EvidenceUpload = "multipart/form-data"),
        (EvidenceLink = "application/json"),
    )),
    responses(
        (status = 200, description = "The same file was uploaded before, and the earlier item is kept.", body = EvidenceView),
        (status = 201, description = "The new evidence item.", body = EvidenceView),
        (status = 400, description = "Malformed JSON or multipart body, or an invalid Idempotency-Key.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for the plan's responsible organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone, or one the caller's organisation has no part in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is cancelled or done.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than PETAJALAN_EVIDENCE_MAX_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither multipart/form-data nor JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is empty, of a type not accepted, named as another type or with a path; the link is invalid; the milestone has 20 items already; or the Idempotency-Key was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or evidence store unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/milestones/{id}/evidence")]
pub async fn add_milestone_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<MilestonePath>,
    key: IdempotencyKey,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    add(state, caller, request, Owner::Milestone(path.id), key, payload).await
}

/// Downloads an evidence file of a milestone, as an attachment with its stored type.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(MilestoneEvidencePath),
    responses(
        (status = 200, description = "The file, byte for byte as uploaded.", content_type = "application/octet-stream"),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone or evidence, or the evidence is a link.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or evidence store unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/milestones/{id}/evidence/{evidence}/content")]
pub async fn download_milestone_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<MilestoneEvidencePath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    download(state, caller, Owner::Milestone(path.id), path.evidence).await
}

/// Removes an evidence item from a milestone of a running plan; its record stays in the
/// history.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(MilestoneEvidencePath),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller does not report for the plan's responsible organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone or evidence.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is cancelled or done.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/milestones/{id}/evidence/{evidence}")]
pub async fn remove_milestone_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<MilestoneEvidencePath>,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    remove(state, caller, Owner::Milestone(path.id), path.evidence).await
}

/// Reads a multipart upload: exactly one `file` field and an optional `description`. A body
/// whose Content-Length is over the limit gets 413 before it is read. A body that passes the
/// limit while streaming gets 413 at that point.
async fn read_upload(request: &HttpRequest, payload: web::Payload, max_bytes: usize) -> Result<UploadedFile, ApiError> {
    let announced = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if announced.is_some_and(|length| length > max_bytes + MULTIPART_OVERHEAD) {
        return Err(ApiError::PayloadTooLarge { limit: max_bytes });
    }

    let mut multipart = Multipart::new(request.headers(), payload);
    let mut file: Option<(String, BytesMut)> = None;
    let mut description: Option<String> = None;
    while let Some(mut field) = multipart.try_next().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" if file.is_none() => {
                let file_name = field
                    .content_disposition()
                    .and_then(|disposition| disposition.get_filename())
                    .unwrap_or_default()
                    .to_string();
                let mut content = BytesMut::new();
                while let Some(chunk) = field.try_next().await.map_err(malformed)? {
                    if content.len() + chunk.len() > max_bytes {
                        return Err(ApiError::PayloadTooLarge { limit: max_bytes });
                    }
                    content.extend_from_slice(&chunk);
                }
                file = Some((file_name, content));
            }
            "description" if description.is_none() => {
                let mut text = BytesMut::new();
                while let Some(chunk) = field.try_next().await.map_err(malformed)? {
                    if text.len() + chunk.len() > MAX_DESCRIPTION_CHARS * 4 {
                        return Err(ApiError::InvalidBody(vec![description_error()]));
                    }
                    text.extend_from_slice(&chunk);
                }
                let text =
                    String::from_utf8(text.to_vec()).map_err(|_| ApiError::InvalidBody(vec![description_error()]))?;
                description = Some(text);
            }
            other => {
                return Err(ApiError::InvalidBody(vec![FieldError::new(
                    other,
                    "bagian tidak dikenal atau disebut dua kali; kirim satu file dan boleh satu description",
                    "unknown or repeated part; send one file and at most one description",
                )]));
            }
        }
    }

    let Some((file_name, content)) = file else {
        return Err(ApiError::InvalidBody(vec![FieldError::new("file", "wajib diisi", "is required")]));
    };
    let file_type = detect_type(&content).map_err(|error| ApiError::InvalidBody(vec![error]))?;
    let name = clean_file_name(&file_name, file_type).map_err(|error| ApiError::InvalidBody(vec![error]))?;
    let description = check_description(description.as_deref())?;

    // Hashing up to the size limit takes milliseconds of CPU, so it runs on the blocking pool.
    let content = content.freeze();
    let hashed = content.clone();
    let sha256 = web::block(move || Sha256::digest(&hashed).to_vec())
        .await
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("hashing an upload failed: {error}")))?;
    Ok(UploadedFile { content, name, media_type: file_type.media_type, sha256, description })
}

/// Reads a request body whole, with 413 as soon as it passes `limit` bytes.
pub(crate) async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<BytesMut, ApiError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = payload.try_next().await.map_err(|error| malformed(error.into()))? {
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn check_description(description: Option<&str>) -> Result<Option<String>, ApiError> {
    let description = description.map(str::trim).filter(|text| !text.is_empty());
    match description {
        Some(text) if text.chars().count() > MAX_DESCRIPTION_CHARS || text.chars().any(char::is_control) => {
            Err(ApiError::InvalidBody(vec![description_error()]))
        }
        other => Ok(other.map(str::to_string)),
    }
}

fn description_error() -> FieldError {
    FieldError::new(
        "description",
        format!("paling banyak {MAX_DESCRIPTION_CHARS} karakter, tanpa karakter kendali"),
        format!("must have at most {MAX_DESCRIPTION_CHARS} characters and no control characters"),
    )
}

fn malformed(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::MalformedBody(vec![FieldError::new(
        "body",
        format!("isi multipart/form-data tidak terbaca: {error}"),
        format!("the multipart/form-data body cannot be read: {error}"),
    )])
}

/// Replaces every character outside printable ASCII, for the plain `filename` parameter. The
/// `filename*` parameter carries the name in UTF-8.
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|character| if character.is_ascii_graphic() && character != '"' { character } else { '_' })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn actor(caller: &Caller) -> Option<ActorRef> {
    Some(ActorRef { user_id: caller.user_id(), client_id: caller.client_id(), name: caller.name().to_string() })
}

async fn audit(
    connection: &mut AsyncPgConnection,
    caller: &Caller,
    action: &str,
    item: &EvidenceRow,
) -> Result<(), ApiError> {
    let subject = item.owner().subject();
    audit::record(
        connection,
        caller,
        action,
        &subject,
        serde_json::json!({
            "evidence": item.id, "kind": item.kind, "file_name": item.file_name, "url": item.url,
            "sha256": item.sha256.as_deref().map(hex), "size_bytes": item.size_bytes,
        }),
    )
    .await?;
    Ok(())
}

/// Adds a file or a link to the evidence of an owner the caller may change.
async fn add(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    owner: Owner,
    key: IdempotencyKey,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if caller.reporting_organisation().is_none() {
        return Err(ApiError::Forbidden);
    }
    let now = state.clock.now();
    {
        let mut connection = state.pool.get().await?;
        require_writer(&mut connection, &caller, owner, now).await?;
    }

    let media_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<mime::Mime>().ok());
    let (new, file, fingerprint_source) = match media_type {
        Some(media) if media.type_() == mime::MULTIPART && media.subtype() == mime::FORM_DATA => {
            let file = read_upload(&request, payload, state.evidence_max_bytes).await?;
            let source = serde_json::json!({
                "sha256": hex(&file.sha256), "name": file.name, "description": file.description,
            });
            let new = NewEvidence {
                realisation_id: owner.realisation(),
                milestone_id: owner.milestone(),
                kind: "file".into(),
                url: None,
                file_name: Some(file.name.clone()),
                media_type: Some(file.media_type.to_string()),
                size_bytes: Some(file.content.len() as i64),
                sha256: Some(file.sha256.clone()),
                storage_key: None,
                description: file.description.clone(),
                added_by_user_id: caller.user_id(),
                added_by_client_id: caller.client_id(),
            };
            (new, Some(file.content), source)
        }
        Some(media) if media.subtype() == mime::JSON || media.suffix() == Some(mime::JSON) => {
            let bytes = read_limited(payload, MULTIPART_OVERHEAD).await?;
            let link: EvidenceLink = parse_json(&bytes)?;
            let url = check_url(&link.url).map_err(|error| ApiError::InvalidBody(vec![error]))?;
            let description = check_description(link.description.as_deref())?;
            let source = serde_json::json!({ "url": url, "description": description });
            let new = NewEvidence {
                realisation_id: owner.realisation(),
                milestone_id: owner.milestone(),
                kind: "link".into(),
                url: Some(url),
                file_name: None,
                media_type: None,
                size_bytes: None,
                sha256: None,
                storage_key: None,
                description,
                added_by_user_id: caller.user_id(),
                added_by_client_id: caller.client_id(),
            };
            (new, None, source)
        }
        _ => return Err(ApiError::UnsupportedMediaType { accepted: "multipart/form-data, application/json" }),
    };
    let idempotency =
        Idempotency::new(&caller, key, crate::http::idempotency::fingerprint(&request, &fingerprint_source))?;

    // The file goes to the store before the transaction, so that no connection waits on it. If
    // the record cannot be written, the file is removed again.
    let mut new = new;
    if let Some(content) = file {
        new.storage_key = Some(state.evidence.put(content).await.map_err(ApiError::ServiceUnavailable)?);
    }
    let stored_key = new.storage_key.clone();
    let result = async {
        let mut connection = state.pool.get().await?;
        connection
            .transaction::<_, ApiError, _>(async |connection| {
                if let Some(replay) = idempotency.replay(connection).await? {
                    return Ok((replay, false));
                }
                require_writer(connection, &caller, owner, now).await?;
                if let Some(digest) = &new.sha256
                    && let Some(earlier) = evidence::find_file_by_digest(connection, owner, digest).await?
                {
                    // The same bytes again, so the earlier item is kept and nothing new is stored.
                    let user_ids: Vec<i64> = earlier.added_by_user_id.into_iter().collect();
                    let client_ids: Vec<i64> = earlier.added_by_client_id.into_iter().collect();
                    let actors = Actors::load(connection, &user_ids, &client_ids).await?;
                    let added_by = actors.get(earlier.added_by_user_id, earlier.added_by_client_id);
                    let view = workflow::evidence_view(&earlier, added_by);
                    let stored = response(StatusCode::OK, &view, None, view.download.clone());
                    return Ok((idempotency.record(connection, stored).await?, false));
                }
                if evidence::count_active(connection, owner).await? >= MAX_ITEMS_PER_OWNER {
                    let field = if new.kind == "link" { "url" } else { "file" };
                    return Err(ApiError::InvalidBody(vec![FieldError::new(
                        field,
                        format!("satu realisasi atau tonggak paling banyak memuat {MAX_ITEMS_PER_OWNER} bukti dukung; hapus yang tidak perlu"),
                        format!("a realisation or milestone holds at most {MAX_ITEMS_PER_OWNER} evidence items; remove one first"),
                    )]));
                }
                let item = evidence::insert(connection, &new).await?;
                audit(connection, &caller, "evidence.add", &item).await?;
                let view = workflow::evidence_view(&item, actor(&caller));
                let location = view.download.clone();
                let stored = response(StatusCode::CREATED, &view, None, location);
                Ok((idempotency.record(connection, stored).await?, true))
            })
            .await
    }
    .await;
    match result {
        Ok((outcome, kept_file)) => {
            if !kept_file && let Some(key) = &stored_key {
                state.evidence.delete(key).await;
            }
            Ok(outcome.into_response())
        }
        Err(error) => {
            if let Some(key) = &stored_key {
                state.evidence.delete(key).await;
            }
            Err(error)
        }
    }
}
