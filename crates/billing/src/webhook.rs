//! Stripe's webhook events: the `Stripe-Signature` check and the reading of the events we
//! act on into the domain's [`BillingChange`]s.
//!
//! The header is `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…][,v0=…]`; the MAC is over
//! `"{t}.{raw body}"` with the endpoint's signing secret. Any one `v1` may match (Stripe
//! sends several while a secret is being rolled), compared in constant time, and the
//! timestamp must be within [`SIGNATURE_TOLERANCE`] of now, so a captured request can't be
//! replayed later (replays within it are caught by event id, durably, by the caller).

use frontdesk_core::billing::{BillingChange, BillingEvent, SubscriptionStatus};
use frontdesk_core::conversation::BusinessId;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use crate::Plans;

/// How far a signature's timestamp may be from now.
pub const SIGNATURE_TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or has no t= and v1= parts")]
    Malformed,
    #[error("the signature's timestamp is more than 5 minutes from now")]
    Stale,
    #[error("no v1 signature matches the body")]
    Mismatch,
}

/// Checks `header` against the raw `body` with the endpoint `secret` at `now`.
pub fn verify_signature(
    header: &str,
    body: &[u8],
    secret: &str,
    now: Timestamp,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => {
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let (Some(timestamp), false) = (timestamp, signatures.is_empty()) else {
        return Err(SignatureError::Malformed);
    };
    let signed_at = Timestamp::from_second(timestamp).map_err(|_| SignatureError::Malformed)?;
    if now.duration_since(signed_at).abs() > SIGNATURE_TOLERANCE {
        return Err(SignatureError::Stale);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // `verify_slice` compares in constant time; every candidate is checked.
    let matched = signatures.iter().fold(false, |found, candidate| {
        mac.clone().verify_slice(candidate).is_ok() | found
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Why a verified body could not be read as an event.
#[derive(Debug, thiserror::Error)]
#[error("the webhook body is not a Stripe event: {0}")]
pub struct EventError(String);

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: Value,
}

/// Reads a (verified) event body. Kinds we don't act on come back with no change, so they
/// are still recorded and acknowledged.
pub fn parse_event(body: &[u8], plans: &Plans) -> Result<BillingEvent, EventError> {
    let raw: RawEvent = serde_json::from_slice(body).map_err(|e| EventError(e.to_string()))?;
    let created = Timestamp::from_second(raw.created).map_err(|e| EventError(e.to_string()))?;
    let object = &raw.data.object;
    let change = match raw.kind.as_str() {
        "checkout.session.completed" => checkout_completed(object),
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => Some(subscription_change(object, plans)?),
        "invoice.paid" => text(object, "customer").map(|customer| BillingChange::InvoicePaid {
            customer,
            subscription: invoice_subscription(object),
        }),
        "invoice.payment_failed" => {
            text(object, "customer").map(|customer| BillingChange::InvoicePaymentFailed {
                customer,
                subscription: invoice_subscription(object),
            })
        }
        _ => None,
    };
    Ok(BillingEvent {
        id: raw.id,
        kind: raw.kind,
        created,
        change,
    })
}

/// A string field, or an expanded object's `id`.
fn text(object: &Value, field: &str) -> Option<String> {
    match object.get(field)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id")?.as_str().map(str::to_owned),
        _ => None,
    }
}

fn business_in(object: &Value, field: &str) -> Option<BusinessId> {
    let raw = object.get(field)?.as_str()?;
    uuid::Uuid::parse_str(raw).ok().map(BusinessId)
}

fn checkout_completed(session: &Value) -> Option<BillingChange> {
    let business = business_in(session, "client_reference_id")
        .or_else(|| business_in(session.get("metadata")?, "business_id"))?;
    Some(BillingChange::CheckoutCompleted {
        business,
        customer: text(session, "customer")?,
        subscription: text(session, "subscription"),
        plan: session
            .get("metadata")
            .and_then(|m| m.get("plan_id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn subscription_change(subscription: &Value, plans: &Plans) -> Result<BillingChange, EventError> {
    let missing = |field: &str| EventError(format!("the subscription has no {field}"));
    let status = subscription
        .get("status")
        .and_then(Value::as_str)
        .and_then(SubscriptionStatus::parse)
        .ok_or_else(|| missing("known status"))?;
    let first_item = subscription.pointer("/items/data/0");
    let price = first_item
        .and_then(|item| item.pointer("/price/id"))
        .and_then(Value::as_str);
    let plan = price
        .and_then(|price| plans.by_price(price))
        .map(|plan| plan.id.clone())
        .or_else(|| {
            subscription
                .pointer("/metadata/plan_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    // Older API versions put the period on the subscription, newer ones on its items.
    let current_period_end = subscription
        .get("current_period_end")
        .or_else(|| first_item.and_then(|item| item.get("current_period_end")))
        .and_then(Value::as_i64)
        .and_then(|seconds| Timestamp::from_second(seconds).ok());
    Ok(BillingChange::Subscription {
        business: subscription
            .get("metadata")
            .and_then(|m| business_in(m, "business_id")),
        customer: text(subscription, "customer").ok_or_else(|| missing("customer"))?,
        subscription: text(subscription, "id").ok_or_else(|| missing("id"))?,
        status,
        plan,
        current_period_end,
    })
}

/// The invoice's subscription: a top-level field in older API versions, under
/// `parent.subscription_details` in newer ones.
fn invoice_subscription(invoice: &Value) -> Option<String> {
    text(invoice, "subscription").or_else(|| {
        invoice
            .pointer("/parent/subscription_details/subscription")
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid","created":1795000000,"data":{"object":{"customer":"cus_1","subscription":"sub_1"}}}"#;

    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_795_000_100).unwrap()
    }

    #[test]
    fn a_known_vector_verifies() {
        // HMAC-SHA256("whsec_test_secret", "1795000000.{BODY}"), computed with Python's hmac.
        let header =
            "t=1795000000,v1=ed0990b3426e6a2ce283fcd2bb6f88b0626bdacdfa8327f46955595f9c69ef82";
        assert_eq!(verify_signature(header, BODY, SECRET, now()), Ok(()));
    }

    #[test]
    fn wrong_secret_tampered_body_and_stale_timestamps_are_refused() {
        let t = 1_795_000_000;
        let good = sign(SECRET, t, BODY);
        let wrong_secret = format!("t={t},v1={}", sign("whsec_other", t, BODY));
        assert_eq!(
            verify_signature(&wrong_secret, BODY, SECRET, now()),
            Err(SignatureError::Mismatch)
        );
        let tampered = String::from_utf8(BODY.to_vec())
            .unwrap()
            .replace("cus_1", "cus_2");
        assert_eq!(
            verify_signature(
                &format!("t={t},v1={good}"),
                tampered.as_bytes(),
                SECRET,
                now()
            ),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is signed too: moving it breaks the signature.
        assert_eq!(
            verify_signature(&format!("t={},v1={good}", t + 1), BODY, SECRET, now()),
            Err(SignatureError::Mismatch)
        );
        let old = t - 301;
        let stale = format!("t={old},v1={}", sign(SECRET, old, BODY));
        assert_eq!(
            verify_signature(&stale, BODY, SECRET, Timestamp::from_second(t).unwrap()),
            Err(SignatureError::Stale)
        );
        let future = t + 301;
        let early = format!("t={future},v1={}", sign(SECRET, future, BODY));
        assert_eq!(
            verify_signature(&early, BODY, SECRET, Timestamp::from_second(t).unwrap()),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn any_of_several_v1_signatures_may_match_and_v0_is_ignored() {
        let t = 1_795_000_000;
        let good = sign(SECRET, t, BODY);
        let other = sign("whsec_old", t, BODY);
        let header = format!("t={t}, v1={other}, v1={good}, v0={}", sign(SECRET, t, BODY));
        assert_eq!(verify_signature(&header, BODY, SECRET, now()), Ok(()));
        let only_v0 = format!("t={t},v0={good}");
        assert_eq!(
            verify_signature(&only_v0, BODY, SECRET, now()),
            Err(SignatureError::Malformed)
        );
        for malformed in ["", "v1=abc", "t=abc,v1=00", "t=1795000000"] {
            assert_eq!(
                verify_signature(malformed, BODY, SECRET, now()),
                Err(SignatureError::Malformed),
                "{malformed}"
            );
        }
    }

    #[test]
    fn events_are_read_in_old_and_new_api_shapes() {
        let plans = Plans::from_toml(
            "[[plan]]\nid = \"starter\"\nname = \"Starter\"\nstripe_price = \"price_s\"\n",
        )
        .unwrap();
        let business = "0192f1d2-0000-7000-8000-000000000001";
        let subscription = format!(
            r#"{{"id":"evt_2","type":"customer.subscription.updated","created":1795000000,"data":{{"object":{{"id":"sub_1","customer":"cus_1","status":"past_due","metadata":{{"business_id":"{business}"}},"items":{{"data":[{{"price":{{"id":"price_s"}},"current_period_end":1797000000}}]}}}}}}}}"#
        );
        let event = parse_event(subscription.as_bytes(), &plans).unwrap();
        assert_eq!(event.id, "evt_2");
        assert_eq!(
            event.change,
            Some(BillingChange::Subscription {
                business: Some(BusinessId(uuid::Uuid::parse_str(business).unwrap())),
                customer: "cus_1".into(),
                subscription: "sub_1".into(),
                status: SubscriptionStatus::PastDue,
                plan: Some("starter".into()),
                current_period_end: Some(Timestamp::from_second(1_797_000_000).unwrap()),
            })
        );
        let invoice = br#"{"id":"evt_3","type":"invoice.payment_failed","created":1795000000,"data":{"object":{"customer":"cus_1","parent":{"subscription_details":{"subscription":"sub_1"}}}}}"#;
        assert_eq!(
            parse_event(invoice, &plans).unwrap().change,
            Some(BillingChange::InvoicePaymentFailed {
                customer: "cus_1".into(),
                subscription: Some("sub_1".into())
            })
        );
        let other =
            br#"{"id":"evt_4","type":"charge.refunded","created":1795000000,"data":{"object":{}}}"#;
        assert_eq!(parse_event(other, &plans).unwrap().change, None);
        assert!(parse_event(b"{}", &plans).is_err());
    }
}
