//! The tamper-evident audit log: who did what to a business's data, and when.
//!
//! Every business has its own chain of events numbered 1, 2, 3… Each event's hash covers
//! the previous event's hash and the event's canonical bytes:
//!
//! ```text
//! hash_n = SHA-256(hash_{n-1} || canonical(business, n, event_n)),  hash_0 = 32 zero bytes
//! ```
//!
//! so changing, removing or reordering a stored event breaks every later link, and
//! [`ChainVerifier`] finds the first broken one. The chain makes tampering evident, not
//! impossible: someone who can rewrite the table can also recompute the tail, which is why
//! the database refuses updates and deletes as well, and why exported copies (which carry
//! the hashes) are worth keeping.
//!
//! Nothing here performs I/O; storage appends and streams records, this module decides
//! what their bytes are and whether a chain holds.

use std::collections::HashMap;
use std::fmt;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::conversation::BusinessId;

/// Version tag at the start of every canonical encoding, so a future format can be told
/// apart from this one instead of silently hashing differently.
const CANONICAL_VERSION: &[u8] = b"frontdesk.audit.v1";

/// One thing that happened to a business's data.
///
/// Never put secrets here — passwords, one-time codes, API keys, session tokens, reset
/// links: the log is kept for six years, exported as CSV and cannot be edited, so a secret
/// written into it could never be taken back. Describe the act ("API key replaced"), not
/// the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub business: BusinessId,
    /// When it happened. Stored and hashed at millisecond precision.
    pub at: Timestamp,
    pub actor: Actor,
    pub action: AuditAction,
    /// What was touched, as `kind:id` (for example `conversation:<id>`).
    pub resource: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// A short human note (what changed, why a login failed). No secrets.
    pub detail: Option<String>,
}

/// Who acted. A person is known by user id and/or email (a failed login may only have the
/// email that was typed); neither means the system itself — the CLI or a background job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub email: Option<String>,
}

impl Actor {
    /// The system itself: the CLI or a background job.
    pub fn system() -> Self {
        Self::default()
    }
}

/// Generates the action enum with its stable ids in one place, so an id can't be added to
/// one list and forgotten in another.
macro_rules! audit_actions {
    ($($variant:ident => $id:literal,)+) => {
        /// What was done. The string ids are stored and hashed: never rename one, add new
        /// variants instead.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant,)+
        }

        impl AuditAction {
            /// Every action, for parsers and tests.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)+];

            /// The stable id, as stored and hashed.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $id,)+
                }
            }
        }
    };
}

audit_actions! {
    LoginSucceeded => "login.succeeded",
    LoginFailed => "login.failed",
    Logout => "logout",
    TranscriptViewed => "transcript.viewed",
    TranscriptEmailed => "transcript.emailed",
    LeadsExported => "leads.exported",
    AuditExported => "audit.exported",
    SettingsChanged => "settings.changed",
    KnowledgeChanged => "knowledge.changed",
    ModelSettingsChanged => "model.settings_changed",
    TeamInvited => "team.invited",
    TeamRemoved => "team.removed",
    TeamRoleChanged => "team.role_changed",
    TwoFactorEnrolled => "twofactor.enrolled",
    TwoFactorRemoved => "twofactor.removed",
    SessionsRevokedAll => "sessions.revoked_all",
    DataSubjectExported => "data_subject.exported",
    DataSubjectDeleted => "data_subject.deleted",
    AccountDeletionRequested => "account.deletion_requested",
    AccountCreated => "account.created",
    PasswordChanged => "password.changed",
    PasswordReset => "password.reset",
    InviteAccepted => "team.invite_accepted",
    InviteRevoked => "team.invite_revoked",
    SessionRevoked => "session.revoked",
    DataSubjectSearched => "data_subject.searched",
    ConversationDeleted => "conversation.deleted",
    ConversationsExported => "conversations.exported",
    BillingCheckoutStarted => "billing.checkout_started",
    BillingPortalOpened => "billing.portal_opened",
    SubscriptionChanged => "billing.subscription_changed",
}

