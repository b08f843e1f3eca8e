//! Labs, cohorts and organisations in JSON.
use super::ErrorBody;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::services::{self, CohortInput, LabInput, OrgInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Action;
use serde::Serialize;
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

async fn lab_dto(conn: &mut sqlx_conn::Conn, l: store::labs::Lab) -> AppResult<LabDto> {
    let partners = store::labs::partners(conn, l.id)
        .await?
        .into_iter()
        .map(|p| PartnerDto {
            organisation_id: p.org.id.0,
            name: p.org.name,
            role: p.role.code().into(),
        })
        .collect();
    Ok(LabDto {
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
        partners,
    })
}

/// The connection type store functions take.
mod sqlx_conn {
    pub type Conn = store::AnyConn;
}

/// All labs of the network (public).
#[utoipa::path(get, path = "/api/v1/labs", tag = "labs", responses((status = 200, body = Vec<LabDto>)))]
async fn list_labs(State(s): State<AppState>) -> AppResult<Json<Vec<LabDto>>> {
    let mut conn = s.store.conn().await?;
    let mut out = vec![];
    for l in store::labs::list_labs(&mut conn).await? {
        out.push(lab_dto(&mut conn, l).await?);
    }
    Ok(Json(out))
}

/// One lab by its slug (public).
#[utoipa::path(get, path = "/api/v1/labs/{slug}", tag = "labs", params(("slug" = String, Path)),
    responses((status = 200, body = LabDto), (status = 404, body = ErrorBody)))]
async fn get_lab(State(s): State<AppState>, Path(slug): Path<String>) -> AppResult<Json<LabDto>> {
    let mut conn = s.store.conn().await?;
    let l = store::labs::lab_by_slug(&mut conn, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(lab_dto(&mut conn, l).await?))
}

/// Open a new lab (network admin).
#[utoipa::path(post, path = "/api/v1/labs", tag = "labs", security(("bearer" = [])), request_body = LabInput,
    responses((status = 201, body = LabDto), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn create_lab(
    c: Ctx,
    State(s): State<AppState>,
    Json(f): Json<LabInput>,
) -> AppResult<(StatusCode, Json<LabDto>)> {
    c.require(Action::ManageNetwork)?;
    let id = services::create_lab(&s.store, &c.actor, &f).await?;
    let mut conn = s.store.conn().await?;
    let l = store::labs::lab(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(lab_dto(&mut conn, l).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct CohortDto {
    pub id: uuid::Uuid,
    pub lab: String,
    pub name: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
}

async fn managed_lab(c: &Ctx, s: &AppState, slug: &str) -> AppResult<store::labs::Lab> {
    c.require_user()?;
    let mut conn = s.store.conn().await?;
    let lab = store::labs::lab_by_slug(&mut conn, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    c.require(Action::ManageResidency(lab.id))?;
    Ok(lab)
}

/// A lab's cohorts (its coordinators and the network admin).
#[utoipa::path(get, path = "/api/v1/labs/{slug}/cohorts", tag = "labs", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = Vec<CohortDto>), (status = 404, body = ErrorBody)))]
async fn list_cohorts(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Json<Vec<CohortDto>>> {
    let lab = managed_lab(&c, &s, &slug).await?;
    let mut conn = s.store.conn().await?;
    let list = store::residency::cohorts(&mut conn, lab.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|x| CohortDto {
                id: x.id.0,
                lab: slug.clone(),
                name: x.name,
                starts_on: x.starts_on,
                ends_on: x.ends_on,
            })
            .collect(),
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
    let lab = managed_lab(&c, &s, &slug).await?;
    let id = services::create_cohort(&s.store, &c.actor, lab.id, &f).await?;
    let mut conn = s.store.conn().await?;
    let x = store::residency::cohort(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(CohortDto {
            id: x.id.0,
            lab: slug,
            name: x.name,
            starts_on: x.starts_on,
            ends_on: x.ends_on,
        }),
    ))
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
    responses((status = 200, body = Vec<OrgDto>), (status = 401, body = ErrorBody)))]
async fn list_orgs(c: Ctx, State(s): State<AppState>) -> AppResult<Json<Vec<OrgDto>>> {
    c.require(Action::ManageNetwork)?;
    let mut conn = s.store.conn().await?;
    Ok(Json(
        store::labs::list_orgs(&mut conn)
            .await?
            .into_iter()
            .map(|o| OrgDto {
                id: o.id.0,
                name: o.name,
                kind: o.kind.code().into(),
                website: o.website,
            })
            .collect(),
    ))
}

/// Add a partner organisation (network admin).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "labs", security(("bearer" = [])), request_body = OrgInput,
    responses((status = 201, body = OrgDto), (status = 422, body = ErrorBody)))]
async fn create_org(
    c: Ctx,
    State(s): State<AppState>,
    Json(f): Json<OrgInput>,
) -> AppResult<(StatusCode, Json<OrgDto>)> {
    c.require(Action::ManageNetwork)?;
    let id = services::create_org(&s.store, &c.actor, &f).await?;
    let mut conn = s.store.conn().await?;
    let o = store::labs::org(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(OrgDto {
            id: o.id.0,
            name: o.name,
            kind: o.kind.code().into(),
            website: o.website,
        }),
    ))
}
