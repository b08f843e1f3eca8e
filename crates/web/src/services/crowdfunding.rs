//! Crowdfunding: campaigns with their story, photos, budget lines, reward tiers and updates;
//! pledges without an account (a double submission is one pledge, a reward is never oversold);
//! payments marked by staff or matched from a bank statement (preview, idempotent, unmatched
//! lines listed); the public ledger (append-only, corrections are reversals).
//!
//! Who sees what: everyone sees a campaign that is not a draft, its ledger, its tiers and the
//! backers who agreed to be named. The campaign's managers (the lab's coordinators and the
//! admin; a network campaign: the admin) see drafts, the pledges with the backers' contacts, and
//! record money. Anyone else gets 404 for a draft.
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::base::{commit_with, entry, invalid, limit};
use chrono::NaiveDate;
use domain::crowdfunding::{
    self as rules, CampaignMode, CampaignStatus, Direction, PledgeStatus, SpendCategory,
};
use domain::{
    Action, Actor, AwardId, CampaignId, CampaignPhotoId, EventId, GrantCallId, LabId, LedgerId,
    Money, PledgeId, TierId,
};
use serde::{Deserialize, Serialize};
use store::crowdfunding::{self as cf, BudgetLine, Campaign, Entry, Pledge, Tier, Update};
use store::labs::Lab;
use store::{Store, StoreError};

type Errs = Vec<(String, String)>;

fn push(errs: &mut Errs, e: domain::Invalid) {
    errs.push((e.field.into(), e.key.into()));
}

/// Som as typed → tyiyn within the ledger's bounds; a message on `field` otherwise.
fn amount(field: &'static str, s: &str, required: bool, errs: &mut Errs) -> Option<i64> {
    match Money::parse_som(field, s) {
        Ok(Some(m)) => match rules::check_amount(field, m.0) {
            Ok(v) => Some(v),
            Err(e) => {
                push(errs, e);
                None
            }
        },
        Ok(None) => {
            if required {
                errs.push((field.into(), "err-required".into()));
            }
            None
        }
        Err(_) if s.trim().starts_with('-') => {
            errs.push((field.into(), "err-crowd-amount-positive".into()));
            None
        }
        Err(e) => {
            push(errs, e);
            None
        }
    }
}

fn block(field: &'static str, s: &str, max: usize, errs: &mut Errs) -> String {
    if let Err(e) = domain::text::check(field, s) {
        push(errs, e);
    }
    let t = s.replace("\r\n", "\n").trim().to_string();
    if t.chars().count() > max {
        errs.push((field.into(), "err-too-long".into()));
    }
    t
}

fn fail<T>(errs: Errs) -> AppResult<T> {
    Err(AppError::Invalid(errs))
}

/// She runs the campaign: a lab's by its coordinators and the admin, the network's by the admin.
pub fn manages(actor: &Actor, k: &Campaign) -> bool {
    match k.lab_id {
        Some(l) => actor.allows(Action::ManageCampaigns(l)),
        None => actor.allows(Action::ManageNetwork),
    }
}

fn visible(actor: &Actor, k: &Campaign) -> bool {
    k.status != CampaignStatus::Draft || manages(actor, k)
}

