//! The fake Google and the values the tests share.

use std::sync::Arc;

use frontdesk_calendar::{
    ClientSecret, GoogleCalendar, GoogleCalendarConfig, GoogleOAuth, GoogleOAuthConfig,
    RefreshToken, CALENDAR_EVENTS_SCOPE,
};
use frontdesk_core::calendar::{BookingEvent, BookingReference};
use frontdesk_core::clock::ManualClock;
use jiff::Timestamp;
use reqwest::Url;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const CLIENT_ID: &str = "1234-abc.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "GOCSPX-client-SECRET";
pub const REFRESH: &str = "1//0gREFRESH-SECRET";
pub const REDIRECT: &str = "https://desk.example.com/app/integrations/google/callback";
/// The fake's Calendar API root and the primary calendar's events collection.
pub const API: &str = "/calendar/v3";
pub const EVENTS: &str = "/calendar/v3/calendars/primary/events";

pub fn oauth(google: &MockServer) -> Arc<GoogleOAuth> {
    let mut config = GoogleOAuthConfig::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET), REDIRECT);
    config.token_url = format!("{}/token", google.uri());
    Arc::new(GoogleOAuth::new(config).unwrap())
}

pub fn start() -> Timestamp {
    "2025-03-10T14:00:00Z".parse().unwrap()
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(start()))
}

pub fn calendar_with(
    google: &MockServer,
    calendar_id: &str,
    clock: Arc<ManualClock>,
) -> GoogleCalendar {
    let config = GoogleCalendarConfig {
        api_base: format!("{}{API}", google.uri()),
        calendar_id: calendar_id.to_owned(),
    };
    GoogleCalendar::new(config, oauth(google), RefreshToken::new(REFRESH), clock).unwrap()
}

pub fn calendar(google: &MockServer) -> GoogleCalendar {
    calendar_with(google, "primary", clock())
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

/// Google's token endpoint answering every refresh with `access`.
pub async fn mount_token(google: &MockServer, access: &str) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token(access))
        .mount(google)
        .await;
}

/// An RFC 6749 error from the token endpoint, as Google words it.
pub fn token_error(status: u16, error: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": error, "error_description": description}))
}

/// A Calendar API error body (`{"error": {"errors": [...], "code", "message"}}`).
pub fn api_error(status: u16, domain: &str, reason: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }))
}

pub fn booking() -> BookingEvent {
    BookingEvent::new(
        BookingReference::parse("bk_01J9Z").unwrap(),
        "Teeth cleaning",
        "2025-03-12T15:00:00Z".parse().unwrap(),
        "2025-03-12T15:45:00Z".parse().unwrap(),
        "Ana Gómez",
        "+1 555 0100",
    )
    .unwrap()
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
