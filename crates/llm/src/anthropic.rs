//! Anthropic Messages API (`POST /v1/messages`, streamed).

use std::collections::BTreeMap;

use frontdesk_core::llm::{
    ApiKey, LanguageModel, ModelError, ModelFuture, ModelMessage, ModelRequest, ModelResponse,
    StopReason, TextSink, TokenUsage, ToolCall,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{self, Timeouts, Vendor};
use crate::sse::SseEvent;

/// The API version this adapter speaks; Anthropic requires it on every request and keeps
/// old versions stable, so it is pinned rather than configurable.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Where to reach Anthropic and which model to use.
/// Derives `Debug` safely: the key is an [`ApiKey`], which never prints.
#[derive(Clone, Debug)]
pub struct AnthropicConfig {
    /// `https://api.anthropic.com` by default; a proxy or a compatible server otherwise.
    pub base_url: String,
    /// Sent as `x-api-key`. Optional only for compatible servers that need none.
    pub api_key: Option<ApiKey>,
    /// e.g. `claude-sonnet-4-5`; also the second half of the usage label.
    pub model: String,
    /// Connect / first-byte / idle limits; see [`Timeouts`].
    pub timeouts: Timeouts,
}

impl AnthropicConfig {
    /// The public API with the default timeouts.
    pub fn new(api_key: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: "https://api.anthropic.com".to_owned(),
            api_key: Some(ApiKey::new(api_key)),
            model: model.into(),
            timeouts: Timeouts::default(),
        }
    }
}

/// A [`LanguageModel`] backed by Anthropic's Messages API.
#[derive(Debug)]
pub struct AnthropicClient {
    config: AnthropicConfig,
    endpoint: String,
    http: reqwest::Client,
}

impl AnthropicClient {
    /// Fails only if the TLS stack cannot be initialised.
    pub fn new(config: AnthropicConfig) -> Result<Self, ModelError> {
        let http = http::build_client(&config.timeouts)?;
        let endpoint = format!("{}/v1/messages", http::normalize_base_url(&config.base_url));
        Ok(Self {
            config,
            endpoint,
            http,
        })
    }

    async fn run(
        &self,
        request: &ModelRequest,
        on_text: TextSink<'_>,
    ) -> Result<ModelResponse, ModelError> {
        let body = request_body(&self.config.model, request);
        let mut builder = self
            .http
            .post(&self.endpoint)
            .header("anthropic-version", ANTHROPIC_VERSION)
            .header("content-type", "application/json")
            .header("accept", "text/event-stream")
            .body(body.to_string());
        let key = self.config.api_key.as_ref().map(ApiKey::expose);
        if let Some(key) = key {
            builder = builder.header("x-api-key", key);
        }
        let mut events =
            http::open_stream(builder, &self.config.timeouts, Vendor::Anthropic, key).await?;
        let mut stream = StreamState::default();
        while let Some(event) = events.next().await? {
            if let Some(response) = stream.on_event(&event, on_text)? {
                return Ok(response);
            }
        }
        Err(ModelError::Protocol(
            "the stream ended before message_stop".to_owned(),
        ))
    }
}

impl LanguageModel for AnthropicClient {
    fn respond<'a>(&'a self, request: &'a ModelRequest, on_text: TextSink<'a>) -> ModelFuture<'a> {
        Box::pin(self.run(request, on_text))
    }

    fn label(&self) -> String {
        format!("anthropic/{}", self.config.model)
    }
}

/// Builds the Messages API body. Consecutive user-side messages are merged into one user
/// turn with its `tool_result` blocks first, because the API rejects a turn following
/// `tool_use` that does not *begin* with the matching results.
pub(crate) fn request_body(model: &str, request: &ModelRequest) -> Value {
    let mut messages: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for message in &request.messages {
        let (role, blocks) = match message {
            ModelMessage::User(text) => ("user", vec![json!({"type": "text", "text": text})]),
            ModelMessage::Assistant { text, tool_calls } => {
                let mut blocks = Vec::new();
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                for call in tool_calls {
                    blocks.push(json!({
                        "type": "tool_use",
                        "id": call.id,
                        "name": call.name,
                        "input": tool_input(&call.arguments),
                    }));
                }
                ("assistant", blocks)
            }
            ModelMessage::ToolResults(results) => (
                "user",
                results
                    .iter()
                    .map(|r| {
                        json!({
                            "type": "tool_result",
                            "tool_use_id": r.call_id,
                            "content": r.content,
                            "is_error": r.is_error,
                        })
                    })
                    .collect(),
            ),
        };
        if blocks.is_empty() {
            continue; // the API rejects empty content
        }
        match messages.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => {
                last_blocks.extend(blocks);
                // Stable: results keep their call order, text keeps its order.
                last_blocks.sort_by_key(|b| b["type"] != "tool_result");
            }
            _ => messages.push((role, blocks)),
        }
    }
    let mut body = json!({
        "model": model,
        "max_tokens": request.max_tokens,
        "stream": true,
        "messages": messages
            .into_iter()
            .map(|(role, content)| json!({"role": role, "content": content}))
            .collect::<Vec<_>>(),
    });
    if !request.system.is_empty() {
        body["system"] = json!(request.system);
    }
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "description": t.description,
                    "input_schema": t.input_schema,
                })
            })
            .collect();
    }
    body
}

