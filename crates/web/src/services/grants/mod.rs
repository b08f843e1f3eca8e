//! Seed funding: calls, applications (single or joint, drafts finished later, filled in with a
//! coordinator), reviews with conflicts of interest, the ranking (weighted mean and spread, from
//! `analytics::grants`), awards proposed within the budget and adjusted with a reason, the
//! decision and its messages, tranches, the payment ledger, progress reports, ventures, and the
//! donors' export.
//!
//! Who sees what (everything else answers 404):
//! - the call's managers (the lab's coordinators and the admin; a network-wide call: the admin)
//!   see and do everything of the round;
//! - a coordinator sees the applications of her lab's women in a network-wide call and fills
//!   them in with them;
//! - a reviewer sees only the calls she is assigned to, never an application she declared a
//!   conflict on, and other reviewers' scores only after submitting her own;
//! - a resident sees the calls open to her, her own applications and those she is on the team of.
mod access;
mod applications;
mod awards;
mod calls;
mod export;
mod hub;
mod ranking;
mod review;

pub use access::*;
pub use applications::*;
pub use awards::*;
pub use calls::*;
pub use export::*;
pub use hub::*;
pub use ranking::*;
pub use review::*;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::base::{entry, limit};
use chrono::NaiveDate;
use domain::grants::{
    self as rules, ApplicationStatus, CallStatus, Category, CriterionSpec, PaymentChannel,
    ReportStatus, VentureStatus,
};
use domain::{
    Action, Actor, ApplicationId, AttachmentId, AwardId, CohortId, GrantCallId, LabId, Money,
    PaymentId, PersonId, ReportId, ResidencyStatus, TrancheId, UserId, VentureId,
};
use serde::{Deserialize, Serialize};
use store::grants::{self as g, Application, Award, Call, Review, Tranche};
use store::labs::Lab;
use store::{AnyConn, Store, StoreError, audit};

type Errs = Vec<(String, String)>;

fn invalid(field: &str, key: &str) -> AppError {
    AppError::Invalid(vec![(field.into(), key.into())])
}

/// Long text as typed: trimmed, NFC, newlines kept (an idea or a report has paragraphs).
fn block(field: &'static str, s: &str, max: usize, errs: &mut Errs) -> String {
    let t = s.replace("\r\n", "\n").trim().to_string();
    if t.chars().count() > max {
        errs.push((field.into(), "err-too-long".into()));
    }
    t
}

fn som(field: &'static str, s: &str, errs: &mut Errs) -> Option<i64> {
    match Money::parse_som(field, s) {
        Ok(m) => m.map(|m| m.0),
        Err(e) => {
            errs.push((e.field.into(), e.key.into()));
            None
        }
    }
}

/// Writes the audit row and commits: how every write here ends.
async fn commit(mut tx: store::Tx, e: audit::Entry<'_>) -> AppResult<()> {
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// One row by its id, or 404 (signed-in readers only); the connection goes back before the
/// caller decides access (which takes its own).
async fn fetch<T>(
    store: &Store,
    actor: &Actor,
    get: impl AsyncFnOnce(&mut AnyConn) -> Result<Option<T>, StoreError>,
) -> AppResult<T> {
    actor.user_id.ok_or(AppError::SignIn)?;
    let mut c = store.conn().await?;
    get(&mut *c).await?.ok_or(AppError::NotFound)
}

/// Commits with the audit row about the woman of an application (her id, her lab, `detail`).
async fn commit_app(
    tx: store::Tx,
    actor: &Actor,
    action: &str,
    app: &Application,
    detail: impl Into<String>,
) -> AppResult<()> {
    let e = entry(actor, action, "person", app.person_id, Some(app.lab_id));
    commit(tx, e.with_detail(detail)).await
}

/// An audit row about a call.
fn about_call<'a>(actor: &Actor, action: &'a str, call: &Call) -> audit::Entry<'a> {
    entry(actor, action, "grant_call", call.id, call.lab_id)
}

/// A form read as name/value pairs, for forms with numbered rows (`c1_weight`, `line2_item`)
/// or fields named by id (`points-<criterion>`): the input types deserialize through it.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    /// The first value of a field, or empty.
    fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    /// Every value of a repeated field (check boxes).
    fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
}
