//! Offering appointment times in a conversation and understanding the visitor's pick:
//! "Tue, Dec 1 at 9:00 AM, 10:30 AM, or Wed, Dec 2 at 2:00 PM?" → "the second one",
//! "10:30", "wednesday", "any time after 3", "next tuesday morning", "none of those".

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::booking::{free_slots, Slot, Taken};
use crate::business::Business;
use crate::engine::Knowledge;
use crate::schedule::clock_time;

/// How many times one reply offers.
pub const OFFERED: usize = 3;

/// A slot as kept in the draft between turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedSlot {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl From<Slot> for OfferedSlot {
    fn from(slot: Slot) -> Self {
        Self {
            start: slot.start,
            end: slot.end,
        }
    }
}

/// What the visitor would like: days, a part of the day, a bound on the hour.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preference {
    pub dates: Vec<Date>,
    pub weekdays: Vec<Weekday>,
    /// Minutes since midnight: the slot starts at or after this.
    pub not_before: Option<u16>,
    /// Minutes since midnight: the slot starts before this.
    pub before: Option<u16>,
    /// Only slots after this instant ("other times", "later").
    pub after: Option<Timestamp>,
}

impl Preference {
    pub fn is_empty(&self) -> bool {
        *self == Preference::default()
    }
}

/// Reads a time preference from a message ("tuesday morning", "after 3", "before noon").
pub fn preference(knowledge: &Knowledge, message: &str, today: Date) -> Preference {
    let lowered = message.to_lowercase();
    let (dates, weekdays) =
        crate::engine::days_named(knowledge, message, today).unwrap_or_default();
    let mut pref = Preference {
        dates,
        weekdays,
        ..Preference::default()
    };
    if lowered.contains("morning") {
        pref.before = Some(12 * 60);
    }
    if lowered.contains("afternoon") {
        pref.not_before = Some(12 * 60);
        pref.before = Some(17 * 60);
    }
    if lowered.contains("evening") {
        pref.not_before = Some(17 * 60);
    }
    let words: Vec<&str> = lowered.split_whitespace().collect();
    for pair in words.windows(2) {
        let bound = hour_of(pair[1]);
        match (pair[0], bound) {
            ("after" | "from", Some(minute)) => pref.not_before = Some(minute),
            ("before" | "by", Some(minute)) => pref.before = Some(minute),
            _ => {}
        }
    }
    pref
}

/// "3" → 15:00 (a bare hour from 1 to 7 means the afternoon: nobody books 3 AM), "3pm",
/// "10am", "10:30", "noon".
fn hour_of(word: &str) -> Option<u16> {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != ':');
    if word == "noon" || word == "lunch" {
        return Some(12 * 60);
    }
    let (digits, suffix) = match word.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&word[..i], &word[i..]),
        None => (word, ""),
    };
    let (hour, minute) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?),
        None => (digits.parse::<u16>().ok()?, 0),
    };
    if hour > 23 || minute > 59 {
        return None;
    }
    let hour = match suffix {
        "pm" | "p" if hour < 12 => hour + 12,
        "am" | "a" if hour == 12 => 0,
        "am" | "a" | "pm" | "p" | "" | "h" => hour,
        _ => return None,
    };
    let hour = if suffix.is_empty() && (1..=7).contains(&hour) {
        hour + 12
    } else {
        hour
    };
    Some(hour * 60 + minute)
}

/// Up to [`OFFERED`] free slots that fit the preference, spread out: the first free time
/// of each of the next days, or, when one day is wanted, times spread over that day.
pub fn offer(
    business: &Business,
    duration: SignedDuration,
    taken: &[Taken],
    now: Timestamp,
    pref: &Preference,
) -> Vec<OfferedSlot> {
    let tz = &business.timezone;
    let today = now.to_zoned(tz.clone()).date();
    let last = today
        .checked_add(i64::from(business.booking.horizon_days).days())
        .unwrap_or(today);
    let fits = |slot: &Slot| {
        let local = slot.start.to_zoned(tz.clone());
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        (pref.dates.is_empty() || pref.dates.contains(&local.date()))
            && (pref.weekdays.is_empty() || pref.weekdays.contains(&local.date().weekday()))
            && pref.not_before.is_none_or(|m| minute >= m)
            && pref.before.is_none_or(|m| minute < m)
            && pref.after.is_none_or(|after| slot.start > after)
    };
    let slots: Vec<Slot> = free_slots(business, duration, taken, now, today, last)
        .into_iter()
        .filter(fits)
        .collect();
    let picked: Vec<Slot> = if pref.dates.len() == 1 {
        spread(&slots)
    } else {
        let mut days = Vec::new();
        let mut firsts = Vec::new();
        for slot in &slots {
            let day = slot.start.to_zoned(tz.clone()).date();
            if !days.contains(&day) {
                days.push(day);
                firsts.push(*slot);
            }
            if firsts.len() == OFFERED {
                break;
            }
        }
        firsts
    };
    picked.into_iter().map(OfferedSlot::from).collect()
}

