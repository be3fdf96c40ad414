//! HTTP plumbing shared by all routes: problem rendering, request tracing, extractors.

pub mod body_deadline;
pub mod control_characters;
pub mod extractors;
pub mod idempotency;
pub mod problem;
pub mod request_id;
