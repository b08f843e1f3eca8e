//! Psychosocial support: cases, encrypted notes, referrals, the directory of outside services.
//!
//! Who may do what is decided per case: the case worker it is assigned to (while she still holds
//! the case-worker role in its lab), and the woman herself for the notes shared with her. Anybody
//! else, the network admin included, gets [`AppError::NotFound`], exactly as for a missing case.
//! Every read of a case writes its audit row (entity `support_case`) in the transaction that
//! reads it; those rows are the access log the woman sees. Notes and override reasons are sealed
//! with the configured [`Keyring`] before they reach the store; audit rows carry codes only.
use super::base::{entry, limit};
use crate::error::{AppError, AppResult};
use crate::sealed::{Keyring, SealError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::support::{self as sup, CaseReason, CaseStatus, ServiceKind, Urgency};
use domain::{Action, Actor, CaseId, CaseNoteId, LabRole, PersonId, ReferralId, ServiceId, names};
use serde::{Deserialize, Deserializer};
use store::support::{self as st, Case};
use store::{Store, audit};

/// The keys from the configuration, or the clear refusal that nothing can be stored without one.
pub fn keys(config: &crate::config::WebConfig) -> AppResult<&Keyring> {
    config
        .case_keys
        .as_deref()
        .ok_or(AppError::Conflict("case-key-missing"))
}

/// The case pages and the API are for case workers: anybody else is answered 404 (sign in first)
/// before anything is looked up. Nothing is stored without a key, so the key comes with it.
pub fn worker_keys<'a>(
    config: &'a crate::config::WebConfig,
    actor: &Actor,
) -> AppResult<&'a Keyring> {
    if !actor.is_signed_in() {
        return Err(AppError::SignIn);
    }
    if !actor.holds(LabRole::CaseWorker) {
        return Err(AppError::NotFound);
    }
    keys(config)
}

/// Her own support page is for a woman of the programme (404 for anybody else), and needs the key.
pub fn resident_keys<'a>(
    config: &'a crate::config::WebConfig,
    actor: &Actor,
) -> AppResult<&'a Keyring> {
    if actor.person_id.is_none() {
        return Err(AppError::NotFound);
    }
    keys(config)
}

/// A check box of a form: `on` when ticked, absent otherwise.
fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(String::deserialize(d)?.as_str(), "on" | "true"))
}

/// How the caller stands to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The assigned case worker: everything.
    CaseWorker,
    /// The woman herself: the notes shared with her.
    Resident,
}

impl Reader {
    pub fn code(self) -> &'static str {
        match self {
            Self::CaseWorker => "case-worker",
            Self::Resident => "resident",
        }
    }
}

pub fn reader(actor: &Actor, case: &Case) -> Option<Reader> {
    if !actor.is_signed_in() {
        return None;
    }
    if actor.user_id == Some(case.case_worker_id) && actor.allows(Action::CaseWork(case.lab_id)) {
        Some(Reader::CaseWorker)
    } else if actor.person_id == Some(case.person_id) {
        Some(Reader::Resident)
    } else {
        None
    }
}

fn sealing(e: SealError) -> AppError {
    // The message names no plaintext and no key material.
    AppError::Internal(anyhow::anyhow!("case note sealing failed: {e}"))
}

async fn case_for(
    c: &mut store::AnyConn,
    actor: &Actor,
    id: CaseId,
    worker_only: bool,
) -> AppResult<(Case, Reader)> {
    let case = st::get_case(c, id).await?.ok_or(AppError::NotFound)?;
    match reader(actor, &case) {
        Some(Reader::CaseWorker) => Ok((case, Reader::CaseWorker)),
        Some(Reader::Resident) if !worker_only => Ok((case, Reader::Resident)),
        _ => Err(AppError::NotFound),
    }
}

