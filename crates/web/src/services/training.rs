//! Training: programmes, modules, sessions, enrolment, attendance, and the certificates that
//! follow from completion. Completion is computed from attendance once the programme's sessions
//! are over: a job queued for the end of each session checks it (see `crate::jobs`), and every
//! later change of attendance or of the sessions checks it again; an assertion is issued the
//! first time it holds.
use super::base::{allow, commit, entry, limit, signed_in};
use crate::error::{AppError, AppResult};
use crate::services::pager::{PAGE_SIZE, Pager};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::{
    Action, Actor, AssertionId, Attendance, CohortId, CompletionRule, LabId, ModuleId, PersonId,
    ProgrammeId, ResidencyStatus, SessionId, Topic, names,
};
use serde::Deserialize;
use std::collections::HashSet;
use store::labs::Lab;
use store::residency::{Cohort, ResidencyRow};
use store::training::{AssertionRow, Enrolee, Module, Programme, Session};
use store::{Store, audit};

/// Loads a programme if the actor may do `action` in its lab; otherwise it does not exist.
pub async fn programme_for(
    store: &Store,
    actor: &Actor,
    id: ProgrammeId,
    action: fn(domain::LabId) -> Action,
) -> AppResult<Programme> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    match store::training::programme(&mut c, id).await? {
        Some(p) if actor.allows(action(p.lab_id)) => Ok(p),
        _ => Err(AppError::NotFound),
    }
}

