//! The makers' showcase (public, opted-in makers only) and ventures' sales in JSON.
use super::errors::ErrorBody;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::services::showcase::{self as svc, SaleInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(showcase))
        .routes(routes!(list_sales, create_sale))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShowcaseQuery {
    /// A lab's slug.
    pub lab: Option<String>,
    /// A product category: sewing, food, handicraft, design, digital-services, tourism, hospitality, other.
    pub category: Option<String>,
    /// Words to find in a maker's name, skills and products, in any spelling.
    pub q: Option<String>,
    /// The page, from 0: 100 makers a page, by display name.
    #[param(minimum = 0, maximum = 10000)]
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProductDto {
    pub title: String,
    pub description: String,
    pub category: String,
    /// Tyiyn.
    pub price_from: i64,
    /// Tyiyn.
    pub price_to: i64,
    /// to-order or in-stock
    pub availability: String,
}

#[derive(Serialize, ToSchema)]
pub struct MakerDto {
    /// Her display name or pseudonym.
    pub name: String,
    pub lab: Option<String>,
    pub skills: String,
    pub bio: String,
    pub venture: Option<String>,
    /// Her own channel if she chose one; empty: order through the lab.
    pub contact: String,
    pub products: Vec<ProductDto>,
    /// The fairs where she will be (not ended), soonest first.
    pub fairs: Vec<FairDto>,
}

#[derive(Serialize, ToSchema)]
pub struct FairDto {
    /// The event's id: `/api/v1/events/{id}`, `/events/{id}`.
    pub event_id: String,
    pub title: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub place: String,
}

/// The makers' showcase (public): only makers who opted in.
#[utoipa::path(get, path = "/api/v1/showcase", tag = "crowdfunding", params(ShowcaseQuery),
    responses((status = 200, body = Vec<MakerDto>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn showcase(
    State(s): State<AppState>,
    Query(q): Query<ShowcaseQuery>,
) -> AppResult<Json<Vec<MakerDto>>> {
    let page = q.page.unwrap_or(0);
    if !(0..=10_000).contains(&page) {
        return Err(AppError::Invalid(vec![("page".into(), "err-page".into())]));
    }
    let makers = svc::catalogue(
        &s.store,
        q.lab.as_deref(),
        q.category.as_deref(),
        q.q.as_deref(),
        page,
        100,
    )
    .await?
    .makers;
    Ok(Json(
        makers
            .into_iter()
            .map(|m| MakerDto {
                name: m.profile.display_name,
                lab: m.lab.map(|l| l.slug),
                skills: m.profile.skills,
                bio: m.profile.bio,
                venture: m.profile.venture_name,
                contact: m.profile.contact,
                products: m
                    .products
                    .into_iter()
                    .map(|p| ProductDto {
                        title: p.title,
                        description: p.description,
                        category: p.category.code().into(),
                        price_from: p.price_from,
                        price_to: p.price_to,
                        availability: p.availability.code().into(),
                    })
                    .collect(),
                fairs: m
                    .fairs
                    .into_iter()
                    .map(|f| FairDto {
                        event_id: f.id.to_string(),
                        title: f.title,
                        starts_at: f.starts_at,
                        place: f.place,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SaleDto {
    pub id: String,
    pub sold_on: NaiveDate,
    /// Tyiyn.
    pub amount: i64,
    /// fair, instagram, shop, lab-order, campaign-reward
    pub channel: String,
    pub note: String,
}

fn path_id<T: std::str::FromStr>(s: &str) -> AppResult<T> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// A venture's sales (its members, the coordinators of its lab).
#[utoipa::path(get, path = "/api/v1/ventures/{id}/sales", tag = "crowdfunding", security(("bearer" = [])),
    params(("id" = String, Path, description = "The venture's id")),
    responses((status = 200, body = Vec<SaleDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_sales(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<SaleDto>>> {
    c.require_user()?;
    let sales = svc::sales(&s.store, &c.actor, path_id(&id)?).await?;
    Ok(Json(
        sales
            .into_iter()
            .map(|x| SaleDto {
                id: x.id,
                sold_on: x.sold_on,
                amount: x.amount,
                channel: x.channel.code().into(),
                note: x.note,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: String,
}

/// Record a sale of a venture (a member, or a coordinator of its lab for her; audited).
#[utoipa::path(post, path = "/api/v1/ventures/{id}/sales", tag = "crowdfunding", security(("bearer" = [])), request_body = SaleInput,
    params(("id" = String, Path, description = "The venture's id")),
    responses((status = 201, body = CreatedDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_sale(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    Json(input): Json<SaleInput>,
) -> AppResult<(StatusCode, Json<CreatedDto>)> {
    c.require_user()?;
    let id = svc::record_sale(&s.store, &c.actor, path_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}
