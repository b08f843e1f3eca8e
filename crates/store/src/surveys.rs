//! Surveys: instruments with their questions and scales, responses at a residency's waves,
//! answers, and the scale scores computed when a response is submitted (so indicators and the
//! positive-deviance finder read them with one plain query: [`scale_scores`]).
//!
//! Labels, choices and skip-logic conditions are stored as JSON text in their rows; answers as
//! text, one row per answered question.
use crate::row::{FromRow, all, col, from_row, get, int, many, opt, opt_text, text, time};
use crate::{Result, Store, StoreError, now, on_conflict};
use chrono::{DateTime, NaiveDate, Utc};
use domain::surveys::{self as sv, Labels, Question, QuestionKind, Scale, ScaleMethod, WaveKind};
use domain::{
    CohortId, InstrumentId, LabId, PersonId, QuestionId, ResidencyId, ResidencyStatus, ResponseId,
    UserId,
};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::HashMap;

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str, col: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

fn waves_text(w: &[WaveKind]) -> String {
    w.iter().map(|w| w.code()).collect::<Vec<_>>().join(",")
}

fn waves_of(s: &str) -> Vec<WaveKind> {
    s.split(',').filter_map(WaveKind::parse).collect()
}

/// What a new instrument is made of.
pub struct InstrumentDraft<'a> {
    pub code: &'a str,
    pub title: &'a Labels,
    pub waves: &'a [WaveKind],
    /// `xlsform` or `built`.
    pub source: &'a str,
    pub version: &'a str,
    /// The importer's warnings as a JSON list (`[]` for a built instrument).
    pub warnings_json: String,
    pub questions: &'a [Question],
    pub scales: &'a [Scale],
}

