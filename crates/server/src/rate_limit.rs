//! Rate limits on the public routes, counted where every server instance sees the same
//! numbers: in the database by default, or in Redis when one is configured.
//!
//! A route opts in by taking a [`RateLimited`] argument naming its [`LimitPolicy`]: the
//! extractor counts the request against the client's address (behind the trusted
//! proxies, see [`client_ip`]) and against the business of the `{slug}` in the path, and
//! answers 429 with `Retry-After` once either is over its allowance for the window.
//!
//! Windows are fixed (aligned to multiples of the window length), counted with one atomic
//! upsert (PostgreSQL) or one `INCR`+`PEXPIRE` script (Redis). A counter outlives its
//! window only until the next sweep, so a client address is never kept longer than that.
//!
//! On SQLite the counters stay in the server's memory: a SQLite database serves one
//! server process, and an upsert per request would compete with the conversation writer
//! for SQLite's single write lock (measured with `frontdesk bench`: p99 latency went from
//! tens of milliseconds to hundreds). Several instances use PostgreSQL or Redis.
//!
//! When the counter can't be reached (database or Redis down), the request goes through
//! and a warning is logged: the limiter guards against abuse, and an outage of its store
//! must not take the chat down with it.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use frontdesk_core::clock::Clock;
use frontdesk_store::{Backend, Store};
use jiff::{SignedDuration, Timestamp};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use crate::dashboard::session::client_ip;
use crate::error::ApiError;
use crate::AppState;

/// How long one Redis round trip may take before the limiter gives up and lets the
/// request through.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// Allowances per window (`--rate-limit-*` flags).
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// The length of a window.
    pub window: Duration,
    /// Requests one client address (an IPv6 /64) may make per window and route.
    pub per_ip: u32,
    /// Requests one business's widget, number or line may receive per window and route,
    /// from everyone together.
    pub per_business: u32,
}

impl Default for RateLimits {
    /// A person types far fewer than 20 messages a minute; a busy widget rarely sees 300.
    fn default() -> Self {
        Self {
            window: Duration::from_secs(60),
            per_ip: 20,
            per_business: 300,
        }
    }
}

/// Where the counters live.
#[derive(Debug, Clone, Default)]
pub enum CounterStore {
    /// The server's own database: the `rate_limits` table on PostgreSQL, shared by every
    /// instance; the server's memory on SQLite, which serves one server process.
    #[default]
    Database,
    /// A Redis server shared by the instances (`--redis-url`); keys start with `key_prefix`.
    Redis { url: String, key_prefix: String },
}

/// Why the limiter could not start.
#[derive(Debug, thiserror::Error)]
#[error("the Redis URL for rate limits is not usable: {0}")]
pub struct BadRedisUrl(#[source] redis::RedisError);

/// Counts requests and says whether they are within their allowance.
pub struct RateLimiter {
    counters: Counters,
    limits: RateLimits,
    clock: Arc<dyn Clock>,
    /// When expired database counters were last swept (Unix milliseconds).
    last_sweep: AtomicI64,
}

enum Counters {
    Database(Store),
    /// Key → (window start, hits) in Unix milliseconds.
    Memory(Mutex<HashMap<String, (i64, i64)>>),
    Redis {
        client: redis::Client,
        /// Connected on first use (and reconnecting by itself after), so a Redis that is
        /// down when the server starts does not stop it.
        connection: OnceCell<ConnectionManager>,
        key_prefix: String,
    },
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counters = match &self.counters {
            Counters::Database(_) => "database",
            Counters::Memory(_) => "memory",
            Counters::Redis { .. } => "redis",
        };
        f.debug_struct("RateLimiter")
            .field("counters", &counters)
            .field("limits", &self.limits)
            .finish()
    }
}

/// What the limiter decided about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the allowance; the window frees up after this long.
    Limited {
        retry_after: Duration,
    },
}

