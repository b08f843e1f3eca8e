//! Messages to a woman over the channels she chose: the channels, the templates a message may
//! be made from, the audiences of a group message, and SMS segment counting (GSM-7 or UCS-2).
use serde::{Deserialize, Serialize};

/// A way to reach her. Her order of preference decides which is tried first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Telegram,
    Sms,
    Email,
}

impl Channel {
    pub const ALL: &'static [Self] = &[Self::Telegram, Self::Sms, Self::Email];

    pub fn code(self) -> &'static str {
        match self {
            Self::Telegram => "telegram",
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == s)
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The messages wcl sends, each a Fluent message `msg-<key>` in every language (with a
/// `msg-<key>-subject` for email). `text` is a coordinator's own words.
pub const TEMPLATES: &[&str] = &[
    "application-received",
    "residency-accepted",
    "residency-declined",
    "certificate-issued",
    "mentor-match",
    "survey-due",
    "grant-decision",
    "invitation",
    "password-reset",
    "lab-news",
    "text",
    "event-confirmed",
    "event-waitlisted",
    "event-promoted",
    "event-reminder-today",
    "event-reminder-tomorrow",
    "event-reminder-date",
    "event-cancelled",
    "cohort-start",
    "session-reminder",
    "booking-reminder",
    "tranche-paid",
    "pledge-paid",
    "pledge-refunded",
    "pledge-instructions",
    "grant-awarded",
    "grant-declined",
];

/// Templates a coordinator may pick for a group message (the rest are sent by wcl itself).
pub const GROUP_TEMPLATES: &[&str] = &["lab-news", "survey-due", "text"];

pub fn is_template(key: &str) -> bool {
    TEMPLATES.contains(&key)
}

/// Who a group message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// The residents placed in one cohort (`audience_ref` names it).
    Cohort,
    /// The residents enrolled in one programme.
    Programme,
    /// Every woman of the lab with an open residency.
    Lab,
    /// The people registered for one event.
    Event,
}

impl Audience {
    pub const ALL: &'static [Self] = &[Self::Cohort, Self::Programme, Self::Lab, Self::Event];

    pub fn code(self) -> &'static str {
        match self {
            Self::Cohort => "cohort",
            Self::Programme => "programme",
            Self::Lab => "lab",
            Self::Event => "event",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == s)
    }
}

/// How an SMS text is encoded: GSM-7 (160 characters, 153 per part of a long message) or UCS-2
/// for anything else, Cyrillic included (70, 67 per part).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// Septets a character takes in GSM-7 (an extended one takes two), or `None` if it has none.
fn gsm_len(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

pub fn sms_encoding(text: &str) -> SmsEncoding {
    if text.chars().all(|c| gsm_len(c).is_some()) {
        SmsEncoding::Gsm7
    } else {
        SmsEncoding::Ucs2
    }
}

/// Units a character takes: septets in GSM-7, 16-bit code units in UCS-2 (a character outside
/// the basic plane, an emoji say, takes two).
fn units(c: char, enc: SmsEncoding) -> usize {
    match enc {
        SmsEncoding::Gsm7 => gsm_len(c).unwrap_or(1),
        SmsEncoding::Ucs2 => c.len_utf16(),
    }
}

/// The parts a text is sent in: one part if it fits a single SMS (160 / 70 units), otherwise
/// parts of at most 153 / 67 units, never splitting a character.
pub fn split_sms(text: &str) -> Vec<String> {
    let enc = sms_encoding(text);
    let (single, part) = match enc {
        SmsEncoding::Gsm7 => (160, 153),
        SmsEncoding::Ucs2 => (70, 67),
    };
    let total: usize = text.chars().map(|c| units(c, enc)).sum();
    if total <= single {
        return vec![text.to_string()];
    }
    let mut parts = vec![];
    let mut cur = String::new();
    let mut n = 0;
    for c in text.chars() {
        let u = units(c, enc);
        if n + u > part {
            parts.push(std::mem::take(&mut cur));
            n = 0;
        }
        cur.push(c);
        n += u;
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// How many SMS a text costs.
pub fn sms_segments(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    split_sms(text).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_is_gsm7_and_cyrillic_is_ucs2() {
        assert_eq!(sms_encoding("Hello, Aizhan!"), SmsEncoding::Gsm7);
        assert_eq!(sms_encoding("Салам, Айжан!"), SmsEncoding::Ucs2);
        assert_eq!(sms_encoding("Өңүү"), SmsEncoding::Ucs2);
    }

    #[test]
    fn segments_are_counted_by_encoding() {
        assert_eq!(sms_segments(""), 0);
        assert_eq!(sms_segments(&"a".repeat(160)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        assert_eq!(sms_segments(&"a".repeat(306)), 2);
        assert_eq!(sms_segments(&"a".repeat(307)), 3);
        // An extended character takes two septets.
        assert_eq!(sms_segments(&"€".repeat(80)), 1);
        assert_eq!(sms_segments(&"€".repeat(81)), 2);
        assert_eq!(sms_segments(&"ө".repeat(70)), 1);
        assert_eq!(sms_segments(&"ө".repeat(71)), 2);
        assert_eq!(sms_segments(&"ө".repeat(134)), 2);
        assert_eq!(sms_segments(&"ө".repeat(135)), 3);
        let parts = split_sms(&"ң".repeat(135));
        assert_eq!(
            parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            vec![67, 67, 1]
        );
        assert_eq!(parts.concat(), "ң".repeat(135));
    }

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(*c));
        }
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.code()), Some(*a));
        }
        assert!(GROUP_TEMPLATES.iter().all(|t| is_template(t)));
    }
}
