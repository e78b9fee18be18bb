//! Shopify's order webhooks: `orders/create`, `orders/updated`, `orders/fulfilled` (and
//! `orders/paid`, `orders/cancelled`, same payload), verified and read into an [`Order`]
//! so a shop's local copy of its orders stays fresh without polling the Admin API.
//!
//! The route that receives them belongs to the server; everything it needs to decide is
//! here, as pure functions over the raw body and the header values:
//! [`read_order_webhook`] checks `X-Shopify-Hmac-Sha256` first (nothing of an unsigned
//! body is read), then the topic, then the payload, and hands back the
//! `X-Shopify-Webhook-Id` to deduplicate Shopify's redeliveries with and `updated_at` to
//! drop a stale update that arrives after a newer one.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use frontdesk_core::orders::Order;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::Deserialize;
use sha2::Sha256;

use crate::mapping::{shipment, ShopifyOrder};

/// Base64 HMAC-SHA256 of the raw body, keyed with the app's client secret.
pub const HMAC_HEADER: &str = "X-Shopify-Hmac-Sha256";
/// `orders/create`, `orders/updated`…
pub const TOPIC_HEADER: &str = "X-Shopify-Topic";
/// The same for every redelivery of one event: the idempotency key.
pub const WEBHOOK_ID_HEADER: &str = "X-Shopify-Webhook-Id";
/// `{shop}.myshopify.com`: which shop sent it, to find the business.
pub const SHOP_DOMAIN_HEADER: &str = "X-Shopify-Shop-Domain";

/// The app's client secret, which signs its webhooks. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// The header values of a delivery, as the route found them.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookHeaders<'a> {
    pub hmac: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub webhook_id: Option<&'a str>,
    pub shop_domain: Option<&'a str>,
}

/// Which order event a webhook reports. All carry the whole order as it now is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderTopic {
    Created,
    Updated,
    Fulfilled,
    Paid,
    Cancelled,
}

