//! The network admin's pages: partner organisations, staff accounts, the audit log.
use super::Errors;
use crate::ctx::{Ctx, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::{self, OrgInput, StaffInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(orgs).post(create_org))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/audit", get(audit))
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs.html")]
struct OrgsPage {
    c: Ctx,
    orgs: Vec<(
        store::labs::Organisation,
        Vec<(String, domain::PartnerRole)>,
    )>,
    f: OrgInput,
    errors: Errors,
}

async fn orgs_page(c: Ctx, s: &AppState, f: OrgInput, errors: Errors) -> AppResult<OrgsPage> {
    c.require(Action::ManageNetwork)?;
    let mut conn = s.store.conn().await?;
    let labs = store::labs::list_labs(&mut conn).await?;
    let mut orgs = vec![];
    for o in store::labs::list_orgs(&mut conn).await? {
        let roles = store::labs::labs_of_org(&mut conn, o.id)
            .await?
            .into_iter()
            .filter_map(|(lab, role)| {
                labs.iter()
                    .find(|l| l.id == lab)
                    .map(|l| (l.name(c.lang.code()).to_string(), role))
            })
            .collect();
        orgs.push((o, roles));
    }
    Ok(OrgsPage { c, orgs, f, errors })
}

async fn orgs(c: Ctx, State(s): State<AppState>) -> AppResult<OrgsPage> {
    orgs_page(c, &s, OrgInput::default(), Errors::default()).await
}

async fn create_org(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<OrgInput>,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    match services::create_org(&s.store, &c.actor, &f).await {
        Ok(_) => Ok(redirect_with_flash("/organisations", "flash-saved")),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            orgs_page(c, &s, f, Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    c: Ctx,
    users: Vec<(store::users::User, Vec<(String, domain::LabRole)>)>,
    labs: Vec<store::labs::Lab>,
    f: StaffInput,
    errors: Errors,
}

async fn users_page(c: Ctx, s: &AppState, f: StaffInput, errors: Errors) -> AppResult<UsersPage> {
    c.require(Action::ManageNetwork)?;
    let mut conn = s.store.conn().await?;
    let labs = store::labs::list_labs(&mut conn).await?;
    let mut users = vec![];
    for u in store::users::list(&mut conn).await? {
        let grants = store::users::grants(&mut conn, u.id)
            .await?
            .into_iter()
            .filter_map(|(lab, role)| {
                labs.iter()
                    .find(|l| l.id == lab)
                    .map(|l| (l.name(c.lang.code()).to_string(), role))
            })
            .collect();
        users.push((u, grants));
    }
    Ok(UsersPage {
        c,
        users,
        labs,
        f,
        errors,
    })
}

async fn users(c: Ctx, State(s): State<AppState>) -> AppResult<UsersPage> {
    users_page(c, &s, StaffInput::default(), Errors::default()).await
}

async fn create_user(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<StaffInput>,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    let role = match domain::Role::parse(&f.role) {
        Some(r) if r != domain::Role::Resident => r,
        _ => {
            let mut f = f;
            f.password.clear();
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                users_page(c, &s, f, Errors(vec![("role".into(), "err-choice".into())])).await?,
            )
                .into_response());
        }
    };
    let lab = {
        let mut conn = s.store.conn().await?;
        store::labs::lab_by_slug(&mut conn, &f.lab)
            .await?
            .map(|l| l.id)
    };
    let lab = if role == domain::Role::Admin {
        None
    } else {
        lab
    };
    match services::create_account(
        &s.store,
        Some(&c.actor),
        &f.login,
        &f.display_name,
        &f.password,
        role,
        lab,
        None,
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash("/admin/users", "flash-user-created")),
        Err(AppError::Invalid(errs)) => {
            let mut f = f;
            f.password.clear();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                users_page(c, &s, f, Errors(errs)).await?,
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Ctx,
    rows: Vec<store::audit::Row>,
}

async fn audit(c: Ctx, State(s): State<AppState>) -> AppResult<AuditPage> {
    c.require(Action::ReadAudit)?;
    let mut conn = s.store.conn().await?;
    let rows = store::audit::recent_except(&mut conn, None, store::audit::CONFIDENTIAL_ENTITY, 200)
        .await?;
    Ok(AuditPage { c, rows })
}
