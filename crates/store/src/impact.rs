//! Impact and learning: outcome records, targets, and the plain facts indicators are computed
//! from (`analytics::indicators`). Nothing here decides who may see a figure.
use crate::row::{FromRow, all, bind_each, from_row, one, optional, scope_clause};
use crate::{Result, StoreError, dynamic, now};
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

/// The rows of `sql` over the labs of `scope` (its columns named `cols`), read as one JSON array
/// of arrays built by the database and deserialized into `T` (a tuple of the columns): the facts
/// of a national network are millions of rows, and a row handed over one at a time costs several
/// times what the database takes to find it. Columns named in `reals` are read as text written
/// with every digit (a JSON number of SQLite's keeps 15), so a score is the double that is stored.
/// `order` (columns of the query) orders the rows where their order matters.
async fn json_rows<T: serde::de::DeserializeOwned>(
    c: &mut AnyConnection,
    sql: &str,
    cols: &[&str],
    reals: &[&str],
    order: &str,
    scope: &LabScope,
    lab_col: &str,
) -> Result<Vec<T>> {
    let (clause, labs) = scope_clause(scope, lab_col, 1);
    let inner = sql.replace("{scope}", &clause);
    let sqlite = c.backend_name().eq_ignore_ascii_case("sqlite");
    let list = cols
        .iter()
        .map(|col| match (reals.contains(col), sqlite) {
            (true, true) => format!("printf('%.17g', q.{col})"),
            (true, false) => format!("q.{col}::text"),
            _ => format!("q.{col}"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let order = if order.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {order}")
    };
    let outer = if sqlite {
        format!("SELECT json_group_array(json_array({list}){order}) FROM ({inner}) q")
    } else {
        format!(
            "SELECT COALESCE(json_agg(json_build_array({list}){order}), '[]')::text FROM ({inner}) q"
        )
    };
    let row = bind_each(dynamic(outer), labs).fetch_one(c).await?;
    let text: String = sqlx::Row::try_get(&row, 0)?;
    drop(row);
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("facts: {e}")))
}

/// The Bishkek date of a stored UTC timestamp (text).
fn day_of(s: &str) -> Result<NaiveDate> {
    Ok(crate::row::parse_ts(s, "facts")?
        .with_timezone(&domain::time::bishkek())
        .date_naive())
}

