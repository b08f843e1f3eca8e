//! Space pages: a resource's week of free and taken slots with the booking form (her phone,
//! without JavaScript), her bookings, plans and invoices; the coordinator's space (resources,
//! plans, today's bookings), resource forms, invoices, payments, the bank statement import, and
//! the lab's money with its self-financing ratio.
use super::Val;
use super::forms::{Errors, respond};
use crate::ctx::{Ctx, Path, VerifiedForm, constant_time_eq, multipart_parts, redirect_with_flash};
use crate::error::{AppError, AppResult};
use crate::services::labs::lab_by_slug;
use crate::services::space::{
    self as svc, AssignInput, BookRequest, CostInput, Day, InvoiceInput, PaymentInput, PlanInput,
    ResourceInput, StatementPreview,
};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use domain::{Action, BookingId, InvoiceId, PersonId, PersonPlanId, ResourceId};
use serde::Deserialize;
use store::labs::Lab;
use store::space::{Booking, Invoice, Line, Payment, PersonPlan, Plan, Resource};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/labs/{slug}/space", get(lab_space))
        .route(
            "/labs/{slug}/space/resources/new",
            get(new_resource).post(create_resource),
        )
        .route("/labs/{slug}/space/plans", post(create_plan))
        .route("/labs/{slug}/space/person-plans", post(assign_plan))
        .route("/labs/{slug}/space/export/{file}", get(export))
        .route(
            "/labs/{slug}/space/statement",
            get(statement_form).post(statement_import),
        )
        .route("/labs/{slug}/space/people/{person}", get(person_account))
        .route(
            "/labs/{slug}/invoices",
            get(lab_invoices).post(create_invoice),
        )
        .route("/labs/{slug}/finance", get(finance_page))
        .route("/labs/{slug}/finance/costs", post(add_cost))
        .route("/resources/{id}", get(resource_page))
        .route(
            "/resources/{id}/edit",
            get(edit_resource).post(save_resource),
        )
        .route("/resources/{id}/book", post(book))
        .route("/resources/{id}/block", post(block))
        .route("/resources/{id}/bookings.ics", get(resource_ics))
        .route("/bookings/{id}/cancel", post(cancel))
        .route("/bookings/{id}/mark", post(mark))
        .route("/bookings/{id}/invoice", post(invoice_booking))
        .route("/person-plans/{id}/invoice", post(invoice_plan))
        .route("/invoices/{file}", get(invoice_page))
        .route("/invoices/{id}/payments", post(add_payment))
        .route("/invoices/{id}/credit", post(credit))
        .route("/me/bookings", get(my_bookings))
        .route("/me/bookings.ics", get(my_ics))
        .route("/network/space", get(network_space))
}

impl Ctx {
    pub fn space_codes(&self, kind: &str) -> Vec<&'static str> {
        use domain::space::*;
        match kind {
            "resource-kind" => ResourceKind::ALL.iter().map(|x| x.code()).collect(),
            "audience" => Audience::ALL.iter().map(|x| x.code()).collect(),
            "price-unit" => PriceUnit::ALL.iter().map(|x| x.code()).collect(),
            "plan-kind" => PlanKind::ALL.iter().map(|x| x.code()).collect(),
            "method" => PaymentMethod::ALL.iter().map(|x| x.code()).collect(),
            "item" => LineItem::ALL.iter().map(|x| x.code()).collect(),
            "cost" => CostCategory::ALL.iter().map(|x| x.code()).collect(),
            "payer" => Payer::ALL.iter().map(|x| x.code()).collect(),
            _ => vec![],
        }
    }
    /// A space term in the reader's language: `space-<kind>-<code>`.
    pub fn st(&self, kind: &str, code: &str) -> String {
        self.t(&format!("space-{kind}-{code}"))
    }
    pub fn som<M: Val<i64>>(&self, tyiyn: M) -> String {
        format!(
            "{} {}",
            domain::Money(tyiyn.val()).som_display(),
            self.t("space-som")
        )
    }
    pub fn hm<T: Val<chrono::DateTime<Utc>>>(&self, t: T) -> String {
        domain::space::local(t.val()).format("%H:%M").to_string()
    }
    pub fn pct<V: Val<Option<i64>>>(&self, v: V) -> String {
        v.val()
            .map(|v| format!("{v} %"))
            .unwrap_or_else(|| "—".into())
    }
    pub fn space_day<D: Val<NaiveDate>>(&self, d: D) -> String {
        self.t(&format!(
            "space-day-{}",
            svc::DAYS[d.val().weekday().num_days_from_monday() as usize]
        ))
    }
    /// `2026-03` as `03.26` (narrow table columns on a phone).
    pub fn short_month(&self, m: &str) -> String {
        match (m.get(2..4), m.get(5..7)) {
            (Some(y), Some(mm)) => format!("{mm}.{y}"),
            _ => m.to_string(),
        }
    }
    pub fn hours<M: Val<i64>>(&self, minutes: M) -> String {
        let m = minutes.val();
        if m % 60 == 0 {
            format!("{} {}", m / 60, self.t("space-hours-short"))
        } else {
            format!("{:.1} {}", m as f64 / 60.0, self.t("space-hours-short"))
        }
    }
}

