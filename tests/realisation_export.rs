//! The realisation export in the format of the bulk import: a file exported from one
//! installation imports into another and exports there to the same file, with the same values.
//!
//! BAPPEDA implements IND-03, IND-05, IND-19, IND-38 (a rate) and IND-40; INSPEKTORAT
//! implements IND-06 (a category), IND-15 (a descriptive target, met or not) and IND-24.

mod common;

use std::collections::BTreeMap;

use common::{SEMARANG, TestApp};
use petajalan::export::format::XLSX_MEDIA_TYPE;
use serde_json::{Value, json};

const HEADER: &str = "indikator,periode,nilai,pembilang,penyebut,predikat,tercapai,catatan,kirim";

/// Lists the reports of each organisation, of every kind the import reads.
fn reports() -> [(&'static str, Vec<Value>); 2] {
    [
        (
            "BAPPEDA",
            vec![
                json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": 15, "denominator": "1.077",
                       "note": "Rekap posyandu, \"final\" per 31 Maret"}),
                json!({"indicator": "IND-05", "period": "2023-Q1", "value": 76.5, "grade": "BB"}),
                json!({"indicator": "IND-03", "period": "2023-Q1", "value": "1.234.567.890.123.456,78"}),
                json!({"indicator": "IND-40", "period": "2023-Q1", "value": "1.077", "submit": false,
                       "note": "=1+1 bukan rumus"}),
                json!({"indicator": "IND-19", "period": "2023-Q1", "value": "-2,5"}),
            ],
        ),
        (
            "INSPEKTORAT",
            vec![
                json!({"indicator": "IND-15", "period": "2023-Q1", "value": "Dua OPD diusulkan, satu \"WBK\"",
                       "met": false}),
                json!({"indicator": "IND-24", "period": "2023-Q1", "value": "85,25", "note": "Catatan; titik koma"}),
                json!({"indicator": "IND-06", "period": "2023-Q1", "value": "WTP"}),
            ],
        ),
    ]
}

/// Starts the service with 2023-Q1 open and returns it with a token per reporting organisation.
async fn setup() -> (TestApp, BTreeMap<&'static str, String>) {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    app.set_time("2023-04-10T10:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    let mut tokens = BTreeMap::new();
    for (organisation, username) in [("BAPPEDA", "bappeda"), ("INSPEKTORAT", "inspektorat")] {
        tokens.insert(organisation, app.create_user(username, "opd", Some(organisation)).await.1);
    }
    (app, tokens)
}

/// Downloads an organisation's realisations with `format`, and returns the response's file name
/// and body.
async fn export(app: &TestApp, token: &str, organisation: &str, format: &str) -> (String, Vec<u8>) {
    let path = format!("/api/v1/roadmaps/{SEMARANG}/realisations?organisation={organisation}&format={format}");
    let response = app.send(reqwest::Method::GET, &path, Some(token), None, None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    (disposition, response.bytes().await.unwrap().to_vec())
}

async fn import(app: &TestApp, token: &str, content_type: &str, body: Vec<u8>) -> Value {
    let path = format!("/api/v1/roadmaps/{SEMARANG}/realisations/bulk");
    let response = app.post_file(token, &path, content_type, body, "en").await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Returns what a reporter stated in each of its organisation's realisations, by indicator.
async fn stated(app: &TestApp, token: &str, organisation: &str) -> BTreeMap<String, Value> {
    let path = format!("/api/v1/roadmaps/{SEMARANG}/realisations?organisation={organisation}");
    let page = app.get_json_as(token, &path).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let code = item["indicator"]["code"].as_str().unwrap().to_string();
            (code, json!({"value": item["value"], "note": item["note"], "state": item["state"]}))
        })
        .collect()
}

