//! The demo network (`wcl demo`): three labs in the south of Kyrgyzstan with their partners,
//! staff accounts, sixty women and girls with consent records, cohorts and residencies at every
//! step of the path; a term of training (programmes of library modules, weekly sessions, the
//! autumn cohort enrolled, attendance, Open Badges certificates for a programme already
//! finished); and a season of open events per lab (master classes, seminars, thematic evenings,
//! fairs, one network-wide fair) with registrations, a waiting list, check-ins, network members,
//! ambassadors and the people they brought.
//!
//! Training sessions and events are placed relative to today (Bishkek time), so the demo always
//! has a past with attendance and an upcoming part. Everything else is fixed data (phone numbers,
//! ticket codes and attendance come from a seeded LCG, ticket tokens from hashed fixed strings),
//! so two runs on the same day produce the same network, and it is written in one transaction
//! with one `demo.seed` audit row.
//!
//! Seeding is idempotent: when a lab `osh` exists already nothing is written.
use anyhow::{Context, bail};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::names::transliterate;
use domain::{
    Attendance, CohortId, CompletionRule, EventKind, EventScope, FamilySupport, LabId, LabRole,
    Language, LegalBasis, MemberId, Occupation, OrgKind, PartnerRole, PersonId, PersonName, Phone,
    RegistrationStatus, ResidencyId, ResidencyStatus, Skill, Topic, UserId,
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use store::{audit, events, labs, people, residency, training, users};

/// What `seed` did, and the accounts a visitor can sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub created: bool,
    /// (login, password, what it is), e.g. `("coordinator.osh@wcl.kg", "…", "coordinator, Osh")`.
    pub logins: Vec<(String, String, String)>,
}

const PASSWORD: &str = "demo-password-2026";
const RESIDENT_LOGIN: &str = "+996555100200";
const RESIDENT_WHAT: &str = "resident, Osh (Айжан Токтогулова)";

struct StaffSeed {
    login: &'static str,
    name: &'static str,
    admin: bool,
    grant: Option<(&'static str, LabRole)>,
    what: &'static str,
}

const STAFF: &[StaffSeed] = &[
    StaffSeed {
        login: "admin@wcl.kg",
        name: "Нургүл Абдыкадырова",
        admin: true,
        grant: None,
        what: "network admin",
    },
    StaffSeed {
        login: "coordinator.osh@wcl.kg",
        name: "Айгүл Ташматова",
        admin: false,
        grant: Some(("osh", LabRole::Coordinator)),
        what: "coordinator, Osh",
    },
    StaffSeed {
        login: "coordinator.batken@wcl.kg",
        name: "Зуура Абдраимова",
        admin: false,
        grant: Some(("batken", LabRole::Coordinator)),
        what: "coordinator, Batken",
    },
    StaffSeed {
        login: "coordinator.jalal-abad@wcl.kg",
        name: "Мээрим Касымбекова",
        admin: false,
        grant: Some(("jalal-abad", LabRole::Coordinator)),
        what: "coordinator, Jalal-Abad",
    },
    StaffSeed {
        login: "mentor.osh@wcl.kg",
        name: "Чынара Байышева",
        admin: false,
        grant: Some(("osh", LabRole::Mentor)),
        what: "mentor, Osh",
    },
    StaffSeed {
        login: "mentor.batken@wcl.kg",
        name: "Салтанат Мамбетова",
        admin: false,
        grant: Some(("batken", LabRole::Mentor)),
        what: "mentor, Batken",
    },
    StaffSeed {
        login: "caseworker.osh@wcl.kg",
        name: "Жамиля Орозова",
        admin: false,
        grant: Some(("osh", LabRole::CaseWorker)),
        what: "case worker, Osh",
    },
];

fn logins() -> Vec<(String, String, String)> {
    STAFF
        .iter()
        .map(|s| (s.login, s.what))
        .chain([
            ("mentor.digital@wcl.kg", "mentor, remote for the network"),
            ("mentor.jalal-abad@wcl.kg", "mentor, Jalal-Abad"),
            (
                crate::demo_grants::REVIEWER_LOGIN,
                crate::demo_grants::REVIEWER_WHAT,
            ),
        ])
        .chain(std::iter::once((RESIDENT_LOGIN, RESIDENT_WHAT)))
        .map(|(login, what)| (login.to_string(), PASSWORD.to_string(), what.to_string()))
        .collect()
}

struct LabSeed {
    slug: &'static str,
    name_ky: &'static str,
    name_ru: &'static str,
    name_en: &'static str,
    region: &'static str,
    locality: &'static str,
    address: &'static str,
    latitude: f64,
    longitude: f64,
    hours: &'static str,
    opened_on: Ymd,
    /// The people table below: one woman a line.
    people: &'static str,
}

const LABS: &[LabSeed] = &[
    LabSeed {
        slug: "osh",
        name_ky: "Акылжан",
        name_ru: "Акылжан",
        name_en: "Akylzhan",
        region: "osh-city",
        locality: "Ош",
        address: "г. Ош, ул. Курманжан Датки, 271, 2-этаж",
        latitude: 40.5283,
        longitude: 72.7985,
        hours: "Дш–Жм 09:00–18:00, Иш 10:00–14:00",
        opened_on: (2022, 3, 1),
        people: OSH_PEOPLE,
    },
    LabSeed {
        slug: "batken",
        name_ky: "Баткен аялдар лабораториясы",
        name_ru: "Баткенская лаборатория",
        name_en: "Batken Lab",
        region: "batken",
        locality: "Баткен",
        address: "г. Баткен, ул. Манаса, 48",
        latitude: 40.0626,
        longitude: 70.8194,
        hours: "Дш–Жм 09:00–17:00",
        opened_on: (2023, 4, 10),
        people: BATKEN_PEOPLE,
    },
    LabSeed {
        slug: "jalal-abad",
        name_ky: "Жалал-Абад аялдар лабораториясы",
        name_ru: "Джалал-Абадская лаборатория",
        name_en: "Jalal-Abad Lab",
        region: "jalal-abad",
        locality: "Жалал-Абад",
        address: "г. Жалал-Абад, ул. Ленина, 30",
        latitude: 40.9333,
        longitude: 73.0017,
        hours: "Дш–Жм 09:00–18:00",
        opened_on: (2023, 10, 2),
        people: JALAL_ABAD_PEOPLE,
    },
];

/// Partner organisations and what each does for which lab. The names are invented for the demo
/// except the city administrations, which host the labs.
/// An organisation: name, kind, and its role in which labs.
type OrgSeed = (
    &'static str,
    OrgKind,
    &'static [(&'static str, PartnerRole)],
);

const ORGS: &[OrgSeed] = &[
    (
        "ОФ «Чыгармачыл аялдар тармагы»",
        OrgKind::Foundation,
        &[
            ("osh", PartnerRole::ImplementingPartner),
            ("batken", PartnerRole::ImplementingPartner),
            ("jalal-abad", PartnerRole::ImplementingPartner),
        ],
    ),
    (
        "Мэрия города Ош",
        OrgKind::LocalAdministration,
        &[("osh", PartnerRole::FacilityProvider)],
    ),
    (
        "Мэрия города Баткен",
        OrgKind::LocalAdministration,
        &[("batken", PartnerRole::FacilityProvider)],
    ),
    (
        "Мэрия города Жалал-Абад",
        OrgKind::LocalAdministration,
        &[("jalal-abad", PartnerRole::FacilityProvider)],
    ),
    (
        "Туристическая дестинация «Сулайман-Тоо»",
        OrgKind::Ngo,
        &[("osh", PartnerRole::TourismPartner)],
    ),
    (
        "Бизнес-акселератор «Алга Старт»",
        OrgKind::Business,
        &[
            ("osh", PartnerRole::FundingPartner),
            ("batken", PartnerRole::FundingPartner),
            ("jalal-abad", PartnerRole::FundingPartner),
        ],
    ),
    (
        "ОФ «Укуктук жардам — Түштүк»",
        OrgKind::Ngo,
        &[
            ("osh", PartnerRole::KnowledgePartner),
            ("batken", PartnerRole::KnowledgePartner),
            ("jalal-abad", PartnerRole::KnowledgePartner),
        ],
    ),
    (
        "Колледж дизайна и лёгкой промышленности «Жибек Жолу»",
        OrgKind::Education,
        &[("osh", PartnerRole::KnowledgePartner)],
    ),
];

/// Every lab runs the same intakes: the autumn 2025 cohort has graduated, spring 2026 too, autumn
/// 2026 is under way and spring 2027 is being filled.
type Ymd = (i32, u32, u32);

const COHORTS: &[(&str, Ymd, Ymd)] = &[
    ("2025 күз", (2025, 9, 1), (2025, 12, 20)),
    ("2026 жаз", (2026, 3, 1), (2026, 6, 30)),
    ("2026 күз", (2026, 9, 1), (2026, 12, 20)),
    ("2027 жаз", (2027, 3, 1), (2027, 6, 30)),
];

// The people of each lab, one a line, fields separated by `|`:
//   given | family | birth year | district | locality | u(rban)/r(ural) | languages | occupation |
//   family support | skills | monthly income in som (- unknown) | plan | s(elf)/a(ssisted) |
//   phone (+ generated, - none, or the number) | aims | motivation | note on the last step
// Plans: applied, accepted (spring 2027), active (autumn 2026), grad25 / grad26 (graduated from
// autumn 2025 / spring 2026), withdrawn (from autumn 2026), declined.

