//! What frontdesk needs from Twilio's webhooks, without any HTTP client: checking that a
//! request really comes from Twilio (and signing requests the same way, for the call
//! simulator and tests), and writing TwiML answers.
#![forbid(unsafe_code)]

mod signature;
mod twiml;

pub use signature::{sign, verify, SIGNATURE_HEADER};
pub use twiml::{Gather, Twiml, Utterance};
