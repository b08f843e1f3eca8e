//! State changes: each one checks the policy, validates its input into domain values, runs in
//! one transaction and writes its audit row there. Pages and the API both call these.
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use chrono::NaiveDate;
use domain::{
    Action, Actor, CohortId, ConsentId, FamilySupport, Gender, LabId, LabRole, Language,
    LegalBasis, Money, Occupation, OrgId, OrgKind, PartnerRole, PersonId, PersonName, Phone,
    ResidencyId, ResidencyStatus, Settlement, Skill, UserId, names,
};
use serde::Deserialize;
use store::people::{Person, PersonFields};
use store::{Store, audit};

pub mod accounts;
pub mod events;
pub mod grants;
pub mod impact;
pub mod labs;
pub mod mentoring;
pub mod support;
pub mod surveys;
pub mod training;

pub(crate) fn entry<'a>(
    actor: &Actor,
    action: &'a str,
    entity: &'a str,
    id: impl ToString,
    lab: Option<LabId>,
) -> audit::Entry<'a> {
    audit::Entry {
        actor: actor.user_id,
        action,
        entity,
        entity_id: Some(id.to_string()),
        lab,
        detail: String::new(),
    }
}

/// A whole number typed in `field`, within `range`; otherwise the error `key` on that field.
pub(crate) fn number(
    field: &str,
    s: &str,
    range: std::ops::RangeInclusive<i64>,
    key: &str,
    errs: &mut Vec<(String, String)>,
) -> Option<i64> {
    let n = s.trim().parse::<i64>().ok().filter(|n| range.contains(n));
    if n.is_none() {
        errs.push((field.into(), key.into()));
    }
    n
}

/// The caller must be signed in: anyone else is sent to sign in (pages) or answered 401 (API).
pub(crate) fn signed_in(actor: &Actor) -> AppResult<domain::UserId> {
    actor.user_id.ok_or(AppError::SignIn)
}

