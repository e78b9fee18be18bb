//! Who is asking: the session cookie, CSRF checks, and the client's address.
//!
//! A session is a server-side record found by the SHA-256 of a random cookie token, so
//! it can be revoked at once. The cookie is HttpOnly and SameSite=Lax (Secure when the
//! dashboard is served over HTTPS). Every state-changing request carries a CSRF token:
//! the session's own for signed-in forms, a double-submit cookie before sign-in; and a
//! cross-origin `Origin` header is refused outright.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use frontdesk_core::accounts::{constant_time_eq, token_hash, IssuedToken, Permission};
use frontdesk_store::{SessionRecord, StoredBusiness, UserRecord};
use jiff::{SignedDuration, Timestamp};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::PageError;
use crate::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "fd_session";
/// The double-submit CSRF cookie of the sign-in, sign-up and reset forms.
pub const PRE_SESSION_CSRF_COOKIE: &str = "fd_csrf";
/// The header `fetch` callers put the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long sessions live: idle (since the last request) and absolute (since sign-in).
#[derive(Debug, Clone, Copy)]
pub struct SessionLifetimes {
    pub idle: SignedDuration,
    pub absolute: SignedDuration,
    /// Between the password and the second factor.
    pub second_factor: SignedDuration,
}

impl Default for SessionLifetimes {
    fn default() -> Self {
        Self {
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(12),
            second_factor: SignedDuration::from_mins(10),
        }
    }
}

/// Where a request came from, for audit events and rate limits.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The browser says another site started this request (`Sec-Fetch-Site`).
    pub cross_site: bool,
}

impl FromRequestParts<AppState> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let ip = client_ip(peer, &parts.headers, state.dashboard.trusted_proxy_hops);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(256).collect());
        let cross_site = parts
            .headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site");
        Ok(Self {
            ip,
            user_agent,
            cross_site,
        })
    }
}

/// The client's address: the socket peer, or — behind `hops` trusted proxies — the
/// address the outermost trusted proxy saw, read from the right of `X-Forwarded-For`
/// (entries further left are whatever the client claimed, and are ignored).
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    if hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    match forwarded.len().checked_sub(hops) {
        Some(index) => forwarded[index].parse().ok().or(peer),
        None => forwarded.first().and_then(|v| v.parse().ok()).or(peer),
    }
}

/// A signed-in team member, with their business. Extracting it checks the cookie, that
/// the session is live (not revoked, idle or past its absolute lifetime) and complete
/// (past the second factor), and restarts the idle clock.
#[derive(Debug, Clone)]
pub struct Member {
    pub session: SessionRecord,
    pub business: StoredBusiness,
    pub context: RequestContext,
}

impl Member {
    pub fn user(&self) -> &UserRecord {
        &self.session.user
    }

    /// Refuses with 403 unless the member's role holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), PageError> {
        if self.user().role.allows(permission) {
            Ok(())
        } else {
            Err(PageError::Forbidden(permission))
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.user().role.allows(permission)
    }

    /// For pages whose mere viewing is audited (transcripts, exports): another site
    /// must not be able to make a signed-in browser open them and so plant events.
    pub fn require_same_site(&self) -> Result<(), PageError> {
        if self.context.cross_site {
            Err(PageError::CsrfFailed)
        } else {
            Ok(())
        }
    }
}

/// The session a cookie names, if it is live, with whether it still awaits its second
/// factor. Expired sessions are treated as absent.
pub async fn live_session(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<SessionRecord>, PageError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = state.store.session(&token_hash(token)).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let lifetimes = state.dashboard.lifetimes;
    let idle_until = session
        .last_seen_at
        .checked_add(lifetimes.idle)
        .unwrap_or(Timestamp::MAX);
    if now >= session.expires_at || now >= idle_until {
        return Ok(None);
    }
    Ok(Some(session))
}

impl FromRequestParts<AppState> for Member {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = live_session(parts, state)
            .await?
            .filter(|s| !s.pending_second_factor)
            .ok_or(PageError::SignInRequired)?;
        // A closed account's sessions were ended when it closed; none may come back.
        let business = state
            .store
            .business_by_id(session.user.business)
            .await?
            .filter(|business| business.closed_at.is_none())
            .ok_or(PageError::SignInRequired)?;
        let now = state.clock.now();
        // Writing on every request would make each page view a write: a minute of
        // precision is plenty for a 30-minute idle limit.
        if now.duration_since(session.last_seen_at) > SignedDuration::from_secs(60) {
            state.store.touch_session(&session.id, now).await?;
        }
        let context = RequestContext::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        Ok(Self {
            session,
            business,
            context,
        })
    }
}

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    form: T,
}

