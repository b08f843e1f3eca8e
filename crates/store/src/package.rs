//! The package: the network library of package versions, what each lab imported, and per
//! imported item the hash of what was imported (see `domain::package`). The writes an import
//! makes to programmes, instruments, calls and targets are here too, so that the service runs
//! them all in its one transaction. Nothing here reads people.
use crate::row::{all, from_row};
use crate::{Result, now};
use chrono::{DateTime, NaiveDate, Utc};
use domain::surveys::{Labels, Question, Scale, WaveKind};
use domain::{CompletionRule, InstrumentId, LabId, ModuleId, ProgrammeId, Topic, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

/// What a lab remembers of one imported item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub part: String,
    pub code: String,
    pub entity_id: Option<String>,
    pub imported_hash: String,
    pub content: String,
}

from_row! {
    ItemRow |r| part, code, entity_id, imported_hash, content
}

pub async fn items_of(c: &mut AnyConnection, lab: LabId) -> Result<Vec<ItemRow>> {
    all(
        c,
        sqlx::query(
            "SELECT part, code, entity_id, imported_hash, content FROM package_items WHERE lab_id = $1 ORDER BY part, code",
        )
        .bind(lab.to_string()),
    )
    .await
}

/// Records (or updates) what the lab has of an item.
pub async fn put_item(
    c: &mut AnyConnection,
    lab: LabId,
    part: &str,
    code: &str,
    entity_id: Option<String>,
    imported_hash: &str,
    content: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO package_items (lab_id, part, code, entity_id, imported_hash, content, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (lab_id, part, code) DO UPDATE SET entity_id = excluded.entity_id,
            imported_hash = excluded.imported_hash, content = excluded.content, updated_at = excluded.updated_at",
    )
    .bind(lab.to_string())
    .bind(part)
    .bind(code)
    .bind(entity_id)
    .bind(imported_hash)
    .bind(content)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// A version of a package in the network library (its document left out).
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    pub id: String,
    pub name: String,
    pub version: String,
    pub source_lab_id: Option<LabId>,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

from_row! {
    VersionRow |r| id, name, version, source_lab_id, sha256, created_at
}

/// Stores a version. `Conflict("package_versions.version")` when it is already there.
pub async fn insert_version(
    c: &mut AnyConnection,
    name: &str,
    version: &str,
    source_lab: Option<LabId>,
    sha256: &str,
    document: &str,
    by: Option<UserId>,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO package_versions (id, name, version, source_lab_id, sha256, document, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(name)
    .bind(version)
    .bind(source_lab.map(|l| l.to_string()))
    .bind(sha256)
    .bind(document)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map_err(|e| crate::on_conflict(e, "package_versions.version"))?;
    Ok(id)
}

/// Every version in the library, newest first.
pub async fn versions(c: &mut AnyConnection) -> Result<Vec<VersionRow>> {
    all(
        c,
        sqlx::query(
            "SELECT id, name, version, source_lab_id, sha256, created_at FROM package_versions ORDER BY name, created_at DESC",
        ),
    )
    .await
}

/// A stored version's document.
pub async fn version_document(c: &mut AnyConnection, id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT document FROM package_versions WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?,
    )
}

/// One import of a package into a lab.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRow {
    pub lab_id: LabId,
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub created: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub kept: i64,
    pub at: DateTime<Utc>,
}

from_row! {
    ImportRow |r| lab_id, name, version, sha256, created, changed, unchanged, kept, at
}

pub struct NewImport<'a> {
    pub lab: LabId,
    pub name: &'a str,
    pub version: &'a str,
    pub sha256: &'a str,
    pub counts: [i64; 4],
}

