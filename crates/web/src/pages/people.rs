//! People: forgiving search, assisted registration with a duplicate check, a person's record
//! (consent, residencies and their history), and moving residencies along.
use super::Errors;
use crate::ctx::{Ctx, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::{self, ConsentInput, PersonInput, RegisterOutcome};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{Action, PersonId, ResidencyId, ResidencyStatus};
use serde::Deserialize;
use store::labs::Lab;
use store::people::Person;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(search).post(create))
        .route("/people/new", get(new_form))
        .route("/people/{id}", get(show))
        .route("/people/{id}/edit", get(edit_form).post(update))
        .route(
            "/people/{id}/consents/{cid}/withdraw",
            post(withdraw_consent),
        )
        .route("/residencies/{id}/transition", post(transition))
        .route("/residencies/{id}/cohort", post(set_cohort))
}

fn person_id(s: &str) -> AppResult<PersonId> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// The labs whose people this caller manages, for filters and the registration form.
async fn my_labs(s: &AppState, c: &Ctx) -> AppResult<Vec<Lab>> {
    let scope = c.actor.people_scope();
    let mut conn = s.store.conn().await?;
    Ok(store::labs::list_labs(&mut conn)
        .await?
        .into_iter()
        .filter(|l| scope.contains(l.id))
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
    lab: String,
    page: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "people.html")]
struct PeoplePage {
    c: Ctx,
    labs: Vec<Lab>,
    q: String,
    lab: String,
    people: Vec<Person>,
    page: i64,
    more: bool,
}

const PAGE: i64 = 30;