fn read_entry<'a>(actor: &Actor, action: &'a str, case: &Case, role: Reader) -> audit::Entry<'a> {
    entry(actor, action, "support_case", case.id, Some(case.lab_id)).with_detail(role.code())
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CaseInput {
    pub person_id: String,
    pub reason: String,
    pub urgency: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`; empty for none.
    pub next_contact_on: String,
    #[serde(deserialize_with = "checkbox")]
    pub shared_with_coordinator: bool,
}

/// A woman a case may be opened for, as the case worker sees her before opening one: enough to
/// tell two women of the same name apart (birth year, town or village, lab), and nothing more.
#[derive(Debug, Clone)]
pub struct CasePerson {
    pub id: PersonId,
    pub name: String,
    pub birth_year: Option<i32>,
    pub locality: String,
    pub lab_id: domain::LabId,
}

impl CasePerson {
    fn of(p: store::people::Person) -> Self {
        Self {
            id: p.id,
            name: p.full_name(),
            birth_year: p.birth_year,
            locality: p.locality,
            lab_id: p.lab_id,
        }
    }
}

/// The labs where she works as a case worker (for a walk-in's lab and the lab of each result).
pub async fn case_labs(store: &Store, actor: &Actor) -> AppResult<Vec<store::labs::Lab>> {
    let scope = actor.scope_for(Action::CaseWork);
    let mut c = store.conn().await?;
    Ok(store::labs::list_labs(&mut c)
        .await?
        .into_iter()
        .filter(|l| scope.contains(l.id))
        .collect())
}

/// The forgiving people search, for opening a case: women of the labs where she works as a case
/// worker whose name (any spelling) or phone matches; nothing until she types two letters.
pub async fn case_search(store: &Store, actor: &Actor, q: &str) -> AppResult<Vec<CasePerson>> {
    if !actor.holds(LabRole::CaseWorker) {
        return Err(AppError::NotFound);
    }
    if q.trim().chars().count() < 2 {
        return Ok(vec![]);
    }
    let mut conn = store.conn().await?;
    let search = store::people::Search {
        text: q.to_string(),
        limit: 20,
        ..Default::default()
    };
    let scope = actor.scope_for(Action::CaseWork);
    let people = store::people::search(&mut conn, &scope, &search).await?;
    Ok(people
        .into_iter()
        .filter(|p| actor.allows(Action::CaseWork(p.lab_id)))
        .map(CasePerson::of)
        .collect())
}

/// One woman a case may be opened for (the one chosen from the search), or 404.
pub async fn case_person(store: &Store, actor: &Actor, id: &str) -> AppResult<CasePerson> {
    let id: PersonId = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut conn = store.conn().await?;
    store::people::get_scoped(&mut conn, &actor.scope_for(Action::CaseWork), id)
        .await?
        .filter(|p| actor.allows(Action::CaseWork(p.lab_id)))
        .map(CasePerson::of)
        .ok_or(AppError::NotFound)
}

/// A woman who walks in and is not in the records, as the case worker registers her: her name,
/// what tells her apart, a phone if she gives one, and her consent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WalkInInput {
    /// The lab's slug (one where she works as a case worker).
    pub lab: String,
    pub family_name: String,
    pub given_name: String,
    pub birth_year: String,
    pub locality: String,
    pub phone: String,
    pub consent: String,
    pub consent_language: String,
}

/// Registers a walk-in woman in a lab where the caller works as a case worker, with the consent
/// she gave; audited. No residency is opened: she came for support, not to apply.
pub async fn register_walk_in(
    store: &Store,
    actor: &Actor,
    input: &WalkInInput,
    page_lang: crate::i18n::Lang,
) -> AppResult<PersonId> {
    let labs = case_labs(store, actor).await?;
    let lab = match input.lab.as_str() {
        "" if labs.len() == 1 => labs[0].id,
        slug => labs
            .iter()
            .find(|l| l.slug == slug)
            .map(|l| l.id)
            .ok_or_else(|| {
                if labs.is_empty() {
                    AppError::NotFound
                } else {
                    AppError::Invalid(vec![("lab".into(), "err-choice".into())])
                }
            })?,
    };
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    if !actor.allows(Action::CaseWork(lab)) {
        return Err(AppError::NotFound);
    }
    let person = super::people::PersonInput {
        family_name: input.family_name.clone(),
        given_name: input.given_name.clone(),
        birth_year: input.birth_year.clone(),
        locality: input.locality.clone(),
        phone: input.phone.clone(),
        ..Default::default()
    };
    let consent = super::people::ConsentInput {
        consent: input.consent.clone(),
        consent_language: input.consent_language.clone(),
        ..Default::default()
    };
    let fields = super::people::validate_person(&person, false);
    let consent = super::people::validate_consent(&consent, page_lang);
    let (fields, consent) = match (fields, consent) {
        (Ok(f), Ok(c)) => (f, c),
        (f, c) => {
            let mut errs = f.err().unwrap_or_default();
            errs.extend(c.err().unwrap_or_default());
            return Err(AppError::Invalid(errs));
        }
    };
    let mut tx = store.begin().await?;
    let id = store::people::insert(&mut tx, lab, &fields, Some(user)).await?;
    consent.record(&mut tx, id, Some(user)).await?;
    audit::record(
        &mut tx,
        entry(actor, "person.create", "person", id, Some(lab)).with_detail("walk-in"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn parse_choice<T>(
    field: &str,
    v: &str,
    default: T,
    parse: fn(&str) -> Option<T>,
    errs: &mut Vec<(String, String)>,
) -> T
where
    T: Copy,
{
    if v.trim().is_empty() {
        return default;
    }
    parse(v).unwrap_or_else(|| {
        errs.push((field.into(), "err-choice".into()));
        default
    })
}

fn parse_next(v: &str, errs: &mut Vec<(String, String)>) -> Option<NaiveDate> {
    if v.trim().is_empty() {
        return None;
    }
    super::base::date("next_contact_on", v, domain::time::DateSpan::Planned, errs)
}

/// Opens a case for a woman of the case worker's lab, assigned to the case worker herself.
pub async fn open_case(
    store: &Store,
    actor: &Actor,
    keys: &Keyring,
    input: &CaseInput,
) -> AppResult<CaseId> {
    let _ = keys; // nothing is opened without a key: notes could not follow
    let (Some(user), true) = (actor.user_id, actor.holds(domain::LabRole::CaseWorker)) else {
        return Err(AppError::NotFound);
    };
    let mut errs = vec![];
    let person: Option<PersonId> = input.person_id.trim().parse().ok();
    if person.is_none() {
        errs.push(("person_id".into(), "err-choice".into()));
    }
    let reason = parse_choice(
        "reason",
        &input.reason,
        CaseReason::Other,
        CaseReason::parse,
        &mut errs,
    );
    let urgency = parse_choice(
        "urgency",
        &input.urgency,
        Urgency::Medium,
        Urgency::parse,
        &mut errs,
    );
    let next = parse_next(&input.next_contact_on, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let person = store::people::get_scoped(
        &mut tx,
        &actor.scope_for(Action::CaseWork),
        person.expect("checked"),
    )
    .await?
    .filter(|p| actor.allows(Action::CaseWork(p.lab_id)))
    .ok_or(AppError::NotFound)?;
    let id = st::insert_case(
        &mut tx,
        &st::NewCase {
            person_id: person.id,
            lab_id: person.lab_id,
            case_worker_id: user,
            reason,
            urgency,
            next_contact_on: next,
            shared_with_coordinator: input.shared_with_coordinator,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "support_case.open",
            "support_case",
            id,
            Some(person.lab_id),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A note as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NoteInput {
    pub text: String,
    /// Show this note to the woman herself.
    #[serde(deserialize_with = "checkbox")]
    pub shared_with_resident: bool,
}

/// Adds a sealed note (the assigned case worker only).
pub async fn add_note(
    store: &Store,
    actor: &Actor,
    keys: &Keyring,
    id: CaseId,
    input: &NoteInput,
) -> AppResult<CaseNoteId> {
    let mut tx = store.begin().await?;
    let (case, role) = case_for(&mut tx, actor, id, true).await?;
    let text = input.text.trim();
    let wrong = if text.is_empty() {
        Some("err-required")
    } else {
        (text.chars().count() > sup::MAX_NOTE).then_some("err-too-long")
    };
    if let Some(key) = wrong {
        return Err(AppError::Invalid(vec![("text".into(), key.into())]));
    }
    let note = CaseNoteId::new();
    let (sealed, key_id) = keys
        .seal(text, &sup::note_aad(case.id, note))
        .map_err(sealing)?;
    st::insert_note(
        &mut tx,
        note,
        case.id,
        actor.user_id.expect("signed in"),
        &sealed,
        &key_id,
        input.shared_with_resident,
    )
    .await?;
    audit::record(&mut tx, read_entry(actor, "support_case.note", &case, role)).await?;
    tx.commit().await?;
    Ok(note)
}

#[derive(Debug, Clone)]
pub struct NoteView {
    pub id: CaseNoteId,
    pub author: String,
    /// `None` when the note does not open (a key missing, or the stored value altered).
    pub text: Option<String>,
    pub shared_with_resident: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ReferralView {
    pub id: ReferralId,
    pub service: String,
    pub kind: ServiceKind,
    pub consent_recorded: bool,
    /// Shown to the case worker only.
    pub override_reason: Option<String>,
    pub by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct AccessView {
    pub at: DateTime<Utc>,
    /// The reader's display name (never an id).
    pub who: String,
    /// The audit action without its prefix: `read`, `note`, `open`, ...
    pub action: String,
}

#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: Case,
    pub role: Reader,
    pub notes: Vec<NoteView>,
    pub referrals: Vec<ReferralView>,
    pub log: Vec<AccessView>,
}

async fn view(
    tx: &mut store::AnyConn,
    actor: &Actor,
    keys: &Keyring,
    case: Case,
    role: Reader,
    with_log: bool,
) -> AppResult<CaseView> {
    let sealed = st::notes(tx, case.id, role == Reader::Resident).await?;
    let notes = sealed
        .into_iter()
        .map(|n| {
            let text = match keys.open(&n.ciphertext, &sup::note_aad(case.id, n.id)) {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::warn!(note = %n.id, error = %e, "a case note does not open");
                    None
                }
            };
            NoteView {
                id: n.id,
                author: n.author_name,
                text,
                shared_with_resident: n.shared_with_resident,
                created_at: n.created_at,
            }
        })
        .collect();
    let referrals = st::referrals(tx, case.id)
        .await?
        .into_iter()
        .map(|r| ReferralView {
            override_reason: match (&r.override_reason, role) {
                (Some(s), Reader::CaseWorker) => Some(
                    keys.open(s, &sup::referral_aad(case.id, r.id))
                        .unwrap_or_else(|_| "…".into()),
                ),
                _ => None,
            },
            id: r.id,
            service: r.service_name,
            kind: r.service_kind,
            consent_recorded: r.consent_recorded,
            by: r.created_by_name,
            created_at: r.created_at,
        })
        .collect();
    audit::record(tx, read_entry(actor, "support_case.read", &case, role)).await?;
    let log = if with_log {
        log_of(tx, case.id).await?
    } else {
        vec![]
    };
    Ok(CaseView {
        case,
        role,
        notes,
        referrals,
        log,
    })
}

async fn log_of(tx: &mut store::AnyConn, case: CaseId) -> AppResult<Vec<AccessView>> {
    Ok(st::access_log(tx, case, 200)
        .await?
        .into_iter()
        .map(|a| AccessView {
            at: a.at,
            who: a.actor_name.unwrap_or_else(|| "—".into()),
            action: a
                .action
                .strip_prefix("support_case.")
                .unwrap_or(&a.action)
                .to_string(),
        })
        .collect())
}

/// Reads a case for its case worker or for the woman herself, writing the audit row of the read
/// in the same transaction.
pub async fn read_case(
    store: &Store,
    actor: &Actor,
    keys: &Keyring,
    id: CaseId,
    with_log: bool,
) -> AppResult<CaseView> {
    let mut tx = store.begin().await?;
    let (case, role) = case_for(&mut tx, actor, id, false).await?;
    let v = view(&mut tx, actor, keys, case, role, with_log).await?;
    tx.commit().await?;
    Ok(v)
}

/// A case for the API, which serves its case worker only. The woman reads her case on her own
/// pages; her read here is audited as hers (which is true) and answered 404.
pub async fn worker_case(
    store: &Store,
    actor: &Actor,
    keys: &Keyring,
    id: CaseId,
) -> AppResult<CaseView> {
    let v = read_case(store, actor, keys, id, false).await?;
    if v.role != Reader::CaseWorker {
        return Err(AppError::NotFound);
    }
    Ok(v)
}

/// The case page: the case with its access log and, for its case worker, the directory of
/// services to refer to.
pub async fn case_page(
    store: &Store,
    actor: &Actor,
    keys: &Keyring,
    id: CaseId,
) -> AppResult<(CaseView, Vec<st::Service>)> {
    let v = read_case(store, actor, keys, id, true).await?;
    let services = if v.role == Reader::CaseWorker {
        services(store, actor, None).await?
    } else {
        vec![]
    };
    Ok((v, services))
}

/// Who did what with a case, newest first (the case worker and the woman herself); the read of
/// the log is itself logged.
pub async fn access_log(store: &Store, actor: &Actor, id: CaseId) -> AppResult<Vec<AccessView>> {
    let mut tx = store.begin().await?;
    let (case, role) = case_for(&mut tx, actor, id, false).await?;
    audit::record(
        &mut tx,
        read_entry(actor, "support_case.read-log", &case, role),
    )
    .await?;
    let log = log_of(&mut tx, case.id).await?;
    tx.commit().await?;
    Ok(log)
}

/// A case worker's own cases, most urgent first. Seeing a case in the list is a read too.
pub async fn my_cases(store: &Store, actor: &Actor) -> AppResult<Vec<Case>> {
    let Some(user) = actor.user_id else {
        return Err(AppError::SignIn);
    };
    if !actor.holds(domain::LabRole::CaseWorker) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let cases: Vec<Case> = st::cases_of_worker(&mut tx, user)
        .await?
        .into_iter()
        .filter(|c| actor.allows(Action::CaseWork(c.lab_id)))
        .collect();
    for c in &cases {
        audit::record(
            &mut tx,
            read_entry(actor, "support_case.list", c, Reader::CaseWorker),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(cases)
}

/// A woman's own cases with the notes shared with her and the access log of each.
pub async fn resident_cases(
    store: &Store,
    actor: &Actor,
    keys: &Keyring,
) -> AppResult<Vec<CaseView>> {
    let Some(person) = actor.person_id.filter(|_| actor.is_signed_in()) else {
        return Err(AppError::NotFound);
    };
    let mut tx = store.begin().await?;
    let mut out = vec![];
    for case in st::cases_of_person(&mut tx, person).await? {
        out.push(view(&mut tx, actor, keys, case, Reader::Resident, true).await?);
    }
    tx.commit().await?;
    Ok(out)
}

/// For a coordinator of the woman's lab: whether she has a case she agreed the coordinator may
/// know of. Nothing else about it. Anybody else (the admin too) gets 404.
pub async fn coordinator_knows(store: &Store, actor: &Actor, person: PersonId) -> AppResult<bool> {
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &actor.people_scope(), person)
        .await?
        .filter(|p| actor.has(p.lab_id, LabRole::Coordinator))
        .ok_or(AppError::NotFound)?;
    let shared = st::shared_case_exists(&mut tx, person, p.lab_id).await?;
    if let Some(case) = shared {
        audit::record(
            &mut tx,
            entry(
                actor,
                "support_case.exists-seen",
                "support_case",
                case,
                Some(p.lab_id),
            )
            .with_detail("coordinator"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(shared.is_some())
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct UpdateInput {
    pub status: String,
    pub urgency: String,
    pub next_contact_on: String,
}

pub async fn update_case(
    store: &Store,
    actor: &Actor,
    id: CaseId,
    input: &UpdateInput,
) -> AppResult<()> {
    let mut tx = store.begin().await?;
    let (case, role) = case_for(&mut tx, actor, id, true).await?;
    let mut errs = vec![];
    let status = parse_choice(
        "status",
        &input.status,
        case.status,
        CaseStatus::parse,
        &mut errs,
    );
    let urgency = parse_choice(
        "urgency",
        &input.urgency,
        case.urgency,
        Urgency::parse,
        &mut errs,
    );
    let next = parse_next(&input.next_contact_on, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    st::update_case(&mut tx, case.id, urgency, status, next).await?;
    audit::record(
        &mut tx,
        read_entry(actor, "support_case.update", &case, role),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records whether the coordinator may know that the case exists: the woman decides, or her case
/// worker records what she said.
pub async fn set_shared(store: &Store, actor: &Actor, id: CaseId, on: bool) -> AppResult<()> {
    let mut tx = store.begin().await?;
    let (case, role) = case_for(&mut tx, actor, id, false).await?;
    st::set_shared_with_coordinator(&mut tx, case.id, on).await?;
    let mut e = read_entry(actor, "support_case.share", &case, role);
    e.detail = format!("{}:{}", role.code(), if on { "on" } else { "off" });
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ReferInput {
    pub service_id: String,
    /// She agreed to the referral (recorded by the case worker).
    #[serde(deserialize_with = "checkbox")]
    pub consent: bool,
    /// Why the referral goes ahead without her consent (e.g. danger to life); sealed.
    pub override_reason: String,
}

/// Refers the woman to an outside service. Needs her recorded consent, or else a reason for the
/// override; either way the referral is audited.
pub async fn refer(
    store: &Store,
    actor: &Actor,
    keys: &Keyring,
    id: CaseId,
    input: &ReferInput,
) -> AppResult<ReferralId> {
    let mut tx = store.begin().await?;
    let (case, role) = case_for(&mut tx, actor, id, true).await?;
    let mut errs: Vec<(String, String)> = vec![];
    let service = match input.service_id.trim().parse::<ServiceId>() {
        Ok(s) => st::service(&mut tx, s).await?,
        Err(_) => None,
    };
    if service.is_none() {
        errs.push(("service_id".into(), "err-choice".into()));
    }
    let reason = input.override_reason.trim();
    if !input.consent && reason.is_empty() {
        errs.push(("consent".into(), "referral-consent-required".into()));
    }
    if reason.chars().count() > 2000 {
        errs.push(("override_reason".into(), "err-too-long".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let rid = ReferralId::new();
    let sealed = if input.consent || reason.is_empty() {
        None
    } else {
        Some(
            keys.seal(reason, &sup::referral_aad(case.id, rid))
                .map_err(sealing)?,
        )
    };
    st::insert_referral(
        &mut tx,
        rid,
        case.id,
        service.expect("checked").id,
        input.consent,
        sealed.as_ref().map(|(s, k)| (s.as_str(), k.as_str())),
        actor.user_id.expect("signed in"),
    )
    .await?;
    let mut e = read_entry(actor, "support_case.refer", &case, role);
    e.detail = if input.consent { "consent" } else { "override" }.into();
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(rid)
}

/// The directory of outside services: anyone signed in may read it (crisis lines are no secret).
pub async fn services(
    store: &Store,
    actor: &Actor,
    region: Option<&str>,
) -> AppResult<Vec<st::Service>> {
    if !actor.is_signed_in() {
        return Err(AppError::SignIn);
    }
    let mut c = store.conn().await?;
    Ok(st::services(&mut c, region.filter(|r| !r.is_empty())).await?)
}

/// Who may add to the directory: case workers of any lab, and the network admin.
pub fn may_manage_services(actor: &Actor) -> bool {
    actor.is_signed_in() && (actor.admin || actor.holds(domain::LabRole::CaseWorker))
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ServiceInput {
    pub region: String,
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
}

pub async fn add_service(
    store: &Store,
    actor: &Actor,
    input: &ServiceInput,
) -> AppResult<ServiceId> {
    if !may_manage_services(actor) {
        return Err(AppError::NotFound);
    }
    let mut errs = vec![];
    if !domain::REGIONS.contains(&input.region.as_str()) {
        errs.push(("region".into(), "err-choice".into()));
    }
    let kind = ServiceKind::parse(&input.kind);
    if kind.is_none() {
        errs.push(("kind".into(), "err-choice".into()));
    }
    let name = limit("name", &input.name, 200, &mut errs);
    if name.is_empty() {
        errs.push(("name".into(), "err-required".into()));
    }
    let phone = limit("phone", &input.phone, 40, &mut errs);
    let address = limit("address", &input.address, 300, &mut errs);
    let notes = names::clean(&input.notes);
    if notes.chars().count() > 1000 {
        errs.push(("notes".into(), "err-too-long".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = st::insert_service(
        &mut tx,
        &st::NewService {
            region: input.region.clone(),
            kind: kind.expect("checked"),
            name,
            phone,
            address,
            notes,
        },
        actor.user_id,
    )
    .await?;
    audit::record(
        &mut tx,
        entry(actor, "support_service.create", "support_service", id, None),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// What a rotation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rotation {
    pub notes: usize,
    pub referrals: usize,
    pub already_current: usize,
}

/// Re-seals every note and override reason with the current key, in one transaction. A value
/// that does not open stops the rotation and changes nothing.
pub async fn rotate(store: &Store, keys: &Keyring) -> anyhow::Result<Rotation> {
    let mut tx = store.begin().await?;
    let mut r = Rotation::default();
    for v in st::all_sealed(&mut tx).await? {
        if keys.is_current(&v.ciphertext) {
            r.already_current += 1;
            continue;
        }
        let aad = if v.kind == "note" {
            sup::note_aad(v.case_id, v.id.parse()?)
        } else {
            sup::referral_aad(v.case_id, v.id.parse()?)
        };
        let plain = keys
            .open(&v.ciphertext, &aad)
            .map_err(|e| anyhow::anyhow!("{} {}: {e}", v.kind, v.id))?;
        let (sealed, key_id) = keys.seal(&plain, &aad)?;
        st::reseal(&mut tx, &v, &sealed, &key_id).await?;
        if v.kind == "note" {
            r.notes += 1;
        } else {
            r.referrals += 1;
        }
    }
    // Nothing may stay sealed under an old key (a note written meanwhile by a server that still
    // runs with the old key first): refuse, so nobody removes a key that is still needed.
    let left = st::all_sealed(&mut tx)
        .await?
        .iter()
        .filter(|v| !keys.is_current(&v.ciphertext))
        .count();
    if left > 0 {
        anyhow::bail!(
            "{left} values are still sealed with an old key; restart the server with the new key first, then rotate again"
        );
    }
    audit::record(
        &mut tx,
        audit::Entry {
            actor: None,
            action: "support.rotate-key",
            entity: "support_key",
            entity_id: Some(keys.current_id().to_string()),
            lab: None,
            detail: format!("notes:{} referrals:{}", r.notes, r.referrals),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}