const OSH_PEOPLE: &str = r"
Айжан|Токтогулова|1994|Ош|Ош|u|ky,ru|entrepreneur|yes|sewing,social-media|15000|active|s|+996555100200|Ачкан тигүү цехимди кеңейтип, эки аялды жумушка алгым келет.|Инстаграм аркылуу буйрутма алам, бирок бизнес-план түзүүнү үйрөнгүм келет.|
Гүлнара|Өмүрбекова|1988|Кара-Суу|Нариман|r|ky,ru|housewife|partly|cooking,business|0|active|a|+|Үйдө токоч жана боорсок бышырып, базарга сатууну баштоо.||
Дилноза|Юсупова|1996|Кара-Суу|Кара-Суу|u|uz,ru,ky|entrepreneur|yes|sewing,design|12000|active|s|+|Открыть небольшое ателье по пошиву национальной одежды.|Хочу научиться считать себестоимость и продавать через интернет.|
Зулфия|Рахимова|1979|Ош|Ош|u|uz,ru|employed|yes|cooking,hospitality|18000|grad25|a|+|Открыть гостевой дом с домашней узбекской кухней для туристов.||Защитила бизнес-план.
Нургүл|Маматова|2001|Ноокат|Жаңы-Ноокат|r|ky|unemployed|no|handicraft,social-media|-|active|a|+|Шырдак жасап, онлайн сатууну үйрөнүү.||
Бурул|Асанова|1985|Өзгөн|Кара-Дөбө|r|ky,ru|housewife|yes|handicraft,sewing|0|grad25|a|+|Айылдагы аялдар менен кийиз буюмдар кооперативин түзүү.||Бизнес-планын коргоду.
Жаңыл|Эшимова|1992|Ош|Ош|u|ky,ru|civil-servant|yes|digital,social-media|22000|active|s|+|Кичи бизнестерге SMM кызматын көрсөтүү.|Мамлекеттик кызматтан тышкары кошумча киреше тапкым келет.|
Елена|Ким|1983|Ош|Ош|u|ru|entrepreneur|yes|cooking,business|25000|grad26|s|+|Расширить производство корейских салатов и выйти в супермаркеты.|Нужна помощь с сертификацией и упаковкой.|Защитила бизнес-план.
Айгерим|Абдыраимова|2008|Кара-Суу|Төлөйкөн|r|ky,ru|student|yes|design,digital|-|active|a|-|Графикалык дизайнды үйрөнүп, фриланс менен иштөө.||
Мохира|Каримова|1990|Кара-Суу|Кашкар-Кыштак|r|uz,ru|housewife|partly|sewing|0|active|a|+|Шить детскую одежду на заказ, не выходя из дома.||
Чолпон|Садыкова|1975|Ноокат|Кызыл-Октябрь|r|ky,ru|employed|yes|cooking,hospitality|14000|withdrawn|a|+|Үйүмдө туристтер үчүн тамак-аш кызматын ачуу.||Кызынын үй-бүлөсүнө жардам берүү үчүн Бишкекке көчүп кетти.
Мээрим|Турдубаева|2003|Ош|Ош|u|ky,ru,en|student|yes|tour-guiding,digital|-|accepted|s|+|Ош шаарында англис тилинде экскурсия жүргүзгөн гид болуу.|Сулайман-Тоо боюнча экскурсия маршрутун түзгүм келет.|
Гулчехра|Абдуллаева|1972|Кара-Суу|Мады|r|uz,ky|housewife|yes|cooking,handicraft|0|grad25|a|-|Продавать домашние сухофрукты и сладости на туристических ярмарках.||Защитила бизнес-план.
Бактыгүл|Осмонова|1987|Өзгөн|Кара-Дөбө|r|ky,ru|unemployed|yes|sewing,business|-|active|a|+|Өзгөндө кичинекей тигүү цехин ачуу.||
Назгүл|Ташиева|1999|Ноокат|Гүлстан|r|ky|housewife|no|handicraft|0|applied|s|+|Саймачылыкты үйрөнүп, үйдөн туруп иштөө.|Балдарым кичинекей, үйдөн иштеп киреше тапкым келет.|
Нилуфар|Турсунова|2005|Кара-Суу|Шарк|r|uz,ru|student|yes|social-media,design|-|active|s|+|Вести страницы местных мастериц и получать первый доход.|Хочу научиться фотографировать товары и вести Instagram.|
Жылдыз|Кадырова|1981|Ош|Ош|u|ky,ru|employed|yes|business,hospitality|20000|grad26|a|+|Открыть мини-гостиницу рядом с Сулайман-Тоо.||Защитила бизнес-план.
Айпери|Бекмуратова|1998|Өзгөн|Мырза-Аке|r|ky|unemployed|yes|cooking|-|active|a|+|Кымыз жана сүт азыктарын сатуу боюнча бизнес баштоо.||
Шахноза|Мирзаева|1994|Кара-Суу|Савай|r|uz,ru,ky|housewife|no|sewing,handicraft|0|withdrawn|s|+|Вышивать сюзане на продажу.|Хочу, чтобы моя работа приносила доход семье.|Семейные обстоятельства: ухаживает за свекровью.
Асел|Жумабаева|1990|Ноокат|Кара-Таш|r|ky,ru|employed|yes|digital,business|9000|accepted|a|+|Айылда онлайн-дүкөн ачып, жергиликтүү продукцияны сатуу.||
Феруза|Исмаилова|1986|Ош|Ош|u|uz,ru|entrepreneur|yes|cooking,business|16000|accepted|s|+|Открыть точку по продаже самсы и лепёшек с доставкой.|Мне нужен стартовый капитал и знания по учёту.|
Динара|Сыдыкова|2002|Өзгөн|Көгарт|r|ky,ru|student|yes|tour-guiding,hospitality|-|applied|s|+|Көгарт өрөөнүндө эко-туризм маршруттарын уюштуруу.|Жайкы сезондо туристтерди кабыл алуу боюнча билим алгым келет.|
Гүлмира|Алымкулова|1978|Кара-Суу|Нариман|r|ky|housewife|partly|handicraft,sewing|0|active|a|-|Ала-кийиз жасоону улантып, көргөзмөлөргө чыгуу.||
Одина|Юлдашева|1997|Ноокат|Жаңы-Ноокат|r|uz,ky|unemployed|yes|sewing|-|declined|s|+|Найти работу швеёй в городе.|Ищу работу, хочу пройти курсы шитья.|Ищет наёмную работу: направлена в центр занятости Ноокатского района.
Элмира|Жээнбекова|1984|Кара-Суу|Папан|r|ky,ru|unemployed|yes|handicraft,business|-|applied|s|+|Балдар үчүн өнүктүрүүчү оюнчуктарды жасоо.|Декреттен кийин өз ишимди баштагым келет.|
";

const BATKEN_PEOPLE: &str = r"
Бермет|Шамшиева|1991|Баткен|Баткен|u|ky,ru|civil-servant|yes|business,digital|17000|active|s|+|Баткендин өрүгүн кургатып, Бишкекке сатуу.|Кооперативге бирикип, сапатты жакшырткым келет.|
Акылай|Бообекова|2004|Баткен|Кара-Бак|r|ky|student|partly|sewing,design|-|active|a|+|Улуттук оюм-чийме менен заманбап кийим тигүү.||
Саодат|Назарова|1983|Лейлек|Исфана|u|tg,uz,ru|entrepreneur|yes|cooking,business|13000|grad25|a|+|Открыть кондитерскую с восточными сладостями в Исфане.||Защитила бизнес-план.
Таттыбүбү|Орозбаева|1970|Кадамжай|Пулгон|r|ky|housewife|yes|handicraft|0|grad25|a|-|Чий ороп, жаш кыздарга үйрөтүү жана сатуу.||Бизнес-планын коргоду.
Ольга|Петрова|1980|Сүлүктү|Сүлүктү|u|ru|employed|yes|sewing,business|15000|active|s|+|Открыть ремонт и пошив одежды в Сулюкте.|После закрытия шахты в городе мало работы, хочу своё дело.|
Гүлзат|Эсенкулова|1995|Баткен|Самаркандек|r|ky,ru|housewife|no|cooking|0|active|a|+|Өрүк джемин жасап, дүкөндөргө өткөрүү.||
Жибек|Касымова|2008|Кадамжай|Уч-Коргон|r|ky,ru|student|yes|digital,social-media|-|accepted|s|-|Программалоону үйрөнүп, IT тармагында иштөө.|Мектепте информатиканы жакшы көрөм, компьютерде иштөөнү үйрөнгүм келет.|
Мавлюда|Хакимова|1988|Кадамжай|Халмион|r|uz,ky|housewife|partly|sewing,handicraft|0|active|a|+|Шить курпачи и подушки на заказ.||
Наталья|Кузнецова|1976|Кызыл-Кыя|Кызыл-Кыя|u|ru|unemployed|yes|cooking,hospitality|-|grad26|a|+|Открыть столовую домашней кухни для рабочих.||Защитила бизнес-план.
Айдана|Абдилазизова|2000|Баткен|Ак-Сай|r|ky|unemployed|yes|tour-guiding,hospitality|-|active|a|+|Ак-Сайда үй-мейманкана ачып, туристтерди кабыл алуу.||
Үмүт|Мырзабекова|1993|Лейлек|Кулунду|r|ky,ru|employed|yes|business,cooking|11000|withdrawn|a|+|Жергиликтүү нан азыктарын чыгаруу.||Күйөөсү менен Россияга иштөөгө кетти.
Кундуз|Токторова|1989|Кадамжай|Кадамжай|u|ky,ru|civil-servant|yes|digital|19000|grad26|s|+|Айылдык аялдарга санарип сабаттуулук боюнча тренинг өткөрүү.|Өз билимимди башка аялдарга бергим келет.|Бүтүрүү долбоорун коргоду.
Зарина|Нурланова|2006|Баткен|Баткен|u|ky,ru|student|yes|design,social-media|-|applied|s|+|Брендинг жана логотип жасоо боюнча фрилансер болуу.|Мен дизайнды өз алдымча үйрөнүп жатам, тажрыйба керек.|
Севара|Алиева|1998|Лейлек|Ак-Терек|r|uz,ru|housewife|no|sewing|0|declined|s|+|Работать швеёй на дому.|Хочу научиться шить и зарабатывать.|Не может ездить на занятия в Баткен (четыре часа дороги); предложена выездная группа в Исфане.
Айнура|Бакыт кызы|1997|Баткен|Кара-Бак|r|ky|housewife|yes|handicraft,social-media|0|active|a|+|Кол өнөрчүлүк буюмдарын Инстаграм аркылуу сатуу.||
Светлана|Пак|1986|Сүлүктү|Сүлүктү|u|ru,ky|entrepreneur|yes|cooking,business|21000|active|s|+|Запустить производство домашней лапши и пельменей.|Нужна помощь с бизнес-планом для кредита.|
Жумагүл|Сатыбалдиева|1973|Кадамжай|Пулгон|r|ky|unemployed|partly|cooking,handicraft|-|accepted|a|+|Курут жана сүт азыктарын чыгарып сатуу.||
Айсулуу|Абдыкеримова|2002|Баткен|Самаркандек|r|ky,ru|unemployed|yes|tour-guiding,digital|-|applied|s|+|Баткен тоолоруна туристтик маршруттарды түзүү.|Жергиликтүү жаратылышты туристтерге көрсөткүм келет.|
";

