//! `wcl demo --labs L --people P [--seed S]`: a network of a national size, for the benchmarks
//! (bench/README.md) and the scale tests. Beside the demo network it adds `L` labs named
//! `net-0001`… with `P` people between them and, in proportion, what three years of a lab leave
//! behind: six cohorts a lab, two programmes a cohort with twenty-four sessions each and their
//! attendance, certificates, events with registrations, check-ins and referrals, network members,
//! a mentor a lab with her mentees' sessions, and outcomes (work found, businesses launched,
//! income reported every three months); and the newer capabilities (one file each): a grants call
//! a year with applications, reviews, awards, tranches, payments, reports and the ventures they
//! fund (`grants`); baseline, endline and follow-up survey responses with their scores
//! (`surveys`); the lab's space with a term of bookings, plans, invoices and payments, costs and
//! income (`space`); the makers' showcase, their fairs and sales, and one or two crowdfunding
//! campaigns a year with pledges and the ledger (`crowdfunding`). At 200,000 people that is about
//! 5 million attendance rows, a million registrations and 2.5 million survey answers.
//!
//! Rows go in through [`store::bulk`] (multi-row inserts, one transaction per 200,000 rows), not
//! through the services: the records are well-formed by construction (vocabularies, one open
//! residency a woman, one active mentor, unique phones and tickets), and the point is speed.
//! The same seed on the same day gives the same network: ids, names and dates all come from it.
use anyhow::Context;
use chrono::{Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use store::bulk::{Bulk, Value};

mod crowdfunding;
mod grants;
mod space;
mod surveys;

/// How large a network to add.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub labs: usize,
    pub people: usize,
    pub seed: u64,
}

impl Size {
    /// Refuses sizes the slugs or the proportions cannot hold.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=9_999).contains(&self.labs),
            "--labs takes a number from 1 to 9999"
        );
        anyhow::ensure!(
            self.people >= self.labs && self.people <= 10_000_000,
            "--people takes a number from the number of labs to 10,000,000"
        );
        Ok(())
    }
}

/// What was written.
#[derive(Debug, Default)]
pub struct Generated {
    /// False when the network was there already (nothing written).
    pub created: bool,
    pub rows: u64,
    pub seconds: f64,
}

/// Rows kept before a transaction writes them. Larger transactions write an index page touched
/// again and again to SQLite's log once rather than once per transaction: 200,000 rows (about
/// 350 MB kept) write a fifth faster than 50,000.
const FLUSH_AT: usize = 200_000;
/// Days of history.
const YEARS_DAYS: i64 = 3 * 365;
const COHORTS: i64 = 6;
const COHORT_DAYS: i64 = 150;
const PROGRAMMES: usize = 2;
const SESSIONS: i64 = 24;
const REGISTRANTS: usize = 30;

