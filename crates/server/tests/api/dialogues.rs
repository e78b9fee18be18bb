//! Lead and booking dialogues with the built-in engine, turn by turn through the public
//! API, on SQLite and PostgreSQL. The demo business is a dental practice in Austin; the
//! clock is Monday 2026-11-23 10:00 there (Thanksgiving, Thursday the 26th, is closed;
//! weekends are closed; bookings need two hours' notice).

use frontdesk_store::testing::BACKENDS;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

/// One visitor message and what the reply must contain (empty: anything).
type Turn = (&'static str, &'static str);

/// What the last turn must have done.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ends {
    Nothing,
    Lead,
    Booking,
}

const DIALOGUES: &[(&str, Ends, &[Turn])] = &[
    (
        "a call back, one question at a time",
        Ends::Lead,
        &[
            ("Can someone call me back?", "What's your name?"),
            ("Ana Diaz", "phone number or email"),
            ("512-555-0199", "talk to the team about"),
            ("fillings", "good time"),
            ("mornings", "ending in 0199 about Fillings"),
            ("yes", "Thank you, Ana"),
        ],
    ),
    (
        "everything in one message",
        Ends::Lead,
        &[
            (
                "I'm Ana, 512-555-0199, please call me about whitening tomorrow afternoon",
                "ending in 0199 about Teeth whitening",
            ),
            ("yes", "get in touch by phone"),
        ],
    ),
    (
        "email instead of a phone",
        Ends::Lead,
        &[
            ("please contact me", "What's your name?"),
            ("Bo", "phone number or email"),
            ("bo@example.com", ""),
            ("crowns", ""),
            ("evenings", "by email about Crowns"),
            ("yep", "by email"),
        ],
    ),
    (
        "a corrected phone number",
        Ends::Lead,
        &[
            ("I'd like a callback", "What's your name?"),
            ("Cy", ""),
            ("512-555-0101", ""),
            ("no preference", ""),
            ("any time", "ending in 0101"),
            ("sorry, it's 512-555-0102", "ending in 0102"),
            ("yes", "Thank you, Cy"),
        ],
    ),
    (
        "a corrected name",
        Ends::Lead,
        &[
            ("get back to me please", "What's your name?"),
            ("Ana", "Thanks, Ana"),
            ("actually my name is Anna Lee", "Thanks, Anna"),
            ("5125550123", ""),
            ("skip", ""),
            ("whenever", "May Maple Street Dental Studio contact you"),
            ("sure", "Thank you, Anna"),
        ],
    ),
    (
        "skipping the optional questions",
        Ends::Lead,
        &[
            ("text me", ""),
            ("Jo", ""),
            ("5125550124", "talk to the team about"),
            ("not sure", "good time"),
            ("doesn't matter", "Please answer yes or no"),
            ("ok", "Thank you, Jo"),
        ],
    ),
    (
        "declining consent",
        Ends::Nothing,
        &[
            ("call me back", ""),
            ("Dee", ""),
            ("5125550125", ""),
            ("crowns", ""),
            ("mornings", "Please answer yes or no"),
            ("no", "won't pass your details on"),
        ],
    ),
    (
        "changing one's mind",
        Ends::Nothing,
        &[
            ("please have someone reach out to me", "What's your name?"),
            ("never mind", "won't pass your details on"),
        ],
    ),
    (
        "a question in the middle",
        Ends::Lead,
        &[
            ("please call me", "What's your name?"),
            ("what are your hours on friday?", "Friday"),
            ("Eve", "Thanks, Eve"),
            ("5125550126", ""),
            ("fillings", ""),
            ("after 5pm", ""),
            ("yes", "Thank you, Eve"),
        ],
    ),
    (
        "symptoms are acknowledged and not asked about",
        Ends::Lead,
        &[
            (
                "My gums have been bleeding, can someone call me?",
                "won't write down health details",
            ),
            ("Flo", ""),
            ("5125550127", ""),
            ("skip", ""),
            ("mornings", ""),
            ("yes", "Thank you, Flo"),
        ],
    ),
    (
        "an international number",
        Ends::Lead,
        &[
            (
                "call me please, I'm Gus, +44 20 7946 0958",
                "talk to the team about",
            ),
            ("crowns", ""),
            ("any time", "ending in 0958"),
            ("yes", "Thank you, Gus"),
        ],
    ),
    (
        "a number that isn't one, then one",
        Ends::Lead,
        &[
            ("can someone call me", ""),
            ("Hal", "phone number or email"),
            ("12345", "Sorry, I didn't catch that"),
            ("512 555 0128", ""),
            ("not sure", ""),
            ("any time", ""),
            ("yes", "Thank you, Hal"),
        ],
    ),
    (
        "an address volunteered unasked",
        Ends::Lead,
        &[
            ("you can reach me at ida@example.com", "What's your name?"),
            ("Ida", ""),
            ("whitening", ""),
            ("mornings", "by email about Teeth whitening"),
            ("yes", "Thank you, Ida"),
        ],
    ),
    (
        "no calls wanted",
        Ends::Nothing,
        &[("please don't call me, what are your hours?", "Monday")],
    ),
    (
        "a lowercase name",
        Ends::Lead,
        &[
            ("call me back", ""),
            ("jan kowalski", "Thanks, Jan"),
            ("5125550129", ""),
            ("fillings", ""),
            ("mornings", ""),
            ("yes please", "Thank you, Jan"),
        ],
    ),
    (
        "a booking, picked by position",
        Ends::Booking,
        &[
            (
                "I'd like to book a cleaning",
                "I can offer Mon, Nov 23 at noon, Tue, Nov 24 at 8:00 AM or Wed, Nov 25 at 8:00 AM",
            ),
            ("the second one", "What's your name?"),
            ("Kim", ""),
            (
                "5125550130",
                "Shall I book Check-up and cleaning on Tue, Nov 24 at 8:00 AM for Kim?",
            ),
            ("yes", "You're booked, Kim"),
        ],
    ),
    (
        "a booking, picked by weekday",
        Ends::Booking,
        &[
            ("can I book a filling?", "I can offer"),
            ("wednesday works", "What's your name?"),
            ("Lou", ""),
            ("lou@example.com", "on Wed, Nov 25 at 8:00 AM"),
            ("yes", "confirmation code"),
        ],
    ),
    (
        "a booking, picked by time",
        Ends::Booking,
        &[
            ("I want to book a crown", "Mon, Nov 23 at noon"),
            ("noon today please", ""),
            ("Max", ""),
            ("5125550131", "on Mon, Nov 23 at noon"),
            ("yes", "You're booked, Max"),
        ],
    ),
    (
        "none of those",
        Ends::Booking,
        &[
            ("I'd like to book a cleaning", "Wed, Nov 25 at 8:00 AM"),
            ("none of those work", "I can offer Fri, Nov 27"),
            ("the first one", "What's your name?"),
            ("Ned", ""),
            ("5125550132", "Fri, Nov 27"),
            ("yes", "You're booked, Ned"),
        ],
    ),
    (
        "friday afternoon",
        Ends::Booking,
        &[
            (
                "Can I come in on Friday afternoon for a filling?",
                "I can offer Fri, Nov 27 at noon",
            ),
            ("the first one", ""),
            ("Oz", ""),
            ("5125550133", "on Fri, Nov 27 at noon"),
            ("yes", "You're booked, Oz"),
        ],
    ),
    (
        "a closed weekend day",
        Ends::Nothing,
        &[(
            "I'd like to book a cleaning on Saturday",
            "I don't see a free time then. I can offer",
        )],
    ),
    (
        "a holiday closure",
        Ends::Nothing,
        &[(
            "can I book a filling on Thursday?",
            "I don't see a free time then",
        )],
    ),
    (
        "any time after three",
        Ends::Nothing,
        &[("I'd like to book a filling, any time after 3", "at 3:00 PM")],
    ),
    (
        "a date by number",
        Ends::Booking,
        &[
            ("I want to book a cleaning on the 2nd", "Wed, Dec 2"),
            ("the last one", ""),
            ("Pia", ""),
            ("5125550134", "Wed, Dec 2"),
            ("yes", "You're booked, Pia"),
        ],
    ),
    (
        "tuesday morning",
        Ends::Nothing,
        &[(
            "could I book a cleaning tuesday morning?",
            "I can offer Tue, Nov 24 at 8:00 AM",
        )],
    ),
    (
        "declining the booking",
        Ends::Nothing,
        &[
            ("I'd like to book a cleaning", ""),
            ("the first one", ""),
            ("Quin", ""),
            ("5125550135", "Please answer yes or no"),
            ("no", "won't pass your details on"),
        ],
    ),
    (
        "a booking abandoned",
        Ends::Nothing,
        &[
            ("can I schedule a checkup", "I can offer"),
            ("never mind", "won't pass your details on"),
        ],
    ),
    (
        "symptoms with a booking",
        Ends::Booking,
        &[
            (
                "I have a toothache, can I book an appointment for a filling tomorrow?",
                "won't write down health details",
            ),
            ("the first one", ""),
            ("Rae", ""),
            ("5125550136", "on Tue, Nov 24"),
            ("yes", "You're booked, Rae"),
        ],
    ),
    (
        "contact details before the booking",
        Ends::Booking,
        &[
            (
                "I'm Sam, 512-555-0137, and I'd like to book a cleaning",
                "I can offer",
            ),
            (
                "the first one",
                "Shall I book Check-up and cleaning on Mon, Nov 23 at noon for Sam?",
            ),
            ("yes", "You're booked, Sam"),
        ],
    ),
    (
        "an appointment for something not on the list",
        Ends::Booking,
        &[
            (
                "I'd like to book an appointment",
                "What is the appointment for",
            ),
            ("a consultation about braces", "I can offer"),
            ("the first one", ""),
            ("Tia", ""),
            ("5125550138", "Shall I book a consultation about braces"),
            ("yes", "You're booked, Tia"),
        ],
    ),
    (
        "a question while choosing",
        Ends::Booking,
        &[
            ("I'd like to book a crown", "I can offer"),
            ("how much is a crown?", "$"),
            ("the first one", "What's your name?"),
            ("Uma", ""),
            ("5125550139", ""),
            ("yes", "You're booked, Uma"),
        ],
    ),
    (
        "an unknown confirmation code",
        Ends::Nothing,
        &[("I need to cancel my appointment ZZZ-9999", "couldn't find")],
    ),
    (
        "a change without a code",
        Ends::Nothing,
        &[(
            "can I reschedule my appointment?",
            "What's your confirmation code?",
        )],
    ),
    (
        "a booking question is not a booking",
        Ends::Nothing,
        &[("Do you take appointments on Saturday?", "")],
    ),
    (
        "pricing is answered, no capture",
        Ends::Nothing,
        &[("how much is whitening?", "$")],
    ),
    (
        "hours are answered, no capture",
        Ends::Nothing,
        &[("when do you open tomorrow?", "8:00")],
    ),
    (
        "an emergency comes first",
        Ends::Nothing,
        &[(
            "my face is swelling and I can't breathe, call me 5125550140",
            "911",
        )],
    ),
    (
        "advice is redirected, no capture",
        Ends::Nothing,
        &[("should I take ibuprofen for my tooth?", "+1 512 555 0142")],
    ),
    (
        "a callback after an answer",
        Ends::Lead,
        &[
            ("do you take Delta Dental?", "Delta Dental"),
            (
                "great, can someone call me to set things up?",
                "What's your name?",
            ),
            ("Val", ""),
            ("5125550141", ""),
            ("Delta Dental questions", ""),
            ("afternoons", ""),
            ("yes", "Thank you, Val"),
        ],
    ),
    (
        "consent answered unclearly, then yes",
        Ends::Lead,
        &[
            ("call me back", ""),
            ("Wes", ""),
            ("5125550143", ""),
            ("crowns", ""),
            ("mornings", "Please answer yes or no"),
            ("hmm", "Please answer yes or no"),
            ("yes", "Thank you, Wes"),
        ],
    ),
];

