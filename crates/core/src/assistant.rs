//! One conversation turn, channel-agnostic: validate → load context → draft a reply with
//! the configured provider → safety → persist → answer. Storage and reply generation are
//! ports (traits) so this module stays free of SQL, HTTP and vendors.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use jiff::Timestamp;

use crate::business::Business;
use crate::clock::Clock;
use crate::conversation::{
    BusinessId, Channel, ConversationId, HistoryMessage, Message, Role, VisitorId, VisitorText,
};
use crate::engine::{self, Knowledge};
use crate::policy::{self, Findings, Policy};
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
}

impl LoadedBusiness {
    /// Indexes a validated business for answering.
    pub fn new(id: BusinessId, business: Business) -> Self {
        let policy = Policy::for_business(&business);
        Self {
            id,
            knowledge: Knowledge::new(business),
            policy,
        }
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
}

/// Why a provider could not draft a reply.
#[derive(Debug, thiserror::Error)]
#[error("reply provider failed: {0}")]
pub struct ProviderError(pub String);

/// What a provider gets to draft one reply.
#[derive(Debug, Clone, Copy)]
pub struct DraftRequest<'a> {
    pub knowledge: &'a Knowledge,
    pub history: &'a [HistoryMessage],
    pub text: &'a str,
    pub now: Timestamp,
}

/// The boxed future a provider returns, so providers can be chosen at run time.
pub type DraftFuture<'a> = Pin<Box<dyn Future<Output = Result<String, ProviderError>> + Send + 'a>>;

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
        Box::pin(std::future::ready(Ok(text)))
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
        let (conversation, history, is_new) = match incoming.conversation {
            Some(id) => {
                let history = self
                    .store
                    .recent_messages(business.id, id, &incoming.visitor, HISTORY_LIMIT)
                    .await?;
                (id, history, false)
            }
            None => (ConversationId::new(), Vec::new(), true),
        };
        let received_at = self.clock.now();
        let business_data = &business.knowledge.business;
        // The wall, part one: the visitor's message is checked before any provider sees it.
        let pre = business.policy.pre_check(incoming.text.as_str());
        let (text, findings, blocked_draft) = match policy::pre_reply(business_data, &pre) {
            Some(reply) => (reply, pre, None),
            None => {
                let draft = self
                    .provider
                    .draft(DraftRequest {
                        knowledge: &business.knowledge,
                        history: &history,
                        text: incoming.text.as_str(),
                        now: received_at,
                    })
                    .await?;
                // Part two: whatever the provider wrote is checked before the visitor sees it.
                let post: Findings = business.policy.post_check(&draft, Some(business_data));
                if post.is_clear() {
                    (draft, post, None)
                } else {
                    (
                        policy::redirect_reply(business_data, &post),
                        post,
                        Some(draft),
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
            // Health details never reach storage: only the redacted text is kept.
            visitor_message: Message {
                role: Role::Visitor,
                text: policy::redact(incoming.text.as_str()),
                created_at: received_at,
            },
            assistant_message: Message {
                role: Role::Assistant,
                text: text.clone(),
                created_at: replied_at,
            },
            safety: safety.clone(),
        };
        self.store.record_turn(&record).await?;
        Ok(TurnOutcome {
            conversation,
            reply: text,
            safety,
            created_at: replied_at,
            blocked_draft,
        })
    }
}
