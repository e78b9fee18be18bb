//! A message as the policy sees it: folded words, and for each word the concepts it
//! belongs to, found through exact, prefix and one-typo matches against the lexicon.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use super::lexicon::CONCEPTS;

/// Shorter words have too many real neighbours ("chews" is one letter from "chest") to
/// be read as typos.
const MIN_TYPO_LEN: usize = 6;

/// Longer "words" are codes, links or encoded text, not typos; trying every deletion of
/// them would cost more than the whole check.
const MAX_TYPO_LEN: usize = 14;

/// Index of a concept in [`CONCEPTS`].
pub type ConceptId = u16;

struct Index {
    exact: HashMap<String, Vec<ConceptId>>,
    prefix: HashMap<String, Vec<ConceptId>>,
    /// One-deletion variants of terms of five or more letters, for typo tolerance.
    deletions: HashMap<String, Vec<ConceptId>>,
    names: HashMap<&'static str, ConceptId>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut exact: HashMap<String, Vec<ConceptId>> = HashMap::default();
        let mut prefix: HashMap<String, Vec<ConceptId>> = HashMap::default();
        let mut deletions: HashMap<String, Vec<ConceptId>> = HashMap::default();
        let mut names = HashMap::default();
        assert!(CONCEPTS.len() <= 128, "Msg::present holds 128 concepts");
        for (id, (name, terms)) in CONCEPTS.iter().enumerate() {
            let id = id as ConceptId;
            names.insert(*name, id);
            for term in *terms {
                let (map, word) = match term.strip_suffix('*') {
                    Some(stem) => (&mut prefix, stem),
                    None => (&mut exact, *term),
                };
                add(map, word, id);
                if word.chars().count() >= MIN_TYPO_LEN {
                    add(&mut deletions, word, id);
                    for variant in one_deletions(word) {
                        add(&mut deletions, &variant, id);
                    }
                }
            }
        }
        Index {
            exact,
            prefix,
            deletions,
            names,
        }
    })
}

fn add(map: &mut HashMap<String, Vec<ConceptId>>, key: &str, id: ConceptId) {
    let ids = map.entry(key.to_owned()).or_default();
    if !ids.contains(&id) {
        ids.push(id);
    }
}

fn one_deletions(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}

/// The id of a named concept. Panics on a name that is not in the lexicon: that is a bug
/// in a rule, caught by every test that runs the rule.
pub fn concept(name: &str) -> ConceptId {
    *index()
        .names
        .get(name)
        .unwrap_or_else(|| panic!("unknown concept {name:?}"))
}

/// A folded, tokenised message with the concepts of each word.
#[derive(Debug, Clone)]
pub struct Msg {
    pub words: Vec<String>,
    /// (word position, concept) pairs, in word order.
    pub concepts: Vec<(usize, ConceptId)>,
    /// For each of 1024 buckets (a word's first [`sketch_bits`]), the first position of a
    /// word falling in it, and for each position the next one in the same bucket: a word
    /// lookup is one bucket read and a string comparison or two, and building it copies
    /// no word.
    buckets: Box<[u16; 1024]>,
    next_in_bucket: Vec<u16>,
    /// A 1024-bit sketch of the words present (two [`sketch_bits`] each): rules ask after
    /// thousands of words a message does not hold, and most of those are turned away here
    /// without hashing the word.
    sketch: [u64; 16],
    /// Rules consulted by other rules are evaluated once per message.
    pub(super) emergency: std::cell::OnceCell<bool>,
    pub(super) self_harm: std::cell::OnceCell<bool>,
    pub(super) service_question: std::cell::OnceCell<bool>,
    /// Which concepts occur, one bit per concept, so `has` is a bit test.
    present: [u64; 2],
}

