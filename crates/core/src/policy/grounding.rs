//! Grounding: every checkable claim in a reply — phone numbers, emails, web addresses,
//! prices, clock times, durations, street numbers, insurance plans — must be found in the
//! business's verified data. The fast path (contact details and prices) runs before a
//! reply leaves and blocks it; the full check runs in the background and records findings.

use crate::business::Business;

/// One claim that the business data does not support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `phone`, `email`, `url`, `price`, `time`, `duration`, `address`, `insurance`.
    pub kind: &'static str,
    /// The claim as it appears in the reply.
    pub claim: String,
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Phone-like runs: 7–15 digits joined by spaces, dots, dashes or parentheses.
fn phones(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            || (chars[i] == '+' || chars[i] == '(')
                && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        {
            let start = i;
            let mut end = i;
            while end < chars.len()
                && (chars[end].is_ascii_digit() || " -.()+".contains(chars[end]))
            {
                end += 1;
            }
            let candidate: String = chars[start..end].iter().collect();
            let count = candidate.chars().filter(char::is_ascii_digit).count();
            let has_separator_or_long =
                count >= 10 || candidate.trim().contains(['-', '.', ' ', '(']);
            if (7..=15).contains(&count) && has_separator_or_long && !candidate.contains('$') {
                found.push(candidate.trim().trim_end_matches(['.', '-']).to_owned());
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

fn emails(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "<>()[],;\"'".contains(c))
        .map(|t| t.trim_end_matches(['.', '!', '?', ':']))
        .filter(|t| t.contains('@') && t.split('@').nth(1).is_some_and(|d| d.contains('.')))
        .map(|t| t.to_lowercase())
        .collect()
}

fn hosts(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "<>()[],;\"'".contains(c))
        .map(|t| t.trim_end_matches(['.', '!', '?', ':']))
        .filter(|t| !t.contains('@'))
        .filter_map(|t| {
            let rest = t
                .strip_prefix("https://")
                .or_else(|| t.strip_prefix("http://"))
                .or_else(|| t.strip_prefix("www.").map(|_| t))?;
            Some(
                rest.trim_start_matches("www.")
                    .split('/')
                    .next()
                    .unwrap_or("")
                    .to_lowercase(),
            )
        })
        .filter(|h| h.contains('.'))
        .collect()
}

/// Dollar (or €/£) amounts, as numbers.
fn amounts(text: &str) -> Vec<(String, f64)> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '$' | '€' | '£') {
            let number: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == ',' || **c == '.')
                .collect();
            let number = number.trim_end_matches(['.', ',']).replace(',', "");
            if let Ok(value) = number.parse::<f64>() {
                found.push((format!("{c}{number}"), value));
            }
        }
    }
    found
}

/// "8:00 AM", "5 pm", "17:30" as minutes since midnight.
fn times(text: &str) -> Vec<(String, u16)> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| {
            c.is_whitespace()
                || c == '–'
                || c == '-'
                || c == ','
                || c == ';'
                || c == '('
                || c == ')'
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let word = word.trim_end_matches(['.', '!', '?']);
        let (clock, inline_suffix) =
            if let Some(c) = word.strip_suffix("am").or_else(|| word.strip_suffix("a.m")) {
                (c, Some(false))
            } else if let Some(c) = word.strip_suffix("pm").or_else(|| word.strip_suffix("p.m")) {
                (c, Some(true))
            } else {
                (word, None)
            };
        let suffix = inline_suffix.or_else(|| {
            match words
                .get(i + 1)
                .map(|w| w.trim_end_matches(['.', '!', '?', ',']))
            {
                Some("am" | "a.m") => Some(false),
                Some("pm" | "p.m") => Some(true),
                _ => None,
            }
        });
        let (h, m) = match clock.split_once(':') {
            Some((h, m)) => (h.parse::<u16>().ok(), m.parse::<u16>().ok()),
            None if suffix.is_some() => (clock.parse::<u16>().ok(), Some(0)),
            None => (None, None),
        };
        let (Some(h), Some(m)) = (h, m) else { continue };
        if m >= 60 || h > 24 || (suffix.is_some() && !(1..=12).contains(&h)) {
            continue;
        }
        let hour = match suffix {
            Some(true) if h != 12 => h + 12,
            Some(false) if h == 12 => 0,
            _ => h,
        };
        found.push((word.to_owned(), hour * 60 + m));
    }
    found
}

