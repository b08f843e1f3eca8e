//! Crowdfunding: campaigns, their photos and receipts, budget lines, reward tiers, updates,
//! pledges and the public ledger.
//!
//! Two rules hold whatever runs at the same time:
//! - **A reward is never oversold.** [`create_pledge`] reserves the tier with one guarded
//!   `UPDATE … SET reserved = reserved + 1 WHERE reserved < quantity`: PostgreSQL queues the
//!   second writer on the row and checks the condition again; SQLite transactions begin
//!   IMMEDIATE. No row changed means sold out, and nothing is written.
//! - **The ledger balances.** Rows are only ever added (triggers refuse UPDATE and DELETE); a
//!   correction is a row of the same direction with the opposite amount naming the one it
//!   reverses (one reversal per row, a unique index). The balance is Σ in − Σ out, read by
//!   [`totals`]; [`ledger_problems`] checks the reversals mirror their rows.
//!
//! The same form submitted twice is one pledge (its idempotency key is unique), and the same
//! statement line imported twice is one payment (its fingerprint is unique).
use crate::row::{FromRow, all, changed, from_row, int, many, one, text};
use crate::{Result, StoreError, now};
use chrono::{DateTime, NaiveDate, Utc};
use domain::crowdfunding::{CampaignMode, CampaignStatus, Direction, PledgeStatus, SpendCategory};
use domain::{
    AwardId, CampaignId, CampaignPhotoId, EventId, GrantCallId, LabId, LedgerId, PledgeId, TierId,
    UserId,
};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

fn code<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s = text(r, col)?;
    parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: {s}")))
}

fn id<T: std::str::FromStr>(r: &AnyRow, col: &str) -> Result<T> {
    crate::row::get(r, col)
}

fn opt_id<T: std::str::FromStr>(r: &AnyRow, col: &str) -> Result<Option<T>> {
    crate::row::opt(r, col)
}

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub lab_id: Option<LabId>,
    pub title_ky: String,
    pub title_ru: String,
    pub title_en: String,
    pub story_ky: String,
    pub story_ru: String,
    pub story_en: String,
    pub goal: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub mode: CampaignMode,
    pub status: CampaignStatus,
    pub payment_details: String,
    pub created_at: DateTime<Utc>,
    /// Σ of money in (pledges paid, less refunds), tyiyn.
    pub raised: i64,
    /// Σ of money out (spending, less reversals), tyiyn.
    pub spent: i64,
    /// Paid pledges, not refunded.
    pub backers: i64,
    /// Promised pledges not yet paid, tyiyn.
    pub promised: i64,
}

impl Campaign {
    pub fn title(&self, lang: &str) -> &str {
        match lang {
            "ky" if !self.title_ky.is_empty() => &self.title_ky,
            "ru" if !self.title_ru.is_empty() => &self.title_ru,
            _ if !self.title_en.is_empty() => &self.title_en,
            _ => &self.title_ru,
        }
    }
    pub fn story(&self, lang: &str) -> &str {
        match lang {
            "ky" if !self.story_ky.is_empty() => &self.story_ky,
            "ru" if !self.story_ru.is_empty() => &self.story_ru,
            _ if !self.story_en.is_empty() => &self.story_en,
            _ => &self.story_ru,
        }
    }
    pub fn balance(&self) -> i64 {
        self.raised - self.spent
    }
}

const CAMPAIGN_SQL: &str = "SELECT k.id, k.lab_id, k.title_ky, k.title_ru, k.title_en, k.story_ky, k.story_ru, k.story_en,
    k.goal, k.starts_on, k.ends_on, k.mode, k.status, k.payment_details, k.created_at,
    (SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM campaign_ledger l WHERE l.campaign_id = k.id AND l.direction = 'in') AS raised,
    (SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM campaign_ledger l WHERE l.campaign_id = k.id AND l.direction = 'out') AS spent,
    (SELECT COUNT(*) FROM pledges p WHERE p.campaign_id = k.id AND p.status = 'paid') AS backers,
    (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM pledges p WHERE p.campaign_id = k.id AND p.status = 'promised') AS promised
  FROM campaigns k";

