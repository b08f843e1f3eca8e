//! Demo data for impact work: three earlier intakes of every lab (alumnae of 2024 and spring
//! 2025, so that outcomes span two years), what happened to every graduate since (income records,
//! jobs, restarted careers, businesses, joint initiatives, most verified by the coordinator), and
//! targets for 2026. Deterministic: the same data every time.
//!
//! Income grows after graduation by an amount that depends on where she started (urban women
//! and women whose family supports them gain more, as the programme's baseline study found) with
//! real variation, and a few women gain far more than women who started like them: the
//! positive-deviance list has someone to find, and a coordinator someone to interview.
use anyhow::Context;
use chrono::{Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use domain::impact::{OutcomeKind, OutcomeSource};
use domain::{LabId, LabScope, PersonId, ResidencyStatus, UserId};
use store::{Tx, impact, people, residency};

type Ymd = (i32, u32, u32);

/// Earlier intakes, the same in every lab.
const EARLY_COHORTS: &[(&str, Ymd, Ymd)] = &[
    ("2024 жаз", (2024, 3, 1), (2024, 6, 28)),
    ("2024 күз", (2024, 9, 2), (2024, 12, 20)),
    ("2025 жаз", (2025, 3, 3), (2025, 6, 27)),
];

const GIVEN: &[&str] = &[
    "Айгүл",
    "Асель",
    "Бактыгүл",
    "Гүлжан",
    "Жазгүл",
    "Жылдыз",
    "Канышай",
    "Мээрим",
    "Нуриза",
    "Салтанат",
    "Чынара",
    "Эльвира",
    "Элнура",
    "Айзада",
    "Бүбүсара",
    "Гүлайым",
    "Динара",
    "Зуура",
    "Каныкей",
    "Назира",
    "Роза",
    "Токтобүбү",
    "Уулжан",
    "Чолпон",
    "Ирина",
    "Людмила",
    "Дилфуза",
    "Гулнора",
    "Мадина",
    "Шахло",
    "Нодира",
    "Айпери",
    "Сезим",
    "Алтынай",
    "Венера",
    "Гүлсара",
];

const FAMILY: &[&str] = &[
    "Абдыкадырова",
    "Алиева",
    "Бакирова",
    "Дүйшеева",
    "Жусупова",
    "Исаева",
    "Калыкова",
    "Мамытова",
    "Намазбекова",
    "Осмоналиева",
    "Раимбекова",
    "Сатыбалдиева",
    "Токторова",
    "Үсөнова",
    "Эргешова",
    "Юлдашева",
    "Каримова",
    "Иманалиева",
    "Кадыркулова",
    "Орозова",
    "Темирова",
    "Асанбаева",
    "Мырзакматова",
    "Ниязова",
];

/// Localities of each lab's region: (lab slug, district, locality, rural).
const PLACES: &[(&str, &str, &str, bool)] = &[
    ("osh", "Ош", "Ош", false),
    ("osh", "Кара-Суу", "Нариман", true),
    ("osh", "Ноокат", "Жаңы-Ноокат", true),
    ("osh", "Өзгөн", "Кара-Дөбө", true),
    ("osh", "Кара-Суу", "Мады", true),
    ("batken", "Баткен", "Баткен", false),
    ("batken", "Кадамжай", "Пулгон", true),
    ("batken", "Лейлек", "Исфана", false),
    ("batken", "Баткен", "Кара-Бак", true),
    ("batken", "Кадамжай", "Халмион", true),
    ("jalal-abad", "Жалал-Абад", "Жалал-Абад", false),
    ("jalal-abad", "Сузак", "Барпы", true),
    ("jalal-abad", "Базар-Коргон", "Базар-Коргон", true),
    ("jalal-abad", "Ноокен", "Массы", true),
    ("jalal-abad", "Аксы", "Кербен", true),
];

const SKILLS: &[&str] = &[
    "sewing",
    "cooking",
    "handicraft",
    "design",
    "digital",
    "social-media",
    "hospitality",
];

/// A small deterministic generator (the same data on every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<'a>(&mut self, list: &'a [&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }
}

pub struct ImpactCounts {
    pub alumnae: usize,
    pub outcomes: usize,
    pub targets: usize,
}

fn day(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("date {y}-{m}-{d}"))
}

fn at(d: NaiveDate, h: u32) -> anyhow::Result<chrono::DateTime<Utc>> {
    let local = d.and_hms_opt(h, 0, 0).context("time")?;
    Ok(domain::time::bishkek()
        .from_local_datetime(&local)
        .single()
        .context("local time")?
        .with_timezone(&Utc))
}

