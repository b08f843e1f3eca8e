//! Crowdfunding in JSON: campaigns with their progress and tiers, the public ledger, and
//! pledges from the public (no account, rate limited, a repeated key is one pledge).
use super::errors::ErrorBody;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::services::crowdfunding::{self as svc, PledgeInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns))
        .routes(routes!(get_campaign))
        .routes(routes!(campaign_ledger))
        .routes(routes!(create_pledge))
}

fn path_id<T: std::str::FromStr>(s: &str) -> AppResult<T> {
    s.parse().map_err(|_| AppError::NotFound)
}

#[derive(Serialize, ToSchema)]
pub struct TierDto {
    pub id: uuid::Uuid,
    pub title: String,
    pub description: String,
    /// Tyiyn.
    pub min_amount: i64,
    /// Null: unlimited.
    pub quantity: Option<i64>,
    /// Null: unlimited.
    pub remaining: Option<i64>,
    pub product: String,
    /// The maker's showcase product it is (as in `/api/v1/showcase`), whose sale a paid pledge
    /// credits; null for none.
    pub product_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerTotalsDto {
    /// Tyiyn in (pledges paid, less refunds).
    pub money_in: i64,
    /// Tyiyn out (spending, less reversals).
    pub money_out: i64,
    /// money_in − money_out.
    pub balance: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDto {
    pub id: uuid::Uuid,
    /// The lab's slug; null for the network's campaign.
    pub lab: Option<String>,
    pub title: String,
    pub story: String,
    /// Tyiyn.
    pub goal: i64,
    /// Tyiyn.
    pub raised: i64,
    pub backers: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days_left: i64,
    /// keep or all-or-nothing
    pub mode: String,
    /// draft, open or closed
    pub status: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<TierDto>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerTotalsDto>,
}

fn campaign_dto(
    c: &Ctx,
    k: &store::crowdfunding::Campaign,
    lab: Option<&store::labs::Lab>,
) -> CampaignDto {
    CampaignDto {
        id: k.id.0,
        lab: lab.map(|l| l.slug.clone()),
        title: k.title(c.lang.code()).to_string(),
        story: k.story(c.lang.code()).to_string(),
        goal: k.goal,
        raised: k.raised,
        backers: k.backers,
        starts_on: k.starts_on,
        ends_on: k.ends_on,
        days_left: domain::crowdfunding::days_left(k.ends_on, domain::time::today()),
        mode: k.mode.code().into(),
        status: k.status.code().into(),
        url: format!("{}/campaigns/{}", c.base, k.id),
        tiers: None,
        ledger: None,
    }
}

/// Campaigns (public; drafts only for their managers).
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "crowdfunding",
    responses((status = 200, body = Vec<CampaignDto>)))]
async fn list_campaigns(c: Ctx, State(s): State<AppState>) -> AppResult<Json<Vec<CampaignDto>>> {
    let all = svc::list(&s.store, &c.actor).await?;
    Ok(Json(
        all.iter()
            .map(|(k, lab)| campaign_dto(&c, k, lab.as_ref()))
            .collect(),
    ))
}

/// One campaign: goal, raised, backers, tiers with what is left, ledger totals (public).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "crowdfunding",
    params(("id" = String, Path, description = "The campaign's id")),
    responses((status = 200, body = CampaignDto), (status = 404, body = ErrorBody)))]
