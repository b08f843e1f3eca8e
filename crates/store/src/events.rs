//! Open events: the events themselves, registrations with capacity and a waiting list, tickets
//! and check-in, network members with ambassadors and referrals, and the monthly counts the
//! impact work reads.
//!
//! Capacity holds under concurrent sign-ups because every registration change first takes the
//! event row for writing ([`lock`]): PostgreSQL blocks the second writer on the row lock and
//! SQLite transactions begin IMMEDIATE, so the count-then-insert pairs run one after the other.
use crate::row::{FromRow, changed, from_row, get, int, one, optional, text, time, ts};
use crate::{Result, now, on_conflict};
use chrono::{DateTime, Utc};
use domain::{
    EventId, EventKind, EventScope, LabId, MemberId, PersonId, RegistrationId, RegistrationStatus,
    UserId,
};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: EventId,
    pub lab_id: LabId,
    pub scope: EventScope,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub language: String,
    pub capacity: i64,
    pub published: bool,
    pub cancelled: bool,
    pub sequence: i64,
    pub updated_at: DateTime<Utc>,
    /// Seats taken and people waiting (filled by the list queries).
    pub confirmed: i64,
    pub waiting: i64,
}

impl Event {
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.confirmed).max(0)
    }
    pub fn is_past(&self) -> bool {
        self.ends_at < Utc::now()
    }
}

from_row! {
    Event |r| id, lab_id, scope, kind, title, description, starts_at, ends_at, place, language,
    capacity, published, cancelled, sequence, updated_at, confirmed, waiting
}

const ECOLS: &str = "e.id, e.lab_id, e.scope, e.kind, e.title, e.description, e.starts_at, e.ends_at, e.place, e.language, e.capacity, e.published, e.cancelled, e.sequence, e.updated_at,
  (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed,
  (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waiting";

/// What a coordinator writes for an event (validated by the service).
#[derive(Debug, Clone)]
pub struct EventFields {
    pub scope: EventScope,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub language: String,
    pub capacity: i64,
    pub published: bool,
}

pub async fn insert(
    c: &mut AnyConnection,
    lab: LabId,
    f: &EventFields,
    by: Option<UserId>,
) -> Result<EventId> {
    let id = EventId::new();
    let t = now();
    let q = crate::dynamic(
        "INSERT INTO events (id, lab_id, scope, kind, title, description, starts_at, ends_at, place, language, capacity, published, cancelled, sequence, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, 0, $13, $14, $14)".to_string(),
    )
    .bind(id.to_string())
    .bind(lab.to_string());
    bind_fields(q, f)
        .bind(by.map(|u| u.to_string()))
        .bind(&t)
        .execute(c)
        .await?;
    Ok(id)
}

/// Binds the fields a coordinator writes, in the order `insert` and `update` list them
/// (scope … published).
fn bind_fields(q: crate::AnyQuery, f: &EventFields) -> crate::AnyQuery {
    q.bind(f.scope.code())
        .bind(f.kind.code())
        .bind(&f.title)
        .bind(&f.description)
        .bind(ts(f.starts_at))
        .bind(ts(f.ends_at))
        .bind(&f.place)
        .bind(&f.language)
        .bind(f.capacity)
        .bind(i64::from(f.published))
}

/// Rewrites an event; the iCalendar SEQUENCE goes up so calendar apps take the change.
pub async fn update(c: &mut AnyConnection, id: EventId, f: &EventFields) -> Result<()> {
    let q = crate::dynamic(
        "UPDATE events SET scope = $2, kind = $3, title = $4, description = $5, starts_at = $6, ends_at = $7, place = $8, language = $9, capacity = $10, published = $11, sequence = sequence + 1, updated_at = $12 WHERE id = $1".to_string(),
    )
    .bind(id.to_string());
    bind_fields(q, f).bind(now()).execute(c).await?;
    Ok(())
}

/// Cancels an event; false when it already was.
pub async fn set_cancelled(c: &mut AnyConnection, id: EventId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE events SET cancelled = 1, sequence = sequence + 1, updated_at = $2 WHERE id = $1 AND cancelled = 0",
    )
    .bind(id.to_string())
    .bind(now());
    changed(c, q).await
}

/// Takes the event row for writing until the transaction ends (see the module doc).
pub async fn lock(c: &mut AnyConnection, id: EventId) -> Result<()> {
    sqlx::query("UPDATE events SET capacity = capacity WHERE id = $1")
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(())
}

pub async fn get_event(c: &mut AnyConnection, id: EventId) -> Result<Option<Event>> {
    one(
        c,
        format!("SELECT {ECOLS} FROM events e WHERE e.id = $1"),
        id,
    )
    .await
}

/// Which events a list shows.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// A lab's own events and the network's; `None` is every lab's.
    pub lab: Option<LabId>,
    /// Drafts too (staff of that lab).
    pub include_drafts: bool,
    /// Only events ending after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events starting before this time.
    pub to: Option<DateTime<Utc>>,
    pub newest_first: bool,
}

