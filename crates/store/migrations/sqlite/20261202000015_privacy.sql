-- Privacy operations: account closure, conversations flagged as a child's, durable
-- retention jobs, and the one deliberate path by which the audit log loses old events.

-- Set when the owner closes the account: the widget, the API and sign-in stop at once,
-- and the business's data is purged after the grace period.
ALTER TABLE businesses ADD COLUMN closed_at BIGINT;

-- Set when the visitor said they are under 13: lead capture stops for the conversation
-- and the owner is asked to delete it.
ALTER TABLE conversations ADD COLUMN minor_flagged_at BIGINT;

-- A closed account, kept after the business row is purged for as long as its audit log
-- is (no foreign key on purpose).
CREATE TABLE business_closures (
    business_id        TEXT PRIMARY KEY,
    closed_at          BIGINT NOT NULL,
    purge_after        BIGINT NOT NULL,
    data_purged_at     BIGINT,
    audit_purge_after  BIGINT NOT NULL
);

-- One run of one retention category over one scope (a business id, or 'all'). The
-- cutoff is fixed when the job starts, so a job resumed after a crash removes exactly
-- what it set out to; every batch updates `deleted` in the transaction that deletes.
CREATE TABLE retention_jobs (
    id           TEXT PRIMARY KEY,
    category     TEXT NOT NULL,
    scope        TEXT NOT NULL,
    cutoff       BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    batches      BIGINT NOT NULL DEFAULT 0,
    deleted      BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX retention_jobs_open ON retention_jobs (category, scope) WHERE finished_at IS NULL;

-- Where a business's audit chain starts after retention removed its oldest events: the
-- last removed event's seq and hash. Verification continues the chain from here. It is
-- also the only permit to delete audit events (those at or below it), moves forward only
-- and is never removed.
CREATE TABLE audit_anchors (
    business_id  TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    hash         TEXT NOT NULL,
    at           BIGINT NOT NULL
);

DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (
    SELECT 1 FROM audit_anchors a WHERE a.business_id = OLD.business_id AND OLD.seq <= a.seq
)
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: DELETE on audit_events refused');
END;

CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: DELETE on audit_anchors refused');
END;

CREATE TRIGGER audit_anchors_forward_only BEFORE UPDATE ON audit_anchors
WHEN NEW.seq < OLD.seq OR NEW.business_id <> OLD.business_id
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: an anchor cannot move back');
END;
