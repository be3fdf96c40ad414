//! The connection pool: diesel-async over tokio-postgres, pooled by deadpool.

use std::time::Duration;

use diesel::ConnectionError;
use diesel::connection::InstrumentationEvent;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, deadpool};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

pub type Pool = deadpool::Pool<AsyncPgConnection>;
pub type PoolError = deadpool::PoolError;
pub type Connection = deadpool::Object<AsyncPgConnection>;

/// Pool settings.
#[derive(Clone, Copy, Debug)]
pub struct PoolOptions {
    pub max_size: usize,
    /// How long a caller waits for a connection, and for a new one to be made.
    pub wait_timeout: Duration,
    /// `statement_timeout` and `idle_in_transaction_session_timeout` set on every connection.
    pub statement_timeout: Duration,
}

/// Builds the pool. Connections are made on first use, so this does not touch the database.
pub fn build_pool(database_url: &str, options: PoolOptions) -> anyhow::Result<Pool> {
    let statement_timeout_ms = options.statement_timeout.as_millis();
    let mut config = ManagerConfig::default();
    config.custom_setup = Box::new(move |url| establish(url, statement_timeout_ms).boxed());
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);

    let pool = Pool::builder(manager)
        .max_size(options.max_size)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .recycle_timeout(Some(options.wait_timeout))
        .runtime(::deadpool::Runtime::Tokio1)
        .build()?;
    Ok(pool)
}

fn establish(url: &str, statement_timeout_ms: u128) -> BoxFuture<'_, Result<AsyncPgConnection, ConnectionError>> {
    async move {
        let mut connection = AsyncPgConnection::establish(url).await?;
        connection.set_instrumentation(log_statement);
        // A transaction left idle, by a bug or a stalled request, would hold its locks and the
        // change feed's horizon; PostgreSQL ends it after the same time as a slow statement.
        let timeouts = format!(
            "SET statement_timeout = {statement_timeout_ms}; SET idle_in_transaction_session_timeout = {statement_timeout_ms}"
        );
        connection.batch_execute(&timeouts).await.map_err(ConnectionError::CouldntSetupConfiguration)?;
        Ok(connection)
    }
    .boxed()
}

/// Logs each finished statement at debug level under the target `petajalan::sql`, without its
/// bind values, so that an operator can see and count the statements of a request (the log
/// line carries the request's span). Nothing is formatted unless that level is on.
fn log_statement(event: InstrumentationEvent<'_>) {
    if let InstrumentationEvent::FinishQuery { query, error, .. } = event
        && tracing::enabled!(target: "petajalan::sql", tracing::Level::DEBUG)
    {
        let text = query.to_string();
        let sql = text.split(" -- binds:").next().unwrap_or(&text);
        tracing::debug!(target: "petajalan::sql", sql, failed = error.is_some(), "statement");
    }
}

/// Runs `SELECT 1` on a pooled connection.
pub async fn ping(pool: &Pool) -> anyhow::Result<()> {
    let mut connection = pool.get().await?;
    diesel::sql_query("SELECT 1").execute(&mut connection).await?;
    Ok(())
}
