//! Open Badges 2.0 documents with hosted verification.
//!
//! A resident who finishes a programme gets a badge she can show an employer
//! or add to a portfolio. Open Badges 2.0 is the format badge backpacks and
//! verifiers understand; with *hosted* verification every document is a JSON
//! file served at its own `id` URL, so checking a badge is just fetching that
//! URL from wcl's domain. The functions here only build the JSON; the web
//! layer serves it with `Content-Type: application/ld+json`.
//!
//! Privacy: residents are identified by phone number more often than e-mail.
//! The assertion never carries the identity in clear text, only
//! `sha256$hex(sha256(identity + salt))` with a per-assertion salt, so a
//! published badge cannot be used to harvest phone numbers, yet whoever knows
//! the number can confirm the badge is hers.
//!
//! Spec: <https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html>

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// JSON-LD context of every Open Badges 2.0 document.
pub const CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// The organisation that awards badges (one per deployment, or per lab).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issuer<'a> {
    /// URL this JSON is served at.
    pub id: &'a str,
    pub name: &'a str,
    /// Human-facing homepage.
    pub url: &'a str,
    pub email: Option<&'a str>,
    pub description: &'a str,
}

/// What a badge stands for, e.g. completing a felt-making programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadgeClass<'a> {
    /// URL this JSON is served at.
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    /// URL of the badge image, e.g. served from [`badge_svg`].
    pub image: &'a str,
    /// Human-readable page describing what was required.
    pub criteria_url: &'a str,
    /// Short Markdown summary of the criteria, embedded for offline readers.
    pub criteria_narrative: &'a str,
    /// URL of the [`Issuer`] JSON.
    pub issuer: &'a str,
    pub tags: &'a [&'a str],
}

/// Kind of identifier a badge is awarded to (`recipient.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientType {
    Email,
    /// A phone number in E.164 form, e.g. `+996555123456`.
    Telephone,
}

impl RecipientType {
    /// The value of `recipient.type` in the spec's vocabulary.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientType::Email => "email",
            RecipientType::Telephone => "telephone",
        }
    }
}

/// One awarded badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assertion<'a> {
    /// URL this JSON is served at.
    pub id: &'a str,
    /// URL of the [`BadgeClass`] JSON.
    pub badge: &'a str,
    /// Whether `recipient_identity` is an e-mail address or a phone number.
    pub recipient_type: RecipientType,
    /// The person's e-mail or phone; only its salted hash is published
    /// (after [`canonical_identity`]).
    pub recipient_identity: &'a str,
    /// Random per-assertion salt, stored with the assertion.
    pub salt: &'a str,
    pub issued_on: DateTime<Utc>,
    /// Page showing the work (e.g. a portfolio entry).
    pub evidence_url: Option<&'a str>,
    /// `Some(reason)` once the badge was withdrawn.
    pub revoked: Option<&'a str>,
}

/// The Issuer profile JSON.
pub fn issuer_json(i: &Issuer) -> Value {
    let mut v = json!({
        "@context": CONTEXT,
        "type": "Issuer",
        "id": i.id,
        "name": i.name,
        "url": i.url,
        "description": i.description,
    });
    if let Some(email) = i.email {
        v["email"] = json!(email);
    }
    v
}

/// The BadgeClass JSON. Criteria carry both the URL and a narrative so a
/// verifier can show what the badge means without following links.
pub fn badge_class_json(b: &BadgeClass) -> Value {
    let mut criteria = Map::new();
    criteria.insert("id".into(), json!(b.criteria_url));
    if !b.criteria_narrative.is_empty() {
        criteria.insert("narrative".into(), json!(b.criteria_narrative));
    }
    json!({
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": b.id,
        "name": b.name,
        "description": b.description,
        "image": b.image,
        "criteria": criteria,
        "issuer": b.issuer,
        "tags": b.tags,
    })
}