const LAB_COLS: &[&str; 13] = &[
    "id",
    "slug",
    "name_ky",
    "name_ru",
    "name_en",
    "region",
    "locality",
    "address",
    "latitude",
    "longitude",
    "opened_on",
    "accepting_applications",
    "created_at",
];
const USER_COLS: &[&str; 8] = &[
    "id",
    "login",
    "display_name",
    "password_hash",
    "is_admin",
    "active",
    "created_at",
    "password_changed_at",
];
const ROLE_COLS: &[&str; 4] = &["user_id", "lab_id", "role", "created_at"];
const COHORT_COLS: &[&str; 6] = &["id", "lab_id", "name", "starts_on", "ends_on", "created_at"];
const PERSON_COLS: &[&str; 24] = &[
    "id",
    "lab_id",
    "family_name",
    "given_name",
    "patronymic",
    "name_latin",
    "search_key",
    "phone",
    "email",
    "birth_year",
    "gender",
    "region",
    "district",
    "locality",
    "settlement",
    "languages",
    "occupation",
    "family_support",
    "skills",
    "aims",
    "monthly_income",
    "created_by",
    "created_at",
    "updated_at",
];
const CONSENT_COLS: &[&str; 7] = &[
    "id",
    "person_id",
    "version",
    "legal_basis",
    "language",
    "given_on",
    "created_at",
];
const RESIDENCY_COLS: &[&str; 9] = &[
    "id",
    "person_id",
    "lab_id",
    "cohort_id",
    "status",
    "motivation",
    "source",
    "created_at",
    "updated_at",
];
const STEP_COLS: &[&str; 6] = &[
    "id",
    "residency_id",
    "from_status",
    "to_status",
    "at",
    "note",
];
const PROGRAMME_COLS: &[&str; 8] = &[
    "id",
    "lab_id",
    "cohort_id",
    "title",
    "description",
    "min_attendance_pct",
    "final_module_required",
    "created_at",
];
const MODULE_COLS: &[&str; 6] = &[
    "id",
    "programme_id",
    "position",
    "topic",
    "is_final",
    "created_at",
];
const SESSION_COLS: &[&str; 9] = &[
    "id",
    "programme_id",
    "module_id",
    "lab_id",
    "starts_at",
    "ends_at",
    "room",
    "trainer",
    "created_at",
];
const ENROLMENT_COLS: &[&str; 3] = &["programme_id", "person_id", "enrolled_at"];
const ATTENDANCE_COLS: &[&str; 4] = &["session_id", "person_id", "status", "recorded_at"];
const ASSERTION_COLS: &[&str; 7] = &[
    "id",
    "programme_id",
    "person_id",
    "recipient_type",
    "recipient_hash",
    "salt",
    "issued_at",
];
const MEMBER_COLS: &[&str; 6] = &[
    "id",
    "lab_id",
    "person_id",
    "ambassador",
    "referral_code",
    "joined_at",
];
const EVENT_COLS: &[&str; 15] = &[
    "id",
    "lab_id",
    "scope",
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "language",
    "capacity",
    "published",
    "cancelled",
    "created_at",
    "updated_at",
];
const REGISTRATION_COLS: &[&str; 15] = &[
    "id",
    "event_id",
    "name",
    "phone",
    "gender",
    "status",
    "token_hash",
    "ticket_code",
    "walk_in",
    "referred_by",
    "person_id",
    "language",
    "checked_in_at",
    "created_at",
    "updated_at",
];
const MATCH_COLS: &[&str; 9] = &[
    "id",
    "lab_id",
    "person_id",
    "mentor_id",
    "status",
    "score",
    "explanation",
    "created_at",
    "ended_at",
];
const MENTOR_SESSION_COLS: &[&str; 6] = &[
    "id",
    "match_id",
    "held_on",
    "minutes",
    "topic",
    "created_at",
];
const OUTCOME_COLS: &[&str; 9] = &[
    "id",
    "person_id",
    "lab_id",
    "kind",
    "occurred_on",
    "amount",
    "source",
    "note",
    "created_at",
];

const WOMEN: &[&str] = &[
    "Айгерим",
    "Айпери",
    "Асель",
    "Айнура",
    "Бегимай",
    "Бурулай",
    "Гүлзат",
    "Динара",
    "Жазгүл",
    "Жылдыз",
    "Замира",
    "Каныкей",
    "Мээрим",
    "Назира",
    "Нуриза",
    "Перизат",
    "Саадат",
    "Толгонай",
    "Чынара",
    "Чолпон",
    "Элнура",
    "Дилноза",
    "Гулнора",
    "Мохира",
    "Нилуфар",
    "Феруза",
    "Елена",
    "Ольга",
    "Наталья",
    "Ирина",
];
const MEN: &[&str] = &["Азамат", "Бакыт", "Нурлан", "Эрлан", "Рустам", "Алексей"];
const FAMILIES: &[&str] = &[
    "Абдыкадырова",
    "Асанова",
    "Бообекова",
    "Джумабаева",
    "Жолдошева",
    "Исакова",
    "Касымова",
    "Мамытова",
    "Осмоналиева",
    "Сагынбаева",
    "Султанова",
    "Токтосунова",
    "Үсөнова",
    "Эсенова",
    "Юсупова",
    "Каримова",
    "Рахимова",
    "Турсунова",
    "Иванова",
    "Ким",
];
const TOPICS: &[&str] = &[
    "financial-literacy",
    "legal-rights",
    "digital-skills",
    "social-media",
    "sewing",
    "handicraft",
];
const OCCUPATIONS: &[&str] = &[
    "student",
    "housewife",
    "entrepreneur",
    "employed",
    "unemployed",
    "other",
];
const SUPPORT: &[&str] = &["yes", "partly", "no", "unknown"];
const EVENT_KINDS: &[&str] = &["master-class", "seminar", "thematic-evening", "fair"];
const FIRST_OUTCOMES: &[&str] = &[
    "job",
    "business-launched",
    "career-restart",
    "joint-initiative",
];

