//! RFC 5545 calendar feeds.
//!
//! Residents subscribe to a lab's programme from the calendar app on their
//! phone, so the feed has to satisfy the strictest common readers (Google
//! Calendar, Apple Calendar, Outlook, Thunderbird):
//!
//! - CRLF line endings and lines folded at 75 *octets* (RFC 5545 §3.1).
//!   Kyrgyz and Russian text is two bytes per Cyrillic letter, so folding by
//!   characters would overflow and folding by bytes blindly would cut a letter
//!   in half; [`fold_line`] cuts only on UTF-8 character boundaries.
//! - TEXT values escaped (§3.3.11), see [`escape_text`].
//! - Times given as local wall-clock time with `TZID=Asia/Bishkek` plus a
//!   matching `VTIMEZONE`, so an event at 10:00 in Osh shows at 10:00 even on
//!   a phone set to another zone, and readers that do not know the Olson name
//!   still get the offset. Kyrgyzstan has been UTC+6 without daylight saving
//!   since 2005, so one `STANDARD` sub-component describes it fully for every
//!   event the platform can schedule.
//! - `DTSTAMP` and `LAST-MODIFIED` come from the event's own `updated` time,
//!   not from the clock, so the same data always yields the same bytes (stable
//!   ETags, reproducible tests).

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// The time zone every wcl lab is in.
pub const TZID: &str = "Asia/Bishkek";

/// Asia/Bishkek's offset from UTC in hours (fixed, no DST).
const BISHKEK_OFFSET_HOURS: i64 = 6;

/// Maximum length of one physical line in octets, excluding the CRLF.
const MAX_LINE_OCTETS: usize = 75;

/// One event in a calendar feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalEvent {
    /// Globally unique and stable across edits, so clients update the event
    /// in place instead of duplicating it (e.g. `"<uuid>@wcl.kg"`).
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub url: Option<String>,
    /// Cancelled events stay in the feed with `STATUS:CANCELLED`: dropping
    /// them would leave stale copies in subscribers' calendars.
    pub cancelled: bool,
    /// Incremented on every significant change; clients use it to decide
    /// which copy of an event is newer.
    pub sequence: u32,
    /// Last modification; used for `DTSTAMP` and `LAST-MODIFIED`.
    pub updated: DateTime<Utc>,
}

/// Renders a complete `VCALENDAR` for `events`, named `name` in clients
/// that show a feed title (`X-WR-CALNAME`).
///
/// The result uses CRLF line endings, every physical line is at most 75
/// octets, and it ends with a CRLF after `END:VCALENDAR`.
pub fn calendar(name: &str, events: &[CalEvent]) -> String {
    let mut out = String::with_capacity(512 + events.len() * 512);
    let mut line = |s: &str| {
        out.push_str(&fold_line(s));
        out.push_str("\r\n");
    };

    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Women Creative Labs//wcl//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape_text(name)));
    line(&format!("X-WR-TIMEZONE:{TZID}"));
    // Hints for subscribing clients on how often to re-fetch the feed.
    line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    line("X-PUBLISHED-TTL:PT1H");

    line("BEGIN:VTIMEZONE");
    line(&format!("TZID:{TZID}"));
    line("BEGIN:STANDARD");
    line("TZOFFSETFROM:+0600");
    line("TZOFFSETTO:+0600");
    line("TZNAME:+06");
    line("DTSTART:19700101T000000");
    line("END:STANDARD");
    line("END:VTIMEZONE");

    for e in events {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape_text(&e.uid)));
        line(&format!("DTSTAMP:{}", utc_stamp(e.updated)));
        line(&format!("DTSTART;TZID={TZID}:{}", bishkek_local(e.start)));
        line(&format!("DTEND;TZID={TZID}:{}", bishkek_local(e.end)));
        line(&format!("SUMMARY:{}", escape_text(&e.summary)));
        if !e.description.is_empty() {
            line(&format!("DESCRIPTION:{}", escape_text(&e.description)));
        }
        if !e.location.is_empty() {
            line(&format!("LOCATION:{}", escape_text(&e.location)));
        }
        if let Some(url) = e.url.as_deref().map(clean_uri).filter(|u| !u.is_empty()) {
            line(&format!("URL:{url}"));
        }
        line(if e.cancelled {
            "STATUS:CANCELLED"
        } else {
            "STATUS:CONFIRMED"
        });
        line(&format!("SEQUENCE:{}", e.sequence));
        line(&format!("LAST-MODIFIED:{}", utc_stamp(e.updated)));
        line("END:VEVENT");
    }

    line("END:VCALENDAR");
    out
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma
/// get a backslash, any line break (CRLF, LF or CR) becomes the two
/// characters `\n`.
///
/// Other control characters are not allowed in TEXT at all and are dropped
/// (a stray one, pasted from a word processor, makes strict parsers reject
/// the whole feed); tab is allowed and kept.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one logical content line (without its CRLF) into physical lines of
/// at most 75 octets, joined by CRLF + space (RFC 5545 §3.1).
///
/// The leading space of a continuation line counts towards its 75 octets, so
/// continuations carry at most 74 octets of content. Cuts are made only on
/// UTF-8 character boundaries: a Cyrillic letter is never split across lines.
pub fn fold_line(line: &str) -> String {
    if line.len() <= MAX_LINE_OCTETS {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 3);
    let mut rest = line;
    let mut limit = MAX_LINE_OCTETS;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = MAX_LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out
}

