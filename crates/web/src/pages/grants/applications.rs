//! An application: its page (with the forms of review, money and reports, answered in
//! `money.rs`), the draft form with its attachments, and the applicant's own steps.
use super::{Submit, checked, svc, to_app};
use crate::ctx::{Ctx, Path, RequestMeta, VerifiedBody, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::pages::{Errors, respond};
use crate::services::grants::{
    AppAccess, ApplicationInput, PaymentInput, ReportInput, ReviewInput, TrancheInput,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::grants::{ApplicationStatus, CallStatus};
use domain::{ApplicationId, AttachmentId, PaymentId, PersonId, ReportId, TrancheId};
use store::grants::{
    Application, Attachment, Award, BudgetLine, Call, Criterion, Payment, Report, Review,
    TeamMember, Tranche, Venture,
};

/// What was typed into one of the page's forms, kept after a refusal.
#[derive(Default)]
pub(super) struct Typed {
    pub review: Option<ReviewInput>,
    pub tranches: Option<TrancheInput>,
    pub payment: Option<(TrancheId, PaymentInput)>,
    pub report: Option<ReportInput>,
    pub response: Option<(ReportId, String)>,
    pub conflict: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_application.html")]
pub(super) struct AppPage {
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
    let v = svc::application_view(&s.store, &c.actor, id).await?;
    let review_form = t
        .review
        .unwrap_or_else(|| ReviewInput::from_review(v.mine.as_ref(), &v.criteria));
    let tranche_form = t
        .tranches
        .unwrap_or_else(|| TrancheInput::from_tranches(&v.tranches));
    let pay_forms = if v.d.a.decide {
        v.tranches
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
        v.d.team
            .iter()
            .any(|m| m.person_id == p && m.confirmed_at.is_none())
    });
    Ok(AppPage {
        c,
        app: v.d.app,
        call: v.d.call,
        a: v.d.a,
        criteria: v.criteria,
        lines: v.d.lines,
        team: v.d.team,
        attachments: v.d.attachments,
        mine: v.mine,
        review_form,
        others: v.others,
        award: v.award,
        tranches: v.tranches,
        tranche_form,
        pay_forms,
        payments: v.payments,
        reverse_key: crate::secrets::random_token(16),
        reports: v.reports,
        report_form: t.report.unwrap_or_default(),
        response_typed: t.response,
        conflict_reason: t.conflict.unwrap_or_default(),
        venture: v.venture,
        me_on_team_unconfirmed,
        errors,
    })
}

pub(super) async fn application(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
) -> AppResult<AppPage> {
    app_view(c, &s, id, Typed::default(), Errors::default()).await
}

/// Answers a post on the application's page: done → `done` (a redirect); refused → the page
/// again with what was typed and the messages (422); any other error goes on.
pub(super) async fn on_app<T>(
    c: Ctx,
    s: &AppState,
    id: ApplicationId,
    result: AppResult<T>,
    t: Typed,
    done: impl FnOnce(T) -> Response,
) -> AppResult<Response> {
    respond(checked(result), done, async |errors| {
        app_view(c, s, id, t, errors).await
    })
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "grants_application_form.html")]
pub(super) struct AppFormPage {
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
    let (d, candidates) = svc::application_form(&s.store, &c.actor, id).await?;
    let f = f.unwrap_or_else(|| ApplicationInput::from_application(&d.app, &d.lines, &d.team));
    Ok(AppFormPage {
        c,
        app: d.app,
        call: d.call,
        a: d.a,
        f,
        candidates,
        team: d.team,
        attachments: d.attachments,
        errors,
    })
}

pub(super) async fn edit_application(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
) -> AppResult<AppFormPage> {
    form_view(c, &s, id, None, Errors::default()).await
}

/// Answers a post of the draft form: done → `done`, refused → the form again (422).
async fn on_form<T>(
    c: Ctx,
    s: &AppState,
    id: ApplicationId,
    result: AppResult<T>,
    f: Option<ApplicationInput>,
    done: impl FnOnce(T) -> Response,
) -> AppResult<Response> {
    respond(checked(result), done, async |errors| {
        form_view(c, s, id, f, errors).await
    })
    .await
}

pub(super) async fn save_application(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
    body: VerifiedBody,
) -> AppResult<Response> {
    let (f, action): (ApplicationInput, Submit) = (body.parse()?, body.parse()?);
    let submit = action.submit();
    let result = svc::save_application(&s.store, &c.actor, id, &f, submit).await;
    on_form(c, &s, id, result, Some(f), |()| {
        if submit {
            to_app(id, "flash-grant-submitted")
        } else {
            redirect_with_flash(
                &format!("/grant-applications/{id}/edit"),
                "flash-grant-draft",
            )
        }
    })
    .await
}

/// The multipart attachment form: its CSRF token, and the file unless it is too big.
struct Upload {
    token: String,
    file: Option<(String, Vec<u8>)>,
    too_big: bool,
}

async fn read_upload(multipart: &mut Multipart) -> Upload {
    let mut up = Upload {
        token: String::new(),
        file: None,
        too_big: false,
    };
    loop {
        let mut part = match multipart.next_field().await {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(_) => {
                up.too_big = true;
                break;
            }
        };
        let name = part.name().unwrap_or("").to_string();
        match name.as_str() {
            "_csrf" => up.token = part.text().await.unwrap_or_default(),
            "file" => {
                let name = part.file_name().unwrap_or("").to_string();
                let mut bytes = vec![];
                loop {
                    match part.chunk().await {
                        Ok(Some(chunk))
                            if bytes.len() + chunk.len()
                                <= domain::grants::MAX_ATTACHMENT_BYTES =>
                        {
                            bytes.extend_from_slice(&chunk)
                        }
                        Ok(None) => break,
                        _ => {
                            up.too_big = true;
                            return up;
                        }
                    }
                }
                up.file = Some((name, bytes));
            }
            _ => {}
        }
    }
    up
}

/// The attachment form is multipart: its CSRF token is checked here, like `VerifiedBody` does.
pub(super) async fn upload(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
    axum::Extension(meta): axum::Extension<RequestMeta>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    c.require_user()?;
    let up = read_upload(&mut multipart).await;
    // A form cut off by its size arrives without a token too: say the size when so.
    if !up.too_big && (meta.csrf_is_new || up.token.as_bytes() != meta.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    let result = if up.too_big {
        Err(AppError::Invalid(vec![(
            "file".into(),
            "err-grant-file-too-big".into(),
        )]))
    } else {
        let (name, bytes) = up.file.unwrap_or_default();
        svc::add_attachment(&s.store, &c.actor, id, &name, &bytes).await
    };
    on_form(c, &s, id, result, None, |_| {
        redirect_with_flash(
            &format!("/grant-applications/{id}/edit"),
            "flash-grant-attached",
        )
    })
    .await
}

pub(super) async fn download(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<AttachmentId>,
) -> AppResult<Response> {
    c.require_user()?;
    let (meta, bytes) = svc::attachment(&s.store, &c.actor, id).await?;
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

pub(super) async fn confirm(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
    _body: VerifiedBody,
) -> AppResult<Response> {
    svc::confirm_team(&s.store, &c.actor, id).await?;
    Ok(to_app(id, "flash-grant-confirmed"))
}

pub(super) async fn withdraw(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ApplicationId>,
    _body: VerifiedBody,
) -> AppResult<Response> {
    svc::withdraw(&s.store, &c.actor, id).await?;
    Ok(to_app(id, "flash-saved"))
}
