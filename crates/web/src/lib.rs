//! The HTTP side of wcl: HTML pages and the JSON API over one [`AppState`].
//!
//! Layers, each calling only those below it (ARCHITECTURE.md at the repository's root):
//! `pages`, `api` → `services` → `ctx`, `download` → `state`, `limits`, `secrets`, `sealed`,
//! `error`, `i18n`. This root wires them: the router, and the middleware that renders errors
//! as a page or as JSON.
//!
//! Request flow: [`ctx::guard`] (language, CSRF cookie, security headers) → [`render_errors`]
//! → [`ctx::origin_check`] → session layer → handler, which takes a [`ctx::Ctx`] (who, which
//! language) and calls one function in [`services`] (reads decide access once and fetch once;
//! writes run in one transaction with their audit row), then renders HTML or JSON.

pub mod api;
pub mod config;
pub mod ctx;
pub mod download;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod limits;
pub mod mailer;
pub mod messenger;
pub mod pages;
pub mod sealed;
pub mod secrets;
pub mod services;
pub mod session_store;
pub mod sms;
pub mod state;
pub mod telegram;
pub mod transports;

pub use state::{AppState, WebConfig};

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ctx::RequestMeta;
use error::ErrorInfo;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The whole application as one router.
pub fn app(state: AppState) -> Router {
    app_with(state, Router::new())
}

/// The application with `extra` routes served under the same layers (sessions, errors in the
/// caller's language, panics caught). Tests use it to reach a handler that misbehaves; the
/// server itself serves [`app`].
pub fn app_with(state: AppState, extra: Router<AppState>) -> Router {
    let sessions = SessionManagerLayer::new(session_store::DbSessionStore {
        store: state.store.clone(),
    })
    .with_name("wcl_session")
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Lax)
    .with_secure(state.config.secure_cookies)
    .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
        state.config.session_idle_minutes,
    )));

    // Forms and JSON are small; attachments (photos, quotes) have their own, larger limit.
    Router::new()
        .merge(
            pages::router()
                .layer(axum::middleware::from_fn(ctx::text_rule))
                .layer(axum::middleware::from_fn(body_limit)),
        )
        .merge(
            api::router()
                .layer(axum::middleware::from_fn(ctx::text_rule))
                .layer(axum::middleware::from_fn(body_limit)),
        )
        .merge(pages::grants::upload_router())
        .merge(pages::messages::webhook_router().layer(axum::middleware::from_fn(body_limit)))
        .merge(pages::crowdfunding::upload_router())
        .merge(extra)
        .layer(sessions)
        .layer(axum::middleware::from_fn(ctx::origin_check))
        // A panic in a handler answers 500 like any internal error (a page in her language, JSON
        // under /api/) and the server goes on.
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(axum::middleware::from_fn(render_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ctx::guard))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            // The path only: query strings may hold search text (names).
            tracing::info_span!("request", method = %req.method(), path = %ctx::loggable_path(req.uri().path()), id = ?req.headers().get("x-request-id"))
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        // Last resort for a panic in the layers above the handlers: a bare 500.
        .layer(CatchPanicLayer::custom(answer_panic))
        .with_state(state)
}

/// Forms and JSON are small (256 KiB); a package upload (`POST …/package`, the import page)
/// may be as large as a package may be, and no larger.
async fn body_limit(req: Request, next: Next) -> Response {
    let package = req.method() == Method::POST
        && ["/package", "/package/import", "/package/apply"]
            .iter()
            .any(|end| req.uri().path().ends_with(end));
    let limit = if package {
        domain::package::MAX_BYTES + 64 * 1024
    } else {
        256 * 1024
    };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    }
}

/// What a panicking request answers: an internal error. The panic's message is not logged here
/// (it may quote data); the panic hook has printed where it happened.
fn answer_panic(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    error::AppError::Internal(anyhow::anyhow!("a request panicked")).into_response()
}