const JALAL_ABAD_PEOPLE: &str = r"
Калыйча|Рысбаева|1982|Жалал-Абад|Жалал-Абад|u|ky,ru|entrepreneur|yes|sewing,business|20000|active|s|+|Тигүү цехин кеңейтип, мектеп формасын чыгаруу.|Көбүрөөк буйрутма алуу үчүн маркетингди үйрөнгүм келет.|
Сезим|Жолдошева|2005|Сузак|Барпы|r|ky|student|yes|digital,design|-|active|a|+|Веб-сайт түзүүнү үйрөнүп, айылдагы ишкерлерге жардам берүү.||
Муножат|Хамраева|1987|Базар-Коргон|Базар-Коргон|r|uz,ky,ru|housewife|partly|cooking|0|active|a|+|Продавать домашний плов и лепёшки на рынке Базар-Коргона.||
Алтынай|Карыбекова|1990|Базар-Коргон|Арстанбап|r|ky,ru,en|employed|yes|hospitality,tour-guiding|12000|grad25|a|+|Арстанбаптагы жаңгак токоюна турларды уюштуруу.||Бизнес-планын коргоду.
Ирина|Шевченко|1979|Жалал-Абад|Жалал-Абад|u|ru|entrepreneur|yes|cooking,hospitality|24000|grad26|s|+|Открыть семейное кафе у санатория.|Хочу научиться работать с туристами из других стран.|Защитила бизнес-план.
Нуриза|Эргешова|1996|Ноокен|Масы|r|ky|housewife|no|handicraft|0|active|a|+|Жүндөн байпак жана кепич согуп сатуу.||
Айнагүл|Мамытова|1985|Сузак|Кара-Алма|r|ky,ru|employed|yes|cooking,business|9000|active|s|+|Жаңгак жана бал сатуучу кооператив түзүү.|Кара-Алманын продукциясын шаарга чыгаргым келет.|
Махабат|Бакирова|2008|Жалал-Абад|Жалал-Абад|u|ky,ru|student|yes|social-media,design|-|applied|s|-|Блогер болуп, жергиликтүү кол өнөрчүлөрдү таанытуу.|Мектептен кийин өз ишимди баштагым келет.|
Гулнора|Тошматова|1993|Сузак|Сузак|r|uz,ru|housewife|no|sewing,handicraft|0|withdrawn|a|+|Шить национальные платья из атласа.||Переехала к мужу в Ош.
Акмөөр|Эрмек кызы|1999|Ноокен|Кочкор-Ата|u|ky,ru|unemployed|yes|digital,business|-|active|a|+|Чакан бизнестерге бухгалтердик кызмат көрсөтүү.||
Мадина|Абдырахманова|1988|Базар-Коргон|Акман|r|ky|housewife|yes|sewing|0|active|a|-|Балдар кийимин тигип, базарга чыгаруу.||
Шахида|Мамажанова|1984|Жалал-Абад|Жалал-Абад|u|uz,ru,ky|civil-servant|yes|business,cooking|18000|accepted|s|+|Открыть цех по сушке фруктов.|Хочу уйти с госслужбы и заниматься своим делом.|
Бүбүсара|Жусупова|1974|Сузак|Благовещенка|r|ky,ru|housewife|yes|handicraft,cooking|0|grad25|a|+|Шырдак жана төшөк жасоо боюнча үй цехин ачуу.||Бизнес-планын коргоду.
Татьяна|Иванова|1991|Ноокен|Шамалды-Сай|u|ru|employed|yes|digital,design|14000|active|s|+|Запустить фотостудию и обучать съёмке товаров.|Хочу работать на себя и помогать мастерицам продавать онлайн.|
Перизат|Абдиева|2003|Базар-Коргон|Арстанбап|r|ky,ru,en|student|yes|tour-guiding,hospitality|-|accepted|a|+|Арстанбапта гид болуп иштөө жана англис тилин өркүндөтүү.||
Айгүл|Сулайманова|1995|Сузак|Барпы|r|ky|unemployed|no|cooking|-|declined|s|+|Ашпозчу болуп ресторанда иштөө.|Ашпозчулук курсуна баргым келет.|Лаборатория жалданма жумушка даярдабайт; кесиптик лицейге жөнөтүлдү.
Зухра|Ахмедова|1989|Ноокен|Масы|r|uz,ky|housewife|partly|sewing,business|0|applied|s|+|Шить и продавать постельное бельё.|Хочу помогать семье и работать из дома.|
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Applied,
    Accepted,
    Active,
    Graduated2025,
    Graduated2026,
    Withdrawn,
    Declined,
}

impl Plan {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "applied" => Self::Applied,
            "accepted" => Self::Accepted,
            "active" => Self::Active,
            "grad25" => Self::Graduated2025,
            "grad26" => Self::Graduated2026,
            "withdrawn" => Self::Withdrawn,
            "declined" => Self::Declined,
            _ => return None,
        })
    }

    /// The cohort she ends up in, if any.
    fn cohort(self) -> Option<&'static str> {
        match self {
            Self::Applied | Self::Declined => None,
            Self::Accepted => Some("2027 жаз"),
            Self::Active | Self::Withdrawn => Some("2026 күз"),
            Self::Graduated2025 => Some("2025 күз"),
            Self::Graduated2026 => Some("2026 жаз"),
        }
    }

    /// The month she registered and gave consent (the day comes from her place in the list).
    fn registered_in(self) -> (i32, u32) {
        match self {
            Self::Graduated2025 => (2025, 8),
            Self::Graduated2026 => (2026, 2),
            Self::Active | Self::Withdrawn => (2026, 8),
            Self::Accepted | Self::Declined => (2026, 10),
            Self::Applied => (2026, 11),
        }
    }
}

enum PhoneSpec {
    Generated,
    None,
    Given(String),
}

struct Row {
    fields: people::PersonFields,
    display_name: String,
    plan: Plan,
    assisted: bool,
    phone: PhoneSpec,
    motivation: &'static str,
    note: &'static str,
}

fn parse_rows(lab: &LabSeed) -> anyhow::Result<Vec<Row>> {
    let mut rows = vec![];
    for line in lab.people.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let row =
            parse_row(lab, line).with_context(|| format!("demo data, lab {}: {line}", lab.slug))?;
        rows.push(row);
    }
    Ok(rows)
}

fn parse_row(lab: &LabSeed, line: &'static str) -> anyhow::Result<Row> {
    let f: Vec<&'static str> = line.split('|').map(str::trim).collect();
    let [
        given,
        family,
        year,
        district,
        locality,
        settlement,
        languages,
        occupation,
        support,
        skills,
        income,
        plan,
        source,
        phone,
        aims,
        motivation,
        note,
    ] = f[..]
    else {
        bail!("expected 17 fields, found {}", f.len());
    };
    let given = PersonName::parse("given_name", given)?;
    let family = PersonName::parse("family_name", family)?;
    let birth_year: i32 = year.parse().context("birth year")?;
    if !(1970..=2008).contains(&birth_year) {
        bail!("birth year {birth_year} out of range");
    }
    let settlement = match settlement {
        "u" => "urban",
        "r" => "rural",
        other => bail!("settlement {other}"),
    };
    let codes =
        |list: &'static str, ok: fn(&str) -> bool, what: &str| -> anyhow::Result<Vec<String>> {
            list.split(',')
                .map(|c| {
                    if ok(c) {
                        Ok(c.to_string())
                    } else {
                        bail!("{what} {c}")
                    }
                })
                .collect()
        };
    let languages = codes(languages, |c| Language::parse(c).is_some(), "language")?;
    let skills = codes(skills, |c| Skill::parse(c).is_some(), "skill")?;
    if !(1..=3).contains(&skills.len()) {
        bail!("1 to 3 skills");
    }
    let occupation =
        Occupation::parse(occupation).with_context(|| format!("occupation {occupation}"))?;
    let support =
        FamilySupport::parse(support).with_context(|| format!("family support {support}"))?;
    let monthly_income = match income {
        "-" => None,
        som => Some(som.parse::<i64>().context("income")? * 100),
    };
    let plan = Plan::parse(plan).with_context(|| format!("plan {plan}"))?;
    let assisted = match source {
        "s" => false,
        "a" => true,
        other => bail!("source {other}"),
    };
    if assisted && matches!(plan, Plan::Applied | Plan::Declined) {
        bail!("an assisted registration starts accepted");
    }
    let phone = match phone {
        "+" => PhoneSpec::Generated,
        "-" => PhoneSpec::None,
        number => PhoneSpec::Given(Phone::parse(number)?.as_str().to_string()),
    };
    let region = match (lab.slug, district) {
        ("osh", "Ош") => "osh-city",
        ("osh", _) => "osh-region",
        (_, _) => lab.region,
    };
    if !domain::REGIONS.contains(&region) {
        bail!("region {region}");
    }
    let (family, given) = (family.as_str().to_string(), given.as_str().to_string());
    Ok(Row {
        display_name: format!("{given} {family}"),
        fields: people::PersonFields {
            name_latin: transliterate(&format!("{family} {given}")),
            family_name: family,
            given_name: given,
            patronymic: String::new(),
            phone: None,
            email: None,
            birth_year: Some(birth_year),
            gender: domain::Gender::Woman.code().to_string(),
            region: region.to_string(),
            district: district.to_string(),
            locality: locality.to_string(),
            settlement: Some(settlement.to_string()),
            languages,
            occupation: Some(occupation.code().to_string()),
            family_support: support.code().to_string(),
            skills,
            aims: aims.to_string(),
            monthly_income,
        },
        plan,
        assisted,
        phone,
        motivation,
        note,
    })
}

/// Kyrgyz mobile numbers from a fixed linear congruential generator, never repeating.
struct Phones {
    state: u64,
    used: Vec<String>,
}

impl Phones {
    const PREFIXES: &'static [&'static str] = &[
        "555", "557", "559", "700", "702", "705", "707", "709", "770", "772", "775", "777", "220",
        "222", "227", "500", "505", "550", "990", "999",
    ];

    fn next_raw(&mut self) -> u64 {
        lcg_step(&mut self.state)
    }

    fn next(&mut self) -> anyhow::Result<String> {
        loop {
            let prefix = Self::PREFIXES[(self.next_raw() % Self::PREFIXES.len() as u64) as usize];
            let number = format!("+996{prefix}{:06}", self.next_raw() % 1_000_000);
            let number = Phone::parse(&number)?.as_str().to_string();
            if !self.used.contains(&number) {
                self.used.push(number.clone());
                return Ok(number);
            }
        }
    }
}

/// One step of the linear congruential generator every "random" choice of the demo comes from.
fn lcg_step(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

/// The seeded generator for attendance, registrations and ticket codes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        lcg_step(&mut self.0)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// 40 bits, enough for a ticket code.
    fn wide(&mut self) -> u64 {
        (self.next() << 20) ^ self.next()
    }
}

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("date {y}-{m}-{d}"))
}

