//! Impact and learning: outcome records, targets, indicators for a cut (labs, cohort, period,
//! region), the public figures (suppressed below five women) and the positive-deviance list.
//! Indicators are computed by `analytics::indicators` from the facts the store reads; the same
//! function feeds the dashboard, the public page, the API and the donors' report.
mod practices;
mod views;
pub use practices::*;
pub use views::*;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::services::base::entry;
use analytics::indicators::{self as ind, Cell, Cut, Facts, Figure};
use chrono::{Datelike, Months, NaiveDate};
use documents::table::{Cell as Out, Sheet};
use domain::impact::{
    INDICATORS, Indicator, IndicatorGroup, OutcomeKind, OutcomeSource, SUPPRESS_BELOW, Unit,
    age_band, income_band, parse_income, parse_target,
};
use domain::{Action, Actor, CohortId, LabId, LabScope, OutcomeId, PersonId, TargetId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::labs::Lab;
use store::{Store, audit};

/// An outcome as typed on a form or sent by the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeInput {
    #[schema(required = true, schema_with = outcome_kinds)]
    pub kind: String,
    /// `2026-11-23` (forms may also write `23.11.2026`); not in the future.
    #[schema(required = true, format = Date)]
    pub occurred_on: String,
    /// Monthly income from creative work in som, for `income`.
    pub amount: String,
    pub note: String,
    /// A coordinator saw evidence (checkbox `on`).
    pub verified: String,
}

fn outcome_kinds() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::Object::builder()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(OutcomeKind::ALL.iter().map(|k| k.code())))
        .build()
}

struct ValidOutcome {
    kind: OutcomeKind,
    on: NaiveDate,
    amount: Option<i64>,
    note: String,
}

fn validate_outcome(i: &OutcomeInput) -> Result<ValidOutcome, Vec<(String, String)>> {
    let mut errs = vec![];
    let kind = OutcomeKind::parse(&i.kind);
    if kind.is_none() {
        errs.push(("kind".into(), "err-outcome-kind".into()));
    }
    let today = domain::time::today();
    let on = domain::time::parse_date(&i.occurred_on).filter(|d| {
        domain::time::plausible("occurred_on", *d, domain::time::DateSpan::Past, today).is_ok()
    });
    if on.is_none() {
        errs.push(("occurred_on".into(), "err-outcome-date".into()));
    }
    let amount = match kind {
        Some(OutcomeKind::Income) => match parse_income(&i.amount) {
            Ok(a) => Some(a),
            Err(e) => {
                errs.push(("amount".into(), e.key.into()));
                None
            }
        },
        _ => None,
    };
    let note = i.note.trim().to_string();
    if note.chars().count() > 500 {
        errs.push(("note".into(), "err-too-long".into()));
    }
    match (kind, on) {
        (Some(kind), Some(on)) if errs.is_empty() => Ok(ValidOutcome {
            kind,
            on,
            amount,
            note,
        }),
        _ => Err(errs),
    }
}

/// A coordinator of her lab records what happened to a woman.
pub async fn record_outcome(
    store: &Store,
    actor: &Actor,
    person: PersonId,
    input: &OutcomeInput,
) -> AppResult<OutcomeId> {
    let v = validate_outcome(input).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &actor.people_scope(), person)
        .await?
        .ok_or(AppError::NotFound)?;
    if !actor.allows(Action::ManageImpact(p.lab_id)) {
        return Err(AppError::NotFound);
    }
    let source = if input.verified == "on" {
        OutcomeSource::Verified
    } else {
        OutcomeSource::SelfReported
    };
    let detail = format!("person={person} kind={}", v.kind.code());
    let id = save_outcome(&mut tx, actor, &p, &v, source, ("outcome.record", detail)).await?;
    tx.commit().await?;
    Ok(id)
}