/// Seeds the alumnae, the outcomes of every graduate, and the targets.
pub async fn seed(
    tx: &mut Tx,
    labs: &[(&str, LabId)],
    coordinators: &[(LabId, UserId)],
    today: NaiveDate,
) -> anyhow::Result<ImpactCounts> {
    let mut rng = Rng(20_240_301);
    let mut alumnae = 0usize;
    for (slug, lab) in labs {
        let coordinator = coordinators
            .iter()
            .find(|(l, _)| l == lab)
            .map(|(_, u)| *u)
            .context("demo impact: a lab without coordinator")?;
        let places: Vec<_> = PLACES.iter().filter(|p| p.0 == *slug).collect();
        for (name, (y1, m1, d1), (y2, m2, d2)) in EARLY_COHORTS {
            let (start, end) = (day(*y1, *m1, *d1)?, day(*y2, *m2, *d2)?);
            let cohort = residency::insert_cohort(tx, *lab, name, start, end).await?;
            for i in 0..12u64 {
                let place = places[rng.below(places.len() as u64) as usize];
                let occupation = rng.pick(&[
                    "housewife",
                    "housewife",
                    "unemployed",
                    "employed",
                    "entrepreneur",
                    "student",
                ]);
                let income = match occupation {
                    "housewife" | "unemployed" => Some(0),
                    "student" => None,
                    _ => Some((6_000 + rng.below(16) as i64 * 1_000) * 100),
                };
                let birth_year = 1972 + rng.below(34) as i32;
                let fields = people::PersonFields {
                    family_name: rng.pick(FAMILY).into(),
                    given_name: rng.pick(GIVEN).into(),
                    gender: "woman".into(),
                    birth_year: Some(birth_year),
                    region: match (*slug, place.3) {
                        ("osh", true) => "osh-region",
                        ("osh", false) => "osh-city",
                        ("batken", _) => "batken",
                        _ => "jalal-abad",
                    }
                    .into(),
                    district: place.1.into(),
                    locality: place.2.into(),
                    settlement: Some(if place.3 { "rural" } else { "urban" }.into()),
                    languages: vec!["ky".into(), "ru".into()],
                    occupation: Some(occupation.into()),
                    family_support: rng.pick(&["yes", "yes", "partly", "no"]).into(),
                    skills: vec![rng.pick(SKILLS).into()],
                    monthly_income: income,
                    ..people::PersonFields::default()
                };
                let mut fields = fields;
                fields.name_latin = domain::names::transliterate(&format!(
                    "{} {}",
                    fields.given_name, fields.family_name
                ));
                let person = people::insert(tx, *lab, &fields, Some(coordinator)).await?;
                let registered = start - Duration::days(20 + (i as i64 % 15));
                people::add_consent(
                    tx,
                    person,
                    domain::CONSENT_VERSION,
                    domain::LegalBasis::Consent.code(),
                    "ky",
                    registered,
                    Some(coordinator),
                )
                .await?;
                use ResidencyStatus::*;
                let id = residency::open(tx, person, *lab, Applied, "", "self", None).await?;
                residency::set_cohort(tx, id, Some(cohort)).await?;
                let withdraws = i == 11;
                let mut path = vec![
                    (Applied, at(registered, 19)?),
                    (Accepted, at(registered + Duration::days(10), 11)?),
                    (Active, at(start, 9)?),
                ];
                path.push(if withdraws {
                    (Withdrawn, at(start + Duration::days(50), 12)?)
                } else {
                    (Graduated, at(end, 16)?)
                });
                for w in path.windows(2) {
                    residency::transition(tx, id, w[0].0, w[1].0, Some(coordinator), "").await?;
                }
                residency::date_history(tx, id, &path).await?;
                alumnae += 1;
            }
        }
    }

    // What happened to every graduate since (the demo residents who graduated too).
    let facts = impact::facts(tx, &LabScope::All).await?;
    let mut outcomes = 0usize;
    // The women who stand out, so that their coordinators can note what they do differently.
    let mut standouts: Vec<(LabId, PersonId, Option<UserId>)> = vec![];
    for s in facts.steps.iter().filter(|s| s.status == "graduated") {
        let Some(p) = facts.people.iter().find(|p| p.id == s.person) else {
            continue;
        };
        let person: PersonId = p.id.parse().context("person id")?;
        let lab: LabId = p.lab.parse().context("lab id")?;
        let coordinator = coordinators
            .iter()
            .find(|(l, _)| *l == lab)
            .map(|(_, u)| *u);
        let base = p.prior_income.unwrap_or(0);
        // Monthly gain a year after graduation, in som: where she started matters.
        let mut gain: i64 = if p.rural == Some(true) { 4_000 } else { 6_500 };
        gain = match p.family_support.as_str() {
            "yes" => gain * 6 / 5,
            "no" => gain * 3 / 5,
            _ => gain,
        };
        gain = gain * (50 + rng.below(101) as i64) / 100;
        // A few stand out far beyond women who started like them.
        let deviant = rng.chance(7);
        if deviant {
            gain = gain * 4 + 8_000;
            standouts.push((lab, person, coordinator));
        }
        let record = |kind: OutcomeKind, on: NaiveDate, amount: Option<i64>, verified: bool| {
            (kind, on, amount, verified)
        };
        let mut list = vec![];
        for months in [3u32, 6, 12, 18, 24] {
            let Some(on) = s.on.checked_add_months(Months::new(months)) else {
                continue;
            };
            if on > today {
                break;
            }
            let share = i64::from(months.min(12));
            let amount = base + gain * 100 * share / 12 + (rng.below(9) as i64 - 4) * 20_000;
            list.push(record(
                OutcomeKind::Income,
                on,
                Some(amount.max(0)),
                rng.chance(60),
            ));
        }
        let after = |m: u32| {
            s.on.checked_add_months(Months::new(m))
                .filter(|d| *d <= today)
        };
        let occupation = p.occupation.as_deref().unwrap_or("");
        if (occupation == "unemployed" || occupation == "student")
            && rng.chance(35)
            && let Some(on) = after(2 + rng.below(6) as u32)
        {
            list.push(record(OutcomeKind::Job, on, None, true));
        }
        if occupation == "housewife"
            && rng.chance(30)
            && let Some(on) = after(1 + rng.below(5) as u32)
        {
            list.push(record(OutcomeKind::CareerRestart, on, None, true));
        }
        if (deviant || occupation == "entrepreneur" || rng.chance(25))
            && let Some(on) = after(2 + rng.below(8) as u32)
        {
            list.push(record(
                OutcomeKind::BusinessLaunched,
                on,
                None,
                rng.chance(70),
            ));
        }
        if rng.chance(15)
            && let Some(on) = after(3 + rng.below(9) as u32)
        {
            list.push(record(OutcomeKind::JointInitiative, on, None, true));
        }
        for (kind, on, amount, verified) in list {
            let note = match kind {
                OutcomeKind::Income if deviant => "Буйрутмалар Инстаграм аркылуу көбөйдү.",
                _ => "",
            };
            impact::insert_outcome(
                tx,
                &impact::NewOutcome {
                    person_id: person,
                    lab_id: lab,
                    kind,
                    occurred_on: on,
                    amount,
                    source: if verified {
                        OutcomeSource::Verified
                    } else {
                        OutcomeSource::SelfReported
                    },
                    note,
                },
                coordinator,
            )
            .await?;
            outcomes += 1;
        }
    }

    // What the first woman who stands out in each lab does differently, as her coordinator noted
    // it (the practices across labs show the lab and the practice, never her name).
    let notes = [
        (
            "osh",
            "Сатат кийиз оюнчуктарды Инстаграм аркылуу, буйрутмаларды Бишкекке маршрутка менен жөнөтөт.",
            "Лабораториянын Инстаграм аркылуу сатуу семинарынан кийин өзү аракет кылып көргөн.",
            "yes",
        ),
        (
            "batken",
            "Договорилась с магазином в Бишкеке: сушёный абрикос без серы в своей упаковке, поставки раз в месяц.",
            "Через родственницу, которая работает в Бишкеке.",
            "unsure",
        ),
        (
            "jalal-abad",
            "Арстанбапта конокторду кабыл алат: үй-мейманкана жана конокторго кийиз басуу боюнча мастер-класс.",
            "Гид болуп иштеген курбусу биринчи туристтерди алып келген.",
            "yes",
        ),
    ];
    let mut noted: Vec<LabId> = vec![];
    for (lab, person, coordinator) in standouts {
        let slug = labs.iter().find(|(_, l)| *l == lab).map(|(s, _)| *s);
        let Some((_, practice, found, teachable)) =
            notes.iter().find(|n| Some(n.0) == slug).copied()
        else {
            continue;
        };
        if noted.contains(&lab) {
            continue;
        }
        noted.push(lab);
        impact::save_practice(
            tx,
            &impact::Practice {
                person_id: person,
                lab_id: lab,
                practice: practice.into(),
                found: found.into(),
                teachable: teachable.into(),
                updated_at: Utc::now(),
            },
            coordinator,
        )
        .await?;
    }

    // Targets for this year: per lab, and the network's.
    let year = today.year();
    let (from, to) = (day(year, 1, 1)?, day(year, 12, 31)?);
    let mut targets = 0usize;
    for (slug, lab) in labs {
        let rural = match *slug {
            "osh" => 200,
            _ => 120,
        };
        for (indicator, target) in [
            ("women-reached-rural", rural),
            ("events-held", 25),
            ("graduated", 40),
            ("businesses-launched", 12),
        ] {
            impact::insert_target(
                tx,
                &impact::NewTarget {
                    lab_id: Some(*lab),
                    indicator,
                    starts_on: from,
                    ends_on: to,
                    target,
                },
                None,
            )
            .await?;
            targets += 1;
        }
    }
    for (indicator, target) in [
        ("network-members", 1000),
        ("women-reached", 600),
        ("women-earning", 100),
    ] {
        impact::insert_target(
            tx,
            &impact::NewTarget {
                lab_id: None,
                indicator,
                starts_on: from,
                ends_on: to,
                target,
            },
            None,
        )
        .await?;
        targets += 1;
    }
    Ok(ImpactCounts {
        alumnae,
        outcomes,
        targets,
    })
}
