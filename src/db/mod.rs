//! Data layer: the diesel schema, the connection pool, migrations, queries and the import.
//! Query functions take a connection, so the caller decides the transaction.

pub mod accounts;
pub mod import;
pub mod indicators;
pub mod migrate;
pub mod organisations;
pub mod pool;
pub mod roadmaps;
pub mod rows;
pub mod schema;
