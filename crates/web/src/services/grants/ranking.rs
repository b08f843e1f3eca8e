//! The ranking and the proposal, awards, and the decision with its messages.
use super::*;

/// One ranked application with the proposal for it and its award, if decided.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankRow {
    #[schema(value_type = String)]
    pub application_id: ApplicationId,
    /// Her lab (the rows a coordinator of a network call may read).
    #[serde(skip)]
    pub lab_id: LabId,
    pub applicant: String,
    pub title: String,
    pub category: String,
    pub requested: i64,
    pub status: String,
    /// Weighted mean of the reviewers' scores, 0..100.
    pub score: Option<f64>,
    /// How far the reviewers were apart (points out of 100).
    pub spread: Option<f64>,
    pub reviews: usize,
    pub rank: Option<usize>,
    /// What the platform proposes (tyiyn), in rank order within the budget left.
    pub proposed: Option<i64>,
    /// The proposal is less than she asked (the budget ran out).
    pub partial: bool,
    pub awarded: Option<i64>,
    pub paid: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub rows: Vec<RankRow>,
    pub budget: i64,
    pub awarded: i64,
    /// What the proposal adds up to.
    pub proposed_total: i64,
    /// Only the applicants of the reader's labs (a lab's coordinator on a network call): the
    /// rows and `proposed_total` are theirs; the rank is their place in the whole round.
    pub labs_only: bool,
}

/// The ranking by weighted mean with the spread, and the proposal: awards in rank order within
/// what is left of the budget, respecting the minimum and maximum.
pub async fn ranking_in(c: &mut AnyConn, call: &Call) -> AppResult<Ranking> {
    let criteria = g::criteria(c, call.id).await?;
    let apps = g::applications(c, call.id, false).await?;
    let reviews = g::submitted_reviews_of_call(c, call.id).await?;
    let awards = g::awards_of_call(c, call.id).await?;
    let crits: Vec<analytics::grants::Criterion> = criteria
        .iter()
        .map(|k| analytics::grants::Criterion {
            weight: k.spec.weight as u32,
            max_points: k.spec.max_points as u32,
        })
        .collect();
    let input: Vec<(ApplicationId, Vec<analytics::grants::Review>)> = apps
        .iter()
        .map(|a| {
            let rs = reviews
                .iter()
                .filter(|r| r.application_id == a.id)
                .map(|r| analytics::grants::Review {
                    points: criteria
                        .iter()
                        .map(|k| r.points(&k.id).unwrap_or(0) as u32)
                        .collect(),
                })
                .collect();
            (a.id, rs)
        })
        .filter(|(_, rs): &(ApplicationId, Vec<analytics::grants::Review>)| !rs.is_empty())
        .collect();
    let ranked = analytics::grants::rank(&crits, &input)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("ranking: {e:?}")))?;
    // Proposal: the not yet decided applications, in rank order, within what is left.
    let asks: Vec<analytics::grants::Ask<ApplicationId>> = ranked
        .iter()
        .filter(|r| {
            apps.iter()
                .any(|a| a.id == r.key && a.status == ApplicationStatus::Submitted)
        })
        .map(|r| analytics::grants::Ask {
            key: r.key,
            requested: apps
                .iter()
                .find(|a| a.id == r.key)
                .map(|a| a.requested)
                .unwrap_or(0),
        })
        .collect();
    let left = call.left().max(0);
    let proposal = analytics::grants::propose_awards(&asks, left, call.min_award, call.max_award);
    let mut rows: Vec<RankRow> = apps
        .iter()
        .map(|a| {
            let r = ranked.iter().find(|r| r.key == a.id);
            let p = proposal.awards.iter().find(|p| p.key == a.id);
            let award = awards.iter().find(|w| w.application_id == a.id);
            RankRow {
                application_id: a.id,
                lab_id: a.lab_id,
                applicant: a.person_name.clone(),
                title: a.title.clone(),
                category: a.category.code().into(),
                requested: a.requested,
                status: a.status.code().into(),
                score: r.map(|r| r.score),
                spread: r.map(|r| r.spread),
                reviews: r.map(|r| r.reviews).unwrap_or(0),
                rank: r.map(|r| r.rank),
                proposed: p.map(|p| p.amount),
                partial: p.is_some_and(|p| p.partial),
                awarded: award.map(|w| w.amount),
                paid: award.map(|w| w.paid).unwrap_or(0),
            }
        })
        .collect();
    rows.sort_by_key(|r| (r.rank.unwrap_or(usize::MAX), r.applicant.clone()));
    Ok(Ranking {
        proposed_total: proposal.total,
        rows,
        budget: call.budget,
        awarded: call.awarded,
        labs_only: false,
    })
}

/// What of a round the actor may read: all of it (`None`: she runs it), or the applicants of
/// her labs only (a lab's coordinator on a network call she may see); 404 for others.
pub fn round_labs(access: &CallAccess) -> AppResult<Option<Vec<LabId>>> {
    if access.manage {
        Ok(None)
    } else if !access.assist.is_empty() {
        Ok(Some(access.assist.clone()))
    } else {
        Err(AppError::NotFound)
    }
}

/// The ranking narrowed to the applicants of `labs` (nothing of the others' rows is left,
/// the proposal total included).
impl Ranking {
    pub fn narrowed(mut self, labs: Option<&[LabId]>) -> Self {
        if let Some(labs) = labs {
            self.rows.retain(|x| labs.contains(&x.lab_id));
            self.proposed_total = self.rows.iter().filter_map(|x| x.proposed).sum();
            self.labs_only = true;
        }
        self
    }
}

