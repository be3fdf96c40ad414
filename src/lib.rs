//! petajalan: a service for a city's bureaucratic reform road map (indicators, yearly targets,
//! action plans and quarterly realisations).
//!
//! Layers: `domain` holds the rules and imports neither `db` nor `routes`; `db` holds the schema,
//! queries and the import; `routes` holds thin HTTP handlers; `views` holds the JSON shapes that
//! the API returns.

pub mod api_doc;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod local_postgres;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod views;
