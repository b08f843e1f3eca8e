//! HTML pages. Each submodule owns the pages of one context; templates live in `templates/`.
//! Every page works without JavaScript, at 360 px, in Kyrgyz, Russian and English.

mod account;
mod events;
pub(crate) mod grants;
mod impact;
mod labs;
mod mentoring;
mod network;
mod people;
mod support;
pub(crate) mod surveys;
mod training;

use crate::AppState;
use crate::ctx::{Ctx, RequestMeta};
use crate::error::ErrorInfo;
use crate::i18n::Lang;
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
        .merge(account::router())
        .merge(labs::router())
        .merge(people::router())
        .merge(network::router())
        .merge(training::router())
        .merge(events::router())
        .merge(mentoring::router())
        .merge(grants::router())
        .merge(support::router())
        .merge(impact::router())
        .merge(surveys::router())
        .fallback(not_found)
}

/// A lab by its slug, or 404 (for the API too).
pub async fn lab_by_slug(s: &AppState, slug: &str) -> crate::error::AppResult<store::labs::Lab> {
    labs::lab_or_404(s, slug).await
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

async fn healthz(axum::extract::State(s): axum::extract::State<AppState>) -> Response {
    match s.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
                .into_response()
        }
    }
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// Field errors of a form, by field name, as message keys.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, k)| k.as_str())
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// A copyable value however many references deep a template hands it over.
pub trait Val<T> {
    fn val(&self) -> T;
}
impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}
impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}
impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

/// Helpers the templates call on the context.
impl Ctx {
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
    /// A vocabulary label: `tv("occupation", "student")` → the message `occupation-student`.
    pub fn tv(&self, kind: &str, code: &str) -> String {
        self.lang.t(&format!("{kind}-{code}"))
    }
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.lang.t_args(key, &[(name, value.to_string().into())])
    }
    pub fn tn<N: Val<i64>>(&self, key: &str, n: N) -> String {
        self.lang.t_args(key, &[("n", n.val().into())])
    }
    pub fn next_enc(&self) -> String {
        crate::ctx::urlencode(&self.path)
    }
    pub fn langs(&self) -> [Lang; 3] {
        Lang::ALL
    }
    pub fn is_admin(&self) -> bool {
        self.actor.admin
    }
    pub fn is_coordinator(&self) -> bool {
        self.actor.is_coordinator()
    }
    pub fn is_resident(&self) -> bool {
        self.actor.person_id.is_some()
    }
    pub fn display_name(&self) -> String {
        self.user
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    }
    pub fn date<D: Val<chrono::NaiveDate>>(&self, d: D) -> String {
        domain::time::format_date(d.val())
    }
    pub fn datetime<T: Val<chrono::DateTime<chrono::Utc>>>(&self, t: T) -> String {
        domain::time::format_datetime(t.val())
    }
    /// `selected` when an optional id is this option's.
    pub fn sel_opt<T: PartialEq + Copy, C: Val<Option<T>>, V: Val<T>>(
        &self,
        current: C,
        v: V,
    ) -> &'static str {
        if current.val() == Some(v.val()) {
            "selected"
        } else {
            ""
        }
    }
    /// `checked` when a radio button's value is the current one.
    pub fn radio<A: AsRef<str>, B: AsRef<str>>(&self, current: A, code: B) -> &'static str {
        if current.as_ref() == code.as_ref() {
            "checked"
        } else {
            ""
        }
    }
    /// `selected` when a select's current value is this option.
    pub fn sel<A: AsRef<str>, B: AsRef<str>>(&self, current: A, code: B) -> &'static str {
        if current.as_ref() == code.as_ref() {
            "selected"
        } else {
            ""
        }
    }
    /// `checked` when a list of check-box values holds this one.
    pub fn chk<B: AsRef<str>>(&self, list: &[String], code: B) -> &'static str {
        if list.iter().any(|x| x == code.as_ref()) {
            "checked"
        } else {
            ""
        }
    }
    pub fn chk_if(&self, on: bool) -> &'static str {
        if on { "checked" } else { "" }
    }
    /// A field's error message (translated), for `aria-describedby` pairs.
    pub fn err(&self, errors: &Errors, field: &str) -> Option<String> {
        errors.get(field).map(|k| self.lang.t(k))
    }
    pub fn vocab(&self, kind: &str) -> Vec<&'static str> {
        use domain::*;
        match kind {
            "occupation" => Occupation::ALL.iter().map(|x| x.code()).collect(),
            "family-support" => FamilySupport::ALL.iter().map(|x| x.code()).collect(),
            "settlement" => Settlement::ALL.iter().map(|x| x.code()).collect(),
            "gender" => Gender::ALL.iter().map(|x| x.code()).collect(),
            "legal-basis" => LegalBasis::ALL.iter().map(|x| x.code()).collect(),
            "partner-role" => PartnerRole::ALL.iter().map(|x| x.code()).collect(),
            "org-kind" => OrgKind::ALL.iter().map(|x| x.code()).collect(),
            "language" => Language::ALL.iter().map(|x| x.code()).collect(),
            "skill" => Skill::ALL.iter().map(|x| x.code()).collect(),
            "region" => REGIONS.to_vec(),
            "status" => ResidencyStatus::ALL.iter().map(|x| x.code()).collect(),
            "lab-role" => LabRole::ALL.iter().map(|x| x.code()).collect(),
            "event-kind" => EventKind::ALL.iter().map(|x| x.code()).collect(),
            "event-scope" => EventScope::ALL.iter().map(|x| x.code()).collect(),
            "grant-category" => domain::grants::Category::ALL
                .iter()
                .map(|x| x.code())
                .collect(),
            "payment-channel" => domain::grants::PaymentChannel::ALL
                .iter()
                .map(|x| x.code())
                .collect(),
            _ => vec![],
        }
    }
    pub fn consent_version(&self) -> &'static str {
        domain::CONSENT_VERSION
    }
    pub fn flash_text(&self) -> Option<String> {
        self.flash
            .as_deref()
            .filter(|k| {
                k.starts_with("flash-") && k.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            })
            .map(|k| self.lang.t(k))
    }
    pub fn lab_name(&self, lab: &store::labs::Lab) -> String {
        lab.name(self.lang.code()).to_string()
    }
    pub fn money<M: Val<i64>>(&self, tyiyn: M) -> String {
        domain::Money(tyiyn.val()).som_display()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct Home {
    c: Ctx,
    labs: Vec<store::labs::Lab>,
}

async fn home(
    c: Ctx,
    axum::extract::State(s): axum::extract::State<AppState>,
) -> crate::error::AppResult<Home> {
    let mut conn = s.store.conn().await?;
    let labs = store::labs::list_labs(&mut conn).await?;
    Ok(Home { c, labs })
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
            .map(|(f, k)| format!("{}: {}", meta.lang.t(&format!("field-{f}")), meta.lang.t(k)))
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
