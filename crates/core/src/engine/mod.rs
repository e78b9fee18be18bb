//! The built-in engine: intent detection, slot filling (service, plan, day) and answer
//! templates filled only from the business's verified data. It never invents: anything it
//! cannot answer from the data gets an honest "I don't know" and the team's contact.

mod intent;
mod knowledge;
pub(crate) mod text;
mod when;

use jiff::civil::Date;
use jiff::{Timestamp, Zoned};

use crate::business::{format_price_range, Business, Service};
use crate::conversation::{HistoryMessage, Role};
use crate::schedule::{clock_time, DateHours, OpenState, Schedule};

pub use intent::{Analysis, Intent};
pub use knowledge::{Knowledge, KNOWN_INSURER_NAMES};
pub(crate) use text::is_common_word;
pub(crate) use when::month_number;
use when::{short_date, weekday_name, DayRef, When};

/// How many distinct answers one reply may combine ("hours and address?").
const MAX_ANSWERS: usize = 3;

/// Replies to one visitor message from verified data only.
pub fn reply(
    knowledge: &Knowledge,
    history: &[HistoryMessage],
    message: &str,
    now: Timestamp,
) -> String {
    let business = &knowledge.business;
    let local = now.to_zoned(business.timezone.clone());
    let text = knowledge.normalizer.normalize(message);
    let mut analysis = intent::analyse(&text, knowledge, local.date());
    inherit_from_history(knowledge, history, &mut analysis, &text, local.date());
    drop_incidental_service(&mut analysis, &text);
    let answers = Answers {
        knowledge,
        business,
        analysis: &analysis,
        local: &local,
        text: &text,
    };
    answers.compose()
}

/// The names of the business's services a message names, best match first (for lead
/// capture's "what is it about"). Dates in the message don't matter here, so any day
/// serves as "today".
pub fn mentioned_services(knowledge: &Knowledge, message: &str) -> Vec<String> {
    let text = knowledge.normalizer.normalize(message);
    let mut analysis = intent::analyse(&text, knowledge, jiff::civil::date(2026, 1, 5));
    drop_incidental_service(&mut analysis, &text);
    analysis
        .services
        .iter()
        .filter_map(|i| knowledge.business.services.get(*i))
        .map(|s| s.name.clone())
        .collect()
}

/// Whether a message mainly asks for a person ("can I talk to someone?", "real human
/// please"), so the team is told a visitor is waiting.
pub fn asks_for_person(knowledge: &Knowledge, message: &str) -> bool {
    let text = knowledge.normalizer.normalize(message);
    let analysis = intent::analyse(&text, knowledge, jiff::civil::date(2026, 1, 5));
    analysis
        .intents
        .first()
        .is_some_and(|(intent, _)| *intent == Intent::Human)
}

/// The days a message names, resolved against the business's local `today`: dates
/// ("tomorrow", "the 2nd", "dec 3") or weekdays ("tuesdays", "on friday").
pub fn days_named(
    knowledge: &Knowledge,
    message: &str,
    today: Date,
) -> Option<(Vec<Date>, Vec<jiff::civil::Weekday>)> {
    match when::find(&knowledge.normalizer.normalize(message), today)? {
        When::Now => None,
        When::Dates(days) => Some((days.into_iter().map(|d| d.date).collect(), Vec::new())),
        When::Weekdays(weekdays) => Some((Vec::new(), weekdays)),
    }
}

