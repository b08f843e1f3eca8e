//! The lab's space and its own money: resources and prices (coordinators), bookings (a resident
//! or alumna for herself, a coordinator for anyone or a walk-in), plans, invoices numbered
//! without gaps, payments (by hand or from a bank statement), costs, and the self-financing
//! ratio. Access: anyone signed in of the lab sees resources and free slots; she books for
//! herself and sees her own bookings and invoices; the lab's coordinators and the admin manage
//! everything (`Action::ManageSpace`); another lab's staff get 404.
use super::base::{allow, commit, entry, limit, number, signed_in};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::space::{
    Audience, CostCategory, LineItem, Payer, PaymentMethod, PlanKind, PriceUnit, Refusal,
    ResourceKind, Week,
};
use domain::{
    Action, Actor, BookingId, InvoiceId, LabId, OrgId, PersonId, PersonPlanId, PlanId, ProgrammeId,
    ResourceId,
};
use serde::{Deserialize, Serialize};
use store::space::{self as db, Booking, Invoice, Line, Payment, PersonPlan, Plan, Resource};
use store::{Store, StoreError};

fn refused(r: Refusal) -> AppError {
    AppError::Conflict(r.key())
}

/// A resource the actor may see: staff of its lab, the admin, or a woman of its lab.
pub async fn resource_for(store: &Store, actor: &Actor, id: ResourceId) -> AppResult<Resource> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    let r = db::resource(&mut c, id).await?.ok_or(AppError::NotFound)?;
    if may_see_lab(&mut c, actor, r.lab_id).await? {
        Ok(r)
    } else {
        Err(AppError::NotFound)
    }
}

async fn may_see_lab(c: &mut store::AnyConn, actor: &Actor, lab: LabId) -> AppResult<bool> {
    if actor.allows(Action::ViewLabInternal(lab)) {
        return Ok(true);
    }
    Ok(match actor.person_id {
        Some(p) => db::person_lab(c, p).await? == Some(lab),
        None => false,
    })
}

/// The lab's resources (active ones for a woman; all for its staff).
pub async fn resources(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Vec<Resource>> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    if !may_see_lab(&mut c, actor, lab).await? {
        return Err(AppError::NotFound);
    }
    let all = db::resources(&mut c, lab).await?;
    Ok(if actor.allows(Action::ManageSpace(lab)) {
        all
    } else {
        all.into_iter().filter(|r| r.active).collect()
    })
}

/// A resource's prices.
pub async fn prices(store: &Store, r: &Resource) -> AppResult<Vec<db::Price>> {
    let mut c = store.conn().await?;
    Ok(db::prices(&mut c, r.id).await?)
}

/// The form of a resource, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ResourceInput {
    pub kind: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub capacity: String,
    /// Monday..Sunday, each `09:00-18:00` or empty (closed).
    pub mon: String,
    pub tue: String,
    pub wed: String,
    pub thu: String,
    pub fri: String,
    pub sat: String,
    pub sun: String,
    pub slot_minutes: String,
    pub horizon_days: String,
    pub max_hours: String,
    pub cancel_hours: String,
    pub training_id: String,
    pub active: String,
    pub price_unit: String,
    pub price_resident: String,
    pub price_alumna: String,
    pub price_member: String,
    pub price_outsider: String,
    pub price_organisation: String,
}

pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl ResourceInput {
    pub fn day(&self, i: usize) -> &str {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ][i]
    }
    pub fn price(&self, a: &str) -> &str {
        match a {
            "resident" => &self.price_resident,
            "alumna" => &self.price_alumna,
            "member" => &self.price_member,
            "outsider" => &self.price_outsider,
            _ => &self.price_organisation,
        }
    }
    pub fn blank() -> Self {
        let open = "09:00-18:00".to_string();
        Self {
            kind: "equipment".into(),
            capacity: "1".into(),
            mon: open.clone(),
            tue: open.clone(),
            wed: open.clone(),
            thu: open.clone(),
            fri: open,
            sat: "10:00-15:00".into(),
            slot_minutes: "60".into(),
            horizon_days: "14".into(),
            max_hours: "4".into(),
            cancel_hours: "2".into(),
            active: "on".into(),
            price_unit: "hour".into(),
            ..Self::default()
        }
    }
    pub fn from_resource(r: &Resource, prices: &[db::Price]) -> Self {
        let w = r.week();
        let d = |i: usize| domain::space::day_code(&w.0[i]);
        let som = |a: &str| {
            prices
                .iter()
                .find(|p| p.audience == a)
                .map(|p| format!("{}", p.amount as f64 / 100.0))
                .unwrap_or_default()
        };
        Self {
            kind: r.kind.clone(),
            name_ky: r.name_ky.clone(),
            name_ru: r.name_ru.clone(),
            name_en: r.name_en.clone(),
            capacity: r.capacity.to_string(),
            mon: d(0),
            tue: d(1),
            wed: d(2),
            thu: d(3),
            fri: d(4),
            sat: d(5),
            sun: d(6),
            slot_minutes: r.slot_minutes.to_string(),
            horizon_days: r.horizon_days.to_string(),
            max_hours: (r.max_minutes / 60).to_string(),
            cancel_hours: r.cancel_hours.to_string(),
            training_id: r.training_id.map(|t| t.to_string()).unwrap_or_default(),
            active: if r.active { "on".into() } else { String::new() },
            price_unit: prices
                .first()
                .map(|p| p.unit.clone())
                .unwrap_or_else(|| "hour".into()),
            price_resident: som("resident"),
            price_alumna: som("alumna"),
            price_member: som("member"),
            price_outsider: som("outsider"),
            price_organisation: som("organisation"),
        }
    }
}

