//! Token endpoints and the caller's own account.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::{Caller, Principal, Role, Scope, client_ip};
use crate::auth::login::{self, TokenResponse};
use crate::db::indicators::{self, OrganisationRole};
use crate::db::organisations;
use crate::error::{ApiError, Problem};
use crate::http::extractors::{ApiJson, ApiQuery};
use crate::routes::params::NoParams;
use crate::state::AppState;
use crate::views::OrganisationRef;

/// Maximum length of a username, client id or secret in a login, in characters.
const MAX_CREDENTIAL_CHARS: usize = 256;

/// Maximum length of a refresh token in a request. Issued ones have 43 characters; a longer one
/// is rejected as unknown (401), and only a body beyond this bound as invalid (422).
const MAX_REFRESH_TOKEN_CHARS: usize = 4096;

/// A login: a user's password, or a service client's credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
pub enum TokenRequest {
    /// A user logs in with username and password.
    Password {
        #[schema(min_length = 1, max_length = 256)]
        username: String,
        #[schema(min_length = 1, max_length = 256)]
        password: String,
    },
    /// A service client logs in with its client id and secret.
    ClientCredentials {
        #[schema(min_length = 1, max_length = 256)]
        client_id: String,
        #[schema(min_length = 1, max_length = 256)]
        client_secret: String,
    },
}

/// A refresh token, to rotate or to revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 4096)]
    pub refresh_token: String,
}

fn check_length(values: &[(&str, &str)], max_chars: usize) -> Result<(), ApiError> {
    let errors: Vec<_> = values
        .iter()
        .filter(|(_, value)| value.is_empty() || value.chars().count() > max_chars)
        .map(|(field, _)| {
            crate::error::FieldError::new(
                *field,
                format!("harus berisi 1 sampai {max_chars} karakter"),
                format!("must have 1 to {max_chars} characters"),
            )
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(ApiError::InvalidBody(errors)) }
}

/// Issues an access token (and, for users, a refresh token). Repeated failures for one
/// username or one address within the window get 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Logged in.", body = TokenResponse),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong username, password, client id or secret.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or password hashing saturated; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    request: HttpRequest,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let ip = client_ip(&request);
    let tokens = match body {
        TokenRequest::Password { username, password } => {
            check_length(&[("username", &username), ("password", &password)], MAX_CREDENTIAL_CHARS)?;
            login::password_login(&state, &username, password, &ip).await?
        }
        TokenRequest::ClientCredentials { client_id, client_secret } => {
            check_length(&[("client_id", &client_id), ("client_secret", &client_secret)], MAX_CREDENTIAL_CHARS)?;
            login::client_login(&state, &client_id, client_secret, &ip).await?
        }
    };
    Ok(web::Json(tokens))
}

/// Exchanges a refresh token for a new access token and a new refresh token. Each refresh
/// token works once; using one twice revokes every token descended from the same login.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens.", body = TokenResponse),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The refresh token is invalid, expired, revoked or used.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/refresh")]
pub async fn refresh_token(
    state: web::Data<AppState>,
    request: HttpRequest,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    check_length(&[("refresh_token", &body.refresh_token)], MAX_REFRESH_TOKEN_CHARS)?;
    Ok(web::Json(login::refresh(&state, &body.refresh_token, &client_ip(&request)).await?))
}

/// Revokes a refresh token and every token descended from the same login. Returns 204 for
/// unknown tokens too.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out."),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    request: HttpRequest,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    check_length(&[("refresh_token", &body.refresh_token)], MAX_REFRESH_TOKEN_CHARS)?;
    login::logout(&state, &body.refresh_token, &client_ip(&request)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A short reference to an indicator in a road map.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoadmapIndicatorRef {
    pub roadmap: String,
    pub code: String,
    pub name: String,
}

/// The caller: who they are, their organisation, and the indicators it coordinates and
/// implements.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    /// `user` or `service`.
    pub kind: &'static str,
    pub id: i64,
    /// Username, or client id for a service.
    pub name: String,
    /// Role of a user; absent for a service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Scopes of a service; absent for a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<Scope>>,
    pub organisation: Option<OrganisationRef>,
    pub coordinates: Vec<RoadmapIndicatorRef>,
    pub implements: Vec<RoadmapIndicatorRef>,
    /// Indicators for which the organisation is the designated reporting unit: its figure is the
    /// one that counts, and it may report even where it is not an implementer.
    pub reports: Vec<RoadmapIndicatorRef>,
}

/// Tells the caller who they are and what their organisation coordinates and implements.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller.", body = MeView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me")]
pub async fn me(
    state: web::Data<AppState>,
    caller: Caller,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<MeView>, ApiError> {
    let mut connection = state.pool.get().await?;
    let (kind, id, name, role, scopes, organisation_id) = match &caller.principal {
        Principal::User { id, username, role, organisation_id } => {
            ("user", *id, username.clone(), Some(*role), None, *organisation_id)
        }
        Principal::Client { id, client_id, scopes, organisation_id } => {
            ("service", *id, client_id.clone(), None, Some(scopes.clone()), *organisation_id)
        }
    };

    let organisation = match organisation_id {
        Some(organisation_id) => {
            organisations::refs_by_id(&mut connection, &[organisation_id]).await?.remove(&organisation_id)
        }
        None => None,
    };
    let (coordinates, implements, reports) = match organisation_id {
        Some(organisation_id) => (
            indicators::refs_for_organisation(&mut connection, organisation_id, OrganisationRole::Coordinator).await?,
            indicators::refs_for_organisation(&mut connection, organisation_id, OrganisationRole::Implementer).await?,
            indicators::refs_for_organisation(&mut connection, organisation_id, OrganisationRole::ReportingUnit)
                .await?,
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let to_refs = |rows: Vec<(String, String, String)>| {
        rows.into_iter().map(|(roadmap, code, name)| RoadmapIndicatorRef { roadmap, code, name }).collect()
    };

    Ok(web::Json(MeView {
        kind,
        id,
        name,
        role,
        scopes,
        organisation,
        coordinates: to_refs(coordinates),
        implements: to_refs(implements),
        reports: to_refs(reports),
    }))
}
