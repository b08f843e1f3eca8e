//! Her data, her rights (Kyrgyz law "On personal information"): what is kept about a woman, as
//! JSON or a PDF in her language, for a coordinator of her lab or for herself; her record shown
//! minimal once she withdrew her consent, with a prompt to erase it; erasure (confirmed, with a
//! reason code, audited without her name); and the retention rule run by a periodic task.
use super::base::{allow, entry, invalid};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use chrono::Utc;
use domain::{Action, Actor, LabId, LabRole, PersonId};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::time::Duration;
use store::people::Person;
use store::{Store, audit};

/// The labs where the actor is a coordinator: where a woman who withdrew her consent is still
/// shown (minimal), and where she may be erased.
pub fn coordinated_labs(actor: &Actor) -> Vec<LabId> {
    actor
        .grants
        .iter()
        .filter(|(_, r)| *r == LabRole::Coordinator)
        .map(|(l, _)| *l)
        .collect()
}

/// She may be erased and read out in full by the coordinators of her lab (and the network admin).
fn may_manage(actor: &Actor, lab: LabId) -> bool {
    actor.has(lab, LabRole::Coordinator) || actor.allows(Action::ManageNetwork)
}

/// Where her record stands, for her page.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// Every consent she gave is withdrawn: the page shows a minimal record.
    pub withdrawn: bool,
    pub erased: bool,
    /// The caller may export and erase her record.
    pub manage: bool,
}

impl Status {
    /// Only her name, lab and consents are shown (and the prompt to erase).
    pub fn minimal(&self) -> bool {
        self.withdrawn || self.erased
    }
}

pub async fn status(store: &Store, actor: &Actor, p: &Person) -> AppResult<Status> {
    let mut c = store.conn().await?;
    Ok(Status {
        withdrawn: store::rights::consent_withdrawn(&mut c, p.id).await?,
        erased: store::rights::is_erased(&mut c, store::rights::PERSON, &p.id.to_string()).await?,
        manage: may_manage(actor, p.lab_id),
    })
}

/// Everything kept about her: the sections (JSON), her name and the language she reads.
pub struct Export {
    pub person: PersonId,
    pub name: String,
    pub lang: Lang,
    pub data: Map<String, Value>,
}

async fn export_of(
    store: &Store,
    actor: &Actor,
    person: Person,
    own: bool,
    fallback: Lang,
) -> AppResult<Export> {
    let mut tx = store.begin().await?;
    let data = store::rights::export(&mut tx, person.id, own)
        .await?
        .ok_or(AppError::NotFound)?;
    // A sensitive read: who read it, whose, never what.
    audit::record(
        &mut tx,
        entry(
            actor,
            "person.export",
            "person",
            person.id,
            Some(person.lab_id),
        ),
    )
    .await?;
    tx.commit().await?;
    let lang = data
        .get("consents")
        .and_then(Value::as_array)
        .and_then(|c| c.last())
        .and_then(|c| c["language"].as_str())
        .and_then(Lang::parse)
        .unwrap_or(fallback);
    Ok(Export {
        person: person.id,
        name: person.full_name(),
        lang,
        data,
    })
}

/// A coordinator of her lab (or the admin) reads out everything kept about her; anyone else 404.
pub async fn export(
    store: &Store,
    actor: &Actor,
    id: PersonId,
    fallback: Lang,
) -> AppResult<Export> {
    let mut c = store.conn().await?;
    let p = store::people::get_scoped(&mut c, &actor.people_scope(), id)
        .await?
        .filter(|p| may_manage(actor, p.lab_id))
        .ok_or(AppError::NotFound)?;
    drop(c);
    export_of(store, actor, p, false, fallback).await
}

/// She reads out everything kept about her (signed in, her own account).
pub async fn own_export(store: &Store, actor: &Actor, fallback: Lang) -> AppResult<Export> {
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    allow(actor, Action::OwnProfile(me))?;
    let mut c = store.conn().await?;
    let p = store::people::get_scoped(&mut c, &domain::LabScope::All, me)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    export_of(store, actor, p, true, fallback).await
}

