//! Indicators computed from the records, never typed.
//!
//! The store reads the plain facts of a set of labs ([`Facts`]: who registered, who moved from
//! application to graduation, certificates, events, members, mentoring sessions, grants,
//! outcomes, scale scores); this module turns them into the figures of the indicator catalogue
//! (`domain::impact::INDICATORS`) for a [`Cut`]: some labs, optionally one cohort, a period.
//! Everything here is pure, so a dashboard, the public page, the API and the donors' report all
//! show the same number for the same cut.
//!
//! Each figure carries how many women stand behind it ([`Figure::women`]); a public view withholds
//! figures behind fewer than five women (`domain::impact::SUPPRESS_BELOW`).
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A woman (or man) registered in a lab.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFact {
    pub id: String,
    pub lab: String,
    /// The cohort of her latest residency in that lab, if any.
    pub cohort: Option<String>,
    pub woman: bool,
    /// `Some(true)` rural, `Some(false)` urban, `None` not recorded.
    pub rural: Option<bool>,
    pub registered_on: NaiveDate,
    /// Monthly income from creative work when she came (baseline), tyiyn.
    pub prior_income: Option<i64>,
    pub birth_year: Option<i32>,
    pub occupation: Option<String>,
    pub family_support: String,
}

/// A residency moved to `status` on `on` (applications count as a move to `applied`).
#[derive(Debug, Clone, PartialEq)]
pub struct StepFact {
    pub person: String,
    pub lab: String,
    pub cohort: Option<String>,
    pub status: String,
    pub on: NaiveDate,
}

/// Something dated that belongs to a woman of a lab: a certificate, a mentoring session.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonDated {
    pub person: String,
    pub lab: String,
    pub on: NaiveDate,
}

/// An event held: its date and how many people were checked in.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFact {
    pub lab: String,
    pub on: NaiveDate,
    pub attended: i64,
}

/// Something dated that belongs to a lab only: a new network member, a referred registration.
#[derive(Debug, Clone, PartialEq)]
pub struct LabDated {
    pub lab: String,
    pub on: NaiveDate,
}

/// A grant awarded to a woman (the applicant).
#[derive(Debug, Clone, PartialEq)]
pub struct GrantFact {
    pub person: String,
    pub lab: String,
    pub on: NaiveDate,
    pub amount: i64,
}

/// An outcome record (kind codes of `domain::impact::OutcomeKind`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeFact {
    pub person: String,
    pub lab: String,
    pub kind: String,
    pub on: NaiveDate,
    pub amount: Option<i64>,
}

/// A woman's part of a sale of her venture (a joint initiative's sale split by its members'
/// shares, see [`split_by_shares`]), tyiyn.
#[derive(Debug, Clone, PartialEq)]
pub struct SaleFact {
    pub person: String,
    /// The venture's lab.
    pub lab: String,
    pub on: NaiveDate,
    pub amount: i64,
}

/// Splits `amount` by `shares` (each above zero): each part is her share of it rounded down, and
/// what rounding leaves goes one tyiyn at a time to the first members, so the parts add up to the
/// amount exactly.
pub fn split_by_shares(amount: i64, shares: &[i64]) -> Vec<i64> {
    let total: i64 = shares.iter().map(|s| s.max(&1)).sum();
    if total == 0 {
        return vec![];
    }
    let mut parts: Vec<i64> = shares
        .iter()
        .map(|s| (amount as i128 * *s.max(&1) as i128 / total as i128) as i64)
        .collect();
    let mut left = amount - parts.iter().sum::<i64>();
    for p in parts.iter_mut() {
        if left <= 0 {
            break;
        }
        *p += 1;
        left -= 1;
    }
    parts
}

/// A scale score of one submitted survey response.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreFact {
    pub person: String,
    pub lab: String,
    pub scale: String,
    /// `baseline`, `endline`, `follow_up_6`, `follow_up_12`.
    pub wave: String,
    pub on: NaiveDate,
    pub score: f64,
}

/// Everything indicators are computed from, for a set of labs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub people: Vec<PersonFact>,
    pub steps: Vec<StepFact>,
    /// Current status of each residency: (person, lab, cohort, status).
    pub residencies: Vec<(String, String, Option<String>, String)>,
    pub certificates: Vec<PersonDated>,
    pub events: Vec<EventFact>,
    pub members: Vec<LabDated>,
    pub referrals: Vec<LabDated>,
    pub mentoring: Vec<PersonDated>,
    pub grants: Vec<GrantFact>,
    pub outcomes: Vec<OutcomeFact>,
    pub scores: Vec<ScoreFact>,
    /// Women's parts of their ventures' recorded sales.
    pub sales: Vec<SaleFact>,
}

