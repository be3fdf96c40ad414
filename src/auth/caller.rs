//! The caller of a request, from its `Authorization: Bearer` access token.
//!
//! Every protected handler takes a `Caller`. The token is checked, then the user or client it
//! names is read from the database, so a deactivated account is rejected at once and the role
//! and organisation are always current. A token in the query string or a cookie is ignored.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::Serialize;
use strum::{AsRefStr, EnumString};
use utoipa::ToSchema;

use crate::auth::tokens::{Subject, TokenError};
use crate::db::accounts::{self, AuditEvent};
use crate::domain::key::Key;
use crate::error::{ApiError, AuthFailure};
use crate::http::request_id::RequestId;
use crate::state::AppState;

/// The role of a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// The reform secretariat: manages the road map, organisations and users.
    Admin,
    /// Staff of one organisation (OPD).
    Opd,
    /// Leadership and the inspectorate: reads everything, changes nothing.
    Viewer,
}

/// Permission granted to a service client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema, AsRefStr, EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Scope {
    Read,
    Submit,
}

/// An authenticated user or service client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    User { id: i64, username: String, role: Role, organisation_id: Option<i64> },
    Client { id: i64, client_id: String, scopes: Vec<Scope>, organisation_id: Option<i64> },
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: Principal,
    pub client_ip: String,
    /// The request's id, for audit records.
    pub request_id: Option<String>,
}

impl Caller {
    /// Allows reading the road map: every user, and clients with the `read` scope.
    pub fn require_read(&self) -> Result<(), ApiError> {
        match &self.principal {
            Principal::User { .. } => Ok(()),
            Principal::Client { scopes, .. } if scopes.contains(&Scope::Read) => Ok(()),
            Principal::Client { .. } => Err(ApiError::Forbidden),
        }
    }

    /// Allows the secretariat's functions: users with the `admin` role only.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match &self.principal {
            Principal::User { role: Role::Admin, .. } => Ok(()),
            _ => Err(ApiError::Forbidden),
        }
    }

    /// Returns whether the caller is a user with the `admin` role.
    pub fn is_admin(&self) -> bool {
        matches!(self.principal, Principal::User { role: Role::Admin, .. })
    }

    /// Returns the organisation the caller reports for: an `opd` user's, or that of a client with
    /// the `submit` scope.
    pub fn reporting_organisation(&self) -> Option<i64> {
        match &self.principal {
            Principal::User { role: Role::Opd, organisation_id, .. } => *organisation_id,
            Principal::Client { scopes, organisation_id, .. } if scopes.contains(&Scope::Submit) => *organisation_id,
            _ => None,
        }
    }

    /// Returns the organisation whose data alone the caller may read: an `opd` user's, or that of
    /// a client tied to one. It is `None` for admins, viewers and clients of all organisations.
    pub fn scope_organisation(&self) -> Option<i64> {
        match &self.principal {
            Principal::User { role: Role::Opd, organisation_id, .. } => *organisation_id,
            Principal::Client { organisation_id, .. } => *organisation_id,
            Principal::User { .. } => None,
        }
    }

    /// Returns the organisation of an `opd` user. Clients never verify, so they have none here.
    pub fn user_organisation(&self) -> Option<i64> {
        match &self.principal {
            Principal::User { role: Role::Opd, organisation_id, .. } => *organisation_id,
            _ => None,
        }
    }

    /// Returns the user id, for audit records.
    pub fn user_id(&self) -> Option<i64> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::Client { .. } => None,
        }
    }

    /// Returns the client id, for audit records.
    pub fn client_id(&self) -> Option<i64> {
        match &self.principal {
            Principal::Client { id, .. } => Some(*id),
            Principal::User { .. } => None,
        }
    }

    /// Returns the username or client id.
    pub fn name(&self) -> &str {
        match &self.principal {
            Principal::User { username, .. } => username,
            Principal::Client { client_id, .. } => client_id,
        }
    }
}

/// Returns the address of the peer that sent the request.
pub fn client_ip(request: &HttpRequest) -> String {
    request.peer_addr().map_or_else(|| "unknown".to_string(), |address| address.ip().to_string())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut actix_web::dev::Payload) -> Self::Future {
        let state = request.app_data::<web::Data<AppState>>().cloned();
        let header = request.headers().get(AUTHORIZATION).map(|value| value.to_str().map(str::to_string));
        let client_ip = client_ip(request);
        let request_id = request.extensions().get::<RequestId>().map(|id| id.0.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state is missing")))?;
            let token = match header {
                None => return Err(ApiError::Unauthorized(AuthFailure::MissingToken)),
                Some(Ok(value)) => bearer_token(&value).map(str::to_string),
                Some(Err(_)) => None,
            };
            let result = authenticate(&state, token.as_deref()).await;
            match result {
                Ok(principal) => {
                    let caller = Caller { principal, client_ip, request_id };
                    tracing::Span::current().record("caller", caller.name());
                    Ok(caller)
                }
                Err(ApiError::Unauthorized(failure)) => {
                    record_rejection(&state, failure, &client_ip).await;
                    Err(ApiError::Unauthorized(failure))
                }
                Err(other) => Err(other),
            }
        })
    }
}