/// Every number the business data states, as digit strings ("1204", "78704", "95",
/// "8", "17", "5"), so a reply's numbers can be checked against it.
fn known_numbers(business: &Business) -> Vec<String> {
    let mut text = String::new();
    for part in [
        &business.phone,
        &business.email,
        &business.website,
        &business.address,
        &business.directions,
    ]
    .into_iter()
    .flatten()
    {
        text.push_str(part);
        text.push(' ');
    }
    for service in &business.services {
        for value in [service.price_min, service.price_max].into_iter().flatten() {
            text.push_str(&format!("{value} "));
        }
        if let Some(minutes) = service.duration_minutes {
            text.push_str(&format!("{minutes} {} ", minutes / 60));
        }
        text.push_str(service.description.as_deref().unwrap_or(""));
        text.push(' ');
    }
    for faq in &business.faqs {
        text.push_str(&faq.answer);
        text.push(' ');
    }
    for closure in &business.closures {
        text.push_str(&format!("{} {} ", closure.date.day(), closure.date.year()));
    }
    for minute in business.hours.boundaries() {
        let hour = minute / 60;
        let twelve = if hour % 12 == 0 { 12 } else { hour % 12 };
        text.push_str(&format!("{hour} {twelve} {} ", minute % 60));
    }
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|d| !d.is_empty())
        .map(|d| d.trim_start_matches('0').to_owned())
        .collect()
}

/// Numbers in a reply that the business data never states ("since 1985", "72 hours",
/// "1402 Maple Street"). Emergency numbers and small counts are fine.
pub fn unknown_numbers(reply: &str, business: &Business) -> Vec<String> {
    const UNITS: &[&str] = &[
        "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs",
    ];
    if !reply.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let known = business
        .known_numbers
        .get_or_init(|| known_numbers(business));
    let service_parts: Vec<u32> = business
        .services
        .iter()
        .filter_map(|s| s.duration_minutes)
        .flat_map(|d| [d, d / 60, d % 60])
        .collect();
    let words: Vec<String> = reply
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    let mut unknown = Vec::new();
    for (i, word) in words.iter().enumerate() {
        for digits in word
            .split(|c: char| !c.is_ascii_digit())
            .filter(|d| !d.is_empty())
        {
            let number = digits.trim_start_matches('0');
            // Calendar dates and durations are computed from the data and checked by
            // the schedule and duration graders.
            let date = i >= 1 && crate::engine::month_number(&words[i - 1]).is_some();
            // A duration is computed from a service's minutes: 75 → "1 hour 15 minutes".
            let duration = words
                .get(i + 1)
                .is_some_and(|next| UNITS.contains(&next.as_str()))
                && number
                    .parse::<u32>()
                    .is_ok_and(|n| service_parts.contains(&n));
            let small = number.parse::<u64>().map_or(true, |n| n <= 3);
            if !number.is_empty()
                && !small
                && !date
                && !duration
                && !matches!(number, "911" | "988")
                && !known.iter().any(|k| k == number)
            {
                unknown.push(number.to_owned());
            }
        }
    }
    unknown
}

