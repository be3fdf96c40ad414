//! Data layer: the diesel schema, the connection pool, migrations, queries and the import.
//! Query functions take a connection, so the caller decides the transaction.

pub mod accounts;
pub mod changes;
pub mod evidence;
pub mod idempotency;
pub mod import;
pub mod indicators;
pub mod migrate;
pub mod organisations;
pub mod periods;
pub mod plans;
pub mod pool;
pub mod realisations;
pub mod reports;
pub mod roadmaps;
pub mod rows;
pub mod schema;
pub mod structure;
pub mod targets;

/// Rows per statement of a multi-row insert. PostgreSQL takes at most 65 535 bind parameters
/// in one statement, so larger batches are split; this size leaves room for 65 columns.
pub const ROWS_PER_INSERT: usize = 1000;
