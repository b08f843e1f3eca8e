//! After an award: its tranches, the payment ledger, progress reports and the venture.
use super::*;

/// The award with what the actor may do, if she may see it.
pub async fn award_for(
    store: &Store,
    actor: &Actor,
    id: AwardId,
) -> AppResult<(Award, Application, Call, AppAccess)> {
    let award = fetch(store, actor, async |c| g::get_award(c, id).await).await?;
    let (app, call, access) = app_for(store, actor, award.application_id).await?;
    if !(access.staff() || access.grantee()) {
        return Err(AppError::NotFound);
    }
    Ok((award, app, call, access))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Pairs")]
pub struct TrancheInput {
    /// (amount in som, condition, due date) per row; blank rows are ignored.
    pub rows: Vec<(String, String, String)>,
}

/// Reads rows `t{i}_amount`, `t{i}_condition`, `t{i}_due_on`.
impl From<Pairs> for TrancheInput {
    fn from(f: Pairs) -> Self {
        let row = |i: usize| {
            let get = |k: &str| f.get(&format!("t{i}_{k}"));
            (get("amount"), get("condition"), get("due_on"))
        };
        Self {
            rows: (1..=rules::MAX_TRANCHES).map(row).collect(),
        }
    }
}

impl TrancheInput {
    pub fn from_tranches(ts: &[Tranche]) -> Self {
        let mut rows: Vec<(String, String, String)> = ts
            .iter()
            .map(|t| {
                (
                    Money(t.amount).som_plain(),
                    t.condition.clone(),
                    t.due_on.map(|d| d.to_string()).unwrap_or_default(),
                )
            })
            .collect();
        rows.resize(rules::MAX_TRANCHES, Default::default());
        Self { rows }
    }
}

/// Replaces the tranche plan of an award (before anything is paid): parts that add up to it.
pub async fn save_tranches(
    store: &Store,
    actor: &Actor,
    id: AwardId,
    input: &TrancheInput,
) -> AppResult<()> {
    let (award, app, _, access) = award_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let mut plan = vec![];
    for (amount, condition, due) in &input.rows {
        if amount.trim().is_empty() && condition.trim().is_empty() && due.trim().is_empty() {
            continue;
        }
        let a = som("tranches", amount, &mut errs).unwrap_or(0);
        let condition = limit("tranches", condition, 300, &mut errs);
        let due_on = if due.trim().is_empty() {
            None
        } else {
            super::super::base::date("tranches", due, domain::time::DateSpan::Planned, &mut errs)
        };
        plan.push(g::TranchePlan {
            amount: a,
            condition,
            due_on,
        });
    }
    if errs.is_empty()
        && let Err(e) = rules::check_tranches(
            award.amount,
            &plan.iter().map(|p| p.amount).collect::<Vec<_>>(),
        )
    {
        errs.push((e.field.into(), e.key.into()));
    }
    if !errs.is_empty() {
        errs.truncate(1);
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    g::replace_tranches(&mut tx, id, &plan)
        .await
        .map_err(|e| match e {
            StoreError::Conflict("grant_tranches.paid") => {
                invalid("tranches", "err-grant-tranches-paid")
            }
            StoreError::Conflict(_) => invalid("tranches", "err-grant-tranches-sum"),
            other => other.into(),
        })?;
    commit_app(
        tx,
        actor,
        "grant.tranches",
        &app,
        format!("award {id} parts {}", plan.len()),
    )
    .await?;
    Ok(())
}

/// The tranche with its award, if the actor may see it.
pub async fn tranche_for(
    store: &Store,
    actor: &Actor,
    id: TrancheId,
) -> AppResult<(Tranche, Award, Application, AppAccess)> {
    let t = fetch(store, actor, async |c| g::get_tranche(c, id).await).await?;
    let (award, app, _, access) = award_for(store, actor, t.award_id).await?;
    Ok((t, award, app, access))
}

/// The coordinator says a tranche's condition is met, so it can be paid.
pub async fn release_tranche(store: &Store, actor: &Actor, id: TrancheId) -> AppResult<AwardId> {
    let (t, _, app, access) = tranche_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    g::release_tranche(&mut tx, id, actor.user_id).await?;
    commit_app(tx, actor, "grant.release", &app, format!("tranche {id}")).await?;
    Ok(t.award_id)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentInput {
    pub amount: String,
    pub paid_on: String,
    pub channel: String,
    pub reference: String,
    /// Generated when the form is shown; the same key twice is the same submission.
    pub key: String,
}

impl PaymentInput {
    pub fn fresh(tranche: &Tranche) -> Self {
        Self {
            amount: Money(tranche.amount - tranche.paid).som_plain(),
            paid_on: domain::time::today().to_string(),
            channel: "mobile".into(),
            reference: String::new(),
            key: crate::secrets::random_token(16),
        }
    }
}

/// Records a payment of a released tranche in the ledger. The same form sent twice (its key) is
/// refused with a message, as is a payment past what the tranche holds.
pub async fn record_payment(
    store: &Store,
    actor: &Actor,
    id: TrancheId,
    input: &PaymentInput,
) -> AppResult<PaymentId> {
    let (t, award, app, access) = tranche_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let amount = som("amount", &input.amount, &mut errs);
    if amount.is_none_or(|a| a <= 0) && errs.is_empty() {
        errs.push(("amount".into(), "err-money".into()));
    }
    let paid_on = super::super::base::date(
        "paid_on",
        &input.paid_on,
        domain::time::DateSpan::Past,
        &mut errs,
    );
    let channel = PaymentChannel::parse(&input.channel);
    if channel.is_none() {
        errs.push(("channel".into(), "err-choice".into()));
    }
    let reference = limit("reference", &input.reference, 120, &mut errs);
    let key = input.key.trim();
    if !key_ok(key) {
        errs.push(("amount".into(), "err-bad-form".into()));
    }
    if t.released_at.is_none() {
        errs.push(("amount".into(), "err-grant-not-released".into()));
    }
    let (Some(amount), Some(paid_on), Some(channel), true) =
        (amount, paid_on, channel, errs.is_empty())
    else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = store.begin().await?;
    let pid = g::insert_payment(
        &mut tx,
        &g::NewPayment {
            tranche: id,
            amount,
            paid_on,
            channel,
            reference: &reference,
            reverses: None,
            idempotency_key: key,
            recorded_by: actor.user_id,
        },
    )
    .await
    .map_err(payment_error)?;
    // She is told the money is on its way, over her channels.
    crate::services::messages::notify(
        &mut tx,
        app.person_id,
        Some(app.lab_id),
        "tranche-paid",
        &[
            ("title", app.title.clone()),
            ("amount", domain::Money(amount).som_display()),
            ("n", t.position.to_string()),
        ],
    )
    .await?;
    commit_app(
        tx,
        actor,
        "grant.payment",
        &app,
        format!("award {} tranche {id} amount {amount}", award.id),
    )
    .await?;
    Ok(pid)
}

/// An idempotency key as the form generates it: 16 to 64 letters and digits.
fn key_ok(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric())
}

fn payment_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict("grant_payments.idempotency") => {
            invalid("amount", "err-grant-payment-twice")
        }
        StoreError::Conflict("grant_payments.over") => invalid("amount", "err-grant-payment-over"),
        StoreError::Conflict(_) => invalid("amount", "err-grant-reversed"),
        other => other.into(),
    }
}

