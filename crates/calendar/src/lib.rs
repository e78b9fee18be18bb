//! Google Calendar behind `frontdesk_core::calendar::Calendar`.
//!
//! [`GoogleOAuth`] runs the owner's side of OAuth 2.0 (authorization code with PKCE, for
//! the single `calendar.events` scope privacy policy 7a promises) and refreshes access
//! tokens; [`GoogleCalendar`] reads busy times and writes the events frontdesk books.
//! Storing the refresh token (encrypted at rest) and the dashboard's connect and
//! disconnect pages belong to the server; this crate only speaks to Google.
//!
//! Tokens never leave request headers and form bodies: their types print as
//! `[redacted]`, and Google's error text is scrubbed of them before it becomes a
//! `CalendarError`.
#![forbid(unsafe_code)]

mod connector;
mod google;
mod http;
mod oauth;
mod secret;

pub use connector::GoogleConnector;
pub use google::{GoogleCalendar, GoogleCalendarConfig, DEFAULT_API_BASE, MARK_PROPERTY};
pub use oauth::{
    AccessGrant, GoogleOAuth, GoogleOAuthConfig, Grant, Pkce, PkceVerifier, CALENDAR_EVENTS_SCOPE,
};
pub use secret::{AccessToken, ClientSecret, RefreshToken};
