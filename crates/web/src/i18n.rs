//! Languages of the interface: Kyrgyz, Russian and English, from Fluent files in `locales/`.
//! The language comes from the `lang` cookie (set by the switcher on every page), else from
//! Accept-Language, else Kyrgyz.
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Ky,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Ky, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ky => "ky",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ky => "Кыргызча",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ky" | "kir" => Some(Lang::Ky),
            "ru" | "rus" => Some(Lang::Ru),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of our languages for an Accept-Language header, by its q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("");
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l)
    }

    fn id(self) -> LanguageIdentifier {
        self.code().parse().expect("valid language id")
    }

    /// The message for `key`; a missing key shows itself (and a test makes sure none is missing).
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.id(), key)
            .unwrap_or_else(|| key.to_string())
    }

    pub fn t_args(self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Owned(k.to_string()), v.clone()))
            .collect();
        LOCALES
            .try_lookup_with_args(&self.id(), key, &map)
            .unwrap_or_else(|| key.to_string())
    }

    /// Whether `key` resolves (messages with a count get `n = 1` to resolve).
    pub fn has(self, key: &str) -> bool {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed("n"), FluentValue::from(1));
        // Lookup fails on a missing variable, so give every variable the messages use.
        for v in [
            "name",
            "event",
            "when",
            "place",
            "link",
            "code",
            "date",
            "her",
            "median",
            "times",
            "until",
            "reason",
            "title",
            "text",
            "url",
            "lab",
            "campaign",
            "amount",
            "reference",
            "details",
            "pct",
            "modules",
            "sales",
            "reported",
            "call",
            "goal",
            "total",
            "page",
            "pages",
            "shown",
        ] {
            args.insert(Cow::Borrowed(v), FluentValue::from("x"));
        }
        LOCALES
            .try_lookup_with_args(&self.id(), key, &args)
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_our_best() {
        assert_eq!(
            Lang::from_accept_language("ru-RU,ru;q=0.9,en;q=0.8"),
            Some(Lang::Ru)
        );
        assert_eq!(Lang::from_accept_language("ky-KG"), Some(Lang::Ky));
        assert_eq!(
            Lang::from_accept_language("de-DE,en;q=0.5,ru;q=0.7"),
            Some(Lang::Ru)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    fn keys(file: &str) -> Vec<String> {
        let mut k: Vec<String> = file
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '\t', '.', '*', '[']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or("").trim().to_string())
            .collect();
        k.sort();
        k
    }

    /// All messages of a language, from every `.ftl` file of its folder (one file per context).
    fn lang_keys(code: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(code);
        let mut all = vec![];
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                all.extend(keys(&std::fs::read_to_string(&path).unwrap()));
            }
        }
        all.sort();
        let n = all.len();
        all.dedup();
        assert_eq!(n, all.len(), "a key is defined twice in {code}");
        all
    }

    /// Every message exists in every language, so no page falls back to a key or to English.
    #[test]
    fn every_key_in_every_language() {
        let en = lang_keys("en");
        let ky = lang_keys("ky");
        let ru = lang_keys("ru");
        let missing = |other: &[String]| -> Vec<String> {
            en.iter().filter(|k| !other.contains(k)).cloned().collect()
        };
        assert!(missing(&ky).is_empty(), "missing in ky: {:?}", missing(&ky));
        assert!(missing(&ru).is_empty(), "missing in ru: {:?}", missing(&ru));
        let extra: Vec<_> = ky
            .iter()
            .chain(ru.iter())
            .filter(|k| !en.contains(k))
            .collect();
        assert!(extra.is_empty(), "keys not in en: {extra:?}");
        for lang in Lang::ALL {
            for k in &en {
                assert!(lang.has(k), "{k} does not resolve in {}", lang.code());
            }
        }
    }

    /// Every error key the domain can produce has a message.
    #[test]
    fn domain_error_keys_are_translated() {
        for key in [
            "err-phone",
            "err-name",
            "err-required",
            "err-slug",
            "err-birth-year",
            "err-email",
            "err-money",
        ] {
            for lang in Lang::ALL {
                assert!(lang.has(key), "{key} in {}", lang.code());
            }
        }
    }
}
