//! Bookings: a resident or alumna for herself, a coordinator for anyone or a walk-in; weekly
//! repeats, arrivals, maintenance blocks.
use super::*;

/// A booking request. `person`: a coordinator books for her; `walk_in`: for someone without a
/// record; `weeks`: the same slot weekly for that many weeks (coordinators).
#[derive(Debug, Clone, Default)]
pub struct BookRequest {
    pub resource: ResourceId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub person: Option<PersonId>,
    pub walk_in: String,
    pub weeks: i64,
    pub note: String,
}

/// Books, or refuses with the reason ([`AppError::Conflict`] with a `space-refused-…` key).
/// Two people can never hold the same slot: the slot rows are inserted in the booking's
/// transaction and the database refuses the second holder.
pub async fn book(store: &Store, actor: &Actor, req: &BookRequest) -> AppResult<Vec<BookingId>> {
    let user = signed_in(actor)?;
    let r = resource_for(store, actor, req.resource).await?;
    let staff = actor.allows(Action::ManageSpace(r.lab_id));
    if !r.active && !staff {
        return Err(AppError::NotFound);
    }
    let walk_in = req.walk_in.trim().to_string();
    let person = match (req.person, staff) {
        (Some(p), true) => Some(p),
        (Some(p), false) if Some(p) == actor.person_id => Some(p),
        (Some(_), false) => return Err(AppError::NotFound),
        (None, true) if !walk_in.is_empty() => None,
        (None, _) => Some(actor.person_id.ok_or(AppError::NotFound)?),
    };
    if walk_in.chars().count() > 120 {
        return Err(crate::services::base::invalid("walk_in", "err-too-long"));
    }
    let weeks = if staff { req.weeks.clamp(1, 26) } else { 1 };
    let now = Utc::now();
    let mut tx = store.begin().await?;
    if let Some(p) = person
        && db::person_lab(&mut tx, p).await? != Some(r.lab_id)
    {
        return Err(AppError::NotFound);
    }
    if let (Some(t), Some(p)) = (r.training_id, person)
        && !db::completed(&mut tx, p, t).await?
    {
        return Err(refused(Refusal::NoTraining));
    }
    let rules = db::rules(&mut tx, &r).await?;
    let series = (weeks > 1).then(|| uuid::Uuid::now_v7().to_string());
    let mut ids = vec![];
    for w in 0..weeks {
        let s = req.starts_at + Duration::weeks(w);
        let e = req.ends_at + Duration::weeks(w);
        let slots = rules.cover(s, e, now, staff).map_err(refused)?;
        if db::any_taken(&mut tx, r.id, &slots).await? {
            return Err(refused(Refusal::Taken));
        }
        let minutes = (e - s).num_minutes();
        let (price, plan) = match person {
            Some(p) => {
                let day = domain::space::local(s).date();
                match db::plan_on(&mut tx, p, r.lab_id, day).await? {
                    Some(pp) if pp.minutes_included > 0 => {
                        if db::use_minutes(&mut tx, pp.id, minutes).await? {
                            (0, Some(pp.id))
                        } else if staff {
                            let a = db::audience(&mut tx, p, r.lab_id).await?;
                            (db::price_for(&mut tx, &r, a, minutes).await?, None)
                        } else {
                            return Err(refused(Refusal::PlanUsedUp));
                        }
                    }
                    _ => {
                        let a = db::audience(&mut tx, p, r.lab_id).await?;
                        (db::price_for(&mut tx, &r, a, minutes).await?, None)
                    }
                }
            }
            None => (
                db::price_for(&mut tx, &r, Audience::Outsider, minutes).await?,
                None,
            ),
        };
        let id = db::insert_booking(
            &mut tx,
            &db::NewBooking {
                lab: r.lab_id,
                resource: r.id,
                person,
                walk_in: &walk_in,
                starts_at: s,
                ends_at: e,
                status: "booked",
                series: series.clone(),
                price,
                person_plan: plan,
                note: &req.note,
                by: Some(user),
            },
            &slots,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict("space_slots") => refused(Refusal::Taken),
            other => other.into(),
        })?;
        ids.push(id);
    }
    let first = ids[0];
    store::audit::record(
        &mut tx,
        entry(actor, "space.book", "booking", first, Some(r.lab_id)).with_detail(format!(
            "resource {} x{}",
            r.id,
            ids.len()
        )),
    )
    .await?;
    tx.commit().await.map_err(|e| match StoreError::from(e) {
        StoreError::Db(d)
            if d.as_database_error()
                .is_some_and(|x| x.is_unique_violation()) =>
        {
            refused(Refusal::Taken)
        }
        other => other.into(),
    })?;
    Ok(ids)
}

/// A booking the actor may see: hers, or any of the lab for its staff.
pub async fn booking_for(store: &Store, actor: &Actor, id: BookingId) -> AppResult<Booking> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    match db::booking(&mut c, id).await? {
        Some(b)
            if actor.allows(Action::ManageSpace(b.lab_id))
                || (b.person_id.is_some() && b.person_id == actor.person_id) =>
        {
            Ok(b)
        }
        _ => Err(AppError::NotFound),
    }
}

