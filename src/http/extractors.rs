//! Request extractors whose failures become problem+json errors naming the field.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
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

/// Configuration for JSON bodies: a size limit, and errors as problems (415 for a wrong content
/// type, 413 over the limit, 400 for broken JSON, 422 naming the field for wrong data).
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |error, _request| {
        let api_error = match error {
            JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
            JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => {
                ApiError::PayloadTooLarge { limit }
            }
            JsonPayloadError::Deserialize(error) if error.is_data() => ApiError::InvalidBody(vec![FieldError::new(
                "body",
                format!("data tidak sesuai skema (baris {}, kolom {}): {error}", error.line(), error.column()),
                format!(
                    "the data does not match the schema (line {}, column {}): {error}",
                    error.line(),
                    error.column()
                ),
            )]),
            other => ApiError::InvalidParameters(vec![FieldError::new(
                "body",
                format!("JSON tidak dapat dibaca: {other}"),
                format!("the JSON could not be read: {other}"),
            )]),
        };
        api_error.into()
    })
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

/// Configuration for actix-web's own `Query` extractor, should a route use it.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _request| {
        let detail = match &error {
            QueryPayloadError::Deserialize(error) => error.to_string(),
            other => other.to_string(),
        };
        ApiError::InvalidParameters(vec![FieldError::new(
            "query",
            format!("parameter tidak valid ({detail})"),
            format!("invalid parameters ({detail})"),
        )])
        .into()
    })
}
