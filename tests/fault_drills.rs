//! Fault drills. The database is stopped and started under load. The service is killed with
//! SIGKILL in the middle of a batch of idempotent submissions and stopped with SIGTERM or SIGINT
//! during a slow upload. It also runs with every pooled connection busy, and with a statement
//! slower than its timeout.
//!
//! The database drill runs its own PostgreSQL cluster (`common::cluster`), so the shared server
//! is never stopped. The signal drills run the `petajalan` binary (`common::service_process`).

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cluster::PrivateCluster;
use common::service_process::{ServiceProcess, free_port};
use common::{SEMARANG, SEMARANG_FILE, TestApp, TestDatabase, repo_path, test_auth};
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const REALISATIONS: &str = "/api/v1/roadmaps/semarang-2023-2024/realisations";

/// What a client saw of one request: its status and the headers a retry depends on. `status`
/// is `None` when the connection failed or timed out before a response.
#[derive(Clone, Debug)]
struct Sample {
    sent_at: Instant,
    elapsed: Duration,
    status: Option<u16>,
    content_type: Option<String>,
    retry_after: Option<String>,
}

async fn sample(request: reqwest::RequestBuilder) -> Sample {
    let sent_at = Instant::now();
    let response = request.send().await;
    let elapsed = sent_at.elapsed();
    match response {
        Ok(response) => {
            let header = |name: &str| response.headers().get(name).map(|value| value.to_str().unwrap().to_string());
            let content_type = header("content-type");
            let retry_after = header("retry-after");
            let status = Some(response.status().as_u16());
            let _ = response.bytes().await;
            Sample { sent_at, elapsed, status, content_type, retry_after }
        }
        Err(_) => Sample { sent_at, elapsed, status: None, content_type: None, retry_after: None },
    }
}

/// Returns the first number that a `SELECT count(*) AS count ...` statement returns.
async fn count(connection: &mut AsyncPgConnection, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let rows: Vec<Count> = diesel::sql_query(sql).load(connection).await.unwrap();
    rows[0].count
}

async fn execute(connection: &mut AsyncPgConnection, sql: &str) {
    diesel::sql_query(sql).execute(connection).await.unwrap_or_else(|error| panic!("{sql}: {error}"));
}

/// The end of a polling loop: `while !done { deadline.tick("what").await }`.
struct Deadline {
    at: Instant,
    timeout: Duration,
}

impl Deadline {
    fn after(timeout: Duration) -> Deadline {
        Deadline { at: Instant::now() + timeout, timeout }
    }

