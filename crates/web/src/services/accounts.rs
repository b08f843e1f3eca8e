//! Accounts: signing in, tokens, passwords.
use crate::error::AppError;
use crate::secrets::{dummy_hash, verify_password};
use crate::state::AppState;
use std::net::IpAddr;
use store::users::User;

/// Checks a login and password (off the async threads: argon2 is slow on purpose).
pub async fn authenticate(
    state: &AppState,
    login: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> Result<User, AppError> {
    state.limits.sign_in_attempt(login, ip)?;
    let mut c = state.store.conn().await?;
    let user = store::users::by_login(&mut c, login).await?;
    drop(c);
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    match user {
        Some(u) if ok && u.active => Ok(u),
        _ => Err(AppError::BadRequest("err-login-failed")),
    }
}
