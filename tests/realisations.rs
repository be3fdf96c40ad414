//! Realisations over HTTP on the Semarang road map: the quarterly workflow, periods and
//! deadlines, concurrency, idempotency and the audit trail.

mod common;

use common::{SEMARANG, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

const REALISATIONS: &str = "/api/v1/roadmaps/semarang-2023-2024/realisations";

/// The Semarang road map with TW I 2023 open (1 to 30 April), the clock on 10 April, and users:
/// an admin, DIN-PPPA and DIN-PPKB (implementers of the stunting indicators), DIN-KESEHATAN
/// (their coordinator) and DISKOMINFO (coordinator and implementer of IND-04).
struct Quarter {
    app: TestApp,
    admin: String,
    pppa: String,
    ppkb: String,
    dinkes: String,
    diskominfo: String,
}

impl Quarter {
    async fn open(late_policy: &str) -> Quarter {
        let app = TestApp::spawn_with_semarang().await;
        let (_, admin) = app.create_user("sekretariat", "admin", None).await;
        let (_, pppa) = app.create_user("pppa", "opd", Some("DIN-PPPA")).await;
        let (_, ppkb) = app.create_user("ppkb", "opd", Some("DIN-PPKB")).await;
        let (_, dinkes) = app.create_user("dinkes", "opd", Some("DIN-KESEHATAN")).await;
        let (_, diskominfo) = app.create_user("diskominfo", "opd", Some("DISKOMINFO")).await;
        app.set_time("2023-04-10T09:00:00+07:00");
        app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", late_policy).await;
        Quarter { app, admin, pppa, ppkb, dinkes, diskominfo }
    }

    async fn act(&self, status: u16, token: &str, id: i64, action: &str, version: i64, body: Value) -> Value {
        let path = format!("/api/v1/realisations/{id}/{action}");
        let tag = format!("\"{version}\"");
        self.app.expect(status, Method::POST, &path, Some(token), Some(&body), Some(&tag)).await
    }
}

fn id_of(view: &Value) -> i64 {
    view["id"].as_i64().expect("a realisation id")
}

fn stunting(numerator: i64, denominator: i64, submit: bool) -> Value {
    json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": numerator, "denominator": denominator, "submit": submit})
}

#[tokio::test]
async fn quarter_flows_from_draft_to_verified() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;

    let draft = app.report(&quarter.pppa, stunting(12, 1000, false)).await;
    let id = id_of(&draft);
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["value"]["number"], "1.2");
    assert_eq!(draft["value"]["printed"], "12/1.000", "JSON numbers print in Indonesian notation");

    let photo = jpeg_bytes();
    let evidence = app.upload(&quarter.pppa, id, "posyandu.jpg", photo.clone()).await;
    assert_eq!(evidence.status(), 201);

    let submitted = quarter.act(200, &quarter.pppa, id, "submit", 1, json!({})).await;
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(submitted["timeliness"], "on_time");
    assert_eq!(submitted["submitted_by"]["name"], "pppa");

    let returned =
        quarter.act(200, &quarter.dinkes, id, "return", 2, json!({"note": "Lampirkan rekap posyandu"})).await;
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["review_note"], "Lampirkan rekap posyandu");

    let body = json!({"numerator": 11, "denominator": 1000, "note": "Rekap dilampirkan"});
    let edited = app
        .expect(
            200,
            Method::PATCH,
            &format!("/api/v1/realisations/{id}"),
            Some(&quarter.pppa),
            Some(&body),
            Some("\"3\""),
        )
        .await;
    assert_eq!(edited["state"], "returned");
    let resubmitted = quarter.act(200, &quarter.pppa, id, "submit", 4, json!({})).await;
    assert_eq!(resubmitted["state"], "submitted");

    let verified = quarter.act(200, &quarter.dinkes, id, "verify", 5, json!({"note": "Sesuai"})).await;
    assert_eq!(verified["state"], "verified");
    assert_eq!(verified["submitted_by"]["name"], "pppa", "verification never replaces the submitter");
    assert_eq!(verified["reviewed_by"]["name"], "dinkes");
    assert_eq!(verified["evidence"].as_array().unwrap().len(), 1);

    let achievement =
        app.get_json(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-38/achievement?year=2023")).await;
    assert_eq!(achievement["quarters"][0]["figure"]["value"], "1.1");
    assert_eq!(achievement["quarters"][0]["reported"], 1);
    assert_eq!(achievement["figure"]["value"], "1.1");
    // Lower is better against a target of 1,3: (2 × 1,3 − 1,1) / 1,3 = 115,38 %.
    assert_eq!(achievement["achievement"]["status"], "computed");
    assert_eq!(achievement["achievement"]["percent"], "115.38");

    let versions = app.get_json(&format!("/api/v1/realisations/{id}/versions")).await;
    let actions: Vec<&str> =
        versions.as_array().unwrap().iter().map(|version| version["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "submit", "return", "edit", "submit", "verify"]);
    assert_eq!(versions[2]["realisation"]["review_note"], "Lampirkan rekap posyandu");
}

#[tokio::test]
async fn forbidden_transitions_get_their_status() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let id = id_of(&app.report(&quarter.pppa, stunting(12, 1000, true)).await);

    // On a submitted realisation the owner cannot verify, edit or submit again, and other
    // units, the secretariat and the verifier cannot edit it.
    quarter.act(403, &quarter.pppa, id, "verify", 1, json!({})).await;
    // Another implementer of the indicator does not see this unit's realisation at all.
    quarter.act(404, &quarter.ppkb, id, "verify", 1, json!({})).await;
    quarter.act(403, &quarter.admin, id, "verify", 1, json!({})).await;
    quarter.act(409, &quarter.pppa, id, "submit", 1, json!({})).await;
    let edit = json!({"numerator": 1, "denominator": 10});
    app.expect(
        409,
        Method::PATCH,
        &format!("/api/v1/realisations/{id}"),
        Some(&quarter.pppa),
        Some(&edit),
        Some("\"1\""),
    )
    .await;
    app.expect(
        403,
        Method::PATCH,
        &format!("/api/v1/realisations/{id}"),
        Some(&quarter.dinkes),
        Some(&edit),
        Some("\"1\""),
    )
    .await;

    // A return needs its reason; a stale or missing If-Match is refused.
    let problem = quarter.act(422, &quarter.dinkes, id, "return", 1, json!({"note": "  "})).await;
    assert_eq!(problem["errors"][0]["field"], "note");
    quarter.act(412, &quarter.dinkes, id, "verify", 7, json!({})).await;
    let response = app
        .send(Method::POST, &format!("/api/v1/realisations/{id}/verify"), Some(&quarter.dinkes), Some(&json!({})), None)
        .await;
    assert_eq!(response.status(), 428);

    quarter.act(200, &quarter.dinkes, id, "verify", 1, json!({})).await;
    quarter.act(409, &quarter.dinkes, id, "verify", 2, json!({})).await;
    quarter.act(409, &quarter.dinkes, id, "return", 2, json!({"note": "Salah"})).await;
    quarter.act(409, &quarter.pppa, id, "submit", 2, json!({})).await;
}

#[tokio::test]
async fn secretariat_verifies_where_the_coordinator_reports() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;

    // DISKOMINFO coordinates and implements IND-04 (Indeks SPBE).
    let body = json!({"indicator": "IND-04", "period": "2023-Q1", "value": "3,1"});
    let id = id_of(&app.report(&quarter.diskominfo, body).await);

    quarter.act(403, &quarter.diskominfo, id, "verify", 1, json!({})).await;
    let verified = quarter.act(200, &quarter.admin, id, "verify", 1, json!({"note": "Sesuai hasil evaluasi"})).await;
    assert_eq!(verified["reviewed_by"]["name"], "sekretariat");
    assert_eq!(verified["submitted_by"]["name"], "diskominfo");
}