/// An authenticated caller with the `admin` role; other callers get 403.
#[derive(Clone, Debug)]
pub struct AdminCaller(pub Caller);

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<AdminCaller, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = Caller::from_request(request, payload);
        Box::pin(async move {
            let caller = caller.await?;
            caller.require_admin()?;
            Ok(AdminCaller(caller))
        })
    }
}

/// An admin caller and a request body, checked in that order. actix-web drives a handler's
/// extractors together, so a separate body extractor could reject a malformed body before the
/// caller's role is known. This one finishes the role check first. A caller who may not use the
/// route therefore learns nothing from body validation.
pub struct AdminWithBody<T>(pub Caller, pub T);

impl<T> FromRequest for AdminWithBody<T>
where
    T: FromRequest + 'static,
    T::Error: Into<actix_web::Error>,
{
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<AdminWithBody<T>, actix_web::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let admin = AdminCaller::from_request(request, payload);
        let body = T::from_request(request, payload);
        Box::pin(async move {
            let AdminCaller(caller) = admin.await?;
            let body = body.await.map_err(Into::into)?;
            Ok(AdminWithBody(caller, body))
        })
    }
}

/// An authenticated caller and a request body, checked in that order, for the same reason as
/// `AdminWithBody`: a caller without a valid token gets 401, whatever the body.
pub struct CallerWithBody<T>(pub Caller, pub T);

impl<T> FromRequest for CallerWithBody<T>
where
    T: FromRequest + 'static,
    T::Error: Into<actix_web::Error>,
{
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<CallerWithBody<T>, actix_web::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = Caller::from_request(request, payload);
        let body = T::from_request(request, payload);
        Box::pin(async move {
            let caller = caller.await?;
            let body = body.await.map_err(Into::into)?;
            Ok(CallerWithBody(caller, body))
        })
    }
}

/// Reads the token of an `Authorization: Bearer <token>` value; the scheme ignores case.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn authenticate(state: &AppState, token: Option<&str>) -> Result<Principal, ApiError> {
    let token = token.ok_or(ApiError::Unauthorized(AuthFailure::InvalidToken))?;
    let (subject, issued_at) = state.auth.tokens.verify(token).map_err(|error| match error {
        TokenError::Expired => ApiError::Unauthorized(AuthFailure::ExpiredToken),
        TokenError::Invalid => ApiError::Unauthorized(AuthFailure::InvalidToken),
    })?;
    let mut connection = state.pool.get().await?;
    load_principal(&mut connection, subject, issued_at)
        .await?
        .ok_or(ApiError::Unauthorized(AuthFailure::InactiveAccount))
}

/// Reads the active user or client that a token's subject names. A user's token issued before
/// the user's `tokens_valid_after` (moved by a password reset) counts as revoked.
pub async fn load_principal(
    connection: &mut diesel_async::AsyncPgConnection,
    subject: Subject,
    issued_at: i64,
) -> Result<Option<Principal>, ApiError> {
    let principal = match subject {
        Subject::User(id) => accounts::find_user(connection, Key::Id(id))
            .await?
            .filter(|user| user.active && issued_at >= user.tokens_valid_after.timestamp())
            .and_then(|user| {
                Some(Principal::User {
                    id: user.id,
                    username: user.username,
                    role: user.role.parse().ok()?,
                    organisation_id: user.organisation_id,
                })
            }),
        Subject::Client(id) => accounts::find_client(connection, Key::Id(id))
            .await?
            .filter(|client| client.active)
            .map(|client| Principal::Client {
                id: client.id,
                client_id: client.client_id,
                scopes: client.scopes.iter().filter_map(|scope| scope.parse().ok()).collect(),
                organisation_id: client.organisation_id,
            }),
    };
    Ok(principal)
}

/// Writes an audit record of a rejected token. A missing token is not recorded: every
/// anonymous request would write a row.
async fn record_rejection(state: &AppState, failure: AuthFailure, client_ip: &str) {
    if failure == AuthFailure::MissingToken {
        return;
    }
    let result = async {
        let mut connection = state.pool.get().await?;
        accounts::insert_audit(
            &mut connection,
            AuditEvent {
                action: "token.rejected",
                actor_user_id: None,
                actor_client_id: None,
                actor_name: None,
                client_ip: Some(client_ip),
                subject: None,
                details: serde_json::json!({ "reason": format!("{failure:?}") }),
            },
        )
        .await?;
        anyhow::Ok(())
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(error = format!("{error:#}"), "cannot write the audit record of a rejected token");
    }
}
