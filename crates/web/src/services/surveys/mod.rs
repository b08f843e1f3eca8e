//! Surveys: importing instruments from XLSForm, what is due for a resident, answering (by her,
//! or from a paper form by a coordinator of her lab), reading answers (audited) and exporting
//! them (audited).
//!
//! Who may do what: coordinators of a lab and the network admin manage the lab's instruments,
//! enter paper answers, read and export the lab's answers; the network's instruments (no lab)
//! are imported by the admin and used by every lab. A woman answers what is due for her and
//! reads her own answers. Nobody else sees answers (mentors, case workers, another lab: 404).
//!
//! Skip logic without JavaScript: the form shows every question, each conditional one with its
//! condition in words ("answer if …"). On submit the conditions are evaluated in question order
//! on what she typed; answers to questions whose condition is false are dropped (never stored),
//! and only the questions that are shown need their required answers. One page, one submit: a
//! woman on a slow link does not wait for a second page.
mod views;
pub use views::*;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::base::entry;
use crate::services::pager::{PAGE_SIZE, Pager};
use chrono::NaiveDate;
use documents::xlsform;
use documents::xlsform::Warning;
use domain::surveys::{self as sv, Labels, Question, WaveKind};
use domain::{Action, Actor, InstrumentId, LabId, PersonId, ResidencyId, ResponseId};
use std::collections::HashMap;
use store::surveys::{Instrument, InstrumentSummary, Response, ResponseDraft};
use store::{Store, audit};

fn err(field: impl Into<String>, key: &str) -> AppError {
    AppError::Invalid(vec![(field.into(), key.to_string())])
}

/// The waves named in a form or API call (`baseline,endline` or repeated fields).
pub fn parse_waves(list: &[String]) -> AppResult<Vec<WaveKind>> {
    let mut out = vec![];
    for w in list.iter().flat_map(|s| s.split([',', ' '])) {
        if w.trim().is_empty() {
            continue;
        }
        let k = WaveKind::parse(w.trim()).ok_or_else(|| err("waves", "err-choice"))?;
        if !out.contains(&k) {
            out.push(k);
        }
    }
    Ok(out)
}

/// A new instrument and what the importer could not take over.
pub struct Imported {
    pub id: InstrumentId,
    pub warnings: Vec<xlsform::Warning>,
}

/// Imports an XLSForm workbook as an instrument of `lab`, or of the network (`None`, admin only).
pub async fn import_xlsform(
    store: &Store,
    actor: &Actor,
    lab: Option<LabId>,
    bytes: &[u8],
    waves: &[WaveKind],
) -> AppResult<Imported> {
    let allowed = match lab {
        Some(l) => actor.allows(Action::ManageSurveys(l)),
        None => actor.allows(Action::ManageNetwork),
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    if bytes.is_empty() {
        return Err(err("file", "err-xlsform-no-file"));
    }
    let form = xlsform::parse(bytes).map_err(refusal)?;
    let code = if form.form_id.is_empty() {
        format!("form_{}", &uuid::Uuid::now_v7().simple().to_string()[..8])
    } else {
        form.form_id.clone()
    };
    let mut title = form.title.clone();
    if title.is_empty() {
        title = Labels::new(&code, &code, &code);
    }
    let draft = store::surveys::InstrumentDraft {
        code: &code,
        title: &title,
        waves,
        source: "xlsform",
        version: &form.version,
        warnings_json: serde_json::to_string(&form.warnings).unwrap_or_else(|_| "[]".into()),
        questions: &form.questions,
        scales: &form.scales,
    };
    let mut tx = store.begin().await?;
    let id = store::surveys::insert_instrument(&mut tx, lab, &draft, actor.user_id)
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(_) => AppError::Conflict("err-survey-code-taken"),
            other => other.into(),
        })?;
    let e = entry(
        actor,
        "survey-instrument.import",
        "survey_instrument",
        id,
        lab,
    )
    .with_detail(format!("warnings:{}", form.warnings.len()));
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(Imported {
        id,
        warnings: form.warnings,
    })
}

