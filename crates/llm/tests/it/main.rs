//! Integration tests: the clients against local HTTP servers replaying recorded-format
//! vendor streams, and the resilience wrapper against a scripted model.

mod anthropic;
mod common;
mod openai;
mod resilient;
mod streaming;
