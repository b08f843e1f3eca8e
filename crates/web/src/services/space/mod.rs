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

mod booking;
mod invoices;
mod money;
mod plans;
pub use booking::*;
pub use invoices::*;
pub use money::*;
pub use plans::*;

/// Her name, for an invoice's buyer and the coordinator's pickers.
async fn person_name(c: &mut store::AnyConn, p: PersonId) -> AppResult<String> {
    db::person_name(c, p).await?.ok_or(AppError::NotFound)
}

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
