//! People (one record per woman, girl or community member), their consent records, and the
//! forgiving name search. Every read takes the caller's scope.
use crate::row::{FromRow, all, bind_each, from_row, int, opt_int, optional, scope_clause, text};
use crate::{Result, now};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{ConsentId, LabId, LabScope, PersonId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

/// A person as stored. Vocabulary fields hold their codes (see `domain::types`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Person {
    pub id: PersonId,
    pub lab_id: LabId,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: String,
    pub name_latin: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birth_year: Option<i32>,
    pub gender: String,
    pub region: String,
    pub district: String,
    pub locality: String,
    pub settlement: Option<String>,
    pub languages: Vec<String>,
    pub occupation: Option<String>,
    pub family_support: String,
    pub skills: Vec<String>,
    pub aims: String,
    /// Monthly income at baseline, in tyiyn.
    pub monthly_income: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Person {
    pub fn full_name(&self) -> String {
        [&self.family_name, &self.given_name, &self.patronymic]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What is written for a new or edited person; the service has validated every field.
#[derive(Debug, Clone, Default)]
pub struct PersonFields {
    pub family_name: String,
    pub given_name: String,
    pub patronymic: String,
    pub name_latin: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birth_year: Option<i32>,
    pub gender: String,
    pub region: String,
    pub district: String,
    pub locality: String,
    pub settlement: Option<String>,
    pub languages: Vec<String>,
    pub occupation: Option<String>,
    pub family_support: String,
    pub skills: Vec<String>,
    pub aims: String,
    pub monthly_income: Option<i64>,
}

impl PersonFields {
    fn search_key(&self) -> String {
        domain::names::search_key(&format!(
            "{} {} {} {}",
            self.family_name, self.given_name, self.patronymic, self.name_latin
        ))
    }
}

const COLS: &str = "id, lab_id, family_name, given_name, patronymic, name_latin, phone, email, birth_year, gender, region, district, locality, settlement, languages, occupation, family_support, skills, aims, monthly_income, created_at, updated_at";

fn list(s: String) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

from_row! {
    Person |r| id, lab_id, family_name, given_name, patronymic, name_latin, phone, email,
    birth_year: opt_int(r, "birth_year")?.map(|y| y as i32), gender, region, district, locality,
    settlement, languages: list(text(r, "languages")?), occupation, family_support,
    skills: list(text(r, "skills")?), aims, monthly_income, created_at, updated_at
}

/// Binds the editable fields in the order both `insert` and `update` list them
/// (family_name … monthly_income).
fn bind_fields(q: crate::AnyQuery, f: &PersonFields) -> crate::AnyQuery {
    q.bind(&f.family_name)
        .bind(&f.given_name)
        .bind(&f.patronymic)
        .bind(&f.name_latin)
        .bind(f.phone.clone())
        .bind(f.email.clone())
        .bind(f.birth_year.map(i64::from))
        .bind(&f.gender)
        .bind(&f.region)
        .bind(&f.district)
        .bind(&f.locality)
        .bind(f.settlement.clone())
        .bind(f.languages.join(","))
        .bind(f.occupation.clone())
        .bind(&f.family_support)
        .bind(f.skills.join(","))
        .bind(&f.aims)
        .bind(f.monthly_income)
}

pub async fn insert(
    c: &mut AnyConnection,
    lab: LabId,
    f: &PersonFields,
    created_by: Option<UserId>,
) -> Result<PersonId> {
    let id = PersonId::new();
    let t = now();
    let q = crate::dynamic(format!(
        "INSERT INTO people ({COLS}, search_key, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
    ))
    .bind(id.to_string())
    .bind(lab.to_string());
    bind_fields(q, f)
        .bind(&t)
        .bind(&t)
        .bind(f.search_key())
        .bind(created_by.map(|u| u.to_string()))
        .execute(c)
        .await?;
    Ok(id)
}

/// Recomputes every stored search key that the current [`domain::names::search_key`] would
/// make differently (run after migrations, so a change of the folding rules re-keys old rows).
/// Answers how many rows changed.
pub async fn refresh_search_keys(c: &mut AnyConnection) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT id, family_name, given_name, patronymic, name_latin, search_key FROM people",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut changed = 0;
    for r in &rows {
        let f = PersonFields {
            family_name: text(r, "family_name")?,
            given_name: text(r, "given_name")?,
            patronymic: text(r, "patronymic")?,
            name_latin: text(r, "name_latin")?,
            ..Default::default()
        };
        let key = f.search_key();
        if key != text(r, "search_key")? {
            sqlx::query("UPDATE people SET search_key = $1 WHERE id = $2")
                .bind(key)
                .bind(text(r, "id")?)
                .execute(&mut *c)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Rewrites a person's fields; false when she is outside the scope or does not exist.
pub async fn update(
    c: &mut AnyConnection,
    scope: &LabScope,
    id: PersonId,
    f: &PersonFields,
) -> Result<bool> {
    update_checked(c, scope, id, f, None).await
}

/// A record's version as forms carry it: the time of its last change, exactly as stored.
pub fn version(p: &Person) -> String {
    crate::row::ts(p.updated_at)
}

/// [`update`] only if the record is still at `expected` (its [`version`]) when given: false when
/// someone changed it since, so the caller answers a conflict instead of overwriting.
pub async fn update_checked(
    c: &mut AnyConnection,
    scope: &LabScope,
    id: PersonId,
    f: &PersonFields,
    expected: Option<&str>,
) -> Result<bool> {
    let (clause, labs) = scope_clause(scope, "lab_id", 23);
    let sql = format!(
        "UPDATE people SET family_name = $2, given_name = $3, patronymic = $4, name_latin = $5, phone = $6, email = $7,
         birth_year = $8, gender = $9, region = $10, district = $11, locality = $12, settlement = $13, languages = $14,
         occupation = $15, family_support = $16, skills = $17, aims = $18, monthly_income = $19, search_key = $20, updated_at = $21
         WHERE id = $1 AND ($22 = '' OR updated_at = $22) AND {clause}"
    );
    let q = bind_each(
        bind_fields(crate::dynamic(sql).bind(id.to_string()), f)
            .bind(f.search_key())
            .bind(now())
            .bind(expected.unwrap_or("").to_string()),
        labs,
    );
    Ok(q.execute(c).await?.rows_affected() > 0)
}

/// One person, if the scope reaches her.
pub async fn get_scoped(
    c: &mut AnyConnection,
    scope: &LabScope,
    id: PersonId,
) -> Result<Option<Person>> {
    let (clause, labs) = scope_clause(scope, "lab_id", 2);
    let sql = format!("SELECT {COLS} FROM people WHERE id = $1 AND {clause}");
    let q = bind_each(crate::dynamic(sql).bind(id.to_string()), labs);
    optional(c, q).await
}

/// The woman of a lab with this phone (E.164) or e-mail (lower-cased), the oldest record first.
pub async fn by_contact(
    c: &mut AnyConnection,
    lab: LabId,
    contact: &str,
) -> Result<Option<PersonId>> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM people WHERE lab_id = $1 AND (phone = $2 OR LOWER(email) = $2)
         ORDER BY created_at LIMIT 1",
    )
    .bind(lab.to_string())
    .bind(contact)
    .fetch_optional(c)
    .await?;
    id.map(|s| {
        s.parse()
            .map_err(|_| crate::StoreError::Corrupt(format!("people.id {s}")))
    })
    .transpose()
}

#[derive(Debug, Clone, Default)]
pub struct Search {
    pub lab: Option<LabId>,
    /// Free text: every word must appear in the name (any spelling) or the phone.
    pub text: String,
    pub limit: i64,
    pub offset: i64,
}

/// People in scope whose names match every word of the query, newest first. A woman who has
/// withdrawn her consent, or was erased, is not found (see [`search_among`]).
pub async fn search(c: &mut AnyConnection, scope: &LabScope, s: &Search) -> Result<Vec<Person>> {
    search_among(c, scope, s, &[]).await
}

/// [`search`], where a woman who has withdrawn her consent is still found by the coordinators of
/// her lab (`withdrawn_visible_in`: the labs the caller coordinates); an erased one never is.
pub async fn search_among(
    c: &mut AnyConnection,
    scope: &LabScope,
    s: &Search,
    withdrawn_visible_in: &[LabId],
) -> Result<Vec<Person>> {
    let mut params: Vec<String> = vec![];
    let mut wheres: Vec<String> = vec![];
    let (clause, labs) = scope_clause(scope, "lab_id", 1);
    wheres.push(clause);
    params.extend(labs);
    let mut own = vec![];
    for lab in withdrawn_visible_in {
        params.push(lab.to_string());
        own.push(format!("${}", params.len()));
    }
    let visible = crate::rights::visible_clause("people");
    if own.is_empty() {
        wheres.push(visible);
    } else {
        wheres.push(format!(
            "({visible} OR (lab_id IN ({}) AND NOT EXISTS (SELECT 1 FROM erasures x WHERE x.entity = 'person' AND x.entity_id = people.id)))",
            own.join(", ")
        ));
    }
    if let Some(lab) = s.lab {
        params.push(lab.to_string());
        wheres.push(format!("lab_id = ${}", params.len()));
    }
    let digits: String = s.text.chars().filter(char::is_ascii_digit).collect();
    let looks_like_phone = digits.len() >= 4
        && s.text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if looks_like_phone {
        // Match the last digits as typed: "0555 12 34" finds +996555123456.
        let tail = digits.trim_start_matches('0');
        params.push(format!("%{tail}%"));
        wheres.push(format!("phone LIKE ${}", params.len()));
    } else {
        // Each word is looked up in the trigram index of the keys (0028_people_search): on
        // PostgreSQL pg_trgm serves `LIKE` on the column itself; on SQLite the FTS5 table does,
        // for a word of three letters or more (a shorter one is looked for in the keys).
        let fts = c.backend_name().eq_ignore_ascii_case("sqlite");
        for word in domain::names::search_key(&s.text).split(' ') {
            if word.is_empty() {
                continue;
            }
            params.push(format!("%{word}%"));
            let n = params.len();
            wheres.push(if fts && word.chars().count() >= 3 {
                format!("id IN (SELECT person_id FROM people_search WHERE search_key LIKE ${n})")
            } else {
                format!("search_key LIKE ${n}")
            });
        }
    }
    let limit = if s.limit <= 0 { 50 } else { s.limit.min(500) };
    let sql = format!(
        "SELECT {COLS} FROM people WHERE {} ORDER BY created_at DESC, id LIMIT {limit} OFFSET {}",
        wheres.join(" AND "),
        s.offset.max(0)
    );
    let q = bind_each(crate::dynamic(sql), params);
    all(c, q).await
}

/// People in scope who may be the same woman: the same phone, or the same name (any spelling,
/// any order) with a birth year no more than one year apart (or unknown).
pub async fn likely_duplicates(
    c: &mut AnyConnection,
    scope: &LabScope,
    f: &PersonFields,
) -> Result<Vec<Person>> {
    let key_a = domain::names::search_key(&format!("{} {}", f.family_name, f.given_name));
    let key_b = domain::names::search_key(&format!("{} {}", f.given_name, f.family_name));
    let (clause, labs) = scope_clause(scope, "lab_id", 4);
    let sql = format!(
        "SELECT {COLS} FROM people WHERE {clause} AND ((phone IS NOT NULL AND phone = $1) OR search_key LIKE $2 OR search_key LIKE $3) ORDER BY created_at LIMIT 20"
    );
    let q = bind_each(
        crate::dynamic(sql)
            .bind(f.phone.clone().unwrap_or_else(|| "-".into()))
            .bind(format!("{key_a}%"))
            .bind(format!("{key_b}%")),
        labs,
    );
    let found: Vec<Person> = q
        .fetch_all(c)
        .await?
        .iter()
        .map(Person::from_row)
        .collect::<Result<_>>()?;
    Ok(found
        .into_iter()
        .filter(|p| {
            p.phone.is_some() && p.phone == f.phone
                || match (p.birth_year, f.birth_year) {
                    (Some(a), Some(b)) => (a - b).abs() <= 1,
                    _ => true,
                }
        })
        .collect())
}

pub async fn count_in_lab(c: &mut AnyConnection, lab: LabId) -> Result<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM people WHERE lab_id = $1")
        .bind(lab.to_string())
        .fetch_one(c)
        .await?;
    int(&r, "n")
}

#[derive(Debug, Clone, Serialize)]
pub struct Consent {
    pub id: ConsentId,
    pub person_id: PersonId,
    pub version: String,
    pub legal_basis: String,
    pub language: String,
    pub given_on: NaiveDate,
    pub recorded_by: Option<UserId>,
    pub recorded_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

pub async fn add_consent(
    c: &mut AnyConnection,
    person: PersonId,
    version: &str,
    legal_basis: &str,
    language: &str,
    given_on: NaiveDate,
    recorded_by: Option<UserId>,
) -> Result<ConsentId> {
    let id = ConsentId::new();
    sqlx::query(
        "INSERT INTO consents (id, person_id, version, legal_basis, language, given_on, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.to_string())
    .bind(person.to_string())
    .bind(version)
    .bind(legal_basis)
    .bind(language)
    .bind(given_on.to_string())
    .bind(recorded_by.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await?;
    Ok(id)
}

pub async fn consents(c: &mut AnyConnection, person: PersonId) -> Result<Vec<Consent>> {
    all(c, sqlx::query(
        "SELECT c.id, c.person_id, c.version, c.legal_basis, c.language, c.given_on, c.recorded_by, u.display_name,
                c.created_at, c.withdrawn_at
         FROM consents c LEFT JOIN users u ON u.id = c.recorded_by
         WHERE c.person_id = $1 ORDER BY c.created_at DESC",
    )
    .bind(person.to_string())).await
}

from_row! {
    Consent |r| id, person_id, version, legal_basis, language, given_on, recorded_by,
    recorded_by_name = "display_name", created_at, withdrawn_at
}

/// Marks a consent withdrawn; false if it was already withdrawn or is not hers.
pub async fn withdraw_consent(
    c: &mut AnyConnection,
    person: PersonId,
    consent: ConsentId,
    by: Option<UserId>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE consents SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3 AND person_id = $4 AND withdrawn_at IS NULL",
    )
    .bind(now())
    .bind(by.map(|u| u.to_string()))
    .bind(consent.to_string())
    .bind(person.to_string())
    .execute(c)
    .await?;
    Ok(r.rows_affected() > 0)
}
