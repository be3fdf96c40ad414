//! Hostile input on every JSON request body and every path parameter of the committed OpenAPI
//! document. Malformed bodies get a clear 4xx problem, and random bodies never get a 5xx. Text
//! that the service accepts reads back exactly as it was sent.

mod common;

use common::{SEMARANG, TestApp};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};

/// One operation of the OpenAPI document that takes a JSON body.
struct Operation {
    method: Method,
    path: String,
    /// Properties of the body's schema, required ones first.
    properties: Vec<String>,
}

fn document() -> Value {
    let text = std::fs::read_to_string(common::repo_path("openapi/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Fills path parameters with values that exist in the Semarang road map, so that a request
/// passes routing and reaches the body.
fn concrete(path: &str) -> String {
    path.replace("{roadmap}", SEMARANG)
        .replace("{item}", "K1.01")
        .replace("{year}", "2024")
        .replace("{period}", "2023-Q1")
        .replace("{user}", "1")
        .replace("{id}", "1")
}

fn schema_properties(document: &Value, schema: &Value) -> Vec<String> {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &document["components"]["schemas"][name]
        }
        None => schema,
    };
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(|name| name.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let mut properties = required.clone();
    if let Some(all) = schema["properties"].as_object() {
        properties.extend(all.keys().filter(|name| !required.contains(name)).cloned());
    }
    properties
}

fn json_operations() -> Vec<Operation> {
    let document = document();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else {
                continue;
            };
            operations.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                path: concrete(path),
                properties: schema_properties(&document, schema),
            });
        }
    }
    assert!(operations.len() >= 30, "only {} JSON operations found", operations.len());
    operations
}

