//! HTTP handlers: extract, validate, call the data layer, shape the response.

pub mod auth;
pub mod docs;
pub mod fallback;
pub mod health;
pub mod indicators;
pub mod organisations;
pub mod params;
pub mod roadmaps;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

pub use crate::state::AppState;

/// Registers every documented route.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::live)
        .service(health::ready)
        .service(roadmaps::list_roadmaps)
        .service(roadmaps::get_roadmap)
        .service(roadmaps::get_tree)
        .service(roadmaps::list_themes)
        .service(roadmaps::list_objectives)
        .service(roadmaps::get_objective)
        .service(roadmaps::list_activities)
        .service(roadmaps::get_activity)
        .service(indicators::list_indicators)
        .service(indicators::get_indicator)
        .service(organisations::list_organisations)
        .service(organisations::get_organisation)
        .service(auth::issue_token)
        .service(auth::refresh_token)
        .service(auth::logout)
        .service(auth::me)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::deactivate_user)
        .service(users::reset_password);
}
