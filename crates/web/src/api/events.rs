//! Events, registrations, check-in and badges in JSON. Listing and registering are public; a
//! registration is then reached only through its private cancel token.
use super::errors::ErrorBody;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::services::events::{self as svc, CheckIn, RegistrationInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::Action;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(get_event))
        .routes(routes!(register))
        .routes(routes!(get_registration, cancel_registration))
        .routes(routes!(check_in))
        .routes(routes!(person_badges))
}

#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub id: uuid::Uuid,
    /// The host lab's slug.
    pub lab: String,
    /// lab or network
    pub scope: String,
    /// master-class, seminar, thematic-evening, fair, other
    pub kind: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    /// ky, ru or en
    pub language: String,
    pub capacity: i64,
    pub seats_left: i64,
    pub waiting: i64,
    pub cancelled: bool,
    /// The public page, and the event's iCalendar file.
    pub url: String,
    pub ics: String,
}

fn event_dto(base: &str, e: store::events::Event, lab: &str) -> EventDto {
    EventDto {
        id: e.id.0,
        lab: lab.to_string(),
        scope: e.scope.code().into(),
        kind: e.kind.code().into(),
        seats_left: e.seats_left(),
        waiting: e.waiting,
        url: format!("{base}/events/{}", e.id),
        ics: format!("{base}/events/{}.ics", e.id),
        title: e.title,
        description: e.description,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        place: e.place,
        language: e.language,
        capacity: e.capacity,
        cancelled: e.cancelled,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// A lab's slug: its events and the network's. Omit for every lab.
    pub lab: Option<String>,
    /// Include events that have ended (default: upcoming only).
    pub past: Option<bool>,
}

/// Published events (public).
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventsQuery),
    responses((status = 200, body = Vec<EventDto>), (status = 404, body = ErrorBody)))]
async fn list_events(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<EventsQuery>,
) -> AppResult<Json<Vec<EventDto>>> {
    let events = svc::published(&s.store, q.lab.as_deref(), q.past.unwrap_or(false)).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|(e, lab)| event_dto(&c.base, e, &lab.map(|l| l.slug).unwrap_or_default()))
            .collect(),
    ))
}

/// An id in the path; a malformed one answers 404 like one that does not exist. (`ctx::Path` with
/// a typed id would do this, but the OpenAPI document names these parameters as strings.)
fn path_id<T: std::str::FromStr>(s: &str) -> AppResult<T> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// One published event (public; drafts only for the lab's staff).
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    responses((status = 200, body = EventDto), (status = 404, body = ErrorBody)))]
async fn get_event(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<EventDto>> {
    let v = svc::event_view(&s.store, &c.actor, path_id(&id)?).await?;
    Ok(Json(event_dto(&c.base, v.e, &v.lab.slug)))
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationDto {
    /// confirmed, waitlisted or cancelled
    pub status: String,
    /// Her private token: the only way to read or cancel this registration. Shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_token: Option<String>,
    pub event_id: uuid::Uuid,
    pub name: String,
    /// The code on her ticket, shown at the door.
    pub ticket_code: String,
    /// Place on the waiting list (1 = next).
    pub waiting_position: Option<i64>,
    pub checked_in: bool,
    /// Her ticket page (QR code, cancel button).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_url: Option<String>,
}

fn reg_dto(r: store::events::Registration, token: Option<(String, &str)>) -> RegistrationDto {
    RegistrationDto {
        status: r.status.code().into(),
        ticket_url: token
            .as_ref()
            .map(|(t, base)| format!("{base}/tickets/{t}")),
        cancel_token: token.map(|(t, _)| t),
        event_id: r.event_id.0,
        name: r.name,
        ticket_code: r.ticket_code,
        waiting_position: r.waiting_position,
        checked_in: r.checked_in_at.is_some(),
    }
}

/// Register for an event (public, no token). A full event puts her on the waiting list.
/// Body: `{"name": "...", "phone": "...", "email": "...", "gender": "woman|man|other", "ref": "..."}`.
#[utoipa::path(post, path = "/api/v1/events/{id}/registrations", tag = "events", request_body = RegistrationInput,
    responses((status = 201, body = RegistrationDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "Too many sign-ups from this address; wait a minute")))]
