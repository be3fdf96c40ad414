//! The one error type of the HTTP API and its problem+json body (RFC 9457).
//!
//! Handlers return `ApiError`. Its status is decided here, once; its body is written by
//! `http::problem::render_problems`, which has the request's language, path and id. Causes of
//! internal errors go to the log and never to the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::lang::Lang;

/// An error that the API reports to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{resource:?} {key:?} not found")]
    NotFound { resource: Resource, key: String },
    #[error("no route for this path")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The methods the path accepts, for the `Allow` header; empty when unknown.
        allowed: Vec<&'static str>,
    },
    #[error("invalid request parameters")]
    InvalidParameters(Vec<FieldError>),
    #[error("invalid request body")]
    InvalidBody(Vec<FieldError>),
    #[error("malformed request body")]
    MalformedBody(Vec<FieldError>),
    /// The body's `Content-Type` is not one the route reads; `accepted` names those it reads.
    #[error("unsupported content type; expected {accepted}")]
    UnsupportedMediaType { accepted: &'static str },
    /// The `Accept` header names no representation that the route can send.
    #[error("no acceptable representation among {offered}")]
    NotAcceptable { offered: &'static str },
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The client did not send the whole body within the body deadline.
    #[error("request body not received within {seconds} s")]
    RequestTimeout { seconds: u64 },
    #[error("authentication required or failed: {0:?}")]
    Unauthorized(AuthFailure),
    #[error("wrong username, password, client id or secret")]
    InvalidCredentials,
    #[error("the caller may not do this")]
    Forbidden,
    /// Forbidden for a reason the message explains.
    #[error("the caller may not do this: {english}")]
    Denied { indonesian: String, english: String },
    #[error("{what} already exists")]
    Conflict { field: &'static str, what: String },
    /// The resource's state or period does not allow the change; `code` names the reason.
    #[error("refused: {code}")]
    Refused { code: &'static str, indonesian: String, english: String },
    #[error("the resource changed since the client read it")]
    PreconditionFailed,
    #[error("If-Match is required")]
    PreconditionRequired,
    #[error("idempotency key reused with another request")]
    IdempotencyKeyReused,
    #[error("too many failed logins")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("database unavailable")]
    ServiceUnavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// Reason a request was not authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization: Bearer` header.
    MissingToken,
    /// The token is malformed, signed with another key or algorithm, or has wrong claims.
    InvalidToken,
    ExpiredToken,
    /// The token's user or client is deactivated or gone.
    InactiveAccount,
    /// The refresh token is unknown, expired, revoked or already used.
    InvalidRefreshToken,
}

/// The kinds of objects the API looks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Roadmap,
    Goal,
    Theme,
    Objective,
    Activity,
    Indicator,
    Organisation,
    User,
    Period,
    Realisation,
    Evidence,
    Plan,
    Milestone,
}

impl Resource {
    /// Tells whether the API finds this resource by a code as well as by its id.
    fn has_code(self) -> bool {
        !matches!(self, Resource::Plan | Resource::Milestone)
    }

    fn name(self, lang: Lang) -> &'static str {
        match self {
            Resource::Roadmap => lang.pick("Peta jalan", "Road map"),
            Resource::Goal => lang.pick("Tujuan", "Goal"),
            Resource::Theme => lang.pick("Tema", "Theme"),
            Resource::Objective => lang.pick("Sasaran", "Objective"),
            Resource::Activity => lang.pick("Kegiatan utama", "Activity"),
            Resource::Indicator => lang.pick("Indikator", "Indicator"),
            Resource::Organisation => lang.pick("Organisasi", "Organisation"),
            Resource::User => lang.pick("Pengguna", "User"),
            Resource::Period => lang.pick("Periode pelaporan", "Reporting period"),
            Resource::Realisation => lang.pick("Realisasi", "Realisation"),
            Resource::Evidence => lang.pick("Bukti dukung", "Evidence"),
            Resource::Plan => lang.pick("Rencana aksi", "Action plan"),
            Resource::Milestone => lang.pick("Tonggak", "Milestone"),
        }
    }
}

/// A problem with one field of a request, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    /// The line of an uploaded file that the problem is on, counted from 1.
    pub line: Option<u64>,
    indonesian: String,
    english: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, indonesian: impl Into<String>, english: impl Into<String>) -> Self {
        FieldError { field: field.into(), line: None, indonesian: indonesian.into(), english: english.into() }
    }

    /// Places the problem on a line of an uploaded file, under the column name as the file spells it.
    pub fn at_line(self, line: u64, field: impl Into<String>) -> Self {
        FieldError { field: field.into(), line: Some(line), ..self }
    }

    /// Names the spreadsheet cell the problem is in, such as `C4`, at the end of the message.
    pub fn in_cell(self, reference: &str) -> Self {
        FieldError {
            indonesian: format!("{} (sel {reference})", self.indonesian),
            english: format!("{} (cell {reference})", self.english),
            ..self
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.indonesian, &self.english)
    }
}

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECONDS: u32 = 5;

