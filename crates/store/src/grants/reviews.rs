//! Reviewers of a call, declared conflicts of interest, reviews and their scores.
use super::*;

/// Assigns a reviewer to a call (assigning twice changes nothing).
pub async fn add_reviewer(
    c: &mut AnyConnection,
    call: GrantCallId,
    user: UserId,
    by: Option<UserId>,
) -> Result<bool> {
    let q = sqlx::query(
        "INSERT INTO grant_reviewers (call_id, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (call_id, user_id) DO NOTHING",
    )
    .bind(call.to_string())
    .bind(user.to_string())
    .bind(by.map(|u| u.to_string()))
    .bind(now());
    changed(c, q).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

pub async fn reviewers(c: &mut AnyConnection, call: GrantCallId) -> Result<Vec<Person>> {
    all(
        c,
        sqlx::query(
            "SELECT u.id, u.display_name FROM grant_reviewers r JOIN users u ON u.id = r.user_id
         WHERE r.call_id = $1 ORDER BY u.display_name",
        )
        .bind(call.to_string()),
    )
    .await
}

from_row! {
    Person |r| id, name = "display_name"
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
    all(c, sqlx::query(
        "SELECT u.id, u.display_name FROM users u WHERE u.active = 1 AND u.person_id IS NULL AND (u.is_admin = 1 OR EXISTS (
            SELECT 1 FROM user_lab_roles g WHERE g.user_id = u.id AND g.role <> 'case-worker' AND ($1 = '' OR g.lab_id = $1)))
         ORDER BY u.display_name",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())).await
}

/// Records a declared conflict (declaring twice keeps the first).
pub async fn declare_conflict(
    c: &mut AnyConnection,
    reviewer: UserId,
    app: ApplicationId,
    reason: &str,
) -> Result<bool> {
    let q = sqlx::query(
        "INSERT INTO grant_conflicts (reviewer_id, application_id, reason, declared_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (reviewer_id, application_id) DO NOTHING",
    )
    .bind(reviewer.to_string())
    .bind(app.to_string())
    .bind(reason)
    .bind(now());
    changed(c, q).await
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
    all(c, sqlx::query(
        "SELECT k.reviewer_id, u.display_name, k.application_id, k.reason, k.declared_at
         FROM grant_conflicts k JOIN users u ON u.id = k.reviewer_id
         JOIN grant_applications x ON x.id = k.application_id WHERE x.call_id = $1 ORDER BY k.declared_at",
    )
    .bind(call.to_string())).await
}

from_row! {
    Conflict |r| reviewer_id, reviewer_name = "display_name", application_id, reason, declared_at
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
                criterion_id: col(s, "criterion_id")?,
                points: col(s, "points")?,
                comment: col(s, "comment")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        out.push(Review {
            id,
            application_id: col(r, "application_id")?,
            reviewer_id: col(r, "reviewer_id")?,
            reviewer_name: col(r, "display_name")?,
            comment: col(r, "comment")?,
            submitted_at: col(r, "submitted_at")?,
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