impl AuditAction {
    /// Parses a stored id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|action| action.as_str() == id)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SHA-256 link of a chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// What the first event of every chain links to.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// Lowercase hex, as stored and exported.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The canonical bytes of an event at a position of its chain. The format (v1), fixed
/// forever for stored chains:
///
/// 1. the tag `frontdesk.audit.v1`;
/// 2. the business id as a length-prefixed string (hyphenated lowercase UUID);
/// 3. `seq` as 8 bytes big-endian;
/// 4. `at` in Unix milliseconds as 8 bytes big-endian (two's complement);
/// 5. actor user id, actor email, action id, resource, ip, user agent, detail — each
///    optional string as `0x00` when absent, or `0x01` then its UTF-8 length as 4 bytes
///    big-endian then the bytes (the action is always present).
///
/// Length prefixes make the encoding unambiguous: no two different events share bytes,
/// and an absent field differs from an empty one. Binding the business and the sequence
/// number means an event can't be moved to another chain or position.
pub fn canonical(business: BusinessId, seq: u64, event: &AuditEvent) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, value: Option<&str>) {
        match value {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                let len = u32::try_from(text.len()).expect("audit field shorter than 4 GiB");
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(CANONICAL_VERSION);
    field(&mut out, Some(&business.to_string()));
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&event.at.as_millisecond().to_be_bytes());
    field(&mut out, event.actor.user_id.as_deref());
    field(&mut out, event.actor.email.as_deref());
    field(&mut out, Some(event.action.as_str()));
    field(&mut out, event.resource.as_deref());
    field(&mut out, event.ip.as_deref());
    field(&mut out, event.user_agent.as_deref());
    field(&mut out, event.detail.as_deref());
    out
}

/// The link after `prev` for `event` at position `seq` of its business's chain.
/// The business hashed is `event.business`.
pub fn chain_hash(prev: &ChainHash, seq: u64, event: &AuditEvent) -> ChainHash {
    let mut hasher = Sha256::new();
    hasher.update(prev.0);
    hasher.update(canonical(event.business, seq, event));
    ChainHash(hasher.finalize().into())
}

/// An event as stored: its position in its business's chain and its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// 1 for a business's first event, then one more for each.
    pub seq: u64,
    pub event: AuditEvent,
    pub prev_hash: ChainHash,
    pub hash: ChainHash,
}

impl AuditRecord {
    /// Places `event` after a chain whose last link is `prev` at `prev_seq` (0 and
    /// [`ChainHash::GENESIS`] for an empty chain).
    pub fn next(prev_seq: u64, prev: ChainHash, event: AuditEvent) -> Self {
        let seq = prev_seq + 1;
        let hash = chain_hash(&prev, seq, &event);
        Self {
            seq,
            event,
            prev_hash: prev,
            hash,
        }
    }
}

/// The last link a business's chain is known to have reached (kept by storage beside the
/// events), so that deleting events from the end of a chain is noticed too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: u64,
    pub hash: ChainHash,
}

/// The outcome of re-walking chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerification {
    /// Every link holds.
    Intact { events: u64, chains: u64 },
    /// The first link that doesn't.
    Broken(ChainBreak),
}

/// Where and how a chain broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub business: BusinessId,
    /// The position that is wrong or missing.
    pub seq: u64,
    pub reason: BreakReason,
}

/// What did not match at a broken link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// The event at this position is missing; the next one stored is `found`.
    Gap { found: u64 },
    /// The stored `prev_hash` isn't the previous event's hash.
    PrevHashMismatch,
    /// The event's fields don't hash to its stored hash: it was changed.
    HashMismatch,
    /// The chain's head says it reached `head_seq`, but events stop before it.
    Truncated { head_seq: u64 },
    /// The chain's head names a hash this event doesn't have.
    HeadMismatch,
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakReason::Gap { found } => {
                write!(
                    f,
                    "missing (sequence gap: the next stored event is #{found})"
                )
            }
            BreakReason::PrevHashMismatch => {
                f.write_str("prev_hash does not match the previous event's hash")
            }
            BreakReason::HashMismatch => {
                f.write_str("hash does not match the event's contents (it was altered)")
            }
            BreakReason::Truncated { head_seq } => {
                write!(f, "missing (the chain head says events reach #{head_seq})")
            }
            BreakReason::HeadMismatch => {
                f.write_str("hash does not match the chain head recorded for it")
            }
        }
    }
}

