//! Paper for the days the internet is down: the attendance sheet of a training session, the
//! check-in list of an event (names, a signature column, a QR code of the page to enter it on
//! later), and a printable application form a coordinator types in afterwards. Access is that of
//! the page each paper stands for.
use crate::error::AppResult;
use crate::i18n::Lang;
use documents::paper::{BlankForm, SignList, sign_list_pdf};
use domain::{Action, Actor, EventId, SessionId};
use store::Store;

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    domain::time::format_datetime(t)
}

/// The attendance sheet of a session: everyone enrolled, and blank rows for newcomers.
pub async fn attendance_sheet(
    store: &Store,
    actor: &Actor,
    id: SessionId,
    lang: Lang,
    base: &str,
) -> AppResult<Vec<u8>> {
    let (session, rows) = super::training::sheet(store, actor, id).await?;
    let mut c = store.conn().await?;
    let lab = store::labs::lab(&mut c, session.lab_id).await?;
    let url = format!("{base}/sessions/{id}/attendance");
    let list = SignList {
        heading: lang.t("paper-attendance-title"),
        intro: vec![
            format!("{} · {}", session.programme_title, session.module_title),
            format!(
                "{} · {}{}",
                when(session.starts_at),
                lab.map(|l| l.name(lang.code()).to_string())
                    .unwrap_or_default(),
                if session.room.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", session.room)
                }
            ),
        ],
        columns: [
            lang.t("paper-col-no"),
            lang.t("paper-col-name"),
            lang.t("paper-col-mark"),
            lang.t("paper-col-signature"),
        ],
        rows: rows
            .into_iter()
            .map(|(_, name, _)| (name, String::new()))
            .collect(),
        blank_rows: 5,
        qr_line: lang.t_args("paper-enter-later", &[("url", url.clone().into())]),
        qr_url: url,
    };
    Ok(sign_list_pdf(&list))
}

/// The check-in list of an event: who registered (with the ticket code), blank rows for walk-ins.
pub async fn checkin_list(
    store: &Store,
    actor: &Actor,
    id: EventId,
    lang: Lang,
    base: &str,
) -> AppResult<Vec<u8>> {
    let e = super::events::event_for(store, actor, id, Action::CheckIn).await?;
    let door = super::events::door(store, actor, &e, "").await?;
    let url = format!("{base}/events/{id}/checkin");
    let list = SignList {
        heading: lang.t("paper-checkin-title"),
        intro: vec![
            e.title.clone(),
            format!("{} · {}", when(e.starts_at), e.place),
        ],
        columns: [
            lang.t("paper-col-no"),
            lang.t("paper-col-name"),
            lang.t("paper-col-ticket"),
            lang.t("paper-col-signature"),
        ],
        rows: door
            .all
            .into_iter()
            .filter(|r| r.status == domain::RegistrationStatus::Confirmed)
            .map(|r| (r.name, r.ticket_code))
            .collect(),
        blank_rows: 10,
        qr_line: lang.t_args("paper-enter-later", &[("url", url.clone().into())]),
        qr_url: url,
    };
    Ok(sign_list_pdf(&list))
}

/// A printable application form of a lab (public, like the form on the web).
pub async fn application_form(
    store: &Store,
    slug: &str,
    lang: Lang,
    base: &str,
) -> AppResult<Vec<u8>> {
    let mut c = store.conn().await?;
    let lab = store::labs::lab_by_slug(&mut c, slug)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let url = format!("{base}/people/new");
    let field = |k: &str, n: usize| (lang.t(&format!("field-{k}")), n);
    let f = BlankForm {
        heading: lang.t("paper-application-title"),
        intro: vec![lab.name(lang.code()).to_string()],
        fields: vec![
            field("family_name", 1),
            field("given_name", 1),
            field("patronymic", 1),
            field("birth_year", 1),
            field("phone", 1),
            field("email", 1),
            field("district", 1),
            field("locality", 1),
            field("languages", 1),
            field("skills", 2),
            field("aims", 2),
            field("motivation", 4),
        ],
        consent: lang.t("consent-text"),
        signature: lang.t("paper-consent-signature"),
        qr_line: lang.t_args("paper-enter-later", &[("url", url.clone().into())]),
        qr_url: url,
    };
    Ok(documents::paper::blank_form_pdf(&f))
}
