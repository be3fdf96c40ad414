//! Road map structure over HTTP: the secretariat creates a road map with its tree and
//! indicators, renames and retires nodes, and a re-import keeps what it changed.

mod common;

use common::{SEMARANG, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const NEW: &str = "/api/v1/roadmaps/semarang-2025-2026";

/// Sends a request with a bearer token and optional extra headers, and returns the response.
async fn send_with(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.client.request(method, format!("{}{path}", app.address)).bearer_auth(token).json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request failed")
}

/// POSTs a body as `token`, expects `status`, and returns the JSON body.
async fn post(app: &TestApp, token: &str, path: &str, body: Value, status: u16) -> Value {
    app.expect(status, Method::POST, path, Some(token), Some(&body), None).await
}

/// Creates the 2025–2026 road map with a goal, a theme, a thematic objective coordinated by
/// DIN-KESEHATAN and an activity under it.
async fn new_roadmap(app: &TestApp, admin: &str) {
    let roadmap = json!({
        "code": "semarang-2025-2026",
        "title": "Road Map Reformasi Birokrasi Kota Semarang 2025-2026",
        "legal_basis": "Rancangan Peraturan Wali Kota Semarang",
        "start_year": 2025,
        "end_year": 2026,
        "baseline_year": 2024,
    });
    post(app, admin, "/api/v1/roadmaps", roadmap, 201).await;
    post(app, admin, &format!("{NEW}/goals"), json!({"code": "T1", "name": "Birokrasi yang bersih"}), 201).await;
    post(app, admin, &format!("{NEW}/themes"), json!({"code": "stunting", "name": "Penanganan Stunting"}), 201).await;
    let objective = json!({
        "code": "ST1", "kind": "thematic", "theme": "stunting", "name": "Menurunnya angka stunting",
        "coordinator": "DIN-KESEHATAN",
    });
    post(app, admin, &format!("{NEW}/objectives"), objective, 201).await;
    let activity = json!({"code": "K1.01", "objective": "ST1", "name": "Pendampingan keluarga berisiko"});
    post(app, admin, &format!("{NEW}/activities"), activity, 201).await;
}

fn indicator_at(code: &str, activity: &str) -> Value {
    json!({
        "code": code,
        "name": "Prevalensi stunting",
        "unit": "persen",
        "value_kind": "percentage",
        "direction": "lower_is_better",
        "yearly_rule": "latest",
        "coordinator": "DIN-KESEHATAN",
        "implementers": ["DIN-KESEHATAN", "DIN-PPKB"],
        "placements": [{"activity": activity}],
        "baseline": "16,4%",
    })
}

#[tokio::test]
async fn new_roadmap_is_built_through_the_api() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;

    let roadmap = json!({
        "code": "semarang-2025-2026", "title": "Road Map RB 2025-2026", "legal_basis": "Perwal",
        "start_year": 2025, "end_year": 2026, "baseline_year": 2024,
    });
    let response = send_with(&app, Method::POST, "/api/v1/roadmaps", &admin, &roadmap, &[]).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], NEW);
    let goal = json!({"code": "T1", "name": "Birokrasi yang bersih"});
    let response = send_with(&app, Method::POST, &format!("{NEW}/goals"), &admin, &goal, &[]).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], format!("{NEW}/goals/T1"));
    assert_eq!(response.headers()["etag"], "\"1\"");
    post(&app, &admin, &format!("{NEW}/themes"), json!({"code": "stunting", "name": "Stunting"}), 201).await;
    let objective = json!({
        "code": "ST1", "kind": "thematic", "theme": "stunting", "name": "Menurunnya angka stunting",
        "coordinator": "DIN-KESEHATAN",
    });
    let created = post(&app, &admin, &format!("{NEW}/objectives"), objective, 201).await;
    assert_eq!(created["theme"]["code"], "stunting");
    assert_eq!(created["coordinator"]["code"], "DIN-KESEHATAN");
    assert_eq!(created["version"], 1);
    let activity = json!({"code": "K1.01", "objective": "ST1", "name": "Pendampingan keluarga berisiko"});
    let created = post(&app, &admin, &format!("{NEW}/activities"), activity, 201).await;
    assert_eq!(created["objective"]["code"], "ST1");
    assert_eq!(created["coordinator"], Value::Null);

    let response =
        send_with(&app, Method::POST, &format!("{NEW}/indicators"), &admin, &indicator_at("IND-01", "K1.01"), &[])
            .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], format!("{NEW}/indicators/IND-01"));
    let indicator: Value = response.json().await.unwrap();
    assert_eq!(indicator["placements"][0]["code"], "K1.01");
    assert_eq!(indicator["implementers"].as_array().unwrap().len(), 2);
    assert_eq!(indicator["combine_rule"], "ratio", "percentages of several implementers combine as a ratio");
    assert_eq!(indicator["baseline"]["year"], 2024);
    assert_eq!(indicator["baseline"]["printed"], "16,4%");
    assert_eq!(indicator["targets"], json!([]));

    let target = json!({"value": "14%", "reason": "Target RPJMD", "reference": "Perwal RPJMD 2025"});
    app.expect(200, Method::PUT, &format!("{NEW}/indicators/IND-01/targets/2025"), Some(&admin), Some(&target), None)
        .await;

    let tree = app.get_json(&format!("{NEW}/tree")).await;
    assert_eq!(tree["goals"][0]["code"], "T1");
    let objective = &tree["themes"][0]["objectives"][0];
    assert_eq!(objective["coordinator"]["code"], "DIN-KESEHATAN");
    let placed = &objective["activities"][0]["indicators"][0];
    assert_eq!(placed["code"], "IND-01");
    assert_eq!(placed["targets"][0]["printed"], "14%");
    let goal = app.get(&format!("{NEW}/goals/T1")).await;
    assert_eq!(goal.headers()["etag"], "\"1\"");
    let goals = app.get_json(&format!("{NEW}/goals")).await;
    assert_eq!(goals["total"], 1);

    for (action, subject) in [
        ("roadmap.create", "roadmap:semarang-2025-2026"),
        ("goal.create", "goal:T1"),
        ("theme.create", "theme:stunting"),
        ("objective.create", "objective:ST1"),
        ("activity.create", "activity:K1.01"),
        ("indicator.create", "indicator:IND-01"),
        ("target.revise", "indicator:IND-01"),
    ] {
        let audit = app.get_json(&format!("/api/v1/audit-events?action={action}&subject={subject}")).await;
        assert_eq!(audit["total"], 1, "{action} {subject}");
    }
}

