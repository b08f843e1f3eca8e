//! Files handed to the browser: exports (CSV, XLSX) and attachments. Every one is an attachment
//! that no cache keeps (`private, no-store`): exports name women, and labs share laptops.
use crate::error::{AppError, AppResult};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use documents::table::{self, Sheet};

pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Bytes as a download named `name`.
pub fn file(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// One sheet as a CSV download.
pub fn csv(sheet: &Sheet, name: &str) -> Response {
    file(table::csv(sheet), CSV, name)
}

/// Sheets as one XLSX workbook.
pub fn xlsx(sheets: &[Sheet], name: &str) -> AppResult<Response> {
    let bytes = table::xlsx(sheets).map_err(|e| AppError::Internal(e.into()))?;
    Ok(file(bytes, XLSX, name))
}

/// Sheets as a download named `name`: a `.csv` holds the sheets one after another under the
/// first one's headers (a CSV has no sheets); anything else is an XLSX workbook.
pub fn sheets(sheets: Vec<Sheet>, name: &str) -> AppResult<Response> {
    if !name.ends_with(".csv") {
        return xlsx(&sheets, name);
    }
    let headers = sheets
        .first()
        .map(|s| s.headers.clone())
        .unwrap_or_default();
    let mut all = Sheet::new("export", headers);
    for sh in sheets {
        all.rows.extend(sh.rows);
    }
    Ok(csv(&all, name))
}
