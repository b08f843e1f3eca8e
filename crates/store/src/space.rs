//! The lab's space and its own money: resources, prices, closures, bookings and the slots they
//! hold, plans, invoices with their gapless numbers, payments, costs and income.
//!
//! Two bookings never hold one slot: a booking inserts a row per slot it covers into
//! `space_slots`, whose primary key `(resource_id, slot_start)` refuses the second, in the
//! booking's transaction ([`StoreError::Conflict`] `space_slots`).
use crate::row::{all, changed, col, from_row, int, one, optional, text, ts};
use crate::{Result, StoreError, now, on_conflict};
use chrono::{DateTime, NaiveDate, Utc};
use domain::space::{Audience, PriceUnit, Rules, Week};
use domain::{
    BookingId, CostId, InvoiceId, LabId, OrgId, PersonId, PersonPlanId, PlanId, ProgrammeId,
    ResourceId, SpacePaymentId, UserId,
};
use serde::Serialize;
use sqlx::AnyConnection;

// ---------------------------------------------------------------- resources

#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    pub id: ResourceId,
    pub lab_id: LabId,
    pub kind: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub capacity: i64,
    pub hours: String,
    pub slot_minutes: i64,
    pub horizon_days: i64,
    pub max_minutes: i64,
    pub cancel_hours: i64,
    pub training_id: Option<ProgrammeId>,
    pub active: bool,
}

impl Resource {
    pub fn name(&self, lang: &str) -> &str {
        match lang {
            "ky" => &self.name_ky,
            "ru" => &self.name_ru,
            _ => &self.name_en,
        }
    }
    pub fn week(&self) -> Week {
        Week::parse(&self.hours).unwrap_or(Week([None; 7]))
    }
}

from_row! {
    Resource |r| id, lab_id, kind, name_ky, name_ru, name_en, capacity, hours, slot_minutes,
    horizon_days, max_minutes, cancel_hours, training_id, active
}

const RESOURCE: &str = "SELECT id, lab_id, kind, name_ky, name_ru, name_en, capacity, hours, slot_minutes, horizon_days, max_minutes, cancel_hours, training_id, active FROM space_resources";

/// The fields a coordinator sets.
#[derive(Debug, Clone)]
pub struct ResourceFields {
    pub kind: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub capacity: i64,
    pub hours: String,
    pub slot_minutes: i64,
    pub horizon_days: i64,
    pub max_minutes: i64,
    pub cancel_hours: i64,
    pub training_id: Option<ProgrammeId>,
    pub active: bool,
}