/// A workbook that cannot be imported, as form errors: the reason at `file`, then, for rows
/// the importer refuses (constraints it cannot check), one error per row at
/// `<sheet>:<row>:<column>` (`survey:12:constraint`), which the page and the API show by row.
fn refusal(e: xlsform::XlsFormError) -> AppError {
    let mut errors = vec![("file".to_string(), e.key().to_string())];
    if let xlsform::XlsFormError::Refused(rows) = e {
        errors.extend(rows.into_iter().map(|w| {
            (
                format!("{}:{}:constraint", w.sheet, w.row),
                format!("err-xlsform-{}", w.code),
            )
        }));
    }
    AppError::Invalid(errors)
}

/// Whether the actor manages this instrument: coordinators of its lab (any coordinator for the
/// network's) and the admin.
pub fn manages(actor: &Actor, i: &InstrumentSummary) -> bool {
    match i.lab_id {
        Some(l) => actor.allows(Action::ManageSurveys(l)),
        None => {
            actor.allows(Action::ManageNetwork) || (actor.is_signed_in() && actor.is_coordinator())
        }
    }
}

/// An instrument for those who manage it; 404 for everyone else.
pub async fn instrument_for_staff(
    store: &Store,
    actor: &Actor,
    id: InstrumentId,
) -> AppResult<Instrument> {
    let mut c = store.conn().await?;
    let i = store::surveys::instrument(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !manages(actor, &i.summary) {
        return Err(AppError::NotFound);
    }
    Ok(i)
}

/// The instruments an actor manages: of one lab (with the network's), or of all her labs.
pub async fn instruments_for_staff(
    store: &Store,
    actor: &Actor,
    lab: Option<LabId>,
) -> AppResult<Vec<InstrumentSummary>> {
    let mut c = store.conn().await?;
    match lab {
        Some(l) => {
            if !actor.allows(Action::ManageSurveys(l)) {
                return Err(AppError::NotFound);
            }
            Ok(store::surveys::instruments(&mut c, Some(l)).await?)
        }
        None => {
            let scope = actor.scope_for(Action::ManageSurveys);
            if scope.is_empty() {
                return Err(AppError::NotFound);
            }
            let all = store::surveys::instruments(&mut c, None).await?;
            Ok(all
                .into_iter()
                .filter(|i| i.lab_id.is_none_or(|l| scope.contains(l)))
                .collect())
        }
    }
}

/// A survey due for a woman: an instrument of her lab (or the network's) serving a wave her
/// residency has reached, not answered yet.
#[derive(Debug, Clone)]
pub struct Due {
    pub instrument: InstrumentSummary,
    pub wave: WaveKind,
    pub due_on: NaiveDate,
    pub residency: ResidencyId,
    pub lab: LabId,
}

/// What is due for a person today (computed from her residencies' transitions).
pub async fn due_in(c: &mut store::AnyConn, person: PersonId) -> store::Result<Vec<Due>> {
    let today = domain::time::today();
    let answered = store::surveys::answered(c, person).await?;
    let mut out = vec![];
    for r in store::surveys::residency_steps(c, person).await? {
        let waves = sv::due_waves(r.status, &r.steps, today);
        if waves.is_empty() {
            continue;
        }
        let instruments = store::surveys::instruments(c, Some(r.lab_id)).await?;
        for (wave, due_on) in waves {
            for i in instruments.iter().filter(|i| i.waves.contains(&wave)) {
                let done = answered
                    .iter()
                    .any(|(a, w, res)| *a == i.id && *w == wave && *res == Some(r.residency_id));
                if !done {
                    out.push(Due {
                        instrument: i.clone(),
                        wave,
                        due_on,
                        residency: r.residency_id,
                        lab: r.lab_id,
                    });
                }
            }
        }
    }
    out.sort_by_key(|d| d.due_on);
    Ok(out)
}

/// What the signed-in woman has due and has answered.
pub async fn my_surveys(store: &Store, actor: &Actor) -> AppResult<(Vec<Due>, Vec<Response>)> {
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    if !actor.allows(Action::OwnProfile(me)) {
        return Err(AppError::NotFound);
    }
    let mut c = store.conn().await?;
    let due = due_in(&mut c, me).await?;
    let done = store::surveys::responses_of_person(&mut c, me).await?;
    Ok((due, done))
}

/// Answers as typed: values per question name (check boxes give several).
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    pub values: HashMap<String, Vec<String>>,
    /// For paper forms: the date written on the paper (`YYYY-MM-DD` or `DD.MM.YYYY`).
    pub answered_on: String,
}

