use frontdesk_store::testing::BACKENDS;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

const VISITOR: &str = "visitor-e2e-0001";

#[tokio::test]
async fn a_conversation_is_answered_stored_and_continued() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let (status, first) = app
            .send(VISITOR, None, "what are your hours on friday?")
            .await;
        assert_eq!(status, 200, "{backend:?}: {first}");
        assert_eq!(
            first["reply"]["safety"],
            json!({"verdict": "allowed", "rules": []})
        );
        let text = first["reply"]["text"].as_str().unwrap();
        assert!(
            text.contains("Friday") && text.contains("8:00 AM–2:00 PM"),
            "{text}"
        );
        let conversation = first["conversation_id"].as_str().unwrap().to_owned();

        let (status, second) = app.send(VISITOR, Some(&conversation), "and tuesday?").await;
        assert_eq!(status, 200);
        assert_eq!(second["conversation_id"], conversation.as_str());
        assert!(
            second["reply"]["text"]
                .as_str()
                .unwrap()
                .contains("Tuesday"),
            "follow-up uses history: {second}"
        );

        let (status, transcript) = app.transcript(&conversation, VISITOR).await;
        assert_eq!(status, 200);
        let messages = transcript["messages"].as_array().unwrap();
        let roles: Vec<&str> = messages
            .iter()
            .map(|m| m["role"].as_str().unwrap())
            .collect();
        assert_eq!(
            roles,
            ["visitor", "assistant", "visitor", "assistant"],
            "{backend:?}"
        );
        assert_eq!(messages[0]["text"], "what are your hours on friday?");
        assert_eq!(messages[1]["text"], first["reply"]["text"]);
    }
}

#[tokio::test]
async fn transcripts_are_private_to_their_visitor() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let (_, reply) = app.send(VISITOR, None, "hi").await;
        let conversation = reply["conversation_id"].as_str().unwrap();
        for (id, visitor) in [
            (conversation, "someone-else-0002"),
            (conversation, "bad id"),
            ("not-a-uuid", VISITOR),
            ("01a20864-11d4-7132-8a74-5fbf612509f7", VISITOR),
        ] {
            let (status, body) = app.transcript(id, visitor).await;
            assert_eq!(status, 404, "{backend:?} {id} {visitor}: {body}");
            assert_eq!(body["error"]["code"], "conversation_not_found");
        }
        let missing_visitor = app
            .client
            .get(app.url(&format!(
                "/api/v1/businesses/demo/conversations/{conversation}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(missing_visitor.status(), 404);
        // Someone else cannot continue the conversation either.
        let (status, body) = app
            .send(
                "someone-else-0002",
                Some(conversation),
                "what did they ask?",
            )
            .await;
        assert_eq!(status, 404, "{body}");
    }
}

#[tokio::test]
async fn the_reply_streams_as_server_sent_events() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let (deltas, delta_count, done) =
            app.send_streaming(VISITOR, "how much for a cleaning").await;
        assert!(delta_count > 3, "streamed in pieces");
        assert_eq!(
            deltas,
            done["reply"]["text"].as_str().unwrap(),
            "deltas add up to the reply"
        );
        assert!(
            deltas.contains("$95–$180") && deltas.contains("exact price depends on your visit"),
            "{deltas}"
        );
        let conversation = done["conversation_id"].as_str().unwrap();
        let (status, transcript) = app.transcript(conversation, VISITOR).await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(transcript["messages"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors_and_store_nothing() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let endpoint = app.url("/api/v1/businesses/demo/messages");
        let long = "a".repeat(2_001);
        let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
            (
                "malformed JSON",
                app.client
                    .post(&endpoint)
                    .header("content-type", "application/json")
                    .body("{\"visitor_id\": "),
                400,
                "invalid_json",
            ),
            (
                "not JSON",
                app.client
                    .post(&endpoint)
                    .header("content-type", "text/plain")
                    .body("hello"),
                415,
                "unsupported_media_type",
            ),
            (
                "missing text",
                app.client
                    .post(&endpoint)
                    .json(&json!({"visitor_id": VISITOR})),
                422,
                "invalid_body",
            ),
            (
                "wrong type",
                app.client
                    .post(&endpoint)
                    .json(&json!({"visitor_id": VISITOR, "text": 5})),
                422,
                "invalid_body",
            ),
            (
                "empty text",
                app.client
                    .post(&endpoint)
                    .json(&json!({"visitor_id": VISITOR, "text": "  "})),
                422,
                "invalid_text",
            ),
            (
                "over-long text",
                app.client
                    .post(&endpoint)
                    .json(&json!({"visitor_id": VISITOR, "text": long})),
                422,
                "invalid_text",
            ),
            (
                "bad visitor id",
                app.client
                    .post(&endpoint)
                    .json(&json!({"visitor_id": "x", "text": "hi"})),
                422,
                "invalid_visitor_id",
            ),
            (
                "bad conversation id",
                app.client
                    .post(&endpoint)
                    .json(&json!({"visitor_id": VISITOR, "conversation_id": "42", "text": "hi"})),
                422,
                "invalid_conversation_id",
            ),
            (
                "oversized body",
                app.client
                    .post(&endpoint)
                    .header("content-type", "application/json")
                    .body(format!(
                        "{{\"visitor_id\": \"{VISITOR}\", \"text\": \"{}\"}}",
                        "a".repeat(40_000)
                    )),
                413,
                "payload_too_large",
            ),
            (
                "unknown business",
                app.client
                    .post(app.url("/api/v1/businesses/no-such-shop/messages"))
                    .json(&json!({"visitor_id": VISITOR, "text": "hi"})),
                404,
                "business_not_found",
            ),
        ];
        for (name, request, status, code) in cases {
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), status, "{backend:?} {name}");
            let body: Value = response
                .json()
                .await
                .unwrap_or_else(|e| panic!("{name}: error body is JSON: {e}"));
            assert_eq!(body["error"]["code"], code, "{backend:?} {name}: {body}");
            assert!(!body["error"]["message"].as_str().unwrap().is_empty());
        }
        assert_eq!(
            app.store.list_businesses().await.unwrap()[0].conversations,
            0,
            "{backend:?}: nothing stored"
        );
    }
}

#[tokio::test]
async fn the_reply_is_durable_before_it_is_returned() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let mut tasks = Vec::new();
        for n in 0..20 {
            let client = app.client.clone();
            let url = app.url("/api/v1/businesses/demo/messages");
            tasks.push(tokio::spawn(async move {
                let body = json!({"visitor_id": format!("visitor-many-{n:04}"), "text": "are you open now?"});
                client.post(url).json(&body).send().await.unwrap().status().as_u16()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 200);
        }
        // Every 200 means a committed conversation: count them straight from the store.
        assert_eq!(
            app.store.list_businesses().await.unwrap()[0].conversations,
            20,
            "{backend:?}"
        );
    }
}
