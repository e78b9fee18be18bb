//! Replies written by a language model, kept inside the safety wall: the vendor-neutral
//! port clients implement, the tools a model may call, the system prompt built from
//! verified data, and the loop that runs them with the built-in engine as fallback.

pub mod model;
pub mod prompt;
mod provider;
mod settings;
pub mod tools;

pub use model::{
    LanguageModel, ModelError, ModelFuture, ModelMessage, ModelRequest, ModelResponse, StopReason,
    TextSink, TokenUsage, ToolCall, ToolResult, ToolSpec,
};
pub use provider::ModelProvider;
pub use settings::{ApiKey, ModelSettings, ModelVendor};

#[cfg(test)]
mod tests;