from_row! {
    Campaign |r| id, lab_id, title_ky, title_ru, title_en, story_ky, story_ru, story_en, goal,
    starts_on, ends_on, mode: code(r, "mode", CampaignMode::parse)?,
    status: code(r, "status", CampaignStatus::parse)?, payment_details, created_at, raised, spent,
    backers, promised
}

#[derive(Debug, Clone, Default)]
pub struct NewCampaign {
    pub lab_id: Option<LabId>,
    pub titles: [String; 3],
    pub stories: [String; 3],
    pub goal: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub mode: Option<CampaignMode>,
    pub payment_details: String,
    pub created_by: Option<UserId>,
}

pub async fn create_campaign(c: &mut AnyConnection, n: &NewCampaign) -> Result<CampaignId> {
    let id = CampaignId::new();
    let t = now();
    sqlx::query(
        "INSERT INTO campaigns (id, lab_id, title_ky, title_ru, title_en, story_ky, story_ru, story_en, goal,
            starts_on, ends_on, mode, status, payment_details, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $13, $14, $15, $15)",
    )
    .bind(id.to_string())
    .bind(n.lab_id.map(|l| l.to_string()))
    .bind(&n.titles[0])
    .bind(&n.titles[1])
    .bind(&n.titles[2])
    .bind(&n.stories[0])
    .bind(&n.stories[1])
    .bind(&n.stories[2])
    .bind(n.goal)
    .bind(n.starts_on.to_string())
    .bind(n.ends_on.to_string())
    .bind(n.mode.unwrap_or(CampaignMode::Keep).code())
    .bind(&n.payment_details)
    .bind(n.created_by.map(|u| u.to_string()))
    .bind(t)
    .execute(c)
    .await?;
    Ok(id)
}

/// Moves the campaign from `from` to `to`; false when it is no longer at `from`.
pub async fn set_status(
    c: &mut AnyConnection,
    id: CampaignId,
    from: CampaignStatus,
    to: CampaignStatus,
) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE campaigns SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4",
    )
    .bind(id.to_string())
    .bind(to.code())
    .bind(now())
    .bind(from.code());
    changed(c, q).await
}

/// Whether anyone has pledged to the campaign (whatever became of the pledge).
pub async fn has_pledges(c: &mut AnyConnection, id: CampaignId) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pledges WHERE campaign_id = $1")
        .bind(id.to_string())
        .fetch_one(c)
        .await?;
    Ok(n > 0)
}

pub async fn get_campaign(c: &mut AnyConnection, id: CampaignId) -> Result<Option<Campaign>> {
    one(c, format!("{CAMPAIGN_SQL} WHERE k.id = $1"), id).await
}

