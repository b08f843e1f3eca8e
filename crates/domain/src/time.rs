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

/// What a date of a field can be: something that happened (a consent, an outcome, a payment,
/// a session held), or something planned (an event, a training session, a call, a cohort).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSpan {
    /// From [`EARLIEST`] to today.
    Past,
    /// From [`EARLIEST`] to five years ahead.
    Planned,
}

/// No record of the network can be older: the first labs opened in the 2020s, and a date before
/// this is a slip of the year (1900-01-01, 0202-…).
pub const EARLIEST: (i32, u32, u32) = (2015, 1, 1);

/// The message for a date that cannot be true for its field (every language has it).
pub const IMPLAUSIBLE: &str = "err-date-implausible";

/// `d` when it can be true for a field of `span` (today in Bishkek as `today`); otherwise the
/// [`IMPLAUSIBLE`] message on `field`.
pub fn plausible(
    field: &'static str,
    d: NaiveDate,
    span: DateSpan,
    today: NaiveDate,
) -> Result<NaiveDate, crate::Invalid> {
    let earliest = NaiveDate::from_ymd_opt(EARLIEST.0, EARLIEST.1, EARLIEST.2).unwrap_or(d);
    let latest = match span {
        DateSpan::Past => today,
        DateSpan::Planned => today
            .checked_add_months(chrono::Months::new(60))
            .unwrap_or(today),
    };
    if d < earliest || d > latest {
        Err(crate::Invalid::new(field, IMPLAUSIBLE))
    } else {
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_bounded_by_their_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert!(plausible("f", d(1900, 1, 1), DateSpan::Past, today).is_err());
        assert!(plausible("f", d(2014, 12, 31), DateSpan::Planned, today).is_err());
        assert!(plausible("f", d(2026, 12, 3), DateSpan::Past, today).is_err());
        assert!(plausible("f", d(2026, 12, 2), DateSpan::Past, today).is_ok());
        assert!(plausible("f", d(2031, 12, 2), DateSpan::Planned, today).is_ok());
        assert!(plausible("f", d(2032, 1, 1), DateSpan::Planned, today).is_err());
        assert_eq!(
            plausible("consent_date", d(1900, 1, 1), DateSpan::Past, today)
                .unwrap_err()
                .key,
            IMPLAUSIBLE
        );
    }

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
