//! Bulk import of realisations from CSV: all rows or none, under the single-submission rules.
//!
//! BAPPEDA implements IND-02, IND-03, IND-05, IND-19 and IND-40 but not IND-04, which only
//! DISKOMINFO implements.

mod common;

use common::{SEMARANG, TestApp};
use serde_json::Value;

/// Starts the service with a 2023-Q1 period open and returns it with a BAPPEDA user's token.
async fn setup(extra: &[(&str, &str)]) -> (TestApp, String) {
    let app = if extra.is_empty() {
        TestApp::spawn_with_semarang().await
    } else {
        let app = TestApp::spawn_with(extra).await;
        app.import(&std::fs::read_to_string(common::repo_path(common::SEMARANG_FILE)).unwrap()).await;
        app
    };
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let (_, bappeda) = app.create_user("bappeda", "opd", Some("BAPPEDA")).await;
    app.set_time("2023-04-10T10:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    (app, bappeda)
}

async fn send_csv(app: &TestApp, token: &str, query: &str, body: &str, language: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/roadmaps/{SEMARANG}/realisations/bulk{query}", app.address))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .header("Accept-Language", language)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// Lists the realisations of the road map visible to the caller.
async fn stored(app: &TestApp, token: &str) -> Vec<Value> {
    let page = app.get_json_as(token, &format!("/api/v1/roadmaps/{SEMARANG}/realisations")).await;
    page["items"].as_array().cloned().unwrap_or_default()
}

/// Lists the `(line, field)` pairs of a problem's errors.
fn problems(body: &Value) -> Vec<(u64, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| (error["line"].as_u64().unwrap(), error["field"].as_str().unwrap().to_string()))
        .collect()
}

const VALID: &str = "indikator,periode,nilai,predikat,kirim,catatan\n\
                     IND-05,2023-Q1,\"76,5\",BB,ya,Hasil evaluasi internal\n\
                     IND-03,2023-Q1,1.000.000,,false,\n\
                     IND-40,2023-Q1,1.077,,,\n";

#[tokio::test]
async fn valid_file_stores_every_row() {
    let (app, bappeda) = setup(&[]).await;

    let response = send_csv(&app, &bappeda, "", VALID, "id").await;

    assert_eq!(response.status(), 201);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["rows_read"], 3);
    assert_eq!(summary["rows_stored"], 3);
    assert_eq!(summary["dry_run"], false);
    let ids: Vec<i64> = summary["realisation_ids"].as_array().unwrap().iter().map(|id| id.as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    let items = stored(&app, &bappeda).await;
    assert_eq!(items.len(), 3);
    let first = items.iter().find(|item| item["id"] == ids[0]).unwrap();
    assert_eq!(first["indicator"]["code"], "IND-05");
    assert_eq!(first["state"], "submitted");
    assert_eq!(first["value"]["printed"], "76,5/BB");
    assert_eq!(first["note"], "Hasil evaluasi internal");
    let second = items.iter().find(|item| item["id"] == ids[1]).unwrap();
    assert_eq!(second["state"], "draft");
    assert_eq!(second["value"]["number"], "1000000");
}

#[tokio::test]
async fn dry_run_stores_nothing() {
    let (app, bappeda) = setup(&[]).await;

    let response = send_csv(&app, &bappeda, "?dry_run=true", VALID, "id").await;

    assert_eq!(response.status(), 200);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["rows_read"], 3);
    assert_eq!(summary["rows_stored"], 0);
    assert_eq!(summary["dry_run"], true);
    assert!(stored(&app, &bappeda).await.is_empty());
}

#[tokio::test]
async fn one_bad_row_stores_nothing() {
    let (app, bappeda) = setup(&[]).await;
    let source = "indicator,period,value\n\
                  IND-05,2023-Q1,\"76,5\"\n\
                  IND-03,2023-Q1,banyak\n\
                  IND-40,2023-Q1,1.077\n";

    let response = send_csv(&app, &bappeda, "", source, "en").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(problems(&body), vec![(3, "value".to_string())]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("is not a number"), "{message}");
    assert!(stored(&app, &bappeda).await.is_empty());
}