/// Corrects a payment by adding its reversal (the ledger keeps both rows).
pub async fn reverse_payment(
    store: &Store,
    actor: &Actor,
    id: PaymentId,
    key: &str,
) -> AppResult<AwardId> {
    let p = fetch(store, actor, async |c| g::get_payment(c, id).await).await?;
    let (_, award, app, access) = tranche_for(store, actor, p.tranche_id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    if p.amount < 0 || p.reverses_id.is_some() {
        return Err(invalid("amount", "err-grant-reversed"));
    }
    let key = key.trim();
    if !key_ok(key) {
        return Err(AppError::BadRequest("err-bad-form"));
    }
    let mut tx = store.begin().await?;
    if g::is_reversed(&mut tx, id).await? {
        return Err(invalid("amount", "err-grant-reversed"));
    }
    g::insert_payment(
        &mut tx,
        &g::NewPayment {
            tranche: p.tranche_id,
            amount: -p.amount,
            paid_on: domain::time::today(),
            channel: p.channel,
            reference: &p.reference,
            reverses: Some(id),
            idempotency_key: key,
            recorded_by: actor.user_id,
        },
    )
    .await
    .map_err(payment_error)?;
    commit_app(
        tx,
        actor,
        "grant.payment_reversal",
        &app,
        format!("payment {id}"),
    )
    .await?;
    Ok(award.id)
}

// Progress reports and ventures

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub body: String,
    pub purchases: String,
    pub first_sales: String,
}

