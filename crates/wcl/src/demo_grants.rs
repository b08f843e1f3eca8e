//! Demo seed funding: a decided autumn round in Osh (three reviewers, one of whom declared a
//! conflict of interest; the platform's ranking and proposal; awards within the budget, one
//! adjusted with a reason; tranches, payments, a progress report; the ventures funded, one of
//! them a joint initiative), and an open network-wide round with drafts and a submitted
//! application. The demo resident has a draft in the open round to finish. A review panel
//! member account (`reviewer.osh@wcl.kg`) reviews in Osh.
use anyhow::Context;
use chrono::Duration;
use domain::grants::ReportStatus;
use domain::grants::{ApplicationStatus, CallStatus, Category, CriterionSpec, PaymentChannel};
use domain::{ApplicationId, LabId, LabRole, PersonId, ResidencyStatus, UserId};
use store::grants::{self as g, CallFields, DraftFields};
use store::{residency, users};

pub const REVIEWER_LOGIN: &str = "reviewer.osh@wcl.kg";
pub const REVIEWER_WHAT: &str = "grant reviewer (panel member), Osh";

pub struct Grants {
    pub calls: usize,
    pub applications: usize,
    pub awards: usize,
    pub payments: usize,
}

fn criteria() -> Vec<CriterionSpec> {
    let c = |ky: &str, ru: &str, en: &str, gky: &str, gru: &str, guide_en: &str, weight| {
        CriterionSpec {
            name_ky: ky.into(),
            name_ru: ru.into(),
            name_en: en.into(),
            guidance_ky: gky.into(),
            guidance_ru: gru.into(),
            guidance_en: guide_en.into(),
            weight,
            max_points: 10,
        }
    };
    vec![
        c(
            "Ишке ашуусу",
            "Жизнеспособность",
            "Viability",
            "Сатып алуучулар барбы? Баасы чыгымдарды жабабы?",
            "Есть ли покупатели? Покрывает ли цена расходы?",
            "Are there buyers? Does the price cover the costs?",
            3,
        ),
        c(
            "Чыгармачылык",
            "Креативность",
            "Creativity",
            "Идея жаңыбы, өзгөчөбү?",
            "Насколько идея нова и своеобразна?",
            "How new and distinctive is the idea?",
            2,
        ),
        c(
            "Коомдук пайда",
            "Социальная ценность",
            "Social value",
            "Башка аялдарга, айылга пайдасы барбы?",
            "Польза для других женщин и села?",
            "Does it benefit other women and the community?",
            2,
        ),
        c(
            "Өз салымы",
            "Собственный вклад",
            "Own contribution",
            "Өзү эмне салат: акча, жабдуу, убакыт.",
            "Что вкладывает сама: деньги, оборудование, время.",
            "What she brings herself: money, equipment, time.",
            1,
        ),
    ]
}

/// (title, idea, category, budget lines in som, own contribution in som)
type Idea = (
    &'static str,
    &'static str,
    Category,
    &'static [(&'static str, i64)],
    i64,
);

const OSH_IDEAS: &[Idea] = &[
    (
        "Мектеп формасын тигүү цехи",
        "Айылдагы мектептерге арзан, сапаттуу форма тигебиз. Эки кошунам менен бирге иштейбиз, мектеп директору 60 комплектке буйрутма берүүгө даяр.",
        Category::Sewing,
        &[
            ("Өнөр жай тигүү машинасы", 32_000),
            ("Оверлок", 13_000),
            ("Кездеме, биринчи партия", 5_000),
        ],
        15_000,
    ),
    (
        "Кийиз шырдактар туристтерге",
        "Салттуу шырдактарды кичине өлчөмдө (жаздык, килемче) жасап, Ош базарындагы сувенир дүкөндөрүнө жана онлайн сатам.",
        Category::Handicraft,
        &[
            ("Жүн жана боёк", 18_000),
            ("Инстаграм жарнамасы", 4_000),
            ("Таңгак", 3_000),
        ],
        6_000,
    ),
    (
        "Домашняя выпечка на заказ",
        "Торты и самса на заказ для семейных праздников, доставка по Ошу. Уже есть 15 постоянных клиенток, нужна вторая духовка и миксер.",
        Category::Food,
        &[
            ("Духовой шкаф", 24_000),
            ("Планетарный миксер", 11_000),
            ("Формы и упаковка", 5_000),
        ],
        10_000,
    ),
    (
        "Гид по Сулайман-Тоо на трёх языках",
        "Пешие экскурсии для туристов по Сулайман-Тоо и старому городу на кыргызском, русском и английском, с мастер-классом по вышивке в конце.",
        Category::Tourism,
        &[
            ("Сертификация гида", 9_000),
            ("Сайт и фото", 12_000),
            ("Наушники для группы", 9_000),
        ],
        3_000,
    ),
    (
        "Логотиптер жана дизайн кичи бизнеске",
        "Ош шаарындагы кичи дүкөндөр жана кафелер үчүн логотип, меню жана баракча дизайны. Ноутбук жана графикалык планшет керек.",
        Category::Design,
        &[("Ноутбук", 38_000), ("Графикалык планшет", 7_000)],
        5_000,
    ),
];