#[tokio::test]
async fn another_organisations_indicator_is_refused() {
    let (app, bappeda) = setup(&[]).await;
    let source = "indikator,periode,nilai\n\
                  IND-05,2023-Q1,\"76,5\"\n\
                  IND-04,2023-Q1,\"3,1\"\n";

    let response = send_csv(&app, &bappeda, "", source, "id").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(problems(&body), vec![(3, "indikator".to_string())]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("bukan pelaksana indikator IND-04"), "{message}");
    assert!(stored(&app, &bappeda).await.is_empty());
}

#[tokio::test]
async fn every_bad_row_is_listed() {
    let (app, bappeda) = setup(&[]).await;
    app.report(&bappeda, serde_json::json!({"indicator": "IND-19", "period": "2023-Q1", "value": "70"})).await;
    let source = "indikator,periode,nilai,tercapai\n\
                  IND-05,2023-Q1,\"76,5\",\n\
                  IND-99,2023-Q1,10,\n\
                  IND-05,2023-Q1,77,\n\
                  IND-03,2023-Q3,10,\n\
                  IND-19,2023-Q1,71,\n\
                  IND-40,2023-Q1,10,ya\n\
                  IND-02,2023-Q1,10,kadang\n";

    let response = send_csv(&app, &bappeda, "", source, "id").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        problems(&body),
        vec![
            (3, "indikator".to_string()),
            (4, "indikator".to_string()),
            (5, "periode".to_string()),
            (6, "indikator".to_string()),
            (7, "tercapai".to_string()),
            (8, "tercapai".to_string()),
        ]
    );
    assert_eq!(stored(&app, &bappeda).await.len(), 1);
}

#[tokio::test]
async fn unknown_column_is_named() {
    let (app, bappeda) = setup(&[]).await;

    let response = send_csv(&app, &bappeda, "", "indikator,periode,nilai,satuan\nIND-05,2023-Q1,70,skor\n", "en").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(problems(&body), vec![(1, "satuan".to_string())]);
}

#[tokio::test]
async fn idempotency_key_replays_the_import() {
    let (app, bappeda) = setup(&[]).await;
    let send = || {
        app.client
            .post(format!("{}/api/v1/roadmaps/{SEMARANG}/realisations/bulk", app.address))
            .bearer_auth(&bappeda)
            .header("Content-Type", "text/csv")
            .header("Idempotency-Key", "impor-2023-q1")
            .body(VALID)
            .send()
    };

    let first = send().await.unwrap();
    let second = send().await.unwrap();

    assert_eq!(first.status(), 201);
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers().get("Idempotent-Replayed").unwrap(), "true");
    let (first, second): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert_eq!(first, second);
    assert_eq!(stored(&app, &bappeda).await.len(), 3);
}

#[tokio::test]
async fn other_content_type_gets_415() {
    let (app, bappeda) = setup(&[]).await;

    let response = app
        .client
        .post(format!("{}/api/v1/roadmaps/{SEMARANG}/realisations/bulk", app.address))
        .bearer_auth(&bappeda)
        .json(&serde_json::json!({"indicator": "IND-05"}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("text/csv"), "{body}");
}

#[tokio::test]
async fn file_over_the_limit_gets_413() {
    let (app, bappeda) = setup(&[("PETAJALAN_BULK_MAX_BYTES", "1024")]).await;
    let mut source = String::from("indikator,periode,nilai\n");
    while source.len() <= 1024 {
        source.push_str("IND-05,2023-Q1,70\n");
    }

    let response = send_csv(&app, &bappeda, "", &source, "id").await;

    assert_eq!(response.status(), 413);
    assert!(stored(&app, &bappeda).await.is_empty());
}
