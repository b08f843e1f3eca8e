//! Labs: the public list and page of each lab, its application form, and for staff the intake
//! queue, cohorts, partners and staff.
use super::{Errors, respond};
use crate::ctx::{Ctx, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::{self, CohortInput, ConsentInput, LabInput, PersonInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{Action, LabRole, PartnerRole, ResidencyStatus};
use serde::Deserialize;
use store::labs::Lab;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labs", get(list).post(create))
        .route("/labs/new", get(new_form))
        .route("/labs/{slug}", get(show))
        .route("/labs/{slug}/apply", get(apply_form).post(apply))
        .route("/labs/{slug}/residents", get(intake))
        .route("/labs/{slug}/cohorts", get(cohorts).post(create_cohort))
        .route("/labs/{slug}/partners", post(add_partner))
        .route("/labs/{slug}/partners/remove", post(remove_partner))
        .route("/labs/{slug}/staff", post(grant))
        .route("/labs/{slug}/staff/remove", post(revoke))
}

pub(super) async fn lab_or_404(s: &AppState, slug: &str) -> AppResult<Lab> {
    services::labs::lab_by_slug(&s.store, slug).await
}

#[derive(Template, WebTemplate)]
#[template(path = "labs.html")]
struct LabsPage {
    c: Ctx,
    labs: Vec<Lab>,
}

async fn list(c: Ctx, State(s): State<AppState>) -> AppResult<LabsPage> {
    let mut conn = s.store.conn().await?;
    Ok(LabsPage {
        c,
        labs: store::labs::list_labs(&mut conn).await?,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "lab_form.html")]
struct LabForm {
    c: Ctx,
    f: LabInput,
    errors: Errors,
}

async fn new_form(c: Ctx) -> AppResult<LabForm> {
    c.require(Action::ManageNetwork)?;
    Ok(LabForm {
        c,
        f: LabInput::default(),
        errors: Errors::default(),
    })
}

async fn create(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<LabInput>,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    let to = format!("/labs/{}", f.slug.trim().to_lowercase());
    respond(
        services::create_lab(&s.store, &c.actor, &f).await,
        |_| redirect_with_flash(&to, "flash-lab-created"),
        async |errors| Ok(LabForm { c, f, errors }),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "lab.html")]
struct LabPage {
    c: Ctx,
    lab: Lab,
    partners: Vec<store::labs::Partnership>,
    internal: bool,
    manage: bool,
    admin: bool,
    counts: Vec<(ResidencyStatus, i64)>,
    staff: Vec<store::users::StaffMember>,
    orgs: Vec<store::labs::Organisation>,
    users: Vec<store::users::User>,
    people: i64,
    errors: Errors,
}

async fn lab_page(c: Ctx, s: &AppState, slug: &str, errors: Errors) -> AppResult<LabPage> {
    let lab = lab_or_404(s, slug).await?;
    let mut conn = s.store.conn().await?;
    let partners = store::labs::partners(&mut conn, lab.id).await?;
    let internal = c.actor.allows(Action::ViewLabInternal(lab.id));
    let manage = c.actor.allows(Action::ManageResidency(lab.id));
    let admin = c.actor.allows(Action::ManageNetwork);
    let (counts, staff, people) = if internal {
        (
            store::residency::counts(&mut conn, lab.id).await?,
            store::users::staff_of_lab(&mut conn, lab.id).await?,
            store::people::count_in_lab(&mut conn, lab.id).await?,
        )
    } else {
        (vec![], vec![], 0)
    };
    let (orgs, users) = if admin {
        (
            store::labs::list_orgs(&mut conn).await?,
            store::users::list(&mut conn).await?,
        )
    } else {
        (vec![], vec![])
    };
    Ok(LabPage {
        c,
        lab,
        partners,
        internal,
        manage,
        admin,
        counts,
        staff,
        orgs,
        users,
        people,
        errors,
    })
}

async fn show(c: Ctx, State(s): State<AppState>, Path(slug): Path<String>) -> AppResult<LabPage> {
    lab_page(c, &s, &slug, Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PartnerForm {
    org: String,
    role: String,
}

async fn add_partner(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<PartnerForm>,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    let lab = lab_or_404(&s, &slug).await?;
    match services::add_partner(&s.store, &c.actor, lab.id, &f.org, &f.role).await {
        Ok(()) => Ok(redirect_with_flash(&format!("/labs/{slug}"), "flash-saved")),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            lab_page(c, &s, &slug, Errors(errs)).await?,
        )
            .into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            lab_page(c, &s, &slug, Errors(vec![("org".into(), k.into())])).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn remove_partner(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<PartnerForm>,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    let lab = lab_or_404(&s, &slug).await?;
    let org = f.org.parse().map_err(|_| AppError::NotFound)?;
    let role = PartnerRole::parse(&f.role).ok_or(AppError::NotFound)?;
    services::remove_partner(&s.store, &c.actor, lab.id, org, role).await?;
    Ok(redirect_with_flash(&format!("/labs/{slug}"), "flash-saved"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StaffForm {
    user: String,
    role: String,
}

async fn grant(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<StaffForm>,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    let lab = lab_or_404(&s, &slug).await?;
    let (Ok(user), Some(role)) = (f.user.parse(), LabRole::parse(&f.role)) else {
        let page = lab_page(
            c,
            &s,
            &slug,
            Errors(vec![("user".into(), "err-choice".into())]),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match services::grant_role(&s.store, &c.actor, user, lab.id, role).await {
        Ok(()) => Ok(redirect_with_flash(&format!("/labs/{slug}"), "flash-saved")),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            lab_page(c, &s, &slug, Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn revoke(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<StaffForm>,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    let lab = lab_or_404(&s, &slug).await?;
    let user = f.user.parse().map_err(|_| AppError::NotFound)?;
    let role = LabRole::parse(&f.role).ok_or(AppError::NotFound)?;
    services::revoke_role(&s.store, &c.actor, user, lab.id, role).await?;
    Ok(redirect_with_flash(&format!("/labs/{slug}"), "flash-saved"))
}

#[derive(Template, WebTemplate)]
#[template(path = "apply.html")]
struct ApplyPage {
    c: Ctx,
    lab: Lab,
    f: PersonInput,
    consent: ConsentInput,
    motivation: String,
    errors: Errors,
    done: bool,
}

async fn apply_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<ApplyPage> {
    let lab = lab_or_404(&s, &slug).await?;
    Ok(ApplyPage {
        c,
        lab,
        f: PersonInput::default(),
        consent: ConsentInput::default(),
        motivation: String::new(),
        errors: Errors::default(),
        done: q.done == "1",
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Motivation {
    motivation: String,
}

struct ApplyForm {
    person: PersonInput,
    consent: ConsentInput,
    motivation: String,
}

async fn apply(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let lab = lab_or_404(&s, &slug).await?;
    let f = ApplyForm {
        person: body.parse()?,
        consent: body.parse()?,
        motivation: body.parse::<Motivation>()?.motivation,
    };
    match services::apply(
        &s.store,
        &slug,
        &f.person,
        &f.motivation,
        &f.consent,
        c.lang,
    )
    .await
    {
        Ok(_) => {
            Ok(axum::response::Redirect::to(&format!("/labs/{slug}/apply?done=1")).into_response())
        }
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ApplyPage {
                c,
                lab,
                f: f.person,
                consent: f.consent,
                motivation: f.motivation,
                errors: Errors(errs),
                done: false,
            },
        )
            .into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            ApplyPage {
                c,
                lab,
                f: f.person,
                consent: f.consent,
                motivation: f.motivation,
                errors: Errors(vec![("form".into(), k.into())]),
                done: false,
            },
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusQuery {
    status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake.html")]
struct IntakePage {
    c: Ctx,
    lab: Lab,
    status: String,
    counts: Vec<(ResidencyStatus, i64)>,
    rows: Vec<store::residency::ResidencyRow>,
}

async fn intake(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<StatusQuery>,
) -> AppResult<IntakePage> {
    c.require_user()?;
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageResidency(lab.id))?;
    let status = ResidencyStatus::parse(&q.status);
    let mut conn = s.store.conn().await?;
    let rows = store::residency::of_lab(&mut conn, lab.id, status).await?;
    let counts = store::residency::counts(&mut conn, lab.id).await?;
    Ok(IntakePage {
        c,
        lab,
        status: status.map(|s| s.code().to_string()).unwrap_or_default(),
        counts,
        rows,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "cohorts.html")]
struct CohortsPage {
    c: Ctx,
    lab: Lab,
    cohorts: Vec<store::residency::Cohort>,
    f: CohortInput,
    errors: Errors,
}

async fn cohorts_page(
    c: Ctx,
    s: &AppState,
    slug: &str,
    f: CohortInput,
    errors: Errors,
) -> AppResult<CohortsPage> {
    c.require_user()?;
    let lab = lab_or_404(s, slug).await?;
    c.require(Action::ManageResidency(lab.id))?;
    let mut conn = s.store.conn().await?;
    let cohorts = store::residency::cohorts(&mut conn, lab.id).await?;
    Ok(CohortsPage {
        c,
        lab,
        cohorts,
        f,
        errors,
    })
}

async fn cohorts(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<CohortsPage> {
    cohorts_page(c, &s, &slug, CohortInput::default(), Errors::default()).await
}

async fn create_cohort(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<CohortInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let lab = lab_or_404(&s, &slug).await?;
    match services::create_cohort(&s.store, &c.actor, lab.id, &f).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/labs/{slug}/cohorts"),
            "flash-saved",
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            cohorts_page(c, &s, &slug, f, Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}
