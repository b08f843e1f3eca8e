//! Everyone's own page `/grants`.
use super::*;

/// Everyone's own page: the calls open to her, her applications and invitations, the calls she
/// reviews, the labs whose calls she runs, and the network's calls (the admin).
pub struct Hub {
    pub open_calls: Vec<Call>,
    pub mine: Vec<Application>,
    /// Applications whose team she is on but has not confirmed.
    pub invites: Vec<Application>,
    pub reviewing: Vec<Call>,
    pub labs: Vec<Lab>,
    pub network_calls: Vec<Call>,
    pub admin: bool,
}

pub async fn hub(store: &Store, actor: &Actor) -> AppResult<Hub> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let mut conn = store.conn().await?;
    let mut open_calls: Vec<Call> = vec![];
    let mut mine = vec![];
    let mut invites = vec![];
    if let Some(p) = actor.person_id {
        for r in store::residency::of_person(&mut conn, p).await? {
            if r.status != ResidencyStatus::Active {
                continue;
            }
            for k in g::calls(&mut conn, g::Calls::VisibleTo(r.lab_id)).await? {
                let cohort_ok = k.cohort_id.is_none_or(|x| r.cohort_id == Some(x));
                if cohort_ok
                    && k.accepting(domain::time::today())
                    && !open_calls.iter().any(|o| o.id == k.id)
                {
                    open_calls.push(k);
                }
            }
        }
        for a in g::applications_of_person(&mut conn, p).await? {
            if a.person_id != p
                && g::team(&mut conn, a.id)
                    .await?
                    .iter()
                    .any(|m| m.person_id == p && m.confirmed_at.is_none())
            {
                invites.push(a);
            } else {
                mine.push(a);
            }
        }
    }
    let reviewing = g::calls(&mut conn, g::Calls::ReviewedBy(user)).await?;
    let labs: Vec<Lab> = store::labs::list_labs(&mut conn)
        .await?
        .into_iter()
        .filter(|l| actor.allows(Action::ManageGrants(l.id)))
        .collect();
    let admin = actor.allows(Action::ManageNetwork);
    let network_calls = if admin {
        g::calls(&mut conn, g::Calls::Network).await?
    } else {
        vec![]
    };
    Ok(Hub {
        open_calls,
        mine,
        invites,
        reviewing,
        labs,
        network_calls,
        admin,
    })
}