/// Claims a reply makes about hours and plans that contradict the data: a clock time the
/// business never opens or closes at, a well-known insurer it does not list, a listed
/// plan it says it no longer takes.
pub fn contradictions(reply: &str, business: &Business) -> Vec<Finding> {
    let mut findings = Vec::new();
    let known_minutes = business.hours.boundaries();
    for (claim, minute) in times(reply) {
        if !known_minutes.contains(&minute) {
            findings.push(Finding {
                kind: "time",
                claim,
            });
        }
    }
    // Each clause on its own: "Humana isn't on our list — we take Aetna" accepts only Aetna.
    for clause in reply.split(['.', ';', '—', '–', '!', '?']) {
        let lower = clause.to_lowercase();
        let negated = [
            "isn't",
            "isnt",
            "is not",
            "not on",
            "don't",
            "dont",
            "do not",
            "no longer",
            "aren't",
            "not accepted",
            "stopped",
        ]
        .iter()
        .any(|p| lower.contains(p));
        let accepts = [
            "we accept",
            "we take",
            "accept",
            "aceptamos",
            "in network",
            "in-network",
        ]
        .iter()
        .any(|p| lower.contains(p));
        if accepts && !negated {
            for insurer in crate::engine::KNOWN_INSURER_NAMES {
                if lower.contains(insurer)
                    && !business
                        .insurance
                        .iter()
                        .any(|plan| plan.to_lowercase().contains(insurer))
                {
                    findings.push(Finding {
                        kind: "insurance",
                        claim: (*insurer).to_owned(),
                    });
                }
            }
        }
        let refuses = [
            "don't take",
            "dont take",
            "do not take",
            "no longer",
            "don't accept",
            "do not accept",
            "stopped taking",
        ]
        .iter()
        .any(|p| lower.contains(p));
        if refuses {
            for plan in &business.insurance {
                if lower.contains(&plan.to_lowercase()) {
                    findings.push(Finding {
                        kind: "insurance",
                        claim: plan.clone(),
                    });
                }
            }
        }
    }
    findings
}

/// Opening hours stated for one named day that are not that day's hours ("Our Friday hours
/// are 8 AM to 5 PM" when Friday closes at 2). Only sentences naming exactly one weekday
/// are judged, so "Monday to Thursday 8–5, Friday 8–2" is never misread.
pub fn day_hours_contradictions(reply: &str, business: &Business) -> Vec<Finding> {
    let mut findings = Vec::new();
    for sentence in sentences(reply) {
        let days: Vec<jiff::civil::Weekday> = sentence
            .split(|c: char| !c.is_alphanumeric())
            .filter_map(|word| weekday(&word.to_lowercase()))
            .collect();
        let [day] = days.as_slice() else {
            continue;
        };
        // Opening hours, not an appointment time ("booked for Thursday at 2 PM").
        let lower = sentence.to_lowercase();
        let about_hours = [
            "open", "close", "hours", "until", "till", "abierto", "horario", "cerramos", "abrimos",
        ]
        .iter()
        .any(|word| lower.contains(word));
        if !about_hours {
            continue;
        }
        let hours = business.hours.day(*day);
        // "We're open Saturdays 8 to 2" on a day the business is closed.
        let says_open = ["open", "abierto", "abrimos", "ouvert"].iter().any(|word| {
            lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == *word)
        }) && !["closed", "not open", "cerrado", "fermé", "ferme"]
            .iter()
            .any(|word| lower.contains(word));
        if says_open && hours.ranges().is_empty() {
            findings.push(Finding {
                kind: "day_hours",
                claim: format!("open on {day:?}"),
            });
            continue;
        }
        let boundaries: Vec<u16> = hours
            .ranges()
            .iter()
            .flat_map(|range| [range.open(), range.close()])
            .collect();
        for (claim, minute) in times(sentence) {
            if !boundaries.contains(&minute) {
                findings.push(Finding {
                    kind: "day_hours",
                    claim: format!("{claim} on {day:?}"),
                });
            }
        }
    }
    findings
}

/// "We're open on Thanksgiving until noon": an opening on a holiday. Holiday hours are not
/// in the weekly data and the business's closures say when it is shut, so such a claim is
/// either contradicted by a closure or stated without any data at all.
pub fn holiday_openings(reply: &str, business: &Business) -> Vec<Finding> {
    const HOLIDAYS: &[&str] = &[
        "thanksgiving",
        "christmas",
        "new year",
        "easter",
        "halloween",
        "labor day",
        "memorial day",
        "fourth of july",
        "july 4",
        "independence day",
        "navidad",
        "noel",
    ];
    let lower = reply.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
    let says_open = words
        .iter()
        .any(|w| matches!(*w, "open" | "abierto" | "abrimos" | "ouvert"))
        && !words
            .iter()
            .any(|w| matches!(*w, "closed" | "cerrado" | "ferme" | "not" | "shut"));
    // "On Christmas Eve (Thursday, Dec 24) we're open 8:30–5:30": a dated opening is the
    // weekly hours of that weekday, which the day-hours check judges.
    let dated = words
        .iter()
        .any(|w| weekday(w).is_some() || crate::engine::month_number(w).is_some());
    if !says_open || dated {
        return Vec::new();
    }
    HOLIDAYS
        .iter()
        .filter(|holiday| lower.contains(*holiday))
        .map(|holiday| {
            let closed_then = business.closures.iter().any(|c| {
                c.note
                    .as_deref()
                    .is_some_and(|note| note.to_lowercase().contains(holiday))
            });
            Finding {
                kind: if closed_then { "closure" } else { "holiday" },
                claim: format!("open on {holiday}"),
            }
        })
        .collect()
}

