//! User administration, for the secretariat (admin) only.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::caller::{AdminCaller, AdminWithBody, Role};
use crate::auth::login::audit_by_caller;
use crate::db::accounts::{self, NewUser, UserRow};
use crate::db::organisations;
use crate::domain::indicator::OrganisationKind;
use crate::domain::key::Key;
use crate::domain::lang::Lang;
use crate::domain::pagination::Page;
use crate::domain::password_policy::{PasswordProblem, check_password};
use crate::error::{ApiError, FieldError, Problem, Resource};
use crate::http::extractors::{ApiJson, ApiQuery};
use crate::routes::params::{Checks, NoParams, PageParams};
use crate::state::AppState;
use crate::views::OrganisationRef;

/// A user as the API shows it; the password hash never leaves the database.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The organisation of an `opd` user.
    pub organisation: Option<OrganisationRef>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// 3 to 64 characters: lower-case letters, digits, `.`, `_` and `-`, starting with a letter or
    /// digit.
    #[schema(example = "budi.santoso")]
    pub username: String,
    /// 1 to 200 characters.
    pub display_name: String,
    pub role: Role,
    /// Id or code of the organisation; required for `opd` users, forbidden for the others.
    pub organisation: Option<String>,
    /// 12 to 128 characters, not a common or guessable password.
    pub password: String,
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// 12 to 128 characters, not a common or guessable password.
    pub password: String,
}

/// Path of a user.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// User id or username.
    pub user: String,
}

async fn view(connection: &mut diesel_async::AsyncPgConnection, rows: Vec<UserRow>) -> Result<Vec<UserView>, ApiError> {
    let ids: Vec<i64> = rows.iter().filter_map(|row| row.organisation_id).collect();
    let organisations = organisations::refs_by_id(connection, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| UserView {
            id: row.id,
            role: row.role.parse().unwrap_or(Role::Viewer),
            organisation: row.organisation_id.and_then(|id| organisations.get(&id).cloned()),
            username: row.username,
            display_name: row.display_name,
            active: row.active,
            created_at: row.created_at,
        })
        .collect())
}

async fn find(connection: &mut diesel_async::AsyncPgConnection, key: &str) -> Result<UserRow, ApiError> {
    accounts::find_user(connection, Key::parse(key))
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::User, key: key.to_string() })
}

/// Lists users by username.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "One page of users.", body = Page<UserView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin may manage users.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    _caller: AdminCaller,
    query: ApiQuery<PageParams>,
) -> Result<web::Json<Page<UserView>>, ApiError> {
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    checks.finish()?;

    let mut connection = state.pool.get().await?;
    let (rows, total) = accounts::list_users(&mut connection, page).await?;

    Ok(web::Json(Page::new(view(&mut connection, rows).await?, page, total)))
}

/// Creates a user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "The new user.", body = UserView),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin may manage users.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; the problem names it.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or password hashing unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<CreateUser>>,
) -> Result<HttpResponse, ApiError> {
    let organisation = match &body.organisation {
        Some(key) => organisations::find(&mut *state.pool.get().await?, Key::parse(key)).await?,
        None => None,
    };
    let errors = validate_new_user(&body, organisation.as_ref().map(|found| found.kind));
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }

    // Hashed before a connection is taken, so that no connection waits on the hash.
    let password_hash = state.auth.hasher.hash(body.password).await?;
    let mut connection = state.pool.get().await?;
    let username = body.username.to_lowercase();
    let new_user = NewUser {
        username: &username,
        display_name: body.display_name.trim(),
        role: body.role.as_ref(),
        organisation_id: organisation.map(|found| found.id),
        password_hash: &password_hash,
    };
    let created = accounts::insert_user(&mut connection, &new_user)
        .await?
        .ok_or_else(|| ApiError::Conflict { field: "username", what: format!("username {username:?}") })?;
    audit_by_caller(&mut connection, &caller, "user.create", &created.username).await;

    let mut views = view(&mut connection, vec![created]).await?;
    Ok(HttpResponse::Created().json(views.remove(0)))
}

