//! Signing in and out, the language switch, and a resident's own profile.
use super::Errors;
use crate::ctx::{Ctx, LANG_COOKIE, VerifiedForm, redirect_with_flash, safe_next};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::{self, OwnProfileInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
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
    // A phone typed in any local spelling signs in a resident whose login is her E.164 number.
    let login = match domain::Phone::parse(&f.login) {
        Ok(p) if !f.login.contains('@') => p.as_str().to_string(),
        _ => f.login.trim().to_string(),
    };
    match crate::services::accounts::authenticate(&s, &login, &f.password, c.ip).await {
        Ok(user) => {
            let session = c
                .session
                .clone()
                .ok_or(AppError::Internal(anyhow::anyhow!("no session layer")))?;
            // A new session id at sign-in: a planted session id cannot be carried into the account.
            session
                .cycle_id()
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            session
                .insert("uid", user.id.to_string())
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            session
                .insert("auth", crate::secrets::auth_hash(&user))
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
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
    person: store::people::Person,
    lab: Option<store::labs::Lab>,
    form: services::PersonInput,
    errors: Errors,
    consents: Vec<store::people::Consent>,
    residencies: Vec<store::residency::Residency>,
}

async fn me_page(
    c: Ctx,
    s: &AppState,
    form: Option<services::PersonInput>,
    errors: Errors,
) -> AppResult<MePage> {
    c.require_user()?;
    let me = c.actor.person_id.ok_or(AppError::NotFound)?;
    c.require(domain::Action::OwnProfile(me))?;
    let mut conn = s.store.conn().await?;
    let person = store::people::get_scoped(&mut conn, &domain::LabScope::All, me)
        .await?
        .ok_or(AppError::NotFound)?;
    let lab = store::labs::lab(&mut conn, person.lab_id).await?;
    let consents = store::people::consents(&mut conn, me).await?;
    let residencies = store::residency::of_person(&mut conn, me).await?;
    let form = form.unwrap_or_else(|| services::PersonInput::from_person(&person));
    Ok(MePage {
        c,
        person,
        lab,
        form,
        errors,
        consents,
        residencies,
    })
}

async fn me(c: Ctx, State(s): State<AppState>) -> AppResult<MePage> {
    me_page(c, &s, None, Errors::default()).await
}

async fn update_me(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<OwnProfileInput>,
) -> AppResult<Response> {
    match services::update_own_profile(&s.store, &c.actor, &f).await {
        Ok(()) => Ok(redirect_with_flash("/me", "flash-saved")),
        Err(AppError::Invalid(errs)) => {
            let mut page = me_page(c, &s, None, Errors(errs)).await?;
            page.form.phone = f.phone;
            page.form.email = f.email;
            page.form.district = f.district;
            page.form.locality = f.locality;
            page.form.languages = f.languages;
            page.form.skills = f.skills;
            page.form.aims = f.aims;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn withdraw_my_consent(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    let me = c.actor.person_id.ok_or(AppError::NotFound)?;
    c.require(domain::Action::OwnProfile(me))?;
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    services::withdraw_consent(&s.store, &c.actor, me, id).await?;
    Ok(redirect_with_flash("/me", "flash-consent-withdrawn"))
}