/// The Assertion JSON with a hashed, salted recipient and hosted
/// verification. A revoked assertion keeps being served, with
/// `"revoked": true` and the reason, so verifiers can tell "withdrawn" from
/// "never existed".
pub fn assertion_json(a: &Assertion) -> Value {
    let identity = canonical_identity(a.recipient_type, a.recipient_identity);
    let mut v = json!({
        "@context": CONTEXT,
        "type": "Assertion",
        "id": a.id,
        "recipient": {
            "type": a.recipient_type.as_str(),
            "hashed": true,
            "salt": a.salt,
            "identity": hashed_identity(&identity, a.salt),
        },
        "badge": a.badge,
        "verification": { "type": "hosted" },
        "issuedOn": a.issued_on.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(evidence) = a.evidence_url {
        v["evidence"] = json!(evidence);
    }
    if let Some(reason) = a.revoked {
        v["revoked"] = json!(true);
        if !reason.is_empty() {
            v["revocationReason"] = json!(reason);
        }
    }
    v
}

/// `"sha256$" + hex(sha256(identity + salt))`, the spec's IdentityHash.
///
/// Hashes `identity` exactly as given; [`assertion_json`] first applies
/// [`canonical_identity`] so that the same person always hashes the same.
pub fn hashed_identity(identity: &str, salt: &str) -> String {
    let mut h = Sha256::new();
    h.update(identity.as_bytes());
    h.update(salt.as_bytes());
    format!("sha256${}", hex::encode(h.finalize()))
}

/// The form of an identity that gets hashed, so a verifier typing
/// `Gulnara@Example.kg ` or `+996 (555) 12-34-56` still matches: e-mail
/// trimmed and lower-cased (as common backpacks do before hashing), phone
/// reduced to `+` and digits (E.164).
pub fn canonical_identity(kind: RecipientType, identity: &str) -> String {
    match kind {
        RecipientType::Email => identity.trim().to_lowercase(),
        RecipientType::Telephone => {
            let digits: String = identity.chars().filter(char::is_ascii_digit).collect();
            if identity.trim_start().starts_with('+') {
                format!("+{digits}")
            } else {
                digits
            }
        }
    }
}

/// A RevocationList document listing withdrawn assertions by id. Not
/// needed for hosted verification (the assertion itself says it is
/// revoked) but lets an issuer publish all revocations in one place.
pub fn revocation_list_json(id: &str, issuer_id: &str, revoked: &[(&str, &str)]) -> Value {
    let items: Vec<Value> = revoked
        .iter()
        .map(|(assertion_id, reason)| {
            let mut item = json!({ "id": assertion_id });
            if !reason.is_empty() {
                item["revocationReason"] = json!(reason);
            }
            item
        })
        .collect();
    json!({
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": id,
        "issuer": issuer_id,
        "revokedAssertions": items,
    })
}

/// A round badge with a ribbon carrying `title` (the programme name,
/// wrapped onto up to three lines) and `subtitle` (e.g. the lab), suitable
/// as the BadgeClass `image`. Self-contained SVG 1.1 (no external fonts or
/// images) with all text XML-escaped.
pub fn badge_svg(title: &str, subtitle: &str) -> String {
    let lines = wrap(title, 16, 3);
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    // Shrink long lines so they stay inside the dashed inner circle: about
    // 220 units are usable around its middle, and a bold DejaVu/Noto Cyrillic
    // letter averages ~0.68 em.
    let size = (220.0 / (longest.max(8) as f32 * 0.68)).clamp(16.0, 34.0);
    let line_height = size * 1.2;
    // Centre the block on y = 172 (0.35 em from baseline to mid-x-height).
    let first_y = 172.0 - line_height * (lines.len() as f32 - 1.0) / 2.0 + size * 0.35;
    let mut title_svg = String::new();
    for (i, line) in lines.iter().enumerate() {
        title_svg.push_str(&format!(
            r#"<tspan x="200" y="{:.1}">{}</tspan>"#,
            first_y + line_height * i as f32,
            xml_escape(line)
        ));
    }
    let sub = wrap(subtitle, 26, 1).into_iter().next().unwrap_or_default();
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img" aria-label="{label}">"#,
            r#"<title>{label}</title>"#,
            r##"<path d="M130 300 L95 390 L135 370 L160 400 L185 320 Z" fill="#8c2f39"/>"##,
            r##"<path d="M270 300 L305 390 L265 370 L240 400 L215 320 Z" fill="#8c2f39"/>"##,
            r##"<circle cx="200" cy="180" r="165" fill="#d4a017"/>"##,
            r##"<circle cx="200" cy="180" r="150" fill="#1f4e5f"/>"##,
            r##"<circle cx="200" cy="180" r="140" fill="none" stroke="#d4a017" stroke-width="2" stroke-dasharray="6 5"/>"##,
            r##"<text font-family="'DejaVu Sans','Noto Sans',Arial,sans-serif" font-weight="bold" font-size="{size:.1}" fill="#ffffff" text-anchor="middle">{title}</text>"##,
            r##"<rect x="70" y="262" width="260" height="40" rx="6" fill="#8c2f39"/>"##,
            r##"<text x="200" y="288" font-family="'DejaVu Sans','Noto Sans',Arial,sans-serif" font-size="17" fill="#ffffff" text-anchor="middle">{sub}</text>"##,
            r#"</svg>"#
        ),
        label = xml_escape(&format!("{title} — {subtitle}")),
        size = size,
        title = title_svg,
        sub = xml_escape(&sub),
    )
}