/// Every campaign, newest first (the service decides which a caller sees).
pub async fn campaigns(c: &mut AnyConnection) -> Result<Vec<Campaign>> {
    all(
        c,
        crate::dynamic(format!("{CAMPAIGN_SQL} ORDER BY k.starts_on DESC, k.id")),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Files: story photos and receipts

#[derive(Debug, Clone, Serialize)]
pub struct FileMeta {
    pub id: CampaignPhotoId,
    pub campaign_id: CampaignId,
    pub kind: String,
    pub content_type: String,
    pub size: i64,
}

from_row! { FileMeta |r| id, campaign_id, kind, content_type, size }

pub async fn add_file(
    c: &mut AnyConnection,
    campaign: CampaignId,
    kind: &str,
    content_type: &str,
    bytes: &[u8],
    by: Option<UserId>,
) -> Result<CampaignPhotoId> {
    let id = CampaignPhotoId::new();
    sqlx::query(
        "INSERT INTO campaign_files (id, campaign_id, kind, content_type, size, bytes, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(campaign.to_string())
    .bind(kind)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(bytes.to_vec())
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn files(
    c: &mut AnyConnection,
    campaign: CampaignId,
    kind: &str,
) -> Result<Vec<FileMeta>> {
    all(
        c,
        sqlx::query(
            "SELECT id, campaign_id, kind, content_type, size FROM campaign_files
             WHERE campaign_id = $1 AND kind = $2 ORDER BY created_at, id",
        )
        .bind(campaign.to_string())
        .bind(kind.to_string()),
    )
    .await
}

pub async fn file(
    c: &mut AnyConnection,
    id: CampaignPhotoId,
) -> Result<Option<(FileMeta, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT id, campaign_id, kind, content_type, size, bytes FROM campaign_files WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        use sqlx::Row;
        Ok((FileMeta::from_row(&r)?, r.try_get::<Vec<u8>, _>("bytes")?))
    })
    .transpose()
}

// ---------------------------------------------------------------------------------------------
// Budget lines, tiers, updates

#[derive(Debug, Clone, Serialize)]
pub struct BudgetLine {
    pub id: String,
    pub category: SpendCategory,
    pub label: String,
    pub amount: i64,
    pub event_id: Option<EventId>,
    pub event_title: Option<String>,
    pub call_id: Option<GrantCallId>,
    pub call_title: Option<String>,
}

from_row! {
    BudgetLine |r| id, category: code(r, "category", SpendCategory::parse)?, label, amount,
    event_id: opt_id(r, "event_id")?, event_title = "event_title",
    call_id: opt_id(r, "call_id")?, call_title = "call_title"
}

pub struct NewLine<'a> {
    pub category: SpendCategory,
    pub label: &'a str,
    pub amount: i64,
    pub event: Option<EventId>,
    pub call: Option<GrantCallId>,
}

pub async fn add_line(c: &mut AnyConnection, campaign: CampaignId, l: &NewLine<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO campaign_budget_lines (id, campaign_id, category, label, amount, event_id, call_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(campaign.to_string())
    .bind(l.category.code())
    .bind(l.label)
    .bind(l.amount)
    .bind(l.event.map(|x| x.to_string()))
    .bind(l.call.map(|x| x.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn lines(c: &mut AnyConnection, campaign: CampaignId) -> Result<Vec<BudgetLine>> {
    many(
        c,
        "SELECT b.id, b.category, b.label, b.amount, b.event_id, e.title AS event_title, b.call_id, g.title AS call_title
         FROM campaign_budget_lines b LEFT JOIN events e ON e.id = b.event_id LEFT JOIN grant_calls g ON g.id = b.call_id
         WHERE b.campaign_id = $1 ORDER BY b.created_at, b.id",
        campaign,
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Tier {
    pub id: TierId,
    pub campaign_id: CampaignId,
    pub title: String,
    pub description: String,
    pub min_amount: i64,
    pub quantity: Option<i64>,
    pub reserved: i64,
    /// The showcase product it is (a maker's work), as a label.
    pub product: String,
    /// The maker's showcase product it is, whose sale a paid pledge credits.
    pub product_id: Option<String>,
}

impl Tier {
    /// How many are left; `None` when unlimited.
    pub fn left(&self) -> Option<i64> {
        self.quantity.map(|q| (q - self.reserved).max(0))
    }
    pub fn sold_out(&self) -> bool {
        self.left() == Some(0)
    }
}

from_row! { Tier |r| id, campaign_id, title, description, min_amount, quantity, reserved, product, product_id }

const TIER_SQL: &str = "SELECT id, campaign_id, title, description, min_amount, quantity, reserved, product, product_id FROM campaign_tiers";

pub struct NewTier<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub min_amount: i64,
    pub quantity: Option<i64>,
    pub product: &'a str,
    pub product_id: Option<&'a str>,
}

pub async fn add_tier(
    c: &mut AnyConnection,
    campaign: CampaignId,
    t: &NewTier<'_>,
) -> Result<TierId> {
    let id = TierId::new();
    sqlx::query(
        "INSERT INTO campaign_tiers (id, campaign_id, title, description, min_amount, quantity, reserved, product, created_at, product_id)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(campaign.to_string())
    .bind(t.title)
    .bind(t.description)
    .bind(t.min_amount)
    .bind(t.quantity)
    .bind(t.product)
    .bind(now())
    .bind(t.product_id)
    .execute(c)
    .await?;
    Ok(id)
}

/// The lab of a showcase product's maker, and her product's title; `None` for no such product.
pub async fn product_lab(c: &mut AnyConnection, product: &str) -> Result<Option<(LabId, String)>> {
    let r = sqlx::query(
        "SELECT m.lab_id, p.title FROM maker_products p JOIN maker_profiles m ON m.person_id = p.person_id
         WHERE p.id = $1",
    )
    .bind(product)
    .fetch_optional(c)
    .await?;
    r.map(|r| {
        Ok((
            crate::row::get(&r, "lab_id")?,
            crate::row::text(&r, "title")?,
        ))
    })
    .transpose()
}

/// A paid pledge whose tier is a maker's product credits her venture's sale (channel campaign
/// reward, the tier's amount, on the day paid). Once: a pledge has at most one sale, so marking or
/// importing again records nothing. Answers whether a sale was recorded.
pub async fn credit_reward_sale(
    c: &mut AnyConnection,
    pledge: PledgeId,
    on: NaiveDate,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO venture_sales (id, venture_id, sold_on, amount, channel, note, recorded_at, pledge_id)
         SELECT $1, m.venture_id, $2, t.min_amount, 'campaign-reward', p.reference, $3, p.id
         FROM pledges p JOIN campaign_tiers t ON t.id = p.tier_id
         JOIN maker_products pr ON pr.id = t.product_id
         JOIN maker_profiles m ON m.person_id = pr.person_id
         WHERE p.id = $4 AND m.venture_id IS NOT NULL
         ON CONFLICT (pledge_id) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(on.to_string())
    .bind(now())
    .bind(pledge.to_string())
    .execute(c)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn tiers(c: &mut AnyConnection, campaign: CampaignId) -> Result<Vec<Tier>> {
    many(
        c,
        format!("{TIER_SQL} WHERE campaign_id = $1 ORDER BY min_amount, created_at, id"),
        campaign,
    )
    .await
}

pub async fn get_tier(c: &mut AnyConnection, id: TierId) -> Result<Option<Tier>> {
    one(c, format!("{TIER_SQL} WHERE id = $1"), id).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Update {
    pub id: String,
    pub title: String,
    pub body: String,
    pub posted_at: DateTime<Utc>,
}

from_row! { Update |r| id, title, body, posted_at }

pub async fn add_update(
    c: &mut AnyConnection,
    campaign: CampaignId,
    title: &str,
    body: &str,
    by: Option<UserId>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO campaign_updates (id, campaign_id, title, body, posted_by, posted_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(campaign.to_string())
    .bind(title)
    .bind(body)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn updates(c: &mut AnyConnection, campaign: CampaignId) -> Result<Vec<Update>> {
    many(
        c,
        "SELECT id, title, body, posted_at FROM campaign_updates WHERE campaign_id = $1 ORDER BY posted_at DESC, id DESC",
        campaign,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Pledges

#[derive(Debug, Clone, Serialize)]
pub struct Pledge {
    pub id: PledgeId,
    pub campaign_id: CampaignId,
    pub tier_id: Option<TierId>,
    pub tier_title: Option<String>,
    pub reference: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub amount: i64,
    pub message: String,
    pub show_name: bool,
    pub status: PledgeStatus,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub lang: String,
}

from_row! {
    Pledge |r| id, campaign_id, tier_id: opt_id(r, "tier_id")?, tier_title = "tier_title", reference,
    name, email, phone, amount, message, show_name, status: code(r, "status", PledgeStatus::parse)?,
    fulfilled_at, created_at, paid_at, lang
}

const PLEDGE_SQL: &str =
    "SELECT p.id, p.campaign_id, p.tier_id, t.title AS tier_title, p.reference, p.name, p.email,
    p.phone, p.amount, p.message, p.show_name, p.status, p.fulfilled_at, p.created_at, p.paid_at, p.lang
  FROM pledges p LEFT JOIN campaign_tiers t ON t.id = p.tier_id";

#[derive(Debug, Clone)]
pub struct NewPledge<'a> {
    pub campaign: CampaignId,
    pub tier: Option<TierId>,
    pub reference: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub amount: i64,
    pub message: &'a str,
    pub show_name: bool,
    pub idempotency_key: &'a str,
    /// The language of the page she pledged on (`ky`, `ru`, `en`).
    pub lang: &'a str,
}

/// What a pledge form came to: a new pledge, or the one the same form made before.
#[derive(Debug, Clone)]
pub enum Pledged {
    New(PledgeId),
    Again(PledgeId),
}

impl Pledged {
    pub fn id(&self) -> PledgeId {
        match self {
            Pledged::New(p) | Pledged::Again(p) => *p,
        }
    }
}

/// Records a promise, reserving its tier first (see the module doc). Refusals:
/// `Conflict("campaign_tiers.sold_out")`, `Conflict("pledges.reference")` (draw another),
/// `Conflict("pledges.idempotency")` when the same form won a race meanwhile.
pub async fn create_pledge(c: &mut AnyConnection, p: &NewPledge<'_>) -> Result<Pledged> {
    if let Some(id) = pledge_by_key(c, p.idempotency_key).await? {
        return Ok(Pledged::Again(id));
    }
    if let Some(tier) = p.tier {
        let reserved = changed(
            c,
            sqlx::query(
                "UPDATE campaign_tiers SET reserved = reserved + 1
                 WHERE id = $1 AND campaign_id = $2 AND (quantity IS NULL OR reserved < quantity)",
            )
            .bind(tier.to_string())
            .bind(p.campaign.to_string()),
        )
        .await?;
        if !reserved {
            return Err(StoreError::Conflict("campaign_tiers.sold_out"));
        }
    }
    let id = PledgeId::new();
    sqlx::query(
        "INSERT INTO pledges (id, campaign_id, tier_id, reference, name, email, phone, amount, message, show_name,
            status, idempotency_key, created_at, lang)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'promised', $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(p.campaign.to_string())
    .bind(p.tier.map(|t| t.to_string()))
    .bind(p.reference)
    .bind(p.name)
    .bind(p.email)
    .bind(p.phone)
    .bind(p.amount)
    .bind(p.message)
    .bind(p.show_name as i64)
    .bind(p.idempotency_key)
    .bind(now())
    .bind(p.lang)
    .execute(&mut *c)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            if db.message().contains("reference") {
                StoreError::Conflict("pledges.reference")
            } else {
                StoreError::Conflict("pledges.idempotency")
            }
        }
        _ => e.into(),
    })?;
    Ok(Pledged::New(id))
}

pub async fn pledge_by_key(c: &mut AnyConnection, key: &str) -> Result<Option<PledgeId>> {
    let r = sqlx::query("SELECT id FROM pledges WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(c)
        .await?;
    r.map(|r| id(&r, "id")).transpose()
}

pub async fn get_pledge(c: &mut AnyConnection, id: PledgeId) -> Result<Option<Pledge>> {
    one(c, format!("{PLEDGE_SQL} WHERE p.id = $1"), id).await
}

pub async fn pledge_by_reference(c: &mut AnyConnection, reference: &str) -> Result<Option<Pledge>> {
    one(c, format!("{PLEDGE_SQL} WHERE p.reference = $1"), reference).await
}

/// A campaign's pledges, newest first.
pub async fn pledges(c: &mut AnyConnection, campaign: CampaignId) -> Result<Vec<Pledge>> {
    many(
        c,
        format!("{PLEDGE_SQL} WHERE p.campaign_id = $1 ORDER BY p.created_at DESC, p.id DESC"),
        campaign,
    )
    .await
}

/// The reward was handed over.
pub async fn fulfil(c: &mut AnyConnection, id: PledgeId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE pledges SET fulfilled_at = $2 WHERE id = $1 AND fulfilled_at IS NULL AND tier_id IS NOT NULL AND status = 'paid'",
    )
    .bind(id.to_string())
    .bind(now());
    changed(c, q).await
}

// ---------------------------------------------------------------------------------------------
// The ledger

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: LedgerId,
    pub campaign_id: CampaignId,
    pub direction: Direction,
    pub amount: i64,
    pub occurred_on: NaiveDate,
    pub category: SpendCategory,
    pub description: String,
    pub pledge_id: Option<PledgeId>,
    pub event_id: Option<EventId>,
    pub event_title: Option<String>,
    pub award_id: Option<AwardId>,
    pub receipt_id: Option<CampaignPhotoId>,
    pub reverses_id: Option<LedgerId>,
    /// Reversed by a later row.
    pub reversed: bool,
    pub recorded_at: DateTime<Utc>,
}

from_row! {
    Entry |r| id, campaign_id, direction: code(r, "direction", Direction::parse)?, amount,
    occurred_on, category: code(r, "category", SpendCategory::parse)?, description,
    pledge_id: opt_id(r, "pledge_id")?, event_id: opt_id(r, "event_id")?, event_title = "event_title",
    award_id: opt_id(r, "award_id")?, receipt_id: opt_id(r, "receipt_id")?,
    reverses_id: opt_id(r, "reverses_id")?, reversed, recorded_at
}

const ENTRY_SQL: &str = "SELECT l.id, l.campaign_id, l.direction, l.amount, l.occurred_on, l.category, l.description,
    l.pledge_id, l.event_id, e.title AS event_title, l.award_id, l.receipt_id, l.reverses_id,
    CAST(CASE WHEN EXISTS (SELECT 1 FROM campaign_ledger x WHERE x.reverses_id = l.id) THEN 1 ELSE 0 END AS BIGINT) AS reversed,
    l.recorded_at
  FROM campaign_ledger l LEFT JOIN events e ON e.id = l.event_id";

#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub campaign: CampaignId,
    pub direction: Direction,
    pub amount: i64,
    pub occurred_on: NaiveDate,
    pub category: SpendCategory,
    pub description: &'a str,
    pub pledge: Option<PledgeId>,
    pub event: Option<EventId>,
    pub award: Option<AwardId>,
    pub receipt: Option<CampaignPhotoId>,
    pub reverses: Option<LedgerId>,
    pub fingerprint: Option<&'a str>,
    pub idempotency_key: &'a str,
    pub recorded_by: Option<UserId>,
}

/// Adds a ledger row. Refusals: `Conflict("campaign_ledger.idempotency")` for the same form
/// twice, `Conflict("campaign_ledger.fingerprint")` for a statement line recorded already,
/// `Conflict("campaign_ledger.reversal")` for a second reversal of one row.
pub async fn insert_entry(c: &mut AnyConnection, e: &NewEntry<'_>) -> Result<LedgerId> {
    let id = LedgerId::new();
    sqlx::query(
        "INSERT INTO campaign_ledger (id, campaign_id, direction, amount, occurred_on, category, description, pledge_id,
            event_id, award_id, receipt_id, reverses_id, fingerprint, idempotency_key, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(id.to_string())
    .bind(e.campaign.to_string())
    .bind(e.direction.code())
    .bind(e.amount)
    .bind(e.occurred_on.to_string())
    .bind(e.category.code())
    .bind(e.description)
    .bind(e.pledge.map(|x| x.to_string()))
    .bind(e.event.map(|x| x.to_string()))
    .bind(e.award.map(|x| x.to_string()))
    .bind(e.receipt.map(|x| x.to_string()))
    .bind(e.reverses.map(|x| x.to_string()))
    .bind(e.fingerprint)
    .bind(e.idempotency_key)
    .bind(e.recorded_by.map(|u| u.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await
    .map_err(|err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let m = db.message();
            if m.contains("reverses") || m.contains("reversal") {
                StoreError::Conflict("campaign_ledger.reversal")
            } else if m.contains("fingerprint") {
                StoreError::Conflict("campaign_ledger.fingerprint")
            } else {
                StoreError::Conflict("campaign_ledger.idempotency")
            }
        }
        _ => err.into(),
    })?;
    Ok(id)
}

/// Whether a statement line (by its fingerprint) has been recorded already.
pub async fn fingerprint_seen(c: &mut AnyConnection, fingerprint: &str) -> Result<bool> {
    let r = sqlx::query("SELECT 1 AS x FROM campaign_ledger WHERE fingerprint = $1")
        .bind(fingerprint)
        .fetch_optional(c)
        .await?;
    Ok(r.is_some())
}

pub async fn get_entry(c: &mut AnyConnection, id: LedgerId) -> Result<Option<Entry>> {
    one(c, format!("{ENTRY_SQL} WHERE l.id = $1"), id).await
}

/// A campaign's ledger in the order things happened.
pub async fn ledger(c: &mut AnyConnection, campaign: CampaignId) -> Result<Vec<Entry>> {
    many(
        c,
        format!("{ENTRY_SQL} WHERE l.campaign_id = $1 ORDER BY l.occurred_on, l.recorded_at, l.id"),
        campaign,
    )
    .await
}

/// The paid row of a pledge (not a reversal), if any.
pub async fn entry_of_pledge(c: &mut AnyConnection, pledge: PledgeId) -> Result<Option<Entry>> {
    one(
        c,
        format!("{ENTRY_SQL} WHERE l.pledge_id = $1 AND l.reverses_id IS NULL"),
        pledge,
    )
    .await
}

/// Moves a promised pledge to paid (`false` when it was not promised).
pub async fn set_paid(c: &mut AnyConnection, id: PledgeId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE pledges SET status = 'paid', paid_at = $2 WHERE id = $1 AND status = 'promised'",
    )
    .bind(id.to_string())
    .bind(now());
    changed(c, q).await
}

/// Moves a paid pledge to refunded and gives its reward back (`false` when it was not paid).
pub async fn set_refunded(c: &mut AnyConnection, id: PledgeId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE pledges SET status = 'refunded', refunded_at = $2 WHERE id = $1 AND status = 'paid'",
    )
    .bind(id.to_string())
    .bind(now());
    if !changed(c, q).await? {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE campaign_tiers SET reserved = reserved - 1
         WHERE id = (SELECT tier_id FROM pledges WHERE id = $1) AND reserved > 0",
    )
    .bind(id.to_string())
    .execute(c)
    .await?;
    Ok(true)
}

/// Money in, money out and the balance of one campaign, from the ledger alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub money_in: i64,
    pub money_out: i64,
    pub balance: i64,
}

pub async fn totals(c: &mut AnyConnection, campaign: CampaignId) -> Result<Totals> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN direction = 'in' THEN amount ELSE 0 END), 0) AS BIGINT) AS i,
                CAST(COALESCE(SUM(CASE WHEN direction = 'out' THEN amount ELSE 0 END), 0) AS BIGINT) AS o
         FROM campaign_ledger WHERE campaign_id = $1",
    )
    .bind(campaign.to_string())
    .fetch_one(c)
    .await?;
    let (i, o) = (int(&r, "i")?, int(&r, "o")?);
    Ok(Totals {
        money_in: i,
        money_out: o,
        balance: i - o,
    })
}

