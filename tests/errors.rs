//! Errors are problem+json bodies in Indonesian by default and in English on request.

mod common;

use common::{SEMARANG, TestApp};
use serde_json::Value;

async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").unwrap().to_str().unwrap().to_string();
    assert_eq!(content_type, "application/problem+json");
    assert!(response.headers().contains_key("x-request-id"));
    let vary = response.headers()["vary"].to_str().unwrap();
    assert!(vary.split(',').any(|name| name.trim() == "Accept-Language"), "Vary: {vary}");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn unknown_indicator_is_404_in_both_languages() {
    let app = TestApp::spawn_with_semarang().await;
    let path = format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-99");

    let (status, indonesian) = problem(app.get(&path).await).await;
    let (_, english) = problem(app.get_with_language(&path, "en-GB,en;q=0.9").await).await;

    assert_eq!(status, 404);
    assert_eq!(indonesian["type"], "urn:petajalan:problem:not-found");
    assert_eq!(indonesian["title"], "Tidak ditemukan");
    assert_eq!(indonesian["detail"], "Indikator dengan id atau kode \"IND-99\" tidak ditemukan.");
    assert_eq!(indonesian["instance"], path);
    assert_eq!(english["title"], "Not found");
    assert_eq!(english["detail"], "Indicator with id or code \"IND-99\" was not found.");
}

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;

    let (status, body) = problem(app.get("/api/v1/nothing-here").await).await;

    assert_eq!(status, 404);
    assert_eq!(body["title"], "Tidak ditemukan");
}

#[tokio::test]
async fn bad_query_parameter_names_the_field() {
    let app = TestApp::spawn_with_semarang().await;
    let path = format!("/api/v1/roadmaps/{SEMARANG}/indicators?page=abc&role=boss");

    let (status, indonesian) = problem(app.get(&path).await).await;
    let (_, english) = problem(app.get_with_language(&path, "en").await).await;

    assert_eq!(status, 400);
    assert_eq!(indonesian["title"], "Parameter tidak valid");
    assert_eq!(indonesian["errors"][0]["field"], "page");
    assert_eq!(indonesian["errors"][0]["message"], "harus bilangan bulat dari 1 sampai 100000");
    assert_eq!(indonesian["errors"][1]["field"], "role");
    assert_eq!(english["title"], "Invalid parameters");
    assert_eq!(english["errors"][1]["message"], "unknown value \"boss\"; choose one of: coordinator, implementer, any");
}

#[tokio::test]
async fn unknown_query_parameter_is_rejected() {
    let app = TestApp::spawn().await;

    let (status, body) = problem(app.get_with_language("/api/v1/organisations?pagesize=10", "en").await).await;

    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "pagesize");
    assert!(body["errors"][0]["message"].as_str().unwrap().starts_with("unknown parameter"), "{body}");
}

#[tokio::test]
async fn page_size_over_limit_is_rejected() {
    let app = TestApp::spawn().await;

    let (status, indonesian) = problem(app.get("/api/v1/organisations?page_size=201").await).await;
    let (_, english) = problem(app.get_with_language("/api/v1/organisations?page_size=201", "en").await).await;

    assert_eq!(status, 400);
    assert_eq!(indonesian["errors"][0]["field"], "page_size");
    assert_eq!(indonesian["errors"][0]["message"], "harus bilangan bulat dari 1 sampai 200");
    assert_eq!(english["errors"][0]["message"], "must be a whole number from 1 to 200");
    assert_eq!(english["detail"], "These parameters are invalid: page_size.");
}

#[tokio::test]
async fn filter_naming_nothing_is_rejected() {
    let app = TestApp::spawn_with_semarang().await;

    let response = app.get(&format!("/api/v1/roadmaps/{SEMARANG}/indicators?objective=S9&organisation=NOPE")).await;
    let (status, body) = problem(response).await;

    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "objective");
    assert_eq!(body["errors"][1]["field"], "organisation");
}

#[tokio::test]
async fn request_id_from_client_is_echoed() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .get(format!("{}/api/v1/organisations/NOPE", app.address))
        .header("X-Request-Id", "trace-123")
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["x-request-id"], "trace-123");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], "trace-123");
}

#[tokio::test]
async fn health_reports_database_state() {
    let app = TestApp::spawn().await;

    let live = app.get_json("/health/live").await;
    let ready = app.get_json("/health/ready").await;

    assert_eq!(live["status"], "ok");
    assert_eq!(ready["status"], "ok");
}

