//! Versions of the records that public figures are computed from (migration 0027): a trigger on
//! each table adds one to its version for every statement that changes it, in the statement's
//! transaction, whichever server wrote. Figures computed at a version stay right until it moves.
use crate::Result;
use sqlx::AnyConnection;

/// Which records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Records {
    /// What the impact indicators read ([`crate::impact::facts`]) and their targets.
    Impact,
    /// The space's finances and crowdfunding (a lab's self-financing, what campaigns raised).
    Money,
}

impl Records {
    pub fn name(self) -> &'static str {
        match self {
            Self::Impact => "impact",
            Self::Money => "money",
        }
    }
}

/// The current version of `records`.
pub async fn version(c: &mut AnyConnection, records: Records) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT version FROM record_versions WHERE name = $1")
        .bind(records.name())
        .fetch_optional(c)
        .await?;
    Ok(v.unwrap_or_default())
}

/// What changes whenever figures computed from `records` may: their version, the day (periods
/// end today), and for the impact figures the last event to have started (an event counts as held
/// from its start, without any write).
pub async fn token(c: &mut AnyConnection, records: Records) -> Result<String> {
    let v = version(&mut *c, records).await?;
    let today = domain::time::today();
    Ok(match records {
        Records::Impact => {
            let started: Option<String> =
                sqlx::query_scalar("SELECT MAX(starts_at) FROM events WHERE starts_at <= $1")
                    .bind(crate::row::ts(chrono::Utc::now()))
                    .fetch_one(c)
                    .await?;
            format!("{v}|{today}|{}", started.unwrap_or_default())
        }
        Records::Money => format!("{v}|{today}"),
    })
}