/// A resident reports her own outcome (always self-reported).
pub async fn report_own_outcome(
    store: &Store,
    actor: &Actor,
    input: &OutcomeInput,
) -> AppResult<OutcomeId> {
    let person = actor.person_id.ok_or(AppError::NotFound)?;
    if !actor.allows(Action::OwnProfile(person)) {
        return Err(AppError::NotFound);
    }
    let v = validate_outcome(input).map_err(AppError::Invalid)?;
    let mut tx = store.begin().await?;
    let p = store::people::get_scoped(&mut tx, &LabScope::All, person)
        .await?
        .ok_or(AppError::NotFound)?;
    let source = OutcomeSource::SelfReported;
    let detail = format!("kind={}", v.kind.code());
    let id = save_outcome(&mut tx, actor, &p, &v, source, ("outcome.report", detail)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Stores an outcome of a woman with its audit row (`action` and its detail).
async fn save_outcome(
    tx: &mut store::AnyConn,
    actor: &Actor,
    p: &store::people::Person,
    v: &ValidOutcome,
    source: OutcomeSource,
    (action, detail): (&str, String),
) -> AppResult<OutcomeId> {
    let new = store::impact::NewOutcome {
        person_id: p.id,
        lab_id: p.lab_id,
        kind: v.kind,
        occurred_on: v.on,
        amount: v.amount,
        source,
        note: &v.note,
    };
    let id = store::impact::insert_outcome(tx, &new, actor.user_id).await?;
    let e = entry(actor, action, "outcome", id, Some(p.lab_id)).with_detail(detail);
    audit::record(tx, e).await?;
    Ok(id)
}

/// Removes a record typed in error: coordinators of her lab.
pub async fn remove_outcome(store: &Store, actor: &Actor, id: OutcomeId) -> AppResult<PersonId> {
    let mut tx = store.begin().await?;
    let o = store::impact::outcome_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !actor.allows(Action::ManageImpact(o.lab_id)) {
        return Err(AppError::NotFound);
    }
    store::impact::delete_outcome(&mut tx, id).await?;
    audit::record(
        &mut tx,
        entry(actor, "outcome.remove", "outcome", id, Some(o.lab_id)).with_detail(format!(
            "person={} kind={} on={} amount={}",
            o.person_id,
            o.kind.code(),
            o.occurred_on,
            o.amount.map(|a| a.to_string()).unwrap_or_default()
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(o.person_id)
}

/// Her outcomes, for staff who may read her record or for herself.
pub async fn outcomes_of(
    store: &Store,
    actor: &Actor,
    person: PersonId,
) -> AppResult<Vec<store::impact::Outcome>> {
    let mut tx = store.begin().await?;
    if !actor.allows(Action::OwnProfile(person)) {
        // Her income is sensitive: a staff member's read is audited.
        let p = store::people::get_scoped(&mut tx, &actor.people_scope(), person)
            .await?
            .ok_or(AppError::NotFound)?;
        audit::record(
            &mut tx,
            entry(actor, "outcome.read", "person", person, Some(p.lab_id)),
        )
        .await?;
    }
    let list = store::impact::outcomes_of(&mut tx, person).await?;
    tx.commit().await?;
    Ok(list)
}

/// A target as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TargetInput {
    pub indicator: String,
    pub starts_on: String,
    pub ends_on: String,
    pub target: String,
}

fn may_set_targets(actor: &Actor, lab: Option<LabId>) -> bool {
    match lab {
        Some(l) => actor.allows(Action::ManageImpact(l)),
        None => actor.allows(Action::ManageNetwork),
    }
}

/// Sets a target of a lab, or of the network (`lab` None: the admin).
pub async fn set_target(
    store: &Store,
    actor: &Actor,
    lab: Option<LabId>,
    input: &TargetInput,
) -> AppResult<TargetId> {
    if !may_set_targets(actor, lab) {
        return Err(AppError::NotFound);
    }
    let mut errs = vec![];
    let parsed = parse_target(&input.indicator, &input.target)
        .map_err(|e| errs.push((e.field.to_string(), e.key.to_string())))
        .ok();
    let from = domain::time::parse_date(&input.starts_on);
    let to = domain::time::parse_date(&input.ends_on);
    match (from, to) {
        (Some(f), Some(t)) if f <= t && (t - f).num_days() <= 366 * 5 => {}
        _ => errs.push(("ends_on".into(), "err-period".into())),
    }
    let (Some((ind, value)), Some(from), Some(to), true) = (parsed, from, to, errs.is_empty())
    else {
        return Err(AppError::Invalid(errs));
    };
    let mut tx = store.begin().await?;
    let id = store::impact::insert_target(
        &mut tx,
        &store::impact::NewTarget {
            lab_id: lab,
            indicator: ind.code,
            starts_on: from,
            ends_on: to,
            target: value,
        },
        actor.user_id,
    )
    .await?;
    audit::record(
        &mut tx,
        entry(actor, "target.set", "indicator_target", id, lab)
            .with_detail(format!("{}={value} {from}..{to}", ind.code)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a target; answers the slug of its lab (empty for the network's), where its dashboard is.
pub async fn remove_target(store: &Store, actor: &Actor, id: TargetId) -> AppResult<String> {
    let mut tx = store.begin().await?;
    let t = store::impact::target_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_set_targets(actor, t.lab_id) {
        return Err(AppError::NotFound);
    }
    store::impact::delete_target(&mut tx, id).await?;
    audit::record(
        &mut tx,
        entry(actor, "target.remove", "indicator_target", id, t.lab_id)
            .with_detail(format!("{}={}", t.indicator, t.target)),
    )
    .await?;
    let slug = match t.lab_id {
        Some(l) => store::labs::lab(&mut tx, l).await?.map(|x| x.slug),
        None => None,
    };
    tx.commit().await?;
    Ok(slug.unwrap_or_default())
}

/// Which records a dashboard counts, as given in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct CutInput {
    /// A lab's slug; empty for the network.
    pub lab: String,
    /// A cohort id (of that lab).
    pub cohort: String,
    /// A region name: the labs of that region.
    pub region: String,
    /// First day counted: `2026-01-01`.
    pub from: String,
    /// Last day counted.
    pub to: String,
}

/// A resolved cut: the labs it covers (for naming and targets) and the analytics cut.
#[derive(Debug, Clone)]
pub struct Scope {
    pub lab: Option<Lab>,
    pub labs: Vec<Lab>,
    /// Every lab of the network (public figures are protected across all of them).
    pub network: Vec<Lab>,
    pub cohort: Option<CohortId>,
    pub region: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Scope {
    pub fn cut(&self) -> Cut {
        Cut {
            labs: Some(self.labs.iter().map(|l| l.id.to_string()).collect()),
            cohort: self.cohort.map(|c| c.to_string()),
            from: self.from,
            to: self.to,
        }
    }
    pub fn lab_scope(&self) -> LabScope {
        LabScope::Only(self.labs.iter().map(|l| l.id).collect())
    }
}

/// The default period: the last 24 whole months up to today.
pub fn default_period() -> (NaiveDate, NaiveDate) {
    let today = domain::time::today();
    let first = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(23)))
        .unwrap_or(today);
    (first, today)
}

/// Public figures cover whole months only: a period asked for is widened to the first day of
/// its first month and the last day of its last month, so that two public queries a day apart
/// (or any two that are not whole months) cannot be subtracted to reveal a few women.
pub fn public_period(scope: &mut Scope) {
    scope.from = scope.from.with_day(1).unwrap_or(scope.from);
    let next_month = scope
        .to
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)));
    if let Some(last) = next_month.and_then(|d| d.pred_opt()) {
        scope.to = last;
    }
}

/// A public count of women, rounded to a multiple of five (half up), so that the difference
/// of two public figures never tells an exact small number. Counts of 1 to 4 are withheld
/// before this; 0 stays 0.
pub fn round_public(v: i64) -> i64 {
    (v + 2).div_euclid(5) * 5
}

/// How many women's earnings behind a figure come from sales and from what they reported, as
/// shown: exact, or for the public rounded like any count of women and `None` for 1 to 4.
pub fn source_counts(src: &ind::Source, exact: bool) -> (Option<i64>, Option<i64>) {
    let shown = |n: i64| {
        if exact || n == 0 {
            Some(n)
        } else if n < SUPPRESS_BELOW {
            None
        } else {
            Some(round_public(n))
        }
    };
    (shown(src.sales), shown(src.reported))
}

/// Resolves the query of a dashboard, the public page or the API. Unknown labs answer 404; a bad
/// date is a message. `lab` given by slug in the input, or fixed by the route.
pub async fn resolve(store: &Store, input: &CutInput) -> AppResult<Scope> {
    let mut c = store.conn().await?;
    let all = store::labs::list_labs(&mut c).await?;
    let lab = if input.lab.trim().is_empty() {
        None
    } else {
        Some(
            all.iter()
                .find(|l| l.slug == input.lab.trim())
                .cloned()
                .ok_or(AppError::NotFound)?,
        )
    };
    let region = Some(input.region.trim().to_string()).filter(|r| !r.is_empty());
    let labs: Vec<Lab> = match (&lab, &region) {
        (Some(l), _) => vec![l.clone()],
        (None, Some(r)) => all.iter().filter(|l| &l.region == r).cloned().collect(),
        (None, None) => all.clone(),
    };
    let (df, dt) = default_period();
    let mut errs = vec![];
    let parse = |s: &str, default: NaiveDate, field: &str, errs: &mut Vec<(String, String)>| {
        if s.trim().is_empty() {
            return default;
        }
        domain::time::parse_date(s).unwrap_or_else(|| {
            errs.push((field.to_string(), "err-date".to_string()));
            default
        })
    };
    let from = parse(&input.from, df, "from", &mut errs);
    let to = parse(&input.to, dt, "to", &mut errs);
    if from > to {
        errs.push(("to".into(), "err-period".into()));
    }
    let cohort = if input.cohort.trim().is_empty() {
        None
    } else {
        let id: Option<CohortId> = input.cohort.trim().parse().ok();
        let found = match id {
            Some(id) => store::residency::cohort(&mut c, id)
                .await?
                .filter(|co| labs.iter().any(|l| l.id == co.lab_id)),
            None => None,
        };
        if found.is_none() {
            errs.push(("cohort".into(), "err-cohort".into()));
        }
        found.map(|co| co.id)
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(Scope {
        lab,
        labs,
        network: all,
        cohort,
        region,
        from,
        to,
    })
}

/// Whether the actor sees exact figures for the scope: coordinators of the lab, the admin for
/// anything. Everyone else sees the public, suppressed figures.
pub fn sees_exact(actor: &Actor, scope: &Scope) -> bool {
    if actor.allows(Action::ManageNetwork) {
        return true;
    }
    !scope.labs.is_empty()
        && scope
            .labs
            .iter()
            .all(|l| actor.allows(Action::ManageImpact(l.id)))
}

/// Reads the facts of the scope's labs; for `public` figures, of every lab (a public figure is
/// protected against the figures of the other labs, see [`indicators`]).
pub async fn facts(store: &Store, scope: &Scope, public: bool) -> AppResult<Facts> {
    let mut c = store.conn().await?;
    let labs = if public {
        LabScope::All
    } else {
        scope.lab_scope()
    };
    let f = store::impact::facts(&mut c, &labs).await?;
    Ok(f)
}

/// One indicator's figure as shown: its catalogue entry, the figure, and whether it is withheld.
#[derive(Debug, Clone)]
pub struct Shown {
    pub ind: &'static Indicator,
    pub fig: Figure,
    pub suppressed: bool,
}

impl Shown {
    /// The value for display or export, `None` when withheld or unknown.
    pub fn value(&self) -> Option<i64> {
        if self.suppressed {
            None
        } else {
            self.fig.value
        }
    }
}

/// Whether an indicator's parts add up to it (labs to the network, settlement lines to women
/// reached), so that a withheld part could be worked out by subtraction. Medians and mean changes
/// do not add up.
fn adds_up(i: &Indicator) -> bool {
    i.unit != Unit::Points && i.code != "median-income-change"
}

/// The lines of "women reached" by settlement: rural + urban + unknown = women reached.
const SETTLEMENT: [&str; 3] = [
    "women-reached-rural",
    "women-reached-urban",
    "women-reached-unknown",
];

fn position(code: &str) -> usize {
    INDICATORS
        .iter()
        .position(|i| i.code == code)
        .unwrap_or_default()
}

/// Protects one table's settlement lines against its "women reached" (see `ind::protect`).
fn protect_settlement(t: &mut [Cell]) -> bool {
    let r = position("women-reached");
    let lines: Vec<usize> = SETTLEMENT.iter().map(|c| position(c)).collect();
    let mut total = t[r];
    let mut parts: Vec<Cell> = lines.iter().map(|&i| t[i]).collect();
    let changed = ind::protect(&mut total, &mut parts, SUPPRESS_BELOW, true);
    t[r] = total;
    for (&i, c) in lines.iter().zip(parts) {
        t[i] = c;
    }
    changed
}

/// Protects a total's cells against the cells of the labs that make it up, indicator by
/// indicator; with `may_hide_parts` false only the total's cells may be withheld.
fn protect_across(total: &mut [Cell], labs: &mut [Vec<Cell>], may_hide_parts: bool) -> bool {
    let mut changed = false;
    for (i, x) in INDICATORS.iter().enumerate() {
        if !adds_up(x) {
            continue;
        }
        let mut parts: Vec<Cell> = labs.iter().map(|t| t[i]).collect();
        changed |= ind::protect(&mut total[i], &mut parts, SUPPRESS_BELOW, may_hide_parts);
        for (t, c) in labs.iter_mut().zip(parts) {
            t[i] = c;
        }
    }
    changed
}

/// The figures of a view as shown, and of each of its labs when it covers several (aligned with
/// `scope.labs`; empty otherwise).
pub struct View {
    pub shown: Vec<Shown>,
    pub by_lab: Vec<Vec<Shown>>,
}

/// Every indicator of the catalogue for the scope, and for each of its labs when it has several.
///
/// `public`: figures behind 1 to 4 women are withheld (a true zero is shown), and more figures
/// where a withheld one could be worked out by subtraction (`ind::protect`): the settlement lines
/// against women reached, and every lab against the network, so that the same cells are withheld
/// on every page (the network's, each lab's, a region's, the exports); `facts` must then cover
/// every lab of the network. A region's figure is withheld when its withheld labs would give it
/// away.
pub fn indicators(facts: &Facts, scope: &Scope, public: bool) -> View {
    // One lab's figures from its part of the facts (the same figures, see `Facts::by_lab`).
    let parts = if public || scope.labs.len() > 1 {
        facts.by_lab()
    } else {
        Default::default()
    };
    indicators_in(facts, &parts, scope, public)
}

/// [`indicators`], with each lab's part of the facts split already (`Facts::by_lab`; empty when
/// the view is exact and of one lab).
pub fn indicators_in(
    facts: &Facts,
    parts: &HashMap<String, Facts>,
    scope: &Scope,
    public: bool,
) -> View {
    let codes: Vec<&'static str> = INDICATORS.iter().map(|i| i.code).collect();
    let cut_of = |labs: &[Lab]| Cut {
        labs: Some(labs.iter().map(|l| l.id.to_string()).collect()),
        ..scope.cut()
    };
    let figures = |labs: &[Lab]| ind::figures(facts, &cut_of(labs), &codes);
    let empty = Facts::default();
    let lab_figures = |l: &Lab| {
        let part = parts.get(&l.id.to_string()).unwrap_or(&empty);
        ind::figures(part, &cut_of(std::slice::from_ref(l)), &codes)
    };
    let shown = |figs: Vec<Figure>, cells: Option<&Vec<Cell>>| -> Vec<Shown> {
        figs.into_iter()
            .zip(INDICATORS)
            .enumerate()
            .map(|(i, (mut fig, ind))| {
                let public = cells.is_some();
                if public && ind.unit == domain::impact::Unit::Women {
                    fig.value = fig.value.map(round_public);
                }
                Shown {
                    ind,
                    suppressed: cells.is_some_and(|c| {
                        c.get(i)
                            .map_or(fig.suppressed(SUPPRESS_BELOW), |c| c.hidden)
                    }),
                    fig,
                }
            })
            .collect()
    };
    let several = scope.labs.len() > 1;
    let view_figs = figures(&scope.labs);
    let lab_figs: Vec<Vec<Figure>> = if public || several {
        scope.labs.iter().map(lab_figures).collect()
    } else {
        vec![]
    };
    if !public {
        return View {
            shown: shown(view_figs, None),
            by_lab: if several {
                lab_figs.into_iter().map(|f| shown(f, None)).collect()
            } else {
                vec![]
            },
        };
    }
    let cells = |figs: &[Figure]| -> Vec<Cell> {
        figs.iter().map(|f| Cell::of(f, SUPPRESS_BELOW)).collect()
    };
    // The network and its labs: withheld cells decided once for every page.
    let net_figs = figures(&scope.network);
    let mut net = cells(&net_figs);
    let mut labs: Vec<Vec<Cell>> = scope
        .network
        .iter()
        .map(|l| cells(&lab_figures(l)))
        .collect();
    loop {
        let mut changed = protect_settlement(&mut net);
        for t in labs.iter_mut() {
            changed |= protect_settlement(t);
        }
        changed |= protect_across(&mut net, &mut labs, true);
        if !changed {
            break;
        }
    }
    let index = |l: &Lab| scope.network.iter().position(|x| x.id == l.id);
    let mut mine: Vec<Vec<Cell>> = scope
        .labs
        .iter()
        .map(|l| index(l).map(|k| labs[k].clone()).unwrap_or_default())
        .collect();
    let view = if let [one] = mine.as_slice() {
        one.clone()
    } else if scope.labs.len() == scope.network.len() {
        net
    } else {
        // A region: its own cells, withheld too where its withheld labs would give them away.
        let mut region = cells(&view_figs);
        loop {
            let mut changed = protect_across(&mut region, &mut mine, false);
            changed |= protect_settlement(&mut region);
            if !changed {
                break;
            }
        }
        region
    };
    View {
        shown: shown(view_figs, Some(&view)),
        by_lab: if several {
            lab_figs
                .into_iter()
                .zip(&mine)
                .map(|(f, c)| shown(f, Some(c)))
                .collect()
        } else {
            vec![]
        },
    }
}

/// A target with the value reached in its own period and lab.
#[derive(Debug, Clone)]
pub struct TargetProgress {
    pub target: store::impact::Target,
    pub ind: &'static Indicator,
    pub reached: Option<i64>,
    /// The figure reached, with how many women stand behind it (whether a public view withholds it).
    pub figure: Figure,
}

/// Targets of the scope (a lab's, or the network's) with what is reached so far.
pub async fn targets(
    store: &Store,
    facts: &Facts,
    scope: &Scope,
) -> AppResult<Vec<TargetProgress>> {
    let mut c = store.conn().await?;
    let list = store::impact::targets(&mut c, scope.lab.as_ref().map(|l| l.id)).await?;
    drop(c);
    Ok(progress(list, facts, scope))
}

/// What `list` (targets of the scope's lab, or the network's) has reached in `facts`.
pub fn progress(
    list: Vec<store::impact::Target>,
    facts: &Facts,
    scope: &Scope,
) -> Vec<TargetProgress> {
    list.into_iter()
        .filter_map(|t| {
            let ind = domain::impact::indicator(&t.indicator)?;
            let cut = Cut {
                labs: Some(match t.lab_id {
                    Some(l) => [l.to_string()].into(),
                    None => scope.labs.iter().map(|l| l.id.to_string()).collect(),
                }),
                cohort: None,
                from: t.starts_on,
                to: t.ends_on,
            };
            let figure = ind::figure(facts, &cut, ind.code);
            Some(TargetProgress {
                target: t,
                ind,
                reached: figure.value,
                figure,
            })
        })
        .collect()
}

/// One woman whose outcome is far better than expected for women who started like her.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeviantView {
    pub person_id: uuid::Uuid,
    pub name: String,
    /// `income` (change of monthly income, tyiyn) or a scale code (change in points ×100).
    pub outcome: String,
    pub value: i64,
    pub group_median: i64,
    pub group_size: usize,
    /// How far above her group, in robust standard deviations.
    pub z: f64,
    /// The baseline conditions her comparison group shares: `settlement=rural`, ...
    pub group: Vec<String>,
}

/// Covariates in order of importance: the last is dropped first when a group is too small.
const COVARIATES: [&str; 5] = [
    "settlement",
    "prior-income",
    "family-support",
    "age",
    "occupation",
];

fn baseline(p: &ind::PersonFact, year: i32) -> Vec<(&'static str, String)> {
    let v = [
        match p.rural {
            Some(true) => "rural",
            Some(false) => "urban",
            None => "unknown",
        }
        .to_string(),
        income_band(p.prior_income).to_string(),
        p.family_support.clone(),
        age_band(p.birth_year, year).to_string(),
        p.occupation.clone().unwrap_or_else(|| "unknown".into()),
    ];
    COVARIATES.iter().copied().zip(v).collect()
}

/// The positive-deviance list of a lab: coordinators of the lab and the network admin; the read
/// is audited (it names women).
pub async fn positive_deviance(
    store: &Store,
    actor: &Actor,
    lab: &Lab,
) -> AppResult<Vec<DeviantView>> {
    if !actor.allows(Action::ManageImpact(lab.id)) {
        return Err(AppError::NotFound);
    }
    let scope = LabScope::Only(vec![lab.id]);
    let mut tx = store.begin().await?;
    let facts = store::impact::facts(&mut tx, &scope).await?;
    let year = domain::time::today().year();
    let people: std::collections::HashMap<&str, &ind::PersonFact> =
        facts.people.iter().map(|p| (p.id.as_str(), p)).collect();
    let everything = Cut {
        labs: None,
        cohort: None,
        from: NaiveDate::MIN,
        to: NaiveDate::MAX,
    };
    let subjects: Vec<analytics::deviance::Subject<String>> =
        ind::income_changes(&facts, &people, &everything)
            .into_iter()
            .filter_map(|(p, before, after)| {
                let person = people.get(p)?;
                Some(analytics::deviance::Subject {
                    key: p.to_string(),
                    baseline: baseline(person, year),
                    outcome: (after - before) as f64,
                })
            })
            .collect();
    let found = analytics::deviance::positive_deviants(
        &subjects,
        &analytics::deviance::Options {
            min_subjects: 5,
            ..analytics::deviance::Options::default()
        },
    );
    let mut out = vec![];
    for d in found {
        let Ok(id) = d.key.parse::<PersonId>() else {
            continue;
        };
        let Some(p) = store::people::get_scoped(&mut tx, &scope, id).await? else {
            continue;
        };
        out.push(DeviantView {
            person_id: id.0,
            name: p.full_name(),
            outcome: "income".into(),
            value: d.outcome.round() as i64,
            group_median: d.group_median.round() as i64,
            group_size: d.group_size,
            z: (d.z * 10.0).round() / 10.0,
            group: d.group.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        });
    }
    audit::record(
        &mut tx,
        entry(actor, "impact.deviance.read", "lab", lab.id, Some(lab.id))
            .with_detail(format!("{} listed", out.len())),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// The stable code of an indicator's unit (translated as `unit-<code>`, named in the API).
pub fn unit_code(u: Unit) -> &'static str {
    match u {
        Unit::Women => "women",
        Unit::Things => "things",
        Unit::Money => "money",
        Unit::Points => "points",
    }
}

/// The figures of a cut for the exports, one sheet per indicator group: a row per indicator for
/// the whole view and, when it covers several labs, for each lab. Exact figures for those who see
/// them; with `allow_public`, anyone else gets the public (withheld below five women) figures;
/// cohort cuts are never public. The export is audited.
pub async fn indicator_sheets(
    store: &Store,
    actor: &Actor,
    lang: Lang,
    cut: &CutInput,
    allow_public: bool,
) -> AppResult<Vec<Sheet>> {
    let mut cut = cut.clone();
    if !allow_public {
        // The dashboard's exports: its staff only, before anything is looked up; a coordinator's
        // start at her lab as the dashboard does.
        dashboard_allowed(actor)?;
        let all = {
            let mut c = store.conn().await?;
            store::labs::list_labs(&mut c).await?
        };
        views::own_lab_by_default(actor, &all, &mut cut);
    }
    let scope = resolve(store, &cut).await?;
    let exact = sees_exact(actor, &scope);
    if !exact && (!allow_public || scope.cohort.is_some()) {
        return Err(AppError::NotFound);
    }
    let public = !exact;
    let mut scope = scope;
    if public {
        public_period(&mut scope);
    }
    let facts = facts(store, &scope, public).await?;
    let view = indicators(&facts, &scope, public);
    let lab_name = |l: &Lab| l.name(lang.code()).to_string();
    let sdg_prefix = lang.t("export-sdg");
    let sdg = |s: &[u8]| {
        s.iter()
            .map(|n| format!("{sdg_prefix} {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let headers: Vec<String> = [
        "export-lab",
        "export-group",
        "export-indicator",
        "export-code",
        "export-from",
        "export-to",
        "export-value",
        "export-unit",
        "export-sdg",
        "export-note",
    ]
    .iter()
    .map(|k| lang.t(k))
    .collect();
    let mut views: Vec<(String, &Vec<Shown>)> = vec![(lang.t("impact-all-labs"), &view.shown)];
    for (l, shown) in scope.labs.iter().zip(&view.by_lab) {
        views.push((lab_name(l), shown));
    }
    if let Some(l) = &scope.lab {
        views[0].0 = lab_name(l);
    }
    let mut sheets = vec![];
    for g in IndicatorGroup::ALL {
        let group = lang.t(&format!("ind-group-{}", g.code()));
        let mut sheet = Sheet::new(group.clone(), headers.clone());
        for (name, list) in &views {
            for shown in list.iter().filter(|x| x.ind.group == *g) {
                // A withheld figure leaves its cell empty (the column stays numeric, so a
                // spreadsheet sums it) and says why in the note.
                let note = if shown.suppressed {
                    Out::Text(lang.t("export-withheld-note"))
                } else {
                    Out::Empty
                };
                let value = match (shown.value(), shown.ind.unit) {
                    (None, _) => Out::Empty,
                    (Some(v), Unit::Money) => Out::Money(v),
                    (Some(v), Unit::Points) => Out::Decimal(v as f64 / 100.0),
                    (Some(v), _) => Out::Int(v),
                };
                sheet.push(vec![
                    Out::Text(name.clone()),
                    Out::Text(group.clone()),
                    Out::Text(lang.t(&format!("ind-{}", shown.ind.code))),
                    Out::Text(shown.ind.code.to_string()),
                    Out::Date(scope.from),
                    Out::Date(scope.to),
                    value,
                    Out::Text(lang.t(&format!("unit-{}", unit_code(shown.ind.unit)))),
                    Out::Text(sdg(shown.ind.sdg)),
                    note,
                ]);
            }
        }
        sheets.push(sheet);
    }
    let mut tx = store.begin().await?;
    audit::record(
        &mut tx,
        audit::Entry {
            actor: actor.user_id,
            action: "impact.export",
            entity: "indicators",
            entity_id: None,
            lab: scope.lab.as_ref().map(|l| l.id),
            detail: format!("{}..{} public={public}", scope.from, scope.to),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(sheets)
}
