//! Signing in and out, the language switch, and a resident's own profile.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, LANG_COOKIE, Path, VerifiedForm, redirect_with_flash, safe_next};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::accounts::authenticate;
use crate::services::people::{self, OwnProfile, OwnProfileInput, PersonInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::ConsentId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
        .route("/me", get(me).post(update_me))
        .route("/me/consents/{id}/withdraw", post(withdraw_my_consent))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    c: Ctx,
    login: String,
    next: String,
    error: Option<String>,
}

async fn login_form(c: Ctx, Query(q): Query<NextQuery>) -> Response {
    if c.user.is_some() {
        return Redirect::to(&safe_next(Some(&q.next))).into_response();
    }
    LoginPage {
        c,
        login: String::new(),
        next: safe_next(Some(&q.next)),
        error: None,
    }
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    login: String,
    password: String,
    next: String,
}

async fn login(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<LoginForm>,
) -> AppResult<Response> {
    match authenticate(&s, &f.login, &f.password, c.ip).await {
        Ok(user) => {
            start_session(&c, &user).await?;
            let next = safe_next(Some(&f.next));
            let to = if next == "/" {
                if user.person_id.is_some() {
                    "/me".to_string()
                } else {
                    "/labs".to_string()
                }
            } else {
                next
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e @ (AppError::BadRequest(_) | AppError::TooMany)) => {
            let status = e.status();
            let key = e.key().to_string();
            let error = Some(c.t(&key));
            let page = LoginPage {
                c,
                login: f.login,
                next: safe_next(Some(&f.next)),
                error,
            };
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Signs `user` in on this browser: a new session id (a planted one cannot be carried into the
/// account), marked with her password so that a changed password ends other sessions.
pub(crate) async fn start_session(c: &Ctx, user: &store::users::User) -> AppResult<()> {
    let session = c
        .session
        .clone()
        .ok_or(AppError::Internal(anyhow::anyhow!("no session layer")))?;
    let fail =
        |e: tower_sessions::session::Error| AppError::Internal(anyhow::anyhow!("session: {e}"));
    session.cycle_id().await.map_err(fail)?;
    session
        .insert("uid", user.id.to_string())
        .await
        .map_err(fail)?;
    session
        .insert("auth", crate::secrets::auth_hash(user))
        .await
        .map_err(fail)?;
    Ok(())
}

async fn logout(c: Ctx, VerifiedForm(_f): VerifiedForm<NextQuery>) -> AppResult<Response> {
    if let Some(s) = &c.session {
        s.flush()
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
    }
    Ok(redirect_with_flash("/", "flash-signed-out"))
}

async fn switch_lang(c: Ctx, Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::parse(&code).unwrap_or(c.lang);
    let mut r = Redirect::to(&safe_next(Some(&q.next))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
struct MePage {
    c: Ctx,
    v: OwnProfile,
    form: PersonInput,
    errors: Errors,
}

async fn me(c: Ctx, State(s): State<AppState>) -> AppResult<Response> {
    if c.require_user()?.person_id.is_none() {
        return Ok(super::links::staff_me());
    }
    let v = people::own_profile(&s.store, &c.actor).await?;
    let form = PersonInput::from_person(&v.person);
    let errors = Errors::default();
    Ok(MePage { c, v, form, errors }.into_response())
}

async fn update_me(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<OwnProfileInput>,
) -> AppResult<Response> {
    respond(
        people::update_own_profile(&s.store, &c.actor, &f).await,
        |()| redirect_with_flash("/me", "flash-saved"),
        async |errors| {
            let v = people::own_profile(&s.store, &c.actor).await?;
            // Her record, with what she typed over the fields she may change.
            let form = PersonInput {
                phone: f.phone,
                email: f.email,
                district: f.district,
                locality: f.locality,
                languages: f.languages,
                skills: f.skills,
                aims: f.aims,
                ..PersonInput::from_person(&v.person)
            };
            Ok(MePage { c, v, form, errors })
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn withdraw_my_consent(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ConsentId>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    people::withdraw_own_consent(&s.store, &c.actor, id).await?;
    Ok(redirect_with_flash("/me", "flash-consent-withdrawn"))
}
