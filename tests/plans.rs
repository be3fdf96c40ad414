//! Action plans over HTTP: a coordinator writes a plan with weighted milestones, the
//! responsible organisation reports progress with evidence, and the API gives the plan's
//! progress and what is overdue at a given date.

mod common;

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const PLANS: &str = "/api/v1/roadmaps/semarang-2023-2024/plans";

/// The Semarang road map with the coordinator of K1.01 (BAG-ORGANISASI, through IND-10), a
/// responsible unit (DISKOMINFO), a supporting unit (BKPP) and a viewer.
struct Setup {
    app: TestApp,
    admin: String,
    organisasi: String,
    diskominfo: String,
    bkpp: String,
    viewer: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let (_, organisasi) = app.create_user("organisasi", "opd", Some("BAG-ORGANISASI")).await;
    let (_, diskominfo) = app.create_user("diskominfo", "opd", Some("DISKOMINFO")).await;
    let (_, bkpp) = app.create_user("bkpp", "opd", Some("BKPP")).await;
    let (_, viewer) = app.create_user("pimpinan", "viewer", None).await;
    app.set_time("2024-01-15T09:00:00+07:00");
    Setup { app, admin, organisasi, diskominfo, bkpp, viewer }
}

fn plan_body() -> Value {
    json!({
        "activity": "K1.01",
        "title": "Penyusunan peta proses bisnis",
        "description": "Peta proses bisnis seluruh perangkat daerah",
        "output": "Dokumen peta proses bisnis",
        "output_unit": "dokumen",
        "output_quantity": 1,
        "starts_on": "2024-01-01",
        "ends_on": "2024-12-31",
        "budget": "1.250.000.000",
        "responsible": "DISKOMINFO",
        "supporters": ["BKPP"],
        "indicators": ["IND-10"],
    })
}

async fn create_plan(app: &TestApp, token: &str, body: &Value) -> Value {
    app.expect(201, Method::POST, PLANS, Some(token), Some(body), None).await
}

async fn add_milestone(app: &TestApp, token: &str, plan: i64, title: &str, due: &str, weight: Value) -> Value {
    let body = json!({"title": title, "expected_output": format!("{title} selesai"), "due": due, "weight": weight});
    app.expect(201, Method::POST, &format!("/api/v1/plans/{plan}/milestones"), Some(token), Some(&body), None).await
}

async fn report(app: &TestApp, token: &str, milestone: i64, percent: Value) -> reqwest::Response {
    let body = json!({"percent": percent, "note": "laporan kemajuan"});
    app.send(Method::POST, &format!("/api/v1/milestones/{milestone}/progress"), Some(token), Some(&body), None).await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|item| item["id"].as_i64().unwrap()).collect()
}

