//! Reviews: conflicts of interest and scores per criterion.
use super::*;

/// A reviewer declares a conflict of interest: the application leaves her list for good.
pub async fn declare_conflict(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    reason: &str,
) -> AppResult<GrantCallId> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let mut errs = vec![];
    let reason = limit("reason", reason, 300, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (app, call, access) = app_for(store, actor, id).await?;
    if !access.review {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    if let Some(r) = g::reviews(&mut tx, id, false)
        .await?
        .into_iter()
        .find(|r| r.reviewer_id == user)
        && r.submitted_at.is_some()
    {
        return Err(invalid("reason", "err-grant-reviewed"));
    }
    g::declare_conflict(&mut tx, user, id, &reason).await?;
    commit(
        tx,
        about_call(actor, "grant_review.conflict", &call)
            .with_detail(format!("application {}", app.id)),
    )
    .await?;
    Ok(call.id)
}

/// A review as typed: points and a comment per criterion, an overall comment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Pairs")]
pub struct ReviewInput {
    /// (criterion id, points, comment)
    pub scores: Vec<(String, String, String)>,
    pub comment: String,
}

/// Reads `points-<criterion>` and `note-<criterion>` fields (the service keeps the call's own).
impl From<Pairs> for ReviewInput {
    fn from(f: Pairs) -> Self {
        let mut ids: Vec<&str> =
            f.0.iter()
                .filter_map(|(k, _)| k.strip_prefix("points-").or(k.strip_prefix("note-")))
                .collect();
        ids.sort_unstable();
        ids.dedup();
        Self {
            scores: ids
                .iter()
                .map(|id| {
                    let id = id.to_string();
                    let (points, note) =
                        (f.get(&format!("points-{id}")), f.get(&format!("note-{id}")));
                    (id, points, note)
                })
                .collect(),
            comment: f.get("comment"),
        }
    }
}

impl ReviewInput {
    fn score(&self, criterion: &domain::CriterionId) -> (String, String, String) {
        let id = criterion.to_string();
        self.scores
            .iter()
            .find(|s| s.0 == id)
            .cloned()
            .unwrap_or_default()
    }
    pub fn from_review(r: Option<&Review>, criteria: &[g::Criterion]) -> Self {
        Self {
            scores: criteria
                .iter()
                .map(|k| {
                    (
                        k.id.to_string(),
                        r.and_then(|r| r.points(&k.id))
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        r.map(|r| r.score_comment(&k.id).to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            comment: r.map(|r| r.comment.clone()).unwrap_or_default(),
        }
    }
    pub fn points(&self, criterion: &domain::CriterionId) -> String {
        self.score(criterion).1
    }
    pub fn note(&self, criterion: &domain::CriterionId) -> String {
        self.score(criterion).2
    }
}

/// Saves her scores; `submit` makes them final (every criterion scored) and lets her see the
/// other reviewers' scores.
pub async fn save_review(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    input: &ReviewInput,
    submit: bool,
) -> AppResult<()> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let (app, call, access) = app_for(store, actor, id).await?;
    if !access.review {
        return Err(AppError::NotFound);
    }
    if app.status != ApplicationStatus::Submitted || call.status == CallStatus::Decided {
        return Err(invalid("comment", "err-grant-review-closed"));
    }
    let mut c = store.conn().await?;
    let criteria = g::criteria(&mut c, call.id).await?;
    drop(c);
    let mut errs: Errs = vec![];
    let mut scores = vec![];
    for k in &criteria {
        let key = k.id.to_string();
        let (_, points, note) = input.score(&k.id);
        let note = block("scores", &note, 1000, &mut errs);
        if points.trim().is_empty() {
            if submit {
                errs.push((format!("points-{key}"), "err-grant-points".into()));
            }
            continue;
        }
        match points.trim().parse::<i64>() {
            Ok(p) if (0..=k.spec.max_points).contains(&p) => scores.push((k.id, p, note)),
            _ => errs.push((format!("points-{key}"), "err-grant-points".into())),
        }
    }
    let comment = block("comment", &input.comment, 3000, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    g::save_review(&mut tx, id, user, &comment, &scores, submit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => invalid("comment", "err-grant-reviewed"),
            other => other.into(),
        })?;
    commit(
        tx,
        about_call(
            actor,
            if submit {
                "grant_review.submit"
            } else {
                "grant_review.save"
            },
            &call,
        )
        .with_detail(format!("application {id}")),
    )
    .await?;
    Ok(())
}
