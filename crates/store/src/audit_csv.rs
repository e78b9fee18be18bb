//! Audit events as CSV for compliance reviews: one header, one row per event, with the
//! chain hashes so a copy can be checked later against the database.

use std::borrow::Cow;
use std::io;

use frontdesk_core::audit::AuditRecord;
use jiff::tz::TimeZone;

const HEADER: [&str; 11] = [
    "seq",
    "at",
    "action",
    "actor_user_id",
    "actor_email",
    "resource",
    "ip",
    "user_agent",
    "detail",
    "prev_hash",
    "hash",
];

/// Writes audit records as CSV, times in the business's time zone with their offset.
#[derive(Debug)]
pub struct AuditCsv<W: io::Write> {
    writer: csv::Writer<W>,
    timezone: TimeZone,
}

impl<W: io::Write> AuditCsv<W> {
    /// Starts a file: writes the header.
    pub fn new(out: W, timezone: TimeZone) -> io::Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(HEADER)?;
        Ok(Self { writer, timezone })
    }

    /// Writes one event.
    pub fn write(&mut self, record: &AuditRecord) -> io::Result<()> {
        let event = &record.event;
        let at = event
            .at
            .to_zoned(self.timezone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string();
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let row = [
            record.seq.to_string(),
            at,
            event.action.as_str().to_owned(),
            text(&event.actor.user_id),
            text(&event.actor.email),
            text(&event.resource),
            text(&event.ip),
            text(&event.user_agent),
            text(&event.detail),
            record.prev_hash.to_hex(),
            record.hash.to_hex(),
        ];
        self.writer
            .write_record(row.iter().map(|cell| defuse(cell).into_owned()))?;
        Ok(())
    }

    /// Flushes and hands the output back.
    pub fn finish(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

impl AuditCsv<Vec<u8>> {
    /// Takes the bytes written so far, so a download can be streamed in chunks.
    pub fn take(&mut self) -> io::Result<Vec<u8>> {
        // A CSV writer keeps no state between records, so a fresh one continues the file.
        let full = std::mem::replace(&mut self.writer, csv::Writer::from_writer(Vec::new()));
        full.into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Stops a spreadsheet from reading a cell as a formula (CSV injection): a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Emails,
/// user agents and details come from people, and the file is opened in Excel.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use frontdesk_core::audit::{Actor, AuditAction, AuditEvent, ChainHash};
    use frontdesk_core::conversation::BusinessId;
    use jiff::Timestamp;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        for dangerous in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse(dangerous), format!("'{dangerous}"));
        }
        for safe in ["owner@example.test", "1+1", "", "a=b", "'quoted"] {
            assert_eq!(defuse(safe), safe);
        }
    }

    #[test]
    fn rows_carry_local_times_hashes_and_defused_cells() {
        let event = AuditEvent {
            business: BusinessId(Uuid::nil()),
            at: Timestamp::from_second(1_795_000_000).unwrap(),
            actor: Actor {
                user_id: None,
                email: Some("=HYPERLINK(\"http://evil\")".into()),
            },
            action: AuditAction::LoginFailed,
            resource: None,
            ip: Some("203.0.113.9".into()),
            user_agent: Some("-cmd".into()),
            detail: Some("wrong password, twice".into()),
        };
        let record = frontdesk_core::audit::AuditRecord::next(0, ChainHash::GENESIS, event);
        let mut csv = AuditCsv::new(Vec::new(), TimeZone::get("America/Chicago").unwrap()).unwrap();
        csv.write(&record).unwrap();
        let text = String::from_utf8(csv.finish().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "seq,at,action,actor_user_id,actor_email,resource,ip,user_agent,detail,prev_hash,hash"
        );
        assert_eq!(
            lines[1],
            format!(
                "1,2026-11-18T05:06:40.000-06:00,login.failed,,\"'=HYPERLINK(\"\"http://evil\"\")\",,203.0.113.9,'-cmd,\"wrong password, twice\",{},{}",
                ChainHash::GENESIS,
                record.hash
            )
        );
        assert_eq!(lines.len(), 2);
    }
}