    /// Fails the test once the deadline has passed, and otherwise waits one polling interval.
    async fn tick(&self, what: &str) {
        assert!(Instant::now() < self.at, "timed out after {:?} waiting until {what}", self.timeout);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Counts the samples sent after `after` that got `status`.
fn count_answers(samples: &Mutex<Vec<Sample>>, status: u16, after: Instant) -> usize {
    samples.lock().unwrap().iter().filter(|taken| taken.sent_at > after && taken.status == Some(status)).count()
}

async fn ready_is_ok(app: &TestApp) -> bool {
    app.client.get(format!("{}/health/ready", app.address)).send().await.is_ok_and(|response| response.status() == 200)
}

/// Counts the backends of a database that wait for a lock.
async fn lock_waiters(connection: &mut AsyncPgConnection, database: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let rows: Vec<Count> = diesel::sql_query(
        "SELECT count(*) AS count FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
    )
    .bind::<Text, _>(database)
    .load(connection)
    .await
    .unwrap();
    rows[0].count
}

fn semarang_source() -> String {
    std::fs::read_to_string(repo_path(SEMARANG_FILE)).unwrap()
}

/// Opens a quarter as a reporting period that accepts late reports, so that submissions are
/// accepted whatever today's date is.
async fn open_quarter(app: &TestApp, admin: &str, year: i32, quarter: u32) {
    let opens_on = chrono::NaiveDate::from_ymd_opt(year, quarter * 3, 1).unwrap() + chrono::Months::new(1);
    let deadline = opens_on + chrono::Months::new(1) - chrono::Days::new(1);
    app.open_period(admin, &format!("{year}-Q{quarter}"), &opens_on.to_string(), &deadline.to_string(), "accept_late")
        .await;
}

// (a) The database stopped and started while requests run.

#[tokio::test]
async fn database_restart_under_load_recovers_alone() {
    let pool_timeout = Duration::from_millis(1000);
    let hang_bound = pool_timeout + Duration::from_secs(3);
    let cluster = PrivateCluster::start().await;
    let server = cluster.base_url();
    let mut admin = AsyncPgConnection::establish(&format!("{server}/postgres")).await.unwrap();
    execute(&mut admin, "CREATE DATABASE drill").await;
    drop(admin);
    let database = TestDatabase { server, name: "drill".into() };
    petajalan::db::migrate::run_pending(&database.url(), petajalan::domain::lang::Lang::En).await.unwrap();
    let pool_timeout_ms = pool_timeout.as_millis().to_string();
    let (address, auth) =
        common::start_server_with(&database.url(), &[("PETAJALAN_DB_POOL_TIMEOUT_MS", &pool_timeout_ms)]).await;
    let app = TestApp::attach(address, database, auth).await;
    app.import(&semarang_source()).await;
    let (_, secretariat) = app.create_user("sekretariat", "admin", None).await;

    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap();
    let mut load = Vec::new();
    for path in [format!("/api/v1/roadmaps/{SEMARANG}/indicators"), format!("/api/v1/roadmaps/{SEMARANG}/tree")] {
        let url = format!("{}{path}", app.address);
        let (client, token, samples, stop) = (client.clone(), app.token.clone(), samples.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let taken = sample(client.get(&url).bearer_auth(&token)).await;
                samples.lock().unwrap().push(taken);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    let started = Instant::now();
    let deadline = Deadline::after(Duration::from_secs(20));
    while count_answers(&samples, 200, started) < 3 {
        deadline.tick("the load got 200s").await;
    }

    // A request waits behind a lock, so it is surely running a statement when the server ends
    // its connections.
    let mut holder = app.database.connect().await;
    execute(&mut holder, "BEGIN").await;
    execute(&mut holder, "LOCK TABLE organisations IN ACCESS EXCLUSIVE MODE").await;
    let in_flight =
        tokio::spawn(sample(client.get(format!("{}/api/v1/organisations", app.address)).bearer_auth(&app.token)));
    let deadline = Deadline::after(Duration::from_secs(10));
    while lock_waiters(&mut holder, "drill").await < 1 {
        deadline.tick("a request waited for the lock").await;
    }

    cluster.stop().await;
    let stopped_at = Instant::now();
    let in_flight = in_flight.await.unwrap();
    drop(holder);
    let ready_down = app.get_anonymous("/health/ready").await;
    let live_down = app.get_anonymous("/health/live").await;
    let deadline = Deadline::after(Duration::from_secs(20));
    while count_answers(&samples, 503, stopped_at) < 3 {
        deadline.tick("the load got 503s").await;
    }

    let restarting_at = Instant::now();
    cluster.restart().await;
    let deadline = Deadline::after(Duration::from_secs(30));
    while !ready_is_ok(&app).await {
        deadline.tick("/health/ready returned 200 again").await;
    }
    let ready_after = restarting_at.elapsed();
    let ready_at = Instant::now();
    let deadline = Deadline::after(Duration::from_secs(20));
    while count_answers(&samples, 200, ready_at) < 3 {
        deadline.tick("the load got 200s after the restart").await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let period =
        json!({"period": "2023-Q1", "opens_on": "2023-04-01", "deadline": "2023-04-30", "late_policy": "accept_late"});
    let write_after = app
        .send(Method::POST, &format!("/api/v1/roadmaps/{SEMARANG}/periods"), Some(&secretariat), Some(&period), None)
        .await;

    assert_eq!(ready_down.status(), 503);
    assert_eq!(ready_down.headers()["content-type"], "application/problem+json");
    assert_eq!(live_down.status(), 200);
    assert_eq!(in_flight.status, Some(503), "the request running when the database stopped: {in_flight:?}");
    assert_eq!(in_flight.content_type.as_deref(), Some("application/problem+json"));
    assert_eq!(in_flight.retry_after.as_deref(), Some("5"));
    assert!(
        in_flight.elapsed <= hang_bound,
        "the request running when the database stopped took {:?}",
        in_flight.elapsed
    );
    assert_eq!(write_after.status(), 201, "a write after the restart failed");

    let samples = samples.lock().unwrap().clone();
    let longest = samples.iter().map(|taken| taken.elapsed).max().unwrap();
    let unanswered: Vec<&Sample> = samples.iter().filter(|taken| taken.status.is_none()).collect();
    let unexpected: Vec<&Sample> = samples.iter().filter(|taken| !matches!(taken.status, Some(200 | 503))).collect();
    let unavailable: Vec<&Sample> = samples.iter().filter(|taken| taken.status == Some(503)).collect();
    let while_down: Vec<&Sample> = samples
        .iter()
        .filter(|taken| taken.sent_at > stopped_at && taken.sent_at + taken.elapsed < restarting_at)
        .collect();
    let after_ready: Vec<&Sample> = samples.iter().filter(|taken| taken.sent_at > ready_at).collect();
    eprintln!(
        "database drill: {} requests, {} got 503, longest {longest:?}, ready again {ready_after:?} after pg_ctl start began",
        samples.len(),
        unavailable.len()
    );
    assert!(unanswered.is_empty(), "requests without an answer: {unanswered:?}");
    assert!(unexpected.is_empty(), "answers other than 200 or 503: {unexpected:?}");
    assert!(longest <= hang_bound, "a request took {longest:?}, more than {hang_bound:?}");
    for taken in &unavailable {
        assert_eq!(taken.content_type.as_deref(), Some("application/problem+json"), "{taken:?}");
        assert_eq!(taken.retry_after.as_deref(), Some("5"), "{taken:?}");
    }
    assert!(!while_down.is_empty(), "no request ran while the database was down");
    assert!(while_down.iter().all(|taken| taken.status == Some(503)), "{while_down:?}");
    assert!(after_ready.iter().all(|taken| taken.status == Some(200)), "{after_ready:?}");
}

// (b) SIGKILL in the middle of a batch of submissions with idempotency keys.

/// One submission of the batch and what its client got back.
struct Submission {
    token: String,
    key: String,
    body: Value,
    answer: Option<(u16, Option<String>, Value)>,
}

async fn submit(
    client: &reqwest::Client,
    address: &str,
    submission: &Submission,
) -> Option<(u16, Option<String>, Value)> {
    let response = client
        .post(format!("{address}{REALISATIONS}"))
        .bearer_auth(&submission.token)
        .header("Idempotency-Key", &submission.key)
        .json(&submission.body)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").map(|value| value.to_str().unwrap().to_string());
    let body: Value = response.json().await.ok()?;
    Some((status, replayed, body))
}

#[tokio::test]
async fn sigkill_mid_batch_stores_each_submission_once() {
    let database = TestDatabase::create().await;
    let database_name = database.name.clone();
    let port = free_port();
    let settings = [("PETAJALAN_DB_POOL_SIZE", "10"), ("PETAJALAN_DB_POOL_TIMEOUT_MS", "5000")];
    let mut service = ServiceProcess::start(&database.url(), port, &settings).await;
    let app = TestApp::attach(service.address.clone(), database, test_auth()).await;
    app.import(&semarang_source()).await;
    let (_, secretariat) = app.create_user("sekretariat", "admin", None).await;
    let mut tokens = HashMap::new();
    for organisation in ["DISKOMINFO", "BAPPEDA", "BKPP"] {
        let (_, token) = app.create_user(&organisation.to_lowercase(), "opd", Some(organisation)).await;
        tokens.insert(organisation, token);
    }
    let quarters: Vec<(i32, u32)> = [2023, 2024].into_iter().flat_map(|year| (1..=4).map(move |q| (year, q))).collect();
    for (year, quarter) in &quarters {
        open_quarter(&app, &secretariat, *year, *quarter).await;
    }
    let reports = [
        ("IND-04", "DISKOMINFO"),
        ("IND-14", "DISKOMINFO"),
        ("IND-03", "BAPPEDA"),
        ("IND-40", "BAPPEDA"),
        ("IND-10", "BKPP"),
    ];
    let mut batch: Vec<Submission> = Vec::new();
    for (year, quarter) in &quarters {
        for (indicator, organisation) in reports {
            batch.push(Submission {
                token: tokens[organisation].clone(),
                key: uuid::Uuid::new_v4().to_string(),
                body: json!({"indicator": indicator, "period": format!("{year}-Q{quarter}"), "value": 3}),
                answer: None,
            });
        }
    }

    // Requests for 2024-Q4 wait behind this row lock inside their transactions, so the kill
    // lands on a batch where some submissions have their response and some are still running.
    let mut holder = app.database.connect().await;
    execute(&mut holder, "BEGIN").await;
    execute(&mut holder, "SELECT id FROM reporting_periods WHERE year = 2024 AND quarter = 4 FOR UPDATE").await;
    let answered = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let batch = Arc::new(batch);
    let mut tasks = Vec::new();
    for index in 0..batch.len() {
        let (client, address, batch, answered) = (client.clone(), app.address.clone(), batch.clone(), answered.clone());
        tasks.push(tokio::spawn(async move {
            let answer = submit(&client, &address, &batch[index]).await;
            if answer.is_some() {
                answered.fetch_add(1, Ordering::SeqCst);
            }
            answer
        }));
    }
    let held_back = reports.len();
    let mut observer = app.database.connect().await;
    let deadline = Deadline::after(Duration::from_secs(30));
    while answered.load(Ordering::SeqCst) < batch.len() - held_back {
        deadline.tick("every submission outside the lock got its response").await;
    }
    let deadline = Deadline::after(Duration::from_secs(10));
    while lock_waiters(&mut observer, &database_name).await < held_back as i64 {
        deadline.tick("the locked submissions waited for the lock").await;
    }
    service.kill();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let mut batch = Arc::into_inner(batch).unwrap();
    for (submission, answer) in batch.iter_mut().zip(answers) {
        submission.answer = answer;
    }
    execute(&mut holder, "ROLLBACK").await;
    let service = ServiceProcess::start(&app.database.url(), port, &settings).await;

    let unanswered: Vec<usize> = (0..batch.len()).filter(|&index| batch[index].answer.is_none()).collect();
    let mut retried = Vec::new();
    for &index in &unanswered {
        retried.push(submit(&client, &service.address, &batch[index]).await.expect("the retry got an answer"));
    }
    let answered_before: Vec<usize> = (0..batch.len()).filter(|&index| batch[index].answer.is_some()).collect();
    let mut replays = Vec::new();
    for &index in answered_before.iter().step_by(7) {
        replays
            .push((index, submit(&client, &service.address, &batch[index]).await.expect("the replay got an answer")));
    }
    let replay_of_retry = submit(&client, &service.address, &batch[unanswered[0]]).await.unwrap();
    let mut connection = app.database.connect().await;
    let stored_rows = count(&mut connection, "SELECT count(*) AS count FROM realisations").await;
    let stored_keys = count(&mut connection, "SELECT count(*) AS count FROM idempotency_keys").await;
    let page = app.get_json_as(&secretariat, &format!("{REALISATIONS}?page_size=200")).await;
    let listed: BTreeSet<i64> =
        page["items"].as_array().unwrap().iter().map(|item| item["id"].as_i64().unwrap()).collect();

    eprintln!("SIGKILL drill: {} answered before the kill, {} retried", answered_before.len(), unanswered.len());
    assert_eq!(unanswered.len(), held_back, "only the submissions behind the lock lack an answer");
    for &index in &answered_before {
        let (status, replayed, _) = batch[index].answer.as_ref().unwrap();
        assert_eq!(*status, 201, "submission {index} before the kill");
        assert_eq!(*replayed, None, "submission {index} before the kill");
    }
    for (retry, &index) in retried.iter().zip(&unanswered) {
        assert_eq!(retry.0, 201, "retry of submission {index}: {}", retry.2);
        assert_eq!(retry.1, None, "retry of submission {index} was a replay, so the killed attempt committed");
    }
    assert!(!replays.is_empty());
    for (index, (status, replayed, body)) in &replays {
        let (first_status, _, first_body) = batch[*index].answer.as_ref().unwrap();
        assert_eq!(status, first_status, "replay of submission {index}");
        assert_eq!(replayed.as_deref(), Some("true"), "replay of submission {index}");
        assert_eq!(body, first_body, "replay of submission {index}");
    }
    assert_eq!(replay_of_retry.1.as_deref(), Some("true"));
    assert_eq!(replay_of_retry.2, retried[0].2);
    let client_ids: BTreeSet<i64> = answered_before
        .iter()
        .map(|&index| &batch[index].answer.as_ref().unwrap().2)
        .chain(retried.iter().map(|retry| &retry.2))
        .map(|body| body["id"].as_i64().unwrap())
        .collect();
    assert_eq!(stored_rows, batch.len() as i64);
    assert_eq!(stored_keys, batch.len() as i64);
    assert_eq!(page["total"], batch.len());
    assert_eq!(client_ids.len(), batch.len(), "two submissions got the same id");
    assert_eq!(listed, client_ids);
}

// (c) SIGTERM, and SIGINT (Ctrl-C), while a request is in flight.

/// Reads the head of an HTTP/1.1 response, up to its blank line, and returns it with the bytes
/// read past it.
async fn read_head(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            let rest = received.split_off(end + 4);
            return (String::from_utf8(received).unwrap(), rest);
        }
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the connection closed before a response: {}", String::from_utf8_lossy(&received));
        received.extend_from_slice(&buffer[..read]);
    }
}

/// Reads one HTTP/1.1 response with a `Content-Length` and returns its status and body.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let (head, mut body) = read_head(stream).await;
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase().strip_prefix("content-length:").map(|value| value.trim().parse().unwrap())
        })
        .expect("a Content-Length header");
    let mut buffer = [0u8; 4096];
    while body.len() < length {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the connection closed inside the body");
        body.extend_from_slice(&buffer[..read]);
    }
    (status, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight() {
    stop_with_request_in_flight(libc::SIGTERM, "SIGTERM").await;
}

#[tokio::test]
async fn sigint_finishes_requests_in_flight() {
    stop_with_request_in_flight(libc::SIGINT, "SIGINT").await;
}

/// Sends `signal` while an upload is half sent, then checks that new connections are refused,
/// the upload still gets its normal response, and the service exits with status 0 in time.
async fn stop_with_request_in_flight(signal: i32, name: &str) {
    let grace = Duration::from_secs(5);
    let database = TestDatabase::create().await;
    let port = free_port();
    let mut service =
        ServiceProcess::start(&database.url(), port, &[("PETAJALAN_SHUTDOWN_TIMEOUT_SECONDS", "5")]).await;
    let app = TestApp::attach(service.address.clone(), database, test_auth()).await;
    app.import(&semarang_source()).await;
    let (_, secretariat) = app.create_user("sekretariat", "admin", None).await;
    let (_, bappeda) = app.create_user("bappeda", "opd", Some("BAPPEDA")).await;
    open_quarter(&app, &secretariat, 2023, 1).await;

    // With `Expect: 100-continue` the service sends "100 Continue" once it has read the
    // request's head, so the upload is surely in flight when the signal arrives.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let csv = "indikator,periode,nilai\nIND-03,2023-Q1,1.000.000\nIND-40,2023-Q1,1.077\n";
    let head = format!(
        "POST /api/v1/roadmaps/{SEMARANG}/realisations/bulk HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Authorization: Bearer {bappeda}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\
         Expect: 100-continue\r\nConnection: close\r\n\r\n",
        csv.len()
    );
    let (first_half, second_half) = csv.split_at(csv.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    let (interim, _) = read_head(&mut stream).await;
    stream.write_all(first_half.as_bytes()).await.unwrap();

    service.signal(signal);
    let signalled_at = Instant::now();
    let deadline = Deadline::after(Duration::from_secs(3));
    while !TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err_and(|error| error.kind() == std::io::ErrorKind::ConnectionRefused)
    {
        deadline.tick("new connections were refused").await;
    }
    let refused_after = signalled_at.elapsed();
    stream.write_all(second_half.as_bytes()).await.unwrap();
    let (status, body) = read_response(&mut stream).await;
    let answered_after = signalled_at.elapsed();
    let exit = service.wait_for_exit(grace + Duration::from_secs(5)).await;
    let exited_after = signalled_at.elapsed();

    eprintln!(
        "{name} drill: refused new connections after {refused_after:?}, answered the upload after {answered_after:?}, exited after {exited_after:?}"
    );
    assert!(interim.starts_with("HTTP/1.1 100 Continue"), "{interim}");
    assert_eq!(status, 201, "the upload in flight: {body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["rows_stored"], 2);
    let exit = exit.unwrap_or_else(|| panic!("the service still ran {exited_after:?} after {name}"));
    assert!(exit.success(), "the service exited with {exit}");
    let mut connection = app.database.connect().await;
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM realisations").await, 2);
}

// (d) Every pooled connection busy, and a statement slower than its timeout.

#[tokio::test]
async fn busy_pool_gives_503_after_bounded_wait() {
    let pool_timeout = Duration::from_millis(500);
    // One HTTP worker: if waiting for the database blocked it, no other request would get a
    // response.
    let app = TestApp::spawn_with(&[
        ("PETAJALAN_WORKERS", "1"),
        ("PETAJALAN_DB_POOL_SIZE", "1"),
        ("PETAJALAN_DB_POOL_TIMEOUT_MS", "500"),
        ("PETAJALAN_DB_STATEMENT_TIMEOUT_MS", "60000"),
    ])
    .await;
    app.import(&semarang_source()).await;
    let (_, secretariat) = app.create_user("sekretariat", "admin", None).await;
    let period =
        json!({"period": "2023-Q1", "opens_on": "2023-04-01", "deadline": "2023-04-30", "late_policy": "refuse"});
    let periods_path = format!("/api/v1/roadmaps/{SEMARANG}/periods");

    // The first request takes the only pooled connection and waits behind the lock.
    let mut holder = app.database.connect().await;
    execute(&mut holder, "BEGIN").await;
    execute(&mut holder, "LOCK TABLE organisations IN ACCESS EXCLUSIVE MODE").await;
    let blocked =
        tokio::spawn(sample(app.client.get(format!("{}/api/v1/organisations", app.address)).bearer_auth(&app.token)));
    let mut observer = app.database.connect().await;
    let deadline = Deadline::after(Duration::from_secs(10));
    while lock_waiters(&mut observer, &app.database.name).await < 1 {
        deadline.tick("a request waited for the lock").await;
    }
    let live = app.get_anonymous("/health/live").await.status();
    let blocked_while_live = !blocked.is_finished();
    let sent_at = Instant::now();
    let busy = app
        .client
        .post(format!("{}{periods_path}", app.address))
        .bearer_auth(&secretariat)
        .header("Accept-Language", "en")
        .json(&period)
        .send()
        .await
        .unwrap();
    let waited = sent_at.elapsed();
    let busy_headers = busy.headers().clone();
    let busy_status = busy.status();
    let busy_body: Value = busy.json().await.unwrap();
    execute(&mut holder, "ROLLBACK").await;
    let blocked = blocked.await.unwrap();
    let stored_while_busy = count(&mut observer, "SELECT count(*) AS count FROM reporting_periods").await;
    let created = app.send(Method::POST, &periods_path, Some(&secretariat), Some(&period), None).await;

    eprintln!("busy pool drill: 503 after {waited:?} with a pool timeout of {pool_timeout:?}");
    assert_eq!(live, 200);
    assert!(blocked_while_live, "the blocked request ended before the liveness check");
    assert_eq!(busy_status, 503, "{busy_body}");
    assert_eq!(busy_headers["content-type"], "application/problem+json");
    assert_eq!(busy_headers["retry-after"], "5");
    assert_eq!(busy_body["title"], "Service unavailable");
    assert!(waited >= pool_timeout - Duration::from_millis(50), "503 after {waited:?}, before the pool timeout");
    assert!(waited <= pool_timeout + Duration::from_secs(2), "503 only after {waited:?}");
    assert_eq!(blocked.status, Some(200), "the request behind the lock: {blocked:?}");
    assert_eq!(stored_while_busy, 0);
    assert_eq!(created.status(), 201);
}

#[tokio::test]
async fn statement_timeout_gives_503_and_rolls_back() {
    let statement_timeout = Duration::from_millis(1000);
    let app =
        TestApp::spawn_with(&[("PETAJALAN_DB_POOL_SIZE", "1"), ("PETAJALAN_DB_STATEMENT_TIMEOUT_MS", "1000")]).await;
    app.import(&semarang_source()).await;
    let (_, secretariat) = app.create_user("sekretariat", "admin", None).await;
    let period =
        json!({"period": "2023-Q1", "opens_on": "2023-04-01", "deadline": "2023-04-30", "late_policy": "refuse"});
    let periods_path = format!("/api/v1/roadmaps/{SEMARANG}/periods");

    // Creating a period inserts the period, then its audit record; the lock on the audit table
    // holds the second statement past the statement timeout.
    let mut holder = app.database.connect().await;
    execute(&mut holder, "BEGIN").await;
    execute(&mut holder, "LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE").await;
    let sent_at = Instant::now();
    let timed_out = app
        .client
        .post(format!("{}{periods_path}", app.address))
        .bearer_auth(&secretariat)
        .json(&period)
        .send()
        .await
        .unwrap();
    let waited = sent_at.elapsed();
    let timed_out_headers = timed_out.headers().clone();
    let timed_out_status = timed_out.status();
    let timed_out_body: Value = timed_out.json().await.unwrap();
    execute(&mut holder, "ROLLBACK").await;
    let stored_after_timeout = count(&mut holder, "SELECT count(*) AS count FROM reporting_periods").await;
    let created = app.send(Method::POST, &periods_path, Some(&secretariat), Some(&period), None).await;
    let listed = app.get_json(&periods_path).await;

    eprintln!("statement timeout drill: 503 after {waited:?} with a statement timeout of {statement_timeout:?}");
    assert_eq!(timed_out_status, 503, "{timed_out_body}");
    assert_eq!(timed_out_headers["content-type"], "application/problem+json");
    assert_eq!(timed_out_headers["retry-after"], "5");
    assert_eq!(timed_out_body["title"], "Layanan tidak tersedia");
    assert!(waited >= statement_timeout, "503 after {waited:?}, before the statement timeout");
    assert!(waited <= statement_timeout + Duration::from_secs(2), "503 only after {waited:?}");
    assert_eq!(stored_after_timeout, 0, "the timed-out transaction left a period behind");
    assert_eq!(created.status(), 201, "the pool's only connection is unusable after the timeout");
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
