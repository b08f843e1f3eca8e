//! Services, one file per capability (mirroring `pages/`): reads that decide access once and
//! fetch once (read models shared by a page and its API route), and state changes that check the
//! policy, validate their input into domain values, run in one transaction and write their audit
//! row there. Pages and the API both call these.
pub mod accounts;
pub(crate) mod base;
pub mod crowdfunding;
pub mod events;
pub mod grants;
pub mod impact;
pub mod kept;
pub mod labs;
pub mod links;
pub mod map;
pub mod mentoring;
pub mod messages;
pub mod network;
pub mod package;
pub mod pager;
pub mod paper;
pub mod people;
pub mod rights;
pub mod showcase;
pub mod space;
pub mod support;
pub mod surveys;
pub mod training;

// The paths these had before they moved into their capability's file.
pub use accounts::{
    MIN_PASSWORD, create_account, grant_role, issue_token, revoke_role, revoke_token,
};
pub use labs::{CohortInput, LabInput, create_cohort, create_lab};
pub use network::{OrgInput, add_partner, create_org, remove_partner};
pub use people::{
    ConsentInput, OwnProfileInput, PersonInput, RegisterOutcome, ValidConsent, apply, read_person,
    register_person, set_cohort, transition_residency, update_own_profile, update_person,
    validate_consent, validate_person, withdraw_consent,
};
