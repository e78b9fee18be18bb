//! What a visitor is asking: weighted cues per intent over normalised tokens, plus the
//! business-specific matches (services, plans, FAQs) and the day they mean.

use std::sync::OnceLock;

use super::knowledge::{concept, is_stopword, Knowledge, NameMatch, KNOWN_INSURERS};
use super::text::{Normalizer, Text};
use super::when::{self, When};
use jiff::civil::Date;

/// The kinds of question the built-in engine answers from verified data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intent {
    Hours,
    Location,
    Phone,
    Email,
    Website,
    Contact,
    Services,
    Price,
    Duration,
    Insurance,
    Booking,
    Human,
    Identity,
    Greeting,
    Thanks,
    Goodbye,
    Acknowledge,
}

/// Cue words (or phrases, space-separated) and how strongly each points at an intent.
const CUES: &[(Intent, &[(&str, f32)])] = &[
    (
        Intent::Hours,
        &[
            ("hours", 3.0),
            ("open", 2.5),
            ("close", 2.5),
            ("what time", 2.0),
            ("when", 0.8),
            ("until", 1.0),
            ("late", 1.0),
            ("early", 1.0),
            ("holiday", 1.5),
            ("holidays", 1.5),
            ("business hours", 2.0),
            ("working", 1.0),
            ("work", 1.0),
        ],
    ),
    (
        Intent::Location,
        &[
            ("address", 3.0),
            ("where", 2.5),
            ("located", 3.0),
            ("location", 3.0),
            ("locations", 3.0),
            ("directions", 3.0),
            ("parking", 3.0),
            ("park", 2.0),
            ("find you", 2.5),
            ("get there", 2.5),
            ("get to you", 2.5),
            ("map", 2.0),
            ("near", 1.5),
            ("nearby", 1.5),
            ("far", 1.5),
            ("street", 1.5),
            ("neighborhood", 2.5),
            ("building", 1.5),
            ("floor", 2.5),
            ("suite", 1.5),
            ("neighbourhood", 2.5),
            ("city", 2.5),
            ("town", 2.5),
            ("area", 1.5),
            ("landmark", 2.5),
            ("entrance", 2.5),
            ("zip code", 3.0),
            ("postcode", 3.0),
            ("post code", 3.0),
            ("close to", 3.0),
            ("close by", 3.0),
            ("come to", 1.0),
            ("gps", 2.0),
            ("zip", 2.0),
        ],
    ),
    (
        Intent::Phone,
        &[
            ("phone", 3.0),
            ("telephone", 3.0),
            ("call", 2.5),
            ("number", 2.5),
            ("your number", 3.0),
            ("ring", 1.0),
            ("text you", 2.0),
        ],
    ),
    (
        Intent::Email,
        &[("email", 3.0), ("mail", 1.5), ("email address", 1.0)],
    ),
    (
        Intent::Website,
        &[
            ("website", 3.0),
            ("site", 2.0),
            ("web", 2.0),
            ("url", 3.0),
            ("online", 1.0),
            ("webpage", 3.0),
            ("link", 1.5),
        ],
    ),
    (
        Intent::Contact,
        &[
            ("contact", 3.0),
            ("get in touch", 3.0),
            ("reach", 2.5),
            ("reach you", 1.0),
            ("contact information", 1.0),
            ("contact details", 1.0),
        ],
    ),
    (
        Intent::Services,
        &[
            ("services", 3.0),
            ("offer", 2.5),
            ("provide", 2.5),
            ("treatments", 2.5),
            ("treatment", 2.0),
            ("procedures", 2.5),
            ("what do you do", 3.0),
            ("do you do", 2.5),
            ("specialize", 2.5),
            ("menu", 2.0),
            ("options", 1.0),
            ("kind of", 0.5),
            ("types of", 0.5),
            ("do you have", 0.8),
            ("perform", 1.5),
            ("what is", 0.5),
            ("tell me about", 1.0),
            ("explain", 1.0),
            ("describe", 1.0),
            ("involve", 1.5),
            ("include", 1.0),
        ],
    ),
    (
        Intent::Price,
        &[
            ("price", 3.0),
            ("prices", 3.0),
            ("pricing", 3.0),
            ("cost", 3.0),
            ("how much", 3.0),
            ("fee", 3.0),
            ("fees", 3.0),
            ("charge", 2.5),
            ("expensive", 2.5),
            ("cheap", 2.5),
            ("afford", 2.0),
            ("affordable", 2.0),
            ("rate", 2.0),
            ("rates", 2.0),
            ("$", 2.5),
            ("quote", 2.0),
            ("estimate", 1.5),
            ("pay", 1.0),
            ("dollars", 2.5),
            ("bucks", 2.5),
            ("ballpark", 2.0),
            ("per hour", 3.0),
            ("cheap", 2.5),
            ("price range", 1.0),
        ],
    ),
    (
        Intent::Duration,
        &[
            ("how long", 3.0),
            ("duration", 3.0),
            ("length", 2.0),
            ("minutes", 1.5),
            ("take", 0.5),
            ("last", 0.5),
            ("how many hours", 2.0),
        ],
    ),
    (
        Intent::Insurance,
        &[
            ("insurance", 3.0),
            ("insured", 3.0),
            ("insurer", 3.0),
            ("coverage", 2.5),
            ("cover", 1.5),
            ("covered", 2.0),
            ("in network", 3.0),
            ("network", 2.0),
            ("ppo", 3.0),
            ("hmo", 3.0),
            ("plan", 0.5),
            ("plans", 0.5),
            ("carrier", 1.5),
            ("accept", 1.0),
            ("take", 0.5),
            ("copay", 2.5),
            ("deductible", 2.5),
            ("out of network", 1.0),
        ],
    ),
    (
        Intent::Booking,
        &[
            ("appointment", 2.0),
            ("an appointment", 1.0),
            ("make an", 0.5),
            ("set up", 1.0),
            ("appointments", 2.0),
            ("book", 3.0),
            ("booking", 3.0),
            ("schedule", 2.5),
            ("reserve", 3.0),
            ("reservation", 3.0),
            ("available", 1.5),
            ("availability", 2.5),
            ("slot", 2.0),
            ("slots", 2.0),
            ("come in", 1.5),
            ("walk in", 2.0),
            ("consultation", 1.5),
            ("visit", 0.5),
            ("get in", 0.5),
            ("cancel", 2.0),
            ("reschedule", 3.0),
            ("sign up", 2.0),
        ],
    ),
    (
        Intent::Human,
        &[
            ("human", 3.0),
            ("real person", 3.5),
            ("person", 1.5),
            ("someone", 1.5),
            ("representative", 3.0),
            ("receptionist", 3.0),
            ("agent", 2.0),
            ("manager", 2.5),
            ("staff", 1.0),
            ("speak to", 2.5),
            ("talk to", 2.5),
            ("speak with", 2.5),
            ("talk with", 2.5),
            ("call me", 2.5),
            ("call back", 2.5),
            ("get back to me", 3.0),
            ("callback", 3.0),
            ("operator", 3.0),
            ("anybody", 1.5),
            ("somebody", 1.5),
        ],
    ),
    (
        Intent::Identity,
        &[
            ("bot", 3.0),
            ("robot", 3.0),
            ("are you real", 3.0),
            ("are you human", 3.0),
            ("are you a person", 3.0),
            ("are you a human", 1.0),
            ("who am i talking to", 3.0),
            ("who is this", 3.0),
            ("what are you", 3.0),
            ("ai", 2.5),
            ("chatbot", 3.0),
            ("automated", 3.0),
            ("artificial", 3.0),
            ("machine", 2.0),
            ("who are you", 3.0),
            ("am i talking", 3.0),
            ("am i chatting", 3.0),
            ("is this a real", 3.0),
            ("are you a real", 3.0),
        ],
    ),
    (
        Intent::Greeting,
        &[
            ("hi", 3.0),
            ("hello", 3.0),
            ("hey", 3.0),
            ("hiya", 3.0),
            ("howdy", 3.0),
            ("greetings", 3.0),
            ("good morning", 3.0),
            ("good afternoon", 3.0),
            ("good evening", 3.0),
            ("yo", 2.5),
            ("hola", 3.0),
            ("sup", 2.5),
            ("heya", 3.0),
            ("hello there", 1.0),
        ],
    ),
    (
        Intent::Thanks,
        &[
            ("thanks", 3.0),
            ("thank", 3.0),
            ("appreciate", 3.0),
            ("appreciated", 3.0),
            ("cheers", 2.5),
            ("helpful", 2.0),
            ("gracias", 3.0),
        ],
    ),
    (
        Intent::Goodbye,
        &[
            ("bye", 3.0),
            ("goodbye", 3.0),
            ("see you", 3.0),
            ("have a good day", 3.0),
            ("have a great day", 3.0),
            ("have a nice day", 3.0),
            ("thats all", 3.0),
            ("that is all", 3.0),
            ("nothing else", 3.0),
            ("farewell", 3.0),
            ("take care", 3.0),
            ("good night", 3.0),
            ("later", 1.0),
            ("adios", 3.0),
            ("im done", 3.0),
            ("i am done", 3.0),
        ],
    ),
    (
        Intent::Acknowledge,
        &[
            ("ok", 3.0),
            ("okay", 3.0),
            ("cool", 3.0),
            ("great", 3.0),
            ("perfect", 3.0),
            ("got it", 3.0),
            ("sounds good", 3.0),
            ("alright", 3.0),
            ("awesome", 3.0),
            ("nice", 3.0),
            ("k", 3.0),
            ("kk", 3.0),
            ("sure", 2.5),
            ("understood", 3.0),
            ("noted", 3.0),
        ],
    ),
];

