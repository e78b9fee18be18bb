//! `serve`'s Google Calendar settings: the OAuth client registered in Google Cloud
//! Console, turned into the server's calendar connector.

use std::sync::Arc;

use clap::Args;
use frontdesk_calendar::{
    ClientSecret, GoogleConnector, GoogleOAuth, GoogleOAuthConfig, DEFAULT_API_BASE,
};
use frontdesk_core::calendar::CalendarConnector;
use frontdesk_core::clock::Clock;

/// The client secret comes only from the environment, never a flag, so it stays out of
/// process listings and shell history.
const CLIENT_SECRET_ENV: &str = "FRONTDESK_GOOGLE_CLIENT_SECRET";

#[derive(Debug, Args)]
pub struct GoogleArgs {
    /// OAuth client id (Google Cloud Console, "Web application"); enables Settings →
    /// Integrations → Google Calendar. The secret goes in FRONTDESK_GOOGLE_CLIENT_SECRET.
    #[arg(long, env = "FRONTDESK_GOOGLE_CLIENT_ID")]
    google_client_id: Option<String>,
    /// The callback registered with Google; default {public-url}/app/settings/google/callback.
    #[arg(long, env = "FRONTDESK_GOOGLE_REDIRECT_URL")]
    google_redirect_url: Option<String>,
    /// Google's consent page (a local fake in tests).
    #[arg(
        long,
        env = "FRONTDESK_GOOGLE_AUTH_URL",
        default_value = "https://accounts.google.com/o/oauth2/v2/auth"
    )]
    google_auth_url: String,
    /// Google's token endpoint.
    #[arg(
        long,
        env = "FRONTDESK_GOOGLE_TOKEN_URL",
        default_value = "https://oauth2.googleapis.com/token"
    )]
    google_token_url: String,
    /// The Calendar API root.
    #[arg(long, env = "FRONTDESK_GOOGLE_API_BASE", default_value = DEFAULT_API_BASE)]
    google_api_base: String,
}

/// The connector for `serve`, or `None` when no client id is configured (calendars are
/// then simply not offered). A half-configured client is an error, not a silent skip.
pub fn connector(
    args: &GoogleArgs,
    public_url: Option<&str>,
    clock: Arc<dyn Clock>,
) -> Result<Option<Arc<dyn CalendarConnector>>, String> {
    let Some(client_id) = args.google_client_id.clone() else {
        return Ok(None);
    };
    let secret = std::env::var(CLIENT_SECRET_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| format!("--google-client-id is set but {CLIENT_SECRET_ENV} is not"))?;
    let redirect =
        match (&args.google_redirect_url, public_url) {
            (Some(url), _) => url.clone(),
            (None, Some(public)) => format!(
                "{}/app/settings/google/callback",
                public.trim_end_matches('/')
            ),
            (None, None) => return Err(
                "Google Calendar needs --public-url (or --google-redirect-url) for its callback"
                    .to_owned(),
            ),
        };
    let mut config = GoogleOAuthConfig::new(client_id, ClientSecret::new(secret), redirect);
    config.auth_url = args.google_auth_url.clone();
    config.token_url = args.google_token_url.clone();
    let oauth = GoogleOAuth::new(config).map_err(|e| format!("Google OAuth: {e}"))?;
    Ok(Some(Arc::new(GoogleConnector::new(
        Arc::new(oauth),
        args.google_api_base.clone(),
        clock,
    ))))
}
