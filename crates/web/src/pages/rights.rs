//! Her data, her rights: everything kept about her as JSON or a PDF (from her page, for a
//! coordinator of her lab; from /me, for herself), and the erasure of her record, confirmed with
//! a reason on its own page.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedForm, redirect_with_flash};
use crate::download;
use crate::error::AppResult;
use crate::services::rights::{self as svc, EraseInput, Export};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use domain::PersonId;
use store::people::Person;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people/{id}/export.json", get(export_json))
        .route("/people/{id}/export.pdf", get(export_pdf))
        .route("/people/{id}/erase", get(erase_form).post(erase))
        .route("/me/export.json", get(own_json))
        .route("/me/export.pdf", get(own_pdf))
}

fn json(e: &Export) -> Response {
    let body = serde_json::to_vec_pretty(&svc::export_json(e)).unwrap_or_default();
    download::file(
        body,
        "application/json",
        &format!("record-{}.json", e.person),
    )
}

fn pdf(e: &Export) -> Response {
    download::file(
        svc::export_pdf(e),
        "application/pdf",
        &format!("record-{}.pdf", e.person),
    )
}

async fn export_json(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    c.require_user()?;
    Ok(json(&svc::export(&s.store, &c.actor, id, c.lang).await?))
}

async fn export_pdf(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<Response> {
    c.require_user()?;
    Ok(pdf(&svc::export(&s.store, &c.actor, id, c.lang).await?))
}

async fn own_json(c: Ctx, State(s): State<AppState>) -> AppResult<Response> {
    c.require_user()?;
    Ok(json(&svc::own_export(&s.store, &c.actor, c.lang).await?))
}

async fn own_pdf(c: Ctx, State(s): State<AppState>) -> AppResult<Response> {
    c.require_user()?;
    Ok(pdf(&svc::own_export(&s.store, &c.actor, c.lang).await?))
}

#[derive(Template, WebTemplate)]
#[template(path = "rights_erase.html")]
struct ErasePage {
    c: Ctx,
    p: Person,
    f: EraseInput,
    reasons: &'static [&'static str],
    errors: Errors,
}

async fn erase_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
) -> AppResult<ErasePage> {
    c.require_user()?;
    let p = svc::erase_view(&s.store, &c.actor, id).await?;
    Ok(ErasePage {
        c,
        p,
        f: EraseInput::default(),
        reasons: svc::REASONS,
        errors: Errors::default(),
    })
}

async fn erase(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonId>,
    VerifiedForm(f): VerifiedForm<EraseInput>,
) -> AppResult<Response> {
    c.require_user()?;
    respond(
        svc::erase(&s.store, &c.actor, id, &f).await,
        |_| redirect_with_flash("/people", "flash-rights-erased"),
        async |errors| {
            let p = svc::erase_view(&s.store, &c.actor, id).await?;
            Ok(ErasePage {
                c,
                p,
                f,
                reasons: svc::REASONS,
                errors,
            })
        },
    )
    .await
}