/// The grantee (or the coordinator with her) reports progress.
pub async fn submit_report(
    store: &Store,
    actor: &Actor,
    id: AwardId,
    input: &ReportInput,
) -> AppResult<ReportId> {
    let (_, app, _, access) = award_for(store, actor, id).await?;
    if !access.grantee() && !access.assist {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let body = block("body", &input.body, 5000, &mut errs);
    if body.is_empty() {
        errs.push(("body".into(), "err-required".into()));
    }
    let purchases = block("purchases", &input.purchases, 3000, &mut errs);
    let first_sales = som("first_sales", &input.first_sales, &mut errs).unwrap_or(0);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let rid = g::insert_report(&mut tx, id, &body, &purchases, first_sales, actor.user_id).await?;
    commit_app(tx, actor, "grant.report", &app, format!("report {rid}")).await?;
    Ok(rid)
}

/// The report with its application, if the actor may see its award.
pub async fn report_for(
    store: &Store,
    actor: &Actor,
    id: ReportId,
) -> AppResult<(g::Report, Application, AppAccess)> {
    let r = fetch(store, actor, async |c| g::get_report(c, id).await).await?;
    let (_, app, _, access) = award_for(store, actor, r.award_id).await?;
    Ok((r, app, access))
}

/// The coordinator accepts a report, or asks for more (saying what).
pub async fn respond_report(
    store: &Store,
    actor: &Actor,
    id: ReportId,
    decision: &str,
    response: &str,
) -> AppResult<AwardId> {
    let (r, app, access) = report_for(store, actor, id).await?;
    if !access.decide && !access.assist {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let response = block("response", response, 2000, &mut errs);
    let status = match decision {
        "accept" => ReportStatus::Accepted,
        "more" => ReportStatus::MoreRequested,
        _ => return Err(AppError::BadRequest("err-bad-form")),
    };
    if status == ReportStatus::MoreRequested && response.is_empty() {
        errs.push(("response".into(), "err-grant-say-what".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    if !g::respond_report(&mut tx, id, status, &response, actor.user_id).await? {
        return Err(invalid("response", "err-grant-answered"));
    }
    commit_app(
        tx,
        actor,
        "grant.report_response",
        &app,
        format!("report {id} {}", status.code()),
    )
    .await?;
    Ok(r.award_id)
}

/// The venture with what the actor may do, if she may see its grant.
pub async fn venture_for(
    store: &Store,
    actor: &Actor,
    id: VentureId,
) -> AppResult<(g::Venture, Option<(Award, Application, AppAccess)>)> {
    let v = fetch(store, actor, async |c| g::get_venture(c, id).await).await?;
    match v.award_id {
        Some(a) => {
            let (award, app, _, access) = award_for(store, actor, a).await?;
            Ok((v, Some((award, app, access))))
        }
        None if actor.allows(Action::ManageGrants(v.lab_id))
            || actor
                .person_id
                .is_some_and(|p| v.members.iter().any(|m| m.0 == p)) =>
        {
            Ok((v, None))
        }
        None => Err(AppError::NotFound),
    }
}

/// A venture's page: the venture, the grant that funds it (if the reader may see it), and
/// whether she may record its launch or closing.
pub struct VentureView {
    pub venture: g::Venture,
    pub app: Option<Application>,
    pub award: Option<Award>,
    pub can_edit: bool,
    /// A joint initiative's members with their shares of its sales: (member, name, share).
    pub shares: Vec<(PersonId, String, i64)>,
    /// The caller may set the shares: the coordinators of its lab, for a joint initiative.
    pub can_share: bool,
}

impl VentureView {
    /// A member's part of each sale, in whole percent (rounded down, as the split is).
    pub fn percent(&self, share: i64) -> i64 {
        let total: i64 = self.shares.iter().map(|(_, _, s)| s).sum();
        if total == 0 { 0 } else { share * 100 / total }
    }
}

pub async fn venture_view(store: &Store, actor: &Actor, id: VentureId) -> AppResult<VentureView> {
    let (venture, grant) = venture_for(store, actor, id).await?;
    let can_edit = actor.allows(Action::ManageGrants(venture.lab_id))
        || grant
            .as_ref()
            .is_some_and(|(_, _, a)| a.staff() || a.grantee());
    let (award, app) = match grant {
        Some((w, a, _)) => (Some(w), Some(a)),
        None => (None, None),
    };
    let joint = venture.kind == domain::grants::VentureKind::JointInitiative;
    let shares = if joint {
        let mut c = store.conn().await?;
        let shares = store::showcase::shares(&mut c, id).await?;
        venture
            .members
            .iter()
            .map(|(p, name)| {
                let share = shares.iter().find(|(x, _)| x == p).map_or(1, |(_, s)| *s);
                (*p, name.clone(), share)
            })
            .collect()
    } else {
        vec![]
    };
    Ok(VentureView {
        can_share: joint && actor.allows(Action::ManageGrants(venture.lab_id)),
        shares,
        venture,
        app,
        award,
        can_edit,
    })
}

/// The largest share a member may be given (shares are weights: 1 and 3 is a quarter and
/// three quarters).
pub const MAX_SHARE: i64 = 100;

/// A coordinator of its lab sets how a joint initiative's sales split among its members (as
/// they agreed): `share_{person id}` = a whole number from 1 to [`MAX_SHARE`] for every member.
/// Audited; a bad or missing number is a message and changes nothing.
pub async fn set_shares(
    store: &Store,
    actor: &Actor,
    id: VentureId,
    form: &[(String, String)],
) -> AppResult<()> {
    let v = venture_view(store, actor, id).await?;
    if !v.can_share {
        return Err(AppError::NotFound);
    }
    let mut errs = vec![];
    let mut new = vec![];
    for (person, _, _) in &v.shares {
        let field = format!("share_{person}");
        let typed = form
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.trim())
            .unwrap_or("");
        match typed.parse::<i64>() {
            Ok(n) if (1..=MAX_SHARE).contains(&n) => new.push((*person, n)),
            _ => errs.push((field, "err-venture-share".to_string())),
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    for (person, n) in &new {
        store::showcase::set_share(&mut tx, id, *person, *n).await?;
    }
    let e = entry(
        actor,
        "venture.shares",
        "venture",
        id,
        Some(v.venture.lab_id),
    );
    let detail = new
        .iter()
        .map(|(_, n)| n.to_string())
        .collect::<Vec<_>>()
        .join(":");
    crate::services::base::commit_with(tx, e, detail).await
}

/// The coordinator (or a member) records that the venture launched, or closed.
pub async fn set_venture_status(
    store: &Store,
    actor: &Actor,
    id: VentureId,
    status: &str,
    on: &str,
) -> AppResult<()> {
    let v = venture_view(store, actor, id).await?;
    if !v.can_edit {
        return Err(AppError::NotFound);
    }
    let v = v.venture;
    let status = VentureStatus::parse(status).ok_or(AppError::BadRequest("err-bad-form"))?;
    let mut errs = vec![];
    let Some(on) = super::super::base::date("on", on, domain::time::DateSpan::Past, &mut errs)
    else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = store.begin().await?;
    if !g::set_venture_status(&mut tx, id, status, on).await? {
        return Err(AppError::Conflict("err-grant-status"));
    }
    commit(
        tx,
        entry(actor, "venture.status", "venture", id, Some(v.lab_id)).with_detail(status.code()),
    )
    .await?;
    Ok(())
}
