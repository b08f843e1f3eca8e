//! A lab's calls, the call form (new, network, edit), the call's page and what is posted there,
//! the ranking with the proposal, an award, and the decision of the round.
use super::{checked, svc, to_call};
use crate::ctx::{Ctx, PageNo, Path, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, respond};
use crate::services::grants::{CallInput, Ranking};
use crate::services::pager::Pager;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::grants::CallStatus;
use domain::{ApplicationId, GrantCallId, PersonId};
use serde::Deserialize;
use store::grants::{self as g, Application, Call, Criterion};
use store::labs::Lab;

#[derive(Template, WebTemplate)]
#[template(path = "grants_lab.html")]
pub(super) struct LabPage {
    c: Ctx,
    lab: Lab,
    calls: Vec<Call>,
}

pub(super) async fn lab_calls(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<LabPage> {
    let (lab, calls) = svc::lab_calls(&s.store, &c.actor, &slug).await?;
    Ok(LabPage { c, lab, calls })
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_call_form.html")]
pub(super) struct CallFormPage {
    c: Ctx,
    /// Where the form posts.
    action: String,
    /// The lab's name, or empty for a network call.
    lab_name: String,
    cohorts: Vec<store::residency::Cohort>,
    f: CallInput,
    errors: Errors,
    /// Saved by someone else meanwhile: (field, hers, theirs) where they differ.
    conflict: Vec<(String, String, String)>,
}

impl CallFormPage {
    fn row(&self, i: &usize) -> svc::CriterionInput {
        self.f.criteria.get(*i).cloned().unwrap_or_default()
    }
    fn rows(&self) -> Vec<usize> {
        (0..domain::grants::MAX_CRITERIA).collect()
    }
}

async fn call_form(
    c: Ctx,
    s: &AppState,
    lab: Option<&Lab>,
    action: String,
    f: CallInput,
    errors: Errors,
) -> AppResult<CallFormPage> {
    let cohorts = svc::cohorts_for(&s.store, lab.map(|l| l.id)).await?;
    Ok(CallFormPage {
        lab_name: lab.map(|l| c.lab_name(l)).unwrap_or_default(),
        c,
        action,
        cohorts,
        f,
        errors,
        conflict: vec![],
    })
}

/// Where a new call's form posts: the lab's, or the network's.
fn new_action(slug: Option<&str>) -> String {
    match slug {
        Some(slug) => format!("/labs/{slug}/grants/new"),
        None => "/grants/new".into(),
    }
}

async fn new_in(c: Ctx, s: &AppState, slug: Option<&str>) -> AppResult<CallFormPage> {
    let lab = svc::call_form_lab(&s.store, &c.actor, slug).await?;
    let (action, f) = (new_action(slug), CallInput::new_call());
    call_form(c, s, lab.as_ref(), action, f, Errors::default()).await
}

pub(super) async fn new_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<CallFormPage> {
    new_in(c, &s, Some(&slug)).await
}

pub(super) async fn new_network_call(c: Ctx, State(s): State<AppState>) -> AppResult<CallFormPage> {
    new_in(c, &s, None).await
}

async fn create_in(c: Ctx, s: &AppState, slug: Option<&str>, f: CallInput) -> AppResult<Response> {
    let lab = svc::call_form_lab(&s.store, &c.actor, slug).await?;
    respond(
        checked(svc::create_call(&s.store, &c.actor, lab.as_ref().map(|l| l.id), &f).await),
        |id| to_call(id, "flash-saved"),
        async |errors| call_form(c, s, lab.as_ref(), new_action(slug), f, errors).await,
    )
    .await
}

pub(super) async fn create_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<CallInput>,
) -> AppResult<Response> {
    create_in(c, &s, Some(&slug), f).await
}

pub(super) async fn create_network_call(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<CallInput>,
) -> AppResult<Response> {
    create_in(c, &s, None, f).await
}

pub(super) async fn edit_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
) -> AppResult<CallFormPage> {
    let k = svc::managed_call(&s.store, &c.actor, id, true).await?;
    let f = CallInput {
        version: svc::call_version(&s.store, id).await?,
        ..CallInput::from_call(&k.call, &k.criteria)
    };
    let action = format!("/grant-calls/{id}/edit");
    call_form(c, &s, k.lab.as_ref(), action, f, Errors::default()).await
}