async fn register(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    Json(input): Json<RegistrationInput>,
) -> AppResult<(StatusCode, Json<RegistrationDto>)> {
    let e = svc::public_event(&s.store, &c.actor, path_id(&id)?).await?;
    s.limits.sign_up(c.ip)?;
    let r = svc::register(&s.store, e.id, &input, c.lang, false, &c.base).await?;
    Ok((
        StatusCode::CREATED,
        Json(reg_dto(r.registration, Some((r.token, &c.base)))),
    ))
}

/// A registration's status, by its private token.
#[utoipa::path(get, path = "/api/v1/registrations/{cancel_token}", tag = "events",
    responses((status = 200, body = RegistrationDto), (status = 404, body = ErrorBody)))]
async fn get_registration(
    State(s): State<AppState>,
    Path(cancel_token): Path<String>,
) -> AppResult<Json<RegistrationDto>> {
    let (r, _) = svc::ticket(&s.store, &cancel_token).await?;
    Ok(Json(reg_dto(r, None)))
}

/// Cancel a registration; the next person on the waiting list is confirmed. Repeating it is harmless.
#[utoipa::path(delete, path = "/api/v1/registrations/{cancel_token}", tag = "events",
    responses((status = 200, body = RegistrationDto), (status = 404, body = ErrorBody)))]
async fn cancel_registration(
    c: Ctx,
    State(s): State<AppState>,
    Path(cancel_token): Path<String>,
) -> AppResult<Json<RegistrationDto>> {
    svc::cancel_registration(&s.store, &cancel_token, &c.base).await?;
    let (r, _) = svc::ticket(&s.store, &cancel_token).await?;
    Ok(Json(reg_dto(r, None)))
}

#[derive(Deserialize, ToSchema)]
pub struct CheckInBody {
    /// The ticket code (any case; dashes and spaces ignored).
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckInDto {
    /// checked-in, already, cancelled or waitlisted
    pub result: String,
    pub name: String,
    /// She joined the lab's network with this check-in.
    pub new_member: bool,
}

/// Check a ticket in at the door (staff of the event's lab).
#[utoipa::path(post, path = "/api/v1/events/{id}/checkins", tag = "events", security(("bearer" = [])), request_body = CheckInBody,
    responses((status = 200, body = CheckInDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check_in(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<CheckInBody>,
) -> AppResult<Json<CheckInDto>> {
    c.require_user()?;
    let e = svc::event_for(&s.store, &c.actor, path_id(&id)?, Action::CheckIn).await?;
    let out = svc::check_in(&s.store, &c.actor, &e, None, Some(&body.code)).await?;
    let (result, name, new_member) = match out {
        CheckIn::Done { name, new_member } => ("checked-in", name, new_member),
        CheckIn::Already { name } => ("already", name, false),
        CheckIn::Cancelled { name } => ("cancelled", name, false),
        CheckIn::Waitlisted { name } => ("waitlisted", name, false),
    };
    Ok(Json(CheckInDto {
        result: result.into(),
        name,
        new_member,
    }))
}

/// The Open Badges assertion URLs of a person (herself, or the coordinators of her lab).
#[utoipa::path(get, path = "/api/v1/people/{id}/badges", tag = "people", security(("bearer" = [])),
    responses((status = 200, body = Vec<String>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn person_badges(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<String>>> {
    c.require_user()?;
    let badges =
        crate::services::training::assertions_of(&s.store, &c.actor, path_id(&id)?).await?;
    Ok(Json(
        badges
            .into_iter()
            .map(|a| format!("{}/badges/assertions/{}", c.base, a.id))
            .collect(),
    ))
}
