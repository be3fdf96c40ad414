//! Organisations (OPD).

use actix_web::{get, web};
use utoipa::IntoParams;

use crate::auth::caller::Caller;
use crate::db::organisations;
use crate::domain::key::Key;
use crate::domain::pagination::Page;
use crate::error::{ApiError, Problem, Resource};
use crate::http::extractors::ApiQuery;
use crate::routes::AppState;
use crate::routes::params::{Checks, NoParams, OrganisationParams};
use crate::views::OrganisationView;

/// Maximum length of the search text, in characters.
const MAX_SEARCH_CHARS: usize = 100;

/// Path of an organisation.
#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrganisationPath {
    /// Organisation id or code, such as `BAPPEDA`.
    pub organisation: String,
}

/// Lists organisations by code.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(OrganisationParams),
    responses(
        (status = 200, description = "One page of organisations.", body = Page<OrganisationView>),
        (status = 400, description = "Invalid parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    caller: Caller,
    query: ApiQuery<OrganisationParams>,
) -> Result<web::Json<Page<OrganisationView>>, ApiError> {
    caller.require_read()?;
    let ApiQuery(params) = query;
    let mut checks = Checks::default();
    let page = checks.page(params.page.as_deref(), params.page_size.as_deref());
    let search = checks.text("q", params.q.as_deref(), MAX_SEARCH_CHARS);
    checks.finish()?;

    let mut connection = state.pool.get().await?;
    let (items, total) = organisations::list(&mut connection, search, page).await?;

    Ok(web::Json(Page::new(items, page, total)))
}

/// Returns one organisation.
#[utoipa::path(
    tag = "organisations",
    security(("bearer" = [])),
    params(OrganisationPath),
    responses(
        (status = 200, description = "The organisation.", body = OrganisationView),
        (status = 400, description = "Unknown query parameters.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid access token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A service client without the read scope.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/organisations/{organisation}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<OrganisationPath>,
    _query: ApiQuery<NoParams>,
) -> Result<web::Json<OrganisationView>, ApiError> {
    caller.require_read()?;
    let mut connection = state.pool.get().await?;
    let organisation = organisations::find(&mut connection, Key::parse(&path.organisation))
        .await?
        .ok_or_else(|| ApiError::NotFound { resource: Resource::Organisation, key: path.organisation.clone() })?;
    Ok(web::Json(organisation))
}
