//! Logins, access-token checks, refresh rotation, deactivation, throttling and user administration.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{SEMARANG, TEST_JWT_SECRET, TEST_PASSWORD, TestApp};
use petajalan::auth::tokens::{Claims, unix_now};
use serde_json::{Value, json};

async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/token",
        None,
        &json!({"grant_type": "password", "username": username, "password": password}),
    )
    .await
}

async fn get_as(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.address)).bearer_auth(token).send().await.unwrap()
}

/// Builds the header of the service's access tokens, for tokens crafted to fail one other check.
fn access_header() -> jsonwebtoken::Header {
    jsonwebtoken::Header { typ: Some("at+jwt".into()), ..jsonwebtoken::Header::default() }
}

fn claims(app: &TestApp) -> Claims {
    let now = unix_now();
    Claims {
        sub: "user:1".into(),
        iss: app.auth.tokens.issuer().into(),
        aud: app.auth.tokens.audience().into(),
        exp: now + 600,
        iat: now,
        nbf: None,
        jti: "test".into(),
    }
}

/// Asserts a 401 problem with a `WWW-Authenticate: Bearer` challenge.
async fn assert_rejected(response: reqwest::Response, case: &str) {
    assert_eq!(response.status(), 401, "{case}");
    let challenge = response.headers().get("www-authenticate").map(|value| value.to_str().unwrap().to_string());
    assert!(
        challenge.as_deref().is_some_and(|value| value.starts_with("Bearer realm=\"petajalan\"")),
        "{case}: {challenge:?}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 401, "{case}");
}

#[tokio::test]
async fn login_then_me_shows_organisation() {
    let app = TestApp::spawn_with_semarang().await;
    app.create_user("otda", "opd", Some("BAG-OTDA")).await;

    let response = login(&app, "OTDA", TEST_PASSWORD).await;

    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["refresh_token"].as_str().is_some_and(|token| token.len() >= 43));
    let me: Value = get_as(&app, "/api/v1/me", tokens["access_token"].as_str().unwrap()).await.json().await.unwrap();
    assert_eq!(me["kind"], "user");
    assert_eq!(me["name"], "otda");
    assert_eq!(me["role"], "opd");
    assert_eq!(me["organisation"]["code"], "BAG-OTDA");
    let coordinated: Vec<&str> =
        me["coordinates"].as_array().unwrap().iter().map(|item| item["code"].as_str().unwrap()).collect();
    assert_eq!(coordinated, ["IND-05"]);
    assert_eq!(me["implements"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn client_credentials_give_a_service_token() {
    let app = TestApp::spawn_with_semarang().await;
    app.create_client("e-sakip", &["read", "submit"]).await;
    app.create_client("hanya-kirim", &["submit"]).await;

    let response = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "client_credentials", "client_id": "e-sakip", "client_secret": TEST_PASSWORD}),
        )
        .await;
    let submit_only = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "client_credentials", "client_id": "hanya-kirim", "client_secret": TEST_PASSWORD}),
        )
        .await;

    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert!(tokens.get("refresh_token").is_none());
    let token = tokens["access_token"].as_str().unwrap();
    let me: Value = get_as(&app, "/api/v1/me", token).await.json().await.unwrap();
    assert_eq!(me["kind"], "service");
    assert_eq!(me["scopes"], json!(["read", "submit"]));
    assert_eq!(get_as(&app, &format!("/api/v1/roadmaps/{SEMARANG}"), token).await.status(), 200);
    let submit_token: Value = submit_only.json().await.unwrap();
    let denied =
        get_as(&app, &format!("/api/v1/roadmaps/{SEMARANG}"), submit_token["access_token"].as_str().unwrap()).await;
    assert_eq!(denied.status(), 403);
}

