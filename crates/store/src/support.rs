//! Psychosocial support cases, their encrypted notes, the directory of outside services, and
//! referrals. This module never sees plaintext notes: the web layer seals them before they come
//! here and opens them after they leave. Access is decided by the caller (per case: the assigned
//! case worker, or the woman herself); the reads here are unscoped on purpose, and every one of
//! them that shows a case to somebody is paired with an audit row by the service.
use crate::row::{all, col, from_row, get, many, one, opt_text};
use crate::{Result, now};
use chrono::{DateTime, NaiveDate, Utc};
use domain::support::{CaseReason, CaseStatus, ServiceKind, Urgency};
use domain::{CaseId, CaseNoteId, LabId, PersonId, ReferralId, ServiceId, UserId};
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct Case {
    pub id: CaseId,
    pub person_id: PersonId,
    pub person_name: String,
    pub lab_id: LabId,
    pub case_worker_id: UserId,
    pub case_worker_name: String,
    pub reason: CaseReason,
    pub urgency: Urgency,
    pub status: CaseStatus,
    pub next_contact_on: Option<NaiveDate>,
    pub shared_with_coordinator: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

const CCOLS: &str = "s.id, s.person_id, s.lab_id, s.case_worker_id, s.reason, s.urgency, s.status, s.next_contact_on, s.shared_with_coordinator, s.created_at, s.updated_at, s.closed_at,
  p.family_name || ' ' || p.given_name AS person_name, u.display_name AS worker_name";
const CFROM: &str =
    "support_cases s JOIN people p ON p.id = s.person_id JOIN users u ON u.id = s.case_worker_id";
const URGENCY_ORDER: &str =
    "CASE s.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";

from_row! {
    Case |r| id, person_id, person_name, lab_id, case_worker_id, case_worker_name = "worker_name",
    reason, urgency, status, next_contact_on, shared_with_coordinator, created_at, updated_at,
    closed_at
}

#[derive(Debug, Clone)]
pub struct NewCase {
    pub person_id: PersonId,
    pub lab_id: LabId,
    pub case_worker_id: UserId,
    pub reason: CaseReason,
    pub urgency: Urgency,
    pub next_contact_on: Option<NaiveDate>,
    pub shared_with_coordinator: bool,
}

pub async fn insert_case(c: &mut AnyConnection, n: &NewCase) -> Result<CaseId> {
    let id = CaseId::new();
    let t = now();
    sqlx::query(
        "INSERT INTO support_cases (id, person_id, lab_id, case_worker_id, reason, urgency, status, next_contact_on, shared_with_coordinator, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9)",
    )
    .bind(id.to_string())
    .bind(n.person_id.to_string())
    .bind(n.lab_id.to_string())
    .bind(n.case_worker_id.to_string())
    .bind(n.reason.code())
    .bind(n.urgency.code())
    .bind(n.next_contact_on.map(|d| d.to_string()))
    .bind(i64::from(n.shared_with_coordinator))
    .bind(&t)
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn get_case(c: &mut AnyConnection, id: CaseId) -> Result<Option<Case>> {
    one(
        c,
        format!("SELECT {CCOLS} FROM {CFROM} WHERE s.id = $1"),
        id,
    )
    .await
}

/// The cases assigned to a case worker: open ones first, the most urgent first, then by the
/// next contact date.
pub async fn cases_of_worker(c: &mut AnyConnection, worker: UserId) -> Result<Vec<Case>> {
    many(c, format!(
        "SELECT {CCOLS} FROM {CFROM} WHERE s.case_worker_id = $1
         ORDER BY CASE s.status WHEN 'closed' THEN 1 ELSE 0 END, {URGENCY_ORDER}, CASE WHEN s.next_contact_on IS NULL THEN 1 ELSE 0 END, s.next_contact_on, s.created_at"
    ), worker).await
}

/// A woman's own cases, newest first.
pub async fn cases_of_person(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Case>> {
    many(
        c,
        format!("SELECT {CCOLS} FROM {CFROM} WHERE s.person_id = $1 ORDER BY s.created_at DESC"),
        person,
    )
    .await
}

/// Whether the woman has a case that she agreed her lab's coordinator may know about.
pub async fn shared_case_exists(
    c: &mut AnyConnection,
    person: PersonId,
    lab: LabId,
) -> Result<Option<CaseId>> {
    let row = sqlx::query(
        "SELECT id FROM support_cases WHERE person_id = $1 AND lab_id = $2 AND shared_with_coordinator = 1 ORDER BY created_at LIMIT 1",
    )
    .bind(person.to_string())
    .bind(lab.to_string())
    .fetch_optional(c)
    .await?;
    row.as_ref().map(|r| get(r, "id")).transpose()
}

pub async fn update_case(
    c: &mut AnyConnection,
    id: CaseId,
    urgency: Urgency,
    status: CaseStatus,
    next_contact_on: Option<NaiveDate>,
) -> Result<()> {
    let t = now();
    sqlx::query(
        "UPDATE support_cases SET urgency = $2, status = $3, next_contact_on = $4, updated_at = $5,
           closed_at = CASE WHEN $3 = 'closed' THEN COALESCE(closed_at, $5) ELSE NULL END
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(urgency.code())
    .bind(status.code())
    .bind(next_contact_on.map(|d| d.to_string()))
    .bind(&t)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn set_shared_with_coordinator(
    c: &mut AnyConnection,
    id: CaseId,
    on: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE support_cases SET shared_with_coordinator = $2, updated_at = $3 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(i64::from(on))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// A note as stored: only its ciphertext.
#[derive(Debug, Clone)]
pub struct SealedNote {
    pub id: CaseNoteId,
    pub case_id: CaseId,
    pub author_id: UserId,
    pub author_name: String,
    pub ciphertext: String,
    pub key_id: String,
    pub shared_with_resident: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_note(
    c: &mut AnyConnection,
    id: CaseNoteId,
    case: CaseId,
    author: UserId,
    ciphertext: &str,
    key_id: &str,
    shared_with_resident: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_notes (id, case_id, author_id, ciphertext, key_id, shared_with_resident, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(case.to_string())
    .bind(author.to_string())
    .bind(ciphertext)
    .bind(key_id)
    .bind(i64::from(shared_with_resident))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

from_row! {
    SealedNote |r| id, case_id, author_id, author_name = "display_name", ciphertext, key_id,
    shared_with_resident, created_at
}

/// A case's notes, oldest first; `shared_only` for what the woman herself may read.
pub async fn notes(
    c: &mut AnyConnection,
    case: CaseId,
    shared_only: bool,
) -> Result<Vec<SealedNote>> {
    all(c, sqlx::query(
        "SELECT n.id, n.case_id, n.author_id, u.display_name, n.ciphertext, n.key_id, n.shared_with_resident, n.created_at
         FROM case_notes n JOIN users u ON u.id = n.author_id
         WHERE n.case_id = $1 AND ($2 = 0 OR n.shared_with_resident = 1) ORDER BY n.created_at, n.id",
    )
    .bind(case.to_string())
    .bind(i64::from(shared_only))).await
}

/// Every sealed value (notes and override reasons), for key rotation.
#[derive(Debug, Clone)]
pub struct SealedValue {
    /// `note` or `referral`.
    pub kind: &'static str,
    pub id: String,
    pub case_id: CaseId,
    pub ciphertext: String,
    pub key_id: String,
}

pub async fn all_sealed(c: &mut AnyConnection) -> Result<Vec<SealedValue>> {
    let mut out = vec![];
    for r in sqlx::query("SELECT id, case_id, ciphertext, key_id FROM case_notes ORDER BY id")
        .fetch_all(&mut *c)
        .await?
    {
        out.push(SealedValue {
            kind: "note",
            id: col(&r, "id")?,
            case_id: col(&r, "case_id")?,
            ciphertext: col(&r, "ciphertext")?,
            key_id: col(&r, "key_id")?,
        });
    }
    for r in sqlx::query(
        "SELECT id, case_id, override_reason, key_id FROM referrals WHERE override_reason IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *c)
    .await?
    {
        out.push(SealedValue {
            kind: "referral",
            id: col(&r, "id")?,
            case_id: col(&r, "case_id")?,
            ciphertext: col(&r, "override_reason")?,
            key_id: opt_text(&r, "key_id")?.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Replaces one sealed value (key rotation).
pub async fn reseal(
    c: &mut AnyConnection,
    v: &SealedValue,
    ciphertext: &str,
    key_id: &str,
) -> Result<()> {
    let sql = match v.kind {
        "note" => "UPDATE case_notes SET ciphertext = $2, key_id = $3 WHERE id = $1",
        _ => "UPDATE referrals SET override_reason = $2, key_id = $3 WHERE id = $1",
    };
    sqlx::query(sql)
        .bind(&v.id)
        .bind(ciphertext)
        .bind(key_id)
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Service {
    pub id: ServiceId,
    pub region: String,
    pub kind: ServiceKind,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
}

#[derive(Debug, Clone)]
pub struct NewService {
    pub region: String,
    pub kind: ServiceKind,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
}

from_row! {
    Service |r| id, region, kind, name, phone, address, notes
}

pub async fn insert_service(
    c: &mut AnyConnection,
    s: &NewService,
    by: Option<UserId>,
) -> Result<ServiceId> {
    let id = ServiceId::new();
    sqlx::query(
        "INSERT INTO support_services (id, region, kind, name, phone, address, notes, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(&s.region)
    .bind(s.kind.code())
    .bind(&s.name)
    .bind(&s.phone)
    .bind(&s.address)
    .bind(&s.notes)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

/// The directory, by region then kind then name; `region` narrows it to one region.
pub async fn services(c: &mut AnyConnection, region: Option<&str>) -> Result<Vec<Service>> {
    many(
        c,
        "SELECT id, region, kind, name, phone, address, notes FROM support_services
         WHERE ($1 = '' OR region = $1) ORDER BY region, kind, name",
        region.unwrap_or(""),
    )
    .await
}

pub async fn service(c: &mut AnyConnection, id: ServiceId) -> Result<Option<Service>> {
    one(
        c,
        "SELECT id, region, kind, name, phone, address, notes FROM support_services WHERE id = $1",
        id,
    )
    .await
}

#[derive(Debug, Clone)]
pub struct Referral {
    pub id: ReferralId,
    pub case_id: CaseId,
    pub service_id: ServiceId,
    pub service_name: String,
    pub service_kind: ServiceKind,
    pub consent_recorded: bool,
    /// Sealed, when the referral was made without her consent.
    pub override_reason: Option<String>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

#[allow(clippy::too_many_arguments)] // one column each
pub async fn insert_referral(
    c: &mut AnyConnection,
    id: ReferralId,
    case: CaseId,
    service: ServiceId,
    consent_recorded: bool,
    override_sealed: Option<(&str, &str)>,
    by: UserId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO referrals (id, case_id, service_id, consent_recorded, override_reason, key_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(case.to_string())
    .bind(service.to_string())
    .bind(i64::from(consent_recorded))
    .bind(override_sealed.map(|(ct, _)| ct.to_string()))
    .bind(override_sealed.map(|(_, k)| k.to_string()))
    .bind(by.to_string())
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn referrals(c: &mut AnyConnection, case: CaseId) -> Result<Vec<Referral>> {
    let q = sqlx::query(
        "SELECT r.id, r.case_id, r.service_id, s.name, s.kind, r.consent_recorded, r.override_reason, u.display_name, r.created_at
         FROM referrals r JOIN support_services s ON s.id = r.service_id JOIN users u ON u.id = r.created_by
         WHERE r.case_id = $1 ORDER BY r.created_at, r.id",
    )
    .bind(case.to_string());
    all(c, q).await
}

from_row! {
    Referral |r| id, case_id, service_id, service_name = "name", service_kind = "kind",
    consent_recorded, override_reason, created_by_name = "display_name", created_at
}

/// One line of a case's access log: who did what with it, and when.
#[derive(Debug, Clone)]
pub struct Access {
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub action: String,
}

/// The audit rows about a case (entity `support_case`), newest first.
pub async fn access_log(c: &mut AnyConnection, case: CaseId, limit: i64) -> Result<Vec<Access>> {
    all(c, crate::dynamic(format!(
        "SELECT a.at, a.actor_id, u.display_name, a.action FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.entity = 'support_case' AND a.entity_id = $1 ORDER BY a.id DESC LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(case.to_string())).await
}

from_row! {
    Access |r| at, actor_id, actor_name = "display_name", action
}

/// How many audit rows a case has (tests and the rotation report).
pub async fn audit_count(c: &mut AnyConnection, case: CaseId) -> Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'support_case' AND entity_id = $1",
    )
    .bind(case.to_string())
    .fetch_one(c)
    .await?;
    crate::row::int(&r, "n")
}
