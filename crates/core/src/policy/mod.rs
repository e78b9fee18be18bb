//! The safety wall: hard-coded rules checked on every visitor message (pre-check) and on
//! every reply before it leaves (post-check), whatever produced it. Plain Rust, no I/O.
//!
//! Nothing can switch a built-in rule off: [`Policy`] has no such setting, a business's
//! configuration can only *add* topics to redirect, and no message changes the policy
//! (rules are evaluated on the text; nothing in the text is ever treated as an instruction).

pub mod eval;
mod gate;
mod grounding;
mod lexicon;
mod message;
mod rules;

use std::fmt;

pub use gate::{GateOutcome, Release, SentenceGate};
pub use grounding::{all_findings, fast_findings, Finding};
pub use message::Msg;

use crate::business::Business;
use crate::safety::{Safety, Verdict};

/// The built-in rules. Their ids are a contract (API, storage, eval files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    MedicalAdvice,
    LegalAdvice,
    BillingDispute,
    CompetitorComparison,
    OutcomeGuarantee,
    ExactPricing,
    StaffOpinion,
    Discrimination,
    Fabrication,
    PersonalOpinion,
    OtherVisitorInfo,
    Emergency,
    HealthDetail,
    PromptInjection,
}

impl Rule {
    /// Every built-in rule.
    pub const ALL: [Rule; 14] = [
        Rule::MedicalAdvice,
        Rule::LegalAdvice,
        Rule::BillingDispute,
        Rule::CompetitorComparison,
        Rule::OutcomeGuarantee,
        Rule::ExactPricing,
        Rule::StaffOpinion,
        Rule::Discrimination,
        Rule::Fabrication,
        Rule::PersonalOpinion,
        Rule::OtherVisitorInfo,
        Rule::Emergency,
        Rule::HealthDetail,
        Rule::PromptInjection,
    ];

    /// The rule's fixed id.
    pub fn id(self) -> &'static str {
        match self {
            Rule::MedicalAdvice => "medical_advice",
            Rule::LegalAdvice => "legal_advice",
            Rule::BillingDispute => "billing_dispute",
            Rule::CompetitorComparison => "competitor_comparison",
            Rule::OutcomeGuarantee => "outcome_guarantee",
            Rule::ExactPricing => "exact_pricing",
            Rule::StaffOpinion => "staff_opinion",
            Rule::Discrimination => "discrimination",
            Rule::Fabrication => "fabrication",
            Rule::PersonalOpinion => "personal_opinion",
            Rule::OtherVisitorInfo => "other_visitor_info",
            Rule::Emergency => "emergency",
            Rule::HealthDetail => "health_detail",
            Rule::PromptInjection => "prompt_injection",
        }
    }

    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.id() == id)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A topic a business wants redirected to its team, on top of the built-in rules.
pub use crate::business::RedirectTopic as ExtraTopic;

fn topic_matches(topic: &ExtraTopic, m: &Msg) -> bool {
    topic.keywords.iter().any(|keyword| {
        let words = message::fold_words(keyword);
        match words.as_slice() {
            [] => false,
            [single] => match keyword.trim().strip_suffix('*') {
                Some(_) => m.words.iter().any(|w| w.starts_with(single.as_str())),
                None => m.word(single),
            },
            many => {
                let phrase: Vec<&str> = many.iter().map(String::as_str).collect();
                m.phrase(&phrase)
            }
        }
    })
}

/// What a check found: built-in rules and extra topics that fired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    pub rules: Vec<Rule>,
    pub topics: Vec<String>,
    /// Ungrounded claims (post-check only).
    pub ungrounded: Vec<Finding>,
    /// Emergency language about self-harm, which adds the crisis line to the reply.
    pub self_harm: bool,
}

impl Findings {
    /// True when nothing fired.
    pub fn is_clear(&self) -> bool {
        self.rules.is_empty() && self.topics.is_empty()
    }