/// A price stated for one named service that is outside that service's range ("An
/// emergency visit is a flat $250" when it costs $75–$200). Every amount must also be
/// somewhere in the data (the fast path); this checks it belongs to the service named.
pub fn service_price_mismatches(reply: &str, business: &Business) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Only a sentence with an amount can misprice a service.
    for sentence in sentences(reply).filter(|s| s.bytes().any(|b| b.is_ascii_digit())) {
        let lower = sentence.to_lowercase();
        let named: Vec<&crate::business::Service> = business
            .services
            .iter()
            .filter(|service| {
                std::iter::once(&service.name)
                    .chain(&service.aliases)
                    .any(|name| lower.contains(&name.to_lowercase()))
            })
            .collect();
        let [service] = named.as_slice() else {
            continue;
        };
        let Some(min) = service.price_min else {
            continue;
        };
        let max = service.price_max.unwrap_or(f64::INFINITY);
        for (claim, value) in amounts(sentence) {
            if value < min - 0.005 || value > max + 0.005 {
                findings.push(Finding {
                    kind: "price",
                    claim: format!("{claim} for {}", service.name),
                });
            }
        }
    }
    findings
}

/// The sentences of a reply, for claims judged one sentence at a time.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['.', ';', '!', '?', '\n'])
}

fn weekday(word: &str) -> Option<jiff::civil::Weekday> {
    use jiff::civil::Weekday::*;
    let word = word
        .strip_suffix('s')
        .filter(|w| w.ends_with("day"))
        .unwrap_or(word);
    Some(match word {
        "monday" | "mon" | "lunes" => Monday,
        "tuesday" | "tue" | "tues" | "martes" => Tuesday,
        "wednesday" | "wed" | "miercoles" => Wednesday,
        "thursday" | "thu" | "thur" | "thurs" | "jueves" => Thursday,
        "friday" | "fri" | "viernes" => Friday,
        "saturday" | "sat" | "sabado" => Saturday,
        "sunday" | "sun" | "domingo" => Sunday,
        _ => return None,
    })
}