impl ApiError {
    /// Short machine-readable name of the problem; the `type` URI ends with it.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } | ApiError::RouteNotFound => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::InvalidParameters(_) => "invalid-parameters",
            ApiError::InvalidBody(_) => "invalid-body",
            ApiError::MalformedBody(_) => "malformed-body",
            ApiError::UnsupportedMediaType { .. } => "unsupported-media-type",
            ApiError::NotAcceptable { .. } => "not-acceptable",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::RequestTimeout { .. } => "request-timeout",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::InvalidCredentials => "invalid-credentials",
            ApiError::Forbidden | ApiError::Denied { .. } => "forbidden",
            ApiError::Conflict { .. } => "conflict",
            ApiError::Refused { code, .. } => code,
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::PreconditionRequired => "precondition-required",
            ApiError::IdempotencyKeyReused => "idempotency-key-reused",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::ServiceUnavailable(_) => "service-unavailable",
            ApiError::Internal(_) => "internal-error",
        }
    }

    /// Writes the problem body in the given language.
    pub fn to_problem(&self, lang: Lang, instance: &str, request_id: Option<&str>) -> Problem {
        let status = self.status_code();
        let (title, detail) = self.title_and_detail(lang);
        let errors = match self {
            ApiError::InvalidParameters(errors) | ApiError::InvalidBody(errors) | ApiError::MalformedBody(errors) => {
                errors
                    .iter()
                    .map(|error| ProblemField {
                        field: error.field.clone(),
                        line: error.line,
                        message: error.message(lang).to_string(),
                    })
                    .collect()
            }
            ApiError::Conflict { field, what } => vec![ProblemField {
                field: field.to_string(),
                line: None,
                message: match lang {
                    Lang::Id => format!("{what} sudah ada"),
                    Lang::En => format!("{what} already exists"),
                },
            }],
            _ => Vec::new(),
        };
        Problem {
            problem_type: problem_type(self.code()),
            title,
            status: status.as_u16(),
            detail,
            instance: instance.to_string(),
            request_id: request_id.map(str::to_string),
            errors,
        }
    }

    /// Headers that the status requires: `WWW-Authenticate` on 401 (RFC 6750) and
    /// `Retry-After` on 429.
    fn extra_headers(&self) -> Vec<(&'static str, String)> {
        match self {
            ApiError::Unauthorized(AuthFailure::MissingToken) => {
                vec![("www-authenticate", "Bearer realm=\"petajalan\"".into())]
            }
            ApiError::Unauthorized(_) => {
                vec![("www-authenticate", "Bearer realm=\"petajalan\", error=\"invalid_token\"".into())]
            }
            ApiError::InvalidCredentials => vec![("www-authenticate", "Bearer realm=\"petajalan\"".into())],
            ApiError::TooManyRequests { retry_after_seconds } => vec![("retry-after", retry_after_seconds.to_string())],
            ApiError::MethodNotAllowed { allowed } if !allowed.is_empty() => vec![("allow", allowed.join(", "))],
            _ => Vec::new(),
        }
    }

    fn title_and_detail(&self, lang: Lang) -> (String, String) {
        match self {
            ApiError::NotFound { resource: Resource::User, key } => (
                lang.pick("Tidak ditemukan", "Not found").into(),
                match lang {
                    Lang::Id => format!("Pengguna dengan id atau nama pengguna {key:?} tidak ditemukan."),
                    Lang::En => format!("User with id or username {key:?} was not found."),
                },
            ),
            ApiError::NotFound { resource, key } => (
                lang.pick("Tidak ditemukan", "Not found").into(),
                match (lang, resource.has_code()) {
                    (Lang::Id, true) => format!("{} dengan id atau kode {key:?} tidak ditemukan.", resource.name(lang)),
                    (Lang::En, true) => format!("{} with id or code {key:?} was not found.", resource.name(lang)),
                    (Lang::Id, false) => format!("{} dengan id {key} tidak ditemukan.", resource.name(lang)),
                    (Lang::En, false) => format!("{} with id {key} was not found.", resource.name(lang)),
                },
            ),
            ApiError::RouteNotFound => (
                lang.pick("Tidak ditemukan", "Not found").into(),
                lang.pick(
                    "Tidak ada sumber daya pada alamat ini. Daftar rute ada di /api/v1/openapi.json.",
                    "There is no resource at this path. The routes are listed at /api/v1/openapi.json.",
                )
                .into(),
            ),
            ApiError::MethodNotAllowed { .. } => (
                lang.pick("Metode tidak diizinkan", "Method not allowed").into(),
                lang.pick(
                    "Alamat ini tidak menerima metode HTTP tersebut.",
                    "This path does not accept that HTTP method.",
                )
                .into(),
            ),
            ApiError::InvalidParameters(errors) => (
                lang.pick("Parameter tidak valid", "Invalid parameters").into(),
                field_summary(errors, lang, "Parameter berikut tidak valid", "These parameters are invalid"),
            ),
            ApiError::InvalidBody(errors) => (
                lang.pick("Isi permintaan tidak valid", "Invalid request body").into(),
                field_summary(errors, lang, "Isi permintaan tidak valid pada", "The request body is invalid at"),
            ),
            ApiError::MalformedBody(_) => (
                lang.pick("JSON rusak", "Malformed JSON").into(),
                lang.pick("Isi permintaan bukan JSON yang sah.", "The request body is not well-formed JSON.").into(),
            ),
            ApiError::UnsupportedMediaType { accepted } => (
                lang.pick("Jenis konten tidak didukung", "Unsupported media type").into(),
                match lang {
                    Lang::Id => format!("Kirim isi permintaan sebagai {accepted}."),
                    Lang::En => format!("Send the request body as {accepted}."),
                },
            ),
            ApiError::NotAcceptable { offered } => (
                lang.pick("Format tidak tersedia", "Not acceptable").into(),
                match lang {
                    Lang::Id => format!(
                        "Header Accept tidak menyebut format yang tersedia. Minta salah satu dari: {offered}; atau pilih dengan parameter format."
                    ),
                    Lang::En => format!(
                        "The Accept header names none of the available formats. Ask for one of: {offered}; or choose one with the format parameter."
                    ),
                },
            ),
            ApiError::PayloadTooLarge { limit } => (
                lang.pick("Isi permintaan terlalu besar", "Payload too large").into(),
                match lang {
                    Lang::Id => format!("Isi permintaan melebihi batas {limit} byte."),
                    Lang::En => format!("The request body exceeds the limit of {limit} bytes."),
                },
            ),
            ApiError::RequestTimeout { seconds } => (
                lang.pick("Isi permintaan terlambat", "Request timeout").into(),
                match lang {
                    Lang::Id => format!(
                        "Isi permintaan tidak diterima utuh dalam {seconds} detik. Kirim ulang dengan sambungan yang lebih cepat atau berkas yang lebih kecil."
                    ),
                    Lang::En => format!(
                        "The request body was not received whole within {seconds} seconds. Send it again over a faster connection or as a smaller file."
                    ),
                },
            ),
            ApiError::Unauthorized(failure) => (
                lang.pick("Autentikasi diperlukan", "Authentication required").into(),
                match (failure, lang) {
                    (AuthFailure::MissingToken, Lang::Id) => "Kirim token akses dalam header Authorization: Bearer <token>. Token didapat dari POST /api/v1/auth/token.".into(),
                    (AuthFailure::MissingToken, Lang::En) => "Send an access token in the header Authorization: Bearer <token>. POST /api/v1/auth/token issues one.".into(),
                    (AuthFailure::InvalidToken, Lang::Id) => "Token akses tidak valid; masuk lagi dengan POST /api/v1/auth/token untuk mendapatkan token baru.".into(),
                    (AuthFailure::InvalidToken, Lang::En) => "The access token is invalid; log in again with POST /api/v1/auth/token to get a new one.".into(),
                    (AuthFailure::ExpiredToken, Lang::Id) => "Token akses sudah kedaluwarsa; minta token baru dengan POST /api/v1/auth/refresh, atau masuk lagi dengan POST /api/v1/auth/token.".into(),
                    (AuthFailure::ExpiredToken, Lang::En) => "The access token has expired; get a new one with POST /api/v1/auth/refresh, or log in again with POST /api/v1/auth/token.".into(),
                    (AuthFailure::InactiveAccount, Lang::Id) => "Akun untuk token ini tidak aktif.".into(),
                    (AuthFailure::InactiveAccount, Lang::En) => "The account of this token is not active.".into(),
                    (AuthFailure::InvalidRefreshToken, Lang::Id) => "Token penyegar tidak valid, kedaluwarsa, dicabut, atau sudah dipakai; masuk lagi dengan POST /api/v1/auth/token.".into(),
                    (AuthFailure::InvalidRefreshToken, Lang::En) => "The refresh token is invalid, expired, revoked or already used; log in again with POST /api/v1/auth/token.".into(),
                },
            ),
            ApiError::InvalidCredentials => (
                lang.pick("Gagal masuk", "Login failed").into(),
                lang.pick(
                    "Nama pengguna dan kata sandi, atau id klien dan rahasianya, tidak cocok.",
                    "The username and password, or the client id and secret, do not match.",
                )
                .into(),
            ),
            ApiError::Forbidden => (
                lang.pick("Tidak diizinkan", "Forbidden").into(),
                lang.pick("Peran atau cakupan Anda tidak mengizinkan tindakan ini.", "Your role or scope does not allow this action.").into(),
            ),
            ApiError::Conflict { what, .. } => (
                lang.pick("Konflik", "Conflict").into(),
                match lang {
                    Lang::Id => format!("{what} sudah ada."),
                    Lang::En => format!("{what} already exists."),
                },
            ),
            ApiError::Denied { indonesian, english } => (
                lang.pick("Tidak diizinkan", "Forbidden").into(),
                lang.pick(indonesian, english).to_string(),
            ),
            ApiError::Refused { indonesian, english, .. } => (
                lang.pick("Ditolak", "Refused").into(),
                lang.pick(indonesian, english).to_string(),
            ),
            ApiError::PreconditionFailed => (
                lang.pick("Data sudah berubah", "Precondition failed").into(),
                lang.pick(
                    "Data ini sudah diubah orang lain sejak Anda membacanya (If-Match tidak cocok dengan ETag sekarang). Baca ulang, periksa perubahannya, lalu ulangi dengan ETag yang baru.",
                    "Someone changed this since you read it (If-Match does not match the current ETag). Read it again, check the change, and retry with the new ETag.",
                )
                .into(),
            ),
            ApiError::PreconditionRequired => (
                lang.pick("If-Match diperlukan", "Precondition required").into(),
                lang.pick(
                    "Kirim header If-Match berisi ETag yang Anda terima saat membaca data ini, agar perubahan orang lain tidak tertimpa.",
                    "Send an If-Match header with the ETag you received when you read this, so that nobody's change is overwritten.",
                )
                .into(),
            ),
            ApiError::IdempotencyKeyReused => (
                lang.pick("Kunci idempotensi sudah dipakai", "Idempotency key reused").into(),
                lang.pick(
                    "Idempotency-Key ini sudah dipakai untuk permintaan lain dengan isi berbeda. Pakai kunci baru untuk permintaan baru.",
                    "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
                )
                .into(),
            ),
            ApiError::TooManyRequests { retry_after_seconds } => (
                lang.pick("Terlalu banyak percobaan", "Too many attempts").into(),
                match lang {
                    Lang::Id => format!("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {retry_after_seconds} detik."),
                    Lang::En => format!("Too many failed logins. Try again in {retry_after_seconds} seconds."),
                },
            ),
            ApiError::ServiceUnavailable(_) => (
                lang.pick("Layanan tidak tersedia", "Service unavailable").into(),
                match lang {
                    Lang::Id => format!(
                        "Basis data sedang tidak dapat dijangkau atau sibuk. Coba lagi dalam {RETRY_AFTER_SECONDS} detik."
                    ),
                    Lang::En => format!("The database is unreachable or busy. Retry in {RETRY_AFTER_SECONDS} seconds."),
                },
            ),
            ApiError::Internal(_) => (
                lang.pick("Kesalahan internal", "Internal error").into(),
                lang.pick(
                    "Terjadi kesalahan pada server. Sebutkan request_id saat melapor ke pengelola layanan.",
                    "The server failed to handle the request. Quote the request_id when reporting it to the operators.",
                )
                .into(),
            ),
        }
    }
}

