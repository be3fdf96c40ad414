//! Evidence (bukti dukung) over HTTP: uploads judged by content, limits, names, downloads and
//! links.

mod common;

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Largest evidence file of these tests, in bytes.
const LIMIT: usize = 4096;

/// A service with TW I 2023 open and a draft of DIN-PPPA for IND-38; returns the app, the
/// implementer's token and the draft's id.
async fn draft() -> (TestApp, String, i64) {
    let app = TestApp::spawn_with(&[("PETAJALAN_EVIDENCE_MAX_BYTES", "4096")]).await;
    app.import(&std::fs::read_to_string(common::repo_path(common::SEMARANG_FILE)).unwrap()).await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let (_, pppa) = app.create_user("pppa", "opd", Some("DIN-PPPA")).await;
    app.set_time("2023-04-10T09:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    let body =
        json!({"indicator": "IND-38", "period": "2023-Q1", "numerator": 12, "denominator": 1000, "submit": false});
    let id = app.report(&pppa, body).await["id"].as_i64().unwrap();
    (app, pppa, id)
}

fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.resize(size, b' ');
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

fn jpeg() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01];
    bytes.extend((0..1500u32).map(|index| (index % 251) as u8));
    bytes.extend([0xFF, 0xD9]);
    bytes
}

async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(content_type, "application/problem+json");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn files_are_stored_and_downloaded_unchanged() {
    let (app, pppa, id) = draft().await;

    for (name, content, media_type, stored_name) in [
        ("Laporan TW I.pdf", pdf(2000), "application/pdf", "Laporan_TW_I.pdf"),
        ("foto posyandu.jpeg", jpeg(), "image/jpeg", "foto_posyandu.jpg"),
    ] {
        let response = app.upload(&pppa, id, name, content.clone()).await;
        assert_eq!(response.status(), 201);
        let view: Value = response.json().await.unwrap();
        assert_eq!(view["media_type"], media_type);
        assert_eq!(view["file_name"], stored_name);
        assert_eq!(view["size_bytes"], content.len());
        let digest: String = Sha256::digest(&content).iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(view["sha256"], digest);

        // The realisation is a draft, so only its organisation may download.
        let download = app.send(Method::GET, view["download"].as_str().unwrap(), Some(&pppa), None, None).await;
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()["content-type"], media_type);
        let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(disposition.contains(stored_name), "{disposition}");
        assert_eq!(download.headers()["x-content-type-options"], "nosniff");
        assert_eq!(download.headers()["cache-control"], "private, no-store");
        assert_eq!(download.headers()["etag"].to_str().unwrap(), format!("\"{digest}\""));
        assert_eq!(download.bytes().await.unwrap().to_vec(), content);
    }
}

