//! Road map maintenance over HTTP: the secretariat changes an indicator's assignments and
//! reporting rules, and the change takes effect for reports and verification.

mod common;

use common::{SEMARANG, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const INDICATORS: &str = "/api/v1/roadmaps/semarang-2023-2024/indicators";
const REALISATIONS: &str = "/api/v1/roadmaps/semarang-2023-2024/realisations";

async fn setup() -> (TestApp, String) {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    app.set_time("2023-04-10T09:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    (app, admin)
}

async fn patch(app: &TestApp, token: &str, code: &str, body: Value, if_match: Option<&str>) -> reqwest::Response {
    app.send(Method::PATCH, &format!("{INDICATORS}/{code}"), Some(token), Some(&body), if_match).await
}

#[tokio::test]
async fn new_coordinator_verifies_at_once() {
    let (app, admin) = setup().await;
    let (_, diskominfo) = app.create_user("diskominfo", "opd", Some("DISKOMINFO")).await;
    let (_, organisasi) = app.create_user("organisasi", "opd", Some("BAG-ORGANISASI")).await;
    let report = json!({"indicator": "IND-04", "period": "2023-Q1", "value": "3,2"});
    let id = app.report(&diskominfo, report).await["id"].as_i64().unwrap();
    let verify = format!("/api/v1/realisations/{id}/verify");
    // Before the change BAG-ORGANISASI has no part in IND-04 and does not even see the report.
    app.expect(404, Method::POST, &verify, Some(&organisasi), None, Some("\"1\"")).await;

    let response = patch(&app, &admin, "IND-04", json!({"coordinator": "BAG-ORGANISASI"}), Some("\"1\"")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["coordinator"]["code"], "BAG-ORGANISASI");
    assert_eq!(view["version"], 2);

    let verified = app.expect(200, Method::POST, &verify, Some(&organisasi), None, Some("\"1\"")).await;
    assert_eq!(verified["reviewed_by"]["name"], "organisasi");

    let audit = app.get_json("/api/v1/audit-events?action=indicator.update&subject=indicator:IND-04").await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["details"]["after"]["implementers"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn removed_implementer_stops_reporting() {
    let (app, admin) = setup().await;
    let (_, ppkb) = app.create_user("ppkb", "opd", Some("DIN-PPKB")).await;

    let body = json!({"implementers": ["DIN-PPPA", "BAPPEDA"]});
    let view: Value = patch(&app, &admin, "IND-38", body, Some("\"1\"")).await.json().await.unwrap();
    let codes: Vec<&str> =
        view["implementers"].as_array().unwrap().iter().map(|item| item["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DIN-PPPA", "BAPPEDA"]);

    let report = json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": 1, "denominator": 10});
    let response = app.send(Method::POST, REALISATIONS, Some(&ppkb), Some(&report), None).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn invalid_changes_name_the_field_and_store_nothing() {
    let (app, admin) = setup().await;
    for (code, body, field) in [
        ("IND-38", json!({"implementers": ["DIN-PPPA", "TIDAK-ADA"]}), "implementers[1]"),
        ("IND-38", json!({"implementers": ["DIN-PPPA", "DIN-PPPA"]}), "implementers[1]"),
        ("IND-37", json!({"reporting_unit": "DINARPUS"}), "reporting_unit"),
        ("IND-06", json!({"combine_rule": "sum"}), "combine_rule"),
        ("IND-04", json!({"name": " "}), "name"),
        ("IND-04", json!({"yearly_rule": "median"}), "yearly_rule"),
    ] {
        let response = patch(&app, &admin, code, body.clone(), Some("\"1\"")).await;
        assert_eq!(response.status(), 422, "{code} {body}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{code} {body}: {problem}");
    }
    let unchanged = app.get_json(&format!("{INDICATORS}/IND-38")).await;
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["implementers"].as_array().unwrap().len(), 11);
}

#[tokio::test]
async fn only_admin_changes_with_current_version() {
    let (app, admin) = setup().await;
    let (_, diskominfo) = app.create_user("diskominfo", "opd", Some("DISKOMINFO")).await;
    let note = json!({"note": "Diukur oleh KemenPAN-RB"});

    assert_eq!(patch(&app, &diskominfo, "IND-04", note.clone(), Some("\"1\"")).await.status(), 403);
    assert_eq!(patch(&app, &app.token, "IND-04", note.clone(), Some("\"1\"")).await.status(), 403);
    assert_eq!(patch(&app, &admin, "IND-04", note.clone(), None).await.status(), 428);
    assert_eq!(patch(&app, &admin, "IND-04", note.clone(), Some("\"1\"")).await.status(), 200);
    assert_eq!(patch(&app, &admin, "IND-04", note, Some("\"1\"")).await.status(), 412);

    let view = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-04")).await;
    assert_eq!(view["note"], "Diukur oleh KemenPAN-RB");
}

#[tokio::test]
async fn reimport_keeps_changes_made_through_the_api() {
    let (app, admin) = setup().await;
    let read = app.get(&format!("{INDICATORS}/IND-38")).await;
    assert_eq!(read.headers()["etag"], "\"1\"");

    let body = json!({"coordinator": "BAPPEDA", "implementers": ["DIN-PPPA"], "note": "Dipantau Bappeda"});
    assert_eq!(patch(&app, &admin, "IND-38", body, Some("\"1\"")).await.status(), 200);
    app.import(&std::fs::read_to_string(common::repo_path(common::SEMARANG_FILE)).unwrap()).await;

    let view = app.get_json(&format!("{INDICATORS}/IND-38")).await;
    assert_eq!(view["coordinator"]["code"], "BAPPEDA", "the file does not undo the secretariat's change");
    assert_eq!(view["implementers"].as_array().unwrap().len(), 1);
    assert_eq!(view["note"], "Dipantau Bappeda");
    assert_eq!(view["version"], 2);

    let audit = app.get_json("/api/v1/audit-events?action=indicator.update&subject=indicator:IND-38").await;
    assert_eq!(audit["items"][0]["details"]["before"]["note"], Value::Null);
    assert_eq!(audit["items"][0]["details"]["after"]["note"], "Dipantau Bappeda");
}

#[tokio::test]
async fn empty_change_is_refused() {
    let (app, admin) = setup().await;
    let response = patch(&app, &admin, "IND-04", json!({}), Some("\"1\"")).await;
    assert_eq!(response.status(), 422);
    let view = app.get_json(&format!("{INDICATORS}/IND-04")).await;
    assert_eq!(view["version"], 1);
}
