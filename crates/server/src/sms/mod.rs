//! The SMS channel: a visitor texts the business's number, the provider's webhook brings
//! the text here and it is stored before the webhook is acknowledged; the inbox worker
//! answers carrier keywords (STOP, START, HELP) before anything else, gives other texts
//! the same assistant turn as chat, and queues the reply in a durable outbox until the
//! outbox worker hands it to the provider.
//!
//! Every text to a phone, a reply or a team notification, goes through [`SmsGate`], which
//! refuses numbers that opted out of the business's texts.

mod telnyx;
mod twilio;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use axum::Router;
use frontdesk_core::assistant::{IncomingMessage, LoadedBusiness, StoreError, TurnError};
use frontdesk_core::clock::Clock;
use frontdesk_core::conversation::{BusinessId, Channel, VisitorText};
use frontdesk_core::notify::{Sms, SmsError, SmsReceipt, SmsSender};
use frontdesk_core::sms::{self as rules, OutgoingKind, Triage};
use frontdesk_store::{InboundEvent, InboundText, OutgoingSms, PendingInbound, Store};
use jiff::{SignedDuration, Timestamp};
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::notifier::next_attempt;
use crate::AppState;
pub use telnyx::TelnyxWebhookKey;

/// Waits between attempts at answering a text, and at delivering one to a visitor;
/// after the last it is given up. Shorter than team notifications': a reply hours late
/// answers nothing.
const BACKOFF_MINUTES: [i64; 4] = [1, 2, 5, 15];

/// Texts claimed per business per round (inbound and outbound alike).
const BATCH: u32 = 20;

/// Largest webhook body accepted (a text is at most a few KB of JSON).
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

/// Routes under `/sms`.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/telnyx/{slug}", post(telnyx::inbound))
        .route("/twilio/{slug}", post(twilio::inbound))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
}

/// What the SMS routes share.
#[derive(Debug)]
pub(crate) struct SmsChannel {
    /// Verifies Telnyx's webhooks; without it the Telnyx route refuses every request.
    pub(crate) telnyx_key: Option<TelnyxWebhookKey>,
    /// Wakes the inbox worker when a text arrives.
    pub(crate) received: Arc<Notify>,
    /// Wakes the outbox worker when a text is queued, so replies don't wait for a tick.
    pub(crate) queued: Arc<Notify>,
}

/// The one way a text reaches a phone: it checks the business's opt-outs first.
#[derive(Debug, Clone)]
pub struct SmsGate {
    store: Store,
    sender: Arc<dyn SmsSender>,
}

/// Why the gate did not hand a text over.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The recipient texted STOP to this business; nothing was sent.
    #[error("the number opted out of this business's text messages")]
    OptedOut,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Send(#[from] SmsError),
}

impl GateError {
    /// Whether trying again later may help.
    pub fn is_retryable(&self) -> bool {
        match self {
            GateError::OptedOut => false,
            GateError::Store(_) => true,
            GateError::Send(error) => error.is_retryable(),
        }
    }
}

impl SmsGate {
    /// A gate over `sender`, checking opt-outs in `store`.
    pub fn new(store: Store, sender: Arc<dyn SmsSender>) -> Self {
        Self { store, sender }
    }

    /// Sends `sms` on behalf of `business` unless its recipient opted out of the
    /// business's texts; only the confirmation of that opt-out itself gets through.
    pub async fn send(
        &self,
        business: BusinessId,
        sms: &Sms,
        kind: OutgoingKind,
    ) -> Result<SmsReceipt, GateError> {
        if kind == OutgoingKind::Regular && self.store.sms_opted_out(business, &sms.to).await? {
            tracing::info!(to = %sms.to.masked(), "text withheld: the number opted out");
            return Err(GateError::OptedOut);
        }
        Ok(self.sender.send(sms).await?)
    }
}

/// Why an inbound text could not be answered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AnswerError {
    /// The business was deleted after the text arrived; it will never be answered.
    #[error("the business no longer exists")]
    BusinessGone,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Turn(#[from] TurnError),
}

/// What to text back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SmsDecision {
    Send {
        body: String,
        kind: OutgoingKind,
    },
    /// Nothing: the number opted out, or the text had nothing to answer.
    Silent,
}

/// What became of a provider's event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Received {
    /// Stored, to be answered by the inbox worker.
    Accepted,
    /// Stored before: a provider retry, ignored.
    Duplicate,
}