    /// True when a rule fired.
    pub fn has(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }

    /// The ids of everything that fired, built-in rules first.
    pub fn ids(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|r| r.id().to_owned())
            .chain(self.topics.iter().map(|t| format!("topic:{t}")))
            .collect()
    }
}

/// The policy for one business: the built-in rules plus the business's extra topics.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    extra_topics: Vec<ExtraTopic>,
}

impl Policy {
    /// The built-in rules only.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// The built-in rules plus topics a business added. There is deliberately no way to
    /// remove or weaken a built-in rule.
    pub fn with_topics(extra_topics: Vec<ExtraTopic>) -> Self {
        Self { extra_topics }
    }

    /// The policy for a business: built-in rules plus its redirect topics.
    pub fn for_business(business: &Business) -> Self {
        Self::with_topics(business.redirect_topics.clone())
    }

    /// Which rules a visitor's message touches. A message of several sentences is also
    /// read sentence by sentence, so a question buried among booking details ("…does Mum
    /// get the house? And do you have evening appointments?") is judged on its own words.
    pub fn pre_check(&self, text: &str) -> Findings {
        let m = Msg::new(text);
        let mut checks = visitor_checks(&m, text, Reading::Whole);
        // Text hidden in base64, ROT13, reversed or look-alike letters is read decoded too.
        for variant in rules::hidden_variants(&m, text) {
            let decoded = visitor_checks(&Msg::new(&variant), &variant, Reading::Whole);
            for ((_, fired), (_, decoded_fired)) in checks.iter_mut().zip(decoded) {
                *fired |= decoded_fired;
            }
        }
        let sentences = m.sentences(text, MIN_SENTENCE_WORDS);
        if sentences.len() > 1 {
            for (sentence, part_msg) in sentences.iter().filter(|(s, _)| asks(s)) {
                let part = visitor_checks(part_msg, sentence, Reading::Sentence);
                for ((_, fired), (_, part_fired)) in checks.iter_mut().zip(part) {
                    *fired |= part_fired;
                }
            }
        }
        self.findings(&m, checks, Vec::new())
    }

    /// Which rules a reply breaks. With a business, contact details and prices in the reply
    /// must be found in its data (the grounding fast path).
    pub fn post_check(&self, reply: &str, business: Option<&Business>) -> Findings {
        let original = reply;
        let own_words = business.map(|b| grounding::without_verified_text(reply, b));
        let reply = own_words.as_deref().unwrap_or(reply);
        let m = Msg::new(reply);
        // Contact details and prices (the fast path) and any other number the data does
        // not state block the reply; times, durations and plans are graded in the background.
        // Contradicted plans block a reply outright; a clock time the business never uses
        // is judged like an unknown number (below).
        let (times, plans): (Vec<Finding>, Vec<Finding>) = business
            .map(|b| grounding::contradictions(original, b))
            .unwrap_or_default()
            .into_iter()
            .partition(|f| f.kind == "time");
        let ungrounded: Vec<Finding> = business
            .map(|b| {
                let mut found = fast_findings(reply, b);
                found.extend(plans);
                found.extend(grounding::day_hours_contradictions(original, b));
                found.extend(grounding::holiday_openings(original, b));
                found.extend(grounding::service_price_mismatches(original, b));
                found.extend(grounding::unverified_claims(reply, b));
                found
            })
            .unwrap_or_default();
        let unknown_numbers = business
            .map(|b| grounding::unknown_numbers(reply, b))
            .unwrap_or_default();
        let stated_facts = !ungrounded.is_empty() || invented_claims(&m);
        let sentences = m.sentences(reply, MIN_SENTENCE_WORDS);
        let whole_reads = (sentences.len() > 1).then_some(CROSS_SENTENCE_REPLY_RULES);
        let mut checks = reply_checks(&m, reply, stated_facts, whole_reads);
        if sentences.len() > 1 {
            for (sentence, part_msg) in &sentences {
                let part = reply_checks(part_msg, sentence, false, None);
                for ((_, fired), (_, part_fired)) in checks.iter_mut().zip(part) {
                    *fired |= part_fired;
                }
            }
        }
        // A number the data never states is a made-up fact, unless the reply already broke
        // another rule (an advice reply's "600 mg" is the advice, not a business fact).
        let other_rule = checks
            .iter()
            .any(|(rule, fired)| *fired && *rule != Rule::Fabrication);
        if (!unknown_numbers.is_empty() || !times.is_empty()) && !other_rule {
            if let Some(fabrication) = checks
                .iter_mut()
                .find(|(rule, _)| *rule == Rule::Fabrication)
            {
                fabrication.1 = true;
            }
        }
        let mut ungrounded = ungrounded;
        ungrounded.extend(unknown_numbers.into_iter().map(|claim| Finding {
            kind: "number",
            claim,
        }));
        self.findings(&m, checks, ungrounded)
    }