#[tokio::test]
async fn forged_and_stale_tokens_are_rejected() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/roadmaps";
    let valid = app.token.clone();
    let now = unix_now();

    let expired = app.auth.tokens.sign(&Claims { exp: now - 120, iat: now - 1000, ..claims(&app) }).unwrap();
    let not_yet_valid = app.auth.tokens.sign(&Claims { nbf: Some(now + 600), ..claims(&app) }).unwrap();
    let issued_in_future = app.auth.tokens.sign(&Claims { iat: now + 600, ..claims(&app) }).unwrap();
    let wrong_audience = app.auth.tokens.sign(&Claims { aud: "another-api".into(), ..claims(&app) }).unwrap();
    let wrong_issuer = app.auth.tokens.sign(&Claims { iss: "someone-else".into(), ..claims(&app) }).unwrap();
    let unknown_subject = app.auth.tokens.sign(&Claims { sub: "user:999999".into(), ..claims(&app) }).unwrap();
    let bad_subject = app.auth.tokens.sign(&Claims { sub: "root".into(), ..claims(&app) }).unwrap();

    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(&app)).unwrap());
    let alg_none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
    let rs256_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    let hs256_signature = {
        use jsonwebtoken::{EncodingKey, encode};
        let token =
            encode(&access_header(), &claims(&app), &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()).unwrap())
                .unwrap();
        token.rsplit('.').next().unwrap().to_string()
    };
    let algorithm_confusion = format!("{rs256_header}.{payload}.{hs256_signature}");
    let other_key = {
        use jsonwebtoken::{EncodingKey, encode};
        encode(
            &access_header(),
            &claims(&app),
            &EncodingKey::from_secret(b"a-different-key-of-thirty-two-bytes!").unwrap(),
        )
        .unwrap()
    };
    let missing_audience = {
        use jsonwebtoken::{EncodingKey, encode};
        let mut without = serde_json::to_value(claims(&app)).unwrap();
        without.as_object_mut().unwrap().remove("aud");
        encode(&access_header(), &without, &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()).unwrap()).unwrap()
    };
    let without_claim = |name: &str| {
        use jsonwebtoken::{EncodingKey, encode};
        let mut partial = serde_json::to_value(claims(&app)).unwrap();
        partial.as_object_mut().unwrap().remove(name);
        encode(&access_header(), &partial, &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()).unwrap()).unwrap()
    };
    let plain_typ = {
        use jsonwebtoken::{EncodingKey, Header, encode};
        encode(&Header::default(), &claims(&app), &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()).unwrap())
            .unwrap()
    };
    let string_expiry = {
        use jsonwebtoken::{EncodingKey, encode};
        let mut odd = serde_json::to_value(claims(&app)).unwrap();
        odd["exp"] = json!("never");
        encode(&access_header(), &odd, &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()).unwrap()).unwrap()
    };
    app.create_user("budi", "viewer", None).await;
    let logged_in: Value = login(&app, "budi", TEST_PASSWORD).await.json().await.unwrap();
    let refresh_token = logged_in["refresh_token"].as_str().unwrap().to_string();
    let access_as_refresh =
        app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": logged_in["access_token"]})).await;
    assert_rejected(access_as_refresh, "access token as refresh token").await;
    let tampered = {
        let parts: Vec<&str> = valid.split('.').collect();
        let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        // A longer lifetime with the old signature must not pass.
        payload["exp"] = json!(payload["exp"].as_i64().unwrap() + 3600);
        format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap()), parts[2])
    };

    let cases = [
        ("expired", expired),
        ("not yet valid", not_yet_valid),
        ("issued in the future", issued_in_future),
        ("wrong audience", wrong_audience),
        ("wrong issuer", wrong_issuer),
        ("unknown subject", unknown_subject),
        ("malformed subject", bad_subject),
        ("alg none", alg_none),
        ("RS256 header with an HMAC signature", algorithm_confusion),
        ("signed with another key", other_key),
        ("missing audience", missing_audience),
        ("tampered payload", tampered),
        ("not a JWT", "abc".to_string()),
        ("expiry as a string", string_expiry),
        ("refresh token as access token", refresh_token.clone()),
        ("typ JWT instead of at+jwt", plain_typ),
        ("missing expiry", without_claim("exp")),
        ("missing issuer", without_claim("iss")),
        ("missing subject", without_claim("sub")),
    ];
    for (case, token) in cases {
        assert_rejected(get_as(&app, path, &token).await, case).await;
    }

    let in_query = app.client.get(format!("{}{path}?access_token={valid}", app.address)).send().await.unwrap();
    assert_rejected(in_query, "token in the query string").await;
    let basic = app
        .client
        .get(format!("{}{path}", app.address))
        .header("Authorization", format!("Basic {valid}"))
        .send()
        .await
        .unwrap();
    assert_rejected(basic, "Basic scheme").await;
    assert_eq!(get_as(&app, path, &valid).await.status(), 200);

    let mut connection = app.database.connect().await;
    let rejections: i64 = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use petajalan::db::schema::audit_events;
        audit_events::table
            .filter(audit_events::action.eq("token.rejected"))
            .count()
            .get_result(&mut connection)
            .await
            .unwrap()
    };
    assert!(rejections >= 13, "only {rejections} rejections audited");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_family() {
    let app = TestApp::spawn().await;
    app.create_user("budi", "viewer", None).await;
    let first: Value = login(&app, "budi", TEST_PASSWORD).await.json().await.unwrap();
    let first_refresh = first["refresh_token"].as_str().unwrap();

    let rotated = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": first_refresh})).await;
    let rotated: Value = rotated.json().await.unwrap();
    let second_refresh = rotated["refresh_token"].as_str().unwrap();
    let reuse = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": first_refresh})).await;
    let after_reuse = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": second_refresh})).await;

    assert_ne!(first_refresh, second_refresh);
    assert_eq!(get_as(&app, "/api/v1/me", rotated["access_token"].as_str().unwrap()).await.status(), 200);
    assert_rejected(reuse, "reused refresh token").await;
    assert_rejected(after_reuse, "refresh token of a revoked family").await;
}

