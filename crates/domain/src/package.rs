//! The package: a lab's know-how as one versioned JSON document that another lab (in this network
//! or another one) imports to start from. It holds programmes and their modules, the module
//! library, survey instruments with their scales and waves, grant-call templates with weighted
//! criteria and scoring guidance, consent texts, certificate texts and a targets template, with
//! texts in Kyrgyz, Russian and English. Nothing about any person is ever in it: every field below
//! is a template or a text, never a record of someone.
//!
//! Every item carries a stable `code` (unique within its part): an import matches what a lab
//! already has by code, and a later version of the package changes the same items. The manifest
//! holds each part's SHA-256 over its canonical JSON (the part as this module writes it), so an
//! edit by hand that forgets the manifest is refused, whatever the key order or whitespace.
//!
//! [`plan`] decides, item by item, what an import does (create, change, leave alone, or keep a
//! local edit); [`diff`] compares two versions of a package for the network library.
use crate::Topic;
use crate::surveys::{Labels, Question, Scale, WaveKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The format this code writes and reads. A package of another schema version is refused.
pub const SCHEMA_VERSION: u32 = 1;
/// The `format` field of every package.
pub const FORMAT: &str = "wcl-package";
/// The largest package accepted (bytes of JSON); a lab's know-how is tens of kilobytes.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Items of one part, questions of one survey, modules of one programme: at most this many.
pub const MAX_ITEMS: usize = 500;
/// The longest text of any field.
pub const MAX_TEXT: usize = 8000;

/// One package, as written to and read from the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Always `wcl-package`.
    pub format: String,
    pub schema_version: u32,
    /// The package's name (`osh-lab`): versions of one package share it.
    pub name: String,
    /// Its version (`1`, `2`, … or `1.2`): compared as text, shown to people.
    pub version: String,
    /// The day it was made (ISO date).
    pub created_on: String,
    /// The network it comes from (its name).
    pub source_network: String,
    /// The lab it was exported from (slug).
    pub source_lab: String,
    /// Each part's item count and SHA-256 (hex) over its canonical JSON.
    pub manifest: Vec<ManifestEntry>,
    pub programmes: Vec<ProgrammeItem>,
    pub module_library: Vec<ModuleTemplate>,
    pub surveys: Vec<SurveyItem>,
    pub grant_calls: Vec<GrantCallItem>,
    pub consent_texts: Vec<TextItem>,
    pub certificate_texts: Vec<TextItem>,
    pub targets: Vec<TargetItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub part: String,
    pub items: usize,
    pub sha256: String,
}

/// A programme: its completion rule and its modules in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeItem {
    pub code: String,
    /// The title as the lab wrote it (one text: programmes are named in the lab's language).
    pub title: String,
    pub description: String,
    pub min_attendance_pct: u32,
    pub final_module_required: bool,
    pub modules: Vec<ModuleItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleItem {
    /// The code of a module of `module_library`.
    pub topic: String,
    /// Her own title (empty: the library's translated title).
    pub title: String,
    pub is_final: bool,
}

/// A module of the library, translated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleTemplate {
    pub code: String,
    pub title: Labels,
    pub description: Labels,
    /// Typical number of sessions.
    pub sessions: u32,
}

/// A survey instrument with its scales, questions and the waves it is due at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyItem {
    pub code: String,
    pub title: Labels,
    /// baseline, endline, follow_up_6, follow_up_12
    pub waves: Vec<String>,
    pub version: String,
    pub scales: Vec<Scale>,
    pub questions: Vec<Question>,
}

/// A grant call as a template: budget, awards and criteria; its dates are set when imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantCallItem {
    pub code: String,
    pub title: String,
    pub description: String,
    /// Tyiyn (som × 100).
    pub budget: i64,
    pub min_award: i64,
    pub max_award: i64,
    /// Days between opening and closing.
    pub duration_days: i64,
    pub criteria: Vec<CriterionItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionItem {
    pub name: Labels,
    /// What a reviewer looks for, per score.
    pub guidance: Labels,
    pub weight: i64,
    pub max_points: i64,
}

