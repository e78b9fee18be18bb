//! Lead capture: when a visitor wants to be contacted (or to book), the assistant
//! collects a name, a phone number or email, what it's about, a good time, and consent,
//! one question at a time, taking several answers at once and later corrections.
//!
//! [`step`] is pure: it takes the draft kept with the conversation and the visitor's
//! message, and says what to reply and what to keep. It never asks about symptoms or
//! history, and its replies never repeat a visitor's number or address in full (the
//! last four digits confirm a phone), so nothing a visitor typed is echoed into a place
//! it shouldn't be.

mod contact;
pub mod manage;
pub mod slots;

pub use contact::{calling_code, find_email, find_phone, E164};
use contact::{find_contact_time, find_name, yes_or_no};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
pub use slots::OfferedSlot;
use slots::{describe, describe_all, offer, pick, preference, Pick, Preference};

use crate::booking::{duration_of, Taken};
use crate::business::Business;
use crate::engine::Knowledge;

/// A question the capture asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Contact,
    Interest,
    ContactTime,
    /// An appointment time, from the times offered.
    Slot,
    Consent,
}

/// A booking being arranged: the times offered, and the one chosen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingDraft {
    pub offered: Vec<OfferedSlot>,
    pub chosen: Option<OfferedSlot>,
}

/// What has been collected so far in a conversation; kept with it between turns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadDraft {
    pub name: Option<String>,
    pub phone: Option<E164>,
    pub email: Option<String>,
    /// A service of the business, or the visitor's own words.
    pub interest: Option<String>,
    pub contact_time: Option<String>,
    /// Optional questions the visitor chose not to answer.
    #[serde(default)]
    pub skipped: Vec<Field>,
    /// What the last reply asked.
    pub asking: Option<Field>,
    /// Present when the visitor wants an appointment, not only a call back.
    #[serde(default)]
    pub booking: Option<BookingDraft>,
    /// Present while the visitor changes an appointment they booked earlier.
    #[serde(default)]
    pub manage: Option<manage::ManageDraft>,
}

/// A lead the visitor agreed to: everything to save.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadDetails {
    pub name: Option<String>,
    pub phone: Option<E164>,
    pub email: Option<String>,
    pub interest: Option<String>,
    pub contact_time: Option<String>,
    pub consent: bool,
    /// The appointment to book with the lead, when the visitor asked for one.
    pub appointment: Option<OfferedSlot>,
}

/// What one visitor message means for lead capture.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Not about being contacted: the assistant answers as usual; a draft is kept.
    Pass,
    /// Still collecting: keep the draft, send the reply.
    Ask { draft: LeadDraft, reply: String },
    /// Consent given: save the lead (and book its appointment) and thank the visitor.
    /// The draft is kept in case the chosen time went to someone else meanwhile.
    Complete {
        lead: LeadDetails,
        reply: String,
        draft: LeadDraft,
    },
    /// The visitor declined or stopped: forget the draft.
    Drop { reply: String },
}

/// Context for one step that the policy and the store know and capture doesn't.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    /// The message volunteers health details: nothing free-text is taken from it.
    pub health_detail: bool,
    /// Times already taken (booked appointments, calendar busy times).
    pub taken: &'a [Taken],
    pub now: Timestamp,
}

