//! The creative economy of a generated lab: the makers' showcase (every woman whose funded
//! venture launched, and one graduate in ten with a business of her own, with her products and
//! her sales), the makers at the lab's fairs, and crowdfunding: a campaign a year (the current one
//! open) and in half the years a second, with budget lines, two reward tiers (one a maker's
//! product, whose paid pledges are her sales), backers' pledges (most paid), the public ledger
//! (each paid pledge in, spending out, never more than came in) and an update.
use super::grants::{SALE_COLS, SOM, VENTURE_COLS, VENTURE_MEMBER_COLS, Venture};
use super::*;

const PROFILE_COLS: &[&str; 11] = &[
    "person_id",
    "lab_id",
    "display_name",
    "bio",
    "skills",
    "contact",
    "venture_id",
    "search_key",
    "published",
    "created_at",
    "updated_at",
];
const PRODUCT_COLS: &[&str; 9] = &[
    "id",
    "person_id",
    "title",
    "description",
    "category",
    "price_from",
    "price_to",
    "availability",
    "created_at",
];
const FAIR_COLS: &[&str; 4] = &["event_id", "person_id", "added_by", "added_at"];
const CAMPAIGN_COLS: &[&str; 17] = &[
    "id",
    "lab_id",
    "title_ky",
    "title_ru",
    "title_en",
    "story_ky",
    "story_ru",
    "story_en",
    "goal",
    "starts_on",
    "ends_on",
    "mode",
    "status",
    "payment_details",
    "created_by",
    "created_at",
    "updated_at",
];
const LINE_COLS: &[&str; 6] = &[
    "id",
    "campaign_id",
    "category",
    "label",
    "amount",
    "created_at",
];
const TIER_COLS: &[&str; 10] = &[
    "id",
    "campaign_id",
    "title",
    "description",
    "min_amount",
    "quantity",
    "reserved",
    "product",
    "created_at",
    "product_id",
];
const UPDATE_COLS: &[&str; 6] = &[
    "id",
    "campaign_id",
    "title",
    "body",
    "posted_by",
    "posted_at",
];
const PLEDGE_COLS: &[&str; 17] = &[
    "id",
    "campaign_id",
    "tier_id",
    "reference",
    "name",
    "email",
    "phone",
    "amount",
    "message",
    "show_name",
    "status",
    "idempotency_key",
    "fulfilled_at",
    "created_at",
    "paid_at",
    "refunded_at",
    "lang",
];
const LEDGER_COLS: &[&str; 11] = &[
    "id",
    "campaign_id",
    "direction",
    "amount",
    "occurred_on",
    "category",
    "description",
    "pledge_id",
    "award_id",
    "idempotency_key",
    "recorded_at",
];

