//! OpenAiClient against wiremock replaying chat completions streams (OpenAI and Ollama).

use std::time::Duration;

use frontdesk_core::llm::{LanguageModel, ModelError, StopReason, TokenUsage};
use frontdesk_llm::{OpenAiClient, OpenAiConfig};
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn client(server: &MockServer) -> OpenAiClient {
    let mut config = OpenAiConfig::new(server.uri(), Some(SECRET.into()), "gpt-4o-mini");
    config.timeouts = fast_timeouts();
    OpenAiClient::new(config).unwrap()
}

fn sse(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream")
}

async fn serve(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

async fn error_of(response: ResponseTemplate) -> ModelError {
    let server = serve(response).await;
    client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err()
}

#[tokio::test]
async fn streams_text_and_reads_the_usage_chunk() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {SECRET}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({
            "model": "gpt-4o-mini",
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": 512,
        })))
        .respond_with(sse(&fixture("openai-text.sse")))
        .expect(1)
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let response = client(&server)
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    assert_eq!(
        recorder.texts(),
        ["Hello", "!", " How can I", " assist you", " today?"]
    );
    assert_eq!(recorder.joined(), response.text);
    assert_eq!(response.stop, StopReason::EndTurn);
    assert_eq!(
        response.usage,
        TokenUsage {
            input_tokens: 19,
            output_tokens: 10
        }
    );
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "You are the front desk of Example Café."},
            {"role": "user", "content": "hello"},
        ])
    );
    assert_eq!(
        body["tools"][0],
        json!({"type": "function", "function": {
            "name": "lookup_knowledge",
            "description": "Looks up the business's verified facts.",
            "parameters": {
                "type": "object",
                "properties": {"question": {"type": "string"}},
                "required": ["question"],
            },
        }})
    );
}

#[tokio::test]
async fn tool_call_split_across_chunks_is_reassembled() {
    let server = serve(sse(&fixture("openai-tool-call.sse"))).await;
    let recorder = Recorder::default();
    let response = client(&server)
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    assert!(recorder.texts().is_empty());
    assert_eq!(response.text, "");
    assert_eq!(response.stop, StopReason::ToolUse);
    assert_eq!(response.tool_calls.len(), 1);
    let call = &response.tool_calls[0];
    assert_eq!(call.id, "call_O17Uplv4lJvD6DVdIvFFeRMw");
    assert_eq!(call.name, "lookup_knowledge");
    let args: Value = serde_json::from_str(&call.arguments).unwrap();
    assert_eq!(args, json!({"question": "what are your hours on saturday"}));
    // This capture was made without include_usage: no usage is not an error.
    assert_eq!(response.usage, TokenUsage::default());
}

#[tokio::test]
async fn history_uses_tool_calls_and_tool_role_messages() {
    let server = serve(sse(&fixture("openai-text.sse"))).await;
    client(&server)
        .respond(&tool_round_trip_request(), &|_| {})
        .await
        .unwrap();
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    let messages = body["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "tool", "tool", "user"]
    );
    assert_eq!(
        messages[2],
        json!({"role": "assistant", "content": "Let me look that up.", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "lookup_knowledge", "arguments": "{\"question\":\"saturday hours\"}"}},
            {"id": "call_2", "type": "function", "function": {"name": "lookup_knowledge", "arguments": "{\"question\":\"holidays\"}"}},
        ]})
    );
    assert_eq!(
        messages[3],
        json!({"role": "tool", "tool_call_id": "call_1", "content": "Saturday 9:00-14:00"})
    );
    assert_eq!(messages[4]["tool_call_id"], "call_2");
    assert_eq!(messages[4]["content"], "Error: unknown question");
    assert_eq!(
        messages[5],
        json!({"role": "user", "content": "and sunday?"})
    );
}

