//! The phone line from the command line: importing a shop's orders, a terminal "phone"
//! that calls a running server through its real Twilio webhooks, and the TwiML latency
//! benchmark.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::clock::{Clock, SystemClock};
use frontdesk_core::voice::{AuthToken, PhoneSettings};
use frontdesk_store::{parse_orders_csv, Keyring};
use tokio::io::AsyncBufReadExt;

use crate::bench::{report, LocalServer};
use crate::commands::{audit_by_operator, connect, stored_business};
use crate::DatabaseArgs;

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
    /// Add or update a shop's orders from a CSV file (columns in docs/orders-csv.md);
    /// nothing is imported unless every line is valid.
    Import {
        /// The business.
        slug: String,
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Answer a shop's order questions from Shopify: its Admin API access token and
    /// webhook secret come from the environment and are stored sealed. Point the shop's
    /// order webhooks at {public-url}/webhooks/shopify/{slug} to keep a local copy fresh.
    ConnectShopify {
        /// The business.
        slug: String,
        /// The shop, `name.myshopify.com`.
        #[arg(long)]
        shop: String,
        /// The custom app's Admin API access token.
        #[arg(long, env = "FRONTDESK_SHOPIFY_ACCESS_TOKEN", hide_env_values = true)]
        access_token: String,
        /// The secret Shopify signs webhooks with.
        #[arg(long, env = "FRONTDESK_SHOPIFY_WEBHOOK_SECRET", hide_env_values = true)]
        webhook_secret: String,
        /// The server's key file, used when FRONTDESK_SECRET_KEYS is not set.
        #[arg(
            long,
            env = "FRONTDESK_SECRET_KEYS_FILE",
            default_value = "frontdesk.keys"
        )]
        secret_keys_file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `frontdesk orders …`.
pub async fn orders(command: OrdersCommand) -> Result<(), String> {
    match command {
        OrdersCommand::Import {
            slug,
            file,
            database,
        } => import_orders(&slug, &file, &database).await,
        OrdersCommand::ConnectShopify {
            slug,
            shop,
            access_token,
            webhook_secret,
            secret_keys_file,
            database,
        } => {
            let keyring = crate::llm::keyring_for_server(&secret_keys_file)?;
            let store = connect(&database.database).await?.with_keyring(keyring);
            let business = stored_business(&store, &slug).await?;
            let connection = frontdesk_store::ShopifyConnection {
                shop: shop.trim().to_owned(),
                access_token,
                webhook_secret,
            };
            if connection.shop.is_empty()
                || connection.access_token.trim().is_empty()
                || connection.webhook_secret.trim().is_empty()
            {
                return Err("the shop, access token and webhook secret are all needed".into());
            }
            store
                .set_shopify_connection(business.id, Some(&connection), SystemClock.now())
                .await
                .map_err(|e| format!("cannot save the connection: {e}"))?;
            audit_by_operator(
                &store,
                business.id,
                AuditAction::SettingsChanged,
                format!("shopify:{slug}"),
                format!("connected to Shopify shop {}", connection.shop),
            )
            .await?;
            println!(
                "{slug} answers order questions from {}; point its order webhooks at /webhooks/shopify/{slug}",
                connection.shop
            );
            Ok(())
        }
    }
}

async fn import_orders(
    slug: &str,
    file: &std::path::Path,
    database: &DatabaseArgs,
) -> Result<(), String> {
    let reader =
        std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let orders = parse_orders_csv(reader).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!(
            "{} has {} invalid line(s); nothing was imported:\n{}",
            file.display(),
            errors.len(),
            lines.join("\n")
        )
    })?;
    let store = connect(&database.database).await?;
    let business = stored_business(&store, slug).await?;
    let outcome = store
        .import_orders(business.id, &orders, SystemClock.now())
        .await
        .map_err(|e| format!("cannot save the orders: {e}"))?;
    audit_by_operator(
        &store,
        business.id,
        AuditAction::SettingsChanged,
        format!("orders:{slug}"),
        format!(
            "{} orders imported from {} ({} new, {} updated)",
            orders.len(),
            file.display(),
            outcome.created,
            outcome.updated
        ),
    )
    .await?;
    println!(
        "imported {} orders into {slug}: {} new, {} updated",
        orders.len(),
        outcome.created,
        outcome.updated
    );
    Ok(())
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// The business to call.
    slug: String,
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's public address, which Twilio signatures are computed over; by
    /// default `--url`.
    #[arg(long, env = "FRONTDESK_PUBLIC_URL")]
    public_url: Option<String>,
    /// The caller ID to call from.
    #[arg(long, default_value = "+15555550100")]
    from: String,
    /// The business's Twilio auth token; by default read from the database (opened with
    /// FRONTDESK_SECRET_KEYS or the server's key file).
    #[arg(long, env = "FRONTDESK_TWILIO_AUTH_TOKEN", hide_env_values = true)]
    auth_token: Option<String>,
    /// The server's key file, used when FRONTDESK_SECRET_KEYS is not set.
    #[arg(
        long,
        env = "FRONTDESK_SECRET_KEYS_FILE",
        default_value = "frontdesk.keys"
    )]
    secret_keys_file: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// What a TwiML answer says and does next.