/// What spending paid for, by category: (category, tyiyn), reversals netted.
pub async fn spent_by_category(
    c: &mut AnyConnection,
    campaign: CampaignId,
) -> Result<Vec<(SpendCategory, i64)>> {
    let rows = sqlx::query(
        "SELECT category, CAST(SUM(amount) AS BIGINT) AS total FROM campaign_ledger
         WHERE campaign_id = $1 AND direction = 'out' GROUP BY category ORDER BY category",
    )
    .bind(campaign.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((code(r, "category", SpendCategory::parse)?, int(r, "total")?)))
        .collect()
}

/// Reversals that do not mirror their row (amount, direction, campaign): empty when sound.
pub async fn ledger_problems(c: &mut AnyConnection) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT l.id FROM campaign_ledger l JOIN campaign_ledger o ON o.id = l.reverses_id
         WHERE l.amount <> -o.amount OR l.direction <> o.direction OR l.campaign_id <> o.campaign_id",
    )
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(format!(
                "ledger {}: reversal does not mirror its row",
                text(r, "id")?
            ))
        })
        .collect()
}

/// Events a budget line or a spending may name: the lab's (or, for a network campaign, any).
pub async fn event_choices(
    c: &mut AnyConnection,
    lab: Option<LabId>,
) -> Result<Vec<(EventId, String, NaiveDate)>> {
    let rows = sqlx::query(
        "SELECT id, title, starts_at FROM events WHERE ($1 = '' OR lab_id = $1) ORDER BY starts_at DESC LIMIT 200",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let at = crate::row::time(r, "starts_at")?;
            Ok((id(r, "id")?, text(r, "title")?, at.date_naive()))
        })
        .collect()
}

