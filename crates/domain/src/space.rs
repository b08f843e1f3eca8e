//! The lab's space: resources (rooms, desks, equipment) with opening hours and booking rules,
//! prices per kind of user, the slots a booking covers, and why a booking is refused.
//! Times are stored in UTC and read in Bishkek time (UTC+6 all year).
use crate::time::bishkek;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// What a resource is.
    ResourceKind {
        Room = "room",
        Desk = "desk",
        Equipment = "equipment",
    }
);

vocabulary!(
    /// Who books, for prices: a resident during her residency, an alumna, a network member, an
    /// outside maker, an organisation.
    Audience {
        Resident = "resident",
        Alumna = "alumna",
        Member = "member",
        Outsider = "outsider",
        Organisation = "organisation",
    }
);

vocabulary!(
    /// What a price is per.
    PriceUnit {
        Hour = "hour",
        Day = "day",
        Slot = "slot",
    }
);

vocabulary!(
    /// Where a booking stands.
    BookingStatus {
        Booked = "booked",
        Cancelled = "cancelled",
        Arrived = "arrived",
        NoShow = "no-show",
        Blocked = "blocked",
    }
);

vocabulary!(
    /// Kinds of plan.
    PlanKind {
        Monthly = "monthly",
        DayPass = "day-pass",
        Pack = "pack",
    }
);

vocabulary!(
    /// How a payment came.
    PaymentMethod {
        Cash = "cash",
        BankTransfer = "bank-transfer",
        MobileWallet = "mobile-wallet",
        Card = "card",
    }
);

vocabulary!(
    /// What an invoice line is for; also the source of the income it brings.
    LineItem {
        Booking = "booking",
        Plan = "plan",
        Hall = "hall",
        Event = "event",
        Other = "other",
    }
);

vocabulary!(
    /// What a lab spends on.
    CostCategory {
        Rent = "rent",
        Utilities = "utilities",
        Salaries = "salaries",
        Materials = "materials",
        Equipment = "equipment",
        Events = "events",
    }
);

vocabulary!(
    /// Who paid a cost.
    Payer {
        Undp = "undp",
        Donor = "donor",
        Host = "host",
        Crowdfunding = "crowdfunding",
        Own = "own",
    }
);

/// Opening hours of one weekday in local time: `None` is closed.
pub type DayHours = Option<(NaiveTime, NaiveTime)>;

/// Opening hours Monday..Sunday, written `09:00-18:00,09:00-18:00,...,` (empty = closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Week(pub [DayHours; 7]);

impl Week {
    pub fn parse(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.split(',').collect();
        if parts.len() != 7 {
            return None;
        }
        let mut days = [None; 7];
        for (i, p) in parts.iter().enumerate() {
            days[i] = parse_day(p)?;
        }
        Some(Self(days))
    }
    pub fn code(&self) -> String {
        self.0.iter().map(day_code).collect::<Vec<_>>().join(",")
    }
    pub fn day(&self, d: NaiveDate) -> DayHours {
        self.0[d.weekday().num_days_from_monday() as usize]
    }
}

/// `09:00-18:00` → open then; `` → closed; anything else → `None` (not understood).
pub fn parse_day(s: &str) -> Option<DayHours> {
    let s = s.trim();
    if s.is_empty() || s == "-" {
        return Some(None);
    }
    let (a, b) = s.split_once('-')?;
    let a = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
    let b = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
    (a < b).then_some(Some((a, b)))
}

pub fn day_code(d: &DayHours) -> String {
    match d {
        None => String::new(),
        Some((a, b)) => format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")),
    }
}

/// The booking rules of one resource.
#[derive(Debug, Clone)]
pub struct Rules {
    pub week: Week,
    pub slot_minutes: i64,
    pub horizon_days: i64,
    pub max_minutes: i64,
    pub cancel_hours: i64,
    /// Closed days (holidays, the lab's closures, maintenance days) in local dates, inclusive.
    pub closures: Vec<(NaiveDate, NaiveDate)>,
}

