//! Forms: field errors, and the one shape of a form post's answer.
use crate::error::{AppError, AppResult};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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

/// The answer to a form post. Done: `done` (usually a redirect with a flash). Invalid input:
/// the form again, with 422, what was typed and the messages beside their fields (`again`
/// builds it). Any other error goes on to the error page.
///
/// ```ignore
/// let to = format!("/labs/{slug}");
/// respond(services::create_lab(&s.store, &c.actor, &f).await,
///     |_| redirect_with_flash(&to, "flash-saved"),
///     async |errors| Ok(LabForm { c, f, errors })).await
/// ```
pub async fn respond<T, P: IntoResponse>(
    result: AppResult<T>,
    done: impl FnOnce(T) -> Response,
    again: impl AsyncFnOnce(Errors) -> AppResult<P>,
) -> AppResult<Response> {
    match result {
        Ok(v) => Ok(done(v)),
        Err(AppError::Invalid(errs)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, again(Errors(errs)).await?).into_response())
        }
        Err(e) => Err(e),
    }
}

/// A form's fields as (name, value as typed), for showing what differs between two versions of
/// a record that two people edited at once.
pub trait Fields {
    fn fields(&self) -> Vec<(&'static str, String)>;
}

/// (field, what she typed, what was saved meanwhile) for each field whose values differ: the
/// rows of `edit_conflict.html`.
pub fn differences<T: Fields>(yours: &T, theirs: &T) -> Vec<(String, String, String)> {
    yours
        .fields()
        .into_iter()
        .zip(theirs.fields())
        .filter(|((_, a), (_, b))| a.trim() != b.trim())
        .map(|((k, a), (_, b))| (k.to_string(), a, b))
        .collect()
}
