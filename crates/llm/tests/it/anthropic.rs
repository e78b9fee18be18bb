//! AnthropicClient against wiremock replaying Messages API streams.

use std::time::Duration;

use frontdesk_core::llm::{LanguageModel, ModelError, StopReason, TokenUsage};
use frontdesk_llm::{AnthropicClient, AnthropicConfig};
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn client(server: &MockServer) -> AnthropicClient {
    let mut config = AnthropicConfig::new(SECRET, "claude-sonnet-4-5");
    config.base_url = server.uri();
    config.timeouts = fast_timeouts();
    AnthropicClient::new(config).unwrap()
}

fn sse(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "text/event-stream")
}

async fn serve(status_or_body: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(status_or_body)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn streams_text_in_order_and_sends_the_documented_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(header("x-api-key", SECRET))
        .and(header("anthropic-version", "2023-06-01"))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({
            "model": "claude-sonnet-4-5",
            "stream": true,
            "max_tokens": 512,
            "system": "You are the front desk of Example Café.",
        })))
        .respond_with(sse(&fixture("anthropic-text.sse")))
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
        ["Hello", "!", " How can I", " help you today?"]
    );
    assert_eq!(recorder.joined(), response.text);
    assert_eq!(response.text, "Hello! How can I help you today?");
    assert_eq!(response.stop, StopReason::EndTurn);
    assert!(response.tool_calls.is_empty());
    assert_eq!(
        response.usage,
        TokenUsage {
            input_tokens: 25,
            output_tokens: 15
        }
    );
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [{"type": "text", "text": "hello"}]}])
    );
    assert_eq!(body["tools"][0]["name"], "lookup_knowledge");
    assert_eq!(
        body["tools"][0]["input_schema"]["required"],
        json!(["question"])
    );
}

#[tokio::test]
async fn tool_use_input_split_over_many_deltas_is_reassembled() {
    let server = serve(sse(&fixture("anthropic-tool-use.sse"))).await;
    let recorder = Recorder::default();
    let response = client(&server)
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    assert_eq!(response.text, "Let me look that up for you.");
    assert_eq!(recorder.joined(), response.text);
    assert_eq!(response.stop, StopReason::ToolUse);
    assert_eq!(response.tool_calls.len(), 1);
    let call = &response.tool_calls[0];
    assert_eq!(call.id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
    assert_eq!(call.name, "lookup_knowledge");
    let args: Value = serde_json::from_str(&call.arguments).unwrap();
    assert_eq!(args, json!({"question": "what are your hours on saturday"}));
    assert_eq!(
        response.usage,
        TokenUsage {
            input_tokens: 472,
            output_tokens: 68
        }
    );
}

#[tokio::test]
async fn tool_use_without_input_deltas_gets_an_empty_object() {
    let body = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n\
event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_time\",\"input\":{}}}\n\n\
event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n\
event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
event: brand_new_event\ndata: {\"type\":\"brand_new_event\",\"whatever\":[1,2]}\n\n\
event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}\n\n\
event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    let server = serve(sse(body)).await;
    let response = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap();
    assert_eq!(response.tool_calls[0].arguments, "{}");
    assert_eq!(response.tool_calls[0].name, "get_time");
    assert_eq!(response.usage.output_tokens, 9);
}

#[tokio::test]
async fn tool_results_open_the_next_user_message() {
    let server = serve(sse(&fixture("anthropic-text.sse"))).await;
    client(&server)
        .respond(&tool_round_trip_request(), &|_| {})
        .await
        .unwrap();
    let body: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(
        messages[1]["content"],
        json!([
            {"type": "text", "text": "Let me look that up."},
            {"type": "tool_use", "id": "call_1", "name": "lookup_knowledge", "input": {"question": "saturday hours"}},
            {"type": "tool_use", "id": "call_2", "name": "lookup_knowledge", "input": {"question": "holidays"}},
        ])
    );
    assert_eq!(messages[2]["role"], "user");
    assert_eq!(
        messages[2]["content"],
        json!([
            {"type": "tool_result", "tool_use_id": "call_1", "content": "Saturday 9:00-14:00", "is_error": false},
            {"type": "tool_result", "tool_use_id": "call_2", "content": "unknown question", "is_error": true},
            {"type": "text", "text": "and sunday?"},
        ])
    );
}

#[tokio::test]
async fn error_event_mid_stream_is_overloaded_after_the_text_already_shown() {
    let server = serve(sse(&fixture("anthropic-error-midstream.sse"))).await;
    let recorder = Recorder::default();
    let error = client(&server)
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap_err();
    assert_eq!(error, ModelError::Overloaded { retry_after: None });
    assert_eq!(recorder.joined(), "We're open from 9am");
}

#[tokio::test]
async fn stream_cut_before_message_stop_is_a_protocol_error() {
    let full = fixture("anthropic-text.sse");
    let cut = &full[..full.find("event: message_stop").unwrap()];
    let server = serve(sse(cut)).await;
    let recorder = Recorder::default();
    let error = client(&server)
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::Protocol(_)), "{error:?}");
    assert_eq!(recorder.joined(), "Hello! How can I help you today?");
}

#[tokio::test]
async fn http_429_keeps_retry_after() {
    let server = serve(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "7")
            .set_body_raw(fixture("anthropic-error-429.json"), "application/json"),
    )
    .await;
    let error = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ModelError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn http_529_is_overloaded() {
    let server = serve(
        ResponseTemplate::new(529)
            .set_body_raw(fixture("anthropic-error-529.json"), "application/json"),
    )
    .await;
    let error = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(error, ModelError::Overloaded { retry_after: None });
}

#[tokio::test]
async fn http_401_is_rejected_with_the_vendor_message_and_no_key() {
    // A hostile or buggy proxy echoing the key must not get it into our errors.
    let body = format!(
        r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key {SECRET}"}},"request_id":"req_1"}}"#
    );
    let server = serve(ResponseTemplate::new(401).set_body_raw(body, "application/json")).await;
    let client = client(&server);
    let error = client
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    match &error {
        ModelError::Rejected { status, message } => {
            assert_eq!(*status, 401);
            assert!(message.starts_with("invalid x-api-key"), "{message}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_no_secret(&error);
    let debug = format!("{client:?}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}

#[tokio::test]
async fn http_500_with_a_non_json_body_keeps_the_text() {
    let server = serve(
        ResponseTemplate::new(500)
            .set_body_raw("upstream connect error or disconnect", "text/plain"),
    )
    .await;
    let error = client(&server)
        .respond(&simple_request(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ModelError::Server {
            status: 500,
            message: "upstream connect error or disconnect".into()
        }
    );
}

#[tokio::test]
async fn label_names_vendor_and_model() {
    let server = MockServer::start().await;
    assert_eq!(client(&server).label(), "anthropic/claude-sonnet-4-5");
}