/// Lists the `field` of each error in a problem body.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|error| error["field"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn weighted_progress_and_overdue_at_a_given_day() {
    let s = setup().await;
    let plan = create_plan(&s.app, &s.organisasi, &plan_body()).await;
    let plan_id = plan["id"].as_i64().unwrap();
    assert_eq!(plan["status"], "planned");
    assert_eq!(plan["coordinators"][0]["code"], "BAG-ORGANISASI");
    let first = add_milestone(&s.app, &s.organisasi, plan_id, "Inventarisasi proses", "2024-Q1", json!(40)).await;
    let second = add_milestone(&s.app, &s.organisasi, plan_id, "Validasi peta", "2024-06-30", json!("60")).await;
    assert_eq!(first["due_on"], "2024-03-31");
    assert_eq!(first["due_quarter"], "2024-Q1");

    let response = report(&s.app, &s.diskominfo, first["id"].as_i64().unwrap(), json!(100)).await;
    assert_eq!(response.status(), 201);
    let response = report(&s.app, &s.diskominfo, second["id"].as_i64().unwrap(), json!("50")).await;
    assert_eq!(response.status(), 201);
    let reported: Value = response.json().await.unwrap();
    assert_eq!(reported["report"]["percent"], "50");
    assert_eq!(reported["plan"]["progress"], "70");
    assert_eq!(reported["plan"]["status"], "in_progress");
    assert_eq!(reported["plan"]["overdue"], false);

    // On 1 July the second milestone, due on 30 June at 50%, is overdue.
    s.app.set_time("2024-07-01T08:00:00+07:00");
    let view = s.app.get_json(&format!("/api/v1/plans/{plan_id}")).await;
    assert_eq!(view["overdue"], true);
    assert_eq!(view["milestones"][0]["overdue"], false);
    assert_eq!(view["milestones"][1]["overdue"], true);
    assert_eq!(ids(&s.app.get_json(&format!("{PLANS}?overdue=true")).await), [plan_id]);
    assert!(ids(&s.app.get_json(&format!("{PLANS}?overdue=false")).await).is_empty());

    let second_id = second["id"].as_i64().unwrap();
    assert_eq!(report(&s.app, &s.diskominfo, second_id, json!(100)).await.status(), 201);
    let view = s.app.get_json(&format!("/api/v1/plans/{plan_id}")).await;
    assert_eq!(view["overdue"], false);
    assert_eq!(view["progress"], "100");
    let history = s.app.get_json(&format!("/api/v1/milestones/{second_id}/progress")).await;
    let percents: Vec<&str> =
        history.as_array().unwrap().iter().map(|item| item["percent"].as_str().unwrap()).collect();
    assert_eq!(percents, ["50", "100"]);
    assert_eq!(history[0]["reported_by"]["name"], "diskominfo");

    let audit =
        s.app.get_json(&format!("/api/v1/audit-events?action=milestone.progress&subject=milestone:{second_id}")).await;
    assert_eq!(audit["total"], 2);
}

#[tokio::test]
async fn milestone_evidence_reads_back() {
    let s = setup().await;
    let plan = create_plan(&s.app, &s.organisasi, &plan_body()).await;
    let milestone =
        add_milestone(&s.app, &s.organisasi, plan["id"].as_i64().unwrap(), "Rapat", "2024-Q2", json!(50)).await;
    let path = format!("/api/v1/milestones/{}/evidence", milestone["id"]);
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();

    let refused = s.app.upload_to(&s.bkpp, &path, "notulen.pdf", pdf.clone()).await;
    assert_eq!(refused.status(), 403, "a supporting unit does not report progress");
    let response = s.app.upload_to(&s.diskominfo, &path, "notulen.pdf", pdf.clone()).await;
    assert_eq!(response.status(), 201);
    let item: Value = response.json().await.unwrap();
    let download = item["download"].as_str().unwrap().to_string();
    assert!(download.starts_with(&path), "{download}");

    let content = s.app.send(Method::GET, &download, Some(&s.bkpp), None, None).await;
    assert_eq!(content.status(), 200);
    assert_eq!(content.bytes().await.unwrap().to_vec(), pdf);
    let view = s.app.get_json(&format!("/api/v1/plans/{}", plan["id"])).await;
    assert_eq!(view["milestones"][0]["evidence"][0]["file_name"], "notulen.pdf");
}

