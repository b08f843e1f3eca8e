//! Mentoring: mentors' profiles, residents' wishes, matches and mentoring sessions. Proposals are
//! computed (see the `analytics` crate) and never stored; an accepted proposal is a match.
use crate::row::{FromRow, all, changed, col, from_row, get, int, one, text};
use crate::{Result, StoreError, now, on_conflict};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{LabId, LabRole, MatchId, MentoringSessionId, PersonId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// A mentor with her offer and how many mentees she has now.
#[derive(Debug, Clone, Serialize)]
pub struct Mentor {
    pub user_id: UserId,
    pub name: String,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub capacity: i64,
    pub availability: String,
    pub in_person: bool,
    pub remote: bool,
    /// The labs she serves (her mentor grants).
    pub labs: Vec<LabId>,
    pub active_mentees: i64,
}

impl Mentor {
    pub fn free(&self) -> i64 {
        (self.capacity - self.active_mentees).max(0)
    }
}

pub struct ProfileFields {
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub capacity: i64,
    pub availability: String,
    pub in_person: bool,
    pub remote: bool,
}

pub async fn save_profile(c: &mut AnyConnection, user: UserId, f: &ProfileFields) -> Result<()> {
    sqlx::query(
        "INSERT INTO mentor_profiles (user_id, expertise, languages, capacity, availability, in_person, remote, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (user_id) DO UPDATE SET expertise = excluded.expertise, languages = excluded.languages,
           capacity = excluded.capacity, availability = excluded.availability, in_person = excluded.in_person,
           remote = excluded.remote, updated_at = excluded.updated_at",
    )
    .bind(user.to_string())
    .bind(f.expertise.join(","))
    .bind(f.languages.join(","))
    .bind(f.capacity)
    .bind(&f.availability)
    .bind(i64::from(f.in_person))
    .bind(i64::from(f.remote))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

from_row! {
    Mentor |r| user_id, name = "display_name", expertise: list(&text(r, "expertise")?),
    languages: list(&text(r, "languages")?), capacity, availability, in_person, remote,
    labs: vec![], active_mentees
}

const MENTOR_SQL: &str = "SELECT u.id AS user_id, u.display_name,
    COALESCE(p.expertise, '') AS expertise, COALESCE(p.languages, '') AS languages,
    COALESCE(p.capacity, 0) AS capacity, COALESCE(p.availability, '') AS availability,
    COALESCE(p.in_person, 1) AS in_person, COALESCE(p.remote, 0) AS remote,
    (SELECT COUNT(*) FROM mentoring_matches m WHERE m.mentor_id = u.id AND m.status = 'active') AS active_mentees
  FROM users u LEFT JOIN mentor_profiles p ON p.user_id = u.id";

async fn with_labs(c: &mut AnyConnection, mut m: Mentor) -> Result<Mentor> {
    let rows = sqlx::query("SELECT lab_id FROM user_lab_roles WHERE user_id = $1 AND role = $2")
        .bind(m.user_id.to_string())
        .bind(LabRole::Mentor.code())
        .fetch_all(c)
        .await?;
    m.labs = rows
        .iter()
        .map(|r| get(r, "lab_id"))
        .collect::<Result<_>>()?;
    Ok(m)
}

/// A mentor account (a user with a mentor grant somewhere), or `None`.
pub async fn mentor(c: &mut AnyConnection, user: UserId) -> Result<Option<Mentor>> {
    let row = crate::dynamic(format!(
        "{MENTOR_SQL} WHERE u.id = $1 AND u.active = 1 AND EXISTS (SELECT 1 FROM user_lab_roles g WHERE g.user_id = u.id AND g.role = 'mentor')"
    ))
    .bind(user.to_string())
    .fetch_optional(&mut *c)
    .await?;
    match row.as_ref().map(Mentor::from_row).transpose()? {
        Some(m) => Ok(Some(with_labs(c, m).await?)),
        None => Ok(None),
    }
}

/// Every active mentor who can take mentees of `lab`: those serving it, and those offering
/// remote mentoring anywhere in the network.
pub async fn mentors_for(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Mentor>> {
    let rows = crate::dynamic(format!(
        "{MENTOR_SQL} WHERE u.active = 1 AND (
            EXISTS (SELECT 1 FROM user_lab_roles g WHERE g.user_id = u.id AND g.role = 'mentor' AND g.lab_id = $1)
            OR (COALESCE(p.remote, 0) = 1 AND EXISTS (SELECT 1 FROM user_lab_roles g WHERE g.user_id = u.id AND g.role = 'mentor')))
         ORDER BY u.display_name"
    ))
    .bind(lab.to_string())
    .fetch_all(&mut *c)
    .await?;
    let mut out = vec![];
    for r in &rows {
        out.push(with_labs(c, Mentor::from_row(r)?).await?);
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Wish {
    pub preferred_mentor: Option<UserId>,
    pub remote_ok: bool,
    pub skills: Vec<String>,
}

pub async fn wish(c: &mut AnyConnection, person: PersonId) -> Result<Option<Wish>> {
    let row = sqlx::query(
        "SELECT preferred_mentor_id, remote_ok, skills FROM mentoring_wishes WHERE person_id = $1",
    )
    .bind(person.to_string())
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(Wish {
            preferred_mentor: col(&r, "preferred_mentor_id")?,
            remote_ok: col(&r, "remote_ok")?,
            skills: list(&text(&r, "skills")?),
        })
    })
    .transpose()
}

pub async fn save_wish(c: &mut AnyConnection, person: PersonId, w: &Wish) -> Result<()> {
    sqlx::query(
        "INSERT INTO mentoring_wishes (person_id, preferred_mentor_id, remote_ok, skills, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (person_id) DO UPDATE SET preferred_mentor_id = excluded.preferred_mentor_id, remote_ok = excluded.remote_ok, skills = excluded.skills, updated_at = excluded.updated_at",
    )
    .bind(person.to_string())
    .bind(w.preferred_mentor.map(|u| u.to_string()))
    .bind(i64::from(w.remote_ok))
    .bind(w.skills.join(","))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// An active resident of the lab without an active mentor, with what matching needs.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub person_id: PersonId,
    pub name: String,
    pub skills: Vec<String>,
    pub languages: Vec<String>,
    pub wish: Wish,
}

pub async fn waiting(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Waiting>> {
    // A woman who withdrew her consent (or was erased) is not proposed to a mentor.
    let rows = crate::dynamic(format!(
        "SELECT p.id, p.family_name, p.given_name, p.skills, p.languages,
            w.preferred_mentor_id, COALESCE(w.remote_ok, 0) AS remote_ok, COALESCE(w.skills, '') AS wish_skills
         FROM residencies r JOIN people p ON p.id = r.person_id
         LEFT JOIN mentoring_wishes w ON w.person_id = p.id
         WHERE r.lab_id = $1 AND r.status = 'active' AND {}
           AND NOT EXISTS (SELECT 1 FROM mentoring_matches m WHERE m.person_id = p.id AND m.status = 'active')
         ORDER BY p.family_name, p.given_name",
        crate::rights::visible_clause("p")
    ))
    .bind(lab.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let wish_skills = list(&text(r, "wish_skills")?);
            Ok(Waiting {
                person_id: col(r, "id")?,
                name: format!("{} {}", text(r, "family_name")?, text(r, "given_name")?),
                skills: if wish_skills.is_empty() {
                    list(&text(r, "skills")?)
                } else {
                    wish_skills.clone()
                },
                languages: list(&text(r, "languages")?),
                wish: Wish {
                    preferred_mentor: col(r, "preferred_mentor_id")?,
                    remote_ok: col(r, "remote_ok")?,
                    skills: wish_skills,
                },
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub id: MatchId,
    pub lab_id: LabId,
    pub person_id: PersonId,
    pub person_name: String,
    pub mentor_id: UserId,
    pub mentor_name: String,
    pub status: String,
    pub score: i64,
    /// Why this pair: message keys with their points, e.g. `mentoring-why-skills:3:30`.
    pub explanation: String,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

from_row! {
    Match |r| id, lab_id, person_id,
    person_name: format!("{} {}", text(r, "family_name")?, text(r, "given_name")?), mentor_id,
    mentor_name = "display_name", status, score, explanation, created_at, ended_at
}

const MCOLS: &str = "m.id, m.lab_id, m.person_id, p.family_name, p.given_name, m.mentor_id, u.display_name, m.status, m.score, m.explanation, m.created_at, m.ended_at";
const MFROM: &str =
    "mentoring_matches m JOIN people p ON p.id = m.person_id JOIN users u ON u.id = m.mentor_id";

/// Records an accepted pair. `Conflict("mentoring.active")` when she already has a mentor.
pub async fn insert_match(
    c: &mut AnyConnection,
    lab: LabId,
    person: PersonId,
    mentor: UserId,
    score: i64,
    explanation: &str,
    by: Option<UserId>,
) -> Result<MatchId> {
    let id = MatchId::new();
    sqlx::query(
        "INSERT INTO mentoring_matches (id, lab_id, person_id, mentor_id, status, score, explanation, created_by, created_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(lab.to_string())
    .bind(person.to_string())
    .bind(mentor.to_string())
    .bind(score)
    .bind(explanation)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map_err(|e| on_conflict(e, "mentoring.active"))?;
    Ok(id)
}

pub async fn end_match(c: &mut AnyConnection, id: MatchId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE mentoring_matches SET status = 'ended', ended_at = $2 WHERE id = $1 AND status = 'active'",
    )
    .bind(id.to_string())
    .bind(now());
    changed(c, q).await
}

pub async fn get_match(c: &mut AnyConnection, id: MatchId) -> Result<Option<Match>> {
    one(
        c,
        format!("SELECT {MCOLS} FROM {MFROM} WHERE m.id = $1"),
        id,
    )
    .await
}

/// Matches by lab, by mentor or by mentee (whichever is given), newest first.
pub async fn matches(
    c: &mut AnyConnection,
    lab: Option<LabId>,
    mentor: Option<UserId>,
    person: Option<PersonId>,
) -> Result<Vec<Match>> {
    all(c, crate::dynamic(format!(
        "SELECT {MCOLS} FROM {MFROM}
         WHERE ($1 = '' OR m.lab_id = $1) AND ($2 = '' OR m.mentor_id = $2) AND ($3 = '' OR m.person_id = $3)
           AND ($3 <> '' OR {})
         ORDER BY CASE m.status WHEN 'active' THEN 0 ELSE 1 END, m.created_at DESC",
        // Lists of matches leave out a woman who withdrew her consent; her own view keeps it.
        crate::rights::visible_clause("p")
    ))
    .bind(lab.map(|x| x.to_string()).unwrap_or_default())
    .bind(mentor.map(|x| x.to_string()).unwrap_or_default())
    .bind(person.map(|x| x.to_string()).unwrap_or_default())).await
}

#[derive(Debug, Clone, Serialize)]
pub struct MentoringSession {
    pub id: MentoringSessionId,
    pub match_id: MatchId,
    pub held_on: NaiveDate,
    pub minutes: i64,
    pub topic: String,
    pub goals_set: String,
    pub goals_reached: String,
    pub note: String,
    pub rating: Option<i64>,
}

pub struct NewSession<'a> {
    pub held_on: NaiveDate,
    pub minutes: i64,
    pub topic: &'a str,
    pub goals_set: &'a str,
    pub goals_reached: &'a str,
    pub note: &'a str,
}

pub async fn insert_session(
    c: &mut AnyConnection,
    m: MatchId,
    s: &NewSession<'_>,
    by: Option<UserId>,
) -> Result<MentoringSessionId> {
    let id = MentoringSessionId::new();
    sqlx::query(
        "INSERT INTO mentoring_sessions (id, match_id, held_on, minutes, topic, goals_set, goals_reached, note, rating, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)",
    )
    .bind(id.to_string())
    .bind(m.to_string())
    .bind(s.held_on.to_string())
    .bind(s.minutes)
    .bind(s.topic)
    .bind(s.goals_set)
    .bind(s.goals_reached)
    .bind(s.note)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn sessions(c: &mut AnyConnection, m: MatchId) -> Result<Vec<MentoringSession>> {
    all(c, sqlx::query(
        "SELECT id, match_id, held_on, minutes, topic, goals_set, goals_reached, note, rating FROM mentoring_sessions WHERE match_id = $1 ORDER BY held_on DESC",
    )
    .bind(m.to_string())).await
}

from_row! {
    MentoringSession |r| id, match_id, held_on, minutes, topic, goals_set, goals_reached, note,
    rating
}

/// The match a session belongs to.
pub async fn session_match(c: &mut AnyConnection, s: MentoringSessionId) -> Result<MatchId> {
    let row = sqlx::query("SELECT match_id FROM mentoring_sessions WHERE id = $1")
        .bind(s.to_string())
        .fetch_optional(c)
        .await?
        .ok_or(StoreError::NotFound)?;
    get(&row, "match_id")
}

pub async fn rate(c: &mut AnyConnection, s: MentoringSessionId, rating: i64) -> Result<()> {
    sqlx::query("UPDATE mentoring_sessions SET rating = $2 WHERE id = $1")
        .bind(s.to_string())
        .bind(rating)
        .execute(c)
        .await?;
    Ok(())
}

/// Mentoring sessions held and minutes, by lab and month (`2026-11`), oldest first.
pub async fn monthly_counts(
    c: &mut AnyConnection,
    lab: Option<LabId>,
) -> Result<Vec<(LabId, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT m.lab_id, SUBSTR(s.held_on, 1, 7) AS month, COUNT(*) AS n, CAST(SUM(s.minutes) AS BIGINT) AS minutes
         FROM mentoring_sessions s JOIN mentoring_matches m ON m.id = s.match_id
         WHERE ($1 = '' OR m.lab_id = $1)
         GROUP BY m.lab_id, SUBSTR(s.held_on, 1, 7) ORDER BY 2, 1",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                get(r, "lab_id")?,
                text(r, "month")?,
                int(r, "n")?,
                int(r, "minutes")?,
            ))
        })
        .collect()
}