/// Intents that stand alone only in short messages: "great, and your hours?" is an hours
/// question, not an acknowledgement.
const SOCIAL: &[Intent] = &[Intent::Greeting, Intent::Acknowledge];

/// A score at or above this counts as asked.
pub const THRESHOLD: f32 = 2.5;

struct Cue {
    intent: Intent,
    stems: Vec<String>,
    weight: f32,
}

fn cues() -> &'static [Cue] {
    static CUE_INDEX: OnceLock<Vec<Cue>> = OnceLock::new();
    CUE_INDEX.get_or_init(|| {
        let normalizer = Normalizer::new([]);
        let mut index: Vec<Cue> = Vec::new();
        for (intent, list) in CUES {
            for (phrase, weight) in *list {
                let stems: Vec<String> = normalizer
                    .normalize(phrase)
                    .tokens
                    .into_iter()
                    .map(|t| t.stem)
                    .collect();
                // "appointment" and "appointments" share a stem: count it once, at the
                // stronger weight.
                match index
                    .iter_mut()
                    .find(|c| c.intent == *intent && c.stems == stems)
                {
                    Some(cue) => cue.weight = cue.weight.max(*weight),
                    None => index.push(Cue {
                        intent: *intent,
                        stems,
                        weight: *weight,
                    }),
                }
            }
        }
        index
    })
}

