//! The network admin's pages: partner organisations, staff accounts, the audit log.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, VerifiedForm, redirect_with_flash};
use crate::error::AppResult;
use crate::services::accounts::{self, Users};
use crate::services::links::{self, InviteInput};
use crate::services::network::{self as svc, OrgInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use domain::PartnerRole;
use store::labs::{Lab, Organisation};

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
    orgs: Vec<(Organisation, Vec<(Lab, PartnerRole)>)>,
    f: OrgInput,
    errors: Errors,
}

async fn orgs_page(c: Ctx, s: &AppState, f: OrgInput, errors: Errors) -> AppResult<OrgsPage> {
    c.require_user()?;
    let orgs = svc::orgs(&s.store, &c.actor).await?;
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
    c.require_user()?;
    respond(
        svc::create_org(&s.store, &c.actor, &f).await,
        |_| redirect_with_flash("/organisations", "flash-saved"),
        async |errors| orgs_page(c, &s, f, errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    c: Ctx,
    v: Users,
    pending: Vec<(store::users::AccountLink, Option<Lab>)>,
    /// Support cases need a key outside the database; without one the admin is told how.
    case_keys: bool,
    f: InviteInput,
    errors: Errors,
}

async fn users_page(c: Ctx, s: &AppState, f: InviteInput, errors: Errors) -> AppResult<UsersPage> {
    c.require_user()?;
    let v = accounts::users(&s.store, &c.actor).await?;
    let pending = links::pending(&s.store, &c.actor, None).await?;
    let case_keys = s.config.case_keys.is_some();
    Ok(UsersPage {
        c,
        v,
        pending,
        case_keys,
        f,
        errors,
    })
}

async fn users(c: Ctx, State(s): State<AppState>) -> AppResult<UsersPage> {
    users_page(c, &s, InviteInput::default(), Errors::default()).await
}

/// Invites a staff member (or a resident, by her phone or e-mail on her lab's record): the link
/// is shown once to pass on, and e-mailed when the login is an address.
async fn create_user(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<InviteInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let result = links::invite(&s, &c.actor, &c.base, c.lang, &f).await;
    let shown = c.clone();
    respond(
        result,
        move |issued| super::links::issued_page(shown, issued, "/admin/users".into()),
        async |errors| users_page(c, &s, f, errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Ctx,
    rows: Vec<store::audit::Row>,
    /// The id the next (older) page starts before.
    next: Option<i64>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AuditQuery {
    before: Option<i64>,
}

async fn audit(
    c: Ctx,
    State(s): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> AppResult<AuditPage> {
    c.require_user()?;
    let (rows, next) = svc::audit_log(&s.store, &c.actor, q.before).await?;
    Ok(AuditPage { c, rows, next })
}