pub async fn list(c: &mut AnyConnection, q: &EventQuery) -> Result<Vec<Event>> {
    let mut sql = format!("SELECT {ECOLS} FROM events e WHERE 1 = 1");
    let mut binds: Vec<String> = vec![];
    if let Some(lab) = q.lab {
        binds.push(lab.to_string());
        sql.push_str(&format!(
            " AND (e.lab_id = ${} OR e.scope = 'network')",
            binds.len()
        ));
    }
    match (q.include_drafts, q.lab) {
        // Her own lab's drafts, never another lab's (network events included).
        (true, Some(_)) => sql.push_str(" AND (e.published = 1 OR e.lab_id = $1)"),
        (true, None) => {}
        (false, _) => sql.push_str(" AND e.published = 1"),
    }
    if let Some(from) = q.from {
        binds.push(ts(from));
        sql.push_str(&format!(" AND e.ends_at >= ${}", binds.len()));
    }
    if let Some(to) = q.to {
        binds.push(ts(to));
        sql.push_str(&format!(" AND e.starts_at < ${}", binds.len()));
    }
    sql.push_str(if q.newest_first {
        " ORDER BY e.starts_at DESC"
    } else {
        " ORDER BY e.starts_at"
    });
    let mut query = crate::dynamic(sql);
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(c).await?;
    rows.iter().map(Event::from_row).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Registration {
    pub id: RegistrationId,
    pub event_id: EventId,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub gender: String,
    pub status: RegistrationStatus,
    pub ticket_code: String,
    pub walk_in: bool,
    pub referred_by: Option<MemberId>,
    pub person_id: Option<PersonId>,
    pub language: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Place on the waiting list (1 = next), for waitlisted registrations.
    pub waiting_position: Option<i64>,
}

from_row! {
    Registration |r| id, event_id, name, phone, email, gender, status, ticket_code, walk_in,
    referred_by, person_id, language, checked_in_at, created_at, waiting_position: None
}

const RCOLS: &str = "id, event_id, name, phone, email, gender, status, ticket_code, walk_in, referred_by, person_id, language, checked_in_at, created_at";

pub struct NewRegistration<'a> {
    pub event: EventId,
    pub name: &'a str,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub gender: &'a str,
    pub status: RegistrationStatus,
    pub token_hash: &'a str,
    pub ticket_code: &'a str,
    pub walk_in: bool,
    pub referred_by: Option<MemberId>,
    pub language: &'a str,
}

