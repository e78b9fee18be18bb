//! Turning what visitors type into comparable tokens: lowercase words with chat slang
//! expanded, typos corrected against a known vocabulary, and Porter2 stems for matching.

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

/// One word of a visitor message in three forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word after slang expansion and typo correction ("tomorrow", "cleaning").
    pub word: String,
    /// Its Porter2 stem, used for matching ("clean").
    pub stem: String,
}

/// A message ready for intent detection.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub tokens: Vec<Token>,
    /// The lowercased original, for patterns that span punctuation (dates, prices).
    pub lower: String,
}

impl Text {
    /// True when any token has the given stem.
    pub fn has(&self, stem: &str) -> bool {
        self.tokens.iter().any(|t| t.stem == stem)
    }

    /// True when any token has one of the given stems.
    pub fn has_any(&self, stems: &[&str]) -> bool {
        stems.iter().any(|s| self.has(s))
    }

    /// True when the words appear consecutively ("how much", "right now").
    pub fn has_phrase(&self, words: &[&str]) -> bool {
        self.position_of(words).is_some()
    }

    /// Index of the first token of a consecutive word sequence.
    pub fn position_of(&self, words: &[&str]) -> Option<usize> {
        if words.is_empty() || self.tokens.len() < words.len() {
            return None;
        }
        (0..=self.tokens.len() - words.len()).find(|&start| {
            words.iter().enumerate().all(|(i, w)| {
                self.tokens[start + i].word == *w || self.tokens[start + i].stem == *w
            })
        })
    }

    /// True when the word (not stem) is present.
    pub fn has_word(&self, word: &str) -> bool {
        self.tokens.iter().any(|t| t.word == word)
    }

    /// The stems, in order.
    pub fn stems(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().map(|t| t.stem.as_str())
    }
}

/// Chat spellings and abbreviations, mapped to the words they stand for.
const SLANG: &[(&str, &str)] = &[
    ("u", "you"),
    ("ya", "you"),
    ("yu", "you"),
    ("yall", "you"),
    ("ur", "your"),
    ("yr", "your"),
    ("r", "are"),
    ("wat", "what"),
    ("wut", "what"),
    ("wht", "what"),
    ("whta", "what"),
    ("waht", "what"),
    ("wen", "when"),
    ("whn", "when"),
    ("wher", "where"),
    ("whr", "where"),
    ("hw", "how"),
    ("whats", "what is"),
    ("wats", "what is"),
    ("whens", "when is"),
    ("wheres", "where is"),
    ("hows", "how is"),
    ("tmrw", "tomorrow"),
    ("tmr", "tomorrow"),
    ("tmrrw", "tomorrow"),
    ("tmw", "tomorrow"),
    ("tmro", "tomorrow"),
    ("tmrow", "tomorrow"),
    ("tomm", "tomorrow"),
    ("tomo", "tomorrow"),
    ("2moro", "tomorrow"),
    ("2morrow", "tomorrow"),
    ("2morow", "tomorrow"),
    ("2mrw", "tomorrow"),
    ("2day", "today"),
    ("tday", "today"),
    ("tdy", "today"),
    ("2nite", "tonight"),
    ("tonite", "tonight"),
    ("2night", "tonight"),
    ("rn", "right now"),
    ("atm", "right now"),
    ("pls", "please"),
    ("plz", "please"),
    ("thx", "thanks"),
    ("thnx", "thanks"),
    ("thnks", "thanks"),
    ("thanx", "thanks"),
    ("thks", "thanks"),
    ("tks", "thanks"),
    ("tnx", "thanks"),
    ("ty", "thanks"),
    ("tysm", "thanks"),
    ("appt", "appointment"),
    ("appts", "appointment"),
    ("apt", "appointment"),
    ("hrs", "hours"),
    ("hr", "hours"),
    ("addy", "address"),
    ("addr", "address"),
    ("ph", "phone"),
    ("tel", "phone"),
    ("fone", "phone"),
    ("num", "number"),
    ("no", "no"),
    ("info", "information"),
    ("insur", "insurance"),
    ("wknd", "weekend"),
    ("wkend", "weekend"),
    ("wkd", "weekend"),
    ("mon", "monday"),
    ("tue", "tuesday"),
    ("tues", "tuesday"),
    ("wed", "wednesday"),
    ("weds", "wednesday"),
    ("thu", "thursday"),
    ("thur", "thursday"),
    ("thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
    ("xmas", "christmas"),
    ("nye", "new years eve"),
    ("til", "until"),
    ("till", "until"),
    ("untill", "until"),
    ("untl", "until"),
    ("thru", "through"),
    ("abt", "about"),
    ("bout", "about"),
    ("cuz", "because"),
    ("bc", "because"),
    ("wanna", "want to"),
    ("gonna", "going to"),
    ("gotta", "got to"),
    ("b4", "before"),
    ("cya", "bye"),
    ("ttyl", "bye"),
    ("bye-bye", "bye"),
    ("pic", "picture"),
    ("ppl", "people"),
    ("dont", "do not"),
    ("doesnt", "does not"),
    ("cant", "can not"),
    ("cannot", "can not"),
    ("wont", "will not"),
    ("isnt", "is not"),
    ("arent", "are not"),
    ("youre", "you are"),
    ("im", "i am"),
    ("ive", "i have"),
    ("howmuch", "how much"),
    ("howlong", "how long"),
    ("email", "email"),
    ("e-mail", "email"),
    ("emial", "email"),
    ("webpage", "website"),
    ("atty", "attorney"),
    ("attys", "attorneys"),
    ("webiste", "website"),
    ("websight", "website"),
];

/// Frequent English words: never "corrected" into vocabulary words ("were" stays "were",
/// "list" does not become "last").
const COMMON_WORDS: &str = include_str!("common-words.txt");

/// True for frequent English words: real words are never treated as typos of others.
pub fn is_common_word(word: &str) -> bool {
    static WORDS: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| {
            COMMON_WORDS
                .lines()
                .filter(|line| !line.starts_with('#'))
                .collect()
        })
        .contains(word)
}

