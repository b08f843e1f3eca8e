//! Labs: the public list and page of each lab, its application form, and for staff the intake
//! queue, cohorts, partners and staff.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, PageNo, Path, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::labs::{self as svc, Intake, LabView};
use crate::services::messages::ReachInput;
use crate::services::{self, CohortInput, ConsentInput, LabInput, PersonInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
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
        .route("/labs/{slug}/partners", lab_post(LabPost::AddPartner))
        .route(
            "/labs/{slug}/partners/remove",
            lab_post(LabPost::RemovePartner),
        )
        .route("/labs/{slug}/staff", lab_post(LabPost::Grant))
        .route("/labs/{slug}/staff/remove", lab_post(LabPost::Revoke))
}

pub(super) async fn lab_or_404(s: &AppState, slug: &str) -> AppResult<Lab> {
    svc::lab_by_slug(&s.store, slug).await
}

/// Like `respond`, but a conflict (a rule of the data, e.g. a partner already there) also shows
/// the form again, with 409 and the message beside `field`.
async fn respond_or_conflict<T, P: IntoResponse>(
    result: AppResult<T>,
    field: &str,
    done: impl FnOnce(T) -> Response,
    again: impl AsyncFnOnce(Errors) -> AppResult<P>,
) -> AppResult<Response> {
    match result {
        Err(AppError::Conflict(k)) => {
            let page = again(Errors(vec![(field.into(), k.into())])).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        other => respond(other, done, again).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "labs.html")]
struct LabsPage {
    c: Ctx,
    v: svc::LabsDirectory,
    many: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LabsQuery {
    region: String,
}

async fn list(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<LabsQuery>,
    PageNo(page): PageNo,
) -> AppResult<LabsPage> {
    let v = svc::directory(&s.store, &q.region, page).await?;
    let many = v.regions.iter().map(|r| r.1).sum::<i64>() > svc::MANY_LABS as i64;
    Ok(LabsPage { c, v, many })
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
    c.require_user()?;
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
    v: LabView,
    errors: Errors,
    /// Where the lab is, on the network map.
    map: crate::services::map::NetworkMap,
}

async fn lab_page(c: Ctx, s: &AppState, slug: &str, errors: Errors) -> AppResult<LabPage> {
    let v = svc::lab_view(&s.store, &c.actor, slug).await?;
    let map = crate::services::map::network_map(&s.store, c.lang, Some(v.lab.id)).await?;
    Ok(LabPage { c, v, errors, map })
}

async fn show(c: Ctx, State(s): State<AppState>, Path(slug): Path<String>) -> AppResult<LabPage> {
    lab_page(c, &s, &slug, Errors::default()).await
}

/// A partner (organisation and role) or a staff member (user and role), as the lab page posts.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PartnerForm {
    org: String,
    user: String,
    role: String,
}

/// The network admin's posts on a lab page.
#[derive(Clone, Copy)]
enum LabPost {
    AddPartner,
    RemovePartner,
    Grant,
    Revoke,
}

/// The route of one of the lab page's posts: back to the page, or the page again with the
/// messages (422, or 409 for a partner already there).
fn lab_post(which: LabPost) -> MethodRouter<AppState> {
    post(
        move |c: Ctx,
              State(s): State<AppState>,
              Path(slug): Path<String>,
              VerifiedForm(f): VerifiedForm<PartnerForm>| async move {
            c.require_user()?;
            let lab = lab_or_404(&s, &slug).await?.id;
            let (store, actor) = (&s.store, &c.actor);
            let result = match which {
                LabPost::AddPartner => {
                    services::add_partner(store, actor, lab, &f.org, &f.role).await
                }
                LabPost::Grant => services::grant_role(store, actor, lab, &f.user, &f.role).await,
                LabPost::RemovePartner => {
                    let org = f.org.parse().map_err(|_| AppError::NotFound)?;
                    let role = PartnerRole::parse(&f.role).ok_or(AppError::NotFound)?;
                    services::remove_partner(store, actor, lab, org, role).await
                }
                LabPost::Revoke => {
                    let user = f.user.parse().map_err(|_| AppError::NotFound)?;
                    let role = LabRole::parse(&f.role).ok_or(AppError::NotFound)?;
                    services::revoke_role(store, actor, user, lab, role).await
                }
            };
            let to = format!("/labs/{slug}");
            respond_or_conflict(
                result,
                "org",
                |()| redirect_with_flash(&to, "flash-saved"),
                async |errors| lab_page(c, &s, &slug, errors).await,
            )
            .await
        },
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "apply.html")]
struct ApplyPage {
    c: Ctx,
    lab: Lab,
    f: PersonInput,
    consent: ConsentInput,
    reach: ReachInput,
    motivation: String,
    errors: Errors,
    done: bool,
}

impl ApplyPage {
    fn reach_codes(&self) -> [&'static str; 3] {
        ["telegram", "sms", "email"]
    }
    fn langs(&self) -> [&'static str; 3] {
        ["ky", "ru", "en"]
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: String,
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
        reach: ReachInput::default(),
        motivation: String::new(),
        errors: Errors::default(),
        done: q.done == "1",
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Motivation {
    motivation: String,
}

async fn apply(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let lab = lab_or_404(&s, &slug).await?;
    let page = ApplyPage {
        c,
        lab,
        f: body.parse()?,
        consent: body.parse()?,
        reach: body.parse()?,
        motivation: body.parse::<Motivation>()?.motivation,
        errors: Errors::default(),
        done: false,
    };
    let result = services::people::apply_reaching(
        &s.store,
        &slug,
        &page.f,
        &page.motivation,
        &page.consent,
        &page.reach,
        page.c.lang,
    )
    .await;
    let to = format!("/labs/{slug}/apply?done=1");
    respond_or_conflict(
        result,
        "form",
        |_| Redirect::to(&to).into_response(),
        async |errors| Ok(ApplyPage { errors, ..page }),
    )
    .await
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
    v: Intake,
    status: String,
}

async fn intake(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<StatusQuery>,
) -> AppResult<IntakePage> {
    c.require_user()?;
    let status = ResidencyStatus::parse(&q.status);
    let v = svc::intake(&s.store, &c.actor, &slug, status).await?;
    let status = status.map(|s| s.code().to_string()).unwrap_or_default();
    Ok(IntakePage { c, v, status })
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
    let (lab, cohorts) = svc::cohorts(&s.store, &c.actor, slug).await?;
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
    let to = format!("/labs/{slug}/cohorts");
    respond(
        services::create_cohort(&s.store, &c.actor, lab.id, &f).await,
        |_| redirect_with_flash(&to, "flash-saved"),
        async |errors| cohorts_page(c, &s, &slug, f, errors).await,
    )
    .await
}