async fn get_campaign(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<CampaignDto>> {
    let v = svc::view(&s.store, &c.actor, path_id(&id)?).await?;
    let mut dto = campaign_dto(&c, &v.k, v.lab.as_ref());
    dto.tiers = Some(
        v.tiers
            .iter()
            .map(|t| TierDto {
                id: t.id.0,
                title: t.title.clone(),
                description: t.description.clone(),
                min_amount: t.min_amount,
                quantity: t.quantity,
                remaining: t.left(),
                product: t.product.clone(),
                product_id: t.product_id.clone(),
            })
            .collect(),
    );
    dto.ledger = Some(LedgerTotalsDto {
        money_in: v.totals.money_in,
        money_out: v.totals.money_out,
        balance: v.totals.balance,
    });
    Ok(Json(dto))
}

#[derive(Serialize, ToSchema)]
pub struct LedgerRowDto {
    pub id: uuid::Uuid,
    /// in or out
    pub direction: String,
    /// Tyiyn; negative for a reversal.
    pub amount: i64,
    pub date: NaiveDate,
    /// events, grants, space, equipment, materials, other
    pub category: String,
    /// What it bought (spending); empty for money in.
    pub description: String,
    pub event_id: Option<uuid::Uuid>,
    pub award_id: Option<uuid::Uuid>,
    /// The receipt photo's address.
    pub receipt: Option<String>,
    /// The row this one reverses (a correction).
    pub reverses: Option<uuid::Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerDto {
    pub totals: LedgerTotalsDto,
    pub rows: Vec<LedgerRowDto>,
}

/// The campaign's ledger: every som in and out, with receipts (public).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/ledger", tag = "crowdfunding",
    params(("id" = String, Path, description = "The campaign's id")),
    responses((status = 200, body = LedgerDto), (status = 404, body = ErrorBody)))]
async fn campaign_ledger(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<LedgerDto>> {
    let v = svc::view(&s.store, &c.actor, path_id(&id)?).await?;
    let rows = v
        .ledger
        .iter()
        .map(|e| LedgerRowDto {
            id: e.id.0,
            direction: e.direction.code().into(),
            amount: e.amount,
            date: e.occurred_on,
            category: e.category.code().into(),
            // A pledge's row names its reference in the description: not public.
            description: if e.direction == domain::crowdfunding::Direction::In {
                String::new()
            } else {
                e.description.clone()
            },
            event_id: e.event_id.map(|x| x.0),
            award_id: e.award_id.map(|x| x.0),
            receipt: e
                .receipt_id
                .map(|r| format!("{}/campaign-files/{r}", c.base)),
            reverses: e.reverses_id.map(|x| x.0),
        })
        .collect();
    Ok(Json(LedgerDto {
        totals: LedgerTotalsDto {
            money_in: v.totals.money_in,
            money_out: v.totals.money_out,
            balance: v.totals.balance,
        },
        rows,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PledgeDto {
    pub id: uuid::Uuid,
    /// Write it in the payment's purpose: this is how the payment is matched.
    pub reference: String,
    /// Tyiyn.
    pub amount: i64,
    /// promised, paid or refunded
    pub status: String,
    pub tier_id: Option<uuid::Uuid>,
    /// How to pay: the campaign's bank account, cash at the lab, mobile wallet.
    pub payment_instructions: String,
    /// The page with the instructions.
    pub url: String,
    /// The same key was used before: this is that pledge.
    pub repeated: bool,
}

/// Pledge to a campaign (public, no account, rate limited). Body: `{"amount": "1500", "tier":
/// "<id>", "name": "...", "anonymous": "on", "email": "...", "phone": "...", "message": "...",
/// "show_name": "on", "key": "<idempotency key>"}`.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/pledges", tag = "crowdfunding", request_body = PledgeInput,
    params(("id" = String, Path, description = "The campaign's id")),
    responses((status = 201, body = PledgeDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_pledge(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    Json(input): Json<PledgeInput>,
) -> AppResult<(StatusCode, Json<PledgeDto>)> {
    let id = path_id(&id)?;
    s.limits.sign_up(c.ip)?;
    let r = svc::pledge(&s.store, &c.actor, id, &input, c.lang, &c.base).await?;
    let p = r.pledge;
    let instructions = format!(
        "{} {}\n{}",
        c.t("crowd-how-reference"),
        p.reference,
        r.campaign.payment_details
    );
    Ok((
        StatusCode::CREATED,
        Json(PledgeDto {
            id: p.id.0,
            url: format!(
                "{}/campaigns/{}/pledges/{}",
                c.base, r.campaign.id, p.reference
            ),
            reference: p.reference,
            amount: p.amount,
            status: p.status.code().into(),
            tier_id: p.tier_id.map(|t| t.0),
            payment_instructions: instructions,
            repeated: r.again,
        }),
    ))
}
