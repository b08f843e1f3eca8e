//! Seed funding of a generated lab: a call a year (the last one open now), applications from a
//! quarter of the residents who had started a cohort by then, reviews by the lab's mentor with a
//! score per criterion, a fifth of the submitted applications awarded (within the call's limits
//! and budget; the others declined with a message), two tranches, the payments and progress
//! reports, and the ventures the awards fund with their sales once launched.
use super::*;

const CALL_COLS: &[&str; 15] = &[
    "id",
    "lab_id",
    "title",
    "description",
    "budget",
    "min_award",
    "max_award",
    "currency",
    "opens_on",
    "closes_on",
    "cohort_id",
    "status",
    "created_by",
    "created_at",
    "updated_at",
];
const CRITERION_COLS: &[&str; 8] = &[
    "id",
    "call_id",
    "position",
    "name_ky",
    "name_ru",
    "name_en",
    "weight",
    "max_points",
];
const APPLICATION_COLS: &[&str; 16] = &[
    "id",
    "call_id",
    "person_id",
    "lab_id",
    "title",
    "idea",
    "category",
    "requested",
    "own_contribution",
    "status",
    "submitted_at",
    "filled_by",
    "decision_message",
    "decided_at",
    "created_at",
    "updated_at",
];
const BUDGET_LINE_COLS: &[&str; 5] = &["id", "application_id", "position", "item", "amount"];
const TEAM_COLS: &[&str; 4] = &["application_id", "person_id", "added_at", "confirmed_at"];
const REVIEWER_COLS: &[&str; 4] = &["call_id", "user_id", "assigned_by", "assigned_at"];
const REVIEW_COLS: &[&str; 6] = &[
    "id",
    "application_id",
    "reviewer_id",
    "comment",
    "submitted_at",
    "updated_at",
];
const SCORE_COLS: &[&str; 4] = &["review_id", "criterion_id", "points", "comment"];
const AWARD_COLS: &[&str; 10] = &[
    "id",
    "application_id",
    "call_id",
    "amount",
    "proposed_amount",
    "adjusted_reason",
    "decided_by",
    "decided_at",
    "decided_on",
    "notified",
];
const TRANCHE_COLS: &[&str; 8] = &[
    "id",
    "award_id",
    "position",
    "amount",
    "condition",
    "due_on",
    "released_at",
    "released_by",
];
const PAYMENT_COLS: &[&str; 10] = &[
    "id",
    "tranche_id",
    "amount",
    "paid_on",
    "channel",
    "reference",
    "reverses_id",
    "idempotency_key",
    "recorded_by",
    "recorded_at",
];
const REPORT_COLS: &[&str; 11] = &[
    "id",
    "award_id",
    "body",
    "purchases",
    "first_sales",
    "status",
    "response",
    "submitted_by",
    "submitted_at",
    "responded_by",
    "responded_at",
];
pub(super) const VENTURE_COLS: &[&str; 11] = &[
    "id",
    "lab_id",
    "award_id",
    "name",
    "kind",
    "category",
    "status",
    "launched_on",
    "closed_on",
    "created_at",
    "updated_at",
];
pub(super) const VENTURE_MEMBER_COLS: &[&str; 3] = &["venture_id", "person_id", "share"];
pub(super) const SALE_COLS: &[&str; 9] = &[
    "id",
    "venture_id",
    "sold_on",
    "amount",
    "channel",
    "note",
    "recorded_by",
    "recorded_at",
    "pledge_id",
];

/// Criteria of every call: (ky, ru, en, weight); ten points each.
const CRITERIA: &[(&str, &str, &str, i64)] = &[
    ("Ишке ашуусу", "Жизнеспособность", "Viability", 3),
    ("Чыгармачылык", "Креативность", "Creativity", 2),
    ("Коомдук пайда", "Социальная ценность", "Social value", 2),
];

/// (title, category, first budget line, second budget line)
pub(super) const IDEAS: &[(&str, &str, &str, &str)] = &[
    (
        "Мектеп формасын тигүү",
        "sewing",
        "Тигүү машинасы",
        "Кездеме",
    ),
    ("Кийиз шырдактар", "handicraft", "Жүн жана боёк", "Таңгак"),
    (
        "Домашняя выпечка",
        "food",
        "Духовой шкаф",
        "Формы и упаковка",
    ),
    ("Этно-сумкалар", "design", "Оверлок", "Булгаары"),
    ("SMM кызматы", "digital-services", "Смартфон", "Курс"),
    ("Айылдагы гид", "tourism", "Сертификат", "Сайт жана сүрөт"),
    ("Меймандостук үй", "hospitality", "Төшөк-орун", "Оңдоо"),
];