/// One woman (or man) of a generated lab, as the later tables need her.
struct Someone {
    id: String,
    name: String,
    phone: String,
    gender: &'static str,
    registered: NaiveDate,
    /// The cohort she joined and how it went.
    residency: Option<(usize, &'static str)>,
    /// Her residency's id, when she has one.
    residency_id: Option<String>,
}

/// A generated lab as the later capabilities need it.
struct Here<'a> {
    lab: &'a str,
    slug: &'a str,
    /// Her mentor's account: the lab's only user, who also reviews its grant applications.
    mentor: &'a str,
    cohorts: &'a [(String, NaiveDate, NaiveDate)],
    folk: &'a [Someone],
}

struct Gen {
    rng: StdRng,
    bulk: Bulk,
    store: store::Store,
    rows: u64,
    today: NaiveDate,
    /// Phones and tickets are numbered across the network so they never repeat.
    serial: u64,
    /// Ids given so far, and the time of the first.
    ids: u64,
    epoch_ms: u64,
    /// The network's baseline/endline instrument the residents answer.
    survey: std::sync::Arc<surveys::Instrument>,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(Some(s.into()))
}

fn null_text() -> Value {
    Value::Text(None)
}

fn int(x: i64) -> Value {
    Value::Int(Some(x))
}

/// A stored timestamp: the day at the hour (UTC), as the store writes them.
fn at(day: NaiveDate, hour: u32) -> String {
    format!("{day}T{hour:02}:00:00.000000Z")
}

impl Gen {
    /// A time-ordered id (UUID v7) from the seed. Its time is the generator's count of ids, a
    /// millisecond each from the start of the history, not the row's date: rows then go in at
    /// the end of their tables' indexes rather than all over them, which keeps a load of millions
    /// of rows from rewriting pages at random.
    fn id(&mut self) -> String {
        self.ids += 1;
        let ms = self.epoch_ms + self.ids;
        let bytes: [u8; 10] = self.rng.random();
        uuid::Builder::from_unix_timestamp_millis(ms, &bytes)
            .into_uuid()
            .to_string()
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.random_range(0..list.len())]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    async fn write_if_full(&mut self) -> anyhow::Result<()> {
        if self.bulk.waiting() >= FLUSH_AT {
            self.rows += self.bulk.flush(&self.store).await?;
        }
        Ok(())
    }

