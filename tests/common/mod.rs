//! Test harness: a real PostgreSQL database per test, cloned from a migrated template, and the
//! real server on a free port, called over HTTP.
//!
//! The server is found as the service finds it: `DATABASE_URL`, else the local server on
//! 127.0.0.1:5432, else a private cluster under `target/test-postgres`. The database part of
//! `DATABASE_URL` is ignored, because each test creates its own database.

#![allow(dead_code)]

pub mod cluster;
pub mod service_process;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use petajalan::auth::AuthState;
use petajalan::auth::password::hash_blocking;
use petajalan::auth::tokens::Subject;
use petajalan::clock::Clock;
use petajalan::config::Settings;
use petajalan::db::import::import_document;
use petajalan::db::migrate;
use petajalan::db::pool::{PoolOptions, build_pool};
use petajalan::domain::roadmap_file::parse_roadmap_file;
use petajalan::local_postgres;
use petajalan::startup::Application;
use tokio::sync::OnceCell;

pub const SEMARANG_FILE: &str = "data/semarang-2023-2024.toml";
pub const SEMARANG: &str = "semarang-2023-2024";

static SERVER_URL: OnceCell<String> = OnceCell::const_new();

/// Returns the server's URL without a database name, finding the server on first use.
pub async fn server_url() -> String {
    SERVER_URL
        .get_or_init(|| async {
            if let Ok(url) = std::env::var("DATABASE_URL") {
                return url.rsplit_once('/').map_or(url.clone(), |(base, _)| base.to_string());
            }
            let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-postgres");
            match local_postgres::find_server(&data_dir).await {
                Ok(server) => server.base_url,
                Err(error) => panic!(
                    "no PostgreSQL for the tests: {error:#}\n\
                     Provide one with DATABASE_URL=postgres://USER@HOST:PORT/postgres (the user must be allowed to create databases), \
                     run a server on 127.0.0.1:5432 that accepts user postgres without a password, \
                     or install PostgreSQL so that initdb and pg_ctl are found."
                ),
            }
        })
        .await
        .clone()
}

/// Name of the migrated template database; it changes whenever a migration changes.
fn template_name() -> String {
    let mut hasher = DefaultHasher::new();
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<PathBuf> = walk(&migrations);
    files.sort();
    for file in files {
        file.strip_prefix(&migrations).unwrap().hash(&mut hasher);
        std::fs::read(&file).unwrap().hash(&mut hasher);
    }
    format!("petajalan_test_template_{:016x}", hasher.finish())
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Key of the advisory lock that serialises template creation across test processes.
const TEMPLATE_LOCK_KEY: i64 = 0x7465_7374_7470_6c74;

async fn ensure_template(server: &str) -> String {
    let template = template_name();
    let mut admin =
        AsyncPgConnection::establish(&format!("{server}/postgres")).await.expect("connect to the postgres database");
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})")).execute(&mut admin).await.unwrap();

    let exists = database_exists(&mut admin, &template).await;
    if !exists {
        let building = format!("{template}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .unwrap();
        diesel::sql_query(format!("CREATE DATABASE {building}")).execute(&mut admin).await.unwrap();
        migrate::run_pending(&format!("{server}/{building}"), petajalan::domain::lang::Lang::En)
            .await
            .expect("migrate the template");
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}")).execute(&mut admin).await.unwrap();
        drop_older_templates(&mut admin, &template).await;
    }

    diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})")).execute(&mut admin).await.unwrap();
    template
}

/// Drops the templates of earlier migration sets; one still in use by another test run is left.
async fn drop_older_templates(connection: &mut AsyncPgConnection, current: &str) {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let older: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'petajalan\\_test\\_template\\_%' AND datname <> $1 AND datname NOT LIKE '%\\_building'",
    )
    .bind::<diesel::sql_types::Text, _>(current)
    .load(connection)
    .await
    .unwrap_or_default();
    for name in older {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {}", name.datname)).execute(connection).await;
    }
}