/// Why a booking is refused: each has a message in every language (`space-refused-…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Refusal {
    EndBeforeStart,
    Past,
    BeyondHorizon,
    TooLong,
    OffSlot,
    Closed,
    Taken,
    NoTraining,
    PlanUsedUp,
    TooLate,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Self::EndBeforeStart => "space-refused-end-before-start",
            Self::Past => "space-refused-past",
            Self::BeyondHorizon => "space-refused-beyond-horizon",
            Self::TooLong => "space-refused-too-long",
            Self::OffSlot => "space-refused-off-slot",
            Self::Closed => "space-refused-closed",
            Self::Taken => "space-refused-taken",
            Self::NoTraining => "space-refused-no-training",
            Self::PlanUsedUp => "space-refused-plan-used-up",
            Self::TooLate => "space-refused-too-late",
        }
    }
    pub const ALL: &'static [Self] = &[
        Self::EndBeforeStart,
        Self::Past,
        Self::BeyondHorizon,
        Self::TooLong,
        Self::OffSlot,
        Self::Closed,
        Self::Taken,
        Self::NoTraining,
        Self::PlanUsedUp,
        Self::TooLate,
    ];
}

/// Local date and time of an instant in Bishkek.
pub fn local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    t.with_timezone(&bishkek()).naive_local()
}

/// The instant of a local date and time in Bishkek.
pub fn at(d: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    bishkek()
        .from_local_datetime(&d.and_time(t))
        .single()
        .map(|x| x.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_time(t)))
}

impl Rules {
    pub fn closed_on(&self, d: NaiveDate) -> bool {
        self.week.day(d).is_none() || self.closures.iter().any(|(a, b)| *a <= d && d <= *b)
    }

    /// The slots of a day (start instants), whether open or not (empty when closed).
    pub fn slots_of(&self, d: NaiveDate) -> Vec<DateTime<Utc>> {
        if self.closed_on(d) {
            return vec![];
        }
        let Some((open, close)) = self.week.day(d) else {
            return vec![];
        };
        let step = Duration::minutes(self.slot_minutes.max(5));
        let mut out = vec![];
        let mut t = at(d, open);
        let end = at(d, close);
        while t + step <= end {
            out.push(t);
            t += step;
        }
        out
    }

    /// The slot starts a booking from `start` to `end` covers, or why it cannot be booked
    /// (the rules of time only: training, taken slots and plans are checked by the caller).
    /// Staff (`staff`) may book beyond the horizon and longer than the maximum.
    pub fn cover(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
        staff: bool,
    ) -> Result<Vec<DateTime<Utc>>, Refusal> {
        if end <= start {
            return Err(Refusal::EndBeforeStart);
        }
        if start < now {
            return Err(Refusal::Past);
        }
        let minutes = (end - start).num_minutes();
        if !staff {
            if start > now + Duration::days(self.horizon_days) {
                return Err(Refusal::BeyondHorizon);
            }
            if minutes > self.max_minutes {
                return Err(Refusal::TooLong);
            }
        }
        let step = self.slot_minutes.max(5);
        if minutes % step != 0 || minutes > 60 * 24 * 31 {
            return Err(Refusal::OffSlot);
        }
        let ls = local(start);
        if self.closed_on(ls.date()) {
            return Err(Refusal::Closed);
        }
        let slots = self.slots_of(ls.date());
        let first = slots.iter().position(|s| *s == start).ok_or_else(|| {
            // Inside opening hours but not on a slot boundary, or outside opening hours.
            let (open, close) = self.week.day(ls.date()).unwrap_or_default();
            if ls.time() < open || ls.time() >= close {
                Refusal::Closed
            } else {
                Refusal::OffSlot
            }
        })?;
        let n = (minutes / step) as usize;
        if first + n > slots.len() {
            return Err(Refusal::Closed);
        }
        Ok(slots[first..first + n].to_vec())
    }

    /// Whether a booking starting at `start` may still be cancelled by the person herself.
    pub fn may_cancel(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now + Duration::hours(self.cancel_hours) <= start
    }
}

/// The price of a booking of `minutes` at `amount` per `unit` (tyiyn): a day is charged for any
/// part of a day, a slot per slot, an hour per started hour.
pub fn price(unit: PriceUnit, amount: i64, minutes: i64, slot_minutes: i64) -> i64 {
    let n = match unit {
        PriceUnit::Hour => (minutes + 59) / 60,
        PriceUnit::Day => 1,
        PriceUnit::Slot => minutes / slot_minutes.max(1),
    };
    amount.saturating_mul(n)
}

