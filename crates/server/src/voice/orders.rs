//! Which order system answers for a business: the one seam between the phone line and
//! the shops' systems (Shopify, or the orders a shop imported).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use frontdesk_commerce::{ShopifyConfig, ShopifyOrders};
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::llm::ApiKey;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::orders::{Order, OrderError, OrderFuture, OrderNumber, OrderSource};
use frontdesk_store::{LocalOrders, ShopifyConnection, Store};

/// Finds a business's order source; `None` when the business has no orders to look up.
pub trait OrderSources: Send + Sync + fmt::Debug {
    fn for_business(&self, business: BusinessId) -> OrderFuture<'_, Option<Arc<dyn OrderSource>>>;
}

/// A business's Shopify client, with the connection it was made for (a changed connection
/// gets a new client).
type ShopClient = (ShopifyConnection, Arc<dyn OrderSource>);

/// A business with a Shopify connection answers from Shopify; every other business from
/// the orders it imported (`frontdesk orders import`). One Shopify client is kept per
/// business and connection, because the client remembers the shop's throttle bucket.
#[derive(Debug)]
pub struct ShopOrders {
    store: Store,
    clients: Mutex<HashMap<BusinessId, ShopClient>>,
}

impl ShopOrders {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            clients: Mutex::new(HashMap::new()),
        }
    }

    async fn source(&self, business: BusinessId) -> Result<Arc<dyn OrderSource>, OrderError> {
        let connection = self
            .store
            .shopify_connection(business)
            .await
            .map_err(|e| OrderError::Unavailable(e.to_string()))?;
        let Some(connection) = connection else {
            return Ok(Arc::new(self.store.local_orders(business)));
        };
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((known, client)) = clients.get(&business) {
            if *known == connection {
                return Ok(client.clone());
            }
        }
        let client: Arc<dyn OrderSource> = Arc::new(ShopifyFirst {
            shopify: ShopifyOrders::new(ShopifyConfig::new(
                connection.shop.clone(),
                ApiKey::new(connection.access_token.clone()),
            )),
            local: self.store.local_orders(business),
        });
        clients.insert(business, (connection, client.clone()));
        Ok(client)
    }
}

/// Shopify answers; when it is down or throttling, the local copy its order webhooks keep
/// answers instead, so a caller still hears their order's status.
#[derive(Debug)]
struct ShopifyFirst {
    shopify: ShopifyOrders,
    local: LocalOrders,
}

/// Shopify's answer, or the local copy's when Shopify is down or throttling.
async fn or_local<T>(
    answered: Result<T, OrderError>,
    local: impl std::future::Future<Output = Result<T, OrderError>>,
) -> Result<T, OrderError> {
    match answered {
        Err(error @ (OrderError::RateLimited { .. } | OrderError::Unavailable(_))) => {
            tracing::warn!(%error, "Shopify unavailable: answering from the local copy");
            local.await
        }
        answered => answered,
    }
}

impl OrderSource for ShopifyFirst {
    fn by_number<'a>(&'a self, number: &'a OrderNumber) -> OrderFuture<'a, Option<Order>> {
        Box::pin(async move {
            or_local(
                self.shopify.by_number(number).await,
                self.local.by_number(number),
            )
            .await
        })
    }

    fn by_phone<'a>(&'a self, phone: &'a PhoneNumber, limit: usize) -> OrderFuture<'a, Vec<Order>> {
        Box::pin(async move {
            or_local(
                self.shopify.by_phone(phone, limit).await,
                self.local.by_phone(phone, limit),
            )
            .await
        })
    }
}

impl OrderSources for ShopOrders {
    fn for_business(&self, business: BusinessId) -> OrderFuture<'_, Option<Arc<dyn OrderSource>>> {
        Box::pin(async move { self.source(business).await.map(Some) })
    }
}