async fn database_exists(connection: &mut AsyncPgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let rows: Vec<Count> = diesel::sql_query("SELECT count(*) AS count FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .load(connection)
        .await
        .unwrap();
    rows[0].count > 0
}

/// A fresh database for one test, dropped when the value is dropped.
pub struct TestDatabase {
    pub server: String,
    pub name: String,
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let server = server_url().await;
        let template = ensure_template(&server).await;
        let name = format!("petajalan_test_{}", uuid::Uuid::new_v4().simple());

        let mut admin = AsyncPgConnection::establish(&format!("{server}/postgres")).await.unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut admin)
            .await
            .expect("clone the template");
        TestDatabase { server, name }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    pub async fn connect(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url()).await.unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = format!("{}/postgres", self.server);
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot block on itself; a thread with its
        // own runtime does the work.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                if let Ok(mut admin) = AsyncPgConnection::establish(&admin_url).await {
                    let _ = diesel::sql_query(statement).execute(&mut admin).await;
                }
            });
        })
        .join();
    }
}

/// A running service on its own database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    pub auth: AuthState,
    /// Access token of a viewer, which `get` sends.
    pub token: String,
    /// The service's clock; `clock.set` moves the service to a given moment.
    pub clock: Clock,
}

/// Signing key of the test services.
pub const TEST_JWT_SECRET: &str = "test-signing-key-that-is-long-enough-for-hs256";

/// The password of every user that `create_user` makes.
pub const TEST_PASSWORD: &str = "kuda-biru-melompat-pagar-9";

static TEST_PASSWORD_HASH: OnceCell<String> = OnceCell::const_new();

async fn test_password_hash() -> String {
    TEST_PASSWORD_HASH
        .get_or_init(|| async { tokio::task::spawn_blocking(|| hash_blocking(TEST_PASSWORD).unwrap()).await.unwrap() })
        .await
        .clone()
}

/// Settings for tests: a free port and small timeouts, with `extra` variables on top.
pub fn test_settings(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut vars = vec![
        ("DATABASE_URL", database_url),
        ("PETAJALAN_BIND", "127.0.0.1:0"),
        ("PETAJALAN_WORKERS", "2"),
        ("PETAJALAN_DB_POOL_SIZE", "4"),
        ("PETAJALAN_DB_POOL_TIMEOUT_MS", "1000"),
        ("PETAJALAN_LOG", "warn"),
        ("PETAJALAN_JWT_SECRET", TEST_JWT_SECRET),
        ("PETAJALAN_PASSWORD_HASH_CONCURRENCY", "2"),
        ("PETAJALAN_EVIDENCE_STORE", "target/test-evidence/shared"),
    ];
    vars.extend_from_slice(extra);
    Settings::from_map(&vars.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()).unwrap()
}

