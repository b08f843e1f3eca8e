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

/// What the framework answered before a handler ran (a body that is not JSON, a wrong
/// Content-Type, a field of the wrong type, a bad query string, an unknown route or method), as
/// the API's error: a key by status, and the field when the rejection names one. Axum's
/// rejections read the body with `serde_path_to_error`, so their text is
/// `<what failed>: <path>: <serde's message>`, or `missing field `name``.
pub fn framework_error(status: StatusCode, text: &str) -> ErrorInfo {
    let key = match status {
        StatusCode::NOT_FOUND => "err-not-found",
        StatusCode::METHOD_NOT_ALLOWED => "err-api-method",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "err-api-content-type",
        StatusCode::PAYLOAD_TOO_LARGE => "err-api-too-large",
        StatusCode::UNAUTHORIZED => "err-sign-in",
        StatusCode::FORBIDDEN => "err-forbidden",
        StatusCode::TOO_MANY_REQUESTS => "err-too-many",
        StatusCode::REQUEST_TIMEOUT => "err-api-timeout",
        s if s.is_server_error() => "err-internal",
        StatusCode::UNPROCESSABLE_ENTITY => "err-invalid",
        _ => "err-api-malformed",
    };
    let fields = rejected_field(text)
        .map(|f| vec![(f, "err-api-field".to_string())])
        .unwrap_or_default();
    ErrorInfo {
        status,
        key: key.to_string(),
        fields,
    }
}

/// The field a deserialisation rejection names: the path before serde's message
/// (`person.birth_date: invalid type…` → `person.birth_date`), or a missing field's name.
fn rejected_field(text: &str) -> Option<String> {
    if let Some(i) = text.find("missing field `") {
        let rest = &text[i + 15..];
        return rest.find('`').map(|end| rest[..end].to_string());
    }
    let rest = ["target type: ", "query string: ", "form body: "]
        .iter()
        .find_map(|p| text.find(p).map(|i| &text[i + p.len()..]))?;
    let (path, _) = rest.split_once(": ")?;
    let plausible = !path.is_empty()
        && path != "."
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
    plausible.then(|| path.trim_start_matches('.').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_name_their_field() {
        let f = |t| rejected_field(t);
        assert_eq!(
            f(
                "Failed to deserialize the JSON body into the target type: birth_date: invalid type: integer `5`, expected a string at line 1 column 20"
            ),
            Some("birth_date".into())
        );
        assert_eq!(
            f(
                "Failed to deserialize the JSON body into the target type: missing field `given_name` at line 1 column 2"
            ),
            Some("given_name".into())
        );
        assert_eq!(
            f("Failed to deserialize query string: page: invalid digit found in string"),
            Some("page".into())
        );
        assert_eq!(
            f("Failed to parse the request body as JSON: EOF while parsing"),
            None
        );
    }
}