/// Cancels a booking: she before the resource's cancellation deadline, its staff at any time.
pub async fn cancel(store: &Store, actor: &Actor, id: BookingId) -> AppResult<()> {
    let b = booking_for(store, actor, id).await?;
    let staff = actor.allows(Action::ManageSpace(b.lab_id));
    let mut tx = store.begin().await?;
    let r = db::resource(&mut tx, b.resource_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = db::rules(&mut tx, &r).await?;
    if !staff && !rules.may_cancel(b.starts_at, Utc::now()) {
        return Err(refused(Refusal::TooLate));
    }
    if !db::cancel_booking(&mut tx, id).await? {
        return Err(AppError::Conflict("err-space-not-live"));
    }
    if let Some(pp) = b.person_plan_id {
        db::return_minutes(&mut tx, pp, (b.ends_at - b.starts_at).num_minutes()).await?;
    }
    commit(
        tx,
        entry(actor, "space.cancel", "booking", id, Some(b.lab_id)),
    )
    .await
}

/// Marks arrival (`arrived`) or a no-show (`no-show`): staff of the lab.
pub async fn mark(store: &Store, actor: &Actor, id: BookingId, status: &str) -> AppResult<()> {
    let b = booking_for(store, actor, id).await?;
    allow(actor, Action::ManageSpace(b.lab_id))?;
    if !matches!(status, "arrived" | "no-show") {
        return Err(crate::services::base::invalid("status", "err-choice"));
    }
    let mut tx = store.begin().await?;
    if !db::mark(&mut tx, id, status).await? {
        return Err(AppError::Conflict("err-space-not-live"));
    }
    commit(
        tx,
        entry(actor, "space.mark", "booking", id, Some(b.lab_id)).with_detail(status),
    )
    .await
}

/// Blocks a resource for maintenance on days `from..=to`: no new booking there; the bookings
/// already made those days are returned to be told.
pub async fn block(
    store: &Store,
    actor: &Actor,
    r: &Resource,
    from: &str,
    to: &str,
    reason: &str,
) -> AppResult<Vec<Booking>> {
    allow(actor, Action::ManageSpace(r.lab_id))?;
    let mut errs = vec![];
    let from =
        crate::services::base::date("from", from, domain::time::DateSpan::Planned, &mut errs);
    let to = crate::services::base::date("to", to, domain::time::DateSpan::Planned, &mut errs);
    let reason = limit("reason", reason, 200, &mut errs);
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        errs.push(("to".into(), "space-refused-end-before-start".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
    let mut tx = store.begin().await?;
    db::add_closure(&mut tx, r.lab_id, Some(r.id), from, to, &reason).await?;
    let affected = db::bookings_of_resource(
        &mut tx,
        r.id,
        domain::space::at(from, chrono::NaiveTime::MIN),
        domain::space::at(to + Duration::days(1), chrono::NaiveTime::MIN),
    )
    .await?
    .into_iter()
    .filter(|b| b.status == "booked")
    .collect();
    commit(
        tx,
        entry(actor, "space.block", "resource", r.id, Some(r.lab_id))
            .with_detail(format!("{from}..{to}")),
    )
    .await?;
    Ok(affected)
}

/// Her own bookings, newest first.
pub async fn my_bookings(store: &Store, actor: &Actor) -> AppResult<Vec<Booking>> {
    signed_in(actor)?;
    let Some(p) = actor.person_id else {
        return Ok(vec![]);
    };
    let mut c = store.conn().await?;
    Ok(db::bookings_of_person(&mut c, p).await?)
}

/// The lab of the woman asking (her bookings page lists its resources).
pub async fn my_lab(store: &Store, actor: &Actor) -> AppResult<Option<LabId>> {
    let Some(p) = actor.person_id else {
        return Ok(None);
    };
    let mut c = store.conn().await?;
    Ok(db::person_lab(&mut c, p).await?)
}

/// Bookings of a resource with the bookers' names: its staff only.
pub async fn resource_bookings(
    store: &Store,
    actor: &Actor,
    r: &Resource,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<Booking>> {
    allow(actor, Action::ManageSpace(r.lab_id))?;
    let mut c = store.conn().await?;
    Ok(db::bookings_of_resource(&mut c, r.id, from, to).await?)
}

/// A calendar of bookings.
pub fn ical(name: &str, base: &str, bookings: &[Booking], lang: &str, names: bool) -> String {
    let events: Vec<documents::ical::CalEvent> = bookings
        .iter()
        .map(|b| documents::ical::CalEvent {
            uid: format!("{}@wcl", b.id),
            start: b.starts_at,
            end: b.ends_at,
            summary: if names && !b.who.is_empty() {
                format!("{} · {}", b.resource_name(lang), b.who)
            } else {
                b.resource_name(lang).to_string()
            },
            description: String::new(),
            location: String::new(),
            url: Some(format!("{base}/resources/{}", b.resource_id)),
            cancelled: b.status == "cancelled",
            sequence: 0,
            updated: b.starts_at,
        })
        .collect();
    documents::ical::calendar(name, &events)
}