/// Advances lead capture by one visitor message.
pub fn step(
    knowledge: &Knowledge,
    draft: Option<LeadDraft>,
    message: &str,
    context: StepContext,
) -> Step {
    let business = &knowledge.business;
    let code = calling_code(business.phone.as_deref());
    let phone = find_phone(message, &code);
    let email = find_email(message);
    let active = draft.is_some();
    // Requests are also read with the engine's slang expansion and typo correction, so
    // "pls contct me" asks like "please contact me".
    let corrected = knowledge
        .normalizer
        .normalize(message)
        .tokens
        .iter()
        .map(|t| t.word.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let booking_asked = wants_booking(message) || wants_booking(&corrected);
    let contact_asked = wants_contact(message) || wants_contact(&corrected);
    if !active && !booking_asked && !contact_asked && phone.is_none() && email.is_none() {
        return Step::Pass;
    }
    let mut draft = draft.unwrap_or_default();
    if active && stops(message) {
        return Step::Drop {
            reply: declined(business),
        };
    }
    if booking_asked && draft.booking.is_none() {
        draft.booking = Some(BookingDraft::default());
    }
    let asking = draft.asking;
    let mut learned = false;
    let mut wanted = Preference::default();
    if asking == Some(Field::Slot) {
        let offered = draft
            .booking
            .as_ref()
            .map(|b| b.offered.clone())
            .unwrap_or_default();
        match pick(knowledge, &offered, message, context.now) {
            Pick::Chosen(slot) => {
                if let Some(booking) = &mut draft.booking {
                    booking.chosen = Some(slot);
                }
                learned = true;
            }
            Pick::Others(preference) => {
                wanted = preference;
                learned = true;
            }
            Pick::Unclear => {}
        }
    } else if draft.booking.is_some() {
        let today = context.now.to_zoned(business.timezone.clone()).date();
        wanted = preference(knowledge, message, today);
    }
    // A question that brings no contact detail and picks no time is about something
    // else ("how much is a crown?"), even when it names a service.
    let answers_directly = learned || phone.is_some() || email.is_some();
    if let Some(phone) = phone {
        draft.phone = Some(phone);
        learned = true;
    }
    if let Some(email) = email {
        draft.email = Some(email);
        learned = true;
    }
    let just_asked = asking == Some(Field::Name) && !learned;
    let named = find_name(message, just_asked, context.health_detail);
    let answers_directly = answers_directly || named.is_some();
    if let Some(name) = named {
        draft.name = Some(name);
        learned = true;
    }
    let services = crate::engine::mentioned_services(knowledge, message);
    if let Some(service) = services.first() {
        draft.interest = Some(service.clone());
        learned = true;
    } else if asking == Some(Field::Interest) && !learned && !context.health_detail {
        match free_answer(message) {
            Answer::Skip => skip(&mut draft, Field::Interest),
            Answer::Text(text) => draft.interest = Some(text),
            Answer::Question => {}
        }
        learned = draft.interest.is_some() || draft.skipped.contains(&Field::Interest);
    }
    // Beside health details only a cue-word time is taken, never free text; a booking
    // has its appointment time instead.
    if draft.booking.is_none() {
        if let Some(time) = find_contact_time(message) {
            // "Friday" in "what are your hours on Friday?" is not a time to call.
            if asking == Some(Field::ContactTime) || learned || contact_asked {
                draft.contact_time = Some(time);
                learned = true;
            }
        } else if asking == Some(Field::ContactTime) && !learned && !context.health_detail {
            match free_answer(message) {
                Answer::Skip => skip(&mut draft, Field::ContactTime),
                Answer::Text(text) => draft.contact_time = Some(text),
                Answer::Question => {}
            }
            learned = draft.contact_time.is_some() || draft.skipped.contains(&Field::ContactTime);
        }
    }
    if asking == Some(Field::Consent) && !learned {
        match yes_or_no(message) {
            Some(true) => {
                let appointment = draft.booking.as_ref().and_then(|b| b.chosen);
                return Step::Complete {
                    reply: thanks(business, &draft),
                    lead: LeadDetails {
                        name: draft.name.clone(),
                        phone: draft.phone.clone(),
                        email: draft.email.clone(),
                        interest: draft.interest.clone(),
                        contact_time: draft.contact_time.clone(),
                        consent: true,
                        appointment,
                    },
                    draft,
                };
            }
            Some(false) => {
                return Step::Drop {
                    reply: declined(business),
                }
            }
            None => {}
        }
    }
    // Mid-capture, a question about something else is answered as usual; the draft
    // waits for the next answer.
    if active && !answers_directly && asking != Some(Field::Consent) && is_question(message) {
        return Step::Pass;
    }
    let next = next_question(&draft);
    let mut notice = String::new();
    if next == Field::Slot {
        notice = offer_times(knowledge, &mut draft, &wanted, &context);
    }
    // No free time at all: the team arranges one (a call back instead of a booking).
    let next = if next == Field::Slot && draft.booking.is_none() {
        next_question(&draft)
    } else {
        next
    };
    let reply = question(business, &draft, next, active, learned, &notice);
    draft.asking = Some(next);
    Step::Ask { draft, reply }
}

/// Fills the draft's offer with free times matching what the visitor wants; returns a
/// note when nothing matched and other times are offered instead (or none at all).
fn offer_times(
    knowledge: &Knowledge,
    draft: &mut LeadDraft,
    wanted: &Preference,
    context: &StepContext,
) -> String {
    let business = &knowledge.business;
    let service = draft
        .interest
        .as_deref()
        .and_then(|name| business.services.iter().find(|s| s.name == name));
    let duration = duration_of(business, service);
    let mut notice = String::new();
    let mut offered = offer(business, duration, context.taken, context.now, wanted);
    if offered.is_empty() && !wanted.is_empty() {
        notice = "I don't see a free time then. ".to_owned();
        offered = offer(
            business,
            duration,
            context.taken,
            context.now,
            &Preference::default(),
        );
    }
    if offered.is_empty() {
        draft.booking = None;
        return "I can't find a free appointment time in the coming weeks, so I'll pass your request to the team to arrange one. ".to_owned();
    }
    if let Some(booking) = &mut draft.booking {
        booking.offered = offered;
    }
    notice
}

fn skip(draft: &mut LeadDraft, field: Field) {
    if !draft.skipped.contains(&field) {
        draft.skipped.push(field);
    }
}

/// The first question still open, in the order a person at a front desk would ask: for
/// a booking the service and the time first, for a call back who and how first.
fn next_question(draft: &LeadDraft) -> Field {
    let interest_open = draft.interest.is_none() && !draft.skipped.contains(&Field::Interest);
    if let Some(booking) = &draft.booking {
        if interest_open {
            return Field::Interest;
        }
        if booking.chosen.is_none() {
            return Field::Slot;
        }
    }
    if draft.name.is_none() {
        Field::Name
    } else if draft.phone.is_none() && draft.email.is_none() {
        Field::Contact
    } else if interest_open {
        Field::Interest
    } else if draft.booking.is_none()
        && draft.contact_time.is_none()
        && !draft.skipped.contains(&Field::ContactTime)
    {
        Field::ContactTime
    } else {
        Field::Consent
    }
}

fn question(
    business: &Business,
    draft: &LeadDraft,
    next: Field,
    active: bool,
    learned: bool,
    notice: &str,
) -> String {
    let booking = draft.booking.as_ref();
    let opening = if !active && booking.is_some() {
        "I can help you book an appointment. "
    } else if !active {
        "I can pass your details to the team so they can get back to you. "
    } else if !learned {
        "Sorry, I didn't catch that. "
    } else {
        ""
    };
    let name = draft.name.as_deref().map(first_name);
    let thanks = match (learned && active && next != Field::Slot, name) {
        (true, Some(name)) => format!("Thanks, {name}. "),
        (true, None) => "Thanks. ".to_owned(),
        _ => String::new(),
    };
    let how = match (&draft.phone, &draft.email) {
        (Some(phone), _) => format!("at the number ending in {}", phone.last_four()),
        (None, Some(_)) => "by email".to_owned(),
        (None, None) => String::new(),
    };
    let ask = match next {
        Field::Name => "What's your name?".to_owned(),
        Field::Contact => "What's the best phone number or email to reach you?".to_owned(),
        Field::Interest => {
            let examples: Vec<&str> = business
                .services
                .iter()
                .take(3)
                .map(|s| s.name.as_str())
                .collect();
            let what = if booking.is_some() {
                "What is the appointment for"
            } else {
                "What would you like to talk to the team about"
            };
            if examples.is_empty() {
                format!("{what}?")
            } else {
                format!("{what} (for example {})?", examples.join(", "))
            }
        }
        Field::ContactTime => {
            "When is a good time to reach you? For example weekday mornings, or any time."
                .to_owned()
        }
        Field::Slot => {
            let offered = booking.map(|b| b.offered.as_slice()).unwrap_or_default();
            format!(
                "I can offer {}. Which suits you? You can also tell me another day or time.",
                describe_all(offered, &business.timezone)
            )
        }
        Field::Consent => match booking.and_then(|b| b.chosen) {
            Some(slot) => {
                let what = draft.interest.as_deref().unwrap_or("an appointment");
                let who = name.map(|n| format!(" for {n}")).unwrap_or_default();
                format!(
                    "Shall I book {what} on {}{who}? {} may contact you {how} about it. Please answer yes or no.",
                    describe(&slot, &business.timezone),
                    business.name
                )
            }
            None => {
                let about = draft
                    .interest
                    .as_deref()
                    .map(|i| format!(" about {i}"))
                    .unwrap_or_default();
                format!(
                    "May {} contact you {how}{about}? Please answer yes or no.",
                    business.name
                )
            }
        },
    };
    format!("{opening}{thanks}{notice}{ask}")
}

/// The reply once an appointment is booked: when, and the code to change or cancel it.
pub fn booked_reply(
    business: &Business,
    lead: &LeadDetails,
    slot: &OfferedSlot,
    code: &str,
) -> String {
    let name = lead
        .name
        .as_deref()
        .map(|n| format!(", {}", first_name(n)))
        .unwrap_or_default();
    let what = lead.interest.as_deref().unwrap_or("your appointment");
    format!(
        "You're booked{name}: {what} on {}. Your confirmation code is {code}; quote it here to reschedule or cancel. Is there anything else I can help with?",
        describe(slot, &business.timezone)
    )
}

/// The reply when the chosen time went to someone else a moment earlier, with new offers
/// kept in the draft.
pub fn slot_taken(knowledge: &Knowledge, draft: &mut LeadDraft, context: &StepContext) -> String {
    if let Some(booking) = &mut draft.booking {
        booking.chosen = None;
    }
    let notice = offer_times(knowledge, draft, &Preference::default(), context);
    let next = next_question(draft);
    draft.asking = Some(next);
    format!(
        "I'm sorry, that time was just taken. {}",
        question(&knowledge.business, draft, next, true, true, &notice)
    )
}

fn first_name(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

fn thanks(business: &Business, draft: &LeadDraft) -> String {
    let name = draft
        .name
        .as_deref()
        .map(|n| format!(", {}", first_name(n)))
        .unwrap_or_default();
    let how = if draft.phone.is_some() {
        "by phone"
    } else {
        "by email"
    };
    format!(
        "Thank you{name}! I've passed your details to the team at {}, and they'll get in touch {how}. Is there anything else I can help with?",
        business.name
    )
}

fn declined(business: &Business) -> String {
    match business.phone.as_deref() {
        Some(phone) => format!(
            "No problem, I won't pass your details on. You can always reach {} at {phone}.",
            business.name
        ),
        None => "No problem, I won't pass your details on.".to_owned(),
    }
}

enum Answer {
    Skip,
    Text(String),
    Question,
}

/// A free-text answer to an optional question: skipped, given, or a question instead.
fn free_answer(message: &str) -> Answer {
    let lowered = message.trim().to_lowercase();
    const SKIPS: &[&str] = &[
        "not sure",
        "no idea",
        "don't know",
        "dont know",
        "idk",
        "skip",
        "nothing",
        "no",
        "nope",
        "n/a",
        "na",
        "none",
        "pass",
        "rather not",
        "prefer not",
        "no preference",
    ];
    if SKIPS.iter().any(|s| {
        lowered == *s
            || lowered.starts_with(&format!("{s} "))
            || lowered.starts_with(&format!("{s},"))
    }) {
        return Answer::Skip;
    }
    if is_question(message) {
        return Answer::Question;
    }
    let text: String = message.trim().chars().take(120).collect();
    if text.is_empty() {
        Answer::Question
    } else {
        Answer::Text(text.trim_end_matches(['.', '!']).to_owned())
    }
}

fn is_question(message: &str) -> bool {
    let lowered = message.trim().to_lowercase();
    lowered.ends_with('?')
        || [
            "what ",
            "when ",
            "where ",
            "how ",
            "do you ",
            "does ",
            "are you ",
            "can you ",
            "is there ",
            "which ",
            "who ",
            "why ",
        ]
        .iter()
        .any(|w| lowered.starts_with(w))
}

/// The visitor stops the capture ("never mind", "cancel", "don't contact me").
fn stops(message: &str) -> bool {
    let lowered = message.to_lowercase();
    [
        "never mind",
        "nevermind",
        "nvm",
        "cancel",
        "forget it",
        "forget about it",
        "don't contact",
        "do not contact",
        "don't call",
        "do not call",
        "stop",
        "changed my mind",
        "no longer",
        "not interested",
    ]
    .iter()
    .any(|p| lowered.contains(p))
}

/// Whether a message asks for an appointment ("I'd like to book a cleaning", "can I
/// come in on Tuesday?").
pub fn wants_booking(message: &str) -> bool {
    let lowered = format!(" {} ", message.to_lowercase().replace(['’', '`'], "'"));
    const BOOKING: &[&str] = &[
        " book",
        "appointment",
        "appt",
        " schedule",
        "reservation",
        "reserve",
        "come in",
        "get in ",
    ];
    const WANT: &[&str] = &[
        "i want",
        "i'd like",
        "i would like",
        "id like",
        "can i",
        "could i",
        "i need",
        "want to",
        "like to",
        "how do i",
        "how can i",
        "please",
        "wanna",
        "looking to",
        "set up",
        "get me",
        "may i",
        "let me",
        "i'd love",
        "help me",
    ];
    BOOKING.iter().any(|b| lowered.contains(b)) && WANT.iter().any(|w| lowered.contains(w))
}

/// Whether a message asks to be contacted or to book.
pub fn wants_contact(message: &str) -> bool {
    let lowered = format!(" {} ", message.to_lowercase().replace(['’', '`'], "'"));
    let refused = [
        "don't call",
        "do not call",
        "don't contact",
        "do not contact",
        "don't email",
        "don't text",
        "no calls",
        "not call me",
    ];
    if refused.iter().any(|p| lowered.contains(p)) {
        return false;
    }
    const TO_ME: &[&str] = &[
        "call me",
        "call us",
        "text me",
        "email me",
        "e-mail me",
        "contact me",
        "contact us back",
        "reach me",
        "reach out to me",
        "get back to me",
        "get in touch with me",
        "ring me",
        "phone me",
        "call back",
        "callback",
        "call-back",
        "give me a call",
        "give me a ring",
        "give me a shout",
        "have someone call",
        "someone call",
        "someone contact",
        "someone reach",
        "someone get back",
        "my number is",
        "my phone number",
        "my cell",
        "my mobile",
        "my email is",
        "my email address",
        "here's my number",
        "here is my number",
        "leave my number",
        "leave my details",
        "leave my info",
        "leave my contact",
        "take my details",
        "take my number",
        "take my info",
        "follow up with me",
        "be contacted",
        "get a call",
        "request a call",
        "request a quote",
        "get a quote",
        "sign me up",
        "put me on",
        "add me to",
    ];
    if TO_ME.iter().any(|p| lowered.contains(p)) {
        return true;
    }
    const BOOKING: &[&str] = &[
        " book",
        "appointment",
        "appt",
        " schedule",
        "reservation",
        "reserve",
    ];
    const WANT: &[&str] = &[
        "i want",
        "i'd like",
        "i would like",
        "id like",
        "can i",
        "could i",
        "i need",
        "want to",
        "like to",
        "how do i",
        "how can i",
        "please",
        "wanna",
        "looking to",
        "set up",
        "get me",
        "may i",
        "let me",
        "i'd love",
        "help me",
    ];
    BOOKING.iter().any(|b| lowered.contains(b)) && WANT.iter().any(|w| lowered.contains(w))
}

#[cfg(test)]
mod tests;
