//! Times the built-in engine alone (no HTTP, no database): microseconds per reply over a
//! mix of questions, and per business load (parse + index).
//! Run with `cargo run --release -p frontdesk-core --example engine_timing`.

use frontdesk_core::business::Business;
use frontdesk_core::engine::{reply, Knowledge};

const DEMO: &str = include_str!("../../../demo/demo-business.toml");
const QUESTIONS: &[&str] = &[
    "hi",
    "are you open now?",
    "what time do you close on friday?",
    "how much for a cleaning",
    "do you take aetna",
    "where are you located?",
    "do you offer payment plans?",
    "what services do you offer",
    "how long does whitening take",
    "are you open on christmas?",
    "what's your phone number",
    "thanks, bye",
];

fn main() {
    let knowledge = Knowledge::new(Business::from_toml(DEMO).expect("demo business is valid"));
    let now = jiff::Timestamp::now();
    let replies = 50_000;
    let started = std::time::Instant::now();
    for i in 0..replies {
        std::hint::black_box(reply(&knowledge, &[], QUESTIONS[i % QUESTIONS.len()], now));
    }
    println!(
        "reply:         {:.1} µs",
        started.elapsed().as_secs_f64() * 1e6 / replies as f64
    );
    let loads = 200;
    let started = std::time::Instant::now();
    for _ in 0..loads {
        std::hint::black_box(Knowledge::new(
            Business::from_toml(DEMO).expect("demo business is valid"),
        ));
    }
    println!(
        "business load: {:.1} µs",
        started.elapsed().as_secs_f64() * 1e6 / loads as f64
    );
}
