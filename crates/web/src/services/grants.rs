//! Seed funding: calls, applications (single or joint, drafts finished later, filled in with a
//! coordinator), reviews with conflicts of interest, the ranking (weighted mean and spread, from
//! `analytics::grants`), awards proposed within the budget and adjusted with a reason, the
//! decision and its messages, tranches, the payment ledger, progress reports, ventures, and the
//! donors' export.
//!
//! Who sees what (everything else answers 404):
//! - the call's managers (the lab's coordinators and the admin; a network-wide call: the admin)
//!   see and do everything of the round;
//! - a coordinator sees the applications of her lab's women in a network-wide call and fills
//!   them in with them;
//! - a reviewer sees only the calls she is assigned to, never an application she declared a
//!   conflict on, and other reviewers' scores only after submitting her own;
//! - a resident sees the calls open to her, her own applications and those she is on the team of.
use super::entry;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use chrono::NaiveDate;
use domain::grants::{
    self as rules, ApplicationStatus, CallStatus, Category, CriterionSpec, PaymentChannel,
    ReportStatus, VentureStatus,
};
use domain::{
    Action, Actor, ApplicationId, AttachmentId, AwardId, CohortId, GrantCallId, LabId, LabScope,
    Money, PaymentId, PersonId, ReportId, ResidencyStatus, TrancheId, UserId, VentureId,
};
use serde::{Deserialize, Serialize};
use store::grants::{self as g, Application, Award, Call, Review, Tranche};
use store::{AnyConn, Store, StoreError, audit};

type Errs = Vec<(String, String)>;

fn invalid(field: &str, key: &str) -> AppError {
    AppError::Invalid(vec![(field.into(), key.into())])
}

/// Long text as typed: trimmed, NFC, newlines kept (an idea or a report has paragraphs).
fn block(field: &'static str, s: &str, max: usize, errs: &mut Errs) -> String {
    let t = s.replace("\r\n", "\n").trim().to_string();
    if t.chars().count() > max {
        errs.push((field.into(), "err-too-long".into()));
    }
    t
}

