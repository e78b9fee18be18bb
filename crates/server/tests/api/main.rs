//! End-to-end tests: the real server on a free port, over HTTP, on SQLite and PostgreSQL.

mod booking;
mod browser;
mod calendar;
mod dashboard;
mod dialogues;
mod helpers;
mod leads;
mod messages;
mod models;
mod notifications;
mod public;
mod safety;
mod voice;