/// Inserts a registration. `Conflict("registrations.phone")` when this phone already holds a
/// live registration for the event; `Conflict("registrations.code")` on a ticket code clash.
pub async fn insert_registration(
    c: &mut AnyConnection,
    r: &NewRegistration<'_>,
) -> Result<RegistrationId> {
    let id = RegistrationId::new();
    let t = now();
    sqlx::query(
        "INSERT INTO registrations (id, event_id, name, phone, email, gender, status, token_hash, ticket_code, walk_in, referred_by, language, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(id.to_string())
    .bind(r.event.to_string())
    .bind(r.name)
    .bind(r.phone)
    .bind(r.email)
    .bind(r.gender)
    .bind(r.status.code())
    .bind(r.token_hash)
    .bind(r.ticket_code)
    .bind(i64::from(r.walk_in))
    .bind(r.referred_by.map(|m| m.to_string()))
    .bind(r.language)
    .bind(&t)
    .execute(c)
    .await
    .map_err(|e| {
        let msg = e.to_string();
        if msg.contains("ticket_code") {
            on_conflict(e, "registrations.code")
        } else {
            on_conflict(e, "registrations.phone")
        }
    })?;
    Ok(id)
}

pub async fn count_confirmed(c: &mut AnyConnection, event: EventId) -> Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM registrations WHERE event_id = $1 AND status = 'confirmed'",
    )
    .bind(event.to_string())
    .fetch_one(c)
    .await?;
    int(&r, "n")
}

async fn with_position(c: &mut AnyConnection, mut r: Registration) -> Result<Registration> {
    if r.status == RegistrationStatus::Waitlisted {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM registrations WHERE event_id = $1 AND status = 'waitlisted' AND (created_at < $2 OR (created_at = $2 AND id <= $3))",
        )
        .bind(r.event_id.to_string())
        .bind(ts(r.created_at))
        .bind(r.id.to_string())
        .fetch_one(c)
        .await?;
        r.waiting_position = Some(int(&row, "n")?);
    }
    Ok(r)
}

/// Her registration by the hash of any private link she was sent: the first, or one written
/// later ([`add_ticket_link`]).
pub async fn by_token(c: &mut AnyConnection, token_hash: &str) -> Result<Option<Registration>> {
    let row = crate::dynamic(format!(
        "SELECT {RCOLS} FROM registrations WHERE token_hash = $1
          OR id = (SELECT registration_id FROM ticket_links WHERE token_hash = $1)"
    ))
    .bind(token_hash)
    .fetch_optional(&mut *c)
    .await?;
    match row.as_ref().map(Registration::from_row).transpose()? {
        Some(r) => Ok(Some(with_position(c, r).await?)),
        None => Ok(None),
    }
}

/// Adds a private link to her ticket (kept as a hash, like the first).
pub async fn add_ticket_link(
    c: &mut AnyConnection,
    registration: RegistrationId,
    token_hash: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_links (token_hash, registration_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(registration.to_string())
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn registration(
    c: &mut AnyConnection,
    event: EventId,
    id: RegistrationId,
) -> Result<Option<Registration>> {
    optional(
        c,
        crate::dynamic(format!(
            "SELECT {RCOLS} FROM registrations WHERE id = $1 AND event_id = $2"
        ))
        .bind(id.to_string())
        .bind(event.to_string()),
    )
    .await
}

pub async fn by_code(
    c: &mut AnyConnection,
    event: EventId,
    code: &str,
) -> Result<Option<Registration>> {
    optional(
        c,
        crate::dynamic(format!(
            "SELECT {RCOLS} FROM registrations WHERE event_id = $1 AND ticket_code = $2"
        ))
        .bind(event.to_string())
        .bind(code),
    )
    .await
}

/// Every registration of an event, confirmed first, then the waiting list in order.
pub async fn registrations(c: &mut AnyConnection, event: EventId) -> Result<Vec<Registration>> {
    let rows = crate::dynamic(format!(
        "SELECT {RCOLS} FROM registrations WHERE event_id = $1
         ORDER BY CASE status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, created_at, id"
    ))
    .bind(event.to_string())
    .fetch_all(c)
    .await?;
    let mut out: Vec<Registration> = rows
        .iter()
        .map(Registration::from_row)
        .collect::<Result<_>>()?;
    let mut n = 0;
    for r in &mut out {
        if r.status == RegistrationStatus::Waitlisted {
            n += 1;
            r.waiting_position = Some(n);
        }
    }
    Ok(out)
}

/// One page of an event's registrations in the order of [`registrations`] (confirmed, then the
/// waiting list, then cancelled; oldest first, then by id), each waitlisted one with her place
/// on the whole waiting list.
pub async fn registrations_page(
    c: &mut AnyConnection,
    event: EventId,
    limit: i64,
    offset: i64,
) -> Result<Vec<Registration>> {
    let rows = crate::dynamic(format!(
        "SELECT {RCOLS},
           CASE WHEN r.status = 'waitlisted' THEN
             (SELECT COUNT(*) FROM registrations w WHERE w.event_id = r.event_id AND w.status = 'waitlisted'
                AND (w.created_at < r.created_at OR (w.created_at = r.created_at AND w.id <= r.id)))
           END AS waiting_position
         FROM registrations r WHERE r.event_id = $1
         ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, r.created_at, r.id
         LIMIT $2 OFFSET $3"
    ))
    .bind(event.to_string())
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|row| {
            let mut r = Registration::from_row(row)?;
            r.waiting_position = crate::row::opt_int(row, "waiting_position")?;
            Ok(r)
        })
        .collect()
}

/// How many registrations an event has (every status), and how many of them came.
pub async fn registration_counts(c: &mut AnyConnection, event: EventId) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COUNT(checked_in_at) AS came FROM registrations WHERE event_id = $1",
    )
    .bind(event.to_string())
    .fetch_one(c)
    .await?;
    Ok((int(&row, "n")?, int(&row, "came")?))
}

