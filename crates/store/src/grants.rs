//! Seed funding: calls and their criteria, applications with budget lines, team members and
//! attachments, reviewers, conflicts of interest and scores, awards, tranches, the payment
//! ledger, progress reports and the ventures grants fund.
//!
//! Two rules hold whatever runs at the same time:
//! - **The budget is never exceeded.** [`award`] first takes the call row for writing
//!   ([`lock_call`], as events do for capacity), then sums what is awarded and inserts only if
//!   the new award fits; PostgreSQL queues the second writer on the row lock, SQLite
//!   transactions begin IMMEDIATE.
//! - **The ledger balances.** Payments are only ever added (database triggers refuse UPDATE and
//!   DELETE); a correction is a negative row naming the one it reverses. [`insert_payment`]
//!   takes the award row first and refuses a payment that would take a tranche's paid total
//!   below zero or past its amount; the tranches of an award always add up to it (they are
//!   replaced as a whole, and only before any payment). [`ledger_problems`] checks all of it.
//!   The same submission twice (the form's idempotency key) hits a unique index.
use crate::row::{date, get, int, opt, opt_date, opt_text, opt_time, text, time};
use crate::{Result, Store, StoreError, now, on_conflict};
use chrono::{DateTime, NaiveDate, Utc};
use domain::grants::{
    ApplicationStatus, CallStatus, Category, CriterionSpec, PaymentChannel, ReportStatus,
    VentureKind, VentureStatus,
};
use domain::{
    ApplicationId, AttachmentId, AwardId, CohortId, CriterionId, GrantCallId, LabId, PaymentId,
    PersonId, ReportId, ReviewId, TrancheId, UserId, VentureId,
};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

fn vocab<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s = text(r, col)?;
    parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: {s}")))
}

fn name(r: &AnyRow) -> Result<String> {
    Ok(format!(
        "{} {}",
        text(r, "family_name")?,
        text(r, "given_name")?
    ))
}

// ---------------------------------------------------------------------------------------------
// Calls

#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub id: GrantCallId,
    /// `None`: open to residents of every lab.
    pub lab_id: Option<LabId>,
    pub title: String,
    pub description: String,
    pub budget: i64,
    pub min_award: i64,
    pub max_award: i64,
    pub currency: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub cohort_id: Option<CohortId>,
    pub status: CallStatus,
    pub created_at: DateTime<Utc>,
    /// Sum of the awards decided so far.
    pub awarded: i64,
    /// Sum of the payments recorded on its awards.
    pub paid: i64,
    /// Applications submitted (or decided), drafts and withdrawn ones left out.
    pub applications: i64,
}

impl Call {
    pub fn left(&self) -> i64 {
        self.budget - self.awarded
    }
    /// Whether it takes applications on `today`.
    pub fn accepting(&self, today: NaiveDate) -> bool {
        self.status == CallStatus::Open && self.opens_on <= today && today <= self.closes_on
    }
}

const CALL_SQL: &str = "SELECT k.id, k.lab_id, k.title, k.description, k.budget, k.min_award, k.max_award, k.currency,
    k.opens_on, k.closes_on, k.cohort_id, k.status, k.created_at,
    (SELECT CAST(COALESCE(SUM(a.amount), 0) AS BIGINT) FROM grant_awards a WHERE a.call_id = k.id) AS awarded,
    (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p
        JOIN grant_tranches t ON t.id = p.tranche_id JOIN grant_awards a ON a.id = t.award_id
        WHERE a.call_id = k.id) AS paid,
    (SELECT COUNT(*) FROM grant_applications x WHERE x.call_id = k.id
        AND x.status IN ('submitted', 'awarded', 'declined')) AS applications
  FROM grant_calls k";

fn call_from(r: &AnyRow) -> Result<Call> {
    Ok(Call {
        id: get(r, "id")?,
        lab_id: opt(r, "lab_id")?,
        title: text(r, "title")?,
        description: text(r, "description")?,
        budget: int(r, "budget")?,
        min_award: int(r, "min_award")?,
        max_award: int(r, "max_award")?,
        currency: text(r, "currency")?,
        opens_on: date(r, "opens_on")?,
        closes_on: date(r, "closes_on")?,
        cohort_id: opt(r, "cohort_id")?,
        status: vocab(r, "status", CallStatus::parse)?,
        created_at: time(r, "created_at")?,
        awarded: int(r, "awarded")?,
        paid: int(r, "paid")?,
        applications: int(r, "applications")?,
    })
}

/// A call's own fields as a coordinator sets them.
#[derive(Debug, Clone)]
pub struct CallFields {
    pub title: String,
    pub description: String,
    pub budget: i64,
    pub min_award: i64,
    pub max_award: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub cohort_id: Option<CohortId>,
    pub criteria: Vec<CriterionSpec>,
}

pub async fn insert_call(
    c: &mut AnyConnection,
    lab: Option<LabId>,
    f: &CallFields,
    by: Option<UserId>,
) -> Result<GrantCallId> {
    let id = GrantCallId::new();
    let at = now();
    sqlx::query(
        "INSERT INTO grant_calls (id, lab_id, title, description, budget, min_award, max_award, currency, opens_on, closes_on, cohort_id, status, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'KGS', $8, $9, $10, 'draft', $11, $12, $12)",
    )
    .bind(id.to_string())
    .bind(lab.map(|l| l.to_string()))
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.budget)
    .bind(f.min_award)
    .bind(f.max_award)
    .bind(f.opens_on.to_string())
    .bind(f.closes_on.to_string())
    .bind(f.cohort_id.map(|x| x.to_string()))
    .bind(by.map(|u| u.to_string()))
    .bind(at)
    .execute(&mut *c)
    .await?;
    insert_criteria(c, id, &f.criteria).await?;
    Ok(id)
}

