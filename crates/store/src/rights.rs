//! Her data, her rights (Kyrgyz law "On personal information"): everything kept about a woman,
//! read out in one piece; her record hidden once she withdraws consent; her identity and free text
//! erased while the anonymous facts the indicators count stay; the list of erasures re-applied
//! after a restore; and the retention rule (old declined applications, old unlinked registrations).
//!
//! Erasure keeps the rows (other records point at them and the network's figures count them) and
//! overwrites what names or describes her. Access is decided by the caller (a service).
use crate::{Result, now};
use chrono::{DateTime, Utc};
use domain::PersonId;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Column, Row};

/// The erasure list's kinds.
pub const PERSON: &str = "person";
pub const REGISTRATION: &str = "registration";

/// A row as JSON: each column by name (text, integer, real or null; bytes are never selected).
fn row_json(r: &AnyRow) -> Value {
    let mut m = Map::new();
    for (i, col) in r.columns().iter().enumerate() {
        let v = if let Ok(s) = r.try_get::<Option<String>, _>(i) {
            s.map(Value::String).unwrap_or(Value::Null)
        } else if let Ok(n) = r.try_get::<Option<i64>, _>(i) {
            n.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(n) = r.try_get::<Option<i32>, _>(i) {
            n.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(x) = r.try_get::<Option<f64>, _>(i) {
            x.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(b) = r.try_get::<Option<bool>, _>(i) {
            b.map(Value::from).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        m.insert(col.name().to_string(), v);
    }
    Value::Object(m)
}

/// Every row `sql` finds with `$1` bound to `key`, as JSON objects.
async fn rows(c: &mut AnyConnection, sql: &str, key: &str) -> Result<Vec<Value>> {
    let found = crate::dynamic(sql.to_string())
        .bind(key.to_string())
        .fetch_all(c)
        .await?;
    Ok(found.iter().map(row_json).collect())
}

/// The sections of an export, in the order a person reads them.
pub const SECTIONS: &[&str] = &[
    "person",
    "consents",
    "residencies",
    "transitions",
    "declines",
    "enrolments",
    "attendance",
    "certificates",
    "events",
    "mentoring",
    "mentoring_sessions",
    "surveys",
    "survey_answers",
    "outcomes",
    "practices",
    "grant_applications",
    "grant_attachments",
    "bookings",
    "messages",
    "reads",
];

/// Everything kept about a woman, by section (see [`SECTIONS`]); `None` when there is no such
/// person. Mentors' private notes and case notes are left out (the first are the mentor's, the
/// second sealed); audit rows about her support case only with `with_case_reads` (the case is
/// confidential: shown to her, not to a coordinator).
pub async fn export(
    c: &mut AnyConnection,
    person: PersonId,
    with_case_reads: bool,
) -> Result<Option<Map<String, Value>>> {
    let id = person.to_string();
    let me = rows(
        c,
        "SELECT p.id, l.slug AS lab, p.family_name, p.given_name, p.patronymic, p.name_latin, p.phone, p.email,
                p.birth_year, p.gender, p.region, p.district, p.locality, p.settlement, p.languages, p.occupation,
                p.family_support, p.skills, p.aims, p.monthly_income, p.created_at, p.updated_at
         FROM people p JOIN labs l ON l.id = p.lab_id WHERE p.id = $1",
        &id,
    )
    .await?;
    let Some(me) = me.into_iter().next() else {
        return Ok(None);
    };
    let mut out = Map::new();
    out.insert("person".into(), me);
    let sections: &[(&str, &str)] = &[
        (
            "consents",
            "SELECT id, version, legal_basis, language, given_on, created_at, withdrawn_at FROM consents
             WHERE person_id = $1 ORDER BY created_at",
        ),
        (
            "residencies",
            "SELECT r.id, l.slug AS lab, c.name AS cohort, r.status, r.motivation, r.source, r.created_at, r.updated_at
             FROM residencies r JOIN labs l ON l.id = r.lab_id LEFT JOIN cohorts c ON c.id = r.cohort_id
             WHERE r.person_id = $1 ORDER BY r.created_at",
        ),
        (
            "transitions",
            "SELECT t.residency_id, t.from_status, t.to_status, t.at, t.note FROM residency_transitions t
             JOIN residencies r ON r.id = t.residency_id WHERE r.person_id = $1 ORDER BY t.at",
        ),
        (
            "declines",
            "SELECT d.residency_id, d.reason, d.told, d.at, d.reopened_at FROM residency_declines d
             JOIN residencies r ON r.id = d.residency_id WHERE r.person_id = $1 ORDER BY d.at",
        ),
        (
            "enrolments",
            "SELECT p.title AS programme, e.enrolled_at FROM enrolments e JOIN programmes p ON p.id = e.programme_id
             WHERE e.person_id = $1 ORDER BY e.enrolled_at",
        ),
        (
            "attendance",
            "SELECT p.title AS programme, s.starts_at, a.status, a.recorded_at FROM attendance a
             JOIN training_sessions s ON s.id = a.session_id JOIN programmes p ON p.id = s.programme_id
             WHERE a.person_id = $1 ORDER BY s.starts_at",
        ),
        (
            "certificates",
            "SELECT a.id, p.title AS programme, a.issued_at, a.revoked_at, a.revoked_reason FROM assertions a
             JOIN programmes p ON p.id = a.programme_id WHERE a.person_id = $1 ORDER BY a.issued_at",
        ),
        (
            "events",
            "SELECT e.title AS event, e.starts_at, r.name, r.phone, r.email, r.status, r.ticket_code, r.checked_in_at, r.created_at
             FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.person_id = $1 ORDER BY r.created_at",
        ),
        (
            "mentoring",
            "SELECT m.id, u.display_name AS mentor, m.status, m.explanation, m.created_at, m.ended_at
             FROM mentoring_matches m JOIN users u ON u.id = m.mentor_id WHERE m.person_id = $1 ORDER BY m.created_at",
        ),
        (
            "mentoring_sessions",
            "SELECT s.held_on, s.minutes, s.topic, s.goals_set, s.goals_reached, s.rating
             FROM mentoring_sessions s JOIN mentoring_matches m ON m.id = s.match_id WHERE m.person_id = $1 ORDER BY s.held_on",
        ),
        (
            "surveys",
            "SELECT r.id, i.title AS instrument, r.wave, r.answered_on, r.submitted_at FROM survey_responses r
             JOIN survey_instruments i ON i.id = r.instrument_id WHERE r.person_id = $1 ORDER BY r.answered_on",
        ),
        (
            "survey_answers",
            "SELECT a.response_id, q.name AS question, a.value FROM survey_answers a
             JOIN survey_questions q ON q.id = a.question_id JOIN survey_responses r ON r.id = a.response_id
             WHERE r.person_id = $1 ORDER BY a.response_id, q.name",
        ),
        (
            "outcomes",
            "SELECT kind, occurred_on, amount, source, note, created_at FROM outcomes WHERE person_id = $1 ORDER BY occurred_on",
        ),
        (
            "practices",
            "SELECT practice, found, teachable, updated_at FROM practices WHERE person_id = $1",
        ),
        (
            "grant_applications",
            "SELECT a.id, c.title AS call, a.title, a.idea, a.category, a.status, a.submitted_at, a.decision_message, a.decided_at
             FROM grant_applications a JOIN grant_calls c ON c.id = a.call_id WHERE a.person_id = $1 ORDER BY a.created_at",
        ),
        (
            "grant_attachments",
            "SELECT t.id, t.application_id, t.file_name, t.content_type, t.size, t.created_at,
                    '/grant-attachments/' || t.id AS download FROM grant_attachments t
             JOIN grant_applications a ON a.id = t.application_id WHERE a.person_id = $1 ORDER BY t.created_at",
        ),
    ];
    for (name, sql) in sections {
        let found = rows(c, sql, &id).await?;
        out.insert((*name).into(), Value::Array(found));
    }
    // Her bookings of the lab's space, her plans and her invoices.
    let mut bookings = rows(
        c,
        "SELECT r.name_ky AS resource, b.starts_at, b.ends_at, b.status, b.price FROM space_bookings b
         JOIN space_resources r ON r.id = b.resource_id WHERE b.person_id = $1 ORDER BY b.starts_at",
        &id,
    )
    .await?;
    bookings.extend(
        rows(
            c,
            "SELECT number AS invoice, issued_on, total FROM space_invoices WHERE person_id = $1 ORDER BY issued_on",
            &id,
        )
        .await?,
    );
    out.insert("bookings".into(), Value::Array(bookings));
    let mut messages = vec![];
    let addresses = addresses(c, person).await?;
    for job in addressed_jobs(c, &addresses).await? {
        messages.push(job.1);
    }
    out.insert("messages".into(), Value::Array(messages));
    let mut reads = rows(
        c,
        "SELECT a.at, u.display_name AS reader, a.action, a.entity FROM audit_log a
         LEFT JOIN users u ON u.id = a.actor_id WHERE a.entity = 'person' AND a.entity_id = $1 ORDER BY a.at, a.id",
        &id,
    )
    .await?;
    if with_case_reads {
        reads.extend(
            rows(
                c,
                "SELECT a.at, u.display_name AS reader, a.action, a.entity FROM audit_log a
                 LEFT JOIN users u ON u.id = a.actor_id
                 WHERE a.entity = 'support_case' AND a.entity_id IN (SELECT id FROM support_cases WHERE person_id = $1)
                 ORDER BY a.at, a.id",
                &id,
            )
            .await?,
        );
    }
    out.insert("reads".into(), Value::Array(reads));
    Ok(Some(out))
}

/// Her e-mail addresses and phones as kept anywhere (her record, her registrations, her
/// account's login), lower-cased: what messages to her were addressed to.
async fn addresses(c: &mut AnyConnection, person: PersonId) -> Result<Vec<String>> {
    let found = sqlx::query(
        "SELECT email AS a FROM people WHERE id = $1 AND email IS NOT NULL
         UNION SELECT phone AS a FROM people WHERE id = $1 AND phone IS NOT NULL
         UNION SELECT email AS a FROM registrations WHERE person_id = $1 AND email IS NOT NULL
         UNION SELECT login AS a FROM users WHERE person_id = $1",
    )
    .bind(person.to_string())
    .fetch_all(c)
    .await?;
    let mut out: Vec<String> = found
        .iter()
        .filter_map(|r| r.try_get::<String, _>("a").ok())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Messages (jobs) whose `to` (an email job) or direct address (a message job to someone
/// without a record) is one of `addresses`: their id and what she may read of them.
async fn addressed_jobs(
    c: &mut AnyConnection,
    addresses: &[String],
) -> Result<Vec<(String, Value)>> {
    if addresses.is_empty() {
        return Ok(vec![]);
    }
    let found = sqlx::query(
        "SELECT id, kind, payload, status, created_at, done_at FROM jobs WHERE kind IN ('email', 'message') ORDER BY created_at",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut out = vec![];
    for r in &found {
        let payload: String = r.try_get("payload")?;
        let Ok(p) = serde_json::from_str::<Value>(&payload) else {
            continue;
        };
        let to = p["to"]
            .as_str()
            .or_else(|| p["direct"]["email"].as_str())
            .unwrap_or("")
            .trim()
            .to_lowercase();
        if to.is_empty() || !addresses.contains(&to) {
            continue;
        }
        let id: String = r.try_get("id")?;
        out.push((
            id,
            serde_json::json!({
                "to": to,
                "template": p["template"],
                "subject": p["subject"],
                "body": p["body"],
                "status": r.try_get::<String, _>("status")?,
                "created_at": r.try_get::<String, _>("created_at")?,
                "sent_at": r.try_get::<Option<String>, _>("done_at")?,
            }),
        ));
    }
    Ok(out)
}

/// Whether every consent she gave is withdrawn (and she gave one): she is then hidden from
/// searches and lists but for the coordinators of her lab.
pub async fn consent_withdrawn(c: &mut AnyConnection, person: PersonId) -> Result<bool> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM consents WHERE person_id = $1) AS given,
                (SELECT COUNT(*) FROM consents WHERE person_id = $1 AND withdrawn_at IS NULL) AS standing",
    )
    .bind(person.to_string())
    .fetch_one(c)
    .await?;
    let given = crate::row::int(&r, "given")?;
    let standing = crate::row::int(&r, "standing")?;
    Ok(given > 0 && standing == 0)
}

/// The SQL condition (over `people` aliased as `alias`) that she is visible in lists: a consent
/// that stands (or none recorded at all) and not erased.
pub fn visible_clause(alias: &str) -> String {
    format!(
        "(NOT EXISTS (SELECT 1 FROM erasures x WHERE x.entity = 'person' AND x.entity_id = {alias}.id)
          AND (EXISTS (SELECT 1 FROM consents v WHERE v.person_id = {alias}.id AND v.withdrawn_at IS NULL)
               OR NOT EXISTS (SELECT 1 FROM consents v WHERE v.person_id = {alias}.id)))"
    )
}

pub async fn is_erased(c: &mut AnyConnection, entity: &str, id: &str) -> Result<bool> {
    let n: Option<String> =
        sqlx::query_scalar("SELECT entity_id FROM erasures WHERE entity = $1 AND entity_id = $2")
            .bind(entity)
            .bind(id)
            .fetch_optional(c)
            .await?;
    Ok(n.is_some())
}

async fn remember(c: &mut AnyConnection, entity: &str, id: &str, reason: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO erasures (entity, entity_id, reason, erased_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (entity, entity_id) DO NOTHING",
    )
    .bind(entity)
    .bind(id)
    .bind(reason)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Erases a woman's identity and free text everywhere and remembers it (see [`reapply_erasures`]).
/// `reason` is a code (never free text: the list keeps no names).
pub async fn erase_person(c: &mut AnyConnection, person: PersonId, reason: &str) -> Result<()> {
    scrub_person(c, person).await?;
    remember(c, PERSON, &person.to_string(), reason).await
}

/// Erases an event registration that was never linked to a person.
pub async fn erase_registration(c: &mut AnyConnection, id: &str, reason: &str) -> Result<()> {
    scrub_registrations(c, "id = $1", id).await?;
    remember(c, REGISTRATION, id, reason).await
}

async fn exec(c: &mut AnyConnection, sql: &str, key: &str) -> Result<()> {
    crate::dynamic(sql.to_string())
        .bind(key.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// Overwrites the identity of the registrations `filter` (over `registrations`, `$1` = `key`)
/// selects: name, phone (kept unique per event), e-mail; their ticket links go.
async fn scrub_registrations(c: &mut AnyConnection, filter: &str, key: &str) -> Result<()> {
    exec(
        c,
        &format!(
            "DELETE FROM ticket_links WHERE registration_id IN (SELECT id FROM registrations WHERE {filter})"
        ),
        key,
    )
    .await?;
    exec(
        c,
        &format!(
            "UPDATE registrations SET name = '', phone = 'erased:' || id, email = NULL WHERE {filter}"
        ),
        key,
    )
    .await
}

/// Every statement of a person's erasure, `$1` = her id. Idempotent: run again after a restore.
const SCRUB_PERSON: &[&str] = &[
    // Her public showcase goes entirely (products and fairs first: they name her profile).
    "DELETE FROM fair_makers WHERE person_id = $1",
    "DELETE FROM maker_products WHERE person_id = $1",
    "DELETE FROM maker_profiles WHERE person_id = $1",
    "UPDATE people SET family_name = '', given_name = '', patronymic = '', name_latin = '', search_key = '',
        phone = NULL, email = NULL, district = '', locality = '', languages = '', skills = '', aims = ''
     WHERE id = $1",
    "UPDATE residencies SET motivation = '' WHERE person_id = $1",
    "UPDATE residency_transitions SET note = '' WHERE residency_id IN (SELECT id FROM residencies WHERE person_id = $1)",
    "UPDATE residency_declines SET reason = '' WHERE residency_id IN (SELECT id FROM residencies WHERE person_id = $1)",
    "UPDATE application_repeats SET motivation = '' WHERE residency_id IN (SELECT id FROM residencies WHERE person_id = $1)",
    "UPDATE assertions SET recipient_hash = '', salt = '' WHERE person_id = $1",
    "UPDATE mentoring_wishes SET skills = '' WHERE person_id = $1",
    "UPDATE mentoring_matches SET explanation = '' WHERE person_id = $1",
    "UPDATE mentoring_sessions SET topic = '', goals_set = '', goals_reached = '', note = ''
     WHERE match_id IN (SELECT id FROM mentoring_matches WHERE person_id = $1)",
    "DELETE FROM case_notes WHERE case_id IN (SELECT id FROM support_cases WHERE person_id = $1)",
    "UPDATE referrals SET override_reason = NULL WHERE case_id IN (SELECT id FROM support_cases WHERE person_id = $1)",
    "UPDATE outcomes SET note = '' WHERE person_id = $1",
    "UPDATE space_bookings SET note = '' WHERE person_id = $1",
    "UPDATE space_invoices SET payer_name = '' WHERE person_id = $1",
    "UPDATE space_invoice_lines SET description = '' WHERE invoice_id IN (SELECT id FROM space_invoices WHERE person_id = $1)",
    "UPDATE practices SET practice = '', found = '' WHERE person_id = $1",
    "UPDATE grant_applications SET title = '', idea = '', decision_message = '' WHERE person_id = $1",
    "UPDATE grant_budget_lines SET item = '' WHERE application_id IN (SELECT id FROM grant_applications WHERE person_id = $1)",
    "DELETE FROM grant_attachments WHERE application_id IN (SELECT id FROM grant_applications WHERE person_id = $1)",
    "UPDATE grant_reviews SET comment = '' WHERE application_id IN (SELECT id FROM grant_applications WHERE person_id = $1)",
    "UPDATE grant_scores SET comment = '' WHERE review_id IN (SELECT r.id FROM grant_reviews r JOIN grant_applications a ON a.id = r.application_id WHERE a.person_id = $1)",
    "UPDATE grant_conflicts SET reason = '' WHERE application_id IN (SELECT id FROM grant_applications WHERE person_id = $1)",
    "UPDATE grant_awards SET adjusted_reason = '' WHERE application_id IN (SELECT id FROM grant_applications WHERE person_id = $1)",
    "UPDATE grant_reports SET body = '', purchases = '', response = ''
     WHERE award_id IN (SELECT w.id FROM grant_awards w JOIN grant_applications a ON a.id = w.application_id WHERE a.person_id = $1)",
    "UPDATE survey_answers SET value = '' WHERE response_id IN (SELECT id FROM survey_responses WHERE person_id = $1)
        AND question_id IN (SELECT id FROM survey_questions WHERE kind IN ('text', 'note'))",
    "UPDATE account_links SET login = NULL, display_name = '' WHERE person_id = $1",
    "DELETE FROM message_channels WHERE person_id = $1",
    "DELETE FROM telegram_codes WHERE person_id = $1",
    "UPDATE messages SET body = '', error = '' WHERE person_id = $1",
];

async fn scrub_person(c: &mut AnyConnection, person: PersonId) -> Result<()> {
    let id = person.to_string();
    // Messages first: they are found by the addresses about to be erased.
    let addresses = addresses(c, person).await?;
    for (job, _) in addressed_jobs(c, &addresses).await? {
        sqlx::query(
            "UPDATE jobs SET payload = '{}', status = CASE WHEN status = 'done' THEN 'done' ELSE 'failed' END,
                    last_error = CASE WHEN status = 'done' THEN last_error ELSE 'erased' END
             WHERE id = $1",
        )
        .bind(job)
        .execute(&mut *c)
        .await?;
    }
    // Her account: signed out everywhere, no way in, no name.
    let users: Vec<String> = sqlx::query_scalar("SELECT id FROM users WHERE person_id = $1")
        .bind(&id)
        .fetch_all(&mut *c)
        .await?;
    for user in users {
        sqlx::query("DELETE FROM sessions WHERE data LIKE $1")
            .bind(format!("%{user}%"))
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(&user)
        .bind(now())
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "UPDATE users SET login = 'erased:' || id, display_name = '', password_hash = '!', active = 0 WHERE id = $1",
        )
        .bind(&user)
        .execute(&mut *c)
        .await?;
    }
    let t = now();
    sqlx::query(
        "UPDATE account_links SET revoked_at = $2 WHERE person_id = $1 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(&id)
    .bind(&t)
    .execute(&mut *c)
    .await?;
    sqlx::query(
        "UPDATE consents SET withdrawn_at = $2 WHERE person_id = $1 AND withdrawn_at IS NULL",
    )
    .bind(&id)
    .bind(&t)
    .execute(&mut *c)
    .await?;
    scrub_registrations(c, "person_id = $1", &id).await?;
    for sql in SCRUB_PERSON {
        exec(c, sql, &id).await?;
    }
    Ok(())
}

/// One entry of the list of erasures: (entity, id, reason code, when).
pub type Erasure = (String, String, String, String);

/// The list of erasures of a database (ids and reason codes only).
pub async fn erasure_list(c: &mut AnyConnection) -> Result<Vec<Erasure>> {
    let rows =
        sqlx::query("SELECT entity, entity_id, reason, erased_at FROM erasures ORDER BY erased_at")
            .fetch_all(&mut *c)
            .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("entity")?,
                r.try_get("entity_id")?,
                r.try_get("reason")?,
                r.try_get("erased_at")?,
            ))
        })
        .collect()
}

/// Adds erasures made elsewhere (in the database a restore replaced) to this database's list;
/// [`reapply_erasures`] then carries them out.
pub async fn carry_erasures(c: &mut AnyConnection, list: &[Erasure]) -> Result<()> {
    for (entity, id, reason, at) in list {
        sqlx::query(
            "INSERT INTO erasures (entity, entity_id, reason, erased_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (entity, entity_id) DO NOTHING",
        )
        .bind(entity)
        .bind(id)
        .bind(reason)
        .bind(at)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Erases again everything on the list of erasures: after restoring a backup taken before some
/// of them, those women's data would be back otherwise. Answers how many were re-applied; cheap
/// when the list is empty. Run it in one transaction.
pub async fn reapply_erasures(c: &mut AnyConnection) -> Result<usize> {
    let list = sqlx::query("SELECT entity, entity_id FROM erasures ORDER BY erased_at")
        .fetch_all(&mut *c)
        .await?;
    let list: Vec<(String, String)> = list
        .iter()
        .map(|r| Ok((r.try_get("entity")?, r.try_get("entity_id")?)))
        .collect::<Result<_>>()?;
    for (entity, id) in &list {
        match entity.as_str() {
            PERSON => {
                if let Ok(p) = id.parse::<PersonId>() {
                    scrub_person(c, p).await?;
                }
            }
            REGISTRATION => scrub_registrations(c, "id = $1", id).await?,
            _ => {}
        }
    }
    Ok(list.len())
}

/// What the retention rule erases at `cutoff`: women whose every application was declined before
/// it (and who took part in nothing else), and registrations never linked to a person for events
/// that ended before it. Neither already erased.
pub async fn retention_due(
    c: &mut AnyConnection,
    cutoff: DateTime<Utc>,
) -> Result<(Vec<PersonId>, Vec<String>)> {
    let cutoff = crate::row::ts(cutoff);
    let people: Vec<String> = sqlx::query_scalar(
        "SELECT p.id FROM people p
         WHERE EXISTS (SELECT 1 FROM residencies r WHERE r.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM residencies r WHERE r.person_id = p.id
                           AND (r.status <> 'declined' OR r.updated_at >= $1))
           AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM grant_applications g WHERE g.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM support_cases s WHERE s.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM registrations g WHERE g.person_id = p.id AND g.created_at >= $1)
           AND NOT EXISTS (SELECT 1 FROM erasures x WHERE x.entity = 'person' AND x.entity_id = p.id)
         ORDER BY p.id",
    )
    .bind(&cutoff)
    .fetch_all(&mut *c)
    .await?;
    let registrations: Vec<String> = sqlx::query_scalar(
        "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id
         WHERE r.person_id IS NULL AND e.ends_at < $1 AND r.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM erasures x WHERE x.entity = 'registration' AND x.entity_id = r.id)
         ORDER BY r.id",
    )
    .bind(&cutoff)
    .fetch_all(&mut *c)
    .await?;
    let people = people
        .into_iter()
        .map(|s| {
            s.parse()
                .map_err(|_| crate::StoreError::Corrupt(format!("people.id {s}")))
        })
        .collect::<Result<_>>()?;
    Ok((people, registrations))
}
