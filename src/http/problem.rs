//! Middleware that makes every error response a problem+json body in the request's language.
//!
//! It covers the service's own `ApiError`s, the framework's rejections (which actix-web sends
//! as plain text by default) and handler panics, which would otherwise drop the connection.

use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::FutureExt;

use crate::domain::lang::Lang;
use crate::error::{ApiError, PROBLEM_CONTENT_TYPE, Problem, problem_response, problem_type};
use crate::http::request_id::RequestId;

/// Renders error responses as problem+json and turns panics into a 500 problem.
pub async fn render_problems(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request itself must not be cloned here: routing needs sole ownership of it.
    let lang = request_lang(request.request());
    let instance = request.path().to_string();
    let request_id = request.extensions().get::<RequestId>().map(|id| id.0.clone());

    let outcome = AssertUnwindSafe(next.call(request)).catch_unwind().await;
    let response = match outcome {
        Ok(Ok(response)) => response.map_into_boxed_body(),
        Ok(Err(error)) => {
            let status = error.as_response_error().status_code();
            let problem = match error.as_error::<ApiError>() {
                Some(api_error) => api_error.to_problem(lang, &instance, request_id.as_deref()),
                None => generic_problem(status, lang, &instance, request_id),
            };
            return Err(RenderedProblem { status, problem, lang }.into());
        }
        Err(panic) => {
            let message = panic_message(&panic);
            tracing::error!(panic = message, "handler panicked");
            let error = ApiError::Internal(anyhow::anyhow!("handler panicked: {message}"));
            let problem = error.to_problem(lang, &instance, request_id.as_deref());
            return Err(RenderedProblem { status: error.status_code(), problem, lang }.into());
        }
    };

    if !response.status().is_client_error() && !response.status().is_server_error() {
        return Ok(response);
    }
    Ok(rewrite_as_problem(response, lang, &instance, request_id))
}

/// A problem already written in the request's language, for the paths where no response
/// object exists to rewrite (a panic, or an error raised by inner middleware).
#[derive(Debug)]
struct RenderedProblem {
    status: StatusCode,
    problem: Problem,
    lang: Lang,
}

impl std::fmt::Display for RenderedProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.status, self.problem.detail)
    }
}

impl ResponseError for RenderedProblem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        problem_response(self.status, &self.problem, self.lang)
    }
}

/// Returns the language of a request's messages, from its `Accept-Language` header.
pub fn request_lang(request: &HttpRequest) -> Lang {
    Lang::from_accept_language(request.headers().get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()))
}

fn rewrite_as_problem(
    response: ServiceResponse<BoxBody>,
    lang: Lang,
    instance: &str,
    request_id: Option<String>,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let problem = match response.response().error().and_then(|error| error.as_error::<ApiError>()) {
        Some(api_error) => api_error.to_problem(lang, instance, request_id.as_deref()),
        None if is_problem(&response) => return response,
        None => generic_problem(status, lang, instance, request_id),
    };

    let mut rewritten = problem_response(status, &problem, lang);
    for (name, value) in response.headers() {
        if name != CONTENT_TYPE && !rewritten.headers().contains_key(name) {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response.into_response(rewritten)
}

fn is_problem(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with(PROBLEM_CONTENT_TYPE))
}

/// Builds a problem for an error response that did not come from `ApiError`, from its status.
fn generic_problem(status: StatusCode, lang: Lang, instance: &str, request_id: Option<String>) -> Problem {
    let known = match status {
        StatusCode::NOT_FOUND => Some(ApiError::RouteNotFound),
        StatusCode::METHOD_NOT_ALLOWED => Some(ApiError::MethodNotAllowed { allowed: Vec::new() }),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Some(ApiError::UnsupportedMediaType { accepted: "application/json" }),
        _ => None,
    };
    if let Some(error) = known {
        return error.to_problem(lang, instance, request_id.as_deref());
    }

    let reason = status.canonical_reason().unwrap_or("Error");
    Problem {
        problem_type: problem_type(&format!("http-{}", status.as_u16())),
        title: reason.to_string(),
        status: status.as_u16(),
        detail: match lang {
            Lang::Id => format!("Permintaan gagal dengan status {} ({reason}).", status.as_u16()),
            Lang::En => format!("The request failed with status {} ({reason}).", status.as_u16()),
        },
        instance: instance.to_string(),
        request_id,
        errors: Vec::new(),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        return (*text).to_string();
    }
    if let Some(text) = panic.downcast_ref::<String>() {
        return text.clone();
    }
    "unknown panic payload".to_string()
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use serde_json::Value;

    use super::*;
    use crate::http::extractors::{ApiJson, JsonLimit};

    async fn panicking() -> HttpResponse {
        panic!("boom in handler");
    }

    #[derive(serde::Deserialize)]
    struct Body {
        #[allow(dead_code)]
        name: String,
    }

    async fn echo(_body: ApiJson<Body>) -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[actix_web::test]
    async fn panic_becomes_500_problem() {
        let app =
            test::init_service(App::new().route("/panic", web::get().to(panicking)).wrap(from_fn(render_problems)))
                .await;

        let request = test::TestRequest::get().uri("/panic").insert_header(("Accept-Language", "en")).to_request();
        let response = test::try_call_service(&app, request).await;

        let error = response.expect_err("the panic is reported as an error response");
        let response = error.error_response();
        assert_eq!(response.status(), 500);
        let body: Value =
            serde_json::from_slice(&actix_web::body::to_bytes(response.into_body()).await.unwrap()).unwrap();
        assert_eq!(body["title"], "Internal error");
        assert!(!body.to_string().contains("boom"), "panic text leaked: {body}");
    }

    #[actix_web::test]
    async fn wrong_content_type_is_415_problem() {
        let app = test::init_service(
            App::new().app_data(JsonLimit(1024)).route("/echo", web::post().to(echo)).wrap(from_fn(render_problems)),
        )
        .await;

        let request = test::TestRequest::post()
            .uri("/echo")
            .insert_header(("Content-Type", "text/plain"))
            .set_payload("{}")
            .to_request();
        let response = test::call_service(&app, request).await;

        assert_eq!(response.status(), 415);
        assert_eq!(response.headers().get("content-type").unwrap(), "application/problem+json");
        let body: Value = test::read_body_json(response).await;
        assert_eq!(body["title"], "Jenis konten tidak didukung");
    }

    #[actix_web::test]
    async fn malformed_and_mistyped_bodies_name_the_problem() {
        let app = test::init_service(
            App::new().app_data(JsonLimit(64)).route("/echo", web::post().to(echo)).wrap(from_fn(render_problems)),
        )
        .await;
        let post = |payload: &'static str| {
            test::TestRequest::post()
                .uri("/echo")
                .insert_header(("Content-Type", "application/json"))
                .set_payload(payload)
                .to_request()
        };

        let broken = test::call_service(&app, post("{\"name\": ")).await;
        let mistyped = test::call_service(&app, post("{\"name\": 5}")).await;
        let too_large = test::call_service(
            &app,
            post("{\"name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"),
        )
        .await;

        assert_eq!(broken.status(), 400);
        assert_eq!(mistyped.status(), 422);
        let body: Value = test::read_body_json(mistyped).await;
        assert_eq!(body["errors"][0]["field"], "name");
        assert_eq!(too_large.status(), 413);
    }
}