#[tokio::test]
async fn unreachable_database_gives_503() {
    // Port 1 on loopback has no PostgreSQL, so every connection attempt fails at once.
    let (address, auth) = common::start_server("postgres://postgres@127.0.0.1:1/none").await;
    let client = reqwest::Client::new();
    let (token, _) = auth.tokens.issue(petajalan::auth::tokens::Subject::User(1)).unwrap();

    let ready = client.get(format!("{address}/health/ready")).send().await.unwrap();
    let data = client
        .get(format!("{address}/api/v1/roadmaps"))
        .bearer_auth(&token)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let live = client.get(format!("{address}/health/live")).send().await.unwrap();

    assert_eq!(ready.status(), 503);
    assert_eq!(data.status(), 503);
    assert_eq!(data.headers()["retry-after"], "5");
    let body: Value = data.json().await.unwrap();
    assert_eq!(body["title"], "Service unavailable");
    assert!(!body.to_string().contains("127.0.0.1:1"), "internal details leaked: {body}");
    assert_eq!(live.status(), 200);
}

#[tokio::test]
async fn routes_without_parameters_reject_any() {
    let app = TestApp::spawn_with_semarang().await;

    let (tree_status, tree) = problem(app.get(&format!("/api/v1/roadmaps/{SEMARANG}/tree?x=1")).await).await;
    let (detail_status, _) =
        problem(app.get(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-03?x=1")).await).await;

    assert_eq!(tree_status, 400);
    assert_eq!(tree["errors"][0]["field"], "x");
    assert_eq!(detail_status, 400);
}

#[tokio::test]
async fn role_without_organisation_is_rejected() {
    let app = TestApp::spawn_with_semarang().await;

    let (status, body) =
        problem(app.get(&format!("/api/v1/roadmaps/{SEMARANG}/indicators?role=coordinator")).await).await;

    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "role");
}

#[tokio::test]
async fn all_parameter_errors_come_together() {
    let app = TestApp::spawn_with_semarang().await;

    let (status, body) =
        problem(app.get(&format!("/api/v1/roadmaps/{SEMARANG}/objectives?kind=foo&theme=nope")).await).await;

    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "kind");
    assert_eq!(body["errors"][1]["field"], "theme");
}

#[tokio::test]
async fn wrong_method_gets_405_with_allow() {
    let app = TestApp::spawn().await;

    let put = app.client.put(format!("{}/api/v1/roadmaps", app.address)).send().await.unwrap();
    let delete = app
        .client
        .delete(format!("{}/api/v1/users", app.address))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();

    assert_eq!(put.headers()["allow"], "GET, POST");
    let (status, body) = problem(put).await;
    assert_eq!(status, 405);
    assert_eq!(body["title"], "Metode tidak diizinkan");
    assert_eq!(delete.headers()["allow"], "GET, POST");
    let (status, body) = problem(delete).await;
    assert_eq!(status, 405);
    assert_eq!(body["title"], "Method not allowed");
}

#[tokio::test]
async fn pooled_connections_bound_slow_statements_and_idle_transactions() {
    use diesel::sql_types::Text;
    use diesel_async::RunQueryDsl;
    use petajalan::db::pool::{PoolOptions, build_pool};

    let database = common::TestDatabase::create().await;
    let options = PoolOptions {
        max_size: 1,
        wait_timeout: std::time::Duration::from_secs(2),
        statement_timeout: std::time::Duration::from_millis(1234),
    };
    let pool = build_pool(&database.url(), options).unwrap();
    let mut connection = pool.get().await.unwrap();
    let statement = diesel::select(diesel::dsl::sql::<Text>("current_setting('statement_timeout')"))
        .get_result::<String>(&mut connection)
        .await
        .unwrap();
    let idle = diesel::select(diesel::dsl::sql::<Text>("current_setting('idle_in_transaction_session_timeout')"))
        .get_result::<String>(&mut connection)
        .await
        .unwrap();
    assert_eq!(statement, "1234ms");
    assert_eq!(idle, "1234ms");
}

#[tokio::test]
async fn nul_character_in_body_is_rejected() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let body = serde_json::json!({
        "code": "K1.16", "objective": "S1", "name": "Kegiatan\u{0}baru", "coordinator": "BAG-ORGANISASI",
    });

    let response = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/roadmaps/{SEMARANG}/activities"),
            Some(&admin),
            Some(&body),
            None,
        )
        .await;
    let (status, problem) = problem(response).await;

    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "name");
}

#[tokio::test]
async fn nul_character_in_query_is_rejected() {
    let app = TestApp::spawn_with_semarang().await;

    let (status, problem) = problem(app.get("/api/v1/organisations?q=BAPP%00EDA").await).await;

    assert_eq!(status, 400);
    assert_eq!(problem["errors"][0]["field"], "q");
}