/// Showcase products a reward tier may be: (product id, "maker: title"), of the lab's makers
/// (any lab's for a network campaign), published profiles only.
pub async fn product_choices(
    c: &mut AnyConnection,
    lab: Option<LabId>,
) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT p.id, m.display_name, p.title FROM maker_products p
         JOIN maker_profiles m ON m.person_id = p.person_id
         WHERE m.published = 1 AND ($1 = '' OR m.lab_id = $1)
         ORDER BY m.display_name, p.title, p.id LIMIT 300",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                text(r, "id")?,
                format!("{}: {}", text(r, "display_name")?, text(r, "title")?),
            ))
        })
        .collect()
}

/// Grant calls a budget line may name (the lab's and the network's).
pub async fn call_choices(
    c: &mut AnyConnection,
    lab: Option<LabId>,
) -> Result<Vec<(GrantCallId, String)>> {
    let rows = sqlx::query(
        "SELECT id, title FROM grant_calls WHERE ($1 = '' OR lab_id = $1 OR lab_id IS NULL) ORDER BY opens_on DESC LIMIT 100",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| Ok((id(r, "id")?, text(r, "title")?)))
        .collect()
}

/// Whether an event belongs where a campaign may name it.
pub async fn event_lab(c: &mut AnyConnection, event: EventId) -> Result<Option<LabId>> {
    let r = sqlx::query("SELECT lab_id FROM events WHERE id = $1")
        .bind(event.to_string())
        .fetch_optional(c)
        .await?;
    r.map(|r| id(&r, "lab_id")).transpose()
}

/// Raised and spent over campaigns whose lab is `lab` (or every campaign), for the public
/// impact page: (campaigns, raised, spent, paid pledges).
pub async fn network_totals(
    c: &mut AnyConnection,
    lab: Option<LabId>,
) -> Result<(i64, i64, i64, i64)> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM campaigns k WHERE k.status <> 'draft' AND ($1 = '' OR k.lab_id = $1)) AS n,
           (SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM campaign_ledger l JOIN campaigns k ON k.id = l.campaign_id
             WHERE l.direction = 'in' AND k.status <> 'draft' AND ($1 = '' OR k.lab_id = $1)) AS i,
           (SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM campaign_ledger l JOIN campaigns k ON k.id = l.campaign_id
             WHERE l.direction = 'out' AND k.status <> 'draft' AND ($1 = '' OR k.lab_id = $1)) AS o,
           (SELECT COUNT(*) FROM pledges p JOIN campaigns k ON k.id = p.campaign_id
             WHERE p.status = 'paid' AND k.status <> 'draft' AND ($1 = '' OR k.lab_id = $1)) AS b",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_one(c)
    .await?;
    Ok((int(&r, "n")?, int(&r, "i")?, int(&r, "o")?, int(&r, "b")?))
}
