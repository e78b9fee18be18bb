//! Loaded businesses kept in memory: a turn must not re-parse and re-index a business
//! file. Entries are re-checked against the database after a short time so an import on
//! one server reaches every server behind the load balancer within seconds.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use frontdesk_core::assistant::{LoadedBusiness, ReplyProvider, StoreError};
use frontdesk_core::business::Business;
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::llm::ModelSettings;
use frontdesk_store::Store;
use jiff::Timestamp;

use crate::ProviderFactory;

/// How long a cached business is trusted before the database is asked again.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// A business looked up by slug.
#[derive(Debug, Clone)]
pub enum Found {
    Open(Arc<LoadedBusiness>),
    /// The owner closed the account: it answers no one (never cached, so a closure on
    /// another server is seen within [`FRESH_FOR`]).
    Closed,
}

#[derive(Debug)]
struct Entry {
    business: Arc<LoadedBusiness>,
    updated_at: Timestamp,
    checked: Instant,
}

/// Slug → loaded business.
#[derive(Debug, Default)]
pub struct BusinessCache {
    entries: RwLock<HashMap<String, Entry>>,
    model_providers: Option<ProviderFactory>,
}

impl BusinessCache {
    /// An empty cache; businesses with their own model get it built by `model_providers`.
    pub fn new(model_providers: Option<ProviderFactory>) -> Self {
        Self {
            entries: RwLock::default(),
            model_providers,
        }
    }

    /// Drops a business so the next turn loads its new file at once (after an edit on
    /// this server; other servers notice within [`FRESH_FOR`]).
    pub fn forget(&self, slug: &str) {
        self.entries.write().expect("cache lock").remove(slug);
    }

    /// The business with this slug, or None if there is none.
    pub async fn get(&self, store: &Store, slug: &str) -> Result<Option<Found>, StoreError> {
        if let Some(business) = self.fresh(slug) {
            return Ok(Some(Found::Open(business)));
        }
        let Some(stored) = store.business_by_slug(slug).await? else {
            self.entries.write().expect("cache lock").remove(slug);
            return Ok(None);
        };
        if stored.closed_at.is_some() {
            self.entries.write().expect("cache lock").remove(slug);
            return Ok(Some(Found::Closed));
        }
        if let Some(entry) = self.entries.write().expect("cache lock").get_mut(slug) {
            if entry.updated_at == stored.updated_at {
                entry.checked = Instant::now();
                return Ok(Some(Found::Open(entry.business.clone())));
            }
        }
        // The file was validated when it was imported; failing now means the database was
        // edited by hand, which is a storage problem, not a visitor's.
        let parsed = Business::from_toml(&stored.source).map_err(|e| {
            StoreError::Conflict(format!("stored business {slug:?} is invalid: {e}"))
        })?;
        let mut business = LoadedBusiness::new(stored.id, parsed);
        if let Some(provider) = self.own_provider(store, stored.id, slug).await {
            business = business.with_provider(provider);
        }
        let business = Arc::new(business);
        let mut entries = self.entries.write().expect("cache lock");
        entries.insert(
            slug.to_owned(),
            Entry {
                business: business.clone(),
                updated_at: stored.updated_at,
                checked: Instant::now(),
            },
        );
        Ok(Some(Found::Open(business)))
    }

    /// Whether model settings can be used, before they are saved: the same check the
    /// provider is built with. Without a factory, every business uses the default.
    pub fn check_settings(&self, settings: &ModelSettings) -> Result<(), String> {
        match &self.model_providers {
            Some(factory) => (factory.0)(settings).map(drop),
            None => Err("this server does not let businesses choose their own model".into()),
        }
    }

    /// The provider of a business that chose its own model. A setting that can't be used
    /// (a key sealed with a retired key, say) is logged and the default answers instead:
    /// a visitor is never turned away over configuration.
    async fn own_provider(
        &self,
        store: &Store,
        business: BusinessId,
        slug: &str,
    ) -> Option<Arc<dyn ReplyProvider>> {
        let factory = self.model_providers.as_ref()?;
        match store.model_settings(business).await {
            Ok(Some(settings)) => match (factory.0)(&settings) {
                Ok(provider) => Some(provider),
                Err(error) => {
                    tracing::warn!(%slug, %error, "the business's model settings are unusable; using the default provider");
                    None
                }
            },
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(%slug, %error, "cannot read the business's model settings; using the default provider");
                None
            }
        }
    }

    fn fresh(&self, slug: &str) -> Option<Arc<LoadedBusiness>> {
        let entries = self.entries.read().expect("cache lock");
        entries
            .get(slug)
            .filter(|entry| entry.checked.elapsed() < FRESH_FOR)
            .map(|entry| entry.business.clone())
    }
}
