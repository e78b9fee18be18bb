//! A business's facts indexed for matching: service names, FAQ questions and insurance
//! plans as concept sets, plus the vocabulary that typo correction aims at. Built once per
//! business load so a turn costs microseconds.

use std::collections::HashMap;

use crate::business::Business;

use super::text::{split_words, Normalizer, Text};

/// Words that carry no topic of their own when comparing questions.
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "is",
    "are",
    "am",
    "be",
    "been",
    "was",
    "were",
    "do",
    "doe",
    "does",
    "did",
    "you",
    "your",
    "yours",
    "guy",
    "guys",
    "we",
    "our",
    "us",
    "i",
    "me",
    "my",
    "mine",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "to",
    "of",
    "for",
    "in",
    "on",
    "at",
    "by",
    "with",
    "about",
    "from",
    "and",
    "or",
    "if",
    "so",
    "just",
    "also",
    "can",
    "could",
    "would",
    "will",
    "should",
    "shall",
    "may",
    "might",
    "must",
    "what",
    "when",
    "where",
    "how",
    "which",
    "who",
    "whom",
    "why",
    "there",
    "here",
    "ani",
    "any",
    "some",
    "have",
    "has",
    "had",
    "get",
    "got",
    "pleas",
    "please",
    "hi",
    "hello",
    "hey",
    "thank",
    "thanks",
    "ok",
    "okay",
    "not",
    "no",
    "yes",
    "yeah",
    "yep",
    "up",
    "out",
    "be",
    "bit",
    "lot",
    "realli",
    "really",
    "veri",
    "very",
    "know",
    "want",
    "wonder",
    "wondering",
    "tell",
    "ask",
    "question",
    "there",
    "than",
    "then",
    "too",
    "as",
    "like",
    "need",
    "one",
    "someth",
    "anyth",
    "thing",
    "go",
    "going",
    "let",
];

/// Words that say what kind of question it is rather than what it is about; they count a
/// little when comparing FAQ questions.
const WEAK_WORDS: &[&str] = &[
    "offer", "provid", "take", "accept", "avail", "allow", "see", "come", "use", "work", "do",
];

/// Different words for the same concept, so "kids" matches an FAQ about "children".
const CONCEPTS: &[(&str, &[&str])] = &[
    (
        "child",
        &[
            "kid", "kiddo", "child", "children", "son", "daughter", "toddler", "babi", "infant",
            "pediatr", "paediatr", "teen", "teenag", "minor", "youth",
        ],
    ),
    ("pay", &["pay", "payment", "paid"]),
    (
        "financ",
        &[
            "financ",
            "instal",
            "installment",
            "carecredit",
            "monthli",
            "loan",
        ],
    ),
    ("tooth", &["tooth", "teeth"]),
    (
        "card",
        &[
            "card",
            "debit",
            "visa",
            "mastercard",
            "amex",
            "discov",
            "appl",
            "gpay",
        ],
    ),
    ("cash", &["cash", "check", "chequ"]),
    ("walk", &["walk", "walkin", "unannounc", "dropin", "drop"]),
    ("patient", &["patient", "client", "custom", "member"]),
    ("new", &["new", "first", "initi"]),
    (
        "access",
        &[
            "wheelchair",
            "access",
            "disabl",
            "handicap",
            "ramp",
            "elev",
            "mobil",
            "stair",
        ],
    ),
    ("cancel", &["cancel", "reschedul", "postpon", "resched"]),
    (
        "languag",
        &[
            "languag",
            "spanish",
            "espanol",
            "bilingu",
            "french",
            "vietnames",
            "chines",
            "mandarin",
            "translat",
            "interpret",
        ],
    ),
    ("pet", &["pet", "dog", "cat", "puppi", "anim"]),
    ("park", &["park", "garag", "lot"]),
    ("wifi", &["wifi", "internet"]),
    ("gift", &["gift", "voucher", "certif"]),
    (
        "discount",
        &[
            "discount", "coupon", "deal", "promo", "promot", "sale", "special",
        ],
    ),
    ("xray", &["xray", "radiograph"]),
    ("late", &["late", "tardi", "delay"]),
    (
        "cost",
        &[
            "cost", "price", "fee", "charg", "expens", "cheap", "rate", "bill",
        ],
    ),
    ("wait", &["wait", "queue", "line"]),
    ("mask", &["mask", "covid", "vaccin"]),
    (
        "sedat",
        &[
            "sedat", "nervous", "anxieti", "anxious", "scare", "afraid", "fear", "relax",
        ],
    ),
    ("refund", &["refund", "money", "return", "exchang"]),
    (
        "deliveri",
        &["deliveri", "deliv", "ship", "shipment", "post"],
    ),
    ("rent", &["rent", "rental", "hire", "leas"]),
    (
        "onlin",
        &[
            "onlin", "virtual", "zoom", "video", "remot", "facetim", "skype", "webcam",
        ],
    ),
    ("consult", &["consult", "meet", "appoint"]),
    ("bring", &["bring", "readi", "prepar"]),
    ("collect", &["collect", "pickup", "pick"]),
    ("free", &["free", "complimentari"]),
];

