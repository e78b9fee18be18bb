//! `frontdesk audit`: check the audit chains and export a business's audit log as CSV.

use std::io::Write;

use clap::Subcommand;
use frontdesk_core::audit::{Actor, AuditAction, AuditEvent, AuditVerification};
use frontdesk_core::business::Business;
use frontdesk_core::clock::{Clock, SystemClock};
use frontdesk_store::{AuditCsv, AuditRange};
use futures_util::TryStreamExt;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::commands::{connect, stored_business};
use crate::DatabaseArgs;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-walk every audit chain (or one business's) recomputing its hashes; prints the
    /// first broken link and exits with status 1 if there is one.
    Verify {
        /// Only this business.
        #[arg(long)]
        business: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write a business's audit log as CSV to stdout, oldest first. The export itself is
    /// recorded in the log (as `audit.exported` by the system).
    Export {
        /// The business.
        #[arg(long)]
        business: String,
        /// First day included (YYYY-MM-DD, in the business's time zone).
        #[arg(long)]
        from: Option<Date>,
        /// Last day included (YYYY-MM-DD, in the business's time zone).
        #[arg(long)]
        to: Option<Date>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `frontdesk audit …`.
pub async fn run(command: AuditCommand) -> Result<(), String> {
    match command {
        AuditCommand::Verify { business, database } => verify(business, &database.database).await,
        AuditCommand::Export {
            business,
            from,
            to,
            database,
        } => export(&business, from, to, &database.database).await,
    }
}

async fn verify(slug: Option<String>, database: &str) -> Result<(), String> {
    let store = connect(database).await?;
    let scope = match slug {
        Some(slug) => Some(stored_business(&store, &slug).await?.id),
        None => None,
    };
    let outcome = store.verify_audit(scope).await.map_err(|e| e.to_string())?;
    match outcome {
        AuditVerification::Intact { events, chains } => {
            println!("OK: {events} events in {chains} chains");
            Ok(())
        }
        AuditVerification::Broken(broken) => {
            // The business may be gone: its events outlive it.
            let name = store
                .business_slug(broken.business)
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_else(|| broken.business.to_string());
            println!(
                "BROKEN: business {name} event #{}: {}",
                broken.seq, broken.reason
            );
            Err("the audit log does not verify".to_owned())
        }
    }
}

async fn export(
    slug: &str,
    from: Option<Date>,
    to: Option<Date>,
    database: &str,
) -> Result<(), String> {
    let store = connect(database).await?;
    let stored = stored_business(&store, slug).await?;
    let business = Business::from_toml(&stored.source)
        .map_err(|e| format!("stored business is invalid: {e}"))?;
    let range = days(from, to, &business.timezone)?;
    let shown = |day: Option<Date>| day.map_or_else(|| "…".to_owned(), |d| d.to_string());
    // Recorded before anything is written: an export that can't be logged doesn't happen.
    store
        .append_audit(&AuditEvent {
            business: stored.id,
            at: SystemClock.now(),
            actor: Actor::system(),
            action: AuditAction::AuditExported,
            resource: None,
            ip: None,
            user_agent: None,
            detail: Some(format!(
                "CSV export from the command line, {} to {} ({})",
                shown(from),
                shown(to),
                business.timezone_name
            )),
        })
        .await
        .map_err(|e| format!("cannot record the export in the audit log: {e}"))?;
    let write_error = |e: std::io::Error| format!("cannot write the CSV: {e}");
    let stdout = std::io::BufWriter::new(std::io::stdout());
    let mut csv = AuditCsv::new(stdout, business.timezone.clone()).map_err(write_error)?;
    let mut records = store.audit_stream(stored.id, range);
    while let Some(record) = records.try_next().await.map_err(|e| e.to_string())? {
        csv.write(&record).map_err(write_error)?;
    }
    csv.finish()
        .and_then(|mut out| out.flush())
        .map_err(write_error)
}

/// The span from the start of `from` to the end of `to` (both days included) in the
/// business's time zone; an absent day leaves that end open.
fn days(from: Option<Date>, to: Option<Date>, timezone: &TimeZone) -> Result<AuditRange, String> {
    Ok(AuditRange {
        from: from.map(|day| start_of(day, timezone)).transpose()?,
        to: to
            .map(|day| start_of(day.tomorrow().map_err(|e| e.to_string())?, timezone))
            .transpose()?,
    })
}

/// The first moment of a day in a time zone.
fn start_of(day: Date, timezone: &TimeZone) -> Result<Timestamp, String> {
    day.to_zoned(timezone.clone())
        .map(|zoned| zoned.timestamp())
        .map_err(|e| format!("{day} in {}: {e}", timezone.iana_name().unwrap_or("?")))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn days_are_whole_and_local() {
        let chicago = TimeZone::get("America/Chicago").unwrap();
        let range = days(Some(date(2026, 11, 1)), Some(date(2026, 11, 1)), &chicago).unwrap();
        // 1 November 2026 is the day daylight saving time ends there: 25 hours long.
        assert_eq!(range.from, Some("2026-11-01T05:00:00Z".parse().unwrap()));
        assert_eq!(range.to, Some("2026-11-02T06:00:00Z".parse().unwrap()));
        let open = days(None, None, &chicago).unwrap();
        assert_eq!(open, AuditRange::default());
    }
}