impl Msg {
    /// Folds and tags a message.
    pub fn new(text: &str) -> Self {
        let words = fold_words(text);
        let index = index();
        let mut concepts = Vec::new();
        for (position, word) in words.iter().enumerate() {
            let before = concepts.len();
            let push = |ids: &Vec<ConceptId>, concepts: &mut Vec<(usize, ConceptId)>| {
                for id in ids {
                    if !concepts[before..].iter().any(|(_, c)| c == id) {
                        concepts.push((position, *id));
                    }
                }
            };
            if let Some(ids) = index.exact.get(word.as_str()) {
                push(ids, &mut concepts);
            }
            for (end, _) in word.char_indices().skip(2) {
                if let Some(ids) = index.prefix.get(&word[..end]) {
                    push(ids, &mut concepts);
                }
            }
            if let Some(ids) = index.prefix.get(word.as_str()) {
                push(ids, &mut concepts);
            }
            // Drug names follow naming stems ("metoprolol", "lisinopril", "atorvastatin"):
            // a word built on one is a medication the lexicon need not list.
            if concepts.len() == before && drug_stem(word) {
                push(
                    &vec![*MEDICATION.get_or_init(|| concept("medication"))],
                    &mut concepts,
                );
            }
            let typo_candidate = (MIN_TYPO_LEN..=MAX_TYPO_LEN).contains(&word.chars().count())
                && word.chars().all(char::is_alphabetic)
                && !crate::engine::is_common_word(word);
            if concepts.len() == before && typo_candidate {
                if let Some(ids) = index.deletions.get(word.as_str()) {
                    push(ids, &mut concepts);
                }
                for variant in one_deletions(word) {
                    if let Some(ids) = index.deletions.get(&variant) {
                        push(ids, &mut concepts);
                    }
                    // A typo inside a prefix term ("breeathing" for "breath*").
                    for (end, _) in variant.char_indices().skip(4) {
                        if let Some(ids) = index.prefix.get(&variant[..end]) {
                            push(ids, &mut concepts);
                        }
                    }
                }
            }
        }
        Self::from_parts(words, concepts)
    }

    /// The sentences of `text` (this message's text) with their words as messages of
    /// their own, cut from this message's tags rather than tagged again. Sentences end at
    /// '.', '?', '!', ';' and line breaks; ones shorter than `min_words` are left out.
    pub fn sentences<'a>(&self, text: &'a str, min_words: usize) -> Vec<(&'a str, Msg)> {
        let mut start = 0;
        let mut parts = Vec::new();
        for piece in text.split_inclusive(['.', '?', '!', ';', '\n']) {
            let count = word_count(piece);
            let end = (start + count).min(self.words.len());
            // A sentence with no tagged word ("See you then!") changes no rule's reading.
            let tagged = self.concepts.iter().any(|(p, _)| (start..end).contains(p));
            if count >= min_words && tagged {
                parts.push((piece.trim(), self.slice(start..end)));
            }
            start = end;
        }
        parts
    }

    fn slice(&self, range: std::ops::Range<usize>) -> Msg {
        let words: Vec<String> = self.words[range.clone()].to_vec();
        let concepts = self
            .concepts
            .iter()
            .filter(|(p, _)| range.contains(p))
            .map(|(p, c)| (p - range.start, *c))
            .collect();
        Msg::from_parts(words, concepts)
    }

    fn from_parts(words: Vec<String>, concepts: Vec<(usize, ConceptId)>) -> Msg {
        let mut sketch = [0u64; 16];
        let mut buckets = Box::new([NO_WORD; 1024]);
        let mut next_in_bucket = vec![NO_WORD; words.len()];
        // Backwards, so each bucket's chain runs in word order.
        for (position, word) in words.iter().enumerate().rev() {
            let bits = sketch_bits(word);
            for bit in bits {
                sketch[bit / 64] |= 1 << (bit % 64);
            }
            if let Ok(position) = u16::try_from(position) {
                next_in_bucket[usize::from(position)] = buckets[bits[0]];
                buckets[bits[0]] = position;
            }
        }
        let mut present = [0u64; 2];
        for (_, id) in &concepts {
            present[usize::from(*id) / 64] |= 1 << (id % 64);
        }
        Msg {
            words,
            concepts,
            buckets,
            next_in_bucket,
            sketch,
            emergency: std::cell::OnceCell::new(),
            self_harm: std::cell::OnceCell::new(),
            service_question: std::cell::OnceCell::new(),
            present,
        }
    }

    /// "word:concept" for every tagged word, for debugging rules.
    pub fn concept_names(&self) -> Vec<String> {
        self.concepts
            .iter()
            .map(|(p, c)| format!("{}:{}", self.words[*p], CONCEPTS[*c as usize].0))
            .collect()
    }

    /// True when some word belongs to the concept.
    pub fn has(&self, name: &str) -> bool {
        let id = concept(name);
        self.present[usize::from(id) / 64] & (1 << (id % 64)) != 0
    }

    /// Positions of the words belonging to a concept.
    pub fn at(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        let id = concept(name);
        self.concepts
            .iter()
            .filter(move |(_, c)| *c == id)
            .map(|(p, _)| *p)
    }

    /// True when a word of `a` and a different word of `b` are at most `window` apart.
    pub fn near(&self, a: &str, b: &str, window: usize) -> bool {
        if !self.has(a) || !self.has(b) {
            return false;
        }
        self.at(a)
            .any(|pa| self.at(b).any(|pb| pb != pa && pa.abs_diff(pb) <= window))
    }

    /// True when a word of `a` comes before a word of `b`, at most `window` words earlier.
    pub fn before(&self, a: &str, b: &str, window: usize) -> bool {
        if !self.has(a) || !self.has(b) {
            return false;
        }
        self.at(a)
            .any(|pa| self.at(b).any(|pb| pb > pa && pb - pa <= window))
    }

    /// Positions of the exact word, in order.
    fn positions_of<'a>(&'a self, word: &'a str) -> impl Iterator<Item = usize> + 'a {
        let bits = sketch_bits(word);
        let present = bits
            .iter()
            .all(|bit| self.sketch[bit / 64] & (1 << (bit % 64)) != 0);
        let first = if present {
            self.buckets[bits[0]]
        } else {
            NO_WORD
        };
        std::iter::successors((first != NO_WORD).then_some(first), move |at| {
            let next = self.next_in_bucket[usize::from(*at)];
            (next != NO_WORD).then_some(next)
        })
        .map(usize::from)
        .filter(move |position| self.words[*position] == word)
    }

    /// True when the exact word occurs.
    pub fn word(&self, word: &str) -> bool {
        self.positions_of(word).next().is_some()
    }

    /// True when any of the exact words occurs.
    pub fn any_word(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.word(w))
    }

    /// True when the words occur consecutively.
    pub fn phrase(&self, phrase: &[&str]) -> bool {
        self.phrase_at(phrase).is_some()
    }

    /// Where a consecutive phrase starts (its first occurrence).
    pub fn phrase_at(&self, phrase: &[&str]) -> Option<usize> {
        let (first, rest) = phrase.split_first()?;
        self.positions_of(first).find(|&start| {
            self.words.len() >= start + phrase.len()
                && rest
                    .iter()
                    .enumerate()
                    .all(|(i, w)| self.words[start + 1 + i] == *w)
        })
    }

    /// The first word after fillers ("um is the new hygienist any good" opens with "is"),
    /// which is how speech-to-text and chat openings read.
    pub fn opening(&self) -> Option<&str> {
        self.words.iter().map(String::as_str).find(|w| {
            !matches!(
                *w,
                "um" | "uh"
                    | "umm"
                    | "uhh"
                    | "er"
                    | "erm"
                    | "hmm"
                    | "so"
                    | "well"
                    | "ok"
                    | "okay"
                    | "hi"
                    | "hey"
                    | "hello"
                    | "yeah"
                    | "yes"
                    | "oh"
                    | "like"
                    | "and"
                    | "but"
                    | "also"
                    | "quick"
                    | "question"
                    | "sorry"
            )
        })
    }

    /// True when a phrase starts at the first word, or right after "hi"/"hello"/"hey"/"so".
    pub fn starts_with(&self, phrase: &[&str]) -> bool {
        let skip = self
            .words
            .iter()
            .take_while(|w| {
                matches!(
                    w.as_str(),
                    "hi" | "hello"
                        | "hey"
                        | "so"
                        | "um"
                        | "ok"
                        | "okay"
                        | "quick"
                        | "question"
                        | "yes"
                        | "also"
                        | "and"
                        | "but"
                        | "pls"
                        | "please"
                )
            })
            .count();
        self.words.len() >= skip + phrase.len()
            && phrase
                .iter()
                .enumerate()
                .all(|(i, w)| self.words[skip + i] == *w)
    }
}

