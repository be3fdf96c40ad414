//! Reporting periods over HTTP: opening, changing, locking and exceptions.

mod common;

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const PERIODS: &str = "/api/v1/roadmaps/semarang-2023-2024/periods";

async fn setup() -> (TestApp, String) {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    app.set_time("2023-04-10T09:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    (app, admin)
}

#[tokio::test]
async fn period_state_by_jakarta_day() {
    let (app, _) = setup().await;
    let path = format!("{PERIODS}/2023-Q1");

    for (moment, state) in [
        ("2023-03-31T23:59:00+07:00", "scheduled"),
        ("2023-04-01T00:00:00+07:00", "open"),
        ("2023-04-30T23:59:59+07:00", "open"),
        ("2023-05-01T00:00:00+07:00", "closed"),
    ] {
        app.set_time(moment);
        let period = app.get_json(&path).await;
        assert_eq!(period["state"], state, "at {moment}");
    }
    let listed = app.get_json(PERIODS).await;
    assert_eq!(listed[0]["period"], "2023-Q1");
}

#[tokio::test]
async fn invalid_periods_are_refused_with_the_field() {
    let (app, admin) = setup().await;
    for (body, status, field) in [
        (json!({"period": "2025-Q1", "opens_on": "2025-04-01", "deadline": "2025-04-30"}), 422, "period"),
        (json!({"period": "2023-Q5", "opens_on": "2023-04-01", "deadline": "2023-04-30"}), 422, "period"),
        (json!({"period": "2023-Q2", "opens_on": "2023-07-31", "deadline": "2023-07-01"}), 422, "deadline"),
        (json!({"period": "2023-Q2", "opens_on": "2023-07-01", "deadline": "31-07-2023"}), 422, "deadline"),
    ] {
        let problem = app.expect(status, Method::POST, PERIODS, Some(&admin), Some(&body), None).await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let again = json!({"period": "2023-Q1", "opens_on": "2023-04-01", "deadline": "2023-04-30"});
    app.expect(409, Method::POST, PERIODS, Some(&admin), Some(&again), None).await;
}

#[tokio::test]
async fn locked_period_only_unlocks() {
    let (app, admin) = setup().await;
    let path = format!("{PERIODS}/2023-Q1");
    let patch = |body: Value, tag: &'static str| {
        let path = path.clone();
        let admin = admin.clone();
        let app = &app;
        async move { app.send(Method::PATCH, &path, Some(&admin), Some(&body), Some(tag)).await }
    };

    assert_eq!(patch(json!({"locked": true}), "\"1\"").await.status(), 200);
    let response = patch(json!({"deadline": "2023-05-15"}), "\"2\"").await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:petajalan:problem:period-locked");

    let exception = json!({"organisation": "DIN-PPPA", "until": "2023-05-10", "reason": "Server mati"});
    app.expect(409, Method::POST, &format!("{path}/exceptions"), Some(&admin), Some(&exception), None).await;

    let unlocked = patch(json!({"locked": false, "deadline": "2023-05-10"}), "\"2\"").await;
    assert_eq!(unlocked.status(), 200, "unlocking and changing go together");
    assert_eq!(unlocked.headers()["etag"], "\"3\"");
    assert_eq!(patch(json!({"deadline": "2023-05-15"}), "\"3\"").await.status(), 200);
    assert_eq!(patch(json!({"deadline": "2023-05-20"}), "\"3\"").await.status(), 412);
}

#[tokio::test]
async fn exception_needs_a_future_day_and_a_reason() {
    let (app, admin) = setup().await;
    let path = format!("{PERIODS}/2023-Q1/exceptions");
    app.set_time("2023-05-20T09:00:00+07:00");

    for (body, field) in [
        (json!({"organisation": "DIN-PPPA", "until": "2023-05-10", "reason": "Terlambat"}), "until"),
        (json!({"organisation": "DIN-PPPA", "until": "2023-04-30", "reason": "Terlambat"}), "until"),
        (json!({"organisation": "DIN-PPPA", "until": "2023-05-25", "reason": "  "}), "reason"),
        (json!({"organisation": "TIDAK-ADA", "until": "2023-05-25", "reason": "Terlambat"}), "organisation"),
    ] {
        let problem = app.expect(422, Method::POST, &path, Some(&admin), Some(&body), None).await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }

    let body = json!({"organisation": "DIN-PPPA", "until": "2023-05-25", "reason": "Jaringan terputus"});
    let period = app.expect(201, Method::POST, &path, Some(&admin), Some(&body), None).await;
    assert_eq!(period["version"], 2, "an exception changes the period's version");
    assert_eq!(period["exceptions"][0]["organisation"]["code"], "DIN-PPPA");
    assert_eq!(period["exceptions"][0]["until"], "2023-05-25");

    let audit = app.get_json("/api/v1/audit-events?action=period.&subject=period:2023-Q1").await;
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|event| event["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["period.exception", "period.create"]);
    assert_eq!(audit["items"][0]["details"]["reason"], "Jaringan terputus");
}
