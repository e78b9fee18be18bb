//! Idempotency keys: the one id a send keeps across its retries.

use std::fmt;

use frontdesk_core::mail::Mail;
use sha2::{Digest, Sha256};

/// Names one logical send, so the vendor (Resend) can drop a retry of a send it already
/// performed. Resend remembers a key for 24 hours and accepts 1–256 characters; we also
/// limit it to a header-safe alphabet (`A–Z a–z 0–9 - _ : / .`) so it can never break a
/// header line and never needs escaping.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A caller's own key — an outbox row id, say `notify/0192…`. `None` when it is empty,
    /// longer than 256 characters, or holds anything outside the safe alphabet.
    pub fn new(key: &str) -> Option<Self> {
        let safe = |c: char| c.is_ascii_alphanumeric() || "-_:/.".contains(c);
        ((1..=256).contains(&key.len()) && key.chars().all(safe)).then(|| Self(key.to_owned()))
    }

    /// A key derived from the mail itself (recipient, subject, body), for callers that
    /// only hold a `dyn Mailer`: a retry of the same mail gets the same key. Two mails
    /// with identical text to the same person within 24 hours count as one, which is why
    /// an outbox should pass its own row id to [`crate::ResendMailer::send_with_key`].
    pub fn for_mail(mail: &Mail) -> Self {
        let mut hash = Sha256::new();
        for part in [&mail.to, &mail.subject, &mail.body] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        Self(format!("mail-{}", hex::encode(hash.finalize())))
    }

    /// The key as sent in the header.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_stable_and_distinct() {
        let mail = Mail::new("ana@example.test", "New lead", "body".into());
        let key = IdempotencyKey::for_mail(&mail);
        assert_eq!(key, IdempotencyKey::for_mail(&mail.clone()));
        assert_eq!(key.as_str().len(), 5 + 64);
        assert!(IdempotencyKey::new(key.as_str()).is_some());
        let other = Mail::new("ana@example.test", "New lead", "body!".into());
        assert_ne!(key, IdempotencyKey::for_mail(&other));
        // Length-prefixed: moving text between fields changes the key.
        let shifted = Mail::new("ana@example.test", "New leadbody", String::new());
        assert_ne!(key, IdempotencyKey::for_mail(&shifted));
    }

    #[test]
    fn caller_keys_are_header_safe() {
        assert!(IdempotencyKey::new("notify/0192f0c1-7e2a:email").is_some());
        assert!(IdempotencyKey::new(&"a".repeat(256)).is_some());
        for bad in ["", "a\r\nX-Evil: 1", "with space", "é", &"a".repeat(257)] {
            assert!(IdempotencyKey::new(bad).is_none(), "{bad:?}");
        }
    }
}
