//! TwiML, the XML Twilio reads to know what to do next on a call. Only the verbs the
//! phone assistant uses; every text and attribute is escaped, so nothing a caller said
//! can change the document.
//! <https://www.twilio.com/docs/voice/twiml>

use std::fmt::Write;

/// A TwiML `<Response>` being written, verb by verb.
#[derive(Debug, Clone)]
pub struct Twiml {
    verbs: String,
}

/// Something the caller hears: text Twilio reads with its own voice, or recorded audio
/// (a synthesised reply) Twilio fetches from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Utterance {
    Say(String),
    Play(String),
}

/// A `<Gather>`: listens for speech and keypad digits while its prompt plays, so the
/// caller can answer (or press a key) without waiting for the prompt to end.
#[derive(Debug, Clone)]
pub struct Gather {
    action: String,
    timeout_seconds: u32,
    prompt: Vec<Utterance>,
}

impl Gather {
    /// Posts what was heard to `action`; gives up after `timeout_seconds` of silence
    /// (Twilio then carries on with the verbs after the `<Gather>`).
    pub fn new(action: impl Into<String>, timeout_seconds: u32) -> Self {
        Self {
            action: action.into(),
            timeout_seconds,
            prompt: Vec::new(),
        }
    }

    /// A sentence spoken while listening.
    pub fn say(mut self, text: impl Into<String>) -> Self {
        self.prompt.push(Utterance::Say(text.into()));
        self
    }

    /// Something heard while listening, spoken or played.
    pub fn utter(mut self, utterance: Utterance) -> Self {
        self.prompt.push(utterance);
        self
    }
}

impl Default for Twiml {
    fn default() -> Self {
        Self::new()
    }
}

impl Twiml {
    pub fn new() -> Self {
        Self {
            verbs: String::new(),
        }
    }

    /// Speaks `text` with Twilio's text-to-speech.
    pub fn say(mut self, text: &str) -> Self {
        push_utterance(&mut self.verbs, &Utterance::Say(text.to_owned()));
        self
    }

    /// Speaks or plays an utterance.
    pub fn utter(mut self, utterance: &Utterance) -> Self {
        push_utterance(&mut self.verbs, utterance);
        self
    }

    /// Listens for speech or digits (`#` ends keyed digits), with the prompt nested; posts
    /// to the action even when nothing was heard, so silence is counted there.
    pub fn gather(mut self, gather: Gather) -> Self {
        let _ = write!(
            self.verbs,
            "<Gather input=\"speech dtmf\" action=\"{}\" method=\"POST\" timeout=\"{}\" speechTimeout=\"auto\" finishOnKey=\"#\" actionOnEmptyResult=\"true\">",
            escape(&gather.action),
            gather.timeout_seconds
        );
        for utterance in &gather.prompt {
            push_utterance(&mut self.verbs, utterance);
        }
        self.verbs.push_str("</Gather>");
        self
    }

    /// Calls `number`, ringing for `timeout_seconds`; Twilio posts the outcome
    /// (`DialCallStatus`) to `action`.
    pub fn dial(mut self, number: &str, timeout_seconds: u32, action: &str) -> Self {
        let _ = write!(
            self.verbs,
            "<Dial timeout=\"{timeout_seconds}\" action=\"{}\" method=\"POST\">{}</Dial>",
            escape(action),
            escape(number)
        );
        self
    }

    /// Fetches the next TwiML from `url` (used after a `<Gather>` that heard nothing).
    pub fn redirect(mut self, url: &str) -> Self {
        let _ = write!(
            self.verbs,
            "<Redirect method=\"POST\">{}</Redirect>",
            escape(url)
        );
        self
    }

    /// Answers an inbound text message with `text` (Twilio Messaging).
    pub fn message(mut self, text: &str) -> Self {
        let _ = write!(self.verbs, "<Message>{}</Message>", escape(text));
        self
    }

    /// Ends the call.
    pub fn hangup(mut self) -> Self {
        self.verbs.push_str("<Hangup/>");
        self
    }

    /// The finished document.
    pub fn finish(self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>{}</Response>",
            self.verbs
        )
    }
}

fn push_utterance(out: &mut String, utterance: &Utterance) {
    let _ = match utterance {
        Utterance::Say(text) => write!(out, "<Say>{}</Say>", escape(text)),
        Utterance::Play(url) => write!(out, "<Play>{}</Play>", escape(url)),
    };
}

/// Escapes the five XML special characters, and drops control characters XML 1.0 cannot
/// carry at all.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let xml = Twiml::new()
            .say("Tom & Jerry's <shop> \"open\"\u{0}")
            .gather(Gather::new("/g?a=1&b=2", 5).say("1 < 2"))
            .finish();
        assert!(xml.contains("<Say>Tom &amp; Jerry&apos;s &lt;shop&gt; &quot;open&quot;</Say>"));
        assert!(xml.contains("action=\"/g?a=1&amp;b=2\""));
        assert!(xml.contains("<Say>1 &lt; 2</Say></Gather>"));
    }

    #[test]
    fn verbs_come_out_in_order() {
        let xml = Twiml::new()
            .say("Connecting you.")
            .dial("+15125550100", 20, "/dial")
            .hangup()
            .finish();
        assert!(xml.ends_with("<Response><Say>Connecting you.</Say><Dial timeout=\"20\" action=\"/dial\" method=\"POST\">+15125550100</Dial><Hangup/></Response>"));
    }

    #[test]
    fn recorded_replies_are_played_with_their_url_escaped() {
        let audio = Utterance::Play("https://desk.example/voice/audio/ab.mp3?exp=1&sig=x".into());
        let xml = Twiml::new()
            .gather(Gather::new("/g", 5).utter(audio.clone()))
            .utter(&audio)
            .finish();
        assert!(xml.contains(
            "<Play>https://desk.example/voice/audio/ab.mp3?exp=1&amp;sig=x</Play></Gather><Play>"
        ));
        assert!(!xml.contains("<Say>"));
    }
}