#[tokio::test]
async fn renames_need_the_current_version() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    new_roadmap(&app, &admin).await;
    let path = format!("{NEW}/activities/K1.01");
    let rename = json!({"name": "Pendampingan keluarga berisiko stunting"});

    let missing = app.send(Method::PATCH, &path, Some(&admin), Some(&rename), None).await;
    assert_eq!(missing.status(), 428);
    let changed = app.send(Method::PATCH, &path, Some(&admin), Some(&rename), Some("\"1\"")).await;
    assert_eq!(changed.status(), 200);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let stale = app.send(Method::PATCH, &path, Some(&admin), Some(&json!({"name": "Lain"})), Some("\"1\"")).await;
    assert_eq!(stale.status(), 412);

    let coordinator = json!({"coordinator": "DIN-PPKB"});
    let view = app.expect(200, Method::PATCH, &path, Some(&admin), Some(&coordinator), Some("\"2\"")).await;
    assert_eq!(view["name"], "Pendampingan keluarga berisiko stunting");
    assert_eq!(view["coordinator"]["code"], "DIN-PPKB");
    assert_eq!(view["version"], 3);
    assert_eq!(view["code"], "K1.01");
    let goal =
        app.expect(200, Method::PATCH, &format!("{NEW}/goals/T1"), Some(&admin), Some(&rename), Some("\"1\"")).await;
    assert_eq!(goal["name"], "Pendampingan keluarga berisiko stunting");

    let audit = app.get_json("/api/v1/audit-events?action=activity.update&subject=activity:K1.01").await;
    assert_eq!(audit["total"], 2);
    let items = audit["items"].as_array().unwrap();
    let rename_record = items.iter().find(|item| item["details"]["after"]["coordinator_id"].is_null()).unwrap();
    assert_eq!(rename_record["details"]["before"]["name"], "Pendampingan keluarga berisiko");
    assert_eq!(rename_record["details"]["after"]["name"], "Pendampingan keluarga berisiko stunting");
}

