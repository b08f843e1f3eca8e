//! People: forgiving search, assisted registration with a duplicate check, a person's record
//! (consent, residencies and their history), and moving residencies along.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::people::{
    self as svc, DeclineInput, DeclineView, PersonView, Registered, Registration,
};
use crate::services::{ConsentInput, PersonInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{ConsentId, PersonId, ResidencyId, ResidencyStatus};
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
        .route("/residencies/{id}/decline", get(decline_form).post(decline))
        .route("/residencies/{id}/reopen", post(reopen))
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
    let page = q.page.max(0);
    let found = svc::search(&s.store, &c.actor, &q.lab, &q.q, PAGE + 1, page * PAGE).await?;
    let mut people = found.people;
    let more = people.len() as i64 > PAGE;
    people.truncate(PAGE as usize);
    Ok(PeoplePage {
        c,
        labs: found.labs,
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
    /// After a conflicting save: (field, what she typed, what was saved meanwhile) for each
    /// field that differs.
    conflict: Vec<(String, String, String)>,
}

impl PersonForm {
    /// The registration form, as typed.
    fn register(c: Ctx, labs: Vec<Lab>, f: RegisterForm, errors: Errors) -> Self {
        Self {
            c,
            labs,
            lab: f.meta.lab,
            f: f.person,
            consent: f.consent,
            status: f.meta.status,
            errors,
            duplicates: vec![],
            editing: None,
            conflict: vec![],
        }
    }

    /// The edit form of a person's record.
    fn edit(c: Ctx, labs: Vec<Lab>, id: PersonId, f: PersonInput, errors: Errors) -> Self {
        Self {
            c,
            labs,
            lab: String::new(),
            f,
            consent: ConsentInput::default(),
            status: String::new(),
            errors,
            duplicates: vec![],
            editing: Some(id),
            conflict: vec![],
        }
    }
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
    let labs = svc::my_labs(&s.store, &c.actor).await?;
    let first = labs.first().ok_or(AppError::NotFound)?;
    let lab = if labs.iter().any(|l| l.slug == q.lab) {
        q.lab
    } else {
        first.slug.clone()
    };
    let meta = RegisterMeta {
        lab,
        status: "active".into(),
        not_duplicate: String::new(),
    };
    let f = RegisterForm {
        meta,
        person: PersonInput::default(),
        consent: ConsentInput::default(),
    };
    Ok(PersonForm::register(c, labs, f, Errors::default()))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RegisterMeta {
    lab: String,
    status: String,
    not_duplicate: String,
}

/// The registration form: its own fields, the person's and the consent's, from one body.
#[derive(Clone)]
struct RegisterForm {
    meta: RegisterMeta,
    person: PersonInput,
    consent: ConsentInput,
}

async fn create(c: Ctx, State(s): State<AppState>, body: VerifiedBody) -> AppResult<Response> {
    c.require_user()?;
    let f = RegisterForm {
        meta: body.parse()?,
        person: body.parse()?,
        consent: body.parse()?,
    };
    let r = Registration {
        lab: f.meta.lab.clone(),
        status: ResidencyStatus::parse(&f.meta.status).or(Some(ResidencyStatus::Applied)),
        confirmed_not_duplicate: f.meta.not_duplicate == "on",
        person: f.person.clone(),
        consent: f.consent.clone(),
    };
    let result = svc::register(&s.store, &c.actor, &r, c.lang).await;
    let (again_c, again_f) = (c.clone(), f.clone());
    respond(
        result,
        |(labs, registered)| match registered {
            Registered::Created(p) => {
                redirect_with_flash(&format!("/people/{}", p.id), "flash-person-created")
            }
            Registered::Duplicates(d) => {
                let mut page = PersonForm::register(c, labs, f, Errors::default());
                page.duplicates = d;
                (StatusCode::CONFLICT, page).into_response()
            }
        },
        async |errors| {
            let labs = svc::my_labs(&s.store, &again_c.actor).await?;
            Ok(PersonForm::register(again_c, labs, again_f, errors))
        },
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
struct PersonPage {
    c: Ctx,
    v: PersonView,
    account: crate::services::links::PersonAccount,
    rights: crate::services::rights::Status,
    channels: Vec<crate::services::messages::ChannelRow>,
}

async fn show(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<PersonPage> {
    c.require_user()?;
    let v = svc::person_view(&s.store, &c.actor, id).await?;
    let account = crate::services::links::person_account(&s.store, &c.actor, &v.person).await?;
    let rights = crate::services::rights::status(&s.store, &c.actor, &v.person).await?;
    let channels = crate::services::messages::person_channels(&s.store, &c.actor, id).await?;
    Ok(PersonPage {
        c,
        v,
        account,
        rights,
        channels,
    })
}

async fn edit_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<PersonForm> {
    c.require_user()?;
    let (f, labs) = svc::editable(&s.store, &c.actor, id).await?;
    Ok(PersonForm::edit(c, labs, id, f, Errors::default()))
}

async fn update(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<PersonInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let result = svc::update_person(&s.store, &c.actor, id, &f).await;
    if let Err(AppError::Conflict(svc::EDIT_CONFLICT)) = result {
        // Someone saved since this form was opened: show both versions, keep what she typed,
        // and carry the new version so that saving again is a decision, not an accident.
        let (theirs, labs) = svc::editable(&s.store, &c.actor, id).await?;
        let conflict = super::forms::differences(&f, &theirs);
        let mut form = PersonForm::edit(
            c,
            labs,
            id,
            PersonInput {
                version: theirs.version.clone(),
                ..f
            },
            Errors::default(),
        );
        form.conflict = conflict;
        return Ok((StatusCode::CONFLICT, form).into_response());
    }
    respond(
        result,
        |()| redirect_with_flash(&format!("/people/{id}"), "flash-saved"),
        async |errors| {
            let labs = svc::my_labs(&s.store, &c.actor).await?;
            Ok(PersonForm::edit(c, labs, id, f, errors))
        },
    )
    .await
}

impl super::forms::Fields for PersonInput {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let p = self;
        vec![
            ("family_name", p.family_name.clone()),
            ("given_name", p.given_name.clone()),
            ("patronymic", p.patronymic.clone()),
            ("name_latin", p.name_latin.clone()),
            ("phone", p.phone.clone()),
            ("email", p.email.clone()),
            ("birth_year", p.birth_year.clone()),
            ("gender", p.gender.clone()),
            ("region", p.region.clone()),
            ("district", p.district.clone()),
            ("locality", p.locality.clone()),
            ("settlement", p.settlement.clone()),
            ("languages", p.languages.join(", ")),
            ("occupation", p.occupation.clone()),
            ("family_support", p.family_support.clone()),
            ("skills", p.skills.join(", ")),
            ("aims", p.aims.clone()),
            ("monthly_income", p.monthly_income.clone()),
        ]
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn withdraw_consent(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, cid)): Path<(PersonId, ConsentId)>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    svc::withdraw_consent(&s.store, &c.actor, id, cid).await?;
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
    Path(id): Path<ResidencyId>,
    VerifiedForm(f): VerifiedForm<TransitionForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let to = ResidencyStatus::parse(&f.to).ok_or(AppError::BadRequest("err-choice"))?;
    let r = svc::transition_residency(&s.store, &c.actor, id, to, &f.note).await?;
    Ok(redirect_with_flash(
        &back_to(&f.back, format!("/people/{}", r.residency.person_id)),
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
    Path(id): Path<ResidencyId>,
    VerifiedForm(f): VerifiedForm<CohortForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let cohort = match f.cohort.as_str() {
        "" => None,
        id => Some(id.parse().map_err(|_| AppError::BadRequest("err-choice"))?),
    };
    let person = svc::set_cohort(&s.store, &c.actor, id, cohort).await?;
    Ok(redirect_with_flash(
        &format!("/people/{person}"),
        "flash-saved",
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "residency_decline.html")]
struct DeclinePage {
    c: Ctx,
    v: DeclineView,
    f: DeclineForm,
    errors: Errors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DeclineForm {
    reason: String,
    share_reason: String,
    told_in_person: String,
    back: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BackQuery {
    back: String,
}

/// The decline step: a reason, and how she will be told; confirmed by its own button.
async fn decline_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResidencyId>,
    Query(q): Query<BackQuery>,
) -> AppResult<DeclinePage> {
    c.require_user()?;
    let v = svc::decline_view(&s.store, &c.actor, id).await?;
    let f = DeclineForm {
        back: q.back,
        ..Default::default()
    };
    Ok(DeclinePage {
        c,
        v,
        f,
        errors: Errors::default(),
    })
}

async fn decline(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResidencyId>,
    VerifiedForm(f): VerifiedForm<DeclineForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let input = DeclineInput {
        reason: f.reason.clone(),
        share_reason: f.share_reason.clone(),
        told_in_person: f.told_in_person.clone(),
    };
    let result = svc::decline_residency(&s.store, &c.actor, id, &input).await;
    let back = f.back.clone();
    respond(
        result,
        |r| {
            redirect_with_flash(
                &back_to(&back, format!("/people/{}", r.residency.person_id)),
                "flash-declined",
            )
        },
        async |errors| {
            let v = svc::decline_view(&s.store, &c.actor, id).await?;
            Ok(DeclinePage { c, v, f, errors })
        },
    )
    .await
}

async fn reopen(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResidencyId>,
    VerifiedForm(f): VerifiedForm<TransitionForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let r = svc::reopen_residency(&s.store, &c.actor, id).await?;
    Ok(redirect_with_flash(
        &back_to(&f.back, format!("/people/{}", r.residency.person_id)),
        "flash-reopened",
    ))
}
