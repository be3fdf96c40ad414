//! Access tokens (signed JWTs) and refresh tokens (random strings stored as hashes).
//!
//! Access tokens use the one HMAC algorithm set in the settings; a token whose header names any
//! other algorithm, `none` included, is rejected. `exp`, `iat`, `iss`, `aud` and `sub` are
//! required and checked, and `nbf` is checked when present (jsonwebtoken's `Validation` checks
//! `iss` and `aud` only for listed values and `nbf` only when asked, so both are set here).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use password_hash::rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::AuthSettings;

/// The `typ` header of access tokens (RFC 9068), so that no other JWT signed with the same key
/// passes as one.
const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// Seconds of clock difference tolerated when checking `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// `user:<id>` or `client:<id>`.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Unique id of the token.
    pub jti: String,
}

/// The user or client that a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    User(i64),
    Client(i64),
}

impl Subject {
    pub fn to_claim(self) -> String {
        match self {
            Subject::User(id) => format!("user:{id}"),
            Subject::Client(id) => format!("client:{id}"),
        }
    }

    pub fn from_claim(text: &str) -> Option<Subject> {
        let (kind, id) = text.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "user" => Some(Subject::User(id)),
            "client" => Some(Subject::Client(id)),
            _ => None,
        }
    }
}

/// Reason an access token was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is invalid")]
    Invalid,
}

/// Signing and checking of access tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    header: Header,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], settings: &AuthSettings) -> anyhow::Result<TokenKeys> {
        let mut validation = Validation::new(settings.jwt_algorithm);
        validation.set_issuer(&[&settings.jwt_issuer]);
        validation.set_audience(&[&settings.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;

        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            header: Header { typ: Some(ACCESS_TOKEN_TYPE.to_string()), ..Header::new(settings.jwt_algorithm) },
            validation,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            ttl_seconds: i64::try_from(settings.access_token_ttl.as_secs()).unwrap_or(900),
        })
    }

    /// Signs an access token for the subject; returns it with its lifetime in seconds.
    pub fn issue(&self, subject: Subject) -> anyhow::Result<(String, i64)> {
        let now = unix_now();
        let claims = Claims {
            sub: subject.to_claim(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl_seconds,
            iat: now,
            nbf: Some(now),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        Ok((encode(&self.header, &claims, &self.encoding)?, self.ttl_seconds))
    }

    /// Signs arbitrary claims with the service's key and algorithm; for tests of rejection.
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(encode(&self.header, claims, &self.encoding)?)
    }

    /// Checks a token's algorithm, signature and claims, and returns its subject and issue time
    /// (`iat`, in Unix seconds).
    pub fn verify(&self, token: &str) -> Result<(Subject, i64), TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(TokenError::Invalid);
        }
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|error| match error.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        // `iat` in the future means a forged or broken clock.
        if data.claims.iat > unix_now() + LEEWAY_SECONDS as i64 {
            return Err(TokenError::Invalid);
        }
        let subject = Subject::from_claim(&data.claims.sub).ok_or(TokenError::Invalid)?;
        Ok((subject, data.claims.iat))
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }
}

pub fn unix_now() -> i64 {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or(0);
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// Makes a new refresh token: 32 random bytes, base64url-encoded.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Computes the SHA-256 of a refresh token, as stored. The token has 256 random bits, so a plain
/// hash without salt is enough to keep the stored form useless to a reader of the database.
pub fn refresh_token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Makes a random secret for a service client or a signing key: 32 random bytes, base64url.
pub fn new_secret() -> String {
    new_refresh_token()
}