#[tokio::test]
async fn retired_activity_stays_readable_and_takes_no_indicator() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    new_roadmap(&app, &admin).await;
    let path = format!("{NEW}/activities/K1.01");
    let retire = json!({"reason": "Digabung ke kegiatan lain"});

    let retired =
        app.expect(200, Method::POST, &format!("{path}/retire"), Some(&admin), Some(&retire), Some("\"1\"")).await;
    assert_eq!(retired["retired_reason"], "Digabung ke kegiatan lain");
    assert!(retired["retired_at"].is_string());

    let read = app.get_json(&path).await;
    assert_eq!(read["retired_reason"], "Digabung ke kegiatan lain");
    assert_eq!(read["version"], 2);
    let listed = app.get_json(&format!("{NEW}/activities")).await;
    assert_eq!(listed["items"][0]["retired_reason"], "Digabung ke kegiatan lain");
    let tree = app.get_json(&format!("{NEW}/tree")).await;
    assert!(tree["themes"][0]["objectives"][0]["activities"][0]["retired_at"].is_string());

    let refused = send_with(
        &app,
        Method::POST,
        &format!("{NEW}/indicators"),
        &admin,
        &indicator_at("IND-01", "K1.01"),
        &[("Accept-Language", "en")],
    )
    .await;
    assert_eq!(refused.status(), 409);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:petajalan:problem:node-retired");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.starts_with("activity K1.01 was retired on"), "{detail}");
    assert!(detail.contains("Digabung ke kegiatan lain"), "{detail}");
    let indicators = app.get_json(&format!("{NEW}/indicators")).await;
    assert_eq!(indicators["total"], 0, "the refused indicator is not stored");

    let rename = json!({"name": "Baru"});
    assert_eq!(app.send(Method::PATCH, &path, Some(&admin), Some(&rename), Some("\"2\"")).await.status(), 409);
    assert_eq!(
        app.send(Method::POST, &format!("{path}/retire"), Some(&admin), Some(&retire), Some("\"2\"")).await.status(),
        409
    );
}

#[tokio::test]
async fn retired_parents_take_no_children() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    new_roadmap(&app, &admin).await;
    let retire = json!({"reason": "Tema tidak dilanjutkan"});
    app.expect(200, Method::POST, &format!("{NEW}/themes/stunting/retire"), Some(&admin), Some(&retire), Some("\"1\""))
        .await;
    app.expect(200, Method::POST, &format!("{NEW}/objectives/ST1/retire"), Some(&admin), Some(&retire), Some("\"1\""))
        .await;

    let objective = json!({"code": "ST2", "kind": "thematic", "theme": "stunting", "name": "Sasaran lain"});
    let problem = post(&app, &admin, &format!("{NEW}/objectives"), objective, 409).await;
    assert_eq!(problem["type"], "urn:petajalan:problem:node-retired");
    assert!(problem["detail"].as_str().unwrap().starts_with("tema stunting sudah dihentikan"), "{problem}");
    let activity = json!({"code": "K1.02", "objective": "ST1", "name": "Kegiatan lain"});
    let problem = post(&app, &admin, &format!("{NEW}/activities"), activity, 409).await;
    assert!(problem["detail"].as_str().unwrap().starts_with("sasaran ST1 sudah dihentikan"), "{problem}");
    let placed_at_objective = json!({
        "code": "IND-02", "name": "Indikator", "unit": "persen", "value_kind": "percentage",
        "direction": "higher_is_better", "yearly_rule": "latest", "placements": [{"objective": "ST1"}],
    });
    post(&app, &admin, &format!("{NEW}/indicators"), placed_at_objective, 409).await;

    let objectives = app.get_json(&format!("{NEW}/objectives")).await;
    assert_eq!(objectives["total"], 1);
}

