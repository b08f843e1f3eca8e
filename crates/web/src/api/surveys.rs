//! Surveys in JSON: importing an instrument from an XLSForm workbook (with row-level warnings),
//! listing and reading instruments, and exporting an instrument's responses (CSV, XLSX).
//! Coordinators of the lab and the network admin only; exports are audited.
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path, multipart_parts};
use crate::download;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::services::surveys::{self as svc, Export, ExportCell};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::InstrumentId;
use domain::surveys::Appearance;
use serde::{Deserialize, Serialize};
use store::labs::Lab;
use store::surveys::{Instrument, InstrumentSummary};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(export_csv))
        .routes(routes!(export_xlsx))
}

/// Texts in Kyrgyz, Russian and English (empty when the form had none).
#[derive(Serialize, ToSchema)]
pub struct LabelsDto {
    pub ky: String,
    pub ru: String,
    pub en: String,
}

impl From<&domain::surveys::Labels> for LabelsDto {
    fn from(l: &domain::surveys::Labels) -> Self {
        Self {
            ky: l.ky.clone(),
            ru: l.ru.clone(),
            en: l.en.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentDto {
    pub id: uuid::Uuid,
    /// The lab's slug; absent for the network's instruments (offered to every lab).
    pub lab: Option<String>,
    pub code: String,
    pub title: LabelsDto,
    /// Waves it is due at: baseline, endline, follow_up_6, follow_up_12.
    pub waves: Vec<String>,
    /// `xlsform` (imported) or `built`.
    pub source: String,
    pub version: String,
    pub questions: i64,
    pub responses: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChoiceDto {
    pub name: String,
    pub label: LabelsDto,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionDto {
    pub name: String,
    /// likert, single, multiple, integer, decimal, text, date or note
    pub kind: String,
    pub label: LabelsDto,
    pub hint: LabelsDto,
    pub group: LabelsDto,
    pub required: bool,
    /// The skip-logic condition (all clauses must hold), or null when always shown.
    #[schema(value_type = Option<Object>)]
    pub relevant: Option<serde_json::Value>,
    pub choices: Vec<ChoiceDto>,
    pub scale: Option<String>,
    pub reversed: bool,
    /// What an answer must meet, as the form wrote it (`. >= 0 and . <= 90`,
    /// `regex(., '^[0-9]{6}$')`); null when none. An answer that breaks it is refused.
    pub constraint: Option<String>,
    /// The message shown when the constraint is broken (empty texts: a generic message).
    pub constraint_message: LabelsDto,
    /// How the question is shown; null: as usual for its kind.
    pub appearance: Option<AppearanceDto>,
}

/// `multiline`: a text area (text is one line otherwise); `minimal`: a drop-down list (choices
/// are radio buttons or check boxes otherwise).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AppearanceDto {
    Multiline,
    Minimal,
}

#[derive(Serialize, ToSchema)]
pub struct ScaleDto {
    pub code: String,
    pub name: LabelsDto,
    /// mean or sum
    pub method: String,
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentDetail {
    pub instrument: InstrumentDto,
    pub questions: Vec<QuestionDto>,
    pub scales: Vec<ScaleDto>,
    /// What the importer could not take over, by row.
    pub warnings: Vec<WarningDto>,
}

/// Something in the workbook that was not imported as written.
#[derive(Serialize, ToSchema)]
pub struct WarningDto {
    /// survey, choices, settings or wcl_scales
    pub sheet: String,
    /// The row as the spreadsheet numbers it (the header is row 1).
    pub row: u32,
    /// A stable code such as `unsupported-type` or `relevant-unsupported`.
    pub code: String,
    /// What was found (the type, column or expression).
    pub detail: String,
    /// The warning in the caller's language.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedDto {
    pub instrument: InstrumentDto,
    pub warnings: Vec<WarningDto>,
}

fn warning_dto((w, message): (documents::xlsform::Warning, String)) -> WarningDto {
    WarningDto {
        message,
        sheet: w.sheet,
        row: w.row,
        code: w.code,
        detail: w.detail,
    }
}

fn dto(i: &InstrumentSummary, labs: &[Lab]) -> InstrumentDto {
    InstrumentDto {
        id: i.id.0,
        lab: i
            .lab_id
            .and_then(|l| labs.iter().find(|x| x.id == l).map(|x| x.slug.clone())),
        code: i.code.clone(),
        title: (&i.title).into(),
        waves: i.waves.iter().map(|w| w.code().to_string()).collect(),
        source: i.source.clone(),
        version: i.version.clone(),
        questions: i.questions,
        responses: i.responses,
    }
}

/// The multipart body of an import (documentation only: the handler reads the parts itself).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// An XLSForm workbook (.xlsx) as KoboToolbox or ODK write it.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The lab's slug; omit for a network instrument (admin), or when you coordinate one lab.
    lab: Option<String>,
    /// Waves it is due at, comma-separated: baseline, endline, follow_up_6, follow_up_12.
    waves: Option<String>,
}

/// Imports a survey instrument from an XLSForm workbook. Answers 201 with the instrument and the
/// rows the importer did not take over (unsupported types, skip logic it cannot evaluate,
/// unknown columns or languages); a file that is not an XLSForm answers 422 with the reason.
#[utoipa::path(post, path = "/api/v1/survey-instruments/import", tag = "surveys", security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportedDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import(
    c: Ctx,
    State(s): State<AppState>,
    form: Multipart,
) -> AppResult<(StatusCode, Json<ImportedDto>)> {
    c.require_user()?;
    let (mut file, mut lab, mut waves) = (vec![], String::new(), vec![]);
    for (name, bytes) in multipart_parts(form).await? {
        match name.as_str() {
            "file" => file = bytes.to_vec(),
            "lab" => lab = String::from_utf8_lossy(&bytes).trim().to_string(),
            "waves" => waves.push(String::from_utf8_lossy(&bytes).to_string()),
            _ => {}
        }
    }
    let (i, lab, out) = svc::import_at(&s.store, &c.actor, &lab, &file, &waves).await?;
    let warnings = out.warnings.into_iter().map(|w| {
        let text = svc::warning_text(c.lang, &w);
        warning_dto((w, text))
    });
    let dto = ImportedDto {
        instrument: dto(&i.summary, lab.as_slice()),
        warnings: warnings.collect(),
    };
    Ok((StatusCode::CREATED, Json(dto)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A lab's slug: its instruments and the network's. Omitted: every lab you manage.
    pub lab: Option<String>,
}

/// Survey instruments (coordinators of the lab, the admin).
#[utoipa::path(get, path = "/api/v1/survey-instruments", tag = "surveys", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Vec<InstrumentDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list(
    c: Ctx,
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Vec<InstrumentDto>>> {
    let (list, labs) = svc::instruments_at(&s.store, &c.actor, q.lab.as_deref()).await?;
    Ok(Json(list.iter().map(|i| dto(i, &labs)).collect()))
}

fn choice_dto(c: &domain::surveys::Choice) -> ChoiceDto {
    let label = (&c.label).into();
    ChoiceDto {
        name: c.name.clone(),
        label,
    }
}

fn scale_dto(s: &domain::surveys::Scale) -> ScaleDto {
    let method = s.method.code().into();
    ScaleDto {
        code: s.code.clone(),
        name: (&s.name).into(),
        method,
    }
}

fn detail(i: &Instrument, labs: &[Lab], lang: Lang) -> InstrumentDetail {
    InstrumentDetail {
        instrument: dto(&i.summary, labs),
        questions: i
            .items
            .iter()
            .map(|x| QuestionDto {
                name: x.q.name.clone(),
                kind: x.q.kind.code().into(),
                label: (&x.q.label).into(),
                hint: (&x.q.hint).into(),
                group: (&x.q.group).into(),
                required: x.q.required,
                relevant: x
                    .q
                    .relevant
                    .as_ref()
                    .and_then(|r| serde_json::to_value(r).ok()),
                choices: x.q.choices.iter().map(choice_dto).collect(),
                scale: x.q.scale.clone(),
                reversed: x.q.reversed,
                constraint: x.q.constraint.as_ref().map(|k| k.to_string()),
                constraint_message: (&x.q.constraint_message).into(),
                appearance: x.q.appearance.map(|a| match a {
                    Appearance::Multiline => AppearanceDto::Multiline,
                    Appearance::Minimal => AppearanceDto::Minimal,
                }),
            })
            .collect(),
        scales: i.scales.iter().map(scale_dto).collect(),
        warnings: svc::warnings_of(i, lang)
            .into_iter()
            .map(warning_dto)
            .collect(),
    }
}

/// One instrument with its questions, scales and import warnings.
#[utoipa::path(get, path = "/api/v1/survey-instruments/{id}", tag = "surveys", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = InstrumentDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_one(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<InstrumentId>,
) -> AppResult<Json<InstrumentDetail>> {
    let (i, lab) = svc::instrument_with_lab(&s.store, &c.actor, id).await?;
    Ok(Json(detail(&i, lab.as_slice(), c.lang)))
}

fn table(e: &Export) -> documents::table::Sheet {
    let mut sheet = documents::table::Sheet::new(
        e.instrument
            .summary
            .code
            .chars()
            .take(31)
            .collect::<String>(),
        e.headers.clone(),
    );
    for r in &e.rows {
        sheet.push(
            r.iter()
                .map(|c| match c {
                    ExportCell::Empty => documents::table::Cell::Empty,
                    ExportCell::Text(t) => documents::table::Cell::Text(t.clone()),
                    ExportCell::Int(i) => documents::table::Cell::Int(*i),
                    ExportCell::Decimal(x) => documents::table::Cell::Decimal(*x),
                    ExportCell::Date(d) => documents::table::Cell::Date(*d),
                })
                .collect(),
        );
    }
    sheet
}

/// The instrument's responses as CSV: one row per response, one column per question, then the
/// scale scores. Only the labs you manage; formula-looking cells are neutralised. Audited.
#[utoipa::path(get, path = "/api/v1/survey-instruments/{id}/responses.csv", operation_id = "survey_responses_csv", tag = "surveys", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_csv(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<InstrumentId>,
) -> AppResult<Response> {
    export_as(c, s, id, "csv").await
}

/// The same as an XLSX workbook (one sheet). Audited.
#[utoipa::path(get, path = "/api/v1/survey-instruments/{id}/responses.xlsx", operation_id = "survey_responses_xlsx", tag = "surveys", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_xlsx(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<InstrumentId>,
) -> AppResult<Response> {
    export_as(c, s, id, "xlsx").await
}

/// The responses of an instrument as a file: `csv` or `xlsx` (audited by the service).
async fn export_as(c: Ctx, s: AppState, id: InstrumentId, ext: &str) -> AppResult<Response> {
    c.require_user()?;
    let e = svc::export(&s.store, &c.actor, id, ext).await?;
    let name = format!("{}-responses.{ext}", e.instrument.summary.code);
    download::sheets(vec![table(&e)], &name)
}
