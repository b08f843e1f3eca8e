//! Training: programmes made of modules, sessions, attendance, and the completion rule.
//! Completion is computed from attendance, never typed.
use serde::{Deserialize, Serialize};

vocabulary!(
    /// The library of module templates a coordinator composes programmes from. Titles and
    /// descriptions are translated under `topic-<code>`; `custom` is a module of her own.
    Topic {
        FinancialLiteracy = "financial-literacy",
        LegalRights = "legal-rights",
        GenderEquality = "gender-equality",
        ReproductiveHealth = "reproductive-health",
        DigitalSkills = "digital-skills",
        SocialMedia = "social-media",
        Sewing = "sewing",
        Cooking = "cooking",
        Handicraft = "handicraft",
        Design = "design",
        Hospitality = "hospitality",
        TourGuiding = "tour-guiding",
        PersonalGrowth = "personal-growth",
        Custom = "custom",
    }
);

impl Topic {
    /// Typical number of sessions for a module from the library (a starting point she can change).
    pub fn default_sessions(self) -> u32 {
        match self {
            Self::Sewing | Self::Cooking | Self::Handicraft | Self::Design => 6,
            Self::DigitalSkills | Self::SocialMedia | Self::Hospitality | Self::TourGuiding => 4,
            _ => 2,
        }
    }
}

vocabulary!(
    /// One resident at one session.
    Attendance {
        Present = "present",
        Absent = "absent",
        Excused = "excused",
    }
);

/// How a programme decides who completed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionRule {
    /// Share of the programme's sessions she must attend, in percent (0..=100).
    pub min_attendance_pct: u32,
    /// Whether she must attend (at least one session of) the final module.
    pub final_module_required: bool,
}

impl Default for CompletionRule {
    fn default() -> Self {
        Self {
            min_attendance_pct: 80,
            final_module_required: true,
        }
    }
}

/// What the rule is applied to: one resident's record in one programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    /// Sessions scheduled in the programme.
    pub sessions: u32,
    /// Sessions she was present at (excused absences do not count as attendance).
    pub attended: u32,
    /// The programme has a final module.
    pub has_final: bool,
    /// She was present at a session of the final module.
    pub attended_final: bool,
}

impl Progress {
    pub fn percent(&self) -> u32 {
        (self.attended * 100)
            .checked_div(self.sessions)
            .unwrap_or(0)
    }
}

impl CompletionRule {
    /// Integer arithmetic so that 8 of 10 at 80% completes and 79.9% does not.
    pub fn completed(&self, p: &Progress) -> bool {
        p.sessions > 0
            && p.attended * 100 >= self.min_attendance_pct * p.sessions
            && (!self.final_module_required || !p.has_final || p.attended_final)
    }

    pub fn parse_pct(s: &str) -> Result<u32, crate::Invalid> {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=100).contains(p))
            .ok_or(crate::Invalid::new("min_attendance_pct", "err-percent"))
    }
}

/// A room as typed, reduced so that "Тигүү цехи" and " тигүү  цехи " name the same room.
/// An empty room names no room (nothing can clash in it).
pub fn room_key(room: &str) -> Option<String> {
    let k = room
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    (!k.is_empty()).then_some(k)
}

/// Two bookings of the same room clash when their times overlap (one ending as the other
/// starts does not).
pub fn rooms_clash(
    a: (
        &str,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    ),
    b: (
        &str,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
    ),
) -> bool {
    matches!((room_key(a.0), room_key(b.0)), (Some(x), Some(y)) if x == y) && a.1 < b.2 && b.1 < a.2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(sessions: u32, attended: u32, has_final: bool, attended_final: bool) -> Progress {
        Progress {
            sessions,
            attended,
            has_final,
            attended_final,
        }
    }

    #[test]
    fn eighty_percent_and_the_final_module() {
        let r = CompletionRule::default();
        assert!(r.completed(&p(10, 8, true, true)));
        assert!(!r.completed(&p(10, 7, true, true)), "70% is not enough");
        assert!(!r.completed(&p(10, 10, true, false)), "final module missed");
        assert!(
            r.completed(&p(10, 8, false, false)),
            "no final module defined"
        );
        assert!(!r.completed(&p(0, 0, false, false)), "nothing scheduled");
        assert!(!r.completed(&p(3, 2, false, false)), "66% < 80%");
    }

    #[test]
    fn a_rule_without_final_module() {
        let r = CompletionRule {
            min_attendance_pct: 50,
            final_module_required: false,
        };
        assert!(r.completed(&p(4, 2, true, false)));
        assert_eq!(p(3, 2, false, false).percent(), 66);
    }

    #[test]
    fn percent_is_bounded() {
        assert!(CompletionRule::parse_pct("80").is_ok());
        assert!(CompletionRule::parse_pct("101").is_err());
        assert!(
            CompletionRule::parse_pct("0").is_err(),
            "0% would complete with no attendance"
        );
        assert!(CompletionRule::parse_pct("x").is_err());
    }

    #[test]
    fn same_room_at_overlapping_times() {
        use chrono::{TimeZone, Utc};
        let h = |h| Utc.with_ymd_and_hms(2026, 12, 10, h, 0, 0).unwrap();
        assert!(rooms_clash(
            ("Тигүү цехи", h(4), h(6)),
            (" тигүү  ЦЕХИ", h(5), h(7))
        ));
        assert!(
            !rooms_clash(("Тигүү цехи", h(4), h(6)), ("Тигүү цехи", h(6), h(7))),
            "back to back"
        );
        assert!(!rooms_clash(
            ("Зал", h(4), h(6)),
            ("Тигүү цехи", h(4), h(6))
        ));
        assert!(
            !rooms_clash(("", h(4), h(6)), ("", h(4), h(6))),
            "no room named"
        );
    }
}
