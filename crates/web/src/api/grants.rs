//! Seed funding in JSON: calls (with budget, awarded and paid totals), the ranking with the
//! proposal, and the donors' exports of a round (CSV, XLSX). The same rules as the pages: a
//! reviewer sees only the calls she reviews, another lab's call answers 404, the exports are
//! for the call's managers and audited.
use super::ErrorBody;
use crate::ctx::Ctx;
use crate::download;
use crate::error::{AppError, AppResult};
use crate::services::grants::{self as svc, Ranking};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use domain::GrantCallId;
use serde::{Deserialize, Serialize};
use store::grants::{self as g, Call};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls))
        .routes(routes!(get_call))
        .routes(routes!(ranking))
        .routes(routes!(export_csv))
        .routes(routes!(export_xlsx))
}

#[derive(Serialize, ToSchema)]
pub struct CriterionDto {
    pub position: i64,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub guidance_ky: String,
    pub guidance_ru: String,
    pub guidance_en: String,
    pub weight: i64,
    pub max_points: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CallDto {
    pub id: uuid::Uuid,
    /// The lab's slug, or null for a network-wide call.
    pub lab: Option<String>,
    pub title: String,
    pub description: String,
    /// draft, open, closed or decided
    pub status: String,
    /// KGS
    pub currency: String,
    /// Tyiyn (1 som = 100 tyiyn).
    pub budget: i64,
    pub min_award: i64,
    pub max_award: i64,
    /// Sum of the awards decided so far (tyiyn).
    pub awarded: i64,
    /// What is left of the budget (tyiyn).
    pub left: i64,
    /// Sum of the payments recorded on the awards (tyiyn).
    pub paid: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Limited to one cohort of the lab, or null for every active resident.
    pub cohort_id: Option<uuid::Uuid>,
    /// Applications submitted (drafts and withdrawn ones left out).
    pub applications: i64,
    pub criteria: Vec<CriterionDto>,
    pub url: String,
}

fn call_dto(base: &str, k: Call, lab: Option<String>, criteria: Vec<g::Criterion>) -> CallDto {
    CallDto {
        id: k.id.0,
        lab,
        status: k.status.code().into(),
        left: k.left(),
        url: format!("{base}/grant-calls/{}", k.id),
        title: k.title,
        description: k.description,
        currency: k.currency,
        budget: k.budget,
        min_award: k.min_award,
        max_award: k.max_award,
        awarded: k.awarded,
        paid: k.paid,
        opens_on: k.opens_on,
        closes_on: k.closes_on,
        cohort_id: k.cohort_id.map(|x| x.0),
        applications: k.applications,
        criteria: criteria
            .into_iter()
            .map(|x| CriterionDto {
                position: x.position,
                name_ky: x.spec.name_ky,
                name_ru: x.spec.name_ru,
                name_en: x.spec.name_en,
                guidance_ky: x.spec.guidance_ky,
                guidance_ru: x.spec.guidance_ru,
                guidance_en: x.spec.guidance_en,
                weight: x.spec.weight,
                max_points: x.spec.max_points,
            })
            .collect(),
    }
}

async fn dto(s: &AppState, c: &Ctx, k: Call) -> AppResult<CallDto> {
    let mut conn = s.store.conn().await?;
    let labs = store::labs::list_labs(&mut conn).await?;
    let lab = k
        .lab_id
        .and_then(|l| labs.iter().find(|x| x.id == l).map(|x| x.slug.clone()));
    let criteria = g::criteria(&mut conn, k.id).await?;
    Ok(call_dto(&c.base, k, lab, criteria))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallsQuery {
    /// A lab's slug: its calls and the network's. Omit for every call the caller may see.
    pub lab: Option<String>,
}

/// The grant calls the caller may see: the calls she runs, reviews, or may apply to.
#[utoipa::path(get, path = "/api/v1/grant-calls", tag = "grants", security(("bearer" = [])), params(CallsQuery),
    responses((status = 200, body = Vec<CallDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_calls(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<CallsQuery>,
) -> AppResult<Json<Vec<CallDto>>> {
    c.require_user()?;
    let which = match &q.lab {
        Some(slug) => g::Calls::OfLab(crate::services::labs::lab_by_slug(&s.store, slug).await?.id),
        None => g::Calls::All,
    };
    let mut conn = s.store.conn().await?;
    let all = g::calls(&mut conn, which).await?;
    drop(conn);
    let mut out = vec![];
    for k in all {
        // The same rule as the call's page, one call at a time: what she may not see is left out.
        if svc::call_for(&s.store, &c.actor, k.id).await.is_ok() {
            out.push(dto(&s, &c, k).await?);
        }
    }
    Ok(Json(out))
}

fn call_id(id: &str) -> AppResult<GrantCallId> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A call with its criteria, budget and the totals awarded and paid.
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, body = CallDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<CallDto>> {
    c.require_user()?;
    let (call, _) = svc::call_for(&s.store, &c.actor, call_id(&id)?).await?;
    Ok(Json(dto(&s, &c, call).await?))
}

/// The ranking by weighted mean of the reviewers' scores (0–100) with the spread between them,
/// and the awards the platform proposes in rank order within the budget (the call's managers).
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}/ranking", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, body = Ranking), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ranking(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Ranking>> {
    c.require_user()?;
    let (call, _) = svc::call_for(&s.store, &c.actor, call_id(&id)?).await?;
    Ok(Json(svc::ranking(&s.store, &c.actor, &call).await?))
}

/// The round for donors as CSV: one row per application (applicant, category, requested, score,
/// rank, awarded, paid). Cells that begin with = + - @ are neutralised. Audited.
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}/export.csv", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_csv(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    c.require_user()?;
    let (call, _) = svc::call_for(&s.store, &c.actor, call_id(&id)?).await?;
    let x = svc::export(&s.store, &c.actor, &call, "csv").await?;
    let sheets = svc::export_sheets(&x, c.lang);
    Ok(download::csv(
        &sheets[0],
        &format!("grant-round-{}.csv", call.id),
    ))
}

/// The round for donors as an XLSX workbook: sheets applications, awards and payments.
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}/export.xlsx", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_xlsx(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    c.require_user()?;
    let (call, _) = svc::call_for(&s.store, &c.actor, call_id(&id)?).await?;
    let x = svc::export(&s.store, &c.actor, &call, "xlsx").await?;
    let sheets = svc::export_sheets(&x, c.lang);
    download::xlsx(&sheets, &format!("grant-round-{}.xlsx", call.id))
}
