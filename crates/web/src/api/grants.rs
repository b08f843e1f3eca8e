//! Seed funding in JSON: calls (with budget, awarded and paid totals), the ranking with the
//! proposal, and the donors' exports of a round (CSV, XLSX). The same rules as the pages: a
//! reviewer sees only the calls she reviews, another lab's call answers 404, the ranking and
//! exports are for the call's managers (and, of a network call, for each lab's coordinators with
//! their own applicants only) and audited.
use super::errors::ErrorBody;
use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::download;
use crate::error::AppResult;
use crate::services::grants::{self as svc, Ranking};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use domain::GrantCallId;
use serde::{Deserialize, Serialize};
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
    /// Sum of the awards decided so far (tyiyn); null for an applicant (the round's totals
    /// are for its managers and reviewers, as on the call's page).
    pub awarded: Option<i64>,
    /// What is left of the budget (tyiyn); null for an applicant.
    pub left: Option<i64>,
    /// Sum of the payments recorded on the awards (tyiyn); null for an applicant.
    pub paid: Option<i64>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Limited to one cohort of the lab, or null for every active resident.
    pub cohort_id: Option<uuid::Uuid>,
    /// Applications submitted (drafts and withdrawn ones left out); null for an applicant.
    pub applications: Option<i64>,
    pub criteria: Vec<CriterionDto>,
    pub url: String,
}

fn call_dto(base: &str, k: svc::CallSummary) -> CallDto {
    let svc::CallSummary {
        call: k,
        lab,
        criteria,
        access,
    } = k;
    let round = access.manage || access.review;
    let totals = |x: i64| round.then_some(x);
    CallDto {
        id: k.id.0,
        lab: lab.map(|l| l.slug),
        status: k.status.code().into(),
        left: totals(k.left()),
        url: format!("{base}/grant-calls/{}", k.id),
        title: k.title,
        description: k.description,
        currency: k.currency,
        budget: k.budget,
        min_award: k.min_award,
        max_award: k.max_award,
        awarded: totals(k.awarded),
        paid: totals(k.paid),
        opens_on: k.opens_on,
        closes_on: k.closes_on,
        cohort_id: k.cohort_id.map(|x| x.0),
        applications: totals(k.applications),
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
    let calls = svc::visible_calls(&s.store, &c.actor, q.lab.as_deref()).await?;
    Ok(Json(
        calls.into_iter().map(|k| call_dto(&c.base, k)).collect(),
    ))
}

/// A call with its criteria, budget and the totals awarded and paid.
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, body = CallDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
) -> AppResult<Json<CallDto>> {
    let k = svc::call_summary(&s.store, &c.actor, id).await?;
    Ok(Json(call_dto(&c.base, k)))
}

/// The ranking by weighted mean of the reviewers' scores (0–100) with the spread between them,
/// and the awards the platform proposes in rank order within the budget (the call's managers; a
/// lab's coordinator on a network call gets her labs' applicants only, `labs_only`).
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}/ranking", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, body = Ranking), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ranking(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
) -> AppResult<Json<Ranking>> {
    Ok(Json(svc::ranking(&s.store, &c.actor, id).await?.1))
}

/// The round for donors as CSV: one row per application (applicant, category, requested, score,
/// rank, awarded, paid). Cells that begin with = + - @ are neutralised. Audited. A lab's
/// coordinator on a network call gets the rows of her labs' applicants only.
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}/export.csv", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_csv(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
) -> AppResult<Response> {
    let (name, sheets) = round(&s, &c, id, "csv").await?;
    Ok(download::csv(&sheets[0], &name))
}

/// The round for donors as an XLSX workbook: sheets applications, awards and payments.
#[utoipa::path(get, path = "/api/v1/grant-calls/{id}/export.xlsx", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "The call's id")),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_xlsx(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
) -> AppResult<Response> {
    let (name, sheets) = round(&s, &c, id, "xlsx").await?;
    download::xlsx(&sheets, &name)
}

/// The round's sheets and the file's name (`grant-round-<id>.<format>`); the read is audited.
async fn round(
    s: &AppState,
    c: &Ctx,
    id: GrantCallId,
    format: &str,
) -> AppResult<(String, Vec<documents::table::Sheet>)> {
    let x = svc::export(&s.store, &c.actor, id, format).await?;
    let name = format!("grant-round-{}.{format}", x.call.id);
    Ok((name, svc::export_sheets(&x, c.lang)))
}