impl Facts {
    /// The facts each lab's figures are computed from, split in one pass: a lab's part holds its
    /// own rows and every row about a woman who has any row in that lab (her record, steps,
    /// outcomes… whole, wherever they were recorded), in their order. For a cut of that one lab a
    /// part gives the figures the whole facts give (the test `by_lab_gives_each_lab_its_figures`
    /// holds it to that), at a thousandth of the work in a network of a thousand labs.
    pub fn by_lab(&self) -> HashMap<String, Facts> {
        let mut labs_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        let about = self
            .people
            .iter()
            .map(|x| (x.id.as_str(), x.lab.as_str()))
            .chain(
                self.steps
                    .iter()
                    .map(|x| (x.person.as_str(), x.lab.as_str())),
            )
            .chain(
                self.residencies
                    .iter()
                    .map(|x| (x.0.as_str(), x.1.as_str())),
            )
            .chain(
                self.certificates
                    .iter()
                    .map(|x| (x.person.as_str(), x.lab.as_str())),
            )
            .chain(
                self.mentoring
                    .iter()
                    .map(|x| (x.person.as_str(), x.lab.as_str())),
            )
            .chain(
                self.grants
                    .iter()
                    .map(|x| (x.person.as_str(), x.lab.as_str())),
            )
            .chain(
                self.outcomes
                    .iter()
                    .map(|x| (x.person.as_str(), x.lab.as_str())),
            )
            .chain(
                self.scores
                    .iter()
                    .map(|x| (x.person.as_str(), x.lab.as_str())),
            )
            .chain(
                self.sales
                    .iter()
                    .map(|x| (x.person.as_str(), x.lab.as_str())),
            );
        for (person, lab) in about {
            labs_of.entry(person).or_default().insert(lab);
        }
        let mut parts: HashMap<String, Facts> = HashMap::new();
        // The parts a row goes to: its lab's, and those of every lab its woman has a row in.
        let mut put = |person: Option<&str>, lab: &str, add: &mut dyn FnMut(&mut Facts)| {
            let mut to: BTreeSet<&str> = BTreeSet::from([lab]);
            if let Some(labs) = person.and_then(|p| labs_of.get(p)) {
                to.extend(labs.iter().copied());
            }
            for l in to {
                add(parts.entry(l.to_string()).or_default());
            }
        };
        for x in &self.people {
            put(Some(&x.id), &x.lab, &mut |f| f.people.push(x.clone()));
        }
        for x in &self.steps {
            put(Some(&x.person), &x.lab, &mut |f| f.steps.push(x.clone()));
        }
        for x in &self.residencies {
            put(Some(&x.0), &x.1, &mut |f| f.residencies.push(x.clone()));
        }
        for x in &self.certificates {
            put(Some(&x.person), &x.lab, &mut |f| {
                f.certificates.push(x.clone())
            });
        }
        for x in &self.events {
            put(None, &x.lab, &mut |f| f.events.push(x.clone()));
        }
        for x in &self.members {
            put(None, &x.lab, &mut |f| f.members.push(x.clone()));
        }
        for x in &self.referrals {
            put(None, &x.lab, &mut |f| f.referrals.push(x.clone()));
        }
        for x in &self.mentoring {
            put(Some(&x.person), &x.lab, &mut |f| {
                f.mentoring.push(x.clone())
            });
        }
        for x in &self.grants {
            put(Some(&x.person), &x.lab, &mut |f| f.grants.push(x.clone()));
        }
        for x in &self.outcomes {
            put(Some(&x.person), &x.lab, &mut |f| f.outcomes.push(x.clone()));
        }
        for x in &self.scores {
            put(Some(&x.person), &x.lab, &mut |f| f.scores.push(x.clone()));
        }
        for x in &self.sales {
            put(Some(&x.person), &x.lab, &mut |f| f.sales.push(x.clone()));
        }
        parts
    }
}

/// Which records count: labs (`None`: all in the facts), one cohort, a period (both ends included).
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    pub labs: Option<BTreeSet<String>>,
    pub cohort: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Cut {
    fn lab(&self, lab: &str) -> bool {
        self.labs.as_ref().is_none_or(|l| l.contains(lab))
    }
    fn when(&self, on: NaiveDate) -> bool {
        self.from <= on && on <= self.to
    }
}

/// One computed figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub code: &'static str,
    /// Counts and tyiyn as they are; points of a scale change in hundredths. `None`: nothing to
    /// compute from (no data yet, or the cut does not apply, like events by cohort).
    pub value: Option<i64>,
    /// How many women stand behind the figure; `None` when it counts things, not women.
    pub women: Option<i64>,
    /// For figures of earnings: how many of its women's earnings come from recorded sales and
    /// how many were reported by her (`None` for every other figure).
    pub source: Option<Source>,
}

/// Where the earnings behind a figure come from: recorded sales where a woman has any in the
/// period, what she reported otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// Women whose earnings are their recorded sales.
    pub sales: i64,
    /// Women whose earnings are the income they reported.
    pub reported: i64,
}

impl Source {
    /// `sales`, `self-reported` or `mixed`; `None` when no woman stands behind it.
    pub fn kind(&self) -> Option<&'static str> {
        match (self.sales > 0, self.reported > 0) {
            (true, false) => Some("sales"),
            (false, true) => Some("self-reported"),
            (true, true) => Some("mixed"),
            (false, false) => None,
        }
    }
}

impl Figure {
    /// Whether a public view must withhold it on its own: it stands for 1 to `below - 1` women. A
    /// true zero is shown as 0 (nobody can be recognised in it). See [`protect`] for the figures
    /// withheld besides, so that a withheld one cannot be worked out from a total.
    pub fn suppressed(&self, below: i64) -> bool {
        self.value.is_some() && self.women.is_some_and(|w| (1..below).contains(&w))
    }
}

/// One cell of a public table: how many women stand behind it and whether it is withheld.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub women: i64,
    pub hidden: bool,
}

impl Cell {
    /// A figure's cell as withheld on its own (`Figure::suppressed`).
    pub fn of(f: &Figure, below: i64) -> Self {
        Self {
            women: f.women.unwrap_or(0),
            hidden: f.suppressed(below),
        }
    }
}