/// The words the engine itself listens for; typos are corrected towards these and towards
/// the business's own words.
pub const ENGINE_WORDS: &[&str] = &[
    "hours",
    "open",
    "opening",
    "close",
    "closing",
    "closed",
    "today",
    "tomorrow",
    "tonight",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "weekend",
    "weekends",
    "weekday",
    "weekdays",
    "holiday",
    "holidays",
    "christmas",
    "thanksgiving",
    "easter",
    "halloween",
    "independence",
    "memorial",
    "labor",
    "valentines",
    "juneteenth",
    "veterans",
    "presidents",
    "address",
    "located",
    "location",
    "directions",
    "parking",
    "where",
    "phone",
    "number",
    "telephone",
    "email",
    "website",
    "contact",
    "services",
    "service",
    "offer",
    "provide",
    "treatments",
    "procedures",
    "price",
    "prices",
    "pricing",
    "cost",
    "costs",
    "expensive",
    "charge",
    "much",
    "insurance",
    "insurances",
    "accept",
    "coverage",
    "network",
    "appointment",
    "appointments",
    "book",
    "booking",
    "schedule",
    "reserve",
    "reservation",
    "available",
    "availability",
    "thanks",
    "thank",
    "hello",
    "goodbye",
    "human",
    "person",
    "someone",
    "representative",
    "receptionist",
    "manager",
    "what",
    "when",
    "how",
    "long",
    "until",
    "currently",
    "right",
    "now",
    "duration",
    "about",
    "describe",
    "explain",
    "payment",
    "financing",
    "directions",
    "minutes",
    "afternoon",
    "morning",
    "evening",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "medicare",
    "medicaid",
    "cheap",
    "early",
    "late",
    "soon",
    "quick",
    "fast",
];

/// Normalises text with a business-specific vocabulary for typo correction.
#[derive(Debug)]
pub struct Normalizer {
    vocabulary: Vec<String>,
    known: HashSet<String>,
    stemmer: StemmerHandle,
}

/// `rust_stemmers::Stemmer` has no `Debug`; this wrapper gives it one.
struct StemmerHandle(Stemmer);

impl std::fmt::Debug for StemmerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stemmer(English)")
    }
}

