//! One turn of a call: what the caller said or keyed (or their silence) becomes a
//! [`Step`] — what to say, what the turn was about, and whether the line listens again,
//! transfers or hangs up — which is logged and rendered as TwiML. Questions go through the
//! same assistant turn as chat (`Channel::Voice`, one conversation per call, the safety
//! wall included); orders are looked up here, and read out only to their owner.

use std::sync::Arc;

use frontdesk_core::assistant::{IncomingMessage, LoadedBusiness};
use frontdesk_core::conversation::{Channel, ConversationId, VisitorId, VisitorText};
use frontdesk_core::engine;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::orders::{Order, OrderNumber, OrderSource};
use frontdesk_core::safety::Verdict;
use frontdesk_core::voice::{
    for_the_ear, order_status_sentence, spoken_contact, spoken_order_number, wants_order_status,
    Awaiting, CallIntent, KeypadChoice, KEYPAD_MENU, MAX_SILENT_TURNS,
};
use frontdesk_store::{CallRecord, CallTurn};
use frontdesk_twilio::{Gather, Twiml, Utterance};

use super::LineUrls;
use crate::error::ApiError;
use crate::AppState;

/// Seconds of silence before a `<Gather>` gives up.
const LISTEN_SECONDS: u32 = 6;
/// Seconds a transfer rings before the fallback.
const RING_SECONDS: u32 = 20;

const ANYTHING_ELSE: &str = "Is there anything else I can help with?";
const ASK_ORDER_NUMBER: &str = "Sure. What is the order number? You can say it one digit at a time, or key it in and press pound.";
const ASK_OWNER: &str =
    "To protect your privacy, please tell me the phone number or email address on that order.";
/// Said alike for an order that doesn't exist and one that isn't the caller's, so neither
/// can be told from the other.
const NOT_CONFIRMED: &str = "I'm sorry, I couldn't find an order with that number and those details. You can try another order number, or press 0 to reach a person.";
const ORDERS_UNAVAILABLE: &str = "I'm sorry, I can't look up orders right now. Press 0 to reach a person, or ask me something else.";
const NO_ORDERS: &str = "I'm sorry, I can't look up orders on this line. Press 0 to reach a person, or ask me something else.";
const CALLBACK: &str =
    "I've passed your number to the team, and someone will call you back as soon as they can.";
const HOURS_QUESTION: &str = "What are your opening hours and where are you located?";

/// What the caller gave in one `<Gather>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Heard<'a> {
    pub speech: Option<&'a str>,
    pub digits: Option<&'a str>,
}

/// What the line does after speaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Listen for the caller's next words or keys.
    Listen,
    /// Ring the escalation number.
    Transfer,
    /// Say goodbye.
    Hangup,
}

/// One turn of a call, decided but not yet logged.
#[derive(Debug, Clone)]
pub struct Step {
    pub said: Option<String>,
    pub reply: String,
    pub intent: CallIntent,
    pub next: Next,
    pub awaiting: Awaiting,
    pub pending_order: Option<String>,
    pub conversation: Option<ConversationId>,
    pub silent: bool,
    /// Nobody can take the call: the caller's number goes to the team, for this reason.
    pub callback: Option<&'static str>,
}

/// A call in progress at one webhook.
pub struct CallLine<'a> {
    state: &'a AppState,
    business: &'a Arc<LoadedBusiness>,
    call: &'a CallRecord,
    escalation: Option<&'a PhoneNumber>,
}

impl<'a> CallLine<'a> {
    pub fn new(
        state: &'a AppState,
        business: &'a Arc<LoadedBusiness>,
        call: &'a CallRecord,
        escalation: Option<&'a PhoneNumber>,
    ) -> Self {
        Self {
            state,
            business,
            call,
            escalation,
        }
    }

    fn step(&self, said: Option<&str>, reply: impl Into<String>, intent: CallIntent) -> Step {
        Step {
            said: said.map(str::to_owned),
            reply: reply.into(),
            intent,
            next: Next::Listen,
            awaiting: Awaiting::Question,
            pending_order: None,
            conversation: None,
            silent: false,
            callback: None,
        }
    }

    /// The caller's number, when caller ID gave a real one.
    fn caller(&self) -> Option<PhoneNumber> {
        PhoneNumber::parse(&self.call.from).ok()
    }