#[tokio::test]
async fn logout_revokes_refresh_token() {
    let app = TestApp::spawn().await;
    app.create_user("budi", "viewer", None).await;
    let tokens: Value = login(&app, "budi", TEST_PASSWORD).await.json().await.unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let logout = app.post_json("/api/v1/auth/logout", None, &json!({"refresh_token": refresh})).await;
    let refresh_after = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh})).await;

    assert_eq!(logout.status(), 204);
    assert_rejected(refresh_after, "refresh after logout").await;
}

#[tokio::test]
async fn deactivated_user_loses_access_at_once() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    app.create_user("budi", "viewer", None).await;
    let tokens: Value = login(&app, "budi", TEST_PASSWORD).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap();

    let deactivated = app.post_json("/api/v1/users/budi/deactivate", Some(&admin), &json!({})).await;
    let read = get_as(&app, "/api/v1/me", access).await;
    let refresh = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": tokens["refresh_token"]})).await;
    let relogin = login(&app, "budi", TEST_PASSWORD).await;

    assert_eq!(deactivated.status(), 200);
    let body: Value = deactivated.json().await.unwrap();
    assert_eq!(body["active"], false);
    assert_rejected(read, "access token of a deactivated user").await;
    assert_rejected(refresh, "refresh token of a deactivated user").await;
    assert_eq!(relogin.status(), 401);
}

