//! Clients that misbehave at the connection level: a trickled body, a trickled head, idle
//! keep-alive connections, ambiguous framing, too many headers and a chunked body over the limit.
//! Each speaks raw HTTP/1.1 over a socket, since an HTTP client library would not misbehave.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The body deadline these tests set; the service's default is 60 seconds.
const BODY_TIMEOUT_SECONDS: u64 = 2;

async fn spawn() -> TestApp {
    TestApp::spawn_with(&[("PETAJALAN_BODY_TIMEOUT_SECONDS", "2")]).await
}

async fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    TcpStream::connect(address).await.unwrap()
}

/// Reads until the server closes the connection or `limit` passes; returns what arrived and
/// whether the server closed it.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut received = Vec::new();
    let mut buffer = [0_u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&received).into_owned(), true),
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
            Err(_) => return (String::from_utf8_lossy(&received).into_owned(), false),
        }
    }
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or_default()
}

#[tokio::test]
async fn trickled_body_gets_408_and_the_connection_closes() {
    let app = spawn().await;
    let mut stream = connect(&app).await;
    let head = "POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                Content-Length: 1000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();

    // One byte every 200 ms would take 200 seconds for the whole body.
    let trickle = tokio::spawn(async move {
        for _ in 0..50 {
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        stream
    });

    // Meanwhile other clients are served.
    let live = app.get_anonymous("/health/live").await;
    assert_eq!(live.status(), 200);

    let mut stream = trickle.await.unwrap();
    let (response, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    let elapsed = started.elapsed();
    assert_eq!(status_line(&response), "HTTP/1.1 408 Request Timeout", "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
    assert!(response.contains("urn:petajalan:problem:request-timeout"), "{response}");
    assert!(response.to_lowercase().contains("x-request-id:"), "{response}");
    assert!(closed, "the connection stayed open after the 408");
    assert!(elapsed >= Duration::from_secs(BODY_TIMEOUT_SECONDS), "408 came before the deadline: {elapsed:?}");
}

#[tokio::test]
async fn body_sent_in_time_is_read_normally() {
    let app = spawn().await;
    let mut stream = connect(&app).await;
    let body = r#"{"grant_type":"password","username":"nobody","password":"wrong-password-1"}"#;
    let head = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();

    // Slow but inside the deadline: the body arrives in pieces over about a second.
    for piece in body.as_bytes().chunks(20) {
        stream.write_all(piece).await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let (response, _) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert_eq!(status_line(&response), "HTTP/1.1 401 Unauthorized", "{response}");
}

#[tokio::test]
async fn trickled_head_is_cut_off() {
    let app = spawn().await;
    let mut stream = connect(&app).await;
    stream.write_all(b"POST /api/v1/auth/token HTTP/1.1\r\n").await.unwrap();
    let started = Instant::now();

    // One header byte every 500 ms; actix-web gives the whole head 5 seconds.
    let mut cut_off = false;
    for byte in b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter() {
        if stream.write_all(&[*byte]).await.is_err() {
            cut_off = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        if started.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    let (response, closed) = read_until_closed(&mut stream, Duration::from_secs(3)).await;

    assert!(cut_off || closed, "the server kept a trickling head open for {:?}", started.elapsed());
    assert!(
        response.is_empty() || status_line(&response).starts_with("HTTP/1.1 408"),
        "unexpected answer to a slow head: {response}"
    );
    assert!(started.elapsed() < Duration::from_secs(12), "cut off only after {:?}", started.elapsed());
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed() {
    let app = spawn().await;
    let mut stream = connect(&app).await;
    stream.write_all(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let mut buffer = [0_u8; 4096];
    let read = stream.read(&mut buffer).await.unwrap();
    assert!(String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 200"));
    let idle_since = Instant::now();

    let (rest, closed) = read_until_closed(&mut stream, Duration::from_secs(10)).await;

    assert!(closed, "an idle keep-alive connection stayed open for 10 s");
    assert!(rest.is_empty() || rest.starts_with("HTTP/1.1 408"), "{rest}");
    assert!(idle_since.elapsed() >= Duration::from_secs(4), "closed too early: {:?}", idle_since.elapsed());
}

#[tokio::test]
async fn content_length_with_chunked_encoding_is_rejected() {
    let app = spawn().await;
    let mut stream = connect(&app).await;
    let request = "POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                   Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();

    let (response, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    assert_eq!(status_line(&response), "HTTP/1.1 400 Bad Request", "{response}");
    assert_eq!(response.matches("HTTP/1.1").count(), 1, "a smuggled second request was answered: {response}");
    assert!(closed);
}

#[tokio::test]
async fn too_many_headers_are_rejected() {
    let app = spawn().await;
    let mut stream = connect(&app).await;
    let mut request = String::from("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for index in 0..120 {
        request.push_str(&format!("X-Extra-{index}: {index}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();

    let (response, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    let status = status_line(&response);
    assert!(status.starts_with("HTTP/1.1 431") || status.starts_with("HTTP/1.1 400"), "{response}");
    assert!(closed);
    assert_eq!(app.get_anonymous("/health/live").await.status(), 200);
}

#[tokio::test]
async fn chunked_json_over_the_limit_gets_413() {
    let app = TestApp::spawn_with(&[("PETAJALAN_JSON_LIMIT_BYTES", "4096")]).await;
    let mut stream = connect(&app).await;
    let head = "POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();

    // 64 chunks of 1 KiB: the service must respond once the limit is passed, not wait for all.
    let mut answered_early = false;
    for _ in 0..64 {
        let chunk = format!("400\r\n{}\r\n", "a".repeat(1024));
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            answered_early = true;
            break;
        }
    }
    if !answered_early {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }

    let (response, _) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert_eq!(status_line(&response), "HTTP/1.1 413 Payload Too Large", "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
}

#[tokio::test]
async fn idle_connection_flood_is_survived() {
    let app = spawn().await;
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(connect(&app).await);
    }

    let response = app.get_anonymous("/health/live").await;
    let ready = app.get_anonymous("/health/ready").await;

    assert_eq!(response.status(), 200);
    assert_eq!(ready.status(), 200);
    assert_eq!(idle.len(), 1000);
}
