//! Seed funding pages: a lab's calls and the call form (criteria rows, no script), a call's page
//! (reviewers, applications, apply), the application (the draft form with budget lines and team,
//! attachments, review with conflicts, award, tranches, payments, reports), the ranking with the
//! proposal and the decision, a venture, and everyone's own page `/grants`.
use super::Errors;
use super::labs::lab_or_404;
use crate::ctx::{Ctx, RequestMeta, VerifiedBody, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::grants::{
    self as svc, AppAccess, ApplicationInput, CallAccess, CallInput, PaymentInput, Ranking,
    ReportInput, ReviewInput, TrancheInput,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::grants::{ApplicationStatus, CallStatus};
use domain::{
    Action, ApplicationId, AttachmentId, AwardId, GrantCallId, PaymentId, PersonId, ReportId,
    TrancheId, VentureId,
};
use store::grants::{
    self as g, Application, Attachment, Award, BudgetLine, Call, Criterion, Payment, Report,
    Review, TeamMember, Tranche, Venture,
};
use store::labs::Lab;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/grants", get(hub))
        .route(
            "/grants/new",
            get(new_network_call).post(create_network_call),
        )
        .route("/labs/{slug}/grants", get(lab_calls))
        .route("/labs/{slug}/grants/new", get(new_call).post(create_call))
        .route("/grant-calls/{id}", get(call_page))
        .route("/grant-calls/{id}/edit", get(edit_call).post(update_call))
        .route("/grant-calls/{id}/status", post(call_status))
        .route("/grant-calls/{id}/reviewers", post(add_reviewer))
        .route("/grant-calls/{id}/apply", post(apply))
        .route("/grant-calls/{id}/ranking", get(ranking))
        .route("/grant-calls/{id}/decide", post(decide))
        .route("/grant-applications/{id}", get(application))
        .route(
            "/grant-applications/{id}/edit",
            get(edit_application).post(save_application),
        )
        .route("/grant-applications/{id}/confirm", post(confirm))
        .route("/grant-applications/{id}/withdraw", post(withdraw))
        .route("/grant-applications/{id}/conflict", post(conflict))
        .route("/grant-applications/{id}/review", post(review))
        .route("/grant-applications/{id}/award", post(award))
        .route("/grant-attachments/{id}", get(download))
        .route("/grant-awards/{id}/tranches", post(tranches))
        .route("/grant-awards/{id}/reports", post(report))
        .route("/grant-tranches/{id}/release", post(release))
        .route("/grant-tranches/{id}/payments", post(pay))
        .route("/grant-payments/{id}/reverse", post(reverse))
        .route("/grant-reports/{id}/response", post(respond))
        .route("/ventures/{id}", get(venture))
        .route("/ventures/{id}/status", post(venture_status))
}

/// Uploads get a larger body limit than other forms; the service refuses files past 2 MB with
/// a message, this limit only stops the absurd.
pub const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;

pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/grant-applications/{id}/attachments", post(upload))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

fn parse_id<T: std::str::FromStr>(s: &str) -> AppResult<T> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn field(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn invalid(e: AppError) -> Result<Errors, AppError> {
    match e {
        AppError::Invalid(errs) => Ok(Errors(errs)),
        AppError::Conflict(k) => Ok(Errors(vec![("form".into(), k.into())])),
        other => Err(other),
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
    pub fn score1<F: super::Val<f64>>(&self, x: F) -> String {
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

// ---------------------------------------------------------------------------------------------
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
    let user = c.require_user()?.id;
    let mut conn = s.store.conn().await?;
    let mut open_calls = vec![];
    let mut mine = vec![];
    let mut invites = vec![];
    if let Some(p) = c.actor.person_id {
        for r in store::residency::of_person(&mut conn, p).await? {
            if r.status != domain::ResidencyStatus::Active {
                continue;
            }
            for k in g::calls(&mut conn, g::Calls::VisibleTo(r.lab_id)).await? {
                let cohort_ok = k.cohort_id.is_none_or(|x| r.cohort_id == Some(x));
                if cohort_ok
                    && k.accepting(domain::time::today())
                    && !open_calls.iter().any(|o: &Call| o.id == k.id)
                {
                    open_calls.push(k);
                }
            }
        }
        for a in g::applications_of_person(&mut conn, p).await? {
            if a.person_id == p {
                mine.push(a);
            } else if g::team(&mut conn, a.id)
                .await?
                .iter()
                .any(|m| m.person_id == p && m.confirmed_at.is_none())
            {
                invites.push(a);
            } else {
                mine.push(a);
            }
        }
    }
    let reviewing = g::calls(&mut conn, g::Calls::ReviewedBy(user)).await?;
    let labs: Vec<Lab> = store::labs::list_labs(&mut conn)
        .await?
        .into_iter()
        .filter(|l| c.actor.allows(Action::ManageGrants(l.id)))
        .collect();
    let admin = c.actor.allows(Action::ManageNetwork);
    let network_calls = if admin {
        g::calls(&mut conn, g::Calls::Network).await?
    } else {
        vec![]
    };
    Ok(HubPage {
        c,
        open_calls,
        mine,
        invites,
        reviewing,
        labs,
        network_calls,
        admin,
    })
}

// ---------------------------------------------------------------------------------------------
// A lab's calls and the call form

#[derive(Template, WebTemplate)]
#[template(path = "grants_lab.html")]
struct LabPage {
    c: Ctx,
    lab: Lab,
    calls: Vec<Call>,
}

async fn lab_calls(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<LabPage> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageGrants(lab.id))?;
    let mut conn = s.store.conn().await?;
    let calls = g::calls(&mut conn, g::Calls::OfLab(lab.id))
        .await?
        .into_iter()
        .filter(|k| k.lab_id.is_some() || k.status != CallStatus::Draft)
        .collect();
    Ok(LabPage { c, lab, calls })
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_call_form.html")]
struct CallFormPage {
    c: Ctx,
    /// Where the form posts.
    action: String,
    /// The lab's name, or empty for a network call.
    lab_name: String,
    cohorts: Vec<store::residency::Cohort>,
    f: CallInput,
    errors: Errors,
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
    })
}

async fn new_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<CallFormPage> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageGrants(lab.id))?;
    let action = format!("/labs/{slug}/grants/new");
    call_form(
        c,
        &s,
        Some(&lab),
        action,
        CallInput::new_call(),
        Errors::default(),
    )
    .await
}

