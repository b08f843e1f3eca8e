//! A woman's path through a lab: application → accepted → active → graduated, or withdrawn
//! (by her or the lab) at any open step, or declined at the application step.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResidencyStatus {
    Applied,
    Accepted,
    Active,
    Graduated,
    Withdrawn,
    Declined,
}

impl ResidencyStatus {
    pub const ALL: &'static [Self] = &[
        Self::Applied,
        Self::Accepted,
        Self::Active,
        Self::Graduated,
        Self::Withdrawn,
        Self::Declined,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Accepted => "accepted",
            Self::Active => "active",
            Self::Graduated => "graduated",
            Self::Withdrawn => "withdrawn",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.code() == s)
    }

    /// The steps allowed from here, in the order a coordinator would take them.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Applied => &[Self::Accepted, Self::Declined, Self::Withdrawn],
            Self::Accepted => &[Self::Active, Self::Withdrawn],
            Self::Active => &[Self::Graduated, Self::Withdrawn],
            Self::Graduated | Self::Withdrawn | Self::Declined => &[],
        }
    }

    pub fn can_become(self, to: Self) -> bool {
        self.next().contains(&to)
    }

    /// A declined application may be reopened by a coordinator (back to `applied`).
    pub fn can_reopen(self) -> bool {
        self == Self::Declined
    }

    /// An open residency blocks a second application to the same lab.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Applied | Self::Accepted | Self::Active)
    }
}

impl std::fmt::Display for ResidencyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::ResidencyStatus::*;
    use super::*;

    #[test]
    fn the_path_is_forward_only() {
        assert!(Applied.can_become(Accepted));
        assert!(Accepted.can_become(Active));
        assert!(Active.can_become(Graduated));
        assert!(Active.can_become(Withdrawn));
        assert!(!Applied.can_become(Graduated));
        assert!(!Graduated.can_become(Active));
        assert!(!Withdrawn.can_become(Applied));
        assert!(!Active.can_become(Declined));
        for s in ResidencyStatus::ALL {
            assert!(!s.can_become(*s));
            assert_eq!(ResidencyStatus::parse(s.code()), Some(*s));
        }
    }
}