#[derive(Debug, Default)]
struct Heard {
    says: Vec<String>,
    /// The `<Gather>` action: the line listens.
    gather: Option<String>,
    /// `<Dial>`: the number rung and the action told how it went.
    dial: Option<(String, String)>,
    hangup: bool,
}

fn read_twiml(xml: &str) -> Result<Heard, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("not TwiML ({e}): {xml}"))?;
    let mut heard = Heard::default();
    for verb in doc.root_element().children().filter(|n| n.is_element()) {
        match verb.tag_name().name() {
            "Say" => heard.says.push(verb.text().unwrap_or("").to_owned()),
            "Gather" => {
                heard.gather = verb.attribute("action").map(str::to_owned);
                heard.says.extend(
                    verb.children()
                        .filter(|n| n.has_tag_name("Say"))
                        .map(|n| n.text().unwrap_or("").to_owned()),
                );
            }
            "Dial" => {
                heard.dial = Some((
                    verb.text().unwrap_or("").trim().to_owned(),
                    verb.attribute("action").unwrap_or("").to_owned(),
                ))
            }
            "Hangup" => heard.hangup = true,
            _ => {}
        }
    }
    Ok(heard)
}

/// A call to a server's line: every webhook signed like Twilio signs it.
struct Line {
    client: reqwest::Client,
    /// Where requests are sent.
    url: String,
    /// What signatures are computed over (the server's public address).
    public_url: String,
    slug: String,
    token: String,
    sid: String,
    from: String,
}

impl Line {
    fn new(url: &str, public_url: &str, slug: &str, token: String, from: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            url: url.trim_end_matches('/').to_owned(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            slug: slug.to_owned(),
            token,
            sid: format!("CA{}", uuid::Uuid::new_v4().simple()),
            from: from.to_owned(),
        }
    }

    /// Posts a webhook by its path under the line, or by an action URL from TwiML.
    async fn post(&self, target: &str, extra: &[(&str, &str)]) -> Result<Heard, String> {
        let path = match target.strip_prefix(&self.public_url) {
            Some(path) => path.to_owned(),
            None if target.starts_with('/') => target.to_owned(),
            None => format!("/voice/twilio/{}/{target}", self.slug),
        };
        let mut params: Vec<(String, String)> = [
            ("CallSid", self.sid.as_str()),
            ("From", self.from.as_str()),
            ("To", "+15555550000"),
            ("Direction", "inbound"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        params.retain(|(_, v)| !v.is_empty());
        let signature =
            frontdesk_twilio::sign(&self.token, &format!("{}{path}", self.public_url), &params);
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .header(frontdesk_twilio::SIGNATURE_HEADER, signature)
            .form(&params)
            .send()
            .await
            .map_err(|e| format!("cannot reach {}: {e}", self.url))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("the server answered {status}: {body}"));
        }
        read_twiml(&body)
    }
}

/// The business's auth token: the flag, or the stored phone settings.
async fn auth_token(args: &CallArgs) -> Result<String, String> {
    if let Some(token) = &args.auth_token {
        return Ok(token.clone());
    }
    let keyring = crate::llm::keyring_for_server(&args.secret_keys_file)?;
    let store = connect(&args.database.database)
        .await?
        .with_keyring(keyring);
    let business = stored_business(&store, &args.slug).await?;
    let settings = store
        .phone_settings(business.id)
        .await
        .map_err(|e| format!("cannot read the phone settings: {e}"))?
        .ok_or_else(|| {
            format!(
                "{} has no phone line: set it up under Settings in the dashboard, or pass --auth-token",
                args.slug
            )
        })?;
    Ok(settings.auth_token.expose().to_owned())
}

/// `frontdesk call SLUG`: type what a caller would say (digits and `#` are keypad
/// presses, an empty line is silence); prints what the line would speak.
pub async fn call(args: CallArgs) -> Result<(), String> {
    let token = auth_token(&args).await?;
    let public_url = args.public_url.clone().unwrap_or_else(|| args.url.clone());
    let line = Line::new(&args.url, &public_url, &args.slug, token, &args.from);
    println!(
        "calling {} from {} (an empty line is silence; Ctrl-D hangs up)",
        args.slug, args.from
    );
    let mut heard = line.post("incoming", &[]).await?;
    let mut input = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        for sentence in &heard.says {
            println!("line> {sentence}");
        }
        if let Some((number, action)) = heard.dial.take() {
            print!("(ringing {number}; did someone answer? y/N) ");
            std::io::stdout().flush().map_err(|e| e.to_string())?;
            let answered = input
                .next_line()
                .await
                .map_err(|e| e.to_string())?
                .is_some_and(|a| a.trim().eq_ignore_ascii_case("y"));
            let status = if answered { "completed" } else { "no-answer" };
            heard = line.post(&action, &[("DialCallStatus", status)]).await?;
            continue;
        }
        let Some(gather) = heard.gather.take() else {
            break;
        };
        print!("you> ");
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        let Some(said) = input.next_line().await.map_err(|e| e.to_string())? else {
            break;
        };
        let said = said.trim();
        let keyed = !said.is_empty()
            && said
                .chars()
                .all(|c| c.is_ascii_digit() || c == '#' || c == '*');
        let field = if keyed { "Digits" } else { "SpeechResult" };
        heard = line.post(&gather, &[(field, said)]).await?;
    }
    line.post("status", &[("CallStatus", "completed")]).await?;
    println!("(call ended)");
    Ok(())
}

