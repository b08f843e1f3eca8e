//! Seed funding: the vocabularies of a grant round, what makes a call and an application valid,
//! the life of an application, and the arithmetic rules of awards, tranches and payments.
//! Ranking and the proposal of awards are computed in `analytics::grants`.
use crate::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// A call is prepared (draft), takes applications (open), is reviewed (closed), and ends
    /// when the coordinator has decided every application (decided).
    CallStatus {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
        Decided = "decided",
    }
);

vocabulary!(
    /// What the venture does (creative industries the labs work in).
    Category {
        Sewing = "sewing",
        Food = "food",
        Handicraft = "handicraft",
        Design = "design",
        DigitalServices = "digital-services",
        Tourism = "tourism",
        Hospitality = "hospitality",
        Other = "other",
    }
);

vocabulary!(
    ApplicationStatus {
        Draft = "draft",
        Submitted = "submitted",
        Withdrawn = "withdrawn",
        Awarded = "awarded",
        Declined = "declined",
    }
);

vocabulary!(
    PaymentChannel {
        Cash = "cash",
        Bank = "bank",
        Mobile = "mobile",
    }
);

vocabulary!(
    ReportStatus {
        Submitted = "submitted",
        Accepted = "accepted",
        MoreRequested = "more-requested",
    }
);

vocabulary!(
    /// A business of one woman, or a joint initiative of several residents.
    VentureKind {
        Business = "business",
        JointInitiative = "joint-initiative",
    }
);

vocabulary!(
    VentureStatus {
        Planned = "planned",
        Launched = "launched",
        Closed = "closed",
    }
);

impl CallStatus {
    /// The moves a coordinator makes by hand; `Decided` is reached only by deciding the round.
    pub fn can_move(self, to: CallStatus) -> bool {
        use CallStatus::*;
        matches!(
            (self, to),
            (Draft, Open) | (Open, Closed) | (Closed, Open) | (Open, Draft)
        )
    }
}

impl ApplicationStatus {
    /// The life of an application: a draft is submitted or withdrawn; a submitted one is
    /// withdrawn by her, or decided (awarded or declined) by the coordinator. Nothing else moves.
    pub fn can_move(self, to: ApplicationStatus) -> bool {
        use ApplicationStatus::*;
        matches!(
            (self, to),
            (Draft, Submitted)
                | (Draft, Withdrawn)
                | (Submitted, Withdrawn)
                | (Submitted, Awarded)
                | (Submitted, Declined)
        )
    }

    /// Only a draft can be edited (by her, her team's lead, or the coordinator with her).
    pub fn editable(self) -> bool {
        self == ApplicationStatus::Draft
    }
}

/// The limits of the forms.
pub const MAX_CRITERIA: usize = 6;
pub const MAX_BUDGET_LINES: usize = 8;
pub const MAX_TEAM: usize = 6;
pub const MAX_TRANCHES: usize = 4;
/// Attachments: at most this many bytes each, at most `MAX_ATTACHMENTS` per application.
pub const MAX_ATTACHMENT_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_ATTACHMENTS: usize = 6;

/// One scoring criterion as a call defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionSpec {
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub guidance_ky: String,
    pub guidance_ru: String,
    pub guidance_en: String,
    /// Relative weight (1..=100); the ranking divides by the sum.
    pub weight: i64,
    /// Points a reviewer can give (1..=100).
    pub max_points: i64,
}

/// The money and dates of a call, checked together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTerms {
    pub budget: i64,
    pub min_award: i64,
    pub max_award: i64,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// Every problem of a call's terms and criteria (empty when valid).
pub fn check_call(terms: &CallTerms, criteria: &[CriterionSpec]) -> Vec<Invalid> {
    let mut errs = vec![];
    if terms.budget <= 0 {
        errs.push(Invalid::new("budget", "err-grant-budget"));
    }
    if terms.min_award <= 0 {
        errs.push(Invalid::new("min_award", "err-grant-min"));
    }
    if terms.max_award < terms.min_award || terms.max_award > terms.budget {
        errs.push(Invalid::new("max_award", "err-grant-max"));
    }
    if terms.closes_on < terms.opens_on {
        errs.push(Invalid::new("closes_on", "err-grant-dates"));
    }
    if criteria.is_empty() {
        errs.push(Invalid::new("criteria", "err-grant-criteria"));
    }
    for c in criteria {
        let named = [&c.name_ky, &c.name_ru, &c.name_en]
            .iter()
            .any(|n| !n.trim().is_empty());
        if !named || !(1..=100).contains(&c.weight) || !(1..=100).contains(&c.max_points) {
            errs.push(Invalid::new("criteria", "err-grant-criterion"));
            break;
        }
    }
    errs
}

/// What must hold before an application can be submitted: a title and an idea, the amount
/// within the call's limits, and budget lines that add up to the amount requested.
pub fn check_submission(
    title: &str,
    idea: &str,
    requested: i64,
    lines_total: i64,
    min_award: i64,
    max_award: i64,
) -> Vec<Invalid> {
    let mut errs = vec![];
    if title.trim().is_empty() {
        errs.push(Invalid::new("title", "err-required"));
    }
    if idea.trim().is_empty() {
        errs.push(Invalid::new("idea", "err-required"));
    }
    if requested < min_award || requested > max_award {
        errs.push(Invalid::new("requested", "err-grant-requested"));
    }
    if lines_total != requested {
        errs.push(Invalid::new("lines", "err-grant-lines-sum"));
    }
    errs
}

