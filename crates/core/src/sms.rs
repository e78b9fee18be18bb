//! Text messages from visitors: the carrier keywords (STOP, START, HELP…) that are
//! answered before the assistant sees anything, and the shape of a reply that fits on a
//! phone.
//!
//! The rules are the carriers' own: a keyword is the whole message, whatever its case and
//! the spaces or punctuation around it ("Stop.", " stop ", "STOP ALL"); a sentence that
//! merely contains the word ("please don't stop texting me") is an ordinary message. After
//! an opt-out the number gets exactly one confirmation, then nothing at all until it opts
//! back in.

use crate::business::Business;

/// Longest reply texted back, in characters: three concatenated GSM-7 segments. Longer
/// replies are cut at a sentence (or word) boundary; the dashboard keeps the full one.
pub const MAX_SMS_REPLY_CHARS: usize = 459;

/// A carrier keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT.
    OptOut,
    /// START, UNSTOP.
    OptIn,
    /// HELP, INFO.
    Help,
}

impl Keyword {
    /// The keyword a message is, if the whole message is one.
    pub fn detect(text: &str) -> Option<Self> {
        let trimmed = text.trim_matches(|c: char| !c.is_alphanumeric());
        // "STOP ALL" and "stop  all" are STOPALL; words run together, nothing else joins.
        let word: String = trimmed
            .split_whitespace()
            .flat_map(str::chars)
            .flat_map(char::to_uppercase)
            .collect();
        match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" => Some(Keyword::OptOut),
            "START" | "UNSTOP" => Some(Keyword::OptIn),
            "HELP" | "INFO" => Some(Keyword::Help),
            _ => None,
        }
    }
}

/// Why a text goes out, which decides whether an opted-out number may receive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutgoingKind {
    /// Any other text (a reply, help, an opt-in confirmation, a team notification):
    /// never to an opted-out number.
    Regular,
    /// The single confirmation of an opt-out, the one text an opted-out number receives.
    OptOutConfirmation,
}

impl OutgoingKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutgoingKind::Regular => "regular",
            OutgoingKind::OptOutConfirmation => "opt_out_confirmation",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "regular" => Some(OutgoingKind::Regular),
            "opt_out_confirmation" => Some(OutgoingKind::OptOutConfirmation),
            _ => None,
        }
    }
}

/// What to do with an inbound text, before any assistant runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Triage {
    /// Record the opt-out, then send `confirmation` (the last text this number gets).
    OptOut { confirmation: String },
    /// Remove the opt-out, then send `confirmation`.
    OptIn { confirmation: String },
    /// Send `reply` (the business, a contact and how to opt out).
    Help { reply: String },
    /// Send nothing: the number opted out (or is opting out again).
    Silent,
    /// An ordinary message for the assistant.
    Assistant,
}

/// Decides what an inbound text is, given whether its number has opted out of this
/// business's texts.
pub fn triage(text: &str, opted_out: bool, business: &Business) -> Triage {
    let name = business_name(business);
    match (Keyword::detect(text), opted_out) {
        (Some(Keyword::OptOut), false) => Triage::OptOut {
            confirmation: format!(
                "{name}: you are unsubscribed and will get no more messages from this number. \
                 Reply START to resubscribe."
            ),
        },
        (Some(Keyword::OptIn), _) => Triage::OptIn {
            confirmation: format!(
                "{name}: you are subscribed again. Reply HELP for help, STOP to opt out."
            ),
        },
        (Some(Keyword::Help), false) => Triage::Help {
            reply: help_text(business),
        },
        (_, true) => Triage::Silent,
        (None, false) => Triage::Assistant,
    }
}

/// HELP's answer: who is texting, how to reach a person, how to stop.
fn help_text(business: &Business) -> String {
    let name = business_name(business);
    let contact = [&business.phone, &business.email, &business.website]
        .into_iter()
        .flatten()
        .next();
    match contact {
        Some(contact) => format!(
            "{name}: automated assistant. For help contact {contact}. Reply STOP to opt out. \
             Msg & data rates may apply."
        ),
        None => format!(
            "{name}: automated assistant. Reply STOP to opt out. Msg & data rates may apply."
        ),
    }
}

