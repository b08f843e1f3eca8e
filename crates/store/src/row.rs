//! Reading typed values out of `Any` rows: ids and timestamps are stored as text on both backends.
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::str::FromStr;

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn get<T: FromStr>(row: &AnyRow, col: &str) -> Result<T> {
    let s: String = row.try_get(col)?;
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("{col}: cannot parse {s:?}")))
}

pub(crate) fn opt<T: FromStr>(row: &AnyRow, col: &str) -> Result<Option<T>> {
    let s: Option<String> = row.try_get(col)?;
    match s {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("{col}: cannot parse {s:?}"))),
    }
}

pub(crate) fn time(row: &AnyRow, col: &str) -> Result<DateTime<Utc>> {
    let s: String = row.try_get(col)?;
    parse_ts(&s, col)
}

pub(crate) fn opt_time(row: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| parse_ts(&s, col)).transpose()
}

fn parse_ts(s: &str, col: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("{col}: bad timestamp {s:?}")))
}

pub(crate) fn date(row: &AnyRow, col: &str) -> Result<NaiveDate> {
    get(row, col)
}

pub(crate) fn opt_date(row: &AnyRow, col: &str) -> Result<Option<NaiveDate>> {
    opt(row, col)
}

pub(crate) fn flag(row: &AnyRow, col: &str) -> Result<bool> {
    let v: i64 = row.try_get(col)?;
    Ok(v != 0)
}

pub(crate) fn int(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get(col)?)
}

pub(crate) fn opt_int(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get(col)?)
}

pub(crate) fn text(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get(col)?)
}

pub(crate) fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get(col)?)
}

/// `lab_id IN ($k, $k+1, ...)` for a scope, with the values to bind; `None` means no filter.
pub(crate) fn scope_clause(
    scope: &domain::LabScope,
    column: &str,
    first_param: usize,
) -> (String, Vec<String>) {
    match scope {
        domain::LabScope::All => ("1 = 1".to_string(), vec![]),
        domain::LabScope::Only(labs) if labs.is_empty() => ("1 = 0".to_string(), vec![]),
        domain::LabScope::Only(labs) => {
            let params: Vec<String> = (0..labs.len())
                .map(|i| format!("${}", first_param + i))
                .collect();
            (
                format!("{column} IN ({})", params.join(", ")),
                labs.iter().map(|l| l.to_string()).collect(),
            )
        }
    }
}
