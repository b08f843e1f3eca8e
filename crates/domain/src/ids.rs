//! Typed identifiers: a `PersonId` cannot be passed where a `LabId` is expected.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

// Surveys (impact and learning).
id_type!(InstrumentId, QuestionId, ResponseId);

// The space and its money.
id_type!(
    ResourceId,
    BookingId,
    PlanId,
    PersonPlanId,
    InvoiceId,
    SpacePaymentId,
    CostId
);

id_type!(
    LabId,
    OrgId,
    PersonId,
    UserId,
    CohortId,
    ResidencyId,
    ConsentId,
    TokenId,
    LinkId,
    ProgrammeId,
    ModuleId,
    SessionId,
    AssertionId,
    EventId,
    RegistrationId,
    MemberId,
    JobId,
    MatchId,
    MentoringSessionId,
    CaseId,
    OutcomeId,
    TargetId,
    CaseNoteId,
    ReferralId,
    ServiceId,
    GrantCallId,
    CriterionId,
    ApplicationId,
    AttachmentId,
    ReviewId,
    AwardId,
    TrancheId,
    PaymentId,
    ReportId,
    VentureId
);

// Crowdfunding.
id_type!(CampaignId, TierId, PledgeId, LedgerId, CampaignPhotoId);