fn field_summary(errors: &[FieldError], lang: Lang, lead_id: &str, lead_en: &str) -> String {
    let mut fields: Vec<&str> = Vec::with_capacity(errors.len());
    for error in errors {
        if !fields.contains(&error.field.as_str()) {
            fields.push(&error.field);
        }
    }
    format!("{}: {}.", lang.pick(lead_id, lead_en), fields.join(", "))
}

/// Returns the `type` URI of a problem with the given code.
pub fn problem_type(code: &str) -> String {
    format!("urn:petajalan:problem:{code}")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound { .. } | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MalformedBody(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unauthorized(_) | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::Denied { .. } => StatusCode::FORBIDDEN,
            ApiError::Conflict { .. } | ApiError::Refused { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Builds the response in Indonesian; `render_problems` rewrites the body in the request's
    /// language. Internal and database causes are logged here, once per response.
    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(error = format!("{cause:#}"), "request failed"),
            ApiError::ServiceUnavailable(cause) => tracing::warn!(error = format!("{cause:#}"), "database unavailable"),
            _ => {}
        }
        let problem = self.to_problem(Lang::Id, "", None);
        let mut response = problem_response(self.status_code(), &problem, Lang::Id);
        for (name, value) in self.extra_headers() {
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&value) {
                response.headers_mut().insert(actix_web::http::header::HeaderName::from_static(name), value);
            }
        }
        response
    }
}