/// A follow-up such as "and on saturday?" or "what about whitening?" carries no intent of
/// its own: it takes the intent of the visitor's previous question. One such as "how long
/// does that take?" has an intent but no service: it takes the previous one's service.
fn inherit_from_history(
    knowledge: &Knowledge,
    history: &[HistoryMessage],
    analysis: &mut Analysis,
    text: &text::Text,
    today: Date,
) {
    let Some(previous) = history.iter().rev().find(|m| m.role == Role::Visitor) else {
        return;
    };
    let needs_service = analysis.services.is_empty()
        && analysis
            .intents
            .iter()
            .any(|(i, _)| matches!(i, Intent::Price | Intent::Duration))
        && text.has_any(&["that", "it", "this", "one", "them", "those"]);
    let has_slot =
        analysis.when.is_some() || !analysis.services.is_empty() || !analysis.plans.is_empty();
    // "and for an e-bike?" continues the last question even if a FAQ mentions e-bikes.
    let continues = text.tokens.first().is_some_and(|t| t.word == "and")
        || text.has_phrase(&["what", "about"])
        || text.has_phrase(&["how", "about"]);
    let needs_intent = analysis.strongest() < intent::THRESHOLD
        && has_slot
        && (continues || analysis.faq.is_none_or(|(_, s)| s < 0.5));
    if !needs_service && !needs_intent {
        return;
    }
    let earlier = intent::analyse(
        &knowledge.normalizer.normalize(&previous.text),
        knowledge,
        today,
    );
    if needs_service {
        analysis.services = earlier.services;
        analysis.service_match = earlier.service_match;
        return;
    }
    let carried: Vec<(Intent, f32)> = earlier
        .intents
        .into_iter()
        .filter(|(i, _)| {
            matches!(
                i,
                Intent::Hours
                    | Intent::Price
                    | Intent::Duration
                    | Intent::Insurance
                    | Intent::Services
            )
        })
        .collect();
    if !carried.is_empty() {
        analysis.intents = carried;
        analysis.follow_up = true;
        if analysis.services.is_empty() && analysis.when.is_none() {
            analysis.services = earlier.services;
            analysis.service_match = earlier.service_match;
        }
    }
}

/// One everyday word of a service's name ("attorney" in "Power of attorney") does not
/// make a longer message about that service unless the message asks about services.
fn drop_incidental_service(analysis: &mut Analysis, text: &text::Text) {
    let about_services = analysis.intents.iter().any(|(i, _)| {
        matches!(
            i,
            Intent::Price | Intent::Duration | Intent::Services | Intent::Booking
        )
    });
    let topics = knowledge::weighted(text).len();
    if analysis.service_match == Some(knowledge::NameMatch::Word) && !about_services && topics > 2 {
        analysis.services.clear();
        analysis.service_match = None;
    }
}

/// What the question asks about hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoursAsk {
    Opening,
    Closing,
    General,
}

struct Answers<'a> {
    knowledge: &'a Knowledge,
    business: &'a Business,
    analysis: &'a Analysis,
    local: &'a Zoned,
    text: &'a text::Text,
}

