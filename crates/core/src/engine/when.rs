//! Finding the day a visitor means: "now", "tmrw", "on friday", "this weekend",
//! "christmas", "dec 24th", "12/31", "the 3rd" — resolved against the business's local date.

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;

use super::text::Text;

/// The time a question is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// The present moment ("are you open now?").
    Now,
    /// Specific calendar dates.
    Dates(Vec<DayRef>),
    /// Recurring weekdays ("on weekends", "fridays").
    Weekdays(Vec<Weekday>),
}

/// A calendar date and how to call it in a reply ("Friday", "Christmas Day (Fri, Dec 25)").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRef {
    pub date: Date,
    pub label: String,
    /// Named by a public holiday, whose hours deserve a "please confirm".
    pub holiday: bool,
}

impl DayRef {
    /// A date that is not a holiday.
    pub fn plain(date: Date, label: String) -> Self {
        Self {
            date,
            label,
            holiday: false,
        }
    }
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

const MONTHS: [(&str, i8); 12] = [
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
];

/// The month a word names ("december", "dec", "sept"), 1-based.
pub fn month_number(word: &str) -> Option<i8> {
    MONTHS
        .iter()
        .find(|(name, _)| *name == word || (matches!(word.len(), 3 | 4) && name.starts_with(word)))
        .map(|(_, m)| *m)
}

/// The full English name of a weekday.
pub fn weekday_name(weekday: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == weekday)
        .map_or("", |(name, _)| name_case(name))
}

fn name_case(name: &'static str) -> &'static str {
    match name {
        "monday" => "Monday",
        "tuesday" => "Tuesday",
        "wednesday" => "Wednesday",
        "thursday" => "Thursday",
        "friday" => "Friday",
        "saturday" => "Saturday",
        _ => "Sunday",
    }
}

/// "Friday, Dec 25".
pub fn short_date(date: Date) -> String {
    date.strftime("%A, %b %-d").to_string()
}

/// Finds the time reference in a message, relative to the business's local `today`.
pub fn find(text: &Text, today: Date) -> Option<When> {
    if text.has_phrase(&["right", "now"])
        || text.has_any(&["now", "current", "currently", "present"])
        || text.has_phrase(&["at", "the", "moment"])
        || text.has_phrase(&["still", "open"])
    {
        return Some(When::Now);
    }
    let shift = if text.has_word("tomorrow") {
        0
    } else if text.has_phrase(&["day", "after"]) {
        1
    } else if text.has_phrase(&["day", "before"]) {
        -1
    } else {
        0
    };
    let dated = holidays(text, today).or_else(|| {
        explicit_date(text, today).map(|date| vec![DayRef::plain(date, short_date(date))])
    });
    if let Some(mut dates) = dated {
        // "the day after Christmas", "the day before the 4th".
        if shift != 0 {
            for day in &mut dates {
                day.date = day.date.checked_add(i64::from(shift).days()).ok()?;
                let relation = if shift > 0 { "after" } else { "before" };
                let name = day.label.split(" (").next().unwrap_or_default().to_owned();
                day.label = format!("the day {relation} {name} ({})", short_date(day.date));
            }
        }
        return Some(When::Dates(dates));
    }
    if text.has_phrase(&["day", "after", "tomorrow"]) {
        let date = today + 2.days();
        return Some(When::Dates(vec![DayRef::plain(date, short_date(date))]));
    }
    if text.has_word("tomorrow") {
        let date = today.tomorrow().ok()?;
        return Some(When::Dates(vec![DayRef::plain(
            date,
            format!("tomorrow ({})", weekday_name(date.weekday())),
        )]));
    }
    if text.has_any(&["today", "tonight"])
        || text.has_phrase(&["this", "afternoon"])
        || text.has_phrase(&["this", "evening"])
    {
        return Some(When::Dates(vec![DayRef::plain(today, "today".to_owned())]));
    }
    weekdays(text, today)
}

fn weekdays(text: &Text, today: Date) -> Option<When> {
    let recurring = text.has_any(&["weekend", "weekday"])
        || text.tokens.iter().any(|t| {
            t.word.ends_with("days") && WEEKDAYS.iter().any(|(n, _)| t.word.starts_with(n))
        });
    if text.has_word("weekend") || text.has_word("weekends") {
        let days = vec![Weekday::Saturday, Weekday::Sunday];
        return Some(if text.has_word("weekends") || !text.has("this") {
            When::Weekdays(days)
        } else {
            When::Dates(
                days.into_iter()
                    .map(|d| {
                        let (date, label) = next_weekday(today, d);
                        DayRef::plain(date, label)
                    })
                    .collect(),
            )
        });
    }
    if text.has_word("weekdays") || text.has_phrase(&["during", "the", "week"]) {
        return Some(When::Weekdays(vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ]));
    }
    let named: Vec<Weekday> = WEEKDAYS
        .iter()
        .filter(|(name, _)| {
            text.tokens
                .iter()
                .any(|t| t.word == *name || t.word.strip_suffix('s') == Some(name))
        })
        .map(|(_, weekday)| *weekday)
        .collect();
    if named.is_empty() {
        return None;
    }
    let plural = text
        .tokens
        .iter()
        .any(|t| t.word.ends_with("days") && t.word.len() > 7);
    if recurring || plural {
        return Some(When::Weekdays(named));
    }
    let after_next_week = text.has_phrase(&["next", "week"]);
    Some(When::Dates(
        named
            .into_iter()
            .map(|weekday| {
                let (date, label) = next_weekday(today, weekday);
                if after_next_week && date.weekday() != today.weekday() && date < today + 7.days() {
                    let later = date + 7.days();
                    DayRef::plain(
                        later,
                        format!("{} ({})", weekday_name(weekday), short_date(later)),
                    )
                } else {
                    DayRef::plain(date, label)
                }
            })
            .collect(),
    ))
}

