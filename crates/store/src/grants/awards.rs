//! Awards (within the call's budget), the tranches they are paid in, and the payment ledger: rows
//! are only ever added, a correction reverses one.
use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct Award {
    pub id: AwardId,
    pub application_id: ApplicationId,
    pub call_id: GrantCallId,
    pub amount: i64,
    pub proposed_amount: i64,
    pub adjusted_reason: String,
    pub decided_by: Option<UserId>,
    pub decided_at: DateTime<Utc>,
    pub decided_on: NaiveDate,
    pub notified: bool,
    /// Sum of its payments.
    pub paid: i64,
}

const AWARD_SQL: &str = "SELECT a.id, a.application_id, a.call_id, a.amount, a.proposed_amount, a.adjusted_reason,
    a.decided_by, a.decided_at, a.decided_on, a.notified,
    (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p JOIN grant_tranches t ON t.id = p.tranche_id
        WHERE t.award_id = a.id) AS paid
  FROM grant_awards a";

from_row! {
    Award |r| id, application_id, call_id, amount, proposed_amount, adjusted_reason, decided_by,
    decided_at, decided_on, notified, paid
}

/// An award to decide.
#[derive(Debug, Clone)]
pub struct NewAward<'a> {
    pub application: ApplicationId,
    pub call: GrantCallId,
    pub amount: i64,
    pub proposed_amount: i64,
    pub adjusted_reason: &'a str,
    pub decided_by: Option<UserId>,
    pub decided_on: NaiveDate,
}

/// Awards a submitted application within the call's limits and budget (see the module doc).
/// Refusals: `Conflict("grant_awards.limits")` outside min..=max, `Conflict("grant_awards.budget")`
/// past the budget, `Conflict("grant_applications.status")` when not submitted (or decided already).
pub async fn award(c: &mut AnyConnection, a: &NewAward<'_>) -> Result<AwardId> {
    lock_call(c, a.call).await?;
    let row = sqlx::query(
        "SELECT k.budget, k.min_award, k.max_award,
            (SELECT CAST(COALESCE(SUM(w.amount), 0) AS BIGINT) FROM grant_awards w WHERE w.call_id = k.id) AS awarded
         FROM grant_calls k WHERE k.id = $1",
    )
    .bind(a.call.to_string())
    .fetch_optional(&mut *c)
    .await?
    .ok_or(StoreError::NotFound)?;
    let (budget, min, max, awarded) = (
        int(&row, "budget")?,
        int(&row, "min_award")?,
        int(&row, "max_award")?,
        int(&row, "awarded")?,
    );
    if a.amount < min || a.amount > max {
        return Err(StoreError::Conflict("grant_awards.limits"));
    }
    if awarded + a.amount > budget {
        return Err(StoreError::Conflict("grant_awards.budget"));
    }
    let moved = sqlx::query(
        "UPDATE grant_applications SET status = 'awarded', updated_at = $3 WHERE id = $1 AND call_id = $2 AND status = 'submitted'",
    )
    .bind(a.application.to_string())
    .bind(a.call.to_string())
    .bind(now())
    .execute(&mut *c)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(StoreError::Conflict("grant_applications.status"));
    }
    let id = AwardId::new();
    sqlx::query(
        "INSERT INTO grant_awards (id, application_id, call_id, amount, proposed_amount, adjusted_reason, decided_by, decided_at, decided_on, notified)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0)",
    )
    .bind(id.to_string())
    .bind(a.application.to_string())
    .bind(a.call.to_string())
    .bind(a.amount)
    .bind(a.proposed_amount)
    .bind(a.adjusted_reason)
    .bind(a.decided_by.map(|u| u.to_string()))
    .bind(now())
    .bind(a.decided_on.to_string())
    .execute(&mut *c)
    .await
    .map_err(|e| on_conflict(e, "grant_applications.status"))?;
    Ok(id)
}