/// Complementary suppression: a total and the parts it is made of (women reached and its rural,
/// urban and unknown lines; the network and its labs; a period and its months), some parts
/// withheld. When the total is shown, the withheld parts could be worked out by subtracting the
/// shown parts from it, so more is withheld until that reveals nothing: at least two parts are
/// withheld and together they stand for at least `below` women. The parts withheld besides are
/// the smallest shown parts that are not zero (a zero withheld would protect nothing); when none
/// is left, the total is withheld instead. Answers whether anything changed; with
/// `may_hide_parts` false only the total may be withheld (the parts are decided elsewhere).
pub fn protect(total: &mut Cell, parts: &mut [Cell], below: i64, may_hide_parts: bool) -> bool {
    if total.hidden {
        // A withheld total whose parts are all shown is their sum: one part goes too.
        if !may_hide_parts || parts.iter().any(|c| c.hidden) {
            return false;
        }
        return match parts
            .iter_mut()
            .filter(|c| c.women > 0)
            .min_by_key(|c| c.women)
        {
            Some(c) => {
                c.hidden = true;
                true
            }
            None => false,
        };
    }
    let mut changed = false;
    loop {
        let hidden: Vec<&Cell> = parts.iter().filter(|c| c.hidden).collect();
        let (n, sum) = (hidden.len(), hidden.iter().map(|c| c.women).sum::<i64>());
        if n == 0 || (n >= 2 && sum >= below) {
            return changed;
        }
        let next = parts
            .iter_mut()
            .filter(|c| !c.hidden && c.women > 0)
            .min_by_key(|c| c.women);
        match next {
            Some(c) if may_hide_parts => c.hidden = true,
            _ => {
                total.hidden = true;
                return true;
            }
        }
        changed = true;
    }
}

/// Computes the figure of indicator `code` for `cut`. Unknown codes give `None`.
pub fn figure(facts: &Facts, cut: &Cut, code: &'static str) -> Figure {
    let people: HashMap<&str, &PersonFact> =
        facts.people.iter().map(|p| (p.id.as_str(), p)).collect();
    figure_with(facts, &people, cut, code)
}