/// Greedy word wrap to lines of about `width` characters, at most
/// `max_lines`; overflow is cut with an ellipsis so the badge never spills.
pub(crate) fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    for line in &mut lines {
        let n = line.chars().count();
        if n > width + 6 {
            *line = line.chars().take(width + 5).collect::<String>() + "…";
        }
    }
    lines
}

/// Escapes text for XML character data and attribute values, and drops
/// characters XML 1.0 forbids (control characters other than tab/newline).
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const ISSUER: &str = "https://wcl.kg/badges/issuer";
    const CLASS: &str = "https://wcl.kg/badges/classes/felt";

    fn assertion(revoked: Option<&'static str>) -> Assertion<'static> {
        Assertion {
            id: "https://wcl.kg/badges/assertions/0190a1b2",
            badge: CLASS,
            recipient_type: RecipientType::Telephone,
            recipient_identity: "+996 555 123-456",
            salt: "s4lt",
            issued_on: Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0).unwrap(),
            evidence_url: Some("https://wcl.kg/portfolio/42"),
            revoked,
        }
    }

    #[test]
    fn hash_matches_known_sha256() {
        // sha256("abc") from FIPS 180-2, as identity "ab" + salt "c".
        assert_eq!(
            hashed_identity("ab", "c"),
            "sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // sha256("") for empty identity and salt.
        assert_eq!(
            hashed_identity("", ""),
            "sha256$e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(hashed_identity("a", "bc"), hashed_identity("a", "bd"));
    }

    #[test]
    fn canonical_identity_normalises() {
        assert_eq!(
            canonical_identity(RecipientType::Email, " Gulnara@Example.KG "),
            "gulnara@example.kg"
        );
        assert_eq!(
            canonical_identity(RecipientType::Telephone, "+996 (555) 12-34-56"),
            "+996555123456"
        );
        assert_eq!(
            canonical_identity(RecipientType::Telephone, "0555 123456"),
            "0555123456"
        );
    }

    #[test]
    fn issuer_has_required_fields() {
        let v = issuer_json(&Issuer {
            id: ISSUER,
            name: "Women Creative Labs",
            url: "https://wcl.kg",
            email: Some("hello@wcl.kg"),
            description: "Кыргызстандагы аялдар үчүн чыгармачыл лабораториялар",
        });
        assert_eq!(v["@context"], CONTEXT);
        assert_eq!(v["type"], "Issuer");
        assert_eq!(v["id"], ISSUER);
        assert_eq!(v["name"], "Women Creative Labs");
        assert_eq!(v["url"], "https://wcl.kg");
        assert_eq!(v["email"], "hello@wcl.kg");
        let no_mail = issuer_json(&Issuer {
            id: ISSUER,
            name: "x",
            url: "https://wcl.kg",
            email: None,
            description: "",
        });
        assert!(no_mail.get("email").is_none());
    }

    #[test]
    fn badge_class_has_required_fields() {
        let v = badge_class_json(&BadgeClass {
            id: CLASS,
            name: "Кийиз жасоо",
            description: "Felt making, 8 weeks",
            image: "https://wcl.kg/badges/classes/felt/image.svg",
            criteria_url: "https://wcl.kg/programmes/felt",
            criteria_narrative: "Attend 7 of 8 sessions and present one piece.",
            issuer: ISSUER,
            tags: &["felt", "craft"],
        });
        assert_eq!(v["@context"], CONTEXT);
        assert_eq!(v["type"], "BadgeClass");
        assert_eq!(v["id"], CLASS);
        assert_eq!(v["name"], "Кийиз жасоо");
        assert_eq!(v["image"], "https://wcl.kg/badges/classes/felt/image.svg");
        assert_eq!(v["criteria"]["id"], "https://wcl.kg/programmes/felt");
        assert_eq!(
            v["criteria"]["narrative"],
            "Attend 7 of 8 sessions and present one piece."
        );
        assert_eq!(v["issuer"], ISSUER);
        assert_eq!(v["tags"], json!(["felt", "craft"]));
    }

    #[test]
    fn assertion_has_required_fields_and_hashed_recipient() {
        let v = assertion_json(&assertion(None));
        assert_eq!(v["@context"], CONTEXT);
        assert_eq!(v["type"], "Assertion");
        assert_eq!(v["id"], "https://wcl.kg/badges/assertions/0190a1b2");
        assert_eq!(v["badge"], CLASS);
        assert_eq!(v["verification"], json!({"type": "hosted"}));
        assert_eq!(v["issuedOn"], "2026-11-23T04:00:00Z");
        assert_eq!(v["evidence"], "https://wcl.kg/portfolio/42");
        let r = &v["recipient"];
        assert_eq!(r["type"], "telephone");
        assert_eq!(r["hashed"], true);
        assert_eq!(r["salt"], "s4lt");
        assert_eq!(r["identity"], hashed_identity("+996555123456", "s4lt"));
        assert!(!v.to_string().contains("555"), "no clear-text phone");
        assert!(v.get("revoked").is_none());
        assert!(v.get("revocationReason").is_none());

        let mut email = assertion(None);
        email.recipient_type = RecipientType::Email;
        email.recipient_identity = "Ana@Wcl.kg";
        email.evidence_url = None;
        let v = assertion_json(&email);
        assert_eq!(v["recipient"]["type"], "email");
        assert_eq!(
            v["recipient"]["identity"],
            hashed_identity("ana@wcl.kg", "s4lt")
        );
        assert!(v.get("evidence").is_none());
    }

    #[test]
    fn revoked_assertion_says_so() {
        let v = assertion_json(&assertion(Some("Issued in error")));
        assert_eq!(v["revoked"], true);
        assert_eq!(v["revocationReason"], "Issued in error");
    }

    #[test]
    fn revocation_list() {
        let v = revocation_list_json(
            "https://wcl.kg/badges/revocations",
            ISSUER,
            &[
                ("https://wcl.kg/badges/assertions/1", "Issued in error"),
                ("https://wcl.kg/badges/assertions/2", ""),
            ],
        );
        assert_eq!(v["type"], "RevocationList");
        assert_eq!(v["issuer"], ISSUER);
        let items = v["revokedAssertions"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["revocationReason"], "Issued in error");
        assert!(items[1].get("revocationReason").is_none());
    }

    #[test]
    fn badge_svg_escapes_and_wraps() {
        let svg = badge_svg(
            "Кийиз & <жасоо> \"курсу\" жана салттуу кол өнөрчүлүгү",
            "Ош 'лаб'",
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("Кийиз &amp; &lt;жасоо&gt;"));
        assert!(svg.contains("&quot;курсу&quot;"));
        assert!(svg.contains("Ош &apos;лаб&apos;"));
        assert!(!svg.contains("<жасоо>"));
        assert!(svg.matches("<tspan").count() >= 2 && svg.matches("<tspan").count() <= 3);
        // Every '<' opens a known element: no injected markup.
        for tag in svg.split('<').skip(1) {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphabetic() || *c == '/')
                .collect();
            assert!(
                [
                    "svg", "title", "path", "circle", "text", "tspan", "rect", "/svg", "/title",
                    "/text", "/tspan"
                ]
                .contains(&name.as_str()),
                "unexpected <{name}"
            );
        }
    }

    /// Writes a sample badge to a temp file for eyeballing; the path is
    /// printed with `--nocapture`.
    #[test]
    fn writes_sample_for_inspection() {
        let path = std::env::temp_dir().join("wcl-badge-sample.svg");
        std::fs::write(
            &path,
            badge_svg("Кийиз жасоо: шырдак жана ала-кийиз", "Ош лабораториясы"),
        )
        .unwrap();
        println!("sample badge: {}", path.display());
    }

    #[test]
    fn wrap_limits_lines() {
        assert_eq!(wrap("Felt", 16, 3), vec!["Felt"]);
        assert_eq!(
            wrap("one two three four", 9, 3),
            vec!["one two", "three", "four"]
        );
        let w = wrap("a b c d e f g h i j k l m n o p q r s t", 3, 2);
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('…'));
        assert!(wrap("", 10, 3).is_empty());
    }
}