fn space_lab_check(c: &Ctx, lab: &Lab) -> AppResult<()> {
    c.require(Action::ManageSpace(lab.id))
}

// ---------------------------------------------------------------- the coordinator's space

#[derive(Template, WebTemplate)]
#[template(path = "space_lab.html")]
struct LabSpacePage {
    c: Ctx,
    lab: Lab,
    resources: Vec<Resource>,
    plans: Vec<Plan>,
    person_plans: Vec<PersonPlan>,
    today: Vec<Booking>,
    people: Vec<(PersonId, String)>,
    plan_form: PlanInput,
    assign_form: AssignInput,
    errors: Errors,
}

impl LabSpacePage {
    async fn new(c: Ctx, s: &AppState, lab: Lab, errors: Errors) -> AppResult<Self> {
        space_lab_check(&c, &lab)?;
        let resources = svc::resources(&s.store, &c.actor, lab.id).await?;
        let plans = svc::plans(&s.store, &c.actor, lab.id).await?;
        let person_plans = svc::lab_person_plans(&s.store, &c.actor, lab.id).await?;
        let people = svc::lab_people(&s.store, &c.actor, lab.id).await?;
        let day = domain::time::today();
        let from = domain::space::at(day, NaiveTime::MIN);
        let mut today = vec![];
        for r in &resources {
            today.extend(
                svc::resource_bookings(&s.store, &c.actor, r, from, from + Duration::days(1))
                    .await?,
            );
        }
        today.sort_by_key(|b| b.starts_at);
        Ok(Self {
            c,
            lab,
            resources,
            plans,
            person_plans,
            today,
            people,
            plan_form: PlanInput {
                kind: "monthly".into(),
                hours: "10".into(),
                days: "30".into(),
                ..Default::default()
            },
            assign_form: AssignInput::default(),
            errors,
        })
    }
}

async fn lab_space(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<LabSpacePage> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    LabSpacePage::new(c, &s, lab, Errors::default()).await
}

async fn create_plan(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<PlanInput>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let to = format!("/labs/{slug}/space");
    respond(
        svc::save_plan(&s.store, &c.actor, lab.id, &f).await,
        |_| redirect_with_flash(&to, "flash-saved"),
        async |errors| {
            let mut p = LabSpacePage::new(c, &s, lab, errors).await?;
            p.plan_form = f;
            Ok(p)
        },
    )
    .await
}

async fn assign_plan(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<AssignInput>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let to = format!("/labs/{slug}/space");
    respond(
        svc::assign_plan(&s.store, &c.actor, lab.id, &f).await,
        |(_, inv)| match inv {
            Some(i) => redirect_with_flash(&format!("/invoices/{i}"), "flash-saved"),
            None => redirect_with_flash(&to, "flash-saved"),
        },
        async |errors| {
            let mut p = LabSpacePage::new(c, &s, lab, errors).await?;
            p.assign_form = f;
            Ok(p)
        },
    )
    .await
}

// ---------------------------------------------------------------- resource forms

#[derive(Template, WebTemplate)]
#[template(path = "space_resource_form.html")]
struct ResourceForm {
    c: Ctx,
    lab: Lab,
    id: Option<ResourceId>,
    f: ResourceInput,
    programmes: Vec<(String, String)>,
    errors: Errors,
}

impl ResourceForm {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/resources/{id}/edit"),
            None => format!("/labs/{}/space/resources/new", self.lab.slug),
        }
    }
}

