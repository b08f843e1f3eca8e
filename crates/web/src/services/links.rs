//! One-time links that open an account: invitations (an admin invites staff; a coordinator gives
//! a woman of her lab an account), password resets (by e-mail, or issued by a coordinator for a
//! woman without e-mail), the first admin's setup link, and changing one's own password. Only a
//! hash of each token is stored; the link is shown once to whoever issued it, or e-mailed.
use super::accounts::{MIN_PASSWORD, create_account_hashed};
use super::base::{allow, entry, invalid, signed_in};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::secrets::{hash_password, random_token, sha256_hex, verify_password};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use domain::{Action, Actor, LabId, LabScope, LinkId, PersonId, Role, UserId, names};
use serde::Deserialize;
use std::net::IpAddr;
use store::labs::Lab;
use store::users::{AccountLink, LinkKind, NewLink, User};
use store::{Store, audit};

/// Hours a password-reset link stays valid.
pub const RESET_HOURS: i64 = 24;

/// A link just issued: shown once to whoever issued it.
#[derive(Debug, Clone)]
pub struct Issued {
    pub link: String,
    pub expires_at: DateTime<Utc>,
    /// An e-mail with the link was queued (the login is an address).
    pub emailed: bool,
    pub record: AccountLink,
}

/// What the admin's invitation form and `POST /api/v1/invitations` send.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InviteInput {
    /// Her e-mail address, or her phone number in any local spelling.
    pub email: String,
    pub phone: String,
    /// The login in one field (the page's form): an e-mail or a phone.
    pub login: String,
    /// Her name as it should appear; for a resident, her record's name is used.
    pub display_name: String,
    /// `admin`, `coordinator`, `mentor`, `case-worker`, `reviewer` or `resident`.
    pub role: String,
    /// The lab's slug (every role but admin).
    pub lab: String,
}

fn new_token() -> (String, String) {
    let token = random_token(24);
    let hash = sha256_hex(&token);
    (token, hash)
}

fn link_url(base: &str, kind: LinkKind, token: &str) -> String {
    match kind {
        LinkKind::Invite => format!("{base}/invite/{token}"),
        LinkKind::Reset => format!("{base}/password/reset/{token}"),
    }
}

/// The language a woman reads best among the three the platform speaks.
fn her_lang(languages: &[String], fallback: Lang) -> Lang {
    languages
        .iter()
        .find_map(|l| Lang::parse(l))
        .unwrap_or(fallback)
}

/// Stores a new link (ending older open ones of the same kind for the same account or woman),
/// queues its e-mail when the login is an address, and audits it.
#[allow(clippy::too_many_arguments)]
async fn issue(
    store: &Store,
    actor: &Actor,
    base: &str,
    kind: LinkKind,
    l: NewLink,
    valid: Duration,
    mail_lang: Lang,
    email: Option<&str>,
) -> AppResult<Issued> {
    let (token, hash) = new_token();
    let expires_at = Utc::now() + valid;
    let link = link_url(base, kind, &token);
    let mut tx = store.begin().await?;
    if l.user_id.is_some() || l.person_id.is_some() {
        store::users::revoke_links_of(&mut tx, kind, l.user_id, l.person_id).await?;
    }
    let record = store::users::insert_link(&mut tx, kind, &hash, &l, expires_at).await?;
    // A woman with a record gets the link over her channels in her order (an email address she
    // has set no channel for counts as one); anyone else by email to the address of the login.
    let template = match kind {
        LinkKind::Invite => "invitation",
        LinkKind::Reset => "password-reset",
    };
    let direct = email.map(|to| super::messages::Direct {
        email: to.to_string(),
        lang: mail_lang.code().into(),
        name: l.display_name.clone(),
    });
    let until = domain::time::format_datetime(expires_at).to_string();
    super::messages::queue(
        &mut tx,
        l.person_id,
        direct,
        l.lab_id,
        template,
        &[("link", link.clone()), ("until", until)],
        super::messages::When {
            expires_at: Some(expires_at),
            ..Default::default()
        },
    )
    .await?;
    let action = match kind {
        LinkKind::Invite => "invitation.issue",
        LinkKind::Reset => "password-link.issue",
    };
    let mut e = entry(actor, action, "account_link", record.id, l.lab_id);
    e.detail = l.role.clone().unwrap_or_default();
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(Issued {
        link,
        expires_at,
        emailed: email.is_some(),
        record,
    })
}

