//! Impact and learning: what happened to a woman after the lab (outcomes), and the indicators the
//! network reports against its targets. Indicators are always computed from the records
//! (`analytics::indicators`), never typed; only targets are typed.
use crate::Invalid;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// What happened to a resident, as the learning plan counts it.
    OutcomeKind {
        Job = "job",
        CareerRestart = "career-restart",
        BusinessLaunched = "business-launched",
        JointInitiative = "joint-initiative",
        Income = "income",
    }
);

vocabulary!(
    /// Who says so: she herself, or a coordinator who saw evidence.
    OutcomeSource {
        SelfReported = "self-reported",
        Verified = "verified",
    }
);

vocabulary!(
    /// Groups of indicators: one sheet each in the donors' report.
    IndicatorGroup {
        Reach = "reach",
        Residency = "residency",
        Training = "training",
        Network = "network",
        Mentoring = "mentoring",
        Funding = "funding",
        Outcomes = "outcomes",
        Change = "change",
    }
);

/// What an indicator's figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// A count of women (or of people, for attendance).
    Women,
    /// A count of things (events, sessions, certificates).
    Things,
    /// An amount in tyiyn.
    Money,
    /// A change of a scale score, in points (hundredths kept).
    Points,
}

/// One indicator of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    /// Stable code, used in URLs, targets, exports and translated as `ind-<code>`.
    pub code: &'static str,
    pub group: IndicatorGroup,
    pub unit: Unit,
    /// Sustainable Development Goals it reports on (5 gender equality, 8 decent work, 11 inclusive
    /// communities).
    pub sdg: &'static [u8],
    /// Whether it can be cut by cohort (counts of events and members cannot).
    pub by_cohort: bool,
}

const fn ind(
    code: &'static str,
    group: IndicatorGroup,
    unit: Unit,
    sdg: &'static [u8],
    by_cohort: bool,
) -> Indicator {
    Indicator {
        code,
        group,
        unit,
        sdg,
        by_cohort,
    }
}

use IndicatorGroup as G;

/// Every indicator the platform computes, in the order dashboards and reports show them.
pub const INDICATORS: &[Indicator] = &[
    ind("women-reached", G::Reach, Unit::Women, &[5], true),
    ind("women-reached-rural", G::Reach, Unit::Women, &[5, 11], true),
    ind("women-reached-urban", G::Reach, Unit::Women, &[5, 11], true),
    ind("women-reached-unknown", G::Reach, Unit::Women, &[5], true),
    ind("applications", G::Residency, Unit::Women, &[5], true),
    ind("accepted", G::Residency, Unit::Women, &[5], true),
    ind("active-residents", G::Residency, Unit::Women, &[5], true),
    ind("graduated", G::Residency, Unit::Women, &[5, 8], true),
    ind(
        "training-completions",
        G::Training,
        Unit::Women,
        &[5, 8],
        true,
    ),
    ind("certificates", G::Training, Unit::Things, &[5, 8], true),
    ind("events-held", G::Network, Unit::Things, &[11], false),
    ind("attendance", G::Network, Unit::Women, &[11], false),
    ind("network-members", G::Network, Unit::Women, &[5, 11], false),
    ind("referrals", G::Network, Unit::Women, &[11], false),
    ind(
        "mentoring-sessions",
        G::Mentoring,
        Unit::Things,
        &[5, 8],
        true,
    ),
    ind("mentored-women", G::Mentoring, Unit::Women, &[5, 8], true),
    ind("grants-awarded", G::Funding, Unit::Women, &[5, 8], true),
    ind("amount-awarded", G::Funding, Unit::Money, &[5, 8], true),
    ind("jobs", G::Outcomes, Unit::Women, &[5, 8], true),
    ind("careers-restarted", G::Outcomes, Unit::Women, &[5, 8], true),
    ind(
        "businesses-launched",
        G::Outcomes,
        Unit::Women,
        &[5, 8],
        true,
    ),
    ind("joint-initiatives", G::Outcomes, Unit::Women, &[5, 8], true),
    ind("women-earning", G::Outcomes, Unit::Women, &[5, 8], true),
    ind(
        "median-income-change",
        G::Outcomes,
        Unit::Money,
        &[5, 8],
        true,
    ),
    ind(
        "self-confidence-change",
        G::Change,
        Unit::Points,
        &[5],
        true,
    ),
    ind(
        "gender-attitudes-change",
        G::Change,
        Unit::Points,
        &[5],
        true,
    ),
];

pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

/// Fewer women than this behind a public figure and the figure is withheld, so that nobody can
/// be recognised from it.
pub const SUPPRESS_BELOW: i64 = 5;

/// A target typed by a coordinator: validated before it is stored.
pub fn parse_target(code: &str, value: &str) -> Result<(&'static Indicator, i64), Invalid> {
    let ind = indicator(code).ok_or(Invalid::new("indicator", "err-indicator"))?;
    let v = value.trim().replace([' ', '\u{a0}', '\u{202f}'], "");
    let n = match ind.unit {
        Unit::Money => crate::Money::parse_som("target", &v)
            .ok()
            .flatten()
            .map(|m| m.0),
        Unit::Points => v
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && f.abs() < 1e6)
            .map(|f| (f * 100.0).round() as i64),
        _ => v.parse::<i64>().ok(),
    };
    match n {
        Some(n) if n > 0 && n < 1_000_000_000_000 => Ok((ind, n)),
        _ => Err(Invalid::new("target", "err-target")),
    }
}

/// An income typed in som (`15 000`, `15000.50`): tyiyn.
pub fn parse_income(s: &str) -> Result<i64, Invalid> {
    let v = s.trim().replace(['\u{a0}', '\u{202f}'], "");
    match crate::Money::parse_som("amount", &v) {
        Ok(Some(m)) if m.0 < 100_000_000 * 100 => Ok(m.0),
        _ => Err(Invalid::new("amount", "err-income")),
    }
}

/// Age bands of the baseline profile (positive deviance compares women of the same band).
pub fn age_band(birth_year: Option<i32>, year: i32) -> &'static str {
    match birth_year.map(|b| year - b) {
        None => "unknown",
        Some(a) if a < 25 => "under-25",
        Some(a) if a < 35 => "25-34",
        Some(a) if a < 45 => "35-44",
        Some(_) => "45-plus",
    }
}

/// Income bands of the baseline profile, in tyiyn.
pub fn income_band(monthly: Option<i64>) -> &'static str {
    match monthly {
        None => "unknown",
        Some(0) => "none",
        Some(t) if t < 10_000 * 100 => "under-10000",
        Some(t) if t < 20_000 * 100 => "10000-19999",
        Some(_) => "20000-plus",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_and_found() {
        let mut codes: Vec<_> = INDICATORS.iter().map(|i| i.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), INDICATORS.len());
        assert_eq!(indicator("jobs").unwrap().group, IndicatorGroup::Outcomes);
        assert!(indicator("nope").is_none());
    }

    #[test]
    fn targets_are_positive_numbers_in_the_indicator_unit() {
        assert_eq!(parse_target("women-reached-rural", "200").unwrap().1, 200);
        assert_eq!(
            parse_target("amount-awarded", "1 500 000").unwrap().1,
            150_000_000
        );
        assert_eq!(parse_target("self-confidence-change", "0,5").unwrap().1, 50);
        assert!(parse_target("events-held", "-3").is_err());
        assert!(parse_target("events-held", "many").is_err());
        assert!(parse_target("events-held", "0").is_err());
        assert_eq!(parse_target("nope", "3").unwrap_err().key, "err-indicator");
    }

    #[test]
    fn bands() {
        assert_eq!(age_band(Some(2004), 2026), "under-25");
        assert_eq!(age_band(Some(1990), 2026), "35-44");
        assert_eq!(age_band(None, 2026), "unknown");
        assert_eq!(income_band(Some(0)), "none");
        assert_eq!(income_band(Some(15_000 * 100)), "10000-19999");
        assert_eq!(parse_income("15 000").unwrap(), 1_500_000);
        assert!(parse_income("-5").is_err());
        assert!(parse_income("abc").is_err());
    }
}
