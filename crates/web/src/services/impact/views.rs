//! Read models of the impact pages and the API: each decides who may see it once and reads once.
use super::{
    CutInput, Scope, TargetProgress, facts, indicators, indicators_in, positive_deviance, progress,
    public_period, resolve, sees_exact, targets,
};
use super::{DeviantView, Shown, outcomes_of};
use crate::error::{AppError, AppResult};
use crate::services::kept::kept;
use analytics::indicators::{self as ind, Figure};
use domain::{Action, Actor, PersonId};
use std::collections::HashMap;
use std::sync::Arc;
use store::Store;
use store::impact::{Outcome, Practice};
use store::labs::Lab;
use store::people::Person;
use store::residency::Cohort;
use store::versions::Records;

/// Who may open the dashboard and its exports at all: the admin and coordinators.
pub fn dashboard_allowed(actor: &Actor) -> AppResult<()> {
    if !actor.is_signed_in() {
        return Err(AppError::SignIn);
    }
    if actor.allows(Action::ManageNetwork) || actor.is_coordinator() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A cut with what is computed for it: the indicators as shown, the targets, a monthly series
/// and the funnel.
pub struct Figures {
    pub scope: Scope,
    pub shown: Vec<Shown>,
    /// Each lab's figures when the view covers several (aligned with `scope.labs`).
    pub by_lab: Vec<Vec<Shown>>,
    pub targets: Vec<TargetProgress>,
    /// The month-by-month series of the indicator asked for.
    pub monthly: Vec<(String, Figure)>,
    /// From first contact to her own income.
    pub funnel: Vec<(&'static str, Figure)>,
    /// Public figures (withheld where needed) or exact ones.
    pub public: bool,
}

/// The indicator a dashboard draws month by month: one of the catalogue's, attendance otherwise.
pub fn series_code(asked: &str) -> &'static str {
    domain::impact::INDICATORS
        .iter()
        .find(|i| i.code == asked)
        .map_or("attendance", |i| i.code)
}

/// What a page or the API shows of one cut, computed from its facts.
#[derive(Debug)]
pub struct Computed {
    pub shown: Vec<Shown>,
    /// Each lab's figures when the cut covers several (aligned with `scope.labs`).
    pub by_lab: Vec<Vec<Shown>>,
    pub targets: Vec<TargetProgress>,
    /// The month-by-month series of one indicator.
    pub monthly: Vec<(String, Figure)>,
    /// From first contact to her own income.
    pub funnel: Vec<(&'static str, Figure)>,
}

/// The figures of a cut, from those kept at the records' version or computed from the facts
/// (see [`crate::services::kept`]). They depend on the view (public or exact), the labs and the
/// period of the cut, its cohort, the lab whose targets are shown, and the series drawn.
///
/// A lab's public figures are its part of the network's (withheld cells are decided across the
/// whole network, so its figures need every lab's): one computation serves the network's page
/// and every lab's, instead of a whole network's facts read once for each of a thousand labs.
async fn computed(
    store: &Store,
    scope: &Scope,
    public: bool,
    series: &'static str,
) -> AppResult<Arc<Computed>> {
    if public && scope.cohort.is_none() && scope.network.len() > 1 {
        let whole = scope.lab.is_none() && scope.labs.len() == scope.network.len();
        let lab = scope
            .lab
            .as_ref()
            .and_then(|lab| scope.network.iter().position(|l| l.id == lab.id));
        if whole || lab.is_some() {
            let net = public_network(store, scope, series).await?;
            match lab {
                None => return Ok(net.network.clone()),
                Some(k) => {
                    if let Some(one) = net.labs.get(k) {
                        return Ok(one.clone());
                    }
                }
            }
        }
    }
    computed_afresh(store, scope, public, series).await
}

/// The public figures of the network and of each of its labs (aligned with `scope.network`).
struct PublicNetwork {
    network: Arc<Computed>,
    labs: Vec<Arc<Computed>>,
}

async fn public_network(
    store: &Store,
    scope: &Scope,
    series: &'static str,
) -> AppResult<Arc<PublicNetwork>> {
    let net = Scope {
        lab: None,
        labs: scope.network.clone(),
        region: None,
        cohort: None,
        ..scope.clone()
    };
    let ids: Vec<String> = net.labs.iter().map(|l| l.id.to_string()).collect();
    let key = format!(
        "public-network|{}|{}|{}|{series}",
        ids.join(","),
        net.from,
        net.to
    );
    let owned = store.clone();
    kept(store, Records::Impact, &key, move || async move {
        let store = owned;
        let started = std::time::Instant::now();
        let facts = facts(&store, &net, true).await?;
        let read = started.elapsed();
        let parts = facts.by_lab();
        let split = started.elapsed();
        let view = indicators_in(&facts, &parts, &net, true);
        let figured = started.elapsed();
        let (own_targets, all_targets) = {
            let mut c = store.conn().await?;
            (
                store::impact::targets(&mut c, None).await?,
                store::impact::targets_of_labs(&mut c).await?,
            )
        };
        let cut = net.cut();
        let network = Arc::new(Computed {
            shown: view.shown,
            by_lab: view.by_lab.clone(),
            targets: progress(own_targets, &facts, &net),
            monthly: ind::monthly(&facts, &cut, series),
            funnel: ind::funnel(&facts, &cut),
        });
        drop(facts);
        let empty = ind::Facts::default();
        let labs = net
            .labs
            .iter()
            .zip(view.by_lab)
            .map(|(l, shown)| {
                let part = parts.get(&l.id.to_string()).unwrap_or(&empty);
                let one = Scope {
                    lab: Some(l.clone()),
                    labs: vec![l.clone()],
                    ..net.clone()
                };
                let cut = one.cut();
                let mine = all_targets
                    .iter()
                    .filter(|t| t.lab_id == Some(l.id))
                    .cloned()
                    .collect();
                Arc::new(Computed {
                    shown,
                    by_lab: vec![],
                    targets: progress(mine, part, &one),
                    monthly: ind::monthly(part, &cut, series),
                    funnel: ind::funnel(part, &cut),
                })
            })
            .collect();
        tracing::info!(
            labs = net.labs.len(),
            read_ms = read.as_millis() as u64,
            split_ms = (split - read).as_millis() as u64,
            figures_ms = (figured - split).as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "public impact figures computed"
        );
        Ok(PublicNetwork { network, labs })
    })
    .await
}

/// [`computed`] for a cut of its own.
async fn computed_afresh(
    store: &Store,
    scope: &Scope,
    public: bool,
    series: &'static str,
) -> AppResult<Arc<Computed>> {
    let labs: Vec<String> = scope.labs.iter().map(|l| l.id.to_string()).collect();
    let key = format!(
        "figures|{public}|{}|{:?}|{:?}|{}|{}|{series}",
        labs.join(","),
        scope.cohort,
        scope.lab.as_ref().map(|l| l.id),
        scope.from,
        scope.to,
    );
    let (store, scope) = (store.clone(), scope.clone());
    kept(&store.clone(), Records::Impact, &key, move || async move {
        let facts = facts(&store, &scope, public).await?;
        let targets = targets(&store, &facts, &scope).await?;
        let view = indicators(&facts, &scope, public);
        let cut = scope.cut();
        Ok(Computed {
            shown: view.shown,
            by_lab: view.by_lab,
            targets,
            monthly: ind::monthly(&facts, &cut, series),
            funnel: ind::funnel(&facts, &cut),
        })
    })
    .await
}

/// The space and crowdfunding figures of the public impact page (of a lab, or of `labs`), kept
/// like the indicators until the money records change.
pub struct PublicMoney {
    pub space: Vec<crate::services::space::PublicSpace>,
    pub crowd: crate::services::crowdfunding::PublicCrowd,
}

pub async fn public_money(
    store: &Store,
    lab: Option<&Lab>,
    labs: &[Lab],
) -> AppResult<Arc<PublicMoney>> {
    let space_labs: Vec<Lab> = match lab {
        Some(l) => vec![l.clone()],
        None => labs.to_vec(),
    };
    // The labs' names are shown beside their figures: a renamed lab is computed again.
    let names = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for l in &space_labs {
            (l.id, &l.slug, &l.name_ky, &l.name_ru, &l.name_en).hash(&mut h);
        }
        h.finish()
    };
    let key = format!("money|{:?}|{names:x}", lab.map(|l| l.id));
    let (lab, owned) = (lab.map(|l| l.id), store.clone());
    kept(store, Records::Money, &key, move || async move {
        Ok(PublicMoney {
            space: crate::services::space::public_space(&owned, &space_labs).await?,
            crowd: crate::services::crowdfunding::public_totals(&owned, lab).await?,
        })
    })
    .await
}

async fn figures(
    store: &Store,
    mut scope: Scope,
    public: bool,
    series: &'static str,
) -> AppResult<Figures> {
    if public {
        public_period(&mut scope);
    }
    let c = computed(store, &scope, public, series).await?;
    Ok(Figures {
        scope,
        shown: c.shown.clone(),
        by_lab: c.by_lab.clone(),
        targets: c.targets.clone(),
        monthly: c.monthly.clone(),
        funnel: c.funnel.clone(),
        public,
    })
}

/// The public impact page of the network (`slug` None) or of a lab: public figures for anyone.
pub async fn public_impact(store: &Store, slug: Option<&str>) -> AppResult<(Vec<Lab>, Figures)> {
    let input = CutInput {
        lab: slug.unwrap_or_default().to_string(),
        ..CutInput::default()
    };
    let scope = resolve(store, &input).await?;
    // Events held: never about women, so no month can give away a withheld figure.
    let fig = figures(store, scope, true, "events-held").await?;
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    Ok((labs, fig))
}

/// The indicators of a cut for the API: exact figures for those who see them, public ones for
/// anyone else; a cohort (a small group) is for the lab's staff only.
pub async fn indicators_for(
    store: &Store,
    actor: &Actor,
    input: &CutInput,
) -> AppResult<(Scope, bool, Vec<Shown>)> {
    let mut scope = resolve(store, input).await?;
    let exact = sees_exact(actor, &scope);
    if scope.cohort.is_some() && !exact {
        return Err(AppError::NotFound);
    }
    if !exact {
        public_period(&mut scope);
    }
    let list = computed(store, &scope, !exact, "events-held")
        .await?
        .shown
        .clone();
    Ok((scope, exact, list))
}

/// The dashboard of coordinators and the admin.
pub struct Dashboard {
    /// The cut asked for; a coordinator's starts at her lab.
    pub cut: CutInput,
    /// The labs she may choose from, and their regions.
    pub labs: Vec<Lab>,
    pub regions: Vec<String>,
    /// The figures; `None` when the cut has mistakes (`errors`).
    pub figures: Option<Figures>,
    pub errors: Vec<(String, String)>,
    pub cohorts: Vec<Cohort>,
    pub may_set_targets: bool,
}

/// A coordinator's view (the dashboard, its exports) starts at her lab when the cut names no lab
/// or region; she cannot widen it. The network admin's starts at the whole network.
pub fn own_lab_by_default(actor: &Actor, all: &[Lab], cut: &mut CutInput) {
    if !actor.allows(Action::ManageNetwork)
        && cut.lab.trim().is_empty()
        && cut.region.trim().is_empty()
        && let Some(l) = all
            .iter()
            .find(|l| actor.allows(Action::ManageImpact(l.id)))
    {
        cut.lab = l.slug.clone();
    }
}

/// The dashboard of a cut, drawing `series` month by month.
pub async fn dashboard(
    store: &Store,
    actor: &Actor,
    mut cut: CutInput,
    series: &'static str,
) -> AppResult<Dashboard> {
    dashboard_allowed(actor)?;
    // Each read takes a pooled connection and gives it back before the next: a request that held
    // one while waiting for another would, under a burst, wait on itself until the pool times out.
    let all = {
        let mut conn = store.conn().await?;
        store::labs::list_labs(&mut conn).await?
    };
    let manages = |l: &&Lab| actor.allows(Action::ManageImpact(l.id));
    let admin = actor.allows(Action::ManageNetwork);
    own_lab_by_default(actor, &all, &mut cut);
    let labs: Vec<Lab> = all.iter().filter(manages).cloned().collect();
    let mut regions: Vec<String> = labs.iter().map(|l| l.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let mut dash = Dashboard {
        cut,
        labs,
        regions,
        figures: None,
        errors: vec![],
        cohorts: vec![],
        may_set_targets: false,
    };
    let scope = match resolve(store, &dash.cut).await {
        Ok(scope) => scope,
        Err(AppError::Invalid(errs)) => {
            dash.errors = errs;
            return Ok(dash);
        }
        Err(e) => return Err(e),
    };
    if !sees_exact(actor, &scope) {
        return Err(AppError::NotFound);
    }
    if let Some(l) = &scope.lab {
        let mut conn = store.conn().await?;
        dash.cohorts = store::residency::cohorts(&mut conn, l.id).await?;
    }
    dash.may_set_targets = match &scope.lab {
        Some(l) => actor.allows(Action::ManageImpact(l.id)),
        None => admin && scope.region.is_none(),
    };
    dash.figures = Some(figures(store, scope, false, series).await?);
    Ok(dash)
}

/// Sets a target of the lab named by its slug (empty: the network's).
pub async fn set_target_at(
    store: &Store,
    actor: &Actor,
    slug: &str,
    input: &super::TargetInput,
) -> AppResult<domain::TargetId> {
    dashboard_allowed(actor)?;
    let lab = if slug.is_empty() {
        None
    } else {
        Some(crate::services::labs::lab_by_slug(store, slug).await?.id)
    };
    super::set_target(store, actor, lab, input).await
}

/// The positive-deviance list of the lab named by its slug (audited), with what the lab noted
/// each woman does differently.
pub async fn deviance_at(
    store: &Store,
    actor: &Actor,
    slug: &str,
) -> AppResult<(Lab, Vec<DeviantView>, HashMap<PersonId, Practice>)> {
    if !actor.is_signed_in() {
        return Err(AppError::SignIn);
    }
    let lab = crate::services::labs::lab_by_slug(store, slug).await?;
    let list = positive_deviance(store, actor, &lab).await?;
    let mut c = store.conn().await?;
    let notes = super::practices::notes_of_lab(&mut c, &lab).await?;
    Ok((lab, list, notes))
}

/// A woman's outcomes page for staff: her record (the read audited), her outcomes (audited too)
/// and whether the reader may record more.
pub async fn person_outcomes(
    store: &Store,
    actor: &Actor,
    id: PersonId,
) -> AppResult<(Person, Vec<Outcome>, bool)> {
    if !actor.is_signed_in() {
        return Err(AppError::SignIn);
    }
    let person = crate::services::read_person(store, actor, id).await?;
    let list = outcomes_of(store, actor, id).await?;
    let may_record = actor.allows(Action::ManageImpact(person.lab_id));
    Ok((person, list, may_record))
}

/// Her own outcomes.
pub async fn my_outcomes(store: &Store, actor: &Actor) -> AppResult<Vec<Outcome>> {
    if !actor.is_signed_in() {
        return Err(AppError::SignIn);
    }
    let me = actor.person_id.ok_or(AppError::NotFound)?;
    outcomes_of(store, actor, me).await
}
