//! Invitations: an account opened by a one-time link, answered to the inviter only.
use super::ErrorBody;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::services::links::{self as svc, InviteInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_invitation))
}

/// Who is invited: an e-mail or a phone, the role, and the lab (every role but admin). A
/// resident is found by that phone or e-mail on her lab's record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct InvitationRequest {
    pub email: String,
    pub phone: String,
    /// `admin`, `coordinator`, `mentor`, `case-worker`, `reviewer` or `resident`.
    pub role: String,
    /// The lab's slug.
    pub lab: String,
    /// Her name (staff); a resident's comes from her record.
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    pub id: uuid::Uuid,
    /// The one-time link: shown to the inviter only, never stored.
    pub link: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// An e-mail with the link was queued.
    pub emailed: bool,
    pub role: String,
    pub lab: Option<String>,
}

/// Invite someone to an account: the admin any role; a coordinator the women of her lab.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "auth", security(("bearer" = [])),
    request_body = InvitationRequest,
    responses((status = 201, body = InvitationDto), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_invitation(
    c: Ctx,
    State(s): State<AppState>,
    Json(f): Json<InvitationRequest>,
) -> AppResult<(StatusCode, Json<InvitationDto>)> {
    c.require_user()?;
    let input = InviteInput {
        email: f.email,
        phone: f.phone,
        login: String::new(),
        display_name: f.display_name,
        role: f.role,
        lab: f.lab.clone(),
    };
    let issued = svc::invite(&s, &c.actor, &c.base, c.lang, &input).await?;
    let lab = issued.record.lab_id.map(|_| f.lab.trim().to_string());
    Ok((
        StatusCode::CREATED,
        Json(InvitationDto {
            id: issued.record.id.0,
            link: issued.link,
            expires_at: issued.expires_at,
            emailed: issued.emailed,
            role: issued.record.role.unwrap_or_default(),
            lab,
        }),
    ))
}
