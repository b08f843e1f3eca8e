//! Her channels (in her order, with the date of her consent), her language for messages, the
//! one-time codes that link a Telegram chat, what was sent to her over which channel, and the
//! group messages of a lab. The outbox itself is the jobs table (kind [`JOB_KIND`]).
use crate::row::{all, changed, col, from_row, many, one, ts};
use crate::{Result, now};
use chrono::{DateTime, Utc};
use domain::messages::{Audience, Channel};
use domain::{LabId, PersonId, UserId};
use sqlx::AnyConnection;

/// The kind of the jobs that carry a message.
pub const JOB_KIND: &str = "message";

/// One of her channels as she set it.
#[derive(Debug, Clone)]
pub struct ChannelPref {
    pub channel: Channel,
    pub position: i64,
    pub consent_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// The Telegram chat the bot writes to (never shown to staff).
    pub telegram_chat: Option<String>,
}

impl ChannelPref {
    /// She agreed to it and has not stopped it.
    pub fn active(&self) -> bool {
        self.consent_at.is_some() && self.stopped_at.is_none()
    }
}

from_row! {
    ChannelPref |r| channel: col::<String>(r, "channel").ok().and_then(|c| Channel::parse(&c)).ok_or_else(|| crate::StoreError::Corrupt("message_channels.channel".into()))?,
    position, consent_at, stopped_at, telegram_chat
}

/// Her channels, in her order of preference.
pub async fn channels(c: &mut AnyConnection, person: PersonId) -> Result<Vec<ChannelPref>> {
    many(
        c,
        "SELECT channel, position, consent_at, stopped_at, telegram_chat FROM message_channels WHERE person_id = $1 ORDER BY position, channel",
        person,
    )
    .await
}

/// Sets one channel: its place in her order, and whether she agrees to it now. Agreeing records
/// the date (kept if she had already agreed); not agreeing stops it.
pub async fn set_channel(
    c: &mut AnyConnection,
    person: PersonId,
    channel: Channel,
    position: i64,
    agreed: bool,
) -> Result<()> {
    let t = now();
    let existing: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT consent_at, stopped_at FROM message_channels WHERE person_id = $1 AND channel = $2",
    )
    .bind(person.to_string())
    .bind(channel.code())
    .fetch_optional(&mut *c)
    .await?;
    match existing {
        None => {
            sqlx::query(
                "INSERT INTO message_channels (person_id, channel, position, consent_at, stopped_at, updated_at)
                 VALUES ($1, $2, $3, $4, NULL, $5)",
            )
            .bind(person.to_string())
            .bind(channel.code())
            .bind(position)
            .bind(agreed.then(|| t.clone()))
            .bind(&t)
            .execute(&mut *c)
            .await?;
        }
        Some((consent, stopped)) => {
            let was_active = consent.is_some() && stopped.is_none();
            let (consent, stopped) = match (agreed, was_active) {
                (true, true) => (consent, None),
                (true, false) => (Some(t.clone()), None),
                (false, true) => (consent, Some(t.clone())),
                (false, false) => (consent, stopped),
            };
            sqlx::query(
                "UPDATE message_channels SET position = $3, consent_at = $4, stopped_at = $5, updated_at = $6
                 WHERE person_id = $1 AND channel = $2",
            )
            .bind(person.to_string())
            .bind(channel.code())
            .bind(position)
            .bind(consent)
            .bind(stopped)
            .bind(&t)
            .execute(&mut *c)
            .await?;
        }
    }
    Ok(())
}

/// Stops one channel now (she may agree again later); whether it was active.
pub async fn stop_channel(
    c: &mut AnyConnection,
    person: PersonId,
    channel: Channel,
) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE message_channels SET stopped_at = $3, updated_at = $3
         WHERE person_id = $1 AND channel = $2 AND consent_at IS NOT NULL AND stopped_at IS NULL",
    )
    .bind(person.to_string())
    .bind(channel.code())
    .bind(now());
    changed(c, q).await
}

