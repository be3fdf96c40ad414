//! The id of each request, taken from a well-formed `X-Request-Id` header or newly made.

use actix_web::HttpMessage;
use actix_web::dev::ServiceRequest;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Maximum length of a request id accepted from a client.
const MAX_CLIENT_ID_LENGTH: usize = 64;

/// The request id, kept in the request's extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Returns the client's `X-Request-Id` if it is 1–64 characters of letters, digits, `-` and
/// `_`, otherwise a new UUID; and stores it in the request.
pub fn assign_request_id(request: &ServiceRequest) -> String {
    let from_client = request.headers().get(REQUEST_ID_HEADER).and_then(|value| value.to_str().ok()).filter(|value| {
        (1..=MAX_CLIENT_ID_LENGTH).contains(&value.len())
            && value.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    });
    let id = from_client.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
    request.extensions_mut().insert(RequestId(id.clone()));
    id
}
