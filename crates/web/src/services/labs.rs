//! Labs: the one way a slug in a URL becomes a lab (or 404), the lab's page, its intake queue
//! and cohorts, and opening a lab.
use super::base::{allow, entry, invalid, taken};
use super::pager::Pager;
use crate::error::{AppError, AppResult};
use domain::{Action, Actor, LabId, ResidencyStatus, names};
use serde::Deserialize;
use store::labs::{Lab, Organisation, Partnership};
use store::residency::{Cohort, ResidencyRow, Transition};
use store::users::{StaffMember, User};
use store::{Store, audit};

/// A lab by its slug, or 404: for pages and the API alike.
pub async fn lab_by_slug(store: &Store, slug: &str) -> AppResult<Lab> {
    let mut c = store.conn().await?;
    store::labs::lab_by_slug(&mut c, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// All labs of the network (public): the home page and the list.
pub async fn all(store: &Store) -> AppResult<Vec<Lab>> {
    let mut c = store.conn().await?;
    Ok(store::labs::list_labs(&mut c).await?)
}

/// Past this many labs a network is large: pages that would name every lab (the map, the public
/// impact page's tabs and chart, the list of labs) show regions, the first labs and pages instead.
pub const MANY_LABS: usize = 12;

/// Labs a page of the list of labs shows.
pub const LABS_PAGE: i64 = 24;

/// A page of the list of labs, of one region or all.
pub struct LabsDirectory {
    pub labs: Vec<Lab>,
    /// Which page of the labs in the region asked for (or of all) `labs` is.
    pub pager: Pager,
    /// Each region's code and how many labs it has, in the order of the regions' codes; shown
    /// when the network is large.
    pub regions: Vec<(String, i64)>,
    /// The region asked for, when it has labs.
    pub region: Option<String>,
}

/// Each region's code and its number of labs, in the order of the codes.
pub fn regions_of(labs: &[Lab]) -> Vec<(String, i64)> {
    let mut count: std::collections::BTreeMap<&str, i64> = Default::default();
    for l in labs {
        *count.entry(l.region.as_str()).or_default() += 1;
    }
    count.into_iter().map(|(r, n)| (r.to_string(), n)).collect()
}

/// A page (from 0) of the labs of `region` (empty: all), in the order they opened; a page past
/// the last is refused.
pub async fn directory(store: &Store, region: &str, page: i64) -> AppResult<LabsDirectory> {
    let all = all(store).await?;
    let regions = regions_of(&all);
    let region = Some(region.to_string()).filter(|r| regions.iter().any(|x| &x.0 == r));
    let chosen: Vec<Lab> = all
        .into_iter()
        .filter(|l| region.as_ref().is_none_or(|r| *r == l.region))
        .collect();
    let pager = Pager::new(page, LABS_PAGE, chosen.len() as i64)?;
    Ok(LabsDirectory {
        labs: chosen
            .into_iter()
            .skip(pager.offset() as usize)
            .take(pager.limit() as usize)
            .collect(),
        pager,
        regions,
        region,
    })
}

/// A lab with its partners, as the API lists labs.
pub struct LabSummary {
    pub lab: Lab,
    pub partners: Vec<Partnership>,
}

/// Every lab with its partners (public).
pub async fn summaries(store: &Store) -> AppResult<Vec<LabSummary>> {
    let mut c = store.conn().await?;
    let mut out = vec![];
    for lab in store::labs::list_labs(&mut c).await? {
        let partners = store::labs::partners(&mut c, lab.id).await?;
        out.push(LabSummary { lab, partners });
    }
    Ok(out)
}

/// One lab with its partners, by id (after opening it).
pub async fn summary(store: &Store, id: LabId) -> AppResult<LabSummary> {
    let mut c = store.conn().await?;
    let lab = store::labs::lab(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let partners = store::labs::partners(&mut c, id).await?;
    Ok(LabSummary { lab, partners })
}

/// A lab's page (and its API answer): public facts and partners for everyone; figures and
/// staff for those who work there; the lists to add partners and staff for the network admin.
pub struct LabView {
    pub lab: Lab,
    pub partners: Vec<Partnership>,
    pub internal: bool,
    pub manage: bool,
    pub admin: bool,
    pub counts: Vec<(ResidencyStatus, i64)>,
    pub staff: Vec<StaffMember>,
    pub orgs: Vec<Organisation>,
    pub users: Vec<User>,
    pub people: i64,
}

pub async fn lab_view(store: &Store, actor: &Actor, slug: &str) -> AppResult<LabView> {
    let lab = lab_by_slug(store, slug).await?;
    let mut c = store.conn().await?;
    let mut v = LabView {
        partners: store::labs::partners(&mut c, lab.id).await?,
        internal: actor.allows(Action::ViewLabInternal(lab.id)),
        manage: actor.allows(Action::ManageResidency(lab.id)),
        admin: actor.allows(Action::ManageNetwork),
        counts: vec![],
        staff: vec![],
        orgs: vec![],
        users: vec![],
        people: 0,
        lab,
    };
    if v.internal {
        v.counts = store::residency::counts(&mut c, v.lab.id).await?;
        v.staff = store::users::staff_of_lab(&mut c, v.lab.id).await?;
        v.people = store::people::count_in_lab(&mut c, v.lab.id).await?;
    }
    if v.admin {
        v.orgs = store::labs::list_orgs(&mut c).await?;
        v.users = store::users::list(&mut c).await?;
    }
    Ok(v)
}

/// A lab whose residencies the caller manages, by its slug, or 404.
pub async fn managed_lab(store: &Store, actor: &Actor, slug: &str) -> AppResult<Lab> {
    let lab = lab_by_slug(store, slug).await?;
    allow(actor, Action::ManageResidency(lab.id))?;
    Ok(lab)
}

/// The intake queue: a lab's residencies (of one status, or all) and the count of each status.
pub struct Intake {
    pub lab: Lab,
    pub counts: Vec<(ResidencyStatus, i64)>,
    pub rows: Vec<ResidencyRow>,
    /// Why each declined application was declined, and how she was told (newest first).
    pub declines: Vec<store::residency::Decline>,
    /// Applications sent again while one was open.
    pub repeats: Vec<store::residency::Repeats>,
}

impl Intake {
    /// The last decline of a residency, if it was declined.
    pub fn decline(&self, id: &domain::ResidencyId) -> Option<&store::residency::Decline> {
        self.declines.iter().find(|d| d.residency_id == *id)
    }
    pub fn repeat(&self, id: &domain::ResidencyId) -> Option<&store::residency::Repeats> {
        self.repeats.iter().find(|d| d.residency_id == *id)
    }
}

pub async fn intake(
    store: &Store,
    actor: &Actor,
    slug: &str,
    status: Option<ResidencyStatus>,
) -> AppResult<Intake> {
    let lab = managed_lab(store, actor, slug).await?;
    let mut c = store.conn().await?;
    Ok(Intake {
        rows: store::residency::of_lab(&mut c, lab.id, status).await?,
        counts: store::residency::counts(&mut c, lab.id).await?,
        declines: store::residency::declines_of_lab(&mut c, lab.id).await?,
        repeats: store::residency::repeats_of_lab(&mut c, lab.id).await?,
        lab,
    })
}

/// A lab's residencies with each one's history (the API's intake queue); `status` by its code,
/// all when empty.
pub async fn residencies(
    store: &Store,
    actor: &Actor,
    slug: &str,
    status: Option<&str>,
) -> AppResult<Vec<(ResidencyRow, Vec<Transition>)>> {
    let lab = managed_lab(store, actor, slug).await?;
    let status = match status.filter(|x| !x.is_empty()) {
        None => None,
        Some(x) => Some(ResidencyStatus::parse(x).ok_or_else(|| invalid("status", "err-choice"))?),
    };
    let mut c = store.conn().await?;
    let mut out = vec![];
    for row in store::residency::of_lab(&mut c, lab.id, status).await? {
        let history = store::residency::transitions(&mut c, row.residency.id).await?;
        out.push((row, history));
    }
    Ok(out)
}

/// A lab's cohorts, for its coordinators and the network admin.
pub async fn cohorts(store: &Store, actor: &Actor, slug: &str) -> AppResult<(Lab, Vec<Cohort>)> {
    let lab = managed_lab(store, actor, slug).await?;
    let mut c = store.conn().await?;
    let cohorts = store::residency::cohorts(&mut c, lab.id).await?;
    Ok((lab, cohorts))
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CohortInput {
    #[schema(required = true, min_length = 1, max_length = 80)]
    pub name: String,
    /// `YYYY-MM-DD` (forms may also write `DD.MM.YYYY`).
    #[schema(required = true, format = Date)]
    pub starts_on: String,
    /// `YYYY-MM-DD`, not before `starts_on`.
    #[schema(required = true, format = Date)]
    pub ends_on: String,
}

pub async fn create_cohort(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    input: &CohortInput,
) -> AppResult<Cohort> {
    allow(actor, Action::ManageResidency(lab))?;
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
    let starts = super::base::date(
        "starts_on",
        &input.starts_on,
        domain::time::DateSpan::Planned,
        &mut errs,
    );
    let ends = super::base::date(
        "ends_on",
        &input.ends_on,
        domain::time::DateSpan::Planned,
        &mut errs,
    );
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
    .map_err(taken("name"))?;
    audit::record(
        &mut tx,
        entry(actor, "cohort.create", "cohort", id, Some(lab)),
    )
    .await?;
    let cohort = store::residency::cohort(&mut tx, id).await?;
    tx.commit().await?;
    cohort.ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LabInput {
    /// Its address on the site: lowercase letters, digits and single hyphens.
    #[schema(required = true, min_length = 2, max_length = 40)]
    pub slug: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub name_ky: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub name_ru: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub name_en: String,
    #[schema(required = true, schema_with = regions)]
    pub region: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub locality: String,
    pub address: String,
    pub latitude: String,
    pub longitude: String,
    pub hours: String,
    pub opened_on: String,
}

/// The regions of Kyrgyzstan a lab may be in (and the two cities of national significance).
fn regions() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::Object::builder()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(domain::REGIONS.iter().copied()))
        .build()
}

pub async fn create_lab(store: &Store, actor: &Actor, input: &LabInput) -> AppResult<LabId> {
    allow(actor, Action::ManageNetwork)?;
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
        super::base::date(
            "opened_on",
            &input.opened_on,
            domain::time::DateSpan::Planned,
            &mut errs,
        )
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
        .map_err(taken("slug"))?;
    audit::record(&mut tx, entry(actor, "lab.create", "lab", id, Some(id))).await?;
    tx.commit().await?;
    Ok(id)
}
