//! Support cases in JSON, for the assigned case worker only. Anybody else gets 404 (401 without
//! a token), exactly as for a case that does not exist. Every read writes its audit row.
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path};
use crate::error::AppResult;
use crate::services::support::{self as svc, CaseView};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use domain::CaseId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_case))
        .routes(routes!(get_case))
        .routes(routes!(add_note))
        .routes(routes!(access_log))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCaseRequest {
    /// The woman (a person of the case worker's lab).
    pub person_id: uuid::Uuid,
    /// family-conflict, violence, anxiety-stress, grief, health, economic-hardship, legal, other (default other)
    pub reason: Option<String>,
    /// low, medium, high, critical (default medium)
    pub urgency: Option<String>,
    /// YYYY-MM-DD
    pub next_contact_on: Option<String>,
    /// She agreed that her lab's coordinator may know that a case exists (default false).
    pub shared_with_coordinator: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewNoteRequest {
    pub text: String,
    /// Show this note to the woman herself (default false).
    pub shared_with_resident: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteDto {
    pub id: uuid::Uuid,
    pub author: String,
    /// Null when the note cannot be opened with the configured keys.
    pub text: Option<String>,
    pub shared_with_resident: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralDto {
    pub id: uuid::Uuid,
    pub service: String,
    /// legal-aid, health, crisis-centre, psychologist, shelter, other
    pub kind: String,
    pub consent_recorded: bool,
    pub override_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    pub id: uuid::Uuid,
    pub person_id: uuid::Uuid,
    pub person_name: String,
    pub case_worker: String,
    pub reason: String,
    pub urgency: String,
    /// open, monitoring, closed
    pub status: String,
    pub next_contact_on: Option<NaiveDate>,
    pub shared_with_coordinator: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub notes: Vec<NoteDto>,
    pub referrals: Vec<ReferralDto>,
}

#[derive(Serialize, ToSchema)]
pub struct AccessDto {
    pub at: DateTime<Utc>,
    /// The display name of who read or changed the case.
    pub who: String,
    /// open, read, list, note, update, share, refer, read-log, exists-seen
    pub action: String,
}

fn case_dto(v: CaseView) -> CaseDto {
    let c = v.case;
    CaseDto {
        id: c.id.0,
        person_id: c.person_id.0,
        person_name: c.person_name,
        case_worker: c.case_worker_name,
        reason: c.reason.code().into(),
        urgency: c.urgency.code().into(),
        status: c.status.code().into(),
        next_contact_on: c.next_contact_on,
        shared_with_coordinator: c.shared_with_coordinator,
        created_at: c.created_at,
        updated_at: c.updated_at,
        closed_at: c.closed_at,
        notes: v.notes.into_iter().map(Into::into).collect(),
        referrals: v.referrals.into_iter().map(Into::into).collect(),
    }
}

impl From<svc::NoteView> for NoteDto {
    fn from(n: svc::NoteView) -> Self {
        Self {
            id: n.id.0,
            author: n.author,
            text: n.text,
            shared_with_resident: n.shared_with_resident,
            created_at: n.created_at,
        }
    }
}

impl From<svc::ReferralView> for ReferralDto {
    fn from(r: svc::ReferralView) -> Self {
        Self {
            kind: r.kind.code().into(),
            id: r.id.0,
            service: r.service,
            consent_recorded: r.consent_recorded,
            override_reason: r.override_reason,
            created_at: r.created_at,
        }
    }
}

/// Open a support case for a woman of the case worker's lab, assigned to the caller.
#[utoipa::path(post, path = "/api/v1/support-cases", tag = "support", security(("bearer" = [])),
    request_body = NewCaseRequest,
    responses((status = 201, body = CaseDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "No case key is configured", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_case(
    c: Ctx,
    State(s): State<AppState>,
    Json(req): Json<NewCaseRequest>,
) -> AppResult<(StatusCode, Json<CaseDto>)> {
    let keys = svc::worker_keys(&s.config, &c.actor)?;
    let input = svc::CaseInput {
        person_id: req.person_id.to_string(),
        reason: req.reason.unwrap_or_default(),
        urgency: req.urgency.unwrap_or_default(),
        next_contact_on: req.next_contact_on.unwrap_or_default(),
        shared_with_coordinator: req.shared_with_coordinator.unwrap_or(false),
    };
    let id = svc::open_case(&s.store, &c.actor, keys, &input).await?;
    let v = svc::worker_case(&s.store, &c.actor, keys, id).await?;
    Ok((StatusCode::CREATED, Json(case_dto(v))))
}

/// A case with its notes (decrypted) and referrals. The read is audited.
#[utoipa::path(get, path = "/api/v1/support-cases/{id}", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = CaseDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_case(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CaseId>,
) -> AppResult<Json<CaseDto>> {
    let keys = svc::worker_keys(&s.config, &c.actor)?;
    let v = svc::worker_case(&s.store, &c.actor, keys, id).await?;
    Ok(Json(case_dto(v)))
}

/// Add a note; it is encrypted before it is stored.
#[utoipa::path(post, path = "/api/v1/support-cases/{id}/notes", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")), request_body = NewNoteRequest,
    responses((status = 201, body = NoteDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_note(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CaseId>,
    Json(req): Json<NewNoteRequest>,
) -> AppResult<(StatusCode, Json<NoteDto>)> {
    let keys = svc::worker_keys(&s.config, &c.actor)?;
    let input = svc::NoteInput {
        shared_with_resident: req.shared_with_resident.unwrap_or(false),
        text: req.text,
    };
    let note = svc::add_note(&s.store, &c.actor, keys, id, &input).await?;
    let dto = NoteDto {
        id: note.0,
        author: c.display_name(),
        text: Some(input.text.trim().to_string()),
        shared_with_resident: input.shared_with_resident,
        created_at: Utc::now(),
    };
    Ok((StatusCode::CREATED, Json(dto)))
}

/// Who read or changed the case, and when (newest first). Reading the log is logged too.
#[utoipa::path(get, path = "/api/v1/support-cases/{id}/access-log", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = Vec<AccessDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn access_log(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CaseId>,
) -> AppResult<Json<Vec<AccessDto>>> {
    svc::worker_keys(&s.config, &c.actor)?;
    let log = svc::access_log(&s.store, &c.actor, id).await?;
    Ok(Json(
        log.into_iter()
            .map(|a| AccessDto {
                at: a.at,
                who: a.who,
                action: a.action,
            })
            .collect(),
    ))
}
