//! CORS: no origin is allowed unless listed in `PETAJALAN_CORS_ORIGINS`.

mod common;

use common::{TestDatabase, start_server, start_server_with};

async fn preflight(address: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{address}/api/v1/roadmaps"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization, accept-language")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn no_origin_is_allowed_by_default() {
    let database = TestDatabase::create().await;
    let (address, _) = start_server(&database.url()).await;

    let response = preflight(&address, "https://dasbor.semarangkota.go.id").await;

    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn listed_origin_gets_preflight_answer() {
    let database = TestDatabase::create().await;
    let (address, _) =
        start_server_with(&database.url(), &[("PETAJALAN_CORS_ORIGINS", "https://dasbor.semarangkota.go.id")]).await;

    let allowed = preflight(&address, "https://dasbor.semarangkota.go.id").await;
    let other = preflight(&address, "https://evil.example").await;

    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://dasbor.semarangkota.go.id");
    let methods = allowed.headers()["access-control-allow-methods"].to_str().unwrap().to_string();
    assert!(methods.contains("GET"), "{methods}");
    assert!(methods.contains("POST"), "{methods}");
    let headers = allowed.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(headers.contains("authorization"), "{headers}");
    assert!(headers.contains("accept-language"), "{headers}");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn browser_reads_version_headers() {
    let database = TestDatabase::create().await;
    let (address, _) =
        start_server_with(&database.url(), &[("PETAJALAN_CORS_ORIGINS", "https://dasbor.semarangkota.go.id")]).await;

    let response = reqwest::Client::new()
        .get(format!("{address}/health/live"))
        .header("Origin", "https://dasbor.semarangkota.go.id")
        .send()
        .await
        .unwrap();

    let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
    for header in ["etag", "location", "idempotent-replayed", "x-request-id", "retry-after"] {
        assert!(exposed.contains(header), "{header} is not exposed: {exposed}");
    }
}
