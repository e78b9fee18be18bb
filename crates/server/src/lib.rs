//! The HTTP adapter: axum routes for the public API, the widget and the demo page, wired
//! to the domain's assistant and the SQL store.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod cache;
mod error;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, Method};
use axum::routing::get;
use axum::Router;
use frontdesk_core::assistant::{Assistant, BuiltinEngine, ReplyProvider, StoreError};
use frontdesk_core::business::Business;
use frontdesk_core::clock::{Clock, SystemClock};
use frontdesk_core::llm::ModelSettings;
use frontdesk_store::{ImportOutcome, Keyring, Store};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiDoc;
use cache::BusinessCache;

/// The demo business `frontdesk serve` imports on first start; `/demo` shows its website.
pub const DEMO_BUSINESS: &str = include_str!("../../../demo/demo-business.toml");

/// Largest request body accepted (a 2,000-character message is at most 8 KB of UTF-8).
const MAX_BODY_BYTES: usize = 32 * 1024;

/// How long any request may take before the server gives up on it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

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
    /// built-in engine.
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
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    store: Store,
    assistant: Arc<Assistant<Store>>,
    businesses: Arc<BusinessCache>,
    stream_pace: Duration,
    grounding_grader: bool,
}

/// A server bound to a port, ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    store: Store,
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
        let assistant =
            Assistant::new(store.clone(), config.provider.clone(), config.clock.clone());
        let state = AppState {
            store: store.clone(),
            assistant: Arc::new(assistant),
            businesses: Arc::new(BusinessCache::new(config.model_providers.clone())),
            stream_pace: config.stream_pace,
            grounding_grader: config.grounding_grader,
        };
        Ok(Self {
            listener,
            router: router(state),
            store,
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

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
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
        .max_age(Duration::from_secs(3600));
    let api = api::router()
        .layer(cors)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(api::healthz))
        .merge(assets::router().layer(CompressionLayer::new()))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