/// A text in three languages with its version (a consent text, a certificate's wording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextItem {
    pub code: String,
    pub version: String,
    pub text: Labels,
}

/// A target of the lab's first period: an indicator, how many months, how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetItem {
    pub code: String,
    /// A code of `domain::impact::INDICATORS`.
    pub indicator: String,
    pub months: u32,
    pub target: i64,
}

/// The kinds of items, as they are named in the manifest, in plans and in the store.
pub const PARTS: &[&str] = &[
    "programmes",
    "module_library",
    "surveys",
    "grant_calls",
    "consent_texts",
    "certificate_texts",
    "targets",
];

/// Why a package is refused. `key` is translated by the web layer; `detail` names the place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {detail}")]
pub struct Refused {
    pub key: &'static str,
    pub detail: String,
}

fn refuse(key: &'static str, detail: impl Into<String>) -> Refused {
    Refused {
        key,
        detail: detail.into(),
    }
}

/// SHA-256 (hex) of a value's canonical JSON (as serde writes our types: fields in declaration
/// order, no whitespace).
pub fn hash_of<T: Serialize + ?Sized>(v: &T) -> String {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// One item of any part, for plans and diffs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    pub part: &'static str,
    pub code: String,
    /// A title to show (in `lang` when it has three).
    pub title: String,
    pub hash: String,
}