#[tokio::test]
async fn other_organisations_cannot_report_or_see_drafts() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;

    // DINARPUS has no part in IND-38.
    let (_, dinarpus) = app.create_user("dinarpus", "opd", Some("DINARPUS")).await;
    let response = app.send(Method::POST, REALISATIONS, Some(&dinarpus), Some(&stunting(1, 10, true)), None).await;
    assert_eq!(response.status(), 403);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("IND-38"), "{problem}");

    let draft = id_of(&app.report(&quarter.pppa, stunting(12, 1000, false)).await);
    for token in [&quarter.ppkb, &quarter.dinkes, &quarter.admin, &app.token] {
        let response = app.send(Method::GET, &format!("/api/v1/realisations/{draft}"), Some(token), None, None).await;
        assert_eq!(response.status(), 404);
        let edit = json!({"numerator": 1, "denominator": 10});
        let response = app
            .send(Method::PATCH, &format!("/api/v1/realisations/{draft}"), Some(token), Some(&edit), Some("\"1\""))
            .await;
        assert_eq!(response.status(), 404);
    }
    let listed = app.get_json(&format!("{REALISATIONS}?period=2023-Q1")).await;
    assert_eq!(listed["total"], 0, "a viewer lists no drafts");
    let own = app.send(Method::GET, REALISATIONS, Some(&quarter.pppa), None, None).await;
    assert_eq!(own.json::<Value>().await.unwrap()["total"], 1);

    // One realisation per organisation, indicator and period.
    let response = app.send(Method::POST, REALISATIONS, Some(&quarter.pppa), Some(&stunting(1, 10, true)), None).await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn deadline_ends_at_midnight_wib() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;

    app.set_time("2023-04-30T23:59:00+07:00");
    let on_time = app.report(&quarter.pppa, stunting(12, 1000, true)).await;
    assert_eq!(on_time["timeliness"], "on_time");

    app.set_time("2023-05-01T00:00:30+07:00");
    let response = app.send(Method::POST, REALISATIONS, Some(&quarter.ppkb), Some(&stunting(5, 100, true)), None).await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:petajalan:problem:period-closed");
    assert!(problem["detail"].as_str().unwrap().contains("23.59 WIB"), "{problem}");

    // An exception reopens the period for DIN-PPKB only, until its last day.
    let body = json!({"organisation": "DIN-PPKB", "until": "2023-05-05", "reason": "Jaringan terputus sepekan"});
    let period = format!("/api/v1/roadmaps/{SEMARANG}/periods/2023-Q1");
    app.expect(201, Method::POST, &format!("{period}/exceptions"), Some(&quarter.admin), Some(&body), None).await;
    let excused = app.report(&quarter.ppkb, stunting(5, 100, true)).await;
    assert_eq!(excused["timeliness"], "exception");

    // The verification of an on-time report goes on after the deadline.
    quarter.act(200, &quarter.dinkes, id_of(&on_time), "verify", 1, json!({})).await;
}

