//! The access policy: the one place that decides who may do what, in which lab.
//!
//! Handlers ask [`Actor::allows`] before acting and pass [`Actor::scope_for`] to the store, which
//! filters every query by it; a record outside the scope is indistinguishable from a missing one
//! (the web layer answers 404 for both).
use crate::{LabId, PersonId, UserId};
use serde::{Deserialize, Serialize};

/// A role a staff account holds in one lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabRole {
    Coordinator,
    Mentor,
    CaseWorker,
    /// A member of a grant review panel (often from outside the lab): she sees the calls she is
    /// assigned to review and nothing else of the lab.
    Reviewer,
}

impl LabRole {
    pub const ALL: &'static [Self] = &[
        Self::Coordinator,
        Self::Mentor,
        Self::CaseWorker,
        Self::Reviewer,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Coordinator => "coordinator",
            Self::Mentor => "mentor",
            Self::CaseWorker => "case-worker",
            Self::Reviewer => "reviewer",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.code() == s)
    }
}

/// The roles named on the command line (`wcl admin create-user --role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Lab(LabRole),
    Resident,
}

impl Role {
    /// `admin`, `resident`, or the lab role's code: what [`Role::parse`] reads.
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Resident => "resident",
            Self::Lab(r) => r.code(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "resident" => Some(Self::Resident),
            other => LabRole::parse(other).map(Self::Lab),
        }
    }
}

/// Who is asking: a signed-in account with its grants, or nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub admin: bool,
    pub grants: Vec<(LabId, LabRole)>,
    /// The person record of a resident's own account.
    pub person_id: Option<PersonId>,
}

/// What an actor wants to do. Lab-bound actions name the lab they touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create labs, assign staff, manage partner organisations and staff accounts.
    ManageNetwork,
    /// See a lab's internal page (cohorts, staff, counts).
    ViewLabInternal(LabId),
    /// Search and read people of a lab, register a woman on her behalf, edit her record.
    ManagePeople(LabId),
    /// Move applications and residencies, manage cohorts.
    ManageResidency(LabId),
    /// A resident reads or edits her own profile.
    OwnProfile(PersonId),
    /// Read the audit log.
    ReadAudit,
    /// Give a woman of the lab an account (by invitation) and issue her a password link.
    ManageAccounts(LabId),
    /// Compose programmes, schedule sessions, enrol residents, revoke certificates.
    ManageTraining(LabId),
    /// Take attendance at a training session (coordinators and the lab's mentors, who often teach).
    TakeAttendance(LabId),
    /// Create and edit events, see registrations, manage network members and ambassadors.
    ManageEvents(LabId),
    /// Check people in at the door: any staff of the lab.
    CheckIn(LabId),
    /// Ask for mentoring proposals, accept or change matches, see the lab's mentoring counts.
    ManageMentoring(LabId),
    /// Work with support cases of the lab: case workers of that lab only. Not the network admin,
    /// not coordinators: psychosocial support is the most sensitive data the platform holds.
    /// Which case a case worker may read is decided per case (the one assigned to it).
    CaseWork(LabId),
    /// Record outcomes, set targets, read the lab's dashboard with exact figures and the
    /// positive-deviance list: coordinators of the lab and the network admin.
    ManageImpact(LabId),
    /// Run a lab's grant rounds: calls, reviewers, ranking, awards, tranches, payments, reports,
    /// exports. A network-wide call is the admin's (`ManageNetwork`). Reviewing is decided per
    /// call (she is assigned to it), not by this policy.
    ManageGrants(LabId),
    /// Import and manage survey instruments, enter paper answers for a resident, read and
    /// export the lab's answers: coordinators of the lab and the network admin.
    ManageSurveys(LabId),
    /// Export the lab's package and import one into it: coordinators of the lab and the admin.
    ManagePackage(LabId),
    /// Run the lab's space and its money: resources, prices, bookings for others, plans,
    /// invoices, payments, costs and the self-financing ratio: coordinators of the lab and the
    /// network admin.
    ManageSpace(LabId),
    /// Run a lab's crowdfunding campaigns: tiers, updates, pledges with backers' contacts,
    /// payments, spending. A network campaign is the admin's (`ManageNetwork`).
    ManageCampaigns(LabId),
}

/// The labs whose records an actor may see for some purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabScope {
    All,
    Only(Vec<LabId>),
}

impl LabScope {
    pub fn contains(&self, lab: LabId) -> bool {
        match self {
            Self::All => true,
            Self::Only(labs) => labs.contains(&lab),
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Only(l) if l.is_empty())
    }
}

impl Actor {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn is_signed_in(&self) -> bool {
        self.user_id.is_some()
    }

    pub fn has(&self, lab: LabId, role: LabRole) -> bool {
        self.grants.contains(&(lab, role))
    }

    /// The admin, or staff of some lab (a review panel member is not staff).
    pub fn is_staff(&self) -> bool {
        self.admin || self.grants.iter().any(|(_, r)| *r != LabRole::Reviewer)
    }

    /// She works in the lab (any role but a review panel seat).
    fn works_in(&self, lab: LabId) -> bool {
        self.grants
            .iter()
            .any(|(l, r)| *l == lab && *r != LabRole::Reviewer)
    }

    pub fn is_coordinator(&self) -> bool {
        self.holds(LabRole::Coordinator)
    }

    /// She holds `role` in some lab (which lab matters is for [`Actor::allows`]).
    pub fn holds(&self, role: LabRole) -> bool {
        self.grants.iter().any(|(_, r)| *r == role)
    }