const OPEN_IDEAS: &[Idea] = &[
    (
        "Өрүк кургатуу жана таңгактоо",
        "Баткендин өрүгүн кургатып, кооз таңгакта Бишкекке сатабыз.",
        Category::Food,
        &[("Күн кургаткыч", 20_000), ("Таңгак жана энбелги", 8_000)],
        4_000,
    ),
    (
        "Меймандостук үй",
        "Үйүмдүн эки бөлмөсүн туристтерге ижарага берем, тамак менен.",
        Category::Hospitality,
        &[("Төшөк-орун", 15_000), ("Ванна бөлмөсүн оңдоо", 25_000)],
        20_000,
    ),
    (
        "SMM кызматы",
        "Жалал-Абаддагы дүкөндөргө Инстаграм жүргүзүп берем.",
        Category::DigitalServices,
        &[("Смартфон", 22_000), ("Курс", 6_000)],
        2_000,
    ),
];

fn lines(idea: &Idea) -> Vec<(String, i64)> {
    idea.3
        .iter()
        .map(|(item, som)| (item.to_string(), som * 100))
        .collect()
}

fn total(idea: &Idea) -> i64 {
    idea.3.iter().map(|(_, som)| som * 100).sum()
}

async fn active_residents(tx: &mut store::AnyConn, lab: LabId) -> anyhow::Result<Vec<PersonId>> {
    let mut out: Vec<PersonId> = residency::of_lab(tx, lab, Some(ResidencyStatus::Active))
        .await?
        .into_iter()
        .map(|r| r.residency.person_id)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

async fn application(
    tx: &mut store::AnyConn,
    call: domain::GrantCallId,
    lab: LabId,
    person: PersonId,
    idea: &Idea,
    team: Vec<PersonId>,
    filled_by: Option<UserId>,
) -> anyhow::Result<ApplicationId> {
    let id = g::insert_application(tx, call, person, lab, filled_by).await?;
    g::save_draft(
        tx,
        id,
        &DraftFields {
            title: idea.0.into(),
            idea: idea.1.into(),
            category: Some(idea.2),
            requested: total(idea),
            own_contribution: idea.4 * 100,
            lines: lines(idea),
            team,
        },
        filled_by,
    )
    .await?;
    Ok(id)
}

/// A tiny valid PNG (1×1, a purple pixel), standing in for a photo of a quote.
fn quote_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xC8,
        0x92, 0x9A, 0x06, 0x00, 0x02, 0xA3, 0x01, 0x4F, 0xA3, 0x5D, 0x3F, 0x69, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

/// Seeds the demo grants in the demo's transaction. `hash` is the demo password's hash (for the
/// reviewer account); `resident` is the demo resident.
pub async fn seed(
    tx: &mut store::AnyConn,
    labs: &[(&str, LabId)],
    hash: &str,
    resident: PersonId,
) -> anyhow::Result<Grants> {
    let lab = |slug: &str| -> anyhow::Result<LabId> {
        labs.iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, id)| *id)
            .with_context(|| format!("demo grants: no lab {slug}"))
    };
    let osh = lab("osh")?;
    let coordinator = users::by_login(tx, "coordinator.osh@wcl.kg")
        .await?
        .context("demo grants: the Osh coordinator")?
        .id;
    let mentor = users::by_login(tx, "mentor.osh@wcl.kg")
        .await?
        .context("demo grants: the Osh mentor")?
        .id;
    let reviewer =
        users::insert(tx, REVIEWER_LOGIN, "Бактыгүл Жумабаева", hash, false, None).await?;
    users::grant(tx, reviewer, osh, LabRole::Reviewer).await?;
    let today = domain::time::today();
    let mut out = Grants {
        calls: 0,
        applications: 0,
        awards: 0,
        payments: 0,
    };

    // --- The decided autumn round in Osh -------------------------------------------------
    let call = g::insert_call(
        tx,
        Some(osh),
        &CallFields {
            title: "Күзгү стартап-гранттар 2026 · Осенние стартовые гранты".into(),
            description: "Резиденттердин чыгармачыл бизнесин баштоо же өнүктүрүү үчүн 20 000дөн 50 000 сомго чейин гранттар. Гранты от 20 000 до 50 000 сомов на запуск или развитие творческого дела резиденток.".into(),
            budget: som(150_000),
            min_award: som(20_000),
            max_award: som(50_000),
            opens_on: today - Duration::days(75),
            closes_on: today - Duration::days(45),
            cohort_id: None,
            criteria: criteria(),
        },
        Some(coordinator),
    )
    .await?;
    out.calls += 1;
    g::set_call_status(tx, call, CallStatus::Draft, CallStatus::Open).await?;
    let women: Vec<PersonId> = active_residents(tx, osh)
        .await?
        .into_iter()
        .filter(|p| *p != resident)
        .collect();
    anyhow::ensure!(
        women.len() >= 7,
        "demo grants: too few active residents in Osh"
    );
    let mut apps = vec![];
    for (i, idea) in OSH_IDEAS.iter().enumerate() {
        // The first is a joint initiative of three; the fourth was filled in with the coordinator.
        let team = if i == 0 {
            vec![women[5], women[6]]
        } else {
            vec![]
        };
        let filled_by = (i == 3).then_some(coordinator);
        let id = application(tx, call, osh, women[i], idea, team.clone(), filled_by).await?;
        for m in &team {
            g::confirm_team(tx, id, *m).await?;
        }
        g::set_application_status(
            tx,
            id,
            ApplicationStatus::Draft,
            ApplicationStatus::Submitted,
        )
        .await?;
        apps.push(id);
        out.applications += 1;
    }
    g::insert_attachment(tx, apps[0], "smeta.png", "image/png", &quote_png(), None).await?;
    g::set_call_status(tx, call, CallStatus::Open, CallStatus::Closed).await?;
    for u in [coordinator, mentor, reviewer] {
        g::add_reviewer(tx, call, u, Some(coordinator)).await?;
    }
    // The panel member knows the second applicant (a neighbour) and steps aside.
    g::declare_conflict(tx, reviewer, apps[1], "Кошунам · соседка").await?;
    let crit = g::criteria(tx, call).await?;
    // Points per application (viability, creativity, social value, own contribution) per reviewer.
    let points: [[[i64; 4]; 3]; 5] = [
        [[9, 7, 9, 8], [8, 8, 9, 7], [9, 6, 10, 8]],
        [[7, 9, 6, 6], [6, 9, 7, 5], [0, 0, 0, 0]],
        [[8, 5, 6, 7], [9, 6, 5, 8], [7, 5, 6, 7]],
        [[6, 8, 7, 3], [5, 9, 8, 4], [7, 8, 6, 3]],
        [[5, 6, 5, 4], [8, 7, 6, 5], [4, 5, 5, 3]],
    ];
    let notes = [
        "Буйрутма бар, баасы эсептелген.",
        "Хороший план, но рынок маленький.",
        "Clear costs; ask for a supplier quote.",
    ];
    for (a, app) in apps.iter().enumerate() {
        for (r, who) in [coordinator, mentor, reviewer].iter().enumerate() {
            if a == 1 && r == 2 {
                continue; // declared conflict
            }
            let scores: Vec<_> = crit
                .iter()
                .zip(points[a][r])
                .map(|(k, p)| (k.id, p, String::new()))
                .collect();
            g::save_review(tx, *app, *who, notes[(a + r) % notes.len()], &scores, true).await?;
        }
    }
    // Awards as the platform proposes, the third adjusted down with a reason.
    let call_row = g::get_call(tx, call)
        .await?
        .context("demo grants: the call")?;
    let ranking = web::services::grants::ranking_in(tx, &call_row)
        .await
        .map_err(|e| anyhow::anyhow!("demo grants: ranking: {e}"))?;
    let decided_on = today - Duration::days(30);
    for (i, row) in ranking.rows.iter().enumerate() {
        let Some(proposed) = row.proposed else {
            continue;
        };
        let (amount, reason) = if i == 2 && proposed - som(5_000) >= call_row.min_award {
            (
                proposed - som(5_000),
                "Смета поставщика дешевле на 5 000 сомов · Жеткирүүчүнүн сметасы 5 000 сомго арзан",
            )
        } else {
            (proposed, "")
        };
        let award = g::award(
            tx,
            &g::NewAward {
                application: row.application_id,
                call,
                amount,
                proposed_amount: proposed,
                adjusted_reason: reason,
                decided_by: Some(coordinator),
                decided_on,
            },
        )
        .await?;
        let app = g::get_application(tx, row.application_id)
            .await?
            .context("demo grants: an application")?;
        let team: Vec<PersonId> = g::team(tx, app.id)
            .await?
            .into_iter()
            .map(|m| m.person_id)
            .collect();
        let mut members = vec![app.person_id];
        members.extend(team.iter().copied());
        let venture = g::insert_venture(
            tx,
            osh,
            Some(award),
            &app.title,
            domain::grants::venture_kind(team.len()),
            app.category,
            &members,
        )
        .await?;
        // Two tranches: on signing, then after an accepted progress report.
        let first = amount * 6 / 10;
        g::replace_tranches(
            tx,
            award,
            &[
                g::TranchePlan {
                    amount: first,
                    condition: "Келишимге кол коюлганда · При подписании договора".into(),
                    due_on: Some(decided_on + Duration::days(7)),
                },
                g::TranchePlan {
                    amount: amount - first,
                    condition: "Биринчи отчёт кабыл алынганда · После принятия первого отчёта"
                        .into(),
                    due_on: Some(today + Duration::days(20)),
                },
            ],
        )
        .await?;
        let tranches = g::tranches(tx, award).await?;
        g::release_tranche(tx, tranches[0].id, Some(coordinator)).await?;
        g::insert_payment(
            tx,
            &g::NewPayment {
                tranche: tranches[0].id,
                amount: first,
                paid_on: decided_on + Duration::days(5 + i as i64),
                channel: if i % 2 == 0 {
                    PaymentChannel::Mobile
                } else {
                    PaymentChannel::Bank
                },
                reference: &format!("Grant-OSH-26-{:02}", i + 1),
                reverses: None,
                idempotency_key: &format!("demo-grant-osh-{i}-first"),
                recorded_by: Some(coordinator),
            },
        )
        .await?;
        out.payments += 1;
        if i == 0 {
            // The joint initiative reported, had it accepted, got its second tranche and launched.
            let report = g::insert_report(
                tx,
                award,
                "Машиналар сатылып алынды, цех ижарага алынган бөлмөдө иштей баштады. Первые 40 комплектов формы сданы школе.",
                "Өнөр жай тигүү машинасы, оверлок, 120 м кездеме",
                som(38_000),
                None,
            )
            .await?;
            g::respond_report(
                tx,
                report,
                ReportStatus::Accepted,
                "Жакшы башталыш! · Отличное начало!",
                Some(coordinator),
            )
            .await?;
            g::release_tranche(tx, tranches[1].id, Some(coordinator)).await?;
            g::insert_payment(
                tx,
                &g::NewPayment {
                    tranche: tranches[1].id,
                    amount: amount - first,
                    paid_on: today - Duration::days(3),
                    channel: PaymentChannel::Bank,
                    reference: "Grant-OSH-26-01-2",
                    reverses: None,
                    idempotency_key: "demo-grant-osh-0-second",
                    recorded_by: Some(coordinator),
                },
            )
            .await?;
            out.payments += 1;
            g::set_venture_status(
                tx,
                venture,
                domain::grants::VentureStatus::Launched,
                today - Duration::days(10),
            )
            .await?;
        } else if i == 1 {
            let report = g::insert_report(
                tx,
                award,
                "Жүн сатылып алынды, 12 шырдак даяр.",
                "Жүн, боёк",
                0,
                None,
            )
            .await?;
            g::respond_report(
                tx,
                report,
                ReportStatus::MoreRequested,
                "Сатуулар жөнүндө жазыңызчы: кайда, канчага? · Напишите о продажах: где и почём?",
                Some(coordinator),
            )
            .await?;
        }
        out.awards += 1;
    }
    g::decide_rest(
        tx,
        call,
        "Арызыңыз үчүн рахмат! Бул жолу бюджет жеткен жок; кийинки сынакка даярданууга жардам беребиз. · Спасибо за заявку! В этот раз бюджета не хватило; поможем подготовиться к следующему конкурсу.",
        "Куттуктайбыз! Биринчи транш боюнча координатор чалат. · Поздравляем! Координатор позвонит о первом транше.",
    )
    .await?;
    g::set_call_status(tx, call, CallStatus::Closed, CallStatus::Decided).await?;
    anyhow::ensure!(
        g::ledger_problems(tx, Some(call)).await?.is_empty(),
        "demo grants: the ledger must balance"
    );

    // --- The open network-wide round ---------------------------------------------------------
    let admin = users::by_login(tx, "admin@wcl.kg")
        .await?
        .context("demo grants: the admin")?
        .id;
    let open = g::insert_call(
        tx,
        None,
        &CallFields {
            title: "Жаш ишкер аялдар 2027 · Молодые предпринимательницы 2027".into(),
            description: "Бүт тармактын резиденттери үчүн. Для резиденток всех лабораторий сети."
                .into(),
            budget: som(300_000),
            min_award: som(15_000),
            max_award: som(60_000),
            opens_on: today - Duration::days(5),
            closes_on: today + Duration::days(25),
            cohort_id: None,
            criteria: criteria(),
        },
        Some(admin),
    )
    .await?;
    out.calls += 1;
    g::set_call_status(tx, open, CallStatus::Draft, CallStatus::Open).await?;
    g::add_reviewer(tx, open, reviewer, Some(admin)).await?;
    for (k, (slug, submitted)) in [("batken", false), ("batken", false), ("jalal-abad", true)]
        .into_iter()
        .enumerate()
    {
        let l = lab(slug)?;
        let ws = active_residents(tx, l).await?;
        let who = *ws
            .get(k % ws.len().max(1))
            .with_context(|| format!("demo grants: no active resident in {slug}"))?;
        let id = application(tx, open, l, who, &OPEN_IDEAS[k], vec![], None).await?;
        if submitted {
            g::set_application_status(
                tx,
                id,
                ApplicationStatus::Draft,
                ApplicationStatus::Submitted,
            )
            .await?;
        }
        out.applications += 1;
    }
    // The demo resident started hers and will finish it from her phone.
    let id = g::insert_application(tx, open, resident, osh, None).await?;
    g::save_draft(
        tx,
        id,
        &DraftFields {
            title: "Кесте саймалуу жоолуктар".into(),
            idea: "Кол менен саймаланган жоолуктарды жарманкелерде жана Инстаграмда сатам.".into(),
            category: Some(Category::Handicraft),
            requested: som(25_000),
            own_contribution: som(5_000),
            lines: vec![("Саймачы машина".into(), som(25_000))],
            team: vec![],
        },
        None,
    )
    .await?;
    out.applications += 1;
    Ok(out)
}

/// Som in tyiyn.
const fn som(n: i64) -> i64 {
    n * 100
}
