//! The package (see `domain::package`): exporting a lab's know-how, importing a package into a
//! lab with a preview (all or nothing, one transaction, one audit row), and the network library
//! of stored versions. Access: the network admin, or a coordinator of the lab
//! (`Action::ManagePackage`); anyone else, including another lab's coordinator, gets 404.
//!
//! An item's "local form" is the item as the lab has it now, written as a package item; its
//! hash compared with the hash remembered at the last import tells a local edit from an
//! untouched item.
use super::base::{allow, commit_with, signed_in};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use domain::package::{
    self as pkg, CriterionItem, GrantCallItem, ModuleItem, ModuleTemplate, Package, Planned,
    ProgrammeItem, Step, SurveyItem, TargetItem, TextItem,
};
use domain::surveys::{Labels, WaveKind};
use domain::{Action, Actor, CompletionRule, LabId, Topic, UserId};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use store::labs::Lab;
use store::{AnyConn, Store};

/// The network's name as packages carry it.
pub const NETWORK: &str = "Women Creative Labs";

/// A lab the actor may export from and import into, by slug; otherwise 404.
pub async fn lab_for(store: &Store, actor: &Actor, slug: &str) -> AppResult<Lab> {
    signed_in(actor)?;
    let lab = super::labs::lab_by_slug(store, slug).await?;
    allow(actor, Action::ManagePackage(lab.id))?;
    Ok(lab)
}

/// The package name of a lab's exports.
pub fn package_name(lab: &Lab) -> String {
    format!("{}-lab", lab.slug)
}

fn labels(key: &str) -> Labels {
    Labels::new(&Lang::Ky.t(key), &Lang::Ru.t(key), &Lang::En.t(key))
}

/// One item as the lab has it, with the record it was made from.
struct LocalItem {
    part: &'static str,
    code: String,
    entity: Option<String>,
    value: serde_json::Value,
    in_use: bool,
}

