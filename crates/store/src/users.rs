//! Accounts (staff and residents), their roles per lab, and API tokens. Password hashes are made
//! and checked by the web layer; this module only stores them.
use crate::row::{FromRow, all, from_row, get, one, text};
use crate::{Result, StoreError, now, on_conflict};
use chrono::{DateTime, Utc};
use domain::{Actor, LabId, LabRole, PersonId, TokenId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub is_admin: bool,
    pub person_id: Option<PersonId>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

const COLS: &str = "id, login, display_name, password_hash, is_admin, person_id, active, created_at, password_changed_at";

from_row! {
    User |r| id, login, display_name, password_hash, is_admin, person_id, active, created_at,
    password_changed_at
}

/// Logins are compared lower-cased and trimmed (an e-mail or a phone in E.164).
pub fn normalise_login(login: &str) -> String {
    login.trim().to_lowercase()
}

pub async fn insert(
    c: &mut AnyConnection,
    login: &str,
    display_name: &str,
    password_hash: &str,
    is_admin: bool,
    person: Option<PersonId>,
) -> Result<UserId> {
    let id = UserId::new();
    let t = now();
    crate::dynamic(format!(
        "INSERT INTO users ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)"
    ))
    .bind(id.to_string())
    .bind(normalise_login(login))
    .bind(display_name)
    .bind(password_hash)
    .bind(i64::from(is_admin))
    .bind(person.map(|p| p.to_string()))
    .bind(&t)
    .execute(c)
    .await
    .map_err(|e| on_conflict(e, "users.login"))?;
    Ok(id)
}

pub async fn by_login(c: &mut AnyConnection, login: &str) -> Result<Option<User>> {
    one(
        c,
        format!("SELECT {COLS} FROM users WHERE login = $1"),
        normalise_login(login),
    )
    .await
}

pub async fn by_id(c: &mut AnyConnection, id: UserId) -> Result<Option<User>> {
    one(c, format!("SELECT {COLS} FROM users WHERE id = $1"), id).await
}

pub async fn by_person(c: &mut AnyConnection, person: PersonId) -> Result<Option<User>> {
    one(
        c,
        format!("SELECT {COLS} FROM users WHERE person_id = $1"),
        person,
    )
    .await
}

pub async fn list(c: &mut AnyConnection) -> Result<Vec<User>> {
    all(
        c,
        crate::dynamic(format!(
            "SELECT {COLS} FROM users WHERE person_id IS NULL ORDER BY display_name"
        )),
    )
    .await
}

pub async fn set_password(c: &mut AnyConnection, id: UserId, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now())
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(())
}

pub async fn grants(c: &mut AnyConnection, user: UserId) -> Result<Vec<(LabId, LabRole)>> {
    let rows = sqlx::query(
        "SELECT lab_id, role FROM user_lab_roles WHERE user_id = $1 ORDER BY lab_id, role",
    )
    .bind(user.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            let role = text(r, "role")?;
            Ok((
                get(r, "lab_id")?,
                LabRole::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
            ))
        })
        .collect()
}

pub async fn grant(c: &mut AnyConnection, user: UserId, lab: LabId, role: LabRole) -> Result<()> {
    sqlx::query("INSERT INTO user_lab_roles (user_id, lab_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(user.to_string())
        .bind(lab.to_string())
        .bind(role.code())
        .bind(now())
        .execute(c)
        .await?;
    Ok(())
}

pub async fn revoke(
    c: &mut AnyConnection,
    user: UserId,
    lab: LabId,
    role: LabRole,
) -> Result<bool> {
    let r =
        sqlx::query("DELETE FROM user_lab_roles WHERE user_id = $1 AND lab_id = $2 AND role = $3")
            .bind(user.to_string())
            .bind(lab.to_string())
            .bind(role.code())
            .execute(c)
            .await?;
    Ok(r.rows_affected() > 0)
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffMember {
    pub user_id: UserId,
    pub display_name: String,
    pub login: String,
    pub role: LabRole,
}

pub async fn staff_of_lab(c: &mut AnyConnection, lab: LabId) -> Result<Vec<StaffMember>> {
    let q = sqlx::query(
        "SELECT u.id, u.display_name, u.login, g.role FROM user_lab_roles g JOIN users u ON u.id = g.user_id
         WHERE g.lab_id = $1 ORDER BY g.role, u.display_name",
    )
    .bind(lab.to_string());
    all(c, q).await
}

from_row! {
    StaffMember |r| user_id = "id", display_name, login, role
}

/// Everything the access policy needs to know about an account.
pub async fn actor(c: &mut AnyConnection, user: &User) -> Result<Actor> {
    Ok(Actor {
        user_id: Some(user.id),
        admin: user.is_admin,
        grants: grants(c, user.id).await?,
        person_id: user.person_id,
    })
}

pub async fn insert_token(
    c: &mut AnyConnection,
    user: UserId,
    token_hash: &str,
) -> Result<TokenId> {
    let id = TokenId::new();
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.to_string())
    .bind(user.to_string())
    .bind(token_hash)
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

/// The active account behind a live token, marking the token used.
pub async fn user_by_token(c: &mut AnyConnection, token_hash: &str) -> Result<Option<User>> {
    let row = crate::dynamic(format!(
        "SELECT {} FROM users u JOIN api_tokens t ON t.user_id = u.id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1",
        COLS.split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(token_hash)
    .fetch_optional(&mut *c)
    .await?;
    let Some(row) = row else { return Ok(None) };
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
        .bind(now())
        .bind(token_hash)
        .execute(c)
        .await?;
    Ok(Some(User::from_row(&row)?))
}

pub async fn revoke_token(c: &mut AnyConnection, token_hash: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(token_hash)
    .execute(c)
    .await?;
    Ok(r.rows_affected() > 0)
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: TokenId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn tokens_of(c: &mut AnyConnection, user: UserId) -> Result<Vec<TokenInfo>> {
    all(c, sqlx::query("SELECT id, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC")
        .bind(user.to_string())).await
}

from_row! {
    TokenInfo |r| id, created_at, last_used_at, revoked_at
}

pub async fn revoke_token_by_id(c: &mut AnyConnection, user: UserId, id: TokenId) -> Result<bool> {
    let r = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now())
        .bind(id.to_string())
        .bind(user.to_string())
        .execute(c)
        .await?;
    Ok(r.rows_affected() > 0)
}
