//! Paid plans, seen from the domain: a business's subscription state as the payment
//! provider last reported it, and what that means for its assistant. A business that
//! stops paying keeps its assistant through a grace period, then its widget shows a
//! contact-the-business notice; its data is never deleted for non-payment.

use jiff::{SignedDuration, Timestamp};

use crate::conversation::BusinessId;

/// Grace after a payment fails, by default: two weeks of retries and reminders.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(14 * 24);

/// A subscription's status, as the payment provider names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Unpaid,
    Canceled,
    Paused,
}

impl SubscriptionStatus {
    const ALL: [(SubscriptionStatus, &'static str); 8] = [
        (SubscriptionStatus::Incomplete, "incomplete"),
        (SubscriptionStatus::IncompleteExpired, "incomplete_expired"),
        (SubscriptionStatus::Trialing, "trialing"),
        (SubscriptionStatus::Active, "active"),
        (SubscriptionStatus::PastDue, "past_due"),
        (SubscriptionStatus::Unpaid, "unpaid"),
        (SubscriptionStatus::Canceled, "canceled"),
        (SubscriptionStatus::Paused, "paused"),
    ];

    /// The stable id, as stored and as the provider sends it.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(status, _)| *status == self)
            .map_or("unknown", |(_, id)| id)
    }

    /// Parses the provider's (or the store's) id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, name)| *name == id)
            .map(|(status, _)| *status)
    }

    /// Payment is owed: the grace period runs.
    pub fn is_overdue(self) -> bool {
        matches!(self, Self::PastDue | Self::Unpaid)
    }

    /// The subscription is over for good: no later event about it revives it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Canceled | Self::IncompleteExpired)
    }

    /// Words for the owner's Billing page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Incomplete => "Waiting for the first payment",
            Self::IncompleteExpired => "First payment never completed",
            Self::Trialing => "Trial",
            Self::Active => "Active",
            Self::PastDue => "Payment overdue",
            Self::Unpaid => "Unpaid",
            Self::Canceled => "Cancelled",
            Self::Paused => "Paused",
        }
    }
}

/// What the payment provider last told us about a business's subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub business: BusinessId,
    pub plan: Option<String>,
    /// `None` until the provider reports a status.
    pub status: Option<SubscriptionStatus>,
    /// When payment first became overdue (cleared once paid).
    pub overdue_since: Option<Timestamp>,
    pub current_period_end: Option<Timestamp>,
    /// The business's customer at the provider, for its customer portal.
    pub customer: Option<String>,
}

/// Whether a business's assistant answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Paid up, trialing, or not (yet) billed.
    InGoodStanding,
    /// Payment overdue; the assistant answers until then.
    InGrace { until: Timestamp },
    /// Overdue past the grace period, or the subscription ended: the widget shows a
    /// contact-the-business notice.
    Lapsed,
}

impl Standing {
    /// The standing of a business with this subscription (or none) at `now`. Without a
    /// subscription a business is in good standing: the operator decides who must pay.
    pub fn of(subscription: Option<&Subscription>, grace: SignedDuration, now: Timestamp) -> Self {
        let Some(status) = subscription.and_then(|s| s.status) else {
            return Self::InGoodStanding;
        };
        if status.is_overdue() {
            let since = subscription.and_then(|s| s.overdue_since).unwrap_or(now);
            let until = since.saturating_add(grace).unwrap_or(Timestamp::MAX);
            return if now < until {
                Self::InGrace { until }
            } else {
                Self::Lapsed
            };
        }
        match status {
            SubscriptionStatus::Canceled
            | SubscriptionStatus::IncompleteExpired
            | SubscriptionStatus::Paused => Self::Lapsed,
            _ => Self::InGoodStanding,
        }
    }

    /// Whether the assistant answers visitors.
    pub fn assistant_answers(self) -> bool {
        !matches!(self, Self::Lapsed)
    }
}

