//! The lab's own money: costs and own income by month, the self-financing ratio (own income /
//! costs) per month and over 12 months, occupancy and income per resource, and the trend of the
//! ratio ("at the last six months' trend the lab covers half its costs in March 2028").
//! Months are `YYYY-MM` text; money in integer tyiyn.

/// `YYYY-MM` moved by `n` months.
pub fn add_months(month: &str, n: i32) -> String {
    let y: i32 = month.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(2026);
    let m: i32 = month.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let k = y * 12 + (m - 1) + n;
    format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1)
}

/// Months from `from` to `to`, inclusive (at most 240).
pub fn months(from: &str, to: &str) -> Vec<String> {
    let mut out = vec![];
    let mut m = from.to_string();
    while m.as_str() <= to && out.len() < 240 {
        out.push(m.clone());
        m = add_months(&m, 1);
    }
    out
}

/// One month of money.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonthMoney {
    pub month: String,
    pub costs: i64,
    pub own_income: i64,
    /// Own income / costs in whole per cent; `None` without costs.
    pub ratio_pct: Option<i64>,
    pub costs_by_category: Vec<(String, i64)>,
    pub costs_by_payer: Vec<(String, i64)>,
    pub income_by_source: Vec<(String, i64)>,
}

/// Use of one resource over the period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceStat {
    pub resource: String,
    pub name: String,
    pub open_minutes: i64,
    pub booked_minutes: i64,
    pub used_minutes: i64,
    /// Booked / open hours, whole per cent; `None` when never open.
    pub occupancy_pct: Option<i64>,
    pub used_pct: Option<i64>,
    pub income: i64,
}

/// Bookings of one resource in one month (the input of [`finance`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceUse {
    pub resource: String,
    pub month: String,
    pub booked_minutes: i64,
    pub used_minutes: i64,
    pub income: i64,
}

/// Where the ratio is heading.
#[derive(Debug, Clone, PartialEq)]
pub enum Trend {
    /// At the last six months' trend the ratio reaches `pct` in `month`.
    Reaches { pct: i64, month: String },
    /// The lab already covers `pct` or more of its costs.
    Already { pct: i64 },
    /// Not growing (or not within ten years).
    Flat,
    /// Fewer than three months with costs.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finance {
    pub from: String,
    pub to: String,
    pub months: Vec<MonthMoney>,
    pub costs_12m: i64,
    pub income_12m: i64,
    /// Over the 12 months ending at `to`.
    pub ratio_12m_pct: Option<i64>,
    pub target_pct: i64,
    pub resources: Vec<ResourceStat>,
    pub trend: Trend,
    /// Different women who booked in the period.
    pub women: i64,
}

/// The level the trend sentence speaks of: half the costs.
pub const TREND_LEVEL: i64 = 50;

fn pct(num: i64, den: i64) -> Option<i64> {
    (den > 0).then(|| ((num as f64) * 100.0 / den as f64).round() as i64)
}

/// Everything the money pages show, from sums by `(month, key, amount)`. Costs and income
/// are read for the 12 months before `to` as well (for the 12-month ratio).
#[allow(clippy::too_many_arguments)]
pub fn finance(
    from: &str,
    to: &str,
    costs_by_category: &[(String, String, i64)],
    costs_by_payer: &[(String, String, i64)],
    income_by_source: &[(String, String, i64)],
    uses: &[ResourceUse],
    open: &[(String, String, i64)],
    names: &[(String, String)],
    target_pct: i64,
    women: i64,
) -> Finance {
    let of = |rows: &[(String, String, i64)], m: &str| -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = vec![];
        for (month, key, amount) in rows.iter().filter(|r| r.0 == m) {
            let _ = month;
            match v.iter_mut().find(|x| &x.0 == key) {
                Some(x) => x.1 += amount,
                None => v.push((key.clone(), *amount)),
            }
        }
        v
    };
    let month_money = |m: &str| {
        let cat = of(costs_by_category, m);
        let costs: i64 = cat.iter().map(|x| x.1).sum();
        let inc = of(income_by_source, m);
        let own: i64 = inc.iter().map(|x| x.1).sum();
        MonthMoney {
            month: m.to_string(),
            costs,
            own_income: own,
            ratio_pct: pct(own, costs),
            costs_by_category: cat,
            costs_by_payer: of(costs_by_payer, m),
            income_by_source: inc,
        }
    };
    let shown: Vec<MonthMoney> = months(from, to).iter().map(|m| month_money(m)).collect();
    let last12: Vec<MonthMoney> = months(&add_months(to, -11), to)
        .iter()
        .map(|m| month_money(m))
        .collect();
    let costs_12m: i64 = last12.iter().map(|m| m.costs).sum();
    let income_12m: i64 = last12.iter().map(|m| m.own_income).sum();
    let resources = names
        .iter()
        .map(|(id, name)| {
            let open_minutes: i64 = open.iter().filter(|o| &o.0 == id).map(|o| o.2).sum();
            let u: Vec<&ResourceUse> = uses.iter().filter(|u| &u.resource == id).collect();
            let booked: i64 = u.iter().map(|x| x.booked_minutes).sum();
            let used: i64 = u.iter().map(|x| x.used_minutes).sum();
            ResourceStat {
                resource: id.clone(),
                name: name.clone(),
                open_minutes,
                booked_minutes: booked,
                used_minutes: used,
                occupancy_pct: pct(booked, open_minutes),
                used_pct: pct(used, open_minutes),
                income: u.iter().map(|x| x.income).sum(),
            }
        })
        .collect();
    Finance {
        from: from.into(),
        to: to.into(),
        trend: trend(&last12, to),
        months: shown,
        costs_12m,
        income_12m,
        ratio_12m_pct: pct(income_12m, costs_12m),
        target_pct,
        resources,
        women,
    }
}