pub(super) async fn update_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
    VerifiedForm(f): VerifiedForm<CallInput>,
) -> AppResult<Response> {
    let k = svc::managed_call(&s.store, &c.actor, id, false).await?;
    let action = format!("/grant-calls/{id}/edit");
    let result = svc::update_call(&s.store, &c.actor, &k.call, &f).await;
    if let Err(AppError::Conflict(crate::services::people::EDIT_CONFLICT)) = result {
        // Saved by someone else meanwhile: both versions shown, hers kept in the form, and the
        // new version carried so that saving again is a decision.
        let theirs = CallInput::from_call(&k.call, &k.criteria);
        let conflict = crate::pages::forms::differences(&f, &theirs);
        let version = svc::call_version(&s.store, id).await?;
        let mut page = call_form(
            c,
            &s,
            k.lab.as_ref(),
            action,
            CallInput { version, ..f },
            Errors::default(),
        )
        .await?;
        page.conflict = conflict;
        return Ok(axum::response::IntoResponse::into_response((
            StatusCode::CONFLICT,
            page,
        )));
    }
    respond(
        checked(result),
        |()| to_call(id, "flash-saved"),
        async |errors| call_form(c, &s, k.lab.as_ref(), action, f, errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_call.html")]
pub(super) struct CallPage {
    c: Ctx,
    call: Call,
    lab: Option<Lab>,
    a: svc::CallAccess,
    criteria: Vec<Criterion>,
    reviewers: Vec<g::Person>,
    candidates: Vec<g::Person>,
    /// (application, her review submitted, conflict declared) — one page of what this reader
    /// may list.
    apps: Vec<(Application, bool, bool)>,
    pg: Pager,
    conflicts: Vec<g::Conflict>,
    /// Women a coordinator may start an application with.
    women: Vec<(PersonId, String)>,
    errors: Errors,
}

impl CallPage {
    /// The statuses the coordinator can move the call to by hand.
    fn moves(&self) -> Vec<&'static str> {
        CallStatus::ALL
            .iter()
            .filter(|to| self.call.status.can_move(**to))
            .filter(|to| **to != CallStatus::Draft || self.pg.total == 0)
            .map(|to| to.code())
            .collect()
    }
}

/// The call's page with page `page` of its applications (the first after a post).
async fn call_view(
    c: Ctx,
    s: &AppState,
    id: GrantCallId,
    page: i64,
    errors: Errors,
) -> AppResult<CallPage> {
    let v = svc::call_view(&s.store, &c.actor, id, page).await?;
    Ok(CallPage {
        c,
        call: v.k.call,
        lab: v.k.lab,
        a: v.k.access,
        criteria: v.k.criteria,
        reviewers: v.reviewers,
        candidates: v.candidates,
        apps: v.apps,
        pg: v.pager,
        conflicts: v.conflicts,
        women: v.women,
        errors,
    })
}

pub(super) async fn call_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
    PageNo(page): PageNo,
) -> AppResult<CallPage> {
    call_view(c, &s, id, page, Errors::default()).await
}

/// Answers a post on the call's page: back to it with a flash, or the page with the messages.
async fn on_call<T>(
    c: Ctx,
    s: &AppState,
    id: GrantCallId,
    result: AppResult<T>,
    flash: &str,
) -> AppResult<Response> {
    respond(
        checked(result),
        |_| to_call(id, flash),
        async |errors| call_view(c, s, id, 0, errors).await,
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    to: String,
}

pub(super) async fn call_status(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
    VerifiedForm(f): VerifiedForm<StatusForm>,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, id).await?;
    let result = svc::set_call_status(&s.store, &c.actor, &call, &f.to).await;
    let mut answer = on_call(c, &s, id, result, "flash-saved").await?;
    // A move the call's state refuses is a conflict, shown on its page.
    if answer.status() == StatusCode::UNPROCESSABLE_ENTITY {
        *answer.status_mut() = StatusCode::CONFLICT;
    }
    Ok(answer)
}

#[derive(Deserialize)]
pub(super) struct ReviewerForm {
    #[serde(default)]
    user: String,
}

pub(super) async fn add_reviewer(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
    VerifiedForm(f): VerifiedForm<ReviewerForm>,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, id).await?;
    let result = svc::add_reviewer(&s.store, &c.actor, &call, &f.user).await;
    on_call(c, &s, id, result, "flash-saved").await
}

#[derive(Deserialize)]
pub(super) struct ApplyForm {
    #[serde(default)]
    person: Option<PersonId>,
}

pub(super) async fn apply(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<GrantCallId>,
    VerifiedForm(f): VerifiedForm<ApplyForm>,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, id).await?;
    respond(
        checked(svc::start_application(&s.store, &c.actor, &call, f.person).await),
        |app| {
            redirect_with_flash(
                &format!("/grant-applications/{app}/edit"),
                "flash-grant-started",
            )
        },
        async |errors| call_view(c, &s, id, 0, errors).await,
    )
    .await
}

// The ranking, awards and the decision

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
        |_| to_call(id, "flash-grant-decided"),
        async |errors| ranking_view(c, &s, id, None, f, errors).await,
    )
    .await
}

impl crate::pages::forms::Fields for CallInput {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let x = self;
        vec![
            ("title", x.title.clone()),
            ("description", x.description.clone()),
            ("budget", x.budget.clone()),
            ("min_award", x.min_award.clone()),
            ("max_award", x.max_award.clone()),
            ("opens_on", x.opens_on.clone()),
            ("closes_on", x.closes_on.clone()),
        ]
    }
}
