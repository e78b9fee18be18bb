//! Which order system answers for a business: the one seam between the phone line and
//! the shops' systems (imported orders here; Shopify plugs in beside them).

use std::fmt;
use std::sync::Arc;

use frontdesk_core::conversation::BusinessId;
use frontdesk_core::orders::{OrderFuture, OrderSource};
use frontdesk_store::Store;

/// Finds a business's order source; `None` when the business has no orders to look up.
pub trait OrderSources: Send + Sync + fmt::Debug {
    fn for_business(&self, business: BusinessId) -> OrderFuture<'_, Option<Arc<dyn OrderSource>>>;
}

/// Every business answers from the orders it imported (`frontdesk orders import`).
#[derive(Debug, Clone)]
pub struct ImportedOrders(pub Store);

impl OrderSources for ImportedOrders {
    fn for_business(&self, business: BusinessId) -> OrderFuture<'_, Option<Arc<dyn OrderSource>>> {
        let source: Arc<dyn OrderSource> = Arc::new(self.0.local_orders(business));
        Box::pin(std::future::ready(Ok(Some(source))))
    }
}