/// The export as one JSON document.
pub fn export_json(e: &Export) -> Value {
    let mut m = e.data.clone();
    m.insert("exported_at".into(), Value::String(Utc::now().to_rfc3339()));
    Value::Object(m)
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The export as a readable PDF in her language: a section per kind of record, each field by its
/// translated name where there is one.
pub fn export_pdf(e: &Export) -> Vec<u8> {
    let l = e.lang;
    let label = |k: &str| {
        let key = format!("rights-field-{k}");
        if l.has(&key) {
            l.t(&key)
        } else {
            k.replace('_', " ")
        }
    };
    let mut sections = vec![];
    for name in store::rights::SECTIONS {
        let Some(v) = e.data.get(*name) else { continue };
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        let entries = items
            .into_iter()
            .map(|item| match item {
                Value::Object(o) => o.iter().map(|(k, v)| (label(k), plain(v))).collect(),
                other => vec![(String::new(), plain(other))],
            })
            .collect();
        sections.push(documents::record::Section {
            title: l.t(&format!("rights-section-{}", name.replace('_', "-"))),
            entries,
        });
    }
    documents::record::record_pdf(&documents::record::Record {
        heading: l.t("rights-export-heading"),
        intro: vec![
            e.name.clone(),
            format!(
                "{}: {}",
                l.t("rights-export-made"),
                Utc::now()
                    .with_timezone(&domain::time::bishkek())
                    .format("%d.%m.%Y %H:%M")
            ),
        ],
        empty: l.t("rights-export-empty"),
        sections,
    })
}

/// The reasons an erasure may give (codes: the list and the audit log keep no free text).
pub const REASONS: &[&str] = &["her-request", "consent-withdrawn", "duplicate", "retention"];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EraseInput {
    pub reason: String,
    /// "on" when the coordinator ticked "I understand this cannot be undone".
    pub confirm: String,
}

/// Her name and lab, for the confirmation page; only for those who may erase her.
pub async fn erase_view(store: &Store, actor: &Actor, id: PersonId) -> AppResult<Person> {
    let mut c = store.conn().await?;
    store::people::get_scoped(&mut c, &actor.people_scope(), id)
        .await?
        .filter(|p| may_manage(actor, p.lab_id))
        .ok_or(AppError::NotFound)
}

/// Erases her identity and free text everywhere (see `store::rights::erase_person`), keeping the
/// anonymous facts the indicators count. Audited with her id and the reason code, never her name.
pub async fn erase(
    store: &Store,
    actor: &Actor,
    id: PersonId,
    input: &EraseInput,
) -> AppResult<LabId> {
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &actor.people_scope(), id)
        .await?
        .filter(|p| may_manage(actor, p.lab_id))
        .ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    if !REASONS.contains(&input.reason.as_str()) {
        errors.push(("reason".to_string(), "err-choice".to_string()));
    }
    if input.confirm != "on" {
        errors.push(("confirm".to_string(), "rights-err-confirm".to_string()));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if store::rights::is_erased(&mut tx, store::rights::PERSON, &id.to_string()).await? {
        return Err(invalid("reason", "rights-err-erased"));
    }
    store::rights::erase_person(&mut tx, id, &input.reason).await?;
    audit::record(
        &mut tx,
        entry(actor, "person.erase", "person", id, Some(p.lab_id)).with_detail(&input.reason),
    )
    .await?;
    tx.commit().await?;
    Ok(p.lab_id)
}

/// Re-applies the list of erasures (after restoring a backup; at every start). Logs what it did.
pub async fn reapply_erasures(store: &Store) -> AppResult<usize> {
    let mut tx = store.begin().await?;
    let n = store::rights::reapply_erasures(&mut tx).await?;
    tx.commit().await?;
    if n > 0 {
        tracing::info!(erasures = n, "erasures re-applied");
    } else {
        tracing::info!("no erasures to re-apply");
    }
    Ok(n)
}

/// One pass of the retention rule: women whose applications were all declined more than
/// `days` ago (and who took part in nothing), and registrations never linked to a person for
/// events that ended more than `days` ago, are erased. Answers (women, registrations) erased.
pub async fn retention_run_once(store: &Store, days: i64) -> AppResult<(usize, usize)> {
    let cutoff = Utc::now() - chrono::Duration::days(days.max(1));
    let mut tx = store.begin().await?;
    let (people, registrations) = store::rights::retention_due(&mut tx, cutoff).await?;
    for p in &people {
        store::rights::erase_person(&mut tx, *p, "retention").await?;
        audit::record(
            &mut tx,
            audit::Entry {
                actor: None,
                action: "person.erase",
                entity: "person",
                entity_id: Some(p.to_string()),
                lab: None,
                detail: "retention".into(),
            },
        )
        .await?;
    }
    for r in &registrations {
        store::rights::erase_registration(&mut tx, r, "retention").await?;
    }
    if !registrations.is_empty() {
        audit::record(
            &mut tx,
            audit::Entry {
                actor: None,
                action: "registration.erase",
                entity: "registration",
                entity_id: None,
                lab: None,
                detail: format!("retention:{}", registrations.len()),
            },
        )
        .await?;
    }
    tx.commit().await?;
    if !people.is_empty() || !registrations.is_empty() {
        tracing::info!(
            people = people.len(),
            registrations = registrations.len(),
            "retention: old records erased"
        );
    }
    Ok((people.len(), registrations.len()))
}

/// The retention task: a few minutes after start (not in the middle of a start's own work), then
/// every `every`.
pub fn spawn_retention(store: Store, days: i64, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(300).min(every)).await;
        loop {
            if let Err(e) = retention_run_once(&store, days).await {
                tracing::error!(error = %e, "retention pass failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}
