//! The phone line's own language: what a caller's speech or keypad presses mean (the
//! menu, "where's my order", an order number said digit by digit, a phone number or email
//! given to prove an order is theirs), and how written replies become something a voice
//! can read out. Pure functions; the HTTP adapter drives the call.

use std::fmt;

use crate::engine::text::split_words;
use crate::notify::PhoneNumber;
use crate::orders::{FulfillmentStatus, Order, OrderNumber, PaymentStatus};

/// A business's phone line: its Twilio account and where calls go when a caller wants a
/// person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneSettings {
    /// `AC…`: the account the line's number belongs to (not a secret).
    pub account_sid: String,
    /// Signs every webhook Twilio sends; sealed at rest, never shown back.
    pub auth_token: AuthToken,
    /// Where `<Dial>` transfers a caller; without it, callers leave a callback request.
    pub escalation: Option<PhoneNumber>,
}

/// A Twilio auth token. `Debug` is redacted so it cannot reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken(String);

impl AuthToken {
    /// Refuses an empty token or one with spaces (a paste gone wrong).
    pub fn parse(text: &str) -> Result<Self, String> {
        let token = text.trim();
        if token.is_empty() || token.chars().any(char::is_whitespace) || token.len() > 128 {
            return Err("the auth token must be 1-128 characters without spaces".to_owned());
        }
        Ok(Self(token.to_owned()))
    }

    /// The token, for computing signatures only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthToken(<redacted>)")
    }
}

/// Checks an account SID as Twilio issues them: `AC` and 32 hex digits.
pub fn valid_account_sid(sid: &str) -> bool {
    sid.len() == 34 && sid.starts_with("AC") && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Silent turns in a row after which the call says goodbye.
pub const MAX_SILENT_TURNS: u32 = 3;

/// What the call's next answer is for, kept between webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    /// Anything: a question, a menu key, an order number.
    Question,
    /// The order number the caller was asked for.
    OrderNumber,
    /// The phone or email on the order found by number, before anything is read.
    OrderOwner,
}

impl Awaiting {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::OrderNumber => "order_number",
            Self::OrderOwner => "order_owner",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Question, Self::OrderNumber, Self::OrderOwner]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// What the caller chose on the keypad menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeypadChoice {
    /// 1: the status of an order.
    OrderStatus,
    /// 2: opening hours and address.
    HoursAndLocation,
    /// 0: a person.
    Person,
}

impl KeypadChoice {
    /// The menu choice of a keyed answer (`#` and stray keys ignored), if it is one.
    pub fn parse(digits: &str) -> Option<Self> {
        match digits.trim().trim_end_matches('#') {
            "1" => Some(Self::OrderStatus),
            "2" => Some(Self::HoursAndLocation),
            "0" => Some(Self::Person),
            _ => None,
        }
    }
}

/// The keypad menu, read once at the start of a call.
pub const KEYPAD_MENU: &str =
    "You can also use your keypad: press 1 for an order, 2 for our hours and location, or 0 to reach a person.";

/// What a turn of a call was about, kept in the call log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallIntent {
    Greeting,
    OrderStatus,
    OrderConfirmation,
    HoursAndLocation,
    Transfer,
    Question,
    Emergency,
    NoInput,
    Goodbye,
}

impl CallIntent {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Greeting => "greeting",
            Self::OrderStatus => "order_status",
            Self::OrderConfirmation => "order_confirmation",
            Self::HoursAndLocation => "hours_and_location",
            Self::Transfer => "transfer",
            Self::Question => "question",
            Self::Emergency => "emergency",
            Self::NoInput => "no_input",
            Self::Goodbye => "goodbye",
        }
    }
}

