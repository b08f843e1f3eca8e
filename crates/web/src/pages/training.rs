//! Training pages: a lab's programmes, one programme (modules, sessions, enrolment, completion),
//! the attendance sheet on a phone, the lab's weekly schedule, her own schedule, certificates as
//! PDF, and the Open Badges documents with their public verification page.
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, PageNo, Path, VerifiedBody, VerifiedForm, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::labs::lab_by_slug;
use crate::services::pager::Pager;
use crate::services::training::{self as svc, ModuleInput, ProgrammeInput, SessionInput};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use domain::{Action, AssertionId, Attendance, PersonId, ProgrammeId, SessionId};
use serde::Deserialize;
use store::labs::Lab;
use store::training::{Enrolee, Module, Programme, Session};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labs/{slug}/programmes", get(programmes).post(create))
        .route("/labs/{slug}/schedule", get(schedule))
        .route("/programmes/{id}", get(programme))
        .route("/programmes/{id}/modules", post(add_module))
        .route("/programmes/{id}/sessions", post(add_session))
        .route("/programmes/{id}/enrol", post(enrol))
        .route("/sessions/{id}/attendance", get(sheet).post(save_sheet))
        .route("/sessions/{id}/edit", get(edit_session).post(save_session))
        .route("/sessions/{id}/cancel", post(cancel_session))
        .route("/sessions/{id}/delete", post(delete_session))
        .route("/me/schedule", get(my_schedule))
        .route("/certificates/{file}", get(certificate))
        .route("/certificates/{id}/revoke", post(revoke))
        .route("/badges/issuers/{slug}", get(issuer))
        .route("/badges/classes/{id}", get(badge_class))
        .route("/badges/classes/{id}/image", get(badge_image))
        .route("/badges/assertions/{id}", get(assertion))
        .route("/verify/{id}", get(verify))
}

/// A module's title in the reader's language: her own title, or the library topic's.
pub fn module_title(c: &Ctx, topic: domain::Topic, title: &str) -> String {
    if title.is_empty() {
        c.tv("topic", topic.code())
    } else {
        title.to_string()
    }
}

impl Ctx {
    pub fn module_name(&self, m: &Module) -> String {
        module_title(self, m.topic, &m.title)
    }
    pub fn session_name(&self, s: &Session) -> String {
        module_title(self, s.topic, &s.module_title)
    }
    pub fn time_range(&self, s: &Session) -> String {
        let b = domain::time::bishkek();
        format!(
            "{} {}–{}",
            domain::time::format_date(s.starts_at.with_timezone(&b).date_naive()),
            s.starts_at.with_timezone(&b).format("%H:%M"),
            s.ends_at.with_timezone(&b).format("%H:%M")
        )
    }
    pub fn weekday(&self, d: &NaiveDate) -> String {
        self.t(&format!("weekday-{}", d.weekday().number_from_monday()))
    }
    pub fn topics(&self) -> Vec<&'static str> {
        domain::Topic::ALL.iter().map(|t| t.code()).collect()
    }
    pub fn mark_checked(&self, current: &Option<Attendance>, code: &str) -> &'static str {
        if current.map(|a| a.code()) == Some(code) {
            "checked"
        } else {
            ""
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "programmes.html")]
struct ProgrammesPage {
    c: Ctx,
    lab: Lab,
    programmes: Vec<Programme>,
    cohorts: Vec<store::residency::Cohort>,
    f: ProgrammeInput,
    errors: Errors,
}

async fn programmes_page(
    c: Ctx,
    s: &AppState,
    lab: Lab,
    f: ProgrammeInput,
    errors: Errors,
) -> AppResult<ProgrammesPage> {
    let v = svc::programmes(&s.store, &c.actor, lab.id).await?;
    Ok(ProgrammesPage {
        programmes: v.programmes,
        cohorts: v.cohorts,
        c,
        lab,
        f,
        errors,
    })
}

async fn programmes(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<ProgrammesPage> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    programmes_page(c, &s, lab, ProgrammeInput::blank(), Errors::default()).await
}

