//! Language models on the command line: `--llm` picks the default reply provider,
//! `business model` gives one business its own, `keys` manages the keys that seal model
//! API keys at rest, and `usage` shows what model replies cost. A model is always wrapped
//! in retries, a circuit breaker and the engine fallback, inside the safety wall.

use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use frontdesk_core::assistant::{BuiltinEngine, ReplyProvider};
use frontdesk_core::audit::AuditAction;
use frontdesk_core::clock::{Clock, SystemClock};
use frontdesk_core::llm::{ApiKey, LanguageModel, ModelProvider, ModelSettings, ModelVendor};
use frontdesk_llm::{AnthropicClient, AnthropicConfig, OpenAiClient, OpenAiConfig, Resilient};
use frontdesk_server::ProviderFactory;
use frontdesk_store::{Keyring, Store};

/// The environment variable holding a model API key. Keys are never taken as flags, so
/// they stay out of `ps` and shell history.
const API_KEY_ENV: &str = "FRONTDESK_LLM_API_KEY";

/// The environment variable holding the keys that seal credentials at rest.
const SECRET_KEYS_ENV: &str = "FRONTDESK_SECRET_KEYS";

/// The reply providers a deployment can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LlmKind {
    /// The offline engine (no model, no key, microseconds per reply).
    Builtin,
    /// Anthropic's Messages API.
    Anthropic,
    /// Any OpenAI-compatible chat completions server: OpenAI, vLLM, llama.cpp, Ollama.
    Openai,
}

/// The model vendors a business can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VendorArg {
    Anthropic,
    Openai,
}

impl From<VendorArg> for ModelVendor {
    fn from(vendor: VendorArg) -> Self {
        match vendor {
            VendorArg::Anthropic => ModelVendor::Anthropic,
            VendorArg::Openai => ModelVendor::OpenAi,
        }
    }
}

#[derive(Debug, Args)]
pub struct LlmArgs {
    /// Who writes replies by default. Model providers read their API key from
    /// FRONTDESK_LLM_API_KEY.
    #[arg(long, env = "FRONTDESK_LLM", value_enum, default_value_t = LlmKind::Builtin)]
    llm: LlmKind,
    /// Model name (default: claude-sonnet-4-5 for anthropic, gpt-4o-mini for openai).
    #[arg(long, env = "FRONTDESK_LLM_MODEL")]
    llm_model: Option<String>,
    /// API base URL, e.g. http://localhost:11434 for Ollama (default: the vendor's API).
    #[arg(long, env = "FRONTDESK_LLM_BASE_URL")]
    llm_base_url: Option<String>,
}

fn api_key_from_env() -> Option<ApiKey> {
    std::env::var(API_KEY_ENV)
        .ok()
        .filter(|key| !key.trim().is_empty())
        .map(|key| ApiKey::new(key.trim()))
}

/// The keyring from `FRONTDESK_SECRET_KEYS`, if set.
pub fn keyring_from_env() -> Result<Option<Keyring>, String> {
    match std::env::var(SECRET_KEYS_ENV) {
        Ok(spec) if !spec.trim().is_empty() => {
            Keyring::parse(&spec).map(Some).map_err(|e| e.to_string())
        }
        _ => Ok(None),
    }
}

/// The keyring of a server: `FRONTDESK_SECRET_KEYS` when set, otherwise a key file that
/// is created on first start (readable by its owner only), so 2FA secrets and API keys
/// are sealed at rest on a fresh install too. Back the file up with the database.
pub fn keyring_for_server(key_file: &std::path::Path) -> Result<Keyring, String> {
    if let Some(keyring) = keyring_from_env()? {
        return Ok(keyring);
    }
    let spec = match std::fs::read_to_string(key_file) {
        Ok(spec) => spec,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let spec = Keyring::generate_entry("k1");
            write_private(key_file, &spec)
                .map_err(|e| format!("cannot create the key file {}: {e}", key_file.display()))?;
            tracing::warn!(file = %key_file.display(), "created a new secret key file; back it up with the database");
            spec
        }
        Err(error) => {
            return Err(format!(
                "cannot read the key file {}: {error}",
                key_file.display()
            ))
        }
    };
    Keyring::parse(spec.trim()).map_err(|e| format!("{}: {e}", key_file.display()))
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn default_model(vendor: ModelVendor) -> &'static str {
    match vendor {
        ModelVendor::Anthropic => "claude-sonnet-4-5",
        ModelVendor::OpenAi => "gpt-4o-mini",
    }
}

