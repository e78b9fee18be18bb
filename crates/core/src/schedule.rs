//! Opening hours: weekly ranges plus dated closures, evaluated in the business's time zone.

use std::fmt;

use jiff::civil::{Date, Weekday};
use jiff::Zoned;

/// Minutes since local midnight; `1440` stands for the end of the day ("24:00").
type Minute = u16;

/// One opening range within a day, `open < close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    open: Minute,
    close: Minute,
}

impl TimeRange {
    /// Minutes since midnight at which the business opens.
    pub fn open(&self) -> u16 {
        self.open
    }

    /// Minutes since midnight at which the business closes (1440 = midnight).
    pub fn close(&self) -> u16 {
        self.close
    }

    fn contains(&self, minute: Minute) -> bool {
        self.open <= minute && minute < self.close
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", clock_time(self.open), clock_time(self.close))
    }
}

/// The ranges a business is open on one weekday; empty means closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayHours(Vec<TimeRange>);

impl DayHours {
    /// Parses `"closed"` or comma-separated `HH:MM-HH:MM` ranges that must not overlap.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("closed") {
            return Ok(Self::default());
        }
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let (open, close) = part.split_once('-').ok_or_else(|| {
                format!("{part:?} is not a range like \"08:00-17:00\" (or \"closed\")")
            })?;
            let open = parse_clock(open.trim()).ok_or_else(|| bad_time(open))?;
            let close = parse_clock(close.trim()).ok_or_else(|| bad_time(close))?;
            if open >= 1440 {
                return Err(bad_time(part));
            }
            if close <= open {
                return Err(format!(
                    "{part:?} closes before it opens (ranges past midnight are not supported; split them across days)"
                ));
            }
            ranges.push(TimeRange { open, close });
        }
        ranges.sort_by_key(|r| r.open);
        for pair in ranges.windows(2) {
            if pair[1].open < pair[0].close {
                return Err(format!("ranges {} and {} overlap", pair[0], pair[1]));
            }
        }
        Ok(Self(ranges))
    }

    /// The ranges in time order.
    pub fn ranges(&self) -> &[TimeRange] {
        &self.0
    }

    /// True when there is no opening range at all.
    pub fn is_closed(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_closed() {
            return f.write_str("closed");
        }
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(" and "))
    }
}

fn bad_time(text: &str) -> String {
    format!("{:?} is not a time of day like \"08:00\"", text.trim())
}

fn parse_clock(text: &str) -> Option<Minute> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    match (h, m) {
        (24, 0) => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// Renders minutes since midnight the way a front desk says them: `8:00 AM`, `12:30 PM`,
/// `midnight`.
pub fn clock_time(minute: u16) -> String {
    if minute == 0 || minute == 1440 {
        return "midnight".to_owned();
    }
    if minute == 720 {
        return "noon".to_owned();
    }
    let (h, m) = (minute / 60, minute % 60);
    let suffix = if h < 12 { "AM" } else { "PM" };
    let h12 = match h % 12 {
        0 => 12,
        h => h,
    };
    format!("{h12}:{m:02} {suffix}")
}

/// Opening hours for each weekday, Monday first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeeklyHours([DayHours; 7]);

impl WeeklyHours {
    /// Sets the hours of one weekday.
    pub fn set(&mut self, weekday: Weekday, hours: DayHours) {
        self.0[weekday.to_monday_zero_offset() as usize] = hours;
    }

    /// The hours of one weekday.
    pub fn day(&self, weekday: Weekday) -> &DayHours {
        &self.0[weekday.to_monday_zero_offset() as usize]
    }

    /// Every minute of the week at which the business opens or closes, for checking the
    /// times a reply states.
    pub fn boundaries(&self) -> Vec<u16> {
        self.0
            .iter()
            .flat_map(|day| day.ranges().iter().flat_map(|r| [r.open(), r.close()]))
            .collect()
    }

    /// True when the business is never open.
    pub fn always_closed(&self) -> bool {
        self.0.iter().all(DayHours::is_closed)
    }
}

/// What the hours are on a given calendar date once closures are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateHours<'a> {
    Open(&'a DayHours),
    Closed,
    ClosedFor { note: Option<&'a str> },
}

/// Where "now" falls in the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenState {
    /// Open until the given minute today.
    OpenUntil(u16),
    /// Closed; opens next at the given date and minute (None if never within two weeks).
    ClosedUntil(Option<(Date, u16)>),
}

/// Schedule questions answered against a business's hours and closures.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    pub hours: &'a WeeklyHours,
    pub closures: &'a [crate::business::Closure],
}