fn som(field: &'static str, s: &str, errs: &mut Errs) -> Option<i64> {
    match Money::parse_som(field, s) {
        Ok(m) => m.map(|m| m.0),
        Err(e) => {
            errs.push((e.field.into(), e.key.into()));
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Who may do what

/// She runs the round: a lab's call by its coordinators and the admin, a network call by the admin.
pub fn manages(actor: &Actor, call: &Call) -> bool {
    match call.lab_id {
        Some(l) => actor.allows(Action::ManageGrants(l)),
        None => actor.allows(Action::ManageNetwork),
    }
}

/// What the actor may do with a call she can see.
#[derive(Debug, Clone, Default)]
pub struct CallAccess {
    pub manage: bool,
    pub review: bool,
    /// A resident the call is for (active in its lab and cohort).
    pub eligible: bool,
    /// A resident who may apply now (eligible, call accepting).
    pub apply: bool,
    /// The labs whose women she may fill in an application with (coordinators).
    pub assist: Vec<LabId>,
    /// Her own application or one she is on the team of (residents).
    pub involved: bool,
}

/// The active residencies that make a woman eligible for a call (lab, cohort).
async fn eligible_lab(c: &mut AnyConn, call: &Call, person: PersonId) -> AppResult<Option<LabId>> {
    let rs = store::residency::of_person(c, person).await?;
    Ok(rs
        .into_iter()
        .find(|r| {
            r.status == ResidencyStatus::Active
                && call.lab_id.is_none_or(|l| l == r.lab_id)
                && call.cohort_id.is_none_or(|k| r.cohort_id == Some(k))
        })
        .map(|r| r.lab_id))
}

/// The call if the actor may see it, with what she may do there.
pub async fn call_for(
    store: &Store,
    actor: &Actor,
    id: GrantCallId,
) -> AppResult<(Call, CallAccess)> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let mut c = store.conn().await?;
    let call = g::get_call(&mut c, id).await?.ok_or(AppError::NotFound)?;
    let mut a = CallAccess {
        manage: manages(actor, &call),
        review: g::is_reviewer(&mut c, id, user).await?,
        ..Default::default()
    };
    if call.status != CallStatus::Draft {
        a.assist = actor
            .grants
            .iter()
            .map(|(l, _)| *l)
            .filter(|l| {
                actor.allows(Action::ManageGrants(*l)) && call.lab_id.is_none_or(|x| x == *l)
            })
            .collect();
        a.assist.sort();
        a.assist.dedup();
        if let Some(p) = actor.person_id {
            a.eligible = eligible_lab(&mut c, &call, p).await?.is_some();
            a.apply = a.eligible && call.accepting(domain::time::today());
            a.involved = g::applications_of_person(&mut c, p)
                .await?
                .iter()
                .any(|x| x.call_id == id);
        }
    }
    if a.manage || a.review || !a.assist.is_empty() || a.eligible || a.involved {
        Ok((call, a))
    } else {
        Err(AppError::NotFound)
    }
}

/// What the actor may do with an application she can see.
#[derive(Debug, Clone, Default)]
pub struct AppAccess {
    /// Runs the call (ranking, awards, money).
    pub decide: bool,
    /// A coordinator of the woman's lab (fills it in with her, follows the grant).
    pub assist: bool,
    pub applicant: bool,
    pub team: bool,
    /// An assigned reviewer without a declared conflict.
    pub review: bool,
}

impl AppAccess {
    pub fn staff(&self) -> bool {
        self.decide || self.assist
    }
    /// She may change the draft: herself, or a coordinator with her.
    pub fn edit(&self, app: &Application) -> bool {
        app.status.editable() && (self.applicant || self.assist)
    }
    /// The grantee's side: reports, the venture.
    pub fn grantee(&self) -> bool {
        self.applicant || self.team
    }
}

/// The application if the actor may see it.
pub async fn app_for(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
) -> AppResult<(Application, Call, AppAccess)> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let mut c = store.conn().await?;
    let app = g::get_application(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let call = g::get_call(&mut c, app.call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let team = g::team(&mut c, id).await?;
    let decide = manages(actor, &call);
    let reviewable = !matches!(
        app.status,
        ApplicationStatus::Draft | ApplicationStatus::Withdrawn
    );
    let a = AppAccess {
        decide,
        assist: decide || actor.allows(Action::ManageGrants(app.lab_id)),
        applicant: actor.person_id == Some(app.person_id),
        team: actor
            .person_id
            .is_some_and(|p| team.iter().any(|m| m.person_id == p)),
        review: reviewable
            && g::is_reviewer(&mut c, call.id, user).await?
            && !g::has_conflict(&mut c, user, id).await?,
    };
    if a.decide || a.assist || a.applicant || a.team || a.review {
        Ok((app, call, a))
    } else {
        Err(AppError::NotFound)
    }
}

// ---------------------------------------------------------------------------------------------
// Calls

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CriterionInput {
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub guidance_ky: String,
    pub guidance_ru: String,
    pub guidance_en: String,
    pub weight: String,
    pub max_points: String,
}

impl CriterionInput {
    fn blank(&self) -> bool {
        [&self.name_ky, &self.name_ru, &self.name_en]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// A call as typed in its form (money in som), with a fixed number of criterion rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CallInput {
    pub title: String,
    pub description: String,
    pub budget: String,
    pub min_award: String,
    pub max_award: String,
    pub opens_on: String,
    pub closes_on: String,
    /// A cohort id, or empty for every active resident.
    pub cohort: String,
    pub criteria: Vec<CriterionInput>,
}

impl CallInput {
    /// Reads a form whose criterion rows are named `c1_name_ky`, `c1_weight`, ... `c6_...`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let criteria = (1..=rules::MAX_CRITERIA)
            .map(|i| CriterionInput {
                name_ky: get(&format!("c{i}_name_ky")),
                name_ru: get(&format!("c{i}_name_ru")),
                name_en: get(&format!("c{i}_name_en")),
                guidance_ky: get(&format!("c{i}_guidance_ky")),
                guidance_ru: get(&format!("c{i}_guidance_ru")),
                guidance_en: get(&format!("c{i}_guidance_en")),
                weight: get(&format!("c{i}_weight")),
                max_points: get(&format!("c{i}_max_points")),
            })
            .collect();
        Self {
            title: get("title"),
            description: get("description"),
            budget: get("budget"),
            min_award: get("min_award"),
            max_award: get("max_award"),
            opens_on: get("opens_on"),
            closes_on: get("closes_on"),
            cohort: get("cohort"),
            criteria,
        }
    }

    pub fn from_call(call: &Call, criteria: &[g::Criterion]) -> Self {
        let m = |x: i64| (Money(x).0 / 100).to_string();
        let mut rows: Vec<CriterionInput> = criteria
            .iter()
            .map(|k| CriterionInput {
                name_ky: k.spec.name_ky.clone(),
                name_ru: k.spec.name_ru.clone(),
                name_en: k.spec.name_en.clone(),
                guidance_ky: k.spec.guidance_ky.clone(),
                guidance_ru: k.spec.guidance_ru.clone(),
                guidance_en: k.spec.guidance_en.clone(),
                weight: k.spec.weight.to_string(),
                max_points: k.spec.max_points.to_string(),
            })
            .collect();
        rows.resize(rules::MAX_CRITERIA, CriterionInput::default());
        Self {
            title: call.title.clone(),
            description: call.description.clone(),
            budget: m(call.budget),
            min_award: m(call.min_award),
            max_award: m(call.max_award),
            opens_on: call.opens_on.to_string(),
            closes_on: call.closes_on.to_string(),
            cohort: call.cohort_id.map(|k| k.to_string()).unwrap_or_default(),
            criteria: rows,
        }
    }

    /// A new call's form: the usual four criteria, in three languages, ready to adjust.
    pub fn new_call() -> Self {
        let today = domain::time::today();
        let row = |ky: &str, ru: &str, en: &str, gky: &str, gru: &str, guide_en: &str, w: &str| {
            CriterionInput {
                name_ky: ky.into(),
                name_ru: ru.into(),
                name_en: en.into(),
                guidance_ky: gky.into(),
                guidance_ru: gru.into(),
                guidance_en: guide_en.into(),
                weight: w.into(),
                max_points: "10".into(),
            }
        };
        let mut criteria = vec![
            row(
                "Ишке ашуусу",
                "Жизнеспособность",
                "Viability",
                "Сатып алуучулар барбы? Баасы чыгымдарды жабабы?",
                "Есть ли покупатели? Покрывает ли цена расходы?",
                "Are there buyers? Does the price cover the costs?",
                "3",
            ),
            row(
                "Чыгармачылык",
                "Креативность",
                "Creativity",
                "Идея жаңыбы, өзгөчөбү?",
                "Насколько идея нова и своеобразна?",
                "How new and distinctive is the idea?",
                "2",
            ),
            row(
                "Коомдук пайда",
                "Социальная ценность",
                "Social value",
                "Башка аялдарга, айылга пайдасы барбы?",
                "Польза для других женщин и села?",
                "Does it benefit other women and the community?",
                "2",
            ),
            row(
                "Өз салымы",
                "Собственный вклад",
                "Own contribution",
                "Өзү эмне салат: акча, жабдуу, убакыт.",
                "Что вкладывает сама: деньги, оборудование, время.",
                "What she brings herself: money, equipment, time.",
                "1",
            ),
        ];
        criteria.resize(rules::MAX_CRITERIA, CriterionInput::default());
        Self {
            opens_on: today.to_string(),
            closes_on: (today + chrono::Duration::days(30)).to_string(),
            criteria,
            ..Default::default()
        }
    }
}

fn validate_call(
    input: &CallInput,
    cohorts: &[store::residency::Cohort],
) -> AppResult<g::CallFields> {
    let mut errs: Errs = vec![];
    let title = super::limit("title", &input.title, 200, &mut errs);
    if title.is_empty() {
        errs.push(("title".into(), "err-required".into()));
    }
    let description = block("description", &input.description, 5000, &mut errs);
    let budget = som("budget", &input.budget, &mut errs);
    let min_award = som("min_award", &input.min_award, &mut errs);
    let max_award = som("max_award", &input.max_award, &mut errs);
    for (f, v) in [
        ("budget", budget),
        ("min_award", min_award),
        ("max_award", max_award),
    ] {
        if v.is_none() && !errs.iter().any(|(e, _)| e == f) {
            errs.push((f.into(), "err-required".into()));
        }
    }
    let opens_on = domain::time::parse_date(&input.opens_on);
    let closes_on = domain::time::parse_date(&input.closes_on);
    if opens_on.is_none() {
        errs.push(("opens_on".into(), "err-date".into()));
    }
    if closes_on.is_none() {
        errs.push(("closes_on".into(), "err-date".into()));
    }
    let cohort_id: Option<CohortId> = if input.cohort.trim().is_empty() {
        None
    } else {
        match input.cohort.parse::<CohortId>() {
            Ok(k) if cohorts.iter().any(|x| x.id == k) => Some(k),
            _ => {
                errs.push(("cohort".into(), "err-choice".into()));
                None
            }
        }
    };
    let mut criteria = vec![];
    for row in input.criteria.iter().filter(|r| !r.blank()) {
        let mut e2: Errs = vec![];
        let weight = row.weight.trim().parse::<i64>().unwrap_or(0);
        let max_points = row.max_points.trim().parse::<i64>().unwrap_or(0);
        criteria.push(CriterionSpec {
            name_ky: super::limit("criteria", &row.name_ky, 120, &mut e2),
            name_ru: super::limit("criteria", &row.name_ru, 120, &mut e2),
            name_en: super::limit("criteria", &row.name_en, 120, &mut e2),
            guidance_ky: block("criteria", &row.guidance_ky, 1000, &mut e2),
            guidance_ru: block("criteria", &row.guidance_ru, 1000, &mut e2),
            guidance_en: block("criteria", &row.guidance_en, 1000, &mut e2),
            weight,
            max_points,
        });
        if let Some(e) = e2.into_iter().next() {
            errs.push(e);
        }
    }
    if let (Some(budget), Some(min_award), Some(max_award), Some(opens_on), Some(closes_on)) =
        (budget, min_award, max_award, opens_on, closes_on)
    {
        let terms = rules::CallTerms {
            budget,
            min_award,
            max_award,
            opens_on,
            closes_on,
        };
        for e in rules::check_call(&terms, &criteria) {
            errs.push((e.field.into(), e.key.into()));
        }
        if errs.is_empty() {
            return Ok(g::CallFields {
                title,
                description,
                budget,
                min_award,
                max_award,
                opens_on,
                closes_on,
                cohort_id,
                criteria,
            });
        }
    } else if criteria.is_empty() {
        errs.push(("criteria".into(), "err-grant-criteria".into()));
    }
    Err(AppError::Invalid(errs))
}

/// The cohorts a call may be limited to (its lab's; none for a network call).
pub async fn cohorts_for(
    store: &Store,
    lab: Option<LabId>,
) -> AppResult<Vec<store::residency::Cohort>> {
    match lab {
        Some(l) => {
            let mut c = store.conn().await?;
            Ok(store::residency::cohorts(&mut c, l).await?)
        }
        None => Ok(vec![]),
    }
}

fn may_manage_lab(actor: &Actor, lab: Option<LabId>) -> bool {
    match lab {
        Some(l) => actor.allows(Action::ManageGrants(l)),
        None => actor.allows(Action::ManageNetwork),
    }
}

/// Creates a call (a draft) for a lab, or for the network (`None`, the admin).
pub async fn create_call(
    store: &Store,
    actor: &Actor,
    lab: Option<LabId>,
    input: &CallInput,
) -> AppResult<GrantCallId> {
    if !may_manage_lab(actor, lab) {
        return Err(AppError::NotFound);
    }
    let fields = validate_call(input, &cohorts_for(store, lab).await?)?;
    let mut tx = store.begin().await?;
    let id = g::insert_call(&mut tx, lab, &fields, actor.user_id).await?;
    audit::record(
        &mut tx,
        entry(actor, "grant_call.create", "grant_call", id, lab),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a draft call (terms and criteria are fixed once it opens).
pub async fn update_call(
    store: &Store,
    actor: &Actor,
    call: &Call,
    input: &CallInput,
) -> AppResult<()> {
    if !manages(actor, call) {
        return Err(AppError::NotFound);
    }
    let fields = validate_call(input, &cohorts_for(store, call.lab_id).await?)?;
    let mut tx = store.begin().await?;
    if !g::update_draft_call(&mut tx, call.id, &fields).await? {
        return Err(invalid("title", "err-grant-not-draft"));
    }
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_call.update",
            "grant_call",
            call.id,
            call.lab_id,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens, closes or reopens a call, or takes it back to draft (only while nobody applied).
pub async fn set_call_status(store: &Store, actor: &Actor, call: &Call, to: &str) -> AppResult<()> {
    if !manages(actor, call) {
        return Err(AppError::NotFound);
    }
    let to = CallStatus::parse(to).ok_or(AppError::BadRequest("err-bad-form"))?;
    if !call.status.can_move(to) {
        return Err(AppError::Conflict("err-grant-status"));
    }
    let mut tx = store.begin().await?;
    if to == CallStatus::Draft && !g::applications(&mut tx, call.id, true).await?.is_empty() {
        return Err(AppError::Conflict("err-grant-status"));
    }
    if !g::set_call_status(&mut tx, call.id, call.status, to).await? {
        return Err(AppError::Conflict("err-grant-status"));
    }
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_call.status",
            "grant_call",
            call.id,
            call.lab_id,
        )
        .with_detail(format!("{}->{}", call.status.code(), to.code())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_reviewer(store: &Store, actor: &Actor, call: &Call, user: &str) -> AppResult<()> {
    if !manages(actor, call) {
        return Err(AppError::NotFound);
    }
    let user: UserId = user
        .parse()
        .map_err(|_| invalid("reviewer", "err-choice"))?;
    let mut tx = store.begin().await?;
    if !g::reviewer_candidates(&mut tx, call.lab_id)
        .await?
        .iter()
        .any(|p| p.id == user)
    {
        return Err(invalid("reviewer", "err-choice"));
    }
    g::add_reviewer(&mut tx, call.id, user, actor.user_id).await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_call.reviewer",
            "grant_call",
            call.id,
            call.lab_id,
        )
        .with_detail(format!("user {user}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Applications

/// Starts her application (or returns the one she has). A coordinator starts one with a woman of
/// her lab (`person`), and is recorded as having filled it in.
pub async fn start_application(
    store: &Store,
    actor: &Actor,
    call: &Call,
    person: Option<PersonId>,
) -> AppResult<ApplicationId> {
    let (person, filled_by) = match person {
        Some(p) if actor.person_id != Some(p) => (p, actor.user_id),
        _ => (actor.person_id.ok_or(AppError::NotFound)?, None),
    };
    let mut tx = store.begin().await?;
    if let Some(existing) = g::applications_of_person(&mut tx, person)
        .await?
        .into_iter()
        .find(|a| a.call_id == call.id && a.person_id == person)
    {
        return Ok(existing.id);
    }
    let Some(lab) = eligible_lab(&mut tx, call, person).await? else {
        return Err(invalid("person", "err-grant-not-eligible"));
    };
    if filled_by.is_some() && !actor.allows(Action::ManageGrants(lab)) {
        return Err(AppError::NotFound);
    }
    if !call.accepting(domain::time::today()) {
        return Err(invalid("person", "err-grant-closed"));
    }
    let id = g::insert_application(&mut tx, call.id, person, lab, filled_by).await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_application.create",
            "person",
            person,
            Some(lab),
        )
        .with_detail(format!(
            "application {id}{}",
            if filled_by.is_some() { " assisted" } else { "" }
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An application as typed (money in som); budget lines and team as rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationInput {
    pub title: String,
    pub idea: String,
    pub category: String,
    pub requested: String,
    pub own_contribution: String,
    /// (item, amount in som) per row; blank rows are ignored.
    pub lines: Vec<(String, String)>,
    /// Person ids of the other residents in a joint initiative.
    pub team: Vec<String>,
}

impl ApplicationInput {
    /// Reads a form with rows `line{i}_item`, `line{i}_amount` and repeated `team` boxes.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Self {
            title: get("title"),
            idea: get("idea"),
            category: get("category"),
            requested: get("requested"),
            own_contribution: get("own_contribution"),
            lines: (1..=rules::MAX_BUDGET_LINES)
                .map(|i| {
                    (
                        get(&format!("line{i}_item")),
                        get(&format!("line{i}_amount")),
                    )
                })
                .collect(),
            team: pairs
                .iter()
                .filter(|(k, _)| k == "team")
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }

    pub fn from_application(
        app: &Application,
        lines: &[g::BudgetLine],
        team: &[g::TeamMember],
    ) -> Self {
        let m = |x: i64| {
            if x == 0 {
                String::new()
            } else {
                Money(x).som_plain()
            }
        };
        let mut rows: Vec<(String, String)> = lines
            .iter()
            .map(|l| (l.item.clone(), m(l.amount)))
            .collect();
        rows.resize(rules::MAX_BUDGET_LINES, (String::new(), String::new()));
        Self {
            title: app.title.clone(),
            idea: app.idea.clone(),
            category: app.category.code().into(),
            requested: m(app.requested),
            own_contribution: m(app.own_contribution),
            lines: rows,
            team: team.iter().map(|t| t.person_id.to_string()).collect(),
        }
    }
}

/// The residents of a lab who can join a woman's team (active, not herself).
pub async fn team_candidates(
    store: &Store,
    lab: LabId,
    applicant: PersonId,
) -> AppResult<Vec<(PersonId, String)>> {
    let mut c = store.conn().await?;
    let mut out: Vec<(PersonId, String)> =
        store::residency::of_lab(&mut c, lab, Some(ResidencyStatus::Active))
            .await?
            .into_iter()
            .filter(|r| r.residency.person_id != applicant)
            .map(|r| (r.residency.person_id, r.person_name))
            .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out.dedup_by_key(|x| x.0);
    Ok(out)
}

/// Saves the draft, and submits it when `submit` (everything checked, team confirmed, the call
/// still taking applications). Bad input changes nothing.
pub async fn save_application(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    input: &ApplicationInput,
    submit: bool,
) -> AppResult<()> {
    let (app, call, access) = app_for(store, actor, id).await?;
    if !access.applicant && !access.assist {
        return Err(AppError::NotFound);
    }
    if !app.status.editable() {
        return Err(invalid("title", "err-grant-not-draft"));
    }
    let mut errs: Errs = vec![];
    let title = super::limit("title", &input.title, 200, &mut errs);
    let idea = block("idea", &input.idea, 5000, &mut errs);
    let category = if input.category.trim().is_empty() {
        None
    } else {
        match Category::parse(&input.category) {
            Some(c) => Some(c),
            None => {
                errs.push(("category".into(), "err-choice".into()));
                None
            }
        }
    };
    let requested = som("requested", &input.requested, &mut errs).unwrap_or(0);
    let own_contribution = som("own_contribution", &input.own_contribution, &mut errs).unwrap_or(0);
    let mut lines = vec![];
    for (item, amount) in &input.lines {
        if item.trim().is_empty() && amount.trim().is_empty() {
            continue;
        }
        let item = super::limit("lines", item, 200, &mut errs);
        let amount = som("lines", amount, &mut errs);
        if item.is_empty() || amount.is_none() {
            if !errs.iter().any(|(f, _)| f == "lines") {
                errs.push(("lines".into(), "err-grant-line".into()));
            }
            continue;
        }
        lines.push((item, amount.unwrap_or(0)));
    }
    let candidates = team_candidates(store, app.lab_id, app.person_id).await?;
    let mut team = vec![];
    for t in &input.team {
        match t.parse::<PersonId>() {
            Ok(p) if candidates.iter().any(|(c, _)| *c == p) => team.push(p),
            _ => errs.push(("team".into(), "err-choice".into())),
        }
    }
    team.sort();
    team.dedup();
    if team.len() > rules::MAX_TEAM {
        errs.push(("team".into(), "err-grant-team-size".into()));
    }
    if submit {
        let total: i64 = lines.iter().map(|(_, a)| a).sum();
        for e in rules::check_submission(
            &title,
            &idea,
            requested,
            total,
            call.min_award,
            call.max_award,
        ) {
            if !errs.iter().any(|(f, _)| f == e.field) {
                errs.push((e.field.into(), e.key.into()));
            }
        }
        if category.is_none() && !errs.iter().any(|(f, _)| f == "category") {
            errs.push(("category".into(), "err-required".into()));
        }
        if !call.accepting(domain::time::today()) {
            errs.push(("title".into(), "err-grant-closed".into()));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let filled_by = if access.applicant {
        None
    } else {
        actor.user_id
    };
    let mut tx = store.begin().await?;
    let fields = g::DraftFields {
        title,
        idea,
        category,
        requested,
        own_contribution,
        lines,
        team: team.clone(),
    };
    if !g::save_draft(&mut tx, id, &fields, filled_by).await? {
        return Err(invalid("title", "err-grant-not-draft"));
    }
    if submit {
        let members = g::team(&mut tx, id).await?;
        if members.iter().any(|m| m.confirmed_at.is_none()) {
            // The draft is kept (she typed it); only the submission waits for her team.
            tx.commit().await?;
            return Err(invalid("team", "err-grant-team-unconfirmed"));
        }
        g::set_application_status(
            &mut tx,
            id,
            ApplicationStatus::Draft,
            ApplicationStatus::Submitted,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        entry(
            actor,
            if submit {
                "grant_application.submit"
            } else {
                "grant_application.save"
            },
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!(
            "application {id}{}",
            if filled_by.is_some() { " assisted" } else { "" }
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn withdraw(store: &Store, actor: &Actor, id: ApplicationId) -> AppResult<()> {
    let (app, _, access) = app_for(store, actor, id).await?;
    if !access.applicant && !access.assist {
        return Err(AppError::NotFound);
    }
    if !app.status.can_move(ApplicationStatus::Withdrawn) {
        return Err(AppError::Conflict("err-grant-status"));
    }
    let mut tx = store.begin().await?;
    if !g::set_application_status(&mut tx, id, app.status, ApplicationStatus::Withdrawn).await? {
        return Err(AppError::Conflict("err-grant-status"));
    }
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_application.withdraw",
            "person",
            app.person_id,
            Some(app.lab_id),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A team member says she is in.
pub async fn confirm_team(store: &Store, actor: &Actor, id: ApplicationId) -> AppResult<()> {
    let (app, _, access) = app_for(store, actor, id).await?;
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    if !access.team {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    g::confirm_team(&mut tx, id, me).await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_application.team_confirm",
            "person",
            me,
            Some(app.lab_id),
        )
        .with_detail(format!("application {id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stores an attachment of a draft: JPEG, PNG or PDF (read from the bytes), at most 2 MB, images
/// without their metadata.
pub async fn add_attachment(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<AttachmentId> {
    let (app, _, access) = app_for(store, actor, id).await?;
    if !access.edit(&app) {
        return Err(AppError::NotFound);
    }
    if bytes.is_empty() {
        return Err(invalid("file", "err-required"));
    }
    if bytes.len() > rules::MAX_ATTACHMENT_BYTES {
        return Err(invalid("file", "err-grant-file-too-big"));
    }
    let (kind, clean) = documents::uploads::clean(bytes).map_err(|e| match e {
        documents::uploads::UploadError::WrongType => invalid("file", "err-grant-file-type"),
        documents::uploads::UploadError::Damaged => invalid("file", "err-grant-file-damaged"),
    })?;
    let mut name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !"\"<>|:*?".contains(*c))
        .take(100)
        .collect();
    let stem = name
        .rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or(name.clone());
    name = format!(
        "{}.{}",
        if stem.trim().is_empty() {
            "file"
        } else {
            stem.trim()
        },
        kind.extension()
    );
    let mut tx = store.begin().await?;
    if g::attachments(&mut tx, id).await?.len() >= rules::MAX_ATTACHMENTS {
        return Err(invalid("file", "err-grant-file-count"));
    }
    let aid = g::insert_attachment(
        &mut tx,
        id,
        &name,
        kind.content_type(),
        &clean,
        actor.user_id,
    )
    .await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_application.attach",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!("attachment {aid} {}", kind.content_type())),
    )
    .await?;
    tx.commit().await?;
    Ok(aid)
}

/// An attachment with its bytes, for whoever may see its application.
pub async fn attachment(
    store: &Store,
    actor: &Actor,
    id: AttachmentId,
) -> AppResult<(g::Attachment, Vec<u8>)> {
    let mut c = store.conn().await?;
    let (meta, bytes) = g::attachment(&mut c, id).await?.ok_or(AppError::NotFound)?;
    drop(c);
    app_for(store, actor, meta.application_id).await?;
    Ok((meta, bytes))
}

// ---------------------------------------------------------------------------------------------
// Review

/// A reviewer declares a conflict of interest: the application leaves her list for good.
pub async fn declare_conflict(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    reason: &str,
) -> AppResult<GrantCallId> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let mut errs = vec![];
    let reason = super::limit("reason", reason, 300, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (app, call, access) = app_for(store, actor, id).await?;
    if !access.review {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    if let Some(r) = g::reviews(&mut tx, id, false)
        .await?
        .into_iter()
        .find(|r| r.reviewer_id == user)
        && r.submitted_at.is_some()
    {
        return Err(invalid("reason", "err-grant-reviewed"));
    }
    g::declare_conflict(&mut tx, user, id, &reason).await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_review.conflict",
            "grant_call",
            call.id,
            call.lab_id,
        )
        .with_detail(format!("application {}", app.id)),
    )
    .await?;
    tx.commit().await?;
    Ok(call.id)
}

/// A review as typed: points and a comment per criterion, an overall comment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewInput {
    /// (criterion id, points, comment)
    pub scores: Vec<(String, String, String)>,
    pub comment: String,
}

impl ReviewInput {
    /// Reads `points-<criterion>` and `note-<criterion>` fields.
    pub fn from_pairs(pairs: &[(String, String)], criteria: &[g::Criterion]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Self {
            scores: criteria
                .iter()
                .map(|k| {
                    (
                        k.id.to_string(),
                        get(&format!("points-{}", k.id)),
                        get(&format!("note-{}", k.id)),
                    )
                })
                .collect(),
            comment: get("comment"),
        }
    }
    pub fn from_review(r: Option<&Review>, criteria: &[g::Criterion]) -> Self {
        Self {
            scores: criteria
                .iter()
                .map(|k| {
                    (
                        k.id.to_string(),
                        r.and_then(|r| r.points(&k.id))
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        r.map(|r| r.score_comment(&k.id).to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            comment: r.map(|r| r.comment.clone()).unwrap_or_default(),
        }
    }
    pub fn points(&self, criterion: &domain::CriterionId) -> String {
        let id = criterion.to_string();
        self.scores
            .iter()
            .find(|s| s.0 == id)
            .map(|s| s.1.clone())
            .unwrap_or_default()
    }
    pub fn note(&self, criterion: &domain::CriterionId) -> String {
        let id = criterion.to_string();
        self.scores
            .iter()
            .find(|s| s.0 == id)
            .map(|s| s.2.clone())
            .unwrap_or_default()
    }
}

/// Saves her scores; `submit` makes them final (every criterion scored) and lets her see the
/// other reviewers' scores.
pub async fn save_review(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    input: &ReviewInput,
    submit: bool,
) -> AppResult<()> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let (app, call, access) = app_for(store, actor, id).await?;
    if !access.review {
        return Err(AppError::NotFound);
    }
    if app.status != ApplicationStatus::Submitted || call.status == CallStatus::Decided {
        return Err(invalid("comment", "err-grant-review-closed"));
    }
    let mut c = store.conn().await?;
    let criteria = g::criteria(&mut c, call.id).await?;
    drop(c);
    let mut errs: Errs = vec![];
    let mut scores = vec![];
    for k in &criteria {
        let key = k.id.to_string();
        let (_, points, note) = input
            .scores
            .iter()
            .find(|s| s.0 == key)
            .cloned()
            .unwrap_or_default();
        let note = block("scores", &note, 1000, &mut errs);
        if points.trim().is_empty() {
            if submit {
                errs.push((format!("points-{key}"), "err-grant-points".into()));
            }
            continue;
        }
        match points.trim().parse::<i64>() {
            Ok(p) if (0..=k.spec.max_points).contains(&p) => scores.push((k.id, p, note)),
            _ => errs.push((format!("points-{key}"), "err-grant-points".into())),
        }
    }
    let comment = block("comment", &input.comment, 3000, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    g::save_review(&mut tx, id, user, &comment, &scores, submit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => invalid("comment", "err-grant-reviewed"),
            other => other.into(),
        })?;
    audit::record(
        &mut tx,
        entry(
            actor,
            if submit {
                "grant_review.submit"
            } else {
                "grant_review.save"
            },
            "grant_call",
            call.id,
            call.lab_id,
        )
        .with_detail(format!("application {id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Ranking and proposal

/// One ranked application with the proposal for it and its award, if decided.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankRow {
    #[schema(value_type = String)]
    pub application_id: ApplicationId,
    pub applicant: String,
    pub title: String,
    pub category: String,
    pub requested: i64,
    pub status: String,
    /// Weighted mean of the reviewers' scores, 0..100.
    pub score: Option<f64>,
    /// How far the reviewers were apart (points out of 100).
    pub spread: Option<f64>,
    pub reviews: usize,
    pub rank: Option<usize>,
    /// What the platform proposes (tyiyn), in rank order within the budget left.
    pub proposed: Option<i64>,
    /// The proposal is less than she asked (the budget ran out).
    pub partial: bool,
    pub awarded: Option<i64>,
    pub paid: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub rows: Vec<RankRow>,
    pub budget: i64,
    pub awarded: i64,
    /// What the proposal adds up to.
    pub proposed_total: i64,
}

/// The ranking by weighted mean with the spread, and the proposal: awards in rank order within
/// what is left of the budget, respecting the minimum and maximum.
pub async fn ranking_in(c: &mut AnyConn, call: &Call) -> AppResult<Ranking> {
    let criteria = g::criteria(c, call.id).await?;
    let apps = g::applications(c, call.id, false).await?;
    let reviews = g::submitted_reviews_of_call(c, call.id).await?;
    let awards = g::awards_of_call(c, call.id).await?;
    let crits: Vec<analytics::grants::Criterion> = criteria
        .iter()
        .map(|k| analytics::grants::Criterion {
            weight: k.spec.weight as u32,
            max_points: k.spec.max_points as u32,
        })
        .collect();
    let input: Vec<(ApplicationId, Vec<analytics::grants::Review>)> = apps
        .iter()
        .map(|a| {
            let rs = reviews
                .iter()
                .filter(|r| r.application_id == a.id)
                .map(|r| analytics::grants::Review {
                    points: criteria
                        .iter()
                        .map(|k| r.points(&k.id).unwrap_or(0) as u32)
                        .collect(),
                })
                .collect();
            (a.id, rs)
        })
        .filter(|(_, rs): &(ApplicationId, Vec<analytics::grants::Review>)| !rs.is_empty())
        .collect();
    let ranked = analytics::grants::rank(&crits, &input)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("ranking: {e:?}")))?;
    // Proposal: the not yet decided applications, in rank order, within what is left.
    let asks: Vec<analytics::grants::Ask<ApplicationId>> = ranked
        .iter()
        .filter(|r| {
            apps.iter()
                .any(|a| a.id == r.key && a.status == ApplicationStatus::Submitted)
        })
        .map(|r| analytics::grants::Ask {
            key: r.key,
            requested: apps
                .iter()
                .find(|a| a.id == r.key)
                .map(|a| a.requested)
                .unwrap_or(0),
        })
        .collect();
    let left = call.left().max(0);
    let proposal = analytics::grants::propose_awards(&asks, left, call.min_award, call.max_award);
    let mut rows: Vec<RankRow> = apps
        .iter()
        .map(|a| {
            let r = ranked.iter().find(|r| r.key == a.id);
            let p = proposal.awards.iter().find(|p| p.key == a.id);
            let award = awards.iter().find(|w| w.application_id == a.id);
            RankRow {
                application_id: a.id,
                applicant: a.person_name.clone(),
                title: a.title.clone(),
                category: a.category.code().into(),
                requested: a.requested,
                status: a.status.code().into(),
                score: r.map(|r| r.score),
                spread: r.map(|r| r.spread),
                reviews: r.map(|r| r.reviews).unwrap_or(0),
                rank: r.map(|r| r.rank),
                proposed: p.map(|p| p.amount),
                partial: p.is_some_and(|p| p.partial),
                awarded: award.map(|w| w.amount),
                paid: award.map(|w| w.paid).unwrap_or(0),
            }
        })
        .collect();
    rows.sort_by_key(|r| (r.rank.unwrap_or(usize::MAX), r.applicant.clone()));
    Ok(Ranking {
        proposed_total: proposal.total,
        rows,
        budget: call.budget,
        awarded: call.awarded,
    })
}

pub async fn ranking(store: &Store, actor: &Actor, call: &Call) -> AppResult<Ranking> {
    if !manages(actor, call) {
        return Err(AppError::NotFound);
    }
    let mut c = store.conn().await?;
    ranking_in(&mut c, call).await
}

/// Awards one application: `amount` in som (the proposal, or adjusted with a reason). The store
/// refuses what would pass the budget or the limits, even when two coordinators press at once.
/// Creates the first tranche (the whole award) and the venture it funds.
pub async fn award(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
    amount: &str,
    reason: &str,
) -> AppResult<AwardId> {
    let (app, call, access) = app_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let amount = som("amount", amount, &mut errs);
    let reason = super::limit("reason", reason, 500, &mut errs);
    if amount.is_none() && errs.is_empty() {
        errs.push(("amount".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let amount = amount.unwrap_or(0);
    if call.status != CallStatus::Closed {
        return Err(invalid("amount", "err-grant-award-closed"));
    }
    let mut tx = store.begin().await?;
    let proposed = ranking_in(&mut tx, &call)
        .await?
        .rows
        .iter()
        .find(|r| r.application_id == id)
        .and_then(|r| r.proposed)
        .unwrap_or(0);
    if amount != proposed && reason.is_empty() {
        return Err(invalid("reason", "err-grant-reason"));
    }
    let award_id = g::award(
        &mut tx,
        &g::NewAward {
            application: id,
            call: call.id,
            amount,
            proposed_amount: proposed,
            adjusted_reason: &reason,
            decided_by: actor.user_id,
            decided_on: domain::time::today(),
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict("grant_awards.budget") => invalid("amount", "err-grant-over-budget"),
        StoreError::Conflict("grant_awards.limits") => invalid("amount", "err-grant-limits"),
        StoreError::Conflict(_) => invalid("amount", "err-grant-status"),
        other => other.into(),
    })?;
    g::replace_tranches(
        &mut tx,
        award_id,
        &[g::TranchePlan {
            amount,
            condition: String::new(),
            due_on: None,
        }],
    )
    .await?;
    let team: Vec<PersonId> = g::team(&mut tx, id)
        .await?
        .into_iter()
        .filter(|m| m.confirmed_at.is_some())
        .map(|m| m.person_id)
        .collect();
    let mut members = vec![app.person_id];
    members.extend(team.iter().copied());
    g::insert_venture(
        &mut tx,
        app.lab_id,
        Some(award_id),
        &app.title,
        rules::venture_kind(team.len()),
        app.category,
        &members,
    )
    .await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant.award",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!(
            "application {id} amount {amount} proposed {proposed}{}",
            if amount != proposed { " adjusted" } else { "" }
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(award_id)
}

/// Decides the round: every submitted application not awarded is declined with the message
/// the coordinator wrote; every applicant is told (her page, and an email where she has one).
pub async fn decide(
    store: &Store,
    actor: &Actor,
    call: &Call,
    awarded_message: &str,
    declined_message: &str,
) -> AppResult<u64> {
    if !manages(actor, call) {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let awarded_message = block("awarded_message", awarded_message, 2000, &mut errs);
    let declined_message = block("declined_message", declined_message, 2000, &mut errs);
    if declined_message.is_empty() {
        errs.push(("declined_message".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    if call.status != CallStatus::Closed {
        return Err(invalid("declined_message", "err-grant-award-closed"));
    }
    let mut tx = store.begin().await?;
    g::lock_call(&mut tx, call.id).await?;
    let apps = g::applications(&mut tx, call.id, false).await?;
    let declined = g::decide_rest(&mut tx, call.id, &declined_message, &awarded_message).await?;
    if !g::set_call_status(&mut tx, call.id, CallStatus::Closed, CallStatus::Decided).await? {
        return Err(AppError::Conflict("err-grant-status"));
    }
    for a in apps.iter().filter(|a| {
        matches!(
            a.status,
            ApplicationStatus::Submitted | ApplicationStatus::Awarded
        )
    }) {
        let awarded = a.status == ApplicationStatus::Awarded;
        queue_decision_mail(
            &mut tx,
            a,
            call,
            awarded,
            if awarded {
                &awarded_message
            } else {
                &declined_message
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_call.decide",
            "grant_call",
            call.id,
            call.lab_id,
        )
        .with_detail(format!("declined {declined}")),
    )
    .await?;
    tx.commit().await?;
    Ok(declined)
}

async fn queue_decision_mail(
    tx: &mut AnyConn,
    a: &Application,
    call: &Call,
    awarded: bool,
    message: &str,
) -> AppResult<()> {
    let Some(p) = store::people::get_scoped(tx, &LabScope::All, a.person_id).await? else {
        return Ok(());
    };
    let Some(to) = p.email.clone() else {
        return Ok(());
    };
    let lang = p
        .languages
        .iter()
        .find_map(|l| Lang::parse(l))
        .unwrap_or(Lang::Ky);
    let args = [
        ("name", a.person_name.clone()),
        ("event", call.title.clone()),
    ];
    let fargs: Vec<(&str, fluent_templates::fluent_bundle::FluentValue)> =
        args.iter().map(|(k, v)| (*k, v.clone().into())).collect();
    let (subject, body) = if awarded {
        ("grants-mail-awarded-subject", "grants-mail-awarded-body")
    } else {
        ("grants-mail-declined-subject", "grants-mail-declined-body")
    };
    let payload = serde_json::json!({
        "to": to,
        "subject": lang.t_args(subject, &fargs),
        "body": format!("{}\n\n{}", lang.t_args(body, &fargs), message),
    });
    let dedupe = format!("grant-decision-{}", a.id);
    store::jobs::enqueue(
        tx,
        "email",
        &payload.to_string(),
        chrono::Utc::now(),
        Some(dedupe.as_str()),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Money

/// The award with what the actor may do, if she may see it.
pub async fn award_for(
    store: &Store,
    actor: &Actor,
    id: AwardId,
) -> AppResult<(Award, Application, Call, AppAccess)> {
    let mut c = store.conn().await?;
    let award = g::get_award(&mut c, id).await?.ok_or(AppError::NotFound)?;
    drop(c);
    let (app, call, access) = app_for(store, actor, award.application_id).await?;
    if !(access.staff() || access.grantee()) {
        return Err(AppError::NotFound);
    }
    Ok((award, app, call, access))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TrancheInput {
    /// (amount in som, condition, due date) per row; blank rows are ignored.
    pub rows: Vec<(String, String, String)>,
}

impl TrancheInput {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Self {
            rows: (1..=rules::MAX_TRANCHES)
                .map(|i| {
                    (
                        get(&format!("t{i}_amount")),
                        get(&format!("t{i}_condition")),
                        get(&format!("t{i}_due_on")),
                    )
                })
                .collect(),
        }
    }
    pub fn from_tranches(ts: &[Tranche]) -> Self {
        let mut rows: Vec<(String, String, String)> = ts
            .iter()
            .map(|t| {
                (
                    Money(t.amount).som_plain(),
                    t.condition.clone(),
                    t.due_on.map(|d| d.to_string()).unwrap_or_default(),
                )
            })
            .collect();
        rows.resize(rules::MAX_TRANCHES, Default::default());
        Self { rows }
    }
}

/// Replaces the tranche plan of an award (before anything is paid): parts that add up to it.
pub async fn save_tranches(
    store: &Store,
    actor: &Actor,
    id: AwardId,
    input: &TrancheInput,
) -> AppResult<()> {
    let (award, app, _, access) = award_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let mut plan = vec![];
    for (amount, condition, due) in &input.rows {
        if amount.trim().is_empty() && condition.trim().is_empty() && due.trim().is_empty() {
            continue;
        }
        let a = som("tranches", amount, &mut errs).unwrap_or(0);
        let condition = super::limit("tranches", condition, 300, &mut errs);
        let due_on = if due.trim().is_empty() {
            None
        } else {
            match domain::time::parse_date(due) {
                Some(d) => Some(d),
                None => {
                    errs.push(("tranches".into(), "err-date".into()));
                    None
                }
            }
        };
        plan.push(g::TranchePlan {
            amount: a,
            condition,
            due_on,
        });
    }
    if errs.is_empty()
        && let Err(e) = rules::check_tranches(
            award.amount,
            &plan.iter().map(|p| p.amount).collect::<Vec<_>>(),
        )
    {
        errs.push((e.field.into(), e.key.into()));
    }
    if !errs.is_empty() {
        errs.truncate(1);
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    g::replace_tranches(&mut tx, id, &plan)
        .await
        .map_err(|e| match e {
            StoreError::Conflict("grant_tranches.paid") => {
                invalid("tranches", "err-grant-tranches-paid")
            }
            StoreError::Conflict(_) => invalid("tranches", "err-grant-tranches-sum"),
            other => other.into(),
        })?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant.tranches",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!("award {id} parts {}", plan.len())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The tranche with its award, if the actor may see it.
pub async fn tranche_for(
    store: &Store,
    actor: &Actor,
    id: TrancheId,
) -> AppResult<(Tranche, Award, Application, AppAccess)> {
    let mut c = store.conn().await?;
    let t = g::get_tranche(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    let (award, app, _, access) = award_for(store, actor, t.award_id).await?;
    Ok((t, award, app, access))
}

/// The coordinator says a tranche's condition is met, so it can be paid.
pub async fn release_tranche(store: &Store, actor: &Actor, id: TrancheId) -> AppResult<AwardId> {
    let (t, _, app, access) = tranche_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    g::release_tranche(&mut tx, id, actor.user_id).await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant.release",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!("tranche {id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(t.award_id)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentInput {
    pub amount: String,
    pub paid_on: String,
    pub channel: String,
    pub reference: String,
    /// Generated when the form is shown; the same key twice is the same submission.
    pub key: String,
}

impl PaymentInput {
    pub fn fresh(tranche: &Tranche) -> Self {
        Self {
            amount: Money(tranche.amount - tranche.paid).som_plain(),
            paid_on: domain::time::today().to_string(),
            channel: "mobile".into(),
            reference: String::new(),
            key: crate::secrets::random_token(16),
        }
    }
}

/// Records a payment of a released tranche in the ledger. The same form sent twice (its key) is
/// refused with a message, as is a payment past what the tranche holds.
pub async fn record_payment(
    store: &Store,
    actor: &Actor,
    id: TrancheId,
    input: &PaymentInput,
) -> AppResult<PaymentId> {
    let (t, award, app, access) = tranche_for(store, actor, id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let amount = som("amount", &input.amount, &mut errs);
    if amount.is_none_or(|a| a <= 0) && errs.is_empty() {
        errs.push(("amount".into(), "err-money".into()));
    }
    let paid_on = match domain::time::parse_date(&input.paid_on) {
        Some(d) if d <= domain::time::today() => Some(d),
        _ => {
            errs.push(("paid_on".into(), "err-date".into()));
            None
        }
    };
    let channel = PaymentChannel::parse(&input.channel);
    if channel.is_none() {
        errs.push(("channel".into(), "err-choice".into()));
    }
    let reference = super::limit("reference", &input.reference, 120, &mut errs);
    let key = input.key.trim();
    if key.len() < 16 || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        errs.push(("amount".into(), "err-bad-form".into()));
    }
    if t.released_at.is_none() {
        errs.push(("amount".into(), "err-grant-not-released".into()));
    }
    let (Some(amount), Some(paid_on), Some(channel), true) =
        (amount, paid_on, channel, errs.is_empty())
    else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = store.begin().await?;
    let pid = g::insert_payment(
        &mut tx,
        &g::NewPayment {
            tranche: id,
            amount,
            paid_on,
            channel,
            reference: &reference,
            reverses: None,
            idempotency_key: key,
            recorded_by: actor.user_id,
        },
    )
    .await
    .map_err(payment_error)?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant.payment",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!("award {} tranche {id} amount {amount}", award.id)),
    )
    .await?;
    tx.commit().await?;
    Ok(pid)
}

fn payment_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict("grant_payments.idempotency") => {
            invalid("amount", "err-grant-payment-twice")
        }
        StoreError::Conflict("grant_payments.over") => invalid("amount", "err-grant-payment-over"),
        StoreError::Conflict(_) => invalid("amount", "err-grant-reversed"),
        other => other.into(),
    }
}

/// Corrects a payment by adding its reversal (the ledger keeps both rows).
pub async fn reverse_payment(
    store: &Store,
    actor: &Actor,
    id: PaymentId,
    key: &str,
) -> AppResult<AwardId> {
    let mut c = store.conn().await?;
    let p = g::get_payment(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    let (_, award, app, access) = tranche_for(store, actor, p.tranche_id).await?;
    if !access.decide {
        return Err(AppError::NotFound);
    }
    if p.amount < 0 || p.reverses_id.is_some() {
        return Err(invalid("amount", "err-grant-reversed"));
    }
    let key = key.trim();
    if key.len() < 16 || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::BadRequest("err-bad-form"));
    }
    let mut tx = store.begin().await?;
    if g::is_reversed(&mut tx, id).await? {
        return Err(invalid("amount", "err-grant-reversed"));
    }
    g::insert_payment(
        &mut tx,
        &g::NewPayment {
            tranche: p.tranche_id,
            amount: -p.amount,
            paid_on: domain::time::today(),
            channel: p.channel,
            reference: &p.reference,
            reverses: Some(id),
            idempotency_key: key,
            recorded_by: actor.user_id,
        },
    )
    .await
    .map_err(payment_error)?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant.payment_reversal",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!("payment {id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(award.id)
}

// ---------------------------------------------------------------------------------------------
// Progress reports and ventures

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub body: String,
    pub purchases: String,
    pub first_sales: String,
}

/// The grantee (or the coordinator with her) reports progress.
pub async fn submit_report(
    store: &Store,
    actor: &Actor,
    id: AwardId,
    input: &ReportInput,
) -> AppResult<ReportId> {
    let (_, app, _, access) = award_for(store, actor, id).await?;
    if !access.grantee() && !access.assist {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let body = block("body", &input.body, 5000, &mut errs);
    if body.is_empty() {
        errs.push(("body".into(), "err-required".into()));
    }
    let purchases = block("purchases", &input.purchases, 3000, &mut errs);
    let first_sales = som("first_sales", &input.first_sales, &mut errs).unwrap_or(0);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let rid = g::insert_report(&mut tx, id, &body, &purchases, first_sales, actor.user_id).await?;
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant.report",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!("report {rid}")),
    )
    .await?;
    tx.commit().await?;
    Ok(rid)
}

/// The coordinator accepts a report, or asks for more (saying what).
pub async fn respond_report(
    store: &Store,
    actor: &Actor,
    id: ReportId,
    decision: &str,
    response: &str,
) -> AppResult<AwardId> {
    let mut c = store.conn().await?;
    let r = g::get_report(&mut c, id).await?.ok_or(AppError::NotFound)?;
    drop(c);
    let (_, app, _, access) = award_for(store, actor, r.award_id).await?;
    if !access.decide && !access.assist {
        return Err(AppError::NotFound);
    }
    let mut errs: Errs = vec![];
    let response = block("response", response, 2000, &mut errs);
    let status = match decision {
        "accept" => ReportStatus::Accepted,
        "more" => ReportStatus::MoreRequested,
        _ => return Err(AppError::BadRequest("err-bad-form")),
    };
    if status == ReportStatus::MoreRequested && response.is_empty() {
        errs.push(("response".into(), "err-grant-say-what".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    if !g::respond_report(&mut tx, id, status, &response, actor.user_id).await? {
        return Err(invalid("response", "err-grant-answered"));
    }
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant.report_response",
            "person",
            app.person_id,
            Some(app.lab_id),
        )
        .with_detail(format!("report {id} {}", status.code())),
    )
    .await?;
    tx.commit().await?;
    Ok(r.award_id)
}

/// The venture with what the actor may do, if she may see its grant.
pub async fn venture_for(
    store: &Store,
    actor: &Actor,
    id: VentureId,
) -> AppResult<(g::Venture, Option<(Award, Application, AppAccess)>)> {
    let mut c = store.conn().await?;
    let v = g::get_venture(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    match v.award_id {
        Some(a) => {
            let (award, app, _, access) = award_for(store, actor, a).await?;
            Ok((v, Some((award, app, access))))
        }
        None if actor.allows(Action::ManageGrants(v.lab_id))
            || actor
                .person_id
                .is_some_and(|p| v.members.iter().any(|m| m.0 == p)) =>
        {
            Ok((v, None))
        }
        None => Err(AppError::NotFound),
    }
}

/// The coordinator (or a member) records that the venture launched, or closed.
pub async fn set_venture_status(
    store: &Store,
    actor: &Actor,
    id: VentureId,
    status: &str,
    on: &str,
) -> AppResult<()> {
    let (v, grant) = venture_for(store, actor, id).await?;
    let allowed = actor.allows(Action::ManageGrants(v.lab_id))
        || grant
            .as_ref()
            .is_some_and(|(_, _, a)| a.staff() || a.grantee());
    if !allowed {
        return Err(AppError::NotFound);
    }
    let status = VentureStatus::parse(status).ok_or(AppError::BadRequest("err-bad-form"))?;
    let on = match domain::time::parse_date(on) {
        Some(d) if d <= domain::time::today() => d,
        _ => return Err(invalid("on", "err-date")),
    };
    let mut tx = store.begin().await?;
    if !g::set_venture_status(&mut tx, id, status, on).await? {
        return Err(AppError::Conflict("err-grant-status"));
    }
    audit::record(
        &mut tx,
        entry(actor, "venture.status", "venture", id, Some(v.lab_id)).with_detail(status.code()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Export for donors

/// A round as donors read it: one row per application, the awards, the ledger.
#[derive(Debug, Clone)]
pub struct Export {
    pub call: Call,
    pub ranking: Ranking,
    pub awards: Vec<(Award, String, String)>,
    /// (payment, applicant)
    pub payments: Vec<(g::Payment, String)>,
}

/// Reads a round for export (the call's managers); the read is audited like other exports.
pub async fn export(store: &Store, actor: &Actor, call: &Call, format: &str) -> AppResult<Export> {
    if !manages(actor, call) {
        return Err(AppError::NotFound);
    }
    let mut tx = store.begin().await?;
    let ranking = ranking_in(&mut tx, call).await?;
    let apps = g::applications(&mut tx, call.id, false).await?;
    let name_of = |id: ApplicationId| {
        apps.iter()
            .find(|a| a.id == id)
            .map(|a| (a.person_name.clone(), a.title.clone()))
            .unwrap_or_default()
    };
    let awards = g::awards_of_call(&mut tx, call.id)
        .await?
        .into_iter()
        .map(|a| {
            let (n, t) = name_of(a.application_id);
            (a, n, t)
        })
        .collect();
    let payments = g::payments_of_call(&mut tx, call.id)
        .await?
        .into_iter()
        .map(|(p, app)| (p, name_of(app).0))
        .collect();
    audit::record(
        &mut tx,
        entry(
            actor,
            "grant_call.export",
            "grant_call",
            call.id,
            call.lab_id,
        )
        .with_detail(format.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(Export {
        call: call.clone(),
        ranking,
        awards,
        payments,
    })
}

/// Dates for forms.
pub fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The export as sheets: applications (one row each), awards, payments. Headers in the reader's
/// language; text cells are neutralised by `documents::table`.
pub fn export_sheets(x: &Export, lang: Lang) -> Vec<documents::table::Sheet> {
    use documents::table::{Cell, Sheet};
    let h = |keys: &[&str]| -> Vec<String> { keys.iter().map(|k| lang.t(k)).collect() };
    let mut apps = Sheet::new(
        "applications",
        h(&[
            "grants-col-applicant",
            "grants-col-title",
            "grants-category",
            "grants-requested",
            "grants-score",
            "grants-spread",
            "grants-col-rank",
            "grants-awarded",
            "grants-paid",
            "grants-col-status",
        ]),
    );
    for r in &x.ranking.rows {
        apps.push(vec![
            Cell::Text(r.applicant.clone()),
            Cell::Text(r.title.clone()),
            Cell::Text(lang.t(&format!("grant-category-{}", r.category))),
            Cell::Money(r.requested),
            r.score.map(Cell::Decimal).unwrap_or(Cell::Empty),
            r.spread.map(Cell::Decimal).unwrap_or(Cell::Empty),
            r.rank.map(|k| Cell::Int(k as i64)).unwrap_or(Cell::Empty),
            r.awarded.map(Cell::Money).unwrap_or(Cell::Empty),
            Cell::Money(r.paid),
            Cell::Text(lang.t(&format!("grant-app-status-{}", r.status))),
        ]);
    }
    let mut awards = Sheet::new(
        "awards",
        h(&[
            "grants-col-applicant",
            "grants-col-title",
            "grants-amount",
            "grants-proposed",
            "grants-adjust-reason",
            "grants-col-decided-on",
            "grants-paid",
        ]),
    );
    for (a, name, title) in &x.awards {
        awards.push(vec![
            Cell::Text(name.clone()),
            Cell::Text(title.clone()),
            Cell::Money(a.amount),
            Cell::Money(a.proposed_amount),
            Cell::Text(a.adjusted_reason.clone()),
            Cell::Date(a.decided_on),
            Cell::Money(a.paid),
        ]);
    }
    let mut payments = Sheet::new(
        "payments",
        h(&[
            "grants-paid-on",
            "grants-col-applicant",
            "grants-amount",
            "grants-channel",
            "grants-reference",
            "grants-reversal",
        ]),
    );
    for (p, name) in &x.payments {
        payments.push(vec![
            Cell::Date(p.paid_on),
            Cell::Text(name.clone()),
            Cell::Money(p.amount),
            Cell::Text(lang.t(&format!("payment-channel-{}", p.channel.code()))),
            Cell::Text(p.reference.clone()),
            Cell::Text(if p.reverses_id.is_some() {
                lang.t("grants-reversal")
            } else {
                String::new()
            }),
        ]);
    }
    vec![apps, awards, payments]
}
