//! Reading typed values out of `Any` rows: ids and timestamps are stored as text on both backends.
use crate::{Result, StoreError};

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;
use chrono::{DateTime, NaiveDate, Utc};
use domain::grants::{
    ApplicationStatus, CallStatus, Category, PaymentChannel, ReportStatus, VentureKind,
    VentureStatus,
};
use domain::impact::{OutcomeKind, OutcomeSource};
use domain::support::{CaseReason, CaseStatus, ServiceKind, Urgency};
use domain::surveys::WaveKind;
use domain::{
    Attendance, EventKind, EventScope, LabRole, OrgKind, RegistrationStatus, ResidencyStatus, Topic,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::str::FromStr;

/// A record read from one row of a query (its columns by name, through the getters below).
pub(crate) trait FromRow: Sized {
    fn from_row(r: &AnyRow) -> Result<Self>;
}

/// The record a query finds, if any.
pub(crate) async fn optional<T: FromRow>(c: &mut AnyConnection, q: Query<'_>) -> Result<Option<T>> {
    q.fetch_optional(c)
        .await?
        .as_ref()
        .map(T::from_row)
        .transpose()
}

/// Every record a query finds, in its order.
pub(crate) async fn all<T: FromRow>(c: &mut AnyConnection, q: Query<'_>) -> Result<Vec<T>> {
    q.fetch_all(c).await?.iter().map(T::from_row).collect()
}

/// Runs a write; whether it changed any row (a guarded update that found its row as expected).
pub(crate) async fn changed(c: &mut AnyConnection, q: Query<'_>) -> Result<bool> {
    Ok(q.execute(c).await?.rows_affected() > 0)
}

/// Binds each value in order (the labs of a scope clause, say).
pub(crate) fn bind_each(q: crate::AnyQuery, values: Vec<String>) -> crate::AnyQuery {
    values.into_iter().fold(q, |q, v| q.bind(v))
}

/// The record `sql` finds with its one parameter `$1` bound to `key` (an id, as text).
pub(crate) async fn one<T: FromRow>(
    c: &mut AnyConnection,
    sql: impl Into<String>,
    key: impl ToString,
) -> Result<Option<T>> {
    optional(c, crate::dynamic(sql.into()).bind(key.to_string())).await
}

/// Every record `sql` finds with its one parameter `$1` bound to `key` (an id, as text).
pub(crate) async fn many<T: FromRow>(
    c: &mut AnyConnection,
    sql: impl Into<String>,
    key: impl ToString,
) -> Result<Vec<T>> {
    all(c, crate::dynamic(sql.into()).bind(key.to_string())).await
}

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

pub(crate) fn parse_ts(s: &str, col: &str) -> Result<DateTime<Utc>> {
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

/// A value read from a column by its Rust type: text, integers (`i64`), flags (`bool`, an
/// integer on both backends), dates and timestamps (text), ids (their UUID text), and `Option`s of
/// these for nullable columns.
pub(crate) trait Column: Sized {
    fn column(r: &AnyRow, col: &str) -> Result<Self>;
}

/// The column `col` of `r`, read as the type the caller expects (see [`Column`]).
pub(crate) fn col<T: Column>(r: &AnyRow, col: &str) -> Result<T> {
    T::column(r, col)
}

macro_rules! column_by {
    ($($ty:ty => $get:ident),* $(,)?) => {$(
        impl Column for $ty {
            fn column(r: &AnyRow, col: &str) -> Result<Self> {
                $get(r, col)
            }
        }
    )*};
}

column_by!(
    String => text,
    Option<String> => opt_text,
    i64 => int,
    Option<i64> => opt_int,
    bool => flag,
    NaiveDate => date,
    Option<NaiveDate> => opt_date,
    DateTime<Utc> => time,
    Option<DateTime<Utc>> => opt_time,
);

/// Ids are stored as their UUID text.
macro_rules! column_ids {
    ($($id:ident),* $(,)?) => {$(
        impl Column for domain::$id {
            fn column(r: &AnyRow, col: &str) -> Result<Self> {
                get(r, col)
            }
        }
        impl Column for Option<domain::$id> {
            fn column(r: &AnyRow, col: &str) -> Result<Self> {
                opt(r, col)
            }
        }
    )*};
}

column_ids!(
    ApplicationId,
    CampaignId,
    CampaignPhotoId,
    LedgerId,
    PledgeId,
    TierId,
    AssertionId,
    AttachmentId,
    AwardId,
    CaseId,
    CaseNoteId,
    CohortId,
    ConsentId,
    CriterionId,
    EventId,
    GrantCallId,
    InstrumentId,
    JobId,
    LabId,
    LinkId,
    MatchId,
    MemberId,
    MentoringSessionId,
    ModuleId,
    OrgId,
    OutcomeId,
    PaymentId,
    PersonId,
    ProgrammeId,
    QuestionId,
    ReferralId,
    RegistrationId,
    ReportId,
    ResidencyId,
    ResponseId,
    ReviewId,
    ServiceId,
    SessionId,
    TargetId,
    TokenId,
    TrancheId,
    UserId,
    VentureId,
);

/// Closed vocabularies are stored as their codes.
macro_rules! column_codes {
    ($($ty:ident),* $(,)?) => {$(
        impl Column for $ty {
            fn column(r: &AnyRow, col: &str) -> Result<Self> {
                let s = text(r, col)?;
                $ty::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: {s}")))
            }
        }
    )*};
}

column_codes!(
    LabRole,
    ResidencyStatus,
    ApplicationStatus,
    Attendance,
    CallStatus,
    CaseReason,
    CaseStatus,
    Category,
    EventKind,
    EventScope,
    OrgKind,
    OutcomeKind,
    OutcomeSource,
    PaymentChannel,
    RegistrationStatus,
    ReportStatus,
    ServiceKind,
    Topic,
    Urgency,
    VentureKind,
    VentureStatus,
    WaveKind,
);

impl Column for Option<f64> {
    fn column(r: &AnyRow, col: &str) -> Result<Self> {
        Ok(r.try_get(col)?)
    }
}

/// Implements [`FromRow`] for a struct read column by column: `field` reads the column of the same
/// name, `field = "column"` another column, both as the field's type (see [`Column`]);
/// `field: expr` computes the value from the row named before the fields.
///
/// ```ignore
/// from_row! { Payment |r| id, amount, recorded_by_name = "display_name", note: text(r, "x")? }
/// ```
macro_rules! from_row {
    ($ty:ident |$r:ident| $($fields:tt)*) => {
        impl $crate::row::FromRow for $ty {
            fn from_row($r: &sqlx::any::AnyRow) -> $crate::Result<Self> {
                $crate::row::from_row!(@fields $ty $r [] $($fields)*)
            }
        }
    };
    (@fields $ty:ident $r:ident [$($done:tt)*]) => {
        Ok($ty { $($done)* })
    };
    (@fields $ty:ident $r:ident [$($done:tt)*] $f:ident = $c:literal $(, $($rest:tt)*)?) => {
        $crate::row::from_row!(@fields $ty $r [$($done)* $f: $crate::row::col($r, $c)?,] $($($rest)*)?)
    };
    (@fields $ty:ident $r:ident [$($done:tt)*] $f:ident : $e:expr $(, $($rest:tt)*)?) => {
        $crate::row::from_row!(@fields $ty $r [$($done)* $f: $e,] $($($rest)*)?)
    };
    (@fields $ty:ident $r:ident [$($done:tt)*] $f:ident $(, $($rest:tt)*)?) => {
        $crate::row::from_row!(@fields $ty $r [$($done)* $f: $crate::row::col($r, stringify!($f))?,] $($($rest)*)?)
    };
}
pub(crate) use from_row;

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

// The space and its money.
column_ids!(
    ResourceId,
    BookingId,
    PlanId,
    PersonPlanId,
    InvoiceId,
    SpacePaymentId,
    CostId
);

/// A number that may be missing, to bind. sqlx 0.9's `Any` driver hands a missing `f64` to
/// PostgreSQL as a `float4` (it swaps `Real` and `Double` for nulls); the statement it caches on
/// the connection then refuses the next present `f64` ("incorrect binary data format in bind
/// parameter"). This binds a missing value as the null that reaches PostgreSQL as `float8`; the
/// store test `missing_then_present_coordinates` holds it to that on both backends.
pub struct Float(pub Option<f64>);

impl sqlx::Type<sqlx::Any> for Float {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for Float {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(x) => <f64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&x, buf),
            // `Null(Real)` is what the driver turns into a `float8` null.
            None => <Option<f32> as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&None, buf),
        }
    }
}