pub async fn insert_import(
    c: &mut AnyConnection,
    i: &NewImport<'_>,
    by: Option<UserId>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO package_imports (id, lab_id, name, version, sha256, created, changed, unchanged, kept, by_user, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(i.lab.to_string())
    .bind(i.name)
    .bind(i.version)
    .bind(i.sha256)
    .bind(i.counts[0])
    .bind(i.counts[1])
    .bind(i.counts[2])
    .bind(i.counts[3])
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Imports, newest first (of one lab, or of all).
pub async fn imports(c: &mut AnyConnection, lab: Option<LabId>) -> Result<Vec<ImportRow>> {
    all(
        c,
        sqlx::query(
            "SELECT lab_id, name, version, sha256, created, changed, unchanged, kept, at FROM package_imports
             WHERE $1 = '' OR lab_id = $1 ORDER BY at DESC",
        )
        .bind(lab.map(|l| l.to_string()).unwrap_or_default()),
    )
    .await
}

/// Rewrites a programme's own fields.
pub async fn update_programme(
    c: &mut AnyConnection,
    id: ProgrammeId,
    title: &str,
    description: &str,
    rule: CompletionRule,
) -> Result<()> {
    sqlx::query(
        "UPDATE programmes SET title = $2, description = $3, min_attendance_pct = $4, final_module_required = $5 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(title)
    .bind(description)
    .bind(i64::from(rule.min_attendance_pct))
    .bind(i64::from(rule.final_module_required))
    .execute(c)
    .await?;
    Ok(())
}

/// Rewrites a module in place (its sessions keep pointing at it).
pub async fn update_module(
    c: &mut AnyConnection,
    id: ModuleId,
    topic: Topic,
    title: &str,
    is_final: bool,
) -> Result<()> {
    sqlx::query("UPDATE programme_modules SET topic = $2, title = $3, is_final = $4 WHERE id = $1")
        .bind(id.to_string())
        .bind(topic.code())
        .bind(title)
        .bind(i64::from(is_final))
        .execute(c)
        .await?;
    Ok(())
}

/// Removes a module no session uses; `false` when one does (it stays).
pub async fn delete_unused_module(c: &mut AnyConnection, id: ModuleId) -> Result<bool> {
    let n = sqlx::query(
        "DELETE FROM programme_modules WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM training_sessions s WHERE s.module_id = $1)",
    )
    .bind(id.to_string())
    .execute(c)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Rewrites an instrument nobody has answered: its title, waves, version, scales and questions.
/// `false` when it has responses (it stays as it is).
pub async fn replace_instrument(
    c: &mut AnyConnection,
    id: InstrumentId,
    title: &Labels,
    waves: &[WaveKind],
    version: &str,
    scales: &[Scale],
    questions: &[Question],
) -> Result<bool> {
    let answered: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM survey_responses WHERE instrument_id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *c)
            .await?;
    if answered > 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE survey_instruments SET title = $2, waves = $3, version = $4 WHERE id = $1")
        .bind(id.to_string())
        .bind(serde_json::to_string(title).unwrap_or_default())
        .bind(waves.iter().map(|w| w.code()).collect::<Vec<_>>().join(","))
        .bind(version)
        .execute(&mut *c)
        .await?;
    for table in ["survey_questions", "survey_scales"] {
        crate::dynamic(format!("DELETE FROM {table} WHERE instrument_id = $1"))
            .bind(id.to_string())
            .execute(&mut *c)
            .await?;
    }
    crate::surveys::insert_parts(c, id, scales, questions).await?;
    Ok(true)
}

/// Sets a target's period and value.
pub async fn update_target(
    c: &mut AnyConnection,
    id: domain::TargetId,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    target: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE indicator_targets SET starts_on = $2, ends_on = $3, target = $4 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(starts_on.to_string())
    .bind(ends_on.to_string())
    .bind(target)
    .execute(c)
    .await?;
    Ok(())
}

/// A lab's district (the new-lab wizard asks it; empty when not given).
pub async fn set_district(c: &mut AnyConnection, lab: LabId, district: &str) -> Result<()> {
    sqlx::query("UPDATE labs SET district = $2 WHERE id = $1")
        .bind(lab.to_string())
        .bind(district)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn district(c: &mut AnyConnection, lab: LabId) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT district FROM labs WHERE id = $1")
            .bind(lab.to_string())
            .fetch_optional(c)
            .await?
            .unwrap_or_default(),
    )
}

/// Counts per region for the network map: women reached (people with a residency) and network
/// members, by the region of their lab.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RegionCounts {
    pub region: String,
    pub women: i64,
    pub members: i64,
}

from_row! {
    RegionCounts |r| region, women, members
}

pub async fn region_counts(c: &mut AnyConnection) -> Result<Vec<RegionCounts>> {
    all(
        c,
        sqlx::query(
            "SELECT l.region AS region,
                (SELECT COUNT(DISTINCT r.person_id) FROM residencies r JOIN labs x ON x.id = r.lab_id
                   JOIN people p ON p.id = r.person_id WHERE x.region = l.region AND p.gender = 'woman') AS women,
                (SELECT COUNT(*) FROM network_members m JOIN labs y ON y.id = m.lab_id WHERE y.region = l.region) AS members
             FROM labs l GROUP BY l.region ORDER BY l.region",
        ),
    )
    .await
}

/// A stored version by name and version.
pub async fn version_by_name(
    c: &mut AnyConnection,
    name: &str,
    version: &str,
) -> Result<Option<VersionRow>> {
    crate::row::optional(
        c,
        sqlx::query(
            "SELECT id, name, version, source_lab_id, sha256, created_at FROM package_versions WHERE name = $1 AND version = $2",
        )
        .bind(name)
        .bind(version),
    )
    .await
}
