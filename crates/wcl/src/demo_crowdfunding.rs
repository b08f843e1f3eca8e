//! Demo data for crowdfunding and the creative economy: the 2022 Osh campaign that funded the
//! first lab (about a hundred backers, 25 events, grants, months of space) with its full public
//! ledger; an open network campaign for 2027 with rewards made by residents; thirty makers in
//! the showcase with their products, their ventures and a year of sales.
use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};
use domain::crowdfunding::{
    Availability, CampaignMode, CampaignStatus, Direction, SaleChannel, SpendCategory,
};
use domain::grants::{Category, VentureKind};
use domain::{LabId, UserId};
use store::crowdfunding as cf;
use store::showcase as sc;

pub struct Counts {
    pub campaigns: usize,
    pub pledges: usize,
    pub makers: usize,
    pub sales: usize,
}

const GIVEN: &[&str] = &[
    "Айгүл",
    "Нургүл",
    "Бермет",
    "Асел",
    "Гүлзат",
    "Жылдыз",
    "Чолпон",
    "Динара",
    "Мээрим",
    "Айпери",
    "Азамат",
    "Бакыт",
    "Элмира",
    "Назира",
    "Saltanat",
    "Anna",
    "Мирлан",
    "Гульнара",
    "Айдай",
    "Kanykei",
];
const FAMILY: &[&str] = &[
    "Асанова",
    "Токтогулова",
    "Садыкова",
    "Мамытова",
    "Жумабаева",
    "Осмонова",
    "Эшимова",
    "Абдыкадырова",
];

const PRODUCTS: &[(&str, Category, i64, i64)] = &[
    ("Кийиз оюнчуктар", Category::Handicraft, 600, 1_500),
    ("Шырдак (кичинекей)", Category::Handicraft, 4_000, 12_000),
    ("Улуттук көйнөк тигүү", Category::Sewing, 3_000, 9_000),
    ("Этно-стилдеги сумкалар", Category::Design, 1_500, 4_000),
    ("Боорсок жана токоч буйрутма", Category::Food, 300, 1_200),
    (
        "Үй-бүлөлүк фотосессия",
        Category::DigitalServices,
        2_500,
        6_000,
    ),
    (
        "Instagram баракчаны жүргүзүү",
        Category::DigitalServices,
        5_000,
        15_000,
    ),
    (
        "Туристтер үчүн гид кызматы",
        Category::Tourism,
        2_000,
        5_000,
    ),
];
const SKILLS: &[&str] = &[
    "кийиз, түстөрдү айкалыштыруу",
    "тигүү, бичүү",
    "этнодизайн",
    "кондитер",
    "сүрөт",
    "SMM, контент",
    "гид, англис тили",
];

