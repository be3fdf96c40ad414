//! Target revisions and retired indicators over HTTP, with the Semarang road map.

mod common;

use common::{SEMARANG, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const IND40: &str = "/api/v1/roadmaps/semarang-2023-2024/indicators/IND-40";

/// The Semarang road map with 2024-Q1 open; users: an admin, Dinas Sosial (coordinator and
/// reporting unit of IND-40) and Bappeda.
struct Setup {
    app: TestApp,
    admin: String,
    dinsos: String,
    bappeda: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let (_, dinsos) = app.create_user("dinsos", "opd", Some("DIN-SOSIAL")).await;
    let (_, bappeda) = app.create_user("bappeda", "opd", Some("BAPPEDA")).await;
    app.set_time("2024-03-01T09:00:00+07:00");
    app.open_period(&admin, "2024-Q1", "2024-04-01", "2024-04-30", "refuse").await;
    Setup { app, admin, dinsos, bappeda }
}

fn revision(value: &str) -> Value {
    json!({"value": value, "reason": "Angka P3KE 2024 telah ditetapkan", "reference": "Data P3KE Kemenko PMK, Maret 2024"})
}

impl Setup {
    async fn revise(&self, status: u16, token: &str, year: i32, body: Value, if_match: Option<&str>) -> Value {
        let path = format!("{IND40}/targets/{year}");
        self.app.expect(status, Method::PUT, &path, Some(token), Some(&body), if_match).await
    }

    async fn report_verified(&self, value: &str) -> i64 {
        let body = json!({"indicator": "IND-40", "period": "2024-Q1", "value": value});
        let created = self.app.report(&self.dinsos, body).await;
        let id = created["id"].as_i64().unwrap();
        // Dinas Sosial coordinates IND-40 and reports it, so the secretariat verifies.
        let path = format!("/api/v1/realisations/{id}/verify");
        self.app.expect(200, Method::POST, &path, Some(&self.admin), None, Some("\"1\"")).await;
        id
    }

    async fn achievement(&self) -> Value {
        self.app.get_json(&format!("{IND40}/achievement?year=2024")).await
    }
}

#[tokio::test]
async fn extreme_poverty_target_is_set_with_history() {
    let setup = setup().await;
    setup.app.set_time("2024-04-05T09:00:00+07:00");
    setup.report_verified("900").await;
    assert_eq!(setup.achievement().await["achievement"], json!({"status": "target_not_set"}));

    // The target printed "Menunggu penetapan angka P3KE" exists, so it is revised with If-Match.
    let targets = setup.app.get_json(&format!("{IND40}/targets")).await;
    let current = targets.as_array().unwrap().iter().find(|target| target["year"] == 2024).unwrap().clone();
    assert_eq!(current["printed"], "Menunggu penetapan angka P3KE");
    assert_eq!(current["revised"], false);
    let tag = format!("\"{}\"", current["version"]);

    setup.app.set_time("2024-04-10T09:00:00+07:00");
    let revised = setup.revise(200, &setup.dinsos, 2024, revision("950 orang"), Some(&tag)).await;
    assert_eq!(revised["printed"], "950 orang");
    assert_eq!(revised["revised"], true);

    let history = setup.app.get_json(&format!("{IND40}/targets/2024/history")).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["previous_printed"], "Menunggu penetapan angka P3KE");
    assert_eq!(history[0]["printed"], "950 orang");
    assert_eq!(history[0]["revised_by"], "dinsos");
    assert_eq!(history[0]["reference"], "Data P3KE Kemenko PMK, Maret 2024");

    // (2 × 950 − 900) / 950 = 105,26 %.
    let achievement = setup.achievement().await;
    assert_eq!(achievement["target"]["printed"], "950 orang");
    assert_eq!(achievement["target_revised"], true);
    assert_eq!(achievement["achievement"], json!({"status": "computed", "percent": "105.26"}));

    let before = setup.app.get_json(&format!("{IND40}/targets?at=2024-04-09T00:00:00%2B07:00")).await;
    let before = before.as_array().unwrap().iter().find(|target| target["year"] == 2024).unwrap().clone();
    assert_eq!(before["printed"], "Menunggu penetapan angka P3KE", "the target in force before the revision");
}