/// Everything indicators are computed from, for the labs of `scope`: people, residency steps,
/// certificates, events, members, referrals, mentoring sessions, grants awarded, outcomes (and the
/// ventures grants funded, as launches and joint initiatives of their members), scale scores, and
/// each woman's part of her ventures' sales (split by the members' shares).
pub async fn facts(c: &mut AnyConnection, scope: &LabScope) -> Result<ind::Facts> {
    let mut f = ind::Facts::default();
    type PersonRow = (
        String,
        String,
        String,
        Option<String>,
        String,
        Option<i64>,
        Option<i64>,
        Option<String>,
        String,
        Option<String>,
    );
    let people: Vec<PersonRow> = json_rows(
        c,
        "SELECT p.id, p.lab_id, p.gender, p.settlement, p.created_at, p.monthly_income, p.birth_year,
                p.occupation, p.family_support,
                (SELECT r.cohort_id FROM residencies r WHERE r.person_id = p.id AND r.lab_id = p.lab_id
                 ORDER BY r.created_at DESC LIMIT 1) AS cohort_id
         FROM people p WHERE {scope}",
        &[
            "id",
            "lab_id",
            "gender",
            "settlement",
            "created_at",
            "monthly_income",
            "birth_year",
            "occupation",
            "family_support",
            "cohort_id",
        ],
        &[],
        "",
        scope,
        "p.lab_id",
    )
    .await?;
    for (id, lab, gender, settlement, created, income, birth, occupation, support, cohort) in people
    {
        f.people.push(ind::PersonFact {
            id,
            lab,
            cohort,
            woman: gender == "woman",
            rural: settlement.as_deref().map(|s| s == "rural"),
            registered_on: day_of(&created)?,
            prior_income: income,
            birth_year: birth.and_then(|y| i32::try_from(y).ok()),
            occupation,
            family_support: support,
        });
    }
    let steps: Vec<(String, String, Option<String>, String, String)> = json_rows(
        c,
        "SELECT r.person_id, r.lab_id, r.cohort_id, t.to_status, t.at
         FROM residency_transitions t JOIN residencies r ON r.id = t.residency_id WHERE {scope}",
        &["person_id", "lab_id", "cohort_id", "to_status", "at"],
        &[],
        "",
        scope,
        "r.lab_id",
    )
    .await?;
    for (person, lab, cohort, status, at) in steps {
        f.steps.push(ind::StepFact {
            person,
            lab,
            cohort,
            status,
            on: day_of(&at)?,
        });
    }
    f.residencies = json_rows(
        c,
        "SELECT person_id, lab_id, cohort_id, status FROM residencies WHERE {scope}",
        &["person_id", "lab_id", "cohort_id", "status"],
        &[],
        "",
        scope,
        "lab_id",
    )
    .await?;
    let dated = |rows: Vec<(String, String, String)>| -> Result<Vec<ind::PersonDated>> {
        rows.into_iter()
            .map(|(person, lab, at)| {
                Ok(ind::PersonDated {
                    person,
                    lab,
                    on: day_of(&at)?,
                })
            })
            .collect()
    };
    f.certificates = dated(
        json_rows(
            c,
            "SELECT a.person_id, p.lab_id, a.issued_at FROM assertions a
             JOIN programmes p ON p.id = a.programme_id WHERE a.revoked_at IS NULL AND {scope}",
            &["person_id", "lab_id", "issued_at"],
            &[],
            "",
            scope,
            "p.lab_id",
        )
        .await?,
    )?;
    let held: Vec<(String, String, i64)> = json_rows(
        c,
        "SELECT e.lab_id, e.starts_at,
            (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL) AS attended
         FROM events e WHERE e.published = 1 AND e.cancelled = 0 AND {scope}",
        &["lab_id", "starts_at", "attended"],
        &[],
        "",
        scope,
        "e.lab_id",
    )
    .await?;
    let started = Utc::now();
    for (lab, starts, attended) in held {
        if crate::row::parse_ts(&starts, "starts_at")? > started {
            continue;
        }
        f.events.push(ind::EventFact {
            lab,
            on: day_of(&starts)?,
            attended,
        });
    }
    let lab_dated = |rows: Vec<(String, String)>| -> Result<Vec<ind::LabDated>> {
        rows.into_iter()
            .map(|(lab, at)| {
                Ok(ind::LabDated {
                    lab,
                    on: day_of(&at)?,
                })
            })
            .collect()
    };
    f.members = lab_dated(
        json_rows(
            c,
            "SELECT lab_id, joined_at FROM network_members WHERE {scope}",
            &["lab_id", "joined_at"],
            &[],
            "",
            scope,
            "lab_id",
        )
        .await?,
    )?;
    f.referrals = lab_dated(
        json_rows(
            c,
            "SELECT e.lab_id, r.created_at FROM registrations r JOIN events e ON e.id = r.event_id
             WHERE r.referred_by IS NOT NULL AND r.status <> 'cancelled' AND {scope}",
            &["lab_id", "created_at"],
            &[],
            "",
            scope,
            "e.lab_id",
        )
        .await?,
    )?;
    let mentoring: Vec<(String, String, NaiveDate)> = json_rows(
        c,
        "SELECT m.person_id, m.lab_id, s.held_on FROM mentoring_sessions s
         JOIN mentoring_matches m ON m.id = s.match_id WHERE {scope}",
        &["person_id", "lab_id", "held_on"],
        &[],
        "",
        scope,
        "m.lab_id",
    )
    .await?;
    f.mentoring = mentoring
        .into_iter()
        .map(|(person, lab, on)| ind::PersonDated { person, lab, on })
        .collect();
    let outcomes: Vec<(String, String, String, NaiveDate, Option<i64>)> = json_rows(
        c,
        "SELECT person_id, lab_id, kind, occurred_on, amount FROM outcomes WHERE {scope}",
        &["person_id", "lab_id", "kind", "occurred_on", "amount"],
        &[],
        "",
        scope,
        "lab_id",
    )
    .await?;
    for (person, lab, kind, on, amount) in outcomes {
        f.outcomes.push(ind::OutcomeFact {
            person,
            lab,
            kind,
            on,
            amount,
        });
    }
    let grants: Vec<(String, String, NaiveDate, i64)> = json_rows(
        c,
        "SELECT a.person_id, a.lab_id, w.decided_on, w.amount FROM grant_awards w
         JOIN grant_applications a ON a.id = w.application_id WHERE {scope}",
        &["person_id", "lab_id", "decided_on", "amount"],
        &[],
        "",
        scope,
        "a.lab_id",
    )
    .await?;
    f.grants = grants
        .into_iter()
        .map(|(person, lab, on, amount)| ind::GrantFact {
            person,
            lab,
            on,
            amount,
        })
        .collect();
    // A venture a grant funded, once launched, is a business launched (or a joint initiative
    // joined) by each of its members.
    let launched: Vec<(String, String, String, NaiveDate)> = json_rows(
        c,
        "SELECT m.person_id, v.lab_id, v.kind, v.launched_on FROM ventures v
         JOIN venture_members m ON m.venture_id = v.id
         WHERE v.launched_on IS NOT NULL AND {scope}",
        &["person_id", "lab_id", "kind", "launched_on"],
        &[],
        "",
        scope,
        "v.lab_id",
    )
    .await?;
    for (person, lab, kind, on) in launched {
        let kind = match kind.as_str() {
            "business" => "business-launched",
            _ => "joint-initiative",
        };
        f.outcomes.push(ind::OutcomeFact {
            person,
            lab,
            kind: kind.into(),
            on,
            amount: None,
        });
    }
    let scores: Vec<(String, String, String, String, String, NaiveDate)> = json_rows(
        c,
        "SELECT r.person_id, r.lab_id, s.scale_code, r.wave, s.score, r.answered_on
         FROM survey_scores s JOIN survey_responses r ON r.id = s.response_id WHERE {scope}",
        &[
            "person_id",
            "lab_id",
            "scale_code",
            "wave",
            "score",
            "answered_on",
        ],
        &["score"],
        "",
        scope,
        "r.lab_id",
    )
    .await?;
    for (person, lab, scale, wave, score, on) in scores {
        f.scores.push(ind::ScoreFact {
            person,
            lab,
            scale,
            wave,
            on,
            score: score
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("score: {score:?}")))?,
        });
    }
    // A sale per member, in the order of the sale: split by the members' shares.
    let sales: Vec<(String, String, NaiveDate, i64, String, i64)> = json_rows(
        c,
        "SELECT s.id, v.lab_id, s.sold_on, s.amount, m.person_id, m.share FROM venture_sales s
         JOIN ventures v ON v.id = s.venture_id JOIN venture_members m ON m.venture_id = s.venture_id
         WHERE {scope}",
        &["id", "lab_id", "sold_on", "amount", "person_id", "share"],
        &[],
        "q.id, q.person_id",
        scope,
        "v.lab_id",
    )
    .await?;
    for group in sales.chunk_by(|a, b| a.0 == b.0) {
        let shares: Vec<i64> = group.iter().map(|r| r.5).collect();
        for (r, part) in group.iter().zip(ind::split_by_shares(group[0].3, &shares)) {
            f.sales.push(ind::SaleFact {
                person: r.4.clone(),
                lab: r.1.clone(),
                on: r.2,
                amount: part,
            });
        }
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