/// A provider for model settings: the vendor's client, with retries and a breaker,
/// inside the model provider's tool loop and fallback.
pub fn provider_for(settings: &ModelSettings) -> Result<Arc<dyn ReplyProvider>, String> {
    let key = settings.api_key.clone();
    if key.is_none() && settings.base_url.is_none() {
        return Err(format!(
            "{} needs an API key ({API_KEY_ENV}) unless a base URL of a keyless server is given",
            settings.vendor.as_str()
        ));
    }
    let model: Arc<dyn LanguageModel> = match settings.vendor {
        ModelVendor::Anthropic => {
            let mut config = AnthropicConfig::new(String::new(), settings.model.as_str());
            config.api_key = key;
            if let Some(base_url) = &settings.base_url {
                config.base_url = base_url.clone();
            }
            Arc::new(Resilient::new(
                AnthropicClient::new(config).map_err(|e| e.to_string())?,
            ))
        }
        ModelVendor::OpenAi => {
            let base_url = settings
                .base_url
                .clone()
                .unwrap_or_else(|| "https://api.openai.com".to_owned());
            let config = OpenAiConfig::new(base_url, key, settings.model.as_str());
            Arc::new(Resilient::new(
                OpenAiClient::new(config).map_err(|e| e.to_string())?,
            ))
        }
    };
    Ok(Arc::new(ModelProvider::new(model)))
}

/// The default provider chosen by `--llm`.
pub fn provider(args: &LlmArgs) -> Result<Arc<dyn ReplyProvider>, String> {
    let vendor = match args.llm {
        LlmKind::Builtin => return Ok(Arc::new(BuiltinEngine)),
        LlmKind::Anthropic => ModelVendor::Anthropic,
        LlmKind::Openai => ModelVendor::OpenAi,
    };
    let settings = ModelSettings {
        vendor,
        model: args
            .llm_model
            .clone()
            .unwrap_or_else(|| default_model(vendor).to_owned()),
        base_url: args.llm_base_url.clone(),
        api_key: api_key_from_env(),
    };
    let provider = provider_for(&settings).map_err(|e| format!("--llm: {e}"))?;
    tracing::info!(vendor = vendor.as_str(), model = %settings.model, "replies are written by a language model inside the safety wall");
    Ok(provider)
}

/// What the server uses to build a business's own provider.
pub fn factory() -> ProviderFactory {
    ProviderFactory(Arc::new(provider_for))
}

#[derive(Debug, Args)]
pub struct BusinessModelArgs {
    /// The business.
    slug: String,
    /// The vendor's protocol.
    #[arg(long, value_enum, required_unless_present = "clear")]
    vendor: Option<VendorArg>,
    /// Model name (default: the vendor's default).
    #[arg(long)]
    model: Option<String>,
    /// API base URL (default: the vendor's public API).
    #[arg(long)]
    base_url: Option<String>,
    /// Go back to the server's default provider.
    #[arg(long, conflicts_with_all = ["vendor", "model", "base_url"])]
    clear: bool,
}

