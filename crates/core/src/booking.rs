//! Appointment availability: which start times a business can offer for a service.
//!
//! Slots come from the weekly hours and closures in the business's own time zone, step
//! by `slot_minutes` from each opening, must end by closing, start at least
//! `min_notice_minutes` from now, and keep `buffer_minutes` clear of every taken
//! interval (existing appointments, and calendar busy times when connected). Local times
//! that don't exist (the hour skipped when clocks go forward) are never offered; a local
//! time that happens twice (clocks going back) is offered once, at its first occurrence.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand_core::{OsRng, RngCore};

use crate::business::{Business, Service};
use crate::schedule::{DateHours, Schedule};

/// A span of time that is not free, `start` included, `end` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// A start time that can be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// How long an appointment for `service` takes.
pub fn duration_of(business: &Business, service: Option<&Service>) -> SignedDuration {
    let minutes = service
        .and_then(|s| s.duration_minutes)
        .unwrap_or(u32::from(business.booking.default_duration_minutes));
    SignedDuration::from_mins(i64::from(minutes))
}

/// Every free slot of `duration` on the dates `from..=to` (local dates of the business),
/// earliest first.
pub fn free_slots(
    business: &Business,
    duration: SignedDuration,
    taken: &[Taken],
    now: Timestamp,
    from: Date,
    to: Date,
) -> Vec<Slot> {
    let rules = business.booking;
    let tz = &business.timezone;
    let earliest = now
        .checked_add(SignedDuration::from_mins(i64::from(
            rules.min_notice_minutes,
        )))
        .unwrap_or(Timestamp::MAX);
    let buffer = SignedDuration::from_mins(i64::from(rules.buffer_minutes));
    let schedule = Schedule {
        hours: &business.hours,
        closures: &business.closures,
    };
    let mut slots = Vec::new();
    let mut date = from;
    while date <= to {
        if let DateHours::Open(day) = schedule.on(date) {
            for range in day.ranges() {
                let mut minute = range.open();
                while u32::from(minute) + duration.as_mins() as u32 <= u32::from(range.close()) {
                    if let Some(slot) = slot_at(tz, date, minute, duration, range.close()) {
                        let clear = taken.iter().all(|t| {
                            let busy_from = t.start.checked_sub(buffer).unwrap_or(t.start);
                            let busy_to = t.end.checked_add(buffer).unwrap_or(t.end);
                            slot.end <= busy_from || slot.start >= busy_to
                        });
                        if slot.start >= earliest && clear {
                            slots.push(slot);
                        }
                    }
                    minute += rules.slot_minutes;
                }
            }
        }
        match date.checked_add(1.day()) {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    slots
}

/// The slot starting at `minute` of the local `date`, if that local time exists and the
/// appointment ends by `close` on the same local day.
fn slot_at(
    tz: &TimeZone,
    date: Date,
    minute: u16,
    duration: SignedDuration,
    close: u16,
) -> Option<Slot> {
    let local = local_time(date, minute)?;
    let start = tz.to_ambiguous_timestamp(local);
    // A skipped local time is not offered; a repeated one, once (its earlier instant).
    let start = match start.offset() {
        jiff::tz::AmbiguousOffset::Unambiguous { .. } | jiff::tz::AmbiguousOffset::Fold { .. } => {
            start.compatible().ok()?
        }
        jiff::tz::AmbiguousOffset::Gap { .. } => return None,
    };
    let end = start.checked_add(duration).ok()?;
    let end_local = end.to_zoned(tz.clone()).datetime();
    let closing = if close >= 24 * 60 {
        date.tomorrow().ok()?.at(0, 0, 0, 0)
    } else {
        local_time(date, close)?
    };
    (end_local <= closing).then_some(Slot { start, end })
}

fn local_time(date: Date, minute: u16) -> Option<DateTime> {
    let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
    Some(date.to_datetime(time))
}

/// Characters of confirmation codes: Crockford's base32 without look-alikes, so a code
/// read over the phone is typed right.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh confirmation code like `K7Q-M2X4`: 35 random bits (a little less, see below),
/// enough that a code can't be guessed while it is only good together with its business.
///
/// Every code holds a digit: in conversation a code is told from ordinary words by its
/// digits (`leads::manage::find_code`; "TUESDAY" has the shape of a code), so a code of
/// letters alone could never be quoted back. Drawn again until it has one.
pub fn confirmation_code() -> String {
    let mut bytes = [0u8; 7];
    OsRng.fill_bytes(&mut bytes);
    while !bytes
        .iter()
        .any(|b| CODE_ALPHABET[usize::from(b & 31)].is_ascii_digit())
    {
        OsRng.fill_bytes(&mut bytes);
    }
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(b & 31)] as char)
        .collect();
    format!(
        "{}-{}",
        chars[..3].iter().collect::<String>(),
        chars[3..].iter().collect::<String>()
    )
}

