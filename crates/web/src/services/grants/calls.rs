//! Calls: the call form and its criteria, creating and changing a call, its status and
//! reviewers; the call as its page and the API read it, and a lab's calls.
use super::*;
use crate::services::pager::{PAGE_SIZE, Pager};

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
#[serde(from = "Pairs")]
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
    /// The version the edit form was opened on; a save onto a newer one is a conflict.
    pub version: String,
}

/// Reads a form whose criterion rows are named `c1_name_ky`, `c1_weight`, ... `c6_...`.
impl From<Pairs> for CallInput {
    fn from(f: Pairs) -> Self {
        let criteria = (1..=rules::MAX_CRITERIA)
            .map(|i| {
                let get = |k: &str| f.get(&format!("c{i}_{k}"));
                CriterionInput {
                    name_ky: get("name_ky"),
                    name_ru: get("name_ru"),
                    name_en: get("name_en"),
                    guidance_ky: get("guidance_ky"),
                    guidance_ru: get("guidance_ru"),
                    guidance_en: get("guidance_en"),
                    weight: get("weight"),
                    max_points: get("max_points"),
                }
            })
            .collect();
        Self {
            title: f.get("title"),
            description: f.get("description"),
            budget: f.get("budget"),
            min_award: f.get("min_award"),
            max_award: f.get("max_award"),
            opens_on: f.get("opens_on"),
            closes_on: f.get("closes_on"),
            cohort: f.get("cohort"),
            criteria,
            version: f.get("version"),
        }
    }
}

impl CallInput {
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
            version: String::new(),
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
    let title = limit("title", &input.title, 200, &mut errs);
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
    let opens_on = super::super::base::date(
        "opens_on",
        &input.opens_on,
        domain::time::DateSpan::Planned,
        &mut errs,
    );
    let closes_on = super::super::base::date(
        "closes_on",
        &input.closes_on,
        domain::time::DateSpan::Planned,
        &mut errs,
    );
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
            name_ky: limit("criteria", &row.name_ky, 120, &mut e2),
            name_ru: limit("criteria", &row.name_ru, 120, &mut e2),
            name_en: limit("criteria", &row.name_en, 120, &mut e2),
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
    commit(tx, entry(actor, "grant_call.create", "grant_call", id, lab)).await?;
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
    // Two coordinators editing the same draft: the later save must not undo the earlier.
    if !input.version.is_empty()
        && g::call_version(&mut tx, call.id).await?.as_deref() != Some(input.version.as_str())
    {
        return Err(AppError::Conflict(crate::services::people::EDIT_CONFLICT));
    }
    if !g::update_draft_call(&mut tx, call.id, &fields).await? {
        return Err(invalid("title", "err-grant-not-draft"));
    }
    commit(tx, about_call(actor, "grant_call.update", call)).await?;
    Ok(())
}

/// The version an edit form of the call carries.
pub async fn call_version(store: &Store, call: GrantCallId) -> AppResult<String> {
    let mut c = store.conn().await?;
    Ok(g::call_version(&mut c, call).await?.unwrap_or_default())
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
    commit(
        tx,
        about_call(actor, "grant_call.status", call).with_detail(format!(
            "{}->{}",
            call.status.code(),
            to.code()
        )),
    )
    .await?;
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
    commit(
        tx,
        about_call(actor, "grant_call.reviewer", call).with_detail(format!("user {user}")),
    )
    .await?;
    Ok(())
}

/// A call as both its page and the API show it: with its lab and criteria.
#[derive(Debug, Clone)]
pub struct CallSummary {
    pub call: Call,
    pub lab: Option<Lab>,
    pub criteria: Vec<g::Criterion>,
    pub access: CallAccess,
}

async fn summary(c: &mut AnyConn, call: Call, access: CallAccess) -> AppResult<CallSummary> {
    let lab = match call.lab_id {
        Some(l) => store::labs::list_labs(c)
            .await?
            .into_iter()
            .find(|x| x.id == l),
        None => None,
    };
    let criteria = g::criteria(c, call.id).await?;
    Ok(CallSummary {
        call,
        lab,
        criteria,
        access,
    })
}

/// The call with its lab and criteria, if the actor may see it.
pub async fn call_summary(store: &Store, actor: &Actor, id: GrantCallId) -> AppResult<CallSummary> {
    let (call, access) = call_for(store, actor, id).await?;
    let mut c = store.conn().await?;
    summary(&mut c, call, access).await
}

/// The call for its managers (its edit form: `draft` only while a draft); 404 for others.
pub async fn managed_call(
    store: &Store,
    actor: &Actor,
    id: GrantCallId,
    draft: bool,
) -> AppResult<CallSummary> {
    let k = call_summary(store, actor, id).await?;
    if !k.access.manage || (draft && k.call.status != CallStatus::Draft) {
        return Err(AppError::NotFound);
    }
    Ok(k)
}