/// A change reported by the payment provider, stripped of its vendor's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingChange {
    /// The owner finished checkout: the business now has a customer (and usually a
    /// subscription) at the provider.
    CheckoutCompleted {
        business: BusinessId,
        customer: String,
        subscription: Option<String>,
        plan: Option<String>,
    },
    /// A subscription was created, changed or ended.
    Subscription {
        /// From the subscription's metadata, when checkout put it there.
        business: Option<BusinessId>,
        customer: String,
        subscription: String,
        status: SubscriptionStatus,
        plan: Option<String>,
        current_period_end: Option<Timestamp>,
    },
    /// An invoice was paid: whatever was overdue is settled.
    InvoicePaid {
        customer: String,
        subscription: Option<String>,
    },
    /// Collecting an invoice failed: payment is overdue.
    InvoicePaymentFailed {
        customer: String,
        subscription: Option<String>,
    },
}

/// One verified provider event: its id (for replays), when the provider created it (for
/// ordering), and what it changes (`None` for kinds we don't act on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingEvent {
    pub id: String,
    pub kind: String,
    pub created: Timestamp,
    pub change: Option<BillingChange>,
}

/// What storing a billing event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillingOutcome {
    /// The business's subscription changed.
    Applied {
        business: BusinessId,
        status: Option<SubscriptionStatus>,
    },
    /// Seen before (the provider retried or someone replayed it): nothing done.
    Replayed,
    /// Older than what we already have for this subscription: recorded, not applied.
    Stale,
    /// No business matches it (or a kind we don't act on): recorded, nothing changed.
    Unmatched,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + day * 86_400).unwrap()
    }

    fn subscription(status: SubscriptionStatus, overdue_since: Option<Timestamp>) -> Subscription {
        Subscription {
            business: BusinessId(uuid::Uuid::nil()),
            plan: Some("starter".into()),
            status: Some(status),
            overdue_since,
            current_period_end: None,
            customer: Some("cus_1".into()),
        }
    }

    #[test]
    fn an_overdue_business_keeps_its_assistant_through_the_grace_period() {
        let overdue = subscription(SubscriptionStatus::PastDue, Some(at(0)));
        assert_eq!(
            Standing::of(Some(&overdue), DEFAULT_GRACE, at(13)),
            Standing::InGrace { until: at(14) }
        );
        assert!(Standing::of(Some(&overdue), DEFAULT_GRACE, at(13)).assistant_answers());
        assert_eq!(
            Standing::of(Some(&overdue), DEFAULT_GRACE, at(14)),
            Standing::Lapsed
        );
        let unpaid = subscription(SubscriptionStatus::Unpaid, Some(at(0)));
        assert!(!Standing::of(Some(&unpaid), DEFAULT_GRACE, at(20)).assistant_answers());
    }

    #[test]
    fn unbilled_paid_and_trialing_businesses_answer_and_ended_ones_do_not() {
        assert_eq!(
            Standing::of(None, DEFAULT_GRACE, at(0)),
            Standing::InGoodStanding
        );
        for status in [
            SubscriptionStatus::Active,
            SubscriptionStatus::Trialing,
            SubscriptionStatus::Incomplete,
        ] {
            let s = subscription(status, None);
            assert!(Standing::of(Some(&s), DEFAULT_GRACE, at(0)).assistant_answers());
        }
        let ended = subscription(SubscriptionStatus::Canceled, None);
        assert_eq!(
            Standing::of(Some(&ended), DEFAULT_GRACE, at(0)),
            Standing::Lapsed
        );
    }

    #[test]
    fn statuses_round_trip_through_their_ids() {
        for (status, id) in SubscriptionStatus::ALL {
            assert_eq!(SubscriptionStatus::parse(id), Some(status));
            assert_eq!(status.as_str(), id);
        }
        assert_eq!(SubscriptionStatus::parse("bogus"), None);
    }
}