    fn findings(&self, m: &Msg, checks: [(Rule, bool); 14], ungrounded: Vec<Finding>) -> Findings {
        Findings {
            rules: checks
                .into_iter()
                .filter(|(_, fired)| *fired)
                .map(|(rule, _)| rule)
                .collect(),
            topics: self
                .extra_topics
                .iter()
                .filter(|t| topic_matches(t, m))
                .map(|t| t.name.clone())
                .collect(),
            ungrounded,
            self_harm: rules::self_harm(m),
        }
    }
}

/// Whether rules read a whole text or one of its sentences. The sentence reading is for
/// rules with exclusions a neighbouring sentence can trip (booking talk, a service
/// question, another topic); emergencies, health details, made-up facts and injections
/// have none, and hidden instructions are decoded from the whole text, so those four read
/// the whole message only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Whole,
    Sentence,
}

/// Whether a sentence asks something: a question mark, or a question or modal word first.
fn asks(sentence: &str) -> bool {
    sentence.contains(['?', '¿'])
        || sentence
            .split_whitespace()
            .next()
            .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase())
            .is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "should"
                        | "can"
                        | "could"
                        | "is"
                        | "do"
                        | "does"
                        | "will"
                        | "would"
                        | "what"
                        | "how"
                        | "which"
                        | "who"
                        | "why"
                        | "am"
                        | "are"
                        | "tell"
                        | "give"
                )
            })
}

/// Sentences shorter than this are read only within the whole message: "Thanks!" or "is
/// that normal?" mean nothing on their own.
const MIN_SENTENCE_WORDS: usize = 3;

/// The built-in rules on one visitor text.
fn visitor_checks(m: &Msg, text: &str, reading: Reading) -> [(Rule, bool); 14] {
    let whole = reading == Reading::Whole;
    let billing = rules::billing_dispute(m);
    let competitor = rules::competitor_comparison(m, text);
    let guarantee = rules::outcome_guarantee(m);
    let pricing = rules::exact_pricing(m);
    let discrimination = rules::discrimination(m);
    let staff = rules::staff_opinion(m, text, discrimination, competitor);
    let opinion = rules::personal_opinion(m);
    let other_visitor = rules::other_visitor_info(m, text);
    let legal = rules::legal_advice(
        m,
        text,
        billing || staff || opinion || discrimination || other_visitor,
    );
    let health_matter = m.has("medication") || m.has("symptom") || m.has("condition");
    // A comparison or a price beside a medicine or a symptom ("what's the best painkiller
    // for my cracked tooth?") does not make the health question any less one.
    let other_topic =
        billing || staff || !health_matter && (legal || competitor || guarantee || pricing);
    [
        (Rule::Emergency, whole && rules::emergency(m)),
        (Rule::HealthDetail, whole && rules::health_detail(m)),
        (
            Rule::MedicalAdvice,
            rules::medical_advice(m, text, other_topic),
        ),
        (Rule::LegalAdvice, legal),
        (Rule::BillingDispute, billing),
        (Rule::CompetitorComparison, competitor),
        (Rule::OutcomeGuarantee, guarantee),
        (Rule::ExactPricing, pricing),
        (Rule::StaffOpinion, staff),
        (Rule::Discrimination, discrimination),
        (Rule::Fabrication, whole && rules::fabrication(m)),
        (Rule::PersonalOpinion, opinion),
        (Rule::OtherVisitorInfo, other_visitor),
        (
            Rule::PromptInjection,
            whole && rules::prompt_injection(m, text),
        ),
    ]
}

