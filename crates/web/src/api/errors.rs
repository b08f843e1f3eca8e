//! The one error body of the API: `{"error": key, "message": text in the caller's language,
//! "fields": [...]}`, with `WWW-Authenticate: Bearer` on 401.
use crate::error::ErrorInfo;
use crate::i18n::Lang;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub error: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine key, e.g. `err-not-found`.
    pub error: String,
    /// The message in the caller's language (Accept-Language).
    pub message: String,
    pub fields: Vec<FieldError>,
}

pub fn error_body(info: &ErrorInfo, lang: Lang) -> Response {
    let body = ErrorBody {
        error: info.key.clone(),
        message: lang.t(&info.key),
        fields: info
            .fields
            .iter()
            .map(|(f, k)| FieldError {
                field: f.clone(),
                error: k.clone(),
                message: lang.t(k),
            })
            .collect(),
    };
    let mut r = (info.status, Json(body)).into_response();
    if info.status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer"),
        );
    }
    r
}