impl Package {
    /// A package with its manifest computed from its parts.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        version: &str,
        created_on: chrono::NaiveDate,
        source_network: &str,
        source_lab: &str,
        programmes: Vec<ProgrammeItem>,
        module_library: Vec<ModuleTemplate>,
        surveys: Vec<SurveyItem>,
        grant_calls: Vec<GrantCallItem>,
        consent_texts: Vec<TextItem>,
        certificate_texts: Vec<TextItem>,
        targets: Vec<TargetItem>,
    ) -> Self {
        let mut p = Self {
            format: FORMAT.into(),
            schema_version: SCHEMA_VERSION,
            name: name.into(),
            version: version.into(),
            created_on: created_on.to_string(),
            source_network: source_network.into(),
            source_lab: source_lab.into(),
            manifest: vec![],
            programmes,
            module_library,
            surveys,
            grant_calls,
            consent_texts,
            certificate_texts,
            targets,
        };
        p.manifest = p.computed_manifest();
        p
    }

    fn part_hashes(&self) -> Vec<(&'static str, usize, String)> {
        vec![
            (
                "programmes",
                self.programmes.len(),
                hash_of(&self.programmes),
            ),
            (
                "module_library",
                self.module_library.len(),
                hash_of(&self.module_library),
            ),
            ("surveys", self.surveys.len(), hash_of(&self.surveys)),
            (
                "grant_calls",
                self.grant_calls.len(),
                hash_of(&self.grant_calls),
            ),
            (
                "consent_texts",
                self.consent_texts.len(),
                hash_of(&self.consent_texts),
            ),
            (
                "certificate_texts",
                self.certificate_texts.len(),
                hash_of(&self.certificate_texts),
            ),
            ("targets", self.targets.len(), hash_of(&self.targets)),
        ]
    }

    pub fn computed_manifest(&self) -> Vec<ManifestEntry> {
        self.part_hashes()
            .into_iter()
            .map(|(part, items, sha256)| ManifestEntry {
                part: part.into(),
                items,
                sha256,
            })
            .collect()
    }

    /// The package as a person reads it: pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The SHA-256 of the whole document as [`Package::to_json`] writes it.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.to_json().as_bytes()))
    }

    /// Reads and checks a package: its size, format, schema version, manifest, references and
    /// texts. Anything wrong is refused with the first reason found.
    pub fn parse(bytes: &[u8]) -> Result<Self, Refused> {
        if bytes.len() > MAX_BYTES {
            return Err(refuse(
                "err-package-too-big",
                format!("{} bytes > {MAX_BYTES}", bytes.len()),
            ));
        }
        let v: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| refuse("err-package-not-json", e.to_string()))?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(refuse("err-package-format", "format"));
        }
        match v.get("schema_version").and_then(|s| s.as_u64()) {
            Some(n) if n == u64::from(SCHEMA_VERSION) => {}
            other => {
                return Err(refuse(
                    "err-package-schema-version",
                    format!("{other:?} (this wcl reads {SCHEMA_VERSION})"),
                ));
            }
        }
        let p: Package =
            serde_json::from_value(v).map_err(|e| refuse("err-package-invalid", e.to_string()))?;
        p.check()?;
        Ok(p)
    }

    /// The rules a package keeps (also checked before an export is written).
    pub fn check(&self) -> Result<(), Refused> {
        let want = self.computed_manifest();
        for w in &want {
            match self.manifest.iter().find(|m| m.part == w.part) {
                Some(m) if m.sha256.eq_ignore_ascii_case(&w.sha256) && m.items == w.items => {}
                Some(_) => return Err(refuse("err-package-checksum", w.part.clone())),
                None => return Err(refuse("err-package-checksum", w.part.clone())),
            }
        }
        if self.manifest.len() != want.len() {
            return Err(refuse("err-package-checksum", "manifest"));
        }
        for (field, s) in [
            ("name", &self.name),
            ("version", &self.version),
            ("source_lab", &self.source_lab),
        ] {
            if !valid_code(s) {
                return Err(refuse("err-package-invalid", field));
            }
        }
        if chrono::NaiveDate::parse_from_str(&self.created_on, "%Y-%m-%d").is_err() {
            return Err(refuse("err-package-invalid", "created_on"));
        }
        for r in self.items() {
            if !valid_code(&r.code) {
                return Err(refuse(
                    "err-package-invalid",
                    format!("{}: code {:?}", r.part, r.code),
                ));
            }
        }
        let mut seen = HashSet::new();
        for r in self.items() {
            if !seen.insert((r.part, r.code.clone())) {
                return Err(refuse(
                    "err-package-duplicate",
                    format!("{}: {}", r.part, r.code),
                ));
            }
        }
        for (part, n) in self.part_hashes().iter().map(|(p, n, _)| (*p, *n)) {
            if n > MAX_ITEMS {
                return Err(refuse("err-package-too-big", part));
            }
        }
        self.check_texts()?;
        self.check_references()
    }

    fn check_texts(&self) -> Result<(), Refused> {
        let v = serde_json::to_value(self).unwrap_or_default();
        fn walk(at: &str, v: &serde_json::Value) -> Result<(), Refused> {
            match v {
                serde_json::Value::String(s) => {
                    if s.chars().count() > MAX_TEXT {
                        return Err(refuse("err-package-invalid", format!("{at}: too long")));
                    }
                    if crate::text::forbidden(s).is_some() {
                        return Err(refuse("err-package-invalid", format!("{at}: bad text")));
                    }
                    Ok(())
                }
                serde_json::Value::Array(a) => a.iter().try_for_each(|x| walk(at, x)),
                serde_json::Value::Object(o) => o.iter().try_for_each(|(k, x)| walk(k, x)),
                _ => Ok(()),
            }
        }
        walk("", &v)
    }

    fn check_references(&self) -> Result<(), Refused> {
        let library: HashSet<&str> = self
            .module_library
            .iter()
            .map(|m| m.code.as_str())
            .collect();
        for m in &self.module_library {
            if Topic::parse(&m.code).is_none() {
                return Err(refuse(
                    "err-package-reference",
                    format!("module_library: {}", m.code),
                ));
            }
        }
        for p in &self.programmes {
            if p.min_attendance_pct > 100 || p.title.trim().is_empty() {
                return Err(refuse(
                    "err-package-invalid",
                    format!("programmes: {}", p.code),
                ));
            }
            if p.modules.len() > MAX_ITEMS {
                return Err(refuse(
                    "err-package-too-big",
                    format!("programmes: {}", p.code),
                ));
            }
            for m in &p.modules {
                if !library.contains(m.topic.as_str()) {
                    return Err(refuse(
                        "err-package-reference",
                        format!("programmes: {} → module {}", p.code, m.topic),
                    ));
                }
            }
        }
        for s in &self.surveys {
            let at = |what: &str| format!("surveys: {} → {what}", s.code);
            if s.questions.len() > MAX_ITEMS {
                return Err(refuse("err-package-too-big", at("questions")));
            }
            for w in &s.waves {
                if WaveKind::parse(w).is_none() {
                    return Err(refuse("err-package-reference", at(w)));
                }
            }
            let scales: HashSet<&str> = s.scales.iter().map(|x| x.code.as_str()).collect();
            let mut earlier: HashSet<&str> = HashSet::new();
            for q in &s.questions {
                if let Some(sc) = &q.scale
                    && !scales.contains(sc.as_str())
                {
                    return Err(refuse("err-package-reference", at(sc)));
                }
                for c in q.relevant.iter().flat_map(|r| r.all.iter()) {
                    if !earlier.contains(c.question.as_str()) {
                        return Err(refuse("err-package-reference", at(&c.question)));
                    }
                }
                if !earlier.insert(q.name.as_str()) {
                    return Err(refuse("err-package-duplicate", at(&q.name)));
                }
            }
        }
        for g in &self.grant_calls {
            let bad = g.budget <= 0
                || g.min_award <= 0
                || g.max_award < g.min_award
                || g.max_award > g.budget
                || !(1..=366).contains(&g.duration_days)
                || g.criteria.is_empty()
                || g.criteria
                    .iter()
                    .any(|k| k.weight <= 0 || k.max_points <= 0);
            if bad || g.title.trim().is_empty() {
                return Err(refuse(
                    "err-package-invalid",
                    format!("grant_calls: {}", g.code),
                ));
            }
        }
        for t in &self.targets {
            if crate::impact::indicator(&t.indicator).is_none() {
                return Err(refuse(
                    "err-package-reference",
                    format!("targets: {} → {}", t.code, t.indicator),
                ));
            }
            if !(1..=60).contains(&t.months) || t.target < 0 {
                return Err(refuse(
                    "err-package-invalid",
                    format!("targets: {}", t.code),
                ));
            }
        }
        Ok(())
    }

    /// Every item of every part, with its hash, in the parts' order.
    pub fn items(&self) -> Vec<ItemRef> {
        let mut out = vec![];
        fn push<T: Serialize>(
            out: &mut Vec<ItemRef>,
            part: &'static str,
            code: &str,
            title: &str,
            v: &T,
        ) {
            out.push(ItemRef {
                part,
                code: code.into(),
                title: title.into(),
                hash: hash_of(v),
            });
        }
        for x in &self.programmes {
            push(&mut out, "programmes", &x.code, &x.title, x);
        }
        for x in &self.module_library {
            push(&mut out, "module_library", &x.code, x.title.get("en"), x);
        }
        for x in &self.surveys {
            push(&mut out, "surveys", &x.code, x.title.get("en"), x);
        }
        for x in &self.grant_calls {
            push(&mut out, "grant_calls", &x.code, &x.title, x);
        }
        for x in &self.consent_texts {
            push(&mut out, "consent_texts", &x.code, &x.code, x);
        }
        for x in &self.certificate_texts {
            push(&mut out, "certificate_texts", &x.code, &x.code, x);
        }
        for x in &self.targets {
            push(&mut out, "targets", &x.code, &x.indicator, x);
        }
        out
    }
}

