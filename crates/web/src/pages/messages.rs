//! Her channels (`/me/channels`), what was sent to her (`/me/messages`), what was sent to a
//! woman as her lab's staff see it, a lab's group message page, and the Telegram webhook.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::messages::{
    self as svc, ChannelsInput, ChannelsView, GroupInput, GroupPage, GroupPreview, TelegramLink,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::PersonId;
use serde::Deserialize;
use store::messages::Delivery;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/channels", get(channels).post(save_channels))
        .route("/me/channels/{channel}/stop", post(stop))
        .route("/me/telegram", post(link_telegram))
        .route("/tickets/{token}/telegram", post(link_telegram_from_ticket))
        .route("/me/messages", get(my_messages))
        .route("/people/{id}/messages", get(person_messages))
        .route("/labs/{slug}/messages", get(group_form).post(group_send))
        .route("/sessions/{id}/attendance.pdf", get(attendance_pdf))
        .route("/events/{id}/checkin.pdf", get(checkin_pdf))
        .route("/labs/{slug}/apply.pdf", get(application_pdf))
}

/// The bot's webhook, served outside the text rule: Telegram sends whatever she typed, and an
/// update refused would be sent again and again.
pub(crate) fn webhook_router() -> Router<AppState> {
    Router::new().route("/telegram/webhook", post(webhook))
}

async fn attendance_pdf(
    c: Ctx,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<domain::SessionId>,
) -> AppResult<Response> {
    c.require_user()?;
    let base = crate::ctx::base_url(&s.config, &headers);
    let pdf =
        crate::services::paper::attendance_sheet(&s.store, &c.actor, id, c.lang, &base).await?;
    Ok(crate::download::file(
        pdf,
        "application/pdf",
        &format!("attendance-{id}.pdf"),
    ))
}

async fn checkin_pdf(
    c: Ctx,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<domain::EventId>,
) -> AppResult<Response> {
    c.require_user()?;
    let base = crate::ctx::base_url(&s.config, &headers);
    let pdf = crate::services::paper::checkin_list(&s.store, &c.actor, id, c.lang, &base).await?;
    Ok(crate::download::file(
        pdf,
        "application/pdf",
        &format!("checkin-{id}.pdf"),
    ))
}

async fn application_pdf(
    c: Ctx,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let base = crate::ctx::base_url(&s.config, &headers);
    let pdf = crate::services::paper::application_form(&s.store, &slug, c.lang, &base).await?;
    Ok(crate::download::file(
        pdf,
        "application/pdf",
        &format!("application-{slug}.pdf"),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "messages_channels.html")]
struct ChannelsPage {
    c: Ctx,
    v: ChannelsView,
    link: Option<TelegramLink>,
    errors: Errors,
    link_minutes: i64,
}

const CODES: &[&str] = &["telegram", "sms", "email"];

impl ChannelsPage {
    fn codes(&self) -> &'static [&'static str] {
        CODES
    }
    fn langs(&self) -> &'static [&'static str] {
        &["ky", "ru", "en"]
    }
    fn places(&self) -> &'static [i64] {
        &[1, 2, 3]
    }
    fn at(&self, ch: &str, n: &i64) -> bool {
        self.v.position(ch) == *n
    }
    fn is_telegram(&self, ch: &str) -> bool {
        ch == "telegram"
    }
    /// Telegram is agreed to by linking a chat; the others by ticking.
    fn may_agree(&self, ch: &str) -> bool {
        ch != "telegram" || self.v.row(ch).is_some_and(|r| r.linked)
    }
    fn lang_selected(&self, code: &str) -> bool {
        match &self.v.language {
            Some(l) => l == code,
            None => self.c.lang.code() == code,
        }
    }
}

async fn channels(c: Ctx, State(s): State<AppState>) -> AppResult<ChannelsPage> {
    c.require_user()?;
    let v = svc::my_channels(&s.store, &c.actor, s.channels.telegram.is_some()).await?;
    Ok(ChannelsPage {
        c,
        v,
        link: None,
        errors: Errors::default(),
        link_minutes: svc::LINK_MINUTES,
    })
}

