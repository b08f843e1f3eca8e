//! The demo network (`wcl demo`): three labs in the south of Kyrgyzstan with their partners,
//! staff accounts, sixty women and girls with consent records, cohorts and residencies at every
//! step of the path. Everything is fixed data (phone numbers come from a seeded LCG), so two runs
//! produce the same network, and it is written in one transaction with one `demo.seed` audit row.
//!
//! Seeding is idempotent: when a lab `osh` exists already nothing is written.
use anyhow::{Context, bail};
use chrono::NaiveDate;
use domain::names::transliterate;
use domain::{
    CohortId, FamilySupport, LabId, LabRole, Language, LegalBasis, Occupation, OrgKind,
    PartnerRole, PersonName, Phone, ResidencyId, ResidencyStatus, Skill, UserId,
};
use store::{audit, labs, people, residency, users};

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
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.state >> 33
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

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("date {y}-{m}-{d}"))
}

/// Seeds the demo network unless a lab `osh` exists already. `hash_password` is the web layer's
/// password hasher (every account gets `demo-password-2026`).
pub async fn seed(
    store: &store::Store,
    hash_password: &(dyn Fn(&str) -> String + Sync),
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
                applicant = Some(user);
            }

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
    if resident_user.is_none() {
        bail!("demo data: the resident account was not created");
    }

    audit::record(
        &mut tx,
        audit::Entry {
            actor: None,
            action: "demo.seed",
            entity: "network",
            entity_id: None,
            lab: None,
            detail: format!(
                "labs={} organisations={} staff={} people={people_count}",
                LABS.len(),
                ORGS.len(),
                STAFF.len()
            ),
        },
    )
    .await?;
    tx.commit().await?;
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
    Ok(id)
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
