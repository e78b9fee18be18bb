//! How long frontdesk keeps what it holds (privacy policy §9), in one place: the store's
//! retention jobs ask this module for every cutoff, so a period is changed here or
//! nowhere.

use jiff::{SignedDuration, Timestamp};

/// The longest a closed account's data waits before it is purged: the policy promises
/// deletion "within 90 days of account closure", so no configuration may exceed it.
pub const MAX_CLOSURE_GRACE: SignedDuration = SignedDuration::from_hours(90 * 24);

/// Audit events are kept six years (after the account's closure, for a closed one).
/// Counted as 2,192 days: six years including two leap days, never less than six years.
pub const AUDIT_KEPT: SignedDuration = SignedDuration::from_hours(2_192 * 24);

/// Call logs are kept twelve months (366 days, so never less).
pub const CALL_LOGS_KEPT: SignedDuration = SignedDuration::from_hours(366 * 24);

/// The periods that depend on how the server is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// From closing an account to purging its data; at most [`MAX_CLOSURE_GRACE`].
    closure_grace: SignedDuration,
    /// The sign-in limiter's window: failed sign-ins (and their IP addresses) are kept no
    /// longer.
    pub login_window: SignedDuration,
}

impl RetentionPolicy {
    /// A policy with this grace period, clamped to `0..=MAX_CLOSURE_GRACE`.
    pub fn new(closure_grace: SignedDuration, login_window: SignedDuration) -> Self {
        Self {
            closure_grace: closure_grace.clamp(SignedDuration::ZERO, MAX_CLOSURE_GRACE),
            login_window,
        }
    }

    /// The grace period in force.
    pub fn closure_grace(&self) -> SignedDuration {
        self.closure_grace
    }

    /// When the data of an account closed at `closed_at` is purged.
    pub fn purge_after(&self, closed_at: Timestamp) -> Timestamp {
        closed_at
            .saturating_add(self.closure_grace)
            .unwrap_or(Timestamp::MAX)
    }

    /// When the audit log of an account closed at `closed_at` is purged.
    pub fn audit_purge_after(&self, closed_at: Timestamp) -> Timestamp {
        closed_at
            .saturating_add(AUDIT_KEPT)
            .unwrap_or(Timestamp::MAX)
    }
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self::new(MAX_CLOSURE_GRACE, SignedDuration::from_mins(15))
    }
}

/// `now` minus a period, saturating at the earliest time.
pub fn before(now: Timestamp, period: SignedDuration) -> Timestamp {
    now.saturating_sub(period).unwrap_or(Timestamp::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grace_period_is_never_longer_than_ninety_days() {
        let window = SignedDuration::from_mins(15);
        let long = RetentionPolicy::new(SignedDuration::from_hours(24 * 365), window);
        assert_eq!(long.closure_grace(), MAX_CLOSURE_GRACE);
        let short = RetentionPolicy::new(SignedDuration::from_hours(24 * 30), window);
        assert_eq!(short.closure_grace(), SignedDuration::from_hours(24 * 30));
        let negative = RetentionPolicy::new(SignedDuration::from_hours(-5), window);
        assert_eq!(negative.closure_grace(), SignedDuration::ZERO);
        let closed = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(
            short.purge_after(closed),
            closed + SignedDuration::from_hours(24 * 30)
        );
        assert!(
            short.audit_purge_after(closed) >= closed + SignedDuration::from_hours(24 * 365 * 6)
        );
    }
}
