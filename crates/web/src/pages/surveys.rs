//! Survey pages: a lab's instruments (and the network's), an instrument with its questions,
//! scales and import warnings, the XLSForm import form, what is due for a resident and the form
//! she answers on her phone, a coordinator's paper entry for a woman of her lab, and one
//! response. Skip logic works without JavaScript (see `services::surveys`).
use super::Errors;
use super::labs::lab_or_404;
use crate::ctx::{Ctx, VerifiedBody, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::surveys::{self as svc, AnswerInput, Due};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use documents::xlsform::Warning;
use domain::surveys::{Labels, Op, QuestionKind, WaveKind};
use domain::{Action, InstrumentId, PersonId, ResponseId};
use store::labs::Lab;
use store::surveys::{Instrument, InstrumentSummary, Response as SurveyResponse};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labs/{slug}/surveys", get(lab_page))
        .route("/labs/{slug}/surveys/import", get(import_form).post(import))
        .route("/survey-instruments/{id}", get(instrument_page))
        .route("/me/surveys", get(my_page))
        .route(
            "/me/surveys/{instrument}/{wave}",
            get(answer_form).post(answer),
        )
        .route("/people/{id}/surveys", get(person_page))
        .route(
            "/people/{id}/surveys/{instrument}/{wave}",
            get(paper_form).post(paper),
        )
        .route("/survey-responses/{id}", get(response_page))
}

/// A warning of the importer in words: "survey, row 17: calculate — calculations are not supported".
impl Ctx {
    pub fn lx(&self, l: &Labels) -> String {
        l.get(self.code()).to_string()
    }
    pub fn wave_name<W: super::Val<WaveKind>>(&self, w: W) -> String {
        self.tv("wave", w.val().code())
    }
    /// `checked` for a choice she had ticked (however deep the template hands the flag over).
    pub fn checked_if<B: super::Val<bool>>(&self, on: B) -> &'static str {
        if on.val() { "checked" } else { "" }
    }
    pub fn vocab_waves(&self) -> Vec<&'static str> {
        WaveKind::ALL.iter().map(|w| w.code()).collect()
    }
    /// A scale's name: the programme's own scales are translated, others show their code.
    pub fn scale_name(&self, code: &str) -> String {
        let key = format!("scale-{code}");
        if self.lang.has(&key) {
            self.t(&key)
        } else {
            code.to_string()
        }
    }
    pub fn waves_text(&self, w: &[WaveKind]) -> String {
        if w.is_empty() {
            return self.t("survey-no-waves");
        }
        w.iter()
            .map(|x| self.wave_name(*x))
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn score_text<S: super::Val<f64>>(&self, s: S) -> String {
        format!("{:.2}", s.val())
    }
}

/// One question as the form shows it, every text already in the reader's language.
pub struct FieldView {
    pub name: String,
    /// The question kind's code (likert, single, ...), for the template's choice of input.
    pub kind: &'static str,
    pub label: String,
    pub hint: String,
    pub required: bool,
    /// "Answer only if …" when the question has skip logic.
    pub condition: String,
    /// The group's label when a new group starts at this question.
    pub group_start: Option<String>,
    pub choices: Vec<(String, String, bool)>,
    pub value: String,
    pub error: Option<String>,
}

fn condition_text(c: &Ctx, inst: &Instrument, cond: &domain::surveys::Condition) -> String {
    let lang = c.code();
    let parts: Vec<String> = cond
        .all
        .iter()
        .map(|cl| {
            let q = inst.items.iter().find(|i| i.q.name == cl.question);
            let qlabel = q
                .map(|i| i.q.label.get(lang).to_string())
                .unwrap_or_else(|| cl.question.clone());
            let value = q
                .and_then(|i| i.q.choices.iter().find(|ch| ch.name == cl.value))
                .map(|ch| ch.label.get(lang).to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| cl.value.clone());
            match cl.op {
                Op::Selected => format!("«{qlabel}» ∋ «{value}»"),
                op => format!("«{qlabel}» {} «{value}»", op.symbol()),
            }
        })
        .collect();
    c.t1("survey-answer-if", "code", &parts.join(" · "))
}