fn days(state_days: i64) -> Duration {
    Duration::days(state_days.clamp(1, 90))
}

/// The lab a staff role belongs to, by slug (none for the admin).
async fn lab_for(store: &Store, role: Role, slug: &str) -> AppResult<Option<Lab>> {
    if role == Role::Admin {
        return Ok(None);
    }
    let mut c = store.conn().await?;
    match store::labs::lab_by_slug(&mut c, slug.trim()).await? {
        Some(l) => Ok(Some(l)),
        None => Err(invalid("lab", "err-required")),
    }
}

/// Invites someone to an account with a role: the admin invites staff (and reviewers) of any
/// lab; a resident is invited through her record in a lab the caller manages accounts of.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    base: &str,
    lang: Lang,
    f: &InviteInput,
) -> AppResult<Issued> {
    signed_in(actor)?;
    let role = Role::parse(f.role.trim()).ok_or_else(|| invalid("role", "err-choice"))?;
    let typed = [&f.login, &f.email, &f.phone]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .cloned()
        .unwrap_or_default();
    if role == Role::Resident {
        let lab = {
            let mut c = state.store.conn().await?;
            store::labs::lab_by_slug(&mut c, f.lab.trim())
                .await?
                .ok_or_else(|| invalid("lab", "err-required"))?
        };
        allow(actor, Action::ManageAccounts(lab.id))?;
        let login = domain::parse_login(&typed)?;
        let person = {
            let mut c = state.store.conn().await?;
            store::people::by_contact(&mut c, lab.id, &login).await?
        }
        .ok_or_else(|| invalid("login", "err-no-such-woman"))?;
        return invite_resident(state, actor, base, lang, person).await;
    }
    allow(actor, Action::ManageNetwork)?;
    let mut errs = vec![];
    let login = match domain::parse_login(&typed) {
        Ok(l) => Some(l),
        Err(_) => {
            errs.push(("login".to_string(), "err-login-format".to_string()));
            None
        }
    };
    let name = names::clean(&f.display_name);
    if name.is_empty() || name.chars().count() > 120 {
        errs.push(("display_name".into(), "err-required".into()));
    }
    let lab = match lab_for(&state.store, role, &f.lab).await {
        Ok(l) => l,
        Err(_) => {
            errs.push(("lab".into(), "err-required".into()));
            None
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let login = login.unwrap_or_default();
    {
        let mut c = state.store.conn().await?;
        if store::users::by_login(&mut c, &login).await?.is_some() {
            return Err(invalid("login", "err-login-taken"));
        }
    }
    let email = login.contains('@').then_some(login.as_str());
    issue(
        &state.store,
        actor,
        base,
        LinkKind::Invite,
        NewLink {
            login: Some(login.clone()),
            display_name: name,
            role: Some(role.code().into()),
            lab_id: lab.map(|l| l.id),
            created_by: actor.user_id,
            ..NewLink::default()
        },
        days(state.config.invitation_days),
        lang,
        email,
    )
    .await
}

/// Gives a woman of a lab the caller manages an account: an invitation to her phone or e-mail
/// (the e-mail is sent, in her language; the link is shown to pass on in a messenger).
pub async fn invite_resident(
    state: &AppState,
    actor: &Actor,
    base: &str,
    lang: Lang,
    person: PersonId,
) -> AppResult<Issued> {
    let p = super::people::read_person(&state.store, actor, person).await?;
    allow(actor, Action::ManageAccounts(p.lab_id))?;
    let login = match (&p.phone, &p.email) {
        (Some(ph), _) => ph.clone(),
        (None, Some(e)) => e.clone(),
        (None, None) => return Err(invalid("login", "err-account-needs-contact")),
    };
    {
        let mut c = state.store.conn().await?;
        if store::users::by_person(&mut c, person).await?.is_some() {
            return Err(invalid("login", "err-has-account"));
        }
        if store::users::by_login(&mut c, &login).await?.is_some() {
            return Err(invalid("login", "err-login-taken"));
        }
    }
    let email = p.email.clone();
    issue(
        &state.store,
        actor,
        base,
        LinkKind::Invite,
        NewLink {
            login: Some(login),
            display_name: p.full_name(),
            role: Some("resident".into()),
            lab_id: Some(p.lab_id),
            person_id: Some(person),
            created_by: actor.user_id,
            ..NewLink::default()
        },
        days(state.config.invitation_days),
        her_lang(&p.languages, lang),
        email.as_deref(),
    )
    .await
}

/// A password link for a woman's account, issued by a coordinator of her lab (she may have no
/// e-mail: the coordinator passes the link on), or for a staff account by the admin.
pub async fn issue_reset(
    store: &Store,
    actor: &Actor,
    base: &str,
    lang: Lang,
    user: UserId,
) -> AppResult<Issued> {
    signed_in(actor)?;
    let u = {
        let mut c = store.conn().await?;
        store::users::by_id(&mut c, user)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mut mail_lang = lang;
    let lab = match u.person_id {
        Some(p) => {
            let person = super::people::read_person(store, actor, p).await?;
            allow(actor, Action::ManageAccounts(person.lab_id))?;
            mail_lang = her_lang(&person.languages, lang);
            Some(person.lab_id)
        }
        None => {
            allow(actor, Action::ManageNetwork)?;
            None
        }
    };
    let email = u.login.contains('@').then(|| u.login.clone());
    issue(
        store,
        actor,
        base,
        LinkKind::Reset,
        NewLink {
            user_id: Some(u.id),
            display_name: u.display_name.clone(),
            lab_id: lab,
            person_id: u.person_id,
            created_by: actor.user_id,
            ..NewLink::default()
        },
        Duration::hours(RESET_HOURS),
        mail_lang,
        email.as_deref(),
    )
    .await
}

/// "Forgot password": an e-mail with a link when the address belongs to an active account.
/// The answer is the same whether or not it does; requests count against the sign-in limits.
pub async fn request_reset(
    state: &AppState,
    base: &str,
    lang: Lang,
    login: &str,
    ip: Option<IpAddr>,
) -> AppResult<()> {
    let login = domain::parse_login(login)?;
    state.limits.sign_in_allowed(&login, ip)?;
    // Each request counts as a failure: a script cannot send a stream of e-mails to someone.
    state.limits.sign_in_failed(&login, ip);
    let user = {
        let mut c = state.store.conn().await?;
        store::users::by_login(&mut c, &login).await?
    };
    let Some(u) = user.filter(|u| u.active && u.login.contains('@')) else {
        return Ok(());
    };
    let system = Actor::anonymous();
    issue(
        &state.store,
        &system,
        base,
        LinkKind::Reset,
        NewLink {
            user_id: Some(u.id),
            display_name: u.display_name.clone(),
            person_id: u.person_id,
            ..NewLink::default()
        },
        Duration::hours(RESET_HOURS),
        lang,
        Some(&u.login),
    )
    .await?;
    Ok(())
}

/// The first start of an install without an admin: a setup link for the first admin (she types
/// her own login and name). Older setup links end. `None` when an admin exists.
pub async fn setup_link(store: &Store, base: &str) -> AppResult<Option<String>> {
    let mut c = store.conn().await?;
    if store::users::has_admin(&mut c).await? {
        return Ok(None);
    }
    drop(c);
    let (token, hash) = new_token();
    let mut tx = store.begin().await?;
    for l in store::users::pending_invitations(&mut tx, &LabScope::All).await? {
        if l.login.is_none() {
            store::users::revoke_link(&mut tx, l.id).await?;
        }
    }
    let l = NewLink {
        role: Some("admin".into()),
        ..NewLink::default()
    };
    let record = store::users::insert_link(
        &mut tx,
        LinkKind::Invite,
        &hash,
        &l,
        Utc::now() + Duration::days(7),
    )
    .await?;
    let system = Actor::anonymous();
    audit::record(
        &mut tx,
        entry(&system, "invitation.setup", "account_link", record.id, None),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(link_url(base, LinkKind::Invite, &token)))
}

/// Whether the install still has no admin (the home page's hint to a visitor on the machine).
pub async fn needs_setup(store: &Store) -> AppResult<bool> {
    let mut c = store.conn().await?;
    Ok(!store::users::has_admin(&mut c).await?)
}

/// What a link opens, as its page shows it.
pub enum LinkState {
    Open(Box<AccountLink>),
    /// Used already, or revoked.
    Used,
    Expired,
    /// No such link (mistyped, or cut short by a messenger).
    Unknown,
}

pub async fn open_link(store: &Store, kind: LinkKind, token: &str) -> AppResult<LinkState> {
    let mut c = store.conn().await?;
    let l = store::users::link_by_token(&mut c, &sha256_hex(token.trim())).await?;
    Ok(match l {
        Some(l) if l.kind != kind => LinkState::Unknown,
        Some(l) if l.used_at.is_some() || l.revoked_at.is_some() => LinkState::Used,
        Some(l) if l.expires_at <= Utc::now() => LinkState::Expired,
        Some(l) => LinkState::Open(Box::new(l)),
        None => LinkState::Unknown,
    })
}

/// What the invitation and reset pages send.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordInput {
    /// The setup link only: the first admin's login and name.
    pub login: String,
    pub display_name: String,
    /// Changing one's own password: the present one.
    pub current: String,
    pub password: String,
    pub confirm: String,
}

fn check_new_password(f: &PasswordInput, errs: &mut Vec<(String, String)>) {
    if f.password.chars().count() < MIN_PASSWORD {
        errs.push(("password".into(), "err-password-short".into()));
    } else if f.password.chars().count() > 200 {
        errs.push(("password".into(), "err-too-long".into()));
    } else if f.password != f.confirm {
        errs.push(("confirm".into(), "err-password-mismatch".into()));
    }
}

async fn hash(pw: &str) -> AppResult<String> {
    let pw = pw.to_string();
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

/// Opens the account an invitation promises; the link is used up in the same transaction.
pub async fn accept_invitation(store: &Store, token: &str, f: &PasswordInput) -> AppResult<User> {
    let LinkState::Open(l) = open_link(store, LinkKind::Invite, token).await? else {
        return Err(AppError::NotFound);
    };
    let mut errs = vec![];
    let (login, name) = match &l.login {
        Some(login) => (login.clone(), l.display_name.clone()),
        None => {
            let login = domain::parse_login(&f.login)
                .map_err(|_| errs.push(("login".into(), "err-login-format".into())))
                .unwrap_or_default();
            let name = names::clean(&f.display_name);
            if name.is_empty() || name.chars().count() > 120 {
                errs.push(("display_name".into(), "err-required".into()));
            }
            (login, name)
        }
    };
    check_new_password(f, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let role = l
        .role
        .as_deref()
        .and_then(Role::parse)
        .ok_or(AppError::NotFound)?;
    let hashed = hash(&f.password).await?;
    let mut tx = store.begin().await?;
    if !store::users::use_link(&mut tx, l.id).await? {
        return Err(AppError::NotFound);
    }
    // The setup link makes the first admin only while there is none.
    if l.login.is_none() && store::users::has_admin(&mut tx).await? {
        return Err(AppError::NotFound);
    }
    let id = create_account_hashed(
        &mut tx,
        l.created_by,
        &login,
        &name,
        &hashed,
        role,
        l.lab_id,
        l.person_id,
    )
    .await?;
    let actor = Actor {
        user_id: Some(id),
        ..Actor::default()
    };
    audit::record(
        &mut tx,
        entry(&actor, "invitation.accept", "account_link", l.id, l.lab_id),
    )
    .await?;
    let user = store::users::by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

/// Sets a new password from a reset link; every session and API token of the account ends.
pub async fn reset_password(store: &Store, token: &str, f: &PasswordInput) -> AppResult<User> {
    let LinkState::Open(l) = open_link(store, LinkKind::Reset, token).await? else {
        return Err(AppError::NotFound);
    };
    let mut errs = vec![];
    check_new_password(f, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let user = l.user_id.ok_or(AppError::NotFound)?;
    let hashed = hash(&f.password).await?;
    let mut tx = store.begin().await?;
    if !store::users::use_link(&mut tx, l.id).await? {
        return Err(AppError::NotFound);
    }
    let u = set_password(&mut tx, user, &hashed, "password.reset").await?;
    tx.commit().await?;
    Ok(u)
}

async fn set_password(
    tx: &mut store::Tx,
    user: UserId,
    hashed: &str,
    action: &'static str,
) -> AppResult<User> {
    store::users::set_password(tx, user, hashed).await?;
    store::users::revoke_all_tokens(tx, user).await?;
    let actor = Actor {
        user_id: Some(user),
        ..Actor::default()
    };
    audit::record(tx, entry(&actor, action, "user", user, None)).await?;
    store::users::by_id(tx, user)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the caller's own password (the present one required). Her other sessions end (they
/// were opened with the old password) and so do her API tokens; the caller keeps this session
/// by storing the new password's mark in it.
pub async fn change_password(store: &Store, user: &User, f: &PasswordInput) -> AppResult<User> {
    let mut errs = vec![];
    let (current, stored) = (f.current.clone(), user.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    if !ok {
        errs.push(("current".into(), "err-password-wrong".into()));
    }
    check_new_password(f, &mut errs);
    if ok && f.password == f.current {
        errs.push(("password".into(), "err-password-same".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let hashed = hash(&f.password).await?;
    let mut tx = store.begin().await?;
    let u = set_password(&mut tx, user.id, &hashed, "password.change").await?;
    tx.commit().await?;
    Ok(u)
}

/// Pending invitations the caller may see and revoke, with their lab.
pub async fn pending(
    store: &Store,
    actor: &Actor,
    lab: Option<LabId>,
) -> AppResult<Vec<(AccountLink, Option<Lab>)>> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let rows = match lab {
        None => {
            allow(actor, Action::ManageNetwork)?;
            store::users::pending_invitations(&mut c, &LabScope::All).await?
        }
        Some(lab) => {
            allow(actor, Action::ManageAccounts(lab))?;
            store::users::pending_invitations(&mut c, &LabScope::Only(vec![lab])).await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|l| {
            let lab = l
                .lab_id
                .and_then(|id| labs.iter().find(|x| x.id == id).cloned());
            (l, lab)
        })
        .collect())
}

/// Ends a pending invitation: the admin any, a coordinator those of her lab.
pub async fn revoke_invitation(store: &Store, actor: &Actor, id: LinkId) -> AppResult<()> {
    signed_in(actor)?;
    let mut tx = store.begin().await?;
    let l = store::users::link_by_id(&mut tx, id)
        .await?
        .filter(|l| l.kind == LinkKind::Invite)
        .ok_or(AppError::NotFound)?;
    let may = actor.allows(Action::ManageNetwork)
        || l.lab_id
            .is_some_and(|lab| actor.allows(Action::ManageAccounts(lab)) && l.person_id.is_some());
    if !may {
        return Err(AppError::NotFound);
    }
    if !store::users::revoke_link(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        entry(actor, "invitation.revoke", "account_link", id, l.lab_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A woman's account as her person page shows it: the account, or the invitation waiting.
pub struct PersonAccount {
    pub user: Option<User>,
    pub invitation: Option<AccountLink>,
    /// The caller may give her an account or a password link.
    pub manage: bool,
}

pub async fn person_account(
    store: &Store,
    actor: &Actor,
    person: &store::people::Person,
) -> AppResult<PersonAccount> {
    let manage = actor.allows(Action::ManageAccounts(person.lab_id));
    if !manage {
        return Ok(PersonAccount {
            user: None,
            invitation: None,
            manage,
        });
    }
    let mut c = store.conn().await?;
    Ok(PersonAccount {
        user: store::users::by_person(&mut c, person.id).await?,
        invitation: store::users::open_invitation_of(&mut c, person.id).await?,
        manage,
    })
}

/// A password link for a woman's account, from her person page.
pub async fn issue_reset_for_person(
    store: &Store,
    actor: &Actor,
    base: &str,
    lang: Lang,
    person: PersonId,
) -> AppResult<Issued> {
    let p = super::people::read_person(store, actor, person).await?;
    allow(actor, Action::ManageAccounts(p.lab_id))?;
    let user = {
        let mut c = store.conn().await?;
        store::users::by_person(&mut c, person).await?
    }
    .ok_or(AppError::NotFound)?;
    issue_reset(store, actor, base, lang, user.id).await
}

/// The role a link opens, as the page names it.
pub fn role_of(l: &AccountLink) -> Option<Role> {
    l.role.as_deref().and_then(Role::parse)
}
