//! Browser sessions, stored in our own table so they survive a restart and work on both backends.
use crate::Result;
use crate::row::{int, text};
use sqlx::AnyConnection;

/// The session's data and expiry (unix seconds), unless it has expired.
pub async fn load(c: &mut AnyConnection, id: &str, now_unix: i64) -> Result<Option<(String, i64)>> {
    let row = sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await?;
    match row {
        Some(r) if int(&r, "expires_at")? > now_unix => {
            Ok(Some((text(&r, "data")?, int(&r, "expires_at")?)))
        }
        _ => Ok(None),
    }
}

pub async fn save(c: &mut AnyConnection, id: &str, data: &str, expires_at: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
    )
    .bind(id)
    .bind(data)
    .bind(expires_at)
    .execute(c)
    .await?;
    Ok(())
}

/// Inserts only if the id is new; false on a collision.
pub async fn create(c: &mut AnyConnection, id: &str, data: &str, expires_at: i64) -> Result<bool> {
    let r = sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
        .bind(id)
        .bind(data)
        .bind(expires_at)
        .execute(c)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete(c: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(c)
        .await?;
    Ok(())
}

pub async fn delete_expired(c: &mut AnyConnection, now_unix: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now_unix)
        .execute(c)
        .await?;
    Ok(r.rows_affected())
}