pub async fn insert_resource(
    c: &mut AnyConnection,
    lab: LabId,
    f: &ResourceFields,
) -> Result<ResourceId> {
    let id = ResourceId::new();
    sqlx::query(
        "INSERT INTO space_resources (id, lab_id, kind, name_ky, name_ru, name_en, capacity, hours, slot_minutes, horizon_days, max_minutes, cancel_hours, training_id, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(id.to_string())
    .bind(lab.to_string())
    .bind(&f.kind)
    .bind(&f.name_ky)
    .bind(&f.name_ru)
    .bind(&f.name_en)
    .bind(f.capacity)
    .bind(&f.hours)
    .bind(f.slot_minutes)
    .bind(f.horizon_days)
    .bind(f.max_minutes)
    .bind(f.cancel_hours)
    .bind(f.training_id.map(|p| p.to_string()))
    .bind(i64::from(f.active))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn update_resource(
    c: &mut AnyConnection,
    id: ResourceId,
    f: &ResourceFields,
) -> Result<bool> {
    changed(
        c,
        sqlx::query(
            "UPDATE space_resources SET kind = $2, name_ky = $3, name_ru = $4, name_en = $5, capacity = $6, hours = $7,
               slot_minutes = $8, horizon_days = $9, max_minutes = $10, cancel_hours = $11, training_id = $12, active = $13
             WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(&f.kind)
        .bind(&f.name_ky)
        .bind(&f.name_ru)
        .bind(&f.name_en)
        .bind(f.capacity)
        .bind(&f.hours)
        .bind(f.slot_minutes)
        .bind(f.horizon_days)
        .bind(f.max_minutes)
        .bind(f.cancel_hours)
        .bind(f.training_id.map(|p| p.to_string()))
        .bind(i64::from(f.active)),
    )
    .await
}

pub async fn resources(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Resource>> {
    crate::row::many(
        c,
        format!("{RESOURCE} WHERE lab_id = $1 ORDER BY kind, name_en"),
        lab,
    )
    .await
}

pub async fn resource(c: &mut AnyConnection, id: ResourceId) -> Result<Option<Resource>> {
    one(c, format!("{RESOURCE} WHERE id = $1"), id).await
}

#[derive(Debug, Clone, Serialize)]
pub struct Price {
    pub audience: String,
    pub unit: String,
    pub amount: i64,
}

from_row! { Price |r| audience, unit, amount }

/// Replaces a resource's prices.
pub async fn set_prices(c: &mut AnyConnection, id: ResourceId, prices: &[Price]) -> Result<()> {
    sqlx::query("DELETE FROM space_prices WHERE resource_id = $1")
        .bind(id.to_string())
        .execute(&mut *c)
        .await?;
    for p in prices {
        sqlx::query(
            "INSERT INTO space_prices (resource_id, audience, unit, amount) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_string())
        .bind(&p.audience)
        .bind(&p.unit)
        .bind(p.amount)
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

pub async fn prices(c: &mut AnyConnection, id: ResourceId) -> Result<Vec<Price>> {
    crate::row::many(
        c,
        "SELECT audience, unit, amount FROM space_prices WHERE resource_id = $1 ORDER BY audience",
        id,
    )
    .await
}

/// What `audience` pays for `minutes` of the resource; 0 when no price is set.
pub async fn price_for(
    c: &mut AnyConnection,
    r: &Resource,
    audience: Audience,
    minutes: i64,
) -> Result<i64> {
    let p = prices(c, r.id).await?;
    Ok(p.iter()
        .find(|p| p.audience == audience.code())
        .map(|p| {
            domain::space::price(
                PriceUnit::parse(&p.unit).unwrap_or(PriceUnit::Hour),
                p.amount,
                minutes,
                r.slot_minutes,
            )
        })
        .unwrap_or(0))
}

#[derive(Debug, Clone, Serialize)]
pub struct Closure {
    pub id: String,
    pub resource_id: Option<ResourceId>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: String,
}

from_row! { Closure |r| id, resource_id, starts_on, ends_on, reason }

pub async fn add_closure(
    c: &mut AnyConnection,
    lab: LabId,
    resource: Option<ResourceId>,
    from: NaiveDate,
    to: NaiveDate,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO space_closures (id, lab_id, resource_id, starts_on, ends_on, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(lab.to_string())
    .bind(resource.map(|r| r.to_string()))
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(reason)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Closures of the resource and of its whole lab.
pub async fn closures(c: &mut AnyConnection, r: &Resource) -> Result<Vec<Closure>> {
    all(
        c,
        sqlx::query(
            "SELECT id, resource_id, starts_on, ends_on, reason FROM space_closures
             WHERE lab_id = $1 AND (resource_id IS NULL OR resource_id = $2) ORDER BY starts_on",
        )
        .bind(r.lab_id.to_string())
        .bind(r.id.to_string()),
    )
    .await
}

/// The booking rules of a resource with its closures.
pub async fn rules(c: &mut AnyConnection, r: &Resource) -> Result<Rules> {
    let closures = closures(c, r).await?;
    Ok(Rules {
        week: r.week(),
        slot_minutes: r.slot_minutes,
        horizon_days: r.horizon_days,
        max_minutes: r.max_minutes,
        cancel_hours: r.cancel_hours,
        closures: closures.iter().map(|x| (x.starts_on, x.ends_on)).collect(),
    })
}

// ---------------------------------------------------------------- bookings

#[derive(Debug, Clone, Serialize)]
pub struct Booking {
    pub id: BookingId,
    pub lab_id: LabId,
    pub resource_id: ResourceId,
    pub person_id: Option<PersonId>,
    pub walk_in: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub series_id: Option<String>,
    pub price: i64,
    pub person_plan_id: Option<PersonPlanId>,
    pub note: String,
    /// The booker's name (for staff views only), and the resource's names.
    pub who: String,
    pub resource_ky: String,
    pub resource_ru: String,
    pub resource_en: String,
}

impl Booking {
    pub fn resource_name(&self, lang: &str) -> &str {
        match lang {
            "ky" => &self.resource_ky,
            "ru" => &self.resource_ru,
            _ => &self.resource_en,
        }
    }
    pub fn live(&self) -> bool {
        matches!(self.status.as_str(), "booked" | "arrived" | "blocked")
    }
}

from_row! {
    Booking |r| id, lab_id, resource_id, person_id, walk_in, starts_at, ends_at, status, series_id,
    price, person_plan_id, note, who, resource_ky, resource_ru, resource_en
}

const BOOKING: &str = "SELECT b.id, b.lab_id, b.resource_id, b.person_id, b.walk_in, b.starts_at, b.ends_at, b.status,
    b.series_id, b.price, b.person_plan_id, b.note,
    COALESCE(p.family_name || ' ' || p.given_name, b.walk_in) AS who,
    r.name_ky AS resource_ky, r.name_ru AS resource_ru, r.name_en AS resource_en
  FROM space_bookings b JOIN space_resources r ON r.id = b.resource_id LEFT JOIN people p ON p.id = b.person_id";

pub struct NewBooking<'a> {
    pub lab: LabId,
    pub resource: ResourceId,
    pub person: Option<PersonId>,
    pub walk_in: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: &'a str,
    pub series: Option<String>,
    pub price: i64,
    pub person_plan: Option<PersonPlanId>,
    pub note: &'a str,
    pub by: Option<UserId>,
}

/// Inserts a booking and its slots; a slot already held is [`StoreError::Conflict`]
/// `space_slots` (the caller's transaction is then to be rolled back).
pub async fn insert_booking(
    c: &mut AnyConnection,
    b: &NewBooking<'_>,
    slots: &[DateTime<Utc>],
) -> Result<BookingId> {
    let id = BookingId::new();
    sqlx::query(
        "INSERT INTO space_bookings (id, lab_id, resource_id, person_id, walk_in, starts_at, ends_at, status, series_id, price, person_plan_id, note, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id.to_string())
    .bind(b.lab.to_string())
    .bind(b.resource.to_string())
    .bind(b.person.map(|p| p.to_string()))
    .bind(b.walk_in)
    .bind(ts(b.starts_at))
    .bind(ts(b.ends_at))
    .bind(b.status)
    .bind(b.series.clone())
    .bind(b.price)
    .bind(b.person_plan.map(|p| p.to_string()))
    .bind(b.note)
    .bind(b.by.map(|u| u.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await?;
    for s in slots {
        sqlx::query(
            "INSERT INTO space_slots (resource_id, slot_start, booking_id) VALUES ($1, $2, $3)",
        )
        .bind(b.resource.to_string())
        .bind(ts(*s))
        .bind(id.to_string())
        .execute(&mut *c)
        .await
        .map_err(|e| on_conflict(e, "space_slots"))?;
    }
    Ok(id)
}

/// Whether any of the slots is held now.
pub async fn any_taken(
    c: &mut AnyConnection,
    resource: ResourceId,
    slots: &[DateTime<Utc>],
) -> Result<bool> {
    for s in slots {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM space_slots WHERE resource_id = $1 AND slot_start = $2",
        )
        .bind(resource.to_string())
        .bind(ts(*s))
        .fetch_one(&mut *c)
        .await?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Cancels a live booking and frees its slots; false when it was not live.
pub async fn cancel_booking(c: &mut AnyConnection, id: BookingId) -> Result<bool> {
    let done = changed(
        c,
        sqlx::query(
            "UPDATE space_bookings SET status = 'cancelled', cancelled_at = $2 WHERE id = $1 AND status IN ('booked', 'blocked')",
        )
        .bind(id.to_string())
        .bind(now()),
    )
    .await?;
    if done {
        sqlx::query("DELETE FROM space_slots WHERE booking_id = $1")
            .bind(id.to_string())
            .execute(&mut *c)
            .await?;
    }
    Ok(done)
}

/// Marks arrival or no-show of a booked booking (a no-show keeps its slots: the time is past).
pub async fn mark(c: &mut AnyConnection, id: BookingId, status: &str) -> Result<bool> {
    changed(
        c,
        sqlx::query(
            "UPDATE space_bookings SET status = $2 WHERE id = $1 AND status IN ('booked', 'arrived', 'no-show')",
        )
        .bind(id.to_string())
        .bind(status),
    )
    .await
}

pub async fn booking(c: &mut AnyConnection, id: BookingId) -> Result<Option<Booking>> {
    one(c, format!("{BOOKING} WHERE b.id = $1"), id).await
}

/// A person's bookings, newest first.
pub async fn bookings_of_person(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Booking>> {
    crate::row::many(
        c,
        format!("{BOOKING} WHERE b.person_id = $1 ORDER BY b.starts_at DESC"),
        person,
    )
    .await
}

/// Live bookings of a resource overlapping `[from, to)`.
pub async fn bookings_of_resource(
    c: &mut AnyConnection,
    resource: ResourceId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Booking>> {
    all(
        c,
        crate::dynamic(format!(
            "{BOOKING} WHERE b.resource_id = $1 AND b.starts_at < $3 AND b.ends_at > $2 AND b.status <> 'cancelled' ORDER BY b.starts_at"
        ))
        .bind(resource.to_string())
        .bind(ts(from))
        .bind(ts(to)),
    )
    .await
}

/// Live bookings of a lab overlapping `[from, to)`.
pub async fn bookings_of_lab(
    c: &mut AnyConnection,
    lab: LabId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Booking>> {
    all(
        c,
        crate::dynamic(format!(
            "{BOOKING} WHERE b.lab_id = $1 AND b.starts_at < $3 AND b.ends_at > $2 AND b.status <> 'cancelled' ORDER BY b.starts_at"
        ))
        .bind(lab.to_string())
        .bind(ts(from))
        .bind(ts(to)),
    )
    .await
}

/// She holds an unrevoked certificate of the programme (she completed the training).
pub async fn completed(
    c: &mut AnyConnection,
    person: PersonId,
    programme: ProgrammeId,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM assertions WHERE person_id = $1 AND programme_id = $2 AND revoked_at IS NULL",
    )
    .bind(person.to_string())
    .bind(programme.to_string())
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

/// Who she is for prices in the lab: a resident during an active residency, an alumna after
/// graduating, else a member of the network.
pub async fn audience(c: &mut AnyConnection, person: PersonId, lab: LabId) -> Result<Audience> {
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM residencies WHERE person_id = $1 AND lab_id = $2")
            .bind(person.to_string())
            .bind(lab.to_string())
            .fetch_all(c)
            .await?;
    Ok(if statuses.iter().any(|s| s == "active") {
        Audience::Resident
    } else if statuses.iter().any(|s| s == "graduated") {
        Audience::Alumna
    } else {
        Audience::Member
    })
}

/// The lab of a person (she books in her own lab's space).
pub async fn person_lab(c: &mut AnyConnection, person: PersonId) -> Result<Option<LabId>> {
    let lab: Option<String> = sqlx::query_scalar("SELECT lab_id FROM people WHERE id = $1")
        .bind(person.to_string())
        .fetch_optional(c)
        .await?;
    lab.map(|l| {
        l.parse()
            .map_err(|_| StoreError::Corrupt("people.lab_id".into()))
    })
    .transpose()
}

// ---------------------------------------------------------------- plans

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub id: PlanId,
    pub lab_id: LabId,
    pub kind: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub hours_included: i64,
    pub valid_days: i64,
    pub price: i64,
    pub active: bool,
}

impl Plan {
    pub fn name(&self, lang: &str) -> &str {
        match lang {
            "ky" => &self.name_ky,
            "ru" => &self.name_ru,
            _ => &self.name_en,
        }
    }
}

from_row! {
    Plan |r| id, lab_id, kind, name_ky, name_ru, name_en, hours_included, valid_days, price, active
}

const PLAN: &str = "SELECT id, lab_id, kind, name_ky, name_ru, name_en, hours_included, valid_days, price, active FROM space_plans";

pub struct PlanFields<'a> {
    pub kind: &'a str,
    pub name_ky: &'a str,
    pub name_ru: &'a str,
    pub name_en: &'a str,
    pub hours_included: i64,
    pub valid_days: i64,
    pub price: i64,
}

pub async fn insert_plan(c: &mut AnyConnection, lab: LabId, f: &PlanFields<'_>) -> Result<PlanId> {
    let id = PlanId::new();
    sqlx::query(
        "INSERT INTO space_plans (id, lab_id, kind, name_ky, name_ru, name_en, hours_included, valid_days, price, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)",
    )
    .bind(id.to_string())
    .bind(lab.to_string())
    .bind(f.kind)
    .bind(f.name_ky)
    .bind(f.name_ru)
    .bind(f.name_en)
    .bind(f.hours_included)
    .bind(f.valid_days)
    .bind(f.price)
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn plans(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Plan>> {
    crate::row::many(c, format!("{PLAN} WHERE lab_id = $1 ORDER BY price"), lab).await
}

pub async fn plan(c: &mut AnyConnection, id: PlanId) -> Result<Option<Plan>> {
    one(c, format!("{PLAN} WHERE id = $1"), id).await
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonPlan {
    pub id: PersonPlanId,
    pub lab_id: LabId,
    pub plan_id: PlanId,
    pub person_id: PersonId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub renews: bool,
    pub minutes_included: i64,
    pub minutes_used: i64,
    pub who: String,
    pub plan_ky: String,
    pub plan_ru: String,
    pub plan_en: String,
    pub price: i64,
}

impl PersonPlan {
    pub fn plan_name(&self, lang: &str) -> &str {
        match lang {
            "ky" => &self.plan_ky,
            "ru" => &self.plan_ru,
            _ => &self.plan_en,
        }
    }
    pub fn hours_left(&self) -> i64 {
        (self.minutes_included - self.minutes_used).max(0) / 60
    }
}

from_row! {
    PersonPlan |r| id, lab_id, plan_id, person_id, starts_on, ends_on, renews, minutes_included,
    minutes_used, who, plan_ky, plan_ru, plan_en, price
}

const PERSON_PLAN: &str = "SELECT x.id, x.lab_id, x.plan_id, x.person_id, x.starts_on, x.ends_on, x.renews, x.minutes_included, x.minutes_used,
    p.family_name || ' ' || p.given_name AS who, s.name_ky AS plan_ky, s.name_ru AS plan_ru, s.name_en AS plan_en, s.price
  FROM space_person_plans x JOIN people p ON p.id = x.person_id JOIN space_plans s ON s.id = x.plan_id";

pub async fn insert_person_plan(
    c: &mut AnyConnection,
    plan: &Plan,
    person: PersonId,
    from: NaiveDate,
    renews: bool,
    by: Option<UserId>,
) -> Result<PersonPlanId> {
    let id = PersonPlanId::new();
    let to = from + chrono::Duration::days(plan.valid_days.max(1) - 1);
    sqlx::query(
        "INSERT INTO space_person_plans (id, lab_id, plan_id, person_id, starts_on, ends_on, renews, minutes_included, minutes_used, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10)",
    )
    .bind(id.to_string())
    .bind(plan.lab_id.to_string())
    .bind(plan.id.to_string())
    .bind(person.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(i64::from(renews))
    .bind(plan.hours_included * 60)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn person_plan(c: &mut AnyConnection, id: PersonPlanId) -> Result<Option<PersonPlan>> {
    one(c, format!("{PERSON_PLAN} WHERE x.id = $1"), id).await
}

pub async fn person_plans(c: &mut AnyConnection, person: PersonId) -> Result<Vec<PersonPlan>> {
    crate::row::many(
        c,
        format!("{PERSON_PLAN} WHERE x.person_id = $1 ORDER BY x.starts_on DESC"),
        person,
    )
    .await
}

pub async fn lab_person_plans(c: &mut AnyConnection, lab: LabId) -> Result<Vec<PersonPlan>> {
    crate::row::many(
        c,
        format!("{PERSON_PLAN} WHERE x.lab_id = $1 ORDER BY x.starts_on DESC"),
        lab,
    )
    .await
}

/// Her plan in the lab covering `day`, if any.
pub async fn plan_on(
    c: &mut AnyConnection,
    person: PersonId,
    lab: LabId,
    day: NaiveDate,
) -> Result<Option<PersonPlan>> {
    optional(
        c,
        crate::dynamic(format!(
            "{PERSON_PLAN} WHERE x.person_id = $1 AND x.lab_id = $2 AND x.starts_on <= $3 AND x.ends_on >= $3 ORDER BY x.ends_on LIMIT 1"
        ))
        .bind(person.to_string())
        .bind(lab.to_string())
        .bind(day.to_string()),
    )
    .await
}

/// Uses `minutes` of a plan when that many are left; false (nothing changed) otherwise.
pub async fn use_minutes(c: &mut AnyConnection, id: PersonPlanId, minutes: i64) -> Result<bool> {
    changed(
        c,
        sqlx::query(
            "UPDATE space_person_plans SET minutes_used = minutes_used + $2 WHERE id = $1 AND minutes_used + $2 <= minutes_included",
        )
        .bind(id.to_string())
        .bind(minutes),
    )
    .await
}

/// Gives back minutes of a cancelled booking.
pub async fn return_minutes(c: &mut AnyConnection, id: PersonPlanId, minutes: i64) -> Result<()> {
    sqlx::query(
        "UPDATE space_person_plans SET minutes_used = CASE WHEN minutes_used > $2 THEN minutes_used - $2 ELSE 0 END WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(minutes)
    .execute(c)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- invoices

#[derive(Debug, Clone, Serialize, Default)]
pub struct Settings {
    pub legal_name: String,
    pub legal_details: String,
    pub target_pct: i64,
}

from_row! { Settings |r| legal_name, legal_details, target_pct }

pub async fn settings(c: &mut AnyConnection, lab: LabId) -> Result<Settings> {
    Ok(one(
        c,
        "SELECT legal_name, legal_details, target_pct FROM space_settings WHERE lab_id = $1",
        lab,
    )
    .await?
    .unwrap_or(Settings {
        target_pct: 30,
        ..Settings::default()
    }))
}

pub async fn save_settings(c: &mut AnyConnection, lab: LabId, s: &Settings) -> Result<()> {
    sqlx::query(
        "INSERT INTO space_settings (lab_id, legal_name, legal_details, target_pct, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (lab_id) DO UPDATE SET legal_name = excluded.legal_name, legal_details = excluded.legal_details,
           target_pct = excluded.target_pct, updated_at = excluded.updated_at",
    )
    .bind(lab.to_string())
    .bind(&s.legal_name)
    .bind(&s.legal_details)
    .bind(s.target_pct)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// The next invoice number of a lab in a year, raised in the caller's transaction: a rolled back
/// invoice gives its number back, a committed one keeps it for ever.
pub async fn next_seq(c: &mut AnyConnection, lab: LabId, year: i32) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO space_invoice_counters (lab_id, year, last_seq) VALUES ($1, $2, 1)
         ON CONFLICT (lab_id, year) DO UPDATE SET last_seq = space_invoice_counters.last_seq + 1
         RETURNING last_seq",
    )
    .bind(lab.to_string())
    .bind(i64::from(year))
    .fetch_one(c)
    .await?;
    Ok(n)
}

#[derive(Debug, Clone, Serialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub lab_id: LabId,
    pub year: i64,
    pub seq: i64,
    pub number: String,
    pub kind: String,
    pub credits_id: Option<InvoiceId>,
    pub person_id: Option<PersonId>,
    pub org_id: Option<OrgId>,
    pub payer_name: String,
    pub seller_name: String,
    pub seller_details: String,
    pub source: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub total: i64,
    pub language: String,
    pub paid: i64,
}

impl Invoice {
    pub fn due(&self) -> i64 {
        self.total - self.paid
    }
}

from_row! {
    Invoice |r| id, lab_id, year, seq, number, kind, credits_id, person_id, org_id, payer_name,
    seller_name, seller_details, source, issued_on, due_on, total, language, paid
}

const INVOICE: &str = "SELECT i.id, i.lab_id, i.year, i.seq, i.number, i.kind, i.credits_id, i.person_id, i.org_id, i.payer_name,
    i.seller_name, i.seller_details, i.source, i.issued_on, i.due_on, i.total, i.language,
    CAST(COALESCE((SELECT SUM(p.amount) FROM space_payments p WHERE p.invoice_id = i.id), 0) AS BIGINT) AS paid
  FROM space_invoices i";

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub item: String,
    pub description: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub amount: i64,
    pub resource_id: Option<ResourceId>,
    pub booking_id: Option<BookingId>,
    pub person_plan_id: Option<PersonPlanId>,
}

from_row! {
    Line |r| item, description, quantity, unit_price, amount, resource_id, booking_id, person_plan_id
}

pub struct NewInvoice<'a> {
    pub lab: LabId,
    pub year: i32,
    pub number_prefix: &'a str,
    pub kind: &'a str,
    pub credits: Option<InvoiceId>,
    pub person: Option<PersonId>,
    pub org: Option<OrgId>,
    pub payer_name: &'a str,
    pub seller_name: &'a str,
    pub seller_details: &'a str,
    pub source: &'a str,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub language: &'a str,
    pub lines: &'a [Line],
    pub by: Option<UserId>,
}

/// Numbers and inserts an invoice with its lines, in the caller's transaction.
pub async fn insert_invoice(
    c: &mut AnyConnection,
    n: &NewInvoice<'_>,
) -> Result<(InvoiceId, String)> {
    let seq = next_seq(c, n.lab, n.year).await?;
    let number = domain::space::invoice_number(n.number_prefix, n.year, seq);
    let id = InvoiceId::new();
    let total: i64 = n.lines.iter().map(|l| l.amount).sum();
    sqlx::query(
        "INSERT INTO space_invoices (id, lab_id, year, seq, number, kind, credits_id, person_id, org_id, payer_name, seller_name, seller_details, source, issued_on, due_on, total, language, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(id.to_string())
    .bind(n.lab.to_string())
    .bind(i64::from(n.year))
    .bind(seq)
    .bind(&number)
    .bind(n.kind)
    .bind(n.credits.map(|x| x.to_string()))
    .bind(n.person.map(|x| x.to_string()))
    .bind(n.org.map(|x| x.to_string()))
    .bind(n.payer_name)
    .bind(n.seller_name)
    .bind(n.seller_details)
    .bind(n.source)
    .bind(n.issued_on.to_string())
    .bind(n.due_on.to_string())
    .bind(total)
    .bind(n.language)
    .bind(n.by.map(|u| u.to_string()))
    .bind(now())
    .execute(&mut *c)
    .await
    .map_err(|e| {
        let taken = on_conflict(e, "space_invoices.number");
        match (&taken, n.credits) {
            (StoreError::Conflict(_), Some(_)) => StoreError::Conflict("space_invoices.credits"),
            _ => taken,
        }
    })?;
    for (i, l) in n.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO space_invoice_lines (id, invoice_id, position, item, description, quantity, unit_price, amount, resource_id, booking_id, person_plan_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(id.to_string())
        .bind(i as i64)
        .bind(&l.item)
        .bind(&l.description)
        .bind(l.quantity)
        .bind(l.unit_price)
        .bind(l.amount)
        .bind(l.resource_id.map(|x| x.to_string()))
        .bind(l.booking_id.map(|x| x.to_string()))
        .bind(l.person_plan_id.map(|x| x.to_string()))
        .execute(&mut *c)
        .await?;
    }
    Ok((id, number))
}

pub async fn invoice(c: &mut AnyConnection, id: InvoiceId) -> Result<Option<Invoice>> {
    one(c, format!("{INVOICE} WHERE i.id = $1"), id).await
}

pub async fn invoice_by_number(c: &mut AnyConnection, number: &str) -> Result<Option<Invoice>> {
    one(c, format!("{INVOICE} WHERE i.number = $1"), number).await
}

pub async fn lines(c: &mut AnyConnection, id: InvoiceId) -> Result<Vec<Line>> {
    crate::row::many(
        c,
        "SELECT item, description, quantity, unit_price, amount, resource_id, booking_id, person_plan_id FROM space_invoice_lines WHERE invoice_id = $1 ORDER BY position",
        id,
    )
    .await
}

pub async fn invoices(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Invoice>> {
    crate::row::many(
        c,
        format!("{INVOICE} WHERE i.lab_id = $1 ORDER BY i.year DESC, i.seq DESC"),
        lab,
    )
    .await
}

pub async fn invoices_of_person(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Invoice>> {
    crate::row::many(
        c,
        format!("{INVOICE} WHERE i.person_id = $1 ORDER BY i.issued_on, i.seq"),
        person,
    )
    .await
}

pub async fn invoices_of_org(c: &mut AnyConnection, org: OrgId) -> Result<Vec<Invoice>> {
    crate::row::many(
        c,
        format!("{INVOICE} WHERE i.org_id = $1 ORDER BY i.issued_on, i.seq"),
        org,
    )
    .await
}

/// The lab's invoices a payment may still be matched to (a credited one may not).
pub async fn open_invoices(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Invoice>> {
    crate::row::many(
        c,
        format!(
            "{INVOICE} WHERE i.lab_id = $1 AND i.kind = 'invoice'
             AND NOT EXISTS (SELECT 1 FROM space_invoices n WHERE n.credits_id = i.id)
             ORDER BY i.year, i.seq"
        ),
        lab,
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: SpacePaymentId,
    pub lab_id: LabId,
    pub invoice_id: InvoiceId,
    pub number: String,
    pub payer_name: String,
    pub paid_on: NaiveDate,
    pub amount: i64,
    pub method: String,
    pub reference: String,
}

from_row! { Payment |r| id, lab_id, invoice_id, number, payer_name, paid_on, amount, method, reference }

const PAYMENT: &str = "SELECT p.id, p.lab_id, p.invoice_id, i.number, i.payer_name, p.paid_on, p.amount, p.method, p.reference
  FROM space_payments p JOIN space_invoices i ON i.id = p.invoice_id";

pub struct NewPayment<'a> {
    pub lab: LabId,
    pub invoice: InvoiceId,
    pub paid_on: NaiveDate,
    pub amount: i64,
    pub method: &'a str,
    pub reference: &'a str,
    pub fingerprint: Option<&'a str>,
    pub by: Option<UserId>,
}

/// Records a payment; one whose statement line was recorded before is
/// [`StoreError::Conflict`] `space_payments.fingerprint`.
pub async fn insert_payment(c: &mut AnyConnection, p: &NewPayment<'_>) -> Result<SpacePaymentId> {
    let id = SpacePaymentId::new();
    sqlx::query(
        "INSERT INTO space_payments (id, lab_id, invoice_id, paid_on, amount, method, reference, fingerprint, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(p.lab.to_string())
    .bind(p.invoice.to_string())
    .bind(p.paid_on.to_string())
    .bind(p.amount)
    .bind(p.method)
    .bind(p.reference)
    .bind(p.fingerprint)
    .bind(p.by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map_err(|e| on_conflict(e, "space_payments.fingerprint"))?;
    Ok(id)
}

pub async fn fingerprint_known(c: &mut AnyConnection, fp: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM space_payments WHERE fingerprint = $1")
        .bind(fp)
        .fetch_one(c)
        .await?;
    Ok(n > 0)
}

pub async fn payments_of(c: &mut AnyConnection, invoice: InvoiceId) -> Result<Vec<Payment>> {
    crate::row::many(
        c,
        format!("{PAYMENT} WHERE p.invoice_id = $1 ORDER BY p.paid_on"),
        invoice,
    )
    .await
}

pub async fn payments(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Payment>> {
    crate::row::many(
        c,
        format!("{PAYMENT} WHERE p.lab_id = $1 ORDER BY p.paid_on DESC"),
        lab,
    )
    .await
}

pub async fn payment(c: &mut AnyConnection, id: SpacePaymentId) -> Result<Option<Payment>> {
    one(c, format!("{PAYMENT} WHERE p.id = $1"), id).await
}

// ---------------------------------------------------------------- money

pub struct NewCost<'a> {
    pub lab: LabId,
    pub month: &'a str,
    pub category: &'a str,
    pub paid_by: &'a str,
    pub amount: i64,
    pub note: &'a str,
    pub by: Option<UserId>,
}

pub async fn insert_cost(c: &mut AnyConnection, x: &NewCost<'_>) -> Result<CostId> {
    let id = CostId::new();
    sqlx::query(
        "INSERT INTO space_costs (id, lab_id, month, category, paid_by, amount, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(x.lab.to_string())
    .bind(x.month)
    .bind(x.category)
    .bind(x.paid_by)
    .bind(x.amount)
    .bind(x.note)
    .bind(x.by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn insert_income(
    c: &mut AnyConnection,
    lab: LabId,
    month: &str,
    source: &str,
    amount: i64,
    note: &str,
    by: Option<UserId>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO space_income (id, lab_id, month, source, amount, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(lab.to_string())
    .bind(month)
    .bind(source)
    .bind(amount)
    .bind(note)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// One sum of a month: `(month, key, amount)` with `key` a category, a payer or a source.
#[derive(Debug, Clone, Serialize)]
pub struct Sum {
    pub month: String,
    pub key: String,
    pub amount: i64,
}

from_row! { Sum |r| month, key, amount }

async fn sums(
    c: &mut AnyConnection,
    sql: &str,
    lab: LabId,
    from: &str,
    to: &str,
) -> Result<Vec<Sum>> {
    all(
        c,
        crate::dynamic(sql.to_string())
            .bind(lab.to_string())
            .bind(from.to_string())
            .bind(to.to_string()),
    )
    .await
}

/// Costs of months `from..=to` (`YYYY-MM`) by category.
pub async fn costs_by_category(
    c: &mut AnyConnection,
    lab: LabId,
    from: &str,
    to: &str,
) -> Result<Vec<Sum>> {
    sums(c, "SELECT month, category AS key, CAST(SUM(amount) AS BIGINT) AS amount FROM space_costs WHERE lab_id = $1 AND month >= $2 AND month <= $3 GROUP BY month, category ORDER BY month, category", lab, from, to).await
}

/// Costs of months `from..=to` by who paid.
pub async fn costs_by_payer(
    c: &mut AnyConnection,
    lab: LabId,
    from: &str,
    to: &str,
) -> Result<Vec<Sum>> {
    sums(c, "SELECT month, paid_by AS key, CAST(SUM(amount) AS BIGINT) AS amount FROM space_costs WHERE lab_id = $1 AND month >= $2 AND month <= $3 GROUP BY month, paid_by ORDER BY month, paid_by", lab, from, to).await
}

/// Own income of months `from..=to` by source: payments received on invoices (by the month
/// they came, credit notes' refunds negative) and income recorded by hand.
pub async fn income_by_source(
    c: &mut AnyConnection,
    lab: LabId,
    from: &str,
    to: &str,
) -> Result<Vec<Sum>> {
    let mut out = sums(c, "SELECT SUBSTR(p.paid_on, 1, 7) AS month, i.source AS key, CAST(SUM(p.amount) AS BIGINT) AS amount
        FROM space_payments p JOIN space_invoices i ON i.id = p.invoice_id
        WHERE p.lab_id = $1 AND SUBSTR(p.paid_on, 1, 7) >= $2 AND SUBSTR(p.paid_on, 1, 7) <= $3
        GROUP BY SUBSTR(p.paid_on, 1, 7), i.source ORDER BY 1, 2", lab, from, to).await?;
    out.extend(sums(c, "SELECT month, source AS key, CAST(SUM(amount) AS BIGINT) AS amount FROM space_income WHERE lab_id = $1 AND month >= $2 AND month <= $3 GROUP BY month, source ORDER BY month, source", lab, from, to).await?);
    Ok(out)
}

/// Booked and used (arrived) minutes per resource and month, from live bookings.
#[derive(Debug, Clone, Serialize)]
pub struct Use {
    pub resource_id: ResourceId,
    pub month: String,
    pub booked_minutes: i64,
    pub used_minutes: i64,
    pub income: i64,
    pub women: i64,
}

/// Use of the lab's resources in months `from..=to`.
pub async fn usage(c: &mut AnyConnection, lab: LabId, from: &str, to: &str) -> Result<Vec<Use>> {
    let rows = crate::dynamic(
        "SELECT resource_id, starts_at, ends_at, status, price, person_id FROM space_bookings
         WHERE lab_id = $1 AND status IN ('booked', 'arrived', 'no-show') AND SUBSTR(starts_at, 1, 7) >= $2 AND SUBSTR(starts_at, 1, 7) <= $3"
            .to_string(),
    )
    .bind(lab.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(c)
    .await?;
    let mut out: Vec<Use> = vec![];
    let mut people: Vec<(ResourceId, String, String)> = vec![];
    for r in &rows {
        let resource: ResourceId = col(r, "resource_id")?;
        let s: DateTime<Utc> = col(r, "starts_at")?;
        let e: DateTime<Utc> = col(r, "ends_at")?;
        let status = text(r, "status")?;
        let month = s.format("%Y-%m").to_string();
        let minutes = (e - s).num_minutes();
        let person: Option<String> = col(r, "person_id")?;
        let i = match out
            .iter()
            .position(|u| u.resource_id == resource && u.month == month)
        {
            Some(i) => i,
            None => {
                out.push(Use {
                    resource_id: resource,
                    month: month.clone(),
                    booked_minutes: 0,
                    used_minutes: 0,
                    income: 0,
                    women: 0,
                });
                out.len() - 1
            }
        };
        out[i].booked_minutes += minutes;
        if status == "arrived" {
            out[i].used_minutes += minutes;
        }
        out[i].income += int(r, "price")?;
        if let Some(p) = person
            && !people.contains(&(resource, month.clone(), p.clone()))
        {
            people.push((resource, month, p));
            out[i].women += 1;
        }
    }
    Ok(out)
}

/// How many different women booked in the lab in months `from..=to`.
pub async fn women_using(c: &mut AnyConnection, lab: LabId, from: &str, to: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(DISTINCT person_id) FROM space_bookings WHERE lab_id = $1 AND person_id IS NOT NULL
           AND status IN ('booked', 'arrived', 'no-show') AND SUBSTR(starts_at, 1, 7) >= $2 AND SUBSTR(starts_at, 1, 7) <= $3",
    )
    .bind(lab.to_string())
    .bind(from)
    .bind(to)
    .fetch_one(c)
    .await?)
}

/// "Family Given" of a person.
pub async fn person_name(c: &mut AnyConnection, person: PersonId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT family_name || ' ' || given_name FROM people WHERE id = $1")
            .bind(person.to_string())
            .fetch_optional(c)
            .await?,
    )
}

/// The women of a lab (id and name), for pickers.
pub async fn lab_people(c: &mut AnyConnection, lab: LabId) -> Result<Vec<(PersonId, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, family_name || ' ' || given_name FROM people WHERE lab_id = $1 ORDER BY family_name, given_name LIMIT 500",
    )
    .bind(lab.to_string())
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| Some((id.parse().ok()?, n)))
        .collect())
}

/// The credit note that corrects the invoice, if one does (at most one: a unique index).
pub async fn credit_note_of(c: &mut AnyConnection, invoice: InvoiceId) -> Result<Option<Invoice>> {
    one(c, format!("{INVOICE} WHERE i.credits_id = $1"), invoice).await
}
