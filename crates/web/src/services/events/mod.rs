//! Open events: creating and editing them, public registration with capacity and a waiting list,
//! self-cancellation with promotion of the next person, check-in at the door (which makes her a
//! network member), walk-ins, ambassadors. Messages are queued in the same transaction.
mod reads;

pub use reads::*;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::base::{allow, commit, entry, limit, number, signed_in};
use chrono::{DateTime, Duration, Utc};
use domain::{
    Action, Actor, EventId, EventKind, EventScope, Gender, LabId, Language, MemberId, PersonId,
    PersonName, Phone, RegistrationId, RegistrationStatus, names,
};
use serde::Deserialize;
use store::events::{Event, EventFields, Registration};
use store::{Store, audit};

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EventInput {
    /// master-class, seminar, thematic-evening, fair, other
    pub kind: String,
    /// lab or network
    pub scope: String,
    pub title: String,
    pub description: String,
    /// 2026-11-23 or 23.11.2026 (Bishkek)
    pub date: String,
    /// 14:00
    pub starts: String,
    pub ends: String,
    pub place: String,
    /// ky, ru or en
    pub language: String,
    pub capacity: String,
    /// "on" to publish
    pub published: String,
    /// The version the edit form was opened on (the event's sequence); a save onto a newer
    /// version answers a conflict.
    pub version: String,
}

impl EventInput {
    /// What the new-event form starts with. (`Default` leaves check boxes off, as a browser
    /// sends nothing for an unticked box.)
    pub fn blank() -> Self {
        Self {
            kind: "master-class".into(),
            scope: "lab".into(),
            title: String::new(),
            description: String::new(),
            date: String::new(),
            starts: "14:00".into(),
            ends: "16:00".into(),
            place: String::new(),
            language: "ky".into(),
            capacity: "20".into(),
            published: "on".into(),
            version: String::new(),
        }
    }

    pub fn from_event(e: &Event) -> Self {
        let local = |t: DateTime<Utc>| t.with_timezone(&domain::time::bishkek());
        Self {
            kind: e.kind.code().into(),
            scope: e.scope.code().into(),
            title: e.title.clone(),
            description: e.description.clone(),
            date: local(e.starts_at).format("%Y-%m-%d").to_string(),
            starts: local(e.starts_at).format("%H:%M").to_string(),
            ends: local(e.ends_at).format("%H:%M").to_string(),
            place: e.place.clone(),
            language: e.language.clone(),
            capacity: e.capacity.to_string(),
            published: if e.published {
                "on".into()
            } else {
                String::new()
            },
            version: e.sequence.to_string(),
        }
    }
}

fn validate_event(input: &EventInput) -> Result<EventFields, Vec<(String, String)>> {
    let mut errs = vec![];
    let kind = EventKind::parse(&input.kind);
    if kind.is_none() {
        errs.push(("kind".into(), "err-choice".into()));
    }
    let scope = EventScope::parse(&input.scope);
    if scope.is_none() {
        errs.push(("scope".into(), "err-choice".into()));
    }
    let title = limit("title", &input.title, 120, &mut errs);
    if title.is_empty() {
        errs.push(("title".into(), "err-required".into()));
    }
    let description = limit("description", &input.description, 4000, &mut errs);
    let place = limit("place", &input.place, 200, &mut errs);
    let language = Language::parse(&input.language);
    if language.is_none() {
        errs.push(("language".into(), "err-choice".into()));
    }
    let capacity = number(
        "capacity",
        &input.capacity,
        1..=10_000,
        "err-capacity",
        &mut errs,
    );
    let when = super::training::interval(&input.date, &input.starts, &input.ends, &mut errs);
    match (kind, scope, language, capacity, when) {
        (Some(kind), Some(scope), Some(language), Some(capacity), Some((starts_at, ends_at)))
            if errs.is_empty() =>
        {
            Ok(EventFields {
                scope,
                kind,
                title,
                description,
                starts_at,
                ends_at,
                place,
                language: language.code().into(),
                capacity,
                published: matches!(input.published.as_str(), "on" | "true"),
            })
        }
        _ => Err(errs),
    }
}