impl Answers<'_> {
    /// The reply: the best answer, plus a note when the visitor named a day we are closed
    /// and the answer is not already about hours.
    fn compose(&self) -> String {
        let (mut reply, about_hours) = self.main_answer();
        if !about_hours {
            if let Some(note) = self.closed_day_note() {
                reply.push(' ');
                reply.push_str(&note);
            }
        }
        reply
    }

    fn main_answer(&self) -> (String, bool) {
        let analysis = self.analysis;
        let faq_score = analysis.faq.map_or(0.0, |(_, s)| s);
        if let Some((index, score)) = analysis.faq.filter(|_| !analysis.follow_up) {
            // A named service is answered from the service data unless the FAQ is a
            // close match ("do you do colour?" is not "do I need a patch test for colour?"),
            // and its price or duration only by an FAQ that names it.
            let needed = if analysis.service_match == Some(knowledge::NameMatch::Whole) {
                0.75
            } else {
                0.6
            };
            let asks_service_fact = analysis.asks(Intent::Price) || analysis.asks(Intent::Duration);
            let faq_may_answer = !asks_service_fact
                || analysis.service_match != Some(knowledge::NameMatch::Whole)
                || analysis
                    .services
                    .iter()
                    .any(|s| self.knowledge.faq_names_service(index, *s));
            let close_enough = score >= needed
                || (score >= 0.45 && analysis.strongest() < 3.0 && analysis.services.is_empty());
            if faq_may_answer && close_enough {
                let mut answer = self.business.faqs[index].answer.clone();
                // "can I book a free consult?": the FAQ answers, and the visitor still
                // needs to know how to book.
                if analysis.asks(Intent::Booking) {
                    answer.push(' ');
                    answer.push_str(&self.booking());
                }
                return (answer, false);
            }
        }
        let mut parts: Vec<String> = Vec::new();
        let mut answered: Vec<Intent> = Vec::new();
        for (intent, _) in &analysis.intents {
            if parts.len() == MAX_ANSWERS {
                break;
            }
            if let Some(answer) = self.answer(*intent, &answered) {
                answered.push(*intent);
                if !parts.contains(&answer) {
                    parts.push(answer);
                }
            }
        }
        if !parts.is_empty() {
            return (parts.join(" "), answered.contains(&Intent::Hours));
        }
        if !analysis.services.is_empty() {
            return (self.service_info(), false);
        }
        match analysis.faq {
            Some((index, _)) if faq_score >= 0.4 => {
                (self.business.faqs[index].answer.clone(), false)
            }
            _ => (self.unknown(), false),
        }
    }

    /// One intent's answer, or None when another answer already covers it.
    fn answer(&self, intent: Intent, answered: &[Intent]) -> Option<String> {
        let only_social = self.analysis.strongest() < intent::THRESHOLD;
        let service_described = !self.analysis.services.is_empty()
            && answered
                .iter()
                .any(|i| matches!(i, Intent::Price | Intent::Duration));
        Some(match intent {
            Intent::Hours => self.hours(),
            Intent::Location => self.location(),
            Intent::Phone if !answered.contains(&Intent::Contact) => self.phone(),
            Intent::Email if !answered.contains(&Intent::Contact) => self.email(),
            Intent::Website if !answered.contains(&Intent::Contact) => self.website(),
            Intent::Contact if !answered.iter().any(|i| matches!(i, Intent::Phone | Intent::Email | Intent::Website)) => self.contact(),
            // A named service's price or duration answer already describes it.
            Intent::Services if !service_described => self.services(),
            Intent::Price => self.price(),
            Intent::Duration => self.duration(),
            Intent::Insurance => self.insurance(),
            Intent::Booking => self.booking(),
            Intent::Human => self.human(),
            Intent::Identity => format!(
                "I'm {}'s virtual assistant — an automated helper, not a person. I can answer questions about {}, or put you in touch with the team.",
                self.business.name,
                self.topics()
            ),
            Intent::Greeting if only_social => format!("Hello! How can I help you today? I can answer questions about {}.", self.topics()),
            Intent::Thanks if only_social => "You're welcome! Is there anything else I can help with?".to_owned(),
            Intent::Goodbye if only_social => format!("Thanks for contacting {} — have a great day!", self.business.name),
            Intent::Acknowledge if only_social && self.analysis.intents.len() == 1 => "Is there anything else I can help you with?".to_owned(),
            _ => return None,
        })
    }

    /// "We're closed on Thursday (Thanksgiving)…" when the visitor names a closed day in a
    /// question about something else (booking, a service).
    fn closed_day_note(&self) -> Option<String> {
        let Some(When::Dates(days)) = &self.analysis.when else {
            return None;
        };
        let schedule = Schedule {
            hours: &self.business.hours,
            closures: &self.business.closures,
        };
        let closed = days
            .iter()
            .find(|day| !matches!(schedule.on(day.date), DateHours::Open(_)))?;
        Some(format!(
            "Please note: {}",
            self.hours_on(&schedule, closed, HoursAsk::General)
        ))
    }

    fn topics(&self) -> String {
        let mut topics = vec!["our hours", "location", "contact details"];
        if !self.business.services.is_empty() {
            topics.push("services");
        }
        if self.business.priced_services().next().is_some() {
            topics.push("price ranges");
        }
        if !self.business.insurance.is_empty() {
            topics.push("insurance");
        }
        join_list(&topics, "and")
    }

    /// "call us at …" or "email …", whichever the business has; empty if neither.
    fn team_contact(&self) -> String {
        match (&self.business.phone, &self.business.email) {
            (Some(phone), Some(email)) => format!("call us at {phone} or email {email}"),
            (Some(phone), None) => format!("call us at {phone}"),
            (None, Some(email)) => format!("email {email}"),
            (None, None) => match &self.business.website {
                Some(site) => format!("contact us through {site}"),
                None => "ask the team when you visit".to_owned(),
            },
        }
    }

    fn unknown(&self) -> String {
        format!(
            "I don't know that, I'm sorry — I can only answer from what {} has confirmed. I can have the team get back to you: {}.",
            self.business.name,
            self.team_contact()
        )
    }

    fn hours_ask(&self) -> HoursAsk {
        let text = self.text;
        if text.has("close")
            || text.has_phrase(&["until", "what", "time"])
            || text.has_phrase(&["how", "late"])
            || text.has_word("until")
        {
            HoursAsk::Closing
        } else if text.has("open")
            && (text.has_any(&["when", "time", "earli", "earliest"])
                || text.has_phrase(&["how", "earli"]))
        {
            HoursAsk::Opening
        } else {
            HoursAsk::General
        }
    }

    fn hours(&self) -> String {
        let schedule = Schedule {
            hours: &self.business.hours,
            closures: &self.business.closures,
        };
        if self.business.hours.always_closed() {
            return format!(
                "I don't have our opening hours on file — {} to check.",
                self.team_contact()
            );
        }
        let ask = self.hours_ask();
        let yes_no_open = ask == HoursAsk::General
            && self.text.has("open")
            && !self.text.has_any(&[
                "hour", "time", "when", "earli", "late", "day", "what", "which",
            ]);
        match &self.analysis.when {
            Some(When::Now) => self.open_now(&schedule),
            None if yes_no_open => self.open_now(&schedule),
            Some(When::Dates(dates)) => {
                let sentences: Vec<String> = dates
                    .iter()
                    .map(|day| self.hours_on(&schedule, day, ask))
                    .collect();
                sentences.join(" ")
            }
            Some(When::Weekdays(days)) => {
                let sentences: Vec<String> = days
                    .iter()
                    .map(|day| {
                        let hours = self.business.hours.day(*day);
                        if hours.is_closed() {
                            format!("We're closed on {}s.", weekday_name(*day))
                        } else {
                            format!("On {}s we're open {hours}.", weekday_name(*day))
                        }
                    })
                    .collect();
                sentences.join(" ")
            }
            None => self.weekly_hours(),
        }
    }

    fn open_now(&self, schedule: &Schedule<'_>) -> String {
        match schedule.state_at(self.local) {
            OpenState::OpenUntil(close) => format!(
                "Yes, we're open right now — until {} today.",
                clock_time(close)
            ),
            OpenState::ClosedUntil(next) => {
                let reason = match schedule.on(self.local.date()) {
                    DateHours::ClosedFor { note: Some(note) } => format!(" today ({note})"),
                    _ => " right now".to_owned(),
                };
                match next {
                    Some((date, minute)) => format!("We're closed{reason}. We open again {} at {}.", self.relative_day(date), clock_time(minute)),
                    None => format!("We're closed{reason}, and I don't see an opening in the next two weeks — {} to check.", self.team_contact()),
                }
            }
        }
    }

    fn relative_day(&self, date: Date) -> String {
        let today = self.local.date();
        if date == today {
            "today".to_owned()
        } else if today.tomorrow().ok() == Some(date) {
            format!("tomorrow ({})", weekday_name(date.weekday()))
        } else {
            format!("on {}", short_date(date))
        }
    }

    fn hours_on(&self, schedule: &Schedule<'_>, day_ref: &DayRef, ask: HoursAsk) -> String {
        let (date, label) = (day_ref.date, day_ref.label.as_str());
        match schedule.on(date) {
            DateHours::ClosedFor { note } => {
                let note = note
                    .filter(|n| !label.to_lowercase().contains(&n.to_lowercase()))
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                format!(
                    "We're closed {}{note}.{}",
                    on_day(label),
                    self.next_open_after(schedule, date)
                )
            }
            DateHours::Closed => format!(
                "We're closed {}.{}",
                on_day(label),
                self.next_open_after(schedule, date)
            ),
            DateHours::Open(day) => {
                let ranges = day.ranges();
                let first = clock_time(ranges[0].open());
                let last = clock_time(ranges[ranges.len() - 1].close());
                let holiday_note = if day_ref.holiday {
                    format!(" I don't have a special closure listed for that day, so these are our regular {} hours — for holidays it's worth confirming: {}.", weekday_name(date.weekday()), self.team_contact())
                } else {
                    String::new()
                };
                let on = capitalize(&on_day(label));
                let sentence = match ask {
                    HoursAsk::Closing if ranges.len() == 1 => format!("{on} we close at {last}."),
                    HoursAsk::Opening if ranges.len() == 1 => format!("{on} we open at {first}."),
                    HoursAsk::Closing => format!("{on} we're open {day}, closing at {last}."),
                    HoursAsk::Opening => format!("{on} we open at {first} (hours: {day})."),
                    HoursAsk::General => format!("{on} we're open {day}."),
                };
                format!("{sentence}{holiday_note}")
            }
        }
    }

    fn next_open_after(&self, schedule: &Schedule<'_>, date: Date) -> String {
        match schedule.next_opening(date, 1440) {
            Some((next, minute)) => format!(
                " We open again {} at {}.",
                self.relative_day(next),
                clock_time(minute)
            ),
            None => String::new(),
        }
    }

    fn weekly_hours(&self) -> String {
        let hours = &self.business.hours;
        let days = [
            jiff::civil::Weekday::Monday,
            jiff::civil::Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday,
            jiff::civil::Weekday::Thursday,
            jiff::civil::Weekday::Friday,
            jiff::civil::Weekday::Saturday,
            jiff::civil::Weekday::Sunday,
        ];
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (index, day) in days.iter().enumerate() {
            match groups.last_mut() {
                Some((_, end)) if hours.day(days[*end]) == hours.day(*day) => *end = index,
                _ => groups.push((index, index)),
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(start, end)| {
                let name = if start == end {
                    weekday_name(days[*start]).to_owned()
                } else {
                    format!(
                        "{}–{}",
                        weekday_name(days[*start]),
                        weekday_name(days[*end])
                    )
                };
                format!("{name}: {}", hours.day(days[*start]))
            })
            .collect();
        let mut answer = format!("Our hours are {}.", parts.join("; "));
        let today = self.local.date();
        let soon: Vec<String> = self
            .business
            .closures
            .iter()
            .filter(|c| {
                c.date >= today && c.date <= today.saturating_add(jiff::Span::new().days(30))
            })
            .map(|c| match &c.note {
                Some(note) => format!("{} ({note})", short_date(c.date)),
                None => short_date(c.date),
            })
            .collect();
        if !soon.is_empty() {
            answer.push_str(&format!(
                " We're also closed on {}.",
                join_list(&soon, "and")
            ));
        }
        answer
    }

    fn location(&self) -> String {
        let business = self.business;
        let asked_about_directions = business.directions.as_deref().is_some_and(|directions| {
            let words = knowledge::weighted(&self.knowledge.normalizer.normalize(directions));
            knowledge::weighted(self.text)
                .keys()
                .any(|c| words.contains_key(c))
        });
        let wants_directions =
            asked_about_directions || !self.text.has_any(&["address", "zip", "postcod"]);
        match (&business.address, &business.directions) {
            (Some(address), Some(directions)) if wants_directions => {
                format!("We're at {address}. {directions}")
            }
            (Some(address), _) => format!("We're at {address}."),
            (None, _) => format!(
                "I don't have our street address on file — {} and the team will help you find us.",
                self.team_contact()
            ),
        }
    }

    fn phone(&self) -> String {
        match &self.business.phone {
            Some(phone) => format!("You can call us at {phone}."),
            None => format!("I don't have a phone number on file. {}", self.contact()),
        }
    }

    fn email(&self) -> String {
        match &self.business.email {
            Some(email) => format!("You can email us at {email}."),
            None => format!("I don't have an email address on file. {}", self.contact()),
        }
    }

    fn website(&self) -> String {
        match &self.business.website {
            Some(site) => format!("Our website is {site}."),
            None => format!("I don't have a website address on file. {}", self.contact()),
        }
    }

    fn contact(&self) -> String {
        let business = self.business;
        let mut ways = Vec::new();
        if let Some(phone) = &business.phone {
            ways.push(format!("phone {phone}"));
        }
        if let Some(email) = &business.email {
            ways.push(format!("email {email}"));
        }
        if let Some(site) = &business.website {
            ways.push(format!("website {site}"));
        }
        if ways.is_empty() {
            return match &business.address {
                Some(address) => format!("You can visit us at {address}."),
                None => "I don't have contact details on file, I'm sorry.".to_owned(),
            };
        }
        format!(
            "You can reach {} by {}.",
            business.name,
            join_list(&ways, "or")
        )
    }

    fn services(&self) -> String {
        let business = self.business;
        if !self.analysis.services.is_empty() {
            return self.service_info();
        }
        if business.services.is_empty() {
            return format!(
                "I don't have a list of our services on file — {} and the team can tell you more.",
                self.team_contact()
            );
        }
        let names: Vec<String> = business.services.iter().map(|s| s.name.clone()).collect();
        let list = format!(
            "We offer {}. Ask me about any of them for details and price ranges.",
            join_list(&names, "and")
        );
        if self.analysis.unknown_topic {
            format!("I don't see that on our list of services, so the team would need to confirm — {}. {list}", self.team_contact())
        } else {
            list
        }
    }

    fn named_services(&self) -> Vec<&Service> {
        self.analysis
            .services
            .iter()
            .map(|i| &self.business.services[*i])
            .collect()
    }

    fn service_info(&self) -> String {
        let parts: Vec<String> = self
            .named_services()
            .into_iter()
            .take(MAX_ANSWERS)
            .map(|service| {
                let mut sentence = match &service.description {
                    Some(description) => {
                        format!("{}: {}", service.name, ensure_period(description))
                    }
                    None => format!("Yes, we offer {}.", service.name),
                };
                if let Some(minutes) = service.duration_minutes {
                    sentence.push_str(&format!(" It takes about {}.", duration_words(minutes)));
                }
                if let Some(min) = service.price_min {
                    sentence.push_str(&format!(
                        " It usually costs {} — the exact price depends on your visit.",
                        format_price_range(&self.business.currency, min, service.price_max)
                    ));
                }
                sentence
            })
            .collect();
        parts.join(" ")
    }

    fn price(&self) -> String {
        let business = self.business;
        let named = self.named_services();
        if named.is_empty() {
            if self.analysis.unknown_topic && !business.services.is_empty() {
                return format!(
                    "I don't have a price for that — it isn't on the list of services I have. The team can help: {}.",
                    self.team_contact()
                );
            }
            let priced: Vec<String> = business
                .priced_services()
                .map(|s| {
                    format!(
                        "{} {}",
                        s.name,
                        format_price_range(
                            &business.currency,
                            s.price_min.unwrap_or_default(),
                            s.price_max
                        )
                    )
                })
                .collect();
            if priced.is_empty() {
                return format!(
                    "I don't have prices on file — {} for an estimate.",
                    self.team_contact()
                );
            }
            return format!(
                "Typical price ranges: {}. The exact price depends on your visit.",
                priced.join("; ")
            );
        }
        let parts: Vec<String> = named
            .into_iter()
            .map(|service| match service.price_min {
                Some(min) => format!(
                    "{} usually costs {} — the exact price depends on your visit.",
                    service.name,
                    format_price_range(&business.currency, min, service.price_max)
                ),
                None => format!(
                    "I don't have a price range for {} on file — {} for an estimate.",
                    service.name,
                    self.team_contact()
                ),
            })
            .collect();
        parts.join(" ")
    }

    fn duration(&self) -> String {
        let named = self.named_services();
        if named.is_empty() {
            return format!(
                "How long a visit takes depends on the service — {} and the team can tell you.",
                self.team_contact()
            );
        }
        let parts: Vec<String> = named
            .into_iter()
            .map(|service| match service.duration_minutes {
                Some(minutes) => {
                    format!("{} takes about {}.", service.name, duration_words(minutes))
                }
                None => format!(
                    "I don't know how long {} takes — the team can tell you: {}.",
                    service.name,
                    self.team_contact()
                ),
            })
            .collect();
        parts.join(" ")
    }

    fn insurance(&self) -> String {
        let business = self.business;
        if business.insurance.is_empty() {
            return format!(
                "I don't have insurance details on file, so we'll confirm with the team — {}.",
                self.team_contact()
            );
        }
        let accepted = join_list(&business.insurance, "and");
        if !self.analysis.plans.is_empty() {
            let plans: Vec<String> = self
                .analysis
                .plans
                .iter()
                .map(|i| business.insurance[*i].clone())
                .collect();
            return format!(
                "Yes, we accept {}. Coverage depends on your specific plan, so it's worth checking your benefits.",
                join_list(&plans, "and")
            );
        }
        let named_other = self.analysis.unknown_topic
            || self
                .text
                .stems()
                .any(|s| knowledge::KNOWN_INSURERS.contains(&s));
        if named_other {
            return format!(
                "I don't see that plan on the list I have, so we'll confirm with the team — {}. Plans we accept: {accepted}.",
                self.team_contact()
            );
        }
        format!(
            "We accept {accepted}. If your plan isn't listed, we'll confirm with the team — {}.",
            self.team_contact()
        )
    }

    fn booking(&self) -> String {
        let service = self
            .named_services()
            .first()
            .map(|s| format!(" for {}", s.name))
            .unwrap_or_default();
        format!(
            "I can't book appointments in this chat yet, but the team will be glad to set one up{service}: {}.",
            self.team_contact()
        )
    }

    fn human(&self) -> String {
        let business = self.business;
        match (&business.phone, &business.email) {
            (None, None) => format!(
                "I'm sorry, I don't have direct contact details for the team on file. {}",
                self.contact()
            ),
            _ => format!(
                "Of course — the team at {} can help you directly: {}.",
                business.name,
                self.team_contact()
            ),
        }
    }
}

/// "on Friday", but "today" and "tomorrow (Tuesday)" without the "on".
fn on_day(label: &str) -> String {
    if label.starts_with("today") || label.starts_with("tomorrow") {
        label.to_owned()
    } else {
        format!("on {label}")
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn ensure_period(text: &str) -> String {
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

fn duration_words(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} minutes"),
        (1, 0) => "an hour".to_owned(),
        (h, 0) => format!("{h} hours"),
        (1, m) => format!("1 hour {m} minutes"),
        (h, m) => format!("{h} hours {m} minutes"),
    }
}

fn join_list<S: AsRef<str>>(items: &[S], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [first, second] => format!("{} {conjunction} {}", first.as_ref(), second.as_ref()),
        [rest @ .., last] => {
            let head: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{}, {conjunction} {}", head.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
pub(crate) mod heldout;
#[cfg(test)]
pub(crate) mod phrasings;
#[cfg(test)]
mod test_support;
