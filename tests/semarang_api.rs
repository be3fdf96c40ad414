//! The Semarang road map 2023-2024, imported and read through the HTTP API.

mod common;

use common::{SEMARANG, TestApp};
use serde_json::Value;

fn indicator_path(code: &str) -> String {
    format!("/api/v1/roadmaps/{SEMARANG}/indicators/{code}")
}

fn target(indicator: &Value, year: i64) -> &Value {
    indicator["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|figure| figure["year"] == year)
        .unwrap_or_else(|| panic!("no {year} target in {indicator}"))
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|item| item["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn counts_match_the_regulation() {
    let app = TestApp::spawn_with_semarang().await;

    let total = |path: String| {
        let app = &app;
        async move { app.get_json(&path).await["total"].as_i64().unwrap() }
    };
    let roadmap = format!("/api/v1/roadmaps/{SEMARANG}");

    assert_eq!(total(format!("{roadmap}/objectives")).await, 8);
    assert_eq!(total(format!("{roadmap}/objectives?kind=general")).await, 2);
    assert_eq!(total(format!("{roadmap}/objectives?kind=thematic")).await, 6);
    assert_eq!(total(format!("{roadmap}/themes")).await, 5);
    assert_eq!(total(format!("{roadmap}/activities")).await, 24);
    assert_eq!(total(format!("{roadmap}/activities?objective=S1")).await, 15);
    assert_eq!(total(format!("{roadmap}/activities?objective=S2")).await, 9);
    assert_eq!(total(format!("{roadmap}/indicators")).await, 41);
    assert_eq!(total("/api/v1/organisations".to_string()).await, 34);
    assert_eq!(total("/api/v1/roadmaps".to_string()).await, 1);

    let tree = app.get_json(&format!("{roadmap}/tree")).await;
    assert_eq!(tree["goals"].as_array().unwrap().len(), 1);
    assert_eq!(tree["themes"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn investment_target_is_exact() {
    let app = TestApp::spawn_with_semarang().await;

    let investment = app.get_json(&indicator_path("IND-03")).await;

    let figure = target(&investment, 2024);
    assert_eq!(figure["printed"], "27.362.089.000.000");
    assert_eq!(figure["value"]["type"], "number");
    assert_eq!(figure["value"]["value"], "27362089000000");
    assert_eq!(investment["value_kind"], "currency");
    assert_eq!(investment["yearly_rule"], "sum");
}

#[tokio::test]
async fn inflation_target_is_a_band() {
    let app = TestApp::spawn_with_semarang().await;

    let inflation = app.get_json(&indicator_path("IND-41")).await;

    let figure = target(&inflation, 2023);
    assert_eq!(figure["printed"], "2,5 ± 1%");
    assert_eq!(figure["value"]["type"], "band");
    assert_eq!(figure["value"]["low"], "1.5");
    assert_eq!(figure["value"]["high"], "3.5");
    assert_eq!(inflation["direction"], "band");
}

#[tokio::test]
async fn sakip_target_is_a_graded_threshold() {
    let app = TestApp::spawn_with_semarang().await;

    let sakip = app.get_json(&indicator_path("IND-05")).await;

    let figure = target(&sakip, 2024);
    assert_eq!(figure["printed"], ">76/BB");
    assert_eq!(figure["value"]["type"], "threshold");
    assert_eq!(figure["value"]["comparator"], "gt");
    assert_eq!(figure["value"]["value"], "76");
    assert_eq!(figure["value"]["grade"], "BB");
}

#[tokio::test]
async fn spip_baseline_keeps_its_decimals() {
    let app = TestApp::spawn_with_semarang().await;

    let spip = app.get_json(&indicator_path("IND-16")).await;

    let baseline = &spip["baseline"];
    assert_eq!(baseline["printed"], "3.012");
    assert_eq!(baseline["stated_value"], "3,012");
    assert_eq!(baseline["value"]["value"], "3.012");
    assert_eq!(target(&spip, 2023)["value"]["value"], "2.8");
}

#[tokio::test]
async fn extreme_poverty_2024_is_not_set() {
    let app = TestApp::spawn_with_semarang().await;

    let poverty = app.get_json(&indicator_path("IND-40")).await;

    let figure = target(&poverty, 2024);
    assert_eq!(figure["printed"], "Menunggu penetapan angka P3KE");
    assert_eq!(figure["value"]["type"], "not_set");
    assert_eq!(poverty["baseline"]["value"]["value"], "21863");
    assert_eq!(poverty["baseline"]["value"]["qualifier"], "orang");
    assert_eq!(target(&poverty, 2023)["value"]["value"], "1077");
    assert_eq!(poverty["direction"], "lower_is_better");
}

#[tokio::test]
async fn stunting_indicators_share_coordinator_and_team() {
    let app = TestApp::spawn_with_semarang().await;
    let expected_implementers = [
        "DIN-PPPA",
        "DIN-PPKB",
        "BAPPEDA",
        "DISKOMINFO",
        "DIN-KETAHANAN-PANGAN",
        "DIN-PERIKANAN-KELAUTAN",
        "DIN-PERTANIAN",
        "DIN-PERKIM",
        "DIN-SOSIAL",
        "DIN-PENDIDIKAN",
        "SELURUH-KECAMATAN",
    ];

    let stunting = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/indicators?theme=stunting")).await;

    let items = stunting["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for indicator in items {
        assert_eq!(indicator["coordinator"]["code"], "DIN-KESEHATAN", "{}", indicator["code"]);
        assert_eq!(indicator["coordinator"]["name"], "Dinas Kesehatan");
        let implementers = codes(&indicator["implementers"]);
        assert_eq!(implementers, expected_implementers, "{}", indicator["code"]);
    }
}

#[tokio::test]
async fn shared_indicator_is_one_record_at_two_places() {
    let app = TestApp::spawn_with_semarang().await;

    let spbe = app.get_json(&indicator_path("IND-04")).await;
    let tree = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/tree")).await;

    let places: Vec<(String, String)> = spbe["placements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|place| (place["level"].as_str().unwrap().to_string(), place["code"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(places, [("objective".to_string(), "S1".to_string()), ("activity".to_string(), "K1.03".to_string())]);

    let objective = &tree["goals"][0]["objectives"][0];
    assert_eq!(objective["code"], "S1");
    assert!(codes(&objective["indicators"]).contains(&"IND-04".to_string()));
    let activity =
        objective["activities"].as_array().unwrap().iter().find(|activity| activity["code"] == "K1.03").unwrap();
    assert!(codes(&activity["indicators"]).contains(&"IND-04".to_string()));
    assert_eq!(objective["indicators"][0]["id"], spbe["id"]);
}

#[tokio::test]
async fn satisfaction_surveys_stay_separate() {
    let app = TestApp::spawn_with_semarang().await;

    let general = app.get_json(&indicator_path("IND-09")).await;
    let service = app.get_json(&indicator_path("IND-36")).await;

    assert_ne!(general["id"], service["id"]);
    assert_eq!(general["baseline"]["printed"], "88");
    assert_eq!(service["baseline"]["printed"], "88,63");
}

#[tokio::test]
async fn ids_and_codes_name_the_same_objects() {
    let app = TestApp::spawn_with_semarang().await;

    let by_code = app.get_json(&indicator_path("IND-16")).await;
    let roadmap = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}")).await;
    let by_ids = app.get_json(&format!("/api/v1/roadmaps/{}/indicators/{}", roadmap["id"], by_code["id"])).await;
    let organisation_by_code = app.get_json("/api/v1/organisations/INSPEKTORAT").await;
    let organisation_by_id = app.get_json(&format!("/api/v1/organisations/{}", organisation_by_code["id"])).await;
    let activity = app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/activities/K1.07")).await;

    assert_eq!(by_code, by_ids);
    assert_eq!(organisation_by_code, organisation_by_id);
    assert_eq!(activity["objective"]["code"], "S1");
}

#[tokio::test]
async fn indicators_filter_by_organisation_role() {
    let app = TestApp::spawn_with_semarang().await;
    let list = |query: &str| format!("/api/v1/roadmaps/{SEMARANG}/indicators?{query}");

    let coordinated = app.get_json(&list("organisation=INSPEKTORAT&role=coordinator")).await;
    let implemented = app.get_json(&list("organisation=INSPEKTORAT&role=implementer")).await;
    let either = app.get_json(&list("organisation=INSPEKTORAT")).await;

    assert_eq!(codes(&coordinated["items"]), ["IND-15", "IND-16", "IND-18", "IND-24"]);
    assert_eq!(codes(&implemented["items"]), ["IND-05", "IND-06", "IND-13", "IND-15", "IND-16", "IND-18", "IND-24"]);
    assert_eq!(either["total"], 7);
}

#[tokio::test]
async fn indicators_filter_by_objective_and_activity() {
    let app = TestApp::spawn_with_semarang().await;
    let list = |query: &str| format!("/api/v1/roadmaps/{SEMARANG}/indicators?page_size=200&{query}");

    let objective_two = app.get_json(&list("objective=S2")).await;
    let activity = app.get_json(&list("activity=K2.09")).await;
    let poverty_theme = app.get_json(&list("theme=kemiskinan")).await;

    assert_eq!(objective_two["total"], 15);
    assert_eq!(codes(&activity["items"]), ["IND-34", "IND-35", "IND-36"]);
    assert_eq!(codes(&poverty_theme["items"]), ["IND-02", "IND-40"]);
}

#[tokio::test]
async fn pages_split_the_list() {
    let app = TestApp::spawn_with_semarang().await;
    let page = |number: u32| format!("/api/v1/roadmaps/{SEMARANG}/indicators?page={number}&page_size=20");

    let first = app.get_json(&page(1)).await;
    let third = app.get_json(&page(3)).await;
    let fourth = app.get_json(&page(4)).await;

    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    assert_eq!(first["items"][0]["code"], "IND-01");
    assert_eq!(third["items"].as_array().unwrap().len(), 1);
    assert_eq!(third["items"][0]["code"], "IND-41");
    assert!(fourth["items"].as_array().unwrap().is_empty());
    assert_eq!(fourth["total"], 41);
}

#[tokio::test]
async fn organisations_are_searchable_by_alias() {
    let app = TestApp::spawn_with_semarang().await;

    let by_alias = app.get_json("/api/v1/organisations?q=Bag.PBJ").await;
    let without_space = app.get_json("/api/v1/organisations?q=Bag.Organisasi").await;
    let by_lower_case_code = app.get_json("/api/v1/organisations/diskominfo").await;

    assert_eq!(codes(&by_alias["items"]), ["BAG-PBJ"]);
    assert_eq!(codes(&without_space["items"]), ["BAG-ORGANISASI"]);
    assert_eq!(by_lower_case_code["code"], "DISKOMINFO");
}
