//! Control characters in a URL path. No path segment of this API may contain one, and
//! PostgreSQL cannot store the NUL character at all, so such a request gets 400 before routing.
//! Query values are checked where they are read, so that the error names the parameter.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use percent_encoding::percent_decode_str;

use crate::error::{ApiError, FieldError};

/// Refuses a request whose path, once percent-decoded, contains a control character.
pub async fn reject_control_characters(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if has_control_character(request.uri().path()) {
        return Err(ApiError::InvalidParameters(vec![FieldError::new(
            "path",
            "alamat berisi karakter kendali (misalnya %00); hapus karakter itu",
            "the address contains a control character (such as %00); remove it",
        )])
        .into());
    }
    next.call(request).await
}

fn has_control_character(raw: &str) -> bool {
    percent_decode_str(raw).any(|byte| byte < 0x20 || byte == 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_encoded_control_characters_only() {
        assert!(has_control_character("/api/v1/roadmaps/%00"));
        assert!(has_control_character("/api/v1/roadmaps/a%0Ab"));
        assert!(has_control_character("/x/%7f"));
        assert!(!has_control_character("/api/v1/roadmaps/%2e%2e%2f"));
        assert!(!has_control_character("/api/v1/organisations/%C3%A9t%C3%A9%20x"));
    }
}