impl fmt::Display for CallIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Words that on their own mean a parcel or its journey ("track", "package", Spanish
/// "paquete", "envío", "rastrear").
const SHIPMENT_WORDS: &[&str] = &[
    "track",
    "tracking",
    "package",
    "parcel",
    "shipment",
    "shipped",
    "shipping",
    "delivery",
    "delivered",
    "paquete",
    "pedido",
    "envio",
    "rastrear",
    "rastreo",
    "seguimiento",
];

/// Words that turn "order" into a question about an existing one.
const STATUS_WORDS: &[&str] = &[
    "where", "wheres", "status", "arrive", "arrived", "arriving", "come", "coming", "came", "when",
    "yet", "late", "check", "update", "ship", "sent", "estado", "donde", "llega", "llegado",
    "number",
];

/// "Where's my order?", "track my package", "order status", "were is my packge",
/// "¿dónde está mi pedido?", "order ten oh one": a caller asking about an order they
/// placed. "I'd like to order a cake" is not.
pub fn wants_order_status(text: &str) -> bool {
    let words = words_of(text);
    let is = |word: &str, list: &[&str]| list.iter().any(|known| same_word(word, known));
    let shipment = words.iter().any(|w| is(w, SHIPMENT_WORDS));
    let order = words.iter().any(|w| is(w, &["order", "orden"]));
    let status = words.iter().any(|w| is(w, STATUS_WORDS));
    shipment || (order && (status || spoken_order_number(text).is_some()))
}

/// Lower-cased words without accents, so "envío" and "envio" are one word.
fn words_of(text: &str) -> Vec<String> {
    let plain: String = text
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' | 'ò' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            other => other,
        })
        .collect();
    split_words(&plain)
}

/// Equal, or one typo apart for words long enough that a typo can't make another word.
fn same_word(word: &str, known: &str) -> bool {
    word == known
        || (known.len() >= 5 && word.len() >= 4 && strsim::damerau_levenshtein(word, known) <= 1)
}

/// The value of a spoken digit, in English or Spanish ("oh" and "o" are zero).
fn digit_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "zero" | "oh" | "o" | "cero" => "0",
        "one" | "uno" | "un" | "una" => "1",
        "two" | "to" | "too" | "dos" => "2",
        "three" | "tres" => "3",
        "four" | "for" | "cuatro" => "4",
        "five" | "cinco" => "5",
        "six" | "seis" => "6",
        "seven" | "siete" => "7",
        "eight" | "ocho" => "8",
        "nine" | "nueve" => "9",
        _ => return None,
    })
}

