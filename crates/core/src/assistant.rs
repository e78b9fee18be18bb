//! One conversation turn, channel-agnostic: validate → load context → draft a reply with
//! the configured provider → safety → persist → answer. Storage and reply generation are
//! ports (traits) so this module stays free of SQL, HTTP and vendors.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use crate::age;
use crate::booking::Taken;
use crate::business::Business;
use crate::clock::Clock;
use crate::conversation::{
    BusinessId, Channel, ConversationId, HistoryMessage, Message, Role, VisitorId, VisitorText,
};
use crate::engine::{self, Knowledge};
use crate::leads::manage::{self, ManageStep, Managed};
use crate::leads::{self, LeadDetails, LeadDraft, Step, StepContext};
use crate::llm::{TextSink, TokenUsage};
use crate::policy::{self, Findings, Policy, Release, SentenceGate};
use crate::safety::Safety;

/// How many earlier messages a provider sees; enough for follow-ups, bounded for cost.
pub const HISTORY_LIMIT: usize = 12;

/// Why storage failed. `NotFound` is a normal outcome the caller turns into a 404.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("storage failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A business ready to answer: its stored id, its indexed knowledge and its policy.
#[derive(Debug)]
pub struct LoadedBusiness {
    pub id: BusinessId,
    pub knowledge: Knowledge,
    pub policy: Policy,
    /// The business's own reply provider (its own model account), if it chose one;
    /// otherwise the assistant's default answers.
    pub provider: Option<Arc<dyn ReplyProvider>>,
}

impl LoadedBusiness {
    /// Indexes a validated business for answering.
    pub fn new(id: BusinessId, business: Business) -> Self {
        let policy = Policy::for_business(&business);
        Self {
            id,
            knowledge: Knowledge::new(business),
            policy,
            provider: None,
        }
    }

    /// The same business, answered by its own provider.
    pub fn with_provider(mut self, provider: Arc<dyn ReplyProvider>) -> Self {
        self.provider = Some(provider);
        self
    }
}

/// Everything that must be stored atomically for one turn.
#[derive(Debug, Clone)]
pub struct TurnRecord {
    pub business: BusinessId,
    pub conversation: ConversationId,
    /// True when this turn starts the conversation.
    pub is_new: bool,
    pub visitor: VisitorId,
    pub channel: Channel,
    pub page_url: Option<String>,
    pub visitor_message: Message,
    pub assistant_message: Message,
    pub safety: Safety,
    /// What the reply cost, when a model wrote it.
    pub usage: Option<ReplyUsage>,
    /// The conversation's lead-capture draft after this turn.
    pub lead_draft: DraftChange,
    /// A lead the visitor agreed to in this turn.
    pub lead: Option<LeadWrite>,
    /// The visitor asked for a person: the team is told (with the turn, durably).
    pub handoff: bool,
    /// The visitor said in this turn that they are under 13: the conversation is flagged
    /// for the owner to delete, and lead capture stops for it.
    pub flag_child: bool,
}

/// What a turn does to the conversation's lead-capture draft.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftChange {
    Keep,
    Set(Box<LeadDraft>),
    Clear,
}

/// A lead to store with the turn: a new one, or merged into the earlier lead of the same
/// visitor, phone or email (then `id` is that lead's).
#[derive(Debug, Clone, PartialEq)]
pub struct LeadWrite {
    pub id: uuid::Uuid,
    pub merge: bool,
    pub details: LeadDetails,
    /// The appointment booked with it this turn, to link to the lead.
    pub appointment: Option<uuid::Uuid>,
}

/// An appointment to book, as the assistant asks the store for it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingRequest {
    pub service: Option<String>,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Kept free around every appointment.
    pub buffer: jiff::SignedDuration,
    pub conversation: ConversationId,
    pub visitor: VisitorId,
}

/// A booked appointment: its id and the code the visitor quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub id: uuid::Uuid,
    pub code: String,
}

/// Something a turn did besides answering, for the widget to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TurnAction {
    LeadCaptured {
        lead_id: uuid::Uuid,
    },
    AppointmentBooked {
        appointment_id: uuid::Uuid,
        code: String,
    },
    AppointmentCancelled {
        appointment_id: uuid::Uuid,
    },
    AppointmentRescheduled {
        appointment_id: uuid::Uuid,
    },
}

