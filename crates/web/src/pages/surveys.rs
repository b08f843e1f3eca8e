//! Survey pages: a lab's instruments (and the network's), an instrument with its questions,
//! scales and import warnings, the XLSForm import form, what is due for a resident and the form
//! she answers on her phone, a coordinator's paper entry for a woman of her lab, and one
//! response. Skip logic works without JavaScript (see `services::surveys`).
use super::forms::{Errors, respond};
use crate::ctx::{
    Ctx, PageNo, Path, VerifiedBody, constant_time_eq, multipart_parts, redirect_with_flash,
};
use crate::error::{AppError, AppResult};
use crate::services::pager::Pager;
use crate::services::surveys::{self as svc, AnswerInput, Due};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use domain::surveys::{Labels, Op, QuestionKind, WaveKind};
use domain::{InstrumentId, PersonId, ResponseId};
use store::labs::Lab;
use store::residency::ResidencyRow;
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
    pub fn wave_name<W: super::view::Val<WaveKind>>(&self, w: W) -> String {
        self.tv("wave", w.val().code())
    }
    /// `checked` for a choice she had ticked (however deep the template hands the flag over).
    pub fn checked_if<B: super::view::Val<bool>>(&self, on: B) -> &'static str {
        if on.val() { "checked" } else { "" }
    }
    /// `selected` for the option she had chosen in a drop-down list.
    pub fn selected_if<B: super::view::Val<bool>>(&self, on: B) -> &'static str {
        if on.val() { "selected" } else { "" }
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
    pub fn score_text<S: super::view::Val<f64>>(&self, s: S) -> String {
        format!("{:.2}", s.val())
    }
}

/// One question as the form shows it, every text already in the reader's language.
pub struct FieldView {
    pub name: String,
    /// The question kind's code (likert, single, ...), for the template's choice of input.
    pub kind: &'static str,
    /// `multiline` (a text area), `minimal` (a drop-down list) or empty.
    pub appearance: &'static str,
    pub label: String,
    pub hint: String,
    pub required: bool,
    /// "Answer only if …" when the question has skip logic.
    pub condition: String,
    /// The group's label when a new group starts at this question.
    pub group_start: Option<String>,
    pub choices: Vec<(String, String, bool)>,
    /// The constraint as the form wrote it (`. >= 0`), for those who manage the instrument.
    pub rule: String,
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
                appearance: q.appearance.map(|a| a.code()).unwrap_or_default(),
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
                rule: q
                    .constraint
                    .as_ref()
                    .map(|k| k.to_string())
                    .unwrap_or_default(),
                value: input.first(&q.name).to_string(),
                error: errors
                    .get(&format!("q-{}", q.name))
                    .map(|k| svc::constraint_message(c.lang, q, k)),
            }
        })
        .collect()
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
    residents: Vec<ResidencyRow>,
}

async fn lab_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<LabPage> {
    let (lab, instruments, residents) = svc::lab_surveys(&s.store, &c.actor, &slug).await?;
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
    /// Rows the importer refused, in words ("survey, row 12, constraint: …").
    refused: Vec<String>,
    errors: Errors,
}

/// The rows of a refused workbook (errors at `<sheet>:<row>:<column>`), in words.
fn refused_rows(c: &Ctx, errors: &Errors) -> Vec<String> {
    errors
        .0
        .iter()
        .filter_map(|(field, key)| {
            let mut parts = field.splitn(3, ':');
            let (sheet, row, column) = (parts.next()?, parts.next()?, parts.next()?);
            let row: i64 = row.parse().ok()?;
            let place = c.lang.t_args(
                "xlsform-where",
                &[("place", sheet.to_string().into()), ("n", row.into())],
            );
            Some(format!("{place}, {column}: {}", c.t(key)))
        })
        .collect()
}

async fn import_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<ImportPage> {
    let lab = svc::survey_lab(&s.store, &c.actor, &slug).await?;
    Ok(ImportPage {
        c,
        lab,
        waves: vec!["baseline".into(), "endline".into()],
        refused: vec![],
        errors: Errors::default(),
    })
}