#[tokio::test]
async fn budgets_are_exact_and_bad_figures_are_named() {
    let s = setup().await;
    let plan = create_plan(&s.app, &s.organisasi, &plan_body()).await;
    assert_eq!(plan["budget"]["amount"], "1250000000.00");
    assert_eq!(plan["budget"]["printed"], "1.250.000.000,00");

    let mut body = plan_body();
    body["budget"] = json!(1250000000.50);
    let other = create_plan(&s.app, &s.organisasi, &body).await;
    assert_eq!(other["budget"]["amount"], "1250000000.50");
    let stored = s.app.get_json(&format!("/api/v1/plans/{}", other["id"])).await;
    assert_eq!(stored["budget"]["amount"], "1250000000.50");

    body["budget"] = json!(-5);
    let problem = s.app.expect(422, Method::POST, PLANS, Some(&s.organisasi), Some(&body), None).await;
    assert_eq!(fields(&problem), ["budget"]);
    body["budget"] = serde_json::from_str("1234567890123456.78").unwrap();
    let problem = s.app.expect(422, Method::POST, PLANS, Some(&s.organisasi), Some(&body), None).await;
    assert_eq!(fields(&problem), ["budget"], "a JSON number that a float may have rounded goes as text");
    body["budget"] = json!("1.000,005");
    let problem = s.app.expect(422, Method::POST, PLANS, Some(&s.organisasi), Some(&body), None).await;
    assert_eq!(fields(&problem), ["budget"]);
    body["budget"] = Value::Null;
    body["output_quantity"] = json!("99999999999999999999");
    let problem = s.app.expect(422, Method::POST, PLANS, Some(&s.organisasi), Some(&body), None).await;
    assert_eq!(fields(&problem), ["output_quantity"]);
    body["output_quantity"] = json!(1);
    body["ends_on"] = json!("2023-12-31");
    let problem = s.app.expect(422, Method::POST, PLANS, Some(&s.organisasi), Some(&body), None).await;
    assert_eq!(fields(&problem), ["ends_on"]);

    let plan_id = plan["id"].as_i64().unwrap();
    let milestones = format!("/api/v1/plans/{plan_id}/milestones");
    for weight in [json!(-5), json!(0), json!("abc"), json!(101)] {
        let body = json!({"title": "T", "expected_output": "O", "due": "2024-Q2", "weight": weight});
        let problem = s.app.expect(422, Method::POST, &milestones, Some(&s.organisasi), Some(&body), None).await;
        assert_eq!(fields(&problem), ["weight"], "weight {weight}");
    }
    add_milestone(&s.app, &s.organisasi, plan_id, "Pertama", "2024-Q2", json!(70)).await;
    let body = json!({"title": "Kedua", "expected_output": "O", "due": "2024-Q3", "weight": 40});
    let problem = s.app.expect(422, Method::POST, &milestones, Some(&s.organisasi), Some(&body), None).await;
    assert_eq!(fields(&problem), ["weight"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("30"), "{problem}");
    let body = json!({"title": "Kedua", "expected_output": "O", "due": "2025-01-15", "weight": 30});
    let problem = s.app.expect(422, Method::POST, &milestones, Some(&s.organisasi), Some(&body), None).await;
    assert_eq!(fields(&problem), ["due"]);

    let path = format!("/api/v1/plans/{plan_id}");
    let problem = s.app.expect(422, Method::PATCH, &path, Some(&s.organisasi), Some(&json!({})), Some("\"1\"")).await;
    assert_eq!(fields(&problem), ["body"]);
    let shorter = json!({"ends_on": "2024-05-31"});
    let problem = s.app.expect(422, Method::PATCH, &path, Some(&s.organisasi), Some(&shorter), Some("\"1\"")).await;
    assert_eq!(fields(&problem), ["ends_on"], "the milestone due on 30 June would fall outside");

    let stored = s.app.get_json(&path).await;
    assert_eq!(stored["milestones"].as_array().unwrap().len(), 1, "refused milestones are not stored");
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["budget"]["amount"], "1250000000.00");
}

