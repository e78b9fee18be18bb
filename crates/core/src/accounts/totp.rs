//! Time-based one-time passwords (RFC 6238) as a second factor.
//!
//! SHA-1, six digits, 30-second steps: the parameters Google Authenticator, 1Password and
//! every other authenticator app assume when they scan an `otpauth://` QR code. The code
//! arithmetic is the `totp-rs` crate's; this module adds what a login needs on top:
//! a tolerance of one step of clock skew either way, and replay protection, since a code
//! seen once (over a shoulder, in a phishing proxy) must not open a second session.

use std::fmt;

use qrcode::render::svg;
use qrcode::QrCode;
use rand_core::{OsRng, RngCore};
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per TOTP step (RFC 6238's default, what authenticator apps assume).
pub const TOTP_STEP_SECONDS: u64 = 30;

/// Digits per code.
const DIGITS: usize = 6;

/// Secret length: 160 bits, the HMAC-SHA1 output size RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// Fewest secret bytes accepted when loading one (RFC 4226's minimum of 128 bits).
const MIN_SECRET_BYTES: usize = 16;

/// Why a TOTP secret or its enrolment URL could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TotpError {
    /// A stored secret is not base32, or is shorter than 128 bits.
    InvalidSecret,
    /// The issuer or account name contains `:`, which separates them in the URL label.
    InvalidLabel,
    /// The enrolment URL is too long to fit in a QR code.
    TooLongForQr,
}

impl fmt::Display for TotpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidSecret => {
                "the stored TOTP secret is not valid base32 of at least 128 bits"
            }
            Self::InvalidLabel => "the issuer and account name must not contain ':'",
            Self::TooLongForQr => "the enrolment URL is too long for a QR code",
        })
    }
}

impl std::error::Error for TotpError {}

