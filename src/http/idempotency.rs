//! Safe retries and lost-update checks: the `Idempotency-Key` header of POST requests and the
//! `If-Match` header of changes.
//!
//! A change runs in one transaction. With a key, the transaction first waits for any other
//! request under the same key, then replays the stored response when the request is the same, or
//! refuses a different request under a used key. The response is stored in the same transaction
//! as the work, so a key is only ever stored for work that committed.

use std::future::{Ready, ready};

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH, LOCATION};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::caller::{Caller, Principal};
use crate::db::idempotency::{self, StoredResponse};
use crate::error::{ApiError, FieldError};

/// Maximum length of an idempotency key, in characters.
pub const MAX_KEY_CHARS: usize = 255;

/// The request's `Idempotency-Key` header, if it has one: 1 to 255 visible ASCII characters.
///
/// Extraction never fails. `Idempotency::new` rejects an invalid key, and handlers call it
/// after authentication, so that a request without a valid token gets 401 whatever its key.
pub struct IdempotencyKey(Result<Option<String>, ()>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut actix_web::dev::Payload) -> Self::Future {
        let Some(value) = request.headers().get("idempotency-key") else {
            return ready(Ok(IdempotencyKey(Ok(None))));
        };
        let valid = value
            .to_str()
            .ok()
            .filter(|key| (1..=MAX_KEY_CHARS).contains(&key.len()) && key.bytes().all(|byte| byte.is_ascii_graphic()));
        ready(Ok(IdempotencyKey(valid.map(|key| Some(key.to_string())).ok_or(()))))
    }
}

impl IdempotencyKey {
    /// Returns the key, or a 400 error when the header is not 1 to 255 visible ASCII characters.
    fn into_key(self) -> Result<Option<String>, ApiError> {
        self.0.map_err(|()| {
            ApiError::InvalidParameters(vec![FieldError::new(
                "Idempotency-Key",
                format!("harus 1 sampai {MAX_KEY_CHARS} karakter ASCII tanpa spasi, misalnya sebuah UUID"),
                format!("must be 1 to {MAX_KEY_CHARS} ASCII characters without spaces, for example a UUID"),
            )])
        })
    }
}

/// The request's `If-Match` header: the entity tags the client saw.
pub struct IfMatch(Option<String>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut actix_web::dev::Payload) -> Self::Future {
        let value = request.headers().get(IF_MATCH).map(|value| value.to_str().unwrap_or("").to_string());
        ready(Ok(IfMatch(value)))
    }
}

impl IfMatch {
    /// Returns whether the request has an `If-Match` header.
    pub fn is_present(&self) -> bool {
        self.0.is_some()
    }

    /// Checks the header against the current version: missing gives 428, a mismatch 412.
    /// Weak tags never match, as RFC 9110 requires for If-Match. `*` and tags without quotes get
    /// 400, because they name no version the client read.
    pub fn check(&self, version: i32) -> Result<(), ApiError> {
        let Some(header) = &self.0 else {
            return Err(ApiError::PreconditionRequired);
        };
        let tags: Vec<&str> = header.split(',').map(str::trim).collect();
        let well_formed = |tag: &&str| {
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"')
        };
        if !tags.iter().all(well_formed) {
            return Err(ApiError::InvalidParameters(vec![FieldError::new(
                "If-Match",
                format!(
                    "harus ETag bertanda kutip seperti yang dikirim header ETag, misalnya \"{version}\"; {header:?} tidak menyebut versi"
                ),
                format!(
                    "must be a quoted ETag as the ETag header sends it, for example \"{version}\"; {header:?} names no version"
                ),
            )]));
        }
        let current = etag(version);
        if tags.contains(&current.as_str()) { Ok(()) } else { Err(ApiError::PreconditionFailed) }
    }
}

