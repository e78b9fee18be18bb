//! Delivers team notifications from the durable outbox: claims due rows, composes each
//! (from ids only, so no visitor data can be in it), sends it by email or SMS, and marks
//! it sent, or schedules a retry with backoff, or gives up and leaves the error for the
//! dashboard.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_core::assistant::StoreError;
use frontdesk_core::business::Business;
use frontdesk_core::clock::Clock;
use frontdesk_core::mail::Mailer;
use frontdesk_core::notify::{Notification, PhoneNumber};
use frontdesk_core::sms::OutgoingKind;
use frontdesk_store::{DueNotification, NotifyChannel, Store};
use jiff::{SignedDuration, Timestamp};

use crate::sms::SmsGate;

/// Waits between delivery attempts of one notification; after the last, it is given up.
const BACKOFF_MINUTES: [i64; 6] = [1, 5, 15, 60, 180, 720];

/// Rows claimed per round.
const BATCH: u32 = 20;

/// The delivery worker.
#[derive(Debug, Clone)]
pub struct Notifier {
    pub(crate) store: Store,
    pub(crate) mailer: Arc<dyn Mailer>,
    /// Texts go through the gate, so a member who texted STOP to the business's number
    /// gets no notification texts from it either.
    pub(crate) sms: Option<SmsGate>,
    pub(crate) public_url: String,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Notifier {
    /// Runs rounds forever, `interval` apart (the server spawns this).
    pub async fn run(self, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = self.deliver_due().await {
                tracing::warn!(%error, "notification round failed");
            }
        }
    }

    /// One round: delivers what is due. Returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let due = self
            .store
            .claim_due_notifications(self.clock.now(), BATCH)
            .await?;
        let mut sent = 0;
        for notification in due {
            let outcome = self.deliver(&notification).await;
            let now = self.clock.now();
            match outcome {
                Ok(()) => {
                    self.store.notification_sent(notification.id, now).await?;
                    sent += 1;
                }
                Err(Failure { message, retryable }) => {
                    let retry_at =
                        next_attempt(&BACKOFF_MINUTES, notification.attempts, retryable, now);
                    tracing::warn!(id = %notification.id, kind = notification.event.kind(), %message, retry = retry_at.is_some(), "notification not delivered");
                    self.store
                        .notification_failed(notification.id, &message, retry_at, now)
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    async fn deliver(&self, notification: &DueNotification) -> Result<(), Failure> {
        let stored = self
            .store
            .business_by_id(notification.business)
            .await
            .map_err(Failure::retry)?
            .ok_or_else(|| Failure::permanent("the business no longer exists"))?;
        let business =
            Business::from_toml(&stored.source).map_err(|e| Failure::permanent(e.to_string()))?;
        let text = Notification::compose(
            &notification.event,
            &business.name,
            &business.timezone,
            &self.public_url,
        );
        match notification.channel {
            NotifyChannel::Email => self
                .mailer
                .send(&text.mail(&notification.destination))
                .await
                .map_err(Failure::retry),
            NotifyChannel::Sms => {
                let sender = self
                    .sms
                    .as_ref()
                    .ok_or_else(|| Failure::permanent("no SMS provider is configured"))?;
                let phone = PhoneNumber::parse(&notification.destination)
                    .map_err(|e| Failure::permanent(e.to_string()))?;
                sender
                    .send(
                        notification.business,
                        &text.sms_to(phone),
                        OutgoingKind::Regular,
                    )
                    .await
                    .map(drop)
                    .map_err(|e| Failure {
                        retryable: e.is_retryable(),
                        message: e.to_string(),
                    })
            }
        }
    }
}

/// When to try a delivery again after `attempts` earlier tries, waiting `backoff[attempts]`
/// minutes; `None` when it is not worth retrying or the waits are used up.
pub(crate) fn next_attempt(
    backoff: &[i64],
    attempts: i64,
    retryable: bool,
    now: Timestamp,
) -> Option<Timestamp> {
    usize::try_from(attempts)
        .ok()
        .and_then(|n| backoff.get(n))
        .filter(|_| retryable)
        .and_then(|minutes| now.checked_add(SignedDuration::from_mins(*minutes)).ok())
}

/// Why a delivery failed, and whether trying again may help.
struct Failure {
    message: String,
    retryable: bool,
}

impl Failure {
    fn retry(error: impl std::fmt::Display) -> Self {
        Self {
            message: error.to_string(),
            retryable: true,
        }
    }

    fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }
}