#[tokio::test]
async fn each_party_does_only_its_part() {
    let s = setup().await;
    let (_, dinarpus) = s.app.create_user("dinarpus", "opd", Some("DINARPUS")).await;
    let plan = create_plan(&s.app, &s.organisasi, &plan_body()).await;
    let plan_id = plan["id"].as_i64().unwrap();
    let path = format!("/api/v1/plans/{plan_id}");
    let milestone = add_milestone(&s.app, &s.organisasi, plan_id, "Rapat", "2024-Q2", json!(50)).await;
    let milestone_id = milestone["id"].as_i64().unwrap();

    // The responsible unit may not write the plan itself, nor may another activity's coordinator.
    let mut body = plan_body();
    body["activity"] = json!("K1.01");
    let problem = s.app.expect(403, Method::POST, PLANS, Some(&s.diskominfo), Some(&body), None).await;
    assert!(problem["detail"].as_str().unwrap().contains("BAG-ORGANISASI"), "{problem}");
    s.app.expect(403, Method::POST, PLANS, Some(&dinarpus), Some(&body), None).await;
    let change = json!({"title": "Judul lain"});
    s.app.expect(403, Method::PATCH, &path, Some(&s.diskominfo), Some(&change), Some("\"1\"")).await;
    s.app.expect(404, Method::PATCH, &path, Some(&dinarpus), Some(&change), Some("\"1\"")).await;
    let hidden = s.app.expect(404, Method::GET, &path, Some(&dinarpus), None, None).await;
    assert_eq!(hidden["detail"], format!("Rencana aksi dengan id {plan_id} tidak ditemukan."));

    // A supporting unit and a viewer read; neither writes nor reports.
    s.app.get_json_as(&s.bkpp, &path).await;
    s.app.get_json_as(&s.viewer, &path).await;
    s.app.expect(403, Method::PATCH, &path, Some(&s.viewer), Some(&change), Some("\"1\"")).await;
    assert_eq!(report(&s.app, &s.bkpp, milestone_id, json!(10)).await.status(), 403);
    assert_eq!(report(&s.app, &s.viewer, milestone_id, json!(10)).await.status(), 403);
    assert_eq!(report(&s.app, &s.organisasi, milestone_id, json!(10)).await.status(), 403);
    assert_eq!(report(&s.app, &dinarpus, milestone_id, json!(10)).await.status(), 404);

    // An opd user cannot change the road map's structure.
    let indicator = "/api/v1/roadmaps/semarang-2023-2024/indicators/IND-10";
    s.app.expect(403, Method::PATCH, indicator, Some(&s.organisasi), Some(&json!({"name": "X"})), Some("\"1\"")).await;

    // The list shows each organisation its own plans only.
    assert_eq!(ids(&s.app.get_json_as(&s.bkpp, PLANS).await), [plan_id]);
    assert!(ids(&s.app.get_json_as(&dinarpus, PLANS).await).is_empty());

    let stored = s.app.get_json(&path).await;
    assert_eq!(stored["title"], plan["title"]);
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["milestones"][0]["progress"], "0");

    // A plan of a general objective is refused: it belongs to one of its activities.
    let mut general = plan_body();
    general.as_object_mut().unwrap().remove("activity");
    general["objective"] = json!("S1");
    let problem = s.app.expect(422, Method::POST, PLANS, Some(&s.admin), Some(&general), None).await;
    assert_eq!(fields(&problem), ["objective"]);
}

#[tokio::test]
async fn concurrent_edits_let_one_win() {
    let s = setup().await;
    let plan = create_plan(&s.app, &s.organisasi, &plan_body()).await;
    let path = format!("/api/v1/plans/{}", plan["id"]);
    let first = json!({"title": "Versi Bagian Organisasi"});
    let second = json!({"title": "Versi sekretariat"});

    let (a, b) = tokio::join!(
        s.app.send(Method::PATCH, &path, Some(&s.organisasi), Some(&first), Some("\"1\"")),
        s.app.send(Method::PATCH, &path, Some(&s.admin), Some(&second), Some("\"1\"")),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
    let winner = if a.status() == 200 { &first } else { &second };
    let stored = s.app.get_json(&path).await;
    assert_eq!(stored["title"], winner["title"]);
    assert_eq!(stored["version"], 2);

    // Two milestones that together pass the weight limit: the plan's lock lets one in.
    let plan_id = plan["id"].as_i64().unwrap();
    let milestones = format!("/api/v1/plans/{plan_id}/milestones");
    let body = json!({"title": "Separuh", "expected_output": "O", "due": "2024-Q2", "weight": 60});
    let (a, b) = tokio::join!(
        s.app.send(Method::POST, &milestones, Some(&s.organisasi), Some(&body), None),
        s.app.send(Method::POST, &milestones, Some(&s.admin), Some(&body), None),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422]);

    // A stale milestone edit gets 412 and changes nothing; a missing If-Match gets 428.
    let stored = s.app.get_json(&path).await;
    let milestone = &stored["milestones"][0];
    let edit = json!({"title": "Diubah", "expected_output": "O", "due": "2024-Q3", "weight": 50});
    let milestone_path = format!("/api/v1/milestones/{}", milestone["id"]);
    s.app.expect(200, Method::PUT, &milestone_path, Some(&s.organisasi), Some(&edit), Some("\"1\"")).await;
    s.app.expect(412, Method::PUT, &milestone_path, Some(&s.admin), Some(&body), Some("\"1\"")).await;
    s.app.expect(428, Method::PUT, &milestone_path, Some(&s.admin), Some(&body), None).await;
    let milestone = s.app.get_json(&milestone_path).await;
    assert_eq!(milestone["version"], 2);
    let stored = s.app.get_json(&path).await;
    assert_eq!(stored["milestones"][0]["title"], "Diubah");
    assert_eq!(stored["milestones"][0]["weight"], "50");
}

