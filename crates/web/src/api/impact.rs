//! Impact in JSON: indicators for a cut (public figures for anyone, exact ones for coordinators
//! of the lab and the network admin), the donors' report as XLSX, the positive-deviance list of a
//! lab, and a woman's outcomes.
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path};
use crate::error::AppResult;
use crate::services::impact::{self as svc, CutInput, DeviantView, OutcomeInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::PersonId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(indicators))
        .routes(routes!(export_xlsx))
        .routes(routes!(deviance))
        .routes(routes!(list_outcomes, add_outcome))
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorDto {
    pub code: String,
    /// reach, residency, training, network, mentoring, funding, outcomes, change
    pub group: String,
    /// The name in the caller's language.
    pub name: String,
    /// women, things, money (tyiyn), points (hundredths of a scale point)
    pub unit: String,
    /// `null` when withheld (fewer than 5 women) or when there is nothing to compute from.
    pub value: Option<i64>,
    /// The figure counts fewer than 5 women and is withheld from this caller.
    pub suppressed: bool,
    pub sdg: Vec<u8>,
    /// For figures of earnings (women earning, median income change): where they come from.
    /// `null` for other figures and withheld ones.
    pub source: Option<SourceDto>,
}

/// Where the earnings behind a figure come from: recorded sales where a woman has any in the
/// period, the income she reported otherwise.
#[derive(Serialize, ToSchema)]
pub struct SourceDto {
    /// `sales`, `self-reported` or `mixed`
    pub kind: String,
    /// Women whose earnings are their recorded sales; `null` when withheld (public, 1 to 4).
    pub from_sales: Option<i64>,
    /// Women whose earnings are the income they reported; `null` when withheld.
    pub self_reported: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorsDto {
    /// The lab's slug, or `null` for the network (or a region).
    pub lab: Option<String>,
    pub region: Option<String>,
    pub cohort: Option<uuid::Uuid>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// Exact figures (coordinators of the lab, the admin) or public ones.
    pub exact: bool,
    pub indicators: Vec<IndicatorDto>,
}

/// Indicators computed from the records for a lab (`lab` omitted: the network), a period, and
/// optionally a region or a cohort. Anyone may ask; figures about fewer than 5 women are withheld
/// unless the caller coordinates that lab or administers the network.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "impact", params(CutInput),
    responses((status = 200, body = IndicatorsDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn indicators(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<CutInput>,
) -> AppResult<Json<IndicatorsDto>> {
    let (scope, exact, list) = svc::indicators_for(&s.store, &c.actor, &q).await?;
    Ok(Json(IndicatorsDto {
        lab: scope.lab.as_ref().map(|l| l.slug.clone()),
        region: scope.region.clone(),
        cohort: scope.cohort.map(|c| c.0),
        from: scope.from,
        to: scope.to,
        exact,
        indicators: list
            .iter()
            .map(|x| IndicatorDto {
                code: x.ind.code.into(),
                group: x.ind.group.code().into(),
                name: c.ind_name(x.ind.code),
                unit: svc::unit_code(x.ind.unit).into(),
                value: x.value(),
                suppressed: x.suppressed,
                sdg: x.ind.sdg.to_vec(),
                source: x.fig.source.filter(|_| !x.suppressed).and_then(|src| {
                    let (from_sales, self_reported) = svc::source_counts(&src, exact);
                    Some(SourceDto {
                        kind: src.kind()?.into(),
                        from_sales,
                        self_reported,
                    })
                }),
            })
            .collect(),
    }))
}

/// The donors' report: one XLSX file, one sheet per indicator group, a row per lab and indicator
/// (and the total). Public figures unless the caller coordinates the lab or administers the
/// network. Formula-looking text is neutralised.
#[utoipa::path(get, path = "/api/v1/indicators/export.xlsx", operation_id = "indicators_export_xlsx", tag = "impact", params(CutInput),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_xlsx(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<CutInput>,
) -> AppResult<Response> {
    let sheets = svc::indicator_sheets(&s.store, &c.actor, c.lang, &q, true).await?;
    crate::download::xlsx(&sheets, "wcl-impact-report.xlsx")
}

#[derive(Serialize, ToSchema)]
pub struct DevianceDto {
    pub lab: String,
    pub deviants: Vec<DeviantView>,
}

/// Women of the lab whose income grew far more than for women who started like her (coordinators
/// of the lab and the network admin; the read is audited).
#[utoipa::path(get, path = "/api/v1/labs/{slug}/positive-deviance", tag = "impact", security(("bearer" = [])),
    responses((status = 200, body = DevianceDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn deviance(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Json<DevianceDto>> {
    let (lab, deviants, _) = svc::deviance_at(&s.store, &c.actor, &slug).await?;
    Ok(Json(DevianceDto {
        lab: lab.slug,
        deviants,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OutcomeDto {
    pub id: uuid::Uuid,
    /// job, career-restart, business-launched, joint-initiative, income
    pub kind: String,
    pub occurred_on: chrono::NaiveDate,
    /// Monthly income in tyiyn, for `income`.
    pub amount: Option<i64>,
    /// self-reported or verified
    pub source: String,
    pub note: String,
}

/// Her outcome records (staff of her lab, or she herself).
#[utoipa::path(get, path = "/api/v1/people/{id}/outcomes", tag = "impact", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<OutcomeDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_outcomes(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Vec<OutcomeDto>>> {
    c.require_user()?;
    let list = svc::outcomes_of(&s.store, &c.actor, id).await?;
    Ok(Json(
        list.into_iter()
            .map(|o| OutcomeDto {
                id: o.id.0,
                kind: o.kind.code().into(),
                occurred_on: o.occurred_on,
                amount: o.amount,
                source: o.source.code().into(),
                note: o.note,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: uuid::Uuid,
}

/// Records an outcome for a woman (coordinators of her lab; `verified: "on"` when evidence was
/// seen). The amount is in som as typed (`15000`, `15 000.50`).
#[utoipa::path(post, path = "/api/v1/people/{id}/outcomes", tag = "impact", security(("bearer" = [])), params(("id" = String, Path)), request_body = OutcomeInput,
    responses((status = 201, body = CreatedDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_outcome(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    Json(body): Json<OutcomeInput>,
) -> AppResult<(StatusCode, Json<CreatedDto>)> {
    c.require_user()?;
    let oid = svc::record_outcome(&s.store, &c.actor, id, &body).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: oid.0 })))
}