async fn create(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<ProgrammeInput>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    respond(
        svc::create_programme(&s.store, &c.actor, lab.id, &f).await,
        |id| redirect_with_flash(&format!("/programmes/{id}"), "flash-saved"),
        async |errors| programmes_page(c, &s, lab, f, errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "programme.html")]
struct ProgrammePage {
    c: Ctx,
    lab: Lab,
    p: Programme,
    cohort: Option<store::residency::Cohort>,
    modules: Vec<Module>,
    sessions: Vec<Session>,
    /// One page of the enrolees.
    enrolees: Vec<Enrolee>,
    pg: Pager,
    /// Of all the enrolees.
    completed: i64,
    candidates: Vec<store::residency::ResidencyRow>,
    clashes: std::collections::HashSet<SessionId>,
    module_form: ModuleInput,
    session_form: SessionInput,
    errors: Errors,
}

impl ProgrammePage {
    /// Another session of the lab uses this one's room at the same time.
    fn clash(&self, s: &Session) -> bool {
        self.clashes.contains(&s.id)
    }
}

/// The programme page (page `page` of its enrolees), with the forms as typed (or empty) and
/// their messages.
async fn programme_page(
    c: Ctx,
    s: &AppState,
    id: ProgrammeId,
    page: i64,
    module_form: ModuleInput,
    session_form: SessionInput,
    errors: Errors,
) -> AppResult<ProgrammePage> {
    let v = svc::programme_view(&s.store, &c.actor, id, page).await?;
    Ok(ProgrammePage {
        c,
        lab: v.lab,
        p: v.p,
        cohort: v.cohort,
        modules: v.modules,
        sessions: v.sessions,
        enrolees: v.enrolees,
        pg: v.pager,
        completed: v.completed,
        candidates: v.candidates,
        clashes: v.clashes,
        module_form,
        session_form,
        errors,
    })
}

async fn programme(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ProgrammeId>,
    PageNo(page): PageNo,
) -> AppResult<ProgrammePage> {
    programme_page(
        c,
        &s,
        id,
        page,
        <_>::default(),
        <_>::default(),
        <_>::default(),
    )
    .await
}

/// Answers a form posted on the programme page: back to its `section`, or the page again.
async fn on_programme<T>(
    c: Ctx,
    s: &AppState,
    p: &Programme,
    section: &str,
    result: AppResult<T>,
    forms: (ModuleInput, SessionInput),
) -> AppResult<Response> {
    on_programme_flash(c, s, p, section, result, forms, "flash-saved").await
}

/// [`on_programme`] with the message shown once saved.
async fn on_programme_flash<T>(
    c: Ctx,
    s: &AppState,
    p: &Programme,
    section: &str,
    result: AppResult<T>,
    forms: (ModuleInput, SessionInput),
    flash: &str,
) -> AppResult<Response> {
    let to = format!("/programmes/{}#{section}", p.id);
    respond(
        result,
        |_| redirect_with_flash(&to, flash),
        async |errors| programme_page(c, s, p.id, 0, forms.0, forms.1, errors).await,
    )
    .await
}

async fn add_module(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ProgrammeId>,
    VerifiedForm(f): VerifiedForm<ModuleInput>,
) -> AppResult<Response> {
    let p = svc::programme_for(&s.store, &c.actor, id, Action::ManageTraining).await?;
    let r = svc::add_module(&s.store, &c.actor, &p, &f).await;
    on_programme(c, &s, &p, "modules", r, (f, <_>::default())).await
}

async fn add_session(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ProgrammeId>,
    VerifiedForm(f): VerifiedForm<SessionInput>,
) -> AppResult<Response> {
    let p = svc::programme_for(&s.store, &c.actor, id, Action::ManageTraining).await?;
    let r = svc::schedule_session(&s.store, &c.actor, &p, &f).await;
    let flash = saved_flash(&r);
    on_programme_flash(c, &s, &p, "sessions", r, (<_>::default(), f), flash).await
}

/// Saved; with a warning when another session uses the room at the same time.
fn saved_flash(r: &AppResult<svc::SavedSession>) -> &'static str {
    match r {
        Ok(saved) if !saved.clashes.is_empty() => "flash-session-room-clash",
        _ => "flash-saved",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "session_edit.html")]