/// `frontdesk business model`: sets or clears a business's own model. The API key comes
/// from FRONTDESK_LLM_API_KEY and is sealed with FRONTDESK_SECRET_KEYS before it is stored.
pub async fn set_business_model(args: BusinessModelArgs, store: Store) -> Result<(), String> {
    let store = match keyring_from_env()? {
        Some(keyring) => store.with_keyring(keyring),
        None => store,
    };
    let business = crate::commands::stored_business(&store, &args.slug).await?;
    let settings = match args.vendor {
        Some(vendor) if !args.clear => {
            let vendor = ModelVendor::from(vendor);
            let settings = ModelSettings {
                vendor,
                model: args
                    .model
                    .unwrap_or_else(|| default_model(vendor).to_owned()),
                base_url: args.base_url,
                api_key: api_key_from_env(),
            };
            provider_for(&settings)?;
            Some(settings)
        }
        _ => None,
    };
    store
        .set_model_settings(business.id, settings.as_ref(), SystemClock.now())
        .await
        .map_err(|e| format!("cannot save the model settings: {e}"))?;
    let detail = match &settings {
        Some(s) => format!("{}/{}", s.vendor.as_str(), s.model),
        None => "cleared".to_owned(),
    };
    crate::commands::audit_by_operator(
        &store,
        business.id,
        AuditAction::ModelSettingsChanged,
        format!("business:{}", args.slug),
        detail,
    )
    .await?;
    match settings {
        Some(s) => println!(
            "{} now answers with {}/{}{}",
            args.slug,
            s.vendor.as_str(),
            s.model,
            if s.api_key.is_some() {
                " (API key sealed)"
            } else {
                ""
            }
        ),
        None => println!("{} now uses the server's default provider", args.slug),
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new random key entry for FRONTDESK_SECRET_KEYS (put it first to make it active).
    Generate {
        /// The key's id, stored beside everything it seals.
        #[arg(long, default_value_t = jiff::Zoned::now().strftime("%Y-%m-%d").to_string())]
        id: String,
    },
    /// Re-seal every stored credential with the active (first) key, so older keys can be removed.
    Rotate {
        #[command(flatten)]
        database: crate::DatabaseArgs,
    },
}

/// `frontdesk keys`.
pub async fn keys(command: KeysCommand) -> Result<(), String> {
    match command {
        KeysCommand::Generate { id } => {
            let entry = Keyring::generate_entry(&id);
            Keyring::parse(&entry).map_err(|e| e.to_string())?;
            println!("{entry}");
            Ok(())
        }
        KeysCommand::Rotate { database } => {
            let keyring = keyring_from_env()?
                .ok_or_else(|| format!("set {SECRET_KEYS_ENV} (new key first, old keys after)"))?;
            let active = keyring.active_id().to_owned();
            let store = crate::commands::connect(&database.database)
                .await?
                .with_keyring(keyring);
            let rotated = store.rotate_secrets().await.map_err(|e| e.to_string())?;
            println!("re-sealed {rotated} credential(s) with key {active:?}");
            Ok(())
        }
    }
}

/// `frontdesk usage`: tokens and latency of model replies over the last days.
pub async fn usage(slug: &str, days: i64, store: Store) -> Result<(), String> {
    let business = crate::commands::stored_business(&store, slug).await?;
    let since = SystemClock
        .now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * days))
        .map_err(|e| e.to_string())?;
    let rows = store
        .usage_summary(business.id, since)
        .await
        .map_err(|e| e.to_string())?;
    if rows.is_empty() {
        println!("no model-written replies for {slug} in the last {days} day(s)");
        return Ok(());
    }
    println!(
        "{:<36} {:>8} {:>6} {:>12} {:>12} {:>9} {:>11} {:>12}",
        "model", "replies", "calls", "input tok", "output tok", "fallback", "mean ms", "first text"
    );
    for row in rows {
        println!(
            "{:<36} {:>8} {:>6} {:>12} {:>12} {:>9} {:>11.0} {:>12}",
            row.model,
            row.replies,
            row.calls,
            row.input_tokens,
            row.output_tokens,
            row.fallbacks,
            row.mean_latency_ms,
            row.mean_first_text_ms
                .map(|ms| format!("{ms:.0} ms"))
                .unwrap_or_else(|| "-".to_owned())
        );
    }
    Ok(())
}
