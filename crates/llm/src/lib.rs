//! Vendor adapters for language models, behind `frontdesk_core::llm::LanguageModel`.
//!
//! The core crate stays free of I/O and of vendors' wire formats; this crate holds both.
//! Two wire protocols cover the vendors an owner is likely to pick: Anthropic's Messages
//! API, and OpenAI's chat completions, which self-hosted servers (vLLM, llama.cpp, Ollama)
//! copy. Both stream, so a visitor sees the answer as it is written. [`Resilient`] adds
//! retries and a circuit breaker on top of either.
//!
//! API keys never leave the request headers: configs and clients implement `Debug` by
//! hand, and vendor error messages are scrubbed before they become a `ModelError`.

mod anthropic;
mod http;
mod openai;
mod resilient;
pub mod sse;

pub use anthropic::{AnthropicClient, AnthropicConfig, ANTHROPIC_VERSION};
pub use http::Timeouts;
pub use openai::{OpenAiClient, OpenAiConfig};
pub use resilient::{BreakerPolicy, CircuitState, Resilient, RetryPolicy};
