//! Surveys in JSON: importing an instrument from an XLSForm workbook (with row-level warnings),
//! listing and reading instruments, and exporting an instrument's responses (CSV, XLSX).
//! Coordinators of the lab and the network admin only; exports are audited.
use super::ErrorBody;
use crate::ctx::Ctx;
use crate::download;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::surveys::{self as svc, Export, ExportCell};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::{Action, InstrumentId, LabId};
use serde::{Deserialize, Serialize};
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

fn warning_dto(w: &documents::xlsform::Warning, lang: Lang) -> WarningDto {
    WarningDto {
        message: crate::services::surveys::warning_text(lang, w),
        sheet: w.sheet.clone(),
        row: w.row,
        code: w.code.clone(),
        detail: w.detail.clone(),
    }
}

fn dto(i: &InstrumentSummary, labs: &[store::labs::Lab]) -> InstrumentDto {
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

async fn labs(s: &AppState) -> AppResult<Vec<store::labs::Lab>> {
    let mut c = s.store.conn().await?;
    Ok(store::labs::list_labs(&mut c).await?)
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
    mut form: Multipart,
) -> AppResult<(StatusCode, Json<ImportedDto>)> {
    c.require_user()?;
    let mut file = vec![];
    let mut lab_slug = String::new();
    let mut waves = vec![];
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
            "file" => file = bytes.to_vec(),
            "lab" => lab_slug = String::from_utf8_lossy(&bytes).trim().to_string(),
            "waves" => waves.push(String::from_utf8_lossy(&bytes).to_string()),
            _ => {}
        }
    }
    let lab = resolve_lab(&c, &s, &lab_slug).await?;
    let waves = svc::parse_waves(&waves)?;
    let out = svc::import_xlsform(&s.store, &c.actor, lab, &file, &waves).await?;
    let mut conn = s.store.conn().await?;
    let i = store::surveys::instrument(&mut conn, out.id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let labs = labs(&s).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportedDto {
            instrument: dto(&i.summary, &labs),
            warnings: out
                .warnings
                .iter()
                .map(|w| warning_dto(w, c.lang))
                .collect(),
        }),
    ))
}

/// The lab an import is for: the named one, else the only lab she coordinates, else the
/// network (admin).
pub async fn resolve_lab(c: &Ctx, s: &AppState, slug: &str) -> AppResult<Option<LabId>> {
    if !slug.is_empty() {
        return Ok(Some(
            crate::services::labs::lab_by_slug(&s.store, slug).await?.id,
        ));
    }
    if c.actor.allows(Action::ManageNetwork) {
        return Ok(None);
    }
    match c.actor.scope_for(Action::ManageSurveys) {
        domain::LabScope::Only(l) if l.len() == 1 => Ok(Some(l[0])),
        domain::LabScope::Only(l) if l.is_empty() => Err(AppError::NotFound),
        _ => Err(AppError::Invalid(vec![(
            "lab".into(),
            "err-survey-lab-required".into(),
        )])),
    }
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
    c.require_user()?;
    let lab = match q.lab.as_deref().filter(|x| !x.is_empty()) {
        Some(slug) => Some(crate::services::labs::lab_by_slug(&s.store, slug).await?.id),
        None => None,
    };
    let list = svc::instruments_for_staff(&s.store, &c.actor, lab).await?;
    let labs = labs(&s).await?;
    Ok(Json(list.iter().map(|i| dto(i, &labs)).collect()))
}

fn instrument_id(s: &str) -> AppResult<InstrumentId> {
    s.parse().map_err(|_| AppError::NotFound)
}

fn detail(i: &Instrument, labs: &[store::labs::Lab], lang: Lang) -> InstrumentDetail {
    let warnings: Vec<documents::xlsform::Warning> =
        serde_json::from_str(&i.warnings_json).unwrap_or_default();
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
                choices: x
                    .q
                    .choices
                    .iter()
                    .map(|c| ChoiceDto {
                        name: c.name.clone(),
                        label: (&c.label).into(),
                    })
                    .collect(),
                scale: x.q.scale.clone(),
                reversed: x.q.reversed,
            })
            .collect(),
        scales: i
            .scales
            .iter()
            .map(|s| ScaleDto {
                code: s.code.clone(),
                name: (&s.name).into(),
                method: s.method.code().into(),
            })
            .collect(),
        warnings: warnings.iter().map(|w| warning_dto(w, lang)).collect(),
    }
}

/// One instrument with its questions, scales and import warnings.
#[utoipa::path(get, path = "/api/v1/survey-instruments/{id}", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, body = InstrumentDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_one(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<InstrumentDetail>> {
    c.require_user()?;
    let i = svc::instrument_for_staff(&s.store, &c.actor, instrument_id(&id)?).await?;
    let labs = labs(&s).await?;
    Ok(Json(detail(&i, &labs, c.lang)))
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
#[utoipa::path(get, path = "/api/v1/survey-instruments/{id}/responses.csv", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_csv(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    c.require_user()?;
    let e = svc::export(&s.store, &c.actor, instrument_id(&id)?, "csv").await?;
    Ok(download::csv(
        &table(&e),
        &format!("{}-responses.csv", e.instrument.summary.code),
    ))
}

/// The same as an XLSX workbook (one sheet). Audited.
#[utoipa::path(get, path = "/api/v1/survey-instruments/{id}/responses.xlsx", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_xlsx(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    c.require_user()?;
    let e = svc::export(&s.store, &c.actor, instrument_id(&id)?, "xlsx").await?;
    download::xlsx(
        &[table(&e)],
        &format!("{}-responses.xlsx", e.instrument.summary.code),
    )
}