/// Re-walks chains one record at a time, so storage can stream any number of events
/// through it in constant memory. Records must arrive grouped by business, in `seq` order
/// within each business.
#[derive(Debug)]
pub struct ChainVerifier {
    heads: HashMap<BusinessId, ChainHead>,
    /// Where chains whose oldest events retention removed start again.
    anchors: HashMap<BusinessId, ChainHead>,
    current: Option<(BusinessId, ChainHead)>,
    events: u64,
    chains: u64,
}

impl ChainVerifier {
    /// A verifier that also checks the given heads. A head read before the events may
    /// be behind them (events appended meanwhile); only events missing up to it count.
    pub fn new(heads: HashMap<BusinessId, ChainHead>) -> Self {
        Self {
            heads,
            anchors: HashMap::new(),
            current: None,
            events: 0,
            chains: 0,
        }
    }

    /// The same verifier, continuing each anchored chain from its anchor (the last event
    /// retention removed) instead of from the genesis. A chain removed whole (anchored
    /// at its head) is intact with no events.
    pub fn with_anchors(mut self, anchors: HashMap<BusinessId, ChainHead>) -> Self {
        self.anchors = anchors;
        self
    }

    /// The position and previous link the next record of `business` must have; a new
    /// business first closes the chain walked so far.
    fn expect(&mut self, business: BusinessId) -> Result<(u64, ChainHash), ChainBreak> {
        match self.current {
            Some((current, head)) if current == business => Ok((head.seq + 1, head.hash)),
            _ => {
                self.finish_chain()?;
                self.chains += 1;
                Ok(self
                    .anchors
                    .get(&business)
                    .map_or((1, ChainHash::GENESIS), |anchor| {
                        (anchor.seq + 1, anchor.hash)
                    }))
            }
        }
    }

    /// Checks the next record; the first error is the first broken link.
    pub fn push(&mut self, record: &AuditRecord) -> Result<(), ChainBreak> {
        let business = record.event.business;
        let (expected, prev) = self.expect(business)?;
        let broken = |seq, reason| ChainBreak {
            business,
            seq,
            reason,
        };
        if record.seq != expected {
            return Err(broken(expected, BreakReason::Gap { found: record.seq }));
        }
        if record.prev_hash != prev {
            return Err(broken(record.seq, BreakReason::PrevHashMismatch));
        }
        if chain_hash(&prev, record.seq, &record.event) != record.hash {
            return Err(broken(record.seq, BreakReason::HashMismatch));
        }
        if let Some(head) = self.heads.get(&business) {
            if head.seq == record.seq && head.hash != record.hash {
                return Err(broken(record.seq, BreakReason::HeadMismatch));
            }
        }
        self.current = Some((
            business,
            ChainHead {
                seq: record.seq,
                hash: record.hash,
            },
        ));
        self.events += 1;
        Ok(())
    }

    /// The break to report for a record storage could not even decode (an unknown action,
    /// a hash that isn't hex): a gap before it comes first, else `reason` at its position.
    pub fn unreadable(
        &mut self,
        business: BusinessId,
        seq: u64,
        reason: BreakReason,
    ) -> ChainBreak {
        match self.expect(business) {
            Err(earlier) => earlier,
            Ok((expected, _)) if expected != seq => ChainBreak {
                business,
                seq: expected,
                reason: BreakReason::Gap { found: seq },
            },
            Ok(_) => ChainBreak {
                business,
                seq,
                reason,
            },
        }
    }