/// A sum of money typed in som: within 0..=[`domain::space::MAX_AMOUNT`].
fn amount(field: &str, s: &str, errs: &mut Vec<(String, String)>) -> Option<i64> {
    match domain::Money::parse_som("amount", s) {
        Ok(Some(m)) if m.0 <= domain::space::MAX_AMOUNT => Some(m.0),
        Ok(Some(_)) => {
            errs.push((field.into(), "err-space-amount-absurd".into()));
            None
        }
        Ok(None) => Some(0),
        Err(_) => {
            errs.push((field.into(), "err-money".into()));
            None
        }
    }
}

/// Creates (`id` none) or changes a resource of the lab with its prices.
pub async fn save_resource(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    id: Option<ResourceId>,
    f: &ResourceInput,
) -> AppResult<ResourceId> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    if ResourceKind::parse(&f.kind).is_none() {
        errs.push(("kind".into(), "err-choice".into()));
    }
    let name_ky = limit("name_ky", &f.name_ky, 120, &mut errs);
    let name_ru = limit("name_ru", &f.name_ru, 120, &mut errs);
    let name_en = limit("name_en", &f.name_en, 120, &mut errs);
    if name_ky.is_empty() {
        errs.push(("name_ky".into(), "err-required".into()));
    }
    let capacity = number(
        "capacity",
        &f.capacity,
        1..=500,
        "err-space-number",
        &mut errs,
    );
    let mut days = [None; 7];
    for (i, d) in DAYS.iter().enumerate() {
        match domain::space::parse_day(f.day(i)) {
            Some(h) => days[i] = h,
            None => errs.push(((*d).into(), "err-space-hours".into())),
        }
    }
    let slot = number(
        "slot_minutes",
        &f.slot_minutes,
        15..=1440,
        "err-space-number",
        &mut errs,
    );
    let horizon = number(
        "horizon_days",
        &f.horizon_days,
        1..=365,
        "err-space-number",
        &mut errs,
    );
    let max_hours = number(
        "max_hours",
        &f.max_hours,
        1..=24,
        "err-space-number",
        &mut errs,
    );
    let cancel = number(
        "cancel_hours",
        &f.cancel_hours,
        0..=336,
        "err-space-number",
        &mut errs,
    );
    let training = if f.training_id.trim().is_empty() {
        None
    } else {
        match f.training_id.trim().parse::<ProgrammeId>() {
            Ok(p) => Some(p),
            Err(_) => {
                errs.push(("training_id".into(), "err-choice".into()));
                None
            }
        }
    };
    let unit = PriceUnit::parse(&f.price_unit);
    if unit.is_none() {
        errs.push(("price_unit".into(), "err-choice".into()));
    }
    let mut prices = vec![];
    for a in Audience::ALL {
        let field = format!("price_{}", a.code());
        if f.price(a.code()).trim().is_empty() {
            continue;
        }
        if let Some(v) = amount(&field, f.price(a.code()), &mut errs) {
            prices.push(db::Price {
                audience: a.code().into(),
                unit: unit.unwrap_or(PriceUnit::Hour).code().into(),
                amount: v,
            });
        }
    }
    let mut c = store.begin().await?;
    if let Some(p) = training {
        match store::training::programme(&mut c, p).await? {
            Some(x) if x.lab_id == lab => {}
            _ => errs.push(("training_id".into(), "err-choice".into())),
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let fields = db::ResourceFields {
        kind: f.kind.trim().into(),
        name_ru: if name_ru.is_empty() {
            name_ky.clone()
        } else {
            name_ru
        },
        name_en: if name_en.is_empty() {
            name_ky.clone()
        } else {
            name_en
        },
        name_ky,
        capacity: capacity.unwrap_or(1),
        hours: Week(days).code(),
        slot_minutes: slot.unwrap_or(60),
        horizon_days: horizon.unwrap_or(14),
        max_minutes: max_hours.unwrap_or(4) * 60,
        cancel_hours: cancel.unwrap_or(2),
        training_id: training,
        active: f.active == "on",
    };
    let id = match id {
        Some(id) => {
            match db::resource(&mut c, id).await? {
                Some(r) if r.lab_id == lab => {}
                _ => return Err(AppError::NotFound),
            }
            db::update_resource(&mut c, id, &fields).await?;
            id
        }
        None => db::insert_resource(&mut c, lab, &fields).await?,
    };
    db::set_prices(&mut c, id, &prices).await?;
    commit(
        c,
        entry(actor, "space.resource.save", "resource", id, Some(lab)),
    )
    .await?;
    Ok(id)
}

// ---------------------------------------------------------------- availability

/// One slot of a week view. `state`: `free`, `taken`, `mine`, `past`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub state: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Day {
    pub date: NaiveDate,
    /// The resource is closed that day (weekday, holiday, maintenance).
    pub closed: bool,
    pub slots: Vec<Slot>,
}

/// Free and taken slots of a resource from `from` to `to` (dates, inclusive, at most 31 days).
/// Whoever holds a taken slot is never named.
pub async fn availability(
    store: &Store,
    actor: &Actor,
    r: &Resource,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<Day>> {
    if to < from || (to - from).num_days() > 31 {
        return Err(super::base::invalid("to", "err-space-range"));
    }
    let mut c = store.conn().await?;
    let rules = db::rules(&mut c, r).await?;
    let start = domain::space::at(from, chrono::NaiveTime::MIN);
    let end = domain::space::at(to + Duration::days(1), chrono::NaiveTime::MIN);
    let bookings = db::bookings_of_resource(&mut c, r.id, start, end).await?;
    let now = Utc::now();
    let step = Duration::minutes(r.slot_minutes);
    let mut out = vec![];
    let mut d = from;
    while d <= to {
        let slots = rules
            .slots_of(d)
            .into_iter()
            .map(|s| {
                let e = s + step;
                let holder = bookings
                    .iter()
                    .find(|b| b.status != "cancelled" && b.starts_at < e && b.ends_at > s);
                let state = match holder {
                    Some(b) if b.person_id.is_some() && b.person_id == actor.person_id => "mine",
                    Some(_) => "taken",
                    None if s < now => "past",
                    None => "free",
                };
                Slot {
                    starts_at: s,
                    ends_at: e,
                    state: state.into(),
                }
            })
            .collect();
        out.push(Day {
            date: d,
            closed: rules.closed_on(d),
            slots,
        });
        d += Duration::days(1);
    }
    Ok(out)
}

// ---------------------------------------------------------------- booking

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
        return Err(super::base::invalid("walk_in", "err-too-long"));
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
        return Err(super::base::invalid("status", "err-choice"));
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
    let from = super::base::date("from", from, domain::time::DateSpan::Planned, &mut errs);
    let to = super::base::date("to", to, domain::time::DateSpan::Planned, &mut errs);
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

// ---------------------------------------------------------------- plans

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub kind: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub hours: String,
    pub days: String,
    pub price: String,
}

