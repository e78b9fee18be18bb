//! Google behind `frontdesk_core::calendar::CalendarConnector`: what the server's connect
//! pages and booking path use, so the server never names Google.

use std::sync::Arc;

use frontdesk_core::calendar::{
    Authorization, Calendar, CalendarConnector, CalendarError, CalendarFuture,
};
use frontdesk_core::clock::Clock;

use crate::google::{GoogleCalendar, GoogleCalendarConfig};
use crate::oauth::{GoogleOAuth, Pkce, PkceVerifier};
use crate::secret::RefreshToken;

/// One registered OAuth client and the Calendar API it reaches (Google's, or a local fake
/// in tests).
#[derive(Debug, Clone)]
pub struct GoogleConnector {
    oauth: Arc<GoogleOAuth>,
    api_base: String,
    clock: Arc<dyn Clock>,
}

impl GoogleConnector {
    pub fn new(
        oauth: Arc<GoogleOAuth>,
        api_base: impl Into<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            oauth,
            api_base: api_base.into(),
            clock,
        }
    }
}

impl CalendarConnector for GoogleConnector {
    fn authorize(&self, state: &str) -> Authorization {
        let pkce = Pkce::generate();
        Authorization {
            url: self.oauth.authorization_url(state, &pkce),
            verifier: pkce.verifier().expose().to_owned(),
        }
    }

    fn exchange<'a>(&'a self, code: &'a str, verifier: &'a str) -> CalendarFuture<'a, String> {
        Box::pin(async move {
            let verifier = PkceVerifier::parse(verifier).ok_or_else(|| {
                CalendarError::Rejected("the stored PKCE verifier is malformed".to_owned())
            })?;
            let grant = self.oauth.exchange_code(code, &verifier).await?;
            Ok(grant.refresh_token.expose().to_owned())
        })
    }

    fn open(
        &self,
        calendar_id: &str,
        refresh_token: &str,
    ) -> Result<Arc<dyn Calendar>, CalendarError> {
        let config = GoogleCalendarConfig {
            api_base: self.api_base.clone(),
            calendar_id: calendar_id.to_owned(),
        };
        let calendar = GoogleCalendar::new(
            config,
            self.oauth.clone(),
            RefreshToken::new(refresh_token),
            self.clock.clone(),
        )?;
        Ok(Arc::new(calendar))
    }
}
