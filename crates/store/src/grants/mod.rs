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
use crate::row::{FromRow, all, changed, col, from_row, get, int, many, one, opt_text, text};
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

mod applications;
mod awards;
mod calls;
mod reports;
mod reviews;

pub use applications::*;
pub use awards::*;
pub use calls::*;
pub use reports::*;
pub use reviews::*;

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
        awards: col(&row, "awards")?,
        awarded: col(&row, "awarded")?,
        paid: col(&row, "paid")?,
        ventures: col(&row, "ventures")?,
        joint_initiatives: col(&row, "joint")?,
    })
}