/// The built-in rules on one reply text; `stated_facts` carries the grounding verdict,
/// which only the whole reply can give.
/// Reply rules whose evidence can span sentences ("Kevin's still new. I'd wait for
/// Marcus."): in a reply of several sentences only these also read the whole reply; every
/// rule reads each sentence.
const CROSS_SENTENCE_REPLY_RULES: &[Rule] = &[
    Rule::HealthDetail,
    Rule::LegalAdvice,
    Rule::BillingDispute,
    Rule::CompetitorComparison,
    Rule::PromptInjection,
    Rule::StaffOpinion,
    Rule::MedicalAdvice,
];

/// The built-in rules on one reply text, or only those in `only`; `stated_facts` carries
/// the grounding verdict, which only the whole reply can give.
fn reply_checks(
    m: &Msg,
    reply: &str,
    stated_facts: bool,
    only: Option<&[Rule]>,
) -> [(Rule, bool); 14] {
    let wanted = |rule: Rule| only.is_none_or(|rules| rules.contains(&rule));
    let check = |rule: Rule, verdict: &dyn Fn() -> bool| (rule, wanted(rule) && verdict());
    [
        (Rule::Emergency, false),
        check(Rule::HealthDetail, &|| rules::reply_health_detail(m, reply)),
        check(Rule::MedicalAdvice, &|| {
            rules::reply_medical_advice(m, reply)
        }),
        check(Rule::LegalAdvice, &|| rules::reply_legal_advice(m)),
        check(Rule::BillingDispute, &|| rules::reply_billing_dispute(m)),
        check(Rule::CompetitorComparison, &|| {
            rules::reply_competitor_comparison(m, reply)
        }),
        check(Rule::OutcomeGuarantee, &|| {
            rules::reply_outcome_guarantee(m)
        }),
        check(Rule::ExactPricing, &|| rules::reply_exact_pricing(m)),
        check(Rule::StaffOpinion, &|| rules::reply_staff_opinion(m, reply)),
        check(Rule::Discrimination, &|| rules::reply_discrimination(m)),
        (Rule::Fabrication, stated_facts),
        check(Rule::PersonalOpinion, &|| rules::reply_personal_opinion(m)),
        check(Rule::OtherVisitorInfo, &|| {
            rules::reply_other_visitor_info(m, reply)
        }),
        check(Rule::PromptInjection, &|| {
            rules::reply_prompt_injection(m, reply)
        }),
    ]
}

