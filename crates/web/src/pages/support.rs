//! Support case pages: the case worker's list (most urgent first), opening a case, the case page
//! (notes, status, referral with consent or an override reason, access log), the woman's own
//! page, the directory of outside services, and what a coordinator may know (only that a case
//! exists, and only if she agreed).
//!
//! Case pages are never cached (the guard sends `Cache-Control: no-store`) and time out quickly
//! on shared computers: a browser that has not opened a case page for `case_idle_seconds` signs
//! in again ([`fresh`]).
use super::Errors;
use crate::ctx::{Ctx, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::support::{self as svc, CaseView, Reader};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::support::{CaseReason, CaseStatus, ServiceKind, Urgency};
use domain::{Action, CaseId, LabRole, PersonId};
use serde::Deserialize;
use store::support::{Case, Service};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support", get(list))
        .route("/support/new", get(new_form).post(create))
        .route("/support/services", get(services).post(add_service))
        .route("/support/people/{id}", get(coordinator_view))
        .route("/support/cases/{id}", get(show))
        .route("/support/cases/{id}/notes", post(add_note))
        .route("/support/cases/{id}/update", post(update))
        .route("/support/cases/{id}/share", post(share))
        .route("/support/cases/{id}/refer", post(refer))
        .route("/me/support", get(mine))
}

const SEEN: &str = "support_seen";

/// Case pages ask to sign in again when this browser has not opened one for a while: the short
/// timeout for shared computers. The first case page after signing in starts the clock.
async fn fresh(c: &Ctx, s: &AppState) -> AppResult<()> {
    c.require_user()?;
    let Some(session) = &c.session else {
        return Ok(());
    };
    let now = chrono::Utc::now().timestamp();
    let seen: Option<i64> = session.get(SEEN).await.ok().flatten();
    if seen.is_some_and(|t| now - t > s.config.case_idle_seconds) {
        let _ = session.flush().await;
        return Err(AppError::SignIn);
    }
    session
        .insert(SEEN, now)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
    Ok(())
}

fn cid(s: &str) -> AppResult<CaseId> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// Template helpers for this context.
impl Ctx {
    pub fn is_case_worker(&self) -> bool {
        self.actor.holds(domain::LabRole::CaseWorker)
    }
    /// Whether she coordinates this lab (the person page links to what she may know of support).
    pub fn coordinates<L: super::Val<domain::LabId>>(&self, lab: L) -> bool {
        self.actor.has(lab.val(), LabRole::Coordinator)
    }
    pub fn support_vocab(&self, kind: &str) -> Vec<&'static str> {
        match kind {
            "case-reason" => CaseReason::ALL.iter().map(|x| x.code()).collect(),
            "case-urgency" => Urgency::ALL.iter().map(|x| x.code()).collect(),
            "case-status" => CaseStatus::ALL.iter().map(|x| x.code()).collect(),
            "referral-kind" => ServiceKind::ALL.iter().map(|x| x.code()).collect(),
            "region" => domain::REGIONS.to_vec(),
            _ => vec![],
        }
    }
    pub fn opt_date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(domain::time::format_date)
            .unwrap_or_else(|| "—".into())
    }
    pub fn iso_date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "support_list.html")]
struct ListPage {
    c: Ctx,
    cases: Vec<Case>,
}

async fn list(c: Ctx, State(s): State<AppState>) -> AppResult<ListPage> {
    fresh(&c, &s).await?;
    if !c.is_case_worker() {
        return Err(AppError::NotFound);
    }
    svc::keys(&s.config)?;
    let cases = svc::my_cases(&s.store, &c.actor).await?;
    Ok(ListPage { c, cases })
}