/// An empty bucket, or the end of a bucket's chain.
const NO_WORD: u16 = u16::MAX;

static MEDICATION: OnceLock<ConceptId> = OnceLock::new();

/// Whether a word ends in one of the international nonproprietary name stems of common
/// drug classes (beta blockers, ACE inhibitors, statins, sartans, proton-pump inhibitors,
/// benzodiazepines, antibiotics, SSRIs…).
fn drug_stem(word: &str) -> bool {
    const STEMS: &[&str] = &[
        "olol",
        "pril",
        "sartan",
        "statin",
        "prazole",
        "azepam",
        "azolam",
        "mycin",
        "cillin",
        "cycline",
        "floxacin",
        "oxetine",
        "aline",
        "triptan",
        "gliptin",
        "gliflozin",
        "glutide",
        "dipine",
        "codone",
        "odone",
        "morphone",
        "profen",
        "sone",
        "olone",
        "tidine",
        "lukast",
        "afil",
        "mab",
        "tinib",
        "vir",
        "semide",
        "thiazide",
        "dronate",
        "parin",
        "xaban",
    ];
    word.len() >= 7
        && word.chars().all(|c| c.is_ascii_lowercase())
        && STEMS.iter().any(|stem| word.ends_with(stem))
        && !crate::engine::is_common_word(word)
}

