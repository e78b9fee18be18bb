//! Google Calendar API v3 behind the `Calendar` port.

use std::fmt;
use std::sync::Arc;

use frontdesk_core::calendar::{
    BookingEvent, Busy, Calendar, CalendarError, CalendarFuture, EventId,
};
use frontdesk_core::clock::Clock;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http;
use crate::oauth::GoogleOAuth;
use crate::secret::{AccessToken, RefreshToken};

/// Google's public Calendar API.
pub const DEFAULT_API_BASE: &str = "https://www.googleapis.com/calendar/v3";

/// The private extended property (`extendedProperties.private`) marking an event as
/// frontdesk's, with the value `"1"`. Private properties are visible only to our OAuth
/// client, so neither attendees nor other apps see or copy the mark, and it survives the
/// owner editing the event's text.
pub const MARK_PROPERTY: &str = "frontdesk";
const MARK_VALUE: &str = "1";
/// The private property holding our booking reference.
const REFERENCE_PROPERTY: &str = "frontdeskBooking";

/// A cached access token is replaced this long before Google says it expires, so a
/// request never leaves with a token that dies on the way.
const EXPIRY_MARGIN: SignedDuration = SignedDuration::from_secs(60);

/// `events.list` returns this many at most per page (Google's own default is 250).
const PAGE_SIZE: &str = "250";
/// Pages read for one availability question before giving up: 40 × 250 events in the
/// asked window is not a calendar someone books appointments in, and the loop must end
/// even if Google kept handing out page tokens.
const MAX_PAGES: usize = 40;

/// Only what availability needs (privacy policy 7a): no summary, description, attendees
/// or location ever comes back from Google, so none can be logged or kept.
const LIST_FIELDS: &str = "timeZone,nextPageToken,items(start,end,transparency,status)";
/// What deciding whether an event is ours needs; `etag` makes the change that follows
/// conditional, so the event cannot become someone else's between the check and it.
const CHECK_FIELDS: &str = "etag,status,extendedProperties/private";

/// Which calendar of the owner's account to use.
#[derive(Debug, Clone)]
pub struct GoogleCalendarConfig {
    /// `https://www.googleapis.com/calendar/v3` by default; a local fake in tests.
    pub api_base: String,
    /// `primary`, or a calendar's id (often an email address) chosen by the owner.
    pub calendar_id: String,
}

impl GoogleCalendarConfig {
    /// A calendar on Google's public API.
    pub fn new(calendar_id: impl Into<String>) -> Self {
        Self {
            api_base: DEFAULT_API_BASE.to_owned(),
            calendar_id: calendar_id.into(),
        }
    }
}

/// An access token and when to stop using it.
struct Cached {
    token: AccessToken,
    renew_at: Timestamp,
}

/// The connection's credentials. One lock, held across a refresh, so concurrent calls
/// after expiry refresh once rather than once each.
struct Tokens {
    refresh: RefreshToken,
    access: Option<Cached>,
}

/// One owner's Google calendar, reached with the refresh token of their connection.
pub struct GoogleCalendar {
    oauth: Arc<GoogleOAuth>,
    http: reqwest::Client,
    /// `{api_base}/calendars/{calendar_id}/events`, the id path-encoded.
    events_url: Url,
    clock: Arc<dyn Clock>,
    tokens: tokio::sync::Mutex<Tokens>,
}

impl fmt::Debug for GoogleCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleCalendar")
            .field("events_url", &self.events_url.as_str())
            .finish_non_exhaustive()
    }
}

/// Google's error body: `{"error": {"code", "message", "errors": [{"reason"}]}}`.
#[derive(Deserialize)]
struct ApiErrorBody {
    error: ApiError,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ApiErrorItem>,
}

