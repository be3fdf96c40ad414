//! Bulk import of targets by the secretariat, from CSV and XLSX: every target or none, each with
//! a revision in the target's history and an audit record, under the single revision's rules.
//!
//! DIN-SOSIAL coordinates IND-40; BAG-OTDA coordinates IND-05.

mod common;

use common::{SEMARANG, TestApp, problems};
use petajalan::export::format::XLSX_MEDIA_TYPE;
use serde_json::Value;

const PATH: &str = "/api/v1/roadmaps/semarang-2023-2024/targets/bulk";

const VALID: &str = "indikator,tahun,triwulan,target,alasan,rujukan\n\
                     IND-40,2024,,950 orang,Angka P3KE 2024 telah ditetapkan,\"Data P3KE Kemenko PMK, Maret 2024\"\n\
                     IND-40,2024,1,1.000 orang,Target antara triwulan I,Rencana kerja Dinas Sosial 2024\n\
                     IND-05,2024,,>75/BB,Penyesuaian target nasional,Surat MenPAN-RB\n";

async fn send_csv(app: &TestApp, token: &str, query: &str, body: &str) -> reqwest::Response {
    app.post_file(token, &format!("{PATH}{query}"), "text/csv", body.as_bytes().to_vec(), "en").await
}

/// Returns the revisions of one target of an indicator, oldest first.
async fn history(app: &TestApp, indicator: &str, year: i32, quarter: Option<u8>) -> Vec<Value> {
    let query = quarter.map_or(String::new(), |quarter| format!("?quarter={quarter}"));
    let path = format!("/api/v1/roadmaps/{SEMARANG}/indicators/{indicator}/targets/{year}/history{query}");
    app.get_json(&path).await.as_array().cloned().unwrap()
}

#[tokio::test]
async fn admin_file_stores_revisions_in_the_history() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;

    let response = send_csv(&app, &admin, "", VALID).await;

    assert_eq!(response.status(), 201);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["rows_read"], 3);
    assert_eq!(summary["rows_stored"], 3);
    let ids: Vec<i64> = summary["revision_ids"].as_array().unwrap().iter().map(|id| id.as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3);

    let year = history(&app, "IND-40", 2024, None).await;
    assert_eq!(year.len(), 1);
    assert_eq!(year[0]["id"], ids[0]);
    assert_eq!(year[0]["printed"], "950 orang");
    assert_eq!(year[0]["previous_printed"], "Menunggu penetapan angka P3KE");
    assert_eq!(year[0]["reference"], "Data P3KE Kemenko PMK, Maret 2024");
    assert_eq!(year[0]["revised_by"], "admin");
    let quarter = history(&app, "IND-40", 2024, Some(1)).await;
    assert_eq!(quarter[0]["printed"], "1.000 orang");
    assert_eq!(quarter[0]["value"]["value"], "1000");
    assert_eq!(history(&app, "IND-05", 2024, None).await[0]["printed"], ">75/BB");

    let targets = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-40/targets")).await;
    let in_force =
        targets.as_array().unwrap().iter().find(|target| target["year"] == 2024 && target["quarter"].is_null());
    assert_eq!(in_force.unwrap()["printed"], "950 orang");
    let audit = app.get_json_as(&admin, "/api/v1/audit-events?action=target.revise").await;
    assert_eq!(audit["total"], 3, "{audit}");
}

#[tokio::test]
async fn only_the_secretariat_imports_targets() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, coordinator) = app.create_user("dinsos", "opd", Some("DIN-SOSIAL")).await;

    let response = send_csv(&app, &coordinator, "", VALID).await;

    assert_eq!(response.status(), 403);
    assert!(history(&app, "IND-40", 2024, None).await.is_empty());
}

#[tokio::test]
async fn bad_rows_store_nothing() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let retire = serde_json::json!({"reason": "Digabung dengan IND-05"});
    let path = format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-01/retire");
    app.expect(200, reqwest::Method::POST, &path, Some(&admin), Some(&retire), Some("\"1\"")).await;
    let source = "indicator,year,quarter,target,reason,reference\n\
                  IND-40,2024,,950 orang,Angka P3KE,Data P3KE\n\
                  IND-99,2024,,10,Alasan,Rujukan\n\
                  IND-05,2030,,80,Alasan,Rujukan\n\
                  IND-05,2024,,tinggi sekali,Alasan,Rujukan\n\
                  IND-03,2024,,10,,Rujukan\n\
                  IND-01,2024,,80,Alasan,Rujukan\n\
                  IND-40,2024,,960 orang,Ralat,Data P3KE\n";

    let response = send_csv(&app, &admin, "", source).await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        problems(&body),
        vec![
            (3, "indicator".to_string()),
            (4, "year".to_string()),
            (5, "target".to_string()),
            (6, "reason".to_string()),
            (7, "indicator".to_string()),
            (8, "indicator".to_string()),
        ]
    );
    let message = |index: usize| body["errors"][index]["message"].as_str().unwrap().to_string();
    assert!(message(1).contains("from 2023 to 2024"), "{}", message(1));
    assert!(message(4).contains("retired"), "{}", message(4));
    assert!(message(5).contains("already on line 2"), "{}", message(5));
    assert!(history(&app, "IND-40", 2024, None).await.is_empty());
}

#[tokio::test]
async fn dry_run_stores_nothing() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;

    let response = send_csv(&app, &admin, "?dry_run=true", VALID).await;

    assert_eq!(response.status(), 200);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["rows_read"], 3);
    assert_eq!(summary["rows_stored"], 0);
    assert_eq!(summary["dry_run"], true);
    assert!(history(&app, "IND-40", 2024, None).await.is_empty());
    assert!(history(&app, "IND-05", 2024, None).await.is_empty());
}

#[tokio::test]
async fn workbook_numbers_are_targets_in_indonesian_notation() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, name) in ["indikator", "tahun", "target", "alasan", "rujukan"].into_iter().enumerate() {
        sheet.write_string(0, column as u16, name).unwrap();
    }
    sheet.write_string(1, 0, "IND-04").unwrap();
    sheet.write_number(1, 1, 2024.0).unwrap();
    sheet.write_number(1, 2, 3.75).unwrap();
    sheet.write_string(1, 3, "Penyesuaian target nasional").unwrap();
    sheet.write_string(1, 4, "Surat MenPAN-RB").unwrap();
    let body = workbook.save_to_buffer().unwrap();

    let response = app.post_file(&admin, PATH, XLSX_MEDIA_TYPE, body, "en").await;

    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let revision = &history(&app, "IND-04", 2024, None).await[0];
    assert_eq!(revision["printed"], "3,75");
    assert_eq!(revision["value"]["value"], "3.75");
}