pub async fn session_for(
    store: &Store,
    actor: &Actor,
    id: SessionId,
    action: fn(domain::LabId) -> Action,
) -> AppResult<Session> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    match store::training::session(&mut c, id).await? {
        Some(s) if actor.allows(action(s.lab_id)) => Ok(s),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProgrammeInput {
    pub title: String,
    pub description: String,
    /// A cohort id of the lab, or empty.
    pub cohort: String,
    /// Percent of sessions to attend, 0-100 (default 80).
    pub min_attendance_pct: String,
    /// "on" when the final module must be attended.
    pub final_module_required: String,
}

impl ProgrammeInput {
    /// What the new-programme form starts with (`Default` leaves the check box off, as a
    /// browser sends nothing for an unticked box).
    pub fn blank() -> Self {
        Self {
            title: String::new(),
            description: String::new(),
            cohort: String::new(),
            min_attendance_pct: "80".into(),
            final_module_required: "on".into(),
        }
    }
}

fn required(field: &'static str, s: &str, max: usize, errs: &mut Vec<(String, String)>) -> String {
    let v = limit(field, s, max, errs);
    if v.is_empty() {
        errs.push((field.into(), "err-required".into()));
    }
    v
}

pub async fn create_programme(
    store: &Store,
    actor: &Actor,
    lab: domain::LabId,
    input: &ProgrammeInput,
) -> AppResult<ProgrammeId> {
    allow(actor, Action::ManageTraining(lab))?;
    let mut errs = vec![];
    let title = required("title", &input.title, 120, &mut errs);
    let description = limit("description", &input.description, 2000, &mut errs);
    let pct = CompletionRule::parse_pct(&input.min_attendance_pct)
        .map_err(|e| errs.push((e.field.into(), e.key.into())))
        .unwrap_or(80);
    let mut tx = store.begin().await?;
    let cohort: Option<CohortId> = if input.cohort.trim().is_empty() {
        None
    } else {
        match input.cohort.trim().parse::<CohortId>() {
            Ok(id) => match store::residency::cohort(&mut tx, id).await? {
                Some(k) if k.lab_id == lab => Some(id),
                _ => {
                    errs.push(("cohort".into(), "err-choice".into()));
                    None
                }
            },
            Err(_) => {
                errs.push(("cohort".into(), "err-choice".into()));
                None
            }
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let id = store::training::insert_programme(
        &mut tx,
        &store::training::NewProgramme {
            lab,
            cohort,
            title: &title,
            description: &description,
            rule: CompletionRule {
                min_attendance_pct: pct,
                final_module_required: matches!(
                    input.final_module_required.as_str(),
                    "on" | "true"
                ),
            },
        },
        actor.user_id,
    )
    .await?;
    commit(
        tx,
        entry(actor, "programme.create", "programme", id, Some(lab)),
    )
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ModuleInput {
    /// A topic of the library (financial-literacy, sewing, ...) or `custom`.
    pub topic: String,
    /// Her own title (required for `custom`, optional otherwise).
    pub title: String,
    /// "on" to make this the final module.
    pub is_final: String,
}

pub async fn add_module(
    store: &Store,
    actor: &Actor,
    programme: &Programme,
    input: &ModuleInput,
) -> AppResult<ModuleId> {
    if !actor.allows(Action::ManageTraining(programme.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut errs = vec![];
    let topic = Topic::parse(&input.topic);
    if topic.is_none() {
        errs.push(("topic".into(), "err-choice".into()));
    }
    let title = limit("title", &input.title, 120, &mut errs);
    if topic == Some(Topic::Custom) && title.is_empty() {
        errs.push(("title".into(), "err-required".into()));
    }
    let (Some(topic), true) = (topic, errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = store.begin().await?;
    let id = store::training::add_module(
        &mut tx,
        programme.id,
        topic,
        &title,
        matches!(input.is_final.as_str(), "on" | "true"),
    )
    .await?;
    commit(
        tx,
        entry(
            actor,
            "module.create",
            "programme",
            programme.id,
            Some(programme.lab_id),
        ),
    )
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SessionInput {
    pub module: String,
    /// 2026-11-23 or 23.11.2026
    pub date: String,
    /// 14:00
    pub starts: String,
    pub ends: String,
    pub room: String,
    pub trainer: String,
    /// The version the edit form was opened on (a digest of the session as it stood); a save
    /// onto a session changed meanwhile is a conflict.
    pub version: String,
}

impl SessionInput {
    /// The edit form, filled from the session as it stands.
    pub fn from_session(s: &Session) -> Self {
        let local = |t: DateTime<Utc>| t.with_timezone(&domain::time::bishkek());
        Self {
            module: s.module_id.to_string(),
            date: local(s.starts_at).format("%Y-%m-%d").to_string(),
            starts: local(s.starts_at).format("%H:%M").to_string(),
            ends: local(s.ends_at).format("%H:%M").to_string(),
            room: s.room.clone(),
            trainer: s.trainer.clone(),
            version: session_version(s),
        }
    }
}

/// A digest of what an edit form shows of a session: its version for conflict checks.
pub fn session_version(s: &Session) -> String {
    let text = format!(
        "{}|{}|{}|{}|{}|{:?}",
        s.module_id, s.starts_at, s.ends_at, s.room, s.trainer, s.cancelled_at
    );
    crate::secrets::sha256_hex(&text)[..16].to_string()
}

/// A local (Bishkek) date and time of day as an instant.
pub fn local_instant(d: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    domain::time::bishkek()
        .from_local_datetime(&d.and_time(t))
        .single()
        .map(|x| x.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_time(t)))
}

pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .or_else(|_| NaiveTime::parse_from_str(s, "%H.%M"))
        .ok()
}

/// Validates a date with start and end times into an interval that ends after it starts.
pub fn interval(
    date: &str,
    starts: &str,
    ends: &str,
    errs: &mut Vec<(String, String)>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let today = domain::time::today();
    let d = match domain::time::parse_date(date) {
        None => {
            errs.push(("date".into(), "err-date".into()));
            None
        }
        Some(d) => domain::time::plausible("date", d, domain::time::DateSpan::Planned, today)
            .map_err(|e| errs.push((e.field.into(), e.key.into())))
            .ok(),
    };
    let s = parse_time(starts);
    if s.is_none() {
        errs.push(("starts".into(), "err-time".into()));
    }
    let e = parse_time(ends);
    if e.is_none() {
        errs.push(("ends".into(), "err-time".into()));
    }
    let (d, s, e) = (d?, s?, e?);
    if e <= s {
        errs.push(("ends".into(), "err-ends-before-start".into()));
        return None;
    }
    Some((local_instant(d, s), local_instant(d, e)))
}

/// A session as saved, with the sessions of the lab it shares its room with at the same time
/// (saved all the same: the page warns).
pub struct SavedSession {
    pub id: SessionId,
    pub clashes: Vec<Session>,
}

/// A session form, checked.
struct ValidSession {
    module: ModuleId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    room: String,
    trainer: String,
}

/// Checks a session form against the programme's modules.
fn validate_session(
    modules: &[Module],
    input: &SessionInput,
) -> Result<ValidSession, Vec<(String, String)>> {
    let mut errs = vec![];
    let module = input
        .module
        .parse::<ModuleId>()
        .ok()
        .filter(|m| modules.iter().any(|x| x.id == *m));
    if module.is_none() {
        errs.push(("module".into(), "err-choice".into()));
    }
    let when = interval(&input.date, &input.starts, &input.ends, &mut errs);
    let room = limit("room", &input.room, 80, &mut errs);
    let trainer = limit("trainer", &input.trainer, 120, &mut errs);
    match (module, when) {
        (Some(module), Some((starts_at, ends_at))) if errs.is_empty() => Ok(ValidSession {
            module,
            starts_at,
            ends_at,
            room,
            trainer,
        }),
        _ => Err(errs),
    }
}

/// The other live sessions of the lab in the same room at an overlapping time.
async fn room_clashes(c: &mut store::AnyConn, s: &Session) -> AppResult<Vec<Session>> {
    if s.cancelled() || domain::training::room_key(&s.room).is_none() {
        return Ok(vec![]);
    }
    let around = store::training::lab_sessions(
        c,
        s.lab_id,
        s.starts_at - chrono::Duration::days(1),
        s.ends_at,
    )
    .await?;
    Ok(around
        .into_iter()
        .filter(|o| o.id != s.id && clash(s, o))
        .collect())
}

fn clash(a: &Session, b: &Session) -> bool {
    !a.cancelled()
        && !b.cancelled()
        && domain::training::rooms_clash(
            (&a.room, a.starts_at, a.ends_at),
            (&b.room, b.starts_at, b.ends_at),
        )
}

/// Which of `sessions` share a room and a time with another of `among`.
fn clash_ids(sessions: &[Session], among: &[Session]) -> HashSet<SessionId> {
    sessions
        .iter()
        .filter(|s| among.iter().any(|o| o.id != s.id && clash(s, o)))
        .map(|s| s.id)
        .collect()
}

pub async fn schedule_session(
    store: &Store,
    actor: &Actor,
    programme: &Programme,
    input: &SessionInput,
) -> AppResult<SavedSession> {
    if !actor.allows(Action::ManageTraining(programme.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let modules = store::training::modules(&mut tx, programme.id).await?;
    let v = validate_session(&modules, input).map_err(AppError::Invalid)?;
    let id = store::training::insert_session(
        &mut tx,
        &store::training::NewSession {
            programme: programme.id,
            module: v.module,
            lab: programme.lab_id,
            starts_at: v.starts_at,
            ends_at: v.ends_at,
            room: &v.room,
            trainer: &v.trainer,
        },
    )
    .await?;
    let saved = store::training::session(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::training::queue_certificates(&mut tx, &saved).await?;
    let clashes = room_clashes(&mut tx, &saved).await?;
    commit(
        tx,
        entry(
            actor,
            "session.create",
            "programme",
            programme.id,
            Some(programme.lab_id),
        )
        .with_detail(format!("session {id}")),
    )
    .await?;
    Ok(SavedSession { id, clashes })
}

fn describe(s: &Session) -> String {
    format!(
        "{} {}-{} room {:?} trainer {:?}",
        s.module_id,
        s.starts_at.to_rfc3339(),
        s.ends_at.to_rfc3339(),
        s.room,
        s.trainer
    )
}

/// Changes a session's module, time (moving it), room or trainer. Its certificates check
/// follows it to its new end, and completion is checked again at once (a session moved into
/// the past may end the programme).
pub async fn update_session(
    store: &Store,
    actor: &Actor,
    session: &Session,
    input: &SessionInput,
) -> AppResult<SavedSession> {
    if !actor.allows(Action::ManageTraining(session.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    // Two coordinators editing the same session: the later save must not undo the earlier.
    if !input.version.is_empty() {
        let now = store::training::session(&mut tx, session.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if session_version(&now) != input.version {
            return Err(AppError::Conflict(crate::services::people::EDIT_CONFLICT));
        }
    }
    let modules = store::training::modules(&mut tx, session.programme_id).await?;
    let v = validate_session(&modules, input).map_err(AppError::Invalid)?;
    store::training::update_session(
        &mut tx,
        session.id,
        &store::training::SessionFields {
            module: v.module,
            starts_at: v.starts_at,
            ends_at: v.ends_at,
            room: &v.room,
            trainer: &v.trainer,
        },
    )
    .await?;
    let saved = store::training::session(&mut tx, session.id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::training::queue_certificates(&mut tx, &saved).await?;
    let clashes = room_clashes(&mut tx, &saved).await?;
    let programme = store::training::programme(&mut tx, session.programme_id)
        .await?
        .ok_or(AppError::NotFound)?;
    issue_due(&mut tx, actor, &programme).await?;
    commit(
        tx,
        entry(
            actor,
            "session.update",
            "programme",
            session.programme_id,
            Some(session.lab_id),
        )
        .with_detail(format!(
            "session {}: {} -> {}",
            session.id,
            describe(session),
            describe(&saved)
        )),
    )
    .await?;
    Ok(SavedSession {
        id: session.id,
        clashes,
    })
}

/// Cancels a session (or, with `cancel` false, takes the cancellation back). A cancelled
/// session counts neither as held nor as attended, so completion is checked again.
pub async fn cancel_session(
    store: &Store,
    actor: &Actor,
    session: &Session,
    cancel: bool,
) -> AppResult<()> {
    if !actor.allows(Action::ManageTraining(session.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    if !store::training::set_cancelled(&mut tx, session.id, cancel).await? {
        // A second tap: nothing changes.
        return Ok(());
    }
    let programme = store::training::programme(&mut tx, session.programme_id)
        .await?
        .ok_or(AppError::NotFound)?;
    issue_due(&mut tx, actor, &programme).await?;
    commit(
        tx,
        entry(
            actor,
            if cancel {
                "session.cancel"
            } else {
                "session.restore"
            },
            "programme",
            session.programme_id,
            Some(session.lab_id),
        )
        .with_detail(format!("session {}: {}", session.id, describe(session))),
    )
    .await?;
    Ok(())
}

/// Deletes a session entered by mistake. When attendance was taken at it, the marks go with it,
/// but only once she has confirmed that (`confirmed`); otherwise nothing changes and the form
/// asks. Returns the programme.
pub async fn delete_session(
    store: &Store,
    actor: &Actor,
    session: &Session,
    confirmed: bool,
) -> AppResult<ProgrammeId> {
    if !actor.allows(Action::ManageTraining(session.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let marks = store::training::attendance_count(&mut tx, session.id).await?;
    if marks > 0 && !confirmed {
        return Err(AppError::Invalid(vec![(
            "confirm".into(),
            "err-confirm-delete-attendance".into(),
        )]));
    }
    let deleted = store::training::delete_session(&mut tx, session.id).await?;
    let programme = store::training::programme(&mut tx, session.programme_id)
        .await?
        .ok_or(AppError::NotFound)?;
    issue_due(&mut tx, actor, &programme).await?;
    commit(
        tx,
        entry(
            actor,
            "session.delete",
            "programme",
            session.programme_id,
            Some(session.lab_id),
        )
        .with_detail(format!(
            "session {}: {}; {deleted} attendance marks deleted",
            session.id,
            describe(session)
        )),
    )
    .await?;
    Ok(session.programme_id)
}

/// Enrols the accepted and active residents of the programme's cohort (or one person of the
/// lab); returns how many were newly enrolled.
pub async fn enrol(
    store: &Store,
    actor: &Actor,
    programme: &Programme,
    person: Option<PersonId>,
) -> AppResult<usize> {
    if !actor.allows(Action::ManageTraining(programme.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let people: Vec<PersonId> = match person {
        Some(p) => {
            let scope = domain::LabScope::Only(vec![programme.lab_id]);
            store::people::get_scoped(&mut tx, &scope, p)
                .await?
                .ok_or(AppError::Invalid(vec![(
                    "person".into(),
                    "err-choice".into(),
                )]))?;
            vec![p]
        }
        None => {
            let Some(cohort) = programme.cohort_id else {
                return Err(AppError::Invalid(vec![(
                    "cohort".into(),
                    "err-no-cohort".into(),
                )]));
            };
            store::residency::of_lab(&mut tx, programme.lab_id, None)
                .await?
                .into_iter()
                .filter(|r| {
                    r.residency.cohort_id == Some(cohort)
                        && matches!(
                            r.residency.status,
                            ResidencyStatus::Accepted | ResidencyStatus::Active
                        )
                })
                .map(|r| r.residency.person_id)
                .collect()
        }
    };
    let mut n = 0;
    for p in people {
        if store::training::enrol(&mut tx, programme.id, p, actor.user_id).await? {
            n += 1;
            audit::record(
                &mut tx,
                entry(
                    actor,
                    "enrolment.create",
                    "person",
                    p,
                    Some(programme.lab_id),
                ),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// Saves a session's attendance sheet. A changed mark is a correction and is audited with what
/// it was; afterwards completion is recomputed and certificates issued to those who now complete.
/// Returns the number of certificates issued.
pub async fn record_attendance(
    store: &Store,
    actor: &Actor,
    session: &Session,
    marks: &[(PersonId, Attendance)],
) -> AppResult<usize> {
    if !actor.allows(Action::TakeAttendance(session.lab_id)) {
        return Err(AppError::NotFound);
    }
    // Nobody has come to a session that has not begun (a tap on tomorrow's sheet), and nobody
    // comes to a cancelled one.
    if session.cancelled() {
        return Err(AppError::Invalid(vec![(
            "session".into(),
            "err-session-cancelled".into(),
        )]));
    }
    if !session.has_started() {
        return Err(AppError::Invalid(vec![(
            "session".into(),
            "err-session-not-started".into(),
        )]));
    }
    let mut tx = store.begin().await?;
    for (person, status) in marks {
        let before = store::training::mark(&mut tx, session, *person, *status, actor.user_id)
            .await
            .map_err(|e| match e {
                store::StoreError::NotFound => {
                    AppError::Invalid(vec![("person".into(), "err-not-enrolled".into())])
                }
                other => other.into(),
            })?;
        if before != Some(*status) {
            let mut e = entry(
                actor,
                if before.is_some() {
                    "attendance.correct"
                } else {
                    "attendance.record"
                },
                "person",
                person,
                Some(session.lab_id),
            );
            e.detail = format!(
                "session {}: {} -> {}",
                session.id,
                before.map(|b| b.code()).unwrap_or("-"),
                status.code()
            );
            audit::record(&mut tx, e).await?;
        }
    }
    let programme = store::training::programme(&mut tx, session.programme_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A sheet saved while the session runs: the check at its end issues the certificates (for
    // sessions scheduled before such checks were queued, it is queued here).
    store::training::queue_certificates(&mut tx, session).await?;
    let issued = issue_due(&mut tx, actor, &programme).await?;
    tx.commit().await?;
    Ok(issued)
}

/// The certificates check a job runs at the end of a session: issues what is due in the
/// programme (nothing before its last session is over). A programme gone is nothing to do.
pub async fn issue_certificates(store: &Store, programme: ProgrammeId) -> AppResult<usize> {
    let mut tx = store.begin().await?;
    let Some(p) = store::training::programme(&mut tx, programme).await? else {
        return Ok(0);
    };
    // Nobody signed in: the audit rows name no user.
    let n = issue_due(&mut tx, &Actor::anonymous(), &p).await?;
    tx.commit().await?;
    Ok(n)
}

/// Issues an assertion to every enrolee who completes and has none yet.
pub async fn issue_due(
    c: &mut store::AnyConn,
    actor: &Actor,
    programme: &Programme,
) -> AppResult<usize> {
    // Certificates wait for the end of the programme: a rule counted on the sessions held so far
    // would be met after the first one.
    let sessions: Vec<Session> = store::training::sessions_of(c, programme.id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled())
        .collect();
    if sessions.is_empty() || sessions.iter().any(|s| s.ends_at > chrono::Utc::now()) {
        return Ok(0);
    }
    let mut n = 0;
    for e in store::training::progress(c, programme).await? {
        if !e.completed || e.assertion.is_some() {
            continue;
        }
        let scope = domain::LabScope::Only(vec![programme.lab_id]);
        let Some(person) = store::people::get_scoped(c, &scope, e.person_id).await? else {
            continue;
        };
        let salt = hex::encode(rand::random::<[u8; 8]>());
        use documents::badges::{RecipientType, canonical_identity, hashed_identity};
        // A Kyrgyz phone number is one of about 10^9 and its salted hash is public, so it would
        // be found in seconds: without an email, the badge names her record, which the lab
        // confirms on the verification page.
        let (kind, identity) = match &person.email {
            Some(m) => ("email", canonical_identity(RecipientType::Email, m)),
            // Hashed again when served, with the server's address (pages::training::holder_url).
            None => ("url", format!("urn:uuid:{}", person.id)),
        };
        let hash = hashed_identity(&identity, &salt);
        if let Some(id) =
            store::training::issue(c, programme.id, person.id, kind, &hash, &salt).await?
        {
            n += 1;
            audit::record(
                c,
                entry(
                    actor,
                    "certificate.issue",
                    "person",
                    person.id,
                    Some(programme.lab_id),
                )
                .with_detail(format!("assertion {id}")),
            )
            .await?;
            super::messages::notify(
                c,
                person.id,
                Some(programme.lab_id),
                "certificate-issued",
                &[("title", programme.title.clone())],
            )
            .await?;
        }
    }
    Ok(n)
}

pub async fn revoke_assertion(
    store: &Store,
    actor: &Actor,
    id: AssertionId,
    reason: &str,
) -> AppResult<ProgrammeId> {
    signed_in(actor)?;
    let mut tx = store.begin().await?;
    let a = store::training::assertion(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = store::training::programme(&mut tx, a.programme_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !actor.allows(Action::ManageTraining(p.lab_id)) {
        return Err(AppError::NotFound);
    }
    let reason = names::clean(reason);
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(AppError::Invalid(vec![(
            "reason".into(),
            "err-required".into(),
        )]));
    }
    store::training::revoke(&mut tx, id, &reason).await?;
    commit(
        tx,
        entry(
            actor,
            "certificate.revoke",
            "person",
            a.person_id,
            Some(p.lab_id),
        )
        .with_detail(format!("assertion {id}")),
    )
    .await?;
    Ok(p.id)
}

// ---- Reads: one function per page (and API route), deciding access once and fetching once ----

/// A lab's programmes and its cohorts (for the new-programme form), for its training staff.
pub struct Programmes {
    pub programmes: Vec<Programme>,
    pub cohorts: Vec<Cohort>,
}

pub async fn programmes(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Programmes> {
    allow(actor, Action::ManageTraining(lab))?;
    let mut c = store.conn().await?;
    Ok(Programmes {
        programmes: store::training::programmes(&mut c, lab).await?,
        cohorts: store::residency::cohorts(&mut c, lab).await?,
    })
}

/// One programme as its page shows it: modules, sessions, enrolees with their progress, and
/// the accepted or active residents of the lab not yet enrolled.
pub struct ProgrammeView {
    pub p: Programme,
    pub lab: Lab,
    pub cohort: Option<Cohort>,
    pub modules: Vec<Module>,
    pub sessions: Vec<Session>,
    /// One page of the enrolees, with how many there are and how many completed.
    pub enrolees: Vec<Enrolee>,
    pub pager: Pager,
    pub completed: i64,
    pub candidates: Vec<ResidencyRow>,
    /// Sessions in a room another session of the lab uses at the same time.
    pub clashes: HashSet<SessionId>,
}

/// The programme's page with page `page` (from 0, [`PAGE_SIZE`] a page) of its enrolees; a page
/// past the last is refused (`err-page`).
pub async fn programme_view(
    store: &Store,
    actor: &Actor,
    id: ProgrammeId,
    page: i64,
) -> AppResult<ProgrammeView> {
    let p = programme_for(store, actor, id, Action::ManageTraining).await?;
    let mut c = store.conn().await?;
    let lab = lab(&mut c, p.lab_id).await?;
    let cohort = match p.cohort_id {
        Some(id) => store::residency::cohort(&mut c, id).await?,
        None => None,
    };
    let (total, completed) = store::training::progress_counts(&mut c, &p).await?;
    let pager = Pager::new(page, PAGE_SIZE, total)?;
    let enrolees =
        store::training::progress_page(&mut c, &p, pager.limit(), pager.offset()).await?;
    let enrolled: HashSet<PersonId> = store::training::enrolled(&mut c, p.id)
        .await?
        .into_iter()
        .collect();
    let candidates = store::residency::of_lab(&mut c, p.lab_id, None)
        .await?
        .into_iter()
        .filter(|r| {
            matches!(
                r.residency.status,
                ResidencyStatus::Accepted | ResidencyStatus::Active
            ) && !enrolled.contains(&r.residency.person_id)
        })
        .collect();
    let sessions = store::training::sessions_of(&mut c, p.id).await?;
    let clashes = match (sessions.first(), sessions.iter().map(|s| s.ends_at).max()) {
        (Some(first), Some(last)) => {
            let among = store::training::lab_sessions(
                &mut c,
                p.lab_id,
                first.starts_at - chrono::Duration::days(1),
                last,
            )
            .await?;
            clash_ids(&sessions, &among)
        }
        _ => HashSet::new(),
    };
    Ok(ProgrammeView {
        modules: store::training::modules(&mut c, p.id).await?,
        sessions,
        clashes,
        enrolees,
        pager,
        completed,
        candidates,
        cohort,
        lab,
        p,
    })
}

async fn lab(c: &mut store::AnyConn, id: LabId) -> AppResult<Lab> {
    store::labs::lab(c, id).await?.ok_or(AppError::NotFound)
}

/// A session's attendance sheet: each enrolee with her mark so far.
pub type SheetRow = (PersonId, String, Option<Attendance>);

pub async fn sheet(
    store: &Store,
    actor: &Actor,
    id: SessionId,
) -> AppResult<(Session, Vec<SheetRow>)> {
    let session = session_for(store, actor, id, Action::TakeAttendance).await?;
    let mut c = store.conn().await?;
    let rows = store::training::sheet(&mut c, &session).await?;
    Ok((session, rows))
}

/// A session's edit page: the session, its programme's modules, how many attendance marks it
/// holds (deleting it deletes them, after a confirmation), and the sessions it shares a room
/// with at the same time.
pub struct SessionView {
    pub session: Session,
    pub modules: Vec<Module>,
    pub marks: i64,
    pub clashes: Vec<Session>,
}

pub async fn session_view(store: &Store, actor: &Actor, id: SessionId) -> AppResult<SessionView> {
    let session = session_for(store, actor, id, Action::ManageTraining).await?;
    let mut c = store.conn().await?;
    Ok(SessionView {
        modules: store::training::modules(&mut c, session.programme_id).await?,
        marks: store::training::attendance_count(&mut c, session.id).await?,
        clashes: room_clashes(&mut c, &session).await?,
        session,
    })
}

/// A lab's week: its training sessions (with those sharing a room at the same time) and its
/// events (drafts included).
pub struct LabWeek {
    pub sessions: Vec<Session>,
    pub events: Vec<store::events::Event>,
    pub clashes: HashSet<SessionId>,
}

/// A lab's week from `monday`, for those who see the lab's internals.
pub async fn lab_week(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    monday: NaiveDate,
) -> AppResult<LabWeek> {
    allow(actor, Action::ViewLabInternal(lab))?;
    let from = local_instant(monday, NaiveTime::MIN);
    let to = from + chrono::Duration::days(7);
    let mut c = store.conn().await?;
    let sessions = store::training::lab_sessions(&mut c, lab, from, to).await?;
    let events = store::events::list(
        &mut c,
        &store::events::EventQuery {
            lab: Some(lab),
            include_drafts: true,
            from: Some(from),
            to: Some(to),
            newest_first: false,
        },
    )
    .await?;
    Ok(LabWeek {
        clashes: clash_ids(&sessions, &sessions),
        sessions,
        events,
    })
}

/// Her own coming sessions and her certificates, each with its programme's title.
pub struct MySchedule {
    pub sessions: Vec<Session>,
    pub certificates: Vec<(AssertionRow, String)>,
}

pub async fn my_schedule(store: &Store, actor: &Actor) -> AppResult<MySchedule> {
    signed_in(actor)?;
    let person = actor.person_id.ok_or(AppError::NotFound)?;
    let mut c = store.conn().await?;
    let sessions = store::training::person_sessions(&mut c, person, Utc::now()).await?;
    let mut certificates = vec![];
    for a in store::training::assertions_of_person(&mut c, person).await? {
        let title = store::training::programme(&mut c, a.programme_id)
            .await?
            .map(|p| p.title)
            .unwrap_or_default();
        certificates.push((a, title));
    }
    Ok(MySchedule {
        sessions,
        certificates,
    })
}

/// Everything a certificate or badge document says about one assertion (public: the badge
/// documents and the verification page show it to anyone with the link).
pub struct Issued {
    pub a: AssertionRow,
    pub p: Programme,
    pub lab: Lab,
    pub person: store::people::Person,
}

pub async fn issued(store: &Store, id: AssertionId) -> AppResult<Issued> {
    let mut c = store.conn().await?;
    let a = store::training::assertion(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = store::training::programme(&mut c, a.programme_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lab = lab(&mut c, p.lab_id).await?;
    let person = store::people::get_scoped(&mut c, &domain::LabScope::All, a.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Issued { a, p, lab, person })
}

/// A certificate for her or the lab's training staff; a revoked one is not handed out again
/// (the verification page says why).
pub async fn certificate(store: &Store, actor: &Actor, id: AssertionId) -> AppResult<Issued> {
    signed_in(actor)?;
    let i = issued(store, id).await?;
    let own = actor.person_id == Some(i.person.id);
    if (!own && !actor.allows(Action::ManageTraining(i.p.lab_id))) || i.a.revoked_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(i)
}

/// A programme as a badge class: public once it has been awarded at least once, not before.
pub async fn badge_class(
    store: &Store,
    id: ProgrammeId,
) -> AppResult<(Programme, Lab, Vec<Module>)> {
    let mut c = store.conn().await?;
    let p = store::training::programme(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if store::training::assertions_of_programme(&mut c, p.id)
        .await?
        .is_empty()
    {
        return Err(AppError::NotFound);
    }
    let lab = lab(&mut c, p.lab_id).await?;
    let modules = store::training::modules(&mut c, p.id).await?;
    Ok((p, lab, modules))
}

/// The assertions of a person: for herself, or for staff who may read her record.
pub async fn assertions_of(
    store: &Store,
    actor: &Actor,
    person: PersonId,
) -> AppResult<Vec<AssertionRow>> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    if actor.person_id != Some(person) {
        store::people::get_scoped(&mut c, &actor.people_scope(), person)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    Ok(store::training::assertions_of_person(&mut c, person).await?)
}
