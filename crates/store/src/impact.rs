//! Impact and learning: outcome records, targets, and the plain facts indicators are computed
//! from (`analytics::indicators`). Nothing here decides who may see a figure.
use crate::row::{
    FromRow, all, bind_each, col, from_row, one, opt_int, opt_text, optional, scope_clause, text,
    time,
};
use crate::{Result, dynamic, now};
use analytics::indicators as ind;
use chrono::{DateTime, NaiveDate, Utc};
use domain::impact::{OutcomeKind, OutcomeSource};
use domain::{LabId, LabScope, OutcomeId, PersonId, TargetId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// What happened to a woman, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: OutcomeId,
    pub person_id: PersonId,
    pub lab_id: LabId,
    pub kind: OutcomeKind,
    pub occurred_on: NaiveDate,
    /// Monthly income (tyiyn) for an income record.
    pub amount: Option<i64>,
    pub source: OutcomeSource,
    pub note: String,
    pub recorded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

pub struct NewOutcome<'a> {
    pub person_id: PersonId,
    pub lab_id: LabId,
    pub kind: OutcomeKind,
    pub occurred_on: NaiveDate,
    pub amount: Option<i64>,
    pub source: OutcomeSource,
    pub note: &'a str,
}

from_row! {
    Outcome |r| id, person_id, lab_id, kind, occurred_on, amount, source, note, recorded_by,
    created_at
}

