//! Grant calls and their criteria; the call row is the lock that keeps awards within budget.
use super::*;

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

from_row! {
    Call |r| id, lab_id, title, description, budget, min_award, max_award, currency, opens_on,
    closes_on, cohort_id, status, created_at, awarded, paid, applications
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
/// The call's version: when it was last changed (an edit form carries it; a save onto a newer
/// version is a conflict).
pub async fn call_version(c: &mut AnyConnection, id: GrantCallId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT updated_at FROM grant_calls WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(c)
            .await?,
    )
}

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
    let q = sqlx::query(
        "UPDATE grant_calls SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
    )
    .bind(id.to_string())
    .bind(from.code())
    .bind(to.code())
    .bind(now());
    changed(c, q).await
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
    one(c, format!("{CALL_SQL} WHERE k.id = $1"), id).await
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
    many(c, format!(
        "{CALL_SQL} WHERE {filter} ORDER BY CASE k.status WHEN 'open' THEN 0 WHEN 'closed' THEN 1 WHEN 'draft' THEN 2 ELSE 3 END, k.closes_on DESC"
    ), arg).await
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
        in_language(lang, [&s.name_ky, &s.name_ru, &s.name_en])
    }
    pub fn guidance(&self, lang: &str) -> &str {
        let s = &self.spec;
        in_language(lang, [&s.guidance_ky, &s.guidance_ru, &s.guidance_en])
    }
}

/// Of a text in Kyrgyz, Russian and English, the one in `lang`, else the first given (Russian,
/// Kyrgyz, English), else "".
fn in_language<'a>(lang: &str, [ky, ru, en]: [&'a String; 3]) -> &'a str {
    let pick = match lang {
        "ky" => ky,
        "ru" => ru,
        _ => en,
    };
    [pick, ru, ky, en]
        .into_iter()
        .find(|x| !x.trim().is_empty())
        .map(String::as_str)
        .unwrap_or("")
}

pub async fn criteria(c: &mut AnyConnection, call: GrantCallId) -> Result<Vec<Criterion>> {
    all(c, sqlx::query(
        "SELECT id, position, name_ky, name_ru, name_en, guidance_ky, guidance_ru, guidance_en, weight, max_points
         FROM grant_criteria WHERE call_id = $1 ORDER BY position",
    )
    .bind(call.to_string())).await
}

from_row! {
    Criterion |r| id, position, spec: CriterionSpec::from_row(r)?
}

from_row! {
    CriterionSpec |r| name_ky, name_ru, name_en, guidance_ky, guidance_ru, guidance_en, weight,
    max_points
}