impl RateLimiter {
    /// A limiter counting in `store`'s database or in Redis. Only a malformed Redis URL
    /// fails here; an unreachable Redis is reported per request, and let through.
    pub fn new(
        counters: &CounterStore,
        store: Store,
        limits: RateLimits,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, BadRedisUrl> {
        let counters = match counters {
            CounterStore::Database if store.backend() == Backend::Sqlite => {
                Counters::Memory(Mutex::new(HashMap::new()))
            }
            CounterStore::Database => Counters::Database(store),
            CounterStore::Redis { url, key_prefix } => Counters::Redis {
                client: redis::Client::open(url.as_str()).map_err(BadRedisUrl)?,
                connection: OnceCell::new(),
                key_prefix: key_prefix.clone(),
            },
        };
        Ok(Self {
            counters,
            limits,
            clock,
            last_sweep: AtomicI64::new(i64::MIN),
        })
    }

    /// The allowances in force.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Counts one request against `key` and compares it with `allowed` per window. Fails
    /// open: when the counter can't be reached the request is allowed and a warning
    /// logged.
    pub async fn hit(&self, key: &str, allowed: u32) -> Verdict {
        let counted = match &self.counters {
            Counters::Database(store) => self.hit_database(store, key).await,
            Counters::Memory(counters) => Ok(self.hit_memory(counters, key)),
            Counters::Redis {
                client,
                connection,
                key_prefix,
            } => {
                let key = format!("{key_prefix}{key}");
                let hit = hit_redis(client, connection, &key, self.limits.window);
                match tokio::time::timeout(REDIS_TIMEOUT, hit).await {
                    Ok(counted) => counted.map_err(|e| e.to_string()),
                    Err(_) => Err("Redis did not answer in time".to_owned()),
                }
            }
        };
        match counted {
            Ok((hits, _)) if hits <= i64::from(allowed) => Verdict::Allowed,
            Ok((_, retry_after)) => Verdict::Limited {
                retry_after: retry_after.max(Duration::from_secs(1)),
            },
            Err(error) => {
                tracing::warn!(%error, "rate limiter unavailable; letting the request through");
                Verdict::Allowed
            }
        }
    }

    /// The current window: now, its start and its length, in Unix milliseconds.
    fn window(&self) -> (i64, i64, i64) {
        let window_ms = self.limits.window.as_millis().clamp(1, i64::MAX as u128) as i64;
        let now_ms = self.clock.now().as_millisecond();
        (now_ms, now_ms - now_ms.rem_euclid(window_ms), window_ms)
    }

    fn hit_memory(
        &self,
        counters: &Mutex<HashMap<String, (i64, i64)>>,
        key: &str,
    ) -> (i64, Duration) {
        let (now_ms, start_ms, window_ms) = self.window();
        let mut counters = counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.sweep_due(now_ms, window_ms) {
            counters.retain(|_, (start, _)| *start == start_ms);
        }
        let entry = counters.entry(key.to_owned()).or_insert((start_ms, 0));
        if entry.0 != start_ms {
            *entry = (start_ms, 0);
        }
        entry.1 += 1;
        (entry.1, retry_after(start_ms + window_ms - now_ms))
    }

    async fn hit_database(&self, store: &Store, key: &str) -> Result<(i64, Duration), String> {
        let (now_ms, start_ms, window_ms) = self.window();
        let start = Timestamp::from_millisecond(start_ms).map_err(|e| e.to_string())?;
        let end = start
            .checked_add(SignedDuration::from_millis(window_ms))
            .map_err(|e| e.to_string())?;
        if self.sweep_due(now_ms, window_ms) {
            let (store, now) = (store.clone(), self.clock.now());
            tokio::spawn(async move {
                if let Err(error) = store.sweep_rate_limits(now).await {
                    tracing::warn!(%error, "sweeping expired rate-limit counters failed");
                }
            });
        }
        let hits = store
            .count_hit(key, start, end)
            .await
            .map_err(|e| e.to_string())?;
        Ok((hits, retry_after(start_ms + window_ms - now_ms)))
    }

    /// Whether expired counters are due to be deleted: at most once a window per
    /// instance, and only one caller is told yes.
    fn sweep_due(&self, now_ms: i64, window_ms: i64) -> bool {
        let last = self.last_sweep.load(Ordering::Relaxed);
        now_ms.saturating_sub(last) >= window_ms
            && self
                .last_sweep
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// Milliseconds left in a window, rounded up to whole seconds (as `Retry-After` says them).
fn retry_after(left_ms: i64) -> Duration {
    Duration::from_millis((left_ms.max(0) as u64).div_ceil(1000) * 1000)
}

/// Counts one hit in Redis: `INCR`, `PEXPIRE` on the window's first hit, and the time to
/// live, in one script so concurrent instances can't leave a counter without expiry.
async fn hit_redis(
    client: &redis::Client,
    connection: &OnceCell<ConnectionManager>,
    key: &str,
    window: Duration,
) -> Result<(i64, Duration), redis::RedisError> {
    const SCRIPT: &str = r"
        local hits = redis.call('INCR', KEYS[1])
        if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return {hits, ttl}
    ";
    let connection = connection
        .get_or_try_init(|| {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(REDIS_TIMEOUT)
                .set_response_timeout(REDIS_TIMEOUT)
                .set_number_of_retries(1);
            client.get_connection_manager_with_config(config)
        })
        .await?;
    let (hits, ttl_ms): (i64, i64) = redis::Script::new(SCRIPT)
        .key(key)
        .arg(window.as_millis() as u64)
        .invoke_async(&mut connection.clone())
        .await?;
    Ok((hits, retry_after(ttl_ms)))
}

/// What a limited route family counts.
pub trait LimitPolicy: Send + Sync + 'static {
    /// The counters' namespace: each route family has its own allowance.
    const ROUTE: &'static str;
    /// Whether the client's address is counted. Not for vendor webhooks, where every
    /// request comes from the vendor's servers: they count per business (and the handler
    /// may count the sender with [`RateLimiter::hit`]).
    const PER_CLIENT_IP: bool;
}

/// The widget's chat API: per visitor address and per business.
#[derive(Debug)]
pub struct PublicChat;

impl LimitPolicy for PublicChat {
    const ROUTE: &'static str = "chat";
    const PER_CLIENT_IP: bool = true;
}

/// Inbound text messages, posted by the SMS provider: per business.
#[derive(Debug)]
pub struct InboundSms;

impl LimitPolicy for InboundSms {
    const ROUTE: &'static str = "sms";
    const PER_CLIENT_IP: bool = false;
}

/// Phone calls, posted by the voice provider: per business.
#[derive(Debug)]
pub struct InboundVoice;

impl LimitPolicy for InboundVoice {
    const ROUTE: &'static str = "voice";
    const PER_CLIENT_IP: bool = false;
}

/// A request within its route's allowance. Add `_: RateLimited<Policy>` to a handler whose
/// path has a `{slug}` to limit it; over the limit the handler never runs and the client
/// gets 429 with `Retry-After`.
#[derive(Debug)]
pub struct RateLimited<P>(PhantomData<P>);

/// The 429 answer: JSON `{"error": {"code": "rate_limited", "message"}}` and `Retry-After`.
#[derive(Debug)]
pub struct TooManyRequests {
    retry_after: Duration,
}

impl IntoResponse for TooManyRequests {
    fn into_response(self) -> Response {
        let seconds = self.retry_after.as_secs().max(1);
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "Too many messages at once. Please wait {seconds} second{} and try again.",
                if seconds == 1 { "" } else { "s" }
            ),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }
}

impl<P: LimitPolicy> FromRequestParts<AppState> for RateLimited<P> {
    type Rejection = TooManyRequests;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let limiter = &state.limiter;
        let limits = limiter.limits();
        if P::PER_CLIENT_IP {
            let peer = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip());
            if let Some(ip) = client_ip(peer, &parts.headers, state.dashboard.trusted_proxy_hops) {
                let key = format!("{}:ip:{}", P::ROUTE, address_key(ip));
                check(limiter.hit(&key, limits.per_ip).await)?;
            }
        }
        let slug = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|Path(params)| params.get("slug").cloned());
        if let Some(slug) = slug {
            let key = format!("{}:business:{slug}", P::ROUTE);
            check(limiter.hit(&key, limits.per_business).await)?;
        }
        Ok(Self(PhantomData))
    }
}

fn check(verdict: Verdict) -> Result<(), TooManyRequests> {
    match verdict {
        Verdict::Allowed => Ok(()),
        Verdict::Limited { retry_after } => Err(TooManyRequests { retry_after }),
    }
}

/// The limiter's key for an address: IPv6 clients own whole /64 networks, so they are
/// counted per /64, not per address.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_network() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_eq!(address_key("203.0.113.7".parse().unwrap()), "203.0.113.7");
    }

    #[test]
    fn the_answer_says_when_to_come_back() {
        let response = TooManyRequests {
            retry_after: Duration::from_secs(42),
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }
}
