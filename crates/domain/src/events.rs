//! Open events of the labs and the network: registration with capacity and a waiting list,
//! tickets, check-in, network members and ambassadors.
use serde::{Deserialize, Serialize};

vocabulary!(
    EventKind {
        MasterClass = "master-class",
        Seminar = "seminar",
        ThematicEvening = "thematic-evening",
        Fair = "fair",
        Other = "other",
    }
);

vocabulary!(
    /// Whether an event is listed for its lab only or for the whole network.
    EventScope {
        Lab = "lab",
        Network = "network",
    }
);

vocabulary!(
    RegistrationStatus {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
    }
);

/// Where a new registration goes: a seat while any is free, else the waiting list.
pub fn place_for(capacity: u32, confirmed: u32) -> RegistrationStatus {
    if confirmed < capacity {
        RegistrationStatus::Confirmed
    } else {
        RegistrationStatus::Waitlisted
    }
}

/// How a reminder names the day of the event, seen from the day it is sent (both in Bishkek):
/// a reminder sent on the day itself says "today", not "tomorrow".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderDay {
    Today,
    Tomorrow,
    /// Any other day: the date is written out.
    On(chrono::NaiveDate),
}

pub fn reminder_day(
    sent_at: chrono::DateTime<chrono::Utc>,
    starts_at: chrono::DateTime<chrono::Utc>,
) -> ReminderDay {
    let b = crate::time::bishkek();
    let sent = sent_at.with_timezone(&b).date_naive();
    let day = starts_at.with_timezone(&b).date_naive();
    match (day - sent).num_days() {
        0 => ReminderDay::Today,
        1 => ReminderDay::Tomorrow,
        _ => ReminderDay::On(day),
    }
}

/// How many from the head of the waiting list move up when seats free.
pub fn promotions(capacity: u32, confirmed: u32, waiting: u32) -> u32 {
    capacity.saturating_sub(confirmed).min(waiting)
}

/// A ticket code short enough to read out at the door: 8 characters of Crockford base32
/// (no I, L, O, U), case-insensitive when typed.
pub fn ticket_code(random: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..8)
        .map(|i| ALPHABET[((random >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// Normalises a typed ticket code: case, spaces, dashes, and the letters people confuse.
pub fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_name_the_real_day_in_bishkek() {
        use chrono::{NaiveDate, TimeZone, Utc};
        let at = |d, h, m| Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap();
        // 14:00 Bishkek on 10 December is 08:00 UTC.
        let starts = at(10, 8, 0);
        assert_eq!(reminder_day(at(9, 8, 0), starts), ReminderDay::Tomorrow);
        // Registered the same morning (09:00 Bishkek): the reminder goes out at once.
        assert_eq!(reminder_day(at(10, 3, 0), starts), ReminderDay::Today);
        // 20:00 UTC on the 9th is already 02:00 on the 10th in Bishkek.
        assert_eq!(reminder_day(at(9, 20, 0), starts), ReminderDay::Today);
        assert_eq!(
            reminder_day(at(7, 8, 0), starts),
            ReminderDay::On(NaiveDate::from_ymd_opt(2026, 12, 10).unwrap())
        );
    }

    #[test]
    fn seats_then_waiting_list() {
        assert_eq!(place_for(2, 0), RegistrationStatus::Confirmed);
        assert_eq!(place_for(2, 1), RegistrationStatus::Confirmed);
        assert_eq!(place_for(2, 2), RegistrationStatus::Waitlisted);
        assert_eq!(place_for(0, 0), RegistrationStatus::Waitlisted);
    }

    #[test]
    fn promotion_fills_only_free_seats() {
        assert_eq!(promotions(10, 9, 5), 1);
        assert_eq!(promotions(10, 10, 5), 0);
        assert_eq!(promotions(10, 4, 2), 2);
        assert_eq!(promotions(3, 5, 2), 0, "over capacity after an edit");
    }

    #[test]
    fn codes_read_back_however_typed() {
        let code = ticket_code(0x0123_4567_89ab_cdef);
        assert_eq!(code.len(), 8);
        assert_eq!(normalise_code(&code.to_lowercase()), code);
        assert_eq!(normalise_code("ab-cd o1l"), "ABCD011");
        assert!(!code.contains(['I', 'L', 'O', 'U']));
    }
}