/// A code: lowercase letters, digits, `-`, `_` and `.`, 1..=80 characters.
pub fn valid_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// A code made from a title: transliterated Cyrillic, lowercase, words joined by `-`.
pub fn code_from(title: &str) -> String {
    let latin = crate::names::transliterate(title).to_lowercase();
    let mut out = String::new();
    for ch in latin.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(60).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "item".into() } else { out }
}

/// What an import does to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The lab has no such item: it is made.
    Create,
    /// The lab has it as the package has it.
    Unchanged,
    /// The lab has it as an earlier import left it, and the package changed it: it is updated.
    Change,
    /// The lab changed it since it was imported (or made it herself): her version is kept
    /// unless she chooses to overwrite.
    KeepLocal,
    /// It is in use in a way that forbids changing it (a survey with answers, a call that is
    /// no longer a draft, a network-wide instrument): it is left as it is.
    KeepInUse,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::Create => "create",
            Step::Unchanged => "unchanged",
            Step::Change => "change",
            Step::KeepLocal => "keep-local",
            Step::KeepInUse => "keep-in-use",
        }
    }
    /// Whether the import writes this item (its record, or at least what it remembers of it).
    pub fn writes(self) -> bool {
        matches!(self, Step::Create | Step::Change)
    }
}

/// What the lab has of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// The hash of the item as the lab has it now (in the package's form).
    pub current: String,
    /// The hash of what the last import wrote (`None`: she made it herself).
    pub imported: Option<String>,
    /// It may not be changed (see [`Step::KeepInUse`]).
    pub in_use: bool,
}