/// Products by category: (category, title, price from, price to in som).
const PRODUCTS: &[(&str, &str, i64, i64)] = &[
    ("handicraft", "Кийиз оюнчуктар", 600, 1_500),
    ("handicraft", "Шырдак (кичинекей)", 4_000, 12_000),
    ("sewing", "Улуттук көйнөк тигүү", 3_000, 9_000),
    ("design", "Этно-стилдеги сумкалар", 1_500, 4_000),
    ("food", "Боорсок жана токоч буйрутма", 300, 1_200),
    (
        "digital-services",
        "Instagram баракчаны жүргүзүү",
        5_000,
        15_000,
    ),
    ("tourism", "Туристтер үчүн гид кызматы", 2_000, 5_000),
    ("hospitality", "Үйдө конок күтүү", 1_500, 3_000),
];
const SKILLS: &[&str] = &[
    "кийиз, түстөрдү айкалыштыруу",
    "тигүү, бичүү",
    "этнодизайн",
    "кондитер",
    "SMM, контент",
    "гид, англис тили",
];
/// Pledge amounts in som.
const AMOUNTS: &[i64] = &[
    500, 1_000, 1_000, 2_000, 3_000, 5_000, 5_000, 10_000, 20_000,
];
/// The alphabet of payment references (domain::crowdfunding's).
const REF_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A maker of the showcase: her index in the lab's people, her venture, since when, and her
/// first product (id, title, price from).
pub(super) struct Maker {
    person: usize,
    venture: String,
    since: NaiveDate,
    product: (String, &'static str, i64),
}

impl Gen {
    /// The showcase: the women whose funded ventures launched, and one graduate in ten with a
    /// business of her own (launched some months after her cohort ended).
    pub(super) async fn makers(
        &mut self,
        here: &Here<'_>,
        funded: Vec<Venture>,
    ) -> anyhow::Result<Vec<Maker>> {
        let mut makers: Vec<Maker> = vec![];
        let mut own: Vec<Venture> = vec![];
        for (i, p) in here.folk.iter().enumerate() {
            let Some((k, "graduated")) = p.residency else {
                continue;
            };
            if !self.chance(10) {
                continue;
            }
            let launched = here.cohorts[k].2 + Duration::days(self.rng.random_range(30..200));
            if launched >= self.today {
                continue;
            }
            let (category, title, _, _) = PRODUCTS[self.rng.random_range(0..PRODUCTS.len())];
            let id = self.id();
            self.bulk.row(
                "ventures",
                VENTURE_COLS,
                [
                    text(&id),
                    text(here.lab),
                    null_text(),
                    text(format!("{}: {title}", p.name)),
                    text("business"),
                    text(category),
                    text("launched"),
                    text(launched.to_string()),
                    null_text(),
                    text(at(launched, 11)),
                    text(at(launched, 11)),
                ],
            );
            self.bulk.row(
                "venture_members",
                VENTURE_MEMBER_COLS,
                [text(&id), text(&p.id), int(1)],
            );
            self.sales(&id, launched);
            own.push(Venture {
                id,
                lead: i,
                category,
                launched: Some(launched),
            });
        }
        for v in funded.into_iter().chain(own) {
            let Some(since) = v.launched else { continue };
            // One profile a woman (her first venture's).
            if makers.iter().any(|m| m.person == v.lead) {
                continue;
            }
            let p = &here.folk[v.lead];
            let skills = self.pick(SKILLS);
            let mut first = None;
            let choices: Vec<&(&str, &str, i64, i64)> =
                PRODUCTS.iter().filter(|x| x.0 == v.category).collect();
            for n in 0..self.rng.random_range(1..3) {
                let Some(&&(category, title, from, to)) = choices.get(n) else {
                    break;
                };
                let id = self.id();
                let availability = self.pick(&["to-order", "in-stock"]);
                self.bulk.row(
                    "maker_products",
                    PRODUCT_COLS,
                    [
                        text(&id),
                        text(&p.id),
                        text(title),
                        text(""),
                        text(category),
                        int(from * SOM),
                        int(to * SOM),
                        text(availability),
                        text(at(since, 13)),
                    ],
                );
                first.get_or_insert((id, title, from * SOM));
            }
            let Some(product) = first else { continue };
            let display = p.name.split(' ').next().unwrap_or("").to_string();
            let key = domain::names::search_key(&format!("{display} {skills} {}", product.1));
            self.bulk.row(
                "maker_profiles",
                PROFILE_COLS,
                [
                    text(&p.id),
                    text(here.lab),
                    text(&display),
                    text(
                        "Лабораториянын бүтүрүүчүсү; буйрутмаларды лаборатория аркылуу кабыл алам.",
                    ),
                    text(skills),
                    text(""),
                    text(&v.id),
                    text(key),
                    int(1),
                    text(at(since, 13)),
                    text(at(since, 13)),
                ],
            );
            makers.push(Maker {
                person: v.lead,
                venture: v.id,
                since,
                product,
            });
        }
        self.write_if_full().await?;
        Ok(makers)
    }

    /// Two in three of the lab's makers at each of its fairs after they joined the showcase.
    pub(super) fn fair_makers(
        &mut self,
        here: &Here<'_>,
        makers: &[Maker],
        fairs: &[(String, NaiveDate)],
    ) {
        for (event, day) in fairs {
            for m in makers {
                if m.since >= *day || !self.chance(67) {
                    continue;
                }
                self.bulk.row(
                    "fair_makers",
                    FAIR_COLS,
                    [
                        text(event),
                        text(&here.folk[m.person].id),
                        null_text(),
                        text(at(*day - Duration::days(7), 10)),
                    ],
                );
            }
        }
    }

