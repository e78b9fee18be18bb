//! The delivery clients against local servers: wiremock standing in for Resend and
//! Telnyx, and a minimal SMTP server for lettre.

mod resend;
mod smtp;
mod telnyx;
