//! The domain of frontdesk: business knowledge, conversations, the turn pipeline and the
//! built-in engine. Nothing here performs I/O; storage and reply providers are traits that
//! adapters implement, so every rule in this crate is testable in microseconds.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod age;
pub mod assistant;
pub mod audit;
pub mod billing;
pub mod booking;
pub mod business;
pub mod calendar;
pub mod clock;
pub mod conversation;
pub mod engine;
pub mod leads;
pub mod llm;
pub mod mail;
pub mod notify;
pub mod orders;
pub mod policy;
pub mod retention;
pub mod safety;
pub mod schedule;
pub mod sms;
pub mod speech;
pub mod vendor;
pub mod voice;

/// Businesses shared by the unit tests of several modules.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::business::Business;

    /// The bundled demo business (a Texas dental practice).
    pub fn demo_business() -> Business {
        Business::from_toml(include_str!("../../../demo/demo-business.toml")).unwrap()
    }
}