async fn insert_criteria(
    c: &mut AnyConnection,
    call: GrantCallId,
    criteria: &[CriterionSpec],
) -> Result<()> {
    for (i, k) in criteria.iter().enumerate() {
        sqlx::query(
            "INSERT INTO grant_criteria (id, call_id, position, name_ky, name_ru, name_en, guidance_ky, guidance_ru, guidance_en, weight, max_points)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(CriterionId::new().to_string())
        .bind(call.to_string())
        .bind(i as i64 + 1)
        .bind(&k.name_ky)
        .bind(&k.name_ru)
        .bind(&k.name_en)
        .bind(&k.guidance_ky)
        .bind(&k.guidance_ru)
        .bind(&k.guidance_en)
        .bind(k.weight)
        .bind(k.max_points)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Rewrites a draft call and its criteria; `false` when it is no longer a draft.
pub async fn update_draft_call(
    c: &mut AnyConnection,
    id: GrantCallId,
    f: &CallFields,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE grant_calls SET title = $2, description = $3, budget = $4, min_award = $5, max_award = $6,
            opens_on = $7, closes_on = $8, cohort_id = $9, updated_at = $10 WHERE id = $1 AND status = 'draft'",
    )
    .bind(id.to_string())
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.budget)
    .bind(f.min_award)
    .bind(f.max_award)
    .bind(f.opens_on.to_string())
    .bind(f.closes_on.to_string())
    .bind(f.cohort_id.map(|x| x.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM grant_criteria WHERE call_id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await?;
    insert_criteria(c, id, &f.criteria).await?;
    Ok(true)
}

/// Moves a call from one status to another; `false` when it was not in `from`.
pub async fn set_call_status(
    c: &mut AnyConnection,
    id: GrantCallId,
    from: CallStatus,
    to: CallStatus,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE grant_calls SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
    )
    .bind(id.to_string())
    .bind(from.code())
    .bind(to.code())
    .bind(now())
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Takes the call row for writing until the transaction ends (see the module doc).
pub async fn lock_call(c: &mut AnyConnection, id: GrantCallId) -> Result<()> {
    sqlx::query("UPDATE grant_calls SET budget = budget WHERE id = $1")
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(())
}

pub async fn get_call(c: &mut AnyConnection, id: GrantCallId) -> Result<Option<Call>> {
    let row = crate::dynamic(format!("{CALL_SQL} WHERE k.id = $1"))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    row.as_ref().map(call_from).transpose()
}

/// Which calls to list.
#[derive(Debug, Clone, Copy)]
pub enum Calls {
    /// Every call.
    All,
    /// A lab's own calls and the network-wide ones.
    OfLab(LabId),
    /// Network-wide calls only.
    Network,
    /// Calls open to a lab's residents (its own and the network's), not drafts.
    VisibleTo(LabId),
    /// Calls a reviewer is assigned to.
    ReviewedBy(UserId),
}

pub async fn calls(c: &mut AnyConnection, which: Calls) -> Result<Vec<Call>> {
    let (filter, arg) = match which {
        Calls::All => ("1 = 1 OR $1 = ''", String::new()),
        Calls::OfLab(l) => ("k.lab_id = $1 OR k.lab_id IS NULL", l.to_string()),
        Calls::Network => ("k.lab_id IS NULL OR $1 = 'x'", String::new()),
        Calls::VisibleTo(l) => (
            "(k.lab_id = $1 OR k.lab_id IS NULL) AND k.status <> 'draft'",
            l.to_string(),
        ),
        Calls::ReviewedBy(u) => (
            "EXISTS (SELECT 1 FROM grant_reviewers r WHERE r.call_id = k.id AND r.user_id = $1)",
            u.to_string(),
        ),
    };
    let rows = crate::dynamic(format!(
        "{CALL_SQL} WHERE {filter} ORDER BY CASE k.status WHEN 'open' THEN 0 WHEN 'closed' THEN 1 WHEN 'draft' THEN 2 ELSE 3 END, k.closes_on DESC"
    ))
    .bind(arg)
    .fetch_all(c)
    .await?;
    rows.iter().map(call_from).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    pub id: CriterionId,
    pub position: i64,
    #[serde(flatten)]
    pub spec: CriterionSpec,
}

impl Criterion {
    /// The name in a language, else the first one given.
    pub fn name(&self, lang: &str) -> &str {
        let s = &self.spec;
        let pick = match lang {
            "ky" => &s.name_ky,
            "ru" => &s.name_ru,
            _ => &s.name_en,
        };
        [pick, &s.name_ru, &s.name_ky, &s.name_en]
            .into_iter()
            .find(|x| !x.trim().is_empty())
            .map(String::as_str)
            .unwrap_or("")
    }
    pub fn guidance(&self, lang: &str) -> &str {
        let s = &self.spec;
        let pick = match lang {
            "ky" => &s.guidance_ky,
            "ru" => &s.guidance_ru,
            _ => &s.guidance_en,
        };
        [pick, &s.guidance_ru, &s.guidance_ky, &s.guidance_en]
            .into_iter()
            .find(|x| !x.trim().is_empty())
            .map(String::as_str)
            .unwrap_or("")
    }
}

pub async fn criteria(c: &mut AnyConnection, call: GrantCallId) -> Result<Vec<Criterion>> {
    let rows = sqlx::query(
        "SELECT id, position, name_ky, name_ru, name_en, guidance_ky, guidance_ru, guidance_en, weight, max_points
         FROM grant_criteria WHERE call_id = $1 ORDER BY position",
    )
    .bind(call.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Criterion {
                id: get(r, "id")?,
                position: int(r, "position")?,
                spec: CriterionSpec {
                    name_ky: text(r, "name_ky")?,
                    name_ru: text(r, "name_ru")?,
                    name_en: text(r, "name_en")?,
                    guidance_ky: text(r, "guidance_ky")?,
                    guidance_ru: text(r, "guidance_ru")?,
                    guidance_en: text(r, "guidance_en")?,
                    weight: int(r, "weight")?,
                    max_points: int(r, "max_points")?,
                },
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Applications

#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub id: ApplicationId,
    pub call_id: GrantCallId,
    pub person_id: PersonId,
    pub person_name: String,
    pub lab_id: LabId,
    pub title: String,
    pub idea: String,
    pub category: Category,
    pub requested: i64,
    pub own_contribution: i64,
    pub status: ApplicationStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The coordinator who filled it in with her (assisted entry).
    pub filled_by: Option<UserId>,
    pub filled_by_name: Option<String>,
    /// What the coordinator wrote her with the decision (the declined get a message too).
    pub decision_message: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

const APP_SQL: &str = "SELECT x.id, x.call_id, x.person_id, p.family_name, p.given_name, x.lab_id, x.title, x.idea,
    x.category, x.requested, x.own_contribution, x.status, x.submitted_at, x.filled_by, f.display_name AS filled_by_name,
    x.decision_message, x.decided_at, x.updated_at
  FROM grant_applications x JOIN people p ON p.id = x.person_id LEFT JOIN users f ON f.id = x.filled_by";

fn app_from(r: &AnyRow) -> Result<Application> {
    Ok(Application {
        id: get(r, "id")?,
        call_id: get(r, "call_id")?,
        person_id: get(r, "person_id")?,
        person_name: name(r)?,
        lab_id: get(r, "lab_id")?,
        title: text(r, "title")?,
        idea: text(r, "idea")?,
        category: vocab(r, "category", Category::parse)?,
        requested: int(r, "requested")?,
        own_contribution: int(r, "own_contribution")?,
        status: vocab(r, "status", ApplicationStatus::parse)?,
        submitted_at: opt_time(r, "submitted_at")?,
        filled_by: opt(r, "filled_by")?,
        filled_by_name: opt_text(r, "filled_by_name")?,
        decision_message: text(r, "decision_message")?,
        decided_at: opt_time(r, "decided_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

/// Starts a draft. `Conflict("grant_applications.one")` when she has one for this call already.
pub async fn insert_application(
    c: &mut AnyConnection,
    call: GrantCallId,
    person: PersonId,
    lab: LabId,
    filled_by: Option<UserId>,
) -> Result<ApplicationId> {
    let id = ApplicationId::new();
    let at = now();
    sqlx::query(
        "INSERT INTO grant_applications (id, call_id, person_id, lab_id, status, filled_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $6)",
    )
    .bind(id.to_string())
    .bind(call.to_string())
    .bind(person.to_string())
    .bind(lab.to_string())
    .bind(filled_by.map(|u| u.to_string()))
    .bind(at)
    .execute(c)
    .await
    .map_err(|e| on_conflict(e, "grant_applications.one"))?;
    Ok(id)
}

/// What a draft holds.
#[derive(Debug, Clone, Default)]
pub struct DraftFields {
    pub title: String,
    pub idea: String,
    pub category: Option<Category>,
    pub requested: i64,
    pub own_contribution: i64,
    pub lines: Vec<(String, i64)>,
    pub team: Vec<PersonId>,
}

/// Saves a draft with its budget lines and team (members who stay keep their confirmation).
/// `filled_by` records a coordinator typing it with her. `false` when it is no longer a draft.
pub async fn save_draft(
    c: &mut AnyConnection,
    id: ApplicationId,
    f: &DraftFields,
    filled_by: Option<UserId>,
) -> Result<bool> {
    let at = now();
    let n = sqlx::query(
        "UPDATE grant_applications SET title = $2, idea = $3, category = $4, requested = $5, own_contribution = $6,
            filled_by = COALESCE($7, filled_by), updated_at = $8 WHERE id = $1 AND status = 'draft'",
    )
    .bind(id.to_string())
    .bind(&f.title)
    .bind(&f.idea)
    .bind(f.category.unwrap_or(Category::Other).code())
    .bind(f.requested)
    .bind(f.own_contribution)
    .bind(filled_by.map(|u| u.to_string()))
    .bind(&at)
    .execute(&mut *c)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM grant_budget_lines WHERE application_id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await?;
    for (i, (item, amount)) in f.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO grant_budget_lines (id, application_id, position, item, amount) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(id.to_string())
        .bind(i as i64 + 1)
        .bind(item)
        .bind(*amount)
        .execute(&mut *c)
        .await?;
    }
    let current = team(c, id).await?;
    for m in &current {
        if !f.team.contains(&m.person_id) {
            sqlx::query(
                "DELETE FROM grant_team_members WHERE application_id = $1 AND person_id = $2",
            )
            .bind(id.to_string())
            .bind(m.person_id.to_string())
            .execute(&mut *c)
            .await?;
        }
    }
    for p in &f.team {
        if !current.iter().any(|m| m.person_id == *p) {
            sqlx::query(
                "INSERT INTO grant_team_members (application_id, person_id, added_at) VALUES ($1, $2, $3)",
            )
            .bind(id.to_string())
            .bind(p.to_string())
            .bind(&at)
            .execute(&mut *c)
            .await?;
        }
    }
    Ok(true)
}

/// Moves an application; `false` when it was not in `from`. Submitting stamps the time.
pub async fn set_application_status(
    c: &mut AnyConnection,
    id: ApplicationId,
    from: ApplicationStatus,
    to: ApplicationStatus,
) -> Result<bool> {
    let at = now();
    let n = sqlx::query(
        "UPDATE grant_applications SET status = $3, updated_at = $4,
            submitted_at = CASE WHEN $3 = 'submitted' THEN $4 ELSE submitted_at END
         WHERE id = $1 AND status = $2",
    )
    .bind(id.to_string())
    .bind(from.code())
    .bind(to.code())
    .bind(at)
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Declines every submitted application of a call not awarded, with the message for them, and
/// stamps the decision on the awarded ones (with theirs). Returns how many were declined.
pub async fn decide_rest(
    c: &mut AnyConnection,
    call: GrantCallId,
    declined_message: &str,
    awarded_message: &str,
) -> Result<u64> {
    let at = now();
    let n = sqlx::query(
        "UPDATE grant_applications SET status = 'declined', decision_message = $2, decided_at = $3, updated_at = $3
         WHERE call_id = $1 AND status = 'submitted'",
    )
    .bind(call.to_string())
    .bind(declined_message)
    .bind(&at)
    .execute(&mut *c)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE grant_applications SET decision_message = $2, decided_at = $3, updated_at = $3
         WHERE call_id = $1 AND status = 'awarded' AND decided_at IS NULL",
    )
    .bind(call.to_string())
    .bind(awarded_message)
    .bind(&at)
    .execute(&mut *c)
    .await?;
    sqlx::query("UPDATE grant_awards SET notified = 1 WHERE call_id = $1 AND notified = 0")
        .bind(call.to_string())
        .execute(&mut *c)
        .await?;
    Ok(n)
}

pub async fn get_application(
    c: &mut AnyConnection,
    id: ApplicationId,
) -> Result<Option<Application>> {
    let row = crate::dynamic(format!("{APP_SQL} WHERE x.id = $1"))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    row.as_ref().map(app_from).transpose()
}

/// A call's applications, oldest first; drafts only when asked (the coordinator's list).
pub async fn applications(
    c: &mut AnyConnection,
    call: GrantCallId,
    with_drafts: bool,
) -> Result<Vec<Application>> {
    let rows = crate::dynamic(format!(
        "{APP_SQL} WHERE x.call_id = $1 AND ($2 = 1 OR x.status IN ('submitted', 'awarded', 'declined'))
         ORDER BY COALESCE(x.submitted_at, x.updated_at), x.id"
    ))
    .bind(call.to_string())
    .bind(i64::from(with_drafts))
    .fetch_all(c)
    .await?;
    rows.iter().map(app_from).collect()
}

/// Her applications and those she is on the team of, newest first.
pub async fn applications_of_person(
    c: &mut AnyConnection,
    person: PersonId,
) -> Result<Vec<Application>> {
    let rows = crate::dynamic(format!(
        "{APP_SQL} WHERE x.person_id = $1
            OR EXISTS (SELECT 1 FROM grant_team_members m WHERE m.application_id = x.id AND m.person_id = $1)
         ORDER BY x.updated_at DESC"
    ))
    .bind(person.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(app_from).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct BudgetLine {
    pub item: String,
    pub amount: i64,
}

pub async fn budget_lines(c: &mut AnyConnection, app: ApplicationId) -> Result<Vec<BudgetLine>> {
    let rows = sqlx::query(
        "SELECT item, amount FROM grant_budget_lines WHERE application_id = $1 ORDER BY position",
    )
    .bind(app.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BudgetLine {
                item: text(r, "item")?,
                amount: int(r, "amount")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamMember {
    pub person_id: PersonId,
    pub name: String,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub async fn team(c: &mut AnyConnection, app: ApplicationId) -> Result<Vec<TeamMember>> {
    let rows = sqlx::query(
        "SELECT m.person_id, p.family_name, p.given_name, m.confirmed_at
         FROM grant_team_members m JOIN people p ON p.id = m.person_id
         WHERE m.application_id = $1 ORDER BY p.family_name, p.given_name",
    )
    .bind(app.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamMember {
                person_id: get(r, "person_id")?,
                name: name(r)?,
                confirmed_at: opt_time(r, "confirmed_at")?,
            })
        })
        .collect()
}

/// A team member confirms she is in; `false` when she is not on the team or confirmed already.
pub async fn confirm_team(
    c: &mut AnyConnection,
    app: ApplicationId,
    person: PersonId,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE grant_team_members SET confirmed_at = $3 WHERE application_id = $1 AND person_id = $2 AND confirmed_at IS NULL",
    )
    .bind(app.to_string())
    .bind(person.to_string())
    .bind(now())
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

// ---------------------------------------------------------------------------------------------
// Attachments

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub application_id: ApplicationId,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

fn attachment_from(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: get(r, "id")?,
        application_id: get(r, "application_id")?,
        file_name: text(r, "file_name")?,
        content_type: text(r, "content_type")?,
        size: int(r, "size")?,
        created_at: time(r, "created_at")?,
    })
}

pub async fn insert_attachment(
    c: &mut AnyConnection,
    app: ApplicationId,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
    by: Option<UserId>,
) -> Result<AttachmentId> {
    let id = AttachmentId::new();
    sqlx::query(
        "INSERT INTO grant_attachments (id, application_id, file_name, content_type, size, bytes, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(app.to_string())
    .bind(file_name)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(bytes.to_vec())
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn attachments(c: &mut AnyConnection, app: ApplicationId) -> Result<Vec<Attachment>> {
    let rows = sqlx::query(
        "SELECT id, application_id, file_name, content_type, size, created_at FROM grant_attachments
         WHERE application_id = $1 ORDER BY created_at",
    )
    .bind(app.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(attachment_from).collect()
}

/// An attachment with its bytes.
pub async fn attachment(
    c: &mut AnyConnection,
    id: AttachmentId,
) -> Result<Option<(Attachment, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT id, application_id, file_name, content_type, size, created_at, bytes FROM grant_attachments WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await?;
    match row {
        Some(r) => Ok(Some((attachment_from(&r)?, r.try_get("bytes")?))),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------------
// Reviewers, conflicts, reviews

/// Assigns a reviewer to a call (assigning twice changes nothing).
pub async fn add_reviewer(
    c: &mut AnyConnection,
    call: GrantCallId,
    user: UserId,
    by: Option<UserId>,
) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO grant_reviewers (call_id, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (call_id, user_id) DO NOTHING",
    )
    .bind(call.to_string())
    .bind(user.to_string())
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

pub async fn reviewers(c: &mut AnyConnection, call: GrantCallId) -> Result<Vec<Person>> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name FROM grant_reviewers r JOIN users u ON u.id = r.user_id
         WHERE r.call_id = $1 ORDER BY u.display_name",
    )
    .bind(call.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Person {
                id: get(r, "id")?,
                name: text(r, "display_name")?,
            })
        })
        .collect()
}

pub async fn is_reviewer(c: &mut AnyConnection, call: GrantCallId, user: UserId) -> Result<bool> {
    let row = sqlx::query("SELECT 1 AS x FROM grant_reviewers WHERE call_id = $1 AND user_id = $2")
        .bind(call.to_string())
        .bind(user.to_string())
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

/// Accounts that can sit on a lab's panel (`None`: any lab's): its coordinators, mentors and
/// reviewers, and the network admins. Case workers are left out (their role is kept apart).
pub async fn reviewer_candidates(c: &mut AnyConnection, lab: Option<LabId>) -> Result<Vec<Person>> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name FROM users u WHERE u.active = 1 AND u.person_id IS NULL AND (u.is_admin = 1 OR EXISTS (
            SELECT 1 FROM user_lab_roles g WHERE g.user_id = u.id AND g.role <> 'case-worker' AND ($1 = '' OR g.lab_id = $1)))
         ORDER BY u.display_name",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Person {
                id: get(r, "id")?,
                name: text(r, "display_name")?,
            })
        })
        .collect()
}

/// Records a declared conflict (declaring twice keeps the first).
pub async fn declare_conflict(
    c: &mut AnyConnection,
    reviewer: UserId,
    app: ApplicationId,
    reason: &str,
) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO grant_conflicts (reviewer_id, application_id, reason, declared_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (reviewer_id, application_id) DO NOTHING",
    )
    .bind(reviewer.to_string())
    .bind(app.to_string())
    .bind(reason)
    .bind(now())
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

pub async fn has_conflict(
    c: &mut AnyConnection,
    reviewer: UserId,
    app: ApplicationId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 AS x FROM grant_conflicts WHERE reviewer_id = $1 AND application_id = $2",
    )
    .bind(reviewer.to_string())
    .bind(app.to_string())
    .fetch_optional(c)
    .await?;
    Ok(row.is_some())
}

#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub reviewer_id: UserId,
    pub reviewer_name: String,
    pub application_id: ApplicationId,
    pub reason: String,
    pub declared_at: DateTime<Utc>,
}

/// The conflicts declared on a call's applications.
pub async fn conflicts(c: &mut AnyConnection, call: GrantCallId) -> Result<Vec<Conflict>> {
    let rows = sqlx::query(
        "SELECT k.reviewer_id, u.display_name, k.application_id, k.reason, k.declared_at
         FROM grant_conflicts k JOIN users u ON u.id = k.reviewer_id
         JOIN grant_applications x ON x.id = k.application_id WHERE x.call_id = $1 ORDER BY k.declared_at",
    )
    .bind(call.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Conflict {
                reviewer_id: get(r, "reviewer_id")?,
                reviewer_name: text(r, "display_name")?,
                application_id: get(r, "application_id")?,
                reason: text(r, "reason")?,
                declared_at: time(r, "declared_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub criterion_id: CriterionId,
    pub points: i64,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: ReviewId,
    pub application_id: ApplicationId,
    pub reviewer_id: UserId,
    pub reviewer_name: String,
    pub comment: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub scores: Vec<Score>,
}

impl Review {
    pub fn points(&self, criterion: &CriterionId) -> Option<i64> {
        self.scores
            .iter()
            .find(|s| s.criterion_id == *criterion)
            .map(|s| s.points)
    }
    pub fn score_comment(&self, criterion: &CriterionId) -> &str {
        self.scores
            .iter()
            .find(|s| s.criterion_id == *criterion)
            .map(|s| s.comment.as_str())
            .unwrap_or("")
    }
}

/// Saves a reviewer's scores (and submits them when `submit`). A submitted review is final:
/// `Conflict("grant_reviews.submitted")`.
pub async fn save_review(
    c: &mut AnyConnection,
    app: ApplicationId,
    reviewer: UserId,
    comment: &str,
    scores: &[(CriterionId, i64, String)],
    submit: bool,
) -> Result<ReviewId> {
    let at = now();
    let existing = sqlx::query(
        "SELECT id, submitted_at FROM grant_reviews WHERE application_id = $1 AND reviewer_id = $2",
    )
    .bind(app.to_string())
    .bind(reviewer.to_string())
    .fetch_optional(&mut *c)
    .await?;
    let id = match existing {
        Some(r) => {
            if opt_text(&r, "submitted_at")?.is_some() {
                return Err(StoreError::Conflict("grant_reviews.submitted"));
            }
            let id: ReviewId = get(&r, "id")?;
            sqlx::query(
                "UPDATE grant_reviews SET comment = $2, submitted_at = $3, updated_at = $4 WHERE id = $1 AND submitted_at IS NULL",
            )
            .bind(id.to_string())
            .bind(comment)
            .bind(submit.then(|| at.clone()))
            .bind(&at)
            .execute(&mut *c)
            .await?;
            id
        }
        None => {
            let id = ReviewId::new();
            sqlx::query(
                "INSERT INTO grant_reviews (id, application_id, reviewer_id, comment, submitted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.to_string())
            .bind(app.to_string())
            .bind(reviewer.to_string())
            .bind(comment)
            .bind(submit.then(|| at.clone()))
            .bind(&at)
            .execute(&mut *c)
            .await
            .map_err(|e| on_conflict(e, "grant_reviews.submitted"))?;
            id
        }
    };
    sqlx::query("DELETE FROM grant_scores WHERE review_id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await?;
    for (criterion, points, note) in scores {
        sqlx::query(
            "INSERT INTO grant_scores (review_id, criterion_id, points, comment) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_string())
        .bind(criterion.to_string())
        .bind(*points)
        .bind(note)
        .execute(&mut *c)
        .await?;
    }
    Ok(id)
}

async fn with_scores(c: &mut AnyConnection, rows: Vec<AnyRow>) -> Result<Vec<Review>> {
    let mut out = vec![];
    for r in &rows {
        let id: ReviewId = get(r, "id")?;
        let scores = sqlx::query(
            "SELECT criterion_id, points, comment FROM grant_scores WHERE review_id = $1",
        )
        .bind(id.to_string())
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|s| {
            Ok(Score {
                criterion_id: get(s, "criterion_id")?,
                points: int(s, "points")?,
                comment: text(s, "comment")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        out.push(Review {
            id,
            application_id: get(r, "application_id")?,
            reviewer_id: get(r, "reviewer_id")?,
            reviewer_name: text(r, "display_name")?,
            comment: text(r, "comment")?,
            submitted_at: opt_time(r, "submitted_at")?,
            scores,
        });
    }
    Ok(out)
}

const REVIEW_SQL: &str =
    "SELECT v.id, v.application_id, v.reviewer_id, u.display_name, v.comment, v.submitted_at
  FROM grant_reviews v JOIN users u ON u.id = v.reviewer_id";

/// The reviews of an application (`submitted_only`: what others may see).
pub async fn reviews(
    c: &mut AnyConnection,
    app: ApplicationId,
    submitted_only: bool,
) -> Result<Vec<Review>> {
    let rows = crate::dynamic(format!(
        "{REVIEW_SQL} WHERE v.application_id = $1 AND ($2 = 0 OR v.submitted_at IS NOT NULL) ORDER BY u.display_name"
    ))
    .bind(app.to_string())
    .bind(i64::from(submitted_only))
    .fetch_all(&mut *c)
    .await?;
    with_scores(c, rows).await
}

/// Every submitted review of a call's applications (for the ranking).
pub async fn submitted_reviews_of_call(
    c: &mut AnyConnection,
    call: GrantCallId,
) -> Result<Vec<Review>> {
    let rows = crate::dynamic(format!(
        "{REVIEW_SQL} JOIN grant_applications x ON x.id = v.application_id
         WHERE x.call_id = $1 AND v.submitted_at IS NOT NULL ORDER BY v.application_id, u.display_name"
    ))
    .bind(call.to_string())
    .fetch_all(&mut *c)
    .await?;
    with_scores(c, rows).await
}

/// A reviewer's progress on a call: (application, her review submitted?, conflict declared?).
pub async fn review_state(
    c: &mut AnyConnection,
    call: GrantCallId,
    reviewer: UserId,
) -> Result<Vec<(ApplicationId, bool, bool)>> {
    let rows = sqlx::query(
        "SELECT x.id,
            CASE WHEN EXISTS (SELECT 1 FROM grant_reviews v WHERE v.application_id = x.id AND v.reviewer_id = $2 AND v.submitted_at IS NOT NULL) THEN 1 ELSE 0 END AS done,
            CASE WHEN EXISTS (SELECT 1 FROM grant_conflicts k WHERE k.application_id = x.id AND k.reviewer_id = $2) THEN 1 ELSE 0 END AS conflict
         FROM grant_applications x WHERE x.call_id = $1",
    )
    .bind(call.to_string())
    .bind(reviewer.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                get(r, "id")?,
                int(r, "done")? != 0,
                int(r, "conflict")? != 0,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Awards, tranches, payments

#[derive(Debug, Clone, Serialize)]
pub struct Award {
    pub id: AwardId,
    pub application_id: ApplicationId,
    pub call_id: GrantCallId,
    pub amount: i64,
    pub proposed_amount: i64,
    pub adjusted_reason: String,
    pub decided_by: Option<UserId>,
    pub decided_at: DateTime<Utc>,
    pub decided_on: NaiveDate,
    pub notified: bool,
    /// Sum of its payments.
    pub paid: i64,
}

const AWARD_SQL: &str = "SELECT a.id, a.application_id, a.call_id, a.amount, a.proposed_amount, a.adjusted_reason,
    a.decided_by, a.decided_at, a.decided_on, a.notified,
    (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p JOIN grant_tranches t ON t.id = p.tranche_id
        WHERE t.award_id = a.id) AS paid
  FROM grant_awards a";

fn award_from(r: &AnyRow) -> Result<Award> {
    Ok(Award {
        id: get(r, "id")?,
        application_id: get(r, "application_id")?,
        call_id: get(r, "call_id")?,
        amount: int(r, "amount")?,
        proposed_amount: int(r, "proposed_amount")?,
        adjusted_reason: text(r, "adjusted_reason")?,
        decided_by: opt(r, "decided_by")?,
        decided_at: time(r, "decided_at")?,
        decided_on: date(r, "decided_on")?,
        notified: int(r, "notified")? != 0,
        paid: int(r, "paid")?,
    })
}

/// An award to decide.
#[derive(Debug, Clone)]
pub struct NewAward<'a> {
    pub application: ApplicationId,
    pub call: GrantCallId,
    pub amount: i64,
    pub proposed_amount: i64,
    pub adjusted_reason: &'a str,
    pub decided_by: Option<UserId>,
    pub decided_on: NaiveDate,
}

/// Awards a submitted application within the call's limits and budget (see the module doc).
/// Refusals: `Conflict("grant_awards.limits")` outside min..=max, `Conflict("grant_awards.budget")`
/// past the budget, `Conflict("grant_applications.status")` when not submitted (or decided already).
pub async fn award(c: &mut AnyConnection, a: &NewAward<'_>) -> Result<AwardId> {
    lock_call(c, a.call).await?;
    let row = sqlx::query(
        "SELECT k.budget, k.min_award, k.max_award,
            (SELECT CAST(COALESCE(SUM(w.amount), 0) AS BIGINT) FROM grant_awards w WHERE w.call_id = k.id) AS awarded
         FROM grant_calls k WHERE k.id = $1",
    )
    .bind(a.call.to_string())
    .fetch_optional(&mut *c)
    .await?
    .ok_or(StoreError::NotFound)?;
    let (budget, min, max, awarded) = (
        int(&row, "budget")?,
        int(&row, "min_award")?,
        int(&row, "max_award")?,
        int(&row, "awarded")?,
    );
    if a.amount < min || a.amount > max {
        return Err(StoreError::Conflict("grant_awards.limits"));
    }
    if awarded + a.amount > budget {
        return Err(StoreError::Conflict("grant_awards.budget"));
    }
    let moved = sqlx::query(
        "UPDATE grant_applications SET status = 'awarded', updated_at = $3 WHERE id = $1 AND call_id = $2 AND status = 'submitted'",
    )
    .bind(a.application.to_string())
    .bind(a.call.to_string())
    .bind(now())
    .execute(&mut *c)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(StoreError::Conflict("grant_applications.status"));
    }
    let id = AwardId::new();
    sqlx::query(
        "INSERT INTO grant_awards (id, application_id, call_id, amount, proposed_amount, adjusted_reason, decided_by, decided_at, decided_on, notified)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0)",
    )
    .bind(id.to_string())
    .bind(a.application.to_string())
    .bind(a.call.to_string())
    .bind(a.amount)
    .bind(a.proposed_amount)
    .bind(a.adjusted_reason)
    .bind(a.decided_by.map(|u| u.to_string()))
    .bind(now())
    .bind(a.decided_on.to_string())
    .execute(&mut *c)
    .await
    .map_err(|e| on_conflict(e, "grant_applications.status"))?;
    Ok(id)
}

pub async fn get_award(c: &mut AnyConnection, id: AwardId) -> Result<Option<Award>> {
    let row = crate::dynamic(format!("{AWARD_SQL} WHERE a.id = $1"))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    row.as_ref().map(award_from).transpose()
}

pub async fn award_of(c: &mut AnyConnection, app: ApplicationId) -> Result<Option<Award>> {
    let row = crate::dynamic(format!("{AWARD_SQL} WHERE a.application_id = $1"))
        .bind(app.to_string())
        .fetch_optional(c)
        .await?;
    row.as_ref().map(award_from).transpose()
}

pub async fn awards_of_call(c: &mut AnyConnection, call: GrantCallId) -> Result<Vec<Award>> {
    let rows = crate::dynamic(format!(
        "{AWARD_SQL} WHERE a.call_id = $1 ORDER BY a.decided_at"
    ))
    .bind(call.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(award_from).collect()
}

/// Takes the award row for writing (payments and tranche plans of one award, one at a time).
pub async fn lock_award(c: &mut AnyConnection, id: AwardId) -> Result<()> {
    sqlx::query("UPDATE grant_awards SET amount = amount WHERE id = $1")
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Tranche {
    pub id: TrancheId,
    pub award_id: AwardId,
    pub position: i64,
    pub amount: i64,
    pub condition: String,
    pub due_on: Option<NaiveDate>,
    pub released_at: Option<DateTime<Utc>>,
    /// Sum of its payments (reversals included).
    pub paid: i64,
}

const TRANCHE_SQL: &str = "SELECT t.id, t.award_id, t.position, t.amount, t.condition, t.due_on, t.released_at,
    (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p WHERE p.tranche_id = t.id) AS paid
  FROM grant_tranches t";

fn tranche_from(r: &AnyRow) -> Result<Tranche> {
    Ok(Tranche {
        id: get(r, "id")?,
        award_id: get(r, "award_id")?,
        position: int(r, "position")?,
        amount: int(r, "amount")?,
        condition: text(r, "condition")?,
        due_on: opt_date(r, "due_on")?,
        released_at: opt_time(r, "released_at")?,
        paid: int(r, "paid")?,
    })
}

pub async fn tranches(c: &mut AnyConnection, award: AwardId) -> Result<Vec<Tranche>> {
    let rows = crate::dynamic(format!(
        "{TRANCHE_SQL} WHERE t.award_id = $1 ORDER BY t.position"
    ))
    .bind(award.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(tranche_from).collect()
}

pub async fn get_tranche(c: &mut AnyConnection, id: TrancheId) -> Result<Option<Tranche>> {
    let row = crate::dynamic(format!("{TRANCHE_SQL} WHERE t.id = $1"))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    row.as_ref().map(tranche_from).transpose()
}

/// One part of a tranche plan.
#[derive(Debug, Clone)]
pub struct TranchePlan {
    pub amount: i64,
    pub condition: String,
    pub due_on: Option<NaiveDate>,
}

/// Replaces an award's tranches. The amounts must add up to the award
/// (`Conflict("grant_tranches.sum")`), and nothing may have been paid on it yet
/// (`Conflict("grant_tranches.paid")`): the ledger's rows keep pointing at their tranche.
pub async fn replace_tranches(
    c: &mut AnyConnection,
    award: AwardId,
    plan: &[TranchePlan],
) -> Result<()> {
    lock_award(c, award).await?;
    let a = get_award(c, award).await?.ok_or(StoreError::NotFound)?;
    if plan.iter().map(|p| p.amount).sum::<i64>() != a.amount || plan.iter().any(|p| p.amount <= 0)
    {
        return Err(StoreError::Conflict("grant_tranches.sum"));
    }
    let payments: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM grant_payments p JOIN grant_tranches t ON t.id = p.tranche_id WHERE t.award_id = $1",
    )
    .bind(award.to_string())
    .fetch_one(&mut *c)
    .await?
    .try_get("n")?;
    if payments > 0 {
        return Err(StoreError::Conflict("grant_tranches.paid"));
    }
    sqlx::query("DELETE FROM grant_tranches WHERE award_id = $1")
        .bind(award.to_string())
        .execute(&mut *c)
        .await?;
    for (i, p) in plan.iter().enumerate() {
        sqlx::query(
            "INSERT INTO grant_tranches (id, award_id, position, amount, condition, due_on) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(TrancheId::new().to_string())
        .bind(award.to_string())
        .bind(i as i64 + 1)
        .bind(p.amount)
        .bind(&p.condition)
        .bind(p.due_on.map(|d| d.to_string()))
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// The coordinator says the tranche's condition is met; `false` when released already.
pub async fn release_tranche(
    c: &mut AnyConnection,
    id: TrancheId,
    by: Option<UserId>,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE grant_tranches SET released_at = $2, released_by = $3 WHERE id = $1 AND released_at IS NULL",
    )
    .bind(id.to_string())
    .bind(now())
    .bind(by.map(|u| u.to_string()))
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: PaymentId,
    pub tranche_id: TrancheId,
    pub amount: i64,
    pub paid_on: NaiveDate,
    pub channel: PaymentChannel,
    pub reference: String,
    pub reverses_id: Option<PaymentId>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

fn payment_from(r: &AnyRow) -> Result<Payment> {
    Ok(Payment {
        id: get(r, "id")?,
        tranche_id: get(r, "tranche_id")?,
        amount: int(r, "amount")?,
        paid_on: date(r, "paid_on")?,
        channel: vocab(r, "channel", PaymentChannel::parse)?,
        reference: text(r, "reference")?,
        reverses_id: opt(r, "reverses_id")?,
        recorded_by_name: opt_text(r, "display_name")?,
        recorded_at: time(r, "recorded_at")?,
    })
}

const PAYMENT_SQL: &str =
    "SELECT p.id, p.tranche_id, p.amount, p.paid_on, p.channel, p.reference, p.reverses_id,
    u.display_name, p.recorded_at
  FROM grant_payments p LEFT JOIN users u ON u.id = p.recorded_by";

#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    pub tranche: TrancheId,
    /// Negative for a reversal.
    pub amount: i64,
    pub paid_on: NaiveDate,
    pub channel: PaymentChannel,
    pub reference: &'a str,
    pub reverses: Option<PaymentId>,
    pub idempotency_key: &'a str,
    pub recorded_by: Option<UserId>,
}

/// Adds a ledger row. Refusals: `Conflict("grant_payments.idempotency")` for the same
/// submission twice, `Conflict("grant_payments.over")` when the tranche's paid total would leave
/// 0..=amount, `Conflict("grant_payments.reversal")` for a second reversal of one row.
pub async fn insert_payment(c: &mut AnyConnection, p: &NewPayment<'_>) -> Result<PaymentId> {
    let t = get_tranche(c, p.tranche)
        .await?
        .ok_or(StoreError::NotFound)?;
    lock_award(c, t.award_id).await?;
    // Read again under the lock: another payment may have committed meanwhile.
    let t = get_tranche(c, p.tranche)
        .await?
        .ok_or(StoreError::NotFound)?;
    let seen = sqlx::query("SELECT 1 AS x FROM grant_payments WHERE idempotency_key = $1")
        .bind(p.idempotency_key)
        .fetch_optional(&mut *c)
        .await?;
    if seen.is_some() {
        return Err(StoreError::Conflict("grant_payments.idempotency"));
    }
    if !domain::grants::payment_fits(t.amount, t.paid, p.amount) {
        return Err(StoreError::Conflict("grant_payments.over"));
    }
    let id = PaymentId::new();
    sqlx::query(
        "INSERT INTO grant_payments (id, tranche_id, amount, paid_on, channel, reference, reverses_id, idempotency_key, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(p.tranche.to_string())
    .bind(p.amount)
    .bind(p.paid_on.to_string())
    .bind(p.channel.code())
    .bind(p.reference)
    .bind(p.reverses.map(|x| x.to_string()))
    .bind(p.idempotency_key)
    .bind(p.recorded_by.map(|u| u.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            if db.message().contains("reverses") {
                StoreError::Conflict("grant_payments.reversal")
            } else {
                StoreError::Conflict("grant_payments.idempotency")
            }
        }
        _ => StoreError::Db(e),
    })?;
    Ok(id)
}

pub async fn get_payment(c: &mut AnyConnection, id: PaymentId) -> Result<Option<Payment>> {
    let row = crate::dynamic(format!("{PAYMENT_SQL} WHERE p.id = $1"))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    row.as_ref().map(payment_from).transpose()
}

/// Whether a payment has been reversed already.
pub async fn is_reversed(c: &mut AnyConnection, id: PaymentId) -> Result<bool> {
    let row = sqlx::query("SELECT 1 AS x FROM grant_payments WHERE reverses_id = $1")
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

pub async fn payments_of_award(c: &mut AnyConnection, award: AwardId) -> Result<Vec<Payment>> {
    let rows = crate::dynamic(format!(
        "{PAYMENT_SQL} JOIN grant_tranches t ON t.id = p.tranche_id WHERE t.award_id = $1 ORDER BY p.recorded_at, p.id"
    ))
    .bind(award.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(payment_from).collect()
}

/// A call's ledger with whose award each row belongs to (for donors' exports).
pub async fn payments_of_call(
    c: &mut AnyConnection,
    call: GrantCallId,
) -> Result<Vec<(Payment, ApplicationId)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.tranche_id, p.amount, p.paid_on, p.channel, p.reference, p.reverses_id,
            u.display_name, p.recorded_at, a.application_id
         FROM grant_payments p LEFT JOIN users u ON u.id = p.recorded_by
         JOIN grant_tranches t ON t.id = p.tranche_id JOIN grant_awards a ON a.id = t.award_id
         WHERE a.call_id = $1 ORDER BY p.paid_on, p.recorded_at, p.id",
    )
    .bind(call.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((payment_from(r)?, get(r, "application_id")?)))
        .collect()
}

/// Everything that would mean the books do not balance, for one call or all: awards whose
/// tranches do not add up to them, tranches paid below zero or past their amount, reversals
/// that do not mirror the row they reverse, awards past the call's budget. Empty when sound.
pub async fn ledger_problems(
    c: &mut AnyConnection,
    call: Option<GrantCallId>,
) -> Result<Vec<String>> {
    let call = call.map(|x| x.to_string()).unwrap_or_default();
    let mut out = vec![];
    let rows = sqlx::query(
        "SELECT a.id, a.amount, (SELECT CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) FROM grant_tranches t WHERE t.award_id = a.id) AS planned
         FROM grant_awards a WHERE $1 = '' OR a.call_id = $1",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let (amount, planned) = (int(r, "amount")?, int(r, "planned")?);
        if amount != planned {
            out.push(format!(
                "award {}: tranches {planned} ≠ award {amount}",
                text(r, "id")?
            ));
        }
    }
    let rows = sqlx::query(
        "SELECT t.id, t.amount, (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p WHERE p.tranche_id = t.id) AS paid
         FROM grant_tranches t JOIN grant_awards a ON a.id = t.award_id WHERE $1 = '' OR a.call_id = $1",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let (amount, paid) = (int(r, "amount")?, int(r, "paid")?);
        if paid < 0 || paid > amount {
            out.push(format!(
                "tranche {}: paid {paid} outside 0..={amount}",
                text(r, "id")?
            ));
        }
    }
    let rows = sqlx::query(
        "SELECT p.id FROM grant_payments p JOIN grant_payments o ON o.id = p.reverses_id
         JOIN grant_tranches t ON t.id = p.tranche_id JOIN grant_awards a ON a.id = t.award_id
         WHERE ($1 = '' OR a.call_id = $1) AND (p.amount <> -o.amount OR p.tranche_id <> o.tranche_id)",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        out.push(format!(
            "payment {}: reversal does not mirror its row",
            text(r, "id")?
        ));
    }
    let rows = sqlx::query(
        "SELECT k.id, k.budget, (SELECT CAST(COALESCE(SUM(a.amount), 0) AS BIGINT) FROM grant_awards a WHERE a.call_id = k.id) AS awarded
         FROM grant_calls k WHERE $1 = '' OR k.id = $1",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let (budget, awarded) = (int(r, "budget")?, int(r, "awarded")?);
        if awarded > budget {
            out.push(format!(
                "call {}: awarded {awarded} > budget {budget}",
                text(r, "id")?
            ));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Progress reports

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: ReportId,
    pub award_id: AwardId,
    pub body: String,
    pub purchases: String,
    /// First sales, tyiyn.
    pub first_sales: i64,
    pub status: ReportStatus,
    pub response: String,
    pub submitted_by_name: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

fn report_from(r: &AnyRow) -> Result<Report> {
    Ok(Report {
        id: get(r, "id")?,
        award_id: get(r, "award_id")?,
        body: text(r, "body")?,
        purchases: text(r, "purchases")?,
        first_sales: int(r, "first_sales")?,
        status: vocab(r, "status", ReportStatus::parse)?,
        response: text(r, "response")?,
        submitted_by_name: opt_text(r, "display_name")?,
        submitted_at: time(r, "submitted_at")?,
        responded_at: opt_time(r, "responded_at")?,
    })
}

const REPORT_SQL: &str = "SELECT g.id, g.award_id, g.body, g.purchases, g.first_sales, g.status, g.response,
    u.display_name, g.submitted_at, g.responded_at FROM grant_reports g LEFT JOIN users u ON u.id = g.submitted_by";

pub async fn insert_report(
    c: &mut AnyConnection,
    award: AwardId,
    body: &str,
    purchases: &str,
    first_sales: i64,
    by: Option<UserId>,
) -> Result<ReportId> {
    let id = ReportId::new();
    sqlx::query(
        "INSERT INTO grant_reports (id, award_id, body, purchases, first_sales, status, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7)",
    )
    .bind(id.to_string())
    .bind(award.to_string())
    .bind(body)
    .bind(purchases)
    .bind(first_sales)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn reports(c: &mut AnyConnection, award: AwardId) -> Result<Vec<Report>> {
    let rows = crate::dynamic(format!(
        "{REPORT_SQL} WHERE g.award_id = $1 ORDER BY g.submitted_at"
    ))
    .bind(award.to_string())
    .fetch_all(c)
    .await?;
    rows.iter().map(report_from).collect()
}

pub async fn get_report(c: &mut AnyConnection, id: ReportId) -> Result<Option<Report>> {
    let row = crate::dynamic(format!("{REPORT_SQL} WHERE g.id = $1"))
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    row.as_ref().map(report_from).transpose()
}

/// The coordinator accepts a report or asks for more; `false` when answered already.
pub async fn respond_report(
    c: &mut AnyConnection,
    id: ReportId,
    status: ReportStatus,
    response: &str,
    by: Option<UserId>,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE grant_reports SET status = $2, response = $3, responded_by = $4, responded_at = $5 WHERE id = $1 AND status = 'submitted'",
    )
    .bind(id.to_string())
    .bind(status.code())
    .bind(response)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

// ---------------------------------------------------------------------------------------------
// Ventures

#[derive(Debug, Clone, Serialize)]
pub struct Venture {
    pub id: VentureId,
    pub lab_id: LabId,
    pub award_id: Option<AwardId>,
    pub name: String,
    pub kind: VentureKind,
    pub category: Category,
    pub status: VentureStatus,
    pub launched_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub members: Vec<(PersonId, String)>,
}

pub async fn insert_venture(
    c: &mut AnyConnection,
    lab: LabId,
    award: Option<AwardId>,
    name: &str,
    kind: VentureKind,
    category: Category,
    members: &[PersonId],
) -> Result<VentureId> {
    let id = VentureId::new();
    let at = now();
    sqlx::query(
        "INSERT INTO ventures (id, lab_id, award_id, name, kind, category, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $7)",
    )
    .bind(id.to_string())
    .bind(lab.to_string())
    .bind(award.map(|a| a.to_string()))
    .bind(name)
    .bind(kind.code())
    .bind(category.code())
    .bind(at)
    .execute(&mut *c)
    .await?;
    for p in members {
        sqlx::query(
            "INSERT INTO venture_members (venture_id, person_id) VALUES ($1, $2) ON CONFLICT (venture_id, person_id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(p.to_string())
        .execute(&mut *c)
        .await?;
    }
    Ok(id)
}

async fn venture_where(
    c: &mut AnyConnection,
    clause: &str,
    arg: String,
) -> Result<Option<Venture>> {
    let row = crate::dynamic(format!(
        "SELECT id, lab_id, award_id, name, kind, category, status, launched_on, closed_on FROM ventures WHERE {clause}"
    ))
    .bind(arg)
    .fetch_optional(&mut *c)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let id: VentureId = get(&r, "id")?;
    let members = sqlx::query(
        "SELECT p.id, p.family_name, p.given_name FROM venture_members m JOIN people p ON p.id = m.person_id
         WHERE m.venture_id = $1 ORDER BY p.family_name, p.given_name",
    )
    .bind(id.to_string())
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|m| Ok((get(m, "id")?, name(m)?)))
    .collect::<Result<Vec<_>>>()?;
    Ok(Some(Venture {
        id,
        lab_id: get(&r, "lab_id")?,
        award_id: opt(&r, "award_id")?,
        name: text(&r, "name")?,
        kind: vocab(&r, "kind", VentureKind::parse)?,
        category: vocab(&r, "category", Category::parse)?,
        status: vocab(&r, "status", VentureStatus::parse)?,
        launched_on: opt_date(&r, "launched_on")?,
        closed_on: opt_date(&r, "closed_on")?,
        members,
    }))
}

pub async fn get_venture(c: &mut AnyConnection, id: VentureId) -> Result<Option<Venture>> {
    venture_where(c, "id = $1", id.to_string()).await
}

pub async fn venture_of_award(c: &mut AnyConnection, award: AwardId) -> Result<Option<Venture>> {
    venture_where(c, "award_id = $1", award.to_string()).await
}

/// Launched (with the date) or closed; `false` when it is not in a status that moves so.
pub async fn set_venture_status(
    c: &mut AnyConnection,
    id: VentureId,
    status: VentureStatus,
    on: NaiveDate,
) -> Result<bool> {
    let sql = match status {
        VentureStatus::Launched => {
            "UPDATE ventures SET status = 'launched', launched_on = $2, updated_at = $3 WHERE id = $1 AND status = 'planned'"
        }
        VentureStatus::Closed => {
            "UPDATE ventures SET status = 'closed', closed_on = $2, updated_at = $3 WHERE id = $1 AND status <> 'closed'"
        }
        VentureStatus::Planned => return Ok(false),
    };
    let n = sqlx::query(sql)
        .bind(id.to_string())
        .bind(on.to_string())
        .bind(now())
        .execute(c)
        .await?
        .rows_affected();
    Ok(n > 0)
}

// ---------------------------------------------------------------------------------------------
// For impact work

/// Grants decided in a period: how many, how much, how much of it is paid, and the ventures they
/// fund (`ventures` counts all of them, `joint_initiatives` those of several residents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AwardTotals {
    pub awards: i64,
    /// Tyiyn.
    pub awarded: i64,
    /// Tyiyn paid so far on those awards.
    pub paid: i64,
    pub ventures: i64,
    pub joint_initiatives: i64,
}

/// Awards decided between `from` and `to` (inclusive, Bishkek dates), for the residents of one
/// lab (the applicant's lab, so a network-wide call counts where each woman is) or the network.
pub async fn award_totals(
    store: &Store,
    lab: Option<&LabId>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<AwardTotals> {
    let mut c = store.conn().await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS awards, CAST(COALESCE(SUM(q.amount), 0) AS BIGINT) AS awarded,
            CAST(COALESCE(SUM(q.paid), 0) AS BIGINT) AS paid,
            CAST(COALESCE(SUM(q.venture), 0) AS BIGINT) AS ventures,
            CAST(COALESCE(SUM(q.joint), 0) AS BIGINT) AS joint
         FROM (SELECT a.amount,
                (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p
                    JOIN grant_tranches t ON t.id = p.tranche_id WHERE t.award_id = a.id) AS paid,
                CASE WHEN EXISTS (SELECT 1 FROM ventures v WHERE v.award_id = a.id) THEN 1 ELSE 0 END AS venture,
                CASE WHEN EXISTS (SELECT 1 FROM ventures v WHERE v.award_id = a.id AND v.kind = 'joint-initiative') THEN 1 ELSE 0 END AS joint
              FROM grant_awards a JOIN grant_applications x ON x.id = a.application_id
              WHERE a.decided_on >= $1 AND a.decided_on <= $2 AND ($3 = '' OR x.lab_id = $3)) q",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_one(&mut *c)
    .await?;
    Ok(AwardTotals {
        awards: int(&row, "awards")?,
        awarded: int(&row, "awarded")?,
        paid: int(&row, "paid")?,
        ventures: int(&row, "ventures")?,
        joint_initiatives: int(&row, "joint")?,
    })
}
