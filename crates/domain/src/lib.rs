//! Pure types and rules of wcl. Nothing here does I/O: the store persists these types, the web layer
//! renders them, and the access policy in [`access`] is the only place that decides who may do what.

#[macro_use]
pub mod types;
pub mod access;
pub mod crowdfunding;
pub mod events;
pub mod grants;
pub mod ids;
pub mod impact;
pub mod messages;
pub mod names;
pub mod package;
pub mod regions;
pub mod residency;
pub mod space;
pub mod support;
pub mod surveys;
pub mod text;
pub mod time;
pub mod training;

pub use access::{Action, Actor, LabRole, LabScope, Role};
pub use events::{EventKind, EventScope, RegistrationStatus};
pub use ids::*;
pub use residency::ResidencyStatus;
pub use training::{Attendance, CompletionRule, Progress, Topic};
pub use types::*;

/// A value that failed validation. `key` is stable and translated by the web layer
/// (every key has a message in every language: see web's i18n tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {key}")]
pub struct Invalid {
    pub field: &'static str,
    pub key: &'static str,
}

impl Invalid {
    pub const fn new(field: &'static str, key: &'static str) -> Self {
        Self { field, key }
    }
}
