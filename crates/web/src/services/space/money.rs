//! The lab's money: costs, income, the self-financing ratio and its chart.
use super::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CostInput {
    pub month: String,
    pub category: String,
    pub paid_by: String,
    pub amount: String,
    pub note: String,
}

fn month(field: &str, s: &str, errs: &mut Vec<(String, String)>) -> Option<String> {
    let s = s.trim();
    match NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d") {
        Ok(d) if d.year() >= 2015 && d <= domain::time::today() + Duration::days(400) => {
            Some(d.format("%Y-%m").to_string())
        }
        _ => {
            errs.push((field.into(), "err-space-month".into()));
            None
        }
    }
}

pub async fn add_cost(store: &Store, actor: &Actor, lab: LabId, f: &CostInput) -> AppResult<()> {
    allow(actor, Action::ManageSpace(lab))?;
    let mut errs = vec![];
    let m = month("month", &f.month, &mut errs);
    if CostCategory::parse(&f.category).is_none() {
        errs.push(("category".into(), "err-choice".into()));
    }
    if Payer::parse(&f.paid_by).is_none() {
        errs.push(("paid_by".into(), "err-choice".into()));
    }
    let amount = match domain::Money::parse_som("amount", &f.amount) {
        Ok(Some(m)) if m.0 > 0 && m.0 <= domain::space::MAX_AMOUNT => Some(m.0),
        Ok(Some(m)) if m.0 > 0 => {
            errs.push(("amount".into(), "err-space-amount-absurd".into()));
            None
        }
        _ => {
            errs.push(("amount".into(), "err-space-amount".into()));
            None
        }
    };
    let note = limit("note", &f.note, 200, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = store.begin().await?;
    let id = db::insert_cost(
        &mut tx,
        &db::NewCost {
            lab,
            month: &m.unwrap_or_default(),
            category: f.category.trim(),
            paid_by: f.paid_by.trim(),
            amount: amount.unwrap_or(0),
            note: &note,
            by: actor.user_id,
        },
    )
    .await?;
    commit(tx, entry(actor, "space.cost", "cost", id, Some(lab))).await
}

pub use analytics::space::{Finance, MonthMoney};

/// Costs, own income and the self-financing ratio by month from `from` to `to` (`YYYY-MM`),
/// the 12 months ending at `to`, occupancy and income per resource, and the trend: the lab's
/// coordinators and the admin.
pub async fn finance(
    store: &Store,
    actor: &Actor,
    lab: LabId,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Finance> {
    allow(actor, Action::ManageSpace(lab))?;
    finance_unchecked(store, lab, from, to).await
}

/// [`finance`] without the access check: for public aggregates and the network's dashboard.
pub async fn finance_unchecked(
    store: &Store,
    lab: LabId,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Finance> {
    let mut errs = vec![];
    let today = domain::time::today();
    let to = match to {
        Some(s) if !s.is_empty() => month("to", s, &mut errs),
        _ => Some(today.format("%Y-%m").to_string()),
    };
    let from = match from {
        Some(s) if !s.is_empty() => month("from", s, &mut errs),
        _ => to.as_deref().map(|t| analytics::space::add_months(t, -11)),
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
    if from > to {
        return Err(crate::services::base::invalid("to", "err-space-range"));
    }
    let mut c = store.conn().await?;
    let twelve = analytics::space::add_months(&to, -11);
    let start = if twelve < from {
        twelve.clone()
    } else {
        from.clone()
    };
    let by_cat = db::costs_by_category(&mut c, lab, &start, &to).await?;
    let by_payer = db::costs_by_payer(&mut c, lab, &start, &to).await?;
    let income = db::income_by_source(&mut c, lab, &start, &to).await?;
    let usage = db::usage(&mut c, lab, &from, &to).await?;
    let resources = db::resources(&mut c, lab).await?;
    let target = db::settings(&mut c, lab).await?.target_pct;
    let women = db::women_using(&mut c, lab, &from, &to).await?;
    let sums = |v: &[db::Sum]| -> Vec<(String, String, i64)> {
        v.iter()
            .map(|s| (s.month.clone(), s.key.clone(), s.amount))
            .collect()
    };
    // Open minutes of each resource per month (from its weekly hours).
    let mut open = vec![];
    for r in &resources {
        let rules = db::rules(&mut c, r).await?;
        let mut m = from.clone();
        while m <= to {
            let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").unwrap_or(today);
            let mut d = first;
            let mut minutes = 0;
            while d.month() == first.month() {
                minutes += rules.slots_of(d).len() as i64 * r.slot_minutes;
                d += Duration::days(1);
            }
            open.push((r.id.to_string(), m.clone(), minutes));
            m = analytics::space::add_months(&m, 1);
        }
    }
    let uses: Vec<analytics::space::ResourceUse> = usage
        .iter()
        .map(|u| analytics::space::ResourceUse {
            resource: u.resource_id.to_string(),
            month: u.month.clone(),
            booked_minutes: u.booked_minutes,
            used_minutes: u.used_minutes,
            income: u.income,
        })
        .collect();
    let names: Vec<(String, String)> = resources
        .iter()
        .map(|r| (r.id.to_string(), r.name_ky.clone()))
        .collect();
    Ok(analytics::space::finance(
        &from,
        &to,
        &sums(&by_cat),
        &sums(&by_payer),
        &sums(&income),
        &uses,
        &open,
        &names,
        target,
        women,
    ))
}

/// A sentence for the trend, in the reader's language.
pub fn trend_text(lang: crate::i18n::Lang, lab_name: &str, f: &Finance) -> String {
    use analytics::space::Trend;
    let fill = |key: &str, vals: &[(&str, String)]| {
        let args: Vec<(&str, fluent_templates::fluent_bundle::FluentValue<'_>)> =
            vals.iter().map(|(k, v)| (*k, v.clone().into())).collect();
        lang.t_args(key, &args)
    };
    match &f.trend {
        Trend::Reaches { pct, month } => fill(
            "space-trend-reaches",
            &[
                ("name", lab_name.into()),
                ("n", pct.to_string()),
                ("when", month_name(lang, month)),
            ],
        ),
        Trend::Already { pct } => fill(
            "space-trend-already",
            &[("name", lab_name.into()), ("n", pct.to_string())],
        ),
        Trend::Flat => fill("space-trend-flat", &[("name", lab_name.into())]),
        Trend::Unknown => lang.t("space-trend-unknown"),
    }
}

/// `2028-03` as "March 2028" in the reader's language.
pub fn month_name(lang: crate::i18n::Lang, month: &str) -> String {
    let m: u32 = month.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    format!(
        "{} {}",
        lang.t(&format!("space-month-{m}")),
        month.get(0..4).unwrap_or("")
    )
}

/// The monthly ratio as an SVG chart with the target.
pub fn ratio_chart(lang: crate::i18n::Lang, f: &Finance) -> String {
    let points: Vec<(String, Option<i64>)> = f
        .months
        .iter()
        .map(|m| (m.month[2..].replace('-', "."), m.ratio_pct))
        .collect();
    let series = vec![
        documents::charts::Series {
            name: lang.t("space-ratio"),
            points: points.clone(),
        },
        documents::charts::Series {
            name: lang.t("space-target"),
            points: points
                .iter()
                .map(|(m, _)| (m.clone(), Some(f.target_pct)))
                .collect(),
        },
    ];
    documents::charts::monthly_series(&lang.t("space-ratio-chart"), &series, "—")
}

/// Costs and own income by month as an SVG chart (som).
pub fn money_chart(lang: crate::i18n::Lang, f: &Finance) -> String {
    let pts = |g: fn(&MonthMoney) -> i64| -> Vec<(String, Option<i64>)> {
        f.months
            .iter()
            .map(|m| (m.month[2..].replace('-', "."), Some(g(m) / 100)))
            .collect()
    };
    documents::charts::monthly_series(
        &lang.t("space-money-chart"),
        &[
            documents::charts::Series {
                name: lang.t("space-costs"),
                points: pts(|m| m.costs),
            },
            documents::charts::Series {
                name: lang.t("space-own-income"),
                points: pts(|m| m.own_income),
            },
        ],
        "—",
    )
}

/// A lab's space in public figures: self-financing and occupancy over the last 12 months, and
/// how many women used the space (withheld below 5, as every public count of women).
#[derive(Debug, Clone)]
pub struct PublicSpace {
    pub lab: store::labs::Lab,
    pub ratio_pct: Option<i64>,
    pub occupancy_pct: Option<i64>,
    pub women: Option<i64>,
}

/// The public space figures of `labs` (those with costs or resources recorded).
pub async fn public_space(store: &Store, labs: &[store::labs::Lab]) -> AppResult<Vec<PublicSpace>> {
    let mut out = vec![];
    for lab in labs {
        let f = finance_unchecked(store, lab.id, None, None).await?;
        if f.ratio_12m_pct.is_none() && f.resources.is_empty() {
            continue;
        }
        let open: i64 = f.resources.iter().map(|r| r.open_minutes).sum();
        let booked: i64 = f.resources.iter().map(|r| r.booked_minutes).sum();
        out.push(PublicSpace {
            lab: lab.clone(),
            ratio_pct: f.ratio_12m_pct,
            occupancy_pct: (open > 0).then(|| booked * 100 / open),
            women: (f.women >= 5).then_some(f.women),
        });
    }
    Ok(out)
}