pub async fn get_award(c: &mut AnyConnection, id: AwardId) -> Result<Option<Award>> {
    one(c, format!("{AWARD_SQL} WHERE a.id = $1"), id).await
}

pub async fn award_of(c: &mut AnyConnection, app: ApplicationId) -> Result<Option<Award>> {
    one(c, format!("{AWARD_SQL} WHERE a.application_id = $1"), app).await
}

pub async fn awards_of_call(c: &mut AnyConnection, call: GrantCallId) -> Result<Vec<Award>> {
    many(
        c,
        format!("{AWARD_SQL} WHERE a.call_id = $1 ORDER BY a.decided_at"),
        call,
    )
    .await
}

/// Takes the award row for writing (payments and tranche plans of one award, one at a time).
pub async fn lock_award(c: &mut AnyConnection, id: AwardId) -> Result<()> {
    sqlx::query("UPDATE grant_awards SET amount = amount WHERE id = $1")
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Tranche {
    pub id: TrancheId,
    pub award_id: AwardId,
    pub position: i64,
    pub amount: i64,
    pub condition: String,
    pub due_on: Option<NaiveDate>,
    pub released_at: Option<DateTime<Utc>>,
    /// Sum of its payments (reversals included).
    pub paid: i64,
}

const TRANCHE_SQL: &str = "SELECT t.id, t.award_id, t.position, t.amount, t.condition, t.due_on, t.released_at,
    (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p WHERE p.tranche_id = t.id) AS paid
  FROM grant_tranches t";

from_row! {
    Tranche |r| id, award_id, position, amount, condition, due_on, released_at, paid
}

pub async fn tranches(c: &mut AnyConnection, award: AwardId) -> Result<Vec<Tranche>> {
    many(
        c,
        format!("{TRANCHE_SQL} WHERE t.award_id = $1 ORDER BY t.position"),
        award,
    )
    .await
}

pub async fn get_tranche(c: &mut AnyConnection, id: TrancheId) -> Result<Option<Tranche>> {
    one(c, format!("{TRANCHE_SQL} WHERE t.id = $1"), id).await
}

/// One part of a tranche plan.
#[derive(Debug, Clone)]
pub struct TranchePlan {
    pub amount: i64,
    pub condition: String,
    pub due_on: Option<NaiveDate>,
}

/// Replaces an award's tranches. The amounts must add up to the award
/// (`Conflict("grant_tranches.sum")`), and nothing may have been paid on it yet
/// (`Conflict("grant_tranches.paid")`): the ledger's rows keep pointing at their tranche.
pub async fn replace_tranches(
    c: &mut AnyConnection,
    award: AwardId,
    plan: &[TranchePlan],
) -> Result<()> {
    lock_award(c, award).await?;
    let a = get_award(c, award).await?.ok_or(StoreError::NotFound)?;
    if plan.iter().map(|p| p.amount).sum::<i64>() != a.amount || plan.iter().any(|p| p.amount <= 0)
    {
        return Err(StoreError::Conflict("grant_tranches.sum"));
    }
    let payments: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM grant_payments p JOIN grant_tranches t ON t.id = p.tranche_id WHERE t.award_id = $1",
    )
    .bind(award.to_string())
    .fetch_one(&mut *c)
    .await?
    .try_get("n")?;
    if payments > 0 {
        return Err(StoreError::Conflict("grant_tranches.paid"));
    }
    sqlx::query("DELETE FROM grant_tranches WHERE award_id = $1")
        .bind(award.to_string())
        .execute(&mut *c)
        .await?;
    for (i, p) in plan.iter().enumerate() {
        sqlx::query(
            "INSERT INTO grant_tranches (id, award_id, position, amount, condition, due_on) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(TrancheId::new().to_string())
        .bind(award.to_string())
        .bind(i as i64 + 1)
        .bind(p.amount)
        .bind(&p.condition)
        .bind(p.due_on.map(|d| d.to_string()))
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// The coordinator says the tranche's condition is met; `false` when released already.
pub async fn release_tranche(
    c: &mut AnyConnection,
    id: TrancheId,
    by: Option<UserId>,
) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE grant_tranches SET released_at = $2, released_by = $3 WHERE id = $1 AND released_at IS NULL",
    )
    .bind(id.to_string())
    .bind(now())
    .bind(by.map(|u| u.to_string()));
    changed(c, q).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: PaymentId,
    pub tranche_id: TrancheId,
    pub amount: i64,
    pub paid_on: NaiveDate,
    pub channel: PaymentChannel,
    pub reference: String,
    pub reverses_id: Option<PaymentId>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

from_row! {
    Payment |r| id, tranche_id, amount, paid_on, channel, reference, reverses_id,
    recorded_by_name = "display_name", recorded_at
}

const PAYMENT_SQL: &str =
    "SELECT p.id, p.tranche_id, p.amount, p.paid_on, p.channel, p.reference, p.reverses_id,
    u.display_name, p.recorded_at
  FROM grant_payments p LEFT JOIN users u ON u.id = p.recorded_by";

#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    pub tranche: TrancheId,
    /// Negative for a reversal.
    pub amount: i64,
    pub paid_on: NaiveDate,
    pub channel: PaymentChannel,
    pub reference: &'a str,
    pub reverses: Option<PaymentId>,
    pub idempotency_key: &'a str,
    pub recorded_by: Option<UserId>,
}

/// Adds a ledger row. Refusals: `Conflict("grant_payments.idempotency")` for the same
/// submission twice, `Conflict("grant_payments.over")` when the tranche's paid total would leave
/// 0..=amount, `Conflict("grant_payments.reversal")` for a second reversal of one row.
pub async fn insert_payment(c: &mut AnyConnection, p: &NewPayment<'_>) -> Result<PaymentId> {
    let t = get_tranche(c, p.tranche)
        .await?
        .ok_or(StoreError::NotFound)?;
    lock_award(c, t.award_id).await?;
    // Read again under the lock: another payment may have committed meanwhile.
    let t = get_tranche(c, p.tranche)
        .await?
        .ok_or(StoreError::NotFound)?;
    let seen = sqlx::query("SELECT 1 AS x FROM grant_payments WHERE idempotency_key = $1")
        .bind(p.idempotency_key)
        .fetch_optional(&mut *c)
        .await?;
    if seen.is_some() {
        return Err(StoreError::Conflict("grant_payments.idempotency"));
    }
    if !domain::grants::payment_fits(t.amount, t.paid, p.amount) {
        return Err(StoreError::Conflict("grant_payments.over"));
    }
    let id = PaymentId::new();
    sqlx::query(
        "INSERT INTO grant_payments (id, tranche_id, amount, paid_on, channel, reference, reverses_id, idempotency_key, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(p.tranche.to_string())
    .bind(p.amount)
    .bind(p.paid_on.to_string())
    .bind(p.channel.code())
    .bind(p.reference)
    .bind(p.reverses.map(|x| x.to_string()))
    .bind(p.idempotency_key)
    .bind(p.recorded_by.map(|u| u.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            if db.message().contains("reverses") {
                StoreError::Conflict("grant_payments.reversal")
            } else {
                StoreError::Conflict("grant_payments.idempotency")
            }
        }
        _ => e.into(),
    })?;
    Ok(id)
}

pub async fn get_payment(c: &mut AnyConnection, id: PaymentId) -> Result<Option<Payment>> {
    one(c, format!("{PAYMENT_SQL} WHERE p.id = $1"), id).await
}

/// Whether a payment has been reversed already.
pub async fn is_reversed(c: &mut AnyConnection, id: PaymentId) -> Result<bool> {
    let row = sqlx::query("SELECT 1 AS x FROM grant_payments WHERE reverses_id = $1")
        .bind(id.to_string())
        .fetch_optional(c)
        .await?;
    Ok(row.is_some())
}

pub async fn payments_of_award(c: &mut AnyConnection, award: AwardId) -> Result<Vec<Payment>> {
    many(c, format!(
        "{PAYMENT_SQL} JOIN grant_tranches t ON t.id = p.tranche_id WHERE t.award_id = $1 ORDER BY p.recorded_at, p.id"
    ), award).await
}

/// A call's ledger with whose award each row belongs to (for donors' exports).
pub async fn payments_of_call(
    c: &mut AnyConnection,
    call: GrantCallId,
) -> Result<Vec<(Payment, ApplicationId)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.tranche_id, p.amount, p.paid_on, p.channel, p.reference, p.reverses_id,
            u.display_name, p.recorded_at, a.application_id
         FROM grant_payments p LEFT JOIN users u ON u.id = p.recorded_by
         JOIN grant_tranches t ON t.id = p.tranche_id JOIN grant_awards a ON a.id = t.award_id
         WHERE a.call_id = $1 ORDER BY p.paid_on, p.recorded_at, p.id",
    )
    .bind(call.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((Payment::from_row(r)?, get(r, "application_id")?)))
        .collect()
}

