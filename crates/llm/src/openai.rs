//! OpenAI-compatible chat completions (`POST /v1/chat/completions`, streamed): OpenAI
//! itself, and the self-hosted servers that copy its API (vLLM, llama.cpp, Ollama).

use frontdesk_core::llm::{
    ApiKey, LanguageModel, ModelError, ModelFuture, ModelMessage, ModelRequest, ModelResponse,
    StopReason, TextSink, TokenUsage, ToolCall,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{self, Timeouts, Vendor};
use crate::sse::SseEvent;

/// Where to reach an OpenAI-compatible server and which model to use.
/// Derives `Debug` safely: the key is an [`ApiKey`], which never prints.
#[derive(Clone, Debug)]
pub struct OpenAiConfig {
    /// e.g. `https://api.openai.com`, `http://localhost:11434` (Ollama), `http://gpu:8000`
    /// (vLLM). A trailing `/v1` is accepted and ignored.
    pub base_url: String,
    /// Sent as `Authorization: Bearer` only when set: local servers usually need none.
    pub api_key: Option<ApiKey>,
    /// The server's model name (`gpt-4o-mini`, `llama3.1:8b`...).
    pub model: String,
    /// First half of [`LanguageModel::label`], so usage records tell a local Ollama from
    /// OpenAI itself. `"openai"` by default.
    pub vendor: String,
    /// Connect / first-byte / idle limits; see [`Timeouts`].
    pub timeouts: Timeouts,
}

impl OpenAiConfig {
    /// Any OpenAI-compatible server, with the default timeouts.
    pub fn new(
        base_url: impl Into<String>,
        api_key: Option<ApiKey>,
        model: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            api_key,
            model: model.into(),
            vendor: "openai".to_owned(),
            timeouts: Timeouts::default(),
        }
    }

    /// OpenAI's own API.
    pub fn openai(api_key: impl Into<String>, model: impl Into<String>) -> Self {
        Self::new("https://api.openai.com", Some(ApiKey::new(api_key)), model)
    }
}

/// A [`LanguageModel`] backed by an OpenAI-compatible chat completions endpoint.
#[derive(Debug)]
pub struct OpenAiClient {
    config: OpenAiConfig,
    endpoint: String,
    http: reqwest::Client,
}

impl OpenAiClient {
    /// Fails only if the TLS stack cannot be initialised.
    pub fn new(config: OpenAiConfig) -> Result<Self, ModelError> {
        let http = http::build_client(&config.timeouts)?;
        let endpoint = format!(
            "{}/v1/chat/completions",
            http::normalize_base_url(&config.base_url)
        );
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
            .header("content-type", "application/json")
            .header("accept", "text/event-stream")
            .body(body.to_string());
        let key = self
            .config
            .api_key
            .as_ref()
            .map(ApiKey::expose)
            .filter(|k| !k.is_empty());
        if let Some(key) = key {
            builder = builder.bearer_auth(key);
        }
        let mut events =
            http::open_stream(builder, &self.config.timeouts, Vendor::OpenAi, key).await?;
        let mut stream = StreamState::default();
        while let Some(event) = events.next().await? {
            if stream.on_event(&event, on_text)? {
                return stream.finish();
            }
        }
        if stream.finish_reason.is_some() {
            // Some servers close without `[DONE]`; the answer itself is complete.
            return stream.finish();
        }
        Err(ModelError::Protocol(
            "the stream ended before [DONE] and without a finish_reason".to_owned(),
        ))
    }
}

impl LanguageModel for OpenAiClient {
    fn respond<'a>(&'a self, request: &'a ModelRequest, on_text: TextSink<'a>) -> ModelFuture<'a> {
        Box::pin(self.run(request, on_text))
    }

    fn label(&self) -> String {
        format!("{}/{}", self.config.vendor, self.config.model)
    }
}

/// Builds the chat completions body. `max_tokens` rather than `max_completion_tokens`:
/// Ollama and older vLLM/llama.cpp only know the former, and OpenAI still accepts it for
/// chat models.
pub(crate) fn request_body(model: &str, request: &ModelRequest) -> Value {
    let mut messages = Vec::new();
    if !request.system.is_empty() {
        messages.push(json!({"role": "system", "content": request.system}));
    }
    for message in &request.messages {
        match message {
            ModelMessage::User(text) => messages.push(json!({"role": "user", "content": text})),
            ModelMessage::Assistant { text, tool_calls } => {
                let mut m = json!({
                    "role": "assistant",
                    "content": if text.is_empty() && !tool_calls.is_empty() {
                        Value::Null
                    } else {
                        json!(text)
                    },
                });
                if !tool_calls.is_empty() {
                    m["tool_calls"] = tool_calls
                        .iter()
                        .map(|c| {
                            json!({
                                "id": c.id,
                                "type": "function",
                                "function": {"name": c.name, "arguments": c.arguments},
                            })
                        })
                        .collect();
                }
                messages.push(m);
            }
            ModelMessage::ToolResults(results) => {
                for r in results {
                    // The tool role has no error flag; say it in the content so the model
                    // does not take a refusal for an answer.
                    let content = if r.is_error {
                        format!("Error: {}", r.content)
                    } else {
                        r.content.clone()
                    };
                    messages.push(json!({
                        "role": "tool",
                        "tool_call_id": r.call_id,
                        "content": content,
                    }));
                }
            }
        }
    }
    let mut body = json!({
        "model": model,
        "messages": messages,
        "max_tokens": request.max_tokens,
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| {
                json!({
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.input_schema,
                    },
                })
            })
            .collect();
    }
    body
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    index: Option<u64>,
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<u64>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
}