/// The API wants `input` as an object. A call whose arguments were not a JSON object
/// (the model produced garbage, and the registry answered with an error result) is sent
/// back as `{}` so the conversation stays valid and the error result explains it.
fn tool_input(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(v @ Value::Object(_)) => v,
        _ => json!({}),
    }
}

#[derive(Deserialize)]
struct Usage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

#[derive(Default)]
struct ToolBlock {
    id: String,
    name: String,
    json: String,
}

/// The state of one streamed message.
#[derive(Default)]
pub(crate) struct StreamState {
    text: String,
    tools: BTreeMap<u64, ToolBlock>,
    stop: Option<StopReason>,
    /// Kept per field, because `message_delta` may repeat only some of them.
    input: u64,
    cache_creation: u64,
    cache_read: u64,
    output: u64,
}

impl StreamState {
    fn apply_usage(&mut self, usage: &Value) {
        let Ok(u) = Usage::deserialize(usage) else {
            return;
        };
        // Usage in `message_delta` is cumulative, so each field present overwrites.
        if let Some(v) = u.input_tokens {
            self.input = v;
        }
        if let Some(v) = u.cache_creation_input_tokens {
            self.cache_creation = v;
        }
        if let Some(v) = u.cache_read_input_tokens {
            self.cache_read = v;
        }
        if let Some(v) = u.output_tokens {
            self.output = v;
        }
    }

    /// Handles one event; returns the response once `message_stop` arrives.
    pub(crate) fn on_event(
        &mut self,
        event: &SseEvent,
        on_text: TextSink<'_>,
    ) -> Result<Option<ModelResponse>, ModelError> {
        let name = event.event.as_deref().unwrap_or("");
        if name == "error" {
            return Err(stream_error(&event.data));
        }
        let known = matches!(
            name,
            "message_start"
                | "content_block_start"
                | "content_block_delta"
                | "content_block_stop"
                | "message_delta"
                | "message_stop"
        );
        let data: Value = match serde_json::from_str(&event.data) {
            Ok(v) => v,
            Err(_) if !known => return Ok(None), // unknown events are ignored, whatever they hold
            Err(e) => return Err(ModelError::Protocol(format!("invalid JSON in {name}: {e}"))),
        };
        let kind = data["type"].as_str().unwrap_or(name);
        match kind {
            "message_start" => self.apply_usage(&data["message"]["usage"]),
            "content_block_start" => {
                let block = &data["content_block"];
                if block["type"] == "tool_use" {
                    let index = index_of(&data)?;
                    self.tools.insert(
                        index,
                        ToolBlock {
                            id: block["id"].as_str().unwrap_or_default().to_owned(),
                            name: block["name"].as_str().unwrap_or_default().to_owned(),
                            json: String::new(),
                        },
                    );
                }
            }
            "content_block_delta" => {
                let delta = &data["delta"];
                match delta["type"].as_str() {
                    Some("text_delta") => {
                        let text = delta["text"].as_str().unwrap_or_default();
                        if !text.is_empty() {
                            on_text(text);
                            self.text.push_str(text);
                        }
                    }
                    Some("input_json_delta") => {
                        let index = index_of(&data)?;
                        let tool = self.tools.get_mut(&index).ok_or_else(|| {
                            ModelError::Protocol(format!(
                                "input_json_delta for block {index}, which is not a tool_use"
                            ))
                        })?;
                        tool.json
                            .push_str(delta["partial_json"].as_str().unwrap_or_default());
                    }
                    _ => {} // thinking, signatures, citations: not shown to visitors
                }
            }
            "content_block_stop" => {}
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop = Some(stop_reason(reason));
                }
                self.apply_usage(&data["usage"]);
            }
            "message_stop" => return Ok(Some(self.finish())),
            "error" => return Err(stream_error(&event.data)),
            _ => {} // ping, and event types added after this was written
        }
        Ok(None)
    }

    fn finish(&mut self) -> ModelResponse {
        let tool_calls: Vec<ToolCall> = std::mem::take(&mut self.tools)
            .into_values()
            .map(|t| ToolCall {
                id: t.id,
                name: t.name,
                arguments: if t.json.trim().is_empty() {
                    "{}".to_owned()
                } else {
                    t.json
                },
            })
            .collect();
        let stop = self.stop.take().unwrap_or(if tool_calls.is_empty() {
            StopReason::EndTurn
        } else {
            StopReason::ToolUse
        });
        ModelResponse {
            text: std::mem::take(&mut self.text),
            tool_calls,
            stop,
            usage: TokenUsage {
                // All prompt tokens, cached or not, as OpenAI's prompt_tokens counts them.
                input_tokens: self.input + self.cache_creation + self.cache_read,
                output_tokens: self.output,
            },
        }
    }
}

