//! Messages in JSON: what was sent to a woman (staff of her lab) and a lab's group message
//! (counted first, sent with `confirm=true`).
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path};
use crate::error::AppResult;
use crate::services::messages::{self as svc, GroupInput, GroupPreview};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::PersonId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(person_messages))
        .routes(routes!(group_message))
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    pub at: DateTime<Utc>,
    /// The template (`residency-accepted`, `text`, ...).
    pub template: String,
    /// telegram, sms, email, or none (she had no channel to try)
    pub channel: String,
    /// sent, failed, unreached
    pub status: String,
    /// SMS parts sent.
    pub segments: i64,
    /// The group message it belonged to.
    pub group_id: Option<String>,
}

/// What was sent to a woman (and tried), newest first, one entry per channel tried. Staff of
/// her lab; the read is audited. Her chat ids and addresses are never shown.
#[utoipa::path(get, path = "/api/v1/people/{id}/messages", tag = "messages", operation_id = "person_messages",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, description = "Her messages", body = Vec<DeliveryDto>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such person in the caller's labs", body = ErrorBody)))]
async fn person_messages(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Vec<DeliveryDto>>> {
    let list = svc::person_messages(&s.store, &c.actor, id).await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DeliveryDto {
                at: d.created_at,
                template: d.template,
                channel: d.channel,
                status: d.status,
                segments: d.segments,
                group_id: d.group_id,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct GroupRequest {
    /// cohort, programme, lab, event
    pub audience: String,
    /// The cohort, programme or event id (not for `lab`).
    #[serde(default)]
    pub audience_ref: Option<String>,
    /// lab-news, survey-due, or text (with `text`)
    pub template: String,
    #[serde(default)]
    pub text: Option<String>,
    /// Any of telegram, sms, email: only these are used, and only those she agreed to.
    pub channels: Vec<String>,
    /// false (default): only count; true: send.
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GroupResponse {
    /// People it reaches (a chosen channel they agreed to).
    pub recipients: usize,
    /// People of the audience it does not reach (no consent for these channels).
    pub excluded: usize,
    /// How many get it first by each channel.
    pub by_channel: BTreeMap<String, usize>,
    pub sms_segments: usize,
    /// Tyiyn (som × 100).
    pub sms_cost: i64,
    pub sent: bool,
    pub group_id: Option<String>,
}

impl From<GroupPreview> for GroupResponse {
    fn from(p: GroupPreview) -> Self {
        Self {
            recipients: p.recipients,
            excluded: p.excluded,
            by_channel: p.by_channel,
            sms_segments: p.sms_segments,
            sms_cost: p.sms_cost,
            sent: p.sent,
            group_id: p.group_id,
        }
    }
}

/// A message to a group of the lab: the count and the SMS cost, then with `confirm=true` the
/// send (one message each, with an opt-out line). Coordinators of the lab; audited; a few per
/// hour per lab (429 beyond).
#[utoipa::path(post, path = "/api/v1/labs/{slug}/messages", tag = "messages", operation_id = "group_message",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Lab slug")), request_body = GroupRequest,
    responses((status = 200, description = "Counted (and sent with confirm=true)", body = GroupResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such lab, or not the caller's", body = ErrorBody),
        (status = 422, description = "Invalid audience, template or channels", body = ErrorBody),
        (status = 429, description = "Too many group messages this hour", body = ErrorBody)))]
async fn group_message(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Json(r): Json<GroupRequest>,
) -> AppResult<Json<GroupResponse>> {
    let input = GroupInput {
        audience: r.audience,
        audience_ref: r.audience_ref.unwrap_or_default(),
        template: r.template,
        text: r.text.unwrap_or_default(),
        channels: r.channels,
        confirm: if r.confirm {
            "true".into()
        } else {
            String::new()
        },
    };
    Ok(Json(
        svc::group_message(&s, &c.actor, &slug, &input)
            .await?
            .into(),
    ))
}
