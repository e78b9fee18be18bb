//! Credentials at rest: AES-256-GCM with a random nonce per value, the key id stored
//! beside each ciphertext so keys can be rotated, and the owning record bound in as
//! associated data so a ciphertext copied to another business does not decrypt.

use std::collections::HashMap;
use std::fmt;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

/// Length of an AES-GCM nonce in bytes.
const NONCE_BYTES: usize = 12;

/// Why a keyring could not be built or a secret not opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("FRONTDESK_SECRET_KEYS: {0}")]
    Config(String),
    #[error("this secret was sealed with key {0:?}, which is not in FRONTDESK_SECRET_KEYS")]
    UnknownKey(String),
    #[error("a stored secret is corrupt or belongs to another record")]
    Corrupt,
    #[error("no encryption key is configured; set FRONTDESK_SECRET_KEYS (see `frontdesk keys generate`)")]
    NoKey,
}

/// A sealed secret as stored: the key id and `base64(nonce || ciphertext)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub ciphertext: String,
}

/// The encryption keys: the first seals new secrets, all of them open old ones.
#[derive(Clone)]
pub struct Keyring {
    active: String,
    keys: HashMap<String, Aes256Gcm>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("Keyring")
            .field("active", &self.active)
            .field("key_ids", &ids)
            .finish()
    }
}

impl Keyring {
    /// Parses `id:base64key[,id:base64key…]`, e.g. `2026-11:q3…=,2026-01:Zm…=`. The first key
    /// is the active one. Each key must be 32 random bytes.
    pub fn parse(spec: &str) -> Result<Self, SecretError> {
        let mut active = None;
        let mut keys = HashMap::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, encoded) = entry.split_once(':').ok_or_else(|| {
                SecretError::Config(format!("{:?} is not id:base64key", redact_entry(entry)))
            })?;
            let id = id.trim();
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(SecretError::Config(format!(
                    "key id {id:?} must be letters, digits, '-', '_' or '.'"
                )));
            }
            let bytes = BASE64
                .decode(encoded.trim())
                .map_err(|_| SecretError::Config(format!("key {id:?} is not valid base64")))?;
            if bytes.len() != 32 {
                return Err(SecretError::Config(format!(
                    "key {id:?} is {} bytes; AES-256 needs 32",
                    bytes.len()
                )));
            }
            let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes));
            if keys.insert(id.to_owned(), cipher).is_some() {
                return Err(SecretError::Config(format!("key id {id:?} appears twice")));
            }
            active.get_or_insert_with(|| id.to_owned());
        }
        let active = active.ok_or_else(|| SecretError::Config("no keys given".to_owned()))?;
        Ok(Self { active, keys })
    }

    /// A fresh random key line for `FRONTDESK_SECRET_KEYS`.
    pub fn generate_entry(id: &str) -> String {
        format!("{id}:{}", BASE64.encode(Aes256Gcm::generate_key(OsRng)))
    }

    /// The id of the key that seals new secrets.
    pub fn active_id(&self) -> &str {
        &self.active
    }

    /// Encrypts with the active key, bound to `context` (the owning record).
    pub fn seal(&self, plaintext: &str, context: &str) -> Sealed {
        let cipher = &self.keys[&self.active];
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of a short secret cannot fail");
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&ciphertext);
        Sealed {
            key_id: self.active.clone(),
            ciphertext: BASE64.encode(stored),
        }
    }

    /// Decrypts a sealed secret for the record it was sealed for.
    pub fn open(&self, sealed: &Sealed, context: &str) -> Result<String, SecretError> {
        let cipher = self
            .keys
            .get(&sealed.key_id)
            .ok_or_else(|| SecretError::UnknownKey(sealed.key_id.clone()))?;
        let bytes = BASE64
            .decode(&sealed.ciphertext)
            .map_err(|_| SecretError::Corrupt)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(SecretError::Corrupt);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let plaintext = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Corrupt)?;
        String::from_utf8(plaintext).map_err(|_| SecretError::Corrupt)
    }
}

/// An entry as it may appear in an error: its id only, never the key.
fn redact_entry(entry: &str) -> String {
    format!("{}…", entry.chars().take(4).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(spec: &str) -> Keyring {
        Keyring::parse(spec).unwrap()
    }

    #[test]
    fn seals_and_opens_bound_to_its_record() {
        let keyring = ring(&Keyring::generate_entry("k1"));
        let sealed = keyring.seal("sk-ant-secret", "model_api_key:business-a");
        assert_eq!(sealed.key_id, "k1");
        assert!(!sealed.ciphertext.contains("secret"));
        assert_eq!(
            keyring.open(&sealed, "model_api_key:business-a").unwrap(),
            "sk-ant-secret"
        );
        assert_eq!(
            keyring.open(&sealed, "model_api_key:business-b"),
            Err(SecretError::Corrupt),
            "a ciphertext moved to another record does not open"
        );
        let again = keyring.seal("sk-ant-secret", "model_api_key:business-a");
        assert_ne!(
            sealed.ciphertext, again.ciphertext,
            "fresh nonce every time"
        );
    }

    #[test]
    fn old_keys_open_new_key_seals() {
        let old = Keyring::generate_entry("old");
        let new = Keyring::generate_entry("new");
        let sealed = ring(&old).seal("value", "ctx");
        let rotated = ring(&format!("{new},{old}"));
        assert_eq!(rotated.active_id(), "new");
        assert_eq!(rotated.open(&sealed, "ctx").unwrap(), "value");
        assert_eq!(
            ring(&new).open(&sealed, "ctx"),
            Err(SecretError::UnknownKey("old".into()))
        );
    }

    #[test]
    fn bad_configuration_is_explained_without_the_key() {
        let key = BASE64.encode([7u8; 32]);
        for (spec, expected) in [
            ("", "no keys"),
            ("justakey", "not id:base64key"),
            ("k1:not base64!", "not valid base64"),
            (&format!("k1:{}", BASE64.encode([1u8; 16])), "16 bytes"),
            (&format!("k1:{key},k1:{key}"), "twice"),
            (&format!("bad id:{key}"), "key id"),
        ] {
            let error = Keyring::parse(spec).unwrap_err().to_string();
            assert!(error.contains(expected), "{spec}: {error}");
            assert!(!error.contains(&key));
        }
        assert!(!format!("{:?}", ring(&format!("k1:{key}"))).contains(&key));
    }
}