/// Three times spread over a day's free slots: the first, one from the middle, the last.
fn spread(slots: &[Slot]) -> Vec<Slot> {
    let day: Vec<Slot> = match slots.first() {
        Some(first) => slots
            .iter()
            .take_while(|s| s.start.duration_since(first.start) < SignedDuration::from_hours(24))
            .copied()
            .collect(),
        None => return Vec::new(),
    };
    if day.len() <= OFFERED {
        return day;
    }
    vec![day[0], day[day.len() / 2], day[day.len() - 1]]
}

/// "Tue, Dec 1 at 9:00 AM"
pub fn describe(slot: &OfferedSlot, tz: &TimeZone) -> String {
    let local = slot.start.to_zoned(tz.clone());
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    format!("{} at {}", local.strftime("%a, %b %-d"), clock_time(minute))
}

/// The offer as one sentence: "Tue, Dec 1 at 9:00 AM, Tue, Dec 1 at 10:30 AM or Wed, Dec 2
/// at 2:00 PM".
pub fn describe_all(slots: &[OfferedSlot], tz: &TimeZone) -> String {
    let described: Vec<String> = slots.iter().map(|s| describe(s, tz)).collect();
    match described.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What a reply to an offer means.
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    Chosen(OfferedSlot),
    /// None of these: offer others (later ones, or matching a new preference).
    Others(Preference),
    Unclear,
}

