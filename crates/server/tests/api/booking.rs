//! Booking in conversation through the public API, on SQLite and PostgreSQL: offered
//! times, a pick, the visitor's details, consent, an atomic booking with a confirmation
//! code, and two visitors choosing the same time.

use frontdesk_store::testing::BACKENDS;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

struct Visitor<'a> {
    app: &'a TestApp,
    id: &'static str,
    conversation: Option<String>,
}

impl<'a> Visitor<'a> {
    fn new(app: &'a TestApp, id: &'static str) -> Self {
        Self {
            app,
            id,
            conversation: None,
        }
    }

    async fn say(&mut self, text: &str) -> Value {
        let (status, body) = self
            .app
            .send(self.id, self.conversation.as_deref(), text)
            .await;
        assert_eq!(status, 200, "{text}: {body}");
        self.conversation = body["conversation_id"].as_str().map(str::to_owned);
        body
    }
}

fn text(body: &Value) -> &str {
    body["reply"]["text"].as_str().unwrap()
}

#[tokio::test]
async fn a_visitor_books_a_cleaning_and_gets_a_confirmation_code() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let mut ana = Visitor::new(&app, "v_bookbookbook0001");
        let offer = ana.say("I'd like to book a cleaning").await;
        // Monday 10:00 in Austin, two hours' notice: noon today is the first time.
        assert!(
            text(&offer).contains(
                "I can offer Mon, Nov 23 at noon, Tue, Nov 24 at 8:00 AM or Wed, Nov 25 at 8:00 AM"
            ),
            "{}",
            text(&offer)
        );
        let picked = ana.say("tuesday works").await;
        assert!(
            text(&picked).contains("What's your name?"),
            "{}",
            text(&picked)
        );
        ana.say("Ana Diaz").await;
        let consent = ana.say("512-555-0199").await;
        assert!(
            text(&consent)
                .contains("Shall I book Check-up and cleaning on Tue, Nov 24 at 8:00 AM for Ana?"),
            "{}",
            text(&consent)
        );
        let booked = ana.say("yes").await;
        let reply = text(&booked);
        assert!(
            reply.contains("You're booked, Ana: Check-up and cleaning on Tue, Nov 24 at 8:00 AM"),
            "{reply}"
        );
        let actions = booked["actions"].as_array().unwrap();
        assert_eq!(actions.len(), 2, "{backend:?}: {booked}");
        assert_eq!(actions[0]["type"], "lead_captured");
        assert_eq!(actions[1]["type"], "appointment_booked");
        let code = actions[1]["code"].as_str().unwrap();
        assert!(reply.contains(code));

        let business = app
            .store
            .business_by_slug("demo")
            .await
            .unwrap()
            .unwrap()
            .id;
        let appointment = app
            .store
            .appointment_by_code(business, code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            appointment.id.to_string(),
            actions[1]["appointment_id"].as_str().unwrap()
        );
        assert_eq!(
            appointment.service.as_deref(),
            Some("Check-up and cleaning")
        );
        assert_eq!(
            appointment
                .ends_at
                .duration_since(appointment.starts_at)
                .as_mins(),
            60
        );
        assert_eq!(
            appointment.lead.map(|l| l.to_string()).as_deref(),
            actions[0]["lead_id"].as_str(),
            "linked to the lead"
        );
    }
}