fn index_of(data: &Value) -> Result<u64, ModelError> {
    data["index"]
        .as_u64()
        .ok_or_else(|| ModelError::Protocol("content block event without an index".to_owned()))
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "end_turn" => StopReason::EndTurn,
        "tool_use" => StopReason::ToolUse,
        "max_tokens" => StopReason::MaxTokens,
        other => StopReason::Other(other.to_owned()),
    }
}

/// An `event: error` after a 200: the same error types as the HTTP statuses.
fn stream_error(data: &str) -> ModelError {
    let parsed: Value = serde_json::from_str(data).unwrap_or(Value::Null);
    let kind = parsed["error"]["type"].as_str().unwrap_or("unknown");
    let message = parsed["error"]["message"]
        .as_str()
        .map(http::excerpt)
        .unwrap_or_else(|| http::excerpt(data));
    match kind {
        "overloaded_error" => ModelError::Overloaded { retry_after: None },
        "rate_limit_error" => ModelError::RateLimited { retry_after: None },
        "api_error" => ModelError::Server {
            status: 500,
            message,
        },
        _ => ModelError::Protocol(format!("stream error {kind}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_core::llm::{ToolResult, ToolSpec};

    #[test]
    fn tool_results_come_first_when_merged_with_user_text() {
        let request = ModelRequest {
            system: "sys".into(),
            messages: vec![
                ModelMessage::User("hi".into()),
                ModelMessage::Assistant {
                    text: String::new(),
                    tool_calls: vec![ToolCall {
                        id: "t1".into(),
                        name: "lookup".into(),
                        arguments: "not json".into(),
                    }],
                },
                ModelMessage::User("also this".into()),
                ModelMessage::ToolResults(vec![ToolResult {
                    call_id: "t1".into(),
                    content: "r".into(),
                    is_error: true,
                }]),
            ],
            tools: vec![ToolSpec {
                name: "lookup",
                description: "d",
                input_schema: json!({"type": "object"}),
            }],
            max_tokens: 10,
        };
        let body = request_body("m", &request);
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[1]["content"][0]["input"], json!({}));
        let last = messages[2]["content"].as_array().unwrap();
        assert_eq!(last[0]["type"], "tool_result");
        assert_eq!(last[0]["is_error"], true);
        assert_eq!(last[1]["text"], "also this");
        assert_eq!(body["system"], "sys");
        assert_eq!(body["tools"][0]["input_schema"], json!({"type": "object"}));
    }

    #[test]
    fn error_event_kinds() {
        let e = |t: &str| {
            stream_error(&format!(
                r#"{{"type":"error","error":{{"type":"{t}","message":"m"}}}}"#
            ))
        };
        assert_eq!(
            e("overloaded_error"),
            ModelError::Overloaded { retry_after: None }
        );
        assert_eq!(
            e("rate_limit_error"),
            ModelError::RateLimited { retry_after: None }
        );
        assert!(matches!(
            e("api_error"),
            ModelError::Server { status: 500, .. }
        ));
        assert!(matches!(
            e("invalid_request_error"),
            ModelError::Protocol(_)
        ));
        assert!(matches!(stream_error("not json"), ModelError::Protocol(_)));
    }
}