async fn new_network_call(c: Ctx, State(s): State<AppState>) -> AppResult<CallFormPage> {
    c.require(Action::ManageNetwork)?;
    call_form(
        c,
        &s,
        None,
        "/grants/new".into(),
        CallInput::new_call(),
        Errors::default(),
    )
    .await
}

async fn create_in(
    c: Ctx,
    s: &AppState,
    lab: Option<Lab>,
    action: String,
    body: VerifiedBody,
) -> AppResult<Response> {
    let pairs: Vec<(String, String)> = body.parse()?;
    let f = CallInput::from_pairs(&pairs);
    match svc::create_call(&s.store, &c.actor, lab.as_ref().map(|l| l.id), &f).await {
        Ok(id) => Ok(redirect_with_flash(
            &format!("/grant-calls/{id}"),
            "flash-saved",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                call_form(c, s, lab.as_ref(), action, f, errors).await?,
            )
                .into_response())
        }
    }
}

async fn create_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageGrants(lab.id))?;
    let action = format!("/labs/{slug}/grants/new");
    create_in(c, &s, Some(lab), action, body).await
}

async fn create_network_call(
    c: Ctx,
    State(s): State<AppState>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require(Action::ManageNetwork)?;
    create_in(c, &s, None, "/grants/new".into(), body).await
}

async fn lab_of(s: &AppState, call: &Call) -> AppResult<Option<Lab>> {
    match call.lab_id {
        Some(l) => {
            let mut conn = s.store.conn().await?;
            Ok(store::labs::list_labs(&mut conn)
                .await?
                .into_iter()
                .find(|x| x.id == l))
        }
        None => Ok(None),
    }
}

async fn edit_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<CallFormPage> {
    let (call, access) = svc::call_for(&s.store, &c.actor, parse_id(&id)?).await?;
    if !access.manage || call.status != CallStatus::Draft {
        return Err(AppError::NotFound);
    }
    let mut conn = s.store.conn().await?;
    let criteria = g::criteria(&mut conn, call.id).await?;
    drop(conn);
    let lab = lab_of(&s, &call).await?;
    let f = CallInput::from_call(&call, &criteria);
    call_form(
        c,
        &s,
        lab.as_ref(),
        format!("/grant-calls/{id}/edit"),
        f,
        Errors::default(),
    )
    .await
}

