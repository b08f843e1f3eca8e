//! Spending from a campaign, with its receipt and what it paid for.
use super::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SpendInput {
    pub spent_on: String,
    pub amount: String,
    pub category: String,
    /// What it bought.
    pub description: String,
    /// The event it paid for (optional).
    pub event: String,
    /// The grant award it paid (optional).
    pub award: String,
    /// A token from the form: the same form twice is one row.
    pub key: String,
}

/// Money out, with what it bought and what it paid for, and a receipt photo (optional).
pub async fn spend(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    f: &SpendInput,
    receipt: Option<&[u8]>,
) -> AppResult<LedgerId> {
    let k = managed(store, actor, id).await?;
    let mut errs: Errs = vec![];
    let on = crate::services::base::date(
        "spent_on",
        &f.spent_on,
        domain::time::DateSpan::Past,
        &mut errs,
    );
    let amt = amount("spend_amount", &f.amount, true, &mut errs);
    let category = SpendCategory::parse(&f.category);
    if category.is_none() {
        errs.push(("spend_category".into(), "err-required".into()));
    }
    let description = limit("spend_description", &f.description, 300, &mut errs);
    if description.is_empty() {
        errs.push(("spend_description".into(), "err-required".into()));
    }
    if !k.mode.funded(k.raised, k.goal) {
        errs.push(("spend_amount".into(), "err-crowd-aon-unfunded".into()));
    }
    let mut c = store.conn().await?;
    let event = known_event(&mut c, &k, &f.event, &mut errs).await?;
    let award: Option<AwardId> = if f.award.trim().is_empty() {
        None
    } else {
        match f.award.trim().parse::<AwardId>() {
            Ok(a) if store::grants::get_award(&mut c, a).await?.is_some() => Some(a),
            _ => {
                errs.push(("award".into(), "err-crowd-unknown-award".into()));
                None
            }
        }
    };
    drop(c);
    let image = match receipt.filter(|b| !b.is_empty()) {
        Some(b) => match clean_image("receipt", b) {
            Ok(x) => Some(x),
            Err(AppError::Invalid(mut e)) => {
                errs.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    if !errs.is_empty() {
        return fail(errs);
    }
    let key = if f.key.trim().is_empty() {
        crate::secrets::random_token(16)
    } else {
        format!("spend:{}", f.key.trim())
    };
    let mut tx = store.begin().await?;
    let receipt_id = match &image {
        Some((ct, bytes)) => {
            Some(cf::add_file(&mut tx, id, "receipt", ct, bytes, actor.user_id).await?)
        }
        None => None,
    };
    let e = cf::NewEntry {
        campaign: id,
        direction: Direction::Out,
        amount: amt.unwrap_or(0),
        occurred_on: on.unwrap_or_default(),
        category: category.unwrap_or(SpendCategory::Other),
        description: &description,
        pledge: None,
        event,
        award,
        receipt: receipt_id,
        reverses: None,
        fingerprint: None,
        idempotency_key: &key,
        recorded_by: actor.user_id,
    };
    let lid = cf::insert_entry(&mut tx, &e).await.map_err(|e| match e {
        StoreError::Conflict(_) => invalid("spend_amount", "err-crowd-twice"),
        other => other.into(),
    })?;
    let a = entry(actor, "campaign.spend", "campaign", id, k.lab_id);
    commit_with(tx, a, format!("ledger {lid} amount {}", e.amount)).await?;
    Ok(lid)
}