/// Cancels a live registration; false when it already was cancelled or she has come (a seat
/// used is not freed).
pub async fn cancel(c: &mut AnyConnection, id: RegistrationId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE registrations SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status <> 'cancelled' AND checked_in_at IS NULL",
    )
    .bind(id.to_string())
    .bind(now());
    changed(c, q).await
}

/// Moves the head of the waiting list into free seats; returns those promoted. Call with the
/// event locked.
pub async fn promote(c: &mut AnyConnection, event: &Event) -> Result<Vec<Registration>> {
    let confirmed = count_confirmed(c, event.id).await?;
    let free = (event.capacity - confirmed).max(0);
    if free == 0 {
        return Ok(vec![]);
    }
    let rows = crate::dynamic(format!(
        "SELECT {RCOLS} FROM registrations WHERE event_id = $1 AND status = 'waitlisted' ORDER BY created_at, id LIMIT $2"
    ))
    .bind(event.id.to_string())
    .bind(free)
    .fetch_all(&mut *c)
    .await?;
    let mut out = vec![];
    for r in &rows {
        let mut reg = Registration::from_row(r)?;
        sqlx::query("UPDATE registrations SET status = 'confirmed', updated_at = $2 WHERE id = $1")
            .bind(reg.id.to_string())
            .bind(now())
            .execute(&mut *c)
            .await?;
        reg.status = RegistrationStatus::Confirmed;
        out.push(reg);
    }
    Ok(out)
}

/// Marks a confirmed registration as attended; false when it already was or is not confirmed.
/// The conditional update is the claim: of two scans at once, one wins (the row lock on
/// PostgreSQL, the write lock on SQLite) and the other sees `false`.
pub async fn check_in(
    c: &mut AnyConnection,
    id: RegistrationId,
    by: Option<UserId>,
) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE registrations SET checked_in_at = $2, checked_in_by = $3, updated_at = $2 WHERE id = $1 AND checked_in_at IS NULL AND status = 'confirmed'",
    )
    .bind(id.to_string())
    .bind(now())
    .bind(by.map(|u| u.to_string()));
    changed(c, q).await
}

