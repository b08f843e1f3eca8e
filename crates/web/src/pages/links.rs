//! Accounts by one-time links: the invitation a woman or a staff member opens to set her
//! password, "forgot password", a reset link, one's own password, and the links a coordinator
//! or the admin issues (shown once, to pass on in a messenger, or e-mailed).
use super::account::start_session;
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedForm, redirect_with_flash, safe_next};
use crate::error::{AppError, AppResult};
use crate::services::links::{self as svc, Issued, LinkState, PasswordInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{LinkId, PersonId, UserId};
use serde::Deserialize;
use store::users::{AccountLink, LinkKind};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account).post(change_password))
        .route("/invite/{token}", get(invite_page).post(accept))
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/password/reset/{token}", get(reset_page).post(reset))
        .route("/people/{id}/account", post(give_account))
        .route("/people/{id}/password-link", post(person_reset_link))
        .route("/admin/users/{id}/password-link", post(staff_reset_link))
        .route("/invitations/{id}/revoke", post(revoke))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Back {
    /// Where to return after revoking (the admin's list or her person page).
    back: String,
}

/// The caller's account: who she is and where she works, and her password.
#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    c: Ctx,
    roles: Vec<(store::labs::Lab, domain::LabRole)>,
    errors: Errors,
}

async fn account_page(c: Ctx, s: &AppState, errors: Errors) -> AppResult<AccountPage> {
    c.require_user()?;
    let roles = crate::services::accounts::my_roles(&s.store, &c.actor).await?;
    Ok(AccountPage { c, roles, errors })
}

async fn account(c: Ctx, State(s): State<AppState>) -> AppResult<AccountPage> {
    account_page(c, &s, Errors::default()).await
}

async fn change_password(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<PasswordInput>,
) -> AppResult<Response> {
    let user = c.require_user()?.clone();
    match svc::change_password(&s.store, &user, &f).await {
        Ok(u) => {
            // This session stays open with the new password's mark; every other one ends.
            start_session(&c, &u).await?;
            Ok(redirect_with_flash("/account", "flash-password-changed"))
        }
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            account_page(c, &s, Errors(errs)).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

/// The page a one-time link opens: the form, or why it no longer works.
#[derive(Template, WebTemplate)]
#[template(path = "link.html")]
struct LinkPage {
    c: Ctx,
    kind: &'static str,
    /// `open`, `used`, `expired` or `unknown`.
    state: &'static str,
    link: Option<AccountLink>,
    /// The role the invitation gives, as a message key.
    role_key: String,
    f: PasswordInput,
    errors: Errors,
}

fn link_page(c: Ctx, kind: LinkKind, st: LinkState, f: PasswordInput, errors: Errors) -> Response {
    let (state, link, status) = match st {
        LinkState::Open(l) => ("open", Some(*l), StatusCode::OK),
        LinkState::Used => ("used", None, StatusCode::GONE),
        LinkState::Expired => ("expired", None, StatusCode::GONE),
        LinkState::Unknown => ("unknown", None, StatusCode::NOT_FOUND),
    };
    let role_key = link
        .as_ref()
        .and_then(|l| l.role.clone())
        .map(|r| match r.as_str() {
            "admin" => "role-admin".to_string(),
            "resident" => "role-resident".to_string(),
            other => format!("lab-role-{other}"),
        })
        .unwrap_or_default();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    let page = LinkPage {
        c,
        kind: kind.code(),
        state,
        link,
        role_key,
        f,
        errors,
    };
    (status, page).into_response()
}

async fn invite_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let st = svc::open_link(&s.store, LinkKind::Invite, &token).await?;
    Ok(link_page(
        c,
        LinkKind::Invite,
        st,
        PasswordInput::default(),
        Errors::default(),
    ))
}

async fn accept(
    c: Ctx,
    State(s): State<AppState>,
    Path(token): Path<String>,
    VerifiedForm(f): VerifiedForm<PasswordInput>,
) -> AppResult<Response> {
    after_link(c, &s, LinkKind::Invite, &token, f).await
}

async fn reset_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let st = svc::open_link(&s.store, LinkKind::Reset, &token).await?;
    Ok(link_page(
        c,
        LinkKind::Reset,
        st,
        PasswordInput::default(),
        Errors::default(),
    ))
}

