//! Accounts: signing in, tokens, staff accounts and their roles, and who the caller is.
use super::base::{allow, commit_with, entry, invalid, taken};
use super::network::with_labs;
use crate::error::{AppError, AppResult};
use crate::secrets::{dummy_hash, verify_password};
use crate::state::AppState;
use domain::{Action, Actor, LabId, LabRole, PersonId, UserId, names};
use std::net::IpAddr;
use store::labs::Lab;
use store::users::User;
use store::{Store, audit};

/// Checks a login and password (off the async threads: argon2 is slow on purpose).
pub async fn authenticate(
    state: &AppState,
    login: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> Result<User, AppError> {
    // One login rule: a phone typed in any local spelling is her E.164 login.
    let login = &domain::parse_login(login).unwrap_or_else(|_| login.trim().to_string());
    state.limits.sign_in_allowed(login, ip)?;
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
        _ => {
            state.limits.sign_in_failed(login, ip);
            Err(AppError::BadRequest("err-login-failed"))
        }
    }
}

pub const MIN_PASSWORD: usize = 10;

/// Creates an account (staff, or a resident linked to her person record by the CLI).
#[allow(clippy::too_many_arguments)] // the CLI, the admin page and tests each fill every argument
pub async fn create_account(
    store: &Store,
    actor: Option<&Actor>,
    login: &str,
    display_name: &str,
    password: &str,
    role: domain::Role,
    lab: Option<LabId>,
    person: Option<PersonId>,
) -> AppResult<UserId> {
    if let Some(a) = actor
        && !a.allows(Action::ManageNetwork)
    {
        return Err(AppError::NotFound);
    }
    let mut errs: Vec<(String, String)> = vec![];
    // One rule for logins everywhere: a phone in any local spelling becomes E.164.
    let login_norm = match domain::parse_login(login) {
        Ok(l) => l,
        Err(_) => {
            errs.push(("login".into(), "err-login-format".into()));
            String::new()
        }
    };
    let name = names::clean(display_name);
    if name.is_empty() || name.chars().count() > 120 {
        errs.push(("display_name".into(), "err-required".into()));
    }
    if password.chars().count() < MIN_PASSWORD {
        errs.push(("password".into(), "err-password-short".into()));
    }
    if matches!(role, domain::Role::Lab(_)) && lab.is_none() {
        errs.push(("lab".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let pw = password.to_string();
    let hash = tokio::task::spawn_blocking(move || crate::secrets::hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let mut tx = store.begin().await?;
    let id = create_account_hashed(
        &mut tx,
        actor.and_then(|a| a.user_id),
        &login_norm,
        &name,
        &hash,
        role,
        lab,
        person,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes an account whose login and name are checked and whose password is hashed, with its
/// lab role and its audit row, in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_account_hashed(
    tx: &mut store::Tx,
    by: Option<UserId>,
    login: &str,
    name: &str,
    hash: &str,
    role: domain::Role,
    lab: Option<LabId>,
    person: Option<PersonId>,
) -> AppResult<UserId> {
    let id = store::users::insert(tx, login, name, hash, role == domain::Role::Admin, person)
        .await
        .map_err(taken("login"))?;
    if let (domain::Role::Lab(r), Some(lab)) = (role, lab) {
        store::users::grant(tx, id, lab, r).await?;
    }
    let actor = Actor {
        user_id: by,
        ..Actor::default()
    };
    let mut e = entry(&actor, "user.create", "user", id, lab);
    e.detail = role.code().into();
    audit::record(tx, e).await?;
    Ok(id)
}

/// Gives a staff account a role in a lab; the user and role as the form sends them.
pub async fn grant_role(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    user: &str,
    role: &str,
) -> AppResult<()> {
    allow(actor, Action::ManageNetwork)?;
    let (Ok(user), Some(role)) = (user.parse::<UserId>(), LabRole::parse(role)) else {
        return Err(invalid("user", "err-choice"));
    };
    let mut tx = store.begin().await?;
    let u = store::users::by_id(&mut tx, user)
        .await?
        .ok_or(invalid("user", "err-choice"))?;
    if u.person_id.is_some() {
        return Err(invalid("user", "err-choice"));
    }
    store::users::grant(&mut tx, user, lab, role).await?;
    let e = entry(actor, "role.grant", "user", user, Some(lab));
    commit_with(tx, e, role.code().into()).await
}

pub async fn revoke_role(
    store: &Store,
    actor: &Actor,
    user: UserId,
    lab: LabId,
    role: LabRole,
) -> AppResult<()> {
    allow(actor, Action::ManageNetwork)?;
    let mut tx = store.begin().await?;
    if !store::users::revoke(&mut tx, user, lab, role).await? {
        return Err(AppError::NotFound);
    }
    let e = entry(actor, "role.revoke", "user", user, Some(lab));
    commit_with(tx, e, role.code().into()).await
}

/// Issues an API token; only its hash is stored, the token itself is shown once.
pub async fn issue_token(store: &Store, user: &store::users::User) -> AppResult<String> {
    let token = format!("wcl_{}", crate::secrets::random_token(32));
    let mut tx = store.begin().await?;
    let id =
        store::users::insert_token(&mut tx, user.id, &crate::secrets::sha256_hex(&token)).await?;
    let actor = Actor {
        user_id: Some(user.id),
        ..Actor::default()
    };
    audit::record(&mut tx, entry(&actor, "token.issue", "token", id, None)).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke_token(store: &Store, actor: &Actor, token: &str) -> AppResult<()> {
    let mut tx = store.begin().await?;
    if !store::users::revoke_token(&mut tx, &crate::secrets::sha256_hex(token)).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        audit::Entry {
            actor: actor.user_id,
            action: "token.revoke",
            entity: "token",
            entity_id: None,
            lab: None,
            detail: String::new(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Accounts, each with its roles per lab, and the labs to choose from (network admin).
pub struct Users {
    pub users: Vec<(User, Vec<(Lab, LabRole)>)>,
    pub labs: Vec<Lab>,
}

pub async fn users(store: &Store, actor: &Actor) -> AppResult<Users> {
    allow(actor, Action::ManageNetwork)?;
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let mut users = vec![];
    for u in store::users::list(&mut c).await? {
        let grants = store::users::grants(&mut c, u.id).await?;
        users.push((u, with_labs(&labs, grants)));
    }
    Ok(Users { users, labs })
}

/// The caller's roles, by the lab's slug.
pub async fn my_roles(store: &Store, actor: &Actor) -> AppResult<Vec<(Lab, LabRole)>> {
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    Ok(with_labs(&labs, actor.grants.clone()))
}