#[tokio::test]
async fn revision_after_verification_changes_achievement() {
    let setup = setup().await;
    setup.app.set_time("2024-04-05T09:00:00+07:00");
    setup.revise(200, &setup.dinsos, 2024, revision("950 orang"), Some("\"1\"")).await;
    let realisation = setup.report_verified("900").await;
    assert_eq!(setup.achievement().await["achievement"]["percent"], "105.26");

    setup.app.set_time("2024-05-02T09:00:00+07:00");
    setup.revise(200, &setup.admin, 2024, revision("1.000 orang"), Some("\"2\"")).await;

    // (2 × 1.000 − 900) / 1.000 = 110 %, in the indicator's achievement and in the realisation.
    assert_eq!(setup.achievement().await["achievement"]["percent"], "110.00");
    let view = setup.app.get_json(&format!("/api/v1/realisations/{realisation}")).await;
    assert_eq!(view["achievement"]["percent"], "110.00");

    let history = setup.app.get_json(&format!("{IND40}/targets/2024/history")).await;
    let printed: Vec<&str> = history.as_array().unwrap().iter().map(|row| row["printed"].as_str().unwrap()).collect();
    assert_eq!(printed, ["950 orang", "1.000 orang"]);
    assert_eq!(history[1]["previous_printed"], "950 orang", "the old value stays in the history");
}