/// The entity tag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Computes a digest of a request's method, path and body. Two requests with the same digest
/// are the same request for idempotency.
pub fn fingerprint(request: &HttpRequest, body: &impl Serialize) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(request.method().as_str());
    hasher.update(b" ");
    hasher.update(request.path());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(body).unwrap_or_default());
    hasher.finalize().to_vec()
}

/// Builds the stored JSON response of a change, with its status and headers.
pub fn response(
    status: StatusCode,
    body: &impl Serialize,
    version: Option<i32>,
    location: Option<String>,
) -> StoredResponse {
    StoredResponse {
        status: status.as_u16(),
        body: serde_json::to_value(body).unwrap_or_default(),
        location,
        etag: version.map(etag),
    }
}

/// The idempotency of one request: who sent it, its key and its fingerprint. A handler calls
/// `replay` first and `record` last, inside the transaction of its work.
pub struct Idempotency {
    principal: String,
    key: Option<String>,
    fingerprint: Vec<u8>,
}

/// The response of a change: the stored response, and whether it is a replay.
pub struct Outcome {
    pub stored: StoredResponse,
    pub replayed: bool,
}

impl Idempotency {
    /// Rejects an invalid key with 400. Call it once the caller is authenticated.
    pub fn new(caller: &Caller, key: IdempotencyKey, fingerprint: Vec<u8>) -> Result<Idempotency, ApiError> {
        let principal = match &caller.principal {
            Principal::User { id, .. } => format!("user:{id}"),
            Principal::Client { id, .. } => format!("client:{id}"),
        };
        Ok(Idempotency { principal, key: key.into_key()?, fingerprint })
    }

    /// Waits for other requests under the same key, then returns the stored response of an
    /// earlier identical request. A different request under a used key is refused.
    pub async fn replay(&self, connection: &mut AsyncPgConnection) -> Result<Option<Outcome>, ApiError> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        match idempotency::claim(connection, &self.principal, key).await? {
            Some((seen, stored)) if seen == self.fingerprint => Ok(Some(Outcome { stored, replayed: true })),
            Some(_) => Err(ApiError::IdempotencyKeyReused),
            None => Ok(None),
        }
    }

    /// Stores the response under the key, if there is one.
    pub async fn record(
        &self,
        connection: &mut AsyncPgConnection,
        stored: StoredResponse,
    ) -> Result<Outcome, ApiError> {
        if let Some(key) = &self.key {
            idempotency::store(connection, &self.principal, key, &self.fingerprint, &stored).await?;
        }
        Ok(Outcome { stored, replayed: false })
    }
}

impl Outcome {
    pub fn into_response(self) -> HttpResponse {
        to_http(&self.stored, self.replayed)
    }
}

/// Builds the HTTP response of a stored one; a replay is marked with `Idempotent-Replayed`.
fn to_http(stored: &StoredResponse, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut builder = HttpResponse::build(status);
    if let Some(etag) = &stored.etag {
        builder.insert_header((ETAG, etag.as_str()));
    }
    if let Some(location) = &stored.location {
        builder.insert_header((LOCATION, location.as_str()));
    }
    if replayed {
        builder.insert_header(("Idempotent-Replayed", "true"));
    }
    builder.json(&stored.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_compares_strong_tags() {
        assert!(IfMatch(Some("\"3\"".into())).check(3).is_ok());
        assert!(IfMatch(Some("\"2\", \"3\"".into())).check(3).is_ok());
        assert!(matches!(IfMatch(Some("*".into())).check(3), Err(ApiError::InvalidParameters(_))));
        assert!(matches!(IfMatch(Some("3".into())).check(3), Err(ApiError::InvalidParameters(_))));
        assert!(matches!(IfMatch(Some("W/\"3\"".into())).check(3), Err(ApiError::PreconditionFailed)));
        assert!(matches!(IfMatch(Some("\"2\"".into())).check(3), Err(ApiError::PreconditionFailed)));
        assert!(matches!(IfMatch(None).check(3), Err(ApiError::PreconditionRequired)));
    }
}