/// The calls the actor may see, one at a time by the same rule as the call's page: a lab's
/// (by its slug, with the network's) or all.
pub async fn visible_calls(
    store: &Store,
    actor: &Actor,
    lab: Option<&str>,
) -> AppResult<Vec<CallSummary>> {
    actor.user_id.ok_or(AppError::SignIn)?;
    let which = match lab {
        Some(slug) => g::Calls::OfLab(super::super::labs::lab_by_slug(store, slug).await?.id),
        None => g::Calls::All,
    };
    let mut c = store.conn().await?;
    let all = g::calls(&mut c, which).await?;
    drop(c);
    let mut out = vec![];
    for k in all {
        if let Ok((call, access)) = call_for(store, actor, k.id).await {
            let mut c = store.conn().await?;
            out.push(summary(&mut c, call, access).await?);
        }
    }
    Ok(out)
}

/// The lab a new call is for (by its slug), for its coordinators; `None`: a network call, for
/// the admin.
pub async fn call_form_lab(
    store: &Store,
    actor: &Actor,
    slug: Option<&str>,
) -> AppResult<Option<Lab>> {
    let lab = match slug {
        Some(slug) => Some(super::super::labs::lab_by_slug(store, slug).await?),
        None => None,
    };
    actor.user_id.ok_or(AppError::SignIn)?;
    if may_manage_lab(actor, lab.as_ref().map(|l| l.id)) {
        Ok(lab)
    } else {
        Err(AppError::NotFound)
    }
}

/// A lab's calls for its coordinators (the network's drafts left out).
pub async fn lab_calls(store: &Store, actor: &Actor, slug: &str) -> AppResult<(Lab, Vec<Call>)> {
    let lab = call_form_lab(store, actor, Some(slug))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut c = store.conn().await?;
    let calls = g::calls(&mut c, g::Calls::OfLab(lab.id))
        .await?
        .into_iter()
        .filter(|k| k.lab_id.is_some() || k.status != CallStatus::Draft)
        .collect();
    Ok((lab, calls))
}

/// A call's page: the call, and what this reader may see of its round.
pub struct CallView {
    pub k: CallSummary,
    pub reviewers: Vec<g::Person>,
    pub candidates: Vec<g::Person>,
    /// (application, her review submitted, conflict declared) — one page of what this reader may
    /// list.
    pub apps: Vec<(Application, bool, bool)>,
    /// Which page of them, of how many.
    pub pager: Pager,
    pub conflicts: Vec<g::Conflict>,
    /// Women a coordinator may start an application with.
    pub women: Vec<(PersonId, String)>,
}

/// The call's page with page `page` (from 0, [`PAGE_SIZE`] a page) of its applications; a page
/// past the last is refused (`err-page`).
pub async fn call_view(
    store: &Store,
    actor: &Actor,
    id: GrantCallId,
    page: i64,
) -> AppResult<CallView> {
    let k = call_summary(store, actor, id).await?;
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let (call, a) = (&k.call, &k.access);
    let mut conn = store.conn().await?;
    let (reviewers, candidates, conflicts) = if a.manage {
        (
            g::reviewers(&mut conn, id).await?,
            g::reviewer_candidates(&mut conn, call.lab_id).await?,
            g::conflicts(&mut conn, id).await?,
        )
    } else {
        (vec![], vec![], vec![])
    };
    // The coordinator sees every application, a lab's coordinator her lab's, a reviewer the
    // submitted and decided ones, an applicant her own.
    let who = g::Visible {
        all: a.manage,
        labs: a.assist.clone(),
        reviewer: a.review,
        person: actor.person_id,
    };
    let total = g::count_visible_applications(&mut conn, id, &who).await?;
    let pager = Pager::new(page, PAGE_SIZE, total)?;
    let shown = g::visible_applications(&mut conn, id, &who, pager.limit(), pager.offset()).await?;
    let state = if a.review {
        g::review_state(&mut conn, id, user).await?
    } else {
        vec![]
    };
    let apps = shown
        .into_iter()
        .map(|x| {
            let (done, conflict) = state
                .iter()
                .find(|(i, _, _)| *i == x.id)
                .map(|(_, d, k)| (*d, *k))
                .unwrap_or((false, false));
            (x, done, conflict)
        })
        .collect();
    let mut women = vec![];
    if call.accepting(domain::time::today()) {
        for lab in &a.assist {
            for r in
                store::residency::of_lab(&mut conn, *lab, Some(ResidencyStatus::Active)).await?
            {
                if call
                    .cohort_id
                    .is_none_or(|k| r.residency.cohort_id == Some(k))
                    && !women.iter().any(|(p, _)| *p == r.residency.person_id)
                {
                    women.push((r.residency.person_id, r.person_name));
                }
            }
        }
        women.sort_by(|x, y| x.1.cmp(&y.1));
    }
    Ok(CallView {
        k,
        reviewers,
        candidates,
        apps,
        pager,
        conflicts,
        women,
    })
}
