//! Crowdfunding: the vocabularies of a campaign, its pledges and its ledger, and the rules that
//! keep a public ledger honest (amounts within bounds, balance = money in − money out, a
//! correction is a reversal of one row).
use crate::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Keep what is raised, or all-or-nothing (refunds when the goal is not met).
    CampaignMode {
        Keep = "keep",
        AllOrNothing = "all-or-nothing",
    }
);

impl CampaignMode {
    /// Whether the campaign keeps (and may spend) what it has raised. All-or-nothing keeps the
    /// money only once the goal is met: until then nothing is spent, and closing below the goal
    /// refunds every paid pledge.
    pub fn funded(self, raised: i64, goal: i64) -> bool {
        match self {
            CampaignMode::Keep => true,
            CampaignMode::AllOrNothing => raised >= goal,
        }
    }
}

vocabulary!(
    /// A campaign is prepared (draft, only its staff see it), takes pledges (open), and ends.
    CampaignStatus {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
    }
);

impl CampaignStatus {
    /// Draft → open → closed. An open campaign goes back to draft only while nobody has pledged
    /// (pledges and the ledger are public); a closed one stays closed.
    pub fn can_move_to(self, to: CampaignStatus, has_pledges: bool) -> bool {
        use CampaignStatus::*;
        match (self, to) {
            (Draft, Open) | (Open, Closed) => true,
            (Open, Draft) => !has_pledges,
            _ => false,
        }
    }
}

vocabulary!(
    /// A pledge is promised, then paid (money arrived), and may be refunded.
    PledgeStatus {
        Promised = "promised",
        Paid = "paid",
        Refunded = "refunded",
    }
);

vocabulary!(
    /// What the money pays for: a budget line's kind and a spending's category.
    SpendCategory {
        Events = "events",
        Grants = "grants",
        Space = "space",
        Equipment = "equipment",
        Materials = "materials",
        Other = "other",
    }
);

vocabulary!(
    /// Which way a ledger row moves money.
    Direction {
        In = "in",
        Out = "out",
    }
);

/// The largest pledge or spending the forms take: 10 million som (an absurd figure is a typo).
pub const MAX_AMOUNT: i64 = 10_000_000 * 100;
/// The largest campaign goal: 100 million som.
pub const MAX_GOAL: i64 = 100_000_000 * 100;
/// Reward tiers of one campaign.
pub const MAX_TIERS: usize = 12;
/// Photos of a campaign's story, and their size (as grant attachments).
pub const MAX_PHOTOS: usize = 6;
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// A pledge's or a spending's amount in tyiyn: more than zero, at most [`MAX_AMOUNT`].
pub fn check_amount(field: &'static str, tyiyn: i64) -> Result<i64, Invalid> {
    if tyiyn <= 0 {
        Err(Invalid::new(field, "err-crowd-amount-positive"))
    } else if tyiyn > MAX_AMOUNT {
        Err(Invalid::new(field, "err-crowd-amount-absurd"))
    } else {
        Ok(tyiyn)
    }
}

/// A campaign's dates: it ends on or after the day it starts.
pub fn check_dates(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<(), Invalid> {
    if ends_on < starts_on {
        Err(Invalid::new("ends_on", "err-crowd-dates"))
    } else {
        Ok(())
    }
}

/// Days left until the end (inclusive of the last day), 0 once it has passed.
pub fn days_left(ends_on: NaiveDate, today: NaiveDate) -> i64 {
    ((ends_on - today).num_days() + 1).max(0)
}

/// Percent of the goal raised, for the progress bar (may pass 100).
pub fn percent(raised: i64, goal: i64) -> i64 {
    if goal <= 0 {
        0
    } else {
        raised.max(0).saturating_mul(100) / goal
    }
}

/// The alphabet of payment references: no letters a person mixes up (0/O, 1/I/L), and none
/// that a Cyrillic keyboard writes differently from its Latin look-alike.
const REF_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A payment reference like `CF-7K2Q-M9XD` from 8 random bytes: short enough to type in a
/// bank's "purpose" field, and unique (the store's index checks it).
pub fn reference(random: [u8; 8]) -> String {
    let chars: String = random
        .iter()
        .map(|b| REF_ALPHABET[*b as usize % REF_ALPHABET.len()] as char)
        .collect();
    format!("CF-{}-{}", &chars[..4], &chars[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_positive_and_sane() {
        assert!(check_amount("amount", 0).is_err());
        assert!(check_amount("amount", -100).is_err());
        assert_eq!(
            check_amount("amount", MAX_AMOUNT + 1).unwrap_err().key,
            "err-crowd-amount-absurd"
        );
        assert_eq!(check_amount("amount", 50_000).unwrap(), 50_000);
    }

    #[test]
    fn references_are_typeable() {
        let r = reference([0, 1, 2, 3, 250, 251, 252, 253]);
        assert_eq!(r.len(), 12);
        assert!(r.starts_with("CF-"));
        assert!(!r.contains('0') && !r.contains('O') && !r.contains('I'));
    }

    #[test]
    fn days_and_percent() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(days_left(d("2027-03-10"), d("2027-03-10")), 1);
        assert_eq!(days_left(d("2027-03-10"), d("2027-03-11")), 0);
        assert_eq!(percent(50, 200), 25);
        assert_eq!(percent(300, 200), 150);
    }

    #[test]
    fn all_or_nothing_keeps_the_money_only_at_the_goal() {
        assert!(CampaignMode::Keep.funded(0, 1000));
        assert!(!CampaignMode::AllOrNothing.funded(999, 1000));
        assert!(CampaignMode::AllOrNothing.funded(1000, 1000));
    }
}

vocabulary!(
    /// Where a maker sold: a fair, Instagram, a shop, an order through the lab, a campaign reward.
    SaleChannel {
        Fair = "fair",
        Instagram = "instagram",
        Shop = "shop",
        LabOrder = "lab-order",
        CampaignReward = "campaign-reward",
    }
);

vocabulary!(
    /// A product made to order or in stock.
    Availability {
        ToOrder = "to-order",
        InStock = "in-stock",
    }
);
