//! Times the safety policy on every case of the public eval set: folding and tagging a
//! message alone, and the whole pre- or post-check. Prints p50/p99 in microseconds.
//! Run with `cargo run --release -p frontdesk-core --example policy_timing`.

use std::time::Instant;

use frontdesk_core::business::Business;
use frontdesk_core::policy::eval::{check, parse_cases, Case};
use frontdesk_core::policy::{Msg, Policy};

fn percentiles(mut nanos: Vec<u128>) -> (f64, f64) {
    nanos.sort_unstable();
    let at = |p: f64| nanos[((nanos.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    (at(0.5), at(0.99))
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/safety");
    let mut cases: Vec<Case> = Vec::new();
    for entry in std::fs::read_dir(dir).expect("eval dir").flatten() {
        if entry.path().extension().is_some_and(|e| e == "jsonl") {
            cases.extend(
                parse_cases(&std::fs::read_to_string(entry.path()).expect("readable"))
                    .expect("valid cases"),
            );
        }
    }
    let business = Business::from_toml(include_str!("../../../demo/demo-business.toml"))
        .expect("demo business");
    let policy = Policy::builtin();
    let _ = policy.pre_check("warm up");
    for _ in 0..3 {
        let tagging: Vec<u128> = cases
            .iter()
            .map(|c| {
                let t = Instant::now();
                std::hint::black_box(Msg::new(&c.text));
                t.elapsed().as_nanos()
            })
            .collect();
        // Three passes, each case's time the median of its three, as `frontdesk eval
        // safety` reports it.
        let mut times: Vec<Vec<u128>> = vec![Vec::new(); cases.len()];
        for _ in 0..3 {
            for (c, case_times) in cases.iter().zip(times.iter_mut()) {
                let t = Instant::now();
                std::hint::black_box(check(&policy, Some(&business), c));
                case_times.push(t.elapsed().as_nanos());
            }
        }
        let checks: Vec<u128> = times
            .into_iter()
            .map(|mut case_times| {
                case_times.sort_unstable();
                case_times[1]
            })
            .collect();
        let (tp50, tp99) = percentiles(tagging);
        let (cp50, cp99) = percentiles(checks);
        println!("tagging p50 {tp50:.1} µs p99 {tp99:.1} µs | full check p50 {cp50:.1} µs p99 {cp99:.1} µs ({} cases)", cases.len());
    }
}
