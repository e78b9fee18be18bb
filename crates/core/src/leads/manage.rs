//! Changing a booked appointment in conversation: the visitor quotes their confirmation
//! code (in this conversation or a later one) and cancels or reschedules. Pure: the
//! assistant looks the code up and carries out the change; this says what to ask.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::contact::yes_or_no;
use super::slots::{describe, describe_all, offer, pick, OfferedSlot, Pick, Preference};
use crate::booking::{normalize_code, Taken};
use crate::engine::Knowledge;

/// What the visitor wants to do with their appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Cancel,
    Reschedule,
}

/// A booked appointment found by its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Managed {
    pub id: Uuid,
    pub code: String,
    pub service: Option<String>,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// What the last reply asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Asking {
    Code,
    Which,
    Slot,
    Confirm,
}

/// A change in progress, kept with the conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManageDraft {
    pub change: Option<Change>,
    pub appointment: Option<Managed>,
    pub offered: Vec<OfferedSlot>,
    pub chosen: Option<OfferedSlot>,
    pub asking: Option<Asking>,
}

/// What one message means for a change.
#[derive(Debug, Clone, PartialEq)]
pub enum ManageStep {
    /// Not about an existing appointment.
    Pass,
    Ask {
        draft: ManageDraft,
        reply: String,
    },
    /// Confirmed: cancel it.
    Cancel {
        appointment: Managed,
    },
    /// Confirmed: move it. The draft is kept in case the time was taken meanwhile.
    Move {
        appointment: Managed,
        to: OfferedSlot,
        draft: ManageDraft,
    },
    /// Left as it was.
    Leave {
        reply: String,
    },
}

/// "cancel", "reschedule", "move my appointment", "can't make it".
pub fn wants_change(message: &str) -> Option<Change> {
    let lowered = message.to_lowercase().replace(['’', '`'], "'");
    let has = |phrases: &[&str]| phrases.iter().any(|p| lowered.contains(p));
    let about_appointment = has(&["appointment", "appt", "booking", "visit", "reservation"])
        || find_code(message).is_some();
    if has(&[
        "reschedule",
        "re-schedule",
        "postpone",
        "push back",
        "push my",
        "move my",
        "change my",
        "different time",
        "another time",
        "different day",
        "another day",
    ]) && about_appointment
    {
        return Some(Change::Reschedule);
    }
    if has(&[
        "cancel",
        "can't make it",
        "cannot make it",
        "can't come",
        "won't make it",
        "won't be able to",
    ]) && about_appointment
    {
        return Some(Change::Cancel);
    }
    None
}

/// A confirmation code in a message: `K7Q-M2X4`, `k7q m2x4`, `K7QM2X4`. A code always
/// has a digit here, so ordinary words of seven letters are never taken for one.
pub fn find_code(message: &str) -> Option<String> {
    let words: Vec<&str> = message
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '.' | ':' | ';' | '!' | '?' | '(' | ')' | '#')
        })
        .filter(|w| !w.is_empty())
        .collect();
    let single = words.iter().map(|w| (*w).to_owned());
    let pairs = words.windows(2).map(|p| format!("{}{}", p[0], p[1]));
    single
        .chain(pairs)
        .filter(|candidate| candidate.chars().any(|c| c.is_ascii_digit()))
        .find_map(|candidate| normalize_code(&candidate))
}

/// The code to look up before [`step`], if the message brings one that matters.
pub fn code_to_look_up(draft: Option<&ManageDraft>, message: &str) -> Option<String> {
    let active = draft.is_some_and(|d| d.appointment.is_none());
    (active || wants_change(message).is_some())
        .then(|| find_code(message))
        .flatten()
}