/// Sends raw bytes as a JSON body with the admin's token and an `If-Match` that matches nothing,
/// so that a body that passed every check would still change nothing.
async fn send_raw(app: &TestApp, token: &str, operation: &Operation, body: Vec<u8>) -> (u16, String, Value) {
    let response = app
        .client
        .request(operation.method.clone(), format!("{}{}", app.address, operation.path))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .header("If-Match", "\"999999\"")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").map(|value| value.to_str().unwrap().to_string()).unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

fn nested(depth: usize) -> Vec<u8> {
    let mut body = "[".repeat(depth);
    body.push_str(&"]".repeat(depth));
    body.into_bytes()
}

/// Bodies that no operation may accept, each with a name for the failure message.
fn malformed_bodies(operation: &Operation) -> Vec<(&'static str, Vec<u8>)> {
    let first = operation.properties.first().cloned().unwrap_or_else(|| "name".into());
    vec![
        ("NaN", format!(r#"{{"{first}": NaN}}"#).into_bytes()),
        ("Infinity", format!(r#"{{"{first}": Infinity}}"#).into_bytes()),
        ("-Infinity", format!(r#"{{"{first}": -Infinity}}"#).into_bytes()),
        ("number past f64", format!(r#"{{"{first}": 1e999}}"#).into_bytes()),
        ("nested 10 000 deep", nested(10_000)),
        ("invalid UTF-8", [format!(r#"{{"{first}": ""#).as_bytes(), &[0xff, 0xfe, 0xfd], b"\"}"].concat()),
        ("duplicate key", format!(r#"{{"{first}": "a", "{first}": "b"}}"#).into_bytes()),
        ("unknown field", br#"{"field_nobody_knows": 1}"#.to_vec()),
        ("array instead of object", b"[1, 2, 3]".to_vec()),
        ("truncated", format!(r#"{{"{first}": "#).into_bytes()),
        ("empty body", Vec::new()),
    ]
}

#[tokio::test]
async fn malformed_bodies_get_4xx() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let mut failures = Vec::new();

    for operation in json_operations() {
        for (name, body) in malformed_bodies(&operation) {
            let (status, content_type, problem) = send_raw(&app, &admin, &operation, body).await;
            let clear = matches!(status, 400 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 428)
                && content_type.starts_with("application/problem+json")
                && problem["status"] == status
                && problem["detail"].as_str().is_some_and(|detail| !detail.is_empty());
            if !clear {
                failures.push(format!(
                    "{} {} with {name}: {status} {content_type} {problem}",
                    operation.method, operation.path
                ));
            }
        }
    }

    assert!(failures.is_empty(), "{} unclear answers:\n{}", failures.len(), failures.join("\n"));
}

/// Any JSON value: numbers at the edges, long and odd strings, nested arrays and objects.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |number| number.is_finite()).prop_map(Value::from),
        Just(json!(-0.0)),
        any::<String>().prop_map(Value::String),
        prop_oneof![
            Just("'; DROP TABLE realisations; --"),
            Just("%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
            Just("1,5e3"),
            Just("-0"),
            Just("2023-Q5"),
            Just("\u{202e}kiri"),
        ]
        .prop_map(|text| Value::String(text.to_string())),
        (1_usize..12_000).prop_map(|length| Value::String("x".repeat(length))),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Builds a body from the operation's own property names with random values, so that most
/// requests pass the shape check and reach the service's rules.
fn body_for(properties: Vec<String>) -> impl Strategy<Value = Value> {
    let count = properties.len();
    (prop::collection::vec(any_json(), count), prop::collection::vec(any::<bool>(), count)).prop_map(
        move |(values, present)| {
            let object = properties
                .iter()
                .zip(values)
                .zip(present)
                .filter(|(_, keep)| *keep)
                .map(|((name, value), _)| (name.clone(), value))
                .collect();
            Value::Object(object)
        },
    )
}

#[tokio::test]
async fn random_bodies_never_get_a_server_error() {
    const CASES_PER_OPERATION: usize = 24;
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let config = Config { rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha, ..Config::default() };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha));
    let mut failures = Vec::new();
    let mut sent = 0;

    for operation in json_operations() {
        let strategy = prop_oneof![3 => body_for(operation.properties.clone()), 1 => any_json()];
        for _ in 0..CASES_PER_OPERATION {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            let (status, content_type, problem) =
                send_raw(&app, &admin, &operation, serde_json::to_vec(&body).unwrap()).await;
            sent += 1;
            if status >= 500 || (status >= 400 && !content_type.starts_with("application/problem+json")) {
                failures.push(format!("{} {} with {body}: {status} {problem}", operation.method, operation.path));
            }
        }
    }

    assert!(sent >= 30 * CASES_PER_OPERATION);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));

    // Whatever was stored can be read back.
    for path in [
        format!("/api/v1/roadmaps/{SEMARANG}/tree"),
        format!("/api/v1/roadmaps/{SEMARANG}/indicators"),
        format!("/api/v1/roadmaps/{SEMARANG}/periods"),
        format!("/api/v1/roadmaps/{SEMARANG}/plans"),
        format!("/api/v1/roadmaps/{SEMARANG}/realisations"),
        "/api/v1/roadmaps".to_string(),
        "/api/v1/users".to_string(),
        "/api/v1/audit-events".to_string(),
    ] {
        let response = app.send(Method::GET, &path, Some(&admin), None, None).await;
        assert_eq!(response.status(), 200, "{path} after the random bodies");
    }
}

#[tokio::test]
async fn hostile_path_segments_get_4xx() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let document = document();
    let segments = [
        "%2e%2e%2f",
        "..%2f..%2fetc%2fpasswd",
        "%2e%2e",
        "'%20OR%201=1--",
        "%00",
        "%ff%fe",
        "-1",
        "99999999999999999999",
    ];
    let mut failures = Vec::new();

    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.contains('{') || item.get("get").is_none() {
            continue;
        }
        for segment in segments {
            let hostile: String = path
                .split('/')
                .map(|part| if part.starts_with('{') { segment } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let response = app.send(Method::GET, &hostile, Some(&admin), None, None).await;
            let status = response.status().as_u16();
            let content_type =
                response.headers().get("content-type").and_then(|value| value.to_str().ok()).unwrap_or("").to_string();
            if !(400..500).contains(&status) || !content_type.starts_with("application/problem+json") {
                failures.push(format!("GET {hostile}: {status} {content_type}"));
            }
        }
    }

    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));

    let path = format!("/api/v1/roadmaps/{SEMARANG}/realisations?organisation=%00");
    let problem = app.expect(400, Method::GET, &path, Some(&admin), None, None).await;
    assert_eq!(problem["errors"][0]["field"], "organisation", "{problem}");
}

/// Patches a realisation with `If-Match`; returns the status, the new ETag and the body.
async fn patch(app: &TestApp, token: &str, id: &Value, etag: &str, body: &Value) -> (u16, String, Value) {
    let path = format!("/api/v1/realisations/{id}");
    let response = app.send(Method::PATCH, &path, Some(token), Some(body), Some(etag)).await;
    let status = response.status().as_u16();
    let new_etag = response.headers().get("etag").map(|value| value.to_str().unwrap().to_string());
    let body = response.json().await.unwrap();
    (status, new_etag.unwrap_or_else(|| etag.to_string()), body)
}

/// Text that the service accepts comes back exactly as sent; text and figures it cannot keep
/// get 422 naming the field.
#[tokio::test]
async fn text_reads_back_or_gets_422() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("sekretariat", "admin", None).await;
    let (_, reporter) = app.create_user("dpmptsp", "opd", Some("DPMPTSP")).await;
    app.set_time("2023-04-10T09:00:00+07:00");
    app.open_period(&admin, "2023-Q1", "2023-04-01", "2023-04-30", "refuse").await;
    let draft = app
        .report(&reporter, json!({"indicator": "IND-03", "period": "2023-Q1", "value": 1000, "submit": false}))
        .await;
    let id = draft["id"].clone();
    let mut etag = format!("\"{}\"", draft["version"]);

    let accepted = [
        "'; DROP TABLE realisations; --",
        "Robert'); SELECT pg_sleep(10);--",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "\u{202e}kiri ke kanan",
        "Capaian 😀 naik",
        "tab\tdan baris\nbaru",
    ];
    for note in accepted {
        let (status, next, body) = patch(&app, &reporter, &id, &etag, &json!({"note": note})).await;
        assert_eq!(status, 200, "{note:?}: {body}");
        etag = next;
        let read = app.get_json_as(&reporter, &format!("/api/v1/realisations/{id}")).await;
        assert_eq!(read["note"], json!(note), "{note:?}");
    }

    let long = "x".repeat(10_000);
    for note in ["a\u{0}b", long.as_str()] {
        let (status, _, problem) = patch(&app, &reporter, &id, &etag, &json!({"note": note})).await;
        assert_eq!(status, 422, "{}: {problem}", note.chars().take(20).collect::<String>());
        assert_eq!(problem["errors"][0]["field"], "note", "{problem}");
    }

    for value in [json!(-0.0), json!("-0"), json!("-0,0")] {
        let (status, next, body) = patch(&app, &reporter, &id, &etag, &json!({"value": value})).await;
        assert_eq!(status, 200, "{value}: {body}");
        assert_eq!(body["value"]["number"], json!("0"), "{value}: {body}");
        etag = next;
    }

    for value in
        [json!(1e300), json!("1e300"), json!("9".repeat(31)), json!("9".repeat(400)), json!("NaN"), json!("Infinity")]
    {
        let (status, _, problem) = patch(&app, &reporter, &id, &etag, &json!({"value": value})).await;
        assert_eq!(status, 422, "{value}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "value", "{problem}");
    }

    let read = app.get_json_as(&reporter, &format!("/api/v1/realisations/{id}")).await;
    assert_eq!(read["value"]["number"], json!("0"), "a refused change was stored: {read}");
}