/// The business name on one line.
fn business_name(business: &Business) -> String {
    business
        .name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An assistant reply made fit for a text message: markdown taken out (phones show it
/// literally), blank lines and runs of spaces collapsed, and cut to
/// [`MAX_SMS_REPLY_CHARS`] at the last sentence end, or word, that fits.
pub fn sms_reply(reply: &str) -> String {
    let lines: Vec<String> = reply
        .lines()
        .map(plain_line)
        .filter(|line| !line.is_empty())
        .collect();
    shorten(&lines.join("\n"), MAX_SMS_REPLY_CHARS)
}

/// One line without markdown: heading marks, emphasis, code ticks and `[text](url)`
/// links (kept as `text (url)`); `*` bullets become `-`.
fn plain_line(line: &str) -> String {
    let line = line.trim();
    let line = line.trim_start_matches('#').trim_start();
    let line = match line.strip_prefix("* ") {
        Some(rest) => format!("- {rest}"),
        None => line.to_owned(),
    };
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some(open) = rest.find('[') {
        let link = rest[open..].find("](").and_then(|mid| {
            let mid = open + mid;
            rest[mid..].find(')').map(|close| (mid, mid + close))
        });
        let Some((mid, close)) = link else { break };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..mid]);
        out.push_str(" (");
        out.push_str(&rest[mid + 2..close]);
        out.push(')');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let out = out.replace("**", "").replace("__", "").replace('`', "");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut to `limit` characters: at the last sentence end that fits, else the last
/// word, with an ellipsis.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let cut: String = text.chars().take(limit - 1).collect();
    let sentence_end = cut
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && cut[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map(|(i, c)| i + c.len_utf8())
        .next_back()
        .filter(|&end| end >= limit / 3);
    match sentence_end {
        Some(end) => cut[..end].to_owned(),
        None => {
            let word_end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
            format!("{}…", cut[..word_end].trim_end())
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fixtures::demo_business;

    /// A keyword in random case (and STOPALL sometimes as two words).
    fn keyword() -> impl Strategy<Value = (String, Keyword)> {
        let words = prop::sample::select(vec![
            ("stop", Keyword::OptOut),
            ("stopall", Keyword::OptOut),
            ("stop all", Keyword::OptOut),
            ("unsubscribe", Keyword::OptOut),
            ("cancel", Keyword::OptOut),
            ("end", Keyword::OptOut),
            ("quit", Keyword::OptOut),
            ("start", Keyword::OptIn),
            ("unstop", Keyword::OptIn),
            ("help", Keyword::Help),
            ("info", Keyword::Help),
        ]);
        (words, prop::collection::vec(any::<bool>(), 11)).prop_map(|((word, kind), upper)| {
            let cased = word
                .chars()
                .zip(upper)
                .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            (cased, kind)
        })
    }

    proptest! {
        /// Whatever the case and the spaces or punctuation around it, a keyword alone is
        /// that keyword.
        #[test]
        fn a_keyword_alone_is_found_whatever_surrounds_it(
            (word, kind) in keyword(),
            before in "[ \t\n.!?\"'*-]{0,4}",
            after in "[ \t\n.!?\"'*-]{0,4}",
        ) {
            prop_assert_eq!(Keyword::detect(&format!("{before}{word}{after}")), Some(kind));
        }

        /// A keyword inside a sentence is an ordinary message for the assistant.
        #[test]
        fn a_keyword_in_a_sentence_is_no_keyword(
            (word, _) in keyword(),
            other in "(please|can you|i want to|don't|why) ?",
            rest in "( my appointment| texting| now| the booking)",
        ) {
            let sentence = format!("{other} {word}{rest}");
            prop_assert_eq!(Keyword::detect(&sentence), None, "{}", sentence);
        }
    }

    #[test]
    fn keywords_are_whole_messages_in_any_case_and_punctuation() {
        for text in [
            "STOP",
            "stop",
            " Stop. ",
            "STOP!!",
            "STOP ALL",
            "stopall",
            "Unsubscribe",
            "cancel",
            "End",
            "QUIT",
            "\"stop\"",
            "stop 🛑",
        ] {
            assert_eq!(Keyword::detect(text), Some(Keyword::OptOut), "{text:?}");
        }
        for text in ["START", "start.", "Unstop"] {
            assert_eq!(Keyword::detect(text), Some(Keyword::OptIn), "{text:?}");
        }
        for text in ["HELP", "help?", "Info"] {
            assert_eq!(Keyword::detect(text), Some(Keyword::Help), "{text:?}");
        }
        for text in [
            "please don't stop",
            "stop by tomorrow?",
            "can I cancel my appointment",
            "help me book a cleaning",
            "the end of the week",
            "",
            "...",
        ] {
            assert_eq!(Keyword::detect(text), None, "{text:?}");
        }
    }

    #[test]
    fn opting_out_confirms_once_then_silence_until_start() {
        let business = demo_business();
        let Triage::OptOut { confirmation } = triage("STOP", false, &business) else {
            panic!("STOP opts out");
        };
        assert!(confirmation.contains("START"), "{confirmation}");
        assert!(confirmation.starts_with(&business.name), "{confirmation}");
        for text in ["STOP", "HELP", "what are your hours?", "stop all"] {
            assert_eq!(triage(text, true, &business), Triage::Silent, "{text:?}");
        }
        assert!(matches!(
            triage("start", true, &business),
            Triage::OptIn { .. }
        ));
        assert_eq!(
            triage("what are your hours?", false, &business),
            Triage::Assistant
        );
    }

    #[test]
    fn help_names_the_business_a_contact_and_how_to_stop() {
        let business = demo_business();
        let Triage::Help { reply } = triage(" help ", false, &business) else {
            panic!("HELP answers");
        };
        assert!(reply.contains(&business.name), "{reply}");
        assert!(
            reply.contains(business.phone.as_deref().unwrap()),
            "{reply}"
        );
        assert!(reply.contains("STOP"), "{reply}");
    }

    #[test]
    fn replies_lose_markdown_and_blank_lines() {
        let reply = "## Hours\n\n**Monday**: 8 am – 5 pm\n* Tuesday: `closed`\n\nSee [our site](https://x.example/hours).";
        assert_eq!(
            sms_reply(reply),
            "Hours\nMonday: 8 am – 5 pm\n- Tuesday: closed\nSee our site (https://x.example/hours)."
        );
        assert_eq!(sms_reply("5 * 3 = 15"), "5 * 3 = 15");
    }

    #[test]
    fn long_replies_are_cut_at_a_sentence_or_a_word() {
        let sentence = "We are open from eight to five on weekdays. ";
        let long = sentence.repeat(20);
        let short = sms_reply(&long);
        assert!(short.chars().count() <= MAX_SMS_REPLY_CHARS, "{short}");
        assert!(short.ends_with("weekdays."), "{short}");
        let words = "word ".repeat(200);
        let short = sms_reply(&words);
        assert!(short.chars().count() <= MAX_SMS_REPLY_CHARS);
        assert!(short.ends_with("word…"), "{short}");
    }
}