struct PartialCall {
    index: Option<u64>,
    id: String,
    name: String,
    arguments: String,
}

/// The state of one streamed completion.
#[derive(Default)]
pub(crate) struct StreamState {
    text: String,
    calls: Vec<PartialCall>,
    finish_reason: Option<String>,
    usage: TokenUsage,
}

impl StreamState {
    /// Handles one event; returns true at `[DONE]`.
    pub(crate) fn on_event(
        &mut self,
        event: &SseEvent,
        on_text: TextSink<'_>,
    ) -> Result<bool, ModelError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            return Ok(true);
        }
        if data.is_empty() {
            return Ok(false);
        }
        let chunk: Chunk = serde_json::from_str(data)
            .map_err(|e| ModelError::Protocol(format!("invalid chunk: {e}")))?;
        if let Some(error) = chunk.error.filter(|e| !e.is_null()) {
            return Err(stream_error(&error));
        }
        if let Some(usage) = chunk.usage {
            if let Some(v) = usage.prompt_tokens {
                self.usage.input_tokens = v;
            }
            if let Some(v) = usage.completion_tokens {
                self.usage.output_tokens = v;
            }
        }
        // We never ask for n > 1; a stray second choice is not ours to show.
        for choice in chunk.choices.unwrap_or_default() {
            if choice.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(delta) = choice.delta {
                if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
                    on_text(&text);
                    self.text.push_str(&text);
                }
                for fragment in delta.tool_calls.unwrap_or_default() {
                    self.add_fragment(fragment);
                }
            }
            if let Some(reason) = choice.finish_reason {
                self.finish_reason = Some(reason);
            }
        }
        Ok(false)
    }

    /// Groups fragments by `index`. Servers that omit it (older Ollama) send whole calls,
    /// so an id never seen before starts a new call and an id-less fragment continues the
    /// last one. A new id at an index already used is also a new call (servers that
    /// number every call 0).
    fn add_fragment(&mut self, fragment: ToolCallDelta) {
        let id = fragment.id.filter(|id| !id.is_empty());
        let target = match fragment.index {
            Some(index) => self
                .calls
                .iter()
                .rposition(|c| c.index == Some(index))
                .filter(|&i| match &id {
                    Some(id) => self.calls[i].id.is_empty() || self.calls[i].id == *id,
                    None => true,
                }),
            None => match &id {
                Some(id) => self.calls.iter().rposition(|c| c.id == *id),
                None => self.calls.len().checked_sub(1),
            },
        };
        let i = match target {
            Some(i) => i,
            None => {
                self.calls.push(PartialCall {
                    index: fragment.index,
                    id: String::new(),
                    name: String::new(),
                    arguments: String::new(),
                });
                self.calls.len() - 1
            }
        };
        let call = &mut self.calls[i];
        if let Some(id) = id {
            call.id = id;
        }
        if let Some(function) = fragment.function {
            if let Some(name) = function.name.filter(|n| !n.is_empty()) {
                call.name = name;
            }
            if let Some(arguments) = function.arguments {
                call.arguments.push_str(&arguments);
            }
        }
    }

    pub(crate) fn finish(&mut self) -> Result<ModelResponse, ModelError> {
        let mut tool_calls = Vec::with_capacity(self.calls.len());
        for (n, call) in std::mem::take(&mut self.calls).into_iter().enumerate() {
            if call.name.is_empty() {
                return Err(ModelError::Protocol(
                    "a tool call without a name".to_owned(),
                ));
            }
            tool_calls.push(ToolCall {
                // The id must be echoed back with the result; invent one if the server
                // sent none.
                id: if call.id.is_empty() {
                    format!("call_{n}")
                } else {
                    call.id
                },
                name: call.name,
                arguments: if call.arguments.trim().is_empty() {
                    "{}".to_owned()
                } else {
                    call.arguments
                },
            });
        }
        // Some servers (older Ollama, sometimes OpenAI itself) end tool calls with "stop".
        let stop = if !tool_calls.is_empty() {
            StopReason::ToolUse
        } else {
            match self.finish_reason.as_deref() {
                Some("stop") | None => StopReason::EndTurn,
                Some("tool_calls") | Some("function_call") => StopReason::ToolUse,
                Some("length") => StopReason::MaxTokens,
                Some(other) => StopReason::Other(other.to_owned()),
            }
        };
        Ok(ModelResponse {
            text: std::mem::take(&mut self.text),
            tool_calls,
            stop,
            usage: self.usage,
        })
    }
}

