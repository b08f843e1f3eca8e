//! The HTTP side of wcl: HTML pages and the JSON API over one [`AppState`].
//!
//! Request flow: [`ctx::guard`] (language, CSRF cookie, Origin check, error rendering) →
//! session layer → handler, which takes a [`ctx::Ctx`] (who, which language), asks the policy,
//! and calls a function in [`services`] (writes, in one transaction with their audit row) or the
//! store (reads, always scoped).

pub mod api;
pub mod ctx;
pub mod download;
pub mod error;
pub mod i18n;
pub mod mailer;
pub mod pages;
pub mod sealed;
pub mod services;
pub mod session_store;

use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::{Expiry, SessionManagerLayer};

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS). Off for a laptop on plain http://127.0.0.1.
    pub secure_cookies: bool,
    /// Sign-in attempts allowed per minute for one account and for one address.
    pub sign_in_per_login_per_minute: u32,
    pub sign_in_per_ip_per_minute: u32,
    /// Public event sign-ups allowed per minute from one address (a lab's shared wifi counts once).
    pub sign_ups_per_ip_per_minute: u32,
    /// Minutes without activity after which a browser session ends (shared computers).
    pub session_idle_minutes: i64,
    /// The address people reach this server at (`https://wcl.example.kg`), for links in emails,
    /// badges and calendars. Unset, the Host of each request is used.
    pub public_url: Option<String>,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://...`, or `smtp://host:25` (plain, for a
    /// relay on the same machine). Unset, messages wait in the jobs table until it is set.
    pub smtp_url: Option<String>,
    /// The From address of messages.
    pub mail_from: String,
    /// How often the mailer looks for due messages.
    pub mail_every_seconds: u64,
    /// The keys that seal support-case notes (the first seals, all open). Unset, the support
    /// pages say so and store nothing. Never stored in the database.
    pub case_keys: Option<Arc<sealed::Keyring>>,
    /// Seconds a browser may stay away from case pages before they ask to sign in again.
    pub case_idle_seconds: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            sign_in_per_login_per_minute: 5,
            sign_in_per_ip_per_minute: 30,
            sign_ups_per_ip_per_minute: 30,
            session_idle_minutes: 120,
            public_url: None,
            smtp_url: None,
            mail_from: "Women Creative Labs <noreply@wcl.local>".into(),
            mail_every_seconds: 30,
            case_keys: None,
            case_idle_seconds: 15 * 60,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub config: Arc<WebConfig>,
    pub limits: Arc<ctx::Limits>,
}

impl AppState {
    pub fn new(store: store::Store, config: WebConfig) -> Self {
        let limits = ctx::Limits::new(
            config.sign_in_per_login_per_minute,
            config.sign_in_per_ip_per_minute,
            config.sign_ups_per_ip_per_minute,
        );
        Self {
            store,
            config: Arc::new(config),
            limits: Arc::new(limits),
        }
    }
}

/// The whole application as one router.
pub fn app(state: AppState) -> Router {
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
        .merge(pages::router().layer(RequestBodyLimitLayer::new(256 * 1024)))
        .merge(api::router().layer(RequestBodyLimitLayer::new(256 * 1024)))
        .merge(pages::grants::upload_router())
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(state.clone(), ctx::guard))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            // The path only: query strings may hold search text (names).
            tracing::info_span!("request", method = %req.method(), path = %ctx::loggable_path(req.uri().path()), id = ?req.headers().get("x-request-id"))
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
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
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    sweeper.abort();
    if let Some(m) = mailer {
        m.abort();
    }
    result
}
