//! The subcommands other than `bench`. Errors are returned as messages for `main` to print.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use frontdesk_core::accounts::{IssuedToken, Role, UnknownRole};
use frontdesk_core::assistant::{Assistant, IncomingMessage, LoadedBusiness, ReplyProvider};
use frontdesk_core::audit::{Actor, AuditAction, AuditEvent};
use frontdesk_core::business::Business;
use frontdesk_core::clock::{Clock, SystemClock};
use frontdesk_core::conversation::{BusinessId, Channel, VisitorId, VisitorText};
use frontdesk_server::{seed_demo, Application, Config};
use frontdesk_store::{ImportOutcome, Store, StoredBusiness};
use jiff::SignedDuration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tracing_subscriber::EnvFilter;

/// Logs go to stderr; the server logs requests at info, other commands only warnings.
pub fn init_logging(serving: bool) {
    let default = if serving {
        "info,sqlx=warn,tower_http=info"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

pub async fn connect(database: &str) -> Result<Store, String> {
    Store::connect(database)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

/// The stored business with this slug, or an error that says how to find slugs.
pub async fn stored_business(store: &Store, slug: &str) -> Result<StoredBusiness, String> {
    store
        .business_by_slug(slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no business with slug {slug:?}; see `frontdesk business list`"))
}

/// `frontdesk serve`.
pub async fn serve(addr: SocketAddr, config: Config) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let app = Application::build(config, listener)
        .await
        .map_err(|e| format!("cannot start: {e}"))?;
    let bound = app.local_addr().map_err(|e| e.to_string())?;
    println!("frontdesk listening on http://{bound}");
    println!("try the demo: http://{bound}/demo");
    println!("owner dashboard: http://{bound}/app (sign up at /app/signup)");
    app.run_until(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// `frontdesk business import FILE`.
pub async fn import(file: &Path, database: &str) -> Result<(), String> {
    let source = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let business = Business::from_toml(&source).map_err(|e| format!("{}: {e}", file.display()))?;
    let store = connect(database).await?;
    let (id, outcome) = store
        .import_business(&business, &source, SystemClock.now())
        .await
        .map_err(|e| format!("cannot save the business: {e}"))?;
    let verb = match outcome {
        ImportOutcome::Created => "created",
        ImportOutcome::Updated => "updated",
    };
    audit_by_operator(
        &store,
        id,
        AuditAction::KnowledgeChanged,
        format!("business:{}", business.slug),
        format!("business file {verb} from {}", file.display()),
    )
    .await?;
    println!("{verb} business {} ({})", business.slug, business.name);
    Ok(())
}

/// `frontdesk business list`.
/// Records a change made from the command line: the actor is the system (whoever runs
/// the binary on the server), the detail says it came from here.
pub async fn audit_by_operator(
    store: &Store,
    business: BusinessId,
    action: AuditAction,
    resource: String,
    detail: String,
) -> Result<(), String> {
    store
        .append_audit(&AuditEvent {
            business,
            at: SystemClock.now(),
            actor: Actor::system(),
            action,
            resource: Some(resource),
            ip: None,
            user_agent: None,
            detail: Some(format!("{detail} (command line)")),
        })
        .await
        .map(drop)
        .map_err(|e| format!("cannot record the audit event: {e}"))
}

pub async fn invite(
    slug: &str,
    email: &str,
    role: &str,
    public_url: &str,
    database: &str,
) -> Result<(), String> {
    let role: Role = role.parse().map_err(|e: UnknownRole| e.to_string())?;
    let store = connect(database).await?;
    let business = store
        .business_by_slug(slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no business with slug {slug:?}"))?;
    if store
        .user_by_email(email)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("{email} already has an account"));
    }
    let token = IssuedToken::generate();
    let now = SystemClock.now();
    let invite = store
        .create_invite(
            business.id,
            &token.hash,
            email,
            role,
            None,
            now,
            now.saturating_add(SignedDuration::from_hours(7 * 24))
                .map_err(|e| e.to_string())?,
        )
        .await
        .map_err(|e| e.to_string())?;
    audit_by_operator(
        &store,
        business.id,
        AuditAction::TeamInvited,
        format!("invite:{invite}"),
        format!("{} as {}", email.trim().to_lowercase(), role.as_str()),
    )
    .await?;
    println!(
        "invitation for {email} as {} of {}: open within 7 days (works once)\n{}/app/invite/{}",
        role.label(),
        business.name,
        public_url.trim_end_matches('/'),
        token.plain
    );
    Ok(())
}

pub async fn list(database: &str) -> Result<(), String> {
    let store = connect(database).await?;
    let businesses = store.list_businesses().await.map_err(|e| e.to_string())?;
    if businesses.is_empty() {
        println!("no businesses yet: import one with `frontdesk business import FILE.toml`");
        return Ok(());
    }
    let width = businesses
        .iter()
        .map(|b| b.slug.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let name_width = businesses
        .iter()
        .map(|b| b.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:width$}  {:name_width$}  {:>13}  UPDATED",
        "SLUG", "NAME", "CONVERSATIONS"
    );
    for business in businesses {
        println!(
            "{:width$}  {:name_width$}  {:>13}  {}",
            business.slug,
            business.name,
            business.conversations,
            business.updated_at.strftime("%Y-%m-%d %H:%M UTC")
        );
    }
    Ok(())
}

/// `frontdesk quality SLUG`.
pub async fn quality(slug: &str, database: &str) -> Result<(), String> {
    let store = connect(database).await?;
    let business = stored_business(&store, slug).await?;
    let counts = store
        .quality_summary(business.id)
        .await
        .map_err(|e| e.to_string())?;
    if counts.is_empty() {
        println!("no quality findings for {slug} yet");
        return Ok(());
    }
    println!("{:<14} {:<24} {:>6}  LATEST", "KIND", "RULE", "COUNT");
    for count in counts {
        let detail: String = count.latest_detail.chars().take(80).collect();
        println!(
            "{:<14} {:<24} {:>6}  {} {}",
            count.kind,
            count.rule,
            count.count,
            count.latest_at.strftime("%Y-%m-%d %H:%M"),
            detail
        );
    }
    Ok(())
}

/// `frontdesk chat SLUG`: one line in, one reply out, stored like any other conversation.
pub async fn chat(
    slug: &str,
    database: &str,
    provider: Arc<dyn ReplyProvider>,
) -> Result<(), String> {
    let store = connect(database).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    seed_demo(&store, clock.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    let stored = stored_business(&store, slug).await?;
    let parsed = Business::from_toml(&stored.source)
        .map_err(|e| format!("stored business is invalid: {e}"))?;
    let business = LoadedBusiness::new(stored.id, parsed);
    let assistant = Assistant::new(store, provider, clock);
    let visitor =
        VisitorId::parse(&format!("cli-{}", uuid_suffix())).expect("generated visitor id is valid");
    println!("{}", business.knowledge.business.greeting);
    println!("(type your message and press Enter; Ctrl-D to quit)");
    let mut conversation = None;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
        let Ok(text) = VisitorText::parse(&line) else {
            continue;
        };
        let outcome = assistant
            .take_turn(
                &business,
                IncomingMessage {
                    visitor: visitor.clone(),
                    conversation,
                    text,
                    channel: Channel::Cli,
                    page_url: None,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        conversation = Some(outcome.conversation);
        println!("{}", outcome.reply);
    }
    Ok(())
}

fn uuid_suffix() -> String {
    frontdesk_core::conversation::ConversationId::new()
        .0
        .simple()
        .to_string()
}
