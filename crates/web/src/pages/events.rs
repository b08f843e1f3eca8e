//! Event pages: public lists for the network and each lab, the event page with its registration
//! form, her ticket (QR code, cancel), iCalendar feeds, and for staff the event form, check-in at
//! the door (code, scan, name, walk-in) and the lab's network members with ambassadors.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, PageNo, Path, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::events::{self as svc, CheckIn, EventInput, RegistrationInput};
use crate::services::labs::lab_by_slug;
use crate::services::pager::Pager;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, EventId, MemberId, RegistrationId};
use serde::Deserialize;
use store::events::{Event, Registration};
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
    let v = svc::listing(&s.store, &c.actor, lab.as_ref().map(|l| l.id)).await?;
    Ok(EventsPage {
        labs: v.labs,
        c,
        lab,
        upcoming: v.upcoming,
        past: v.past,
        manage: v.manage,
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
    let lab = lab_by_slug(&s.store, &slug).await?;
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

/// A calendar named `name` of `events`, as the file `filename`.
fn ics(base: &str, name: &str, events: &[(Event, Option<Lab>)], filename: &str) -> Response {
    let items: Vec<_> = events
        .iter()
        .map(|(e, lab)| cal_event(base, e, lab.as_ref()))
        .collect();
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
        documents::ical::calendar(name, &items),
    )
        .into_response()
}

async fn network_ics(c: Ctx, State(s): State<AppState>) -> AppResult<Response> {
    let events = svc::feed(&s.store, None).await?;
    // The feed's name in the subscriber's language (calendar apps show it).
    Ok(ics(&c.base, &c.t("app-name"), &events, "wcl-events.ics"))
}

async fn lab_ics(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let events = svc::feed(&s.store, Some(lab.id)).await?;
    let name = format!("{} · {}", c.t("app-name"), lab.name(c.lang.code()));
    Ok(ics(
        &c.base,
        &name,
        &events,
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
    makers: Vec<store::showcase::Profile>,
}

impl EventPage {
    fn new(c: Ctx, v: svc::EventView, f: RegistrationInput, errors: Errors) -> Self {
        let svc::EventView {
            e,
            lab,
            manage,
            checkin,
            open,
            makers,
        } = v;
        EventPage {
            c,
            e,
            lab,
            f,
            errors,
            manage,
            checkin,
            open,
            makers,
        }
    }
}

/// `/events/{id}` is the page; `/events/{id}.ics` its calendar entry.
async fn event_or_ics(
    c: Ctx,
    State(s): State<AppState>,
    Path(file): Path<String>,
    Query(r): Query<RefQuery>,
) -> AppResult<Response> {
    let (id, ical) = match file.strip_suffix(".ics") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let id: EventId = id.parse().map_err(|_| AppError::NotFound)?;
    let v = svc::event_view(&s.store, &c.actor, id).await?;
    if ical {
        let name = v.e.title.clone();
        let file = format!("event-{}.ics", v.e.id);
        return Ok(ics(&c.base, &name, &[(v.e, Some(v.lab))], &file));
    }
    let f = RegistrationInput {
        referral: clean_ref(&r.referral),
        ..Default::default()
    };
    Ok(EventPage::new(c, v, f, Errors::default()).into_response())
}

async fn register(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<EventId>,
    VerifiedForm(f): VerifiedForm<RegistrationInput>,
) -> AppResult<Response> {
    let v = svc::event_view(&s.store, &c.actor, id).await?;
    s.limits.sign_up(c.ip)?;
    let r = svc::register(&s.store, v.e.id, &f, c.lang, true, &c.base).await;
    let (status, errors) = match r {
        Ok(r) => return Ok(Redirect::to(&format!("/tickets/{}", r.token)).into_response()),
        Err(e) => form_error(e)?,
    };
    Ok((status, EventPage::new(c, v, f, errors)).into_response())
}

/// A refused registration as the form shows it: invalid fields (422), or the phone already
/// registered (409); any other error goes on.
fn form_error(e: AppError) -> AppResult<(StatusCode, Errors)> {
    match e {
        AppError::Invalid(errs) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Errors(errs))),
        AppError::Conflict(k) => Ok((
            StatusCode::CONFLICT,
            Errors(vec![("phone".into(), k.into())]),
        )),
        e => Err(e),
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
    /// The bot is configured: a woman with a record may link Telegram from her ticket.
    telegram: bool,
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
    let telegram = s.channels.telegram.is_some();
    Ok(TicketPage {
        c,
        r,
        e,
        token,
        qr,
        telegram,
    })
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
    /// After a save on a stale version: (field, typed, saved meanwhile) where they differ.
    conflict: Vec<(String, String, String)>,
}

async fn new_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<EventForm> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    c.require(Action::ManageEvents(lab.id))?;
    Ok(EventForm {
        c,
        lab,
        event: None,
        f: EventInput::blank(),
        errors: Errors::default(),
        conflict: vec![],
    })
}

async fn create(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<EventInput>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    respond(
        svc::create_event(&s.store, &c.actor, lab.id, &f).await,
        |id| redirect_with_flash(&format!("/events/{id}"), "flash-saved"),
        async |errors| {
            Ok(EventForm {
                c,
                lab,
                event: None,
                f,
                errors,
                conflict: vec![],
            })
        },
    )
    .await
}

async fn edit_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<EventId>,
) -> AppResult<EventForm> {
    let v = svc::managed(&s.store, &c.actor, id, Action::ManageEvents).await?;
    Ok(EventForm {
        lab: v.lab,
        f: EventInput::from_event(&v.e),
        event: Some(v.e),
        c,
        errors: Errors::default(),
        conflict: vec![],
    })
}

