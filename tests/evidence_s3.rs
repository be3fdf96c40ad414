//! Evidence in an S3-compatible bucket, shared by two service instances.
//!
//! Needs an S3 endpoint that accepts any credentials, such as `moto_server` (PyPI package
//! `moto[server]`), named by `PETAJALAN_TEST_S3_ENDPOINT`. The test is ignored by a plain
//! `cargo test`; run it with `cargo test --test evidence_s3 -- --ignored`, as `.ci/run` does after
//! starting moto.

mod common;

use common::{TestApp, start_server_on};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
#[ignore = "needs an S3 endpoint in PETAJALAN_TEST_S3_ENDPOINT"]
async fn two_instances_share_a_bucket() {
    let endpoint = std::env::var("PETAJALAN_TEST_S3_ENDPOINT")
        .expect("set PETAJALAN_TEST_S3_ENDPOINT to an S3 endpoint such as moto_server -H 127.0.0.1 -p 5005");
    let bucket = format!("bukti-{}", uuid::Uuid::new_v4().simple());
    let created = reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.unwrap();
    assert!(created.status().is_success(), "cannot create bucket {bucket}: {}", created.status());

    let store = format!("s3://{bucket}/petajalan");
    let settings = [
        ("PETAJALAN_EVIDENCE_STORE", store.as_str()),
        ("AWS_ENDPOINT", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "uji"),
        ("AWS_SECRET_ACCESS_KEY", "rahasia-uji"),
        ("AWS_REGION", "us-east-1"),
    ];
    let app = TestApp::spawn_with(&settings).await;
    app.import(&std::fs::read_to_string(common::repo_path(common::SEMARANG_FILE)).unwrap()).await;
    let (second_address, _) = start_server_on(&app.database.url(), &settings, app.clock.clone()).await;

    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let (_, pppa) = app.create_user("pppa", "opd", Some("DIN-PPPA")).await;
    app.set_time("2023-04-10T09:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    let body =
        json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": 12, "denominator": 1000, "submit": false});
    let id = app.report(&pppa, body).await["id"].as_i64().unwrap();

    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    pdf.extend((0..3000u32).map(|index| (index % 251) as u8));
    let uploaded = app.upload(&pppa, id, "laporan.pdf", pdf.clone()).await;
    assert_eq!(uploaded.status(), 201);
    let view: serde_json::Value = uploaded.json().await.unwrap();

    let listing = reqwest::Client::new().get(format!("{endpoint}/{bucket}?list-type=2")).send().await.unwrap();
    let listing = listing.text().await.unwrap();
    assert!(listing.contains("petajalan/evidence/"), "{listing}");

    let download_path = view["download"].as_str().unwrap();
    let download = app
        .client
        .request(Method::GET, format!("{second_address}{download_path}"))
        .bearer_auth(&pppa)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf, "the other instance serves the same bytes");
}
