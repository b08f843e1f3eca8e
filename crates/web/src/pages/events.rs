//! Event pages: public lists for the network and each lab, the event page with its registration
//! form, her ticket (QR code, cancel), iCalendar feeds, and for staff the event form, check-in at
//! the door (code, scan, name, walk-in) and the lab's network members with ambassadors.
use super::Errors;
use super::labs::lab_or_404;
use crate::ctx::{Ctx, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::events::{self as svc, CheckIn, EventInput, RegistrationInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use domain::{Action, EventId, LabId, MemberId, RegistrationId};
use serde::Deserialize;
use store::events::{Event, EventQuery, Member, MonthCounts, Registration};
use store::labs::Lab;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events", get(network_events))
        .route("/events.ics", get(network_ics))
        .route("/labs/{slug}/events", get(lab_events))
        .route("/labs/{slug}/events.ics", get(lab_ics))
        .route("/labs/{slug}/events/new", get(new_form).post(create))
        .route("/labs/{slug}/members", get(members))
        .route("/members/{id}/ambassador", post(ambassador))
        .route("/events/{file}", get(event_or_ics))
        .route("/events/{id}/register", post(register))
        .route("/events/{id}/edit", get(edit_form).post(update))
        .route("/events/{id}/cancel", post(cancel_event))
        .route("/events/{id}/checkin", get(checkin_page).post(checkin))
        .route("/events/{id}/walk-in", post(walk_in))
        .route("/tickets/{token}", get(ticket))
        .route("/tickets/{token}/cancel", post(cancel_ticket))
}

fn eid(s: &str) -> AppResult<EventId> {
    s.parse().map_err(|_| AppError::NotFound)
}

impl Ctx {
    pub fn when(&self, e: &Event) -> String {
        let b = domain::time::bishkek();
        let s = e.starts_at.with_timezone(&b);
        let end = e.ends_at.with_timezone(&b);
        if s.date_naive() == end.date_naive() {
            format!(
                "{} {}–{}",
                domain::time::format_date(s.date_naive()),
                s.format("%H:%M"),
                end.format("%H:%M")
            )
        } else {
            format!(
                "{} – {}",
                domain::time::format_datetime(e.starts_at),
                domain::time::format_datetime(e.ends_at)
            )
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "events.html")]
struct EventsPage {
    c: Ctx,
    lab: Option<Lab>,
    labs: Vec<Lab>,
    upcoming: Vec<Event>,
    past: Vec<Event>,
    manage: bool,
    referral: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RefQuery {
    #[serde(rename = "ref")]
    referral: String,
}

fn clean_ref(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(16)
        .collect()
}

async fn events_page(
    c: Ctx,
    s: &AppState,
    lab: Option<Lab>,
    referral: String,
) -> AppResult<EventsPage> {
    let mut conn = s.store.conn().await?;
    let manage = lab
        .as_ref()
        .is_some_and(|l| c.actor.allows(Action::ManageEvents(l.id)));
    let q = EventQuery {
        lab: lab.as_ref().map(|l| l.id),
        include_drafts: manage,
        from: Some(Utc::now()),
        ..Default::default()
    };
    let upcoming = store::events::list(&mut conn, &q).await?;
    let past = store::events::list(
        &mut conn,
        &EventQuery {
            from: Some(Utc::now() - chrono::Duration::days(90)),
            to: Some(Utc::now()),
            newest_first: true,
            ..q.clone()
        },
    )
    .await?
    .into_iter()
    .filter(|e| e.is_past())
    .take(20)
    .collect();
    Ok(EventsPage {
        labs: store::labs::list_labs(&mut conn).await?,
        c,
        lab,
        upcoming,
        past,
        manage,
        referral,
    })
}

async fn network_events(
    c: Ctx,
    State(s): State<AppState>,
    Query(r): Query<RefQuery>,
) -> AppResult<EventsPage> {
    events_page(c, &s, None, clean_ref(&r.referral)).await
}

async fn lab_events(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(r): Query<RefQuery>,
) -> AppResult<EventsPage> {
    let lab = lab_or_404(&s, &slug).await?;
    events_page(c, &s, Some(lab), clean_ref(&r.referral)).await
}

fn cal_event(base: &str, e: &Event, lab: Option<&Lab>) -> documents::ical::CalEvent {
    let place = match lab {
        Some(l) if e.place.is_empty() => format!("{}, {}", l.locality, l.address),
        _ => e.place.clone(),
    };
    documents::ical::CalEvent {
        uid: format!("{}@wcl", e.id),
        start: e.starts_at,
        end: e.ends_at,
        summary: e.title.clone(),
        description: e.description.clone(),
        location: place,
        url: Some(format!("{base}/events/{}", e.id)),
        cancelled: e.cancelled,
        sequence: e.sequence as u32,
        updated: e.updated_at,
    }
}

fn ics(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn feed(s: &AppState, base: &str, lab: Option<&Lab>) -> AppResult<String> {
    let mut conn = s.store.conn().await?;
    let events = store::events::list(
        &mut conn,
        &EventQuery {
            lab: lab.map(|l| l.id),
            from: Some(Utc::now() - chrono::Duration::days(60)),
            ..Default::default()
        },
    )
    .await?;
    let labs = store::labs::list_labs(&mut conn).await?;
    let items: Vec<_> = events
        .iter()
        .map(|e| cal_event(base, e, labs.iter().find(|l| l.id == e.lab_id)))
        .collect();
    let name = match lab {
        Some(l) => format!("Women Creative Lab · {}", l.name_en),
        None => "Women Creative Labs".to_string(),
    };
    Ok(documents::ical::calendar(&name, &items))
}

async fn network_ics(c: Ctx, State(s): State<AppState>) -> AppResult<Response> {
    Ok(ics(feed(&s, &c.base, None).await?, "wcl-events.ics"))
}

async fn lab_ics(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let lab = lab_or_404(&s, &slug).await?;
    Ok(ics(
        feed(&s, &c.base, Some(&lab)).await?,
        &format!("wcl-{}.ics", lab.slug),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "event.html")]
struct EventPage {
    c: Ctx,
    e: Event,
    lab: Lab,
    f: RegistrationInput,
    errors: Errors,
    manage: bool,
    checkin: bool,
    open: bool,
}

async fn event_page(
    c: Ctx,
    s: &AppState,
    e: Event,
    f: RegistrationInput,
    errors: Errors,
) -> AppResult<EventPage> {
    let mut conn = s.store.conn().await?;
    let lab = store::labs::lab(&mut conn, e.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(EventPage {
        manage: c.actor.allows(Action::ManageEvents(e.lab_id)),
        checkin: c.actor.allows(Action::CheckIn(e.lab_id)),
        open: e.published && !e.cancelled && !e.is_past(),
        c,
        e,
        lab,
        f,
        errors,
    })
}

/// `/events/{id}` is the page; `/events/{id}.ics` its calendar entry.
async fn event_or_ics(
    c: Ctx,
    State(s): State<AppState>,
    Path(file): Path<String>,
    Query(r): Query<RefQuery>,
) -> AppResult<Response> {
    if let Some(id) = file.strip_suffix(".ics") {
        let e = svc::public_event(&s.store, &c.actor, eid(id)?).await?;
        let mut conn = s.store.conn().await?;
        let lab = store::labs::lab(&mut conn, e.lab_id).await?;
        let body = documents::ical::calendar(&e.title, &[cal_event(&c.base, &e, lab.as_ref())]);
        return Ok(ics(body, &format!("event-{}.ics", e.id)));
    }
    let e = svc::public_event(&s.store, &c.actor, eid(&file)?).await?;
    let f = RegistrationInput {
        referral: clean_ref(&r.referral),
        ..Default::default()
    };
    Ok(event_page(c, &s, e, f, Errors::default())
        .await?
        .into_response())
}

async fn register(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<RegistrationInput>,
) -> AppResult<Response> {
    let e = svc::public_event(&s.store, &c.actor, eid(&id)?).await?;
    s.limits.sign_up(c.ip)?;
    match svc::register(&s.store, e.id, &f, c.lang, true, &c.base).await {
        Ok(r) => Ok(Redirect::to(&format!("/tickets/{}", r.token)).into_response()),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            event_page(c, &s, e, f, Errors(errs)).await?,
        )
            .into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            event_page(c, &s, e, f, Errors(vec![("phone".into(), k.into())])).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ticket.html")]
struct TicketPage {
    c: Ctx,
    r: Registration,
    e: Event,
    token: String,
    qr: String,
}

async fn ticket(
    c: Ctx,
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<TicketPage> {
    let (r, e) = svc::ticket(&s.store, &token).await?;
    // Scanned with any phone camera, the code opens the check-in page with it filled in.
    let qr = documents::qr::qr_svg(&format!(
        "{}/events/{}/checkin?code={}",
        c.base, e.id, r.ticket_code
    ));
    Ok(TicketPage { c, r, e, token, qr })
}

async fn cancel_ticket(
    c: Ctx,
    State(s): State<AppState>,
    Path(token): Path<String>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<Response> {
    svc::cancel_registration(&s.store, &token, &c.base).await?;
    Ok(redirect_with_flash(
        &format!("/tickets/{token}"),
        "flash-registration-cancelled",
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

#[derive(Template, WebTemplate)]
#[template(path = "event_form.html")]
struct EventForm {
    c: Ctx,
    lab: Lab,
    event: Option<Event>,
    f: EventInput,
    errors: Errors,
}

async fn new_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<EventForm> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageEvents(lab.id))?;
    Ok(EventForm {
        c,
        lab,
        event: None,
        f: EventInput::blank(),
        errors: Errors::default(),
    })
}

async fn create(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<EventInput>,
) -> AppResult<Response> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageEvents(lab.id))?;
    match svc::create_event(&s.store, &c.actor, lab.id, &f).await {
        Ok(id) => Ok(redirect_with_flash(&format!("/events/{id}"), "flash-saved")),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            EventForm {
                c,
                lab,
                event: None,
                f,
                errors: Errors(errs),
            },
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn lab_of(s: &AppState, id: LabId) -> AppResult<Lab> {
    let mut conn = s.store.conn().await?;
    store::labs::lab(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn edit_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<EventForm> {
    c.require_user()?;
    let e = svc::event_for(&s.store, &c.actor, eid(&id)?, Action::ManageEvents).await?;
    Ok(EventForm {
        lab: lab_of(&s, e.lab_id).await?,
        f: EventInput::from_event(&e),
        event: Some(e),
        c,
        errors: Errors::default(),
    })
}

async fn update(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<EventInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let e = svc::event_for(&s.store, &c.actor, eid(&id)?, Action::ManageEvents).await?;
    match svc::update_event(&s.store, &c.actor, &e, &f, &c.base).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/events/{}", e.id),
            "flash-saved",
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            EventForm {
                lab: lab_of(&s, e.lab_id).await?,
                event: Some(e),
                c,
                f,
                errors: Errors(errs),
            },
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn cancel_event(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    let e = svc::event_for(&s.store, &c.actor, eid(&id)?, Action::ManageEvents).await?;
    svc::cancel_event(&s.store, &c.actor, &e).await?;
    Ok(redirect_with_flash(
        &format!("/events/{}", e.id),
        "flash-event-cancelled",
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckinQuery {
    code: String,
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "checkin.html")]
struct CheckinPage {
    c: Ctx,
    e: Event,
    code: String,
    q: String,
    found: Vec<Registration>,
    all: Vec<Registration>,
    checked_in: usize,
    result: Option<(String, String)>,
    walk: RegistrationInput,
    errors: Errors,
}

async fn checkin_view(
    c: Ctx,
    s: &AppState,
    e: Event,
    q: CheckinQuery,
    result: Option<(String, String)>,
    walk: RegistrationInput,
    errors: Errors,
) -> AppResult<CheckinPage> {
    let mut conn = s.store.conn().await?;
    let all = store::events::registrations(&mut conn, e.id).await?;
    let found = if q.q.trim().is_empty() {
        vec![]
    } else {
        store::events::search_registrations(&mut conn, e.id, &q.q).await?
    };
    Ok(CheckinPage {
        checked_in: all.iter().filter(|r| r.checked_in_at.is_some()).count(),
        c,
        e,
        code: domain::events::normalise_code(&q.code),
        q: q.q,
        found,
        all,
        result,
        walk,
        errors,
    })
}

async fn checkin_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<CheckinQuery>,
) -> AppResult<CheckinPage> {
    c.require_user()?;
    let e = svc::event_for(&s.store, &c.actor, eid(&id)?, Action::CheckIn).await?;
    checkin_view(
        c,
        &s,
        e,
        q,
        None,
        RegistrationInput::default(),
        Errors::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckinForm {
    code: String,
    registration: String,
}

fn outcome(c: &Ctx, o: CheckIn) -> (String, String) {
    match o {
        CheckIn::Done { name, new_member } => (
            "ok".into(),
            c.t1(
                if new_member {
                    "checkin-done-new"
                } else {
                    "checkin-done"
                },
                "name",
                &name,
            ),
        ),
        CheckIn::Already { name } => ("warn".into(), c.t1("checkin-already", "name", &name)),
        CheckIn::Cancelled { name } => ("warn".into(), c.t1("checkin-cancelled", "name", &name)),
        CheckIn::Waitlisted { name } => ("warn".into(), c.t1("checkin-waitlisted", "name", &name)),
    }
}

async fn checkin(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<CheckinForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let e = svc::event_for(&s.store, &c.actor, eid(&id)?, Action::CheckIn).await?;
    let reg: Option<RegistrationId> = f.registration.parse().ok();
    let code = (!f.code.trim().is_empty()).then_some(f.code.as_str());
    let res = svc::check_in(&s.store, &c.actor, &e, reg, code).await;
    let (status, result, errors) = match res {
        Ok(o) => (StatusCode::OK, Some(outcome(&c, o)), Errors::default()),
        Err(AppError::Invalid(errs)) => (StatusCode::UNPROCESSABLE_ENTITY, None, Errors(errs)),
        Err(e) => return Err(e),
    };
    let q = CheckinQuery {
        code: if errors.any() { f.code } else { String::new() },
        q: String::new(),
    };
    Ok((
        status,
        checkin_view(c, &s, e, q, result, RegistrationInput::default(), errors).await?,
    )
        .into_response())
}

async fn walk_in(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<RegistrationInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let e = svc::event_for(&s.store, &c.actor, eid(&id)?, Action::CheckIn).await?;
    match svc::walk_in(&s.store, &c.actor, &e, &f, c.lang).await {
        Ok(o) => {
            let r = outcome(&c, o);
            Ok(checkin_view(
                c,
                &s,
                e,
                CheckinQuery::default(),
                Some(r),
                RegistrationInput::default(),
                Errors::default(),
            )
            .await?
            .into_response())
        }
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            checkin_view(c, &s, e, CheckinQuery::default(), None, f, Errors(errs)).await?,
        )
            .into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            checkin_view(
                c,
                &s,
                e,
                CheckinQuery::default(),
                None,
                f,
                Errors(vec![("phone".into(), k.into())]),
            )
            .await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
struct MembersPage {
    c: Ctx,
    lab: Lab,
    members: Vec<Member>,
    months: Vec<MonthCounts>,
}

impl MembersPage {
    fn ambassadors(&self) -> usize {
        self.members.iter().filter(|m| m.ambassador).count()
    }
}

async fn members(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<MembersPage> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageEvents(lab.id))?;
    let mut conn = s.store.conn().await?;
    Ok(MembersPage {
        members: store::events::members(&mut conn, lab.id).await?,
        months: store::events::monthly_counts(&mut conn, Some(lab.id)).await?,
        c,
        lab,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AmbassadorForm {
    on: String,
}

async fn ambassador(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<AmbassadorForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let id: MemberId = id.parse().map_err(|_| AppError::NotFound)?;
    let lab = {
        let mut conn = s.store.conn().await?;
        store::events::member(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?
            .lab_id
    };
    svc::set_ambassador(&s.store, &c.actor, id, f.on == "on").await?;
    let lab = lab_of(&s, lab).await?;
    Ok(redirect_with_flash(
        &format!("/labs/{}/members", lab.slug),
        "flash-saved",
    ))
}