/// All figures of `codes` for one cut.
pub fn figures(facts: &Facts, cut: &Cut, codes: &[&'static str]) -> Vec<Figure> {
    let people: HashMap<&str, &PersonFact> =
        facts.people.iter().map(|p| (p.id.as_str(), p)).collect();
    codes
        .iter()
        .map(|c| figure_with(facts, &people, cut, c))
        .collect()
}

fn figure_with(
    facts: &Facts,
    people: &HashMap<&str, &PersonFact>,
    cut: &Cut,
    code: &'static str,
) -> Figure {
    let women = |n: usize| Figure {
        code,
        value: Some(n as i64),
        women: Some(n as i64),
        source: None,
    };
    let things = |n: i64| Figure {
        code,
        value: Some(n),
        women: None,
        source: None,
    };
    let none = Figure {
        code,
        value: None,
        women: None,
        source: None,
    };
    // Her cohort (from her latest residency) decides person-based facts under a cohort cut.
    let in_cohort = |person: &str| match &cut.cohort {
        None => true,
        Some(c) => people
            .get(person)
            .is_some_and(|p| p.cohort.as_deref() == Some(c)),
    };
    let person_ok = |person: &str, lab: &str| cut.lab(lab) && in_cohort(person);
    let distinct = |it: &mut dyn Iterator<Item = &str>| it.collect::<BTreeSet<_>>().len();
    let step = |status: &str| {
        distinct(
            &mut facts
                .steps
                .iter()
                .filter(|s| {
                    s.status == status
                        && cut.lab(&s.lab)
                        && cut.when(s.on)
                        && (cut.cohort.is_none() || s.cohort == cut.cohort)
                })
                .map(|s| s.person.as_str()),
        )
    };
    let outcome = |kind: &str| {
        distinct(
            &mut facts
                .outcomes
                .iter()
                .filter(|o| o.kind == kind && person_ok(&o.person, &o.lab) && cut.when(o.on))
                .map(|o| o.person.as_str()),
        )
    };
    let reached = |rural: Option<bool>| {
        facts
            .people
            .iter()
            .filter(|p| {
                p.woman
                    && person_ok(&p.id, &p.lab)
                    && cut.when(p.registered_on)
                    && (rural.is_none() || p.rural == rural)
            })
            .count()
    };
    let scale_change = |scale: &str| {
        // Her change: her latest endline (in the period) minus her baseline on the same scale.
        let mut base: HashMap<&str, (NaiveDate, f64)> = HashMap::new();
        let mut end: HashMap<&str, (NaiveDate, f64)> = HashMap::new();
        for s in facts
            .scores
            .iter()
            .filter(|s| s.scale == scale && person_ok(&s.person, &s.lab))
        {
            let slot = match s.wave.as_str() {
                "baseline" => &mut base,
                "endline" if cut.when(s.on) => &mut end,
                _ => continue,
            };
            let e = slot.entry(s.person.as_str()).or_insert((s.on, s.score));
            if s.on >= e.0 {
                *e = (s.on, s.score);
            }
        }
        let diffs: Vec<f64> = end
            .iter()
            .filter_map(|(p, (_, e))| base.get(p).map(|(_, b)| e - b))
            .collect();
        if diffs.is_empty() {
            return none.clone();
        }
        let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
        Figure {
            code,
            value: Some((mean * 100.0).round() as i64),
            women: Some(diffs.len() as i64),
            source: None,
        }
    };
    match code {
        "women-reached" => women(reached(None)),
        "women-reached-rural" => women(reached(Some(true))),
        "women-reached-urban" => women(reached(Some(false))),
        "women-reached-unknown" => women(
            facts
                .people
                .iter()
                .filter(|p| {
                    p.woman
                        && p.rural.is_none()
                        && person_ok(&p.id, &p.lab)
                        && cut.when(p.registered_on)
                })
                .count(),
        ),
        "applications" => women(step("applied")),
        "accepted" => women(step("accepted")),
        "graduated" => women(step("graduated")),
        "active-residents" => women(distinct(
            &mut facts
                .residencies
                .iter()
                .filter(|(_, lab, cohort, status)| {
                    status == "active"
                        && cut.lab(lab)
                        && (cut.cohort.is_none() || *cohort == cut.cohort)
                })
                .map(|(p, ..)| p.as_str()),
        )),
        "training-completions" => women(distinct(
            &mut facts
                .certificates
                .iter()
                .filter(|c| person_ok(&c.person, &c.lab) && cut.when(c.on))
                .map(|c| c.person.as_str()),
        )),
        "certificates" => things(
            facts
                .certificates
                .iter()
                .filter(|c| person_ok(&c.person, &c.lab) && cut.when(c.on))
                .count() as i64,
        ),
        _ if cut.cohort.is_some()
            && matches!(
                code,
                "events-held" | "attendance" | "network-members" | "referrals"
            ) =>
        {
            none
        }
        "events-held" => things(
            facts
                .events
                .iter()
                .filter(|e| cut.lab(&e.lab) && cut.when(e.on))
                .count() as i64,
        ),
        "attendance" => {
            let n: i64 = facts
                .events
                .iter()
                .filter(|e| cut.lab(&e.lab) && cut.when(e.on))
                .map(|e| e.attended)
                .sum();
            Figure {
                code,
                value: Some(n),
                women: Some(n),
                source: None,
            }
        }
        "network-members" => women(
            facts
                .members
                .iter()
                .filter(|m| cut.lab(&m.lab) && cut.when(m.on))
                .count(),
        ),
        "referrals" => women(
            facts
                .referrals
                .iter()
                .filter(|m| cut.lab(&m.lab) && cut.when(m.on))
                .count(),
        ),
        "mentoring-sessions" => things(
            facts
                .mentoring
                .iter()
                .filter(|s| person_ok(&s.person, &s.lab) && cut.when(s.on))
                .count() as i64,
        ),
        "mentored-women" => women(distinct(
            &mut facts
                .mentoring
                .iter()
                .filter(|s| person_ok(&s.person, &s.lab) && cut.when(s.on))
                .map(|s| s.person.as_str()),
        )),
        "grants-awarded" => women(distinct(
            &mut facts
                .grants
                .iter()
                .filter(|g| person_ok(&g.person, &g.lab) && cut.when(g.on))
                .map(|g| g.person.as_str()),
        )),
        "amount-awarded" => {
            let g: Vec<&GrantFact> = facts
                .grants
                .iter()
                .filter(|g| person_ok(&g.person, &g.lab) && cut.when(g.on))
                .collect();
            let who = distinct(&mut g.iter().map(|g| g.person.as_str()));
            Figure {
                code,
                value: Some(g.iter().map(|g| g.amount).sum()),
                women: Some(who as i64),
                source: None,
            }
        }
        "jobs" => women(outcome("job")),
        "careers-restarted" => women(outcome("career-restart")),
        "businesses-launched" => women(outcome("business-launched")),
        "joint-initiatives" => women(outcome("joint-initiative")),
        "women-earning" => {
            let e = earnings(facts, people, cut);
            let who: Vec<&Earning> = e.values().filter(|e| e.any_positive).collect();
            Figure {
                code,
                value: Some(who.len() as i64),
                women: Some(who.len() as i64),
                source: Some(source_of(&who)),
            }
        }
        "median-income-change" => {
            let e = earnings(facts, people, cut);
            let mut changes = Vec::new();
            let mut behind = Vec::new();
            for (p, e) in &e {
                if let Some(before) = people.get(p).and_then(|p| p.prior_income) {
                    changes.push(e.monthly - before);
                    behind.push(e);
                }
            }
            let n = changes.len() as i64;
            match crate::deviance::median_i64(&mut changes) {
                None => none,
                Some(m) => Figure {
                    code,
                    value: Some(m),
                    women: Some(n),
                    source: Some(source_of(&behind)),
                },
            }
        }
        "self-confidence-change" => scale_change("self_confidence"),
        "gender-attitudes-change" => scale_change("gender_attitudes"),
        _ => none,
    }
}

/// A woman's monthly earnings from creative work in a cut's period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Earning {
    /// Tyiyn a month: her recorded sales in the period averaged over the months from her first to
    /// her last sale in it; without sales, the latest income she reported in the period.
    pub monthly: i64,
    /// Whether she earned anything in the period (a sale, or any reported income above zero).
    pub any_positive: bool,
    /// Whether it comes from recorded sales.
    pub from_sales: bool,
}

fn source_of(e: &[&Earning]) -> Source {
    let sales = e.iter().filter(|e| e.from_sales).count() as i64;
    Source {
        sales,
        reported: e.len() as i64 - sales,
    }
}

/// Each woman's monthly earnings in the cut: from her recorded sales where she has any in the
/// period, from the income she reported otherwise.
pub fn earnings<'a>(
    facts: &'a Facts,
    people: &HashMap<&str, &'a PersonFact>,
    cut: &Cut,
) -> BTreeMap<&'a str, Earning> {
    let in_cut = |person: &str, lab: &str, on: NaiveDate| {
        cut.lab(lab)
            && cut.when(on)
            && cut
                .cohort
                .as_ref()
                .is_none_or(|c| people.get(person).and_then(|p| p.cohort.as_ref()) == Some(c))
    };
    let month = |d: NaiveDate| d.year() as i64 * 12 + d.month0() as i64;
    // Her sales: (first month, last month, total).
    let mut sold: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for s in facts
        .sales
        .iter()
        .filter(|s| in_cut(&s.person, &s.lab, s.on))
    {
        let m = month(s.on);
        let e = sold.entry(s.person.as_str()).or_insert((m, m, 0));
        e.0 = e.0.min(m);
        e.1 = e.1.max(m);
        e.2 += s.amount;
    }
    let mut out: BTreeMap<&str, Earning> = sold
        .into_iter()
        .map(|(p, (first, last, total))| {
            (
                p,
                Earning {
                    monthly: total / (last - first + 1),
                    any_positive: total > 0,
                    from_sales: true,
                },
            )
        })
        .collect();
    let mut reported: BTreeMap<&str, (NaiveDate, Earning)> = BTreeMap::new();
    for o in &facts.outcomes {
        let Some(amount) = o.amount else { continue };
        if o.kind != "income"
            || out.contains_key(o.person.as_str())
            || !in_cut(&o.person, &o.lab, o.on)
        {
            continue;
        }
        let e = reported.entry(o.person.as_str()).or_insert((
            o.on,
            Earning {
                monthly: amount,
                any_positive: false,
                from_sales: false,
            },
        ));
        if o.on >= e.0 {
            *e = (
                o.on,
                Earning {
                    monthly: amount,
                    ..e.1
                },
            );
        }
        e.1.any_positive |= amount > 0;
    }
    out.extend(reported.into_iter().map(|(p, (_, e))| (p, e)));
    out
}