/// Stores an instrument with its questions and scales. `Conflict("survey_instruments.code")`
/// when the lab (or the network) already has one with this code.
pub async fn insert_instrument(
    c: &mut AnyConnection,
    lab: Option<LabId>,
    d: &InstrumentDraft<'_>,
    by: Option<UserId>,
) -> Result<InstrumentId> {
    let id = InstrumentId::new();
    sqlx::query(
        "INSERT INTO survey_instruments (id, lab_id, code, title, waves, source, version, warnings, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(lab.map(|l| l.to_string()))
    .bind(d.code)
    .bind(json(d.title))
    .bind(waves_text(d.waves))
    .bind(d.source)
    .bind(d.version)
    .bind(&d.warnings_json)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await
    .map_err(|e| on_conflict(e, "survey_instruments.code"))?;
    insert_parts(c, id, d.scales, d.questions).await?;
    Ok(id)
}

/// Stores an instrument's scales and questions (in their order).
pub async fn insert_parts(
    c: &mut AnyConnection,
    id: InstrumentId,
    scales: &[Scale],
    questions: &[Question],
) -> Result<()> {
    for s in scales {
        sqlx::query(
            "INSERT INTO survey_scales (instrument_id, code, name, method) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_string())
        .bind(&s.code)
        .bind(json(&s.name))
        .bind(s.method.code())
        .execute(&mut *c)
        .await?;
    }
    for (i, q) in questions.iter().enumerate() {
        sqlx::query(
            "INSERT INTO survey_questions (id, instrument_id, position, name, kind, label, hint, required, relevant, group_label, choices, scale_code, reversed, constraint_rule, constraint_message, appearance)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(QuestionId::new().to_string())
        .bind(id.to_string())
        .bind(i as i64)
        .bind(&q.name)
        .bind(q.kind.code())
        .bind(json(&q.label))
        .bind(json(&q.hint))
        .bind(i64::from(q.required))
        .bind(q.relevant.as_ref().filter(|r| !r.is_empty()).map(json))
        .bind(json(&q.group))
        .bind(json(&q.choices))
        .bind(q.scale.clone())
        .bind(i64::from(q.reversed))
        .bind(q.constraint.as_ref().map(|k| k.to_string()))
        .bind(json(&q.constraint_message))
        .bind(q.appearance.map(|a| a.code()).unwrap_or_default())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// An instrument as listed.
#[derive(Debug, Clone, Serialize)]
pub struct InstrumentSummary {
    pub id: InstrumentId,
    /// `None`: the network's, offered to every lab.
    pub lab_id: Option<LabId>,
    pub code: String,
    pub title: Labels,
    pub waves: Vec<WaveKind>,
    pub source: String,
    pub version: String,
    pub created_at: DateTime<Utc>,
    pub questions: i64,
    pub responses: i64,
}

/// A question as stored, with its id.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: QuestionId,
    pub q: Question,
}

/// An instrument with everything needed to show, answer and score it.
#[derive(Debug, Clone, Serialize)]
pub struct Instrument {
    pub summary: InstrumentSummary,
    pub items: Vec<Item>,
    pub scales: Vec<Scale>,
    /// The importer's warnings, as stored (a JSON list).
    pub warnings_json: String,
}

impl Instrument {
    pub fn id(&self) -> InstrumentId {
        self.summary.id
    }
    pub fn questions(&self) -> Vec<Question> {
        self.items.iter().map(|i| i.q.clone()).collect()
    }
}

const SUMMARY_SQL: &str =
    "SELECT i.id, i.lab_id, i.code, i.title, i.waves, i.source, i.version, i.created_at,
    (SELECT COUNT(*) FROM survey_questions q WHERE q.instrument_id = i.id) AS n_questions,
    (SELECT COUNT(*) FROM survey_responses r WHERE r.instrument_id = i.id) AS n_responses
  FROM survey_instruments i";

from_row! {
    InstrumentSummary |r| id, lab_id, code, title: from_json(&text(r, "title")?, "title")?,
    waves: waves_of(&text(r, "waves")?), source, version, created_at, questions = "n_questions",
    responses = "n_responses"
}

/// The instruments a lab uses (its own and the network's), or every instrument (`None`).
pub async fn instruments(
    c: &mut AnyConnection,
    lab: Option<LabId>,
) -> Result<Vec<InstrumentSummary>> {
    many(c, format!(
        "{SUMMARY_SQL} WHERE ($1 = '' OR i.lab_id IS NULL OR i.lab_id = $1) ORDER BY i.created_at DESC"
    ), lab.map(|l| l.to_string()).unwrap_or_default()).await
}

pub async fn instrument(c: &mut AnyConnection, id: InstrumentId) -> Result<Option<Instrument>> {
    let Some(r) = crate::dynamic(format!("{SUMMARY_SQL} WHERE i.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let summary = InstrumentSummary::from_row(&r)?;
    let warnings_json: String =
        sqlx::query("SELECT warnings FROM survey_instruments WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *c)
            .await
            .and_then(|r| sqlx::Row::try_get(&r, "warnings"))?;
    let rows = sqlx::query(
        "SELECT id, name, kind, label, hint, required, relevant, group_label, choices, scale_code, reversed,
           constraint_rule, constraint_message, appearance
         FROM survey_questions WHERE instrument_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(&mut *c)
    .await?;
    let mut items = vec![];
    for r in &rows {
        let kind = text(r, "kind")?;
        let relevant = opt_text(r, "relevant")?;
        let constraint = opt_text(r, "constraint_rule")?
            .map(|k| {
                sv::Constraint::parse(&k)
                    .map_err(|e| StoreError::Corrupt(format!("constraint_rule {k}: {e}")))
            })
            .transpose()?;
        let appearance = text(r, "appearance")?;
        items.push(Item {
            id: col(r, "id")?,
            q: Question {
                name: col(r, "name")?,
                kind: QuestionKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
                label: from_json(&text(r, "label")?, "label")?,
                hint: from_json(&text(r, "hint")?, "hint")?,
                required: int(r, "required")? != 0,
                relevant: relevant.map(|s| from_json(&s, "relevant")).transpose()?,
                group: from_json(&text(r, "group_label")?, "group_label")?,
                choices: from_json(&text(r, "choices")?, "choices")?,
                scale: col(r, "scale_code")?,
                reversed: int(r, "reversed")? != 0,
                constraint,
                constraint_message: from_json(
                    &text(r, "constraint_message")?,
                    "constraint_message",
                )?,
                appearance: sv::Appearance::parse(&appearance),
            },
        });
    }
    let rows = sqlx::query(
        "SELECT code, name, method FROM survey_scales WHERE instrument_id = $1 ORDER BY code",
    )
    .bind(id.to_string())
    .fetch_all(&mut *c)
    .await?;
    let mut scales = vec![];
    for r in &rows {
        let m = text(r, "method")?;
        scales.push(Scale {
            code: col(r, "code")?,
            name: from_json(&text(r, "name")?, "name")?,
            method: ScaleMethod::parse(&m)
                .ok_or_else(|| StoreError::Corrupt(format!("method {m}")))?,
        });
    }
    Ok(Some(Instrument {
        summary,
        items,
        scales,
        warnings_json,
    }))
}

/// Who answered, about whom, when and at which wave.
pub struct ResponseDraft {
    pub instrument: InstrumentId,
    pub person: PersonId,
    pub residency: Option<ResidencyId>,
    pub lab: LabId,
    pub wave: WaveKind,
    pub answered_on: NaiveDate,
    /// The coordinator who typed in a paper form; `None` when she answered herself.
    pub entered_by: Option<UserId>,
}

/// Stores a submitted response with its answers and its scale scores.
/// `Conflict("survey_responses.once")` when this wave was already answered.
pub async fn insert_response(
    c: &mut AnyConnection,
    d: &ResponseDraft,
    answers: &[(QuestionId, String)],
    scores: &[(String, f64, usize)],
) -> Result<ResponseId> {
    let id = ResponseId::new();
    sqlx::query(
        "INSERT INTO survey_responses (id, instrument_id, person_id, residency_id, lab_id, wave, answered_on, entered_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(d.instrument.to_string())
    .bind(d.person.to_string())
    .bind(d.residency.map(|r| r.to_string()))
    .bind(d.lab.to_string())
    .bind(d.wave.code())
    .bind(d.answered_on.to_string())
    .bind(d.entered_by.map(|u| u.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await
    .map_err(|e| on_conflict(e, "survey_responses.once"))?;
    for (q, v) in answers {
        sqlx::query(
            "INSERT INTO survey_answers (response_id, question_id, value) VALUES ($1, $2, $3)",
        )
        .bind(id.to_string())
        .bind(q.to_string())
        .bind(v)
        .execute(&mut *c)
        .await?;
    }
    for (scale, score, n) in scores {
        sqlx::query(
            "INSERT INTO survey_scores (response_id, scale_code, score, items_answered) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_string())
        .bind(scale)
        .bind(*score)
        .bind(*n as i64)
        .execute(&mut *c)
        .await?;
    }
    Ok(id)
}

/// A response as listed, with its scores.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub id: ResponseId,
    pub instrument_id: InstrumentId,
    pub instrument_title: Labels,
    pub person_id: PersonId,
    pub residency_id: Option<ResidencyId>,
    pub lab_id: LabId,
    pub wave: WaveKind,
    pub answered_on: NaiveDate,
    pub entered_by: Option<UserId>,
    pub entered_by_name: Option<String>,
    pub submitted_at: DateTime<Utc>,
    /// (scale code, score)
    pub scores: Vec<(String, f64)>,
}

macro_rules! response_cols {
    () => {
        "r.id, r.instrument_id, i.title, r.person_id, r.residency_id, r.lab_id, r.wave,
    r.answered_on, r.entered_by, u.display_name, r.submitted_at"
    };
}
macro_rules! response_from {
    () => {
        "survey_responses r JOIN survey_instruments i ON i.id = r.instrument_id
  LEFT JOIN users u ON u.id = r.entered_by"
    };
}
const RESPONSE_COLS: &str = response_cols!();
const RESPONSE_FROM: &str = response_from!();
const RESPONSE_SQL: &str = concat!("SELECT ", response_cols!(), " FROM ", response_from!());

from_row! {
    Response |r| id, instrument_id, instrument_title: from_json(&text(r, "title")?, "title")?,
    person_id, residency_id, lab_id, wave, answered_on, entered_by,
    entered_by_name = "display_name", submitted_at, scores: vec![]
}

async fn with_scores(c: &mut AnyConnection, mut list: Vec<Response>) -> Result<Vec<Response>> {
    for r in &mut list {
        let rows = sqlx::query(
            "SELECT scale_code, score FROM survey_scores WHERE response_id = $1 ORDER BY scale_code",
        )
        .bind(r.id.to_string())
        .fetch_all(&mut *c)
        .await?;
        r.scores = rows
            .iter()
            .map(|x| Ok((text(x, "scale_code")?, sqlx::Row::try_get(x, "score")?)))
            .collect::<Result<_>>()?;
    }
    Ok(list)
}

/// A woman's responses, newest first (the caller has been allowed to see her answers).
pub async fn responses_of_person(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Response>> {
    let rows = crate::dynamic(format!(
        "{RESPONSE_SQL} WHERE r.person_id = $1 ORDER BY r.answered_on DESC, r.id DESC"
    ))
    .bind(person.to_string())
    .fetch_all(&mut *c)
    .await?;
    let list = rows
        .iter()
        .map(Response::from_row)
        .collect::<Result<Vec<_>>>()?;
    with_scores(c, list).await
}

/// The responses to an instrument given in the labs of `scope`, by women still listed (not
/// erased, consent not withdrawn): `FROM`/`WHERE` from `$1` (the instrument) on.
fn of_instrument(scope: &domain::LabScope) -> (String, Vec<String>) {
    let (labs, values) = crate::row::scope_clause(scope, "r.lab_id", 2);
    (
        format!(
            "JOIN people p ON p.id = r.person_id WHERE r.instrument_id = $1 AND {labs} AND {}",
            crate::rights::visible_clause("p")
        ),
        values,
    )
}

/// One page of an instrument's responses given in the labs of `scope`, each with her name:
/// newest first, then by id.
pub async fn responses_of_instrument(
    c: &mut AnyConnection,
    instrument: InstrumentId,
    scope: &domain::LabScope,
    limit: i64,
    offset: i64,
) -> Result<Vec<(Response, String)>> {
    let (filter, values) = of_instrument(scope);
    let n = values.len();
    let sql = format!(
        "SELECT {RESPONSE_COLS}, p.family_name, p.given_name FROM {RESPONSE_FROM} {filter}
         ORDER BY r.answered_on DESC, r.id DESC LIMIT ${} OFFSET ${}",
        n + 2,
        n + 3
    );
    let q = crate::row::bind_each(crate::dynamic(sql).bind(instrument.to_string()), values);
    let rows = q.bind(limit).bind(offset).fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok((
                Response::from_row(r)?,
                format!("{} {}", text(r, "family_name")?, text(r, "given_name")?),
            ))
        })
        .collect()
}

/// How many responses [`responses_of_instrument`] pages through.
pub async fn count_responses_of_instrument(
    c: &mut AnyConnection,
    instrument: InstrumentId,
    scope: &domain::LabScope,
) -> Result<i64> {
    let (filter, values) = of_instrument(scope);
    let sql = format!("SELECT COUNT(*) AS n FROM survey_responses r {filter}");
    let q = crate::row::bind_each(crate::dynamic(sql).bind(instrument.to_string()), values);
    int(&q.fetch_one(c).await?, "n")
}

/// One response, or `None`.
pub async fn response(c: &mut AnyConnection, id: ResponseId) -> Result<Option<Response>> {
    let row = crate::dynamic(format!("{RESPONSE_SQL} WHERE r.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *c)
        .await?;
    match row.as_ref().map(Response::from_row).transpose()? {
        Some(r) => Ok(with_scores(c, vec![r]).await?.pop()),
        None => Ok(None),
    }
}

/// The answers of a response, by question id.
pub async fn answers(
    c: &mut AnyConnection,
    response: ResponseId,
) -> Result<HashMap<QuestionId, String>> {
    let rows = sqlx::query("SELECT question_id, value FROM survey_answers WHERE response_id = $1")
        .bind(response.to_string())
        .fetch_all(c)
        .await?;
    rows.iter()
        .map(|r| Ok((get(r, "question_id")?, text(r, "value")?)))
        .collect()
}

/// An instrument's responses with their answers, for the export: of one lab, or all (`None`).
pub async fn responses_with_answers(
    c: &mut AnyConnection,
    instrument: InstrumentId,
    lab: Option<LabId>,
) -> Result<Vec<(Response, HashMap<QuestionId, String>)>> {
    let rows = crate::dynamic(format!(
        "{RESPONSE_SQL} WHERE r.instrument_id = $1 AND ($2 = '' OR r.lab_id = $2) ORDER BY r.answered_on, r.id"
    ))
    .bind(instrument.to_string())
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_all(&mut *c)
    .await?;
    let list = rows
        .iter()
        .map(Response::from_row)
        .collect::<Result<Vec<_>>>()?;
    let list = with_scores(c, list).await?;
    let answer_rows = sqlx::query(
        "SELECT a.response_id, a.question_id, a.value FROM survey_answers a
         JOIN survey_responses r ON r.id = a.response_id
         WHERE r.instrument_id = $1 AND ($2 = '' OR r.lab_id = $2)",
    )
    .bind(instrument.to_string())
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .fetch_all(&mut *c)
    .await?;
    let mut by_response: HashMap<ResponseId, HashMap<QuestionId, String>> = HashMap::new();
    for r in &answer_rows {
        by_response
            .entry(get(r, "response_id")?)
            .or_default()
            .insert(get(r, "question_id")?, text(r, "value")?);
    }
    Ok(list
        .into_iter()
        .map(|r| {
            let a = by_response.remove(&r.id).unwrap_or_default();
            (r, a)
        })
        .collect())
}

/// A residency with the steps it took (status reached, Bishkek date), for working out waves.
#[derive(Debug, Clone)]
pub struct ResidencySteps {
    pub residency_id: ResidencyId,
    pub lab_id: LabId,
    pub status: ResidencyStatus,
    pub steps: Vec<(ResidencyStatus, NaiveDate)>,
}

/// Every residency of a person with its transitions in order.
pub async fn residency_steps(
    c: &mut AnyConnection,
    person: PersonId,
) -> Result<Vec<ResidencySteps>> {
    let rows = sqlx::query(
        "SELECT r.id, r.lab_id, r.status, t.to_status, t.at
         FROM residencies r JOIN residency_transitions t ON t.residency_id = r.id
         WHERE r.person_id = $1 ORDER BY r.created_at, r.id, t.at, t.id",
    )
    .bind(person.to_string())
    .fetch_all(c)
    .await?;
    let status = |s: String| {
        ResidencyStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("status {s}")))
    };
    let mut out: Vec<ResidencySteps> = vec![];
    for r in &rows {
        let id: ResidencyId = get(r, "id")?;
        let to = status(text(r, "to_status")?)?;
        let on = time(r, "at")?
            .with_timezone(&domain::time::bishkek())
            .date_naive();
        match out.last_mut() {
            Some(last) if last.residency_id == id => last.steps.push((to, on)),
            _ => out.push(ResidencySteps {
                residency_id: id,
                lab_id: col(r, "lab_id")?,
                status: status(text(r, "status")?)?,
                steps: vec![(to, on)],
            }),
        }
    }
    Ok(out)
}

/// What a person has answered: (instrument, wave, residency).
pub async fn answered(
    c: &mut AnyConnection,
    person: PersonId,
) -> Result<Vec<(InstrumentId, WaveKind, Option<ResidencyId>)>> {
    let rows = sqlx::query(
        "SELECT instrument_id, wave, residency_id FROM survey_responses WHERE person_id = $1",
    )
    .bind(person.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let w = text(r, "wave")?;
            Ok((
                get(r, "instrument_id")?,
                WaveKind::parse(&w).ok_or_else(|| StoreError::Corrupt(format!("wave {w}")))?,
                opt(r, "residency_id")?,
            ))
        })
        .collect()
}

/// One scale score of one submitted response: what indicators and positive deviance read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleScore {
    pub person_id: PersonId,
    pub lab_id: LabId,
    pub cohort_id: Option<CohortId>,
    /// The scale's code, e.g. `self_confidence`.
    pub scale: String,
    /// `baseline`, `endline`, `follow_up_6` or `follow_up_12`.
    pub wave: String,
    pub score: f64,
    pub answered_on: NaiveDate,
}

/// Every stored scale score, of one lab or the whole network (`None`), oldest first. The cohort
/// is the one of the residency the response was given in (if it had one).
pub async fn scale_scores(store: &Store, lab: Option<&LabId>) -> Result<Vec<ScaleScore>> {
    let mut c = store.conn().await?;
    all(&mut c, sqlx::query(
        "SELECT r.person_id, r.lab_id, res.cohort_id, s.scale_code, r.wave, s.score, r.answered_on
         FROM survey_scores s JOIN survey_responses r ON r.id = s.response_id
         LEFT JOIN residencies res ON res.id = r.residency_id
         WHERE ($1 = '' OR r.lab_id = $1)
         ORDER BY r.answered_on, r.id, s.scale_code",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())).await
}

from_row! {
    ScaleScore |r| person_id, lab_id, cohort_id, scale = "scale_code", wave,
    score: sqlx::Row::try_get(r, "score")?, answered_on
}