    /// One lab with its people and their history.
    async fn lab(&mut self, number: usize, people: usize) -> anyhow::Result<()> {
        let region = &domain::regions::ALL[number % domain::regions::ALL.len()];
        let district = region
            .districts
            .get(number / domain::regions::ALL.len() % region.districts.len().max(1))
            .copied();
        let locality = district.map(|d| d.ru).unwrap_or(region.ru);
        let start = self.today - Duration::days(YEARS_DAYS);
        let lab = self.id();
        let slug = format!("net-{:04}", number + 1);
        self.bulk.row(
            "labs",
            LAB_COLS,
            [
                text(&lab),
                text(&slug),
                text(format!("№{} лабораториясы", number + 1)),
                text(format!("Лаборатория №{}", number + 1)),
                text(format!("Lab {}", number + 1)),
                text(region.code),
                text(locality),
                text(""),
                Value::Real(Some(region.lat + self.rng.random_range(-0.3..0.3))),
                Value::Real(Some(region.lon + self.rng.random_range(-0.3..0.3))),
                text(start.to_string()),
                int(1),
                text(at(start, 6)),
            ],
        );
        // Her mentor: an account that cannot sign in (no password hash matches "!").
        let mentor = self.id();
        self.bulk.row(
            "users",
            USER_COLS,
            [
                text(&mentor),
                text(format!("mentor@{slug}.wcl.kg")),
                text(format!("Наставница {}", number + 1)),
                text("!"),
                int(0),
                int(1),
                text(at(start, 6)),
                text(at(start, 6)),
            ],
        );
        self.bulk.row(
            "user_lab_roles",
            ROLE_COLS,
            [
                text(&mentor),
                text(&lab),
                text("mentor"),
                text(at(start, 6)),
            ],
        );
        // Six cohorts, half a year apart, the last one running now or about to.
        let mut cohorts = vec![];
        for k in 0..COHORTS {
            let starts = start + Duration::days(60 + k * 182);
            let ends = starts + Duration::days(COHORT_DAYS);
            let id = self.id();
            self.bulk.row(
                "cohorts",
                COHORT_COLS,
                [
                    text(&id),
                    text(&lab),
                    text(format!("Когорта {}", k + 1)),
                    text(starts.to_string()),
                    text(ends.to_string()),
                    text(at(starts - Duration::days(30), 6)),
                ],
            );
            cohorts.push((id, starts, ends));
        }
        // Her people, oldest first.
        let mut days: Vec<i64> = (0..people)
            .map(|_| self.rng.random_range(0..YEARS_DAYS))
            .collect();
        days.sort_unstable();
        let mut folk = Vec::with_capacity(people);
        for d in days {
            let registered = start + Duration::days(d);
            folk.push(self.person(&lab, region, district, registered, &cohorts)?);
            self.write_if_full().await?;
        }
        self.training(&lab, &cohorts, &folk).await?;
        let members = self.members(&lab, &cohorts, &folk);
        let fairs = self.events(&lab, &folk, &members).await?;
        self.mentoring(&lab, &mentor, &cohorts, &folk).await?;
        self.outcomes(&lab, &cohorts, &folk).await?;
        let here = Here {
            lab: &lab,
            slug: &slug,
            mentor: &mentor,
            cohorts: &cohorts,
            folk: &folk,
        };
        let funded = self.grants(&here).await?;
        self.surveys(&here).await?;
        self.space(&here).await?;
        let makers = self.makers(&here, funded).await?;
        self.crowdfunding(&here, &makers).await?;
        self.fair_makers(&here, &makers, &fairs);
        self.write_if_full().await
    }

