//! The HTTP adapter: axum routes for the public API, the widget and the demo page, wired
//! to the domain's assistant and the SQL store.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod billing;
mod cache;
mod calendar;
pub mod dashboard;
mod error;
mod mail;
mod notifier;
pub mod rate_limit;
mod shopify;
mod sms;
mod speech;
pub mod voice;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::routing::get;
use axum::Router;
use frontdesk_core::assistant::{Assistant, BuiltinEngine, ReplyProvider, StoreError};
use frontdesk_core::business::Business;
use frontdesk_core::calendar::CalendarConnector;
use frontdesk_core::clock::{Clock, SystemClock};
use frontdesk_core::llm::ModelSettings;
use frontdesk_core::mail::Mailer;
use frontdesk_core::notify::SmsSender;
use frontdesk_core::retention::{self, RetentionPolicy};
use frontdesk_store::{ImportOutcome, Keyring, PurgeOptions, Store};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiDoc;
pub use billing::BillingSettings;
use cache::BusinessCache;
use calendar::{CalendarStore, Calendars};
use dashboard::session::SessionLifetimes;
use dashboard::{DashboardSettings, LoginLimits};
pub use mail::OutboxMailer;
pub use notifier::Notifier;
use rate_limit::RateLimiter;
pub use rate_limit::{CounterStore, RateLimits};
pub use sms::{GateError, SmsGate, TelnyxWebhookKey};
pub use speech::{SpeechSettings, SpokenAudio};
use voice::{OrderSources, ShopOrders};

/// The demo business `frontdesk serve` imports on first start; `/demo` shows its website.
pub const DEMO_BUSINESS: &str = include_str!("../../../demo/demo-business.toml");

/// Largest request body accepted (a 2,000-character message is at most 8 KB of UTF-8).
const MAX_BODY_BYTES: usize = 32 * 1024;

/// Largest dashboard form (the business file editor sends the whole file).
const MAX_FORM_BYTES: usize = 512 * 1024;

/// How often expired synthesised replies are deleted from the speech cache.
const SPEECH_PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// How long any request may take before the server gives up on it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Messages one conversation may hold by default: about a hundred exchanges, far past any
/// real front-desk chat, so only scripted abuse reaches it.
pub const DEFAULT_MAX_CONVERSATION_MESSAGES: u32 = 200;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…`, `postgres://…`, or a bare SQLite file path.
    pub database_url: String,
    /// Pause between streamed words of an instant reply, so it reads like typing.
    pub stream_pace: Duration,
    /// Import the demo business when no business with its slug exists.
    pub seed_demo: bool,
    /// The clock for hours questions.
    pub clock: Arc<dyn Clock>,
    /// Run the full grounding grader on every reply in the background
    /// (`HALLUCINATION_GRADER_ENABLED`).
    pub grounding_grader: bool,
    /// Who drafts replies: the built-in engine, or a language model inside the wall.
    pub provider: Arc<dyn ReplyProvider>,
    /// Builds the provider of a business that chose its own model; without it, every
    /// business uses `provider`.
    pub model_providers: Option<ProviderFactory>,
    /// Opens credentials stored sealed (`FRONTDESK_SECRET_KEYS`).
    pub keyring: Option<Keyring>,
    /// Delivers team email (invites, password resets).
    pub mailer: Arc<dyn Mailer>,
    /// The public address of the dashboard for links in emails; by default the address
    /// the server is bound to.
    pub public_url: Option<String>,
    /// Reverse proxies in front of the server whose `X-Forwarded-For` is believed.
    pub trusted_proxy_hops: usize,
    /// Idle and absolute session lifetimes.
    pub session_lifetimes: SessionLifetimes,
    /// Failed sign-ins allowed per account and per address.
    pub login_limits: LoginLimits,
    /// Sends team notifications by text message; without it, members get email only.
    pub sms: Option<Arc<dyn SmsSender>>,
    /// How often the notification outbox is checked.
    pub notify_interval: Duration,
    /// Connects owners' calendars (Google's OAuth client, from the binary); without it
    /// the Integrations section says calendars are not set up on this server. The server
    /// knows the vendor only through this port.
    pub calendars: Option<Arc<dyn CalendarConnector>>,
    /// Reads phone replies with a synthetic voice (ElevenLabs, from the binary); without
    /// it, the telephony provider's built-in voice reads them.
    pub speech: Option<SpeechSettings>,
    /// From closing an account to purging its data; clamped to the policy's 90 days.
    pub closure_grace: jiff::SignedDuration,
    /// How often the retention jobs run inside the server.
    pub retention_interval: Duration,
    /// Verifies Telnyx's inbound SMS webhooks (`FRONTDESK_TELNYX_PUBLIC_KEY`); without
    /// it `POST /sms/telnyx/{slug}` refuses every request.
    pub telnyx_public_key: Option<TelnyxWebhookKey>,
    /// Allowances of the public routes.
    pub rate_limits: RateLimits,
    /// Where the rate limiter counts: the database, or Redis.
    pub rate_limit_counters: CounterStore,
    /// Messages one conversation may hold (both sides); past it the visitor is asked to
    /// start a new conversation or contact the business.
    pub max_conversation_messages: u32,
    /// Stripe billing; without it every business runs unlimited and no billing UI shows.
    pub billing: Option<BillingSettings>,
    /// Where businesses' orders come from for the phone line; by default each answers
    /// from the orders it imported.
    pub order_sources: Option<Arc<dyn OrderSources>>,
}