async fn search(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<SearchQuery>,
) -> AppResult<PeoplePage> {
    c.require_user()?;
    let scope = c.actor.people_scope();
    if scope.is_empty() {
        return Err(AppError::NotFound);
    }
    let labs = my_labs(&s, &c).await?;
    let lab = if q.lab.is_empty() {
        None
    } else {
        Some(
            labs.iter()
                .find(|l| l.slug == q.lab)
                .ok_or(AppError::NotFound)?
                .id,
        )
    };
    let page = q.page.max(0);
    let mut conn = s.store.conn().await?;
    let mut people = store::people::search(
        &mut conn,
        &scope,
        &store::people::Search {
            lab,
            text: q.q.clone(),
            limit: PAGE + 1,
            offset: page * PAGE,
        },
    )
    .await?;
    let more = people.len() as i64 > PAGE;
    people.truncate(PAGE as usize);
    Ok(PeoplePage {
        c,
        labs,
        q: q.q,
        lab: q.lab,
        people,
        page,
        more,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "person_form.html")]
struct PersonForm {
    c: Ctx,
    labs: Vec<Lab>,
    lab: String,
    f: PersonInput,
    consent: ConsentInput,
    status: String,
    errors: Errors,
    duplicates: Vec<Person>,
    /// `None` when registering; the person when editing.
    editing: Option<PersonId>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LabQuery {
    lab: String,
}

async fn new_form(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<LabQuery>,
) -> AppResult<PersonForm> {
    c.require_user()?;
    let labs = my_labs(&s, &c).await?;
    if labs.is_empty() {
        return Err(AppError::NotFound);
    }
    let lab = if labs.iter().any(|l| l.slug == q.lab) {
        q.lab
    } else {
        labs[0].slug.clone()
    };
    Ok(PersonForm {
        c,
        labs,
        lab,
        f: PersonInput::default(),
        consent: ConsentInput::default(),
        status: "active".into(),
        errors: Errors::default(),
        duplicates: vec![],
        editing: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterMeta {
    lab: String,
    status: String,
    not_duplicate: String,
}

struct RegisterForm {
    lab: String,
    status: String,
    not_duplicate: String,
    person: PersonInput,
    consent: ConsentInput,
}

async fn create(c: Ctx, State(s): State<AppState>, body: VerifiedBody) -> AppResult<Response> {
    c.require_user()?;
    let m: RegisterMeta = body.parse()?;
    let f = RegisterForm {
        lab: m.lab,
        status: m.status,
        not_duplicate: m.not_duplicate,
        person: body.parse()?,
        consent: body.parse()?,
    };
    let labs = my_labs(&s, &c).await?;
    let lab = labs
        .iter()
        .find(|l| l.slug == f.lab)
        .ok_or(AppError::NotFound)?;
    let status = ResidencyStatus::parse(&f.status).unwrap_or(ResidencyStatus::Applied);
    let outcome = services::register_person(
        &s.store,
        &c.actor,
        lab.id,
        &f.person,
        &f.consent,
        status,
        f.not_duplicate == "on",
        c.lang,
    )
    .await;
    let form = |c: Ctx, errors: Vec<(String, String)>, duplicates: Vec<Person>| PersonForm {
        c,
        labs: labs.clone(),
        lab: f.lab.clone(),
        f: f.person.clone(),
        consent: f.consent.clone(),
        status: f.status.clone(),
        errors: Errors(errors),
        duplicates,
        editing: None,
    };
    match outcome {
        Ok(RegisterOutcome::Created(id)) => Ok(redirect_with_flash(
            &format!("/people/{id}"),
            "flash-person-created",
        )),
        Ok(RegisterOutcome::Duplicates(d)) => {
            Ok((StatusCode::CONFLICT, form(c, vec![], d)).into_response())
        }
        Err(AppError::Invalid(errs)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form(c, errs, vec![])).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
struct PersonPage {
    c: Ctx,
    p: Person,
    lab: Lab,
    consents: Vec<store::people::Consent>,
    residencies: Vec<(
        store::residency::Residency,
        Vec<store::residency::Transition>,
        String,
    )>,
    cohorts: Vec<store::residency::Cohort>,
    manage: bool,
}

async fn show(c: Ctx, State(s): State<AppState>, Path(id): Path<String>) -> AppResult<PersonPage> {
    c.require_user()?;
    let id = person_id(&id)?;
    let p = services::read_person(&s.store, &c.actor, id).await?;
    let mut conn = s.store.conn().await?;
    let lab = store::labs::lab(&mut conn, p.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let consents = store::people::consents(&mut conn, id).await?;
    let mut residencies = vec![];
    for r in store::residency::of_person(&mut conn, id).await? {
        // Another lab's residency of the same woman stays hidden unless the caller manages it.
        if !c.actor.people_scope().contains(r.lab_id) {
            continue;
        }
        let history = store::residency::transitions(&mut conn, r.id).await?;
        let lab_slug = store::labs::lab(&mut conn, r.lab_id)
            .await?
            .map(|l| l.slug)
            .unwrap_or_default();
        residencies.push((r, history, lab_slug));
    }
    let cohorts = store::residency::cohorts(&mut conn, lab.id).await?;
    let manage = c.actor.allows(Action::ManageResidency(lab.id));
    Ok(PersonPage {
        c,
        p,
        lab,
        consents,
        residencies,
        cohorts,
        manage,
    })
}

async fn edit_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<PersonForm> {
    c.require_user()?;
    let id = person_id(&id)?;
    let mut conn = s.store.conn().await?;
    let p = store::people::get_scoped(&mut conn, &c.actor.people_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let labs = my_labs(&s, &c).await?;
    Ok(PersonForm {
        lab: String::new(),
        f: PersonInput::from_person(&p),
        c,
        labs,
        consent: ConsentInput::default(),
        status: String::new(),
        errors: Errors::default(),
        duplicates: vec![],
        editing: Some(id),
    })
}

async fn update(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<PersonInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let id = person_id(&id)?;
    match services::update_person(&s.store, &c.actor, id, &f).await {
        Ok(()) => Ok(redirect_with_flash(&format!("/people/{id}"), "flash-saved")),
        Err(AppError::Invalid(errs)) => {
            let labs = my_labs(&s, &c).await?;
            let page = PersonForm {
                c,
                labs,
                lab: String::new(),
                f,
                consent: ConsentInput::default(),
                status: String::new(),
                errors: Errors(errs),
                duplicates: vec![],
                editing: Some(id),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn withdraw_consent(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, cid)): Path<(String, String)>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    let id = person_id(&id)?;
    let cid = cid.parse().map_err(|_| AppError::NotFound)?;
    services::withdraw_consent(&s.store, &c.actor, id, cid).await?;
    Ok(redirect_with_flash(
        &format!("/people/{id}"),
        "flash-consent-withdrawn",
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TransitionForm {
    to: String,
    note: String,
    back: String,
}

async fn residency_person(
    s: &AppState,
    c: &Ctx,
    id: ResidencyId,
) -> AppResult<store::residency::Residency> {
    let mut conn = s.store.conn().await?;
    store::residency::get_scoped(&mut conn, &c.actor.scope_for(Action::ManageResidency), id)
        .await?
        .ok_or(AppError::NotFound)
}

fn back_to(back: &str, fallback: String) -> String {
    if back.starts_with("/labs/") && !back.starts_with("//") {
        back.to_string()
    } else {
        fallback
    }
}

async fn transition(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<TransitionForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let id: ResidencyId = id.parse().map_err(|_| AppError::NotFound)?;
    let r = residency_person(&s, &c, id).await?;
    let to = ResidencyStatus::parse(&f.to).ok_or(AppError::BadRequest("err-choice"))?;
    services::transition_residency(&s.store, &c.actor, id, to, &f.note).await?;
    Ok(redirect_with_flash(
        &back_to(&f.back, format!("/people/{}", r.person_id)),
        "flash-status-changed",
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CohortForm {
    cohort: String,
}

async fn set_cohort(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<CohortForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let id: ResidencyId = id.parse().map_err(|_| AppError::NotFound)?;
    let r = residency_person(&s, &c, id).await?;
    let cohort = if f.cohort.is_empty() {
        None
    } else {
        Some(
            f.cohort
                .parse()
                .map_err(|_| AppError::BadRequest("err-choice"))?,
        )
    };
    services::set_cohort(&s.store, &c.actor, id, cohort).await?;
    Ok(redirect_with_flash(
        &format!("/people/{}", r.person_id),
        "flash-saved",
    ))
}
