//! Campaigns: created, moved draft → open → closed (all-or-nothing refunds at the close),
//! reward tiers, budget lines, updates and photos.
use super::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    /// A lab's id (coordinators: one of theirs); empty: the network's campaign (the admin).
    pub lab: String,
    pub title_ky: String,
    pub title_ru: String,
    pub title_en: String,
    pub story_ky: String,
    pub story_ru: String,
    pub story_en: String,
    /// Som.
    pub goal: String,
    /// yyyy-mm-dd or dd.mm.yyyy
    pub starts_on: String,
    pub ends_on: String,
    /// keep or all-or-nothing
    pub mode: String,
    /// Bank account, cash at the lab, mobile wallet: shown with each pledge's reference.
    pub payment_details: String,
}

/// Labs the actor may start a campaign for; `network` when she may start the network's.
pub fn campaign_labs(actor: &Actor) -> (Vec<LabId>, bool) {
    let labs = match actor.scope_for(Action::ManageCampaigns) {
        domain::LabScope::All => vec![],
        domain::LabScope::Only(l) => l,
    };
    (labs, actor.allows(Action::ManageNetwork))
}

pub async fn create(store: &Store, actor: &Actor, f: &CampaignInput) -> AppResult<CampaignId> {
    crate::services::base::signed_in(actor)?;
    let mut errs: Errs = vec![];
    let lab: Option<LabId> = if f.lab.trim().is_empty() {
        None
    } else {
        Some(f.lab.trim().parse().map_err(|_| AppError::NotFound)?)
    };
    let allowed = match lab {
        Some(l) => actor.allows(Action::ManageCampaigns(l)),
        None => actor.allows(Action::ManageNetwork),
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let titles = [
        limit("title_ky", &f.title_ky, 150, &mut errs),
        limit("title_ru", &f.title_ru, 150, &mut errs),
        limit("title_en", &f.title_en, 150, &mut errs),
    ];
    if titles.iter().all(|t| t.is_empty()) {
        errs.push(("title_ky".into(), "err-required".into()));
    }
    let stories = [
        block("story_ky", &f.story_ky, 8000, &mut errs),
        block("story_ru", &f.story_ru, 8000, &mut errs),
        block("story_en", &f.story_en, 8000, &mut errs),
    ];
    let goal = match Money::parse_som("goal", &f.goal) {
        Ok(Some(m)) if m.0 > 0 && m.0 <= rules::MAX_GOAL => Some(m.0),
        Ok(Some(m)) if m.0 > rules::MAX_GOAL => {
            errs.push(("goal".into(), "err-crowd-amount-absurd".into()));
            None
        }
        Ok(Some(_)) => {
            errs.push(("goal".into(), "err-crowd-amount-positive".into()));
            None
        }
        Ok(None) => {
            errs.push(("goal".into(), "err-required".into()));
            None
        }
        Err(e) => {
            push(&mut errs, e);
            None
        }
    };
    let span = domain::time::DateSpan::Planned;
    let starts_on = crate::services::base::date("starts_on", &f.starts_on, span, &mut errs);
    let ends_on = crate::services::base::date("ends_on", &f.ends_on, span, &mut errs);
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && let Err(x) = rules::check_dates(s, e)
    {
        push(&mut errs, x);
    }
    let mode = CampaignMode::parse(&f.mode);
    if mode.is_none() {
        errs.push(("mode".into(), "err-required".into()));
    }
    let payment_details = block("payment_details", &f.payment_details, 1000, &mut errs);
    if !errs.is_empty() {
        return fail(errs);
    }
    let n = cf::NewCampaign {
        lab_id: lab,
        titles,
        stories,
        goal: goal.unwrap_or(0),
        starts_on: starts_on.unwrap_or_default(),
        ends_on: ends_on.unwrap_or_default(),
        mode,
        payment_details,
        created_by: actor.user_id,
    };
    let mut tx = store.begin().await?;
    let id = cf::create_campaign(&mut tx, &n).await?;
    let e = entry(actor, "campaign.create", "campaign", id, lab);
    commit_with(tx, e, format!("goal {}", n.goal)).await?;
    Ok(id)
}

pub async fn set_status(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    status: &str,
) -> AppResult<()> {
    let k = managed(store, actor, id).await?;
    let status = CampaignStatus::parse(status).ok_or(AppError::BadRequest("status"))?;
    let mut tx = store.begin().await?;
    let pledged = cf::has_pledges(&mut tx, id).await?;
    if !k.status.can_move_to(status, pledged)
        || !cf::set_status(&mut tx, id, k.status, status).await?
    {
        return Err(invalid("status", "err-crowd-status-move"));
    }
    // All-or-nothing below its goal at the close: every paid pledge is refunded (its row
    // reversed, its reward given back) and each backer who left an address is told, in the
    // same transaction as the close.
    let mut refunded = 0;
    if status == CampaignStatus::Closed {
        let t = cf::totals(&mut tx, id).await?;
        if !k.mode.funded(t.money_in, k.goal) {
            for p in cf::pledges(&mut tx, id).await? {
                if p.status == PledgeStatus::Paid && refund_in(&mut tx, actor, &k, &p).await? {
                    refunded += 1;
                }
            }
        }
    }
    let e = entry(actor, "campaign.status", "campaign", id, k.lab_id);
    let detail = format!("{}->{}", k.status.code(), status.code());
    let detail = if refunded > 0 {
        format!("{detail} refunded {refunded}")
    } else {
        detail
    };
    commit_with(tx, e, detail).await
}

/// A message to a backer who left an address, in the language she pledged in, once per pledge
/// and kind (`pledge-paid`, `pledge-refunded`).
pub(super) async fn tell_backer(
    tx: &mut store::AnyConn,
    k: &Campaign,
    p: &Pledge,
    kind: &str,
    tyiyn: i64,
) -> AppResult<()> {
    if p.email.trim().is_empty() {
        return Ok(());
    }
    crate::services::messages::queue(
        tx,
        None,
        Some(crate::services::messages::Direct {
            email: p.email.clone(),
            lang: p.lang.clone(),
            name: p.name.clone(),
        }),
        k.lab_id,
        kind,
        &[
            ("title", k.title(&p.lang).to_string()),
            ("amount", domain::Money(tyiyn).som_display()),
            ("reference", p.reference.clone()),
        ],
        crate::services::messages::When {
            once: Some(format!("{kind}:{}", p.id)),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TierInput {
    pub title: String,
    pub description: String,
    /// Som.
    pub min_amount: String,
    /// Blank: unlimited.
    pub quantity: String,
    /// The showcase product it is, as its name.
    pub product: String,
    /// A maker's showcase product (its id) whose sale a paid pledge with this reward credits;
    /// blank for none. Of the campaign's lab (any lab for the network's campaign).
    pub product_id: String,
}

pub async fn add_tier(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    f: &TierInput,
) -> AppResult<TierId> {
    let k = managed(store, actor, id).await?;
    let mut errs: Errs = vec![];
    let title = limit("tier_title", &f.title, 150, &mut errs);
    if title.is_empty() {
        errs.push(("tier_title".into(), "err-required".into()));
    }
    let description = block("tier_description", &f.description, 1000, &mut errs);
    let min_amount = amount("min_amount", &f.min_amount, true, &mut errs);
    let quantity = if f.quantity.trim().is_empty() {
        None
    } else {
        crate::services::base::number(
            "quantity",
            &f.quantity,
            0..=100_000,
            "err-crowd-quantity",
            &mut errs,
        )
    };
    let mut product = limit("product", &f.product, 150, &mut errs);
    let mut tx = store.begin().await?;
    let product_id = match f.product_id.trim() {
        "" => None,
        pid => match cf::product_lab(&mut tx, pid).await? {
            Some((lab, title)) if k.lab_id.is_none_or(|l| l == lab) => {
                if product.is_empty() {
                    product = title;
                }
                Some(pid.to_string())
            }
            _ => {
                errs.push(("product_id".into(), "err-crowd-product".into()));
                None
            }
        },
    };
    if cf::tiers(&mut tx, id).await?.len() >= rules::MAX_TIERS {
        errs.push(("tier_title".into(), "err-crowd-too-many".into()));
    }
    if !errs.is_empty() {
        return fail(errs);
    }
    let t = cf::NewTier {
        title: &title,
        description: &description,
        min_amount: min_amount.unwrap_or(0),
        quantity,
        product: &product,
        product_id: product_id.as_deref(),
    };
    let tid = cf::add_tier(&mut tx, id, &t).await?;
    let e = entry(actor, "campaign.tier", "campaign", id, k.lab_id);
    commit_with(tx, e, format!("tier {tid}")).await?;
    Ok(tid)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LineInput {
    /// events, grants, space, equipment, materials, other
    pub category: String,
    pub label: String,
    pub amount: String,
    /// An event's id (optional).
    pub event: String,
    /// A grant call's id (optional).
    pub call: String,
}

pub async fn add_line(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    f: &LineInput,
) -> AppResult<()> {
    let k = managed(store, actor, id).await?;
    let mut errs: Errs = vec![];
    let category = SpendCategory::parse(&f.category);
    if category.is_none() {
        errs.push(("category".into(), "err-required".into()));
    }
    let label = limit("label", &f.label, 200, &mut errs);
    if label.is_empty() {
        errs.push(("label".into(), "err-required".into()));
    }
    let amt = amount("line_amount", &f.amount, true, &mut errs);
    let mut c = store.conn().await?;
    let event = known_event(&mut c, &k, &f.event, &mut errs).await?;
    let call: Option<GrantCallId> = if f.call.trim().is_empty() {
        None
    } else {
        let choices = cf::call_choices(&mut c, k.lab_id).await?;
        match f.call.trim().parse::<GrantCallId>() {
            Ok(x) if choices.iter().any(|(i, _)| *i == x) => Some(x),
            _ => {
                errs.push(("call".into(), "err-crowd-unknown-call".into()));
                None
            }
        }
    };
    drop(c);
    if !errs.is_empty() {
        return fail(errs);
    }
    let mut tx = store.begin().await?;
    let l = cf::NewLine {
        category: category.unwrap_or(SpendCategory::Other),
        label: &label,
        amount: amt.unwrap_or(0),
        event,
        call,
    };
    cf::add_line(&mut tx, id, &l).await?;
    let e = entry(actor, "campaign.line", "campaign", id, k.lab_id);
    commit_with(tx, e, l.category.code().to_string()).await
}

/// An event named in a form: one of the campaign's lab (any lab for a network campaign).
pub(super) async fn known_event(
    c: &mut store::AnyConn,
    k: &Campaign,
    s: &str,
    errs: &mut Errs,
) -> AppResult<Option<EventId>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let Ok(e) = s.trim().parse::<EventId>() else {
        errs.push(("event".into(), "err-crowd-unknown-event".into()));
        return Ok(None);
    };
    match cf::event_lab(c, e).await? {
        Some(l) if k.lab_id.is_none_or(|x| x == l) => Ok(Some(e)),
        _ => {
            errs.push(("event".into(), "err-crowd-unknown-event".into()));
            Ok(None)
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UpdateInput {
    pub title: String,
    pub body: String,
}

pub async fn post_update(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    f: &UpdateInput,
) -> AppResult<()> {
    let k = managed(store, actor, id).await?;
    let mut errs: Errs = vec![];
    let title = limit("update_title", &f.title, 150, &mut errs);
    let body = block("update_body", &f.body, 4000, &mut errs);
    if title.is_empty() {
        errs.push(("update_title".into(), "err-required".into()));
    }
    if body.is_empty() {
        errs.push(("update_body".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return fail(errs);
    }
    let mut tx = store.begin().await?;
    cf::add_update(&mut tx, id, &title, &body, actor.user_id).await?;
    let e = entry(actor, "campaign.update", "campaign", id, k.lab_id);
    commit_with(tx, e, String::new()).await
}

/// An image cleaned of its metadata (as grant attachments), or the message why not.
pub(super) fn clean_image(field: &str, bytes: &[u8]) -> AppResult<(&'static str, Vec<u8>)> {
    if bytes.is_empty() {
        return Err(invalid(field, "err-required"));
    }
    if bytes.len() > rules::MAX_PHOTO_BYTES {
        return Err(invalid(field, "err-crowd-photo-too-big"));
    }
    let (kind, clean) = documents::uploads::clean(bytes).map_err(|e| match e {
        documents::uploads::UploadError::WrongType => invalid(field, "err-crowd-photo-type"),
        documents::uploads::UploadError::Damaged => invalid(field, "err-crowd-photo-type"),
    })?;
    if kind.content_type() == "application/pdf" {
        return Err(invalid(field, "err-crowd-photo-type"));
    }
    Ok((kind.content_type(), clean))
}

pub async fn add_photo(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    bytes: &[u8],
) -> AppResult<CampaignPhotoId> {
    let k = managed(store, actor, id).await?;
    let (ct, clean) = clean_image("file", bytes)?;
    let mut tx = store.begin().await?;
    if cf::files(&mut tx, id, "photo").await?.len() >= rules::MAX_PHOTOS {
        return Err(invalid("file", "err-crowd-too-many"));
    }
    let fid = cf::add_file(&mut tx, id, "photo", ct, &clean, actor.user_id).await?;
    let e = entry(actor, "campaign.photo", "campaign", id, k.lab_id);
    commit_with(tx, e, format!("file {fid} {ct}")).await?;
    Ok(fid)
}

/// A photo or a receipt of a campaign the actor may see (the ledger is public, receipts too).
/// A campaign's photo or receipt, and whether anyone may see it (its campaign is past draft):
/// a draft's files are its staff's only, and no shared cache may keep them.
pub async fn file(
    store: &Store,
    actor: &Actor,
    id: CampaignPhotoId,
) -> AppResult<(cf::FileMeta, Vec<u8>, bool)> {
    let mut c = store.conn().await?;
    let (meta, bytes) = cf::file(&mut c, id).await?.ok_or(AppError::NotFound)?;
    drop(c);
    let (k, _) = campaign_for(store, actor, meta.campaign_id).await?;
    Ok((meta, bytes, k.status != CampaignStatus::Draft))
}
