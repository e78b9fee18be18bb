//! A shop's orders, as a port: the phone and chat assistants ask "where is my order?" and
//! an adapter answers from the shop's system (Shopify's Admin API) or from orders the shop
//! imported from a CSV file.
//!
//! The types carry only what a caller may be told about their own order — status, carrier
//! and tracking — plus the contact details used to confirm the caller owns it
//! ([`Order::belongs_to`]). Line items, addresses and payment details never enter the
//! domain, so no reply can read them out.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use jiff::Timestamp;

use crate::notify::PhoneNumber;

/// A shop's order number as customers quote it ("1001" for Shopify's `#1001`): ASCII
/// letters and digits only, 1–32 of them, upper-cased; `#`, spaces and dashes are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderNumber(String);

impl OrderNumber {
    /// `None` when nothing order-number-like remains after dropping `#`, spaces and `-`.
    pub fn parse(text: &str) -> Option<Self> {
        let kept: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, '#' | ' ' | '-'))
            .collect();
        let ok = (1..=32).contains(&kept.len()) && kept.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| Self(kept.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether the order has been paid for, in the shop's words reduced to what a caller
/// needs to hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    Pending,
    Paid,
    PartiallyRefunded,
    Refunded,
    Voided,
}

impl PaymentStatus {
    /// The stored (and CSV) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Voided => "voided",
        }
    }

    /// Parses a stored name, case-insensitively and with spaces or dashes for `_`
    /// (Shopify's exports say "Partially refunded").
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Paid,
            Self::PartiallyRefunded,
            Self::Refunded,
            Self::Voided,
        ]
        .into_iter()
        .find(|status| status.as_str() == status_key(text))
    }
}

/// "Partially refunded", "partially-refunded" → "partially_refunded".
fn status_key(text: &str) -> String {
    text.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// How far the goods have got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FulfillmentStatus {
    Unfulfilled,
    PartiallyFulfilled,
    Fulfilled,
    /// The order was cancelled; nothing will ship.
    Cancelled,
}

impl FulfillmentStatus {
    /// The stored (and CSV) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unfulfilled => "unfulfilled",
            Self::PartiallyFulfilled => "partially_fulfilled",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name like [`PaymentStatus::parse`]; "shipped" means fulfilled.
    pub fn parse(text: &str) -> Option<Self> {
        match status_key(text).as_str() {
            "shipped" => Some(Self::Fulfilled),
            "canceled" => Some(Self::Cancelled),
            key => [
                Self::Unfulfilled,
                Self::PartiallyFulfilled,
                Self::Fulfilled,
                Self::Cancelled,
            ]
            .into_iter()
            .find(|status| status.as_str() == key),
        }
    }
}

/// One parcel on its way: what a caller asks for after "has it shipped?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    /// As the shop records it ("UPS", "USPS", "DHL Express"); may be empty.
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
}

/// An order as the assistant may discuss it with its owner.
#[derive(Clone, PartialEq, Eq)]
pub struct Order {
    pub number: OrderNumber,
    pub placed_at: Timestamp,
    pub payment: PaymentStatus,
    pub fulfillment: FulfillmentStatus,
    pub shipments: Vec<Shipment>,
    /// The customer's phone on the order, used to match caller ID and to confirm a caller
    /// who quoted only the number. Never read out.
    pub phone: Option<PhoneNumber>,
    /// The customer's email, lower-cased, for the same confirmation. Never read out.
    pub email: Option<String>,
}

impl Order {
    /// Whether `phone` or `email` (as a caller gave them) matches the contact on the order:
    /// the check before any detail of an order found by number alone is read out.
    pub fn belongs_to(&self, phone: Option<&PhoneNumber>, email: Option<&str>) -> bool {
        let phone_matches = matches!((phone, &self.phone), (Some(a), Some(b)) if a == b);
        let email_matches = matches!(
            (email, &self.email),
            (Some(a), Some(b)) if a.trim().eq_ignore_ascii_case(b)
        );
        phone_matches || email_matches
    }
}