    /// A campaign a year, the current one open; a second one in half the years.
    pub(super) async fn crowdfunding(
        &mut self,
        here: &Here<'_>,
        makers: &[Maker],
    ) -> anyhow::Result<()> {
        for y in 0..3i64 {
            let starts = self.today - Duration::days(40 + 365 * (2 - y));
            if self.chance(50) {
                self.campaign(here, makers, starts - Duration::days(180))
                    .await?;
            }
            self.campaign(here, makers, starts).await?;
        }
        Ok(())
    }

    async fn campaign(
        &mut self,
        here: &Here<'_>,
        makers: &[Maker],
        starts: NaiveDate,
    ) -> anyhow::Result<()> {
        let ends = starts + Duration::days(60);
        let open = ends >= self.today;
        let until = ends.min(self.today);
        let id = self.id();
        let backers = (here.folk.len() / 4).max(5);
        let backers = self.rng.random_range(backers * 7 / 10..=backers * 13 / 10);
        let goal = (backers as i64 * 4_000 / 10_000 + 1) * 10_000 * SOM;
        let year = starts.format("%Y");
        let mode = if self.chance(70) {
            "keep"
        } else {
            "all-or-nothing"
        };
        self.bulk.row(
            "campaigns",
            CAMPAIGN_COLS,
            [
                text(&id),
                text(here.lab),
                text(format!("Лаборатория {year}: иш-чаралар жана гранттар")),
                text(format!("Лаборатория {year}: мероприятия и гранты")),
                text(format!("The lab in {year}: events and grants")),
                text("Аялдардын чыгармачыл иши үчүн каражат чогултабыз."),
                text("Собираем средства на творческие дела женщин."),
                text("We raise money for women's creative work."),
                int(goal),
                text(starts.to_string()),
                text(ends.to_string()),
                text(mode),
                text(if open { "open" } else { "closed" }),
                text("Optima Bank, KGS 1180000098765432"),
                null_text(),
                text(at(starts - Duration::days(14), 9)),
                text(at(if open { starts } else { ends }, 9)),
            ],
        );
        for (category, label, part) in [
            ("events", "Иш-чаралар", 30),
            ("grants", "Аялдарга гранттар", 50),
            ("space", "Коворкингдин ижарасы", 20),
        ] {
            let line = self.id();
            self.bulk.row(
                "campaign_budget_lines",
                LINE_COLS,
                [
                    text(line),
                    text(&id),
                    text(category),
                    text(label),
                    int(goal * part / 100),
                    text(at(starts - Duration::days(14), 9)),
                ],
            );
        }
        // Two tiers: a thank-you card for anyone, and a maker's product (in limited number).
        let card = self.id();
        self.bulk.row(
            "campaign_tiers",
            TIER_COLS,
            [
                text(&card),
                text(&id),
                text("Рахмат каты"),
                text(""),
                int(1_000 * SOM),
                Value::Int(None),
                int(0),
                text(""),
                text(at(starts - Duration::days(14), 9)),
                null_text(),
            ],
        );
        let live: Vec<&Maker> = makers.iter().filter(|m| m.since < starts).collect();
        let reward = if live.is_empty() {
            None
        } else {
            let m = live[self.rng.random_range(0..live.len())];
            Some((self.id(), m, m.product.2.max(500 * SOM), 20i64))
        };
        let mut reserved = 0;
        let mut collected = 0;
        let days = (until - starts).num_days().max(1);
        for _ in 0..backers {
            let som = AMOUNTS[self.rng.random_range(0..AMOUNTS.len())];
            let amount = som * SOM;
            let on = starts + Duration::days(self.rng.random_range(0..days));
            let tier = match &reward {
                Some((t, _, min, quantity))
                    if amount >= *min && reserved < *quantity && self.chance(40) =>
                {
                    reserved += 1;
                    Some((t.clone(), true))
                }
                _ if amount >= 1_000 * SOM && self.chance(30) => Some((card.clone(), false)),
                _ => None,
            };
            let paid = self.chance(if open { 75 } else { 90 });
            let paid_on =
                paid.then(|| (on + Duration::days(self.rng.random_range(0..6))).min(self.today));
            let pledge = self.id();
            self.serial += 1;
            let reference = reference(self.serial);
            let anonymous = self.chance(20);
            let name = if anonymous {
                String::new()
            } else {
                format!("{} {}", self.pick(WOMEN), self.pick(FAMILIES))
            };
            let show = !anonymous && self.chance(60);
            let fulfilled = match (&tier, paid_on) {
                (Some(_), Some(d)) if !open => {
                    Some(at((ends + Duration::days(14)).min(self.today).max(d), 18))
                }
                _ => None,
            };
            self.bulk.row(
                "pledges",
                PLEDGE_COLS,
                [
                    text(&pledge),
                    text(&id),
                    Value::Text(tier.as_ref().map(|t| t.0.clone())),
                    text(&reference),
                    text(name),
                    text(""),
                    text(""),
                    int(amount),
                    text(""),
                    int(i64::from(show)),
                    text(if paid { "paid" } else { "promised" }),
                    text(format!("gen-{pledge}")),
                    Value::Text(fulfilled),
                    text(at(on, 9)),
                    Value::Text(paid_on.map(|d| at(d, 15))),
                    null_text(),
                    text("ky"),
                ],
            );
            let Some(paid_on) = paid_on else { continue };
            collected += amount;
            let entry = self.id();
            self.bulk.row(
                "campaign_ledger",
                LEDGER_COLS,
                [
                    text(entry),
                    text(&id),
                    text("in"),
                    int(amount),
                    text(paid_on.to_string()),
                    text("other"),
                    text(&reference),
                    text(&pledge),
                    null_text(),
                    text(format!("pledge-paid:{pledge}")),
                    text(at(paid_on, 15)),
                ],
            );
            // A paid reward that is a maker's product is her sale.
            if let (Some((_, true)), Some((_, maker, min, _))) = (&tier, &reward) {
                let sale = self.id();
                self.bulk.row(
                    "venture_sales",
                    SALE_COLS,
                    [
                        text(sale),
                        text(&maker.venture),
                        text(paid_on.to_string()),
                        int(*min),
                        text("campaign-reward"),
                        text(&reference),
                        null_text(),
                        text(at(paid_on, 15)),
                        text(&pledge),
                    ],
                );
            }
        }
        if let Some((tier, maker, min, quantity)) = &reward {
            self.bulk.row(
                "campaign_tiers",
                TIER_COLS,
                [
                    text(tier),
                    text(&id),
                    text(maker.product.1),
                    text("Лабораториянын чеберинен"),
                    int(*min),
                    int(*quantity),
                    int(reserved),
                    text(maker.product.1),
                    text(at(starts - Duration::days(14), 9)),
                    text(&maker.product.0),
                ],
            );
        }
        // A closed campaign spent most of what came in: events, grants, the space's rent.
        if !open && collected > 0 {
            let spent = collected * self.rng.random_range(60..95) / 100;
            for (n, (category, label, part)) in [
                ("events", "Иш-чаралар: материалдар, тренер", 40),
                ("grants", "Аялдын бизнесине грант", 40),
                ("space", "Коворкингдин ижарасы", 20),
            ]
            .into_iter()
            .enumerate()
            {
                let on = (ends + Duration::days(20 + 30 * n as i64)).min(self.today);
                let amount = spent * part / 100;
                if amount <= 0 {
                    continue;
                }
                let entry = self.id();
                self.bulk.row(
                    "campaign_ledger",
                    LEDGER_COLS,
                    [
                        text(&entry),
                        text(&id),
                        text("out"),
                        int(amount),
                        text(on.to_string()),
                        text(category),
                        text(label),
                        null_text(),
                        null_text(),
                        text(format!("gen-{entry}")),
                        text(at(on, 11)),
                    ],
                );
            }
        }
        let update = self.id();
        let posted = starts + Duration::days(days / 2);
        self.bulk.row(
            "campaign_updates",
            UPDATE_COLS,
            [
                text(update),
                text(&id),
                text("Рахмат, колдоочуларга!"),
                text("Каражаттын жарымы чогулду. Собрана половина суммы."),
                null_text(),
                text(at(posted, 12)),
            ],
        );
        self.write_if_full().await
    }
}

/// A payment reference in the app's form (`CF-XXXX-XXXX`) from a serial number: unique where
/// random ones could meet in a million pledges.
fn reference(serial: u64) -> String {
    let base = REF_ALPHABET.len() as u64;
    let mut n = serial;
    let mut chars = [b'2'; 8];
    for c in chars.iter_mut().rev() {
        *c = REF_ALPHABET[(n % base) as usize];
        n /= base;
    }
    let s: String = chars.iter().map(|&b| b as char).collect();
    format!("CF-{}-{}", &s[..4], &s[4..])
}
