//! Pledges: made without an account, paid by hand, refunded, rewards handed over; the
//! backers' messages.
use super::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PledgeInput {
    /// Her name; empty (or `anonymous` = "on") for an anonymous pledge.
    pub name: String,
    pub anonymous: String,
    /// Optional: for the receipt.
    pub email: String,
    /// Optional.
    pub phone: String,
    /// Som, e.g. `1500` or `1500.50`.
    pub amount: String,
    /// A reward tier's id (optional).
    pub tier: String,
    pub message: String,
    /// `on`: her name and message may be shown on the campaign's page.
    pub show_name: String,
    /// A token from the form (or the caller): the same key twice is one pledge.
    pub key: String,
}

/// A pledge with what the backer needs to pay it.
#[derive(Debug, Clone)]
pub struct Pledged {
    pub pledge: Pledge,
    pub campaign: Campaign,
    /// Made by an earlier submission of the same form.
    pub again: bool,
}

/// Records a promise from the public (no account). A reward is reserved here, within its
/// quantity; a double submission (the same key) answers the first pledge.
pub async fn pledge(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    f: &PledgeInput,
    lang: Lang,
    base: &str,
) -> AppResult<Pledged> {
    let (k, _) = campaign_for(store, actor, id).await?;
    let today = domain::time::today();
    if k.status != CampaignStatus::Open || !(k.starts_on..=k.ends_on).contains(&today) {
        return Err(invalid("amount", "err-crowd-closed"));
    }
    let mut errs: Errs = vec![];
    let anonymous = f.anonymous == "on";
    let name = if anonymous {
        String::new()
    } else {
        limit("name", &f.name, 100, &mut errs)
    };
    let email = match domain::parse_email(&f.email) {
        Ok(e) => e.unwrap_or_default(),
        Err(e) => {
            push(&mut errs, e);
            String::new()
        }
    };
    let phone = if f.phone.trim().is_empty() {
        String::new()
    } else {
        match domain::Phone::parse(&f.phone) {
            Ok(p) => p.as_str().to_string(),
            Err(e) => {
                push(&mut errs, e);
                String::new()
            }
        }
    };
    let amt = amount("amount", &f.amount, true, &mut errs);
    let message = block("message", &f.message, 500, &mut errs);
    let key = f.key.trim();
    let key = if key.is_empty() || key.len() > 100 {
        crate::secrets::random_token(16)
    } else {
        format!("{id}:{key}")
    };
    let mut c = store.conn().await?;
    let tier = if f.tier.trim().is_empty() {
        None
    } else {
        let t = match f.tier.trim().parse::<TierId>() {
            Ok(t) => cf::get_tier(&mut c, t)
                .await?
                .filter(|t| t.campaign_id == id),
            Err(_) => None,
        };
        match t {
            None => {
                errs.push(("tier".into(), "err-crowd-unknown-tier".into()));
                None
            }
            Some(t) => {
                if amt.is_some_and(|a| a < t.min_amount) {
                    errs.push(("amount".into(), "err-crowd-below-tier".into()));
                }
                Some(t)
            }
        }
    };
    // The same form posted again answers the first pledge, before any new check.
    if let Some(pid) = cf::pledge_by_key(&mut c, &key).await? {
        let p = cf::get_pledge(&mut c, pid)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(Pledged {
            pledge: p,
            campaign: k,
            again: true,
        });
    }
    drop(c);
    if tier.as_ref().is_some_and(|t| t.sold_out()) {
        errs.push(("tier".into(), "err-crowd-sold-out".into()));
    }
    if !errs.is_empty() {
        return fail(errs);
    }
    let show_name = f.show_name == "on" && !name.is_empty();
    for _ in 0..3 {
        let reference = rules::reference(rand::random());
        let mut tx = store.begin().await?;
        let n = cf::NewPledge {
            campaign: id,
            tier: tier.as_ref().map(|t| t.id),
            reference: &reference,
            name: &name,
            email: &email,
            phone: &phone,
            amount: amt.unwrap_or(0),
            message: &message,
            show_name,
            idempotency_key: &key,
            lang: lang.code(),
        };
        match cf::create_pledge(&mut tx, &n).await {
            Ok(cf::Pledged::Again(pid)) => {
                drop(tx);
                let mut c = store.conn().await?;
                let p = cf::get_pledge(&mut c, pid)
                    .await?
                    .ok_or(AppError::NotFound)?;
                return Ok(Pledged {
                    pledge: p,
                    campaign: k,
                    again: true,
                });
            }
            Ok(cf::Pledged::New(pid)) => {
                // How to pay, by e-mail when she left an address, through the outbox.
                crate::services::messages::queue(
                    &mut tx,
                    None,
                    Some(crate::services::messages::Direct {
                        email: email.clone(),
                        lang: lang.code().into(),
                        name: name.clone(),
                    }),
                    k.lab_id,
                    "pledge-instructions",
                    &[
                        ("title", k.title(lang.code()).to_string()),
                        ("amount", Money(amt.unwrap_or(0)).som_display()),
                        ("reference", reference.clone()),
                        ("details", k.payment_details.clone()),
                        ("link", format!("{base}/campaigns/{}", k.id)),
                    ],
                    crate::services::messages::When {
                        once: Some(format!("pledge-instructions:{pid}")),
                        ..Default::default()
                    },
                )
                .await?;
                let e = entry(actor, "campaign.pledge", "pledge", pid, k.lab_id);
                commit_with(tx, e, format!("campaign {id}")).await?;
                let mut c = store.conn().await?;
                let p = cf::get_pledge(&mut c, pid)
                    .await?
                    .ok_or(AppError::NotFound)?;
                return Ok(Pledged {
                    pledge: p,
                    campaign: k,
                    again: false,
                });
            }
            Err(StoreError::Conflict("campaign_tiers.sold_out")) => {
                return Err(invalid("tier", "err-crowd-sold-out"));
            }
            Err(StoreError::Conflict("pledges.reference")) => continue,
            Err(StoreError::Conflict("pledges.idempotency")) => {
                drop(tx);
                let mut c = store.conn().await?;
                let pid = cf::pledge_by_key(&mut c, &key)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let p = cf::get_pledge(&mut c, pid)
                    .await?
                    .ok_or(AppError::NotFound)?;
                return Ok(Pledged {
                    pledge: p,
                    campaign: k,
                    again: true,
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict("err-conflict"))
}

/// A pledge by its reference, with its campaign: the payment instructions page (public; the
/// reference is the pledge's own, it shows no contact details).
pub async fn by_reference(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    reference: &str,
) -> AppResult<(Pledge, Campaign)> {
    let (k, _) = campaign_for(store, actor, id).await?;
    let mut c = store.conn().await?;
    let p = cf::pledge_by_reference(&mut c, reference)
        .await?
        .filter(|p| p.campaign_id == id)
        .ok_or(AppError::NotFound)?;
    Ok((p, k))
}

async fn pledge_managed(
    store: &Store,
    actor: &Actor,
    id: PledgeId,
) -> AppResult<(Pledge, Campaign)> {
    crate::services::base::signed_in(actor)?;
    let mut c = store.conn().await?;
    let p = cf::get_pledge(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    let k = managed(store, actor, p.campaign_id).await?;
    Ok((p, k))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaidInput {
    /// When the money arrived; today when blank.
    pub paid_on: String,
}

/// Staff say the money of a promised pledge arrived: one `in` row, the pledge paid.
pub async fn mark_paid(
    store: &Store,
    actor: &Actor,
    id: PledgeId,
    f: &PaidInput,
) -> AppResult<CampaignId> {
    let (p, k) = pledge_managed(store, actor, id).await?;
    let mut errs: Errs = vec![];
    let on = if f.paid_on.trim().is_empty() {
        Some(domain::time::today())
    } else {
        crate::services::base::date(
            "paid_on",
            &f.paid_on,
            domain::time::DateSpan::Past,
            &mut errs,
        )
    };
    if !errs.is_empty() {
        return fail(errs);
    }
    let mut tx = store.begin().await?;
    record_paid(&mut tx, actor, &p, p.amount, on.unwrap_or_default(), None).await?;
    let e = entry(actor, "pledge.paid", "pledge", id, k.lab_id);
    commit_with(tx, e, format!("amount {}", p.amount)).await?;
    Ok(k.id)
}

pub(super) async fn record_paid(
    tx: &mut store::AnyConn,
    actor: &Actor,
    p: &Pledge,
    tyiyn: i64,
    on: NaiveDate,
    fingerprint: Option<&str>,
) -> AppResult<()> {
    let k = cf::get_campaign(tx, p.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // An all-or-nothing campaign that closed below its goal has refunded everyone: money that
    // arrives late goes back too, it is not taken.
    if k.status == CampaignStatus::Closed
        && !k.mode.funded(cf::totals(tx, k.id).await?.money_in, k.goal)
    {
        return Err(AppError::Conflict("err-crowd-failed"));
    }
    if !cf::set_paid(tx, p.id).await? {
        return Err(AppError::Conflict("err-crowd-not-promised"));
    }
    let key = format!("pledge-paid:{}", p.id);
    let e = cf::NewEntry {
        campaign: p.campaign_id,
        direction: Direction::In,
        amount: tyiyn,
        occurred_on: on,
        category: SpendCategory::Other,
        description: &p.reference,
        pledge: Some(p.id),
        event: None,
        award: None,
        receipt: None,
        reverses: None,
        fingerprint,
        idempotency_key: &key,
        recorded_by: actor.user_id,
    };
    cf::insert_entry(tx, &e).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::Conflict("err-crowd-not-promised"),
        other => other.into(),
    })?;
    // Her reward is her sale: credited once per pledge (the store ignores a second).
    cf::credit_reward_sale(tx, p.id, on).await?;
    // The backer's receipt, in the language she pledged in, when she left an address.
    tell_backer(tx, &k, p, "pledge-paid", tyiyn).await?;
    Ok(())
}

/// A paid pledge is refunded: its `in` row is reversed, its reward given back.
pub async fn refund(store: &Store, actor: &Actor, id: PledgeId) -> AppResult<CampaignId> {
    let (p, k) = pledge_managed(store, actor, id).await?;
    let mut tx = store.begin().await?;
    if !refund_in(&mut tx, actor, &k, &p).await? {
        return Err(AppError::Conflict("err-crowd-not-paid"));
    }
    let e = entry(actor, "pledge.refund", "pledge", id, k.lab_id);
    commit_with(tx, e, format!("amount {}", p.amount)).await?;
    Ok(k.id)
}

/// Refunds a paid pledge in the caller's transaction: its `in` row reversed, its reward given
/// back, the backer told. `false` when it was not paid (nothing changes).
pub(super) async fn refund_in(
    tx: &mut store::AnyConn,
    actor: &Actor,
    k: &Campaign,
    p: &Pledge,
) -> AppResult<bool> {
    if !cf::set_refunded(tx, p.id).await? {
        return Ok(false);
    }
    let row = cf::entry_of_pledge(tx, p.id)
        .await?
        .ok_or(AppError::NotFound)?;
    reverse_in(tx, actor, &row).await?;
    tell_backer(tx, k, p, "pledge-refunded", p.amount).await?;
    Ok(true)
}

pub(super) async fn reverse_in(
    tx: &mut store::AnyConn,
    actor: &Actor,
    row: &Entry,
) -> AppResult<LedgerId> {
    if row.reverses_id.is_some() || row.reversed {
        return Err(AppError::Conflict("err-crowd-reversed"));
    }
    let key = format!("reverse:{}", row.id);
    let desc = format!("↩ {}", row.description);
    let e = cf::NewEntry {
        campaign: row.campaign_id,
        direction: row.direction,
        amount: -row.amount,
        occurred_on: domain::time::today(),
        category: row.category,
        description: &desc,
        pledge: row.pledge_id,
        event: row.event_id,
        award: row.award_id,
        receipt: None,
        reverses: Some(row.id),
        fingerprint: None,
        idempotency_key: &key,
        recorded_by: actor.user_id,
    };
    cf::insert_entry(tx, &e).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::Conflict("err-crowd-reversed"),
        other => other.into(),
    })
}

/// Reverses a spending row (a correction): the money is back in the balance. A pledge's row
/// is reversed by refunding the pledge.
pub async fn reverse(store: &Store, actor: &Actor, id: LedgerId) -> AppResult<CampaignId> {
    crate::services::base::signed_in(actor)?;
    let mut c = store.conn().await?;
    let row = cf::get_entry(&mut c, id).await?.ok_or(AppError::NotFound)?;
    drop(c);
    let k = managed(store, actor, row.campaign_id).await?;
    if row.pledge_id.is_some() {
        return Err(AppError::Conflict("err-crowd-refund-instead"));
    }
    let mut tx = store.begin().await?;
    let rid = reverse_in(&mut tx, actor, &row).await?;
    let e = entry(actor, "campaign.reverse", "campaign", k.id, k.lab_id);
    commit_with(tx, e, format!("ledger {id} by {rid}")).await?;
    Ok(k.id)
}

/// The reward was handed to the backer.
pub async fn fulfil(store: &Store, actor: &Actor, id: PledgeId) -> AppResult<CampaignId> {
    let (_, k) = pledge_managed(store, actor, id).await?;
    let mut tx = store.begin().await?;
    cf::fulfil(&mut tx, id).await?;
    let e = entry(actor, "pledge.fulfil", "pledge", id, k.lab_id);
    commit_with(tx, e, String::new()).await?;
    Ok(k.id)
}