/// Well-known insurers, so "do you take humana?" is understood as an insurance question
/// even when the business did not list that plan.
pub const KNOWN_INSURERS: &[&str] = &[
    "aetna",
    "cigna",
    "humana",
    "kaiser",
    "anthem",
    "unitedhealthcar",
    "uhc",
    "bcbs",
    "medicar",
    "medicaid",
    "tricar",
    "metlif",
    "guardian",
    "ambett",
    "molina",
    "oscar",
    "wellcar",
    "highmark",
    "premera",
    "regenc",
    "geha",
    "amerita",
    "careington",
    "delta",
    "cross",
    "shield",
    "cobra",
    "obamacar",
    "marketplac",
    "caresourc",
    "centen",
    "magellan",
    "optum",
];

/// A name (service or plan) as concepts, with the ones no other entry shares marked.
#[derive(Debug, Clone)]
pub struct NameIndex {
    pub concepts: Vec<String>,
    pub aliases: Vec<Vec<String>>,
    pub distinctive: Vec<String>,
    /// Names made only of everyday words ("Will"), recognised only after a determiner
    /// ("a will", "my will") so "will I get…" does not name them.
    pub determined: Vec<String>,
}

/// How strongly a message named a service or plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    /// One distinctive word of a longer name ("whitening" for "Teeth whitening").
    Word,
    /// One of its aliases, or its whole name.
    Whole,
}

/// A FAQ as weighted concepts of its question and of its answer.
#[derive(Debug, Clone)]
pub struct FaqIndex {
    pub question: HashMap<String, f32>,
    pub answer: HashMap<String, f32>,
}

/// How rare each concept is across this business's FAQs and services: words every entry
/// shares ("bike" at a bike shop) say little about which entry a visitor means.
#[derive(Debug, Clone, Default)]
pub struct Rarity(HashMap<String, f32>);

impl Rarity {
    fn build<'a>(documents: impl Iterator<Item = Vec<&'a str>>) -> Self {
        let mut counts: HashMap<String, f32> = HashMap::new();
        let mut total = 0.0;
        for document in documents {
            total += 1.0;
            let mut seen: Vec<&str> = document;
            seen.sort_unstable();
            seen.dedup();
            for concept in seen {
                *counts.entry(concept.to_owned()).or_default() += 1.0;
            }
        }
        let weights = counts
            .into_iter()
            .map(|(concept, df)| (concept, (((total + 1.0) / df).ln()).clamp(0.3, 2.0)))
            .collect();
        Self(weights)
    }

    fn of(&self, concept: &str) -> f32 {
        self.0.get(concept).copied().unwrap_or(1.0)
    }
}