async fn programmes(s: &AppState, lab: &Lab) -> AppResult<Vec<(String, String)>> {
    svc::programme_choices(&s.store, lab.id).await
}

async fn new_resource(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<ResourceForm> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    space_lab_check(&c, &lab)?;
    Ok(ResourceForm {
        programmes: programmes(&s, &lab).await?,
        c,
        lab,
        id: None,
        f: ResourceInput::blank(),
        errors: Errors::default(),
    })
}

async fn create_resource(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<ResourceInput>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    respond(
        svc::save_resource(&s.store, &c.actor, lab.id, None, &f).await,
        |id| redirect_with_flash(&format!("/resources/{id}"), "flash-saved"),
        async |errors| {
            Ok(ResourceForm {
                programmes: programmes(&s, &lab).await?,
                c,
                lab,
                id: None,
                f,
                errors,
            })
        },
    )
    .await
}

async fn edit_resource(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResourceId>,
) -> AppResult<ResourceForm> {
    let r = svc::resource_for(&s.store, &c.actor, id).await?;
    let lab = lab_of(&s, r.lab_id).await?;
    space_lab_check(&c, &lab)?;
    let prices = svc::prices(&s.store, &r).await?;
    Ok(ResourceForm {
        programmes: programmes(&s, &lab).await?,
        f: ResourceInput::from_resource(&r, &prices),
        c,
        lab,
        id: Some(id),
        errors: Errors::default(),
    })
}

async fn save_resource(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResourceId>,
    VerifiedForm(f): VerifiedForm<ResourceInput>,
) -> AppResult<Response> {
    let r = svc::resource_for(&s.store, &c.actor, id).await?;
    let lab = lab_of(&s, r.lab_id).await?;
    respond(
        svc::save_resource(&s.store, &c.actor, lab.id, Some(id), &f).await,
        |id| redirect_with_flash(&format!("/resources/{id}"), "flash-saved"),
        async |errors| {
            Ok(ResourceForm {
                programmes: programmes(&s, &lab).await?,
                c,
                lab,
                id: Some(id),
                f,
                errors,
            })
        },
    )
    .await
}

async fn lab_of(s: &AppState, id: domain::LabId) -> AppResult<Lab> {
    Ok(crate::services::labs::summary(&s.store, id).await?.lab)
}

// ---------------------------------------------------------------- a resource's week

#[derive(Deserialize, Default)]
struct WeekQuery {
    #[serde(default)]
    week: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BookForm {
    pub date: String,
    pub start: String,
    pub minutes: String,
    pub person_id: String,
    pub walk_in: String,
    pub weeks: String,
    pub week: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "space_resource.html")]
struct ResourcePage {
    c: Ctx,
    lab: Lab,
    r: Resource,
    days: Vec<Day>,
    week: NaiveDate,
    prev: NaiveDate,
    next: NaiveDate,
    staff: bool,
    prices: Vec<store::space::Price>,
    bookings: Vec<Booking>,
    people: Vec<(PersonId, String)>,
    training: Option<String>,
    f: BookForm,
    /// Why a booking was refused, in her language.
    refusal: Option<String>,
    errors: Errors,
    /// Bookings affected by a block just made.
    affected: Vec<Booking>,
}

impl ResourcePage {
    fn durations(&self) -> Vec<(i64, String)> {
        let step = self.r.slot_minutes.max(15);
        let max = if self.staff {
            12 * 60
        } else {
            self.r.max_minutes
        };
        (1..=(max / step).clamp(1, 48))
            .map(|k| {
                let m = k * step;
                let label = if m % 60 == 0 {
                    format!("{} {}", m / 60, self.c.t("space-hours-short"))
                } else {
                    format!("{m} {}", self.c.t("space-minutes-short"))
                };
                (m, label)
            })
            .collect()
    }
    fn starts(&self) -> Vec<String> {
        let week = self.r.week();
        let mut out: Vec<String> = vec![];
        for d in week.0.iter().flatten() {
            let mut t = d.0;
            while t < d.1 {
                let s = t.format("%H:%M").to_string();
                if !out.contains(&s) {
                    out.push(s);
                }
                let (n, wrap) = t.overflowing_add_signed(Duration::minutes(self.r.slot_minutes));
                if wrap != 0 {
                    break;
                }
                t = n;
            }
        }
        out.sort();
        out
    }
}