/// The campaign if the actor may see it, and whether she manages it.
pub async fn campaign_for(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
) -> AppResult<(Campaign, bool)> {
    let mut c = store.conn().await?;
    let k = cf::get_campaign(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !visible(actor, &k) {
        return Err(AppError::NotFound);
    }
    let m = manages(actor, &k);
    Ok((k, m))
}

async fn managed(store: &Store, actor: &Actor, id: CampaignId) -> AppResult<Campaign> {
    crate::services::base::signed_in(actor)?;
    let (k, m) = campaign_for(store, actor, id).await?;
    if !m {
        return Err(AppError::NotFound);
    }
    Ok(k)
}

/// Campaigns the actor may see, with their lab, newest first.
pub async fn list(store: &Store, actor: &Actor) -> AppResult<Vec<(Campaign, Option<Lab>)>> {
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let out = cf::campaigns(&mut c)
        .await?
        .into_iter()
        .filter(|k| visible(actor, k))
        .map(|k| {
            let lab = k
                .lab_id
                .and_then(|l| labs.iter().find(|x| x.id == l).cloned());
            (k, lab)
        })
        .collect();
    Ok(out)
}

/// A backer who agreed to be named.
#[derive(Debug, Clone, Serialize)]
pub struct NamedBacker {
    pub name: String,
    pub message: String,
}

/// Everything a campaign's page shows; `pledges` and the choices only for its managers.
#[derive(Debug, Clone)]
pub struct CampaignView {
    pub k: Campaign,
    pub lab: Option<Lab>,
    pub manage: bool,
    pub tiers: Vec<Tier>,
    pub lines: Vec<BudgetLine>,
    pub updates: Vec<Update>,
    pub photos: Vec<cf::FileMeta>,
    pub backers: Vec<NamedBacker>,
    pub ledger: Vec<Entry>,
    pub totals: cf::Totals,
    pub by_category: Vec<(SpendCategory, i64)>,
    pub pledges: Vec<Pledge>,
    pub events: Vec<(EventId, String, NaiveDate)>,
    pub calls: Vec<(GrantCallId, String)>,
    /// Showcase products a reward may be (managers only): (id, "maker: title").
    pub products: Vec<(String, String)>,
}

impl CampaignView {
    pub fn days_left(&self) -> i64 {
        rules::days_left(self.k.ends_on, domain::time::today())
    }
    pub fn percent(&self) -> i64 {
        rules::percent(self.k.raised, self.k.goal)
    }
    pub fn open(&self) -> bool {
        self.k.status == CampaignStatus::Open
            && (self.k.starts_on..=self.k.ends_on).contains(&domain::time::today())
    }
}

/// A campaign's page as the actor may see it. Reading the backers' contacts is audited.
pub async fn view(store: &Store, actor: &Actor, id: CampaignId) -> AppResult<CampaignView> {
    let (k, manage) = campaign_for(store, actor, id).await?;
    let mut c = store.conn().await?;
    let lab = match k.lab_id {
        Some(l) => store::labs::lab(&mut c, l).await?,
        None => None,
    };
    let all_pledges = cf::pledges(&mut c, id).await?;
    let backers = all_pledges
        .iter()
        .filter(|p| p.show_name && p.status == PledgeStatus::Paid && !p.name.is_empty())
        .map(|p| NamedBacker {
            name: p.name.clone(),
            message: p.message.clone(),
        })
        .collect();
    let v = CampaignView {
        tiers: cf::tiers(&mut c, id).await?,
        lines: cf::lines(&mut c, id).await?,
        updates: cf::updates(&mut c, id).await?,
        photos: cf::files(&mut c, id, "photo").await?,
        ledger: cf::ledger(&mut c, id).await?,
        totals: cf::totals(&mut c, id).await?,
        by_category: cf::spent_by_category(&mut c, id).await?,
        pledges: if manage { all_pledges } else { vec![] },
        events: if manage {
            cf::event_choices(&mut c, k.lab_id).await?
        } else {
            vec![]
        },
        calls: if manage {
            cf::call_choices(&mut c, k.lab_id).await?
        } else {
            vec![]
        },
        products: if manage {
            cf::product_choices(&mut c, k.lab_id).await?
        } else {
            vec![]
        },
        backers,
        lab,
        manage,
        k,
    };
    drop(c);
    if manage && !v.pledges.is_empty() {
        let tx = store.begin().await?;
        let e = entry(actor, "campaign.backers.read", "campaign", id, v.k.lab_id);
        commit_with(tx, e, format!("pledges {}", v.pledges.len())).await?;
    }
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Campaigns

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
                if p.status != PledgeStatus::Paid || !cf::set_refunded(&mut tx, p.id).await? {
                    continue;
                }
                if let Some(row) = cf::entry_of_pledge(&mut tx, p.id).await? {
                    reverse_in(&mut tx, actor, &row).await?;
                }
                tell_backer(&mut tx, &k, &p, "pledge-refunded", p.amount).await?;
                refunded += 1;
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
async fn tell_backer(
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
async fn known_event(
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
fn clean_image(field: &str, bytes: &[u8]) -> AppResult<(&'static str, Vec<u8>)> {
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

// ---------------------------------------------------------------------------------------------
// Pledges

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

async fn record_paid(
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
    if !cf::set_refunded(&mut tx, id).await? {
        return Err(AppError::Conflict("err-crowd-not-paid"));
    }
    let row = cf::entry_of_pledge(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    reverse_in(&mut tx, actor, &row).await?;
    tell_backer(&mut tx, &k, &p, "pledge-refunded", p.amount).await?;
    let e = entry(actor, "pledge.refund", "pledge", id, k.lab_id);
    commit_with(tx, e, format!("amount {}", p.amount)).await?;
    Ok(k.id)
}

async fn reverse_in(tx: &mut store::AnyConn, actor: &Actor, row: &Entry) -> AppResult<LedgerId> {
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

// ---------------------------------------------------------------------------------------------
// Spending

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

// ---------------------------------------------------------------------------------------------
// Bank statements

/// One statement line as the import sees it.
#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    pub line: usize,
    pub date: NaiveDate,
    pub amount: i64,
    pub purpose: String,
    pub payer: String,
    /// The pledge it pays, when its purpose names one of the campaign's references.
    pub reference: Option<String>,
    /// matched (to record), recorded (now), already (imported before), paid (the pledge was
    /// marked paid by hand), unmatched (no reference of this campaign)
    pub outcome: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatementReport {
    pub applied: bool,
    pub rows: Vec<StatementRow>,
    /// Lines that could not be read: (line, why as a message key).
    pub unread: Vec<(usize, String)>,
    pub recorded: usize,
}

/// Reads a bank statement and matches its incoming lines to the campaign's pledges by their
/// reference. `apply = false` only shows what would happen (the preview); `apply = true`
/// records each match once (a line's fingerprint is kept: importing again records nothing twice).
pub async fn import_statement(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    bytes: &[u8],
    apply: bool,
) -> AppResult<StatementReport> {
    let k = managed(store, actor, id).await?;
    if bytes.is_empty() {
        return Err(invalid("statement", "err-required"));
    }
    let st = documents::statement::read(bytes).map_err(|r| {
        use documents::statement::Refusal;
        let key = match r {
            Refusal::TooLarge | Refusal::TooManyLines | Refusal::FieldTooLong(_) => {
                "err-crowd-statement-too-big"
            }
            Refusal::NoHeader => "err-crowd-statement-header",
            Refusal::NotCsv => "err-crowd-statement-type",
        };
        invalid("statement", key)
    })?;
    let mut report = StatementReport {
        applied: apply,
        ..Default::default()
    };
    for u in &st.unread {
        use documents::statement::Problem;
        let key = match u.problem {
            Problem::BadDate(_) => "err-crowd-line-date",
            Problem::BadAmount(_) => "err-crowd-line-amount",
            Problem::Short => "err-crowd-line-short",
        };
        report.unread.push((u.line, key.into()));
    }
    let mut tx = store.begin().await?;
    let pledges = cf::pledges(&mut tx, id).await?;
    for line in &st.lines {
        let hit = pledges.iter().find(|p| line.mentions(&p.reference));
        let mut outcome = match hit {
            None => "unmatched",
            Some(_) if cf::fingerprint_seen(&mut tx, &line.fingerprint).await? => "already",
            Some(p) if p.status != PledgeStatus::Promised => "paid",
            Some(_) => "matched",
        };
        if apply
            && outcome == "matched"
            && let Some(p) = hit
        {
            record_paid(
                &mut tx,
                actor,
                p,
                line.amount,
                line.date,
                Some(&line.fingerprint),
            )
            .await?;
            report.recorded += 1;
            outcome = "recorded";
        }
        report.rows.push(StatementRow {
            line: line.line,
            date: line.date,
            amount: line.amount,
            purpose: line.purpose.clone(),
            payer: line.payer.clone(),
            reference: hit.map(|p| p.reference.clone()),
            outcome: outcome.into(),
        });
    }
    if apply {
        let e = entry(actor, "campaign.statement", "campaign", id, k.lab_id);
        commit_with(
            tx,
            e,
            format!("lines {} recorded {}", st.lines.len(), report.recorded),
        )
        .await?;
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// The share image

/// A public campaign's share picture as SVG, in `lang`: the campaign and its lab only, not the
/// whole page's reads.
pub async fn share_picture(store: &Store, id: CampaignId, lang: Lang) -> AppResult<String> {
    let (k, _) = campaign_for(store, &Actor::anonymous(), id).await?;
    let lab = match k.lab_id {
        Some(l) => store::labs::lab(&mut *store.conn().await?, l).await?,
        None => None,
    };
    Ok(share_svg(&k, lang, lab.as_ref()))
}

/// The picture a link preview shows: the title, the progress bar, raised of goal, drawn as SVG
/// in the font [`documents::share::png`] embeds (the networks get it as PNG).
pub fn share_svg(k: &Campaign, lang: Lang, lab: Option<&Lab>) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let pct = rules::percent(k.raised, k.goal);
    let w = (1000 * pct.min(100) / 100) as i64;
    let f = documents::share::FAMILY;
    // Two lines of the title at most, each within the picture's width.
    let title: String = documents::share::lines(k.title(lang.code()), 30, 2)
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                r##"<text x="100" y="{y}" font-family="{f}" font-size="54" font-weight="bold" fill="#222222">{l}</text>"##,
                y = 230 + 66 * i,
                l = esc(l),
            )
        })
        .collect();
    let lab = lab
        .map(|l| l.name(lang.code()).to_string())
        .unwrap_or_else(|| lang.t("crowd-network"));
    // The bar is clipped to its rounded track, so a small share is a sliver, not a blob.
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630" role="img"><title>{t}</title><defs><clipPath id="track"><rect x="100" y="380" width="1000" height="48" rx="24"/></clipPath></defs><rect width="1200" height="630" fill="#FFF8F0"/><text x="100" y="140" font-family="{f}" font-size="32" fill="#555555">{lab}</text>{title}<rect x="100" y="380" width="1000" height="48" rx="24" fill="#EEEEEE"/><rect x="100" y="380" width="{w}" height="48" fill="#0072B2" clip-path="url(#track)"/><text x="100" y="510" font-family="{f}" font-size="44" fill="#222222">{raised} / {goal} {som} · {pct}%</text></svg>"##,
        t = esc(k.title(lang.code())),
        lab = esc(&lab),
        raised = Money(k.raised).som_display(),
        goal = Money(k.goal).som_display(),
        som = esc(&lang.t("crowd-som")),
    )
}

/// What crowdfunding raised and paid for, and the makers' sales in the last twelve months, for
/// the public impact page. The sales are withheld (None) when fewer than five women sold: the
/// same small-cell rule as the indicators.
#[derive(Debug, Clone, Default)]
pub struct PublicCrowd {
    pub campaigns: i64,
    pub raised: i64,
    pub spent: i64,
    pub backers: i64,
    pub sellers: Option<i64>,
    pub sales: Option<i64>,
}

pub async fn public_totals(store: &Store, lab: Option<LabId>) -> AppResult<PublicCrowd> {
    let mut c = store.conn().await?;
    let (campaigns, raised, spent, backers) = cf::network_totals(&mut c, lab).await?;
    let to = domain::time::today();
    let from = to - chrono::Days::new(365);
    let (women, total) = store::showcase::sales_totals(&mut c, lab, from, to).await?;
    let shown = women >= 5;
    Ok(PublicCrowd {
        campaigns,
        raised,
        spent,
        backers,
        sellers: shown.then_some(women),
        sales: shown.then_some(total),
    })
}
