//! The makers' showcase (profiles a resident or alumna opts in to, with her products) and the
//! sales of ventures. Only published profiles are listed in the catalogue.
use crate::row::{all, changed, from_row, many, one, text};
use crate::{Result, StoreError, now};
use chrono::{DateTime, NaiveDate, Utc};
use domain::crowdfunding::{Availability, SaleChannel};
use domain::grants::Category;
use domain::{EventId, LabId, PersonId, UserId, VentureId};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

fn code<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s = text(r, col)?;
    parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: {s}")))
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub person_id: PersonId,
    pub lab_id: LabId,
    pub display_name: String,
    pub bio: String,
    pub skills: String,
    pub contact: String,
    pub venture_id: Option<VentureId>,
    pub venture_name: Option<String>,
    pub published: bool,
}

from_row! {
    Profile |r| person_id, lab_id, display_name, bio, skills, contact, venture_id,
    venture_name = "venture_name", published
}

const PROFILE_SQL: &str = "SELECT m.person_id, m.lab_id, m.display_name, m.bio, m.skills, m.contact, m.venture_id,
    v.name AS venture_name, m.published FROM maker_profiles m LEFT JOIN ventures v ON v.id = m.venture_id";

pub struct NewProfile<'a> {
    pub person: PersonId,
    pub lab: LabId,
    pub display_name: &'a str,
    pub bio: &'a str,
    pub skills: &'a str,
    pub contact: &'a str,
    pub venture: Option<VentureId>,
    pub search_key: &'a str,
}

/// Creates or replaces her profile, published.
pub async fn save_profile(c: &mut AnyConnection, p: &NewProfile<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO maker_profiles (person_id, lab_id, display_name, bio, skills, contact, venture_id, search_key, published, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)
         ON CONFLICT (person_id) DO UPDATE SET lab_id = $2, display_name = $3, bio = $4, skills = $5, contact = $6,
            venture_id = $7, search_key = $8, published = 1, updated_at = $9",
    )
    .bind(p.person.to_string())
    .bind(p.lab.to_string())
    .bind(p.display_name)
    .bind(p.bio)
    .bind(p.skills)
    .bind(p.contact)
    .bind(p.venture.map(|v| v.to_string()))
    .bind(p.search_key)
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn unpublish(c: &mut AnyConnection, person: PersonId) -> Result<bool> {
    let q = sqlx::query(
        "UPDATE maker_profiles SET published = 0, updated_at = $2 WHERE person_id = $1",
    )
    .bind(person.to_string())
    .bind(now());
    changed(c, q).await
}

pub async fn profile(c: &mut AnyConnection, person: PersonId) -> Result<Option<Profile>> {
    one(c, format!("{PROFILE_SQL} WHERE m.person_id = $1"), person).await
}

/// Adds the product's words to her search skeleton.
pub async fn extend_search_key(c: &mut AnyConnection, person: PersonId, more: &str) -> Result<()> {
    sqlx::query(
        "UPDATE maker_profiles SET search_key = search_key || ' ' || $2 WHERE person_id = $1",
    )
    .bind(person.to_string())
    .bind(more)
    .execute(c)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub id: String,
    pub person_id: PersonId,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub price_from: i64,
    pub price_to: i64,
    pub availability: Availability,
}

from_row! {
    Product |r| id, person_id, title, description, category, price_from, price_to,
    availability: code(r, "availability", Availability::parse)?
}

pub struct NewProduct<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: Category,
    pub price_from: i64,
    pub price_to: i64,
    pub availability: Availability,
}

