//! Integration tests: the OAuth and Calendar clients against a local fake of Google
//! (wiremock) answering on the real paths with Google's documented JSON shapes.

mod calendar;
mod common;
mod oauth;