    fn person(
        &mut self,
        lab: &str,
        region: &domain::regions::Region,
        district: Option<domain::regions::District>,
        registered: NaiveDate,
        cohorts: &[(String, NaiveDate, NaiveDate)],
    ) -> anyhow::Result<Someone> {
        let id = self.id();
        let man = self.chance(4);
        let given = if man {
            self.pick(MEN)
        } else {
            self.pick(WOMEN)
        };
        let family = self.pick(FAMILIES);
        let family = match family.strip_suffix('а') {
            Some(m) if man => m,
            _ => family,
        };
        let latin = domain::names::transliterate(&format!("{given} {family}"));
        let key = domain::names::search_key(&format!("{family} {given}  {latin}"));
        self.serial += 1;
        let phone = format!("+99670{:07}", self.serial);
        let gender = if man { "man" } else { "woman" };
        let created = at(registered, 5 + self.rng.random_range(0..9));
        let birth = self.rng.random_range(1970..2009);
        let settlement = if self.chance(60) { "rural" } else { "urban" };
        let occupation = self.pick(OCCUPATIONS);
        let support = self.pick(SUPPORT);
        let income = if self.chance(70) {
            int(self.rng.random_range(0..25_000) * 100)
        } else {
            Value::Int(None)
        };
        self.bulk.row(
            "people",
            PERSON_COLS,
            [
                text(&id),
                text(lab),
                text(family),
                text(given),
                text(""),
                text(latin),
                text(key),
                text(&phone),
                null_text(),
                int(birth),
                text(gender),
                text(region.code),
                text(district.map(|d| d.code).unwrap_or("")),
                text(district.map(|d| d.ru).unwrap_or(region.ru)),
                text(settlement),
                text("ky,ru"),
                text(occupation),
                text(support),
                text("sewing,handicraft"),
                text(""),
                income,
                null_text(),
                text(&created),
                text(&created),
            ],
        );
        let consent = self.id();
        self.bulk.row(
            "consents",
            CONSENT_COLS,
            [
                text(consent),
                text(&id),
                text(domain::CONSENT_VERSION),
                text("consent"),
                text("ky"),
                text(registered.to_string()),
                text(&created),
            ],
        );
        // Seven in ten apply to the next cohort after they first came.
        let next = cohorts
            .iter()
            .position(|(_, starts, _)| *starts >= registered);
        let mut residency_id = None;
        let residency = match next {
            Some(k) if self.chance(70) => {
                let (cohort, starts, ends) = &cohorts[k];
                let roll = self.rng.random_range(0..100);
                let (status, path): (&'static str, &[&'static str]) = if *starts > self.today {
                    ("accepted", &["applied", "accepted"])
                } else if roll < 10 {
                    ("declined", &["applied", "declined"])
                } else if roll < 20 {
                    ("withdrawn", &["applied", "accepted", "active", "withdrawn"])
                } else if *ends < self.today {
                    ("graduated", &["applied", "accepted", "active", "graduated"])
                } else {
                    ("active", &["applied", "accepted", "active"])
                };
                let cohort = (status != "declined").then(|| cohort.clone());
                let rid = self.id();
                // Dated steps: applied when she came, accepted before the start, active at the
                // start, graduated at the end, withdrawn half way.
                let dates = [
                    registered,
                    (*starts - Duration::days(7)).max(registered),
                    *starts,
                    if status == "withdrawn" {
                        *starts + Duration::days(COHORT_DAYS / 2)
                    } else {
                        *ends
                    },
                ];
                let last = dates[path.len() - 1];
                residency_id = Some(rid.clone());
                self.bulk.row(
                    "residencies",
                    RESIDENCY_COLS,
                    [
                        text(&rid),
                        text(&id),
                        text(lab),
                        Value::Text(cohort),
                        text(status),
                        text(""),
                        text("assisted"),
                        text(&created),
                        text(at(last, 9)),
                    ],
                );
                let mut from: Option<String> = None;
                for (step, day) in path.iter().zip(dates) {
                    let sid = self.id();
                    self.bulk.row(
                        "residency_transitions",
                        STEP_COLS,
                        [
                            text(sid),
                            text(&rid),
                            Value::Text(from.take()),
                            text(*step),
                            text(at(day, 9)),
                            text(""),
                        ],
                    );
                    from = Some(step.to_string());
                }
                Some((k, status))
            }
            _ => None,
        };
        Ok(Someone {
            id,
            name: format!("{given} {family}"),
            phone,
            gender,
            registered,
            residency,
            residency_id,
        })
    }

    /// Two programmes a cohort, twenty-four weekly sessions each; her attendance at those held, and
    /// a certificate for each programme when she graduated.
    async fn training(
        &mut self,
        lab: &str,
        cohorts: &[(String, NaiveDate, NaiveDate)],
        folk: &[Someone],
    ) -> anyhow::Result<()> {
        for (k, (cohort, starts, ends)) in cohorts.iter().enumerate() {
            let enrolled: Vec<(&Someone, &str)> = folk
                .iter()
                .filter_map(|p| match p.residency {
                    Some((c, s)) if c == k && matches!(s, "active" | "graduated" | "withdrawn") => {
                        Some((p, s))
                    }
                    _ => None,
                })
                .collect();
            for n in 0..PROGRAMMES {
                let programme = self.id();
                let topic = self.pick(TOPICS);
                self.bulk.row(
                    "programmes",
                    PROGRAMME_COLS,
                    [
                        text(&programme),
                        text(lab),
                        text(cohort),
                        text(format!("Программа {}", n + 1)),
                        text(""),
                        int(80),
                        int(1),
                        text(at(*starts - Duration::days(14), 6)),
                    ],
                );
                let mut modules = vec![];
                for m in 0..4 {
                    let id = self.id();
                    let topic = if m == 0 { topic } else { self.pick(TOPICS) };
                    self.bulk.row(
                        "programme_modules",
                        MODULE_COLS,
                        [
                            text(&id),
                            text(&programme),
                            int(m + 1),
                            text(topic),
                            int(i64::from(m == 3)),
                            text(at(*starts - Duration::days(14), 6)),
                        ],
                    );
                    modules.push(id);
                }
                let mut held = vec![];
                for s in 0..SESSIONS {
                    let day = *starts + Duration::days(s * 7 + n as i64 * 3);
                    let id = self.id();
                    self.bulk.row(
                        "training_sessions",
                        SESSION_COLS,
                        [
                            text(&id),
                            text(&programme),
                            text(&modules[(s * 4 / SESSIONS) as usize]),
                            text(lab),
                            text(at(day, 9)),
                            text(at(day, 11)),
                            text(""),
                            text(""),
                            text(at(*starts - Duration::days(14), 6)),
                        ],
                    );
                    if day < self.today {
                        held.push((id, day, s < SESSIONS / 2));
                    }
                }
                for (p, status) in &enrolled {
                    self.bulk.row(
                        "enrolments",
                        ENROLMENT_COLS,
                        [text(&programme), text(&p.id), text(at(*starts, 5))],
                    );
                    for (session, day, first_half) in &held {
                        if *status == "withdrawn" && !first_half {
                            continue;
                        }
                        let roll = self.rng.random_range(0..100);
                        let mark = match roll {
                            0..85 => "present",
                            85..95 => "absent",
                            _ => "excused",
                        };
                        self.bulk.row(
                            "attendance",
                            ATTENDANCE_COLS,
                            [text(session), text(&p.id), text(mark), text(at(*day, 11))],
                        );
                    }
                    if *status == "graduated" {
                        let id = self.id();
                        let salt = format!("{:016x}", self.rng.random::<u64>());
                        let hash = documents::badges::hashed_identity(
                            &format!("urn:uuid:{}", p.id),
                            &salt,
                        );
                        self.bulk.row(
                            "assertions",
                            ASSERTION_COLS,
                            [
                                text(id),
                                text(&programme),
                                text(&p.id),
                                text("url"),
                                text(hash),
                                text(salt),
                                text(at(*ends + Duration::days(1), 9)),
                            ],
                        );
                    }
                    self.write_if_full().await?;
                }
            }
        }
        Ok(())
    }

    /// The lab's network: its graduates, and one in five of the women who only came to events.
    /// One member in ten is an ambassador with a referral code. Returns (id, joined, ambassador).
    fn members(
        &mut self,
        lab: &str,
        cohorts: &[(String, NaiveDate, NaiveDate)],
        folk: &[Someone],
    ) -> Vec<(String, NaiveDate, bool)> {
        let mut out = vec![];
        for p in folk {
            let joined = match p.residency {
                Some((k, "graduated")) => cohorts[k].2,
                None if self.chance(20) => p.registered,
                _ => continue,
            };
            let id = self.id();
            let ambassador = self.chance(10);
            let code = ambassador.then(|| {
                self.serial += 1;
                format!("g{:x}", self.serial)
            });
            self.bulk.row(
                "network_members",
                MEMBER_COLS,
                [
                    text(&id),
                    text(lab),
                    text(&p.id),
                    int(i64::from(ambassador)),
                    Value::Text(code),
                    text(at(joined, 12)),
                ],
            );
            out.push((id, joined, ambassador));
        }
        out
    }

    /// About five registrations a person over the years: events of thirty, each drawn from the
    /// people who had come to the lab by then; three in four who registered for a past event
    /// came; one in ten was brought by an ambassador.
    async fn events(
        &mut self,
        lab: &str,
        folk: &[Someone],
        members: &[(String, NaiveDate, bool)],
    ) -> anyhow::Result<Vec<(String, NaiveDate)>> {
        let mut fairs = vec![];
        let count = (folk.len() * 5 / REGISTRANTS).max(2);
        let first = self.today - Duration::days(YEARS_DAYS);
        let ambassadors: Vec<&(String, NaiveDate, bool)> = members.iter().filter(|m| m.2).collect();
        for _ in 0..count {
            let day = first + Duration::days(self.rng.random_range(30..YEARS_DAYS + 60));
            let id = self.id();
            let kind = self.pick(EVENT_KINDS);
            let past = day < self.today;
            if kind == "fair" {
                fairs.push((id.clone(), day));
            }
            self.bulk.row(
                "events",
                EVENT_COLS,
                [
                    text(&id),
                    text(lab),
                    text("lab"),
                    text(kind),
                    text(format!("Встреча {}", day.format("%d.%m.%Y"))),
                    text(""),
                    text(at(day, 12)),
                    text(at(day, 14)),
                    text("Лаборатория"),
                    text("ky"),
                    int(REGISTRANTS as i64 + 10),
                    int(1),
                    int(0),
                    text(at(day - Duration::days(20), 6)),
                    text(at(day - Duration::days(20), 6)),
                ],
            );
            let known = folk.partition_point(|p| p.registered <= day);
            if known == 0 {
                continue;
            }
            let want = REGISTRANTS.min(known);
            let mut chosen = std::collections::HashSet::with_capacity(want);
            while chosen.len() < want {
                chosen.insert(self.rng.random_range(0..known));
            }
            let mut chosen: Vec<usize> = chosen.into_iter().collect();
            chosen.sort_unstable();
            for (n, j) in chosen.into_iter().enumerate() {
                let p = &folk[j];
                let cancelled = self.chance(5);
                let came = past && !cancelled && self.chance(75);
                let by = if self.chance(10) {
                    let before: Vec<&&(String, NaiveDate, bool)> =
                        ambassadors.iter().filter(|m| m.1 < day).collect();
                    (!before.is_empty())
                        .then(|| before[self.rng.random_range(0..before.len())].0.clone())
                } else {
                    None
                };
                let made = day - Duration::days(self.rng.random_range(1..15));
                let rid = self.id();
                let token = format!("{:032x}", self.rng.random::<u128>());
                self.bulk.row(
                    "registrations",
                    REGISTRATION_COLS,
                    [
                        text(rid),
                        text(&id),
                        text(&p.name),
                        text(&p.phone),
                        text(p.gender),
                        text(if cancelled { "cancelled" } else { "confirmed" }),
                        text(token),
                        text(format!("{:06}", n + 1)),
                        int(0),
                        Value::Text(by),
                        text(&p.id),
                        text("ky"),
                        if came {
                            text(format!("{day}T12:10:00.000000Z"))
                        } else {
                            null_text()
                        },
                        text(at(made, 8)),
                        text(at(made, 8)),
                    ],
                );
            }
            self.write_if_full().await?;
        }
        Ok(fairs)
    }

    /// A quarter of the residents who started had the lab's mentor: three to six meetings each.
    async fn mentoring(
        &mut self,
        lab: &str,
        mentor: &str,
        cohorts: &[(String, NaiveDate, NaiveDate)],
        folk: &[Someone],
    ) -> anyhow::Result<()> {
        for p in folk {
            let Some((k, status)) = p.residency else {
                continue;
            };
            if !matches!(status, "active" | "graduated") || !self.chance(25) {
                continue;
            }
            let (_, starts, ends) = &cohorts[k];
            let id = self.id();
            let active = status == "active";
            self.bulk.row(
                "mentoring_matches",
                MATCH_COLS,
                [
                    text(&id),
                    text(lab),
                    text(&p.id),
                    text(mentor),
                    text(if active { "active" } else { "ended" }),
                    int(self.rng.random_range(60..96)),
                    text(""),
                    text(at(*starts, 8)),
                    if active {
                        null_text()
                    } else {
                        text(at(*ends, 8))
                    },
                ],
            );
            for m in 0..self.rng.random_range(3..7) {
                let day = *starts + Duration::days(10 + m * 21);
                if day >= self.today {
                    break;
                }
                let sid = self.id();
                self.bulk.row(
                    "mentoring_sessions",
                    MENTOR_SESSION_COLS,
                    [
                        text(sid),
                        text(&id),
                        text(day.to_string()),
                        int(60),
                        text("business"),
                        text(at(day, 13)),
                    ],
                );
            }
        }
        self.write_if_full().await
    }

    /// A graduate's life after the lab: a first step (work, her business, a restart, a joint
    /// initiative) for more than half of them within a year, and her income every three months.
    async fn outcomes(
        &mut self,
        lab: &str,
        cohorts: &[(String, NaiveDate, NaiveDate)],
        folk: &[Someone],
    ) -> anyhow::Result<()> {
        for p in folk {
            let Some((k, "graduated")) = p.residency else {
                continue;
            };
            let ended = cohorts[k].2;
            let mut dated: Vec<(NaiveDate, &str, Option<i64>)> = vec![];
            if self.chance(55) {
                let day = ended + Duration::days(self.rng.random_range(30..400));
                if day < self.today {
                    let kind = self.pick(FIRST_OUTCOMES);
                    dated.push((day, kind, None));
                }
            }
            let mut day = ended + Duration::days(60);
            let mut income = self.rng.random_range(5_000..20_000);
            while day < self.today {
                dated.push((day, "income", Some(income * 100)));
                income += self.rng.random_range(-1_000..4_000);
                income = income.max(1_000);
                day += Duration::days(90);
            }
            for (day, kind, amount) in dated {
                let id = self.id();
                let source = if self.chance(30) {
                    "verified"
                } else {
                    "self-reported"
                };
                self.bulk.row(
                    "outcomes",
                    OUTCOME_COLS,
                    [
                        text(id),
                        text(&p.id),
                        text(lab),
                        text(kind),
                        text(day.to_string()),
                        Value::Int(amount),
                        text(source),
                        text(""),
                        text(at(day, 10)),
                    ],
                );
            }
        }
        self.write_if_full().await
    }
}