impl OrderTopic {
    /// `None` for any topic that is not an order event this module reads.
    pub fn parse(topic: &str) -> Option<Self> {
        Some(match topic.trim() {
            "orders/create" => Self::Created,
            "orders/updated" => Self::Updated,
            "orders/fulfilled" => Self::Fulfilled,
            "orders/paid" => Self::Paid,
            "orders/cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

/// Shopify's id of one webhook event, the same on every retry of it: 1–128 characters of
/// a header-safe alphabet (Shopify sends a UUID), so it can be stored and logged as is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebhookId(String);

impl WebhookId {
    pub fn parse(id: &str) -> Option<Self> {
        let id = id.trim();
        let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
        ((1..=128).contains(&id.len()) && id.chars().all(safe)).then(|| Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A verified order webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderWebhook {
    pub id: WebhookId,
    pub topic: OrderTopic,
    /// `X-Shopify-Shop-Domain`, when sent.
    pub shop_domain: Option<String>,
    /// When Shopify last changed the order: deliveries can arrive out of order, and an
    /// older state must not overwrite a newer one.
    pub updated_at: Option<Timestamp>,
    pub order: Order,
}

/// Why a delivery was refused. The first two mean "not from Shopify" (answer 401); the
/// others mean a signed delivery we cannot use (answer 2xx for topics we don't read, so
/// Shopify stops retrying them; 400 for the rest).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("no X-Shopify-Hmac-Sha256 header")]
    MissingSignature,
    #[error("the X-Shopify-Hmac-Sha256 signature does not match the body")]
    BadSignature,
    #[error("no usable X-Shopify-Webhook-Id header")]
    MissingWebhookId,
    #[error("not an order webhook topic: {0:?}")]
    UnsupportedTopic(String),
    #[error("the order payload cannot be read: {0}")]
    MalformedBody(String),
}

/// Checks that `body` (the raw bytes, before any parsing) was signed with `secret`.
/// The comparison is constant-time, so timing leaks nothing of the expected value.
pub fn verify_signature(
    secret: &WebhookSecret,
    body: &[u8],
    signature: Option<&str>,
) -> Result<(), WebhookError> {
    let signature = signature
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(WebhookError::MissingSignature)?;
    let claimed = STANDARD
        .decode(signature)
        .map_err(|_| WebhookError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.0.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.verify_slice(&claimed)
        .map_err(|_| WebhookError::BadSignature)
}

/// Verifies a delivery and reads its order. The signature is checked before anything
/// else, so nothing of an unsigned body is ever parsed.
pub fn read_order_webhook(
    secret: &WebhookSecret,
    headers: WebhookHeaders<'_>,
    body: &[u8],
) -> Result<OrderWebhook, WebhookError> {
    verify_signature(secret, body, headers.hmac)?;
    let id = headers
        .webhook_id
        .and_then(WebhookId::parse)
        .ok_or(WebhookError::MissingWebhookId)?;
    let topic_name = headers.topic.unwrap_or_default();
    let topic = OrderTopic::parse(topic_name)
        .ok_or_else(|| WebhookError::UnsupportedTopic(topic_name.to_owned()))?;
    let payload: OrderPayload =
        serde_json::from_slice(body).map_err(|e| WebhookError::MalformedBody(e.to_string()))?;
    let updated_at = payload.updated_at;
    let order = payload.into_order().ok_or_else(|| {
        WebhookError::MalformedBody("the order has no usable name or creation time".to_owned())
    })?;
    Ok(OrderWebhook {
        id,
        topic,
        shop_domain: headers.shop_domain.map(|d| d.trim().to_ascii_lowercase()),
        updated_at,
        order,
    })
}

/// The REST JSON of an order, as webhooks send it; only the fields we keep.
#[derive(Deserialize)]
struct OrderPayload {
    name: String,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    cancelled_at: Option<Timestamp>,
    financial_status: Option<String>,
    fulfillment_status: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    customer: Option<CustomerPayload>,
    #[serde(default)]
    fulfillments: Vec<FulfillmentPayload>,
}

#[derive(Deserialize)]
struct CustomerPayload {
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
struct FulfillmentPayload {
    tracking_company: Option<String>,
    tracking_number: Option<String>,
    tracking_url: Option<String>,
}

impl OrderPayload {
    fn into_order(self) -> Option<Order> {
        let customer = self.customer.as_ref();
        ShopifyOrder {
            name: &self.name,
            created_at: self.created_at,
            cancelled_at: self.cancelled_at,
            financial_status: self.financial_status.as_deref(),
            fulfillment_status: self.fulfillment_status.as_deref(),
            shipments: self
                .fulfillments
                .iter()
                .filter_map(|f| {
                    shipment(
                        f.tracking_company.as_deref(),
                        f.tracking_number.as_deref(),
                        f.tracking_url.as_deref(),
                    )
                })
                .collect(),
            phones: [
                self.phone.as_deref(),
                customer.and_then(|c| c.phone.as_deref()),
            ]
            .into_iter()
            .flatten()
            .collect(),
            emails: [
                self.email.as_deref(),
                customer.and_then(|c| c.email.as_deref()),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
        .into_order()
    }
}

#[cfg(test)]
mod tests {
    use frontdesk_core::orders::{FulfillmentStatus, PaymentStatus};

    use super::*;

    const SECRET: &str = "hush";

    /// A trimmed `orders/fulfilled` payload in Shopify's REST shape.
    const BODY: &str = r##"{"id":450789469,"name":"#1001","created_at":"2026-11-20T10:00:00-05:00","updated_at":"2026-11-21T09:30:00-05:00","cancelled_at":null,"financial_status":"paid","fulfillment_status":"fulfilled","phone":null,"email":"Ana@Example.com","customer":{"id":1,"phone":"+14155550100","email":"ana@example.com"},"fulfillments":[{"id":1,"tracking_company":"UPS","tracking_number":"1Z999AA10123456784","tracking_url":"https://www.ups.com/track?tracknum=1Z999AA10123456784","tracking_numbers":["1Z999AA10123456784"]},{"id":2,"tracking_company":null,"tracking_number":null,"tracking_url":null}],"line_items":[{"title":"Secret gift"}]}"##;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        STANDARD.encode(mac.finalize().into_bytes())
    }

    fn headers(hmac: Option<&str>) -> WebhookHeaders<'_> {
        WebhookHeaders {
            hmac,
            topic: Some("orders/fulfilled"),
            webhook_id: Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
            shop_domain: Some("Maple.myshopify.com"),
        }
    }

    #[test]
    fn a_published_hmac_sha256_vector_verifies() {
        // RFC 2104 HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"),
        // f7bc83f4…3cd8 in hex, here in base64 as Shopify sends it.
        let secret = WebhookSecret::new("key");
        let body = b"The quick brown fox jumps over the lazy dog";
        let signature = "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=";
        assert_eq!(verify_signature(&secret, body, Some(signature)), Ok(()));
        assert_eq!(
            verify_signature(
                &secret,
                b"The quick brown fox jumps over the lazy cat",
                Some(signature)
            ),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn a_signed_delivery_becomes_an_order() {
        let signature = sign(SECRET, BODY.as_bytes());
        let webhook = read_order_webhook(
            &WebhookSecret::new(SECRET),
            headers(Some(&signature)),
            BODY.as_bytes(),
        )
        .unwrap();
        assert_eq!(webhook.id.as_str(), "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
        assert_eq!(webhook.topic, OrderTopic::Fulfilled);
        assert_eq!(webhook.shop_domain.as_deref(), Some("maple.myshopify.com"));
        assert_eq!(
            webhook.updated_at,
            Some("2026-11-21T14:30:00Z".parse().unwrap())
        );
        let order = webhook.order;
        assert_eq!(order.number.as_str(), "1001");
        assert_eq!(order.placed_at, "2026-11-20T15:00:00Z".parse().unwrap());
        assert_eq!(order.payment, PaymentStatus::Paid);
        assert_eq!(order.fulfillment, FulfillmentStatus::Fulfilled);
        assert_eq!(
            order.shipments.len(),
            1,
            "the entry without tracking is skipped"
        );
        assert_eq!(order.shipments[0].carrier, "UPS");
        assert_eq!(
            order.shipments[0].tracking_number.as_deref(),
            Some("1Z999AA10123456784")
        );
        assert_eq!(order.phone.unwrap().as_str(), "+14155550100");
        assert_eq!(order.email.as_deref(), Some("ana@example.com"));
    }

    #[test]
    fn a_tampered_body_a_wrong_secret_or_no_signature_is_refused() {
        let secret = WebhookSecret::new(SECRET);
        let signature = sign(SECRET, BODY.as_bytes());
        let tampered = BODY.replace("\"paid\"", "\"refunded\"");
        assert_eq!(
            read_order_webhook(&secret, headers(Some(&signature)), tampered.as_bytes()),
            Err(WebhookError::BadSignature)
        );
        let forged = sign("not-the-secret", BODY.as_bytes());
        assert_eq!(
            read_order_webhook(&secret, headers(Some(&forged)), BODY.as_bytes()),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            read_order_webhook(&secret, headers(None), BODY.as_bytes()),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            read_order_webhook(&secret, headers(Some("  ")), BODY.as_bytes()),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            read_order_webhook(&secret, headers(Some("not base64!")), BODY.as_bytes()),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn an_unsigned_body_is_never_parsed() {
        let secret = WebhookSecret::new(SECRET);
        let garbage = b"{not json";
        let forged = sign("other", garbage);
        assert_eq!(
            read_order_webhook(&secret, headers(Some(&forged)), garbage),
            Err(WebhookError::BadSignature)
        );
        let signed = sign(SECRET, garbage);
        assert!(matches!(
            read_order_webhook(&secret, headers(Some(&signed)), garbage),
            Err(WebhookError::MalformedBody(_))
        ));
    }

    #[test]
    fn signed_deliveries_without_an_id_or_of_other_topics_are_refused() {
        let secret = WebhookSecret::new(SECRET);
        let signature = sign(SECRET, BODY.as_bytes());
        let no_id = WebhookHeaders {
            webhook_id: Some("a b"),
            ..headers(Some(&signature))
        };
        assert_eq!(
            read_order_webhook(&secret, no_id, BODY.as_bytes()),
            Err(WebhookError::MissingWebhookId)
        );
        let products = WebhookHeaders {
            topic: Some("products/update"),
            ..headers(Some(&signature))
        };
        assert_eq!(
            read_order_webhook(&secret, products, BODY.as_bytes()),
            Err(WebhookError::UnsupportedTopic("products/update".into()))
        );
    }

    #[test]
    fn a_cancelled_unpaid_order_reads_as_cancelled() {
        let body = r##"{"name":"#1002","created_at":"2026-11-20T10:00:00Z","cancelled_at":"2026-11-20T11:00:00Z","financial_status":"voided","fulfillment_status":null}"##;
        let signature = sign(SECRET, body.as_bytes());
        let headers = WebhookHeaders {
            topic: Some("orders/cancelled"),
            ..headers(Some(&signature))
        };
        let webhook =
            read_order_webhook(&WebhookSecret::new(SECRET), headers, body.as_bytes()).unwrap();
        assert_eq!(webhook.topic, OrderTopic::Cancelled);
        assert_eq!(webhook.order.fulfillment, FulfillmentStatus::Cancelled);
        assert_eq!(webhook.order.payment, PaymentStatus::Voided);
        assert_eq!(webhook.order.phone, None);
        assert_eq!(webhook.updated_at, None);
    }

    #[test]
    fn the_secret_never_prints() {
        assert_eq!(
            format!("{:?}", WebhookSecret::new(SECRET)),
            "WebhookSecret([redacted])"
        );
    }
}