/// One business, validated and indexed for the engine.
#[derive(Debug)]
pub struct Knowledge {
    pub business: Business,
    pub normalizer: Normalizer,
    pub services: Vec<NameIndex>,
    pub plans: Vec<NameIndex>,
    pub faqs: Vec<FaqIndex>,
    pub rarity: Rarity,
}

impl Knowledge {
    /// Indexes a business. Costs a few hundred microseconds; do it once per load.
    pub fn new(business: Business) -> Self {
        let mut extra: Vec<&str> = Vec::new();
        for service in &business.services {
            extra.push(&service.name);
            extra.extend(service.aliases.iter().map(String::as_str));
        }
        extra.extend(business.insurance.iter().map(String::as_str));
        for faq in &business.faqs {
            extra.push(&faq.question);
        }
        extra.extend(business.closures.iter().filter_map(|c| c.note.as_deref()));
        extra.extend(KNOWN_INSURER_NAMES.iter());
        let normalizer = Normalizer::new(extra);
        let own_name = concepts_of(&normalizer, &business.name);
        let services = index_names(
            &normalizer,
            business
                .services
                .iter()
                .map(|s| (s.name.as_str(), s.aliases.as_slice())),
            &own_name,
        );
        let plans = index_names(
            &normalizer,
            business
                .insurance
                .iter()
                .map(|p| (p.as_str(), plan_aliases(p))),
            &own_name,
        );
        let faqs: Vec<FaqIndex> = business
            .faqs
            .iter()
            .map(|faq| FaqIndex {
                question: weighted(&normalizer.normalize(&faq.question)),
                answer: weighted(&normalizer.normalize(&faq.answer)),
            })
            .collect();
        let service_texts: Vec<HashMap<String, f32>> = business
            .services
            .iter()
            .map(|s| {
                let text = format!(
                    "{} {} {}",
                    s.name,
                    s.aliases.join(" "),
                    s.description.as_deref().unwrap_or("")
                );
                weighted(&normalizer.normalize(&text))
            })
            .collect();
        let rarity = Rarity::build(
            faqs.iter()
                .map(|faq| {
                    faq.question
                        .keys()
                        .chain(faq.answer.keys())
                        .map(String::as_str)
                        .collect()
                })
                .chain(
                    service_texts
                        .iter()
                        .map(|t| t.keys().map(String::as_str).collect()),
                ),
        );
        Self {
            business,
            normalizer,
            services,
            plans,
            faqs,
            rarity,
        }
    }

    /// Services named in a message, best match first, with how strongly the best one was.
    pub fn services_in(&self, text: &Text) -> (Vec<usize>, Option<NameMatch>) {
        names_in(&self.services, text)
    }

    /// Accepted insurance plans named in a message.
    pub fn plans_in(&self, text: &Text) -> Vec<usize> {
        names_in(&self.plans, text).0
    }

    /// The FAQ most like the message and how alike they are (0–1).
    pub fn best_faq(&self, text: &Text) -> Option<(usize, f32)> {
        let query: Vec<(String, f32)> = weighted(text)
            .into_iter()
            .map(|(concept, weight)| {
                let rarity = self.rarity.of(&concept);
                (concept, weight * rarity)
            })
            .collect();
        let query_total: f32 = query.iter().map(|(_, w)| w).sum();
        if query_total == 0.0 {
            return None;
        }
        let mut best: Option<(usize, f32)> = None;
        for (index, faq) in self.faqs.iter().enumerate() {
            let question_total: f32 = faq
                .question
                .iter()
                .map(|(c, w)| w * self.rarity.of(c))
                .sum();
            let mut shared = 0.0;
            let mut topic_shared = false;
            let mut in_answer = 0.0;
            let mut answer_hits = 0;
            for (concept, weight) in &query {
                if faq.question.contains_key(concept) {
                    shared += weight;
                    topic_shared |= !WEAK_WORDS.contains(&concept.as_str());
                } else if faq.answer.contains_key(concept) {
                    in_answer += weight * 0.6;
                    answer_hits += 1;
                }
            }
            // The question itself must share a topic word, or the answer several.
            if !topic_shared && answer_hits < 2 {
                continue;
            }
            let matched = shared + in_answer;
            let precision = matched / query_total;
            let recall = (matched / question_total.max(f32::EPSILON)).min(1.0);
            // F-beta with beta < 1: explaining the whole message matters more than
            // covering the whole FAQ question.
            const BETA_SQUARED: f32 = 0.49;
            let score =
                (1.0 + BETA_SQUARED) * precision * recall / (BETA_SQUARED * precision + recall);
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((index, score));
            }
        }
        best
    }

    /// True when the FAQ's question names the service (so it may answer a question about
    /// that service's price or duration).
    pub fn faq_names_service(&self, faq: usize, service: usize) -> bool {
        let question = &self.faqs[faq].question;
        let entry = &self.services[service];
        entry.distinctive.iter().any(|c| question.contains_key(c))
            || (!entry.concepts.is_empty()
                && entry.concepts.iter().all(|c| question.contains_key(c)))
    }
}