pub fn fields(c: &Ctx, inst: &Instrument, input: &AnswerInput, errors: &Errors) -> Vec<FieldView> {
    let lang = c.code();
    let mut last_group = String::new();
    inst.items
        .iter()
        .map(|i| {
            let q = &i.q;
            let group = q.group.get(lang).to_string();
            let group_start = if group != last_group && !group.is_empty() {
                Some(group.clone())
            } else {
                None
            };
            last_group = group;
            FieldView {
                name: q.name.clone(),
                kind: q.kind.code(),
                label: q.label.get(lang).to_string(),
                hint: q.hint.get(lang).to_string(),
                required: q.required,
                condition: q
                    .relevant
                    .as_ref()
                    .filter(|r| !r.is_empty())
                    .map(|r| condition_text(c, inst, r))
                    .unwrap_or_default(),
                group_start,
                choices: q
                    .choices
                    .iter()
                    .map(|ch| {
                        let label = ch.label.get(lang);
                        (
                            ch.name.clone(),
                            if label.is_empty() {
                                ch.name.clone()
                            } else {
                                label.to_string()
                            },
                            input.has(&q.name, &ch.name),
                        )
                    })
                    .collect(),
                value: input.first(&q.name).to_string(),
                error: errors.get(&format!("q-{}", q.name)).map(|k| c.t(k)),
            }
        })
        .collect()
}