/// Builds a problem+json response, with `Retry-After` on 503. A 408 closes the connection,
/// since the rest of the late body may still be on its way.
pub fn problem_response(status: StatusCode, problem: &Problem, lang: Lang) -> HttpResponse {
    let mut builder = HttpResponse::build(status);
    builder
        .content_type(PROBLEM_CONTENT_TYPE)
        .insert_header(("Content-Language", lang.code()))
        .insert_header(("Vary", "Accept-Language"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        builder.insert_header(("Retry-After", RETRY_AFTER_SECONDS.to_string()));
    }
    if status == StatusCode::REQUEST_TIMEOUT {
        builder.force_close();
    }
    builder.json(problem)
}

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// An error response body (RFC 9457). `title` and `detail` follow `Accept-Language`:
/// Indonesian by default, English with `Accept-Language: en`.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:petajalan:problem:invalid-parameters",
    "title": "Parameter tidak valid",
    "status": 400,
    "detail": "Parameter berikut tidak valid: page_size.",
    "instance": "/api/v1/organisations",
    "request_id": "6f1c2a4e-3b5d-4c8e-9a7f-0d1e2f3a4b5c",
    "errors": [{"field": "page_size", "message": "harus bilangan bulat dari 1 sampai 200"}]
}))]
pub struct Problem {
    /// URI naming the kind of problem, `urn:petajalan:problem:` followed by a short code.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation of what went wrong in this request and what to do about it.
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// The request id, also sent in the `X-Request-Id` header; quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// One entry per invalid field or parameter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// A field or parameter of the request and why it is invalid.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ProblemField {
    /// Name of the field or parameter, as the request spells it; for an uploaded file, the
    /// column name as its header row spells it.
    pub field: String,
    /// For an uploaded file: the line the problem is on, counted from 1 (the header row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub message: String,
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        if database_unavailable(&error) {
            ApiError::ServiceUnavailable(error.into())
        } else {
            ApiError::Internal(error.into())
        }
    }
}