/// Names of well-known insurers, lowercase: typo-correction targets, and plans the
/// grounding grader checks a reply only claims when the business lists them.
pub const KNOWN_INSURER_NAMES: &[&str] = &[
    "aetna",
    "cigna",
    "humana",
    "kaiser",
    "anthem",
    "unitedhealthcare",
    "united healthcare",
    "medicare",
    "medicaid",
    "tricare",
    "metlife",
    "guardian",
    "ambetter",
    "molina",
    "highmark",
    "premera",
    "regence",
    "ameritas",
    "careington",
    "delta dental",
    "blue cross",
    "blue shield",
    "oscar",
    "geha",
];

/// Abbreviations people use for plans with long names.
fn plan_aliases(plan: &str) -> &'static [String] {
    use std::sync::OnceLock;
    static BCBS: OnceLock<Vec<String>> = OnceLock::new();
    static UHC: OnceLock<Vec<String>> = OnceLock::new();
    let lower = plan.to_lowercase();
    if lower.contains("blue cross") || lower.contains("blue shield") {
        BCBS.get_or_init(|| {
            vec![
                "bcbs".to_owned(),
                "blue cross".to_owned(),
                "blue shield".to_owned(),
            ]
        })
    } else if lower.contains("united") {
        UHC.get_or_init(|| {
            vec![
                "uhc".to_owned(),
                "united healthcare".to_owned(),
                "united".to_owned(),
            ]
        })
    } else {
        &[]
    }
}

/// The concept a stem stands for.
pub fn concept(stem: &str) -> &str {
    CONCEPTS
        .iter()
        .find(|(_, members)| members.contains(&stem))
        .map_or(stem, |(name, _)| name)
}

/// True for words that carry no topic.
pub fn is_stopword(stem: &str) -> bool {
    STOPWORDS.contains(&stem) || stem.len() < 2 && stem != "$"
}

/// The topic concepts of a message with their weights (weak words count less).
pub fn weighted(text: &Text) -> HashMap<String, f32> {
    let mut concepts = HashMap::new();
    let stems: Vec<&str> = text.stems().collect();
    // "payment plan" is financing, whatever the words around it.
    if stems
        .windows(2)
        .any(|pair| pair == ["payment", "plan"] || pair == ["pay", "plan"])
    {
        concepts.insert("financ".to_owned(), 1.0);
    }
    for stem in stems {
        if is_stopword(stem) || stem.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let weight = if WEAK_WORDS.contains(&stem) { 0.3 } else { 1.0 };
        concepts.insert(concept(stem).to_owned(), weight);
    }
    concepts
}

fn concepts_of(normalizer: &Normalizer, phrase: &str) -> Vec<String> {
    let lower = phrase.to_lowercase();
    split_words(&lower)
        .iter()
        .map(|w| normalizer.stem(w))
        .filter(|s| !is_stopword(s))
        .map(|s| concept(&s).to_owned())
        .collect()
}