/// Turns an [`error::AppError`] answer into what the caller reads: JSON under `/api/`, a
/// sign-in redirect for a page that needs one, else the error page, in the caller's language.
async fn render_errors(req: Request, next: Next) -> Response {
    let Some(meta) = req.extensions().get::<RequestMeta>().cloned() else {
        return next.run(req).await;
    };
    let method = req.method().clone();
    let resp = next.run(req).await;
    let info = match resp.extensions().get::<ErrorInfo>().cloned() {
        Some(info) => info,
        // The framework's own rejections (before a handler ran) speak JSON under the API too.
        None if meta.path.starts_with("/api/") && is_plain_error(&resp) => {
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), 8 * 1024)
                .await
                .unwrap_or_default();
            api::errors::framework_error(status, &String::from_utf8_lossy(&body))
        }
        None => return resp,
    };
    let mut resp = if meta.path.starts_with("/api/") {
        api::error_body(&info, meta.lang)
    } else if info.status == StatusCode::UNAUTHORIZED {
        let next_path = if method == Method::GET {
            meta.path.as_str()
        } else {
            "/"
        };
        Redirect::to(&format!("/login?next={}", ctx::urlencode(next_path))).into_response()
    } else {
        pages::error_page(&info, &meta)
    };
    if info.status == StatusCode::SERVICE_UNAVAILABLE {
        // A busy or full database passes: say when to try again.
        resp.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
    }
    resp
}

/// An error answer that is not JSON (axum's rejections are `text/plain`, unknown routes empty).
fn is_plain_error(resp: &Response) -> bool {
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/json") || v.starts_with("application/problem+json")
        });
    (resp.status().is_client_error() || resp.status().is_server_error()) && !json
}

/// Serves on an already-bound listener until `shutdown` resolves (tests bind port 0).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    // Expired sessions are swept hourly.
    let sweeper = tokio::spawn(async move {
        loop {
            if let Ok(mut c) = store.conn().await {
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                let _ = store::sessions::delete_expired(&mut c, now).await;
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
    // Jobs that are not messages (certificates at the end of a programme) run with or without
    // email.
    let jobs = jobs::spawn(state.store.clone(), Duration::from_secs(60));
    // Erasures made after the backup this database may come from are made again (cheap when
    // there are none); then the retention rule runs daily.
    if let Err(e) = services::rights::reapply_erasures(&state.store).await {
        tracing::error!(error = %e, "erasures could not be re-applied");
    }
    let retention = services::rights::spawn_retention(
        state.store.clone(),
        state.config.retention_days,
        Duration::from_secs(24 * 3600),
    );
    let mailer = match &state.config.smtp_url {
        // Links in emails must not follow whatever Host a visitor sent.
        Some(_) if state.config.public_url.is_none() => {
            tracing::error!(
                "email disabled: set WCL_PUBLIC_URL (the address people reach this server at) to send messages"
            );
            None
        }
        Some(url) => match mailer::Mailer::new(url, &state.config.mail_from) {
            Ok(m) => Some(mailer::spawn(
                state.store.clone(),
                m,
                Duration::from_secs(state.config.mail_every_seconds),
            )),
            Err(e) => {
                tracing::error!(error = %e, "email disabled: messages wait in the queue");
                None
            }
        },
        None => None,
    };
    // Messages over Telegram, SMS and email; the bot's updates by long polling or a webhook.
    let messenger = (state.channels.any() && state.config.message_every_seconds > 0).then(|| {
        messenger::spawn(
            state.store.clone(),
            state.channels.clone(),
            Duration::from_secs(state.config.message_every_seconds),
        )
    });
    let polling = services::messages::start_telegram(&state).await;
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    sweeper.abort();
    jobs.abort();
    retention.abort();
    if let Some(m) = mailer {
        m.abort();
    }
    for h in [messenger, polling].into_iter().flatten() {
        h.abort();
    }
    result
}