/// Where conversations live. Implemented by the storage adapter.
pub trait ConversationStore: Send + Sync {
    /// The latest `limit` messages of a conversation, oldest first, but only if it belongs
    /// to this business and visitor; `NotFound` otherwise, so ids can't be probed.
    fn recent_messages(
        &self,
        business: BusinessId,
        conversation: ConversationId,
        visitor: &VisitorId,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Message>, StoreError>> + Send;

    /// Stores a turn durably (both messages, and the conversation when new) in one
    /// transaction; returns only once it is committed.
    fn record_turn(&self, turn: &TurnRecord)
        -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The lead-capture draft kept with a conversation of this business.
    fn lead_draft(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> impl Future<Output = Result<Option<LeadDraft>, StoreError>> + Send;

    /// Whether a conversation of this business was flagged as a child's (the visitor
    /// said they are under 13): no contact details are taken in it any more.
    fn flagged_as_child(
        &self,
        business: BusinessId,
        conversation: ConversationId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The earlier lead of the same visitor, phone or email in this business, to merge
    /// into rather than duplicate.
    fn matching_lead(
        &self,
        business: BusinessId,
        visitor: &VisitorId,
        details: &LeadDetails,
    ) -> impl Future<Output = Result<Option<uuid::Uuid>, StoreError>> + Send;

    /// Times already booked in `[from, to)`, for availability.
    fn taken_times(
        &self,
        business: BusinessId,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<Vec<Taken>, StoreError>> + Send;

    /// Books atomically; `Conflict` when the time was taken meanwhile. Durable on return.
    fn book(
        &self,
        business: BusinessId,
        request: &BookingRequest,
        now: Timestamp,
    ) -> impl Future<Output = Result<Booked, StoreError>> + Send;

    /// The booked (not cancelled) appointment of this business with a confirmation code.
    fn booked_appointment(
        &self,
        business: BusinessId,
        code: &str,
    ) -> impl Future<Output = Result<Option<Managed>, StoreError>> + Send;

    /// Cancels a booked appointment of this business.
    fn cancel_appointment(
        &self,
        business: BusinessId,
        appointment: uuid::Uuid,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Moves a booked appointment, as atomically as booking; `Conflict` when taken.
    fn move_appointment(
        &self,
        business: BusinessId,
        appointment: uuid::Uuid,
        start: Timestamp,
        end: Timestamp,
        buffer: jiff::SignedDuration,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Why a provider could not draft a reply.
#[derive(Debug, thiserror::Error)]
#[error("reply provider failed: {0}")]
pub struct ProviderError(pub String);

/// What a provider gets to draft one reply.
#[derive(Clone, Copy)]
pub struct DraftRequest<'a> {
    pub knowledge: &'a Knowledge,
    pub history: &'a [HistoryMessage],
    pub text: &'a str,
    pub now: Timestamp,
    /// Receives the draft's text as it is written, for providers that stream. It goes to
    /// the safety gate, never straight to the visitor.
    pub stream: TextSink<'a>,
}

impl std::fmt::Debug for DraftRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftRequest")
            .field("history", &self.history.len())
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// A drafted reply and, for model providers, what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The whole reply; it may differ from what was streamed when a provider fell back.
    pub text: String,
    pub usage: Option<ReplyUsage>,
}

impl Draft {
    /// A draft that cost nothing to make (the built-in engine).
    pub fn free(text: String) -> Self {
        Self { text, usage: None }
    }
}

/// Tokens and time one model-written reply took, for the owner's cost view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyUsage {
    /// "vendor/model".
    pub model: String,
    pub tokens: TokenUsage,
    /// Model calls made (one, plus one per round of tool calls).
    pub calls: u32,
    /// From asking the model to its whole reply.
    pub latency: Duration,
    /// From asking the model to its first streamed text, when it streamed any.
    pub first_text: Option<Duration>,
    /// Why the built-in engine answered instead, when it did.
    pub fallback: Option<String>,
}

/// The boxed future a provider returns, so providers can be chosen at run time.
pub type DraftFuture<'a> = Pin<Box<dyn Future<Output = Result<Draft, ProviderError>> + Send + 'a>>;

/// Produces reply text. The built-in engine is one; language-model providers are others.
pub trait ReplyProvider: Send + Sync + std::fmt::Debug {
    /// Drafts the reply to the visitor's latest message.
    fn draft<'a>(&'a self, request: DraftRequest<'a>) -> DraftFuture<'a>;
}

/// The offline engine: answers from verified data only, in microseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinEngine;

impl ReplyProvider for BuiltinEngine {
    fn draft<'a>(&'a self, request: DraftRequest<'a>) -> DraftFuture<'a> {
        let text = engine::reply(
            request.knowledge,
            request.history,
            request.text,
            request.now,
        );
        (request.stream)(&text);
        Box::pin(std::future::ready(Ok(Draft::free(text))))
    }
}

/// A visitor's message as it arrives from any channel.
#[derive(Debug, Clone)]
pub struct IncomingMessage {
    pub visitor: VisitorId,
    pub conversation: Option<ConversationId>,
    pub text: VisitorText,
    pub channel: Channel,
    pub page_url: Option<String>,
}

/// The answer to one turn.
#[derive(Debug, Clone)]
pub struct TurnOutcome {
    pub conversation: ConversationId,
    pub reply: String,
    pub safety: Safety,
    pub created_at: Timestamp,
    /// What the provider drafted, when the safety wall replaced it (for the quality log;
    /// never shown to the visitor).
    pub blocked_draft: Option<String>,
    pub usage: Option<ReplyUsage>,
    /// What else happened (a lead captured).
    pub actions: Vec<TurnAction>,
}

/// Why a turn failed.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error("conversation not found")]
    ConversationNotFound,
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
}

impl From<StoreError> for TurnError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => TurnError::ConversationNotFound,
            other => TurnError::Store(other),
        }
    }
}