/// [`Member`] for the JSON API: rejections are JSON (401, not a redirect).
#[derive(Debug)]
pub struct ApiMember(pub Member);

impl FromRequestParts<AppState> for ApiMember {
    type Rejection = super::error::JsonError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(Member::from_request_parts(parts, state).await?))
    }
}

/// [`Posted`] for the JSON API: the CSRF token in `X-CSRF-Token`, rejections as JSON.
#[derive(Debug)]
pub struct ApiPosted<T>(pub Posted<T>);

impl<T> FromRequest<AppState> for ApiPosted<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = super::error::JsonError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(Posted::from_request(request, state).await?))
    }
}

/// The body of a form that is only a button (the CSRF token aside).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// A state-changing form from a signed-in member: the CSRF token (form field `csrf` or
/// header `X-CSRF-Token`) must be the session's, and the `Origin`, if sent, ours.
#[derive(Debug)]
pub struct Posted<T> {
    pub member: Member,
    pub form: T,
}

impl<T> FromRequest<AppState> for Posted<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        same_origin(&parts.method, &parts.headers)?;
        let member = Member::from_request_parts(&mut parts, state).await?;
        let header_token = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let Form(WithCsrf { csrf, form }) =
            Form::<WithCsrf<T>>::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(|e| PageError::BadRequest(e.body_text()))?;
        let presented = header_token.unwrap_or(csrf);
        if !constant_time_eq(&presented, &member.session.csrf_token) {
            return Err(PageError::CsrfFailed);
        }
        Ok(Self { member, form })
    }
}

/// A form sent before sign-in (sign-in, sign-up, resets, invites): protected by a
/// double-submit cookie, since there is no session yet to hold a token.
#[derive(Debug)]
pub struct PublicForm<T> {
    pub form: T,
    pub context: RequestContext,
    pub headers: HeaderMap,
}

impl<T> FromRequest<AppState> for PublicForm<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        same_origin(&parts.method, &parts.headers)?;
        let context = RequestContext::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_default();
        let headers = parts.headers.clone();
        let Form(WithCsrf { csrf, form }) =
            Form::<WithCsrf<T>>::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(|e| PageError::BadRequest(e.body_text()))?;
        let expected = cookie(&headers, PRE_SESSION_CSRF_COOKIE).unwrap_or_default();
        if expected.is_empty() || !constant_time_eq(&csrf, expected) {
            return Err(PageError::CsrfFailed);
        }
        Ok(Self {
            form,
            context,
            headers,
        })
    }
}

/// Refuses a state-changing request whose `Origin` names another site.
pub fn same_origin(method: &Method, headers: &HeaderMap) -> Result<(), PageError> {
    if method == Method::GET || method == Method::HEAD {
        return Ok(());
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(PageError::CsrfFailed)
    }
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value with our attributes; `None` clears the cookie.
pub fn set_cookie(name: &str, value: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = match value {
        Some(value) => format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).expect("cookie values are URL-safe base64")
}

/// The pre-session CSRF token a form should carry, and the cookie to set if the browser
/// has none yet.
pub fn pre_session_csrf(headers: &HeaderMap, secure: bool) -> (String, Option<HeaderValue>) {
    match cookie(headers, PRE_SESSION_CSRF_COOKIE) {
        Some(token) if token.len() >= 32 => (token.to_owned(), None),
        _ => {
            let token = IssuedToken::generate().plain;
            let header = set_cookie(PRE_SESSION_CSRF_COOKIE, Some(&token), secure);
            (token, Some(header))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn the_client_address_comes_from_trusted_hops_only() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let headers = forwarded("1.1.1.1, 203.0.113.7, 10.0.0.1");
        assert_eq!(client_ip(Some(peer), &headers, 0), Some(peer));
        assert_eq!(
            client_ip(Some(peer), &headers, 1),
            Some("10.0.0.1".parse().unwrap())
        );
        assert_eq!(
            client_ip(Some(peer), &headers, 2),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(client_ip(Some(peer), &HeaderMap::new(), 1), Some(peer));
        assert_eq!(
            client_ip(Some(peer), &forwarded("not-an-ip"), 1),
            Some(peer)
        );
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "fd_session_old=x; fd_session=abc; other=1".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        let set = set_cookie(SESSION_COOKIE, Some("abc"), true);
        assert_eq!(
            set.to_str().unwrap(),
            "fd_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
    }
}