fn has_stems(text: &Text, stems: &[String]) -> bool {
    let words: Vec<&str> = stems.iter().map(String::as_str).collect();
    match words.as_slice() {
        [single] => text.has(single),
        many => text
            .tokens
            .windows(many.len())
            .any(|w| w.iter().zip(many).all(|(t, s)| t.stem == *s)),
    }
}

/// Everything the engine understood of one message.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Intents at or above the threshold, strongest first.
    pub intents: Vec<(Intent, f32)>,
    pub services: Vec<usize>,
    /// How strongly the best service was named.
    pub service_match: Option<NameMatch>,
    pub plans: Vec<usize>,
    pub faq: Option<(usize, f32)>,
    pub when: Option<When>,
    /// Topic words that are neither cues, nor a known service/plan, nor stopwords: the
    /// visitor asked about something the business data does not name.
    pub unknown_topic: bool,
    pub token_count: usize,
    /// The intent was carried over from the previous question ("and on saturday?").
    pub follow_up: bool,
}

impl Analysis {
    /// Whether an intent was asked.
    pub fn asks(&self, intent: Intent) -> bool {
        self.intents.iter().any(|(i, _)| *i == intent)
    }

    /// The score of the strongest non-social intent.
    pub fn strongest(&self) -> f32 {
        self.intents
            .iter()
            .filter(|(i, _)| !SOCIAL.contains(i) && !matches!(i, Intent::Thanks | Intent::Goodbye))
            .map(|(_, s)| *s)
            .fold(0.0, f32::max)
    }
}