    /// The business's name, what the line can do, and the keypad menu.
    pub fn greeting(&self) -> Step {
        let name = &self.business.knowledge.business.name;
        let reply = format!(
            "Thanks for calling {name}. I'm the automated assistant: ask me a question, or ask about an order. {KEYPAD_MENU}"
        );
        self.step(None, reply, CallIntent::Greeting)
    }

    /// Decides the turn for what was heard.
    pub async fn answer(&self, heard: Heard<'_>) -> Result<Step, ApiError> {
        if let Some(speech) = heard.speech {
            return self.spoken(speech).await;
        }
        match heard.digits {
            Some(digits) => self.keyed(digits).await,
            None => Ok(self.silence()),
        }
    }

    /// Nothing heard: ask again, and after a few silences in a row say goodbye.
    fn silence(&self) -> Step {
        let streak = self.call.silent_streak + 1;
        let mut step = if streak >= i64::from(MAX_SILENT_TURNS) {
            let mut step = self.step(
                None,
                "I still can't hear anything, so I'll hang up now. Please call again any time. Goodbye.",
                CallIntent::Goodbye,
            );
            step.next = Next::Hangup;
            step
        } else {
            let reply = if streak == 1 {
                "Sorry, I didn't catch that. How can I help?"
            } else {
                "Sorry, I still didn't hear anything. Tell me how I can help, or press 0 to reach a person."
            };
            let mut step = self.step(None, reply, CallIntent::NoInput);
            step.awaiting = self.call.awaiting;
            step.pending_order = self.call.pending_order.clone();
            step
        };
        step.silent = true;
        step
    }

    /// Keypad presses: an answer to the question asked, or the menu.
    async fn keyed(&self, digits: &str) -> Result<Step, ApiError> {
        match self.call.awaiting {
            Awaiting::OrderOwner => return self.order_owner(digits).await,
            Awaiting::OrderNumber => {
                if let Some(number) = spoken_order_number(digits) {
                    return self.order_by_number(digits, &number).await;
                }
            }
            Awaiting::Question => {}
        }
        match KeypadChoice::parse(digits) {
            Some(KeypadChoice::OrderStatus) => self.orders_of_caller(digits).await,
            Some(KeypadChoice::HoursAndLocation) => {
                self.ask_assistant(digits, HOURS_QUESTION, CallIntent::HoursAndLocation)
                    .await
            }
            Some(KeypadChoice::Person) => Ok(self.transfer(Some(digits))),
            None => match spoken_order_number(digits) {
                Some(number) => self.order_by_number(digits, &number).await,
                None => Ok(self.step(
                    Some(digits),
                    format!("Sorry, that isn't an option. {KEYPAD_MENU}"),
                    CallIntent::Question,
                )),
            },
        }
    }

    /// Speech: safety first, then what the call was waiting for, orders, a person, or
    /// the assistant.
    async fn spoken(&self, text: &str) -> Result<Step, ApiError> {
        // Anything the safety wall has to say (an emergency above all) comes before orders.
        if !self.business.policy.pre_check(text).is_clear() {
            return self.ask_assistant(text, text, CallIntent::Question).await;
        }
        let knowledge = &self.business.knowledge;
        if engine::asks_for_person(knowledge, text) {
            return Ok(self.transfer(Some(text)));
        }
        match self.call.awaiting {
            Awaiting::OrderOwner => return self.order_owner(text).await,
            Awaiting::OrderNumber => {
                if let Some(number) = spoken_order_number(text) {
                    return self.order_by_number(text, &number).await;
                }
                if text.split_whitespace().count() < 4 {
                    let mut step = self.step(
                        Some(text),
                        "I didn't catch the order number. Please say it one digit at a time, or key it in and press pound.",
                        CallIntent::OrderStatus,
                    );
                    step.awaiting = Awaiting::OrderNumber;
                    return Ok(step);
                }
            }
            Awaiting::Question => {}
        }
        if wants_order_status(text) {
            return match spoken_order_number(text) {
                Some(number) => self.order_by_number(text, &number).await,
                None => self.orders_of_caller(text).await,
            };
        }
        self.ask_assistant(text, text, CallIntent::Question).await
    }