/// Seeds the demo network unless a lab `osh` exists already. `hash_password` is the web layer's
/// password hasher (every account gets `demo-password-2026`).
pub async fn seed(
    store: &store::Store,
    hash_password: &(dyn Fn(&str) -> String + Sync),
    case_keys: Option<&web::sealed::Keyring>,
) -> anyhow::Result<DemoSummary> {
    let untouched = || DemoSummary {
        created: false,
        logins: logins(),
    };
    {
        let mut c = store.conn().await?;
        if labs::lab_by_slug(&mut c, "osh").await?.is_some() {
            return Ok(untouched());
        }
    }

    // Check all the data and hash the passwords before the transaction starts.
    let mut people_of_labs = vec![];
    for lab in LABS {
        people_of_labs.push(parse_rows(lab)?);
    }
    for season in SEASONS {
        parse_events(season)?;
    }
    let mut phones = Phones {
        state: 2026,
        used: people_of_labs
            .iter()
            .flatten()
            .filter_map(|r| match &r.phone {
                PhoneSpec::Given(p) => Some(p.clone()),
                _ => None,
            })
            .collect(),
    };
    if !phones.used.iter().any(|p| p == RESIDENT_LOGIN) {
        bail!("demo data: no resident has the phone {RESIDENT_LOGIN}");
    }
    let staff_hashes: Vec<String> = STAFF.iter().map(|_| hash_password(PASSWORD)).collect();
    let resident_hash = hash_password(PASSWORD);

    let mut tx = store.begin().await?;
    if labs::lab_by_slug(&mut tx, "osh").await?.is_some() {
        tx.rollback().await?;
        return Ok(untouched());
    }

    // Labs.
    let mut lab_ids: Vec<(&str, LabId)> = vec![];
    for lab in LABS {
        let (y, m, d) = lab.opened_on;
        let id = labs::insert_lab(
            &mut tx,
            &labs::NewLab {
                slug: lab.slug.into(),
                name_ky: lab.name_ky.into(),
                name_ru: lab.name_ru.into(),
                name_en: lab.name_en.into(),
                region: lab.region.into(),
                locality: lab.locality.into(),
                address: lab.address.into(),
                latitude: Some(lab.latitude),
                longitude: Some(lab.longitude),
                hours: lab.hours.into(),
                opened_on: Some(date(y, m, d)?),
            },
        )
        .await?;
        lab_ids.push((lab.slug, id));
    }
    let lab_id = |slug: &str| -> anyhow::Result<LabId> {
        lab_ids
            .iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, id)| *id)
            .with_context(|| format!("demo data: no lab {slug}"))
    };

    // Partner organisations.
    for (name, kind, roles) in ORGS {
        let org = labs::insert_org(&mut tx, name, *kind, "").await?;
        for (slug, role) in *roles {
            labs::add_partner(&mut tx, lab_id(slug)?, org, *role).await?;
        }
    }

    // Staff accounts.
    let mut coordinators: Vec<(LabId, UserId)> = vec![];
    for (s, hash) in STAFF.iter().zip(&staff_hashes) {
        let user = users::insert(&mut tx, s.login, s.name, hash, s.admin, None).await?;
        if let Some((slug, role)) = s.grant {
            let lab = lab_id(slug)?;
            users::grant(&mut tx, user, lab, role).await?;
            if role == LabRole::Coordinator {
                coordinators.push((lab, user));
            }
        }
    }

    // Cohorts, the same intakes in every lab.
    let mut cohorts: Vec<(LabId, &str, CohortId)> = vec![];
    for (_, lab) in &lab_ids {
        let lab = *lab;
        for (name, (y1, m1, d1), (y2, m2, d2)) in COHORTS {
            let id = residency::insert_cohort(
                &mut tx,
                lab,
                name,
                date(*y1, *m1, *d1)?,
                date(*y2, *m2, *d2)?,
            )
            .await?;
            cohorts.push((lab, *name, id));
        }
    }

    // People, their consent, and their residencies.
    let mut people_count = 0usize;
    let mut resident_user = None;
    let mut resident_person = None;
    let mut residents: Vec<Resident> = vec![];
    for (lab, rows) in LABS.iter().zip(people_of_labs) {
        let lab = lab_id(lab.slug)?;
        let coordinator = coordinators
            .iter()
            .find(|(l, _)| *l == lab)
            .map(|(_, u)| *u)
            .context("demo data: a lab without coordinator")?;
        for (i, row) in rows.into_iter().enumerate() {
            let mut fields = row.fields;
            fields.phone = match row.phone {
                PhoneSpec::Generated => Some(phones.next()?),
                PhoneSpec::None => None,
                PhoneSpec::Given(p) => Some(p),
            };
            let by_staff = row.assisted.then_some(coordinator);
            let person = people::insert(&mut tx, lab, &fields, by_staff).await?;
            people_count += 1;

            let legal_basis = if fields.birth_year.is_some_and(|y| y > 2007) {
                LegalBasis::ParentalConsent
            } else {
                LegalBasis::Consent
            };
            let language = if fields.languages.first().is_some_and(|l| l == "ky") {
                "ky"
            } else {
                "ru"
            };
            let (y, m) = row.plan.registered_in();
            let day = 1 + (i as u32 * 7 + people_count as u32) % 20;
            people::add_consent(
                &mut tx,
                person,
                domain::CONSENT_VERSION,
                legal_basis.code(),
                language,
                date(y, m, day)?,
                by_staff,
            )
            .await?;
            residents.push(Resident {
                lab,
                person,
                given: fields.given_name.clone(),
                family: fields.family_name.clone(),
                phone: fields.phone.clone(),
                language,
            });

            // The resident with an account applied on the public form herself.
            let mut applicant = None;
            if fields.phone.as_deref() == Some(RESIDENT_LOGIN) {
                let user = users::insert(
                    &mut tx,
                    RESIDENT_LOGIN,
                    &row.display_name,
                    &resident_hash,
                    false,
                    Some(person),
                )
                .await?;
                resident_user = Some(user);
                resident_person = Some(person);
                applicant = Some(user);
            }

            let term = row.plan.cohort().and_then(|name| {
                COHORTS.iter().find(|(n, _, _)| *n == name).and_then(
                    |(_, (y1, m1, d1), (y2, m2, d2))| {
                        Some((
                            NaiveDate::from_ymd_opt(*y1, *m1, *d1)?,
                            NaiveDate::from_ymd_opt(*y2, *m2, *d2)?,
                        ))
                    },
                )
            });
            walk(
                &mut tx,
                Walk {
                    person,
                    lab,
                    coordinator,
                    applicant,
                    plan: row.plan,
                    assisted: row.assisted,
                    motivation: row.motivation,
                    note: row.note,
                    registered: date(y, m, day)?,
                    term,
                    cohort: row
                        .plan
                        .cohort()
                        .map(|name| {
                            cohorts
                                .iter()
                                .find(|(l, n, _)| *l == lab && *n == name)
                                .map(|(_, _, id)| *id)
                                .context("demo data: unknown cohort")
                        })
                        .transpose()?,
                },
            )
            .await?;
        }
    }
    let Some(resident_person) = resident_person.filter(|_| resident_user.is_some()) else {
        bail!("demo data: the resident account was not created");
    };
    let coordinator_of = |lab: LabId| -> anyhow::Result<UserId> {
        coordinators
            .iter()
            .find(|(l, _)| *l == lab)
            .map(|(_, u)| *u)
            .context("demo data: a lab without coordinator")
    };

    // A term of training for the autumn cohort of every lab.
    let today = domain::time::today();
    let mut rng = Lcg(2_026_112);
    let mut training_counts = TrainingCounts::default();
    for (no, p) in PROGRAMMES.iter().enumerate() {
        let lab = lab_id(p.lab)?;
        let ctx = TrainingCtx {
            lab,
            coordinator: coordinator_of(lab)?,
            resident: resident_person,
            residents: &residents,
            today,
        };
        seed_programme(&mut tx, &ctx, no, p, &mut rng, &mut training_counts).await?;
    }

    // A season of open events in every lab; the guests are generated first, so that the
    // network-wide fair can draw people from every lab.
    let mut pools = vec![];
    for season in SEASONS {
        let lab = lab_id(season.slug)?;
        pools.push(guests(season, lab, &residents, &mut phones, &mut rng)?);
    }
    let mut event_counts = EventCounts::default();
    for (no, season) in SEASONS.iter().enumerate() {
        let lab = lab_id(season.slug)?;
        let ctx = SeasonCtx {
            lab,
            slug: season.slug,
            coordinator: coordinator_of(lab)?,
            today,
            pool: &pools[no],
            everyone: pools.iter().flatten().collect(),
        };
        seed_season(&mut tx, &ctx, season, &mut rng, &mut event_counts).await?;
    }

    // Mentors, their offers, pairs from the optimal proposal, and their sessions.
    let mentoring_counts =
        crate::demo_mentoring::seed(&mut tx, &lab_ids, &staff_hashes[0], resident_person).await?;

    // Seed funding: a decided round in Osh, an open network-wide round.
    let grant_counts =
        crate::demo_grants::seed(&mut tx, &lab_ids, &staff_hashes[0], resident_person).await?;

    // Alumnae of earlier intakes, what happened to every graduate since, and this year's targets.
    let impact_counts = crate::demo_impact::seed(&mut tx, &lab_ids, &coordinators, today).await?;

    // Crowdfunding (the 2022 Osh campaign, the network's 2027 campaign) and the makers' showcase.
    let crowd = crate::demo_crowdfunding::seed(&mut tx, &lab_ids, &coordinators, today).await?;

    // Survey instruments and answers at the residencies' waves (baseline, endline, follow-ups).
    let survey_counts =
        crate::demo_surveys::seed(&mut tx, &lab_ids, &coordinators, resident_person, today).await?;

    // How some women of Osh are reached (Telegram, SMS), what was sent, one group message.
    {
        let osh = lab_id("osh")?;
        let coordinator = coordinators
            .iter()
            .find(|(l, _)| *l == osh)
            .map(|(_, u)| *u)
            .context("demo data: the Osh coordinator")?;
        let lab_name = LABS
            .iter()
            .find(|l| l.slug == "osh")
            .map(|l| l.name_ky)
            .unwrap_or("Ош");
        let others: Vec<(domain::PersonId, String, &'static str)> = residents
            .iter()
            .filter(|r| r.lab == osh && r.person != resident_person && r.phone.is_some())
            .map(|r| (r.person, r.given.clone(), r.language))
            .collect();
        crate::demo_messages::seed(
            &mut tx,
            osh,
            lab_name,
            coordinator,
            resident_person,
            &others,
        )
        .await?;
    }
    // The space and its money: rooms and machines, a term of bookings, plans, invoices,
    // payments, and two years of costs and own income.
    let space_counts =
        crate::demo_space::seed(&mut tx, &lab_ids, &coordinators, resident_person, today).await?;
    tracing::info!(
        resources = space_counts.resources,
        bookings = space_counts.bookings,
        invoices = space_counts.invoices,
        payments = space_counts.payments,
        "demo space"
    );

    // A few support cases in Osh, their notes sealed with the case key (none without a key).
    let support_cases = match case_keys {
        Some(keys) => {
            let osh = lab_id("osh")?;
            let case_worker = users::by_login(&mut tx, "caseworker.osh@wcl.kg")
                .await?
                .context("demo data: the Osh case worker")?
                .id;
            let mut women: Vec<domain::PersonId> = vec![resident_person];
            women.extend(
                residents
                    .iter()
                    .filter(|r| r.lab == osh && r.person != resident_person)
                    .map(|r| r.person)
                    .take(2),
            );
            crate::demo_support::seed(&mut tx, keys, osh, case_worker, &women).await?
        }
        None => 0,
    };

    audit::record(
        &mut tx,
        audit::Entry {
            actor: None,
            action: "demo.seed",
            entity: "network",
            entity_id: None,
            lab: None,
            detail: format!(
                "labs={} organisations={} staff={} people={people_count} programmes={} sessions={} enrolments={} certificates={} events={} registrations={} check-ins={} guests={} members={} mentors={} pairs={} mentoring-sessions={} support-cases={} grant-calls={} grant-applications={} grant-awards={} grant-payments={} alumnae={} outcomes={} targets={} survey-instruments={} survey-responses={} campaigns={} pledges={} makers={} sales={}",
                LABS.len(),
                ORGS.len(),
                STAFF.len(),
                training_counts.programmes,
                training_counts.sessions,
                training_counts.enrolments,
                training_counts.certificates,
                event_counts.events,
                event_counts.registrations,
                event_counts.check_ins,
                event_counts.people,
                event_counts.members,
                mentoring_counts.mentors,
                mentoring_counts.matches,
                mentoring_counts.sessions,
                support_cases,
                grant_counts.calls,
                grant_counts.applications,
                grant_counts.awards,
                grant_counts.payments,
                impact_counts.alumnae,
                impact_counts.outcomes,
                impact_counts.targets,
                survey_counts.instruments,
                survey_counts.responses,
                crowd.campaigns,
                crowd.pledges,
                crowd.makers,
                crowd.sales,
            ),
        },
    )
    .await?;
    tx.commit().await?;
    // The package library: two versions of Osh's package (after the rest is committed: an
    // export reads the lab as it stands).
    crate::demo_package::seed(store).await?;
    Ok(DemoSummary {
        created: true,
        logins: logins(),
    })
}

