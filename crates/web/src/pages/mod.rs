//! HTML pages. Each submodule owns the pages of one context; templates live in `templates/`.
//! Every page works without JavaScript, at 360 px, in Kyrgyz, Russian and English.

mod account;
pub(crate) mod crowdfunding;
mod events;
pub(crate) mod forms;
pub(crate) mod grants;
mod impact;
mod labs;
mod links;
mod mentoring;
pub(crate) mod messages;
mod network;
mod package;
mod people;
mod rights;
mod showcase;
mod space;
mod support;
pub(crate) mod surveys;
mod training;
pub(crate) mod view;

pub use forms::{Errors, respond};
pub use view::Val;

use crate::ctx::{Ctx, RequestMeta};
use crate::error::ErrorInfo;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(css))
        .route("/favicon.ico", get(favicon))
        .route("/static/{file}", get(hashed_css))
        .merge(account::router())
        .merge(links::router())
        .merge(labs::router())
        .merge(people::router())
        .merge(rights::router())
        .merge(network::router())
        .merge(training::router())
        .merge(events::router())
        .merge(mentoring::router())
        .merge(grants::router())
        .merge(support::router())
        .merge(impact::router())
        .merge(surveys::router())
        .merge(messages::router())
        .merge(package::router())
        .merge(space::router())
        .merge(crowdfunding::router())
        .merge(showcase::router())
        .fallback(not_found)
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

/// Healthy means the database answers and can write (a full disk or a read-only file system is
/// not healthy): 503 with Retry-After otherwise.
async fn healthz(axum::extract::State(s): axum::extract::State<AppState>) -> Response {
    match s.store.write_probe().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::RETRY_AFTER, "5")],
                "database unavailable",
            )
                .into_response()
        }
    }
}

/// The style sheet's address with its content's digest in the name: browsers keep it for a year
/// and fetch a new one exactly when it changes.
pub fn css_href() -> &'static str {
    static HREF: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let digest = crate::secrets::sha256_hex(CSS);
        format!("/static/app.{}.css", &digest[..12])
    });
    HREF.as_str()
}

const CSS: &str = include_str!("../../static/app.css");

async fn hashed_css(crate::ctx::Path(file): crate::ctx::Path<String>) -> Response {
    if format!("/static/{file}") != css_href() {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
        .into_response()
}

/// The network's mark (a 32 px icon), so a browser's first visit does not end in a 404.
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        &include_bytes!("../../static/favicon.ico")[..],
    )
        .into_response()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CSS,
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct Home {
    c: Ctx,
    /// The labs' cards; in a large network none, and its regions with their number of labs.
    labs: Vec<store::labs::Lab>,
    regions: Vec<(String, i64)>,
    /// A fresh install without an admin, seen from the machine itself: how to make the first.
    setup: bool,
    /// The network map.
    map: crate::services::map::NetworkMap,
}

async fn home(
    c: Ctx,
    axum::extract::State(s): axum::extract::State<AppState>,
) -> crate::error::AppResult<Home> {
    let mut labs = crate::services::labs::all(&s.store).await?;
    let mut regions = vec![];
    if labs.len() > crate::services::labs::MANY_LABS {
        regions = crate::services::labs::regions_of(&labs);
        labs.clear();
    }
    let local = c.ip.is_some_and(|ip| ip.is_loopback());
    let setup = local && c.user.is_none() && crate::services::links::needs_setup(&s.store).await?;
    let map = crate::services::map::network_map(&s.store, c.lang, None).await?;
    Ok(Home {
        c,
        labs,
        regions,
        setup,
        map,
    })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Ctx,
    title: String,
    fields: Vec<String>,
    status: u16,
}

/// The page shown for an error, in the caller's language (built by the guard middleware).
pub fn error_page(info: &ErrorInfo, meta: &RequestMeta) -> Response {
    let c = Ctx {
        lang: meta.lang,
        actor: domain::Actor::anonymous(),
        user: None,
        csrf: meta.csrf.clone(),
        path: meta.path.clone(),
        flash: None,
        session: None,
        ip: None,
        base: String::new(),
    };
    let page = ErrorPage {
        title: meta.lang.t(&info.key),
        fields: info
            .fields
            .iter()
            .map(|(f, k)| {
                let label = format!("field-{f}");
                if meta.lang.has(&label) {
                    format!("{}: {}", meta.lang.t(&label), meta.lang.t(k))
                } else {
                    meta.lang.t(k)
                }
            })
            .collect(),
        status: info.status.as_u16(),
        c,
    };
    let body = page.render().unwrap_or_else(|_| info.key.clone());
    (
        info.status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}