#[tokio::test]
async fn late_reports_are_accepted_and_marked_by_policy() {
    let quarter = Quarter::open("accept_late").await;
    quarter.app.set_time("2023-05-02T08:00:00+07:00");
    let late = quarter.app.report(&quarter.pppa, stunting(12, 1000, true)).await;
    assert_eq!(late["timeliness"], "late");
}

#[tokio::test]
async fn locked_period_refuses_every_change() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let submitted = id_of(&app.report(&quarter.pppa, stunting(12, 1000, true)).await);
    let draft = id_of(&app.report(&quarter.ppkb, stunting(5, 100, false)).await);

    let period = format!("/api/v1/roadmaps/{SEMARANG}/periods/2023-Q1");
    let locked = app
        .expect(200, Method::PATCH, &period, Some(&quarter.admin), Some(&json!({"locked": true})), Some("\"1\""))
        .await;
    assert_eq!(locked["state"], "locked");

    for (status, token, id, action, body) in [
        (409, &quarter.dinkes, submitted, "verify", json!({})),
        (409, &quarter.dinkes, submitted, "return", json!({"note": "Salah"})),
        (409, &quarter.ppkb, draft, "submit", json!({})),
    ] {
        let problem = quarter.act(status, token, id, action, 1, body).await;
        assert_eq!(problem["type"], "urn:petajalan:problem:period-locked");
    }
    let edit = json!({"numerator": 1, "denominator": 10});
    app.expect(
        409,
        Method::PATCH,
        &format!("/api/v1/realisations/{draft}"),
        Some(&quarter.ppkb),
        Some(&edit),
        Some("\"1\""),
    )
    .await;
    let response = app
        .send(
            Method::POST,
            REALISATIONS,
            Some(&quarter.diskominfo),
            Some(&json!({"indicator": "IND-04", "period": "2023-Q1", "value": 3})),
            None,
        )
        .await;
    assert_eq!(response.status(), 409);

    // Nothing changed.
    let view = app.get_json(&format!("/api/v1/realisations/{submitted}")).await;
    assert_eq!(view["state"], "submitted");
    assert_eq!(view["version"], 1);
}

