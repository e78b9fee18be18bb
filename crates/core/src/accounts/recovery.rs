//! One-time recovery codes, for an owner who lost their authenticator.
//!
//! Ten codes like `7k3m-q9xd`, shown once and stored only as hashes. Each code is eight
//! characters of Crockford's base32 alphabet (no `i`, `l`, `o`, `u`; typing `o` is read as
//! `0` and `i`/`l` as `1`), so 40 random bits: short enough to type from paper.
//!
//! The hashes are argon2id, not SHA-256. Forty bits is high entropy for online guessing
//! (logins are rate-limited) but not for offline guessing: if the database leaked,
//! 2^40 SHA-256 computations take a GPU minutes. Argon2id makes each guess cost ~19 MiB
//! and milliseconds, which puts a leaked code out of reach, and the price — ten argon2
//! checks on a recovery login — is paid only on that rare path.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};

/// Codes issued at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// Crockford's base32 alphabet: 32 symbols, so a random byte masked to 5 bits picks one
/// without bias.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Characters per code, shown as two groups of four.
const CODE_CHARS: usize = 8;

/// A fresh set of recovery codes: what to show the owner once, and what to store.
/// Named fields rather than a pair, so the plain codes cannot be stored by mistake.
#[derive(Clone)]
pub struct RecoveryCodes {
    /// The codes to show (and offer to download) once, formatted `xxxx-xxxx`.
    pub plain: Vec<String>,
    /// Argon2id PHC strings of the codes, in the same order; the only thing to store.
    pub hashes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryCodes")
            .field("plain", &"<redacted>")
            .field("hashes", &self.hashes.len())
            .finish()
    }
}

impl RecoveryCodes {
    /// Ten new random codes and their hashes; issuing a new set should replace the old.
    pub fn generate() -> Self {
        let plain: Vec<String> = (0..RECOVERY_CODE_COUNT).map(|_| random_code()).collect();
        let hashes = plain
            .iter()
            .map(|code| {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(normalise(code).as_bytes(), &salt)
                    .expect("argon2id with default parameters hashes an 8-byte code")
                    .to_string()
            })
            .collect();
        Self { plain, hashes }
    }

    /// Which stored hash the typed code matches, if any: the caller deletes that one, so
    /// each code works once.
    pub fn find(input: &str, hashes: &[String]) -> Option<usize> {
        hashes.iter().position(|hash| Self::matches(input, hash))
    }

    /// Whether a typed code matches one stored hash, forgiving case, dashes, spaces and
    /// the look-alikes `o`/`0`, `i`/`l`/`1`.
    pub fn matches(input: &str, hash: &str) -> bool {
        let code = normalise(input);
        code.len() == CODE_CHARS
            && PasswordHash::new(hash).is_ok_and(|hash| {
                Argon2::default()
                    .verify_password(code.as_bytes(), &hash)
                    .is_ok()
            })
    }
}

fn random_code() -> String {
    let mut bytes = [0u8; CODE_CHARS];
    OsRng.fill_bytes(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte & 31)]))
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// The canonical form that is hashed: lowercase, no separators, look-alikes folded.
fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_ten_distinct_well_formed_codes() {
        let codes = RecoveryCodes::generate();
        assert_eq!(codes.plain.len(), RECOVERY_CODE_COUNT);
        assert_eq!(codes.hashes.len(), RECOVERY_CODE_COUNT);
        for code in &codes.plain {
            assert_eq!(code.len(), 9, "{code}");
            assert_eq!(&code[4..5], "-");
            assert!(code
                .bytes()
                .filter(|b| *b != b'-')
                .all(|b| ALPHABET.contains(&b)));
        }
        let mut distinct = codes.plain.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), RECOVERY_CODE_COUNT);
        for hash in &codes.hashes {
            assert!(hash.starts_with("$argon2id$"), "{hash}");
            // The whole code never appears in its hash (a 4-character piece can, by chance).
            assert!(!codes
                .plain
                .iter()
                .any(|code| hash.contains(&code.replace('-', ""))));
        }
        let shown = format!("{codes:?}");
        assert!(!codes.plain.iter().any(|code| shown.contains(code.as_str())));
    }

    #[test]
    fn each_code_matches_its_own_hash_only() {
        let codes = RecoveryCodes::generate();
        for (i, code) in codes.plain.iter().enumerate() {
            assert_eq!(RecoveryCodes::find(code, &codes.hashes), Some(i));
        }
        assert!(!RecoveryCodes::matches(&codes.plain[0], &codes.hashes[1]));
        assert_eq!(RecoveryCodes::find("zzzz-zzzz", &codes.hashes), None);
    }

    #[test]
    fn matching_forgives_case_separators_and_look_alikes() {
        let hash = {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"0a1b2c3d", &salt)
                .unwrap()
                .to_string()
        };
        for typed in [
            "0a1b-2c3d",
            "0A1B2C3D",
            " 0a1b 2c3d ",
            "oa1b-2c3d",
            "0aib-2c3d",
            "0alb2c3d",
        ] {
            assert!(RecoveryCodes::matches(typed, &hash), "{typed}");
        }
        for typed in ["0a1b-2c3e", "0a1b-2c3", "0a1b-2c3d5", "", "not a code"] {
            assert!(!RecoveryCodes::matches(typed, &hash), "{typed}");
        }
        assert!(!RecoveryCodes::matches("0a1b-2c3d", "garbage"));
    }
}
