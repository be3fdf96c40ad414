//! Logins with a password or client credentials, refresh-token rotation and logout.
//!
//! Throttling counts failed logins in PostgreSQL, so the limit applies across service instances.
//! It counts per username (failures since its latest success) and per client address, within a
//! window. An unknown username and a wrong password get the same response, and both cost one
//! password verification, so neither the body nor the timing distinguishes them.

use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::password::{HashError, needs_rehash};
use crate::auth::tokens::{Subject, new_refresh_token, refresh_token_hash};
use crate::db::accounts::{self, AuditEvent, TokenOwner};
use crate::domain::key::Key;
use crate::error::{ApiError, AuthFailure};
use crate::state::AppState;

/// Tokens returned by a login or a refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single-use token for `POST /api/v1/auth/refresh`; absent for service clients, which log
    /// in again with their credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => ApiError::ServiceUnavailable(anyhow::anyhow!(error)),
            HashError::Failed(_) => ApiError::Internal(anyhow::anyhow!(error)),
        }
    }
}

/// Logs a user in with username and password.
pub async fn password_login(
    state: &AppState,
    username: &str,
    password: String,
    client_ip: &str,
) -> Result<TokenResponse, ApiError> {
    let username = username.trim().to_lowercase();
    check_throttle(state, &username, client_ip).await?;

    // A connection is held only around queries, never while a hash waits or runs, so a flood
    // of logins cannot take every pooled connection from the other routes.
    let user = {
        let mut connection = state.pool.get().await?;
        accounts::find_user(&mut connection, Key::Code(&username)).await?
    };
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let password_matches = state.auth.hasher.verify(password.clone(), stored_hash).await?;
    let active_user = user.filter(|user| user.active && password_matches);
    let new_hash = match &active_user {
        Some(user) if needs_rehash(&user.password_hash) => rehash(state, user.id, password).await,
        _ => None,
    };

    let mut connection = state.pool.get().await?;
    accounts::record_login_attempt(&mut connection, &username, client_ip, active_user.is_some()).await?;
    let Some(user) = active_user else {
        audit(&mut connection, "login.failure", None, None, Some(&username), client_ip, &username).await;
        return Err(ApiError::InvalidCredentials);
    };
    audit(&mut connection, "login.success", Some(user.id), None, Some(&user.username), client_ip, &user.username).await;
    if let Some(new_hash) = new_hash
        && let Err(error) = accounts::replace_password_hash(&mut connection, user.id, &new_hash).await
    {
        tracing::warn!(error = %error, user.id = user.id, "cannot store the rehashed password");
    }

    issue_pair(state, &mut connection, Subject::User(user.id), uuid::Uuid::new_v4()).await
}

/// Hashes the password again with the current parameters, for a user whose stored hash uses
/// older ones. A failure is logged and the login goes on with the old hash.
async fn rehash(state: &AppState, user_id: i64, password: String) -> Option<String> {
    match state.auth.hasher.hash(password).await {
        Ok(new_hash) => Some(new_hash),
        Err(error) => {
            tracing::warn!(error = %error, user.id = user_id, "cannot rehash the password");
            None
        }
    }
}

/// Logs a service client in with its client id and secret. Clients get no refresh token.
pub async fn client_login(
    state: &AppState,
    client_id: &str,
    secret: String,
    client_ip: &str,
) -> Result<TokenResponse, ApiError> {
    let client_id = client_id.trim().to_lowercase();
    let throttle_name = format!("client:{client_id}");
    check_throttle(state, &throttle_name, client_ip).await?;

    let client = {
        let mut connection = state.pool.get().await?;
        accounts::find_client(&mut connection, Key::Code(&client_id)).await?
    };
    let stored_hash = client.as_ref().map(|client| client.secret_hash.clone());
    let secret_matches = state.auth.hasher.verify(secret, stored_hash).await?;
    let active_client = client.filter(|client| client.active && secret_matches);

    let mut connection = state.pool.get().await?;
    accounts::record_login_attempt(&mut connection, &throttle_name, client_ip, active_client.is_some()).await?;
    let Some(client) = active_client else {
        audit(&mut connection, "login.failure", None, None, Some(&throttle_name), client_ip, &throttle_name).await;
        return Err(ApiError::InvalidCredentials);
    };
    audit(&mut connection, "login.success", None, Some(client.id), Some(&client.client_id), client_ip, &throttle_name)
        .await;

    let (access_token, expires_in) = state.auth.tokens.issue(Subject::Client(client.id))?;
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in, refresh_token: None })
}