#[tokio::test]
async fn revisions_need_standing_version_and_reason() {
    let setup = setup().await;
    let viewer = setup.app.token.clone();

    // Bappeda implements IND-40 but does not coordinate it; a viewer only reads.
    let problem = setup.revise(403, &setup.bappeda, 2024, revision("950 orang"), Some("\"1\"")).await;
    assert!(problem["detail"].as_str().unwrap().contains("DIN-SOSIAL"), "{problem}");
    setup.revise(403, &viewer, 2024, revision("950 orang"), Some("\"1\"")).await;

    setup.revise(428, &setup.dinsos, 2024, revision("950 orang"), None).await;
    setup.revise(412, &setup.dinsos, 2024, revision("950 orang"), Some("\"7\"")).await;
    let problem = setup
        .revise(422, &setup.dinsos, 2024, json!({"value": "2.5", "reason": " ", "reference": ""}), Some("\"1\""))
        .await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|error| error["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["reason", "reference", "value"]);
    setup.revise(422, &setup.dinsos, 2031, revision("950 orang"), None).await;

    let history = setup.app.get_json(&format!("{IND40}/targets/2024/history")).await;
    assert_eq!(history, json!([]), "nothing was stored");
}

#[tokio::test]
async fn concurrent_revisions_let_one_win() {
    let setup = setup().await;
    let (_, second) = setup.app.create_user("dinsos-2", "opd", Some("DIN-SOSIAL")).await;
    let path = format!("{IND40}/targets/2024");
    let (first_body, second_body) = (revision("950 orang"), revision("975 orang"));
    let (first, other) = tokio::join!(
        setup.app.send(Method::PUT, &path, Some(&setup.dinsos), Some(&first_body), Some("\"1\"")),
        setup.app.send(Method::PUT, &path, Some(&second), Some(&second_body), Some("\"1\"")),
    );
    let mut statuses = [first.status().as_u16(), other.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);

    let history = setup.app.get_json(&format!("{IND40}/targets/2024/history")).await;
    assert_eq!(history.as_array().unwrap().len(), 1, "one revision, nothing lost");
}

#[tokio::test]
async fn retired_indicator_stays_readable_and_takes_no_reports() {
    let setup = setup().await;
    setup.app.set_time("2024-04-05T09:00:00+07:00");
    let body = json!({"reason": "Diganti indikator kemiskinan ekstrem versi P3KE"});
    let path = format!("{IND40}/retire");
    setup.app.expect(403, Method::POST, &path, Some(&setup.dinsos), Some(&body), Some("\"1\"")).await;
    let retired = setup.app.expect(200, Method::POST, &path, Some(&setup.admin), Some(&body), Some("\"1\"")).await;
    assert_eq!(retired["retired_reason"], "Diganti indikator kemiskinan ekstrem versi P3KE");
    setup.app.expect(409, Method::POST, &path, Some(&setup.admin), Some(&body), Some("\"2\"")).await;

    let read = setup.app.get_json(IND40).await;
    assert!(read["retired_at"].is_string());
    setup.app.get_json(&format!("{IND40}/achievement?year=2024")).await;

    let report = json!({"indicator": "IND-40", "period": "2024-Q1", "value": "900"});
    let response = setup
        .app
        .send(
            Method::POST,
            &format!("/api/v1/roadmaps/{SEMARANG}/realisations"),
            Some(&setup.dinsos),
            Some(&report),
            None,
        )
        .await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:petajalan:problem:indicator-retired");
    assert!(problem["detail"].as_str().unwrap().contains("IND-40"));
    setup.revise(409, &setup.dinsos, 2024, revision("950 orang"), Some("\"1\"")).await;
}

#[tokio::test]
async fn reimport_keeps_revised_targets() {
    let setup = setup().await;
    setup.revise(200, &setup.dinsos, 2024, revision("950 orang"), Some("\"1\"")).await;

    setup.app.import(&std::fs::read_to_string(common::repo_path(common::SEMARANG_FILE)).unwrap()).await;

    let targets = setup.app.get_json(&format!("{IND40}/targets")).await;
    let target = targets.as_array().unwrap().iter().find(|target| target["year"] == 2024).unwrap().clone();
    assert_eq!(target["printed"], "950 orang", "the file does not overwrite a revised target");
}

#[tokio::test]
async fn quarterly_target_judges_its_quarter() {
    let setup = setup().await;
    setup.app.set_time("2024-04-05T09:00:00+07:00");
    setup.report_verified("900").await;

    // A quarter without its own target has none to replace, so no If-Match is sent.
    let path = format!("{IND40}/targets/2024?quarter=1");
    let body = revision("1.000 orang");
    let set = setup.app.expect(200, Method::PUT, &path, Some(&setup.dinsos), Some(&body), None).await;
    assert_eq!(set["quarter"], 1);
    assert_eq!(set["printed"], "1.000 orang");
    let again = setup.app.send(Method::PUT, &path, Some(&setup.dinsos), Some(&body), None).await;
    assert_eq!(again.status(), 428, "the quarter's target exists now");

    let targets = setup.app.get_json(&format!("{IND40}/targets")).await;
    let quarter = targets.as_array().unwrap().iter().find(|target| target["quarter"] == 1).unwrap();
    assert_eq!(quarter["year"], 2024);
    assert_eq!(quarter["revised"], true);
    let history = setup.app.get_json(&format!("{IND40}/targets/2024/history?quarter=1")).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["quarter"], 1);
    assert!(setup.app.get_json(&format!("{IND40}/targets/2024/history")).await.as_array().unwrap().is_empty());

    // (2 × 1000 − 900) / 1000 = 110 %: the first quarter is judged against its own target.
    let achievement = setup.achievement().await;
    assert_eq!(achievement["quarters"][0]["achievement"], json!({"status": "computed", "percent": "110.00"}));
    assert_eq!(achievement["target_revised"], true);

    let wrong = setup
        .app
        .expect(400, Method::PUT, &format!("{IND40}/targets/2024?quarter=5"), Some(&setup.dinsos), Some(&body), None)
        .await;
    assert_eq!(wrong["errors"][0]["field"], "quarter");
}