#[tokio::test]
async fn plan_create_retry_stores_once() {
    let s = setup().await;
    let send = || {
        s.app
            .client
            .post(format!("{}{PLANS}", s.app.address))
            .bearer_auth(&s.organisasi)
            .header("Idempotency-Key", "rencana-aksi-k1-01")
            .json(&plan_body())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(s.app.get_json(PLANS).await["total"], 1);
}

#[tokio::test]
async fn cancelling_needs_a_reason_and_stops_reports() {
    let s = setup().await;
    let plan = create_plan(&s.app, &s.organisasi, &plan_body()).await;
    let plan_id = plan["id"].as_i64().unwrap();
    let milestone = add_milestone(&s.app, &s.organisasi, plan_id, "Rapat", "2024-Q1", json!(50)).await;
    let cancel = format!("/api/v1/plans/{plan_id}/cancel");

    let problem = s
        .app
        .expect(422, Method::POST, &cancel, Some(&s.organisasi), Some(&json!({"reason": " "})), Some("\"1\""))
        .await;
    assert_eq!(fields(&problem), ["reason"]);
    let body = json!({"reason": "Digabung dengan rencana aksi K1.02"});
    let cancelled = s.app.expect(200, Method::POST, &cancel, Some(&s.organisasi), Some(&body), Some("\"1\"")).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], body["reason"]);

    let response = report(&s.app, &s.diskominfo, milestone["id"].as_i64().unwrap(), json!(20)).await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:petajalan:problem:plan-cancelled");

    // Past its due day a cancelled plan's milestone is not overdue.
    s.app.set_time("2024-05-01T08:00:00+07:00");
    assert_eq!(s.app.get_json(&format!("/api/v1/plans/{plan_id}")).await["overdue"], false);
    let done = json!({"status": "done"});
    s.app
        .expect(409, Method::PATCH, &format!("/api/v1/plans/{plan_id}"), Some(&s.admin), Some(&done), Some("\"2\""))
        .await;
}

#[tokio::test]
async fn plan_list_filters() {
    let s = setup().await;
    let (_, dinkes) = s.app.create_user("dinkes", "opd", Some("DIN-KESEHATAN")).await;
    let k101 = create_plan(&s.app, &s.organisasi, &plan_body()).await["id"].as_i64().unwrap();
    add_milestone(&s.app, &s.organisasi, k101, "Rapat", "2024-03-15", json!(50)).await;
    let mut stunting = plan_body();
    stunting.as_object_mut().unwrap().remove("activity");
    stunting["objective"] = json!("ST1");
    stunting["responsible"] = json!("DIN-PPPA");
    stunting["supporters"] = json!(["DIN-KESEHATAN"]);
    stunting["indicators"] = json!(["IND-38"]);
    let st1 = create_plan(&s.app, &dinkes, &stunting).await;
    assert_eq!(st1["objective"]["code"], "ST1");
    let st1 = st1["id"].as_i64().unwrap();
    add_milestone(&s.app, &dinkes, st1, "Operasi timbang", "2024-Q3", json!(100)).await;

    let list = async |query: &str| s.app.get_json(&format!("{PLANS}?{query}")).await;
    assert_eq!(ids(&list("activity=K1.01").await), [k101]);
    assert_eq!(ids(&list("objective=S1").await), [k101]);
    assert_eq!(ids(&list("objective=ST1").await), [st1]);
    assert_eq!(ids(&list("theme=stunting").await), [st1]);
    assert_eq!(ids(&list("organisation=BKPP").await), [k101]);
    assert_eq!(ids(&list("organisation=DIN-PPPA").await), [st1]);
    assert_eq!(ids(&list("status=planned").await), [k101, st1]);
    assert!(ids(&list("status=done").await).is_empty());
    assert_eq!(ids(&list("due_from=2024-03-01&due_to=2024-03-31").await), [k101]);
    assert_eq!(ids(&list("due_from=2024-07-01").await), [st1]);
    assert_eq!(ids(&list("due_to=2024-06-30").await), [k101]);
    let page = list("page_size=1&page=2").await;
    assert_eq!((ids(&page), page["total"].as_i64()), (vec![st1], Some(2)));

    let problem = s
        .app
        .expect(
            400,
            Method::GET,
            &format!("{PLANS}?activity=K9.99&overdue=ya&due_from=besok"),
            Some(&s.admin),
            None,
            None,
        )
        .await;
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(named, ["activity", "due_from", "overdue"]);
}