/// Everything that would mean the books do not balance, for one call or all: awards whose
/// tranches do not add up to them, tranches paid below zero or past their amount, reversals
/// that do not mirror the row they reverse, awards past the call's budget. Empty when sound.
pub async fn ledger_problems(
    c: &mut AnyConnection,
    call: Option<GrantCallId>,
) -> Result<Vec<String>> {
    let call = call.map(|x| x.to_string()).unwrap_or_default();
    let mut out = vec![];
    let rows = sqlx::query(
        "SELECT a.id, a.amount, (SELECT CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) FROM grant_tranches t WHERE t.award_id = a.id) AS planned
         FROM grant_awards a WHERE $1 = '' OR a.call_id = $1",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let (amount, planned) = (int(r, "amount")?, int(r, "planned")?);
        if amount != planned {
            out.push(format!(
                "award {}: tranches {planned} ≠ award {amount}",
                text(r, "id")?
            ));
        }
    }
    let rows = sqlx::query(
        "SELECT t.id, t.amount, (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM grant_payments p WHERE p.tranche_id = t.id) AS paid
         FROM grant_tranches t JOIN grant_awards a ON a.id = t.award_id WHERE $1 = '' OR a.call_id = $1",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let (amount, paid) = (int(r, "amount")?, int(r, "paid")?);
        if paid < 0 || paid > amount {
            out.push(format!(
                "tranche {}: paid {paid} outside 0..={amount}",
                text(r, "id")?
            ));
        }
    }
    let rows = sqlx::query(
        "SELECT p.id FROM grant_payments p JOIN grant_payments o ON o.id = p.reverses_id
         JOIN grant_tranches t ON t.id = p.tranche_id JOIN grant_awards a ON a.id = t.award_id
         WHERE ($1 = '' OR a.call_id = $1) AND (p.amount <> -o.amount OR p.tranche_id <> o.tranche_id)",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        out.push(format!(
            "payment {}: reversal does not mirror its row",
            text(r, "id")?
        ));
    }
    let rows = sqlx::query(
        "SELECT k.id, k.budget, (SELECT CAST(COALESCE(SUM(a.amount), 0) AS BIGINT) FROM grant_awards a WHERE a.call_id = k.id) AS awarded
         FROM grant_calls k WHERE $1 = '' OR k.id = $1",
    )
    .bind(&call)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let (budget, awarded) = (int(r, "budget")?, int(r, "awarded")?);
        if awarded > budget {
            out.push(format!(
                "call {}: awarded {awarded} > budget {budget}",
                text(r, "id")?
            ));
        }
    }
    Ok(out)
}