fn iid(s: &str) -> AppResult<InstrumentId> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn wave(s: &str) -> AppResult<WaveKind> {
    WaveKind::parse(s).ok_or(AppError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_lab.html")]
struct LabPage {
    c: Ctx,
    lab: Lab,
    instruments: Vec<InstrumentSummary>,
    residents: Vec<store::residency::ResidencyRow>,
}

async fn lab_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<LabPage> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageSurveys(lab.id))?;
    let instruments = svc::instruments_for_staff(&s.store, &c.actor, Some(lab.id)).await?;
    let mut conn = s.store.conn().await?;
    let residents = store::residency::of_lab(&mut conn, lab.id, None)
        .await?
        .into_iter()
        .filter(|r| {
            matches!(
                r.residency.status,
                domain::ResidencyStatus::Accepted
                    | domain::ResidencyStatus::Active
                    | domain::ResidencyStatus::Graduated
            )
        })
        .collect();
    Ok(LabPage {
        c,
        lab,
        instruments,
        residents,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_import.html")]
struct ImportPage {
    c: Ctx,
    lab: Lab,
    waves: Vec<String>,
    errors: Errors,
}

async fn import_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<ImportPage> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageSurveys(lab.id))?;
    Ok(ImportPage {
        c,
        lab,
        waves: vec!["baseline".into(), "endline".into()],
        errors: Errors::default(),
    })
}

fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The upload form posts multipart: the CSRF token is checked from its `_csrf` part.
async fn import(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    mut form: Multipart,
) -> AppResult<Response> {
    let lab = lab_or_404(&s, &slug).await?;
    c.require(Action::ManageSurveys(lab.id))?;
    let (mut file, mut token, mut waves) = (vec![], String::new(), vec![]);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("err-bad-form"))?
    {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("err-bad-form"))?;
        match name.as_str() {
            "_csrf" => token = String::from_utf8_lossy(&bytes).to_string(),
            "file" => file = bytes.to_vec(),
            "waves" => waves.push(String::from_utf8_lossy(&bytes).to_string()),
            _ => {}
        }
    }
    if !same_token(&token, &c.csrf) {
        return Err(AppError::Csrf);
    }
    let result = match svc::parse_waves(&waves) {
        Ok(w) => svc::import_xlsform(&s.store, &c.actor, Some(lab.id), &file, &w).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(out) => Ok(redirect_with_flash(
            &format!("/survey-instruments/{}", out.id),
            if out.warnings.is_empty() {
                "flash-survey-imported"
            } else {
                "flash-survey-imported-warnings"
            },
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPage {
                c,
                lab,
                waves,
                errors: Errors(errs),
            },
        )
            .into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            ImportPage {
                c,
                lab,
                waves,
                errors: Errors(vec![("file".into(), k.into())]),
            },
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_instrument.html")]
struct InstrumentPage {
    c: Ctx,
    i: Instrument,
    lab: Option<Lab>,
    warnings: Vec<String>,
    questions: Vec<FieldView>,
}

async fn instrument_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<InstrumentPage> {
    c.require_user()?;
    let i = svc::instrument_for_staff(&s.store, &c.actor, iid(&id)?).await?;
    let mut conn = s.store.conn().await?;
    let lab = match i.summary.lab_id {
        Some(l) => store::labs::lab(&mut conn, l).await?,
        None => None,
    };
    let warnings: Vec<Warning> = serde_json::from_str(&i.warnings_json).unwrap_or_default();
    let warnings = warnings
        .iter()
        .map(|w| svc::warning_text(c.lang, w))
        .collect();
    let questions = fields(&c, &i, &AnswerInput::default(), &Errors::default());
    Ok(InstrumentPage {
        c,
        i,
        lab,
        warnings,
        questions,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_me.html")]
struct MyPage {
    c: Ctx,
    due: Vec<Due>,
    done: Vec<SurveyResponse>,
}

async fn my_page(c: Ctx, State(s): State<AppState>) -> AppResult<MyPage> {
    c.require_user()?;
    let (due, done) = svc::my_surveys(&s.store, &c.actor).await?;
    Ok(MyPage { c, due, done })
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_form.html")]
struct FormPage {
    c: Ctx,
    title: String,
    wave: WaveKind,
    action: String,
    /// The woman's name on a coordinator's paper entry; empty when she answers herself.
    for_name: String,
    paper: bool,
    answered_on: String,
    fields: Vec<FieldView>,
    errors: Errors,
}

async fn answer_form(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, w)): Path<(String, String)>,
) -> AppResult<FormPage> {
    c.require_user()?;
    let (inst, d) = svc::due_instrument(&s.store, &c.actor, iid(&id)?, wave(&w)?).await?;
    let errors = Errors::default();
    Ok(FormPage {
        title: c.lx(&inst.summary.title),
        action: format!("/me/surveys/{}/{}", inst.id(), d.wave.code()),
        fields: fields(&c, &inst, &AnswerInput::default(), &errors),
        wave: d.wave,
        for_name: String::new(),
        paper: false,
        answered_on: String::new(),
        c,
        errors,
    })
}

async fn answer(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, w)): Path<(String, String)>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let (id, wave) = (iid(&id)?, wave(&w)?);
    let pairs: Vec<(String, String)> = body.parse()?;
    let input = AnswerInput::from_fields(&pairs);
    match svc::answer_own(&s.store, &c.actor, id, wave, &input).await {
        Ok(_) => Ok(redirect_with_flash("/me/surveys", "flash-survey-thanks")),
        Err(AppError::Invalid(errs)) => {
            let (inst, d) = svc::due_instrument(&s.store, &c.actor, id, wave).await?;
            let errors = Errors(errs);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                FormPage {
                    title: c.lx(&inst.summary.title),
                    action: format!("/me/surveys/{}/{}", inst.id(), d.wave.code()),
                    fields: fields(&c, &inst, &input, &errors),
                    wave: d.wave,
                    for_name: String::new(),
                    paper: false,
                    answered_on: String::new(),
                    c,
                    errors,
                },
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_person.html")]
struct PersonPage {
    c: Ctx,
    person: store::people::Person,
    responses: Vec<SurveyResponse>,
    instruments: Vec<InstrumentSummary>,
    all_waves: Vec<WaveKind>,
}

fn pid(s: &str) -> AppResult<PersonId> {
    s.parse().map_err(|_| AppError::NotFound)
}

async fn person_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<PersonPage> {
    c.require_user()?;
    let person = pid(&id)?;
    // Her own answers are on /me/surveys; this page is the coordinators'.
    let scope = c.actor.scope_for(Action::ManageSurveys);
    {
        let mut conn = s.store.conn().await?;
        store::people::get_scoped(&mut conn, &scope, person)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let (p, responses) = svc::person_responses(&s.store, &c.actor, person).await?;
    let instruments = svc::instruments_for_staff(&s.store, &c.actor, Some(p.lab_id)).await?;
    Ok(PersonPage {
        c,
        person: p,
        responses,
        instruments,
        all_waves: WaveKind::ALL.to_vec(),
    })
}

async fn paper_view(
    c: Ctx,
    s: &AppState,
    person: PersonId,
    id: InstrumentId,
    wave: WaveKind,
    input: AnswerInput,
    errors: Errors,
) -> AppResult<FormPage> {
    let (p, inst) = svc::paper_target(&s.store, &c.actor, person, id).await?;
    let answered_on = if input.answered_on.is_empty() {
        domain::time::today().to_string()
    } else {
        input.answered_on.clone()
    };
    Ok(FormPage {
        title: c.lx(&inst.summary.title),
        action: format!("/people/{}/surveys/{}/{}", p.id, inst.id(), wave.code()),
        fields: fields(&c, &inst, &input, &errors),
        wave,
        for_name: p.full_name(),
        paper: true,
        answered_on,
        c,
        errors,
    })
}

async fn paper_form(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, i, w)): Path<(String, String, String)>,
) -> AppResult<FormPage> {
    c.require_user()?;
    paper_view(
        c,
        &s,
        pid(&id)?,
        iid(&i)?,
        wave(&w)?,
        AnswerInput::default(),
        Errors::default(),
    )
    .await
}

async fn paper(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, i, w)): Path<(String, String, String)>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let (person, inst, wave) = (pid(&id)?, iid(&i)?, wave(&w)?);
    let pairs: Vec<(String, String)> = body.parse()?;
    let input = AnswerInput::from_fields(&pairs);
    match svc::enter_paper(&s.store, &c.actor, person, inst, wave, &input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/people/{person}/surveys"),
            "flash-saved",
        )),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            paper_view(c, &s, person, inst, wave, input, Errors(errs)).await?,
        )
            .into_response()),
        Err(AppError::Conflict(k)) => Ok((
            StatusCode::CONFLICT,
            paper_view(
                c,
                &s,
                person,
                inst,
                wave,
                input,
                Errors(vec![("form".into(), k.into())]),
            )
            .await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_response.html")]
struct ResponsePage {
    c: Ctx,
    r: SurveyResponse,
    title: String,
    /// (group start, question, answer in words)
    rows: Vec<(Option<String>, String, String)>,
}

async fn response_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<ResponsePage> {
    c.require_user()?;
    let rid: ResponseId = id.parse().map_err(|_| AppError::NotFound)?;
    let (r, inst, answers) = svc::read_response(&s.store, &c.actor, rid).await?;
    let lang = c.code();
    let mut last_group = String::new();
    let mut rows = vec![];
    for i in &inst.items {
        if i.q.kind == QuestionKind::Note {
            continue;
        }
        let group = i.q.group.get(lang).to_string();
        let start = (group != last_group && !group.is_empty()).then(|| group.clone());
        last_group = group;
        let a = answers.get(&i.q.name).cloned().unwrap_or_default();
        let words = if i.q.kind.has_choices() {
            a.split_whitespace()
                .map(|v| {
                    i.q.choices
                        .iter()
                        .find(|ch| ch.name == v)
                        .map(|ch| ch.label.get(lang).to_string())
                        .filter(|l| !l.is_empty())
                        .unwrap_or_else(|| v.to_string())
                })
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            a
        };
        rows.push((start, i.q.label.get(lang).to_string(), words));
    }
    Ok(ResponsePage {
        title: c.lx(&r.instrument_title),
        c,
        r,
        rows,
    })
}
