//! The `frontdesk` command: run the server, chat in a terminal, manage businesses, and
//! measure throughput.
#![forbid(unsafe_code)]

mod audit;
mod bench;
mod billing;
mod commands;
mod delivery;
mod eval;
mod google;
mod limits;
mod llm;
mod phone;
mod purge;
mod speech;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// A self-hostable, privacy-first AI front desk for local businesses.
#[derive(Debug, Parser)]
#[command(name = "frontdesk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server: API, widget and demo page.
    Serve(Box<ServeArgs>),
    /// Chat with a business's assistant in the terminal (the same engine as the widget).
    Chat(ChatArgs),
    /// Import and list businesses.
    #[command(subcommand)]
    Business(BusinessCommand),
    /// Show what the background quality checks found for a business (counts per rule and
    /// the latest offending claim or reply).
    Quality {
        /// The business.
        slug: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Tokens and latency of model-written replies for a business.
    Usage {
        /// The business.
        slug: String,
        /// How many days back.
        #[arg(long, default_value_t = 30)]
        days: i64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// The tamper-evident audit log: verify its chains, export it as CSV.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// A business's team: invite someone to the dashboard from the command line (how an
    /// imported business, such as the demo, gets its first owner).
    #[command(subcommand)]
    Team(TeamCommand),
    /// Keys that seal credentials (model API keys) at rest.
    #[command(subcommand)]
    Keys(llm::KeysCommand),
    /// Drive the HTTP API with many concurrent visitors and print throughput and latency
    /// (`--voice`: the phone line's TwiML webhooks).
    Bench(bench::BenchArgs),
    /// Run the retention jobs now: closed accounts past their grace period, audit
    /// events past six years, expired sessions, invites and resets, sign-in failures
    /// past the limiter's window. `--dry-run` prints what would go, per category.
    Purge(purge::PurgeArgs),
    /// A shop's orders, for the phone assistant's order lookups.
    #[command(subcommand)]
    Orders(phone::OrdersCommand),
    /// Call a business's phone assistant from the terminal, through a running server's
    /// real Twilio webhooks (signed requests).
    Call(phone::CallArgs),
    /// Measure the assistant against labelled cases.
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Per-rule precision, recall and F1 of the safety policy, benign false positives and time per check.
    Safety(eval::SafetyArgs),
}

/// Where the data lives.
#[derive(Debug, Args)]
pub(crate) struct DatabaseArgs {
    /// `postgres://…`, `sqlite://…`, or a SQLite file path.
    #[arg(long, env = "DATABASE_URL", default_value = "frontdesk.db")]
    pub(crate) database: String,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "FRONTDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Milliseconds between streamed words of a reply.
    #[arg(long, default_value_t = 15)]
    stream_pace_ms: u64,
    /// Check every reply's claims against the business data in the background.
    #[arg(long, env = "HALLUCINATION_GRADER_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    hallucination_grader: bool,
    #[command(flatten)]
    llm: llm::LlmArgs,
    /// The dashboard's public address, used in emailed links (e.g. https://desk.example.com).
    #[arg(long, env = "FRONTDESK_PUBLIC_URL")]
    public_url: Option<String>,
    #[command(flatten)]
    delivery: delivery::DeliveryArgs,
    /// Reverse proxies in front of the server whose X-Forwarded-For is trusted.
    #[arg(long, env = "FRONTDESK_TRUSTED_PROXIES", default_value_t = 0)]
    trusted_proxies: usize,
    /// Key file used when FRONTDESK_SECRET_KEYS is not set (created on first start).
    #[arg(
        long,
        env = "FRONTDESK_SECRET_KEYS_FILE",
        default_value = "frontdesk.keys"
    )]
    secret_keys_file: PathBuf,
    #[command(flatten)]
    google: google::GoogleArgs,
    #[command(flatten)]
    speech: speech::SpeechArgs,
    #[command(flatten)]
    retention: purge::RetentionArgs,
    /// Seconds between runs of the retention jobs inside the server.
    #[arg(
        long,
        env = "FRONTDESK_RETENTION_INTERVAL_SECS",
        default_value_t = 3600
    )]
    retention_interval_secs: u64,
    #[command(flatten)]
    limits: limits::LimitArgs,
    #[command(flatten)]
    billing: billing::BillingArgs,
}