#[tokio::test]
async fn concurrent_verifications_let_one_win() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let (_, second_coordinator) = app.create_user("dinkes-2", "opd", Some("DIN-KESEHATAN")).await;
    let id = id_of(&app.report(&quarter.pppa, stunting(12, 1000, true)).await);

    let path = format!("/api/v1/realisations/{id}/verify");
    let (note_a, note_b) = (json!({"note": "A"}), json!({"note": "B"}));
    let (first, second) = tokio::join!(
        app.send(Method::POST, &path, Some(&quarter.dinkes), Some(&note_a), Some("\"1\"")),
        app.send(Method::POST, &path, Some(&second_coordinator), Some(&note_b), Some("\"1\"")),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);

    let audit_path = format!("/api/v1/audit-events?action=realisation.verify&subject=realisation:{id}");
    let audit = app.expect(200, Method::GET, &audit_path, Some(&quarter.admin), None, None).await;
    assert_eq!(audit["total"], 1, "{audit}");
    let versions = app.get_json(&format!("/api/v1/realisations/{id}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn idempotency_key_makes_a_retry_safe() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let send = |body: Value| {
        app.client
            .post(format!("{}{REALISATIONS}", app.address))
            .bearer_auth(&quarter.pppa)
            .header("Idempotency-Key", "3f0e3c1a-tw1-ind38")
            .json(&body)
            .send()
    };

    let first = send(stunting(12, 1000, true)).await.unwrap();
    assert_eq!(first.status(), 201);
    let first_body: Value = first.json().await.unwrap();
    let retry = send(stunting(12, 1000, true)).await.unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap()["id"], first_body["id"]);

    let other = send(stunting(13, 1000, true)).await.unwrap();
    assert_eq!(other.status(), 422);
    let own = app.send(Method::GET, REALISATIONS, Some(&quarter.pppa), None, None).await;
    assert_eq!(own.json::<Value>().await.unwrap()["total"], 1);
}

#[tokio::test]
async fn values_are_read_by_the_indicator_kind() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;

    // A rate needs its counts; a numeric value in English notation is ambiguous.
    let response = app
        .send(
            Method::POST,
            REALISATIONS,
            Some(&quarter.pppa),
            Some(&json!({"indicator": "IND-38", "period": "2023-Q1", "value": 1.2})),
            None,
        )
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|error| error["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["value", "numerator", "denominator"]);

    let ambiguous = json!({"indicator": "IND-04", "period": "2023-Q1", "value": "3.12"});
    let response = app.send(Method::POST, REALISATIONS, Some(&quarter.diskominfo), Some(&ambiguous), None).await;
    assert_eq!(response.status(), 422);

    let bad_period = json!({"indicator": "IND-04", "period": "2023-TW1", "value": "3,12"});
    let response = app.send(Method::POST, REALISATIONS, Some(&quarter.diskominfo), Some(&bad_period), None).await;
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "period");

    let unopened = json!({"indicator": "IND-04", "period": "2023-Q4", "value": "3,12"});
    let response = app.send(Method::POST, REALISATIONS, Some(&quarter.diskominfo), Some(&unopened), None).await;
    assert_eq!(response.status(), 422);

    let accepted =
        app.report(&quarter.diskominfo, json!({"indicator": "IND-04", "period": "2023-Q1", "value": 3.12})).await;
    assert_eq!(accepted["value"]["number"], "3.12");
}

#[tokio::test]
async fn audit_log_refuses_changes_in_the_database() {
    let quarter = Quarter::open("refuse").await;
    quarter.app.report(&quarter.pppa, stunting(12, 1000, true)).await;

    let mut connection = quarter.app.database.connect().await;
    for statement in [
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "UPDATE realisation_versions SET state = 'verified'",
        "DELETE FROM realisation_versions",
    ] {
        let result = diesel_async::RunQueryDsl::execute(diesel::sql_query(statement), &mut connection).await;
        let error = result.expect_err(statement).to_string();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
}

fn jpeg_bytes() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01];
    bytes.extend((0..2000u32).map(|index| (index % 251) as u8));
    bytes.extend([0xFF, 0xD9]);
    bytes
}

