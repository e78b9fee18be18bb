//! Lead capture dialogues, message by message, against the demo dental practice.

use super::*;
use crate::fixtures::demo_business;

/// Plays a dialogue; returns every reply and the final step.
fn play(messages: &[&str]) -> (Vec<String>, Step) {
    play_with(messages, false)
}

/// Monday 2026-11-30, 8:00 in Austin.
fn now() -> jiff::Timestamp {
    "2026-11-30T14:00:00Z".parse().unwrap()
}

fn play_with(messages: &[&str], health_detail: bool) -> (Vec<String>, Step) {
    let context = StepContext {
        health_detail,
        taken: &[],
        now: now(),
    };
    let knowledge = Knowledge::new(demo_business());
    let mut draft: Option<LeadDraft> = None;
    let mut replies = Vec::new();
    let mut last = Step::Pass;
    for message in messages {
        last = step(&knowledge, draft.clone(), message, context);
        match &last {
            Step::Pass => replies.push("<pass>".to_owned()),
            Step::Ask { draft: next, reply } => {
                draft = Some(next.clone());
                replies.push(reply.clone());
            }
            Step::Complete { reply, .. } | Step::Drop { reply } => {
                draft = None;
                replies.push(reply.clone());
            }
        }
    }
    (replies, last)
}

fn completed(messages: &[&str]) -> LeadDetails {
    match play(messages).1 {
        Step::Complete { lead, .. } => lead,
        other => panic!("{messages:?} did not complete: {other:?}"),
    }
}

#[test]
fn one_question_at_a_time_to_consent() {
    let (replies, last) = play(&[
        "Can someone call me back?",
        "Ana Diaz",
        "512-555-0199",
        "a cleaning",
        "mornings",
        "yes",
    ]);
    assert!(replies[0].contains("What's your name?"), "{}", replies[0]);
    assert!(replies[1].contains("Thanks, Ana") && replies[1].contains("phone number or email"));
    assert!(replies[2].contains("What would you like to talk to the team about"));
    assert!(replies[3].contains("good time"));
    assert!(replies[4].contains("ending in 0199") && replies[4].contains("Check-up and cleaning"));
    assert!(replies[5].contains("Thank you, Ana"));
    let Step::Complete { lead, .. } = last else {
        panic!()
    };
    assert_eq!(
        lead,
        LeadDetails {
            name: Some("Ana Diaz".into()),
            phone: find_phone("+15125550199", "1"),
            email: None,
            interest: Some("Check-up and cleaning".into()),
            contact_time: Some("mornings".into()),
            consent: true,
            appointment: None,
        }
    );
}

#[test]
fn several_answers_at_once() {
    let lead = completed(&[
        "I'm Ana, 512-555-0199, please call me about whitening tomorrow afternoon",
        "yes",
    ]);
    assert_eq!(lead.name.as_deref(), Some("Ana"));
    assert_eq!(lead.phone.as_ref().map(E164::as_str), Some("+15125550199"));
    assert_eq!(lead.interest.as_deref(), Some("Teeth whitening"));
    assert!(lead.contact_time.unwrap().contains("tomorrow afternoon"));
}

#[test]
fn a_value_can_be_corrected_before_consent() {
    let (replies, last) = play(&[
        "please have someone contact me",
        "my name is Ana",
        "ana@example.com",
        "fillings",
        "any time",
        "sorry, my email is ana.diaz@example.com",
        "yes",
    ]);
    assert!(replies[5].contains("May Maple Street Dental Studio contact you by email"));
    let Step::Complete { lead, .. } = last else {
        panic!("{replies:?}")
    };
    assert_eq!(lead.email.as_deref(), Some("ana.diaz@example.com"));
    assert_eq!(lead.contact_time.as_deref(), Some("any time"));
}

#[test]
fn optional_questions_can_be_skipped() {
    let lead = completed(&[
        "text me",
        "Jo",
        "5125550123",
        "not sure",
        "no preference",
        "sure",
    ]);
    assert_eq!(lead.interest, None);
    assert_eq!(lead.contact_time.as_deref(), Some("any time"));
}

#[test]
fn declining_consent_or_stopping_forgets_the_details() {
    let (replies, last) = play(&[
        "call me back",
        "Ana",
        "512 555 0199",
        "crowns",
        "evenings",
        "no",
    ]);
    assert!(matches!(last, Step::Drop { .. }), "{replies:?}");
    assert!(
        replies[5].contains("+1 512 555 0142"),
        "the business's own number"
    );
    let (_, last) = play(&["I'd like to book an appointment", "never mind"]);
    assert!(matches!(last, Step::Drop { .. }));
}

#[test]
fn a_question_mid_capture_is_answered_as_usual() {
    let (replies, _) = play(&["please call me", "what are your hours on friday?", "Ana"]);
    assert_eq!(replies[1], "<pass>");
    assert!(replies[2].contains("Thanks, Ana"), "{replies:?}");
}

#[test]
fn unrelated_messages_are_not_captured() {
    for message in [
        "what are your hours?",
        "do you take Delta Dental?",
        "how much is a crown?",
        "please don't call me, just answer here",
        "I'm interested in whitening, how much is it?",
        "Do you take appointments on Saturday?",
    ] {
        assert_eq!(play(&[message]).1, Step::Pass, "{message}");
    }
}

#[test]
fn contact_requests_in_many_phrasings_start_a_capture() {
    for message in [
        "Can someone call me?",
        "could you have someone reach out to me",
        "I'd like a callback",
        "get back to me please",
        "I want to book a cleaning",
        "how do I book an appointment?",
        "can i schedule a checkup",
        "my number is 512-555-0199",
        "ana.diaz@example.com",
        "please email me the details",
        "I need an appointment next week",
        "pls contct me",
        "can i shedule an apointment",
    ] {
        assert!(matches!(play(&[message]).1, Step::Ask { .. }), "{message}");
    }
}

#[test]
fn volunteered_health_details_are_not_taken_as_the_topic() {
    let (replies, last) = play_with(
        &[
            "please call me",
            "Ana",
            "5125550199",
            "my tooth has been throbbing for days",
        ],
        true,
    );
    let Step::Ask { draft, .. } = last else {
        panic!("{replies:?}")
    };
    assert_eq!(
        draft.interest, None,
        "symptoms are never recorded as the topic"
    );
    for reply in &replies {
        let lowered = reply.to_lowercase();
        for asks in ["symptom", "pain", "diagnos", "medication", "history"] {
            assert!(
                !lowered.contains(asks),
                "a reply asks about {asks}: {reply}"
            );
        }
    }
}

#[test]
fn replies_never_repeat_a_whole_number_or_address() {
    let (replies, _) = play(&[
        "I'm Ana, ana.diaz@example.com, 512-555-0199 call me",
        "whitening",
        "mornings",
    ]);
    for reply in replies {
        assert!(
            !reply.contains("5125550199")
                && !reply.contains("555-0199")
                && !reply.contains("ana.diaz"),
            "{reply}"
        );
    }
}
