-- The tamper-evident audit log (see crates/core/src/audit.rs for the hash chain).
--
-- business_id has no foreign key on purpose: audit events outlive the business they
-- describe (the privacy policy keeps them six years after an account is deleted).
-- The table is append-only, enforced here rather than trusted to the application:
-- UPDATE and DELETE abort. A retention job will later purge events older than six years;
-- it will have to lift this guard deliberately (and re-anchor the chain), it must not
-- find a convenient delete path. There is none today.
CREATE TABLE audit_events (
    id             TEXT PRIMARY KEY,
    business_id    TEXT NOT NULL,
    seq            BIGINT NOT NULL CHECK (seq >= 1),
    at             BIGINT NOT NULL,
    actor_user_id  TEXT,
    actor_email    TEXT,
    action         TEXT NOT NULL,
    resource       TEXT,
    ip             TEXT,
    user_agent     TEXT,
    detail         TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    UNIQUE (business_id, seq)
);
CREATE INDEX audit_events_business_at ON audit_events (business_id, at);

-- The last link of each business's chain. Appends take SQLite's write lock by writing
-- this row first; verification compares it with the events, so a truncated tail is
-- noticed.
CREATE TABLE audit_heads (
    business_id  TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    hash         TEXT NOT NULL
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on audit_events refused');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: DELETE on audit_events refused');
END;

-- Heads move forward only, and are never removed.
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: DELETE on audit_heads refused');
END;

CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE ON audit_heads
WHEN NEW.seq < OLD.seq OR NEW.business_id <> OLD.business_id
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: a chain head cannot move back');
END;
