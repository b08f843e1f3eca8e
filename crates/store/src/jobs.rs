//! Outgoing work (messages) kept in the database: a registration and the message that confirms
//! it are written in one transaction, and a worker sends later with retries, so a failed send
//! never loses the registration and a restart never loses the message.
use crate::row::{FromRow, changed, from_row, ts};
use crate::{Result, now};
use chrono::{DateTime, Duration, Utc};
use domain::JobId;
use serde::Serialize;
use sqlx::AnyConnection;

/// After this many failed attempts a job is left as `failed` for a person to look at.
pub const MAX_ATTEMPTS: i64 = 6;

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub run_at: DateTime<Utc>,
    pub last_error: String,
    pub done_at: Option<DateTime<Utc>>,
}

from_row! {
    Job |r| id, kind, payload, status, attempts, run_at, last_error, done_at
}

const COLS: &str = "id, kind, payload, status, attempts, run_at, last_error, done_at";

/// Queues a job to run at `run_at`. With a `dedupe_key` (say, one reminder per registration),
/// a second enqueue of the same key is ignored; returns whether a job was added.
pub async fn enqueue(
    c: &mut AnyConnection,
    kind: &str,
    payload: &str,
    run_at: DateTime<Utc>,
    dedupe_key: Option<&str>,
) -> Result<bool> {
    let q = sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, attempts, run_at, last_error, dedupe_key, created_at)
         VALUES ($1, $2, $3, 'pending', 0, $4, '', $5, $6) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(JobId::new().to_string())
    .bind(kind)
    .bind(payload)
    .bind(ts(run_at))
    .bind(dedupe_key)
    .bind(now());
    changed(c, q).await
}

/// Claims up to `limit` due jobs of one `kind` (status → `running`); a job claimed by another
/// worker is skipped. Each kind has its own worker: the mailer claims only `email`, so a job it
/// cannot read is never taken from the worker that can.
pub async fn claim_due(c: &mut AnyConnection, kind: &str, limit: i64) -> Result<Vec<Job>> {
    let rows = crate::dynamic(format!(
        "SELECT {COLS} FROM jobs WHERE status = 'pending' AND kind = $3 AND run_at <= $1 ORDER BY run_at LIMIT $2"
    ))
    .bind(now())
    .bind(limit)
    .bind(kind)
    .fetch_all(&mut *c)
    .await?;
    let mut out = vec![];
    for r in &rows {
        let job = Job::from_row(r)?;
        let n = sqlx::query(
            "UPDATE jobs SET status = 'running', lease_until = $2 WHERE id = $1 AND status = 'pending'",
        )
        .bind(job.id.to_string())
        .bind(ts(Utc::now() + LEASE))
        .execute(&mut *c)
        .await?
        .rows_affected();
        if n == 1 {
            out.push(job);
        }
    }
    Ok(out)
}

pub async fn done(c: &mut AnyConnection, id: JobId) -> Result<()> {
    sqlx::query(
        // What was sent (an address, a name, a private link) is not kept once it is sent.
        "UPDATE jobs SET status = 'done', attempts = attempts + 1, done_at = $2, last_error = '', payload = '{}' WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Records a failed attempt: back to `pending` with exponential backoff (1, 2, 4, ... minutes),
/// or `failed` after [`MAX_ATTEMPTS`].
pub async fn failed(c: &mut AnyConnection, job: &Job, error: &str) -> Result<()> {
    let attempts = job.attempts + 1;
    let status = if attempts >= MAX_ATTEMPTS {
        "failed"
    } else {
        "pending"
    };
    let delay = Duration::minutes(1 << (attempts - 1).clamp(0, 10));
    let error: String = error.chars().take(500).collect();
    sqlx::query(
        "UPDATE jobs SET status = $2, attempts = $3, run_at = $4, last_error = $5 WHERE id = $1",
    )
    .bind(job.id.to_string())
    .bind(status)
    .bind(attempts)
    .bind(ts(Utc::now() + delay))
    .bind(error)
    .execute(c)
    .await?;
    Ok(())
}

/// How long a claimed job belongs to the worker that claimed it.
pub const LEASE: Duration = Duration::minutes(30);

/// Jobs of one kind left `running` by a worker that stopped mid-way go back to the queue once
/// their lease has run out (each worker takes back its own kind only). A job another server is
/// running now keeps its lease, so a second server starting does not send it twice.
pub async fn requeue_stale(c: &mut AnyConnection, kind: &str) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE jobs SET status = 'pending', lease_until = NULL WHERE status = 'running' AND kind = $1
         AND (lease_until IS NULL OR lease_until < $2)",
    )
    .bind(kind)
    .bind(now())
    .execute(c)
    .await?
    .rows_affected())
}

pub async fn all(c: &mut AnyConnection) -> Result<Vec<Job>> {
    crate::row::all(
        c,
        crate::dynamic(format!("SELECT {COLS} FROM jobs ORDER BY created_at")),
    )
    .await
}

/// Drops the pending job with this key (the reminder of a cancelled registration), forgetting
/// its payload and freeing the key so that a new job may take it (after an event is moved).
pub async fn drop_pending(c: &mut AnyConnection, dedupe_key: &str) -> Result<()> {
    sqlx::query("UPDATE jobs SET status = 'dropped', done_at = $2, payload = '{}', dedupe_key = NULL WHERE dedupe_key = $1 AND status IN ('pending', 'done', 'failed')")
        .bind(dedupe_key)
        .bind(now())
        .execute(c)
        .await?;
    Ok(())
}
