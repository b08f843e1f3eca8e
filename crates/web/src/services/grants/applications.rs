//! Applications: starting one, the draft (budget lines, team, attachments), submitting,
//! withdrawing, the team's confirmation; the application's page and form as read models.
use super::*;

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
    commit(
        tx,
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
    Ok(id)
}

/// An application as typed (money in som); budget lines and team as rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Pairs")]
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

/// Reads a form with rows `line{i}_item`, `line{i}_amount` and repeated `team` boxes.
impl From<Pairs> for ApplicationInput {
    fn from(f: Pairs) -> Self {
        Self {
            title: f.get("title"),
            idea: f.get("idea"),
            category: f.get("category"),
            requested: f.get("requested"),
            own_contribution: f.get("own_contribution"),
            lines: (1..=rules::MAX_BUDGET_LINES)
                .map(|i| {
                    (
                        f.get(&format!("line{i}_item")),
                        f.get(&format!("line{i}_amount")),
                    )
                })
                .collect(),
            team: f.all("team"),
        }
    }
}

impl ApplicationInput {
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
    let title = limit("title", &input.title, 200, &mut errs);
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
        let item = limit("lines", item, 200, &mut errs);
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
    let action = if submit {
        "grant_application.submit"
    } else {
        "grant_application.save"
    };
    let assisted = if filled_by.is_some() { " assisted" } else { "" };
    commit_app(
        tx,
        actor,
        action,
        &app,
        format!("application {id}{assisted}"),
    )
    .await?;
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
    commit_app(tx, actor, "grant_application.withdraw", &app, "").await?;
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
    commit(
        tx,
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
    // The one text rule: a name with control or direction-changing characters is refused.
    let Some(base) = domain::text::file_name(file_name) else {
        return Err(invalid("file", domain::text::BAD_TEXT));
    };
    let mut name: String = base
        .chars()
        .filter(|c| !"\"<>|:*?".contains(*c))
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
    let detail = format!("attachment {aid} {}", kind.content_type());
    commit_app(tx, actor, "grant_application.attach", &app, detail).await?;
    Ok(aid)
}

/// An attachment with its bytes, for whoever may see its application.
pub async fn attachment(
    store: &Store,
    actor: &Actor,
    id: AttachmentId,
) -> AppResult<(g::Attachment, Vec<u8>)> {
    let (meta, bytes) = fetch(store, actor, async |c| g::attachment(c, id).await).await?;
    app_for(store, actor, meta.application_id).await?;
    Ok((meta, bytes))
}

/// An application as its page and its form both show it: with its call, what the reader may
/// do, the budget lines, the team and the attachments.
pub struct Draft {
    pub app: Application,
    pub call: Call,
    pub a: AppAccess,
    pub lines: Vec<g::BudgetLine>,
    pub team: Vec<g::TeamMember>,
    pub attachments: Vec<g::Attachment>,
}

async fn draft(store: &Store, actor: &Actor, id: ApplicationId) -> AppResult<Draft> {
    let (app, call, a) = app_for(store, actor, id).await?;
    let mut c = store.conn().await?;
    Ok(Draft {
        app,
        call,
        a,
        lines: g::budget_lines(&mut c, id).await?,
        team: g::team(&mut c, id).await?,
        attachments: g::attachments(&mut c, id).await?,
    })
}

/// An application's page: the draft or what was submitted, the reviews this reader may read,
/// and for staff and the grantee the award with its money, reports and venture.
pub struct AppView {
    pub d: Draft,
    pub criteria: Vec<g::Criterion>,
    /// Her own review (reviewers).
    pub mine: Option<Review>,
    /// Reviews she may read: the coordinator all submitted, a reviewer after her own.
    pub others: Vec<Review>,
    pub award: Option<Award>,
    pub tranches: Vec<Tranche>,
    pub payments: Vec<g::Payment>,
    pub reports: Vec<g::Report>,
    pub venture: Option<g::Venture>,
}

pub async fn application_view(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
) -> AppResult<AppView> {
    let user = actor.user_id.ok_or(AppError::SignIn)?;
    let d = draft(store, actor, id).await?;
    let a = &d.a;
    let mut conn = store.conn().await?;
    let criteria = g::criteria(&mut conn, d.call.id).await?;
    let all = g::reviews(&mut conn, id, false).await?;
    let mine = if a.review {
        all.iter().find(|r| r.reviewer_id == user).cloned()
    } else {
        None
    };
    let mine_done = mine.as_ref().is_some_and(|m| m.submitted_at.is_some());
    let others: Vec<Review> = if a.decide || mine_done {
        all.into_iter()
            .filter(|r| r.submitted_at.is_some() && r.reviewer_id != user)
            .collect()
    } else {
        vec![]
    };
    let award = if a.staff() || a.grantee() {
        g::award_of(&mut conn, id).await?
    } else {
        None
    };
    let (tranches, payments, reports, venture) = match &award {
        Some(w) => (
            g::tranches(&mut conn, w.id).await?,
            g::payments_of_award(&mut conn, w.id).await?,
            g::reports(&mut conn, w.id).await?,
            g::venture_of_award(&mut conn, w.id).await?,
        ),
        None => (vec![], vec![], vec![], None),
    };
    Ok(AppView {
        d,
        criteria,
        mine,
        others,
        award,
        tranches,
        payments,
        reports,
        venture,
    })
}

/// The draft's form, for whoever may change it (404 for others), with the residents who can
/// join her team.
pub async fn application_form(
    store: &Store,
    actor: &Actor,
    id: ApplicationId,
) -> AppResult<(Draft, Vec<(PersonId, String)>)> {
    let d = draft(store, actor, id).await?;
    if !d.a.edit(&d.app) {
        return Err(AppError::NotFound);
    }
    let candidates = team_candidates(store, d.app.lab_id, d.app.person_id).await?;
    Ok((d, candidates))
}
