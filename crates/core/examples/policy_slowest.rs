//! Lists the slowest cases of an eval file for the policy, to find what to optimise.
//! Run with `cargo run --release -p frontdesk-core --example policy_slowest -- FILE.jsonl`.

use std::time::Instant;

use frontdesk_core::business::Business;
use frontdesk_core::policy::eval::{check, parse_cases};
use frontdesk_core::policy::Policy;

fn main() {
    let path = std::env::args().nth(1).expect("a cases file");
    let cases = parse_cases(&std::fs::read_to_string(path).expect("readable")).expect("valid");
    let business = Business::from_toml(include_str!("../../../demo/demo-business.toml"))
        .expect("demo business");
    let policy = Policy::builtin();
    let _ = policy.pre_check("warm up");
    let mut timed: Vec<(u128, &str, String)> = cases
        .iter()
        .map(|case| {
            let best = (0..5)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(check(&policy, Some(&business), case));
                    started.elapsed().as_nanos()
                })
                .min()
                .unwrap_or(0);
            (best, case.id.as_str(), case.text.chars().take(90).collect())
        })
        .collect();
    timed.sort_by_key(|(nanos, _, _)| std::cmp::Reverse(*nanos));
    for (nanos, id, text) in timed.iter().take(12) {
        println!("{:>7.1} µs  {id}  {text}", *nanos as f64 / 1000.0);
    }
}
