//! The engine against many ways of asking front-desk questions, for two different
//! businesses (a Texas dental practice in USD, a London salon in GBP without insurance).
//! Each case names facts the reply must contain; none may fall back to "I don't know"
//! unless that is the expected answer.

use jiff::Timestamp;

use super::{reply, Knowledge};
use crate::business::Business;
use crate::conversation::{Message, Role};

/// Monday 2026-11-23, 16:00 UTC: 10:00 in Austin (open), 16:00 in London (salon closed
/// on Mondays).
fn now() -> Timestamp {
    "2026-11-23T16:00:00Z".parse().unwrap()
}

fn knowledge(file: &str) -> Knowledge {
    Knowledge::new(Business::from_toml(file).unwrap())
}

fn dental() -> Knowledge {
    knowledge(include_str!("../../../../demo/demo-business.toml"))
}

fn salon() -> Knowledge {
    knowledge(include_str!("../../fixtures/bloom-salon.toml"))
}

use super::test_support::{failures, UNKNOWN};

fn check(knowledge: &Knowledge, cases: &[(&str, &[&str])]) {
    let failed = failures(knowledge, &[], cases, now());
    assert!(
        failed.is_empty(),
        "{} of {} phrasings failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

pub(crate) const DENTAL_CASES: &[(&str, &[&str])] = &[
    // Hours, open now, days, holidays.
    ("are you open now?", &["open right now", "5:00 PM"]),
    ("r u open rn", &["open right now"]),
    ("are you guys open right now", &["open right now"]),
    ("you open?", &["open right now"]),
    ("Are you currently open?", &["open right now"]),
    (
        "what time do you close on Friday?",
        &["Friday", "close at 2:00 PM"],
    ),
    ("when do u open tmrw", &["tomorrow (Tuesday)", "8:00 AM"]),
    ("what time do you open tomorrow morning", &["8:00 AM"]),
    ("open on Christmas?", &["closed", "Christmas Day"]),
    ("are you open on xmas eve", &["closed", "Christmas Eve"]),
    (
        "what are your hours?",
        &[
            "Monday–Thursday: 8:00 AM–5:00 PM",
            "Friday: 8:00 AM–2:00 PM",
        ],
    ),
    ("hours?", &["Monday–Thursday"]),
    ("wat r ur hrs", &["Monday–Thursday"]),
    ("what are your business hours", &["Friday: 8:00 AM–2:00 PM"]),
    (
        "are you open on saturday?",
        &["closed on Saturday", "8:00 AM"],
    ),
    ("open saturdays?", &["closed on Saturdays"]),
    (
        "do you work weekends",
        &["closed on Saturdays", "closed on Sundays"],
    ),
    ("how late are you open on tuesday", &["Tuesday", "5:00 PM"]),
    (
        "open on thursday?",
        &["closed", "Thanksgiving", "Friday, Nov 27"],
    ),
    ("till what time are you open today", &["today", "5:00 PM"]),
    ("are you open on thanksgiving", &["closed", "Thanksgiving"]),
    ("open new years day?", &["closed", "New Year's Day"]),
    ("what time do you open on monday", &["8:00 AM"]),
    ("when do you close today", &["today", "5:00 PM"]),
    (
        "Are you closed on thanksgiving?",
        &["closed", "Thanksgiving"],
    ),
    ("do you open early?", &["8:00 AM"]),
    ("open dec 24?", &["closed", "Christmas Eve"]),
    ("are you open 12/31", &["Thursday", "8:00 AM"]),
    (
        "what are your hours on friday?",
        &["Friday", "8:00 AM–2:00 PM"],
    ),
    ("wat tiem do u clsoe on fridy", &["2:00 PM"]),
    ("are you opne tomorow", &["tomorrow", "8:00 AM"]),
    ("open this weekend?", &["closed"]),
    ("when are you open", &["Monday–Thursday"]),
    (
        "what days are you open",
        &["Monday–Thursday", "Saturday–Sunday: closed"],
    ),
    ("hours on wednesday pls", &["Wednesday", "8:00 AM–5:00 PM"]),
    // Location and directions.
    ("where are you located?", &["1204 Maple Street"]),
    ("whats ur address", &["1204 Maple Street"]),
    ("address pls", &["1204 Maple Street"]),
    ("how do I get to you", &["1204 Maple Street", "light-rail"]),
    ("is there parking?", &["free parking"]),
    ("where can i park", &["free parking"]),
    ("directions please", &["light-rail"]),
    ("where r u guys", &["1204 Maple Street"]),
    ("what's your location", &["Austin, TX 78704"]),
    ("addres?", &["1204 Maple"]),
    ("what's the zip code", &["78704"]),
    // Contact.
    ("what's your phone number", &["+1 512 555 0142"]),
    ("can I call you?", &["+1 512 555 0142"]),
    ("number to call?", &["+1 512 555 0142"]),
    ("wats ur phne number", &["+1 512 555 0142"]),
    ("whats ur email", &["hello@maplestreetdental.example"]),
    ("email address?", &["hello@maplestreetdental.example"]),
    (
        "do you have a website",
        &["https://maplestreetdental.example"],
    ),
    (
        "how can I contact you",
        &["+1 512 555 0142", "hello@maplestreetdental.example"],
    ),
    ("how do i get in touch", &["+1 512 555 0142"]),
    ("what's the best way to reach you", &["+1 512 555 0142"]),
    (
        "phone and email?",
        &["+1 512 555 0142", "hello@maplestreetdental.example"],
    ),
    // Services.
    (
        "what services do you offer?",
        &["Check-up and cleaning", "Teeth whitening", "Crowns"],
    ),
    ("what do you do", &["Fillings"]),
    ("what treatments do you have", &["Emergency visit"]),
    ("do you do whitening?", &["Teeth whitening", "$250–$500"]),
    ("tell me about crowns", &["Natural-looking crowns"]),
    ("what is a check-up and cleaning", &["thorough exam"]),
    ("do you do root canals?", &["don't see that on our list"]),
    ("do you offer braces", &["don't see that on our list"]),
    ("do you fix chipped teeth", &["Emergency visit"]),
    ("do you ofer teeth whitenning", &["Teeth whitening"]),
    ("whitening", &["Teeth whitening"]),
    ("crowns?", &["Crowns"]),
    // Prices, always as ranges.
    (
        "how much for a cleaning",
        &["$95–$180", "exact price depends on your visit"],
    ),
    ("how much is a cleaning?", &["$95–$180"]),
    ("cost of teeth whitening", &["$250–$500"]),
    ("whitening price?", &["$250–$500"]),
    ("how much do crowns cost", &["$900–$1500"]),
    (
        "what are your prices",
        &["Typical price ranges", "Fillings $120–$300"],
    ),
    ("is it expensive?", &["Typical price ranges"]),
    ("how much does a filling cost", &["$120–$300"]),
    ("price for emergency visit", &["$75–$200"]),
    ("how much r cleanings", &["$95–$180"]),
    ("how much is a root canal", &["don't have a price for that"]),
    ("what do you charge for a checkup", &["$95–$180"]),
    ("ballpark cost for bleaching", &["$250–$500"]),
    ("how mcuh for whitening", &["$250–$500"]),
    ("price list?", &["Typical price ranges"]),
    ("how much does it cost to fix a cavity", &["$120–$300"]),
    // Durations.
    ("how long does a cleaning take?", &["about an hour"]),
    (
        "how long is a whitening appointment",
        &["1 hour 15 minutes"],
    ),
    ("how many minutes is a filling", &["45 minutes"]),
    // Insurance: listed plans, unknown plans, general questions.
    ("do you take aetna", &["Yes, we accept Aetna"]),
    ("do you guys take aetna", &["Aetna"]),
    ("do u accept delta dental?", &["Delta Dental"]),
    ("is cigna accepted", &["Cigna"]),
    (
        "what insurance do you take?",
        &["Delta Dental", "Aetna", "MetLife"],
    ),
    ("do you accept insurance", &["Delta Dental"]),
    ("do you take humana", &["we'll confirm with the team"]),
    (
        "are you in network with united healthcare",
        &["we'll confirm with the team"],
    ),
    ("do you take bcbs", &["Blue Cross Blue Shield of Texas"]),
    (
        "i have blue cross, is that ok?",
        &["Blue Cross Blue Shield of Texas"],
    ),
    ("metlife?", &["Yes, we accept MetLife"]),
    ("Do you accept Medicaid", &["we'll confirm with the team"]),
    ("do you acept aetna", &["Aetna"]),
    ("insurence?", &["Delta Dental"]),
    ("which insurances are accepted", &["Cigna"]),
    // The business's own FAQs, in other words.
    ("Do you offer payment plans?", &["CareCredit"]),
    ("can i pay in installments", &["CareCredit"]),
    ("do you do financing?", &["CareCredit"]),
    ("are you taking new patients", &["welcoming new patients"]),
    ("accepting new clients?", &["welcoming new patients"]),
    ("do you see kids?", &["kids from their first tooth"]),
    ("do you treat children", &["kids from their first tooth"]),
    ("do you accept credit cards", &["credit and debit cards"]),
    (
        "what forms of payment do you take",
        &["credit and debit cards"],
    ),
    ("do you take apple pay", &["Apple Pay"]),
    ("is the office wheelchair accessible?", &["step-free"]),
    ("is there a ramp", &["step-free"]),
    ("can I get laughing gas? I'm nervous", &["nitrous oxide"]),
    ("what's your cancellation policy", &["24 hours"]),
    ("hablan español?", &["Spanish"]),
    ("do you speak spanish", &["Spanish"]),
    // Small talk and handoff.
    ("hi", &["How can I help"]),
    ("hello there", &["How can I help"]),
    ("hey!", &["How can I help"]),
    ("good morning", &["How can I help"]),
    ("thanks!", &["You're welcome"]),
    ("thank you so much", &["You're welcome"]),
    ("thx", &["You're welcome"]),
    ("bye", &["have a great day"]),
    ("ok thanks, bye", &["have a great day"]),
    ("are you a bot?", &["virtual assistant"]),
    ("am i talking to a real person", &["virtual assistant"]),
    ("can I talk to a human", &["+1 512 555 0142"]),
    ("I want to speak to someone", &["+1 512 555 0142"]),
    ("have someone call me back", &["+1 512 555 0142"]),
    ("ok", &["anything else"]),
    // Booking (by phone until online booking is connected).
    ("can I book an appointment?", &["+1 512 555 0142"]),
    (
        "i want to schedule a cleaning",
        &["Check-up and cleaning", "+1 512 555 0142"],
    ),
    ("any availability next week?", &["+1 512 555 0142"]),
    // Out of scope: honest, never invented.
    ("what's the wifi password", &[UNKNOWN]),
    ("who won the game last night", &[UNKNOWN]),
    ("what's the meaning of life", &[UNKNOWN]),
    ("can you write me a poem", &[UNKNOWN]),
    (
        "do you validate parking tickets from the mall garage",
        &["free parking"],
    ),
];

pub(crate) const SALON_CASES: &[(&str, &[&str])] = &[
    (
        "are you open now?",
        &["closed right now", "tomorrow (Tuesday)", "9:30 AM"],
    ),
    ("are you open today", &["closed today", "9:30 AM"]),
    ("what time do you close on thursday", &["8:30 PM"]),
    ("late opening?", &["Thursday: 9:30 AM–8:30 PM"]),
    (
        "hours",
        &[
            "Tuesday–Wednesday: 9:30 AM–6:00 PM",
            "Saturday: 9:00 AM–5:00 PM",
        ],
    ),
    ("open on boxing day?", &["closed", "Boxing Day"]),
    ("open on sunday?", &["closed on Sunday"]),
    (
        "are you open on christmas",
        &["regular Friday hours", "9:30 AM–6:00 PM"],
    ),
    ("open 12/26?", &["closed", "Boxing Day"]),
    ("when do you open on tuesday", &["9:30 AM"]),
    ("what time do you open on saturdays", &["9:00 AM"]),
    ("are you open on mondays", &["closed on Mondays"]),
    ("where are you", &["17 Camden Passage"]),
    ("wheres the salon", &["17 Camden Passage"]),
    ("postcode?", &["N1 8EA"]),
    ("phone number?", &["+44 20 7946 0321"]),
    ("email?", &["bookings@bloomhair.example"]),
    ("website", &["https://bloomhair.example"]),
    (
        "how do I contact you",
        &["+44 20 7946 0321", "bookings@bloomhair.example"],
    ),
    (
        "how much is a haircut",
        &["£55–£85", "exact price depends on your visit"],
    ),
    ("how much for a mens cut", &["£32–£40"]),
    ("balayage price", &["£160–£260"]),
    ("how long does balayage take", &["3 hours"]),
    ("do you do colour?", &["Full colour"]),
    ("how much to dye my hair", &["£90–£140"]),
    ("what do you charge for colouring", &["£90–£140"]),
    ("how much is a blowout", &["£30–£45"]),
    (
        "price list",
        &["Typical price ranges", "Balayage £160–£260"],
    ),
    ("what services do you offer", &["Balayage", "Blow-dry"]),
    ("do you do nails", &["don't see that on our list"]),
    ("do you take insurance", &["don't have insurance details"]),
    ("do you take walk-ins?", &["walk-ins"]),
    ("can i just walk in", &["walk-ins"]),
    ("patch test?", &["48 hours"]),
    ("do i need a skin test before dying my hair", &["48 hours"]),
    ("what products do you use", &["Davines"]),
    ("do you sell olaplex", &["Olaplex"]),
    ("can I bring my dog", &["dogs are very welcome"]),
    ("pets allowed?", &["dogs are very welcome"]),
    ("whats your cancellation policy", &["24 hours"]),
    (
        "can I book a blow dry for saturday",
        &["Blow-dry", "+44 20 7946 0321"],
    ),
    ("hi", &["How can I help"]),
    ("thanks", &["You're welcome"]),
    ("tell me about balayage", &["Hand-painted highlights"]),
    ("how long is a mens cut", &["30 minutes"]),
    ("who am i chatting with", &["virtual assistant"]),
    ("how much is a perm", &["don't have a price for that"]),
];

#[test]
fn dental_practice_phrasings() {
    check(&dental(), DENTAL_CASES);
}

#[test]
fn salon_phrasings() {
    check(&salon(), SALON_CASES);
}

#[test]
fn hours_answers_stay_on_hours() {
    let dental = dental();
    for question in [
        "what are your hours",
        "hours on friday",
        "what are your hours on friday?",
    ] {
        let answer = reply(&dental, &[], question, now());
        assert!(
            !answer.contains('$'),
            "{question:?} answered with prices: {answer}"
        );
    }
}

#[test]
fn at_least_150_phrasings() {
    assert!(DENTAL_CASES.len() + SALON_CASES.len() >= 150);
}

fn visitor(text: &str) -> Message {
    Message {
        role: Role::Visitor,
        text: text.to_owned(),
        created_at: now(),
    }
}

#[test]
fn follow_ups_inherit_the_previous_question() {
    let dental = dental();
    let history = [visitor("what time do you close on friday?")];
    let answer = reply(&dental, &history, "and tuesday?", now());
    assert!(
        answer.contains("Tuesday") && answer.contains("5:00 PM"),
        "{answer}"
    );
    let history = [visitor("how much is a cleaning?")];
    let answer = reply(&dental, &history, "what about whitening?", now());
    assert!(answer.contains("$250–$500"), "{answer}");
}

#[test]
fn never_states_facts_the_business_lacks() {
    let file = include_str!("../../fixtures/bloom-salon.toml")
        .replace("phone = \"+44 20 7946 0321\"\n", "")
        .replace("website = \"https://bloomhair.example\"\n", "");
    let knowledge = knowledge(&file);
    let answer = reply(&knowledge, &[], "what's your phone number?", now());
    assert!(answer.contains("don't have a phone number"), "{answer}");
    assert!(answer.contains("bookings@bloomhair.example"), "{answer}");
    let answer = reply(&knowledge, &[], "website?", now());
    assert!(answer.contains("don't have a website"), "{answer}");
}

#[test]
fn hours_follow_the_business_time_zone() {
    let dental = dental();
    // 23:30 UTC on Monday is 17:30 in Austin: closed, open again Tuesday 8:00.
    let late: Timestamp = "2026-11-23T23:30:00Z".parse().unwrap();
    let answer = reply(&dental, &[], "are you open now?", late);
    assert!(
        answer.contains("closed right now") && answer.contains("tomorrow (Tuesday) at 8:00 AM"),
        "{answer}"
    );
    // Across the DST change (Mar 8 2026 in the US): 13:30 UTC on Monday Mar 9 is 08:30 CDT.
    let after_dst: Timestamp = "2026-03-09T13:30:00Z".parse().unwrap();
    let answer = reply(&dental, &[], "are you open now?", after_dst);
    assert!(answer.contains("open right now"), "{answer}");
}