/// One line of an import's preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    pub part: &'static str,
    pub code: String,
    pub title: String,
    pub step: Step,
    /// The hash of the item in the package.
    #[serde(skip)]
    pub hash: String,
}

/// What an import of `incoming` does, item by item, given what the lab has (by part and code).
/// With `overwrite`, a local edit is replaced by the package's version (never an item in use).
pub fn plan(
    incoming: &Package,
    local: &HashMap<(&'static str, String), Local>,
    overwrite: bool,
) -> Vec<Planned> {
    incoming
        .items()
        .into_iter()
        .map(|it| {
            let step = match local.get(&(it.part, it.code.clone())) {
                None => Step::Create,
                Some(l) if l.current == it.hash => Step::Unchanged,
                Some(l) if l.in_use => Step::KeepInUse,
                Some(l) if l.imported.as_deref() == Some(l.current.as_str()) || overwrite => {
                    Step::Change
                }
                Some(_) => Step::KeepLocal,
            };
            Planned {
                part: it.part,
                code: it.code,
                title: it.title,
                step,
                hash: it.hash,
            }
        })
        .collect()
}

/// How an item differs between two versions of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Added,
    Changed,
    Removed,
}

impl Change {
    pub fn code(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Changed => "changed",
            Change::Removed => "removed",
        }
    }
}

/// What changed from `old` to `new`, item by item (unchanged items left out), in part order.
pub fn diff(old: &Package, new: &Package) -> Vec<(ItemRef, Change)> {
    let before: BTreeMap<(&str, String), ItemRef> = old
        .items()
        .into_iter()
        .map(|i| ((i.part, i.code.clone()), i))
        .collect();
    let after: HashSet<(&str, String)> = new
        .items()
        .iter()
        .map(|i| (i.part, i.code.clone()))
        .collect();
    let mut out = vec![];
    for i in new.items() {
        match before.get(&(i.part, i.code.clone())) {
            None => out.push((i, Change::Added)),
            Some(b) if b.hash != i.hash => out.push((i, Change::Changed)),
            Some(_) => {}
        }
    }
    for ((part, code), i) in before {
        if !after.contains(&(part, code)) {
            out.push((i, Change::Removed));
        }
    }
    out
}

/// Months between two dates of a target's period, as a targets template counts them.
pub fn months_between(starts: chrono::NaiveDate, ends: chrono::NaiveDate) -> u32 {
    (((ends - starts).num_days() + 15) / 30).clamp(1, 60) as u32
}