/// Like `Ctx::require`: signed in, and allowed `action`; otherwise 404.
pub(crate) fn allow(actor: &Actor, action: domain::Action) -> AppResult<()> {
    signed_in(actor)?;
    if actor.allows(action) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Records a write's audit row and commits the write with it.
pub(crate) async fn commit(mut tx: store::Tx, e: audit::Entry<'_>) -> AppResult<()> {
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// A person's fields as typed in a form (or sent by the API), all text until validated.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PersonInput {
    pub family_name: String,
    pub given_name: String,
    pub patronymic: String,
    pub name_latin: String,
    pub phone: String,
    pub email: String,
    pub birth_year: String,
    pub gender: String,
    pub region: String,
    pub district: String,
    pub locality: String,
    pub settlement: String,
    pub languages: Vec<String>,
    pub occupation: String,
    pub family_support: String,
    pub skills: Vec<String>,
    pub aims: String,
    pub monthly_income: String,
}

impl PersonInput {
    pub fn from_person(p: &Person) -> Self {
        Self {
            family_name: p.family_name.clone(),
            given_name: p.given_name.clone(),
            patronymic: p.patronymic.clone(),
            name_latin: p.name_latin.clone(),
            phone: p.phone.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            birth_year: p.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            gender: p.gender.clone(),
            region: p.region.clone(),
            district: p.district.clone(),
            locality: p.locality.clone(),
            settlement: p.settlement.clone().unwrap_or_default(),
            languages: p.languages.clone(),
            occupation: p.occupation.clone().unwrap_or_default(),
            family_support: p.family_support.clone(),
            skills: p.skills.clone(),
            aims: p.aims.clone(),
            monthly_income: p
                .monthly_income
                .map(|m| Money(m).som_plain())
                .unwrap_or_default(),
        }
    }
}

pub(crate) fn limit(
    field: &'static str,
    s: &str,
    max: usize,
    errs: &mut Vec<(String, String)>,
) -> String {
    let c = names::clean(s);
    if c.chars().count() > max {
        errs.push((field.into(), "err-too-long".into()));
    }
    c
}

/// Validates every field at once, so the form shows all problems together.
pub fn validate_person(
    input: &PersonInput,
    require_phone: bool,
) -> Result<PersonFields, Vec<(String, String)>> {
    let mut errs: Vec<(String, String)> = vec![];
    let mut push = |e: domain::Invalid| errs.push((e.field.to_string(), e.key.to_string()));
    let family = PersonName::parse("family_name", &input.family_name)
        .map_err(&mut push)
        .ok();
    let given = PersonName::parse("given_name", &input.given_name)
        .map_err(&mut push)
        .ok();
    let patronymic = if input.patronymic.trim().is_empty() {
        Some(String::new())
    } else {
        PersonName::parse("patronymic", &input.patronymic)
            .map(|n| n.as_str().to_string())
            .map_err(&mut push)
            .ok()
    };
    let phone = if input.phone.trim().is_empty() {
        if require_phone {
            push(domain::Invalid::new("phone", "err-required"));
        }
        None
    } else {
        Phone::parse(&input.phone).map_err(&mut push).ok()
    };
    let email = domain::parse_email(&input.email)
        .map_err(&mut push)
        .ok()
        .flatten();
    let birth_year =
        domain::parse_birth_year(&input.birth_year, domain::time::today().year_ce().1 as i32)
            .map_err(&mut push)
            .ok()
            .flatten();
    let gender = if input.gender.is_empty() {
        Some(Gender::Woman)
    } else {
        Gender::parse(&input.gender).or_else(|| {
            push(domain::Invalid::new("gender", "err-choice"));
            None
        })
    };
    let settlement = if input.settlement.is_empty() {
        None
    } else {
        let s = Settlement::parse(&input.settlement);
        if s.is_none() {
            push(domain::Invalid::new("settlement", "err-choice"));
        }
        s
    };
    let occupation = if input.occupation.is_empty() {
        None
    } else {
        let o = Occupation::parse(&input.occupation);
        if o.is_none() {
            push(domain::Invalid::new("occupation", "err-choice"));
        }
        o
    };
    let family_support = if input.family_support.is_empty() {
        FamilySupport::Unknown
    } else {
        FamilySupport::parse(&input.family_support).unwrap_or_else(|| {
            push(domain::Invalid::new("family_support", "err-choice"));
            FamilySupport::Unknown
        })
    };
    if !input.region.is_empty() && !domain::REGIONS.contains(&input.region.as_str()) {
        push(domain::Invalid::new("region", "err-choice"));
    }
    let mut languages = vec![];
    for l in &input.languages {
        match Language::parse(l) {
            Some(l) if !languages.contains(&l.code().to_string()) => {
                languages.push(l.code().to_string())
            }
            Some(_) => {}
            None => push(domain::Invalid::new("languages", "err-choice")),
        }
    }
    let mut skills = vec![];
    for s in &input.skills {
        match Skill::parse(s) {
            Some(s) if !skills.contains(&s.code().to_string()) => skills.push(s.code().to_string()),
            Some(_) => {}
            None => push(domain::Invalid::new("skills", "err-choice")),
        }
    }
    let income = Money::parse_som("monthly_income", &input.monthly_income)
        .map_err(&mut push)
        .ok()
        .flatten();
    let district = limit("district", &input.district, 100, &mut errs);
    let locality = limit("locality", &input.locality, 100, &mut errs);
    let aims = input.aims.trim().to_string();
    if aims.chars().count() > 2000 {
        errs.push(("aims".into(), "err-too-long".into()));
    }
    let latin_typed = limit("name_latin", &input.name_latin, 200, &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    let (family, given) = (family.expect("checked"), given.expect("checked"));
    let name_latin = if latin_typed.is_empty() {
        names::transliterate(&format!("{} {}", family.as_str(), given.as_str()))
    } else {
        latin_typed
    };
    Ok(PersonFields {
        family_name: family.as_str().to_string(),
        given_name: given.as_str().to_string(),
        patronymic: patronymic.unwrap_or_default(),
        name_latin,
        phone: phone.map(|p| p.as_str().to_string()),
        email,
        birth_year,
        gender: gender.unwrap_or(Gender::Woman).code().to_string(),
        region: input.region.clone(),
        district,
        locality,
        settlement: settlement.map(|s| s.code().to_string()),
        languages,
        occupation: occupation.map(|o| o.code().to_string()),
        family_support: family_support.code().to_string(),
        skills,
        aims,
        monthly_income: income.map(|m| m.0),
    })
}

use chrono::Datelike;

/// The consent a coordinator records with her, or she gives on the public form.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ConsentInput {
    /// "on" when the box is ticked.
    pub consent: String,
    pub legal_basis: String,
    pub consent_language: String,
    pub consent_date: String,
}

pub struct ValidConsent {
    legal_basis: LegalBasis,
    language: Lang,
    given_on: NaiveDate,
}

pub fn validate_consent(
    c: &ConsentInput,
    page_lang: Lang,
) -> Result<ValidConsent, Vec<(String, String)>> {
    let mut errs = vec![];
    if c.consent != "on" && c.consent != "true" {
        errs.push(("consent".to_string(), "err-consent-required".to_string()));
    }
    let legal_basis = if c.legal_basis.is_empty() {
        LegalBasis::Consent
    } else {
        LegalBasis::parse(&c.legal_basis).unwrap_or_else(|| {
            errs.push(("legal_basis".into(), "err-choice".into()));
            LegalBasis::Consent
        })
    };
    let language = if c.consent_language.is_empty() {
        page_lang
    } else {
        Lang::parse(&c.consent_language).unwrap_or(page_lang)
    };
    let given_on = if c.consent_date.trim().is_empty() {
        domain::time::today()
    } else {
        match domain::time::parse_date(&c.consent_date) {
            Some(d) if d <= domain::time::today() => d,
            _ => {
                errs.push(("consent_date".into(), "err-date".into()));
                domain::time::today()
            }
        }
    };
    if errs.is_empty() {
        Ok(ValidConsent {
            legal_basis,
            language,
            given_on,
        })
    } else {
        Err(errs)
    }
}

pub enum RegisterOutcome {
    Created(PersonId),
    /// Possible duplicates to show before saving; the coordinator confirms to go on.
    Duplicates(Vec<Person>),
}

/// Assisted registration: a coordinator records a woman, her consent and an open residency.
#[allow(clippy::too_many_arguments)] // one call site per caller (page, API, tests); a struct would only rename them
pub async fn register_person(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    input: &PersonInput,
    consent: &ConsentInput,
    status: ResidencyStatus,
    confirmed_not_duplicate: bool,
    page_lang: Lang,
) -> AppResult<RegisterOutcome> {
    if !actor.allows(Action::ManagePeople(lab)) {
        return Err(AppError::NotFound);
    }
    let fields = validate_person(input, false);
    let consent = validate_consent(consent, page_lang);
    let status_ok = matches!(
        status,
        ResidencyStatus::Applied | ResidencyStatus::Accepted | ResidencyStatus::Active
    );
    let (fields, consent) = match (fields, consent) {
        (Ok(f), Ok(c)) if status_ok => (f, c),
        (f, c) => {
            let mut errs = f.err().unwrap_or_default();
            errs.extend(c.err().unwrap_or_default());
            if !status_ok {
                errs.push(("status".into(), "err-choice".into()));
            }
            return Err(AppError::Invalid(errs));
        }
    };
    let mut tx = store.begin().await?;
    if !confirmed_not_duplicate {
        let dups =
            store::people::likely_duplicates(&mut tx, &actor.people_scope(), &fields).await?;
        if !dups.is_empty() {
            return Ok(RegisterOutcome::Duplicates(dups));
        }
    }
    let id = store::people::insert(&mut tx, lab, &fields, actor.user_id).await?;
    store::people::add_consent(
        &mut tx,
        id,
        domain::CONSENT_VERSION,
        consent.legal_basis.code(),
        consent.language.code(),
        consent.given_on,
        actor.user_id,
    )
    .await?;
    let rid = store::residency::open(
        &mut tx,
        id,
        lab,
        ResidencyStatus::Applied,
        "",
        "assisted",
        actor.user_id,
    )
    .await?;
    // Registering someone already accepted or active walks the path so the history is whole.
    let mut at = ResidencyStatus::Applied;
    for step in [ResidencyStatus::Accepted, ResidencyStatus::Active] {
        if at == status {
            break;
        }
        store::residency::transition(&mut tx, rid, at, step, actor.user_id, "").await?;
        at = step;
    }
    audit::record(
        &mut tx,
        entry(actor, "person.create", "person", id, Some(lab)),
    )
    .await?;
    tx.commit().await?;
    Ok(RegisterOutcome::Created(id))
}

/// Public application: she fills the form herself; phone required so the lab can call back.
pub async fn apply(
    store: &Store,
    lab_slug: &str,
    input: &PersonInput,
    motivation: &str,
    consent: &ConsentInput,
    page_lang: Lang,
) -> AppResult<PersonId> {
    let mut tx = store.begin().await?;
    let lab = store::labs::lab_by_slug(&mut tx, lab_slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !lab.accepting_applications {
        return Err(AppError::BadRequest("err-not-accepting"));
    }
    let fields = validate_person(input, true);
    let consent = validate_consent(consent, page_lang);
    let motivation = motivation.trim();
    let mut errs = vec![];
    if motivation.chars().count() > 2000 {
        errs.push(("motivation".to_string(), "err-too-long".to_string()));
    }
    let (fields, consent) = match (fields, consent) {
        (Ok(f), Ok(c)) if errs.is_empty() => (f, c),
        (f, c) => {
            errs.extend(f.err().unwrap_or_default());
            errs.extend(c.err().unwrap_or_default());
            return Err(AppError::Invalid(errs));
        }
    };
    // The same phone applying again to the same lab joins her existing record.
    let same =
        store::people::likely_duplicates(&mut tx, &domain::LabScope::Only(vec![lab.id]), &fields)
            .await?
            .into_iter()
            .find(|p| p.phone.is_some() && p.phone == fields.phone);
    let id = match same {
        Some(p) => p.id,
        None => store::people::insert(&mut tx, lab.id, &fields, None).await?,
    };
    store::people::add_consent(
        &mut tx,
        id,
        domain::CONSENT_VERSION,
        consent.legal_basis.code(),
        consent.language.code(),
        consent.given_on,
        None,
    )
    .await?;
    store::residency::open(
        &mut tx,
        id,
        lab.id,
        ResidencyStatus::Applied,
        motivation,
        "self",
        None,
    )
    .await?;
    audit::record(
        &mut tx,
        entry(
            &Actor::anonymous(),
            "residency.apply",
            "person",
            id,
            Some(lab.id),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Reads a person for a staff member, writing the audit row for the read.
pub async fn read_person(store: &Store, actor: &Actor, id: PersonId) -> AppResult<Person> {
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &actor.people_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        entry(actor, "person.read", "person", id, Some(p.lab_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_person(
    store: &Store,
    actor: &Actor,
    id: PersonId,
    input: &PersonInput,
) -> AppResult<()> {
    let fields = validate_person(input, false).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &actor.people_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::people::update(&mut tx, &actor.people_scope(), id, &fields).await?;
    audit::record(
        &mut tx,
        entry(actor, "person.update", "person", id, Some(p.lab_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a resident may change about herself.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OwnProfileInput {
    pub phone: String,
    pub email: String,
    pub district: String,
    pub locality: String,
    pub languages: Vec<String>,
    pub skills: Vec<String>,
    pub aims: String,
}

pub async fn update_own_profile(
    store: &Store,
    actor: &Actor,
    input: &OwnProfileInput,
) -> AppResult<()> {
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    if !actor.allows(Action::OwnProfile(me)) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &domain::LabScope::All, me)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut full = PersonInput::from_person(&p);
    full.phone = input.phone.clone();
    full.email = input.email.clone();
    full.district = input.district.clone();
    full.locality = input.locality.clone();
    full.languages = input.languages.clone();
    full.skills = input.skills.clone();
    full.aims = input.aims.clone();
    let fields = validate_person(&full, true).map_err(AppError::Invalid)?;
    store::people::update(&mut tx, &domain::LabScope::All, me, &fields).await?;
    audit::record(
        &mut tx,
        entry(actor, "person.update-own", "person", me, Some(p.lab_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn withdraw_consent(
    store: &Store,
    actor: &Actor,
    person: PersonId,
    consent: ConsentId,
) -> AppResult<()> {
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &actor.people_scope(), person).await?;
    let lab = match p {
        Some(p) => Some(p.lab_id),
        None if actor.allows(Action::OwnProfile(person)) => None,
        None => return Err(AppError::NotFound),
    };
    if !store::people::withdraw_consent(&mut tx, person, consent, actor.user_id).await? {
        return Err(AppError::Conflict("err-consent-withdrawn"));
    }
    audit::record(
        &mut tx,
        entry(actor, "consent.withdraw", "person", person, lab),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn transition_residency(
    store: &Store,
    actor: &Actor,
    id: ResidencyId,
    to: ResidencyStatus,
    note: &str,
) -> AppResult<()> {
    let mut tx = store.begin().await?;
    let scope = actor.scope_for(Action::ManageResidency);
    let r = store::residency::get_scoped(&mut tx, &scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !r.status.can_become(to) {
        return Err(AppError::Conflict("err-transition"));
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::Invalid(vec![(
            "note".into(),
            "err-too-long".into(),
        )]));
    }
    if !store::residency::transition(&mut tx, id, r.status, to, actor.user_id, note).await? {
        return Err(AppError::Conflict("err-transition"));
    }
    let mut e = entry(
        actor,
        "residency.transition",
        "residency",
        id,
        Some(r.lab_id),
    );
    e.detail = format!("{}->{}", r.status.code(), to.code());
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_cohort(
    store: &Store,
    actor: &Actor,
    id: ResidencyId,
    cohort: Option<CohortId>,
) -> AppResult<()> {
    let mut tx = store.begin().await?;
    let r = store::residency::get_scoped(&mut tx, &actor.scope_for(Action::ManageResidency), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(cid) = cohort {
        let c = store::residency::cohort(&mut tx, cid).await?;
        if c.is_none_or(|c| c.lab_id != r.lab_id) {
            return Err(AppError::Invalid(vec![(
                "cohort".into(),
                "err-choice".into(),
            )]));
        }
    }
    store::residency::set_cohort(&mut tx, id, cohort).await?;
    audit::record(
        &mut tx,
        entry(actor, "residency.cohort", "residency", id, Some(r.lab_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CohortInput {
    pub name: String,
    /// `YYYY-MM-DD` or `DD.MM.YYYY`.
    pub starts_on: String,
    pub ends_on: String,
}

pub async fn create_cohort(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    input: &CohortInput,
) -> AppResult<CohortId> {
    if !actor.allows(Action::ManageResidency(lab)) {
        return Err(AppError::NotFound);
    }
    let mut errs = vec![];
    let name = names::clean(&input.name);
    if name.is_empty() || name.chars().count() > 80 {
        errs.push((
            "name".to_string(),
            if name.is_empty() {
                "err-required"
            } else {
                "err-too-long"
            }
            .to_string(),
        ));
    }
    let starts = domain::time::parse_date(&input.starts_on);
    let ends = domain::time::parse_date(&input.ends_on);
    if starts.is_none() {
        errs.push(("starts_on".into(), "err-date".into()));
    }
    if ends.is_none() {
        errs.push(("ends_on".into(), "err-date".into()));
    }
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errs.push(("ends_on".into(), "err-date-order".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = store::residency::insert_cohort(
        &mut tx,
        lab,
        &name,
        starts.expect("checked"),
        ends.expect("checked"),
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(k) => AppError::Invalid(vec![("name".into(), k.into())]),
        other => other,
    })?;
    audit::record(
        &mut tx,
        entry(actor, "cohort.create", "cohort", id, Some(lab)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LabInput {
    pub slug: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub region: String,
    pub locality: String,
    pub address: String,
    pub latitude: String,
    pub longitude: String,
    pub hours: String,
    pub opened_on: String,
}

pub async fn create_lab(store: &Store, actor: &Actor, input: &LabInput) -> AppResult<LabId> {
    if !actor.allows(Action::ManageNetwork) {
        return Err(AppError::NotFound);
    }
    let mut errs: Vec<(String, String)> = vec![];
    let slug = domain::Slug::parse(&input.slug)
        .map_err(|e| errs.push((e.field.into(), e.key.into())))
        .ok();
    let mut text = |field: &'static str, v: &str, required: bool| {
        let c = names::clean(v);
        if required && c.is_empty() {
            errs.push((field.into(), "err-required".into()));
        } else if c.chars().count() > 200 {
            errs.push((field.into(), "err-too-long".into()));
        }
        c
    };
    let name_ky = text("name_ky", &input.name_ky, true);
    let name_ru = text("name_ru", &input.name_ru, true);
    let name_en = text("name_en", &input.name_en, true);
    let locality = text("locality", &input.locality, true);
    let address = text("address", &input.address, false);
    let hours = text("hours", &input.hours, false);
    if !domain::REGIONS.contains(&input.region.as_str()) {
        errs.push(("region".into(), "err-choice".into()));
    }
    let coord =
        |field: &'static str, v: &str, max: f64, errs: &mut Vec<(String, String)>| -> Option<f64> {
            let v = v.trim().replace(',', ".");
            if v.is_empty() {
                return None;
            }
            match v.parse::<f64>() {
                Ok(x) if x.abs() <= max => Some(x),
                _ => {
                    errs.push((field.into(), "err-coordinate".into()));
                    None
                }
            }
        };
    let latitude = coord("latitude", &input.latitude, 90.0, &mut errs);
    let longitude = coord("longitude", &input.longitude, 180.0, &mut errs);
    let opened_on = if input.opened_on.trim().is_empty() {
        None
    } else {
        let d = domain::time::parse_date(&input.opened_on);
        if d.is_none() {
            errs.push(("opened_on".into(), "err-date".into()));
        }
        d
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let new = store::labs::NewLab {
        slug: slug.expect("checked").as_str().to_string(),
        name_ky,
        name_ru,
        name_en,
        region: input.region.clone(),
        locality,
        address,
        latitude,
        longitude,
        hours,
        opened_on,
    };
    let mut tx = store.begin().await?;
    let id = store::labs::insert_lab(&mut tx, &new)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(k) => AppError::Invalid(vec![("slug".into(), k.into())]),
            other => other,
        })?;
    audit::record(&mut tx, entry(actor, "lab.create", "lab", id, Some(id))).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OrgInput {
    pub name: String,
    /// One of: foundation, local-administration, ngo, business, international, education.
    pub kind: String,
    pub website: String,
}

pub async fn create_org(store: &Store, actor: &Actor, input: &OrgInput) -> AppResult<OrgId> {
    if !actor.allows(Action::ManageNetwork) {
        return Err(AppError::NotFound);
    }
    let mut errs: Vec<(String, String)> = vec![];
    let name = names::clean(&input.name);
    if name.is_empty() {
        errs.push(("name".into(), "err-required".into()));
    } else if name.chars().count() > 200 {
        errs.push(("name".into(), "err-too-long".into()));
    }
    let kind = OrgKind::parse(&input.kind);
    if kind.is_none() {
        errs.push(("kind".into(), "err-choice".into()));
    }
    let website = input.website.trim().to_string();
    if !(website.is_empty() || website.starts_with("https://") || website.starts_with("http://"))
        || website.len() > 300
    {
        errs.push(("website".into(), "err-url".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = store::labs::insert_org(&mut tx, &name, kind.expect("checked"), &website)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(k) => AppError::Invalid(vec![("name".into(), k.into())]),
            other => other,
        })?;
    audit::record(
        &mut tx,
        entry(actor, "org.create", "organisation", id, None),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn add_partner(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    org: &str,
    role: &str,
) -> AppResult<()> {
    if !actor.allows(Action::ManageNetwork) {
        return Err(AppError::NotFound);
    }
    let role = PartnerRole::parse(role).ok_or(AppError::Invalid(vec![(
        "role".into(),
        "err-choice".into(),
    )]))?;
    let org: OrgId = org
        .parse()
        .map_err(|_| AppError::Invalid(vec![("org".into(), "err-choice".into())]))?;
    let mut tx = store.begin().await?;
    store::labs::org(&mut tx, org)
        .await?
        .ok_or(AppError::Invalid(vec![("org".into(), "err-choice".into())]))?;
    store::labs::add_partner(&mut tx, lab, org, role).await?;
    let mut e = entry(actor, "partner.add", "lab", lab, Some(lab));
    e.detail = format!("{org}:{}", role.code());
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_partner(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    org: OrgId,
    role: PartnerRole,
) -> AppResult<()> {
    if !actor.allows(Action::ManageNetwork) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    if !store::labs::remove_partner(&mut tx, lab, org, role).await? {
        return Err(AppError::NotFound);
    }
    let mut e = entry(actor, "partner.remove", "lab", lab, Some(lab));
    e.detail = format!("{org}:{}", role.code());
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StaffInput {
    pub login: String,
    pub display_name: String,
    pub password: String,
    /// admin, coordinator, mentor or case-worker
    pub role: String,
    pub lab: String,
}

pub const MIN_PASSWORD: usize = 10;

/// Creates an account (staff, or a resident linked to her person record by the CLI).
#[allow(clippy::too_many_arguments)] // the CLI, the admin page and tests each fill every argument
pub async fn create_account(
    store: &Store,
    actor: Option<&Actor>,
    login: &str,
    display_name: &str,
    password: &str,
    role: domain::Role,
    lab: Option<LabId>,
    person: Option<PersonId>,
) -> AppResult<UserId> {
    if let Some(a) = actor
        && !a.allows(Action::ManageNetwork)
    {
        return Err(AppError::NotFound);
    }
    let mut errs: Vec<(String, String)> = vec![];
    let login_norm = store::users::normalise_login(login);
    let login_ok = domain::parse_email(&login_norm).ok().flatten().is_some()
        || Phone::parse(&login_norm).is_ok_and(|p| p.as_str() == login_norm);
    if !login_ok {
        errs.push(("login".into(), "err-login-format".into()));
    }
    let name = names::clean(display_name);
    if name.is_empty() || name.chars().count() > 120 {
        errs.push(("display_name".into(), "err-required".into()));
    }
    if password.chars().count() < MIN_PASSWORD {
        errs.push(("password".into(), "err-password-short".into()));
    }
    if matches!(role, domain::Role::Lab(_)) && lab.is_none() {
        errs.push(("lab".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let pw = password.to_string();
    let hash = tokio::task::spawn_blocking(move || crate::secrets::hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let mut tx = store.begin().await?;
    let id = store::users::insert(
        &mut tx,
        &login_norm,
        &name,
        &hash,
        role == domain::Role::Admin,
        person,
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(k) => AppError::Invalid(vec![("login".into(), k.into())]),
        other => other,
    })?;
    if let (domain::Role::Lab(r), Some(lab)) = (role, lab) {
        store::users::grant(&mut tx, id, lab, r).await?;
    }
    let system = Actor::anonymous();
    let mut e = entry(actor.unwrap_or(&system), "user.create", "user", id, lab);
    e.detail = match role {
        domain::Role::Admin => "admin".into(),
        domain::Role::Resident => "resident".into(),
        domain::Role::Lab(r) => r.code().into(),
    };
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn grant_role(
    store: &Store,
    actor: &Actor,
    user: UserId,
    lab: LabId,
    role: LabRole,
) -> AppResult<()> {
    if !actor.allows(Action::ManageNetwork) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let u = store::users::by_id(&mut tx, user)
        .await?
        .ok_or(AppError::Invalid(vec![(
            "user".into(),
            "err-choice".into(),
        )]))?;
    if u.person_id.is_some() {
        return Err(AppError::Invalid(vec![(
            "user".into(),
            "err-choice".into(),
        )]));
    }
    store::users::grant(&mut tx, user, lab, role).await?;
    let mut e = entry(actor, "role.grant", "user", user, Some(lab));
    e.detail = role.code().into();
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke_role(
    store: &Store,
    actor: &Actor,
    user: UserId,
    lab: LabId,
    role: LabRole,
) -> AppResult<()> {
    if !actor.allows(Action::ManageNetwork) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    if !store::users::revoke(&mut tx, user, lab, role).await? {
        return Err(AppError::NotFound);
    }
    let mut e = entry(actor, "role.revoke", "user", user, Some(lab));
    e.detail = role.code().into();
    audit::record(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// Issues an API token; only its hash is stored, the token itself is shown once.
pub async fn issue_token(store: &Store, user: &store::users::User) -> AppResult<String> {
    let token = format!("wcl_{}", crate::secrets::random_token(32));
    let mut tx = store.begin().await?;
    let id =
        store::users::insert_token(&mut tx, user.id, &crate::secrets::sha256_hex(&token)).await?;
    let actor = Actor {
        user_id: Some(user.id),
        ..Actor::default()
    };
    audit::record(&mut tx, entry(&actor, "token.issue", "token", id, None)).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke_token(store: &Store, actor: &Actor, token: &str) -> AppResult<()> {
    let mut tx = store.begin().await?;
    if !store::users::revoke_token(&mut tx, &crate::secrets::sha256_hex(token)).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        audit::Entry {
            actor: actor.user_id,
            action: "token.revoke",
            entity: "token",
            entity_id: None,
            lab: None,
            detail: String::new(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
