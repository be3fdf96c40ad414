//! The OpenAPI document and the interactive docs page. Swagger UI's files are compiled into the
//! binary (the `vendored` feature of utoipa-swagger-ui), so the page works without internet
//! access.

use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// Path of the OpenAPI document.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Builds the docs page at `/docs/`, which reads the document from `OPENAPI_PATH`. Swagger UI's
/// online validator is switched off, so the page sends nothing to other hosts.
pub fn swagger_ui(document: OpenApi) -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url(OPENAPI_PATH, document).config(Config::new([OPENAPI_PATH]).validator_url("none"))
}

/// Sends `/docs` on to `/docs/`, where the page lives.
pub async fn redirect_to_docs() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect().insert_header(("Location", "/docs/")).finish()
}
