//! People: registration (assisted, and the public application), consent, a person's record as
//! staff read it, her own profile, and moving residencies along.
use super::base::{allow, entry, invalid, limit};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use domain::{
    Action, Actor, CohortId, ConsentId, FamilySupport, Gender, LabId, Language, LegalBasis, Money,
    Occupation, PersonId, PersonName, Phone, ResidencyId, ResidencyStatus, Settlement, Skill,
    UserId, names,
};
use serde::Deserialize;
use store::labs::Lab;
use store::people::{Consent, Person, PersonFields};
use store::residency::{Cohort, Residency, Transition};
use store::{AnyConn, Store, audit};

use domain::time::DateSpan;

/// The message of a save made on a version someone else has changed since (answered 409).
pub const EDIT_CONFLICT: &str = "err-edit-conflict";

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
    /// The version of the record the form was opened on (its last change, as the store keeps
    /// it); a save onto a newer version is refused as a conflict instead of overwriting it.
    pub version: String,
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
            version: store::people::version(p),
        }
    }
}
/// An optional choice: `None` when empty; a code not in the list is a message beside `field`.
fn choice<T>(
    field: &'static str,
    v: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, domain::Invalid> {
    if v.is_empty() {
        return Ok(None);
    }
    parse(v)
        .map(Some)
        .ok_or(domain::Invalid::new(field, "err-choice"))
}

/// Codes chosen from a list, each once; each unknown one is a message beside `field`.
fn codes(
    field: &'static str,
    chosen: &[String],
    code: impl Fn(&str) -> Option<&'static str>,
    push: &mut impl FnMut(domain::Invalid),
) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for c in chosen {
        match code(c) {
            Some(c) if !out.iter().any(|o| o == c) => out.push(c.to_string()),
            Some(_) => {}
            None => push(domain::Invalid::new(field, "err-choice")),
        }
    }
    out
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
    let gender = choice("gender", &input.gender, Gender::parse)
        .map_err(&mut push)
        .ok()
        .map(|g| g.unwrap_or(Gender::Woman));
    let settlement = choice("settlement", &input.settlement, Settlement::parse)
        .map_err(&mut push)
        .ok()
        .flatten();
    let occupation = choice("occupation", &input.occupation, Occupation::parse)
        .map_err(&mut push)
        .ok()
        .flatten();
    let family_support = choice(
        "family_support",
        &input.family_support,
        FamilySupport::parse,
    )
    .map_err(&mut push)
    .ok()
    .flatten()
    .unwrap_or(FamilySupport::Unknown);
    if !input.region.is_empty() && !domain::REGIONS.contains(&input.region.as_str()) {
        push(domain::Invalid::new("region", "err-choice"));
    }
    let languages = codes(
        "languages",
        &input.languages,
        |l| Language::parse(l).map(|l| l.code()),
        &mut push,
    );
    let skills = codes(
        "skills",
        &input.skills,
        |s| Skill::parse(s).map(|s| s.code()),
        &mut push,
    );
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

impl ValidConsent {
    /// Records this consent of hers, by whoever took it (`None`: she gave it herself).
    pub(crate) async fn record(
        &self,
        c: &mut AnyConn,
        id: PersonId,
        by: Option<UserId>,
    ) -> AppResult<()> {
        let (basis, lang) = (self.legal_basis.code(), self.language.code());
        store::people::add_consent(
            c,
            id,
            domain::CONSENT_VERSION,
            basis,
            lang,
            self.given_on,
            by,
        )
        .await?;
        Ok(())
    }
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
        let today = domain::time::today();
        match domain::time::parse_date(&c.consent_date) {
            Some(d) if d <= today => {
                match domain::time::plausible("consent_date", d, DateSpan::Past, today) {
                    Ok(d) => d,
                    Err(e) => {
                        errs.push((e.field.into(), e.key.into()));
                        today
                    }
                }
            }
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
    allow(actor, Action::ManagePeople(lab))?;
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
    consent.record(&mut tx, id, actor.user_id).await?;
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
    let reach = super::messages::ReachInput::default();
    apply_reaching(
        store, lab_slug, input, motivation, consent, &reach, page_lang,
    )
    .await
}

/// [`apply`] with how she asks to be reached (channels and language), recorded with her consent.
pub async fn apply_reaching(
    store: &Store,
    lab_slug: &str,
    input: &PersonInput,
    motivation: &str,
    consent: &ConsentInput,
    reach: &super::messages::ReachInput,
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
    let reach = super::messages::validate_reach(
        reach,
        !input.phone.trim().is_empty(),
        !input.email.trim().is_empty(),
        &mut errs,
    );
    let (fields, consent) = match (fields, consent) {
        (Ok(f), Ok(c)) if errs.is_empty() => (f, c),
        (f, c) => {
            errs.extend(f.err().unwrap_or_default());
            // The form speaks to her: "your consent", not "her consent".
            errs.extend(c.err().unwrap_or_default().into_iter().map(|(f, k)| {
                let k = if k == "err-consent-required" {
                    "err-consent-required-self".to_string()
                } else {
                    k
                };
                (f, k)
            }));
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
    // Applying again while her application is open: the answer is the same as for anyone (it
    // must not tell a stranger whether a number is known); the coordinator sees it instead.
    if let Some(open) = store::residency::open_of(&mut tx, id, lab.id).await? {
        store::residency::record_repeat(&mut tx, open.id, motivation).await?;
        audit::record(
            &mut tx,
            entry(
                &Actor::anonymous(),
                "residency.apply-again",
                "residency",
                open.id,
                Some(lab.id),
            ),
        )
        .await?;
        tx.commit().await?;
        return Ok(id);
    }
    consent.record(&mut tx, id, None).await?;
    super::messages::record_reach(&mut tx, id, lab.id, &reach).await?;
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
    super::messages::notify(&mut tx, id, Some(lab.id), "application-received", &[]).await?;
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

/// The labs whose people the caller manages: the search filter and the registration form.
pub async fn my_labs(store: &Store, actor: &Actor) -> AppResult<Vec<Lab>> {
    let scope = actor.people_scope();
    let mut c = store.conn().await?;
    Ok(store::labs::list_labs(&mut c)
        .await?
        .into_iter()
        .filter(|l| scope.contains(l.id))
        .collect())
}

/// The slug of the lab a person (or residency) belongs to, among `labs`.
pub fn slug_of(labs: &[Lab], lab: LabId) -> String {
    labs.iter()
        .find(|l| l.id == lab)
        .map(|l| l.slug.clone())
        .unwrap_or_default()
}

/// People found, with the caller's labs (for the filter, and each one's lab slug).
pub struct Found {
    pub labs: Vec<Lab>,
    pub people: Vec<Person>,
}

/// Forgiving search among the people of the caller's labs; `lab` (a slug) narrows it to one.
pub async fn search(
    store: &Store,
    actor: &Actor,
    lab: &str,
    text: &str,
    limit: i64,
    offset: i64,
) -> AppResult<Found> {
    let scope = actor.people_scope();
    if scope.is_empty() {
        return Err(AppError::NotFound);
    }
    let labs = my_labs(store, actor).await?;
    let lab = match lab {
        "" => None,
        slug => Some(
            labs.iter()
                .find(|l| l.slug == slug)
                .ok_or(AppError::NotFound)?
                .id,
        ),
    };
    let mut c = store.conn().await?;
    let search = store::people::Search {
        lab,
        text: text.to_string(),
        limit,
        offset,
    };
    let own = super::rights::coordinated_labs(actor);
    let people = store::people::search_among(&mut c, &scope, &search, &own).await?;
    Ok(Found { labs, people })
}

/// A registration as a coordinator sends it (form or API).
pub struct Registration {
    /// The lab's slug; one of the caller's labs.
    pub lab: String,
    /// `None`: not a status at all (422 once the lab is known to be hers).
    pub status: Option<ResidencyStatus>,
    pub confirmed_not_duplicate: bool,
    pub person: PersonInput,
    pub consent: ConsentInput,
}

pub enum Registered {
    Created(Box<Person>),
    /// Possible duplicates to show before saving; the coordinator confirms to go on.
    Duplicates(Vec<Person>),
}

/// Assisted registration in one of the caller's labs (by its slug); answers the caller's labs
/// too, for the form shown again and the lab of each person.
pub async fn register(
    store: &Store,
    actor: &Actor,
    r: &Registration,
    page_lang: Lang,
) -> AppResult<(Vec<Lab>, Registered)> {
    let labs = my_labs(store, actor).await?;
    let lab = labs
        .iter()
        .find(|l| l.slug == r.lab)
        .ok_or(AppError::NotFound)?
        .id;
    let status = r.status.ok_or_else(|| invalid("status", "err-choice"))?;
    let outcome = register_person(
        store,
        actor,
        lab,
        &r.person,
        &r.consent,
        status,
        r.confirmed_not_duplicate,
        page_lang,
    )
    .await?;
    let registered = match outcome {
        RegisterOutcome::Duplicates(d) => Registered::Duplicates(d),
        RegisterOutcome::Created(id) => {
            let mut c = store.conn().await?;
            let p = store::people::get_scoped(&mut c, &actor.people_scope(), id).await?;
            Registered::Created(Box::new(p.ok_or(AppError::NotFound)?))
        }
    };
    Ok((labs, registered))
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

/// A residency with its history and its lab's slug.
pub struct ResidencyView {
    pub residency: Residency,
    pub history: Vec<Transition>,
    pub lab: String,
}

async fn residency_view(
    c: &mut AnyConn,
    residency: Residency,
    lab: String,
) -> AppResult<ResidencyView> {
    let history = store::residency::transitions(c, residency.id).await?;
    Ok(ResidencyView {
        residency,
        history,
        lab,
    })
}

/// Her residencies the caller may see: another lab's stays hidden unless the caller manages it.
async fn visible_residencies(
    c: &mut AnyConn,
    actor: &Actor,
    labs: &[Lab],
    id: PersonId,
) -> AppResult<Vec<ResidencyView>> {
    let scope = actor.people_scope();
    let mut out = vec![];
    for r in store::residency::of_person(c, id).await? {
        if scope.contains(r.lab_id) {
            let lab = slug_of(labs, r.lab_id);
            out.push(residency_view(c, r, lab).await?);
        }
    }
    Ok(out)
}

/// A person's record as staff see it (page and API): the read is audited once.
pub struct PersonView {
    pub person: Person,
    pub lab: Lab,
    pub consents: Vec<Consent>,
    pub residencies: Vec<ResidencyView>,
    /// Her lab's cohorts, to place a residency in one.
    pub cohorts: Vec<Cohort>,
    /// The caller may move her residencies along.
    pub manage: bool,
}

impl PersonView {
    /// A resident or alumna: she can have a showcase (which her lab's coordinators keep for
    /// her when she asks).
    pub fn maker(&self) -> bool {
        self.residencies.iter().any(|r| {
            matches!(
                r.residency.status,
                domain::ResidencyStatus::Active | domain::ResidencyStatus::Graduated
            )
        })
    }
}

pub async fn person_view(store: &Store, actor: &Actor, id: PersonId) -> AppResult<PersonView> {
    let person = read_person(store, actor, id).await?;
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let lab = labs
        .iter()
        .find(|l| l.id == person.lab_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok(PersonView {
        consents: store::people::consents(&mut c, id).await?,
        residencies: visible_residencies(&mut c, actor, &labs, id).await?,
        cohorts: store::residency::cohorts(&mut c, lab.id).await?,
        manage: actor.allows(Action::ManageResidency(lab.id)),
        person,
        lab,
    })
}

/// A person's residencies in the labs the caller manages (not an audited read of her record).
pub async fn residencies(
    store: &Store,
    actor: &Actor,
    id: PersonId,
) -> AppResult<Vec<ResidencyView>> {
    let mut c = store.conn().await?;
    store::people::get_scoped(&mut c, &actor.people_scope(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let labs = store::labs::list_labs(&mut c).await?;
    visible_residencies(&mut c, actor, &labs, id).await
}

/// Her record as the edit form starts from, with the caller's labs.
pub async fn editable(
    store: &Store,
    actor: &Actor,
    id: PersonId,
) -> AppResult<(PersonInput, Vec<Lab>)> {
    let p = {
        let mut c = store.conn().await?;
        store::people::get_scoped(&mut c, &actor.people_scope(), id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    Ok((PersonInput::from_person(&p), my_labs(store, actor).await?))
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
    // Two people editing the same record: the later save must not silently undo the earlier.
    let expected = Some(input.version.as_str()).filter(|v| !v.is_empty());
    if expected.is_some_and(|v| v != store::people::version(&p))
        || !store::people::update_checked(&mut tx, &actor.people_scope(), id, &fields, expected)
            .await?
    {
        return Err(AppError::Conflict(EDIT_CONFLICT));
    }
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
    allow(actor, Action::OwnProfile(me))?;
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

/// A resident's own record: her profile page.
pub struct OwnProfile {
    pub person: Person,
    pub lab: Option<Lab>,
    pub consents: Vec<Consent>,
    pub residencies: Vec<Residency>,
}

pub async fn own_profile(store: &Store, actor: &Actor) -> AppResult<OwnProfile> {
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    allow(actor, Action::OwnProfile(me))?;
    let mut c = store.conn().await?;
    let person = store::people::get_scoped(&mut c, &domain::LabScope::All, me)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(OwnProfile {
        lab: store::labs::lab(&mut c, person.lab_id).await?,
        consents: store::people::consents(&mut c, me).await?,
        residencies: store::residency::of_person(&mut c, me).await?,
        person,
    })
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

/// A resident withdraws one of her own consents.
pub async fn withdraw_own_consent(
    store: &Store,
    actor: &Actor,
    consent: ConsentId,
) -> AppResult<()> {
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    allow(actor, Action::OwnProfile(me))?;
    withdraw_consent(store, actor, me, consent).await
}

/// A residency the caller may move along, or 404.
async fn managed_residency(
    c: &mut AnyConn,
    actor: &Actor,
    id: ResidencyId,
) -> AppResult<Residency> {
    store::residency::get_scoped(c, &actor.scope_for(Action::ManageResidency), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Moves a residency along its path; answers it as it is now, with its history.
pub async fn transition_residency(
    store: &Store,
    actor: &Actor,
    id: ResidencyId,
    to: ResidencyStatus,
    note: &str,
) -> AppResult<ResidencyView> {
    if to == ResidencyStatus::Declined {
        // Declining asks for a reason and tells her: never a bare status change.
        let input = DeclineInput {
            reason: note.to_string(),
            ..Default::default()
        };
        return decline_residency(store, actor, id, &input).await;
    }
    let mut tx = store.begin().await?;
    let r = managed_residency(&mut tx, actor, id).await?;
    if !r.status.can_become(to) {
        return Err(AppError::Conflict("err-transition"));
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(invalid("note", "err-too-long"));
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
    if to == ResidencyStatus::Accepted {
        // She is told, in her language, over the channels she chose (sent later by the outbox).
        super::messages::notify(
            &mut tx,
            r.person_id,
            Some(r.lab_id),
            "residency-accepted",
            &[("title", r.cohort_name.clone().unwrap_or_default())],
        )
        .await?;
    }
    let now = managed_residency(&mut tx, actor, id).await?;
    let lab = store::labs::lab(&mut tx, r.lab_id).await?;
    let view = residency_view(&mut tx, now, lab.map(|l| l.slug).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(view)
}

/// Places a residency in a cohort of its lab (or none); answers whose residency it is.
pub async fn set_cohort(
    store: &Store,
    actor: &Actor,
    id: ResidencyId,
    cohort: Option<CohortId>,
) -> AppResult<PersonId> {
    let mut tx = store.begin().await?;
    let r = managed_residency(&mut tx, actor, id).await?;
    if let Some(cid) = cohort {
        let c = store::residency::cohort(&mut tx, cid).await?;
        if c.is_none_or(|c| c.lab_id != r.lab_id) {
            return Err(invalid("cohort", "err-choice"));
        }
    }
    store::residency::set_cohort(&mut tx, id, cohort).await?;
    audit::record(
        &mut tx,
        entry(actor, "residency.cohort", "residency", id, Some(r.lab_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(r.person_id)
}

/// The decline step as typed: why (kept on record), whether to tell her the reason, and for a
/// woman without email whether the coordinator has told her herself.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeclineInput {
    pub reason: String,
    /// "on": the message to her gives the reason.
    pub share_reason: String,
    /// "on": the coordinator has told her (by phone or in person).
    pub told_in_person: String,
}

/// The decline step of one application: whose it is and how she can be told.
pub struct DeclineView {
    pub residency: Residency,
    pub person_name: String,
    pub has_email: bool,
    /// She chose a channel (Telegram, SMS, email): the message goes there.
    pub has_channel: bool,
    pub phone: Option<String>,
    pub lab: Lab,
}

/// An application the caller may decline (still `applied`), or 404 / 409.
pub async fn decline_view(store: &Store, actor: &Actor, id: ResidencyId) -> AppResult<DeclineView> {
    let mut c = store.conn().await?;
    let r = managed_residency(&mut c, actor, id).await?;
    if !r.status.can_become(ResidencyStatus::Declined) {
        return Err(AppError::Conflict("err-transition"));
    }
    let p = store::people::get_scoped(&mut c, &domain::LabScope::All, r.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lab = store::labs::lab(&mut c, r.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let has_channel = super::messages::has_active_channel(&mut c, p.id).await?;
    Ok(DeclineView {
        residency: r,
        person_name: p.full_name(),
        has_email: p.email.is_some(),
        has_channel,
        phone: p.phone,
        lab,
    })
}

/// The language to write to her in: the one she gave her consent in, else the first of hers we
/// speak, else Kyrgyz.
async fn her_language(c: &mut AnyConn, p: &Person) -> AppResult<Lang> {
    let consents = store::people::consents(c, p.id).await?;
    Ok(consents
        .iter()
        .find_map(|k| Lang::parse(&k.language))
        .or_else(|| p.languages.iter().find_map(|l| Lang::parse(l)))
        .unwrap_or(Lang::Ky))
}

/// Declines an application with a reason, tells her (an email in her language when she has an
/// address; otherwise the coordinator says whether she has told her herself) and records how.
pub async fn decline_residency(
    store: &Store,
    actor: &Actor,
    id: ResidencyId,
    input: &DeclineInput,
) -> AppResult<ResidencyView> {
    let reason = input.reason.trim();
    if reason.is_empty() {
        // Still 404 for a residency the caller may not touch.
        let mut c = store.conn().await?;
        managed_residency(&mut c, actor, id).await?;
        return Err(invalid("reason", "err-required"));
    }
    if reason.chars().count() > 500 {
        return Err(invalid("reason", "err-too-long"));
    }
    let share = input.share_reason == "on";
    let mut tx = store.begin().await?;
    let r = managed_residency(&mut tx, actor, id).await?;
    let to = ResidencyStatus::Declined;
    if !r.status.can_become(to)
        || !store::residency::transition(&mut tx, id, r.status, to, actor.user_id, reason).await?
    {
        return Err(AppError::Conflict("err-transition"));
    }
    let p = store::people::get_scoped(&mut tx, &domain::LabScope::All, r.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lab = store::labs::lab(&mut tx, r.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let told = match &p.email {
        // She chose her channels: the outbox tells her over them, in her language.
        _ if super::messages::has_active_channel(&mut tx, p.id).await? => {
            let reason = if share {
                reason.to_string()
            } else {
                String::new()
            };
            super::messages::notify(
                &mut tx,
                p.id,
                Some(r.lab_id),
                "residency-declined",
                &[("reason", reason)],
            )
            .await?;
            "message"
        }
        Some(to) => {
            let lang = her_language(&mut tx, &p).await?;
            let args = [
                ("name", p.given_name.clone()),
                ("place", lab.name(lang.code()).to_string()),
            ];
            let fargs: Vec<(&str, fluent_templates::fluent_bundle::FluentValue)> =
                args.iter().map(|(k, v)| (*k, v.clone().into())).collect();
            let mut body = lang.t_args("intake-mail-declined-body", &fargs);
            if share {
                body = format!("{body}\n\n{}\n{reason}", lang.t("intake-mail-reason"));
            }
            let payload = serde_json::json!({
                "to": to,
                "subject": lang.t_args("intake-mail-declined-subject", &fargs),
                "body": body,
            });
            store::jobs::enqueue(
                &mut tx,
                "email",
                &payload.to_string(),
                chrono::Utc::now(),
                None,
            )
            .await?;
            "email"
        }
        None if input.told_in_person == "on" => "in-person",
        None => "not-yet",
    };
    store::residency::record_decline(&mut tx, id, reason, told, share, actor.user_id).await?;
    let mut e = entry(actor, "residency.decline", "residency", id, Some(r.lab_id));
    e.detail = format!("told:{told}");
    audit::record(&mut tx, e).await?;
    let now = managed_residency(&mut tx, actor, id).await?;
    let view = residency_view(&mut tx, now, lab.slug).await?;
    tx.commit().await?;
    Ok(view)
}

/// Reopens a declined application (back to `applied`), audited; its decline stays on record.
pub async fn reopen_residency(
    store: &Store,
    actor: &Actor,
    id: ResidencyId,
) -> AppResult<ResidencyView> {
    let mut tx = store.begin().await?;
    let r = managed_residency(&mut tx, actor, id).await?;
    if !r.status.can_reopen() {
        return Err(AppError::Conflict("err-transition"));
    }
    let to = ResidencyStatus::Applied;
    if !store::residency::transition(&mut tx, id, r.status, to, actor.user_id, "").await? {
        return Err(AppError::Conflict("err-transition"));
    }
    store::residency::mark_reopened(&mut tx, id, actor.user_id).await?;
    audit::record(
        &mut tx,
        entry(actor, "residency.reopen", "residency", id, Some(r.lab_id)),
    )
    .await?;
    let now = managed_residency(&mut tx, actor, id).await?;
    let lab = store::labs::lab(&mut tx, r.lab_id).await?;
    let view = residency_view(&mut tx, now, lab.map(|l| l.slug).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(view)
}
