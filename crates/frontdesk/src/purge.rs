//! `frontdesk purge`: the retention jobs on demand, or `--dry-run` to see what they
//! would remove, per category, without removing anything.

use clap::Args;
use frontdesk_core::clock::{Clock, SystemClock};
use frontdesk_store::PurgeOptions;

use crate::commands;
use crate::DatabaseArgs;

/// The retention settings `serve` and `purge` share.
#[derive(Debug, Args)]
pub(crate) struct RetentionArgs {
    /// Days from closing an account to purging its data (at most 90: larger values are
    /// clamped, as the privacy policy promises deletion within 90 days).
    #[arg(long, env = "FRONTDESK_CLOSURE_GRACE_DAYS", default_value_t = 90)]
    pub(crate) closure_grace_days: u32,
}

impl RetentionArgs {
    /// Sets the grace period on a server configuration.
    pub(crate) fn apply(&self, config: &mut frontdesk_server::Config) {
        config.closure_grace =
            jiff::SignedDuration::from_hours(i64::from(self.closure_grace_days) * 24);
    }
}

#[derive(Debug, Args)]
pub(crate) struct PurgeArgs {
    /// Count what would be removed, per category; remove nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    retention: RetentionArgs,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub(crate) async fn run(args: PurgeArgs) -> Result<(), String> {
    let store = commands::connect(&args.database.database).await?;
    let mut config = frontdesk_server::Config::new(args.database.database.clone());
    args.retention.apply(&mut config);
    let options = PurgeOptions {
        dry_run: args.dry_run,
        ..PurgeOptions::default()
    };
    let report = store
        .purge(&config.retention_policy(), SystemClock.now(), options)
        .await
        .map_err(|e| format!("purge failed (it resumes where it stopped next time): {e}"))?;
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    for (category, rows) in &report.categories {
        println!("{category:<36} {verb} {rows}");
    }
    println!("{:<36} {verb} {}", "total", report.total());
    Ok(())
}