/// Runs conversation turns against a store with a reply provider.
#[derive(Debug, Clone)]
pub struct Assistant<S> {
    store: S,
    provider: Arc<dyn ReplyProvider>,
    clock: Arc<dyn Clock>,
}

impl<S: ConversationStore> Assistant<S> {
    /// An assistant over a store, a provider and a clock.
    pub fn new(store: S, provider: Arc<dyn ReplyProvider>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            provider,
            clock,
        }
    }

    /// The store, for reads that are not turns (transcripts).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Takes one turn. The reply is returned only after both messages are committed.
    pub async fn take_turn(
        &self,
        business: &LoadedBusiness,
        incoming: IncomingMessage,
    ) -> Result<TurnOutcome, TurnError> {
        self.take_turn_streaming(business, incoming, &|_| {}).await
    }

    /// Takes one turn, releasing the reply to `release` sentence by sentence as the
    /// provider writes it, each sentence only once it has passed the post-check. The final
    /// reply in the outcome is authoritative: when the wall replaced the draft, or the
    /// provider fell back, it differs from what was released.
    pub async fn take_turn_streaming(
        &self,
        business: &LoadedBusiness,
        incoming: IncomingMessage,
        release: Release<'_>,
    ) -> Result<TurnOutcome, TurnError> {
        let (conversation, history, is_new, draft, flagged_before) = match incoming.conversation {
            Some(id) => {
                let history = self
                    .store
                    .recent_messages(business.id, id, &incoming.visitor, HISTORY_LIMIT)
                    .await?;
                let draft = self.store.lead_draft(business.id, id).await?;
                let flagged = self.store.flagged_as_child(business.id, id).await?;
                (id, history, false, draft, flagged)
            }
            None => (ConversationId::new(), Vec::new(), true, None, false),
        };
        // Children's privacy: once a visitor says they are under 13, nothing more is
        // captured in the conversation, and any draft of their details is dropped.
        let flag_child = !flagged_before && age::states_under_13(incoming.text.as_str());
        let child = flagged_before || flag_child;
        let draft = if child { None } else { draft };
        let received_at = self.clock.now();
        let business_data = &business.knowledge.business;
        // The wall, part one: the visitor's message is checked before any provider sees it.
        let pre = business.policy.pre_check(incoming.text.as_str());
        let text = incoming.text.as_str();
        let taken = if draft
            .as_ref()
            .is_some_and(|d| d.booking.is_some() || d.manage.is_some())
            || leads::wants_booking(text)
            || manage::wants_change(text).is_some()
        {
            let horizon = jiff::SignedDuration::from_hours(
                24 * i64::from(business_data.booking.horizon_days + 1),
            );
            let until = received_at.saturating_add(horizon).unwrap_or(received_at);
            self.store
                .taken_times(business.id, received_at, until)
                .await?
        } else {
            Vec::new()
        };
        let context = StepContext {
            health_detail: pre.has(policy::Rule::HealthDetail),
            taken: &taken,
            now: received_at,
        };
        let (mut lead_draft, mut lead, mut actions) = (DraftChange::Keep, None, Vec::new());
        if flag_child {
            lead_draft = DraftChange::Clear;
        }
        let managed = if child {
            (flag_child && health_only(&pre)).then(|| CHILD_NOTICE.to_owned())
        } else if health_only(&pre) {
            self.manage_turn(
                business,
                draft.as_ref(),
                text,
                &context,
                &mut lead_draft,
                &mut actions,
            )
            .await?
        } else {
            None
        };
        let capture = match managed {
            Some(_) => Step::Pass,
            None if child => Step::Pass,
            None => capture_step(business, draft, text, &pre, context),
        };
        let captured = managed.or(match capture {
            Step::Pass => None,
            Step::Ask { draft, reply } => {
                lead_draft = DraftChange::Set(Box::new(draft));
                Some(reply)
            }
            Step::Drop { reply } => {
                lead_draft = DraftChange::Clear;
                Some(reply)
            }
            Step::Complete {
                lead: details,
                reply,
                draft: mut kept,
            } => {
                let booked = match details.appointment {
                    None => Ok(None),
                    Some(slot) => {
                        let request = BookingRequest {
                            service: details.interest.clone(),
                            start: slot.start,
                            end: slot.end,
                            buffer: jiff::SignedDuration::from_mins(i64::from(
                                business_data.booking.buffer_minutes,
                            )),
                            conversation,
                            visitor: incoming.visitor.clone(),
                        };
                        match self.store.book(business.id, &request, received_at).await {
                            Ok(booked) => Ok(Some((slot, booked))),
                            Err(StoreError::Conflict(_)) => Err(()),
                            Err(other) => return Err(other.into()),
                        }
                    }
                };
                match booked {
                    // The time went to someone else a moment ago: offer others.
                    Err(()) => {
                        let reply = leads::slot_taken(&business.knowledge, &mut kept, &context);
                        lead_draft = DraftChange::Set(Box::new(kept));
                        Some(reply)
                    }
                    Ok(booked) => {
                        lead_draft = DraftChange::Clear;
                        let existing = self
                            .store
                            .matching_lead(business.id, &incoming.visitor, &details)
                            .await?;
                        let id = existing.unwrap_or_else(uuid::Uuid::now_v7);
                        actions.push(TurnAction::LeadCaptured { lead_id: id });
                        let reply = match &booked {
                            Some((slot, booked)) => {
                                actions.push(TurnAction::AppointmentBooked {
                                    appointment_id: booked.id,
                                    code: booked.code.clone(),
                                });
                                leads::booked_reply(business_data, &details, slot, &booked.code)
                            }
                            None => reply,
                        };
                        lead = Some(LeadWrite {
                            id,
                            merge: existing.is_some(),
                            details,
                            appointment: booked.map(|(_, b)| b.id),
                        });
                        Some(reply)
                    }
                }
            }
        });
        let handoff = captured.is_none() && engine::asks_for_person(&business.knowledge, text);
        let captured = captured.map(|reply| {
            if pre.has(policy::Rule::HealthDetail) {
                format!("{HEALTH_NOTED} {reply}")
            } else {
                reply
            }
        });
        let (text, findings, blocked_draft, usage) =
            match captured.or_else(|| policy::pre_reply(business_data, &pre)) {
                Some(reply) => {
                    release(&reply);
                    (reply, pre, None, None)
                }
                None => {
                    // Part two: whatever the provider writes is checked before the visitor sees
                    // it, sentence by sentence while it streams, then as a whole.
                    let gate = SentenceGate::new(&business.policy, business_data, release);
                    let push = |delta: &str| gate.push(delta);
                    let provider = business.provider.as_ref().unwrap_or(&self.provider);
                    let draft = provider
                        .draft(DraftRequest {
                            knowledge: &business.knowledge,
                            history: &history,
                            text: incoming.text.as_str(),
                            now: received_at,
                            stream: &push,
                        })
                        .await?;
                    let streamed = gate.finish();
                    let post: Findings = match streamed.blocked {
                        Some(findings) => findings,
                        None => business.policy.post_check(&draft.text, Some(business_data)),
                    };
                    if post.is_clear() {
                        (draft.text, post, None, draft.usage)
                    } else {
                        (
                            policy::redirect_reply(business_data, &post),
                            post,
                            Some(draft.text),
                            draft.usage,
                        )
                    }
                }
            };
        let safety = policy::verdict(&findings);
        let replied_at = self.clock.now();
        let record = TurnRecord {
            business: business.id,
            conversation,
            is_new,
            visitor: incoming.visitor,
            channel: incoming.channel,
            page_url: incoming.page_url,
            // Health details never reach storage: only the redacted text is kept; nor do
            // a child's contact details.
            visitor_message: Message {
                role: Role::Visitor,
                text: if child {
                    age::without_contact_details(&policy::redact(incoming.text.as_str()))
                } else {
                    policy::redact(incoming.text.as_str())
                },
                created_at: received_at,
            },
            assistant_message: Message {
                role: Role::Assistant,
                text: text.clone(),
                created_at: replied_at,
            },
            safety: safety.clone(),
            usage: usage.clone(),
            lead_draft,
            lead,
            handoff,
            flag_child,
        };
        self.store.record_turn(&record).await?;
        Ok(TurnOutcome {
            conversation,
            reply: text,
            safety,
            created_at: replied_at,
            blocked_draft,
            usage,
            actions,
        })
    }
}

