//! Shared helpers for the engine's phrasing tests.

use jiff::Timestamp;

use super::{reply, Knowledge};
use crate::conversation::Message;

/// The generic fallback: allowed only where a case expects it.
pub const UNKNOWN: &str = "I don't know that";

/// Any honest "that isn't on file" answer: the generic fallback, "I don't see that on our
/// list", "we'll confirm with the team", or "I don't have … for that".
pub const HONEST: &str = "I don't know that|don't see that|we'll confirm|don't have";

/// An expected string may list alternatives separated by `|`; any one is enough.
fn matches(lower: &str, expected: &str) -> bool {
    expected
        .split('|')
        .any(|alternative| lower.contains(&alternative.to_lowercase()))
}

/// The cases whose reply lacks an expected fact, or falls back to "I don't know" where a
/// fact was expected, each described for the failure message.
pub fn failures(
    knowledge: &Knowledge,
    history: &[Message],
    cases: &[(&str, &[&str])],
    now: Timestamp,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (question, expected) in cases {
        let answer = reply(knowledge, history, question, now);
        let lower = answer.to_lowercase();
        let missing: Vec<&&str> = expected.iter().filter(|e| !matches(&lower, e)).collect();
        let unknown_allowed = expected.iter().any(|e| e.contains(UNKNOWN));
        if !missing.is_empty() || (!unknown_allowed && answer.contains(UNKNOWN)) {
            failures.push(format!(
                "{question:?}\n    got: {answer}\n    missing: {missing:?}"
            ));
        }
    }
    failures
}