/// Links a Telegram chat to her: the Telegram channel, agreed now, first in her order unless she
/// has placed it already.
pub async fn link_telegram(c: &mut AnyConnection, person: PersonId, chat: &str) -> Result<()> {
    // A chat belongs to one person: linking it elsewhere unlinks it here.
    sqlx::query(
        "UPDATE message_channels SET telegram_chat = NULL, stopped_at = $2, updated_at = $2
         WHERE channel = 'telegram' AND telegram_chat = $1 AND person_id <> $3",
    )
    .bind(chat)
    .bind(now())
    .bind(person.to_string())
    .execute(&mut *c)
    .await?;
    let has = channels(c, person)
        .await?
        .iter()
        .any(|p| p.channel == Channel::Telegram);
    if !has {
        set_channel(c, person, Channel::Telegram, 0, true).await?;
    } else {
        let pos = channels(c, person)
            .await?
            .iter()
            .find(|p| p.channel == Channel::Telegram)
            .map(|p| p.position)
            .unwrap_or(0);
        set_channel(c, person, Channel::Telegram, pos, true).await?;
    }
    sqlx::query(
        "UPDATE message_channels SET telegram_chat = $3 WHERE person_id = $1 AND channel = $2",
    )
    .bind(person.to_string())
    .bind(Channel::Telegram.code())
    .bind(chat)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// `/stop` from a chat: its Telegram channel stops and forgets the chat. Whose it was.
pub async fn unlink_telegram_chat(c: &mut AnyConnection, chat: &str) -> Result<Option<PersonId>> {
    let who: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM message_channels WHERE channel = 'telegram' AND telegram_chat = $1",
    )
    .bind(chat)
    .fetch_optional(&mut *c)
    .await?;
    let Some(who) = who else { return Ok(None) };
    sqlx::query(
        "UPDATE message_channels SET telegram_chat = NULL,
                stopped_at = CASE WHEN stopped_at IS NULL THEN $2 ELSE stopped_at END, updated_at = $2
         WHERE channel = 'telegram' AND telegram_chat = $1",
    )
    .bind(chat)
    .bind(now())
    .execute(&mut *c)
    .await?;
    Ok(who.parse().ok())
}

/// Whose chat this is.
pub async fn person_of_chat(c: &mut AnyConnection, chat: &str) -> Result<Option<PersonId>> {
    let who: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM message_channels WHERE channel = 'telegram' AND telegram_chat = $1",
    )
    .bind(chat)
    .fetch_optional(&mut *c)
    .await?;
    Ok(who.and_then(|w| w.parse().ok()))
}

/// The language she is written to in, if she chose one.
pub async fn language(c: &mut AnyConnection, person: PersonId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT language FROM message_prefs WHERE person_id = $1")
            .bind(person.to_string())
            .fetch_optional(c)
            .await?,
    )
}