/// The last day of a period of `months` starting on `starts`.
pub fn period_end(starts: chrono::NaiveDate, months: u32) -> chrono::NaiveDate {
    starts
        .checked_add_months(chrono::Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(starts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surveys::{QuestionKind, ScaleMethod};

    fn sample() -> Package {
        let mut q = Question::new("conf1", QuestionKind::Likert, Labels::new("а", "б", "c"));
        q.scale = Some("self_confidence".into());
        Package::new(
            "osh-lab",
            "1",
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            "Women Creative Labs",
            "osh",
            vec![ProgrammeItem {
                code: "start".into(),
                title: "Старт".into(),
                description: String::new(),
                min_attendance_pct: 80,
                final_module_required: true,
                modules: vec![ModuleItem {
                    topic: "sewing".into(),
                    title: String::new(),
                    is_final: true,
                }],
            }],
            vec![ModuleTemplate {
                code: "sewing".into(),
                title: Labels::new("Тигүү", "Шитьё", "Sewing"),
                description: Labels::default(),
                sessions: 6,
            }],
            vec![SurveyItem {
                code: "baseline".into(),
                title: Labels::new("a", "b", "c"),
                waves: vec!["baseline".into()],
                version: "1".into(),
                scales: vec![Scale {
                    code: "self_confidence".into(),
                    name: Labels::new("a", "b", "c"),
                    method: ScaleMethod::Mean,
                }],
                questions: vec![q],
            }],
            vec![],
            vec![],
            vec![],
            vec![TargetItem {
                code: "women-reached-1".into(),
                indicator: "women-reached".into(),
                months: 12,
                target: 100,
            }],
        )
    }

    #[test]
    fn a_package_reads_back_as_written() {
        let p = sample();
        let back = Package::parse(p.to_json().as_bytes()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn bad_files_are_refused_with_their_reason() {
        let p = sample();
        let key = |s: &str| Package::parse(s.as_bytes()).unwrap_err().key;
        assert_eq!(key("not json"), "err-package-not-json");
        let j = p
            .to_json()
            .replace("\"schema_version\": 1", "\"schema_version\": 9");
        assert_eq!(key(&j), "err-package-schema-version");
        let j = p.to_json().replace("Старт", "Финиш");
        assert_eq!(key(&j), "err-package-checksum");
        let mut q = p.clone();
        q.programmes[0].modules[0].topic = "cooking".into();
        q.manifest = q.computed_manifest();
        assert_eq!(key(&q.to_json()), "err-package-reference");
        let mut q = p.clone();
        q.targets[0].indicator = "nonsense".into();
        q.manifest = q.computed_manifest();
        assert_eq!(key(&q.to_json()), "err-package-reference");
        let big = " ".repeat(MAX_BYTES + 1);
        assert_eq!(key(&big), "err-package-too-big");
    }

    #[test]
    fn a_plan_keeps_local_edits_unless_asked() {
        let p = sample();
        let items = p.items();
        let prog = &items[0];
        let mut local = HashMap::new();
        assert!(
            plan(&p, &local, false)
                .iter()
                .all(|x| x.step == Step::Create)
        );
        local.insert(
            ("programmes", prog.code.clone()),
            Local {
                current: prog.hash.clone(),
                imported: Some(prog.hash.clone()),
                in_use: false,
            },
        );
        assert_eq!(plan(&p, &local, false)[0].step, Step::Unchanged);
        let edited = Local {
            current: "edited".into(),
            imported: Some("old".into()),
            in_use: false,
        };
        local.insert(("programmes", prog.code.clone()), edited);
        assert_eq!(plan(&p, &local, false)[0].step, Step::KeepLocal);
        assert_eq!(plan(&p, &local, true)[0].step, Step::Change);
        let untouched = Local {
            current: "old".into(),
            imported: Some("old".into()),
            in_use: false,
        };
        local.insert(("programmes", prog.code.clone()), untouched);
        assert_eq!(plan(&p, &local, false)[0].step, Step::Change);
    }

    #[test]
    fn a_diff_names_what_changed() {
        let a = sample();
        let mut b = sample();
        b.programmes[0].description = "new".into();
        b.targets.clear();
        let d = diff(&a, &b);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].1, Change::Changed);
        assert_eq!(d[1].1, Change::Removed);
        assert_eq!(code_from("Старт: тигүү 2026"), "start-tiguu-2026");
    }

    #[test]
    fn target_periods_round_trip() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        for m in [1, 3, 6, 12, 24] {
            assert_eq!(months_between(d, period_end(d, m)), m);
        }
    }
}