    /// The business's order system, or the step telling the caller there is none to ask.
    async fn order_source(&self, said: &str) -> Result<Arc<dyn OrderSource>, Step> {
        match self.state.orders.for_business(self.business.id).await {
            Ok(Some(source)) => Ok(source),
            Ok(None) => Err(self.step(Some(said), NO_ORDERS, CallIntent::OrderStatus)),
            Err(error) => {
                tracing::warn!(%error, "order source unavailable");
                Err(self.step(Some(said), ORDERS_UNAVAILABLE, CallIntent::OrderStatus))
            }
        }
    }

    /// "Where's my order?" without a number: the caller's recent orders by caller ID, or
    /// a question for the number.
    async fn orders_of_caller(&self, said: &str) -> Result<Step, ApiError> {
        let source = match self.order_source(said).await {
            Ok(source) => source,
            Err(step) => return Ok(step),
        };
        let found = match self.caller() {
            Some(caller) => source.by_phone(&caller, 3).await,
            None => Ok(Vec::new()),
        };
        match found {
            Ok(orders) if !orders.is_empty() => {
                let mut reply = format!(
                    "I found your most recent order from this number. {}",
                    order_status_sentence(&orders[0])
                );
                if orders.len() > 1 {
                    reply.push_str(" If you meant another order, say its number.");
                } else {
                    reply.push(' ');
                    reply.push_str(ANYTHING_ELSE);
                }
                Ok(self.step(Some(said), reply, CallIntent::OrderStatus))
            }
            Ok(_) => {
                let mut step = self.step(Some(said), ASK_ORDER_NUMBER, CallIntent::OrderStatus);
                step.awaiting = Awaiting::OrderNumber;
                Ok(step)
            }
            Err(error) => {
                tracing::warn!(%error, "order lookup by caller ID failed");
                Ok(self.step(Some(said), ORDERS_UNAVAILABLE, CallIntent::OrderStatus))
            }
        }
    }

    /// An order named by number: read at once to a caller calling from the number on it;
    /// anyone else (and any number that matches no order) is asked for the order's phone
    /// or email first, so the two cases sound the same.
    async fn order_by_number(&self, said: &str, number: &OrderNumber) -> Result<Step, ApiError> {
        let source = match self.order_source(said).await {
            Ok(source) => source,
            Err(step) => return Ok(step),
        };
        match source.by_number(number).await {
            Ok(Some(order)) if order.belongs_to(self.caller().as_ref(), None) => {
                Ok(self.read_order(said, &order, CallIntent::OrderStatus))
            }
            Ok(_) => {
                let mut step = self.step(Some(said), ASK_OWNER, CallIntent::OrderStatus);
                step.awaiting = Awaiting::OrderOwner;
                step.pending_order = Some(number.to_string());
                Ok(step)
            }
            Err(error) => {
                tracing::warn!(%error, "order lookup by number failed");
                Ok(self.step(Some(said), ORDERS_UNAVAILABLE, CallIntent::OrderStatus))
            }
        }
    }

    /// The phone or email the caller gave for the order waiting for confirmation.
    async fn order_owner(&self, said: &str) -> Result<Step, ApiError> {
        let (phone, email) = spoken_contact(said);
        let pending = self
            .call
            .pending_order
            .as_deref()
            .and_then(OrderNumber::parse);
        let (Some(number), true) = (pending, phone.is_some() || email.is_some()) else {
            return Ok(self.step(Some(said), NOT_CONFIRMED, CallIntent::OrderConfirmation));
        };
        let source = match self.order_source(said).await {
            Ok(source) => source,
            Err(step) => return Ok(step),
        };
        match source.by_number(&number).await {
            Ok(Some(order)) if order.belongs_to(phone.as_ref(), email.as_deref()) => {
                Ok(self.read_order(said, &order, CallIntent::OrderConfirmation))
            }
            Ok(_) => Ok(self.step(Some(said), NOT_CONFIRMED, CallIntent::OrderConfirmation)),
            Err(error) => {
                tracing::warn!(%error, "order lookup for confirmation failed");
                Ok(self.step(Some(said), ORDERS_UNAVAILABLE, CallIntent::OrderStatus))
            }
        }
    }

    fn read_order(&self, said: &str, order: &Order, intent: CallIntent) -> Step {
        let reply = format!("{} {ANYTHING_ELSE}", order_status_sentence(order));
        self.step(Some(said), reply, intent)
    }