#[tokio::test]
async fn failed_logins_are_throttled() {
    let app = TestApp::spawn().await;
    app.create_user("budi", "viewer", None).await;

    for attempt in 1..=5 {
        assert_eq!(login(&app, "budi", "salah-salah-salah").await.status(), 401, "attempt {attempt}");
    }
    let throttled = login(&app, "budi", TEST_PASSWORD).await;

    assert_eq!(throttled.status(), 429);
    let retry_after: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "Retry-After {retry_after}");

    // Moving the failures out of the window replaces waiting 15 minutes.
    let mut connection = app.database.connect().await;
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query("UPDATE login_attempts SET attempted_at = attempted_at - interval '16 minutes'")
            .execute(&mut connection)
            .await
            .unwrap();
    }
    assert_eq!(login(&app, "budi", TEST_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_look_alike() {
    let app = TestApp::spawn().await;
    app.create_user("budi", "viewer", None).await;

    let wrong_password = login(&app, "budi", "salah-salah-salah").await;
    let unknown_user = login(&app, "tidak-ada", "salah-salah-salah").await;

    assert_eq!(wrong_password.status(), unknown_user.status());
    let mut first: Value = wrong_password.json().await.unwrap();
    let mut second: Value = unknown_user.json().await.unwrap();
    for body in [&mut first, &mut second] {
        body.as_object_mut().unwrap().remove("request_id");
    }
    assert_eq!(first, second);
}

#[tokio::test]
async fn admin_creates_users_with_checks() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let new_user = |username: &str, password: &str| json!({"username": username, "display_name": "Siti", "role": "opd", "organisation": "BAPPEDA", "password": password});

    let created = app.post_json("/api/v1/users", Some(&admin), &new_user("siti", "gajah-ungu-menari-di-atap-7")).await;
    let duplicate =
        app.post_json("/api/v1/users", Some(&admin), &new_user("siti", "gajah-ungu-menari-di-atap-7")).await;
    let weak = app.post_json("/api/v1/users", Some(&admin), &new_user("andi", "password1234")).await;
    let no_organisation = app
        .post_json("/api/v1/users", Some(&admin), &json!({"username": "rina", "display_name": "Rina", "role": "opd", "password": "gajah-ungu-menari-di-atap-7"}))
        .await;
    let extra_field = app
        .post_json("/api/v1/users", Some(&admin), &json!({"username": "joko", "display_name": "Joko", "role": "viewer", "password": "gajah-ungu-menari-di-atap-7", "active": true}))
        .await;
    let listed: Value = get_as(&app, "/api/v1/users", &admin).await.json().await.unwrap();

    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["active", "created_at", "display_name", "id", "organisation", "role", "username"]);
    assert_eq!(body["organisation"]["code"], "BAPPEDA");
    assert_eq!(duplicate.status(), 409);
    assert_eq!(weak.status(), 422);
    let weak_body: Value = weak.json().await.unwrap();
    assert_eq!(weak_body["errors"][0]["field"], "password");
    assert_eq!(no_organisation.status(), 422);
    assert_eq!(extra_field.status(), 422);
    let extra_field: Value = extra_field.json().await.unwrap();
    assert_eq!(extra_field["errors"][0]["field"], "active");
    assert!(!listed.to_string().contains("argon2"), "a hash leaked: {listed}");
    assert_eq!(listed["total"], 3);
    assert_eq!(login(&app, "siti", "gajah-ungu-menari-di-atap-7").await.status(), 200);
}

#[tokio::test]
async fn reset_password_revokes_sessions() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let (budi, _) = app.create_user("budi", "viewer", None).await;
    let tokens: Value = login(&app, "budi", TEST_PASSWORD).await.json().await.unwrap();
    // Token times have whole-second precision, so the account and an access token are dated back
    // rather than waiting: the token was issued 10 s ago, to an account a minute old.
    let mut connection = app.database.connect().await;
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query("UPDATE users SET tokens_valid_after = now() - interval '1 minute' WHERE username = 'budi'")
            .execute(&mut connection)
            .await
            .unwrap();
    }
    let old_access = app
        .auth
        .tokens
        .sign(&Claims { sub: format!("user:{budi}"), iat: unix_now() - 10, nbf: None, ..claims(&app) })
        .unwrap();
    assert_eq!(get_as(&app, "/api/v1/me", &old_access).await.status(), 200);

    let reset = app
        .post_json(
            "/api/v1/users/budi/reset-password",
            Some(&admin),
            &json!({"password": "gajah-ungu-menari-di-atap-7"}),
        )
        .await;
    let refresh = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": tokens["refresh_token"]})).await;

    assert_eq!(reset.status(), 200);
    assert_rejected(refresh, "refresh token after a password reset").await;
    assert_rejected(get_as(&app, "/api/v1/me", &old_access).await, "access token issued before a password reset").await;
    assert_eq!(login(&app, "budi", TEST_PASSWORD).await.status(), 401);
    assert_eq!(login(&app, "budi", "gajah-ungu-menari-di-atap-7").await.status(), 200);
}