async fn update_call(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let (call, access) = svc::call_for(&s.store, &c.actor, parse_id(&id)?).await?;
    if !access.manage {
        return Err(AppError::NotFound);
    }
    let pairs: Vec<(String, String)> = body.parse()?;
    let f = CallInput::from_pairs(&pairs);
    match svc::update_call(&s.store, &c.actor, &call, &f).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/grant-calls/{id}"),
            "flash-saved",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            let lab = lab_of(&s, &call).await?;
            let action = format!("/grant-calls/{id}/edit");
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                call_form(c, &s, lab.as_ref(), action, f, errors).await?,
            )
                .into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A call

#[derive(Template, WebTemplate)]
#[template(path = "grants_call.html")]
struct CallPage {
    c: Ctx,
    call: Call,
    lab: Option<Lab>,
    a: CallAccess,
    criteria: Vec<Criterion>,
    reviewers: Vec<g::Person>,
    candidates: Vec<g::Person>,
    /// (application, her review submitted, conflict declared) — what this reader may list.
    apps: Vec<(Application, bool, bool)>,
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
            .filter(|to| **to != CallStatus::Draft || self.apps.is_empty())
            .map(|to| to.code())
            .collect()
    }
}

async fn call_view(c: Ctx, s: &AppState, id: GrantCallId, errors: Errors) -> AppResult<CallPage> {
    let (call, a) = svc::call_for(&s.store, &c.actor, id).await?;
    let user = c.require_user()?.id;
    let mut conn = s.store.conn().await?;
    let criteria = g::criteria(&mut conn, id).await?;
    let (reviewers, candidates, conflicts) = if a.manage {
        (
            g::reviewers(&mut conn, id).await?,
            g::reviewer_candidates(&mut conn, call.lab_id).await?,
            g::conflicts(&mut conn, id).await?,
        )
    } else {
        (vec![], vec![], vec![])
    };
    let all = g::applications(&mut conn, id, a.manage || !a.assist.is_empty()).await?;
    let state = if a.review {
        g::review_state(&mut conn, id, user).await?
    } else {
        vec![]
    };
    let apps = all
        .into_iter()
        .filter(|x| {
            a.manage
                || a.assist.contains(&x.lab_id)
                || (a.review
                    && !matches!(
                        x.status,
                        ApplicationStatus::Draft | ApplicationStatus::Withdrawn
                    ))
                || c.actor.person_id == Some(x.person_id)
        })
        .map(|x| {
            let (done, conflict) = state
                .iter()
                .find(|(i, _, _)| *i == x.id)
                .map(|(_, d, k)| (*d, *k))
                .unwrap_or((false, false));
            (x, done, conflict)
        })
        .collect();
    let mut women = vec![];
    if call.accepting(domain::time::today()) {
        for lab in &a.assist {
            for r in
                store::residency::of_lab(&mut conn, *lab, Some(domain::ResidencyStatus::Active))
                    .await?
            {
                if call
                    .cohort_id
                    .is_none_or(|k| r.residency.cohort_id == Some(k))
                    && !women.iter().any(|(p, _)| *p == r.residency.person_id)
                {
                    women.push((r.residency.person_id, r.person_name));
                }
            }
        }
        women.sort_by(|x, y| x.1.cmp(&y.1));
    }
    drop(conn);
    let lab = lab_of(s, &call).await?;
    Ok(CallPage {
        c,
        call,
        lab,
        a,
        criteria,
        reviewers,
        candidates,
        apps,
        conflicts,
        women,
        errors,
    })
}

async fn call_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<CallPage> {
    c.require_user()?;
    call_view(c, &s, parse_id(&id)?, Errors::default()).await
}

async fn call_status(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, parse_id(&id)?).await?;
    let pairs: Vec<(String, String)> = body.parse()?;
    match svc::set_call_status(&s.store, &c.actor, &call, &field(&pairs, "to")).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/grant-calls/{id}"),
            "flash-saved",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            Ok((
                StatusCode::CONFLICT,
                call_view(c, &s, call.id, errors).await?,
            )
                .into_response())
        }
    }
}

