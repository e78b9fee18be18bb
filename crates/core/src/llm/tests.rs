//! The model provider against a scripted model: streaming, tool rounds, refused tool
//! calls, and the fallback to the built-in engine.

use std::collections::VecDeque;
use std::sync::Mutex;

use jiff::Timestamp;

use super::*;
use crate::assistant::{DraftRequest, ReplyProvider};
use crate::engine::{self, Knowledge};
use crate::fixtures::demo_business;

/// One scripted response: streamed pieces of text, then tool calls.
type Scripted = Result<(Vec<&'static str>, Vec<(&'static str, &'static str)>), ModelError>;

/// A model that plays back a script and remembers every request it got.
#[derive(Debug)]
struct ScriptedModel {
    script: Mutex<VecDeque<Scripted>>,
    requests: Mutex<Vec<ModelRequest>>,
}

impl ScriptedModel {
    fn new(script: Vec<Scripted>) -> Self {
        Self {
            script: Mutex::new(script.into()),
            requests: Mutex::new(Vec::new()),
        }
    }
}

impl LanguageModel for ScriptedModel {
    fn respond<'a>(&'a self, request: &'a ModelRequest, on_text: TextSink<'a>) -> ModelFuture<'a> {
        self.requests.lock().unwrap().push(request.clone());
        let next = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Ok((vec!["(script ended)"], Vec::new())));
        Box::pin(async move {
            let (pieces, calls) = next?;
            for piece in &pieces {
                on_text(piece);
            }
            let tool_calls: Vec<ToolCall> = calls
                .iter()
                .enumerate()
                .map(|(i, (name, arguments))| ToolCall {
                    id: format!("call_{i}"),
                    name: (*name).to_owned(),
                    arguments: (*arguments).to_owned(),
                })
                .collect();
            Ok(ModelResponse {
                text: pieces.concat(),
                stop: if tool_calls.is_empty() {
                    StopReason::EndTurn
                } else {
                    StopReason::ToolUse
                },
                tool_calls,
                usage: TokenUsage {
                    input_tokens: 100,
                    output_tokens: 10,
                },
            })
        })
    }

    fn label(&self) -> String {
        "scripted/test".to_owned()
    }
}

const QUESTION: &str = "are you open saturday?";

fn now() -> Timestamp {
    "2026-12-01T15:00:00Z".parse().unwrap()
}

/// Drafts one reply; returns it with what was streamed and the model's requests.
async fn draft(script: Vec<Scripted>) -> (crate::assistant::Draft, String, Vec<ModelRequest>) {
    let knowledge = Knowledge::new(demo_business());
    let model = std::sync::Arc::new(ScriptedModel::new(script));
    let provider = ModelProvider::new(model.clone());
    let streamed = Mutex::new(String::new());
    let sink = |piece: &str| streamed.lock().unwrap().push_str(piece);
    let draft = provider
        .draft(DraftRequest {
            knowledge: &knowledge,
            history: &[],
            text: QUESTION,
            now: now(),
            stream: &sink,
        })
        .await
        .unwrap();
    let requests = model.requests.lock().unwrap().clone();
    (draft, streamed.into_inner().unwrap(), requests)
}

fn engine_answer() -> String {
    engine::reply(&Knowledge::new(demo_business()), &[], QUESTION, now())
}

#[tokio::test]
async fn streams_text_and_keeps_visitor_text_out_of_the_instructions() {
    let (draft, streamed, requests) =
        draft(vec![Ok((vec!["Yes, we're ", "open Saturdays."], vec![]))]).await;
    assert_eq!(draft.text, "Yes, we're open Saturdays.");
    assert_eq!(streamed, draft.text);
    let usage = draft.usage.unwrap();
    assert_eq!((usage.calls, usage.tokens.input_tokens), (1, 100));
    assert!(usage.first_text.is_some() && usage.fallback.is_none());
    assert_eq!(usage.model, "scripted/test");
    let request = &requests[0];
    assert!(!request.system.contains(QUESTION));
    assert!(request.system.contains(&demo_business().name));
    assert_eq!(request.messages, [ModelMessage::User(QUESTION.to_owned())]);
    assert_eq!(request.tools.len(), tools::specs().len());
}

#[tokio::test]
async fn tool_results_go_back_to_the_model() {
    let (draft, streamed, requests) = draft(vec![
        Ok((
            vec!["Let me check."],
            vec![("lookup_knowledge", r#"{"question": "saturday hours"}"#)],
        )),
        Ok((vec!["We're open Saturday."], vec![])),
    ])
    .await;
    assert_eq!(draft.text, "Let me check. We're open Saturday.");
    assert_eq!(streamed, draft.text);
    assert_eq!(draft.usage.unwrap().calls, 2);
    let ModelMessage::ToolResults(results) = requests[1].messages.last().unwrap() else {
        panic!("no tool results: {:?}", requests[1].messages)
    };
    assert_eq!(results[0].call_id, "call_0");
    assert!(!results[0].is_error, "{}", results[0].content);
    assert!(results[0].content.to_lowercase().contains("saturday"));
}

#[tokio::test]
async fn a_malformed_tool_call_is_answered_with_an_error_not_run() {
    let (draft, _, requests) = draft(vec![
        Ok((vec![], vec![("lookup_knowledge", r#"{"question": 42, "#)])),
        Ok((vec!["Sorry, let me try again."], vec![])),
    ])
    .await;
    assert_eq!(draft.text, "Sorry, let me try again.");
    let ModelMessage::ToolResults(results) = requests[1].messages.last().unwrap() else {
        panic!("no tool results")
    };
    assert!(results[0].is_error);
    assert!(results[0].content.contains("not valid JSON"));
}

#[tokio::test]
async fn a_failing_model_falls_back_to_the_engine() {
    for failure in [
        ModelError::Overloaded { retry_after: None },
        ModelError::CircuitOpen,
        ModelError::Protocol("stream ended early".into()),
    ] {
        let (draft, _, _) = draft(vec![Err(failure.clone())]).await;
        assert_eq!(draft.text, engine_answer());
        let usage = draft.usage.unwrap();
        assert_eq!(
            usage.fallback.as_deref(),
            Some(failure.to_string().as_str())
        );
    }
    let (empty, _, _) = draft(vec![Ok((vec!["  "], vec![]))]).await;
    assert_eq!(empty.text, engine_answer());
}

#[tokio::test]
async fn endless_tool_calls_end_in_the_fallback() {
    let call = ("hand_off", r#"{"reason": "other"}"#);
    let script = (0..10).map(|_| Ok((vec![], vec![call]))).collect();
    let (draft, _, requests) = draft(script).await;
    assert_eq!(draft.text, engine_answer());
    assert_eq!(requests.len(), 5, "one answer plus four rounds of tools");
    assert!(draft.usage.unwrap().fallback.unwrap().contains("rounds"));
}
