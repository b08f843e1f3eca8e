//! One error type for pages and the API. A handler returns it; the `render_errors` middleware
//! turns it into an HTML page or a JSON body in the caller's language. Causes of 5xx are
//! logged (never with personal data) and never shown.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or outside the caller's labs: the two look the same on purpose.
    #[error("not found")]
    NotFound,
    /// Not signed in: pages go to the sign-in page, the API answers 401.
    #[error("sign in required")]
    SignIn,
    /// Signed in but the action is not hers (used where the resource itself is not secret).
    #[error("forbidden")]
    Forbidden,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// Input failed validation: (field, message key) pairs.
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("too many attempts")]
    TooMany,
    #[error("cross-site request refused")]
    Csrf,
    /// The database cannot serve now (busy, full disk, read-only): try again shortly.
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound => AppError::NotFound,
            store::StoreError::Conflict(name) => AppError::Conflict(conflict_key(name)),
            store::StoreError::Unavailable(why) => {
                tracing::warn!(%why, "database unavailable");
                AppError::Unavailable
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<domain::Invalid> for AppError {
    fn from(e: domain::Invalid) -> Self {
        AppError::Invalid(vec![(e.field.to_string(), e.key.to_string())])
    }
}

/// The message key for a broken uniqueness rule.
pub fn conflict_key(name: &str) -> &'static str {
    match name {
        "labs.slug" => "err-slug-taken",
        "users.login" => "err-login-taken",
        "organisations.name" => "err-org-taken",
        "cohorts.name" => "err-cohort-taken",
        "residencies.open" => "err-residency-open",
        "lab_partners" => "err-partner-exists",
        "registrations.phone" => "err-already-registered",
        "mentoring.active" => "err-mentoring-active",
        "grant_applications.one" => "err-grant-one",
        "grant_payments.idempotency" => "err-grant-payment-twice",
        "grant_awards.budget" => "err-grant-over-budget",
        "grant_awards.limits" => "err-grant-limits",
        "space_invoices.credits" => "err-space-credit-twice",
        _ => "err-conflict",
    }
}

/// What the error renderer needs, carried in the response's extensions.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub key: String,
    pub fields: Vec<(String, String)>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::SignIn => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn key(&self) -> &str {
        match self {
            AppError::NotFound => "err-not-found",
            AppError::SignIn => "err-sign-in",
            AppError::Forbidden => "err-forbidden",
            AppError::BadRequest(k) | AppError::Conflict(k) => k,
            AppError::Invalid(_) => "err-invalid",
            AppError::TooMany => "err-too-many",
            AppError::Csrf => "err-csrf",
            AppError::Unavailable => "err-unavailable",
            AppError::Internal(_) => "err-internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        let info = ErrorInfo {
            status: self.status(),
            key: self.key().to_string(),
            fields: match &self {
                AppError::Invalid(f) => f.clone(),
                _ => vec![],
            },
        };
        let mut resp = (info.status, info.key.clone()).into_response();
        resp.extensions_mut().insert(info);
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl From<store::DbError> for AppError {
    fn from(e: store::DbError) -> Self {
        store::StoreError::from(e).into()
    }
}
