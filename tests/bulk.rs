//! Bulk import of realisations from CSV and XLSX: all rows or none, under the single-submission
//! rules.
//!
//! BAPPEDA implements IND-02, IND-03, IND-05, IND-19, IND-38 (a rate) and IND-40 but not IND-04,
//! which only DISKOMINFO implements.

mod common;

use common::{SEMARANG, TestApp, problems};
use petajalan::export::format::XLSX_MEDIA_TYPE;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
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
    let path = format!("/api/v1/roadmaps/{SEMARANG}/realisations/bulk{query}");
    app.post_file(token, &path, "text/csv", body.as_bytes().to_vec(), language).await
}

async fn send_xlsx(app: &TestApp, token: &str, body: Vec<u8>, language: &str) -> reqwest::Response {
    let path = format!("/api/v1/roadmaps/{SEMARANG}/realisations/bulk");
    app.post_file(token, &path, XLSX_MEDIA_TYPE, body, language).await
}

/// A value of a workbook cell.
enum Xl {
    Text(&'static str),
    Number(f64),
    Flag(bool),
    Day(u16, u8, u8),
    Blank,
}

/// Writes a workbook with `rows` on its first sheet from A1, the first of them the header row.
fn workbook(rows: &[&[Xl]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet: &mut Worksheet = workbook.add_worksheet();
    for (row, cells) in rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate() {
            let (row, column) = (row as u32, column as u16);
            match cell {
                Xl::Text(text) => sheet.write_string(row, column, *text).map(|_| ()),
                Xl::Number(number) => sheet.write_number(row, column, *number).map(|_| ()),
                Xl::Flag(flag) => sheet.write_boolean(row, column, *flag).map(|_| ()),
                Xl::Day(year, month, day) => {
                    let date = ExcelDateTime::from_ymd(*year, *month, *day).unwrap();
                    let format = Format::new().set_num_format("yyyy-mm-dd");
                    sheet.write_datetime_with_format(row, column, &date, &format).map(|_| ())
                }
                Xl::Blank => Ok(()),
            }
            .unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Lists the realisations of the road map visible to the caller.
async fn stored(app: &TestApp, token: &str) -> Vec<Value> {
    let page = app.get_json_as(token, &format!("/api/v1/roadmaps/{SEMARANG}/realisations")).await;
    page["items"].as_array().cloned().unwrap_or_default()
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
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("text/csv"), "{body}");
    assert!(detail.contains(XLSX_MEDIA_TYPE), "{body}");
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

#[tokio::test]
async fn workbook_stores_every_row_with_cells_by_kind() {
    let (app, bappeda) = setup(&[]).await;
    let header: &[Xl] = &[
        Xl::Text("indikator"),
        Xl::Text("periode"),
        Xl::Text("nilai"),
        Xl::Text("pembilang"),
        Xl::Text("penyebut"),
        Xl::Text("predikat"),
        Xl::Text("kirim"),
    ];
    let sakip = [Xl::Text("IND-05"), Xl::Text("2023-Q1"), Xl::Number(74.5), Xl::Blank, Xl::Blank, Xl::Text("BB")];
    // 0.1 + 0.2 is 0.30000000000000004 as a double, and a workbook keeps that noise.
    let noisy = [Xl::Text("IND-19"), Xl::Text("2023-Q1"), Xl::Number(0.1 + 0.2)];
    let text = [Xl::Text("IND-40"), Xl::Text("2023-Q1"), Xl::Text("1.077"), Xl::Blank, Xl::Blank, Xl::Blank];
    let rate = [Xl::Text("IND-38"), Xl::Text("2023-Q1"), Xl::Blank, Xl::Number(15.0), Xl::Number(50.0)];
    let draft = [Xl::Text("IND-03"), Xl::Text("2023-Q1"), Xl::Number(1077.0), Xl::Blank, Xl::Blank, Xl::Blank];
    let draft: Vec<Xl> = draft.into_iter().chain([Xl::Flag(false)]).collect();

    let body = workbook(&[header, &sakip, &noisy, &text, &rate, &draft]);
    let response = send_xlsx(&app, &bappeda, body, "en").await;

    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let items = stored(&app, &bappeda).await;
    let by_code = |code: &str| items.iter().find(|item| item["indicator"]["code"] == code).unwrap().clone();
    assert_eq!(by_code("IND-05")["value"]["number"], "74.5");
    assert_eq!(by_code("IND-05")["value"]["printed"], "74,5/BB");
    assert_eq!(by_code("IND-19")["value"]["number"], "0.3");
    assert_eq!(by_code("IND-40")["value"]["number"], "1077", "a text cell is read in Indonesian notation");
    assert_eq!(by_code("IND-38")["value"]["numerator"], "15");
    assert_eq!(by_code("IND-38")["value"]["number"], "30");
    assert_eq!(by_code("IND-03")["value"]["number"], "1077");
    assert_eq!(by_code("IND-03")["value"]["printed"], "1.077");
    assert_eq!(by_code("IND-03")["state"], "draft");
    assert_eq!(by_code("IND-05")["state"], "submitted");
}

#[tokio::test]
async fn workbook_bad_rows_store_nothing() {
    let (app, bappeda) = setup(&[]).await;
    let header: &[Xl] = &[Xl::Text("indikator"), Xl::Text("periode"), Xl::Text("nilai")];
    let good = [Xl::Text("IND-05"), Xl::Text("2023-Q1"), Xl::Number(76.5)];
    let not_a_number = [Xl::Text("IND-03"), Xl::Text("2023-Q1"), Xl::Text("banyak")];
    let also_good = [Xl::Text("IND-40"), Xl::Text("2023-Q1"), Xl::Number(1077.0)];
    let date = [Xl::Text("IND-19"), Xl::Day(2023, 3, 31), Xl::Number(70.0)];

    let body = workbook(&[header, &good, &not_a_number, &also_good, &date]);
    let response = send_xlsx(&app, &bappeda, body, "en").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(problems(&body), vec![(3, "nilai".to_string()), (5, "periode".to_string())]);
    let message = |index: usize| body["errors"][index]["message"].as_str().unwrap().to_string();
    assert!(message(0).contains("is not a number"), "{}", message(0));
    assert!(message(0).ends_with("(cell C3)"), "{}", message(0));
    assert!(message(1).contains("date"), "{}", message(1));
    assert!(message(1).ends_with("(cell B5)"), "{}", message(1));
    assert!(stored(&app, &bappeda).await.is_empty());
}

#[tokio::test]
async fn body_that_is_no_workbook_gets_422() {
    let (app, bappeda) = setup(&[]).await;

    let response = send_xlsx(&app, &bappeda, VALID.as_bytes().to_vec(), "en").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("not an XLSX workbook"), "{message}");
    assert!(stored(&app, &bappeda).await.is_empty());
}

#[tokio::test]
async fn nul_character_in_a_cell_is_named() {
    let (app, bappeda) = setup(&[]).await;
    let source = "indikator,periode,nilai,catatan\nIND-05,2023-Q1,\"76,5\",data\0sakip\n";

    let response = send_csv(&app, &bappeda, "", source, "en").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(problems(&body), vec![(2, "catatan".to_string())]);
    assert!(stored(&app, &bappeda).await.is_empty());
}
