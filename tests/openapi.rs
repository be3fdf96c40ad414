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

fn collect_refs(value: &serde_json::Value, refs: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", serde_json::Value::String(target)) => refs.push(target.clone()),
                    _ => collect_refs(child, refs),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let document: serde_json::Value = serde_json::from_str(&petajalan::api_doc::document_json().unwrap()).unwrap();
    let mut refs = Vec::new();

    collect_refs(&document, &mut refs);

    assert!(!refs.is_empty());
    for target in refs {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected $ref {target}"));
        assert!(document["components"]["schemas"].get(name).is_some(), "$ref {target} names no schema");
    }
}

#[test]
fn integer_formats_are_standard() {
    let json = petajalan::api_doc::document_json().unwrap();

    for format in ["\"u-int", "\"uint"] {
        assert!(!json.contains(format), "non-standard integer format {format} in the document");
    }
}

#[tokio::test]
async fn docs_path_redirects_to_page() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let response = client.get(format!("{}/docs", app.address)).send().await.unwrap();

    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/docs/");
}

#[test]
fn document_declares_bearer_security() {
    let document: serde_json::Value = serde_json::from_str(&petajalan::api_doc::document_json().unwrap()).unwrap();

    let scheme = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let secured = operation.get("security").is_some_and(|security| security.to_string().contains("bearer"));
            let public = path.starts_with("/health/") || path.starts_with("/api/v1/auth/");
            assert_eq!(secured, !public, "{method} {path}: security {:?}", operation.get("security"));
        }
    }
}
