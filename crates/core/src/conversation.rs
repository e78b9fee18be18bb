//! Conversations and messages as the domain sees them, with the few values that can only
//! be built valid (a visitor's text, a visitor id).

use std::fmt;

use jiff::Timestamp;
use uuid::Uuid;

/// Longest visitor message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2_000;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Visitor,
    Assistant,
}

impl Role {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Assistant => "assistant",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "visitor" => Some(Role::Visitor),
            "assistant" => Some(Role::Assistant),
            _ => None,
        }
    }
}

/// The channel a conversation arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Cli,
    /// Text messages; the conversation is keyed by the sender's number.
    Sms,
    /// Phone calls; one conversation per call.
    Voice,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Cli => "cli",
            Channel::Sms => "sms",
            Channel::Voice => "voice",
        }
    }
}

/// A stored message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub text: String,
    pub created_at: Timestamp,
}

/// The part of earlier messages the engine needs to understand follow-ups.
pub type HistoryMessage = Message;

/// Identifies a conversation; random so ids can't be guessed or enumerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConversationId(pub Uuid);

impl ConversationId {
    /// A new, time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for ConversationId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Identifies a stored business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BusinessId(pub Uuid);

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The anonymous id a widget keeps in localStorage; it only proves "same browser".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisitorId(String);

impl VisitorId {
    /// Accepts 8–64 characters of letters, digits, '-' and '_'.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid = (8..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err("visitor_id must be 8-64 characters of letters, digits, '-' or '_'".to_owned())
        }
    }

    /// The id as sent by the client.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A visitor's message, trimmed, non-empty and within [`MAX_MESSAGE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorText(String);

impl VisitorText {
    /// Validates the text of one visitor message.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("text must not be empty".to_owned());
        }
        let chars = text.chars().count();
        if chars > MAX_MESSAGE_CHARS {
            return Err(format!(
                "text is {chars} characters long; the limit is {MAX_MESSAGE_CHARS}"
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The validated text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_text_limits() {
        assert!(VisitorText::parse("  ").is_err());
        assert_eq!(VisitorText::parse(" hi ").unwrap().as_str(), "hi");
        assert!(VisitorText::parse(&"é".repeat(2_000)).is_ok());
        assert!(VisitorText::parse(&"é".repeat(2_001)).is_err());
    }

    #[test]
    fn visitor_ids() {
        assert!(VisitorId::parse("0b6f1c7e-4f7a-4a8e-9c1e-1d2f3a4b5c6d").is_ok());
        assert!(VisitorId::parse("short").is_err());
        assert!(VisitorId::parse("has space in it").is_err());
    }
}