/// Offers and facts about the business stated in the reply's own words (what is left after
/// [`without_verified_text`]) that the business data never mentions: "We accept PayPal",
/// "Free parking is available in the garage", "All of our dentists speak Spanish". A
/// sentence is a claim when it says what the business offers, accepts, has or does; each
/// of its content words must then appear somewhere in the data.
pub fn unverified_claims(own_words: &str, business: &Business) -> Vec<Finding> {
    let mut findings = Vec::new();
    let clauses = own_words
        .split(['.', ';', '!', '?', '\n', '—'])
        .flat_map(|sentence| sentence.split(" but ").flat_map(|c| c.split(" pero ")));
    for sentence in clauses {
        let words: Vec<String> = super::message::fold_words(sentence);
        let has = |w: &str| words.iter().any(|x| x == w);
        let phrase = |p: &[&str]| {
            words
                .windows(p.len())
                .any(|w| w.iter().zip(p).all(|(a, b)| a == b))
        };
        let claim = CLAIM_VERBS.iter().any(|verb| {
            phrase(&["we", verb]) || phrase(&["we", "also", verb]) || phrase(&["we", "now", verb])
        }) || words.iter().any(|w| {
            matches!(
                w.as_str(),
                "ofrecemos" | "aceptamos" | "tenemos" | "hacemos" | "contamos"
            )
        })
            // "our whole team speaks Spanish", "two of us also speak Vietnamese", "thanks to
            // our in-house CEREC machine": a claim about the team or its equipment.
            || ["team", "staff", "dentists", "stylists", "us", "everyone"].iter().any(|who| {
                ["speaks", "speak", "offers", "uses", "has"]
                    .iter()
                    .any(|verb| phrase(&[who, verb]) || phrase(&[who, "also", verb]))
            })
            || phrase(&["thanks", "to", "our"])
            || phrase(&["is", "always"])
            || phrase(&["are", "always"])
            || phrase(&["is", "free"])
            || phrase(&["are", "free"])
            || phrase(&["all", "of", "our"])
            || phrase(&["is", "available"])
            || phrase(&["are", "available"])
            || phrase(&["same", "day"])
            || words.windows(2).any(|w| {
                w[0] == "free" && w[1].len() >= 4 && w[1].chars().all(char::is_alphabetic)
            })
            || phrase(&["for", "free"])
            || phrase(&["our", "dentists"]) && has("speak");
        if !claim {
            continue;
        }
        // A claim in Spanish can't be checked word by word against English data; its
        // brand names can ("Aceptamos PayPal").
        let spanish = words.iter().any(|w| {
            matches!(
                w.as_str(),
                "ofrecemos" | "aceptamos" | "tenemos" | "hacemos" | "contamos"
            )
        });
        // Built once per business, on the first reply that makes a claim.
        let vocabulary = business
            .word_stems
            .get_or_init(|| business_vocabulary(business));
        let unknown: Vec<&String> = words
            .iter()
            .filter(|w| {
                w.len() >= 4
                    && w.chars().all(char::is_alphabetic)
                    && !CLAIM_FRAME_WORDS.contains(&w.as_str())
                    && !vocabulary.contains(&stem(w))
            })
            .collect();
        // Ordinary words of a front desk reply are fine; a claim needs a specific thing
        // the data does not have. Common words only count beside an uncommon one.
        // A name mid-sentence ("Aceptamos PayPal y Venmo"), not the capitalised first word.
        let named_mid_sentence = |word: &str| {
            sentence
                .split(|c: char| !c.is_alphanumeric())
                .filter(|raw_word| !raw_word.is_empty())
                .skip(1)
                .any(|raw_word| {
                    raw_word.to_lowercase() == word
                        && raw_word.chars().next().is_some_and(char::is_uppercase)
                })
        };
        if unknown.iter().any(|w| {
            if spanish {
                named_mid_sentence(w)
            } else {
                !crate::engine::is_common_word(w) || OFFER_NOUNS.contains(&w.as_str())
            }
        }) {
            findings.push(Finding {
                kind: "claim",
                claim: sentence.trim().to_owned(),
            });
        }
    }
    findings
}

/// Verbs of a business stating what it offers or does.
const CLAIM_VERBS: &[&str] = &[
    "offer", "provide", "accept", "take", "have", "carry", "sell", "support", "speak", "use", "do",
    "waive", "ask", "require", "only", "always", "never", "usually", "give",
];

/// Common words that still name an offer a business may or may not have.
const OFFER_NOUNS: &[&str] = &[
    "free",
    "parking",
    "garage",
    "spanish",
    "french",
    "chinese",
    "wifi",
    "coffee",
    "sedation",
    "financing",
    "discount",
    "discounts",
    "delivery",
    "pickup",
    "warranty",
    "loaner",
    "shuttle",
    "childcare",
    "paypal",
    "venmo",
    "crypto",
    "bitcoin",
    "cash",
    "checks",
    "weekends",
    "evenings",
    "overnight",
    "anesthesia",
    "laughing",
    "massage",
    "sauna",
];

/// Words of the claim frame itself and of any front desk answer.
const CLAIM_FRAME_WORDS: &[&str] = &[
    "offer",
    "offers",
    "provide",
    "provides",
    "accept",
    "accepts",
    "also",
    "available",
    "free",
    "same",
    "usually",
    "ready",
    "patients",
    "clients",
    "customers",
    "visitors",
    "team",
    "staff",
    "appointment",
    "appointments",
    "visit",
    "visits",
    "service",
    "services",
    "happy",
    "help",
    "book",
    "booking",
    "call",
    "today",
    "tomorrow",
    "week",
    "many",
    "most",
    "options",
    "option",
    "plan",
    "plans",
    "price",
    "prices",
    "cost",
    "costs",
    "range",
    "exact",
    "depends",
    "your",
    "their",
    "them",
    "they",
    "with",
    "that",
    "this",
    "there",
    "here",
    "have",
    "from",
    "into",
    "about",
    "what",
    "which",
    "when",
    "where",
    "will",
    "would",
    "could",
    "should",
    "just",
    "only",
    "every",
    "each",
    "other",
    "more",
    "some",
    "than",
    "then",
    "also",
    "like",
    "please",
    "questions",
    "question",
    "ofrecemos",
    "aceptamos",
    "tenemos",
    "hacemos",
    "contamos",
    "para",
    "cita",
    "citas",
    "emergencia",
    "emergencias",
    "llame",
    "llamar",
    "nuestro",
    "nuestra",
    "nuestros",
    "nuestras",
    "todos",
    "todas",
    "servicio",
    "servicios",
    "precio",
    "precios",
    "horario",
    "pacientes",
    "clientes",
    "equipo",
    "heres",
    "theres",
    "thats",
    "whats",
    "weve",
    "youre",
    "youll",
    "well",
    "ranges",
    "tailored",
];

