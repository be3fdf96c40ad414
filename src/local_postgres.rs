//! Finding a PostgreSQL server when `DATABASE_URL` is not set.
//!
//! The search tries the local server on 127.0.0.1:5432 first, as user `postgres` without a
//! password (the default of a Debian install with trust authentication). If it does not
//! respond, this module creates a private cluster with `initdb` under a data folder and starts
//! it with `pg_ctl`, listening only on a Unix socket inside that folder. The service and the
//! tests use the same search.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::process::Command;

/// The local server tried first.
pub const LOCAL_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432";

/// Time allowed for the local server to respond before the private cluster is tried.
const LOCAL_SERVER_TIMEOUT: Duration = Duration::from_secs(3);

/// The kind of server that the search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    LocalServer,
    /// A cluster under `dir`. `started` is true when this process started it.
    PrivateCluster {
        dir: PathBuf,
        started: bool,
    },
}

/// A server to use: its URL without a database name, and where it came from.
#[derive(Clone, Debug)]
pub struct Server {
    pub base_url: String,
    pub source: Source,
}

impl Server {
    /// Returns the URL of one database on this server.
    pub fn database_url(&self, database: &str) -> String {
        format!("{}/{database}", self.base_url)
    }
}

/// Finds a server as the module documentation describes, starting a private cluster under
/// `data_dir` if needed.
pub async fn find_server(data_dir: &Path) -> anyhow::Result<Server> {
    if can_connect(&format!("{LOCAL_SERVER_URL}/postgres")).await {
        return Ok(Server { base_url: LOCAL_SERVER_URL.to_string(), source: Source::LocalServer });
    }
    let cluster_dir = absolute(data_dir)?.join("postgres");
    let started = start_private_cluster(&cluster_dir).await?;
    let socket_dir = percent_encode_path(&cluster_dir);
    Ok(Server {
        base_url: format!("postgres://postgres@{socket_dir}"),
        source: Source::PrivateCluster { dir: cluster_dir, started },
    })
}

/// Creates the database unless it exists.
pub async fn ensure_database(server: &Server, database: &str) -> anyhow::Result<()> {
    if !database.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("database name {database:?} may only contain letters, digits and underscores");
    }
    let mut connection = AsyncPgConnection::establish(&server.database_url("postgres")).await?;

    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = Text)]
        #[allow(dead_code)]
        datname: String,
    }
    let found: Vec<Found> = diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(database)
        .load(&mut connection)
        .await?;
    if found.is_empty() {
        diesel::sql_query(format!("CREATE DATABASE {database}")).execute(&mut connection).await?;
    }
    Ok(())
}

/// Stops a private cluster started by `find_server`.
pub async fn stop_private_cluster(cluster_dir: &Path) -> anyhow::Result<()> {
    let tools = Tools::find()?;
    run(&tools, &tools.pg_ctl, &["stop", "-D", path_str(cluster_dir)?, "-m", "fast", "-w"]).await
}

async fn can_connect(url: &str) -> bool {
    matches!(tokio::time::timeout(LOCAL_SERVER_TIMEOUT, AsyncPgConnection::establish(url)).await, Ok(Ok(_)))
}

/// Creates the cluster if needed and starts it unless it runs; returns whether it started it.
pub async fn start_private_cluster(cluster_dir: &Path) -> anyhow::Result<bool> {
    let tools = Tools::find()?;
    let dir = path_str(cluster_dir)?;

    if !cluster_dir.join("PG_VERSION").exists() {
        tracing::info!(data_dir = dir, "creating a private PostgreSQL cluster");
        tokio::fs::create_dir_all(cluster_dir).await.with_context(|| format!("cannot create {dir}"))?;
        tools.hand_over(cluster_dir).await?;
        run(
            &tools,
            &tools.initdb,
            &["-D", dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
        )
        .await?;
    }

    let running = tools
        .command(&tools.pg_ctl, &["status", "-D", dir])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .is_ok_and(|status| status.success());
    if running {
        tracing::info!(data_dir = dir, "using the private PostgreSQL cluster that is already running");
        return Ok(false);
    }

    tracing::info!(data_dir = dir, "starting the private PostgreSQL cluster");
    let options = format!("-c listen_addresses='' -c unix_socket_directories='{dir}'");
    let log_file = cluster_dir.join("server.log");
    run(&tools, &tools.pg_ctl, &["start", "-D", dir, "-w", "-t", "60", "-l", path_str(&log_file)?, "-o", &options])
        .await?;
    Ok(true)
}

/// The PostgreSQL server programs, and whether they must run as the `postgres` user because
/// this process is root (PostgreSQL refuses to run as root).
struct Tools {
    initdb: PathBuf,
    pg_ctl: PathBuf,
    as_postgres_user: bool,
}

impl Tools {
    fn find() -> anyhow::Result<Tools> {
        let bin = find_bin_dir().context(
            "PostgreSQL was not found: set DATABASE_URL, start a server on 127.0.0.1:5432, or install PostgreSQL so that initdb and pg_ctl are on PATH or under /usr/lib/postgresql/<version>/bin",
        )?;
        // SAFETY: geteuid has no preconditions and only reads the process's credentials.
        let as_postgres_user = unsafe { libc::geteuid() } == 0;
        Ok(Tools { initdb: bin.join("initdb"), pg_ctl: bin.join("pg_ctl"), as_postgres_user })
    }

    fn command(&self, program: &Path, args: &[&str]) -> Command {
        let mut command = if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.args(args).kill_on_drop(true);
        command
    }

    /// Gives the data folder to the `postgres` user when running as root.
    async fn hand_over(&self, dir: &Path) -> anyhow::Result<()> {
        if !self.as_postgres_user {
            return Ok(());
        }
        let status = Command::new("chown").args(["-R", "postgres:"]).arg(dir).status().await?;
        if !status.success() {
            bail!("chown of {} to the postgres user failed; as root a private cluster needs that user", dir.display());
        }
        Ok(())
    }
}

async fn run(tools: &Tools, program: &Path, args: &[&str]) -> anyhow::Result<()> {
    let output =
        tools.command(program, args).output().await.with_context(|| format!("cannot run {}", program.display()))?;
    if !output.status.success() {
        bail!(
            "{} {} failed: {}{}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn find_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    if on_path.is_some() {
        return on_path;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()?.join(path))
}

fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str().with_context(|| format!("path {} is not valid UTF-8", path.display()))
}

/// Writes a socket folder as the host part of a URL (`/a/b` becomes `%2Fa%2Fb`).
fn percent_encode_path(path: &Path) -> String {
    form_urlencoded::byte_serialize(path.as_os_str().as_encoded_bytes()).collect()
}
