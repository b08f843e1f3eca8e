//! Psychosocial support: confidential cases that a lab's case worker opens for a woman who asks
//! for help, encrypted notes, and referrals to outside services that need her consent.
//! Who may read a case is decided per case (the assigned case worker, and the woman herself for
//! what is shared with her); see [`crate::Action::CaseWork`].
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Why she asked for help (a coarse category; details go in the encrypted notes).
    CaseReason {
        FamilyConflict = "family-conflict",
        Violence = "violence",
        AnxietyStress = "anxiety-stress",
        Grief = "grief",
        Health = "health",
        EconomicHardship = "economic-hardship",
        Legal = "legal",
        Other = "other",
    }
);

vocabulary!(
    Urgency {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
);

vocabulary!(
    CaseStatus {
        Open = "open",
        Monitoring = "monitoring",
        Closed = "closed",
    }
);

vocabulary!(
    /// Outside services a case worker refers to (a directory per region).
    ServiceKind {
        LegalAid = "legal-aid",
        Health = "health",
        CrisisCentre = "crisis-centre",
        Psychologist = "psychologist",
        Shelter = "shelter",
        Other = "other",
    }
);

impl Urgency {
    /// 0 for the most urgent: lists put critical cases first.
    pub fn rank(self) -> u8 {
        match self {
            Self::Critical => 0,
            Self::High => 1,
            Self::Medium => 2,
            Self::Low => 3,
        }
    }
}

/// The longest note a case worker may write (characters).
pub const MAX_NOTE: usize = 10_000;

/// The associated data a note's ciphertext is bound to: it cannot be moved to another case or
/// passed off as another note.
pub fn note_aad(case: crate::CaseId, note: crate::CaseNoteId) -> Vec<u8> {
    format!("wcl-case-note:{case}:{note}").into_bytes()
}

/// The associated data of a referral's override reason.
pub fn referral_aad(case: crate::CaseId, referral: crate::ReferralId) -> Vec<u8> {
    format!("wcl-referral:{case}:{referral}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_and_urgency_orders() {
        for r in CaseReason::ALL {
            assert_eq!(CaseReason::parse(r.code()), Some(*r));
        }
        assert!(Urgency::Critical.rank() < Urgency::Low.rank());
        assert_eq!(
            ServiceKind::parse("crisis-centre"),
            Some(ServiceKind::CrisisCentre)
        );
        assert_eq!(CaseStatus::parse("nope"), None);
        let (c, n) = (crate::CaseId::new(), crate::CaseNoteId::new());
        assert_ne!(note_aad(c, n), note_aad(crate::CaseId::new(), n));
    }
}