/// Words too generic to identify one service or plan on their own.
const GENERIC_NAME_WORDS: &[&str] = &[
    "dental",
    "health",
    "healthcar",
    "insur",
    "care",
    "plan",
    "servic",
    "treatment",
    "visit",
    "session",
    "appoint",
    "consult",
    "basic",
    "standard",
    "premium",
    "full",
    "new",
    "patient",
    "adult",
    "exam",
    "check",
    "medic",
    "group",
    "network",
    "of",
    "blue",
    "unit",
    "nation",
];

fn index_names<'a>(
    normalizer: &Normalizer,
    names: impl Iterator<Item = (&'a str, &'a [String])>,
    own_name: &[String],
) -> Vec<NameIndex> {
    let mut entries: Vec<NameIndex> = names
        .map(|(name, aliases)| {
            let mut entry = NameIndex {
                concepts: concepts_of(normalizer, name),
                aliases: Vec::new(),
                distinctive: Vec::new(),
                determined: Vec::new(),
            };
            for raw in std::iter::once(name).chain(aliases.iter().map(String::as_str)) {
                let concepts = concepts_of(normalizer, raw);
                let words = split_words(&raw.to_lowercase());
                if !concepts.is_empty() {
                    entry.aliases.push(concepts);
                } else if let [word] = words.as_slice() {
                    entry.determined.push(normalizer.stem(word));
                }
            }
            entry
        })
        .collect();
    let all: Vec<Vec<String>> = entries.iter().map(|e| e.concepts.clone()).collect();
    for (index, entry) in entries.iter_mut().enumerate() {
        entry.distinctive = entry
            .concepts
            .iter()
            .filter(|c| {
                !GENERIC_NAME_WORDS.contains(&c.as_str()) && c.len() > 2 && !own_name.contains(c)
            })
            .filter(|c| {
                all.iter()
                    .enumerate()
                    .all(|(other, concepts)| other == index || !concepts.contains(c))
            })
            .cloned()
            .collect();
    }
    entries
}

/// Entries whose whole name or alias, or one of whose distinctive words, the message
/// names; best first, with the strength of the best match.
fn names_in(entries: &[NameIndex], text: &Text) -> (Vec<usize>, Option<NameMatch>) {
    let concepts: Vec<&str> = text.stems().map(concept).collect();
    let contains_all = |words: &[String]| {
        !words.is_empty() && words.iter().all(|w| concepts.contains(&w.as_str()))
    };
    let mut scored: Vec<(usize, usize, NameMatch)> = entries
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            if contains_all(&entry.concepts) {
                return Some((index, 2 + entry.concepts.len(), NameMatch::Whole));
            }
            if entry.aliases.iter().any(|alias| contains_all(alias)) {
                return Some((index, 2, NameMatch::Whole));
            }
            if entry
                .determined
                .iter()
                .any(|word| after_determiner(text, word))
            {
                return Some((index, 2, NameMatch::Whole));
            }
            let hits = entry
                .distinctive
                .iter()
                .filter(|w| concepts.contains(&w.as_str()))
                .count();
            (hits > 0).then_some((index, hits, NameMatch::Word))
        })
        .collect();
    scored.sort_by_key(|&(_, score, how)| std::cmp::Reverse((how, score)));
    let best = scored.first().map(|&(_, _, how)| how);
    if best == Some(NameMatch::Whole) {
        // A whole name beats entries matched by one word ("whitening" vs "whitening kit").
        scored.retain(|&(_, _, how)| how == NameMatch::Whole);
    }
    (
        scored.into_iter().map(|(index, _, _)| index).collect(),
        best,
    )
}

/// True when `stem` follows "a", "an", "the", "my", "our", "your", "his", "her" or "their".
fn after_determiner(text: &Text, stem: &str) -> bool {
    const DETERMINERS: &[&str] = &[
        "a", "an", "the", "my", "our", "your", "his", "her", "their", "our",
    ];
    text.tokens
        .windows(2)
        .any(|pair| DETERMINERS.contains(&pair[0].word.as_str()) && pair[1].stem == stem)
}
