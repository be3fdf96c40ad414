//! Builds the HTTP server: middleware, extractor limits, routes, docs.

use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::api_doc::ApiDoc;
use crate::auth::AuthState;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::pool::Pool;
use crate::domain::lang::Lang;
use crate::http::body_deadline::{BodyTimeout, limit_body_time};
use crate::http::control_characters::reject_control_characters;
use crate::http::extractors::{JsonLimit, path_config};
use crate::http::problem::render_problems;
use crate::routes::{self, AppState, docs, fallback};
use crate::storage::EvidenceStore;
use crate::telemetry::trace_requests;

/// A bound, not yet running server, and the port it listens on (useful with port 0).
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Binds the listener from the settings and builds the server on the given pool; handlers
    /// take the time from `clock`.
    pub fn build(settings: &Settings, pool: Pool, auth: AuthState, clock: Clock) -> anyhow::Result<Application> {
        let evidence = EvidenceStore::open(&settings.evidence_store)?;
        let listener = TcpListener::bind(settings.bind).with_context(|| match settings.lang {
            Lang::Id => format!(
                "tidak dapat mendengarkan di {} (PETAJALAN_BIND); mungkin port itu dipakai program lain",
                settings.bind
            ),
            Lang::En => {
                format!("cannot listen on {} (PETAJALAN_BIND); another program may be using that port", settings.bind)
            }
        })?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            pool,
            auth,
            clock,
            evidence,
            evidence_max_bytes: settings.evidence_max_bytes,
            bulk_max_bytes: settings.bulk_max_bytes,
            report_thresholds: settings.report_thresholds,
        };
        let json_limit = settings.json_limit_bytes;
        let body_timeout = BodyTimeout(settings.body_timeout);
        let origins = settings.cors_origins.clone();

        let mut server = HttpServer::new(move || {
            let (app, document) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(web::Data::new(state.clone()))
                .app_data(JsonLimit(json_limit))
                .app_data(body_timeout)
                .app_data(path_config())
                .configure(routes::configure)
                .split_for_parts();
            app.service(docs::swagger_ui(document))
                .route("/docs", web::get().to(docs::redirect_to_docs))
                .default_service(web::to(fallback::fallback))
                .wrap(from_fn(limit_body_time))
                .wrap(from_fn(reject_control_characters))
                .wrap(from_fn(render_problems))
                .wrap(cors(&origins))
                .wrap(from_fn(trace_requests))
        })
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }

        Ok(Application { server: server.run(), port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM. Either one stops the listener at once, so new
    /// connections are refused, and gives requests in flight the shutdown timeout to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let signals = tokio::spawn(stop_on_signal(self.server.handle()));
        let result = self.server.await;
        signals.abort();
        result
    }
}

/// Stops the server gracefully on SIGTERM or SIGINT. actix-web's own handling stops at once on
/// SIGINT (Ctrl-C), without letting requests in flight finish, so the server leaves signals to
/// this task.
async fn stop_on_signal(server: ServerHandle) {
    use tokio::signal::unix::{SignalKind, signal};

    let (mut terminate, mut interrupt) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(terminate), Ok(interrupt)) => (terminate, interrupt),
        (Err(error), _) | (_, Err(error)) => {
            tracing::error!(%error, "cannot listen for SIGTERM and SIGINT; the server stops only when killed");
            return;
        }
    };
    let name = tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    };
    tracing::info!(signal = name, "stopping: new connections are refused and requests in flight may finish");
    server.stop(true).await;
}

/// CORS for browser clients on the listed origins; with no origins, cross-origin requests get
/// no CORS headers and browsers block them.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::ACCEPT,
            actix_web::http::header::ACCEPT_LANGUAGE,
            actix_web::http::header::IF_MATCH,
            actix_web::http::header::HeaderName::from_static("idempotency-key"),
            actix_web::http::header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            actix_web::http::header::ETAG,
            actix_web::http::header::LOCATION,
            actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::WWW_AUTHENTICATE,
        ])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
