//! The tools a model may call. They are the built-in engine's own capabilities, so a model
//! can only reach verified data through the same paths the engine uses. Arguments are
//! validated against the tool's schema before anything runs; a malformed call is answered
//! with an error the model can read, and nothing is executed.

use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::model::{ToolCall, ToolResult, ToolSpec};
use crate::conversation::HistoryMessage;
use crate::engine::{self, Knowledge};

/// Longest question a model may pass to `lookup_knowledge`, like a visitor's message.
const MAX_QUESTION_CHARS: usize = 500;

/// What tools may read while running.
#[derive(Debug, Clone, Copy)]
pub struct ToolContext<'a> {
    pub knowledge: &'a Knowledge,
    pub history: &'a [HistoryMessage],
    pub now: Timestamp,
}

/// The tools offered to every model, with the JSON Schema of their arguments.
pub fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "lookup_knowledge",
            description: "Answers a question about the business (hours, closures, location, \
                services, price ranges, durations, insurance, FAQs) from its verified data. \
                Use it for every fact you tell the visitor.",
            input_schema: json!({
                "type": "object",
                "properties": {
                    "question": {
                        "type": "string",
                        "description": "The visitor's question, in their words or rephrased.",
                        "minLength": 1,
                        "maxLength": MAX_QUESTION_CHARS
                    }
                },
                "required": ["question"],
                "additionalProperties": false
            }),
        },
        ToolSpec {
            name: "hand_off",
            description: "Hands the conversation to a person on the team and returns how the \
                visitor can reach them. Use it when the visitor asks for a person, or for \
                anything you must not answer (advice, billing disputes, complaints).",
            input_schema: json!({
                "type": "object",
                "properties": {
                    "reason": {
                        "type": "string",
                        "enum": ["visitor_request", "needs_advice", "billing", "complaint", "other"]
                    }
                },
                "required": ["reason"],
                "additionalProperties": false
            }),
        },
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupKnowledge {
    question: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum HandOffReason {
    VisitorRequest,
    NeedsAdvice,
    Billing,
    Complaint,
    Other,
}

impl HandOffReason {
    fn id(&self) -> &'static str {
        match self {
            HandOffReason::VisitorRequest => "visitor_request",
            HandOffReason::NeedsAdvice => "needs_advice",
            HandOffReason::Billing => "billing",
            HandOffReason::Complaint => "complaint",
            HandOffReason::Other => "other",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HandOff {
    reason: HandOffReason,
}

/// Validates and runs one call. Never panics and never runs a call whose arguments do
/// not match the schema.
pub fn run(call: &ToolCall, context: ToolContext<'_>) -> ToolResult {
    let outcome = match call.name.as_str() {
        "lookup_knowledge" => parse::<LookupKnowledge>(&call.arguments).and_then(|args| {
            let question = args.question.trim();
            if question.is_empty() {
                return Err("`question` must not be empty".to_owned());
            }
            if question.chars().count() > MAX_QUESTION_CHARS {
                return Err(format!(
                    "`question` must be at most {MAX_QUESTION_CHARS} characters"
                ));
            }
            let answer = engine::reply(context.knowledge, context.history, question, context.now);
            Ok(json!({ "answer": answer }))
        }),
        "hand_off" => parse::<HandOff>(&call.arguments).map(|args| {
            let business = &context.knowledge.business;
            json!({
                "handed_off": true,
                "reason": args.reason.id(),
                "phone": business.phone,
                "email": business.email,
                "tell_the_visitor": "A person on the team will help; give them the phone or email above.",
            })
        }),
        other => Err(format!(
            "unknown tool {other:?}; available tools: {}",
            specs()
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    let (content, is_error) = match outcome {
        Ok(value) => (value, false),
        Err(message) => (json!({ "error": message }), true),
    };
    ToolResult {
        call_id: call.id.clone(),
        content: content.to_string(),
        is_error,
    }
}

/// Parses arguments strictly: valid JSON, an object, only the schema's fields, right types.
fn parse<T: DeserializeOwned>(arguments: &str) -> Result<T, String> {
    let value: Value = serde_json::from_str(if arguments.trim().is_empty() {
        "{}"
    } else {
        arguments
    })
    .map_err(|e| format!("arguments are not valid JSON: {e}"))?;
    if !value.is_object() {
        return Err("arguments must be a JSON object".to_owned());
    }
    serde_json::from_value(value).map_err(|e| format!("invalid arguments: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::demo_business;

    fn call(name: &str, arguments: &str) -> ToolResult {
        let knowledge = Knowledge::new(demo_business());
        let context = ToolContext {
            knowledge: &knowledge,
            history: &[],
            now: "2026-12-01T15:00:00Z".parse().unwrap(),
        };
        run(
            &ToolCall {
                id: "call_1".into(),
                name: name.into(),
                arguments: arguments.into(),
            },
            context,
        )
    }

    #[test]
    fn lookup_answers_from_verified_data() {
        let result = call(
            "lookup_knowledge",
            r#"{"question": "are you open on saturday?"}"#,
        );
        assert!(!result.is_error, "{}", result.content);
        assert_eq!(result.call_id, "call_1");
        let answer: Value = serde_json::from_str(&result.content).unwrap();
        assert!(answer["answer"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("saturday"));
    }

    #[test]
    fn malformed_calls_are_refused_with_a_readable_error() {
        for (name, arguments, expected) in [
            ("lookup_knowledge", r#"{"question": "#, "not valid JSON"),
            ("lookup_knowledge", r#"["hours"]"#, "JSON object"),
            ("lookup_knowledge", r#"{}"#, "missing field `question`"),
            ("lookup_knowledge", r#"{"question": 7}"#, "invalid type"),
            (
                "lookup_knowledge",
                r#"{"question": "hours", "sql": "drop table"}"#,
                "unknown field",
            ),
            (
                "lookup_knowledge",
                r#"{"question": "   "}"#,
                "must not be empty",
            ),
            ("hand_off", r#"{"reason": "because"}"#, "unknown variant"),
            ("delete_everything", r#"{}"#, "unknown tool"),
        ] {
            let result = call(name, arguments);
            assert!(result.is_error, "{name} {arguments} ran");
            assert!(
                result.content.contains(expected),
                "{arguments}: {}",
                result.content
            );
        }
        let long = format!(
            r#"{{"question": "{}"}}"#,
            "a".repeat(MAX_QUESTION_CHARS + 1)
        );
        assert!(call("lookup_knowledge", &long).is_error);
    }

    #[test]
    fn hand_off_gives_the_team_contact() {
        let result = call("hand_off", r#"{"reason": "visitor_request"}"#);
        assert!(!result.is_error);
        assert!(result.content.contains("visitor_request"));
        assert!(result
            .content
            .contains(demo_business().phone.as_deref().unwrap()));
    }

    #[test]
    fn every_schema_is_a_closed_object_with_required_fields() {
        for spec in specs() {
            let schema = &spec.input_schema;
            assert_eq!(schema["type"], "object", "{}", spec.name);
            assert_eq!(schema["additionalProperties"], false, "{}", spec.name);
            for required in schema["required"].as_array().unwrap() {
                assert!(schema["properties"]
                    .get(required.as_str().unwrap())
                    .is_some());
            }
        }
    }
}