/// An invoice number: `OSH-2026-0007`.
pub fn invoice_number(lab_slug: &str, year: i32, seq: i64) -> String {
    format!("{}-{year}-{seq:04}", lab_slug.to_uppercase())
}

/// Minutes from the start of the day of a local time (for week views).
pub fn minute_of_day(t: DateTime<Utc>) -> u32 {
    let l = local(t);
    l.hour() * 60 + l.minute()
}

/// Limits of typed amounts: at most 10 million som in one line or payment.
pub const MAX_AMOUNT: i64 = 10_000_000 * 100;

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            week: Week::parse(
                "09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,10:00-14:00,",
            )
            .unwrap(),
            slot_minutes: 60,
            horizon_days: 14,
            max_minutes: 240,
            cancel_hours: 2,
            closures: vec![],
        }
    }

    fn t(d: &str, hm: &str) -> DateTime<Utc> {
        at(
            NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
            NaiveTime::parse_from_str(hm, "%H:%M").unwrap(),
        )
    }

    #[test]
    fn weeks_read_and_write() {
        let w = rules().week;
        assert_eq!(Week::parse(&w.code()), Some(w.clone()));
        assert!(Week::parse("09:00-18:00").is_none());
        assert!(Week::parse("18:00-09:00,,,,,,").is_none());
    }

    #[test]
    fn bookings_cover_slots_or_are_refused() {
        let r = rules();
        // 2026-12-07 is a Monday.
        let now = t("2026-12-06", "12:00");
        let s = r
            .cover(
                t("2026-12-07", "10:00"),
                t("2026-12-07", "12:00"),
                now,
                false,
            )
            .unwrap();
        assert_eq!(s, vec![t("2026-12-07", "10:00"), t("2026-12-07", "11:00")]);
        let no = |a, b| r.cover(a, b, now, false).unwrap_err();
        assert_eq!(
            no(t("2026-12-07", "12:00"), t("2026-12-07", "10:00")),
            Refusal::EndBeforeStart
        );
        assert_eq!(
            no(t("2026-12-05", "10:00"), t("2026-12-05", "11:00")),
            Refusal::Past
        );
        assert_eq!(
            no(t("2026-12-30", "10:00"), t("2026-12-30", "11:00")),
            Refusal::BeyondHorizon
        );
        assert_eq!(
            no(t("2026-12-07", "09:00"), t("2026-12-07", "15:00")),
            Refusal::TooLong
        );
        assert_eq!(
            no(t("2026-12-13", "10:00"), t("2026-12-13", "11:00")),
            Refusal::Closed
        );
        assert_eq!(
            no(t("2026-12-07", "17:00"), t("2026-12-07", "19:00")),
            Refusal::Closed
        );
        assert_eq!(
            no(t("2026-12-07", "07:00"), t("2026-12-07", "08:00")),
            Refusal::Closed
        );
        assert_eq!(
            no(t("2026-12-07", "10:30"), t("2026-12-07", "11:30")),
            Refusal::OffSlot
        );
        let mut closed = r.clone();
        closed.closures = vec![(
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        )];
        assert_eq!(
            closed.cover(
                t("2026-12-07", "10:00"),
                t("2026-12-07", "11:00"),
                now,
                false
            ),
            Err(Refusal::Closed)
        );
        // Staff book beyond the horizon and longer.
        assert!(
            r.cover(
                t("2026-12-30", "09:00"),
                t("2026-12-30", "18:00"),
                now,
                true
            )
            .is_ok()
        );
    }

    #[test]
    fn prices_and_numbers() {
        assert_eq!(price(PriceUnit::Hour, 10000, 90, 30), 20000);
        assert_eq!(price(PriceUnit::Slot, 5000, 90, 30), 15000);
        assert_eq!(price(PriceUnit::Day, 80000, 300, 60), 80000);
        assert_eq!(invoice_number("osh", 2026, 7), "OSH-2026-0007");
    }
}