/// The next date (today included) falling on a weekday, labelled for a reply.
fn next_weekday(today: Date, weekday: Weekday) -> (Date, String) {
    let ahead =
        (weekday.to_monday_zero_offset() - today.weekday().to_monday_zero_offset()).rem_euclid(7);
    let date = today + i64::from(ahead).days();
    let label = if ahead == 0 {
        format!("today ({})", weekday_name(weekday))
    } else {
        weekday_name(weekday).to_owned()
    };
    (date, label)
}

/// The next occurrence (today included) of a month/day.
fn upcoming(today: Date, month: i8, day: i8) -> Option<Date> {
    let this_year = Date::new(today.year(), month, day).ok()?;
    if this_year >= today {
        Some(this_year)
    } else {
        Date::new(today.year() + 1, month, day).ok()
    }
}

/// The `n`th (1-based) weekday of a month; `n = -1` is the last one.
fn nth_weekday(year: i16, month: i8, weekday: Weekday, n: i8) -> Option<Date> {
    let first = Date::new(year, month, 1).ok()?;
    if n > 0 {
        first.nth_weekday_of_month(n, weekday).ok()
    } else {
        first
            .last_of_month()
            .nth_weekday(-1, weekday)
            .ok()
            .or_else(|| {
                let last = first.last_of_month();
                (last.weekday() == weekday).then_some(last)
            })
    }
}

/// Easter Sunday (Anonymous Gregorian algorithm).
fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).ok()
}

type HolidayRule = fn(i16) -> Option<Date>;

