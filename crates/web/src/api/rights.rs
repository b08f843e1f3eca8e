//! Her data, her rights in JSON: everything kept about a woman, for a coordinator of her lab
//! (and the admin); another lab's person is 404. An audited, sensitive read.
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path};
use crate::error::AppResult;
use crate::services::rights as svc;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::PersonId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_person))
}

/// Everything kept about her, by section: person, consents, residencies (with transitions and
/// declines), enrolments, attendance, certificates, events, mentoring (without the mentor's
/// private notes), surveys and their answers, outcomes, practices, grant applications and their
/// attachments (listed), bookings, messages addressed to her, and who read her record.
#[utoipa::path(get, path = "/api/v1/people/{id}/export", tag = "people", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn export_person(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<Json<serde_json::Value>> {
    c.require_user()?;
    let e = svc::export(&s.store, &c.actor, id, c.lang).await?;
    Ok(Json(svc::export_json(&e)))
}
