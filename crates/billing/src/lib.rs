//! Stripe billing for frontdesk: the plans an operator offers (a TOML file), a small
//! Stripe client creating Checkout and Customer Portal sessions, and verification and
//! reading of Stripe's signed webhook events into the domain's billing changes.
//!
//! Billing is optional: an install without a Stripe key never builds any of this, and
//! every business runs unlimited.
#![forbid(unsafe_code)]

mod client;
mod plans;
mod webhook;

pub use client::{CheckoutRequest, RedirectSession, StripeClient, StripeError, DEFAULT_API_BASE};
pub use plans::{Plan, Plans, PlansError};
pub use webhook::{parse_event, verify_signature, EventError, SignatureError, SIGNATURE_TOLERANCE};
