//! What is posted on an application's page after it is submitted: a conflict of interest, a
//! review, the tranches, releases and payments, progress reports and their answers; and a
//! venture's page.
use super::applications::{Typed, on_app};
use super::{Submit, svc, to_app};
use crate::ctx::{Ctx, Path, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::AppResult;
use crate::pages::{Errors, respond as answer};
use crate::services::grants::{PaymentInput, ReportInput, ReviewInput, TrancheInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use domain::{ApplicationId, AwardId, PaymentId, PersonId, ReportId, TrancheId, VentureId};
use serde::Deserialize;
use store::grants::{Application, Award, Venture};

#[derive(Deserialize)]
pub(super) struct ConflictForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn conflict(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
    VerifiedForm(f): VerifiedForm<ConflictForm>,
) -> AppResult<Response> {
    let result = svc::declare_conflict(&s.store, &c.actor, id, &f.reason).await;
    let t = Typed {
        conflict: Some(f.reason),
        ..Default::default()
    };
    on_app(c, &s, id, result, t, |call| {
        super::to_call(call, "flash-grant-conflict")
    })
    .await
}

pub(super) async fn review(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let (f, action): (ReviewInput, Submit) = (body.parse()?, body.parse()?);
    let submit = action.submit();
    let result = svc::save_review(&s.store, &c.actor, id, &f, submit).await;
    let flash = if submit {
        "flash-grant-reviewed"
    } else {
        "flash-saved"
    };
    let t = Typed {
        review: Some(f),
        ..Default::default()
    };
    on_app(c, &s, id, result, t, |()| to_app(id, flash)).await
}

pub(super) async fn tranches(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<AwardId>,
    VerifiedForm(f): VerifiedForm<TrancheInput>,
) -> AppResult<Response> {
    let (_, app, _, _) = svc::award_for(&s.store, &c.actor, id).await?;
    let result = svc::save_tranches(&s.store, &c.actor, id, &f).await;
    let t = Typed {
        tranches: Some(f),
        ..Default::default()
    };
    on_app(c, &s, app.id, result, t, |()| to_app(app.id, "flash-saved")).await
}

pub(super) async fn release(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<TrancheId>,
    _body: VerifiedBody,
) -> AppResult<Response> {
    let (_, _, app, _) = svc::tranche_for(&s.store, &c.actor, id).await?;
    svc::release_tranche(&s.store, &c.actor, id).await?;
    Ok(to_app(app.id, "flash-saved"))
}

pub(super) async fn pay(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<TrancheId>,
    VerifiedForm(f): VerifiedForm<PaymentInput>,
) -> AppResult<Response> {
    let (_, _, app, _) = svc::tranche_for(&s.store, &c.actor, id).await?;
    let result = svc::record_payment(&s.store, &c.actor, id, &f).await;
    let t = Typed {
        payment: Some((id, f)),
        ..Default::default()
    };
    on_app(c, &s, app.id, result, t, |_| {
        to_app(app.id, "flash-grant-paid")
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct KeyForm {
    #[serde(default)]
    key: String,
}

pub(super) async fn reverse(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PaymentId>,
    VerifiedForm(f): VerifiedForm<KeyForm>,
) -> AppResult<Response> {
    let award = svc::reverse_payment(&s.store, &c.actor, id, &f.key).await?;
    let (_, app, _, _) = svc::award_for(&s.store, &c.actor, award).await?;
    Ok(to_app(app.id, "flash-saved"))
}

pub(super) async fn report(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<AwardId>,
    VerifiedForm(f): VerifiedForm<ReportInput>,
) -> AppResult<Response> {
    let (_, app, _, _) = svc::award_for(&s.store, &c.actor, id).await?;
    let result = svc::submit_report(&s.store, &c.actor, id, &f).await;
    let t = Typed {
        report: Some(f),
        ..Default::default()
    };
    on_app(c, &s, app.id, result, t, |_| {
        to_app(app.id, "flash-grant-report")
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ResponseForm {
    decision: String,
    response: String,
}

pub(super) async fn respond(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ReportId>,
    VerifiedForm(f): VerifiedForm<ResponseForm>,
) -> AppResult<Response> {
    let (_, app, _) = svc::report_for(&s.store, &c.actor, id).await?;
    let result = svc::respond_report(&s.store, &c.actor, id, &f.decision, &f.response).await;
    let t = Typed {
        response: Some((id, f.response)),
        ..Default::default()
    };
    on_app(c, &s, app.id, result, t, |_| to_app(app.id, "flash-saved")).await
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_venture.html")]
pub(super) struct VenturePage {
    c: Ctx,
    v: Venture,
    app: Option<Application>,
    award: Option<Award>,
    can_edit: bool,
    /// Its members' shares (a joint initiative), who may set them, and what was typed.
    w: svc::VentureView,
    typed: Vec<(String, String)>,
    errors: Errors,
}

impl VenturePage {
    fn pct(&self, share: &i64) -> i64 {
        self.w.percent(*share)
    }
    /// The share field's value: what was typed (after a refusal), else the share on record.
    fn share_value(&self, person: &PersonId, share: &i64) -> String {
        let field = format!("share_{person}");
        self.typed
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| share.to_string())
    }
}

async fn venture_page(
    c: Ctx,
    s: &AppState,
    id: VentureId,
    typed: Vec<(String, String)>,
    errors: Errors,
) -> AppResult<VenturePage> {
    let w = svc::venture_view(&s.store, &c.actor, id).await?;
    Ok(VenturePage {
        c,
        v: w.venture.clone(),
        app: w.app.clone(),
        award: w.award.clone(),
        can_edit: w.can_edit,
        w,
        typed,
        errors,
    })
}

pub(super) async fn venture(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<VentureId>,
) -> AppResult<VenturePage> {
    venture_page(c, &s, id, vec![], Errors::default()).await
}

/// A joint initiative's shares set by a coordinator: saved → back with a flash; refused → the
/// page again with what was typed and why.
pub(super) async fn venture_shares(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<VentureId>,
    VerifiedForm(f): VerifiedForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let result = svc::set_shares(&s.store, &c.actor, id, &f).await;
    answer(
        result,
        |_| redirect_with_flash(&format!("/ventures/{id}"), "flash-saved"),
        async |e| venture_page(c, &s, id, f, e).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VentureStatusForm {
    status: String,
    on: String,
}

pub(super) async fn venture_status(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<VentureId>,
    VerifiedForm(f): VerifiedForm<VentureStatusForm>,
) -> AppResult<Response> {
    svc::set_venture_status(&s.store, &c.actor, id, &f.status, &f.on).await?;
    Ok(redirect_with_flash(
        &format!("/ventures/{id}"),
        "flash-saved",
    ))
}