/// The shared secret behind an owner's authenticator. `Debug` is redacted: whoever reads
/// the secret can mint codes forever.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// A fresh 160-bit secret from the operating system's random number generator.
    pub fn generate() -> Self {
        let mut bytes = vec![0; SECRET_BYTES];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Loads a secret stored with [`TotpSecret::to_base32`].
    pub fn from_base32(encoded: &str) -> Result<Self, TotpError> {
        match Secret::Encoded(encoded.to_owned()).to_bytes() {
            Ok(bytes) if bytes.len() >= MIN_SECRET_BYTES => Ok(Self(bytes)),
            _ => Err(TotpError::InvalidSecret),
        }
    }

    /// The secret as unpadded RFC 4648 base32, the form authenticator apps accept typed
    /// in by hand and the form to store.
    pub fn to_base32(&self) -> String {
        match Secret::Raw(self.0.clone()).to_encoded() {
            Secret::Encoded(encoded) => encoded,
            Secret::Raw(_) => unreachable!("to_encoded always returns Secret::Encoded"),
        }
    }

    fn totp(&self, issuer: Option<&str>, account: &str) -> Result<TOTP, TotpError> {
        TOTP::new(
            Algorithm::SHA1,
            DIGITS,
            // Skew is applied by `verify` step by step, to know which step matched.
            0,
            TOTP_STEP_SECONDS,
            self.0.clone(),
            issuer.map(str::to_owned),
            account.to_owned(),
        )
        .map_err(|error| match error {
            totp_rs::TotpUrlError::Issuer(_) | totp_rs::TotpUrlError::AccountName(_) => {
                TotpError::InvalidLabel
            }
            _ => TotpError::InvalidSecret,
        })
    }

    /// The `otpauth://totp/Issuer:account?secret=…&issuer=Issuer` URL an authenticator
    /// app enrols from, e.g. `("frontdesk · Sunrise Dental", "maria@example.com")`.
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> Result<String, TotpError> {
        Ok(self.totp(Some(issuer), account)?.get_url())
    }

    /// The enrolment URL as a QR code in SVG, rendered here so the secret never goes to
    /// a third-party QR service.
    pub fn qr_svg(&self, issuer: &str, account: &str) -> Result<String, TotpError> {
        let url = self.otpauth_url(issuer, account)?;
        let code = QrCode::new(url.as_bytes()).map_err(|_| TotpError::TooLongForQr)?;
        Ok(code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build())
    }

    /// Checks a code typed at `unix_time`, accepting the current step or one either side
    /// (clocks drift; people type slowly), but never a step at or before
    /// `last_used_step`, so each code logs in once. Returns the step that matched: the
    /// caller stores it as the new `last_used_step`. Spaces in the code are ignored, as
    /// apps show codes as `287 082`.
    pub fn verify(&self, code: &str, unix_time: u64, last_used_step: Option<u64>) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let totp = self.totp(None, "").ok()?;
        let now = unix_time / TOTP_STEP_SECONDS;
        (now.saturating_sub(1)..=now.saturating_add(1))
            .filter(|step| last_used_step.is_none_or(|last| *step > last))
            // `check` compares in constant time.
            .find(|step| totp.check(&code, step * TOTP_STEP_SECONDS))
    }

    /// The code an authenticator app shows at `unix_time`: what a user types, for the
    /// end-to-end tests and tools that sign in as one.
    pub fn code_at(&self, unix_time: u64) -> String {
        self.totp(None, "")
            .map(|totp| totp.generate(unix_time))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret.
    fn rfc_secret() -> TotpSecret {
        TotpSecret(b"12345678901234567890".to_vec())
    }

    #[test]
    fn rfc_6238_sha1_vectors_truncated_to_six_digits() {
        // (time, 8-digit code from RFC 6238 appendix B); six digits are its last six.
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        let secret = rfc_secret();
        for (time, eight) in vectors {
            let six = &eight[2..];
            assert_eq!(
                secret.verify(six, time, None),
                Some(time / 30),
                "T={time} code {six}"
            );
        }
        assert_eq!(secret.verify("287082", 59, None), Some(1));
        assert_eq!(secret.verify("287 082", 59, None), Some(1));
    }

    #[test]
    fn refuses_wrong_and_malformed_codes() {
        let secret = rfc_secret();
        assert_eq!(secret.verify("287083", 59, None), None);
        assert_eq!(secret.verify("94287082", 59, None), None);
        assert_eq!(secret.verify("28708", 59, None), None);
        assert_eq!(secret.verify("28708a", 59, None), None);
        assert_eq!(secret.verify("", 59, None), None);
    }

    #[test]
    fn accepts_one_step_of_skew_and_no_more() {
        let secret = rfc_secret();
        // 287082 is the code of step 1 (seconds 30..60).
        assert_eq!(secret.verify("287082", 30, None), Some(1));
        assert_eq!(secret.verify("287082", 89, None), Some(1)); // one step late
        assert_eq!(secret.verify("287082", 0, None), Some(1)); // one step early
        assert_eq!(secret.verify("287082", 90, None), None); // two steps late
        let step_3 = secret.totp(None, "").unwrap().generate(90);
        assert_eq!(secret.verify(&step_3, 30, None), None); // two steps early
        assert_eq!(secret.verify(&step_3, 60, None), Some(3));
    }

    #[test]
    fn refuses_replays_and_older_steps() {
        let secret = rfc_secret();
        let used = secret.verify("287082", 59, None).unwrap();
        assert_eq!(secret.verify("287082", 59, Some(used)), None);
        assert_eq!(secret.verify("287082", 70, Some(used)), None);
        // A code of an earlier step than the last used one is refused within the window.
        assert_eq!(secret.verify("287082", 60, Some(2)), None);
        // The next step's code is still accepted.
        let next = secret.totp(None, "").unwrap().generate(60);
        assert_eq!(secret.verify(&next, 60, Some(used)), Some(2));
    }

    #[test]
    fn base32_round_trips_and_rejects_bad_secrets() {
        let secret = TotpSecret::generate();
        assert_eq!(secret.0.len(), 20);
        assert_ne!(secret, TotpSecret::generate());
        let encoded = secret.to_base32();
        assert_eq!(encoded.len(), 32);
        assert_eq!(TotpSecret::from_base32(&encoded), Ok(secret));
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_base32("not base32!"),
            Err(TotpError::InvalidSecret)
        );
        // 80 bits: too short.
        assert_eq!(
            TotpSecret::from_base32("GEZDGNBVGY3TQOJQ"),
            Err(TotpError::InvalidSecret)
        );
    }

    #[test]
    fn otpauth_url_names_issuer_and_account() {
        let url = rfc_secret()
            .otpauth_url("frontdesk Sunrise", "maria@example.com")
            .unwrap();
        assert_eq!(
            url,
            "otpauth://totp/frontdesk%20Sunrise:maria%40example.com\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=frontdesk%20Sunrise"
        );
        assert_eq!(
            rfc_secret().otpauth_url("a:b", "maria"),
            Err(TotpError::InvalidLabel)
        );
    }

    #[test]
    fn qr_code_is_a_standalone_svg() {
        let svg = rfc_secret()
            .qr_svg("frontdesk", "maria@example.com")
            .unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        // Nothing fetched from elsewhere: no links, images or CSS urls.
        assert!(!svg.contains("href") && !svg.contains("<image") && !svg.contains("url("));
        let long = "x".repeat(3000);
        assert_eq!(
            rfc_secret().qr_svg("frontdesk", &long),
            Err(TotpError::TooLongForQr)
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(<redacted>)");
    }
}