/// Builds a reply provider from a business's model settings. The server knows no vendor:
/// the binary supplies this.
#[derive(Clone)]
pub struct ProviderFactory(pub Arc<BuildProvider>);

/// The function inside a [`ProviderFactory`]; errors say which setting is unusable.
pub type BuildProvider =
    dyn Fn(&ModelSettings) -> Result<Arc<dyn ReplyProvider>, String> + Send + Sync;

impl std::fmt::Debug for ProviderFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderFactory")
    }
}

impl Config {
    /// Defaults for a database: the real clock, a 15 ms streaming pace, demo seeded, the
    /// built-in engine, mail written to `./outbox`.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            stream_pace: Duration::from_millis(15),
            seed_demo: true,
            clock: Arc::new(SystemClock),
            grounding_grader: true,
            provider: Arc::new(BuiltinEngine),
            model_providers: None,
            keyring: None,
            mailer: Arc::new(OutboxMailer::new("outbox")),
            public_url: None,
            trusted_proxy_hops: 0,
            session_lifetimes: SessionLifetimes::default(),
            login_limits: LoginLimits::default(),
            sms: None,
            notify_interval: Duration::from_secs(2),
            calendars: None,
            speech: None,
            closure_grace: retention::MAX_CLOSURE_GRACE,
            retention_interval: Duration::from_secs(3600),
            telnyx_public_key: None,
            rate_limits: RateLimits::default(),
            rate_limit_counters: CounterStore::Database,
            max_conversation_messages: DEFAULT_MAX_CONVERSATION_MESSAGES,
            billing: None,
            order_sources: None,
        }
    }

    /// The retention periods this configuration sets.
    pub fn retention_policy(&self) -> RetentionPolicy {
        RetentionPolicy::new(self.closure_grace, self.login_limits.window)
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    store: Store,
    assistant: Arc<Assistant<CalendarStore>>,
    /// The connected calendars, when the server has a calendar connector.
    calendars: Option<Calendars>,
    businesses: Arc<BusinessCache>,
    stream_pace: Duration,
    grounding_grader: bool,
    clock: Arc<dyn Clock>,
    dashboard: Arc<DashboardSettings>,
    /// Synthesised replies and their signed URLs, when speech is configured.
    speech: Option<Arc<SpokenAudio>>,
    retention: RetentionPolicy,
    sms: Arc<sms::SmsChannel>,
    limiter: Arc<RateLimiter>,
    max_conversation_messages: u32,
    billing: Option<Arc<BillingSettings>>,
    /// The seam to the shops' order systems.
    orders: Arc<dyn OrderSources>,
}