async fn play(app: &TestApp, visitor: &str, turns: &[Turn]) -> Vec<Value> {
    let mut conversation: Option<String> = None;
    let mut bodies = Vec::new();
    for (say, expect) in turns {
        let (status, body) = app.send(visitor, conversation.as_deref(), say).await;
        assert_eq!(status, 200, "{say}: {body}");
        let reply = body["reply"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            reply.contains(expect),
            "{say:?} → {reply:?}, expected {expect:?}"
        );
        conversation = body["conversation_id"].as_str().map(str::to_owned);
        bodies.push(body);
    }
    bodies
}

#[tokio::test]
async fn forty_lead_and_booking_dialogues() {
    assert!(DIALOGUES.len() >= 40, "{} dialogues", DIALOGUES.len());
    for backend in BACKENDS {
        // A fresh server per dialogue: each starts from the same free calendar.
        for (index, (name, ends, turns)) in DIALOGUES.iter().enumerate() {
            let app = spawn_app(backend).await;
            let visitor = format!("v_dialogue{index:08}");
            let bodies = play(&app, &visitor, turns).await;
            let actions: Vec<String> = bodies.last().unwrap()["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["type"].as_str().unwrap().to_owned())
                .collect();
            let expected: &[&str] = match ends {
                Ends::Nothing => &[],
                Ends::Lead => &["lead_captured"],
                Ends::Booking => &["lead_captured", "appointment_booked"],
            };
            assert_eq!(actions, expected, "{backend:?} · {name}");
        }
    }
}

#[tokio::test]
async fn a_fully_booked_day_offers_other_days() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let business = app
            .store
            .business_by_slug("demo")
            .await
            .unwrap()
            .unwrap()
            .id;
        // Friday 2026-11-27 is open 08:00–14:00 in Austin (UTC−6): fill all of it.
        let new = frontdesk_store::NewAppointment {
            service: None,
            starts_at: "2026-11-27T14:00:00Z".parse().unwrap(),
            ends_at: "2026-11-27T20:00:00Z".parse().unwrap(),
            buffer: jiff::SignedDuration::ZERO,
            conversation: None,
            lead: None,
            visitor: None,
        };
        app.store
            .book_appointment(business, &new, "2026-11-20T00:00:00Z".parse().unwrap())
            .await
            .unwrap();
        let bodies = play(
            &app,
            "v_fullybooked0001",
            &[(
                "can I book a filling on friday?",
                "I don't see a free time then. I can offer Mon, Nov 23",
            )],
        )
        .await;
        let reply = bodies[0]["reply"]["text"].as_str().unwrap();
        assert!(!reply.contains("Fri, Nov 27"), "{backend:?}: {reply}");
    }
}
