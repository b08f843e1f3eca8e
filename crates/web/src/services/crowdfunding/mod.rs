//! Crowdfunding: campaigns with their story, photos, budget lines, reward tiers and updates;
//! pledges without an account (a double submission is one pledge, a reward is never oversold);
//! payments marked by staff or matched from a bank statement (preview, idempotent, unmatched
//! lines listed); the public ledger (append-only, corrections are reversals).
//!
//! Who sees what: everyone sees a campaign that is not a draft, its ledger, its tiers and the
//! backers who agreed to be named. The campaign's managers (the lab's coordinators and the
//! admin; a network campaign: the admin) see drafts, the pledges with the backers' contacts, and
//! record money. Anyone else gets 404 for a draft.
use super::base::{commit_with, entry, invalid, limit};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
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

mod campaigns;
mod pledges;
mod public;
mod spending;
mod statements;
pub use campaigns::*;
pub use pledges::*;
pub use public::*;
pub use spending::*;
pub use statements::*;

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
    super::base::signed_in(actor)?;
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
