//! Workflows that span several tables in one transaction; handlers call them.

pub mod achievement;
pub mod audit;
pub mod maintenance;
pub mod realisations;
pub mod structure;
pub mod targets;