#[tokio::test]
async fn parallel_retries_under_one_key_create_one_realisation() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let send = || {
        app.client
            .post(format!("{}{REALISATIONS}", app.address))
            .bearer_auth(&quarter.pppa)
            .header("Idempotency-Key", "tw1-ind38-parallel")
            .json(&stunting(12, 1000, true))
            .send()
    };

    let responses = futures_util::future::join_all((0..5).map(|_| send())).await;
    let mut ids = Vec::new();
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), 201);
        ids.push(response.json::<Value>().await.unwrap()["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every retry returns the first realisation");
}

#[tokio::test]
async fn parallel_creates_without_key_let_one_win() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let body = stunting(12, 1000, true);
    let (first, second) = tokio::join!(
        app.send(Method::POST, REALISATIONS, Some(&quarter.pppa), Some(&body), None),
        app.send(Method::POST, REALISATIONS, Some(&quarter.pppa), Some(&body), None),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
}

#[tokio::test]
async fn malformed_idempotency_key_is_refused() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    for key in ["x".repeat(256), "dua kata".to_string()] {
        let response = app
            .client
            .post(format!("{}{REALISATIONS}", app.address))
            .bearer_auth(&quarter.pppa)
            .header("Idempotency-Key", key)
            .json(&stunting(12, 1000, true))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    }
}

#[tokio::test]
async fn token_checked_before_idempotency_key() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;

    let response = app
        .client
        .post(format!("{}{REALISATIONS}", app.address))
        .header("Idempotency-Key", "dua kata")
        .json(&stunting(12, 1000, true))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn edit_keeps_what_it_leaves_out() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let mut body = stunting(12, 1000, false);
    body["note"] = json!("Data posyandu");
    let id = id_of(&app.report(&quarter.pppa, body).await);
    let path = format!("/api/v1/realisations/{id}");

    let edited = app
        .expect(
            200,
            Method::PATCH,
            &path,
            Some(&quarter.pppa),
            Some(&json!({"numerator": 11, "denominator": 1000})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(edited["note"], "Data posyandu", "a note left out is kept");
    let edited =
        app.expect(200, Method::PATCH, &path, Some(&quarter.pppa), Some(&json!({"note": null})), Some("\"2\"")).await;
    assert_eq!(edited["note"], Value::Null, "null clears the note");
    assert_eq!(edited["value"]["numerator"], "11", "a value left out is kept");
    app.expect(422, Method::PATCH, &path, Some(&quarter.pppa), Some(&json!({})), Some("\"3\"")).await;
}

#[tokio::test]
async fn verify_needs_no_body() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let id = id_of(&app.report(&quarter.pppa, stunting(12, 1000, true)).await);

    let verified = app
        .expect(
            200,
            Method::POST,
            &format!("/api/v1/realisations/{id}/verify"),
            Some(&quarter.dinkes),
            None,
            Some("\"1\""),
        )
        .await;
    assert_eq!(verified["state"], "verified");
    assert_eq!(verified["review_note"], Value::Null);
}

#[tokio::test]
async fn refusal_names_who_may_act() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let id = id_of(&app.report(&quarter.pppa, stunting(12, 1000, true)).await);

    let problem = quarter.act(403, &quarter.pppa, id, "verify", 1, json!({})).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("DIN-KESEHATAN"), "{detail}");
    assert!(detail.contains("IND-38"), "{detail}");
    let problem = quarter.act(403, &quarter.admin, id, "return", 1, json!({"note": "Salah"})).await;
    assert!(problem["detail"].as_str().unwrap().contains("DIN-KESEHATAN"), "{problem}");
    let problem = quarter.act(403, &quarter.app.token, id, "verify", 1, json!({})).await;
    assert!(problem["detail"].as_str().unwrap().contains("hanya untuk membaca"), "a viewer reads only: {problem}");

    // DISKOMINFO coordinates IND-04 and reports it, so it may not verify its own report.
    let own =
        id_of(&app.report(&quarter.diskominfo, json!({"indicator": "IND-04", "period": "2023-Q1", "value": 3})).await);
    let problem = quarter.act(403, &quarter.diskominfo, own, "verify", 1, json!({})).await;
    assert!(problem["detail"].as_str().unwrap().contains("sekretariat"), "{problem}");
}

#[tokio::test]
async fn bad_token_beats_bad_body() {
    let quarter = Quarter::open("refuse").await;
    let response = quarter.app.send(Method::POST, REALISATIONS, Some("bukan-token"), Some(&json!({})), None).await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn achievement_needs_a_year() {
    let quarter = Quarter::open("refuse").await;
    let response = quarter.app.get(&format!("/api/v1/roadmaps/{SEMARANG}/indicators/IND-38/achievement")).await;
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "year");
}