pub async fn plans(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Vec<Plan>> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    if !may_see_lab(&mut c, actor, lab).await? {
        return Err(AppError::NotFound);
    }
    Ok(db::plans(&mut c, lab).await?)
}

pub async fn save_plan(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    f: &PlanInput,
) -> AppResult<PlanId> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    if PlanKind::parse(&f.kind).is_none() {
        errs.push(("kind".into(), "err-choice".into()));
    }
    let ky = limit("name_ky", &f.name_ky, 120, &mut errs);
    let ru = limit("name_ru", &f.name_ru, 120, &mut errs);
    let en = limit("name_en", &f.name_en, 120, &mut errs);
    if ky.is_empty() {
        errs.push(("name_ky".into(), "err-required".into()));
    }
    let hours = number("hours", &f.hours, 0..=744, "err-space-number", &mut errs);
    let days = number("days", &f.days, 1..=366, "err-space-number", &mut errs);
    let price = if f.price.trim().is_empty() {
        errs.push(("price".into(), "err-required".into()));
        None
    } else {
        amount("price", &f.price, &mut errs)
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = db::insert_plan(
        &mut tx,
        lab,
        &db::PlanFields {
            kind: f.kind.trim(),
            name_ru: if ru.is_empty() { &ky } else { &ru },
            name_en: if en.is_empty() { &ky } else { &en },
            name_ky: &ky,
            hours_included: hours.unwrap_or(0),
            valid_days: days.unwrap_or(30),
            price: price.unwrap_or(0),
        },
    )
    .await?;
    commit(tx, entry(actor, "space.plan.create", "plan", id, Some(lab))).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AssignInput {
    pub person_id: String,
    pub plan_id: String,
    pub starts_on: String,
    pub renews: String,
    /// Issue the invoice for the plan at once.
    pub invoice: String,
}

/// Gives a woman of the lab a plan from a date (and, asked, invoices it in the same transaction).
pub async fn assign_plan(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    f: &AssignInput,
) -> AppResult<(PersonPlanId, Option<InvoiceId>)> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    let person = f.person_id.trim().parse::<PersonId>().ok();
    if person.is_none() {
        errs.push(("person_id".into(), "err-choice".into()));
    }
    let plan = f.plan_id.trim().parse::<PlanId>().ok();
    if plan.is_none() {
        errs.push(("plan_id".into(), "err-choice".into()));
    }
    let from = if f.starts_on.trim().is_empty() {
        Some(domain::time::today())
    } else {
        super::base::date(
            "starts_on",
            &f.starts_on,
            domain::time::DateSpan::Planned,
            &mut errs,
        )
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (person, plan, from) = (
        person.unwrap_or_default(),
        plan.unwrap_or_default(),
        from.unwrap_or_default(),
    );
    let mut tx = store.begin().await?;
    let p = match db::plan(&mut tx, plan).await? {
        Some(p) if p.lab_id == lab => p,
        _ => return Err(super::base::invalid("plan_id", "err-choice")),
    };
    if db::person_lab(&mut tx, person).await? != Some(lab) {
        return Err(super::base::invalid("person_id", "err-choice"));
    }
    let id =
        db::insert_person_plan(&mut tx, &p, person, from, f.renews == "on", actor.user_id).await?;
    let invoice = if f.invoice == "on" {
        let name = person_name(&mut tx, person).await?;
        let line = Line {
            item: LineItem::Plan.code().into(),
            description: p.name_ky.clone(),
            quantity: 1,
            unit_price: p.price,
            amount: p.price,
            resource_id: None,
            booking_id: None,
            person_plan_id: Some(id),
        };
        Some(
            issue_in(
                &mut tx,
                actor,
                lab,
                Some(person),
                None,
                &name,
                &[line],
                None,
                "ky",
            )
            .await?
            .0,
        )
    } else {
        None
    };
    commit(
        tx,
        entry(actor, "space.plan.assign", "person", person, Some(lab)),
    )
    .await?;
    Ok((id, invoice))
}

pub async fn lab_person_plans(
    store: &Store,
    actor: &Actor,
    lab: LabId,
) -> AppResult<Vec<PersonPlan>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::lab_person_plans(&mut c, lab).await?)
}

pub async fn my_plans(store: &Store, actor: &Actor) -> AppResult<Vec<PersonPlan>> {
    signed_in(actor)?;
    let Some(p) = actor.person_id else {
        return Ok(vec![]);
    };
    let mut c = store.conn().await?;
    Ok(db::person_plans(&mut c, p).await?)
}

async fn person_name(c: &mut store::AnyConn, p: PersonId) -> AppResult<String> {
    db::person_name(c, p).await?.ok_or(AppError::NotFound)
}

/// The women of a lab (id and name), for the coordinator's pickers.
pub async fn lab_people(
    store: &Store,
    actor: &Actor,
    lab: LabId,
) -> AppResult<Vec<(PersonId, String)>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::lab_people(&mut c, lab).await?)
}

// ---------------------------------------------------------------- invoices

