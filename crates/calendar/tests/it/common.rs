//! The fake Google and the values the tests share.

use std::sync::Arc;

use frontdesk_calendar::{ClientSecret, GoogleOAuth, GoogleOAuthConfig, CALENDAR_EVENTS_SCOPE};
use reqwest::Url;
use serde_json::json;
use wiremock::{MockServer, Request, ResponseTemplate};

pub const CLIENT_ID: &str = "1234-abc.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "GOCSPX-client-SECRET";
pub const REFRESH: &str = "1//0gREFRESH-SECRET";
pub const REDIRECT: &str = "https://desk.example.com/app/integrations/google/callback";

pub fn oauth(google: &MockServer) -> Arc<GoogleOAuth> {
    let mut config = GoogleOAuthConfig::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET), REDIRECT);
    config.token_url = format!("{}/token", google.uri());
    Arc::new(GoogleOAuth::new(config).unwrap())
}

/// Google's token endpoint answer to a refresh.
pub fn token(access: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access,
        "expires_in": 3599,
        "scope": CALENDAR_EVENTS_SCOPE,
        "token_type": "Bearer",
    }))
}

/// An RFC 6749 error from the token endpoint, as Google words it.
pub fn token_error(status: u16, error: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": error, "error_description": description}))
}

/// Matches a form-encoded body holding every given pair.
pub struct FormHas(pub Vec<(&'static str, String)>);

impl wiremock::Match for FormHas {
    fn matches(&self, request: &Request) -> bool {
        let Ok(body) = std::str::from_utf8(&request.body) else {
            return false;
        };
        let Ok(url) = Url::parse(&format!("http://form/?{body}")) else {
            return false;
        };
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        self.0
            .iter()
            .all(|(k, v)| pairs.iter().any(|(pk, pv)| pk == k && pv == v))
    }
}
