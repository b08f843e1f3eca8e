//! Applications: drafts, budget lines, team members, submission and decision, and their attachments.
use super::*;

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

from_row! {
    Application |r| id, call_id, person_id, person_name: name(r)?, lab_id, title, idea, category,
    requested, own_contribution, status, submitted_at, filled_by, filled_by_name, decision_message,
    decided_at, updated_at
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
    let q = sqlx::query(
        "UPDATE grant_applications SET status = $3, updated_at = $4,
            submitted_at = CASE WHEN $3 = 'submitted' THEN $4 ELSE submitted_at END
         WHERE id = $1 AND status = $2",
    )
    .bind(id.to_string())
    .bind(from.code())
    .bind(to.code())
    .bind(at);
    changed(c, q).await
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
    one(c, format!("{APP_SQL} WHERE x.id = $1"), id).await
}

/// A call's applications, oldest first; drafts only when asked (the coordinator's list).
pub async fn applications(
    c: &mut AnyConnection,
    call: GrantCallId,
    with_drafts: bool,
) -> Result<Vec<Application>> {
    all(c, crate::dynamic(format!(
        "{APP_SQL} WHERE x.call_id = $1 AND ($2 = 1 OR x.status IN ('submitted', 'awarded', 'declined'))
         ORDER BY COALESCE(x.submitted_at, x.updated_at), x.id"
    ))
    .bind(call.to_string())
    .bind(i64::from(with_drafts))).await
}

/// Which of a call's applications a reader may list (the service decides; the query filters).
#[derive(Debug, Clone, Default)]
pub struct Visible {
    /// Every application, drafts too (the call's coordinator).
    pub all: bool,
    /// Every application of these labs, drafts too (their coordinators on a network call).
    pub labs: Vec<LabId>,
    /// Every submitted or decided application (a reviewer).
    pub reviewer: bool,
    /// Hers (the applicant); her drafts only when she also sees drafts of some lab.
    pub person: Option<PersonId>,
}

impl Visible {
    /// The condition on `x` and the values it binds from `$first` on.
    fn clause(&self, first: usize) -> (String, Vec<String>) {
        let decided = "x.status IN ('submitted', 'awarded', 'declined')";
        let labs: Vec<String> = (0..self.labs.len())
            .map(|i| format!("${}", first + 1 + i))
            .collect();
        let in_labs = if labs.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("x.lab_id IN ({})", labs.join(", "))
        };
        let drafts = self.all || !self.labs.is_empty();
        let sql = format!(
            "({drafts} OR {decided}) AND ({all} OR {in_labs} OR ({reviewer} AND {decided}) OR x.person_id = ${first})",
            drafts = if drafts { "1 = 1" } else { "1 = 0" },
            all = if self.all { "1 = 1" } else { "1 = 0" },
            reviewer = if self.reviewer { "1 = 1" } else { "1 = 0" },
        );
        let mut values = vec![self.person.map(|p| p.to_string()).unwrap_or_default()];
        values.extend(self.labs.iter().map(|l| l.to_string()));
        (sql, values)
    }
}

/// One page of the call's applications a reader may list, in the order of [`applications`]
/// (oldest first, then by id).
pub async fn visible_applications(
    c: &mut AnyConnection,
    call: GrantCallId,
    who: &Visible,
    limit: i64,
    offset: i64,
) -> Result<Vec<Application>> {
    let (cond, values) = who.clause(2);
    let n = values.len();
    let sql = format!(
        "{APP_SQL} WHERE x.call_id = $1 AND {cond}
         ORDER BY COALESCE(x.submitted_at, x.updated_at), x.id LIMIT ${} OFFSET ${}",
        n + 2,
        n + 3
    );
    let q = crate::row::bind_each(crate::dynamic(sql).bind(call.to_string()), values);
    all(c, q.bind(limit).bind(offset)).await
}

/// How many of the call's applications a reader may list.
pub async fn count_visible_applications(
    c: &mut AnyConnection,
    call: GrantCallId,
    who: &Visible,
) -> Result<i64> {
    let (cond, values) = who.clause(2);
    let sql =
        format!("SELECT COUNT(*) AS n FROM grant_applications x WHERE x.call_id = $1 AND {cond}");
    let q = crate::row::bind_each(crate::dynamic(sql).bind(call.to_string()), values);
    let row = q.fetch_one(c).await?;
    int(&row, "n")
}

/// Her applications and those she is on the team of, newest first.
pub async fn applications_of_person(
    c: &mut AnyConnection,
    person: PersonId,
) -> Result<Vec<Application>> {
    many(c, format!(
        "{APP_SQL} WHERE x.person_id = $1
            OR EXISTS (SELECT 1 FROM grant_team_members m WHERE m.application_id = x.id AND m.person_id = $1)
         ORDER BY x.updated_at DESC"
    ), person).await
}

#[derive(Debug, Clone, Serialize)]
pub struct BudgetLine {
    pub item: String,
    pub amount: i64,
}

pub async fn budget_lines(c: &mut AnyConnection, app: ApplicationId) -> Result<Vec<BudgetLine>> {
    all(c, sqlx::query(
        "SELECT item, amount FROM grant_budget_lines WHERE application_id = $1 ORDER BY position",
    )
    .bind(app.to_string())).await
}

from_row! {
    BudgetLine |r| item, amount
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamMember {
    pub person_id: PersonId,
    pub name: String,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub async fn team(c: &mut AnyConnection, app: ApplicationId) -> Result<Vec<TeamMember>> {
    all(
        c,
        sqlx::query(
            "SELECT m.person_id, p.family_name, p.given_name, m.confirmed_at
         FROM grant_team_members m JOIN people p ON p.id = m.person_id
         WHERE m.application_id = $1 ORDER BY p.family_name, p.given_name",
        )
        .bind(app.to_string()),
    )
    .await
}

from_row! {
    TeamMember |r| person_id, name: name(r)?, confirmed_at
}

/// A team member confirms she is in; `false` when she is not on the team or confirmed already.
pub async fn confirm_team(
    c: &mut AnyConnection,
    app: ApplicationId,
    person: PersonId,
) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE grant_team_members SET confirmed_at = $3 WHERE application_id = $1 AND person_id = $2 AND confirmed_at IS NULL",
    )
    .bind(app.to_string())
    .bind(person.to_string())
    .bind(now());
    changed(c, q).await
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

from_row! {
    Attachment |r| id, application_id, file_name, content_type, size, created_at
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
    many(c, "SELECT id, application_id, file_name, content_type, size, created_at FROM grant_attachments
         WHERE application_id = $1 ORDER BY created_at", app).await
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
        Some(r) => Ok(Some((Attachment::from_row(&r)?, r.try_get("bytes")?))),
        None => Ok(None),
    }
}
