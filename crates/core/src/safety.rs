//! The safety verdict every reply carries. The rules that produce redirects and emergency
//! answers live in the policy module; this is the contract the API and widget rely on.

/// What the safety wall decided about a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The reply went out as produced.
    Allowed,
    /// The reply was replaced by a redirect to the team.
    Redirected,
    /// Emergency language: the reply tells the visitor to call emergency services.
    Emergency,
}

impl Verdict {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Redirected => "redirected",
            Verdict::Emergency => "emergency",
        }
    }
}

/// The verdict and the rule ids that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Safety {
    pub verdict: Verdict,
    /// Built-in rule ids, then `topic:<name>` for a business's own redirect topics.
    pub rules: Vec<String>,
}

impl Safety {
    /// Nothing fired.
    pub fn allowed() -> Self {
        Self {
            verdict: Verdict::Allowed,
            rules: Vec::new(),
        }
    }
}
