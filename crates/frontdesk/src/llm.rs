//! `--llm`: which reply provider the server and `chat` use. The built-in engine is the
//! default; a language model is always wrapped in retries, a circuit breaker and the
//! engine fallback, and always sits inside the safety wall.

use std::sync::Arc;

use clap::{Args, ValueEnum};
use frontdesk_core::assistant::{BuiltinEngine, ReplyProvider};
use frontdesk_core::llm::ModelProvider;
use frontdesk_llm::{AnthropicClient, AnthropicConfig, OpenAiClient, OpenAiConfig, Resilient};

/// The reply providers a deployment can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LlmKind {
    /// The offline engine (no model, no key, microseconds per reply).
    Builtin,
    /// Anthropic's Messages API.
    Anthropic,
    /// Any OpenAI-compatible chat completions server: OpenAI, vLLM, llama.cpp, Ollama.
    Openai,
}

#[derive(Debug, Args)]
pub struct LlmArgs {
    /// Who writes replies. Model providers read their API key from FRONTDESK_LLM_API_KEY.
    #[arg(long, env = "FRONTDESK_LLM", value_enum, default_value_t = LlmKind::Builtin)]
    llm: LlmKind,
    /// Model name (default: claude-sonnet-4-5 for anthropic, gpt-4o-mini for openai).
    #[arg(long, env = "FRONTDESK_LLM_MODEL")]
    llm_model: Option<String>,
    /// API base URL, e.g. http://localhost:11434 for Ollama (default: the vendor's API).
    #[arg(long, env = "FRONTDESK_LLM_BASE_URL")]
    llm_base_url: Option<String>,
    /// API key; read from the environment only, so it never shows in `ps` or shell history.
    #[arg(skip = std::env::var("FRONTDESK_LLM_API_KEY").ok().filter(|k| !k.is_empty()))]
    llm_api_key: Option<String>,
}

/// Builds the configured provider; errors say which setting is missing.
pub fn provider(args: &LlmArgs) -> Result<Arc<dyn ReplyProvider>, String> {
    let key = args.llm_api_key.clone();
    let model: Arc<dyn frontdesk_core::llm::LanguageModel> = match args.llm {
        LlmKind::Builtin => return Ok(Arc::new(BuiltinEngine)),
        LlmKind::Anthropic => {
            let mut config = AnthropicConfig::new(
                String::new(),
                args.llm_model.as_deref().unwrap_or("claude-sonnet-4-5"),
            );
            config.api_key = key;
            if let Some(base_url) = &args.llm_base_url {
                config.base_url = base_url.clone();
            } else if config.api_key.is_none() {
                return Err(
                    "--llm anthropic needs FRONTDESK_LLM_API_KEY in the environment".into(),
                );
            }
            Arc::new(Resilient::new(
                AnthropicClient::new(config).map_err(|e| e.to_string())?,
            ))
        }
        LlmKind::Openai => {
            let base_url = args
                .llm_base_url
                .clone()
                .unwrap_or_else(|| "https://api.openai.com".to_owned());
            if args.llm_base_url.is_none() && key.is_none() {
                return Err("--llm openai needs FRONTDESK_LLM_API_KEY in the environment (or --llm-base-url for a local server)".into());
            }
            let config = OpenAiConfig::new(
                base_url,
                key,
                args.llm_model.as_deref().unwrap_or("gpt-4o-mini"),
            );
            Arc::new(Resilient::new(
                OpenAiClient::new(config).map_err(|e| e.to_string())?,
            ))
        }
    };
    tracing::info!(model = %model.label(), "replies are written by a language model inside the safety wall");
    Ok(Arc::new(ModelProvider::new(model)))
}