pub async fn set_language(c: &mut AnyConnection, person: PersonId, lang: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO message_prefs (person_id, language, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (person_id) DO UPDATE SET language = $2, updated_at = $3",
    )
    .bind(person.to_string())
    .bind(lang)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Stores a new one-time link code (its hash) for her, valid until `expires_at`.
pub async fn insert_telegram_code(
    c: &mut AnyConnection,
    person: PersonId,
    code_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO telegram_codes (code_hash, person_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(code_hash)
    .bind(person.to_string())
    .bind(ts(expires_at))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Uses a code once: whose it is, if it is unused and unexpired.
pub async fn use_telegram_code(c: &mut AnyConnection, code_hash: &str) -> Result<Option<PersonId>> {
    let who: Option<String> = sqlx::query_scalar(
        "SELECT person_id FROM telegram_codes WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(code_hash)
    .bind(now())
    .fetch_optional(&mut *c)
    .await?;
    let Some(who) = who else { return Ok(None) };
    let q = sqlx::query(
        "UPDATE telegram_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
    )
    .bind(code_hash)
    .bind(now());
    if !changed(c, q).await? {
        return Ok(None);
    }
    Ok(who.parse().ok())
}

/// One attempt over one channel.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub job_id: String,
    pub person_id: PersonId,
    pub lab_id: Option<LabId>,
    pub group_id: Option<String>,
    pub template: String,
    pub channel: String,
    pub status: String,
    pub body: String,
    pub segments: i64,
    pub error: String,
    pub created_at: DateTime<Utc>,
}

from_row! {
    Delivery |r| id, job_id, person_id, lab_id, group_id, template, channel, status, body, segments,
    error, created_at
}

const DCOLS: &str = "id, job_id, person_id, lab_id, group_id, template, channel, status, body, segments, error, created_at";

pub struct NewDelivery<'a> {
    pub job_id: &'a str,
    pub person_id: PersonId,
    pub lab_id: Option<LabId>,
    pub group_id: Option<&'a str>,
    pub template: &'a str,
    pub channel: &'a str,
    pub status: &'a str,
    pub body: &'a str,
    pub segments: i64,
    pub error: &'a str,
}

pub async fn record(c: &mut AnyConnection, d: &NewDelivery<'_>) -> Result<()> {
    let error: String = d.error.chars().take(300).collect();
    crate::dynamic(format!(
        "INSERT INTO messages ({DCOLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(d.job_id.to_string())
    .bind(d.person_id.to_string())
    .bind(d.lab_id.map(|l| l.to_string()))
    .bind(d.group_id.map(str::to_string))
    .bind(d.template.to_string())
    .bind(d.channel.to_string())
    .bind(d.status.to_string())
    .bind(d.body.to_string())
    .bind(d.segments)
    .bind(error)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// What was sent to her (and tried), newest first.
pub async fn of_person(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Delivery>> {
    many(
        c,
        format!("SELECT {DCOLS} FROM messages WHERE person_id = $1 ORDER BY created_at DESC, id"),
        person,
    )
    .await
}

/// Deliveries of one job (tests and the message centre).
pub async fn of_job(c: &mut AnyConnection, job: &str) -> Result<Vec<Delivery>> {
    many(
        c,
        format!("SELECT {DCOLS} FROM messages WHERE job_id = $1 ORDER BY created_at, id"),
        job,
    )
    .await
}

/// The people an audience names within a lab (each once).
pub async fn audience(
    c: &mut AnyConnection,
    lab: LabId,
    audience: Audience,
    reference: &str,
) -> Result<Vec<PersonId>> {
    let sql = match audience {
        Audience::Cohort => {
            "SELECT DISTINCT r.person_id FROM residencies r JOIN cohorts k ON k.id = r.cohort_id
             WHERE k.lab_id = $1 AND r.cohort_id = $2 AND r.status IN ('accepted', 'active', 'graduated')"
        }
        Audience::Programme => {
            "SELECT DISTINCT e.person_id FROM enrolments e JOIN programmes g ON g.id = e.programme_id
             WHERE g.lab_id = $1 AND g.id = $2"
        }
        Audience::Lab => {
            "SELECT DISTINCT r.person_id FROM residencies r
             WHERE r.lab_id = $1 AND r.status IN ('accepted', 'active')"
        }
        Audience::Event => {
            "SELECT DISTINCT g.person_id FROM registrations g JOIN events v ON v.id = g.event_id
             WHERE v.lab_id = $1 AND v.id = $2 AND g.person_id IS NOT NULL AND g.status <> 'cancelled'"
        }
    };
    let mut q = sqlx::query_scalar(sql).bind(lab.to_string());
    if audience != Audience::Lab {
        q = q.bind(reference);
    }
    let rows: Vec<String> = q.fetch_all(c).await?;
    Ok(rows.into_iter().filter_map(|s| s.parse().ok()).collect())
}

/// Of `people`, those with at least one active channel among `channels` (and, for email or SMS,
/// an address to use), each with the channels that would be tried.
pub async fn reachable(
    c: &mut AnyConnection,
    people: &[PersonId],
    channels: &[Channel],
) -> Result<Vec<(PersonId, Vec<Channel>)>> {
    let mut out = vec![];
    for p in people {
        let prefs = self::channels(c, *p).await?;
        let addr: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT phone, email FROM people WHERE id = $1")
                .bind(p.to_string())
                .fetch_optional(&mut *c)
                .await?;
        let (phone, email) = addr.unwrap_or((None, None));
        let usable: Vec<Channel> = prefs
            .iter()
            .filter(|x| x.active() && channels.contains(&x.channel))
            .filter(|x| match x.channel {
                Channel::Telegram => x.telegram_chat.is_some(),
                Channel::Sms => phone.is_some(),
                Channel::Email => email.is_some(),
            })
            .map(|x| x.channel)
            .collect();
        if !usable.is_empty() {
            out.push((*p, usable));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct GroupMessage {
    pub id: String,
    pub lab_id: LabId,
    pub audience: String,
    pub audience_ref: String,
    pub template: String,
    pub body: String,
    pub channels: String,
    pub recipients: i64,
    pub sms_segments: i64,
    pub sms_cost: i64,
    pub sent_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

from_row! {
    GroupMessage |r| id, lab_id, audience, audience_ref, template, body, channels, recipients,
    sms_segments, sms_cost, sent_by, created_at
}

const GCOLS: &str = "id, lab_id, audience, audience_ref, template, body, channels, recipients, sms_segments, sms_cost, sent_by, created_at";

pub struct NewGroup<'a> {
    pub lab_id: LabId,
    pub audience: Audience,
    pub audience_ref: &'a str,
    pub template: &'a str,
    pub body: &'a str,
    pub channels: &'a [Channel],
    pub recipients: i64,
    pub sms_segments: i64,
    pub sms_cost: i64,
    pub sent_by: Option<UserId>,
}

pub async fn insert_group(c: &mut AnyConnection, g: &NewGroup<'_>) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let channels: Vec<&str> = g.channels.iter().map(|c| c.code()).collect();
    crate::dynamic(format!(
        "INSERT INTO group_messages ({GCOLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(id.clone())
    .bind(g.lab_id.to_string())
    .bind(g.audience.code())
    .bind(g.audience_ref.to_string())
    .bind(g.template.to_string())
    .bind(g.body.to_string())
    .bind(channels.join(","))
    .bind(g.recipients)
    .bind(g.sms_segments)
    .bind(g.sms_cost)
    .bind(g.sent_by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn groups_of_lab(c: &mut AnyConnection, lab: LabId) -> Result<Vec<GroupMessage>> {
    many(
        c,
        format!(
            "SELECT {GCOLS} FROM group_messages WHERE lab_id = $1 ORDER BY created_at DESC LIMIT 50"
        ),
        lab,
    )
    .await
}

pub async fn group(c: &mut AnyConnection, id: &str) -> Result<Option<GroupMessage>> {
    one(
        c,
        format!("SELECT {GCOLS} FROM group_messages WHERE id = $1"),
        id,
    )
    .await
}

/// Group messages a lab sent since `since` (the rate limit).
pub async fn groups_since(c: &mut AnyConnection, lab: LabId, since: DateTime<Utc>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_messages WHERE lab_id = $1 AND created_at > $2",
    )
    .bind(lab.to_string())
    .bind(ts(since))
    .fetch_one(c)
    .await?)
}

/// Deliveries of every message sent to anyone, newest first (the demo and tests).
pub async fn recent(c: &mut AnyConnection, limit: i64) -> Result<Vec<Delivery>> {
    all(
        c,
        crate::dynamic(format!(
            "SELECT {DCOLS} FROM messages ORDER BY created_at DESC LIMIT $1"
        ))
        .bind(limit),
    )
    .await
}

/// Her e-mail address, if she has one (the default channel before she chooses any).
pub async fn email_of(c: &mut AnyConnection, person: PersonId) -> Result<Option<String>> {
    let e: Option<Option<String>> = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
        .bind(person.to_string())
        .fetch_optional(c)
        .await?;
    Ok(e.flatten())
}

/// What a lab's group message may address: its cohorts, programmes and recent events, as
/// (id, name) pairs.
pub async fn audience_choices(
    c: &mut AnyConnection,
    lab: LabId,
) -> Result<[Vec<(String, String)>; 3]> {
    let mut out: [Vec<(String, String)>; 3] = Default::default();
    for (i, sql) in [
        "SELECT id, name FROM cohorts WHERE lab_id = $1 ORDER BY starts_on DESC",
        "SELECT id, title FROM programmes WHERE lab_id = $1 ORDER BY created_at DESC",
        "SELECT id, title FROM events WHERE lab_id = $1 ORDER BY starts_at DESC LIMIT 30",
    ]
    .into_iter()
    .enumerate()
    {
        out[i] = sqlx::query_as(sql)
            .bind(lab.to_string())
            .fetch_all(&mut *c)
            .await?;
    }
    Ok(out)
}

/// Everyone with at least one channel she agreed to and has not stopped.
pub async fn people_with_active_channel(c: &mut AnyConnection) -> Result<Vec<PersonId>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT person_id FROM message_channels WHERE consent_at IS NOT NULL AND stopped_at IS NULL",
    )
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().filter_map(|s| s.parse().ok()).collect())
}

/// A reminder that may be due: its kind, the object it is about, for whom, in which lab, and
/// what the message names (titles in every language where they have them, and when).
#[derive(Debug, Clone)]
pub struct DueReminder {
    /// `cohort-start`, `session-reminder` or `booking-reminder` (the message's template).
    pub kind: &'static str,
    pub object: String,
    pub person: PersonId,
    pub lab: LabId,
    /// (language code or "", title): "" is the title in every language.
    pub titles: Vec<(&'static str, String)>,
    /// A date (`YYYY-MM-DD`, cohorts) or a timestamp (sessions, bookings).
    pub at: String,
}

/// What could be reminded of now: cohorts a woman was accepted into that start between `from`
/// and `to` (dates), and the training sessions of her programmes and her space bookings that
/// start between `after` and `before` (instants). Cancelled ones are left out.
pub async fn due_reminders(
    c: &mut AnyConnection,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    after: DateTime<Utc>,
    before: DateTime<Utc>,
) -> Result<Vec<DueReminder>> {
    let mut out = vec![];
    let cohorts: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT c.id, r.person_id, c.lab_id, c.name, c.starts_on FROM residencies r
         JOIN cohorts c ON c.id = r.cohort_id
         WHERE r.status IN ('accepted', 'active') AND c.starts_on >= $1 AND c.starts_on <= $2
         ORDER BY c.starts_on, c.id, r.person_id",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut *c)
    .await?;
    for (id, person, lab, name, at) in cohorts {
        if let (Ok(person), Ok(lab)) = (person.parse(), lab.parse()) {
            out.push(DueReminder {
                kind: "cohort-start",
                object: id,
                person,
                lab,
                titles: vec![("", name)],
                at,
            });
        }
    }
    let sessions: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT s.id, e.person_id, s.lab_id, p.title, m.title, s.starts_at FROM training_sessions s
         JOIN enrolments e ON e.programme_id = s.programme_id
         JOIN programmes p ON p.id = s.programme_id
         JOIN programme_modules m ON m.id = s.module_id
         WHERE s.cancelled_at IS NULL AND s.starts_at > $1 AND s.starts_at < $2
         ORDER BY s.starts_at, s.id, e.person_id",
    )
    .bind(ts(after))
    .bind(ts(before))
    .fetch_all(&mut *c)
    .await?;
    for (id, person, lab, programme, module, at) in sessions {
        if let (Ok(person), Ok(lab)) = (person.parse(), lab.parse()) {
            let title = if module.trim().is_empty() {
                programme
            } else {
                format!("{programme}: {module}")
            };
            out.push(DueReminder {
                kind: "session-reminder",
                object: id,
                person,
                lab,
                titles: vec![("", title)],
                at,
            });
        }
    }
    let bookings: Vec<(String, String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT b.id, b.person_id, b.lab_id, r.name_ky, r.name_ru, r.name_en, b.starts_at
             FROM space_bookings b JOIN space_resources r ON r.id = b.resource_id
             WHERE b.person_id IS NOT NULL AND b.status = 'booked'
               AND b.starts_at > $1 AND b.starts_at < $2
             ORDER BY b.starts_at, b.id",
    )
    .bind(ts(after))
    .bind(ts(before))
    .fetch_all(&mut *c)
    .await?;
    for (id, person, lab, ky, ru, en, at) in bookings {
        if let (Ok(person), Ok(lab)) = (person.parse(), lab.parse()) {
            out.push(DueReminder {
                kind: "booking-reminder",
                object: id,
                person,
                lab,
                titles: vec![("ky", ky), ("ru", ru), ("en", en)],
                at,
            });
        }
    }
    Ok(out)
}