/// A code as typed: case, spaces, dashes and look-alikes (`O`→`0`, `I`/`L`→`1`) forgiven.
pub fn normalize_code(typed: &str) -> Option<String> {
    let cleaned: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (cleaned.len() == 7 && cleaned.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        .then(|| format!("{}-{}", &cleaned[..3], &cleaned[3..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::demo_business;
    use jiff::civil::date;

    fn chicago(text: &str) -> Timestamp {
        text.parse::<DateTime>()
            .unwrap()
            .to_zoned(TimeZone::get("America/Chicago").unwrap())
            .unwrap()
            .timestamp()
    }

    fn local(slot: &Slot) -> String {
        slot.start
            .to_zoned(TimeZone::get("America/Chicago").unwrap())
            .strftime("%a %H:%M")
            .to_string()
    }

    #[test]
    fn slots_fill_the_opening_hours_and_end_by_closing() {
        let business = demo_business();
        let now = chicago("2026-11-30T06:00");
        let monday = date(2026, 11, 30);
        let slots = free_slots(
            &business,
            SignedDuration::from_mins(60),
            &[],
            now,
            monday,
            monday,
        );
        // 08:00–17:00 with 60-minute visits every 30 minutes: 08:00 … 16:00.
        assert_eq!(slots.len(), 17);
        assert_eq!(local(&slots[0]), "Mon 08:00");
        assert_eq!(local(slots.last().unwrap()), "Mon 16:00");
    }

    #[test]
    fn notice_closures_and_taken_times_with_buffer_are_respected() {
        let mut business = demo_business();
        business.booking.buffer_minutes = 15;
        // Monday 10:00; the minimum notice is two hours.
        let now = chicago("2026-11-30T10:00");
        let taken = [Taken {
            start: chicago("2026-11-30T14:00"),
            end: chicago("2026-11-30T15:00"),
        }];
        let slots = free_slots(
            &business,
            SignedDuration::from_mins(60),
            &taken,
            now,
            date(2026, 11, 30),
            date(2026, 11, 30),
        );
        let starts: Vec<String> = slots.iter().map(local).collect();
        assert_eq!(
            starts,
            ["Mon 12:00", "Mon 12:30", "Mon 15:30", "Mon 16:00"],
            "13:00 ends inside the 15-minute buffer before 14:00; 15:00 starts inside the one after 15:00"
        );
        // Thanksgiving is a closure; the weekend is closed.
        let thanksgiving = free_slots(
            &business,
            SignedDuration::from_mins(30),
            &[],
            now,
            date(2026, 11, 26),
            date(2026, 11, 26),
        );
        assert!(thanksgiving.is_empty());
        let weekend = free_slots(
            &business,
            SignedDuration::from_mins(30),
            &[],
            now,
            date(2026, 12, 5),
            date(2026, 12, 6),
        );
        assert!(weekend.is_empty());
    }

    #[test]
    fn daylight_saving_changes_keep_local_times_right() {
        let mut business = demo_business();
        business.hours.set(
            jiff::civil::Weekday::Sunday,
            crate::schedule::DayHours::parse("00:00-04:00").unwrap(),
        );
        let now = chicago("2026-03-01T00:00");
        // 2026-03-08: Chicago skips 02:00–03:00.
        let spring = free_slots(
            &business,
            SignedDuration::from_mins(30),
            &[],
            now,
            date(2026, 3, 8),
            date(2026, 3, 8),
        );
        let starts: Vec<String> = spring.iter().map(local).collect();
        assert!(
            !starts.iter().any(|s| s.starts_with("Sun 02:")),
            "{starts:?}"
        );
        assert!(starts.contains(&"Sun 03:00".to_owned()));
        // 2026-11-01: 01:00–02:00 happens twice; each local time is offered once.
        let now = chicago("2026-10-25T00:00");
        let fall = free_slots(
            &business,
            SignedDuration::from_mins(30),
            &[],
            now,
            date(2026, 11, 1),
            date(2026, 11, 1),
        );
        let starts: Vec<String> = fall.iter().map(local).collect();
        assert_eq!(
            starts.iter().filter(|s| *s == "Sun 01:00").count(),
            1,
            "{starts:?}"
        );
        // A 30-minute slot at 01:30 lasts 30 real minutes even on the long night.
        let half_past = fall.iter().find(|s| local(s) == "Sun 01:30").unwrap();
        assert_eq!(
            half_past.end.duration_since(half_past.start),
            SignedDuration::from_mins(30)
        );
    }

    #[test]
    fn service_durations_come_from_the_business_file() {
        let business = demo_business();
        let crowns = business.services.iter().find(|s| s.name == "Crowns");
        assert_eq!(
            duration_of(&business, crowns),
            SignedDuration::from_mins(90)
        );
        assert_eq!(duration_of(&business, None), SignedDuration::from_mins(30));
    }

    #[test]
    fn confirmation_codes_are_readable_and_forgiving() {
        let code = confirmation_code();
        assert_eq!(code.len(), 8);
        assert_eq!(
            normalize_code(&code.to_lowercase().replace('-', " ")),
            Some(code.clone())
        );
        assert_eq!(normalize_code("k7q m2x4"), Some("K7Q-M2X4".to_owned()));
        assert_eq!(normalize_code("OIL-1234"), Some("011-1234".to_owned()));
        assert_eq!(normalize_code("K7Q-M2X"), None);
        assert_eq!(normalize_code("K7Q-M2XU"), None, "U is not in the alphabet");
        assert_ne!(confirmation_code(), confirmation_code());
        // About one code in fourteen would be letters only without the redraw.
        for _ in 0..500 {
            let code = confirmation_code();
            assert!(code.chars().any(|c| c.is_ascii_digit()), "{code}");
            assert_eq!(crate::leads::manage::find_code(&code), Some(code.clone()));
        }
    }

    #[test]
    fn the_booking_table_is_validated() {
        let source = include_str!("../../../demo/demo-business.toml");
        let with = |table: &str| Business::from_toml(&format!("{source}\n[booking]\n{table}\n"));
        let rules = with("buffer_minutes = 10\nmin_notice_minutes = 60")
            .unwrap()
            .booking;
        assert_eq!(
            (
                rules.buffer_minutes,
                rules.min_notice_minutes,
                rules.slot_minutes
            ),
            (10, 60, 30)
        );
        assert!(with("slot_minutes = 1")
            .unwrap_err()
            .to_string()
            .contains("booking.slot_minutes"));
        assert!(with("surprise = 1").is_err());
    }
}