    /// Ends the walk: checks the last chain and any head whose chain had no events.
    pub fn finish(mut self) -> AuditVerification {
        if let Err(broken) = self.finish_chain() {
            return AuditVerification::Broken(broken);
        }
        // Heads left over belong to chains of which no event was seen at all.
        let anchors = std::mem::take(&mut self.anchors);
        let mut orphans: Vec<(BusinessId, ChainHead)> = self
            .heads
            .drain()
            .filter(|(business, head)| {
                anchors
                    .get(business)
                    .is_none_or(|anchor| anchor.seq < head.seq || anchor.hash != head.hash)
            })
            .collect();
        orphans.sort_by_key(|(business, _)| business.0);
        if let Some((business, head)) = orphans.into_iter().next() {
            return AuditVerification::Broken(ChainBreak {
                business,
                seq: 1,
                reason: BreakReason::Truncated { head_seq: head.seq },
            });
        }
        AuditVerification::Intact {
            events: self.events,
            chains: self.chains,
        }
    }

    /// Checks that the chain just walked reaches its head, and forgets the head.
    fn finish_chain(&mut self) -> Result<(), ChainBreak> {
        let Some((business, last)) = self.current.take() else {
            return Ok(());
        };
        match self.heads.remove(&business) {
            Some(head) if head.seq > last.seq => Err(ChainBreak {
                business,
                seq: last.seq + 1,
                reason: BreakReason::Truncated { head_seq: head.seq },
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn business(n: u128) -> BusinessId {
        BusinessId(Uuid::from_u128(n))
    }

    fn event(business_id: BusinessId) -> AuditEvent {
        AuditEvent {
            business: business_id,
            at: Timestamp::from_millisecond(1_795_000_000_123).unwrap(),
            actor: Actor {
                user_id: Some("user-1".into()),
                email: Some("owner@example.test".into()),
            },
            action: AuditAction::TranscriptViewed,
            resource: Some("conversation:abc".into()),
            ip: Some("203.0.113.9".into()),
            user_agent: Some("Firefox".into()),
            detail: Some("opened from the inbox".into()),
        }
    }

    /// A valid chain of `n` events of one business.
    fn chain(business_id: BusinessId, n: u64) -> Vec<AuditRecord> {
        let mut records: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let (seq, prev) = records
                .last()
                .map_or((0, ChainHash::GENESIS), |r| (r.seq, r.hash));
            let mut e = event(business_id);
            e.detail = Some(format!("event {i}"));
            records.push(AuditRecord::next(seq, prev, e));
        }
        records
    }

    fn verify(records: &[AuditRecord], heads: HashMap<BusinessId, ChainHead>) -> AuditVerification {
        let mut verifier = ChainVerifier::new(heads);
        for record in records {
            if let Err(broken) = verifier.push(record) {
                return AuditVerification::Broken(broken);
            }
        }
        verifier.finish()
    }

    #[test]
    fn a_chain_continues_from_its_retention_anchor() {
        let b = business(7);
        let records = chain(b, 5);
        let anchor = ChainHead {
            seq: records[2].seq,
            hash: records[2].hash,
        };
        let head = ChainHead {
            seq: 5,
            hash: records[4].hash,
        };
        let heads = HashMap::from([(b, head)]);
        let kept = &records[3..];
        assert!(matches!(
            verify(kept, heads.clone()),
            AuditVerification::Broken(_)
        ));
        let mut verifier =
            ChainVerifier::new(heads.clone()).with_anchors(HashMap::from([(b, anchor)]));
        for record in kept {
            verifier.push(record).unwrap();
        }
        assert!(matches!(
            verifier.finish(),
            AuditVerification::Intact { events: 2, .. }
        ));
        // Removed whole: anchored at the head, no events left, still intact.
        let whole = ChainVerifier::new(heads.clone()).with_anchors(HashMap::from([(b, head)]));
        assert!(matches!(
            whole.finish(),
            AuditVerification::Intact { events: 0, .. }
        ));
        // An anchor below the head with the tail gone is truncation.
        let cut = ChainVerifier::new(heads).with_anchors(HashMap::from([(b, anchor)]));
        assert!(matches!(cut.finish(), AuditVerification::Broken(_)));
    }

    #[test]
    fn action_ids_are_unique_and_parse_back() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
        }
        let mut ids: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), AuditAction::ALL.len());
        assert_eq!(AuditAction::LoginFailed.as_str(), "login.failed");
        assert_eq!(AuditAction::parse("nope"), None);
    }

    #[test]
    fn changing_any_field_changes_the_hash() {
        let id = business(1);
        let base = event(id);
        let hash = chain_hash(&ChainHash::GENESIS, 1, &base);
        assert_eq!(hash, chain_hash(&ChainHash::GENESIS, 1, &base.clone()));
        type Change = fn(&mut AuditEvent);
        let variants: [(&str, Change); 9] = [
            ("business", |e| e.business = business(2)),
            ("at", |e| e.at += jiff::SignedDuration::from_millis(1)),
            ("user_id", |e| e.actor.user_id = Some("user-2".into())),
            ("email", |e| e.actor.email = None),
            ("action", |e| e.action = AuditAction::LeadsExported),
            ("resource", |e| e.resource = Some("conversation:abd".into())),
            ("ip", |e| e.ip = Some("203.0.113.10".into())),
            ("user_agent", |e| e.user_agent = None),
            ("detail", |e| e.detail = Some(String::new())),
        ];
        for (name, change) in variants {
            let mut changed = base.clone();
            change(&mut changed);
            assert_ne!(
                chain_hash(&ChainHash::GENESIS, 1, &changed),
                hash,
                "changing {name} must change the hash"
            );
        }
        assert_ne!(chain_hash(&ChainHash::GENESIS, 2, &base), hash, "seq");
        let other_prev = ChainHash([1; 32]);
        assert_ne!(chain_hash(&other_prev, 1, &base), hash, "prev");
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        // Without length prefixes these two would encode the same bytes.
        let mut a = event(business(1));
        a.ip = Some("1.2.3.4x".into());
        a.user_agent = Some("y".into());
        let mut b = a.clone();
        b.ip = Some("1.2.3.4".into());
        b.user_agent = Some("xy".into());
        assert_ne!(canonical(a.business, 1, &a), canonical(b.business, 1, &b));
        let mut absent = a.clone();
        absent.detail = None;
        let mut empty = a.clone();
        empty.detail = Some(String::new());
        assert_ne!(
            canonical(a.business, 1, &absent),
            canonical(a.business, 1, &empty)
        );
    }

    #[test]
    fn canonical_bytes_are_pinned() {
        // The stored chains depend on these exact bytes: this test must never change.
        let e = AuditEvent {
            business: business(1),
            at: Timestamp::from_millisecond(1).unwrap(),
            actor: Actor::system(),
            action: AuditAction::Logout,
            resource: None,
            ip: None,
            user_agent: None,
            detail: Some("x".into()),
        };
        let mut expected = b"frontdesk.audit.v1".to_vec();
        expected.extend_from_slice(&[1, 0, 0, 0, 36]);
        expected.extend_from_slice(b"00000000-0000-0000-0000-000000000001");
        expected.extend_from_slice(&7u64.to_be_bytes());
        expected.extend_from_slice(&1i64.to_be_bytes());
        expected.extend_from_slice(&[0, 0, 1, 0, 0, 0, 6]);
        expected.extend_from_slice(b"logout");
        expected.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, b'x']);
        assert_eq!(canonical(e.business, 7, &e), expected);
        assert_eq!(
            chain_hash(&ChainHash::GENESIS, 7, &e).to_hex(),
            hex::encode(Sha256::digest([[0u8; 32].as_slice(), &expected].concat()))
        );
    }

    #[test]
    fn order_matters() {
        let id = business(1);
        let (mut first, mut second) = (event(id), event(id));
        first.action = AuditAction::LoginSucceeded;
        second.action = AuditAction::Logout;
        let a = AuditRecord::next(0, ChainHash::GENESIS, first.clone());
        let ab = AuditRecord::next(a.seq, a.hash, second.clone());
        let b = AuditRecord::next(0, ChainHash::GENESIS, second);
        let ba = AuditRecord::next(b.seq, b.hash, first);
        assert_ne!(ab.hash, ba.hash);
    }

    #[test]
    fn hashes_round_trip_through_hex() {
        let hash = chain_hash(&ChainHash::GENESIS, 1, &event(business(1)));
        assert_eq!(ChainHash::from_hex(&hash.to_hex()), Some(hash));
        assert_eq!(ChainHash::GENESIS.to_hex(), "0".repeat(64));
        assert_eq!(ChainHash::from_hex("abc"), None);
        assert_eq!(ChainHash::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn intact_chains_verify() {
        let mut records = chain(business(1), 3);
        records.extend(chain(business(2), 2));
        let heads = HashMap::from([(
            business(1),
            ChainHead {
                seq: 3,
                hash: records[2].hash,
            },
        )]);
        assert_eq!(
            verify(&records, heads),
            AuditVerification::Intact {
                events: 5,
                chains: 2
            }
        );
        assert_eq!(
            verify(&[], HashMap::new()),
            AuditVerification::Intact {
                events: 0,
                chains: 0
            }
        );
    }

    fn broken(records: &[AuditRecord]) -> (u64, BreakReason) {
        match verify(records, HashMap::new()) {
            AuditVerification::Broken(b) => (b.seq, b.reason),
            intact => panic!("expected a break, got {intact:?}"),
        }
    }

    #[test]
    fn an_altered_event_breaks_at_its_position() {
        let mut records = chain(business(1), 5);
        records[2].event.detail = Some("edited".into());
        assert_eq!(broken(&records), (3, BreakReason::HashMismatch));
    }

    #[test]
    fn a_rehashed_event_breaks_the_next_link() {
        let mut records = chain(business(1), 5);
        records[2].event.detail = Some("edited".into());
        records[2].hash = chain_hash(&records[1].hash, 3, &records[2].event);
        assert_eq!(broken(&records), (4, BreakReason::PrevHashMismatch));
    }

    #[test]
    fn a_missing_or_reordered_event_is_a_gap() {
        let mut records = chain(business(1), 5);
        records.remove(1);
        assert_eq!(broken(&records), (2, BreakReason::Gap { found: 3 }));
        let mut records = chain(business(1), 3);
        records.swap(1, 2);
        assert_eq!(broken(&records), (2, BreakReason::Gap { found: 3 }));
        let records = chain(business(1), 3);
        assert_eq!(broken(&records[1..]), (1, BreakReason::Gap { found: 2 }));
    }

    #[test]
    fn an_event_moved_to_another_business_breaks() {
        let mut records = chain(business(1), 1);
        records[0].event.business = business(2);
        assert_eq!(broken(&records), (1, BreakReason::HashMismatch));
    }

    #[test]
    fn heads_catch_a_truncated_tail() {
        let records = chain(business(1), 4);
        let head = |seq: u64, hash| HashMap::from([(business(1), ChainHead { seq, hash })]);
        let at_end = verify(&records[..2], head(4, records[3].hash));
        assert_eq!(
            at_end,
            AuditVerification::Broken(ChainBreak {
                business: business(1),
                seq: 3,
                reason: BreakReason::Truncated { head_seq: 4 }
            })
        );
        let all_gone = verify(&[], head(4, records[3].hash));
        assert!(matches!(
            all_gone,
            AuditVerification::Broken(ChainBreak {
                seq: 1,
                reason: BreakReason::Truncated { head_seq: 4 },
                ..
            })
        ));
        // A head read before later appends is behind the events: still intact.
        assert!(matches!(
            verify(&records, head(2, records[1].hash)),
            AuditVerification::Intact { events: 4, .. }
        ));
        assert_eq!(
            verify(&records, head(2, records[0].hash)),
            AuditVerification::Broken(ChainBreak {
                business: business(1),
                seq: 2,
                reason: BreakReason::HeadMismatch
            })
        );
    }
}
