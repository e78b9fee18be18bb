//! End-to-end tests: the real server on a free port, over HTTP, on SQLite and PostgreSQL.

mod billing;
mod booking;
mod browser;
mod calendar;
mod dashboard;
mod dialogues;
mod helpers;
mod leads;
mod leaks;
mod limits;
mod messages;
mod models;
mod notifications;
mod privacy;
mod public;
mod safety;
mod sms;
mod speech;
mod voice;
