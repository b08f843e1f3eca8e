//! The package in JSON: its JSON Schema, a lab's package as a download, an import with its
//! preview, and the network library. Coordinators of the lab and the network admin; another
//! lab's coordinator gets 404. See `services::package`.
use super::errors::ErrorBody;
use crate::ctx::{Ctx, Path, multipart_parts};
use crate::download;
use crate::error::AppResult;
use crate::services::package::{self as svc, Preview};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The package format's JSON Schema (also served at `/api/package.schema.json`).
pub const SCHEMA: &str = include_str!("package.schema.json");

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schema))
        .routes(routes!(download_package, import_package))
        .routes(routes!(library))
}

/// The JSON Schema of the package format (public).
#[utoipa::path(get, path = "/api/package.schema.json", operation_id = "package_schema", tag = "package",
    responses((status = 200, content_type = "application/schema+json", body = Object, description = "JSON Schema (draft 2020-12)")))]
async fn schema() -> Response {
    ([(header::CONTENT_TYPE, "application/schema+json")], SCHEMA).into_response()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The version to write (default: one more than the newest in the library, else 1).
    pub version: Option<String>,
}

/// The lab's package as a JSON file (admin, or a coordinator of the lab). Audited.
#[utoipa::path(get, path = "/api/v1/labs/{slug}/package", operation_id = "lab_package_download", tag = "package", security(("bearer" = [])),
    params(("slug" = String, Path), ExportQuery),
    responses((status = 200, content_type = "application/json", body = Object, description = "The package (see /api/package.schema.json)"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn download_package(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    c.require_user()?;
    let p = svc::export(&s.store, &c.actor, &slug, q.version.as_deref()).await?;
    let name = format!("{}-{}.wcl-package.json", p.name, p.version);
    Ok(download::file(
        p.to_json().into_bytes(),
        "application/json",
        &name,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only answer what would be done.
    #[serde(default)]
    pub dry_run: bool,
    /// Replace items the lab edited since the last import with the package's version.
    #[serde(default)]
    pub overwrite: bool,
}

/// The multipart body of an import (documentation only: the handler reads the parts itself).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PackageForm {
    /// The package (JSON, at most 1 MiB).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Serialize, ToSchema)]
pub struct PlannedDto {
    /// programmes, module_library, surveys, grant_calls, consent_texts, certificate_texts, targets
    pub part: String,
    pub code: String,
    pub title: String,
    /// create, unchanged, change, keep-local (edited here since the last import) or
    /// keep-in-use (answered survey, call past its draft, network instrument)
    pub step: String,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewDto {
    pub name: String,
    pub version: String,
    pub source_lab: String,
    pub created_on: String,
    /// The version of this package the lab imported last, if any.
    pub previous: Option<String>,
    /// False for a dry run.
    pub applied: bool,
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub kept: usize,
    pub items: Vec<PlannedDto>,
}

impl From<Preview> for PreviewDto {
    fn from(p: Preview) -> Self {
        Self {
            name: p.name,
            version: p.version,
            source_lab: p.source_lab,
            created_on: p.created_on,
            previous: p.previous,
            applied: p.applied,
            created: p.created,
            changed: p.changed,
            unchanged: p.unchanged,
            kept: p.kept,
            items: p
                .items
                .into_iter()
                .map(|i| PlannedDto {
                    part: i.part.into(),
                    code: i.code,
                    title: i.title,
                    step: i.step.code().into(),
                })
                .collect(),
        }
    }
}

/// Imports a package into the lab: all or nothing, matched by stable codes. `dry_run=true`
/// answers the preview and changes nothing. A file that is not a valid package (not JSON,
/// another schema version, a broken checksum, a missing reference, too big) answers 422 with
/// the reason on the `file` field and changes nothing.
#[utoipa::path(post, path = "/api/v1/labs/{slug}/package", operation_id = "lab_package_import", tag = "package", security(("bearer" = [])),
    params(("slug" = String, Path), ImportQuery),
    request_body(content = PackageForm, content_type = "multipart/form-data"),
    responses((status = 200, body = PreviewDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, description = "Payload too large"), (status = 422, body = ErrorBody)))]
async fn import_package(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<ImportQuery>,
    form: Multipart,
) -> AppResult<Json<PreviewDto>> {
    c.require_user()?;
    svc::lab_for(&s.store, &c.actor, &slug).await?;
    let mut file = vec![];
    for (name, bytes) in multipart_parts(form).await? {
        if name == "file" {
            file = bytes.to_vec();
        }
    }
    let p = svc::import(&s.store, &c.actor, &slug, &file, q.dry_run, q.overwrite).await?;
    Ok(Json(p.into()))
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub name: String,
    pub version: String,
    pub source_lab: Option<String>,
    pub sha256: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub items: usize,
    /// What changed from the previous version: `part/code added|changed|removed`.
    pub changes: Vec<String>,
    /// Labs whose latest import of this package is this version.
    pub labs: Vec<String>,
}

/// The network library of packages: versions, what changed, which labs run which (admin).
#[utoipa::path(get, path = "/api/v1/packages", operation_id = "package_library", tag = "package", security(("bearer" = [])),
    responses((status = 200, body = Vec<VersionDto>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn library(c: Ctx, State(s): State<AppState>) -> AppResult<Json<Vec<VersionDto>>> {
    c.require_user()?;
    let l = svc::library(&s.store, &c.actor).await?;
    Ok(Json(
        l.versions
            .into_iter()
            .map(|v| VersionDto {
                name: v.row.name,
                version: v.row.version,
                source_lab: v.source_lab,
                sha256: v.row.sha256,
                created_at: v.row.created_at,
                items: v.items,
                changes: v
                    .changes
                    .into_iter()
                    .map(|(part, code, _, ch)| format!("{part}/{code} {ch}"))
                    .collect(),
                labs: v.labs,
            })
            .collect(),
    ))
}