impl From<crate::db::pool::PoolError> for ApiError {
    fn from(error: crate::db::pool::PoolError) -> Self {
        ApiError::ServiceUnavailable(error.into())
    }
}

impl From<anyhow::Error> for ApiError {
    /// Keeps the 503 of an unreachable database when the error travelled through `anyhow`.
    fn from(error: anyhow::Error) -> Self {
        let unavailable = error.chain().any(|cause| {
            cause.downcast_ref::<crate::db::pool::PoolError>().is_some()
                || cause.downcast_ref::<diesel::result::Error>().is_some_and(database_unavailable)
        });
        if unavailable { ApiError::ServiceUnavailable(error) } else { ApiError::Internal(error) }
    }
}

/// SQLSTATE codes that mean the database is down, restarting, overloaded or too slow, rather
/// than that the request is wrong. A retry after a while can succeed, so they become 503.
/// `57014` (query_canceled) is what `statement_timeout` raises, `55P03` (lock_not_available) what
/// `lock_timeout` raises, and `57P01` (admin_shutdown) what a server stopping with `pg_ctl stop -m
/// fast` sends to the connections it ends.
const UNAVAILABLE_SQLSTATES: [&str; 6] = ["57014", "55P03", "57P01", "57P02", "57P03", "53300"];

/// Tells whether a database error means "retry later": the connection is gone, or PostgreSQL
/// reports a connection exception (SQLSTATE class 08) or one of `UNAVAILABLE_SQLSTATES`. A
/// failed commit is judged by the commit's error.
fn database_unavailable(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::RollbackErrorOnCommit { commit_error, .. } => database_unavailable(commit_error),
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, information) => information
            .sqlstate()
            .is_some_and(|state| state.class().as_str() == "08" || UNAVAILABLE_SQLSTATES.contains(&state.as_str())),
        _ => false,
    }
}