impl<S: ConversationStore> Assistant<S> {
    /// Cancelling or rescheduling a booked appointment by its code. Returns the reply
    /// when the message was about that; the change itself is durable before it returns.
    async fn manage_turn(
        &self,
        business: &LoadedBusiness,
        draft: Option<&LeadDraft>,
        text: &str,
        context: &StepContext<'_>,
        lead_draft: &mut DraftChange,
        actions: &mut Vec<TurnAction>,
    ) -> Result<Option<String>, TurnError> {
        let managing = draft.and_then(|d| d.manage.clone());
        let found = match manage::code_to_look_up(managing.as_ref(), text) {
            Some(code) => Some(self.store.booked_appointment(business.id, &code).await?),
            None => None,
        };
        let knowledge = &business.knowledge;
        let keep = |m: manage::ManageDraft| {
            DraftChange::Set(Box::new(LeadDraft {
                manage: Some(m),
                ..LeadDraft::default()
            }))
        };
        let step = manage::step(knowledge, managing, text, found, context.taken, context.now);
        let reply = match step {
            ManageStep::Pass => return Ok(None),
            ManageStep::Ask { draft, reply } => {
                *lead_draft = keep(draft);
                reply
            }
            ManageStep::Leave { reply } => {
                *lead_draft = DraftChange::Clear;
                reply
            }
            ManageStep::Cancel { appointment } => {
                self.store
                    .cancel_appointment(business.id, appointment.id, context.now)
                    .await?;
                *lead_draft = DraftChange::Clear;
                actions.push(TurnAction::AppointmentCancelled {
                    appointment_id: appointment.id,
                });
                manage::changed_reply(knowledge, &appointment, None)
            }
            ManageStep::Move {
                appointment,
                to,
                draft,
            } => {
                let buffer = jiff::SignedDuration::from_mins(i64::from(
                    knowledge.business.booking.buffer_minutes,
                ));
                match self
                    .store
                    .move_appointment(
                        business.id,
                        appointment.id,
                        to.start,
                        to.end,
                        buffer,
                        context.now,
                    )
                    .await
                {
                    Ok(()) => {
                        *lead_draft = DraftChange::Clear;
                        actions.push(TurnAction::AppointmentRescheduled {
                            appointment_id: appointment.id,
                        });
                        manage::changed_reply(knowledge, &appointment, Some(&to))
                    }
                    Err(StoreError::Conflict(_)) => {
                        match manage::time_taken(knowledge, draft, context.taken, context.now) {
                            ManageStep::Ask { draft, reply } => {
                                *lead_draft = keep(draft);
                                reply
                            }
                            ManageStep::Leave { reply } => {
                                *lead_draft = DraftChange::Clear;
                                reply
                            }
                            _ => return Ok(None),
                        }
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        };
        Ok(Some(reply))
    }
}

/// The reply to a visitor who says they are under 13: questions still get answers,
/// but no details are taken, and a grown-up is asked to get in touch instead.
const CHILD_NOTICE: &str = "Thanks for telling me. I can still answer questions, but I can't take anyone's name or contact details in this chat. Please ask a parent or guardian to get in touch with us.";

/// The acknowledgement a capture reply starts with when the visitor volunteered health
/// details: they are heard, not recorded, and left for the team.
const HEALTH_NOTED: &str = "Thank you for telling me. I won't write down health details here; the team will go over that with you directly.";

/// Whether the pre-check found nothing but (maybe) a volunteered health detail: the
/// only finding that lets booking and capture go on (acknowledged).
fn health_only(pre: &Findings) -> bool {
    pre.rules
        .iter()
        .all(|rule| *rule == policy::Rule::HealthDetail)
        && pre.topics.is_empty()
}

/// Lead capture's step for this message, unless the safety wall has something more
/// important to say: an emergency, or any rule but a volunteered health detail (which
/// capture acknowledges itself).
fn capture_step(
    business: &LoadedBusiness,
    draft: Option<LeadDraft>,
    text: &str,
    pre: &Findings,
    context: StepContext,
) -> Step {
    if !health_only(pre) {
        return Step::Pass;
    }
    leads::step(&business.knowledge, draft, text, context)
}