impl AnswerInput {
    /// From form fields: `q-<name>` per answer, plus `answered_on`.
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut a = Self::default();
        for (k, v) in fields {
            if let Some(name) = k.strip_prefix("q-") {
                a.values
                    .entry(name.to_string())
                    .or_default()
                    .push(v.clone());
            } else if k == "answered_on" {
                a.answered_on = v.clone();
            }
        }
        a
    }

    pub fn first(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|v| v.iter().any(|x| x.split_whitespace().any(|y| y == value)))
    }
}

/// Checks answers against the instrument: every value by its kind and its constraint, skip
/// logic applied in order (answers to hidden questions dropped), required answers of shown
/// questions present. Errors are `(q-<name>, key)`; a broken constraint is
/// `err-survey-constraint`, which the page words with the question's own message (see
/// [`constraint_message`]).
pub fn check_answers(
    questions: &[Question],
    input: &AnswerInput,
) -> Result<HashMap<String, String>, Vec<(String, String)>> {
    let mut values = HashMap::new();
    let mut errors: Vec<(String, String)> = vec![];
    for q in questions {
        let raw = input.values.get(&q.name).cloned().unwrap_or_default();
        match q
            .validate(&raw)
            .and_then(|v| v.map(|v| q.check_constraint(&v).map(|_| v)).transpose())
        {
            Ok(Some(v)) => {
                values.insert(q.name.clone(), v);
            }
            Ok(None) => {}
            Err(e) => errors.push((format!("q-{}", q.name), e.key.to_string())),
        }
    }
    let (kept, shown) = sv::apply_skip_logic(questions, &values);
    errors.retain(|(f, _)| shown.iter().any(|n| f == &format!("q-{n}")));
    for q in questions {
        let field = format!("q-{}", q.name);
        if q.required
            && q.kind.is_answered()
            && shown.contains(&q.name)
            && !kept.contains_key(&q.name)
            && !errors.iter().any(|(f, _)| *f == field)
        {
            errors.push((field, "err-survey-required".into()));
        }
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(errors)
    }
}

/// The words for a field error of an answer: the question's constraint message in `lang` when
/// the error is its constraint and the form gave one in that language, else the message of the
/// key (generic, in `lang`).
pub fn constraint_message(lang: Lang, q: &Question, key: &str) -> String {
    let own = match lang.code() {
        "ky" => &q.constraint_message.ky,
        "ru" => &q.constraint_message.ru,
        _ => &q.constraint_message.en,
    };
    if key == "err-survey-constraint" && !own.trim().is_empty() {
        own.clone()
    } else {
        lang.t(key)
    }
}

async fn save(
    tx: &mut store::Tx,
    actor: &Actor,
    inst: &Instrument,
    draft: ResponseDraft,
    kept: &HashMap<String, String>,
) -> AppResult<ResponseId> {
    let questions = inst.questions();
    let scores = sv::score_all(&inst.scales, &questions, kept);
    let answers: Vec<_> = inst
        .items
        .iter()
        .filter_map(|i| kept.get(&i.q.name).map(|v| (i.id, v.clone())))
        .collect();
    let paper = draft.entered_by.is_some();
    let (lab, wave) = (draft.lab, draft.wave);
    let id = store::surveys::insert_response(tx, &draft, &answers, &scores)
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(_) => AppError::Conflict("err-survey-answered"),
            other => other.into(),
        })?;
    let e = entry(
        actor,
        "survey-response.submit",
        "survey_response",
        id,
        Some(lab),
    )
    .with_detail(format!(
        "{}:{}",
        wave.code(),
        if paper { "paper" } else { "self" }
    ));
    audit::record(tx, e).await?;
    Ok(id)
}