/// Analyses a normalised message against a business.
pub fn analyse(text: &Text, knowledge: &Knowledge, today: Date) -> Analysis {
    let mut scores: Vec<(Intent, f32)> = Vec::new();
    let mut cue_stems: Vec<&str> = Vec::new();
    for cue in cues() {
        if has_stems(text, &cue.stems) {
            cue_stems.extend(cue.stems.iter().map(String::as_str));
            match scores.iter_mut().find(|(i, _)| *i == cue.intent) {
                Some((_, score)) => *score += cue.weight,
                None => scores.push((cue.intent, cue.weight)),
            }
        }
    }
    let (services, service_match) = knowledge.services_in(text);
    let plans = knowledge.plans_in(text);
    let when = when::find(text, today);
    let insurer_named = !plans.is_empty() || text.stems().any(|s| KNOWN_INSURERS.contains(&s));
    let mut bump = |intent: Intent, by: f32| match scores.iter_mut().find(|(i, _)| *i == intent) {
        Some((_, score)) => *score += by,
        None => scores.push((intent, by)),
    };
    if insurer_named {
        bump(Intent::Insurance, 3.0);
    }
    if let Some(when) = &when {
        bump(Intent::Hours, 1.5);
        // "when can I come in tomorrow", "can I drop it off on the 2nd": a visit on a day
        // is a question about that day's hours.
        let visit =
            text.has_any(&["when", "earli"]) || VISIT_PHRASES.iter().any(|p| text.has_phrase(p));
        if visit && matches!(when, When::Dates(_)) {
            bump(Intent::Hours, 1.0);
        }
    }
    // "hourly rate" and "per hour" are prices, not opening hours. "hourly" is matched as a
    // word: its stem is "hour", the stem of "hours".
    if text.has_word("hourly") {
        bump(Intent::Price, 3.0);
    }
    if text.has_word("hourly")
        || text.has_phrase(&["per", "hour"])
        || text.has_phrase(&["an", "hour"]) && text.has_any(&["cost", "charg", "rate", "price"])
    {
        bump(Intent::Hours, -3.0);
    }
    // "close to downtown" is about location, not closing time.
    if text.has_phrase(&["close", "to"]) || text.has_phrase(&["close", "by"]) {
        bump(Intent::Hours, -2.5);
    }
    // Duration needs something that lasts: a service or a visit.
    let has_visit = !services.is_empty()
        || text.has_any(&["that", "it", "this"])
        || text.has_any(&["appoint", "visit", "session", "procedur", "treatment"]);
    if !has_visit {
        scores.retain(|(i, _)| *i != Intent::Duration);
    }
    // Greetings and acknowledgements only stand alone in short messages.
    let token_count = text.tokens.len();
    if token_count > 5 {
        scores.retain(|(i, _)| !SOCIAL.contains(i));
    }
    scores.retain(|(_, s)| *s >= THRESHOLD);
    // "ok thanks, bye" is a goodbye.
    if scores.iter().any(|(i, _)| *i == Intent::Goodbye) {
        scores
            .retain(|(i, _)| !matches!(i, Intent::Thanks | Intent::Acknowledge | Intent::Greeting));
    }
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));

    let unknown_topic = text.stems().any(|stem| {
        !is_stopword(stem)
            && !cue_stems.contains(&stem)
            && !stem.bytes().all(|b| b.is_ascii_digit())
            && !is_time_word(stem)
            && !knowledge
                .services
                .iter()
                .any(|s| s.concepts.iter().any(|c| c == concept(stem)))
            && !knowledge
                .plans
                .iter()
                .any(|p| p.concepts.iter().any(|c| c == concept(stem)))
            && !FILLER.contains(&stem)
    });
    Analysis {
        intents: scores,
        services,
        service_match,
        plans,
        faq: knowledge.best_faq(text),
        when,
        unknown_topic,
        token_count,
        follow_up: false,
    }
}

/// Ways of saying "come by on that day".
const VISIT_PHRASES: &[&[&str]] = &[
    &["come", "in"],
    &["come", "by"],
    &["stop", "by"],
    &["drop", "off"],
    &["drop"],
    &["pick", "up"],
    &["swing", "by"],
    &["visit"],
    &["come", "over"],
];

/// Words that name days and times, which never make a topic of their own.
fn is_time_word(stem: &str) -> bool {
    const TIME_WORDS: &[&str] = &[
        "today",
        "tomorrow",
        "tonight",
        "now",
        "right",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "weekend",
        "weekday",
        "week",
        "day",
        "morn",
        "afternoon",
        "even",
        "night",
        "next",
        "this",
        "month",
        "year",
        "am",
        "pm",
        "th",
        "st",
        "nd",
        "rd",
        "current",
        "moment",
        "still",
        "noon",
    ];
    TIME_WORDS.contains(&stem) || stem.ends_with("day") && stem.len() > 5
}

/// Words that often surround a question without naming its topic.
const FILLER: &[&str] = &[
    "guy", "folk", "y'all", "much", "mani", "long", "dr", "doctor", "offic", "clinic", "practic",
    "place", "store", "shop", "compani", "busi", "team", "usual", "typic", "normal", "general",
    "current", "roughli", "approxim", "exact", "averag", "start", "said", "anymor", "still",
    "sure", "possibl", "also", "els", "well", "kind", "sort", "type", "good", "great", "nice",
    "quick", "question", "wonder", "curious", "look", "find", "out", "check", "confirm", "find",
    "new", "patient", "visit", "price", "cost", "dental", "health", "insur", "plan", "accept",
    "take", "do", "doe", "cover", "myself", "someon", "famili", "per", "each", "one", "list",
    "menu", "rang", "option", "overview", "full", "all", "everyth", "detail", "inform", "info",
];