impl TestApp {
    /// Starts the service on a fresh, migrated, empty database.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// Like `spawn`, with extra settings.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        let database = TestDatabase::create().await;
        let evidence_dir = repo_path("target/test-evidence").join(&database.name);
        let evidence_dir = evidence_dir.to_string_lossy().into_owned();
        let mut settings = vec![("PETAJALAN_EVIDENCE_STORE", evidence_dir.as_str())];
        settings.extend_from_slice(extra);
        let clock = Clock::system();
        let (address, auth) = start_server_on(&database.url(), &settings, clock.clone()).await;
        let mut app = TestApp { address, client: reqwest::Client::new(), database, auth, token: String::new(), clock };
        let (_, token) = app.create_user("pembaca", "viewer", None).await;
        app.token = token;
        app
    }

    /// Wraps a service started elsewhere, such as a child process, so that the helpers here
    /// work on it. Users are inserted into `database` and tokens are signed with `auth`.
    pub async fn attach(address: String, database: TestDatabase, auth: AuthState) -> TestApp {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let mut app = TestApp { address, client, database, auth, token: String::new(), clock: Clock::system() };
        let (_, token) = app.create_user("pembaca", "viewer", None).await;
        app.token = token;
        app
    }

    /// Inserts an active user with `TEST_PASSWORD` and returns its id and an access token.
    pub async fn create_user(&self, username: &str, role: &str, organisation_code: Option<&str>) -> (i64, String) {
        let mut connection = self.database.connect().await;
        let organisation_id = match organisation_code {
            Some(code) => Some(
                petajalan::db::organisations::find(&mut connection, petajalan::domain::key::Key::Code(code))
                    .await
                    .unwrap()
                    .unwrap_or_else(|| panic!("no organisation {code}"))
                    .id,
            ),
            None => None,
        };
        let password_hash = test_password_hash().await;
        let user = petajalan::db::accounts::NewUser {
            username,
            display_name: username,
            role,
            organisation_id,
            password_hash: &password_hash,
        };
        let created =
            petajalan::db::accounts::insert_user(&mut connection, &user).await.unwrap().expect("username is free");
        let (token, _) = self.auth.tokens.issue(Subject::User(created.id)).unwrap();
        (created.id, token)
    }

    /// Inserts an active service client with the given scopes and secret `TEST_PASSWORD`, and
    /// returns its id and an access token.
    pub async fn create_client(&self, client_id: &str, scopes: &[&str]) -> (i64, String) {
        let mut connection = self.database.connect().await;
        let scopes: Vec<String> = scopes.iter().map(|scope| scope.to_string()).collect();
        let secret_hash = test_password_hash().await;
        let created =
            petajalan::db::accounts::insert_client(&mut connection, client_id, client_id, &scopes, None, &secret_hash)
                .await
                .unwrap()
                .expect("client id is free");
        let (token, _) = self.auth.tokens.issue(Subject::Client(created.id)).unwrap();
        (created.id, token)
    }

    /// Inserts an active service client tied to an organisation, and returns an access token.
    pub async fn create_client_for(&self, client_id: &str, scopes: &[&str], organisation_code: &str) -> String {
        let mut connection = self.database.connect().await;
        let organisation =
            petajalan::db::organisations::find(&mut connection, petajalan::domain::key::Key::Code(organisation_code))
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("no organisation {organisation_code}"));
        let scopes: Vec<String> = scopes.iter().map(|scope| scope.to_string()).collect();
        let secret_hash = test_password_hash().await;
        let created = petajalan::db::accounts::insert_client(
            &mut connection,
            client_id,
            client_id,
            &scopes,
            Some(organisation.id),
            &secret_hash,
        )
        .await
        .unwrap()
        .expect("client id is free");
        self.auth.tokens.issue(Subject::Client(created.id)).unwrap().0
    }

    /// Starts the service on a fresh database with the Semarang road map imported.
    pub async fn spawn_with_semarang() -> TestApp {
        let app = TestApp::spawn().await;
        app.import(&std::fs::read_to_string(repo_path(SEMARANG_FILE)).unwrap()).await;
        app
    }

    /// Imports a road map file's text through the same code as `petajalan import`.
    pub async fn import(&self, source: &str) {
        let document = parse_roadmap_file(source).unwrap_or_else(|problems| panic!("invalid test file: {problems:?}"));
        let mut connection = self.database.connect().await;
        import_document(&mut connection, &document).await.unwrap();
    }

    /// GETs a path as the viewer.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request failed")
    }

    /// GETs a path without a token.
    pub async fn get_anonymous(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.address)).send().await.expect("request failed")
    }

    pub async fn get_with_language(&self, path: &str, language: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(&self.token)
            .header("Accept-Language", language)
            .send()
            .await
            .expect("request failed")
    }

    /// POSTs a JSON body, with a bearer token if one is given.
    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &serde_json::Value) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.address)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request failed")
    }

    /// Sends a request with an optional token, JSON body and `If-Match` header.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.expect("request failed")
    }

    /// Sends a request, expects `status` and returns the JSON body.
    pub async fn expect(
        &self,
        status: u16,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
        if_match: Option<&str>,
    ) -> serde_json::Value {
        let response = self.send(method.clone(), path, token, body, if_match).await;
        let got = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(got, status, "{method} {path} returned {got}: {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    /// Sets the service's clock to a moment written in RFC 3339, such as
    /// `2023-04-30T23:59:00+07:00`.
    pub fn set_time(&self, moment: &str) {
        let moment = chrono::DateTime::parse_from_rfc3339(moment).expect("an RFC 3339 time");
        self.clock.set(Some(moment.with_timezone(&chrono::Utc)));
    }

    /// Opens a reporting period of the Semarang road map as `admin`.
    pub async fn open_period(&self, admin: &str, period: &str, opens_on: &str, deadline: &str, late_policy: &str) {
        let body = serde_json::json!({
            "period": period, "opens_on": opens_on, "deadline": deadline, "late_policy": late_policy,
        });
        self.expect(
            201,
            reqwest::Method::POST,
            &format!("/api/v1/roadmaps/{SEMARANG}/periods"),
            Some(admin),
            Some(&body),
            None,
        )
        .await;
    }

    /// Creates a realisation of the Semarang road map and returns its JSON view.
    pub async fn report(&self, token: &str, body: serde_json::Value) -> serde_json::Value {
        self.expect(
            201,
            reqwest::Method::POST,
            &format!("/api/v1/roadmaps/{SEMARANG}/realisations"),
            Some(token),
            Some(&body),
            None,
        )
        .await
    }

    /// Uploads a file as evidence of a realisation.
    pub async fn upload(&self, token: &str, realisation: i64, file_name: &str, content: Vec<u8>) -> reqwest::Response {
        self.upload_to(token, &format!("/api/v1/realisations/{realisation}/evidence"), file_name, content).await
    }

    /// Uploads a file to an evidence path, such as a milestone's.
    pub async fn upload_to(&self, token: &str, path: &str, file_name: &str, content: Vec<u8>) -> reqwest::Response {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(content).file_name(file_name.to_string()));
        self.client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("request failed")
    }

    /// POSTs a file with its media type to a path, as a bulk import receives it.
    pub async fn post_file(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        language: &str,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .header("Accept-Language", language)
            .body(body)
            .send()
            .await
            .expect("request failed")
    }

    /// GETs a path with the given token, expects 200 and returns the JSON body.
    pub async fn get_json_as(&self, token: &str, path: &str) -> serde_json::Value {
        self.expect(200, reqwest::Method::GET, path, Some(token), None, None).await
    }

    /// GETs a path, expects 200 and returns the JSON body.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 200, "GET {path} returned {status}: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

/// Lists the `(line, field)` pairs of a problem's errors, as a bulk import places them.
pub fn problems(body: &serde_json::Value) -> Vec<(u64, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| (error["line"].as_u64().unwrap(), error["field"].as_str().unwrap().to_string()))
        .collect()
}

