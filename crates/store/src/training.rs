//! Training: programmes composed of modules, scheduled sessions, enrolment, attendance and the
//! Open Badges assertions issued on completion. Completion itself is computed (see
//! [`progress`]); nothing here stores a "completed" flag.
use crate::row::{all, changed, from_row, get, int, many, one, opt_text, text, ts};
use crate::{Result, StoreError, now, on_conflict};
use chrono::{DateTime, Utc};
use domain::{
    AssertionId, Attendance, CohortId, CompletionRule, LabId, ModuleId, PersonId, ProgrammeId,
    Progress, SessionId, Topic, UserId,
};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Programme {
    pub id: ProgrammeId,
    pub lab_id: LabId,
    pub cohort_id: Option<CohortId>,
    pub title: String,
    pub description: String,
    pub rule: CompletionRule,
    pub created_at: DateTime<Utc>,
}

from_row! {
    Programme |r| id, lab_id, cohort_id, title, description, rule: CompletionRule::from_row(r)?,
    created_at
}

from_row! {
    CompletionRule |r| min_attendance_pct: int(r, "min_attendance_pct")? as u32,
    final_module_required
}

const PCOLS: &str = "id, lab_id, cohort_id, title, description, min_attendance_pct, final_module_required, created_at";

pub struct NewProgramme<'a> {
    pub lab: LabId,
    pub cohort: Option<CohortId>,
    pub title: &'a str,
    pub description: &'a str,
    pub rule: CompletionRule,
}

