//! The port a language-model vendor client implements. Vendor-neutral on purpose: the
//! conversation loop, the tools and the safety wall never see a vendor's wire format.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// One request to a model: instructions, the conversation so far, and the tools it may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    /// Instructions built from the product's rules and the business's verified data.
    pub system: String,
    pub messages: Vec<ModelMessage>,
    pub tools: Vec<ToolSpec>,
    pub max_tokens: u32,
}

/// A message of the conversation as a model sees it. Visitor text only ever travels as
/// `User` content, never spliced into `system`, so it stays data.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelMessage {
    User(String),
    Assistant {
        text: String,
        tool_calls: Vec<ToolCall>,
    },
    /// The results of the tool calls of the previous assistant message, in call order.
    ToolResults(Vec<ToolResult>),
}

/// A tool the model may call, with a JSON Schema for its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub input_schema: serde_json::Value,
}

/// A tool call as the model made it. `arguments` is the raw JSON text, unvalidated: the
/// model may produce anything, and only the tool registry decides what is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// What a tool answered, or why the call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolResult {
    pub call_id: String,
    pub content: String,
    pub is_error: bool,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    EndTurn,
    ToolUse,
    MaxTokens,
    Other(String),
}

/// Tokens billed for one response, for the owner's cost view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl std::ops::AddAssign for TokenUsage {
    fn add_assign(&mut self, other: Self) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// One complete model response (its text was also streamed to the caller's sink).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelResponse {
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    pub stop: StopReason,
    pub usage: TokenUsage,
}

/// Why a model call failed. Retryable kinds are retried by the client with backoff; the
/// rest fail fast, and the built-in engine answers instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("rate limited by the model provider")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the model provider is overloaded")]
    Overloaded { retry_after: Option<Duration> },
    #[error("the model provider failed with status {status}: {message}")]
    Server { status: u16, message: String },
    /// A 4xx other than 429: our request or credentials are wrong; retrying cannot help.
    #[error("the model provider rejected the request with status {status}: {message}")]
    Rejected { status: u16, message: String },
    #[error("the model provider did not answer in time")]
    Timeout,
    #[error("could not reach the model provider: {0}")]
    Transport(String),
    /// The provider answered something that is not its documented protocol.
    #[error("the model provider broke its protocol: {0}")]
    Protocol(String),
    #[error("the model provider is failing; calls are paused")]
    CircuitOpen,
}

impl ModelError {
    /// True for failures that may succeed if tried again shortly.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ModelError::RateLimited { .. }
                | ModelError::Overloaded { .. }
                | ModelError::Server { .. }
                | ModelError::Timeout
                | ModelError::Transport(_)
        )
    }

    /// How long the provider asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ModelError::RateLimited { retry_after } | ModelError::Overloaded { retry_after } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// Receives the model's text as it streams, piece by piece.
pub type TextSink<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// The boxed future of a model call, so models can be chosen at run time.
pub type ModelFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ModelResponse, ModelError>> + Send + 'a>>;

/// A language model behind a vendor's API.
pub trait LanguageModel: Send + Sync + std::fmt::Debug {
    /// Runs one response, streaming text deltas to `on_text` as they arrive, and returns
    /// the whole response (text, tool calls, usage) when the stream ends.
    fn respond<'a>(&'a self, request: &'a ModelRequest, on_text: TextSink<'a>) -> ModelFuture<'a>;

    /// "vendor/model", recorded with usage.
    fn label(&self) -> String;
}