async fn resource_view(
    c: Ctx,
    s: &AppState,
    id: ResourceId,
    week: Option<NaiveDate>,
    f: BookForm,
) -> AppResult<ResourcePage> {
    let r = svc::resource_for(&s.store, &c.actor, id).await?;
    let lab = lab_of(s, r.lab_id).await?;
    let staff = c.actor.allows(Action::ManageSpace(lab.id));
    let today = domain::time::today();
    let week = week.unwrap_or(today);
    let monday = week - Duration::days(week.weekday().num_days_from_monday() as i64);
    let days =
        svc::availability(&s.store, &c.actor, &r, monday, monday + Duration::days(6)).await?;
    let prices = svc::prices(&s.store, &r).await?;
    let (bookings, people) = if staff {
        (
            svc::resource_bookings(
                &s.store,
                &c.actor,
                &r,
                domain::space::at(monday, NaiveTime::MIN),
                domain::space::at(monday + Duration::days(7), NaiveTime::MIN),
            )
            .await?,
            svc::lab_people(&s.store, &c.actor, lab.id).await?,
        )
    } else {
        (vec![], vec![])
    };
    let training = match r.training_id {
        Some(p) => svc::programme_title(&s.store, p).await?,
        None => None,
    };
    Ok(ResourcePage {
        c,
        lab,
        r,
        days,
        week: monday,
        prev: monday - Duration::days(7),
        next: monday + Duration::days(7),
        staff,
        prices,
        bookings,
        people,
        training,
        f,
        refusal: None,
        errors: Errors::default(),
        affected: vec![],
    })
}

async fn resource_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResourceId>,
    Query(q): Query<WeekQuery>,
) -> AppResult<ResourcePage> {
    let week = domain::time::parse_date(&q.week);
    let f = BookForm {
        date: q.date.clone(),
        start: q.start.clone(),
        minutes: String::new(),
        weeks: "1".into(),
        ..Default::default()
    };
    resource_view(c, &s, id, week.or(domain::time::parse_date(&q.date)), f).await
}