/// Claims a reply makes up whatever the business: awards, credentials, codes, warranties.
fn invented_claims(m: &Msg) -> bool {
    const INVENTED: &[&[&str]] = &[
        &["award", "winning"],
        &["awardwinning"],
        &["voted", "best"],
        &["ranked", "1"],
        &["number", "one"],
        &["1", "rated"],
        &["top", "rated"],
        &["board", "certified"],
        &["lifetime", "warranty"],
        &["discount", "code"],
        &["promo", "code"],
        &["coupon", "code"],
        &["use", "code"],
        &["years", "of", "experience"],
        &["5", "star"],
        &["five", "star"],
        &["free", "whitening"],
        &["off", "your", "first"],
        &["percent", "off"],
        &["money", "back"],
        &["open", "24"],
        &["24", "7"],
        &["always", "open"],
        &["we", "also", "offer"],
        &["harvard"],
        &["certified", "by"],
        &["as", "seen", "on"],
        &["celebrity"],
        &["thousands", "of", "happy"],
        &["over", "10000"],
        &["satisfaction", "rate"],
        &["lifetime", "guarantee"],
        &["guaranteed", "for", "life"],
        &["review", "you", "can", "post"],
        &["heres", "a", "review"],
    ];
    // "I don't have a discount code to share" declines; it claims nothing.
    let negated = |start: usize| {
        m.words[start.saturating_sub(4)..start].iter().any(|w| {
            matches!(
                w.as_str(),
                "dont" | "cant" | "no" | "not" | "never" | "cannot"
            )
        })
    };
    INVENTED
        .iter()
        .any(|p| m.phrase_at(p).is_some_and(|start| !negated(start)))
        || m.words
            .windows(2)
            .any(|w| w[0].bytes().all(|b| b.is_ascii_digit()) && !w[0].is_empty() && w[1] == "off")
}

/// Why the reply was replaced, in the order the visitor should hear it.
pub fn verdict(findings: &Findings) -> Safety {
    let verdict = if findings.has(Rule::Emergency) {
        Verdict::Emergency
    } else if findings.is_clear() {
        Verdict::Allowed
    } else {
        Verdict::Redirected
    };
    Safety {
        verdict,
        rules: findings.ids(),
    }
}

/// "call us at …", whatever contact the business has.
fn team_contact(business: &Business) -> String {
    match (&business.phone, &business.email) {
        (Some(phone), _) => format!("call the team at {phone}"),
        (None, Some(email)) => format!("email the team at {email}"),
        (None, None) => "contact the team directly".to_owned(),
    }
}

/// The reply to emergency language: 911 first, then the business.
pub fn emergency_reply(business: &Business, findings: &Findings) -> String {
    let practice = match &business.phone {
        Some(phone) => {
            format!(" (or the practice at {phone} for anything urgent that isn't life-threatening)")
        }
        None => String::new(),
    };
    let crisis = if findings.self_harm {
        " If you are thinking about harming yourself, you can also call or text 988 (Suicide & Crisis Lifeline) any time."
    } else {
        ""
    };
    format!("This sounds like it could be an emergency. Please call 911 right now{practice}. If someone is in danger, don't wait for a reply here.{crisis}")
}

/// The redirect: acknowledge, say why the assistant can't help with it, hand to the team.
pub fn redirect_reply(business: &Business, findings: &Findings) -> String {
    let contact = team_contact(business);
    let primary = Rule::ALL
        .into_iter()
        .find(|r| findings.has(*r) && *r != Rule::HealthDetail);
    match primary {
        Some(Rule::PromptInjection) => format!(
            "I'm the front-desk assistant for {}, and I'll stay in that role. I can help with our hours, location, services, price ranges and insurance — or you can {contact}.",
            business.name
        ),
        Some(Rule::OtherVisitorInfo) => format!("I'm sorry, I can't share anything about other visitors — every conversation is private. If you need help with your own visit, {contact}."),
        Some(Rule::Discrimination) => format!("{} welcomes and treats everyone equally, so I can't help with that request. For anything else about your visit, {contact}.", business.name),
        Some(rule) => {
            let what = match rule {
                Rule::MedicalAdvice => "give medical advice",
                Rule::LegalAdvice => "give legal advice",
                Rule::BillingDispute => "comment on billing questions or disputes",
                Rule::CompetitorComparison => "compare us with other businesses",
                Rule::OutcomeGuarantee => "promise particular results",
                Rule::ExactPricing => "commit to an exact price — it depends on your visit",
                Rule::StaffOpinion => "share opinions about team members",
                Rule::Fabrication => "make up information I don't have",
                Rule::PersonalOpinion => "give personal opinions or recommendations",
                _ => "help with that here",
            };
            format!("Thanks for asking. I'm not able to {what}, but our team can help you directly — please {contact}.")
        }
        None if findings.has(Rule::HealthDetail) => {
            format!("Thank you for letting us know. I'm not able to discuss health details here, but our team can help — please {contact}.")
        }
        None => format!("That's a question for our team, so I'll let them answer it properly — please {contact}."),
    }
}

