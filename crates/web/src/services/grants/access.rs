//! Who may do what: a call's and an application's access, decided once where they are read.
use super::*;

/// She runs the round: a lab's call by its coordinators and the admin, a network call by the admin.
pub fn manages(actor: &Actor, call: &Call) -> bool {
    match call.lab_id {
        Some(l) => actor.allows(Action::ManageGrants(l)),
        None => actor.allows(Action::ManageNetwork),
    }
}

/// What the actor may do with a call she can see.
#[derive(Debug, Clone, Default)]
pub struct CallAccess {
    pub manage: bool,
    pub review: bool,
    /// A resident the call is for (active in its lab and cohort).
    pub eligible: bool,
    /// A resident who may apply now (eligible, call accepting).
    pub apply: bool,
    /// The labs whose women she may fill in an application with (coordinators).
    pub assist: Vec<LabId>,
    /// Her own application or one she is on the team of (residents).
    pub involved: bool,
}

/// The active residencies that make a woman eligible for a call (lab, cohort).
pub(super) async fn eligible_lab(
    c: &mut AnyConn,
    call: &Call,
    person: PersonId,
) -> AppResult<Option<LabId>> {
    let rs = store::residency::of_person(c, person).await?;
    Ok(rs
        .into_iter()
        .find(|r| {
            r.status == ResidencyStatus::Active
                && call.lab_id.is_none_or(|l| l == r.lab_id)
                && call.cohort_id.is_none_or(|k| r.cohort_id == Some(k))
        })
        .map(|r| r.lab_id))
}

/// The call if the actor may see it, with what she may do there.
pub async fn call_for(
    store: &Store,
    actor: &Actor,
    id: GrantCallId,
) -> AppResult<(Call, CallAccess)> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let mut c = store.conn().await?;
    let call = g::get_call(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let mut a = CallAccess {
        manage: manages(actor, &call),
        review: g::is_reviewer(&mut c, id, user).await?,
        ..Default::default()
    };
    if call.status != CallStatus::Draft {
        a.assist = actor
            .grants
            .iter()
            .map(|(l, _)| *l)
            .filter(|l| {
                actor.allows(Action::ManageGrants(*l)) && call.lab_id.is_none_or(|x| x == *l)
            })
            .collect();
        a.assist.sort();
        a.assist.dedup();
        if let Some(p) = actor.person_id {
            a.eligible = eligible_lab(&mut c, &call, p).await?.is_some();
            a.apply = a.eligible && call.accepting(domain::time::today());
            a.involved = g::applications_of_person(&mut c, p)
                .await?
                .iter()
                .any(|x| x.call_id == id);
        }
    }
    if a.manage || a.review || !a.assist.is_empty() || a.eligible || a.involved {
        Ok((call, a))
    } else {
        Err(AppError::NotFound)
    }
}

/// What the actor may do with an application she can see.
#[derive(Debug, Clone, Default)]
pub struct AppAccess {
    /// Runs the call (ranking, awards, money).
    pub decide: bool,
    /// A coordinator of the woman's lab (fills it in with her, follows the grant).
    pub assist: bool,
    pub applicant: bool,
    pub team: bool,
    /// An assigned reviewer without a declared conflict.
    pub review: bool,
}

impl AppAccess {
    pub fn staff(&self) -> bool {
        self.decide || self.assist
    }
    /// She may change the draft: herself, or a coordinator with her.
    pub fn edit(&self, app: &Application) -> bool {
        app.status.editable() && (self.applicant || self.assist)
    }
    /// The grantee's side: reports, the venture.
    pub fn grantee(&self) -> bool {
        self.applicant || self.team
    }
}

/// The application if the actor may see it.
pub async fn app_for(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
) -> AppResult<(Application, Call, AppAccess)> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let mut c = store.conn().await?;
    let app = g::get_application(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let call = g::get_call(&mut c, app.call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let team = g::team(&mut c, id).await?;
    let decide = manages(actor, &call);
    let reviewable = !matches!(
        app.status,
        ApplicationStatus::Draft | ApplicationStatus::Withdrawn
    );
    let a = AppAccess {
        decide,
        assist: decide || actor.allows(Action::ManageGrants(app.lab_id)),
        applicant: actor.person_id == Some(app.person_id),
        team: actor
            .person_id
            .is_some_and(|p| team.iter().any(|m| m.person_id == p)),
        review: reviewable
            && g::is_reviewer(&mut c, call.id, user).await?
            && !g::has_conflict(&mut c, user, id).await?,
    };
    if a.decide || a.assist || a.applicant || a.team || a.review {
        Ok((app, call, a))
    } else {
        Err(AppError::NotFound)
    }
}