async fn book(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResourceId>,
    VerifiedForm(f): VerifiedForm<BookForm>,
) -> AppResult<Response> {
    c.require_user()?;
    let date = domain::time::parse_date(&f.date);
    let start = NaiveTime::parse_from_str(f.start.trim(), "%H:%M").ok();
    let minutes = f
        .minutes
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| *m > 0 && *m <= 24 * 60);
    let mut errs = vec![];
    if date.is_none() {
        errs.push(("date".to_string(), "err-date".to_string()));
    }
    if start.is_none() {
        errs.push(("start".to_string(), "err-space-time".to_string()));
    }
    if minutes.is_none() {
        errs.push(("minutes".to_string(), "err-space-number".to_string()));
    }
    let person = if f.person_id.trim().is_empty() {
        None
    } else {
        match f.person_id.trim().parse::<PersonId>() {
            Ok(p) => Some(p),
            Err(_) => {
                errs.push(("person_id".to_string(), "err-choice".to_string()));
                None
            }
        }
    };
    let result = if errs.is_empty() {
        let starts_at = domain::space::at(date.unwrap_or_default(), start.unwrap_or_default());
        svc::book(
            &s.store,
            &c.actor,
            &BookRequest {
                resource: id,
                starts_at,
                ends_at: starts_at + Duration::minutes(minutes.unwrap_or(60)),
                person,
                walk_in: f.walk_in.clone(),
                weeks: f.weeks.trim().parse().unwrap_or(1),
                note: String::new(),
            },
        )
        .await
    } else {
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/resources/{id}?week={}", f.date),
            "flash-space-booked",
        )),
        Err(AppError::Conflict(key)) if key.starts_with("space-refused-") => {
            let week = date;
            let mut p = resource_view(c, &s, id, week, f).await?;
            p.refusal = Some(p.c.t(key));
            Ok((StatusCode::CONFLICT, p).into_response())
        }
        Err(AppError::Invalid(errs)) => {
            let mut p = resource_view(c, &s, id, date, f).await?;
            p.errors = Errors(errs);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BlockForm {
    from: String,
    to: String,
    reason: String,
}

async fn block(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResourceId>,
    VerifiedForm(f): VerifiedForm<BlockForm>,
) -> AppResult<Response> {
    let r = svc::resource_for(&s.store, &c.actor, id).await?;
    match svc::block(&s.store, &c.actor, &r, &f.from, &f.to, &f.reason).await {
        Ok(affected) => {
            let mut p = resource_view(
                c,
                &s,
                id,
                domain::time::parse_date(&f.from),
                BookForm::default(),
            )
            .await?;
            p.affected = affected;
            Ok(p.into_response())
        }
        Err(AppError::Invalid(errs)) => {
            let mut p = resource_view(c, &s, id, None, BookForm::default()).await?;
            p.errors = Errors(errs);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BackForm {
    back: String,
    status: String,
}

fn back_to(back: &str, default: &str) -> String {
    let b = crate::ctx::safe_next(Some(back));
    if back.is_empty() || b == "/" {
        default.to_string()
    } else {
        b
    }
}

async fn cancel(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<BookingId>,
    VerifiedForm(f): VerifiedForm<BackForm>,
) -> AppResult<Response> {
    let to = back_to(&f.back, "/me/bookings");
    match svc::cancel(&s.store, &c.actor, id).await {
        Ok(()) => Ok(redirect_with_flash(&to, "flash-space-cancelled")),
        Err(AppError::Conflict(k)) => Ok(redirect_with_flash(
            &to,
            if k == "space-refused-too-late" {
                "flash-space-too-late"
            } else {
                "flash-space-not-live"
            },
        )),
        Err(e) => Err(e),
    }
}

async fn mark(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<BookingId>,
    VerifiedForm(f): VerifiedForm<BackForm>,
) -> AppResult<Response> {
    let b = svc::booking_for(&s.store, &c.actor, id).await?;
    let to = back_to(&f.back, &format!("/resources/{}", b.resource_id));
    svc::mark(&s.store, &c.actor, id, &f.status).await?;
    Ok(redirect_with_flash(&to, "flash-saved"))
}

async fn invoice_booking(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<BookingId>,
    VerifiedForm(_f): VerifiedForm<BackForm>,
) -> AppResult<Response> {
    let i = svc::invoice_booking(&s.store, &c.actor, id).await?;
    Ok(redirect_with_flash(
        &format!("/invoices/{i}"),
        "flash-space-invoiced",
    ))
}

async fn invoice_plan(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<PersonPlanId>,
    VerifiedForm(_f): VerifiedForm<BackForm>,
) -> AppResult<Response> {
    let i = svc::invoice_plan(&s.store, &c.actor, id).await?;
    Ok(redirect_with_flash(
        &format!("/invoices/{i}"),
        "flash-space-invoiced",
    ))
}

fn ics_response(body: String, name: &str) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

async fn resource_ics(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<ResourceId>,
) -> AppResult<Response> {
    let r = svc::resource_for(&s.store, &c.actor, id).await?;
    let now = Utc::now();
    let list = svc::resource_bookings(
        &s.store,
        &c.actor,
        &r,
        now - Duration::days(60),
        now + Duration::days(400),
    )
    .await?;
    let body = svc::ical(r.name(c.lang.code()), &c.base, &list, c.lang.code(), true);
    Ok(ics_response(body, &format!("resource-{id}.ics")))
}

async fn my_ics(c: Ctx, State(s): State<AppState>) -> AppResult<Response> {
    c.require_user()?;
    let list: Vec<Booking> = svc::my_bookings(&s.store, &c.actor)
        .await?
        .into_iter()
        .filter(|b| b.status != "cancelled")
        .collect();
    let body = svc::ical(
        &c.t("space-my-bookings"),
        &c.base,
        &list,
        c.lang.code(),
        false,
    );
    Ok(ics_response(body, "my-bookings.ics"))
}

// ---------------------------------------------------------------- her bookings

#[derive(Template, WebTemplate)]
#[template(path = "space_me.html")]
struct MyPage {
    c: Ctx,
    resources: Vec<Resource>,
    upcoming: Vec<Booking>,
    past: Vec<Booking>,
    plans: Vec<PersonPlan>,
    invoices: Vec<Invoice>,
}

async fn my_bookings(c: Ctx, State(s): State<AppState>) -> AppResult<MyPage> {
    c.require_user()?;
    let resources = match svc::my_lab(&s.store, &c.actor).await? {
        Some(lab) => svc::resources(&s.store, &c.actor, lab).await?,
        None => vec![],
    };
    let now = Utc::now();
    let all = svc::my_bookings(&s.store, &c.actor).await?;
    let (mut upcoming, past): (Vec<Booking>, Vec<Booking>) = all
        .into_iter()
        .partition(|b| b.ends_at > now && b.status != "cancelled");
    upcoming.sort_by_key(|b| b.starts_at);
    Ok(MyPage {
        resources,
        upcoming,
        past: past.into_iter().take(30).collect(),
        plans: svc::my_plans(&s.store, &c.actor).await?,
        invoices: svc::my_invoices(&s.store, &c.actor).await?,
        c,
    })
}

// ---------------------------------------------------------------- invoices

#[derive(Template, WebTemplate)]
#[template(path = "space_invoices.html")]
struct InvoicesPage {
    c: Ctx,
    lab: Lab,
    invoices: Vec<Invoice>,
    people: Vec<(PersonId, String)>,
    orgs: Vec<(String, String)>,
    f: InvoiceInput,
    errors: Errors,
}

impl InvoicesPage {
    async fn new(
        c: Ctx,
        s: &AppState,
        lab: Lab,
        f: InvoiceInput,
        errors: Errors,
    ) -> AppResult<Self> {
        space_lab_check(&c, &lab)?;
        let invoices = svc::invoices(&s.store, &c.actor, lab.id).await?;
        let people = svc::lab_people(&s.store, &c.actor, lab.id).await?;
        let orgs = svc::org_choices(&s.store, &c.actor, lab.id).await?;
        Ok(Self {
            c,
            lab,
            invoices,
            people,
            orgs,
            f,
            errors,
        })
    }
    fn line<N: Val<usize>>(&self, i: N, field: &str) -> String {
        let i = i.val();
        let v = match field {
            "item" => &self.f.item,
            "description" => &self.f.description,
            "quantity" => &self.f.quantity,
            _ => &self.f.unit_price,
        };
        v.get(i).cloned().unwrap_or_default()
    }
}

async fn lab_invoices(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<InvoicesPage> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    InvoicesPage::new(c, &s, lab, InvoiceInput::default(), Errors::default()).await
}

async fn create_invoice(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<InvoiceInput>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    respond(
        svc::issue_invoice(&s.store, &c.actor, lab.id, &f).await,
        |id| redirect_with_flash(&format!("/invoices/{id}"), "flash-space-invoiced"),
        async |errors| InvoicesPage::new(c, &s, lab, f, errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "space_invoice.html")]
struct InvoicePage {
    c: Ctx,
    i: Invoice,
    lines: Vec<Line>,
    payments: Vec<Payment>,
    /// The credit note that corrects this invoice: no payment and no second correction then.
    credited_by: Option<Invoice>,
    /// For a credit note, the invoice it corrects.
    corrects: Option<Invoice>,
    staff: bool,
    f: PaymentInput,
    errors: Errors,
}

async fn invoice_view(
    c: Ctx,
    s: &AppState,
    id: InvoiceId,
    f: PaymentInput,
    errors: Errors,
) -> AppResult<InvoicePage> {
    let svc::InvoiceView {
        i,
        lines,
        payments,
        credited_by,
        corrects,
    } = svc::invoice_for(&s.store, &c.actor, id).await?;
    Ok(InvoicePage {
        corrects,
        credited_by,
        staff: c.actor.allows(Action::ManageSpace(i.lab_id)),
        c,
        i,
        lines,
        payments,
        f,
        errors,
    })
}

async fn invoice_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let (id, pdf) = match file.strip_suffix(".pdf") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let id: InvoiceId = id.parse().map_err(|_| AppError::NotFound)?;
    if pdf {
        let svc::InvoiceView {
            i, lines, payments, ..
        } = svc::invoice_for(&s.store, &c.actor, id).await?;
        let bytes = svc::invoice_pdf(c.lang, &i, &lines, &payments);
        return Ok(crate::download::file(
            bytes,
            "application/pdf",
            &format!("{}.pdf", i.number),
        ));
    }
    Ok(invoice_view(
        c,
        &s,
        id,
        PaymentInput {
            method: "cash".into(),
            ..Default::default()
        },
        Errors::default(),
    )
    .await?
    .into_response())
}

async fn add_payment(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<InvoiceId>,
    VerifiedForm(f): VerifiedForm<PaymentInput>,
) -> AppResult<Response> {
    respond(
        svc::record_payment(&s.store, &c.actor, id, &f).await,
        |_| redirect_with_flash(&format!("/invoices/{id}"), "flash-space-paid"),
        async |errors| invoice_view(c, &s, id, f, errors).await,
    )
    .await
}

async fn credit(
    c: Ctx,
    State(s): State<AppState>,
    Path(id): Path<InvoiceId>,
    VerifiedForm(_f): VerifiedForm<BackForm>,
) -> AppResult<Response> {
    let cid = svc::credit_note(&s.store, &c.actor, id).await?;
    Ok(redirect_with_flash(
        &format!("/invoices/{cid}"),
        "flash-space-credited",
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "space_account.html")]
struct AccountPage {
    c: Ctx,
    lab: Lab,
    name: String,
    invoices: Vec<Invoice>,
    owed: i64,
}

async fn person_account(
    c: Ctx,
    State(s): State<AppState>,
    Path((slug, person)): Path<(String, PersonId)>,
) -> AppResult<AccountPage> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let (name, invoices, owed) =
        svc::statement_of_person(&s.store, &c.actor, lab.id, person).await?;
    Ok(AccountPage {
        c,
        lab,
        name,
        invoices,
        owed,
    })
}

/// `invoices.csv`, `invoices.xlsx`, `payments.csv`, `payments.xlsx`.
async fn export(
    c: Ctx,
    State(s): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
) -> AppResult<Response> {
    use documents::table::{Cell, Sheet};
    let lab = lab_by_slug(&s.store, &slug).await?;
    space_lab_check(&c, &lab)?;
    let sheet = match file.split('.').next() {
        Some("invoices") => {
            let mut sh = Sheet::new(
                c.t("space-invoices"),
                [
                    "space-number",
                    "space-kind",
                    "space-issued-on",
                    "space-due-on",
                    "space-payer",
                    "space-source",
                    "space-total",
                    "space-paid",
                    "space-to-pay",
                ]
                .iter()
                .map(|k| c.t(k))
                .collect(),
            );
            for i in svc::invoices(&s.store, &c.actor, lab.id).await? {
                sh.push(vec![
                    Cell::Text(i.number.clone()),
                    Cell::Text(i.kind.clone()),
                    Cell::Date(i.issued_on),
                    Cell::Date(i.due_on),
                    Cell::Text(i.payer_name.clone()),
                    Cell::Text(i.source.clone()),
                    Cell::Money(i.total),
                    Cell::Money(i.paid),
                    Cell::Money(i.due()),
                ]);
            }
            sh
        }
        Some("payments") => {
            let mut sh = Sheet::new(
                c.t("space-payments"),
                [
                    "space-paid-on",
                    "space-number",
                    "space-payer",
                    "space-amount",
                    "space-method",
                    "space-reference",
                ]
                .iter()
                .map(|k| c.t(k))
                .collect(),
            );
            for p in svc::payments(&s.store, &c.actor, lab.id).await? {
                sh.push(vec![
                    Cell::Date(p.paid_on),
                    Cell::Text(p.number.clone()),
                    Cell::Text(p.payer_name.clone()),
                    Cell::Money(p.amount),
                    Cell::Text(p.method.clone()),
                    Cell::Text(p.reference.clone()),
                ]);
            }
            sh
        }
        _ => return Err(AppError::NotFound),
    };
    let name = format!("{}-{file}", lab.slug);
    if file.ends_with(".csv") {
        Ok(crate::download::csv(&sheet, &name))
    } else if file.ends_with(".xlsx") {
        crate::download::xlsx(&[sheet], &name)
    } else {
        Err(AppError::NotFound)
    }
}

// ---------------------------------------------------------------- bank statement

#[derive(Template, WebTemplate)]
#[template(path = "space_statement.html")]
struct StatementPage {
    c: Ctx,
    lab: Lab,
    preview: Option<StatementPreview>,
    /// The file, hex-encoded, carried to the confirming form.
    data: String,
    applied: bool,
    errors: Errors,
}

async fn statement_form(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<StatementPage> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    space_lab_check(&c, &lab)?;
    Ok(StatementPage {
        c,
        lab,
        preview: None,
        data: String::new(),
        applied: false,
        errors: Errors::default(),
    })
}

async fn statement_import(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    form: Multipart,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    space_lab_check(&c, &lab)?;
    let (mut file, mut token, mut data, mut apply) = (vec![], String::new(), String::new(), false);
    for (name, bytes) in multipart_parts(form).await? {
        match name.as_str() {
            "_csrf" => token = String::from_utf8_lossy(&bytes).to_string(),
            "file" => file = bytes.to_vec(),
            "data" => data = String::from_utf8_lossy(&bytes).to_string(),
            "apply" => apply = true,
            _ => {}
        }
    }
    if !constant_time_eq(token.as_bytes(), c.csrf.as_bytes()) {
        return Err(AppError::Csrf);
    }
    if file.is_empty() && !data.is_empty() {
        file = hex::decode(data.trim()).map_err(|_| AppError::BadRequest("err-bad-form"))?;
    }
    match svc::import_statement(&s.store, &c.actor, lab.id, &file, apply).await {
        Ok(p) => Ok(StatementPage {
            data: if apply {
                String::new()
            } else {
                hex::encode(&file)
            },
            c,
            lab,
            preview: Some(p),
            applied: apply,
            errors: Errors::default(),
        }
        .into_response()),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            StatementPage {
                c,
                lab,
                preview: None,
                data: String::new(),
                applied: false,
                errors: Errors(errs),
            },
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- money

#[derive(Deserialize, Default)]
#[serde(default)]
struct MonthsQuery {
    from: String,
    to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "space_finance.html")]
struct FinancePage {
    c: Ctx,
    lab: Lab,
    f: svc::Finance,
    trend: String,
    ratio_svg: String,
    money_svg: String,
    cost: CostInput,
    errors: Errors,
}

async fn finance_view(
    c: Ctx,
    s: &AppState,
    lab: Lab,
    q: &MonthsQuery,
    cost: CostInput,
    errors: Errors,
) -> AppResult<FinancePage> {
    let f = svc::finance(
        &s.store,
        &c.actor,
        lab.id,
        Some(q.from.as_str()),
        Some(q.to.as_str()),
    )
    .await?;
    Ok(FinancePage {
        trend: svc::trend_text(c.lang, lab.name(c.lang.code()), &f),
        ratio_svg: svc::ratio_chart(c.lang, &f),
        money_svg: svc::money_chart(c.lang, &f),
        c,
        lab,
        f,
        cost,
        errors,
    })
}

async fn finance_page(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<MonthsQuery>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    match finance_view(
        c.clone(),
        &s,
        lab.clone(),
        &q,
        CostInput {
            month: domain::time::today().format("%Y-%m").to_string(),
            ..Default::default()
        },
        Errors::default(),
    )
    .await
    {
        Ok(p) => Ok(p.into_response()),
        Err(AppError::Invalid(errs)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            finance_view(
                c,
                &s,
                lab,
                &MonthsQuery::default(),
                CostInput::default(),
                Errors(errs),
            )
            .await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

async fn add_cost(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    VerifiedForm(f): VerifiedForm<CostInput>,
) -> AppResult<Response> {
    let lab = lab_by_slug(&s.store, &slug).await?;
    let to = format!("/labs/{slug}/finance");
    respond(
        svc::add_cost(&s.store, &c.actor, lab.id, &f).await,
        |_| redirect_with_flash(&to, "flash-saved"),
        async |errors| finance_view(c, &s, lab, &MonthsQuery::default(), f, errors).await,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "space_network.html")]
struct NetworkPage {
    c: Ctx,
    rows: Vec<(Lab, svc::Finance, String)>,
    chart: String,
}

/// Every lab's self-financing (the network admin).
async fn network_space(c: Ctx, State(s): State<AppState>) -> AppResult<NetworkPage> {
    c.require(Action::ManageNetwork)?;
    let labs = crate::services::labs::all(&s.store).await?;
    let mut rows = vec![];
    for lab in labs {
        let f = svc::finance(&s.store, &c.actor, lab.id, None, None).await?;
        let t = svc::trend_text(c.lang, lab.name(c.lang.code()), &f);
        rows.push((lab, f, t));
    }
    let series: Vec<documents::charts::Series> = rows
        .iter()
        .map(|(lab, f, _)| documents::charts::Series {
            name: lab.name(c.lang.code()).to_string(),
            points: f
                .months
                .iter()
                .map(|m| (m.month[2..].replace('-', "."), m.ratio_pct))
                .collect(),
        })
        .collect();
    let chart = documents::charts::monthly_series(&c.t("space-ratio-chart"), &series, "—");
    Ok(NetworkPage { c, rows, chart })
}