/// Every word the business data uses, stemmed, for claim checks.
fn business_vocabulary(business: &Business) -> std::collections::HashSet<String> {
    let mut texts: Vec<&str> = vec![business.name.as_str(), business.greeting.as_str()];
    texts.extend(business.address.as_deref());
    texts.extend(business.directions.as_deref());
    texts.extend(business.website.as_deref());
    for faq in &business.faqs {
        texts.push(&faq.question);
        texts.push(&faq.answer);
    }
    for service in &business.services {
        texts.push(&service.name);
        texts.extend(service.description.as_deref());
        texts.extend(service.aliases.iter().map(String::as_str));
    }
    texts.extend(business.insurance.iter().map(String::as_str));
    texts.extend(business.closures.iter().filter_map(|c| c.note.as_deref()));
    texts
        .iter()
        .flat_map(|text| super::message::fold_words(text))
        .map(|word| stem(&word))
        .collect()
}

/// Porter2 stems, so "dentists" matches "dentist" and "cleanings" matches "cleaning".
fn stem(word: &str) -> String {
    static STEMMER: std::sync::OnceLock<rust_stemmers::Stemmer> = std::sync::OnceLock::new();
    STEMMER
        .get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English))
        .stem(word)
        .into_owned()
}

/// The data's own sentences a reply may quote, longest first.
fn verified_texts(business: &Business) -> Vec<String> {
    let mut verified: Vec<&str> = vec![business.name.as_str(), business.greeting.as_str()];
    verified.extend(business.address.as_deref());
    verified.extend(business.directions.as_deref());
    verified.extend(business.faqs.iter().map(|f| f.answer.as_str()));
    for service in &business.services {
        verified.extend(service.description.as_deref());
        verified.push(service.name.as_str());
    }
    verified.extend(business.insurance.iter().map(String::as_str));
    verified.extend(business.closures.iter().filter_map(|c| c.note.as_deref()));
    // Longest first, so a description is removed before a service name inside it.
    verified.sort_by_key(|text| std::cmp::Reverse(text.len()));
    verified.into_iter().map(str::to_owned).collect()
}

/// A reply with the business's own verified wording removed — its name, service names
/// and descriptions, FAQ answers, address, directions, plans and closure notes — so the
/// checks judge only what the reply adds. Quoting the verified data is grounded by
/// definition.
pub fn without_verified_text(reply: &str, business: &Business) -> String {
    let verified = business
        .verified_texts
        .get_or_init(|| verified_texts(business));
    let mut remaining = reply.to_owned();
    for text in verified {
        let text = text.as_str();
        // Most verified texts (long FAQ answers) are nowhere in a reply; a short prefix
        // turns them away before a search for the whole text is set up.
        let prefix_end = text
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .find(|end| *end >= 8)
            .unwrap_or(text.len());
        if text.len() >= 3 && remaining.contains(&text[..prefix_end]) {
            remaining = remaining.replace(text, " ");
        }
    }
    remaining
}