pub async fn add_product(
    c: &mut AnyConnection,
    person: PersonId,
    p: &NewProduct<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO maker_products (id, person_id, title, description, category, price_from, price_to, availability, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(person.to_string())
    .bind(p.title)
    .bind(p.description)
    .bind(p.category.code())
    .bind(p.price_from)
    .bind(p.price_to)
    .bind(p.availability.code())
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

pub async fn products(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Product>> {
    many(
        c,
        "SELECT id, person_id, title, description, category, price_from, price_to, availability
         FROM maker_products WHERE person_id = $1 ORDER BY created_at, id",
        person,
    )
    .await
}

/// Published makers, by lab and product category, whose search skeleton has every word of
/// `key` (already folded with `domain::names::search_key`); by display name, `limit` of them
/// from `offset`.
pub async fn catalogue(
    c: &mut AnyConnection,
    lab: Option<LabId>,
    category: Option<Category>,
    key: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Profile>> {
    let words: Vec<String> = key
        .split_whitespace()
        .take(5)
        .map(|w| format!("%{w}%"))
        .collect();
    let mut sql = format!(
        "{PROFILE_SQL} WHERE m.published = 1 AND ($1 = '' OR m.lab_id = $1)
         AND ($2 = '' OR EXISTS (SELECT 1 FROM maker_products p WHERE p.person_id = m.person_id AND p.category = $2))"
    );
    for i in 0..words.len() {
        sql.push_str(&format!(" AND m.search_key LIKE ${}", i + 3));
    }
    sql.push_str(&format!(
        " ORDER BY m.display_name, m.person_id LIMIT {} OFFSET {}",
        limit.clamp(1, 500),
        offset.max(0)
    ));
    let mut q = crate::dynamic(sql)
        .bind(lab.map(|l| l.to_string()).unwrap_or_default())
        .bind(category.map(|x| x.code().to_string()).unwrap_or_default());
    for w in words {
        q = q.bind(w);
    }
    all(c, q).await
}

/// Her ventures: (id, name, lab).
pub async fn ventures_of(
    c: &mut AnyConnection,
    person: PersonId,
) -> Result<Vec<(VentureId, String, LabId)>> {
    let rows = sqlx::query(
        "SELECT v.id, v.name, v.lab_id FROM ventures v JOIN venture_members m ON m.venture_id = v.id
         WHERE m.person_id = $1 ORDER BY v.name",
    )
    .bind(person.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                crate::row::get(r, "id")?,
                text(r, "name")?,
                crate::row::get(r, "lab_id")?,
            ))
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Sale {
    pub id: String,
    pub venture_id: VentureId,
    pub sold_on: NaiveDate,
    pub amount: i64,
    pub channel: SaleChannel,
    pub note: String,
    pub recorded_at: DateTime<Utc>,
}

from_row! {
    Sale |r| id, venture_id, sold_on, amount, channel: code(r, "channel", SaleChannel::parse)?, note, recorded_at
}

pub struct NewSale<'a> {
    pub sold_on: NaiveDate,
    pub amount: i64,
    pub channel: SaleChannel,
    pub note: &'a str,
    pub recorded_by: Option<UserId>,
}

pub async fn insert_sale(
    c: &mut AnyConnection,
    venture: VentureId,
    s: &NewSale<'_>,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO venture_sales (id, venture_id, sold_on, amount, channel, note, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(venture.to_string())
    .bind(s.sold_on.to_string())
    .bind(s.amount)
    .bind(s.channel.code())
    .bind(s.note)
    .bind(s.recorded_by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn sales(c: &mut AnyConnection, venture: VentureId) -> Result<Vec<Sale>> {
    many(
        c,
        "SELECT id, venture_id, sold_on, amount, channel, note, recorded_at FROM venture_sales
         WHERE venture_id = $1 ORDER BY sold_on DESC, recorded_at DESC",
        venture,
    )
    .await
}

/// A woman's part of her ventures' sales in a period, tyiyn: each sale split by the members'
/// shares (equal unless set, see [`set_share`]), rounded down.
pub async fn earnings_of(
    c: &mut AnyConnection,
    person: PersonId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<i64>> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(s.amount * m.share / (SELECT SUM(x.share) FROM venture_members x WHERE x.venture_id = s.venture_id)), 0) AS BIGINT) AS total
         FROM venture_sales s JOIN venture_members m ON m.venture_id = s.venture_id
         WHERE m.person_id = $1 AND s.sold_on >= $2 AND s.sold_on <= $3",
    )
    .bind(person.to_string())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_one(c)
    .await?;
    let n = crate::row::int(&r, "n")?;
    Ok((n > 0).then_some(crate::row::int(&r, "total")?))
}

/// The members' shares of a venture's sales: (member, share), in the order of the members.
pub async fn shares(c: &mut AnyConnection, venture: VentureId) -> Result<Vec<(PersonId, i64)>> {
    let rows = sqlx::query(
        "SELECT person_id, share FROM venture_members WHERE venture_id = $1 ORDER BY person_id",
    )
    .bind(venture.to_string())
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                crate::row::get(r, "person_id")?,
                crate::row::int(r, "share")?,
            ))
        })
        .collect()
}

/// Sets a member's share of a joint initiative's sales (a weight above zero; all 1: equal parts).
/// Answers whether she is a member.
pub async fn set_share(
    c: &mut AnyConnection,
    venture: VentureId,
    person: PersonId,
    share: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE venture_members SET share = $1 WHERE venture_id = $2 AND person_id = $3",
    )
    .bind(share.max(1))
    .bind(venture.to_string())
    .bind(person.to_string())
    .execute(c)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Women who may show their work (an active or graduated residency), with their lab: the demo