async fn reset(
    c: Ctx,
    State(s): State<AppState>,
    Path(token): Path<String>,
    VerifiedForm(f): VerifiedForm<PasswordInput>,
) -> AppResult<Response> {
    after_link(c, &s, LinkKind::Reset, &token, f).await
}

/// Uses a link: signed in with the new password on success; the form again with its messages;
/// the link's own page when it was used or expired meanwhile.
async fn after_link(
    c: Ctx,
    s: &AppState,
    kind: LinkKind,
    token: &str,
    mut f: PasswordInput,
) -> AppResult<Response> {
    let result = match kind {
        LinkKind::Invite => svc::accept_invitation(&s.store, token, &f).await,
        LinkKind::Reset => svc::reset_password(&s.store, token, &f).await,
    };
    f.password.clear();
    f.confirm.clear();
    match result {
        Ok(u) => {
            start_session(&c, &u).await?;
            let to = if u.person_id.is_some() {
                "/me"
            } else {
                "/account"
            };
            Ok(redirect_with_flash(to, "flash-password-set"))
        }
        Err(AppError::Invalid(errs)) => {
            let st = svc::open_link(&s.store, kind, token).await?;
            Ok(link_page(c, kind, st, f, Errors(errs)))
        }
        Err(AppError::NotFound) => {
            let st = svc::open_link(&s.store, kind, token).await?;
            Ok(link_page(c, kind, st, f, Errors::default()))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ForgotForm {
    login: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "password_forgot.html")]
struct ForgotPage {
    c: Ctx,
    login: String,
    sent: bool,
    errors: Errors,
}

async fn forgot_page(c: Ctx) -> ForgotPage {
    ForgotPage {
        c,
        login: String::new(),
        sent: false,
        errors: Errors::default(),
    }
}

async fn forgot(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<ForgotForm>,
) -> AppResult<Response> {
    let result = svc::request_reset(&s, &c.base, c.lang, &f.login, c.ip).await;
    let shown = c.clone();
    respond(
        result,
        move |()| {
            let page = ForgotPage {
                c: shown,
                login: String::new(),
                sent: true,
                errors: Errors::default(),
            };
            page.into_response()
        },
        async |errors| {
            Ok(ForgotPage {
                c,
                login: f.login,
                sent: false,
                errors,
            })
        },
    )
    .await
}

/// A link just issued, shown once to the one who issued it.
#[derive(Template, WebTemplate)]
#[template(path = "link_issued.html")]
struct IssuedPage {
    c: Ctx,
    issued: Issued,
    /// Where "back" goes.
    back: String,
}

pub(crate) fn issued_page(c: Ctx, issued: Issued, back: String) -> Response {
    (StatusCode::CREATED, IssuedPage { c, issued, back }).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn give_account(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    let back = format!("/people/{id}");
    match svc::invite_resident(&s, &c.actor, &c.base, c.lang, id).await {
        Ok(issued) => Ok(issued_page(c, issued, back)),
        // Her record lacks a phone and an e-mail, or she has an account: said on her page.
        Err(AppError::Invalid(errs)) => {
            let key = errs
                .first()
                .map(|(_, k)| k.as_str())
                .unwrap_or("err-invalid");
            let key = match key {
                "err-account-needs-contact" => "flash-account-needs-contact",
                "err-has-account" => "flash-has-account",
                _ => "flash-login-taken",
            };
            Ok(redirect_with_flash(&back, key))
        }
        Err(e) => Err(e),
    }
}

async fn person_reset_link(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    let issued = svc::issue_reset_for_person(&s.store, &c.actor, &c.base, c.lang, id).await?;
    Ok(issued_page(c, issued, format!("/people/{id}")))
}

async fn staff_reset_link(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<UserId>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    let issued = svc::issue_reset(&s.store, &c.actor, &c.base, c.lang, id).await?;
    Ok(issued_page(c, issued, "/admin/users".into()))
}

async fn revoke(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<LinkId>,
    VerifiedForm(f): VerifiedForm<Back>,
) -> AppResult<Response> {
    c.require_user()?;
    svc::revoke_invitation(&s.store, &c.actor, id).await?;
    Ok(redirect_with_flash(
        &safe_next(Some(&f.back)),
        "flash-invitation-revoked",
    ))
}

/// `/me` is a resident's profile; staff have no person record, so it is their account page.
pub fn staff_me() -> Response {
    Redirect::to("/account").into_response()
}