/// Adds the network of `size` unless its first lab is there already; `progress` is told the
/// people written so far.
pub async fn generate(
    store: &store::Store,
    size: Size,
    progress: impl Fn(u64),
) -> anyhow::Result<Generated> {
    size.check()?;
    let started = std::time::Instant::now();
    {
        let mut c = store.conn().await?;
        if store::labs::lab_by_slug(&mut c, "net-0001")
            .await?
            .is_some()
        {
            return Ok(Generated::default());
        }
    }
    let survey = std::sync::Arc::new(surveys::Instrument::load(store).await?);
    let now = Utc::now();
    let today = now.with_timezone(&domain::time::bishkek()).date_naive();
    let mut g = Gen {
        rng: StdRng::seed_from_u64(size.seed),
        // Parents before children (the order `db copy` moves tables in), whatever the first lab
        // happens to hold.
        bulk: Bulk::with_tables(store::copy::TABLES),
        store: store.clone(),
        rows: 0,
        today,
        serial: 0,
        ids: 0,
        epoch_ms: (today - Duration::days(YEARS_DAYS))
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or_default()
            .max(0) as u64,
        survey,
    };
    let mut done = 0u64;
    for number in 0..size.labs {
        let people = size.people / size.labs + usize::from(number < size.people % size.labs);
        g.lab(number, people)
            .await
            .with_context(|| format!("lab net-{:04}", number + 1))?;
        done += people as u64;
        progress(done);
    }
    g.rows += g.bulk.flush(store).await?;
    Ok(Generated {
        created: true,
        rows: g.rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}
