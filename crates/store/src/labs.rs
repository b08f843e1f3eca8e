//! Labs, partner organisations and their roles per lab. Labs are public places: listing them
//! needs no scope.
use crate::row::{FromRow, all, col, from_row, get, one, text};
use crate::{Result, StoreError, now, on_conflict};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{LabId, OrgId, OrgKind, PartnerRole};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct Lab {
    pub id: LabId,
    pub slug: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub region: String,
    pub locality: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub hours: String,
    pub opened_on: Option<NaiveDate>,
    pub accepting_applications: bool,
    pub created_at: DateTime<Utc>,
}

impl Lab {
    /// The lab's name in the reader's language.
    pub fn name(&self, lang: &str) -> &str {
        match lang {
            "ky" => &self.name_ky,
            "ru" => &self.name_ru,
            _ => &self.name_en,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewLab {
    pub slug: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub region: String,
    pub locality: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub hours: String,
    pub opened_on: Option<NaiveDate>,
}

from_row! {
    Lab |r| id, slug, name_ky, name_ru, name_en, region, locality, address, latitude, longitude,
    hours, opened_on, accepting_applications, created_at
}

const LAB_COLS: &str = "id, slug, name_ky, name_ru, name_en, region, locality, address, latitude, longitude, hours, opened_on, accepting_applications, created_at";

pub async fn insert_lab(c: &mut AnyConnection, lab: &NewLab) -> Result<LabId> {
    let id = LabId::new();
    sqlx::query(
        "INSERT INTO labs (id, slug, name_ky, name_ru, name_en, region, locality, address, latitude, longitude, hours, opened_on, accepting_applications, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13)",
    )
    .bind(id.to_string())
    .bind(&lab.slug)
    .bind(&lab.name_ky)
    .bind(&lab.name_ru)
    .bind(&lab.name_en)
    .bind(&lab.region)
    .bind(&lab.locality)
    .bind(&lab.address)
    .bind(crate::Float(lab.latitude))
    .bind(crate::Float(lab.longitude))
    .bind(&lab.hours)
    .bind(lab.opened_on.map(|d| d.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map_err(|e| on_conflict(e, "labs.slug"))?;
    Ok(id)
}

pub async fn list_labs(c: &mut AnyConnection) -> Result<Vec<Lab>> {
    all(
        c,
        crate::dynamic(format!(
            "SELECT {LAB_COLS} FROM labs ORDER BY opened_on, slug"
        )),
    )
    .await
}

pub async fn lab_by_slug(c: &mut AnyConnection, slug: &str) -> Result<Option<Lab>> {
    one(
        c,
        format!("SELECT {LAB_COLS} FROM labs WHERE slug = $1"),
        slug,
    )
    .await
}

pub async fn lab(c: &mut AnyConnection, id: LabId) -> Result<Option<Lab>> {
    one(c, format!("SELECT {LAB_COLS} FROM labs WHERE id = $1"), id).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    pub website: String,
}

from_row! {
    Organisation |r| id, name, kind, website
}

pub async fn insert_org(
    c: &mut AnyConnection,
    name: &str,
    kind: OrgKind,
    website: &str,
) -> Result<OrgId> {
    let id = OrgId::new();
    sqlx::query("INSERT INTO organisations (id, name, kind, website, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(name)
        .bind(kind.code())
        .bind(website)
        .bind(now())
        .execute(c)
        .await
        .map_err(|e| on_conflict(e, "organisations.name"))?;
    Ok(id)
}

pub async fn list_orgs(c: &mut AnyConnection) -> Result<Vec<Organisation>> {
    all(
        c,
        sqlx::query("SELECT id, name, kind, website FROM organisations ORDER BY name"),
    )
    .await
}

pub async fn org(c: &mut AnyConnection, id: OrgId) -> Result<Option<Organisation>> {
    one(
        c,
        "SELECT id, name, kind, website FROM organisations WHERE id = $1",
        id,
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Partnership {
    pub lab_id: LabId,
    pub org: Organisation,
    pub role: PartnerRole,
}

pub async fn add_partner(
    c: &mut AnyConnection,
    lab: LabId,
    org: OrgId,
    role: PartnerRole,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO lab_partners (lab_id, org_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(lab.to_string())
    .bind(org.to_string())
    .bind(role.code())
    .bind(now())
    .execute(c)
    .await
    .map_err(|e| on_conflict(e, "lab_partners"))?;
    Ok(())
}

pub async fn remove_partner(
    c: &mut AnyConnection,
    lab: LabId,
    org: OrgId,
    role: PartnerRole,
) -> Result<bool> {
    let r = sqlx::query("DELETE FROM lab_partners WHERE lab_id = $1 AND org_id = $2 AND role = $3")
        .bind(lab.to_string())
        .bind(org.to_string())
        .bind(role.code())
        .execute(c)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn partners(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Partnership>> {
    let rows = sqlx::query(
        "SELECT p.lab_id, p.role, o.id, o.name, o.kind, o.website
         FROM lab_partners p JOIN organisations o ON o.id = p.org_id
         WHERE p.lab_id = $1 ORDER BY o.name, p.role",
    )
    .bind(lab.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = text(r, "role")?;
            Ok(Partnership {
                lab_id: col(r, "lab_id")?,
                org: Organisation::from_row(r)?,
                role: PartnerRole::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("partner role {role}")))?,
            })
        })
        .collect()
}

/// Labs an organisation works with, for its page.
pub async fn labs_of_org(c: &mut AnyConnection, org: OrgId) -> Result<Vec<(LabId, PartnerRole)>> {
    let rows = sqlx::query("SELECT lab_id, role FROM lab_partners WHERE org_id = $1")
        .bind(org.to_string())
        .fetch_all(c)
        .await?;
    rows.iter()
        .map(|r| {
            let role: String = text(r, "role")?;
            Ok((
                get(r, "lab_id")?,
                PartnerRole::parse(&role).ok_or_else(|| StoreError::Corrupt(role.clone()))?,
            ))
        })
        .collect()
}