/// Holidays visitors ask about, each with the stems that name it.
const HOLIDAYS: &[(&str, &[&[&str]], HolidayRule)] = &[
    ("Christmas Eve", &[&["christma", "eve"]], |y| {
        Date::new(y, 12, 24).ok()
    }),
    ("Christmas Day", &[&["christma"]], |y| {
        Date::new(y, 12, 25).ok()
    }),
    ("Boxing Day", &[&["box", "day"]], |y| {
        Date::new(y, 12, 26).ok()
    }),
    (
        "New Year's Eve",
        &[&["new", "year", "eve"], &["new", "years", "eve"]],
        |y| Date::new(y, 12, 31).ok(),
    ),
    (
        "New Year's Day",
        &[&["new", "year"], &["new", "years"]],
        |y| Date::new(y, 1, 1).ok(),
    ),
    (
        "Independence Day",
        &[
            &["independ", "day"],
            &["4th", "of", "juli"],
            &["fourth", "of", "juli"],
            &["juli", "4th"],
            &["juli", "4"],
        ],
        |y| Date::new(y, 7, 4).ok(),
    ),
    ("Thanksgiving", &[&["thanksgiv"]], |y| {
        nth_weekday(y, 11, Weekday::Thursday, 4)
    }),
    ("Black Friday", &[&["black", "friday"]], |y| {
        nth_weekday(y, 11, Weekday::Thursday, 4).map(|d| d + 1.day())
    }),
    ("Memorial Day", &[&["memori", "day"]], |y| {
        nth_weekday(y, 5, Weekday::Monday, -1)
    }),
    ("Labor Day", &[&["labor", "day"], &["labour", "day"]], |y| {
        nth_weekday(y, 9, Weekday::Monday, 1)
    }),
    (
        "Martin Luther King Jr. Day",
        &[&["mlk"], &["martin", "luther"]],
        |y| nth_weekday(y, 1, Weekday::Monday, 3),
    ),
    ("Presidents' Day", &[&["presid", "day"]], |y| {
        nth_weekday(y, 2, Weekday::Monday, 3)
    }),
    ("Juneteenth", &[&["juneteenth"]], |y| {
        Date::new(y, 6, 19).ok()
    }),
    ("Veterans Day", &[&["veteran", "day"]], |y| {
        Date::new(y, 11, 11).ok()
    }),
    ("Halloween", &[&["halloween"]], |y| {
        Date::new(y, 10, 31).ok()
    }),
    ("Valentine's Day", &[&["valentin"]], |y| {
        Date::new(y, 2, 14).ok()
    }),
    ("Easter Sunday", &[&["easter"]], easter),
    ("Good Friday", &[&["good", "friday"]], |y| {
        easter(y).map(|d| d - 2.days())
    }),
];

fn holidays(text: &Text, today: Date) -> Option<Vec<DayRef>> {
    let mut found: Vec<DayRef> = Vec::new();
    let mut claimed: Vec<usize> = Vec::new();
    for (name, phrases, rule) in HOLIDAYS {
        let Some(start) = phrases.iter().find_map(|p| text.position_of(p)) else {
            continue;
        };
        // "Christmas Eve" must not also count as "Christmas".
        if claimed.contains(&start) {
            continue;
        }
        claimed.push(start);
        let date = rule(today.year())
            .filter(|d| *d >= today)
            .or_else(|| rule(today.year() + 1))?;
        found.push(DayRef {
            date,
            label: format!("{name} ({})", short_date(date)),
            holiday: true,
        });
    }
    (!found.is_empty()).then_some(found)
}

/// "dec 24", "24th of december", "12/24", "the 3rd".
fn explicit_date(text: &Text, today: Date) -> Option<Date> {
    let words: Vec<&str> = text.tokens.iter().map(|t| t.word.as_str()).collect();
    let month_of = month_number;
    let day_of = |word: &str| -> Option<i8> {
        let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &word[digits.len()..];
        if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
            return None;
        }
        digits.parse::<i8>().ok().filter(|d| (1..=31).contains(d))
    };
    for (i, word) in words.iter().enumerate() {
        let Some(month) = month_of(word) else {
            continue;
        };
        // "may" is usually a verb: require a day number right next to it.
        if let Some(day) = words.get(i + 1).and_then(|w| day_of(w)) {
            return upcoming(today, month, day);
        }
        let before = if i >= 2 && words[i - 1] == "of" {
            words.get(i - 2)
        } else {
            i.checked_sub(1).and_then(|j| words.get(j))
        };
        if let Some(day) = before.and_then(|w| day_of(w)) {
            return upcoming(today, month, day);
        }
    }
    if let Some(date) = slash_date(&text.lower, today) {
        return Some(date);
    }
    // "the 3rd": an ordinal day of this month, or next month if already past.
    for (i, word) in words.iter().enumerate() {
        let ordinal = word.len() > 2 && ["st", "nd", "rd", "th"].iter().any(|s| word.ends_with(s));
        if ordinal && i > 0 && matches!(words[i - 1], "the" | "on") {
            if let Some(day) = day_of(word) {
                let this_month = Date::new(today.year(), today.month(), day).ok();
                return match this_month {
                    Some(d) if d >= today => Some(d),
                    _ => {
                        let next = today.first_of_month() + 1.month();
                        Date::new(next.year(), next.month(), day).ok()
                    }
                };
            }
        }
    }
    None
}

