//! Reading contact details out of what a visitor types: phone numbers (normalised to
//! E.164), email addresses, a name, yes or no, and when they'd like to be contacted.
//!
//! Visitors write "512-555-0199", "(512) 555 0199", "+44 20 7946 0958" or "my email is
//! Ana.Diaz@Example.com." in the middle of a sentence; these functions find the value
//! wherever it is, and say nothing rather than guess.

/// A phone number in E.164 form: `+` and 8 to 15 digits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct E164(String);

impl E164 {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, to confirm a number without repeating it whole.
    pub fn last_four(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

/// Country calling codes whose national numbers start with a trunk `0` that E.164 drops.
const TRUNK_ZERO_CODES: &[&str] = &["44", "33", "49", "61", "353", "34", "39", "31", "64", "27"];

/// The calling code of the business's own number: visitors usually write local numbers
/// in the same country. North America when the business has no number.
pub fn calling_code(business_phone: Option<&str>) -> String {
    let Some(phone) = business_phone.map(str::trim) else {
        return "1".to_owned();
    };
    if !phone.starts_with('+') {
        return "1".to_owned();
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.starts_with('1') {
        return "1".to_owned();
    }
    TRUNK_ZERO_CODES
        .iter()
        .find(|code| digits.starts_with(*code))
        .map_or_else(|| "1".to_owned(), |code| (*code).to_owned())
}

/// The first phone number in `text`, normalised, for a business whose country calling
/// code is `calling_code`.
pub fn find_phone(text: &str, calling_code: &str) -> Option<E164> {
    candidates(text)
        .into_iter()
        .find_map(|candidate| normalise(&candidate, calling_code))
}

/// Runs of characters a phone number is written with, split at anything else.
fn candidates(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() || matches!(ch, '+' | '(' | ')' | '-' | '.' | ' ' | '/') {
            current.push(ch);
        } else {
            if current.chars().any(|c| c.is_ascii_digit()) {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
        }
    }
    if current.chars().any(|c| c.is_ascii_digit()) {
        runs.push(current);
    }
    runs
}

fn normalise(candidate: &str, calling_code: &str) -> Option<E164> {
    let trimmed = candidate.trim().trim_end_matches(['.', '-', '/', ')']);
    let international = trimmed.starts_with('+') || trimmed.starts_with("00");
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if international {
        let digits = if trimmed.starts_with("00") {
            &digits[2..]
        } else {
            &digits[..]
        };
        if let Some(national) = digits.strip_prefix('1') {
            return north_american(national);
        }
        return ((8..=15).contains(&digits.len()) && !digits.starts_with('0'))
            .then(|| E164(format!("+{digits}")));
    }
    if calling_code == "1" {
        return match digits.len() {
            10 => north_american(&digits),
            11 if digits.starts_with('1') => north_american(&digits[1..]),
            _ => None,
        };
    }
    let national = digits.strip_prefix('0')?;
    let total = calling_code.len() + national.len();
    (8..=15)
        .contains(&total)
        .then(|| E164(format!("+{calling_code}{national}")))
}

/// A ten-digit North American number: area code and exchange start with 2–9.
fn north_american(ten: &str) -> Option<E164> {
    let bytes = ten.as_bytes();
    (ten.len() == 10 && (b'2'..=b'9').contains(&bytes[0]) && (b'2'..=b'9').contains(&bytes[3]))
        .then(|| E164(format!("+1{ten}")))
}

/// The first email address in `text`, with its domain lowercased.
pub fn find_email(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '(' | ')' | '"'))
        .map(|word| word.trim_matches(|c: char| matches!(c, '.' | ':' | '!' | '?' | '\'')))
        .find_map(valid_email)
}

fn valid_email(word: &str) -> Option<String> {
    let (local, domain) = word.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    (local_ok && domain_ok && word.len() <= 254)
        .then(|| format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// Words that follow "I'm" without being a name: "I'm interested", "I'm not sure".
const NOT_NAMES: &[&str] = &[
    "a",
    "an",
    "the",
    "not",
    "just",
    "so",
    "very",
    "really",
    "interested",
    "looking",
    "calling",
    "wondering",
    "asking",
    "trying",
    "hoping",
    "new",
    "here",
    "there",
    "back",
    "fine",
    "good",
    "great",
    "ok",
    "okay",
    "sorry",
    "sure",
    "unsure",
    "available",
    "free",
    "busy",
    "ready",
    "in",
    "on",
    "at",
    "from",
    "with",
    "about",
    "going",
    "gonna",
    "able",
    "also",
    "still",
    "currently",
    "already",
    "afraid",
    "glad",
    "happy",
    "thinking",
    "planning",
    "after",
    "curious",
    "done",
    "writing",
    "texting",
    "messaging",
    "booked",
    "a patient",
    "patient",
    "client",
    "customer",
    "no",
    "yes",
    "too",
    "pregnant",
    "sick",
    "having",
    "feeling",
    "getting",
    "scared",
    "nervous",
    "worried",
    "in pain",
];

/// Lead-ins after which a name follows.
const NAME_LEAD_INS: &[&str] = &[
    "my name is",
    "my name's",
    "name is",
    "name's",
    "i am",
    "i'm",
    "im",
    "this is",
    "it's",
    "its",
    "call me",
];

/// A name the visitor gives: "my name is Ana Diaz", "I'm Ana", "this is Ana", or, when
/// the assistant just asked for it, a bare "Ana Diaz".
pub fn find_name(text: &str, just_asked: bool, health_detail: bool) -> Option<String> {
    let lowered = text.to_lowercase();
    for lead_in in NAME_LEAD_INS {
        // "I'm diabetic", "I am pregnant": beside health details, "I'm" starts a state.
        if health_detail && matches!(*lead_in, "i am" | "i'm" | "im") {
            continue;
        }
        let mut from = 0;
        while let Some(found) = lowered[from..].find(lead_in) {
            let start = from + found;
            let end = start + lead_in.len();
            from = end;
            let at_word_start = start == 0
                || !lowered[..start]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
            if !at_word_start || !text[end..].starts_with(' ') {
                continue;
            }
            // "call me at 512…" is a number, "call me tomorrow" a time: not names.
            if let Some(name) = name_words(&text[end..], *lead_in == "call me") {
                return Some(name);
            }
        }
    }
    if just_asked {
        let bare = text.trim().trim_end_matches(['.', '!']);
        let bare = bare
            .strip_prefix("It's ")
            .or_else(|| bare.strip_prefix("it's "))
            .unwrap_or(bare);
        let words: Vec<&str> = bare.split_whitespace().collect();
        if (1..=4).contains(&words.len()) && words.iter().all(|w| looks_like_name_word(w)) {
            return Some(title_case(&words.join(" ")));
        }
    }
    None
}

/// Up to three name-shaped words at the start of `rest`.
fn name_words(rest: &str, strict: bool) -> Option<String> {
    let mut words = Vec::new();
    for raw in rest.split_whitespace().take(3) {
        let word = raw.trim_end_matches([',', '.', '!', '?', ';', ':']);
        let ended = word.len() != raw.len();
        if !looks_like_name_word(word) || NOT_NAMES.contains(&word.to_lowercase().as_str()) {
            break;
        }
        let lower = word.to_lowercase();
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        // A lowercase everyday word ("i'm good", "this is great") is not a name; a
        // capitalised one may be ("I'm Grace").
        if !capitalised && crate::engine::is_common_word(&lower) {
            break;
        }
        if strict && !capitalised {
            break;
        }
        words.push(word);
        if ended {
            break;
        }
    }
    (!words.is_empty()).then(|| title_case(&words.join(" ")))
}

fn looks_like_name_word(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && word.chars().count() <= 30
        && word
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '.')
        && !matches!(
            word.to_lowercase().as_str(),
            "yes" | "no" | "yeah" | "nope" | "sure" | "ok" | "okay" | "hi" | "hello" | "thanks"
        )
}

/// "ana diaz" → "Ana Diaz"; names already capitalised keep their own capitals ("McKay").
fn title_case(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            if word.chars().any(char::is_uppercase) {
                word.to_owned()
            } else {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A yes or a no, if the message is one ("yes please", "sure", "no thanks", "nope").
pub fn yes_or_no(text: &str) -> Option<bool> {
    let lowered = text.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    const YES: &[&str] = &[
        "yes",
        "yeah",
        "yep",
        "yup",
        "ya",
        "yea",
        "sure",
        "ok",
        "okay",
        "k",
        "y",
        "absolutely",
        "definitely",
        "certainly",
        "fine",
        "please",
        "agree",
        "agreed",
        "correct",
        "go",
    ];
    const NO: &[&str] = &[
        "no", "nope", "nah", "n", "don't", "dont", "not", "never", "stop",
    ];
    let first = *words.first()?;
    if NO.contains(&first) || words.contains(&"don't") || words.contains(&"dont") {
        return Some(false);
    }
    if YES.contains(&first) || lowered.contains("of course") || lowered.contains("that's fine") {
        return Some(true);
    }
    None
}

/// When the visitor would like to be contacted, if the message says ("mornings", "after
/// 5pm", "any time", "weekdays after lunch"): the words around the time cues only, never
/// the rest of the message, which may say things that must not be kept.
pub fn find_contact_time(text: &str) -> Option<String> {
    let lowered = text.to_lowercase();
    const ANY: &[&str] = &[
        "any time",
        "anytime",
        "whenever",
        "doesn't matter",
        "does not matter",
        "no preference",
        "either",
    ];
    if ANY.iter().any(|w| lowered.contains(w)) {
        return Some("any time".to_owned());
    }
    const CUES: &[&str] = &[
        "morning",
        "mornings",
        "afternoon",
        "afternoons",
        "evening",
        "evenings",
        "lunch",
        "lunchtime",
        "noon",
        "night",
        "nights",
        "weekday",
        "weekdays",
        "weekend",
        "weekends",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mondays",
        "tuesdays",
        "wednesdays",
        "thursdays",
        "fridays",
        "saturdays",
        "sundays",
        "tomorrow",
        "today",
        "tonight",
        "am",
        "pm",
        "o'clock",
    ];
    const LEADS: &[&str] = &[
        "after", "before", "between", "around", "in", "the", "on", "any", "early", "late", "at",
        "and",
    ];
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != ':'))
        .filter(|w| !w.is_empty())
        .collect();
    let is_cue = |w: &str| {
        let lower = w.to_lowercase();
        CUES.contains(&lower.as_str())
            || lower.ends_with("am")
                && lower[..lower.len() - 2]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':')
                && lower.len() > 2
            || lower.ends_with("pm")
                && lower[..lower.len() - 2]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':')
                && lower.len() > 2
    };
    let cues: Vec<usize> = (0..words.len()).filter(|i| is_cue(words[*i])).collect();
    let (&first, &last) = (cues.first()?, cues.last()?);
    if last - first > 6 {
        return None;
    }
    let mut start = first;
    while start > 0 && first - start < 3 {
        let before = words[start - 1].to_lowercase();
        let number = before.chars().all(|c| c.is_ascii_digit() || c == ':');
        if LEADS.contains(&before.as_str()) || number {
            start -= 1;
        } else {
            break;
        }
    }
    Some(words[start..=last].join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(text: &str) -> Option<String> {
        find_phone(text, "1").map(|p| p.0)
    }

    #[test]
    fn north_american_numbers_in_any_writing() {
        for text in [
            "512-555-0199",
            "(512) 555-0199",
            "call me at 512.555.0199 please",
            "my number is 512 555 0199.",
            "+1 512 555 0199",
            "1-512-555-0199",
            "5125550199",
            "I'm Ana, 512-555-0199",
        ] {
            assert_eq!(us(text).as_deref(), Some("+15125550199"), "{text}");
        }
    }

    #[test]
    fn things_that_are_not_phone_numbers() {
        for text in [
            "I need 2 crowns",
            "around 3:30",
            "the 2nd of December 2026",
            "555-0199",
            "012-555-0199",
            "512-155-0199",
            "order #100234",
        ] {
            assert_eq!(us(text), None, "{text}");
        }
    }

    #[test]
    fn international_and_national_numbers() {
        assert_eq!(
            find_phone("+44 20 7946 0958", "1").map(|p| p.0).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            find_phone("020 7946 0958", "44").map(|p| p.0).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            find_phone("0044 20 7946 0958", "1").map(|p| p.0).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(calling_code(Some("+44 20 7946 0000")), "44");
        assert_eq!(calling_code(Some("+1 512 555 0142")), "1");
        assert_eq!(calling_code(None), "1");
    }

    #[test]
    fn emails_inside_sentences() {
        assert_eq!(
            find_email("my email is Ana.Diaz@Example.COM.").as_deref(),
            Some("Ana.Diaz@example.com")
        );
        assert_eq!(
            find_email("reach me (ana+dental@mail.co.uk), thanks").as_deref(),
            Some("ana+dental@mail.co.uk")
        );
        for text in [
            "ana@",
            "@example.com",
            "ana@example",
            "ana@exa_mple.com",
            "a@b.c1",
        ] {
            assert_eq!(find_email(text), None, "{text}");
        }
    }

    #[test]
    fn names_after_lead_ins_or_when_asked() {
        let cases = [
            ("my name is ana diaz", false, Some("Ana Diaz")),
            ("Hi, I'm Ana, 512-555-0199", false, Some("Ana")),
            ("This is Marcus McKay.", false, Some("Marcus McKay")),
            ("I'm Grace", false, Some("Grace")),
            ("I'm interested in a cleaning", false, None),
            ("i'm good thanks", false, None),
            ("I'm not sure", false, None),
            ("this is great", false, None),
            ("call me at 5125550199", false, None),
            ("Ana Diaz", true, Some("Ana Diaz")),
            ("it's jo", true, Some("Jo")),
            ("Ana Diaz", false, None),
            ("yes", true, None),
            ("5125550199", true, None),
        ];
        assert_eq!(find_name("I'm diabetic, call me", false, true), None);
        assert_eq!(
            find_name("my name is Ana and I'm diabetic", false, true).as_deref(),
            Some("Ana")
        );
        for (text, asked, expected) in cases {
            assert_eq!(find_name(text, asked, false).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn yes_no_and_contact_times() {
        assert_eq!(yes_or_no("Yes please"), Some(true));
        assert_eq!(yes_or_no("sure, that's fine"), Some(true));
        assert_eq!(yes_or_no("no thanks"), Some(false));
        assert_eq!(yes_or_no("please don't"), Some(false));
        assert_eq!(yes_or_no("what are your hours?"), None);
        assert_eq!(
            find_contact_time("Mornings are best").as_deref(),
            Some("Mornings")
        );
        assert_eq!(
            find_contact_time("I'm on metformin, call me Tuesday after 5pm").as_deref(),
            Some("Tuesday after 5pm")
        );
        assert_eq!(
            find_contact_time("weekday mornings").as_deref(),
            Some("weekday mornings")
        );
        assert_eq!(find_contact_time("after 5pm").as_deref(), Some("after 5pm"));
        assert_eq!(
            find_contact_time("whenever works").as_deref(),
            Some("any time")
        );
        assert_eq!(find_contact_time("Ana Diaz"), None);
    }

    #[test]
    fn a_number_is_confirmed_by_its_last_four_digits() {
        assert_eq!(find_phone("512-555-0199", "1").unwrap().last_four(), "0199");
    }
}