/// Street addresses in a reply that are not the business's: a contact detail, so the
/// fast path blocks them ("1500 Congress Avenue" when the office is at 1204 Maple Street).
fn address_findings(reply: &str, business: &Business) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !reply.bytes().any(|b| b.is_ascii_digit()) {
        return findings;
    }
    let lower = reply.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if let Some(address) = &business.address {
        let address_digits: Vec<String> = address
            .split(|c: char| !c.is_ascii_digit())
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect();
        const STREET_WORDS: &[&str] = &[
            "street",
            "st",
            "st.",
            "avenue",
            "ave",
            "ave.",
            "road",
            "rd",
            "blvd",
            "boulevard",
            "lane",
            "drive",
            "suite",
        ];
        for pair in words.windows(3) {
            let number = pair[0].trim_start_matches('#');
            if number.chars().all(|c| c.is_ascii_digit())
                && !number.is_empty()
                && STREET_WORDS.contains(&pair[2].trim_end_matches([',', '.']))
                && !address_digits.iter().any(|d| d == number)
            {
                findings.push(Finding {
                    kind: "address",
                    claim: pair.join(" "),
                });
            }
        }
    }
    findings
}

/// Claims the fast path blocks on: contact details and prices not in the data.
pub fn fast_findings(reply: &str, business: &Business) -> Vec<Finding> {
    let mut findings = address_findings(reply, business);
    let known_phone = business.phone.as_deref().map(digits).unwrap_or_default();
    for phone in phones(reply) {
        let d = digits(&phone);
        let matches = !known_phone.is_empty()
            && (known_phone.ends_with(&d)
                || d.ends_with(&known_phone)
                || known_phone.ends_with(&d[d.len().saturating_sub(10)..]));
        let is_emergency_number = matches!(d.as_str(), "911" | "988" | "112" | "999");
        if !matches && !is_emergency_number {
            findings.push(Finding {
                kind: "phone",
                claim: phone,
            });
        }
    }
    let known_email = business.email.as_deref().map(str::to_lowercase);
    for email in emails(reply) {
        if known_email.as_deref() != Some(email.as_str()) {
            findings.push(Finding {
                kind: "email",
                claim: email,
            });
        }
    }
    let known_host = business
        .website
        .as_deref()
        .and_then(|w| hosts(w).into_iter().next());
    for host in hosts(reply) {
        if known_host.as_deref() != Some(host.as_str()) {
            findings.push(Finding {
                kind: "url",
                claim: host,
            });
        }
    }
    let mut known_prices: Vec<f64> = business
        .services
        .iter()
        .flat_map(|s| s.price_min.into_iter().chain(s.price_max))
        .collect();
    for text in business.faqs.iter().map(|f| f.answer.as_str()).chain(
        business
            .services
            .iter()
            .filter_map(|s| s.description.as_deref()),
    ) {
        known_prices.extend(amounts(text).into_iter().map(|(_, value)| value));
    }
    for (claim, value) in amounts(reply) {
        if !known_prices.iter().any(|p| (p - value).abs() < 0.005) {
            findings.push(Finding {
                kind: "price",
                claim,
            });
        }
    }
    findings
}

