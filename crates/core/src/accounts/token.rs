//! Bearer secrets: session cookies, invite links and password-reset links.
//!
//! Each is 32 random bytes (256 bits), written base64url for URLs and cookies. Only the
//! SHA-256 of a token is stored, so a leaked database holds nothing that signs anyone in;
//! a fast hash is enough here because the input has full entropy (unlike a password).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// A freshly drawn token: what to hand out once, and what to store.
#[derive(Clone)]
pub struct IssuedToken {
    /// Goes in the cookie or link; never stored or logged.
    pub plain: String,
    /// The stored lookup key, see [`token_hash`].
    pub hash: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("plain", &"<redacted>")
            .field("hash", &self.hash)
            .finish()
    }
}

impl IssuedToken {
    /// Draws a new token from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let plain = URL_SAFE_NO_PAD.encode(bytes);
        let hash = token_hash(&plain);
        Self { plain, hash }
    }
}

/// The stored form of a token: lowercase hex SHA-256 of its text.
pub fn token_hash(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// Compares two secrets in time independent of where they differ (CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_url_safe_and_stored_only_as_hashes() {
        let first = IssuedToken::generate();
        let second = IssuedToken::generate();
        assert_ne!(first.plain, second.plain);
        assert_eq!(first.plain.len(), 43);
        assert!(first
            .plain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(first.hash, token_hash(&first.plain));
        assert_eq!(first.hash.len(), 64);
        assert!(!first.hash.contains(&first.plain));
        assert!(!format!("{first:?}").contains(&first.plain));
    }

    #[test]
    fn constant_time_comparison_is_exact() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(!constant_time_eq("", "a"));
    }
}
