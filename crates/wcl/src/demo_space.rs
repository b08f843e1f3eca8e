//! Demo space and money: each lab's rooms and equipment (the industrial sewing machine needs a
//! programme the demo resident completed), plans, a term of bookings (the past weeks arrived or
//! not, the coming two weeks booked) at a realistic occupancy, plans given with their invoices,
//! hall rentals invoiced to organisations, payments (most paid, some partly), and two years of
//! costs and own income in which Osh's self-financing grows from a few per cent to about a third.
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use domain::space::LineItem;
use domain::{LabId, PersonId, UserId};
use store::space::{self as db, Line, NewBooking, NewCost, NewInvoice, NewPayment, ResourceFields};

pub struct Space {
    pub resources: usize,
    pub bookings: usize,
    pub invoices: usize,
    pub payments: usize,
}

/// A deterministic generator (the demo is the same every time).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

struct R {
    kind: &'static str,
    ky: &'static str,
    ru: &'static str,
    en: &'static str,
    capacity: i64,
    slot: i64,
    max_hours: i64,
    /// Alumna's price per hour, som (residents pay half, outsiders 2.5×, organisations 4×).
    som: i64,
    /// Requires the training the demo resident completed.
    trained: bool,
    /// Chance (out of 10) that an open 2-hour block is booked.
    busy: u64,
}

const RESOURCES: &[R] = &[
    R {
        kind: "room",
        ky: "Чоң зал",
        ru: "Большой зал",
        en: "Hall",
        capacity: 40,
        slot: 60,
        max_hours: 8,
        som: 400,
        trained: false,
        busy: 2,
    },
    R {
        kind: "equipment",
        ky: "Өнөр жай тигүү машинасы",
        ru: "Промышленная швейная машина",
        en: "Industrial sewing machine",
        capacity: 1,
        slot: 60,
        max_hours: 4,
        som: 80,
        trained: true,
        busy: 6,
    },
    R {
        kind: "room",
        ky: "Кийиз бурчу",
        ru: "Войлочный уголок",
        en: "Felt corner",
        capacity: 6,
        slot: 60,
        max_hours: 4,
        som: 60,
        trained: false,
        busy: 4,
    },
    R {
        kind: "desk",
        ky: "Компьютер №1",
        ru: "Компьютер №1",
        en: "Computer 1",
        capacity: 1,
        slot: 60,
        max_hours: 3,
        som: 50,
        trained: false,
        busy: 5,
    },
    R {
        kind: "room",
        ky: "Фото бурч",
        ru: "Фотоуголок",
        en: "Photo corner",
        capacity: 3,
        slot: 30,
        max_hours: 2,
        som: 100,
        trained: false,
        busy: 3,
    },
];

/// Som in tyiyn.
const fn som(n: i64) -> i64 {
    n * 100
}

