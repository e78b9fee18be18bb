//! `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the account's auth token, over
//! the full URL Twilio requested followed by every POST parameter, sorted by name, as
//! name and value concatenated.
//! <https://www.twilio.com/docs/usage/webhooks/webhooks-security>

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The header Twilio puts the signature in.
pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(url.as_bytes());
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Stable, so repeated names keep the order they were sent in, as Twilio signs them.
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// The signature Twilio would send for a POST of `params` to `url`.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Whether `signature` is Twilio's for this request; compared in constant time, so a
/// forger learns nothing from how long a refusal takes.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let Ok(claimed) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    mac(auth_token, url, params).verify_slice(&claimed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published_params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    #[test]
    fn matches_twilios_published_example() {
        assert_eq!(
            sign("12345", URL, &published_params()),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
        assert!(verify(
            "12345",
            URL,
            &published_params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn parameter_order_on_the_wire_does_not_matter() {
        let mut reversed = published_params();
        reversed.reverse();
        assert!(verify(
            "12345",
            URL,
            &reversed,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        let mut changed = published_params();
        changed[2].1 = "1235".into();
        assert!(!verify("12345", URL, &changed, signature));
        assert!(!verify("54321", URL, &published_params(), signature));
        let other_url = "https://mycompany.com/myapp.php?foo=1&bar=3";
        assert!(!verify("12345", other_url, &published_params(), signature));
        assert!(!verify("12345", URL, &published_params(), "not base64!"));
        assert!(!verify("12345", URL, &published_params(), ""));
    }
}