#[tokio::test]
async fn audit_record_names_the_request() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let response = app
        .client
        .post(format!("{}{REALISATIONS}", app.address))
        .bearer_auth(&quarter.pppa)
        .header("X-Request-Id", "uji-audit-42")
        .json(&stunting(12, 1000, true))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].clone();

    let audit = app.get_json(&format!("/api/v1/audit-events?subject=realisation:{id}")).await;
    let event = &audit["items"][0];
    assert_eq!(event["action"], "realisation.submit");
    assert_eq!(event["actor_name"], "pppa");
    assert_eq!(event["details"]["request_id"], "uji-audit-42");
    assert_eq!(event["details"]["before"], Value::Null);
    assert_eq!(event["details"]["after"]["state"], "submitted");
}

#[tokio::test]
async fn service_client_reports_for_its_unit() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let submitter = app.create_client_for("sigizi-pppa", &["read", "submit"], "DIN-PPPA").await;
    let reader = app.create_client_for("dasbor-pppa", &["read"], "DIN-PPPA").await;

    let created = app.report(&submitter, stunting(12, 1000, true)).await;
    assert_eq!(created["submitted_by"]["name"], "sigizi-pppa");
    assert!(created["submitted_by"]["client_id"].as_i64().is_some());

    let response = app.send(Method::POST, REALISATIONS, Some(&reader), Some(&stunting(5, 100, true)), None).await;
    assert_eq!(response.status(), 403, "the read scope does not submit");
    // A client never verifies, even one tied to the coordinator.
    let coordinator_client = app.create_client_for("dinkes-sistem", &["read", "submit"], "DIN-KESEHATAN").await;
    quarter.act(403, &coordinator_client, id_of(&created), "verify", 1, json!({})).await;
}

#[tokio::test]
async fn failed_audit_write_undoes_the_change() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let id = id_of(&app.report(&quarter.pppa, stunting(12, 1000, true)).await);

    // A constraint that rejects the audit record of a verification makes that write fail after
    // the realisation's row has been updated in the same transaction.
    let mut connection = app.database.connect().await;
    let constraint =
        "ALTER TABLE audit_events ADD CONSTRAINT reject_verify CHECK (action <> 'realisation.verify') NOT VALID";
    diesel_async::RunQueryDsl::execute(diesel::sql_query(constraint), &mut connection).await.unwrap();

    quarter.act(500, &quarter.dinkes, id, "verify", 1, json!({})).await;

    let view = app.get_json(&format!("/api/v1/realisations/{id}")).await;
    assert_eq!(view["state"], "submitted");
    assert_eq!(view["version"], 1);
    let versions = app.get_json(&format!("/api/v1/realisations/{id}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 1, "no version row was kept");
}

#[tokio::test]
async fn idempotency_keys_belong_to_their_caller() {
    let quarter = Quarter::open("refuse").await;
    let app = &quarter.app;
    let send = |token: &str, body: Value| {
        app.client
            .post(format!("{}{REALISATIONS}", app.address))
            .bearer_auth(token.to_string())
            .header("Idempotency-Key", "kunci-yang-sama")
            .json(&body)
            .send()
    };

    let first = send(&quarter.pppa, stunting(12, 1000, true)).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let other = send(&quarter.ppkb, stunting(12, 1000, true)).await.unwrap();
    assert_eq!(other.status(), 201);
    assert!(other.headers().get("idempotent-replayed").is_none());
    let other: Value = other.json().await.unwrap();
    assert_ne!(other["id"], first["id"], "another caller's key never returns the first caller's response");
    assert_eq!(other["organisation"]["code"], "DIN-PPKB");
}

#[tokio::test]
async fn me_lists_indicators_the_unit_reports() {
    let quarter = Quarter::open("refuse").await;
    let me = quarter.app.get_json_as(&quarter.dinkes, "/api/v1/me").await;
    let reports: Vec<&str> =
        me["reports"].as_array().unwrap().iter().map(|item| item["code"].as_str().unwrap()).collect();
    assert_eq!(reports, ["IND-37"], "Dinas Kesehatan reports the SSGI prevalence for the city");
}