/// Codes of a lab's items: remembered ones, else new ones unique within their part.
struct Codes {
    by_entity: HashMap<(String, String), String>,
    used: HashSet<(&'static str, String)>,
}

impl Codes {
    fn code(&mut self, part: &'static str, entity: &str, wanted: String) -> String {
        if let Some(c) = self.by_entity.get(&(part.to_string(), entity.to_string())) {
            return c.clone();
        }
        let mut code = wanted.clone();
        let mut n = 2;
        while self.used.contains(&(part, code.clone())) {
            code = format!("{wanted}-{n}");
            n += 1;
        }
        self.used.insert((part, code.clone()));
        code
    }
}

/// Everything the lab has, in package form, with codes: remembered ones first, else made
/// from titles (unique within the part).
async fn local_items(c: &mut AnyConn, lab: &Lab) -> AppResult<Vec<LocalItem>> {
    let remembered = store::package::items_of(c, lab.id).await?;
    let by_entity: HashMap<(String, String), String> = remembered
        .iter()
        .filter_map(|r| {
            r.entity_id
                .clone()
                .map(|e| ((r.part.clone(), e), r.code.clone()))
        })
        .collect();
    let texts: HashMap<(String, String), String> = remembered
        .iter()
        .filter(|r| r.entity_id.is_none() && !r.content.is_empty())
        .map(|r| ((r.part.clone(), r.code.clone()), r.content.clone()))
        .collect();
    let used: HashSet<(&'static str, String)> = remembered
        .iter()
        .filter_map(|r| {
            pkg::PARTS
                .iter()
                .find(|p| **p == r.part)
                .map(|p| (*p, r.code.clone()))
        })
        .collect();
    let mut codes = Codes { by_entity, used };
    let mut out = vec![];

    // Programmes, oldest first (the order they were built in).
    let mut programmes = store::training::programmes(c, lab.id).await?;
    programmes.reverse();
    for p in programmes {
        let modules = store::training::modules(c, p.id).await?;
        let code = codes.code("programmes", &p.id.to_string(), pkg::code_from(&p.title));
        let item = ProgrammeItem {
            code: code.clone(),
            title: p.title.clone(),
            description: p.description.clone(),
            min_attendance_pct: p.rule.min_attendance_pct,
            final_module_required: p.rule.final_module_required,
            modules: modules
                .iter()
                .map(|m| ModuleItem {
                    topic: m.topic.code().into(),
                    title: m.title.clone(),
                    is_final: m.is_final,
                })
                .collect(),
        };
        out.push(LocalItem {
            part: "programmes",
            code,
            entity: Some(p.id.to_string()),
            value: value(&item),
            in_use: false,
        });
    }

    // The module library: this network's translated modules, or what an import brought.
    for t in Topic::ALL {
        let item = ModuleTemplate {
            code: t.code().into(),
            title: labels(&format!("topic-{}", t.code())),
            description: Labels::default(),
            sessions: t.default_sessions(),
        };
        out.push(text_item("module_library", t.code(), &texts, value(&item)));
    }

    // Survey instruments the lab uses (its own before the network's of the same code).
    let mut instruments = store::surveys::instruments(c, Some(lab.id)).await?;
    instruments.sort_by_key(|i| (i.lab_id.is_none(), i.created_at));
    let mut seen = HashSet::new();
    for s in instruments {
        if !seen.insert(s.code.clone()) {
            continue;
        }
        let Some(full) = store::surveys::instrument(c, s.id).await? else {
            continue;
        };
        let item = survey_form(&full);
        codes.used.insert(("surveys", s.code.clone()));
        out.push(LocalItem {
            part: "surveys",
            code: s.code.clone(),
            entity: Some(s.id.to_string()),
            value: value(&item),
            in_use: s.lab_id.is_none() || s.responses > 0,
        });
    }

    // The lab's own grant calls, as templates.
    let calls = store::grants::calls(c, store::grants::Calls::OfLab(lab.id)).await?;
    for k in calls.into_iter().filter(|k| k.lab_id == Some(lab.id)).rev() {
        let criteria = store::grants::criteria(c, k.id).await?;
        let code = codes.code("grant_calls", &k.id.to_string(), pkg::code_from(&k.title));
        let item = GrantCallItem {
            code: code.clone(),
            title: k.title.clone(),
            description: k.description.clone(),
            budget: k.budget,
            min_award: k.min_award,
            max_award: k.max_award,
            duration_days: (k.closes_on - k.opens_on).num_days().clamp(1, 366),
            criteria: criteria
                .iter()
                .map(|x| CriterionItem {
                    name: Labels::new(&x.spec.name_ky, &x.spec.name_ru, &x.spec.name_en),
                    guidance: Labels::new(
                        &x.spec.guidance_ky,
                        &x.spec.guidance_ru,
                        &x.spec.guidance_en,
                    ),
                    weight: x.spec.weight,
                    max_points: x.spec.max_points,
                })
                .collect(),
        };
        out.push(LocalItem {
            part: "grant_calls",
            code,
            entity: Some(k.id.to_string()),
            value: value(&item),
            in_use: k.status != domain::grants::CallStatus::Draft,
        });
    }

    // Consent and certificate texts of this network (or as an import brought them).
    for (part, code, key, version) in [
        (
            "consent_texts",
            "consent",
            "consent-text",
            domain::CONSENT_VERSION,
        ),
        (
            "consent_texts",
            "event-consent",
            "register-consent",
            domain::CONSENT_VERSION,
        ),
        (
            "certificate_texts",
            "certificate-heading",
            "certificate-heading",
            "1",
        ),
        (
            "certificate_texts",
            "certificate-body",
            "certificate-body",
            "1",
        ),
    ] {
        let item = TextItem {
            code: code.into(),
            version: version.into(),
            text: labels(key),
        };
        out.push(text_item(part, code, &texts, value(&item)));
    }

    // The lab's targets as a template: an indicator, how many months, how much.
    let mut targets = store::impact::targets(c, Some(lab.id)).await?;
    targets.sort_by_key(|t| (t.starts_on, t.indicator.clone()));
    let mut per_indicator: HashMap<String, usize> = HashMap::new();
    for t in targets {
        let n = per_indicator.entry(t.indicator.clone()).or_default();
        *n += 1;
        let code = codes.code(
            "targets",
            &t.id.to_string(),
            format!("{}-{}", t.indicator, n),
        );
        let item = TargetItem {
            code: code.clone(),
            indicator: t.indicator.clone(),
            months: pkg::months_between(t.starts_on, t.ends_on),
            target: t.target,
        };
        out.push(LocalItem {
            part: "targets",
            code,
            entity: Some(t.id.to_string()),
            value: value(&item),
            in_use: false,
        });
    }
    Ok(out)
}

fn value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// The hash of an item held as JSON, over its typed form (fields in the order the package
/// writes them, whatever order the JSON map keeps).
fn typed_hash(part: &str, v: &serde_json::Value) -> String {
    fn h<T: serde::de::DeserializeOwned + Serialize>(v: &serde_json::Value) -> String {
        match serde_json::from_value::<T>(v.clone()) {
            Ok(t) => pkg::hash_of(&t),
            Err(_) => pkg::hash_of(v),
        }
    }
    match part {
        "programmes" => h::<ProgrammeItem>(v),
        "module_library" => h::<ModuleTemplate>(v),
        "surveys" => h::<SurveyItem>(v),
        "grant_calls" => h::<GrantCallItem>(v),
        "consent_texts" | "certificate_texts" => h::<TextItem>(v),
        "targets" => h::<TargetItem>(v),
        _ => pkg::hash_of(v),
    }
}

fn text_item(
    part: &'static str,
    code: &str,
    texts: &HashMap<(String, String), String>,
    own: serde_json::Value,
) -> LocalItem {
    let value = texts
        .get(&(part.to_string(), code.to_string()))
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(own);
    LocalItem {
        part,
        code: code.into(),
        entity: None,
        value,
        in_use: false,
    }
}

fn survey_form(i: &store::surveys::Instrument) -> SurveyItem {
    let mut scales = i.scales.clone();
    scales.sort_by(|a, b| a.code.cmp(&b.code));
    SurveyItem {
        code: i.summary.code.clone(),
        title: i.summary.title.clone(),
        waves: i.summary.waves.iter().map(|w| w.code().into()).collect(),
        version: i.summary.version.clone(),
        scales,
        questions: i.questions(),
    }
}

/// The package as it would be written: the local items gathered into their parts.
fn assemble(lab: &Lab, version: &str, items: &[LocalItem]) -> AppResult<Package> {
    fn part<T: serde::de::DeserializeOwned>(items: &[LocalItem], name: &str) -> AppResult<Vec<T>> {
        items
            .iter()
            .filter(|i| i.part == name)
            .map(|i| {
                serde_json::from_value(i.value.clone()).map_err(|e| AppError::Internal(e.into()))
            })
            .collect()
    }
    let p = Package::new(
        &package_name(lab),
        version,
        domain::time::today(),
        NETWORK,
        &lab.slug,
        part(items, "programmes")?,
        part(items, "module_library")?,
        part(items, "surveys")?,
        part(items, "grant_calls")?,
        part(items, "consent_texts")?,
        part(items, "certificate_texts")?,
        part(items, "targets")?,
    );
    p.check().map_err(|e| {
        AppError::Internal(anyhow::anyhow!("exported package fails its rules: {e}"))
    })?;
    Ok(p)
}

/// The version a new export gets: one more than the newest stored version of the lab's
/// package whose version is a whole number, else `1`.
async fn next_version(c: &mut AnyConn, name: &str) -> AppResult<String> {
    let n = store::package::versions(c)
        .await?
        .iter()
        .filter(|v| v.name == name)
        .filter_map(|v| v.version.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    Ok((n + 1).to_string())
}

/// Exports the lab's package (an audited read: the codes it gives items are remembered, so
/// that the next export and any import match the same items).
pub async fn export(
    store: &Store,
    actor: &Actor,
    slug: &str,
    version: Option<&str>,
) -> AppResult<Package> {
    let lab = lab_for(store, actor, slug).await?;
    export_lab(store, &lab, version, actor.user_id).await
}

/// [`export`] after the access check (the command line runs it as the operator).
pub async fn export_lab(
    store: &Store,
    lab: &Lab,
    version: Option<&str>,
    by: Option<UserId>,
) -> AppResult<Package> {
    if let Some(v) = version
        && !pkg::valid_code(v)
    {
        return Err(super::base::invalid("version", "err-package-version"));
    }
    let mut tx = store.begin().await?;
    let version = match version {
        Some(v) => v.to_string(),
        None => next_version(&mut tx, &package_name(lab)).await?,
    };
    let items = local_items(&mut tx, lab).await?;
    let known: HashSet<(String, String)> = store::package::items_of(&mut tx, lab.id)
        .await?
        .into_iter()
        .map(|r| (r.part, r.code))
        .collect();
    for i in items.iter().filter(|i| i.entity.is_some()) {
        if !known.contains(&(i.part.to_string(), i.code.clone())) {
            store::package::put_item(
                &mut tx,
                lab.id,
                i.part,
                &i.code,
                i.entity.clone(),
                &typed_hash(i.part, &i.value),
                "",
            )
            .await?;
        }
    }
    let p = assemble(lab, &version, &items)?;
    let e = entry_by(by, "package.export", lab.id);
    commit_with(tx, e, format!("{} {}", p.name, p.version)).await?;
    Ok(p)
}

/// What an import does (or did): the package, item by item, and the counts.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub name: String,
    pub version: String,
    pub source_lab: String,
    pub created_on: String,
    pub items: Vec<Planned>,
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Local edits kept and items in use left alone.
    pub kept: usize,
    /// Whether it was applied (false: a dry run).
    pub applied: bool,
    /// The version the lab last imported of this package, if any.
    pub previous: Option<String>,
}

impl Preview {
    fn count(&mut self) {
        let n = |s: &[Step]| self.items.iter().filter(|i| s.contains(&i.step)).count();
        self.created = n(&[Step::Create]);
        self.changed = n(&[Step::Change]);
        self.unchanged = n(&[Step::Unchanged]);
        self.kept = n(&[Step::KeepLocal, Step::KeepInUse]);
    }
}

/// A package's bytes, checked, or the reason it is refused (a message on the `file` field).
pub fn read(bytes: &[u8]) -> AppResult<Package> {
    let mut p = Package::parse(bytes).map_err(refused)?;
    normalise(&mut p);
    Ok(p)
}

fn refused(e: pkg::Refused) -> AppError {
    tracing::info!(reason = %e, "package refused");
    AppError::Invalid(vec![("file".into(), e.key.into())])
}

/// Writes items the way the store gives them back, so that an imported item reads back with
/// the hash it came with: scales by code, an empty skip condition as none.
fn normalise(p: &mut Package) {
    for s in &mut p.surveys {
        s.scales.sort_by(|a, b| a.code.cmp(&b.code));
        for q in &mut s.questions {
            if q.relevant.as_ref().is_some_and(|r| r.is_empty()) {
                q.relevant = None;
            }
        }
    }
}

/// Imports a package into a lab (`dry_run`: only the preview). With `overwrite`, items she
/// edited since the last import are replaced by the package's version.
pub async fn import(
    store: &Store,
    actor: &Actor,
    slug: &str,
    bytes: &[u8],
    dry_run: bool,
    overwrite: bool,
) -> AppResult<Preview> {
    let lab = lab_for(store, actor, slug).await?;
    let p = read(bytes)?;
    import_into(store, &lab, &p, dry_run, overwrite, actor.user_id).await
}

/// [`import`] after the access check and reading (the command line, the new-lab wizard).
pub async fn import_into(
    store: &Store,
    lab: &Lab,
    p: &Package,
    dry_run: bool,
    overwrite: bool,
    by: Option<UserId>,
) -> AppResult<Preview> {
    let mut tx = store.begin().await?;
    let items = local_items(&mut tx, lab).await?;
    let remembered: HashMap<(String, String), String> = store::package::items_of(&mut tx, lab.id)
        .await?
        .into_iter()
        .map(|r| ((r.part, r.code), r.imported_hash))
        .collect();
    let local: HashMap<(&'static str, String), pkg::Local> = items
        .iter()
        .map(|i| {
            let imported = remembered
                .get(&(i.part.to_string(), i.code.clone()))
                .cloned()
                // A text of this network nobody imported is as the network gives it.
                .or_else(|| i.entity.is_none().then(|| typed_hash(i.part, &i.value)));
            (
                (i.part, i.code.clone()),
                pkg::Local {
                    current: typed_hash(i.part, &i.value),
                    imported,
                    in_use: i.in_use,
                },
            )
        })
        .collect();
    let plan = pkg::plan(p, &local, overwrite);
    let previous = store::package::imports(&mut tx, Some(lab.id))
        .await?
        .into_iter()
        .find(|i| i.name == p.name)
        .map(|i| i.version);
    let mut preview = Preview {
        name: p.name.clone(),
        version: p.version.clone(),
        source_lab: p.source_lab.clone(),
        created_on: p.created_on.clone(),
        items: plan,
        created: 0,
        changed: 0,
        unchanged: 0,
        kept: 0,
        applied: !dry_run,
        previous,
    };
    preview.count();
    if dry_run {
        return Ok(preview);
    }
    let entity_of: HashMap<(&'static str, String), Option<String>> = items
        .iter()
        .map(|i| ((i.part, i.code.clone()), i.entity.clone()))
        .collect();
    let today = domain::time::today();
    let mut written = vec![];
    for it in &preview.items {
        let entity = entity_of
            .get(&(it.part, it.code.clone()))
            .cloned()
            .flatten();
        match it.step {
            Step::Create | Step::Change => {
                let made = apply(&mut tx, lab.id, p, it, entity.as_deref(), today, by).await?;
                written.push((it.part, it.code.clone(), made));
            }
            Step::Unchanged => {
                // Remember the match, so that a later edit is seen as hers.
                if remembered.get(&(it.part.to_string(), it.code.clone())) != Some(&it.hash) {
                    written.push((it.part, it.code.clone(), entity));
                }
            }
            Step::KeepLocal | Step::KeepInUse => {}
        }
    }
    // Remember each written item with its record, then (now that its code is known by its
    // record) the hash of what was written as it reads back: what the next import compares with.
    let incoming: HashMap<(&'static str, String), String> = p
        .items()
        .into_iter()
        .map(|i| ((i.part, i.code), i.hash))
        .collect();
    for (part, code, entity) in &written {
        let hash = incoming
            .get(&(*part, code.clone()))
            .cloned()
            .unwrap_or_default();
        let content = if entity.is_none() {
            text_content(p, part, code)
        } else {
            String::new()
        };
        store::package::put_item(&mut tx, lab.id, part, code, entity.clone(), &hash, &content)
            .await?;
    }
    let after: HashMap<(&'static str, String), LocalItem> = local_items(&mut tx, lab)
        .await?
        .into_iter()
        .map(|i| ((i.part, i.code.clone()), i))
        .collect();
    for (part, code, entity) in written {
        if let Some(l) = after.get(&(part, code.clone()))
            && entity.is_some()
        {
            let hash = typed_hash(part, &l.value);
            store::package::put_item(&mut tx, lab.id, part, &code, entity, &hash, "").await?;
        }
    }
    let counts = [
        preview.created as i64,
        preview.changed as i64,
        preview.unchanged as i64,
        preview.kept as i64,
    ];
    store::package::insert_import(
        &mut tx,
        &store::package::NewImport {
            lab: lab.id,
            name: &p.name,
            version: &p.version,
            sha256: &p.sha256(),
            counts,
        },
        by,
    )
    .await?;
    let e = entry_by(by, "package.import", lab.id);
    let detail = format!(
        "{} {}: {} created, {} changed, {} unchanged, {} kept",
        p.name, p.version, counts[0], counts[1], counts[2], counts[3]
    );
    commit_with(tx, e, detail).await?;
    Ok(preview)
}

/// The JSON of a text item of the package (kept for the lab: module library, consent and
/// certificate texts).
fn text_content(p: &Package, part: &str, code: &str) -> String {
    let v = match part {
        "module_library" => p
            .module_library
            .iter()
            .find(|x| x.code == code)
            .map(serde_json::to_string),
        "consent_texts" => p
            .consent_texts
            .iter()
            .find(|x| x.code == code)
            .map(serde_json::to_string),
        "certificate_texts" => p
            .certificate_texts
            .iter()
            .find(|x| x.code == code)
            .map(serde_json::to_string),
        _ => None,
    };
    v.and_then(Result::ok).unwrap_or_default()
}

fn bad_ref(what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("package item vanished: {what}"))
}

/// Creates or changes the lab's record of one item; the record's id.
async fn apply(
    c: &mut AnyConn,
    lab: LabId,
    p: &Package,
    it: &Planned,
    entity: Option<&str>,
    today: NaiveDate,
    by: Option<UserId>,
) -> AppResult<Option<String>> {
    let create = it.step == Step::Create;
    match it.part {
        "programmes" => {
            let x = p
                .programmes
                .iter()
                .find(|x| x.code == it.code)
                .ok_or_else(|| bad_ref(&it.code))?;
            let rule = CompletionRule {
                min_attendance_pct: x.min_attendance_pct,
                final_module_required: x.final_module_required,
            };
            let topic = |m: &ModuleItem| Topic::parse(&m.topic).unwrap_or(Topic::Custom);
            let id = match entity.and_then(|e| e.parse::<domain::ProgrammeId>().ok()) {
                Some(id) if !create => {
                    store::package::update_programme(c, id, &x.title, &x.description, rule).await?;
                    let have = store::training::modules(c, id).await?;
                    for (i, m) in x.modules.iter().enumerate() {
                        match have.get(i) {
                            Some(h) => {
                                store::package::update_module(
                                    c,
                                    h.id,
                                    topic(m),
                                    &m.title,
                                    m.is_final,
                                )
                                .await?
                            }
                            None => {
                                store::training::add_module(c, id, topic(m), &m.title, m.is_final)
                                    .await
                                    .map(|_| ())?
                            }
                        }
                    }
                    for h in have.iter().skip(x.modules.len()) {
                        store::package::delete_unused_module(c, h.id).await?;
                    }
                    id
                }
                _ => {
                    let id = store::training::insert_programme(
                        c,
                        &store::training::NewProgramme {
                            lab,
                            cohort: None,
                            title: &x.title,
                            description: &x.description,
                            rule,
                        },
                        by,
                    )
                    .await?;
                    for m in &x.modules {
                        store::training::add_module(c, id, topic(m), &m.title, m.is_final).await?;
                    }
                    id
                }
            };
            Ok(Some(id.to_string()))
        }
        "surveys" => {
            let x = p
                .surveys
                .iter()
                .find(|x| x.code == it.code)
                .ok_or_else(|| bad_ref(&it.code))?;
            let waves: Vec<WaveKind> = x.waves.iter().filter_map(|w| WaveKind::parse(w)).collect();
            match entity.and_then(|e| e.parse::<domain::InstrumentId>().ok()) {
                Some(id) if !create => {
                    store::package::replace_instrument(
                        c,
                        id,
                        &x.title,
                        &waves,
                        &x.version,
                        &x.scales,
                        &x.questions,
                    )
                    .await?;
                    Ok(Some(id.to_string()))
                }
                _ => {
                    let id = store::surveys::insert_instrument(
                        c,
                        Some(lab),
                        &store::surveys::InstrumentDraft {
                            code: &x.code,
                            title: &x.title,
                            waves: &waves,
                            source: "package",
                            version: &x.version,
                            warnings_json: "[]".into(),
                            questions: &x.questions,
                            scales: &x.scales,
                        },
                        by,
                    )
                    .await?;
                    Ok(Some(id.to_string()))
                }
            }
        }
        "grant_calls" => {
            let x = p
                .grant_calls
                .iter()
                .find(|x| x.code == it.code)
                .ok_or_else(|| bad_ref(&it.code))?;
            let existing = match entity.and_then(|e| e.parse::<domain::GrantCallId>().ok()) {
                Some(id) if !create => store::grants::get_call(c, id).await?,
                _ => None,
            };
            let opens_on = existing.as_ref().map(|k| k.opens_on).unwrap_or(today);
            let fields = store::grants::CallFields {
                title: x.title.clone(),
                description: x.description.clone(),
                budget: x.budget,
                min_award: x.min_award,
                max_award: x.max_award,
                opens_on,
                closes_on: opens_on + chrono::Duration::days(x.duration_days),
                cohort_id: existing.as_ref().and_then(|k| k.cohort_id),
                criteria: x
                    .criteria
                    .iter()
                    .map(|k| domain::grants::CriterionSpec {
                        name_ky: k.name.ky.clone(),
                        name_ru: k.name.ru.clone(),
                        name_en: k.name.en.clone(),
                        guidance_ky: k.guidance.ky.clone(),
                        guidance_ru: k.guidance.ru.clone(),
                        guidance_en: k.guidance.en.clone(),
                        weight: k.weight,
                        max_points: k.max_points,
                    })
                    .collect(),
            };
            match existing {
                Some(k) => {
                    store::grants::update_draft_call(c, k.id, &fields).await?;
                    Ok(Some(k.id.to_string()))
                }
                None => {
                    let id = store::grants::insert_call(c, Some(lab), &fields, by).await?;
                    Ok(Some(id.to_string()))
                }
            }
        }
        "targets" => {
            let x = p
                .targets
                .iter()
                .find(|x| x.code == it.code)
                .ok_or_else(|| bad_ref(&it.code))?;
            let existing = match entity.and_then(|e| e.parse::<domain::TargetId>().ok()) {
                Some(id) if !create => store::impact::target_by_id(c, id).await?,
                _ => None,
            };
            match existing {
                Some(t) => {
                    let ends = pkg::period_end(t.starts_on, x.months);
                    store::package::update_target(c, t.id, t.starts_on, ends, x.target).await?;
                    Ok(Some(t.id.to_string()))
                }
                None => {
                    let starts = today.with_day(1).unwrap_or(today);
                    let id = store::impact::insert_target(
                        c,
                        &store::impact::NewTarget {
                            lab_id: Some(lab),
                            indicator: &x.indicator,
                            starts_on: starts,
                            ends_on: pkg::period_end(starts, x.months),
                            target: x.target,
                        },
                        by,
                    )
                    .await?;
                    Ok(Some(id.to_string()))
                }
            }
        }
        // Texts are kept as the package gives them (see `text_content`).
        _ => Ok(None),
    }
}

/// The network library: every stored version, what changed from the one before, and which
/// labs run which version.
#[derive(Debug, Clone, Serialize)]
pub struct Library {
    pub versions: Vec<LibraryVersion>,
    pub labs: Vec<(Lab, Option<store::package::ImportRow>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LibraryVersion {
    pub row: store::package::VersionRow,
    pub source_lab: Option<String>,
    pub items: usize,
    /// Against the previous version of the same package.
    pub changes: Vec<(String, String, String, &'static str)>,
    /// Slugs of the labs whose latest import of this package is this version.
    pub labs: Vec<String>,
}

pub async fn library(store: &Store, actor: &Actor) -> AppResult<Library> {
    allow(actor, Action::ManageNetwork)?;
    library_unchecked(store).await
}

/// The versions a lab may start from (the wizard's list): any signed-in admin sees them.
pub async fn library_unchecked(store: &Store) -> AppResult<Library> {
    let mut c = store.conn().await?;
    let rows = store::package::versions(&mut c).await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let imports = store::package::imports(&mut c, None).await?;
    let latest: Vec<(Lab, Option<store::package::ImportRow>)> = labs
        .iter()
        .map(|l| {
            (
                l.clone(),
                imports.iter().find(|i| i.lab_id == l.id).cloned(),
            )
        })
        .collect();
    let mut docs: Vec<(store::package::VersionRow, Option<Package>)> = vec![];
    for r in rows {
        let doc = store::package::version_document(&mut c, &r.id)
            .await?
            .and_then(|d| read(d.as_bytes()).ok());
        docs.push((r, doc));
    }
    // Oldest first within a package, to compare each with the one before.
    docs.sort_by(|a, b| {
        (a.0.name.clone(), a.0.created_at).cmp(&(b.0.name.clone(), b.0.created_at))
    });
    let mut versions = vec![];
    for (i, (row, doc)) in docs.iter().enumerate() {
        let prev = i
            .checked_sub(1)
            .and_then(|j| docs.get(j))
            .filter(|(r, _)| r.name == row.name)
            .and_then(|(_, d)| d.as_ref());
        let changes = match (prev, doc) {
            (Some(a), Some(b)) => pkg::diff(a, b)
                .into_iter()
                .map(|(it, ch)| (it.part.to_string(), it.code, it.title, ch.code()))
                .collect(),
            _ => vec![],
        };
        versions.push(LibraryVersion {
            source_lab: row
                .source_lab_id
                .and_then(|id| labs.iter().find(|l| l.id == id).map(|l| l.slug.clone())),
            items: doc.as_ref().map(|d| d.items().len()).unwrap_or(0),
            changes,
            labs: latest
                .iter()
                .filter(|(_, imp)| {
                    imp.as_ref()
                        .is_some_and(|x| x.name == row.name && x.version == row.version)
                })
                .map(|(l, _)| l.slug.clone())
                .collect(),
            row: row.clone(),
        });
    }
    versions.reverse();
    Ok(Library {
        versions,
        labs: latest,
    })
}

/// Stores a lab's current package in the library as a new version.
pub async fn publish(
    store: &Store,
    actor: &Actor,
    slug: &str,
    version: Option<&str>,
) -> AppResult<Package> {
    let lab = lab_for(store, actor, slug).await?;
    allow(actor, Action::ManageNetwork)?;
    publish_lab(store, &lab, version, actor.user_id).await
}

pub async fn publish_lab(
    store: &Store,
    lab: &Lab,
    version: Option<&str>,
    by: Option<UserId>,
) -> AppResult<Package> {
    let p = export_lab(store, lab, version, by).await?;
    let mut tx = store.begin().await?;
    store::package::insert_version(
        &mut tx,
        &p.name,
        &p.version,
        Some(lab.id),
        &p.sha256(),
        &p.to_json(),
        by,
    )
    .await
    .map_err(super::base::taken("version"))?;
    let e = entry_by(by, "package.publish", lab.id);
    commit_with(tx, e, format!("{} {}", p.name, p.version)).await?;
    Ok(p)
}

fn entry_by(by: Option<UserId>, action: &'static str, lab: LabId) -> store::audit::Entry<'static> {
    store::audit::Entry {
        actor: by,
        action,
        entity: "lab",
        entity_id: Some(lab.to_string()),
        lab: Some(lab),
        detail: String::new(),
    }
}

/// A stored version's package (for the wizard and downloads from the library).
pub async fn stored(store: &Store, actor: &Actor, id: &str) -> AppResult<Package> {
    allow(actor, Action::ManageNetwork)?;
    let mut c = store.conn().await?;
    let doc = store::package::version_document(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    read(doc.as_bytes())
}

/// A lab's imports, newest first.
pub async fn imports(store: &Store, lab: &Lab) -> AppResult<Vec<store::package::ImportRow>> {
    let mut c = store.conn().await?;
    Ok(store::package::imports(&mut c, Some(lab.id)).await?)
}

/// What the new-lab wizard's form sends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct WizardInput {
    pub slug: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    /// A code of `domain::REGIONS`.
    pub region: String,
    /// A district code of that region.
    pub district: String,
    pub locality: String,
    pub address: String,
    /// Empty: the region's centre.
    pub latitude: String,
    pub longitude: String,
    /// An organisation's id, or empty with `new_org` named.
    pub host_org: String,
    pub new_org: String,
    pub new_org_kind: String,
    /// A `PartnerRole` code.
    pub host_role: String,
    /// A version id from the library, or empty to start with nothing.
    pub package: String,
    pub cohort_name: String,
    pub cohort_starts_on: String,
    pub cohort_ends_on: String,
    pub coordinator_login: String,
    pub coordinator_name: String,
}

impl WizardInput {
    /// For the form's choices: whether this one is chosen.
    pub fn org_is(&self, id: &domain::OrgId) -> bool {
        self.host_org.trim() == id.to_string()
    }
    pub fn kind_is(&self, k: impl AsRef<str>) -> bool {
        self.new_org_kind == k.as_ref()
    }
    pub fn role_is(&self, r: impl AsRef<str>) -> bool {
        self.host_role == r.as_ref()
    }
    pub fn blank() -> Self {
        Self {
            host_role: "implementing-partner".into(),
            new_org_kind: "ngo".into(),
            ..Self::default()
        }
    }
}

/// The wizard's choices: regions with districts, organisations, partner roles, packages.
pub struct WizardOptions {
    pub regions: &'static [domain::regions::Region],
    pub orgs: Vec<store::labs::Organisation>,
    pub versions: Vec<store::package::VersionRow>,
}

impl WizardOptions {
    pub fn roles(&self) -> Vec<&'static str> {
        domain::PartnerRole::ALL.iter().map(|r| r.code()).collect()
    }
    pub fn kinds(&self) -> Vec<&'static str> {
        domain::OrgKind::ALL.iter().map(|r| r.code()).collect()
    }
}

pub async fn wizard_options(store: &Store, actor: &Actor) -> AppResult<WizardOptions> {
    allow(actor, Action::ManageNetwork)?;
    let mut c = store.conn().await?;
    Ok(WizardOptions {
        regions: domain::regions::ALL,
        orgs: store::labs::list_orgs(&mut c).await?,
        versions: store::package::versions(&mut c).await?,
    })
}

/// Opens a lab from the wizard: the lab in its region and district, its host organisation and
/// role, the package it starts from, its first cohort, and the coordinator's invitation (a
/// one-time expiring link). Everything the wizard asks is checked before anything is made; the
/// steps then run one after another (each with its audit row).
pub async fn open_lab(
    state: &crate::state::AppState,
    actor: &Actor,
    base: &str,
    lang: Lang,
    f: &WizardInput,
) -> AppResult<(String, super::links::Issued)> {
    allow(actor, Action::ManageNetwork)?;
    let store = &state.store;
    let mut errs: Vec<(String, String)> = vec![];
    let region = domain::regions::region(f.region.trim());
    match region {
        None => errs.push(("region".into(), "err-choice".into())),
        Some(r) if r.district(f.district.trim()).is_none() => {
            errs.push(("district".into(), "err-choice".into()))
        }
        _ => {}
    }
    let role = domain::PartnerRole::parse(&f.host_role);
    if role.is_none() {
        errs.push(("host_role".into(), "err-choice".into()));
    }
    let (orgs, versions) = {
        let mut c = store.conn().await?;
        (
            store::labs::list_orgs(&mut c).await?,
            store::package::versions(&mut c).await?,
        )
    };
    let org = orgs.iter().find(|o| o.id.to_string() == f.host_org.trim());
    if org.is_none() && f.new_org.trim().is_empty() {
        errs.push(("host_org".into(), "err-required".into()));
    }
    if org.is_none()
        && !f.new_org.trim().is_empty()
        && domain::OrgKind::parse(&f.new_org_kind).is_none()
    {
        errs.push(("new_org_kind".into(), "err-choice".into()));
    }
    // A new organisation under a name already taken is refused before anything is made.
    let new_org = domain::names::clean(&f.new_org);
    if org.is_none()
        && orgs
            .iter()
            .any(|o| o.name.to_lowercase() == new_org.to_lowercase())
    {
        errs.push(("new_org".into(), "err-org-taken".into()));
    }
    let version = f.package.trim();
    let package = if version.is_empty() {
        None
    } else {
        match versions.iter().find(|v| v.id == version) {
            Some(v) => {
                let mut c = store.conn().await?;
                store::package::version_document(&mut c, &v.id)
                    .await?
                    .and_then(|d| read(d.as_bytes()).ok())
            }
            None => None,
        }
        .or_else(|| {
            errs.push(("package".into(), "err-choice".into()));
            None
        })
    };
    let cohort = super::CohortInput {
        name: f.cohort_name.clone(),
        starts_on: f.cohort_starts_on.clone(),
        ends_on: f.cohort_ends_on.clone(),
    };
    if names_empty(&cohort.name) {
        errs.push(("cohort_name".into(), "err-required".into()));
    }
    let mut dates = vec![];
    let starts = super::base::date(
        "cohort_starts_on",
        &cohort.starts_on,
        domain::time::DateSpan::Planned,
        &mut dates,
    );
    let ends = super::base::date(
        "cohort_ends_on",
        &cohort.ends_on,
        domain::time::DateSpan::Planned,
        &mut dates,
    );
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        dates.push(("cohort_ends_on".into(), "err-date-order".into()));
    }
    errs.extend(dates);
    match domain::parse_login(&f.coordinator_login) {
        Ok(login) => {
            let mut c = store.conn().await?;
            if store::users::by_login(&mut c, &login).await?.is_some() {
                errs.push(("coordinator_login".into(), "err-login-taken".into()));
            }
        }
        Err(_) => errs.push(("coordinator_login".into(), "err-login-format".into())),
    }
    if names_empty(&f.coordinator_name) {
        errs.push(("coordinator_name".into(), "err-required".into()));
    }
    let (lat, lon) = match region {
        Some(r) if f.latitude.trim().is_empty() && f.longitude.trim().is_empty() => {
            (r.lat.to_string(), r.lon.to_string())
        }
        _ => (f.latitude.clone(), f.longitude.clone()),
    };
    let input = super::LabInput {
        slug: f.slug.clone(),
        name_ky: f.name_ky.clone(),
        name_ru: f.name_ru.clone(),
        name_en: f.name_en.clone(),
        region: f.region.clone(),
        locality: f.locality.clone(),
        address: f.address.clone(),
        latitude: lat,
        longitude: lon,
        hours: String::new(),
        opened_on: f.cohort_starts_on.clone(),
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let id = super::create_lab(store, actor, &input).await?;
    {
        let mut tx = store.begin().await?;
        store::package::set_district(&mut tx, id, f.district.trim()).await?;
        tx.commit().await?;
    }
    let org_id = match org {
        Some(o) => o.id,
        None => {
            let o = super::create_org(
                store,
                actor,
                &super::OrgInput {
                    name: f.new_org.clone(),
                    kind: f.new_org_kind.clone(),
                    website: String::new(),
                },
            )
            .await
            .map_err(|e| match e {
                AppError::Invalid(_) => super::base::invalid("new_org", "err-org-taken"),
                e => e,
            })?;
            o.id
        }
    };
    super::add_partner(store, actor, id, &org_id.to_string(), &f.host_role).await?;
    super::create_cohort(store, actor, id, &cohort).await?;
    let lab = super::labs::summary(store, id).await?.lab;
    if let Some(p) = &package {
        import_into(store, &lab, p, false, false, actor.user_id).await?;
    }
    let issued = super::links::invite(
        state,
        actor,
        base,
        lang,
        &super::links::InviteInput {
            login: f.coordinator_login.clone(),
            display_name: f.coordinator_name.clone(),
            role: "coordinator".into(),
            lab: lab.slug.clone(),
            ..Default::default()
        },
    )
    .await?;
    Ok((lab.slug, issued))
}

fn names_empty(s: &str) -> bool {
    domain::names::clean(s).is_empty()
}