/// Answers one inbound text, whichever provider brought it: keywords first (opt-outs
/// recorded durably before the confirmation is decided), then the assistant turn of the
/// number's ongoing conversation. Provider-agnostic: it returns what to text back and
/// leaves sending to the caller.
pub(crate) async fn answer_inbound(
    state: &AppState,
    business: &Arc<LoadedBusiness>,
    inbound: &InboundText,
) -> Result<SmsDecision, AnswerError> {
    let now = state.clock.now();
    let opted_out = state
        .store
        .sms_opted_out(business.id, &inbound.from)
        .await?;
    let triage = rules::triage(&inbound.text, opted_out, &business.knowledge.business);
    let regular = |body: String| SmsDecision::Send {
        body,
        kind: OutgoingKind::Regular,
    };
    Ok(match triage {
        Triage::OptOut { confirmation } => {
            state
                .store
                .record_sms_opt_out(business.id, &inbound.from, now)
                .await?;
            tracing::info!(from = %inbound.from.masked(), "number opted out of texts");
            SmsDecision::Send {
                body: confirmation,
                kind: OutgoingKind::OptOutConfirmation,
            }
        }
        Triage::OptIn { confirmation } => {
            state
                .store
                .clear_sms_opt_out(business.id, &inbound.from)
                .await?;
            regular(confirmation)
        }
        Triage::Help { reply } => regular(reply),
        Triage::Silent => SmsDecision::Silent,
        // A business whose assistant is off for non-payment says how to reach it instead.
        Triage::Assistant
            if !crate::billing::standing(state, business)
                .await
                .assistant_answers() =>
        {
            regular(crate::billing::contact_notice(business))
        }
        Triage::Assistant => match VisitorText::parse(&inbound.text) {
            Ok(text) => regular(rules::sms_reply(
                &take_turn(state, business, inbound, text).await?,
            )),
            Err(reason) => {
                tracing::info!(%reason, "inbound text not answered");
                SmsDecision::Silent
            }
        },
    })
}

/// The assistant's turn in the number's conversation (a new one if there is none yet, or
/// if the old one is gone); returns the reply as the assistant wrote it.
async fn take_turn(
    state: &AppState,
    business: &Arc<LoadedBusiness>,
    inbound: &InboundText,
    text: VisitorText,
) -> Result<String, AnswerError> {
    let thread = state
        .store
        .sms_thread(business.id, &inbound.from, state.clock.now())
        .await?;
    let incoming = |conversation| IncomingMessage {
        visitor: thread.visitor.clone(),
        conversation,
        text: text.clone(),
        channel: Channel::Sms,
        page_url: None,
    };
    let outcome = match state
        .assistant
        .take_turn(business, incoming(thread.conversation))
        .await
    {
        Err(TurnError::ConversationNotFound) if thread.conversation.is_some() => {
            state.assistant.take_turn(business, incoming(None)).await?
        }
        other => other?,
    };
    state
        .store
        .continue_sms_thread(
            business.id,
            &inbound.from,
            outcome.conversation,
            state.clock.now(),
        )
        .await?;
    crate::api::sync_calendar(state, business.id, &outcome);
    crate::api::grade_in_background(state, business.clone(), &outcome);
    Ok(outcome.reply)
}

/// Receives a provider's event once: the text is stored durably (a retry of a stored
/// event changes nothing) and the inbox worker woken, so the webhook is acknowledged
/// within the provider's deadline however long the answer takes.
pub(crate) async fn receive(
    state: &AppState,
    business: BusinessId,
    event: InboundEvent<'_>,
    inbound: &InboundText,
) -> Result<Received, ApiError> {
    let stored = state
        .store
        .receive_sms(business, event, inbound, state.clock.now())
        .await?;
    if !stored {
        return Ok(Received::Duplicate);
    }
    state.sms.received.notify_one();
    Ok(Received::Accepted)
}

/// How long finished texts (answered, sent or given up) stay in the inbox and outbox.
const KEEP_FINISHED: SignedDuration = SignedDuration::from_hours(7 * 24);

/// How often finished texts are cleared out.
const FORGET_EVERY: SignedDuration = SignedDuration::from_hours(1);

/// Answers stored inbound texts, in the order they came, and queues the answers; once an
/// hour it clears out finished texts.
#[derive(Debug, Clone)]
pub(crate) struct SmsInbox {
    pub(crate) state: AppState,
    /// When finished texts are next cleared out.
    pub(crate) next_forget: Arc<Mutex<Option<Timestamp>>>,
}

impl SmsInbox {
    /// Runs rounds forever: every `interval`, and whenever a text arrives.
    pub(crate) async fn run(self, interval: Duration) {
        let woken = self.state.sms.received.clone();
        rounds(interval, &woken, "sms inbox", || self.answer_due()).await;
    }