/// Issues an invoice in the caller's transaction: numbered from the lab's counter for the year
/// (gapless: a rolled back invoice gives its number back), with the lab's legal details.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn issue_in(
    tx: &mut store::AnyConn,
    actor: &Actor,
    lab: LabId,
    person: Option<PersonId>,
    org: Option<OrgId>,
    payer: &str,
    lines: &[Line],
    credits: Option<InvoiceId>,
    language: &str,
) -> AppResult<(InvoiceId, String)> {
    let labrow = store::labs::lab(tx, lab).await?.ok_or(AppError::NotFound)?;
    let s = db::settings(tx, lab).await?;
    let today = domain::time::today();
    let source = lines
        .first()
        .map(|l| l.item.clone())
        .unwrap_or_else(|| "other".into());
    let r = db::insert_invoice(
        tx,
        &db::NewInvoice {
            lab,
            year: today.year(),
            number_prefix: &labrow.slug,
            kind: if credits.is_some() {
                "credit-note"
            } else {
                "invoice"
            },
            credits,
            person,
            org,
            payer_name: payer,
            seller_name: if s.legal_name.is_empty() {
                &labrow.name_ru
            } else {
                &s.legal_name
            },
            seller_details: &s.legal_details,
            source: &source,
            issued_on: today,
            due_on: today + Duration::days(14),
            language,
            lines,
            by: actor.user_id,
        },
    )
    .await?;
    store::audit::record(
        tx,
        entry(actor, "space.invoice.issue", "invoice", r.0, Some(lab)).with_detail(r.1.clone()),
    )
    .await?;
    Ok(r)
}

/// An invoice as typed by a coordinator: for a woman of the lab, an organisation or a payer
/// named, with up to five lines.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct InvoiceInput {
    pub person_id: String,
    pub org_id: String,
    pub payer_name: String,
    pub language: String,
    pub item: Vec<String>,
    pub description: Vec<String>,
    pub quantity: Vec<String>,
    pub unit_price: Vec<String>,
}