/// Two-digit words ("ten", "twenty") as people say order numbers in pairs:
/// "ten oh one" is 1001, "twenty twenty-five" is 2025.
fn pair_word(word: &str) -> Option<u32> {
    const TEENS: &[&str] = &[
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: &[&str] = &[
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = TEENS.iter().position(|t| *t == word) {
        return Some(10 + i as u32);
    }
    TENS.iter()
        .position(|t| *t == word)
        .map(|i| 20 + 10 * i as u32)
}

/// The digits a caller said or typed, in order, as runs: "order ten oh one please" →
/// ["1001"]; "1001 and 1002" → ["1001", "1002"]. Letters-and-digits tokens ("A1001")
/// stay whole.
fn spoken_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut pending_tens: Option<u32> = None;
    let words = words_of(text);
    for word in &words {
        // "twenty five" → 25, but "twenty twenty" → 2020.
        if let Some(tens) = pending_tens.take() {
            if let Some(d) = digit_word(word).filter(|d| *d != "0") {
                current.push_str(&(tens + d.parse::<u32>().unwrap_or(0)).to_string());
                continue;
            }
            current.push_str(&tens.to_string());
        }
        if let Some(d) = digit_word(word) {
            current.push_str(d);
        } else if let Some(pair) = pair_word(word) {
            if pair % 10 == 0 && pair >= 20 {
                pending_tens = Some(pair);
            } else {
                current.push_str(&pair.to_string());
            }
        } else if word.chars().any(|c| c.is_ascii_digit()) && word.is_ascii() {
            current.push_str(&word.to_ascii_uppercase());
        } else if !is_filler(word) && !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if let Some(tens) = pending_tens {
        current.push_str(&tens.to_string());
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Words callers put between digits without meaning a break ("number", "dash").
fn is_filler(word: &str) -> bool {
    matches!(
        word,
        "dash" | "hash" | "pound" | "hashtag" | "and" | "uh" | "um" | "er" | "y"
    )
}

/// The order number a caller said or keyed ("one zero zero one", "order ten oh one",
/// "#1001", keyed "1001#"): the first run of at least three digits or a letters-and-digits
/// code. "I ordered 2 mugs" has none.
pub fn spoken_order_number(text: &str) -> Option<OrderNumber> {
    spoken_runs(text)
        .into_iter()
        .find(|run| run.len() >= 3 || run.chars().any(|c| c.is_ascii_alphabetic()))
        .and_then(|run| OrderNumber::parse(&run))
}

/// A phone number a caller said or keyed to prove an order is theirs: ten digits are a
/// North American number (+1), eleven starting with 1 too, other lengths need the
/// country code spoken ("plus four four …").
pub fn spoken_phone(text: &str, said_plus: bool) -> Option<PhoneNumber> {
    let digits: String = spoken_runs(text)
        .concat()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let e164 = match digits.len() {
        10 if !said_plus => format!("+1{digits}"),
        11 if digits.starts_with('1') => format!("+{digits}"),
        8..=15 if said_plus => format!("+{digits}"),
        _ => return None,
    };
    PhoneNumber::parse(&e164).ok()
}

/// A phone number or email a caller gave: "five one two five five five …", "plus four
/// four …", "ana at example dot com", "ana@example.com".
pub fn spoken_contact(text: &str) -> (Option<PhoneNumber>, Option<String>) {
    let lower = text.to_lowercase();
    let said_plus = lower.trim_start().starts_with('+') || lower.contains("plus");
    (spoken_phone(text, said_plus), spoken_email(&lower))
}

/// "ana at example dot com" → "ana@example.com".
fn spoken_email(lower: &str) -> Option<String> {
    let mut joined = lower
        .split_whitespace()
        .map(|word| match word.trim_matches(',') {
            "at" | "arroba" => "@",
            "dot" | "punto" => ".",
            "underscore" => "_",
            "dash" | "hyphen" => "-",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ");
    for mark in ["@", ".", "_", "-"] {
        joined = joined
            .replace(&format!(" {mark} "), mark)
            .replace(&format!(" {mark}"), mark)
            .replace(&format!("{mark} "), mark);
    }
    let candidate = joined
        .split_whitespace()
        .find(|word| word.contains('@'))?
        .trim_matches(|c: char| !c.is_alphanumeric());
    let (local, domain) = candidate.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && candidate
            .chars()
            .all(|c| c.is_alphanumeric() || "@._-+".contains(c));
    valid.then(|| candidate.to_owned())
}

/// What a caller hears about their own order: payment, fulfilment, and for shipped
/// parcels the carrier and tracking number (read digit group by digit group).
pub fn order_status_sentence(order: &Order) -> String {
    let payment = match order.payment {
        PaymentStatus::Pending => "payment is still pending",
        PaymentStatus::Paid => "it is paid",
        PaymentStatus::PartiallyRefunded => "it was partly refunded",
        PaymentStatus::Refunded => "it was refunded",
        PaymentStatus::Voided => "the payment was voided",
    };
    let number = spell_out(order.number.as_str());
    let mut sentence = match order.fulfillment {
        FulfillmentStatus::Cancelled => format!("Order {number} was cancelled, and {payment}."),
        FulfillmentStatus::Unfulfilled => {
            format!("Order {number}: {payment}, and it has not shipped yet.")
        }
        FulfillmentStatus::PartiallyFulfilled => {
            format!("Order {number}: {payment}, and part of it has shipped.")
        }
        FulfillmentStatus::Fulfilled if order.shipments.is_empty() => {
            format!("Order {number}: {payment}, and it has been fulfilled.")
        }
        FulfillmentStatus::Fulfilled => format!("Order {number}: {payment}, and it has shipped."),
    };
    for shipment in &order.shipments {
        let carrier = shipment.carrier.trim();
        let by = if carrier.is_empty() {
            String::new()
        } else {
            format!(" with {carrier}")
        };
        match &shipment.tracking_number {
            Some(tracking) => sentence.push_str(&format!(
                " It went out{by}, tracking number {}.",
                spell_out(tracking)
            )),
            None => sentence.push_str(&format!(" It went out{by}.")),
        }
    }
    sentence
}

/// Characters separated so a voice reads "1 0 0 1", not "one thousand and one".
pub fn spell_out(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_alphanumeric())
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A written reply made for the ear: links become their site's name ("example dot com"),
/// emails are read with "at" and "dot", markdown marks and bullets disappear, "&" is "and",
/// ranges ("8:00 AM–5:00 PM") are read "to".
pub fn for_the_ear(text: &str) -> String {
    let text = text.replace('–', " to ").replace('—', ", ");
    let mut spoken = Vec::new();
    for token in text.split_whitespace() {
        let (core, trail) = split_trailing_punctuation(token);
        let core = core.trim_start_matches(['*', '_', '`', '#', '>', '(', '[']);
        let core = core.trim_end_matches(['*', '_', '`', ')', ']']);
        let said = if let Some(site) = url_host(core) {
            say_dots(site)
        } else if core.contains('@') && core.contains('.') {
            say_dots(&core.replace('@', " at "))
        } else if core == "&" {
            "and".to_owned()
        } else if core == "-" || core == "•" || core.is_empty() {
            String::new()
        } else {
            core.replace("**", "").replace('`', "")
        };
        if !said.is_empty() {
            spoken.push(format!("{said}{trail}"));
        } else if !trail.is_empty() {
            if let Some(last) = spoken.last_mut() {
                last.push_str(trail);
            }
        }
    }
    spoken.join(" ")
}

/// A token and its sentence punctuation, so "example.com." keeps its full stop.
fn split_trailing_punctuation(token: &str) -> (&str, &str) {
    let cut = token
        .char_indices()
        .rev()
        .take_while(|(_, c)| matches!(c, '.' | ',' | '!' | '?' | ';' | ':'))
        .last()
        .map_or(token.len(), |(i, _)| i);
    token.split_at(cut)
}

/// The host of a link ("https://www.example.com/book?x=1" → "example.com").
fn url_host(token: &str) -> Option<&str> {
    let rest = token
        .strip_prefix("https://")
        .or_else(|| token.strip_prefix("http://"))
        .or_else(|| token.starts_with("www.").then_some(token))?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(host.strip_prefix("www.").unwrap_or(host)).filter(|h| !h.is_empty())
}

fn say_dots(text: &str) -> String {
    text.replace('.', " dot ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::Shipment;

    #[test]
    fn order_questions_are_recognised_however_they_are_put() {
        for asked in [
            "where's my order",
            "Where is my order?",
            "track my package",
            "order status please",
            "were is my packge",
            "has my order shipped yet",
            "I want to check on an order",
            "¿Dónde está mi pedido?",
            "quiero rastrear mi paquete",
            "what's the status of order 1001",
            "my parcel never arrived",
            "order ten oh one",
        ] {
            assert!(wants_order_status(asked), "{asked}");
        }
        for other in [
            "I'd like to order a cake",
            "what are your hours",
            "can I talk to someone",
            "do you sell gift cards",
        ] {
            assert!(!wants_order_status(other), "{other}");
        }
    }

    #[test]
    fn order_numbers_are_heard_spoken_or_keyed() {
        let heard = |text: &str| spoken_order_number(text).map(|n| n.to_string());
        assert_eq!(heard("one zero zero one").as_deref(), Some("1001"));
        assert_eq!(heard("order ten oh one").as_deref(), Some("1001"));
        assert_eq!(heard("it's number 1001, thanks").as_deref(), Some("1001"));
        assert_eq!(heard("1001#").as_deref(), Some("1001"));
        assert_eq!(heard("#1001").as_deref(), Some("1001"));
        assert_eq!(heard("1 0 0 1").as_deref(), Some("1001"));
        assert_eq!(heard("twenty twenty five").as_deref(), Some("2025"));
        assert_eq!(heard("uno cero cero dos").as_deref(), Some("1002"));
        assert_eq!(heard("order A1001").as_deref(), Some("A1001"));
        assert_eq!(heard("where is my order"), None);
        assert_eq!(heard("I ordered 2 mugs"), None);
    }

    #[test]
    fn contacts_are_heard_spoken_or_keyed() {
        let (phone, _) = spoken_contact("five one two, five five five, zero one nine nine");
        assert_eq!(phone.unwrap().as_str(), "+15125550199");
        let (phone, _) = spoken_contact("5125550199#");
        assert_eq!(phone.unwrap().as_str(), "+15125550199");
        let (phone, _) = spoken_contact("plus 44 20 7946 0958");
        assert_eq!(phone.unwrap().as_str(), "+442079460958");
        let (_, email) = spoken_contact("it's ana at example dot com");
        assert_eq!(email.as_deref(), Some("ana@example.com"));
        let (_, email) = spoken_contact("ana.b@example.com.");
        assert_eq!(email.as_deref(), Some("ana.b@example.com"));
        assert_eq!(spoken_contact("I don't remember"), (None, None));
    }

    #[test]
    fn auth_tokens_stay_out_of_debug_output() {
        let token = AuthToken::parse(" abc123 ").unwrap();
        assert_eq!(token.expose(), "abc123");
        assert_eq!(format!("{token:?}"), "AuthToken(<redacted>)");
        assert!(AuthToken::parse("a b").is_err() && AuthToken::parse("").is_err());
        assert!(valid_account_sid(&format!("AC{}", "0a".repeat(16))));
        assert!(!valid_account_sid("AC123"));
    }

    #[test]
    fn the_keypad_menu() {
        assert_eq!(KeypadChoice::parse("1"), Some(KeypadChoice::OrderStatus));
        assert_eq!(
            KeypadChoice::parse("2#"),
            Some(KeypadChoice::HoursAndLocation)
        );
        assert_eq!(KeypadChoice::parse("0"), Some(KeypadChoice::Person));
        assert_eq!(KeypadChoice::parse("7"), None);
        assert_eq!(KeypadChoice::parse("1001"), None);
    }

    #[test]
    fn a_shipped_order_is_read_with_carrier_and_tracking() {
        let order = Order {
            number: OrderNumber::parse("1001").unwrap(),
            placed_at: jiff::Timestamp::UNIX_EPOCH,
            payment: PaymentStatus::Paid,
            fulfillment: FulfillmentStatus::Fulfilled,
            shipments: vec![Shipment {
                carrier: "UPS".into(),
                tracking_number: Some("1Z999".into()),
                tracking_url: Some("https://ups.example/1Z999".into()),
            }],
            phone: None,
            email: None,
        };
        assert_eq!(
            order_status_sentence(&order),
            "Order 1 0 0 1: it is paid, and it has shipped. It went out with UPS, tracking number 1 Z 9 9 9."
        );
    }

    #[test]
    fn replies_are_written_for_the_ear() {
        assert_eq!(
            for_the_ear("**Book** at https://www.maple.example/book?x=1 or mail hi@maple.example."),
            "Book at maple dot example or mail hi at maple dot example."
        );
        assert_eq!(
            for_the_ear("- Cleaning & exam\n- Whitening"),
            "Cleaning and exam Whitening"
        );
        assert_eq!(for_the_ear("We open at 8 a.m."), "We open at 8 a.m.");
        assert_eq!(
            for_the_ear("Monday–Thursday: 8:00 AM–5:00 PM"),
            "Monday to Thursday: 8:00 AM to 5:00 PM"
        );
    }
}
