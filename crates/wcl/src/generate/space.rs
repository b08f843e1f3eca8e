//! The space of a generated lab and its own money: a hall, a sewing machine and a computer with
//! their prices and three plans; a term of bookings (thirteen weeks back, two ahead) busier in a
//! larger lab, each holding its slots; invoices numbered per lab and year without gaps for some
//! bookings, for the monthly plans its women take and for the hall rented to organisations, most
//! paid (some in part, the newest open, never more than the invoice); two years of costs and of
//! income taken at the door.
use super::*;
use chrono::Datelike;

const SETTINGS_COLS: &[&str; 5] = &[
    "lab_id",
    "legal_name",
    "legal_details",
    "target_pct",
    "updated_at",
];
const RESOURCE_COLS: &[&str; 14] = &[
    "id",
    "lab_id",
    "kind",
    "name_ky",
    "name_ru",
    "name_en",
    "capacity",
    "hours",
    "slot_minutes",
    "horizon_days",
    "max_minutes",
    "cancel_hours",
    "active",
    "created_at",
];
const PRICE_COLS: &[&str; 4] = &["resource_id", "audience", "unit", "amount"];
const PLAN_COLS: &[&str; 11] = &[
    "id",
    "lab_id",
    "kind",
    "name_ky",
    "name_ru",
    "name_en",
    "hours_included",
    "valid_days",
    "price",
    "active",
    "created_at",
];
const PERSON_PLAN_COLS: &[&str; 10] = &[
    "id",
    "lab_id",
    "plan_id",
    "person_id",
    "starts_on",
    "ends_on",
    "renews",
    "minutes_included",
    "minutes_used",
    "created_at",
];
const BOOKING_COLS: &[&str; 10] = &[
    "id",
    "lab_id",
    "resource_id",
    "person_id",
    "starts_at",
    "ends_at",
    "status",
    "price",
    "created_at",
    "cancelled_at",
];
const SLOT_COLS: &[&str; 3] = &["resource_id", "slot_start", "booking_id"];
const COUNTER_COLS: &[&str; 3] = &["lab_id", "year", "last_seq"];
const INVOICE_COLS: &[&str; 17] = &[
    "id",
    "lab_id",
    "year",
    "seq",
    "number",
    "kind",
    "person_id",
    "payer_name",
    "seller_name",
    "seller_details",
    "source",
    "issued_on",
    "due_on",
    "total",
    "language",
    "created_at",
    "org_id",
];
const LINE_COLS: &[&str; 11] = &[
    "id",
    "invoice_id",
    "position",
    "item",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "resource_id",
    "booking_id",
    "person_plan_id",
];
const PAYMENT_COLS: &[&str; 8] = &[
    "id",
    "lab_id",
    "invoice_id",
    "paid_on",
    "amount",
    "method",
    "reference",
    "created_at",
];
const COST_COLS: &[&str; 7] = &[
    "id",
    "lab_id",
    "month",
    "category",
    "paid_by",
    "amount",
    "created_at",
];
const INCOME_COLS: &[&str; 6] = &["id", "lab_id", "month", "source", "amount", "created_at"];

/// (kind, ky, ru, en, capacity, alumna's price per hour in som, how busy in tenths)
const RESOURCES: &[(&str, &str, &str, &str, i64, i64, u32)] = &[
    ("room", "Чоң зал", "Большой зал", "Hall", 30, 400, 3),
    (
        "equipment",
        "Өнөр жай тигүү машинасы",
        "Промышленная швейная машина",
        "Industrial sewing machine",
        1,
        80,
        7,
    ),
    ("desk", "Компьютер", "Компьютер", "Computer", 1, 50, 5),
];
/// Local hours a two-hour booking starts at.
const BLOCKS: &[u32] = &[9, 11, 14, 16];
const HOURS: &str = "09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,10:00-15:00,";
const ORGANISATIONS: &[&str] = &[
    "Кыргыз Айылы",
    "Бизнес Клубу",
    "Жаштар борбору",
    "ОсОО «Текстиль»",
];
const METHODS: &[&str] = &["cash", "bank-transfer", "mobile-wallet", "card"];

/// A stored timestamp of a local (Bishkek, UTC+6) hour of a day.
fn local(day: NaiveDate, hour: u32) -> String {
    at(day, hour - 6)
}

