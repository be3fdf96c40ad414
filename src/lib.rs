//! petajalan: a service for a city's bureaucratic reform road map (indicators, yearly targets,
//! action plans and quarterly realisations).
//!
//! Layers: `domain` contains the rules and imports neither `db` nor `routes`. `db` contains the
//! schema, queries and the import, `routes` the thin HTTP handlers, and `views` the JSON shapes
//! that the API returns.

pub mod api_doc;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod local_postgres;
pub mod memory;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod views;
