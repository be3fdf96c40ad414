//! The connection pool: diesel-async over tokio-postgres, pooled by deadpool.

use std::sync::OnceLock;
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

/// Opens a connection on `connection_runtime`, so that the task that drives it outlives the
/// HTTP worker that asked for it.
///
/// diesel-async drives each connection with a task spawned on the runtime that establishes it.
/// Every actix worker has its own runtime, and on a graceful shutdown an idle worker stops at
/// once, which ends the tasks it spawned. A request still running on another worker with a
/// connection made there would then fail with "connection closed".
fn establish(url: &str, statement_timeout_ms: u128) -> BoxFuture<'_, Result<AsyncPgConnection, ConnectionError>> {
    let url = url.to_string();
    let task = connection_runtime().spawn(establish_here(url, statement_timeout_ms));
    let abort_if_abandoned = AbortOnDrop(task.abort_handle());
    async move {
        let joined = task.await;
        drop(abort_if_abandoned);
        joined.map_err(|error| ConnectionError::BadConnection(format!("connecting task failed: {error}")))?
    }
    .boxed()
}

async fn establish_here(url: String, statement_timeout_ms: u128) -> Result<AsyncPgConnection, ConnectionError> {
    let mut connection = AsyncPgConnection::establish(&url).await?;
    connection.set_instrumentation(log_statement);
    // A transaction left idle, by a bug or a stalled request, would hold its locks and the
    // change feed's horizon; PostgreSQL ends it after the same time as a slow statement.
    let timeouts = format!(
        "SET statement_timeout = {statement_timeout_ms}; SET idle_in_transaction_session_timeout = {statement_timeout_ms}"
    );
    connection.batch_execute(&timeouts).await.map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(connection)
}

/// Returns the runtime that connects to PostgreSQL and drives every pooled connection's socket.
/// It lives as long as the process, so connections stay usable while HTTP workers stop.
fn connection_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("petajalan-db")
            .enable_all()
            .build()
            .expect("cannot start the database connection runtime")
    })
}

/// Cancels a connection attempt whose caller gave up, such as after the pool's create timeout.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
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