#[tokio::test]
async fn csv_export_imports_into_another_installation_unchanged() {
    let (first, first_tokens) = setup().await;
    for (organisation, bodies) in reports() {
        for body in bodies {
            first.report(&first_tokens[organisation], body).await;
        }
    }
    let (second, second_tokens) = setup().await;

    for (organisation, bodies) in reports() {
        let (disposition, exported) = export(&first, &first_tokens[organisation], organisation, "csv").await;
        assert!(disposition.contains(&format!("realisasi-{SEMARANG}-{organisation}.csv")), "{disposition}");
        let text = String::from_utf8(exported.clone()).unwrap();
        assert!(text.starts_with(&format!("{HEADER}\r\n")), "{text}");
        assert_eq!(text.lines().count(), bodies.len() + 1, "{text}");

        let summary = import(&second, &second_tokens[organisation], "text/csv", exported.clone()).await;
        assert_eq!(summary["rows_stored"], bodies.len());

        let (_, exported_again) = export(&second, &second_tokens[organisation], organisation, "csv").await;
        assert_eq!(String::from_utf8(exported_again).unwrap(), text);
        let original = stated(&first, &first_tokens[organisation], organisation).await;
        assert_eq!(original.len(), bodies.len());
        assert_eq!(stated(&second, &second_tokens[organisation], organisation).await, original);
    }

    let (_, bappeda) = export(&first, &first_tokens["BAPPEDA"], "BAPPEDA", "csv").await;
    let bappeda = String::from_utf8(bappeda).unwrap();
    assert!(
        bappeda.contains("IND-38,2023-Q1,,15,1.077,,,\"Rekap posyandu, \"\"final\"\" per 31 Maret\",ya"),
        "{bappeda}"
    );
    assert!(bappeda.contains("IND-40,2023-Q1,1.077,,,,,'=1+1 bukan rumus,tidak"), "{bappeda}");
    assert!(bappeda.contains("IND-03,2023-Q1,\"1.234.567.890.123.456,78\","), "{bappeda}");
}

#[tokio::test]
async fn workbook_export_imports_into_another_installation_unchanged() {
    let (first, first_tokens) = setup().await;
    for (organisation, bodies) in reports() {
        for body in bodies {
            first.report(&first_tokens[organisation], body).await;
        }
    }
    let (second, second_tokens) = setup().await;

    for (organisation, _) in reports() {
        let (disposition, workbook) = export(&first, &first_tokens[organisation], organisation, "xlsx").await;
        assert!(disposition.contains(".xlsx"), "{disposition}");

        import(&second, &second_tokens[organisation], XLSX_MEDIA_TYPE, workbook).await;

        let (_, first_csv) = export(&first, &first_tokens[organisation], organisation, "csv").await;
        let (_, second_csv) = export(&second, &second_tokens[organisation], organisation, "csv").await;
        assert_eq!(String::from_utf8(second_csv).unwrap(), String::from_utf8(first_csv).unwrap());
        let original = stated(&first, &first_tokens[organisation], organisation).await;
        assert_eq!(stated(&second, &second_tokens[organisation], organisation).await, original);
    }
}

#[tokio::test]
async fn accept_header_picks_whole_csv() {
    let (app, tokens) = setup().await;
    for body in &reports()[0].1 {
        app.report(&tokens["BAPPEDA"], body.clone()).await;
    }

    let path = format!("/api/v1/roadmaps/{SEMARANG}/realisations?period=2023-q1&state=submitted&page_size=1");
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(&tokens["BAPPEDA"])
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains("realisasi-semarang-2023-2024-2023-Q1-submitted.csv"), "{disposition}");
    let text = response.text().await.unwrap();
    assert_eq!(text.lines().count(), 5, "four submitted realisations and the header, despite page_size=1: {text}");
    assert!(!text.contains("IND-40"), "the draft is left out by the state filter: {text}");

    let json = app.get_json_as(&tokens["BAPPEDA"], &path).await;
    assert_eq!(json["items"].as_array().unwrap().len(), 1, "JSON stays paged");
}