#[tokio::test]
async fn bad_files_are_refused_with_their_reason() {
    let (app, pppa, id) = draft().await;
    let mut executable = b"\x7fELF\x02\x01\x01\0".to_vec();
    executable.resize(512, 0);

    let cases: [(&str, Vec<u8>, u16, &str); 7] = [
        ("scan.png", pdf(100), 422, "application/pdf"),
        ("besar.pdf", pdf(LIMIT + 10), 413, "4096"),
        ("laporan.pdf", executable, 422, "application/x-executable"),
        ("../../etc/laporan.pdf", pdf(100), 422, ".."),
        ("kosong.pdf", Vec::new(), 422, "empty"),
        ("gambar.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>".to_vec(), 422, "unknown"),
        ("halaman.pdf", b"<!DOCTYPE html><html><body>hi</body></html>".to_vec(), 422, "text/html"),
    ];
    for (name, content, status, reason) in cases {
        let response = app
            .client
            .post(format!("{}/api/v1/realisations/{id}/evidence", app.address))
            .bearer_auth(&pppa)
            .header("Accept-Language", "en")
            .multipart(
                reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(content).file_name(name)),
            )
            .send()
            .await
            .unwrap();
        let (got, body) = problem(response).await;
        assert_eq!(got, status, "{name}: {body}");
        assert!(body.to_string().contains(reason), "{name}: {body}");
    }

    let view = app.get_json_as(&pppa, &format!("/api/v1/realisations/{id}")).await;
    assert_eq!(view["evidence"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn announced_oversize_body_is_refused_before_reading() {
    let (app, pppa, id) = draft().await;
    let response = app
        .client
        .post(format!("{}/api/v1/realisations/{id}/evidence", app.address))
        .bearer_auth(&pppa)
        .header("Content-Type", "multipart/form-data; boundary=x")
        .header("Content-Length", "10000000")
        .body(vec![b'x'; 64])
        .send()
        .await;
    // The service may respond and close before the client has sent the announced bytes.
    if let Ok(response) = response {
        assert_eq!(response.status(), 413);
    }
}

#[tokio::test]
async fn links_are_evidence_too() {
    let (app, pppa, id) = draft().await;
    let path = format!("/api/v1/realisations/{id}/evidence");

    let link = json!({"url": "https://semarangkota.go.id/laporan/tw1.pdf", "description": "Laporan di situs kota"});
    let view = app.expect(201, Method::POST, &path, Some(&pppa), Some(&link), None).await;
    assert_eq!(view["kind"], "link");
    assert_eq!(view["download"], Value::Null);

    let (status, body) =
        problem(app.send(Method::POST, &path, Some(&pppa), Some(&json!({"url": "javascript:alert(1)"})), None).await)
            .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "url");

    let evidence = view["id"].as_i64().unwrap();
    app.expect(204, Method::DELETE, &format!("{path}/{evidence}"), Some(&pppa), None, None).await;
    let realisation = app.get_json_as(&pppa, &format!("/api/v1/realisations/{id}")).await;
    assert_eq!(realisation["evidence"], json!([]));
}

#[tokio::test]
async fn evidence_is_fixed_once_submitted() {
    let (app, pppa, id) = draft().await;
    let response = app.upload(&pppa, id, "laporan.pdf", pdf(100)).await;
    assert_eq!(response.status(), 201);
    app.expect(200, Method::POST, &format!("/api/v1/realisations/{id}/submit"), Some(&pppa), None, Some("\"1\"")).await;

    let (status, body) = problem(app.upload(&pppa, id, "lagi.pdf", pdf(100)).await).await;
    assert_eq!(status, 409);
    assert_eq!(body["type"], "urn:petajalan:problem:wrong-state");

    let (_, ppkb) = app.create_user("ppkb", "opd", Some("DIN-PPKB")).await;
    let (status, _) = problem(app.upload(&ppkb, id, "bukan-milik.pdf", pdf(100)).await).await;
    assert_eq!(status, 404, "another unit does not see this realisation");
}

#[tokio::test]
async fn same_file_twice_is_stored_once() {
    let (app, pppa, id) = draft().await;
    let first = app.upload(&pppa, id, "laporan.pdf", pdf(300)).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();

    let again = app.upload(&pppa, id, "laporan-lagi.pdf", pdf(300)).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["added_by"]["name"], "pppa");

    let stored = std::fs::read_dir(common::repo_path("target/test-evidence").join(&app.database.name).join("evidence"))
        .unwrap()
        .count();
    assert_eq!(stored, 1, "the second copy was removed from the store");
}

#[tokio::test]
async fn realisation_holds_at_most_twenty_items() {
    let (app, pppa, id) = draft().await;
    let path = format!("/api/v1/realisations/{id}/evidence");
    for index in 0..20 {
        let link = json!({"url": format!("https://semarangkota.go.id/bukti/{index}.pdf")});
        app.expect(201, Method::POST, &path, Some(&pppa), Some(&link), None).await;
    }
    let link = json!({"url": "https://semarangkota.go.id/bukti/21.pdf"});
    let problem = app.expect(422, Method::POST, &path, Some(&pppa), Some(&link), None).await;
    assert_eq!(problem["errors"][0]["field"], "url");
}

#[tokio::test]
async fn storage_is_not_served_directly() {
    let (app, _, _) = draft().await;
    for path in ["/storage/evidence", "/evidence", "/var/evidence", "/api/v1/evidence"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn unknown_or_repeated_parts_are_refused() {
    let (app, pppa, id) = draft().await;
    let file = || reqwest::multipart::Part::bytes(pdf(100)).file_name("laporan.pdf");
    let forms = [
        ("file", reqwest::multipart::Form::new().part("file", file()).part("file", file())),
        ("extra", reqwest::multipart::Form::new().part("file", file()).text("extra", "x")),
    ];

    for (field, form) in forms {
        let response = app
            .client
            .post(format!("{}/api/v1/realisations/{id}/evidence", app.address))
            .bearer_auth(&pppa)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, body) = problem(response).await;

        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }
    let stored = app.get_json_as(&pppa, &format!("/api/v1/realisations/{id}")).await;
    assert_eq!(stored["evidence"], json!([]), "{stored}");
}
