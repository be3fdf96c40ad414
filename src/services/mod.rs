//! Workflows that span several tables in one transaction; handlers call them.

pub mod achievement;
pub mod audit;
pub mod bulk;
pub mod changes;
pub mod maintenance;
pub mod plans;
pub mod realisations;
pub mod references;
pub mod reports;
pub mod structure;
pub mod synth;
pub mod targets;