    pub fn allows(&self, action: Action) -> bool {
        if !self.is_signed_in() {
            return false;
        }
        match action {
            Action::ManageNetwork | Action::ReadAudit => self.admin,
            Action::ViewLabInternal(lab) => self.admin || self.works_in(lab),
            Action::ManagePeople(lab)
            | Action::ManageResidency(lab)
            | Action::ManageTraining(lab)
            | Action::ManageEvents(lab)
            | Action::ManageAccounts(lab) => self.admin || self.has(lab, LabRole::Coordinator),
            Action::TakeAttendance(lab) => {
                self.admin || self.has(lab, LabRole::Coordinator) || self.has(lab, LabRole::Mentor)
            }
            Action::CheckIn(lab) => self.admin || self.works_in(lab),
            Action::ManageMentoring(lab)
            | Action::ManageGrants(lab)
            | Action::ManageImpact(lab)
            | Action::ManageSurveys(lab)
            | Action::ManagePackage(lab)
            | Action::ManageSpace(lab)
            | Action::ManageCampaigns(lab) => self.admin || self.has(lab, LabRole::Coordinator),
            Action::CaseWork(lab) => self.has(lab, LabRole::CaseWorker),
            Action::OwnProfile(p) => self.person_id == Some(p),
        }
    }

    /// The labs in which `action` (given any lab) is allowed.
    pub fn scope_for(&self, action: fn(LabId) -> Action) -> LabScope {
        if !self.is_signed_in() {
            return LabScope::Only(vec![]);
        }
        // The admin's powers do not reach every action (support cases): ask the policy.
        if self.admin && self.allows(action(LabId::default())) {
            return LabScope::All;
        }
        let mut labs: Vec<LabId> = self
            .grants
            .iter()
            .map(|(l, _)| *l)
            .filter(|l| self.allows(action(*l)))
            .collect();
        labs.sort();
        labs.dedup();
        LabScope::Only(labs)
    }

    /// The labs whose people this actor may search and read.
    pub fn people_scope(&self) -> LabScope {
        self.scope_for(Action::ManagePeople)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coordinator(lab: LabId) -> Actor {
        Actor {
            user_id: Some(UserId::new()),
            grants: vec![(lab, LabRole::Coordinator)],
            ..Actor::default()
        }
    }

    #[test]
    fn a_coordinator_manages_only_her_lab() {
        let (osh, batken) = (LabId::new(), LabId::new());
        let c = coordinator(osh);
        assert!(c.allows(Action::ManagePeople(osh)));
        assert!(!c.allows(Action::ManagePeople(batken)));
        assert!(!c.allows(Action::ManageNetwork));
        assert_eq!(c.people_scope(), LabScope::Only(vec![osh]));
    }

    #[test]
    fn mentors_and_case_workers_do_not_browse_people() {
        let osh = LabId::new();
        for role in [LabRole::Mentor, LabRole::CaseWorker] {
            let a = Actor {
                user_id: Some(UserId::new()),
                grants: vec![(osh, role)],
                ..Actor::default()
            };
            assert!(a.allows(Action::ViewLabInternal(osh)));
            assert!(!a.allows(Action::ManagePeople(osh)));
            assert!(a.people_scope().is_empty());
        }
    }

    #[test]
    fn only_case_workers_of_the_lab_do_case_work() {
        let osh = LabId::new();
        let admin = Actor {
            user_id: Some(UserId::new()),
            admin: true,
            ..Actor::default()
        };
        assert!(!admin.allows(Action::CaseWork(osh)), "not even the admin");
        assert!(!coordinator(osh).allows(Action::CaseWork(osh)));
        let cw = Actor {
            user_id: Some(UserId::new()),
            grants: vec![(osh, LabRole::CaseWorker)],
            ..Actor::default()
        };
        assert!(cw.allows(Action::CaseWork(osh)));
        assert!(!cw.allows(Action::CaseWork(LabId::new())));
    }

    #[test]
    fn a_reviewer_sees_nothing_of_the_lab() {
        let osh = LabId::new();
        let r = Actor {
            user_id: Some(UserId::new()),
            grants: vec![(osh, LabRole::Reviewer)],
            ..Actor::default()
        };
        assert!(!r.is_staff());
        assert!(!r.allows(Action::ViewLabInternal(osh)));
        assert!(!r.allows(Action::CheckIn(osh)));
        assert!(!r.allows(Action::ManageGrants(osh)));
        assert!(r.people_scope().is_empty());
        assert!(coordinator(osh).allows(Action::ManageGrants(osh)));
        assert!(!coordinator(osh).allows(Action::ManageGrants(LabId::new())));
    }

    #[test]
    fn admin_sees_all_and_anonymous_nothing() {
        let admin = Actor {
            user_id: Some(UserId::new()),
            admin: true,
            ..Actor::default()
        };
        assert_eq!(admin.people_scope(), LabScope::All);
        assert!(admin.allows(Action::ManagePeople(LabId::new())));
        let anon = Actor::anonymous();
        assert!(!anon.allows(Action::ViewLabInternal(LabId::new())));
        assert!(anon.people_scope().is_empty());
    }

    #[test]
    fn a_resident_reaches_only_her_own_profile() {
        let me = PersonId::new();
        let r = Actor {
            user_id: Some(UserId::new()),
            person_id: Some(me),
            ..Actor::default()
        };
        assert!(r.allows(Action::OwnProfile(me)));
        assert!(!r.allows(Action::OwnProfile(PersonId::new())));
        assert!(!r.is_staff());
    }
}
