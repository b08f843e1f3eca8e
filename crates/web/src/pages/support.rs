//! Support case pages: the case worker's list (most urgent first), opening a case, the case page
//! (notes, status, referral with consent or an override reason, access log), the woman's own
//! page, the directory of outside services, and what a coordinator may know (only that a case
//! exists, and only if she agreed).
//!
//! Case pages are never cached (the guard sends `Cache-Control: no-store`) and time out quickly
//! on shared computers: a browser that has not opened a case page for `case_idle_seconds` signs
//! in again ([`fresh`]).
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::support::{
    self as svc, CaseInput, CasePerson, CaseView, NoteInput, ReferInput, WalkInInput,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use domain::support::{CaseReason, CaseStatus, ServiceKind, Urgency};
use domain::{CaseId, LabRole, PersonId};
use serde::Deserialize;
use store::support::{Case, Service};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/support", get(list))
        .route("/support/new", get(new_form).post(create))
        .route("/support/walk-in", post(walk_in))
        .route("/support/services", get(services).post(add_service))
        .route("/support/people/{id}", get(coordinator_view))
        .route("/support/cases/{id}", get(show))
        .route("/support/cases/{id}/{form}", post(case_post))
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

/// Template helpers for this context.
impl Ctx {
    pub fn is_case_worker(&self) -> bool {
        self.actor.holds(domain::LabRole::CaseWorker)
    }
    /// Whether she coordinates this lab (the person page links to what she may know of support).
    pub fn coordinates<L: super::view::Val<domain::LabId>>(&self, lab: L) -> bool {
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
    svc::worker_keys(&s.config, &c.actor)?;
    let cases = svc::my_cases(&s.store, &c.actor).await?;
    Ok(ListPage { c, cases })
}

#[derive(Template, WebTemplate)]
#[template(path = "support_new.html")]
struct NewPage {
    c: Ctx,
    /// What she searched for, and whom it found.
    q: String,
    found: Vec<CasePerson>,
    /// The woman chosen: the case form is shown for her.
    chosen: Option<CasePerson>,
    labs: Vec<store::labs::Lab>,
    f: CaseInput,
    errors: Errors,
    walk_in: WalkInInput,
}

impl NewPage {
    /// A lab's name, to tell apart two women of the same name in different labs.
    fn lab_of(&self, id: &domain::LabId) -> String {
        self.labs
            .iter()
            .find(|l| l.id == *id)
            .map(|l| self.c.lab_name(l))
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    person: String,
    q: String,
}

async fn new_page(
    c: Ctx,
    s: &AppState,
    q: String,
    f: CaseInput,
    errors: Errors,
    walk_in: WalkInInput,
) -> AppResult<NewPage> {
    let labs = svc::case_labs(&s.store, &c.actor).await?;
    let chosen = match f.person_id.trim() {
        "" => None,
        // A choice that is not (or no longer) hers to open shows the search again.
        id => svc::case_person(&s.store, &c.actor, id).await.ok(),
    };
    let found = if chosen.is_none() {
        svc::case_search(&s.store, &c.actor, &q).await?
    } else {
        vec![]
    };
    Ok(NewPage {
        c,
        q,
        found,
        chosen,
        labs,
        f,
        errors,
        walk_in,
    })
}

/// Opening a case: find her (a search, then a choice), or register her if she walked in and is
/// not in the records; then the case form for the one chosen.
async fn new_form(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<NewQuery>,
) -> AppResult<NewPage> {
    fresh(&c, &s).await?;
    svc::worker_keys(&s.config, &c.actor)?;
    let f = CaseInput {
        person_id: q.person,
        urgency: "medium".into(),
        ..Default::default()
    };
    let walk_in = WalkInInput {
        family_name: q.q.clone(),
        consent_language: c.lang.code().to_string(),
        ..Default::default()
    };
    new_page(c, &s, q.q, f, Errors::default(), walk_in).await
}

async fn create(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(f): VerifiedForm<CaseInput>,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    let keys = svc::worker_keys(&s.config, &c.actor)?;
    respond(
        svc::open_case(&s.store, &c.actor, keys, &f).await,
        |id| redirect_with_flash(&format!("/support/cases/{id}"), "flash-case-opened"),
        async |errors| new_page(c, &s, String::new(), f, errors, WalkInInput::default()).await,
    )
    .await
}

/// Registers a woman who walked in (with her consent), then opens the case form for her.
async fn walk_in(
    c: Ctx,
    State(s): State<AppState>,
    VerifiedForm(w): VerifiedForm<WalkInInput>,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    svc::worker_keys(&s.config, &c.actor)?;
    let f = CaseInput {
        urgency: "medium".into(),
        ..Default::default()
    };
    let q = format!("{} {}", w.family_name, w.given_name);
    respond(
        svc::register_walk_in(&s.store, &c.actor, &w, c.lang).await,
        |id| redirect_with_flash(&format!("/support/new?person={id}"), "flash-walk-in"),
        async |errors| new_page(c, &s, q.trim().to_string(), f, errors, w).await,
    )
    .await
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

/// What was typed on the case page, shown again with the messages after an error.
#[derive(Default)]
struct Typed {
    note: String,
    override_reason: String,
}

async fn case_page(
    c: Ctx,
    s: &AppState,
    id: CaseId,
    errors: Errors,
    typed: Typed,
) -> AppResult<CasePage> {
    let keys = svc::keys(&s.config)?;
    let (v, services) = svc::case_page(&s.store, &c.actor, keys, id).await?;
    Ok(CasePage {
        c,
        worker: v.role == svc::Reader::CaseWorker,
        v,
        services,
        errors,
        note: typed.note,
        override_reason: typed.override_reason,
    })
}

async fn show(c: Ctx, State(s): State<AppState>, Path(id): Path<CaseId>) -> AppResult<CasePage> {
    fresh(&c, &s).await?;
    case_page(c, &s, id, Errors::default(), Typed::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShareForm {
    /// `on` or `off`.
    shared: String,
    /// Where to go back to (`/me/support` for her own page).
    back: String,
}

/// The forms of the case page, one route each: `notes`, `update`, `share` and `refer`.
async fn case_post(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, form)): Path<(CaseId, String)>,
    body: VerifiedBody,
) -> AppResult<Response> {
    fresh(&c, &s).await?;
    let keys = svc::keys(&s.config)?;
    let (store, a) = (&s.store, &c.actor);
    let mut typed = Typed::default();
    let (result, flash) = match form.as_str() {
        "notes" => {
            let f: NoteInput = body.parse()?;
            let r = svc::add_note(store, a, keys, id, &f).await.map(drop);
            typed.note = f.text;
            (r, "flash-case-note-added")
        }
        "update" => {
            let r = svc::update_case(store, a, id, &body.parse()?).await;
            (r, "flash-case-updated")
        }
        "refer" => {
            let f: ReferInput = body.parse()?;
            let r = svc::refer(store, a, keys, id, &f).await.map(drop);
            typed.override_reason = f.override_reason;
            (r, "flash-referral-made")
        }
        "share" => {
            let f: ShareForm = body.parse()?;
            svc::set_shared(store, a, id, f.shared == "on").await?;
            let back = if f.back == "me" {
                "/me/support".to_string()
            } else {
                format!("/support/cases/{id}")
            };
            return Ok(redirect_with_flash(&back, "flash-case-updated"));
        }
        _ => return Err(AppError::NotFound),
    };
    respond(
        result,
        |_| redirect_with_flash(&format!("/support/cases/{id}"), flash),
        async |errors| case_page(c, &s, id, errors, typed).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "support_me.html")]
struct MinePage {
    c: Ctx,
    cases: Vec<CaseView>,
}

async fn mine(c: Ctx, State(s): State<AppState>) -> AppResult<MinePage> {
    fresh(&c, &s).await?;
    let keys = svc::resident_keys(&s.config, &c.actor)?;
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
    let to = format!("/support/services?region={}", f.region);
    respond(
        svc::add_service(&s.store, &c.actor, &f).await,
        |_| redirect_with_flash(&to, "flash-service-added"),
        async |errors| {
            let services = svc::services(&s.store, &c.actor, None).await?;
            Ok(ServicesPage {
                c,
                services,
                region: String::new(),
                manage: true,
                f,
                errors,
            })
        },
    )
    .await
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
    Path(person): Path<PersonId>,
) -> AppResult<CoordinatorPage> {
    c.require_user()?;
    let exists = svc::coordinator_knows(&s.store, &c.actor, person).await?;
    Ok(CoordinatorPage { c, person, exists })
}