/// `DATE-TIME` in UTC form, e.g. `20261123T040000Z`.
fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `DATE-TIME` as Bishkek wall-clock time without a zone suffix, for use
/// with `;TZID=Asia/Bishkek`.
fn bishkek_local(t: DateTime<Utc>) -> String {
    let local: NaiveDateTime = t.naive_utc() + TimeDelta::hours(BISHKEK_OFFSET_HOURS);
    local.format("%Y%m%dT%H%M%S").to_string()
}

/// A URI value is not TEXT and must not be escaped, but whitespace or a
/// control character in it would break the line structure, so drop those.
fn clean_uri(u: &str) -> String {
    u.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use icalendar::parser::{Component, read_calendar, unfold};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn sample() -> Vec<CalEvent> {
        vec![
            CalEvent {
                uid: "0190a1b2-0000-7000-8000-000000000001@wcl.kg".into(),
                start: utc(2026, 11, 23, 4, 0),
                end: utc(2026, 11, 23, 6, 30),
                summary: "Кийиз жасоо: оюм-чийим, түстөр; техника".into(),
                description: "Өмүрбекова Гүлнара жетектейт.\nАлып келиңиз: жүн, самын, \
                              сүлгү. Баардык деңгээлдеги катышуучулар үчүн ачык — \
                              тажрыйба талап кылынбайт. C:\\path"
                    .into(),
                location: "Ош, Ленин көчөсү 205, 3-кабат".into(),
                url: Some("https://wcl.kg/events/felt-1?lang=ky".into()),
                cancelled: false,
                sequence: 2,
                updated: utc(2026, 11, 1, 8, 15),
            },
            CalEvent {
                uid: "evt-2@wcl.kg".into(),
                start: utc(2026, 12, 31, 20, 0),
                end: utc(2027, 1, 1, 0, 0),
                summary: "Ceramics".into(),
                description: String::new(),
                location: String::new(),
                url: None,
                cancelled: true,
                sequence: 0,
                updated: utc(2026, 12, 1, 0, 0),
            },
        ]
    }

    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') | Some('N') => out.push('\n'),
                    Some(o) => out.push(o),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn escapes_text_specials() {
        assert_eq!(escape_text(r"a\b"), r"a\\b");
        assert_eq!(escape_text("a;b,c"), r"a\;b\,c");
        assert_eq!(
            escape_text("one\ntwo\r\nthree\rfour"),
            r"one\ntwo\nthree\nfour"
        );
        assert_eq!(escape_text("tab\there\u{7}bell"), "tab\therebell");
        assert_eq!(escape_text("Ош: «Кийиз»"), "Ош: «Кийиз»");
        for s in ["", "x", "a\\;,\nb", "Өмүрбекова, Гүлнара; ң\\ө"] {
            assert_eq!(unescape(&escape_text(s)), s);
        }
    }

    #[test]
    fn folds_cyrillic_on_char_boundaries() {
        // 1 ASCII byte first so that the 2-byte letters straddle octet 75.
        let line = format!(
            "DESCRIPTION:{}",
            "Өмүрбекова Гүлнара ң ө ү Ң Ө Ү ".repeat(12)
        );
        let folded = fold_line(&line);
        let physical: Vec<&str> = folded.split("\r\n").collect();
        assert!(physical.len() > 5);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "line {i} has {} octets", p.len());
            if i > 0 {
                assert!(p.starts_with(' '));
            }
            // Filled up as far as a character boundary allows.
            if i + 1 < physical.len() {
                assert!(p.len() >= 73, "line {i} only {} octets", p.len());
            }
        }
        assert_eq!(folded.replace("\r\n ", ""), line);
    }

    #[test]
    fn short_lines_are_not_folded() {
        let s = "X".repeat(75);
        assert_eq!(fold_line(&s), s);
        let s = "X".repeat(76);
        assert_eq!(fold_line(&s), format!("{}\r\n X", "X".repeat(75)));
        // A 4-byte character right at the boundary moves whole.
        let s = format!("{}😀", "X".repeat(73));
        assert_eq!(fold_line(&s), format!("{}\r\n 😀", "X".repeat(73)));
    }

    #[test]
    fn output_is_crlf_and_at_most_75_octets_per_line() {
        let out = calendar("Women Creative Labs — Ош", &sample());
        assert!(out.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(out.ends_with("END:VCALENDAR\r\n"));
        assert!(!out.replace("\r\n", "").contains('\n'));
        assert!(!out.replace("\r\n", "").contains('\r'));
        for l in out.strip_suffix("\r\n").unwrap().split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
            assert!(!l.is_empty());
        }
    }

    #[test]
    fn contains_required_calendar_properties() {
        let out = calendar("WCL, Osh", &sample());
        let unfolded = out.replace("\r\n ", "");
        let lines: Vec<&str> = unfolded.split("\r\n").collect();
        for expected in [
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:WCL\\, Osh",
            "X-WR-TIMEZONE:Asia/Bishkek",
            "BEGIN:VTIMEZONE",
            "TZID:Asia/Bishkek",
            "TZOFFSETFROM:+0600",
            "TZOFFSETTO:+0600",
            "TZNAME:+06",
            "DTSTART:19700101T000000",
            "DTSTAMP:20261101T081500Z",
            "LAST-MODIFIED:20261101T081500Z",
            "DTSTART;TZID=Asia/Bishkek:20261123T100000",
            "DTEND;TZID=Asia/Bishkek:20261123T123000",
            // 20:00 UTC on New Year's Eve is already 2027 in Bishkek.
            "DTSTART;TZID=Asia/Bishkek:20270101T020000",
            "STATUS:CONFIRMED",
            "STATUS:CANCELLED",
            "SEQUENCE:2",
            "URL:https://wcl.kg/events/felt-1?lang=ky",
        ] {
            assert!(lines.contains(&expected), "missing {expected}\n{out}");
        }
        assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
        assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 2);
        assert_eq!(lines.iter().filter(|l| **l == "END:VEVENT").count(), 2);
        // Empty optional fields are left out rather than emitted blank.
        assert_eq!(lines.iter().filter(|l| l.starts_with("URL:")).count(), 1);
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("LOCATION:")).count(),
            1
        );
    }

    #[test]
    fn empty_calendar_is_valid() {
        let out = calendar("Empty", &[]);
        let unfolded = unfold(&out);
        let cal = read_calendar(&unfolded).expect("parses");
        assert_eq!(cal.components.len(), 1);
        assert_eq!(cal.components[0].name, "VTIMEZONE");
    }

    #[test]
    fn round_trips_through_icalendar_parser() {
        let events = sample();
        let out = calendar("Кийиз; буюмдар, Ош", &events);
        let unfolded = unfold(&out);
        let cal = read_calendar(&unfolded).expect("icalendar parses our output");

        let prop = |c: &Component, name: &str| -> String {
            c.find_prop(name)
                .unwrap_or_else(|| panic!("{name} missing"))
                .val
                .clone()
                .unescape_text()
                .as_str()
                .to_owned()
        };
        let calname = cal
            .properties
            .iter()
            .find(|p| p.name == "X-WR-CALNAME")
            .unwrap();
        assert_eq!(
            calname.val.clone().unescape_text().as_str(),
            "Кийиз; буюмдар, Ош"
        );

        let vevents: Vec<&Component> = cal
            .components
            .iter()
            .filter(|c| c.name == "VEVENT")
            .collect();
        assert_eq!(vevents.len(), 2);
        assert!(cal.components.iter().any(|c| c.name == "VTIMEZONE"
            && c.components.iter().any(|s| s.name == "STANDARD")));

        let e = vevents[0];
        assert_eq!(prop(e, "UID"), events[0].uid);
        assert_eq!(prop(e, "SUMMARY"), events[0].summary);
        assert_eq!(prop(e, "DESCRIPTION"), events[0].description);
        assert_eq!(prop(e, "LOCATION"), events[0].location);
        assert_eq!(prop(e, "URL"), events[0].url.clone().unwrap());
        assert_eq!(prop(e, "STATUS"), "CONFIRMED");
        assert_eq!(prop(e, "SEQUENCE"), "2");
        let dtstart = e.find_prop("DTSTART").unwrap();
        assert_eq!(dtstart.val.as_str(), "20261123T100000");
        let tzid = dtstart.params.iter().find(|p| p.key == "TZID").unwrap();
        assert_eq!(tzid.val.as_ref().unwrap().as_str(), "Asia/Bishkek");

        assert_eq!(prop(vevents[1], "STATUS"), "CANCELLED");
        assert!(vevents[1].find_prop("DESCRIPTION").is_none());
    }

    #[test]
    fn url_cannot_break_lines() {
        let mut events = sample();
        events[0].url = Some("https://wcl.kg/x\r\nSTATUS:CANCELLED".into());
        let out = calendar("x", &events[..1]);
        assert!(!out.contains("\r\nSTATUS:CANCELLED"));
        assert!(out.contains("URL:https://wcl.kg/xSTATUS:CANCELLED\r\n"));
    }
}
