//! Lead capture through the public API, on SQLite and PostgreSQL: the dialogue, the
//! `lead_captured` action, merging a returning visitor's lead, and health details.

use frontdesk_store::testing::BACKENDS;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

/// Sends the messages in one conversation; returns every response.
async fn dialogue(app: &TestApp, visitor: &str, messages: &[&str]) -> Vec<Value> {
    let mut conversation: Option<String> = None;
    let mut responses = Vec::new();
    for message in messages {
        let (status, body) = app.send(visitor, conversation.as_deref(), message).await;
        assert_eq!(status, 200, "{message}: {body}");
        conversation = body["conversation_id"].as_str().map(str::to_owned);
        responses.push(body);
    }
    responses
}

fn reply(body: &Value) -> &str {
    body["reply"]["text"].as_str().unwrap()
}

async fn demo_id(app: &TestApp) -> frontdesk_core::conversation::BusinessId {
    app.store
        .business_by_slug("demo")
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn a_visitor_leaves_details_and_the_lead_is_saved_with_its_conversation() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let responses = dialogue(
            &app,
            "v_leadleadlead0001",
            &[
                "Could someone call me back?",
                "Ana Diaz",
                "(512) 555-0199",
                "a crown",
                "weekday mornings",
                "yes please",
            ],
        )
        .await;
        assert!(reply(&responses[0]).contains("What's your name?"));
        assert_eq!(responses[0]["actions"], serde_json::json!([]));
        let last = responses.last().unwrap();
        assert!(reply(last).contains("Thank you, Ana"), "{last}");
        let actions = last["actions"].as_array().unwrap();
        assert_eq!(actions.len(), 1, "{backend:?}: {last}");
        assert_eq!(actions[0]["type"], "lead_captured");
        let lead_id = actions[0]["lead_id"].as_str().unwrap();

        let leads = app.store.leads(demo_id(&app).await, 10, 0).await.unwrap();
        assert_eq!(leads.len(), 1, "{backend:?}");
        let lead = &leads[0];
        assert_eq!(lead.id.to_string(), lead_id);
        assert_eq!(lead.name.as_deref(), Some("Ana Diaz"));
        assert_eq!(lead.phone.as_deref(), Some("+15125550199"));
        assert_eq!(lead.interest.as_deref(), Some("Crowns"));
        assert_eq!(lead.preferred_time.as_deref(), Some("weekday mornings"));
        assert!(lead.consent);
        assert_eq!(lead.channel, "web");
        assert_eq!(
            lead.page_url.as_deref(),
            Some("https://maple.example/contact")
        );
        assert_eq!(
            lead.conversation.map(|c| c.to_string()).as_deref(),
            responses[0]["conversation_id"].as_str()
        );
    }
}

#[tokio::test]
async fn a_returning_visitor_s_details_merge_into_their_lead() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let first = dialogue(
            &app,
            "v_leadleadlead0002",
            &[
                "I'm Ana, 512-555-0199, call me about whitening",
                "any time",
                "yes",
            ],
        )
        .await;
        let first_id = first.last().unwrap()["actions"][0]["lead_id"].clone();
        // Another day, another conversation, another device: same phone number.
        let second = dialogue(
            &app,
            "v_leadleadlead0003",
            &[
                "please email me, I'm Ana: ana.diaz@example.com, phone 512 555 0199",
                "fillings",
                "evenings",
                "yes",
            ],
        )
        .await;
        let second_id = second.last().unwrap()["actions"][0]["lead_id"].clone();
        assert_eq!(first_id, second_id, "{backend:?}: merged, not duplicated");
        let leads = app.store.leads(demo_id(&app).await, 10, 0).await.unwrap();
        assert_eq!(leads.len(), 1);
        assert_eq!(leads[0].email.as_deref(), Some("ana.diaz@example.com"));
        assert_eq!(leads[0].phone.as_deref(), Some("+15125550199"));
        assert_eq!(
            leads[0].interest.as_deref(),
            Some("Fillings"),
            "the newer answer wins"
        );
    }
}

#[tokio::test]
async fn volunteered_symptoms_are_acknowledged_not_recorded_and_emergencies_come_first() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let responses = dialogue(
            &app,
            "v_leadleadlead0004",
            &[
                "My tooth has been throbbing for three days, can someone call me?",
                "Sam",
                "5125550123",
                "the pain is worse at night",
                "no preference",
                "yes",
            ],
        )
        .await;
        let first = reply(&responses[0]);
        assert!(first.contains("won't write down health details"), "{first}");
        assert!(first.contains("What's your name?"), "{first}");
        let last = responses.last().unwrap();
        assert_eq!(
            last["actions"][0]["type"], "lead_captured",
            "{backend:?}: {last}"
        );
        let leads = app.store.leads(demo_id(&app).await, 10, 0).await.unwrap();
        assert_eq!(leads[0].interest, None, "symptoms are not the lead's topic");
        let conversation = responses[0]["conversation_id"].as_str().unwrap();
        let (_, transcript) = app.transcript(conversation, "v_leadleadlead0004").await;
        let stored = transcript.to_string();
        assert!(
            !stored.contains("throbbing") && !stored.contains("worse at night"),
            "{stored}"
        );

        let emergency = dialogue(
            &app,
            "v_leadleadlead0005",
            &["I have crushing chest pain, call me at 512-555-0188"],
        )
        .await;
        assert!(reply(&emergency[0]).contains("911"), "{}", emergency[0]);
        assert_eq!(emergency[0]["actions"], serde_json::json!([]));
    }
}