#[derive(Deserialize)]
struct ApiErrorItem {
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct EventList {
    #[serde(rename = "timeZone")]
    time_zone: Option<String>,
    #[serde(rename = "nextPageToken")]
    next_page_token: Option<String>,
    #[serde(default)]
    items: Vec<ListedEvent>,
}

#[derive(Deserialize)]
struct ListedEvent {
    start: Option<EventTime>,
    end: Option<EventTime>,
    transparency: Option<String>,
    status: Option<String>,
}

/// `dateTime` (RFC 3339 with an offset) for timed events, `date` for all-day ones.
#[derive(Deserialize)]
struct EventTime {
    #[serde(rename = "dateTime")]
    date_time: Option<String>,
    date: Option<String>,
}

#[derive(Deserialize)]
struct CreatedEvent {
    id: String,
}

#[derive(Deserialize)]
struct CheckedEvent {
    etag: Option<String>,
    status: Option<String>,
    #[serde(rename = "extendedProperties")]
    extended_properties: Option<ExtendedProperties>,
}

#[derive(Deserialize)]
struct ExtendedProperties {
    #[serde(default)]
    private: serde_json::Map<String, Value>,
}

/// What the check before a change found.
enum Ownership {
    /// Ours and live; the etag to make the change conditional on.
    Ours { etag: Option<String> },
    /// Ours but already deleted (Google keeps deleted events as `cancelled`).
    Cancelled,
}

impl GoogleCalendar {
    /// Fails only on an `api_base` that is not an absolute http(s) URL.
    pub fn new(
        config: GoogleCalendarConfig,
        oauth: Arc<GoogleOAuth>,
        refresh_token: RefreshToken,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, CalendarError> {
        let bad = || CalendarError::Rejected(format!("bad calendar API URL: {}", config.api_base));
        let mut events_url = Url::parse(&config.api_base).map_err(|_| bad())?;
        if !matches!(events_url.scheme(), "http" | "https") {
            return Err(bad());
        }
        events_url
            .path_segments_mut()
            .map_err(|_| bad())?
            .pop_if_empty()
            .extend(["calendars", &config.calendar_id, "events"]);
        Ok(Self {
            http: oauth.http().clone(),
            oauth,
            events_url,
            clock,
            tokens: tokio::sync::Mutex::new(Tokens {
                refresh: refresh_token,
                access: None,
            }),
        })
    }

    /// The refresh token in use. Google may replace it when refreshing; the server
    /// compares this with the stored one after calls and saves it if it changed.
    pub async fn refresh_token(&self) -> RefreshToken {
        self.tokens.lock().await.refresh.clone()
    }

    /// The cached access token, or a fresh one once the cached one is near expiry.
    async fn access_token(&self) -> Result<AccessToken, CalendarError> {
        let mut tokens = self.tokens.lock().await;
        let now = self.clock.now();
        if let Some(cached) = tokens.access.as_ref().filter(|c| now < c.renew_at) {
            return Ok(cached.token.clone());
        }
        let grant = self.oauth.refresh(&tokens.refresh).await?;
        tracing::debug!("refreshed the Google access token");
        let lifetime = SignedDuration::try_from(grant.expires_in).unwrap_or(SignedDuration::MAX);
        let renew_at = now
            .checked_add(lifetime.saturating_sub(EXPIRY_MARGIN))
            .unwrap_or(Timestamp::MAX);
        if let Some(rotated) = grant.refresh_token {
            tokens.refresh = rotated;
        }
        tokens.access = Some(Cached {
            token: grant.access_token.clone(),
            renew_at,
        });
        Ok(grant.access_token)
    }

    /// Forgets `token` if it is still the cached one (another call may have replaced it).
    async fn forget(&self, token: &AccessToken) {
        let mut tokens = self.tokens.lock().await;
        if tokens.access.as_ref().is_some_and(|c| c.token == *token) {
            tokens.access = None;
        }
    }

    /// Sends the request built by `request` with a bearer token. A 401 means Google no
    /// longer takes the token (revoked sessions, clock skew), so the token is refreshed and
    /// the request sent once more; a second 401 is an error, not a loop. Any error status
    /// becomes a `CalendarError`.
    async fn send(&self, request: impl Fn() -> RequestBuilder) -> Result<Response, CalendarError> {
        let token = self.access_token().await?;
        let mut response = self.send_with(&request, &token).await?;
        let mut used = token;
        if response.status() == StatusCode::UNAUTHORIZED {
            self.forget(&used).await;
            used = self.access_token().await?;
            response = self.send_with(&request, &used).await?;
        }
        if response.status().is_success() {
            return Ok(response);
        }
        Err(api_error(response, &used).await)
    }

    async fn send_with(
        &self,
        request: &impl Fn() -> RequestBuilder,
        token: &AccessToken,
    ) -> Result<Response, CalendarError> {
        request()
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(http::transport_error)
    }

    fn event_url(&self, id: &EventId) -> Url {
        let mut url = self.events_url.clone();
        url.path_segments_mut()
            .expect("checked to be a base URL in new")
            .push(id.as_str());
        url
    }

    async fn list_busy(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Busy>, CalendarError> {
        let (time_min, time_max) = (from.to_string(), to.to_string());
        let mut busy = Vec::new();
        let mut page_token: Option<String> = None;
        let mut zone: Option<TimeZone> = None;
        for _ in 0..MAX_PAGES {
            let response = self
                .send(|| {
                    let mut query = vec![
                        ("timeMin", time_min.as_str()),
                        ("timeMax", time_max.as_str()),
                        ("singleEvents", "true"),
                        ("orderBy", "startTime"),
                        ("maxResults", PAGE_SIZE),
                        ("fields", LIST_FIELDS),
                    ];
                    if let Some(page) = &page_token {
                        query.push(("pageToken", page));
                    }
                    self.http.get(self.events_url.clone()).query(&query)
                })
                .await?;
            let page: EventList = read_json(response).await?;
            // All-day events are days in the calendar's own zone; UTC if Google names
            // none (or one jiff does not know).
            let zone = zone.get_or_insert_with(|| {
                page.time_zone
                    .as_deref()
                    .and_then(|name| TimeZone::get(name).ok())
                    .unwrap_or(TimeZone::UTC)
            });
            for event in &page.items {
                if event.status.as_deref() == Some("cancelled")
                    || event.transparency.as_deref() == Some("transparent")
                {
                    continue;
                }
                busy.push(busy_interval(event, zone)?);
            }
            match page.next_page_token {
                Some(next) => page_token = Some(next),
                None => {
                    busy.sort_by_key(|b| (b.start, b.end));
                    return Ok(busy);
                }
            }
        }
        Err(CalendarError::Rejected(format!(
            "more than {MAX_PAGES} pages of events in the asked window"
        )))
    }

    async fn insert(&self, event: &BookingEvent) -> Result<EventId, CalendarError> {
        let body = event_body(event);
        let response = self
            .send(|| {
                self.http
                    .post(self.events_url.clone())
                    .query(&[("fields", "id")])
                    .json(&body)
            })
            .await?;
        let created: CreatedEvent = read_json(response).await?;
        Ok(EventId::new(created.id))
    }

    /// Reads just enough of the event to know whether frontdesk created it.
    async fn ownership(&self, id: &EventId) -> Result<Ownership, CalendarError> {
        let url = self.event_url(id);
        let response = self
            .send(|| {
                self.http
                    .get(url.clone())
                    .query(&[("fields", CHECK_FIELDS)])
            })
            .await?;
        let event: CheckedEvent = read_json(response).await?;
        let ours = event
            .extended_properties
            .as_ref()
            .and_then(|p| p.private.get(MARK_PROPERTY))
            .is_some_and(|v| v.as_str() == Some(MARK_VALUE));
        if !ours {
            tracing::warn!("refused to change a calendar event frontdesk did not create");
            return Err(CalendarError::NotOurs);
        }
        if event.status.as_deref() == Some("cancelled") {
            return Ok(Ownership::Cancelled);
        }
        Ok(Ownership::Ours { etag: event.etag })
    }

    async fn patch(&self, id: &EventId, event: &BookingEvent) -> Result<(), CalendarError> {
        let etag = match self.ownership(id).await? {
            Ownership::Ours { etag } => etag,
            Ownership::Cancelled => return Err(CalendarError::NotFound),
        };
        let url = self.event_url(id);
        let body = event_body(event);
        self.send(|| {
            if_match(
                self.http
                    .patch(url.clone())
                    .query(&[("fields", "id")])
                    .json(&body),
                etag.as_deref(),
            )
        })
        .await?;
        Ok(())
    }

    async fn remove(&self, id: &EventId) -> Result<(), CalendarError> {
        let etag = match self.ownership(id).await {
            Ok(Ownership::Ours { etag }) => etag,
            Ok(Ownership::Cancelled) | Err(CalendarError::NotFound) => return Ok(()),
            Err(e) => return Err(e),
        };
        let url = self.event_url(id);
        match self
            .send(|| if_match(self.http.delete(url.clone()), etag.as_deref()))
            .await
        {
            Ok(_) | Err(CalendarError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

impl Calendar for GoogleCalendar {
    fn busy(&self, from: Timestamp, to: Timestamp) -> CalendarFuture<'_, Vec<Busy>> {
        Box::pin(self.list_busy(from, to))
    }

    fn create<'a>(&'a self, event: &'a BookingEvent) -> CalendarFuture<'a, EventId> {
        Box::pin(self.insert(event))
    }

    fn update<'a>(&'a self, id: &'a EventId, event: &'a BookingEvent) -> CalendarFuture<'a, ()> {
        Box::pin(self.patch(id, event))
    }

    fn delete<'a>(&'a self, id: &'a EventId) -> CalendarFuture<'a, ()> {
        Box::pin(self.remove(id))
    }
}

/// The event as frontdesk writes it: the service and the visitor's name, contact and
/// booking reference (what privacy policy 7a names), times in UTC (Google shows them in
/// the owner's zone), and the private mark. No attendees: adding the visitor as one
/// would have Google email them, which the policy does not say we do.
fn event_body(event: &BookingEvent) -> Value {
    json!({
        "summary": format!("{} – {}", event.service(), event.visitor_name()),
        "description": format!(
            "Booked through frontdesk.\nService: {}\nVisitor: {}\nContact: {}\nReference: {}",
            event.service(),
            event.visitor_name(),
            event.visitor_contact(),
            event.reference(),
        ),
        "start": { "dateTime": event.start().to_string() },
        "end": { "dateTime": event.end().to_string() },
        "extendedProperties": {
            "private": {
                MARK_PROPERTY: MARK_VALUE,
                REFERENCE_PROPERTY: event.reference().as_str(),
            }
        },
    })
}

fn if_match(request: RequestBuilder, etag: Option<&str>) -> RequestBuilder {
    match etag {
        Some(etag) => request.header(reqwest::header::IF_MATCH, etag),
        None => request,
    }
}

/// A listed event's interval. An event whose times cannot be read is an error rather
/// than skipped: skipping it could offer a visitor a slot the owner is busy in.
fn busy_interval(event: &ListedEvent, zone: &TimeZone) -> Result<Busy, CalendarError> {
    let instant = |time: Option<&EventTime>| {
        let time = time?;
        if let Some(date_time) = &time.date_time {
            return date_time.parse::<Timestamp>().ok();
        }
        let date: jiff::civil::Date = time.date.as_deref()?.parse().ok()?;
        date.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
    };
    match (instant(event.start.as_ref()), instant(event.end.as_ref())) {
        (Some(start), Some(end)) if start <= end => Ok(Busy { start, end }),
        _ => Err(CalendarError::Rejected(
            "Google listed an event with unreadable times".to_owned(),
        )),
    }
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, CalendarError> {
    let bytes = response.bytes().await.map_err(http::transport_error)?;
    serde_json::from_slice(&bytes)
        .map_err(|_| CalendarError::Rejected("Google's answer was not the expected JSON".into()))
}

/// Maps the Calendar API's error statuses onto the port. Google signals rate limits both
/// as 429 and as 403 with reason `rateLimitExceeded` / `userRateLimitExceeded`; a 403
/// for any other reason (no write access to the calendar, daily quota) will not pass by
/// waiting a moment. 412 means the event changed after the ownership check: worth
/// trying again, so `Unavailable`.
async fn api_error(response: Response, token: &AccessToken) -> CalendarError {
    let status = response.status();
    let retry_after = http::retry_after(response.headers());
    let text = response.text().await.unwrap_or_default();
    let parsed = serde_json::from_str::<ApiErrorBody>(&text).ok();
    let reasons: Vec<&str> = parsed
        .iter()
        .flat_map(|b| b.error.errors.iter().map(|e| e.reason.as_str()))
        .collect();
    let message = match &parsed {
        Some(body) if !body.error.message.is_empty() => body.error.message.as_str(),
        _ => status.canonical_reason().unwrap_or("no message"),
    };
    let message = http::scrub(message, &[token.expose()]);
    let rate_limited = reasons
        .iter()
        .any(|r| matches!(*r, "rateLimitExceeded" | "userRateLimitExceeded"));
    match status.as_u16() {
        429 => CalendarError::RateLimited { retry_after },
        403 if rate_limited => CalendarError::RateLimited { retry_after },
        404 | 410 => CalendarError::NotFound,
        412 => CalendarError::Unavailable(format!("the event changed meanwhile: {message}")),
        500..=599 => CalendarError::Unavailable(format!("{}: {message}", status.as_u16())),
        code => CalendarError::Rejected(format!("{code}: {message}")),
    }
}
