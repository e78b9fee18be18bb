//! Owner passwords: what is acceptable, and how it is stored.
//!
//! The rules follow NIST SP 800-63B: a generous length range, no composition rules
//! ("one digit, one symbol"), but a refusal of passwords that are known to be common or
//! that are mostly the account's own public details. Hashing is argon2id with the
//! `argon2` crate's default (OWASP-recommended) parameters, stored as a PHC string so the
//! parameters travel with the hash and can be raised later without a migration.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::OsRng;

/// Fewest characters accepted: long enough that guessing offline is expensive even
/// without composition rules.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Most characters accepted: enough for any passphrase or password manager, small enough
/// that hashing one is not a denial-of-service lever.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The 10,000 most common passwords from zxcvbn (MIT); see the header of the file.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// A password in memory. Its `Debug` is redacted so it cannot reach a log line through
/// `{:?}` on a request or a struct that holds it; there is deliberately no `Display`.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Wraps a password as typed by its owner (no trimming: spaces are characters too).
    pub fn new(plain: impl Into<String>) -> Self {
        Self(plain.into())
    }

    /// The password itself, for the few places that must see it (policy, hashing).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Why a password was refused, worded for the owner choosing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort {
        /// Characters the password has.
        chars: usize,
    },
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    TooLong {
        /// Characters the password has.
        chars: usize,
    },
    /// A common password, possibly with digits or symbols added at the end.
    Common,
    /// One short piece repeated, like `abcabcabcabc`.
    Repetitive,
    /// More than half of it is the business name or the email address.
    ResemblesAccount,
}

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { chars } => write!(
                f,
                "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS} \
                 (a few unrelated words make a long password that is easy to remember)"
            ),
            Self::TooLong { chars } => write!(
                f,
                "the password has {chars} characters; use at most {MAX_PASSWORD_CHARS}"
            ),
            Self::Common => f.write_str(
                "this password is among the most common ones attackers try first; choose another",
            ),
            Self::Repetitive => f.write_str(
                "this password repeats the same few characters; choose one without repetition",
            ),
            Self::ResemblesAccount => f.write_str(
                "this password is mostly your business name or email address; choose one \
                 that others could not guess from your account",
            ),
        }
    }
}

impl std::error::Error for PasswordError {}

/// The password rules for one account. It knows the account's public details (business
/// name, email) because a password built from them is the first thing an attacker tries.
#[derive(Debug, Clone)]
pub struct PasswordPolicy {
    /// Lowercase alphanumeric forms of the account's details, longest first, so removing
    /// them from a password takes the biggest bite first.
    personal: Vec<String>,
}

impl PasswordPolicy {
    /// The rules for an account of this business and owner email.
    pub fn for_account(business_name: &str, email: &str) -> Self {
        let mut personal = Vec::new();
        let mut add = |text: &str| {
            let term = fold(text);
            // Shorter fragments ("dr", "co") occur in ordinary words by chance.
            if term.chars().count() >= 4 && !personal.contains(&term) {
                personal.push(term);
            }
        };
        add(business_name);
        business_name
            .split(|c: char| !c.is_alphanumeric())
            .for_each(&mut add);
        let (local, domain) = email.split_once('@').unwrap_or((email, ""));
        add(local);
        local
            .split(|c: char| !c.is_alphanumeric())
            .for_each(&mut add);
        // Every domain label except the top-level one ("com", "org").
        let labels: Vec<&str> = domain.split('.').collect();
        labels[..labels.len().saturating_sub(1)]
            .iter()
            .for_each(|label| add(label));
        personal.sort_by_key(|term| std::cmp::Reverse(term.len()));
        Self { personal }
    }

    /// Accepts the password or says the first rule it breaks.
    pub fn check(&self, password: &Password) -> Result<(), PasswordError> {
        let plain = password.expose();
        let chars = plain.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort { chars });
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong { chars });
        }
        if is_common(plain) {
            return Err(PasswordError::Common);
        }
        if is_repetitive(plain) {
            return Err(PasswordError::Repetitive);
        }
        if self.resembles_account(plain) {
            return Err(PasswordError::ResemblesAccount);
        }
        Ok(())
    }

    /// True when the account's details make up more than half of the password's letters
    /// and digits.
    fn resembles_account(&self, plain: &str) -> bool {
        let folded = fold(plain);
        let mut rest = folded.clone();
        for term in &self.personal {
            rest = rest.replace(term.as_str(), "");
        }
        rest.len() * 2 < folded.len()
    }
}

