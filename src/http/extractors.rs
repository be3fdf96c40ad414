//! Request extractors whose failures become problem+json errors naming the field.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::error::PathError;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// Query parameters deserialized into `T`, which should deny unknown fields. Unknown, repeated
/// or malformed parameters give a 400 problem naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        if let Some((name, _)) = form_urlencoded_pairs(request.query_string()).find(|(_, value)| value.contains('\0')) {
            return ready(Err(ApiError::InvalidParameters(vec![nul_error(name.into_owned())])));
        }
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded_pairs(request.query_string()));
        let result = serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| ApiError::InvalidParameters(vec![query_field_error(error)]));
        ready(result)
    }
}

fn form_urlencoded_pairs(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

fn query_field_error(error: serde_path_to_error::Error<serde_urlencoded::de::Error>) -> FieldError {
    let path = error.path().to_string();
    let detail = error.into_inner().to_string();

    if let Some(name) = unknown_field_name(&detail) {
        return FieldError::new(
            name.clone(),
            format!("parameter {name:?} tidak dikenal; lihat daftar parameter di dokumen OpenAPI"),
            format!("unknown parameter {name:?}; see the parameter list in the OpenAPI document"),
        );
    }
    if let Some(name) = detail.strip_prefix("duplicate field `").and_then(|rest| rest.split('`').next()) {
        return FieldError::new(name, "parameter disebut lebih dari sekali", "the parameter is given more than once");
    }
    let field = if path == "." { "query".to_string() } else { path };
    FieldError::new(field, format!("nilai tidak valid ({detail})"), format!("invalid value ({detail})"))
}

fn unknown_field_name(detail: &str) -> Option<String> {
    let rest = detail.strip_prefix("unknown field `")?;
    rest.split('`').next().map(str::to_string)
}

/// Largest JSON body that `ApiJson` reads, in bytes, kept in the app data.
#[derive(Clone, Copy, Debug)]
pub struct JsonLimit(pub usize);

/// A JSON request body deserialized into `T`, with errors that name the field. A missing,
/// unknown or mistyped field gets 422 with its path (`organisation`, `items[2].value`). Broken
/// JSON gets 400 with its line and column, and a content type other than JSON gets 415. A body
/// over the limit gets 413 as soon as the limit is passed, before the rest is read.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = request.app_data::<JsonLimit>().map_or(DEFAULT_JSON_LIMIT, |limit| limit.0);
        let is_json = request
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<mime::Mime>().ok())
            .is_some_and(|mime| mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON));
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType { accepted: "application/json" });
            }
            let mut bytes = web::BytesMut::new();
            while let Some(chunk) = futures_util::StreamExt::next(&mut payload).await {
                let chunk = chunk.map_err(|error| {
                    ApiError::InvalidParameters(vec![FieldError::new(
                        "body",
                        format!("isi permintaan tidak terbaca: {error}"),
                        format!("the request body could not be read: {error}"),
                    )])
                })?;
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                bytes.extend_from_slice(&chunk);
            }
            parse_json(&bytes).map(ApiJson)
        })
    }
}

/// Like `ApiJson`, but a request without a body (no `Content-Type` and no or a zero
/// `Content-Length`) reads as `T::default()`, for bodies whose fields are all optional.
pub struct OptionalApiJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalApiJson<T> {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = request.headers();
        let no_type = !headers.contains_key(actix_web::http::header::CONTENT_TYPE);
        let no_length = headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .is_none_or(|length| length.to_str().is_ok_and(|length| length.trim() == "0"));
        let chunked = headers.contains_key(actix_web::http::header::TRANSFER_ENCODING);
        if no_type && no_length && !chunked {
            return Box::pin(async { Ok(OptionalApiJson(T::default())) });
        }
        let body = ApiJson::<T>::from_request(request, payload);
        Box::pin(async move { body.await.map(|ApiJson(value)| OptionalApiJson(value)) })
    }
}

/// Default of `JsonLimit` when the app sets none.
const DEFAULT_JSON_LIMIT: usize = 262_144;

/// Deserializes a JSON body, naming the field of the first problem.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = result.map_err(json_field_error)?;
    deserializer.end().map_err(|error| syntax_error(&error))?;
    reject_nul(bytes)?;
    Ok(value)
}

/// Rejects a body with a string that contains U+0000, which PostgreSQL cannot store in text.
/// JSON can carry the character only as the escape `\u0000`, so bodies without that escape
/// are not parsed again.
fn reject_nul(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(6).any(|window| window == b"\\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(());
    };
    match nul_path(&value, String::new()) {
        Some(path) => {
            Err(ApiError::InvalidBody(vec![nul_error(if path.is_empty() { "body".to_string() } else { path })]))
        }
        None => Ok(()),
    }
}

/// Finds the path (`items[2].name`) of the first string or object key that contains U+0000.
fn nul_path(value: &serde_json::Value, path: String) -> Option<String> {
    match value {
        serde_json::Value::String(text) if text.contains('\0') => Some(path),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(index, item)| nul_path(item, format!("{path}[{index}]")))
        }
        serde_json::Value::Object(fields) => fields.iter().find_map(|(name, field)| {
            let field_path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            if name.contains('\0') { Some(field_path) } else { nul_path(field, field_path) }
        }),
        _ => None,
    }
}

fn nul_error(field: String) -> FieldError {
    FieldError::new(field, "tidak boleh berisi karakter NUL (U+0000)", "must not contain the NUL character (U+0000)")
}

fn json_field_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    if !inner.is_data() {
        return syntax_error(&inner);
    }

    let detail = inner.to_string();
    let detail = detail.split(" at line ").next().unwrap_or(&detail).to_string();
    let quoted = |prefix: &str| detail.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_string);
    let in_path = |name: String| if path == "." { name } else { format!("{path}.{name}") };
    let (field, indonesian, english) = if let Some(name) = quoted("missing field `") {
        (in_path(name), "wajib diisi".to_string(), "is required".to_string())
    } else if let Some(name) = quoted("unknown field `") {
        // The path already ends with an unknown field's name.
        let field = if path.ends_with(&name) { path } else { in_path(name) };
        (field, "kolom tidak dikenal".to_string(), "is not a known field".to_string())
    } else {
        let field = if path == "." { "body".to_string() } else { path };
        (field, format!("nilai tidak valid ({detail})"), format!("invalid value ({detail})"))
    };
    ApiError::InvalidBody(vec![FieldError::new(field, indonesian, english)])
}

fn syntax_error(error: &serde_json::Error) -> ApiError {
    ApiError::MalformedBody(vec![FieldError::new(
        "body",
        format!("JSON rusak pada baris {}, kolom {}", error.line(), error.column()),
        format!("broken JSON at line {}, column {}", error.line(), error.column()),
    )])
}

/// Configuration for path segments: errors as 400 problems naming the path.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _request| {
        let detail = match &error {
            PathError::Deserialize(error) => error.to_string(),
            other => other.to_string(),
        };
        ApiError::InvalidParameters(vec![FieldError::new(
            "path",
            format!("segmen alamat tidak valid ({detail})"),
            format!("invalid path segment ({detail})"),
        )])
        .into()
    })
}

/// Reads a field that is present, even as `null`, as `Some`; a missing one stays `None`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
