//! People and residencies in JSON. Scoped exactly like the pages: another lab's person is 404.
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path};
use crate::error::AppResult;
use crate::services::base::invalid;
use crate::services::people::{self as svc, Registered, Registration, ResidencyView, slug_of};
use crate::services::{ConsentInput, PersonInput, labs};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::{PersonId, ResidencyId, ResidencyStatus};
use serde::{Deserialize, Serialize};
use store::labs::Lab;
use store::people::Person;
use store::residency::{Residency, Transition};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person))
        .routes(routes!(person_residencies))
        .routes(routes!(lab_residencies))
        .routes(routes!(transition))
}

#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    pub id: uuid::Uuid,
    pub lab: String,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: String,
    pub name_latin: String,
    /// E.164, e.g. +996555123456
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birth_year: Option<i32>,
    pub gender: String,
    pub region: String,
    pub district: String,
    pub locality: String,
    /// rural or urban
    pub settlement: Option<String>,
    pub languages: Vec<String>,
    pub occupation: Option<String>,
    pub family_support: String,
    pub skills: Vec<String>,
    pub aims: String,
    /// Monthly income at baseline, in tyiyn (1 som = 100 tyiyn).
    pub monthly_income_tyiyn: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn dto(p: Person, labs: &[Lab]) -> PersonDto {
    PersonDto {
        lab: slug_of(labs, p.lab_id),
        id: p.id.0,
        family_name: p.family_name,
        given_name: p.given_name,
        patronymic: p.patronymic,
        name_latin: p.name_latin,
        phone: p.phone,
        email: p.email,
        birth_year: p.birth_year,
        gender: p.gender,
        region: p.region,
        district: p.district,
        locality: p.locality,
        settlement: p.settlement,
        languages: p.languages,
        occupation: p.occupation,
        family_support: p.family_support,
        skills: p.skills,
        aims: p.aims,
        monthly_income_tyiyn: p.monthly_income,
        created_at: p.created_at,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// A lab's slug; omit for all labs the caller manages.
    pub lab: Option<String>,
    /// Name in any spelling (Cyrillic or Latin), or phone digits.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Search people in the labs the caller manages (coordinators, network admin).
#[utoipa::path(get, path = "/api/v1/people", tag = "people", security(("bearer" = [])), params(PeopleQuery),
    responses((status = 200, body = Vec<PersonDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_people(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<PeopleQuery>,
) -> AppResult<Json<Vec<PersonDto>>> {
    c.require_user()?;
    let lab = q.lab.as_deref().unwrap_or_default();
    let text = q.q.as_deref().unwrap_or_default();
    let (limit, offset) = (q.limit.unwrap_or(50), q.offset.unwrap_or(0));
    let found = svc::search(&s.store, &c.actor, lab, text, limit, offset).await?;
    Ok(Json(dtos(found.people, &found.labs)))
}

fn dtos(people: Vec<Person>, labs: &[Lab]) -> Vec<PersonDto> {
    people.into_iter().map(|p| dto(p, labs)).collect()
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewPerson {
    /// The lab's slug.
    #[schema(required = true, min_length = 1)]
    pub lab: String,
    #[schema(required = true, min_length = 1, max_length = 80)]
    pub family_name: String,
    #[schema(required = true, min_length = 1, max_length = 80)]
    pub given_name: String,
    pub patronymic: String,
    /// Latin spelling; transliterated from the Cyrillic when empty.
    pub name_latin: String,
    pub phone: String,
    pub email: String,
    pub birth_year: Option<i32>,
    pub gender: String,
    pub region: String,
    pub district: String,
    pub locality: String,
    pub settlement: String,
    pub languages: Vec<String>,
    pub occupation: String,
    pub family_support: String,
    pub skills: Vec<String>,
    pub aims: String,
    pub monthly_income_tyiyn: Option<i64>,
    /// Must be true: she agreed to the current consent text.
    #[schema(required = true)]
    pub consent: bool,
    /// consent (default), parental-consent or contract
    pub legal_basis: String,
    /// ky, ru or en: the language the consent text was shown in.
    pub consent_language: String,
    /// YYYY-MM-DD; today when empty.
    pub consent_date: String,
    /// applied (default), accepted or active
    pub status: String,
    /// Save even if likely duplicates exist.
    pub confirm_not_duplicate: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DuplicatesBody {
    pub error: String,
    pub message: String,
    pub candidates: Vec<PersonDto>,
}

/// Register a person on her behalf, with her consent and an open residency. Answers 409 with
/// likely duplicates unless `confirm_not_duplicate` is true.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", security(("bearer" = [])), request_body = NewPerson,
    responses((status = 201, body = PersonDto), (status = 409, body = DuplicatesBody), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_person(
    c: Ctx,
    State(s): State<AppState>,
    Json(n): Json<NewPerson>,
) -> AppResult<Response> {
    c.require_user()?;
    let input = PersonInput {
        family_name: n.family_name,
        given_name: n.given_name,
        patronymic: n.patronymic,
        name_latin: n.name_latin,
        phone: n.phone,
        email: n.email,
        birth_year: n.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        gender: n.gender,
        region: n.region,
        district: n.district,
        locality: n.locality,
        settlement: n.settlement,
        languages: n.languages,
        occupation: n.occupation,
        family_support: n.family_support,
        skills: n.skills,
        aims: n.aims,
        monthly_income: n
            .monthly_income_tyiyn
            .map(|t| format!("{}.{:02}", t / 100, t % 100))
            .unwrap_or_default(),
        version: String::new(),
    };
    let consent = ConsentInput {
        consent: if n.consent {
            "on".into()
        } else {
            String::new()
        },
        legal_basis: n.legal_basis,
        consent_language: n.consent_language,
        consent_date: n.consent_date,
    };
    let r = Registration {
        lab: n.lab,
        status: match n.status.as_str() {
            "" => Some(ResidencyStatus::Applied),
            x => ResidencyStatus::parse(x),
        },
        confirmed_not_duplicate: n.confirm_not_duplicate,
        person: input,
        consent,
    };
    let (labs, registered) = svc::register(&s.store, &c.actor, &r, c.lang).await?;
    Ok(match registered {
        Registered::Created(p) => (StatusCode::CREATED, Json(dto(*p, &labs))).into_response(),
        Registered::Duplicates(d) => {
            let body = DuplicatesBody {
                error: "err-duplicates".into(),
                message: c.t("err-duplicates"),
                candidates: dtos(d, &labs),
            };
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
    })
}

/// One person (audited read).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = PersonDto), (status = 404, body = ErrorBody)))]
async fn get_person(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<Json<PersonDto>> {
    c.require_user()?;
    let v = svc::person_view(&s.store, &c.actor, id).await?;
    Ok(Json(dto(v.person, &[v.lab])))
}

#[derive(Serialize, ToSchema)]
pub struct TransitionDto {
    pub from: Option<String>,
    pub to: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: Option<String>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResidencyDto {
    pub id: uuid::Uuid,
    pub person_id: uuid::Uuid,
    pub person_name: Option<String>,
    pub lab: String,
    /// applied, accepted, active, graduated, withdrawn, declined
    pub status: String,
    pub cohort_id: Option<uuid::Uuid>,
    pub cohort: Option<String>,
    /// self (public form) or assisted (registered by a coordinator)
    pub source: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub history: Vec<TransitionDto>,
}

fn residency_dto(
    r: Residency,
    history: Vec<Transition>,
    lab: String,
    name: Option<String>,
) -> ResidencyDto {
    ResidencyDto {
        id: r.id.0,
        person_id: r.person_id.0,
        person_name: name,
        lab,
        status: r.status.code().into(),
        cohort_id: r.cohort_id.map(|c| c.0),
        cohort: r.cohort_name,
        source: r.source,
        created_at: r.created_at,
        history: history
            .into_iter()
            .map(|t| TransitionDto {
                from: t.from.map(|f| f.code().into()),
                to: t.to.code().into(),
                at: t.at,
                by: t.by_name,
                note: t.note,
            })
            .collect(),
    }
}

impl From<ResidencyView> for ResidencyDto {
    fn from(v: ResidencyView) -> Self {
        residency_dto(v.residency, v.history, v.lab, None)
    }
}

/// A person's residencies in the labs the caller manages.
#[utoipa::path(get, path = "/api/v1/people/{id}/residencies", tag = "people", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<ResidencyDto>), (status = 404, body = ErrorBody)))]
async fn person_residencies(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<Json<Vec<ResidencyDto>>> {
    c.require_user()?;
    let list = svc::residencies(&s.store, &c.actor, id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// applied, accepted, active, graduated, withdrawn or declined; all when omitted.
    #[param(schema_with = residency_statuses)]
    pub status: Option<String>,
}

/// A lab's residencies (the intake queue when `status=applied`).
#[utoipa::path(get, path = "/api/v1/labs/{slug}/residencies", tag = "people", security(("bearer" = [])),
    params(("slug" = String, Path), StatusQuery),
    responses((status = 200, body = Vec<ResidencyDto>), (status = 404, body = ErrorBody)))]
async fn lab_residencies(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<StatusQuery>,
) -> AppResult<Json<Vec<ResidencyDto>>> {
    c.require_user()?;
    let rows = labs::residencies(&s.store, &c.actor, &slug, q.status.as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(row, history)| {
                residency_dto(row.residency, history, slug.clone(), Some(row.person_name))
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// The new status; must follow from the current one (409 when it does not).
    #[schema(schema_with = residency_statuses)]
    pub to: String,
    #[serde(default)]
    pub note: String,
}

/// The codes of `domain::ResidencyStatus`, as the enum of a string.
fn residency_statuses() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::Object::builder()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(domain::ResidencyStatus::ALL.iter().map(|x| x.code())))
        .build()
}

/// Move a residency along its path (applied → accepted → active → graduated, or withdrawn/declined).
#[utoipa::path(post, path = "/api/v1/residencies/{id}/transitions", tag = "people", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)), request_body = TransitionRequest,
    responses((status = 200, body = ResidencyDto), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn transition(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResidencyId>,
    Json(t): Json<TransitionRequest>,
) -> AppResult<Json<ResidencyDto>> {
    c.require_user()?;
    let to = ResidencyStatus::parse(&t.to).ok_or_else(|| invalid("to", "err-choice"))?;
    let v = svc::transition_residency(&s.store, &c.actor, id, to, &t.note).await?;
    Ok(Json(v.into()))
}
