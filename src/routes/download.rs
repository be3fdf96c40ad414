//! Downloads in several formats: choosing JSON, CSV or XLSX from the `format` parameter or the
//! `Accept` header, rendering a file off the async workers, and sending it as an attachment.

use actix_web::http::header::{ACCEPT, ContentDisposition, VARY};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::export::ReportFormat;
use crate::export::format::OFFERED_MEDIA_TYPES;

/// The values of a `format` parameter.
pub const FORMAT_NAMES: [&str; 3] = ["json", "csv", "xlsx"];

/// Picks the format: the `format` parameter when given, else the `Accept` header. Several
/// `Accept` headers count as one list.
pub fn negotiate(request: &HttpRequest, parameter: Option<ReportFormat>) -> Result<ReportFormat, ApiError> {
    if let Some(format) = parameter {
        return Ok(format);
    }
    let not_acceptable = || ApiError::NotAcceptable { offered: OFFERED_MEDIA_TYPES };
    let values = request
        .headers()
        .get_all(ACCEPT)
        .map(|value| value.to_str())
        .collect::<Result<Vec<&str>, _>>()
        .map_err(|_| not_acceptable())?;
    let accept = if values.is_empty() { None } else { Some(values.join(", ")) };
    ReportFormat::from_accept(accept.as_deref()).ok_or_else(not_acceptable)
}

/// Sends JSON from a route whose format the `Accept` header may pick.
pub fn json_response(body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok().insert_header((VARY, "Accept")).json(body)
}

/// Runs a CSV or XLSX rendering on the blocking thread pool, because it is CPU work that would
/// stall the async workers.
pub async fn render<E>(work: impl FnOnce() -> Result<Vec<u8>, E> + Send + 'static) -> Result<Vec<u8>, ApiError>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let rendered = web::block(work)
        .await
        .map_err(|error| ApiError::Internal(anyhow::anyhow!("file rendering did not finish: {error}")))?;
    rendered.map_err(|error| ApiError::Internal(anyhow::Error::new(error).context("rendering the file failed")))
}

/// Sends a rendered file as an attachment with its name.
pub fn attachment(format: ReportFormat, file_name: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(ContentDisposition::attachment(file_name))
        .insert_header((VARY, "Accept"))
        .body(body)
}