/// The marker that replaces health details in everything stored.
pub const REDACTION_MARKER: &str = "[health details withheld]";

/// The text to store for a visitor message: clauses that carry health details (or
/// emergency language) are replaced by [`REDACTION_MARKER`]; the rest is kept so the team
/// still sees what the visitor wanted ("[health details withheld] can I book Tuesday?").
pub fn redact(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for clause in clauses(text) {
        let m = Msg::new(clause);
        let sensitive = rules::health_detail(&m) || rules::emergency(&m) || mentions_health(&m);
        if sensitive {
            if out.last().map(String::as_str) != Some(REDACTION_MARKER) {
                out.push(REDACTION_MARKER.to_owned());
            }
        } else if !clause.trim().is_empty() {
            out.push(clause.trim().to_owned());
        }
    }
    out.join(" ")
}

/// A clause with a symptom, condition or medication word at all: stricter than the rule,
/// because storage must never keep a health detail the rule let through.
fn mentions_health(m: &Msg) -> bool {
    m.has("condition")
        || m.has("medication")
        || m.has("symptom") && (m.has("self") || m.has("other_person") || m.has("body"))
}

/// Splits text after sentence ends, commas, semicolons and " but "/" and " joins.
fn clauses(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let boundary = matches!(c, '.' | '!' | '?' | ';' | ',' | '\n')
            && (i + 1 >= bytes.len() || bytes[i + 1] == b' ' || bytes[i + 1] == b'\n');
        if boundary {
            parts.push(&text[start..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
}

/// The reply to a visitor message whose pre-check fired, so no provider is asked: the
/// emergency answer, or the redirect to the team. None when nothing fired.
pub fn pre_reply(business: &Business, findings: &Findings) -> Option<String> {
    if findings.is_clear() {
        None
    } else if findings.has(Rule::Emergency) {
        Some(emergency_reply(business, findings))
    } else {
        Some(redirect_reply(business, findings))
    }
}

/// One thing the background quality checks noticed about a turn, for the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityFinding {
    /// `ungrounded` (a claim not in the business data), `redirect` (a rule fired on the
    /// visitor's message) or `blocked_reply` (a drafted reply the wall replaced).
    pub kind: &'static str,
    /// The rule id, or for ungrounded claims the claim kind (`phone`, `price`, `time`…).
    pub rule: String,
    /// The claim, or the drafted reply that was blocked.
    pub detail: String,
}

/// The background quality checks of one turn: the full grounding grader over the reply
/// that went out (and any draft that was blocked), and the policy grader's record of which
/// rules fired. Pure and fast; callers run it off the visitor's path and store the result.
pub fn grade(
    business: &Business,
    reply: &str,
    safety: &Safety,
    blocked_draft: Option<&str>,
    grounding_enabled: bool,
) -> Vec<QualityFinding> {
    let mut findings = Vec::new();
    if grounding_enabled {
        for finding in all_findings(reply, business) {
            findings.push(QualityFinding {
                kind: "ungrounded",
                rule: finding.kind.to_owned(),
                detail: finding.claim,
            });
        }
    }
    match blocked_draft {
        Some(draft) => {
            for rule in &safety.rules {
                findings.push(QualityFinding {
                    kind: "blocked_reply",
                    rule: rule.clone(),
                    detail: draft.to_owned(),
                });
            }
        }
        None => {
            for rule in &safety.rules {
                findings.push(QualityFinding {
                    kind: "redirect",
                    rule: rule.clone(),
                    detail: String::new(),
                });
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests;