/// Checks a new user's fields; the organisation has been looked up by the caller.
pub fn validate_new_user(body: &CreateUser, organisation: Option<OrganisationKind>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let username = body.username.to_lowercase();
    let username_ok = (3..=64).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if !username_ok {
        errors.push(FieldError::new(
            "username",
            "harus 3 sampai 64 karakter: huruf kecil, angka, titik, garis bawah dan tanda hubung, diawali huruf atau angka",
            "must be 3 to 64 characters: lower-case letters, digits, dots, underscores and hyphens, starting with a letter or digit",
        ));
    }
    if body.display_name.trim().is_empty() || body.display_name.chars().count() > 200 {
        errors.push(FieldError::new(
            "display_name",
            "harus berisi 1 sampai 200 karakter",
            "must have 1 to 200 characters",
        ));
    }
    match (body.role, &body.organisation, organisation) {
        (Role::Opd, None, _) => {
            errors.push(FieldError::new("organisation", "wajib untuk peran opd", "is required for the opd role"))
        }
        (Role::Opd, Some(key), Some(OrganisationKind::Group)) => errors.push(FieldError::new(
            "organisation",
            format!("{key:?} adalah kelompok organisasi; pengguna opd terikat pada satu organisasi"),
            format!("{key:?} is a group of organisations; an opd user belongs to one organisation"),
        )),
        (Role::Opd, Some(key), None) => errors.push(FieldError::new(
            "organisation",
            format!("tidak ada organisasi dengan id atau kode {key:?}"),
            format!("there is no organisation with id or code {key:?}"),
        )),
        (Role::Admin | Role::Viewer, Some(_), _) => {
            errors.push(FieldError::new("organisation", "hanya untuk peran opd", "applies to the opd role only"))
        }
        _ => {}
    }
    if let Err(problem) = check_password(&body.password, &[&username, &body.display_name]) {
        errors.push(password_error(&problem));
    }

    errors
}

fn password_error(problem: &PasswordProblem) -> FieldError {
    FieldError::new("password", problem.message(Lang::Id), problem.message(Lang::En))
}

/// Deactivates a user: their refresh tokens stop working at once, and their access tokens are
/// rejected from the next request on.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserPath),
    responses(
        (status = 200, description = "The deactivated user.", body = UserView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin may manage users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An admin cannot deactivate their own account.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/users/{user}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    AdminCaller(caller): AdminCaller,
    path: web::Path<UserPath>,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<UserView>, ApiError> {
    let mut connection = state.pool.get().await?;
    let user = find(&mut connection, &path.user).await?;
    if caller.user_id() == Some(user.id) {
        return Err(ApiError::InvalidBody(vec![FieldError::new(
            "user",
            "admin tidak dapat menonaktifkan akunnya sendiri",
            "an admin cannot deactivate their own account",
        )]));
    }

    let updated = connection
        .transaction::<_, diesel::result::Error, _>(async |connection| {
            let updated = accounts::set_user_active(connection, user.id, false).await?;
            accounts::revoke_user_tokens(connection, user.id).await?;
            Ok(updated)
        })
        .await?;
    audit_by_caller(&mut connection, &caller, "user.deactivate", &user.username).await;

    Ok(web::Json(view(&mut connection, vec![updated]).await?.remove(0)))
}

/// Sets a new password for a user and revokes their refresh tokens.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(UserPath),
    request_body = ResetPassword,
    responses(
        (status = 200, description = "The user.", body = UserView),
        (status = 400, description = "Malformed JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an admin may manage users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than PETAJALAN_JSON_LIMIT_BYTES.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password is too short, too long or too easy to guess.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or password hashing unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/users/{user}/reset-password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    path: web::Path<UserPath>,
    AdminWithBody(caller, ApiJson(body)): AdminWithBody<ApiJson<ResetPassword>>,
) -> Result<web::Json<UserView>, ApiError> {
    let user = find(&mut *state.pool.get().await?, &path.user).await?;
    if let Err(problem) = check_password(&body.password, &[&user.username, &user.display_name]) {
        return Err(ApiError::InvalidBody(vec![password_error(&problem)]));
    }

    // Hashed before a connection is taken, so that no connection waits on the hash.
    let password_hash = state.auth.hasher.hash(body.password).await?;
    let mut connection = state.pool.get().await?;
    let updated = connection
        .transaction::<_, diesel::result::Error, _>(async |connection| {
            let updated = accounts::set_user_password(connection, user.id, &password_hash).await?;
            accounts::revoke_user_tokens(connection, user.id).await?;
            accounts::clear_failures(connection, &user.username).await?;
            Ok(updated)
        })
        .await?;
    audit_by_caller(&mut connection, &caller, "user.reset_password", &user.username).await;

    Ok(web::Json(view(&mut connection, vec![updated]).await?.remove(0)))
}