/// "12/24" or "12/24/2026" in US month/day order.
fn slash_date(lower: &str, today: Date) -> Option<Date> {
    for candidate in lower.split(|c: char| c.is_whitespace() || c == ',' || c == '?') {
        let mut parts = candidate.split('/');
        let (Some(m), Some(d)) = (parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(month), Ok(day)) = (m.parse::<i8>(), d.parse::<i8>()) else {
            continue;
        };
        if !(1..=12).contains(&month) {
            continue;
        }
        return match parts.next().and_then(|y| y.parse::<i16>().ok()) {
            Some(year) if year >= 2000 => Date::new(year, month, day).ok(),
            Some(year) if year < 100 => Date::new(2000 + year, month, day).ok(),
            _ => upcoming(today, month, day),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::text::Normalizer;
    use jiff::civil::date;

    fn when(text: &str) -> Option<When> {
        // Monday 2026-11-23.
        find(&Normalizer::new([]).normalize(text), date(2026, 11, 23))
    }

    fn first_date(text: &str) -> Date {
        match when(text) {
            Some(When::Dates(dates)) => dates[0].date,
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn relative_days() {
        assert_eq!(when("are you open rn"), Some(When::Now));
        assert_eq!(first_date("open tmrw?"), date(2026, 11, 24));
        assert_eq!(first_date("hours today"), date(2026, 11, 23));
        assert_eq!(
            first_date("what time do you close on friday"),
            date(2026, 11, 27)
        );
        assert_eq!(first_date("open on monday?"), date(2026, 11, 23));
        assert_eq!(first_date("next friday"), date(2026, 11, 27));
        assert_eq!(first_date("friday next week"), date(2026, 12, 4));
    }

    #[test]
    fn holidays_and_dates() {
        assert_eq!(first_date("open on christmas?"), date(2026, 12, 25));
        assert_eq!(first_date("xmas eve hours"), date(2026, 12, 24));
        assert_eq!(first_date("thanksgiving"), date(2026, 11, 26));
        assert_eq!(first_date("new years day"), date(2027, 1, 1));
        assert_eq!(first_date("open on 4th of july?"), date(2027, 7, 4));
        assert_eq!(first_date("easter"), date(2027, 3, 28));
        assert_eq!(first_date("dec 24th"), date(2026, 12, 24));
        assert_eq!(first_date("the 2nd of january"), date(2027, 1, 2));
        assert_eq!(first_date("open 12/31?"), date(2026, 12, 31));
        assert_eq!(first_date("are you open on the 3rd"), date(2026, 12, 3));
        assert_eq!(first_date("the day after christmas"), date(2026, 12, 26));
        assert_eq!(first_date("day before new years eve"), date(2026, 12, 30));
    }

    #[test]
    fn recurring_days() {
        assert_eq!(
            when("open on weekends?"),
            Some(When::Weekdays(vec![Weekday::Saturday, Weekday::Sunday]))
        );
        assert_eq!(
            when("do you work saturdays"),
            Some(When::Weekdays(vec![Weekday::Saturday]))
        );
        assert_eq!(when("what are your hours"), None);
        assert_eq!(when("may i ask something"), None);
    }
}
