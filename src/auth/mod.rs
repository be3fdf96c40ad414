//! Authentication: password hashing, access and refresh tokens, and the caller of a request.

pub mod caller;
pub mod login;
pub mod password;
pub mod tokens;

use std::sync::Arc;

use crate::config::AuthSettings;

/// Everything the handlers need to authenticate: token keys, the password hasher and the
/// throttling limits.
#[derive(Clone)]
pub struct AuthState {
    pub tokens: Arc<tokens::TokenKeys>,
    pub hasher: Arc<password::PasswordHasher>,
    pub settings: AuthSettings,
}

impl AuthState {
    /// Builds the state; `secret` is the HMAC signing key.
    pub fn new(settings: &AuthSettings, secret: &[u8]) -> anyhow::Result<AuthState> {
        Ok(AuthState {
            tokens: Arc::new(tokens::TokenKeys::new(secret, settings)?),
            hasher: Arc::new(password::PasswordHasher::new(settings.hash_concurrency, settings.hash_wait)?),
            settings: settings.clone(),
        })
    }
}