#[tokio::test]
async fn invalid_requests_name_the_field() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    new_roadmap(&app, &admin).await;
    let roadmap = |code: &str, baseline: i32| json!({"code": code, "title": "RB", "legal_basis": "Perwal", "start_year": 2025, "end_year": 2026, "baseline_year": baseline});
    let mut indicator_without_places = indicator_at("IND-09", "K1.01");
    indicator_without_places["placements"] = json!([]);

    for (path, body, status, field) in [
        ("/api/v1/roadmaps".to_string(), roadmap("semarang-2025-2026", 2024), 409, "code"),
        ("/api/v1/roadmaps".to_string(), roadmap("Semarang", 2024), 422, "code"),
        ("/api/v1/roadmaps".to_string(), roadmap("semarang-2027", 2025), 422, "baseline_year"),
        (format!("{NEW}/goals"), json!({"code": "T1", "name": "Lagi"}), 409, "code"),
        (format!("{NEW}/goals"), json!({"code": "1T", "name": "Tujuan"}), 422, "code"),
        (format!("{NEW}/goals"), json!({"code": "T2", "name": " "}), 422, "name"),
        (format!("{NEW}/goals"), json!({"code": "T2", "name": "Tujuan", "position": 1}), 422, "position"),
        (format!("{NEW}/objectives"), json!({"code": "S1", "kind": "general", "name": "Sasaran"}), 422, "goal"),
        (format!("{NEW}/objectives"), json!({"code": "S1", "kind": "general", "goal": "T9", "name": "S"}), 422, "goal"),
        (format!("{NEW}/objectives"), json!({"code": "S1", "kind": "thematic", "name": "Sasaran"}), 422, "theme"),
        (
            format!("{NEW}/objectives"),
            json!({"code": "S1", "kind": "general", "goal": "T1", "theme": "stunting", "name": "S"}),
            422,
            "theme",
        ),
        (format!("{NEW}/activities"), json!({"code": "K2", "objective": "S9", "name": "Kegiatan"}), 422, "objective"),
        (
            format!("{NEW}/activities"),
            json!({"code": "K2", "objective": "ST1", "name": "Kegiatan", "coordinator": "TIDAK-ADA"}),
            422,
            "coordinator",
        ),
        (format!("{NEW}/indicators"), indicator_at("IND-09", "K9.99"), 422, "placements[0].activity"),
        (format!("{NEW}/indicators"), indicator_without_places, 422, "placements"),
        ("/api/v1/roadmaps/tidak-ada/goals".to_string(), json!({"code": "T2", "name": "Tujuan"}), 404, ""),
    ] {
        let problem = post(&app, &admin, &path, body.clone(), status).await;
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{path} {body}: {problem}");
        }
    }

    let goals = app.get_json(&format!("{NEW}/goals")).await;
    assert_eq!(goals["total"], 1, "no invalid request stored a goal");
    let roadmaps = app.get_json("/api/v1/roadmaps").await;
    assert_eq!(roadmaps["total"], 2);
}

#[tokio::test]
async fn creation_replays_with_idempotency_key() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let goal = json!({"code": "T2", "name": "Tujuan kedua"});
    let path = format!("/api/v1/roadmaps/{SEMARANG}/goals");
    let key = [("Idempotency-Key", "3f0e2b6c-goal-T2")];

    let first = send_with(&app, Method::POST, &path, &admin, &goal, &key).await;
    let second = send_with(&app, Method::POST, &path, &admin, &goal, &key).await;

    assert_eq!(first.status(), 201);
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(second.headers()["location"], format!("{path}/T2"));
    let audit = app.get_json("/api/v1/audit-events?action=goal.create&subject=goal:T2").await;
    assert_eq!(audit["total"], 1);
    let goals = app.get_json(&path).await;
    assert_eq!(goals["items"][1]["code"], "T2", "a new goal goes after the existing ones");
}