impl<'a> Schedule<'a> {
    /// The hours that apply on a date: a closure wins over the weekly hours.
    pub fn on(&self, date: Date) -> DateHours<'a> {
        if let Some(closure) = self.closures.iter().find(|c| c.date == date) {
            return DateHours::ClosedFor {
                note: closure.note.as_deref(),
            };
        }
        let day = self.hours.day(date.weekday());
        if day.is_closed() {
            DateHours::Closed
        } else {
            DateHours::Open(day)
        }
    }

    /// Whether the business is open at a local moment, and until when or from when.
    pub fn state_at(&self, now: &Zoned) -> OpenState {
        let date = now.date();
        let minute = (now.hour() as u16) * 60 + now.minute() as u16;
        if let DateHours::Open(day) = self.on(date) {
            if let Some(range) = day.ranges().iter().find(|r| r.contains(minute)) {
                return OpenState::OpenUntil(range.close);
            }
        }
        OpenState::ClosedUntil(self.next_opening(date, minute))
    }

    /// The first opening strictly after `minute` on `date`, looking two weeks ahead.
    pub fn next_opening(&self, date: Date, minute: u16) -> Option<(Date, u16)> {
        let mut day = date;
        for offset in 0..15 {
            if let DateHours::Open(hours) = self.on(day) {
                let upcoming = hours
                    .ranges()
                    .iter()
                    .find(|r| offset > 0 || r.open > minute);
                if let Some(range) = upcoming {
                    return Some((day, range.open));
                }
            }
            day = day.tomorrow().ok()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::business::Closure;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn week() -> WeeklyHours {
        let mut hours = WeeklyHours::default();
        for weekday in [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Thursday,
            Weekday::Friday,
        ] {
            hours.set(weekday, DayHours::parse("08:00-17:00").unwrap());
        }
        hours.set(
            Weekday::Wednesday,
            DayHours::parse("08:00-12:00, 13:00-17:00").unwrap(),
        );
        hours
    }

    fn at(date: Date, h: i8, m: i8) -> Zoned {
        date.at(h, m, 0, 0).in_tz("America/Chicago").unwrap()
    }

    #[test]
    fn parses_ranges_and_refuses_nonsense() {
        assert_eq!(DayHours::parse("closed").unwrap().ranges().len(), 0);
        assert_eq!(
            DayHours::parse(" 13:00-17:00 , 08:00-12:00")
                .unwrap()
                .ranges()[0]
                .open(),
            480
        );
        assert_eq!(
            DayHours::parse("00:00-24:00").unwrap().ranges()[0].close(),
            1440
        );
        for bad in [
            "8-5",
            "08:00",
            "08:00-07:00",
            "25:00-26:00",
            "08:60-09:00",
            "08:00-12:00,11:59-13:00",
            "",
        ] {
            assert!(DayHours::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn open_now_and_next_opening() {
        let hours = week();
        let closures = [Closure {
            date: date(2026, 12, 25),
            note: Some("Christmas Day".into()),
        }];
        let schedule = Schedule {
            hours: &hours,
            closures: &closures,
        };
        // Wednesday 2026-11-25 at 12:30: lunch break.
        assert_eq!(
            schedule.state_at(&at(date(2026, 11, 25), 12, 30)),
            OpenState::ClosedUntil(Some((date(2026, 11, 25), 780)))
        );
        assert_eq!(
            schedule.state_at(&at(date(2026, 11, 25), 9, 0)),
            OpenState::OpenUntil(720)
        );
        // Thursday before Christmas, after hours: Friday is a closure, so next is Monday.
        assert_eq!(
            schedule.state_at(&at(date(2026, 12, 24), 18, 0)),
            OpenState::ClosedUntil(Some((date(2026, 12, 28), 480)))
        );
        assert!(matches!(
            schedule.on(date(2026, 12, 25)),
            DateHours::ClosedFor { note: Some(_) }
        ));
    }

    #[test]
    fn clock_times_read_naturally() {
        assert_eq!(clock_time(480), "8:00 AM");
        assert_eq!(clock_time(720), "noon");
        assert_eq!(clock_time(1020), "5:00 PM");
        assert_eq!(clock_time(1440), "midnight");
        assert_eq!(clock_time(30), "12:30 AM");
    }

    proptest! {
        #[test]
        fn any_valid_range_round_trips(open in 0u16..1439, len in 1u16..600) {
            let close = (open + len).min(1440);
            let text = format!("{:02}:{:02}-{:02}:{:02}", open / 60, open % 60, close / 60, close % 60);
            let day = DayHours::parse(&text).unwrap();
            prop_assert_eq!(day.ranges()[0].open(), open);
            prop_assert_eq!(day.ranges()[0].close(), close);
        }

        #[test]
        fn parser_never_panics(text in "\\PC{0,40}") {
            let _ = DayHours::parse(&text);
        }

        #[test]
        fn open_state_agrees_with_ranges(minute in 0u16..1440) {
            let hours = week();
            let schedule = Schedule { hours: &hours, closures: &[] };
            let now = at(date(2026, 11, 25), (minute / 60) as i8, (minute % 60) as i8);
            let open = matches!(schedule.state_at(&now), OpenState::OpenUntil(_));
            let expected = (480..720).contains(&minute) || (780..1020).contains(&minute);
            prop_assert_eq!(open, expected);
        }
    }
}