/// Plans written in the data file, after the Semarang road map.
const FILE_PLANS: &str = r#"
[[plans]]
code = "RA-K1.01-01"
activity = "K1.01"
title = "Penyusunan peta proses bisnis"
output = "Dokumen peta proses bisnis"
output_unit = "dokumen"
output_quantity = 1
starts_on = 2024-01-01
ends_on = "2024-12-31"
budget = "1.250.000.000,50"
responsible = "Diskominfo"
supporters = ["BKPP"]
indicators = ["IND-10"]

[[plans.milestones]]
title = "Inventarisasi proses"
expected_output = "Daftar proses bisnis"
due = "2024-Q2"
weight = 40

[[plans.milestones]]
title = "Penetapan peta"
expected_output = "Keputusan Wali Kota"
due = "2024-11-30"
weight = "60"
"#;

#[tokio::test]
async fn file_plans_survive_reimport() {
    let s = setup().await;
    let source = std::fs::read_to_string(common::repo_path("data/semarang-2023-2024.toml")).unwrap() + FILE_PLANS;
    s.app.import(&source).await;

    let list = s.app.get_json(PLANS).await;
    assert_eq!(list["total"], 1);
    let plan = &list["items"][0];
    assert_eq!(plan["code"], "RA-K1.01-01");
    assert_eq!(plan["activity"]["code"], "K1.01");
    assert_eq!(plan["responsible"]["code"], "DISKOMINFO");
    assert_eq!(plan["budget"]["amount"], "1250000000.50");
    assert_eq!(plan["milestones"][0]["due_on"], "2024-06-30");
    assert_eq!(plan["milestones"][1]["weight"], "60");

    // Progress reported through the API stays when the same file is imported again.
    let milestone = plan["milestones"][0]["id"].as_i64().unwrap();
    assert_eq!(report(&s.app, &s.diskominfo, milestone, json!(100)).await.status(), 201);
    s.app.import(&source).await;
    let list = s.app.get_json(PLANS).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["progress"], "40");
}

#[test]
fn file_plan_errors_name_lines() {
    let base = std::fs::read_to_string(common::repo_path("data/semarang-2023-2024.toml")).unwrap();
    let wrong =
        FILE_PLANS.replace("weight = \"60\"", "weight = 70").replace("activity = \"K1.01\"", "activity = \"K9.99\"");
    let problems = petajalan::domain::roadmap_file::parse_roadmap_file(&(base.clone() + &wrong)).unwrap_err();
    let lines = base.lines().count();
    let messages: Vec<(usize, &str)> = problems
        .iter()
        .map(|problem| (problem.line - lines, problem.message(petajalan::domain::lang::Lang::En)))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0].0, 4);
    assert!(messages[0].1.contains("K9.99"), "{messages:?}");
    assert_eq!(messages[1].0, 26);
    assert!(messages[1].1.starts_with("weight:"), "{messages:?}");
}