/// A tranche plan must pay exactly the award, in positive parts.
pub fn check_tranches(award: i64, amounts: &[i64]) -> Result<(), Invalid> {
    if amounts.is_empty() || amounts.len() > MAX_TRANCHES || amounts.iter().any(|a| *a <= 0) {
        return Err(Invalid::new("tranches", "err-grant-tranche-amount"));
    }
    if amounts.iter().sum::<i64>() != award {
        return Err(Invalid::new("tranches", "err-grant-tranches-sum"));
    }
    Ok(())
}

/// Whether a payment (or a reversal, negative) keeps the tranche's paid total within 0..=amount.
pub fn payment_fits(tranche_amount: i64, paid: i64, amount: i64) -> bool {
    amount != 0 && (0..=tranche_amount).contains(&(paid + amount))
}

/// What kind of venture an award funds: a joint initiative when other residents are on the team.
pub fn venture_kind(team_members: usize) -> VentureKind {
    if team_members > 0 {
        VentureKind::JointInitiative
    } else {
        VentureKind::Business
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn crit() -> CriterionSpec {
        CriterionSpec {
            name_ky: "Ишке ашуусу".into(),
            name_ru: "Жизнеспособность".into(),
            name_en: "Viability".into(),
            guidance_ky: String::new(),
            guidance_ru: String::new(),
            guidance_en: String::new(),
            weight: 3,
            max_points: 10,
        }
    }

    fn terms() -> CallTerms {
        CallTerms {
            budget: 30_000_000,
            min_award: 1_000_000,
            max_award: 5_000_000,
            opens_on: d("2026-09-01"),
            closes_on: d("2026-09-30"),
        }
    }

    #[test]
    fn a_call_needs_sane_money_dates_and_criteria() {
        assert!(check_call(&terms(), &[crit()]).is_empty());
        let keys = |t: &CallTerms, c: &[CriterionSpec]| -> Vec<&'static str> {
            check_call(t, c).iter().map(|e| e.key).collect()
        };
        assert_eq!(keys(&terms(), &[]), vec!["err-grant-criteria"]);
        let mut t = terms();
        t.max_award = t.budget + 1;
        assert_eq!(keys(&t, &[crit()]), vec!["err-grant-max"]);
        let mut t = terms();
        t.min_award = 6_000_000;
        assert_eq!(keys(&t, &[crit()]), vec!["err-grant-max"]);
        let mut t = terms();
        t.closes_on = d("2026-08-01");
        assert_eq!(keys(&t, &[crit()]), vec!["err-grant-dates"]);
        let mut c = crit();
        c.weight = 0;
        assert_eq!(keys(&terms(), &[c]), vec!["err-grant-criterion"]);
        let mut c = crit();
        c.name_ky.clear();
        c.name_ru.clear();
        c.name_en.clear();
        assert_eq!(keys(&terms(), &[c]), vec!["err-grant-criterion"]);
    }

    #[test]
    fn submission_needs_the_lines_to_add_up() {
        assert!(
            check_submission("Тигүү цехи", "идея", 2_000_000, 2_000_000, 1, 5_000_000).is_empty()
        );
        let e = check_submission("", " ", 10, 5, 100, 200);
        let keys: Vec<_> = e.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            vec![
                "err-required",
                "err-required",
                "err-grant-requested",
                "err-grant-lines-sum"
            ]
        );
    }

    #[test]
    fn an_application_moves_forward_only() {
        use ApplicationStatus::*;
        assert!(Draft.can_move(Submitted));
        assert!(Submitted.can_move(Awarded));
        assert!(Submitted.can_move(Declined));
        assert!(!Draft.can_move(Awarded), "a draft is never awarded");
        assert!(!Awarded.can_move(Declined));
        assert!(!Declined.can_move(Submitted));
        assert!(!Withdrawn.can_move(Submitted));
        assert!(Draft.editable() && !Submitted.editable());
        assert!(CallStatus::Draft.can_move(CallStatus::Open));
        assert!(!CallStatus::Decided.can_move(CallStatus::Open));
        assert!(!CallStatus::Closed.can_move(CallStatus::Decided));
    }

    #[test]
    fn tranches_pay_exactly_the_award_and_payments_stay_within() {
        assert!(check_tranches(300, &[100, 200]).is_ok());
        assert_eq!(
            check_tranches(300, &[100, 100]).unwrap_err().key,
            "err-grant-tranches-sum"
        );
        assert!(check_tranches(300, &[300, 0]).is_err());
        assert!(check_tranches(300, &[]).is_err());
        assert!(payment_fits(100, 0, 100));
        assert!(!payment_fits(100, 50, 51));
        assert!(payment_fits(100, 50, -50), "a reversal");
        assert!(!payment_fits(100, 50, -51));
        assert!(!payment_fits(100, 0, 0));
        assert_eq!(venture_kind(0), VentureKind::Business);
        assert_eq!(venture_kind(2), VentureKind::JointInitiative);
    }

    #[test]
    fn categories_have_stable_codes() {
        assert_eq!(
            Category::parse("digital-services"),
            Some(Category::DigitalServices)
        );
        assert_eq!(Category::ALL.len(), 8);
        assert_eq!(ReportStatus::MoreRequested.code(), "more-requested");
    }
}