/// What a benchmark caller does, one webhook each: a mix of questions, keypad presses,
/// an order lookup by caller ID and by number, and silence.
const CALL_SCRIPT: &[(&str, &str)] = &[
    ("SpeechResult", "what are your hours"),
    ("Digits", "1"),
    ("Digits", "1001#"),
    ("SpeechResult", "do you take aetna"),
    ("SpeechResult", "where's my order"),
    ("", ""),
    ("SpeechResult", "how much is a cleaning"),
];

const BENCH_TOKEN: &str = "bench-auth-token";
const BENCH_CALLER: &str = "+15125550142";
const BENCH_ORDERS: &str = "order_number,placed_at,payment_status,fulfillment_status,carrier,tracking_number,tracking_url,phone,email\n\
    1001,2026-11-20,paid,fulfilled,UPS,1Z999AA10123456784,,+15125550142,ana@example.com\n";

/// `frontdesk bench --voice`: `callers` concurrent calls through the real webhooks of an
/// in-process server (the built-in engine), each request signed; prints the TwiML
/// response time percentiles over `webhooks` requests.
pub async fn bench(
    callers: usize,
    webhooks: usize,
    warmup: usize,
    database: Option<&str>,
) -> Result<(), String> {
    let keyring = Keyring::parse(&Keyring::generate_entry("bench")).map_err(|e| e.to_string())?;
    // Every simulated call comes from one place to one business: the limiter still
    // counts each call (its cost is part of the measurement) but never refuses one.
    let server = LocalServer::start(database, |config| {
        config.keyring = Some(keyring);
        config.rate_limits = frontdesk_server::RateLimits {
            per_ip: u32::MAX,
            per_business: u32::MAX,
            ..frontdesk_server::RateLimits::default()
        };
    })
    .await?;
    let store = &server.store;
    let business = stored_business(store, "demo").await?;
    let settings = PhoneSettings {
        account_sid: format!("AC{}", "0".repeat(32)),
        auth_token: AuthToken::parse(BENCH_TOKEN)?,
        escalation: None,
    };
    let now = SystemClock.now();
    store
        .set_phone_settings(business.id, Some(&settings), now)
        .await
        .map_err(|e| e.to_string())?;
    let orders = parse_orders_csv(BENCH_ORDERS.as_bytes()).map_err(|e| format!("{e:?}"))?;
    store
        .import_orders(business.id, &orders, now)
        .await
        .map_err(|e| e.to_string())?;

    let base = Arc::new(server.base.clone());
    println!("warming up with {warmup} webhooks…");
    drive_calls(&base, callers, warmup).await;
    println!("measuring {webhooks} webhooks from {callers} concurrent callers against {base}");
    let started = Instant::now();
    let (latencies, errors) = drive_calls(&base, callers, webhooks).await;
    report("webhooks", latencies, errors, started.elapsed());
    server.stop().await;
    Ok(())
}

/// Runs calls on `callers` tasks until `webhooks` requests are answered.
async fn drive_calls(
    base: &Arc<String>,
    callers: usize,
    webhooks: usize,
) -> (Vec<Duration>, usize) {
    let callers = callers.max(1);
    let mut tasks = Vec::with_capacity(callers);
    for caller in 0..callers {
        let share = webhooks / callers + usize::from(caller < webhooks % callers);
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            let mut errors = 0;
            let mut line = Line::new(&base, &base, "demo", BENCH_TOKEN.to_owned(), BENCH_CALLER);
            let mut step = 0;
            while latencies.len() + errors < share {
                let (target, extra): (&str, Vec<(&str, &str)>) = match step {
                    0 => ("incoming", Vec::new()),
                    n if n <= CALL_SCRIPT.len() => {
                        let (field, value) = CALL_SCRIPT[n - 1];
                        ("gather", vec![(field, value)])
                    }
                    _ => (
                        "status",
                        vec![("CallStatus", "completed"), ("CallDuration", "30")],
                    ),
                };
                let sent = Instant::now();
                match line.post(target, &extra).await {
                    Ok(_) => latencies.push(sent.elapsed()),
                    Err(_) => errors += 1,
                }
                step += 1;
                if step > CALL_SCRIPT.len() + 1 {
                    step = 0;
                    line.sid = format!("CA{}", uuid::Uuid::new_v4().simple());
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::with_capacity(webhooks);
    let mut errors = 0;
    for task in tasks {
        if let Ok((latencies, task_errors)) = task.await {
            all.extend(latencies);
            errors += task_errors;
        }
    }
    (all, errors)
}