pub async fn seed(
    tx: &mut store::AnyConn,
    labs: &[(&str, LabId)],
    coordinators: &[(LabId, UserId)],
    today: NaiveDate,
) -> anyhow::Result<Counts> {
    let osh = labs
        .iter()
        .find(|(s, _)| *s == "osh")
        .map(|(_, id)| *id)
        .context("demo crowdfunding: no Osh lab")?;
    let coord = coordinators
        .iter()
        .find(|(l, _)| *l == osh)
        .map(|(_, u)| *u);
    let d = |y: i32, m: u32, day: u32| NaiveDate::from_ymd_opt(y, m, day).expect("a date");

    // The 2022 campaign that opened the lab in Osh.
    let k = cf::create_campaign(
        tx,
        &cf::NewCampaign {
            lab_id: Some(osh),
            titles: [
                "Ошто аялдардын чыгармачыл лабораториясы".into(),
                "Женская креативная лаборатория в Оше".into(),
                "A Women Creative Lab in Osh".into(),
            ],
            stories: [
                "Биз 25тен ашык тематикалык иш-чара, коопсуз коворкинг жана чыгармачыл бизнес баштаган аялдарга гранттар үчүн каражат чогултабыз.".into(),
                "Мы собираем средства на 25+ тематических мероприятий, безопасный коворкинг и гранты женщинам, начинающим творческий бизнес.".into(),
                "We raise money for more than 25 thematic events, a safe coworking space and grants for women starting creative businesses.".into(),
            ],
            goal: 1_500_000 * 100,
            starts_on: d(2022, 3, 1),
            ends_on: d(2022, 5, 31),
            mode: Some(CampaignMode::Keep),
            payment_details: "Optima Bank, KGS 1180000098765432, «Аялдар лабораториясы» КФ".into(),
            created_by: coord,
        },
    )
    .await?;
    cf::set_status(tx, k, CampaignStatus::Draft, CampaignStatus::Closed).await?;
    cf::add_line(
        tx,
        k,
        &cf::NewLine {
            category: SpendCategory::Events,
            label: "25 тематикалык иш-чара",
            amount: 300_000 * 100,
            event: None,
            call: None,
        },
    )
    .await?;
    cf::add_line(
        tx,
        k,
        &cf::NewLine {
            category: SpendCategory::Grants,
            label: "10 аялга баштапкы грант",
            amount: 500_000 * 100,
            event: None,
            call: None,
        },
    )
    .await?;
    cf::add_line(
        tx,
        k,
        &cf::NewLine {
            category: SpendCategory::Space,
            label: "Коворкингдин 12 айлык ижарасы",
            amount: 180_000 * 100,
            event: None,
            call: None,
        },
    )
    .await?;
    cf::add_line(
        tx,
        k,
        &cf::NewLine {
            category: SpendCategory::Equipment,
            label: "Тигүү машиналары",
            amount: 75_000 * 100,
            event: None,
            call: None,
        },
    )
    .await?;
    let amounts = [
        5_000i64, 10_000, 15_000, 20_000, 25_000, 3_000, 50_000, 8_000,
    ];
    let mut pledges = 0usize;
    for i in 0..104usize {
        let anonymous = i % 7 == 3;
        let name = if anonymous {
            String::new()
        } else {
            format!("{} {}", GIVEN[i % GIVEN.len()], FAMILY[i % FAMILY.len()])
        };
        let amount = amounts[i % amounts.len()] * 100;
        let reference = format!("CF-OSH2-{:04}", i + 1);
        let on = d(2022, 3, 1) + Days::new((i as u64 * 88) / 104);
        let p = cf::create_pledge(
            tx,
            &cf::NewPledge {
                campaign: k,
                tier: None,
                reference: &reference,
                name: &name,
                email: "",
                phone: "",
                amount,
                message: if i % 5 == 0 {
                    "Ийгилик, кыздар!"
                } else {
                    ""
                },
                show_name: !anonymous && i % 3 != 0,
                idempotency_key: &format!("demo-2022-{i}"),
                lang: "ky",
            },
        )
        .await?
        .id();
        pledges += 1;
        // Four promises never arrived.
        if i % 26 == 25 {
            continue;
        }
        cf::set_paid(tx, p).await?;
        let key = format!("pledge-paid:{p}");
        cf::insert_entry(
            tx,
            &entry(
                k,
                Direction::In,
                amount,
                on,
                SpendCategory::Other,
                &reference,
                Some(p),
                None,
                &key,
                coord,
            ),
        )
        .await?;
    }
    // Spending: 25 events held (linked to the lab's events where the demo has them), ten
    // grants, twelve months of space, sewing machines; one mistyped row corrected.
    let events = cf::event_choices(tx, Some(osh)).await?;
    for i in 0..25u64 {
        let on = d(2022, 6, 1) + Days::new(i * 12);
        let event = events.get(i as usize).map(|(id, _, _)| *id);
        let key = format!("demo-2022-event-{i}");
        let e = entry(
            k,
            Direction::Out,
            12_000 * 100,
            on,
            SpendCategory::Events,
            "Материалдар, тренер, чай",
            None,
            event,
            &key,
            coord,
        );
        cf::insert_entry(tx, &e).await?;
    }
    for i in 0..10u64 {
        let on = d(2022, 9, 15) + Days::new(i * 3);
        let key = format!("demo-2022-grant-{i}");
        let e = entry(
            k,
            Direction::Out,
            50_000 * 100,
            on,
            SpendCategory::Grants,
            "Аялдын бизнесине баштапкы грант",
            None,
            None,
            &key,
            coord,
        );
        cf::insert_entry(tx, &e).await?;
    }
    for m in 0..12u32 {
        let on = d(2022 + ((5 + m) / 12) as i32, (5 + m) % 12 + 1, 5);
        let key = format!("demo-2022-space-{m}");
        let e = entry(
            k,
            Direction::Out,
            15_000 * 100,
            on,
            SpendCategory::Space,
            "Коворкингдин айлык ижарасы",
            None,
            None,
            &key,
            coord,
        );
        cf::insert_entry(tx, &e).await?;
    }
    let wrong = entry(
        k,
        Direction::Out,
        7_500_000,
        d(2022, 7, 1),
        SpendCategory::Equipment,
        "Тигүү машиналары (3)",
        None,
        None,
        "demo-2022-machines-typo",
        coord,
    );
    let wrong_id = cf::insert_entry(tx, &wrong).await?;
    let mut fix = entry(
        k,
        Direction::Out,
        -7_500_000,
        d(2022, 7, 2),
        SpendCategory::Equipment,
        "↩ Тигүү машиналары (3)",
        None,
        None,
        "demo-2022-machines-fix",
        coord,
    );
    fix.reverses = Some(wrong_id);
    cf::insert_entry(tx, &fix).await?;
    let right = entry(
        k,
        Direction::Out,
        75_000 * 100,
        d(2022, 7, 2),
        SpendCategory::Equipment,
        "Тигүү машиналары (3)",
        None,
        None,
        "demo-2022-machines",
        coord,
    );
    cf::insert_entry(tx, &right).await?;
    cf::add_update(
        tx,
        k,
        "Биринчи 10 грант берилди",
        "Он аял өз ишин баштады: кийиз, тигүү, тамак-аш.",
        coord,
    )
    .await?;

    // The network's campaign for 2027, open now, with rewards made by residents.
    let n = cf::create_campaign(
        tx,
        &cf::NewCampaign {
            lab_id: None,
            titles: [
                "2027: ар бир облуста лаборатория".into(),
                "2027: лаборатория в каждой области".into(),
                "2027: a lab in every region".into(),
            ],
            stories: [
                "Жаңы лабораторияларды ачуу үчүн: коворкинг, иш-чаралар, гранттар.".into(),
                "На открытие новых лабораторий: коворкинги, мероприятия, гранты.".into(),
                "To open new labs: coworking spaces, events, grants.".into(),
            ],
            goal: 3_000_000 * 100,
            starts_on: today - Days::new(14),
            ends_on: d(2027, 6, 30).max(today + Days::new(60)),
            mode: Some(CampaignMode::AllOrNothing),
            payment_details:
                "Optima Bank, KGS 1180000098765432; лабораторияда накталай; Элсом/MBank капчыгы"
                    .into(),
            created_by: None,
        },
    )
    .await?;
    cf::set_status(tx, n, CampaignStatus::Draft, CampaignStatus::Open).await?;
    let toy = cf::add_tier(
        tx,
        n,
        &cf::NewTier {
            title: "Кийиз оюнчук (Айгүл жасаган)",
            description: "Колго жасалган кийиз оюнчук",
            min_amount: 1_500 * 100,
            quantity: Some(40),
            product: "Кийиз оюнчуктар",
            product_id: None,
        },
    )
    .await?;
    cf::add_tier(
        tx,
        n,
        &cf::NewTier {
            title: "Этно-сумка",
            description: "Лабораториянын чеберлеринен",
            min_amount: 5_000 * 100,
            quantity: Some(10),
            product: "Этно-стилдеги сумкалар",
            product_id: None,
        },
    )
    .await?;
    cf::add_line(
        tx,
        n,
        &cf::NewLine {
            category: SpendCategory::Space,
            label: "Нарын жана Талас: коворкинг",
            amount: 1_200_000 * 100,
            event: None,
            call: None,
        },
    )
    .await?;
    cf::add_line(
        tx,
        n,
        &cf::NewLine {
            category: SpendCategory::Grants,
            label: "30 аялга грант",
            amount: 1_500_000 * 100,
            event: None,
            call: None,
        },
    )
    .await?;
    cf::add_line(
        tx,
        n,
        &cf::NewLine {
            category: SpendCategory::Events,
            label: "40 иш-чара",
            amount: 300_000 * 100,
            event: None,
            call: None,
        },
    )
    .await?;
    for i in 0..18usize {
        let tier = (i % 2 == 0).then_some(toy);
        let amount = if tier.is_some() {
            2_000 * 100
        } else {
            1_000 * 100 * (1 + i as i64 % 4)
        };
        let reference = format!("CF-NET7-{:04}", i + 1);
        let p = cf::create_pledge(
            tx,
            &cf::NewPledge {
                campaign: n,
                tier,
                reference: &reference,
                name: &format!(
                    "{} {}",
                    GIVEN[(i * 3) % GIVEN.len()],
                    FAMILY[i % FAMILY.len()]
                ),
                email: "",
                phone: "",
                amount,
                message: "",
                show_name: i % 2 == 1,
                idempotency_key: &format!("demo-2027-{i}"),
                lang: "ky",
            },
        )
        .await?
        .id();
        pledges += 1;
        if i % 3 != 2 {
            cf::set_paid(tx, p).await?;
            let on = today - Days::new(13 - (i as u64 % 13));
            cf::insert_entry(
                tx,
                &entry(
                    n,
                    Direction::In,
                    amount,
                    on,
                    SpendCategory::Other,
                    &reference,
                    Some(p),
                    None,
                    &format!("pledge-paid:{p}"),
                    None,
                ),
            )
            .await?;
        }
    }

    // Thirty makers, their products, their ventures and a year of sales.
    let women = sc::possible_makers(tx, 30).await?;
    let mut sales = 0usize;
    let channels = [
        SaleChannel::Fair,
        SaleChannel::Instagram,
        SaleChannel::Shop,
        SaleChannel::LabOrder,
        SaleChannel::CampaignReward,
    ];
    for (i, (person, lab, given)) in women.iter().enumerate() {
        let (title, category, from, to) = PRODUCTS[i % PRODUCTS.len()];
        let venture = store::grants::insert_venture(
            tx,
            *lab,
            None,
            &format!("{given}: {title}"),
            VentureKind::Business,
            category,
            &[*person],
        )
        .await?;
        let display = if i % 4 == 3 {
            format!(
                "{} чебер",
                &title.split_whitespace().next().unwrap_or("Кийиз")
            )
        } else {
            given.clone()
        };
        let skills = SKILLS[i % SKILLS.len()];
        let key = domain::names::search_key(&format!("{display} {skills} {title}"));
        sc::save_profile(
            tx,
            &sc::NewProfile {
                person: *person,
                lab: *lab,
                display_name: &display,
                bio: "Лабораториянын резиденти; буйрутмаларды лаборатория аркылуу кабыл алам.",
                skills,
                contact: if i % 5 == 0 { "@instagram" } else { "" },
                venture: Some(venture),
                search_key: &key,
            },
        )
        .await?;
        sc::add_product(
            tx,
            *person,
            &sc::NewProduct {
                title,
                description: "",
                category,
                price_from: from * 100,
                price_to: to * 100,
                availability: if i % 2 == 0 {
                    Availability::ToOrder
                } else {
                    Availability::InStock
                },
            },
        )
        .await?;
        for m in 0..12u64 {
            let month = today - Days::new(30 * (12 - m));
            for s in 0..(1 + (i as u64 + m) % 3) {
                let on = month
                    .with_day(1 + ((s * 9 + i as u64) % 27) as u32)
                    .unwrap_or(month);
                let amount =
                    (from + (to - from) * ((i as i64 + m as i64 + s as i64) % 5) / 4) * 100;
                sc::insert_sale(
                    tx,
                    venture,
                    &sc::NewSale {
                        sold_on: on.min(today),
                        amount,
                        channel: channels[(i + m as usize + s as usize) % channels.len()],
                        note: "",
                        recorded_by: None,
                    },
                )
                .await?;
                sales += 1;
            }
        }
    }
    // The makers at the fairs: two of three of a lab's makers at its own fairs (past ones too:
    // the fair's page keeps who was there), every other maker of the network at the network's.
    for e in store::events::list(tx, &store::events::EventQuery::default()).await? {
        if e.kind != domain::EventKind::Fair {
            continue;
        }
        for (i, (person, lab, _)) in women.iter().enumerate() {
            let takes_part = match e.scope {
                domain::EventScope::Network => i % 2 == 0,
                domain::EventScope::Lab => *lab == e.lab_id && i % 3 != 2,
            };
            if takes_part {
                sc::join_fair(tx, e.id, *person, None).await?;
            }
        }
    }
    Ok(Counts {
        campaigns: 2,
        pledges,
        makers: women.len(),
        sales,
    })
}

#[allow(clippy::too_many_arguments)]
fn entry<'a>(
    campaign: domain::CampaignId,
    direction: Direction,
    amount: i64,
    on: NaiveDate,
    category: SpendCategory,
    description: &'a str,
    pledge: Option<domain::PledgeId>,
    event: Option<domain::EventId>,
    key: &'a str,
    by: Option<UserId>,
) -> cf::NewEntry<'a> {
    cf::NewEntry {
        campaign,
        direction,
        amount,
        occurred_on: on,
        category,
        description,
        pledge,
        event,
        award: None,
        receipt: None,
        reverses: None,
        fingerprint: None,
        idempotency_key: key,
        recorded_by: by,
    }
}