#[tokio::test]
async fn admin_cannot_deactivate_self() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;

    let response = app.post_json("/api/v1/users/admin/deactivate", Some(&admin), &json!({})).await;

    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn logins_are_audited() {
    let app = TestApp::spawn().await;
    app.create_user("budi", "viewer", None).await;

    login(&app, "budi", TEST_PASSWORD).await;
    login(&app, "budi", "salah-salah-salah").await;

    let mut connection = app.database.connect().await;
    let actions: Vec<(String, Option<String>, Option<String>)> = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use petajalan::db::schema::audit_events;
        audit_events::table
            .order(audit_events::id)
            .select((audit_events::action, audit_events::subject, audit_events::client_ip))
            .load(&mut connection)
            .await
            .unwrap()
    };
    assert_eq!(actions[0].0, "login.success");
    assert_eq!(actions[1].0, "login.failure");
    assert_eq!(actions[1].1.as_deref(), Some("budi"));
    assert_eq!(actions[1].2.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn failures_from_one_address_are_throttled() {
    let app = TestApp::spawn_with(&[("PETAJALAN_LOGIN_MAX_FAILURES_PER_IP", "3")]).await;
    app.create_user("budi", "viewer", None).await;

    for username in ["ani", "citra", "dewi"] {
        assert_eq!(login(&app, username, "salah-salah-salah").await.status(), 401, "{username}");
    }
    let throttled = login(&app, "budi", TEST_PASSWORD).await;

    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn outdated_hash_is_replaced_on_login() {
    let app = TestApp::spawn().await;
    app.create_user("budi", "viewer", None).await;
    let weak_hash = {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        let params = argon2::Params::new(4096, 1, 1, None).unwrap();
        let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        hasher.hash_password(TEST_PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng)).unwrap().to_string()
    };
    let mut connection = app.database.connect().await;
    let stored_hash = async |connection: &mut diesel_async::AsyncPgConnection| -> String {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use petajalan::db::schema::users;
        users::table.filter(users::username.eq("budi")).select(users::password_hash).first(connection).await.unwrap()
    };
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query(format!("UPDATE users SET password_hash = '{weak_hash}' WHERE username = 'budi'"))
            .execute(&mut connection)
            .await
            .unwrap();
    }

    let failed = login(&app, "budi", "salah-salah-salah").await;
    let after_failure = stored_hash(&mut connection).await;
    let succeeded = login(&app, "budi", TEST_PASSWORD).await;
    let after_success = stored_hash(&mut connection).await;

    assert_eq!(failed.status(), 401);
    assert_eq!(after_failure, weak_hash);
    assert_eq!(succeeded.status(), 200);
    assert!(after_success.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{after_success}");
    assert_eq!(login(&app, "budi", TEST_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn role_is_checked_before_body() {
    let app = TestApp::spawn().await;

    for body in [json!({}), json!("not an object")] {
        let response = app.post_json("/api/v1/users", Some(&app.token), &body).await;
        assert_eq!(response.status(), 403, "body {body}");
    }
    let malformed = app
        .client
        .post(format!("{}/api/v1/users", app.address))
        .bearer_auth(&app.token)
        .header("Content-Type", "text/plain")
        .body("{bad")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 403);
}

#[tokio::test]
async fn password_reset_lifts_username_lock() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    app.create_user("budi", "viewer", None).await;
    for _ in 0..5 {
        login(&app, "budi", "salah-salah-salah").await;
    }
    assert_eq!(login(&app, "budi", TEST_PASSWORD).await.status(), 429);

    let reset = app
        .post_json(
            "/api/v1/users/budi/reset-password",
            Some(&admin),
            &json!({"password": "gajah-ungu-menari-di-atap-7"}),
        )
        .await;

    assert_eq!(reset.status(), 200);
    assert_eq!(login(&app, "budi", "gajah-ungu-menari-di-atap-7").await.status(), 200);
}

#[tokio::test]
async fn opd_user_needs_a_single_organisation() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let body = |username: &str| json!({"username": username, "display_name": "Budi", "role": "opd", "organisation": "SELURUH-PD", "password": "gajah-ungu-menari-di-atap-7"});

    let group = app.post_json("/api/v1/users", Some(&admin), &body("budi")).await;
    let username_taken = app.post_json("/api/v1/users", Some(&admin), &json!({"username": "admin", "display_name": "A", "role": "viewer", "password": "gajah-ungu-menari-di-atap-7"})).await;

    assert_eq!(group.status(), 422);
    let group: Value = group.json().await.unwrap();
    assert_eq!(group["errors"][0]["field"], "organisation");
    assert_eq!(username_taken.status(), 409);
    let username_taken: Value = username_taken.json().await.unwrap();
    assert_eq!(username_taken["errors"][0]["field"], "username");
}

#[tokio::test]
async fn body_errors_name_the_field() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.create_user("admin", "admin", None).await;
    let post_raw = |body: String| {
        app.client
            .post(format!("{}/api/v1/users", app.address))
            .bearer_auth(&admin)
            .header("Content-Type", "application/json")
            .header("Accept-Language", "en")
            .body(body)
            .send()
    };
    let cases = [
        (
            r#"{"display_name": "A", "role": "viewer", "password": "gajah-ungu-menari-di-atap-7"}"#,
            422,
            "username",
            "is required",
        ),
        (
            r#"{"username": "andi", "display_name": "A", "role": "viewer", "password": "gajah-ungu-menari-di-atap-7", "active": true}"#,
            422,
            "active",
            "is not a known field",
        ),
        (
            r#"{"username": "andi", "display_name": "A", "role": "superuser", "password": "gajah-ungu-menari-di-atap-7"}"#,
            422,
            "role",
            "invalid value",
        ),
        (r#"{"username": 5}"#, 422, "username", "invalid value"),
        (r#"{"username": "andi", "#, 400, "body", "broken JSON at line 1"),
    ];

    for (body, status, field, message) in cases {
        let response = post_raw(body.to_string()).await.unwrap();
        assert_eq!(response.status(), status, "{body}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert!(problem["errors"][0]["message"].as_str().unwrap().starts_with(message), "{body}: {problem}");
    }

    let too_large = post_raw(format!(r#"{{"username": "{}"}}"#, "a".repeat(300_000))).await.unwrap();
    assert_eq!(too_large.status(), 413);
}

#[tokio::test]
async fn issued_tokens_carry_the_configured_claims() {
    let app = TestApp::spawn().await;
    app.create_user("budi", "viewer", None).await;
    let (budi_id, _) = app.create_user("budi2", "viewer", None).await;
    let mut connection = app.database.connect().await;
    {
        use diesel_async::RunQueryDsl;
        diesel::sql_query("UPDATE users SET tokens_valid_after = now() - interval '1 hour' WHERE username = 'budi2'")
            .execute(&mut connection)
            .await
            .unwrap();
    }
    let now = unix_now();
    // The access-token lifetime is 900 s; clocks may differ by up to 30 s.
    let within_leeway = app
        .auth
        .tokens
        .sign(&Claims { sub: format!("user:{budi_id}"), exp: now - 20, iat: now - 920, nbf: None, ..claims(&app) })
        .unwrap();

    let tokens: Value = login(&app, "budi", TEST_PASSWORD).await.json().await.unwrap();

    let parts: Vec<&str> = tokens["access_token"].as_str().unwrap().split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(), 900);
    assert_eq!(payload["iss"], "petajalan");
    assert_eq!(payload["aud"], "petajalan-api");
    assert!(payload["sub"].as_str().unwrap().starts_with("user:"));
    assert!(payload["jti"].as_str().is_some_and(|jti| !jti.is_empty()));
    assert_eq!(get_as(&app, "/api/v1/me", &within_leeway).await.status(), 200);
}

/// Follows a `$ref` of the served OpenAPI document to the schema it names.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => document.pointer(reference.trim_start_matches('#')).unwrap(),
        None => schema,
    }
}

#[tokio::test]
async fn me_lists_indicators_as_the_document_describes_them() {
    let app = TestApp::spawn_with_semarang().await;
    let (_, token) = app.create_user("pelaksana", "opd", Some("BAPPEDA")).await;

    let me: Value = get_as(&app, "/api/v1/me", &token).await.json().await.unwrap();
    let document = app.get_json("/api/v1/openapi.json").await;

    let me_schema = resolve(&document, &document["components"]["schemas"]["MeView"]);
    for list in ["coordinates", "implements"] {
        let listed = me[list].as_array().unwrap();
        assert!(!listed.is_empty(), "BAPPEDA has indicators in {list}: {me}");
        let item_schema = resolve(&document, &me_schema["properties"][list]["items"]);
        let declared = item_schema["properties"].as_object().unwrap();
        for item in listed {
            let item = item.as_object().unwrap();
            for field in item.keys() {
                assert!(
                    declared.contains_key(field),
                    "{list} item field {field} is not in the document: {item_schema}"
                );
            }
            for required in item_schema["required"].as_array().unwrap() {
                assert!(item.contains_key(required.as_str().unwrap()), "{list} item lacks {required}: {item:?}");
            }
        }
    }
}