#[derive(Debug, Args)]
struct ChatArgs {
    /// The business to talk to.
    slug: String,
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    llm: llm::LlmArgs,
}

#[derive(Debug, Subcommand)]
enum TeamCommand {
    /// Create a single-use invitation link (valid 7 days) and print it.
    Invite {
        /// The business.
        slug: String,
        /// Who is invited.
        email: String,
        /// owner, admin or viewer.
        #[arg(long, default_value = "owner")]
        role: String,
        /// The dashboard's public address, for the link.
        #[arg(
            long,
            env = "FRONTDESK_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum BusinessCommand {
    /// Create or update a business from a TOML file (see docs/business-file.md).
    Import {
        /// The business file.
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List the businesses in the database.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Give a business its own language model (API key from FRONTDESK_LLM_API_KEY, sealed
    /// with FRONTDESK_SECRET_KEYS), or `--clear` it.
    Model {
        #[command(flatten)]
        model: llm::BusinessModelArgs,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::init_logging(matches!(cli.command, Command::Serve(_)));
    let result = match cli.command {
        Command::Serve(args) => serve(*args).await,
        Command::Chat(args) => match llm::provider(&args.llm) {
            Ok(provider) => commands::chat(&args.slug, &args.database.database, provider).await,
            Err(message) => Err(message),
        },
        Command::Business(BusinessCommand::Import { file, database }) => {
            commands::import(&file, &database.database).await
        }
        Command::Business(BusinessCommand::List { database }) => {
            commands::list(&database.database).await
        }
        Command::Business(BusinessCommand::Model { model, database }) => {
            match commands::connect(&database.database).await {
                Ok(store) => llm::set_business_model(model, store).await,
                Err(message) => Err(message),
            }
        }
        Command::Usage {
            slug,
            days,
            database,
        } => match commands::connect(&database.database).await {
            Ok(store) => llm::usage(&slug, days, store).await,
            Err(message) => Err(message),
        },
        Command::Audit(command) => audit::run(command).await,
        Command::Team(TeamCommand::Invite {
            slug,
            email,
            role,
            public_url,
            database,
        }) => commands::invite(&slug, &email, &role, &public_url, &database.database).await,
        Command::Keys(command) => llm::keys(command).await,
        Command::Quality { slug, database } => commands::quality(&slug, &database.database).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Purge(args) => purge::run(args).await,
        Command::Orders(command) => phone::orders(command).await,
        Command::Call(args) => phone::call(args).await,
        Command::Eval(EvalCommand::Safety(args)) => eval::safety(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `frontdesk serve`: the server configured from flags and environment.
async fn serve(args: ServeArgs) -> Result<(), String> {
    let mut config = frontdesk_server::Config::new(args.database.database);
    config.stream_pace = std::time::Duration::from_millis(args.stream_pace_ms);
    config.grounding_grader = args.hallucination_grader;
    config.provider = llm::provider(&args.llm)?;
    config.model_providers = Some(llm::factory());
    config.calendars = google::connector(
        &args.google,
        args.public_url.as_deref(),
        config.clock.clone(),
    )?;
    config.speech = speech::settings(&args.speech)?;
    config.public_url = args.public_url;
    config.mailer = delivery::mailer(&args.delivery)?;
    config.sms = delivery::sms(&args.delivery)?;
    config.telnyx_public_key = delivery::telnyx_webhook_key(&args.delivery)?;
    config.trusted_proxy_hops = args.trusted_proxies;
    config.keyring = Some(llm::keyring_for_server(&args.secret_keys_file)?);
    args.retention.apply(&mut config);
    config.retention_interval = std::time::Duration::from_secs(args.retention_interval_secs.max(1));
    config.rate_limits = args.limits.rate_limits()?;
    config.rate_limit_counters = args.limits.counters();
    config.max_conversation_messages = args.limits.conversation_max_messages;
    config.billing = billing::settings(&args.billing)?;
    commands::serve(args.addr, config).await
}
