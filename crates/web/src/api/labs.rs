//! Labs, cohorts and organisations in JSON.
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path};
use crate::error::AppResult;
use crate::services::labs::{self as svc, LabSummary};
use crate::services::{self, CohortInput, LabInput, OrgInput, network};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use store::labs::Organisation;
use store::residency::Cohort;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_labs, create_lab))
        .routes(routes!(get_lab))
        .routes(routes!(list_cohorts, create_cohort))
        .routes(routes!(list_orgs, create_org))
}

#[derive(Serialize, ToSchema)]
pub struct PartnerDto {
    pub organisation_id: uuid::Uuid,
    pub name: String,
    /// implementing-partner, facility-provider, knowledge-partner, funding-partner, community-partner, tourism-partner
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct LabDto {
    pub id: uuid::Uuid,
    pub slug: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub region: String,
    pub locality: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub hours: String,
    pub opened_on: Option<chrono::NaiveDate>,
    pub accepting_applications: bool,
    pub partners: Vec<PartnerDto>,
}

impl From<LabSummary> for LabDto {
    fn from(LabSummary { lab: l, partners }: LabSummary) -> Self {
        LabDto {
            id: l.id.0,
            slug: l.slug,
            name_ky: l.name_ky,
            name_ru: l.name_ru,
            name_en: l.name_en,
            region: l.region,
            locality: l.locality,
            address: l.address,
            latitude: l.latitude,
            longitude: l.longitude,
            hours: l.hours,
            opened_on: l.opened_on,
            accepting_applications: l.accepting_applications,
            partners: partners
                .into_iter()
                .map(|p| PartnerDto {
                    organisation_id: p.org.id.0,
                    name: p.org.name,
                    role: p.role.code().into(),
                })
                .collect(),
        }
    }
}

/// All labs of the network (public).
#[utoipa::path(get, path = "/api/v1/labs", tag = "labs", responses((status = 200, body = Vec<LabDto>)))]
async fn list_labs(State(s): State<AppState>) -> AppResult<Json<Vec<LabDto>>> {
    let labs = svc::summaries(&s.store).await?;
    Ok(Json(labs.into_iter().map(Into::into).collect()))
}

/// One lab by its slug (public).
#[utoipa::path(get, path = "/api/v1/labs/{slug}", tag = "labs", params(("slug" = String, Path)),
    responses((status = 200, body = LabDto), (status = 404, body = ErrorBody)))]
async fn get_lab(State(s): State<AppState>, Path(slug): Path<String>) -> AppResult<Json<LabDto>> {
    // The public view: what anyone may see of the lab.
    let v = svc::lab_view(&s.store, &domain::Actor::anonymous(), &slug).await?;
    let (lab, partners) = (v.lab, v.partners);
    Ok(Json(LabSummary { lab, partners }.into()))
}

/// Open a new lab (network admin).
#[utoipa::path(post, path = "/api/v1/labs", tag = "labs", security(("bearer" = [])), request_body = LabInput,
    responses((status = 201, body = LabDto), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "Only the network admin may do this; others get 404")))]
async fn create_lab(
    c: Ctx,
    State(s): State<AppState>,
    Json(f): Json<LabInput>,
) -> AppResult<(StatusCode, Json<LabDto>)> {
    c.require_user()?;
    let id = services::create_lab(&s.store, &c.actor, &f).await?;
    let lab = svc::summary(&s.store, id).await?;
    Ok((StatusCode::CREATED, Json(lab.into())))
}

#[derive(Serialize, ToSchema)]
pub struct CohortDto {
    pub id: uuid::Uuid,
    pub lab: String,
    pub name: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
}

fn cohort_dto(x: Cohort, lab: &str) -> CohortDto {
    CohortDto {
        id: x.id.0,
        lab: lab.to_string(),
        name: x.name,
        starts_on: x.starts_on,
        ends_on: x.ends_on,
    }
}

/// A lab's cohorts (its coordinators and the network admin).
#[utoipa::path(get, path = "/api/v1/labs/{slug}/cohorts", tag = "labs", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = Vec<CohortDto>), (status = 404, body = ErrorBody)))]
async fn list_cohorts(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Json<Vec<CohortDto>>> {
    c.require_user()?;
    let (_, list) = svc::cohorts(&s.store, &c.actor, &slug).await?;
    Ok(Json(
        list.into_iter().map(|x| cohort_dto(x, &slug)).collect(),
    ))
}

/// Create a cohort (an intake group with dates).
#[utoipa::path(post, path = "/api/v1/labs/{slug}/cohorts", tag = "labs", security(("bearer" = [])), params(("slug" = String, Path)),
    request_body = CohortInput, responses((status = 201, body = CohortDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_cohort(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Json(f): Json<CohortInput>,
) -> AppResult<(StatusCode, Json<CohortDto>)> {
    c.require_user()?;
    let lab = svc::managed_lab(&s.store, &c.actor, &slug).await?;
    let x = services::create_cohort(&s.store, &c.actor, lab.id, &f).await?;
    Ok((StatusCode::CREATED, Json(cohort_dto(x, &slug))))
}

#[derive(Serialize, ToSchema)]
pub struct OrgDto {
    pub id: uuid::Uuid,
    pub name: String,
    pub kind: String,
    pub website: String,
}

/// Partner organisations (network admin).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "labs", security(("bearer" = [])),
    responses((status = 200, body = Vec<OrgDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "Only the network admin may do this; others get 404")))]
async fn list_orgs(c: Ctx, State(s): State<AppState>) -> AppResult<Json<Vec<OrgDto>>> {
    c.require_user()?;
    let orgs = network::orgs(&s.store, &c.actor).await?;
    Ok(Json(orgs.into_iter().map(|(o, _)| o.into()).collect()))
}

impl From<Organisation> for OrgDto {
    fn from(o: Organisation) -> Self {
        OrgDto {
            id: o.id.0,
            name: o.name,
            kind: o.kind.code().into(),
            website: o.website,
        }
    }
}

/// Add a partner organisation (network admin).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "labs", security(("bearer" = [])), request_body = OrgInput,
    responses((status = 201, body = OrgDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody, description = "Only the network admin may do this; others get 404")))]
async fn create_org(
    c: Ctx,
    State(s): State<AppState>,
    Json(f): Json<OrgInput>,
) -> AppResult<(StatusCode, Json<OrgDto>)> {
    c.require_user()?;
    let o = services::create_org(&s.store, &c.actor, &f).await?;
    Ok((StatusCode::CREATED, Json(o.into())))
}