struct SessionEditPage {
    c: Ctx,
    session: Session,
    modules: Vec<Module>,
    marks: i64,
    clashes: Vec<Session>,
    f: SessionInput,
    errors: Errors,
    /// Saved by someone else meanwhile: (field, hers, theirs) where they differ.
    conflict: Vec<(String, String, String)>,
}

/// A session's edit page: the form as typed (or as the session stands), cancel, delete.
async fn session_page(
    c: Ctx,
    s: &AppState,
    id: SessionId,
    f: Option<SessionInput>,
    errors: Errors,
) -> AppResult<SessionEditPage> {
    let v = svc::session_view(&s.store, &c.actor, id).await?;
    Ok(SessionEditPage {
        f: f.unwrap_or_else(|| SessionInput::from_session(&v.session)),
        c,
        session: v.session,
        modules: v.modules,
        marks: v.marks,
        clashes: v.clashes,
        errors,
        conflict: vec![],
    })
}

async fn edit_session(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<SessionId>,
) -> AppResult<SessionEditPage> {
    session_page(c, &s, id, None, Errors::default()).await
}

async fn save_session(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<SessionId>,
    VerifiedForm(f): VerifiedForm<SessionInput>,
) -> AppResult<Response> {
    let session = svc::session_for(&s.store, &c.actor, id, Action::ManageTraining).await?;
    let r = svc::update_session(&s.store, &c.actor, &session, &f).await;
    if let Err(AppError::Conflict(crate::services::people::EDIT_CONFLICT)) = r {
        // Saved by someone else meanwhile: both versions shown, hers kept in the form, and the
        // new version carried so that saving again is a decision.
        let theirs = SessionInput::from_session(&session);
        let conflict = super::forms::differences(&f, &theirs);
        let mut page = session_page(
            c,
            &s,
            id,
            Some(SessionInput {
                version: theirs.version.clone(),
                ..f
            }),
            Errors::default(),
        )
        .await?;
        page.conflict = conflict;
        return Ok((axum::http::StatusCode::CONFLICT, page).into_response());
    }
    let flash = saved_flash(&r);
    let to = format!("/programmes/{}#sessions", session.programme_id);
    respond(
        r,
        |_| redirect_with_flash(&to, flash),
        async |errors| session_page(c, &s, id, Some(f), errors).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CancelForm {
    /// "on" to take a cancellation back.
    undo: String,
}

async fn cancel_session(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<SessionId>,
    VerifiedForm(f): VerifiedForm<CancelForm>,
) -> AppResult<Response> {
    let session = svc::session_for(&s.store, &c.actor, id, Action::ManageTraining).await?;
    let cancel = f.undo != "on";
    svc::cancel_session(&s.store, &c.actor, &session, cancel).await?;
    Ok(redirect_with_flash(
        &format!("/programmes/{}#sessions", session.programme_id),
        if cancel {
            "flash-session-cancelled"
        } else {
            "flash-session-restored"
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeleteForm {
    /// "on" once she has confirmed that the session's attendance goes with it.
    confirm: String,
}

async fn delete_session(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<SessionId>,
    VerifiedForm(f): VerifiedForm<DeleteForm>,
) -> AppResult<Response> {
    let session = svc::session_for(&s.store, &c.actor, id, Action::ManageTraining).await?;
    let r = svc::delete_session(&s.store, &c.actor, &session, f.confirm == "on").await;
    respond(
        r,
        |p| {
            redirect_with_flash(
                &format!("/programmes/{p}#sessions"),
                "flash-session-deleted",
            )
        },
        async |errors| session_page(c, &s, id, None, errors).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EnrolForm {
    /// A person id, or empty for the whole cohort.
    person: String,
}

async fn enrol(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ProgrammeId>,
    VerifiedForm(f): VerifiedForm<EnrolForm>,
) -> AppResult<Response> {
    let p = svc::programme_for(&s.store, &c.actor, id, Action::ManageTraining).await?;
    let person = match f.person.as_str() {
        "" => None,
        v => Some(v.parse::<PersonId>().map_err(|_| AppError::NotFound)?),
    };
    let r = svc::enrol(&s.store, &c.actor, &p, person).await;
    on_programme(c, &s, &p, "enrolees", r, <_>::default()).await
}

#[derive(Template, WebTemplate)]
#[template(path = "attendance.html")]
struct SheetPage {
    c: Ctx,
    session: Session,
    rows: Vec<svc::SheetRow>,
    errors: Errors,
}

async fn sheet_page(c: Ctx, s: &AppState, id: SessionId, errors: Errors) -> AppResult<SheetPage> {
    let (session, rows) = svc::sheet(&s.store, &c.actor, id).await?;
    Ok(SheetPage {
        c,
        session,
        rows,
        errors,
    })
}

async fn sheet(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<SessionId>,
) -> AppResult<SheetPage> {
    sheet_page(c, &s, id, Errors::default()).await
}

/// The sheet posts `m-<person id>=present|absent|excused` for each row she tapped.
async fn save_sheet(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<SessionId>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let session = svc::session_for(&s.store, &c.actor, id, Action::TakeAttendance).await?;
    let fields: Vec<(String, String)> = body.parse()?;
    let mut marks = vec![];
    for (k, v) in fields {
        if let Some(p) = k.strip_prefix("m-") {
            let person = p
                .parse::<PersonId>()
                .map_err(|_| AppError::BadRequest("err-bad-form"))?;
            let status = Attendance::parse(&v).ok_or(AppError::BadRequest("err-bad-form"))?;
            marks.push((person, status));
        }
    }
    let to = format!("/sessions/{}/attendance", session.id);
    respond(
        svc::record_attendance(&s.store, &c.actor, &session, &marks).await,
        |issued| {
            redirect_with_flash(
                &to,
                if issued > 0 {
                    "flash-attendance-certificates"
                } else {
                    "flash-attendance-saved"
                },
            )
        },
        async |errors| sheet_page(c, &s, id, errors).await,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WeekQuery {
    week: String,
}

/// One day of the weekly schedule: sessions and events.
pub struct Day {
    pub date: NaiveDate,
    pub sessions: Vec<Session>,
    pub events: Vec<store::events::Event>,
}

#[derive(Template, WebTemplate)]
#[template(path = "schedule.html")]
struct SchedulePage {
    c: Ctx,
    lab: Lab,
    days: Vec<Day>,
    prev: NaiveDate,
    next: NaiveDate,
    monday: NaiveDate,
    manage: bool,
    clashes: std::collections::HashSet<SessionId>,
}

impl SchedulePage {
    /// Another session of the lab uses this one's room at the same time.
    fn clash(&self, s: &Session) -> bool {
        self.clashes.contains(&s.id)
    }
}

async fn schedule(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<WeekQuery>,
) -> AppResult<SchedulePage> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let day = domain::time::parse_date(&q.week).unwrap_or_else(domain::time::today);
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let svc::LabWeek {
        sessions,
        events,
        clashes,
    } = svc::lab_week(&s.store, &c.actor, lab.id, monday).await?;
    let b = domain::time::bishkek();
    let day = |t: &chrono::DateTime<Utc>| t.with_timezone(&b).date_naive();
    let days = (0..7)
        .map(|i| {
            let date = monday + Duration::days(i);
            Day {
                date,
                sessions: sessions
                    .iter()
                    .filter(|x| day(&x.starts_at) == date)
                    .cloned()
                    .collect(),
                events: events
                    .iter()
                    .filter(|x| day(&x.starts_at) == date)
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    Ok(SchedulePage {
        manage: c.actor.allows(Action::ManageTraining(lab.id)),
        clashes,
        c,
        lab,
        days,
        prev: monday - Duration::days(7),
        next: monday + Duration::days(7),
        monday,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "my_schedule.html")]
struct MySchedule {
    c: Ctx,
    v: svc::MySchedule,
}

async fn my_schedule(c: Ctx, State(s): State<AppState>) -> AppResult<MySchedule> {
    let v = svc::my_schedule(&s.store, &c.actor).await?;
    Ok(MySchedule { c, v })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LangQuery {
    lang: String,
}

/// The certificate PDF, for her and for the staff of the lab, in the language asked for
/// (`?lang=ky|ru|en`, else the page's).
async fn certificate(
    c: Ctx,
    State(s): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<LangQuery>,
) -> AppResult<Response> {
    c.require_user()?;
    let id: AssertionId = file
        .strip_suffix(".pdf")
        .unwrap_or(&file)
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let i = svc::certificate(&s.store, &c.actor, id).await?;
    let lang = crate::i18n::Lang::parse(&q.lang).unwrap_or(c.lang);
    let verify = format!("{}/verify/{}", c.base, i.a.id);
    let date_line = format!(
        "{}, {}",
        i.lab.name(lang.code()),
        domain::time::format_date(
            i.a.issued_at
                .with_timezone(&domain::time::bishkek())
                .date_naive()
        )
    );
    let heading = lang.t("certificate-heading");
    let body = lang.t("certificate-body");
    let verify_line = format!("{} {verify}", lang.t("certificate-verify"));
    let code = i.a.id.to_string();
    let recipient = i.person.full_name();
    let pdf = documents::certificate::certificate_pdf(&documents::certificate::Certificate {
        heading: &heading,
        recipient: &recipient,
        body: &body,
        programme: &i.p.title,
        lab: i.lab.name(lang.code()),
        date_line: &date_line,
        verify_line: &verify_line,
        code: &code,
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                // A file per language: its name says which (and in that language, for
                // browsers that read `filename*`).
                format!(
                    "inline; filename=\"certificate-{id}-{code}.pdf\"; filename*=UTF-8''{word}-{id}-{code}.pdf",
                    id = i.a.id,
                    code = lang.code(),
                    word = crate::ctx::urlencode(&lang.t("certificate-file")),
                ),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    reason: String,
}

async fn revoke(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<AssertionId>,
    VerifiedForm(f): VerifiedForm<RevokeForm>,
) -> AppResult<Response> {
    let p = svc::revoke_assertion(&s.store, &c.actor, id, &f.reason).await?;
    Ok(redirect_with_flash(
        &format!("/programmes/{p}#enrolees"),
        "flash-revoked",
    ))
}

fn ld_json(v: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/ld+json; charset=utf-8")],
        Json(v),
    )
        .into_response()
}

fn issuer_url(base: &str, lab: &Lab) -> String {
    format!("{base}/badges/issuers/{}", lab.slug)
}

async fn issuer(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let id = issuer_url(&c.base, &lab);
    let url = format!("{}/labs/{}", c.base, lab.slug);
    let description = format!("Women Creative Lab · {}", lab.locality);
    Ok(ld_json(documents::badges::issuer_json(
        &documents::badges::Issuer {
            id: &id,
            name: &lab.name_en,
            url: &url,
            email: None,
            description: &description,
        },
    )))
}

async fn badge_class(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ProgrammeId>,
) -> AppResult<Response> {
    let (p, lab, modules) = svc::badge_class(&s.store, id).await?;
    let rule = p.rule;
    // The narrative in the reader's language (Kyrgyz unless asked otherwise), beside the
    // programme's name as the lab wrote it.
    let lang = c.lang;
    let topics: Vec<String> = modules
        .iter()
        .map(|m| {
            if m.title.is_empty() {
                lang.t(&format!("topic-{}", m.topic.code()))
            } else {
                m.title.clone()
            }
        })
        .collect();
    let key = if rule.final_module_required {
        "badge-criteria-final"
    } else {
        "badge-criteria"
    };
    let narrative = lang.t_args(
        key,
        &[
            ("pct", i64::from(rule.min_attendance_pct).into()),
            ("modules", topics.join("; ").into()),
        ],
    );
    let id = format!("{}/badges/classes/{}", c.base, p.id);
    let image = format!("{id}/image");
    let criteria = format!("{}/labs/{}", c.base, lab.slug);
    let issuer = issuer_url(&c.base, &lab);
    let description = if p.description.is_empty() {
        format!("{} · {}", p.title, lab.name_en)
    } else {
        p.description.clone()
    };
    let tags: Vec<&str> = modules.iter().map(|m| m.topic.code()).collect();
    Ok(ld_json(documents::badges::badge_class_json(
        &documents::badges::BadgeClass {
            id: &id,
            name: &p.title,
            description: &description,
            image: &image,
            criteria_url: &criteria,
            criteria_narrative: &narrative,
            issuer: &issuer,
            tags: &tags,
        },
    )))
}

async fn badge_image(
    State(s): State<AppState>,
    Path(id): Path<ProgrammeId>,
) -> AppResult<Response> {
    // Like the badge class: public once awarded, not before.
    let (p, lab, _) = svc::badge_class(&s.store, id).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml")],
        documents::badges::badge_svg(&p.title, &lab.name_en),
    )
        .into_response())
}

async fn assertion(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<AssertionId>,
) -> AppResult<Response> {
    let i = svc::issued(&s.store, id).await?;
    let url = format!("{}/badges/assertions/{}", c.base, i.a.id);
    let badge = format!("{}/badges/classes/{}", c.base, i.p.id);
    let evidence = format!("{}/verify/{}", c.base, i.a.id);
    let mut v = documents::badges::assertion_json(&documents::badges::Assertion {
        id: &url,
        badge: &badge,
        recipient_type: documents::badges::RecipientType::Email,
        recipient_identity: "",
        salt: &i.a.salt,
        issued_on: i.a.issued_at,
        evidence_url: Some(&evidence),
        revoked: i.a.revoked_reason.as_deref(),
    });
    // An email was hashed when the badge was issued; only the hash is kept. Without an email
    // she is named by her holder address on this server (`https`, no name or number in it),
    // hashed with the assertion's salt: a validator given that address confirms she holds it.
    v["recipient"]["type"] = i.a.recipient_type.clone().into();
    v["recipient"]["identity"] = if i.a.recipient_type == "url" {
        documents::badges::hashed_identity(&holder_url(&c.base, i.person.id), &i.a.salt).into()
    } else {
        i.a.recipient_hash.clone().into()
    };
    Ok(ld_json(v))
}

/// The address that names a badge holder without an email: her record's id on this server, no
/// name or phone in it. She gives it to whoever checks her badge with a standard validator.
pub fn holder_url(base: &str, person: domain::PersonId) -> String {
    format!("{base}/badges/holders/{person}")
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Ctx,
    i: svc::Issued,
    given_name: String,
    family_initial: String,
    json_url: String,
}

/// The public page an employer opens: who, what, when, and whether it still stands. It shows
/// her given name and the initial of her family name only.
async fn verify(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<AssertionId>,
) -> AppResult<VerifyPage> {
    let i = svc::issued(&s.store, id).await?;
    let family_initial = i
        .person
        .family_name
        .chars()
        .next()
        .map(|ch| format!("{ch}."))
        .unwrap_or_default();
    Ok(VerifyPage {
        given_name: i.person.given_name.clone(),
        family_initial,
        json_url: format!("/badges/assertions/{}", i.a.id),
        c,
        i,
    })
}

impl super::forms::Fields for SessionInput {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let x = self;
        vec![
            ("date", x.date.clone()),
            ("starts", x.starts.clone()),
            ("ends", x.ends.clone()),
            ("room", x.room.clone()),
            ("trainer", x.trainer.clone()),
        ]
    }
}
