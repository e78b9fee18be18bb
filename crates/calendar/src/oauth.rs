//! OAuth 2.0 with Google: the authorization-code flow with PKCE (RFC 7636) for the one
//! scope we need, and refreshing access tokens.

use std::fmt;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use frontdesk_core::calendar::CalendarError;
use rand_core::{OsRng, RngCore};
use reqwest::Url;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::http;
use crate::secret::{AccessToken, ClientSecret, RefreshToken};

/// The only scope we ask for (privacy policy 7a): read and write events, nothing of the
/// calendar's settings, sharing or other Google services.
pub const CALENDAR_EVENTS_SCOPE: &str = "https://www.googleapis.com/auth/calendar.events";

/// Where the owner consents.
const DEFAULT_AUTH_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Where codes and refresh tokens become access tokens.
const DEFAULT_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// The OAuth client registered in Google Cloud Console, and Google's endpoints (replaced
/// by a local fake in tests).
#[derive(Debug, Clone)]
pub struct GoogleOAuthConfig {
    pub client_id: String,
    pub client_secret: ClientSecret,
    /// The dashboard's callback, exactly as registered with Google.
    pub redirect_uri: String,
    pub auth_url: String,
    pub token_url: String,
}

impl GoogleOAuthConfig {
    /// Google's public endpoints.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: ClientSecret,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            redirect_uri: redirect_uri.into(),
            auth_url: DEFAULT_AUTH_URL.to_owned(),
            token_url: DEFAULT_TOKEN_URL.to_owned(),
        }
    }
}

/// A PKCE code verifier (RFC 7636 §4.1): kept by the server between sending the owner to
/// Google and the callback, then sent with the code. Only its hash travels in the URL,
/// so an intercepted code is useless without it.
#[derive(Clone, PartialEq, Eq)]
pub struct PkceVerifier(String);

impl PkceVerifier {
    /// `None` unless 43–128 characters of the unreserved set `A-Z a-z 0-9 - . _ ~`, as the
    /// RFC requires (for a verifier restored from the server's session storage).
    pub fn parse(verifier: &str) -> Option<Self> {
        let ok = (43..=128).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        ok.then(|| Self(verifier.to_owned()))
    }

    /// The verifier itself, for the token request and the server's session storage.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `BASE64URL(SHA256(verifier))` without padding: the S256 challenge.
    fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

/// A verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    verifier: PkceVerifier,
    challenge: String,
}

impl Pkce {
    /// A fresh verifier: 32 bytes from the OS, base64url-encoded to 43 characters (256
    /// bits, the RFC's recommendation).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self::from_verifier(PkceVerifier(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The pair for a known verifier.
    pub fn from_verifier(verifier: PkceVerifier) -> Self {
        let challenge = verifier.challenge();
        Self {
            verifier,
            challenge,
        }
    }

    pub fn verifier(&self) -> &PkceVerifier {
        &self.verifier
    }

    /// Goes in the authorization URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// What connecting a calendar yields: the refresh token to store (encrypted) for the
/// business, and a first access token.
#[derive(Debug, Clone)]
pub struct Grant {
    pub refresh_token: RefreshToken,
    pub access_token: AccessToken,
    pub expires_in: Duration,
    /// Space-separated scopes granted; always includes [`CALENDAR_EVENTS_SCOPE`].
    pub scope: String,
}

/// A refreshed access token.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub access_token: AccessToken,
    pub expires_in: Duration,
    pub scope: String,
    /// Google may issue a new refresh token; it then replaces the stored one.
    pub refresh_token: Option<RefreshToken>,
}

/// Google's token endpoint answer (success).
#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    expires_in: u64,
    refresh_token: Option<String>,
    #[serde(default)]
    scope: String,
}

/// Google's token endpoint answer (failure), RFC 6749 §5.2.
#[derive(Deserialize)]
struct TokenErrorBody {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// Which token request failed: `invalid_grant` means different things for each.
#[derive(Clone, Copy)]
enum TokenCall {
    Exchange,
    Refresh,
}

/// Talks to Google's OAuth endpoints for one registered client.
#[derive(Debug)]
pub struct GoogleOAuth {
    config: GoogleOAuthConfig,
    auth_url: Url,
    http: reqwest::Client,
}

impl GoogleOAuth {
    /// Fails if an endpoint is not an absolute URL or the TLS stack cannot start.
    pub fn new(config: GoogleOAuthConfig) -> Result<Self, CalendarError> {
        let auth_url = Url::parse(&config.auth_url)
            .map_err(|e| CalendarError::Rejected(format!("bad authorization URL: {e}")))?;
        Url::parse(&config.token_url)
            .map_err(|e| CalendarError::Rejected(format!("bad token URL: {e}")))?;
        Ok(Self {
            config,
            auth_url,
            http: http::build_client()?,
        })
    }