/// A resource's price an hour for an audience: `k` halves of the alumna's price in som.
fn price(som: i64, k: i64) -> i64 {
    som * k * 100 / 2
}

/// An invoice before it is numbered: (issued on, person, payer, source, item, description,
/// quantity, unit price, resource, booking, person plan).
type Bill = (
    NaiveDate,
    Option<String>,
    String,
    &'static str,
    &'static str,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Gen {
    pub(super) async fn space(&mut self, here: &Here<'_>) -> anyhow::Result<()> {
        let start = self.today - Duration::days(YEARS_DAYS);
        let legal = format!("ОФ «Women Creative Lab {}»", here.slug.to_uppercase());
        let details = "ИНН 02811201910231 · р/с 1280016040393512";
        self.bulk.row(
            "space_settings",
            SETTINGS_COLS,
            [
                text(here.lab),
                text(&legal),
                text(details),
                int(20 + self.rng.random_range(0..4) * 5),
                text(at(start, 7)),
            ],
        );
        let mut resources = vec![];
        for (kind, ky, ru, en, capacity, som, busy) in RESOURCES {
            let id = self.id();
            self.bulk.row(
                "space_resources",
                RESOURCE_COLS,
                [
                    text(&id),
                    text(here.lab),
                    text(*kind),
                    text(*ky),
                    text(*ru),
                    text(*en),
                    int(*capacity),
                    text(HOURS),
                    int(60),
                    int(14),
                    int(if *capacity > 1 { 480 } else { 240 }),
                    int(if *capacity > 10 { 48 } else { 2 }),
                    int(1),
                    text(at(start, 7)),
                ],
            );
            let price = |k: i64| price(*som, k);
            for (audience, amount) in [
                ("resident", if *capacity > 10 { price(1) } else { 0 }),
                ("alumna", price(2)),
                ("member", price(3)),
                ("outsider", price(5)),
                ("organisation", price(8)),
            ] {
                self.bulk.row(
                    "space_prices",
                    PRICE_COLS,
                    [text(&id), text(audience), text("hour"), int(amount)],
                );
            }
            resources.push((id, *ky, *som, *busy));
        }
        let mut plans = vec![];
        for (kind, ky, ru, en, hours, days, som) in [
            (
                "monthly",
                "Айлык абонемент",
                "Месячный абонемент",
                "Monthly plan",
                10,
                30,
                1_200,
            ),
            (
                "day-pass",
                "Бир күндүк өтмө",
                "Дневной пропуск",
                "Day pass",
                8,
                1,
                300,
            ),
            (
                "pack",
                "20 сааттык пакет",
                "Пакет на 20 часов",
                "Pack of 20 hours",
                20,
                90,
                2_000,
            ),
        ] {
            let id = self.id();
            self.bulk.row(
                "space_plans",
                PLAN_COLS,
                [
                    text(&id),
                    text(here.lab),
                    text(kind),
                    text(ky),
                    text(ru),
                    text(en),
                    int(hours),
                    int(days),
                    int(som * 100),
                    int(1),
                    text(at(start, 7)),
                ],
            );
            plans.push((id, ky, som * 100));
        }
        let mut bills: Vec<Bill> = vec![];
        // A term of bookings: a larger lab's space is busier.
        let busy = (here.folk.len() as f64 / 600.0 + 0.1).min(0.7);
        let mut day = self.today - Duration::weeks(13);
        while day < self.today + Duration::days(14) {
            if day.weekday().num_days_from_monday() >= 5 {
                day += Duration::days(1);
                continue;
            }
            let known = here.folk.partition_point(|p| p.registered <= day);
            for (resource, name, som, factor) in &resources {
                let price = |k: i64| price(*som, k);
                for &h in BLOCKS {
                    if known == 0
                        || self.rng.random_range(0.0..1.0) >= busy * f64::from(*factor) / 5.0
                    {
                        continue;
                    }
                    let p = &here.folk[self.rng.random_range(0..known)];
                    let audience_price = match p.residency {
                        Some((_, "graduated")) => price(2),
                        Some((_, "active" | "accepted")) => {
                            if *factor < 5 {
                                price(1)
                            } else {
                                0
                            }
                        }
                        _ => price(3),
                    };
                    let cost = audience_price * 2;
                    let past = day < self.today;
                    let roll = self.rng.random_range(0..100);
                    let status = if roll < 5 {
                        "cancelled"
                    } else if !past {
                        "booked"
                    } else if roll < 88 {
                        "arrived"
                    } else {
                        "no-show"
                    };
                    let id = self.id();
                    let made = day - Duration::days(self.rng.random_range(1..8));
                    self.bulk.row(
                        "space_bookings",
                        BOOKING_COLS,
                        [
                            text(&id),
                            text(here.lab),
                            text(resource),
                            text(&p.id),
                            text(local(day, h)),
                            text(local(day, h + 2)),
                            text(status),
                            int(cost),
                            text(at(made, 8)),
                            if status == "cancelled" {
                                text(at(made + Duration::days(1), 8))
                            } else {
                                null_text()
                            },
                        ],
                    );
                    if status != "cancelled" {
                        for slot in [h, h + 1] {
                            self.bulk.row(
                                "space_slots",
                                SLOT_COLS,
                                [text(resource), text(local(day, slot)), text(&id)],
                            );
                        }
                    }
                    if status == "arrived" && cost > 0 && self.chance(35) {
                        bills.push((
                            day,
                            Some(p.id.clone()),
                            p.name.clone(),
                            "booking",
                            "booking",
                            format!("{name} {}", day.format("%d.%m.%Y")),
                            1,
                            cost,
                            Some(resource.clone()),
                            Some(id),
                            None,
                        ));
                    }
                }
            }
            self.write_if_full().await?;
            day += Duration::days(1);
        }
        // A year of monthly plans and of the hall rented to organisations.
        let plan_takers = (here.folk.len() / 50).max(1);
        let (monthly, monthly_name, monthly_price) = plans[0].clone();
        for m in 0..12i64 {
            let first = self.today - Duration::days(30 * (12 - m));
            let known = here.folk.partition_point(|p| p.registered <= first);
            for _ in 0..plan_takers {
                if known == 0 {
                    break;
                }
                let p = &here.folk[self.rng.random_range(0..known)];
                let from = first + Duration::days(self.rng.random_range(0..25));
                let id = self.id();
                let renews = i64::from(self.chance(50));
                let used = if from < self.today {
                    self.rng.random_range(0..=600)
                } else {
                    0
                };
                self.bulk.row(
                    "space_person_plans",
                    PERSON_PLAN_COLS,
                    [
                        text(&id),
                        text(here.lab),
                        text(&monthly),
                        text(&p.id),
                        text(from.to_string()),
                        text((from + Duration::days(29)).to_string()),
                        int(renews),
                        int(600),
                        int(used),
                        text(at(from, 9)),
                    ],
                );
                bills.push((
                    from,
                    Some(p.id.clone()),
                    p.name.clone(),
                    "plan",
                    "plan",
                    monthly_name.to_string(),
                    1,
                    monthly_price,
                    None,
                    None,
                    Some(id),
                ));
            }
            let hours = self.rng.random_range(3..9);
            let org = self.pick(ORGANISATIONS);
            bills.push((
                (first + Duration::days(self.rng.random_range(0..28))).min(self.today),
                None,
                org.to_string(),
                "hall",
                "hall",
                format!("Чоң залды ижарага алуу, {hours} саат"),
                hours,
                price(resources[0].2, 8),
                Some(resources[0].0.clone()),
                None,
                None,
            ));
        }
        self.invoices(here, bills, &legal, details);
        self.costs(here);
        self.write_if_full().await
    }

    /// Numbers the invoices per year in the order of their days, with their payments.
    fn invoices(&mut self, here: &Here<'_>, mut bills: Vec<Bill>, legal: &str, details: &str) {
        bills.sort_by_key(|b| b.0);
        let mut year = 0;
        let mut seq = 0;
        let count = bills.len();
        for (n, b) in bills.into_iter().enumerate() {
            let (
                day,
                person,
                payer,
                source,
                item,
                description,
                quantity,
                unit,
                resource,
                booking,
                plan,
            ) = b;
            if day.year() != year {
                if seq > 0 {
                    self.bulk.row(
                        "space_invoice_counters",
                        COUNTER_COLS,
                        [text(here.lab), int(i64::from(year)), int(seq)],
                    );
                }
                year = day.year();
                seq = 0;
            }
            seq += 1;
            let id = self.id();
            let total = quantity * unit;
            self.bulk.row(
                "space_invoices",
                INVOICE_COLS,
                [
                    text(&id),
                    text(here.lab),
                    int(i64::from(year)),
                    int(seq),
                    text(domain::space::invoice_number(here.slug, year, seq)),
                    text("invoice"),
                    Value::Text(person),
                    text(payer),
                    text(legal),
                    text(details),
                    text(source),
                    text(day.to_string()),
                    text((day + Duration::days(14)).to_string()),
                    int(total),
                    text("ky"),
                    text(at(day, 10)),
                    null_text(),
                ],
            );
            let line = self.id();
            self.bulk.row(
                "space_invoice_lines",
                LINE_COLS,
                [
                    text(line),
                    text(&id),
                    int(1),
                    text(item),
                    text(description),
                    int(quantity),
                    int(unit),
                    int(total),
                    Value::Text(resource),
                    Value::Text(booking),
                    Value::Text(plan),
                ],
            );
            // Most paid in full, some in part, the newest a little more often open.
            let roll = self.rng.random_range(0..100) + if n + 5 > count { 30 } else { 0 };
            let paid = match roll {
                0..75 => total,
                75..85 => total / 2,
                _ => 0,
            };
            if paid > 0 && day + Duration::days(2) < self.today {
                let on = (day + Duration::days(self.rng.random_range(0..10))).min(self.today);
                let id2 = self.id();
                let method = self.pick(METHODS);
                self.bulk.row(
                    "space_payments",
                    PAYMENT_COLS,
                    [
                        text(id2),
                        text(here.lab),
                        text(&id),
                        text(on.to_string()),
                        int(paid),
                        text(method),
                        text(""),
                        text(at(on, 12)),
                    ],
                );
            }
        }
        if seq > 0 {
            self.bulk.row(
                "space_invoice_counters",
                COUNTER_COLS,
                [text(here.lab), int(i64::from(year)), int(seq)],
            );
        }
    }

    /// Two years of monthly costs (who paid them) and of income taken at the door.
    fn costs(&mut self, here: &Here<'_>) {
        let first = NaiveDate::from_ymd_opt(self.today.year() - 2, self.today.month(), 1)
            .unwrap_or(self.today);
        let som = |n: i64| n * 100;
        for i in 0..24i64 {
            let k = i64::from(first.year()) * 12 + i64::from(first.month0()) + i + 1;
            let month = format!("{:04}-{:02}", k / 12, k % 12 + 1);
            let day = NaiveDate::from_ymd_opt((k / 12) as i32, (k % 12 + 1) as u32, 1)
                .unwrap_or(first)
                .min(self.today);
            let costs: [(&str, &str, i64); 5] = [
                ("rent", if i < 12 { "undp" } else { "host" }, som(40_000)),
                (
                    "utilities",
                    "undp",
                    som(8_000) + (i % 12 - 6).abs() * som(700),
                ),
                ("salaries", "undp", som(90_000)),
                (
                    "materials",
                    if i % 3 == 0 { "donor" } else { "undp" },
                    som(9_000),
                ),
                (
                    "events",
                    if i % 4 == 0 { "crowdfunding" } else { "undp" },
                    som(5_000),
                ),
            ];
            for (category, paid_by, amount) in costs {
                let id = self.id();
                self.bulk.row(
                    "space_costs",
                    COST_COLS,
                    [
                        text(id),
                        text(here.lab),
                        text(&month),
                        text(category),
                        text(paid_by),
                        int(amount),
                        text(at(day, 12)),
                    ],
                );
            }
            for (source, from, to) in [("event", 1_000, 6_000), ("other", 0, 2_000)] {
                let amount = som(self.rng.random_range(from..=to) / 100 * 100);
                if amount == 0 {
                    continue;
                }
                let id = self.id();
                self.bulk.row(
                    "space_income",
                    INCOME_COLS,
                    [
                        text(id),
                        text(here.lab),
                        text(&month),
                        text(source),
                        int(amount),
                        text(at(day, 12)),
                    ],
                );
            }
        }
    }
}
