//! The makers' showcase and sales: a resident or alumna opts in to a public profile (a display
//! name or pseudonym, a contact only if she writes one), adds her products and services, and
//! names her venture; the public catalogue lists only opted-in makers, by lab, category and a
//! forgiving search. Sales of a venture are recorded by its members, or by a coordinator of its
//! lab for them (audited); another lab's staff get 404.
use crate::error::{AppError, AppResult};
use crate::services::base::{commit_with, entry, limit, signed_in};
use domain::crowdfunding::{self as rules, Availability, SaleChannel};
use domain::grants::Category;
use domain::{Action, Actor, EventId, LabId, Money, PersonId, ResidencyStatus, VentureId};
use serde::{Deserialize, Serialize};
use store::Store;
use store::labs::Lab;
use store::showcase::{self as sc, Fair, Product, Profile, Sale};

type Errs = Vec<(String, String)>;

/// Her lab as a maker: where she is (or was) a resident.
async fn maker_lab(c: &mut store::AnyConn, person: PersonId) -> AppResult<Option<LabId>> {
    let rs = store::residency::of_person(c, person).await?;
    Ok(rs
        .iter()
        .find(|r| {
            matches!(
                r.status,
                ResidencyStatus::Active | ResidencyStatus::Graduated
            )
        })
        .map(|r| r.lab_id))
}

/// Whose showcase a request works on: her own (`None`: the signed-in woman), or a maker of a
/// coordinator's lab, edited for her (audited as such). Anyone else, or a woman who is not a
/// resident or alumna of a lab: 404.
async fn maker_for(
    c: &mut store::AnyConn,
    actor: &Actor,
    person: Option<PersonId>,
) -> AppResult<(PersonId, LabId, bool)> {
    signed_in(actor)?;
    let person = person.or(actor.person_id).ok_or(AppError::NotFound)?;
    let lab = maker_lab(c, person).await?.ok_or(AppError::NotFound)?;
    if actor.person_id == Some(person) {
        Ok((person, lab, false))
    } else if actor.allows(Action::ManagePeople(lab)) {
        Ok((person, lab, true))
    } else {
        Err(AppError::NotFound)
    }
}

/// The audit words for who did it: she, or a coordinator for her.
fn by(for_her: bool) -> &'static str {
    if for_her { "for-her" } else { "herself" }
}

/// Her showcase page: the profile (if she opted in), products, ventures, their sales.
pub struct Mine {
    pub person: PersonId,
    /// A coordinator works on it for her: her name heads the page.
    pub for_her: Option<String>,
    pub profile: Option<Profile>,
    pub products: Vec<Product>,
    pub ventures: Vec<(VentureId, String, LabId)>,
    pub sales: Vec<Sale>,
    /// The fairs she may take part in (her lab's and the network's, not ended), and whether
    /// she does; empty until her profile is published.
    pub fairs: Vec<(Fair, bool)>,
}

impl Mine {
    /// Where its forms post: `/me/showcase` or `/people/{id}/showcase`.
    pub fn base(&self) -> String {
        match self.for_her {
            Some(_) => format!("/people/{}/showcase", self.person),
            None => "/me/showcase".into(),
        }
    }
}

