//! The streaming half of the post-check: text a provider streams is released to the
//! visitor one whole sentence at a time, and only after that sentence has passed the same
//! checks as a finished reply. Once a sentence fails, nothing more is released; the turn
//! then answers with the policy's redirect instead of the draft.

use std::sync::Mutex;

use super::{Findings, Policy};
use crate::business::Business;

/// Where released text goes (for the web chat, the SSE stream).
pub type Release<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// Buffers streamed text by sentence and releases what passes. Shared by reference with
/// the provider's sink, hence the interior mutability.
pub struct SentenceGate<'a> {
    policy: &'a Policy,
    business: &'a Business,
    release: Release<'a>,
    state: Mutex<GateState>,
}

impl std::fmt::Debug for SentenceGate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceGate")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct GateState {
    /// Streamed text not yet checked (an unfinished sentence).
    pending: String,
    /// Everything released to the visitor so far.
    released: String,
    /// What the first failing sentence broke; set once, then the gate stays shut.
    blocked: Option<Findings>,
}

/// What the gate did with a whole stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateOutcome {
    pub released: String,
    pub blocked: Option<Findings>,
}

impl<'a> SentenceGate<'a> {
    /// A gate checking against one business's data and policy.
    pub fn new(policy: &'a Policy, business: &'a Business, release: Release<'a>) -> Self {
        Self {
            policy,
            business,
            release,
            state: Mutex::new(GateState::default()),
        }
    }

    /// Takes the next piece of streamed text; releases every sentence it completes that
    /// passes the checks.
    pub fn push(&self, delta: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.blocked.is_some() {
            return;
        }
        state.pending.push_str(delta);
        while let Some(end) = sentence_end(&state.pending) {
            let sentence: String = state.pending.drain(..end).collect();
            if !self.check_and_release(&mut state, &sentence) {
                state.pending.clear();
                return;
            }
        }
    }

    /// Checks the unfinished tail, releases it if it passes, and reports the stream's fate.
    pub fn finish(&self) -> GateOutcome {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.blocked.is_none() {
            let tail = std::mem::take(&mut state.pending);
            if !tail.trim().is_empty() {
                self.check_and_release(&mut state, &tail);
            }
        }
        GateOutcome {
            released: state.released.clone(),
            blocked: state.blocked.clone(),
        }
    }

    fn check_and_release(&self, state: &mut GateState, sentence: &str) -> bool {
        let findings = self.policy.post_check(sentence, Some(self.business));
        if findings.is_clear() {
            state.released.push_str(sentence);
            (self.release)(sentence);
            true
        } else {
            state.blocked = Some(findings);
            false
        }
    }
}

/// The byte offset just past the first complete sentence: after `.`, `!`, `?` or `…`
/// (and any closing quotes or brackets) followed by whitespace, or after a line break.
/// "$1.50" and "e.g.x" don't end a sentence; a false end only makes checks finer.
fn sentence_end(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        if c == '\n' {
            return Some(index + 1);
        }
        if matches!(c, '.' | '!' | '?' | '…') {
            while let Some(&(_, next)) = chars.peek() {
                if matches!(next, '.' | '!' | '?' | '"' | '\'' | ')' | '”' | '’') {
                    chars.next();
                } else {
                    break;
                }
            }
            if let Some(&(i, next)) = chars.peek() {
                if next.is_whitespace() {
                    return Some(i + next.len_utf8());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::demo_business;

    fn run(pieces: &[&str]) -> (Vec<String>, GateOutcome) {
        let business = demo_business();
        let policy = Policy::for_business(&business);
        let seen = Mutex::new(Vec::new());
        let release = |text: &str| seen.lock().unwrap().push(text.to_owned());
        let gate = SentenceGate::new(&policy, &business, &release);
        for piece in pieces {
            gate.push(piece);
        }
        let outcome = gate.finish();
        (seen.into_inner().unwrap(), outcome)
    }

    #[test]
    fn releases_whole_sentences_only() {
        let (seen, outcome) = run(&["We're open Mon", "day to Friday. Call", " us any", "time!"]);
        assert_eq!(seen, ["We're open Monday to Friday. ", "Call us anytime!"]);
        assert_eq!(
            outcome.released,
            "We're open Monday to Friday. Call us anytime!"
        );
        assert!(outcome.blocked.is_none());
    }

    #[test]
    fn nothing_after_a_failing_sentence_is_released() {
        let (seen, outcome) = run(&[
            "Thanks for asking. ",
            "I recommend taking ibuprofen for that tooth. ",
            "See you soon!",
        ]);
        assert_eq!(seen, ["Thanks for asking. "]);
        let blocked = outcome.blocked.expect("advice blocked");
        assert!(!blocked.is_clear(), "{blocked:?}");
    }

    #[test]
    fn an_unfinished_failing_tail_is_not_released() {
        let (seen, outcome) = run(&["Sure. ", "Our direct line is 512-555-0000"]);
        assert_eq!(seen, ["Sure. "]);
        assert!(outcome.blocked.is_some());
    }

    #[test]
    fn sentence_ends() {
        assert_eq!(sentence_end("It costs $1.50 total"), None);
        assert_eq!(sentence_end("Done. Next"), Some(6));
        assert_eq!(sentence_end("Really?!\" Yes"), Some(10));
        assert_eq!(sentence_end("line one\nline two"), Some(9));
        assert_eq!(sentence_end("Wait…"), None);
    }
}