/// The call and its ranking, for the call's managers (its page and the API), and for a lab's
/// coordinator on a network call with her labs' applicants only.
pub async fn ranking(store: &Store, actor: &Actor, id: GrantCallId) -> AppResult<(Call, Ranking)> {
    let (call, access) = call_for(store, actor, id).await?;
    let labs = round_labs(&access)?;
    let mut c = store.conn().await?;
    let r = ranking_in(&mut c, &call).await?;
    Ok((call, r.narrowed(labs.as_deref())))
}

/// Awards one application: `amount` in som (the proposal, or adjusted with a reason). The store
/// refuses what would pass the budget or the limits, even when two coordinators press at once.
/// Creates the first tranche (the whole award) and the venture it funds.
pub async fn award(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    amount: &str,
    reason: &str,
) -> AppResult<AwardId> {
    let (app, call, access) = app_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let amount = som("amount", amount, &mut errs);
    let reason = limit("reason", reason, 500, &mut errs);
    if amount.is_none() && errs.is_empty() {
        errs.push(("amount".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let amount = amount.unwrap_or(0);
    if call.status != CallStatus::Closed {
        return Err(invalid("amount", "err-grant-award-closed"));
    }
    let mut tx = store.begin().await?;
    let proposed = ranking_in(&mut tx, &call)
        .await?
        .rows
        .iter()
        .find(|r| r.application_id == id)
        .and_then(|r| r.proposed)
        .unwrap_or(0);
    if amount != proposed && reason.is_empty() {
        return Err(invalid("reason", "err-grant-reason"));
    }
    let award_id = g::award(
        &mut tx,
        &g::NewAward {
            application: id,
            call: call.id,
            amount,
            proposed_amount: proposed,
            adjusted_reason: &reason,
            decided_by: actor.user_id,
            decided_on: domain::time::today(),
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict("grant_awards.budget") => invalid("amount", "err-grant-over-budget"),
        StoreError::Conflict("grant_awards.limits") => invalid("amount", "err-grant-limits"),
        StoreError::Conflict(_) => invalid("amount", "err-grant-status"),
        other => other.into(),
    })?;
    g::replace_tranches(
        &mut tx,
        award_id,
        &[g::TranchePlan {
            amount,
            condition: String::new(),
            due_on: None,
        }],
    )
    .await?;
    let team: Vec<PersonId> = g::team(&mut tx, id)
        .await?
        .into_iter()
        .filter(|m| m.confirmed_at.is_some())
        .map(|m| m.person_id)
        .collect();
    let mut members = vec![app.person_id];
    members.extend(team.iter().copied());
    g::insert_venture(
        &mut tx,
        app.lab_id,
        Some(award_id),
        &app.title,
        rules::venture_kind(team.len()),
        app.category,
        &members,
    )
    .await?;
    commit_app(
        tx,
        actor,
        "grant.award",
        &app,
        format!(
            "application {id} amount {amount} proposed {proposed}{}",
            if amount != proposed { " adjusted" } else { "" }
        ),
    )
    .await?;
    Ok(award_id)
}

/// Decides the round: every submitted application not awarded is declined with the message
/// the coordinator wrote; every applicant is told (her page, and an email where she has one).
pub async fn decide(
    store: &Store,
    actor: &Actor,
    call: &Call,
    awarded_message: &str,
    declined_message: &str,
) -> AppResult<u64> {
    if !manages(actor, call) {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let awarded_message = block("awarded_message", awarded_message, 2000, &mut errs);
    let declined_message = block("declined_message", declined_message, 2000, &mut errs);
    if declined_message.is_empty() {
        errs.push(("declined_message".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    if call.status != CallStatus::Closed {
        return Err(invalid("declined_message", "err-grant-award-closed"));
    }
    let mut tx = store.begin().await?;
    g::lock_call(&mut tx, call.id).await?;
    let apps = g::applications(&mut tx, call.id, false).await?;
    let declined = g::decide_rest(&mut tx, call.id, &declined_message, &awarded_message).await?;
    if !g::set_call_status(&mut tx, call.id, CallStatus::Closed, CallStatus::Decided).await? {
        return Err(AppError::Conflict("err-grant-status"));
    }
    for a in apps.iter().filter(|a| {
        matches!(
            a.status,
            ApplicationStatus::Submitted | ApplicationStatus::Awarded
        )
    }) {
        let awarded = a.status == ApplicationStatus::Awarded;
        queue_decision_mail(
            &mut tx,
            a,
            call,
            awarded,
            if awarded {
                &awarded_message
            } else {
                &declined_message
            },
        )
        .await?;
    }
    commit(
        tx,
        about_call(actor, "grant_call.decide", call).with_detail(format!("declined {declined}")),
    )
    .await?;
    Ok(declined)
}

async fn queue_decision_mail(
    tx: &mut AnyConn,
    a: &Application,
    call: &Call,
    awarded: bool,
    message: &str,
) -> AppResult<()> {
    // Over the channels she chose, else to her address, in her language, once per application.
    crate::services::messages::queue(
        tx,
        Some(a.person_id),
        None,
        Some(a.lab_id),
        if awarded {
            "grant-awarded"
        } else {
            "grant-declined"
        },
        &[
            ("title", a.title.clone()),
            ("call", call.title.clone()),
            ("text", message.to_string()),
        ],
        crate::services::messages::When {
            once: Some(format!("grant-decision-{}", a.id)),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