    /// One round: answers what is waiting, and clears out finished texts when due.
    async fn answer_due(&self) -> Result<(), StoreError> {
        let state = &self.state;
        self.forget_finished().await?;
        for pending in state
            .store
            .claim_inbound_sms(state.clock.now(), BATCH)
            .await?
        {
            let answered = self.answer(&pending).await;
            let now = state.clock.now();
            match answered {
                Ok(queued) => {
                    if queued {
                        state.sms.queued.notify_one();
                    }
                }
                Err(error) => {
                    let retryable = !matches!(error, AnswerError::BusinessGone);
                    let retry_at = next_attempt(&BACKOFF_MINUTES, pending.attempts, retryable, now);
                    tracing::warn!(event = %pending.event_id, %error, retry = retry_at.is_some(), "inbound text not answered");
                    state
                        .store
                        .inbound_sms_failed(
                            pending.business,
                            pending.event(),
                            &error.to_string(),
                            retry_at,
                            now,
                        )
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Deletes texts finished more than [`KEEP_FINISHED`] ago, at most every
    /// [`FORGET_EVERY`].
    async fn forget_finished(&self) -> Result<(), StoreError> {
        let now = self.state.clock.now();
        {
            let mut next = self.next_forget.lock().expect("sms inbox lock");
            if next.is_some_and(|at| now < at) {
                return Ok(());
            }
            *next = now.checked_add(FORGET_EVERY).ok();
        }
        let before = now.checked_sub(KEEP_FINISHED).unwrap_or(now);
        let forgotten = self.state.store.forget_finished_sms(before).await?;
        if forgotten > 0 {
            tracing::info!(forgotten, "finished texts cleared out");
        }
        Ok(())
    }

    /// Answers one text; `true` when an answer was queued.
    async fn answer(&self, pending: &PendingInbound) -> Result<bool, AnswerError> {
        let state = &self.state;
        let slug = state
            .store
            .business_slug(pending.business)
            .await?
            .ok_or(AnswerError::BusinessGone)?;
        // A business deleted or closed since the text arrived answers no one.
        let Some(crate::cache::Found::Open(business)) =
            state.businesses.get(&state.store, &slug).await?
        else {
            return Err(AnswerError::BusinessGone);
        };
        let inbound = &pending.text;
        let outgoing = match answer_inbound(state, &business, inbound).await? {
            SmsDecision::Send { body, kind } => Some(OutgoingSms {
                from: inbound.to.clone(),
                to: inbound.from.clone(),
                body,
                kind,
            }),
            SmsDecision::Silent => None,
        };
        let answered = state
            .store
            .answer_sms_event(
                pending.business,
                pending.event(),
                outgoing.as_ref(),
                state.clock.now(),
            )
            .await?;
        Ok(answered && outgoing.is_some())
    }
}

/// Delivers queued texts to visitors through the gate, with retries. A server without an
/// SMS provider runs none, and texts wait in the outbox until one is configured.
#[derive(Debug, Clone)]
pub(crate) struct SmsOutbox {
    pub(crate) store: Store,
    pub(crate) gate: SmsGate,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) queued: Arc<Notify>,
}

impl SmsOutbox {
    /// Runs rounds forever: every `interval`, and whenever a text is queued.
    pub(crate) async fn run(self, interval: Duration) {
        rounds(interval, &self.queued, "sms outbox", || self.deliver_due()).await;
    }

    /// One round: sends what is due.
    async fn deliver_due(&self) -> Result<(), StoreError> {
        for due in self.store.claim_due_sms(self.clock.now(), BATCH).await? {
            let outcome = self.gate.send(due.business, &due.sms, due.kind).await;
            let now = self.clock.now();
            match outcome {
                Ok(_) => {
                    self.store.sms_sent(due.business, due.id, now).await?;
                }
                Err(error) => {
                    let retry_at =
                        next_attempt(&BACKOFF_MINUTES, due.attempts, error.is_retryable(), now);
                    tracing::warn!(id = %due.id, to = %due.sms.to.masked(), %error, retry = retry_at.is_some(), "text not delivered");
                    self.store
                        .sms_failed(due.business, due.id, &error.to_string(), retry_at, now)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// Runs `round` forever: every `interval`, and at once whenever `woken` is notified.
async fn rounds<F, Fut>(interval: Duration, woken: &Notify, name: &str, round: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = woken.notified() => {}
        }
        if let Err(error) = round().await {
            tracing::warn!(%error, "{name} round failed");
        }
    }
}
