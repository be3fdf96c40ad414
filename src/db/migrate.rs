//! Applies the embedded migrations under an advisory lock, so that several instances starting
//! at once apply each migration once.

use anyhow::Context;
use diesel::RunQueryDsl;

use crate::config::connection_hint;
use crate::domain::lang::Lang;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the PostgreSQL advisory lock held while migrating; any constant unique to this
/// service works.
const MIGRATION_LOCK_KEY: i64 = 0x7065_7461_6a61_6c6e;

/// Applies pending migrations and returns the names of those applied.
pub async fn run_pending(database_url: &str, lang: Lang) -> anyhow::Result<Vec<String>> {
    let url = database_url.to_string();
    // The wrapper offers diesel's blocking connection interface, so it runs on a blocking
    // thread rather than on an async worker.
    tokio::task::spawn_blocking(move || apply(&url, lang)).await?
}

fn apply(database_url: &str, lang: Lang) -> anyhow::Result<Vec<String>> {
    use diesel::Connection;

    let mut connection = AsyncConnectionWrapper::<AsyncPgConnection>::establish(database_url)
        .with_context(|| connection_hint(database_url, lang))?;
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(&mut connection)?;

    let result = connection
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|error| anyhow::anyhow!("migration failed: {error}"));

    diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(&mut connection)?;
    result
}
