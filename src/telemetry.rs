//! Logging: the subscriber, and one span per request with its id, method, route, status and
//! latency.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::{Instrument, field};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::http::request_id::{REQUEST_ID_HEADER, assign_request_id};

/// Installs the global subscriber; logs go to standard error.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour codes only where a person watches a terminal, not in files or log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let result = match format {
        LogFormat::Plain => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
    };
    // A second call (as in tests that start several apps) keeps the first subscriber.
    drop(result);
}

/// Wraps each request in a span and logs one line when it finishes; returns the request id in
/// the `X-Request-Id` header.
pub async fn trace_requests(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = assign_request_id(&request);
    let span = tracing::info_span!(
        "request",
        request.id = %request_id,
        http.method = %request.method(),
        http.route = field::Empty,
        http.status = field::Empty,
        caller = field::Empty,
        duration_ms = field::Empty,
    );
    let started = Instant::now();

    let result = next.call(request).instrument(span.clone()).await;

    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.record("duration_ms", duration_ms);
    let mut response = match result {
        Ok(response) => response,
        Err(error) => {
            // The error becomes the response further out, after this middleware.
            span.record("http.status", error.as_response_error().status_code().as_u16());
            span.in_scope(|| tracing::info!("request finished"));
            return Err(error);
        }
    };
    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
    span.record("http.route", route.as_str());
    span.record("http.status", response.status().as_u16());
    span.in_scope(|| tracing::info!("request finished"));

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}