    /// The HTTP client, shared with the calendars connected through this OAuth client.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Where to send the owner to consent. `state` is the server's CSRF value for the
    /// callback. `access_type=offline` gets a refresh token, so bookings work while the
    /// owner is away; `prompt=consent` makes Google issue one even on a reconnect.
    /// `include_granted_scopes` is left out on purpose: a grant must not grow beyond the
    /// one scope.
    pub fn authorization_url(&self, state: &str, pkce: &Pkce) -> String {
        let mut url = self.auth_url.clone();
        url.query_pairs_mut()
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", CALENDAR_EVENTS_SCOPE)
            .append_pair("access_type", "offline")
            .append_pair("prompt", "consent")
            .append_pair("state", state)
            .append_pair("code_challenge", pkce.challenge())
            .append_pair("code_challenge_method", "S256");
        url.into()
    }

    /// Trades the callback's `code` for tokens. Google's consent screen lets the owner
    /// untick the calendar permission, so a grant without [`CALENDAR_EVENTS_SCOPE`] (or
    /// without a refresh token) is `Rejected` rather than stored as a connection that
    /// cannot work. A used or expired code is `Rejected` too, not `GrantRevoked`: there is
    /// no connection yet to remove.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &PkceVerifier,
    ) -> Result<Grant, CalendarError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier.expose()),
            ("redirect_uri", &self.config.redirect_uri),
            ("client_id", &self.config.client_id),
            ("client_secret", self.config.client_secret.expose()),
        ];
        let body = self
            .token_request(&form, &[code, verifier.expose()], TokenCall::Exchange)
            .await?;
        if !body.scope.split(' ').any(|s| s == CALENDAR_EVENTS_SCOPE) {
            return Err(CalendarError::Rejected(
                "the owner did not allow access to calendar events".to_owned(),
            ));
        }
        let refresh_token = body
            .refresh_token
            .ok_or_else(|| CalendarError::Rejected("Google issued no refresh token".to_owned()))?;
        Ok(Grant {
            refresh_token: RefreshToken::new(refresh_token),
            access_token: AccessToken::new(body.access_token),
            expires_in: Duration::from_secs(body.expires_in),
            scope: body.scope,
        })
    }

    /// A new access token. `invalid_grant` here means the owner revoked access (or Google
    /// expired the token for good), hence [`CalendarError::GrantRevoked`].
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
    ) -> Result<AccessGrant, CalendarError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", &self.config.client_id),
            ("client_secret", self.config.client_secret.expose()),
        ];
        let body = self
            .token_request(&form, &[refresh_token.expose()], TokenCall::Refresh)
            .await?;
        Ok(AccessGrant {
            access_token: AccessToken::new(body.access_token),
            expires_in: Duration::from_secs(body.expires_in),
            scope: body.scope,
            refresh_token: body.refresh_token.map(RefreshToken::new),
        })
    }

    async fn token_request(
        &self,
        form: &[(&str, &str)],
        secrets: &[&str],
        call: TokenCall,
    ) -> Result<TokenBody, CalendarError> {
        let response = self
            .http
            .post(&self.config.token_url)
            .form(form)
            .send()
            .await
            .map_err(http::transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(http::transport_error)?;
        let mut secrets = secrets.to_vec();
        secrets.push(self.config.client_secret.expose());
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|_| {
                CalendarError::Rejected("Google's token endpoint answered unreadably".to_owned())
            });
        }
        let error = serde_json::from_str::<TokenErrorBody>(&text).ok();
        let message = match &error {
            Some(e) if e.error_description.is_empty() => http::scrub(&e.error, &secrets),
            Some(e) => http::scrub(&format!("{}: {}", e.error, e.error_description), &secrets),
            None => http::scrub(&text, &secrets),
        };
        let invalid_grant = error.as_ref().is_some_and(|e| e.error == "invalid_grant");
        Err(match (status.as_u16(), call) {
            (400, TokenCall::Refresh) if invalid_grant => {
                tracing::warn!("Google refused the refresh token: access was revoked");
                CalendarError::GrantRevoked
            }
            (429, _) => CalendarError::RateLimited {
                retry_after: http::retry_after(&headers),
            },
            (500..=599, _) => CalendarError::Unavailable(message),
            _ => CalendarError::Rejected(message),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifiers_follow_the_rfc() {
        assert!(PkceVerifier::parse(&"a".repeat(42)).is_none());
        assert!(PkceVerifier::parse(&"a".repeat(129)).is_none());
        assert!(PkceVerifier::parse(&format!("{}+", "a".repeat(42))).is_none());
        assert!(PkceVerifier::parse(&format!("{}~._-", "a".repeat(40))).is_some());
        let pkce = Pkce::generate();
        let verifier = pkce.verifier().expose();
        assert_eq!(verifier.len(), 43);
        assert!(PkceVerifier::parse(verifier).is_some());
        assert_ne!(verifier, Pkce::generate().verifier().expose());
        assert!(!format!("{pkce:?}").contains(verifier));
    }
}
