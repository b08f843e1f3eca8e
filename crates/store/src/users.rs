//! Accounts (staff and residents), their roles per lab, and API tokens. Password hashes are made
//! and checked by the web layer; this module only stores them.
use crate::row::{FromRow, all, from_row, get, one, text};
use crate::{Result, StoreError, now, on_conflict};
use chrono::{DateTime, Utc};
use domain::{Actor, LabId, LabRole, LabScope, LinkId, PersonId, TokenId, UserId};
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

/// Every API token of an account ends (a changed or reset password).
pub async fn revoke_all_tokens(c: &mut AnyConnection, user: UserId) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(user.to_string())
    .execute(c)
    .await?;
    Ok(r.rows_affected())
}

/// Whether an active network admin exists (a fresh install has none).
pub async fn has_admin(c: &mut AnyConnection) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_admin = 1 AND active = 1")
        .fetch_one(c)
        .await?;
    Ok(n > 0)
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// Opens a new account with the role and lab the inviter chose.
    Invite,
    /// Sets a new password on an existing account.
    Reset,
}

impl LinkKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::Reset => "reset",
        }
    }
}

impl std::str::FromStr for LinkKind {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s {
            "invite" => Ok(Self::Invite),
            "reset" => Ok(Self::Reset),
            _ => Err(()),
        }
    }
}

impl crate::row::Column for LinkKind {
    fn column(r: &sqlx::any::AnyRow, col: &str) -> Result<Self> {
        let s = text(r, col)?;
        s.parse()
            .map_err(|()| StoreError::Corrupt(format!("{col}: {s}")))
    }
}

/// A one-time link (invitation or password reset). The token itself is never stored.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLink {
    pub id: LinkId,
    pub kind: LinkKind,
    /// Reset: the account whose password it sets.
    pub user_id: Option<UserId>,
    /// Invite: the login the new account gets (an e-mail or an E.164 phone); none for the first
    /// admin's setup link, where she types her own.
    pub login: Option<String>,
    pub display_name: String,
    /// Invite: `admin`, `resident` or a lab role's code.
    pub role: Option<String>,
    pub lab_id: Option<LabId>,
    pub person_id: Option<PersonId>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

from_row! {
    AccountLink |r| id, kind, user_id, login, display_name, role, lab_id, person_id, created_by,
    created_at, expires_at, used_at, revoked_at
}

const LINK_COLS: &str = "id, kind, user_id, login, display_name, role, lab_id, person_id, created_by, created_at, expires_at, used_at, revoked_at";

impl AccountLink {
    /// Neither used, revoked nor expired.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && self.revoked_at.is_none() && self.expires_at > now
    }
}

/// What a new link holds; `insert_link` adds the id and the times.
#[derive(Debug, Clone, Default)]
pub struct NewLink {
    pub user_id: Option<UserId>,
    pub login: Option<String>,
    pub display_name: String,
    pub role: Option<String>,
    pub lab_id: Option<LabId>,
    pub person_id: Option<PersonId>,
    pub created_by: Option<UserId>,
}

pub async fn insert_link(
    c: &mut AnyConnection,
    kind: LinkKind,
    token_hash: &str,
    l: &NewLink,
    expires_at: DateTime<Utc>,
) -> Result<AccountLink> {
    let id = LinkId::new();
    crate::dynamic(format!(
        "INSERT INTO account_links ({LINK_COLS}, token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, $12)"
    ))
    .bind(id.to_string())
    .bind(kind.code())
    .bind(l.user_id.map(|u| u.to_string()))
    .bind(l.login.clone())
    .bind(l.display_name.clone())
    .bind(l.role.clone())
    .bind(l.lab_id.map(|u| u.to_string()))
    .bind(l.person_id.map(|u| u.to_string()))
    .bind(l.created_by.map(|u| u.to_string()))
    .bind(now())
    .bind(crate::row::ts(expires_at))
    .bind(token_hash)
    .execute(&mut *c)
    .await?;
    link_by_id(c, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("account link vanished".into()))
}

pub async fn link_by_id(c: &mut AnyConnection, id: LinkId) -> Result<Option<AccountLink>> {
    one(
        c,
        format!("SELECT {LINK_COLS} FROM account_links WHERE id = $1"),
        id,
    )
    .await
}

pub async fn link_by_token(c: &mut AnyConnection, token_hash: &str) -> Result<Option<AccountLink>> {
    one(
        c,
        format!("SELECT {LINK_COLS} FROM account_links WHERE token_hash = $1"),
        token_hash,
    )
    .await
}

/// Marks a link used, once: `false` when it was used or revoked meanwhile (two tabs).
pub async fn use_link(c: &mut AnyConnection, id: LinkId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE account_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id.to_string());
    crate::row::changed(c, q).await
}

pub async fn revoke_link(c: &mut AnyConnection, id: LinkId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE account_links SET revoked_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id.to_string());
    crate::row::changed(c, q).await
}

/// Ends every open link of a kind for an account or a person (a new link replaces the old one).
pub async fn revoke_links_of(
    c: &mut AnyConnection,
    kind: LinkKind,
    user: Option<UserId>,
    person: Option<PersonId>,
) -> Result<()> {
    sqlx::query(
        "UPDATE account_links SET revoked_at = $1 WHERE kind = $2 AND used_at IS NULL
         AND revoked_at IS NULL AND (user_id = $3 OR person_id = $4)",
    )
    .bind(now())
    .bind(kind.code())
    .bind(user.map(|u| u.to_string()))
    .bind(person.map(|p| p.to_string()))
    .execute(c)
    .await?;
    Ok(())
}

/// Invitations not yet used, revoked or expired, of the labs in `scope` (`LabScope::All`: every
/// one, the network's included).
pub async fn pending_invitations(
    c: &mut AnyConnection,
    scope: &LabScope,
) -> Result<Vec<AccountLink>> {
    let (clause, labs) = crate::row::scope_clause(scope, "lab_id", 2);
    let sql = format!(
        "SELECT {LINK_COLS} FROM account_links WHERE kind = 'invite' AND used_at IS NULL
         AND revoked_at IS NULL AND expires_at > $1 AND {clause} ORDER BY created_at DESC"
    );
    let q = crate::row::bind_each(crate::dynamic(sql).bind(now()), labs);
    all(c, q).await
}

/// The open invitation for a person, if any.
pub async fn open_invitation_of(
    c: &mut AnyConnection,
    person: PersonId,
) -> Result<Option<AccountLink>> {
    crate::row::optional(
        c,
        crate::dynamic(format!(
            "SELECT {LINK_COLS} FROM account_links WHERE kind = 'invite' AND person_id = $1
             AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(person.to_string())
        .bind(now()),
    )
    .await
}