/// An event the actor may manage, or 404.
pub async fn event_for(
    store: &Store,
    actor: &Actor,
    id: EventId,
    action: fn(LabId) -> Action,
) -> AppResult<Event> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    match store::events::get_event(&mut c, id).await? {
        Some(e) if actor.allows(action(e.lab_id)) => Ok(e),
        _ => Err(AppError::NotFound),
    }
}

/// A published event anyone may see, or 404 (drafts exist only for the lab's staff).
pub async fn public_event(store: &Store, actor: &Actor, id: EventId) -> AppResult<Event> {
    let mut c = store.conn().await?;
    match store::events::get_event(&mut c, id).await? {
        Some(e) if e.published || actor.allows(Action::ManageEvents(e.lab_id)) => Ok(e),
        _ => Err(AppError::NotFound),
    }
}

pub async fn create_event(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    input: &EventInput,
) -> AppResult<EventId> {
    allow(actor, Action::ManageEvents(lab))?;
    let f = validate_event(input).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    let id = store::events::insert(&mut tx, lab, &f, actor.user_id).await?;
    commit(tx, entry(actor, "event.create", "event", id, Some(lab))).await?;
    Ok(id)
}

/// Saves changes; more seats promote people from the waiting list.
pub async fn update_event(
    store: &Store,
    actor: &Actor,
    event: &Event,
    input: &EventInput,
    base: &str,
) -> AppResult<()> {
    if !actor.allows(Action::ManageEvents(event.lab_id)) {
        return Err(AppError::NotFound);
    }
    let f = validate_event(input).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    store::events::lock(&mut tx, event.id).await?;
    // Two coordinators editing the same event: the later save must not undo the earlier.
    if !input.version.is_empty() {
        let now = store::events::get_event(&mut tx, event.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if now.sequence.to_string() != input.version {
            return Err(AppError::Conflict(crate::services::people::EDIT_CONFLICT));
        }
    }
    store::events::update(&mut tx, event.id, &f).await?;
    let fresh = store::events::get_event(&mut tx, event.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !fresh.cancelled && !fresh.is_past() {
        for r in store::events::promote(&mut tx, &fresh).await? {
            queue_promoted(&mut tx, &fresh, &r, base).await?;
        }
        // Reminders were written for the old time and place: when those change, write them again,
        // each with a new private link to her ticket (where she can cancel).
        let moved = fresh.starts_at != event.starts_at || fresh.place != event.place;
        for r in store::events::registrations(&mut tx, fresh.id).await? {
            if !moved {
                break;
            }
            if r.status == RegistrationStatus::Confirmed && r.checked_in_at.is_none() {
                store::jobs::drop_pending(&mut tx, &format!("reminder:{}", r.id)).await?;
                if reachable(&mut tx, &r).await? {
                    let link = new_ticket_link(&mut tx, &r, base).await?;
                    queue_reminder(&mut tx, &fresh, &r, &link).await?;
                }
            }
        }
    }
    commit(
        tx,
        entry(actor, "event.update", "event", event.id, Some(event.lab_id)),
    )
    .await?;
    Ok(())
}

pub async fn cancel_event(store: &Store, actor: &Actor, event: &Event) -> AppResult<()> {
    if !actor.allows(Action::ManageEvents(event.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    if !store::events::set_cancelled(&mut tx, event.id).await? {
        // Already cancelled (a second tap): nobody is told twice.
        return Ok(());
    }
    for r in store::events::registrations(&mut tx, event.id).await? {
        store::jobs::drop_pending(&mut tx, &format!("reminder:{}", r.id)).await?;
        if r.status != RegistrationStatus::Cancelled {
            queue_mail(&mut tx, &r, "event-cancelled", event, "", Utc::now(), None).await?;
        }
    }
    commit(
        tx,
        entry(actor, "event.cancel", "event", event.id, Some(event.lab_id)),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegistrationInput {
    /// Her (or his) name as she writes it.
    pub name: String,
    pub phone: String,
    /// Optional; confirmations and reminders are emailed when given.
    pub email: String,
    /// woman, man, other, unspecified (default unspecified).
    pub gender: String,
    /// "on" when the consent box is ticked (pages require it; the API caller vouches for it).
    pub consent: String,
    /// An ambassador's referral code, from her link.
    #[serde(rename = "ref")]
    pub referral: String,
}

pub struct Registered {
    pub registration: Registration,
    /// The private token of her ticket link; shown once, stored only as a hash.
    pub token: String,
}

pub fn token_hash(token: &str) -> String {
    crate::secrets::sha256_hex(token)
}

struct ValidRegistration {
    name: String,
    phone: Phone,
    email: Option<String>,
    gender: Gender,
}

fn validate_registration(
    input: &RegistrationInput,
    require_consent: bool,
) -> Result<ValidRegistration, Vec<(String, String)>> {
    let mut errs = vec![];
    let name = PersonName::parse("name", &input.name)
        .map(|n| n.as_str().to_string())
        .map_err(|e| errs.push((e.field.into(), e.key.into())))
        .ok();
    let phone = Phone::parse(&input.phone)
        .map_err(|e| errs.push((e.field.into(), e.key.into())))
        .ok();
    let email = domain::parse_email(&input.email)
        .map_err(|e| errs.push((e.field.into(), e.key.into())))
        .ok()
        .flatten();
    let gender = if input.gender.trim().is_empty() {
        Some(Gender::Unspecified)
    } else {
        Gender::parse(&input.gender)
    };
    if gender.is_none() {
        errs.push(("gender".into(), "err-choice".into()));
    }
    if require_consent && !matches!(input.consent.as_str(), "on" | "true") {
        errs.push(("consent".into(), "err-consent-required".into()));
    }
    match (name, phone, gender) {
        (Some(name), Some(phone), Some(gender)) if errs.is_empty() => Ok(ValidRegistration {
            name,
            phone,
            email,
            gender,
        }),
        _ => Err(errs),
    }
}

/// Public registration. The event row is locked first, so concurrent sign-ups are counted one
/// after the other and the seats never overbook; when full she joins the waiting list.
pub async fn register(
    store: &Store,
    event_id: EventId,
    input: &RegistrationInput,
    lang: Lang,
    require_consent: bool,
    base: &str,
) -> AppResult<Registered> {
    let v = validate_registration(input, require_consent).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    store::events::lock(&mut tx, event_id).await?;
    let event = match store::events::get_event(&mut tx, event_id).await? {
        Some(e) if e.published => e,
        _ => return Err(AppError::NotFound),
    };
    if event.cancelled || event.is_past() {
        return Err(AppError::Conflict("err-event-closed"));
    }
    let referred_by = if input.referral.trim().is_empty() {
        None
    } else {
        store::events::member_by_referral(&mut tx, input.referral.trim()).await?
    };
    let confirmed = store::events::count_confirmed(&mut tx, event.id).await?;
    let status = domain::events::place_for(event.capacity as u32, confirmed as u32);
    let (reg, token) =
        insert_with_code(&mut tx, &event, &v, status, false, referred_by, lang).await?;
    let link = format!("{base}/tickets/{token}");
    let template = match status {
        RegistrationStatus::Confirmed => "event-confirmed",
        _ => "event-waitlisted",
    };
    queue_mail(&mut tx, &reg, template, &event, &link, Utc::now(), None).await?;
    if status == RegistrationStatus::Confirmed {
        queue_reminder(&mut tx, &event, &reg, &link).await?;
    }
    commit(
        tx,
        audit::Entry {
            actor: None,
            action: "registration.create",
            entity: "event",
            entity_id: Some(event.id.to_string()),
            lab: Some(event.lab_id),
            detail: status.code().into(),
        },
    )
    .await?;
    let mut c = store.conn().await?;
    let registration = store::events::by_token(&mut c, &token_hash(&token))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Registered {
        registration,
        token,
    })
}

/// Inserts a registration under a fresh ticket code and a fresh private token; returns the row
/// and the token.
async fn insert_with_code(
    tx: &mut store::AnyConn,
    event: &Event,
    v: &ValidRegistration,
    status: RegistrationStatus,
    walk_in: bool,
    referred_by: Option<MemberId>,
    lang: Lang,
) -> AppResult<(Registration, String)> {
    let token = hex::encode(rand::random::<[u8; 24]>());
    let token_hash = token_hash(&token);
    // A clash of 40-bit codes within one event is rare; try a few before giving up.
    for _ in 0..5 {
        let code = domain::events::ticket_code(rand::random());
        let r = store::events::insert_registration(
            tx,
            &store::events::NewRegistration {
                event: event.id,
                name: &v.name,
                phone: v.phone.as_str(),
                email: v.email.as_deref(),
                gender: v.gender.code(),
                status,
                token_hash: &token_hash,
                ticket_code: &code,
                walk_in,
                referred_by,
                language: lang.code(),
            },
        )
        .await;
        match r {
            Ok(id) => {
                let r = store::events::registration(tx, event.id, id).await?;
                return Ok((r.ok_or(AppError::NotFound)?, token));
            }
            Err(store::StoreError::Conflict("registrations.code")) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict("err-conflict"))
}

/// Queues one of the event's messages for her: over her channels when the registration is hers
/// (a record she can be reached on), else by email to the address she registered with. Rendered
/// in her language when sent; dropped unsent once the event is over.
async fn queue_mail(
    tx: &mut store::AnyConn,
    r: &Registration,
    template: &str,
    event: &Event,
    link: &str,
    at: DateTime<Utc>,
    dedupe: Option<&str>,
) -> AppResult<bool> {
    let when = domain::time::format_datetime(event.starts_at);
    let date = domain::time::format_date(
        event
            .starts_at
            .with_timezone(&domain::time::bishkek())
            .date_naive(),
    );
    let args = [
        ("date", date),
        ("event", event.title.clone()),
        ("when", when),
        ("place", event.place.clone()),
        ("link", link.to_string()),
        ("code", r.ticket_code.clone()),
    ];
    let direct = r.email.as_ref().map(|e| crate::services::messages::Direct {
        email: e.clone(),
        lang: Lang::parse(&r.language).unwrap_or(Lang::Ru).code().into(),
        name: r.name.clone(),
    });
    crate::services::messages::queue(
        tx,
        r.person_id,
        direct,
        Some(event.lab_id),
        template,
        &args,
        crate::services::messages::When {
            at: Some(at),
            expires_at: Some(event.ends_at),
            once: dedupe.map(str::to_string),
        },
    )
    .await
}

/// She can be written to about her registration (her record's channels or her email).
async fn reachable(tx: &mut store::AnyConn, r: &Registration) -> AppResult<bool> {
    if r.email.is_some() {
        return Ok(true);
    }
    match r.person_id {
        Some(p) => crate::services::messages::reachable(tx, p).await,
        None => Ok(false),
    }
}

async fn queue_reminder(
    tx: &mut store::AnyConn,
    event: &Event,
    r: &Registration,
    link: &str,
) -> AppResult<()> {
    let at = (event.starts_at - Duration::hours(24)).max(Utc::now());
    // Named by the day it goes out: a reminder sent on the day itself says "today".
    let template = match domain::events::reminder_day(at, event.starts_at) {
        domain::events::ReminderDay::Today => "event-reminder-today",
        domain::events::ReminderDay::Tomorrow => "event-reminder-tomorrow",
        domain::events::ReminderDay::On(_) => "event-reminder-date",
    };
    queue_mail(
        tx,
        r,
        template,
        event,
        link,
        at,
        Some(&format!("reminder:{}", r.id)),
    )
    .await?;
    Ok(())
}

async fn queue_promoted(
    tx: &mut store::AnyConn,
    event: &Event,
    r: &Registration,
    base: &str,
) -> AppResult<()> {
    // Her first private link is kept only as a hash: the message carries a new one to her ticket,
    // where she sees her seat and can cancel (the first link keeps working too).
    if !reachable(tx, r).await? {
        return Ok(());
    }
    let link = new_ticket_link(tx, r, base).await?;
    queue_mail(tx, r, "event-promoted", event, &link, Utc::now(), None).await?;
    queue_reminder(tx, event, r, &link).await
}

/// A new private link to her ticket, for a message written after her registration.
async fn new_ticket_link(
    tx: &mut store::AnyConn,
    r: &Registration,
    base: &str,
) -> AppResult<String> {
    let token = hex::encode(rand::random::<[u8; 24]>());
    store::events::add_ticket_link(tx, r.id, &token_hash(&token)).await?;
    Ok(format!("{base}/tickets/{token}"))
}

/// Her ticket by its private token, or 404.
pub async fn ticket(store: &Store, token: &str) -> AppResult<(Registration, Event)> {
    let mut c = store.conn().await?;
    let r = store::events::by_token(&mut c, &token_hash(token.trim()))
        .await?
        .ok_or(AppError::NotFound)?;
    let e = store::events::get_event(&mut c, r.event_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((r, e))
}

/// She cancels with her private link; the next on the waiting list gets the seat. Returns the
/// promoted registrations. Cancelling twice changes nothing.
pub async fn cancel_registration(
    store: &Store,
    token: &str,
    base: &str,
) -> AppResult<Vec<Registration>> {
    let mut tx = store.begin().await?;
    let r = store::events::by_token(&mut tx, &token_hash(token.trim()))
        .await?
        .ok_or(AppError::NotFound)?;
    store::events::lock(&mut tx, r.event_id).await?;
    let event = store::events::get_event(&mut tx, r.event_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::events::cancel(&mut tx, r.id).await? {
        return Ok(vec![]);
    }
    store::jobs::drop_pending(&mut tx, &format!("reminder:{}", r.id)).await?;
    let promoted = if event.cancelled || event.is_past() {
        vec![]
    } else {
        store::events::promote(&mut tx, &event).await?
    };
    for p in &promoted {
        queue_promoted(&mut tx, &event, p, base).await?;
    }
    commit(
        tx,
        audit::Entry {
            actor: None,
            action: "registration.cancel",
            entity: "event",
            entity_id: Some(event.id.to_string()),
            lab: Some(event.lab_id),
            detail: format!("promoted {}", promoted.len()),
        },
    )
    .await?;
    Ok(promoted)
}

/// Finds or creates the person behind a registration in the event's lab: the same phone in the
/// lab is the same person; otherwise a new record (name split at the last space).
async fn person_for(
    tx: &mut store::AnyConn,
    actor: &Actor,
    event: &Event,
    r: &Registration,
) -> AppResult<PersonId> {
    let (given, family) = match r.name.rsplit_once(' ') {
        Some((g, f)) => (g.to_string(), f.to_string()),
        None => (r.name.clone(), String::new()),
    };
    let fields = store::people::PersonFields {
        family_name: family,
        given_name: given,
        name_latin: names::transliterate(&r.name),
        phone: Some(r.phone.clone()),
        email: r.email.clone(),
        gender: r.gender.clone(),
        family_support: "unknown".into(),
        ..Default::default()
    };
    if let Some(p) = store::events::person_by_phone(tx, event.lab_id, &r.phone).await? {
        return Ok(p);
    }
    let id = store::people::insert(tx, event.lab_id, &fields, actor.user_id).await?;
    store::people::add_consent(
        tx,
        id,
        domain::CONSENT_VERSION,
        domain::LegalBasis::Consent.code(),
        &r.language,
        domain::time::today(),
        actor.user_id,
    )
    .await?;
    audit::record(
        tx,
        entry(actor, "person.create", "person", id, Some(event.lab_id))
            .with_detail("event check-in"),
    )
    .await?;
    Ok(id)
}

pub enum CheckIn {
    /// Checked in now; `new_member` when she joined the lab's network with it.
    Done { name: String, new_member: bool },
    /// This ticket was already used.
    Already { name: String },
    /// A cancelled registration cannot be checked in.
    Cancelled { name: String },
    /// She is on the waiting list: no seat is hers yet.
    Waitlisted { name: String },
}

/// Checks a registration in (by id or by ticket code) and makes her a network member.
pub async fn check_in(
    store: &Store,
    actor: &Actor,
    event: &Event,
    id: Option<RegistrationId>,
    code: Option<&str>,
) -> AppResult<CheckIn> {
    if !actor.allows(Action::CheckIn(event.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let r = match (id, code) {
        (Some(id), _) => store::events::registration(&mut tx, event.id, id).await?,
        (None, Some(code)) => {
            store::events::by_code(&mut tx, event.id, &domain::events::normalise_code(code)).await?
        }
        _ => None,
    }
    .ok_or(AppError::Invalid(vec![(
        "code".into(),
        "err-ticket-unknown".into(),
    )]))?;
    if event.cancelled {
        return Err(AppError::Conflict("err-event-closed"));
    }
    match r.status {
        RegistrationStatus::Cancelled => return Ok(CheckIn::Cancelled { name: r.name }),
        RegistrationStatus::Waitlisted => return Ok(CheckIn::Waitlisted { name: r.name }),
        RegistrationStatus::Confirmed => {}
    }
    let out = admit(&mut tx, actor, event, &r).await?;
    tx.commit().await?;
    Ok(out)
}

async fn admit(
    tx: &mut store::AnyConn,
    actor: &Actor,
    event: &Event,
    r: &Registration,
) -> AppResult<CheckIn> {
    if !store::events::check_in(tx, r.id, actor.user_id).await? {
        return Ok(CheckIn::Already {
            name: r.name.clone(),
        });
    }
    let person = person_for(tx, actor, event, r).await?;
    store::events::set_person(tx, r.id, person).await?;
    let (_, new_member) =
        store::events::ensure_member(tx, event.lab_id, person, r.referred_by).await?;
    audit::record(
        tx,
        entry(
            actor,
            "registration.check-in",
            "person",
            person,
            Some(event.lab_id),
        )
        .with_detail(format!("event {}", event.id)),
    )
    .await?;
    Ok(CheckIn::Done {
        name: r.name.clone(),
        new_member,
    })
}

/// Someone who came without registering: registered and checked in at once (a walk-in may
/// exceed the capacity; the staff at the door decide).
pub async fn walk_in(
    store: &Store,
    actor: &Actor,
    event: &Event,
    input: &RegistrationInput,
    lang: Lang,
) -> AppResult<CheckIn> {
    if !actor.allows(Action::CheckIn(event.lab_id)) {
        return Err(AppError::NotFound);
    }
    if event.cancelled {
        return Err(AppError::Conflict("err-event-closed"));
    }
    let v = validate_registration(input, true).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    store::events::lock(&mut tx, event.id).await?;
    let (r, _) = insert_with_code(
        &mut tx,
        event,
        &v,
        RegistrationStatus::Confirmed,
        true,
        None,
        lang,
    )
    .await?;
    let out = admit(&mut tx, actor, event, &r).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn set_ambassador(
    store: &Store,
    actor: &Actor,
    member: MemberId,
    on: bool,
) -> AppResult<store::labs::Lab> {
    signed_in(actor)?;
    let mut tx = store.begin().await?;
    let m = store::events::member(&mut tx, member)
        .await?
        .ok_or(AppError::NotFound)?;
    if !actor.allows(Action::ManageEvents(m.lab_id)) {
        return Err(AppError::NotFound);
    }
    let code = domain::events::ticket_code(rand::random()).to_lowercase();
    store::events::set_ambassador(&mut tx, member, on, &code).await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "member.ambassador",
            "person",
            m.person_id,
            Some(m.lab_id),
        )
        .with_detail(if on { "on" } else { "off" }),
    )
    .await?;
    let lab = store::labs::lab(&mut tx, m.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(lab)
}