/// Everything the full grader checks: the fast path plus times, durations, street
/// numbers and insurance plans.
pub fn all_findings(reply: &str, business: &Business) -> Vec<Finding> {
    let mut findings = fast_findings(reply, business);
    for number in unknown_numbers(reply, business) {
        if !findings.iter().any(|f| f.claim.contains(&number)) {
            findings.push(Finding {
                kind: "number",
                claim: number,
            });
        }
    }
    findings.extend(contradictions(reply, business));
    findings.extend(day_hours_contradictions(reply, business));
    findings.extend(service_price_mismatches(reply, business));
    findings.extend(unverified_claims(
        &without_verified_text(reply, business),
        business,
    ));
    let lower = reply.to_lowercase();
    let known_durations: Vec<u32> = business
        .services
        .iter()
        .filter_map(|s| s.duration_minutes)
        .collect();
    let words: Vec<&str> = lower.split_whitespace().collect();
    for pair in words.windows(2) {
        if let (Ok(n), unit) = (
            pair[0].parse::<u32>(),
            pair[1].trim_end_matches(['.', ',', ')']),
        ) {
            let minutes = match unit {
                "minutes" | "minute" | "mins" | "min" => Some(n),
                "hours" | "hour" | "hrs" => Some(n * 60),
                _ => None,
            };
            if let Some(minutes) = minutes {
                let matches_service = known_durations.iter().any(|d| {
                    *d == minutes
                        || d / 60 == n && unit.starts_with("hour")
                        || d % 60 == n && unit.starts_with("min")
                });
                if !matches_service {
                    findings.push(Finding {
                        kind: "duration",
                        claim: format!("{} {}", pair[0], pair[1]),
                    });
                }
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Business {
        Business::from_toml(include_str!("../../../../demo/demo-business.toml")).unwrap()
    }

    #[test]
    fn hours_stated_for_one_day_must_be_that_days_hours() {
        let business = demo();
        for fine in [
            "On Friday we're open 8:00 AM–2:00 PM.",
            "We're open Monday to Thursday 8 AM to 5 PM and Friday 8 AM to 2 PM.",
            "Your appointment is Thursday at 2:30 PM.",
            "We're open Tuesday until 5 PM.",
        ] {
            assert!(
                day_hours_contradictions(fine, &business).is_empty(),
                "{fine}"
            );
        }
        for wrong in [
            "Our Friday hours are 8 AM to 5 PM.",
            "On Tuesdays we close at 7 PM.",
            "El viernes abrimos hasta las 6 pm.",
        ] {
            assert!(
                !day_hours_contradictions(wrong, &business).is_empty(),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_price_must_fit_the_service_it_is_stated_for() {
        let business = demo();
        for fine in [
            "An emergency visit usually costs $75–$200.",
            "Emergency visit: from $75. Crowns are $900–$1,500.",
            "Teeth whitening is $250–$500; the exact price depends on your visit.",
        ] {
            assert!(
                service_price_mismatches(fine, &business).is_empty(),
                "{fine}"
            );
        }
        let found = service_price_mismatches("An emergency visit is a flat $250.", &business);
        assert_eq!(found.len(), 1);
        assert!(found[0].claim.contains("Emergency visit"), "{found:?}");
    }

    #[test]
    fn offers_the_data_never_mentions_are_claims() {
        let business = demo();
        let own = |reply: &str| without_verified_text(reply, &business);
        for fine in [
            "We offer CareCredit financing and monthly payment plans for larger treatments.",
            "We accept Delta Dental, Aetna and Cigna.",
            "We offer check-ups and cleanings, fillings, crowns and teeth whitening.",
            "I can't promise that, but the team is happy to help.",
            "Feel free to call us.",
        ] {
            assert!(
                unverified_claims(&own(fine), &business).is_empty(),
                "{fine}"
            );
        }
        for invented in [
            "We accept PayPal and Venmo.",
            "Free parking is available in the garage across the street.",
            "All of our dentists speak Portuguese.",
            "We also offer hypnotherapy for anxious patients.",
            "Aceptamos PayPal y Venmo.",
        ] {
            assert!(
                !unverified_claims(&own(invented), &business).is_empty(),
                "{invented}"
            );
        }
    }

    #[test]
    fn contact_details_and_prices_must_be_verified() {
        let business = demo();
        assert!(
            fast_findings("Call us at +1 512 555 0142 or (512) 555-0142.", &business).is_empty()
        );
        assert!(fast_findings(
            "Email hello@maplestreetdental.example or see https://maplestreetdental.example/team",
            &business
        )
        .is_empty());
        assert!(fast_findings("A cleaning usually costs $95–$180.", &business).is_empty());
        assert!(fast_findings("If this is an emergency, call 911.", &business).is_empty());
        let kinds: Vec<&str> = fast_findings("Call 512-555-9999, email info@maple.example, visit www.mapledental.com; cleanings are $79.", &business)
            .iter()
            .map(|f| f.kind)
            .collect();
        assert_eq!(kinds, ["phone", "email", "url", "price"]);
    }

    #[test]
    fn full_grader_checks_times_durations_addresses_and_plans() {
        let business = demo();
        assert!(all_findings(
            "We're open Monday 8:00 AM–5:00 PM and Friday until 2 PM. A cleaning takes 60 minutes.",
            &business
        )
        .is_empty());
        let kinds: Vec<&str> = all_findings("We open at 7:30 AM, a cleaning takes 20 minutes, we're at 99 Oak Street and we accept Humana.", &business)
            .iter()
            .map(|f| f.kind)
            .collect();
        for kind in ["time", "duration", "address", "insurance", "number"] {
            assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
        }
    }
}
