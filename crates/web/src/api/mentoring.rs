//! Mentoring in JSON: proposals for a lab (coordinators) and accepting pairs.
use super::errors::ErrorBody;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::services::mentoring::{self as svc, Proposal};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{PersonId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(proposals))
        .routes(routes!(accept))
}

#[derive(Serialize, ToSchema)]
pub struct ProposalsDto {
    /// The proposed pairs, each with its score and the points behind it.
    pub pairs: Vec<Proposal>,
    /// Sum of the scores: the largest possible within the mentors' capacities.
    pub total: i64,
    /// What taking the best pairs first (greedily) would have reached.
    pub greedy_total: i64,
    /// Waiting residents no mentor with room can take.
    pub unmatched: Vec<uuid::Uuid>,
}

/// Proposes mentors for the lab's waiting residents: the assignment with the largest total fit
/// that respects every mentor's capacity (coordinators of the lab).
#[utoipa::path(post, path = "/api/v1/labs/{slug}/mentoring/proposals", tag = "mentoring", security(("bearer" = [])),
    responses((status = 200, body = ProposalsDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn proposals(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Json<ProposalsDto>> {
    c.require_user()?;
    let lab = crate::services::labs::lab_by_slug(&s.store, &slug).await?;
    let p = svc::propose(&s.store, &c.actor, lab.id).await?;
    Ok(Json(ProposalsDto {
        total: p.total,
        greedy_total: p.greedy_total,
        unmatched: p.unmatched.iter().map(|w| w.person_id.0).collect(),
        pairs: p.pairs,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PairBody {
    pub person_id: uuid::Uuid,
    pub mentor_id: uuid::Uuid,
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptBody {
    pub pairs: Vec<PairBody>,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptedDto {
    pub matches: Vec<uuid::Uuid>,
}

/// Accepts pairs (as proposed, or changed): all are saved or none.
#[utoipa::path(post, path = "/api/v1/labs/{slug}/mentoring/matches", tag = "mentoring", security(("bearer" = [])), request_body = AcceptBody,
    responses((status = 201, body = AcceptedDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Json(body): Json<AcceptBody>,
) -> AppResult<(StatusCode, Json<AcceptedDto>)> {
    c.require_user()?;
    let lab = crate::services::labs::lab_by_slug(&s.store, &slug).await?;
    let pairs: Vec<(PersonId, UserId)> = body
        .pairs
        .iter()
        .map(|p| (PersonId(p.person_id), UserId(p.mentor_id)))
        .collect();
    let ids = svc::accept(&s.store, &c.actor, lab.id, &pairs).await?;
    Ok((
        StatusCode::CREATED,
        Json(AcceptedDto {
            matches: ids.iter().map(|m| m.0).collect(),
        }),
    ))
}
