//! Crowdfunding pages: the campaigns, a campaign's public page (progress bar drawn here, tiers,
//! updates, named backers, the ledger and where each som went, the pledge form) with its
//! managers' forms (status, tiers, budget lines, updates, photos, pledges, spending, bank
//! statements), the payment instructions of a pledge, and the share image.
//!
//! Each handler reads its form into the service's input type, asks one service function, and
//! answers with a redirect and a flash, or the page again with 422 and the messages.
use crate::ctx::{Ctx, Path, RequestMeta, VerifiedForm, multipart_parts, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, respond};
use crate::services::crowdfunding::{
    self as svc, CampaignInput, CampaignView, LineInput, PledgeInput, SpendInput, StatementReport,
    TierInput, UpdateInput,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{CampaignId, CampaignPhotoId, LedgerId, PledgeId};
use serde::Deserialize;
use store::crowdfunding::{Campaign, Pledge};
use store::labs::Lab;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list))
        .route("/campaigns/new", get(new_form).post(create))
        .route("/campaigns/{id}", get(page))
        .route("/campaigns/{id}/share.svg", get(share))
        .route("/campaigns/{id}/share.png", get(share_png))
        .route("/campaigns/{id}/pledge", post(pledge))
        .route("/campaigns/{id}/pledges/{reference}", get(instructions))
        .route("/campaigns/{id}/status", post(status))
        .route("/campaigns/{id}/tiers", post(tier))
        .route("/campaigns/{id}/lines", post(line))
        .route("/campaigns/{id}/updates", post(update))
        .route("/pledges/{id}/paid", post(paid))
        .route("/pledges/{id}/refund", post(refund))
        .route("/pledges/{id}/fulfil", post(fulfil))
        .route("/campaign-ledger/{id}/reverse", post(reverse))
        .route("/campaign-files/{id}", get(file))
}

/// Photos, receipts and statements are multipart: a larger body limit; the services refuse a
/// photo past 2 MB and a statement past its bound with a message.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/photos", post(photo))
        .route("/campaigns/{id}/spend", post(spend))
        .route("/campaigns/{id}/statement", post(statement))
        .layer(DefaultBodyLimit::max(crate::pages::grants::UPLOAD_LIMIT))
}

fn to_campaign(id: CampaignId, flash: &str) -> Response {
    redirect_with_flash(&format!("/campaigns/{id}"), flash)
}

// ---------------------------------------------------------------------------------------------
// The list and the new campaign

#[derive(Template, WebTemplate)]
#[template(path = "crowd_campaigns.html")]
struct ListPage {
    c: Ctx,
    campaigns: Vec<(Campaign, Option<Lab>)>,
    may_create: bool,
}

impl ListPage {
    fn pct(&self, k: &Campaign) -> i64 {
        domain::crowdfunding::percent(k.raised, k.goal)
    }
}