/// She answers a survey due for her.
pub async fn answer_own(
    store: &Store,
    actor: &Actor,
    instrument: InstrumentId,
    wave: WaveKind,
    input: &AnswerInput,
) -> AppResult<ResponseId> {
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    if !actor.allows(Action::OwnProfile(me)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let due = due_in(&mut tx, me).await?;
    let Some(d) = due
        .into_iter()
        .find(|d| d.instrument.id == instrument && d.wave == wave)
    else {
        return Err(AppError::NotFound);
    };
    let inst = store::surveys::instrument(&mut tx, instrument)
        .await?
        .ok_or(AppError::NotFound)?;
    let kept = check_answers(&inst.questions(), input).map_err(AppError::Invalid)?;
    let draft = ResponseDraft {
        instrument,
        person: me,
        residency: Some(d.residency),
        lab: d.lab,
        wave,
        answered_on: domain::time::today(),
        entered_by: None,
    };
    let id = save(&mut tx, actor, &inst, draft, &kept).await?;
    tx.commit().await?;
    Ok(id)
}

/// The instrument as she sees it when it is due for her (404 otherwise).
pub async fn due_instrument(
    store: &Store,
    actor: &Actor,
    instrument: InstrumentId,
    wave: WaveKind,
) -> AppResult<(Instrument, Due)> {
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    let mut c = store.conn().await?;
    let d = due_in(&mut c, me)
        .await?
        .into_iter()
        .find(|d| d.instrument.id == instrument && d.wave == wave)
        .ok_or(AppError::NotFound)?;
    let inst = store::surveys::instrument(&mut c, instrument)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((inst, d))
}

/// A woman and an instrument a coordinator may enter paper answers for: she belongs to one of
/// the actor's labs, the instrument is her lab's or the network's.
pub async fn paper_target(
    store: &Store,
    actor: &Actor,
    person: PersonId,
    instrument: InstrumentId,
) -> AppResult<(store::people::Person, Instrument)> {
    let mut c = store.conn().await?;
    let p = store::people::get_scoped(&mut c, &actor.scope_for(Action::ManageSurveys), person)
        .await?
        .ok_or(AppError::NotFound)?;
    let inst = store::surveys::instrument(&mut c, instrument)
        .await?
        .ok_or(AppError::NotFound)?;
    if inst.summary.lab_id.is_some_and(|l| l != p.lab_id) {
        return Err(AppError::NotFound);
    }
    Ok((p, inst))
}

/// A coordinator types in a paper form for a woman of her lab.
pub async fn enter_paper(
    store: &Store,
    actor: &Actor,
    person: PersonId,
    instrument: InstrumentId,
    wave: WaveKind,
    input: &AnswerInput,
) -> AppResult<ResponseId> {
    let (p, inst) = paper_target(store, actor, person, instrument).await?;
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let questions = inst.questions();
    let date = domain::time::parse_date(&input.answered_on);
    let mut errors = match check_answers(&questions, input) {
        Ok(_) => vec![],
        Err(e) => e,
    };
    match date {
        None => errors.insert(0, ("answered_on".into(), "err-survey-date".into())),
        Some(d) if d > domain::time::today() => {
            errors.insert(0, ("answered_on".into(), "err-survey-future".into()))
        }
        Some(d)
            if domain::time::plausible(
                "answered_on",
                d,
                domain::time::DateSpan::Past,
                domain::time::today(),
            )
            .is_err() =>
        {
            errors.insert(0, ("answered_on".into(), domain::time::IMPLAUSIBLE.into()))
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let kept = check_answers(&questions, input).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    // The residency the wave belongs to: her latest in the lab.
    let residency = store::residency::of_person(&mut tx, person)
        .await?
        .into_iter()
        .find(|r| r.lab_id == p.lab_id)
        .map(|r| r.id);
    let draft = ResponseDraft {
        instrument,
        person,
        residency,
        lab: p.lab_id,
        wave,
        answered_on: date.unwrap_or_else(domain::time::today),
        entered_by: Some(user),
    };
    let id = save(&mut tx, actor, &inst, draft, &kept).await?;
    tx.commit().await?;
    Ok(id)
}

/// A woman's responses, for her or for a coordinator of her lab (audited for staff).
pub async fn person_responses(
    store: &Store,
    actor: &Actor,
    person: PersonId,
) -> AppResult<(store::people::Person, Vec<Response>)> {
    let mut tx = store.begin().await?;
    let own = actor.allows(Action::OwnProfile(person));
    let scope = if own {
        domain::LabScope::All
    } else {
        actor.scope_for(Action::ManageSurveys)
    };
    let p = store::people::get_scoped(&mut tx, &scope, person)
        .await?
        .ok_or(AppError::NotFound)?;
    let list = store::surveys::responses_of_person(&mut tx, person).await?;
    staff_read(&mut tx, actor, own, "person", person, p.lab_id).await?;
    tx.commit().await?;
    Ok((p, list))
}

/// One page of an instrument's responses, each with her name.
pub struct InstrumentResponses {
    pub rows: Vec<(Response, String)>,
    pub pager: Pager,
}

/// Page `page` (from 0, [`PAGE_SIZE`] a page) of the responses to an instrument its staff may
/// see: those given in the labs whose surveys she manages, newest first. Who answered is read
/// about women, so the read is audited like her list of responses; a page past the last is
/// refused (`err-page`).
pub async fn instrument_responses(
    store: &Store,
    actor: &Actor,
    i: &InstrumentSummary,
    page: i64,
) -> AppResult<InstrumentResponses> {
    if !manages(actor, i) {
        return Err(AppError::NotFound);
    }
    let scope = actor.scope_for(Action::ManageSurveys);
    let mut tx = store.begin().await?;
    let total = store::surveys::count_responses_of_instrument(&mut tx, i.id, &scope).await?;
    let pager = Pager::new(page, PAGE_SIZE, total)?;
    let rows = store::surveys::responses_of_instrument(
        &mut tx,
        i.id,
        &scope,
        pager.limit(),
        pager.offset(),
    )
    .await?;
    if !rows.is_empty() {
        let lab = match &scope {
            domain::LabScope::Only(l) if l.len() == 1 => Some(l[0]),
            _ => i.lab_id,
        };
        let e = entry(
            actor,
            "survey-response.read",
            "survey_instrument",
            i.id,
            lab,
        )
        .with_detail(format!("page {}: {}", pager.page, rows.len()));
        audit::record(&mut tx, e).await?;
    }
    tx.commit().await?;
    Ok(InstrumentResponses { rows, pager })
}

/// One response with its instrument and answers (by question name), for her or a coordinator
/// of the lab it was given in (audited for staff).
pub async fn read_response(
    store: &Store,
    actor: &Actor,
    id: ResponseId,
) -> AppResult<(Response, Instrument, HashMap<String, String>)> {
    let mut tx = store.begin().await?;
    let r = store::surveys::response(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = actor.allows(Action::OwnProfile(r.person_id));
    if !own && !actor.allows(Action::ManageSurveys(r.lab_id)) {
        return Err(AppError::NotFound);
    }
    let inst = store::surveys::instrument(&mut tx, r.instrument_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let by_id = store::surveys::answers(&mut tx, id).await?;
    let answers = inst
        .items
        .iter()
        .filter_map(|i| by_id.get(&i.id).map(|v| (i.q.name.clone(), v.clone())))
        .collect();
    staff_read(&mut tx, actor, own, "survey_response", id, r.lab_id).await?;
    tx.commit().await?;
    Ok((r, inst, answers))
}

/// A staff member's read of answers is audited; hers of her own is not.
async fn staff_read(
    tx: &mut store::AnyConn,
    actor: &Actor,
    own: bool,
    entity: &str,
    id: impl ToString,
    lab: LabId,
) -> AppResult<()> {
    if !own {
        let e = entry(actor, "survey-response.read", entity, id, Some(lab));
        audit::record(tx, e).await?;
    }
    Ok(())
}

/// The export of an instrument's responses the actor may see: one row per response, one column
/// per answered question (notes have none), then one per scale. Audited.
pub struct Export {
    pub instrument: Instrument,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<ExportCell>>,
}

/// A typed cell of the export.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    Empty,
    Text(String),
    Int(i64),
    Decimal(f64),
    Date(NaiveDate),
}

pub async fn export(
    store: &Store,
    actor: &Actor,
    id: InstrumentId,
    format: &str,
) -> AppResult<Export> {
    let mut tx = store.begin().await?;
    let inst = store::surveys::instrument(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !manages(actor, &inst.summary) {
        return Err(AppError::NotFound);
    }
    let scope = actor.scope_for(Action::ManageSurveys);
    let all = store::surveys::responses_with_answers(&mut tx, id, None).await?;
    let visible: Vec<_> = all
        .into_iter()
        .filter(|(r, _)| scope.contains(r.lab_id))
        .collect();
    let labs = store::labs::list_labs(&mut tx).await?;
    let answered: Vec<&store::surveys::Item> = inst
        .items
        .iter()
        .filter(|i| i.q.kind.is_answered())
        .collect();
    let mut headers: Vec<String> = [
        "response_id",
        "person_id",
        "lab",
        "wave",
        "answered_on",
        "entered",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    headers.extend(answered.iter().map(|i| i.q.name.clone()));
    headers.extend(inst.scales.iter().map(|s| format!("score_{}", s.code)));
    let mut rows = vec![];
    for (r, a) in &visible {
        let mut row = vec![
            ExportCell::Text(r.id.to_string()),
            ExportCell::Text(r.person_id.to_string()),
            ExportCell::Text(
                labs.iter()
                    .find(|l| l.id == r.lab_id)
                    .map(|l| l.slug.clone())
                    .unwrap_or_default(),
            ),
            ExportCell::Text(r.wave.code().into()),
            ExportCell::Date(r.answered_on),
            ExportCell::Text(
                if r.entered_by.is_some() {
                    "paper"
                } else {
                    "self"
                }
                .into(),
            ),
        ];
        for i in &answered {
            let cell = match a.get(&i.id) {
                None => ExportCell::Empty,
                Some(v) => match i.q.kind {
                    sv::QuestionKind::Integer => v
                        .parse()
                        .map(ExportCell::Int)
                        .unwrap_or(ExportCell::Text(v.clone())),
                    sv::QuestionKind::Decimal => v
                        .parse()
                        .map(ExportCell::Decimal)
                        .unwrap_or(ExportCell::Text(v.clone())),
                    sv::QuestionKind::Likert => v
                        .parse()
                        .map(ExportCell::Int)
                        .unwrap_or(ExportCell::Text(v.clone())),
                    sv::QuestionKind::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .map(ExportCell::Date)
                        .unwrap_or(ExportCell::Text(v.clone())),
                    _ => ExportCell::Text(v.clone()),
                },
            };
            row.push(cell);
        }
        for s in &inst.scales {
            row.push(
                r.scores
                    .iter()
                    .find(|(c, _)| c == &s.code)
                    .map(|(_, x)| ExportCell::Decimal((x * 100.0).round() / 100.0))
                    .unwrap_or(ExportCell::Empty),
            );
        }
        rows.push(row);
    }
    let lab = match scope {
        domain::LabScope::Only(l) if l.len() == 1 => Some(l[0]),
        _ => inst.summary.lab_id,
    };
    let e = entry(
        actor,
        "survey-response.export",
        "survey_instrument",
        id,
        lab,
    )
    .with_detail(format!("{format}:{}", rows.len()));
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(Export {
        instrument: inst,
        headers,
        rows,
    })
}

/// Stores a built-in instrument (demo, or code that defines one) in a transaction.
pub async fn create_built_in(
    c: &mut store::AnyConn,
    lab: Option<LabId>,
    code: &str,
    title: &Labels,
    waves: &[WaveKind],
    questions: &[Question],
    scales: &[sv::Scale],
) -> store::Result<InstrumentId> {
    let draft = store::surveys::InstrumentDraft {
        code,
        title,
        waves,
        source: "built",
        version: "",
        warnings_json: "[]".into(),
        questions,
        scales,
    };
    store::surveys::insert_instrument(c, lab, &draft, None).await
}

/// Stores a response with its scores as if submitted (demo data), skip logic applied.
#[allow(clippy::too_many_arguments)]
pub async fn record_response(
    c: &mut store::AnyConn,
    inst: &Instrument,
    person: PersonId,
    residency: Option<ResidencyId>,
    lab: LabId,
    wave: WaveKind,
    answered_on: NaiveDate,
    entered_by: Option<domain::UserId>,
    answers: &HashMap<String, String>,
) -> store::Result<ResponseId> {
    let questions = inst.questions();
    let (kept, _) = sv::apply_skip_logic(&questions, answers);
    let scores = sv::score_all(&inst.scales, &questions, &kept);
    let list: Vec<_> = inst
        .items
        .iter()
        .filter_map(|i| kept.get(&i.q.name).map(|v| (i.id, v.clone())))
        .collect();
    let draft = ResponseDraft {
        instrument: inst.id(),
        person,
        residency,
        lab,
        wave,
        answered_on,
        entered_by,
    };
    store::surveys::insert_response(c, &draft, &list, &scores).await
}

/// A row warning of an XLSForm import in words: where it is and what was not imported.
pub fn warning_text(lang: Lang, w: &Warning) -> String {
    format!(
        "{}: {}",
        lang.t_args(
            "xlsform-where",
            &[
                ("place", w.sheet.clone().into()),
                ("n", i64::from(w.row).into())
            ]
        ),
        lang.t_args(
            &format!("xlsform-warn-{}", w.code),
            &[("code", w.detail.clone().into())]
        )
    )
}