/// A som in tyiyn.
pub(super) const SOM: i64 = 100;
const MIN_AWARD: i64 = 20_000 * SOM;
const MAX_AWARD: i64 = 50_000 * SOM;
const SALE_CHANNELS: &[&str] = &["fair", "instagram", "shop", "lab-order"];

/// A venture of a generated lab: its id, the index of its lead in the lab's people, its
/// category and the day it launched (if it has).
pub(super) struct Venture {
    pub id: String,
    pub lead: usize,
    pub category: &'static str,
    pub launched: Option<NaiveDate>,
}

impl Gen {
    /// A call a year: the last two years' decided, this one's open now.
    pub(super) async fn grants(&mut self, here: &Here<'_>) -> anyhow::Result<Vec<Venture>> {
        let mut ventures = vec![];
        for k in 0..3i64 {
            let closes = self.today + Duration::days(15 - 365 * (2 - k));
            self.call(here, closes, k == 2, &mut ventures).await?;
        }
        Ok(ventures)
    }

    async fn call(
        &mut self,
        here: &Here<'_>,
        closes: NaiveDate,
        open: bool,
        ventures: &mut Vec<Venture>,
    ) -> anyhow::Result<()> {
        let opens = closes - Duration::days(30);
        let decided_on = closes + Duration::days(21);
        let call = self.id();
        let mut criteria = vec![];
        for (n, (ky, ru, en, weight)) in CRITERIA.iter().enumerate() {
            let id = self.id();
            self.bulk.row(
                "grant_criteria",
                CRITERION_COLS,
                [
                    text(&id),
                    text(&call),
                    int(n as i64 + 1),
                    text(*ky),
                    text(*ru),
                    text(*en),
                    int(*weight),
                    int(10),
                ],
            );
            criteria.push((id, *weight));
        }
        self.bulk.row(
            "grant_reviewers",
            REVIEWER_COLS,
            [
                text(&call),
                text(here.mentor),
                null_text(),
                text(at(opens, 6)),
            ],
        );
        // Who could apply: residents who had started a cohort by the deadline and came before
        // the call opened; a quarter of them did.
        let eligible: Vec<usize> = here
            .folk
            .iter()
            .enumerate()
            .filter(|(_, p)| match p.residency {
                Some((c, s)) => {
                    matches!(s, "active" | "graduated")
                        && here.cohorts[c].1 <= closes
                        && p.registered <= opens
                }
                None => false,
            })
            .map(|(i, _)| i)
            .collect();
        // (application id, applicant, team, status, submitted, title, category, requested, score)
        let mut apps = vec![];
        for &i in &eligible {
            if !self.chance(25) {
                continue;
            }
            let id = self.id();
            let idea = IDEAS[self.rng.random_range(0..IDEAS.len())];
            let requested = self.rng.random_range(20..=60) * 1_000 * SOM;
            let own = self.rng.random_range(1..=15) * 1_000 * SOM;
            let started = opens + Duration::days(self.rng.random_range(0..20));
            let roll = self.rng.random_range(0..100);
            let status = if open && started >= self.today {
                "draft"
            } else if open {
                if roll < 50 { "draft" } else { "submitted" }
            } else if roll < 8 {
                "draft"
            } else if roll < 13 {
                "withdrawn"
            } else {
                "submitted"
            };
            let started = started.min(self.today);
            let submitted = (status == "submitted")
                .then(|| (started + Duration::days(self.rng.random_range(1..8))).min(closes));
            let first = requested * self.rng.random_range(50..80) / 100;
            for (n, (item, amount)) in [(idea.2, first), (idea.3, requested - first)]
                .into_iter()
                .enumerate()
            {
                let line = self.id();
                self.bulk.row(
                    "grant_budget_lines",
                    BUDGET_LINE_COLS,
                    [
                        text(line),
                        text(&id),
                        int(n as i64 + 1),
                        text(item),
                        int(amount),
                    ],
                );
            }
            // One in seven is a joint initiative with another resident.
            let mut team = vec![];
            if eligible.len() > 1 && self.chance(15) {
                let j = loop {
                    let j = eligible[self.rng.random_range(0..eligible.len())];
                    if j != i {
                        break j;
                    }
                };
                self.bulk.row(
                    "grant_team_members",
                    TEAM_COLS,
                    [
                        text(&id),
                        text(&here.folk[j].id),
                        text(at(started, 10)),
                        text(at(started + Duration::days(1), 18)),
                    ],
                );
                team.push(j);
            }
            // The mentor's review of a submitted application of a closed call.
            let mut score = 0;
            if status == "submitted" && !open {
                let review = self.id();
                let reviewed = closes + Duration::days(self.rng.random_range(1..14));
                self.bulk.row(
                    "grant_reviews",
                    REVIEW_COLS,
                    [
                        text(&review),
                        text(&id),
                        text(here.mentor),
                        text(""),
                        text(at(reviewed, 11)),
                        text(at(reviewed, 11)),
                    ],
                );
                for (criterion, weight) in &criteria {
                    let points = self.rng.random_range(3..=10);
                    score += points * weight;
                    self.bulk.row(
                        "grant_scores",
                        SCORE_COLS,
                        [text(&review), text(criterion), int(points), text("")],
                    );
                }
            }
            apps.push((
                id, i, team, status, submitted, started, idea, requested, own, score,
            ));
        }
        // A fifth of the submitted applications, the best scored, are awarded.
        let mut ranked: Vec<usize> = (0..apps.len())
            .filter(|&a| apps[a].3 == "submitted")
            .collect();
        ranked.sort_by_key(|&a| std::cmp::Reverse(apps[a].9));
        let awarded: Vec<usize> = if open {
            vec![]
        } else {
            ranked[..ranked.len().div_ceil(5)].to_vec()
        };
        let amount_of =
            |requested: i64| requested.clamp(MIN_AWARD, MAX_AWARD) / (1_000 * SOM) * (1_000 * SOM);
        let total: i64 = awarded.iter().map(|&a| amount_of(apps[a].7)).sum();
        let step = 50_000 * SOM;
        let budget = ((total + step - 1) / step * step).max(3 * MAX_AWARD);
        let year = closes.format("%Y");
        self.bulk.row(
            "grant_calls",
            CALL_COLS,
            [
                text(&call),
                text(here.lab),
                text(format!("Стартап-гранттар {year} · Стартовые гранты {year}")),
                text(""),
                int(budget),
                int(MIN_AWARD),
                int(MAX_AWARD),
                text("KGS"),
                text(opens.to_string()),
                text(closes.to_string()),
                null_text(),
                text(if open { "open" } else { "decided" }),
                text(here.mentor),
                text(at(opens - Duration::days(10), 6)),
                text(at(if open { opens } else { decided_on }, 6)),
            ],
        );
        for (a, (id, i, team, status, submitted, started, idea, requested, own, _)) in
            apps.iter().enumerate()
        {
            let p = &here.folk[*i];
            let won = awarded.contains(&a);
            let (status, message, decided) = match *status {
                "submitted" if !open && won => (
                    "awarded",
                    "Куттуктайбыз! · Поздравляем!",
                    Some(at(decided_on, 10)),
                ),
                "submitted" if !open => (
                    "declined",
                    "Бул жолу бюджет жеткен жок. · В этот раз бюджета не хватило.",
                    Some(at(decided_on, 10)),
                ),
                s => (s, "", None),
            };
            let updated = match (&decided, submitted) {
                (Some(d), _) => d.clone(),
                (None, Some(s)) => at(*s, 15),
                (None, None) => at(*started, 15),
            };
            self.bulk.row(
                "grant_applications",
                APPLICATION_COLS,
                [
                    text(id),
                    text(&call),
                    text(&p.id),
                    text(here.lab),
                    text(idea.0),
                    text(format!("{}: {}", idea.0, idea.2)),
                    text(idea.1),
                    int(*requested),
                    int(*own),
                    text(status),
                    Value::Text(submitted.map(|s| at(s, 15))),
                    null_text(),
                    text(message),
                    Value::Text(decided),
                    text(at(*started, 10)),
                    text(updated),
                ],
            );
            if won {
                let mut members = vec![*i];
                members.extend(team.iter().copied());
                let v = self.award(
                    here,
                    &call,
                    id,
                    amount_of(*requested),
                    decided_on,
                    idea,
                    &members,
                );
                ventures.push(v);
            }
        }
        self.write_if_full().await
    }

