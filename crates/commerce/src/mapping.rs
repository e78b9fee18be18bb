//! Shopify's words for an order, read into the domain's [`Order`]: the Admin GraphQL API
//! (`PAID`, `PARTIALLY_FULFILLED`) and the webhooks' REST JSON (`paid`, `partial`) name
//! the same states in two spellings, and both arrive here.

use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::orders::{FulfillmentStatus, Order, OrderNumber, PaymentStatus, Shipment};
use jiff::Timestamp;

/// An order as Shopify describes it, before it is reduced to what a caller may hear.
#[derive(Debug, Default)]
pub(crate) struct ShopifyOrder<'a> {
    /// `"#1001"`, or with the shop's own prefix and suffix.
    pub name: &'a str,
    pub created_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub financial_status: Option<&'a str>,
    pub fulfillment_status: Option<&'a str>,
    pub shipments: Vec<Shipment>,
    /// The order's own phone and email first, then the customer's.
    pub phones: Vec<&'a str>,
    pub emails: Vec<&'a str>,
}

impl ShopifyOrder<'_> {
    /// `None` when the name holds no usable order number or the order has no creation
    /// time: such an order could never be matched to what a caller says.
    pub fn into_order(self) -> Option<Order> {
        Some(Order {
            number: OrderNumber::parse(self.name)?,
            placed_at: self.created_at?,
            payment: payment_status(self.financial_status),
            fulfillment: fulfillment_status(self.fulfillment_status, self.cancelled_at),
            shipments: self.shipments,
            phone: self.phones.into_iter().find_map(phone),
            email: self
                .emails
                .into_iter()
                .map(|e| e.trim().to_ascii_lowercase())
                .find(|e| e.contains('@')),
        })
    }
}

/// A tracking entry worth reading out: one with a carrier or a number.
pub(crate) fn shipment(
    company: Option<&str>,
    number: Option<&str>,
    url: Option<&str>,
) -> Option<Shipment> {
    let kept = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let carrier = kept(company);
    let tracking_number = kept(number);
    (carrier.is_some() || tracking_number.is_some()).then(|| Shipment {
        carrier: carrier.unwrap_or_default(),
        tracking_number,
        tracking_url: kept(url),
    })
}

/// Authorized, partially paid, expired or unknown all come down to "not paid yet".
fn payment_status(status: Option<&str>) -> PaymentStatus {
    match status.map(str::to_ascii_lowercase).as_deref() {
        Some("paid") => PaymentStatus::Paid,
        Some("partially_refunded") => PaymentStatus::PartiallyRefunded,
        Some("refunded") => PaymentStatus::Refunded,
        Some("voided") => PaymentStatus::Voided,
        _ => PaymentStatus::Pending,
    }
}

/// A cancelled order is cancelled whatever its fulfillment says; REST's `partial` and
/// GraphQL's `PARTIALLY_FULFILLED` are the same state; anything else (open, on hold,
/// scheduled, REST's `null`) has not shipped.
fn fulfillment_status(status: Option<&str>, cancelled_at: Option<Timestamp>) -> FulfillmentStatus {
    if cancelled_at.is_some() {
        return FulfillmentStatus::Cancelled;
    }
    match status.map(str::to_ascii_lowercase).as_deref() {
        Some("fulfilled") => FulfillmentStatus::Fulfilled,
        Some("partial" | "partially_fulfilled") => FulfillmentStatus::PartiallyFulfilled,
        _ => FulfillmentStatus::Unfulfilled,
    }
}

/// Shopify stores phones in E.164 but accepts them typed with spacing; the separators
/// are dropped. A number without a country code can't be matched to caller ID, so it
/// is not guessed at.
fn phone(text: &str) -> Option<PhoneNumber> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    PhoneNumber::parse(&compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed() -> Timestamp {
        "2026-11-20T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn both_spellings_of_a_status_read_the_same() {
        for (graphql, rest) in [
            ("PAID", "paid"),
            ("PARTIALLY_REFUNDED", "partially_refunded"),
        ] {
            assert_eq!(payment_status(Some(graphql)), payment_status(Some(rest)));
        }
        assert_eq!(payment_status(Some("AUTHORIZED")), PaymentStatus::Pending);
        assert_eq!(payment_status(None), PaymentStatus::Pending);
        assert_eq!(
            fulfillment_status(Some("PARTIALLY_FULFILLED"), None),
            fulfillment_status(Some("partial"), None)
        );
        assert_eq!(
            fulfillment_status(None, None),
            FulfillmentStatus::Unfulfilled
        );
        assert_eq!(
            fulfillment_status(Some("FULFILLED"), Some(placed())),
            FulfillmentStatus::Cancelled
        );
    }

    #[test]
    fn contacts_fall_back_to_the_customer_and_are_normalised() {
        let order = ShopifyOrder {
            name: "#1001",
            created_at: Some(placed()),
            phones: vec!["0415 555", "+1 (415) 555-0100"],
            emails: vec!["", " Ana@Example.COM "],
            ..ShopifyOrder::default()
        }
        .into_order()
        .unwrap();
        assert_eq!(order.number.as_str(), "1001");
        assert_eq!(order.phone.unwrap().as_str(), "+14155550100");
        assert_eq!(order.email.as_deref(), Some("ana@example.com"));
    }

    #[test]
    fn orders_without_a_number_or_a_date_are_dropped() {
        let nameless = ShopifyOrder {
            name: "#",
            created_at: Some(placed()),
            ..ShopifyOrder::default()
        };
        assert!(nameless.into_order().is_none());
        let undated = ShopifyOrder {
            name: "#1001",
            ..ShopifyOrder::default()
        };
        assert!(undated.into_order().is_none());
    }

    #[test]
    fn empty_tracking_entries_are_skipped() {
        assert_eq!(shipment(Some(" "), None, Some("https://t.example")), None);
        let parcel = shipment(None, Some("1Z999"), None).unwrap();
        assert_eq!(parcel.carrier, "");
        assert_eq!(parcel.tracking_number.as_deref(), Some("1Z999"));
    }
}