/// A server bound to a port, ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    store: Store,
    /// The background workers — notifications, SMS inbox and outbox, retention jobs and
    /// the purge of expired synthesised replies; they stop with the server.
    workers: Vec<tokio::task::JoinHandle<()>>,
    speech: Option<Arc<SpokenAudio>>,
}

impl Application {
    /// Connects the store, seeds the demo business if asked, and prepares the routes on an
    /// already-bound listener (tests bind port 0).
    pub async fn build(config: Config, listener: TcpListener) -> Result<Self, StoreError> {
        let mut store = Store::connect(&config.database_url).await?;
        if let Some(keyring) = config.keyring.clone() {
            store = store.with_keyring(keyring);
        }
        if config.seed_demo {
            seed_demo(&store, config.clock.as_ref()).await?;
        }
        let public_url = match &config.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => bound_url(&listener),
        };
        let gate = config
            .sms
            .clone()
            .map(|sender| SmsGate::new(store.clone(), sender));
        let notifier = Notifier {
            store: store.clone(),
            mailer: config.mailer.clone(),
            sms: gate.clone(),
            public_url: public_url.clone(),
            clock: config.clock.clone(),
        };
        let mut workers = vec![tokio::spawn(notifier.run(config.notify_interval))];
        let policy = config.retention_policy();
        // A purge stopped mid-batch rolls that batch back; its job resumes next time.
        workers.push(tokio::spawn(run_retention(
            store.clone(),
            policy,
            config.clock.clone(),
            config.retention_interval,
        )));
        let queued = Arc::new(tokio::sync::Notify::new());
        if let Some(gate) = gate {
            let outbox = sms::SmsOutbox {
                store: store.clone(),
                gate,
                clock: config.clock.clone(),
                queued: queued.clone(),
            };
            workers.push(tokio::spawn(outbox.run(config.notify_interval)));
        }
        let calendars = config
            .calendars
            .clone()
            .map(|connector| Calendars::new(store.clone(), connector, config.clock.clone()));
        let assistant = Assistant::new(
            CalendarStore::new(store.clone(), calendars.clone()),
            config.provider.clone(),
            config.clock.clone(),
        );
        let speech = config.speech.clone().map(|settings| {
            Arc::new(SpokenAudio::new(
                settings,
                public_url.clone(),
                config.clock.clone(),
            ))
        });
        if let Some(speech) = speech.clone() {
            workers.push(tokio::spawn(speech.purge_every(SPEECH_PURGE_INTERVAL)));
        }
        let limiter = RateLimiter::new(
            &config.rate_limit_counters,
            store.clone(),
            config.rate_limits,
            config.clock.clone(),
        )
        .map_err(|e| StoreError::Backend(Box::new(e)))?;
        let state = AppState {
            store: store.clone(),
            assistant: Arc::new(assistant),
            calendars,
            businesses: Arc::new(BusinessCache::new(config.model_providers.clone())),
            stream_pace: config.stream_pace,
            grounding_grader: config.grounding_grader,
            clock: config.clock.clone(),
            dashboard: Arc::new(DashboardSettings {
                lifetimes: config.session_lifetimes,
                trusted_proxy_hops: config.trusted_proxy_hops,
                public_url,
                mailer: config.mailer.clone(),
                login_limits: config.login_limits,
            }),
            speech: speech.clone(),
            retention: policy,
            sms: Arc::new(sms::SmsChannel {
                telnyx_key: config.telnyx_public_key.clone(),
                received: Arc::new(tokio::sync::Notify::new()),
                queued,
            }),
            limiter: Arc::new(limiter),
            max_conversation_messages: config.max_conversation_messages,
            billing: config.billing.clone().map(Arc::new),
            orders: config
                .order_sources
                .clone()
                .unwrap_or_else(|| Arc::new(ShopOrders::new(store.clone()))),
        };
        let inbox = sms::SmsInbox {
            state: state.clone(),
            next_forget: Arc::default(),
        };
        workers.push(tokio::spawn(inbox.run(config.notify_interval)));
        Ok(Self {
            listener,
            router: router(state),
            store,
            workers,
            speech,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The store the server uses (for tests and CLI tools sharing the process).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The synthesised-speech cache, when configured (for the voice flow's tests and
    /// tools sharing the process).
    pub fn spoken_audio(&self) -> Option<Arc<SpokenAudio>> {
        self.speech.clone()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        // Rows they had claimed go back to their outbox when the lease runs out.
        for worker in self.workers {
            worker.abort();
        }
        served
    }
}

/// Runs the retention jobs every `interval` until the server stops: closed accounts
/// past their grace period, audit events past six years, expired sessions, invites and
/// resets, and sign-in failures past the limiter's window.
async fn run_retention(
    store: Store,
    policy: RetentionPolicy,
    clock: Arc<dyn Clock>,
    interval: Duration,
) {
    // The first run waits one interval: a starting server has other work first.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    loop {
        ticks.tick().await;
        match store
            .purge(&policy, clock.now(), PurgeOptions::default())
            .await
        {
            Ok(report) if report.total() > 0 => {
                tracing::info!(removed = report.total(), categories = ?report.categories, "retention jobs ran");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "retention jobs failed; they resume next time"),
        }
    }
}

/// `http://host:port` of the listener; a wildcard address becomes `localhost`.
fn bound_url(listener: &TcpListener) -> String {
    match listener.local_addr() {
        Ok(addr) if addr.ip().is_unspecified() => format!("http://localhost:{}", addr.port()),
        Ok(addr) => format!("http://{addr}"),
        Err(_) => "http://localhost".to_owned(),
    }
}

/// Imports the bundled demo business unless a business with its slug already exists.
pub async fn seed_demo(store: &Store, clock: &dyn Clock) -> Result<(), StoreError> {
    let demo = Business::from_toml(DEMO_BUSINESS).expect("the bundled demo business is valid");
    if store.business_by_slug(demo.slug.as_str()).await?.is_none() {
        let (_, outcome) = store
            .import_business(&demo, DEMO_BUSINESS, clock.now())
            .await?;
        debug_assert_eq!(outcome, ImportOutcome::Created);
        tracing::info!(slug = %demo.slug, "imported the demo business");
    }
    Ok(())
}

fn router(state: AppState) -> Router {
    // The widget is embedded on the business's own site, so the public API answers any
    // origin; it never uses cookies, so no credentials are allowed.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT])
        // The widget tells the visitor how long to wait when rate limited.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600));
    let api = api::router()
        .merge(dashboard::json_router())
        .layer(cors)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let app = dashboard::router()
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ));
    Router::new()
        .nest("/api/v1", api)
        .nest("/app", app)
        .nest("/sms", sms::router())
        .merge(voice::router())
        .route("/healthz", get(api::healthz))
        .merge(speech::router())
        .route("/webhooks/stripe", axum::routing::post(billing::webhook))
        .route(
            "/webhooks/shopify/{slug}",
            axum::routing::post(shopify::webhook)
                .layer(DefaultBodyLimit::max(shopify::MAX_WEBHOOK_BYTES)),
        )
        .merge(assets::router().layer(CompressionLayer::new()))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The tracing span of a request: method and path, with the one-time tokens of invite
/// and reset links cut out and no query string, so no secret reaches the logs.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!("request", method = %request.method(), path = %redacted_path(request.uri().path()))
}

fn redacted_path(path: &str) -> String {
    for prefix in ["/app/reset/", "/app/invite/"] {
        if path.starts_with(prefix) {
            return format!("{prefix}[token]");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_never_reach_the_request_log() {
        assert_eq!(redacted_path("/app/reset/abc123"), "/app/reset/[token]");
        assert_eq!(redacted_path("/app/invite/abc123"), "/app/invite/[token]");
        assert_eq!(redacted_path("/app/team"), "/app/team");
    }
}
