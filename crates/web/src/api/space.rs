//! The space and its money in JSON: resources, availability (whoever booked is never named),
//! bookings, one's own bookings, invoices (JSON or PDF) and the lab's finance.
use super::errors::ErrorBody;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::services::space::{self as svc, BookRequest, Day};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{BookingId, InvoiceId, PersonId, ResourceId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lab_resources))
        .routes(routes!(availability))
        .routes(routes!(create_booking))
        .routes(routes!(cancel_booking))
        .routes(routes!(my_bookings))
        .routes(routes!(get_invoice))
        .routes(routes!(lab_finance))
}

#[derive(Serialize, ToSchema)]
pub struct PriceDto {
    /// resident, alumna, member, outsider, organisation
    pub audience: String,
    /// hour, day or slot
    pub unit: String,
    /// In tyiyn (som × 100).
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ResourceDto {
    pub id: uuid::Uuid,
    /// room, desk or equipment
    pub kind: String,
    pub name_ky: String,
    pub name_ru: String,
    pub name_en: String,
    pub capacity: i64,
    /// Monday..Sunday, `09:00-18:00` or empty (closed), in Bishkek time.
    pub hours: Vec<String>,
    pub slot_minutes: i64,
    pub horizon_days: i64,
    pub max_minutes: i64,
    pub cancel_hours: i64,
    /// The programme whose certificate is required before booking.
    pub training_id: Option<uuid::Uuid>,
    pub active: bool,
    pub prices: Vec<PriceDto>,
}

/// The lab's resources with their rules and prices (anyone signed in of the lab).
#[utoipa::path(get, path = "/api/v1/labs/{slug}/resources", tag = "space", security(("bearer" = [])),
    params(("slug" = String, Path, description = "The lab's slug")),
    responses((status = 200, body = [ResourceDto]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn lab_resources(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Json<Vec<ResourceDto>>> {
    c.require_user()?;
    let lab = crate::services::labs::lab_by_slug(&s.store, &slug).await?;
    let list = svc::resources(&s.store, &c.actor, lab.id).await?;
    let mut out = vec![];
    for r in list {
        let prices = svc::prices(&s.store, &r).await?;
        out.push(ResourceDto {
            id: r.id.0,
            kind: r.kind.clone(),
            hours: r.week().0.iter().map(domain::space::day_code).collect(),
            name_ky: r.name_ky,
            name_ru: r.name_ru,
            name_en: r.name_en,
            capacity: r.capacity,
            slot_minutes: r.slot_minutes,
            horizon_days: r.horizon_days,
            max_minutes: r.max_minutes,
            cancel_hours: r.cancel_hours,
            training_id: r.training_id.map(|t| t.0),
            active: r.active,
            prices: prices
                .into_iter()
                .map(|p| PriceDto {
                    audience: p.audience,
                    unit: p.unit,
                    amount: p.amount,
                })
                .collect(),
        });
    }
    Ok(Json(out))
}

#[derive(Deserialize, IntoParams)]
pub struct RangeQuery {
    /// First day, `YYYY-MM-DD` (default today).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default six days after `from`; at most 31 days).
    pub to: Option<String>,
}

fn day(field: &str, s: Option<&str>, default: NaiveDate) -> AppResult<NaiveDate> {
    match s {
        None | Some("") => Ok(default),
        Some(s) => domain::time::parse_date(s)
            .ok_or_else(|| crate::services::base::invalid(field, "err-date")),
    }
}

/// Free and taken slots of a resource by day; nobody's name is shown.
#[utoipa::path(get, path = "/api/v1/resources/{id}/availability", tag = "space", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The resource"), RangeQuery),
    responses((status = 200, body = [Day]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn availability(
    c: Ctx,
    State(s): State<AppState>,
    crate::ctx::Path(id): crate::ctx::Path<ResourceId>,
    Query(q): Query<RangeQuery>,
) -> AppResult<Json<Vec<Day>>> {
    c.require_user()?;
    let r = svc::resource_for(&s.store, &c.actor, id).await?;
    let from = day("from", q.from.as_deref(), domain::time::today())?;
    let to = day("to", q.to.as_deref(), from + chrono::Duration::days(6))?;
    Ok(Json(
        svc::availability(&s.store, &c.actor, &r, from, to).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct BookingBody {
    pub resource_id: uuid::Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// A coordinator books for a woman of the lab.
    pub person_id: Option<uuid::Uuid>,
    /// A coordinator books for a walk-in (her name).
    #[serde(default)]
    pub walk_in: String,
    /// A coordinator repeats the booking weekly for this many weeks (1..26).
    pub weeks: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BookingDto {
    pub id: uuid::Uuid,
    pub resource_id: uuid::Uuid,
    pub resource: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// booked, cancelled, arrived, no-show
    pub status: String,
    /// In tyiyn; 0 when free or covered by her plan.
    pub price: i64,
}

fn booking_dto(b: &store::space::Booking, lang: &str) -> BookingDto {
    BookingDto {
        id: b.id.0,
        resource_id: b.resource_id.0,
        resource: b.resource_name(lang).into(),
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        status: b.status.clone(),
        price: b.price,
    }
}

#[derive(Serialize, ToSchema)]
pub struct BookedDto {
    /// The bookings made (several for a weekly series).
    pub bookings: Vec<uuid::Uuid>,
}

/// Books a resource for the token's owner, or (a coordinator) for `person_id` or a walk-in.
/// 409 with the reason when refused: `space-refused-taken`, `-closed`, `-past`,
/// `-end-before-start`, `-beyond-horizon`, `-too-long`, `-off-slot`, `-no-training`,
/// `-plan-used-up`.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "space", security(("bearer" = [])), request_body = BookingBody,
    responses((status = 201, body = BookedDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_booking(
    c: Ctx,
    State(s): State<AppState>,
    Json(body): Json<BookingBody>,
) -> AppResult<(StatusCode, Json<BookedDto>)> {
    c.require_user()?;
    let ids = svc::book(
        &s.store,
        &c.actor,
        &BookRequest {
            resource: ResourceId(body.resource_id),
            starts_at: body.starts_at,
            ends_at: body.ends_at,
            person: body.person_id.map(PersonId),
            walk_in: body.walk_in,
            weeks: body.weeks.unwrap_or(1),
            note: String::new(),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(BookedDto {
            bookings: ids.iter().map(|b| b.0).collect(),
        }),
    ))
}

/// Cancels a booking: her own before the resource's deadline (409 `space-refused-too-late`
/// after), or any of the lab by its coordinators.
#[utoipa::path(delete, path = "/api/v1/bookings/{id}", tag = "space", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The booking")),
    responses((status = 204, description = "Cancelled"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel_booking(
    c: Ctx,
    State(s): State<AppState>,
    crate::ctx::Path(id): crate::ctx::Path<BookingId>,
) -> AppResult<StatusCode> {
    c.require_user()?;
    svc::cancel(&s.store, &c.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The token owner's own bookings, newest first.
#[utoipa::path(get, path = "/api/v1/me/bookings", tag = "space", security(("bearer" = [])),
    responses((status = 200, body = [BookingDto]), (status = 401, body = ErrorBody)))]
async fn my_bookings(c: Ctx, State(s): State<AppState>) -> AppResult<Json<Vec<BookingDto>>> {
    c.require_user()?;
    let list = svc::my_bookings(&s.store, &c.actor).await?;
    Ok(Json(
        list.iter().map(|b| booking_dto(b, c.lang.code())).collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct LineDto {
    /// booking, plan, hall, event, other
    pub item: String,
    pub description: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentDto {
    pub id: uuid::Uuid,
    pub paid_on: NaiveDate,
    pub amount: i64,
    /// cash, bank-transfer, mobile-wallet, card
    pub method: String,
    pub reference: String,
}

#[derive(Serialize, ToSchema)]
pub struct InvoiceDto {
    pub id: uuid::Uuid,
    /// `OSH-2026-0007`: per lab and year, without gaps, never reused.
    pub number: String,
    /// invoice or credit-note
    pub kind: String,
    pub credits: Option<uuid::Uuid>,
    /// The credit note that corrects this invoice (it takes no payment then).
    pub credited_by: Option<uuid::Uuid>,
    pub payer: String,
    pub seller: String,
    pub seller_details: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    /// In tyiyn; negative for a credit note.
    pub total: i64,
    pub paid: i64,
    pub due: i64,
    pub lines: Vec<LineDto>,
    pub payments: Vec<PaymentDto>,
}

/// An invoice (the lab's coordinators, the admin, or the woman it is for); `{id}.pdf` gives
/// the PDF in the reader's language.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "space", security(("bearer" = [])),
    params(("id" = String, Path, description = "The invoice's id, or its id followed by `.pdf`")),
    responses((status = 200, body = InvoiceDto, description = "The invoice (JSON), or its PDF for `{id}.pdf`"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_invoice(
    c: Ctx,
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    c.require_user()?;
    let (id, pdf) = match file.strip_suffix(".pdf") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let id: InvoiceId = id.parse().map_err(|_| AppError::NotFound)?;
    let svc::InvoiceView {
        i,
        lines,
        payments,
        credited_by,
        ..
    } = svc::invoice_for(&s.store, &c.actor, id).await?;
    if pdf {
        let bytes = svc::invoice_pdf(c.lang, &i, &lines, &payments);
        return Ok(crate::download::file(
            bytes,
            "application/pdf",
            &format!("{}.pdf", i.number),
        ));
    }
    Ok(Json(InvoiceDto {
        id: i.id.0,
        number: i.number.clone(),
        kind: i.kind.clone(),
        credits: i.credits_id.map(|x| x.0),
        credited_by: credited_by.map(|n| n.id.0),
        payer: i.payer_name.clone(),
        seller: i.seller_name.clone(),
        seller_details: i.seller_details.clone(),
        issued_on: i.issued_on,
        due_on: i.due_on,
        total: i.total,
        paid: i.paid,
        due: i.due(),
        lines: lines
            .into_iter()
            .map(|l| LineDto {
                item: l.item,
                description: l.description,
                quantity: l.quantity,
                unit_price: l.unit_price,
                amount: l.amount,
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|p| PaymentDto {
                id: p.id.0,
                paid_on: p.paid_on,
                amount: p.amount,
                method: p.method,
                reference: p.reference,
            })
            .collect(),
    })
    .into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct MonthsQuery {
    /// First month, `YYYY-MM` (default 11 months before `to`).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default this month).
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AmountDto {
    /// A cost category, a payer or an income source.
    pub key: String,
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MonthDto {
    /// `YYYY-MM`
    pub month: String,
    pub costs: i64,
    pub own_income: i64,
    /// Own income / costs, whole per cent; null without costs.
    pub ratio_pct: Option<i64>,
    pub costs_by_category: Vec<AmountDto>,
    pub costs_by_payer: Vec<AmountDto>,
    pub income_by_source: Vec<AmountDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ResourceUseDto {
    pub resource_id: String,
    pub name: String,
    pub open_minutes: i64,
    pub booked_minutes: i64,
    pub used_minutes: i64,
    pub occupancy_pct: Option<i64>,
    pub income: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FinanceDto {
    pub from: String,
    pub to: String,
    pub months: Vec<MonthDto>,
    pub costs_12m: i64,
    pub income_12m: i64,
    /// Own income / costs over the 12 months ending at `to`.
    pub ratio_12m_pct: Option<i64>,
    pub target_pct: i64,
    pub resources: Vec<ResourceUseDto>,
    /// The trend in a sentence, in the caller's language.
    pub trend: String,
    pub women_using: i64,
}

/// Costs, own income and the self-financing ratio by month, occupancy and income per resource
/// (the lab's coordinators and the admin).
#[utoipa::path(get, path = "/api/v1/labs/{slug}/finance", tag = "space", security(("bearer" = [])),
    params(("slug" = String, Path, description = "The lab's slug"), MonthsQuery),
    responses((status = 200, body = FinanceDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn lab_finance(
    c: Ctx,
    State(s): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<MonthsQuery>,
) -> AppResult<Json<FinanceDto>> {
    c.require_user()?;
    let lab = crate::services::labs::lab_by_slug(&s.store, &slug).await?;
    let f = svc::finance(
        &s.store,
        &c.actor,
        lab.id,
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let amounts = |v: &[(String, i64)]| {
        v.iter()
            .map(|(k, a)| AmountDto {
                key: k.clone(),
                amount: *a,
            })
            .collect()
    };
    Ok(Json(FinanceDto {
        trend: svc::trend_text(c.lang, lab.name(c.lang.code()), &f),
        from: f.from.clone(),
        to: f.to.clone(),
        months: f
            .months
            .iter()
            .map(|m| MonthDto {
                month: m.month.clone(),
                costs: m.costs,
                own_income: m.own_income,
                ratio_pct: m.ratio_pct,
                costs_by_category: amounts(&m.costs_by_category),
                costs_by_payer: amounts(&m.costs_by_payer),
                income_by_source: amounts(&m.income_by_source),
            })
            .collect(),
        costs_12m: f.costs_12m,
        income_12m: f.income_12m,
        ratio_12m_pct: f.ratio_12m_pct,
        target_pct: f.target_pct,
        resources: f
            .resources
            .iter()
            .map(|r| ResourceUseDto {
                resource_id: r.resource.clone(),
                name: r.name.clone(),
                open_minutes: r.open_minutes,
                booked_minutes: r.booked_minutes,
                used_minutes: r.used_minutes,
                occupancy_pct: r.occupancy_pct,
                income: r.income,
            })
            .collect(),
        women_using: f.women,
    }))
}