#[tokio::test]
async fn ollama_whole_tool_call_without_key_and_with_v1_base_url() {
    let server = serve(sse(&fixture("ollama-tool-call.sse"))).await;
    let mut config = OpenAiConfig::new(format!("{}/v1/", server.uri()), None, "llama3.1:8b");
    config.vendor = "ollama".into();
    let client = OpenAiClient::new(config).unwrap();
    assert_eq!(client.label(), "ollama/llama3.1:8b");
    let response = client.respond(&simple_request(), &|_| {}).await.unwrap();
    assert_eq!(response.stop, StopReason::ToolUse);
    assert_eq!(response.tool_calls.len(), 1);
    assert_eq!(response.tool_calls[0].id, "call_k3v9x2ab");
    assert_eq!(
        serde_json::from_str::<Value>(&response.tool_calls[0].arguments).unwrap(),
        json!({"question": "what are your hours on saturday"})
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/v1/chat/completions");
    assert!(requests[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn tool_calls_without_index_and_finish_reason_stop_are_still_tool_use() {
    let body = concat!(
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"lookup_knowledge\",\"arguments\":\"{\\\"question\\\":\\\"a\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"lookup_knowledge\",\"arguments\":\"{\\\"question\\\":\\\"b\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"choices\":null,\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":5}}\n\n",
        "data: {\"usage\":null}\n\n",
        "data: [DONE]\n\n",
    );
    let server = serve(sse(body)).await;
    let response = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap();
    assert_eq!(response.stop, StopReason::ToolUse);
    let ids: Vec<&str> = response.tool_calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["call_a", "call_b"]);
    assert_eq!(response.tool_calls[1].arguments, r#"{"question":"b"}"#);
    assert_eq!(
        response.usage,
        TokenUsage {
            input_tokens: 11,
            output_tokens: 5
        }
    );
}

#[tokio::test]
async fn length_finish_is_max_tokens() {
    let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"We are open\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n";
    let server = serve(sse(body)).await;
    let response = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap();
    assert_eq!(response.stop, StopReason::MaxTokens);
    assert_eq!(response.text, "We are open");
}

#[tokio::test]
async fn error_chunk_mid_stream_fails_after_the_text_already_shown() {
    let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"We're open\"}}]}\n\ndata: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
    let server = serve(sse(body)).await;
    let recorder = Recorder::default();
    let error = client(&server)
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ModelError::Server {
            status: 500,
            message: "The server had an error while processing your request.".into()
        }
    );
    assert_eq!(recorder.joined(), "We're open");
}

#[tokio::test]
async fn stream_without_done_or_finish_reason_is_a_protocol_error() {
    let full = fixture("openai-text.sse");
    let cut = &full[..full.find("\"finish_reason\":\"stop\"").unwrap()];
    let cut = &cut[..cut.rfind("data: ").unwrap()];
    let server = serve(sse(cut)).await;
    let error = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::Protocol(_)), "{error:?}");
}

#[tokio::test]
async fn stream_with_finish_reason_but_no_done_is_accepted() {
    let full = fixture("openai-text.sse");
    let cut = &full[..full.find("data: [DONE]").unwrap()];
    let server = serve(sse(cut)).await;
    let response = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap();
    assert_eq!(response.text, "Hello! How can I assist you today?");
    assert_eq!(response.usage.input_tokens, 19);
}

#[tokio::test]
async fn http_429_rate_limit_keeps_retry_after_ms() {
    let error = error_of(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "3")
            .insert_header("retry-after-ms", "2222")
            .set_body_raw(fixture("openai-error-429.json"), "application/json"),
    )
    .await;
    assert_eq!(
        error,
        ModelError::RateLimited {
            retry_after: Some(Duration::from_millis(2222))
        }
    );
}

#[tokio::test]
async fn http_429_insufficient_quota_is_rejected_not_retryable() {
    let error = error_of(
        ResponseTemplate::new(429)
            .set_body_raw(fixture("openai-error-429-quota.json"), "application/json"),
    )
    .await;
    assert_eq!(
        error,
        ModelError::Rejected {
            status: 429,
            message: "You exceeded your current quota, please check your plan and billing details."
                .into()
        }
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn http_401_message_has_no_key_in_any_form() {
    let server = serve(ResponseTemplate::new(401).set_body_raw(
        fixture("openai-error-401.json").replace("sk-abc123", SECRET),
        "application/json",
    ))
    .await;
    let client = client(&server);
    let error = client
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    match &error {
        ModelError::Rejected {
            status: 401,
            message,
        } => {
            assert!(
                message.starts_with("Incorrect API key provided: [redacted]."),
                "{message}"
            );
        }
        other => panic!("expected Rejected 401, got {other:?}"),
    }
    assert_no_secret(&error);
    let debug = format!("{client:?}");
    assert!(!debug.contains(SECRET), "{debug}");
}

#[tokio::test]
async fn http_503_is_overloaded_and_502_html_is_server() {
    let error = error_of(ResponseTemplate::new(503).insert_header("retry-after", "1")).await;
    assert_eq!(
        error,
        ModelError::Overloaded {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    let error = error_of(
        ResponseTemplate::new(502)
            .set_body_raw("<html><body>Bad Gateway</body></html>", "text/html"),
    )
    .await;
    assert_eq!(
        error,
        ModelError::Server {
            status: 502,
            message: "<html><body>Bad Gateway</body></html>".into()
        }
    );
}

#[tokio::test]
async fn http_404_model_not_found_is_rejected() {
    let error = error_of(ResponseTemplate::new(404).set_body_raw(
        r#"{"error":{"message":"model \"llama9\" not found, try pulling it first","type":"not_found_error","param":null,"code":null}}"#,
        "application/json",
    ))
    .await;
    assert_eq!(
        error,
        ModelError::Rejected {
            status: 404,
            message: "model \"llama9\" not found, try pulling it first".into()
        }
    );
}

#[tokio::test]
async fn a_json_answer_to_a_streaming_request_is_a_protocol_error() {
    let error =
        error_of(ResponseTemplate::new(200).set_body_raw(r#"{"choices":[]}"#, "application/json"))
            .await;
    assert!(matches!(error, ModelError::Protocol(_)), "{error:?}");
}
