//! The committed OpenAPI document is the one the code generates, and the service serves it.

mod common;

use common::{TestApp, repo_path};

#[test]
fn committed_document_is_current() {
    let committed = std::fs::read_to_string(repo_path("openapi/openapi.json")).unwrap_or_default();

    let generated = petajalan::api_doc::document_json().unwrap();

    assert!(
        committed == generated,
        "openapi/openapi.json is out of date; regenerate it with: cargo run -- openapi --output openapi/openapi.json"
    );
}

#[tokio::test]
async fn service_serves_document_and_docs_page() {
    let app = TestApp::spawn().await;

    let served = app.get_json("/api/v1/openapi.json").await;
    let page = app.get("/docs/").await;

    let generated: serde_json::Value = serde_json::from_str(&petajalan::api_doc::document_json().unwrap()).unwrap();
    assert_eq!(served, generated);
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://"), "the docs page loads something from the internet: {html}");
}

#[test]
fn document_lists_every_route() {
    let document = petajalan::api_doc::document();

    let paths: Vec<&String> = document.paths.paths.keys().collect();

    for expected in [
        "/health/live",
        "/health/ready",
        "/api/v1/roadmaps",
        "/api/v1/roadmaps/{roadmap}",
        "/api/v1/roadmaps/{roadmap}/tree",
        "/api/v1/roadmaps/{roadmap}/themes",
        "/api/v1/roadmaps/{roadmap}/objectives",
        "/api/v1/roadmaps/{roadmap}/objectives/{item}",
        "/api/v1/roadmaps/{roadmap}/activities",
        "/api/v1/roadmaps/{roadmap}/activities/{item}",
        "/api/v1/roadmaps/{roadmap}/indicators",
        "/api/v1/roadmaps/{roadmap}/indicators/{item}",
        "/api/v1/organisations",
        "/api/v1/organisations/{organisation}",
    ] {
        assert!(paths.iter().any(|path| *path == expected), "{expected} is missing from {paths:?}");
    }
}