struct Walk {
    person: domain::PersonId,
    lab: LabId,
    coordinator: UserId,
    /// Her own account, when she applied signed in.
    applicant: Option<UserId>,
    plan: Plan,
    assisted: bool,
    motivation: &'static str,
    note: &'static str,
    cohort: Option<CohortId>,
    /// The day she registered, and her cohort's first and last days: the steps are dated by
    /// them, so that indicators by period and month show the lab's real rhythm.
    registered: NaiveDate,
    term: Option<(NaiveDate, NaiveDate)>,
}

/// Takes one residency along its path, every step by the lab's coordinator.
async fn walk(tx: &mut store::Tx, w: Walk) -> anyhow::Result<ResidencyId> {
    use ResidencyStatus::*;
    let by = Some(w.coordinator);
    let id = if w.assisted {
        // Registered by the coordinator at the lab: her place is agreed on the spot.
        residency::open(tx, w.person, w.lab, Accepted, w.motivation, "assisted", by).await?
    } else {
        let id = residency::open(
            tx,
            w.person,
            w.lab,
            Applied,
            w.motivation,
            "self",
            w.applicant,
        )
        .await?;
        match w.plan {
            Plan::Applied => return Ok(id),
            Plan::Declined => {
                step(tx, id, Applied, Declined, by, w.note).await?;
                return Ok(id);
            }
            _ => step(tx, id, Applied, Accepted, by, "").await?,
        }
        id
    };
    if let Some(cohort) = w.cohort {
        residency::set_cohort(tx, id, Some(cohort)).await?;
    }
    match w.plan {
        Plan::Applied | Plan::Declined | Plan::Accepted => {}
        Plan::Active => step(tx, id, Accepted, Active, by, "").await?,
        Plan::Graduated2025 | Plan::Graduated2026 => {
            step(tx, id, Accepted, Active, by, "").await?;
            step(tx, id, Active, Graduated, by, w.note).await?;
        }
        Plan::Withdrawn => {
            step(tx, id, Accepted, Active, by, "").await?;
            step(tx, id, Active, Withdrawn, by, w.note).await?;
        }
    }
    residency::date_history(tx, id, &history(w.plan, w.assisted, w.registered, w.term)?).await?;
    Ok(id)
}

/// When each step of a plan happened: applied the day she registered, accepted ten days later
/// (a week before her term at the latest), started on the first day of her term, graduated on
/// its last, withdrew six weeks in.
fn history(
    plan: Plan,
    assisted: bool,
    registered: NaiveDate,
    term: Option<(NaiveDate, NaiveDate)>,
) -> anyhow::Result<Vec<(ResidencyStatus, DateTime<Utc>)>> {
    use ResidencyStatus::*;
    let mut out = vec![];
    let accepted_on = match term {
        Some((start, _)) => (registered + Duration::days(10))
            .min(start - Duration::days(7))
            .max(registered),
        None => registered + Duration::days(10),
    };
    if assisted {
        out.push((Accepted, at(registered, (11, 0))?));
    } else {
        out.push((Applied, at(registered, (20, 15))?));
        match plan {
            Plan::Applied => return Ok(out),
            Plan::Declined => {
                out.push((Declined, at(registered + Duration::days(12), (10, 30))?));
                return Ok(out);
            }
            _ => out.push((Accepted, at(accepted_on, (10, 30))?)),
        }
    }
    if let Some((start, end)) = term {
        match plan {
            Plan::Active => out.push((Active, at(start, (9, 0))?)),
            Plan::Graduated2025 | Plan::Graduated2026 => {
                out.push((Active, at(start, (9, 0))?));
                out.push((Graduated, at(end, (16, 0))?));
            }
            Plan::Withdrawn => {
                out.push((Active, at(start, (9, 0))?));
                out.push((Withdrawn, at(start + Duration::days(42), (12, 0))?));
            }
            _ => {}
        }
    }
    Ok(out)
}

