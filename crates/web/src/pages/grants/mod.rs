//! Seed funding pages: a lab's calls and the call form (criteria rows, no script), a call's page
//! (reviewers, applications, apply), the application (the draft form with budget lines and team,
//! attachments, review with conflicts, award, tranches, payments, reports), the ranking with the
//! proposal and the decision, a venture, and everyone's own page `/grants`.
//!
//! Each handler reads its form into the service's input type, asks one service function, and
//! answers with the page, or (`pages::respond`) a redirect or the form again with 422.
mod applications;
mod calls;
mod money;

use crate::ctx::{Ctx, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::pages::forms::Errors;
use crate::services::grants as svc;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;
use store::grants::{Application, Call, Criterion};
use store::labs::Lab;

/// Every page and form of seed funding, by its path.
pub fn router() -> Router<AppState> {
    use applications::*;
    use calls::*;
    use money::*;
    let routes: Vec<(&str, MethodRouter<AppState>)> = vec![
        ("/grants", get(hub)),
        (
            "/grants/new",
            get(new_network_call).post(create_network_call),
        ),
        ("/labs/{slug}/grants", get(lab_calls)),
        ("/labs/{slug}/grants/new", get(new_call).post(create_call)),
        ("/grant-calls/{id}", get(call_page)),
        ("/grant-calls/{id}/edit", get(edit_call).post(update_call)),
        ("/grant-calls/{id}/status", post(call_status)),
        ("/grant-calls/{id}/reviewers", post(add_reviewer)),
        ("/grant-calls/{id}/apply", post(apply)),
        ("/grant-calls/{id}/ranking", get(ranking)),
        ("/grant-calls/{id}/decide", post(decide)),
        ("/grant-applications/{id}", get(application)),
        (
            "/grant-applications/{id}/edit",
            get(edit_application).post(save_application),
        ),
        ("/grant-applications/{id}/confirm", post(confirm)),
        ("/grant-applications/{id}/withdraw", post(withdraw)),
        ("/grant-applications/{id}/conflict", post(conflict)),
        ("/grant-applications/{id}/review", post(review)),
        ("/grant-applications/{id}/award", post(award)),
        ("/grant-attachments/{id}", get(download)),
        ("/grant-awards/{id}/tranches", post(tranches)),
        ("/grant-awards/{id}/reports", post(report)),
        ("/grant-tranches/{id}/release", post(release)),
        ("/grant-tranches/{id}/payments", post(pay)),
        ("/grant-payments/{id}/reverse", post(reverse)),
        ("/grant-reports/{id}/response", post(respond)),
        ("/ventures/{id}", get(venture)),
        ("/ventures/{id}/status", post(venture_status)),
        ("/ventures/{id}/shares", post(venture_shares)),
    ];
    routes
        .into_iter()
        .fold(Router::new(), |r, (path, m)| r.route(path, m))
}

/// Uploads get a larger body limit than other forms; the service refuses files past 2 MB with
/// a message, this limit only stops the absurd.
pub const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;

pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route(
            "/grant-applications/{id}/attachments",
            post(applications::upload),
        )
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// A service's answer as a form shows it: a conflict (the state moved on) is a message on the
/// form like invalid input.
fn checked<T>(r: AppResult<T>) -> AppResult<T> {
    r.map_err(|e| match e {
        AppError::Conflict(k) => AppError::Invalid(vec![("form".into(), k.into())]),
        other => other,
    })
}

/// Back to an application's page with a flash.
fn to_app(id: impl std::fmt::Display, flash: &str) -> Response {
    redirect_with_flash(&format!("/grant-applications/{id}"), flash)
}

/// Back to a call's page with a flash.
fn to_call(id: impl std::fmt::Display, flash: &str) -> Response {
    redirect_with_flash(&format!("/grant-calls/{id}"), flash)
}

/// Forms that save a draft or submit it (`action=submit`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Submit {
    action: String,
}

impl Submit {
    fn submit(&self) -> bool {
        self.action == "submit"
    }
}

impl Ctx {
    pub fn is_reviewer(&self) -> bool {
        self.actor.holds(domain::LabRole::Reviewer)
    }
    pub fn crit_name(&self, k: &Criterion) -> String {
        k.name(self.code()).to_string()
    }
    pub fn crit_guidance(&self, k: &Criterion) -> String {
        k.guidance(self.code()).to_string()
    }
    /// `73.4` for a score out of 100.
    pub fn score1<F: crate::pages::view::Val<f64>>(&self, x: F) -> String {
        format!("{:.1}", x.val())
    }
    pub fn err_points(&self, errors: &Errors, k: &Criterion) -> Option<String> {
        self.err(errors, &format!("points-{}", k.id))
    }
    /// Every message of a refused form, for the summary at the top of a long page.
    pub fn err_all(&self, errors: &Errors) -> Vec<String> {
        let mut out: Vec<String> = errors.0.iter().map(|(_, k)| self.t(k)).collect();
        out.dedup();
        out
    }
    pub fn today(&self) -> String {
        domain::time::today().to_string()
    }
}

// Everyone's own page

#[derive(Template, WebTemplate)]
#[template(path = "grants_hub.html")]
struct HubPage {
    c: Ctx,
    open_calls: Vec<Call>,
    mine: Vec<Application>,
    /// Applications whose team she is on but has not confirmed.
    invites: Vec<Application>,
    reviewing: Vec<Call>,
    labs: Vec<Lab>,
    network_calls: Vec<Call>,
    admin: bool,
}

async fn hub(c: Ctx, State(s): State<AppState>) -> AppResult<HubPage> {
    let h = svc::hub(&s.store, &c.actor).await?;
    Ok(HubPage {
        c,
        open_calls: h.open_calls,
        mine: h.mine,
        invites: h.invites,
        reviewing: h.reviewing,
        labs: h.labs,
        network_calls: h.network_calls,
        admin: h.admin,
    })
}
