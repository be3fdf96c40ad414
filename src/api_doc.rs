//! The OpenAPI document, generated from the route annotations.

use actix_web::App;
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "petajalan",
        description = "Bureaucratic reform road map service: road maps with their goals, objectives, main activities and indicators, each indicator with its baseline, yearly targets, coordinator and implementers.\n\nEvery object can be named in a path by its numeric id or by its code. Decimal values are JSON strings in plain notation (`\"27362089000000\"`, `\"1.5\"`) so that no client loses precision. Errors are RFC 9457 problem+json bodies whose `title` and `detail` follow `Accept-Language`: Indonesian by default, English with `Accept-Language: en`. Lists are paginated with `page` and `page_size` (at most 200). Every response carries an `X-Request-Id` header.\n\nEvery route except the health probes, this document, the docs page and `/api/v1/auth/*` needs an access token: `Authorization: Bearer <token>`, from `POST /api/v1/auth/token`. Admins manage users; every user reads the road map; service clients read with the `read` scope.",
        license(name = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "roadmaps", description = "Road maps and their tree."),
        (name = "structure", description = "Road map maintenance by the secretariat: new road maps, and creating, renaming and retiring goals, themes, objectives and activities."),
        (name = "indicators", description = "Indicators with baselines, targets and assignments."),
        (name = "organisations", description = "Government units (OPD)."),
        (name = "health", description = "Liveness and readiness probes."),
        (name = "auth", description = "Logins, token refresh and logout; the caller's own account."),
        (name = "users", description = "User administration, for admins."),
        (name = "plans", description = "Action plans (rencana aksi), their milestones and progress."),
        (name = "changes", description = "The change feed: realisations, targets, plans and milestones changed after a cursor, for systems that keep a copy."),
        (name = "reports", description = "Monitoring reports (monev): achievement with statuses and roll-ups, and reporting compliance per organisation and period."),
    ),
    modifiers(&BearerScheme),
    components(schemas(
        crate::error::Problem,
        crate::error::ProblemField,
        crate::routes::params::RoleParam,
        crate::domain::indicator::ObjectiveKind,
        crate::export::ReportFormat
    ))
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme that protected routes name.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/token."))
                    .build(),
            ),
        );
    }
}

/// Builds the document from the same route registration that the server uses.
pub fn document() -> OpenApiDocument {
    let (_, document) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(routes::configure).split_for_parts();
    document
}

/// Renders the document as pretty-printed JSON with a final newline, as committed in `openapi/`.
pub fn document_json() -> serde_json::Result<String> {
    let mut json = document().to_pretty_json()?;
    json.push('\n');
    Ok(json)
}