pub async fn mine(store: &Store, actor: &Actor, person: Option<PersonId>) -> AppResult<Mine> {
    let mut c = store.conn().await?;
    let (person, _, for_her) = maker_for(&mut c, actor, person).await?;
    let for_her = if for_her {
        let scope = actor.scope_for(Action::ManagePeople);
        let p = store::people::get_scoped(&mut c, &scope, person)
            .await?
            .ok_or(AppError::NotFound)?;
        Some(p.full_name())
    } else {
        None
    };
    let ventures = sc::ventures_of(&mut c, person).await?;
    let mut sales = vec![];
    for (v, _, _) in &ventures {
        sales.extend(sc::sales(&mut c, *v).await?);
    }
    let profile = sc::profile(&mut c, person).await?;
    let mut fairs = vec![];
    if let Some(p) = profile.as_ref().filter(|p| p.published) {
        let taking: Vec<EventId> = sc::fairs_of(&mut c, person)
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect();
        for f in sc::fairs_open_to(&mut c, p.lab_id).await? {
            let joined = taking.contains(&f.id);
            fairs.push((f, joined));
        }
    }
    Ok(Mine {
        person,
        for_her,
        fairs,
        profile,
        products: sc::products(&mut c, person).await?,
        ventures,
        sales,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub display_name: String,
    pub bio: String,
    pub skills: String,
    /// Her own channel (Instagram, a phone) if she chooses; else orders go through the lab.
    pub contact: String,
    pub venture: String,
}

/// She opts in (or edits her profile): published from now on.
pub async fn save_profile(
    store: &Store,
    actor: &Actor,
    person: Option<PersonId>,
    f: &ProfileInput,
) -> AppResult<()> {
    let mut c = store.conn().await?;
    let (person, lab, for_her) = maker_for(&mut c, actor, person).await?;
    let ventures = sc::ventures_of(&mut c, person).await?;
    let products = sc::products(&mut c, person).await?;
    drop(c);
    let mut errs: Errs = vec![];
    let display_name = limit("display_name", &f.display_name, 80, &mut errs);
    if display_name.is_empty() {
        errs.push(("display_name".into(), "err-required".into()));
    }
    let bio = limit("bio", &f.bio, 1000, &mut errs);
    let skills = limit("skills", &f.skills, 300, &mut errs);
    let contact = limit("contact", &f.contact, 200, &mut errs);
    let venture = if f.venture.trim().is_empty() {
        None
    } else {
        match f.venture.trim().parse::<VentureId>() {
            Ok(v) if ventures.iter().any(|(x, _, _)| *x == v) => Some(v),
            _ => {
                errs.push(("venture".into(), "err-required".into()));
                None
            }
        }
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut words = format!("{display_name} {skills}");
    for p in &products {
        words.push(' ');
        words.push_str(&p.title);
    }
    let key = domain::names::search_key(&words);
    let mut tx = store.begin().await?;
    sc::save_profile(
        &mut tx,
        &sc::NewProfile {
            person,
            lab,
            display_name: &display_name,
            bio: &bio,
            skills: &skills,
            contact: &contact,
            venture,
            search_key: &key,
        },
    )
    .await?;
    let e = entry(actor, "showcase.profile", "person", person, Some(lab));
    commit_with(tx, e, format!("published {}", by(for_her))).await
}

/// She leaves the showcase: her profile is no longer listed.
pub async fn opt_out(store: &Store, actor: &Actor, person: Option<PersonId>) -> AppResult<()> {
    let mut c = store.conn().await?;
    let (person, lab, for_her) = maker_for(&mut c, actor, person).await?;
    drop(c);
    let mut tx = store.begin().await?;
    sc::unpublish(&mut tx, person).await?;
    let e = entry(actor, "showcase.unpublish", "person", person, Some(lab));
    commit_with(tx, e, by(for_her).into()).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FairInput {
    /// The fair (an event of kind fair) by id.
    pub event: String,
    /// "1": she takes part; anything else: she no longer does.
    pub join: String,
}

/// She says she takes part in a fair (or no longer does): one of her lab's or the network's
/// fairs that has not ended, once her profile is published. The fair's page then lists her.
pub async fn take_part(
    store: &Store,
    actor: &Actor,
    person: Option<PersonId>,
    f: &FairInput,
) -> AppResult<()> {
    let mut c = store.conn().await?;
    let (person, lab, for_her) = maker_for(&mut c, actor, person).await?;
    let published = sc::profile(&mut c, person)
        .await?
        .is_some_and(|p| p.published);
    if !published {
        return Err(AppError::Invalid(vec![(
            "fair".into(),
            "err-showcase-publish-first".into(),
        )]));
    }
    let fair = f.event.trim().parse::<EventId>().ok();
    let open = sc::fairs_open_to(&mut c, lab).await?;
    let Some(fair) = fair.filter(|e| open.iter().any(|x| x.id == *e)) else {
        return Err(AppError::Invalid(vec![(
            "fair".into(),
            "err-showcase-unknown-fair".into(),
        )]));
    };
    drop(c);
    let join = f.join.trim() == "1";
    let mut tx = store.begin().await?;
    let changed = if join {
        sc::join_fair(&mut tx, fair, person, actor.user_id).await?
    } else {
        sc::leave_fair(&mut tx, fair, person).await?
    };
    if !changed {
        // Already so (a second click, another tab): nothing to record.
        return Ok(());
    }
    let e = entry(actor, "showcase.fair", "event", fair, Some(lab));
    let what = if join { "joined" } else { "left" };
    commit_with(tx, e, format!("{what} {person} {}", by(for_her))).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    pub title: String,
    pub description: String,
    pub category: String,
    pub price_from: String,
    pub price_to: String,
    pub availability: String,
}

pub async fn add_product(
    store: &Store,
    actor: &Actor,
    person: Option<PersonId>,
    f: &ProductInput,
) -> AppResult<()> {
    let mut c = store.conn().await?;
    let (person, _, for_her) = maker_for(&mut c, actor, person).await?;
    let profile = sc::profile(&mut c, person)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(c);
    let mut errs: Errs = vec![];
    let title = limit("product_title", &f.title, 120, &mut errs);
    if title.is_empty() {
        errs.push(("product_title".into(), "err-required".into()));
    }
    let description = limit("product_description", &f.description, 1000, &mut errs);
    let category = Category::parse(&f.category);
    if category.is_none() {
        errs.push(("category".into(), "err-required".into()));
    }
    let price = |field: &'static str, s: &str, errs: &mut Errs| match Money::parse_som(field, s) {
        Ok(Some(m)) if m.0 <= rules::MAX_AMOUNT => Some(m.0),
        Ok(Some(_)) => {
            errs.push((field.into(), "err-crowd-amount-absurd".into()));
            None
        }
        Ok(None) => {
            errs.push((field.into(), "err-required".into()));
            None
        }
        Err(e) => {
            errs.push((e.field.into(), e.key.into()));
            None
        }
    };
    let from = price("price_from", &f.price_from, &mut errs);
    let to = if f.price_to.trim().is_empty() {
        from
    } else {
        price("price_to", &f.price_to, &mut errs)
    };
    if let (Some(a), Some(b)) = (from, to)
        && b < a
    {
        errs.push(("price_to".into(), "err-showcase-price-range".into()));
    }
    let availability = Availability::parse(&f.availability);
    if availability.is_none() {
        errs.push(("availability".into(), "err-required".into()));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    sc::add_product(
        &mut tx,
        person,
        &sc::NewProduct {
            title: &title,
            description: &description,
            category: category.unwrap_or(Category::Other),
            price_from: from.unwrap_or(0),
            price_to: to.unwrap_or(0),
            availability: availability.unwrap_or(Availability::ToOrder),
        },
    )
    .await?;
    sc::extend_search_key(&mut tx, person, &domain::names::search_key(&title)).await?;
    let e = entry(
        actor,
        "showcase.product",
        "person",
        person,
        Some(profile.lab_id),
    );
    commit_with(tx, e, by(for_her).into()).await
}

/// One maker in the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Maker {
    pub profile: Profile,
    pub lab: Option<Lab>,
    pub products: Vec<Product>,
    /// The fairs where she will be (not ended), soonest first.
    pub fairs: Vec<Fair>,
}

/// One page of the catalogue, and whether another follows.
pub struct Catalogue {
    pub makers: Vec<Maker>,
    pub more: bool,
}

/// The public catalogue: opted-in makers only, by lab (slug), product category and a forgiving
/// search (any spelling: Cyrillic or Latin, folded like people search); `per_page` makers from
/// page `page` (0 is the first).
pub async fn catalogue(
    store: &Store,
    lab: Option<&str>,
    category: Option<&str>,
    q: Option<&str>,
    page: i64,
    per_page: i64,
) -> AppResult<Catalogue> {
    let mut c = store.conn().await?;
    let labs = store::labs::list_labs(&mut c).await?;
    let lab_id = match lab.filter(|s| !s.trim().is_empty()) {
        Some(slug) => Some(
            labs.iter()
                .find(|l| l.slug == slug.trim())
                .ok_or(AppError::NotFound)?
                .id,
        ),
        None => None,
    };
    let category = category.and_then(Category::parse);
    let key = domain::names::search_key(q.unwrap_or(""));
    let per_page = per_page.clamp(1, 200);
    let mut profiles = sc::catalogue(
        &mut c,
        lab_id,
        category,
        &key,
        per_page + 1,
        page.clamp(0, 10_000) * per_page,
    )
    .await?;
    let more = profiles.len() as i64 > per_page;
    profiles.truncate(per_page as usize);
    let mut out = vec![];
    for p in profiles {
        let products = sc::products(&mut c, p.person_id).await?;
        let fairs = sc::fairs_of(&mut c, p.person_id).await?;
        let lab = labs.iter().find(|l| l.id == p.lab_id).cloned();
        out.push(Maker {
            profile: p,
            lab,
            products,
            fairs,
        });
    }
    Ok(Catalogue { makers: out, more })
}

/// The venture if the actor may see its sales: a member, or the coordinators of its lab (and
/// the admin). Anyone else: 404.
async fn venture_for(
    store: &Store,
    actor: &Actor,
    id: VentureId,
) -> AppResult<(store::grants::Venture, bool)> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    let v = store::grants::get_venture(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let member = actor
        .person_id
        .is_some_and(|p| v.members.iter().any(|(m, _)| *m == p));
    if member || actor.allows(Action::ManageGrants(v.lab_id)) {
        Ok((v, member))
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn sales(store: &Store, actor: &Actor, id: VentureId) -> AppResult<Vec<Sale>> {
    venture_for(store, actor, id).await?;
    let mut c = store.conn().await?;
    Ok(sc::sales(&mut c, id).await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SaleInput {
    /// yyyy-mm-dd or dd.mm.yyyy
    pub sold_on: String,
    /// Som.
    pub amount: String,
    /// fair, instagram, shop, lab-order, campaign-reward
    pub channel: String,
    pub note: String,
}

/// A sale of her venture, recorded by her or a coordinator of its lab for her (audited).
pub async fn record_sale(
    store: &Store,
    actor: &Actor,
    id: VentureId,
    f: &SaleInput,
) -> AppResult<String> {
    let (v, member) = venture_for(store, actor, id).await?;
    let mut errs: Errs = vec![];
    let sold_on = crate::services::base::date(
        "sold_on",
        &f.sold_on,
        domain::time::DateSpan::Past,
        &mut errs,
    );
    let amount = match Money::parse_som("sale_amount", &f.amount) {
        Ok(Some(m)) => match rules::check_amount("sale_amount", m.0) {
            Ok(a) => Some(a),
            Err(e) => {
                errs.push((e.field.into(), e.key.into()));
                None
            }
        },
        Ok(None) => {
            errs.push(("sale_amount".into(), "err-required".into()));
            None
        }
        Err(_) if f.amount.trim().starts_with('-') => {
            errs.push(("sale_amount".into(), "err-crowd-amount-positive".into()));
            None
        }
        Err(e) => {
            errs.push((e.field.into(), e.key.into()));
            None
        }
    };
    let channel = SaleChannel::parse(&f.channel);
    if channel.is_none() {
        errs.push(("channel".into(), "err-required".into()));
    }
    let note = limit("note", &f.note, 300, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let sid = sc::insert_sale(
        &mut tx,
        id,
        &sc::NewSale {
            sold_on: sold_on.unwrap_or_default(),
            amount: amount.unwrap_or(0),
            channel: channel.unwrap_or(SaleChannel::Fair),
            note: &note,
            recorded_by: actor.user_id,
        },
    )
    .await?;
    let who = if member { "member" } else { "for-her" };
    let e = entry(actor, "venture.sale", "venture", id, Some(v.lab_id));
    commit_with(tx, e, format!("sale {sid} by {who}")).await?;
    Ok(sid)
}
