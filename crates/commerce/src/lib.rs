//! Shops' orders from Shopify, for the assistant's "where is my order?".
//!
//! [`ShopifyOrders`] answers `frontdesk_core::orders::OrderSource` from the Admin GraphQL
//! API, keeping to the shop's cost-based throttle; [`webhook`] verifies Shopify's order
//! webhooks and reads them into the same `Order`, so a local copy can be kept fresh.
//! Both read Shopify's words (financial and fulfillment statuses, tracking) through one
//! mapping, so an order reads the same whichever way it arrived.
//!
//! The access token and the webhook secret never leave request headers and the HMAC:
//! their types print as `[redacted]` and Shopify's error text is scrubbed of them.
#![forbid(unsafe_code)]

mod mapping;
mod shopify;
mod throttle;
pub mod webhook;

pub use shopify::{ShopifyConfig, ShopifyOrders, DEFAULT_API_VERSION};
