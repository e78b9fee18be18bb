//! Children's privacy: noticing that a visitor says they are under 13, so lead capture
//! stops and the conversation is flagged for the owner to delete (privacy policy §13:
//! "we do not knowingly collect personal information from children under 13").
//!
//! What counts is an obvious first-person statement of an age below 13 — "I'm 12",
//! "im 9 years old", "I am eleven", "I just turned 10", "tengo 12 años", "j'ai 11 ans" —
//! read structurally rather than from a list of phrasings: a first-person "I am" (in any
//! spelling), a few optional softeners ("only", "just", "a"), a number from 1 to 12 in
//! digits or words, and then something that ends the statement or says "years". Someone
//! else's age ("my kid is 12"), durations ("a patient for 12 years") and other quantities
//! ("I'm 12 minutes late", "I'm 5'10") don't fire.

/// Whether the visitor states, in the first person, an age under 13.
pub fn states_under_13(text: &str) -> bool {
    let tokens = tokens(text);
    (0..tokens.len()).any(|at| age_statement_at(&tokens, at))
}

/// The visitor's message with anything that looks like contact details cut out: an
/// email address or a run of seven or more digits (a phone number in any format). Used
/// for the messages of a conversation flagged as a child's, so none is stored.
pub fn without_contact_details(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits_run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().filter(char::is_ascii_digit).count() >= 7 {
            let kept_space = run.ends_with(' ');
            out.push_str("[number removed]");
            if kept_space {
                out.push(' ');
            }
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for word in text.split_inclusive(char::is_whitespace) {
        let bare = word.trim_end();
        if bare.contains('@') && bare.rsplit('@').next().is_some_and(|d| d.contains('.')) {
            flush(&mut digits_run, &mut out);
            out.push_str("[email removed]");
            out.push_str(&word[bare.len()..]);
            continue;
        }
        // Trailing punctuation ends a number without being part of it.
        let number = bare.trim_end_matches([',', ';', ':', '!', '?']);
        let phone_like = !number.is_empty()
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || "+()-./".contains(c))
            && number.chars().any(|c| c.is_ascii_digit());
        if phone_like && number.len() < bare.len() {
            digits_run.push_str(number);
            flush(&mut digits_run, &mut out);
            out.push_str(&word[number.len()..]);
        } else if phone_like {
            digits_run.push_str(word);
        } else {
            flush(&mut digits_run, &mut out);
            out.push_str(word);
        }
    }
    flush(&mut digits_run, &mut out);
    out
}

/// Lowercased words and digit runs, with contractions of "I am" and "I will" spelled
/// out and punctuation kept as one-character tokens (it can end a statement).
fn tokens(text: &str) -> Vec<String> {
    let text = text.to_lowercase().replace(['’', '‘', '`', '´'], "'");
    let mut raw: Vec<String> = Vec::new();
    let mut current = String::new();
    let push = |current: &mut String, raw: &mut Vec<String>| {
        if !current.is_empty() {
            raw.push(std::mem::take(current));
        }
    };
    let mut previous_kind = None;
    for ch in text.chars() {
        let kind = if ch.is_ascii_digit() {
            Some(true)
        } else if ch.is_alphabetic() || ch == '\'' {
            Some(false)
        } else {
            None
        };
        match kind {
            // "12yo", "12yrs": digits and letters split apart.
            Some(digit) if previous_kind == Some(!digit) && ch != '\'' => {
                push(&mut current, &mut raw);
                current.push(ch);
            }
            Some(_) => current.push(ch),
            None => {
                push(&mut current, &mut raw);
                if !ch.is_whitespace() {
                    raw.push(ch.to_string());
                }
            }
        }
        previous_kind = kind;
    }
    push(&mut current, &mut raw);
    raw.into_iter()
        .flat_map(|token| match token.as_str() {
            "i'm" | "im" | "iam" | "i'am" => vec!["i".to_owned(), "am".to_owned()],
            "i'll" => vec!["i".to_owned(), "will".to_owned()],
            "j'ai" => vec!["j".to_owned(), "ai".to_owned()],
            _ => vec![token],
        })
        .collect()
}

/// Words that may stand between "I am" and the age without changing whose age it is.
const SOFTENERS: &[&str] = &[
    "only",
    "just",
    "like",
    "actually",
    "really",
    "literally",
    "turning",
    "a",
    "an",
    "now",
    "nur",
    "erst",
    "solo",
    "seulement",
];

/// How a first-person age statement starts, in the languages visitors write in. The
/// bool says whether a word for "years" must follow the number ("tengo 12" alone could
/// be twelve of anything).
const OPENERS: &[(&[&str], bool)] = &[
    (&["i", "am"], false),
    (&["i", "turned"], false),
    (&["i", "just", "turned"], false),
    (&["i", "will", "be"], false),
    (&["i", "turn"], false),
    (&["my", "age", "is"], false),
    (&["ich", "bin"], false),
    (&["tengo"], true),
    (&["j", "ai"], true),
];