/// data opts some of them in.
pub async fn possible_makers(
    c: &mut AnyConnection,
    limit: i64,
) -> Result<Vec<(PersonId, LabId, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT p.id, r.lab_id, p.given_name FROM people p JOIN residencies r ON r.person_id = p.id
         WHERE r.status IN ('active', 'graduated') AND p.given_name <> '' ORDER BY p.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                crate::row::get(r, "id")?,
                crate::row::get(r, "lab_id")?,
                text(r, "given_name")?,
            ))
        })
        .collect()
}

/// Makers' sales between two dates, for the public impact page: (women whose ventures sold,
/// total tyiyn), by the ventures' lab or the network.
pub async fn sales_totals(
    c: &mut AnyConnection,
    lab: Option<LabId>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(DISTINCT m.person_id) FROM venture_members m JOIN ventures v ON v.id = m.venture_id
                 WHERE ($1 = '' OR v.lab_id = $1) AND EXISTS (SELECT 1 FROM venture_sales s WHERE s.venture_id = v.id
                   AND s.sold_on >= $2 AND s.sold_on <= $3)) AS women,
                (SELECT CAST(COALESCE(SUM(s.amount), 0) AS BIGINT) FROM venture_sales s JOIN ventures v ON v.id = s.venture_id
                 WHERE ($1 = '' OR v.lab_id = $1) AND s.sold_on >= $2 AND s.sold_on <= $3) AS total",
    )
    .bind(lab.map(|l| l.to_string()).unwrap_or_default())
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_one(c)
    .await?;
    Ok((crate::row::int(&r, "women")?, crate::row::int(&r, "total")?))
}

/// A fair (an event of kind fair) a maker can take part in, or has.
#[derive(Debug, Clone, Serialize)]
pub struct Fair {
    pub id: EventId,
    pub lab_id: LabId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
}

from_row! {
    Fair |r| id, lab_id, title, starts_at, place
}

/// The published, not cancelled fairs a maker of `lab` may take part in that have not ended:
/// her lab's and the network's; soonest first.
pub async fn fairs_open_to(c: &mut AnyConnection, lab: LabId) -> Result<Vec<Fair>> {
    let q = sqlx::query(
        "SELECT id, lab_id, title, starts_at, place FROM events
         WHERE kind = 'fair' AND published = 1 AND cancelled = 0 AND ends_at >= $2
           AND (lab_id = $1 OR scope = 'network')
         ORDER BY starts_at, id LIMIT 50",
    )
    .bind(lab.to_string())
    .bind(crate::row::ts(Utc::now()));
    all(c, q).await
}

/// She takes part in the fair (`false` when she already did).
pub async fn join_fair(
    c: &mut AnyConnection,
    event: EventId,
    person: PersonId,
    by: Option<UserId>,
) -> Result<bool> {
    let q = sqlx::query(
        "INSERT INTO fair_makers (event_id, person_id, added_by, added_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (event_id, person_id) DO NOTHING",
    )
    .bind(event.to_string())
    .bind(person.to_string())
    .bind(by.map(|u| u.to_string()))
    .bind(now());
    changed(c, q).await
}

/// She no longer takes part (`false` when she did not).
pub async fn leave_fair(c: &mut AnyConnection, event: EventId, person: PersonId) -> Result<bool> {
    let q = sqlx::query("DELETE FROM fair_makers WHERE event_id = $1 AND person_id = $2")
        .bind(event.to_string())
        .bind(person.to_string());
    changed(c, q).await
}

/// The fairs she takes part in that have not ended (published, not cancelled), soonest first.
pub async fn fairs_of(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Fair>> {
    let q = sqlx::query(
        "SELECT e.id, e.lab_id, e.title, e.starts_at, e.place FROM fair_makers f
         JOIN events e ON e.id = f.event_id
         WHERE f.person_id = $1 AND e.published = 1 AND e.cancelled = 0 AND e.ends_at >= $2
         ORDER BY e.starts_at, e.id LIMIT 20",
    )
    .bind(person.to_string())
    .bind(crate::row::ts(Utc::now()));
    all(c, q).await
}

/// The published makers taking part in a fair, by display name.
pub async fn makers_at(c: &mut AnyConnection, event: EventId) -> Result<Vec<Profile>> {
    many(
        c,
        format!(
            "{PROFILE_SQL} JOIN fair_makers f ON f.person_id = m.person_id
             WHERE f.event_id = $1 AND m.published = 1 ORDER BY m.display_name, m.person_id LIMIT 500"
        ),
        event,
    )
    .await
}