/// Advances a change by one message. `found` is the store's answer for the code from
/// [`code_to_look_up`]: `Some(None)` when no booked appointment has it.
pub fn step(
    knowledge: &Knowledge,
    draft: Option<ManageDraft>,
    message: &str,
    found: Option<Option<Managed>>,
    taken: &[Taken],
    now: Timestamp,
) -> ManageStep {
    let business = &knowledge.business;
    let tz = &business.timezone;
    let change = wants_change(message);
    if draft.is_none() && change.is_none() {
        return ManageStep::Pass;
    }
    let mut draft = draft.unwrap_or_default();
    if change.is_some() {
        draft.change = change;
    }
    let just_found = found.is_some();
    match found {
        Some(Some(appointment)) => draft.appointment = Some(appointment),
        Some(None) => {
            draft.asking = Some(Asking::Code);
            let contact = business
                .phone
                .as_deref()
                .map(|p| format!(", or call us at {p}"))
                .unwrap_or_default();
            return ManageStep::Ask {
                draft,
                reply: format!("I couldn't find a booked appointment with that code. Please check it and send it again{contact}."),
            };
        }
        None => {}
    }
    let Some(appointment) = draft.appointment.clone() else {
        draft.asking = Some(Asking::Code);
        return ManageStep::Ask {
            draft,
            reply: "Sure. What's your confirmation code? It looks like K7Q-M2X4.".to_owned(),
        };
    };
    let what = describe_managed(knowledge, &appointment);
    match draft.asking {
        Some(Asking::Confirm) if !just_found && change.is_none() => match yes_or_no(message) {
            Some(true) => {
                return match (draft.change, draft.chosen) {
                    (Some(Change::Reschedule), Some(to)) => ManageStep::Move {
                        appointment,
                        to,
                        draft,
                    },
                    _ => ManageStep::Cancel { appointment },
                };
            }
            Some(false) => {
                return ManageStep::Leave {
                    reply: format!("All right, I've left {what} as it is."),
                }
            }
            None => {}
        },
        Some(Asking::Slot) if !just_found => match pick(knowledge, &draft.offered, message, now) {
            Pick::Chosen(slot) => {
                draft.chosen = Some(slot);
                draft.asking = Some(Asking::Confirm);
                return ManageStep::Ask {
                    reply: format!(
                        "Shall I move {what} to {}? Please answer yes or no.",
                        describe(&slot, tz)
                    ),
                    draft,
                };
            }
            Pick::Others(preference) => {
                return offer_new_times(
                    knowledge,
                    draft,
                    &appointment,
                    &what,
                    &preference,
                    taken,
                    now,
                )
            }
            Pick::Unclear => {}
        },
        Some(Asking::Which) if change.is_none() => {}
        _ => {}
    }
    match draft.change {
        None => {
            draft.asking = Some(Asking::Which);
            ManageStep::Ask {
                reply: format!("I found {what}. Would you like to reschedule or cancel it?"),
                draft,
            }
        }
        Some(Change::Cancel) => {
            draft.asking = Some(Asking::Confirm);
            ManageStep::Ask {
                reply: format!("Shall I cancel {what}? Please answer yes or no."),
                draft,
            }
        }
        Some(Change::Reschedule) => {
            let today = now.to_zoned(tz.clone()).date();
            let wanted = super::slots::preference(knowledge, message, today);
            offer_new_times(knowledge, draft, &appointment, &what, &wanted, taken, now)
        }
    }
}

/// The new time went to someone else a moment ago: offer others.
pub fn time_taken(
    knowledge: &Knowledge,
    mut draft: ManageDraft,
    taken: &[Taken],
    now: Timestamp,
) -> ManageStep {
    let Some(appointment) = draft.appointment.clone() else {
        return ManageStep::Pass;
    };
    draft.chosen = None;
    let what = describe_managed(knowledge, &appointment);
    match offer_new_times(
        knowledge,
        draft,
        &appointment,
        &what,
        &Preference::default(),
        taken,
        now,
    ) {
        ManageStep::Ask { draft, reply } => ManageStep::Ask {
            draft,
            reply: format!("I'm sorry, that time was just taken. {reply}"),
        },
        other => other,
    }
}

/// "Crowns on Tue, Dec 1 at 10:00 AM"
fn describe_managed(knowledge: &Knowledge, appointment: &Managed) -> String {
    format!(
        "{} on {}",
        appointment.service.as_deref().unwrap_or("your appointment"),
        describe(
            &OfferedSlot {
                start: appointment.start,
                end: appointment.end
            },
            &knowledge.business.timezone
        )
    )
}

/// The reply once a change is made: moved to `to`, or cancelled.
pub fn changed_reply(
    knowledge: &Knowledge,
    appointment: &Managed,
    to: Option<&OfferedSlot>,
) -> String {
    match to {
        Some(slot) => format!(
            "Done: {} is now on {}. Your confirmation code stays {}.",
            appointment.service.as_deref().unwrap_or("your appointment"),
            describe(slot, &knowledge.business.timezone),
            appointment.code
        ),
        None => format!(
            "Done: {} is cancelled. Is there anything else I can help with?",
            describe_managed(knowledge, appointment)
        ),
    }
}