async fn save_channels(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<ChannelsInput>,
) -> AppResult<Response> {
    c.require_user()?;
    respond(
        svc::save_my_channels(&s.store, &c.actor, &f).await,
        |()| redirect_with_flash("/me/channels", "flash-saved"),
        async |errors| {
            let v = svc::my_channels(&s.store, &c.actor, s.channels.telegram.is_some()).await?;
            Ok(ChannelsPage {
                c,
                v,
                link: None,
                errors,
                link_minutes: svc::LINK_MINUTES,
            })
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn stop(
    c: Ctx,
    State(s): State<AppState>,
    Path(channel): Path<String>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<Response> {
    c.require_user()?;
    svc::stop_my_channel(&s.store, &c.actor, &channel).await?;
    Ok(redirect_with_flash("/me/channels", "flash-msg-stopped"))
}

async fn link_telegram(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<ChannelsPage> {
    c.require_user()?;
    let link = svc::telegram_link(&s, &c.actor).await?;
    let v = svc::my_channels(&s.store, &c.actor, true).await?;
    Ok(ChannelsPage {
        c,
        v,
        link: Some(link),
        errors: Errors::default(),
        link_minutes: svc::LINK_MINUTES,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "messages_ticket_link.html")]
struct TicketLinkPage {
    c: Ctx,
    link: TelegramLink,
    token: String,
    link_minutes: i64,
}

async fn link_telegram_from_ticket(
    c: Ctx,
    State(s): State<AppState>,
    Path(token): Path<String>,
    VerifiedForm(_f): VerifiedForm<Empty>,
) -> AppResult<TicketLinkPage> {
    let link = svc::telegram_link_for_ticket(&s, &token).await?;
    Ok(TicketLinkPage {
        c,
        link,
        token,
        link_minutes: svc::LINK_MINUTES,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "messages_history.html")]
struct HistoryPage {
    c: Ctx,
    title: String,
    list: Vec<Delivery>,
    /// Her own page shows the text; staff see template, channel and status.
    own: bool,
}

async fn my_messages(c: Ctx, State(s): State<AppState>) -> AppResult<HistoryPage> {
    c.require_user()?;
    let list = svc::my_messages(&s.store, &c.actor).await?;
    Ok(HistoryPage {
        title: c.t("msg-history-title"),
        c,
        list,
        own: true,
    })
}

async fn person_messages(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<HistoryPage> {
    c.require_user()?;
    let list = svc::person_messages(&s.store, &c.actor, id).await?;
    Ok(HistoryPage {
        title: c.t("msg-history-title"),
        c,
        list,
        own: false,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "messages_group.html")]
struct GroupFormPage {
    c: Ctx,
    p: GroupPage,
    f: GroupInput,
    preview: Option<GroupPreview>,
    errors: Errors,
}

impl GroupFormPage {
    fn codes(&self) -> &'static [&'static str] {
        CODES
    }
    fn audiences(&self) -> &'static [&'static str] {
        &["lab", "cohort", "programme", "event"]
    }
    fn templates(&self) -> &'static [&'static str] {
        domain::messages::GROUP_TEMPLATES
    }
    fn chan(&self, code: &str) -> bool {
        self.f.channels.iter().any(|c| c == code)
    }
    fn cost_line(&self, pr: &GroupPreview) -> String {
        self.c.lang.t_args(
            "msg-sms-cost",
            &[
                ("n", (pr.sms_segments as i64).into()),
                ("text", self.c.money(pr.sms_cost).into()),
            ],
        )
    }
}

async fn group_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<GroupFormPage> {
    c.require_user()?;
    let p = svc::group_page(&s.store, &c.actor, &slug).await?;
    Ok(GroupFormPage {
        c,
        p,
        f: GroupInput {
            audience: "lab".into(),
            template: "lab-news".into(),
            channels: vec!["telegram".into(), "sms".into(), "email".into()],
            ..Default::default()
        },
        preview: None,
        errors: Errors::default(),
    })
}

async fn group_send(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<GroupInput>,
) -> AppResult<Response> {
    c.require_user()?;
    let (preview, errors, status) = match svc::group_message(&s, &c.actor, &slug, &f).await {
        Ok(p) if p.sent => {
            return Ok(redirect_with_flash(
                &format!("/labs/{slug}/messages"),
                "flash-msg-sent",
            ));
        }
        // Counted, not sent: the page again with the count and the cost, and a send button.
        Ok(p) => (Some(p), Errors::default(), StatusCode::OK),
        Err(AppError::Invalid(errs)) => (None, Errors(errs), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e),
    };
    let p = svc::group_page(&s.store, &c.actor, &slug).await?;
    let page = GroupFormPage {
        c,
        p,
        f: GroupInput {
            confirm: String::new(),
            ..f
        },
        preview,
        errors,
    };
    Ok((status, page).into_response())
}

/// Updates from Telegram: only with the secret token it was given (`setWebhook`).
async fn webhook(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(tg) = s.channels.telegram.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let secret = tg.webhook_secret();
    if !same_secret(given, secret.as_bytes()) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Ok(update) = serde_json::from_slice::<crate::telegram::Update>(&body) else {
        // Telegram would send it again and again: take it and drop it.
        return StatusCode::OK.into_response();
    };
    if let Err(e) = svc::handle_telegram_update(&s.store, tg, &update).await {
        tracing::warn!(error = %e, "telegram update failed");
    }
    StatusCode::OK.into_response()
}

/// Compared in constant time.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