/// Understands the visitor's choice among the offered slots.
pub fn pick(knowledge: &Knowledge, offered: &[OfferedSlot], message: &str, now: Timestamp) -> Pick {
    let tz = &knowledge.business.timezone;
    let lowered = message.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphanumeric() && c != ':')
        .filter(|w| !w.is_empty())
        .collect();
    let ordinal = [
        (&["first", "1st", "earliest", "1"][..], 0usize),
        (&["second", "2nd", "two", "middle", "2"][..], 1),
        (&["third", "3rd", "three", "3"][..], 2),
    ];
    let none = [
        "none",
        "neither",
        "other",
        "others",
        "different",
        "later",
        "another",
    ];
    if none.iter().any(|w| words.contains(w))
        || lowered.contains("don't work")
        || lowered.contains("doesn't work")
    {
        let mut pref = preference(knowledge, message, now.to_zoned(tz.clone()).date());
        if pref.is_empty() {
            // "None of those" turns down the days offered: go on from the next day.
            pref.after = offered
                .last()
                .and_then(|s| s.start.to_zoned(tz.clone()).date().tomorrow().ok())
                .and_then(|day| day.to_zoned(tz.clone()).ok())
                .map(|midnight| midnight.timestamp() - jiff::SignedDuration::from_secs(1));
        }
        return Pick::Others(pref);
    }
    let at_minute = |slot: &OfferedSlot| {
        let local = slot.start.to_zoned(tz.clone());
        (
            local.date(),
            local.hour() as u16 * 60 + local.minute() as u16,
        )
    };
    // A time: "10:30", "9am", "at 2" — matched against the offered times.
    let times: Vec<u16> = words.iter().filter_map(|w| hour_of(w)).collect();
    let today = now.to_zoned(tz.clone()).date();
    let (dates, weekdays) =
        crate::engine::days_named(knowledge, message, today).unwrap_or_default();
    let day_matches = |slot: &OfferedSlot| {
        let (date, _) = at_minute(slot);
        (dates.is_empty() && weekdays.is_empty())
            || dates.contains(&date)
            || weekdays.contains(&date.weekday())
    };
    let explicit_times: Vec<u16> = times
        .iter()
        .copied()
        .filter(|_| {
            words
                .iter()
                .any(|w| w.contains(':') || w.ends_with("am") || w.ends_with("pm"))
                || words.contains(&"at")
        })
        .collect();
    if !explicit_times.is_empty() {
        let matching: Vec<&OfferedSlot> = offered
            .iter()
            .filter(|s| {
                day_matches(s)
                    && explicit_times
                        .iter()
                        .any(|t| *t == at_minute(s).1 || t % 720 == at_minute(s).1 % 720)
            })
            .collect();
        if let [one] = matching.as_slice() {
            return Pick::Chosen(**one);
        }
    }
    if !dates.is_empty() || !weekdays.is_empty() {
        let matching: Vec<&OfferedSlot> = offered.iter().filter(|s| day_matches(s)).collect();
        if let [one] = matching.as_slice() {
            return Pick::Chosen(**one);
        }
        if matching.is_empty() {
            return Pick::Others(preference(knowledge, message, today));
        }
    }
    for (names, index) in ordinal {
        if names.iter().any(|n| words.contains(n)) && explicit_times.is_empty() {
            if let Some(slot) = offered.get(index) {
                return Pick::Chosen(*slot);
            }
        }
    }
    if ["last", "latest"].iter().any(|w| words.contains(w)) {
        if let Some(slot) = offered.last() {
            return Pick::Chosen(*slot);
        }
    }
    if offered.len() == 1 && super::contact::yes_or_no(message) == Some(true) {
        return Pick::Chosen(offered[0]);
    }
    let pref = preference(knowledge, message, today);
    if !pref.is_empty() {
        return Pick::Others(pref);
    }
    Pick::Unclear
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::demo_business;

    fn knowledge() -> Knowledge {
        Knowledge::new(demo_business())
    }

    /// Monday 2026-11-30, 8:00 in Austin.
    fn monday_morning() -> Timestamp {
        "2026-11-30T14:00:00Z".parse().unwrap()
    }

    fn offered(pref: &Preference) -> Vec<String> {
        let k = knowledge();
        offer(
            &k.business,
            SignedDuration::from_mins(60),
            &[],
            monday_morning(),
            pref,
        )
        .iter()
        .map(|s| describe(s, &k.business.timezone))
        .collect()
    }

    #[test]
    fn offers_spread_over_days_or_over_the_day_asked_for() {
        assert_eq!(
            offered(&Preference::default()),
            [
                "Mon, Nov 30 at 10:00 AM",
                "Tue, Dec 1 at 8:00 AM",
                "Wed, Dec 2 at 8:00 AM"
            ]
        );
        let k = knowledge();
        let friday = preference(&k, "friday afternoon please", "2026-11-30".parse().unwrap());
        assert_eq!(
            offered(&friday),
            [
                "Fri, Dec 4 at noon",
                "Fri, Dec 4 at 12:30 PM",
                "Fri, Dec 4 at 1:00 PM"
            ]
        );
        let after_three = preference(&k, "any time after 3", "2026-11-30".parse().unwrap());
        assert_eq!(after_three.not_before, Some(15 * 60));
        assert!(offered(&after_three)
            .iter()
            .all(|s| s.contains("3:00 PM") || s.contains("3:30 PM") || s.contains("4:00 PM")));
    }

    #[test]
    fn a_pick_by_position_time_or_day() {
        let k = knowledge();
        let slots = offer(
            &k.business,
            SignedDuration::from_mins(60),
            &[],
            monday_morning(),
            &Preference::default(),
        );
        let now = monday_morning();
        assert_eq!(
            pick(&k, &slots, "the second one", now),
            Pick::Chosen(slots[1])
        );
        assert_eq!(
            pick(&k, &slots, "tuesday works", now),
            Pick::Chosen(slots[1])
        );
        assert_eq!(pick(&k, &slots, "10am please", now), Pick::Chosen(slots[0]));
        assert_eq!(pick(&k, &slots, "wed at 8:00", now), Pick::Chosen(slots[2]));
        assert_eq!(
            pick(&k, &slots, "the last one", now),
            Pick::Chosen(slots[2])
        );
        let Pick::Others(later) = pick(&k, &slots, "none of those work", now) else {
            panic!()
        };
        let after = later.after.unwrap();
        assert!(after > slots[2].start && after < "2026-12-03T06:00:00Z".parse().unwrap());
        assert!(
            matches!(pick(&k, &slots, "do you have thursday?", now), Pick::Others(p) if p.dates.len() == 1)
        );
        assert_eq!(pick(&k, &slots, "hmm", now), Pick::Unclear);
    }

    #[test]
    fn hours_as_people_write_them() {
        assert_eq!(hour_of("3"), Some(15 * 60));
        assert_eq!(hour_of("3pm"), Some(15 * 60));
        assert_eq!(hour_of("10am"), Some(10 * 60));
        assert_eq!(hour_of("10:30"), Some(10 * 60 + 30));
        assert_eq!(hour_of("12pm"), Some(12 * 60));
        assert_eq!(hour_of("noon"), Some(12 * 60));
        assert_eq!(hour_of("25:00"), None);
        assert_eq!(hour_of("tuesday"), None);
    }
}