    /// A person: ring the escalation number, or take a callback request without one.
    fn transfer(&self, said: Option<&str>) -> Step {
        if self.escalation.is_some() {
            let mut step = self.step(
                said,
                "Connecting you with the team now. Please hold.",
                CallIntent::Transfer,
            );
            step.next = Next::Transfer;
            return step;
        }
        let mut step = self.step(
            said,
            format!("Nobody from the team can take calls right now. {CALLBACK} {ANYTHING_ELSE}"),
            CallIntent::Transfer,
        );
        step.callback = Some("no-escalation-number");
        step
    }

    /// Nobody picked up a transfer: the caller's number goes to the team for a callback.
    pub fn nobody_answered(&self, reason: &'static str) -> Step {
        let mut step = self.step(
            None,
            format!("I'm sorry, nobody could pick up. {CALLBACK} Goodbye."),
            CallIntent::Transfer,
        );
        step.callback = Some(reason);
        step.next = Next::Hangup;
        step
    }

    /// The same assistant turn as chat. Emergency language ends the call with the 911
    /// answer rather than looping into small talk.
    async fn ask_assistant(
        &self,
        said: &str,
        question: &str,
        intent: CallIntent,
    ) -> Result<Step, ApiError> {
        let visitor = VisitorId::parse(&format!("call-{}", self.call.call_sid))
            .map_err(|m| ApiError::invalid("invalid_call_sid", m))?;
        let text =
            VisitorText::parse(question).map_err(|m| ApiError::invalid("invalid_speech", m))?;
        let incoming = IncomingMessage {
            visitor,
            conversation: self.call.conversation,
            text,
            channel: Channel::Voice,
            page_url: None,
        };
        let outcome = self
            .state
            .assistant
            .take_turn(self.business, incoming)
            .await?;
        crate::api::sync_calendar(self.state, self.business.id, &outcome);
        crate::api::grade_in_background(self.state, self.business.clone(), &outcome);
        let spoken = for_the_ear(&outcome.reply);
        let mut step = if outcome.safety.verdict == Verdict::Emergency {
            let mut step = self.step(
                Some(said),
                format!("{spoken} Please hang up now and call 9 1 1. Goodbye."),
                CallIntent::Emergency,
            );
            step.next = Next::Hangup;
            step
        } else {
            self.step(Some(said), spoken, intent)
        };
        step.conversation = Some(outcome.conversation);
        Ok(step)
    }

    /// Logs the turn (durably, before Twilio hears it) and renders it, with the callback
    /// request of a caller nobody can take.
    pub async fn finish(&self, step: Step, urls: &LineUrls) -> Result<Twiml, ApiError> {
        let store = &self.state.store;
        let business = self.business.id;
        let now = self.state.clock.now();
        store
            .record_call_turn(
                business,
                self.call.id,
                &CallTurn {
                    said: step.said.as_deref(),
                    answered: &step.reply,
                    intent: step.intent,
                    conversation: step.conversation,
                    awaiting: step.awaiting,
                    pending_order: step.pending_order.as_deref(),
                    silent: step.silent,
                },
                now,
            )
            .await?;
        if let Some(reason) = step.callback {
            store
                .record_callback_request(business, self.call, reason, now)
                .await?;
        } else if step.next == Next::Transfer {
            store
                .set_transfer_outcome(business, self.call.id, "dialing")
                .await?;
        }
        Ok(self.render(&step, urls).await)
    }

    /// The TwiML of a step: the reply inside a `<Gather>` (so the caller can interrupt),
    /// followed by a `<Dial>` or `<Hangup/>` when the turn ends the conversation.
    /// The reply is played in the synthetic voice when the server has one and the audio
    /// is ready in time, and read by Twilio's own voice otherwise.
    pub async fn render(&self, step: &Step, urls: &LineUrls) -> Twiml {
        let played = match &self.state.speech {
            Some(speech) => speech.play_url(&step.reply).await,
            None => None,
        };
        let reply = played.map_or_else(|| Utterance::Say(step.reply.clone()), Utterance::Play);
        match (step.next, self.escalation) {
            (Next::Hangup, _) => Twiml::new().utter(&reply).hangup(),
            (Next::Transfer, Some(number)) => {
                Twiml::new()
                    .utter(&reply)
                    .dial(number.as_str(), RING_SECONDS, &urls.dial)
            }
            // `transfer` only asks to dial when there is a number to ring.
            (Next::Listen, _) | (Next::Transfer, None) => {
                Twiml::new().gather(Gather::new(&urls.gather, LISTEN_SECONDS).utter(reply))
            }
        }
    }
}