async fn add_reviewer(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, parse_id(&id)?).await?;
    let pairs: Vec<(String, String)> = body.parse()?;
    match svc::add_reviewer(&s.store, &c.actor, &call, &field(&pairs, "user")).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/grant-calls/{id}"),
            "flash-saved",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                call_view(c, &s, call.id, errors).await?,
            )
                .into_response())
        }
    }
}

async fn apply(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, parse_id(&id)?).await?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let person = match field(&pairs, "person") {
        p if p.is_empty() => None,
        p => Some(
            p.parse::<PersonId>()
                .map_err(|_| AppError::BadRequest("err-bad-form"))?,
        ),
    };
    match svc::start_application(&s.store, &c.actor, &call, person).await {
        Ok(app) => Ok(redirect_with_flash(
            &format!("/grant-applications/{app}/edit"),
            "flash-grant-started",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                call_view(c, &s, call.id, errors).await?,
            )
                .into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ranking, awards, decision

#[derive(Template, WebTemplate)]
#[template(path = "grants_ranking.html")]
struct RankingPage {
    c: Ctx,
    call: Call,
    r: Ranking,
    /// (application id, amount typed, reason typed) after a refused award.
    typed: Option<(ApplicationId, String, String)>,
    awarded_message: String,
    declined_message: String,
    errors: Errors,
}

impl RankingPage {
    fn amount_for(&self, row: &svc::RankRow) -> String {
        match &self.typed {
            Some((id, a, _)) if *id == row.application_id => a.clone(),
            _ => domain::Money(row.proposed.unwrap_or(row.requested)).som_plain(),
        }
    }
    fn reason_for(&self, row: &svc::RankRow) -> String {
        match &self.typed {
            Some((id, _, r)) if *id == row.application_id => r.clone(),
            _ => String::new(),
        }
    }
    fn error_for(&self, row: &svc::RankRow) -> Option<String> {
        match &self.typed {
            Some((id, _, _)) if *id == row.application_id => self
                .errors
                .0
                .iter()
                .find(|(f, _)| f == "amount" || f == "reason")
                .map(|(_, k)| self.c.t(k)),
            _ => None,
        }
    }
}

async fn ranking_view(
    c: Ctx,
    s: &AppState,
    id: GrantCallId,
    typed: Option<(ApplicationId, String, String)>,
    messages: (String, String),
    errors: Errors,
) -> AppResult<RankingPage> {
    let (call, access) = svc::call_for(&s.store, &c.actor, id).await?;
    if !access.manage {
        return Err(AppError::NotFound);
    }
    let r = svc::ranking(&s.store, &c.actor, &call).await?;
    let (awarded_message, declined_message) = if messages.0.is_empty() && messages.1.is_empty() {
        (
            c.t("grants-default-awarded"),
            c.t("grants-default-declined"),
        )
    } else {
        messages
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

async fn ranking(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<RankingPage> {
    c.require_user()?;
    ranking_view(
        c,
        &s,
        parse_id(&id)?,
        None,
        Default::default(),
        Errors::default(),
    )
    .await
}

async fn award(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let app_id: ApplicationId = parse_id(&id)?;
    let (app, call, access) = svc::app_for(&s.store, &c.actor, app_id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let pairs: Vec<(String, String)> = body.parse()?;
    let (amount, reason) = (field(&pairs, "amount"), field(&pairs, "reason"));
    match svc::award(&s.store, &c.actor, app.id, &amount, &reason).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/grant-calls/{}/ranking", call.id),
            "flash-grant-awarded",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            let page = ranking_view(
                c,
                &s,
                call.id,
                Some((app.id, amount, reason)),
                Default::default(),
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn decide(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let (call, _) = svc::call_for(&s.store, &c.actor, parse_id(&id)?).await?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let (am, dm) = (
        field(&pairs, "awarded_message"),
        field(&pairs, "declined_message"),
    );
    match svc::decide(&s.store, &c.actor, &call, &am, &dm).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/grant-calls/{id}"),
            "flash-grant-decided",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            let page = ranking_view(c, &s, call.id, None, (am, dm), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// An application

/// What was typed into one of the page's forms, kept after a refusal.
#[derive(Default)]
struct Typed {
    review: Option<ReviewInput>,
    tranches: Option<TrancheInput>,
    payment: Option<(TrancheId, PaymentInput)>,
    report: Option<ReportInput>,
    response: Option<(ReportId, String)>,
    conflict: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_application.html")]
struct AppPage {
    c: Ctx,
    app: Application,
    call: Call,
    a: AppAccess,
    criteria: Vec<Criterion>,
    lines: Vec<BudgetLine>,
    team: Vec<TeamMember>,
    attachments: Vec<Attachment>,
    /// Her own review (reviewers).
    mine: Option<Review>,
    review_form: ReviewInput,
    /// Reviews she may read: the coordinator all submitted, a reviewer after her own.
    others: Vec<Review>,
    award: Option<Award>,
    tranches: Vec<Tranche>,
    tranche_form: TrancheInput,
    /// A fresh payment form per released, unpaid tranche (with its idempotency key).
    pay_forms: Vec<(TrancheId, PaymentInput)>,
    payments: Vec<Payment>,
    reverse_key: String,
    reports: Vec<Report>,
    report_form: ReportInput,
    response_typed: Option<(ReportId, String)>,
    conflict_reason: String,
    venture: Option<Venture>,
    me_on_team_unconfirmed: bool,
    errors: Errors,
}

impl AppPage {
    fn tranche_row(&self, i: &usize) -> (String, String, String) {
        self.tranche_form.rows.get(*i).cloned().unwrap_or_default()
    }
    fn tranche_rows(&self) -> Vec<usize> {
        (0..domain::grants::MAX_TRANCHES).collect()
    }
    fn pay_form(&self, t: &TrancheId) -> Option<&PaymentInput> {
        self.pay_forms.iter().find(|(x, _)| x == t).map(|(_, f)| f)
    }
    fn reversed(&self, p: &PaymentId) -> bool {
        self.payments.iter().any(|x| x.reverses_id == Some(*p))
    }
    fn response_for(&self, r: &ReportId) -> String {
        match &self.response_typed {
            Some((id, t)) if id == r => t.clone(),
            _ => String::new(),
        }
    }
    fn can_review(&self) -> bool {
        self.a.review
            && self.app.status == ApplicationStatus::Submitted
            && self.call.status != CallStatus::Decided
            && self.mine.as_ref().is_none_or(|m| m.submitted_at.is_none())
    }
    fn lines_total(&self) -> i64 {
        self.lines.iter().map(|l| l.amount).sum()
    }
}

async fn app_view(
    c: Ctx,
    s: &AppState,
    id: ApplicationId,
    t: Typed,
    errors: Errors,
) -> AppResult<AppPage> {
    let user = c.require_user()?.id;
    let (app, call, a) = svc::app_for(&s.store, &c.actor, id).await?;
    let mut conn = s.store.conn().await?;
    let criteria = g::criteria(&mut conn, call.id).await?;
    let lines = g::budget_lines(&mut conn, id).await?;
    let team = g::team(&mut conn, id).await?;
    let attachments = g::attachments(&mut conn, id).await?;
    let all = g::reviews(&mut conn, id, false).await?;
    let mine = if a.review {
        all.iter().find(|r| r.reviewer_id == user).cloned()
    } else {
        None
    };
    let mine_done = mine.as_ref().is_some_and(|m| m.submitted_at.is_some());
    let others: Vec<Review> = if a.decide || mine_done {
        all.into_iter()
            .filter(|r| r.submitted_at.is_some() && r.reviewer_id != user)
            .collect()
    } else {
        vec![]
    };
    let review_form = t
        .review
        .unwrap_or_else(|| ReviewInput::from_review(mine.as_ref(), &criteria));
    let staff_or_grantee = a.staff() || a.grantee();
    let award = if staff_or_grantee {
        g::award_of(&mut conn, id).await?
    } else {
        None
    };
    let (tranches, payments, reports, venture) = match &award {
        Some(w) => (
            g::tranches(&mut conn, w.id).await?,
            g::payments_of_award(&mut conn, w.id).await?,
            g::reports(&mut conn, w.id).await?,
            g::venture_of_award(&mut conn, w.id).await?,
        ),
        None => (vec![], vec![], vec![], None),
    };
    let tranche_form = t
        .tranches
        .unwrap_or_else(|| TrancheInput::from_tranches(&tranches));
    let pay_forms = if a.decide {
        tranches
            .iter()
            .filter(|x| x.released_at.is_some() && x.paid < x.amount)
            .map(|x| match &t.payment {
                Some((tid, f)) if *tid == x.id => (x.id, f.clone()),
                _ => (x.id, PaymentInput::fresh(x)),
            })
            .collect()
    } else {
        vec![]
    };
    let me_on_team_unconfirmed = c.actor.person_id.is_some_and(|p| {
        team.iter()
            .any(|m| m.person_id == p && m.confirmed_at.is_none())
    });
    Ok(AppPage {
        c,
        app,
        call,
        a,
        criteria,
        lines,
        team,
        attachments,
        mine,
        review_form,
        others,
        award,
        tranches,
        tranche_form,
        pay_forms,
        payments,
        reverse_key: crate::secrets::random_token(16),
        reports,
        report_form: t.report.unwrap_or_default(),
        response_typed: t.response,
        conflict_reason: t.conflict.unwrap_or_default(),
        venture,
        me_on_team_unconfirmed,
        errors,
    })
}

async fn application(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<AppPage> {
    c.require_user()?;
    app_view(c, &s, parse_id(&id)?, Typed::default(), Errors::default()).await
}

/// Re-renders the application page with what was typed and the errors (422), or passes other
/// errors on.
async fn refused(
    c: Ctx,
    s: &AppState,
    id: ApplicationId,
    e: AppError,
    t: Typed,
) -> AppResult<Response> {
    let errors = invalid(e)?;
    let page = app_view(c, s, id, t, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_application_form.html")]
struct AppFormPage {
    c: Ctx,
    app: Application,
    call: Call,
    a: AppAccess,
    f: ApplicationInput,
    candidates: Vec<(PersonId, String)>,
    team: Vec<TeamMember>,
    attachments: Vec<Attachment>,
    errors: Errors,
}

impl AppFormPage {
    fn line(&self, i: &usize) -> (String, String) {
        self.f.lines.get(*i).cloned().unwrap_or_default()
    }
    fn line_rows(&self) -> Vec<usize> {
        (0..domain::grants::MAX_BUDGET_LINES).collect()
    }
    fn on_team(&self, p: &PersonId) -> bool {
        self.f.team.contains(&p.to_string())
    }
    fn confirmed(&self, p: &PersonId) -> bool {
        self.team
            .iter()
            .any(|m| m.person_id == *p && m.confirmed_at.is_some())
    }
}

async fn form_view(
    c: Ctx,
    s: &AppState,
    id: ApplicationId,
    f: Option<ApplicationInput>,
    errors: Errors,
) -> AppResult<AppFormPage> {
    let (app, call, a) = svc::app_for(&s.store, &c.actor, id).await?;
    if !a.edit(&app) {
        return Err(AppError::NotFound);
    }
    let mut conn = s.store.conn().await?;
    let lines = g::budget_lines(&mut conn, id).await?;
    let team = g::team(&mut conn, id).await?;
    let attachments = g::attachments(&mut conn, id).await?;
    drop(conn);
    let candidates = svc::team_candidates(&s.store, app.lab_id, app.person_id).await?;
    let f = f.unwrap_or_else(|| ApplicationInput::from_application(&app, &lines, &team));
    Ok(AppFormPage {
        c,
        app,
        call,
        a,
        f,
        candidates,
        team,
        attachments,
        errors,
    })
}

async fn edit_application(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<AppFormPage> {
    c.require_user()?;
    form_view(c, &s, parse_id(&id)?, None, Errors::default()).await
}

async fn save_application(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let app_id: ApplicationId = parse_id(&id)?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let f = ApplicationInput::from_pairs(&pairs);
    let submit = field(&pairs, "action") == "submit";
    match svc::save_application(&s.store, &c.actor, app_id, &f, submit).await {
        Ok(()) if submit => Ok(redirect_with_flash(
            &format!("/grant-applications/{id}"),
            "flash-grant-submitted",
        )),
        Ok(()) => Ok(redirect_with_flash(
            &format!("/grant-applications/{id}/edit"),
            "flash-grant-draft",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_view(c, &s, app_id, Some(f), errors).await?,
            )
                .into_response())
        }
    }
}

/// The attachment form is multipart: its CSRF token is checked here, like `VerifiedBody` does.
async fn upload(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    axum::Extension(meta): axum::Extension<RequestMeta>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    c.require_user()?;
    let app_id: ApplicationId = parse_id(&id)?;
    let mut token = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_big = false;
    loop {
        let mut part = match multipart.next_field().await {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(_) => {
                too_big = true;
                break;
            }
        };
        let name = part.name().unwrap_or("").to_string();
        match name.as_str() {
            "_csrf" => token = part.text().await.unwrap_or_default(),
            "file" => {
                let name = part.file_name().unwrap_or("").to_string();
                let mut bytes = vec![];
                loop {
                    match part.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > domain::grants::MAX_ATTACHMENT_BYTES {
                                too_big = true;
                                break;
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(_) => {
                            too_big = true;
                            break;
                        }
                    }
                }
                if too_big {
                    break;
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    if meta.csrf_is_new || token.as_bytes() != meta.csrf.as_bytes() {
        // A form cut off by its size arrives without a token too: say the size when so.
        if !too_big {
            return Err(AppError::Csrf);
        }
    }
    let result = if too_big {
        Err(AppError::Invalid(vec![(
            "file".into(),
            "err-grant-file-too-big".into(),
        )]))
    } else {
        let (name, bytes) = file.unwrap_or_default();
        svc::add_attachment(&s.store, &c.actor, app_id, &name, &bytes).await
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/grant-applications/{id}/edit"),
            "flash-grant-attached",
        )),
        Err(e) => {
            let errors = invalid(e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_view(c, &s, app_id, None, errors).await?,
            )
                .into_response())
        }
    }
}

async fn download(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    c.require_user()?;
    let aid: AttachmentId = parse_id(&id)?;
    let (meta, bytes) = svc::attachment(&s.store, &c.actor, aid).await?;
    let disposition = if meta.content_type == "application/pdf" {
        format!("attachment; filename=\"attachment-{}.pdf\"", meta.id)
    } else {
        "inline".to_string()
    };
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

async fn confirm(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    _body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    svc::confirm_team(&s.store, &c.actor, parse_id(&id)?).await?;
    Ok(redirect_with_flash(
        &format!("/grant-applications/{id}"),
        "flash-grant-confirmed",
    ))
}

async fn withdraw(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    _body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    svc::withdraw(&s.store, &c.actor, parse_id(&id)?).await?;
    Ok(redirect_with_flash(
        &format!("/grant-applications/{id}"),
        "flash-saved",
    ))
}

async fn conflict(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let app_id: ApplicationId = parse_id(&id)?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let reason = field(&pairs, "reason");
    match svc::declare_conflict(&s.store, &c.actor, app_id, &reason).await {
        Ok(call) => Ok(redirect_with_flash(
            &format!("/grant-calls/{call}"),
            "flash-grant-conflict",
        )),
        Err(e) => {
            refused(
                c,
                &s,
                app_id,
                e,
                Typed {
                    conflict: Some(reason),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

async fn review(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let app_id: ApplicationId = parse_id(&id)?;
    let (_, call, _) = svc::app_for(&s.store, &c.actor, app_id).await?;
    let mut conn = s.store.conn().await?;
    let criteria = g::criteria(&mut conn, call.id).await?;
    drop(conn);
    let pairs: Vec<(String, String)> = body.parse()?;
    let f = ReviewInput::from_pairs(&pairs, &criteria);
    let submit = field(&pairs, "action") == "submit";
    match svc::save_review(&s.store, &c.actor, app_id, &f, submit).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/grant-applications/{id}"),
            if submit {
                "flash-grant-reviewed"
            } else {
                "flash-saved"
            },
        )),
        Err(e) => {
            refused(
                c,
                &s,
                app_id,
                e,
                Typed {
                    review: Some(f),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

async fn tranches(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let award_id: AwardId = parse_id(&id)?;
    let (_, app, _, _) = svc::award_for(&s.store, &c.actor, award_id).await?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let f = TrancheInput::from_pairs(&pairs);
    match svc::save_tranches(&s.store, &c.actor, award_id, &f).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/grant-applications/{}", app.id),
            "flash-saved",
        )),
        Err(e) => {
            refused(
                c,
                &s,
                app.id,
                e,
                Typed {
                    tranches: Some(f),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

async fn release(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    _body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let tid: TrancheId = parse_id(&id)?;
    let (_, _, app, _) = svc::tranche_for(&s.store, &c.actor, tid).await?;
    svc::release_tranche(&s.store, &c.actor, tid).await?;
    Ok(redirect_with_flash(
        &format!("/grant-applications/{}", app.id),
        "flash-saved",
    ))
}

async fn pay(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let tid: TrancheId = parse_id(&id)?;
    let (_, _, app, _) = svc::tranche_for(&s.store, &c.actor, tid).await?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let f = PaymentInput {
        amount: field(&pairs, "amount"),
        paid_on: field(&pairs, "paid_on"),
        channel: field(&pairs, "channel"),
        reference: field(&pairs, "reference"),
        key: field(&pairs, "key"),
    };
    match svc::record_payment(&s.store, &c.actor, tid, &f).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/grant-applications/{}", app.id),
            "flash-grant-paid",
        )),
        Err(e) => {
            refused(
                c,
                &s,
                app.id,
                e,
                Typed {
                    payment: Some((tid, f)),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

async fn reverse(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let pid: PaymentId = parse_id(&id)?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let award = svc::reverse_payment(&s.store, &c.actor, pid, &field(&pairs, "key")).await;
    match award {
        Ok(award) => {
            let (_, app, _, _) = svc::award_for(&s.store, &c.actor, award).await?;
            Ok(redirect_with_flash(
                &format!("/grant-applications/{}", app.id),
                "flash-saved",
            ))
        }
        Err(e) => Err(e),
    }
}

async fn report(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let award_id: AwardId = parse_id(&id)?;
    let (_, app, _, _) = svc::award_for(&s.store, &c.actor, award_id).await?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let f = ReportInput {
        body: field(&pairs, "body"),
        purchases: field(&pairs, "purchases"),
        first_sales: field(&pairs, "first_sales"),
    };
    match svc::submit_report(&s.store, &c.actor, award_id, &f).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/grant-applications/{}", app.id),
            "flash-grant-report",
        )),
        Err(e) => {
            refused(
                c,
                &s,
                app.id,
                e,
                Typed {
                    report: Some(f),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

async fn respond(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let rid: ReportId = parse_id(&id)?;
    let pairs: Vec<(String, String)> = body.parse()?;
    let response = field(&pairs, "response");
    match svc::respond_report(
        &s.store,
        &c.actor,
        rid,
        &field(&pairs, "decision"),
        &response,
    )
    .await
    {
        Ok(award) => {
            let (_, app, _, _) = svc::award_for(&s.store, &c.actor, award).await?;
            Ok(redirect_with_flash(
                &format!("/grant-applications/{}", app.id),
                "flash-saved",
            ))
        }
        Err(e) => {
            let mut conn = s.store.conn().await?;
            let r = g::get_report(&mut conn, rid)
                .await?
                .ok_or(AppError::NotFound)?;
            let w = g::get_award(&mut conn, r.award_id)
                .await?
                .ok_or(AppError::NotFound)?;
            drop(conn);
            refused(
                c,
                &s,
                w.application_id,
                e,
                Typed {
                    response: Some((rid, response)),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A venture

#[derive(Template, WebTemplate)]
#[template(path = "grants_venture.html")]
struct VenturePage {
    c: Ctx,
    v: Venture,
    app: Option<Application>,
    award: Option<Award>,
    can_edit: bool,
}

async fn venture(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<VenturePage> {
    c.require_user()?;
    let vid: VentureId = parse_id(&id)?;
    let (v, grant) = svc::venture_for(&s.store, &c.actor, vid).await?;
    let can_edit = c.actor.allows(Action::ManageGrants(v.lab_id))
        || grant
            .as_ref()
            .is_some_and(|(_, _, a)| a.staff() || a.grantee());
    let (award, app) = match grant {
        Some((w, a, _)) => (Some(w), Some(a)),
        None => (None, None),
    };
    Ok(VenturePage {
        c,
        v,
        app,
        award,
        can_edit,
    })
}

async fn venture_status(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let vid: VentureId = parse_id(&id)?;
    let pairs: Vec<(String, String)> = body.parse()?;
    svc::set_venture_status(
        &s.store,
        &c.actor,
        vid,
        &field(&pairs, "status"),
        &field(&pairs, "on"),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/ventures/{id}"),
        "flash-saved",
    ))
}