#[derive(Template, WebTemplate)]
#[template(path = "support_new.html")]
struct NewPage {
    c: Ctx,
    people: Vec<(PersonId, String)>,
    f: NewForm,
    errors: Errors,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct NewForm {
    person_id: String,
    reason: String,
    urgency: String,
    next_contact_on: String,
    shared_with_coordinator: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    person: String,
}

async fn lab_people(c: &Ctx, s: &AppState) -> AppResult<Vec<(PersonId, String)>> {
    let mut conn = s.store.conn().await?;
    let people = store::people::search(
        &mut conn,
        &c.actor.scope_for(Action::CaseWork),
        &store::people::Search {
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let mut out: Vec<(PersonId, String)> = people
        .into_iter()
        .filter(|p| c.actor.allows(Action::CaseWork(p.lab_id)))
        .map(|p| (p.id, p.full_name()))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

async fn new_form(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<NewQuery>,
) -> AppResult<NewPage> {
    fresh(&c, &s).await?;
    if !c.is_case_worker() {
        return Err(AppError::NotFound);
    }
    svc::keys(&s.config)?;
    let people = lab_people(&c, &s).await?;
    Ok(NewPage {
        c,
        people,
        f: NewForm {
            person_id: q.person,
            urgency: "medium".into(),
            ..Default::default()
        },
        errors: Errors::default(),
    })
}

async fn create(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<NewForm>,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    if !c.is_case_worker() {
        return Err(AppError::NotFound);
    }
    let keys = svc::keys(&s.config)?;
    let input = svc::CaseInput {
        person_id: f.person_id.clone(),
        reason: f.reason.clone(),
        urgency: f.urgency.clone(),
        next_contact_on: f.next_contact_on.clone(),
        shared_with_coordinator: f.shared_with_coordinator == "on",
    };
    match svc::open_case(&s.store, &c.actor, keys, &input).await {
        Ok(id) => Ok(redirect_with_flash(
            &format!("/support/cases/{id}"),
            "flash-case-opened",
        )),
        Err(AppError::Invalid(errs)) => {
            let people = lab_people(&c, &s).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                NewPage {
                    c,
                    people,
                    f,
                    errors: Errors(errs),
                },
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "support_case.html")]
struct CasePage {
    c: Ctx,
    v: CaseView,
    worker: bool,
    services: Vec<Service>,
    errors: Errors,
    /// What was typed, kept after an error.
    note: String,
    override_reason: String,
}

async fn case_page(
    c: Ctx,
    s: &AppState,
    id: CaseId,
    errors: Vec<(String, String)>,
    note: String,
    override_reason: String,
) -> AppResult<CasePage> {
    let keys = svc::keys(&s.config)?;
    let v = svc::read_case(&s.store, &c.actor, keys, id, true).await?;
    let worker = v.role == Reader::CaseWorker;
    let services = if worker {
        svc::services(&s.store, &c.actor, None).await?
    } else {
        vec![]
    };
    Ok(CasePage {
        c,
        v,
        worker,
        services,
        errors: Errors(errors),
        note,
        override_reason,
    })
}

async fn show(c: Ctx, State(s): State<AppState>, Path(id): Path<String>) -> AppResult<CasePage> {
    fresh(&c, &s).await?;
    let id = cid(&id)?;
    case_page(c, &s, id, vec![], String::new(), String::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NoteForm {
    text: String,
    shared_with_resident: String,
}

async fn add_note(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<NoteForm>,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    let id = cid(&id)?;
    let keys = svc::keys(&s.config)?;
    let shared = f.shared_with_resident == "on";
    match svc::add_note(&s.store, &c.actor, keys, id, &f.text, shared).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/support/cases/{id}"),
            "flash-case-note-added",
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            case_page(c, &s, id, errs, f.text, String::new()).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn update(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<svc::UpdateInput>,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    let id = cid(&id)?;
    svc::keys(&s.config)?;
    match svc::update_case(&s.store, &c.actor, id, &f).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/support/cases/{id}"),
            "flash-case-updated",
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            case_page(c, &s, id, errs, String::new(), String::new()).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShareForm {
    /// `on` or `off`.
    shared: String,
    /// Where to go back to (`/me/support` for her own page).
    back: String,
}

async fn share(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<ShareForm>,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    let id = cid(&id)?;
    svc::keys(&s.config)?;
    svc::set_shared(&s.store, &c.actor, id, f.shared == "on").await?;
    let back = if f.back == "me" {
        "/me/support".to_string()
    } else {
        format!("/support/cases/{id}")
    };
    Ok(redirect_with_flash(&back, "flash-case-updated"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReferForm {
    service_id: String,
    consent: String,
    override_reason: String,
}

async fn refer(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
    VerifiedForm(f): VerifiedForm<ReferForm>,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    let id = cid(&id)?;
    let keys = svc::keys(&s.config)?;
    let input = svc::ReferInput {
        service_id: f.service_id.clone(),
        consent: f.consent == "on",
        override_reason: f.override_reason.clone(),
    };
    match svc::refer(&s.store, &c.actor, keys, id, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/support/cases/{id}"),
            "flash-referral-made",
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            case_page(c, &s, id, errs, String::new(), f.override_reason).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "support_me.html")]
struct MinePage {
    c: Ctx,
    cases: Vec<CaseView>,
}

async fn mine(c: Ctx, State(s): State<AppState>) -> AppResult<MinePage> {
    fresh(&c, &s).await?;
    if c.actor.person_id.is_none() {
        return Err(AppError::NotFound);
    }
    let keys = svc::keys(&s.config)?;
    let cases = svc::resident_cases(&s.store, &c.actor, keys).await?;
    Ok(MinePage { c, cases })
}

#[derive(Template, WebTemplate)]
#[template(path = "support_services.html")]
struct ServicesPage {
    c: Ctx,
    services: Vec<Service>,
    region: String,
    manage: bool,
    f: svc::ServiceInput,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegionQuery {
    region: String,
}

async fn services(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<RegionQuery>,
) -> AppResult<ServicesPage> {
    c.require_user()?;
    let region = if domain::REGIONS.contains(&q.region.as_str()) {
        q.region
    } else {
        String::new()
    };
    let services = svc::services(&s.store, &c.actor, Some(&region)).await?;
    Ok(ServicesPage {
        manage: svc::may_manage_services(&c.actor),
        c,
        services,
        region,
        f: svc::ServiceInput::default(),
        errors: Errors::default(),
    })
}

async fn add_service(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<svc::ServiceInput>,
) -> AppResult<Response> {
    c.require_user()?;
    match svc::add_service(&s.store, &c.actor, &f).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/support/services?region={}", f.region),
            "flash-service-added",
        )),
        Err(AppError::Invalid(errs)) => {
            let services = svc::services(&s.store, &c.actor, None).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                ServicesPage {
                    c,
                    services,
                    region: String::new(),
                    manage: true,
                    f,
                    errors: Errors(errs),
                },
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "support_person.html")]
struct CoordinatorPage {
    c: Ctx,
    person: PersonId,
    exists: bool,
}

/// For her lab's coordinator: only whether a case exists that she agreed to let her know about.
async fn coordinator_view(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<CoordinatorPage> {
    c.require_user()?;
    let person: PersonId = id.parse().map_err(|_| AppError::NotFound)?;
    let exists = svc::coordinator_knows(&s.store, &c.actor, person).await?;
    Ok(CoordinatorPage { c, person, exists })
}
