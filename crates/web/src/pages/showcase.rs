//! The makers' showcase: the public catalogue `/showcase` (by lab, category, a forgiving search)
//! and her own page `/me/showcase` (opt in, products, her ventures' sales), which a coordinator of
//! her lab opens for her at `/people/{id}/showcase`.
use crate::ctx::{Ctx, Path, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::AppResult;
use crate::pages::{Errors, respond};
use crate::services::showcase::{
    self as svc, FairInput, Maker, Mine, ProductInput, ProfileInput, SaleInput,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::{PersonId, VentureId};
use serde::Deserialize;
use store::labs::Lab;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/showcase", get(catalogue))
        .route("/me/showcase", get(mine).post(save_profile))
        .route("/me/showcase/products", post(product))
        .route("/me/showcase/sales", post(sale))
        .route("/me/showcase/leave", post(leave))
        .route("/me/showcase/fairs", post(fair))
        // A coordinator of her lab works on it for her (audited).
        .route("/people/{id}/showcase", get(hers).post(save_hers))
        .route("/people/{id}/showcase/products", post(product_hers))
        .route("/people/{id}/showcase/sales", post(sale_hers))
        .route("/people/{id}/showcase/leave", post(leave_hers))
        .route("/people/{id}/showcase/fairs", post(fair_hers))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Filter {
    lab: String,
    category: String,
    q: String,
    page: i64,
}

/// Makers on one page of the catalogue.
const PER_PAGE: i64 = 24;

#[derive(Template, WebTemplate)]
#[template(path = "showcase.html")]
struct CataloguePage {
    c: Ctx,
    makers: Vec<Maker>,
    more: bool,
    labs: Vec<Lab>,
    f: Filter,
}

async fn catalogue(
    c: Ctx,
    State(s): State<AppState>,
    Query(f): Query<Filter>,
) -> AppResult<CataloguePage> {
    let found = svc::catalogue(
        &s.store,
        Some(&f.lab),
        Some(&f.category),
        Some(&f.q),
        f.page,
        PER_PAGE,
    )
    .await?;
    let labs = crate::services::labs::all(&s.store).await?;
    Ok(CataloguePage {
        c,
        makers: found.makers,
        more: found.more,
        labs,
        f,
    })
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

async fn mine_page(
    c: Ctx,
    s: &AppState,
    who: Option<PersonId>,
    mut t: Typed,
    errors: Errors,
) -> AppResult<MinePage> {
    let m = svc::mine(&s.store, &c.actor, who).await?;
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

/// Where a done form goes back to.
fn back(who: Option<PersonId>) -> Response {
    let to = match who {
        Some(p) => format!("/people/{p}/showcase"),
        None => "/me/showcase".into(),
    };
    redirect_with_flash(&to, "flash-saved")
}

async fn mine(c: Ctx, State(s): State<AppState>) -> AppResult<MinePage> {
    mine_page(c, &s, None, Typed::default(), Errors::default()).await
}

async fn hers(c: Ctx, State(s): State<AppState>, Path(id): Path<PersonId>) -> AppResult<MinePage> {
    mine_page(c, &s, Some(id), Typed::default(), Errors::default()).await
}

async fn profile_posted(
    c: Ctx,
    s: AppState,
    who: Option<PersonId>,
    f: ProfileInput,
) -> AppResult<Response> {
    let result = svc::save_profile(&s.store, &c.actor, who, &f).await;
    let t = Typed {
        profile: f,
        ..Default::default()
    };
    respond(
        result,
        |_| back(who),
        async |e| mine_page(c, &s, who, t, e).await,
    )
    .await
}

async fn save_profile(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<ProfileInput>,
) -> AppResult<Response> {
    profile_posted(c, s, None, f).await
}

async fn save_hers(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<ProfileInput>,
) -> AppResult<Response> {
    profile_posted(c, s, Some(id), f).await
}

async fn product_posted(
    c: Ctx,
    s: AppState,
    who: Option<PersonId>,
    f: ProductInput,
) -> AppResult<Response> {
    let result = svc::add_product(&s.store, &c.actor, who, &f).await;
    let t = Typed {
        product: f,
        ..Default::default()
    };
    respond(
        result,
        |_| back(who),
        async |e| mine_page(c, &s, who, t, e).await,
    )
    .await
}

async fn product(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<ProductInput>,
) -> AppResult<Response> {
    product_posted(c, s, None, f).await
}

async fn product_hers(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<ProductInput>,
) -> AppResult<Response> {
    product_posted(c, s, Some(id), f).await
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

async fn sale_posted(
    c: Ctx,
    s: AppState,
    who: Option<PersonId>,
    f: SaleForm,
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
        |_| back(who),
        async |e| mine_page(c, &s, who, t, e).await,
    )
    .await
}

async fn sale(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<SaleForm>,
) -> AppResult<Response> {
    sale_posted(c, s, None, f).await
}

async fn sale_hers(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<SaleForm>,
) -> AppResult<Response> {
    sale_posted(c, s, Some(id), f).await
}

async fn leave(c: Ctx, State(s): State<AppState>, _b: VerifiedBody) -> AppResult<Response> {
    svc::opt_out(&s.store, &c.actor, None).await?;
    Ok(back(None))
}

async fn leave_hers(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    _b: VerifiedBody,
) -> AppResult<Response> {
    svc::opt_out(&s.store, &c.actor, Some(id)).await?;
    Ok(back(Some(id)))
}

async fn fair_posted(
    c: Ctx,
    s: AppState,
    who: Option<PersonId>,
    f: FairInput,
) -> AppResult<Response> {
    let result = svc::take_part(&s.store, &c.actor, who, &f).await;
    respond(
        result,
        |_| back(who),
        async |e| mine_page(c, &s, who, Typed::default(), e).await,
    )
    .await
}

async fn fair(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<FairInput>,
) -> AppResult<Response> {
    fair_posted(c, s, None, f).await
}

async fn fair_hers(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<FairInput>,
) -> AppResult<Response> {
    fair_posted(c, s, Some(id), f).await
}