/// The trend of the last six months with costs (least squares over the monthly ratio).
pub fn trend(months: &[MonthMoney], to: &str) -> Trend {
    let pts: Vec<(f64, f64)> = months
        .iter()
        .rev()
        .take(6)
        .filter_map(|m| {
            let r = m.ratio_pct?;
            let back = months_between(&m.month, to);
            Some((-(back as f64), r as f64))
        })
        .collect();
    if pts.len() < 3 {
        return Trend::Unknown;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let now = my - slope * mx;
    if now >= TREND_LEVEL as f64 {
        return Trend::Already { pct: TREND_LEVEL };
    }
    if slope <= 0.01 {
        return Trend::Flat;
    }
    let k = ((TREND_LEVEL as f64 - now) / slope).ceil() as i32;
    if k > 120 {
        return Trend::Flat;
    }
    Trend::Reaches {
        pct: TREND_LEVEL,
        month: add_months(to, k.max(1)),
    }
}

fn months_between(a: &str, b: &str) -> i32 {
    let k = |m: &str| {
        m.get(0..4).and_then(|s| s.parse::<i32>().ok()).unwrap_or(0) * 12
            + m.get(5..7).and_then(|s| s.parse::<i32>().ok()).unwrap_or(1)
    };
    k(b) - k(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_move() {
        assert_eq!(add_months("2026-12", 1), "2027-01");
        assert_eq!(add_months("2026-01", -1), "2025-12");
        assert_eq!(add_months("2026-03", -11), "2025-04");
        assert_eq!(months("2026-11", "2027-02").len(), 4);
    }

    fn mm(month: &str, costs: i64, income: i64) -> (String, String, i64, i64) {
        (month.into(), "rent".into(), costs, income)
    }

    #[test]
    fn the_ratio_and_its_trend() {
        let rows: Vec<_> = (0..12)
            .map(|i| mm(&add_months("2026-01", i), 100_000, 5_000 + 2_000 * i as i64))
            .collect();
        let costs: Vec<_> = rows
            .iter()
            .map(|r| (r.0.clone(), r.1.clone(), r.2))
            .collect();
        let income: Vec<_> = rows
            .iter()
            .map(|r| (r.0.clone(), "space".to_string(), r.3))
            .collect();
        let f = finance(
            "2026-01",
            "2026-12",
            &costs,
            &[],
            &income,
            &[],
            &[],
            &[],
            30,
            0,
        );
        assert_eq!(f.months[0].ratio_pct, Some(5));
        assert_eq!(f.months[11].ratio_pct, Some(27));
        assert_eq!(f.ratio_12m_pct, Some(16));
        // +2 points a month from 27 %: half in 12 months.
        assert_eq!(
            f.trend,
            Trend::Reaches {
                pct: 50,
                month: "2027-12".into()
            }
        );
        let flat: Vec<MonthMoney> = (0..6)
            .map(|i| MonthMoney {
                month: add_months("2026-01", i),
                ratio_pct: Some(10),
                ..Default::default()
            })
            .collect();
        assert_eq!(trend(&flat, "2026-06"), Trend::Flat);
        assert_eq!(trend(&flat[..2], "2026-02"), Trend::Unknown);
    }

    #[test]
    fn occupancy() {
        let f = finance(
            "2026-01",
            "2026-01",
            &[],
            &[],
            &[],
            &[ResourceUse {
                resource: "a".into(),
                month: "2026-01".into(),
                booked_minutes: 600,
                used_minutes: 300,
                income: 5000,
            }],
            &[("a".into(), "2026-01".into(), 2400)],
            &[("a".into(), "Machine".into())],
            30,
            1,
        );
        assert_eq!(f.resources[0].occupancy_pct, Some(25));
        assert_eq!(f.resources[0].used_pct, Some(13));
        assert_eq!(f.ratio_12m_pct, None);
    }
}