pub async fn insert_programme(
    c: &mut AnyConnection,
    p: &NewProgramme<'_>,
    by: Option<UserId>,
) -> Result<ProgrammeId> {
    let id = ProgrammeId::new();
    sqlx::query(
        "INSERT INTO programmes (id, lab_id, cohort_id, title, description, min_attendance_pct, final_module_required, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(p.lab.to_string())
    .bind(p.cohort.map(|c| c.to_string()))
    .bind(p.title)
    .bind(p.description)
    .bind(i64::from(p.rule.min_attendance_pct))
    .bind(i64::from(p.rule.final_module_required))
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn programmes(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Programme>> {
    many(
        c,
        format!("SELECT {PCOLS} FROM programmes WHERE lab_id = $1 ORDER BY created_at DESC"),
        lab,
    )
    .await
}

pub async fn programme(c: &mut AnyConnection, id: ProgrammeId) -> Result<Option<Programme>> {
    one(
        c,
        format!("SELECT {PCOLS} FROM programmes WHERE id = $1"),
        id,
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Module {
    pub id: ModuleId,
    pub programme_id: ProgrammeId,
    pub position: i64,
    pub topic: Topic,
    /// Her own title; empty for a library module, whose title is translated from the topic.
    pub title: String,
    pub is_final: bool,
}

from_row! {
    Module |r| id, programme_id, position, topic, title, is_final
}

/// Appends a module; marking it final unmarks any other final module of the programme.
pub async fn add_module(
    c: &mut AnyConnection,
    programme: ProgrammeId,
    topic: Topic,
    title: &str,
    is_final: bool,
) -> Result<ModuleId> {
    let id = ModuleId::new();
    let next: i64 = sqlx::Row::try_get(
        &sqlx::query(
            "SELECT COALESCE(MAX(position), 0) + 1 AS n FROM programme_modules WHERE programme_id = $1",
        )
        .bind(programme.to_string())
        .fetch_one(&mut *c)
        .await?,
        "n",
    )?;
    if is_final {
        sqlx::query("UPDATE programme_modules SET is_final = 0 WHERE programme_id = $1")
            .bind(programme.to_string())
            .execute(&mut *c)
            .await?;
    }
    sqlx::query(
        "INSERT INTO programme_modules (id, programme_id, position, topic, title, is_final, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(programme.to_string())
    .bind(next)
    .bind(topic.code())
    .bind(title)
    .bind(i64::from(is_final))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn modules(c: &mut AnyConnection, programme: ProgrammeId) -> Result<Vec<Module>> {
    many(c, "SELECT id, programme_id, position, topic, title, is_final FROM programme_modules WHERE programme_id = $1 ORDER BY position", programme).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub id: SessionId,
    pub programme_id: ProgrammeId,
    pub programme_title: String,
    pub module_id: ModuleId,
    pub topic: Topic,
    pub module_title: String,
    pub lab_id: LabId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room: String,
    pub trainer: String,
    /// A cancelled session stays on the schedule and does not count toward completion.
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl Session {
    pub fn cancelled(&self) -> bool {
        self.cancelled_at.is_some()
    }
    pub fn has_started(&self) -> bool {
        self.starts_at <= Utc::now()
    }
}

from_row! {
    Session |r| id, programme_id, programme_title, module_id, topic, module_title, lab_id,
    starts_at, ends_at, room, trainer, cancelled_at
}

const SCOLS: &str = "s.id, s.programme_id, p.title AS programme_title, s.module_id, m.topic, m.title AS module_title, s.lab_id, s.starts_at, s.ends_at, s.room, s.trainer, s.cancelled_at";
const SFROM: &str = "training_sessions s JOIN programmes p ON p.id = s.programme_id JOIN programme_modules m ON m.id = s.module_id";

pub struct NewSession<'a> {
    pub programme: ProgrammeId,
    pub module: ModuleId,
    pub lab: LabId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room: &'a str,
    pub trainer: &'a str,
}

pub async fn insert_session(c: &mut AnyConnection, s: &NewSession<'_>) -> Result<SessionId> {
    let id = SessionId::new();
    sqlx::query(
        "INSERT INTO training_sessions (id, programme_id, module_id, lab_id, starts_at, ends_at, room, trainer, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(s.programme.to_string())
    .bind(s.module.to_string())
    .bind(s.lab.to_string())
    .bind(ts(s.starts_at))
    .bind(ts(s.ends_at))
    .bind(s.room)
    .bind(s.trainer)
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

/// What a coordinator changes in a session: its module, time, room and trainer.
pub struct SessionFields<'a> {
    pub module: ModuleId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room: &'a str,
    pub trainer: &'a str,
}

pub async fn update_session(
    c: &mut AnyConnection,
    id: SessionId,
    f: &SessionFields<'_>,
) -> Result<()> {
    sqlx::query(
        "UPDATE training_sessions SET module_id = $2, starts_at = $3, ends_at = $4, room = $5, trainer = $6 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(f.module.to_string())
    .bind(ts(f.starts_at))
    .bind(ts(f.ends_at))
    .bind(f.room)
    .bind(f.trainer)
    .execute(c)
    .await?;
    Ok(())
}

/// Cancels a session (or takes the cancellation back); false when nothing changed.
pub async fn set_cancelled(c: &mut AnyConnection, id: SessionId, cancelled: bool) -> Result<bool> {
    let q = if cancelled {
        sqlx::query(
            "UPDATE training_sessions SET cancelled_at = $2 WHERE id = $1 AND cancelled_at IS NULL",
        )
        .bind(id.to_string())
        .bind(now())
    } else {
        sqlx::query(
            "UPDATE training_sessions SET cancelled_at = NULL WHERE id = $1 AND cancelled_at IS NOT NULL",
        )
        .bind(id.to_string())
    };
    changed(c, q).await
}

/// How many attendance marks a session holds.
pub async fn attendance_count(c: &mut AnyConnection, id: SessionId) -> Result<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM attendance WHERE session_id = $1")
        .bind(id.to_string())
        .fetch_one(c)
        .await?;
    int(&r, "n")
}

/// Deletes a session with its attendance; returns how many marks went with it.
pub async fn delete_session(c: &mut AnyConnection, id: SessionId) -> Result<u64> {
    let marks = sqlx::query("DELETE FROM attendance WHERE session_id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM training_sessions WHERE id = $1")
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(marks)
}

/// The kind of job that issues a programme's certificates once its sessions are over.
pub const CERTIFICATES_JOB: &str = "certificates";

/// Queues a certificates check for the session's programme at the session's end. One job per
/// session and end time: a moved session gets a job at its new end, and a check that runs when
/// the programme is not over yet issues nothing, so no job needs undoing.
pub async fn queue_certificates(c: &mut AnyConnection, s: &Session) -> Result<bool> {
    let payload = serde_json::json!({ "programme": s.programme_id.to_string() }).to_string();
    let key = format!("certificates:{}:{}", s.id, ts(s.ends_at));
    crate::jobs::enqueue(c, CERTIFICATES_JOB, &payload, s.ends_at, Some(&key)).await
}

pub async fn sessions_of(c: &mut AnyConnection, programme: ProgrammeId) -> Result<Vec<Session>> {
    many(
        c,
        format!("SELECT {SCOLS} FROM {SFROM} WHERE s.programme_id = $1 ORDER BY s.starts_at"),
        programme,
    )
    .await
}

pub async fn session(c: &mut AnyConnection, id: SessionId) -> Result<Option<Session>> {
    one(
        c,
        format!("SELECT {SCOLS} FROM {SFROM} WHERE s.id = $1"),
        id,
    )
    .await
}

/// A lab's sessions that start in `[from, to)`.
pub async fn lab_sessions(
    c: &mut AnyConnection,
    lab: LabId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Session>> {
    all(c, crate::dynamic(format!(
        "SELECT {SCOLS} FROM {SFROM} WHERE s.lab_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at"
    ))
    .bind(lab.to_string())
    .bind(ts(from))
    .bind(ts(to))).await
}

/// The sessions of the programmes she is enrolled in, starting from `from`.
pub async fn person_sessions(
    c: &mut AnyConnection,
    person: PersonId,
    from: DateTime<Utc>,
) -> Result<Vec<Session>> {
    all(
        c,
        crate::dynamic(format!(
            "SELECT {SCOLS} FROM {SFROM} JOIN enrolments e ON e.programme_id = s.programme_id
         WHERE e.person_id = $1 AND s.ends_at >= $2 ORDER BY s.starts_at"
        ))
        .bind(person.to_string())
        .bind(ts(from)),
    )
    .await
}

/// Enrols one person; false when she already was.
pub async fn enrol(
    c: &mut AnyConnection,
    programme: ProgrammeId,
    person: PersonId,
    by: Option<UserId>,
) -> Result<bool> {
    let q = sqlx::query(
        "INSERT INTO enrolments (programme_id, person_id, enrolled_by, enrolled_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (programme_id, person_id) DO NOTHING",
    )
    .bind(programme.to_string())
    .bind(person.to_string())
    .bind(by.map(|u| u.to_string()))
    .bind(now());
    changed(c, q).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Enrolee {
    pub person_id: PersonId,
    pub name: String,
    pub progress: Progress,
    pub completed: bool,
    pub assertion: Option<AssertionRow>,
}

/// Each enrolee's attendance in a programme: present at sessions not cancelled, and at a session
/// of a final module; [`ENROLEES_ORDER`] lists them by name, then by id.
const ENROLEES: &str = "SELECT e.person_id, pe.family_name, pe.given_name,
            (SELECT COUNT(*) FROM attendance a JOIN training_sessions s ON s.id = a.session_id
              WHERE s.programme_id = e.programme_id AND a.person_id = e.person_id AND a.status = 'present' AND s.cancelled_at IS NULL) AS attended,
            (SELECT COUNT(*) FROM attendance a JOIN training_sessions s ON s.id = a.session_id
              JOIN programme_modules m ON m.id = s.module_id
              WHERE s.programme_id = e.programme_id AND a.person_id = e.person_id AND a.status = 'present' AND m.is_final = 1 AND s.cancelled_at IS NULL) AS attended_final
         FROM enrolments e JOIN people pe ON pe.id = e.person_id
         WHERE e.programme_id = $1";
const ENROLEES_ORDER: &str = "ORDER BY pe.family_name, pe.given_name, e.person_id";

/// How many sessions the programme has (not cancelled), and whether it has a final module that
/// can be attended.
async fn programme_sessions(c: &mut AnyConnection, p: &Programme) -> Result<(u32, bool)> {
    let pid = p.id.to_string();
    let sessions: i64 = sqlx::Row::try_get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM training_sessions WHERE programme_id = $1 AND cancelled_at IS NULL",
        )
            .bind(&pid)
            .fetch_one(&mut *c)
            .await?,
        "n",
    )?;
    let has_final: i64 = sqlx::Row::try_get(
        &sqlx::query(
            // A final module whose sessions were all cancelled cannot be attended: it is not required.
            "SELECT COUNT(*) AS n FROM programme_modules m WHERE m.programme_id = $1 AND m.is_final = 1
               AND EXISTS (SELECT 1 FROM training_sessions s WHERE s.module_id = m.id AND s.cancelled_at IS NULL)",
        )
        .bind(&pid)
        .fetch_one(&mut *c)
        .await?,
        "n",
    )?;
    Ok((sessions as u32, has_final > 0))
}

/// Each enrolled resident with her attendance counted and the rule applied. Cancelled sessions
/// count neither as scheduled nor as attended.
pub async fn progress(c: &mut AnyConnection, p: &Programme) -> Result<Vec<Enrolee>> {
    enrolees(c, p, None).await
}

/// One page of [`progress`].
pub async fn progress_page(
    c: &mut AnyConnection,
    p: &Programme,
    limit: i64,
    offset: i64,
) -> Result<Vec<Enrolee>> {
    enrolees(c, p, Some((limit, offset))).await
}

/// How many are enrolled in the programme, and how many of them have completed it.
pub async fn progress_counts(c: &mut AnyConnection, p: &Programme) -> Result<(i64, i64)> {
    let (sessions, has_final) = programme_sessions(c, p).await?;
    // The rule is the domain's: applied here to each enrolee's two counts (no names, no
    // certificates), not written again in SQL.
    let rows = crate::dynamic(format!(
        "SELECT x.attended, x.attended_final FROM ({ENROLEES}) x"
    ))
    .bind(p.id.to_string())
    .fetch_all(&mut *c)
    .await?;
    let mut done = 0;
    for r in &rows {
        let progress = Progress {
            sessions,
            attended: int(r, "attended")? as u32,
            has_final,
            attended_final: int(r, "attended_final")? > 0,
        };
        if p.rule.completed(&progress) {
            done += 1;
        }
    }
    Ok((rows.len() as i64, done))
}

/// Who is enrolled in the programme.
pub async fn enrolled(c: &mut AnyConnection, programme: ProgrammeId) -> Result<Vec<PersonId>> {
    let rows = sqlx::query("SELECT person_id FROM enrolments WHERE programme_id = $1")
        .bind(programme.to_string())
        .fetch_all(c)
        .await?;
    rows.iter().map(|r| get(r, "person_id")).collect()
}

async fn enrolees(
    c: &mut AnyConnection,
    p: &Programme,
    page: Option<(i64, i64)>,
) -> Result<Vec<Enrolee>> {
    let (sessions, has_final) = programme_sessions(c, p).await?;
    let rows = match page {
        None => {
            crate::dynamic(format!("{ENROLEES} {ENROLEES_ORDER}"))
                .bind(p.id.to_string())
                .fetch_all(&mut *c)
                .await?
        }
        Some((limit, offset)) => {
            crate::dynamic(format!("{ENROLEES} {ENROLEES_ORDER} LIMIT $2 OFFSET $3"))
                .bind(p.id.to_string())
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *c)
                .await?
        }
    };
    let issued: HashMap<PersonId, AssertionRow> = assertions_of_programme(c, p.id)
        .await?
        .into_iter()
        .map(|a| (a.person_id, a))
        .collect();
    rows.iter()
        .map(|r| {
            let person_id: PersonId = get(r, "person_id")?;
            let progress = Progress {
                sessions,
                attended: int(r, "attended")? as u32,
                has_final,
                attended_final: int(r, "attended_final")? > 0,
            };
            Ok(Enrolee {
                person_id,
                name: format!("{} {}", text(r, "family_name")?, text(r, "given_name")?),
                completed: p.rule.completed(&progress),
                progress,
                assertion: issued.get(&person_id).cloned(),
            })
        })
        .collect()
}

/// The attendance sheet of a session: every enrolee with her mark, if any.
pub async fn sheet(
    c: &mut AnyConnection,
    session: &Session,
) -> Result<Vec<(PersonId, String, Option<Attendance>)>> {
    let rows = sqlx::query(
        "SELECT e.person_id, pe.family_name, pe.given_name, a.status
         FROM enrolments e JOIN people pe ON pe.id = e.person_id
         LEFT JOIN attendance a ON a.session_id = $2 AND a.person_id = e.person_id
         WHERE e.programme_id = $1 ORDER BY pe.family_name, pe.given_name",
    )
    .bind(session.programme_id.to_string())
    .bind(session.id.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                get(r, "person_id")?,
                format!("{} {}", text(r, "family_name")?, text(r, "given_name")?),
                opt_text(r, "status")?.and_then(|s| Attendance::parse(&s)),
            ))
        })
        .collect()
}

/// Sets one mark; returns the previous one (a correction when it differs), or an error
/// when she is not enrolled in the session's programme.
pub async fn mark(
    c: &mut AnyConnection,
    session: &Session,
    person: PersonId,
    status: Attendance,
    by: Option<UserId>,
) -> Result<Option<Attendance>> {
    let enrolled =
        sqlx::query("SELECT 1 AS x FROM enrolments WHERE programme_id = $1 AND person_id = $2")
            .bind(session.programme_id.to_string())
            .bind(person.to_string())
            .fetch_optional(&mut *c)
            .await?;
    if enrolled.is_none() {
        return Err(StoreError::NotFound);
    }
    let before =
        sqlx::query("SELECT status FROM attendance WHERE session_id = $1 AND person_id = $2")
            .bind(session.id.to_string())
            .bind(person.to_string())
            .fetch_optional(&mut *c)
            .await?
            .map(|r| text(&r, "status"))
            .transpose()?
            .and_then(|s| Attendance::parse(&s));
    sqlx::query(
        "INSERT INTO attendance (session_id, person_id, status, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_id, person_id) DO UPDATE SET status = excluded.status, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
    )
    .bind(session.id.to_string())
    .bind(person.to_string())
    .bind(status.code())
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(before)
}

#[derive(Debug, Clone, Serialize)]
pub struct AssertionRow {
    pub id: AssertionId,
    pub programme_id: ProgrammeId,
    pub person_id: PersonId,
    pub recipient_type: String,
    pub recipient_hash: String,
    pub salt: String,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

from_row! {
    AssertionRow |r| id, programme_id, person_id, recipient_type, recipient_hash, salt, issued_at,
    revoked_at, revoked_reason
}

const ACOLS: &str = "id, programme_id, person_id, recipient_type, recipient_hash, salt, issued_at, revoked_at, revoked_reason";

/// Issues an assertion unless one exists for her in this programme (then returns `None`).
pub async fn issue(
    c: &mut AnyConnection,
    programme: ProgrammeId,
    person: PersonId,
    recipient_type: &str,
    recipient_hash: &str,
    salt: &str,
) -> Result<Option<AssertionId>> {
    let id = AssertionId::new();
    let n = sqlx::query(
        "INSERT INTO assertions (id, programme_id, person_id, recipient_type, recipient_hash, salt, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (programme_id, person_id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(programme.to_string())
    .bind(person.to_string())
    .bind(recipient_type)
    .bind(recipient_hash)
    .bind(salt)
    .bind(now())
    .execute(c)
    .await
    .map_err(|e| on_conflict(e, "assertions"))?
    .rows_affected();
    Ok((n > 0).then_some(id))
}

pub async fn assertion(c: &mut AnyConnection, id: AssertionId) -> Result<Option<AssertionRow>> {
    one(
        c,
        format!("SELECT {ACOLS} FROM assertions WHERE id = $1"),
        id,
    )
    .await
}

pub async fn assertions_of_programme(
    c: &mut AnyConnection,
    programme: ProgrammeId,
) -> Result<Vec<AssertionRow>> {
    many(
        c,
        format!("SELECT {ACOLS} FROM assertions WHERE programme_id = $1 ORDER BY issued_at"),
        programme,
    )
    .await
}

pub async fn assertions_of_person(
    c: &mut AnyConnection,
    person: PersonId,
) -> Result<Vec<AssertionRow>> {
    many(
        c,
        format!("SELECT {ACOLS} FROM assertions WHERE person_id = $1 ORDER BY issued_at"),
        person,
    )
    .await
}

/// Revokes an assertion; false if it was already revoked or does not exist.
pub async fn revoke(c: &mut AnyConnection, id: AssertionId, reason: &str) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE assertions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id.to_string())
    .bind(now())
    .bind(reason);
    changed(c, q).await
}

/// Every programme's id (for the check, at start, of certificates left unissued).
pub async fn programme_ids(c: &mut AnyConnection) -> Result<Vec<ProgrammeId>> {
    let rows = sqlx::query("SELECT id FROM programmes ORDER BY created_at")
        .fetch_all(c)
        .await?;
    rows.iter().map(|r| get(r, "id")).collect()
}
