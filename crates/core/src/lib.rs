//! The domain of frontdesk: business knowledge, conversations, the turn pipeline and the
//! built-in engine. Nothing here performs I/O; storage and reply providers are traits that
//! adapters implement, so every rule in this crate is testable in microseconds.
#![forbid(unsafe_code)]

pub mod assistant;
pub mod business;
pub mod clock;
pub mod conversation;
pub mod engine;
pub mod llm;
pub mod policy;
pub mod safety;
pub mod schedule;
