use super::*;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub body: String,
    pub purchases: String,
    pub first_sales: String,
}

/// The grantee (or the coordinator with her) reports progress.
pub async fn submit_report(
    store: &Store,
    actor: &Actor,
    id: AwardId,
    input: &ReportInput,
) -> AppResult<ReportId> {
    let (_, app, _, access) = award_for(store, actor, id).await?;
    if !access.grantee() && !access.assist {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let body = block("body", &input.body, 5000, &mut errs);
    if body.is_empty() {
        errs.push(("body".into(), "err-required".into()));
    }
    let purchases = block("purchases", &input.purchases, 3000, &mut errs);
    let first_sales = som("first_sales", &input.first_sales, &mut errs).unwrap_or(0);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let rid = g::insert_report(&mut tx, id, &body, &purchases, first_sales, actor.user_id).await?;
    commit(
        tx,
        about_app(actor, "grant.report", &app).with_detail(format!("report {rid}")),
    )
    .await?;
    Ok(rid)
}

/// The report with its application, if the actor may see its award.
pub async fn report_for(
    store: &Store,
    actor: &Actor,
    id: ReportId,
) -> AppResult<(g::Report, Application, AppAccess)> {
    let r = fetch(store, actor, async |c| g::get_report(c, id).await).await?;
    let (_, app, _, access) = award_for(store, actor, r.award_id).await?;
    Ok((r, app, access))
}

/// The coordinator accepts a report, or asks for more (saying what).
pub async fn respond_report(
    store: &Store,
    actor: &Actor,
    id: ReportId,
    decision: &str,
    response: &str,
) -> AppResult<AwardId> {
    let (r, app, access) = report_for(store, actor, id).await?;
    if !access.decide && !access.assist {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let response = block("response", response, 2000, &mut errs);
    let status = match decision {
        "accept" => ReportStatus::Accepted,
        "more" => ReportStatus::MoreRequested,
        _ => return Err(AppError::BadRequest("err-bad-form")),
    };
    if status == ReportStatus::MoreRequested && response.is_empty() {
        errs.push(("response".into(), "err-grant-say-what".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    if !g::respond_report(&mut tx, id, status, &response, actor.user_id).await? {
        return Err(invalid("response", "err-grant-answered"));
    }
    commit(
        tx,
        about_app(actor, "grant.report_response", &app)
            .with_detail(format!("report {id} {}", status.code())),
    )
    .await?;
    Ok(r.award_id)
}

/// The venture with what the actor may do, if she may see its grant.
pub async fn venture_for(
    store: &Store,
    actor: &Actor,
    id: VentureId,
) -> AppResult<(g::Venture, Option<(Award, Application, AppAccess)>)> {
    let v = fetch(store, actor, async |c| g::get_venture(c, id).await).await?;
    match v.award_id {
        Some(a) => {
            let (award, app, _, access) = award_for(store, actor, a).await?;
            Ok((v, Some((award, app, access))))
        }
        None if actor.allows(Action::ManageGrants(v.lab_id))
            || actor
                .person_id
                .is_some_and(|p| v.members.iter().any(|m| m.0 == p)) =>
        {
            Ok((v, None))
        }
        None => Err(AppError::NotFound),
    }
}

/// A venture's page: the venture, the grant that funds it (if the reader may see it), and
/// whether she may record its launch or closing.
pub struct VentureView {
    pub venture: g::Venture,
    pub app: Option<Application>,
    pub award: Option<Award>,
    pub can_edit: bool,
}

pub async fn venture_view(store: &Store, actor: &Actor, id: VentureId) -> AppResult<VentureView> {
    let (venture, grant) = venture_for(store, actor, id).await?;
    let can_edit = actor.allows(Action::ManageGrants(venture.lab_id))
        || grant
            .as_ref()
            .is_some_and(|(_, _, a)| a.staff() || a.grantee());
    let (award, app) = match grant {
        Some((w, a, _)) => (Some(w), Some(a)),
        None => (None, None),
    };
    Ok(VentureView {
        venture,
        app,
        award,
        can_edit,
    })
}

/// The coordinator (or a member) records that the venture launched, or closed.
pub async fn set_venture_status(
    store: &Store,
    actor: &Actor,
    id: VentureId,
    status: &str,
    on: &str,
) -> AppResult<()> {
    let v = venture_view(store, actor, id).await?;
    if !v.can_edit {
        return Err(AppError::NotFound);
    }
    let v = v.venture;
    let status = VentureStatus::parse(status).ok_or(AppError::BadRequest("err-bad-form"))?;
    let on = match domain::time::parse_date(on) {
        Some(d) if d <= domain::time::today() => d,
        _ => return Err(invalid("on", "err-date")),
    };
    let mut tx = store.begin().await?;
    if !g::set_venture_status(&mut tx, id, status, on).await? {
        return Err(AppError::Conflict("err-grant-status"));
    }
    commit(
        tx,
        entry(actor, "venture.status", "venture", id, Some(v.lab_id)).with_detail(status.code()),
    )
    .await?;
    Ok(())
}
