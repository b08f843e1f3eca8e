//! Plans (monthly, day passes, packs) and who holds them.
use super::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub kind: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub hours: String,
    pub days: String,
    pub price: String,
}

pub async fn plans(store: &Store, actor: &Actor, lab: LabId) -> AppResult<Vec<Plan>> {
    signed_in(actor)?;
    let mut c = store.conn().await?;
    if !may_see_lab(&mut c, actor, lab).await? {
        return Err(AppError::NotFound);
    }
    Ok(db::plans(&mut c, lab).await?)
}

pub async fn save_plan(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    f: &PlanInput,
) -> AppResult<PlanId> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    if PlanKind::parse(&f.kind).is_none() {
        errs.push(("kind".into(), "err-choice".into()));
    }
    let ky = limit("name_ky", &f.name_ky, 120, &mut errs);
    let ru = limit("name_ru", &f.name_ru, 120, &mut errs);
    let en = limit("name_en", &f.name_en, 120, &mut errs);
    if ky.is_empty() {
        errs.push(("name_ky".into(), "err-required".into()));
    }
    let hours = number("hours", &f.hours, 0..=744, "err-space-number", &mut errs);
    let days = number("days", &f.days, 1..=366, "err-space-number", &mut errs);
    let price = if f.price.trim().is_empty() {
        errs.push(("price".into(), "err-required".into()));
        None
    } else {
        amount("price", &f.price, &mut errs)
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = db::insert_plan(
        &mut tx,
        lab,
        &db::PlanFields {
            kind: f.kind.trim(),
            name_ru: if ru.is_empty() { &ky } else { &ru },
            name_en: if en.is_empty() { &ky } else { &en },
            name_ky: &ky,
            hours_included: hours.unwrap_or(0),
            valid_days: days.unwrap_or(30),
            price: price.unwrap_or(0),
        },
    )
    .await?;
    commit(tx, entry(actor, "space.plan.create", "plan", id, Some(lab))).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AssignInput {
    pub person_id: String,
    pub plan_id: String,
    pub starts_on: String,
    pub renews: String,
    /// Issue the invoice for the plan at once.
    pub invoice: String,
}

/// Gives a woman of the lab a plan from a date (and, asked, invoices it in the same transaction).
pub async fn assign_plan(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    f: &AssignInput,
) -> AppResult<(PersonPlanId, Option<InvoiceId>)> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    let person = f.person_id.trim().parse::<PersonId>().ok();
    if person.is_none() {
        errs.push(("person_id".into(), "err-choice".into()));
    }
    let plan = f.plan_id.trim().parse::<PlanId>().ok();
    if plan.is_none() {
        errs.push(("plan_id".into(), "err-choice".into()));
    }
    let from = if f.starts_on.trim().is_empty() {
        Some(domain::time::today())
    } else {
        crate::services::base::date(
            "starts_on",
            &f.starts_on,
            domain::time::DateSpan::Planned,
            &mut errs,
        )
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (person, plan, from) = (
        person.unwrap_or_default(),
        plan.unwrap_or_default(),
        from.unwrap_or_default(),
    );
    let mut tx = store.begin().await?;
    let p = match db::plan(&mut tx, plan).await? {
        Some(p) if p.lab_id == lab => p,
        _ => return Err(crate::services::base::invalid("plan_id", "err-choice")),
    };
    if db::person_lab(&mut tx, person).await? != Some(lab) {
        return Err(crate::services::base::invalid("person_id", "err-choice"));
    }
    let id =
        db::insert_person_plan(&mut tx, &p, person, from, f.renews == "on", actor.user_id).await?;
    let invoice = if f.invoice == "on" {
        let name = person_name(&mut tx, person).await?;
        let line = Line {
            item: LineItem::Plan.code().into(),
            description: p.name_ky.clone(),
            quantity: 1,
            unit_price: p.price,
            amount: p.price,
            resource_id: None,
            booking_id: None,
            person_plan_id: Some(id),
        };
        Some(
            issue_in(
                &mut tx,
                actor,
                lab,
                Some(person),
                None,
                &name,
                &[line],
                None,
                "ky",
            )
            .await?
            .0,
        )
    } else {
        None
    };
    commit(
        tx,
        entry(actor, "space.plan.assign", "person", person, Some(lab)),
    )
    .await?;
    Ok((id, invoice))
}

pub async fn lab_person_plans(
    store: &Store,
    actor: &Actor,
    lab: LabId,
) -> AppResult<Vec<PersonPlan>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::lab_person_plans(&mut c, lab).await?)
}

pub async fn my_plans(store: &Store, actor: &Actor) -> AppResult<Vec<PersonPlan>> {
    signed_in(actor)?;
    let Some(p) = actor.person_id else {
        return Ok(vec![]);
    };
    let mut c = store.conn().await?;
    Ok(db::person_plans(&mut c, p).await?)
}

/// The women of a lab (id and name), for the coordinator's pickers.
pub async fn lab_people(
    store: &Store,
    actor: &Actor,
    lab: LabId,
) -> AppResult<Vec<(PersonId, String)>> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut c = store.conn().await?;
    Ok(db::lab_people(&mut c, lab).await?)
}
