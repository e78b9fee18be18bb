//! Loaded businesses kept in memory: a turn must not re-parse and re-index a business
//! file. Entries are re-checked against the database after a short time so an import on
//! one server reaches every server behind the load balancer within seconds.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use frontdesk_core::assistant::{LoadedBusiness, StoreError};
use frontdesk_core::business::Business;
use frontdesk_store::Store;
use jiff::Timestamp;

/// How long a cached business is trusted before the database is asked again.
const FRESH_FOR: Duration = Duration::from_secs(2);

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
}

impl BusinessCache {
    /// The business with this slug, or None if there is none.
    pub async fn get(
        &self,
        store: &Store,
        slug: &str,
    ) -> Result<Option<Arc<LoadedBusiness>>, StoreError> {
        if let Some(business) = self.fresh(slug) {
            return Ok(Some(business));
        }
        let Some(stored) = store.business_by_slug(slug).await? else {
            self.entries.write().expect("cache lock").remove(slug);
            return Ok(None);
        };
        let mut entries = self.entries.write().expect("cache lock");
        if let Some(entry) = entries.get_mut(slug) {
            if entry.updated_at == stored.updated_at {
                entry.checked = Instant::now();
                return Ok(Some(entry.business.clone()));
            }
        }
        // The file was validated when it was imported; failing now means the database was
        // edited by hand, which is a storage problem, not a visitor's.
        let parsed = Business::from_toml(&stored.source).map_err(|e| {
            StoreError::Conflict(format!("stored business {slug:?} is invalid: {e}"))
        })?;
        let business = Arc::new(LoadedBusiness::new(stored.id, parsed));
        entries.insert(
            slug.to_owned(),
            Entry {
                business: business.clone(),
                updated_at: stored.updated_at,
                checked: Instant::now(),
            },
        );
        Ok(Some(business))
    }

    fn fresh(&self, slug: &str) -> Option<Arc<LoadedBusiness>> {
        let entries = self.entries.read().expect("cache lock");
        entries
            .get(slug)
            .filter(|entry| entry.checked.elapsed() < FRESH_FOR)
            .map(|entry| entry.business.clone())
    }
}