/// For each woman of the cut whose baseline income is known and whose earnings in the period are
/// known ([`earnings`]): (person, baseline income, her monthly earnings in the period), sorted by
/// person.
pub fn income_changes<'a>(
    facts: &'a Facts,
    people: &HashMap<&str, &'a PersonFact>,
    cut: &Cut,
) -> Vec<(&'a str, i64, i64)> {
    earnings(facts, people, cut)
        .into_iter()
        .filter_map(|(p, e)| {
            let before = people.get(p)?.prior_income?;
            Some((p, before, e.monthly))
        })
        .collect()
}

/// The first day of each month from `from` to `to`, as (`2026-03`, first day, last day).
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut d = from.with_day(1).unwrap_or(from);
    while d <= to && out.len() < 240 {
        let next = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        };
        let Some(next) = next else { break };
        let last = next.pred_opt().unwrap_or(next);
        out.push((d.format("%Y-%m").to_string(), d.max(from), last.min(to)));
        d = next;
    }
    out
}

/// The monthly series of indicator `code` over the cut's period.
pub fn monthly(facts: &Facts, cut: &Cut, code: &'static str) -> Vec<(String, Figure)> {
    let people: HashMap<&str, &PersonFact> =
        facts.people.iter().map(|p| (p.id.as_str(), p)).collect();
    months(cut.from, cut.to)
        .into_iter()
        .map(|(label, from, to)| {
            let c = Cut {
                from,
                to,
                ..cut.clone()
            };
            (label, figure_with(facts, &people, &c, code))
        })
        .collect()
}

/// The steps of the path, in order: a woman at a step has passed the ones before it (a woman
/// registered straight as a resident has passed application and acceptance).
const PATH: [&str; 4] = ["applied", "accepted", "active", "graduated"];

