//! The `serve` flags of the abuse limits.

use std::time::Duration;

use clap::Args;
use frontdesk_server::{CounterStore, RateLimits};

/// Rate limits of the public routes, and where their counters live.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Length of a rate-limit window, in seconds.
    #[arg(long, env = "FRONTDESK_RATE_LIMIT_WINDOW_SECS", default_value_t = 60)]
    rate_limit_window_secs: u64,
    /// Requests one client address may make per window to a business's chat.
    #[arg(long, env = "FRONTDESK_RATE_LIMIT_PER_IP", default_value_t = RateLimits::default().per_ip)]
    rate_limit_per_ip: u32,
    /// Requests one business's chat may receive per window, from everyone together.
    #[arg(long, env = "FRONTDESK_RATE_LIMIT_PER_BUSINESS", default_value_t = RateLimits::default().per_business)]
    rate_limit_per_business: u32,
    /// Count rate limits in this Redis (e.g. redis://127.0.0.1:6379) instead of the
    /// database, shared by every instance pointed at it.
    #[arg(long, env = "FRONTDESK_REDIS_URL", hide_env_values = true)]
    redis_url: Option<String>,
    /// Messages (the visitor's and the assistant's) one conversation may hold; past it
    /// the visitor is asked to start a new one.
    #[arg(long, env = "FRONTDESK_CONVERSATION_MAX_MESSAGES", default_value_t = frontdesk_server::DEFAULT_MAX_CONVERSATION_MESSAGES)]
    pub conversation_max_messages: u32,
}

impl LimitArgs {
    /// The allowances, refusing a zero window.
    pub fn rate_limits(&self) -> Result<RateLimits, String> {
        if self.rate_limit_window_secs == 0 {
            return Err("--rate-limit-window-secs must be at least 1".into());
        }
        Ok(RateLimits {
            window: Duration::from_secs(self.rate_limit_window_secs),
            per_ip: self.rate_limit_per_ip,
            per_business: self.rate_limit_per_business,
        })
    }

    /// The database, or Redis when a URL is given.
    pub fn counters(&self) -> CounterStore {
        match &self.redis_url {
            Some(url) => CounterStore::Redis {
                url: url.clone(),
                key_prefix: "frontdesk:rate:".into(),
            },
            None => CounterStore::Database,
        }
    }
}