/// Returns the authentication state of a service run with the test settings, whose tokens a
/// `petajalan` child process started with `TEST_JWT_SECRET` accepts.
pub fn test_auth() -> AuthState {
    let settings = test_settings("postgres://unused", &[]);
    AuthState::new(&settings.auth, TEST_JWT_SECRET.as_bytes()).unwrap()
}

/// Starts the real server on a free port against the given database and returns its address
/// and its authentication state.
pub async fn start_server(database_url: &str) -> (String, AuthState) {
    start_server_with(database_url, &[]).await
}

/// Like `start_server`, with extra settings.
pub async fn start_server_with(database_url: &str, extra: &[(&str, &str)]) -> (String, AuthState) {
    start_server_on(database_url, extra, Clock::system()).await
}

/// Like `start_server_with`, with the given clock.
pub async fn start_server_on(database_url: &str, extra: &[(&str, &str)], clock: Clock) -> (String, AuthState) {
    let settings = test_settings(database_url, extra);
    let pool = build_pool(
        database_url,
        PoolOptions {
            max_size: settings.db_pool_size,
            wait_timeout: settings.db_pool_timeout,
            statement_timeout: settings.db_statement_timeout,
        },
    )
    .unwrap();
    let auth = AuthState::new(&settings.auth, TEST_JWT_SECRET.as_bytes()).unwrap();
    let application = Application::build(&settings, pool, auth.clone(), clock).unwrap();
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    (address, auth)
}

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}