pub async fn insert_outcome(
    c: &mut AnyConnection,
    o: &NewOutcome<'_>,
    by: Option<UserId>,
) -> Result<OutcomeId> {
    let id = OutcomeId::new();
    let verified_by = (o.source == OutcomeSource::Verified)
        .then_some(by)
        .flatten()
        .map(|u| u.to_string());
    sqlx::query(
        "INSERT INTO outcomes (id, person_id, lab_id, kind, occurred_on, amount, source, note, recorded_by, verified_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.to_string())
    .bind(o.person_id.to_string())
    .bind(o.lab_id.to_string())
    .bind(o.kind.code())
    .bind(o.occurred_on.to_string())
    .bind(o.amount)
    .bind(o.source.code())
    .bind(o.note.to_string())
    .bind(by.map(|u| u.to_string()))
    .bind(verified_by)
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

const OUTCOME_COLS: &str =
    "id, person_id, lab_id, kind, occurred_on, amount, source, note, recorded_by, created_at";

/// Her outcomes, newest first.
pub async fn outcomes_of(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Outcome>> {
    all(c, dynamic(format!(
        "SELECT {OUTCOME_COLS} FROM outcomes WHERE person_id = $1 ORDER BY occurred_on DESC, created_at DESC"
    ))
    .bind(person.to_string())).await
}

pub async fn outcome_by_id(c: &mut AnyConnection, id: OutcomeId) -> Result<Option<Outcome>> {
    optional(
        c,
        dynamic(format!("SELECT {OUTCOME_COLS} FROM outcomes WHERE id = $1")).bind(id.to_string()),
    )
    .await
}

/// Removes a record typed in error (the audit row keeps what it said).
pub async fn delete_outcome(c: &mut AnyConnection, id: OutcomeId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM outcomes WHERE id = $1")
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A target of a lab (or of the network, `lab_id` None) for a period.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub id: TargetId,
    pub lab_id: Option<LabId>,
    pub indicator: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub target: i64,
}

pub struct NewTarget<'a> {
    pub lab_id: Option<LabId>,
    pub indicator: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub target: i64,
}

pub async fn insert_target(
    c: &mut AnyConnection,
    t: &NewTarget<'_>,
    by: Option<UserId>,
) -> Result<TargetId> {
    let id = TargetId::new();
    sqlx::query(
        "INSERT INTO indicator_targets (id, lab_id, indicator, starts_on, ends_on, target, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(t.lab_id.map(|l| l.to_string()))
    .bind(t.indicator.to_string())
    .bind(t.starts_on.to_string())
    .bind(t.ends_on.to_string())
    .bind(t.target)
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

from_row! {
    Target |r| id, lab_id, indicator, starts_on, ends_on, target
}

/// Targets of one lab (`Some`) or of the network as a whole (`None`), by period then indicator.
pub async fn targets(c: &mut AnyConnection, lab: Option<LabId>) -> Result<Vec<Target>> {
    let cols = "id, lab_id, indicator, starts_on, ends_on, target";
    let rows = match lab {
        Some(l) => {
            dynamic(format!(
                "SELECT {cols} FROM indicator_targets WHERE lab_id = $1 ORDER BY starts_on DESC, indicator"
            ))
            .bind(l.to_string())
            .fetch_all(c)
            .await?
        }
        None => {
            dynamic(format!(
                "SELECT {cols} FROM indicator_targets WHERE lab_id IS NULL ORDER BY starts_on DESC, indicator"
            ))
            .fetch_all(c)
            .await?
        }
    };
    rows.iter().map(Target::from_row).collect()
}

/// The targets of every lab (not the network's own), by lab, period then indicator.
pub async fn targets_of_labs(c: &mut AnyConnection) -> Result<Vec<Target>> {
    sqlx::query(
        "SELECT id, lab_id, indicator, starts_on, ends_on, target FROM indicator_targets
         WHERE lab_id IS NOT NULL ORDER BY lab_id, starts_on DESC, indicator",
    )
    .fetch_all(c)
    .await?
    .iter()
    .map(Target::from_row)
    .collect()
}

pub async fn target_by_id(c: &mut AnyConnection, id: TargetId) -> Result<Option<Target>> {
    one(c, "SELECT id, lab_id, indicator, starts_on, ends_on, target FROM indicator_targets WHERE id = $1", id).await
}

pub async fn delete_target(c: &mut AnyConnection, id: TargetId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM indicator_targets WHERE id = $1")
        .bind(id.to_string())
        .execute(c)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The Bishkek date of a stored UTC timestamp.
fn day(r: &AnyRow, col: &str) -> Result<NaiveDate> {
    Ok(time(r, col)?
        .with_timezone(&domain::time::bishkek())
        .date_naive())
}

async fn rows(
    c: &mut AnyConnection,
    sql: &str,
    scope: &LabScope,
    lab_col: &str,
) -> Result<Vec<AnyRow>> {
    let (clause, labs) = scope_clause(scope, lab_col, 1);
    let sql = sql.replace("{scope}", &clause);
    let q = bind_each(dynamic(sql), labs);
    Ok(q.fetch_all(c).await?)
}

/// Hands each row of `sql` over the labs of `scope` to `take` as it is read: the facts of a
/// national network are millions of rows, never all held as rows at once.
async fn each(
    c: &mut AnyConnection,
    sql: &str,
    scope: &LabScope,
    lab_col: &str,
    mut take: impl FnMut(&AnyRow) -> Result<()>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    let (clause, labs) = scope_clause(scope, lab_col, 1);
    let sql = sql.replace("{scope}", &clause);
    let q = bind_each(dynamic(sql), labs);
    let mut stream = q.fetch(c);
    while let Some(r) = stream.try_next().await? {
        take(&r)?;
    }
    Ok(())
}

/// Everything indicators are computed from, for the labs of `scope`: people, residency steps,
/// certificates, events, members, referrals, mentoring sessions, grants awarded, outcomes (and the
/// ventures grants funded, as launches and joint initiatives of their members), scale scores, and
/// each woman's part of her ventures' sales (split by the members' shares).
pub async fn facts(c: &mut AnyConnection, scope: &LabScope) -> Result<ind::Facts> {
    let mut f = ind::Facts::default();
    each(
        c,
        "SELECT p.id, p.lab_id, p.gender, p.settlement, p.created_at, p.monthly_income, p.birth_year,
                p.occupation, p.family_support,
                (SELECT r.cohort_id FROM residencies r WHERE r.person_id = p.id AND r.lab_id = p.lab_id
                 ORDER BY r.created_at DESC LIMIT 1) AS cohort_id
         FROM people p WHERE {scope}",
        scope,
        "p.lab_id",
        |r| {
            let settlement = opt_text(r, "settlement")?;
            f.people.push(ind::PersonFact {
                id: col(r, "id")?,
                lab: col(r, "lab_id")?,
                cohort: col(r, "cohort_id")?,
                woman: text(r, "gender")? == "woman",
                rural: settlement.as_deref().map(|s| s == "rural"),
                registered_on: day(r, "created_at")?,
                prior_income: col(r, "monthly_income")?,
                birth_year: opt_int(r, "birth_year")?.and_then(|y| i32::try_from(y).ok()),
                occupation: col(r, "occupation")?,
                family_support: col(r, "family_support")?,
            });
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT r.person_id, r.lab_id, r.cohort_id, t.to_status, t.at
         FROM residency_transitions t JOIN residencies r ON r.id = t.residency_id WHERE {scope}",
        scope,
        "r.lab_id",
        |r| {
            f.steps.push(ind::StepFact {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                cohort: col(r, "cohort_id")?,
                status: col(r, "to_status")?,
                on: day(r, "at")?,
            });
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT person_id, lab_id, cohort_id, status FROM residencies WHERE {scope}",
        scope,
        "lab_id",
        |r| {
            f.residencies.push((
                text(r, "person_id")?,
                text(r, "lab_id")?,
                opt_text(r, "cohort_id")?,
                text(r, "status")?,
            ));
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT a.person_id, p.lab_id, a.issued_at FROM assertions a
         JOIN programmes p ON p.id = a.programme_id WHERE a.revoked_at IS NULL AND {scope}",
        scope,
        "p.lab_id",
        |r| {
            f.certificates.push(ind::PersonDated {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                on: day(r, "issued_at")?,
            });
            Ok(())
        },
    )
    .await?;
    let held = rows(
        c,
        "SELECT e.lab_id, e.starts_at,
            (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL) AS attended
         FROM events e WHERE e.published = 1 AND e.cancelled = 0 AND {scope}",
        scope,
        "e.lab_id",
    )
    .await?;
    let started = Utc::now();
    for r in held {
        if time(&r, "starts_at")? > started {
            continue;
        }
        f.events.push(ind::EventFact {
            lab: col(&r, "lab_id")?,
            on: day(&r, "starts_at")?,
            attended: col(&r, "attended")?,
        });
    }
    each(
        c,
        "SELECT lab_id, joined_at FROM network_members WHERE {scope}",
        scope,
        "lab_id",
        |r| {
            f.members.push(ind::LabDated {
                lab: col(r, "lab_id")?,
                on: day(r, "joined_at")?,
            });
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT e.lab_id, r.created_at FROM registrations r JOIN events e ON e.id = r.event_id
         WHERE r.referred_by IS NOT NULL AND r.status <> 'cancelled' AND {scope}",
        scope,
        "e.lab_id",
        |r| {
            f.referrals.push(ind::LabDated {
                lab: col(r, "lab_id")?,
                on: day(r, "created_at")?,
            });
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT m.person_id, m.lab_id, s.held_on FROM mentoring_sessions s
         JOIN mentoring_matches m ON m.id = s.match_id WHERE {scope}",
        scope,
        "m.lab_id",
        |r| {
            f.mentoring.push(ind::PersonDated {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                on: col(r, "held_on")?,
            });
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT person_id, lab_id, kind, occurred_on, amount FROM outcomes WHERE {scope}",
        scope,
        "lab_id",
        |r| {
            f.outcomes.push(ind::OutcomeFact {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                kind: col(r, "kind")?,
                on: col(r, "occurred_on")?,
                amount: col(r, "amount")?,
            });
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT a.person_id, a.lab_id, w.decided_on, w.amount FROM grant_awards w
         JOIN grant_applications a ON a.id = w.application_id WHERE {scope}",
        scope,
        "a.lab_id",
        |r| {
            f.grants.push(ind::GrantFact {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                on: col(r, "decided_on")?,
                amount: col(r, "amount")?,
            });
            Ok(())
        },
    )
    .await?;
    // A venture a grant funded, once launched, is a business launched (or a joint initiative
    // joined) by each of its members.
    each(
        c,
        "SELECT m.person_id, v.lab_id, v.kind, v.launched_on FROM ventures v
         JOIN venture_members m ON m.venture_id = v.id
         WHERE v.launched_on IS NOT NULL AND {scope}",
        scope,
        "v.lab_id",
        |r| {
            let kind = match text(r, "kind")?.as_str() {
                "business" => "business-launched",
                _ => "joint-initiative",
            };
            f.outcomes.push(ind::OutcomeFact {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                kind: kind.into(),
                on: col(r, "launched_on")?,
                amount: None,
            });
            Ok(())
        },
    )
    .await?;
    each(
        c,
        "SELECT r.person_id, r.lab_id, s.scale_code, r.wave, s.score, r.answered_on
         FROM survey_scores s JOIN survey_responses r ON r.id = s.response_id WHERE {scope}",
        scope,
        "r.lab_id",
        |r| {
            f.scores.push(ind::ScoreFact {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                scale: col(r, "scale_code")?,
                wave: col(r, "wave")?,
                on: col(r, "answered_on")?,
                score: sqlx::Row::try_get(r, "score")?,
            });
            Ok(())
        },
    )
    .await?;
    // A sale per member, in the order of the sale: split by the members' shares.
    let sales = rows(
        c,
        "SELECT s.id, v.lab_id, s.sold_on, s.amount, m.person_id, m.share FROM venture_sales s
         JOIN ventures v ON v.id = s.venture_id JOIN venture_members m ON m.venture_id = s.venture_id
         WHERE {scope} ORDER BY s.id, m.person_id",
        scope,
        "v.lab_id",
    )
    .await?;
    let mut k = 0;
    while k < sales.len() {
        let id: String = col(&sales[k], "id")?;
        let mut end = k;
        while end < sales.len() && col::<String>(&sales[end], "id")? == id {
            end += 1;
        }
        let group = &sales[k..end];
        let shares = group
            .iter()
            .map(|r| crate::row::int(r, "share"))
            .collect::<Result<Vec<i64>>>()?;
        let amount = crate::row::int(&group[0], "amount")?;
        for (r, part) in group.iter().zip(ind::split_by_shares(amount, &shares)) {
            f.sales.push(ind::SaleFact {
                person: col(r, "person_id")?,
                lab: col(r, "lab_id")?,
                on: col(r, "sold_on")?,
                amount: part,
            });
        }
        k = end;
    }
    Ok(f)
}

/// What a positive deviant woman does differently, as a coordinator of her lab noted it.
#[derive(Debug, Clone, Serialize)]
pub struct Practice {
    pub person_id: PersonId,
    pub lab_id: LabId,
    pub practice: String,
    /// How she found it.
    pub found: String,
    /// `yes`, `no` or `unsure`: whether it could be taught to other women.
    pub teachable: String,
    pub updated_at: DateTime<Utc>,
}

from_row! {
    Practice |r| person_id, lab_id, practice, found, teachable, updated_at
}

const PRACTICE_COLS: &str = "person_id, lab_id, practice, found, teachable, updated_at";

/// Saves her note, replacing the one before.
pub async fn save_practice(c: &mut AnyConnection, p: &Practice, by: Option<UserId>) -> Result<()> {
    sqlx::query(
        "INSERT INTO practices (person_id, lab_id, practice, found, teachable, recorded_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (person_id) DO UPDATE SET lab_id = excluded.lab_id, practice = excluded.practice,
           found = excluded.found, teachable = excluded.teachable,
           recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
    )
    .bind(p.person_id.to_string())
    .bind(p.lab_id.to_string())
    .bind(p.practice.clone())
    .bind(p.found.clone())
    .bind(p.teachable.clone())
    .bind(by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(())
}

/// Her note, if one was recorded.
pub async fn practice_of(c: &mut AnyConnection, person: PersonId) -> Result<Option<Practice>> {
    optional(
        c,
        dynamic(format!(
            "SELECT {PRACTICE_COLS} FROM practices WHERE person_id = $1"
        ))
        .bind(person.to_string()),
    )
    .await
}

/// The notes of the labs of `scope`, newest first.
pub async fn practices(c: &mut AnyConnection, scope: &LabScope) -> Result<Vec<Practice>> {
    rows(
        c,
        &format!("SELECT {PRACTICE_COLS} FROM practices WHERE {{scope}} ORDER BY updated_at DESC"),
        scope,
        "lab_id",
    )
    .await?
    .iter()
    .map(Practice::from_row)
    .collect()
}

/// Dates a woman's first contact with her lab (demo data, loaded in one go): her record and her
/// membership of the lab's network carry `at` when it is earlier than what they hold.
pub async fn date_first_contact(
    c: &mut AnyConnection,
    person: PersonId,
    at: DateTime<Utc>,
) -> Result<()> {
    let at = crate::row::ts(at);
    sqlx::query("UPDATE people SET created_at = $2 WHERE id = $1 AND created_at > $2")
        .bind(person.to_string())
        .bind(at.clone())
        .execute(&mut *c)
        .await?;
    sqlx::query(
        "UPDATE network_members SET joined_at = $2 WHERE person_id = $1 AND joined_at > $2",
    )
    .bind(person.to_string())
    .bind(at)
    .execute(&mut *c)
    .await?;
    Ok(())
}
