//! The ranking with the proposal, an award, and the decision of the round.
use super::{checked, svc};
use crate::ctx::{Ctx, Path, VerifiedForm, redirect_with_flash};
use crate::error::AppResult;
use crate::pages::{Errors, respond};
use crate::services::grants::Ranking;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use domain::{ApplicationId, GrantCallId};
use serde::Deserialize;
use store::grants::Call;

#[derive(Template, WebTemplate)]
#[template(path = "grants_ranking.html")]
pub(super) struct RankingPage {
    c: Ctx,
    call: Call,
    r: Ranking,
    /// The award form typed into, after a refusal.
    typed: Option<(ApplicationId, AwardForm)>,
    awarded_message: String,
    declined_message: String,
    errors: Errors,
}

impl RankingPage {
    fn typed_for(&self, row: &svc::RankRow) -> Option<&AwardForm> {
        match &self.typed {
            Some((id, f)) if *id == row.application_id => Some(f),
            _ => None,
        }
    }
    fn amount_for(&self, row: &svc::RankRow) -> String {
        match self.typed_for(row) {
            Some(f) => f.amount.clone(),
            None => domain::Money(row.proposed.unwrap_or(row.requested)).som_plain(),
        }
    }
    fn reason_for(&self, row: &svc::RankRow) -> String {
        self.typed_for(row)
            .map(|f| f.reason.clone())
            .unwrap_or_default()
    }
    fn error_for(&self, row: &svc::RankRow) -> Option<String> {
        self.typed_for(row)?;
        self.errors
            .0
            .iter()
            .find(|(f, _)| f == "amount" || f == "reason")
            .map(|(_, k)| self.c.t(k))
    }
}

async fn ranking_view(
    c: Ctx,
    s: &AppState,
    id: GrantCallId,
    typed: Option<(ApplicationId, AwardForm)>,
    messages: DecideForm,
    errors: Errors,
) -> AppResult<RankingPage> {
    let (call, r) = svc::ranking(&s.store, &c.actor, id).await?;
    let DecideForm {
        awarded_message,
        declined_message,
    } = messages;
    let (awarded_message, declined_message) =
        if awarded_message.is_empty() && declined_message.is_empty() {
            (
                c.t("grants-default-awarded"),
                c.t("grants-default-declined"),
            )
        } else {
            (awarded_message, declined_message)
        };
    Ok(RankingPage {
        c,
        call,
        r,
        typed,
        awarded_message,
        declined_message,
        errors,
    })
}

pub(super) async fn ranking(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
) -> AppResult<RankingPage> {
    ranking_view(c, &s, id, None, DecideForm::default(), Errors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AwardForm {
    amount: String,
    reason: String,
}

pub(super) async fn award(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
    VerifiedForm(f): VerifiedForm<AwardForm>,
) -> AppResult<Response> {
    let (app, call, _) = svc::app_for(&s.store, &c.actor, id).await?;
    respond(
        checked(svc::award(&s.store, &c.actor, app.id, &f.amount, &f.reason).await),
        |_| {
            redirect_with_flash(
                &format!("/grant-calls/{}/ranking", call.id),
                "flash-grant-awarded",
            )
        },
        async |errors| {
            let typed = Some((app.id, f));
            ranking_view(c, &s, call.id, typed, DecideForm::default(), errors).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DecideForm {
    awarded_message: String,
    declined_message: String,
}

pub(super) async fn decide(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
    VerifiedForm(f): VerifiedForm<DecideForm>,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, id).await?;
    let result = svc::decide(
        &s.store,
        &c.actor,
        &call,
        &f.awarded_message,
        &f.declined_message,
    )
    .await;
    respond(
        checked(result),
        |_| super::to_call(id, "flash-grant-decided"),
        async |errors| ranking_view(c, &s, id, None, f, errors).await,
    )
    .await
}