pub async fn issue_invoice(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    f: &InvoiceInput,
) -> AppResult<InvoiceId> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    fn optional_id<T: std::str::FromStr>(
        field: &str,
        s: &str,
        errs: &mut Vec<(String, String)>,
    ) -> Option<T> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let v = s.parse::<T>().ok();
        if v.is_none() {
            errs.push((field.into(), "err-choice".into()));
        }
        v
    }
    let person: Option<PersonId> = optional_id("person_id", &f.person_id, &mut errs);
    let org: Option<OrgId> = optional_id("org_id", &f.org_id, &mut errs);
    let payer = limit("payer_name", &f.payer_name, 200, &mut errs);
    let language = match f.language.as_str() {
        "ru" | "en" | "ky" => f.language.clone(),
        "" => "ky".into(),
        _ => {
            errs.push(("language".into(), "err-choice".into()));
            "ky".into()
        }
    };
    let mut lines = vec![];
    for i in 0..f.description.len().min(20) {
        let desc = f.description[i].trim();
        if desc.is_empty() {
            continue;
        }
        let item = f.item.get(i).map(String::as_str).unwrap_or("other");
        if LineItem::parse(item).is_none() {
            errs.push((format!("item-{i}"), "err-choice".into()));
        }
        let d = limit("description", desc, 300, &mut errs);
        let q = number(
            "quantity",
            f.quantity.get(i).map(String::as_str).unwrap_or("1"),
            1..=10_000,
            "err-space-number",
            &mut errs,
        );
        let p = match domain::Money::parse_som(
            "unit_price",
            f.unit_price.get(i).map(String::as_str).unwrap_or(""),
        ) {
            Ok(Some(m)) if m.0 > 0 && m.0 <= domain::space::MAX_AMOUNT => Some(m.0),
            Ok(Some(m)) if m.0 > 0 => {
                errs.push(("unit_price".into(), "err-space-amount-absurd".into()));
                None
            }
            _ => {
                errs.push(("unit_price".into(), "err-space-amount".into()));
                None
            }
        };
        if let (Some(q), Some(p)) = (q, p) {
            let amount = q.saturating_mul(p);
            if amount > domain::space::MAX_AMOUNT {
                errs.push(("unit_price".into(), "err-space-amount-absurd".into()));
            }
            lines.push(Line {
                item: item.into(),
                description: d,
                quantity: q,
                unit_price: p,
                amount,
                resource_id: None,
                booking_id: None,
                person_plan_id: None,
            });
        }
    }
    if lines.is_empty() && errs.is_empty() {
        errs.push(("description".into(), "err-space-no-lines".into()));
    }
    let mut tx = store.begin().await?;
    let payer = match (person, org) {
        (Some(p), _) => {
            if db::person_lab(&mut tx, p).await? != Some(lab) {
                errs.push(("person_id".into(), "err-choice".into()));
                String::new()
            } else {
                person_name(&mut tx, p).await?
            }
        }
        (None, Some(o)) => match store::labs::org(&mut tx, o).await? {
            Some(o) => o.name,
            None => {
                errs.push(("org_id".into(), "err-choice".into()));
                String::new()
            }
        },
        (None, None) => {
            if payer.is_empty() {
                errs.push(("payer_name".into(), "err-required".into()));
            }
            payer
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (id, _) = issue_in(
        &mut tx, actor, lab, person, org, &payer, &lines, None, &language,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Invoices a woman's plan (a coordinator).
pub async fn invoice_plan(store: &Store, actor: &Actor, pp: PersonPlanId) -> AppResult<InvoiceId> {
    signed_in(actor)?;
    let mut tx = store.begin().await?;
    let p = db::person_plan(&mut tx, pp)
        .await?
        .ok_or(AppError::NotFound)?;
    allow(actor, Action::ManageSpace(p.lab_id))?;
    let line = Line {
        item: LineItem::Plan.code().into(),
        description: format!("{} ({} – {})", p.plan_ky, p.starts_on, p.ends_on),
        quantity: 1,
        unit_price: p.price,
        amount: p.price,
        resource_id: None,
        booking_id: None,
        person_plan_id: Some(pp),
    };
    let (id, _) = issue_in(
        &mut tx,
        actor,
        p.lab_id,
        Some(p.person_id),
        None,
        &p.who,
        &[line],
        None,
        "ky",
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Invoices a booking with a price (a coordinator).
pub async fn invoice_booking(store: &Store, actor: &Actor, b: BookingId) -> AppResult<InvoiceId> {
    let b = booking_for(store, actor, b).await?;
    allow(actor, Action::ManageSpace(b.lab_id))?;
    if b.price <= 0 {
        return Err(AppError::Conflict("err-space-nothing-to-invoice"));
    }
    let mut tx = store.begin().await?;
    let line = Line {
        item: LineItem::Booking.code().into(),
        description: format!(
            "{} {}",
            b.resource_ky,
            domain::time::format_datetime(b.starts_at)
        ),
        quantity: 1,
        unit_price: b.price,
        amount: b.price,
        resource_id: Some(b.resource_id),
        booking_id: Some(b.id),
        person_plan_id: None,
    };
    let (id, _) = issue_in(
        &mut tx,
        actor,
        b.lab_id,
        b.person_id,
        None,
        &b.who,
        &[line],
        None,
        "ky",
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The lab's programmes as a resource's training prerequisite may name them (id, title).
pub async fn programme_choices(store: &Store, lab: LabId) -> AppResult<Vec<(String, String)>> {
    let mut c = store.conn().await?;
    Ok(store::training::programmes(&mut c, lab)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.title))
        .collect())
}

/// The title of the programme a resource requires.
pub async fn programme_title(store: &Store, id: domain::ProgrammeId) -> AppResult<Option<String>> {
    let mut c = store.conn().await?;
    Ok(store::training::programme(&mut c, id)
        .await?
        .map(|p| p.title))
}

/// The organisations an invoice of the lab may be made out to (id, name), for its staff.
pub async fn org_choices(
    store: &Store,
    actor: &Actor,
    lab: LabId,
) -> AppResult<Vec<(String, String)>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(store::labs::list_orgs(&mut c)
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect())
}

/// An invoice as its page, its PDF and the API show it.
pub struct InvoiceView {
    pub i: Invoice,
    pub lines: Vec<Line>,
    pub payments: Vec<Payment>,
    /// The credit note that corrects it: no payment and no second correction then.
    pub credited_by: Option<Invoice>,
    /// For a credit note, the invoice it corrects.
    pub corrects: Option<Invoice>,
}

/// An invoice the actor may see: the lab's coordinators and the admin, or the woman it is for.
pub async fn invoice_for(store: &Store, actor: &Actor, id: InvoiceId) -> AppResult<InvoiceView> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    let i = db::invoice(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let hers = i.person_id.is_some() && i.person_id == actor.person_id;
    if !(actor.allows(Action::ManageSpace(i.lab_id)) || hers) {
        return Err(AppError::NotFound);
    }
    Ok(InvoiceView {
        lines: db::lines(&mut c, id).await?,
        payments: db::payments_of(&mut c, id).await?,
        credited_by: db::credit_note_of(&mut c, id).await?,
        corrects: match i.credits_id {
            Some(of) => db::invoice(&mut c, of).await?,
            None => None,
        },
        i,
    })
}

/// Corrects an issued invoice: a credit note for its whole amount (the invoice stays as issued).
pub async fn credit_note(store: &Store, actor: &Actor, id: InvoiceId) -> AppResult<InvoiceId> {
    let InvoiceView { i, lines, .. } = invoice_for(store, actor, id).await?;
    allow(actor, Action::ManageSpace(i.lab_id))?;
    if i.kind != "invoice" {
        return Err(AppError::Conflict("err-space-credit-twice"));
    }
    let mut tx = store.begin().await?;
    if db::credit_note_of(&mut tx, id).await?.is_some() {
        return Err(AppError::Conflict("err-space-credit-twice"));
    }
    let neg: Vec<Line> = lines
        .into_iter()
        .map(|l| Line {
            unit_price: -l.unit_price,
            amount: -l.amount,
            ..l
        })
        .collect();
    let (cid, _) = issue_in(
        &mut tx,
        actor,
        i.lab_id,
        i.person_id,
        i.org_id,
        &i.payer_name,
        &neg,
        Some(id),
        &i.language,
    )
    .await?;
    tx.commit().await?;
    Ok(cid)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PaymentInput {
    pub amount: String,
    pub method: String,
    pub reference: String,
    pub paid_on: String,
}

/// Records a payment (partial or whole) on an invoice; more than is due is refused.
pub async fn record_payment(
    store: &Store,
    actor: &Actor,
    id: InvoiceId,
    f: &PaymentInput,
) -> AppResult<store::space::Payment> {
    let i = invoice_for(store, actor, id).await?.i;
    allow(actor, Action::ManageSpace(i.lab_id))?;
    let mut errs = vec![];
    let amount = match domain::Money::parse_som("amount", &f.amount) {
        Ok(Some(m)) if m.0 > 0 && m.0 <= domain::space::MAX_AMOUNT => Some(m.0),
        Ok(Some(m)) if m.0 > 0 => {
            errs.push(("amount".into(), "err-space-amount-absurd".into()));
            None
        }
        _ => {
            errs.push(("amount".into(), "err-space-amount".into()));
            None
        }
    };
    if PaymentMethod::parse(&f.method).is_none() {
        errs.push(("method".into(), "err-choice".into()));
    }
    let reference = limit("reference", &f.reference, 120, &mut errs);
    let paid_on = if f.paid_on.trim().is_empty() {
        Some(domain::time::today())
    } else {
        super::base::date(
            "paid_on",
            &f.paid_on,
            domain::time::DateSpan::Past,
            &mut errs,
        )
    };
    if i.kind != "invoice" {
        errs.push(("amount".into(), "err-space-credit-note-paid".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let amount = amount.unwrap_or(0);
    let mut tx = store.begin().await?;
    let now_i = db::invoice(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if db::credit_note_of(&mut tx, id).await?.is_some() {
        return Err(super::base::invalid("amount", "err-space-invoice-credited"));
    }
    if amount > now_i.due() {
        return Err(super::base::invalid("amount", "err-space-overpaid"));
    }
    let pid = db::insert_payment(
        &mut tx,
        &db::NewPayment {
            lab: i.lab_id,
            invoice: id,
            paid_on: paid_on.unwrap_or_default(),
            amount,
            method: f.method.trim(),
            reference: &reference,
            fingerprint: None,
            by: actor.user_id,
        },
    )
    .await?;
    let p = db::payment(&mut tx, pid).await?.ok_or(AppError::NotFound)?;
    commit(
        tx,
        entry(actor, "space.payment", "invoice", id, Some(i.lab_id))
            .with_detail(format!("{amount}")),
    )
    .await?;
    Ok(p)
}

/// The lab's invoices (coordinators and the admin).
pub async fn invoices(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Vec<Invoice>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::invoices(&mut c, lab).await?)
}

pub async fn payments(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Vec<Payment>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::payments(&mut c, lab).await?)
}

/// Her invoices (a woman), oldest first.
pub async fn my_invoices(store: &Store, actor: &Actor) -> AppResult<Vec<Invoice>> {
    signed_in(actor)?;
    let Some(p) = actor.person_id else {
        return Ok(vec![]);
    };
    let mut c = store.conn().await?;
    Ok(db::invoices_of_person(&mut c, p).await?)
}

/// A statement of account: every invoice and credit note of a person with what was paid, and
/// the balance owed.
pub async fn statement_of_person(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    person: PersonId,
) -> AppResult<(String, Vec<Invoice>, i64)> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    if db::person_lab(&mut c, person).await? != Some(lab) {
        return Err(AppError::NotFound);
    }
    let name = person_name(&mut c, person).await?;
    let inv = db::invoices_of_person(&mut c, person).await?;
    let owed = inv.iter().map(|i| i.total - i.paid).sum();
    Ok((name, inv, owed))
}

/// A statement of account of an organisation with the lab.
pub async fn statement_of_org(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    org: OrgId,
) -> AppResult<(String, Vec<Invoice>, i64)> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    let o = store::labs::org(&mut c, org)
        .await?
        .ok_or(AppError::NotFound)?;
    let inv: Vec<Invoice> = db::invoices_of_org(&mut c, org)
        .await?
        .into_iter()
        .filter(|i| i.lab_id == lab)
        .collect();
    let owed = inv.iter().map(|i| i.total - i.paid).sum();
    Ok((o.name, inv, owed))
}

/// One line of a statement preview.
#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    pub line: usize,
    pub date: NaiveDate,
    pub amount: i64,
    pub purpose: String,
    pub payer: String,
    /// The invoice it pays, when its number is in the purpose.
    pub invoice: Option<String>,
    /// `match`, `recorded` (imported before), `unmatched`, `overpaid`.
    pub state: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct StatementPreview {
    pub encoding: String,
    pub rows: Vec<StatementRow>,
    /// Lines not read, with why (line number and a message key).
    pub unread: Vec<(usize, String)>,
    pub recorded: usize,
}

/// Reads a bank statement and matches its incoming lines to the lab's invoices by number in the
/// purpose; with `apply`, records the matched payments (once: each line's fingerprint is kept).
pub async fn import_statement(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    bytes: &[u8],
    apply: bool,
) -> AppResult<StatementPreview> {
    allow(actor, Action::ManageSpace(lab))?;
    let st = documents::statement::read(bytes).map_err(|r| {
        super::base::invalid(
            "file",
            match r {
                documents::statement::Refusal::TooLarge => "err-space-statement-large",
                documents::statement::Refusal::TooManyLines => "err-space-statement-large",
                documents::statement::Refusal::FieldTooLong(_) => "err-space-statement-field",
                documents::statement::Refusal::NoHeader => "err-space-statement-header",
                documents::statement::Refusal::NotCsv => "err-space-statement-csv",
            },
        )
    })?;
    let mut tx = store.begin().await?;
    let open = db::open_invoices(&mut tx, lab).await?;
    let mut due: Vec<(InvoiceId, String, i64)> = open
        .iter()
        .map(|i| (i.id, i.number.clone(), i.due()))
        .collect();
    // Longer numbers first, so OSH-2026-0012 is not read as OSH-2026-001.
    due.sort_by_key(|x| std::cmp::Reverse(x.1.len()));
    let mut out = StatementPreview {
        encoding: st.encoding.to_string(),
        ..Default::default()
    };
    for u in &st.unread {
        let key = match u.problem {
            documents::statement::Problem::BadDate(_) => "err-space-row-date",
            documents::statement::Problem::BadAmount(_) => "err-space-row-amount",
            documents::statement::Problem::Short => "err-space-row-short",
        };
        out.unread.push((u.line, key.into()));
    }
    for l in &st.lines {
        let hit = due.iter_mut().find(|x| l.mentions(&x.1));
        let mut row = StatementRow {
            line: l.line,
            date: l.date,
            amount: l.amount,
            purpose: l.purpose.clone(),
            payer: l.payer.clone(),
            invoice: hit.as_ref().map(|x| x.1.clone()),
            state: "unmatched".into(),
        };
        if db::fingerprint_known(&mut tx, &l.fingerprint).await? {
            row.state = "recorded".into();
        } else if let Some(x) = hit {
            if l.amount > x.2 {
                row.state = "overpaid".into();
            } else {
                row.state = "match".into();
                x.2 -= l.amount;
                if apply {
                    db::insert_payment(
                        &mut tx,
                        &db::NewPayment {
                            lab,
                            invoice: x.0,
                            paid_on: l.date,
                            amount: l.amount,
                            method: PaymentMethod::BankTransfer.code(),
                            reference: &l.document,
                            fingerprint: Some(&l.fingerprint),
                            by: actor.user_id,
                        },
                    )
                    .await?;
                    out.recorded += 1;
                }
            }
        }
        out.rows.push(row);
    }
    if apply {
        commit(
            tx,
            entry(actor, "space.statement.import", "lab", lab, Some(lab))
                .with_detail(format!("{} payments", out.recorded)),
        )
        .await?;
    }
    Ok(out)
}

/// The invoice as a PDF in its language (A4, the same embedded fonts as certificates).
pub fn invoice_pdf(
    lang: crate::i18n::Lang,
    i: &Invoice,
    lines: &[Line],
    payments: &[Payment],
) -> Vec<u8> {
    use documents::record::{Record, Section};
    let t = |k: &str| lang.t(k);
    let money = |v: i64| format!("{} {}", domain::Money(v).som_display(), t("space-som"));
    let heading = if i.kind == "invoice" {
        t("space-invoice")
    } else {
        t("space-credit-note")
    };
    let mut sections = vec![Section {
        title: t("space-lines"),
        entries: lines
            .iter()
            .map(|l| {
                vec![
                    (t("space-line-description"), l.description.clone()),
                    (
                        t("space-line-quantity"),
                        format!("{} × {}", l.quantity, money(l.unit_price)),
                    ),
                    (t("space-line-amount"), money(l.amount)),
                ]
            })
            .collect(),
    }];
    sections.push(Section {
        title: t("space-payments"),
        entries: payments
            .iter()
            .map(|p| {
                vec![
                    (t("space-paid-on"), domain::time::format_date(p.paid_on)),
                    (t("space-amount"), money(p.amount)),
                    (t("space-method"), t(&format!("space-method-{}", p.method))),
                    (t("space-reference"), p.reference.clone()),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        title: t("space-total"),
        entries: vec![vec![
            (t("space-total"), money(i.total)),
            (t("space-paid"), money(i.paid)),
            (t("space-to-pay"), money(i.due())),
        ]],
    });
    documents::record::record_pdf(&Record {
        heading: format!("{heading} {}", i.number),
        intro: vec![
            format!("{}: {}", t("space-seller"), i.seller_name),
            i.seller_details.clone(),
            format!("{}: {}", t("space-payer"), i.payer_name),
            format!(
                "{}: {} · {}: {}",
                t("space-issued-on"),
                domain::time::format_date(i.issued_on),
                t("space-due-on"),
                domain::time::format_date(i.due_on)
            ),
        ],
        empty: "—".into(),
        sections,
    })
}

// ---------------------------------------------------------------- the lab's money

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CostInput {
    pub month: String,
    pub category: String,
    pub paid_by: String,
    pub amount: String,
    pub note: String,
}

fn month(field: &str, s: &str, errs: &mut Vec<(String, String)>) -> Option<String> {
    let s = s.trim();
    match NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d") {
        Ok(d) if d.year() >= 2015 && d <= domain::time::today() + Duration::days(400) => {
            Some(d.format("%Y-%m").to_string())
        }
        _ => {
            errs.push((field.into(), "err-space-month".into()));
            None
        }
    }
}

pub async fn add_cost(store: &Store, actor: &Actor, lab: LabId, f: &CostInput) -> AppResult<()> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    let m = month("month", &f.month, &mut errs);
    if CostCategory::parse(&f.category).is_none() {
        errs.push(("category".into(), "err-choice".into()));
    }
    if Payer::parse(&f.paid_by).is_none() {
        errs.push(("paid_by".into(), "err-choice".into()));
    }
    let amount = match domain::Money::parse_som("amount", &f.amount) {
        Ok(Some(m)) if m.0 > 0 && m.0 <= domain::space::MAX_AMOUNT => Some(m.0),
        Ok(Some(m)) if m.0 > 0 => {
            errs.push(("amount".into(), "err-space-amount-absurd".into()));
            None
        }
        _ => {
            errs.push(("amount".into(), "err-space-amount".into()));
            None
        }
    };
    let note = limit("note", &f.note, 200, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = db::insert_cost(
        &mut tx,
        &db::NewCost {
            lab,
            month: &m.unwrap_or_default(),
            category: f.category.trim(),
            paid_by: f.paid_by.trim(),
            amount: amount.unwrap_or(0),
            note: &note,
            by: actor.user_id,
        },
    )
    .await?;
    commit(tx, entry(actor, "space.cost", "cost", id, Some(lab))).await
}

pub use analytics::space::{Finance, MonthMoney};

/// Costs, own income and the self-financing ratio by month from `from` to `to` (`YYYY-MM`),
/// the 12 months ending at `to`, occupancy and income per resource, and the trend: the lab's
/// coordinators and the admin.
pub async fn finance(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Finance> {
    allow(actor, Action::ManageSpace(lab))?;
    finance_unchecked(store, lab, from, to).await
}

/// [`finance`] without the access check: for public aggregates and the network's dashboard.
pub async fn finance_unchecked(
    store: &Store,
    lab: LabId,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Finance> {
    let mut errs = vec![];
    let today = domain::time::today();
    let to = match to {
        Some(s) if !s.is_empty() => month("to", s, &mut errs),
        _ => Some(today.format("%Y-%m").to_string()),
    };
    let from = match from {
        Some(s) if !s.is_empty() => month("from", s, &mut errs),
        _ => to.as_deref().map(|t| analytics::space::add_months(t, -11)),
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
    if from > to {
        return Err(super::base::invalid("to", "err-space-range"));
    }
    let mut c = store.conn().await?;
    let twelve = analytics::space::add_months(&to, -11);
    let start = if twelve < from {
        twelve.clone()
    } else {
        from.clone()
    };
    let by_cat = db::costs_by_category(&mut c, lab, &start, &to).await?;
    let by_payer = db::costs_by_payer(&mut c, lab, &start, &to).await?;
    let income = db::income_by_source(&mut c, lab, &start, &to).await?;
    let usage = db::usage(&mut c, lab, &from, &to).await?;
    let resources = db::resources(&mut c, lab).await?;
    let target = db::settings(&mut c, lab).await?.target_pct;
    let women = db::women_using(&mut c, lab, &from, &to).await?;
    let sums = |v: &[db::Sum]| -> Vec<(String, String, i64)> {
        v.iter()
            .map(|s| (s.month.clone(), s.key.clone(), s.amount))
            .collect()
    };
    // Open minutes of each resource per month (from its weekly hours).
    let mut open = vec![];
    for r in &resources {
        let rules = db::rules(&mut c, r).await?;
        let mut m = from.clone();
        while m <= to {
            let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").unwrap_or(today);
            let mut d = first;
            let mut minutes = 0;
            while d.month() == first.month() {
                minutes += rules.slots_of(d).len() as i64 * r.slot_minutes;
                d += Duration::days(1);
            }
            open.push((r.id.to_string(), m.clone(), minutes));
            m = analytics::space::add_months(&m, 1);
        }
    }
    let uses: Vec<analytics::space::ResourceUse> = usage
        .iter()
        .map(|u| analytics::space::ResourceUse {
            resource: u.resource_id.to_string(),
            month: u.month.clone(),
            booked_minutes: u.booked_minutes,
            used_minutes: u.used_minutes,
            income: u.income,
        })
        .collect();
    let names: Vec<(String, String)> = resources
        .iter()
        .map(|r| (r.id.to_string(), r.name_ky.clone()))
        .collect();
    Ok(analytics::space::finance(
        &from,
        &to,
        &sums(&by_cat),
        &sums(&by_payer),
        &sums(&income),
        &uses,
        &open,
        &names,
        target,
        women,
    ))
}

/// A sentence for the trend, in the reader's language.
pub fn trend_text(lang: crate::i18n::Lang, lab_name: &str, f: &Finance) -> String {
    use analytics::space::Trend;
    let fill = |key: &str, vals: &[(&str, String)]| {
        let args: Vec<(&str, fluent_templates::fluent_bundle::FluentValue<'_>)> =
            vals.iter().map(|(k, v)| (*k, v.clone().into())).collect();
        lang.t_args(key, &args)
    };
    match &f.trend {
        Trend::Reaches { pct, month } => fill(
            "space-trend-reaches",
            &[
                ("name", lab_name.into()),
                ("n", pct.to_string()),
                ("when", month_name(lang, month)),
            ],
        ),
        Trend::Already { pct } => fill(
            "space-trend-already",
            &[("name", lab_name.into()), ("n", pct.to_string())],
        ),
        Trend::Flat => fill("space-trend-flat", &[("name", lab_name.into())]),
        Trend::Unknown => lang.t("space-trend-unknown"),
    }
}

/// `2028-03` as "March 2028" in the reader's language.
pub fn month_name(lang: crate::i18n::Lang, month: &str) -> String {
    let m: u32 = month.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    format!(
        "{} {}",
        lang.t(&format!("space-month-{m}")),
        month.get(0..4).unwrap_or("")
    )
}

/// The monthly ratio as an SVG chart with the target.
pub fn ratio_chart(lang: crate::i18n::Lang, f: &Finance) -> String {
    let points: Vec<(String, Option<i64>)> = f
        .months
        .iter()
        .map(|m| (m.month[2..].replace('-', "."), m.ratio_pct))
        .collect();
    let series = vec![
        documents::charts::Series {
            name: lang.t("space-ratio"),
            points: points.clone(),
        },
        documents::charts::Series {
            name: lang.t("space-target"),
            points: points
                .iter()
                .map(|(m, _)| (m.clone(), Some(f.target_pct)))
                .collect(),
        },
    ];
    documents::charts::monthly_series(&lang.t("space-ratio-chart"), &series, "—")
}

/// Costs and own income by month as an SVG chart (som).
pub fn money_chart(lang: crate::i18n::Lang, f: &Finance) -> String {
    let pts = |g: fn(&MonthMoney) -> i64| -> Vec<(String, Option<i64>)> {
        f.months
            .iter()
            .map(|m| (m.month[2..].replace('-', "."), Some(g(m) / 100)))
            .collect()
    };
    documents::charts::monthly_series(
        &lang.t("space-money-chart"),
        &[
            documents::charts::Series {
                name: lang.t("space-costs"),
                points: pts(|m| m.costs),
            },
            documents::charts::Series {
                name: lang.t("space-own-income"),
                points: pts(|m| m.own_income),
            },
        ],
        "—",
    )
}

/// A lab's space in public figures: self-financing and occupancy over the last 12 months, and
/// how many women used the space (withheld below 5, as every public count of women).
pub struct PublicSpace {
    pub lab: store::labs::Lab,
    pub ratio_pct: Option<i64>,
    pub occupancy_pct: Option<i64>,
    pub women: Option<i64>,
}

/// The public space figures of `labs` (those with costs or resources recorded).
pub async fn public_space(store: &Store, labs: &[store::labs::Lab]) -> AppResult<Vec<PublicSpace>> {
    let mut out = vec![];
    for lab in labs {
        let f = finance_unchecked(store, lab.id, None, None).await?;
        if f.ratio_12m_pct.is_none() && f.resources.is_empty() {
            continue;
        }
        let open: i64 = f.resources.iter().map(|r| r.open_minutes).sum();
        let booked: i64 = f.resources.iter().map(|r| r.booked_minutes).sum();
        out.push(PublicSpace {
            lab: lab.clone(),
            ratio_pct: f.ratio_12m_pct,
            occupancy_pct: (open > 0).then(|| booked * 100 / open),
            women: (f.women >= 5).then_some(f.women),
        });
    }
    Ok(out)
}