async fn list(c: Ctx, State(s): State<AppState>) -> AppResult<ListPage> {
    let campaigns = svc::list(&s.store, &c.actor).await?;
    let (labs, network) = svc::campaign_labs(&c.actor);
    Ok(ListPage {
        may_create: network || !labs.is_empty(),
        c,
        campaigns,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "crowd_form.html")]
struct FormPage {
    c: Ctx,
    labs: Vec<Lab>,
    network: bool,
    f: CampaignInput,
    errors: Errors,
}

async fn form_page(c: Ctx, s: &AppState, f: CampaignInput, errors: Errors) -> AppResult<FormPage> {
    c.require_user()?;
    let (ids, network) = svc::campaign_labs(&c.actor);
    let all = crate::services::labs::all(&s.store).await?;
    let labs: Vec<Lab> = if c.actor.admin {
        all
    } else {
        all.into_iter().filter(|l| ids.contains(&l.id)).collect()
    };
    if labs.is_empty() && !network {
        return Err(AppError::NotFound);
    }
    Ok(FormPage {
        c,
        labs,
        network,
        f,
        errors,
    })
}

async fn new_form(c: Ctx, State(s): State<AppState>) -> AppResult<FormPage> {
    let f = CampaignInput {
        mode: "keep".into(),
        ..Default::default()
    };
    form_page(c, &s, f, Errors::default()).await
}

async fn create(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<CampaignInput>,
) -> AppResult<Response> {
    let result = svc::create(&s.store, &c.actor, &f).await;
    respond(
        result,
        |id| to_campaign(id, "flash-saved"),
        async |errors| form_page(c, &s, f, errors).await,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// A campaign's page

/// What was typed in one of the page's forms, shown again beside its messages.
#[derive(Default)]
struct Typed {
    pledge: PledgeInput,
    tier: TierInput,
    line: LineInput,
    update: UpdateInput,
    spend: SpendInput,
}

#[derive(Template, WebTemplate)]
#[template(path = "crowd_campaign.html")]
struct CampaignPage {
    c: Ctx,
    v: CampaignView,
    t: Typed,
    errors: Errors,
    report: Option<StatementReport>,
    /// Fresh tokens for the pledge and spending forms (a double submission is one record).
    key: String,
    chart: String,
    og_image: String,
    og_url: String,
}

impl CampaignPage {
    fn title(&self) -> String {
        self.v.k.title(self.c.code()).to_string()
    }
    fn story(&self) -> String {
        self.v.k.story(self.c.code()).to_string()
    }
    fn description(&self) -> String {
        let s: String = self.story().chars().take(200).collect();
        s.replace('\n', " ")
    }
    fn lab_label(&self) -> String {
        match &self.v.lab {
            Some(l) => self.c.lab_name(l),
            None => self.c.t("crowd-network"),
        }
    }
    /// What all-or-nothing means for this campaign now: the promise while it is open, the
    /// refunds once it closed below its goal.
    fn aon_note(&self) -> Option<String> {
        use domain::crowdfunding::{CampaignMode, CampaignStatus};
        let k = &self.v.k;
        if k.mode != CampaignMode::AllOrNothing {
            return None;
        }
        match k.status {
            CampaignStatus::Closed if !k.mode.funded(k.raised, k.goal) => {
                Some(self.c.t("crowd-aon-failed"))
            }
            CampaignStatus::Closed => None,
            _ => Some(self.c.lang.t_args(
                "crowd-aon-note",
                &[
                    ("goal", self.c.money(k.goal).into()),
                    ("date", self.c.date(k.ends_on).into()),
                ],
            )),
        }
    }
    fn bar(&self) -> i64 {
        self.v.percent().min(100)
    }
    fn amount_in(&self, e: &store::crowdfunding::Entry) -> bool {
        e.direction == domain::crowdfunding::Direction::In
    }
}

async fn campaign_page(
    c: Ctx,
    s: &AppState,
    id: CampaignId,
    t: Typed,
    errors: Errors,
    report: Option<StatementReport>,
) -> AppResult<CampaignPage> {
    let v = svc::view(&s.store, &c.actor, id).await?;
    let items: Vec<documents::charts::Progress> = v
        .by_category
        .iter()
        .filter(|(_, t)| *t != 0)
        .map(|(cat, t)| documents::charts::Progress {
            label: c.tv("crowd-category", cat.code()),
            value: Some(t / 100),
            target: None,
        })
        .collect();
    let chart = if items.is_empty() {
        String::new()
    } else {
        documents::charts::progress_bars(&c.t("crowd-where-title"), &items, "")
    };
    Ok(CampaignPage {
        og_image: format!("{}/campaigns/{id}/share.png", c.base),
        og_url: format!("{}/campaigns/{id}", c.base),
        key: crate::secrets::random_token(16),
        chart,
        c,
        v,
        t,
        errors,
        report,
    })
}

async fn page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
) -> AppResult<CampaignPage> {
    campaign_page(c, &s, id, Typed::default(), Errors::default(), None).await
}

async fn share(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
) -> AppResult<Response> {
    let svg = svc::share_picture(&s.store, id, c.lang).await?;
    Ok(picture("image/svg+xml", svg.into_bytes()))
}

/// The link preview as PNG: what Telegram, WhatsApp and Facebook show (they do not take SVG).
async fn share_png(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
) -> AppResult<Response> {
    let png = svc::share_png(&s.store, id, c.lang).await?;
    Ok(picture("image/png", png.to_vec()))
}

fn picture(content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=600"),
        ],
        body,
    )
        .into_response()
}

/// A form on the campaign's page answered: done → back with a flash; invalid → the page again.
async fn on_page<T>(
    c: Ctx,
    s: &AppState,
    id: CampaignId,
    result: AppResult<T>,
    t: Typed,
    done: impl FnOnce(T) -> Response,
) -> AppResult<Response> {
    let result = result.map_err(|e| match e {
        AppError::Conflict(k) => AppError::Invalid(vec![("form".into(), k.into())]),
        other => other,
    });
    respond(result, done, async |errors| {
        campaign_page(c, s, id, t, errors, None).await
    })
    .await
}

async fn pledge(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    VerifiedForm(f): VerifiedForm<PledgeInput>,
) -> AppResult<Response> {
    s.limits.sign_up(c.ip)?;
    let result = svc::pledge(&s.store, &c.actor, id, &f, c.lang, &c.base).await;
    let t = Typed {
        pledge: f,
        ..Default::default()
    };
    on_page(c, &s, id, result, t, |p| {
        redirect_with_flash(
            &format!("/campaigns/{id}/pledges/{}", p.pledge.reference),
            "flash-crowd-pledged",
        )
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "crowd_pledge.html")]
struct InstructionsPage {
    c: Ctx,
    p: Pledge,
    k: Campaign,
}

async fn instructions(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, reference)): Path<(CampaignId, String)>,
) -> AppResult<InstructionsPage> {
    let (p, k) = svc::by_reference(&s.store, &c.actor, id, &reference).await?;
    Ok(InstructionsPage { c, p, k })
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
}

async fn status(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    VerifiedForm(f): VerifiedForm<StatusForm>,
) -> AppResult<Response> {
    let result = svc::set_status(&s.store, &c.actor, id, &f.status).await;
    on_page(c, &s, id, result, Typed::default(), |_| {
        to_campaign(id, "flash-saved")
    })
    .await
}

