//! Cohorts (a lab's intake groups) and residencies: a woman's path through one lab, with every
//! transition kept (who, when, from, to).
use crate::row::{
    all, bind_each, from_row, int, many, one, opt_text, optional, scope_clause, text,
};
use crate::{Result, StoreError, now, on_conflict};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{CohortId, LabId, LabScope, PersonId, ResidencyId, ResidencyStatus, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct Cohort {
    pub id: CohortId,
    pub lab_id: LabId,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

from_row! {
    Cohort |r| id, lab_id, name, starts_on, ends_on
}

pub async fn insert_cohort(
    c: &mut AnyConnection,
    lab: LabId,
    name: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Result<CohortId> {
    let id = CohortId::new();
    sqlx::query("INSERT INTO cohorts (id, lab_id, name, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id.to_string())
        .bind(lab.to_string())
        .bind(name)
        .bind(starts_on.to_string())
        .bind(ends_on.to_string())
        .bind(now())
        .execute(c)
        .await
        .map_err(|e| on_conflict(e, "cohorts.name"))?;
    Ok(id)
}

pub async fn cohorts(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Cohort>> {
    many(c, "SELECT id, lab_id, name, starts_on, ends_on FROM cohorts WHERE lab_id = $1 ORDER BY starts_on DESC", lab).await
}

pub async fn cohort(c: &mut AnyConnection, id: CohortId) -> Result<Option<Cohort>> {
    one(
        c,
        "SELECT id, lab_id, name, starts_on, ends_on FROM cohorts WHERE id = $1",
        id,
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Residency {
    pub id: ResidencyId,
    pub person_id: PersonId,
    pub lab_id: LabId,
    pub cohort_id: Option<CohortId>,
    pub cohort_name: Option<String>,
    pub status: ResidencyStatus,
    pub motivation: String,
    /// `self` (she applied on the public form) or `assisted` (registered by a coordinator).
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A residency with the person's name, for intake lists.
#[derive(Debug, Clone, Serialize)]
pub struct ResidencyRow {
    pub residency: Residency,
    pub person_name: String,
    pub person_locality: String,
    pub settlement: Option<String>,
}

fn status(s: &str) -> Result<ResidencyStatus> {
    ResidencyStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("status {s}")))
}

from_row! {
    Residency |r| id, person_id, lab_id, cohort_id, cohort_name,
    status: status(&text(r, "status")?)?, motivation, source, created_at, updated_at
}

const RCOLS: &str = "r.id, r.person_id, r.lab_id, r.cohort_id, c.name AS cohort_name, r.status, r.motivation, r.source, r.created_at, r.updated_at";

/// Opens a residency in `status` (applied, or further for assisted registration) and records
/// the first transition. Refused with `Conflict("residencies.open")` if one is already open.
pub async fn open(
    c: &mut AnyConnection,
    person: PersonId,
    lab: LabId,
    status: ResidencyStatus,
    motivation: &str,
    source: &str,
    by: Option<UserId>,
) -> Result<ResidencyId> {
    let id = ResidencyId::new();
    let t = now();
    sqlx::query(
        "INSERT INTO residencies (id, person_id, lab_id, cohort_id, status, motivation, source, created_at, updated_at)
         VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $7)",
    )
    .bind(id.to_string())
    .bind(person.to_string())
    .bind(lab.to_string())
    .bind(status.code())
    .bind(motivation)
    .bind(source)
    .bind(&t)
    .execute(&mut *c)
    .await
    .map_err(|e| on_conflict(e, "residencies.open"))?;
    record_transition(c, id, None, status, by, "").await?;
    Ok(id)
}

async fn record_transition(
    c: &mut AnyConnection,
    residency: ResidencyId,
    from: Option<ResidencyStatus>,
    to: ResidencyStatus,
    by: Option<UserId>,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO residency_transitions (id, residency_id, from_status, to_status, at, by_user, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid_v7())
    .bind(residency.to_string())
    .bind(from.map(|s| s.code()))
    .bind(to.code())
    .bind(now())
    .bind(by.map(|u| u.to_string()))
    .bind(note)
    .execute(c)
    .await?;
    Ok(())
}

fn uuid_v7() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Moves a residency from `from` to `to`. The compare-and-set on the status makes two
/// coordinators clicking at once safe: the second gets `Ok(false)`.
pub async fn transition(
    c: &mut AnyConnection,
    id: ResidencyId,
    from: ResidencyStatus,
    to: ResidencyStatus,
    by: Option<UserId>,
    note: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE residencies SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to.code())
    .bind(now())
    .bind(id.to_string())
    .bind(from.code())
    .execute(&mut *c)
    .await
    .map_err(|e| on_conflict(e, "residencies.open"))?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    record_transition(c, id, Some(from), to, by, note).await?;
    Ok(true)
}

pub async fn set_cohort(
    c: &mut AnyConnection,
    id: ResidencyId,
    cohort: Option<CohortId>,
) -> Result<()> {
    sqlx::query("UPDATE residencies SET cohort_id = $1, updated_at = $2 WHERE id = $3")
        .bind(cohort.map(|x| x.to_string()))
        .bind(now())
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(())
}

/// One residency, if the scope reaches its lab.
pub async fn get_scoped(
    c: &mut AnyConnection,
    scope: &LabScope,
    id: ResidencyId,
) -> Result<Option<Residency>> {
    let (clause, labs) = scope_clause(scope, "r.lab_id", 2);
    let sql = format!(
        "SELECT {RCOLS} FROM residencies r LEFT JOIN cohorts c ON c.id = r.cohort_id WHERE r.id = $1 AND {clause}"
    );
    let q = bind_each(crate::dynamic(sql).bind(id.to_string()), labs);
    optional(c, q).await
}

/// A person's residencies (all labs: the caller has already been allowed to see the person).
pub async fn of_person(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Residency>> {
    many(c, format!(
        "SELECT {RCOLS} FROM residencies r LEFT JOIN cohorts c ON c.id = r.cohort_id WHERE r.person_id = $1 ORDER BY r.created_at DESC"
    ), person).await
}

/// A lab's residencies, optionally in one status, newest first. A woman who withdrew her
/// consent or was erased is not listed (her lab's coordinators find her by name; see `rights`).
pub async fn of_lab(
    c: &mut AnyConnection,
    lab: LabId,
    status: Option<ResidencyStatus>,
) -> Result<Vec<ResidencyRow>> {
    let visible = crate::rights::visible_clause("p");
    let sql = format!(
        "SELECT {RCOLS}, p.family_name, p.given_name, p.locality, p.settlement
         FROM residencies r JOIN people p ON p.id = r.person_id LEFT JOIN cohorts c ON c.id = r.cohort_id
         WHERE r.lab_id = $1 AND ($2 = '' OR r.status = $2) AND {visible} ORDER BY r.updated_at DESC LIMIT 500"
    );
    all(
        c,
        crate::dynamic(sql)
            .bind(lab.to_string())
            .bind(status.map(|s| s.code()).unwrap_or("")),
    )
    .await
}

from_row! {
    ResidencyRow |r| residency: Residency::from_row(r)?,
    person_name: format!("{} {}", text(r, "family_name")?, text(r, "given_name")?),
    person_locality = "locality", settlement
}

/// How many residencies of a lab are in each status.
pub async fn counts(c: &mut AnyConnection, lab: LabId) -> Result<Vec<(ResidencyStatus, i64)>> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM residencies WHERE lab_id = $1 GROUP BY status",
    )
    .bind(lab.to_string())
    .fetch_all(c)
    .await?;
    let mut out = vec![];
    for s in ResidencyStatus::ALL {
        let n = rows
            .iter()
            .find(|r| text(r, "status").ok().as_deref() == Some(s.code()))
            .map(|r| int(r, "n"))
            .transpose()?
            .unwrap_or(0);
        out.push((*s, n));
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub from: Option<ResidencyStatus>,
    pub to: ResidencyStatus,
    pub at: DateTime<Utc>,
    pub by_name: Option<String>,
    pub note: String,
}

pub async fn transitions(c: &mut AnyConnection, id: ResidencyId) -> Result<Vec<Transition>> {
    all(
        c,
        sqlx::query(
            "SELECT t.from_status, t.to_status, t.at, u.display_name, t.note
         FROM residency_transitions t LEFT JOIN users u ON u.id = t.by_user
         WHERE t.residency_id = $1 ORDER BY t.at, t.id",
        )
        .bind(id.to_string()),
    )
    .await
}

from_row! {
    Transition |r| from: opt_text(r, "from_status")?.map(|s| status(&s)).transpose()?,
    to: status(&text(r, "to_status")?)?, at, by_name = "display_name", note
}

/// Dates a residency's steps as they happened: for history brought in from before the platform
/// (a lab's paper register) and for the demo. Each transition to a listed status gets its time;
/// the residency is dated by the first and last, and the person is registered no later than the
/// first.
pub async fn date_history(
    c: &mut AnyConnection,
    id: ResidencyId,
    steps: &[(ResidencyStatus, DateTime<Utc>)],
) -> Result<()> {
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        return Ok(());
    };
    for (status, at) in steps {
        sqlx::query(
            "UPDATE residency_transitions SET at = $1 WHERE residency_id = $2 AND to_status = $3",
        )
        .bind(crate::row::ts(*at))
        .bind(id.to_string())
        .bind(status.code())
        .execute(&mut *c)
        .await?;
    }
    sqlx::query("UPDATE residencies SET created_at = $1, updated_at = $2 WHERE id = $3")
        .bind(crate::row::ts(first.1))
        .bind(crate::row::ts(last.1))
        .bind(id.to_string())
        .execute(&mut *c)
        .await?;
    sqlx::query(
        "UPDATE people SET created_at = $1 WHERE created_at > $1
            AND id = (SELECT person_id FROM residencies WHERE id = $2)",
    )
    .bind(crate::row::ts(first.1))
    .bind(id.to_string())
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Why an application was declined and how she was told; kept when it is reopened.
#[derive(Debug, Clone, Serialize)]
pub struct Decline {
    pub residency_id: ResidencyId,
    pub reason: String,
    /// `email` (a message was queued), `in-person` (the coordinator told her), `not-yet`.
    pub told: String,
    pub reason_shared: bool,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
    pub reopened_at: Option<DateTime<Utc>>,
}

from_row! {
    Decline |r| residency_id, reason, told, reason_shared, by_name = "display_name", at, reopened_at
}

/// Records why a residency was declined and how she was told.
pub async fn record_decline(
    c: &mut AnyConnection,
    residency: ResidencyId,
    reason: &str,
    told: &str,
    reason_shared: bool,
    by: Option<UserId>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO residency_declines (id, residency_id, reason, told, reason_shared, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid_v7())
    .bind(residency.to_string())
    .bind(reason)
    .bind(told)
    .bind(i64::from(reason_shared))
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Marks the residency's last decline as reopened.
pub async fn mark_reopened(
    c: &mut AnyConnection,
    residency: ResidencyId,
    by: Option<UserId>,
) -> Result<()> {
    sqlx::query(
        "UPDATE residency_declines SET reopened_at = $1, reopened_by = $2 WHERE residency_id = $3 AND reopened_at IS NULL",
    )
    .bind(now())
    .bind(by.map(|u| u.to_string()))
    .bind(residency.to_string())
    .execute(c)
    .await?;
    Ok(())
}

const DECLINE_COLS: &str =
    "d.residency_id, d.reason, d.told, d.reason_shared, u.display_name, d.at, d.reopened_at";

/// The declines of a lab's residencies, newest first.
pub async fn declines_of_lab(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Decline>> {
    many(
        c,
        format!(
        "SELECT {DECLINE_COLS} FROM residency_declines d JOIN residencies r ON r.id = d.residency_id
         LEFT JOIN users u ON u.id = d.by_user WHERE r.lab_id = $1 ORDER BY d.at DESC"
    ),
        lab,
    )
    .await
}

/// The declines of one residency, newest first.
pub async fn declines(c: &mut AnyConnection, residency: ResidencyId) -> Result<Vec<Decline>> {
    many(
        c,
        format!(
            "SELECT {DECLINE_COLS} FROM residency_declines d LEFT JOIN users u ON u.id = d.by_user
         WHERE d.residency_id = $1 ORDER BY d.at DESC"
        ),
        residency,
    )
    .await
}

/// The open residency of a person in a lab, if any (she applies again while one is open).
pub async fn open_of(
    c: &mut AnyConnection,
    person: PersonId,
    lab: LabId,
) -> Result<Option<Residency>> {
    optional(
        c,
        crate::dynamic(format!(
            "SELECT {RCOLS} FROM residencies r LEFT JOIN cohorts c ON c.id = r.cohort_id
             WHERE r.person_id = $1 AND r.lab_id = $2 AND r.status IN ('applied', 'accepted', 'active')"
        ))
        .bind(person.to_string())
        .bind(lab.to_string()),
    )
    .await
}

/// Records that she applied again while her application (or residency) was open.
pub async fn record_repeat(
    c: &mut AnyConnection,
    residency: ResidencyId,
    motivation: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO application_repeats (id, residency_id, motivation, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid_v7())
    .bind(residency.to_string())
    .bind(motivation)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Applications sent again while one was open: how many for each residency of a lab, and when
/// the last one came.
#[derive(Debug, Clone, Serialize)]
pub struct Repeats {
    pub residency_id: ResidencyId,
    pub count: i64,
    pub last_at: DateTime<Utc>,
}

from_row! {
    Repeats |r| residency_id, count = "n", last_at = "last_at"
}

pub async fn repeats_of_lab(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Repeats>> {
    many(
        c,
        "SELECT a.residency_id, COUNT(*) AS n, MAX(a.created_at) AS last_at
         FROM application_repeats a JOIN residencies r ON r.id = a.residency_id
         WHERE r.lab_id = $1 GROUP BY a.residency_id",
        lab,
    )
    .await
}