#[tokio::test]
async fn two_visitors_choosing_the_same_time_get_different_appointments() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let mut first = Visitor::new(&app, "v_bookbookbook0002");
        let mut second = Visitor::new(&app, "v_bookbookbook0003");
        for (visitor, name, phone) in [
            (&mut first, "Ana", "5125550101"),
            (&mut second, "Bo", "5125550102"),
        ] {
            visitor
                .say("Can I book a filling on Friday afternoon?")
                .await;
            let picked = visitor.say("the first one").await;
            assert!(
                text(&picked).contains("What's your name?"),
                "{}",
                text(&picked)
            );
            visitor.say(name).await;
            let consent = visitor.say(phone).await;
            assert!(
                text(&consent).contains("on Fri, Nov 27 at noon"),
                "{backend:?}: {}",
                text(&consent)
            );
        }
        let won = first.say("yes").await;
        assert_eq!(won["actions"][1]["type"], "appointment_booked", "{won}");
        let lost = second.say("yes").await;
        assert!(
            text(&lost).starts_with("I'm sorry, that time was just taken."),
            "{backend:?}: {}",
            text(&lost)
        );
        assert_eq!(lost["actions"], serde_json::json!([]));
        assert!(
            !text(&lost).contains("Fri, Nov 27 at noon,"),
            "the taken time is not offered again: {}",
            text(&lost)
        );
        let repicked = second.say("the first one").await;
        assert!(
            text(&repicked).contains("Shall I book Fillings"),
            "{}",
            text(&repicked)
        );
        let booked = second.say("yes").await;
        assert_eq!(
            booked["actions"][1]["type"], "appointment_booked",
            "{booked}"
        );
        assert_ne!(won["actions"][1]["code"], booked["actions"][1]["code"]);
    }
}

#[tokio::test]
async fn a_visitor_reschedules_then_cancels_with_the_code_in_later_conversations() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let mut ana = Visitor::new(&app, "v_bookbookbook0004");
        ana.say("I'd like to book a crown on Wednesday").await;
        ana.say("the first one").await;
        ana.say("Ana").await;
        ana.say("ana@example.com").await;
        let booked = ana.say("yes").await;
        let code = booked["actions"][1]["code"].as_str().unwrap().to_owned();
        let business = app
            .store
            .business_by_slug("demo")
            .await
            .unwrap()
            .unwrap()
            .id;
        let before = app
            .store
            .appointment_by_code(business, &code)
            .await
            .unwrap()
            .unwrap();

        // Days later, on another device: only the code identifies the appointment.
        let mut later = Visitor::new(&app, "v_bookbookbook0005");
        let asked = later.say("I need to reschedule my appointment").await;
        assert!(
            text(&asked).contains("confirmation code"),
            "{}",
            text(&asked)
        );
        let wrong = later.say("it's ZZZ-9999").await;
        assert!(text(&wrong).contains("couldn't find"), "{}", text(&wrong));
        let offers = later.say(&code.to_lowercase().replace('-', " ")).await;
        assert!(
            text(&offers).starts_with("Crowns on Wed, Nov 25 at 8:00 AM: I can offer"),
            "{backend:?}: {}",
            text(&offers)
        );
        let confirm = later.say("the second one").await;
        assert!(
            text(&confirm).starts_with("Shall I move Crowns"),
            "{}",
            text(&confirm)
        );
        let moved = later.say("yes").await;
        assert_eq!(
            moved["actions"][0]["type"], "appointment_rescheduled",
            "{moved}"
        );
        assert!(text(&moved).contains(&format!("Your confirmation code stays {code}")));
        let after = app
            .store
            .appointment_by_code(business, &code)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(after.starts_at, before.starts_at);
        assert_eq!(after.ends_at.duration_since(after.starts_at).as_mins(), 90);

        let mut again = Visitor::new(&app, "v_bookbookbook0006");
        let confirm = again
            .say(&format!("please cancel appointment {code}"))
            .await;
        assert!(
            text(&confirm).starts_with("Shall I cancel Crowns"),
            "{}",
            text(&confirm)
        );
        let cancelled = again.say("yes please").await;
        assert_eq!(
            cancelled["actions"][0]["type"], "appointment_cancelled",
            "{cancelled}"
        );
        let stored = app
            .store
            .appointment_by_code(business, &code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, frontdesk_store::AppointmentStatus::Cancelled);
        let gone = Visitor::new(&app, "v_bookbookbook0007")
            .say(&format!("cancel my appointment {code}"))
            .await;
        assert!(
            text(&gone).contains("couldn't find"),
            "a cancelled code changes nothing: {}",
            text(&gone)
        );
    }
}
