//! The one rule for typed text and file names: what a person may type into a free-text field.
//!
//! Refused everywhere: NUL and every other control character except line breaks and tabs (which a
//! multi-line field keeps and a one-line field turns into a space), bidirectional overrides and
//! isolates (U+202A–U+202E, U+2066–U+2069), which make "cod.exe" look like "exe.doc", and the other
//! invisible format characters (zero-width space, word joiner, byte-order mark, …). Zero-width
//! joiners (U+200C, U+200D) stay: emoji and some scripts need them.

/// The message key for text that breaks the rule (every language has it).
pub const BAD_TEXT: &str = "err-bad-text";

/// The first character the rule refuses, if any.
pub fn forbidden(s: &str) -> Option<char> {
    s.chars().find(|&c| is_forbidden(c))
}

/// True for a character no typed text may hold.
pub fn is_forbidden(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        c if c.is_control() => true, // C0, DEL, C1 (NUL included)
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true, // bidi overrides, isolates
        '\u{200E}' | '\u{200F}' | '\u{061C}' => true, // invisible direction marks
        '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{206A}'..='\u{206F}' => true,
        '\u{FEFF}' | '\u{180E}' | '\u{00AD}' | '\u{034F}' => true,
        '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}' => true,
        _ => false,
    }
}

/// Ok when `s` keeps the rule, otherwise the [`BAD_TEXT`] message on `field`.
pub fn check(field: &'static str, s: &str) -> Result<(), crate::Invalid> {
    match forbidden(s) {
        None => Ok(()),
        Some(_) => Err(crate::Invalid::new(field, BAD_TEXT)),
    }
}

/// A file name as it may be kept and shown: the rule above, no line breaks or tabs, no path, not
/// empty. `None` when it breaks the rule (the upload is refused with [`BAD_TEXT`]).
pub fn file_name(s: &str) -> Option<String> {
    if forbidden(s).is_some() || s.contains(['\t', '\n', '\r']) {
        return None;
    }
    let base = s.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base == "." || base == ".." {
        return None;
    }
    Some(base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_refused() {
        for bad in [
            "a\0b",
            "a\u{7}b",
            "a\u{1b}[31m",
            "a\u{7f}",
            "a\u{85}",
            "invoice\u{202E}fdp.exe",
            "x\u{2066}y",
            "x\u{2069}",
            "Ай\u{200B}гүл",
            "\u{FEFF}name",
            "a\u{200F}b",
        ] {
            assert!(check("f", bad).is_err(), "{bad:?}");
        }
        for good in [
            "Айгүл Токтогулова",
            "line one\nline two\r\n\ttabbed",
            "👩‍💻 maker", // ZWJ sequence
            "Ö'zbek, ғ қ ң ү ө",
        ] {
            assert!(check("f", good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn file_names_lose_paths_and_refuse_tricks() {
        assert_eq!(
            file_name("C:\\Users\\a\\quote.pdf").as_deref(),
            Some("quote.pdf")
        );
        assert_eq!(file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(file_name("photo\u{202E}gpj.exe"), None);
        assert_eq!(file_name("a\nb.pdf"), None);
        assert_eq!(file_name("nul\0.pdf"), None);
        assert_eq!(file_name(".."), None);
    }
}