/// Lowercase letters and digits only, so "Sunrise Dental" and "sunrise-dental!" compare.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// In the common list as typed, or once trailing digits and symbols are removed
/// ("password2024!" is "password" to a cracking tool's rules).
fn is_common(plain: &str) -> bool {
    let lower = plain.to_lowercase();
    let core = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    COMMON_PASSWORDS.contains(lower.as_str())
        || (core.len() >= 4 && COMMON_PASSWORDS.contains(core))
}

/// The whole password is one piece of at most half its length repeated.
fn is_repetitive(plain: &str) -> bool {
    let chars: Vec<char> = plain.chars().collect();
    (1..=chars.len() / 2).any(|unit| {
        // A shorter last chunk never equals the unit, so lengths must divide evenly.
        chars.chunks(unit).all(|chunk| chunk == &chars[..unit])
    })
}

/// Hashes a password with argon2id (default parameters) and a fresh random salt,
/// returning the PHC string to store (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &Password) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        // Only fails for parameters or lengths far outside what is used here (the policy
        // caps passwords at 128 characters; the salt is generated to spec).
        .expect("argon2id with default parameters hashes any password")
        .to_string()
}

/// Whether the password matches a stored PHC string. The comparison is the crate's
/// constant-time one; an unparsable stored hash never matches.
pub fn verify_password(password: &Password, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.expose().as_bytes(), &hash)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicy {
        PasswordPolicy::for_account("Sunrise Dental Care", "maria.lopez@sunrisedental.com")
    }

    fn check(plain: &str) -> Result<(), PasswordError> {
        policy().check(&Password::new(plain))
    }

    #[test]
    fn list_is_the_top_ten_thousand() {
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
        assert!(COMMON_PASSWORDS.contains("123456"));
        assert!(COMMON_PASSWORDS.contains("qwerty123456"));
    }

    #[test]
    fn accepts_a_long_unrelated_passphrase() {
        assert_eq!(check("correct horse battery staple"), Ok(()));
        assert_eq!(check("Tr0ub4dor&3xyz"), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(
            check("ñandúcafé"),
            Err(PasswordError::TooShort { chars: 9 })
        );
        // 12 characters, 24 bytes.
        assert_eq!(check("ñáéíóúüñáéíó"), Ok(()));
        assert_eq!(check(&"x1".repeat(64)), Err(PasswordError::Repetitive));
        let long: String = (0..129)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        assert_eq!(check(&long), Err(PasswordError::TooLong { chars: 129 }));
        assert_eq!(check(&long[..128]), Ok(()));
    }

    #[test]
    fn refuses_common_passwords_case_insensitively_and_with_suffixes() {
        assert_eq!(check("qwerty123456"), Err(PasswordError::Common));
        assert_eq!(check("QWERTY123456"), Err(PasswordError::Common));
        assert_eq!(check("1qaz2wsx3edc"), Err(PasswordError::Common));
        assert_eq!(check("Password2024!"), Err(PasswordError::Common));
        assert_eq!(check("sunshine12345"), Err(PasswordError::Common));
    }

    #[test]
    fn refuses_repetition() {
        assert_eq!(check("abcabcabcabc"), Err(PasswordError::Repetitive));
        assert_eq!(check("zzzzzzzzzzzzzz"), Err(PasswordError::Repetitive));
        assert_eq!(check("abcabcabcabd"), Ok(()));
    }

    #[test]
    fn refuses_passwords_that_are_mostly_the_account() {
        assert_eq!(
            check("SunriseDental!1"),
            Err(PasswordError::ResemblesAccount)
        );
        assert_eq!(
            check("maria.lopez.2024"),
            Err(PasswordError::ResemblesAccount)
        );
        assert_eq!(
            check("Sunrise-Care-99"),
            Err(PasswordError::ResemblesAccount)
        );
        // The name is there, but most of the password is not.
        assert_eq!(check("sunrise-violet-orchard-kettle"), Ok(()));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::new("hunter2hunter2");
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
        let nested = format!("{:?}", Some(password));
        assert!(!nested.contains("hunter2"), "{nested}");
    }

    #[test]
    fn errors_read_as_advice() {
        let message = PasswordError::TooShort { chars: 5 }.to_string();
        assert!(message.contains("5 characters") && message.contains("at least 12"));
        assert!(PasswordError::ResemblesAccount
            .to_string()
            .contains("business name"));
    }

    #[test]
    fn hash_verifies_the_same_password_only() {
        let password = Password::new("correct horse battery staple");
        let phc = hash_password(&password);
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify_password(&password, &phc));
        assert!(!verify_password(
            &Password::new("correct horse battery stapler"),
            &phc
        ));
        assert!(!verify_password(&password, "not a phc string"));
        // A fresh salt every time.
        assert_ne!(phc, hash_password(&password));
    }
}
