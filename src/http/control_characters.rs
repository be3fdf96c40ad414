//! Control characters in a URL. No path segment or query value of this API may hold one, and
//! PostgreSQL cannot store the NUL character at all, so such a request gets 400 before routing.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use percent_encoding::percent_decode_str;

use crate::error::{ApiError, FieldError};

/// Refuses a request whose path or query, once percent-decoded, contains a control character.
pub async fn reject_control_characters(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let uri = request.uri();
    let part = if has_control_character(uri.path()) {
        Some("path")
    } else if uri.query().is_some_and(has_control_character) {
        Some("query")
    } else {
        None
    };

    if let Some(part) = part {
        return Err(ApiError::InvalidParameters(vec![FieldError::new(
            part,
            "alamat berisi karakter kendali (misalnya %00); hapus karakter itu",
            "the address holds a control character (such as %00); remove it",
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
        assert!(has_control_character("kind=a%0Ab"));
        assert!(has_control_character("x=%7f"));
        assert!(!has_control_character("/api/v1/roadmaps/%2e%2e%2f"));
        assert!(!has_control_character("q=%C3%A9t%C3%A9&x=%20"));
    }
}
