//! What the event pages and the events API show: lists, one event with its lab, calendar
//! feeds, the check-in lists and the lab's network members. Each read decides access once.
use crate::error::{AppError, AppResult};
use crate::services::pager::{PAGE_SIZE, Pager};
use chrono::{Duration, Utc};
use domain::{Action, Actor, EventId, LabId};
use store::Store;
use store::events::{Event, EventQuery, Member, MonthCounts, Registration};
use store::labs::Lab;

/// The events page of the network or of one lab: what is coming (drafts too for the lab's
/// staff) and what has ended in the last 90 days.
pub struct Listing {
    pub labs: Vec<Lab>,
    pub upcoming: Vec<Event>,
    pub past: Vec<Event>,
    pub manage: bool,
}

pub async fn listing(store: &Store, actor: &Actor, lab: Option<LabId>) -> AppResult<Listing> {
    let manage = lab.is_some_and(|l| actor.allows(Action::ManageEvents(l)));
    let q = EventQuery {
        lab,
        include_drafts: manage,
        from: Some(Utc::now()),
        ..Default::default()
    };
    let mut c = store.conn().await?;
    let upcoming = store::events::list(&mut c, &q).await?;
    let past = EventQuery {
        from: Some(Utc::now() - Duration::days(90)),
        to: Some(Utc::now()),
        newest_first: true,
        ..q
    };
    let past = store::events::list(&mut c, &past)
        .await?
        .into_iter()
        .filter(|e| e.is_past())
        .take(20)
        .collect();
    Ok(Listing {
        labs: store::labs::list_labs(&mut c).await?,
        upcoming,
        past,
        manage,
    })
}

/// Published events with their lab, for the API: of one lab (by slug; 404 if none) and the
/// network, or of every lab; upcoming only unless `past`.
pub async fn published(
    store: &Store,
    lab: Option<&str>,
    past: bool,
) -> AppResult<Vec<(Event, Option<Lab>)>> {
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let lab = match lab.filter(|l| !l.is_empty()) {
        None => None,
        Some(slug) => Some(
            labs.iter()
                .find(|l| l.slug == slug)
                .ok_or(AppError::NotFound)?
                .id,
        ),
    };
    let q = EventQuery {
        lab,
        from: (!past).then(Utc::now),
        ..Default::default()
    };
    let events = store::events::list(&mut c, &q).await?;
    Ok(with_labs(events, &labs))
}

fn with_labs(events: Vec<Event>, labs: &[Lab]) -> Vec<(Event, Option<Lab>)> {
    events
        .into_iter()
        .map(|e| {
            let lab = labs.iter().find(|l| l.id == e.lab_id).cloned();
            (e, lab)
        })
        .collect()
}

/// The calendar feed of the network or of one lab: published events from 60 days back.
pub async fn feed(store: &Store, lab: Option<LabId>) -> AppResult<Vec<(Event, Option<Lab>)>> {
    let mut c = store.conn().await?;
    let q = EventQuery {
        lab,
        from: Some(Utc::now() - Duration::days(60)),
        ..Default::default()
    };
    let events = store::events::list(&mut c, &q).await?;
    Ok(with_labs(events, &store::labs::list_labs(&mut c).await?))
}

/// One event as its page (and the API) shows it: published, or a draft for the lab's staff;
/// with what the reader may do there.
pub struct EventView {
    pub e: Event,
    pub lab: Lab,
    pub manage: bool,
    pub checkin: bool,
    /// Registration is open: published, not cancelled, not over.
    pub open: bool,
    /// A fair: the makers of the showcase who take part (published profiles only).
    pub makers: Vec<store::showcase::Profile>,
}

pub async fn event_view(store: &Store, actor: &Actor, id: EventId) -> AppResult<EventView> {
    let e = super::public_event(store, actor, id).await?;
    with_lab(store, actor, e).await
}

