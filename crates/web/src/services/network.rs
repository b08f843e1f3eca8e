//! The network: partner organisations and their labs, and the audit log.
use super::base::{allow, commit_with, entry, invalid, taken};
use crate::error::{AppError, AppResult};
use domain::{Action, Actor, LabId, OrgId, OrgKind, PartnerRole, names};
use serde::Deserialize;
use store::labs::{Lab, Organisation};
use store::{Store, audit};

/// Pairs of (lab id, role) as (lab, role), for the labs that exist.
pub(crate) fn with_labs<R>(labs: &[Lab], pairs: Vec<(LabId, R)>) -> Vec<(Lab, R)> {
    pairs
        .into_iter()
        .filter_map(|(id, role)| labs.iter().find(|l| l.id == id).map(|l| (l.clone(), role)))
        .collect()
}

/// Partner organisations, each with the labs it works with and how (network admin).
pub async fn orgs(
    store: &Store,
    actor: &Actor,
) -> AppResult<Vec<(Organisation, Vec<(Lab, PartnerRole)>)>> {
    allow(actor, Action::ManageNetwork)?;
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let mut out = vec![];
    for o in store::labs::list_orgs(&mut c).await? {
        let roles = store::labs::labs_of_org(&mut c, o.id).await?;
        out.push((o, with_labs(&labs, roles)));
    }
    Ok(out)
}

/// The latest audit rows, confidential ones left out.
/// Entries of the audit log shown on one page.
pub const AUDIT_PAGE: i64 = 100;

/// One page of the audit log (older than `before`), and where the next page starts.
pub async fn audit_log(
    store: &Store,
    actor: &Actor,
    before: Option<i64>,
) -> AppResult<(Vec<audit::Row>, Option<i64>)> {
    allow(actor, Action::ReadAudit)?;
    let mut c = store.conn().await?;
    let rows = audit::page_before(&mut c, audit::CONFIDENTIAL_ENTITY, before, AUDIT_PAGE).await?;
    let next = (rows.len() as i64 == AUDIT_PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok((rows, next))
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrgInput {
    pub name: String,
    /// One of: foundation, local-administration, ngo, business, international, education.
    pub kind: String,
    pub website: String,
}

pub async fn create_org(store: &Store, actor: &Actor, input: &OrgInput) -> AppResult<Organisation> {
    allow(actor, Action::ManageNetwork)?;
    let mut errs: Vec<(String, String)> = vec![];
    let name = names::clean(&input.name);
    if name.is_empty() {
        errs.push(("name".into(), "err-required".into()));
    } else if name.chars().count() > 200 {
        errs.push(("name".into(), "err-too-long".into()));
    }
    let kind = OrgKind::parse(&input.kind);
    if kind.is_none() {
        errs.push(("kind".into(), "err-choice".into()));
    }
    let website = input.website.trim().to_string();
    if !(website.is_empty() || website.starts_with("https://") || website.starts_with("http://"))
        || website.len() > 300
    {
        errs.push(("website".into(), "err-url".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = store::labs::insert_org(&mut tx, &name, kind.expect("checked"), &website)
        .await
        .map_err(taken("name"))?;
    audit::record(
        &mut tx,
        entry(actor, "org.create", "organisation", id, None),
    )
    .await?;
    let org = store::labs::org(&mut tx, id).await?;
    tx.commit().await?;
    org.ok_or(AppError::NotFound)
}

pub async fn add_partner(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    org: &str,
    role: &str,
) -> AppResult<()> {
    allow(actor, Action::ManageNetwork)?;
    let role = PartnerRole::parse(role).ok_or(invalid("role", "err-choice"))?;
    let org: OrgId = org.parse().map_err(|_| invalid("org", "err-choice"))?;
    let mut tx = store.begin().await?;
    store::labs::org(&mut tx, org)
        .await?
        .ok_or(invalid("org", "err-choice"))?;
    store::labs::add_partner(&mut tx, lab, org, role).await?;
    let e = entry(actor, "partner.add", "lab", lab, Some(lab));
    commit_with(tx, e, format!("{org}:{}", role.code())).await
}

pub async fn remove_partner(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    org: OrgId,
    role: PartnerRole,
) -> AppResult<()> {
    allow(actor, Action::ManageNetwork)?;
    let mut tx = store.begin().await?;
    if !store::labs::remove_partner(&mut tx, lab, org, role).await? {
        return Err(AppError::NotFound);
    }
    let e = entry(actor, "partner.remove", "lab", lab, Some(lab));
    commit_with(tx, e, format!("{org}:{}", role.code())).await
}