fn age_statement_at(tokens: &[String], number_at: usize) -> bool {
    let Some(age) = age_value(&tokens[number_at]) else {
        return false;
    };
    if !(1..=12).contains(&age) {
        return false;
    }
    let mut start = number_at;
    while start > 0 && SOFTENERS.contains(&tokens[start - 1].as_str()) {
        start -= 1;
    }
    let opened = OPENERS.iter().find(|(opener, _)| {
        start >= opener.len()
            && tokens[start - opener.len()..start]
                .iter()
                .zip(opener.iter())
                .all(|(token, word)| token == word)
    });
    let Some((_, needs_years)) = opened else {
        return false;
    };
    let next = tokens.get(number_at + 1).map(String::as_str);
    if *needs_years {
        return next.is_some_and(is_years_word);
    }
    match next {
        None => true,
        Some(word) if is_years_word(word) => true,
        // "12-year-old" ends the number with a hyphen; "12-15 minutes" is a range.
        Some("-") => tokens
            .get(number_at + 2)
            .is_some_and(|word| is_years_word(word)),
        Some(word) => ENDS_STATEMENT.contains(&word) || STARTS_CLAUSE.contains(&word),
    }
}

/// Punctuation after which the number stood alone ("I'm 12." "I'm 12, can I…").
const ENDS_STATEMENT: &[&str] = &[".", ",", "!", "?", ";", ":", ")"];

/// Words that start a new clause: the number ended the statement before them ("im 12
/// and i need braces", "i am 9 can i book"). A unit ("minutes", "blocks") is not one.
const STARTS_CLAUSE: &[&str] = &[
    "and", "but", "so", "or", "because", "cuz", "bc", "i", "my", "me", "can", "could", "do",
    "does", "is", "are", "will", "would", "how", "what", "when", "where", "who", "why", "please",
    "pls", "plz", "lol", "haha", "btw", "too", "ok", "okay", "yes", "no", "hi", "hello", "y",
    "pero", "und", "aber", "et", "mais",
];

/// "years", "yrs", "yo", "y/o", typos like "yeras", and the word in other languages.
fn is_years_word(word: &str) -> bool {
    let typed_years = (word.starts_with("ye") && !["yes", "yet", "yeah"].contains(&word))
        || word.starts_with("yr")
        || word == "yo";
    (typed_years && word.chars().count() <= 6)
        || word == "y"
        || [
            "años", "anos", "año", "ano", "ans", "jahre", "jahren", "jährig",
        ]
        .contains(&word)
}

/// A number from a token: digits, or a number word up to twelve.
fn age_value(token: &str) -> Option<u32> {
    if token.chars().all(|c| c.is_ascii_digit()) && !token.is_empty() && token.len() <= 3 {
        if token.starts_with('0') {
            return None;
        }
        return token.parse().ok();
    }
    const WORDS: [&[&str]; 12] = [
        &["one", "uno", "una", "un", "eins"],
        &["two", "dos", "deux", "zwei"],
        &["three", "tres", "trois", "drei"],
        &["four", "cuatro", "quatre", "vier"],
        &["five", "cinco", "cinq", "fünf", "funf"],
        &["six", "seis", "sechs"],
        &["seven", "siete", "sept", "sieben"],
        &["eight", "ocho", "huit", "acht"],
        &["nine", "nueve", "neuf", "neun"],
        &["ten", "diez", "dix", "zehn"],
        &["eleven", "once", "onze", "elf"],
        &["twelve", "doce", "douze", "zwölf", "zwolf"],
    ];
    WORDS
        .iter()
        .position(|words| words.contains(&token))
        .map(|index| index as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_person_ages_under_thirteen_fire() {
        for text in [
            "I'm 12",
            "im 9 years old",
            "I am eleven",
            "tengo 12 años",
            "Tengo diez anos y quiero saber",
            "i'm only 10 lol",
            "I’m 8, can I come with my mom?",
            "hi im 11 and i need braces",
            "I am a 12 year old",
            "I'm a 9-year-old girl",
            "i just turned 10!",
            "Im 7yo",
            "i am 12 yrs",
            "I am 9 yeras old",
            "j'ai 11 ans",
            "ich bin 10 Jahre alt",
            "my age is 12",
            "I'm twelve.",
            "I AM 6",
        ] {
            assert!(states_under_13(text), "{text:?} should count");
        }
    }

    #[test]
    fn look_alikes_do_not_fire() {
        for text in [
            "my kid is 12, can she get braces?",
            "I've been a patient for 12 years",
            "I'm 12 minutes late",
            "I'm 13",
            "I am 35 years old",
            "i'm 5'10",
            "I'm 2 blocks away",
            "I'm 10-15 minutes out",
            "tengo 12 preguntas",
            "I'm not 12",
            "I'm 1 of your patients",
            "my son is eleven",
            "when I was 9 I had a filling",
            "I am a 12 minute walk away",
            "do you see kids under 12?",
            "I'm 12 weeks pregnant",
            "I'm 0",
            "Im 100% sure",
            "I'm 10 yards from the door",
        ] {
            assert!(!states_under_13(text), "{text:?} should not count");
        }
    }

    #[test]
    fn contact_details_are_cut_from_a_childs_messages() {
        assert_eq!(
            without_contact_details("call me at (512) 555-0199 or kid@example.com ok"),
            "call me at [number removed] or [email removed] ok"
        );
        assert_eq!(
            without_contact_details("I'm 12 and I have 2 questions"),
            "I'm 12 and I have 2 questions"
        );
        assert_eq!(without_contact_details("+15125550199"), "[number removed]");
        assert_eq!(
            without_contact_details("call 512 555 0199, I'm Sam"),
            "call [number removed], I'm Sam"
        );
    }
}
