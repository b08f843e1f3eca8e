//! Time as people in the labs read it. Kyrgyzstan keeps UTC+6 all year (no daylight saving since
//! 2005), so a fixed offset is exact and avoids shipping the whole tz database.
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn bishkek() -> FixedOffset {
    FixedOffset::east_opt(6 * 3600).expect("valid offset")
}

/// Today's date in Bishkek.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&bishkek()).date_naive()
}

/// `23.11.2026`: how dates are written in Kyrgyzstan in all three languages.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// `23.11.2026 16:30` in Bishkek time.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.with_timezone(&bishkek())
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// Accepts `2026-11-23` (the HTML date input) and `23.11.2026` (typed by hand).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn bishkek_is_six_hours_ahead() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 20, 30, 0).unwrap();
        assert_eq!(format_datetime(t), "24.11.2026 02:30");
    }

    #[test]
    fn parses_both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(parse_date("2026-03-08"), Some(d));
        assert_eq!(parse_date(" 08.03.2026 "), Some(d));
        assert_eq!(parse_date("8 March"), None);
        assert_eq!(format_date(d), "08.03.2026");
    }
}