/// The path from application to earning, the same women step by step: the women who came onto
/// the path in the period (their first step is in it, none before it); of them, those who reached
/// acceptance or beyond by the end of the period; of those, those who started; of those, those who
/// graduated; of those, those earning (a sale, an income above zero, a job or a business in the
/// period).
/// Each step is a subset of the one before, so its share of the first step never exceeds the
/// share of the step before: a woman accepted in the period who applied before it is not counted.
pub fn funnel(facts: &Facts, cut: &Cut) -> Vec<(&'static str, Figure)> {
    let in_cohort = |p: &str| -> bool {
        cut.cohort.is_none()
            || facts
                .people
                .iter()
                .any(|x| x.id == p && x.cohort == cut.cohort)
    };
    let earning: BTreeSet<&str> = facts
        .outcomes
        .iter()
        .filter(|o| {
            cut.lab(&o.lab)
                && cut.when(o.on)
                && match o.kind.as_str() {
                    "income" => o.amount.is_some_and(|a| a > 0),
                    "job" | "business-launched" => true,
                    _ => false,
                }
        })
        .map(|o| o.person.as_str())
        .chain(
            facts
                .sales
                .iter()
                .filter(|s| cut.lab(&s.lab) && cut.when(s.on) && s.amount > 0)
                .map(|s| s.person.as_str()),
        )
        .filter(|&p| in_cohort(p))
        .collect();
    // Each woman's furthest step by the end of the period; `None` when she has a step before it.
    let mut furthest: BTreeMap<&str, Option<usize>> = BTreeMap::new();
    for s in facts.steps.iter().filter(|s| {
        cut.lab(&s.lab) && (cut.cohort.is_none() || s.cohort == cut.cohort) && s.on <= cut.to
    }) {
        let Some(rank) = PATH.iter().position(|p| *p == s.status) else {
            continue;
        };
        let e = furthest.entry(s.person.as_str()).or_insert(Some(rank));
        *e = if s.on < cut.from {
            None
        } else {
            e.map(|r| r.max(rank))
        };
    }
    let count = |pass: &dyn Fn(&str, usize) -> bool| -> i64 {
        let mut n = 0;
        for (&p, r) in &furthest {
            if let Some(r) = *r
                && pass(p, r)
            {
                n += 1;
            }
        }
        n
    };
    let figure = |code: &'static str, n: i64| {
        (
            code,
            Figure {
                code,
                value: Some(n),
                women: Some(n),
                source: None,
            },
        )
    };
    let mut out: Vec<(&'static str, Figure)> = PATH
        .iter()
        .enumerate()
        .map(|(k, &step)| figure(step, count(&|_, r| r >= k)))
        .collect();
    out.push(figure(
        "earning",
        count(&|p, r| r + 1 == PATH.len() && earning.contains(p)),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn person(
        id: &str,
        lab: &str,
        cohort: Option<&str>,
        rural: bool,
        prior: Option<i64>,
    ) -> PersonFact {
        PersonFact {
            id: id.into(),
            lab: lab.into(),
            cohort: cohort.map(Into::into),
            woman: true,
            rural: Some(rural),
            registered_on: d(2025, 3, 1),
            prior_income: prior,
            birth_year: Some(1990),
            occupation: None,
            family_support: "yes".into(),
        }
    }

    fn cut(labs: Option<&[&str]>, cohort: Option<&str>) -> Cut {
        Cut {
            labs: labs.map(|l| l.iter().map(|s| s.to_string()).collect()),
            cohort: cohort.map(Into::into),
            from: d(2025, 1, 1),
            to: d(2025, 12, 31),
        }
    }

    fn facts() -> Facts {
        let mut f = Facts::default();
        for (i, (lab, rural)) in [
            ("osh", true),
            ("osh", true),
            ("osh", false),
            ("batken", true),
        ]
        .iter()
        .enumerate()
        {
            f.people.push(person(
                &format!("p{i}"),
                lab,
                Some(if i < 2 { "spring" } else { "autumn" }),
                *rural,
                Some(10_000 * i as i64),
            ));
        }
        let mut man = person("m", "osh", None, false, None);
        man.woman = false;
        f.people.push(man);
        for (p, status, on) in [
            ("p0", "applied", d(2025, 2, 1)),
            ("p0", "accepted", d(2025, 3, 1)),
            ("p0", "active", d(2025, 3, 10)),
            ("p1", "applied", d(2025, 2, 3)),
            ("p2", "applied", d(2024, 12, 30)),
            ("p0", "graduated", d(2025, 7, 1)),
        ] {
            f.steps.push(StepFact {
                person: p.into(),
                lab: "osh".into(),
                cohort: Some(if p == "p2" { "autumn" } else { "spring" }.into()),
                status: status.into(),
                on,
            });
        }
        f.events.push(EventFact {
            lab: "osh".into(),
            on: d(2025, 4, 1),
            attended: 12,
        });
        f.events.push(EventFact {
            lab: "batken".into(),
            on: d(2025, 5, 1),
            attended: 3,
        });
        for (p, lab, kind, on, amount) in [
            ("p0", "osh", "income", d(2025, 6, 1), Some(30_000)),
            ("p0", "osh", "income", d(2025, 9, 1), Some(50_000)),
            ("p1", "osh", "income", d(2025, 9, 1), Some(12_000)),
            ("p2", "osh", "income", d(2025, 9, 1), Some(20_000)),
            ("p1", "osh", "job", d(2025, 9, 1), None),
            ("p3", "batken", "business-launched", d(2026, 1, 5), None),
        ] {
            f.outcomes.push(OutcomeFact {
                person: p.into(),
                lab: lab.into(),
                kind: kind.into(),
                on,
                amount,
            });
        }
        for (p, wave, score) in [
            ("p0", "baseline", 2.5),
            ("p0", "endline", 4.0),
            ("p1", "baseline", 3.0),
            ("p1", "endline", 3.5),
            ("p2", "baseline", 3.0),
        ] {
            f.scores.push(ScoreFact {
                person: p.into(),
                lab: "osh".into(),
                scale: "self_confidence".into(),
                wave: wave.into(),
                on: d(2025, if wave == "baseline" { 3 } else { 7 }, 1),
                score,
            });
        }
        f
    }

    /// Each lab's part of the facts gives that lab's figures, every indicator, whole year and by
    /// cohort, also for a woman of Batken whose income was recorded by Osh and who came to Osh's
    /// mentor.
    #[test]
    fn by_lab_gives_each_lab_its_figures() {
        let mut f = facts();
        f.outcomes.push(OutcomeFact {
            person: "p3".into(),
            lab: "osh".into(),
            kind: "income".into(),
            on: d(2025, 10, 1),
            amount: Some(40_000),
        });
        f.mentoring.push(PersonDated {
            person: "p3".into(),
            lab: "osh".into(),
            on: d(2025, 10, 2),
        });
        let codes = [
            "women-reached",
            "women-reached-rural",
            "women-reached-urban",
            "women-reached-unknown",
            "applications",
            "accepted",
            "graduated",
            "active-residents",
            "training-completions",
            "certificates",
            "events-held",
            "attendance",
            "network-members",
            "referrals",
            "mentoring-sessions",
            "mentored-women",
            "grants-awarded",
            "amount-awarded",
            "jobs",
            "careers-restarted",
            "businesses-launched",
            "joint-initiatives",
            "women-earning",
            "median-income-change",
            "self-confidence-change",
            "gender-attitudes-change",
        ];
        let parts = f.by_lab();
        assert_eq!(parts.len(), 2);
        for lab in ["osh", "batken"] {
            for c in [cut(Some(&[lab]), None), cut(Some(&[lab]), Some("spring"))] {
                assert_eq!(
                    figures(&parts[lab], &c, &codes),
                    figures(&f, &c, &codes),
                    "{lab} {c:?}"
                );
            }
        }
        // Her record is in both parts; Batken's event only in Batken's.
        assert!(parts["osh"].people.iter().any(|p| p.id == "p3"));
        assert_eq!(parts["osh"].events.len(), 1);
    }

    #[test]
    fn reach_counts_women_by_settlement_and_lab() {
        let f = facts();
        let all = cut(None, None);
        assert_eq!(figure(&f, &all, "women-reached").value, Some(4));
        assert_eq!(figure(&f, &all, "women-reached-rural").value, Some(3));
        assert_eq!(figure(&f, &all, "women-reached-urban").value, Some(1));
        assert_eq!(figure(&f, &all, "women-reached-unknown").value, Some(0));
        let mut g = f.clone();
        g.people[0].rural = None;
        // Rural + urban + unknown = women reached.
        let parts: i64 = ["rural", "urban", "unknown"]
            .iter()
            .map(|k| match *k {
                "rural" => figure(&g, &all, "women-reached-rural").value.unwrap(),
                "urban" => figure(&g, &all, "women-reached-urban").value.unwrap(),
                _ => figure(&g, &all, "women-reached-unknown").value.unwrap(),
            })
            .sum();
        assert_eq!(parts, figure(&g, &all, "women-reached").value.unwrap());
        assert_eq!(figure(&g, &all, "women-reached-unknown").value, Some(1));
        let osh = cut(Some(&["osh"]), None);
        assert_eq!(figure(&f, &osh, "women-reached-rural").value, Some(2));
        let spring = cut(None, Some("spring"));
        assert_eq!(figure(&f, &spring, "women-reached").value, Some(2));
    }

    #[test]
    fn steps_count_in_the_period_only() {
        let f = facts();
        let all = cut(None, None);
        // p2 applied in December 2024: outside the period.
        assert_eq!(figure(&f, &all, "applications").value, Some(2));
        assert_eq!(figure(&f, &all, "accepted").value, Some(1));
        assert_eq!(figure(&f, &all, "graduated").value, Some(1));
        let funnel = funnel(&f, &all);
        let counts: Vec<i64> = funnel.iter().map(|(_, f)| f.value.unwrap()).collect();
        // applied p0, p1; accepted, started and graduated p0; earning p0 (p1 and p2 earn, but
        // did not graduate in the period).
        assert_eq!(counts, vec![2, 1, 1, 1, 1]);
    }

    #[test]
    fn funnel_steps_are_subsets_of_the_step_before() {
        // Women accepted or earning in the period who applied before it are not counted: the old
        // funnel showed "Accepted 3 · 150%" here.
        let mut f = Facts::default();
        let mut step = |p: &str, status: &str, on: NaiveDate| {
            f.steps.push(StepFact {
                person: p.into(),
                lab: "osh".into(),
                cohort: None,
                status: status.into(),
                on,
            })
        };
        step("a", "applied", d(2025, 2, 1));
        step("a", "accepted", d(2025, 3, 1));
        step("b", "applied", d(2025, 2, 1));
        step("old", "applied", d(2024, 11, 1));
        step("old", "accepted", d(2025, 1, 10));
        step("old", "active", d(2025, 1, 20));
        step("old2", "applied", d(2024, 11, 1));
        step("old2", "accepted", d(2025, 1, 10));
        for p in ["a", "b", "old", "x", "y"] {
            f.outcomes.push(OutcomeFact {
                person: p.into(),
                lab: "osh".into(),
                kind: "income".into(),
                on: d(2025, 9, 1),
                amount: Some(5_000),
            });
        }
        let steps = funnel(&f, &cut(None, None));
        let counts: Vec<i64> = steps.iter().map(|(_, f)| f.value.unwrap()).collect();
        assert_eq!(counts, vec![2, 1, 0, 0, 0]);
        for w in steps.windows(2) {
            assert!(w[1].1.value <= w[0].1.value, "{steps:?}");
        }
    }

    #[test]
    fn zero_is_shown_and_only_one_to_four_women_are_withheld() {
        let fig = |women: i64| Figure {
            code: "amount-awarded",
            value: Some(if women == 0 { 0 } else { 100_000 }),
            women: Some(women),
            source: None,
        };
        assert!(!fig(0).suppressed(5), "a lab with no grants shows 0");
        assert!(fig(1).suppressed(5) && fig(4).suppressed(5));
        assert!(!fig(5).suppressed(5));
        let f = Facts::default();
        assert!(!figure(&f, &cut(None, None), "amount-awarded").suppressed(5));
        assert!(!figure(&f, &cut(None, None), "women-reached").suppressed(5));
    }

    fn cells(v: &[i64]) -> Vec<Cell> {
        v.iter()
            .map(|&w| Cell {
                women: w,
                hidden: (1..5).contains(&w),
            })
            .collect()
    }

    #[test]
    fn a_withheld_part_cannot_be_worked_out_from_the_total() {
        // 20 women: 13 rural, 3 urban (withheld), 4 unknown (withheld): two withheld, 7 women.
        let mut total = Cell {
            women: 20,
            hidden: false,
        };
        let mut parts = cells(&[13, 3, 4]);
        assert!(!protect(&mut total, &mut parts, 5, true));
        // 20 = 12 + 5 + 3 (only one withheld): the smallest shown part (5) goes too.
        let mut parts = cells(&[12, 5, 3, 0]);
        assert!(protect(&mut total, &mut parts, 5, true));
        let hidden: Vec<bool> = parts.iter().map(|c| c.hidden).collect();
        assert_eq!(hidden, vec![false, true, true, false], "zero stays shown");
        assert!(!total.hidden);
        // 1 + 1 withheld: together 2 women, so a third part goes too.
        let mut total = Cell {
            women: 20,
            hidden: false,
        };
        let mut parts = cells(&[1, 1, 6, 12]);
        protect(&mut total, &mut parts, 5, true);
        let hidden: Vec<bool> = parts.iter().map(|c| c.hidden).collect();
        assert_eq!(hidden, vec![true, true, true, false]);
        // Nothing left to withhold besides: the total goes.
        let mut total = Cell {
            women: 9,
            hidden: false,
        };
        let mut parts = cells(&[3, 0]);
        protect(&mut total, &mut parts, 5, true);
        assert!(total.hidden);
        // Parts decided elsewhere: only the total may go.
        let mut total = Cell {
            women: 20,
            hidden: false,
        };
        let mut parts = cells(&[3, 17]);
        protect(&mut total, &mut parts, 5, false);
        assert!(total.hidden && !parts[1].hidden);
        // A total withheld elsewhere is not left to be added up from its parts.
        let mut total = Cell {
            women: 20,
            hidden: true,
        };
        let mut parts = cells(&[12, 8, 0]);
        assert!(protect(&mut total, &mut parts, 5, true));
        assert!(parts[1].hidden && !parts[0].hidden && !parts[2].hidden);
    }

    #[test]
    fn events_do_not_cut_by_cohort_and_attendance_counts_people() {
        let f = facts();
        assert_eq!(figure(&f, &cut(None, None), "events-held").value, Some(2));
        assert_eq!(figure(&f, &cut(None, None), "events-held").women, None);
        assert_eq!(figure(&f, &cut(None, None), "attendance").value, Some(15));
        assert_eq!(
            figure(&f, &cut(None, Some("spring")), "events-held").value,
            None
        );
        let b = figure(&f, &cut(Some(&["batken"]), None), "attendance");
        assert!(
            b.suppressed(5),
            "3 people at Batken's event are too few to show"
        );
        assert!(!figure(&f, &cut(None, None), "events-held").suppressed(5));
    }

    #[test]
    fn median_income_change_uses_her_latest_income_against_her_baseline() {
        let f = facts();
        // p0: 0 → 50 000 (latest), p1: 10 000 → 12 000, p2: 20 000 → 20 000.
        let m = figure(&f, &cut(None, None), "median-income-change");
        assert_eq!(m.value, Some(2_000));
        assert_eq!(m.women, Some(3));
        assert!(m.suppressed(5));
        let spring = figure(&f, &cut(None, Some("spring")), "median-income-change");
        // Two women: the mean of the two middles (2 000 and 50 000).
        assert_eq!(spring.value, Some(26_000));
    }

    #[test]
    fn scale_change_pairs_baseline_and_endline() {
        let f = facts();
        let c = figure(&f, &cut(None, None), "self-confidence-change");
        // p0 +1.5, p1 +0.5; p2 has no endline.
        assert_eq!(c.value, Some(100));
        assert_eq!(c.women, Some(2));
        assert_eq!(
            figure(&f, &cut(None, None), "gender-attitudes-change").value,
            None
        );
    }

    #[test]
    fn outcomes_and_monthly_series() {
        let f = facts();
        assert_eq!(figure(&f, &cut(None, None), "jobs").value, Some(1));
        // Launched in January 2026: outside 2025.
        assert_eq!(
            figure(&f, &cut(None, None), "businesses-launched").value,
            Some(0)
        );
        let series = monthly(&f, &cut(None, None), "events-held");
        assert_eq!(series.len(), 12);
        assert_eq!(series[3].0, "2025-04");
        assert_eq!(series[3].1.value, Some(1));
        assert_eq!(series[0].1.value, Some(0));
    }

    #[test]
    fn sales_split_by_shares_add_up() {
        assert_eq!(split_by_shares(1_000, &[1, 1]), vec![500, 500]);
        assert_eq!(split_by_shares(1_000, &[2, 1]), vec![667, 333]);
        assert_eq!(split_by_shares(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(split_by_shares(7, &[5]), vec![7]);
        assert!(split_by_shares(7, &[]).is_empty());
    }

    #[test]
    fn earnings_come_from_sales_where_there_are_any() {
        let mut f = facts();
        let all = cut(None, None);
        let earning = figure(&f, &all, "women-earning");
        let median = figure(&f, &all, "median-income-change");
        // Without sales: what they reported, and it says so.
        assert_eq!((earning.value, median.value), (Some(3), Some(2_000)));
        assert_eq!(median.source.and_then(|s| s.kind()), Some("self-reported"));
        assert_eq!(
            earning.source,
            Some(Source {
                sales: 0,
                reported: 3
            })
        );
        // p1 sells in March and May (60 000 over three months): her 12 000 reported gives way
        // to 20 000 a month from sales; the others stay as they reported.
        for (on, amount) in [(d(2025, 3, 10), 30_000), (d(2025, 5, 2), 30_000)] {
            f.sales.push(SaleFact {
                person: "p1".into(),
                lab: "osh".into(),
                on,
                amount,
            });
        }
        let median = figure(&f, &all, "median-income-change");
        assert_eq!(median.value, Some(10_000));
        assert_eq!(
            median.source,
            Some(Source {
                sales: 1,
                reported: 2
            })
        );
        assert_eq!(median.source.and_then(|s| s.kind()), Some("mixed"));
        assert_eq!(figure(&f, &all, "women-earning").value, Some(3));
        // In spring only p1's sales are known: from sales alone.
        let spring = Cut {
            from: d(2025, 3, 1),
            to: d(2025, 5, 31),
            ..all.clone()
        };
        let m = figure(&f, &spring, "median-income-change");
        assert_eq!(m.source.and_then(|s| s.kind()), Some("sales"));
        // Sales outside the period do not count: back to what she reported.
        let later = Cut {
            from: d(2025, 6, 1),
            ..all
        };
        assert_eq!(
            figure(&f, &later, "women-earning").source,
            Some(Source {
                sales: 0,
                reported: 3
            })
        );
        // Other figures say nothing of sources.
        assert_eq!(figure(&f, &cut(None, None), "jobs").source, None);
    }

    #[test]
    fn months_cover_partial_ends() {
        let m = months(d(2025, 11, 15), d(2026, 2, 10));
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].1, d(2025, 11, 15));
        assert_eq!(m[1].0, "2025-12");
        assert_eq!(m[1].2, d(2025, 12, 31));
        assert_eq!(m[3].2, d(2026, 2, 10));
        assert!(months(d(2026, 1, 1), d(2025, 1, 1)).is_empty());
    }
}
