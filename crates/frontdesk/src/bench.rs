//! `frontdesk bench`: many concurrent visitors chatting over real HTTP, each turn a full
//! round trip (parse, engine, durable commit, JSON). Prints throughput and latency
//! percentiles; a measurement, never a pass/fail test.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use frontdesk_server::{Application, Config, RateLimits};
use serde_json::{json, Value};

/// Questions a visitor cycles through: a mix of every intent the engine answers.
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

/// A conversation is restarted after this many turns, as real visitors leave.
const TURNS_PER_CONVERSATION: usize = 12;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Concurrent visitors.
    #[arg(long, default_value_t = 64)]
    visitors: usize,
    /// Total turns to send (after warm-up).
    #[arg(long, default_value_t = 20_000)]
    turns: usize,
    /// Offered load in turns per second (open loop: turns are sent on schedule whether or
    /// not earlier ones have finished, and latency counts from the scheduled time). Without
    /// it, each visitor sends its next turn as soon as the last is answered (closed loop),
    /// which measures the maximum throughput.
    #[arg(long)]
    rate: Option<f64>,
    /// Turns sent first and not measured.
    #[arg(long, default_value_t = 1_000)]
    warmup: usize,
    /// Bench a running server instead of starting one (e.g. http://127.0.0.1:8080); its
    /// rate limits (`--rate-limit-per-ip`, `--rate-limit-per-business`) must allow the load.
    #[arg(long)]
    url: Option<String>,
    /// Database for the in-process server; default: a fresh SQLite file in a temp dir.
    #[arg(long)]
    database: Option<String>,
    /// Measure the phone line instead: signed Twilio webhooks answered with TwiML (the
    /// in-process server only).
    #[arg(long)]
    voice: bool,
}

/// A server started for the benchmark, stopped (and its temp files removed) by `stop`.
pub(crate) struct LocalServer {
    pub(crate) base: String,
    pub(crate) store: frontdesk_store::Store,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
    temp_dir: std::path::PathBuf,
}

impl LocalServer {
    pub(crate) async fn start(
        database: Option<&str>,
        config: impl FnOnce(&mut Config),
    ) -> Result<Self, String> {
        let temp_dir = std::env::temp_dir().join(format!("frontdesk-bench-{}", std::process::id()));
        std::fs::create_dir_all(&temp_dir).map_err(|e| e.to_string())?;
        let database = database
            .map(str::to_owned)
            .unwrap_or_else(|| temp_dir.join("bench.db").display().to_string());
        let mut settings = Config::new(database);
        settings.stream_pace = Duration::ZERO;
        config(&mut settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let app = Application::build(settings, listener)
            .await
            .map_err(|e| e.to_string())?;
        let addr = app.local_addr().map_err(|e| e.to_string())?;
        let store = app.store().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Ok(Self {
            base: format!("http://{addr}"),
            store,
            stop,
            handle,
            temp_dir,
        })
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.handle.await;
        let _ = std::fs::remove_dir_all(&self.temp_dir);
    }
}

/// Prints counts, throughput and latency percentiles of a measured run.
pub(crate) fn report(unit: &str, mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) {
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[index].as_secs_f64() * 1000.0
    };
    println!("{unit}:      {} ok, {errors} failed", latencies.len());
    println!("elapsed:    {:.2} s", elapsed.as_secs_f64());
    println!(
        "throughput: {:.0} {unit}/s",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency:    p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(0.50),
        percentile(0.90),
        percentile(0.99),
        percentile(1.0)
    );
}

/// Runs the benchmark and prints the report.
pub async fn run(args: BenchArgs) -> Result<(), String> {
    if args.voice {
        if args.url.is_some() {
            return Err("--voice starts its own server; it cannot be combined with --url".into());
        }
        return crate::phone::bench(
            args.visitors,
            args.turns,
            args.warmup,
            args.database.as_deref(),
        )
        .await;
    }
    let (base, server) = match &args.url {
        Some(url) => (url.trim_end_matches('/').to_owned(), None),
        None => {
            // Every simulated visitor comes from 127.0.0.1: the limiter still counts each
            // turn (its cost is part of the measurement) but never refuses one.
            let server = LocalServer::start(args.database.as_deref(), |config| {
                config.rate_limits = RateLimits {
                    per_ip: u32::MAX,
                    per_business: u32::MAX,
                    ..RateLimits::default()
                };
            })
            .await?;
            (server.base.clone(), Some(server))
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.visitors)
        .build()
        .map_err(|e| e.to_string())?;
    let endpoint = Arc::new(format!("{base}/api/v1/businesses/demo/messages"));

    println!("warming up with {} turns…", args.warmup);
    drive(&client, &endpoint, args.visitors, args.warmup, args.rate).await;
    let mode = match args.rate {
        Some(rate) => format!("open loop at {rate:.0} turns/s"),
        None => "closed loop".to_owned(),
    };
    println!(
        "measuring {} turns from {} visitors ({mode}) against {base}",
        args.turns, args.visitors
    );
    let started = Instant::now();
    let (latencies, errors) = drive(&client, &endpoint, args.visitors, args.turns, args.rate).await;
    report("turns", latencies, errors, started.elapsed());
    if let Some(server) = server {
        server.stop().await;
    }
    Ok(())
}

/// Sends `turns` turns split across `visitors` tasks; returns latencies and error count.
/// With a rate, visitor `v` sends on its own schedule (period `visitors / rate`, offset
/// `v / rate`), and latency is measured from the scheduled send time so a slow reply
/// cannot hide the queueing it causes.
async fn drive(
    client: &reqwest::Client,
    endpoint: &Arc<String>,
    visitors: usize,
    turns: usize,
    rate: Option<f64>,
) -> (Vec<Duration>, usize) {
    let visitors = visitors.max(1);
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(visitors);
    for visitor in 0..visitors {
        let share = turns / visitors + usize::from(visitor < turns % visitors);
        let client = client.clone();
        let endpoint = endpoint.clone();
        tasks.push(tokio::spawn(async move {
            let visitor_id = format!("bench-visitor-{visitor:05}-{}", std::process::id());
            let mut latencies = Vec::with_capacity(share);
            let mut errors = 0;
            let mut conversation: Value = Value::Null;
            let period = rate.map(|rate| Duration::from_secs_f64(visitors as f64 / rate));
            let offset = rate.map_or(Duration::ZERO, |rate| {
                Duration::from_secs_f64(visitor as f64 / rate)
            });
            for turn in 0..share {
                let scheduled = match period {
                    Some(period) => {
                        let at = start + offset + period * turn as u32;
                        tokio::time::sleep_until(at).await;
                        at.into_std()
                    }
                    None => Instant::now(),
                };
                if turn % TURNS_PER_CONVERSATION == 0 {
                    conversation = Value::Null;
                }
                let body = json!({
                    "visitor_id": visitor_id,
                    "conversation_id": conversation,
                    "text": QUESTIONS[(visitor + turn) % QUESTIONS.len()],
                    "page_url": "https://bench.example/",
                });
                let response = client.post(endpoint.as_str()).json(&body).send().await;
                match response {
                    Ok(response) if response.status().is_success() => {
                        match response.json::<Value>().await {
                            Ok(reply) => {
                                latencies.push(scheduled.elapsed());
                                conversation = reply["conversation_id"].clone();
                            }
                            Err(_) => errors += 1,
                        }
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::with_capacity(turns);
    let mut errors = 0;
    for task in tasks {
        if let Ok((latencies, task_errors)) = task.await {
            all.extend(latencies);
            errors += task_errors;
        }
    }
    (all, errors)
}
