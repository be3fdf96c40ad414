//! HTTP handlers: extract, validate, call the data layer, shape the response.

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod changes;
pub mod docs;
pub mod download;
pub mod evidence;
pub mod fallback;
pub mod health;
pub mod indicators;
pub mod maintenance;
pub mod organisations;
pub mod params;
pub mod periods;
pub mod plans;
pub mod realisations;
pub mod reports;
pub mod roadmaps;
pub mod structure;
pub mod targets;
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
        .service(roadmaps::list_goals)
        .service(roadmaps::get_goal)
        .service(roadmaps::list_themes)
        .service(roadmaps::get_theme)
        .service(roadmaps::list_objectives)
        .service(roadmaps::get_objective)
        .service(roadmaps::list_activities)
        .service(roadmaps::get_activity)
        .service(structure::create_roadmap)
        .service(structure::create_goal)
        .service(structure::update_goal)
        .service(structure::retire_goal)
        .service(structure::create_theme)
        .service(structure::update_theme)
        .service(structure::retire_theme)
        .service(structure::create_objective)
        .service(structure::update_objective)
        .service(structure::retire_objective)
        .service(structure::create_activity)
        .service(structure::update_activity)
        .service(structure::retire_activity)
        .service(indicators::list_indicators)
        .service(indicators::get_indicator)
        .service(indicators::get_achievement)
        .service(targets::list_targets)
        .service(targets::target_history)
        .service(targets::revise_target)
        .service(bulk::import_targets)
        .service(targets::retire_indicator)
        .service(maintenance::patch_indicator)
        .service(maintenance::create_indicator)
        .service(organisations::list_organisations)
        .service(organisations::get_organisation)
        .service(auth::issue_token)
        .service(auth::refresh_token)
        .service(auth::logout)
        .service(auth::me)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::deactivate_user)
        .service(users::reset_password)
        .service(periods::list_periods)
        .service(periods::create_period)
        .service(periods::get_period)
        .service(periods::update_period)
        .service(periods::create_exception)
        .service(realisations::list_realisations)
        .service(realisations::create_realisation)
        .service(bulk::import_realisations)
        .service(realisations::get_realisation)
        .service(realisations::update_realisation)
        .service(realisations::list_versions)
        .service(realisations::submit_realisation)
        .service(realisations::verify_realisation)
        .service(realisations::return_realisation)
        .service(evidence::add_evidence)
        .service(evidence::download_evidence)
        .service(evidence::remove_evidence)
        .service(plans::list_plans)
        .service(plans::create_plan)
        .service(plans::get_plan)
        .service(plans::update_plan)
        .service(plans::cancel_plan)
        .service(plans::add_milestone)
        .service(plans::get_milestone)
        .service(plans::update_milestone)
        .service(plans::list_progress)
        .service(plans::report_progress)
        .service(evidence::add_milestone_evidence)
        .service(evidence::download_milestone_evidence)
        .service(evidence::remove_milestone_evidence)
        .service(audit::list_audit_events)
        .service(reports::achievement_report)
        .service(reports::compliance_report)
        .service(changes::list_changes);
}
