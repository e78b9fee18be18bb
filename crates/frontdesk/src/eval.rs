//! `frontdesk eval safety`: runs the policy over labelled cases and prints per-rule
//! precision, recall and F1, the benign false-positive rate, misses and time per check.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use frontdesk_core::business::Business;
use frontdesk_core::policy::eval::{self, Case, Report};
use frontdesk_core::policy::Policy;
use serde_json::json;

#[derive(Debug, Args)]
pub struct SafetyArgs {
    /// Cases, one JSON object a line: {"id", "role": "visitor"|"assistant", "text", "expect": [rule ids]}. Repeat for several files.
    #[arg(long, required = true)]
    cases: Vec<PathBuf>,
    /// Business whose data replies are grounded against (default: the bundled demo business).
    #[arg(long)]
    business: Option<PathBuf>,
    /// List every case the policy got wrong.
    #[arg(long)]
    show_misses: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the evaluation. Errors only for unreadable or malformed input.
pub fn safety(args: SafetyArgs) -> Result<(), String> {
    let business_source = match &args.business {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        None => frontdesk_server::DEMO_BUSINESS.to_owned(),
    };
    let business =
        Business::from_toml(&business_source).map_err(|e| format!("business file: {e}"))?;
    let policy = Policy::builtin();
    let mut cases: Vec<Case> = Vec::new();
    for path in &args.cases {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        cases.extend(eval::parse_cases(&text).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    // One untimed pass first: the lexicon index, the business's vocabulary and the CPU
    // caches are warm in a running server, so the timed passes measure that steady state.
    for case in &cases {
        std::hint::black_box(eval::check(&policy, Some(&business), case));
    }
    // Three timed passes over the whole set, each case's time the median of its three: a
    // run descheduled mid-check on a shared two-core machine does not count as check time,
    // and no case is timed hot, straight after itself.
    const PASSES: usize = 3;
    let mut times: Vec<Vec<u128>> = vec![Vec::with_capacity(PASSES); cases.len()];
    let mut predictions = Vec::with_capacity(cases.len());
    for pass in 0..PASSES {
        for (case, case_times) in cases.iter().zip(times.iter_mut()) {
            let started = Instant::now();
            let predicted = eval::check(&policy, Some(&business), case);
            case_times.push(started.elapsed().as_nanos());
            if pass == 0 {
                predictions.push(predicted);
            }
        }
    }
    let mut nanos: Vec<u128> = times
        .into_iter()
        .map(|mut case_times| {
            case_times.sort_unstable();
            case_times[PASSES / 2]
        })
        .collect();
    nanos.sort_unstable();
    let percentile = |p: f64| {
        nanos
            .get(((nanos.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let report = eval::score(cases.iter().zip(predictions));
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&as_json(
                &report,
                percentile(0.5),
                percentile(0.99),
                args.show_misses
            ))
            .expect("report serialises")
        );
    } else {
        print_table(&report, percentile(0.5), percentile(0.99), args.show_misses);
    }
    Ok(())
}

fn as_json(report: &Report, p50: f64, p99: f64, misses: bool) -> serde_json::Value {
    let rules: serde_json::Map<String, serde_json::Value> = report
        .rules
        .iter()
        .map(|(rule, s)| {
            (rule.clone(), json!({
                "positives": s.positives(), "true_positives": s.true_positives, "false_positives": s.false_positives,
                "false_negatives": s.false_negatives, "precision": s.precision(), "recall": s.recall(), "f1": s.f1(),
                "required_recall": eval::required_recall(rule),
            }))
        })
        .collect();
    let mut value = json!({
        "cases": report.cases,
        "rules": rules,
        "benign": {"cases": report.benign, "flagged": report.benign_flagged, "false_positive_rate": report.benign_false_positive_rate()},
        "timing_us": {"p50": p50, "p99": p99},
    });
    if misses {
        value["misses"] = report
            .misses
            .iter()
            .map(|m| json!({"id": m.id, "role": format!("{:?}", m.role).to_lowercase(), "text": m.text, "missed": m.missed, "extra": m.extra}))
            .collect();
    }
    value
}

fn print_table(report: &Report, p50: f64, p99: f64, misses: bool) {
    println!("{} cases\n", report.cases);
    println!(
        "{:<22} {:>5} {:>9} {:>7} {:>6}  target",
        "rule", "pos", "precision", "recall", "F1"
    );
    for (rule, s) in &report.rules {
        let required = eval::required_recall(rule);
        let status = if s.recall() >= required {
            "ok"
        } else {
            "BELOW"
        };
        println!(
            "{rule:<22} {:>5} {:>9.3} {:>7.3} {:>6.3}  recall ≥ {required:.2} {status}",
            s.positives(),
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    println!(
        "\nbenign: {} cases, {} flagged, false-positive rate {:.2}% (target ≤ {:.0}%)",
        report.benign,
        report.benign_flagged,
        report.benign_false_positive_rate() * 100.0,
        eval::MAX_BENIGN_FALSE_POSITIVE_RATE * 100.0
    );
    println!("time per check: p50 {p50:.1} µs, p99 {p99:.1} µs");
    if misses {
        println!("\nmisses ({}):", report.misses.len());
        for miss in &report.misses {
            println!(
                "  [{}] {:?} {:?}\n      missed {:?} extra {:?}",
                miss.id, miss.role, miss.text, miss.missed, miss.extra
            );
        }
    }
}