impl Normalizer {
    /// Builds a normaliser whose corrections aim at the engine's words plus `extra`
    /// (service names, FAQ words, insurance plans of one business).
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let mut known: HashSet<String> = COMMON_WORDS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let mut vocabulary: Vec<String> = ENGINE_WORDS.iter().map(|w| (*w).to_owned()).collect();
        for phrase in extra {
            for word in split_words(&phrase.to_lowercase()) {
                if word.len() >= 3 && !vocabulary.contains(&word) {
                    vocabulary.push(word);
                }
            }
        }
        vocabulary.sort();
        vocabulary.dedup();
        known.extend(vocabulary.iter().cloned());
        known.extend(SLANG.iter().map(|(from, _)| (*from).to_owned()));
        Self {
            vocabulary,
            known,
            stemmer: StemmerHandle(Stemmer::create(Algorithm::English)),
        }
    }

    /// Stems one already-lowercased word.
    pub fn stem(&self, word: &str) -> String {
        self.stemmer.0.stem(word).into_owned()
    }

    /// Tokenises, expands slang, corrects typos and stems a message.
    pub fn normalize(&self, text: &str) -> Text {
        let lower = fold_accents(&text.to_lowercase().replace(['’', '‘', '`'], "'"));
        let mut tokens = Vec::new();
        for raw in split_words(&lower) {
            let expanded = SLANG
                .iter()
                .find(|(from, _)| *from == raw)
                .map(|(_, to)| (*to).to_owned());
            let words = match expanded {
                Some(to) => to.split(' ').map(str::to_owned).collect(),
                None => vec![self.base_form(self.correct(raw))],
            };
            for word in words {
                let stem = self.stem(&word);
                tokens.push(Token { word, stem });
            }
        }
        Text { tokens, lower }
    }

    /// "cheapest" → "cheap", "earliest" → "early", "closer" → "close": comparatives of the
    /// engine's and the business's own words, so they match like the base word.
    fn base_form(&self, word: String) -> String {
        for suffix in ["est", "er"] {
            let Some(base) = word.strip_suffix(suffix) else {
                continue;
            };
            if base.len() < 3 {
                continue;
            }
            let bytes = base.as_bytes();
            let undoubled = if bytes.len() > 3 && bytes[bytes.len() - 1] == bytes[bytes.len() - 2] {
                base[..base.len() - 1].to_owned()
            } else {
                String::new()
            };
            let candidates = [
                base.to_owned(),
                format!("{base}e"),
                base.strip_suffix('i')
                    .map(|b| format!("{b}y"))
                    .unwrap_or_default(),
                undoubled,
            ];
            if let Some(found) = candidates
                .into_iter()
                .find(|c| !c.is_empty() && self.vocabulary.binary_search(c).is_ok())
            {
                return found;
            }
        }
        word
    }

    /// The closest vocabulary word for an unknown word, if one is close enough to be a typo.
    fn correct(&self, word: String) -> String {
        let len = word.chars().count();
        if len < 4 || self.known.contains(&word) || word.bytes().any(|b| b.is_ascii_digit()) {
            return word;
        }
        if word
            .strip_suffix('s')
            .is_some_and(|singular| self.known.contains(singular))
        {
            return word;
        }
        let budget = if len >= 8 { 2 } else { 1 };
        let mut best: Option<(&str, usize)> = None;
        for candidate in &self.vocabulary {
            let candidate_len = candidate.chars().count();
            if candidate_len.abs_diff(len) > budget {
                continue;
            }
            let distance = strsim::osa_distance(&word, candidate);
            let better = match best {
                None => true,
                Some((_, d)) => distance < d,
            };
            if distance <= budget && better {
                best = Some((candidate, distance));
            }
        }
        best.map_or(word, |(candidate, _)| candidate.to_owned())
    }
}

/// Folds the accents visitors often drop anyway ("español" → "espanol").
fn fold_accents(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// Splits lowercased text into words: letters and digits, apostrophes dropped
/// ("what's" → "whats"), everything else a separator; "$" and "#" kept as words.
pub fn split_words(lower: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in lower.chars() {
        if c.is_alphanumeric() {
            current.push(c);
        } else if c == '\'' {
            continue;
        } else {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            if c == '$' || c == '€' || c == '£' {
                words.push("$".to_owned());
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    merge_letter_prefixes(words)
}

/// "e-bike", "e bike" → "ebike"; "x-ray" → "xray": a lone prefix letter joins its word.
fn merge_letter_prefixes(words: Vec<String>) -> Vec<String> {
    let mut merged: Vec<String> = Vec::with_capacity(words.len());
    let mut pending: Option<String> = None;
    for word in words {
        if let Some(prefix) = pending.take() {
            if word.chars().next().is_some_and(char::is_alphabetic) && word.len() > 2 {
                merged.push(format!("{prefix}{word}"));
                continue;
            }
            merged.push(prefix);
        }
        if word == "e" || word == "x" {
            pending = Some(word);
        } else {
            merged.push(word);
        }
    }
    merged.extend(pending);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        Normalizer::new(["Teeth cleaning", "Aetna"])
            .normalize(text)
            .tokens
            .into_iter()
            .map(|t| t.word)
            .collect()
    }

    #[test]
    fn expands_slang_and_fixes_typos() {
        assert_eq!(
            words("when do u open tmrw"),
            ["when", "do", "you", "open", "tomorrow"]
        );
        assert_eq!(words("whats ur adress?"), ["what", "is", "your", "address"]);
        assert_eq!(words("do you take aetnna"), ["do", "you", "take", "aetna"]);
        assert_eq!(
            words("how much for a cleanign"),
            ["how", "much", "for", "a", "cleaning"]
        );
        assert_eq!(words("were you open"), ["were", "you", "open"]);
        assert_eq!(words("I’m here"), ["i", "am", "here"]);
        assert_eq!(words("price list"), ["price", "list"]);
        assert_eq!(
            words("e-bike or e bike or x ray"),
            ["ebike", "or", "ebike", "or", "xray"]
        );
        assert_eq!(words("whats the cheapest"), ["what", "is", "the", "cheap"]);
        assert_eq!(words("earliest time"), ["early", "time"]);
    }

    #[test]
    fn phrases_match_words_or_stems() {
        let text = Normalizer::new([]).normalize("How much are cleanings right now?");
        assert!(text.has_phrase(&["how", "much"]));
        assert!(text.has_phrase(&["right", "now"]));
        assert!(text.has("clean"));
        assert!(!text.has_phrase(&["much", "how"]));
    }
}