async fn step(
    tx: &mut store::Tx,
    id: ResidencyId,
    from: ResidencyStatus,
    to: ResidencyStatus,
    by: Option<UserId>,
    note: &str,
) -> anyhow::Result<()> {
    if !residency::transition(tx, id, from, to, by, note).await? {
        bail!("demo data: residency {id} was not {from}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

/// A resident as the training and event parts need her.
struct Resident {
    lab: LabId,
    person: PersonId,
    given: String,
    family: String,
    phone: Option<String>,
    language: &'static str,
}

impl Resident {
    fn name(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

/// The cohort every programme of the demo trains.
const TRAINING_COHORT: &str = "2026 күз";

/// A module: library topic, her own title (empty for a library module), number of sessions,
/// room, trainer.
type ModuleSeed = (Topic, &'static str, i64, &'static str, &'static str);

struct ProgrammeSeed {
    lab: &'static str,
    title: &'static str,
    description: &'static str,
    /// Sessions are weekly, this many days (1 to 6) after a whole number of weeks from today, so
    /// none falls on today.
    shift: i64,
    /// Local start time and length in minutes.
    start: (u32, u32),
    minutes: i64,
    /// How many sessions are still to come; `-1`: the last one was more than a week ago.
    ahead: i64,
    /// In order; the last one is the final module.
    modules: &'static [ModuleSeed],
}

const PROGRAMMES: &[ProgrammeSeed] = &[
    ProgrammeSeed {
        lab: "osh",
        title: "Санариптик көндүмдөр: чыгармачыл бизнес үчүн",
        description: "Смартфон жана компьютер менен иштөө, соцтармактарда сатуу, онлайн-төлөмдөр жана кирешени эсептөө. Акыркы сабакта ар бир катышуучу өзүнүн онлайн-дүкөнүн көрсөтөт.",
        shift: 3,
        start: (14, 0),
        minutes: 180,
        ahead: -1,
        modules: &[
            (
                Topic::DigitalSkills,
                "",
                2,
                "Компьютер классы",
                "Анара Сапарова",
            ),
            (Topic::SocialMedia, "", 2, "Компьютер классы", "Елена Ли"),
            (
                Topic::FinancialLiteracy,
                "",
                1,
                "Чоң зал",
                "Гүлзада Асылбекова",
            ),
            (
                Topic::PersonalGrowth,
                "",
                1,
                "Чоң зал",
                "Бегимай Жумабекова",
            ),
            (
                Topic::Custom,
                "Бүтүрүү долбоору: онлайн-дүкөндү көрсөтүү",
                2,
                "Чоң зал",
                "Анара Сапарова",
            ),
        ],
    },
    ProgrammeSeed {
        lab: "osh",
        title: "Тигүү жана дизайн: 1-мөөнөт",
        description: "Лекало, бичүү жана тигүү, улуттук оюм-чийме менен заманбап дизайн, баа коюу жана ишкер аялдын укуктары. Мөөнөт коллекцияны көрсөтүү менен бүтөт.",
        shift: 1,
        start: (10, 0),
        minutes: 180,
        ahead: 3,
        modules: &[
            (Topic::Sewing, "", 5, "Тигүү цехи", "Мээрим Сатарова"),
            (Topic::Design, "", 2, "Тигүү цехи", "Дильфуза Усмонова"),
            (Topic::LegalRights, "", 1, "Чоң зал", "Бегимай Жумабекова"),
            (
                Topic::FinancialLiteracy,
                "",
                1,
                "Чоң зал",
                "Гүлзада Асылбекова",
            ),
            (Topic::SocialMedia, "", 1, "Компьютер классы", "Елена Ли"),
            (
                Topic::Custom,
                "Коллекцияны көрсөтүү жана коргоо",
                2,
                "Чоң зал",
                "Мээрим Сатарова",
            ),
        ],
    },
    ProgrammeSeed {
        lab: "batken",
        title: "Швейное дело и дизайн",
        description: "Крой и пошив, работа с национальным орнаментом, расчёт себестоимости и права предпринимательницы. В конце курса каждая показывает свою коллекцию.",
        shift: 2,
        start: (10, 0),
        minutes: 180,
        ahead: 2,
        modules: &[
            (Topic::Sewing, "", 4, "Швейный цех", "Людмила Ткаченко"),
            (Topic::Design, "", 2, "Швейный цех", "Нодира Рахматова"),
            (
                Topic::FinancialLiteracy,
                "",
                1,
                "Большой зал",
                "Жылдыз Мамытова",
            ),
            (
                Topic::LegalRights,
                "",
                1,
                "Большой зал",
                "Айсулуу Токтосунова",
            ),
            (
                Topic::Custom,
                "Показ коллекции",
                2,
                "Большой зал",
                "Людмила Ткаченко",
            ),
        ],
    },
    ProgrammeSeed {
        lab: "batken",
        title: "Санариптик сабаттуулук жана соцтармактар",
        description: "Телефон менен иштөө, WhatsApp жана Инстаграм аркылуу сатуу, интернеттеги коопсуздук жана акча эсеби. Курс бүтүрүү долбоорун коргоо менен аяктайт.",
        shift: 4,
        start: (14, 0),
        minutes: 150,
        ahead: -1,
        modules: &[
            (
                Topic::DigitalSkills,
                "",
                2,
                "Компьютер классы",
                "Нурлан Сыдыков",
            ),
            (
                Topic::SocialMedia,
                "",
                2,
                "Компьютер классы",
                "Айпери Жолдошева",
            ),
            (Topic::LegalRights, "", 1, "Чоң зал", "Айсулуу Токтосунова"),
            (
                Topic::FinancialLiteracy,
                "",
                1,
                "Чоң зал",
                "Жылдыз Мамытова",
            ),
            (Topic::PersonalGrowth, "", 1, "Чоң зал", "Гүлнара Осмонова"),
            (
                Topic::Custom,
                "Бүтүрүү долбоорун коргоо",
                1,
                "Чоң зал",
                "Нурлан Сыдыков",
            ),
        ],
    },
    ProgrammeSeed {
        lab: "jalal-abad",
        title: "Digital skills for creative business",
        description: "Санариптик көндүмдөр, соцтармактар жана товарды сүрөткө тартуу; финансылык сабаттуулук. Программа бизнес-идеяларды коргоо күнү менен бүтөт.",
        shift: 5,
        start: (15, 0),
        minutes: 150,
        ahead: 3,
        modules: &[
            (
                Topic::DigitalSkills,
                "",
                2,
                "Компьютер классы",
                "Татьяна Белова",
            ),
            (
                Topic::SocialMedia,
                "",
                2,
                "Компьютер классы",
                "Асель Бообекова",
            ),
            (
                Topic::Custom,
                "Товарды сүрөткө тартуу: практикум",
                2,
                "Чоң зал",
                "Асель Бообекова",
            ),
            (
                Topic::FinancialLiteracy,
                "",
                1,
                "Чоң зал",
                "Канышай Эркинбаева",
            ),
            (
                Topic::Custom,
                "Demo day: бизнес-идеяларды коргоо",
                2,
                "Чоң зал",
                "Татьяна Белова",
            ),
        ],
    },
];

/// How many sessions each resident misses, taken in turn, five apart (the demo resident misses
/// none).
/// With eight sessions one miss still completes (80%), two do not.
const MISSES: &[usize] = &[1, 0, 2, 0, 1, 3, 0, 1, 2, 0, 4, 1];

#[derive(Default)]
struct TrainingCounts {
    programmes: usize,
    sessions: usize,
    enrolments: usize,
    certificates: usize,
}

struct TrainingCtx<'a> {
    lab: LabId,
    coordinator: UserId,
    /// The demo resident: never misses a session.
    resident: PersonId,
    residents: &'a [Resident],
    today: NaiveDate,
}

/// `hh:mm` on `day` in Bishkek, as UTC.
fn at(day: NaiveDate, (h, m): (u32, u32)) -> anyhow::Result<DateTime<Utc>> {
    let local = day
        .and_hms_opt(h, m, 0)
        .with_context(|| format!("time {h}:{m}"))?;
    Ok(domain::time::bishkek()
        .from_local_datetime(&local)
        .single()
        .context("local time")?
        .with_timezone(&Utc))
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// One programme: modules, weekly sessions, the cohort enrolled, attendance at the sessions
/// held, and certificates when the programme is over.
async fn seed_programme(
    tx: &mut store::Tx,
    ctx: &TrainingCtx<'_>,
    no: usize,
    p: &ProgrammeSeed,
    rng: &mut Lcg,
    counts: &mut TrainingCounts,
) -> anyhow::Result<()> {
    use ResidencyStatus::{Accepted, Active};
    let by = Some(ctx.coordinator);
    let cohort = residency::cohorts(tx, ctx.lab)
        .await?
        .into_iter()
        .find(|c| c.name == TRAINING_COHORT)
        .context("demo data: no training cohort")?;
    let id = training::insert_programme(
        tx,
        &training::NewProgramme {
            lab: ctx.lab,
            cohort: Some(cohort.id),
            title: p.title,
            description: p.description,
            rule: CompletionRule::default(),
        },
        by,
    )
    .await?;
    counts.programmes += 1;

    let total: i64 = p.modules.iter().map(|m| m.2).sum();
    let held = total - p.ahead;
    let mut i = 0;
    for (k, (topic, title, sessions, room, trainer)) in p.modules.iter().enumerate() {
        let is_final = k + 1 == p.modules.len();
        let module = training::add_module(tx, id, *topic, title, is_final).await?;
        for _ in 0..*sessions {
            let day = ctx.today + Duration::days(7 * (i - held) + p.shift);
            let starts_at = at(day, p.start)?;
            training::insert_session(
                tx,
                &training::NewSession {
                    programme: id,
                    module,
                    lab: ctx.lab,
                    starts_at,
                    ends_at: starts_at + Duration::minutes(p.minutes),
                    room,
                    trainer,
                },
            )
            .await?;
            counts.sessions += 1;
            i += 1;
        }
    }

    // The accepted and active residents of the cohort, in a fixed order.
    let mut enrolees: Vec<(String, PersonId)> = residency::of_lab(tx, ctx.lab, None)
        .await?
        .into_iter()
        .filter(|r| {
            r.residency.cohort_id == Some(cohort.id)
                && matches!(r.residency.status, Accepted | Active)
        })
        .map(|r| (r.person_name, r.residency.person_id))
        .collect();
    enrolees.sort();
    for (_, person) in &enrolees {
        training::enrol(tx, id, *person, by).await?;
        counts.enrolments += 1;
    }

    // Attendance at the sessions already held; the certificates check queued for the end of
    // each session still ahead (as the web layer queues it), so a programme under way issues its
    // certificates when its last session is over.
    let now = Utc::now();
    let (past, ahead): (Vec<training::Session>, Vec<training::Session>) =
        training::sessions_of(tx, id)
            .await?
            .into_iter()
            .partition(|s| s.ends_at < now);
    for s in &ahead {
        training::queue_certificates(tx, s).await?;
    }
    let finished = p.ahead < 0;
    for (j, (_, person)) in enrolees.iter().enumerate() {
        if past.is_empty() {
            break;
        }
        let mut missed: Vec<usize> = vec![];
        if *person == ctx.resident {
            // She comes to everything.
        } else if finished && j == 2 {
            // Missed only the very last session, which decides when the final module has one.
            missed.push(past.len() - 1);
        } else {
            let misses = MISSES[(j * 5 + no) % MISSES.len()].min(past.len());
            while missed.len() < misses {
                let k = rng.below(past.len());
                if !missed.contains(&k) {
                    missed.push(k);
                }
            }
        }
        for (k, session) in past.iter().enumerate() {
            let status = if !missed.contains(&k) {
                Attendance::Present
            } else if rng.below(3) == 0 {
                Attendance::Excused
            } else {
                Attendance::Absent
            };
            training::mark(tx, session, *person, status, by).await?;
        }
    }

    // A finished programme: certificates for those who completed it, hashed as the web layer
    // hashes them (the phone in E.164, or her record when no phone is known).
    if finished {
        let programme = training::programme(tx, id)
            .await?
            .context("demo data: programme just written")?;
        for e in training::progress(tx, &programme).await? {
            if !e.completed {
                continue;
            }
            let phone = ctx
                .residents
                .iter()
                .find(|r| r.person == e.person_id)
                .and_then(|r| r.phone.clone());
            use documents::badges::hashed_identity;
            // A phone number is too easy to guess from its hash; the badge names her record.
            let _ = phone;
            let (kind, identity) = ("url", format!("urn:uuid:{}", e.person_id));
            let salt =
                sha256_hex(&format!("wcl-demo-salt:{}:{}", p.title, e.name))[..16].to_string();
            let hash = hashed_identity(&identity, &salt);
            if training::issue(tx, id, e.person_id, kind, &hash, &salt)
                .await?
                .is_some()
            {
                counts.certificates += 1;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// One lab's season of open events and the people who come to them.
struct Season {
    slug: &'static str,
    /// Guests besides the residents named below.
    guests: usize,
    /// Percent of guests with Kyrgyz and with Uzbek names; the rest have Russian names.
    mix: (usize, usize),
    /// Residents who come to events too: name, how often she comes (weight), and whether she
    /// comes to everything (she becomes the lab's first ambassador).
    residents: &'static [(&'static str, usize, bool)],
    /// One event a line, fields separated by `|`:
    ///   days from today | start hh:mm | minutes | kind | lab/network | language | capacity |
    ///   registrations in percent of the capacity (over 100: a waiting list) |
    ///   r when the demo resident registers, else - | title | place | description
    events: &'static str,
}

const SEASONS: &[Season] = &[
    Season {
        slug: "osh",
        guests: 56,
        mix: (55, 30),
        residents: &[
            ("Зулфия Рахимова", 3, true),
            ("Айжан Токтогулова", 2, false),
            ("Елена Ким", 2, false),
            ("Жылдыз Кадырова", 1, false),
            ("Жаңыл Эшимова", 1, false),
        ],
        events: OSH_EVENTS,
    },
    Season {
        slug: "batken",
        guests: 44,
        mix: (65, 20),
        residents: &[
            ("Кундуз Токторова", 3, true),
            ("Саодат Назарова", 2, false),
            ("Наталья Кузнецова", 1, false),
            ("Бермет Шамшиева", 2, false),
        ],
        events: BATKEN_EVENTS,
    },
    Season {
        slug: "jalal-abad",
        guests: 38,
        mix: (60, 25),
        residents: &[
            ("Алтынай Карыбекова", 3, true),
            ("Ирина Шевченко", 2, false),
            ("Калыйча Рысбаева", 1, false),
            ("Татьяна Иванова", 1, false),
        ],
        events: JALAL_ABAD_EVENTS,
    },
];

const OSH_EVENTS: &str = r"
-118|14:00|180|master-class|lab|ky|18|90|-|Кийиз басуу боюнча мастер-класс|Акылжан, тигүү цехи|Жүндү даярдоодон баштап кичинекей шырдакка чейин: кийиз басуунун салттуу ыкмалары. Материалдар лабораториядан.
-104|15:00|150|seminar|lab|ky|30|70|-|Семинар: аялдардын укуктары|Акылжан, чоң зал|Үй-бүлөлүк мыйзам, мүлк жана мураска укук, зомбулуктан коргоо. Юрист суроолорго жооп берет.
-90|18:00|150|thematic-evening|lab|ru|22|85|-|Тематический вечер: женщины в IT|Акылжан, чоң зал|Программистки и дизайнеры из Оша рассказывают, как начинали, и отвечают на вопросы. Чай и общение.
-76|14:00|150|master-class|lab|ru|15|100|-|Мастер-класс: фотосъёмка товаров на телефон|Акылжан, компьютерный класс|Свет, фон и композиция: снимаем свои изделия для Instagram и WhatsApp. Приходите с телефоном и одной вещью.
-62|10:00|420|fair|lab|ky|40|75|-|Күзгү ярмарка: колдон жасалган буюмдар|Ош, Навои атындагы парк|Лабораториянын катышуучулары жана бүтүрүүчүлөрү өз буюмдарын сатат: кийиз, саймалар, кийим, таттуулар.
-48|15:00|150|seminar|lab|ru|25|80|r|Семинар: как получить микрокредит|Акылжан, большой зал|Какие микрокредиты есть для женщин-предпринимательниц, как подготовить документы и не попасть в долговую яму.
-34|14:00|180|master-class|lab|ky|18|95|-|Сюзане сайуу: мастер-класс|Акылжан, тигүү цехи|Өзбек жана кыргыз саймаларынын негизги тигиштери. Ийне, жип жана кездеме берилет.
-20|18:00|150|thematic-evening|lab|ky|30|80|-|Тематикалык кеч: ийгиликтүү ишкер аялдар|Ош шаардык китепканасы|Оштун ишкер аялдары өз тажрыйбасы менен бөлүшөт: биринчи буйрутма, биринчи каталар, биринчи киреше.
-6|15:00|150|seminar|lab|ky|25|90|r|Семинар: Инстаграм аркылуу сатуу|Акылжан, компьютер классы|Баракчаны жасалгалоо, сторис, буйрутма кабыл алуу жана төлөм. Телефонуңузду ала келиңиз.
4|14:00|180|master-class|lab|ru|20|115|-|Мастер-класс: новогодние игрушки из войлока|Акылжан, швейный цех|Валяем ёлочные игрушки из шерсти: шарики, звёзды, снеговики. Все материалы лаборатории.
11|15:00|150|seminar|lab|ky|30|40|r|Семинар: салыктар жана патент|Акылжан, чоң зал|Жеке ишкер катары катталуу, патент жана салыктар: кантип тандоо жана эмнени эсептөө керек.
25|10:00|480|fair|network|ky|40|50|-|Жылдык ярмарка: Түштүктүн чыгармачыл аялдары|Ош, Навои атындагы борбордук парк|Ош, Баткен жана Жалал-Абад лабораторияларынын катышуучулары бир жерде: кол өнөрчүлүк, кийим, тамак-аш, мастер-класстар жана концерт.
32|18:00|150|thematic-evening|lab|ru|30|25|-|Тематический вечер: итоги года|Акылжан, большой зал|Вспоминаем год лаборатории, поздравляем выпускниц и планируем весну. Приходите с подругами.
";

const BATKEN_EVENTS: &str = r"
-115|14:00|180|master-class|lab|ky|15|90|-|Чий ороо боюнча мастер-класс|Баткен лабораториясы, чоң зал|Чийди даярдоо, жүн менен ороо жана оюм-чиймени тандоо. Тажрыйбалуу чеберден сабак.
-101|15:00|150|seminar|lab|ky|25|75|-|Семинар: үй-бүлөлүк зомбулуктан коргоо|Баткен лабораториясы, чоң зал|Мыйзам эмне дейт, кайда кайрылуу керек, коргоо ордери кантип алынат. Укуктук жардам борборунун юристи менен.
-87|10:00|180|master-class|lab|ru|20|85|-|Мастер-класс: сушка абрикоса и упаковка|Баткенская лаборатория, большой зал|Как сушить абрикос без серы, сортировать и упаковывать так, чтобы его брали магазины в Бишкеке.
-73|18:00|150|thematic-evening|lab|ky|30|70|-|Тематикалык кеч: Баткендин кол өнөрчүлөрү|Баткен шаардык маданият үйү|Баткендин чеберлери өз буюмдарын көрсөтүп, кесибине кантип келгенин айтып берет.
-59|15:00|150|seminar|lab|ru|25|80|-|Семинар: права женщин на землю и наследство|Баткенская лаборатория, большой зал|Как оформить землю и дом на себя, что говорит закон о наследстве, куда обращаться за помощью.
-45|10:00|420|fair|lab|ky|40|75|-|Өрүк майрамы: жергиликтүү азыктар ярмаркасы|Баткен, борбордук аянт|Кургатылган өрүк, джем, нан азыктары жана кол өнөрчүлүк буюмдары. Лабораториянын катышуучулары сатат.
-31|14:00|180|master-class|lab|ru|15|100|-|Мастер-класс: шитьё курпачи|Баткенская лаборатория, швейный цех|Раскрой, набивка и отделка курпачи. Ткань и вата лаборатории, готовое изделие забираете домой.
-17|15:00|150|seminar|lab|ky|20|80|-|Семинар: санариптик коопсуздук|Баткен лабораториясы, компьютер классы|Алдамчылардан кантип сактануу керек, сырсөз, WhatsApp жана онлайн-банкингдеги коопсуздук.
-8|18:00|150|thematic-evening|lab|ru|25|80|-|Тематический вечер: женщины в IT|Баткенская лаборатория, большой зал|Выпускницы курсов программирования рассказывают, как работают удалённо из Баткена.
6|14:00|180|master-class|lab|ky|20|90|-|Мастер-класс: улуттук оюм-чийме менен кийим|Баткен лабораториясы, тигүү цехи|Кийимге улуттук оюм-чиймени кантип колдонуу керек: эскизден тигүүгө чейин.
13|15:00|150|seminar|lab|ru|25|40|-|Семинар: как открыть ИП|Баткенская лаборатория, большой зал|Регистрация индивидуального предпринимателя, патент, налоги и отчёты: шаг за шагом.
27|18:00|150|thematic-evening|lab|ky|30|30|-|Жаңы жылдык кеч: жылдын жыйынтыгы|Баткен лабораториясы, чоң зал|Жылдын жыйынтыгын чыгарып, бүтүрүүчүлөрдү куттуктайбыз. Чай, таттуулар жана музыка.
";

const JALAL_ABAD_EVENTS: &str = r"
-112|14:00|180|master-class|lab|ky|15|90|-|Жүндөн байпак согуу: мастер-класс|Жалал-Абад лабораториясы, чоң зал|Жүн жипти тандоо, илмек салуу жана байпактын өкчөсүн согуу. Ийне жана жип берилет.
-98|15:00|150|seminar|lab|ru|25|75|-|Семинар: финансовая грамотность для начинающих|Джалал-Абадская лаборатория, большой зал|Семейный бюджет, сбережения и первые расчёты для своего дела. С практическими заданиями.
-84|18:00|150|thematic-evening|lab|ky|25|80|-|Тематикалык кеч: Арстанбаптын аялдары|Жалал-Абад лабораториясы, чоң зал|Арстанбаптагы гиддер жана конок үйлөрүнүн ээлери туризмдеги тажрыйбасы менен бөлүшөт.
-70|14:00|150|master-class|lab|ru|15|95|-|Мастер-класс: фото для Instagram|Джалал-Абадская лаборатория, компьютерный класс|Снимаем товары на телефон при дневном свете и обрабатываем фото в бесплатных приложениях.
-52|10:00|420|fair|lab|ky|35|80|-|Жаңгак ярмаркасы|Жалал-Абад, борбордук базардын алдындагы аянт|Жаңгак, бал, кургатылган жемиштер жана кол өнөрчүлүк: Жалал-Абад облусунун аял ишкерлери.
-38|15:00|150|seminar|lab|ky|25|80|-|Семинар: аялдардын укуктары|Жалал-Абад лабораториясы, чоң зал|Эмгек укугу, никеге жана ажырашууга байланыштуу укуктар, алименттер. Юрист менен суроо-жооп.
-24|10:00|180|master-class|lab|ru|15|100|-|Мастер-класс: домашний хлеб и лепёшки|Джалал-Абадская лаборатория, кухня|Тесто, тандыр и духовка: лепёшки и хлеб на продажу, расчёт себестоимости одной лепёшки.
-10|18:00|150|thematic-evening|lab|ru|20|85|-|Тематический вечер: женщины в IT|Джалал-Абадская лаборатория, большой зал|Разговор с веб-разработчицей и SMM-специалисткой из Джалал-Абада о работе в IT без переезда.
5|15:00|150|seminar|lab|ky|25|50|-|Семинар: Арстанбапта үй-мейманкана ачуу|Жалал-Абад лабораториясы, чоң зал|Конокторду кабыл алуу, каттоо, баа коюу жана онлайн-брондоо. Туризм боюнча өнөктөш уюм менен.
12|14:00|180|master-class|lab|ky|15|60|-|Кийиз оюнчуктар: жаңы жылдык мастер-класс|Жалал-Абад лабораториясы, чоң зал|Жаңы жылдык балатыга кийизден оюнчук жасайбыз. Материалдар лабораториядан.
26|18:00|150|thematic-evening|lab|ru|25|30|-|Тематический вечер: встреча выпускниц|Джалал-Абадская лаборатория, большой зал|Выпускницы лаборатории рассказывают, что получилось за год, и знакомятся с новой группой.
";

struct EventSeed {
    day: i64,
    start: (u32, u32),
    minutes: i64,
    kind: EventKind,
    scope: EventScope,
    language: &'static str,
    capacity: i64,
    fill: i64,
    resident: bool,
    title: &'static str,
    place: &'static str,
    description: &'static str,
}

fn parse_events(season: &Season) -> anyhow::Result<Vec<EventSeed>> {
    let mut out = vec![];
    for line in season
        .events
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let event = parse_event(line)
            .with_context(|| format!("demo data, events of {}: {line}", season.slug))?;
        out.push(event);
    }
    if !out.windows(2).all(|w| w[0].day < w[1].day) {
        bail!("demo data, events of {}: not in date order", season.slug);
    }
    Ok(out)
}

fn parse_event(line: &'static str) -> anyhow::Result<EventSeed> {
    let f: Vec<&'static str> = line.split('|').map(str::trim).collect();
    let [
        day,
        start,
        minutes,
        kind,
        scope,
        language,
        capacity,
        fill,
        resident,
        title,
        place,
        description,
    ] = f[..]
    else {
        bail!("expected 12 fields, found {}", f.len());
    };
    let day: i64 = day.parse().context("day")?;
    if day == 0 {
        bail!("an event today is neither past nor upcoming");
    }
    let (h, m) = start.split_once(':').context("start hh:mm")?;
    let capacity: i64 = capacity.parse().context("capacity")?;
    if !(15..=40).contains(&capacity) {
        bail!("capacity {capacity}");
    }
    if Language::parse(language).is_none() {
        bail!("language {language}");
    }
    Ok(EventSeed {
        day,
        start: (h.parse().context("hour")?, m.parse().context("minute")?),
        minutes: minutes.parse().context("minutes")?,
        kind: EventKind::parse(kind).with_context(|| format!("kind {kind}"))?,
        scope: EventScope::parse(scope).with_context(|| format!("scope {scope}"))?,
        language,
        capacity,
        fill: fill.parse().context("fill")?,
        resident: match resident {
            "r" => true,
            "-" => false,
            other => bail!("resident {other}"),
        },
        title,
        place,
        description,
    })
}

// Names for the guests, by the language of the name. Family names in their feminine form; the
// masculine one drops the final `а`.
const KY_WOMEN: &str = "Айгерим Айпери Асель Айнура Айдай Бегимай Бурулай Бактыгүл Гүлайым Гүлзат Гүлмира Динара Жазгүл Жылдыз Жибек Замира Каныкей Мээрим Назира Нуриза Нургиза Перизат Салкын Саадат Толгонай Турсунай Чынара Чолпон Элнура Эльмира Асылзат Алтынбүбү Сезим Кундуз Айсалкын Айзада Бермет Асема";
const KY_MEN: &str = "Азамат Бакыт Нурлан Эрлан Тилек Данияр Улан Бекжан";
const KY_FAMILY: &str = "Абдыкадырова Асанова Бообекова Джумабаева Жолдошева Жээнбекова Исакова Касымова Кадыралиева Мамытова Мураталиева Осмоналиева Сагынбаева Сапарова Султанова Токтосунова Турдалиева Үсөнова Эсенова Эркинбаева Ырысбаева Абдраимова Калыкова Шаршеева Бекболотова Акматова Нурбекова Орозбекова";
const UZ_WOMEN: &str = "Дилноза Гулнора Мохира Нилуфар Феруза Шахноза Зарина Мукаддас Мафтуна Севара Умида Дилфуза Наргиза Гулчехра";
const UZ_MEN: &str = "Рустам Шерзод Бахтиёр Улугбек";
const UZ_FAMILY: &str = "Юсупова Каримова Рахимова Турсунова Исмаилова Мирзаева Абдуллаева Хакимова Назарова Эргашева Султанова Холматова Маматкулова Усмонова";
const RU_WOMEN: &str =
    "Елена Ольга Наталья Ирина Татьяна Светлана Анна Марина Людмила Юлия Виктория Оксана";
const RU_MEN: &str = "Алексей Дмитрий Сергей Андрей";
const RU_FAMILY: &str =
    "Иванова Петрова Кузнецова Ким Пак Шевченко Ли Соколова Морозова Ткаченко Цой Волкова";

/// Someone who comes to a lab's events.
struct Guest {
    given: String,
    family: String,
    phone: String,
    gender: &'static str,
    language: &'static str,
    /// How likely she is to register for an event, relative to the others.
    weight: usize,
    /// The first held event (counted from the season's first) she may come to: the network
    /// grows over the season.
    from: usize,
    /// Registers for and comes to everything (the lab's future ambassadors).
    always: bool,
    /// A resident of the lab, with her record.
    person: Option<PersonId>,
}

impl Guest {
    fn name(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

fn pick(list: &'static str, rng: &mut Lcg) -> &'static str {
    let words: Vec<&'static str> = list.split_whitespace().collect();
    words[rng.below(words.len())]
}

/// A lab's guests: the residents who come to events, then generated people.
fn guests(
    season: &Season,
    lab: LabId,
    residents: &[Resident],
    phones: &mut Phones,
    rng: &mut Lcg,
) -> anyhow::Result<Vec<Guest>> {
    let held = parse_events(season)?.iter().filter(|e| e.day < 0).count();
    let mut out = vec![];
    let mut names = HashSet::new();
    for (name, weight, always) in season.residents {
        let r = residents
            .iter()
            .find(|r| r.lab == lab && r.name() == *name)
            .with_context(|| format!("demo data: no resident {name} in {}", season.slug))?;
        let phone = r
            .phone
            .clone()
            .with_context(|| format!("demo data: resident {name} has no phone"))?;
        names.insert(r.name());
        out.push(Guest {
            given: r.given.clone(),
            family: r.family.clone(),
            phone,
            gender: domain::Gender::Woman.code(),
            language: r.language,
            weight: *weight,
            from: 0,
            always: *always,
            person: Some(r.person),
        });
    }
    const WEIGHTS: &[usize] = &[3, 1, 2, 1, 1, 2, 1, 4, 1, 2, 1, 1];
    let n = season.guests;
    let early = n / 2;
    while out.len() < season.residents.len() + n {
        let j = out.len() - season.residents.len();
        let group = rng.below(100);
        let (women, men, families, ky_percent) = if group < season.mix.0 {
            (KY_WOMEN, KY_MEN, KY_FAMILY, 85)
        } else if group < season.mix.0 + season.mix.1 {
            (UZ_WOMEN, UZ_MEN, UZ_FAMILY, 25)
        } else {
            (RU_WOMEN, RU_MEN, RU_FAMILY, 0)
        };
        let man = j % 9 == 5;
        let given = pick(if man { men } else { women }, rng);
        let family = pick(families, rng);
        let family = match family.strip_suffix('а') {
            Some(masculine) if man => masculine,
            _ => family,
        };
        if !names.insert(format!("{given} {family}")) {
            continue;
        }
        let language = if rng.below(100) < ky_percent {
            "ky"
        } else {
            "ru"
        };
        out.push(Guest {
            given: given.to_string(),
            family: family.to_string(),
            phone: phones.next()?,
            gender: if man {
                domain::Gender::Man.code()
            } else {
                domain::Gender::Woman.code()
            },
            language,
            weight: WEIGHTS[j % WEIGHTS.len()],
            from: if j < early {
                0
            } else {
                (j - early) * held / (n - early)
            },
            always: j == 0,
            person: None,
        });
    }
    Ok(out)
}

#[derive(Default)]
struct EventCounts {
    events: usize,
    registrations: usize,
    check_ins: usize,
    /// People created at check-in (guests who were not residents).
    people: usize,
    members: usize,
}

struct SeasonCtx<'a> {
    lab: LabId,
    slug: &'static str,
    coordinator: UserId,
    today: NaiveDate,
    /// This lab's guests.
    pool: &'a [Guest],
    /// Every lab's guests, for network-wide events.
    everyone: Vec<&'a Guest>,
}

/// Draws from the weighted bag until `chosen` holds `n` different people (or the bag runs dry).
fn draw<'g>(chosen: &mut Vec<&'g Guest>, bag: &[&'g Guest], n: usize, rng: &mut Lcg) {
    let mut tries = 0;
    while chosen.len() < n && tries < 40 * n && !bag.is_empty() {
        tries += 1;
        let g = bag[rng.below(bag.len())];
        if !chosen.iter().any(|c| c.phone == g.phone) {
            chosen.push(g);
        }
    }
}

/// The private ticket token of a demo registration (the web layer stores only its hash).
fn ticket_token(slug: &str, event_no: usize, phone: &str) -> String {
    sha256_hex(&format!("wcl-demo-ticket:{slug}:{event_no}:{phone}"))[..48].to_string()
}

/// A lab's events in date order: registrations (seats, then the waiting list), a few
/// cancellations, walk-ins and check-ins at the events held, members, ambassadors and referrals.
async fn seed_season(
    tx: &mut store::Tx,
    ctx: &SeasonCtx<'_>,
    season: &Season,
    rng: &mut Lcg,
    counts: &mut EventCounts,
) -> anyhow::Result<()> {
    let by = Some(ctx.coordinator);
    // Phone → her record in this lab; person → her membership.
    let mut persons: HashMap<String, PersonId> = ctx
        .pool
        .iter()
        .filter_map(|g| g.person.map(|p| (g.phone.clone(), p)))
        .collect();
    let mut members: HashMap<PersonId, MemberId> = HashMap::new();
    let mut ambassadors: Vec<MemberId> = vec![];
    let mut held = 0usize;
    for (no, ev) in parse_events(season)?.iter().enumerate() {
        let day = ctx.today + Duration::days(ev.day);
        let starts_at = at(day, ev.start)?;
        let past = ev.day < 0;
        let network = ev.scope == EventScope::Network;
        let event = events::insert(
            tx,
            ctx.lab,
            &events::EventFields {
                scope: ev.scope,
                kind: ev.kind,
                title: ev.title.into(),
                description: ev.description.into(),
                starts_at,
                ends_at: starts_at + Duration::minutes(ev.minutes),
                place: ev.place.into(),
                language: ev.language.into(),
                capacity: ev.capacity,
                published: true,
            },
            by,
        )
        .await?;
        counts.events += 1;

        // Who registers: the regulars, the demo resident where the table says so, then a
        // weighted draw from those who know the lab by then.
        let candidates: Vec<&Guest> = if network {
            ctx.everyone.clone()
        } else {
            ctx.pool
                .iter()
                .filter(|g| !past || g.from <= held)
                .collect()
        };
        let pinned = |g: &Guest| g.always || (ev.resident && g.phone == RESIDENT_LOGIN);
        let mut chosen: Vec<&Guest> = candidates.iter().copied().filter(|g| pinned(g)).collect();
        let bag: Vec<&Guest> = candidates
            .iter()
            .copied()
            .filter(|g| !pinned(g))
            .flat_map(|g| std::iter::repeat_n(g, g.weight))
            .collect();
        let wanted = (ev.capacity * ev.fill / 100) as usize;
        let walk_ins = if past { rng.below(3) } else { 0 };
        draw(&mut chosen, &bag, wanted, rng);
        let registered = chosen.len();
        draw(&mut chosen, &bag, registered + walk_ins, rng);

        let check_in_percent = 70 + rng.below(16);
        let mut codes = HashSet::new();
        let mut confirmed = 0i64;
        let mut cancelled = 0;
        for (k, g) in chosen.iter().enumerate() {
            let walk_in = k >= registered;
            let status = if walk_in {
                RegistrationStatus::Confirmed
            } else {
                domain::events::place_for(ev.capacity as u32, confirmed as u32)
            };
            let person = persons.get(&g.phone).copied();
            let is_member = person.is_some_and(|p| members.contains_key(&p));
            let referred_by = if !network
                && !walk_in
                && !g.always
                && !is_member
                && !ambassadors.is_empty()
                && rng.below(100) < 60
            {
                Some(ambassadors[rng.below(ambassadors.len())])
            } else {
                None
            };
            let code = loop {
                let code = domain::events::ticket_code(rng.wide());
                if codes.insert(code.clone()) {
                    break code;
                }
            };
            let token = ticket_token(ctx.slug, no, &g.phone);
            let name = g.name();
            let id = events::insert_registration(
                tx,
                &events::NewRegistration {
                    event,
                    name: &name,
                    phone: &g.phone,
                    email: None,
                    gender: g.gender,
                    status,
                    token_hash: &sha256_hex(&token),
                    ticket_code: &code,
                    walk_in,
                    referred_by,
                    language: g.language,
                },
            )
            .await?;
            counts.registrations += 1;
            if status != RegistrationStatus::Confirmed {
                continue;
            }
            confirmed += 1;
            // A few give their seat back (never when people are waiting for one).
            let waiting = (registered as i64) > ev.capacity;
            if !walk_in && !pinned(g) && !waiting && cancelled < 2 && rng.below(100) < 5 {
                events::cancel(tx, id).await?;
                confirmed -= 1;
                cancelled += 1;
                continue;
            }
            if !past || !(walk_in || pinned(g) || rng.below(100) < check_in_percent) {
                continue;
            }
            // Checked in at the door: her record in the lab (made on her first visit) and her
            // membership of the lab's network.
            let person = match person {
                Some(p) => p,
                None => {
                    let p = people::insert(
                        tx,
                        ctx.lab,
                        &people::PersonFields {
                            family_name: g.family.clone(),
                            given_name: g.given.clone(),
                            name_latin: transliterate(&name),
                            phone: Some(g.phone.clone()),
                            gender: g.gender.into(),
                            family_support: "unknown".into(),
                            ..Default::default()
                        },
                        by,
                    )
                    .await?;
                    people::add_consent(
                        tx,
                        p,
                        domain::CONSENT_VERSION,
                        LegalBasis::Consent.code(),
                        g.language,
                        day,
                        by,
                    )
                    .await?;
                    persons.insert(g.phone.clone(), p);
                    counts.people += 1;
                    p
                }
            };
            events::check_in(tx, id, by).await?;
            events::set_person(tx, id, person).await?;
            counts.check_ins += 1;
            let (member, new) = events::ensure_member(tx, ctx.lab, person, referred_by).await?;
            members.insert(person, member);
            if new {
                counts.members += 1;
            }
            // Her first contact: this event, or a day earlier in the year for the regulars and
            // for about two women in five (the season lists only its last four months of
            // events). Spread by her phone, so the draws of the season stay the same; never the
            // day the demo was loaded.
            let mark: i64 = g
                .phone
                .bytes()
                .fold(7i64, |h, b| (h * 31 + i64::from(b)) % 1_000_003);
            let first = if g.always || mark % 5 < 2 {
                starts_at - Duration::days(120 + mark % 240)
            } else {
                starts_at
            };
            store::impact::date_first_contact(tx, person, first).await?;
        }

        if past {
            held += 1;
            // After the third event the regulars become ambassadors and start bringing people.
            if held == 3 {
                for (n, g) in ctx.pool.iter().filter(|g| g.always).enumerate() {
                    let member = persons
                        .get(&g.phone)
                        .and_then(|p| members.get(p))
                        .copied()
                        .context("demo data: a regular who never came")?;
                    let code = format!("{}-amb{}", ctx.slug, n + 1);
                    events::set_ambassador(tx, member, true, &code).await?;
                    ambassadors.push(member);
                }
            }
        }
    }
    Ok(())
}