async fn tier(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    VerifiedForm(f): VerifiedForm<TierInput>,
) -> AppResult<Response> {
    let result = svc::add_tier(&s.store, &c.actor, id, &f).await;
    let t = Typed {
        tier: f,
        ..Default::default()
    };
    on_page(c, &s, id, result, t, |_| to_campaign(id, "flash-saved")).await
}

async fn line(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    VerifiedForm(f): VerifiedForm<LineInput>,
) -> AppResult<Response> {
    let result = svc::add_line(&s.store, &c.actor, id, &f).await;
    let t = Typed {
        line: f,
        ..Default::default()
    };
    on_page(c, &s, id, result, t, |_| to_campaign(id, "flash-saved")).await
}

async fn update(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    VerifiedForm(f): VerifiedForm<UpdateInput>,
) -> AppResult<Response> {
    let result = svc::post_update(&s.store, &c.actor, id, &f).await;
    let t = Typed {
        update: f,
        ..Default::default()
    };
    on_page(c, &s, id, result, t, |_| to_campaign(id, "flash-saved")).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PaidForm {
    paid_on: String,
}

async fn paid(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PledgeId>,
    VerifiedForm(f): VerifiedForm<PaidForm>,
) -> AppResult<Response> {
    let input = svc::PaidInput { paid_on: f.paid_on };
    let k = svc::mark_paid(&s.store, &c.actor, id, &input).await?;
    Ok(to_campaign(k, "flash-crowd-paid"))
}

async fn refund(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PledgeId>,
    _b: crate::ctx::VerifiedBody,
) -> AppResult<Response> {
    let k = svc::refund(&s.store, &c.actor, id).await?;
    Ok(to_campaign(k, "flash-saved"))
}

async fn fulfil(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PledgeId>,
    _b: crate::ctx::VerifiedBody,
) -> AppResult<Response> {
    let k = svc::fulfil(&s.store, &c.actor, id).await?;
    Ok(to_campaign(k, "flash-saved"))
}

async fn reverse(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<LedgerId>,
    _b: crate::ctx::VerifiedBody,
) -> AppResult<Response> {
    let k = svc::reverse(&s.store, &c.actor, id).await?;
    Ok(to_campaign(k, "flash-saved"))
}

async fn file(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignPhotoId>,
) -> AppResult<Response> {
    let (meta, bytes, public) = svc::file(&s.store, &c.actor, id).await?;
    let cache = if public {
        "public, max-age=86400"
    } else {
        "private, no-store"
    };
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
            (header::CACHE_CONTROL, cache.to_string()),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Multipart forms: a photo, a spending with its receipt, a bank statement

/// The fields of a multipart form, its CSRF token checked like `VerifiedForm` does.
async fn parts(
    meta: &RequestMeta,
    form: axum::extract::Multipart,
) -> AppResult<(Vec<(String, String)>, Option<Vec<u8>>)> {
    let parts = multipart_parts(form).await?;
    let mut fields = vec![];
    let mut file = None;
    for (name, bytes) in parts {
        if name == "file" || name == "receipt" || name == "statement" {
            file = Some(bytes.to_vec());
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    let token = fields
        .iter()
        .find(|(n, _)| n == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if meta.csrf_is_new || !crate::ctx::constant_time_eq(token.as_bytes(), meta.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    Ok((fields, file))
}

fn field(fields: &[(String, String)], k: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn photo(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    axum::Extension(meta): axum::Extension<RequestMeta>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    c.require_user()?;
    let (_, file) = parts(&meta, form).await?;
    let result = svc::add_photo(&s.store, &c.actor, id, &file.unwrap_or_default()).await;
    on_page(c, &s, id, result, Typed::default(), |_| {
        to_campaign(id, "flash-saved")
    })
    .await
}

async fn spend(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    axum::Extension(meta): axum::Extension<RequestMeta>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    c.require_user()?;
    let (fields, file) = parts(&meta, form).await?;
    let f = SpendInput {
        spent_on: field(&fields, "spent_on"),
        amount: field(&fields, "amount"),
        category: field(&fields, "category"),
        description: field(&fields, "description"),
        event: field(&fields, "event"),
        award: field(&fields, "award"),
        key: field(&fields, "key"),
    };
    let result = svc::spend(&s.store, &c.actor, id, &f, file.as_deref()).await;
    let t = Typed {
        spend: f,
        ..Default::default()
    };
    on_page(c, &s, id, result, t, |_| {
        to_campaign(id, "flash-crowd-spent")
    })
    .await
}

async fn statement(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<CampaignId>,
    axum::Extension(meta): axum::Extension<RequestMeta>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    c.require_user()?;
    let (fields, file) = parts(&meta, form).await?;
    let apply = field(&fields, "action") == "import";
    let result =
        svc::import_statement(&s.store, &c.actor, id, &file.unwrap_or_default(), apply).await;
    match result {
        Ok(report) => {
            let page =
                campaign_page(c, &s, id, Typed::default(), Errors::default(), Some(report)).await?;
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errs)) => {
            let page = campaign_page(c, &s, id, Typed::default(), Errors(errs), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}
