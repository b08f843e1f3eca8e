//! The makers' showcase: the public catalogue `/showcase` (by lab, category, a forgiving search)
//! and her own page `/me/showcase` (opt in, products, her ventures' sales).
use crate::ctx::{Ctx, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::AppResult;
use crate::pages::{Errors, respond};
use crate::services::showcase::{self as svc, Maker, Mine, ProductInput, ProfileInput, SaleInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::VentureId;
use serde::Deserialize;
use store::labs::Lab;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/showcase", get(catalogue))
        .route("/me/showcase", get(mine).post(save_profile))
        .route("/me/showcase/products", post(product))
        .route("/me/showcase/sales", post(sale))
        .route("/me/showcase/leave", post(leave))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Filter {
    lab: String,
    category: String,
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "showcase.html")]
struct CataloguePage {
    c: Ctx,
    makers: Vec<Maker>,
    labs: Vec<Lab>,
    f: Filter,
}

async fn catalogue(
    c: Ctx,
    State(s): State<AppState>,
    Query(f): Query<Filter>,
) -> AppResult<CataloguePage> {
    let makers = svc::catalogue(&s.store, Some(&f.lab), Some(&f.category), Some(&f.q)).await?;
    let labs = crate::services::labs::all(&s.store).await?;
    Ok(CataloguePage { c, makers, labs, f })
}

#[derive(Default)]
struct Typed {
    profile: ProfileInput,
    product: ProductInput,
    sale: SaleInput,
    venture: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "showcase_me.html")]
struct MinePage {
    c: Ctx,
    m: Mine,
    t: Typed,
    errors: Errors,
}

async fn mine_page(c: Ctx, s: &AppState, mut t: Typed, errors: Errors) -> AppResult<MinePage> {
    let m = svc::mine(&s.store, &c.actor).await?;
    if !errors.any()
        && let Some(p) = &m.profile
    {
        t.profile = ProfileInput {
            display_name: p.display_name.clone(),
            bio: p.bio.clone(),
            skills: p.skills.clone(),
            contact: p.contact.clone(),
            venture: p.venture_id.map(|v| v.to_string()).unwrap_or_default(),
        };
    }
    Ok(MinePage { c, m, t, errors })
}

async fn mine(c: Ctx, State(s): State<AppState>) -> AppResult<MinePage> {
    mine_page(c, &s, Typed::default(), Errors::default()).await
}

async fn save_profile(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<ProfileInput>,
) -> AppResult<Response> {
    let result = svc::save_profile(&s.store, &c.actor, &f).await;
    let t = Typed {
        profile: f,
        ..Default::default()
    };
    respond(
        result,
        |_| redirect_with_flash("/me/showcase", "flash-saved"),
        async |e| mine_page(c, &s, t, e).await,
    )
    .await
}

async fn product(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<ProductInput>,
) -> AppResult<Response> {
    let result = svc::add_product(&s.store, &c.actor, &f).await;
    let t = Typed {
        product: f,
        ..Default::default()
    };
    respond(
        result,
        |_| redirect_with_flash("/me/showcase", "flash-saved"),
        async |e| mine_page(c, &s, t, e).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SaleForm {
    venture: String,
    sold_on: String,
    amount: String,
    channel: String,
    note: String,
}

async fn sale(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<SaleForm>,
) -> AppResult<Response> {
    let input = SaleInput {
        sold_on: f.sold_on,
        amount: f.amount,
        channel: f.channel,
        note: f.note,
    };
    let venture: VentureId = f
        .venture
        .parse()
        .map_err(|_| crate::error::AppError::NotFound)?;
    let result = svc::record_sale(&s.store, &c.actor, venture, &input).await;
    let t = Typed {
        sale: input,
        venture: f.venture,
        ..Default::default()
    };
    respond(
        result,
        |_| redirect_with_flash("/me/showcase", "flash-saved"),
        async |e| mine_page(c, &s, t, e).await,
    )
    .await
}

async fn leave(c: Ctx, State(s): State<AppState>, _b: VerifiedBody) -> AppResult<Response> {
    svc::opt_out(&s.store, &c.actor).await?;
    Ok(redirect_with_flash("/me/showcase", "flash-saved"))
}