fn offer_new_times(
    knowledge: &Knowledge,
    mut draft: ManageDraft,
    appointment: &Managed,
    what: &str,
    preference: &Preference,
    taken: &[Taken],
    now: Timestamp,
) -> ManageStep {
    let business = &knowledge.business;
    let duration: SignedDuration = appointment.end.duration_since(appointment.start);
    // Its own time doesn't block the new one.
    let others: Vec<Taken> = taken
        .iter()
        .copied()
        .filter(|t| !(t.start == appointment.start && t.end == appointment.end))
        .collect();
    let mut offered = offer(business, duration, &others, now, preference);
    offered.retain(|s| s.start != appointment.start);
    if offered.is_empty() {
        return ManageStep::Leave {
            reply: format!(
                "I can't find another free time for {what} soon. The team can help{}.",
                business
                    .phone
                    .as_deref()
                    .map(|p| format!(" at {p}"))
                    .unwrap_or_default()
            ),
        };
    }
    let reply = format!(
        "{what}: I can offer {} instead. Which suits you?",
        describe_all(&offered, &business.timezone)
    );
    draft.offered = offered;
    draft.asking = Some(Asking::Slot);
    ManageStep::Ask {
        reply: capitalised(&reply),
        draft,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::demo_business;

    fn knowledge() -> Knowledge {
        Knowledge::new(demo_business())
    }

    fn now() -> Timestamp {
        "2026-11-30T14:00:00Z".parse().unwrap()
    }

    fn booked() -> Managed {
        Managed {
            id: Uuid::nil(),
            code: "K7Q-M2X4".into(),
            service: Some("Crowns".into()),
            start: "2026-12-01T16:00:00Z".parse().unwrap(),
            end: "2026-12-01T17:30:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn codes_are_found_however_they_are_written() {
        assert_eq!(
            find_code("cancel K7Q-M2X4 please").as_deref(),
            Some("K7Q-M2X4")
        );
        assert_eq!(
            find_code("my code is k7q m2x4").as_deref(),
            Some("K7Q-M2X4")
        );
        assert_eq!(find_code("code: K7QM2X4.").as_deref(), Some("K7Q-M2X4"));
        assert_eq!(find_code("see you Tuesday morning"), None);
        assert_eq!(find_code("my number is 5125550199"), None);
    }

    #[test]
    fn changes_are_recognised() {
        assert_eq!(
            wants_change("I need to cancel my appointment"),
            Some(Change::Cancel)
        );
        assert_eq!(
            wants_change("can I reschedule my appointment?"),
            Some(Change::Reschedule)
        );
        assert_eq!(
            wants_change("I can't make it, K7Q-M2X4"),
            Some(Change::Cancel)
        );
        assert_eq!(wants_change("what's your cancellation policy"), None);
        assert_eq!(wants_change("what are your hours"), None);
    }

    #[test]
    fn cancelling_asks_for_the_code_then_confirmation() {
        let k = knowledge();
        let ManageStep::Ask { draft, reply } = step(
            &k,
            None,
            "I need to cancel my appointment",
            None,
            &[],
            now(),
        ) else {
            panic!()
        };
        assert!(reply.contains("confirmation code"));
        let ManageStep::Ask { draft, reply } = step(
            &k,
            Some(draft),
            "K7Q-M2X4",
            Some(Some(booked())),
            &[],
            now(),
        ) else {
            panic!()
        };
        assert_eq!(
            reply,
            "Shall I cancel Crowns on Tue, Dec 1 at 10:00 AM? Please answer yes or no."
        );
        assert_eq!(
            step(&k, Some(draft.clone()), "yes", None, &[], now()),
            ManageStep::Cancel {
                appointment: booked()
            }
        );
        assert!(matches!(
            step(&k, Some(draft), "no, keep it", None, &[], now()),
            ManageStep::Leave { .. }
        ));
    }

    #[test]
    fn rescheduling_offers_times_and_moves_after_confirmation() {
        let k = knowledge();
        let taken = [Taken {
            start: booked().start,
            end: booked().end,
        }];
        let ManageStep::Ask { draft, reply } = step(
            &k,
            None,
            "can I reschedule K7Q-M2X4 to thursday?",
            Some(Some(booked())),
            &taken,
            now(),
        ) else {
            panic!()
        };
        assert!(
            reply.starts_with("Crowns on Tue, Dec 1 at 10:00 AM: I can offer"),
            "{reply}"
        );
        let ManageStep::Ask { draft, reply } =
            step(&k, Some(draft), "the first one", None, &taken, now())
        else {
            panic!()
        };
        assert!(
            reply.starts_with("Shall I move Crowns on Tue, Dec 1 at 10:00 AM to"),
            "{reply}"
        );
        let ManageStep::Move { to, .. } = step(&k, Some(draft), "yes", None, &taken, now()) else {
            panic!()
        };
        assert_ne!(to.start, booked().start);
    }

    #[test]
    fn an_unknown_code_is_asked_again() {
        let k = knowledge();
        let ManageStep::Ask { draft, reply } =
            step(&k, None, "cancel ABC-1234", Some(None), &[], now())
        else {
            panic!()
        };
        assert!(reply.contains("couldn't find"), "{reply}");
        assert_eq!(draft.asking, Some(Asking::Code));
        assert_eq!(
            code_to_look_up(Some(&draft), "sorry, it's ABC-1235").as_deref(),
            Some("ABC-1235")
        );
    }
}
