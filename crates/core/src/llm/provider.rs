//! A reply provider backed by a language model: it runs the model with the business's
//! system prompt and tools, executes the tool calls it makes (validated first), and falls
//! back to the built-in engine whenever the model fails, so a visitor always gets a reply.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::model::{LanguageModel, ModelError, ModelMessage, ModelRequest, TokenUsage};
use super::{prompt, tools};
use crate::assistant::{Draft, DraftFuture, DraftRequest, ReplyProvider, ReplyUsage};
use crate::conversation::Role;
use crate::engine;

/// Rounds of tool calls a model may make for one reply before it must answer.
const MAX_TOOL_ROUNDS: u32 = 4;

/// Output budget of one reply: a front desk answers in a few sentences.
const MAX_REPLY_TOKENS: u32 = 400;

/// Drafts replies with a language model, inside the safety wall and with a fallback.
#[derive(Debug, Clone)]
pub struct ModelProvider {
    model: Arc<dyn LanguageModel>,
}

impl ModelProvider {
    /// A provider over one model (usually wrapped in retries and a circuit breaker).
    pub fn new(model: Arc<dyn LanguageModel>) -> Self {
        Self { model }
    }
}

impl ModelProvider {
    async fn converse(
        &self,
        request: &DraftRequest<'_>,
        stream: &(dyn Fn(&str) + Send + Sync),
        tokens: &mut TokenUsage,
        calls: &mut u32,
    ) -> Result<String, ModelError> {
        let business = &request.knowledge.business;
        let mut messages: Vec<ModelMessage> = request
            .history
            .iter()
            .map(|message| match message.role {
                Role::Visitor => ModelMessage::User(message.text.clone()),
                Role::Assistant => ModelMessage::Assistant {
                    text: message.text.clone(),
                    tool_calls: Vec::new(),
                },
            })
            .collect();
        messages.push(ModelMessage::User(request.text.to_owned()));
        let mut model_request = ModelRequest {
            system: prompt::system_prompt(business, request.now),
            messages,
            tools: tools::specs(),
            max_tokens: MAX_REPLY_TOKENS,
        };
        let mut said: Vec<String> = Vec::new();
        // Text of successive rounds reads as one reply: a space goes between rounds
        // unless the stream already ends in one.
        let ends_in_space = AtomicBool::new(true);
        for _ in 0..=MAX_TOOL_ROUNDS {
            let round_started = AtomicBool::new(false);
            let sink = |piece: &str| {
                if piece.is_empty() {
                    return;
                }
                let first_of_round = !round_started.swap(true, Ordering::Relaxed);
                if first_of_round
                    && !said.is_empty()
                    && !ends_in_space.load(Ordering::Relaxed)
                    && !piece.starts_with(char::is_whitespace)
                {
                    stream(" ");
                }
                ends_in_space.store(piece.ends_with(char::is_whitespace), Ordering::Relaxed);
                stream(piece);
            };
            *calls += 1;
            let response = self.model.respond(&model_request, &sink).await?;
            *tokens += response.usage;
            if !response.text.trim().is_empty() {
                said.push(response.text.trim().to_owned());
            }
            if response.tool_calls.is_empty() {
                return Ok(said.join(" "));
            }
            let context = tools::ToolContext {
                knowledge: request.knowledge,
                history: request.history,
                now: request.now,
            };
            let results = response
                .tool_calls
                .iter()
                .map(|call| tools::run(call, context))
                .collect();
            model_request.messages.push(ModelMessage::Assistant {
                text: response.text,
                tool_calls: response.tool_calls,
            });
            model_request
                .messages
                .push(ModelMessage::ToolResults(results));
        }
        Err(ModelError::Protocol(format!(
            "no answer after {MAX_TOOL_ROUNDS} rounds of tool calls"
        )))
    }
}

impl ReplyProvider for ModelProvider {
    fn draft<'a>(&'a self, request: DraftRequest<'a>) -> DraftFuture<'a> {
        Box::pin(async move {
            let started = Instant::now();
            let first_text: OnceLock<Duration> = OnceLock::new();
            let stream = |piece: &str| {
                if !piece.is_empty() {
                    first_text.get_or_init(|| started.elapsed());
                }
                (request.stream)(piece);
            };
            let mut tokens = TokenUsage::default();
            let mut calls = 0;
            let outcome = self
                .converse(&request, &stream, &mut tokens, &mut calls)
                .await;
            let (text, fallback) = match outcome {
                Ok(text) if !text.trim().is_empty() => (text, None),
                // The visitor is never left without an answer: the engine replies from the
                // same verified data. What the model streamed is superseded by this text.
                failed => (
                    engine::reply(
                        request.knowledge,
                        request.history,
                        request.text,
                        request.now,
                    ),
                    Some(match failed {
                        Err(error) => error.to_string(),
                        Ok(_) => "the model returned an empty reply".to_owned(),
                    }),
                ),
            };
            Ok(Draft {
                text,
                usage: Some(ReplyUsage {
                    model: self.model.label(),
                    tokens,
                    calls,
                    latency: started.elapsed(),
                    first_text: first_text.get().copied(),
                    fallback,
                }),
            })
        })
    }
}