/// Exchanges a refresh token for new tokens. A token that was already used revokes its whole
/// family, since one of its holders must be an attacker.
pub async fn refresh(state: &AppState, refresh_token: &str, client_ip: &str) -> Result<TokenResponse, ApiError> {
    let rejected = ApiError::Unauthorized(AuthFailure::InvalidRefreshToken);
    let mut connection = state.pool.get().await?;
    let Some(stored) = accounts::find_refresh_token(&mut connection, &refresh_token_hash(refresh_token)).await? else {
        return Err(rejected);
    };

    if stored.rotated_at.is_some() && stored.revoked_at.is_none() {
        accounts::revoke_family(&mut connection, stored.family_id).await?;
        let subject = format!("family:{}", stored.family_id);
        audit(&mut connection, "refresh.reuse", stored.user_id, stored.client_id, None, client_ip, &subject).await;
        return Err(rejected);
    }
    if stored.revoked_at.is_some() || stored.expires_at <= Utc::now() {
        return Err(rejected);
    }
    let Some(user_id) = stored.user_id else {
        return Err(rejected);
    };
    let user_is_active = accounts::find_user(&mut connection, Key::Id(user_id)).await?.is_some_and(|user| user.active);
    if !user_is_active || !accounts::mark_rotated(&mut connection, stored.id).await? {
        return Err(rejected);
    }

    issue_pair(state, &mut connection, Subject::User(user_id), stored.family_id).await
}

/// Revokes the refresh token's family. Unknown tokens are ignored, so the response reveals nothing.
pub async fn logout(state: &AppState, refresh_token: &str, client_ip: &str) -> Result<(), ApiError> {
    let mut connection = state.pool.get().await?;
    if let Some(stored) = accounts::find_refresh_token(&mut connection, &refresh_token_hash(refresh_token)).await? {
        accounts::revoke_family(&mut connection, stored.family_id).await?;
        let subject = format!("family:{}", stored.family_id);
        audit(&mut connection, "logout", stored.user_id, stored.client_id, None, client_ip, &subject).await;
    }
    Ok(())
}

async fn issue_pair(
    state: &AppState,
    connection: &mut diesel_async::AsyncPgConnection,
    subject: Subject,
    family_id: uuid::Uuid,
) -> Result<TokenResponse, ApiError> {
    let (access_token, expires_in) = state.auth.tokens.issue(subject)?;
    let refresh_token = new_refresh_token();
    let owner = match subject {
        Subject::User(id) => TokenOwner::User(id),
        Subject::Client(id) => TokenOwner::Client(id),
    };
    let lifetime =
        chrono::Duration::from_std(state.auth.settings.refresh_token_ttl).unwrap_or(chrono::Duration::days(14));
    accounts::insert_refresh_token(
        connection,
        &refresh_token_hash(&refresh_token),
        family_id,
        owner,
        Utc::now() + lifetime,
    )
    .await?;
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in, refresh_token: Some(refresh_token) })
}

/// Returns 429 when the username or the address has too many recent failures.
async fn check_throttle(state: &AppState, username: &str, client_ip: &str) -> Result<(), ApiError> {
    let settings = &state.auth.settings;
    let window = chrono::Duration::from_std(settings.login_window).unwrap_or(chrono::Duration::minutes(15));
    let since = Utc::now() - window;
    let mut connection = state.pool.get().await?;

    let by_user = accounts::recent_failures(&mut connection, Some(username), None, since).await?;
    let by_ip = accounts::recent_failures(&mut connection, None, Some(client_ip), since).await?;
    let limited = [(by_user, settings.login_max_failures_per_user), (by_ip, settings.login_max_failures_per_ip)]
        .into_iter()
        .filter(|((count, _), limit)| count >= limit)
        .filter_map(|((_, oldest), _)| oldest)
        .min();
    let Some(oldest) = limited else {
        return Ok(());
    };

    let retry_after_seconds = u64::try_from((oldest + window - Utc::now()).num_seconds()).unwrap_or(0).max(1);
    audit(&mut connection, "login.throttled", None, None, Some(username), client_ip, username).await;
    Err(ApiError::TooManyRequests { retry_after_seconds })
}

/// Writes an audit record; a failure to write it is logged, not returned.
pub async fn audit(
    connection: &mut diesel_async::AsyncPgConnection,
    action: &str,
    actor_user_id: Option<i64>,
    actor_client_id: Option<i64>,
    actor_name: Option<&str>,
    client_ip: &str,
    subject: &str,
) {
    let event = AuditEvent {
        action,
        actor_user_id,
        actor_client_id,
        actor_name,
        client_ip: Some(client_ip),
        subject: Some(subject),
        details: serde_json::json!({}),
    };
    if let Err(error) = accounts::insert_audit(connection, event).await {
        tracing::warn!(error = %error, action, "cannot write an audit record");
    }
}

/// Writes an audit record of an action that an authenticated caller took on `subject`.
pub async fn audit_by_caller(
    connection: &mut diesel_async::AsyncPgConnection,
    caller: &crate::auth::caller::Caller,
    action: &str,
    subject: &str,
) {
    audit(connection, action, caller.user_id(), caller.client_id(), Some(caller.name()), &caller.client_ip, subject)
        .await;
}