async fn update(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<EventId>,
    VerifiedForm(f): VerifiedForm<EventInput>,
) -> AppResult<Response> {
    let v = svc::managed(&s.store, &c.actor, id, Action::ManageEvents).await?;
    let to = format!("/events/{}", v.e.id);
    let result = svc::update_event(&s.store, &c.actor, &v.e, &f, &c.base).await;
    if let Err(AppError::Conflict(crate::services::people::EDIT_CONFLICT)) = result {
        // Saved by someone else meanwhile: both versions shown, hers kept in the form, and the
        // new version carried so that saving again is a decision.
        let theirs = EventInput::from_event(&v.e);
        let conflict = super::forms::differences(&f, &theirs);
        let form = EventForm {
            lab: v.lab,
            event: Some(v.e),
            c,
            f: EventInput {
                version: theirs.version.clone(),
                ..f
            },
            errors: Errors::default(),
            conflict,
        };
        return Ok((axum::http::StatusCode::CONFLICT, form).into_response());
    }
    respond(
        result,
        |()| redirect_with_flash(&to, "flash-saved"),
        async |errors| {
            Ok(EventForm {
                lab: v.lab,
                event: Some(v.e),
                c,
                f,
                errors,
                conflict: vec![],
            })
        },
    )
    .await
}

async fn cancel_event(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<EventId>,
    VerifiedForm(_): VerifiedForm<Empty>,
) -> AppResult<Response> {
    let e = svc::event_for(&s.store, &c.actor, id, Action::ManageEvents).await?;
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
    /// One page of the registrations.
    rows: Vec<Registration>,
    pg: Pager,
    checked_in: i64,
    result: Option<(String, String)>,
    walk: RegistrationInput,
    errors: Errors,
}

/// The door page (page `page` of its registrations) after `result` (a check-in's outcome), with
/// the walk-in form as typed. After a post it shows the first page.
#[allow(clippy::too_many_arguments)]
async fn checkin_view(
    c: Ctx,
    s: &AppState,
    e: Event,
    q: CheckinQuery,
    page: i64,
    result: Option<(String, String)>,
    walk: RegistrationInput,
    errors: Errors,
) -> AppResult<CheckinPage> {
    let door = svc::door_page(&s.store, &c.actor, &e, &q.q, page).await?;
    Ok(CheckinPage {
        checked_in: door.checked_in,
        c,
        e,
        code: domain::events::normalise_code(&q.code),
        q: q.q,
        found: door.found,
        rows: door.rows,
        pg: door.pager,
        result,
        walk,
        errors,
    })
}

async fn checkin_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<EventId>,
    Query(q): Query<CheckinQuery>,
    PageNo(page): PageNo,
) -> AppResult<CheckinPage> {
    let e = svc::event_for(&s.store, &c.actor, id, Action::CheckIn).await?;
    checkin_view(c, &s, e, q, page, None, <_>::default(), <_>::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckinForm {
    code: String,
    registration: String,
}

fn outcome(c: &Ctx, o: CheckIn) -> (String, String) {
    let (level, key, name) = match o {
        CheckIn::Done { name, new_member } => (
            "ok",
            if new_member {
                "checkin-done-new"
            } else {
                "checkin-done"
            },
            name,
        ),
        CheckIn::Already { name } => ("warn", "checkin-already", name),
        CheckIn::Cancelled { name } => ("warn", "checkin-cancelled", name),
        CheckIn::Waitlisted { name } => ("warn", "checkin-waitlisted", name),
    };
    (level.into(), c.t1(key, "name", &name))
}

async fn checkin(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<EventId>,
    VerifiedForm(f): VerifiedForm<CheckinForm>,
) -> AppResult<Response> {
    let e = svc::event_for(&s.store, &c.actor, id, Action::CheckIn).await?;
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
    let page = checkin_view(c, &s, e, q, 0, result, <_>::default(), errors).await?;
    Ok((status, page).into_response())
}

async fn walk_in(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<EventId>,
    VerifiedForm(f): VerifiedForm<RegistrationInput>,
) -> AppResult<Response> {
    let e = svc::event_for(&s.store, &c.actor, id, Action::CheckIn).await?;
    let (status, result, walk, errors) =
        match svc::walk_in(&s.store, &c.actor, &e, &f, c.lang).await {
            Ok(o) => (
                StatusCode::OK,
                Some(outcome(&c, o)),
                <_>::default(),
                <_>::default(),
            ),
            Err(err) => {
                let (status, errors) = form_error(err)?;
                (status, None, f, errors)
            }
        };
    let page = checkin_view(c, &s, e, <_>::default(), 0, result, walk, errors).await?;
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
struct MembersPage {
    c: Ctx,
    lab: Lab,
    v: svc::Members,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    page: i64,
}

async fn members(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<MembersPage> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let v = svc::members(&s.store, &c.actor, lab.id, q.page).await?;
    Ok(MembersPage { c, lab, v })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AmbassadorForm {
    on: String,
}

async fn ambassador(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<MemberId>,
    VerifiedForm(f): VerifiedForm<AmbassadorForm>,
) -> AppResult<Response> {
    let lab = svc::set_ambassador(&s.store, &c.actor, id, f.on == "on").await?;
    Ok(redirect_with_flash(
        &format!("/labs/{}/members", lab.slug),
        "flash-saved",
    ))
}

impl super::forms::Fields for EventInput {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let x = self;
        vec![
            ("title", x.title.clone()),
            ("kind", x.kind.clone()),
            ("scope", x.scope.clone()),
            ("description", x.description.clone()),
            ("date", x.date.clone()),
            ("starts", x.starts.clone()),
            ("ends", x.ends.clone()),
            ("place", x.place.clone()),
            ("language", x.language.clone()),
            ("capacity", x.capacity.clone()),
            ("published", x.published.clone()),
        ]
    }
}