    /// An award with its tranches, payments, report and venture.
    #[allow(clippy::too_many_arguments)]
    fn award(
        &mut self,
        here: &Here<'_>,
        call: &str,
        application: &str,
        amount: i64,
        decided_on: NaiveDate,
        idea: &(&'static str, &'static str, &'static str, &'static str),
        members: &[usize],
    ) -> Venture {
        let award = self.id();
        self.bulk.row(
            "grant_awards",
            AWARD_COLS,
            [
                text(&award),
                text(application),
                text(call),
                int(amount),
                int(amount),
                text(""),
                null_text(),
                text(at(decided_on, 10)),
                text(decided_on.to_string()),
                int(1),
            ],
        );
        // Two tranches: on signing, then after an accepted progress report.
        let first = amount * 6 / 10;
        let reported = decided_on + Duration::days(100);
        // Three reports in four are accepted at once; the others are asked for more.
        let answered = reported + Duration::days(10) < self.today;
        let accepted = answered && self.chance(75);
        for (n, (part, due)) in [
            (first, decided_on + Duration::days(7)),
            (amount - first, reported + Duration::days(10)),
        ]
        .into_iter()
        .enumerate()
        {
            let tranche = self.id();
            let paid = (n == 0 || accepted) && due < self.today;
            self.bulk.row(
                "grant_tranches",
                TRANCHE_COLS,
                [
                    text(&tranche),
                    text(&award),
                    int(n as i64 + 1),
                    int(part),
                    text(if n == 0 {
                        "При подписании договора"
                    } else {
                        "После принятия отчёта"
                    }),
                    text(due.to_string()),
                    if paid { text(at(due, 9)) } else { null_text() },
                    null_text(),
                ],
            );
            if paid {
                let id = self.id();
                let channel = self.pick(&["bank", "mobile", "cash"]);
                self.bulk.row(
                    "grant_payments",
                    PAYMENT_COLS,
                    [
                        text(&id),
                        text(&tranche),
                        int(part),
                        text((due + Duration::days(2)).min(self.today).to_string()),
                        text(channel),
                        text(format!(
                            "{}-{}-{}",
                            here.slug.to_uppercase(),
                            decided_on.format("%y"),
                            n + 1
                        )),
                        null_text(),
                        text(format!("gen-{id}")),
                        null_text(),
                        text(at((due + Duration::days(2)).min(self.today), 12)),
                    ],
                );
            }
        }
        if reported < self.today {
            let id = self.id();
            self.bulk.row(
                "grant_reports",
                REPORT_COLS,
                [
                    text(id),
                    text(&award),
                    text("Жабдуулар сатылып алынды, биринчи буйрутмалар аткарылды."),
                    text(idea.2),
                    int(self.rng.random_range(2..40) * 1_000 * SOM),
                    text(match (answered, accepted) {
                        (false, _) => "submitted",
                        (true, true) => "accepted",
                        (true, false) => "more-requested",
                    }),
                    text(match (answered, accepted) {
                        (false, _) => "",
                        (true, true) => "Жакшы башталыш!",
                        (true, false) => "Сатуулар жөнүндө жазыңызчы: кайда, канчага?",
                    }),
                    null_text(),
                    text(at(reported, 12)),
                    null_text(),
                    if answered {
                        text(at(reported + Duration::days(10), 9))
                    } else {
                        null_text()
                    },
                ],
            );
        }
        let launch = decided_on + Duration::days(self.rng.random_range(30..120));
        let launched = (launch < self.today).then_some(launch);
        let venture = self.id();
        let kind = if members.len() > 1 {
            "joint-initiative"
        } else {
            "business"
        };
        self.bulk.row(
            "ventures",
            VENTURE_COLS,
            [
                text(&venture),
                text(here.lab),
                text(&award),
                text(idea.0),
                text(kind),
                text(idea.1),
                text(if launched.is_some() {
                    "launched"
                } else {
                    "planned"
                }),
                Value::Text(launched.map(|d| d.to_string())),
                null_text(),
                text(at(decided_on, 11)),
                text(at(launched.unwrap_or(decided_on), 11)),
            ],
        );
        for m in members {
            self.bulk.row(
                "venture_members",
                VENTURE_MEMBER_COLS,
                [text(&venture), text(&here.folk[*m].id), int(1)],
            );
        }
        if let Some(from) = launched {
            self.sales(&venture, from);
        }
        Venture {
            id: venture,
            lead: members[0],
            category: idea.1,
            launched,
        }
    }

    /// A launched venture's sales: one every ten to forty days from its launch.
    pub(super) fn sales(&mut self, venture: &str, from: NaiveDate) {
        let mut day = from + Duration::days(self.rng.random_range(3..20));
        while day < self.today {
            let id = self.id();
            let channel = self.pick(SALE_CHANNELS);
            self.bulk.row(
                "venture_sales",
                SALE_COLS,
                [
                    text(id),
                    text(venture),
                    text(day.to_string()),
                    int(self.rng.random_range(5..80) * 100 * SOM),
                    text(channel),
                    text(""),
                    null_text(),
                    text(at(day, 14)),
                    null_text(),
                ],
            );
            day += Duration::days(self.rng.random_range(10..40));
        }
    }
}