#[tokio::test]
async fn opd_user_changes_no_structure() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, opd) = app.create_user("bappeda", "opd", Some("BAPPEDA")).await;
    let roadmap = format!("/api/v1/roadmaps/{SEMARANG}");
    let rename = json!({"name": "Nama baru"});
    let retire = json!({"reason": "Tidak dilanjutkan"});

    for (method, path, body) in [
        (Method::POST, "/api/v1/roadmaps".to_string(), json!({})),
        (Method::POST, format!("{roadmap}/goals"), json!({"code": "T2", "name": "Tujuan"})),
        (Method::POST, format!("{roadmap}/themes"), json!({"code": "baru", "name": "Tema"})),
        (
            Method::POST,
            format!("{roadmap}/objectives"),
            json!({"code": "S9", "kind": "general", "goal": "T1", "name": "S"}),
        ),
        (Method::POST, format!("{roadmap}/activities"), json!({"code": "K9", "objective": "S1", "name": "K"})),
        (Method::POST, format!("{roadmap}/indicators"), indicator_at("IND-90", "K1.04")),
        (Method::PATCH, format!("{roadmap}/goals/T1"), rename.clone()),
        (Method::PATCH, format!("{roadmap}/themes/stunting"), rename.clone()),
        (Method::PATCH, format!("{roadmap}/objectives/S1"), rename.clone()),
        (Method::PATCH, format!("{roadmap}/activities/K1.04"), rename.clone()),
        (Method::POST, format!("{roadmap}/goals/T1/retire"), retire.clone()),
        (Method::POST, format!("{roadmap}/themes/stunting/retire"), retire.clone()),
        (Method::POST, format!("{roadmap}/objectives/S1/retire"), retire.clone()),
        (Method::POST, format!("{roadmap}/activities/K1.04/retire"), retire.clone()),
    ] {
        let response = app.send(method.clone(), &path, Some(&opd), Some(&body), Some("\"1\"")).await;
        assert_eq!(response.status(), 403, "{method} {path}");
    }

    let goal = app.get_json(&format!("{roadmap}/goals/T1")).await;
    assert_eq!(goal["version"], 1);
}

#[tokio::test]
async fn reimport_keeps_nodes_changed_through_the_api() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let roadmap = format!("/api/v1/roadmaps/{SEMARANG}");
    let rename = json!({"name": "Nama dari sekretariat"});
    for path in ["goals/T1", "objectives/S1", "activities/K1.04"] {
        app.expect(200, Method::PATCH, &format!("{roadmap}/{path}"), Some(&admin), Some(&rename), Some("\"1\"")).await;
    }
    let original = app.get_json(&format!("{roadmap}/activities/K1.05")).await;

    // The file also names a coordinator for K1.05, which the API never changed.
    let source = std::fs::read_to_string(common::repo_path(common::SEMARANG_FILE)).unwrap();
    let marker = "code = \"K1.05\"\nobjective = \"S1\"\n";
    assert!(source.contains(marker), "the Semarang file no longer has activity K1.05 in this form");
    app.import(&source.replacen(marker, &format!("{marker}coordinator = \"DISKOMINFO\"\n"), 1)).await;

    for path in ["goals/T1", "objectives/S1", "activities/K1.04"] {
        let view = app.get_json(&format!("{roadmap}/{path}")).await;
        assert_eq!(view["name"], "Nama dari sekretariat", "{path}");
        assert_eq!(view["version"], 2, "{path}");
    }
    let from_file = app.get_json(&format!("{roadmap}/activities/K1.05")).await;
    assert_eq!(from_file["coordinator"]["code"], "DISKOMINFO");
    assert_eq!(from_file["name"], original["name"]);
    assert_eq!(from_file["version"], 1);
}