/// Where a word falls in a message's sketch: two mixes of its length and first, second,
/// second-last and last bytes, cheap to compute and enough to tell most words apart.
fn sketch_bits(word: &str) -> [usize; 2] {
    let bytes = word.as_bytes();
    let Some((&last, _)) = bytes.split_last() else {
        return [0, 0];
    };
    let len = bytes.len();
    let first = bytes[0] as usize;
    let second = bytes.get(1).copied().unwrap_or(0) as usize;
    let before_last = bytes[len.saturating_sub(2)] as usize;
    let last = last as usize;
    [
        (len * 61 + first * 31 + second * 7 + last * 3) % 1024,
        (len * 17 + first * 5 + before_last * 37 + last * 101 + second * 13) % 1024,
    ]
}

/// A lowercase letter without its accents ("é" → "e", "ự" → "u", "đ" → "d"), so
/// French, Portuguese, German and Vietnamese typed with or without accents read alike.
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    match c {
        '’' | '‘' | '`' => '\'',
        'đ' => 'd',
        'ø' => 'o',
        'ł' => 'l',
        'ß' => 's',
        'æ' => 'a',
        'œ' => 'o',
        other => {
            let mut base = other;
            let mut found = false;
            unicode_normalization::char::decompose_canonical(other, |part| {
                if !found && !unicode_normalization::char::is_combining_mark(part) {
                    base = part;
                    found = true;
                }
            });
            base
        }
    }
}

/// How many words [`fold_words`] makes of a text, without making them.
fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars().flat_map(char::to_lowercase).map(fold_char) {
        if c.is_alphanumeric() {
            count += usize::from(!in_word);
            in_word = true;
        } else if c != '\'' {
            in_word = false;
            count += usize::from(matches!(c, '$' | '£' | '€'));
        }
    }
    count
}

/// Lowercase words with accents folded, apostrophes dropped ("can't" → "cant"), letter runs
/// of three or more shortened to two ("pleeease" → "pleease"), and "$" kept as a word.
pub fn fold_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut run = 0;
    let mut last = '\0';
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = fold_char(c);
        if c.is_alphanumeric() {
            run = if c == last { run + 1 } else { 1 };
            last = c;
            if run <= 2 || c.is_ascii_digit() {
                current.push(c);
            }
        } else if c == '\'' {
            continue;
        } else {
            last = '\0';
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            // Pounds and euros are read as dollars: the rules care that an amount is named.
            if matches!(c, '$' | '£' | '€') {
                words.push("$".to_owned());
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    // "mother-in-law" is family, not the law.
    for i in 2..words.len() {
        if words[i] == "law"
            && words[i - 1] == "in"
            && matches!(
                words[i - 2].as_str(),
                "mother" | "father" | "sister" | "brother" | "son" | "daughter" | "parents"
            )
        {
            words[i] = "inlaw".to_owned();
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Sentences are cut from the whole message by counting words, so the count must
        /// agree with the folding for any text, accents, currency signs and all.
        #[test]
        fn word_count_agrees_with_folding(text in "[a-zA-Z0-9 '’$£€.,!?;éñçüßđ\\n-]{0,80}") {
            proptest::prop_assert_eq!(word_count(&text), fold_words(&text).len());
        }
    }

    #[test]
    fn sentences_are_cut_from_the_whole_message() {
        let text = "My tooth hurts since Monday. Thanks! Should I take ibuprofen or wait?";
        let msg = Msg::new(text);
        let sentences = msg.sentences(text, 3);
        let cut: Vec<(&str, Vec<String>)> = sentences
            .iter()
            .map(|(s, m)| (*s, m.words.clone()))
            .collect();
        assert_eq!(
            cut,
            [
                (
                    "My tooth hurts since Monday.",
                    Msg::new("My tooth hurts since Monday.").words
                ),
                (
                    "Should I take ibuprofen or wait?",
                    Msg::new("Should I take ibuprofen or wait?").words
                ),
            ]
        );
        assert!(sentences[1].1.has("medication") && !sentences[1].1.has("body"));
    }

    #[test]
    fn folds_and_tags_with_typos() {
        let msg = Msg::new("I can't BREEEATHE, chest pian!!");
        assert_eq!(msg.words, ["i", "cant", "breeathe", "chest", "pian"]);
        assert!(msg.has("self") && msg.has("neg") && msg.has("breathe"));
        assert!(
            msg.near("chest", "pain", 1),
            "'pian' is one typo from 'pain'? {:?}",
            msg.concepts
        );
        assert!(Msg::new("me duele el pecho").near("chest", "pain", 2));
    }

    #[test]
    fn every_concept_name_resolves() {
        for (name, _) in CONCEPTS {
            assert_eq!(CONCEPTS[concept(name) as usize].0, *name);
        }
    }
}