/// An event the actor may manage (or check in at), with its lab.
pub async fn managed(
    store: &Store,
    actor: &Actor,
    id: EventId,
    action: fn(LabId) -> Action,
) -> AppResult<EventView> {
    let e = super::event_for(store, actor, id, action).await?;
    with_lab(store, actor, e).await
}

async fn with_lab(store: &Store, actor: &Actor, e: Event) -> AppResult<EventView> {
    let mut c = store.conn().await?;
    let lab = store::labs::lab(&mut c, e.lab_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let makers = if e.kind == domain::events::EventKind::Fair {
        store::showcase::makers_at(&mut c, e.id).await?
    } else {
        vec![]
    };
    Ok(EventView {
        makers,
        manage: actor.allows(Action::ManageEvents(e.lab_id)),
        checkin: actor.allows(Action::CheckIn(e.lab_id)),
        open: e.published && !e.cancelled && !e.is_past(),
        e,
        lab,
    })
}

/// The door's lists: every registration (the printed check-in list), and those matching `q` (a
/// name or phone) if given.
pub struct Door {
    pub all: Vec<Registration>,
    pub found: Vec<Registration>,
}

pub async fn door(store: &Store, actor: &Actor, e: &Event, q: &str) -> AppResult<Door> {
    if !actor.allows(Action::CheckIn(e.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut c = store.conn().await?;
    let all = store::events::registrations(&mut c, e.id).await?;
    let found = if q.trim().is_empty() {
        vec![]
    } else {
        store::events::search_registrations(&mut c, e.id, q).await?
    };
    Ok(Door { all, found })
}

/// The door page: one page of the event's registrations with the counts of them all, and
/// those matching `q` (a name or phone) if given.
pub struct DoorPage {
    pub rows: Vec<Registration>,
    pub pager: Pager,
    pub checked_in: i64,
    pub found: Vec<Registration>,
}

/// Page `page` (from 0, [`PAGE_SIZE`] a page) of the door's list; a page past the last is
/// refused (`err-page`).
pub async fn door_page(
    store: &Store,
    actor: &Actor,
    e: &Event,
    q: &str,
    page: i64,
) -> AppResult<DoorPage> {
    if !actor.allows(Action::CheckIn(e.lab_id)) {
        return Err(AppError::NotFound);
    }
    let mut c = store.conn().await?;
    let (total, checked_in) = store::events::registration_counts(&mut c, e.id).await?;
    let pager = Pager::new(page, PAGE_SIZE, total)?;
    let rows =
        store::events::registrations_page(&mut c, e.id, pager.limit(), pager.offset()).await?;
    let found = if q.trim().is_empty() {
        vec![]
    } else {
        store::events::search_registrations(&mut c, e.id, q).await?
    };
    Ok(DoorPage {
        rows,
        pager,
        checked_in,
        found,
    })
}

/// The lab's network members and its monthly counts, for its event staff.
/// Members shown on one page of the list.
pub const MEMBERS_PAGE: i64 = 50;

/// One page of a lab's network members, with the counts of the whole list.
pub struct Members {
    pub members: Vec<Member>,
    pub total: i64,
    pub ambassadors: i64,
    pub months: Vec<MonthCounts>,
    /// From 0.
    pub page: i64,
    pub more: bool,
}

pub async fn members(store: &Store, actor: &Actor, lab: LabId, page: i64) -> AppResult<Members> {
    crate::services::base::allow(actor, Action::ManageEvents(lab))?;
    let page = page.clamp(0, 100_000);
    let mut c = store.conn().await?;
    let (total, ambassadors) = store::events::member_counts(&mut c, lab).await?;
    let members = store::events::members(&mut c, lab, MEMBERS_PAGE, page * MEMBERS_PAGE).await?;
    Ok(Members {
        more: (page + 1) * MEMBERS_PAGE < total,
        members,
        total,
        ambassadors,
        months: store::events::monthly_counts(&mut c, Some(lab)).await?,
        page,
    })
}