/// `data: {"error": ...}` on a 200 stream. Servers disagree on the shape (string or
/// numeric `code`, `type` names), so both the numeric status and the names are read.
fn stream_error(error: &Value) -> ModelError {
    let message = http::error_message(&json!({ "error": error }))
        .unwrap_or_else(|| http::excerpt(&error.to_string()));
    let status = error["code"].as_u64().and_then(|c| u16::try_from(c).ok());
    let names = [error["type"].as_str(), error["code"].as_str()];
    let has = |needle: &str| names.iter().flatten().any(|n| n.contains(needle));
    if has("insufficient_quota") {
        return ModelError::Rejected {
            status: 429,
            message,
        };
    }
    if has("rate_limit") || status == Some(429) {
        return ModelError::RateLimited { retry_after: None };
    }
    if has("overloaded")
        || has("slow_down")
        || has("unavailable")
        || matches!(status, Some(503 | 529))
    {
        return ModelError::Overloaded { retry_after: None };
    }
    match status {
        Some(s @ 500..=599) => ModelError::Server { status: s, message },
        Some(s @ 400..=499) => ModelError::Rejected { status: s, message },
        _ if has("server_error") || has("api_error") => ModelError::Server {
            status: 500,
            message,
        },
        _ => ModelError::Protocol(format!("stream error: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(state: &mut StreamState, data: &str) -> bool {
        state
            .on_event(
                &SseEvent {
                    event: None,
                    data: data.to_owned(),
                },
                &|_| {},
            )
            .unwrap()
    }

    #[test]
    fn calls_without_index_each_start_a_new_call() {
        let mut s = StreamState::default();
        feed(
            &mut s,
            r#"{"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{\"x\":1}"}}]}}]}"#,
        );
        feed(
            &mut s,
            r#"{"choices":[{"delta":{"tool_calls":[{"id":"b","function":{"name":"g","arguments":"{}"}}]},"finish_reason":"stop"}]}"#,
        );
        let r = s.finish().unwrap();
        assert_eq!(r.stop, StopReason::ToolUse);
        assert_eq!(r.tool_calls.len(), 2);
        assert_eq!(r.tool_calls[0].arguments, "{\"x\":1}");
        assert_eq!(r.tool_calls[1].name, "g");
    }

    #[test]
    fn parallel_calls_by_index_interleaved() {
        let mut s = StreamState::default();
        feed(
            &mut s,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":""}},{"index":1,"id":"b","function":{"name":"g","arguments":"{\"y\""}}]}}]}"#,
        );
        feed(
            &mut s,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":1}"}}]}}]}"#,
        );
        feed(
            &mut s,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":":2}"}}]}}]}"#,
        );
        feed(
            &mut s,
            r#"{"choices":null,"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
        );
        let r = s.finish().unwrap();
        assert_eq!(r.tool_calls[0].arguments, "{\"x\":1}");
        assert_eq!(r.tool_calls[1].arguments, "{\"y\":2}");
        assert_eq!(
            r.usage,
            TokenUsage {
                input_tokens: 3,
                output_tokens: 4
            }
        );
    }

    #[test]
    fn finish_reasons() {
        for (reason, stop) in [
            ("stop", StopReason::EndTurn),
            ("length", StopReason::MaxTokens),
            ("tool_calls", StopReason::ToolUse),
            ("content_filter", StopReason::Other("content_filter".into())),
        ] {
            let mut s = StreamState::default();
            feed(
                &mut s,
                &format!(r#"{{"choices":[{{"delta":{{}},"finish_reason":"{reason}"}}]}}"#),
            );
            assert_eq!(s.finish().unwrap().stop, stop);
        }
    }

    #[test]
    fn mid_stream_error_shapes() {
        assert!(matches!(
            stream_error(&json!({"message":"boom","type":"server_error"})),
            ModelError::Server { status: 500, .. }
        ));
        assert!(matches!(
            stream_error(&json!({"message":"ctx","type":"invalid_request_error","code":400})),
            ModelError::Rejected { status: 400, .. }
        ));
        assert_eq!(
            stream_error(&json!({"message":"slow","code":"rate_limit_exceeded"})),
            ModelError::RateLimited { retry_after: None }
        );
        assert!(matches!(
            stream_error(&json!("weird")),
            ModelError::Protocol(_)
        ));
    }
}
