//! Progress reports on an award with the coordinator's answer, and the ventures grants fund.
use super::*;

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

from_row! {
    Report |r| id, award_id, body, purchases, first_sales, status, response,
    submitted_by_name = "display_name", submitted_at, responded_at
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
    many(
        c,
        format!("{REPORT_SQL} WHERE g.award_id = $1 ORDER BY g.submitted_at"),
        award,
    )
    .await
}

pub async fn get_report(c: &mut AnyConnection, id: ReportId) -> Result<Option<Report>> {
    one(c, format!("{REPORT_SQL} WHERE g.id = $1"), id).await
}

/// The coordinator accepts a report or asks for more; `false` when answered already.
pub async fn respond_report(
    c: &mut AnyConnection,
    id: ReportId,
    status: ReportStatus,
    response: &str,
    by: Option<UserId>,
) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE grant_reports SET status = $2, response = $3, responded_by = $4, responded_at = $5 WHERE id = $1 AND status = 'submitted'",
    )
    .bind(id.to_string())
    .bind(status.code())
    .bind(response)
    .bind(by.map(|u| u.to_string()))
    .bind(now());
    changed(c, q).await
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
        lab_id: col(&r, "lab_id")?,
        award_id: col(&r, "award_id")?,
        name: col(&r, "name")?,
        kind: vocab(&r, "kind", VentureKind::parse)?,
        category: vocab(&r, "category", Category::parse)?,
        status: vocab(&r, "status", VentureStatus::parse)?,
        launched_on: col(&r, "launched_on")?,
        closed_on: col(&r, "closed_on")?,
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
    let q = sqlx::query(sql)
        .bind(id.to_string())
        .bind(on.to_string())
        .bind(now());
    changed(c, q).await
}
