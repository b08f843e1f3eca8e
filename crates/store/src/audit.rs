//! The append-only audit log: who changed or read what. Rows carry ids and action names only,
//! never names, phones or free text about a person. Database triggers refuse updates and deletes.
use crate::row::{all, from_row};
use crate::{Result, now};
use chrono::{DateTime, Utc};
use domain::{LabId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor: Option<UserId>,
    /// A stable dotted name: `person.create`, `person.read`, `residency.transition`, ...
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub lab: Option<LabId>,
    /// Codes and ids only (e.g. `applied->accepted`).
    pub detail: String,
}

impl Entry<'_> {
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

pub async fn record(c: &mut AnyConnection, e: Entry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, lab_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(e.actor.map(|u| u.to_string()))
    .bind(e.action)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.lab.map(|l| l.to_string()))
    .bind(e.detail)
    .execute(c)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub lab_id: Option<LabId>,
    pub detail: String,
}

/// The newest rows, optionally for one entity.
pub async fn recent(
    c: &mut AnyConnection,
    entity: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<Row>> {
    recent_except(c, entity, "", limit).await
}

/// Support-case rows would tell who has a case (a woman reading her own, a coordinator told
/// of one); they are shown to the case worker and the woman only, never on the network's page.
pub const CONFIDENTIAL_ENTITY: &str = "support_case";

/// The newest rows, leaving out one entity (`""`: none), e.g. [`CONFIDENTIAL_ENTITY`].
/// The log, newest first, a page at a time: entries older than `before` (the id of the last
/// entry of the page before), leaving out one entity kind.
pub async fn page_before(
    c: &mut AnyConnection,
    except: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Row>> {
    all(c, crate::dynamic(format!(
        "SELECT a.id, a.at, a.actor_id, u.display_name, a.action, a.entity, a.entity_id, a.lab_id, a.detail
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.entity <> $1 AND a.id < $2 ORDER BY a.id DESC LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(except)
    .bind(before.unwrap_or(i64::MAX))).await
}

pub async fn recent_except(
    c: &mut AnyConnection,
    entity: Option<(&str, &str)>,
    except: &str,
    limit: i64,
) -> Result<Vec<Row>> {
    let (e, id) = entity.unwrap_or(("", ""));
    all(c, crate::dynamic(format!(
        "SELECT a.id, a.at, a.actor_id, u.display_name, a.action, a.entity, a.entity_id, a.lab_id, a.detail
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE ($1 = '' OR (a.entity = $1 AND a.entity_id = $2)) AND a.entity <> $3 ORDER BY a.id DESC LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(e)
    .bind(id)
    .bind(except)).await
}

from_row! {
    Row |r| id, at, actor_id, actor_name = "display_name", action, entity, entity_id, lab_id,
    detail
}