impl fmt::Debug for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Order")
            .field("number", &self.number)
            .field("placed_at", &self.placed_at)
            .field("payment", &self.payment)
            .field("fulfillment", &self.fulfillment)
            .field("shipments", &self.shipments.len())
            .field("phone", &self.phone.as_ref().map(|_| "<redacted>"))
            .field("email", &self.email.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why an order lookup failed. No variant ever holds a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The shop's system asked us to slow down; `retry_after` is its own hint.
    #[error("rate limited by the order system")]
    RateLimited { retry_after: Option<Duration> },
    /// The stored credentials no longer work: the owner must reconnect.
    #[error("the order system refused our credentials")]
    Unauthorized,
    /// Network failure, timeout or a 5xx: may work if tried again later.
    #[error("the order system is unavailable: {0}")]
    Unavailable(String),
    /// An answer we cannot read, or a request the system rejected.
    #[error("the order system rejected the request: {0}")]
    Rejected(String),
}

/// The boxed future of an order lookup, so sources can be chosen at run time.
pub type OrderFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, OrderError>> + Send + 'a>>;

/// Where a shop's orders come from: Shopify, or the local store of imported orders.
pub trait OrderSource: Send + Sync + fmt::Debug {
    /// The order with this number, if the shop has one.
    fn by_number<'a>(&'a self, number: &'a OrderNumber) -> OrderFuture<'a, Option<Order>>;
    /// The most recent orders (newest first, at most `limit`) whose customer has this
    /// phone number: how a caller is recognised by caller ID.
    fn by_phone<'a>(&'a self, phone: &'a PhoneNumber, limit: usize) -> OrderFuture<'a, Vec<Order>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Order {
        Order {
            number: OrderNumber::parse("#1001").unwrap(),
            placed_at: Timestamp::UNIX_EPOCH,
            payment: PaymentStatus::Paid,
            fulfillment: FulfillmentStatus::Fulfilled,
            shipments: vec![],
            phone: Some(PhoneNumber::parse("+14155550100").unwrap()),
            email: Some("ana@example.com".into()),
        }
    }

    #[test]
    fn order_numbers_are_read_the_way_customers_quote_them() {
        assert_eq!(OrderNumber::parse("#1001").unwrap().as_str(), "1001");
        assert_eq!(OrderNumber::parse(" ab-12 34 ").unwrap().as_str(), "AB1234");
        assert_eq!(OrderNumber::parse("# -"), None);
        assert_eq!(OrderNumber::parse("10.01"), None);
        assert_eq!(OrderNumber::parse(&"1".repeat(33)), None);
    }

    #[test]
    fn an_order_belongs_to_a_matching_phone_or_email_only() {
        let order = order();
        let phone = PhoneNumber::parse("+14155550100").unwrap();
        let other = PhoneNumber::parse("+14155550199").unwrap();
        assert!(order.belongs_to(Some(&phone), None));
        assert!(order.belongs_to(None, Some(" ANA@example.com ")));
        assert!(!order.belongs_to(Some(&other), Some("bob@example.com")));
        assert!(!order.belongs_to(None, None));
    }

    #[test]
    fn statuses_round_trip_and_read_shop_exports() {
        assert_eq!(
            PaymentStatus::parse("Partially refunded"),
            Some(PaymentStatus::PartiallyRefunded)
        );
        assert_eq!(
            PaymentStatus::parse(PaymentStatus::Voided.as_str()),
            Some(PaymentStatus::Voided)
        );
        assert_eq!(
            FulfillmentStatus::parse("Shipped"),
            Some(FulfillmentStatus::Fulfilled)
        );
        assert_eq!(
            FulfillmentStatus::parse("canceled"),
            Some(FulfillmentStatus::Cancelled)
        );
        assert_eq!(PaymentStatus::parse("lost"), None);
    }

    #[test]
    fn debug_output_hides_the_customer_contact() {
        let shown = format!("{:?}", order());
        assert!(!shown.contains("ana@example.com") && !shown.contains("+1415"));
    }
}
