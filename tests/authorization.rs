//! Every documented route, called by every kind of caller, with the status each must get.
//!
//! The table's rows must match the routes of the OpenAPI document exactly, so a new route
//! without a row fails `table_covers_every_route`.

mod common;

use common::{SEMARANG, TEST_PASSWORD, TestApp};
use serde_json::{Value, json};

/// The callers, in the order of each row's expected statuses.
const CALLERS: [&str; 7] = ["admin", "coordinator", "implementer", "unrelated", "viewer", "service", "anonymous"];

/// One route: method, path as the OpenAPI document writes it, concrete path, and the status
/// for each caller in `CALLERS` order.
struct Row {
    method: &'static str,
    template: &'static str,
    path: String,
    expected: [u16; 7],
    if_match: Option<&'static str>,
}

const READ: [u16; 7] = [200, 200, 200, 200, 200, 200, 401];
const ADMIN_ONLY: [u16; 7] = [200, 403, 403, 403, 403, 403, 401];
const PUBLIC: [u16; 7] = [200; 7];
const ADMIN_CREATES: [u16; 7] = [201, 403, 403, 403, 403, 403, 401];

fn table() -> Vec<Row> {
    let roadmap = format!("/api/v1/roadmaps/{SEMARANG}");
    let row = |method, template, path: String, expected| Row { method, template, path, expected, if_match: None };
    let guarded =
        |method, template, path: String, expected| Row { method, template, path, expected, if_match: Some("\"1\"") };
    // Realisations made by `setup_realisations`, in this order; ids start at 1 in a new database.
    let (submitted, to_return, draft_to_edit, draft_to_submit, draft_with_link, with_file) = (1, 2, 3, 4, 5, 6);
    // Evidence: the realisation's file and the milestone's file come from the setup, the
    // links from the POST rows below.
    let (milestone_file, realisation_link, milestone_link) = (2, 3, 4);
    // Plans made by `setup_plans`: one to work on, with milestone 1, and one to cancel. Both
    // serve K1.04, which BAG-OTDA (IND-05) and BAPPEDA (IND-13) coordinate; BAPPEDA is
    // responsible for them.
    let (plan, plan_to_cancel, milestone) = (1, 2, 1);
    let plan_visible: [u16; 7] = [200, 200, 200, 404, 200, 200, 401];
    // A realisation is visible to its organisation, the indicator's coordinator, and callers
    // not tied to an organisation; a draft only to its organisation. Others get 404.
    let owner_only: [u16; 7] = [404, 404, 200, 404, 404, 404, 401];
    let visible: [u16; 7] = [200, 200, 200, 404, 200, 200, 401];
    vec![
        row("get", "/health/live", "/health/live".into(), PUBLIC),
        row("get", "/health/ready", "/health/ready".into(), PUBLIC),
        row("get", "/api/v1/roadmaps", "/api/v1/roadmaps".into(), READ),
        row("get", "/api/v1/roadmaps/{roadmap}", roadmap.clone(), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/tree", format!("{roadmap}/tree"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/goals", format!("{roadmap}/goals"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/goals/{item}", format!("{roadmap}/goals/T1"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/themes", format!("{roadmap}/themes"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/themes/{item}", format!("{roadmap}/themes/stunting"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/objectives", format!("{roadmap}/objectives"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/objectives/{item}", format!("{roadmap}/objectives/S1"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/activities", format!("{roadmap}/activities"), READ),
        row("get", "/api/v1/roadmaps/{roadmap}/activities/{item}", format!("{roadmap}/activities/K1.04"), READ),
        row(
            "get",
            "/api/v1/roadmaps/{roadmap}/indicators",
            format!("{roadmap}/indicators?organisation=BAG-OTDA"),
            READ,
        ),
        row("get", "/api/v1/roadmaps/{roadmap}/indicators/{item}", format!("{roadmap}/indicators/IND-05"), READ),
        // Structure changes: each POST row creates the node that the retire row after it retires,
        // and each PATCH row renames a node of the Semarang file.
        row("post", "/api/v1/roadmaps", "/api/v1/roadmaps".into(), ADMIN_CREATES),
        row("post", "/api/v1/roadmaps/{roadmap}/goals", format!("{roadmap}/goals"), ADMIN_CREATES),
        guarded("patch", "/api/v1/roadmaps/{roadmap}/goals/{item}", format!("{roadmap}/goals/T1"), ADMIN_ONLY),
        guarded(
            "post",
            "/api/v1/roadmaps/{roadmap}/goals/{item}/retire",
            format!("{roadmap}/goals/T9/retire"),
            ADMIN_ONLY,
        ),
        row("post", "/api/v1/roadmaps/{roadmap}/themes", format!("{roadmap}/themes"), ADMIN_CREATES),
        guarded("patch", "/api/v1/roadmaps/{roadmap}/themes/{item}", format!("{roadmap}/themes/stunting"), ADMIN_ONLY),
        guarded(
            "post",
            "/api/v1/roadmaps/{roadmap}/themes/{item}/retire",
            format!("{roadmap}/themes/tema-baru/retire"),
            ADMIN_ONLY,
        ),
        row("post", "/api/v1/roadmaps/{roadmap}/objectives", format!("{roadmap}/objectives"), ADMIN_CREATES),
        guarded(
            "patch",
            "/api/v1/roadmaps/{roadmap}/objectives/{item}",
            format!("{roadmap}/objectives/S1"),
            ADMIN_ONLY,
        ),
        guarded(
            "post",
            "/api/v1/roadmaps/{roadmap}/objectives/{item}/retire",
            format!("{roadmap}/objectives/S9/retire"),
            ADMIN_ONLY,
        ),
        row("post", "/api/v1/roadmaps/{roadmap}/activities", format!("{roadmap}/activities"), ADMIN_CREATES),
        guarded(
            "patch",
            "/api/v1/roadmaps/{roadmap}/activities/{item}",
            // Not K1.04, whose coordinators the plan rows below rely on.
            format!("{roadmap}/activities/K1.05"),
            ADMIN_ONLY,
        ),
        guarded(
            "post",
            "/api/v1/roadmaps/{roadmap}/activities/{item}/retire",
            format!("{roadmap}/activities/K9.01/retire"),
            ADMIN_ONLY,
        ),
        row("post", "/api/v1/roadmaps/{roadmap}/indicators", format!("{roadmap}/indicators"), ADMIN_CREATES),
        row("get", "/api/v1/organisations", "/api/v1/organisations".into(), READ),
        row("get", "/api/v1/organisations/{organisation}", "/api/v1/organisations/BAG-OTDA".into(), READ),
        row("get", "/api/v1/me", "/api/v1/me".into(), READ),
        row("post", "/api/v1/auth/token", "/api/v1/auth/token".into(), PUBLIC),
        row("post", "/api/v1/auth/refresh", "/api/v1/auth/refresh".into(), PUBLIC),
        row("post", "/api/v1/auth/logout", "/api/v1/auth/logout".into(), [204; 7]),
        row("get", "/api/v1/users", "/api/v1/users".into(), ADMIN_ONLY),
        row("post", "/api/v1/users", "/api/v1/users".into(), [201, 403, 403, 403, 403, 403, 401]),
        row("post", "/api/v1/users/{user}/deactivate", "/api/v1/users/target/deactivate".into(), ADMIN_ONLY),
        row("post", "/api/v1/users/{user}/reset-password", "/api/v1/users/target/reset-password".into(), ADMIN_ONLY),
        row("get", "/api/v1/roadmaps/{roadmap}/periods", format!("{roadmap}/periods"), READ),
        row(
            "post",
            "/api/v1/roadmaps/{roadmap}/periods",
            format!("{roadmap}/periods"),
            [201, 403, 403, 403, 403, 403, 401],
        ),
        row("get", "/api/v1/roadmaps/{roadmap}/periods/{period}", format!("{roadmap}/periods/2023-Q1"), READ),
        guarded(
            "patch",
            "/api/v1/roadmaps/{roadmap}/periods/{period}",
            format!("{roadmap}/periods/2023-Q1"),
            ADMIN_ONLY,
        ),
        row(
            "post",
            "/api/v1/roadmaps/{roadmap}/periods/{period}/exceptions",
            format!("{roadmap}/periods/2023-Q1/exceptions"),
            [201, 403, 403, 403, 403, 403, 401],
        ),
        row(
            "get",
            "/api/v1/roadmaps/{roadmap}/indicators/{item}/achievement",
            format!("{roadmap}/indicators/IND-05/achievement?year=2023"),
            READ,
        ),
        row(
            "get",
            "/api/v1/roadmaps/{roadmap}/indicators/{item}/targets",
            format!("{roadmap}/indicators/IND-05/targets"),
            READ,
        ),
        row(
            "get",
            "/api/v1/roadmaps/{roadmap}/indicators/{item}/targets/{year}/history",
            format!("{roadmap}/indicators/IND-05/targets/2024/history"),
            READ,
        ),
        // BAG-OTDA coordinates IND-05, so it passes the permission check and then finds the
        // version it sent already replaced by the admin's revision: 412, not 403.
        guarded(
            "put",
            "/api/v1/roadmaps/{roadmap}/indicators/{item}/targets/{year}",
            format!("{roadmap}/indicators/IND-05/targets/2024"),
            [200, 412, 403, 403, 403, 403, 401],
        ),
        guarded(
            "post",
            "/api/v1/roadmaps/{roadmap}/indicators/{item}/retire",
            format!("{roadmap}/indicators/IND-01/retire"),
            ADMIN_ONLY,
        ),
        // Callers other than the secretariat get 403 before the file is read.
        row("post", "/api/v1/roadmaps/{roadmap}/targets/bulk", format!("{roadmap}/targets/bulk"), ADMIN_CREATES),
        guarded(
            "patch",
            "/api/v1/roadmaps/{roadmap}/indicators/{item}",
            format!("{roadmap}/indicators/IND-05"),
            ADMIN_ONLY,
        ),
        row("get", "/api/v1/roadmaps/{roadmap}/realisations", format!("{roadmap}/realisations"), READ),
        row(
            "post",
            "/api/v1/roadmaps/{roadmap}/realisations",
            format!("{roadmap}/realisations"),
            [403, 403, 201, 403, 403, 403, 401],
        ),
        // Callers of an organisation that does not implement the file's indicator get a row
        // error (422). Callers reporting for no organisation get 403 before the file is read.
        row(
            "post",
            "/api/v1/roadmaps/{roadmap}/realisations/bulk",
            format!("{roadmap}/realisations/bulk"),
            [403, 422, 201, 422, 403, 403, 401],
        ),
        row("get", "/api/v1/realisations/{id}", format!("/api/v1/realisations/{submitted}"), visible),
        row("get", "/api/v1/realisations/{id}/versions", format!("/api/v1/realisations/{submitted}/versions"), visible),
        guarded("patch", "/api/v1/realisations/{id}", format!("/api/v1/realisations/{draft_to_edit}"), owner_only),
        // Once the implementer has submitted it, the realisation is no draft, and callers not
        // tied to an organisation see it.
        guarded(
            "post",
            "/api/v1/realisations/{id}/submit",
            format!("/api/v1/realisations/{draft_to_submit}/submit"),
            [404, 404, 200, 404, 403, 403, 401],
        ),
        guarded(
            "post",
            "/api/v1/realisations/{id}/verify",
            format!("/api/v1/realisations/{submitted}/verify"),
            [403, 200, 403, 404, 403, 403, 401],
        ),
        guarded(
            "post",
            "/api/v1/realisations/{id}/return",
            format!("/api/v1/realisations/{to_return}/return"),
            // The implementer (BAPPEDA) neither owns nor coordinates INSPEKTORAT's realisation.
            [403, 200, 404, 404, 403, 403, 401],
        ),
        row(
            "post",
            "/api/v1/realisations/{id}/evidence",
            format!("/api/v1/realisations/{draft_with_link}/evidence"),
            [403, 404, 201, 404, 403, 403, 401],
        ),
        // BAG-OTDA does not coordinate IND-37, so this realisation is hidden from it as from DINARPUS.
        row(
            "get",
            "/api/v1/realisations/{id}/evidence/{evidence}/content",
            format!("/api/v1/realisations/{with_file}/evidence/1/content"),
            [200, 404, 200, 404, 200, 200, 401],
        ),
        // The link that the POST row above added.
        row(
            "delete",
            "/api/v1/realisations/{id}/evidence/{evidence}",
            format!("/api/v1/realisations/{draft_with_link}/evidence/{realisation_link}"),
            [404, 404, 204, 404, 404, 404, 401],
        ),
        row("get", "/api/v1/audit-events", "/api/v1/audit-events".into(), [200, 403, 403, 403, 200, 403, 401]),
        row(
            "get",
            "/api/v1/reports/achievement",
            format!("/api/v1/reports/achievement?roadmap={SEMARANG}&year=2023&quarter=1"),
            READ,
        ),
        row(
            "get",
            "/api/v1/reports/compliance",
            format!("/api/v1/reports/compliance?roadmap={SEMARANG}&year=2023"),
            READ,
        ),
        row(
            "get",
            "/api/v1/roadmaps/{roadmap}/changes",
            format!("{roadmap}/changes"),
            [200, 403, 403, 403, 200, 200, 401],
        ),
        row("get", "/api/v1/roadmaps/{roadmap}/plans", format!("{roadmap}/plans"), READ),
        row(
            "post",
            "/api/v1/roadmaps/{roadmap}/plans",
            format!("{roadmap}/plans"),
            [201, 201, 201, 403, 403, 403, 401],
        ),
        row("get", "/api/v1/plans/{id}", format!("/api/v1/plans/{plan}"), plan_visible),
        // After the admin's change the version is 2, so the other coordinators pass the
        // permission check and stop at If-Match.
        guarded("patch", "/api/v1/plans/{id}", format!("/api/v1/plans/{plan}"), [200, 412, 412, 404, 403, 403, 401]),
        guarded(
            "post",
            "/api/v1/plans/{id}/cancel",
            format!("/api/v1/plans/{plan_to_cancel}/cancel"),
            [200, 409, 409, 404, 403, 403, 401],
        ),
        row(
            "post",
            "/api/v1/plans/{id}/milestones",
            format!("/api/v1/plans/{plan}/milestones"),
            [201, 201, 201, 404, 403, 403, 401],
        ),
        row("get", "/api/v1/milestones/{id}", format!("/api/v1/milestones/{milestone}"), plan_visible),
        guarded(
            "put",
            "/api/v1/milestones/{id}",
            format!("/api/v1/milestones/{milestone}"),
            [200, 412, 412, 404, 403, 403, 401],
        ),
        row(
            "get",
            "/api/v1/milestones/{id}/progress",
            format!("/api/v1/milestones/{milestone}/progress"),
            plan_visible,
        ),
        row(
            "post",
            "/api/v1/milestones/{id}/progress",
            format!("/api/v1/milestones/{milestone}/progress"),
            [403, 403, 201, 404, 403, 403, 401],
        ),
        row(
            "post",
            "/api/v1/milestones/{id}/evidence",
            format!("/api/v1/milestones/{milestone}/evidence"),
            [403, 403, 201, 404, 403, 403, 401],
        ),
        row(
            "get",
            "/api/v1/milestones/{id}/evidence/{evidence}/content",
            format!("/api/v1/milestones/{milestone}/evidence/{milestone_file}/content"),
            plan_visible,
        ),
        row(
            "delete",
            "/api/v1/milestones/{id}/evidence/{evidence}",
            format!("/api/v1/milestones/{milestone}/evidence/{milestone_link}"),
            [403, 403, 204, 404, 403, 403, 401],
        ),
    ]
}

/// Logs `username` in and returns its refresh token.
async fn refresh_token_of(app: &TestApp, username: &str) -> String {
    let response = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "username": username, "password": TEST_PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 200, "login of {username} failed");
    let body: Value = response.json().await.unwrap();
    body["refresh_token"].as_str().unwrap().to_string()
}

/// Returns the CSV file that a row sends in place of a JSON body, for routes that read CSV.
fn csv_body_for(template: &str) -> Option<&'static str> {
    match template {
        // BAPPEDA implements IND-40 and has no realisation of it yet.
        "/api/v1/roadmaps/{roadmap}/realisations/bulk" => Some("indikator,periode,nilai\nIND-40,2023-Q1,1.077\n"),
        "/api/v1/roadmaps/{roadmap}/targets/bulk" => {
            Some("indikator,tahun,target,alasan,rujukan\nIND-40,2024,950 orang,Angka P3KE 2024,Data P3KE\n")
        }
        _ => None,
    }
}

/// Builds the body that a POST row sends, anew for each call, because each call uses up a user or
/// a refresh token.
async fn body_for(app: &TestApp, template: &str, caller_index: usize) -> Value {
    match template {
        "/api/v1/auth/token" => json!({"grant_type": "password", "username": "login-user", "password": TEST_PASSWORD}),
        "/api/v1/auth/refresh" | "/api/v1/auth/logout" => {
            json!({"refresh_token": refresh_token_of(app, "login-user").await})
        }
        "/api/v1/users" => json!({
            "username": format!("baru-{caller_index}"),
            "display_name": "Pengguna Baru",
            "role": "opd",
            "organisation": "DINARPUS",
            "password": "gajah-ungu-menari-di-atap-7",
        }),
        "/api/v1/users/{user}/reset-password" => json!({"password": "gajah-ungu-menari-di-atap-7"}),
        "/api/v1/roadmaps/{roadmap}/periods" => {
            json!({"period": "2023-Q2", "opens_on": "2023-07-01", "deadline": "2023-07-31"})
        }
        "/api/v1/roadmaps/{roadmap}/periods/{period}" => json!({"late_policy": "accept_late"}),
        "/api/v1/roadmaps/{roadmap}/periods/{period}/exceptions" => {
            json!({"organisation": "BAPPEDA", "until": "2023-05-15", "reason": "Server daerah mati"})
        }
        "/api/v1/roadmaps/{roadmap}/realisations" => {
            json!({"indicator": "IND-02", "period": "2023-Q1", "value": "15,9"})
        }
        "/api/v1/realisations/{id}" => json!({"value": "80"}),
        "/api/v1/roadmaps/{roadmap}/indicators/{item}/targets/{year}" => {
            json!({"value": ">75/BB", "reason": "Penyesuaian target nasional", "reference": "Surat MenPAN-RB"})
        }
        "/api/v1/roadmaps/{roadmap}/indicators/{item}/retire" => json!({"reason": "Digabung dengan IND-05"}),
        "/api/v1/roadmaps/{roadmap}/indicators/{item}" => json!({"note": "Catatan sekretariat"}),
        "/api/v1/realisations/{id}/return" => json!({"note": "Lampirkan berita acara"}),
        "/api/v1/roadmaps" => json!({
            "code": "semarang-2025-2026",
            "title": "Road Map Reformasi Birokrasi Kota Semarang 2025-2026",
            "legal_basis": "Rancangan Peraturan Wali Kota",
            "start_year": 2025,
            "end_year": 2026,
            "baseline_year": 2024,
        }),
        "/api/v1/roadmaps/{roadmap}/goals" => json!({"code": "T9", "name": "Tujuan baru"}),
        "/api/v1/roadmaps/{roadmap}/themes" => json!({"code": "tema-baru", "name": "Tema baru"}),
        "/api/v1/roadmaps/{roadmap}/objectives" => {
            json!({"code": "S9", "kind": "general", "goal": "T1", "name": "Sasaran baru"})
        }
        "/api/v1/roadmaps/{roadmap}/activities" => {
            json!({"code": "K9.01", "objective": "S1", "name": "Kegiatan baru", "coordinator": "BAG-ORGANISASI"})
        }
        "/api/v1/roadmaps/{roadmap}/goals/{item}" | "/api/v1/roadmaps/{roadmap}/themes/{item}" => {
            json!({"name": "Nama yang diperbaiki"})
        }
        "/api/v1/roadmaps/{roadmap}/objectives/{item}" | "/api/v1/roadmaps/{roadmap}/activities/{item}" => {
            json!({"name": "Nama yang diperbaiki", "coordinator": "BAG-ORGANISASI"})
        }
        "/api/v1/roadmaps/{roadmap}/goals/{item}/retire"
        | "/api/v1/roadmaps/{roadmap}/themes/{item}/retire"
        | "/api/v1/roadmaps/{roadmap}/objectives/{item}/retire"
        | "/api/v1/roadmaps/{roadmap}/activities/{item}/retire" => json!({"reason": "Tidak dilanjutkan"}),
        "/api/v1/roadmaps/{roadmap}/indicators" => json!({
            "code": "IND-90",
            "name": "Persentase layanan daring",
            "unit": "persen",
            "value_kind": "percentage",
            "direction": "higher_is_better",
            "yearly_rule": "latest",
            "coordinator": "DISKOMINFO",
            "implementers": ["DISKOMINFO"],
            "placements": [{"activity": "K1.04"}],
            "baseline": "40%",
        }),
        "/api/v1/realisations/{id}/evidence" | "/api/v1/milestones/{id}/evidence" => {
            json!({"url": "https://semarangkota.go.id/bukti.pdf"})
        }
        "/api/v1/roadmaps/{roadmap}/plans" => plan_body(),
        "/api/v1/plans/{id}" => json!({"title": "Judul baru"}),
        "/api/v1/plans/{id}/cancel" => json!({"reason": "Digabung dengan rencana lain"}),
        "/api/v1/plans/{id}/milestones" | "/api/v1/milestones/{id}" => {
            json!({"title": "Rapat koordinasi", "expected_output": "Notulen", "due": "2023-Q3", "weight": 10})
        }
        "/api/v1/milestones/{id}/progress" => json!({"percent": 25, "note": "Undangan terkirim"}),
        _ => json!({}),
    }
}

#[tokio::test]
async fn every_route_for_every_caller() {
    let app = TestApp::spawn_with_semarang().await;
    // BAG-OTDA coordinates IND-05 (Nilai SAKIP); BAPPEDA implements it; DINARPUS has no part in it.
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let (_, coordinator) = app.create_user("koordinator", "opd", Some("BAG-OTDA")).await;
    let (_, implementer) = app.create_user("pelaksana", "opd", Some("BAPPEDA")).await;
    let (_, unrelated) = app.create_user("lainnya", "opd", Some("DINARPUS")).await;
    let (_, service) = app.create_client("e-sakip", &["read"]).await;
    app.create_user("login-user", "viewer", None).await;
    app.create_user("target", "viewer", None).await;
    setup_realisations(&app, &admin, &implementer).await;
    setup_plans(&app, &admin, &implementer).await;
    let tokens: [Option<&str>; 7] = [
        Some(&admin),
        Some(&coordinator),
        Some(&implementer),
        Some(&unrelated),
        Some(&app.token),
        Some(&service),
        None,
    ];

    let mut failures = Vec::new();
    let mut cells = 0;
    for row in table() {
        for (index, token) in tokens.iter().enumerate() {
            let url = format!("{}{}", app.address, row.path);
            let response = if row.method == "get" {
                let request = app.client.get(&url);
                match token {
                    Some(token) => request.bearer_auth(token),
                    None => request,
                }
                .send()
                .await
                .unwrap()
            } else if let Some(csv) = csv_body_for(row.template) {
                let request = app.client.post(&url).header("Content-Type", "text/csv").body(csv);
                match token {
                    Some(token) => request.bearer_auth(token),
                    None => request,
                }
                .send()
                .await
                .unwrap()
            } else {
                let body = body_for(&app, row.template, index).await;
                let method = row.method.to_uppercase().parse().unwrap();
                app.send(method, &row.path, *token, Some(&body), row.if_match).await
            };
            cells += 1;

            let status = response.status().as_u16();
            if status != row.expected[index] {
                let text = response.text().await.unwrap_or_default();
                failures.push(format!(
                    "{} {} as {}: expected {}, got {status}: {text}",
                    row.method, row.path, CALLERS[index], row.expected[index]
                ));
            }
        }
    }

    assert!(failures.is_empty(), "{} of {cells} cells failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(cells, table().len() * CALLERS.len());
}

/// Opens 2023-Q1 and makes the realisations the table's rows act on, in the order the table
/// numbers them. BAPPEDA and INSPEKTORAT implement IND-05, which BAG-OTDA coordinates.
async fn setup_realisations(app: &TestApp, admin: &str, bappeda: &str) {
    app.set_time("2023-04-10T10:00:00+07:00");
    app.open_period(admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    let (_, inspektorat) = app.create_user("inspektorat", "opd", Some("INSPEKTORAT")).await;

    app.report(bappeda, json!({"indicator": "IND-05", "period": "2023-Q1", "value": "76,5", "grade": "BB"})).await;
    app.report(&inspektorat, json!({"indicator": "IND-05", "period": "2023-Q1", "value": "76,5"})).await;
    app.report(bappeda, json!({"indicator": "IND-19", "period": "2023-Q1", "value": "70", "submit": false})).await;
    app.report(bappeda, json!({"indicator": "IND-03", "period": "2023-Q1", "value": "1.000.000", "submit": false}))
        .await;
    app.report(
        bappeda,
        json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": 2, "denominator": 5, "submit": false}),
    )
    .await;
    let with_file =
        app.report(bappeda, json!({"indicator": "IND-37", "period": "2023-Q1", "value": "8,1", "submit": false})).await;
    let id = with_file["id"].as_i64().unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%test\n".to_vec()).file_name("bukti.pdf"));
    let response = app
        .client
        .post(format!("{}/api/v1/realisations/{id}/evidence", app.address))
        .bearer_auth(bappeda)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    app.expect(
        200,
        reqwest::Method::POST,
        &format!("/api/v1/realisations/{id}/submit"),
        Some(bappeda),
        None,
        Some("\"1\""),
    )
    .await;
}

/// Builds a plan of K1.04 for which BAPPEDA is responsible.
fn plan_body() -> Value {
    json!({
        "activity": "K1.04", "title": "Evaluasi SAKIP perangkat daerah", "output": "Laporan evaluasi",
        "output_unit": "laporan", "output_quantity": 1, "starts_on": "2023-04-01", "ends_on": "2023-12-31",
        "budget": 150000000, "responsible": "BAPPEDA",
    })
}

/// Makes the plans and the milestone the table's rows act on, and the milestone's file.
async fn setup_plans(app: &TestApp, admin: &str, bappeda: &str) {
    let plans = format!("/api/v1/roadmaps/{SEMARANG}/plans");
    for _ in 0..2 {
        app.expect(201, reqwest::Method::POST, &plans, Some(admin), Some(&plan_body()), None).await;
    }
    let milestone = body_for(app, "/api/v1/plans/{id}/milestones", 0).await;
    app.expect(201, reqwest::Method::POST, "/api/v1/plans/1/milestones", Some(admin), Some(&milestone), None).await;
    let response =
        app.upload_to(bappeda, "/api/v1/milestones/1/evidence", "notulen.pdf", b"%PDF-1.4\n%test\n".to_vec()).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

#[test]
fn table_covers_every_route() {
    let document = petajalan::api_doc::document();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in &document.paths.paths {
        for (method, operation) in [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ] {
            if operation.is_some() {
                documented.push((method.to_string(), path.clone()));
            }
        }
    }
    documented.sort();

    let mut tabled: Vec<(String, String)> =
        table().iter().map(|row| (row.method.to_string(), row.template.to_string())).collect();
    tabled.sort();

    assert_eq!(tabled, documented, "the authorization table and the OpenAPI document list different routes");
}