/// Each lab's space, bookings, plans, invoices, payments, costs and income.
pub async fn seed(
    tx: &mut store::Tx,
    lab_ids: &[(&str, LabId)],
    coordinators: &[(LabId, UserId)],
    resident: PersonId,
    today: NaiveDate,
) -> anyhow::Result<Space> {
    let mut rng = Rng(15);
    let mut out = Space {
        resources: 0,
        bookings: 0,
        invoices: 0,
        payments: 0,
    };
    let resident_lab = db::person_lab(tx, resident).await?;
    for (slug, lab) in lab_ids {
        let by = coordinators.iter().find(|(l, _)| l == lab).map(|(_, u)| *u);
        let osh = *slug == "osh";
        let lab_row = store::labs::lab(tx, *lab).await?;
        let settings = db::Settings {
            legal_name: format!(
                "ОФ «Women Creative Lab — {}»",
                lab_row.as_ref().map(|l| l.name_ru.as_str()).unwrap_or(slug)
            ),
            legal_details: "ИНН 02811201910231 · р/с 1280016040393512 · БИК 128001".into(),
            target_pct: if osh { 35 } else { 20 },
        };
        db::save_settings(tx, *lab, &settings).await?;
        // The training required for the industrial machine: a programme of the lab whose
        // certificate the demo resident holds (in her lab), else the lab's first programme.
        let programmes = store::training::programmes(tx, *lab).await?;
        let mut training = programmes.first().map(|p| p.id);
        if resident_lab == Some(*lab) {
            for p in &programmes {
                if db::completed(tx, resident, p.id).await? {
                    training = Some(p.id);
                    break;
                }
            }
        }
        let mut resources = vec![];
        for r in RESOURCES {
            let id = db::insert_resource(
                tx,
                *lab,
                &ResourceFields {
                    kind: r.kind.into(),
                    name_ky: r.ky.into(),
                    name_ru: r.ru.into(),
                    name_en: r.en.into(),
                    capacity: r.capacity,
                    hours:
                        "09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,10:00-15:00,"
                            .into(),
                    slot_minutes: r.slot,
                    horizon_days: 14,
                    max_minutes: r.max_hours * 60,
                    cancel_hours: if r.kind == "room" && r.capacity > 10 {
                        48
                    } else {
                        2
                    },
                    training_id: if r.trained { training } else { None },
                    active: true,
                },
            )
            .await?;
            let price = |k: i64| r.som * k * 100 / 2;
            db::set_prices(
                tx,
                id,
                &[
                    db::Price {
                        audience: "resident".into(),
                        unit: "hour".into(),
                        amount: if r.capacity > 10 { price(1) } else { 0 },
                    },
                    db::Price {
                        audience: "alumna".into(),
                        unit: "hour".into(),
                        amount: price(2),
                    },
                    db::Price {
                        audience: "member".into(),
                        unit: "hour".into(),
                        amount: price(3),
                    },
                    db::Price {
                        audience: "outsider".into(),
                        unit: "hour".into(),
                        amount: price(5),
                    },
                    db::Price {
                        audience: "organisation".into(),
                        unit: "hour".into(),
                        amount: price(8),
                    },
                ],
            )
            .await?;
            resources.push((id, r));
            out.resources += 1;
        }
        // Plans.
        let monthly = db::insert_plan(
            tx,
            *lab,
            &db::PlanFields {
                kind: "monthly",
                name_ky: "Бүтүрүүчүнүн айлык абонементи",
                name_ru: "Месячный абонемент выпускницы",
                name_en: "Alumna's monthly plan",
                hours_included: 10,
                valid_days: 30,
                price: som(1_200),
            },
        )
        .await?;
        db::insert_plan(
            tx,
            *lab,
            &db::PlanFields {
                kind: "day-pass",
                name_ky: "Бир күндүк өтмө",
                name_ru: "Дневной пропуск",
                name_en: "Day pass",
                hours_included: 8,
                valid_days: 1,
                price: som(300),
            },
        )
        .await?;
        db::insert_plan(
            tx,
            *lab,
            &db::PlanFields {
                kind: "pack",
                name_ky: "20 сааттык пакет",
                name_ru: "Пакет на 20 часов",
                name_en: "Pack of 20 hours",
                hours_included: 20,
                valid_days: 90,
                price: som(2_000),
            },
        )
        .await?;
        let monthly = db::plan(tx, monthly).await?;
        let people: Vec<PersonId> = db::lab_people(tx, *lab)
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        if people.is_empty() {
            continue;
        }
        // A term of bookings: ten weeks back, two ahead; past ones arrived or not.
        let start = today - Duration::weeks(10);
        let mut d = start;
        let mut paid_bookings = vec![];
        while d <= today + Duration::days(13) {
            let open = d.weekday().num_days_from_monday() < 5;
            if open {
                for (id, r) in &resources {
                    let mut h = 9;
                    while h + 2 <= 18 {
                        if rng.below(10) < r.busy {
                            let who = people[rng.below(people.len() as u64) as usize];
                            let s = domain::space::at(
                                d,
                                NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default(),
                            );
                            let e = s + Duration::hours(2);
                            let past = d < today;
                            let status = if !past {
                                "booked"
                            } else if rng.below(100) < 85 {
                                "arrived"
                            } else {
                                "no-show"
                            };
                            let minutes = 120;
                            let audience = db::audience(tx, who, *lab).await?;
                            let res = db::resource(tx, *id).await?;
                            let price = match res {
                                Some(res) => db::price_for(tx, &res, audience, minutes).await?,
                                None => 0,
                            };
                            let slots: Vec<_> = (0..(minutes / r.slot))
                                .map(|k| s + Duration::minutes(k * r.slot))
                                .collect();
                            let b = db::insert_booking(
                                tx,
                                &NewBooking {
                                    lab: *lab,
                                    resource: *id,
                                    person: Some(who),
                                    walk_in: "",
                                    starts_at: s,
                                    ends_at: e,
                                    status,
                                    series: None,
                                    price,
                                    person_plan: None,
                                    note: "",
                                    by,
                                },
                                &slots,
                            )
                            .await?;
                            if price > 0 && past && status == "arrived" {
                                paid_bookings.push((b, *id, who, price, d, r.ky));
                            }
                            out.bookings += 1;
                            h += 2;
                        } else {
                            h += 1;
                        }
                    }
                }
            }
            d += Duration::days(1);
        }
        // Invoices: a few booking invoices, plans for some alumnae, hall rentals.
        let mut invoices = vec![];
        for (b, rid, who, price, day, name) in paid_bookings.iter().step_by(6).take(25) {
            let payer = db::person_name(tx, *who).await?.unwrap_or_default();
            let line = Line {
                item: LineItem::Booking.code().into(),
                description: format!("{name} {}", domain::time::format_date(*day)),
                quantity: 1,
                unit_price: *price,
                amount: *price,
                resource_id: Some(*rid),
                booking_id: Some(*b),
                person_plan_id: None,
            };
            invoices.push((Some(*who), payer, vec![line], *day, "booking"));
        }
        if let Some(plan) = &monthly {
            for (k, who) in people.iter().take(6).enumerate() {
                let from = today - Duration::days(20 * k as i64);
                let pp = db::insert_person_plan(tx, plan, *who, from, k % 2 == 0, by).await?;
                let payer = db::person_name(tx, *who).await?.unwrap_or_default();
                invoices.push((
                    Some(*who),
                    payer,
                    vec![Line {
                        item: LineItem::Plan.code().into(),
                        description: plan.name_ky.clone(),
                        quantity: 1,
                        unit_price: plan.price,
                        amount: plan.price,
                        resource_id: None,
                        booking_id: None,
                        person_plan_id: Some(pp),
                    }],
                    from,
                    "plan",
                ));
            }
        }
        for (k, org) in ["Кыргыз Айылы", "Ош Бизнес Клубу", "Жаштар борбору"]
            .iter()
            .enumerate()
        {
            let hours = 4 + k as i64 * 2;
            let unit = RESOURCES[0].som * 4 * 100;
            invoices.push((
                None,
                (*org).to_string(),
                vec![Line {
                    item: LineItem::Hall.code().into(),
                    description: format!("Чоң залды ижарага алуу, {hours} саат"),
                    quantity: hours,
                    unit_price: unit,
                    amount: unit * hours,
                    resource_id: Some(resources[0].0),
                    booking_id: None,
                    person_plan_id: None,
                }],
                today - Duration::days(7 + 21 * k as i64),
                "hall",
            ));
        }
        invoices.sort_by_key(|x| x.3);
        for (n, (person, payer, lines, day, source)) in invoices.iter().enumerate() {
            let (id, _) = db::insert_invoice(
                tx,
                &NewInvoice {
                    lab: *lab,
                    year: day.year(),
                    number_prefix: slug,
                    kind: "invoice",
                    credits: None,
                    person: *person,
                    org: None,
                    payer_name: payer,
                    seller_name: &settings.legal_name,
                    seller_details: &settings.legal_details,
                    source,
                    issued_on: *day,
                    due_on: *day + Duration::days(14),
                    language: "ky",
                    lines,
                    by,
                },
            )
            .await?;
            out.invoices += 1;
            let total: i64 = lines.iter().map(|l| l.amount).sum();
            // Most paid in full, some in part, the newest open.
            let (amount, method) = match n % 7 {
                0 => (0, "cash"),
                1 => (total / 2, "mobile-wallet"),
                2 | 5 => (total, "bank-transfer"),
                3 => (total, "card"),
                _ => (total, "cash"),
            };
            if amount > 0 && *day < today - Duration::days(2) {
                db::insert_payment(
                    tx,
                    &NewPayment {
                        lab: *lab,
                        invoice: id,
                        paid_on: (*day + Duration::days(3)).min(today),
                        amount,
                        method,
                        reference: if method == "bank-transfer" {
                            "п/п 104"
                        } else {
                            ""
                        },
                        fingerprint: None,
                        by,
                    },
                )
                .await?;
                out.payments += 1;
            }
        }
        // Two years of costs (who paid) and own income not invoiced through wcl. Osh grows from
        // a few per cent to about a third; the other labs more slowly.
        let first = NaiveDate::from_ymd_opt(today.year() - 2, today.month(), 1).unwrap_or(today);
        for i in 0..24i64 {
            let k = first.year() as i64 * 12 + first.month0() as i64 + i + 1;
            let m = format!("{:04}-{:02}", k / 12, k % 12 + 1);
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
            let total: i64 = costs.iter().map(|c| c.2).sum();
            for (cat, payer, amount) in costs {
                db::insert_cost(
                    tx,
                    &NewCost {
                        lab: *lab,
                        month: &m,
                        category: cat,
                        paid_by: payer,
                        amount,
                        note: "",
                        by,
                    },
                )
                .await?;
            }
            let share_pct = if osh {
                3.0 + 30.0 * (i as f64 / 23.0).powf(1.2)
            } else {
                2.0 + 12.0 * (i as f64 / 23.0)
            };
            let own = (total as f64 * share_pct / 100.0) as i64;
            let wobble = 90 + rng.below(21) as i64;
            let own = own * wobble / 100;
            for (source, part) in [("booking", 45), ("plan", 25), ("hall", 20), ("event", 10)] {
                db::insert_income(tx, *lab, &m, source, own * part / 100, "", by).await?;
            }
        }
    }
    Ok(out)
}