/// The upload form posts multipart: the CSRF token is checked from its `_csrf` part.
async fn import(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    form: Multipart,
) -> AppResult<Response> {
    let lab = svc::survey_lab(&s.store, &c.actor, &slug).await?;
    let (mut file, mut token, mut waves) = (vec![], String::new(), vec![]);
    for (name, bytes) in multipart_parts(form).await? {
        match name.as_str() {
            "_csrf" => token = String::from_utf8_lossy(&bytes).to_string(),
            "file" => file = bytes.to_vec(),
            "waves" => waves.push(String::from_utf8_lossy(&bytes).to_string()),
            _ => {}
        }
    }
    if !constant_time_eq(token.as_bytes(), c.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    let result = match svc::parse_waves(&waves) {
        Ok(w) => svc::import_xlsform(&s.store, &c.actor, Some(lab.id), &file, &w).await,
        Err(e) => Err(e),
    };
    // A code already taken is answered 409, beside the file.
    let conflict = matches!(result, Err(AppError::Conflict(_)));
    let result = result.map_err(|e| match e {
        AppError::Conflict(k) => AppError::Invalid(vec![("file".into(), k.into())]),
        e => e,
    });
    let r = respond(
        result,
        |out| {
            let flash = if out.warnings.is_empty() {
                "flash-survey-imported"
            } else {
                "flash-survey-imported-warnings"
            };
            redirect_with_flash(&format!("/survey-instruments/{}", out.id), flash)
        },
        async |errors| {
            Ok(ImportPage {
                refused: refused_rows(&c, &errors),
                c,
                lab,
                waves,
                errors,
            })
        },
    )
    .await;
    conflict_status(r, conflict)
}

/// A form answered 422 whose mistake was a conflict (a code taken, an answer already given)
/// answers 409 instead.
fn conflict_status(r: AppResult<Response>, conflict: bool) -> AppResult<Response> {
    let mut r = r?;
    if conflict {
        *r.status_mut() = StatusCode::CONFLICT;
    }
    Ok(r)
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys_instrument.html")]
struct InstrumentPage {
    c: Ctx,
    i: Instrument,
    lab: Option<Lab>,
    warnings: Vec<String>,
    questions: Vec<FieldView>,
    /// One page of the responses she may see, each with the name of the woman who answered.
    responses: Vec<(SurveyResponse, String)>,
    pg: Pager,
}

async fn instrument_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<InstrumentId>,
    PageNo(page): PageNo,
) -> AppResult<InstrumentPage> {
    let (i, lab) = svc::instrument_with_lab(&s.store, &c.actor, id).await?;
    let r = svc::instrument_responses(&s.store, &c.actor, &i.summary, page).await?;
    let warnings = svc::warnings_of(&i, c.lang)
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    let questions = fields(&c, &i, &AnswerInput::default(), &Errors::default());
    Ok(InstrumentPage {
        c,
        i,
        lab,
        warnings,
        questions,
        responses: r.rows,
        pg: r.pager,
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

/// The form she answers herself, with what she typed and the messages after a mistake.
async fn own_form(
    c: Ctx,
    s: &AppState,
    id: InstrumentId,
    wave: WaveKind,
    input: &AnswerInput,
    errors: Errors,
) -> AppResult<FormPage> {
    let (inst, d) = svc::due_instrument(&s.store, &c.actor, id, wave).await?;
    Ok(FormPage {
        title: c.lx(&inst.summary.title),
        action: format!("/me/surveys/{}/{}", inst.id(), d.wave.code()),
        fields: fields(&c, &inst, input, &errors),
        wave: d.wave,
        for_name: String::new(),
        paper: false,
        answered_on: String::new(),
        c,
        errors,
    })
}

async fn answer_form(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, w)): Path<(InstrumentId, String)>,
) -> AppResult<FormPage> {
    c.require_user()?;
    let input = AnswerInput::default();
    own_form(c, &s, id, wave(&w)?, &input, Errors::default()).await
}

async fn answer(
    c: Ctx,
    State(s): State<AppState>,
    Path((id, w)): Path<(InstrumentId, String)>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let wave = wave(&w)?;
    let input = AnswerInput::from_fields(&body.parse::<Vec<(String, String)>>()?);
    respond(
        svc::answer_own(&s.store, &c.actor, id, wave, &input).await,
        |_| redirect_with_flash("/me/surveys", "flash-survey-thanks"),
        async |errors| own_form(c, &s, id, wave, &input, errors).await,
    )
    .await
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

async fn person_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(person): Path<PersonId>,
) -> AppResult<PersonPage> {
    let (person, responses, instruments) = svc::person_surveys(&s.store, &c.actor, person).await?;
    Ok(PersonPage {
        c,
        person,
        responses,
        instruments,
        all_waves: WaveKind::ALL.to_vec(),
    })
}

async fn paper_view(
    c: Ctx,
    s: &AppState,
    (person, id, wave): (PersonId, InstrumentId, WaveKind),
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
    Path((id, i, w)): Path<(PersonId, InstrumentId, String)>,
) -> AppResult<FormPage> {
    c.require_user()?;
    let target = (id, i, wave(&w)?);
    paper_view(c, &s, target, AnswerInput::default(), Errors::default()).await
}

async fn paper(
    c: Ctx,
    State(s): State<AppState>,
    Path((person, inst, w)): Path<(PersonId, InstrumentId, String)>,
    body: VerifiedBody,
) -> AppResult<Response> {
    c.require_user()?;
    let wave = wave(&w)?;
    let input = AnswerInput::from_fields(&body.parse::<Vec<(String, String)>>()?);
    let result = svc::enter_paper(&s.store, &c.actor, person, inst, wave, &input).await;
    // An answer already given for the wave is answered 409, above the form.
    let conflict = matches!(result, Err(AppError::Conflict(_)));
    let result = result.map_err(|e| match e {
        AppError::Conflict(k) => AppError::Invalid(vec![("form".into(), k.into())]),
        e => e,
    });
    let r = respond(
        result,
        |_| redirect_with_flash(&format!("/people/{person}/surveys"), "flash-saved"),
        async |errors| paper_view(c, &s, (person, inst, wave), input, errors).await,
    )
    .await;
    conflict_status(r, conflict)
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
    Path(rid): Path<ResponseId>,
) -> AppResult<ResponsePage> {
    c.require_user()?;
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