/// Links an attended registration to the person record it became.
pub async fn set_person(c: &mut AnyConnection, id: RegistrationId, person: PersonId) -> Result<()> {
    sqlx::query("UPDATE registrations SET person_id = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(person.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// The person of a lab with this phone number, if any (the oldest record).
pub async fn person_by_phone(
    c: &mut AnyConnection,
    lab: LabId,
    phone: &str,
) -> Result<Option<PersonId>> {
    let row = sqlx::query(
        "SELECT id FROM people WHERE lab_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1",
    )
    .bind(lab.to_string())
    .bind(phone)
    .fetch_optional(c)
    .await?;
    row.as_ref().map(|r| get(r, "id")).transpose()
}

/// Registrations of an event whose name or phone matches, for check-in by name.
pub async fn search_registrations(
    c: &mut AnyConnection,
    event: EventId,
    q: &str,
) -> Result<Vec<Registration>> {
    let key = domain::names::search_key(q);
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let all = registrations(c, event).await?;
    Ok(all
        .into_iter()
        .filter(|r| r.status != RegistrationStatus::Cancelled)
        .filter(|r| {
            let name_key = domain::names::search_key(&r.name);
            (!key.is_empty() && key.split(' ').all(|w| name_key.contains(w)))
                || (digits.len() >= 4 && r.phone.contains(&digits))
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: MemberId,
    pub lab_id: LabId,
    pub person_id: PersonId,
    pub name: String,
    pub phone: Option<String>,
    pub gender: String,
    pub ambassador: bool,
    pub referral_code: Option<String>,
    pub joined_at: DateTime<Utc>,
    /// People who registered through her link and people who became members through it.
    pub referred_registrations: i64,
    pub referred_members: i64,
    pub events_attended: i64,
}

from_row! {
    Member |r| id, lab_id, person_id,
    name: format!("{} {}", text(r, "given_name")?, text(r, "family_name")?), phone, gender,
    ambassador, referral_code, joined_at, referred_registrations, referred_members, events_attended
}

const MCOLS: &str = "m.id, m.lab_id, m.person_id, p.given_name, p.family_name, p.phone, p.gender, m.ambassador, m.referral_code, m.joined_at,
  (SELECT COUNT(*) FROM registrations r WHERE r.referred_by = m.id AND r.status <> 'cancelled') AS referred_registrations,
  (SELECT COUNT(*) FROM network_members x WHERE x.referred_by = m.id) AS referred_members,
  (SELECT COUNT(*) FROM registrations r WHERE r.person_id = m.person_id AND r.checked_in_at IS NOT NULL) AS events_attended";

/// Adds her to the lab's network (once); returns the member id either way.
pub async fn ensure_member(
    c: &mut AnyConnection,
    lab: LabId,
    person: PersonId,
    referred_by: Option<MemberId>,
) -> Result<(MemberId, bool)> {
    let id = MemberId::new();
    let n = sqlx::query(
        "INSERT INTO network_members (id, lab_id, person_id, ambassador, referral_code, referred_by, joined_at) VALUES ($1, $2, $3, 0, NULL, $4, $5)
         ON CONFLICT (lab_id, person_id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(lab.to_string())
    .bind(person.to_string())
    .bind(referred_by.map(|m| m.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await?
    .rows_affected();
    if n == 1 {
        return Ok((id, true));
    }
    let r = sqlx::query("SELECT id FROM network_members WHERE lab_id = $1 AND person_id = $2")
        .bind(lab.to_string())
        .bind(person.to_string())
        .fetch_one(c)
        .await?;
    Ok((get(&r, "id")?, false))
}

/// One page of a lab's members, ambassadors first, then the newest.
pub async fn members(
    c: &mut AnyConnection,
    lab: LabId,
    limit: i64,
    offset: i64,
) -> Result<Vec<Member>> {
    crate::row::all(
        c,
        crate::dynamic(format!(
            "SELECT {MCOLS} FROM network_members m JOIN people p ON p.id = m.person_id WHERE m.lab_id = $1
             AND {}
             ORDER BY m.ambassador DESC, m.joined_at DESC, m.id LIMIT $2 OFFSET $3",
            crate::rights::visible_clause("p")
        ))
        .bind(lab.to_string())
        .bind(limit)
        .bind(offset),
    )
    .await
}

/// How many members a lab has, and how many of them are ambassadors.
pub async fn member_counts(c: &mut AnyConnection, lab: LabId) -> Result<(i64, i64)> {
    // Women who withdrew their consent or were erased are not listed, nor counted in the list.
    let row = crate::dynamic(format!(
        "SELECT COUNT(*) AS n, COUNT(CASE WHEN m.ambassador = 1 THEN 1 END) AS a
         FROM network_members m JOIN people p ON p.id = m.person_id WHERE m.lab_id = $1 AND {}",
        crate::rights::visible_clause("p")
    ))
    .bind(lab.to_string())
    .fetch_one(c)
    .await?;
    Ok((crate::row::int(&row, "n")?, crate::row::int(&row, "a")?))
}

pub async fn member(c: &mut AnyConnection, id: MemberId) -> Result<Option<Member>> {
    one(c, format!(
        "SELECT {MCOLS} FROM network_members m JOIN people p ON p.id = m.person_id WHERE m.id = $1"
    ), id).await
}

pub async fn member_by_referral(c: &mut AnyConnection, code: &str) -> Result<Option<MemberId>> {
    let row =
        sqlx::query("SELECT id FROM network_members WHERE referral_code = $1 AND ambassador = 1")
            .bind(code.to_lowercase())
            .fetch_optional(c)
            .await?;
    row.as_ref().map(|r| get(r, "id")).transpose()
}

/// Makes her an ambassador (with a referral code) or ends it (the code stops working).
pub async fn set_ambassador(
    c: &mut AnyConnection,
    id: MemberId,
    on: bool,
    code: &str,
) -> Result<bool> {
    let n = if on {
        sqlx::query(
            "UPDATE network_members SET ambassador = 1, referral_code = COALESCE(referral_code, $2) WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(code)
        .execute(c)
        .await?
    } else {
        sqlx::query("UPDATE network_members SET ambassador = 0 WHERE id = $1")
            .bind(id.to_string())
            .execute(c)
            .await?
    }
    .rows_affected();
    Ok(n > 0)
}

/// One month of one lab's event life.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MonthCounts {
    pub lab_id: LabId,
    /// `2026-11`
    pub month: String,
    pub events_held: i64,
    pub attendance: i64,
    pub new_members: i64,
}

/// Events held (published, not cancelled, already started), people checked in, and new network
/// members, by lab and month (Bishkek time), oldest first.
pub async fn monthly_counts(c: &mut AnyConnection, lab: Option<LabId>) -> Result<Vec<MonthCounts>> {
    use std::collections::BTreeMap;
    let lab_filter = lab.map(|l| l.to_string());
    let mut map: BTreeMap<(String, String), MonthCounts> = BTreeMap::new();
    let month = |t: DateTime<Utc>| {
        t.with_timezone(&domain::time::bishkek())
            .format("%Y-%m")
            .to_string()
    };
    let events = sqlx::query(
        "SELECT e.lab_id, e.starts_at, (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL) AS attended
         FROM events e WHERE e.published = 1 AND e.cancelled = 0 AND e.starts_at <= $1",
    )
    .bind(now())
    .fetch_all(&mut *c)
    .await?;
    for r in &events {
        let lab_id: String = text(r, "lab_id")?;
        if lab_filter.as_ref().is_some_and(|l| *l != lab_id) {
            continue;
        }
        let m = month(time(r, "starts_at")?);
        let e = map
            .entry((lab_id.clone(), m.clone()))
            .or_insert_with(|| MonthCounts {
                lab_id: lab_id.parse().unwrap_or_default(),
                month: m,
                events_held: 0,
                attendance: 0,
                new_members: 0,
            });
        e.events_held += 1;
        e.attendance += int(r, "attended")?;
    }
    let members = sqlx::query("SELECT lab_id, joined_at FROM network_members")
        .fetch_all(&mut *c)
        .await?;
    for r in &members {
        let lab_id: String = text(r, "lab_id")?;
        if lab_filter.as_ref().is_some_and(|l| *l != lab_id) {
            continue;
        }
        let m = month(time(r, "joined_at")?);
        map.entry((lab_id.clone(), m.clone()))
            .or_insert_with(|| MonthCounts {
                lab_id: lab_id.parse().unwrap_or_default(),
                month: m,
                events_held: 0,
                attendance: 0,
                new_members: 0,
            })
            .new_members += 1;
    }
    Ok(map.into_values().collect())
}
